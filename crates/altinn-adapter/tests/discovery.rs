//! Discovery as the live platform shows app instances (scripted Dialogporten and apps): the
//! adapter's go-to action is `read` whatever the task, so each dialog is mapped to its
//! instance and the instance's process decides; a dialog that fails is reported and skipped,
//! the search goes on, and pages are followed.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod scripted;

use altinn_adapter::Error;
use altinn_adapter::v3::{Client, DialogQuery, DialogStatus, Environment};
use scripted::Answer;
use serde_json::json;

const SIGNING: &str = "11111111-1111-4111-8111-111111111111";
const DATA_TASK: &str = "22222222-2222-4222-8222-222222222222";
const FORBIDDEN: &str = "33333333-3333-4333-8333-333333333333";
const ARCHIVED: &str = "44444444-4444-4444-8444-444444444444";
const NOT_MINE: &str = "55555555-5555-4555-8555-555555555555";

fn dialog(id: &str, base: &str, guid: Option<&str>, archived: bool) -> serde_json::Value {
    let resource = "urn:altinn:resource:app_ttd_signing-demo";
    let mut api_actions = json!([]);
    if let Some(guid) = guid {
        let url = if archived {
            format!("{base}storage/api/v1/instances/50001234/{guid}")
        } else {
            format!("{base}ttd/signing-demo/instances/50001234/{guid}")
        };
        api_actions = json!([{"id": "a1", "action": "read", "isAuthorized": true, "name": null,
            "endpoints": [{"id": "e1", "version": "1.0", "url": url, "httpMethod": "GET",
                           "deprecated": false, "sunsetAt": null}]}]);
    }
    json!({"id": id, "org": "ttd", "serviceResource": resource, "serviceResourceType": "AltinnApp",
           "party": "urn:altinn:person:identifier-no:24068110048", "status": "InProgress",
           "createdAt": "2026-11-01T10:00:00.0000000Z", "updatedAt": "2026-11-01T10:00:00Z",
           "contentUpdatedAt": "2026-11-01T10:00:00Z",
           "content": {"title": {"mediaType": "text/plain", "value": [{"languageCode": "nb", "value": "Avtale"}]}},
           // Always `read`, as the Dialogporten adapter writes it since 2026-04-21.
           "guiActions": [{"id": "g1", "action": "read", "isAuthorized": true, "priority": "Primary",
                           "httpMethod": "GET", "url": "urn:dialogporten:unauthorized", "title": []}],
           "apiActions": api_actions})
}

fn process(task_type: &str, sign: bool) -> String {
    json!({"started": "2026-11-01T10:00:00Z",
           "currentTask": {"elementId": "Task_2", "altinnTaskType": task_type, "flow": 2,
                           "actions": {"sign": sign, "reject": false}, "read": true, "write": true},
           "processTasks": [{"elementId": "Task_1", "altinnTaskType": "data"},
                            {"elementId": "Task_2", "altinnTaskType": "signing"}]})
    .to_string()
}

#[tokio::test]
async fn each_dialog_is_decided_by_its_instance_and_failures_are_skipped() {
    let base = std::sync::Arc::new(std::sync::OnceLock::<String>::new());
    let b = base.clone();
    let (url, log) = scripted::serve(move |request| {
        let base = b.get().unwrap();
        let dp = "/dialogporten/api/v1/enduser/";
        let path = request.path();
        if path == format!("{dp}dialogs") {
            if request.target.contains("continuationToken=page2") {
                let items = json!([dialog("d-archived", base, Some(ARCHIVED), true),
                                   dialog("d-unmapped", base, None, false),
                                   {"id": "d-other", "serviceResource": "urn:altinn:resource:skatt-melding", "status": "InProgress"}]);
                return Answer::json("200 OK", json!({"items": items, "hasNextPage": false, "continuationToken": null, "orderBy": "contentUpdatedAt_desc"}).to_string());
            }
            let items = json!([
                dialog("d-signing", base, Some(SIGNING), false),
                dialog("d-data", base, Some(DATA_TASK), false),
                dialog("d-forbidden", base, Some(FORBIDDEN), false),
                dialog("d-not-mine", base, Some(NOT_MINE), false)
            ]);
            return Answer::json("200 OK", json!({"items": items, "hasNextPage": true, "continuationToken": "page2", "orderBy": "contentUpdatedAt_desc"}).to_string());
        }
        if let Some(id) = path.strip_prefix(&format!("{dp}dialogs/")) {
            let guid = match id {
                "d-signing" => Some(SIGNING),
                "d-data" => Some(DATA_TASK),
                "d-forbidden" => Some(FORBIDDEN),
                "d-not-mine" => Some(NOT_MINE),
                "d-archived" => Some(ARCHIVED),
                _ => None,
            };
            return Answer::json(
                "200 OK",
                dialog(id, base, guid, id == "d-archived").to_string(),
            );
        }
        let process_of =
            |guid: &str| path == format!("/ttd/signing-demo/instances/50001234/{guid}/process");
        if process_of(SIGNING) {
            Answer::json("200 OK", process("signing", true))
        } else if process_of(DATA_TASK) {
            Answer::json("200 OK", process("data", false))
        } else if process_of(NOT_MINE) {
            // At signing, but the caller holds no sign right.
            Answer::json("200 OK", process("signing", false))
        } else if process_of(FORBIDDEN) {
            Answer::json("403 Forbidden", r#"{"title":"Forbidden","status":403}"#)
        } else if process_of(ARCHIVED) {
            Answer::json("200 OK", json!({"started": "2026-11-01T10:00:00Z", "ended": "2026-11-02T10:00:00Z", "endEvent": "EndEvent_1"}).to_string())
        } else {
            Answer::empty("404 Not Found")
        }
    });
    base.set(url.clone()).unwrap();
    let client = Client::builder(Environment::custom(&url).unwrap())
        .altinn_token("altinn-token")
        .build()
        .unwrap();
    let query = DialogQuery::new()
        .service_resource("urn:altinn:resource:app_ttd_signing-demo")
        .status(DialogStatus::InProgress)
        .limit(5000);
    let found = client.awaiting_signature(&query).await.unwrap();
    assert_eq!(found.dialogs_seen, 7);
    let waiting: Vec<String> = found
        .awaiting
        .iter()
        .map(|w| w.instance.id.guid().to_owned())
        .collect();
    assert_eq!(waiting, [SIGNING]);
    assert_eq!(found.awaiting[0].dialog.title(), Some("Avtale"));
    assert_eq!(
        found.awaiting[0].instance.app.to_string(),
        "ttd/signing-demo"
    );
    let skipped: Vec<(&str, bool)> = found
        .skipped
        .iter()
        .map(|s| (s.dialog_id.as_str(), s.instance.is_some()))
        .collect();
    assert_eq!(skipped, [("d-forbidden", true), ("d-unmapped", false)]);
    assert!(matches!(&found.skipped[0].error, Error::Service(problem) if problem.status == 403));
    let log = log.lock().unwrap().clone();
    // The archived dialog's Storage URL maps to the app from the service resource, not to
    // an app `api/v1`.
    assert!(log.iter().any(|r| r.path() == format!("/ttd/signing-demo/instances/50001234/{ARCHIVED}/process")));
    assert!(
        !log.iter().any(|r| r.path().starts_with("/api/v1/")),
        "no request to an app named api/v1"
    );
    // The search: repeated list parameters, limit capped at Dialogporten's 1000.
    let first = &log[0];
    assert!(
        first
            .target
            .contains("serviceResource=urn%3Aaltinn%3Aresource%3Aapp_ttd_signing-demo"),
        "{}",
        first.target
    );
    assert!(first.target.contains("status=InProgress"));
    assert!(first.target.contains("limit=1000"), "{}", first.target);
    // The non-app dialog was not read.
    assert!(!log.iter().any(|r| r.path().ends_with("/d-other")));
}

#[tokio::test]
async fn a_failing_search_page_is_an_error() {
    let (url, _) = scripted::serve(|_| Answer::json("403 Forbidden", ""));
    let client = Client::builder(Environment::custom(&url).unwrap())
        .altinn_token("token-without-digdir-dialogporten")
        .build()
        .unwrap();
    let query = DialogQuery::new().party("urn:altinn:person:identifier-no:24068110048");
    assert!(matches!(
        client.awaiting_signature(&query).await,
        Err(Error::Service(problem)) if problem.status == 403
    ));
}
