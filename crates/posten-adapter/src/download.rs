//! Streaming XAdES and PAdES answers into the caller's writer.
//!
//! Bodies are copied chunk by chunk as they arrive, so memory stays at one network chunk
//! whatever the document's size. Downloads use their own connection pool and timeouts
//! ([`ClientBuilder::download_timeouts`](crate::ClientBuilder::download_timeouts)).

use reqwest::Response;
use signature_core::http_runtime::ResponseChunks;
use tokio::io::AsyncWrite;

use crate::error::Error;
use crate::transport::body_error;

/// Copies the body of `response` into `sink` (`signature_core::copy_capped`, without a
/// limit); returns the bytes written. The sink is neither flushed nor shut down: the caller
/// decides what happens to it next.
pub(crate) async fn stream_into(
    mut response: Response,
    sink: &mut (dyn AsyncWrite + Unpin + Send),
) -> Result<u64, Error> {
    let declared = response.content_length();
    signature_core::copy_capped(declared, u64::MAX, ResponseChunks(&mut response), sink)
        .await
        .map_err(body_error)
}
