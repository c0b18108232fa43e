//! Listing: filters (indexed and scanned), pagination, sorting, .search.

use crate::support::*;
use serde_json::json;

async fn five(env: &Env) {
    for n in ["delta", "alpha", "Echo", "charlie", "bravo"] {
        env.user(n).await;
    }
}

#[tokio::test]
async fn user_name_eq_is_case_insensitive_and_miss_is_empty_list() {
    let env = Env::start().await;
    five(&env).await;
    let r = env.get("/Users?filter=userName%20eq%20%22ECHO%22").await;
    assert_eq!(r.json["totalResults"], 1, "{}", r.text);
    assert_eq!(r.json["Resources"][0]["userName"], "Echo");
    let r = env.get("/Users?filter=userName%20eq%20%22nobody%22").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["totalResults"], 0);
    assert_eq!(
        r.json["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:ListResponse"
    );
}

#[tokio::test]
async fn scanned_filters_with_or_and_not() {
    let env = Env::start().await;
    five(&env).await;
    let r = env
        .get("/Users?filter=userName%20sw%20%22a%22%20or%20userName%20sw%20%22b%22")
        .await;
    assert_eq!(r.json["totalResults"], 2, "{}", r.text);
    let r = env
        .get("/Users?filter=not%20(userName%20co%20%22a%22)")
        .await;
    assert_eq!(r.json["totalResults"], 1, "{}", r.text);
    assert_eq!(r.json["Resources"][0]["userName"], "Echo");
}

#[tokio::test]
async fn bad_filter_is_400_invalid_filter() {
    let env = Env::start().await;
    env.get("/Users?filter=userName%20eq")
        .await
        .assert_error(400, Some("invalidFilter"));
    env.get("/Users?filter=userName%20zz%20%22x%22")
        .await
        .assert_error(400, Some("invalidFilter"));
}

#[tokio::test]
async fn pagination_edges() {
    let env = Env::start().await;
    five(&env).await;
    let r = env.get("/Users?startIndex=2&count=2").await;
    assert_eq!(r.json["totalResults"], 5);
    assert_eq!(r.json["startIndex"], 2);
    assert_eq!(r.json["itemsPerPage"], 2);
    assert_eq!(r.json["Resources"].as_array().map(Vec::len), Some(2));
    let r = env.get("/Users?count=0").await;
    assert_eq!(r.json["totalResults"], 5);
    assert_eq!(r.json["Resources"].as_array().map(Vec::len).unwrap_or(0), 0);
    let r = env.get("/Users?startIndex=0&count=1").await;
    assert_eq!(r.json["startIndex"], 1);
    let r = env.get("/Users?startIndex=10").await;
    assert_eq!(r.json["totalResults"], 5);
    assert_eq!(r.json["Resources"].as_array().map(Vec::len).unwrap_or(0), 0);
    env.get("/Users?count=abc")
        .await
        .assert_error(400, Some("invalidValue"));
}

#[tokio::test]
async fn sorting_by_user_name_ignores_case() {
    let env = Env::start().await;
    five(&env).await;
    let r = env.get("/Users?sortBy=userName").await;
    let names: Vec<&str> = r.json["Resources"]
        .as_array()
        .map(|a| a.iter().filter_map(|u| u["userName"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(names, vec!["alpha", "bravo", "charlie", "delta", "Echo"]);
    let r = env
        .get("/Users?sortBy=userName&sortOrder=descending&count=1")
        .await;
    assert_eq!(r.json["Resources"][0]["userName"], "Echo");
}

#[tokio::test]
async fn search_endpoints_match_get() {
    let env = Env::start().await;
    five(&env).await;
    env.group("alphas", &[]).await;
    let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "filter": "userName sw \"a\"", "attributes": ["userName"]});
    let r = env.post("/Users/.search", body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["totalResults"], 1);
    assert!(r.json["Resources"][0].get("displayName").is_none());
    let r = env
        .post(
            "/.search",
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"]}),
        )
        .await;
    assert_eq!(r.json["totalResults"], 6, "{}", r.text);
    env.post("/Users/.search", json!({"filter": "userName pr"}))
        .await
        .assert_error(400, Some("invalidSyntax"));
    assert_eq!(
        env.get("/Users").await.json["totalResults"],
        5,
        "search never creates"
    );
}

#[tokio::test]
async fn max_results_caps_the_page() {
    let env = Env::with(scimtest::provider::ProviderConfig {
        limits: scimtest::provider::Limits {
            filter_max_results: 2,
            ..Default::default()
        },
        ..Default::default()
    })
    .await;
    five(&env).await;
    let r = env.get("/Users?count=50").await;
    assert_eq!(r.json["totalResults"], 5);
    assert_eq!(r.json["itemsPerPage"], 2);
    let spc = env.get("/ServiceProviderConfig").await;
    assert_eq!(spc.json["filter"]["maxResults"], 2);
}

#[tokio::test]
async fn filter_on_enterprise_urn_attribute() {
    let env = Env::start().await;
    env.post("/Users", json!({"schemas": [USER, ENTERPRISE], "userName": "e1", ENTERPRISE: {"employeeNumber": "701"}})).await;
    env.user("e2").await;
    let f = format!("{ENTERPRISE}:employeeNumber eq \"701\"");
    let r = env.get(&format!("/Users?filter={}", urlencode(&f))).await;
    assert_eq!(r.json["totalResults"], 1, "{}", r.text);
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
