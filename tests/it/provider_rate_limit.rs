//! The provider's rate limit (`scimtest serve --rate-limit N`, `Limits::rate_limit_per_second`):
//! a burst above N a second gets 429 with `Retry-After` and an RFC 7644 §3.12 error body; after
//! the server-declared retry window the tenant is served again; tenants have their own budgets.

use crate::support::*;
use scimtest::provider::{Limits, ProviderConfig, TokenSpec};
use std::time::Duration;

async fn limited(per_second: u32, tokens: &[&str]) -> Env {
    Env::with(ProviderConfig {
        tokens: tokens
            .iter()
            .map(|t| t.parse::<TokenSpec>().unwrap_or_else(|e| panic!("{e}")))
            .collect(),
        limits: Limits {
            rate_limit_per_second: Some(per_second),
            ..Limits::default()
        },
        ..ProviderConfig::default()
    })
    .await
}

#[tokio::test]
async fn a_burst_above_the_limit_gets_429_with_retry_after_then_is_served_again() {
    let env = limited(5, &[]).await;
    let burst = (0..20).map(|_| env.get("/Users"));
    let answers = futures::future::join_all(burst).await;
    let ok = answers.iter().filter(|r| r.status == 200).count();
    let refused: Vec<&Resp> = answers.iter().filter(|r| r.status == 429).collect();
    assert_eq!(ok + refused.len(), 20, "only 200 and 429 expected");
    assert!(
        (1..=5).contains(&ok),
        "a bucket of 5 serves at most 5 of a burst: {ok}"
    );
    assert!(!refused.is_empty());
    let mut retry_after = 0;
    for r in &refused {
        r.assert_error(429, None);
        assert!(r.json["detail"].as_str().is_some_and(|d| !d.is_empty()));
        let secs: u64 = r
            .header("retry-after")
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no numeric Retry-After: {:?}", r.headers));
        assert!(secs >= 1);
        retry_after = retry_after.max(secs);
    }
    // Waiting out the server-declared retry window is the protocol, not a race.
    tokio::time::sleep(Duration::from_secs(retry_after)).await;
    let r = env.get("/Users").await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[tokio::test]
async fn each_tenant_has_its_own_budget() {
    let env = limited(2, &["t1", "t2"]).await;
    let burst = (0..6).map(|_| env.send_as(Some("t1"), "GET", "/Users", None, &[]));
    let answers = futures::future::join_all(burst).await;
    assert!(answers.iter().any(|r| r.status == 429));
    let other = env.send_as(Some("t2"), "GET", "/Users", None, &[]).await;
    assert_eq!(other.status, 200, "{}", other.text);
}

#[tokio::test]
async fn without_a_limit_a_burst_is_served() {
    let env = Env::start().await;
    let answers = futures::future::join_all((0..30).map(|_| env.get("/Users"))).await;
    assert!(answers.iter().all(|r| r.status == 200));
}
