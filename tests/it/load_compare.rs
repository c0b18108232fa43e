//! `load --baseline` and `report render --baseline` for load reports: a regression is exit 1
//! with a readable line, a comparison without one is exit 0, a wrong baseline is exit 2; and
//! one run's headline req/s (the steady phase's) is the same figure in every artefact.

use crate::support::cli;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_scimtest"))
}

fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "scimtest-it-compare-{name}-{}",
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

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn json(p: &Path) -> Value {
    serde_json::from_str(&read(p)).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A short run: 2 goose users for 3 s (a steady phase of at least one whole second).
const SHORT: [&str; 4] = ["--users", "2", "--run-time", "3s"];

/// `report` with every operation's figures scaled: latencies × `lat`, req/s × `rps` (the
/// whole attack's and the phases').
fn doctored(report: &Value, lat: f64, rps: f64, run_id: &str) -> Value {
    let mut r = report.clone();
    r["run_id"] = Value::from(run_id);
    let scale = |v: &mut Value, k: &str, f: f64| {
        if let Some(x) = v[k].as_f64() {
            v[k] = Value::from(x * f);
        }
    };
    let l = &mut r["load"];
    scale(l, "rps", rps);
    if let Some(ops) = l["operations"].as_array_mut() {
        for o in ops {
            for k in ["p50_ms", "p95_ms", "p99_ms", "avg_ms", "max_ms"] {
                scale(o, k, lat);
            }
            scale(o, "rps", rps);
        }
    }
    if let Some(phases) = l["phases"].as_array_mut() {
        for p in phases {
            scale(p, "rps", rps);
            if let Some(ops) = p["operations"].as_array_mut() {
                for o in ops {
                    scale(o, "rps", rps);
                }
            }
        }
    }
    r
}

fn write_json(p: &Path, v: &Value) {
    std::fs::write(
        p,
        serde_json::to_string(v).unwrap_or_else(|e| panic!("{e}")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
}

/// The steady phase's req/s of a report.json, as every artefact prints it (one decimal).
fn steady_rps(r: &Value) -> String {
    let p = r["load"]["phases"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["phase"] == "steady"))
        .unwrap_or_else(|| panic!("no steady phase: {}", r["load"]["phases"]));
    format!("{:.1}", p["rps"].as_f64().unwrap_or_else(|| panic!("{p}")))
}

#[test]
fn every_artefact_of_one_run_shows_the_same_steady_req_per_second() {
    let dir = tmpdir("agree");
    let o = bin()
        .arg("load")
        .args(SHORT)
        .arg("--report-dir")
        .arg(&dir)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let printed = text(&o);
    assert_eq!(o.status.code(), Some(0), "{printed}");
    let r = json(&dir.join("report.json"));
    let phases = r["load"]["phases"].as_array().cloned().unwrap_or_default();
    let names: Vec<&str> = phases.iter().filter_map(|p| p["phase"].as_str()).collect();
    assert!(names.contains(&"steady"), "{names:?}");
    let sum: u64 = phases.iter().filter_map(|p| p["requests"].as_u64()).sum();
    assert_eq!(Some(sum), r["load"]["requests"].as_u64(), "phases add up");
    let rps = steady_rps(&r);
    assert_ne!(rps, "0.0");
    let want = format!("{rps} req/s (steady)");
    assert!(printed.contains(&want), "terminal: {want} in {printed}");
    let md = read(&dir.join("report.md"));
    assert!(md.contains(&want), "report.md: {want} in {md}");
    let html = read(&dir.join("index.html"));
    assert!(
        html.contains(&format!("id=\"load-rps\">{rps}<")) && html.contains("req/s (steady)"),
        "index.html: {rps}"
    );
    let junit = read(&dir.join("junit.xml"));
    assert!(
        junit.contains(&format!("name=\"rps\" value=\"{rps}\""))
            && junit.contains("name=\"rps_phase\" value=\"steady\""),
        "junit.xml: {rps} in {junit}"
    );
    // goose's own files (another req/s, a chart library from the network) are not written.
    for f in ["goose.html", "goose.json", "goose.md"] {
        assert!(!dir.join(f).exists(), "{f} written");
    }
    let files = r["load"]["files"].to_string();
    assert!(!files.contains("goose"), "{files}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_regression_against_the_baseline_is_exit_1_with_a_readable_line() {
    let root = tmpdir("regress");
    let first = root.join("first");
    let first_s = first.display().to_string();
    let mut args = vec!["load"];
    args.extend(SHORT);
    args.extend(["--report-dir", &first_s]);
    let outcome = cli::run(&args).await;
    assert_eq!(outcome, Ok(scimtest::cli::Verdict::Passed), "{outcome:?}");
    let r = json(&first.join("report.json"));

    // A baseline ten times faster on every figure: this run regressed.
    let better = root.join("better.json");
    write_json(&better, &doctored(&r, 0.1, 10.0, "fastbase"));
    let second = root.join("second");
    let o = bin()
        .arg("load")
        .args(SHORT)
        .arg("--baseline")
        .arg(&better)
        .arg("--report-dir")
        .arg(&second)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let printed = text(&o);
    assert_eq!(o.status.code(), Some(1), "{printed}");
    assert!(
        printed.contains("against baseline fastbase")
            && printed.contains("REGRESSION: req/s of ")
            && printed.contains("limit 10 %"),
        "{printed}"
    );
    let r2 = json(&second.join("report.json"));
    assert_eq!(r2["exit_code"], 1);
    // Phases and the comparison follow the published schema.
    let schema: Value =
        serde_json::from_str(include_str!("../../docs/report.schema.json")).unwrap_or_default();
    let validator = jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{e}"));
    let errors: Vec<String> = validator.iter_errors(&r2).map(|e| e.to_string()).collect();
    assert!(
        errors.is_empty(),
        "report.json breaks docs/report.schema.json: {errors:?}"
    );
    let c = &r2["load"]["comparison"];
    assert_eq!(c["baseline_run"], "fastbase");
    assert_eq!(c["rps_basis"], "steady");
    let lines: Vec<&str> = c["regressions"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    assert!(
        lines
            .iter()
            .any(|l| l.contains(" regressed ") && l.contains("req/s), limit 10 %")),
        "{lines:?}"
    );
    let failed: Vec<&Value> = r2["checks"]
        .as_array()
        .map(|c| {
            c.iter()
                .filter(|c| c["area"] == "baseline" && c["outcome"] == "fail")
                .collect()
        })
        .unwrap_or_default();
    assert!(!failed.is_empty(), "{}", r2["checks"]);
    let md = read(&second.join("report.md"));
    assert!(
        md.contains("Against baseline `fastbase`") && md.contains("❌"),
        "{md}"
    );
    let html = read(&second.join("index.html"));
    assert!(html.contains("Against baseline") && html.contains("delta regressed"));

    // The same comparison from the saved report: exit 1, and the line printed.
    let o = bin()
        .args(["report", "render"])
        .arg(&first)
        .arg("--baseline")
        .arg(&better)
        .arg("--md")
        .arg(root.join("render.md"))
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let printed = text(&o);
    assert_eq!(o.status.code(), Some(1), "{printed}");
    assert!(printed.contains("regression: req/s of "), "{printed}");
}

#[test]
fn a_comparison_without_regression_exits_0_and_a_wrong_baseline_exits_2() {
    let root = tmpdir("pass");
    let run = root.join("run");
    let o = bin()
        .arg("load")
        .args(SHORT)
        .arg("--report-dir")
        .arg(&run)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let r = json(&run.join("report.json"));

    // Against itself, and against a baseline ten times slower: no regression, exit 0.
    let worse = root.join("worse.json");
    write_json(&worse, &doctored(&r, 10.0, 0.1, "slowbase"));
    for base in [run.join("report.json"), worse] {
        let html = root.join("html");
        let o = bin()
            .args(["report", "render"])
            .arg(&run)
            .arg("--baseline")
            .arg(&base)
            .arg("--html")
            .arg(&html)
            .arg("--md")
            .arg(root.join("r.md"))
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        let md = read(&root.join("r.md"));
        assert!(md.contains("No regression against the baseline."), "{md}");
        assert!(read(&html.join("index.html")).contains("Against baseline"));
    }
    let md = read(&root.join("r.md"));
    assert!(
        md.contains("✅"),
        "the slower baseline shows improvements: {md}"
    );

    // Not a load report, another report format, not JSON: exit 2 before anything runs.
    let mut check = r.clone();
    check["command"] = Value::from("check");
    let mut old = r.clone();
    old["format_version"] = Value::from(0);
    for (name, body, says) in [
        ("check.json", check.to_string(), "not a `load` report"),
        ("old.json", old.to_string(), "format version 0"),
        (
            "junk.json",
            "{\"hello\": 1}".to_string(),
            "not a scimtest report.json",
        ),
    ] {
        let p = root.join(name);
        std::fs::write(&p, body).unwrap_or_else(|e| panic!("{e}"));
        let o = bin()
            .arg("load")
            .args(SHORT)
            .arg("--baseline")
            .arg(&p)
            .arg("--report-dir")
            .arg(root.join("never"))
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        let printed = text(&o);
        assert_eq!(o.status.code(), Some(2), "{name}: {printed}");
        assert!(
            printed.contains(says) && printed.contains("hint:"),
            "{name}: {printed}"
        );
        assert!(
            !printed.contains("requests in"),
            "{name}: the run started: {printed}"
        );
    }
}
