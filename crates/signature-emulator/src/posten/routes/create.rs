//! `POST /api/{sender}/{direct|portal}/signature-jobs`: multipart job request + ASiC-E.

use std::collections::HashSet;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use signature_model::posten;

use super::{parse_flow, render};
use crate::posten::multipart;
use crate::posten::state::AppState;
use crate::posten::store::{DEFAULT_LIFETIME_MS, Flow, NewJob, NewSigner, SignerIdentity};
use crate::posten::tls::Broker;
use crate::posten::validate::{self, parse_strict};
use crate::posten::wire::{ApiError, codes, xml_response};

fn multipart_error(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, codes::INVALID_MULTIPART, message)
}

pub(crate) async fn create(
    State(state): State<Arc<AppState>>,
    broker: Broker,
    Path((sender, flow)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let flow = parse_flow(&flow)?;
    state.authorize(broker.0.as_deref(), &sender)?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| multipart_error("missing Content-Type"))?;
    let boundary = multipart::boundary(content_type).map_err(multipart_error)?;

    let checking = Arc::clone(&state);
    let new_job =
        tokio::task::spawn_blocking(move || prepare(&checking, flow, &sender, &body, &boundary))
            .await
            .map_err(|e| ApiError::internal(format!("validation task failed: {e}")))??;

    let now = state.clock.now_ms();
    let job = state
        .store
        .run(move |s| s.create_job(&new_job, now))
        .await?;
    tracing::info!(job = job.id, flow = flow.as_str(), "signature job created");
    Ok(match flow {
        Flow::Direct => xml_response(StatusCode::OK, &render::direct_created(&state, &job)),
        Flow::Portal => xml_response(StatusCode::OK, &render::portal_created(&state, &job)),
    })
}

/// What the request says besides the manifest.
struct RequestFields {
    reference: Option<String>,
    polling_queue: String,
    polling: bool,
    exit_urls: Option<[String; 3]>,
}

/// What the manifest says.
struct ManifestFields {
    sender: String,
    title: String,
    hrefs: Vec<String>,
    signers: Vec<NewSigner>,
    /// The portal's `activation-time` (the direct flow is always activated at once).
    activation_ms: Option<i64>,
    /// The portal's `available-seconds`, else 30 days: the direct flow's fixed lifespan and
    /// the portal's default (signering-docs, "Create signature request", portal-flow
    /// "Availability").
    lifetime_ms: i64,
}

/// Every check of a create call; the job to insert when all pass.
fn prepare(
    state: &AppState,
    flow: Flow,
    sender: &str,
    body: &[u8],
    boundary: &str,
) -> Result<NewJob, ApiError> {
    let parts = multipart::parse(body, boundary).map_err(multipart_error)?;
    let [request_part, bundle_part] = parts.as_slice() else {
        return Err(multipart_error(format!(
            "expected two parts (job request XML, then the ASiC-E bundle), got {}",
            parts.len()
        )));
    };
    match request_part.content_type.as_deref() {
        Some("application/xml" | "text/xml") => {}
        other => {
            return Err(multipart_error(format!(
                "the first part must be application/xml, is {other:?}"
            )));
        }
    }
    match bundle_part.content_type.as_deref() {
        Some("application/octet-stream" | "application/vnd.etsi.asic-e+zip") => {}
        other => {
            return Err(multipart_error(format!(
                "the second part must be application/octet-stream, is {other:?}"
            )));
        }
    }

    let request = read_request(flow, request_part.body).map_err(ApiError::schema)?;

    let mut options = asice::VerifyOptions::default();
    options.trust_roots.push(state.pki.ca_der.clone());
    options
        .trust_roots
        .extend(state.settings.client_cas.iter().cloned());
    let verified = asice::verify(bundle_part.body, &options)
        .map_err(|e| ApiError::asice(format!("document bundle: {e}")))?;
    let inspection = asice::inspect(bundle_part.body, &options.limits)
        .map_err(|e| ApiError::asice(format!("document bundle: {e}")))?;
    let manifest_xml = inspection
        .manifest
        .ok_or_else(|| ApiError::asice("document bundle has no manifest.xml"))?;
    if !verified.files.iter().any(|f| f == "manifest.xml") {
        return Err(ApiError::asice(
            "manifest.xml is not covered by the signature",
        ));
    }
    let manifest = read_manifest(flow, &manifest_xml).map_err(ApiError::schema)?;

    let signed: HashSet<&str> = verified
        .files
        .iter()
        .map(String::as_str)
        .filter(|f| *f != "manifest.xml")
        .collect();
    let named: HashSet<&str> = manifest.hrefs.iter().map(String::as_str).collect();
    if let Some(missing) = named.difference(&signed).next() {
        return Err(ApiError::asice(format!(
            "the manifest names {missing:?}, which is not a signed file of the bundle"
        )));
    }
    if let Some(extra) = signed.difference(&named).next() {
        return Err(ApiError::asice(format!(
            "the bundle holds {extra:?}, which the manifest does not name"
        )));
    }

    if manifest.sender != sender {
        return Err(ApiError::broker(format!(
            "the manifest's sender {} is not the sender {sender} in the URL",
            manifest.sender
        )));
    }

    Ok(NewJob {
        sender: sender.to_owned(),
        flow,
        reference: request.reference,
        polling_queue: request.polling_queue,
        polling: request.polling,
        exit_urls: request.exit_urls,
        title: manifest.title,
        signers: manifest.signers,
        bundle: bundle_part.body.to_vec(),
        activation_ms: manifest.activation_ms,
        lifetime_ms: manifest.lifetime_ms,
    })
}

fn read_request(flow: Flow, xml: &[u8]) -> Result<RequestFields, String> {
    match flow {
        Flow::Direct => {
            let r: posten::DirectSignatureJobRequest = parse_strict(xml, "job request")?;
            validate::direct_request(&r)?;
            let e = r.exit_urls;
            Ok(RequestFields {
                reference: r.reference,
                polling_queue: r.polling_queue.unwrap_or_default(),
                polling: matches!(
                    r.status_retrieval_method,
                    Some(posten::StatusRetrievalType::Polling)
                ),
                exit_urls: Some([e.completion_url, e.rejection_url, e.error_url]),
            })
        }
        Flow::Portal => {
            let r: posten::PortalSignatureJobRequest = parse_strict(xml, "job request")?;
            validate::portal_request(&r)?;
            Ok(RequestFields {
                reference: r.reference,
                polling_queue: r.polling_queue.unwrap_or_default(),
                polling: true,
                exit_urls: None,
            })
        }
    }
}

fn read_manifest(flow: Flow, xml: &[u8]) -> Result<ManifestFields, String> {
    match flow {
        Flow::Direct => {
            let m: posten::DirectSignatureJobManifest = parse_strict(xml, "manifest.xml")?;
            let hrefs = validate::direct_manifest(&m)?;
            let title = match &m.direct_manifest_content {
                posten::DirectSignatureJobManifestDirectManifestContentType::DirectJobTextsAndDocuments(c) => c.title.clone(),
                posten::DirectSignatureJobManifestDirectManifestContentType::Document(d) => d.title.clone(),
            };
            let signers = m
                .signer
                .iter()
                .map(|s| {
                    NewSigner {
                    identity: match &s.direct_signer_identity {
                        posten::DirectSignerDirectSignerIdentityType::PersonalIdentificationNumber(
                            p,
                        ) => SignerIdentity::Pin(p.clone()),
                        posten::DirectSignerDirectSignerIdentityType::SignerIdentifier(c) => {
                            SignerIdentity::Custom(c.clone())
                        }
                    },
                    order: 0,
                    lookup: false,
                }
                })
                .collect();
            Ok(ManifestFields {
                sender: m.sender.organization_number,
                title,
                hrefs,
                signers,
                activation_ms: None,
                lifetime_ms: DEFAULT_LIFETIME_MS,
            })
        }
        Flow::Portal => {
            let m: posten::PortalSignatureJobManifest = parse_strict(xml, "manifest.xml")?;
            let hrefs = validate::portal_manifest(&m)?;
            let title = match &m.portal_manifest_content {
                posten::PortalSignatureJobManifestPortalManifestContentType::PortalJobTextsAndDocuments(c) => c.title.clone(),
                posten::PortalSignatureJobManifestPortalManifestContentType::Document(d) => d.title.clone(),
            };
            let signers = m
                .signers
                .signer
                .iter()
                .map(|s| NewSigner {
                    order: s.order.map_or(0, i64::from),
                    lookup: matches!(
                        s.portal_signer_notification,
                        posten::PortalSignerPortalSignerNotificationType::NotificationsUsingLookup(_)
                    ),
                    identity: match &s.portal_signer_identity {
                    posten::PortalSignerPortalSignerIdentityType::PersonalIdentificationNumber(
                        p,
                    ) => SignerIdentity::Pin(p.clone()),
                    posten::PortalSignerPortalSignerIdentityType::IdentifiedByContactInformation(_) => {
                        let (email, mobile) = match &s.portal_signer_notification {
                            posten::PortalSignerPortalSignerNotificationType::Notifications(
                                posten::ContactNotificationsType::EmailWithOptionalSms(e),
                            ) => (
                                Some(e.email.address.clone()),
                                e.sms.as_ref().map(|s| s.number.clone()),
                            ),
                            posten::PortalSignerPortalSignerNotificationType::Notifications(
                                posten::ContactNotificationsType::Sms(s),
                            ) => (None, Some(s.number.clone())),
                            posten::PortalSignerPortalSignerNotificationType::NotificationsUsingLookup(_) => (None, None),
                        };
                        SignerIdentity::Contact { email, mobile }
                    }
                    },
                })
                .collect();
            let availability = m.availability.as_ref();
            Ok(ManifestFields {
                sender: m.sender.organization_number,
                title,
                hrefs,
                signers,
                activation_ms: availability
                    .and_then(|a| a.activation_time)
                    .map(|t| to_ms(t.to_offset_date_time())),
                lifetime_ms: availability
                    .and_then(|a| a.available_seconds)
                    .map_or(DEFAULT_LIFETIME_MS, |s| s.saturating_mul(1000)),
            })
        }
    }
}

fn to_ms(time: time::OffsetDateTime) -> i64 {
    i64::try_from(time.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX / 4)
}
