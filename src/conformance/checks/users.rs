//! Users: create, read, replace, delete (RFC 7644 §3.3–§3.6, RFC 7643 §3.1, §4.1); media type and
//! authentication (RFC 7644 §2, §3.1, §3.8, §3.12).

use crate::check;
use crate::conformance::context::{
    Ctx, USER, ensure, ids, path_of, reached, scim_error, status, truncate,
};
use crate::conformance::model::Check;
use crate::conformance::model::CheckResult;
use serde_json::json;

/// The user and transport checks.
pub fn checks() -> Vec<Check> {
    vec![
        check!(create_201, "users.create.status-201", "POST /Users answers 201 Created with the resource", "RFC 7644 §3.3", Must, [],
            fault "create-200", "Answer a successful POST with 201 Created and the created resource."),
        check!(create_location, "users.create.location", "201 carries a Location header equal to meta.location", "RFC 7644 §3.3", Must, [],
            fault "no-location", "Send Location: <absolute URL of the new resource>, the same as meta.location."),
        check!(location_absolute, "users.create.location-absolute", "meta.location is an absolute URI that GETs the resource", "RFC 7643 §3.1", Must, [],
            fault "relative-location", "Make meta.location the absolute URL of the resource."),
        check!(server_id, "users.create.server-issued-id", "The id is issued by the server, never the client's", "RFC 7643 §3.1", Must, [],
            fault "honour-client-id", "Ignore a client-supplied id and issue your own."),
        check!(create_meta, "users.create.meta", "meta has resourceType User and RFC 3339 created/lastModified", "RFC 7643 §3.1", Must, [],
            fault "honour-client-id", "Set meta.resourceType, meta.created and meta.lastModified (xsd:dateTime) on every resource."),
        check!(missing_user_name, "users.create.missing-required", "A user without userName is 400 invalidValue", "RFC 7644 §3.12; RFC 7643 §4.1", Must, [],
            fault "accept-missing-required", "Reject a body that lacks a required attribute with 400 and scimType invalidValue."),
        check!(bad_json, "users.create.malformed-json", "Malformed JSON is 400 invalidSyntax with a SCIM error body", "RFC 7644 §3.12", Must, [],
            fault "error-no-schemas", "Answer unparseable bodies with 400, scimType invalidSyntax, as a SCIM error."),
        check!(uniqueness, "users.create.uniqueness", "A duplicate userName is 409 uniqueness", "RFC 7644 §3.3, §3.12", Must, [],
            fault "no-uniqueness", "Reject a POST whose userName is taken with 409 and scimType uniqueness."),
        check!(uniqueness_case, "users.create.uniqueness-case-insensitive", "userName uniqueness ignores case (caseExact false)", "RFC 7643 §4.1, §2.3.1", Must, [],
            fault "uniqueness-case-sensitive", "Compare userNames case-insensitively when checking uniqueness."),
        check!(password_hidden, "users.create.password-never-returned", "password is accepted but never returned", "RFC 7643 §4.1, §2.2", Must, [],
            fault "return-password", "Never return password (returned: never), not even right after the POST."),
        check!(get_200, "users.get.status-200", "GET /Users/{id} returns the resource as created", "RFC 7644 §3.4.1", Must, [],
            fault "get-minimal", "Serve GET /Users/{id} with the stored resource."),
        check!(get_404, "users.get.unknown-404", "An unknown id is a 404 SCIM error with status \"404\"", "RFC 7644 §3.12", Must, [],
            fault "missing-200", "Answer unknown ids with 404 and a SCIM error body."),
        check!(put_replaces, "users.put.replaces", "PUT replaces the resource and returns it", "RFC 7644 §3.5.1", Must, [],
            fault "put-ignored", "Apply PUT as a full replacement and return the new representation with 200."),
        check!(put_unknown, "users.put.unknown-404", "PUT to an unknown id is 404 and creates nothing", "RFC 7644 §3.5.1", Must, [],
            fault "missing-200", "Never create a resource on PUT; answer 404 for unknown ids."),
        check!(delete_204, "users.delete.status-204", "DELETE answers 204 No Content", "RFC 7644 §3.6", Must, [],
            fault "delete-200", "Answer a successful DELETE with 204 and no body."),
        check!(delete_gone, "users.delete.gone", "A deleted user is 404 afterwards and absent from filters", "RFC 7644 §3.6", Must, [],
            fault "delete-ignored", "Really remove the resource: later GETs answer 404 and filters don't return it."),
        check!(deactivate, "users.deactivate.roundtrip", "active=false written by PUT is read back", "RFC 7643 §4.1", Must, [],
            fault "active-ignored", "Store active as written; IdPs deprovision by setting it to false."),
        check!(content_type, "transport.content-type", "Responses use Content-Type application/scim+json", "RFC 7644 §3.1, §8.1", Must, [],
            fault "json-content-type", "Send Content-Type: application/scim+json on every SCIM response, errors included."),
        check!(auth_missing, "auth.missing-401", "A request without credentials is 401 with a SCIM error", "RFC 7644 §2, §3.12", Must, [],
            fault "auth-disabled", "Reject unauthenticated requests with 401."),
        check!(auth_challenge, "auth.www-authenticate", "401 carries a WWW-Authenticate challenge", "RFC 7235 §3.1", Must, [],
            fault "no-www-authenticate", "Send WWW-Authenticate (e.g. Bearer realm=\"…\") with every 401."),
        check!(error_status_string, "errors.status-string", "Error bodies carry status as a JSON string", "RFC 7644 §3.12", Must, [],
            fault "error-status-number", "Write \"status\": \"404\" (a string), as RFC 7644 §3.12 shows."),
    ]
}

async fn create_201(c: &Ctx) -> CheckResult {
    let name = c.name("u");
    let r = c
        .post(c.users(), &json!({"schemas": [USER], "userName": name}))
        .await;
    reached(&r)?;
    if let Some(id) = r.body()["id"].as_str() {
        let loc = c.user_path(id);
        c.track(&c.url_of(&loc));
    }
    status(&r, &[201])?;
    ensure(r.body()["userName"] == name.as_str(), || {
        format!(
            "the 201 body does not carry the userName: {}",
            truncate(&r.text, 200)
        )
    })
}

async fn create_location(c: &Ctx) -> CheckResult {
    let u = c.create_user(json!({})).await?;
    let r = c.get(&u.location).await;
    status(&r, &[200])?;
    let first = c.last_post_location();
    ensure(first.is_some(), || "the 201 has no Location header".into())?;
    ensure(
        first.as_deref() == u.body["meta"]["location"].as_str(),
        || {
            format!(
                "Location {:?} differs from meta.location {}",
                first, u.body["meta"]["location"]
            )
        },
    )
}

async fn location_absolute(c: &Ctx) -> CheckResult {
    let u = c.create_user(json!({})).await?;
    let loc = u.body["meta"]["location"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    ensure(
        loc.starts_with("http://") || loc.starts_with("https://"),
        || format!("meta.location {loc:?} is not absolute"),
    )?;
    let r = c.get(&loc).await;
    status(&r, &[200])?;
    ensure(r.body()["id"] == u.id.as_str(), || {
        "meta.location does not lead to the resource".into()
    })
}

async fn server_id(c: &Ctx) -> CheckResult {
    let u = c
        .create_user(json!({"id": "client-chosen-id", "meta": {"created": "1999-01-01T00:00:00Z"}}))
        .await?;
    ensure(u.id != "client-chosen-id", || {
        "the server kept the client-supplied id".into()
    })?;
    ensure(!u.id.is_empty(), || "empty id".into())
}

async fn create_meta(c: &Ctx) -> CheckResult {
    let u = c
        .create_user(json!({"meta": {"created": "1999-01-01T00:00:00Z"}}))
        .await?;
    let m = &u.body["meta"];
    ensure(m["resourceType"] == "User", || {
        format!("meta.resourceType is {}", m["resourceType"])
    })?;
    for f in ["created", "lastModified"] {
        let v = m[f].as_str().unwrap_or_default();
        ensure(chrono::DateTime::parse_from_rfc3339(v).is_ok(), || {
            format!("meta.{f} {v:?} is not an xsd:dateTime")
        })?;
    }
    ensure(m["created"] != "1999-01-01T00:00:00Z", || {
        "the client's meta.created was stored (readOnly)".into()
    })
}

async fn missing_user_name(c: &Ctx) -> CheckResult {
    let r = c
        .post(
            c.users(),
            &json!({"schemas": [USER], "displayName": c.name("nouser")}),
        )
        .await;
    if let Some(id) = r.body()["id"].as_str() {
        c.track(&c.url_of(&c.user_path(id)));
    }
    scim_error(&r, 400, Some("invalidValue"))
}

async fn bad_json(c: &Ctx) -> CheckResult {
    let r = c
        .raw(
            "POST",
            c.users(),
            b"{\"userName\": ",
            "application/scim+json",
        )
        .await;
    scim_error(&r, 400, Some("invalidSyntax"))
}

async fn uniqueness(c: &Ctx) -> CheckResult {
    let u = c.create_user(json!({})).await?;
    let name = u.body["userName"].as_str().unwrap_or_default().to_string();
    let r = c
        .post(c.users(), &json!({"schemas": [USER], "userName": name}))
        .await;
    if let Some(id) = r.body()["id"].as_str() {
        c.track(&c.url_of(&c.user_path(id)));
    }
    scim_error(&r, 409, Some("uniqueness"))
}

async fn uniqueness_case(c: &Ctx) -> CheckResult {
    let name = c.name("CaseUser");
    c.create_user(json!({"userName": name})).await?;
    let r = c
        .post(
            c.users(),
            &json!({"schemas": [USER], "userName": name.to_lowercase()}),
        )
        .await;
    if let Some(id) = r.body()["id"].as_str() {
        c.track(&c.url_of(&c.user_path(id)));
    }
    scim_error(&r, 409, Some("uniqueness"))
}

async fn password_hidden(c: &Ctx) -> CheckResult {
    let secret = format!("Pw-{}-x9!", uuid::Uuid::new_v4().simple());
    let u = c.create_user(json!({"password": secret})).await?;
    ensure(u.body.get("password").is_none(), || {
        "the 201 body contains password".into()
    })?;
    let r = c.get(&u.location).await;
    status(&r, &[200])?;
    ensure(
        r.body().get("password").is_none() && !r.text.contains(&secret),
        || "GET returns the password".into(),
    )
}

async fn get_200(c: &Ctx) -> CheckResult {
    let u = c.create_user(json!({"displayName": "Get Me"})).await?;
    let r = c.get(&c.user_path(&u.id)).await;
    status(&r, &[200])?;
    ensure(r.body()["id"] == u.id.as_str(), || {
        format!("wrong id in {}", truncate(&r.text, 200))
    })?;
    ensure(r.body()["displayName"] == "Get Me", || {
        "displayName was not stored".into()
    })
}

async fn get_404(c: &Ctx) -> CheckResult {
    let r = c.get(&c.user_path(&uuid::Uuid::new_v4().to_string())).await;
    scim_error(&r, 404, None)
}

async fn put_replaces(c: &Ctx) -> CheckResult {
    let u = c
        .create_user(json!({"displayName": "Before", "title": "Old title"}))
        .await?;
    let name = u.body["userName"].clone();
    let r = c
        .put(
            &c.user_path(&u.id),
            &json!({"schemas": [USER], "userName": name, "displayName": "After"}),
        )
        .await;
    status(&r, &[200])?;
    ensure(r.body()["displayName"] == "After", || {
        "the PUT response does not reflect the change".into()
    })?;
    let g = c.get(&c.user_path(&u.id)).await;
    status(&g, &[200])?;
    ensure(g.body()["displayName"] == "After", || {
        "GET after PUT still shows the old displayName".into()
    })?;
    ensure(g.body()["id"] == u.id.as_str(), || "the id changed".into())
}

async fn put_unknown(c: &Ctx) -> CheckResult {
    let id = uuid::Uuid::new_v4().to_string();
    let r = c
        .put(
            &c.user_path(&id),
            &json!({"schemas": [USER], "userName": c.name("ghost")}),
        )
        .await;
    scim_error(&r, 404, None)
}

async fn delete_204(c: &Ctx) -> CheckResult {
    let u = c.create_user(json!({})).await?;
    let r = c.delete_created(&u).await;
    status(&r, &[204])?;
    ensure(r.text.is_empty(), || "the 204 has a body".into())
}

async fn delete_gone(c: &Ctx) -> CheckResult {
    let u = c.create_user(json!({})).await?;
    let name = u.body["userName"].as_str().unwrap_or_default().to_string();
    status(&c.delete_created(&u).await, &[204, 200])?;
    let r = c.get(&c.user_path(&u.id)).await;
    status(&r, &[404])?;
    let f = format!(
        "{}?filter={}",
        c.users(),
        crate::conformance::context::enc(&format!("userName eq \"{name}\""))
    );
    let l = c.get(&f).await;
    status(&l, &[200])?;
    ensure(!ids(&l).contains(&u.id), || {
        "the deleted user is still returned by a filter".into()
    })
}

async fn deactivate(c: &Ctx) -> CheckResult {
    let u = c.create_user(json!({"active": true})).await?;
    let name = u.body["userName"].clone();
    status(
        &c.put(
            &c.user_path(&u.id),
            &json!({"schemas": [USER], "userName": name, "active": false}),
        )
        .await,
        &[200],
    )?;
    let g = c.get(&c.user_path(&u.id)).await;
    status(&g, &[200])?;
    ensure(g.body()["active"] == false, || {
        format!("active reads back as {}", g.body()["active"])
    })
}

async fn content_type(c: &Ctx) -> CheckResult {
    for path in [c.users().to_string(), c.user_path("does-not-exist")] {
        let r = c.get(&path).await;
        reached(&r)?;
        let ct = r
            .header("content-type")
            .unwrap_or_default()
            .to_ascii_lowercase();
        ensure(ct.starts_with("application/scim+json"), || {
            format!(
                "GET {} answered Content-Type {ct:?}",
                path_of(&r.exchange.url)
            )
        })?;
    }
    Ok(())
}

async fn auth_missing(c: &Ctx) -> CheckResult {
    let r = c.unauthenticated("GET", c.users(), &[]).await;
    scim_error(&r, 401, None)
}

async fn auth_challenge(c: &Ctx) -> CheckResult {
    let r = c.unauthenticated("GET", c.users(), &[]).await;
    status(&r, &[401])?;
    ensure(r.header("www-authenticate").is_some(), || {
        "401 without WWW-Authenticate".into()
    })
}

async fn error_status_string(c: &Ctx) -> CheckResult {
    let r = c.get(&c.user_path(&uuid::Uuid::new_v4().to_string())).await;
    status(&r, &[404])?;
    ensure(r.body()["status"].is_string(), || {
        format!("status is {} (not a string)", r.body()["status"])
    })
}
