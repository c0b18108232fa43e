//! ETags: If-Match, If-None-Match, versions.

use crate::support::*;
use serde_json::json;

#[tokio::test]
async fn if_none_match_current_is_304() {
    let env = Env::start().await;
    let u = env.user("e").await;
    let g = env.get(&format!("/Users/{u}")).await;
    let tag = g.header("etag").unwrap_or_default().to_string();
    let token = env.handle.token.clone();
    let r = env
        .send_as(
            Some(&token),
            "GET",
            &format!("/Users/{u}"),
            None,
            &[("if-none-match", &tag)],
        )
        .await;
    assert_eq!(r.status, 304);
    assert!(r.text.is_empty());
}

#[tokio::test]
async fn stale_if_match_is_412_and_changes_nothing() {
    let env = Env::start().await;
    let u = env.user("e").await;
    let old = env.get(&format!("/Users/{u}")).await;
    let old_tag = old.header("etag").unwrap_or_default().to_string();
    env.patch(
        &format!("/Users/{u}"),
        json!([{"op": "replace", "path": "displayName", "value": "v2"}]),
    )
    .await;
    let token = env.handle.token.clone();
    let body = json!({"schemas": [PATCH_OP], "Operations": [{"op": "replace", "path": "displayName", "value": "v3"}]});
    let r = env
        .send_as(
            Some(&token),
            "PATCH",
            &format!("/Users/{u}"),
            Some(&body),
            &[("if-match", &old_tag)],
        )
        .await;
    r.assert_error(412, None);
    assert_eq!(
        env.get(&format!("/Users/{u}")).await.json["displayName"],
        "v2"
    );
    let cur = env
        .get(&format!("/Users/{u}"))
        .await
        .header("etag")
        .unwrap_or_default()
        .to_string();
    let r = env
        .send_as(
            Some(&token),
            "PATCH",
            &format!("/Users/{u}"),
            Some(&body),
            &[("if-match", &cur)],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = env
        .send_as(
            Some(&token),
            "DELETE",
            &format!("/Users/{u}"),
            None,
            &[("if-match", &old_tag)],
        )
        .await;
    r.assert_error(412, None);
}
