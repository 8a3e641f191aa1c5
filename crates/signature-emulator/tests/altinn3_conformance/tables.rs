//! The official documents as the conformance tests load them, the facts about Storage and
//! the token exchange (`ROUTES-without-openapi.md`), and the known departures of the app
//! documents from app-lib's controllers.

use std::path::Path;

use serde_json::json;
use signering_testkit::openapi::{BodyRule, Departure, FactRoute, Spec};

/// The app documents (Swashbuckle) show `UserAction.type` as an integer enum, but a
/// property-level JsonStringEnumConverter writes "ProcessAction"/"ServerAction" (SOURCES.txt).
pub(crate) fn action_type() -> serde_json::Value {
    json!({"type": "string", "enum": ["ProcessAction", "ServerAction"]})
}

/// Every document in the reference folder, mounted where the service serves it, and whether
/// it is only a fallback: the per-app document is written by hand in app-lib
/// (CustomOpenApiController) and describes fewer routes, less exactly (its `AppProcessState`
/// has no `userActions`), so it judges only what the generated documents lack (the token
/// exchange).
pub(crate) fn documents(dir: &Path) -> Vec<(Spec, bool)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 5,
        "expected the official documents in {dir:?}"
    );
    files
        .iter()
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name.starts_with("dialogporten") {
                // Dialogporten is served below /dialogporten on the platform host.
                (Spec::load(path, "/dialogporten").unwrap(), false)
            } else if name.contains("custom-openapi") {
                // The per-app document of app-lib's test app `tdd/contributer-restriction`.
                let spec = Spec::load(path, "")
                    .unwrap()
                    .generalise_prefix("/tdd/contributer-restriction", "/{org}/{app}")
                    .nullable_refs();
                (spec, true)
            } else if name.contains("app-api") {
                let spec = Spec::load(path, "")
                    .unwrap()
                    .nullable_refs()
                    .patch_schema("ActionType", action_type());
                (spec, false)
            } else {
                (Spec::load(path, "").unwrap(), false)
            }
        })
        .collect()
}

/// Storage and the token exchange, from `ROUTES-without-openapi.md` (Storage @ d9364e40,
/// Authentication @ ad4f6f36). Instances are Storage.Interface `Instance`s, the model the app
/// document also describes; Storage writes `readStatus` as a string (Newtonsoft
/// StringEnumConverter), so that enum is patched in the schemas these facts use.
pub(crate) fn facts(dir: &Path) -> (Spec, Vec<FactRoute>) {
    let schemas = Spec::load(
        &dir.join("app-lib-dotnet_app-api.swagger.verified.json"),
        "",
    )
    .unwrap()
    .patch_schema(
        "ReadStatus",
        json!({"type": "string", "enum": ["Unread", "Read", "UpdatedSinceLastReview"]}),
    );
    let instance = || BodyRule::Schema(json!({"$ref": "#/components/schemas/Instance"}));
    let query_response = BodyRule::Schema(json!({
        "type": "object", "additionalProperties": false, "required": ["count", "self", "instances"],
        "properties": {
            "count": {"type": "integer", "format": "int64"},
            "self": {"type": "string"},
            "next": {"type": "string"},
            "instances": {"type": "array", "items": {"$ref": "#/components/schemas/Instance"}},
        },
    }));
    let routes = vec![
        FactRoute {
            method: "GET",
            template: "/authentication/api/v1/exchange/{tokenProvider}",
            query: &["test"],
            request: BodyRule::Empty,
            responses: vec![
                (200, BodyRule::Text),
                (400, BodyRule::Text),
                (401, BodyRule::Empty),
                (403, BodyRule::Empty),
                (
                    410,
                    BodyRule::Schema(json!({"$ref": "#/components/schemas/ProblemDetails"})),
                ),
                (429, BodyRule::Any),
            ],
            source: "ROUTES-without-openapi.md, Authentication",
        },
        FactRoute {
            method: "GET",
            template: "/storage/api/v1/instances",
            query: &[
                "org",
                "appId",
                "appIds",
                "process.currentTask",
                "process.isComplete",
                "process.endEvent",
                "process.ended",
                "instanceOwner.partyId",
                "instanceOwner.partyIds",
                "lastChanged",
                "created",
                "visibleAfter",
                "dueBefore",
                "excludeConfirmedBy",
                "confirmed",
                "status.isSoftDeleted",
                "status.isHardDeleted",
                "status.isArchived",
                "status.isActiveOrSoftDeleted",
                "status.isArchivedOrSoftDeleted",
                "continuationToken",
                "size",
                "mainVersionInclude",
                "mainVersionExclude",
                "archiveReference",
                "A3Ref",
                "dataValues.A2ArchRef",
                "msgBoxInterval",
                "searchString",
                "order",
            ],
            request: BodyRule::Empty,
            responses: vec![
                (200, query_response),
                (400, BodyRule::JsonString),
                (403, BodyRule::Empty),
            ],
            source: "ROUTES-without-openapi.md, Storage (InstanceQueryParameters.cs, QueryResponse.cs)",
        },
        FactRoute {
            method: "GET",
            template: "/storage/api/v1/instances/{instanceOwnerPartyId:int}/{instanceGuid:guid}",
            query: &[],
            request: BodyRule::Empty,
            responses: vec![
                (200, instance()),
                (403, BodyRule::Empty),
                (404, BodyRule::JsonString),
            ],
            source: "ROUTES-without-openapi.md, Storage (InstancesController.cs)",
        },
        FactRoute {
            method: "GET",
            template: "/storage/api/v1/instances/{partyId:int}/{guid:guid}/data/{dataGuid:guid}",
            query: &[],
            request: BodyRule::Empty,
            responses: vec![
                (200, BodyRule::Any),
                (403, BodyRule::Empty),
                (404, BodyRule::JsonString),
            ],
            source: "ROUTES-without-openapi.md, Storage (DataController.cs)",
        },
    ];
    (schemas, routes)
}

pub(crate) const INSTANCE_PATH: &str =
    "/{org}/{app}/instances/{instanceOwnerPartyId}/{instanceGuid}";

/// Where the app documents are silent or wrong about what app-lib's controllers do; each
/// from `../shared/docs/altinn3-audit.md` §2, which cites the controllers.
pub(crate) fn departures() -> Vec<Departure> {
    let problem = || BodyRule::Schema(json!({"$ref": "#/components/schemas/ProblemDetails"}));
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    vec![
        Departure {
            method: "POST",
            template: "/{org}/{app}/instances",
            status: None,
            spec: None,
            body: BodyRule::Multipart {
                first: "instance",
                content_type: "application/json",
                schema: json!({"$ref": "#/components/schemas/Instance"}),
            },
            source: "InstancesController.Post reads the multipart form itself: part `instance` \
                     (application/json) first, then one part per data type (audit §2 #2)",
        },
        Departure {
            method: "PUT",
            template: leak(format!("{INSTANCE_PATH}/process/next")),
            status: Some(403),
            spec: None,
            body: problem(),
            source: "ProcessController: 403 ProblemDetails \"User is not authorized to perform \
                     process next\" (audit §2 #7; declared in the per-app document)",
        },
        Departure {
            method: "POST",
            template: leak(format!("{INSTANCE_PATH}/actions")),
            status: Some(400),
            spec: None,
            body: problem(),
            source: "ActionsController: 400 ProblemDetails when the action is null (audit §2 #8)",
        },
        Departure {
            method: "POST",
            template: leak(format!("{INSTANCE_PATH}/actions")),
            status: Some(409),
            spec: None,
            body: BodyRule::JsonString,
            source: "ActionsController: 409 Conflict(string), JSON-quoted under Accept: \
                     application/json (audit §2 #8)",
        },
        Departure {
            method: "POST",
            template: "/{org}/{app}/instances",
            status: Some(403),
            spec: None,
            body: problem(),
            source: "InstancesController.StoreParts: a part the DataElementAccessChecker refuses \
                     (an app-owned data type) → StatusCode(403, ProblemDetails), app-lib @ 1363997d",
        },
        Departure {
            method: "POST",
            template: leak(format!("{INSTANCE_PATH}/data/type/{{dataType}}")),
            status: None,
            spec: None,
            body: BodyRule::Any,
            source: "DataController.Post reads the raw body ([DisableFormValueModelBinding]); \
                     the document declares none",
        },
        Departure {
            method: "POST",
            template: leak(format!("{INSTANCE_PATH}/data/type/{{dataType}}")),
            status: Some(200),
            spec: None,
            body: BodyRule::Schema(json!({"$ref": "#/components/schemas/DataPostResponse"})),
            source: "DataController.Post returns the DataPostResponse value, so 200 (app-lib's \
                     DataController_PostTests expect 200; the document declares 201)",
        },
        Departure {
            method: "POST",
            template: leak(format!("{INSTANCE_PATH}/data/type/{{dataType}}")),
            status: Some(403),
            spec: None,
            body: problem(),
            source: "DataElementAccessChecker.GetMutationProblem: 403 ProblemDetails for \
                     ref-data-as-pdf and app-owned (allowedContributors) data types",
        },
        Departure {
            method: "PUT",
            template: leak(format!("{INSTANCE_PATH}/process/next")),
            status: Some(200),
            spec: Some("app-backend-v9"),
            body: BodyRule::Schema(json!({"$ref": "#/components/schemas/AppProcessState"})),
            source: "v9 declares only the EnrichedInstanceResponse of ?returnInstance=true; \
                     without it the answer is still AppProcessState (audit §4)",
        },
    ]
}
