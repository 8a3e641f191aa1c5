//! `GET /api/reportees`: whom the user may act for.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::response::Response;
use serde_json::{Value, json};

use super::Shared;
use super::auth::Authenticated;
use super::query::{Params, param};
use super::reason::hal;

/// `GET /api/reportees`.
pub(crate) async fn reportees(
    State(shared): State<Arc<Shared>>,
    Query(query): Params,
    _: Authenticated,
) -> Response {
    let skip = param(&query, "$skip")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let world = shared.world();
    let page: Vec<Value> = world
        .reportees
        .iter()
        .skip(skip)
        .take(shared.config.page_size)
        .map(|r| {
            let mut value = json!({
                "ReporteeId": r.id,
                "Name": r.name,
                "Type": r.kind,
                "_links": {"messages": {"href": format!("{}/api/{}/messages", shared.base_url, r.id)}},
            });
            if let Some(number) = &r.organization_number {
                value["OrganizationNumber"] = json!(number);
                value["Status"] = json!("Active");
            }
            if let Some(ssn) = &r.social_security_number {
                value["SocialSecurityNumber"] = json!(ssn);
            }
            value
        })
        .collect();
    hal(json!({"_embedded": {"reportees": page}}))
}
