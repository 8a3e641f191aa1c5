//! What both adapters do with reqwest, written once (feature `reqwest`): the proxy setting on
//! a client and proxy failures told apart ([`proxy`]), and a response's body as
//! [`BodyChunks`] for [`read_capped`](crate::read_capped), [`copy_capped`](crate::copy_capped)
//! and [`read_prefix`](crate::read_prefix).
//!
//! Not part of the crate's stable API (hidden from the docs): it names reqwest's types, whose
//! version the adapters choose. Users configure a proxy with [`ProxySetting`](crate::ProxySetting)
//! on an adapter's builder and read the adapter's own errors.

use std::future::Future;

use bytes::Bytes;

use crate::BodyChunks;

pub mod proxy;

/// A reqwest answer's body, chunk by chunk.
#[derive(Debug)]
pub struct ResponseChunks<'a>(pub &'a mut reqwest::Response);

impl BodyChunks for ResponseChunks<'_> {
    type Error = reqwest::Error;

    fn next_chunk(&mut self) -> impl Future<Output = Result<Option<Bytes>, reqwest::Error>> + Send {
        self.0.chunk()
    }
}
