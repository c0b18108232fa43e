//! Client mistakes always get a SCIM error body, never a 500 or a plain-text page.

use crate::support::*;
use serde_json::json;

async fn raw(env: &Env, method: &str, path: &str, ct: &str, body: Vec<u8>) -> Resp {
    let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let r = env
        .http
        .request(m, env.url(path))
        .bearer_auth(&env.handle.token)
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().await.unwrap_or_default();
    let json = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
    Resp {
        status,
        headers,
        text,
        json,
    }
}

#[tokio::test]
async fn malformed_json_is_400_invalid_syntax() {
    let env = Env::start().await;
    raw(
        &env,
        "POST",
        "/Users",
        "application/scim+json",
        b"{".to_vec(),
    )
    .await
    .assert_error(400, Some("invalidSyntax"));
    raw(&env, "POST", "/Users", "application/scim+json", Vec::new())
        .await
        .assert_error(400, Some("invalidSyntax"));
    raw(
        &env,
        "POST",
        "/Users",
        "application/scim+json",
        b"[1,2]".to_vec(),
    )
    .await
    .assert_error(400, Some("invalidSyntax"));
}

#[tokio::test]
async fn oversize_body_is_413() {
    let env = Env::start().await;
    let big = format!("{{\"userName\": \"{}\"}}", "x".repeat(9 * 1024 * 1024));
    raw(
        &env,
        "POST",
        "/Users",
        "application/scim+json",
        big.into_bytes(),
    )
    .await
    .assert_error(413, None);
}

#[tokio::test]
async fn charset_parameter_and_plain_json_are_accepted_other_types_are_415() {
    let env = Env::start().await;
    let body = json!({"schemas": [USER], "userName": "cs"})
        .to_string()
        .into_bytes();
    let r = raw(
        &env,
        "POST",
        "/Users",
        "application/scim+json; charset=utf-8",
        body.clone(),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let body2 = json!({"schemas": [USER], "userName": "cs2"})
        .to_string()
        .into_bytes();
    assert_eq!(
        raw(&env, "POST", "/Users", "application/json", body2)
            .await
            .status,
        201
    );
    raw(&env, "POST", "/Users", "text/plain", body)
        .await
        .assert_error(415, None);
}

#[tokio::test]
async fn unknown_endpoints_and_methods() {
    let env = Env::start().await;
    env.get("/Nope").await.assert_error(404, None);
    env.get("/Users/x/y/z").await.assert_error(404, None);
    env.send("PATCH", "/Users", None)
        .await
        .assert_error(405, None);
    env.send("POST", "/Users/abc", Some(&json!({})))
        .await
        .assert_error(405, None);
    let r = env
        .http
        .get(format!("http://{}/elsewhere", env.handle.addr))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status().as_u16(), 404);
}

#[tokio::test]
async fn wrong_types_are_400_invalid_value() {
    let env = Env::start().await;
    env.post(
        "/Users",
        json!({"schemas": [USER], "userName": "t", "active": "yes"}),
    )
    .await
    .assert_error(400, Some("invalidValue"));
    env.post("/Users", json!({"schemas": [USER], "userName": "t", "emails": [{"value": "a@b", "primary": true}, {"value": "c@d", "primary": true}]}))
        .await
        .assert_error(400, Some("invalidValue"));
}

#[tokio::test]
async fn accept_without_json_is_406() {
    let env = Env::start().await;
    let token = env.handle.token.clone();
    env.send_as(
        Some(&token),
        "GET",
        "/Users",
        None,
        &[("accept", "application/xml")],
    )
    .await
    .assert_error(406, None);
    let r = env
        .send_as(
            Some(&token),
            "GET",
            "/Users",
            None,
            &[("accept", "application/json")],
        )
        .await;
    assert_eq!(r.status, 200);
}
