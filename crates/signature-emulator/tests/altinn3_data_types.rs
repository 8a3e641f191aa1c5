//! The Altinn 3 emulator's data types and data element writes, as app-lib's DataController
//! and DataElementAccessChecker answer them (Altinn/app-lib-dotnet
//! `src/Altinn.App.Api/Controllers/DataController.cs`,
//! `src/Altinn.App.Core/Internal/Data/DataElementAccessChecker.cs`,
//! `src/Altinn.App.Core/Helpers/AllowedContributorsHelper.cs`): users upload the documents
//! to sign to a type without `allowedContributors`; the app's own types (`ref-data-as-pdf`,
//! and `signatures` with `allowedContributors: ["app:owned"]`) are refused to every caller
//! with 403 and a ProblemDetails.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use altinn_adapter::Error;
use altinn_adapter::auth::{GrantKey, Maskinporten};
use altinn_adapter::v3::{
    Action, ActionRequest, AppId, Client, Environment, InstanceId, InstanceOwner, NewData,
    NewInstance, ProcessNext, TokenProvider,
};
use serde_json::{Value, json};
use signature_emulator::altinn3::{
    Altinn3Emulator, ClientKey, DEFAULT_SCOPE, DOCUMENT_DATA_TYPE, GENERATED_PDF_DATA_TYPE,
    MODEL_DATA_TYPE, SIGNATURE_DATA_TYPE,
};

#[path = "common/altinn3.rs"]
mod shared;
use shared::client;

const PERSON: &str = "24068110048";
const ORG: &str = "310000001";
const VENDOR: &str = "991825827";
const APP: &str = "ttd/signing-demo";
const PDF: &[u8] = b"%PDF-1.7\n%test document\n%%EOF\n";

/// Raw calls to the app's data routes with the client's exchanged Altinn token.
struct Raw {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Raw {
    async fn new(emulator: &Altinn3Emulator, client: &Client, id: &InstanceId) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: format!("{}/{APP}/instances/{id}", emulator.base_url()),
            token: client.altinn_token().await.unwrap().expose().to_owned(),
        }
    }

    async fn send(
        &self,
        method: reqwest::Method,
        rest: &str,
        upload: Option<(&str, &str, &[u8])>,
    ) -> (u16, String, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{rest}", self.base))
            .bearer_auth(&self.token);
        if let Some((content_type, filename, body)) = upload {
            request = request
                .header("content-type", content_type)
                .header(
                    "content-disposition",
                    format!("attachment; filename=\"{filename}\""),
                )
                .body(body.to_vec());
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let body = response.bytes().await.unwrap();
        let json = serde_json::from_slice(&body).unwrap_or(Value::Null);
        (status, content_type, json)
    }

    async fn post(&self, rest: &str, upload: (&str, &str, &[u8])) -> (u16, String, Value) {
        self.send(reqwest::Method::POST, rest, Some(upload)).await
    }

    /// The status and the ProblemDetails `title` of the answer to an upload to `rest`.
    async fn post_title(&self, rest: &str, upload: (&str, &str, &[u8])) -> (u16, Value) {
        let (status, _, body) = self.post(rest, upload).await;
        (status, body["title"].clone())
    }
}

fn forbidden(detail: &str) -> Value {
    json!({"title": "Forbidden", "status": 403, "detail": detail})
}

const NOT_A_CONTRIBUTOR: &str = "User is not a valid contributor to the data type";

async fn person() -> (Altinn3Emulator, Client, u64) {
    let emulator = Altinn3Emulator::builder().app(APP).start().await.unwrap();
    let party = emulator.add_person(PERSON, "Kari Nordmann");
    let client = client(
        &emulator,
        TokenProvider::IdPorten,
        emulator.issue_idporten_token(PERSON),
    );
    (emulator, client, party)
}

fn form(owner: InstanceOwner) -> NewInstance {
    NewInstance::new(owner).data(NewData::new(
        MODEL_DATA_TYPE,
        "application/xml",
        "<Skjema/>",
    ))
}

#[tokio::test]
async fn app_owned_data_types_are_refused_with_403_problem_details() {
    let (emulator, client, party) = person().await;
    let app = AppId::parse(APP).unwrap();

    // At instantiation: a part of an app-owned type is refused, and no instance is kept
    // (InstancesController.StoreParts → GetCreateProblem, then TryDeleteInstance).
    for (data_type, detail) in [
        (
            GENERATED_PDF_DATA_TYPE,
            "Data element of type ref-data-as-pdf cannot be modified",
        ),
        (SIGNATURE_DATA_TYPE, NOT_A_CONTRIBUTOR),
    ] {
        let content_type = if data_type == SIGNATURE_DATA_TYPE {
            "application/json"
        } else {
            "application/pdf"
        };
        let new = form(InstanceOwner::PartyId(party))
            .data(NewData::new(data_type, content_type, PDF).filename("x.pdf"));
        match client.create_instance(&app, &new).await {
            Err(Error::Service(problem)) if problem.status == 403 => {
                let details = problem.details.as_ref().unwrap();
                assert_eq!(details.title.as_deref(), Some("Forbidden"));
                assert_eq!(details.detail.as_deref(), Some(detail));
            }
            other => panic!("{data_type}: unexpected {other:?}"),
        }
    }

    // Through the data routes: create, replace and delete, each 403 with the same shape.
    let created = client
        .create_instance(&app, &form(InstanceOwner::PartyId(party)))
        .await
        .unwrap();
    let raw = Raw::new(&emulator, &client, &created.id).await;
    let upload = ("application/json", "signatures.json", b"{}".as_slice());
    for rest in [
        "/data/type/signatures",
        "/data/signatures",
        "/data?dataType=signatures",
    ] {
        let (status, content_type, body) = raw.post(rest, upload).await;
        assert_eq!(status, 403, "{rest}");
        assert_eq!(content_type, "application/problem+json");
        assert_eq!(body, forbidden(NOT_A_CONTRIBUTOR), "{rest}");
    }
    let pdf = ("application/pdf", "skjema.pdf", PDF);
    let (status, _, body) = raw.post("/data/type/ref-data-as-pdf", pdf).await;
    assert_eq!(status, 403);
    assert_eq!(
        body,
        forbidden("Data element of type ref-data-as-pdf cannot be modified")
    );

    // Moving to signing renders the app's PDF (no document was uploaded); signing writes
    // the signature. Neither may be replaced or deleted by the user.
    client
        .process_next(&app, &created.id, &ProcessNext::perform(Action::Write))
        .await
        .unwrap();
    client
        .perform_action(&app, &created.id, &ActionRequest::sign())
        .await
        .unwrap();
    let instance = client.instance(&app, &created.id).await.unwrap();
    let rendered = instance
        .data_of_type(GENERATED_PDF_DATA_TYPE)
        .next()
        .unwrap();
    let signature = instance.data_of_type(SIGNATURE_DATA_TYPE).next().unwrap();
    for (element, detail, file) in [
        (
            rendered,
            "Data element of type ref-data-as-pdf cannot be modified",
            pdf,
        ),
        (signature, NOT_A_CONTRIBUTOR, upload),
    ] {
        let rest = format!("/data/{}", element.id);
        let (status, _, body) = raw.send(reqwest::Method::PUT, &rest, Some(file)).await;
        assert_eq!((status, body), (403, forbidden(detail)));
        let (status, _, body) = raw.send(reqwest::Method::DELETE, &rest, None).await;
        assert_eq!((status, body), (403, forbidden(detail)));
    }
    let after = client.instance(&app, &created.id).await.unwrap();
    assert_eq!(after.data.len(), instance.data.len());

    // An organisation's own token is no contributor either (only a service owner named by
    // `org:`/`orgno:` is, and never for `app:owned`).
    emulator.add_organisation(ORG, "Eksempel AS");
    let org = shared::client(
        &emulator,
        TokenProvider::Maskinporten,
        emulator.issue_maskinporten_token(ORG),
    );
    let theirs = org
        .create_instance(&app, &form(InstanceOwner::OrganisationNumber(ORG.into())))
        .await
        .unwrap();
    let raw = Raw::new(&emulator, &org, &theirs.id).await;
    let (status, _, body) = raw.post("/data/type/signatures", upload).await;
    assert_eq!((status, body), (403, forbidden(NOT_A_CONTRIBUTOR)));
}

#[tokio::test]
async fn users_upload_replace_and_delete_documents_of_the_user_type() {
    let (emulator, client, party) = person().await;
    let app = AppId::parse(APP).unwrap();
    let created = client
        .create_instance(&app, &form(InstanceOwner::PartyId(party)))
        .await
        .unwrap();
    let raw = Raw::new(&emulator, &client, &created.id).await;

    // POST …/data/type/{dataType}: 200 DataPostResponse.
    let (status, _, body) = raw
        .post(
            "/data/type/document",
            ("application/pdf", "avtale.pdf", PDF),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let first = body["newDataElementId"].as_str().unwrap().to_owned();
    let stored = body["instance"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == first.as_str())
        .unwrap();
    assert_eq!(stored["dataType"], DOCUMENT_DATA_TYPE);
    assert_eq!(stored["filename"], "avtale.pdf");
    assert_eq!(body["validationIssues"], json!([]));
    // POST …/data?dataType= (obsolete): 201 DataElement with its app link in Location.
    let (status, _, body) = raw
        .post(
            "/data?dataType=document",
            ("application/pdf", "vedlegg.pdf", PDF),
        )
        .await;
    assert_eq!(status, 201);
    let second = body["id"].as_str().unwrap().to_owned();
    // PUT replaces (201 DataElement), DELETE removes (200 DataDeleteResponse).
    let (status, _, body) = raw
        .send(
            reqwest::Method::PUT,
            &format!("/data/{second}"),
            Some(("application/pdf", "vedlegg2.pdf", b"%PDF-1.7 v2")),
        )
        .await;
    assert_eq!(
        (status, body["filename"].as_str()),
        (201, Some("vedlegg2.pdf"))
    );
    let (status, _, body) = raw
        .send(reqwest::Method::DELETE, &format!("/data/{second}"), None)
        .await;
    assert_eq!(status, 200);
    assert!(
        body["instance"]["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["id"] != second.as_str())
    );

    // Refusals of user types: content type, file name, unknown type, maxCount.
    let (status, _, body) = raw
        .post("/data/type/document", ("text/plain", "a.txt", b"text"))
        .await;
    assert_eq!(
        (status, &body["title"]),
        (400, &json!("File validation failed"))
    );
    assert_eq!(
        body["uploadValidationIssues"][0]["code"],
        "ContentTypeNotAllowed"
    );
    assert_eq!(
        raw.post_title("/data/type/nope", ("application/pdf", "a.pdf", PDF))
            .await,
        (400, json!("Data Type Not Found"))
    );
    assert_eq!(
        raw.post_title(
            "/data/type/model",
            ("application/xml", "m.xml", b"<Skjema/>")
        )
        .await,
        (409, json!("Max Count Exceeded"))
    );

    // The uploaded document is what the signing task signs; nothing is rendered.
    client
        .process_next(&app, &created.id, &ProcessNext::perform(Action::Write))
        .await
        .unwrap();
    let to_sign = client
        .signing_data_elements(&app, &created.id, None)
        .await
        .unwrap();
    assert_eq!(to_sign.len(), 1);
    assert_eq!(to_sign[0].id, first);
    client
        .process_next(&app, &created.id, &ProcessNext::sign())
        .await
        .unwrap();
    client
        .process_next(&app, &created.id, &ProcessNext::perform(Action::Confirm))
        .await
        .unwrap();
    // After the end the instance is not active: 409.
    assert_eq!(
        raw.post_title("/data/type/document", ("application/pdf", "late.pdf", PDF))
            .await,
        (409, json!("Instance Not Active"))
    );
}

#[tokio::test]
async fn application_metadata_marks_the_app_owned_types() {
    let (emulator, _, _) = person().await;
    let url = format!("{}/{APP}/api/v1/applicationmetadata", emulator.base_url());
    let body = reqwest::get(url).await.unwrap().bytes().await.unwrap();
    let metadata: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(metadata["id"], APP);
    let types = metadata["dataTypes"].as_array().unwrap();
    let of = |id: &str| types.iter().find(|t| t["id"] == id).unwrap().clone();
    assert_eq!(
        of(SIGNATURE_DATA_TYPE)["allowedContributors"],
        json!(["app:owned"])
    );
    assert!(of(DOCUMENT_DATA_TYPE).get("allowedContributors").is_none());
    assert_eq!(
        of(DOCUMENT_DATA_TYPE)["allowedContentTypes"],
        json!(["application/pdf"])
    );
    assert!(of(MODEL_DATA_TYPE)["appLogic"]["classRef"].is_string());
    assert!(
        of(GENERATED_PDF_DATA_TYPE)
            .get("allowedContributors")
            .is_none()
    );
}

#[tokio::test]
async fn a_system_user_writes_documents_with_the_write_right_only() {
    let emulator = Altinn3Emulator::builder().app(APP).start().await.unwrap();
    emulator.add_organisation(VENDOR, "Leverandør AS");
    emulator.add_organisation(ORG, "Eksempel AS");
    let (key, pem) = ClientKey::generate("vendor-key").unwrap();
    assert!(emulator.add_maskinporten_client("vendor", VENDOR, key));
    let user = emulator.add_system_user(ORG, "vendor").unwrap();
    assert!(emulator.grant_system_user(&user, APP, &["read", "instantiate"]));
    let issuer = emulator.maskinporten_issuer();
    let grant = Maskinporten::builder(
        "vendor",
        DEFAULT_SCOPE,
        GrantKey::registered_key("vendor-key", pem.as_bytes()).unwrap(),
    )
    .audience(issuer.clone())
    .token_endpoint(format!("{issuer}token"))
    .system_user(ORG)
    .build()
    .unwrap();
    let client = Client::builder(Environment::custom(emulator.base_url()).unwrap())
        .exchange(TokenProvider::Maskinporten, grant)
        .build()
        .unwrap();
    let app = AppId::parse(APP).unwrap();
    let created = client
        .create_instance(&app, &form(InstanceOwner::OrganisationNumber(ORG.into())))
        .await
        .unwrap();
    let raw = Raw::new(&emulator, &client, &created.id).await;
    let pdf = ("application/pdf", "avtale.pdf", PDF);
    // Without `write`: 403, empty (the InstanceWrite policy, before the controller).
    let (status, _, body) = raw.post("/data/type/document", pdf).await;
    assert_eq!((status, body), (403, Value::Null));
    assert!(emulator.grant_system_user(&user, APP, &["write"]));
    let (status, _, _) = raw.post("/data/type/document", pdf).await;
    assert_eq!(status, 200);
    // With it, still no contributor to an app-owned type.
    let (status, _, body) = raw
        .post(
            "/data/type/signatures",
            ("application/json", "s.json", b"{}"),
        )
        .await;
    assert_eq!((status, body), (403, forbidden(NOT_A_CONTRIBUTOR)));
}
