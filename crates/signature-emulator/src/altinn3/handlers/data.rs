//! Data elements from the app: `GET …/data/{dataGuid}`, and creating, replacing and
//! deleting them with the checks of app-lib's DataController and DataElementAccessChecker
//! (Altinn/app-lib-dotnet `src/Altinn.App.Api/Controllers/DataController.cs`,
//! `src/Altinn.App.Core/Internal/Data/DataElementAccessChecker.cs`).

use super::prelude::*;

pub(crate) async fn app_data(
    State(shared): Shr,
    Path((org, app, party, guid, data)): Path<(String, String, u64, String, String)>,
    caller: Caller,
) -> Result<Response, Response> {
    let data = with_instance(&shared, &caller, &(org, app, party, guid), |instance, _| {
        instance
            .data
            .iter()
            .find(|d| d.id == data)
            .cloned()
            .ok_or_else(|| {
                problem(
                    StatusCode::NOT_FOUND,
                    "Not Found",
                    Some("Did not find data element"),
                )
            })
    })?;
    Ok(data_answer(&data))
}

/// `GetMutationProblem`, the checks create, update and delete share, in its order, for the
/// emulator's callers (none a service owner): `ref-data-as-pdf` is never modified (403); an
/// ended (archived) instance is not active (409); an app-owned type admits no contributor
/// (403). `instance` is `None` at instantiation, where the instance is new.
pub(crate) fn write_problem(
    data_type: &DataTypeSpec,
    instance: Option<&StoredInstance>,
) -> Option<Response> {
    if data_type.id == GENERATED_PDF_DATA_TYPE {
        return Some(plain_problem(
            StatusCode::FORBIDDEN,
            "Forbidden",
            &format!("Data element of type {} cannot be modified", data_type.id),
        ));
    }
    if let Some(instance) = instance.filter(|i| i.ended.is_some()) {
        return Some(plain_problem(
            StatusCode::CONFLICT,
            "Instance Not Active",
            &format!(
                "Cannot update data element of archived or deleted instance {}/{}",
                instance.party_id, instance.guid
            ),
        ));
    }
    if !data_type.admits_api_writers() {
        return Some(plain_problem(
            StatusCode::FORBIDDEN,
            "Forbidden",
            "User is not a valid contributor to the data type",
        ));
    }
    None
}

/// `GetCreateProblem`: the shared checks, then `maxCount` (409).
fn create_problem(data_type: &DataTypeSpec, instance: &StoredInstance) -> Option<Response> {
    if let Some(problem) = write_problem(data_type, Some(instance)) {
        return Some(problem);
    }
    let existing = instance
        .data
        .iter()
        .filter(|d| d.data_type == data_type.id)
        .count();
    (data_type.max_count > 0 && existing >= data_type.max_count).then(|| {
        plain_problem(
            StatusCode::CONFLICT,
            "Max Count Exceeded",
            &format!(
                "Cannot create more than {} data elements of type {}",
                data_type.max_count, data_type.id
            ),
        )
    })
}

/// The `write` right the `InstanceWrite` policy asks Altinn Authorization for (a system
/// user without it: 403, empty).
fn may_write(instance: &StoredInstance, caller: &Caller) -> Result<(), Response> {
    if caller.1.may(&instance.app_id, "write") {
        Ok(())
    } else {
        Err(StatusCode::FORBIDDEN.into_response())
    }
}

/// A binary upload's content: `DataRestrictionValidation` wants a Content-Disposition with
/// a file name and an allowed Content-Type (else 400 "File validation failed" with
/// `uploadValidationIssues`).
fn upload(
    data_type: &DataTypeSpec,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<(String, Option<String>, Vec<u8>), Response> {
    let refuse = |code: &str, description: &str| {
        problem_json(
            StatusCode::BAD_REQUEST,
            &json!({
                "title": "File validation failed",
                "status": 400,
                "detail": "Common checks failed",
                "uploadValidationIssues": [{
                    "severity": 1, "code": code, "source": "DataRestrictionValidation",
                    "description": format!("Invalid data provided. Error: {description}"),
                }],
            }),
        )
    };
    let header_text = |name| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let content_type = header_text(header::CONTENT_TYPE)
        .map(|c| c.split(';').next().unwrap_or_default().trim().to_owned())
        .unwrap_or_default();
    if data_type.class_ref.is_some() {
        // Form data: the model as sent (the real app deserialises it).
        return Ok((content_type, None, body.to_vec()));
    }
    let Some(disposition) = header_text(header::CONTENT_DISPOSITION) else {
        return Err(refuse(
            "ContentTypeNotAllowed",
            "The request must include a Content-Disposition header",
        ));
    };
    let filename = disposition
        .split(';')
        .map(str::trim)
        .find_map(|p| p.strip_prefix("filename="))
        .map(|f| f.trim_matches('"').to_owned())
        .filter(|f| !f.is_empty());
    if filename.is_none() {
        return Err(refuse(
            "MissingFileName",
            "The Content-Disposition header must contain a valid filename",
        ));
    }
    if !data_type.content_types.contains(&content_type.as_str()) {
        return Err(refuse(
            "ContentTypeNotAllowed",
            &format!(
                "Invalid content type: {content_type}. Please try another file. Permitted content types include: {}",
                data_type.content_types.join(", ")
            ),
        ));
    }
    Ok((content_type, filename, body.to_vec()))
}

type DataPath = Path<(String, String, u64, String, String)>;

/// Stores a new element after the checks; the instance and the element, or the refusal.
fn create(
    shared: &Shared,
    caller: &Caller,
    path: (String, String, u64, String),
    type_id: &str,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<(StoredInstance, StoredData), Response> {
    with_instance(shared, caller, &path, |instance, caller| {
        may_write(instance, caller)?;
        let data_type = app_metadata::data_type(type_id).ok_or_else(|| {
            plain_problem(
                StatusCode::BAD_REQUEST,
                "Data Type Not Found",
                &format!("Could not find the specified data type: \"{type_id}\" in applicationmetadata.json"),
            )
        })?;
        if let Some(problem) = create_problem(data_type, instance) {
            return Err(problem);
        }
        let (content_type, filename, content) = upload(data_type, headers, body)?;
        let stamp = now();
        let data = StoredData {
            id: guid(),
            data_type: data_type.id.to_owned(),
            content_type,
            filename,
            content,
            created: stamp.clone(),
            locked: false,
        };
        instance.data.push(data.clone());
        instance.last_changed = stamp;
        Ok((instance.clone(), data))
    })
}

/// `POST …/data/type/{dataType}` (and its older alias `POST …/data/{dataType}`): 200 with a
/// `DataPostResponse` (DataController.Post returns the value, app-lib's
/// DataController_PostTests expect 200).
pub(crate) async fn post_data_type(
    State(shared): Shr,
    Path((org, app, party, guid, type_id)): DataPath,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Response> {
    let path = (org, app, party, guid);
    let (instance, data) = create(&shared, &caller, path, &type_id, &headers, &body)?;
    Ok(json_ok(
        StatusCode::OK,
        &json!({
            "newDataElementId": data.id,
            "instance": instance_json(&shared, &instance, View::AppModel),
            "validationIssues": [],
            "newDataModels": [],
        }),
    ))
}

/// `POST …/data?dataType=` (obsolete `Create`): 201 with the `DataElement` and its app link
/// in `Location`.
pub(crate) async fn post_data_query(
    State(shared): Shr,
    Path(path): InstancePath,
    caller: Caller,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Response> {
    let Some(type_id) = query_pairs(raw.as_deref())
        .into_iter()
        .find(|(k, _)| k == "dataType")
        .map(|(_, v)| v)
    else {
        return Err(text(
            StatusCode::BAD_REQUEST,
            "The dataType field is required.",
        ));
    };
    let (instance, data) = create(&shared, &caller, path, &type_id, &headers, &body)?;
    let element = data_json(&shared, &instance, &data, View::AppModel);
    let mut response = json_ok(StatusCode::CREATED, &element);
    if let Some(location) = element["selfLinks"]["apps"]
        .as_str()
        .and_then(|l| HeaderValue::from_str(l).ok())
    {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// The element in the path, for replacing or deleting it, with the checks PUT and DELETE
/// share in app-lib's order: the caller may write the instance, the element exists ("Data
/// Element Not Found", 404) with a known type, and [`write_problem`] admits the write.
fn writable_element(
    instance: &StoredInstance,
    caller: &Caller,
    data_id: &str,
) -> Result<(usize, &'static DataTypeSpec), Response> {
    may_write(instance, caller)?;
    let index = instance
        .data
        .iter()
        .position(|d| d.id == data_id)
        .ok_or_else(|| {
            plain_problem(
                StatusCode::NOT_FOUND,
                "Data Element Not Found",
                &format!(
                    "Did not find data element {data_id} on instance {}/{}",
                    instance.party_id, instance.guid
                ),
            )
        })?;
    let type_id = &instance.data[index].data_type;
    let data_type = app_metadata::data_type(type_id).ok_or_else(|| {
        plain_problem(
            StatusCode::BAD_REQUEST,
            "Data Type Not Found",
            &format!(
                "Could not find the specified data type: \"{type_id}\" in applicationmetadata.json"
            ),
        )
    })?;
    match write_problem(data_type, Some(instance)) {
        Some(problem) => Err(problem),
        None => Ok((index, data_type)),
    }
}

/// `PUT …/data/{dataGuid}`: replaces a binary element's content, 201 with the
/// `DataElement` (PutBinaryData answers `Created`).
pub(crate) async fn put_data(
    State(shared): Shr,
    Path(path): DataPath,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Response> {
    let (instance, data) =
        with_writable_element(&shared, &caller, path, |instance, index, data_type| {
            let (content_type, filename, content) = upload(data_type, &headers, &body)?;
            let stamp = now();
            let data = &mut instance.data[index];
            data.content_type = content_type;
            data.filename = filename.or(data.filename.take());
            data.content = content;
            let data = data.clone();
            instance.last_changed = stamp;
            Ok((instance.clone(), data))
        })?;
    Ok(json_ok(
        StatusCode::CREATED,
        &data_json(&shared, &instance, &data, View::AppModel),
    ))
}

/// `DELETE …/data/{dataGuid}`: 200 with a `DataDeleteResponse`.
pub(crate) async fn delete_data(
    State(shared): Shr,
    Path(path): DataPath,
    caller: Caller,
) -> Result<Response, Response> {
    let instance = with_writable_element(&shared, &caller, path, |instance, index, _| {
        instance.data.remove(index);
        instance.last_changed = now();
        Ok(instance.clone())
    })?;
    Ok(json_ok(
        StatusCode::OK,
        &json!({
            "instance": instance_json(&shared, &instance, View::AppModel),
            "validationIssues": [],
            "newDataModels": [],
        }),
    ))
}

/// The instance and element in the path, for replacing or deleting the element: `change`
/// gets the instance, the element's index and its type once [`writable_element`] admits
/// the write, under the world's lock.
fn with_writable_element<T>(
    shared: &Shared,
    caller: &Caller,
    (org, app, party, guid, data_id): (String, String, u64, String, String),
    change: impl FnOnce(&mut StoredInstance, usize, &'static DataTypeSpec) -> Result<T, Response>,
) -> Result<T, Response> {
    with_instance(
        shared,
        caller,
        &(org, app, party, guid),
        |instance, caller| {
            let (index, data_type) = writable_element(instance, caller, &data_id)?;
            change(instance, index, data_type)
        },
    )
}

/// `GET {org}/{app}/api/v1/applicationmetadata`.
pub(crate) async fn application_metadata(
    State(shared): Shr,
    Path((org, app)): Path<(String, String)>,
) -> Response {
    let app_id = format!("{org}/{app}");
    if !shared.apps.contains(&app_id) {
        return problem(StatusCode::NOT_FOUND, "App not found", None);
    }
    json_ok(StatusCode::OK, &app_metadata::application_metadata(&app_id))
}
