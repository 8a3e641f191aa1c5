//! The app's process: `GET …/process` and `PUT …/process/next`.

use super::prelude::*;

pub(crate) async fn get_process(
    State(shared): Shr,
    Path(path): InstancePath,
    caller: Caller,
) -> Result<Response, Response> {
    let permitted = |i: &mut StoredInstance, c: &Caller| {
        Ok(process_json(i, |action| c.1.may(&i.app_id, action)))
    };
    let state = with_instance(&shared, &caller, &path, permitted)?;
    Ok(json_ok(StatusCode::OK, &state))
}

/// ProcessController's 403 (audit §2 #7, L1).
pub(crate) fn not_authorized(action: &str, task: &str, kind: &str) -> Response {
    problem(
        StatusCode::FORBIDDEN,
        "Forbidden",
        Some(&format!(
            "User is not authorized to perform process next. Task ID: {task}. Task type: {kind}. Action: {action}."
        )),
    )
}

/// ProcessController's 409: `detail` carries the reason, `title` is null, and
/// `validationIssues` is an extension (audit L1).
pub(crate) fn conflict(detail: &str, issues: Value) -> Response {
    let body = json!({
        "type": "https://tools.ietf.org/html/rfc9110#section-15.5.10",
        "title": null,
        "status": 409,
        "detail": detail,
        "validationIssues": issues,
    });
    problem_json(StatusCode::CONFLICT, &body)
}

pub(crate) fn advance(instance: &mut StoredInstance) {
    let stamp = now();
    instance.task = match instance.task {
        Some(index) if index + 1 < PROCESS.len() => Some(index + 1),
        _ => {
            instance.ended = Some(stamp.clone());
            None
        }
    };
    instance.task_started = stamp.clone();
    instance.last_changed = stamp.clone();
    if instance.task.map(|i| PROCESS[i].1) == Some("signing")
        && !instance
            .data
            .iter()
            .any(|d| d.data_type == DOCUMENT_DATA_TYPE)
    {
        let lines = vec![
            format!("Instance {}", instance.guid),
            format!("App {}", instance.app_id),
            "Rendered for signing by the Altinn 3 emulator".to_owned(),
        ];
        instance.data.push(StoredData {
            id: guid(),
            data_type: GENERATED_PDF_DATA_TYPE.to_owned(),
            content_type: "application/pdf".to_owned(),
            filename: Some("skjema.pdf".to_owned()),
            content: pdf::print(&lines),
            created: stamp,
            locked: false,
        });
    }
}

pub(crate) async fn process_next(
    State(shared): Shr,
    Path(path): InstancePath,
    caller: Caller,
    body: Bytes,
) -> Result<Response, Response> {
    // `actionOnBehalfOf`: an organisation the user holds a key role in, else 403.
    let (action, for_org) = requested_action(&shared, &caller, &body, "actionOnBehalfOf", || {
        problem(
            StatusCode::FORBIDDEN,
            "Forbidden",
            Some("User is not authorized to act on behalf of the organisation."),
        )
    })?;
    let state = with_instance(&shared, &caller, &path, |instance, caller| {
        let Some(index) = instance.task else {
            return Err(conflict("Process is ended.", Value::Null));
        };
        let (task, kind) = PROCESS[index];
        // The action (or the task's default) must be authorised for the caller, as
        // ProcessEngineAuthorizer asks the PDP: a system user needs the right on the app.
        let wanted = action.as_deref().unwrap_or(match kind {
            "confirmation" => "confirm",
            _ => "write",
        });
        let allowed = |a: &str| caller.1.may(&instance.app_id, a);
        let authorised = match (kind, action.as_deref()) {
            ("signing", None) => allowed("sign") || allowed("write"),
            _ => allowed(wanted),
        };
        if !authorised {
            return Err(not_authorized(wanted, task, kind));
        }
        match (kind, action.as_deref()) {
            ("data", None | Some("write")) | ("confirmation", None | Some("confirm")) => {
                advance(instance);
            }
            // Without an action a signing task is authorised as sign|write and no signature
            // is made (ProcessEngine.cs, app-lib 8.6+); the task then validates its
            // signatures like any other move (audit H4 b).
            ("signing", None | Some("write")) => {
                if instance.signed_by.is_empty() {
                    return Err(conflict(
                        "Validation failed for task",
                        json!([{"severity": 1, "code": "MissingSignatures",
                                "description": "The task requires at least one signature",
                                "source": "SignatureValidator"}]),
                    ));
                }
                advance(instance);
            }
            ("signing", Some("sign")) => {
                // Only users and system users sign (SigningUserAction: NoUserId, audit H4 a).
                if !caller.1.can_sign() {
                    return Err(unauthorized());
                }
                record_signature(instance, caller, for_org.as_ref());
                advance(instance);
            }
            ("signing", Some("reject")) => {
                instance.signed_by.clear();
                instance.signed_by_system_user.clear();
                instance.task = Some(0);
                instance.task_started = now();
            }
            (_, action) => {
                let action = action.unwrap_or("write");
                return Err(not_authorized(action, task, kind));
            }
        }
        Ok(process_json(instance, |a| {
            caller.1.may(&instance.app_id, a)
        }))
    })?;
    Ok(json_ok(StatusCode::OK, &state))
}
