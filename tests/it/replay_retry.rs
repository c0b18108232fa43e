//! The IdP's retry policy (`retry` in a profile's `profile.json`) as the replay engine applies
//! it, against wiremock doubles: a profile that retries 429 gets through a target that throttles
//! once, the same flow without a retry policy would break there, a target that keeps failing
//! breaks a retrying profile after its last try, and every try is in the evidence.

use scimtest::client::{Client, Namespace, Redactor, TargetConfig};
use scimtest::replay::{self, fixture::Fixture, profile::Profile};
use scimtest::report::model::Outcome;
use std::sync::Arc;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn flow() -> Fixture {
    let fx = serde_json::json!({
        "format_version": 1, "idp": "authentik", "profile": "retry-test", "flow": "connection",
        "title": "one probe", "source": {"kind": "research-notes", "ref": "test"},
        "documented_in": ["test"], "captured_at": "2026-12-05",
        "steps": [{
            "name": "probe",
            "request": {"method": "GET", "path": "/Users", "query": {"count": "1"}},
            "expect": {"status": [200], "why": "the IdP needs a list"},
            "synthetic": false
        }]
    });
    Fixture::parse(&fx.to_string(), "retry-test").unwrap_or_else(|e| panic!("{e}"))
}

fn retrying(statuses: &[u16], attempts: u32) -> Arc<Profile> {
    let m = serde_json::json!({
        "format_version": 1, "idp": "authentik", "profile": "retry-test", "product": "authentik",
        "dialect": "test", "faithfulness": "research-notes",
        "source": {"kind": "research-notes", "ref": "test"}, "summary": "test",
        "documented_in": ["test"], "pacing": "test", "on_failure": "test",
        "retry": {"statuses": statuses, "attempts": attempts, "retry_after": true, "note": "test"}
    });
    Arc::new(Profile::parse(&m.to_string(), "profile.json").unwrap_or_else(|e| panic!("{e}")))
}

async fn replay(server: &MockServer, manifest: Option<Arc<Profile>>) -> replay::engine::FlowResult {
    let mut fx = flow();
    fx.manifest = manifest;
    let cfg = TargetConfig {
        timeout: std::time::Duration::from_secs(5),
        ..TargetConfig::bearer(server.uri(), "t0ken-for-tests")
    };
    let c = Client::new(cfg, Redactor::default()).unwrap_or_else(|e| panic!("{e}"));
    let mut out = replay::run(c, Namespace::new(), vec![fx], 1, &|_| {}).await;
    out.flows.remove(0)
}

async fn throttled_once() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/Users"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/Users"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": 0, "Resources": []
        })))
        .with_priority(2)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_profile_that_retries_429_gets_through_a_target_that_throttles_once() {
    let server = throttled_once().await;
    let f = replay(&server, Some(retrying(&[429, 503], 3))).await;
    assert_eq!(f.outcome, Outcome::Pass, "{:?}", f.break_at);
    let s = &f.steps[0];
    assert_eq!(s.retried.len(), 1, "the 429 try is kept as evidence");
    assert_eq!(s.retried[0].status, Some(429));
    assert_eq!(s.exchange.as_ref().and_then(|x| x.status), Some(200));
    let report = replay::flow_report(&f);
    assert_eq!(report.evidence.len(), 2, "both tries are evidence");
    let t = replay::transcript::render(&f, &server.uri());
    assert!(t.contains("< 429 (the IdP tries again)"), "{t}");
}

#[tokio::test]
async fn the_same_flow_without_a_retry_policy_would_break_at_the_429() {
    let server = throttled_once().await;
    let f = replay(&server, None).await;
    assert_eq!(f.outcome, Outcome::Fail);
    let b = f.break_at.unwrap_or_else(|| panic!("a break"));
    assert!(b.got.contains("429"), "{}", b.got);
    assert!(f.steps[0].retried.is_empty());
    // A policy that does not list 429 does not retry it either.
    let server = throttled_once().await;
    let f = replay(&server, Some(retrying(&[503], 3))).await;
    assert_eq!(f.outcome, Outcome::Fail);
}

#[tokio::test]
async fn a_target_that_keeps_failing_breaks_a_retrying_profile_after_its_last_try() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/Users"))
        .and(query_param("count", "1"))
        .respond_with(ResponseTemplate::new(503))
        .expect(3)
        .mount(&server)
        .await;
    let f = replay(&server, Some(retrying(&[503], 3))).await;
    assert_eq!(f.outcome, Outcome::Fail);
    assert_eq!(f.steps[0].retried.len(), 2, "three tries in all");
    let b = f.break_at.unwrap_or_else(|| panic!("a break"));
    assert!(b.got.contains("503"), "{}", b.got);
    server.verify().await;
}

/// Against the reference provider's own rate limit (`serve --rate-limit`, 429 with
/// `Retry-After: 1`): Okta, which honours Retry-After (its manifest), gets through a user
/// lifecycle with some steps tried twice; OneLogin, which documents no retry, would break at the
/// first 429. Nothing is left behind either way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limited_server_passes_an_idp_that_honours_retry_after_and_breaks_one_that_does_not()
{
    use scimtest::provider::{Limits, ProviderConfig};
    let env = crate::support::Env::with(ProviderConfig {
        limits: Limits {
            rate_limit_per_second: Some(4),
            ..Limits::default()
        },
        ..ProviderConfig::default()
    })
    .await;
    let pick = |idp: &str, profile: &str| {
        let sel = replay::Selection {
            idps: vec![idp.into()],
            profiles: vec![profile.into()],
            flows: vec!["user-lifecycle".into()],
        };
        sel.apply(replay::fixture::embedded().unwrap_or_else(|e| panic!("{e}")))
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let client = || {
        let cfg = TargetConfig {
            timeout: std::time::Duration::from_secs(10),
            ..TargetConfig::bearer(env.handle.base_url.clone(), &env.handle.token)
        };
        Client::new(cfg, Redactor::new([env.handle.token.clone()], []))
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let okta = replay::run(client(), Namespace::new(), pick("okta", "oin"), 1, &|_| {}).await;
    let f = &okta.flows[0];
    assert_eq!(f.outcome, Outcome::Pass, "{:?}", f.break_at);
    let retried: usize = f.steps.iter().map(|s| s.retried.len()).sum();
    assert!(retried > 0, "a burst above 4/s was throttled at least once");
    assert!(
        f.steps
            .iter()
            .flat_map(|s| &s.retried)
            .all(|x| x.status == Some(429))
    );
    assert!(okta.cleanup.leftovers.is_empty(), "{:?}", okta.cleanup);
    let onelogin = replay::run(
        client(),
        Namespace::new(),
        pick("onelogin", "scim2"),
        1,
        &|_| {},
    )
    .await;
    let f = &onelogin.flows[0];
    assert_eq!(f.outcome, Outcome::Fail);
    let b = f.break_at.as_ref().unwrap_or_else(|| panic!("a break"));
    assert!(b.got.contains("429"), "{}", b.got);
    assert!(
        onelogin.cleanup.leftovers.is_empty(),
        "{:?}",
        onelogin.cleanup
    );
}
