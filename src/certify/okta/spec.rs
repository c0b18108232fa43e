//! Okta's SCIM 2.0 SPEC test (Runscope), one probe per request step: each sends what the step
//! sends, with the suite's headers, and applies exactly the step's assertions.

use crate::certify::okta::runscope::{
    OktaUser, all_hold, blanks, equals_text, error_failures, filter_path, has_schema,
    list_failures, shown, spec_get, spec_post, spec_user,
};
use crate::certify::probe::expect;
use crate::check;
use crate::conformance::context::{Ctx, USER};
use crate::conformance::model::{Check, CheckResult, Finding};
use serde_json::Value;

/// The probes of the SPEC test's 12 request steps.
pub fn probes() -> Vec<Check> {
    vec![
        check!(spec_0, "certify.okta.spec-0-users-endpoint", "GET /Users?count=1&startIndex=1: 200, a ListResponse with numeric counts and a first user with id, names, userName, active and an email", "Okta SCIM 2.0 SPEC test: step 0", Dialect, [],
            fault ListResourcesLowercase, "Answer GET /Users with a ListResponse (schemas, numeric itemsPerPage/startIndex/totalResults, Resources) whose users carry id, name.givenName, name.familyName, userName, active and emails."),
        check!(spec_1, "certify.okta.spec-1-get-user", "GET /Users/{id} of the listed user: 200, the same id and the six attributes not empty", "Okta SCIM 2.0 SPEC test: step 1", Dialect, [],
            fault GetMinimal, "Serve GET /Users/{id} with the full user: id, userName, active, name.givenName, name.familyName and emails."),
        check!(spec_2, "certify.okta.spec-2-invalid-username", "A userName filter nobody matches: 200, a ListResponse, totalResults 0", "Okta SCIM 2.0 SPEC test: step 2", Dialect, [],
            fault FilterMiss404, "Answer a filter that matches nothing with 200 and an empty ListResponse (totalResults 0), not 404."),
        check!(spec_3, "certify.okta.spec-3-invalid-id", "GET of an unknown id: 404 with a detail and the Error schema", "Okta SCIM 2.0 SPEC test: step 3", Dialect, [],
            fault Missing200, "Answer GET of an unknown id with 404 and a SCIM error body (schemas with the Error URN, a detail)."),
        check!(spec_4, "certify.okta.spec-4-random-user-absent", "A userName filter for the user about to be created: 200, a ListResponse, numeric totalResults 0", "Okta SCIM 2.0 SPEC test: step 4", Dialect, [],
            fault FilterMiss404, "Answer a filter that matches nothing with 200 and an empty ListResponse whose totalResults is the number 0."),
        check!(spec_5, "certify.okta.spec-5-create-user", "POST /Users (Content-Type application/json): 201 with id, active true, the names, userName and the core schema", "Okta SCIM 2.0 SPEC test: step 5", Dialect, [],
            fault Create200, "Accept POST /Users with Content-Type application/json and answer 201 with the created user (id, active, name, userName, schemas)."),
        check!(spec_6, "certify.okta.spec-6-user-created", "GET /Users/{id} of the created user: 200 with the userName and names sent", "Okta SCIM 2.0 SPEC test: step 6", Dialect, [],
            fault GetMinimal, "Serve GET /Users/{id} with the userName, name.givenName and name.familyName that were stored."),
        check!(spec_7, "certify.okta.spec-7-duplicate-409", "The same POST /Users again: 409", "Okta SCIM 2.0 SPEC test: step 7", Dialect, [],
            fault NoUniqueness, "Refuse a POST /Users whose userName is taken with 409 (scimType uniqueness)."),
        // Step 8 asserts only the status, so no fault of the matching itself can fail it (a
        // case-sensitive filter still answers 200). Its proof is the closest fault that makes
        // this very request non-200: the suite's GETs carry Content-Type with charset=utf-8,
        // which charset-rejected refuses with 415 (it breaks every SPEC GET, this one included).
        check!(spec_8, "certify.okta.spec-8-username-case", "A filter on the upper-cased userName: 200", "Okta SCIM 2.0 SPEC test: step 8", Dialect, [],
            fault CharsetRejected, "Answer a userName filter with 200 whatever the letter case, including requests with Content-Type application/scim+json; charset=utf-8 (Okta sends it on GETs)."),
        check!(spec_9, "certify.okta.spec-9-groups-endpoint", "GET /Groups: 200 within 600 ms", "Okta SCIM 2.0 SPEC test: step 9", Dialect, [],
            fault SlowGroupsList, "Serve GET /Groups (an empty ListResponse will do) and answer it within 600 ms."),
        check!(spec_10, "certify.okta.spec-10-status-401", "A request with Authorization: non-token: 401 with a detail, status 401 and the Error schema", "Okta SCIM 2.0 SPEC test: step 10", Dialect, [],
            fault AuthDisabled, "Refuse a request with an invalid Authorization header with 401 and a SCIM error body (schemas, detail, status \"401\")."),
        check!(spec_11, "certify.okta.spec-11-status-404", "GET /Users/00919288221112222: 404 with a detail, status 404 and the Error schema", "Okta SCIM 2.0 SPEC test: step 11", Dialect, [],
            fault Missing200, "Answer GET of an unknown id with 404 and a SCIM error body (schemas, detail, status \"404\")."),
    ]
}

/// The six attributes steps 0 and 1 require not empty.
const SIX: &[&str] = &[
    "/id",
    "/name/familyName",
    "/name/givenName",
    "/userName",
    "/active",
    "/emails/0/value",
];

/// Step 0's request; when the server holds no user, one namespaced user is created first (Okta's
/// guide requires one before the run) and the request is sent again.
async fn first_page(ctx: &Ctx, step: &str) -> Result<crate::client::http::Resp, Finding> {
    let path = format!("{}?count=1&startIndex=1", ctx.users());
    let r = spec_get(ctx, &path).await;
    expect(&r, &[200], step)?;
    let body = r.body();
    let empty = match body.get("Resources") {
        Some(Value::Array(a)) => a.is_empty(),
        None | Some(Value::Null) => body["totalResults"].as_u64() == Some(0),
        Some(_) => false,
    };
    if !empty {
        return Ok(r);
    }
    spec_user(ctx, "seed").await?;
    let r = spec_get(ctx, &path).await;
    expect(&r, &[200], step)?;
    Ok(r)
}

async fn spec_0(ctx: &Ctx) -> CheckResult {
    let step = "step 0 (GET /Users?count=1&startIndex=1)";
    let r = first_page(ctx, step).await?;
    let body = r.body();
    let mut failed = list_failures(body, true);
    match body.get("Resources").and_then(Value::as_array) {
        Some(list) if !list.is_empty() => {
            let blank = blanks(&list[0], SIX);
            if !blank.is_empty() {
                failed.push(format!("Resources[0] has empty {}", blank.join(", ")));
            }
        }
        _ => failed.push("Resources is empty or absent".to_string()),
    }
    all_hold(step, failed, &r)
}

async fn spec_1(ctx: &Ctx) -> CheckResult {
    // Step 0 failing is step 0's verdict: step 1 then has no user to read.
    let r = first_page(ctx, "step 0, which step 1 needs")
        .await
        .map_err(|f| Finding::error(f.reason))?;
    let Some(id) = r.body().pointer("/Resources/0/id").and_then(Value::as_str) else {
        return Err(Finding::error(
            "step 0's answer has no Resources[0].id, which step 1 reads (step 0 fails)",
        ));
    };
    let step = "step 1 (GET /Users/{id})";
    let r = spec_get(ctx, &ctx.user_path(id)).await;
    expect(&r, &[200], step)?;
    let body = r.body();
    let mut failed = Vec::new();
    let blank = blanks(body, SIX);
    if !blank.is_empty() {
        failed.push(format!("empty {}", blank.join(", ")));
    }
    if !equals_text(body.get("id"), id) {
        failed.push(format!("id is {}, not {id:?}", shown(body.get("id"))));
    }
    all_hold(step, failed, &r)
}

/// A no-match userName filter as steps 2 and 4 send it; `numeric`: step 4 wants the number 0,
/// step 2 compares the text.
async fn no_match(ctx: &Ctx, user_name: &str, step: &str, numeric: bool) -> CheckResult {
    let r = spec_get(ctx, &filter_path(ctx.users(), "userName", user_name)).await;
    expect(&r, &[200], step)?;
    let body = r.body();
    let mut failed = list_failures(body, false);
    let zero = if numeric {
        body["totalResults"].as_u64() == Some(0)
    } else {
        equals_text(body.get("totalResults"), "0")
    };
    if !zero {
        failed.push(format!(
            "totalResults is {}, not 0",
            shown(body.get("totalResults"))
        ));
    }
    all_hold(step, failed, &r)
}

async fn spec_2(ctx: &Ctx) -> CheckResult {
    // Okta's fixed "invalid" email, namespaced so that no real user can match it.
    let name = format!("{}@example.com", ctx.name("abcdefgh"));
    no_match(ctx, &name, "step 2 (filter on an unknown userName)", false).await
}

/// Step 3's and step 11's request: an unknown id, 404 with the error assertions.
async fn unknown_id(ctx: &Ctx, id: &str, status: Option<u16>, step: &str) -> CheckResult {
    let r = spec_get(ctx, &ctx.user_path(id)).await;
    expect(&r, &[404], step)?;
    all_hold(step, error_failures(r.body(), status), &r)
}

async fn spec_3(ctx: &Ctx) -> CheckResult {
    let step = "step 3 (GET of an unknown id)";
    unknown_id(ctx, "010101001010101011001010101011", None, step).await
}

async fn spec_4(ctx: &Ctx) -> CheckResult {
    let user = OktaUser::new(ctx, "random");
    let step = "step 4 (filter on the user about to be created)";
    no_match(ctx, &user.user_name, step, true).await
}

async fn spec_5(ctx: &Ctx) -> CheckResult {
    let step = "step 5 (POST /Users)";
    let user = OktaUser::new(ctx, "u");
    let r = spec_post(ctx, &user).await;
    if matches!(r.status, Some(200..=299)) {
        // Whatever the status, what was created is cleaned up.
        let users = ctx.users().to_string();
        ctx.created_from(&r, &users, "user")
            .map_err(|f| Finding::fail(format!("{step}: {}", f.reason)))?;
    }
    expect(&r, &[201], step)?;
    let body = r.body();
    let mut failed = Vec::new();
    if !equals_text(body.get("active"), "true") {
        failed.push(format!("active is {}, not true", shown(body.get("active"))));
    }
    if !blanks(body, &["/id"]).is_empty() {
        failed.push("id is empty".to_string());
    }
    for (p, want) in [
        ("/name/familyName", &user.family),
        ("/name/givenName", &user.given),
        ("/userName", &user.user_name),
    ] {
        if !equals_text(body.pointer(p), want) {
            failed.push(format!("{p} is {}, not {want:?}", shown(body.pointer(p))));
        }
    }
    if !has_schema(body, USER) {
        failed.push(format!("schemas does not contain {USER}"));
    }
    all_hold(step, failed, &r)
}

async fn spec_6(ctx: &Ctx) -> CheckResult {
    let (c, user) = spec_user(ctx, "u").await?;
    let step = "step 6 (GET /Users/{id} of the created user)";
    let r = spec_get(ctx, &c.location).await;
    expect(&r, &[200], step)?;
    let body = r.body();
    let failed = [
        ("/userName", &user.user_name),
        ("/name/familyName", &user.family),
        ("/name/givenName", &user.given),
    ]
    .iter()
    .filter(|(p, want)| !equals_text(body.pointer(p), want))
    .map(|(p, want)| format!("{p} is {}, not {want:?}", shown(body.pointer(p))))
    .collect();
    all_hold(step, failed, &r)
}

async fn spec_7(ctx: &Ctx) -> CheckResult {
    let (_, user) = spec_user(ctx, "u").await?;
    let step = "step 7 (the same POST /Users again)";
    let r = spec_post(ctx, &user).await;
    if matches!(r.status, Some(200..=299)) {
        // A duplicate the server accepted is cleaned up too.
        let users = ctx.users().to_string();
        let _ = ctx.created_from(&r, &users, "duplicate user");
    }
    expect(&r, &[409], step)
}

async fn spec_8(ctx: &Ctx) -> CheckResult {
    let (_, user) = spec_user(ctx, "u").await?;
    let step = "step 8 (filter on the upper-cased userName)";
    // Okta asserts the status only: whether the filter matches is not judged.
    let r = spec_get(
        ctx,
        &filter_path(ctx.users(), "userName", &user.user_name_caps()),
    )
    .await;
    expect(&r, &[200], step)
}

/// Runscope's only response-time assertion in the SPEC test.
const GROUPS_BUDGET_MS: f64 = 600.0;

async fn spec_9(ctx: &Ctx) -> CheckResult {
    // Runscope asserts 200 on GET /Groups whether or not the integration pushes groups, and
    // fails the run when it does not hold: a target without a Group endpoint (404) fails this
    // step as it would fail Okta's run. The endpoint is the discovered one, /Groups otherwise.
    let groups = ctx
        .caps()
        .groups
        .clone()
        .unwrap_or_else(|| "/Groups".into());
    let step = "step 9 (GET /Groups)";
    let r = spec_get(ctx, &groups).await;
    expect(&r, &[200], step)?;
    let mut failed = Vec::new();
    let took = r.exchange.duration_ms;
    if took >= GROUPS_BUDGET_MS {
        failed.push(format!(
            "answered in {took:.0} ms (Runscope wants under {GROUPS_BUDGET_MS:.0} ms)"
        ));
    }
    // The step's script: with at least one group, Resources is an array.
    let body = r.body();
    if body["totalResults"].as_u64().is_some_and(|n| n >= 1) && !body["Resources"].is_array() {
        failed.push("totalResults is at least 1 but Resources is not an array".to_string());
    }
    all_hold(step, failed, &r)
}

async fn spec_10(ctx: &Ctx) -> CheckResult {
    let user = OktaUser::new(ctx, "caps");
    let path = filter_path(ctx.users(), "userName", &user.user_name_caps());
    let mut headers = crate::certify::okta::runscope::SPEC_GET.to_vec();
    headers.push(("Authorization", "non-token"));
    let step = "step 10 (Authorization: non-token)";
    let r = ctx.unauthenticated("GET", &path, &headers).await;
    expect(&r, &[401], step)?;
    all_hold(step, error_failures(r.body(), Some(401)), &r)
}

async fn spec_11(ctx: &Ctx) -> CheckResult {
    let step = "step 11 (GET /Users/00919288221112222)";
    unknown_id(ctx, "00919288221112222", Some(404), step).await
}
