//! User actions: `POST …/actions`.

use super::prelude::*;

pub(crate) async fn actions(
    State(shared): Shr,
    Path(path): InstancePath,
    caller: Caller,
    body: Bytes,
) -> Result<Response, Response> {
    // `onBehalfOf`: an organisation the user holds a key role in (SigningUserAction answers
    // UnauthorizedOnBehalfOf otherwise).
    let (action, for_org) = requested_action(&shared, &caller, &body, "onBehalfOf", || {
        json_ok(
            StatusCode::FORBIDDEN,
            &json!({"instance": null, "updatedDataModels": null, "updatedValidationIssues": null,
                    "clientActions": null, "redirectUrl": null,
                    "error": {"code": "UnauthorizedOnBehalfOf",
                              "message": "The user may not sign on behalf of the organisation"}}),
        )
    })?;
    let guid = path.3.clone();
    let instance = with_instance(&shared, &caller, &path, |instance, caller| {
        let Some(action) = action else {
            let body = json!({"type": "https://tools.ietf.org/html/rfc9110#section-15.5.1",
                "title": "Action is missing", "detail": "Action is missing in the request",
                "status": 400, "instance": guid});
            return Err(problem_json(StatusCode::BAD_REQUEST, &body));
        };
        let Some(index) = instance.task else {
            return Err(json_string(StatusCode::CONFLICT, "Process is ended."));
        };
        // ActionsController: only a user or a system user performs actions (401), then
        // authorisation of the action on the task (403), then a handler for it (404).
        if !caller.1.can_sign() {
            return Err(unauthorized());
        }
        let authorised = process_json(instance, |a| caller.1.may(&instance.app_id, a))["currentTask"]
            ["actions"][action.as_str()]
            == true;
        if !authorised {
            return Err(StatusCode::FORBIDDEN.into_response());
        }
        if action != "sign" {
            return Err(json_ok(
                StatusCode::NOT_FOUND,
                &json!({"instance": null, "updatedDataModels": null, "updatedValidationIssues": null,
                        "clientActions": null, "redirectUrl": null,
                        "error": {"code": "ActionNotFound", "message": format!("Action handler with id {action} not found")}}),
            ));
        }
        if PROCESS[index].1 != "signing" {
            return Err(StatusCode::FORBIDDEN.into_response());
        }
        record_signature(instance, caller, for_org.as_ref());
        Ok(instance.clone())
    })?;
    Ok(json_ok(
        StatusCode::OK,
        &json!({"instance": instance_json(&shared, &instance, View::AppModel),
                "updatedDataModels": {}, "updatedValidationIssues": {},
                "clientActions": [], "error": null, "redirectUrl": null}),
    ))
}
