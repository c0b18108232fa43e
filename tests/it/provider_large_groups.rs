//! Groups the size of real companies: a group grows past 10,000 members by PATCH and is written
//! whole by PUT and POST; the member limit counts what a request carries; a member PATCH
//! answered without members (`excludedAttributes=members`, `Prefer: return=minimal` → 204)
//! still moves the version; concurrent member PATCHes all land; and the in-place member path
//! reaches exactly what the general PATCH path reaches (a provider with an unrelated allowed
//! fault takes the general path for every PATCH).

use crate::support::*;
use scimtest::provider::{Fault, Limits, ProviderConfig};
use serde_json::{Value, json};

/// The ids of `n` seeded users, read by pages.
async fn seeded_ids(env: &Env, n: usize) -> Vec<String> {
    let mut ids = Vec::with_capacity(n);
    while ids.len() < n {
        let r = env
            .get(&format!(
                "/Users?attributes=id&count=1000&startIndex={}",
                ids.len() + 1
            ))
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let page: Vec<String> = r.json["Resources"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|u| u["id"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        assert!(!page.is_empty(), "ran out of users at {}", ids.len());
        ids.extend(page);
    }
    ids.truncate(n);
    ids
}

fn values(ids: &[String]) -> Vec<Value> {
    ids.iter().map(|id| json!({"value": id})).collect()
}

#[tokio::test]
async fn a_group_grows_past_ten_thousand_members_and_is_written_whole() {
    let env = Env::with(ProviderConfig {
        seed_users: 12_001,
        ..ProviderConfig::default()
    })
    .await;
    let ids = seeded_ids(&env, 12_001).await;
    let (members, spare) = (&ids[..12_000], &ids[12_000]);
    let g = env.group("big", &[]).await;
    let path = format!("/Groups/{g}?excludedAttributes=members");
    for batch in members.chunks(1000) {
        let r = env
            .patch(
                &path,
                json!([{"op": "add", "path": "members", "value": values(batch)}]),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert!(r.json.get("members").is_none(), "excluded, yet served");
    }
    let r = env.get(&format!("/Groups/{g}")).await;
    assert_eq!(member_ids(&r.json).len(), 12_000);
    let before = r.json["meta"]["version"].clone();

    // One member more and less, answered without the list: the version still moves.
    let r = env
        .patch(
            &path,
            json!([{"op": "add", "path": "members", "value": [{"value": spare}]}]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.json.get("members").is_none());
    assert_ne!(r.json["meta"]["version"], before);
    assert_eq!(r.header("etag"), r.json["meta"]["version"].as_str());
    let minimal = env
        .send_as(
            Some(&env.handle.token.clone()),
            "PATCH",
            &format!("/Groups/{g}"),
            Some(&json!({"schemas": [PATCH_OP], "Operations": [
                {"op": "remove", "path": format!("members[value eq \"{spare}\"]")}]})),
            &[("prefer", "return=minimal")],
        )
        .await;
    assert_eq!(minimal.status, 204, "{}", minimal.text);
    assert!(minimal.text.is_empty());
    let r = env.get(&format!("/Groups/{g}")).await;
    assert_eq!(
        r.header("etag"),
        minimal.header("etag"),
        "204 carries the new ETag"
    );
    assert_eq!(member_ids(&r.json).len(), 12_000);
    assert!(!member_ids(&r.json).contains(spare));
    // The member's User.groups follows the in-place change.
    let u = env.get(&format!("/Users/{}", members[11_999])).await;
    assert_eq!(u.json["groups"][0]["value"], g.as_str(), "{}", u.text);

    // PUT and POST of the whole list.
    let r = env
        .put(
            &format!("/Groups/{g}"),
            json!({"schemas": [GROUP], "displayName": "big", "members": values(&ids)}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", &r.text[..r.text.len().min(300)]);
    assert_eq!(member_ids(&r.json).len(), 12_001);
    let r = env
        .post(
            "/Groups",
            json!({"schemas": [GROUP], "displayName": "big2", "members": values(members)}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", &r.text[..r.text.len().min(300)]);
    assert_eq!(member_ids(&r.json).len(), 12_000);
}

#[tokio::test]
async fn the_member_limit_counts_what_a_request_carries() {
    let env = Env::with(ProviderConfig {
        limits: Limits {
            max_members_per_request: 2,
            ..Limits::default()
        },
        ..ProviderConfig::default()
    })
    .await;
    let mut ids = Vec::new();
    for i in 0..7 {
        ids.push(env.user(&format!("lim{i}")).await);
    }
    let g = env.group("lim", &[&ids[0], &ids[1]]).await;
    // Two at a time, the group grows past the limit.
    for pair in ids[2..6].chunks(2) {
        let r = env
            .patch(
                &format!("/Groups/{g}"),
                json!([{"op": "add", "path": "members", "value": values(pair)}]),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    assert_eq!(
        member_ids(&env.get(&format!("/Groups/{g}")).await.json).len(),
        6
    );
    // Three in one request (over two operations) are refused.
    let r = env
        .patch(
            &format!("/Groups/{g}"),
            json!([{"op": "remove", "path": "members", "value": values(&ids[..2])},
                   {"op": "add", "path": "members", "value": values(&ids[6..])}]),
        )
        .await;
    r.assert_error(413, None);
    assert_eq!(
        member_ids(&env.get(&format!("/Groups/{g}")).await.json).len(),
        6
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_member_patches_all_land() {
    let env = Env::start().await;
    let mut ids = Vec::new();
    for i in 0..40 {
        ids.push(env.user(&format!("cc{i}")).await);
    }
    let g = env.group("cc", &[]).await;
    let path = format!("/Groups/{g}?excludedAttributes=members");
    let adds = ids.iter().map(|id| {
        env.patch(
            &path,
            json!([{"op": "add", "path": "members", "value": [{"value": id}]}]),
        )
    });
    for r in futures::future::join_all(adds).await {
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let r = env.get(&format!("/Groups/{g}")).await;
    let mut want = ids.clone();
    want.sort();
    assert_eq!(member_ids(&r.json), want);
    let removes = ids[..20].iter().map(|id| {
        env.patch(
            &path,
            json!([{"op": "remove", "path": format!("members[value eq \"{id}\"]")}]),
        )
    });
    for r in futures::future::join_all(removes).await {
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let mut want = ids[20..].to_vec();
    want.sort();
    assert_eq!(
        member_ids(&env.get(&format!("/Groups/{g}")).await.json),
        want
    );
}

/// A group document without what differs between two providers (ids, stamps, locations).
fn shape(v: &Value, ids: &[String]) -> String {
    let mut t = v.to_string();
    for (i, id) in ids.iter().enumerate() {
        t = t.replace(id.as_str(), &format!("<u{i}>"));
    }
    let mut v: Value = serde_json::from_str(&t).unwrap_or(Value::Null);
    if let Some(m) = v.as_object_mut() {
        m.remove("id");
        m.remove("meta");
    }
    let text = v.to_string();
    // Locations carry the port.
    let re = regex::Regex::new(r"http://127\.0\.0\.1:\d+").unwrap_or_else(|e| panic!("{e}"));
    re.replace_all(&text, "http://h").into_owned()
}

#[tokio::test]
async fn the_in_place_member_path_agrees_with_the_general_path() {
    // `slow-groups-list` only delays group lists; like every fault, it sends each PATCH the
    // general way.
    let fast = Env::start().await;
    let general = Env::with_faults(&[Fault::SlowGroupsList]).await;
    let mut outcomes = Vec::new();
    for env in [&fast, &general] {
        let mut ids = Vec::new();
        for i in 0..6 {
            ids.push(env.user(&format!("eq{i}")).await);
        }
        let g = env.group("eq", &[&ids[0], &ids[1]]).await;
        let steps = vec![
            json!([{"op": "add", "path": "members", "value": [{"value": ids[2]}, {"value": ids[3], "display": "Three"}]}]),
            json!([{"op": "add", "path": "members", "value": [{"value": ids[2]}]}]),
            json!([{"op": "add", "path": "members", "value": [{"value": ids[3], "display": "Again"}]}]),
            json!([{"op": "Add", "path": "members", "value": [{"value": ids[4], "$ref": null}]}]),
            json!([{"op": "remove", "path": format!("members[value eq \"{}\"]", ids[0].to_uppercase())}]),
            json!([{"op": "remove", "path": format!("members[value eq \"{}\" or value eq \"{}\"]", ids[1], ids[5])}]),
            json!([{"op": "remove", "path": "members[value eq \"nobody\"]"}]),
            json!([{"op": "Remove", "path": "members", "value": [{"value": ids[2]}]}]),
            json!([{"op": "add", "path": "members", "value": [{"value": "no-such-id"}]}]),
            json!([{"op": "add", "path": "members", "value": [{"value": g}]}]),
            json!([{"op": "add", "path": "members", "value": [{"value": ids[5]}]},
                   {"op": "remove", "path": format!("members[value eq \"{}\"]", ids[5])},
                   {"op": "add", "path": "members", "value": [{"value": ids[0]}, {"value": ids[0]}]}]),
        ];
        let mut seen = Vec::new();
        let mut version = String::new();
        for ops in steps {
            let r = env.patch(&format!("/Groups/{g}"), ops.clone()).await;
            let v = r.json["meta"]["version"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let moved = r.status == 200 && v != version;
            if r.status == 200 {
                version = v;
            }
            seen.push(format!(
                "{ops} -> {} moved={moved} {}",
                r.status,
                shape(&r.json, &ids)
            ));
            let read = env.get(&format!("/Groups/{g}")).await;
            seen.push(format!("read {}", shape(&read.json, &ids)));
            let u = env
                .get(&format!("/Users/{}?attributes=groups", ids[0]))
                .await;
            seen.push(format!(
                "groups of u0: {}",
                u.json["groups"].as_array().map_or(0, Vec::len)
            ));
        }
        let shaped: Vec<String> = seen
            .into_iter()
            .map(|s| {
                let mut s = s;
                for (i, id) in ids.iter().enumerate() {
                    s = s.replace(id.as_str(), &format!("<u{i}>"));
                    s = s.replace(id.to_uppercase().as_str(), &format!("<U{i}>"));
                }
                s.replace(g.as_str(), "<g>")
            })
            .collect();
        outcomes.push(shaped);
    }
    for (a, b) in outcomes[0].iter().zip(&outcomes[1]) {
        assert_eq!(a, b);
    }
}
