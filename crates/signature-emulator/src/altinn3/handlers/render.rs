//! Instances, data elements and process states as the app and Storage write them.

use super::prelude::*;

pub(crate) fn app_base(shared: &Shared, instance: &StoredInstance) -> String {
    format!(
        "{}/{}/instances/{}/{}",
        shared.base_url, instance.app_id, instance.party_id, instance.guid
    )
}

pub(crate) fn storage_base(shared: &Shared, instance: &StoredInstance) -> String {
    format!(
        "{}/storage/api/v1/instances/{}/{}",
        shared.base_url, instance.party_id, instance.guid
    )
}

/// Which serialisation of an instance: the app's `InstanceResponse` (GET/POST instances),
/// the Storage model as the app writes it (System.Text.Json: nulls kept, `readStatus` an
/// integer; inside `UserActionResponse`), or as Storage writes it (Newtonsoft: nulls
/// left out, `readStatus` a string).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum View {
    AppResponse,
    AppModel,
    Storage,
}

pub(crate) fn data_json(
    shared: &Shared,
    instance: &StoredInstance,
    data: &StoredData,
    view: View,
) -> Value {
    let mut links =
        json!({"platform": format!("{}/data/{}", storage_base(shared, instance), data.id)});
    if view != View::Storage {
        // Storage answers carry only the platform link (audit L6).
        links["apps"] = json!(format!("{}/data/{}", app_base(shared, instance), data.id));
    }
    let value = json!({
        "id": data.id,
        "instanceGuid": instance.guid,
        "dataType": data.data_type,
        "filename": data.filename,
        "contentType": data.content_type,
        "size": data.content.len(),
        "locked": data.locked,
        "isRead": true,
        "created": data.created,
        "createdBy": instance.created_by,
        "lastChanged": data.created,
        "lastChangedBy": instance.created_by,
        "selfLinks": links,
    });
    finish(value, view)
}

/// Newtonsoft's `NullValueHandling.Ignore` for Storage answers.
pub(crate) fn finish(mut value: Value, view: View) -> Value {
    if view == View::Storage {
        strip_nulls(&mut value);
    }
    value
}

pub(crate) fn strip_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(strip_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}

/// The current task as Storage's `ProcessElementInfo` (what instances carry).
pub(crate) fn task_info(instance: &StoredInstance, index: usize) -> Value {
    let (element_id, kind) = PROCESS[index];
    json!({
        "flow": index + 2,
        "started": instance.task_started,
        "elementId": element_id,
        "name": element_id,
        "altinnTaskType": kind,
        "ended": null,
        "validated": null,
        "flowType": "CompleteCurrentMoveToNext",
    })
}

/// Storage's `ProcessState`: no `actions`, `userActions` or `processTasks` (audit M6).
pub(crate) fn storage_process_json(instance: &StoredInstance) -> Value {
    json!({
        "started": instance.started,
        "startEvent": "StartEvent_1",
        "currentTask": instance.task.map(|i| task_info(instance, i)),
        "ended": instance.ended,
        "endEvent": instance.ended.as_ref().map(|_| "EndEvent_1"),
    })
}

/// The app's `AppProcessState` (`GET …/process`, `PUT …/process/next`): the task with the
/// caller's authorised actions (`allowed` decides each, as the app asks the PDP).
pub(crate) fn process_json(instance: &StoredInstance, allowed: impl Fn(&str) -> bool) -> Value {
    let tasks: Vec<Value> = PROCESS
        .iter()
        .map(|(id, kind)| json!({"elementId": id, "altinnTaskType": kind, "elementType": "Task"}))
        .collect();
    let mut state = storage_process_json(instance);
    state["processTasks"] = json!(tasks);
    if let Some(index) = instance.task {
        let names: &[&str] = match PROCESS[index].1 {
            "data" => &["read", "write"],
            "signing" => &["read", "write", "sign", "reject"],
            _ => &["read", "write", "confirm"],
        };
        let actions: serde_json::Map<String, Value> = names
            .iter()
            .map(|name| ((*name).to_owned(), json!(allowed(name))))
            .collect();
        let user_actions: Vec<Value> = names
            .iter()
            .map(|name| json!({"id": name, "authorized": allowed(name), "type": "ProcessAction"}))
            .collect();
        let task = &mut state["currentTask"];
        task["actions"] = Value::Object(actions);
        task["userActions"] = json!(user_actions);
        task["read"] = json!(allowed("read"));
        task["write"] = json!(allowed("write"));
        task["elementType"] = json!("Task");
    }
    state
}

/// The app's `PartyResponse` of the owner (partyTypeName 1 = person, 2 = organisation).
pub(crate) fn party_json(party: &Party) -> Value {
    json!({
        "partyId": party.party_id,
        "partyUuid": party.uuid(),
        "partyTypeName": if party.person_number.is_some() { 1 } else { 2 },
        "ssn": party.person_number,
        "orgNumber": party.organisation_number,
        "unitType": party.organisation_number.as_ref().map(|_| "AS"),
        "name": party.name,
        "isDeleted": false,
    })
}

pub(crate) fn instance_json(shared: &Shared, instance: &StoredInstance, view: View) -> Value {
    let owner_party = shared.world().party(instance.party_id).cloned();
    let mut owner = json!({
        "partyId": instance.party_id.to_string(),
        "personNumber": owner_party.as_ref().and_then(|p| p.person_number.clone()),
        "organisationNumber": owner_party.as_ref().and_then(|p| p.organisation_number.clone()),
        "username": null,
        "externalIdentifier": null,
    });
    if view == View::AppResponse {
        owner["party"] = owner_party.as_ref().map(party_json).unwrap_or(Value::Null);
    }
    let (org, _) = instance.app_id.split_once('/').unwrap_or_default();
    let archived = instance.task.is_none();
    let value = json!({
        "id": format!("{}/{}", instance.party_id, instance.guid),
        "instanceOwner": owner,
        "appId": instance.app_id,
        "org": org,
        "selfLinks": {
            "apps": if view == View::Storage { Value::Null } else { json!(app_base(shared, instance)) },
            "platform": storage_base(shared, instance),
        },
        "dueBefore": instance.due_before,
        "visibleAfter": null,
        "process": storage_process_json(instance),
        "status": {
            "isArchived": archived,
            "archived": instance.ended,
            "isSoftDeleted": false,
            "softDeleted": null,
            "isHardDeleted": false,
            "hardDeleted": null,
            // ReadStatus.Read: an integer from the app, a string from Storage (audit L5).
            "readStatus": if view == View::Storage { json!("Read") } else { json!(1) },
            "substatus": null,
        },
        "completeConfirmations": null,
        "data": instance.data.iter().map(|d| data_json(shared, instance, d, view)).collect::<Vec<_>>(),
        "presentationTexts": null,
        "dataValues": null,
        "created": instance.started,
        "createdBy": instance.created_by,
        "lastChanged": instance.last_changed,
        "lastChangedBy": instance.created_by,
    });
    finish(value, view)
}

pub(crate) fn data_answer(data: &StoredData) -> Response {
    let mut response = (StatusCode::OK, data.content.clone()).into_response();
    if let Ok(value) = HeaderValue::from_str(&data.content_type) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    if let Some(file) = &data.filename {
        let safe: String = file
            .chars()
            .filter(|c| c.is_ascii_graphic() && *c != '"')
            .collect();
        if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{safe}\"")) {
            response
                .headers_mut()
                .insert(header::CONTENT_DISPOSITION, value);
        }
    }
    response
}
