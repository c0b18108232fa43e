//! The `/Me` alias (RFC 7644 §3.11): a target without it answers 501; a target with it serves
//! the authenticated subject's own resource, whose `meta.location` is the permanent
//! `/Users/{id}`, and never another user's data. The harness's credential may not be bound to a
//! user at all (the embedded provider's default token is not), so every check here passes on a
//! 4xx/501 answer where that is the correct behaviour, and no check ever writes to the subject:
//! writes through `/Me` are probed with an invalid PATCH that no conforming target applies.

use crate::check;
use crate::client::http::Resp;
use crate::conformance::context::{Ctx, ensure, path_of, reached, scim_error, status, truncate};
use crate::conformance::model::{Check, CheckResult, Finding};
use serde_json::{Value, json};

/// The `/Me` checks.
pub fn checks() -> Vec<Check> {
    vec![
        check!(unsupported_501, "me.unsupported-501", "A target without /Me answers 501 Not Implemented", "RFC 7644 §3.11", Should, [],
            fault Me404, "If you do not support /Me, answer every /Me request with 501 and a SCIM error, not the 404 of an unknown endpoint."),
        check!(get_subject, "me.get.subject", "GET /Me serves the authenticated subject at /Users/{id}, or 4xx/501; never another user", "RFC 7644 §3.11", Must, [],
            fault MeOtherUser, "Resolve /Me from the credential only: serve the subject's own resource with meta.location (and Location) at its permanent /Users/{id}, or answer 501/4xx when the credential is not bound to a user."),
        check!(write_same, "me.write.same-as-users", "Writes through /Me behave as on /Users/{id} and reach no other user", "RFC 7644 §3.11", Must, [],
            fault MeOtherUser, "Route PUT/PATCH/DELETE on /Me exactly like GET /Me: to the subject's /Users/{id}, or 501/4xx when /Me is unsupported for this credential."),
    ]
}

/// The prefix every name of this run starts with (`scimtest-<run>-`).
fn run_prefix(c: &Ctx) -> String {
    let probe = c.name("p");
    let mut parts = probe.splitn(3, '-');
    match (parts.next(), parts.next()) {
        (Some(a), Some(b)) => format!("{a}-{b}-"),
        _ => probe,
    }
}

/// Fail when `/Me` resolved to a user this run created: such a user cannot be the subject the
/// harness's own credential authenticates, so the target served someone else's resource.
fn not_a_run_user(c: &Ctx, me: &Value) -> CheckResult {
    let user_name = me["userName"].as_str().unwrap_or_default();
    ensure(!user_name.starts_with(&run_prefix(c)), || {
        format!(
            "/Me served user {} ({user_name:?}), which this run created moments ago: it cannot be \
             the authenticated subject, so /Me exposed another user's data",
            me["id"]
        )
    })
}

/// The id a 200 `/Me` body claims, and the check that its `meta.location` (and `Location`
/// header, when present) is the permanent `/Users/{id}` URL.
fn subject_id(c: &Ctx, r: &Resp) -> Result<String, Finding> {
    let b = r.body();
    let Some(id) = b["id"].as_str().filter(|s| !s.is_empty()) else {
        return Err(Finding::fail(format!(
            "GET /Me answered 200 without a resource id: {}",
            truncate(&r.text, 200)
        )));
    };
    not_a_run_user(c, b)?;
    let want = format!("{}/{id}", c.users());
    let loc = b["meta"]["location"].as_str().unwrap_or_default();
    ensure(path_of(loc).ends_with(&want), || {
        format!("/Me's meta.location is {loc:?}, expected the permanent URL ending in {want}")
    })?;
    if let Some(h) = r.header("location") {
        ensure(h == loc, || {
            format!("/Me's Location header {h:?} differs from meta.location {loc:?}")
        })?;
    }
    Ok(id.to_string())
}

/// Whether `code` is a refusal that exposes no resource (4xx or 501).
fn refused(code: u16) -> bool {
    (400..500).contains(&code) || code == 501
}

async fn unsupported_501(c: &Ctx) -> CheckResult {
    let r = c.get("/Me").await;
    reached(&r)?;
    if matches!(r.code(), 200 | 307 | 308) {
        return Err(Finding::skip(format!(
            "the target serves /Me (GET answered {}); me.get.subject covers it",
            r.code()
        )));
    }
    if r.code() == 501 {
        return scim_error(&r, 501, None);
    }
    // RFC 7644 §3.11's SHOULD-501 binds only a target that does NOT support /Me. A target that
    // supports it may refuse a credential bound to no user with a 4xx, so a 4xx is judged by
    // comparison with an endpoint that cannot exist: the same answer means /Me is no route.
    let probe = format!("/{}", c.name("NoSuchEndpoint"));
    let unknown = c.get(&probe).await;
    reached(&unknown)?;
    let shape = |x: &Resp, name: &str| {
        (
            x.code(),
            x.text
                .replace(name, "<endpoint>")
                .replace(name.trim_start_matches('/'), "<endpoint>"),
        )
    };
    if shape(&r, "/Me") != shape(&unknown, &probe) {
        return Err(Finding::skip(format!(
            "GET /Me answered {} unlike an unknown endpoint ({}): the target routes /Me and \
             refuses this credential, which RFC 7644 §3.11 allows",
            r.code(),
            unknown.code()
        )));
    }
    Err(Finding::fail(format!(
        "GET /Me answered {} exactly like the unknown endpoint {probe}: /Me is not supported, and \
         RFC 7644 §3.11 says such a target SHOULD answer 501: {}",
        r.code(),
        truncate(&r.text, 200)
    )))
}

async fn get_subject(c: &Ctx) -> CheckResult {
    // A user of this run exists, so a target that serves "some user" has one to give away.
    c.create_user(json!({})).await?;
    let r = c.get("/Me").await;
    reached(&r)?;
    match r.code() {
        code if refused(code) => Ok(()),
        200 => {
            let id = subject_id(c, &r)?;
            let u = c.get(&c.user_path(&id)).await;
            status(&u, &[200])?;
            ensure(u.body()["userName"] == r.body()["userName"], || {
                format!(
                    "GET /Me and GET /Users/{id} disagree on userName: {} vs {}",
                    r.body()["userName"],
                    u.body()["userName"]
                )
            })
        }
        307 | 308 => {
            let loc = r.header("location").unwrap_or_default().to_string();
            ensure(loc.contains(&format!("{}/", c.users())), || {
                format!("/Me redirects to {loc:?}, not to a /Users/{{id}} URL")
            })?;
            let u = c.get(&loc).await;
            status(&u, &[200])?;
            not_a_run_user(c, u.body())
        }
        code => Err(Finding::fail(format!(
            "GET /Me answered {code}, expected 200 (the subject), 308, 501 or a 4xx: {}",
            truncate(&r.text, 200)
        ))),
    }
}

/// A PATCH no conforming target applies: its only operation has an unknown `op`.
fn invalid_patch() -> Value {
    json!([{"op": "frobnicate", "path": "title", "value": "scimtest"}])
}

async fn write_same(c: &Ctx) -> CheckResult {
    c.create_user(json!({})).await?;
    let g = c.get("/Me").await;
    reached(&g)?;
    let code = g.code();
    if code == 200 {
        let id = subject_id(c, &g)?;
        let via_me = c.patch("/Me", invalid_patch()).await;
        let direct = c.patch(&c.user_path(&id), invalid_patch()).await;
        reached(&via_me)?;
        reached(&direct)?;
        return ensure(
            via_me.code() == direct.code() && refused(direct.code()),
            || {
                format!(
                    "an invalid PATCH answered {} on /Me and {} on /Users/{id}; expected the same 4xx",
                    via_me.code(),
                    direct.code()
                )
            },
        );
    }
    if !refused(code) {
        return Err(Finding::skip(format!(
            "GET /Me answered {code}; writes through /Me are not probed"
        )));
    }
    let p = c.patch("/Me", invalid_patch()).await;
    reached(&p)?;
    ensure(refused(p.code()), || {
        format!(
            "GET /Me answered {code} but PATCH /Me answered {}: {}",
            p.code(),
            truncate(&p.text, 200)
        )
    })
}
