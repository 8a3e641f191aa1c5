//! Dialogporten's end-user API as the Dialogporten adapter mirrors app instances.

use super::prelude::*;

pub(crate) fn dialog_status(instance: &StoredInstance) -> &'static str {
    match instance.task.map(|i| PROCESS[i].1) {
        None => "Completed",
        Some("data") => "Draft",
        Some(_) => "InProgress",
    }
}

pub(crate) fn dialog_json(
    shared: &Shared,
    instance: &StoredInstance,
    party: &Party,
    full: bool,
) -> Value {
    let (org, app) = instance.app_id.split_once('/').unwrap_or_default();
    let summary = match instance.task.map(|i| PROCESS[i].1) {
        Some("signing") => "Innsendingen må signeres for å gå til neste steg.",
        Some("confirmation") => "Innsendingen må bekreftes.",
        Some(_) => "Skjemaet er under utfylling.",
        None => "Innsendingen er fullført.",
    };
    let mut dialog = json!({
        "id": instance.dialog_id,
        "org": org,
        "serviceResource": format!("urn:altinn:resource:app_{org}_{app}"),
        "serviceResourceType": "AltinnApp",
        "party": party.urn(),
        "status": dialog_status(instance),
        "createdAt": instance.started,
        "updatedAt": instance.last_changed,
        "contentUpdatedAt": instance.last_changed,
        "isApiOnly": false,
        "hasUnopenedContent": true,
        "systemLabel": "Default",
        "content": {
            "title": {"mediaType": "text/plain", "value": [{"languageCode": "nb", "value": format!("{app} ({org})")}]},
            "summary": {"mediaType": "text/plain", "value": [{"languageCode": "nb", "value": summary}]},
        },
    });
    if full {
        // The Dialogporten adapter's go-to action: always `read` since 2026-04-21 ("We
        // offload the handling of missing write/sign permissions to the app",
        // StorageDialogportenDataMerger.cs), attributed to the current task; the URL opens
        // the app at the instance, or the receipt once archived (ROUTES-without-openapi.md).
        let attribute = instance
            .task
            .map(|i| format!("urn:altinn:task:{}", PROCESS[i].0));
        let goto = match instance.task {
            Some(_) => format!(
                "{}/{}/?dontChooseReportee=true#/instance/{}/{}",
                shared.base_url, instance.app_id, instance.party_id, instance.guid
            ),
            None => format!(
                "{}/receipt/{}/{}",
                shared.base_url, instance.party_id, instance.guid
            ),
        };
        let encoded: String = url::form_urlencoded::byte_serialize(goto.as_bytes()).collect();
        let read_url = if instance.task.is_some() {
            app_base(shared, instance)
        } else {
            storage_base(shared, instance)
        };
        let title = match instance.task.map(|i| PROCESS[i].1) {
            Some("signing") => "Gå til signering",
            _ => "Gå til skjema",
        };
        dialog["guiActions"] = json!([{
            "id": guid(), "action": "read", "isAuthorized": true, "isDeleteDialogAction": false,
            "authorizationAttribute": attribute,
            "priority": "Primary", "httpMethod": "GET",
            "url": format!("{}/authentication/api/v1/authentication?goto={encoded}", shared.base_url),
            "title": [{"languageCode": "nb", "value": title}],
        }]);
        dialog["apiActions"] = json!([{
            "id": guid(), "action": "read", "isAuthorized": true, "name": null,
            "endpoints": [{"id": guid(), "version": "1.0", "httpMethod": "GET", "url": read_url,
                           "deprecated": false}],
        }]);
        dialog["attachments"] = json!([]);
        dialog["transmissions"] = json!([]);
        dialog["activities"] = json!([]);
    }
    dialog
}

pub(crate) async fn search_dialogs(
    State(shared): Shr,
    RawQuery(raw): RawQuery,
    DialogCaller(caller, access): DialogCaller,
) -> Response {
    let pairs = query_pairs(raw.as_deref());
    let all = |name: &str| -> Vec<String> {
        pairs
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
            .collect()
    };
    let (parties, resources, statuses) = (all("party"), all("serviceResource"), all("status"));
    if parties.is_empty() && resources.is_empty() {
        return validation_problem("", "Either ServiceResource or Party must be specified.");
    }
    // `limit` is 1–1000, default 100 (SearchDialogQueryValidator); out of range is a 400.
    let limit = match all("limit").first().map(|l| l.parse::<usize>()) {
        None => 100,
        Some(Ok(limit)) if (1..=1000).contains(&limit) => limit,
        Some(_) => {
            return validation_problem("Limit", "'Limit' must be between 1 and 1000.");
        }
    };
    let offset = match all("continuationToken").first() {
        Some(token) => match token.parse::<usize>() {
            Ok(offset) => offset,
            Err(_) => return problem(StatusCode::BAD_REQUEST, "Invalid continuation token", None),
        },
        None => 0,
    };
    let urn = caller.urn();
    let keep = |i: &StoredInstance| {
        let (org, app) = i.app_id.split_once('/').unwrap_or_default();
        // Only what the caller is authorised for: their own party's instances.
        i.party_id == caller.party_id
            && access.may(&i.app_id, "read")
            && (parties.is_empty() || parties.contains(&urn))
            && (resources.is_empty()
                || resources.contains(&format!("urn:altinn:resource:app_{org}_{app}")))
            && (statuses.is_empty()
                || statuses
                    .iter()
                    .any(|s| s.eq_ignore_ascii_case(dialog_status(i))))
    };
    let (items, more) = newest_first_page(&shared, keep, offset, limit, |i| {
        dialog_json(&shared, i, &caller, false)
    });
    json_ok(
        StatusCode::OK,
        &json!({"items": items, "hasNextPage": more,
                "continuationToken": if more { json!((offset + limit).to_string()) } else { Value::Null },
                "orderBy": "createdat_desc,id_desc"}),
    )
}

pub(crate) async fn get_dialog(
    State(shared): Shr,
    Path(id): Path<String>,
    DialogCaller(caller, access): DialogCaller,
) -> Response {
    let instance = shared
        .world()
        .instances
        .iter()
        .find(|i| {
            i.dialog_id == id && i.party_id == caller.party_id && access.may(&i.app_id, "read")
        })
        .cloned();
    match instance {
        Some(instance) => json_ok(
            StatusCode::OK,
            &dialog_json(&shared, &instance, &caller, true),
        ),
        None => problem(
            StatusCode::NOT_FOUND,
            "Not Found",
            Some(&format!(
                "Entity 'DialogEntity' with key '{id}' was not found."
            )),
        ),
    }
}

/// Dialogporten's 400: ValidationProblemDetails with `errors` and `traceId`
/// (ErrorResponseBuilderExtensions, ROUTES-without-openapi.md).
fn validation_problem(property: &str, message: &str) -> Response {
    let body = json!({
        "type": "https://tools.ietf.org/html/rfc7231#section-6.5.1",
        "title": "One or more validation errors occurred.",
        "status": 400,
        "instance": "/api/v1/enduser/dialogs",
        "errors": {property: [message]},
        "traceId": format!("00-{}-{}-01", random_hex(), &random_hex()[..16]),
    });
    problem_json(StatusCode::BAD_REQUEST, &body)
}

/// `GET dialoglookup?instanceRef=urn:altinn:instance-id:{partyId}/{guid}`: the dialog
/// mirroring an app instance the caller may see, with the authorisation evidence.
pub(crate) async fn dialog_lookup(
    State(shared): Shr,
    DialogCaller(caller, access): DialogCaller,
    RawQuery(raw): RawQuery,
) -> Response {
    let Some(reference) = query_pairs(raw.as_deref())
        .into_iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("instanceRef"))
        .map(|(_, v)| v)
    else {
        return validation_problem("InstanceRef", "'Instance Ref' must not be empty.");
    };
    let Some((party, guid)) = reference
        .strip_prefix("urn:altinn:instance-id:")
        .and_then(|rest| rest.split_once('/'))
    else {
        return validation_problem(
            "InstanceRef",
            "'Instance Ref' is not a valid instance reference.",
        );
    };
    let instance = shared
        .world()
        .instances
        .iter()
        .find(|i| {
            i.party_id.to_string() == party
                && i.guid == guid
                && i.party_id == caller.party_id
                && access.may(&i.app_id, "read")
        })
        .cloned();
    let Some(instance) = instance else {
        return problem(
            StatusCode::NOT_FOUND,
            "Resource not found.",
            Some(&format!(
                "Entity 'Dialog' with key '{reference}' was not found."
            )),
        );
    };
    let (org, app) = instance.app_id.split_once('/').unwrap_or_default();
    json_ok(
        StatusCode::OK,
        &json!({
            "dialogId": instance.dialog_id,
            "instanceRef": reference,
            "party": caller.urn(),
            "serviceOwner": {"code": org, "orgNumber": "991825827",
                             "name": [{"languageCode": "nb", "value": org}]},
            "serviceResource": {"id": format!("urn:altinn:resource:app_{org}_{app}"),
                                "isDelegable": true, "minimumAuthenticationLevel": 2,
                                "name": [{"languageCode": "nb", "value": app}]},
            "authorizationEvidence": {"currentAuthenticationLevel": 3, "viaRole": true,
                                      "viaAccessPackage": false, "viaResourceDelegation": false,
                                      "viaInstanceDelegation": false, "evidence": []},
            "title": [{"languageCode": "nb", "value": format!("{app} ({org})")}],
        }),
    )
}
