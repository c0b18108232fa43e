//! OAuth 2.0 client credentials, both sides: the provider's token endpoint (Basic and form
//! client authentication, §5.2 errors, tokens bound to a tenant that expire by an injectable
//! clock), the client's `fetch_token` and `TokenSource` (refresh, one retry after a 401, no
//! stampede, nothing secret in an exchange), and `check`, `load` and `replay` end to end against
//! `serve --oauth-client` with tokens that expire mid-run.

use crate::support::cli::{self, error_of};
use base64::Engine as _;
use scimtest::client::oauth::TokenSource;
use scimtest::client::{Client, ClientCredentials, Redactor, TargetConfig, fetch_token};
use scimtest::provider::{self, Clock, OAuthClientSpec, ProviderConfig, ProviderHandle};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

const SECRET: &str = "cl1ent-S3CRET-oauth-9931";

fn client_spec(id: &str, secret: &str) -> OAuthClientSpec {
    OAuthClientSpec {
        id: id.into(),
        secret: secret.into(),
    }
}

async fn provider_with(lifetime: Duration, clock: Clock) -> ProviderHandle {
    provider::spawn(ProviderConfig {
        oauth_clients: vec![
            client_spec("app-one", SECRET),
            client_spec("app-two", "other-S3CRET"),
        ],
        oauth_token_lifetime: lifetime,
        oauth_clock: clock,
        ..ProviderConfig::default()
    })
    .await
    .unwrap_or_else(|e| panic!("spawn: {e}"))
}

fn token_url(h: &ProviderHandle) -> String {
    h.token_url
        .clone()
        .unwrap_or_else(|| panic!("no token URL"))
}

struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    json: Value,
}

async fn post_form(url: &str, body: &str, basic: Option<(&str, &str)>) -> Answer {
    let mut rb = reqwest::Client::new()
        .post(url)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body.to_string());
    if let Some((id, secret)) = basic {
        let b = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
        rb = rb.header("Authorization", format!("Basic {b}"));
    }
    let r = rb.send().await.unwrap_or_else(|e| panic!("{e}"));
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let json = r.json::<Value>().await.unwrap_or(Value::Null);
    Answer {
        status,
        headers,
        json,
    }
}

async fn get_users(h: &ProviderHandle, token: &str) -> (u16, reqwest::header::HeaderMap, Value) {
    let r = reqwest::Client::new()
        .get(format!("{}/Users", h.base_url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, headers, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_token_endpoint_issues_tokens_for_basic_and_form_credentials() {
    let h = provider_with(Duration::from_secs(600), Clock::system()).await;
    let url = token_url(&h);
    assert_eq!(url, format!("http://{}/oauth/token", h.addr));
    let form = post_form(
        &url,
        &format!(
            "grant_type=client_credentials&client_id=app-one&client_secret={SECRET}&scope=scim"
        ),
        None,
    )
    .await;
    let basic = post_form(
        &url,
        "grant_type=client_credentials",
        Some(("app-one", SECRET)),
    )
    .await;
    for a in [&form, &basic] {
        assert_eq!(a.status, 200, "{}", a.json);
        assert_eq!(a.json["token_type"], "Bearer");
        assert_eq!(a.json["expires_in"], 600);
        assert!(
            a.json["access_token"]
                .as_str()
                .is_some_and(|t| t.len() >= 32)
        );
        assert_eq!(
            a.headers.get("cache-control").and_then(|v| v.to_str().ok()),
            Some("no-store")
        );
    }
    assert_eq!(form.json["scope"], "scim", "the scope is echoed");
    assert_ne!(form.json["access_token"], basic.json["access_token"]);
    assert_eq!(h.provider.oauth.as_ref().map(|o| o.issued()), Some(2));
}

#[tokio::test]
async fn an_issued_token_opens_its_clients_tenant_only() {
    let h = provider_with(Duration::from_secs(600), Clock::system()).await;
    let url = token_url(&h);
    assert_eq!(h.tokens.len(), 2, "a tenant for each OAuth client");
    let one = post_form(
        &url,
        "grant_type=client_credentials",
        Some(("app-one", SECRET)),
    )
    .await;
    let two = post_form(
        &url,
        "grant_type=client_credentials",
        Some(("app-two", "other-S3CRET")),
    )
    .await;
    let t1 = one.json["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let t2 = two.json["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let created = reqwest::Client::new()
        .post(format!("{}/Users", h.base_url))
        .bearer_auth(&t1)
        .header("Content-Type", "application/scim+json")
        .body(r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"oauth-a"}"#)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(created.status().as_u16(), 201);
    let (s1, _, l1) = get_users(&h, &t1).await;
    let (s2, _, l2) = get_users(&h, &t2).await;
    assert_eq!((s1, s2), (200, 200));
    assert_eq!(l1["totalResults"], 1, "client one sees tenant one");
    assert_eq!(l2["totalResults"], 0, "client two sees tenant two");
    // The static token of tenant one opens the same tenant.
    let (_, _, l0) = get_users(&h, &h.tokens[0]).await;
    assert_eq!(l0["totalResults"], 1);
}

#[tokio::test]
async fn the_token_endpoint_answers_rfc_6749_errors() {
    let h = provider_with(Duration::from_secs(600), Clock::system()).await;
    let url = token_url(&h);
    // (form body, Basic credentials, status, error, challenges for Basic)
    type Case<'a> = (&'a str, Option<(&'a str, &'a str)>, u16, &'a str, bool);
    let cases: [Case; 6] = [
        (
            "grant_type=client_credentials",
            Some(("app-one", "wrong")),
            401,
            "invalid_client",
            true,
        ),
        (
            "grant_type=client_credentials&client_id=app-one&client_secret=wrong",
            None,
            401,
            "invalid_client",
            false,
        ),
        (
            "grant_type=client_credentials&client_id=nobody&client_secret=x",
            None,
            401,
            "invalid_client",
            false,
        ),
        (
            "grant_type=password",
            Some(("app-one", SECRET)),
            400,
            "unsupported_grant_type",
            false,
        ),
        (
            "scope=x",
            Some(("app-one", SECRET)),
            400,
            "invalid_request",
            false,
        ),
        (
            "grant_type=client_credentials&client_secret=x",
            Some(("app-one", SECRET)),
            400,
            "invalid_request",
            false,
        ),
    ];
    for (body, basic, status, code, challenge) in cases {
        let a = post_form(&url, body, basic).await;
        assert_eq!(
            (a.status, a.json["error"].as_str()),
            (status, Some(code)),
            "{body}: {}",
            a.json
        );
        assert!(a.json["error_description"].is_string(), "{body}");
        let www = a
            .headers
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok());
        assert_eq!(
            www.is_some_and(|w| w.starts_with("Basic")),
            challenge,
            "{body}: {www:?}"
        );
        assert_eq!(
            a.headers.get("cache-control").and_then(|v| v.to_str().ok()),
            Some("no-store")
        );
    }
    // Not a form: invalid_request.
    let r = reqwest::Client::new()
        .post(&url)
        .header("Content-Type", "application/json")
        .body(r#"{"grant_type":"client_credentials"}"#)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status().as_u16(), 400);
    let v: Value = r.json().await.unwrap_or(Value::Null);
    assert_eq!(v["error"], "invalid_request");
    assert_eq!(h.provider.oauth.as_ref().map(|o| o.issued()), Some(0));
}

#[tokio::test]
async fn an_expired_token_is_401_invalid_token() {
    let clock = Clock::manual();
    let h = provider_with(Duration::from_secs(1), clock.clone()).await;
    let a = post_form(
        &token_url(&h),
        "grant_type=client_credentials",
        Some(("app-one", SECRET)),
    )
    .await;
    assert_eq!(a.json["expires_in"], 1);
    let token = a.json["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(get_users(&h, &token).await.0, 200);
    clock.advance(Duration::from_millis(1001));
    let (status, headers, body) = get_users(&h, &token).await;
    assert_eq!(status, 401);
    assert_eq!(
        headers
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok()),
        Some("Bearer realm=\"scimtest\", error=\"invalid_token\"")
    );
    assert_eq!(
        body["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:Error"
    );
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("expired")),
        "{body}"
    );
}

fn creds(url: &str, id: &str, secret: &str) -> ClientCredentials {
    ClientCredentials {
        token_url: url.to_string(),
        client_id: id.to_string(),
        client_secret: secret.to_string(),
        scope: None,
    }
}

#[tokio::test]
async fn fetch_token_parses_success_and_errors_and_leaks_nothing() {
    use wiremock::matchers::{body_string_contains, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .and(body_string_contains("client_id=good"))
        .and(body_string_contains("grant_type=client_credentials"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            r#"{"access_token":"issued-T0KEN-abc-123","token_type":"Bearer"}"#,
            "application/json",
        ))
        .named("success without expires_in")
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .and(body_string_contains("client_id=bad"))
        .respond_with(ResponseTemplate::new(401).set_body_raw(
            r#"{"error":"invalid_client","error_description":"no such client"}"#,
            "application/json",
        ))
        .named("refused")
        .mount(&server)
        .await;
    let url = format!("{}/token", server.uri());
    let redactor = Redactor::default();
    let ok = fetch_token(
        &creds(&url, "good", SECRET),
        Duration::from_secs(5),
        &redactor,
    )
    .await;
    let Ok(grant) = ok else { panic!("no token") };
    assert_eq!(grant.access_token, "issued-T0KEN-abc-123");
    assert_eq!(grant.token_type.as_deref(), Some("Bearer"));
    assert_eq!(grant.expires_in, None);
    let bad = fetch_token(
        &creds(&url, "bad", SECRET),
        Duration::from_secs(5),
        &redactor,
    )
    .await;
    let Err(e) = bad else {
        panic!("a token for a refused client")
    };
    assert_eq!(e.status, Some(401));
    assert_eq!(e.error.as_deref(), Some("invalid_client"));
    assert_eq!(e.description.as_deref(), Some("no such client"));
    assert!(e.refused_client());
    assert!(
        e.message.contains("token endpoint") && e.message.contains(&url),
        "{}",
        e.message
    );
    assert!(!e.message.contains('\n'));
    let all = serde_json::to_string(&[&grant.exchange, &e.exchange]).unwrap_or_default();
    for s in [SECRET, "issued-T0KEN-abc-123"] {
        assert!(!all.contains(s), "{s} leaked: {all}");
    }
    assert!(all.contains("client_secret=<redacted>"), "{all}");
    // A transport failure has no status.
    let gone = fetch_token(
        &creds("http://127.0.0.1:1/token", "good", SECRET),
        Duration::from_secs(2),
        &redactor,
    )
    .await;
    assert!(gone.is_err_and(|e| e.status.is_none() && e.message.contains("did not answer")));
}

fn oauth_client(h: &ProviderHandle, id: &str, secret: &str) -> (Client, Arc<TokenSource>) {
    let redactor = Redactor::default();
    let src = Arc::new(TokenSource::new(
        creds(&token_url(h), id, secret),
        Duration::from_secs(5),
        redactor.clone(),
    ));
    let cfg = TargetConfig {
        headers: Vec::new(),
        oauth: Some(src.clone()),
        ..TargetConfig::bearer(h.base_url.clone(), "")
    };
    (
        Client::new(cfg, redactor).unwrap_or_else(|e| panic!("{e}")),
        src,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_401_renews_the_token_once_and_concurrent_requests_share_one_token() {
    let clock = Clock::manual();
    let h = provider_with(Duration::from_secs(600), clock.clone()).await;
    let (client, src) = oauth_client(&h, "app-one", SECRET);
    let answers =
        futures::future::join_all((0..16).map(|_| client.send("GET", "/Users?count=1", None, &[])))
            .await;
    assert!(answers.iter().all(|r| r.status == Some(200)));
    assert_eq!(src.grants(), 1, "sixteen requests, one token request");
    assert_eq!(h.provider.oauth.as_ref().map(|o| o.issued()), Some(1));
    assert_eq!(src.last_grant_lifetime(), Some(600));
    // The provider's clock runs ahead: the token the source still deems fresh is refused once,
    // renewed, and the request succeeds.
    clock.advance(Duration::from_secs(601));
    let r = client.send("GET", "/Users?count=1", None, &[]).await;
    assert_eq!(r.status, Some(200), "{}", r.text);
    assert_eq!((src.grants(), src.refreshes()), (2, 1));
    for r in answers.iter().chain([&r]) {
        let x = serde_json::to_string(&r.exchange).unwrap_or_default();
        assert!(x.contains("Bearer <redacted>"), "{x}");
        assert!(!x.contains(SECRET));
    }
}

#[tokio::test]
async fn a_refused_client_gets_a_transport_style_answer_not_a_panic() {
    let h = provider_with(Duration::from_secs(600), Clock::system()).await;
    let (client, src) = oauth_client(&h, "app-one", "wrong-secret");
    let r = client.send("GET", "/Users", None, &[]).await;
    assert_eq!(r.status, None);
    let err = r.error.unwrap_or_default();
    assert!(
        err.contains("OAuth token endpoint") && err.contains("invalid_client"),
        "{err}"
    );
    assert_eq!(src.grants(), 0);
}

fn tmpdir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!(
        "scimtest-it-oauth-{name}-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&d).unwrap_or_else(|e| panic!("{e}"));
    d
}

/// Everything a run wrote, as one string.
fn written(dir: &std::path::Path) -> String {
    let mut all = String::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                all.push_str(&std::fs::read_to_string(&p).unwrap_or_default());
            }
        }
    }
    all
}

/// No secret, and nothing shaped like an issued token (64 hex digits) or a bearer token in
/// clear.
#[track_caller]
fn assert_no_secrets(all: &str) {
    assert!(!all.contains(SECRET), "the client secret leaked");
    let token_like = regex::Regex::new(r"[0-9a-f]{64}").unwrap_or_else(|e| panic!("{e}"));
    assert!(!token_like.is_match(all), "an access token leaked");
    // What a bearer token looks like in evidence: redacted (HTML-escaped in the HTML report).
    let clear = regex::Regex::new(r"Bearer [0-9a-zA-Z_-]{16,}").unwrap_or_else(|e| panic!("{e}"));
    assert!(!clear.is_match(all), "a bearer token in clear");
    assert!(all.contains("Bearer <redacted>") || all.contains("Bearer &lt;redacted&gt;"));
}

fn report(dir: &std::path::Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap_or_default())
        .unwrap_or(Value::Null)
}

/// `--target … --oauth-token-url … --client-id app-one --client-secret …`
fn oauth_args(h: &ProviderHandle) -> Vec<String> {
    [
        "--target",
        &h.base_url,
        "--oauth-token-url",
        &token_url(h),
        "--client-id",
        "app-one",
        "--client-secret",
        SECRET,
    ]
    .map(str::to_string)
    .to_vec()
}

async fn run_with(
    cmd: &[&str],
    h: &ProviderHandle,
    dir: &std::path::Path,
) -> scimtest::cli::CmdResult {
    let dir_s = dir.display().to_string();
    let oauth = oauth_args(h);
    let mut args: Vec<&str> = cmd.to_vec();
    args.extend(oauth.iter().map(String::as_str));
    args.extend(["--report-dir", &dir_s]);
    cli::run(&args).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_passes_with_tokens_that_expire_mid_run() {
    let h = provider_with(Duration::from_secs(1), Clock::system()).await;
    let dir = tmpdir("check");
    let outcome = run_with(&["check"], &h, &dir).await;
    assert_eq!(outcome, Ok(scimtest::cli::Verdict::Passed), "{outcome:?}");
    let issued = h.provider.oauth.as_ref().map_or(0, |o| o.issued());
    assert!(issued >= 2, "tokens were renewed mid-run ({issued} issued)");
    let r = report(&dir);
    assert_eq!(r["counts"]["fail"], 0);
    let options = r["options"].to_string();
    assert!(options.contains("--oauth-token-url"), "{options}");
    assert!(options.contains("--client-id app-one"), "{options}");
    assert_no_secrets(&written(&dir));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_passes_with_tokens_that_expire_mid_run() {
    let h = provider_with(Duration::from_secs(1), Clock::system()).await;
    let dir = tmpdir("load");
    let outcome = run_with(&["load", "--users", "2", "--run-time", "3s"], &h, &dir).await;
    assert_eq!(outcome, Ok(scimtest::cli::Verdict::Passed), "{outcome:?}");
    let issued = h.provider.oauth.as_ref().map_or(0, |o| o.issued());
    assert!(
        issued >= 3,
        "tokens were renewed during the attack ({issued} issued)"
    );
    let r = report(&dir);
    assert_eq!(r["load"]["errors"], 0, "{}", r["load"]);
    assert_no_secrets(&written(&dir));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_passes_with_oauth() {
    let h = provider_with(Duration::from_secs(1), Clock::system()).await;
    let dir = tmpdir("replay");
    let outcome = run_with(&["replay"], &h, &dir).await;
    assert_eq!(outcome, Ok(scimtest::cli::Verdict::Passed), "{outcome:?}");
    assert!(h.provider.oauth.as_ref().map_or(0, |o| o.issued()) >= 1);
    assert_no_secrets(&written(&dir));
}

#[tokio::test]
async fn a_refused_client_is_one_line_and_exit_3() {
    let h = provider_with(Duration::from_secs(60), Clock::system()).await;
    let url = token_url(&h);
    for cmd in ["check", "replay", "load"] {
        let e = error_of(
            cli::run(&[
                cmd,
                "--target",
                &h.base_url,
                "--oauth-token-url",
                &url,
                "--client-id",
                "app-one",
                "--client-secret",
                "not-the-secret",
            ])
            .await,
        );
        assert_eq!(e.exit_code(), 3, "{cmd}: {e}");
        let m = e.message();
        assert!(!m.contains('\n'), "{m}");
        assert!(
            m.contains("OAuth token endpoint") && m.contains(&url),
            "{m}"
        );
        assert!(
            m.contains("invalid_client") && m.contains("--client-id"),
            "{m}"
        );
        assert!(!m.contains("not-the-secret"), "{m}");
    }
}

#[tokio::test]
async fn missing_oauth_pieces_are_usage_errors() {
    let unset = format!("SCIMTEST_IT_UNSET_{}", uuid::Uuid::new_v4().simple());
    let cases: [&[&str]; 4] = [
        &["--oauth-token-url", "http://127.0.0.1:9/oauth/token"],
        &["--client-id", "app"],
        &[
            "--oauth-token-url",
            "http://127.0.0.1:9/oauth/token",
            "--client-id",
            "app",
            "--client-secret-env",
            &unset,
        ],
        &[
            "--oauth-token-url",
            "http://127.0.0.1:9/oauth/token",
            "--token",
            "t",
        ],
    ];
    for extra in cases {
        let mut args = vec!["check", "--target", "http://127.0.0.1:9/scim/v2"];
        args.extend(extra);
        let e = error_of(cli::run(&args).await);
        assert_eq!(e.exit_code(), 2, "{extra:?}: {e}");
        assert!(!e.message().contains('\n'), "{e}");
    }
    // `record` takes the same group for its upstream.
    let out = std::env::temp_dir().join(format!("scimtest-it-oauth-{unset}.json"));
    let e = error_of(
        cli::run(&[
            "record",
            "--upstream",
            "http://127.0.0.1:9/scim/v2",
            "--out",
            &out.display().to_string(),
            "--idp",
            "okta",
            "--oauth-token-url",
            "http://127.0.0.1:9/oauth/token",
        ])
        .await,
    );
    assert_eq!(e.exit_code(), 2, "{e}");
    assert!(e.message().contains("--client-id"), "{e}");
}

/// The binary, the secret in an environment variable: the reproduce line names the variable,
/// nothing printed or written holds the secret or a token.
#[test]
fn the_binary_reads_the_secret_from_the_environment_and_never_shows_it() {
    let rt = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
    let h = rt.block_on(provider_with(Duration::from_secs(60), Clock::system()));
    let dir = tmpdir("binary");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_scimtest"))
        .args([
            "check",
            "--only",
            "users.create.*",
            "--target",
            &h.base_url,
            "--oauth-token-url",
            &token_url(&h),
            "--client-id",
            "app-one",
            "--client-secret-env",
            "MY_IT_SECRET",
            "--report-dir",
        ])
        .arg(&dir)
        .env("MY_IT_SECRET", SECRET)
        .env_remove("SCIMTEST_TOKEN")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let printed =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{printed}");
    let options = report(&dir)["options"].to_string();
    assert!(
        options.contains("--client-secret-env MY_IT_SECRET"),
        "{options}"
    );
    assert_no_secrets(&(printed + &written(&dir)));
    drop(h);
    drop(rt);
}

/// `record` with client credentials for the upstream: the IdP's Authorization is replaced by the
/// recorder's own token on the way up, and neither token reaches the fixture.
#[tokio::test]
async fn the_recorder_forwards_its_own_token_upstream() {
    use scimtest::replay::record::{self, RecordConfig, RecordMeta};
    let h = provider_with(Duration::from_secs(600), Clock::system()).await;
    let listen = "127.0.0.1:0".parse().unwrap_or_else(|e| panic!("{e}"));
    let meta = RecordMeta::new("okta", "recorded", "user-lifecycle", &h.base_url);
    let src = Arc::new(TokenSource::new(
        creds(&token_url(&h), "app-one", SECRET),
        Duration::from_secs(5),
        Redactor::default(),
    ));
    let rec = record::spawn(RecordConfig {
        upstream_oauth: Some(src.clone()),
        ..RecordConfig::new(listen, &h.base_url, meta)
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    const IDP_TOKEN: &str = "idp-token-not-valid-upstream";
    let r = reqwest::Client::new()
        .post(format!("{}/Users", rec.base_url))
        .bearer_auth(IDP_TOKEN)
        .header("Content-Type", "application/scim+json")
        .body(r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"rec-a"}"#)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        r.status().as_u16(),
        201,
        "the upstream took the recorder's token"
    );
    assert_eq!(src.grants(), 1);
    let fx = rec.finish().await;
    let text = serde_json::to_string(&fx).unwrap_or_default();
    assert!(
        !text.contains(IDP_TOKEN) && !text.contains("Bearer"),
        "{text}"
    );
    assert_no_token_like(&text);
}

#[track_caller]
fn assert_no_token_like(all: &str) {
    let token_like = regex::Regex::new(r"[0-9a-f]{64}").unwrap_or_else(|e| panic!("{e}"));
    assert!(!token_like.is_match(all), "an access token leaked");
}
