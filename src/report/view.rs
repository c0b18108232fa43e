//! The view of one or more [`RunReport`]s that the HTML site and the certificate render: every
//! figure a template shows is computed here, so templates only lay out and escape. Nothing
//! here decides a verdict the run did not already decide; it only summarises.

use super::model::{CheckReport, Counts, Level, Outcome, RunReport};
use super::readiness::{Basis, ReadyState, TestVerdict};
use crate::client::exchange::Exchange;
use crate::report::series::OpSeries;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Longest body shown per request or response in the HTML, in bytes (report.json has all).
const BODY_MAX: usize = 64 * 1024;

/// Level display order.
const LEVELS: [Level; 5] = [
    Level::Must,
    Level::Should,
    Level::May,
    Level::Advice,
    Level::Dialect,
];

/// The whole page: one part per report, plus what a baseline changed.
#[derive(Debug, Serialize)]
pub struct Page {
    /// `<title>` and heading.
    pub title: String,
    /// scimtest's version (the renderer's).
    pub tool_version: String,
    /// Overall class: `pass`, `warn` or `fail` (the worst part).
    pub class: &'static str,
    /// The parts, in the order given.
    pub parts: Vec<Part>,
}

/// One report.
#[derive(Debug, Serialize)]
pub struct Part {
    /// `check`, `replay`, `load` (also the HTML anchor).
    pub command: String,
    /// HTML id of the section.
    pub anchor: String,
    /// The run id.
    pub run_id: String,
    /// The target (never with credentials).
    pub target: String,
    /// Whether it was the embedded provider.
    pub embedded: bool,
    /// RFC 3339 start.
    pub started_at: String,
    /// Wall time, seconds.
    pub duration_s: String,
    /// The scimtest version that ran it.
    pub tool_version: String,
    /// `check`: the catalogue version.
    pub catalogue_version: Option<String>,
    /// `pass`, `warn` or `fail`.
    pub class: &'static str,
    /// One line: what the verdict is.
    pub verdict: String,
    /// `check`: the gating levels (`MUST, dialect`), when the report says.
    pub gating: Option<String>,
    /// The exit code the run ended with, when the report says.
    pub exit_code: Option<i32>,
    /// Counts over all checks.
    pub counts: Counts,
    /// One row per level that occurs.
    pub levels: Vec<CountRow>,
    /// One row per area.
    pub areas: Vec<CountRow>,
    /// Areas, for the filter.
    pub area_names: Vec<String>,
    /// Every check, catalogue order.
    pub checks: Vec<CheckView>,
    /// Whether any check failed or errored (the filter then starts with passes hidden).
    pub has_problems: bool,
    /// `replay`: IdP × profile matrix.
    pub matrix: Option<Matrix>,
    /// `load`: figures, thresholds, plots.
    pub load: Option<LoadView>,
    /// What a `--baseline` changed.
    pub diff: Option<Diff>,
    /// Cleanup.
    pub cleanup: super::model::CleanupReport,
    /// Skipped checks as `(reason, count)`, most frequent first.
    pub skipped: Vec<(String, usize)>,
    /// `certify`: the readiness per vendor programme.
    pub readiness: Vec<ReadinessView>,
}

/// `certify`: one vendor programme as shown.
#[derive(Debug, Serialize)]
pub struct ReadinessView {
    /// `entra-gallery`.
    pub program: String,
    /// HTML id of the block.
    pub anchor: String,
    /// `Microsoft Entra app gallery`.
    pub title: String,
    /// `ready`, `not-ready`, `incomplete`.
    pub state: &'static str,
    /// `ready for submission`, `not ready`, `incomplete: no verdict`.
    pub headline: String,
    /// `pass` (ready), `fail` (not ready), `warn` (incomplete).
    pub class: &'static str,
    /// The vendor suites predicted.
    pub suite: String,
    /// `25 tests: 20 passed, 1 failed, …`.
    pub tally: String,
    /// What blocks the submission.
    pub blockers: Vec<String>,
    /// What does not block.
    pub warnings: Vec<String>,
    /// The attribute mapping used.
    pub mapping: Option<String>,
    /// The vendor's rule.
    pub rule: String,
    /// A prediction of the vendor's review, not a replacement for it.
    pub scope: String,
    /// Every vendor test, in the vendor's order.
    pub tests: Vec<VendorTestView>,
}

/// One vendor test as shown.
#[derive(Debug, Serialize)]
pub struct VendorTestView {
    /// The vendor's name (`Create_User_Test`).
    pub name: String,
    /// HTML id of its row.
    pub anchor: String,
    /// The vendor's grouping.
    pub group: String,
    /// `mandatory` / `optional`.
    pub category: &'static str,
    /// `pass`, `fail`, `warning`, `skipped`, `unknown`.
    pub verdict: &'static str,
    /// `PASSED`, `FAILED`, `WARNING`, `SKIPPED`, `UNKNOWN`.
    pub label: &'static str,
    /// Badge class: `pass`, `fail`, `warn`, `skip`, `error`.
    pub class: &'static str,
    /// Why (for a skip without a reason: when the vendor skips it).
    pub reason: String,
    /// What the vendor's test validates.
    pub validates: String,
    /// What needs the vendor's own system.
    pub needs_vendor: Option<String>,
    /// The checks the verdict is built from.
    pub judged_by: Vec<BasisView>,
    /// Checks shown for context.
    pub related: Vec<BasisView>,
}

/// A check a vendor test's verdict cites, linked to its entry on the page.
#[derive(Debug, Serialize)]
pub struct BasisView {
    /// The check id.
    pub id: String,
    /// Its outcome (`pass`, `fail`, `error`, `skip`).
    pub outcome: &'static str,
    /// `#<anchor of the check's entry>`, when the report has that check.
    pub href: Option<String>,
}

/// Counts with a label.
#[derive(Debug, Serialize)]
pub struct CountRow {
    /// `MUST`, `users`, ...
    pub label: String,
    /// The counts.
    pub counts: Counts,
    /// Pass rate over pass + fail + error, percent with one decimal, or `n/a`.
    pub rate: String,
}

/// One check as shown.
#[derive(Debug, Serialize)]
pub struct CheckView {
    /// Stable id.
    pub id: String,
    /// HTML id.
    pub anchor: String,
    /// Title.
    pub title: String,
    /// RFC section.
    pub rfc: String,
    /// `must`, `should`, ...
    pub level: &'static str,
    /// `MUST`, `SHOULD`, ...
    pub level_label: &'static str,
    /// The area.
    pub area: String,
    /// `pass`, `fail`, `error`, `skip`.
    pub outcome: &'static str,
    /// Expected vs actual (the check's reason).
    pub reason: String,
    /// How to fix it.
    pub hint: Option<String>,
    /// The RFC sentence behind the check's level.
    pub quote: Option<String>,
    /// Milliseconds.
    pub duration_ms: String,
    /// The exchanges.
    pub exchanges: Vec<ExchangeView>,
    /// Against the baseline: `new failure`, `fixed`, `known failure`, `new check`, or none.
    pub change: Option<&'static str>,
}

/// One exchange as text blocks.
#[derive(Debug, Serialize)]
pub struct ExchangeView {
    /// `POST https://…/Users`.
    pub request_line: String,
    /// `Name: value` (already redacted at the source).
    pub request_headers: Vec<String>,
    /// Pretty-printed when JSON, clipped.
    pub request_body: Option<String>,
    /// `HTTP 201 · 3 ms` or `no response after 10000 ms: <error>`.
    pub status_line: String,
    /// The status class for colour: `ok`, `bad`, `none`.
    pub status_class: &'static str,
    /// `Name: value`.
    pub response_headers: Vec<String>,
    /// Pretty-printed when JSON, clipped.
    pub response_body: Option<String>,
}

/// The replay matrix: one row per IdP profile, one column per flow.
#[derive(Debug, Serialize)]
pub struct Matrix {
    /// Flow names (columns), in first-seen order.
    pub flows: Vec<String>,
    /// Rows.
    pub rows: Vec<MatrixRow>,
}

/// One IdP profile.
#[derive(Debug, Serialize)]
pub struct MatrixRow {
    /// The product and its configuration (`Okta — OIN app`), or the IdP name without a
    /// manifest.
    pub product: String,
    /// How faithful the profile's traffic is (`vendor-doc`), empty without a manifest.
    pub faithfulness: String,
    /// `entra`.
    pub idp: String,
    /// `default`.
    pub profile: String,
    /// Would it provision.
    pub ok: bool,
    /// The verdict line.
    pub verdict: String,
    /// One cell per column: `(outcome, title text)`; `("", "")` when the flow was not replayed.
    pub cells: Vec<(String, String)>,
    /// Where it breaks, spelled out.
    pub breaks: Vec<BreakView>,
}

/// Where one flow breaks.
#[derive(Debug, Serialize)]
pub struct BreakView {
    /// The flow.
    pub flow: String,
    /// `step 3 (set-manager)`.
    pub at: String,
    /// What came back.
    pub got: String,
    /// Why the IdP stops.
    pub why: String,
    /// RFC reference.
    pub rfc: Option<String>,
}

/// A load run.
#[derive(Debug, Serialize)]
pub struct LoadView {
    /// Scenario name.
    pub scenario: String,
    /// What it models.
    pub description: String,
    /// Goose users.
    pub users: usize,
    /// Seconds.
    pub duration_s: String,
    /// Requests.
    pub requests: u64,
    /// Errors.
    pub errors: u64,
    /// 429s.
    pub throttled: u64,
    /// req/s: the headline, over `rps_phase`.
    pub rps: String,
    /// What `rps` is over: `steady` (the steady phase) or `whole attack`.
    pub rps_phase: &'static str,
    /// The attack's phases, one figure each.
    pub phases: Vec<PhaseRow>,
    /// `--baseline`: both runs side by side per operation.
    pub comparison: Option<CompareView>,
    /// CPU per 1,000 requests, if measured.
    pub cpu: Option<String>,
    /// Shard line, if a shard or a merge.
    pub shard: Option<String>,
    /// Per operation.
    pub ops: Vec<OpRow>,
    /// Thresholds.
    pub thresholds: Vec<super::model::ThresholdReport>,
    /// The plots over time: throughput, errors and 429s, active users, latency (SVG from our
    /// own plot code, escaped there).
    pub time_plots: Vec<PlotView>,
    /// Latency histograms, per operation: `(op, SVG)`.
    pub plots: Vec<(String, String)>,
}

/// One phase of the attack.
#[derive(Debug, Serialize)]
pub struct PhaseRow {
    /// `ramp-up`, `steady`, `ramp-down`.
    pub phase: &'static str,
    /// `1–9 s`.
    pub seconds: String,
    /// Requests.
    pub requests: u64,
    /// Errors.
    pub errors: u64,
    /// req/s (one decimal).
    pub rps: String,
}

/// A load run against its baseline.
#[derive(Debug, Serialize)]
pub struct CompareView {
    /// The baseline's run id.
    pub baseline_run: String,
    /// The baseline's start.
    pub baseline_started_at: String,
    /// The baseline's scenario.
    pub baseline_scenario: String,
    /// What req/s is over.
    pub rps_basis: String,
    /// Headline req/s, baseline and this run.
    pub baseline_rps: String,
    /// This run's.
    pub current_rps: String,
    /// `p95 +10%, req/s -10%`, or `none`.
    pub rules: String,
    /// Metric names (columns).
    pub metrics: Vec<&'static str>,
    /// One row per operation in both runs.
    pub rows: Vec<CompareRow>,
    /// Only in the baseline.
    pub only_in_baseline: Vec<String>,
    /// Only in this run.
    pub only_in_run: Vec<String>,
    /// The readable regression lines.
    pub regressions: Vec<String>,
}

/// One operation in both runs.
#[derive(Debug, Serialize)]
pub struct CompareRow {
    /// `POST /Users`.
    pub op: String,
    /// Why it was not judged, if not.
    pub note: Option<String>,
    /// One cell per metric.
    pub cells: Vec<CompareCell>,
}

/// One figure in both runs.
#[derive(Debug, Serialize)]
pub struct CompareCell {
    /// The baseline's figure.
    pub baseline: String,
    /// This run's.
    pub current: String,
    /// `+23%`, or empty.
    pub change: String,
    /// `regressed`, `worse`, `better`, `same` (the colour).
    pub class: &'static str,
}

/// One plot of a load run.
#[derive(Debug, Serialize)]
pub struct PlotView {
    /// Its kind (`throughput-over-time`, ...), for the figure's id.
    pub id: String,
    /// Caption.
    pub caption: String,
    /// The SVG.
    pub svg: String,
}

/// One operation's figures.
#[derive(Debug, Serialize)]
pub struct OpRow {
    /// `POST /Users`.
    pub op: String,
    /// Requests.
    pub requests: u64,
    /// Errors.
    pub errors: u64,
    /// req/s, p50, p95, p99, avg, max (formatted).
    pub figures: Vec<String>,
    /// `201 × 120, 409 × 3`.
    pub statuses: String,
}

/// What changed against a baseline report of the same command.
#[derive(Debug, Default, Serialize)]
pub struct Diff {
    /// The baseline's run id.
    pub baseline_run: String,
    /// The baseline's start.
    pub baseline_started_at: String,
    /// Failing or erroring now, passing (or skipped) in the baseline.
    pub new_failures: Vec<String>,
    /// Passing now, failing or erroring in the baseline.
    pub fixed: Vec<String>,
    /// Failing or erroring in both.
    pub known_failures: Vec<String>,
    /// In this run, not in the baseline.
    pub added: Vec<String>,
    /// In the baseline, not in this run.
    pub removed: Vec<String>,
}

fn level_label(l: Level) -> &'static str {
    match l {
        Level::Must => "MUST",
        Level::Should => "SHOULD",
        Level::May => "MAY",
        Level::Advice => "advice",
        Level::Dialect => "dialect",
    }
}

/// Pass rate over the checks that reached a verdict or should have (pass + fail + error).
pub fn rate(c: &Counts) -> String {
    let judged = c.pass + c.fail + c.error;
    if judged == 0 {
        "n/a".into()
    } else {
        format!("{:.1}%", 100.0 * c.pass as f64 / judged as f64)
    }
}

/// `pass` / `warn` / `fail` and the one-line verdict of a report. An interrupted or
/// incomplete run says INCOMPLETE and claims nothing about what did not run.
pub fn verdict(r: &RunReport) -> (&'static str, String) {
    let (class, text) = complete_verdict(r);
    if r.status.is_complete() {
        return (class, text);
    }
    (
        if class == "fail" { "fail" } else { "warn" },
        format!(
            "INCOMPLETE ({}): {} failed, {} errors, {} passed before it stopped; no verdict for what did not run",
            r.status.as_str(),
            r.counts.fail,
            r.counts.error,
            r.counts.pass
        ),
    )
}

fn complete_verdict(r: &RunReport) -> (&'static str, String) {
    if !r.readiness.is_empty() {
        // `certify`: the programmes' answers, as the report decided them.
        let class = r
            .readiness
            .iter()
            .fold("pass", |a, x| worst(a, state_class(x.state)));
        let text = r
            .readiness
            .iter()
            .map(|x| format!("{}: {}", x.title, x.state.headline()))
            .collect::<Vec<_>>()
            .join(" · ");
        return (class, text);
    }
    match r.command.as_str() {
        "replay" => {
            let replayed = r.profiles.iter().filter(|p| p.replayed()).count();
            let ok = r
                .profiles
                .iter()
                .filter(|p| p.replayed() && p.would_provision)
                .count();
            let class = if r.profiles.is_empty() || r.counts.error > 0 {
                "warn"
            } else if ok == replayed {
                "pass"
            } else {
                "fail"
            };
            (
                class,
                format!("{ok} of {replayed} IdP profiles would provision"),
            )
        }
        "load" => {
            let Some(l) = &r.load else {
                return ("warn", "no load figures".into());
            };
            let breached = l.thresholds.iter().filter(|t| !t.passed).count();
            let correctness: Vec<&CheckReport> =
                r.checks.iter().filter(|c| c.area == "load").collect();
            let must_failed = correctness
                .iter()
                .any(|c| c.level == Level::Must && is_problem(c.outcome));
            let regressed = l.comparison.as_ref().is_some_and(|c| c.regressed());
            let class = if breached > 0 || must_failed || regressed {
                "fail"
            } else if l.errors > 0 || r.counts.fail + r.counts.error > 0 {
                "warn"
            } else {
                "pass"
            };
            (
                class,
                format!(
                    "{} requests, {:.1} req/s ({}), {} errors; {} of {} thresholds held; {} of {} correctness checks passed{}",
                    l.requests,
                    crate::report::compare::headline_rps(l).0,
                    crate::report::compare::headline_rps(l).1,
                    l.errors,
                    l.thresholds.len() - breached,
                    l.thresholds.len(),
                    correctness
                        .iter()
                        .filter(|c| c.outcome == Outcome::Pass)
                        .count(),
                    correctness.len(),
                    match &l.comparison {
                        Some(c) if c.regressed() => format!(
                            "; {} regressions against baseline {}",
                            c.regressions.len(),
                            c.baseline_run
                        ),
                        Some(c) => format!("; no regression against baseline {}", c.baseline_run),
                        None => String::new(),
                    }
                ),
            )
        }
        _ => {
            let must_failed = r.gate_failed();
            let class = if must_failed {
                "fail"
            } else if r.counts.fail + r.counts.error > 0 || r.counts.total() == 0 {
                "warn"
            } else {
                "pass"
            };
            (
                class,
                format!(
                    "{} failed, {} errors, {} passed, {} skipped",
                    r.counts.fail, r.counts.error, r.counts.pass, r.counts.skip
                ),
            )
        }
    }
}

/// A programme's answer as a class: ready `pass`, not ready `fail`, incomplete `warn`.
fn state_class(s: ReadyState) -> &'static str {
    match s {
        ReadyState::Ready => "pass",
        ReadyState::NotReady => "fail",
        ReadyState::Incomplete => "warn",
    }
}

/// `certify`: the programmes of `r`, each cited check linked to its entry in part `part`.
fn readiness_views(r: &RunReport, part: &str) -> Vec<ReadinessView> {
    let present: BTreeSet<&str> = r.checks.iter().map(|c| c.id.as_str()).collect();
    let basis = |b: &[Basis]| -> Vec<BasisView> {
        b.iter()
            .map(|b| BasisView {
                id: b.id.clone(),
                outcome: b.outcome.as_str(),
                href: present
                    .contains(b.id.as_str())
                    .then(|| format!("#{}", anchor(&format!("{part}-"), &b.id))),
            })
            .collect()
    };
    r.readiness
        .iter()
        .map(|x| {
            let block = anchor(&format!("{part}-readiness-"), &x.program);
            let [pass, fail, warning, skipped, unknown] = x.tally();
            ReadinessView {
                program: x.program.clone(),
                title: x.title.clone(),
                state: x.state.as_str(),
                headline: x.state.headline().to_string(),
                class: state_class(x.state),
                suite: x.suite.clone(),
                tally: format!(
                    "{} tests: {pass} passed, {fail} failed, {warning} warning{}, {skipped} skipped, {unknown} without a verdict",
                    x.tests.len(),
                    if warning == 1 { "" } else { "s" }
                ),
                blockers: x.blockers.clone(),
                warnings: x.warnings.clone(),
                mapping: x.mapping.clone(),
                rule: x.rule.clone(),
                scope: x.scope.clone(),
                tests: x
                    .tests
                    .iter()
                    .map(|t| VendorTestView {
                        name: t.name.clone(),
                        anchor: anchor(&format!("{block}-"), &t.name),
                        group: t.group.clone(),
                        category: t.category.as_str(),
                        verdict: t.verdict.as_str(),
                        label: t.verdict.label(),
                        class: match t.verdict {
                            TestVerdict::Pass => "pass",
                            TestVerdict::Fail => "fail",
                            TestVerdict::Warning => "warn",
                            TestVerdict::Skipped => "skip",
                            TestVerdict::Unknown => "error",
                        },
                        reason: clip(
                            if t.reason.is_empty() && t.verdict == TestVerdict::Skipped {
                                &t.skipped_when
                            } else {
                                &t.reason
                            },
                            8000,
                        ),
                        validates: t.validates.clone(),
                        needs_vendor: t.needs_vendor.clone(),
                        judged_by: basis(&t.judged_by),
                        related: basis(&t.related),
                    })
                    .collect(),
                anchor: block,
            }
        })
        .collect()
}

fn worst(a: &'static str, b: &'static str) -> &'static str {
    let rank = |c: &str| match c {
        "fail" => 2,
        "warn" => 1,
        _ => 0,
    };
    if rank(b) > rank(a) { b } else { a }
}

/// Cut `s` at `max` bytes on a char boundary, saying how much was left out.
fn clip(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!(
        "{}\n… ({} more bytes in report.json)",
        &s[..end],
        s.len() - end
    )
}

fn body(b: &Option<String>) -> Option<String> {
    let b = b.as_deref().filter(|b| !b.is_empty())?;
    let pretty = serde_json::from_str::<serde_json::Value>(b)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok());
    Some(clip(pretty.as_deref().unwrap_or(b), BODY_MAX))
}

fn exchange(x: &Exchange) -> ExchangeView {
    let (status_line, status_class) = match (x.status, &x.error) {
        (Some(s), _) => (
            format!("HTTP {s} · {:.0} ms", x.duration_ms),
            if s < 400 { "ok" } else { "bad" },
        ),
        (None, Some(e)) => (
            format!(
                "no response after {:.0} ms: {}",
                x.duration_ms,
                clip(e, 2000)
            ),
            "none",
        ),
        (None, None) => (format!("no response after {:.0} ms", x.duration_ms), "none"),
    };
    ExchangeView {
        request_line: clip(&format!("{} {}", x.method, x.url), 4000),
        request_headers: x
            .request_headers
            .iter()
            .map(|(n, v)| clip(&format!("{n}: {v}"), 1000))
            .collect(),
        request_body: body(&x.request_body),
        status_line,
        status_class,
        response_headers: x
            .response_headers
            .iter()
            .map(|(n, v)| clip(&format!("{n}: {v}"), 1000))
            .collect(),
        response_body: body(&x.response_body),
    }
}

fn anchor(prefix: &str, id: &str) -> String {
    let mut s = String::from(prefix);
    for c in id.chars() {
        s.push(if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
            c
        } else {
            '_'
        });
    }
    s
}

fn is_problem(o: Outcome) -> bool {
    matches!(o, Outcome::Fail | Outcome::Error)
}

/// What changed between `base` and `cur` (same command).
pub fn diff(cur: &RunReport, base: &RunReport) -> Diff {
    let before: BTreeMap<&str, Outcome> = base
        .checks
        .iter()
        .map(|c| (c.id.as_str(), c.outcome))
        .collect();
    let now: BTreeSet<&str> = cur.checks.iter().map(|c| c.id.as_str()).collect();
    let mut d = Diff {
        baseline_run: base.run_id.clone(),
        baseline_started_at: base.started_at.clone(),
        ..Diff::default()
    };
    for c in &cur.checks {
        match before.get(c.id.as_str()) {
            None => d.added.push(c.id.clone()),
            Some(b) if is_problem(c.outcome) && is_problem(*b) => {
                d.known_failures.push(c.id.clone())
            }
            Some(_) if is_problem(c.outcome) => d.new_failures.push(c.id.clone()),
            Some(b) if is_problem(*b) && c.outcome == Outcome::Pass => d.fixed.push(c.id.clone()),
            Some(_) => {}
        }
    }
    d.removed = base
        .checks
        .iter()
        .filter(|c| !now.contains(c.id.as_str()))
        .map(|c| c.id.clone())
        .collect();
    d
}

fn change_of(id: &str, d: &Diff) -> Option<&'static str> {
    let has = |v: &Vec<String>| v.iter().any(|x| x == id);
    if has(&d.new_failures) {
        Some("new failure")
    } else if has(&d.fixed) {
        Some("fixed")
    } else if has(&d.known_failures) {
        Some("known failure")
    } else if has(&d.added) {
        Some("new check")
    } else {
        None
    }
}

fn check_view(c: &CheckReport, d: Option<&Diff>, part: &str) -> CheckView {
    CheckView {
        id: c.id.clone(),
        anchor: anchor(&format!("{part}-"), &c.id),
        title: c.title.clone(),
        rfc: c.rfc.clone(),
        level: c.level.as_str(),
        level_label: level_label(c.level),
        area: c.area.clone(),
        outcome: c.outcome.as_str(),
        reason: clip(&c.reason, 8000),
        hint: c.hint.clone(),
        quote: c.quote.clone(),
        duration_ms: format!("{:.0}", c.duration_ms),
        exchanges: c.evidence.iter().map(exchange).collect(),
        change: d.and_then(|d| change_of(&c.id, d)),
    }
}

fn matrix(r: &RunReport) -> Option<Matrix> {
    if r.profiles.is_empty() {
        return None;
    }
    let mut flows: Vec<String> = Vec::new();
    for p in &r.profiles {
        for f in &p.flows {
            if !flows.contains(&f.flow) {
                flows.push(f.flow.clone());
            }
        }
    }
    let rows = r
        .profiles
        .iter()
        .map(|p| MatrixRow {
            product: p
                .about
                .as_ref()
                .map_or_else(|| p.idp.clone(), |a| a.label()),
            faithfulness: p
                .about
                .as_ref()
                .map(|a| a.faithfulness.clone())
                .unwrap_or_default(),
            idp: p.idp.clone(),
            profile: p.profile.clone(),
            ok: p.would_provision && r.status.is_complete(),
            verdict: if p.would_provision && !r.status.is_complete() {
                format!("no verdict: the run was {}", r.status.as_str())
            } else {
                p.verdict.clone()
            },
            cells: flows
                .iter()
                .map(|name| match p.flows.iter().find(|f| &f.flow == name) {
                    Some(f) if f.not_configured.is_some() => (
                        "na".to_string(),
                        format!(
                            "not configured: {}",
                            f.not_configured.as_deref().unwrap_or_default()
                        ),
                    ),
                    Some(f) => (
                        f.outcome.as_str().to_string(),
                        match (&f.break_at, f.left_out.len()) {
                            (Some(b), _) => format!("step {} ({}): {}", b.step, b.name, b.got),
                            (None, 0) => format!("{} steps went through", f.steps.len()),
                            (None, n) => format!(
                                "{} steps went through; {n} left out by the configuration",
                                f.steps.len()
                            ),
                        },
                    ),
                    None => match p
                        .about
                        .iter()
                        .flat_map(|a| &a.not_applicable)
                        .find(|n| &n.flow == name)
                    {
                        Some(n) => ("na".to_string(), format!("not applicable: {}", n.why)),
                        None => (String::new(), String::new()),
                    },
                })
                .collect(),
            breaks: p
                .flows
                .iter()
                .filter_map(|f| {
                    f.break_at.as_ref().map(|b| BreakView {
                        flow: f.flow.clone(),
                        at: format!("step {} ({})", b.step, b.name),
                        got: b.got.clone(),
                        why: b.why.clone(),
                        rfc: b.rfc.clone(),
                    })
                })
                .collect(),
        })
        .collect();
    Some(Matrix { flows, rows })
}

fn ms(us: f64) -> String {
    let ms = us / 1000.0;
    if ms < 10.0 {
        format!("{ms:.2}")
    } else if ms < 100.0 {
        format!("{ms:.1}")
    } else {
        format!("{ms:.0}")
    }
}

fn compare_view(c: &crate::report::compare::Comparison) -> CompareView {
    let fig = |m: crate::report::compare::Metric, x: f64| match m {
        crate::report::compare::Metric::Rps => format!("{x:.1}"),
        _ => ms(x * 1000.0),
    };
    CompareView {
        baseline_run: c.baseline_run.clone(),
        baseline_started_at: c.baseline_started_at.clone(),
        baseline_scenario: c.baseline_scenario.clone(),
        rps_basis: c.rps_basis.clone(),
        baseline_rps: format!("{:.1}", c.baseline_rps),
        current_rps: format!("{:.1}", c.current_rps),
        rules: if c.rules.is_empty() {
            "none".into()
        } else {
            c.rules.join(", ")
        },
        metrics: crate::report::compare::Metric::ALL
            .iter()
            .map(|m| m.label())
            .collect(),
        rows: c
            .operations
            .iter()
            .map(|o| CompareRow {
                op: o.op.clone(),
                note: o.note.clone(),
                cells: crate::report::compare::Metric::ALL
                    .iter()
                    .map(|m| match o.metrics.iter().find(|d| d.metric == *m) {
                        Some(d) => CompareCell {
                            baseline: fig(d.metric, d.baseline),
                            current: fig(d.metric, d.current),
                            change: d.change_pct.map_or(String::new(), |p| format!("{p:+.0}%")),
                            class: d.change.as_str(),
                        },
                        None => CompareCell {
                            baseline: "–".into(),
                            current: "–".into(),
                            change: String::new(),
                            class: "same",
                        },
                    })
                    .collect(),
            })
            .collect(),
        only_in_baseline: c.only_in_baseline.clone(),
        only_in_run: c.only_in_run.clone(),
        regressions: c.regressions.clone(),
    }
}

fn load_view(r: &RunReport) -> Option<LoadView> {
    let l = r.load.as_ref()?;
    let series: &[OpSeries] = &l.series;
    let (time_plots, plots): (Vec<_>, Vec<_>) =
        crate::report::plot::load_plots(series, &l.active_users)
            .into_iter()
            .partition(|p| p.op.is_none());
    let time_plots: Vec<PlotView> = time_plots
        .into_iter()
        .map(|p| PlotView {
            id: p.kind.to_string(),
            caption: p.caption,
            svg: p.svg,
        })
        .collect();
    let plots: Vec<(String, String)> = plots
        .into_iter()
        .map(|p| (p.op.unwrap_or_default(), p.svg))
        .collect();
    Some(LoadView {
        scenario: l.scenario.clone(),
        description: l.description.clone(),
        users: l.users,
        duration_s: format!("{:.1}", l.duration_s),
        requests: l.requests,
        errors: l.errors,
        throttled: l.throttled,
        rps: format!("{:.1}", crate::report::compare::headline_rps(l).0),
        rps_phase: crate::report::compare::headline_rps(l).1,
        phases: l
            .phases
            .iter()
            .map(|p| PhaseRow {
                phase: p.phase.as_str(),
                seconds: format!("{}–{} s", p.start_s, p.end_s),
                requests: p.requests,
                errors: p.errors,
                rps: format!("{:.1}", p.rps),
            })
            .collect(),
        comparison: l.comparison.as_ref().map(compare_view),
        cpu: l.cpu_ms_per_1000.map(|c| format!("{c:.1}")),
        shard: l.shard.as_ref().map(|s| {
            if s.indices.len() == 1 {
                format!("shard {} of {}", s.indices[0], s.count)
            } else {
                format!("merge of {} shards of {}", s.indices.len(), s.count)
            }
        }),
        ops: l
            .operations
            .iter()
            .map(|o| OpRow {
                op: o.op.clone(),
                requests: o.requests,
                errors: o.errors,
                figures: vec![
                    format!("{:.0}", o.rps),
                    ms(o.p50_ms * 1000.0),
                    ms(o.p95_ms * 1000.0),
                    ms(o.p99_ms * 1000.0),
                    ms(o.avg_ms * 1000.0),
                    ms(o.max_ms * 1000.0),
                ],
                statuses: o
                    .status_counts
                    .iter()
                    .map(|(s, n)| format!("{s} × {n}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            })
            .collect(),
        thresholds: l.thresholds.clone(),
        time_plots,
        plots,
    })
}

fn part(r: &RunReport, baseline: Option<&RunReport>, n: usize) -> Part {
    let (class, verdict) = verdict(r);
    let diff = baseline
        .filter(|b| b.command == r.command)
        .map(|b| diff(r, b));
    let anchor = if n == 0 {
        r.command.clone()
    } else {
        format!("{}-{n}", r.command)
    };
    let mut levels = Vec::new();
    for l in LEVELS {
        let mut c = Counts::default();
        for x in r.checks.iter().filter(|x| x.level == l) {
            c.add(x.outcome);
        }
        if c.total() > 0 {
            levels.push(CountRow {
                label: level_label(l).into(),
                rate: rate(&c),
                counts: c,
            });
        }
    }
    let mut by_area: BTreeMap<String, Counts> = BTreeMap::new();
    for x in &r.checks {
        by_area.entry(x.area.clone()).or_default().add(x.outcome);
    }
    let mut skipped: BTreeMap<String, usize> = BTreeMap::new();
    for x in r.checks.iter().filter(|x| x.outcome == Outcome::Skip) {
        *skipped.entry(x.reason.clone()).or_default() += 1;
    }
    let mut skipped: Vec<(String, usize)> = skipped.into_iter().collect();
    skipped.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut counts = Counts::default();
    for x in &r.checks {
        counts.add(x.outcome);
    }
    Part {
        command: r.command.clone(),
        run_id: r.run_id.clone(),
        target: r.target.clone(),
        embedded: r.embedded_target,
        started_at: r.started_at.clone(),
        duration_s: format!("{:.1}", r.duration_ms / 1000.0),
        tool_version: r.tool_version.clone(),
        catalogue_version: r.catalogue_version.clone(),
        class,
        verdict,
        gating: (!r.gating.is_empty()).then(|| {
            r.gating
                .iter()
                .map(|l| level_label(*l))
                .collect::<Vec<_>>()
                .join(", ")
        }),
        exit_code: r.exit_code,
        has_problems: r.checks.iter().any(|c| is_problem(c.outcome)),
        area_names: by_area.keys().cloned().collect(),
        areas: by_area
            .into_iter()
            .map(|(label, counts)| CountRow {
                label,
                rate: rate(&counts),
                counts,
            })
            .collect(),
        levels,
        counts,
        checks: r
            .checks
            .iter()
            .map(|c| check_view(c, diff.as_ref(), &anchor))
            .collect(),
        matrix: matrix(r),
        load: load_view(r),
        diff,
        cleanup: r.cleanup.clone(),
        skipped,
        readiness: readiness_views(r, &anchor),
        anchor,
    }
}

/// The page for `reports` (one part each), with a baseline to diff against (applied to the
/// parts of the baseline's command).
pub fn page(reports: &[RunReport], baseline: Option<&RunReport>) -> Page {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    let parts: Vec<Part> = reports
        .iter()
        .map(|r| {
            let n = seen.entry(r.command.as_str()).or_default();
            let p = part(r, baseline, *n);
            *n += 1;
            p
        })
        .collect();
    let class = parts.iter().fold("pass", |a, p| worst(a, p.class));
    let title = match reports {
        [one] => format!("scimtest {} · {}", one.command, one.target),
        [first, ..] => format!(
            "scimtest {} · {}",
            reports
                .iter()
                .map(|r| r.command.as_str())
                .collect::<Vec<_>>()
                .join(" + "),
            first.target
        ),
        [] => "scimtest".into(),
    };
    Page {
        title,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        class,
        parts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::json::sample::report;

    #[test]
    fn diff_sorts_checks_into_new_fixed_known_added_removed() {
        let cur = report();
        let mut base = report();
        base.run_id = "base".into();
        // In the sample: users.create.status-201 fails, users.create.location-header fails,
        // groups.create.status-201 errors, entra.patch.replace-no-path passes.
        for c in &mut base.checks {
            match c.id.as_str() {
                "users.create.status-201" => c.outcome = Outcome::Pass,
                "entra.patch.replace-no-path" => c.outcome = Outcome::Fail,
                _ => {}
            }
        }
        base.checks
            .retain(|c| c.id != "users.create.location-header");
        let mut gone = base.checks[0].clone();
        gone.id = "gone.check".into();
        base.checks.push(gone);
        let d = diff(&cur, &base);
        assert_eq!(d.baseline_run, "base");
        assert_eq!(d.new_failures, vec!["users.create.status-201"]);
        assert_eq!(d.fixed, vec!["entra.patch.replace-no-path"]);
        assert_eq!(d.known_failures, vec!["groups.create.status-201"]);
        assert_eq!(d.added, vec!["users.create.location-header"]);
        assert_eq!(d.removed, vec!["gone.check"]);
    }

    #[test]
    fn rates_and_verdicts() {
        let c = Counts {
            pass: 3,
            fail: 1,
            error: 0,
            skip: 5,
        };
        assert_eq!(rate(&c), "75.0%");
        assert_eq!(rate(&Counts::default()), "n/a");
        let r = report();
        let (class, text) = verdict(&r);
        assert_eq!(class, "fail", "a MUST failed: {text}");
        let mut ok = report();
        ok.checks.retain(|c| c.outcome == Outcome::Pass);
        ok.recount();
        assert_eq!(verdict(&ok).0, "pass");
    }

    #[test]
    fn bodies_are_pretty_and_clipped_on_a_char_boundary() {
        assert_eq!(
            body(&Some(r#"{"a":1}"#.into())).as_deref(),
            Some("{\n  \"a\": 1\n}")
        );
        let long = "é".repeat(BODY_MAX);
        let b = body(&Some(long)).unwrap_or_default();
        assert!(b.contains("more bytes in report.json"));
        assert_eq!(body(&Some(String::new())), None);
    }
}
