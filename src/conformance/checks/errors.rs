//! Errors (RFC 7644 §3.12): every error the target can be made to produce is a SCIM Error
//! (schemas, a string status matching the HTTP code, a Table 9 scimType in the right context),
//! served as application/scim+json; malformed input of any kind is a 4xx, never a 5xx.

use crate::check;
use crate::client::http::Resp;
use crate::conformance::context::{
    BULK_REQUEST, Ctx, PATCH_OP, USER, enc, ensure, error_body, path_of, reached, scim_error,
    status, truncate,
};
use crate::conformance::model::{Capability, Check, CheckResult, Finding};
use serde_json::{Value, json};

/// The scimType values RFC 7644 §3.12 Table 9 defines.
const SCIM_TYPES: [&str; 10] = [
    "invalidFilter",
    "tooMany",
    "uniqueness",
    "mutability",
    "invalidSyntax",
    "invalidPath",
    "noTarget",
    "invalidValue",
    "invalidVers",
    "sensitive",
];

/// The error checks.
pub fn checks() -> Vec<Check> {
    vec![
        check!(shape, "errors.shape", "Every error is a SCIM Error whose status string matches the HTTP code", "RFC 7644 §3.12", Must, [],
            fault ErrorNoSchemas, "Answer every 4xx/5xx with {\"schemas\": [\"urn:ietf:params:scim:api:messages:2.0:Error\"], \"status\": \"<code>\", \"detail\": \"…\"}."),
        check!(content_type, "errors.content-type", "Every error is served as application/scim+json", "RFC 7644 §3.12, §3.8", Should, [],
            fault JsonContentType, "Send Content-Type: application/scim+json with error bodies too (not text/plain, HTML or application/json)."),
        check!(scim_type, "errors.scim-type", "A scimType, when given, is a Table 9 value that fits the error", "RFC 7644 §3.12", Advice, [],
            fault ErrorScimTypeInvalid, "Omit scimType or use the RFC 7644 Table 9 value that fits: invalidSyntax for unparseable bodies, invalidFilter for bad filters, uniqueness for conflicts, …"),
        check!(no_5xx, "errors.no-5xx-for-client-errors", "Malformed requests are answered 4xx, never 5xx", "RFC 7644 §3.12", Should, [],
            fault Malformed500, "Validate input before using it and map every client mistake to a 4xx SCIM error; 5xx means the server failed."),
        check!(unsupported_501, "errors.unsupported-501", "PATCH and Bulk answer 501 when the SPC marks them unsupported, and work when it marks them supported", "RFC 7644 §3.12; RFC 7643 §5", Should, [],
            fault SpcUnderstates, "Keep the ServiceProviderConfig truthful: refuse unsupported operations with 501 Not Implemented, and advertise what you serve."),
    ]
}

/// Errors the target can be made to produce, each with a label.
async fn elicit(c: &Ctx) -> Result<Vec<(&'static str, Resp)>, Finding> {
    let u = c.create_user(json!({})).await?;
    let mut out = Vec::new();
    let unknown = c.user_path(&uuid::Uuid::new_v4().to_string());
    out.push(("GET of an unknown id", c.get(&unknown).await));
    out.push((
        "PUT of an unknown id",
        c.put(
            &unknown,
            &json!({"schemas": [USER], "userName": c.name("ghost")}),
        )
        .await,
    ));
    out.push((
        "POST with malformed JSON",
        c.raw(
            "POST",
            c.users(),
            b"{\"userName\": ",
            "application/scim+json",
        )
        .await,
    ));
    let dup = c
        .post(
            c.users(),
            &json!({"schemas": [USER], "userName": u.body["userName"]}),
        )
        .await;
    if let Some(id) = dup.body()["id"].as_str() {
        c.track(&c.url_of(&c.user_path(id)));
    }
    out.push(("POST of a duplicate userName", dup));
    out.push((
        "GET without credentials",
        c.unauthenticated("GET", c.users(), &[]).await,
    ));
    if c.caps().has(Capability::Filter) {
        out.push((
            "GET with a malformed filter",
            c.get(&format!("{}?filter={}", c.users(), enc("userName eq")))
                .await,
        ));
    }
    if c.caps().has(Capability::Patch) {
        out.push((
            "PATCH with a malformed path",
            c.patch(
                &u.location,
                json!([{"op": "replace", "path": "name..givenName", "value": "x"}]),
            )
            .await,
        ));
    }
    Ok(out)
}

/// The elicited responses that are errors; an Error finding when none are.
fn errors_only(all: Vec<(&'static str, Resp)>) -> Result<Vec<(&'static str, Resp)>, Finding> {
    for (_, r) in &all {
        reached(r)?;
    }
    let errs: Vec<_> = all.into_iter().filter(|(_, r)| r.code() >= 400).collect();
    if errs.is_empty() {
        return Err(Finding::error(
            "none of the erroneous requests was answered with an error status",
        ));
    }
    Ok(errs)
}

async fn shape(c: &Ctx) -> CheckResult {
    for (what, r) in errors_only(elicit(c).await?)? {
        let b = r.body();
        error_body(&r).map_err(|f| Finding {
            reason: format!("{what}: {}", f.reason),
            ..f
        })?;
        for f in ["detail", "scimType"] {
            ensure(b.get(f).is_none_or(Value::is_string), || {
                format!("{what}: {f} is not a string: {}", b[f])
            })?;
        }
    }
    Ok(())
}

async fn content_type(c: &Ctx) -> CheckResult {
    for (what, r) in errors_only(elicit(c).await?)? {
        let ct = r
            .header("content-type")
            .unwrap_or_default()
            .to_ascii_lowercase();
        ensure(ct.starts_with("application/scim+json"), || {
            format!("{what}: the {} came with Content-Type {ct:?}", r.code())
        })?;
    }
    Ok(())
}

async fn scim_type(c: &Ctx) -> CheckResult {
    // RFC 7644 §3.12: "scimType: A SCIM detail error keyword. See Table 9. OPTIONAL." A missing
    // scimType passes; one that is given must be a Table 9 keyword that fits the context (no
    // keyword requires it, hence advice; the mandated ones are judged by their own checks).
    for (what, r) in errors_only(elicit(c).await?)? {
        let Some(t) = r.body()["scimType"].as_str() else {
            continue;
        };
        ensure(SCIM_TYPES.contains(&t), || {
            format!("{what}: scimType {t:?} is not one of RFC 7644 Table 9")
        })?;
        let fits: &[&str] = match what {
            "POST with malformed JSON" => &["invalidSyntax", "invalidValue"],
            "POST of a duplicate userName" => &["uniqueness"],
            "GET with a malformed filter" => &["invalidFilter"],
            _ => &[],
        };
        if !fits.is_empty() {
            ensure(fits.contains(&t), || {
                format!("{what}: scimType {t:?} does not fit; Table 9 gives {fits:?}")
            })?;
        }
    }
    Ok(())
}

/// One malformed request and whether any 2xx would also be acceptable (the target may coerce).
struct Bad {
    what: &'static str,
    method: &'static str,
    path: String,
    body: Option<Vec<u8>>,
    content_type: &'static str,
    may_succeed: bool,
}

fn bad(what: &'static str, method: &'static str, path: String, body: Option<Value>) -> Bad {
    Bad {
        what,
        method,
        path,
        body: body.map(|b| b.to_string().into_bytes()),
        content_type: "application/scim+json",
        may_succeed: false,
    }
}

fn raw(what: &'static str, method: &'static str, path: String, body: &[u8]) -> Bad {
    Bad {
        what,
        method,
        path,
        body: Some(body.to_vec()),
        content_type: "application/scim+json",
        may_succeed: false,
    }
}

fn lenient(mut b: Bad) -> Bad {
    b.may_succeed = true;
    b
}

async fn no_5xx(c: &Ctx) -> CheckResult {
    let u = c.create_user(json!({})).await?;
    let users = c.users().to_string();
    let mine = c.user_path(&u.id);
    let user = |extra: Value| {
        let mut b = json!({"schemas": [USER], "userName": c.name("bad")});
        if let (Value::Object(m), Value::Object(e)) = (&mut b, extra) {
            m.extend(e);
        }
        b
    };
    let q = |params: &str| format!("{users}?{params}");
    let mut battery = vec![
        raw("malformed JSON", "POST", users.clone(), b"{\"userName\": "),
        raw("a JSON array body", "POST", users.clone(), b"[1, 2]"),
        raw("a JSON string body", "POST", users.clone(), b"\"user\""),
        raw("an empty body", "POST", users.clone(), b""),
        raw("a body that is JSON null", "PUT", mine.clone(), b"null"),
        lenient(bad(
            "userName as a number",
            "POST",
            users.clone(),
            Some(json!({"schemas": [USER], "userName": 12345})),
        )),
        lenient(bad(
            "active as a word",
            "POST",
            users.clone(),
            Some(user(json!({"active": "maybe"}))),
        )),
        lenient(bad(
            "emails as a string",
            "POST",
            users.clone(),
            Some(user(json!({"emails": "nobody@example.com"}))),
        )),
        lenient(bad(
            "name as an array",
            "POST",
            users.clone(),
            Some(user(json!({"name": ["x"]}))),
        )),
        lenient(bad(
            "schemas as a string",
            "POST",
            users.clone(),
            Some(json!({"schemas": USER, "userName": c.name("bad")})),
        )),
        lenient(Bad {
            content_type: "text/plain",
            ..bad(
                "a text/plain body",
                "POST",
                users.clone(),
                Some(user(json!({}))),
            )
        }),
        lenient(bad("startIndex=abc", "GET", q("startIndex=abc"), None)),
        lenient(bad("count=-5", "GET", q("count=-5"), None)),
        lenient(bad("count=1e99", "GET", q("count=1e99"), None)),
        lenient(bad(
            "attributes=%5B",
            "GET",
            q(&format!("attributes={}", enc("[]"))),
            None,
        )),
        lenient(bad(
            "an unknown id with odd characters",
            "GET",
            format!("{users}/{}", enc("x\"y<z>")),
            None,
        )),
    ];
    if c.caps().has(Capability::Filter) {
        for (what, f) in [
            ("an unfinished filter", "userName eq"),
            ("unbalanced parentheses", "((userName eq \"a\""),
            ("an unknown operator", "userName xx \"a\""),
            ("an unterminated string", "userName eq \"abc"),
        ] {
            battery.push(bad(what, "GET", q(&format!("filter={}", enc(f))), None));
        }
    }
    if c.caps().has(Capability::Sort) {
        battery.push(lenient(bad(
            "sortBy=((",
            "GET",
            q(&format!("sortBy={}", enc("(("))),
            None,
        )));
    }
    if c.caps().has(Capability::Patch) {
        let patch = |ops: Value| json!({"schemas": [PATCH_OP], "Operations": ops});
        battery.extend([
            bad(
                "a PATCH path with two dots",
                "PATCH",
                mine.clone(),
                Some(patch(
                    json!([{"op": "replace", "path": "name..givenName", "value": "x"}]),
                )),
            ),
            bad(
                "an unclosed PATCH value filter",
                "PATCH",
                mine.clone(),
                Some(patch(
                    json!([{"op": "replace", "path": "emails[type eq", "value": "x"}]),
                )),
            ),
            bad(
                "an unknown PATCH op",
                "PATCH",
                mine.clone(),
                Some(patch(json!([{"op": "move", "path": "title"}]))),
            ),
            bad(
                "Operations as a string",
                "PATCH",
                mine.clone(),
                Some(json!({"schemas": [PATCH_OP], "Operations": "replace"})),
            ),
            bad(
                "a PATCH operation that is a number",
                "PATCH",
                mine.clone(),
                Some(patch(json!([42]))),
            ),
        ]);
    }
    if c.caps().has(Capability::Bulk) {
        battery.push(raw(
            "malformed Bulk JSON",
            "POST",
            "/Bulk".into(),
            b"{\"Operations\": [",
        ));
        battery.push(bad(
            "Bulk Operations as an object",
            "POST",
            "/Bulk".into(),
            Some(json!({"schemas": [BULK_REQUEST], "Operations": {"method": "DELETE"}})),
        ));
    }
    battery.push(raw(
        "malformed SearchRequest JSON",
        "POST",
        format!("{users}/.search"),
        b"{\"filter\": ",
    ));
    for b in battery {
        let r = match &b.body {
            Some(body) => c.raw(b.method, &b.path, body, b.content_type).await,
            None => c.send(b.method, &b.path, None, &[]).await,
        };
        if b.method == "POST"
            && matches!(r.status, Some(200..=299))
            && let Some(id) = r.body()["id"].as_str()
        {
            c.track(&c.url_of(&c.user_path(id)));
        }
        reached(&r).map_err(|f| Finding::fail(format!("{}: {}", b.what, f.reason)))?;
        let code = r.code();
        ensure(code < 500, || {
            format!(
                "{} ({} {}) answered {code}: {}",
                b.what,
                b.method,
                path_of(&r.exchange.url),
                truncate(&r.text, 200)
            )
        })?;
        ensure(b.may_succeed || (400..500).contains(&code), || {
            format!(
                "{} ({} {}) answered {code}, expected a 4xx",
                b.what,
                b.method,
                path_of(&r.exchange.url)
            )
        })?;
    }
    Ok(())
}

async fn unsupported_501(c: &Ctx) -> CheckResult {
    let u = c.create_user(json!({"displayName": "Before"})).await?;
    let patch = c.caps().has(Capability::Patch);
    let r = c
        .patch(
            &u.location,
            json!([{"op": "replace", "path": "displayName", "value": "After"}]),
        )
        .await;
    if patch {
        status(&r, &[200, 204])?;
    } else {
        scim_error(&r, 501, None)
            .map_err(|f| Finding::fail(format!("patch.supported is false; {}", f.reason)))?;
    }
    let g = c.get(&u.location).await;
    status(&g, &[200])?;
    let want = if patch { "After" } else { "Before" };
    ensure(g.body()["displayName"] == want, || {
        format!(
            "patch.supported is {patch}, yet after the PATCH displayName is {}",
            g.body()["displayName"]
        )
    })?;
    let r = c
        .post(
            "/Bulk",
            &json!({"schemas": [BULK_REQUEST], "Operations": [
                {"method": "DELETE", "path": c.user_path(&uuid::Uuid::new_v4().to_string())}]}),
        )
        .await;
    if c.caps().has(Capability::Bulk) {
        status(&r, &[200])
    } else {
        scim_error(&r, 501, None)
            .map_err(|f| Finding::fail(format!("bulk.supported is false; {}", f.reason)))
    }
}
