//! The HTTP client against a scripted mutual-TLS server: request shapes, answer parsing,
//! error mapping, the server-certificate organization check. Retries, streaming, concurrency and
//! the client-side rate limit are in `transport.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use std::sync::Arc;

use posten_adapter::{Error, ErrorCode, ErrorType};
use signature_core::{
    ArtifactRef, CancellationHandle, ConfirmationHandle, DeleteDocumentsHandle, Document, FlowKind,
    JobStatus, OrganizationNumber, PollResult, PollingQueue, SignatureService, Signer,
    SignerStatus, SignerUrl, SigningJob, StatusQueryToken, StatusQueue, StatusUrl,
};
use signature_model::{from_xml, posten};
use support::{POSTEN, Scripted, ServerOrg, TestServer, portal_job, sequence};
use time::OffsetDateTime;

fn error_xml(code: &str, message: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><error xmlns="http://signering.posten.no/schema/v1"><error-code>{code}</error-code><error-message>{message}</error-message><error-type>CLIENT</error-type></error>"#
    )
}

fn portal_change_xml(origin: &str, id: u32) -> String {
    format!(
        r#"<portal-signature-job-status-change-response xmlns="http://signering.posten.no/schema/v1">
  <reference>ref-{id}</reference>
  <signature-job-id>{id}</signature-job-id>
  <status>COMPLETED_SUCCESSFULLY</status>
  <confirmation-url>
     {origin}/api/123456785/portal/signature-jobs/{id}/complete
  </confirmation-url>
  <delete-documents-url>{origin}/api/123456785/portal/signature-jobs/{id}/documents</delete-documents-url>
  <signatures>
    <signature>
      <status since="2026-01-23T12:51:43+01:00">SIGNED</status>
      <personal-identification-number>01017010170</personal-identification-number>
      <xades-url>{origin}/api/123456785/portal/signature-jobs/{id}/xades/1</xades-url>
    </signature>
    <signature>
      <status since="2026-01-23T12:00:00+01:00">SOME_FUTURE_STATUS</status>
      <identifier><email address="someone@example.com"/></identifier>
    </signature>
    <pades-url>{origin}/api/123456785/portal/signature-jobs/{id}/pades</pades-url>
  </signatures>
  <added-in-a-later-version>ignored</added-in-a-later-version>
</portal-signature-job-status-change-response>"#
    )
}

/// Splits a `multipart/mixed` body into (headers, content) per part.
fn parts(content_type: &str, body: &[u8]) -> Vec<(String, Vec<u8>)> {
    let boundary = content_type
        .split("boundary=")
        .nth(1)
        .expect("boundary parameter")
        .trim_matches('"');
    let delimiter = format!("--{boundary}");
    let text = body.to_vec();
    let mut result = Vec::new();
    let mut positions = Vec::new();
    let d = delimiter.as_bytes();
    let mut i = 0;
    while i + d.len() <= text.len() {
        if &text[i..i + d.len()] == d {
            positions.push(i);
            i += d.len();
        } else {
            i += 1;
        }
    }
    for pair in positions.windows(2) {
        let part = &text[pair[0] + d.len()..pair[1]];
        let part = part.strip_prefix(b"\r\n").unwrap();
        let part = part.strip_suffix(b"\r\n").unwrap();
        let split = part.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        result.push((
            String::from_utf8(part[..split].to_vec()).unwrap(),
            part[split + 4..].to_vec(),
        ));
    }
    let last = *positions.last().unwrap();
    assert_eq!(&text[last + d.len()..], b"--\r\n", "closing delimiter");
    result
}

#[tokio::test]
async fn create_portal_job_sends_multipart_mixed_and_maps_the_answer() {
    let server = TestServer::start(ServerOrg::SerialNumber(POSTEN), |request| {
        assert_eq!(request.uri, "/api/123456785/portal/signature-jobs");
        Scripted::xml(
            200,
            r#"<portal-signature-job-response xmlns="http://signering.posten.no/schema/v1">
                 <reference>ref-1</reference><signature-job-id>42</signature-job-id>
                 <cancellation-url> https://x.invalid/api/123456785/portal/signature-jobs/42/cancel </cancellation-url>
               </portal-signature-job-response>"#,
        )
    })
    .await;
    let client = server
        .client_builder()
        .user_agent_suffix("tests")
        .build()
        .unwrap();

    let created = client.create_job(&portal_job()).await.unwrap();

    assert_eq!(created.id.as_str(), "42");
    assert_eq!(created.reference.as_deref(), Some("ref-1"));
    assert_eq!(
        created.cancellation.unwrap().as_str(),
        "https://x.invalid/api/123456785/portal/signature-jobs/42/cancel"
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method, "POST");
    let user_agent = request.headers["user-agent"].to_str().unwrap();
    assert_eq!(
        user_agent,
        format!("signering-rs/{} (tests)", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(request.headers["accept"], "application/xml");
    let content_type = request.headers["content-type"].to_str().unwrap();
    assert!(
        content_type.starts_with("multipart/mixed; boundary="),
        "{content_type}"
    );
    let parts = parts(content_type, &request.body);
    assert_eq!(parts.len(), 2);
    assert_eq!(parts[0].0, "Content-Type: application/xml");
    let job_request: posten::PortalSignatureJobRequest = from_xml(&parts[0].1).unwrap();
    assert_eq!(job_request.reference.as_deref(), Some("ref-1"));
    assert_eq!(parts[1].0, "Content-Type: application/octet-stream");
    let inspection = asice::inspect(&parts[1].1, &asice::Limits::default()).unwrap();
    let names: Vec<&str> = inspection.entries.iter().map(|e| e.name.as_str()).collect();
    assert!(names.contains(&"manifest.xml"), "{names:?}");
    assert!(names.contains(&"META-INF/signatures.xml"), "{names:?}");
}

#[tokio::test]
async fn default_polling_queue_goes_into_the_job_request_and_the_poll() {
    let server = TestServer::start(ServerOrg::SerialNumber(POSTEN), |request| {
        if request.method == "POST" {
            Scripted::xml(
                200,
                r#"<portal-signature-job-response xmlns="http://signering.posten.no/schema/v1"><signature-job-id>1</signature-job-id><cancellation-url>https://x.invalid/c</cancellation-url></portal-signature-job-response>"#,
            )
        } else {
            Scripted::new(204)
        }
    })
    .await;
    let client = server
        .client_builder()
        .default_polling_queue(PollingQueue::new("kø 1").unwrap())
        .build()
        .unwrap();
    client.create_job(&portal_job()).await.unwrap();
    client
        .poll(&StatusQueue::new(FlowKind::Portal))
        .await
        .unwrap();
    let requests = server.requests();
    let content_type = requests[0].headers["content-type"].to_str().unwrap();
    let parts = parts(content_type, &requests[0].body);
    let job_request: posten::PortalSignatureJobRequest = from_xml(&parts[0].1).unwrap();
    assert_eq!(job_request.polling_queue.as_deref(), Some("kø 1"));
    assert_eq!(
        requests[1].uri,
        "/api/123456785/portal/signature-jobs?polling_queue=k%C3%B8+1"
    );
}

#[tokio::test]
async fn create_direct_job_maps_signers() {
    let server = TestServer::start(ServerOrg::OrganizationIdentifier(POSTEN), |request| {
        assert_eq!(request.uri, "/api/123456785/direct/signature-jobs");
        Scripted::xml(
            200,
            r#"<direct-signature-job-response xmlns="http://signering.posten.no/schema/v1">
                 <signature-job-id>7</signature-job-id>
                 <redirect-url signer="01017010170">https://x.invalid/deprecated</redirect-url>
                 <status-url>https://x.invalid/api/123456785/direct/signature-jobs/7/status</status-url>
                 <signer href="https://x.invalid/api/123456785/direct/signature-jobs/7/signers/1">
                   <personal-identification-number>01017010170</personal-identification-number>
                   <redirect-url>
                     https://x.invalid/redirect/1
                   </redirect-url>
                 </signer>
               </direct-signature-job-response>"#,
        )
    })
    .await;
    let job = SigningJob::builder("Avtale")
        .document(Document::pdf("Avtale", "avtale.pdf", b"%PDF".to_vec()))
        .signer(Signer::with_personal_identification_number("01017010170"))
        .flow(signature_core::Flow::Direct(
            signature_core::DirectFlow::new(signature_core::ExitUrls::single(
                "https://sender.example/done",
            )),
        ))
        .build()
        .unwrap();
    let created = server.client().create_job(&job).await.unwrap();
    assert_eq!(created.id.as_str(), "7");
    assert_eq!(
        created.status_url.unwrap().as_str(),
        "https://x.invalid/api/123456785/direct/signature-jobs/7/status"
    );
    let signer = &created.signers[0];
    assert_eq!(
        signer.redirect_url.as_ref().unwrap().as_str(),
        "https://x.invalid/redirect/1"
    );
    assert!(matches!(
        signer.identifier,
        Some(signature_core::SignerIdentifier::PersonalIdentificationNumber(_))
    ));
    assert!(
        signer
            .signer_url
            .as_ref()
            .unwrap()
            .as_str()
            .ends_with("/signers/1")
    );
}

#[tokio::test]
async fn server_certificate_of_another_organization_is_refused_before_any_request() {
    let server = TestServer::start(ServerOrg::SerialNumber("123456785"), |_| {
        Scripted::xml(200, "<never/>")
    })
    .await;
    let client = server.client();

    let error = client
        .poll(&StatusQueue::new(FlowKind::Portal))
        .await
        .unwrap_err();

    match &error {
        Error::ServerCertificateRejected {
            expected,
            found_org,
        } => {
            assert_eq!(expected, POSTEN);
            assert_eq!(found_org.as_deref(), Some("123456785"));
        }
        other => panic!("expected ServerCertificateRejected, got {other:?}"),
    }
    // GETs are retried on connection errors, but a rejected certificate is not one.
    assert_eq!(
        server.requests().len(),
        0,
        "no request may reach the handler"
    );

    // The same server is accepted when the client is told to expect its organization.
    let client = server
        .client_builder()
        .server_organization_number(OrganizationNumber::parse("123456785").unwrap())
        .build()
        .unwrap();
    let _ = client.poll(&StatusQueue::new(FlowKind::Portal)).await;
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn server_certificate_from_an_untrusted_ca_is_refused() {
    let server = TestServer::start(ServerOrg::SerialNumber(POSTEN), |_| Scripted::new(204)).await;
    let other = TestServer::start(ServerOrg::SerialNumber(POSTEN), |_| Scripted::new(204)).await;
    // Trust the other server's CA only.
    let key = support::pem_key(&server.client_pki);
    let client = posten_adapter::Client::builder(
        posten_adapter::Environment::custom(&server.base).unwrap(),
        key,
    )
    .trust_roots_pem(other.server_ca_pem.as_bytes())
    .default_sender(OrganizationNumber::parse("123456785").unwrap())
    .build()
    .unwrap();
    let error = client
        .poll(&StatusQueue::new(FlowKind::Portal))
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::ServerCertificateUntrusted { .. }),
        "{error:?}"
    );
    assert_eq!(server.requests().len(), 0);
}

#[tokio::test]
async fn organization_identifier_with_ntrno_prefix_is_accepted() {
    let server = TestServer::start(ServerOrg::OrganizationIdentifier(POSTEN), |_| {
        Scripted::new(204)
    })
    .await;
    let result = server
        .client()
        .poll(&StatusQueue::new(FlowKind::Direct))
        .await
        .unwrap();
    assert_eq!(
        result,
        PollResult::NoChanges {
            next_permitted_poll_time: None
        }
    );
    assert_eq!(
        server.requests()[0].uri,
        "/api/123456785/direct/signature-jobs"
    );
}

#[tokio::test]
async fn poll_parses_a_change_with_the_poll_time_header() {
    let origin = Arc::new(std::sync::OnceLock::<String>::new());
    let origin_in_script = origin.clone();
    let server = TestServer::start(ServerOrg::SerialNumber(POSTEN), move |_| {
        Scripted::xml(200, portal_change_xml(origin_in_script.get().unwrap(), 5)).header(
            "X-Next-permitted-poll-time",
            "2026-01-23T13:00:00.250+01:00",
        )
    })
    .await;
    origin.set(server.origin()).unwrap();

    let queue = StatusQueue::new(FlowKind::Portal)
        .sender(OrganizationNumber::parse("984661185").unwrap())
        .queue(PollingQueue::new("a&b").unwrap());
    let PollResult::Change(change) = server.client().poll(&queue).await.unwrap() else {
        panic!("expected a change")
    };
    assert_eq!(
        server.requests()[0].uri,
        "/api/984661185/portal/signature-jobs?polling_queue=a%26b"
    );
    assert_eq!(change.job_id.as_str(), "5");
    assert_eq!(change.reference.as_deref(), Some("ref-5"));
    assert_eq!(change.status, JobStatus::CompletedSuccessfully);
    assert_eq!(
        change.next_permitted_poll_time.unwrap(),
        time::macros::datetime!(2026-01-23 12:00:00.250 UTC)
    );
    assert_eq!(
        change.confirmation.as_ref().unwrap().as_str(),
        format!(
            "{}/api/123456785/portal/signature-jobs/5/complete",
            server.origin()
        )
    );
    assert!(change.delete_documents.is_some());
    assert_eq!(change.signers.len(), 2);
    assert_eq!(change.signers[0].status, SignerStatus::Signed);
    assert_eq!(
        change.signers[0].since.unwrap(),
        time::macros::datetime!(2026-01-23 12:51:43 +01:00)
    );
    assert!(change.signers[0].xades.is_some());
    assert_eq!(
        change.signers[1].status,
        SignerStatus::Unknown("SOME_FUTURE_STATUS".into())
    );
    assert!(matches!(
        change.signers[1].signer,
        Some(signature_core::SignerIdentifier::ContactInformation(_))
    ));
    assert!(change.pades().is_some());
    assert!(!format!("{change:?}").contains("01017010170"));
}

#[tokio::test]
async fn poll_204_and_429_honour_the_poll_time_header() {
    let server = TestServer::start(
        ServerOrg::SerialNumber(POSTEN),
        sequence(
            vec![
                Scripted::new(204)
                    .header("X-Next-permitted-poll-time", "2030-05-01T10:00:00+02:00"),
                Scripted::new(429)
                    .header("X-Next-permitted-poll-time", "2030-05-01T10:00:05+02:00"),
                Scripted::new(429),
                Scripted::new(429).header("DoSFilter", "unavailable"),
            ],
            || Scripted::new(204),
        ),
    )
    .await;
    let client = server.client();
    let queue = StatusQueue::new(FlowKind::Portal);

    assert_eq!(
        client.poll(&queue).await.unwrap(),
        PollResult::NoChanges {
            next_permitted_poll_time: Some(time::macros::datetime!(2030-05-01 08:00 UTC))
        }
    );
    match client.poll(&queue).await.unwrap_err() {
        Error::TooEagerPolling { retry_at } => {
            assert_eq!(
                retry_at,
                Some(time::macros::datetime!(2030-05-01 08:00:05 UTC))
            );
        }
        other => panic!("{other:?}"),
    }
    for _ in 0..2 {
        let before = OffsetDateTime::now_utc();
        match client.poll(&queue).await.unwrap_err() {
            Error::RateLimitBlocked { retry_at } => {
                let wait = retry_at - before;
                assert!(wait >= time::Duration::seconds(30) && wait < time::Duration::seconds(35));
            }
            other => panic!("{other:?}"),
        }
    }
    // 429 is an answer, not a failure to retry.
    assert_eq!(server.requests().len(), 4);

    // Through the neutral trait, a 429 is still TooEagerPolling with the time.
    let core_error = SignatureService::next_status_change(&client, &queue)
        .await
        .map(|_| ());
    assert!(core_error.is_ok(), "fallback answers 204");
}

#[tokio::test]
async fn documented_error_codes_become_typed_errors() {
    fn service(e: &Error, status: u16, expected: &ErrorCode) -> bool {
        matches!(e, Error::Service { http_status, code, message, error_type: ErrorType::Client }
            if *http_status == status && code == expected && message == "nope")
    }
    let cases = [
        (403, "NOT_AUTHORIZED", ErrorCode::NotAuthorized),
        (403, "BROKER_NOT_AUTHORIZED", ErrorCode::BrokerNotAuthorized),
        (403, "FEATURE_NOT_AVAILABLE", ErrorCode::FeatureNotAvailable),
        (
            403,
            "INVALID_STATUS_QUERY_TOKEN",
            ErrorCode::InvalidStatusQueryToken,
        ),
        (
            404,
            "SIGNING_CEREMONY_NOT_COMPLETED",
            ErrorCode::SigningCeremonyNotCompleted,
        ),
        (
            400,
            "SCHEMA_VALIDATION_ERROR",
            ErrorCode::SchemaValidationError,
        ),
        (
            400,
            "ASICE_VALIDATION_FAILED",
            ErrorCode::AsiceValidationFailed,
        ),
        (
            404,
            "ARCHIVED_DOCUMENT_NOT_FOUND",
            ErrorCode::ArchivedDocumentNotFound,
        ),
        (
            400,
            "SOMETHING_NEW",
            ErrorCode::Unknown("SOMETHING_NEW".into()),
        ),
    ];
    for (status, code, expected) in cases {
        let xml = error_xml(code, "nope");
        let server = TestServer::start(ServerOrg::SerialNumber(POSTEN), move |_| {
            Scripted::xml(status, xml.clone())
        })
        .await;
        let error = server
            .client()
            .direct_status(
                &StatusUrl::new(format!("{}/api/s/1/status", server.origin())),
                &StatusQueryToken::new("t"),
            )
            .await
            .unwrap_err();
        assert!(service(&error, status, &expected), "{code}: got {error:?}");
    }
}

#[tokio::test]
async fn non_xml_error_keeps_content_type_and_a_masked_bounded_excerpt() {
    let server = TestServer::start(ServerOrg::SerialNumber(POSTEN), |_| {
        Scripted::new(502)
            .header("content-type", "text/html")
            .body(format!("<html>gateway for 01017010170 {}</html>", "x".repeat(5000)).into())
    })
    .await;
    let client = server
        .client_builder()
        .retry(posten_adapter::RetryPolicy::none())
        .build()
        .unwrap();
    let error = client
        .confirm(&ConfirmationHandle::new(format!("{}/c", server.origin())))
        .await
        .unwrap_err();
    let Error::UnexpectedResponse {
        http_status,
        content_type,
        excerpt,
    } = &error
    else {
        panic!("{error:?}")
    };
    assert_eq!(*http_status, 502);
    assert_eq!(content_type.as_deref(), Some("text/html"));
    assert_eq!(excerpt.chars().count(), posten_adapter::MAX_EXCERPT_CHARS);
    assert!(excerpt.starts_with("<html>gateway for 010170*****"));
    assert!(!format!("{error:?} {error}").contains("01017010170"));
}

#[tokio::test]
async fn cancel_conflict_is_job_cannot_be_cancelled_and_other_calls_succeed() {
    let server = TestServer::start(ServerOrg::SerialNumber(POSTEN), |request| {
        match (request.method.as_str(), request.uri.as_str()) {
            ("POST", "/cancel/1") => Scripted::new(409),
            ("POST", "/cancel/2") => Scripted::xml(409, error_xml("JOB_COMPLETED", "done")),
            ("POST", "/cancel/3") => Scripted::new(204),
            ("DELETE", "/documents/1") => Scripted::new(200),
            ("POST", "/confirm/1") => Scripted::new(200),
            _ => Scripted::new(404),
        }
    })
    .await;
    let client = server.client();
    let origin = server.origin();
    let e = client
        .cancel(&CancellationHandle::new(format!("{origin}/cancel/1")))
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::JobCannotBeCancelled {
                http_status: 409,
                code: None,
                ..
            }
        ),
        "{e:?}"
    );
    let e = client
        .cancel(&CancellationHandle::new(format!("{origin}/cancel/2")))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::JobCannotBeCancelled { code: Some(code), .. }
            if *code == ErrorCode::Unknown("JOB_COMPLETED".into())),
        "{e:?}"
    );
    client
        .cancel(&CancellationHandle::new(format!("{origin}/cancel/3")))
        .await
        .unwrap();
    client
        .delete_documents(&DeleteDocumentsHandle::new(format!("{origin}/documents/1")))
        .await
        .unwrap();
    client
        .confirm(&ConfirmationHandle::new(format!("{origin}/confirm/1")))
        .await
        .unwrap();
    let requests = server.requests();
    let seen: Vec<(String, String, usize)> = requests
        .iter()
        .map(|r| (r.method.to_string(), r.uri.clone(), r.body.len()))
        .collect();
    assert_eq!(
        seen,
        [
            ("POST".into(), "/cancel/1".into(), 0),
            ("POST".into(), "/cancel/2".into(), 0),
            ("POST".into(), "/cancel/3".into(), 0),
            ("DELETE".into(), "/documents/1".into(), 0),
            ("POST".into(), "/confirm/1".into(), 0),
        ]
    );
    // Through the neutral trait, the 409 is CannotBeCancelled.
    let core = SignatureService::cancel(
        &client,
        &CancellationHandle::new(format!("{origin}/cancel/1")),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(
            core,
            signature_core::Error::CannotBeCancelled { source: Some(_) }
        ),
        "{core:?}"
    );
}

#[tokio::test]
async fn status_query_token_is_appended_with_ampersand_when_the_url_has_a_query() {
    let server = TestServer::start(ServerOrg::SerialNumber(POSTEN), |_| {
        Scripted::xml(
            200,
            r#"<direct-signature-job-status-response xmlns="http://signering.posten.no/schema/v1">
                 <signature-job-id>9</signature-job-id>
                 <signature-job-status>IN_PROGRESS</signature-job-status>
                 <status signer="01017010170" since="2026-01-01T10:00:00Z">WAITING</status>
               </direct-signature-job-status-response>"#,
        )
    })
    .await;
    let client = server.client();
    let origin = server.origin();
    let token = StatusQueryToken::new("tok+en/=");
    let change = client
        .direct_status(
            &StatusUrl::new(format!(
                "{origin}/api/123456785/direct/signature-jobs/9/status?lang=nb"
            )),
            &token,
        )
        .await
        .unwrap();
    client
        .direct_status(
            &StatusUrl::new(format!(
                "{origin}/api/123456785/direct/signature-jobs/9/status"
            )),
            &token,
        )
        .await
        .unwrap();
    let uris: Vec<String> = server.requests().into_iter().map(|r| r.uri).collect();
    assert_eq!(
        uris,
        [
            "/api/123456785/direct/signature-jobs/9/status?lang=nb&status_query_token=tok%2Ben%2F%3D",
            "/api/123456785/direct/signature-jobs/9/status?status_query_token=tok%2Ben%2F%3D",
        ]
    );
    assert_eq!(change.status, JobStatus::InProgress);
    assert_eq!(change.signers[0].status, SignerStatus::Waiting);
    assert_eq!(change.next_permitted_poll_time, None);
}

#[tokio::test]
async fn new_redirect_url_posts_the_update_request() {
    let server = TestServer::start(ServerOrg::SerialNumber(POSTEN), |request| {
        let update: posten::DirectSignerUpdateRequest = from_xml(&request.body).unwrap();
        let _ = update;
        assert_eq!(request.headers["content-type"], "application/xml");
        Scripted::xml(
            200,
            r#"<direct-signer-response xmlns="http://signering.posten.no/schema/v1" href="https://x.invalid/signers/1">
                 <personal-identification-number>01017010170</personal-identification-number>
                 <redirect-url> https://x.invalid/redirect/new </redirect-url>
               </direct-signer-response>"#,
        )
    })
    .await;
    let url = server
        .client()
        .request_new_redirect_url(&SignerUrl::new(format!("{}/signers/1", server.origin())))
        .await
        .unwrap();
    assert_eq!(url.as_str(), "https://x.invalid/redirect/new");
    assert_eq!(server.requests()[0].method, "POST");
}

#[tokio::test]
async fn capabilities_are_honest_and_forms_are_refused() {
    let server = TestServer::start(ServerOrg::SerialNumber(POSTEN), |_| Scripted::new(500)).await;
    let client = server.client();
    let capabilities = SignatureService::capabilities(&client);
    use signature_core::Capability::*;
    for supported in [
        CreatePortalJob,
        CreateDirectJob,
        StatusByToken,
        PollStatusChanges,
        ConfirmStatus,
        Cancel,
        DownloadXades,
        DownloadPades,
        DeleteDocuments,
        NewRedirectUrl,
    ] {
        assert!(capabilities.contains(supported), "{supported:?}");
    }
    assert!(!capabilities.contains(SubmitForm));
    assert!(!capabilities.contains(DownloadReceipt));
    let mut sink = tokio::io::sink();
    let error = client
        .download(&ArtifactRef::receipt("https://x.invalid/r"), &mut sink)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Unsupported(DownloadReceipt)));
    assert_eq!(server.requests().len(), 0);
}

#[tokio::test]
async fn missing_trust_roots_for_a_custom_url_is_a_configuration_error() {
    let pki = signering_testkit::pki::make_pki(false, &Default::default());
    let key = support::pem_key(&pki);
    let error = posten_adapter::Client::builder(
        posten_adapter::Environment::custom("https://127.0.0.1:1/api").unwrap(),
        key,
    )
    .build()
    .unwrap_err();
    assert!(matches!(error, Error::Configuration(_)), "{error:?}");

    // Production has Mozilla's roots by default.
    let key = support::pem_key(&pki);
    posten_adapter::Client::builder(posten_adapter::Environment::Production, key)
        .build()
        .unwrap();
}
