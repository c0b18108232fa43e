//! Load beyond one machine, on one machine: N=3 `scimtest load --shard i/3` processes against
//! one provider, then `scimtest load merge`: totals equal the sum of the shards, merged
//! percentiles match a histogram built from every shard's samples, thresholds are re-applied,
//! mismatched inputs are refused (in process: parsed by clap, run by the library).

use crate::support::cli;
use scimtest::provider::store::Kind;
use std::collections::BTreeMap;
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_scimtest"))
}

fn tmpdir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!(
        "scimtest-it-shard-{name}-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&d).unwrap_or_else(|e| panic!("{e}"));
    d
}

fn json(p: &std::path::Path) -> serde_json::Value {
    let t = std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&t).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The p-th percentile of a histogram given as (bucket floor, count) pairs: the floor of the
/// bucket holding the round(p·n)-th sample (goose's rank rule).
fn percentile_floor(h: &BTreeMap<u64, u64>, p: f64) -> u64 {
    let n: u64 = h.values().sum();
    let rank = ((p * n as f64).round() as u64).max(1);
    let mut seen = 0;
    for (floor, c) in h {
        seen += c;
        if seen >= rank {
            return *floor;
        }
    }
    0
}

#[test]
fn three_shards_merge_into_exact_totals_and_percentiles() {
    let rt = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
    let h = rt
        .block_on(scimtest::provider::spawn(Default::default()))
        .unwrap_or_else(|e| panic!("{e}"));
    let dir = tmpdir("fleet");
    let start = (chrono::Utc::now() + chrono::Duration::seconds(3))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let children: Vec<_> = (0..3)
        .map(|i| {
            bin()
                .args([
                    "load",
                    "--shard",
                    &format!("{i}/3"),
                    "--run-id",
                    "fleettest",
                ])
                .args(["--start-at", &start, "--run-time", "2s"])
                .args(["--target", &h.base_url, "--token", &h.token, "--report-dir"])
                .arg(dir.join(format!("s{i}")))
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap_or_else(|e| panic!("{e}"))
        })
        .collect();
    for c in children {
        let o = c.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let shards: Vec<serde_json::Value> = (0..3)
        .map(|i| json(&dir.join(format!("s{i}/report.json"))))
        .collect();
    // Shards split the users (smoke: 8 → 3, 3, 2) and never collide on names.
    let users: Vec<u64> = shards
        .iter()
        .map(|s| s["load"]["users"].as_u64().unwrap_or(0))
        .collect();
    assert_eq!(users, [3, 3, 2]);
    // Shard 2 as `kubectl logs` shows a pod that ran with --report-stdout: progress lines, then
    // the report as the last line.
    let report2 = std::fs::read_to_string(dir.join("s2/report.json")).unwrap_or_default();
    let compact = serde_json::to_string(&json(&dir.join("s2/report.json"))).unwrap_or_default();
    assert!(!report2.is_empty());
    std::fs::write(
        dir.join("s2.log"),
        format!("scimtest load: scenario smoke …\nAll 2 users launched.\n\n{compact}\n"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let merged_dir = dir.join("merged");
    let o = bin()
        .args(["load", "merge"])
        .args((0..2).map(|i| dir.join(format!("s{i}/report.json"))))
        .arg(dir.join("s2.log"))
        .arg("--report-dir")
        .arg(&merged_dir)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let m = json(&merged_dir.join("report.json"));
    let ml = &m["load"];
    let sum = |k: &str| -> u64 {
        shards
            .iter()
            .map(|s| s["load"][k].as_u64().unwrap_or(0))
            .sum()
    };
    assert_eq!(ml["requests"].as_u64(), Some(sum("requests")));
    assert_eq!(ml["errors"].as_u64(), Some(sum("errors")));
    assert_eq!(ml["users"].as_u64(), Some(8));
    assert_eq!(ml["shard"]["indices"], serde_json::json!([0, 1, 2]));
    assert!(ml["thresholds"].as_array().is_some_and(|t| !t.is_empty()));
    // Per operation: counts add up, and the merged p95/p99 are the percentiles of one
    // histogram of every shard's samples (within goose's 1% bucket width).
    let merged_series = ml["series"].as_array().cloned().unwrap_or_default();
    assert!(!merged_series.is_empty());
    for ms in &merged_series {
        let op = ms["op"].as_str().unwrap_or_default();
        let mut all: BTreeMap<u64, u64> = BTreeMap::new();
        let mut count = 0;
        for s in &shards {
            let Some(ss) = s["load"]["series"]
                .as_array()
                .and_then(|a| a.iter().find(|x| x["op"] == op))
            else {
                continue;
            };
            count += ss["total"]["requests"].as_u64().unwrap_or(0);
            for pair in ss["histogram"].as_array().cloned().unwrap_or_default() {
                let (f, c) = (pair[0].as_u64().unwrap_or(0), pair[1].as_u64().unwrap_or(0));
                *all.entry(f).or_default() += c;
            }
        }
        assert_eq!(ms["total"]["requests"].as_u64(), Some(count), "{op}");
        for (p, key) in [(0.95, "p95_us"), (0.99, "p99_us")] {
            let floor = percentile_floor(&all, p) as f64;
            let merged = ms["total"][key].as_f64().unwrap_or(0.0);
            assert!(
                merged >= floor * 0.99 && merged <= floor * 1.02 + 1.0,
                "{op} {key}: merged {merged} vs one histogram's bucket {floor}"
            );
        }
    }
    for f in ["junit.xml", "report.md", "latency-over-time.svg"] {
        assert!(merged_dir.join(f).is_file(), "{f} missing");
    }
    let slot = h
        .provider
        .authenticate(Some(&h.token))
        .unwrap_or_else(|| panic!("token"));
    assert_eq!(
        h.provider.count(slot, Kind::User) + h.provider.count(slot, Kind::Group),
        0,
        "the shards left resources behind"
    );
    drop(rt);
}

/// What `main` would print for an outcome that must have failed, and its exit code.
async fn refused(args: &[&str]) -> (i32, String) {
    let e = cli::error_of(cli::run(args).await);
    (e.exit_code(), e.render().unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mismatched_reports_are_refused_with_a_clear_error() {
    let dir = tmpdir("mismatch");
    async fn mk(dir: &std::path::Path, name: &str, scenario: &str, shard: &str) -> String {
        let d = dir.join(name);
        let d_s = d.display().to_string();
        let outcome = cli::run(&[
            "load",
            "--scenario",
            scenario,
            "--shard",
            shard,
            "--no-correctness",
            "--run-time",
            "1s",
            "--users",
            "1",
            "--report-dir",
            &d_s,
        ])
        .await;
        assert!(cli::code(&outcome) <= 1, "{outcome:?}");
        d.join("report.json").display().to_string()
    }
    let a = mk(&dir, "a", "smoke", "0/2").await;
    let b = mk(&dir, "b", "mixed", "1/2").await;
    let (code, err) = refused(&["load", "merge", &a, &b]).await;
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("scenario") && err.contains("only shards of one run merge"),
        "{err}"
    );
    let (code, err) = refused(&["load", "merge", &a, &a]).await;
    assert_eq!(code, 3);
    assert!(err.contains("given twice"), "{err}");
    // A check report is not a load report.
    let c = dir.join("check");
    let outcome = cli::run(&[
        "check",
        "--only",
        "discovery.*",
        "--report-dir",
        &c.display().to_string(),
    ])
    .await;
    assert_eq!(cli::code(&outcome), 0, "{outcome:?}");
    let (code, err) = refused(&[
        "load",
        "merge",
        &c.join("report.json").display().to_string(),
    ])
    .await;
    assert_eq!(code, 3);
    assert!(err.contains("not a `scimtest load` report"), "{err}");
}
