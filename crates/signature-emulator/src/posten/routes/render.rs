//! Job state as the service's response documents.

use signature_model::custom::DateTime;
use signature_model::posten;

use crate::posten::state::AppState;
use crate::posten::store::{JobRecord, SignerIdentity, SignerRecord, job_status};
use crate::posten::wire::datetime;

fn since(signer: &SignerRecord) -> DateTime {
    DateTime::from(datetime(signer.since_ms))
}

/// The value of a direct signer's `signer` attribute: PIN or custom identifier.
fn direct_signer_name(identity: &SignerIdentity) -> String {
    match identity {
        SignerIdentity::Pin(v) | SignerIdentity::Custom(v) => v.clone(),
        SignerIdentity::Contact { email, mobile } => {
            email.clone().or_else(|| mobile.clone()).unwrap_or_default()
        }
    }
}

pub(crate) fn direct_identity(
    identity: &SignerIdentity,
) -> posten::DirectSignerStateDirectSignerIdentityType {
    match identity {
        SignerIdentity::Pin(v) => {
            posten::DirectSignerStateDirectSignerIdentityType::PersonalIdentificationNumber(
                v.clone(),
            )
        }
        other => posten::DirectSignerStateDirectSignerIdentityType::SignerIdentifier(
            direct_signer_name(other),
        ),
    }
}

fn downloads_available(job: &JobRecord) -> bool {
    !job.documents_deleted
}

fn pades_url(state: &AppState, job: &JobRecord) -> Option<String> {
    (job.status == job_status::COMPLETED && downloads_available(job))
        .then(|| format!("{}/pades", state.job_url(&job.sender, job.flow, job.id)))
}

/// Only a job completed successfully may have its documents deleted (signering-docs,
/// "Storage"), so only its answers carry the URL.
fn delete_url(state: &AppState, job: &JobRecord) -> Option<String> {
    (job.status == job_status::COMPLETED && !job.documents_deleted)
        .then(|| format!("{}/documents", state.job_url(&job.sender, job.flow, job.id)))
}

fn xades_url(state: &AppState, job: &JobRecord, signer: &SignerRecord) -> Option<String> {
    (signer.has_xades && downloads_available(job)).then(|| {
        format!(
            "{}/xades/{}",
            state.job_url(&job.sender, job.flow, job.id),
            signer.index
        )
    })
}

/// The job's status as the wire has it; a stored value the model does not know (the
/// emulator stores only the model's) would read as in progress.
fn wire_status(job: &JobRecord) -> signature_model::custom::JobStatus {
    job.status
        .parse()
        .unwrap_or(signature_model::custom::JobStatus::InProgress)
}

/// `direct-signature-job-status-response`.
pub(crate) fn direct_status(
    state: &AppState,
    job: &JobRecord,
) -> posten::DirectSignatureJobStatusResponse {
    let url = state.job_url(&job.sender, job.flow, job.id);
    posten::DirectSignatureJobStatusResponse {
        reference: job.reference.clone(),
        signature_job_id: job.id,
        signature_job_status: wire_status(job),
        status: job
            .signers
            .iter()
            .map(|s| posten::DirectSignerStatusType {
                signer: Some(direct_signer_name(&s.identity)),
                since: Some(since(s)),
                content: s
                    .status
                    .parse()
                    .unwrap_or(signature_model::custom::SignerStatus::Waiting),
            })
            .collect(),
        confirmation_url: Some(format!("{url}/complete")),
        delete_documents_url: delete_url(state, job),
        xades_url: job
            .signers
            .iter()
            .filter_map(|s| {
                xades_url(state, job, s).map(|content| posten::SignerUrlType {
                    signer: Some(direct_signer_name(&s.identity)),
                    content,
                })
            })
            .collect(),
        pades_url: pades_url(state, job),
    }
}

fn portal_signer(identity: &SignerIdentity) -> posten::PortalSignaturePortalSignatureSignerType {
    use posten::PortalSignaturePortalSignatureSignerType as Signer;
    match identity {
        SignerIdentity::Pin(v) => Signer::PersonalIdentificationNumber(v.clone()),
        SignerIdentity::Contact {
            email: Some(address),
            mobile,
        } => Signer::Identifier(posten::ContactNotificationsType::EmailWithOptionalSms(
            posten::ContactNotificationsEmailWithOptionalSmsType {
                email: posten::EmailAddressType {
                    address: address.clone(),
                },
                sms: mobile
                    .clone()
                    .map(|number| posten::MobileNumberType { number }),
            },
        )),
        SignerIdentity::Contact {
            email: None,
            mobile,
        } => Signer::Identifier(posten::ContactNotificationsType::Sms(
            posten::MobileNumberType {
                number: mobile.clone().unwrap_or_default(),
            },
        )),
        // Portal manifests have no custom identifiers; shown as a contact for completeness.
        SignerIdentity::Custom(v) => Signer::Identifier(posten::ContactNotificationsType::Sms(
            posten::MobileNumberType { number: v.clone() },
        )),
    }
}

/// `portal-signature-job-status-change-response`.
pub(crate) fn portal_status(
    state: &AppState,
    job: &JobRecord,
) -> posten::PortalSignatureJobStatusChangeResponse {
    let url = state.job_url(&job.sender, job.flow, job.id);
    posten::PortalSignatureJobStatusChangeResponse {
        reference: job.reference.clone(),
        signature_job_id: job.id,
        status: wire_status(job),
        confirmation_url: format!("{url}/complete"),
        cancellation_url: (!job.is_finished()).then(|| format!("{url}/cancel")),
        delete_documents_url: delete_url(state, job),
        signatures: posten::PortalSignaturesType {
            signature: job
                .signers
                .iter()
                .map(|s| posten::PortalSignatureType {
                    status: posten::PortalSignerStatusType {
                        since: Some(since(s)),
                        content: s
                            .status
                            .parse()
                            .unwrap_or(signature_model::custom::SignerStatus::Waiting),
                    },
                    portal_signature_signer: portal_signer(&s.identity),
                    xades_url: xades_url(state, job, s),
                })
                .collect(),
            pades_url: pades_url(state, job),
        },
    }
}

/// `direct-signer-response` / the `signer` element of the create response.
pub(crate) fn direct_signer(
    state: &AppState,
    job: &JobRecord,
    signer: &SignerRecord,
) -> posten::DirectSignerStateType {
    posten::DirectSignerStateType {
        href: format!(
            "{}/signers/{}",
            state.job_url(&job.sender, job.flow, job.id),
            signer.index
        ),
        direct_signer_identity: direct_identity(&signer.identity),
        redirect_url: signer
            .redirect_token
            .as_deref()
            .map(|t| state.redirect_url(t))
            .unwrap_or_default(),
    }
}

/// `direct-signature-job-response`.
pub(crate) fn direct_created(
    state: &AppState,
    job: &JobRecord,
) -> posten::DirectSignatureJobResponse {
    let url = state.job_url(&job.sender, job.flow, job.id);
    let signers: Vec<posten::DirectSignerStateType> = job
        .signers
        .iter()
        .map(|s| direct_signer(state, job, s))
        .collect();
    posten::DirectSignatureJobResponse {
        reference: job.reference.clone(),
        signature_job_id: job.id,
        redirect_url: job
            .signers
            .iter()
            .zip(&signers)
            .map(|(s, state)| posten::SignerUrlType {
                signer: Some(direct_signer_name(&s.identity)),
                content: state.redirect_url.clone(),
            })
            .collect(),
        status_url: (!job.polling).then(|| format!("{url}/status")),
        signer: signers,
    }
}

/// `portal-signature-job-response`.
pub(crate) fn portal_created(
    state: &AppState,
    job: &JobRecord,
) -> posten::PortalSignatureJobResponse {
    posten::PortalSignatureJobResponse {
        reference: job.reference.clone(),
        signature_job_id: job.id,
        cancellation_url: format!("{}/cancel", state.job_url(&job.sender, job.flow, job.id)),
    }
}
