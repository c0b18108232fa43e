//! Bulk (RFC 7644 §3.7): the BulkResponse, `bulkId` (required on POST, resolved in data),
//! circular references, `failOnErrors`, the advertised `maxOperations` / `maxPayloadSize` limits
//! (413), per-operation error bodies and versions.

use crate::check;
use crate::client::http::Resp;
use crate::conformance::context::{
    BULK_REQUEST, Created, Ctx, ERROR, USER, enc, ensure, ids, reached, scim_error, status,
    truncate,
};
use crate::conformance::model::{Capability, Check, CheckResult, Finding};
use serde_json::{Value, json};

const BULK_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:BulkResponse";

/// Largest request these checks send to probe a limit (bytes / operations).
const MAX_PROBE_BYTES: u64 = 16 * 1024 * 1024;
const MAX_PROBE_OPS: u64 = 20_000;

/// The Bulk checks.
pub fn checks() -> Vec<Check> {
    vec![
        check!(basic, "bulk.basic", "A BulkRequest with POST, PUT and DELETE is answered per operation and applied", "RFC 7644 §3.7, §3.7.3", Must, [Bulk],
            fault Create200, "Answer POST /Bulk with 200 and a BulkResponse whose operations carry method, bulkId, location and the status each single request would have had (201 for POST)."),
        check!(bulk_id_required, "bulk.bulk-id-required", "A POST operation without bulkId is refused", "RFC 7644 §3.7", Advice, [Bulk],
            fault BulkPostWithoutBulkId, "Reject a Bulk POST operation that has no bulkId (400 for that operation, or for the request)."),
        check!(bulk_id_reference, "bulk.bulk-id-reference", "bulkId:<id> in a group's members becomes the new user's id", "RFC 7644 §3.7.2", Must, [Bulk, Groups],
            fault BulkIgnoreBulkId, "Replace every \"bulkId:<id>\" in operation data with the id of the resource that operation created."),
        check!(circular, "bulk.circular-reference", "Groups that reference each other by bulkId are resolved, or refused with 409", "RFC 7644 §3.7.1", Must, [Bulk, Groups],
            fault BulkIgnoreBulkId, "Resolve circular bulkId references (create, then fix up), or answer the operations with 409 if you cannot."),
        check!(fail_on_errors, "bulk.fail-on-errors", "failOnErrors=1 stops processing after the first error", "RFC 7644 §3.7.3", Advice, [Bulk],
            fault BulkIgnoreFailOnErrors, "Count failed operations and stop processing once failOnErrors is reached; later operations must not run."),
        check!(continue_on_error, "bulk.continue-on-error", "Without failOnErrors, every operation runs despite an earlier error", "RFC 7644 §3.7.3", Must, [Bulk],
            fault BulkStopOnError, "Without failOnErrors, process every operation and report each one's status."),
        check!(max_operations, "bulk.max-operations", "maxOperations+1 operations are refused with 413 naming the limit", "RFC 7644 §3.7.4", Must, [Bulk],
            fault BulkNoLimit, "Count the operations before running any; above maxOperations answer 413 with the limit in detail."),
        check!(max_payload, "bulk.max-payload-size", "A body larger than maxPayloadSize is refused with 413 naming the limit", "RFC 7644 §3.7.4", Must, [Bulk],
            fault BulkNoPayloadLimit, "Check the body size (Content-Length) against maxPayloadSize and answer 413 with the limit in detail."),
        check!(op_error_body, "bulk.operation-error-body", "A failed operation carries its status and a SCIM error response", "RFC 7644 §3.7.3, §3.12", Must, [Bulk],
            fault ErrorNoSchemas, "For a failed operation, set status to the HTTP code and response to the SCIM error body a single request would have got."),
        check!(version_stale, "bulk.version-stale", "An operation with a stale version is 412 and changes nothing", "RFC 7644 §3.7, §3.14", May, [Bulk, Etag],
            fault IgnoreIfMatch, "Treat an operation's version like If-Match: a stale one fails that operation with 412."),
    ]
}

/// POST /Bulk with these operations.
async fn bulk(c: &Ctx, ops: Vec<Value>, fail_on_errors: Option<u64>) -> Resp {
    let mut body = json!({"schemas": [BULK_REQUEST], "Operations": ops});
    if let Some(n) = fail_on_errors {
        body["failOnErrors"] = json!(n);
    }
    c.post("/Bulk", &body).await
}

/// The operations of a BulkResponse; tracks every resource a POST operation created.
fn operations(c: &Ctx, r: &Resp) -> Vec<Value> {
    let ops = r.body()["Operations"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for op in &ops {
        let created = op["method"]
            .as_str()
            .is_some_and(|m| m.eq_ignore_ascii_case("POST"))
            && op_status(op).is_some_and(|s| (200..300).contains(&s));
        if let (true, Some(loc)) = (created, op["location"].as_str()) {
            c.track(&absolute(c, loc));
        }
    }
    ops
}

fn absolute(c: &Ctx, loc: &str) -> String {
    c.resolve_reference(loc)
}

/// An operation's status, given as a string (as the RFC shows) or a number.
fn op_status(op: &Value) -> Option<u16> {
    fn code(v: &Value) -> Option<u16> {
        match v {
            Value::String(s) => s.trim().parse().ok(),
            Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
            _ => None,
        }
    }
    match &op["status"] {
        // RFC 7644 §3.7.3's examples also write the status as {"code": "201"}.
        Value::Object(m) => m.get("code").and_then(code),
        v => code(v),
    }
}

/// The operation answering `bulk_id`, or the `i`th one.
fn op_for<'a>(ops: &'a [Value], bulk_id: Option<&str>, i: usize) -> Option<&'a Value> {
    match bulk_id {
        Some(b) => ops.iter().find(|o| o["bulkId"] == b),
        None => ops.get(i),
    }
}

fn describe(op: Option<&Value>) -> String {
    op.map(|o| truncate(&o.to_string(), 200))
        .unwrap_or_else(|| "nothing".into())
}

/// The last path segment of a location: the id.
fn id_of(loc: &str) -> &str {
    loc.trim_end_matches('/').rsplit('/').next().unwrap_or(loc)
}

fn random_user_path(c: &Ctx) -> String {
    c.user_path(&uuid::Uuid::new_v4().to_string())
}

async fn basic(c: &Ctx) -> CheckResult {
    let a = c.create_user(json!({"displayName": "Before"})).await?;
    let b = c.create_user(json!({})).await?;
    let name = c.name("bulk");
    let r = bulk(
        c,
        vec![
            json!({"method": "POST", "path": c.users(), "bulkId": "new",
                   "data": {"schemas": [USER], "userName": name}}),
            json!({"method": "PUT", "path": c.user_path(&a.id),
                   "data": {"schemas": [USER], "userName": a.body["userName"], "displayName": "After"}}),
            json!({"method": "DELETE", "path": c.user_path(&b.id)}),
        ],
        None,
    )
    .await;
    status(&r, &[200])?;
    let ops = operations(c, &r);
    ensure(
        r.body()["schemas"]
            .as_array()
            .is_some_and(|s| s.iter().any(|u| u == BULK_RESPONSE)),
        || format!("schemas does not list {BULK_RESPONSE}"),
    )?;
    let post = op_for(&ops, Some("new"), 0);
    ensure(
        post.is_some_and(|o| op_status(o) == Some(201) && o["location"].is_string()),
        || {
            format!(
                "the POST operation (bulkId new) should have status 201 and a location, got {}",
                describe(post)
            )
        },
    )?;
    let put = ops.iter().find(|o| o["method"] == "PUT");
    ensure(put.and_then(op_status) == Some(200), || {
        format!(
            "the PUT operation should have status 200, got {}",
            describe(put)
        )
    })?;
    let del = ops.iter().find(|o| o["method"] == "DELETE");
    ensure(del.and_then(op_status) == Some(204), || {
        format!(
            "the DELETE operation should have status 204, got {}",
            describe(del)
        )
    })?;
    let loc = post
        .and_then(|o| o["location"].as_str())
        .map(|l| absolute(c, l))
        .unwrap_or_default();
    let g = c.get(&loc).await;
    status(&g, &[200])?;
    ensure(g.body()["userName"] == name.as_str(), || {
        "the user created by the Bulk POST does not read back".into()
    })?;
    let g = c.get(&a.location).await;
    status(&g, &[200])?;
    ensure(g.body()["displayName"] == "After", || {
        "the Bulk PUT was not applied".into()
    })?;
    let g = c.get(&b.location).await;
    reached(&g)?;
    ensure(g.code() == 404, || {
        format!(
            "the user deleted by the Bulk DELETE still answers {}",
            g.code()
        )
    })
}

async fn bulk_id_required(c: &Ctx) -> CheckResult {
    let r = bulk(
        c,
        vec![json!({"method": "POST", "path": c.users(),
                    "data": {"schemas": [USER], "userName": c.name("nobulkid")}})],
        None,
    )
    .await;
    reached(&r)?;
    if r.code() == 400 {
        return Ok(());
    }
    status(&r, &[200])?;
    let ops = operations(c, &r);
    let op = ops.first();
    ensure(op.and_then(op_status) == Some(400), || {
        format!(
            "a POST operation without bulkId should fail with 400, got {}",
            describe(op)
        )
    })
}

async fn bulk_id_reference(c: &Ctx) -> CheckResult {
    let groups = c.groups()?.to_string();
    let r = bulk(
        c,
        vec![
            json!({"method": "POST", "path": groups, "bulkId": "g",
                   "data": {"schemas": [crate::conformance::context::GROUP], "displayName": c.name("bg"),
                            "members": [{"type": "User", "value": "bulkId:u"}]}}),
            json!({"method": "POST", "path": c.users(), "bulkId": "u",
                   "data": {"schemas": [USER], "userName": c.name("bu")}}),
        ],
        None,
    )
    .await;
    status(&r, &[200])?;
    let ops = operations(c, &r);
    let (u, g) = (op_for(&ops, Some("u"), 1), op_for(&ops, Some("g"), 0));
    let loc = |o: Option<&Value>| o.and_then(|o| o["location"].as_str()).map(str::to_string);
    let (Some(ul), Some(gl)) = (loc(u), loc(g)) else {
        return Err(Finding::fail(format!(
            "both operations should succeed with a location; user: {}, group: {}",
            describe(u),
            describe(g)
        )));
    };
    let user_id = id_of(&ul).to_string();
    let gr = c.get(&absolute(c, &gl)).await;
    status(&gr, &[200])?;
    let members: Vec<&str> = gr.body()["members"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m["value"].as_str())
        .collect();
    if members.is_empty() {
        // RFC 7644 §3.3 lets a server ignore POSTed content: a target that drops members on
        // every create shows nothing about bulkId resolution here.
        let probe_user = c.create_user(json!({})).await?;
        let probe = c.create_group(&[&probe_user.id]).await?;
        let read = c.get(&probe.location).await;
        status(&read, &[200])?;
        if read.body()["members"].as_array().is_none_or(Vec::is_empty) {
            return Err(Finding::skip(
                "precondition not met: the target stores no members given at creation, in Bulk or \
                 in a plain POST /Groups (groups.create.members-stored reports it)",
            ));
        }
    }
    ensure(members == [user_id.as_str()], || {
        format!("the group's members are {members:?}, expected the new user's id {user_id:?}")
    })
}

async fn circular(c: &Ctx) -> CheckResult {
    let groups = c.groups()?.to_string();
    let names = [c.name("ga"), c.name("gb")];
    let group = |me: &str, name: &str, other: &str| {
        json!({"method": "POST", "path": groups, "bulkId": me,
               "data": {"schemas": [crate::conformance::context::GROUP], "displayName": name,
                        "members": [{"type": "Group", "value": format!("bulkId:{other}")}]}})
    };
    let r = bulk(
        c,
        vec![group("ga", &names[0], "gb"), group("gb", &names[1], "ga")],
        None,
    )
    .await;
    reached(&r)?;
    if r.code() == 409 {
        // "…but MAY stop after a failed attempt and instead return HTTP status code 409"
        // (RFC 7644 §3.7.1): the whole request refused.
        return Ok(());
    }
    status(&r, &[200])?;
    let ops = operations(c, &r);
    let mut created: Vec<Option<String>> = Vec::new();
    for (b, name) in ["ga", "gb"].iter().zip(&names) {
        let op = op_for(&ops, Some(b), 0);
        match op.and_then(op_status) {
            Some(201) => {
                let Some(l) = op.and_then(|o| o["location"].as_str()) else {
                    return Err(Finding::fail(format!(
                        "operation {b} answered 201 without a location: {}",
                        describe(op)
                    )));
                };
                created.push(Some(absolute(c, l)));
            }
            Some(409) => {
                // Refused: it must not exist anyway.
                if c.caps().has(Capability::Filter) {
                    let f = format!("displayName eq \"{name}\"");
                    let l = c.get(&format!("{groups}?filter={}", enc(&f))).await;
                    status(&l, &[200])?;
                    for id in ids(&l) {
                        c.track(&c.url_of(&format!("{groups}/{id}")));
                    }
                    ensure(ids(&l).is_empty(), || {
                        format!("operation {b} was refused with 409, yet group {name:?} exists")
                    })?;
                }
                created.push(None);
            }
            _ => {
                return Err(Finding::fail(format!(
                    "operation {b} was neither resolved (201) nor refused with 409: {}",
                    describe(op)
                )));
            }
        }
    }
    for (i, loc) in created.iter().enumerate() {
        let Some(loc) = loc else { continue };
        let g = c.get(loc).await;
        status(&g, &[200])?;
        let members: Vec<&str> = g.body()["members"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|m| m["value"].as_str())
            .collect();
        ensure(!members.iter().any(|m| m.starts_with("bulkId:")), || {
            format!("group {loc} stores the unresolved reference {members:?} (RFC 7644 §3.7.2)")
        })?;
        if let Some(other) = &created[1 - i] {
            let other = id_of(other).to_string();
            ensure(members == [other.as_str()], || {
                format!(
                    "group {loc} has members {members:?}, expected the other group's id {other:?}"
                )
            })?;
        }
    }
    Ok(())
}

/// Whether a user with this userName exists (by filter; Ok(None) when filtering is unsupported).
async fn exists(c: &Ctx, user_name: &str) -> Result<Option<bool>, Finding> {
    if !c.caps().has(Capability::Filter) {
        return Ok(None);
    }
    let r = c
        .get(&format!(
            "{}?filter={}",
            c.users(),
            enc(&format!("userName eq \"{user_name}\""))
        ))
        .await;
    status(&r, &[200])?;
    for id in ids(&r) {
        c.track(&c.url_of(&c.user_path(&id)));
    }
    Ok(Some(!ids(&r).is_empty()))
}

async fn fail_on_errors(c: &Ctx) -> CheckResult {
    let name = c.name("late");
    let r = bulk(
        c,
        vec![
            json!({"method": "DELETE", "path": random_user_path(c)}),
            json!({"method": "POST", "path": c.users(), "bulkId": "late",
                   "data": {"schemas": [USER], "userName": name}}),
        ],
        Some(1),
    )
    .await;
    reached(&r)?;
    let ops = operations(c, &r);
    let late = op_for(&ops, Some("late"), 1);
    ensure(late.is_none(), || {
        format!(
            "with failOnErrors 1 the operation after the first error still ran: {}",
            describe(late)
        )
    })?;
    ensure(exists(c, &name).await? != Some(true), || {
        "with failOnErrors 1 the user after the first error was created".into()
    })?;
    ensure(r.code() == 200 || (400..500).contains(&r.code()), || {
        format!(
            "the stopped BulkRequest answered {}: {}",
            r.code(),
            truncate(&r.text, 200)
        )
    })
}

async fn continue_on_error(c: &Ctx) -> CheckResult {
    let name = c.name("after");
    let r = bulk(
        c,
        vec![
            json!({"method": "DELETE", "path": random_user_path(c)}),
            json!({"method": "POST", "path": c.users(), "bulkId": "after",
                   "data": {"schemas": [USER], "userName": name}}),
        ],
        None,
    )
    .await;
    status(&r, &[200])?;
    let ops = operations(c, &r);
    let first = ops.iter().find(|o| o["method"] == "DELETE");
    ensure(first.and_then(op_status) == Some(404), || {
        format!(
            "the DELETE of an unknown id should report 404, got {}",
            describe(first)
        )
    })?;
    let after = op_for(&ops, Some("after"), 1);
    ensure(after.and_then(op_status) == Some(201), || {
        format!(
            "the POST after the failed DELETE should still run (201), got {}",
            describe(after)
        )
    })
}

async fn max_operations(c: &Ctx) -> CheckResult {
    let Some(max) = c.caps().bulk_max_operations() else {
        return Err(Finding::skip("bulk.maxOperations is not advertised"));
    };
    if max >= MAX_PROBE_OPS {
        return Err(Finding::skip(format!(
            "bulk.maxOperations {max} is too large to probe"
        )));
    }
    let ops: Vec<Value> = (0..=max)
        .map(|_| json!({"method": "DELETE", "path": random_user_path(c)}))
        .collect();
    let body = json!({"schemas": [BULK_REQUEST], "Operations": ops});
    let size = body.to_string().len() as u64;
    if c.caps().bulk_max_payload().is_some_and(|p| size > p) {
        return Err(Finding::skip(format!(
            "{} operations ({size} bytes) exceed maxPayloadSize; the limits cannot be told apart",
            max + 1
        )));
    }
    let r = c.post("/Bulk", &body).await;
    scim_error(&r, 413, None)?;
    ensure(r.text.contains(&max.to_string()), || {
        format!(
            "the 413 must state the limit ({max}): {}",
            truncate(&r.text, 200)
        )
    })
}

async fn max_payload(c: &Ctx) -> CheckResult {
    let Some(max) = c.caps().bulk_max_payload() else {
        return Err(Finding::skip("bulk.maxPayloadSize is not advertised"));
    };
    if max >= MAX_PROBE_BYTES {
        return Err(Finding::skip(format!(
            "bulk.maxPayloadSize {max} is too large to probe"
        )));
    }
    let pad = "x".repeat(usize::try_from(max).unwrap_or(usize::MAX / 2) + 1024);
    let body = json!({"schemas": [BULK_REQUEST],
        "Operations": [{"method": "DELETE", "path": random_user_path(c)}],
        "scimtestPadding": pad});
    let r = c.post("/Bulk", &body).await;
    reached(&r)?;
    let verdict = scim_error(&r, 413, None);
    // Do not keep the megabyte of padding as evidence in the reason.
    verdict.map_err(|f| Finding {
        reason: format!(
            "a {} byte BulkRequest (maxPayloadSize {max}): {}",
            body.to_string().len(),
            truncate(&f.reason, 200)
        ),
        ..f
    })?;
    ensure(r.text.contains(&max.to_string()), || {
        format!(
            "the 413 must state the limit ({max}): {}",
            truncate(&r.text, 200)
        )
    })
}

async fn op_error_body(c: &Ctx) -> CheckResult {
    let r = bulk(
        c,
        vec![json!({"method": "DELETE", "path": random_user_path(c)})],
        None,
    )
    .await;
    status(&r, &[200])?;
    let ops = operations(c, &r);
    let op = ops.first();
    ensure(op.and_then(op_status) == Some(404), || {
        format!(
            "DELETE of an unknown id should report status 404, got {}",
            describe(op)
        )
    })?;
    let resp = op.map(|o| &o["response"]).unwrap_or(&Value::Null);
    ensure(
        resp["schemas"]
            .as_array()
            .is_some_and(|s| s.iter().any(|u| u == ERROR)),
        || {
            format!(
                "the failed operation's response is not a SCIM error: {}",
                truncate(&resp.to_string(), 200)
            )
        },
    )?;
    ensure(resp["status"] == "404", || {
        format!(
            "the failed operation's response status should be \"404\", got {}",
            resp["status"]
        )
    })
}

async fn version_stale(c: &Ctx) -> CheckResult {
    let u: Created = c.create_user(json!({"displayName": "Kept"})).await?;
    let r = bulk(
        c,
        vec![json!({"method": "PUT", "path": c.user_path(&u.id),
                    "version": format!("W/\"scimtest-stale-{}\"", uuid::Uuid::new_v4().simple()),
                    "data": {"schemas": [USER], "userName": u.body["userName"], "displayName": "Overwritten"}})],
        None,
    )
    .await;
    status(&r, &[200])?;
    let ops = operations(c, &r);
    let op = ops.first();
    let g = c.get(&u.location).await;
    status(&g, &[200])?;
    ensure(g.body()["displayName"] == "Kept", || {
        "the PUT operation with a stale version was applied".into()
    })?;
    ensure(op.and_then(op_status) == Some(412), || {
        format!(
            "a PUT operation with a stale version should report 412, got {}",
            describe(op)
        )
    })
}
