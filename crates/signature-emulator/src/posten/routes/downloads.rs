//! XAdES per signer, PAdES per job, and the archive's PAdES.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::{FlowJob, parse_signer};
use crate::posten::pades;
use crate::posten::state::AppState;
use crate::posten::store::{JobRecord, job_status};
use crate::posten::tls::Broker;
use crate::posten::wire::{ApiError, codes, datetime};

fn documents_deleted() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        codes::DOCUMENTS_DELETED,
        "the documents of this job have been deleted",
    )
}

/// `GET …/signature-jobs/{id}/xades/{signer}`.
pub(crate) async fn xades(
    State(state): State<Arc<AppState>>,
    FlowJob(job): FlowJob,
    Path((_, _, _, signer)): Path<(String, String, String, String)>,
) -> Result<Response, ApiError> {
    if job.documents_deleted {
        return Err(documents_deleted());
    }
    let index = parse_signer(&signer)?;
    let job_id = job.id;
    let xml = state
        .store
        .run(move |s| s.xades(job_id, index))
        .await?
        .ok_or_else(|| ApiError::not_found("this signer has no XAdES (not signed)"))?;
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/xml"),
        )],
        xml,
    )
        .into_response())
}

/// `GET …/signature-jobs/{id}/pades`.
pub(crate) async fn pades(
    State(state): State<Arc<AppState>>,
    FlowJob(job): FlowJob,
) -> Result<Response, ApiError> {
    if job.documents_deleted {
        return Err(documents_deleted());
    }
    if job.status != job_status::COMPLETED {
        return Err(ApiError::not_found(
            "the PAdES exists once the job has completed successfully",
        ));
    }
    pdf_response(&state, job).await
}

/// `GET /api/{owner}/archive/documents/{id}/pades`.
pub(crate) async fn archive(
    State(state): State<Arc<AppState>>,
    broker: Broker,
    Path((owner, archive_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    state.authorize(broker.0.as_deref(), &owner)?;
    let lookup_owner = owner.clone();
    let job_id = state
        .store
        .run(move |s| s.archived_job(&lookup_owner, &archive_id))
        .await?;
    let job = match job_id {
        Some(id) => state.store.run(move |s| s.job(id)).await?,
        None => None,
    };
    let job = job.ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            codes::ARCHIVED_DOCUMENT_NOT_FOUND,
            "no archived document with this id",
        )
    })?;
    pdf_response(&state, job).await
}

async fn pdf_response(state: &Arc<AppState>, job: JobRecord) -> Result<Response, ApiError> {
    let job_id = job.id;
    let xades = state.store.run(move |s| s.all_xades(job_id)).await?;
    let mut lines = vec![
        "Posten signering emulator - signed document".to_owned(),
        format!("Signature job {}: {}", job.id, job.title),
    ];
    for signer in &job.signers {
        lines.push(format!(
            "Signer {}: {} since {}",
            signer.index,
            signer.status,
            datetime(signer.since_ms)
        ));
    }
    let attachments: Vec<(String, Vec<u8>)> = xades
        .into_iter()
        .map(|(index, xml)| (format!("xades-signer-{index}.xml"), xml))
        .collect();
    // Signed at the job's completion on the emulator's clock, so that every download of a
    // job is the same file.
    let signed_at_ms = job.finished_ms.unwrap_or_else(|| state.clock.now_ms());
    let seal = Arc::clone(&state.seal);
    let padding = state.settings.pades_padding;
    // Off the async threads: the digest reads the padding, which may be large.
    let pdf = tokio::task::spawn_blocking(move || {
        pades::build(
            &lines,
            &attachments,
            padding,
            pades::Seal {
                key: &seal,
                signed_at_ms,
            },
        )
    })
    .await
    .map_err(|e| ApiError::internal(format!("PAdES: {e}")))??;
    let length = pdf.len();
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/pdf"),
            ),
            (header::CONTENT_LENGTH, HeaderValue::from(length)),
        ],
        pdf.into_body(),
    )
        .into_response())
}
