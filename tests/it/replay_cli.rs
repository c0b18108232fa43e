//! `scimtest replay` end to end, in process (parsed by clap, run by the library) against the
//! embedded provider and faulty or unreachable targets: exit codes, reports, errors; the real
//! binary for what it prints (the matrix, verdicts, usage errors, `--list`, secrets in output)
//! and for Ctrl-C.

use crate::support::cli;
use scimtest::provider::store::Kind;
use scimtest::provider::{Fault, Faults, ProviderConfig, ProviderHandle};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_scimtest"))
}

fn tmpdir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!(
        "scimtest-it-replay-{name}-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&d).unwrap_or_else(|e| panic!("{e}"));
    d
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap_or_else(|e| panic!("{e}"))
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn report(dir: &std::path::Path) -> serde_json::Value {
    let t = std::fs::read_to_string(dir.join("report.json")).unwrap_or_else(|e| panic!("{e}"));
    serde_json::from_str(&t).unwrap_or_else(|e| panic!("{e}"))
}

fn provider(rt: &tokio::runtime::Runtime, faults: &[Fault]) -> ProviderHandle {
    rt.block_on(scimtest::provider::spawn(ProviderConfig {
        hooks: Faults::new(faults.iter().copied()).hooks(),
        ..ProviderConfig::default()
    }))
    .unwrap_or_else(|e| panic!("{e}"))
}

fn resources(h: &ProviderHandle) -> usize {
    let slot = h
        .provider
        .authenticate(Some(&h.token))
        .unwrap_or_else(|| panic!("token"));
    h.provider.count(slot, Kind::User) + h.provider.count(slot, Kind::Group)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_of_every_profile_against_the_embedded_provider_would_provision() {
    let dir = tmpdir("embedded");
    let outcome = cli::run(&["replay", "--report-dir", &dir.display().to_string()]).await;
    assert_eq!(outcome, Ok(scimtest::cli::Verdict::Passed), "{outcome:?}");
    let r = report(&dir);
    assert_eq!(r["command"], "replay");
    let profiles = r["profiles"].as_array().cloned().unwrap_or_default();
    let manifests =
        scimtest::replay::fixture::embedded_profiles().unwrap_or_else(|e| panic!("{e}"));
    let flows = scimtest::replay::fixture::embedded().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(profiles.len(), manifests.len());
    assert!(profiles.iter().all(|p| p["would_provision"] == true));
    assert!(profiles.iter().all(|p| p["about"]["product"].is_string()));
    assert_eq!(r["counts"]["pass"], flows.len());
    assert_eq!(r["cleanup"]["leftovers"], serde_json::json!([]));
    for f in ["junit.xml", "report.md"] {
        assert!(dir.join(f).is_file(), "{f} missing");
    }
}

/// The binary's side: the matrix it prints names every IdP and profile, each would provision.
#[test]
fn the_binary_prints_the_matrix_of_every_profile() {
    let dir = tmpdir("embedded-matrix");
    let o = bin()
        .args(["replay", "--report-dir"])
        .arg(&dir)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let all = text(&o);
    assert_eq!(o.status.code(), Some(0), "{all}");
    let matrix = String::from_utf8_lossy(&o.stdout);
    for row in [
        "entra",
        "okta",
        "onelogin",
        "aadoptscim062020",
        "oin",
        "scim2",
    ] {
        assert!(
            matrix.contains(row),
            "{row} missing from the matrix:\n{matrix}"
        );
    }
    let manifests =
        scimtest::replay::fixture::embedded_profiles().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        matrix.matches("WOULD PROVISION").count(),
        manifests.len(),
        "{matrix}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_would_break_verdict_exits_1_and_names_the_step_and_why() {
    let h = scimtest::provider::spawn(ProviderConfig {
        hooks: Faults::new([Fault::PatchOpCaseSensitive]).hooks(),
        ..ProviderConfig::default()
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let dir = tmpdir("break");
    let outcome = cli::run(&[
        "replay",
        "--idp",
        "entra",
        "--profile",
        "default",
        "--target",
        &h.base_url,
        "--token",
        &h.token,
        "--report-dir",
        &dir.display().to_string(),
    ])
    .await;
    assert_eq!(outcome, Ok(scimtest::cli::Verdict::Failed), "{outcome:?}");
    let r = report(&dir);
    assert_eq!(r["profiles"][0]["would_provision"], false);
    let failed = r["checks"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .find(|c| c["id"] == "replay.entra.default.user-lifecycle")
        .unwrap_or_else(|| panic!("no user-lifecycle entry"));
    assert_eq!(failed["outcome"], "fail");
    assert!(failed["evidence"].as_array().is_some_and(|e| !e.is_empty()));
    assert_eq!(resources(&h), 0, "a broken replay still cleans up");
}

/// The binary's side: it prints the verdict, the step that breaks and why.
#[test]
fn the_binary_prints_where_and_why_a_profile_would_break() {
    let rt = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
    let h = provider(&rt, &[Fault::PatchOpCaseSensitive]);
    let dir = tmpdir("break");
    let o = bin()
        .args(["replay", "--idp", "entra", "--profile", "default"])
        .args(["--target", &h.base_url, "--token", &h.token, "--report-dir"])
        .arg(&dir)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let all = text(&o);
    assert_eq!(o.status.code(), Some(1), "{all}");
    assert!(all.contains("WOULD BREAK"), "{all}");
    assert!(
        all.contains("would break at user-lifecycle step 5 (update-attributes)"),
        "{all}"
    );
    assert!(all.contains("why: "), "{all}");
    drop(rt);
}

/// Entra's default dialect only breaks (its disable does not stick); OneLogin's second
/// single-member add replaces the list and drops the first member.
const DESTRUCTIVE: [Fault; 2] = [Fault::PatchAddReplacesMembers, Fault::ActiveIgnored];
const DESTRUCTIVE_ARGS: [&str; 8] = [
    "replay",
    "--idp",
    "entra",
    "--idp",
    "onelogin",
    "--profile",
    "default",
    "--profile",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_destructive_verdict_exits_1_and_is_shown_first_everywhere() {
    let h = scimtest::provider::spawn(ProviderConfig {
        hooks: Faults::new(DESTRUCTIVE).hooks(),
        ..ProviderConfig::default()
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let dir = tmpdir("destroy");
    let dir_s = dir.display().to_string();
    let mut args = DESTRUCTIVE_ARGS.to_vec();
    args.extend([
        "scim2",
        "--target",
        &h.base_url,
        "--token",
        &h.token,
        "--report-dir",
        &dir_s,
    ]);
    let outcome = cli::run(&args).await;
    assert_eq!(outcome, Ok(scimtest::cli::Verdict::Failed), "{outcome:?}");
    let r = report(&dir);
    assert_eq!(r["profiles"][0]["profile"], "scim2", "{}", r["profiles"]);
    assert_eq!(r["profiles"][0]["severity"], "destructive");
    assert_eq!(r["profiles"][0]["would_provision"], false);
    assert_eq!(r["profiles"][1]["profile"], "default");
    assert_eq!(r["profiles"][1]["severity"], "breaking");
    let group = r["profiles"][0]["flows"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .find(|f| f["flow"] == "group-lifecycle")
        .unwrap_or_else(|| panic!("no group-lifecycle"));
    assert_eq!(group["severity"], "destructive");
    assert_eq!(group["destroys_data_at"]["name"], "read-back-members");
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../../docs/report.schema.json")).unwrap_or_default();
    let validator = jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{e}"));
    let errors: Vec<String> = validator
        .iter_errors(&r)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .take(5)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap_or_default();
    let d = md
        .find("WOULD DESTROY DATA")
        .unwrap_or_else(|| panic!("{md}"));
    let b = md.find("would break at").unwrap_or_else(|| panic!("{md}"));
    assert!(d < b, "{md}");
    assert_eq!(resources(&h), 0, "a destructive replay still cleans up");
}

/// The binary's side: destructive profiles are printed before breaking ones.
#[test]
fn the_binary_prints_a_destructive_verdict_first() {
    let rt = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
    let h = provider(&rt, &DESTRUCTIVE);
    let dir = tmpdir("destroy-printed");
    let o = bin()
        .args(DESTRUCTIVE_ARGS)
        .args([
            "scim2",
            "--target",
            &h.base_url,
            "--token",
            &h.token,
            "--report-dir",
        ])
        .arg(&dir)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let all = text(&o);
    assert_eq!(o.status.code(), Some(1), "{all}");
    let out = String::from_utf8_lossy(&o.stdout);
    let destroy = out
        .find("WOULD DESTROY DATA")
        .unwrap_or_else(|| panic!("{out}"));
    let brk = out.find("WOULD BREAK").unwrap_or_else(|| panic!("{out}"));
    assert!(destroy < brk, "destructive profiles come first:\n{out}");
    assert!(
        out.contains("onelogin/scim2: would destroy data at group-lifecycle"),
        "{out}"
    );
    drop(rt);
}

#[test]
fn usage_errors_exit_2_and_list_needs_no_target() {
    let o = run(&["replay", "--idp", "pingfed"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("'pingfed'"), "{}", text(&o));
    assert!(
        text(&o).contains("[possible values: entra, okta, onelogin,"),
        "{}",
        text(&o)
    );
    assert!(
        text(&o).contains("a similar value exists: 'ping'"),
        "{}",
        text(&o)
    );
    // The listing: one block per profile (product, where its traffic comes from, how it
    // retries), one line per flow, the flows that IdP does not have.
    let o = run(&["replay", "--list"]);
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8_lossy(&o.stdout);
    let flows = scimtest::replay::fixture::embedded().unwrap_or_else(|e| panic!("{e}"));
    let manifests =
        scimtest::replay::fixture::embedded_profiles().unwrap_or_else(|e| panic!("{e}"));
    for m in &manifests {
        assert!(
            out.contains(&format!("{}: {} — {}", m.key(), m.product, m.dialect)),
            "{} missing:\n{out}",
            m.key()
        );
    }
    assert_eq!(out.matches(" steps (").count(), flows.len(), "{out}");
    assert_eq!(
        out.matches("  traffic from: ").count(),
        manifests.len(),
        "{out}"
    );
    assert!(
        out.contains("okta/oin: Okta — Okta Integration Network app"),
        "{out}"
    );
    assert!(
        out.contains("retries: 429 up to 10 tries, waits as Retry-After says"),
        "{out}"
    );
    assert!(out.contains("onelogin/scim2: OneLogin"), "{out}");
    let o = run(&[
        "replay",
        "--list",
        "--idp",
        "onelogin",
        "--flow",
        "connection",
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(out.matches(" steps (").count(), 1, "{out}");
    assert!(out.contains("retries: none documented"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_target_exits_3() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"));
    let dir = tmpdir("unreachable");
    let url = format!("http://127.0.0.1:{port}/scim/v2");
    let e = cli::run(&[
        "replay",
        "--target",
        &url,
        "--token",
        "t",
        "--report-dir",
        &dir.display().to_string(),
    ])
    .await
    .err()
    .unwrap_or_else(|| panic!("no error"));
    assert_eq!(e.exit_code(), 3, "{e}");
    assert!(e.message().contains("does not answer"), "{e}");
}

#[tokio::test]
async fn an_unknown_profile_is_exit_2_with_a_did_you_mean() {
    let e = cli::run(&["replay", "--list", "--profile", "defualt"])
        .await
        .err()
        .unwrap_or_else(|| panic!("no error"));
    assert_eq!(e.kind(), scimtest::cli::ErrorKind::Usage);
    assert_eq!(e.exit_code(), 2);
    assert!(e.message().contains("no profile \"defualt\""), "{e}");
    assert_eq!(e.hint(), Some("did you mean \"default\"?"));
    // Far from every profile: no suggestion, still the list of what exists.
    let e = cli::run(&["replay", "--list", "--profile", "zzzzzzzzzz"])
        .await
        .err()
        .unwrap_or_else(|| panic!("no error"));
    assert_eq!(e.hint(), None);
    assert!(e.message().contains("known:"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_in_process_judges_a_broken_target_failed() {
    let h = scimtest::provider::spawn(scimtest::provider::ProviderConfig {
        hooks: Faults::new([Fault::PatchOpCaseSensitive]).hooks(),
        ..Default::default()
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let dir = tmpdir("inprocess-break");
    let outcome = cli::run(&[
        "replay",
        "--target",
        &h.base_url,
        "--token",
        &h.token,
        "--idp",
        "entra",
        "--report-dir",
        &dir.display().to_string(),
    ])
    .await;
    assert_eq!(outcome, Ok(scimtest::cli::Verdict::Failed));
    let r = report(&dir);
    assert_eq!(r["exit_code"], 1);
    h.shutdown().await;
}

#[tokio::test]
async fn a_broken_fixture_in_fixtures_dir_is_a_clear_error_with_its_line() {
    let dir = tmpdir("badfx");
    std::fs::write(
        dir.join("broken.json"),
        "{\n  \"format_version\": 1,\n  \"idp\": \"entra\",\n  oops\n}\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let e = cli::error_of(
        cli::run(&["replay", "--list", "--fixtures", &dir.display().to_string()]).await,
    );
    let all = e.render().unwrap_or_default();
    assert_eq!(e.exit_code(), 3, "{all}");
    assert!(
        all.contains("broken.json") && all.contains("line 4"),
        "{all}"
    );
}

#[test]
fn secrets_never_reach_reports_or_output() {
    const TOKEN: &str = "replay-s3cret-t0ken-4242";
    const HEADER: &str = "hdr-s3cret-value-9191";
    let rt = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
    let h = rt
        .block_on(scimtest::provider::spawn(ProviderConfig {
            tokens: vec![TOKEN.parse().unwrap_or_else(|e| panic!("{e}"))],
            ..ProviderConfig::default()
        }))
        .unwrap_or_else(|e| panic!("{e}"));
    let dir = tmpdir("secrets");
    let o = bin()
        .args(["replay", "--target", &h.base_url, "--token", TOKEN])
        .args([
            "--header",
            &format!("X-Tenant-Key: {HEADER}"),
            "--report-dir",
        ])
        .arg(&dir)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut all = text(&o);
    assert_eq!(o.status.code(), Some(0), "{all}");
    for f in ["report.json", "junit.xml", "report.md"] {
        all.push_str(&std::fs::read_to_string(dir.join(f)).unwrap_or_default());
    }
    assert!(
        all.contains("<redacted>"),
        "the reports carry redacted evidence"
    );
    for s in [TOKEN, HEADER] {
        assert!(!all.contains(s), "{s} leaked");
    }
    drop(rt);
}

/// A long custom flow (create a user, then many reads, then the cleanup step), so the interrupt
/// lands mid-run without any timing guess.
fn long_fixture(dir: &std::path::Path) {
    let mut steps = vec![serde_json::json!({
        "name": "create-user",
        "request": {"method": "POST", "path": "/Users", "body": {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "{{run}}sigint@example.com"}},
        "capture": {"user1.id": "/id"},
        "expect": {"status": [201], "why": "test"},
        "synthetic": true, "synthetic_reason": "test"
    })];
    for i in 0..50_000 {
        steps.push(serde_json::json!({
            "name": format!("read-{i}"),
            "request": {"method": "GET", "path": "/Users/{{user1.id}}"},
            "expect": {"status": [200], "why": "test"},
            "synthetic": true, "synthetic_reason": "test"
        }));
    }
    let fx = serde_json::json!({
        "format_version": 1, "idp": "entra", "profile": "sigint-test", "flow": "full-sync",
        "title": "long", "source": {"kind": "research-notes", "ref": "test"},
        "documented_in": ["test"], "captured_at": "2026-11-23",
        "steps": steps,
        "cleanup": [{
            "name": "delete-user",
            "request": {"method": "DELETE", "path": "/Users/{{user1.id}}"},
            "expect": {"status": [204], "why": "cleanup"},
            "synthetic": true, "synthetic_reason": "cleanup"
        }]
    });
    std::fs::write(dir.join("long.json"), fx.to_string()).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn ctrl_c_mid_replay_exits_3_and_leaves_nothing_behind() {
    let rt = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
    let h = provider(&rt, &[]);
    let fx = tmpdir("sigint-fx");
    long_fixture(&fx);
    let dir = tmpdir("sigint");
    let mut child = bin()
        .args(["replay", "--profile", "sigint-test", "--fixtures"])
        .arg(&fx)
        .args(["--target", &h.base_url, "--token", &h.token, "--report-dir"])
        .arg(&dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while resources(&h) == 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    assert!(resources(&h) > 0, "the replay never created anything");
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(killed.success());
    let status = child.wait().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(status.code(), Some(3), "an interrupted replay exits 3");
    assert_eq!(resources(&h), 0, "resources left behind after Ctrl-C");
    let r = report(&dir);
    let steps = r["profiles"][0]["flows"][0]["steps"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(steps.iter().any(|s| s["outcome"] == "skipped"));
    drop(rt);
}
