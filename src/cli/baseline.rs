//! `--baseline` for load runs (`load` and `report render`): read the earlier report (a wrong
//! file is a usage error, exit 2, with a hint), attach the comparison and its checks to a load
//! report, and print the comparison and the phases on the terminal.

use crate::cli::error::Error;
use crate::report::compare::{self, Change, RegressionRule};
use crate::report::model::{LoadReport, RunReport};
use std::path::Path;

const HINT: &str = "give the report.json of an earlier `scimtest load` run written by this scimtest version (re-run the baseline if it is older)";

/// Read `path` as a baseline for a load comparison: a report.json of a `load` run in this
/// report format. Anything else is a usage error with a hint.
pub fn read(path: &Path) -> Result<RunReport, Error> {
    let r = crate::cli::common::read_report(path).map_err(|e| {
        Error::usage(format!(
            "--baseline {}: {}",
            path.display(),
            e.chain()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(": ")
        ))
        .with_hint(HINT)
    })?;
    compare::baseline_load(&r)
        .map_err(|e| Error::usage(format!("--baseline {}: {e}", path.display())).with_hint(HINT))?;
    Ok(r)
}

/// Compare `report`'s load figures with `baseline`'s under `rules` (`--max-regression`, over
/// the defaults): the comparison goes into the report and one check per judged operation into
/// its checks (a regression is a failed MUST check, so the run's verdict fails). Returns
/// whether anything regressed.
pub fn apply(report: &mut RunReport, baseline: &RunReport, rules: &[RegressionRule]) -> bool {
    let (Ok(base), Some(cur)) = (compare::baseline_load(baseline), report.load.as_mut()) else {
        return false;
    };
    let c = compare::compare(baseline, base, cur, &compare::effective_rules(rules));
    let regressed = c.regressed();
    report.checks.retain(|x| x.area != "baseline");
    report.checks.extend(compare::checks(&c));
    cur.comparison = Some(c);
    report.recount();
    regressed
}

/// The phases line of the terminal summary: one figure per phase.
pub fn print_phases(l: &LoadReport) {
    if l.phases.is_empty() {
        return;
    }
    let parts: Vec<String> = l
        .phases
        .iter()
        .map(|p| {
            format!(
                "{} s {}–{}: {} requests, {:.1} req/s",
                p.phase.as_str(),
                p.start_s,
                p.end_s,
                p.requests,
                p.rps
            )
        })
        .collect();
    // One phase a line when they do not fit on one.
    let line = format!("  phases: {}", parts.join(" · "));
    if crate::text::display_width(&line) <= crate::cli::console::WIDTH {
        crate::say!("{line}");
    } else {
        crate::say!("  phases:");
        for p in parts {
            crate::say!(
                "    {}",
                crate::text::fit(&p, crate::cli::console::WIDTH - 4)
            );
        }
    }
}

fn arrow(d: &compare::MetricDelta) -> String {
    let mark = match d.change {
        Change::Regressed => " REGRESSED",
        Change::Worse => " worse",
        Change::Better => " better",
        Change::Same => "",
    };
    let pct = d
        .change_pct
        .map_or(String::new(), |p| format!(" ({p:+.0}%)"));
    let f = |x: f64| match d.metric {
        compare::Metric::Rps => format!("{x:.1}"),
        _ => format!("{x:.2}"),
    };
    format!("{} → {}{pct}{mark}", f(d.baseline), f(d.current))
}

/// The comparison table of the terminal summary, then one line per regression.
pub fn print_comparison(l: &LoadReport) {
    let Some(c) = &l.comparison else {
        return;
    };
    crate::say!(
        "against baseline {} ({}): req/s ({}) {:.1} → {:.1}; limits {}",
        c.baseline_run,
        c.baseline_started_at,
        c.rps_basis,
        c.baseline_rps,
        c.current_rps,
        if c.rules.is_empty() {
            "none".to_string()
        } else {
            c.rules.join(", ")
        }
    );
    for o in &c.operations {
        let cells: Vec<String> = o
            .metrics
            .iter()
            .map(|d| format!("{} {}", d.metric.label(), arrow(d)))
            .collect();
        crate::say!(
            "  {:<30} {}{}",
            o.op,
            cells.join("  "),
            o.note
                .as_ref()
                .map(|n| format!("  ({n})"))
                .unwrap_or_default()
        );
    }
    for op in &c.only_in_baseline {
        crate::say!("  {op:<30} only in the baseline");
    }
    for op in &c.only_in_run {
        crate::say!("  {op:<30} only in this run");
    }
    if c.regressions.is_empty() {
        crate::say!("  no regression against the baseline");
    }
    for r in &c.regressions {
        crate::say!("  REGRESSION: {r}");
    }
}
