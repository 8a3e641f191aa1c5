//! Signing: recording a signature (as Storage's sign call does), `GET …/signing` and `…/signing/data-elements`.

use super::super::state::Actor;
use super::prelude::*;

/// Records the caller's signature over the documents, as Storage's sign call does.
pub(crate) fn record_signature(
    instance: &mut StoredInstance,
    caller: &Caller,
    on_behalf_of: Option<&Party>,
) {
    let Caller(party, access) = caller;
    // Signing again replaces the signee's earlier SignDocument (SigningService, audit L4).
    // The signee is the organisation when signing on its behalf
    // (SigningUserAction.GetSignee: OrganisationNumber = OnBehalfOf). A system user's
    // signee is its id alone: `systemUserId`, no user id or identity number, and the
    // organisation number only with `onBehalfOf`, which system users cannot give
    // (SigningUserAction.GetSignee, HandleOnBehalfOf).
    let signee_party = on_behalf_of.unwrap_or(party);
    let system_user = access.system_user();
    let (key_name, key) = match system_user {
        Some(id) => ("systemUserId", id.to_owned()),
        None => ("userId", party.user_id.to_string()),
    };
    let org = on_behalf_of.and_then(|o| o.organisation_number.clone());
    instance.data.retain(|d| {
        d.data_type != SIGNATURE_DATA_TYPE
            || serde_json::from_slice::<Value>(&d.content).map_or(true, |v| {
                v["signeeInfo"][key_name] != key.as_str()
                    || v["signeeInfo"]["organisationNumber"].as_str() != org.as_deref()
            })
    });
    instance
        .signed_by
        .retain(|(p, _)| *p != signee_party.party_id);
    instance
        .signed_by_system_user
        .retain(|(p, _)| *p != signee_party.party_id);
    let signed_time = now();
    let signatures: Vec<Value> = instance
        .data
        .iter()
        .filter(|d| DATA_TYPES_TO_SIGN.contains(&d.data_type.as_str()))
        .map(|d| {
            let hash = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &d.content);
            let hex: String = hash.as_ref().iter().map(|b| format!("{b:02x}")).collect();
            json!({"dataElementId": d.id, "sha256Hash": hex, "signed": true})
        })
        .collect();
    for data in instance
        .data
        .iter_mut()
        .filter(|d| DATA_TYPES_TO_SIGN.contains(&d.data_type.as_str()))
    {
        data.locked = true;
    }
    let id = guid();
    let mut signee = json!({key_name: key});
    if system_user.is_none() {
        if let Some(pid) = &party.person_number {
            signee["personNumber"] = json!(pid);
        }
        if let Some(org) = org.as_ref().or(party.organisation_number.as_ref()) {
            signee["organisationNumber"] = json!(org);
        }
    }
    let document = json!({
        "id": id,
        "instanceGuid": instance.guid,
        "signedTime": signed_time,
        "signeeInfo": signee,
        "dataElementSignatures": signatures,
    });
    instance.data.push(StoredData {
        id,
        data_type: SIGNATURE_DATA_TYPE.to_owned(),
        content_type: "application/json".to_owned(),
        filename: Some(format!("{SIGNATURE_DATA_TYPE}.json")),
        content: document.to_string().into_bytes(),
        created: signed_time.clone(),
        locked: true,
    });
    instance
        .signed_by
        .push((signee_party.party_id, signed_time.clone()));
    if let Some(id) = system_user {
        instance
            .signed_by_system_user
            .push((signee_party.party_id, id.to_owned()));
    }
    instance.last_changed = signed_time;
}

/// The instance in the path at the signing task `?taskId=` names (else the current one), as
/// [`signing_instance`] finds it for the caller; its refusals answer before the handler runs.
#[derive(Debug)]
pub(crate) struct AtSigning(pub(crate) StoredInstance);

impl axum::extract::FromRequestParts<Arc<Shared>> for AtSigning {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        shared: &Arc<Shared>,
    ) -> Result<Self, Response> {
        let Path(path) = InstancePath::from_request_parts(parts, shared)
            .await
            .map_err(IntoResponse::into_response)?;
        let caller = Caller::from_request_parts(parts, shared).await?;
        let Ok(RawQuery(raw)) = RawQuery::from_request_parts(parts, shared).await;
        signing_instance(shared, &caller, &path, raw.as_deref()).map(AtSigning)
    }
}

/// The instance in the path (see [`with_instance`]) at the signing task `raw` asks for
/// ([`at_signing`]), as it is now.
fn signing_instance(
    shared: &Shared,
    caller: &Caller,
    path: &(String, String, u64, String),
    raw: Option<&str>,
) -> Result<StoredInstance, Response> {
    with_instance(shared, caller, path, |instance, _| {
        at_signing(instance, raw)?;
        Ok(instance.clone())
    })
}

/// The signing task asked for: `?taskId=` (since app-lib 8.9: data of a signing task
/// the process has left) or else the current task.
pub(crate) fn at_signing(instance: &StoredInstance, raw: Option<&str>) -> Result<(), Response> {
    let task_id = query_pairs(raw)
        .into_iter()
        .find(|(k, _)| k == "taskId")
        .map(|(_, v)| v);
    let kind = match &task_id {
        Some(id) => PROCESS.iter().find(|(t, _)| t == id).map(|(_, k)| *k),
        None => instance.task.map(|i| PROCESS[i].1),
    };
    if kind == Some("signing") {
        Ok(())
    } else {
        Err(problem(
            StatusCode::BAD_REQUEST,
            "Not a signing task",
            Some("This endpoint is only callable while the current task is a signing task."),
        ))
    }
}

pub(crate) async fn signing(
    State(shared): Shr,
    AtSigning(instance): AtSigning,
) -> Result<Response, Response> {
    let world = shared.world();
    let states: Vec<Value> = instance
        .signed_by
        .iter()
        .map(|(party_id, time)| {
            let party = world.party(*party_id);
            let person = party.and_then(|p| p.person_number.as_ref()).is_some();
            // A system user's signature shows as "System" for its organisation
            // (SigningController: SystemSignee → name "System").
            let system = instance
                .signed_by_system_user
                .iter()
                .any(|(p, _)| p == party_id);
            json!({
                "name": if system { Some("System".to_owned()) }
                        else { party.filter(|_| person).map(|p| p.name.clone()) },
                "organization": party.filter(|_| !person).map(|p| p.name.clone()),
                "delegationSuccessful": true,
                // Signees without runtime delegation: delegated and "Sent"
                // (SignDocumentManager, audit L3).
                "notificationStatus": "Sent",
                "partyId": party_id,
                "signedTime": time,
            })
        })
        .collect();
    Ok(json_ok(StatusCode::OK, &json!({"signeeStates": states})))
}

pub(crate) async fn signing_data_elements(
    State(shared): Shr,
    AtSigning(instance): AtSigning,
) -> Result<Response, Response> {
    let elements: Vec<Value> = instance
        .data
        .iter()
        .filter(|d| DATA_TYPES_TO_SIGN.contains(&d.data_type.as_str()))
        .map(|d| data_json(&shared, &instance, d, View::AppModel))
        .collect();
    Ok(json_ok(StatusCode::OK, &json!({"dataElements": elements})))
}

/// `GET …/signing/organizations`: the organisations the user may sign for (key roles);
/// 401 unless the caller is a user, not a system user (SigningController).
pub(crate) async fn signing_organizations(
    State(shared): Shr,
    Path(path): InstancePath,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, Response> {
    if caller.1.actor != Actor::Person {
        return Err(unauthorized());
    }
    signing_instance(&shared, &caller, &path, raw.as_deref())?;
    let world = shared.world();
    let organizations: Vec<Value> = world
        .key_roles
        .iter()
        .filter(|(person, _)| *person == caller.0.party_id)
        .filter_map(|(_, org)| world.party(*org))
        .map(|org| {
            json!({"orgNumber": org.organisation_number, "orgName": org.name,
                   "partyId": org.party_id})
        })
        .collect();
    Ok(json_ok(
        StatusCode::OK,
        &json!({"organizations": organizations}),
    ))
}

/// What a JSON request to act (`POST …/actions`, `PUT …/process/next`) asks: its `action`,
/// and the organisation its `on_behalf_field` names; `refused` answers if the caller may not
/// act for it. A body that is not JSON asks for nothing.
pub(crate) fn requested_action(
    shared: &Shared,
    caller: &Caller,
    body: &[u8],
    on_behalf_field: &str,
    refused: impl FnOnce() -> Response,
) -> Result<(Option<String>, Option<Party>), Response> {
    let request = serde_json::from_slice::<Value>(body).unwrap_or(Value::Null);
    let action = request["action"].as_str().map(str::to_owned);
    let for_org =
        on_behalf_of(shared, caller, request[on_behalf_field].as_str()).map_err(|()| refused())?;
    Ok((action, for_org))
}

/// The organisation `onBehalfOf` names, if the caller is a user holding a key role in it
/// (system users cannot sign on behalf: SigningUserAction.HandleOnBehalfOf).
fn on_behalf_of(
    shared: &Shared,
    Caller(caller, access): &Caller,
    organisation_number: Option<&str>,
) -> Result<Option<Party>, ()> {
    let Some(number) = organisation_number.filter(|n| !n.is_empty()) else {
        return Ok(None);
    };
    if access.actor != Actor::Person {
        return Err(());
    }
    let world = shared.world();
    let org = world
        .party_by_org(number)
        .filter(|org| world.key_roles.contains(&(caller.party_id, *org)))
        .and_then(|org| world.party(org).cloned());
    org.map(Some).ok_or(())
}
