//! Data elements from the app: `GET …/data/{dataGuid}`.

use super::prelude::*;

pub(crate) async fn app_data(
    State(shared): Shr,
    Path((org, app, party, guid, data)): Path<(String, String, u64, String, String)>,
    caller: Caller,
) -> Response {
    let result = with_instance(&shared, &caller, &(org, app, party, guid), |instance, _| {
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
    });
    match result {
        Ok(data) => data_answer(&data),
        Err(refusal) => refusal,
    }
}
