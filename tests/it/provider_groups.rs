//! Groups and membership, and the computed User.groups.

use crate::support::*;
use serde_json::json;

#[tokio::test]
async fn group_members_get_type_and_ref_and_user_groups_is_computed() {
    let env = Env::start().await;
    let u = env.user("u1").await;
    let g = env.group("Engineering", &[&u]).await;
    let gr = env.get(&format!("/Groups/{g}")).await;
    assert_eq!(gr.json["members"][0]["value"], u.as_str());
    assert_eq!(gr.json["members"][0]["type"], "User");
    assert!(
        gr.json["members"][0]["$ref"]
            .as_str()
            .is_some_and(|r| r.ends_with(&format!("/Users/{u}")))
    );
    let ur = env.get(&format!("/Users/{u}")).await;
    assert_eq!(ur.json["groups"][0]["value"], g.as_str());
    assert_eq!(ur.json["groups"][0]["display"], "Engineering");
}

#[tokio::test]
async fn unknown_member_is_rejected() {
    let env = Env::start().await;
    let r = env
        .post(
            "/Groups",
            json!({"schemas": [GROUP], "displayName": "G", "members": [{"value": "nope"}]}),
        )
        .await;
    r.assert_error(400, Some("invalidValue"));
}

#[tokio::test]
async fn display_name_is_required() {
    let env = Env::start().await;
    env.post("/Groups", json!({"schemas": [GROUP]}))
        .await
        .assert_error(400, Some("invalidValue"));
}

#[tokio::test]
async fn deleting_a_user_removes_it_from_its_groups() {
    let env = Env::start().await;
    let a = env.user("a").await;
    let b = env.user("b").await;
    let g = env.group("G", &[&a, &b]).await;
    assert_eq!(env.delete(&format!("/Users/{a}")).await.status, 204);
    let gr = env.get(&format!("/Groups/{g}")).await;
    assert_eq!(member_ids(&gr.json), vec![b]);
}

#[tokio::test]
async fn user_groups_is_read_only() {
    let env = Env::start().await;
    let u = env.user("ro").await;
    let g = env.group("G", &[]).await;
    let r = env
        .patch(
            &format!("/Users/{u}"),
            json!([{"op": "add", "path": "groups", "value": [{"value": g}]}]),
        )
        .await;
    r.assert_error(400, Some("mutability"));
}

#[tokio::test]
async fn filter_groups_by_member_and_exclude_members() {
    let env = Env::start().await;
    let u = env.user("m").await;
    let g1 = env.group("G1", &[&u]).await;
    env.group("G2", &[]).await;
    let r = env
        .get(&format!(
            "/Groups?filter=members%5Bvalue%20eq%20%22{u}%22%5D"
        ))
        .await;
    assert_eq!(r.json["totalResults"], 1, "{}", r.text);
    assert_eq!(r.json["Resources"][0]["id"], g1.as_str());
    let r = env
        .get(&format!(
            "/Groups?filter=members.value%20eq%20%22{u}%22&excludedAttributes=members"
        ))
        .await;
    assert_eq!(r.json["totalResults"], 1, "{}", r.text);
    assert!(r.json["Resources"][0].get("members").is_none());
    let r = env
        .get(&format!("/Groups/{g1}?excludedAttributes=members"))
        .await;
    assert!(r.json.get("members").is_none());
    assert_eq!(r.json["displayName"], "G1");
}

#[tokio::test]
async fn put_with_empty_members_clears_membership() {
    let env = Env::start().await;
    let u = env.user("p").await;
    let g = env.group("G", &[&u]).await;
    let r = env
        .put(
            &format!("/Groups/{g}"),
            json!({"schemas": [GROUP], "displayName": "G", "members": []}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(member_ids(&r.json).is_empty());
    let ur = env.get(&format!("/Users/{u}")).await;
    assert!(ur.json.get("groups").is_none(), "{}", ur.text);
}

#[tokio::test]
async fn unknown_members_are_stored_as_sent_when_allowed() {
    let env = Env::with(scimtest::provider::ProviderConfig {
        allow_unknown_members: true,
        ..Default::default()
    })
    .await;
    let g = env.group("G", &[]).await;
    let r = env
        .patch(
            &format!("/Groups/{g}"),
            json!([{"op": "add", "path": "members", "value": [{"value": "fake-member-id"}]}]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(member_ids(&r.json), vec!["fake-member-id".to_string()]);
    assert!(r.json["members"][0].get("$ref").is_none());
}
