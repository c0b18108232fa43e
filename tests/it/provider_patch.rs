//! PATCH over HTTP: IdP dialects, membership, atomicity, no-op stability.

use crate::support::*;
use serde_json::json;

#[tokio::test]
async fn okta_pathless_replace_deactivates() {
    let env = Env::start().await;
    let u = env.user("okta").await;
    let r = env
        .patch(
            &format!("/Users/{u}"),
            json!([{"op": "replace", "value": {"active": false}}]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["active"], false);
    let l = env.get("/Users?filter=active%20eq%20false").await;
    assert_eq!(l.json["totalResults"], 1, "{}", l.text);
}

#[tokio::test]
async fn entra_capitalised_ops_and_string_booleans() {
    let env = Env::start().await;
    let u = env.user("entra").await;
    let r = env
        .patch(
            &format!("/Users/{u}"),
            json!([
                {"op": "Replace", "path": "active", "value": "False"},
                {"op": "Add", "path": "displayName", "value": "Entra User"}
            ]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["active"], false);
    assert_eq!(r.json["displayName"], "Entra User");
}

#[tokio::test]
async fn entra_remove_members_with_value_array_removes_only_those() {
    let env = Env::start().await;
    let a = env.user("a").await;
    let b = env.user("b").await;
    let c = env.user("c").await;
    let g = env.group("G", &[&a, &b, &c]).await;
    let r = env
        .patch(
            &format!("/Groups/{g}"),
            json!([{"op": "Remove", "path": "members", "value": [{"value": a}, {"value": b}]}]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        member_ids(&env.get(&format!("/Groups/{g}")).await.json),
        vec![c]
    );
}

#[tokio::test]
async fn add_member_then_remove_by_filter() {
    let env = Env::start().await;
    let a = env.user("a").await;
    let b = env.user("b").await;
    let g = env.group("G", &[&a]).await;
    let r = env
        .patch(
            &format!("/Groups/{g}"),
            json!([{"op": "add", "path": "members", "value": [{"value": b}]}]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let mut want = vec![a.clone(), b.clone()];
    want.sort();
    assert_eq!(
        member_ids(&env.get(&format!("/Groups/{g}")).await.json),
        want
    );
    let r = env
        .patch(
            &format!("/Groups/{g}"),
            json!([{"op": "remove", "path": format!("members[value eq \"{a}\"]")}]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        member_ids(&env.get(&format!("/Groups/{g}")).await.json),
        vec![b]
    );
}

#[tokio::test]
async fn adding_an_existing_member_changes_neither_etag_nor_last_modified() {
    let env = Env::start().await;
    let a = env.user("a").await;
    let g = env.group("G", &[&a]).await;
    let before = env.get(&format!("/Groups/{g}")).await;
    let r = env
        .patch(
            &format!("/Groups/{g}"),
            json!([{"op": "add", "path": "members", "value": [{"value": a}]}]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let after = env.get(&format!("/Groups/{g}")).await;
    assert_eq!(before.header("etag"), after.header("etag"));
    assert_eq!(
        before.json["meta"]["lastModified"],
        after.json["meta"]["lastModified"]
    );
    assert_eq!(member_ids(&after.json), vec![a]);
}

#[tokio::test]
async fn failing_patch_is_atomic() {
    let env = Env::start().await;
    let u = env.user("atom").await;
    let before = env.get(&format!("/Users/{u}")).await;
    let r = env
        .patch(
            &format!("/Users/{u}"),
            json!([
                {"op": "replace", "path": "displayName", "value": "Changed"},
                {"op": "replace", "path": "emails[type eq \"work\"].value", "value": "x@y"}
            ]),
        )
        .await;
    r.assert_error(400, Some("noTarget"));
    let after = env.get(&format!("/Users/{u}")).await;
    assert_eq!(before.json, after.json);
}

#[tokio::test]
async fn remove_without_path_is_no_target_and_bad_path_is_invalid_path() {
    let env = Env::start().await;
    let u = env.user("np").await;
    env.patch(&format!("/Users/{u}"), json!([{"op": "remove"}]))
        .await
        .assert_error(400, Some("noTarget"));
    let r = env
        .patch(
            &format!("/Users/{u}"),
            json!([{"op": "replace", "path": "emails[type eq", "value": "x"}]),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(
        matches!(
            r.json["scimType"].as_str(),
            Some("invalidPath") | Some("invalidFilter")
        ),
        "{}",
        r.text
    );
}

#[tokio::test]
async fn patch_with_attributes_projects_the_response() {
    let env = Env::start().await;
    let u = env.user("proj").await;
    let r = env
        .send("PATCH", &format!("/Users/{u}?attributes=userName"), Some(&json!({"schemas": [PATCH_OP], "Operations": [{"op": "replace", "path": "displayName", "value": "P"}]})))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["userName"], "proj");
    assert!(r.json.get("displayName").is_none(), "{}", r.text);
}

#[tokio::test]
async fn patch_cannot_take_another_users_name() {
    let env = Env::start().await;
    env.user("taken").await;
    let u = env.user("mine").await;
    env.patch(
        &format!("/Users/{u}"),
        json!([{"op": "replace", "path": "userName", "value": "TAKEN"}]),
    )
    .await
    .assert_error(409, Some("uniqueness"));
}

#[tokio::test]
async fn okta_group_push_members_with_display_are_accepted() {
    let env = Env::start().await;
    let a = env.user("a").await;
    let g = env.group("G", &[]).await;
    let r = env
        .patch(&format!("/Groups/{g}"), json!([{"op": "replace", "value": {"id": g, "displayName": "G2", "members": [{"value": a, "display": "a"}]}}]))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["displayName"], "G2");
    assert_eq!(member_ids(&r.json), vec![a]);
}
