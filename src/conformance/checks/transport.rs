//! Transport, media type and authentication beyond the basics in `users.rs` (RFC 7644 §2, §3.8,
//! §3.4.2, §7; RFC 7643 §2.1): the default and JSON media types, a charset parameter, UTF-8
//! round trips, unknown query parameters, attribute-name case, invalid tokens, and no existence
//! oracle for unauthenticated callers.

use crate::check;
use crate::conformance::context::{
    Ctx, USER, enc, ensure, path_of, reached, scim_error, status, truncate,
};
use crate::conformance::model::{Capability, Check, CheckResult, Finding};
use serde_json::{Value, json};

/// The transport and authentication checks.
pub fn checks() -> Vec<Check> {
    vec![
        check!(default_media_type, "transport.default-media-type", "Without a specific Accept, writes answer application/scim+json", "RFC 7644 §3.8", Should, [],
            fault JsonContentType, "Assume application/scim+json when the client accepts anything, and label POST/PUT responses with it."),
        check!(accept_json, "transport.accept-json", "Accept: application/json is served (200, JSON body)", "RFC 7644 §3.8", Should, [],
            fault AcceptJson406, "Treat Accept: application/json as acceptable and answer with the JSON resource."),
        check!(request_charset, "transport.request-charset", "A request Content-Type with charset=utf-8 is accepted", "RFC 7644 §3.8", Advice, [],
            fault CharsetRejected, "Compare only the media type of Content-Type; accept parameters such as charset=utf-8."),
        check!(utf8, "transport.utf8-roundtrip", "Non-ASCII text is stored and returned unchanged", "RFC 7644 §3.8", Must, [],
            fault Utf8Mangled, "Read and write bodies as UTF-8 end to end (database columns and connections included)."),
        check!(unknown_param, "transport.unknown-query-param", "An unknown query parameter is ignored", "RFC 7644 §3.4.2", Should, [],
            fault UnknownParam400, "Ignore query parameters you do not know instead of failing the request."),
        check!(attr_case, "transport.attribute-name-case", "Attribute names are case-insensitive on input", "RFC 7643 §2.1", Advice, [],
            fault AttrNamesCaseSensitive, "Match attribute names in bodies and in attributes= case-insensitively (USERNAME is userName)."),
        check!(invalid_token, "auth.invalid-token-401", "A wrong bearer token is 401 with a SCIM error", "RFC 7644 §2, §3.12", Must, [],
            fault AuthDisabled, "Validate the token on every request; reject an unknown one with 401."),
        check!(no_oracle, "auth.no-existence-oracle", "Unauthenticated requests learn nothing about which ids exist", "RFC 7644 §7", Should, [],
            fault AuthDisabled, "Authenticate before looking anything up, so existing and unknown ids both answer 401."),
    ]
}

fn scim_ct(r: &crate::client::http::Resp) -> CheckResult {
    let ct = r
        .header("content-type")
        .unwrap_or_default()
        .to_ascii_lowercase();
    ensure(ct.starts_with("application/scim+json"), || {
        format!(
            "{} {} answered Content-Type {ct:?}",
            r.exchange.method,
            path_of(&r.exchange.url)
        )
    })
}

async fn default_media_type(c: &Ctx) -> CheckResult {
    let any = [("Accept", "*/*")];
    let body = json!({"schemas": [USER], "userName": c.name("mt")});
    let r = c.send("POST", c.users(), Some(&body), &any).await;
    if let Some(id) = r.body()["id"].as_str() {
        c.track(&c.url_of(&c.user_path(id)));
    }
    status(&r, &[201])?;
    scim_ct(&r)?;
    let id = r.body()["id"].as_str().unwrap_or_default().to_string();
    let mut put = body.clone();
    put["displayName"] = json!("Media");
    let p = c.send("PUT", &c.user_path(&id), Some(&put), &any).await;
    status(&p, &[200])?;
    scim_ct(&p)?;
    let g = c.send("GET", &c.user_path(&id), None, &any).await;
    status(&g, &[200])?;
    scim_ct(&g)
}

async fn accept_json(c: &Ctx) -> CheckResult {
    let u = c.create_user(json!({})).await?;
    let r = c
        .send("GET", &u.location, None, &[("Accept", "application/json")])
        .await;
    status(&r, &[200])?;
    ensure(r.body()["id"] == u.id.as_str(), || {
        format!(
            "the body is not the resource as JSON: {}",
            truncate(&r.text, 200)
        )
    })?;
    let ct = r
        .header("content-type")
        .unwrap_or_default()
        .to_ascii_lowercase();
    ensure(
        ct.starts_with("application/json") || ct.starts_with("application/scim+json"),
        || format!("Accept: application/json was answered with Content-Type {ct:?}"),
    )
}

async fn request_charset(c: &Ctx) -> CheckResult {
    let name = c.name("charset");
    let body = json!({"schemas": [USER], "userName": name}).to_string();
    let r = c
        .raw(
            "POST",
            c.users(),
            body.as_bytes(),
            "application/scim+json; charset=utf-8",
        )
        .await;
    if let Some(id) = r.body()["id"].as_str() {
        c.track(&c.url_of(&c.user_path(id)));
    }
    status(&r, &[201])?;
    ensure(r.body()["userName"] == name.as_str(), || {
        "the created user does not carry the userName sent".into()
    })
}

async fn utf8(c: &Ctx) -> CheckResult {
    let text = "Zoë Ægir-Łukasz 李小龍 Ñandú 🎉";
    let mut sent = json!({});
    let mut probes: Vec<(&str, &str)> = Vec::new();
    for (path, value) in [
        ("displayName", text),
        ("name.givenName", "Zoë Ñandú"),
        ("name.familyName", "李小龍 🎉"),
    ] {
        if !c.caps().declares(USER, path) {
            continue;
        }
        match path.split_once('.') {
            Some((outer, inner)) => sent[outer][inner] = json!(value),
            None => sent[path] = json!(value),
        }
        probes.push((path, value));
    }
    if probes.is_empty() {
        return Err(Finding::skip(
            "the target's User schema declares none of displayName, name.givenName, name.familyName",
        ));
    }
    let u = c.create_user(sent).await?;
    let r = c.get(&u.location).await;
    status(&r, &[200])?;
    let at = |b: &Value, path: &str| {
        b.pointer(&format!("/{}", path.replace('.', "/")))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let mut judged = 0;
    for (path, value) in probes {
        let (created, read) = (at(&u.body, path), at(r.body(), path));
        // What the server itself returned at creation may be computed (django-scim2 derives
        // displayName from the name parts): judged only where the 201 kept what was sent, or
        // where the difference is the damage a wrong encoding does.
        let damaged = |v: &str| {
            v.contains('\u{FFFD}')
                || v.contains("Ã")
                || v.chars().filter(|ch| *ch == '?').count()
                    > value.chars().filter(|ch| *ch == '?').count()
        };
        for (what, v) in [("the 201 body", &created), ("GET", &read)] {
            if let Some(v) = v {
                ensure(!damaged(v), || {
                    format!(
                        "{path} {value:?} came back from {what} as {v:?}: the characters were damaged"
                    )
                })?;
            }
        }
        if created.as_deref() == Some(value) {
            judged += 1;
            ensure(read.as_deref() == Some(value), || {
                format!(
                    "{path} {value:?} was stored (the 201 shows it) but GET reads {:?}",
                    read
                )
            })?;
        }
    }
    ensure(judged > 0, || {
        "no attribute carrying non-ASCII text came back as sent in the 201 body, so the round trip could not be judged".into()
    })
    .map_err(|f| Finding::skip(f.reason))
}

async fn unknown_param(c: &Ctx) -> CheckResult {
    let u = c.create_user(json!({})).await?;
    let r = c
        .get(&format!("{}?scimtestUnknown=1", c.user_path(&u.id)))
        .await;
    status(&r, &[200])?;
    ensure(r.body()["id"] == u.id.as_str(), || {
        "GET with an unknown parameter did not return the resource".into()
    })?;
    let path = if c.caps().has(Capability::Filter) {
        let f = format!(
            "userName eq \"{}\"",
            u.body["userName"].as_str().unwrap_or_default()
        );
        format!("{}?filter={}&scimtestUnknown=1", c.users(), enc(&f))
    } else {
        format!("{}?count=1&scimtestUnknown=1", c.users())
    };
    let l = c.get(&path).await;
    status(&l, &[200])
}

async fn attr_case(c: &Ctx) -> CheckResult {
    let name = c.name("case");
    let r = c
        .post(
            c.users(),
            &json!({"schemas": [USER], "USERNAME": name, "DisplayName": "Any Case"}),
        )
        .await;
    reached(&r)?;
    let Some(id) = r.body()["id"].as_str().map(str::to_string) else {
        return Err(Finding::fail(format!(
            "POST with upper-case attribute names answered {}: {}",
            r.code(),
            truncate(&r.text, 200)
        )));
    };
    let loc = c.url_of(&c.user_path(&id));
    c.track(&loc);
    status(&r, &[201])?;
    let g = c.get(&loc).await;
    status(&g, &[200])?;
    ensure(
        g.body()["userName"] == name.as_str() && g.body()["displayName"] == "Any Case",
        || {
            format!(
                "USERNAME/DisplayName were not stored as userName/displayName: {}",
                truncate(&g.text, 200)
            )
        },
    )?;
    let p = c
        .get(&format!("{}?attributes=USERNAME", c.user_path(&id)))
        .await;
    status(&p, &[200])?;
    ensure(p.body()["userName"] == name.as_str(), || {
        format!(
            "attributes=USERNAME did not return userName: {}",
            truncate(&p.text, 200)
        )
    })
}

async fn invalid_token(c: &Ctx) -> CheckResult {
    let bogus = format!("Bearer scimtest-invalid-{}", uuid::Uuid::new_v4().simple());
    let r = c
        .unauthenticated("GET", c.users(), &[("Authorization", &bogus)])
        .await;
    scim_error(&r, 401, None)
}

async fn no_oracle(c: &Ctx) -> CheckResult {
    let u = c.create_user(json!({})).await?;
    let unknown = c.user_path(&uuid::Uuid::new_v4().to_string());
    let a = c.unauthenticated("GET", &c.user_path(&u.id), &[]).await;
    let b = c.unauthenticated("GET", &unknown, &[]).await;
    reached(&a)?;
    reached(&b)?;
    ensure(a.code() == b.code(), || {
        format!(
            "without credentials an existing id answers {} but an unknown one {}",
            a.code(),
            b.code()
        )
    })?;
    ensure(a.code() == 401, || {
        format!("without credentials GET of a user answered {}", a.code())
    })
}
