//! Query parameters as Altinn reads them: names in any case.

use std::collections::HashMap;

use axum::extract::Query;

/// The query of a request, by name.
pub(super) type Params = Query<HashMap<String, String>>;

/// The value of parameter `name`, matched without regard to case.
pub(super) fn param<'a>(query: &'a HashMap<String, String>, name: &str) -> Option<&'a str> {
    query
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// A boolean parameter (`true` in any case), `default` when absent.
pub(super) fn flag(query: &HashMap<String, String>, name: &str, default: bool) -> bool {
    param(query, name).map_or(default, |v| v.eq_ignore_ascii_case("true"))
}

/// The `language` parameter (an LCID), Norwegian Bokmål (1044) by default.
pub(super) fn language(query: &HashMap<String, String>) -> String {
    param(query, "language").unwrap_or("1044").to_owned()
}
