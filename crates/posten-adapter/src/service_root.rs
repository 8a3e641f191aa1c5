//! The answer to `GET {root}/{organization}`, the service's own "who am I".

use crate::certificate::CertificateSummary;

/// What `GET {root}/{organization}` answered: the call the official .NET client makes to check
/// its TLS set-up (`PortalClient.GetRootResource`, used by its smoke tests'
/// `Verify_tls_setup`; `posten-reference-clients.md` §7.2 and §8).
///
/// The shape of the answer's body is not documented: the API specification
/// (digipost/signature-api-specification 3.1.1) has no schema for it, and the .NET client
/// returns the body as text without reading it. So any 2xx answer counts as success, and only
/// its status, content type and length are kept. What it proves is that the TLS handshake
/// passed both ways and that the certificate's organization may act for `{organization}`
/// (otherwise the service answers an error, for example `BROKER_NOT_AUTHORIZED`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServiceRoot {
    /// The HTTP status (2xx).
    pub http_status: u16,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// The body's length in bytes.
    pub body_bytes: usize,
    /// The server certificate the connection presented, when the client was built to record
    /// it (`signering doctor` does).
    pub server_certificate: Option<CertificateSummary>,
}
