//! Wire responses → provider-neutral core types.
//!
//! The service's URLs arrive padded with whitespace in some responses; the core handle
//! types trim them. Identifiers the core cannot validate (a malformed identity number, say)
//! become `None` rather than failing the whole response: the status is what matters.

use signature_core::{
    ArtifactRef, CancellationHandle, ConfirmationHandle, ContactInformation, CreatedSigner,
    CustomIdentifier, DeleteDocumentsHandle, EmailAddress, JobId, JobRef, JobStatus, MobileNumber,
    PersonalIdentificationNumber, RedirectUrl, SignerIdentifier, SignerState, SignerStatus,
    SignerUrl, StatusChange, StatusUrl,
};
use signature_model::posten;
use time::OffsetDateTime;

/// `direct-signature-job-response` → [`JobRef`] with the signers' URLs.
///
/// Answers of 2018 (before the XSD gained `signer`, 2019) name each signer only in the
/// top-level `redirect-url`'s `signer` attribute; their redirect URLs are kept from there.
pub(crate) fn direct_job_ref(response: posten::DirectSignatureJobResponse) -> JobRef {
    let mut job = JobRef::new(JobId::from(response.signature_job_id));
    job.reference = response.reference;
    job.status_url = response.status_url.map(StatusUrl::new);
    job.signers = if response.signer.is_empty() {
        response
            .redirect_url
            .into_iter()
            .map(|url| {
                let mut created =
                    CreatedSigner::new(url.signer.as_deref().and_then(direct_signer_identifier));
                created.redirect_url = Some(RedirectUrl::new(url.content));
                created
            })
            .collect()
    } else {
        response.signer.into_iter().map(created_signer).collect()
    };
    job
}

/// One `signer` of a direct create response or a `direct-signer-response`.
pub(crate) fn created_signer(signer: posten::DirectSignerStateType) -> CreatedSigner {
    let identifier = match signer.direct_signer_identity {
        posten::DirectSignerStateDirectSignerIdentityType::PersonalIdentificationNumber(pin) => {
            pin_identifier(&pin)
        }
        posten::DirectSignerStateDirectSignerIdentityType::SignerIdentifier(id) => {
            custom_identifier(&id)
        }
    };
    let mut created = CreatedSigner::new(identifier);
    created.signer_url = Some(SignerUrl::new(signer.href));
    created.redirect_url = Some(RedirectUrl::new(signer.redirect_url));
    created
}

/// `portal-signature-job-response` → [`JobRef`] with the cancellation handle.
pub(crate) fn portal_job_ref(response: posten::PortalSignatureJobResponse) -> JobRef {
    let mut job = JobRef::new(JobId::from(response.signature_job_id));
    job.reference = response.reference;
    job.cancellation = Some(CancellationHandle::new(response.cancellation_url));
    job
}

/// `direct-signature-job-status-response` → [`StatusChange`]. XAdES URLs are matched to
/// signers by the `signer` attribute; with one signer and one unnamed URL they belong
/// together (the spec's single-signer example omits the attribute).
pub(crate) fn direct_status(
    response: posten::DirectSignatureJobStatusResponse,
    next_permitted_poll_time: Option<OffsetDateTime>,
) -> StatusChange {
    let single = response.status.len() == 1;
    let mut xades = response.xades_url;
    let signers = response
        .status
        .into_iter()
        .map(|status| {
            let identifier = status.signer.as_deref().and_then(direct_signer_identifier);
            let at = xades.iter().position(|x| {
                x.signer.as_deref().map(str::trim) == status.signer.as_deref().map(str::trim)
                    || (single && x.signer.is_none())
            });
            let xades_url = at.map(|i| xades.remove(i).content);
            signer_state(identifier, &status.content, status.since, xades_url)
        })
        .collect();
    let mut change = status_change(
        response.signature_job_id,
        &response.signature_job_status,
        signers,
        response.pades_url,
        next_permitted_poll_time,
    );
    change.reference = response.reference;
    change.confirmation = response.confirmation_url.map(ConfirmationHandle::new);
    change.delete_documents = response
        .delete_documents_url
        .map(DeleteDocumentsHandle::new);
    change
}

/// `portal-signature-job-status-change-response` → [`StatusChange`].
pub(crate) fn portal_status(
    response: posten::PortalSignatureJobStatusChangeResponse,
    next_permitted_poll_time: Option<OffsetDateTime>,
) -> StatusChange {
    let signers = response
        .signatures
        .signature
        .into_iter()
        .map(|signature| {
            let identifier = match signature.portal_signature_signer {
                posten::PortalSignaturePortalSignatureSignerType::PersonalIdentificationNumber(
                    pin,
                ) => pin_identifier(&pin),
                posten::PortalSignaturePortalSignatureSignerType::Identifier(contact) => {
                    Some(contact_identifier(contact))
                }
            };
            signer_state(
                identifier,
                &signature.status.content,
                signature.status.since,
                signature.xades_url,
            )
        })
        .collect();
    let mut change = status_change(
        response.signature_job_id,
        &response.status,
        signers,
        response.signatures.pades_url,
        next_permitted_poll_time,
    );
    change.reference = response.reference;
    change.confirmation = Some(ConfirmationHandle::new(response.confirmation_url));
    change.cancellation = response.cancellation_url.map(CancellationHandle::new);
    change.delete_documents = response
        .delete_documents_url
        .map(DeleteDocumentsHandle::new);
    change
}

/// One signer of either status response. Answers from before 2017 have no `since`.
fn signer_state(
    identifier: Option<SignerIdentifier>,
    status: &signature_model::custom::SignerStatus,
    since: Option<signature_model::custom::DateTime>,
    xades_url: Option<String>,
) -> SignerState {
    let mut state = SignerState::new(identifier.clone(), SignerStatus::parse(status.as_str()));
    state.since = since.map(|since| since.to_offset_date_time());
    state.xades = xades_url.map(|url| ArtifactRef::xades(identifier, url));
    state
}

/// What the direct and the portal status responses share: the job, its status, its signers
/// and its PAdES document.
fn status_change(
    job_id: i64,
    status: &signature_model::custom::JobStatus,
    signers: Vec<SignerState>,
    pades_url: Option<String>,
    next_permitted_poll_time: Option<OffsetDateTime>,
) -> StatusChange {
    let mut change = StatusChange::new(JobId::from(job_id), JobStatus::parse(status.as_str()));
    change.signers = signers;
    change
        .job_artifacts
        .extend(pades_url.map(ArtifactRef::pades));
    change.next_permitted_poll_time = next_permitted_poll_time;
    change
}

fn pin_identifier(pin: &str) -> Option<SignerIdentifier> {
    PersonalIdentificationNumber::parse(pin.trim())
        .ok()
        .map(SignerIdentifier::PersonalIdentificationNumber)
}

fn custom_identifier(id: &str) -> Option<SignerIdentifier> {
    CustomIdentifier::parse(id.trim())
        .ok()
        .map(SignerIdentifier::CustomIdentifier)
}

/// The direct status response names signers by identity number or custom identifier in the
/// same attribute; a valid identity number is taken as one.
fn direct_signer_identifier(value: &str) -> Option<SignerIdentifier> {
    pin_identifier(value).or_else(|| custom_identifier(value))
}

fn contact_identifier(contact: posten::ContactNotificationsType) -> SignerIdentifier {
    let (email, mobile) = match contact {
        posten::ContactNotificationsType::EmailWithOptionalSms(both) => (
            EmailAddress::parse(both.email.address.trim()).ok(),
            both.sms
                .and_then(|sms| MobileNumber::parse(sms.number.trim()).ok()),
        ),
        posten::ContactNotificationsType::Sms(sms) => {
            (None, MobileNumber::parse(sms.number.trim()).ok())
        }
    };
    SignerIdentifier::ContactInformation(ContactInformation { email, mobile })
}

#[cfg(test)]
#[path = "convert_tests.rs"]
mod tests;
