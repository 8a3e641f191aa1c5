//! Downloading data elements, from the app or from a URL the service gave.

use tokio::io::AsyncWrite;

use super::client::Client;
use super::environment::AppId;
use super::model::InstanceId;
use crate::error::Error;

impl Client {
    /// Streams a data element from the app into `sink` (`GET …/data/{dataGuid}`); returns
    /// the bytes written. The sink is not flushed.
    ///
    /// # Errors
    ///
    /// [`Error::ResponseTooLarge`] beyond the configured limit, [`Error::Service`] (403) for a
    /// data type the caller may not read, [`Error::Service`] (404), [`Error::Io`] writing.
    pub async fn download_data(
        &self,
        app: &AppId,
        id: &InstanceId,
        data_id: &str,
        sink: &mut (dyn AsyncWrite + Unpin + Send),
    ) -> Result<u64, Error> {
        let url = self.instance_url(app, id, &["data", data_id]);
        self.download_to(url, "*/*", sink).await
    }

    /// Streams from a URL the service gave (a data element's `selfLinks`, a dialog's API
    /// endpoint); only URLs of the configured environment are followed.
    ///
    /// # Errors
    ///
    /// [`Error::ForeignLink`] for any other host, and as for
    /// [`download_data`](Self::download_data).
    pub async fn download_url(
        &self,
        href: &str,
        sink: &mut (dyn AsyncWrite + Unpin + Send),
    ) -> Result<u64, Error> {
        let url = self.resolve(href)?;
        self.download_to(url, "*/*", sink).await
    }
}
