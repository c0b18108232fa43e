//! ETags and versioning (RFC 7644 §3.14, RFC 7232): the `ETag` header and `meta.version`, tags
//! that change with the resource and only then, and the conditional requests `If-None-Match`
//! (GET) and `If-Match` (PUT, PATCH, DELETE).

use crate::check;
use crate::client::http::Resp;
use crate::conformance::context::{
    Created, Ctx, USER, ensure, reached, scim_error, status, truncate,
};
use crate::conformance::model::{Capability, Check, CheckResult, Finding};
use serde_json::{Value, json};

/// The ETag checks.
pub fn checks() -> Vec<Check> {
    vec![
        check!(header, "etag.header", "GET, POST, PUT (and PATCH) responses carry an ETag header", "RFC 7644 §3.14", Must, [Etag],
            fault NoEtag, "When etag.supported is true, send ETag: W/\"<version>\" with every response that returns a resource."),
        check!(meta_version, "etag.meta-version", "meta.version equals the ETag header", "RFC 7644 §3.14; RFC 7643 §3.1", Should, [Etag],
            fault NoEtag, "Put the same entity tag in meta.version as in the ETag header."),
        check!(changes, "etag.changes-on-write", "A modification gives the resource a new ETag", "RFC 7644 §3.14; RFC 7232 §2.3", Should, [Etag],
            fault EtagConstant, "Derive the ETag from the resource's version and bump the version on every change."),
        check!(if_none_match, "etag.if-none-match", "GET with If-None-Match: <current> is 304 Not Modified without a body", "RFC 7644 §3.14; RFC 7232 §3.2", Must, [Etag],
            fault IgnoreIfNoneMatch, "Compare If-None-Match with the current tag (weak comparison) and answer 304 with no body when it matches."),
        check!(if_match_current, "etag.if-match-current", "PUT with If-Match: <current> succeeds", "RFC 7644 §3.14; RFC 7232 §3.1", May, [Etag],
            fault EtagConstant, "Accept a write whose If-Match names the current version (weak comparison, W/ allowed)."),
        check!(if_match_stale, "etag.if-match-stale-put", "PUT with a stale If-Match is 412 and changes nothing", "RFC 7644 §3.14, §3.12", Must, [Etag],
            fault IgnoreIfMatch, "Refuse a PUT whose If-Match does not name the current version with 412 Precondition Failed, leaving the resource as it was."),
        check!(if_match_stale_patch, "etag.if-match-stale-patch", "PATCH with a stale If-Match is 412 and changes nothing", "RFC 7644 §3.14, §3.12", Must, [Etag, Patch],
            fault IgnoreIfMatch, "Check If-Match before applying a PATCH; answer 412 when it is stale."),
        check!(delete_stale, "etag.delete-stale", "DELETE with a stale If-Match is 412 and deletes nothing", "RFC 7644 §3.14; RFC 7232 §3.1", Must, [Etag],
            fault IgnoreIfMatch, "Honour If-Match on DELETE too: a stale tag is 412 and the resource stays."),
        check!(noop_patch, "etag.noop-patch-stable", "A PATCH that changes nothing leaves the ETag unchanged", "RFC 7644 §3.5.2.1", Should, [Etag, Patch],
            fault NoopPatchBumpsVersion, "Do not bump the version (or lastModified) when a PATCH leaves the resource as it was."),
    ]
}

/// A tag no server issued.
fn stale() -> String {
    format!("W/\"scimtest-stale-{}\"", uuid::Uuid::new_v4().simple())
}

/// The ETag header of `r`, or a Fail naming the request.
fn etag_of(r: &Resp) -> Result<String, Finding> {
    reached(r)?;
    r.header("etag").map(str::to_string).ok_or_else(|| {
        Finding::fail(format!(
            "{} {} answered {} without an ETag header",
            r.exchange.method,
            crate::conformance::context::path_of(&r.exchange.url),
            r.code()
        ))
    })
}

/// GET the user and return the response and its ETag.
async fn current(c: &Ctx, u: &Created) -> Result<(Resp, String), Finding> {
    let r = c.get(&u.location).await;
    status(&r, &[200])?;
    let tag = etag_of(&r)?;
    Ok((r, tag))
}

fn replacement(u: &Created, display: &str) -> Value {
    json!({"schemas": [USER], "userName": u.body["userName"], "displayName": display})
}

async fn header(c: &Ctx) -> CheckResult {
    let r = c
        .post(
            c.users(),
            &json!({"schemas": [USER], "userName": c.name("tagged")}),
        )
        .await;
    let Some(id) = r.body()["id"].as_str().map(str::to_string) else {
        status(&r, &[201])?;
        return Err(Finding::error(format!(
            "the 201 has no id: {}",
            truncate(&r.text, 200)
        )));
    };
    let location = c.url_of(&c.user_path(&id));
    c.track(&location);
    status(&r, &[201])?;
    etag_of(&r)?;
    let g = c.get(&location).await;
    status(&g, &[200])?;
    etag_of(&g)?;
    let body =
        json!({"schemas": [USER], "userName": r.body()["userName"], "displayName": "Tagged"});
    let p = c.put(&location, &body).await;
    status(&p, &[200])?;
    etag_of(&p)?;
    if c.caps().has(Capability::Patch) {
        let p = c
            .patch(
                &location,
                json!([{"op": "replace", "path": "displayName", "value": "Patched"}]),
            )
            .await;
        status(&p, &[200, 204])?;
        etag_of(&p)?;
    }
    Ok(())
}

async fn meta_version(c: &Ctx) -> CheckResult {
    let u = c.create_user(json!({})).await?;
    let (r, tag) = current(c, &u).await?;
    let v = r.body()["meta"]["version"].as_str();
    ensure(v == Some(tag.as_str()), || {
        format!(
            "meta.version is {} but the ETag header is {tag}",
            r.body()["meta"]["version"]
        )
    })
}

async fn changes(c: &Ctx) -> CheckResult {
    let u = c.create_user(json!({"displayName": "Before"})).await?;
    let (_, before) = current(c, &u).await?;
    status(&c.put(&u.location, &replacement(&u, "After")).await, &[200])?;
    let (r, after) = current(c, &u).await?;
    ensure(r.body()["displayName"] == "After", || {
        "the PUT was not applied, so the tag cannot be judged".into()
    })?;
    ensure(before != after, || {
        format!("the ETag stayed {before} although displayName changed")
    })
}

async fn if_none_match(c: &Ctx) -> CheckResult {
    let u = c.create_user(json!({})).await?;
    let (_, tag) = current(c, &u).await?;
    let r = c
        .send("GET", &u.location, None, &[("If-None-Match", &tag)])
        .await;
    status(&r, &[304])?;
    ensure(r.text.is_empty(), || {
        format!("the 304 has a body: {}", truncate(&r.text, 120))
    })?;
    let r = c
        .send("GET", &u.location, None, &[("If-None-Match", &stale())])
        .await;
    status(&r, &[200])?;
    ensure(r.body()["id"] == u.id.as_str(), || {
        "GET with a non-matching If-None-Match did not return the resource".into()
    })
}

async fn if_match_current(c: &Ctx) -> CheckResult {
    let u = c.create_user(json!({"displayName": "Before"})).await?;
    let (_, tag) = current(c, &u).await?;
    let r = c
        .send(
            "PUT",
            &u.location,
            Some(&replacement(&u, "After")),
            &[("If-Match", &tag)],
        )
        .await;
    status(&r, &[200])?;
    let g = c.get(&u.location).await;
    status(&g, &[200])?;
    ensure(g.body()["displayName"] == "After", || {
        "the PUT with the current If-Match was not applied".into()
    })
}

/// After a refused conditional write, the resource must still show `display`.
async fn unchanged(c: &Ctx, u: &Created, display: &str) -> CheckResult {
    let g = c.get(&u.location).await;
    status(&g, &[200])?;
    ensure(g.body()["displayName"] == display, || {
        format!(
            "the refused write was applied anyway: displayName is now {}",
            g.body()["displayName"]
        )
    })
}

async fn if_match_stale(c: &Ctx) -> CheckResult {
    let u = c.create_user(json!({"displayName": "Kept"})).await?;
    current(c, &u).await?;
    let r = c
        .send(
            "PUT",
            &u.location,
            Some(&replacement(&u, "Overwritten")),
            &[("If-Match", &stale())],
        )
        .await;
    let verdict = scim_error(&r, 412, None);
    unchanged(c, &u, "Kept").await?;
    verdict
}

async fn if_match_stale_patch(c: &Ctx) -> CheckResult {
    let u = c.create_user(json!({"displayName": "Kept"})).await?;
    current(c, &u).await?;
    let body = json!({"schemas": [crate::conformance::context::PATCH_OP], "Operations": [
        {"op": "replace", "path": "displayName", "value": "Overwritten"}]});
    let r = c
        .send("PATCH", &u.location, Some(&body), &[("If-Match", &stale())])
        .await;
    let verdict = scim_error(&r, 412, None);
    unchanged(c, &u, "Kept").await?;
    verdict
}

async fn delete_stale(c: &Ctx) -> CheckResult {
    let u = c.create_user(json!({})).await?;
    current(c, &u).await?;
    let r = c
        .send("DELETE", &u.location, None, &[("If-Match", &stale())])
        .await;
    reached(&r)?;
    let g = c.get(&u.location).await;
    reached(&g)?;
    ensure(g.code() == 200, || {
        format!(
            "DELETE with a stale If-Match answered {} and the resource is gone (GET {})",
            r.code(),
            g.code()
        )
    })?;
    scim_error(&r, 412, None)
}

async fn noop_patch(c: &Ctx) -> CheckResult {
    let u = c.create_user(json!({"displayName": "Same"})).await?;
    let (_, before) = current(c, &u).await?;
    let r = c
        .patch(
            &u.location,
            json!([{"op": "add", "path": "displayName", "value": "Same"}]),
        )
        .await;
    status(&r, &[200, 204])?;
    let (_, after) = current(c, &u).await?;
    ensure(before == after, || {
        format!(
            "a PATCH adding the value already present changed the ETag from {before} to {after}"
        )
    })
}
