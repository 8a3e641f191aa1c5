//! Schema rules for the job request and the manifest, checked on the parsed wire types.
//!
//! `signature_model::from_xml` is forgiving (it drops what the schema does not know, as a
//! client must); a server must not be, so [`parse_strict`] also refuses a document that lost
//! elements or attributes on the way in. The facets (lengths, patterns, counts, ranges) of
//! `schema/posten/v1` are checked here.

use quick_xml::Reader;
use quick_xml::events::Event;
use signature_model::{WireDocument, from_xml, posten, to_xml};

/// Parses `xml` as `T` and refuses documents with content the schema does not know.
pub(crate) fn parse_strict<T: WireDocument>(xml: &[u8], what: &str) -> Result<T, String> {
    let parsed: T = from_xml(xml).map_err(|e| format!("{what}: {e}"))?;
    let rewritten = to_xml(&parsed).map_err(|e| format!("{what}: {e}"))?;
    let (before, after) = (count_items(xml)?, count_items(&rewritten)?);
    if before != after {
        return Err(format!(
            "{what}: contains elements or attributes that are not in the schema"
        ));
    }
    Ok(parsed)
}

/// Elements plus attributes other than namespace declarations.
fn count_items(xml: &[u8]) -> Result<usize, String> {
    let mut reader = Reader::from_reader(xml);
    let mut count = 0usize;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                count += 1;
                for attribute in e.attributes() {
                    let attribute = attribute.map_err(|e| format!("malformed XML: {e}"))?;
                    if attribute.key.as_namespace_binding().is_none() {
                        count += 1;
                    }
                }
            }
            Ok(Event::Eof) => return Ok(count),
            Ok(_) => {}
            Err(e) => return Err(format!("malformed XML: {e}")),
        }
    }
}

fn length(field: &str, value: &str, min: usize, max: usize) -> Result<(), String> {
    let n = value.chars().count();
    if n < min || n > max {
        return Err(format!(
            "{field} must be {min} to {max} characters, has {n}"
        ));
    }
    Ok(())
}

fn digits(field: &str, value: &str, n: usize) -> Result<(), String> {
    // The value is never echoed: it may be a personal identification number.
    if value.len() != n || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{field} must be exactly {n} digits"));
    }
    Ok(())
}

fn url(field: &str, value: &str) -> Result<(), String> {
    length(field, value, 1, 500)?;
    let lower = value.to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://")) {
        return Err(format!("{field} must be an absolute http(s) URL"));
    }
    Ok(())
}

fn count(field: &str, n: usize, max: usize) -> Result<(), String> {
    if n == 0 || n > max {
        return Err(format!("{field} must occur 1 to {max} times, occurs {n}"));
    }
    Ok(())
}

fn reference(value: Option<&String>) -> Result<(), String> {
    value.map_or(Ok(()), |r| length("reference", r, 0, 50))
}

/// The rules of a job's title, nonsensitive title (portal jobs) and description, in that order.
fn texts(title: &str, nonsensitive: Option<&str>, description: Option<&str>) -> Result<(), String> {
    length("title", title, 1, 80)?;
    if let Some(t) = nonsensitive {
        length("nonsensitive-title", t, 1, 80)?;
    }
    if let Some(d) = description {
        length("description", d, 0, 220)?;
    }
    Ok(())
}

fn document(href: &str, mime: &str, title: &str) -> Result<(), String> {
    length("document href", href, 4, 100)?;
    length("document mime", mime, 1, 100)?;
    length("document title", title, 1, 80)
}

fn sender(sender: &posten::SenderType) -> Result<(), String> {
    digits("sender organization-number", &sender.organization_number, 9)
}

/// Rules of `direct-signature-job-request`.
pub(crate) fn direct_request(request: &posten::DirectSignatureJobRequest) -> Result<(), String> {
    reference(request.reference.as_ref())?;
    url("completion-url", &request.exit_urls.completion_url)?;
    url("rejection-url", &request.exit_urls.rejection_url)?;
    url("error-url", &request.exit_urls.error_url)
}

/// Rules of `portal-signature-job-request`.
pub(crate) fn portal_request(request: &posten::PortalSignatureJobRequest) -> Result<(), String> {
    reference(request.reference.as_ref())
}

/// Rules of `direct-signature-job-manifest`; returns the document hrefs.
pub(crate) fn direct_manifest(
    manifest: &posten::DirectSignatureJobManifest,
) -> Result<Vec<String>, String> {
    count("signer", manifest.signer.len(), 10)?;
    for signer in &manifest.signer {
        match &signer.direct_signer_identity {
            posten::DirectSignerDirectSignerIdentityType::PersonalIdentificationNumber(pin) => {
                digits("personal-identification-number", pin, 11)?;
            }
            posten::DirectSignerDirectSignerIdentityType::SignerIdentifier(id) => {
                length("signer-identifier", id, 1, 80)?;
            }
        }
    }
    sender(&manifest.sender)?;
    match &manifest.direct_manifest_content {
        posten::DirectSignatureJobManifestDirectManifestContentType::DirectJobTextsAndDocuments(
            content,
        ) => {
            texts(&content.title, None, content.description.as_deref())?;
            documents(&content.documents)
        }
        posten::DirectSignatureJobManifestDirectManifestContentType::Document(d) => {
            document(&d.href, &d.mime, &d.title)?;
            if let Some(desc) = &d.description {
                length("description", desc, 0, 220)?;
            }
            Ok(vec![d.href.clone()])
        }
    }
}

/// Rules of `portal-signature-job-manifest`; returns the document hrefs.
pub(crate) fn portal_manifest(
    manifest: &posten::PortalSignatureJobManifest,
) -> Result<Vec<String>, String> {
    count("signer", manifest.signers.signer.len(), 10)?;
    for signer in &manifest.signers.signer {
        if let Some(order) = signer.order
            && !(0..=9).contains(&order)
        {
            return Err(format!("signer order must be 0 to 9, is {order}"));
        }
        if let posten::PortalSignerPortalSignerIdentityType::PersonalIdentificationNumber(pin) =
            &signer.portal_signer_identity
        {
            digits("personal-identification-number", pin, 11)?;
        }
        match (
            &signer.portal_signer_identity,
            &signer.portal_signer_notification,
        ) {
            (_, posten::PortalSignerPortalSignerNotificationType::Notifications(n)) => contact(n)?,
            (
                posten::PortalSignerPortalSignerIdentityType::IdentifiedByContactInformation(_),
                posten::PortalSignerPortalSignerNotificationType::NotificationsUsingLookup(_),
            ) => {
                return Err(
                    "a signer identified by contact information needs explicit notifications"
                        .into(),
                );
            }
            _ => {}
        }
    }
    sender(&manifest.sender)?;
    if let Some(availability) = &manifest.availability
        && let Some(seconds) = availability.available_seconds
        && !(0..=7_776_000).contains(&seconds)
    {
        return Err(format!(
            "available-seconds must be 0 to 7776000 (90 days), is {seconds}"
        ));
    }
    match &manifest.portal_manifest_content {
        posten::PortalSignatureJobManifestPortalManifestContentType::PortalJobTextsAndDocuments(
            content,
        ) => {
            let nonsensitive = content.nonsensitive_title.as_deref();
            texts(&content.title, nonsensitive, content.description.as_deref())?;
            documents(&content.documents)
        }
        posten::PortalSignatureJobManifestPortalManifestContentType::Document(d) => {
            document(&d.href, &d.mime, &d.title)?;
            Ok(vec![d.href.clone()])
        }
    }
}

/// Rules of a manifest's `documents` (both flows): 1 to 20 of them, each [`document`].
/// Returns their hrefs.
fn documents(documents: &posten::JobDocumentsType) -> Result<Vec<String>, String> {
    count("document", documents.document.len(), 20)?;
    for d in &documents.document {
        document(&d.href, &d.mime, &d.title)?;
    }
    Ok(documents.document.iter().map(|d| d.href.clone()).collect())
}

fn contact(n: &posten::ContactNotificationsType) -> Result<(), String> {
    match n {
        posten::ContactNotificationsType::EmailWithOptionalSms(e) => {
            if !e.email.address.contains('@') {
                return Err("notification e-mail address is not an address".into());
            }
            if let Some(sms) = &e.sms {
                length("notification sms number", &sms.number, 1, 20)?;
            }
        }
        posten::ContactNotificationsType::Sms(sms) => {
            length("notification sms number", &sms.number, 1, 20)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PORTAL_REQUEST: &str = r#"<portal-signature-job-request xmlns="http://signering.posten.no/schema/v1"><reference>ref</reference></portal-signature-job-request>"#;

    #[test]
    fn strict_parse_accepts_known_content_and_refuses_unknown() {
        let ok: posten::PortalSignatureJobRequest =
            parse_strict(PORTAL_REQUEST.as_bytes(), "request").unwrap();
        assert_eq!(ok.reference.as_deref(), Some("ref"));
        let unknown = PORTAL_REQUEST.replace("</reference>", "</reference><extra>x</extra>");
        assert!(
            parse_strict::<posten::PortalSignatureJobRequest>(unknown.as_bytes(), "request")
                .is_err()
        );
        let attribute = PORTAL_REQUEST.replace("<reference>", "<reference foo=\"1\">");
        assert!(
            parse_strict::<posten::PortalSignatureJobRequest>(attribute.as_bytes(), "request")
                .is_err()
        );
    }

    #[test]
    fn reference_longer_than_fifty_is_refused() {
        let request = posten::PortalSignatureJobRequest {
            reference: Some("x".repeat(51)),
            polling_queue: None,
        };
        assert!(portal_request(&request).is_err());
    }
}
