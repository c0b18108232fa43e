//! What the binary prints on a terminal: `-q` and `--verbose`, colour (`--color`, `NO_COLOR`),
//! failures first and grouped by area, every line within 100 columns (check, replay, certify,
//! run; clean and with faults), one run id per `scimtest run`, and `-` as a report path
//! (the report alone on stdout, the summary on stderr).

use scimtest::provider::{Fault, Faults, ProviderConfig, ProviderHandle};
use std::process::{Command, Output};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_scimtest"));
    c.env_remove("NO_COLOR");
    c
}

fn tmpdir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!(
        "scimtest-it-{name}-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&d).unwrap_or_else(|e| panic!("{e}"));
    d
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().unwrap_or_else(|e| panic!("{e}"))
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every line of stdout and stderr fits 100 display columns (escapes take none).
fn assert_fits(what: &str, o: &Output) {
    for (stream, text) in [("stdout", stdout(o)), ("stderr", stderr(o))] {
        for line in text.lines() {
            let w = scimtest::text::display_width(line);
            assert!(w <= 100, "{what} {stream}: {w} columns: {line:?}");
        }
    }
}

/// A provider with `faults`, in a runtime the caller keeps alive while the binary runs.
fn provider(rt: &tokio::runtime::Runtime, faults: &[Fault]) -> ProviderHandle {
    rt.block_on(scimtest::provider::spawn(ProviderConfig {
        hooks: Faults::new(faults.iter().copied()).hooks(),
        ..Default::default()
    }))
    .unwrap_or_else(|e| panic!("{e}"))
}

fn against(cmd: &mut Command, h: &ProviderHandle) {
    cmd.args(["--target", &h.base_url, "--token", &h.token]);
}

/// A broken target: failures come first, grouped by area (each area's lines together, under
/// its heading), one line each with the fix hint; no passes listed; then the totals; every
/// line within 100 columns; no colour when NO_COLOR is set.
#[test]
fn check_lists_failures_first_grouped_by_area_within_100_columns() {
    let rt = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
    let h = provider(&rt, &[Fault::PatchIgnored, Fault::Create200]);
    let dir = tmpdir("term-check-faults");
    let mut cmd = bin();
    cmd.arg("check");
    against(&mut cmd, &h);
    let o = run(cmd.arg("--report-dir").arg(&dir).env("NO_COLOR", "1"));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_fits("check with faults", &o);
    let out = stdout(&o);
    assert!(
        !out.contains('\x1b') && !stderr(&o).contains('\x1b'),
        "NO_COLOR"
    );
    let lines: Vec<&str> = out.lines().collect();
    let totals = lines
        .iter()
        .position(|l| l.starts_with("scimtest check: "))
        .unwrap_or_else(|| panic!("no totals line:\n{out}"));
    let fails: Vec<usize> = (0..lines.len())
        .filter(|i| lines[*i].starts_with("FAIL  "))
        .collect();
    assert!(fails.len() >= 5, "{out}");
    assert!(fails.iter().all(|i| *i < totals), "failures first:\n{out}");
    assert!(
        !lines.iter().any(|l| l.starts_with("PASS")),
        "passes are counted, not listed:\n{out}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("FAIL  patch.replace.simple  ") && l.contains("  fix: ")),
        "one line with the fix hint:\n{out}"
    );
    // Grouped: the lines of one area are contiguous, under one heading `area (n)`.
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap_or_default())
            .unwrap_or_default();
    let area_of = |id: &str| {
        report["checks"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["id"] == id)
            .and_then(|c| c["area"].as_str())
            .unwrap_or_default()
            .to_string()
    };
    let mut seen: Vec<String> = Vec::new();
    let mut previous = String::new();
    for i in &fails {
        let id = lines[*i].split_whitespace().nth(1).unwrap_or_default();
        let area = area_of(id);
        assert!(!area.is_empty(), "{id} is in the report");
        if area != previous {
            assert!(!seen.contains(&area), "area {area} split:\n{out}");
            assert!(
                lines[..*i]
                    .iter()
                    .rev()
                    .find(|l| !l.starts_with("FAIL"))
                    .is_some_and(|l| l.starts_with(&format!("{area} ("))),
                "{area} has a heading:\n{out}"
            );
            seen.push(area.clone());
            previous = area;
        }
    }
    assert!(seen.len() >= 2, "{seen:?}");
    drop(rt);
}

/// `-q`: no progress, no pass lines, the totals; `--verbose`: the passes listed.
#[test]
fn quiet_says_the_verdict_and_verbose_lists_the_passes() {
    let dir = tmpdir("term-quiet");
    let o = run(bin()
        .args(["check", "--only", "users.create.*", "-q", "--report-dir"])
        .arg(&dir));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("0 failed, 0 errors"), "{out}");
    assert!(!out.contains("PASS"), "{out}");
    assert!(
        !out.contains("cleanup:"),
        "a clean cleanup is not news: {out}"
    );
    assert!(
        !stderr(&o).contains("checks against"),
        "no progress: {}",
        stderr(&o)
    );
    assert!(out.lines().count() <= 4, "{out}");

    // -q works after the subcommand and before it.
    let o = run(bin()
        .args(["-q", "check", "--only", "users.create.*", "--report-dir"])
        .arg(&dir));
    assert_eq!(o.status.code(), Some(0));
    assert!(!stdout(&o).contains("gating:"), "{}", stdout(&o));

    let o = run(bin()
        .args(["check", "--only", "users.create.*", "--verbose"])
        .arg("--report-dir")
        .arg(&dir));
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(
        out.lines()
            .any(|l| l.starts_with("PASS  users.create.status-201  ")),
        "{out}"
    );
    assert_fits("check --verbose", &o);
    let e = run(bin().args(["check", "-q", "--verbose"]));
    assert_eq!(e.status.code(), Some(2), "-q and --verbose conflict");
}

/// Colour: `--color always` colours even into a pipe (and wins over NO_COLOR); `never`, and
/// `auto` into a pipe, never do.
#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let dir = tmpdir("term-colour");
    let check = |extra: &[&str], no_color: Option<&str>| {
        let mut c = bin();
        c.args(["check", "--only", "users.create.status-201", "--report-dir"])
            .arg(&dir)
            .args(extra);
        if let Some(v) = no_color {
            c.env("NO_COLOR", v);
        }
        let o = run(&mut c);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        o.stdout.contains(&0x1b)
    };
    assert!(check(&["--color", "always"], None));
    assert!(check(&["--color", "always"], Some("1")), "always wins");
    assert!(!check(&["--color", "never"], None));
    assert!(!check(&[], None), "auto into a pipe");
    assert!(!check(&["--color", "auto"], Some("1")));
    // Report files are never coloured.
    let always = check(&["--color=always"], None);
    assert!(always);
    for f in ["report.json", "junit.xml", "report.md"] {
        let text = std::fs::read(dir.join(f)).unwrap_or_default();
        assert!(!text.contains(&0x1b), "{f} has an escape");
    }
}

/// The replay matrix and its verdict lines fit 100 columns, against the clean provider and one
/// that breaks every profile.
#[test]
fn replay_output_fits_100_columns_clean_and_broken() {
    let rt = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
    let dir = tmpdir("term-replay");
    let o = run(bin()
        .args(["replay", "--report-dir"])
        .arg(dir.join("clean")));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_fits("replay", &o);
    assert!(stdout(&o).contains("WOULD PROVISION"));
    let h = provider(&rt, &[Fault::Create200, Fault::FilterMiss404]);
    let mut cmd = bin();
    cmd.arg("replay");
    against(&mut cmd, &h);
    let o = run(cmd.arg("--report-dir").arg(dir.join("broken")));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_fits("replay with faults", &o);
    let out = stdout(&o);
    assert!(
        out.contains("WOULD BREAK") && out.contains("  why: "),
        "{out}"
    );
    let mut cmd = bin();
    cmd.args(["certify", "--for", "okta-oin"]);
    against(&mut cmd, &h);
    let o = run(cmd.arg("--report-dir").arg(dir.join("certify")));
    assert_fits("certify with faults", &o);
    assert!(stdout(&o).contains("FAILED"), "{}", stdout(&o));
    let o = run(bin()
        .args(["certify", "--for", "okta-oin", "--report-dir"])
        .arg(dir.join("certify-clean")));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_fits("certify", &o);
    drop(rt);
}

/// `scimtest run` mints one run id: its output names one, and every part's report.json and
/// the index carry it. Every line fits 100 columns.
#[test]
fn run_has_one_run_id_for_every_part() {
    let dir = tmpdir("term-run");
    let o = run(bin().args(["run", "--report-dir"]).arg(&dir));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_fits("run", &o);
    let all = stdout(&o) + &stderr(&o);
    let re = regex::Regex::new(r"\brun ([0-9a-f]{8})\b").unwrap_or_else(|e| panic!("{e}"));
    let ids: std::collections::BTreeSet<&str> = re
        .captures_iter(&all)
        .filter_map(|c| c.get(1))
        .map(|m| m.as_str())
        .collect();
    assert_eq!(ids.len(), 1, "{ids:?}\n{all}");
    let id = ids.first().copied().unwrap_or_default();
    let read = |p: std::path::PathBuf| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(&p).unwrap_or_default())
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    };
    assert_eq!(read(dir.join("index.json"))["run_id"], id);
    for part in ["check", "replay", "load"] {
        assert_eq!(
            read(dir.join(part).join("report.json"))["run_id"],
            id,
            "{part}"
        );
    }
}

/// `--report-json -`: stdout is the JSON report and nothing else; the summary is on stderr.
/// Two `-` are a usage error.
#[test]
fn a_dash_report_path_is_stdout_and_the_summary_moves_to_stderr() {
    let dir = tmpdir("term-dash");
    let o = run(bin()
        .args(["check", "--only", "users.create.*", "--report-json", "-"])
        .arg("--report-dir")
        .arg(&dir));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(&o)));
    assert_eq!(v["command"], "check");
    assert!(stderr(&o).contains("scimtest check: "), "{}", stderr(&o));
    assert!(
        dir.join("report.json").is_file(),
        "the report dir still has its files"
    );
    assert!(!std::path::Path::new("-").exists(), "no file named -");

    let o = run(bin()
        .args(["replay", "--idp", "okta", "--report-md", "-"])
        .arg("--report-dir")
        .arg(dir.join("replay")));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).starts_with('#'), "{}", stdout(&o));
    assert!(
        !stdout(&o).contains("WOULD PROVISION\n"),
        "no matrix on stdout"
    );
    assert!(stderr(&o).contains("WOULD PROVISION"), "{}", stderr(&o));

    let o = run(bin().args(["check", "--report-json", "-", "--report-junit", "-"]));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
    // goose prints on stdout during an attack ("All 2 users launched."): with `-`, its lines
    // go to stderr, and stdout is the report alone.
    let o = run(bin()
        .args([
            "load",
            "--duration",
            "1s",
            "--users",
            "2",
            "--report-json",
            "-",
        ])
        .arg("--report-dir")
        .arg(dir.join("load")));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(&o)));
    assert_eq!(v["command"], "load");
    assert!(stderr(&o).contains("users launched"), "{}", stderr(&o));
    assert!(stderr(&o).contains("scimtest load: "), "{}", stderr(&o));
}
