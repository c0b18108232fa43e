//! Message shapes: representative responses validated against the JSON Schemas of the SCIM
//! messages in `fixtures/schemas/` (every other check also validates what it receives and
//! carries the violations as evidence; these are the checks that fail on them).

use crate::check;
use crate::conformance::context::{Ctx, USER, ensure, status};
use crate::conformance::model::{Check, CheckResult};
use crate::conformance::validate::{Message, list_violations, violations};
use serde_json::json;

/// The message-shape checks.
pub fn checks() -> Vec<Check> {
    vec![
        check!(user_schema, "messages.user.schema", "User responses match the User message schema", "RFC 7643 §4.1, §3.1", Must, [],
            fault MetaDatesNotDatetime, "Return Users with schemas, id, userName, meta (location, RFC 3339 dates) and correctly typed attributes."),
        check!(group_schema, "messages.group.schema", "Group responses match the Group message schema", "RFC 7643 §4.2, §3.1", Must, [Groups],
            fault MetaDatesNotDatetime, "Return Groups with schemas, id, displayName, meta and members carrying value."),
        check!(list_schema, "messages.list-response.schema", "List responses match the ListResponse schema, each resource too", "RFC 7644 §3.4.2", Must, [],
            fault MetaDatesNotDatetime, "Return schemas, totalResults, startIndex, itemsPerPage and well-formed Resources."),
        check!(error_schema, "messages.error.schema", "Error responses match the Error message schema", "RFC 7644 §3.12", Must, [],
            fault ErrorStatusNumber, "Return errors as {schemas:[…:Error], status:\"404\", scimType?, detail?}."),
        check!(spc_schema, "messages.service-provider-config.schema", "The ServiceProviderConfig matches its schema", "RFC 7643 §5", Must, [],
            fault SpcIncomplete, "Serve every REQUIRED ServiceProviderConfig member with the right types."),
    ]
}

fn clean(found: Vec<String>, what: &str) -> CheckResult {
    ensure(found.is_empty(), || {
        format!("the {what} breaks its schema: {}", found.join("; "))
    })
}

async fn user_schema(c: &Ctx) -> CheckResult {
    let mut extra = json!({});
    for (path, value) in [
        ("active", json!(true)),
        (
            "name",
            json!({"givenName": "Ada", "familyName": "Lovelace"}),
        ),
        ("displayName", json!("Ada")),
        (
            "emails",
            json!([{"value": "ada@example.com", "type": "work", "primary": true}]),
        ),
    ] {
        // Only what the target declares (RFC 7643 §7); all of these are optional.
        if c.caps().declares(USER, path) {
            extra[path] = value;
        }
    }
    let u = c.create_user(extra).await?;
    ensure(violations(Message::User, &u.body).is_empty(), || {
        format!(
            "the 201 body breaks the User schema: {}",
            violations(Message::User, &u.body).join("; ")
        )
    })?;
    let r = c.get(&c.user_path(&u.id)).await;
    status(&r, &[200])?;
    clean(violations(Message::User, r.body()), "GET body")
}

async fn group_schema(c: &Ctx) -> CheckResult {
    let u = c.create_user(json!({})).await?;
    let g = c.create_group(&[&u.id]).await?;
    let r = c.get(&g.location).await;
    status(&r, &[200])?;
    clean(violations(Message::Group, r.body()), "group")
}

async fn list_schema(c: &Ctx) -> CheckResult {
    let u = c.create_user(json!({})).await?;
    let name = u.body["userName"].as_str().unwrap_or_default().to_string();
    let r = c
        .get(&format!(
            "{}?filter={}",
            c.users(),
            crate::conformance::context::enc(&format!("userName eq \"{name}\""))
        ))
        .await;
    status(&r, &[200])?;
    clean(list_violations(Message::User, r.body()), "ListResponse")
}

async fn error_schema(c: &Ctx) -> CheckResult {
    let r = c.get(&c.user_path(&uuid::Uuid::new_v4().to_string())).await;
    status(&r, &[404])?;
    clean(violations(Message::Error, r.body()), "404 error")?;
    let r = c.post(c.users(), &json!({"schemas": [USER]})).await;
    if let Some(id) = r.body()["id"].as_str() {
        c.track(&c.url_of(&c.user_path(id)));
    }
    status(&r, &[400])?;
    clean(violations(Message::Error, r.body()), "400 error")
}

async fn spc_schema(c: &Ctx) -> CheckResult {
    let r = c.get("/ServiceProviderConfig").await;
    status(&r, &[200])?;
    clean(
        violations(Message::ServiceProviderConfig, r.body()),
        "ServiceProviderConfig",
    )
}
