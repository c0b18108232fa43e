//! Test fixtures shared by the record modules' unit tests: a recorded Entra-like session with
//! credentials, server ids and IdP-generated UUIDs, and its meta.

use super::{RecordMeta, Recorded};
use serde_json::{Value, json};

pub(super) const TOKEN: &str = "tok-very-secret-1234";
pub(super) const ALICE: &str = "11111111-2222-3333-4444-555555555555";
pub(super) const OBJECT_ID: &str = "0F8FAD5B-D9CB-469F-A165-70867728950E";

pub(super) fn ex(
    method: &str,
    path: &str,
    query: Option<&str>,
    body: Option<Value>,
    status: u16,
    resp: Value,
) -> Recorded {
    Recorded {
        method: method.into(),
        path: path.into(),
        raw_query: query.map(str::to_string),
        request_headers: vec![
            ("authorization".into(), format!("Bearer {TOKEN}")),
            ("content-type".into(), "application/scim+json".into()),
            ("user-agent".into(), "Azure-AD-SCIM".into()),
            ("x-custom".into(), "custom-zz".into()),
        ],
        request_body: body.map(|b| b.to_string().into_bytes()).unwrap_or_default(),
        status,
        response_body: if resp.is_null() {
            Vec::new()
        } else {
            resp.to_string().into_bytes()
        },
    }
}

pub(super) fn meta() -> RecordMeta {
    RecordMeta {
        idp: "entra".into(),
        profile: "recorded".into(),
        flow: "full-sync".into(),
        title: String::new(),
        upstream_host: "app.example.com".into(),
        captured_at: "2026-01-02".into(),
    }
}

pub(super) fn session() -> Vec<Recorded> {
    vec![
        ex(
            "GET",
            "/Users",
            Some("filter=userName+eq+%22alice%40x.example%22"),
            None,
            200,
            json!({"Resources": [], "totalResults": 0}),
        ),
        ex(
            "POST",
            "/Users",
            None,
            Some(json!({
            "userName": "alice@x.example", "password": "hunter2", "externalId": OBJECT_ID,
            "emails": [{"value": "alice@x.example", "primary": true}], "active": "True"})),
            201,
            json!({"id": ALICE, "userName": "alice@x.example", "active": true,
                       "meta": {"resourceType": "User"}}),
        ),
        ex(
            "POST",
            "/Groups",
            None,
            Some(json!({"displayName": "scimtest-0123abcd-01-Sales"})),
            201,
            json!({"id": "g-000000001", "displayName": "scimtest-0123abcd-01-Sales",
                       "meta": {"resourceType": "Group"}}),
        ),
        ex(
            "PATCH",
            "/Groups/g-000000001",
            None,
            Some(json!({"Operations": [
            {"op": "add", "path": "members", "value": [{"value": ALICE}]}]})),
            204,
            Value::Null,
        ),
        ex(
            "POST",
            "/Users",
            None,
            Some(json!({"userName": "bob", "externalId": "bob-ext"})),
            201,
            json!({"id": "u-bob-00001", "userName": "bob"}),
        ),
        ex("DELETE", "/Users/u-bob-00001", None, None, 204, Value::Null),
        ex(
            "GET",
            &format!("/Users/{ALICE}"),
            None,
            None,
            200,
            json!({"id": ALICE, "active": false}),
        ),
        ex(
            "GET",
            "/Users",
            Some("filter=externalId%20eq%20%22bob-ext%22"),
            None,
            200,
            json!({"Resources": []}),
        ),
    ]
}
