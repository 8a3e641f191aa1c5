//! Storage: the instance query with paging, instances and data by the platform URL.

use super::prelude::*;

pub(crate) async fn storage_query(
    State(shared): Shr,
    RawQuery(raw): RawQuery,
    Caller(caller, access): Caller,
) -> Response {
    let pairs = query_pairs(raw.as_deref());
    let param = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let Some(party) = param("instanceOwner.partyId") else {
        return json_string(
            StatusCode::BAD_REQUEST,
            "Either InstanceOwnerPartyId or InstanceOwnerIdentifier need to be defined.",
        );
    };
    let Ok(party) = party.parse::<u64>() else {
        return json_string(
            StatusCode::BAD_REQUEST,
            "instanceOwner.partyId must be a number",
        );
    };
    if party != caller.party_id {
        return StatusCode::FORBIDDEN.into_response();
    }
    let size = param("size")
        .and_then(|s| s.parse::<usize>().ok())
        .unwrap_or(100)
        .max(1);
    let offset = match param("continuationToken") {
        Some(token) => match token.parse::<usize>() {
            Ok(offset) => offset,
            Err(_) => return json_string(StatusCode::BAD_REQUEST, "Invalid continuation token"),
        },
        None => 0,
    };
    let keep = |i: &StoredInstance| {
        i.party_id == party
            // End users' pages are filtered by authorisation (InstancesController).
            && access.may(&i.app_id, "read")
            && param("appId").is_none_or(|a| a == i.app_id)
            && param("process.currentTask")
                .is_none_or(|t| i.task.map(|x| PROCESS[x].0) == Some(t.as_str()))
            && param("status.isArchived").is_none_or(|a| (a == "true") == i.task.is_none())
    };
    let (page, more) = newest_first_page(&shared, keep, offset, size, |i| {
        instance_json(&shared, i, View::Storage)
    });
    let self_url = format!(
        "{}/storage/api/v1/instances?{}",
        shared.base_url,
        raw.as_deref().unwrap_or_default()
    );
    let mut body = json!({"count": page.len(), "self": self_url, "instances": page});
    if more {
        let mut next: Vec<(String, String)> = pairs
            .iter()
            .filter(|(k, _)| k != "continuationToken")
            .cloned()
            .collect();
        next.push(("continuationToken".to_owned(), (offset + size).to_string()));
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(next)
            .finish();
        body["next"] = json!(format!(
            "{}/storage/api/v1/instances?{query}",
            shared.base_url
        ));
    }
    json_ok(StatusCode::OK, &body)
}

pub(crate) fn storage_lookup(
    shared: &Shared,
    Caller(caller, access): &Caller,
    party: u64,
    guid: &str,
) -> Result<StoredInstance, Response> {
    let instance = shared
        .world()
        .instances
        .iter()
        .find(|i| i.party_id == party && i.guid == guid)
        .cloned()
        .ok_or_else(|| {
            json_string(
                StatusCode::NOT_FOUND,
                &format!("Unable to find instance {guid}"),
            )
        })?;
    if instance.party_id != caller.party_id || !access.may(&instance.app_id, "read") {
        return Err(StatusCode::FORBIDDEN.into_response());
    }
    Ok(instance)
}

pub(crate) async fn storage_instance(
    State(shared): Shr,
    Path((party, guid)): Path<(u64, String)>,
    caller: Caller,
) -> Result<Response, Response> {
    let instance = storage_lookup(&shared, &caller, party, &guid)?;
    Ok(json_ok(
        StatusCode::OK,
        &instance_json(&shared, &instance, View::Storage),
    ))
}

pub(crate) async fn storage_data(
    State(shared): Shr,
    Path((party, guid, data)): Path<(u64, String, String)>,
    caller: Caller,
) -> Result<Response, Response> {
    let instance = storage_lookup(&shared, &caller, party, &guid)?;
    Ok(match instance.data.iter().find(|d| d.id == data) {
        Some(data) => data_answer(data),
        None => json_string(StatusCode::NOT_FOUND, "Unable to find data element"),
    })
}
