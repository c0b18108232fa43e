//! Comparing a load run with an earlier one (`--baseline`): per operation, req/s and p50/p95/p99
//! of both runs, the change, and a regression verdict under the `--max-regression` rules. Pure:
//! two [`LoadReport`]s in, a [`Comparison`] out; the CLI turns regressions into failed checks
//! (exit 1) and the writers show the table.
//!
//! What is compared:
//! - req/s per operation over the **steady** phase when both runs have one (the ramps depend on
//!   how fast goose starts and stops its users, not on the target), otherwise over the whole
//!   attack of both;
//! - p50/p95/p99 per operation over the whole attack (the fine histograms: within 1/128, where
//!   a phase's per-second histograms are only within 1/16, too coarse for a 10 % rule).
//!
//! Default rules: p95 may not rise by more than 10 % and req/s may not fall by more than 10 %;
//! `--max-regression METRIC=PCT` changes one metric's limit, `METRIC=off` stops gating it.
//! Small absolute changes are noise, never a regression, whatever their percentage: latency
//! changes under [`LATENCY_FLOOR_MS`] (0.05 → 0.07 ms is +40 % and means nothing) and req/s
//! changes under [`RPS_FLOOR`]. An operation with fewer than [`MIN_REQUESTS`] requests in
//! either run is shown but not judged. Operations in only one of the runs are listed, not
//! failures.

use super::model::{CheckReport, FORMAT_VERSION, Level, LoadReport, Outcome, RunReport};
use super::phases;
use serde::{Deserialize, Serialize};

/// A latency change smaller than this (ms) is noise, never a regression.
pub const LATENCY_FLOOR_MS: f64 = 0.5;
/// A req/s change smaller than this is noise, never a regression.
pub const RPS_FLOOR: f64 = 1.0;
/// Fewer requests than this for an operation in either run: shown, not judged.
pub const MIN_REQUESTS: u64 = 20;

/// A figure compared between the runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Metric {
    /// Requests per second (a fall is worse).
    Rps,
    /// Median latency (a rise is worse).
    P50,
    /// 95th percentile latency.
    P95,
    /// 99th percentile latency.
    P99,
}

impl Metric {
    /// Every metric, in table order.
    pub const ALL: [Metric; 4] = [Metric::Rps, Metric::P50, Metric::P95, Metric::P99];

    /// `rps`, `p50`, ... (as typed in `--max-regression`).
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Rps => "rps",
            Metric::P50 => "p50",
            Metric::P95 => "p95",
            Metric::P99 => "p99",
        }
    }

    /// `req/s`, `p50`, ... (as shown).
    pub fn label(self) -> &'static str {
        match self {
            Metric::Rps => "req/s",
            m => m.as_str(),
        }
    }

    fn unit(self) -> &'static str {
        match self {
            Metric::Rps => "req/s",
            _ => "ms",
        }
    }

    fn floor(self) -> f64 {
        match self {
            Metric::Rps => RPS_FLOOR,
            _ => LATENCY_FLOOR_MS,
        }
    }
}

/// One `--max-regression` rule: how much worse `metric` may get, in percent (`None`: not gated).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RegressionRule {
    /// The figure.
    pub metric: Metric,
    /// The limit in percent; `None` for `off`.
    pub max_pct: Option<f64>,
}

impl RegressionRule {
    /// `p95=10%`, `rps=5`, `p99=off` (for clap).
    pub fn parse(s: &str) -> Result<RegressionRule, String> {
        let (m, v) = s
            .split_once('=')
            .ok_or_else(|| format!("{s:?} is not METRIC=PERCENT, e.g. p95=10%"))?;
        let metric = Metric::ALL
            .into_iter()
            .find(|x| x.as_str().eq_ignore_ascii_case(m.trim()))
            .ok_or_else(|| format!("unknown metric {m:?}: one of rps, p50, p95, p99"))?;
        let v = v.trim();
        if v.eq_ignore_ascii_case("off") {
            return Ok(RegressionRule {
                metric,
                max_pct: None,
            });
        }
        let pct: f64 = v
            .trim_end_matches('%')
            .trim()
            .parse()
            .map_err(|_| format!("{v:?} is not a percentage, e.g. 10% (or off)"))?;
        if !pct.is_finite() || pct < 0.0 {
            return Err(format!("{v:?}: the limit is a percentage of 0 or more"));
        }
        Ok(RegressionRule {
            metric,
            max_pct: Some(pct),
        })
    }
}

/// The rules in force: the defaults (p95 +10 %, req/s −10 %), each changed by a rule given for
/// its metric (the last one wins).
pub fn effective_rules(given: &[RegressionRule]) -> Vec<RegressionRule> {
    Metric::ALL
        .into_iter()
        .map(|metric| {
            let default = match metric {
                Metric::Rps | Metric::P95 => Some(10.0),
                Metric::P50 | Metric::P99 => None,
            };
            given
                .iter()
                .rev()
                .find(|r| r.metric == metric)
                .copied()
                .unwrap_or(RegressionRule {
                    metric,
                    max_pct: default,
                })
        })
        .collect()
}

/// How one figure moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// Worse beyond its limit (and beyond the noise floor): fails the run.
    Regressed,
    /// Worse, but within its limit, not gated, or the operation is not judged.
    Worse,
    /// Better by more than the noise floor.
    Better,
    /// Within the noise floor.
    Same,
}

impl Change {
    /// Lowercase name (also the HTML class).
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Regressed => "regressed",
            Change::Worse => "worse",
            Change::Better => "better",
            Change::Same => "same",
        }
    }
}

/// One figure of one operation in both runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricDelta {
    /// The figure.
    pub metric: Metric,
    /// In the baseline (req/s, or ms).
    pub baseline: f64,
    /// In this run.
    pub current: f64,
    /// `(current - baseline) / baseline` in percent, rounded to 0.1; absent when the baseline is 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_pct: Option<f64>,
    /// How it moved.
    pub change: Change,
}

/// One operation in both runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpComparison {
    /// `POST /Users`, ...
    pub op: String,
    /// Whether it was judged (enough requests in both runs).
    pub judged: bool,
    /// Why not, when it was not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// req/s, p50, p95, p99.
    pub metrics: Vec<MetricDelta>,
}

/// A load run against a baseline run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// The baseline's run id.
    pub baseline_run: String,
    /// The baseline's start (RFC 3339).
    pub baseline_started_at: String,
    /// The baseline's scenario.
    pub baseline_scenario: String,
    /// What req/s is over: `steady` (both runs' steady phase) or `whole attack`.
    pub rps_basis: String,
    /// The baseline's headline req/s (over `rps_basis`).
    pub baseline_rps: f64,
    /// This run's headline req/s (over `rps_basis`).
    pub current_rps: f64,
    /// The rules in force, e.g. `p95 +10%`, `req/s -10%`.
    pub rules: Vec<String>,
    /// Operations in both runs, by name.
    pub operations: Vec<OpComparison>,
    /// Operations only the baseline has (listed, not failures).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub only_in_baseline: Vec<String>,
    /// Operations only this run has (listed, not failures).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub only_in_run: Vec<String>,
    /// One readable line per regression; empty when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regressions: Vec<String>,
}

impl Comparison {
    /// Whether a figure regressed beyond its limit.
    pub fn regressed(&self) -> bool {
        !self.regressions.is_empty()
    }
}

/// Why a baseline cannot be compared with.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BaselineError {
    /// Written by another report format.
    #[error(
        "the baseline was written in report format version {found}; this scimtest reads version {FORMAT_VERSION}"
    )]
    Version {
        /// The baseline's version.
        found: u32,
    },
    /// Not a `load` report.
    #[error("the baseline is a `{command}` report, not a `load` report")]
    NotLoad {
        /// The baseline's command.
        command: String,
    },
}

/// The load figures of a baseline, if it can be compared with.
pub fn baseline_load(r: &RunReport) -> Result<&LoadReport, BaselineError> {
    if r.format_version != FORMAT_VERSION {
        return Err(BaselineError::Version {
            found: r.format_version,
        });
    }
    match &r.load {
        Some(l) if r.command == "load" => Ok(l),
        _ => Err(BaselineError::NotLoad {
            command: r.command.clone(),
        }),
    }
}

/// The headline req/s of a load report and the phase it is over: the steady phase when the
/// report has one with requests, otherwise the whole attack.
pub fn headline_rps(l: &LoadReport) -> (f64, &'static str) {
    match phases::steady(&l.phases) {
        Some(p) => (p.rps, "steady"),
        None => (l.rps, "whole attack"),
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn num(x: f64) -> String {
    if x.abs() >= 100.0 {
        format!("{x:.0}")
    } else if x.abs() >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    }
}

fn delta(metric: Metric, base: f64, cur: f64, limit: Option<f64>, judged: bool) -> MetricDelta {
    let change_pct = (base > 0.0).then(|| round1((cur - base) / base * 100.0));
    // How much worse, in the metric's units and in percent of the baseline.
    let worse = match metric {
        Metric::Rps => base - cur,
        _ => cur - base,
    };
    let worse_pct = if base > 0.0 {
        worse / base * 100.0
    } else if worse > 0.0 {
        f64::INFINITY
    } else {
        0.0
    };
    let change = if worse.abs() < metric.floor() {
        Change::Same
    } else if worse < 0.0 {
        Change::Better
    } else if judged && limit.is_some_and(|l| worse_pct > l) {
        Change::Regressed
    } else {
        Change::Worse
    };
    MetricDelta {
        metric,
        baseline: base,
        current: cur,
        change_pct,
        change,
    }
}

/// Compare `cur` (this run) with `base` (the baseline, `base_report` for its id) under `rules`
/// (from [`effective_rules`]).
pub fn compare(
    base_report: &RunReport,
    base: &LoadReport,
    cur: &LoadReport,
    rules: &[RegressionRule],
) -> Comparison {
    let limit = |m: Metric| rules.iter().find(|r| r.metric == m).and_then(|r| r.max_pct);
    let steady = (phases::steady(&base.phases), phases::steady(&cur.phases));
    let rps_basis = match steady {
        (Some(_), Some(_)) => "steady",
        _ => "whole attack",
    };
    let op_rps = |l: &LoadReport, op: &str, steady: Option<&phases::PhaseReport>| match steady {
        Some(p) if rps_basis == "steady" => p
            .operations
            .iter()
            .find(|o| o.op == op)
            .map_or(0.0, |o| o.rps),
        _ => l
            .operations
            .iter()
            .find(|o| o.op == op)
            .map_or(0.0, |o| o.rps),
    };
    let (baseline_rps, current_rps) = match steady {
        (Some(b), Some(c)) => (b.rps, c.rps),
        _ => (base.rps, cur.rps),
    };
    let mut operations = Vec::new();
    let mut regressions = Vec::new();
    for c in &cur.operations {
        let Some(b) = base.operations.iter().find(|b| b.op == c.op) else {
            continue;
        };
        let few = b.requests.min(c.requests);
        let judged = few >= MIN_REQUESTS;
        let metrics: Vec<MetricDelta> = Metric::ALL
            .into_iter()
            .map(|m| {
                let (bv, cv) = match m {
                    Metric::Rps => (op_rps(base, &c.op, steady.0), op_rps(cur, &c.op, steady.1)),
                    Metric::P50 => (b.p50_ms, c.p50_ms),
                    Metric::P95 => (b.p95_ms, c.p95_ms),
                    Metric::P99 => (b.p99_ms, c.p99_ms),
                };
                delta(m, bv, cv, limit(m), judged)
            })
            .collect();
        for d in metrics.iter().filter(|d| d.change == Change::Regressed) {
            let pct = d
                .change_pct
                .map_or("from nothing".to_string(), |p| format!("{:.0} %", p.abs()));
            regressions.push(format!(
                "{} of {} regressed {pct} ({} → {} {}), limit {} %",
                d.metric.label(),
                c.op,
                num(d.baseline),
                num(d.current),
                d.metric.unit(),
                limit(d.metric).map_or(String::new(), num_limit),
            ));
        }
        operations.push(OpComparison {
            op: c.op.clone(),
            judged,
            note: (!judged).then(|| {
                format!("not judged: {few} requests in one run, fewer than {MIN_REQUESTS}")
            }),
            metrics,
        });
    }
    let has = |l: &LoadReport, op: &str| l.operations.iter().any(|o| o.op == op);
    Comparison {
        baseline_run: base_report.run_id.clone(),
        baseline_started_at: base_report.started_at.clone(),
        baseline_scenario: base.scenario.clone(),
        rps_basis: rps_basis.to_string(),
        baseline_rps,
        current_rps,
        rules: rules
            .iter()
            .filter_map(|r| {
                r.max_pct.map(|p| {
                    let sign = if r.metric == Metric::Rps { "-" } else { "+" };
                    format!("{} {sign}{}%", r.metric.label(), num_limit(p))
                })
            })
            .collect(),
        operations,
        only_in_baseline: base
            .operations
            .iter()
            .filter(|o| !has(cur, &o.op))
            .map(|o| o.op.clone())
            .collect(),
        only_in_run: cur
            .operations
            .iter()
            .filter(|o| !has(base, &o.op))
            .map(|o| o.op.clone())
            .collect(),
        regressions,
    }
}

fn num_limit(p: f64) -> String {
    if p.fract() == 0.0 {
        format!("{p:.0}")
    } else {
        format!("{p}")
    }
}

/// `POST /Users` → `post-users`.
fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// One check per judged operation (`load.baseline.<op>`, level MUST: a regression fails the
/// run, as a breached threshold does).
pub fn checks(c: &Comparison) -> Vec<CheckReport> {
    c.operations
        .iter()
        .filter(|o| o.judged)
        .map(|o| {
            let lines: Vec<&String> = c
                .regressions
                .iter()
                .filter(|l| l.contains(&format!(" of {} regressed", o.op)))
                .collect();
            let failed = !lines.is_empty();
            CheckReport {
                id: format!("load.baseline.{}", slug(&o.op)),
                title: format!("{} against baseline {}", o.op, c.baseline_run),
                rfc: String::new(),
                level: Level::Must,
                area: "baseline".into(),
                outcome: if failed { Outcome::Fail } else { Outcome::Pass },
                reason: lines
                    .iter()
                    .map(|l| l.as_str())
                    .collect::<Vec<_>>()
                    .join("\n"),
                hint: failed.then(|| {
                    format!(
                        "compare the two runs' figures in this report; the limits are {} (--max-regression)",
                        c.rules.join(", ")
                    )
                }),
                quote: None,
                duration_ms: 0.0,
                evidence: Vec::new(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::OpReport;

    fn op(name: &str, requests: u64, rps: f64, p95: f64) -> OpReport {
        OpReport {
            op: name.into(),
            requests,
            errors: 0,
            rps,
            p50_ms: p95 / 2.0,
            p95_ms: p95,
            p99_ms: p95 * 1.5,
            avg_ms: p95 / 2.0,
            max_ms: p95 * 2.0,
            status_counts: Default::default(),
        }
    }

    fn load(ops: Vec<OpReport>) -> LoadReport {
        LoadReport {
            scenario: "smoke".into(),
            description: String::new(),
            users: 2,
            duration_s: 10.0,
            requests: ops.iter().map(|o| o.requests).sum(),
            errors: 0,
            throttled: 0,
            rps: ops.iter().map(|o| o.rps).sum(),
            cpu_ms_per_1000: None,
            operations: ops,
            thresholds: Vec::new(),
            files: Vec::new(),
            shard: None,
            scenario_toml: String::new(),
            series: Vec::new(),
            phases: Vec::new(),
            comparison: None,
            provisioning: None,
            rate_limits: None,
            pace: None,
            active_users: Vec::new(),
            config: None,
        }
    }

    fn base_report() -> RunReport {
        let mut r = crate::report::json::sample::report();
        r.run_id = "base1".into();
        r.command = "load".into();
        r.load = Some(load(vec![]));
        r
    }

    fn run(base: Vec<OpReport>, cur: Vec<OpReport>, rules: &[RegressionRule]) -> Comparison {
        compare(
            &base_report(),
            &load(base),
            &load(cur),
            &effective_rules(rules),
        )
    }

    fn change(c: &Comparison, op: &str, m: Metric) -> Change {
        c.operations
            .iter()
            .find(|o| o.op == op)
            .and_then(|o| o.metrics.iter().find(|d| d.metric == m))
            .map(|d| d.change)
            .unwrap_or_else(|| panic!("{op} {m:?} in {c:?}"))
    }

    #[test]
    fn a_p95_rise_beyond_its_limit_is_a_regression_with_a_readable_line() {
        let c = run(
            vec![op("POST /Users", 500, 100.0, 4.1)],
            vec![op("POST /Users", 500, 100.0, 5.04)],
            &[],
        );
        assert!(c.regressed());
        assert_eq!(change(&c, "POST /Users", Metric::P95), Change::Regressed);
        assert_eq!(
            c.regressions,
            ["p95 of POST /Users regressed 23 % (4.10 → 5.04 ms), limit 10 %"]
        );
        let checks = checks(&c);
        assert_eq!(checks.len(), 1);
        assert_eq!(checks[0].id, "load.baseline.post-users");
        assert_eq!(checks[0].outcome, Outcome::Fail);
        assert!(checks[0].reason.contains("regressed 23 %"));
        // p99 rose 23 % too, but is not gated by default: worse, not regressed.
        assert_eq!(change(&c, "POST /Users", Metric::P99), Change::Worse);
        assert_eq!(c.rules, ["req/s -10%", "p95 +10%"]);
    }

    #[test]
    fn a_req_per_second_fall_regresses_and_a_rise_is_better() {
        let c = run(
            vec![
                op("GET /Users/{id}", 900, 300.0, 1.0),
                op("POST /Users", 900, 100.0, 1.0),
            ],
            vec![
                op("GET /Users/{id}", 600, 200.0, 1.0),
                op("POST /Users", 900, 150.0, 1.0),
            ],
            &[],
        );
        assert_eq!(
            change(&c, "GET /Users/{id}", Metric::Rps),
            Change::Regressed
        );
        assert_eq!(change(&c, "POST /Users", Metric::Rps), Change::Better);
        assert_eq!(
            c.regressions,
            ["req/s of GET /Users/{id} regressed 33 % (300 → 200 req/s), limit 10 %"]
        );
    }

    #[test]
    fn improvements_and_changes_within_the_limit_pass() {
        let c = run(
            vec![op("POST /Users", 500, 100.0, 10.0)],
            vec![op("POST /Users", 500, 95.0, 10.8)],
            &[],
        );
        assert!(!c.regressed(), "{c:?}");
        assert_eq!(change(&c, "POST /Users", Metric::P95), Change::Worse);
        let c = run(
            vec![op("POST /Users", 500, 100.0, 5.0)],
            vec![op("POST /Users", 500, 120.0, 2.0)],
            &[],
        );
        assert!(!c.regressed());
        assert_eq!(change(&c, "POST /Users", Metric::P95), Change::Better);
        assert!(checks(&c).iter().all(|c| c.outcome == Outcome::Pass));
    }

    #[test]
    fn tiny_absolute_changes_are_noise_whatever_their_percentage() {
        let c = run(
            vec![op("GET /Users", 500, 100.0, 0.05)],
            vec![op("GET /Users", 500, 100.4, 0.07)],
            &[RegressionRule::parse("p95=1%").unwrap_or_else(|e| panic!("{e}"))],
        );
        assert!(!c.regressed(), "{c:?}");
        assert_eq!(change(&c, "GET /Users", Metric::P95), Change::Same);
        assert_eq!(change(&c, "GET /Users", Metric::Rps), Change::Same);
    }

    #[test]
    fn operations_in_one_run_only_are_listed_and_few_requests_are_not_judged() {
        let c = run(
            vec![
                op("POST /Users", 500, 100.0, 1.0),
                op("DELETE /Users/{id}", 9, 1.0, 1.0),
            ],
            vec![
                op("POST /Groups", 500, 100.0, 1.0),
                op("DELETE /Users/{id}", 9, 1.0, 90.0),
            ],
            &[],
        );
        assert!(!c.regressed(), "{c:?}");
        assert_eq!(c.only_in_baseline, ["POST /Users"]);
        assert_eq!(c.only_in_run, ["POST /Groups"]);
        let d = &c.operations[0];
        assert!(
            !d.judged
                && d.note
                    .as_deref()
                    .is_some_and(|n| n.contains("fewer than 20"))
        );
        assert!(checks(&c).is_empty());
    }

    #[test]
    fn rules_parse_override_the_defaults_and_turn_off() {
        let p = |s: &str| RegressionRule::parse(s);
        assert_eq!(
            p("p99=20%"),
            Ok(RegressionRule {
                metric: Metric::P99,
                max_pct: Some(20.0)
            })
        );
        assert_eq!(p("RPS = 5").map(|r| r.max_pct), Ok(Some(5.0)));
        assert_eq!(p("p95=off").map(|r| r.max_pct), Ok(None));
        assert!(p("p95").is_err() && p("p42=10%").is_err() && p("p95=-3%").is_err());
        let rules = effective_rules(&[
            p("p95=off").unwrap_or_else(|e| panic!("{e}")),
            p("p99=25%").unwrap_or_else(|e| panic!("{e}")),
        ]);
        let limits: Vec<Option<f64>> = rules.iter().map(|r| r.max_pct).collect();
        assert_eq!(limits, [Some(10.0), None, None, Some(25.0)]);
        let c = run(
            vec![op("POST /Users", 500, 100.0, 4.0)],
            vec![op("POST /Users", 500, 100.0, 8.0)],
            &[p("p95=off").unwrap_or_else(|e| panic!("{e}"))],
        );
        assert!(!c.regressed(), "p95 off");
    }

    #[test]
    fn a_baseline_of_another_format_or_command_is_refused() {
        let mut r = base_report();
        assert!(baseline_load(&r).is_ok());
        r.format_version = FORMAT_VERSION + 1;
        assert!(matches!(
            baseline_load(&r),
            Err(BaselineError::Version { .. })
        ));
        let mut r = base_report();
        r.command = "check".into();
        assert!(matches!(
            baseline_load(&r),
            Err(BaselineError::NotLoad { .. })
        ));
    }
}
