//! `scimtest check` end to end: in process (parsed by clap, run by the library) against the
//! embedded provider, usage errors, unreachable and hostile targets, reports; the real binary for
//! what it prints (summary, `--list`, secrets in its output) and for Ctrl-C.

use crate::support::cli::{self, error_of};
use clap::Parser as _;
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_scimtest"))
}

fn tmpdir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!(
        "scimtest-it-{name}-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&d).unwrap_or_else(|e| panic!("{e}"));
    d
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_against_the_embedded_provider_passes_and_writes_every_report() {
    let dir = tmpdir("embedded");
    let outcome = cli::run(&["check", "--report-dir", &dir.display().to_string()]).await;
    assert_eq!(outcome, Ok(scimtest::cli::Verdict::Passed), "{outcome:?}");
    for f in ["report.json", "junit.xml", "report.md"] {
        let p = dir.join(f);
        assert!(
            p.metadata().map(|m| m.len() > 100).unwrap_or(false),
            "{f} missing or empty"
        );
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap_or_default())
            .unwrap_or_default();
    assert_eq!(json["command"], "check");
    // Real output follows the published schema.
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../../docs/report.schema.json")).unwrap_or_default();
    let validator = jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{e}"));
    let errors: Vec<String> = validator
        .iter_errors(&json)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .take(5)
        .collect();
    assert!(
        errors.is_empty(),
        "report.json breaks docs/report.schema.json: {errors:?}"
    );
    assert!(json["checks"].as_array().is_some_and(|c| c.len() >= 30));
    assert_eq!(json["counts"]["fail"], 0, "0 failed");
    assert_eq!(json["counts"]["error"], 0, "0 errors");
    assert_eq!(json["cleanup"]["leftovers"], serde_json::json!([]));
}

/// The binary's side: a passing run prints its summary line and exits 0.
#[test]
fn the_binary_prints_the_summary_of_a_passing_check() {
    let dir = tmpdir("embedded-summary");
    let out = bin()
        .args(["check", "--only", "users.create.*", "--report-dir"])
        .arg(&dir)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("0 failed, 0 errors"), "{stdout}");
}

#[test]
fn secrets_never_reach_reports_or_output() {
    let dir = tmpdir("secrets");
    // A provider with a known token, started by the test, checked as an external target.
    let rt = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
    let token = "tok-SECRET-4242-xyz";
    let handle = rt
        .block_on(scimtest::provider::spawn(
            scimtest::provider::ProviderConfig {
                tokens: vec![token.parse().unwrap_or_else(|e: String| panic!("{e}"))],
                ..Default::default()
            },
        ))
        .unwrap_or_else(|e| panic!("{e}"));
    let out = bin()
        .args([
            "check",
            "--target",
            &handle.base_url,
            "--token",
            token,
            "--header",
            "X-Extra: hdr-SECRET-777",
            "--report-dir",
        ])
        .arg(&dir)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let mut all =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    for f in ["report.json", "junit.xml", "report.md"] {
        all.push_str(&std::fs::read_to_string(dir.join(f)).unwrap_or_default());
    }
    for secret in [token, "hdr-SECRET-777"] {
        assert!(!all.contains(secret), "{secret} leaked");
    }
    assert!(all.contains("<redacted>"), "evidence should show redaction");
    drop(rt);
}

#[tokio::test]
async fn unknown_check_ids_get_a_did_you_mean_and_exit_2() {
    let e = error_of(cli::run(&["check", "--only", "users.create.status-20"]).await);
    assert_eq!(e.kind(), scimtest::cli::ErrorKind::Usage);
    assert_eq!(e.exit_code(), 2);
    assert!(
        e.message()
            .contains("did you mean \"users.create.status-201\""),
        "{e}"
    );
}

#[test]
fn explain_prints_one_check_and_a_typo_is_a_usage_error() {
    let out = bin()
        .args(["check", "--explain", "patch.request.schema-required"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    for part in [
        "patch.request.schema-required",
        "ADVICE",
        "RFC 7644 §3.5.2",
        "--fault patch-envelope-unchecked",
        "fix:",
    ] {
        assert!(text.contains(part), "{part:?} missing:\n{text}");
    }
    let out = bin()
        .args(["check", "--explain", "patch.request.schema-requird"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("did you mean \"patch.request.schema-required\""),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "nothing on stdout for a mistake");
}

#[test]
fn list_prints_the_catalogue_without_running() {
    let out = bin()
        .args(["check", "--list", "--format", "json"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert_eq!(
        v.as_array().map(Vec::len),
        Some(scimtest::catalogue::entries().len())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_target_is_a_harness_error_exit_3() {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let port = l.local_addr().map(|a| a.port()).unwrap_or(1);
    drop(l);
    let dir = tmpdir("unreachable");
    let e = error_of(
        cli::run(&[
            "check",
            "--target",
            &format!("http://127.0.0.1:{port}/scim/v2"),
            "--token",
            "x",
            "--timeout",
            "2s",
            "--report-dir",
            &dir.display().to_string(),
        ])
        .await,
    );
    assert_eq!(e.exit_code(), 3, "{e}");
    assert!(e.message().contains("unreachable"), "{e}");
    // No empty report files are left for a CI step to choke on.
    for f in ["report.json", "junit.xml", "report.md"] {
        assert!(!dir.join(f).exists(), "an empty {f} was left behind");
    }
}

#[tokio::test]
async fn an_unwritable_report_path_fails_before_the_run() {
    let e = error_of(
        cli::run(&[
            "check",
            "--report-json",
            "/proc/definitely/not/writable.json",
        ])
        .await,
    );
    assert_eq!(e.exit_code(), 3);
    assert!(e.message().contains("failed to create"), "{e}");
}

#[tokio::test]
async fn a_selection_matching_no_check_is_exit_4_with_a_note() {
    let e = error_of(cli::run(&["check", "--only", "users.*", "--skip", "users.*"]).await);
    assert_eq!(e.kind(), scimtest::cli::ErrorKind::NothingRan);
    assert_eq!(e.exit_code(), 4);
    assert_eq!(
        e.render().as_deref(),
        Some("nothing to run: the selection matches no check")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_in_process_returns_the_report_it_wrote() {
    let dir = tmpdir("inprocess");
    let cli = scimtest::cli::Cli::try_parse_from([
        "scimtest",
        "check",
        "--only",
        "users.*",
        "--report-dir",
        &dir.display().to_string(),
    ])
    .unwrap_or_else(|e| panic!("{e}"));
    let Some(scimtest::cli::Command::Check(args)) = cli.command else {
        panic!("not check")
    };
    let done = scimtest::cli::check::execute(&args)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(done.verdict, scimtest::cli::Verdict::Passed);
    assert_eq!(done.report.exit_code, Some(0));
    assert!(done.report.embedded_target);
    assert!(
        done.report
            .checks
            .iter()
            .all(|c| c.id.starts_with("users."))
    );
    assert!(done.report.counts.pass > 0);
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap_or_default())
            .unwrap_or_default();
    assert_eq!(written["run_id"], done.report.run_id.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn html_and_certificate_flags_write_where_asked_and_bad_paths_fail_before_the_run() {
    let dir = tmpdir("html-flags");
    let p = |rel: &str| dir.join(rel).display().to_string();
    let outcome = cli::run(&[
        "check",
        "--only",
        "users.create.*",
        "--report-dir",
        &p("r"),
        "--report-html",
        &p("site"),
        "--report-cert",
        &p("c/cert.md"),
        "--report-cert",
        &p("c/cert.html"),
    ])
    .await;
    assert_eq!(outcome, Ok(scimtest::cli::Verdict::Passed), "{outcome:?}");
    let page = std::fs::read_to_string(dir.join("site/index.html")).unwrap_or_default();
    assert!(page.starts_with("<!doctype html>") && page.contains("users.create.status-201"));
    assert!(dir.join("r/index.html").is_file());
    let md = std::fs::read_to_string(dir.join("c/cert.md")).unwrap_or_default();
    assert!(
        md.starts_with("# SCIM 2.0 compatibility certificate"),
        "{md}"
    );
    assert!(md.contains("a selection of"), "{md}");
    let html = std::fs::read_to_string(dir.join("c/cert.html")).unwrap_or_default();
    assert!(html.starts_with("<!doctype html>"));
    for bad in [
        ["--report-html", "/proc/nope/site"],
        ["--report-cert", "/proc/nope/c.html"],
    ] {
        let t = std::time::Instant::now();
        let r2 = p("r2");
        let e = error_of(cli::run(&["check", "--report-dir", &r2, bad[0], bad[1]]).await);
        assert_eq!(e.exit_code(), 3, "{bad:?}");
        assert!(
            t.elapsed() < std::time::Duration::from_secs(5),
            "failed late"
        );
        assert!(e.message().contains("failed to create"), "{e}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_answering_garbage_fails_checks_without_panicking() {
    use wiremock::matchers::any;
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    // The ServiceProviderConfig is sane, so the preflight lets the run through (an HTML page
    // there is "not a SCIM base URL", exit 3: tests/it/gate.rs); every other answer is garbage.
    Mock::given(wiremock::matchers::path("/scim/v2/ServiceProviderConfig"))
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
    let outcome = cli::run(&[
        "check",
        "--target",
        &format!("{}/scim/v2", server.uri()),
        "--token",
        "t",
        "--report-dir",
        &dir.display().to_string(),
    ])
    .await;
    assert_eq!(outcome, Ok(scimtest::cli::Verdict::Failed), "{outcome:?}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap_or_default())
            .unwrap_or_default();
    let fails = json["checks"]
        .as_array()
        .map(|c| c.iter().filter(|x| x["outcome"] == "fail").count())
        .unwrap_or(0);
    assert!(
        fails >= 20,
        "a garbage target must fail most checks, got {fails}"
    );
}

#[test]
fn docs_checks_md_matches_the_catalogue() {
    let out = bin()
        .args(["check", "--list", "--format", "md"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let generated = String::from_utf8_lossy(&out.stdout);
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/checks.md"))
        .unwrap_or_default();
    assert!(
        generated == committed,
        "docs/checks.md is out of date; regenerate it with\n  cargo run -q -- check --list --format md > docs/checks.md"
    );
}

#[test]
fn ctrl_c_mid_run_cleans_up_everything_the_run_created() {
    use scimtest::provider::store::Kind;
    let rt = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
    let handle = rt
        .block_on(scimtest::provider::spawn(
            scimtest::provider::ProviderConfig::default(),
        ))
        .unwrap_or_else(|e| panic!("{e}"));
    let slot = handle
        .provider
        .authenticate(Some(&handle.token))
        .unwrap_or_else(|| panic!("token"));
    let count =
        || handle.provider.count(slot, Kind::User) + handle.provider.count(slot, Kind::Group);
    let dir = tmpdir("sigint");
    let mut child = bin()
        .args([
            "check",
            "--target",
            &handle.base_url,
            "--token",
            &handle.token,
            "--concurrency",
            "1",
            "--report-dir",
        ])
        .arg(&dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    // Interrupt as soon as the run has created something (it is then past discovery and has
    // its Ctrl-C handler installed). Bounded: the whole run takes a couple of seconds at most.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while count() == 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    assert!(count() > 0, "the run never created anything");
    let pid = child.id().to_string();
    let killed = Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(killed.success());
    let status = child.wait().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(status.code(), Some(3), "an interrupted run exits 3");
    if count() != 0 {
        let left = rt.block_on(async {
            let c = reqwest::Client::new();
            let mut out = String::new();
            for ep in ["Users", "Groups"] {
                let r = c
                    .get(format!("{}/{ep}", handle.base_url))
                    .bearer_auth(&handle.token)
                    .send()
                    .await;
                if let Ok(r) = r {
                    out.push_str(&r.text().await.unwrap_or_default());
                }
            }
            out
        });
        panic!("resources left behind after Ctrl-C: {left}");
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap_or_default())
            .unwrap_or_default();
    assert!(json["checks"].as_array().is_some_and(|c| {
        c.iter().any(|x| {
            x["reason"]
                .as_str()
                .is_some_and(|r| r.starts_with("interrupted before it"))
        })
    }));
    drop(rt);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_baseline_turns_known_failures_into_a_pass_and_new_ones_still_fail() {
    async fn start(faults: &[scimtest::provider::Fault]) -> scimtest::provider::ProviderHandle {
        scimtest::provider::spawn(scimtest::provider::ProviderConfig {
            hooks: scimtest::provider::Faults::new(faults.iter().copied()).hooks(),
            ..Default::default()
        })
        .await
        .unwrap_or_else(|e| panic!("{e}"))
    }
    async fn run(
        h: &scimtest::provider::ProviderHandle,
        dir: &std::path::Path,
        baseline: Option<&std::path::Path>,
    ) -> i32 {
        let dir = dir.display().to_string();
        let baseline = baseline.map(|b| b.display().to_string());
        let mut args = vec![
            "check",
            "--only",
            "users.*",
            "--target",
            &h.base_url,
            "--token",
            &h.token,
            "--report-dir",
            &dir,
        ];
        if let Some(b) = &baseline {
            args.extend(["--baseline", b]);
        }
        cli::code(&cli::run(&args).await)
    }
    let broken = start(&[scimtest::provider::Fault::Create200]).await;
    let first = tmpdir("baseline-1");
    assert_eq!(
        run(&broken, &first, None).await,
        1,
        "create-200 breaks a MUST check"
    );
    let baseline = first.join("report.json");
    let again = tmpdir("baseline-2");
    assert_eq!(
        run(&broken, &again, Some(&baseline)).await,
        0,
        "known failures do not fail"
    );
    let worse = start(&[
        scimtest::provider::Fault::Create200,
        scimtest::provider::Fault::NoUniqueness,
    ])
    .await;
    let third = tmpdir("baseline-3");
    assert_eq!(
        run(&worse, &third, Some(&baseline)).await,
        1,
        "a new failure fails"
    );
    let fixed = start(&[]).await;
    let fourth = tmpdir("baseline-4");
    assert_eq!(run(&fixed, &fourth, Some(&baseline)).await, 0);
}

/// The binary's side of a baseline: it says which failures are known and which checks newly
/// pass.
#[test]
fn the_binary_prints_known_and_newly_passing_against_a_baseline() {
    let rt = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
    let start = |faults: &[scimtest::provider::Fault]| {
        rt.block_on(scimtest::provider::spawn(
            scimtest::provider::ProviderConfig {
                hooks: scimtest::provider::Faults::new(faults.iter().copied()).hooks(),
                ..Default::default()
            },
        ))
        .unwrap_or_else(|e| panic!("{e}"))
    };
    let run = |h: &scimtest::provider::ProviderHandle,
               dir: &std::path::Path,
               baseline: Option<&std::path::Path>| {
        let mut cmd = bin();
        cmd.args([
            "check",
            "--only",
            "users.*",
            "--target",
            &h.base_url,
            "--token",
            &h.token,
            "--report-dir",
        ])
        .arg(dir);
        if let Some(b) = baseline {
            cmd.arg("--baseline").arg(b);
        }
        cmd.output().unwrap_or_else(|e| panic!("{e}"))
    };
    let broken = start(&[scimtest::provider::Fault::Create200]);
    let first = tmpdir("baseline-1");
    assert_eq!(
        run(&broken, &first, None).status.code(),
        Some(1),
        "create-200 breaks a MUST check"
    );
    let again = tmpdir("baseline-2");
    let out = run(&broken, &again, Some(&first.join("report.json")));
    assert_eq!(
        out.status.code(),
        Some(0),
        "known failures do not fail: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("known, in baseline"));
    let fixed = start(&[]);
    let fourth = tmpdir("baseline-4");
    let out = run(&fixed, &fourth, Some(&first.join("report.json")));
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("newly passing since the baseline"));
    drop(rt);
}

async fn run_against(
    server: &wiremock::MockServer,
    extra: &[&str],
) -> (Option<i32>, serde_json::Value, std::time::Duration) {
    let dir = tmpdir("hostile");
    let started = std::time::Instant::now();
    let target = format!("{}/scim/v2", server.uri());
    let dir_s = dir.display().to_string();
    let mut args = vec![
        "check",
        "--target",
        &target,
        "--token",
        "t",
        "--report-dir",
        &dir_s,
    ];
    args.extend_from_slice(extra);
    let outcome = cli::run(&args).await;
    let json =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap_or_default())
            .unwrap_or_default();
    (Some(cli::code(&outcome)), json, started.elapsed())
}

fn outcomes(json: &serde_json::Value) -> std::collections::BTreeMap<String, usize> {
    let mut m = std::collections::BTreeMap::new();
    for c in json["checks"].as_array().into_iter().flatten() {
        *m.entry(c["outcome"].as_str().unwrap_or("?").to_string())
            .or_insert(0) += 1;
    }
    m
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_5xx_storm_fails_checks_with_evidence() {
    use wiremock::matchers::any;
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(503).set_body_raw("{\"detail\":\"down\"}", "application/json"),
        )
        .named("503 everywhere")
        .mount(&server)
        .await;
    let (code, json, _) = run_against(&server, &["--only", "users.*"]).await;
    assert_eq!(code, Some(1));
    let o = outcomes(&json);
    assert!(
        o.get("fail").copied().unwrap_or(0) + o.get("error").copied().unwrap_or(0) >= 15,
        "{o:?}"
    );
    let first_bad = json["checks"]
        .as_array()
        .and_then(|c| c.iter().find(|x| x["outcome"] != "pass"))
        .cloned()
        .unwrap_or_default();
    assert!(
        first_bad["evidence"]
            .as_array()
            .is_some_and(|e| !e.is_empty()),
        "evidence kept: {first_bad}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_with_absurd_retry_after_is_retried_boundedly_and_the_run_ends() {
    use wiremock::matchers::any;
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "86400"))
        .named("always 429, come back tomorrow")
        .mount(&server)
        .await;
    let (code, json, took) = run_against(&server, &["--only", "users.create.status-201"]).await;
    assert_eq!(code, Some(1));
    assert!(
        took < std::time::Duration::from_secs(60),
        "bounded: took {took:?}"
    );
    assert_eq!(outcomes(&json).get("pass"), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_that_hangs_times_out_per_check_and_the_run_ends() {
    use wiremock::matchers::{any, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    Mock::given(path("/scim/v2/ServiceProviderConfig"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig\"]}",
            "application/scim+json",
        ))
        .named("discovery answers")
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_delay(std::time::Duration::from_secs(120)))
        .named("everything else hangs")
        .mount(&server)
        .await;
    let (code, json, took) = run_against(
        &server,
        &[
            "--only",
            "users.get.*",
            "--timeout",
            "1s",
            "--concurrency",
            "8",
        ],
    )
    .await;
    assert_eq!(code, Some(1), "{json}");
    assert!(
        took < std::time::Duration::from_secs(30),
        "bounded: took {took:?}"
    );
    let reasons: Vec<String> = json["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| c["reason"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(
        reasons
            .iter()
            .all(|r| r.contains("timed out") || r.contains("did not finish")),
        "{reasons:?}"
    );
}
