//! Which server certificates the client accepts, as one value: the trust anchors (built in per
//! environment, plus or instead of the caller's) and the organization the certificate must
//! name. The client's TLS handshake and the offline check of a captured chain
//! ([`ServerTrust::verify_chain`], used by `signering doctor`) build the very same verifier
//! from it, so they cannot disagree.

use std::time::Duration;

use rustls::client::danger::ServerCertVerifier as _;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use signature_core::OrganizationNumber;
use time::OffsetDateTime;

use crate::certificate::CertificateSummary;
use crate::config::Environment;
use crate::error::Error;
use crate::tls::{self, POSTEN_ORGANIZATION_NUMBER, PostenServerVerifier};
use crate::trust::TrustAnchors;

/// The trust anchors and the organization number a server certificate must satisfy.
///
/// [`ServerTrust::for_environment`] starts from the environment's built-in anchors
/// ([`Environment::trust_anchors`]) and Posten's organization number (984661185); a
/// [`ClientBuilder`](crate::ClientBuilder) holds one and changes it with the same methods.
///
/// Checking a chain captured with `openssl s_client -showcerts`, at a chosen time:
///
/// ```no_run
/// use posten_adapter::{Environment, Error, ServerTrust};
/// use time::macros::datetime;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// // For example the test environment's server certificate of 2018 (issued by Buypass Class 3
/// // Test4 CA 3, valid 2018-11-15 to 2022-01-07).
/// let pem = std::fs::read("server-chain.pem")?;
/// let server = ServerTrust::for_environment(&Environment::Test)
///     .verify_pem_chain(&pem, datetime!(2020-01-01 00:00 UTC))?;
/// assert_eq!(server.organization_number.as_deref(), Some("984661185"));
///
/// // The same certificate is refused by a client configured for production:
/// // "server certificate not trusted: issued by a test CA, but the client is configured for
/// // Production".
/// let refused = ServerTrust::for_environment(&Environment::Production)
///     .verify_pem_chain(&pem, datetime!(2020-01-01 00:00 UTC))
///     .unwrap_err();
/// assert!(matches!(refused, Error::ServerCertificateWrongEnvironment { .. }));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct ServerTrust {
    built_in: Option<TrustAnchors>,
    added_pem: Vec<Vec<u8>>,
    organization: String,
    configured_for: String,
    /// The environment's own set, which is never "the other environment".
    environment_anchors: Option<TrustAnchors>,
}

impl ServerTrust {
    /// The environment's built-in anchors (none for a custom URL) and Posten's organization
    /// number.
    pub fn for_environment(environment: &Environment) -> Self {
        Self {
            built_in: environment.trust_anchors(),
            added_pem: Vec::new(),
            organization: POSTEN_ORGANIZATION_NUMBER.to_owned(),
            configured_for: environment.name().to_owned(),
            environment_anchors: environment.trust_anchors(),
        }
    }

    /// Adds the CA certificates of a PEM bundle to the anchors (parsed when the verifier is
    /// built, so a bad bundle surfaces there).
    #[must_use]
    pub fn add_roots_pem(mut self, pem: &[u8]) -> Self {
        self.added_pem.push(pem.to_vec());
        self
    }

    /// Trusts only the CA certificates of this PEM bundle: the built-in anchors and any added
    /// before are dropped (later [`add_roots_pem`](Self::add_roots_pem) calls still add).
    #[must_use]
    pub fn replace_roots_pem(mut self, pem: &[u8]) -> Self {
        self.built_in = None;
        self.added_pem = vec![pem.to_vec()];
        self
    }

    /// Which built-in set to start from; `None` for none. Useful for a custom URL in front of
    /// a real environment (a fixed address, a reverse proxy).
    #[must_use]
    pub fn built_in(mut self, anchors: Option<TrustAnchors>) -> Self {
        self.built_in = anchors;
        self
    }

    /// The organization number the server certificate must carry (default 984661185).
    #[must_use]
    pub fn organization_number(mut self, organization: &OrganizationNumber) -> Self {
        self.organization = organization.as_str().to_owned();
        self
    }

    /// The built-in set in use, if any.
    pub fn anchors(&self) -> Option<TrustAnchors> {
        self.built_in
    }

    /// The organization number the server certificate must carry.
    pub fn expected_organization_number(&self) -> &str {
        &self.organization
    }

    /// Checks a server certificate chain (leaf first, DER) as the client's TLS handshake
    /// would at time `at`, and summarizes the leaf.
    ///
    /// # Errors
    ///
    /// [`Error::ServerCertificateWrongEnvironment`] when the chain leads to the other kind of
    /// environment's anchors, [`Error::ServerCertificateUntrusted`] for any other chain
    /// verdict (unknown issuer, expired, …), [`Error::ServerCertificateRejected`] for a
    /// certificate of another organization, [`Error::Configuration`] for unusable anchors or
    /// an empty chain.
    pub fn verify_chain<C: AsRef<[u8]>>(
        &self,
        chain: &[C],
        at: OffsetDateTime,
    ) -> Result<CertificateSummary, Error> {
        let Some((leaf, rest)) = chain.split_first() else {
            return Err(Error::config("the server chain holds no certificate"));
        };
        let summary = CertificateSummary::from_der(leaf.as_ref())?;
        let verifier = self.verifier()?;
        let end_entity = CertificateDer::from(leaf.as_ref());
        let intermediates: Vec<CertificateDer<'_>> = rest
            .iter()
            .map(|c| CertificateDer::from(c.as_ref()))
            .collect();
        let seconds = u64::try_from(at.unix_timestamp()).unwrap_or(0);
        verifier
            .verify_server_cert(
                &end_entity,
                &intermediates,
                &any_name()?,
                &[],
                UnixTime::since_unix_epoch(Duration::from_secs(seconds)),
            )
            .map_err(|e| tls::error_from_verdict(&e))?;
        Ok(summary)
    }

    /// [`verify_chain`](Self::verify_chain) for a PEM bundle, leaf first (the order of
    /// `openssl s_client -showcerts`).
    ///
    /// # Errors
    ///
    /// As [`verify_chain`](Self::verify_chain), and [`Error::Configuration`] for PEM without
    /// certificates.
    pub fn verify_pem_chain(
        &self,
        pem: &[u8],
        at: OffsetDateTime,
    ) -> Result<CertificateSummary, Error> {
        let chain = tls::certificates_from_pem(pem)?;
        self.verify_chain(&chain, at)
    }

    /// The verifier the client installs in rustls.
    pub(crate) fn verifier(&self) -> Result<PostenServerVerifier, Error> {
        let mut anchors: Vec<CertificateDer<'static>> = self
            .built_in
            .map(TrustAnchors::certificates)
            .unwrap_or_default()
            .into_iter()
            .map(CertificateDer::from)
            .collect();
        for pem in &self.added_pem {
            anchors.extend(tls::certificates_from_pem(pem)?);
        }
        if anchors.is_empty() {
            return Err(Error::config(
                "no trust anchors: a custom URL needs the server's CA certificates \
                 (trust_roots_pem), or the built-in ones of a Posten environment \
                 (built_in_trust)",
            ));
        }
        let provider = tls::provider();
        Ok(PostenServerVerifier {
            inner: tls::webpki_verifier(&anchors, &provider)?,
            provider,
            expected_org: self.organization.clone(),
            own_environment: [self.built_in, self.environment_anchors],
            configured_for: self.configured_for.clone(),
        })
    }
}

/// The name handed to webpki offline; host names are not checked (see the `tls` notes), so
/// any valid name gives the same verdict.
fn any_name() -> Result<ServerName<'static>, Error> {
    ServerName::try_from("api.signering.posten.no")
        .map_err(|e| Error::config_from("server name", e))
}
