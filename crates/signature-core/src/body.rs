//! Reading an answer's body chunk by chunk, with a cap, into memory or into the caller's
//! writer: the one loop every adapter runs over its HTTP library's chunks.
//!
//! The chunks come from a [`BodyChunks`] (with reqwest, a wrapper around `Response::chunk`), so
//! this crate stays free of HTTP types; each adapter turns a [`BodyError`] into its own error.

use std::future::Future;

use bytes::Bytes;
use tokio::io::{AsyncWrite, AsyncWriteExt};

/// Where a body's chunks come from, one after the other: an HTTP library's response.
///
/// A trait rather than a closure, so that the futures of the adapters' `async_trait` methods
/// stay `Send` (a closure returning a borrowing future is not, today).
pub trait BodyChunks: Send {
    /// The HTTP library's error.
    type Error;

    /// The next chunk; `None` at the end of the body.
    fn next_chunk(&mut self) -> impl Future<Output = Result<Option<Bytes>, Self::Error>> + Send;
}

/// Chunks from memory, last chunk first (as `Vec::pop` gives them), with no error.
impl BodyChunks for Vec<Bytes> {
    type Error = std::convert::Infallible;

    async fn next_chunk(&mut self) -> Result<Option<Bytes>, Self::Error> {
        Ok(self.pop())
    }
}

/// Why a body could not be read.
#[derive(Debug)]
pub enum BodyError<E> {
    /// The body is larger than `limit` bytes, as declared (`Content-Length`) or as sent.
    TooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// The source of the chunks failed (the HTTP library's error).
    Source(E),
    /// Writing into the caller's sink failed.
    Sink(std::io::Error),
}

/// Reads a whole body of at most `limit` bytes into memory. A `declared` length above the
/// limit is refused before anything is read, and a body that grows past it is refused as soon
/// as it does, so a hostile server cannot make the caller buffer more.
///
/// ```
/// use bytes::Bytes;
/// use signature_core::{BodyError, read_capped};
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let chunks = vec![Bytes::from_static(b"de"), Bytes::from_static(b"abc")];
/// let body = read_capped(None, 5, chunks).await;
/// assert_eq!(body.unwrap(), b"abcde");
/// let refused = read_capped(Some(6), 5, Vec::new()).await;
/// assert!(matches!(refused, Err(BodyError::TooLarge { limit: 5 })));
/// # });
/// ```
///
/// # Errors
///
/// [`BodyError::TooLarge`], or [`BodyError::Source`] with the chunk source's error.
pub async fn read_capped<C: BodyChunks>(
    declared: Option<u64>,
    limit: u64,
    mut chunks: C,
) -> Result<Vec<u8>, BodyError<C::Error>> {
    if declared.is_some_and(|len| len > limit) {
        return Err(BodyError::TooLarge { limit });
    }
    let mut body = Vec::new();
    while let Some(chunk) = chunks.next_chunk().await.map_err(BodyError::Source)? {
        if (body.len() + chunk.len()) as u64 > limit {
            return Err(BodyError::TooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Streams a body into `sink` chunk by chunk, so memory stays at one chunk whatever the
/// body's size; returns the bytes written. Refuses a body over `limit` bytes as
/// [`read_capped`] does (`u64::MAX` for no limit); what was written before stays written. The
/// sink is neither flushed nor shut down: the caller decides what happens to it next.
///
/// # Errors
///
/// [`BodyError::TooLarge`], [`BodyError::Source`] with the chunk source's error, or
/// [`BodyError::Sink`] with the sink's.
pub async fn copy_capped<C: BodyChunks>(
    declared: Option<u64>,
    limit: u64,
    mut chunks: C,
    sink: &mut (dyn AsyncWrite + Unpin + Send),
) -> Result<u64, BodyError<C::Error>> {
    if declared.is_some_and(|len| len > limit) {
        return Err(BodyError::TooLarge { limit });
    }
    let mut written = 0u64;
    while let Some(chunk) = chunks.next_chunk().await.map_err(BodyError::Source)? {
        written = written.saturating_add(chunk.len() as u64);
        if written > limit {
            return Err(BodyError::TooLarge { limit });
        }
        sink.write_all(&chunk).await.map_err(BodyError::Sink)?;
    }
    Ok(written)
}

/// Reads the first `limit` bytes of a body and stops there: for an error answer, whose text
/// is worth showing even when it is long, but not worth unbounded memory. The rest of the body
/// is not read.
///
/// ```
/// use bytes::Bytes;
/// use signature_core::read_prefix;
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let chunks = vec![Bytes::from_static(b"def"), Bytes::from_static(b"abc")];
/// assert_eq!(read_prefix(4, chunks).await.unwrap(), b"abcd");
/// # });
/// ```
///
/// # Errors
///
/// The chunk source's error.
pub async fn read_prefix<C: BodyChunks>(limit: u64, mut chunks: C) -> Result<Vec<u8>, C::Error> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let mut body = Vec::new();
    while body.len() < limit {
        let Some(chunk) = chunks.next_chunk().await? else {
            break;
        };
        let room = limit - body.len();
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
    }
    Ok(body)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn chunks(parts: &[&'static [u8]]) -> Vec<Bytes> {
        parts.iter().rev().map(|p| Bytes::from_static(p)).collect()
    }

    /// A connection that breaks after its first chunk.
    struct Broken(bool);

    impl BodyChunks for Broken {
        type Error = &'static str;

        async fn next_chunk(&mut self) -> Result<Option<Bytes>, Self::Error> {
            if std::mem::replace(&mut self.0, true) {
                Err("reset")
            } else {
                Ok(Some(Bytes::from_static(b"ab")))
            }
        }
    }

    #[tokio::test]
    async fn reads_up_to_the_limit_and_not_a_byte_more() {
        let body = read_capped(Some(5), 5, chunks(&[b"abc", b"de"])).await;
        assert_eq!(body.unwrap(), b"abcde");

        let body = read_capped(None, 5, chunks(&[b"abc", b"def"])).await;
        assert!(matches!(body, Err(BodyError::TooLarge { limit: 5 })));

        let body = read_capped(None, 5, Broken(false)).await;
        assert!(matches!(body, Err(BodyError::Source("reset"))));
    }

    #[tokio::test]
    async fn a_prefix_stops_reading_at_its_limit() {
        assert_eq!(
            read_prefix(5, chunks(&[b"abc", b"de"])).await.unwrap(),
            b"abcde"
        );
        assert_eq!(
            read_prefix(4, chunks(&[b"ab", b"cd"])).await.unwrap(),
            b"abcd"
        );
        // The broken second chunk is never asked for.
        assert_eq!(read_prefix(2, Broken(false)).await.unwrap(), b"ab");
        assert_eq!(read_prefix(3, Broken(false)).await, Err("reset"));
        assert_eq!(read_prefix(0, Broken(false)).await.unwrap(), b"");
    }

    #[tokio::test]
    async fn copies_into_the_sink_and_stops_at_the_limit() {
        let mut sink = Vec::new();
        let written = copy_capped(None, u64::MAX, chunks(&[b"abc", b"de"]), &mut sink)
            .await
            .unwrap();
        assert_eq!((written, sink.as_slice()), (5, &b"abcde"[..]));

        let mut sink = Vec::new();
        let copied = copy_capped(None, 5, chunks(&[b"abc", b"def"]), &mut sink).await;
        assert!(matches!(copied, Err(BodyError::TooLarge { limit: 5 })));
        assert_eq!(sink, b"abc");

        let mut sink = Vec::new();
        let copied = copy_capped(Some(6), 5, Vec::new(), &mut sink).await;
        assert!(matches!(copied, Err(BodyError::TooLarge { limit: 5 })));
        assert!(sink.is_empty());

        let mut sink = Vec::new();
        let copied = copy_capped(None, 5, Broken(false), &mut sink).await;
        assert!(matches!(copied, Err(BodyError::Source("reset"))));
        assert_eq!(sink, b"ab");
    }
}
