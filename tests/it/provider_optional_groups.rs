//! The two allowed variants about groups: `no-groups` (a provider without the optional Group
//! resource type: discovery omits it, every way to reach groups is a SCIM 404, users work) and
//! `slow-groups-list` (`GET /Groups` lists take 700 ms; reads by id and user lists do not).

use crate::support::*;
use scimtest::provider::Fault;
use scimtest::provider::fault::SLOW_GROUPS_LIST;
use serde_json::json;
use std::time::{Duration, Instant};

const BULK: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
const SEARCH: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

#[tokio::test]
async fn no_groups_discovery_omits_the_group_resource_type_and_schema() {
    let env = Env::with_faults(&[Fault::NoGroups]).await;
    let rts = env.get("/ResourceTypes").await;
    assert_eq!(rts.status, 200, "{}", rts.text);
    let ids: Vec<&str> = rts.json["Resources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|rt| rt["id"].as_str())
        .collect();
    assert_eq!(ids, vec!["User"], "{}", rts.text);
    assert_eq!(rts.json["totalResults"], 1);
    env.get("/ResourceTypes/Group")
        .await
        .assert_error(404, None);
    assert_eq!(env.get("/ResourceTypes/User").await.status, 200);

    let schemas = env.get("/Schemas").await;
    assert_eq!(schemas.status, 200, "{}", schemas.text);
    let urns: Vec<&str> = schemas.json["Resources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["id"].as_str())
        .collect();
    assert!(!urns.contains(&GROUP), "{urns:?}");
    assert!(
        urns.contains(&USER) && urns.contains(&ENTERPRISE),
        "{urns:?}"
    );
    assert_eq!(schemas.json["totalResults"], urns.len());
    env.get(&format!("/Schemas/{GROUP}"))
        .await
        .assert_error(404, None);
    assert_eq!(env.get(&format!("/Schemas/{USER}")).await.status, 200);

    // The ServiceProviderConfig is as it is without the fault.
    let clean = Env::start().await;
    let (spc, clean_spc) = (
        env.get("/ServiceProviderConfig").await.json,
        clean.get("/ServiceProviderConfig").await.json,
    );
    assert_eq!(spc["patch"], clean_spc["patch"]);
    assert_eq!(spc["bulk"], clean_spc["bulk"]);
    assert_eq!(spc["filter"], clean_spc["filter"]);
}

#[tokio::test]
async fn no_groups_every_group_endpoint_is_a_scim_404_and_users_still_work() {
    let env = Env::with_faults(&[Fault::NoGroups]).await;
    let group = json!({"schemas": [GROUP], "displayName": "g"});
    env.get("/Groups").await.assert_error(404, None);
    env.get("/Groups?filter=displayName%20eq%20%22g%22")
        .await
        .assert_error(404, None);
    env.post("/Groups", group.clone())
        .await
        .assert_error(404, None);
    env.get("/Groups/abc").await.assert_error(404, None);
    env.put("/Groups/abc", group.clone())
        .await
        .assert_error(404, None);
    env.patch(
        "/Groups/abc",
        json!([{"op": "replace", "path": "displayName", "value": "h"}]),
    )
    .await
    .assert_error(404, None);
    env.delete("/Groups/abc").await.assert_error(404, None);
    env.post("/Groups/.search", json!({"schemas": [SEARCH]}))
        .await
        .assert_error(404, None);

    // Users: create, read, list, patch, delete.
    let u = env.user("alice").await;
    let got = env.get(&format!("/Users/{u}")).await;
    assert_eq!(got.status, 200, "{}", got.text);
    assert_eq!(got.json["userName"], "alice");
    let list = env.get("/Users?filter=userName%20eq%20%22alice%22").await;
    assert_eq!(list.json["totalResults"], 1, "{}", list.text);
    let p = env
        .patch(
            &format!("/Users/{u}"),
            json!([{"op": "replace", "path": "displayName", "value": "Alice"}]),
        )
        .await;
    assert_eq!(p.status, 200, "{}", p.text);

    // The root .search covers the served kinds only.
    let all = env.post("/.search", json!({"schemas": [SEARCH]})).await;
    assert_eq!(all.status, 200, "{}", all.text);
    assert_eq!(all.json["totalResults"], 1, "{}", all.text);

    // Bulk: operations on /Groups fail with 404, operations on /Users succeed.
    let bulk = env
        .post(
            "/Bulk",
            json!({"schemas": [BULK], "Operations": [
                {"method": "POST", "path": "/Groups", "bulkId": "g", "data": group},
                {"method": "POST", "path": "/Users", "bulkId": "u",
                 "data": {"schemas": [USER], "userName": "bob"}}
            ]}),
        )
        .await;
    assert_eq!(bulk.status, 200, "{}", bulk.text);
    let ops = &bulk.json["Operations"];
    assert_eq!(ops[0]["status"], "404", "{}", bulk.text);
    assert_eq!(ops[0]["response"]["status"], "404", "{}", bulk.text);
    assert_eq!(ops[1]["status"], "201", "{}", bulk.text);
    assert_eq!(env.delete(&format!("/Users/{u}")).await.status, 204);
}

#[tokio::test]
async fn slow_groups_list_delays_group_lists_only() {
    assert!(SLOW_GROUPS_LIST >= Duration::from_millis(700));
    let env = Env::with_faults(&[Fault::SlowGroupsList]).await;
    let u = env.user("member").await;
    let g = env.group("slow", &[&u]).await;

    for path in ["/Groups", "/Groups?filter=displayName%20eq%20%22slow%22"] {
        let t0 = Instant::now();
        let r = env.get(path).await;
        let took = t0.elapsed();
        assert_eq!(r.status, 200, "{path}: {}", r.text);
        assert_eq!(r.json["totalResults"], 1, "{path}: {}", r.text);
        assert!(took >= Duration::from_millis(650), "{path} took {took:?}");
    }

    // Generous bounds: these must not carry the 700 ms delay, whatever the machine's load.
    let t0 = Instant::now();
    let r = env.get(&format!("/Groups/{g}")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        t0.elapsed() < Duration::from_millis(600),
        "{:?}",
        t0.elapsed()
    );
    let t0 = Instant::now();
    let r = env.get("/Users").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        t0.elapsed() < Duration::from_millis(600),
        "{:?}",
        t0.elapsed()
    );
}
