//! `scimtest load`: goose scenarios of the SCIM provisioning path. `scenario` is the TOML
//! format and the shipped scenarios, `ops` the operations as goose transactions, `engine` one
//! run (pool set-up, the attack, cleanup), `goose_config` goose's options (the `--goose-arg`
//! escape hatch) and errors, `progress` what the attack prints while it runs, `stats` the
//! per-operation latency collector,
//! `plot` the SVG plots, `correctness` the checks run under load, `bulk` the `/Bulk`
//! batching, `tally` what a run provisioned and how it was throttled, `pace` the IdP pace
//! presets, `shapes` the glue the CLI calls for those three, `provisioning` what a
//! provisioning configuration (`load --config`) changes.

pub mod bulk;
pub mod correctness;
pub mod engine;
pub mod goose_config;
pub mod membership;
pub mod ops;
pub mod pace;
pub mod phases;
pub mod progress;
pub mod provisioning;
pub mod scenario;
pub mod shapes;
pub mod shard;
pub mod stats;
pub mod tally;

use crate::report::model::{CheckReport, Level, OpReport, Outcome, ThresholdReport};
use crate::report::series::{self, OpSeries};
use scenario::{OpStats, Scenario, ThresholdVerdict};

/// A scenario (a shipped name or a file) and its plan.
pub fn plan_for(name_or_path: &str) -> Result<(Scenario, engine::Plan), scenario::ScenarioError> {
    let sc = Scenario::load(name_or_path)?;
    let plan = engine::Plan::from_scenario(&sc);
    Ok((sc, plan))
}

/// The figures a threshold is judged on, from a series.
pub fn op_stats(s: &OpSeries) -> OpStats {
    OpStats {
        requests: s.total.requests,
        failures: s.total.errors,
        rps: s.total.rps,
        p50_us: s.total.p50_us,
        p95_us: s.total.p95_us,
        p99_us: s.total.p99_us,
        avg_us: s.total.avg_us.round() as u64,
        max_us: s.total.max_us,
    }
}

/// All operations as one series (for thresholds without an operation).
pub fn whole_run(series: &[OpSeries]) -> Option<OpSeries> {
    let mut it = series.iter();
    let first = it.next()?.clone();
    Some(it.fold(first, |acc, s| series::merge(&acc, s)))
}

/// Judge every threshold of `sc` on `series`. A req/s rule is judged on the steady phase when
/// the run has one (the headline every output shows), latency and error rules on the whole
/// attack (the per-operation table).
pub fn judge_thresholds(
    sc: &Scenario,
    series: &[OpSeries],
    phases: &[crate::report::phases::PhaseReport],
) -> Vec<ThresholdReport> {
    let all = whole_run(series);
    let steady = crate::report::phases::steady(phases);
    sc.thresholds
        .iter()
        .map(|t| {
            let s = match t.operation {
                None => all.as_ref(),
                Some(op) => series.iter().find(|s| s.op == op.request_name()),
            };
            let verdict = match s {
                Some(s) => {
                    let mut stats = op_stats(s);
                    let steady_rps = steady.and_then(|p| match t.operation {
                        None => Some(p.rps),
                        Some(op) => p
                            .operations
                            .iter()
                            .find(|o| o.op == op.request_name())
                            .map(|o| o.rps),
                    });
                    if let Some(rps) = steady_rps {
                        stats.rps = rps;
                    }
                    t.evaluate(&stats)
                }
                None => ThresholdVerdict::NoSamples,
            };
            let observed = match &verdict {
                ThresholdVerdict::Pass { observed } | ThresholdVerdict::Fail { observed } => {
                    observed.clone()
                }
                ThresholdVerdict::NoSamples => "no requests".to_string(),
            };
            ThresholdReport {
                rule: t.to_goose(),
                observed,
                passed: verdict.passed(),
            }
        })
        .collect()
}

fn ms(us: f64) -> f64 {
    (us / 10.0).round() / 100.0
}

/// The per-operation rows of the report; `status` from goose's metrics.
pub fn op_reports(
    series: &[OpSeries],
    status: &std::collections::BTreeMap<String, std::collections::BTreeMap<u16, usize>>,
) -> Vec<OpReport> {
    series
        .iter()
        .map(|s| OpReport {
            op: s.op.clone(),
            requests: s.total.requests,
            errors: s.total.errors,
            rps: (s.total.rps * 100.0).round() / 100.0,
            p50_ms: ms(s.total.p50_us as f64),
            p95_ms: ms(s.total.p95_us as f64),
            p99_ms: ms(s.total.p99_us as f64),
            avg_ms: ms(s.total.avg_us),
            max_ms: ms(s.total.max_us as f64),
            status_counts: status
                .get(&s.op)
                .map(|m| m.iter().map(|(k, v)| (k.to_string(), *v)).collect())
                .unwrap_or_default(),
        })
        .collect()
}

/// `POST /Users` → `post-users`, `p95<250ms for POST /Users` → `p95-250ms-for-post-users`.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// The report entry of the `i`-th threshold (level MUST: a breach fails the run).
pub fn threshold_check(i: usize, t: &ThresholdReport) -> CheckReport {
    CheckReport {
        quote: None,
        id: format!("load.threshold.{}-{}", i + 1, slug(&t.rule)),
        title: format!("threshold {}", t.rule),
        rfc: String::new(),
        level: Level::Must,
        area: "threshold".into(),
        outcome: if t.passed {
            Outcome::Pass
        } else {
            Outcome::Fail
        },
        reason: if t.passed {
            String::new()
        } else {
            format!("{} breached: observed {}", t.rule, t.observed)
        },
        hint: (!t.passed)
            .then(|| "see the per-operation figures and plots in this report".to_string()),
        duration_ms: 0.0,
        evidence: Vec::new(),
    }
}
