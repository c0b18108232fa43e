//! `--report-har FILE`: the exchanges of a run as HAR 1.2, validated against a JSON Schema of
//! the HAR 1.2 objects (`tests/fixtures/har-1.2.schema.json`) plus the rules a schema cannot say
//! (every `pageref` names a page, `time` is the sum of the timings that are not -1, entries are
//! in time order), for a clean check, a check with a provider fault, targets that hang and that
//! answer garbage, `scimtest run`, `load` and `report render --har`; a known token and a known
//! `--header` value never appear in it.

use crate::support::Env;
use crate::support::cli;
use scimtest::provider::{Fault, Faults, ProviderConfig};
use serde_json::Value;
use std::path::{Path, PathBuf};

const TOKEN: &str = "har-token-0e6c2f4b91";
const HEADER: &str = "har-header-secret-7d13a0";

fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "scimtest-it-har-{name}-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&d).unwrap_or_else(|e| panic!("{e}"));
    d
}

async fn provider(faults: &[Fault]) -> Env {
    Env::with(ProviderConfig {
        tokens: vec![TOKEN.parse().unwrap_or_else(|e| panic!("{e}"))],
        hooks: Faults::new(faults.iter().copied()).hooks(),
        ..ProviderConfig::default()
    })
    .await
}

/// Read `path`, check it against the HAR 1.2 schema and the cross-field rules, and return it.
#[track_caller]
fn valid_har(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let har: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    let schema: Value =
        serde_json::from_str(include_str!("../fixtures/har-1.2.schema.json")).unwrap_or_default();
    let validator = jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{e}"));
    let errors: Vec<String> = validator
        .iter_errors(&har)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .take(5)
        .collect();
    assert!(
        errors.is_empty(),
        "{} is not HAR 1.2: {errors:#?}",
        path.display()
    );
    assert_eq!(har["log"]["version"], "1.2");
    assert_eq!(har["log"]["creator"]["name"], "scimtest");
    let pages: std::collections::BTreeSet<&str> = har["log"]["pages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["id"].as_str())
        .collect();
    let mut last = String::new();
    for e in har["log"]["entries"].as_array().into_iter().flatten() {
        let pageref = e["pageref"].as_str().unwrap_or_default();
        assert!(pages.contains(pageref), "pageref {pageref:?} names no page");
        let sum: f64 = ["blocked", "dns", "connect", "send", "wait", "receive"]
            .iter()
            .filter_map(|k| e["timings"][k].as_f64())
            .filter(|t| *t != -1.0)
            .sum();
        let time = e["time"].as_f64().unwrap_or(-1.0);
        assert!((time - sum).abs() < 1e-6, "time {time} != timings {sum}");
        let at = e["startedDateTime"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(at >= last, "entries out of order: {at} after {last}");
        last = at;
    }
    har
}

fn entries(har: &Value) -> Vec<Value> {
    har["log"]["entries"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn page_ids(har: &Value) -> Vec<String> {
    har["log"]["pages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["id"].as_str().map(String::from))
        .collect()
}

/// No secret in the file; the redaction marker is there (so secrets were sent and replaced).
#[track_caller]
fn assert_no_secret(path: &Path) {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    for s in [TOKEN, HEADER] {
        assert!(!text.contains(s), "{} contains {s:?}", path.display());
    }
    assert!(
        text.contains("Bearer <redacted>"),
        "no redacted Authorization"
    );
    let har: Value = serde_json::from_str(&text).unwrap_or_default();
    let api_keys: Vec<Value> = entries(&har)
        .iter()
        .flat_map(|e| {
            e["request"]["headers"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .filter(|h| h["name"] == "X-Api-Key")
        .map(|h| h["value"].clone())
        .collect();
    assert!(!api_keys.is_empty(), "the --header was not sent");
    assert!(api_keys.iter().all(|v| v == "<redacted>"), "{api_keys:?}");
}

fn target_args(env: &Env) -> Vec<String> {
    [
        "--target",
        &env.handle.base_url,
        "--token",
        TOKEN,
        "--header",
        &format!("X-Api-Key: {HEADER}"),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

async fn run(args: &[String]) -> scimtest::cli::CmdResult {
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    cli::run(&refs).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clean_check_writes_a_valid_har_without_secrets() {
    let env = provider(&[]).await;
    let dir = tmpdir("clean");
    let har_path = dir.join("out/run.har");
    let mut a = vec!["check".to_string()];
    a.extend(target_args(&env));
    a.extend([
        "--report-dir".into(),
        dir.join("reports").display().to_string(),
        "--report-har".into(),
        har_path.display().to_string(),
    ]);
    let outcome = run(&a).await;
    assert_eq!(outcome, Ok(scimtest::cli::Verdict::Passed), "{outcome:?}");
    let har = valid_har(&har_path);
    assert_no_secret(&har_path);
    // Every exchange of report.json is in the HAR, one page per check that has evidence.
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("reports/report.json")).unwrap_or_default(),
    )
    .unwrap_or_default();
    let checks = report["checks"].as_array().cloned().unwrap_or_default();
    let with_evidence: Vec<&str> = checks
        .iter()
        .filter(|c| c["evidence"].as_array().is_some_and(|e| !e.is_empty()))
        .filter_map(|c| c["id"].as_str())
        .collect();
    let exchanges: usize = checks
        .iter()
        .map(|c| c["evidence"].as_array().map_or(0, Vec::len))
        .sum();
    assert!(exchanges > 50, "{exchanges} exchanges");
    assert_eq!(entries(&har).len(), exchanges);
    assert_eq!(page_ids(&har), with_evidence);
    // A request with a body carries it as postData; an answer carries its status and body.
    let post = entries(&har)
        .into_iter()
        .find(|e| e["request"]["method"] == "POST" && e["response"]["status"] == 201)
        .unwrap_or_else(|| panic!("no POST answered 201"));
    assert_eq!(
        post["request"]["postData"]["mimeType"],
        "application/scim+json"
    );
    assert!(
        post["response"]["content"]["text"]
            .as_str()
            .is_some_and(|t| t.contains("\"id\""))
    );
    assert_eq!(post["response"]["statusText"], "Created");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_check_has_its_page_with_its_exchanges_and_render_writes_the_same_har() {
    let env = provider(&[Fault::Create200]).await;
    let dir = tmpdir("fault");
    let har_path = dir.join("run.har");
    let mut a = vec!["check".to_string()];
    a.extend(target_args(&env));
    a.extend([
        "--only".into(),
        "users.create.*".into(),
        "--report-dir".into(),
        dir.join("reports").display().to_string(),
        "--report-har".into(),
        har_path.display().to_string(),
    ]);
    let outcome = run(&a).await;
    assert_eq!(outcome, Ok(scimtest::cli::Verdict::Failed), "{outcome:?}");
    let har = valid_har(&har_path);
    assert_no_secret(&har_path);
    let page = har["log"]["pages"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["id"] == "users.create.status-201")
        .cloned()
        .unwrap_or_else(|| panic!("no page for the failing check: {:?}", page_ids(&har)));
    assert!(
        page["title"].as_str().is_some_and(|t| t.ends_with("FAIL")),
        "{page}"
    );
    let mine: Vec<Value> = entries(&har)
        .into_iter()
        .filter(|e| e["pageref"] == "users.create.status-201")
        .collect();
    assert!(!mine.is_empty());
    assert!(
        mine.iter()
            .any(|e| e["request"]["method"] == "POST" && e["response"]["status"] == 200),
        "the 200 that fails the check is there"
    );
    assert!(mine.iter().all(|e| {
        e["comment"]
            .as_str()
            .is_some_and(|c| c.starts_with("users.create.status-201 (must): FAIL"))
    }));

    // `report render --har` on the saved report writes the same log.
    let rendered = dir.join("rendered/again.har");
    let outcome = cli::run(&[
        "report",
        "render",
        &dir.join("reports/report.json").display().to_string(),
        "--har",
        &rendered.display().to_string(),
    ])
    .await;
    assert_eq!(outcome, Ok(scimtest::cli::Verdict::Passed), "{outcome:?}");
    assert_eq!(valid_har(&rendered), har);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_that_hangs_gives_entries_with_status_0_and_the_error() {
    use wiremock::matchers::{any, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    Mock::given(path("/scim/v2/ServiceProviderConfig"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig\"]}",
            "application/scim+json",
        ))
        .with_priority(1)
        .named("discovery answers")
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_delay(std::time::Duration::from_secs(120)))
        .named("everything else hangs")
        .mount(&server)
        .await;
    let dir = tmpdir("hang");
    let har_path = dir.join("run.har");
    let outcome = cli::run(&[
        "check",
        "--target",
        &format!("{}/scim/v2", server.uri()),
        "--token",
        TOKEN,
        "--only",
        "users.get.*",
        "--timeout",
        "1s",
        "--report-dir",
        &dir.join("reports").display().to_string(),
        "--report-har",
        &har_path.display().to_string(),
    ])
    .await;
    assert_eq!(cli::code(&outcome), 1, "{outcome:?}");
    let har = valid_har(&har_path);
    let unanswered: Vec<Value> = entries(&har)
        .into_iter()
        .filter(|e| e["response"]["status"] == 0)
        .collect();
    assert!(!unanswered.is_empty(), "no unanswered exchange: {har}");
    for e in &unanswered {
        assert!(
            e["response"]["_error"]
                .as_str()
                .is_some_and(|m| m.contains("timed out")),
            "{e}"
        );
        assert_eq!(e["response"]["bodySize"], -1);
    }
    assert!(
        !std::fs::read_to_string(&har_path)
            .unwrap_or_default()
            .contains(TOKEN)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_answering_garbage_keeps_the_garbage_as_content() {
    use wiremock::matchers::{any, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    Mock::given(path("/scim/v2/ServiceProviderConfig"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],"patch":{"supported":true},"filter":{"supported":true,"maxResults":100}}"#,
            "application/scim+json",
        ))
        .with_priority(1)
        .named("a sane ServiceProviderConfig")
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_raw("<html>not json", "text/html"))
        .named("garbage everywhere else")
        .mount(&server)
        .await;
    let dir = tmpdir("garbage");
    let har_path = dir.join("run.har");
    let outcome = cli::run(&[
        "check",
        "--target",
        &format!("{}/scim/v2", server.uri()),
        "--token",
        TOKEN,
        "--only",
        "users.*",
        "--report-dir",
        &dir.join("reports").display().to_string(),
        "--report-har",
        &har_path.display().to_string(),
    ])
    .await;
    assert_eq!(cli::code(&outcome), 1, "{outcome:?}");
    let har = valid_har(&har_path);
    let garbage = entries(&har)
        .into_iter()
        .find(|e| e["response"]["content"]["text"] == "<html>not json")
        .unwrap_or_else(|| panic!("no garbage answer kept"));
    assert_eq!(garbage["response"]["content"]["mimeType"], "text/html");
    assert_eq!(garbage["response"]["content"]["size"], 14);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scimtest_run_writes_one_har_with_every_part() {
    let env = provider(&[]).await;
    let dir = tmpdir("run");
    let har_path = dir.join("all.har");
    let mut a = vec!["run".to_string()];
    a.extend(target_args(&env));
    a.extend([
        "--no-load".into(),
        "--report-dir".into(),
        dir.join("reports").display().to_string(),
        "--report-har".into(),
        har_path.display().to_string(),
    ]);
    let outcome = run(&a).await;
    assert_eq!(outcome, Ok(scimtest::cli::Verdict::Passed), "{outcome:?}");
    let har = valid_har(&har_path);
    assert_no_secret(&har_path);
    let ids = page_ids(&har);
    assert!(ids.iter().any(|p| p.starts_with("check/")), "{ids:?}");
    assert!(
        ids.iter().any(|p| p.starts_with("replay/replay.")),
        "{ids:?}"
    );
    // Rendering the run directory gives the same log.
    let rendered = dir.join("again.har");
    let outcome = cli::run(&[
        "report",
        "render",
        &dir.join("reports").display().to_string(),
        "--har",
        &rendered.display().to_string(),
    ])
    .await;
    assert_eq!(outcome, Ok(scimtest::cli::Verdict::Passed), "{outcome:?}");
    assert_eq!(valid_har(&rendered), har);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_har_path_fails_before_the_run() {
    let dir = tmpdir("bad-path");
    let blocker = dir.join("file");
    std::fs::write(&blocker, "x").unwrap_or_else(|e| panic!("{e}"));
    let started = std::time::Instant::now();
    let outcome = cli::run(&[
        "check",
        "--report-dir",
        &dir.join("reports").display().to_string(),
        "--report-har",
        &blocker.join("run.har").display().to_string(),
    ])
    .await;
    assert_eq!(cli::code(&outcome), 3, "{outcome:?}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

/// One second of creates and reads (the correctness checks run alongside and keep evidence).
const SCENARIO: &str = r#"
name = "har"
description = "One second of creates and reads."
modelled_on = "scenarios/smoke.toml"
[run]
users = 2
ramp = "0s"
duration = "1s"
timeout = "5s"
pacing = "max"
[data]
users = 3
groups = 1
members_per_group = 2
[[operation]]
name = "create-user"
weight = 1
[[operation]]
name = "get-user"
weight = 1
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_writes_its_correctness_exchanges_as_har() {
    let env = provider(&[]).await;
    let dir = tmpdir("load");
    let scenario = dir.join("har.toml");
    std::fs::write(&scenario, SCENARIO).unwrap_or_else(|e| panic!("{e}"));
    let har_path = dir.join("load.har");
    let mut a = vec![
        "load".to_string(),
        "--scenario".into(),
        scenario.display().to_string(),
    ];
    a.extend(target_args(&env));
    a.extend([
        "--report-dir".into(),
        dir.join("reports").display().to_string(),
        "--report-har".into(),
        har_path.display().to_string(),
    ]);
    let outcome = run(&a).await;
    assert_eq!(outcome, Ok(scimtest::cli::Verdict::Passed), "{outcome:?}");
    let har = valid_har(&har_path);
    assert_no_secret(&har_path);
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("reports/report.json")).unwrap_or_default(),
    )
    .unwrap_or_default();
    let exchanges: usize = report["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| c["evidence"].as_array().map_or(0, Vec::len))
        .sum();
    assert!(exchanges > 0, "the load run kept no exchange");
    assert_eq!(entries(&har).len(), exchanges);
}
