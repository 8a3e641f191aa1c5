//! References to signed results that can be downloaded.

use crate::signer::SignerIdentifier;

/// A downloadable result of signing. The URL is issued by the provider and is opaque to
/// callers; pass the reference to
/// [`SignatureService::download`](crate::SignatureService::download).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ArtifactRef {
    /// One signer's XAdES signature (XML) over the job's documents.
    Xades {
        /// The signer it belongs to, when the provider says.
        signer: Option<SignerIdentifier>,
        /// Where to fetch it.
        url: String,
    },
    /// The job's documents with all signatures as one PAdES PDF.
    Pades {
        /// Where to fetch it.
        url: String,
    },
    /// A PDF rendering of the signed item made by the provider (Altinn's print of the
    /// archived form set). It is a receipt, not a signature container.
    Receipt {
        /// Where to fetch it.
        url: String,
    },
    /// A provider's JSON record of one signature: who signed which data, with hashes
    /// (Altinn 3's signature data element). It is evidence kept by the provider, not a
    /// cryptographic signature container.
    SignatureRecord {
        /// Where to fetch it.
        url: String,
    },
}

impl ArtifactRef {
    /// A signer's XAdES signature at `url` (surrounding whitespace removed).
    pub fn xades(signer: Option<SignerIdentifier>, url: impl Into<String>) -> Self {
        Self::Xades {
            signer,
            url: url.into().trim().to_owned(),
        }
    }

    /// The job's PAdES document at `url` (surrounding whitespace removed).
    pub fn pades(url: impl Into<String>) -> Self {
        Self::Pades {
            url: url.into().trim().to_owned(),
        }
    }

    /// A provider's PDF rendering of the signed item at `url` (surrounding whitespace removed).
    pub fn receipt(url: impl Into<String>) -> Self {
        Self::Receipt {
            url: url.into().trim().to_owned(),
        }
    }

    /// A provider's signature record at `url` (surrounding whitespace removed).
    pub fn signature_record(url: impl Into<String>) -> Self {
        Self::SignatureRecord {
            url: url.into().trim().to_owned(),
        }
    }

    /// Where to fetch the artifact.
    pub fn url(&self) -> &str {
        match self {
            Self::Xades { url, .. }
            | Self::Pades { url }
            | Self::Receipt { url }
            | Self::SignatureRecord { url } => url,
        }
    }

    /// The media type the artifact is delivered as.
    pub fn media_type(&self) -> &'static str {
        match self {
            Self::Xades { .. } => "application/xml",
            Self::Pades { .. } | Self::Receipt { .. } => "application/pdf",
            Self::SignatureRecord { .. } => "application/json",
        }
    }

    /// The capability needed to download it.
    pub fn capability(&self) -> crate::Capability {
        match self {
            Self::Xades { .. } => crate::Capability::DownloadXades,
            Self::Pades { .. } => crate::Capability::DownloadPades,
            Self::Receipt { .. } => crate::Capability::DownloadReceipt,
            Self::SignatureRecord { .. } => crate::Capability::DownloadSignatureRecord,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::Capability;

    #[test]
    fn artifact_accessors() {
        // Each constructor trims the URL and gives the artifact's media type and capability.
        for (case, artifact, url, media_type, capability) in [
            (
                "xades",
                ArtifactRef::xades(None, " https://example.com/x "),
                "https://example.com/x",
                "application/xml",
                Capability::DownloadXades,
            ),
            (
                "pades",
                ArtifactRef::pades("https://example.com/p"),
                "https://example.com/p",
                "application/pdf",
                Capability::DownloadPades,
            ),
            (
                "receipt",
                ArtifactRef::receipt(" https://example.com/r"),
                "https://example.com/r",
                "application/pdf",
                Capability::DownloadReceipt,
            ),
            (
                "signature record",
                ArtifactRef::signature_record(" https://example.com/s "),
                "https://example.com/s",
                "application/json",
                Capability::DownloadSignatureRecord,
            ),
        ] {
            assert_eq!(artifact.url(), url, "case {case}");
            assert_eq!(artifact.media_type(), media_type, "case {case}");
            assert_eq!(artifact.capability(), capability, "case {case}");
        }
    }
}
