//! `scimtest load` (and `scimtest run`) end to end, in process (parsed by clap, run by the
//! library) against the embedded provider and faulty targets: reports, plots, thresholds,
//! correctness, cleanup, exit codes; the real binary for what it prints (summary, breached
//! thresholds, scenario list, secrets in output, progress without a terminal) and for signals.
//! Runs are shortened with the run-shape flags (`--users`, `--duration`).

use crate::support::cli::{self, error_of};
use clap::Parser as _;
use scimtest::provider::store::Kind;
use scimtest::provider::{Fault, Faults, ProviderConfig, ProviderHandle};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_scimtest"))
}

fn tmpdir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!(
        "scimtest-it-load-{name}-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&d).unwrap_or_else(|e| panic!("{e}"));
    d
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

fn provider(rt: &tokio::runtime::Runtime, cfg: ProviderConfig) -> ProviderHandle {
    rt.block_on(scimtest::provider::spawn(cfg))
        .unwrap_or_else(|e| panic!("{e}"))
}

fn resources(h: &ProviderHandle) -> usize {
    let slot = h
        .provider
        .authenticate(Some(&h.token))
        .unwrap_or_else(|| panic!("token"));
    h.provider.count(slot, Kind::User) + h.provider.count(slot, Kind::Group)
}

/// A short smoke run: 2 goose users for 2 s.
const SHORT: [&str; 4] = ["--users", "2", "--duration", "2s"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smoke_against_the_embedded_provider_writes_reports_plots_and_passes() {
    let dir = tmpdir("smoke");
    let dir_s = dir.display().to_string();
    let mut args = vec!["load"];
    args.extend(SHORT);
    args.extend(["--report-dir", &dir_s]);
    let outcome = cli::run(&args).await;
    assert_eq!(outcome, Ok(scimtest::cli::Verdict::Passed), "{outcome:?}");
    let r = report(&dir);
    assert_eq!(r["command"], "load");
    let l = &r["load"];
    assert_eq!(l["scenario"], "smoke");
    assert!(l["requests"].as_u64().is_some_and(|n| n > 50), "{l}");
    assert_eq!(l["errors"], 0, "{l}");
    let ops = l["operations"].as_array().cloned().unwrap_or_default();
    assert!(ops.len() >= 5, "{ops:?}");
    for op in &ops {
        let name = op["op"].as_str().unwrap_or_default();
        assert!(
            name.matches('-').count() < 4,
            "an id in a request name: {name}"
        );
        assert!(
            op["status_counts"]
                .as_object()
                .is_some_and(|m| !m.is_empty()),
            "{op}"
        );
        assert!(op["p95_ms"].as_f64().is_some_and(|p| p > 0.0));
    }
    assert!(
        l["thresholds"]
            .as_array()
            .is_some_and(|t| !t.is_empty() && t.iter().all(|t| t["passed"] == true))
    );
    let correctness: Vec<&serde_json::Value> = r["checks"]
        .as_array()
        .map(|c| c.iter().filter(|c| c["area"] == "load").collect())
        .unwrap_or_default();
    assert_eq!(correctness.len(), 4, "{correctness:?}");
    assert!(
        correctness.iter().all(|c| c["outcome"] == "pass"),
        "{correctness:?}"
    );
    assert_eq!(r["cleanup"]["leftovers"], serde_json::json!([]));
    for f in [
        "latency-over-time.svg",
        "load-series.json",
        "junit.xml",
        "report.md",
    ] {
        assert!(dir.join(f).is_file(), "{f} missing");
    }
    let svg = std::fs::read_to_string(dir.join("latency-over-time.svg")).unwrap_or_default();
    assert!(
        svg.starts_with("<svg") && svg.contains("POST /Users"),
        "{}",
        &svg[..svg.len().min(200)]
    );
}

/// The binary's side of a smoke run: it prints the throughput and the thresholds.
#[test]
fn the_binary_prints_the_load_summary() {
    let dir = tmpdir("smoke-summary");
    let o = bin()
        .arg("load")
        .args(SHORT)
        .arg("--report-dir")
        .arg(&dir)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let all = text(&o);
    assert_eq!(o.status.code(), Some(0), "{all}");
    assert!(all.contains("req/s") && all.contains("threshold"), "{all}");
}

fn scenario_file(dir: &std::path::Path, threshold: &str) -> std::path::PathBuf {
    let p = dir.join("s.toml");
    std::fs::write(
        &p,
        format!(
            "name = \"tiny\"\ndescription = \"test\"\nmodelled_on = \"test\"\n\n[run]\nusers = 2\nduration = \"2s\"\n\n[data]\nusers = 5\n\n[[operation]]\nname = \"get-user\"\n\n[[threshold]]\n{threshold}\n"
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    p
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_breached_threshold_exits_1_and_is_a_failed_check() {
    let dir = tmpdir("breach");
    let sc = scenario_file(&dir, "metric = \"p95\"\nbelow = \"1us\"");
    let outcome = cli::run(&[
        "load",
        "--no-correctness",
        "--scenario",
        &sc.display().to_string(),
        "--report-dir",
        &dir.join("r").display().to_string(),
    ])
    .await;
    assert_eq!(outcome, Ok(scimtest::cli::Verdict::Failed), "{outcome:?}");
    let r = report(&dir.join("r"));
    assert!(r["checks"].as_array().is_some_and(|c| {
        c.iter()
            .any(|c| c["area"] == "threshold" && c["outcome"] == "fail")
    }));
}

/// The binary's side: it says which threshold was breached.
#[test]
fn the_binary_prints_the_breached_threshold() {
    let dir = tmpdir("breach-printed");
    let sc = scenario_file(&dir, "metric = \"p95\"\nbelow = \"1us\"");
    let o = bin()
        .args(["load", "--no-correctness", "--scenario"])
        .arg(&sc)
        .arg("--report-dir")
        .arg(dir.join("r"))
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let all = text(&o);
    assert_eq!(o.status.code(), Some(1), "{all}");
    assert!(all.contains("p95<1us") && all.contains("BREACHED"), "{all}");
}

/// `--threshold` is judged by scimtest at the end, like the scenario's own rules: a breach is
/// exit 1 with one readable line and a FAILED line, never goose's error dump or an "ok".
#[test]
fn a_breached_threshold_flag_exits_1_with_a_readable_line() {
    let dir = tmpdir("breach-flag");
    let o = bin()
        .args([
            "load",
            "--no-correctness",
            "--users",
            "2",
            "--duration",
            "2s",
        ])
        .args(["--threshold", "p95<1us for GET /Users/{id}"])
        .args(["--threshold", "error-rate<100%"])
        .arg("--report-dir")
        .arg(&dir)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    let all = text(&o);
    assert_eq!(o.status.code(), Some(1), "{all}");
    let breach = out
        .lines()
        .find(|l| l.contains("p95<1us for GET /Users/{id}"))
        .unwrap_or_else(|| panic!("no line for the rule: {all}"));
    assert!(
        breach.contains("BREACHED: observed ") && breach.contains("ms"),
        "{breach}"
    );
    assert!(
        out.lines()
            .any(|l| l.contains("error-rate<100%") && l.contains(" ok ")),
        "{all}"
    );
    assert!(out.contains("FAILED: 1 of"), "{all}");
    for dump in ["ThresholdsFailed", "GooseError", "{ ", "INCOMPLETE"] {
        assert!(!all.contains(dump), "{dump} in: {all}");
    }
    let r = report(&dir);
    assert_eq!(r["exit_code"], 1);
    assert!(
        r["checks"].as_array().is_some_and(|c| c
            .iter()
            .any(|c| c["area"] == "threshold" && c["outcome"] == "fail")),
        "{r}"
    );
    let options = r["options"].to_string();
    assert!(options.contains("--threshold"), "{options}");
}

/// Without a terminal (a CI log), the attack prints a progress line every few seconds.
#[test]
fn without_a_terminal_the_attack_prints_progress_lines() {
    let dir = tmpdir("progress");
    let o = bin()
        .args([
            "load",
            "--no-correctness",
            "--users",
            "2",
            "--duration",
            "7s",
        ])
        .arg("--report-dir")
        .arg(&dir)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let lines: Vec<&str> = err.lines().filter(|l| l.starts_with("load  ")).collect();
    assert!(!lines.is_empty(), "no progress line: {err}");
    for l in &lines {
        assert!(
            l.contains("s/")
                && l.contains(" requests ")
                && l.contains(" req/s ")
                && l.contains(" errors ")
                && l.ends_with(" users"),
            "{l}"
        );
    }
    assert!(
        !err.contains('\r'),
        "a terminal's updating line in a log: {err:?}"
    );
}

/// A value in the wrong unit, a rule that cannot parse, an option scimtest owns passed to goose:
/// exit 2 with one line and a hint, before anything runs.
#[tokio::test]
async fn wrong_load_flags_are_usage_errors_before_anything_runs() {
    for args in [
        &["load", "--timeout", "5"][..],
        &["load", "--duration", "1.5s"][..],
        &["load", "--threshold", "p95<fast"][..],
        &["load", "--users", "0"][..],
        &["load", "--duration", "2s", "--iterations", "3"][..],
        &["load", "-V", "--users", "2"][..],
    ] {
        let e = scimtest::cli::Cli::try_parse_from(args)
            .err()
            .unwrap_or_else(|| panic!("{args:?} parsed"));
        assert_eq!(
            scimtest::cli::error::parse_error_exit_code(&e),
            if args.contains(&"-V") { 0 } else { 2 },
            "{args:?}: {e}"
        );
    }
    for (args, says, hint) in [
        (
            &["load", "--goose-arg=-u", "--goose-arg=4"][..],
            "--users",
            "--users N",
        ),
        (
            &["load", "--goose-arg=--run-time=30"][..],
            "--run-time",
            "--duration",
        ),
        (
            &["load", "--goose-arg=--no-such-option"][..],
            "--no-such-option",
            "--goose-arg --help",
        ),
        (
            &["load", "--threshold", "p95<1s for DELETE /Groups/{id}"][..],
            "never runs",
            "POST /Users",
        ),
    ] {
        let e = error_of(cli::run(args).await);
        let shown = e.render().unwrap_or_default();
        assert_eq!(e.exit_code(), 2, "{args:?}: {shown}");
        assert!(shown.contains(says), "{args:?}: {shown}");
        assert!(
            e.hint().is_some_and(|h| h.contains(hint)),
            "{args:?}: {shown}"
        );
    }
}

/// goose refusing the configuration it was given (after the set-up, when it starts) is a usage
/// error too, with no load summary (no "0 requests" and no BREACHED), and nothing left behind.
#[test]
fn a_configuration_goose_refuses_is_exit_2_without_a_summary() {
    let rt = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
    let h = provider(&rt, ProviderConfig::default());
    let dir = tmpdir("goose-refused");
    let o = bin()
        .args(["load", "--no-correctness", "--iterations", "1"])
        .arg("--goose-arg=--decrease-rate=1")
        .args(["--target", &h.base_url, "--token", &h.token, "--report-dir"])
        .arg(&dir)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let all = text(&o);
    assert_eq!(o.status.code(), Some(2), "{all}");
    assert!(all.contains("error: goose refused"), "{all}");
    assert!(all.contains("hint: "), "{all}");
    for summary in ["requests in", "BREACHED", "threshold", "{ "] {
        assert!(!all.contains(summary), "{summary} in: {all}");
    }
    assert_eq!(resources(&h), 0, "the set-up was removed");
    drop(rt);
}

/// `load --help` is scimtest's own short list; goose's options are one flag away.
#[test]
fn load_help_is_curated_and_goose_help_is_behind_the_escape_hatch() {
    let o = bin()
        .args(["load", "--help"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let help = String::from_utf8_lossy(&o.stdout).to_string();
    assert_eq!(o.status.code(), Some(0));
    for flag in [
        "--users",
        "--ramp",
        "--duration",
        "--iterations",
        "--timeout",
        "--threshold",
        "--goose-arg",
    ] {
        assert!(help.contains(flag), "{flag} missing: {help}");
    }
    for goose_only in [
        "--test-plan",
        "--dashboard",
        "--increase-rate",
        "--co-mitigation",
    ] {
        assert!(!help.contains(goose_only), "{goose_only} in: {help}");
    }
    assert!(help.lines().count() < 200, "{} lines", help.lines().count());
    let o = bin()
        .args(["load", "--goose-arg", "--help"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).contains("--co-mitigation"));
    let o = bin()
        .args(["load", "-V"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let v = String::from_utf8_lossy(&o.stdout).to_string();
    assert_eq!(o.status.code(), Some(0));
    assert!(v.starts_with("scimtest") && !v.contains("goose"), "{v}");
}

#[tokio::test]
async fn a_bad_scenario_file_is_exit_3_with_its_line_and_an_unknown_name_gets_a_suggestion() {
    let dir = tmpdir("bad");
    let sc = scenario_file(&dir, "metric = \"p95\"\nbelow = \"fast\"");
    let e = error_of(cli::run(&["load", "--scenario", &sc.display().to_string()]).await);
    let shown = e.render().unwrap_or_default();
    assert_eq!(e.exit_code(), 3, "{shown}");
    assert!(
        shown.contains("s.toml:17:"),
        "the error names the line: {shown}"
    );
    let e = error_of(cli::run(&["load", "--scenario", "smok"]).await);
    let shown = e.render().unwrap_or_default();
    assert_eq!(e.exit_code(), 3, "{shown}");
    assert!(shown.contains("smoke"), "{shown}");
}

#[test]
fn list_scenarios_prints_every_bundled_scenario() {
    let o = bin()
        .args(["load", "--list-scenarios"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let out = String::from_utf8_lossy(&o.stdout);
    for s in [
        "smoke",
        "bulk-onboarding",
        "entra-sync-cycle",
        "okta-import",
        "group-churn",
        "deprovision",
        "mixed",
    ] {
        assert!(out.contains(s), "{s} not listed: {out}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_member_updates_under_load_fail_the_run() {
    let h = scimtest::provider::spawn(ProviderConfig {
        hooks: Faults::new([Fault::LostMemberUpdates]).hooks(),
        ..ProviderConfig::default()
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let dir = tmpdir("lost");
    let dir_s = dir.display().to_string();
    let mut args = vec!["load"];
    args.extend(SHORT);
    args.extend([
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
    let c = r["checks"]
        .as_array()
        .and_then(|c| {
            c.iter()
                .find(|c| c["id"] == "load.correctness.concurrent-member-adds")
                .cloned()
        })
        .unwrap_or_else(|| panic!("no concurrent-member-adds result"));
    assert_eq!(c["outcome"], "fail", "{c}");
    assert_eq!(resources(&h), 0, "a failed run still cleans up");
}

#[test]
fn secrets_never_reach_goose_reports_our_reports_or_output() {
    const TOKEN: &str = "load-s3cret-t0ken-7777";
    const HEADER: &str = "load-hdr-s3cret-5555";
    let rt = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
    let h = provider(
        &rt,
        ProviderConfig {
            tokens: vec![TOKEN.parse().unwrap_or_else(|e| panic!("{e}"))],
            ..ProviderConfig::default()
        },
    );
    let dir = tmpdir("secrets");
    let o = bin()
        .arg("load")
        .args(SHORT)
        .args(["--target", &h.base_url, "--token", TOKEN])
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
    for e in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{e}")) {
        let p = e.unwrap_or_else(|e| panic!("{e}")).path();
        all.push_str(&String::from_utf8_lossy(
            &std::fs::read(&p).unwrap_or_default(),
        ));
    }
    for s in [TOKEN, HEADER] {
        assert!(!all.contains(s), "{s} leaked");
    }
    drop(rt);
}

#[test]
fn ctrl_c_mid_attack_exits_3_and_leaves_nothing_behind() {
    interrupt_mid_attack("-INT");
}

#[test]
fn sigterm_mid_attack_as_kubernetes_sends_it_also_cleans_up() {
    interrupt_mid_attack("-TERM");
}

fn interrupt_mid_attack(signal: &str) {
    let rt = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
    let h = provider(&rt, ProviderConfig::default());
    let pool = scimtest::load::scenario::Scenario::builtin("smoke")
        .map(|s| s.data.users + s.data.groups)
        .unwrap_or_else(|e| panic!("{e}"));
    let dir = tmpdir("sigint");
    let child = bin()
        .args(["load", "--users", "2", "--duration", "60s"])
        .args(["--target", &h.base_url, "--token", &h.token, "--report-dir"])
        .arg(&dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    // Past the set-up: the attack has created users of its own.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while resources(&h) <= pool + 5 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert!(resources(&h) > pool, "the attack never started");
    let killed = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(killed.success());
    let o = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    let all = text(&o);
    assert_eq!(
        o.status.code(),
        Some(3),
        "a load run stopped by {signal} exits 3: {all}"
    );
    // goose's own "[WARN] caught ctrl-c" is replaced by one line of ours, on a line of its own.
    assert!(!all.contains("[WARN]"), "{all}");
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .lines()
            .any(|l| l.starts_with("interrupted: stopping the attack")),
        "{all}"
    );
    assert_eq!(resources(&h), 0, "resources left behind after Ctrl-C");
    assert!(dir.join("report.json").is_file());
    drop(rt);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scimtest_run_does_check_replay_and_load_with_an_index() {
    // In process: the same library calls as the binary, no argv rebuilt, no reports read back.
    let dir = tmpdir("run");
    let cli = scimtest::cli::Cli::try_parse_from([
        "scimtest",
        "run",
        "--report-dir",
        &dir.display().to_string(),
    ])
    .unwrap_or_else(|e| panic!("{e}"));
    let outcome = scimtest::cli::run(cli).await;
    assert_eq!(outcome, Ok(scimtest::cli::Verdict::Passed));
    let index: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("index.json")).unwrap_or_else(|e| panic!("{e}")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let parts = index["parts"].as_array().cloned().unwrap_or_default();
    let names: Vec<&str> = parts.iter().filter_map(|p| p["command"].as_str()).collect();
    assert_eq!(names, ["check", "replay", "load"]);
    assert!(parts.iter().all(|p| p["exit_code"] == 0), "{parts:?}");
    let profiles = scimtest::replay::fixture::embedded()
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|f| (f.idp, f.profile))
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let all_of_them = format!("{profiles} of {profiles}");
    assert!(
        parts[1]["verdict"]
            .as_str()
            .is_some_and(|v| v.starts_with(&all_of_them)),
        "{parts:?}"
    );
    for sub in ["check", "replay", "load"] {
        assert!(
            dir.join(sub).join("report.json").is_file(),
            "{sub} report missing"
        );
    }
    let md = std::fs::read_to_string(dir.join("index.md")).unwrap_or_default();
    assert!(md.contains("| replay | 0 |"), "{md}");
    assert_eq!(index["embedded_target"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_target_is_counted_as_throttled_and_its_retry_after_is_honoured() {
    use wiremock::matchers::any;
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "1")
                .set_body_string(
                    r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"429"}"#,
                ),
        )
        .mount(&server)
        .await;
    let dir = tmpdir("429");
    let sc = dir.join("lists.toml");
    std::fs::write(
        &sc,
        "name = \"lists\"\ndescription = \"t\"\nmodelled_on = \"t\"\n[run]\nusers = 2\nduration = \"3s\"\n[[operation]]\nname = \"list-users\"\n[[threshold]]\nmetric = \"error-rate\"\nbelow = \"1%\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let started = std::time::Instant::now();
    let sc_s = sc.display().to_string();
    let target = format!("{}/scim/v2", server.uri());
    let r_s = dir.join("r").display().to_string();
    let outcome = cli::run(&[
        "load",
        "--no-correctness",
        "--scenario",
        &sc_s,
        "--target",
        &target,
        "--token",
        "t",
        "--report-dir",
        &r_s,
    ])
    .await;
    assert_eq!(outcome, Ok(scimtest::cli::Verdict::Failed), "{outcome:?}");
    let r = report(&dir.join("r"));
    let l = &r["load"];
    let throttled = l["throttled"].as_u64().unwrap_or(0);
    let requests = l["requests"].as_u64().unwrap_or(0);
    assert!(throttled > 0 && throttled == requests, "{l}");
    // Each goose user waits Retry-After (1 s) after every 429: 2 users over 3 s send at most a
    // handful, not thousands.
    assert!(
        requests <= 10,
        "Retry-After was not honoured: {requests} requests"
    );
    assert_eq!(l["operations"][0]["status_counts"]["429"], requests);
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
}

/// The provider's `--rate-limit` is what Entra's gallery throughput requirement is shown to fail
/// against: a load paced at Entra's 25 req/s breaches its error-rate threshold on 429s against a
/// provider allowing 10 req/s, and holds it against one without a limit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_entra_paced_load_fails_against_a_provider_limited_to_10_per_second() {
    let dir = tmpdir("rate-limited");
    let sc = dir.join("entra-paced.toml");
    std::fs::write(
        &sc,
        "name = \"entra-paced\"\ndescription = \"t\"\nmodelled_on = \"t\"\n[run]\nusers = 4\nramp = \"1s\"\nduration = \"3s\"\npacing = \"entra\"\n[[operation]]\nname = \"list-users\"\n[[threshold]]\nmetric = \"error-rate\"\nbelow = \"1%\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let sc_s = sc.display().to_string();
    for (limit, verdict) in [
        (Some(10), scimtest::cli::Verdict::Failed),
        (None, scimtest::cli::Verdict::Passed),
    ] {
        let h = scimtest::provider::spawn(ProviderConfig {
            limits: scimtest::provider::Limits {
                rate_limit_per_second: limit,
                ..Default::default()
            },
            ..ProviderConfig::default()
        })
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        let out = dir.join(format!("r-{limit:?}"));
        let out_s = out.display().to_string();
        let outcome = cli::run(&[
            "load",
            "--no-correctness",
            "--scenario",
            &sc_s,
            "--target",
            &h.base_url,
            "--token",
            &h.token,
            "--report-dir",
            &out_s,
        ])
        .await;
        assert_eq!(outcome, Ok(verdict), "limit {limit:?}: {outcome:?}");
        let l = &report(&out)["load"];
        let throttled = l["throttled"].as_u64().unwrap_or(0);
        assert_eq!(throttled > 0, limit.is_some(), "limit {limit:?}: {l}");
    }
}

/// `list-users-cursor` walks by cursor: an empty `cursor` first, then the `nextCursor` of the
/// page before (a double that serves two pages sees both asked for), starting over after the
/// last page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_users_cursor_follows_next_cursor() {
    use wiremock::matchers::{any, method, path, query_param};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    let list = |next: Option<&str>| {
        let mut body = serde_json::json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": 2, "itemsPerPage": 1, "Resources": [{"id": "x"}]
        });
        if let Some(n) = next {
            body["nextCursor"] = serde_json::json!(n);
        }
        ResponseTemplate::new(200).set_body_raw(body.to_string(), "application/scim+json")
    };
    Mock::given(method("GET"))
        .and(path("/scim/v2/Users"))
        .and(query_param("cursor", "p2"))
        .respond_with(list(None))
        .named("second page, by the first page's nextCursor")
        .expect(1..)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/scim/v2/Users"))
        .and(query_param("cursor", ""))
        .respond_with(list(Some("p2")))
        .named("first page, empty cursor")
        .expect(2..)
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],"patch":{"supported":true},"filter":{"supported":true},"pagination":{"cursor":true,"index":true},"totalResults":0,"Resources":[]}"#,
            "application/scim+json",
        ))
        .named("discovery and preflight")
        .with_priority(10)
        .mount(&server)
        .await;
    let dir = tmpdir("cursor-walk");
    let sc = dir.join("cursor.toml");
    std::fs::write(
        &sc,
        "name = \"cursor\"\ndescription = \"t\"\nmodelled_on = \"t\"\n[run]\nusers = 1\nduration = \"2s\"\n[data]\npage_size = 1\n[[operation]]\nname = \"list-users-cursor\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let outcome = cli::run(&[
        "load",
        "--no-correctness",
        "--scenario",
        &sc.display().to_string(),
        "--target",
        &format!("{}/scim/v2", server.uri()),
        "--token",
        "t",
        "--report-dir",
        &dir.join("r").display().to_string(),
    ])
    .await;
    assert_eq!(outcome, Ok(scimtest::cli::Verdict::Passed), "{outcome:?}");
    let r = report(&dir.join("r"));
    assert_eq!(r["load"]["operations"][0]["op"], "GET /Users?cursor&count");
    server.verify().await;
}

/// Against the provider every cursor the walk sends back is one it issued (it answers 400
/// `invalidCursor` to any other), over users and groups.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cursor_listings_against_the_provider_make_no_errors() {
    let dir = tmpdir("cursor-provider");
    let sc = dir.join("cursor.toml");
    std::fs::write(
        &sc,
        "name = \"cursor\"\ndescription = \"t\"\nmodelled_on = \"t\"\n[run]\nusers = 2\nduration = \"2s\"\n[data]\nusers = 5\ngroups = 3\npage_size = 2\n[[operation]]\nname = \"list-users-cursor\"\n[[operation]]\nname = \"list-groups-cursor\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let outcome = cli::run(&[
        "load",
        "--no-correctness",
        "--scenario",
        &sc.display().to_string(),
        "--report-dir",
        &dir.join("r").display().to_string(),
    ])
    .await;
    assert_eq!(outcome, Ok(scimtest::cli::Verdict::Passed), "{outcome:?}");
    let l = report(&dir.join("r"))["load"].clone();
    assert_eq!(l["errors"], 0, "{l}");
    let ops: Vec<String> = l["operations"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|o| o["op"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    for want in ["GET /Users?cursor&count", "GET /Groups?cursor&count"] {
        assert!(ops.iter().any(|o| o == want), "{ops:?}");
    }
}
