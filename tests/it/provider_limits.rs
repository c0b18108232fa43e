//! Every limit of the provider, over real HTTP, each answered with the RFC's error body (or, for
//! a client that never finishes its headers, a closed connection): body size, JSON nesting,
//! filter length and nesting, PATCH operation count, members per request, header read timeout
//! (slowloris), concurrent connections, and tokens of the right and the wrong length.

use crate::support::*;
use scimtest::provider::{Limits, ProviderConfig};
use serde_json::json;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn with_limits(limits: Limits) -> Env {
    Env::with(ProviderConfig {
        limits,
        ..ProviderConfig::default()
    })
    .await
}

#[tokio::test]
async fn body_size_filter_patch_and_member_limits_answer_scim_errors() {
    let env = with_limits(Limits {
        max_body_bytes: 4096,
        max_patch_operations: 3,
        max_members_per_request: 2,
        ..Limits::default()
    })
    .await;
    // Body size: 413 with the SCIM error body.
    let big = json!({"schemas": [USER], "userName": "big", "displayName": "x".repeat(5000)});
    env.post("/Users", big).await.assert_error(413, None);
    // Filter length and nesting: 400 invalidFilter.
    let long = format!("userName eq \"{}\"", "a".repeat(9000));
    let r = env
        .get(&format!("/Users?filter={}", scimtest::client::enc(&long)))
        .await;
    r.assert_error(400, Some("invalidFilter"));
    let nested = format!("{}userName eq \"a\"{}", "(".repeat(70), ")".repeat(70));
    let r = env
        .get(&format!("/Users?filter={}", scimtest::client::enc(&nested)))
        .await;
    r.assert_error(400, Some("invalidFilter"));
    // PATCH operation count: 413 above the limit.
    let u = env.user("limits").await;
    let ops: Vec<_> = (0..4)
        .map(|i| json!({"op": "replace", "path": "displayName", "value": format!("v{i}")}))
        .collect();
    env.patch(&format!("/Users/{u}"), json!(ops))
        .await
        .assert_error(413, None);
    // Members per request: 413 above the limit.
    let (a, b, c) = (
        env.user("m1").await,
        env.user("m2").await,
        env.user("m3").await,
    );
    let r = env
        .post(
            "/Groups",
            json!({"schemas": [GROUP], "displayName": "many", "members": [{"value": a}, {"value": b}, {"value": c}]}),
        )
        .await;
    r.assert_error(413, None);
}

#[tokio::test]
async fn json_nesting_bombs_are_refused_before_parsing() {
    let env = Env::start().await;
    // A bomb and a 33-level body are refused unparsed; 32 levels parse.
    let bomb = "[".repeat(100_000);
    let r = env
        .http
        .post(env.url("/Users"))
        .bearer_auth(&env.handle.token)
        .header("content-type", "application/scim+json")
        .body(bomb)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), 400);
    let text = r.text().await.unwrap_or_default();
    assert!(
        text.contains("invalidSyntax") && text.contains("deeper than 32"),
        "{text}"
    );
    let nest = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    for (depth, deeper) in [(33, true), (32, false)] {
        let body = format!(
            r#"{{"schemas":["{USER}"],"userName":"deep","x":{}}}"#,
            nest(depth - 1)
        );
        let r = env
            .http
            .post(env.url("/Users"))
            .bearer_auth(&env.handle.token)
            .header("content-type", "application/scim+json")
            .body(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let text = r.text().await.unwrap_or_default();
        assert_eq!(
            text.contains("deeper than"),
            deeper,
            "depth {depth}: {text}"
        );
    }
    // Brackets inside strings do not count.
    let quoted =
        json!({"schemas": [USER], "userName": "[[[[".repeat(20), "displayName": "{{{{".repeat(20)});
    assert_eq!(env.post("/Users", quoted).await.status, 201);
}

#[tokio::test]
async fn the_json_depth_limit_is_configurable() {
    let env = with_limits(Limits {
        max_json_depth: 3,
        ..Limits::default()
    })
    .await;
    // {"name": {...}} is 2 levels: served.
    let ok = json!({"schemas": [USER], "userName": "shallow", "name": {"givenName": "A"}});
    assert_eq!(env.post("/Users", ok).await.status, 201);
    // {"emails": [{"x": [ ]}]} is 4 levels: refused before parsing.
    let deep =
        json!({"schemas": [USER], "userName": "deep", "emails": [{"value": "a@b.c", "x": []}]});
    let r = env.post("/Users", deep).await;
    r.assert_error(400, Some("invalidSyntax"));
    assert!(r.text.contains("deeper than 3"), "{}", r.text);
}

#[tokio::test]
async fn wrong_tokens_of_any_length_are_401_with_the_scim_body() {
    let env = Env::start().await;
    let right = env.handle.token.clone();
    let same_length: String = right.chars().rev().collect();
    for wrong in [same_length.as_str(), "x", &format!("{right}x"), ""] {
        let r = env.send_as(Some(wrong), "GET", "/Users", None, &[]).await;
        r.assert_error(401, None);
    }
}

/// Read until EOF or `limit`; returns what came and whether the peer closed.
async fn read_until_closed(s: &mut TcpStream, limit: Duration) -> (String, bool) {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + limit;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (String::from_utf8_lossy(&out).into(), true),
            Ok(Ok(n)) => out.extend_from_slice(&buf[..n]),
            Err(_) => return (String::from_utf8_lossy(&out).into(), false),
        }
    }
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_cut_off() {
    let env = with_limits(Limits {
        header_read_timeout: Duration::from_millis(300),
        ..Limits::default()
    })
    .await;
    let mut s = TcpStream::connect(env.handle.addr)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    s.write_all(b"GET /scim/v2/Users HTTP/1.1\r\nHost: x\r\nX-Slow: a")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let started = Instant::now();
    let (_, closed) = read_until_closed(&mut s, Duration::from_secs(5)).await;
    assert!(
        closed,
        "the provider kept a slowloris connection open for 5 s"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
    // The provider still serves everyone else.
    assert_eq!(env.get("/Users").await.status, 200);
}

#[tokio::test]
async fn connections_over_the_limit_get_503_with_a_scim_error() {
    let env = with_limits(Limits {
        max_connections: 2,
        ..Limits::default()
    })
    .await;
    // Two idle connections hold both slots (the header timeout is 10 s).
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut s = TcpStream::connect(env.handle.addr)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        // A complete request proves the slot is taken by a live connection.
        let req = format!(
            "GET /scim/v2/ServiceProviderConfig HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\r\n",
            env.handle.token
        );
        s.write_all(req.as_bytes())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let mut buf = [0u8; 64];
        let n = s.read(&mut buf).await.unwrap_or_else(|e| panic!("{e}"));
        assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
        held.push(s);
    }
    let mut third = TcpStream::connect(env.handle.addr)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    third
        .write_all(b"GET /scim/v2/Users HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (resp, closed) = read_until_closed(&mut third, Duration::from_secs(5)).await;
    assert!(closed, "the refused connection was left open");
    assert!(resp.starts_with("HTTP/1.1 503"), "{resp}");
    assert!(resp.contains("retry-after: 1"), "{resp}");
    let body = resp.split("\r\n\r\n").nth(1).unwrap_or_default();
    let v: serde_json::Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"));
    assert_eq!(v["schemas"][0], ERROR);
    assert_eq!(v["status"], "503");
    // Free a slot: new connections are served again (the server notices the close promptly;
    // poll with a bound rather than sleep a guess).
    drop(held.pop());
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let r = env.get("/Users").await;
        if r.status == 200 {
            break;
        }
        assert_eq!(r.status, 503, "{}", r.text);
        assert!(
            Instant::now() < deadline,
            "no slot freed after closing a connection"
        );
        tokio::task::yield_now().await;
    }
}
