//! How every emulator serves: a listener bound up front (so the base URL is known before the
//! routes are built), served by axum-server over HTTP/1.1 with the emulator's acceptor (plain,
//! TLS, or Posten's mutual TLS), and one [`Server`] handle to stop or await it.
//!
//! HTTP/1.1 only: the Altinn 2 emulator answers in the reason phrase, which HTTP/2 has not,
//! and the TLS listeners offer only `http/1.1` in ALPN, as the emulated services are reached.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::http::Request;
use axum_server::Handle;
use axum_server::accept::Accept;
use axum_server::service::SendService;
use hyper::body::Incoming;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::sync::watch;

/// How long [`Server::shutdown`] lets open requests finish.
pub const DEFAULT_GRACE: Duration = Duration::from_secs(5);

/// A listening socket whose base URL is known, not yet serving.
#[derive(Debug)]
pub(crate) struct Bound {
    listener: std::net::TcpListener,
    address: SocketAddr,
    base_url: String,
}

/// Binds `address` (port 0: a free one). The base URL is `{scheme}://{address}` with the
/// bound port, naming loopback when all interfaces are bound.
pub(crate) fn bind(address: SocketAddr, scheme: &str) -> std::io::Result<Bound> {
    let listener = std::net::TcpListener::bind(address)
        .map_err(|e| std::io::Error::new(e.kind(), format!("cannot bind {address}: {e}")))?;
    listener.set_nonblocking(true)?;
    let address = listener.local_addr()?;
    let base_url = format!("{scheme}://{}", crate::reachable(address));
    Ok(Bound {
        listener,
        address,
        base_url,
    })
}

impl Bound {
    /// `{scheme}://HOST:PORT`, without a trailing slash.
    pub(crate) fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Serves `router` on the current tokio runtime, each connection through `acceptor`;
    /// `name` names the listener in logs.
    ///
    /// # Errors
    ///
    /// The listener cannot be registered with the runtime.
    pub(crate) fn serve<A>(
        self,
        router: Router,
        acceptor: A,
        name: &'static str,
    ) -> std::io::Result<Server>
    where
        A: Accept<TcpStream, Router> + Clone + Send + Sync + 'static,
        A::Stream: AsyncRead + AsyncWrite + Unpin + Send,
        A::Service: SendService<Request<Incoming>> + Send,
        A::Future: Send,
    {
        let handle: Handle<SocketAddr> = Handle::new();
        let (done, stopped) = watch::channel(false);
        let server = axum_server::from_tcp(self.listener)?
            .acceptor(acceptor)
            .http1_only()
            .handle(handle.clone());
        tokio::spawn(async move {
            if let Err(error) = server.serve(router.into_make_service()).await {
                tracing::error!(%error, listener = name, "emulator listener stopped");
            }
            done.send_replace(true);
        });
        tracing::debug!(address = %self.address, listener = name, "emulator listening");
        Ok(Server {
            address: self.address,
            base_url: self.base_url,
            handle,
            stopped,
        })
    }
}

/// One listening emulator endpoint: where it is, and how to stop it or wait for it.
///
/// Dropping it stops the listener at once (open connections are closed);
/// [`shutdown`](Self::shutdown) first lets open requests finish.
#[derive(Debug)]
pub struct Server {
    address: SocketAddr,
    base_url: String,
    handle: Handle<SocketAddr>,
    stopped: watch::Receiver<bool>,
}

impl Server {
    /// The bound address (the one asked for, with the port chosen when it was 0).
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// `http[s]://HOST:PORT` without a trailing slash; 127.0.0.1 (or `::1`) when all
    /// interfaces are bound.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Stops accepting connections, lets open requests finish for up to `grace`, then
    /// closes what is left and returns when the listener has ended.
    pub async fn shutdown_with(&self, grace: Duration) {
        self.handle.graceful_shutdown(Some(grace));
        self.join().await;
    }

    /// [`shutdown_with`](Self::shutdown_with) a grace period of [`DEFAULT_GRACE`] (5 s).
    pub async fn shutdown(&self) {
        self.shutdown_with(DEFAULT_GRACE).await;
    }

    /// Waits until the listener has ended: after a shutdown, or when serving failed (the
    /// failure is logged).
    pub async fn join(&self) {
        let mut stopped = self.stopped.clone();
        // An error means the serving task is gone, which is an end too.
        let _ = stopped.wait_for(|stopped| *stopped).await;
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.handle.shutdown();
    }
}
