//! Streaming XAdES and PAdES answers into the caller's writer.
//!
//! Bodies are copied chunk by chunk as they arrive, so memory stays at one network chunk
//! whatever the document's size. Downloads use their own connection pool and timeouts
//! ([`ClientBuilder::download_timeouts`](crate::ClientBuilder::download_timeouts)).

use reqwest::Response;
use tokio::io::{AsyncWrite, AsyncWriteExt};

use crate::error::Error;
use crate::transport::transport_error;

/// Copies the body of `response` into `sink`; returns the bytes written. The sink is neither
/// flushed nor shut down: the caller decides what happens to it next.
pub(crate) async fn stream_into(
    mut response: Response,
    sink: &mut (dyn AsyncWrite + Unpin + Send),
) -> Result<u64, Error> {
    let mut written = 0u64;
    while let Some(chunk) = response.chunk().await.map_err(transport_error)? {
        sink.write_all(&chunk).await?;
        written += chunk.len() as u64;
    }
    Ok(written)
}
