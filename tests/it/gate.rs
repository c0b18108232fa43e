//! Verdicts you can stake a release on (issue 14): the preflight (misconfiguration is never the
//! target's failure), `--fail-on` gating, the run status and INCOMPLETE in every format, cleanup
//! read back, and `scimtest run` against a real target (announced, paced, no surprise load).
//! Each behaviour is shown against a double or a provider fault that trips it, and against a
//! target where the RFC allows what it does.

use crate::support::cli;
use scimtest::client::{Client, Namespace, Redactor, TargetConfig};
use scimtest::provider::{self, Fault, Faults, ProviderConfig, ProviderHandle, TokenSpec};
use std::path::{Path, PathBuf};
use std::process::Output;
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

const BIN: &str = env!("CARGO_BIN_EXE_scimtest");
const SPC: &str = r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],"patch":{"supported":true},"bulk":{"supported":false,"maxOperations":0,"maxPayloadSize":0},"filter":{"supported":true,"maxResults":100},"changePassword":{"supported":false},"sort":{"supported":false},"etag":{"supported":false},"authenticationSchemes":[]}"#;

fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "scimtest-it-gate-{name}-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&d).unwrap_or_else(|e| panic!("{e}"));
    d
}

async fn scimtest(args: &[&str]) -> Output {
    tokio::process::Command::new(BIN)
        .args(args)
        .env_remove("SCIMTEST_TOKEN")
        .env_remove("SCIMTEST_SECOND_TOKEN")
        .output()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn all(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), stderr(o))
}

fn json(p: &Path) -> serde_json::Value {
    let t = std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&t).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn assert_schema_valid(report: &serde_json::Value) {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../../docs/report.schema.json")).unwrap_or_default();
    let validator = jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{e}"));
    let errors: Vec<String> = validator
        .iter_errors(report)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .take(5)
        .collect();
    assert!(
        errors.is_empty(),
        "report.json breaks the schema: {errors:?}"
    );
}

async fn provider_with(faults: &[Fault]) -> ProviderHandle {
    provider::spawn(ProviderConfig {
        hooks: Faults::new(faults.iter().copied()).hooks(),
        ..ProviderConfig::default()
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"))
}

async fn two_tenant_provider() -> ProviderHandle {
    provider::spawn(ProviderConfig {
        tokens: ["good", "second"]
            .iter()
            .map(|t| TokenSpec {
                token: (*t).to_string(),
                me: None,
            })
            .collect(),
        ..ProviderConfig::default()
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"))
}

/// The lines of stderr that are errors.
fn error_lines(o: &Output) -> Vec<String> {
    stderr(o)
        .lines()
        .filter(|l| l.starts_with("error"))
        .map(str::to_string)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Preflight
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_token_is_exit_3_naming_token_with_no_report_and_no_certificate() {
    let h = two_tenant_provider().await;
    for command in ["check", "replay", "load", "run"] {
        let dir = tmpdir("wrong-token");
        let cert = dir.join("cert.html");
        let dir_s = dir.display().to_string();
        let cert_s = cert.display().to_string();
        let mut args = vec![
            command,
            "--target",
            &h.base_url,
            "--token",
            "not-the-token",
            "--report-dir",
            &dir_s,
        ];
        if command != "run" {
            args.extend(["--report-cert", &cert_s]);
        }
        let e = cli::run(&args)
            .await
            .err()
            .unwrap_or_else(|| panic!("{command}: no error"));
        assert_eq!(e.exit_code(), 3, "{command}: {e}");
        let shown = e.render().unwrap_or_default();
        assert_eq!(shown.lines().count(), 1, "{command}: one line: {shown}");
        assert!(
            shown.starts_with("error: credentials rejected") && shown.contains("--token"),
            "{command}: {shown}"
        );
        assert!(!shown.contains("not-the-token"), "the token leaked");
        assert!(!dir.join("report.json").exists(), "{command}: no verdicts");
        assert!(!dir.join("index.json").exists(), "{command}: no index");
        assert!(!cert.exists(), "{command}: no certificate");
    }
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_second_token_is_exit_3_naming_second_token() {
    let h = two_tenant_provider().await;
    let dir = tmpdir("second-token");
    let dir_s = dir.display().to_string();
    let args = |second: &'static str| {
        vec![
            "check",
            "--target",
            h.base_url.as_str(),
            "--token",
            "good",
            "--second-token",
            second,
            "--only",
            "users.create.status-201",
            "--report-dir",
            dir_s.as_str(),
        ]
    };
    let e = cli::run(&args("wrong"))
        .await
        .err()
        .unwrap_or_else(|| panic!("a wrong second token ran"));
    assert_eq!(e.exit_code(), 3, "{e}");
    assert!(e.message().contains("check --second-token"), "{e}");
    // The same run with the right second token runs.
    let outcome = cli::run(&args("second")).await;
    assert_eq!(outcome, Ok(scimtest::cli::Verdict::Passed));
    h.shutdown().await;
}

/// A double that serves a ServiceProviderConfig only under `/scim/v2`, an HTML page under
/// `/portal`, non-SCIM JSON under `/health`, and 404 elsewhere.
async fn misplaced_double() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/scim/v2/ServiceProviderConfig"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(SPC, "application/scim+json"))
        .named("the real SPC")
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/portal/ServiceProviderConfig"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            "<!doctype html><html><body>Sign in</body></html>",
            "text/html",
        ))
        .named("an HTML page")
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/health/ServiceProviderConfig"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(r#"{"status":"ok"}"#, "application/json"),
        )
        .named("JSON that is not SCIM")
        .mount(&server)
        .await;
    server
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_url_that_is_not_a_scim_base_is_exit_3_with_a_did_you_mean() {
    let server = misplaced_double().await;
    let uri = server.uri();
    for (base, got) in [
        (format!("{uri}/api"), "answered 404"),
        (format!("{uri}/portal"), "HTML page"),
        (format!("{uri}/health"), "not a ServiceProviderConfig"),
        (uri.clone(), "answered 404"),
    ] {
        for command in ["check", "replay", "load", "run"] {
            let dir = tmpdir("not-scim");
            let err = cli::run(&[
                command,
                "--target",
                &base,
                "--token",
                "t",
                "--report-dir",
                &dir.display().to_string(),
            ])
            .await
            .err()
            .unwrap_or_else(|| panic!("{command} {base}: ran"));
            assert_eq!(err.exit_code(), 3, "{command} {base}: {err}");
            let shown = err.render().unwrap_or_default();
            assert_eq!(shown.lines().count(), 1, "{command} {base}: {shown}");
            let e = &shown;
            assert!(e.contains("not a SCIM base URL"), "{e}");
            assert!(e.contains(got), "{base}: {e}");
            assert!(
                e.contains(&format!("did you mean --target {uri}/scim/v2 ")),
                "{base}: {e}"
            );
            assert!(!dir.join("report.json").exists());
            assert!(!dir.join("check").exists(), "run started a part");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spc_served_without_auth_but_401_elsewhere_is_credentials_rejected() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/scim/v2/ServiceProviderConfig"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(SPC, "application/scim+json"))
        .named("SPC without auth")
        .mount(&server)
        .await;
    Mock::given(path_regex("^/scim/v2/(Users|Groups|ResourceTypes|Schemas)"))
        .respond_with(ResponseTemplate::new(401).set_body_raw(
            r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"401","detail":"bad token"}"#,
            "application/scim+json",
        ))
        .named("401 for everything that needs auth")
        .mount(&server)
        .await;
    let dir = tmpdir("spc-open");
    let o = scimtest(&[
        "check",
        "--target",
        &format!("{}/scim/v2", server.uri()),
        "--token",
        "t",
        "--report-dir",
        &dir.display().to_string(),
    ])
    .await;
    assert_eq!(o.status.code(), Some(3), "{}", all(&o));
    let errors = error_lines(&o);
    assert_eq!(errors.len(), 1, "{}", all(&o));
    assert!(
        errors[0].contains("credentials rejected")
            && errors[0].contains("Users?count=1 answered 401")
            && errors[0].contains("--token/--header"),
        "{}",
        errors[0]
    );
    assert!(!dir.join("report.json").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sloppy_but_real_scim_server_passes_the_preflight() {
    // No `schemas`, plain application/json, but a `patch` object: a SCIM server in the wild.
    // Its checks are judged (exit 1 here: the double answers little else), never refused.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/scim/ServiceProviderConfig"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            r#"{"patch":{"supported":true},"filter":{"supported":false}}"#,
            "application/json",
        ))
        .named("a sloppy SPC")
        .mount(&server)
        .await;
    let dir = tmpdir("sloppy");
    let o = scimtest(&[
        "check",
        "--target",
        &format!("{}/scim", server.uri()),
        "--only",
        "discovery.*",
        "--report-dir",
        &dir.display().to_string(),
    ])
    .await;
    assert_ne!(o.status.code(), Some(3), "{}", all(&o));
    assert!(!stderr(&o).contains("not a SCIM base URL"), "{}", all(&o));
    assert!(dir.join("report.json").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_that_is_not_a_url_is_a_usage_error() {
    for command in ["check", "replay", "load", "run"] {
        for bad in ["notaurl", "ftp://example.com/scim", "/scim/v2"] {
            let o = scimtest(&[command, "--target", bad]).await;
            assert_eq!(o.status.code(), Some(2), "{command} {bad}: {}", all(&o));
            assert!(stderr(&o).contains("--target"), "{}", all(&o));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Gating
// ---------------------------------------------------------------------------------------------

async fn check_one(
    h: &ProviderHandle,
    only: &str,
    extra: &[&str],
) -> (Option<i32>, serde_json::Value, String) {
    let dir = tmpdir("gate");
    let mut args = vec![
        "check",
        "--target",
        &h.base_url,
        "--token",
        &h.token,
        "--only",
        only,
    ];
    args.extend_from_slice(extra);
    let d = dir.display().to_string();
    args.extend_from_slice(&["--report-dir", &d]);
    let o = scimtest(&args).await;
    let r = json(&dir.join("report.json"));
    (o.status.code(), r, all(&o))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_on_gates_dialect_by_default_and_should_only_when_asked() {
    // A dialect failure (Entra's capitalised PATCH ops refused): replay would say "would
    // break", so `check` must not exit 0 by default.
    let entra_broken = provider_with(&[Fault::PatchOpCaseSensitive]).await;
    let dialect = "patch.dialect.op-case-insensitive";
    let (code, r, out) = check_one(&entra_broken, dialect, &[]).await;
    assert_eq!(code, Some(1), "{out}");
    assert_eq!(r["gating"], serde_json::json!(["must", "dialect"]));
    assert_eq!(r["exit_code"], 1);
    assert_eq!(r["status"], "complete");
    assert!(out.contains("gating: MUST, dialect"), "{out}");
    assert_schema_valid(&r);
    let (code, r, out) = check_one(&entra_broken, dialect, &["--fail-on", "must"]).await;
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(r["gating"], serde_json::json!(["must"]));
    assert!(out.contains("gating: MUST "), "{out}");
    // The same check passes where the target accepts what Entra sends.
    let clean = provider_with(&[]).await;
    let (code, _, out) = check_one(&clean, dialect, &[]).await;
    assert_eq!(code, Some(0), "{out}");

    // A SHOULD failure gates only with --strict or --fail-on should.
    let should_broken = provider_with(&[Fault::DiscoveryFilterAllowed]).await;
    let should = "discovery.filter-403";
    let (code, r, out) = check_one(&should_broken, should, &[]).await;
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(r["checks"][0]["level"], "should", "{out}");
    assert_eq!(r["checks"][0]["outcome"], "fail", "{out}");
    let (code, r, out) = check_one(&should_broken, should, &["--strict"]).await;
    assert_eq!(code, Some(1), "{out}");
    assert_eq!(
        r["gating"],
        serde_json::json!(["must", "should", "dialect"])
    );
    let (code, _, out) = check_one(&should_broken, should, &["--fail-on", "must,should"]).await;
    assert_eq!(code, Some(1), "{out}");
    let (code, _, out) = check_one(&should_broken, should, &["--fail-on", "advice"]).await;
    assert_eq!(code, Some(0), "{out}");

    // Interoperability advice never gates by default, only when named.
    let advice_broken = provider_with(&[Fault::GroupPostIgnoresMembers]).await;
    let advice = "groups.create.members-stored";
    let (code, r, out) = check_one(&advice_broken, advice, &[]).await;
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(r["checks"][0]["level"], "advice", "{out}");
    assert_eq!(r["checks"][0]["outcome"], "fail", "{out}");
    let (code, r, out) = check_one(&advice_broken, advice, &["--fail-on", "must,advice"]).await;
    assert_eq!(code, Some(1), "{out}");
    assert_eq!(r["gating"], serde_json::json!(["must", "advice"]));
    let o = scimtest(&["check", "--fail-on", "nope", "--list"]).await;
    assert_eq!(o.status.code(), Some(2), "{}", all(&o));
    for h in [entra_broken, clean, should_broken, advice_broken] {
        h.shutdown().await;
    }
}

// ---------------------------------------------------------------------------------------------
// Status: INCOMPLETE in every format
// ---------------------------------------------------------------------------------------------

async fn render(check: &Path, replay: &Path, out: &Path) {
    let o = scimtest(&[
        "report",
        "render",
        &check.join("report.json").display().to_string(),
        &replay.join("report.json").display().to_string(),
        "--html",
        &out.display().to_string(),
        "--cert",
        &out.join("cert.html").display().to_string(),
        "--cert",
        &out.join("cert.md").display().to_string(),
    ])
    .await;
    assert_eq!(o.status.code(), Some(0), "{}", all(&o));
}

fn mark(p: &Path, status: &str) {
    let mut r = json(p);
    r["status"] = serde_json::json!(status);
    r["exit_code"] = serde_json::json!(3);
    std::fs::write(p, serde_json::to_string_pretty(&r).unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_run_is_incomplete_in_markdown_html_and_the_certificate() {
    let dir = tmpdir("status");
    let check = dir.join("check");
    let replay = dir.join("replay");
    let o = scimtest(&[
        "check",
        "--only",
        "users.create.*",
        "--report-dir",
        &check.display().to_string(),
    ])
    .await;
    assert_eq!(o.status.code(), Some(0), "{}", all(&o));
    let o = scimtest(&[
        "replay",
        "--idp",
        "okta",
        "--profile",
        "oin",
        "--flow",
        "connection",
        "--report-dir",
        &replay.display().to_string(),
    ])
    .await;
    assert_eq!(o.status.code(), Some(0), "{}", all(&o));
    let r = json(&check.join("report.json"));
    assert_eq!(r["status"], "complete");
    assert_eq!(r["exit_code"], 0);
    assert_schema_valid(&r);

    // The complete runs make their claims ...
    let out = dir.join("complete");
    render(&check, &replay, &out).await;
    let cert = std::fs::read_to_string(out.join("cert.md")).unwrap_or_default();
    assert!(cert.contains("would provision from all 1"), "{cert}");
    assert!(!cert.contains("INCOMPLETE"), "{cert}");
    assert!(
        cert.contains("Okta — Okta Integration Network app"),
        "product names: {cert}"
    );

    // ... the same runs marked interrupted make none.
    mark(&dir.join("check/report.json"), "interrupted");
    mark(&dir.join("replay/report.json"), "interrupted");
    let out = dir.join("interrupted");
    render(&check, &replay, &out).await;
    for f in ["cert.md", "cert.html", "index.html"] {
        let text = std::fs::read_to_string(out.join(f)).unwrap_or_default();
        assert!(text.contains("INCOMPLETE"), "{f}: {text}");
        assert!(!text.contains("would provision from"), "{f} claims: {text}");
        assert!(!text.contains("✔ would provision"), "{f} claims: {text}");
    }
    let o = scimtest(&[
        "report",
        "render",
        &dir.join("check/report.json").display().to_string(),
        "--md",
        &out.join("report.md").display().to_string(),
        "--junit",
        &out.join("junit.xml").display().to_string(),
    ])
    .await;
    assert_eq!(o.status.code(), Some(0), "{}", all(&o));
    let md = std::fs::read_to_string(out.join("report.md")).unwrap_or_default();
    assert!(md.contains("INCOMPLETE"), "{md}");
    assert!(!md.starts_with("## ✅"), "{md}");
    let junit = std::fs::read_to_string(out.join("junit.xml")).unwrap_or_default();
    assert!(junit.contains("INCOMPLETE: interrupted"), "{junit}");
}

// ---------------------------------------------------------------------------------------------
// Cleanup is read back
// ---------------------------------------------------------------------------------------------

fn client(base: &str) -> Client {
    Client::new(
        TargetConfig::bearer(base.to_string(), "t"),
        Redactor::new(vec!["t".to_string()], Vec::<String>::new()),
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_soft_delete_is_a_leftover_with_its_id_never_removed() {
    let server = MockServer::start().await;
    let user = |id: &str| {
        serde_json::json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": id,
            "userName": format!("scimtest-r1-{id}")})
    };
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(204))
        .named("DELETE answers 204")
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/scim/v2/Users/soft"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(user("soft").to_string(), "application/scim+json"),
        )
        .named("still readable after DELETE")
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/scim/v2/Users"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            serde_json::json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
                "totalResults": 2, "Resources": [user("soft"), user("listed")]})
            .to_string(),
            "application/scim+json",
        ))
        .named("the list still shows both")
        .mount(&server)
        .await;
    // Anything else (GET /Users/listed) is wiremock's 404: gone by id, but still listed.
    let base = format!("{}/scim/v2", server.uri());
    let c = client(&base);
    let ns = Namespace::with_run_id("r1");
    ns.track(&format!("{base}/Users/soft"));
    let mut report = ns.cleanup(&c, 1).await;
    assert_eq!(report.created, 1);
    assert_eq!(report.removed, 0, "{report:?}");
    assert_eq!(report.leftovers.len(), 1, "{report:?}");
    assert!(
        report.leftovers[0].contains("(id soft)")
            && report.leftovers[0].contains("still readable after DELETE answered 204"),
        "{report:?}"
    );
    ns.sweep(&c, &[("/Users".to_string(), "userName")], &mut report)
        .await;
    assert_eq!(report.created, 2, "the sweep found one more: {report:?}");
    assert_eq!(report.removed, 0, "{report:?}");
    assert_eq!(report.leftovers.len(), 2, "each id once: {report:?}");
    assert!(
        report.leftovers[1].contains("(id listed)") && report.leftovers[1].contains("still listed"),
        "{report:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_delete_gets_a_second_chance_from_the_sweep() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(1)
        .with_priority(1)
        .named("the first DELETE fails")
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(204))
        .named("the second goes through")
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/scim/v2/Users"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            serde_json::json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
                "totalResults": 1, "Resources": [{"id": "u1", "userName": "scimtest-r3-a"}]})
            .to_string(),
            "application/scim+json",
        ))
        .up_to_n_times(1)
        .named("listed once, before the second DELETE")
        .mount(&server)
        .await;
    // GET /Users/u1 and the second listing: wiremock's 404 (gone).
    let base = format!("{}/scim/v2", server.uri());
    let c = client(&base);
    let ns = Namespace::with_run_id("r3");
    ns.track(&format!("{base}/Users/u1"));
    let mut report = ns.cleanup(&c, 1).await;
    assert_eq!(report.leftovers.len(), 1, "{report:?}");
    assert!(
        report.leftovers[0].contains("DELETE answered 500"),
        "{report:?}"
    );
    ns.sweep(&c, &[("/Users".to_string(), "userName")], &mut report)
        .await;
    assert_eq!((report.created, report.removed), (1, 1), "{report:?}");
    assert!(report.leftovers.is_empty(), "{report:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_delete_is_read_back_as_removed() {
    let h = provider_with(&[]).await;
    let c = Client::new(
        TargetConfig::bearer(h.base_url.clone(), &h.token),
        Redactor::new(vec![h.token.clone()], Vec::<String>::new()),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let ns = Namespace::with_run_id("r2");
    let body = serde_json::json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": ns.name("alice")});
    let r = c
        .send(
            "POST",
            "/Users",
            Some(scimtest::client::http::Body::Json(&body)),
            &[],
        )
        .await;
    assert_eq!(r.status, Some(201), "{}", r.text);
    let id = r.body()["id"].as_str().unwrap_or_default().to_string();
    ns.track(&format!("/Users/{id}"));
    let mut report = ns.cleanup(&c, 1).await;
    ns.sweep(&c, &[("/Users".to_string(), "userName")], &mut report)
        .await;
    assert_eq!((report.created, report.removed), (1, 1), "{report:?}");
    assert!(report.leftovers.is_empty(), "{report:?}");
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_against_ignored_deletes_reports_leftovers_with_ids() {
    let h = provider_with(&[Fault::DeleteIgnored]).await;
    let (_, r, out) = check_one(&h, "users.create.status-201", &[]).await;
    let left = r["cleanup"]["leftovers"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(!left.is_empty(), "{out}");
    assert!(
        left.iter().all(|l| l
            .as_str()
            .is_some_and(|l| l.contains("(id ") && l.contains("still readable"))),
        "{left:?}"
    );
    assert!(out.contains("left over"), "{out}");
    h.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// `scimtest run`: scenario first, and safe on real targets
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_with_an_unknown_scenario_exits_2_before_anything_runs() {
    for flag in ["--scenario", "--load"] {
        let dir = tmpdir("run-nope");
        let o = scimtest(&[
            "run",
            flag,
            "nope",
            "--report-dir",
            &dir.display().to_string(),
        ])
        .await;
        assert_eq!(o.status.code(), Some(2), "{}", all(&o));
        assert!(
            stderr(&o).contains("no shipped scenario named \"nope\""),
            "{}",
            all(&o)
        );
        assert!(!all(&o).contains("== scimtest check"), "{}", all(&o));
        assert!(!dir.join("check").exists() && !dir.join("index.json").exists());
    }
}

fn sha256_hex(p: &Path) -> String {
    use sha2::Digest;
    let bytes = std::fs::read(p).unwrap_or_else(|e| panic!("{e}"));
    sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_against_a_real_target_announces_what_it_creates_and_loads_only_gently() {
    let h = two_tenant_provider().await;
    let dir = tmpdir("run-real");
    let o = scimtest(&[
        "run",
        "--target",
        &h.base_url,
        "--token",
        "good",
        "--report-dir",
        &dir.display().to_string(),
    ])
    .await;
    let err = stderr(&o);
    let announced = err.find("will create test data on").unwrap_or(usize::MAX);
    let started = err.find("== scimtest check").unwrap_or(0);
    assert!(announced < started, "announce before the run: {}", all(&o));
    // Lines are wrapped at 100 columns: compare the words.
    let words = err.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("scenario gentle") && words.contains("paced at 5 req/s"),
        "{err}"
    );
    let load = json(&dir.join("load/report.json"));
    assert_eq!(load["load"]["scenario"], "gentle", "{}", all(&o));
    let rps = load["load"]["rps"].as_f64().unwrap_or(f64::MAX);
    assert!(rps <= 6.0, "the load is paced: {rps} req/s");
    assert_eq!(o.status.code(), Some(0), "{}", all(&o));

    // The certificate: not-tested isolation checks, product names, the full reproduce line, and
    // the hash of each report.json.
    let cert = std::fs::read_to_string(dir.join("certificate.md")).unwrap_or_default();
    assert!(
        cert.contains("not tested (needs a second tenant's token)"),
        "{cert}"
    );
    assert!(cert.contains("Microsoft Entra ID — "), "{cert}");
    assert!(
        cert.contains(&format!(
            "scimtest run --target {} --token \"$TOKEN\" --load gentle",
            h.base_url
        )),
        "{cert}"
    );
    for part in ["check", "replay", "load"] {
        let sha = sha256_hex(&dir.join(part).join("report.json"));
        assert!(
            cert.contains(&sha),
            "{part}'s report.json hash missing: {cert}"
        );
    }
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_with_an_explicit_load_says_so_and_no_load_skips_it() {
    let h = two_tenant_provider().await;
    let dir = tmpdir("run-no-load");
    let o = scimtest(&[
        "run",
        "--target",
        &h.base_url,
        "--token",
        "good",
        "--no-load",
        "--report-dir",
        &dir.display().to_string(),
    ])
    .await;
    assert!(
        stderr(&o).contains("load    skipped (--no-load)"),
        "{}",
        all(&o)
    );
    assert!(!dir.join("load").exists(), "{}", all(&o));
    assert_eq!(o.status.code(), Some(0), "{}", all(&o));
    h.shutdown().await;
}
