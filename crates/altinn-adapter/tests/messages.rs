//! The message operations against the emulator, over plain HTTP with an ID-porten-like
//! bearer token.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use altinn_adapter::Error;
use altinn_adapter::auth::BearerToken;
use altinn_adapter::v2::{
    Client, Environment, Language, MessageId, MessageQuery, MessageStatus, PrintOptions, Who,
};
use signature_emulator::altinn::AltinnEmulator;
use signature_emulator::altinn::{FormTaskSeed, ReporteeSeed, Status};
use support::{API_KEY, client, emulator};

fn seed(code: &str) -> FormTaskSeed {
    FormTaskSeed::new(code, 2)
        .subject("Søknad")
        .main_form("5703", "34554", "<Skjema><Navn>Kari</Navn></Skjema>")
        .attachment("budsjett.pdf", "Vedlegg", b"%PDF-1.4 budsjett", true, true)
}

/// The reason the service gave for refusing with `status`; any other outcome fails the test.
fn refusal_reason<T: std::fmt::Debug>(result: Result<T, Error>, status: u16) -> Option<String> {
    match result {
        Err(Error::Service(problem)) if problem.status == status => problem.reason,
        other => panic!("expected a {status} refusal, got {other:?}"),
    }
}

/// The status the emulator has stored for message `id` in `owner`'s box.
fn stored_status(emulator: &AltinnEmulator, owner: &str, id: &MessageId) -> Status {
    emulator.stored_message(owner, id.as_str()).unwrap().status
}

#[tokio::test]
async fn lists_page_with_skip_until_exhausted_and_respect_top() {
    let emulator = emulator().page_size(3).start().await.unwrap();
    for n in 0..7 {
        emulator.add_form_task("my", seed(&format!("10{n}")));
    }
    let client = client(&emulator, BearerToken::new(emulator.issue_token(4)));
    let all = client
        .messages(&Who::My, &MessageQuery::new())
        .await
        .unwrap();
    assert_eq!(all.messages.len(), 7);
    // 3 + 3 + 1, then an empty page ends the paging.
    assert_eq!(all.pages, 4);
    assert!(!all.limit_reached);
    let codes: Vec<_> = all
        .messages
        .iter()
        .map(|m| m.service_code.clone().unwrap())
        .collect();
    assert_eq!(codes, ["100", "101", "102", "103", "104", "105", "106"]);

    let five = client
        .messages(&Who::My, &MessageQuery::new().top(5))
        .await
        .unwrap();
    assert_eq!(five.messages.len(), 5);
    assert_eq!(five.pages, 2);
}

#[tokio::test]
async fn filters_use_the_localised_status_and_report_the_limit() {
    let emulator = emulator().database_limit(3).start().await.unwrap();
    emulator.add_form_task("my", seed("1").status(Status::Filling));
    emulator.add_form_task("my", seed("2"));
    emulator.add_form_task("my", seed("3").last_changed("2024-06-01T08:00:00"));
    emulator.add_form_task("my", seed("4"));
    let token = emulator.issue_token(4);

    let bokmal = client(&emulator, BearerToken::new(token.clone()));
    let signing = bokmal
        .messages(
            &Who::My,
            &MessageQuery::new().filter("Status eq 'Signering'"),
        )
        .await
        .unwrap();
    // The database limit cut the fourth message before the filter ran.
    assert!(signing.limit_reached);
    let ids: Vec<_> = signing
        .messages
        .iter()
        .map(|m| m.service_code.clone().unwrap())
        .collect();
    assert_eq!(ids, ["2", "3"]);
    assert!(
        signing
            .messages
            .iter()
            .all(|m| m.status == MessageStatus::Signing)
    );

    let english = Client::builder(Environment::custom(emulator.base_url()).unwrap(), API_KEY)
        .auth(BearerToken::new(token))
        .language(Language::English)
        .build()
        .unwrap();
    let window = english
        .messages(
            &Who::My,
            &MessageQuery::new()
                .filter("Status eq 'Signing'")
                .date_from("2024-05-01")
                .date_to("2024-12-31"),
        )
        .await
        .unwrap();
    assert!(
        !window.limit_reached,
        "the date window keeps under the limit"
    );
    assert_eq!(window.messages.len(), 1);
    assert_eq!(window.messages[0].service_code.as_deref(), Some("3"));

    let unsupported = bokmal
        .messages(
            &Who::My,
            &MessageQuery::new().filter("substringof('x', Subject)"),
        )
        .await;
    assert_eq!(
        refusal_reason(unsupported, 400).as_deref(),
        Some("The $filter is not supported")
    );
}

#[tokio::test]
async fn reading_a_message_does_not_mark_it_read_unless_asked() {
    let emulator = emulator().start().await.unwrap();
    let id = MessageId::new(emulator.add_correspondence("984661185", "Vedtak", false));
    let client = client(&emulator, BearerToken::new(emulator.issue_token(3)));
    let org = Who::Organization(signature_core::OrganizationNumber::parse("984661185").unwrap());
    let message = client.message(&org, &id).await.unwrap();
    assert_eq!(message.status, MessageStatus::Unread);
    assert_eq!(message.subject.as_deref(), Some("Vedtak"));
    assert_eq!(stored_status(&emulator, "984661185", &id), Status::Unread);
    // Another box does not have it.
    assert!(matches!(
        client.message(&Who::My, &id).await,
        Err(Error::Service(problem)) if problem.status == 404
    ));
    let read = client.message_reading(&org, &id, true).await.unwrap();
    assert_eq!(read.status, MessageStatus::Read);
    assert_eq!(stored_status(&emulator, "984661185", &id), Status::Read);
}

#[tokio::test]
async fn forms_form_data_attachments_and_print() {
    let emulator = emulator().start().await.unwrap();
    let id = MessageId::new(emulator.add_form_task(
        "my",
        seed("4711").form(false, "5704", "1", "<Under/>", false, true),
    ));
    let client = client(&emulator, BearerToken::new(emulator.issue_token(4)));

    let message = client.message(&Who::My, &id).await.unwrap();
    assert_eq!(message.form_links.len(), 2);
    assert_eq!(message.attachment_links.len(), 1);
    assert_eq!(message.attachment_links[0].signing_locked, Some(true));

    let forms = client.forms(&Who::My, &id).await.unwrap();
    assert_eq!(forms.len(), 2);
    assert!(forms[0].signing_locked && forms[0].signed_by_default);
    assert!(!forms[1].signing_locked);
    let form = client.form(&Who::My, &id, forms[0].id).await.unwrap();
    assert_eq!(form.data_format_id.as_deref(), Some("5703"));
    assert_eq!(form.data_format_version.as_deref(), Some("34554"));
    let xml = client.form_data(&Who::My, &id, forms[0].id).await.unwrap();
    assert_eq!(xml, "<Skjema><Navn>Kari</Navn></Skjema>");

    let attachments = client.attachments(&Who::My, &id).await.unwrap();
    assert_eq!(attachments.len(), 1);
    assert_eq!(attachments[0].file_name.as_deref(), Some("budsjett.pdf"));
    assert_eq!(attachments[0].file_size, Some(17));
    let mut bytes = Vec::new();
    let written = client
        .download_attachment(&Who::My, &id, attachments[0].id, &mut bytes)
        .await
        .unwrap();
    assert_eq!(written, 17);
    assert_eq!(bytes, b"%PDF-1.4 budsjett");

    let mut pdf = Vec::new();
    client
        .print(&Who::My, &id, &PrintOptions::default(), &mut pdf)
        .await
        .unwrap();
    assert!(pdf.starts_with(b"%PDF-1.7"));
    assert!(pdf.ends_with(b"%%EOF\n"));
    let mut via_link = Vec::new();
    client
        .download_link(&message.print_link.unwrap().href, &mut via_link)
        .await
        .unwrap();
    assert_eq!(via_link, pdf);

    assert!(matches!(
        client.form(&Who::My, &id, 999_999).await,
        Err(Error::Service(problem)) if problem.status == 404
    ));
}

#[tokio::test]
async fn signing_text_only_at_the_signing_step() {
    let emulator = emulator().start().await.unwrap();
    let signing = MessageId::new(emulator.add_form_task("my", seed("1")));
    let filling = MessageId::new(emulator.add_form_task("my", seed("2").status(Status::Filling)));
    let client = client(&emulator, BearerToken::new(emulator.issue_token(4)));
    let text = client.signing_text(&Who::My, &signing).await.unwrap();
    assert_eq!(text.text, "Jeg bekrefter at opplysningene er riktige.");
    assert_eq!(text.raw, "\"Jeg bekrefter at opplysningene er riktige.\"");
    assert_eq!(
        refusal_reason(client.signing_text(&Who::My, &filling).await, 404).as_deref(),
        Some("The message is not at a signing step")
    );
}

#[tokio::test]
async fn archive_confirm_and_delete_correspondence() {
    let emulator = emulator().start().await.unwrap();
    let needs_confirmation = MessageId::new(emulator.add_correspondence("my", "Varsel", true));
    let plain = MessageId::new(emulator.add_correspondence("my", "Brev", false));
    let client = client(&emulator, BearerToken::new(emulator.issue_token(3)));

    assert_eq!(
        refusal_reason(client.archive(&Who::My, &needs_confirmation).await, 400).as_deref(),
        Some("The message must be confirmed before it can be archived")
    );
    client.confirm(&Who::My, &needs_confirmation).await.unwrap();
    let archived = client.archive(&Who::My, &needs_confirmation).await.unwrap();
    let archived_id = archived.message_id.clone().unwrap();
    assert!(archived_id.is_archived());
    assert!(
        archived
            .location
            .unwrap()
            .ends_with(&format!("/api/my/messages/{archived_id}"))
    );
    let fetched = client.message(&Who::My, &archived_id).await.unwrap();
    assert_eq!(fetched.status, MessageStatus::Archived);
    assert_eq!(fetched.original_id, Some(needs_confirmation.clone()));

    assert!(matches!(
        client.confirm(&Who::My, &plain).await,
        Err(Error::Service(problem)) if problem.status == 400
    ));
    client.delete(&Who::My, &plain).await.unwrap();
    assert_eq!(stored_status(&emulator, "my", &plain), Status::Deleted);
    assert!(matches!(
        client.message(&Who::My, &plain).await,
        Err(Error::Service(problem)) if problem.status == 404
    ));
}

#[tokio::test]
async fn reportees_are_paged_and_identity_numbers_hidden() {
    let emulator = emulator().page_size(2).start().await.unwrap();
    for n in 0..5 {
        emulator.add_reportee(ReporteeSeed {
            id: format!("r5000000{n}"),
            name: format!("Reportee {n}"),
            kind: if n == 0 { "Person" } else { "Foretak" }.to_owned(),
            organization_number: (n > 0).then(|| "984661185".to_owned()),
            social_security_number: (n == 0).then(|| "24068110048".to_owned()),
        });
    }
    let client = client(&emulator, BearerToken::new(emulator.issue_token(3)));
    let reportees = client.reportees().await.unwrap();
    assert_eq!(reportees.len(), 5);
    assert_eq!(reportees[4].id, "r50000004");
    assert_eq!(
        reportees[1].organization_number.as_deref(),
        Some("984661185")
    );
    assert_eq!(
        reportees[0]
            .social_security_number
            .as_ref()
            .unwrap()
            .expose(),
        "24068110048"
    );
    assert!(!format!("{reportees:?}").contains("24068110048"));
}

#[tokio::test]
async fn links_to_other_hosts_are_not_followed() {
    let emulator = emulator().start().await.unwrap();
    let client = client(&emulator, BearerToken::new(emulator.issue_token(3)));
    assert!(matches!(
        client
            .message_at("https://evil.example/api/my/messages/a1")
            .await,
        Err(Error::ForeignLink)
    ));
    let mut sink = Vec::new();
    assert!(matches!(
        client
            .download_link("http://127.0.0.2:1/x", &mut sink)
            .await,
        Err(Error::ForeignLink)
    ));
}
