//! Signing: recording a signature (as Storage's sign call does), `GET …/signing` and `…/signing/data-elements`.

use super::prelude::*;

/// Records `party`'s signature over the documents, as Storage's sign call does.
pub(crate) fn record_signature(instance: &mut StoredInstance, party: &Party) {
    // Signing again replaces the signee's earlier SignDocument (SigningService, audit L4).
    let user = party.user_id.to_string();
    instance.data.retain(|d| {
        d.data_type != SIGNATURE_DATA_TYPE
            || serde_json::from_slice::<Value>(&d.content)
                .map_or(true, |v| v["signeeInfo"]["userId"] != user.as_str())
    });
    instance.signed_by.retain(|(p, _)| *p != party.party_id);
    let signed_time = now();
    let signatures: Vec<Value> = instance
        .data
        .iter()
        .filter(|d| d.data_type == DOCUMENT_DATA_TYPE)
        .map(|d| {
            let hash = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &d.content);
            let hex: String = hash.as_ref().iter().map(|b| format!("{b:02x}")).collect();
            json!({"dataElementId": d.id, "sha256Hash": hex, "signed": true})
        })
        .collect();
    for data in instance
        .data
        .iter_mut()
        .filter(|d| d.data_type == DOCUMENT_DATA_TYPE)
    {
        data.locked = true;
    }
    let id = guid();
    let mut signee = json!({"userId": party.user_id.to_string()});
    if let Some(pid) = &party.person_number {
        signee["personNumber"] = json!(pid);
    }
    if let Some(org) = &party.organisation_number {
        signee["organisationNumber"] = json!(org);
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
        .push((party.party_id, signed_time.clone()));
    instance.last_changed = signed_time;
}

pub(crate) fn at_signing(instance: &StoredInstance) -> Result<(), Response> {
    if instance.task.map(|i| PROCESS[i].1) == Some("signing") {
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
    Path(path): InstancePath,
    Caller(caller): Caller,
) -> Response {
    let result = with_instance(&shared, &caller, &path, |instance, _| {
        at_signing(instance)?;
        Ok(instance.signed_by.clone())
    });
    match result {
        Ok(signed_by) => {
            let world = shared.world();
            let states: Vec<Value> = signed_by
                .iter()
                .map(|(party_id, time)| {
                    let party = world.party(*party_id);
                    let person = party.and_then(|p| p.person_number.as_ref()).is_some();
                    json!({
                        "name": party.filter(|_| person).map(|p| p.name.clone()),
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
            json_ok(StatusCode::OK, &json!({"signeeStates": states}))
        }
        Err(refusal) => refusal,
    }
}

pub(crate) async fn signing_data_elements(
    State(shared): Shr,
    Path(path): InstancePath,
    Caller(caller): Caller,
) -> Response {
    let result = with_instance(&shared, &caller, &path, |instance, _| {
        at_signing(instance)?;
        Ok(instance.clone())
    });
    match result {
        Ok(instance) => {
            let elements: Vec<Value> = instance
                .data
                .iter()
                .filter(|d| d.data_type == DOCUMENT_DATA_TYPE)
                .map(|d| data_json(&shared, &instance, d, View::AppModel))
                .collect();
            json_ok(StatusCode::OK, &json!({"dataElements": elements}))
        }
        Err(refusal) => refusal,
    }
}
