//! `POST /.search` (RFC 7644 §3.4.3): a SearchRequest is a query with the same semantics as the
//! GET parameters (filter, paging, attributes), needs its `schemas`, works at the server root
//! (or is refused cleanly), and never creates anything.

use crate::check;
use crate::conformance::context::{
    Ctx, LIST, SEARCH, USER, enc, ensure, ids, reached, scim_error, status, truncate,
};
use crate::conformance::model::{Check, CheckResult};
use serde_json::{Value, json};

/// The search checks.
pub fn checks() -> Vec<Check> {
    vec![
        check!(resource, "search.resource", "POST /Users/.search answers a ListResponse equal to the GET equivalent", "RFC 7644 §3.4.3", Must, [Filter],
            fault SearchIgnoresRequest, "Serve POST /{type}/.search with the same query engine as GET, reading filter, startIndex, count and attributes from the SearchRequest body."),
        check!(attributes, "search.attributes", "SearchRequest attributes project the returned resources", "RFC 7644 §3.4.3, §3.4.2.5", Must, [Filter],
            fault SearchIgnoresRequest, "Apply the SearchRequest's attributes/excludedAttributes like the query parameters of the same name."),
        check!(paging, "search.paging", "SearchRequest startIndex and count page the results", "RFC 7644 §3.4.3, §3.4.2.4", Must, [Filter],
            fault SearchIgnoresRequest, "Apply the SearchRequest's startIndex (1-based) and count, and report totalResults of the whole match."),
        check!(root, "search.root", "POST /.search finds resources across types, or is refused with a SCIM error", "RFC 7644 §3.4.3", May, [Filter],
            fault SearchIgnoresRequest, "Either search every resource type at POST /.search, or refuse it with a SCIM error (e.g. 501 or 400)."),
        check!(schema_required, "search.schemas-required", "A SearchRequest without schemas is refused with 400", "RFC 7644 §3.4.3, §3.12", Advice, [],
            fault SearchIgnoresRequest, "Reject a SearchRequest whose schemas lacks urn:ietf:params:scim:api:messages:2.0:SearchRequest with 400 invalidSyntax."),
        check!(no_create, "search.no-create", "POST /Users/.search with a User body never creates a user", "RFC 7644 §3.4.3", Must, [Filter],
            fault SearchCreates, "Route POST /{type}/.search to the query engine only; a body that is not a SearchRequest is 400."),
    ]
}

fn eq_filter(attr: &str, value: &str) -> String {
    format!("{attr} eq \"{value}\"")
}

fn user_name(u: &crate::conformance::context::Created) -> String {
    u.body["userName"].as_str().unwrap_or_default().to_string()
}

fn search_path(c: &Ctx) -> String {
    format!("{}/.search", c.users())
}

fn is_list(v: &Value) -> bool {
    v["schemas"]
        .as_array()
        .is_some_and(|s| s.iter().any(|u| u == LIST))
}

async fn resource(c: &Ctx) -> CheckResult {
    let target = c.create_user(json!({})).await?;
    c.create_user(json!({})).await?;
    let filter = eq_filter("userName", &user_name(&target));
    let r = c
        .post(
            &search_path(c),
            &json!({"schemas": [SEARCH], "filter": filter, "startIndex": 1, "count": 10}),
        )
        .await;
    status(&r, &[200])?;
    ensure(is_list(r.body()), || {
        format!(
            "the answer is not a ListResponse: {}",
            truncate(&r.text, 200)
        )
    })?;
    let found = ids(&r);
    ensure(
        found == [target.id.clone()] && r.body()["totalResults"] == 1,
        || {
            format!(
                "searching {filter:?} returned {} resources (totalResults {}), expected only {}",
                found.len(),
                r.body()["totalResults"],
                target.id
            )
        },
    )?;
    let g = c
        .get(&format!(
            "{}?filter={}&startIndex=1&count=10",
            c.users(),
            enc(&filter)
        ))
        .await;
    status(&g, &[200])?;
    ensure(
        ids(&g) == found && g.body()["totalResults"] == r.body()["totalResults"],
        || {
            format!(
                "GET with the same query returned {:?} (totalResults {}), .search {:?}",
                ids(&g),
                g.body()["totalResults"],
                found
            )
        },
    )
}

async fn attributes(c: &Ctx) -> CheckResult {
    let u = c
        .create_user(json!({"displayName": "Projected away"}))
        .await?;
    let r = c
        .post(
            &search_path(c),
            &json!({"schemas": [SEARCH], "filter": eq_filter("userName", &user_name(&u)),
                    "attributes": ["userName"]}),
        )
        .await;
    status(&r, &[200])?;
    let res = &r.body()["Resources"][0];
    ensure(res["id"] == u.id.as_str(), || {
        format!(
            "the search did not return the user: {}",
            truncate(&r.text, 200)
        )
    })?;
    ensure(res["userName"].is_string(), || {
        "the requested userName is missing".into()
    })?;
    ensure(res.get("displayName").is_none(), || {
        "attributes [\"userName\"] still returned displayName".into()
    })
}

async fn paging(c: &Ctx) -> CheckResult {
    let tag = c.name("page");
    let mut mine = Vec::new();
    for _ in 0..3 {
        mine.push(c.create_user(json!({"displayName": tag})).await?.id);
    }
    let r = c
        .post(
            &search_path(c),
            &json!({"schemas": [SEARCH], "filter": eq_filter("displayName", &tag),
                    "startIndex": 2, "count": 1}),
        )
        .await;
    status(&r, &[200])?;
    let b = r.body();
    let found = ids(&r);
    ensure(b["totalResults"] == 3, || {
        format!(
            "totalResults should be 3 (the whole match), got {}",
            b["totalResults"]
        )
    })?;
    ensure(found.len() == 1 && mine.contains(&found[0]), || {
        format!("count 1 should return one of the three users, got {found:?}")
    })?;
    ensure(b["startIndex"] == 2, || {
        format!("startIndex should echo 2, got {}", b["startIndex"])
    })
}

async fn root(c: &Ctx) -> CheckResult {
    let target = c.create_user(json!({})).await?;
    c.create_user(json!({})).await?;
    let filter = eq_filter("userName", &user_name(&target));
    let r = c
        .post("/.search", &json!({"schemas": [SEARCH], "filter": filter}))
        .await;
    reached(&r)?;
    if r.code() != 200 {
        // Root search is optional; a refusal must still be a SCIM error.
        ensure(r.code() >= 400, || {
            format!("POST /.search answered {}", r.code())
        })?;
        return scim_error(&r, r.code(), None);
    }
    let found = ids(&r);
    ensure(found == [target.id.clone()], || {
        format!(
            "POST /.search for {filter:?} returned {} resources, expected only {}",
            found.len(),
            target.id
        )
    })
}

async fn schema_required(c: &Ctx) -> CheckResult {
    let r = c
        .post(
            &search_path(c),
            &json!({"filter": eq_filter("userName", "scimtest-nobody"), "count": 1}),
        )
        .await;
    scim_error(&r, 400, None)
}

async fn no_create(c: &Ctx) -> CheckResult {
    let name = c.name("searched");
    let r = c
        .post(
            &search_path(c),
            &json!({"schemas": [USER], "userName": name}),
        )
        .await;
    reached(&r)?;
    if let Some(id) = r.body()["id"].as_str() {
        c.track(&c.url_of(&c.user_path(id)));
    }
    let g = c
        .get(&format!(
            "{}?filter={}",
            c.users(),
            enc(&eq_filter("userName", &name))
        ))
        .await;
    status(&g, &[200])?;
    for id in ids(&g) {
        c.track(&c.url_of(&c.user_path(&id)));
    }
    ensure(ids(&g).is_empty(), || {
        format!(
            "POST /Users/.search with a User body created the user (answered {})",
            r.code()
        )
    })?;
    status(&r, &[400])
}
