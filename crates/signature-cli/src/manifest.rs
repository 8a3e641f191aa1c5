//! Reading a bundle's `manifest.xml` as a Posten signering portal or direct manifest, with
//! identity numbers masked.

use serde::Serialize;
use signature_model::{from_xml, posten};

use crate::mask::{mask_identity, mask_identity_numbers};

/// What a manifest says, fit for printing: identity numbers masked, addresses left out.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ManifestSummary {
    /// `portal` or `direct`.
    pub flow: &'static str,
    pub title: String,
    pub sender: String,
    pub signers: Vec<SignerSummary>,
    pub documents: Vec<DocumentSummary>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct SignerSummary {
    /// Masked identity number, or a description of how the signer is identified.
    pub identity: String,
    /// How a portal signer is notified (`null` in the direct flow); never the address itself.
    pub notification: Option<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct DocumentSummary {
    pub title: String,
    /// The document's file name inside the bundle.
    pub href: String,
    pub media_type: String,
}

/// Parses `xml` as a portal manifest, else as a direct manifest.
///
/// # Errors
///
/// The reader's message (with digit runs masked by the model) when it is neither.
pub(crate) fn summarize(xml: &[u8]) -> Result<ManifestSummary, String> {
    match from_xml::<posten::PortalSignatureJobManifest>(xml) {
        Ok(manifest) => Ok(portal(manifest)),
        Err(signature_model::Error::UnexpectedRoot { .. }) => {
            from_xml::<posten::DirectSignatureJobManifest>(xml)
                .map(direct)
                .map_err(|error| match error {
                    signature_model::Error::UnexpectedRoot { found, .. } => format!(
                        "the root element {} is neither portal-signature-job-manifest nor \
                         direct-signature-job-manifest",
                        mask_identity_numbers(&found)
                    ),
                    other => other.to_string(),
                })
        }
        Err(other) => Err(other.to_string()),
    }
}

fn portal(manifest: posten::PortalSignatureJobManifest) -> ManifestSummary {
    use posten::PortalSignatureJobManifestPortalManifestContentType as Content;
    use posten::PortalSignerPortalSignerIdentityType as Identity;
    use posten::PortalSignerPortalSignerNotificationType as Notification;
    let (title, documents) = match manifest.portal_manifest_content {
        Content::PortalJobTextsAndDocuments(content) => {
            (content.title, documents(content.documents))
        }
        // The older form: one document whose title doubles as the job's.
        Content::Document(d) => (d.title.clone(), vec![document(d.title, d.href, d.mime)]),
    };
    let signers = manifest
        .signers
        .signer
        .into_iter()
        .map(|signer| SignerSummary {
            identity: match signer.portal_signer_identity {
                Identity::PersonalIdentificationNumber(pin) => mask_identity(&pin),
                Identity::IdentifiedByContactInformation(_) => "(contact information)".to_owned(),
            },
            notification: Some(match signer.portal_signer_notification {
                Notification::NotificationsUsingLookup(lookup) if lookup.sms.is_some() => {
                    "contact register: e-mail and SMS"
                }
                Notification::NotificationsUsingLookup(_) => "contact register: e-mail",
                Notification::Notifications(posten::ContactNotificationsType::Sms(_)) => {
                    "explicit: SMS"
                }
                Notification::Notifications(
                    posten::ContactNotificationsType::EmailWithOptionalSms(contact),
                ) if contact.sms.is_some() => "explicit: e-mail and SMS",
                Notification::Notifications(_) => "explicit: e-mail",
            }),
        })
        .collect();
    ManifestSummary {
        flow: "portal",
        title: mask_identity_numbers(&title),
        sender: mask_identity_numbers(&manifest.sender.organization_number),
        signers,
        documents,
    }
}

fn direct(manifest: posten::DirectSignatureJobManifest) -> ManifestSummary {
    use posten::DirectSignatureJobManifestDirectManifestContentType as Content;
    use posten::DirectSignerDirectSignerIdentityType as Identity;
    let (title, documents) = match manifest.direct_manifest_content {
        Content::DirectJobTextsAndDocuments(content) => {
            (content.title, documents(content.documents))
        }
        Content::Document(d) => (d.title.clone(), vec![document(d.title, d.href, d.mime)]),
    };
    let signers = manifest
        .signer
        .into_iter()
        .map(|signer| SignerSummary {
            identity: match signer.direct_signer_identity {
                Identity::PersonalIdentificationNumber(pin) => mask_identity(&pin),
                Identity::SignerIdentifier(id) => {
                    format!("custom identifier {}", mask_identity_numbers(&id))
                }
            },
            notification: None,
        })
        .collect();
    ManifestSummary {
        flow: "direct",
        title: mask_identity_numbers(&title),
        sender: mask_identity_numbers(&manifest.sender.organization_number),
        signers,
        documents,
    }
}

fn documents(documents: posten::JobDocumentsType) -> Vec<DocumentSummary> {
    documents
        .document
        .into_iter()
        .map(|d| document(d.title, d.href, d.mime))
        .collect()
}

fn document(title: String, href: String, mime: String) -> DocumentSummary {
    DocumentSummary {
        title: mask_identity_numbers(&title),
        href: mask_identity_numbers(&href),
        media_type: mime,
    }
}

/// Differences between the manifest's documents and the bundle's content files (everything
/// except `mimetype`, `META-INF/` and `manifest.xml`), as messages.
pub(crate) fn cross_check(manifest: &ManifestSummary, content_files: &[String]) -> Vec<String> {
    // The summary's hrefs are masked, so compare with masked names.
    let files: Vec<String> = content_files
        .iter()
        .map(|f| mask_identity_numbers(f))
        .collect();
    let mut problems = Vec::new();
    for doc in &manifest.documents {
        if !files.contains(&doc.href) {
            problems.push(format!(
                "manifest.xml names the document {}, which is not in the bundle",
                doc.href
            ));
        }
    }
    for file in &files {
        if !manifest.documents.iter().any(|d| d.href == *file) {
            problems.push(format!(
                "{file} is in the bundle but not named in manifest.xml"
            ));
        }
    }
    problems
}

/// The entries that are documents: not `mimetype`, not under `META-INF/`, not `manifest.xml`.
pub(crate) fn content_files<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    names
        .into_iter()
        .filter(|n| *n != "mimetype" && *n != "manifest.xml" && !n.starts_with("META-INF/"))
        .map(str::to_owned)
        .collect()
}
