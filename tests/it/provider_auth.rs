//! Auth: 401 with WWW-Authenticate, tenant isolation between tokens, /Me.

use crate::support::*;
use serde_json::json;

#[tokio::test]
async fn missing_and_wrong_tokens_are_401_with_challenge() {
    let env = Env::start().await;
    for token in [None, Some("wrong")] {
        let r = env.send_as(token, "GET", "/Users", None, &[]).await;
        r.assert_error(401, None);
        assert!(
            r.header("www-authenticate")
                .is_some_and(|h| h.starts_with("Bearer"))
        );
    }
    let u = env.user("x").await;
    let a = env
        .send_as(None, "GET", &format!("/Users/{u}"), None, &[])
        .await;
    let b = env.send_as(None, "GET", "/Users/random", None, &[]).await;
    assert_eq!((a.status, b.status), (401, 401), "no existence oracle");
}

#[tokio::test]
async fn each_token_is_its_own_tenant() {
    let env = Env::with_tokens(&["tok-a", "tok-b"]).await;
    let r = env
        .send_as(
            Some("tok-a"),
            "POST",
            "/Users",
            Some(&json!({"schemas": [USER], "userName": "shared"})),
            &[],
        )
        .await;
    assert_eq!(r.status, 201);
    let id = r.json["id"].as_str().unwrap_or_default().to_string();
    let b = |m: &'static str, p: String| {
        let env = &env;
        async move { env.send_as(Some("tok-b"), m, &p, None, &[]).await }
    };
    b("GET", format!("/Users/{id}"))
        .await
        .assert_error(404, None);
    b("DELETE", format!("/Users/{id}"))
        .await
        .assert_error(404, None);
    assert_eq!(b("GET", "/Users".into()).await.json["totalResults"], 0);
    assert_eq!(
        b("GET", "/Users?filter=userName%20eq%20%22shared%22".into())
            .await
            .json["totalResults"],
        0
    );
    // Same userName in tenant B does not collide.
    let r = env
        .send_as(
            Some("tok-b"),
            "POST",
            "/Users",
            Some(&json!({"schemas": [USER], "userName": "shared"})),
            &[],
        )
        .await;
    assert_eq!(r.status, 201);
    // B cannot reference A's user as a group member.
    let r = env
        .send_as(
            Some("tok-b"),
            "POST",
            "/Groups",
            Some(&json!({"schemas": [GROUP], "displayName": "g", "members": [{"value": id}]})),
            &[],
        )
        .await;
    r.assert_error(400, Some("invalidValue"));
}

#[tokio::test]
async fn me_is_501_for_unbound_tokens_and_works_for_bound_ones() {
    let env = Env::with_tokens(&["plain", "bound@meuser"]).await;
    env.send_as(Some("plain"), "GET", "/Me", None, &[])
        .await
        .assert_error(501, None);
    env.send_as(Some("bound"), "GET", "/Me", None, &[])
        .await
        .assert_error(404, None);
    let r = env
        .send_as(
            Some("bound"),
            "POST",
            "/Users",
            Some(&json!({"schemas": [USER], "userName": "MeUser"})),
            &[],
        )
        .await;
    assert_eq!(r.status, 201);
    let me = env.send_as(Some("bound"), "GET", "/Me", None, &[]).await;
    assert_eq!(me.status, 200, "{}", me.text);
    assert_eq!(me.json["userName"], "MeUser");
    assert!(
        me.json["meta"]["location"]
            .as_str()
            .is_some_and(|l| l.contains("/Users/"))
    );
}
