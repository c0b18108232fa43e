//! Ctrl-C at random points: `check`, `replay` and `load` are each interrupted with SIGINT at 20
//! seeded random instants spread over a whole run (start-up, discovery, set-up, the run itself,
//! cleanup), each against a fresh provider, and afterwards the provider must hold none of the
//! run's resources in either tenant. The exit code is 3 when the signal came in time to stop the
//! run, or the run's own verdict (0/1) when it had already finished; a signal that lands while
//! the binary is still being loaded (before its runtime starts) kills it like any process, with
//! nothing created yet. The seed is printed and can
//! be replayed with `SCIMTEST_TRIAL_SEED=<n>`.

use scimtest::provider::store::Kind;
use scimtest::provider::{ProviderConfig, ProviderHandle};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

const TRIALS: usize = 20;

/// xorshift64*: a tiny seeded generator (the test needs reproducible instants, not quality).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    /// Uniform in `0..max_ms` milliseconds.
    fn delay(&mut self, max_ms: u64) -> Duration {
        Duration::from_millis(self.next() % max_ms.max(1))
    }
}

fn seed() -> u64 {
    std::env::var("SCIMTEST_TRIAL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_261_124)
}

const SCENARIO: &str = r#"
name = "interrupt-trials"
description = "Set-up of a small pool, then two seconds of creates, PATCHes and member changes."
modelled_on = "scenarios/smoke.toml"
[run]
users = 4
ramp = "0s"
duration = "2s"
timeout = "5s"
pacing = "max"
[data]
users = 20
groups = 2
members_per_group = 5
[[operation]]
name = "create-user"
weight = 2
[[operation]]
name = "patch-user"
weight = 1
[[operation]]
name = "add-members"
members = 2
[[operation]]
name = "remove-members"
members = 2
"#;

fn scenario_file() -> PathBuf {
    let p = std::env::temp_dir().join(format!(
        "scimtest-it-trials-{}.toml",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::write(&p, SCENARIO).unwrap_or_else(|e| panic!("{e}"));
    p
}

/// Users and groups held by every tenant of `h`.
fn held(h: &ProviderHandle) -> usize {
    h.tokens
        .iter()
        .filter_map(|t| h.provider.authenticate(Some(t)))
        .map(|slot| h.provider.count(slot, Kind::User) + h.provider.count(slot, Kind::Group))
        .sum()
}

/// What a trial saw: the exit code (None when killed by the signal), resources left behind,
/// stderr.
type Outcome = (Option<i32>, usize, String);

/// One trial: start `args` against a fresh two-tenant provider, SIGINT it after `delay`, wait,
/// and return (exit code or None when killed by the signal, resources left behind).
async fn trial(command: &str, extra: &[String], delay: Duration, sig: i32) -> Outcome {
    let h = scimtest::provider::spawn(ProviderConfig {
        tokens: vec![
            format!("trial-a-{}", uuid::Uuid::new_v4().simple())
                .parse()
                .unwrap_or_else(|e| panic!("{e}")),
            format!("trial-b-{}", uuid::Uuid::new_v4().simple())
                .parse()
                .unwrap_or_else(|e| panic!("{e}")),
        ],
        ..ProviderConfig::default()
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let dir = std::env::temp_dir().join(format!(
        "scimtest-it-trial-{}",
        uuid::Uuid::new_v4().simple()
    ));
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_scimtest"));
    cmd.arg(command)
        .args(["--target", &h.base_url, "--token", &h.tokens[0]])
        .args(extra)
        .arg("--report-dir")
        .arg(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    if command == "check" {
        cmd.args(["--second-token", &h.tokens[1]]);
    }
    let child = cmd.spawn().unwrap_or_else(|e| panic!("{e}"));
    // The random instant is the point of the test, not a synchronisation.
    tokio::time::sleep(delay).await;
    // Signal 0 (calibration) sends nothing: kill(pid, 0) only checks that the process exists.
    if let Some(pid) = child.id().and_then(|p| i32::try_from(p).ok()) {
        // SAFETY: kill(2) with a pid we spawned and still own (not yet reaped).
        unsafe {
            libc::kill(pid, sig);
        }
    }
    let out = tokio::time::timeout(Duration::from_secs(90), child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("{command} did not stop within 90 s of SIGINT"))
        .unwrap_or_else(|e| panic!("{e}"));
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let left = held(&h);
    h.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
    (out.status.code(), left, stderr)
}

/// How long an uninterrupted run of `command` takes here, so the instants cover a whole run
/// on a fast machine and a slow one alike (a signal after the end interrupts nothing).
async fn calibrate(command: &str, extra: &[String]) -> u64 {
    let started = std::time::Instant::now();
    // A signal far beyond any run: the run ends first.
    let (code, left, stderr) = trial(command, extra, Duration::from_millis(0), 0).await;
    assert!(
        matches!(code, Some(0 | 1)),
        "{command} did not run: {stderr}"
    );
    assert_eq!(
        left, 0,
        "{command} left resources behind without any signal"
    );
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// 20 trials of `command`, 3 at a time, with instants spread over the first two thirds of one
/// uninterrupted run's duration (at least `min_span_ms`).
async fn trials(command: &'static str, extra: Vec<String>, min_span_ms: u64, salt: u64, sig: i32) {
    use futures::StreamExt;
    let seed = seed();
    let span_ms = calibrate(command, &extra).await.max(min_span_ms);
    let mut rng = Rng(seed ^ salt);
    // Over the first two thirds of the calibrated run: the calibration may have run on a busier
    // machine than the trials (the whole suite shares two cores), and instants past the end of
    // a shorter run interrupt nothing.
    let delays: Vec<Duration> = (0..TRIALS)
        .map(|_| rng.delay((span_ms * 2 / 3).max(min_span_ms)))
        .collect();
    let results: Vec<(Duration, Outcome)> = futures::stream::iter(delays.into_iter().map(|d| {
        let extra = extra.clone();
        async move { (d, trial(command, &extra, d, sig).await) }
    }))
    .buffer_unordered(3)
    .collect()
    .await;
    let mut bad = Vec::new();
    let mut interrupted = 0;
    for (d, (code, left, stderr)) in &results {
        if *code == Some(3) {
            interrupted += 1;
        }
        if *left != 0 {
            bad.push(format!("SIGINT after {d:?}: {left} resources left behind"));
        }
        // Killed by the signal itself (no exit code) happens only when it lands before the
        // binary's runtime is up (exec and loading of the binary): nothing exists yet then, and
        // the leftover assertion above still holds.
        if !matches!(code, Some(0 | 1 | 3) | None) {
            bad.push(format!("SIGINT after {d:?}: exit {code:?}"));
        }
        if code.is_none() && !stderr.is_empty() {
            bad.push(format!(
                "SIGINT after {d:?} killed the process after it had started: {stderr}"
            ));
        }
        if stderr.contains("panicked") {
            bad.push(format!("SIGINT after {d:?}: panic: {stderr}"));
        }
    }
    assert!(
        bad.is_empty(),
        "{command}, signal {sig}, seed {seed} (SCIMTEST_TRIAL_SEED): \n{}",
        bad.join("\n")
    );
    // The instants really interrupted runs (not all landed after the end).
    assert!(
        interrupted >= TRIALS / 2,
        "{command}: only {interrupted} of {TRIALS} trials were interrupted (seed {seed}, span {span_ms} ms)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_interrupted_at_random_points_leaves_nothing() {
    trials("check", Vec::new(), 50, 1, libc::SIGINT).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_interrupted_at_random_points_leaves_nothing() {
    trials("replay", Vec::new(), 50, 2, libc::SIGINT).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_interrupted_at_random_points_leaves_nothing() {
    let scenario = scenario_file();
    trials(
        "load",
        vec!["--scenario".into(), scenario.display().to_string()],
        50,
        3,
        libc::SIGINT,
    )
    .await;
}

/// SIGTERM (how CI runners and Kubernetes stop a process) is handled like Ctrl-C.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_and_replay_stopped_with_sigterm_leave_nothing() {
    trials("check", Vec::new(), 50, 4, libc::SIGTERM).await;
    trials("replay", Vec::new(), 50, 5, libc::SIGTERM).await;
}
