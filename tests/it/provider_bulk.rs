//! Bulk: bulkId references, failOnErrors, limits.

use crate::support::*;
use serde_json::{Value, json};

const BULK: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";

#[tokio::test]
async fn bulk_resolves_bulk_ids_inside_member_lists_even_out_of_order() {
    let env = Env::start().await;
    let r = env
        .post("/Bulk", json!({"schemas": [BULK], "Operations": [
            {"method": "POST", "path": "/Groups", "bulkId": "g1", "data": {"schemas": [GROUP], "displayName": "G", "members": [{"value": "bulkId:u1"}]}},
            {"method": "POST", "path": "/Users", "bulkId": "u1", "data": {"schemas": [USER], "userName": "bulk1"}}
        ]}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let ops = r.json["Operations"].as_array().cloned().unwrap_or_default();
    assert_eq!(ops.len(), 2);
    assert!(ops.iter().all(|o| o["status"] == "201"), "{}", r.text);
    let user = env.get("/Users?filter=userName%20eq%20%22bulk1%22").await;
    let uid = user.json["Resources"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let gloc = ops
        .iter()
        .find(|o| o["bulkId"] == "g1")
        .and_then(|o| o["location"].as_str())
        .unwrap_or_default()
        .to_string();
    let g = env.get(&gloc).await;
    assert_eq!(member_ids(&g.json), vec![uid]);
}

#[tokio::test]
async fn fail_on_errors_stops_processing() {
    let env = Env::start().await;
    let r = env
        .post("/Bulk", json!({"schemas": [BULK], "failOnErrors": 1, "Operations": [
            {"method": "POST", "path": "/Users", "bulkId": "a", "data": {"schemas": [USER]}},
            {"method": "POST", "path": "/Users", "bulkId": "b", "data": {"schemas": [USER], "userName": "never"}}
        ]}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let ops = r.json["Operations"].as_array().cloned().unwrap_or_default();
    assert_eq!(ops.len(), 1);
    assert_eq!(ops[0]["status"], "400");
    assert_eq!(ops[0]["response"]["scimType"], "invalidValue");
    assert_eq!(env.get("/Users").await.json["totalResults"], 0);
}

#[tokio::test]
async fn too_many_operations_is_413() {
    let env = Env::with(scimtest::provider::ProviderConfig {
        limits: scimtest::provider::Limits {
            bulk_max_operations: 2,
            ..Default::default()
        },
        ..Default::default()
    })
    .await;
    let ops: Vec<Value> = (0..3)
        .map(|i| json!({"method": "DELETE", "path": format!("/Users/{i}")}))
        .collect();
    let r = env
        .post("/Bulk", json!({"schemas": [BULK], "Operations": ops}))
        .await;
    r.assert_error(413, None);
    assert!(r.json["detail"].as_str().is_some_and(|d| d.contains('2')));
}

#[tokio::test]
async fn mixed_operations_all_processed_with_statuses() {
    let env = Env::start().await;
    let u = env.user("keep").await;
    let r = env
        .post("/Bulk", json!({"schemas": [BULK], "Operations": [
            {"method": "PATCH", "path": format!("/Users/{u}"), "data": {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "path": "active", "value": false}]}},
            {"method": "DELETE", "path": "/Users/missing"},
            {"method": "PUT", "path": format!("/Users/{u}"), "data": {"schemas": [USER], "userName": "keep", "displayName": "K"}}
        ]}))
        .await;
    let st: Vec<&str> = r.json["Operations"]
        .as_array()
        .map(|a| a.iter().filter_map(|o| o["status"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(st, vec!["200", "404", "200"], "{}", r.text);
}
