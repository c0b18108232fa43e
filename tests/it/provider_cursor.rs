//! Cursor-based pagination (RFC 9865) on the provider: the ServiceProviderConfig advertisement,
//! walks by `nextCursor` over GET and POST `.search`, stability under writes between pages, the
//! errors; and the cursor checks' plan: a target that advertises no cursor paging skips them.

use crate::check_catalogue::{run_checks, two_tenants};
use crate::support::*;
use scimtest::conformance::catalogue;
use scimtest::conformance::model::Outcome;
use scimtest::provider::{Fault, Limits, ProviderConfig};
use serde_json::{Value, json};

const SEARCH: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

fn names(r: &Resp) -> Vec<String> {
    r.json["Resources"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|u| u["userName"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn next(r: &Resp) -> Option<String> {
    r.json["nextCursor"].as_str().map(str::to_string)
}

/// Walk `path` (which ends in a query string) by cursor; the pages' userNames.
async fn walk(env: &Env, path: &str) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    let mut cursor = String::new();
    for _ in 0..50 {
        let r = env.get(&format!("{path}&cursor={cursor}")).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert!(r.json.get("startIndex").is_none(), "{}", r.text);
        pages.push(names(&r));
        match next(&r) {
            Some(n) => cursor = n,
            None => return pages,
        }
    }
    panic!("no last page after 50: {pages:?}");
}

#[tokio::test]
async fn the_service_provider_config_advertises_both_methods() {
    let env = Env::start().await;
    let spc = env.get("/ServiceProviderConfig").await.json;
    assert_eq!(
        spc["pagination"],
        json!({"cursor": true, "index": true, "defaultPaginationMethod": "index",
               "defaultPageSize": 100, "maxPageSize": 1000}),
        "{spc}"
    );
    // The SPC schema served in /Schemas declares the attribute.
    let schema = env
        .get("/Schemas/urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig")
        .await
        .json;
    let pagination = schema["attributes"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["name"] == "pagination"))
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(
        pagination["subAttributes"].as_array().map(Vec::len),
        Some(6)
    );
}

#[tokio::test]
async fn a_cursor_walk_lists_every_user_once_and_the_last_page_has_no_next_cursor() {
    let env = Env::start().await;
    for n in ["u1", "u2", "u3", "u4", "u5", "u6", "u7"] {
        env.user(n).await;
    }
    let first = env.get("/Users?count=3&cursor=").await;
    assert_eq!(first.json["totalResults"], 7);
    assert_eq!(first.json["itemsPerPage"], 3);
    assert!(first.json.get("previousCursor").is_none());
    let token = next(&first).unwrap_or_default();
    assert!(
        token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b)),
        "{token}"
    );
    let pages = walk(&env, "/Users?count=3").await;
    assert_eq!(pages.len(), 3, "{pages:?}");
    assert_eq!(
        pages.concat(),
        ["u1", "u2", "u3", "u4", "u5", "u6", "u7"],
        "{pages:?}"
    );
    // Without `cursor` the same list is index-paged, as before.
    let r = env.get("/Users?count=3").await;
    assert_eq!(r.json["startIndex"], 1);
    assert!(r.json.get("nextCursor").is_none());
    // The parameter with no `=` at all is the empty cursor too (RFC 9865 §2's example).
    let r = env.get("/Users?count=3&cursor").await;
    assert_eq!(names(&r), ["u1", "u2", "u3"]);
    assert!(next(&r).is_some());
}

#[tokio::test]
async fn writes_between_pages_shift_nothing_already_listed() {
    let env = Env::start().await;
    let mut ids = Vec::new();
    for n in ["w1", "w2", "w3", "w4", "w5", "w6"] {
        ids.push(env.user(n).await);
    }
    let first = env.get("/Users?count=2&cursor=").await;
    assert_eq!(names(&first), ["w1", "w2"]);
    let cursor = next(&first).unwrap_or_default();
    // Delete one listed and one not yet listed user, add a new one.
    env.delete(&format!("/Users/{}", ids[0])).await;
    env.delete(&format!("/Users/{}", ids[3])).await;
    env.user("w7").await;
    let mut seen = names(&first);
    let mut c = cursor;
    loop {
        let r = env.get(&format!("/Users?count=2&cursor={c}")).await;
        assert_eq!(r.status, 200, "{}", r.text);
        seen.extend(names(&r));
        match next(&r) {
            Some(n) => c = n,
            None => break,
        }
    }
    assert_eq!(seen, ["w1", "w2", "w3", "w5", "w6", "w7"]);
}

#[tokio::test]
async fn sorted_and_filtered_cursor_walks_keep_their_order() {
    let env = Env::start().await;
    for n in ["delta", "alpha", "echo", "charlie", "bravo", "zed"] {
        env.user(n).await;
    }
    let pages = walk(
        &env,
        "/Users?filter=userName%20ne%20%22zed%22&sortBy=userName&sortOrder=descending&count=2",
    )
    .await;
    assert_eq!(
        pages.concat(),
        ["echo", "delta", "charlie", "bravo", "alpha"],
        "{pages:?}"
    );
}

#[tokio::test]
async fn a_cursor_never_issued_or_from_another_query_is_400_invalid_cursor() {
    let env = Env::start().await;
    for n in ["a", "b", "c"] {
        env.user(n).await;
    }
    env.get("/Users?cursor=nonsense")
        .await
        .assert_error(400, Some("invalidCursor"));
    let r = env.get("/Users?count=1&cursor=").await;
    let token = next(&r).unwrap_or_default();
    env.get(&format!("/Users?count=1&cursor={token}&sortBy=userName"))
        .await
        .assert_error(400, Some("invalidCursor"));
    env.get(&format!("/Groups?count=1&cursor={token}"))
        .await
        .assert_error(400, Some("invalidCursor"));
    // Altered by one character.
    let mut altered = token.clone();
    let last = altered.pop().unwrap_or('A');
    altered.push(if last == 'A' { 'B' } else { 'A' });
    env.get(&format!("/Users?count=1&cursor={altered}"))
        .await
        .assert_error(400, Some("invalidCursor"));
    // The genuine one still works.
    assert_eq!(
        env.get(&format!("/Users?count=1&cursor={token}"))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn count_zero_is_totals_only_and_a_count_above_the_maximum_is_capped() {
    let env = Env::with(ProviderConfig {
        limits: Limits {
            filter_max_results: 2,
            ..Limits::default()
        },
        ..ProviderConfig::default()
    })
    .await;
    for n in ["a", "b", "c"] {
        env.user(n).await;
    }
    let r = env.get("/Users?count=0&cursor=").await;
    assert_eq!(r.json["totalResults"], 3);
    assert_eq!(r.json["Resources"], json!([]));
    assert!(next(&r).is_none());
    assert_eq!(
        env.get("/ServiceProviderConfig").await.json["pagination"]["maxPageSize"],
        2
    );
    let r = env.get("/Users?count=50&cursor=").await;
    assert_eq!(names(&r), ["a", "b"]);
    let pages = walk(&env, "/Users?count=50").await;
    assert_eq!(pages, [vec!["a", "b"], vec!["c"]]);
}

#[tokio::test]
async fn groups_and_post_search_page_by_cursor() {
    let env = Env::start().await;
    for n in ["g1", "g2", "g3"] {
        env.group(n, &[]).await;
    }
    let r = env.get("/Groups?count=2&cursor=").await;
    assert_eq!(r.json["Resources"].as_array().map(Vec::len), Some(2));
    let c = next(&r).unwrap_or_default();
    let r = env.get(&format!("/Groups?count=2&cursor={c}")).await;
    assert_eq!(r.json["Resources"][0]["displayName"], "g3");
    assert!(next(&r).is_none());

    for n in ["s1", "s2", "s3"] {
        env.user(n).await;
    }
    let body = |cursor: &str| json!({"schemas": [SEARCH], "filter": "userName sw \"s\"", "count": 2, "cursor": cursor});
    let r = env.post("/Users/.search", body("")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(names(&r), ["s1", "s2"]);
    let c = next(&r).unwrap_or_default();
    let r = env.post("/Users/.search", body(&c)).await;
    assert_eq!(names(&r), ["s3"]);
    assert!(next(&r).is_none());
    // The root search spans users then groups.
    let root = |cursor: &str| json!({"schemas": [SEARCH], "count": 4, "cursor": cursor});
    let r = env.post("/.search", root("")).await;
    assert_eq!(r.json["totalResults"], 6, "{}", r.text);
    let c = next(&r).unwrap_or_default();
    let r = env.post("/.search", root(&c)).await;
    assert_eq!(r.json["Resources"].as_array().map(Vec::len), Some(2));
    assert!(next(&r).is_none());
    // A non-string cursor member is a bad SearchRequest.
    let r = env
        .post("/Users/.search", json!({"schemas": [SEARCH], "cursor": 3}))
        .await;
    r.assert_error(400, Some("invalidValue"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_without_cursor_paging_skips_the_cursor_checks_with_the_reason() {
    let cursor_checks: Vec<_> = catalogue::all()
        .into_iter()
        .filter(|c| c.id.starts_with("pagination.cursor."))
        .collect();
    assert_eq!(cursor_checks.len(), 5);
    let env = two_tenants(&[Fault::CursorUnsupported]).await;
    let out = run_checks(&env, cursor_checks.clone()).await;
    for c in &out.checks {
        assert_eq!(c.outcome, Outcome::Skip, "{}: {}", c.id, c.reason);
        assert!(c.reason.contains("pagination"), "{}: {}", c.id, c.reason);
    }
    let env = two_tenants(&[]).await;
    let out = run_checks(&env, cursor_checks).await;
    for c in &out.checks {
        assert_eq!(c.outcome, Outcome::Pass, "{}: {}", c.id, c.reason);
    }
}
