use super::*;
use serde_json::json;

fn tiny() -> Spec {
    Spec::from_value(
        "tiny.json",
        json!({
            "openapi": "3.0.4",
            "paths": {
                "/{org}/{app}/things/{id}": {
                    "put": {
                        "parameters": [
                            {"name": "org", "in": "path", "required": true, "schema": {"type": "string"}},
                            {"name": "app", "in": "path", "required": true, "schema": {"type": "string"}},
                            {"name": "id", "in": "path", "required": true, "schema": {"type": "integer", "format": "int32"}},
                            {"name": "tag", "in": "query", "schema": {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}}},
                        ],
                        "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                        "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}},
                    }
                }
            },
            "components": {"schemas": {
                "Thing": {"type": "object", "additionalProperties": false, "required": ["name"],
                          "properties": {"name": {"type": "string", "nullable": true},
                                         "inner": {"$ref": "#/components/schemas/Inner"}}},
                "Inner": {"type": "object", "additionalProperties": false,
                          "properties": {"size": {"type": "integer", "format": "int32"}}},
            }},
        }),
        "",
    )
    .nullable_refs()
}

fn exchange(path: &str, query: &str, body: &str, answer: &str) -> Exchange {
    Exchange {
        method: "PUT".into(),
        path: path.into(),
        query: (!query.is_empty()).then(|| query.to_owned()),
        request_content_type: Some("application/json".into()),
        request_body: body.as_bytes().to_vec(),
        status: 200,
        response_content_type: Some("application/json; charset=utf-8".into()),
        response_body: answer.as_bytes().to_vec(),
    }
}

/// The verdict of [`tiny`] alone on [`exchange`]`(path, query, body, answer)`.
fn check_tiny(path: &str, query: &str, body: &str, answer: &str) -> Verdict {
    Conformance::new()
        .spec(tiny())
        .check(&exchange(path, query, body, answer))
}

#[test]
fn a_conforming_exchange_passes() {
    let v = check_tiny(
        "/ttd/app/things/5",
        "tag=a&tag=b",
        r#"{"name":null,"inner":null}"#,
        r#"{"name":"x","inner":{"size":3}}"#,
    );
    assert_eq!(v.violations, Vec::<String>::new());
    assert_eq!(v.operations, ["tiny.json: PUT /{org}/{app}/things/{id}"]);
}

#[test]
fn renamed_fields_wrong_types_and_unknown_queries_fail() {
    let v = check_tiny(
        "/ttd/app/things/99999999999",
        "tag=c&other=1",
        r#"{"nmae":"x"}"#,
        r#"{"name":"x","inner":{"size":"3"}}"#,
    );
    let all = v.violations.join("\n");
    for expected in [
        "path parameter `id`",
        "query parameter `tag`",
        "query parameter `other` is not declared",
        "request: at `/`",
        "answer 200: at `/inner/size`",
    ] {
        assert!(all.contains(expected), "{expected} missing in:\n{all}");
    }
}

#[test]
fn unknown_routes_and_undeclared_statuses_fail() {
    let c = Conformance::new().spec(tiny());
    assert_eq!(
        c.check(&exchange("/ttd/app/other/5", "", "", ""))
            .violations
            .len(),
        1
    );
    let mut e = exchange("/ttd/app/things/5", "", "", "");
    e.status = 418;
    assert!(c.check(&e).violations[0].contains("status 418 is not declared"));
    e.status = 401;
    assert!(c.check(&e).violations.is_empty());
}

#[test]
fn fact_routes_check_query_names_and_bodies() {
    let c = Conformance::new().facts(
        tiny(),
        vec![FactRoute {
            method: "GET",
            template: "/svc/{id:int}/{guid:guid}",
            query: &["size"],
            request: BodyRule::Empty,
            responses: vec![
                (
                    200,
                    BodyRule::Schema(json!({"$ref": "#/components/schemas/Thing"})),
                ),
                (404, BodyRule::JsonString),
            ],
            source: "test",
        }],
    );
    let mut e = Exchange {
        method: "GET".into(),
        path: "/svc/5/0a1b2c3d-0000-4000-8000-000000000001".into(),
        query: Some("size=3".into()),
        status: 200,
        response_content_type: Some("application/json".into()),
        response_body: br#"{"name":"n"}"#.to_vec(),
        ..Exchange::default()
    };
    assert_eq!(c.check(&e).violations, Vec::<String>::new());
    e.query = Some("sise=3".into());
    e.response_body = br#"{"nmae":"n"}"#.to_vec();
    assert_eq!(c.check(&e).violations.len(), 3, "{:?}", c.check(&e));
    e.path = "/svc/x/0a1b2c3d-0000-4000-8000-000000000001".into();
    assert!(c.check(&e).operations.is_empty());
}
