//! The Markdown writer: a summary sized for a pull-request comment (GitHub caps a comment at
//! 65,536 characters). Mapping:
//!
//! - headline: ❌ when a MUST check failed (the run's exit code 1), ⚠️ when only non-MUST checks
//!   failed or checks errored (or nothing ran), ✅ otherwise; then the command and the counts,
//!   and a line with target, run id, `started_at`, duration and tool version;
//! - `certify` (a non-empty `readiness`): the headline's icon is the programmes' worst answer
//!   (❌ a programme is not ready, ⚠️ incomplete, ✅ all ready); right after it, one section per vendor programme:
//!   `## ❌ Microsoft Entra app gallery readiness: not ready` (✅ ready for submission, ⚠️
//!   incomplete), the suites it predicts and a tally, the blockers, the warnings, the attribute
//!   mapping, the vendor's rule, the scope sentence (a prediction of the vendor's review, not a
//!   replacement for it), then a table `Test | Category | Verdict | Why | Judged by` (verdict as
//!   the vendors print it: PASSED, FAILED, WARNING, SKIPPED, UNKNOWN; judged-by and related
//!   check ids with their outcomes, whose failures are detailed below), and a numbered note under
//!   the table for each test that needs the vendor's own system (its name carries the number);
//!   past `READINESS_BUDGET` bytes a row's text is cut short, never its verdict;
//! - a table of counts, one row per level (MUST, SHOULD, MAY, dialect) × pass/fail/error/skip,
//!   and a total row (counted from the checks, like the JUnit writer);
//! - failures grouped by level, MUST first, catalogue order within a level: id, title, RFC
//!   section, reason, hint, and the evidence in a collapsed `<details>`: the first
//!   `EVIDENCE_EXCHANGES` (2) exchanges, each as one fenced block (request line and body, status,
//!   response headers and body; JSON pretty-printed; bodies cut at `BODY_MAX` (1 KiB));
//! - errors, catalogue order, rendered the same way;
//! - cleanup leftovers, if any;
//! - skipped checks only as a count per reason, most frequent first.
//!
//! Request headers are never rendered. Text from the report (reasons, titles, hints, bodies) is
//! escaped so it cannot open HTML, links, code spans or table cells; code spans and fences are
//! sized to outlast any backtick run inside; long text is clipped. Output depends only on the
//! report. An entry whose evidence would take the output past `EVIDENCE_BUDGET` bytes is shown
//! without it, one that would pass `HARD_BUDGET` is only counted (report.json has everything).
//!
//! ````markdown
//! ## ❌ scimtest check: 1 failed, 0 errored, 41 passed, 7 skipped
//!
//! Target `https://idp.example/scim/v2` · run `st-5f3a` · started 2025-01-02T03:04:05Z · 12.3 s · scimtest 0.1.0
//!
//! | Level | Pass | Fail | Error | Skip |
//! | :-- | --: | --: | --: | --: |
//! | MUST | 30 | 1 | 0 | 0 |
//! …
//!
//! ### Failures (1)
//!
//! #### MUST (1)
//!
//! **`users.create.status-201`** · POST /Users answers 201 Created · RFC 7644 §3.3<br>
//! **Reason:** expected 201, got 200<br>
//! **Hint:** answer 201 Created with the resource
//!
//! <details><summary>Evidence: 1 of 1 exchange</summary>
//!
//! ```http
//! POST https://idp.example/scim/v2/Users
//!
//! {"userName": "st-5f3a-alice"}
//!
//! HTTP 200 · 12 ms
//! Content-Type: application/scim+json
//!
//! {"id": "1"}
//! ```
//!
//! </details>
//! ````

use super::model::{CheckReport, Counts, Level, Outcome, RunReport};
use super::readiness::{Basis, Readiness, ReadyState, TestVerdict};
use crate::client::exchange::Exchange;
use crate::text::clip;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;

/// Exchanges shown per check.
const EVIDENCE_EXCHANGES: usize = 2;
/// Longest body shown per request or response, in bytes (after pretty-printing).
const BODY_MAX: usize = 1024;
/// An entry is rendered with its evidence only if the output stays within this many bytes.
const EVIDENCE_BUDGET: usize = 45_000;
/// An entry is rendered at all only if the output stays within this many bytes.
const HARD_BUDGET: usize = 58_000;
/// A skip reason row is rendered only if the output stays within this many bytes.
const SKIP_BUDGET: usize = 64_000;
/// Longest title, RFC, id, URL or header line shown, in bytes.
const TEXT_MAX: usize = 300;
/// Longest reason or hint shown, in bytes.
const REASON_MAX: usize = 2000;
/// Longest reason shown in a table cell (a vendor test's "why") or a blocker line, in bytes.
const CELL_MAX: usize = 600;
/// Past [`READINESS_BUDGET`], the longest "why" or blocker line, in bytes.
const TIGHT_MAX: usize = 80;
/// Most judged-by (and, apart, related) ids listed per vendor test.
const IDS_MAX: usize = 8;
/// The readiness sections' text is cut short once the output passes this many bytes, so the
/// verdict of every vendor test still fits the comment.
const READINESS_BUDGET: usize = 30_000;
/// Most response headers shown per exchange.
const HEADERS_MAX: usize = 20;
/// Most cleanup leftovers listed.
const LEFTOVERS_MAX: usize = 10;

const LEVELS: [Level; 5] = [
    Level::Must,
    Level::Should,
    Level::May,
    Level::Advice,
    Level::Dialect,
];

/// Write `report` as a Markdown summary.
pub fn write(report: &RunReport, out: &mut dyn Write) -> std::io::Result<()> {
    out.write_all(render(report).as_bytes())?;
    out.flush()
}

/// The provisioning configuration the run judged: the file, its hash, what it configures.
fn configuration(md: &mut String, c: &super::model::ConfigurationInfo) {
    let _ = writeln!(
        md,
        "\n**Configuration** `{}` (sha256 `{}`):\n",
        c.path.replace('`', "'"),
        c.sha256
    );
    for l in &c.summary {
        let _ = writeln!(md, "- {}", l.replace('|', "\\|"));
    }
}

/// `replay`: one row per IdP profile with its verdict (profiles that would destroy data come
/// first, `replay::profile_verdicts`).
fn profile_table(md: &mut String, report: &RunReport) {
    md.push_str("\n| IdP | profile | traffic from | verdict |\n| --- | --- | --- | --- |\n");
    for p in &report.profiles {
        let verdict = if p.would_provision && !report.status.is_complete() {
            format!("no verdict: the run was {}", report.status.as_str())
        } else if p.would_provision {
            format!("✅ {}", p.verdict.replace('|', "\\|"))
        } else if p.severity == Some(super::model::Severity::Destructive) {
            format!(
                "💥 **WOULD DESTROY DATA**: {}",
                p.verdict.replace('|', "\\|").replace('\n', " ")
            )
        } else {
            format!("❌ {}", p.verdict.replace('|', "\\|").replace('\n', " "))
        };
        let (product, traffic) = match &p.about {
            Some(a) => (
                format!("{} ({})", a.product, a.dialect),
                a.faithfulness.clone(),
            ),
            None => (p.idp.clone(), "unknown".to_string()),
        };
        let na: Vec<String> = p
            .about
            .iter()
            .flat_map(|a| &a.not_applicable)
            .map(|n| format!("{} not applicable: {}", n.flow, n.why))
            .chain(p.flows.iter().filter_map(|f| {
                f.not_configured
                    .as_ref()
                    .map(|w| format!("{} not configured: {w}", f.flow))
            }))
            .collect();
        let verdict = if na.is_empty() {
            verdict
        } else {
            format!("{verdict} ({})", na.join("; ").replace('|', "\\|"))
        };
        let _ = writeln!(
            md,
            "| {} | `{}/{}` | {traffic} | {verdict} |",
            product.replace('|', "\\|"),
            p.idp,
            p.profile
        );
    }
}

/// `load`: the headline (req/s of the steady phase, named), the phases, one row per operation,
/// the comparison with a baseline, the thresholds.
fn load_tables(md: &mut String, l: &super::model::LoadReport) {
    let (rps, phase) = super::compare::headline_rps(l);
    let _ = write!(
        md,
        "\nScenario `{}` · {} users · {:.1} s · {} requests · {rps:.1} req/s ({phase}) · {} errors ({} × 429)\n",
        clip(&l.scenario, TEXT_MAX).replace('`', "'"),
        l.users,
        l.duration_s,
        l.requests,
        l.errors,
        l.throttled
    );
    if !l.phases.is_empty() {
        md.push_str(
            "\n| phase | seconds | requests | errors | req/s |\n| :-- | --: | --: | --: | --: |\n",
        );
        for p in &l.phases {
            let _ = writeln!(
                md,
                "| {} | {}–{} | {} | {} | {:.1} |",
                p.phase.as_str(),
                p.start_s,
                p.end_s,
                p.requests,
                p.errors,
                p.rps
            );
        }
        md.push_str("\nPer-operation figures are over the whole attack.\n");
    }
    md.push_str("\n| operation | requests | errors | req/s | p50 ms | p95 ms | p99 ms | max ms |\n| :-- | --: | --: | --: | --: | --: | --: | --: |\n");
    for o in &l.operations {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {:.2} |",
            escape_text(&clip(&o.op, TEXT_MAX)),
            o.requests,
            o.errors,
            o.rps,
            o.p50_ms,
            o.p95_ms,
            o.p99_ms,
            o.max_ms
        );
    }
    if let Some(c) = &l.comparison {
        comparison_table(md, c);
    }
    if !l.thresholds.is_empty() {
        md.push_str("\n| threshold | observed | |\n| :-- | :-- | :-- |\n");
        for t in &l.thresholds {
            let _ = writeln!(
                md,
                "| {} | {} | {} |",
                escape_text(&clip(&t.rule, TEXT_MAX)),
                escape_text(&clip(&t.observed, TEXT_MAX)),
                if t.passed { "✅ held" } else { "❌ breached" }
            );
        }
    }
    load_shapes(md, l);
}

/// `load`: the provisioning headline, the `/Bulk` figures, the rate limits and the pace.
fn load_shapes(md: &mut String, l: &super::model::LoadReport) {
    if let Some(p) = &l.provisioning {
        let _ = writeln!(md, "\n**{}**", escape_text(&p.headline));
        if let Some(b) = &p.bulk_detail {
            let failed: Vec<String> = b.failed.iter().map(|(s, n)| format!("{s} × {n}")).collect();
            let _ = writeln!(
                md,
                "\n/Bulk: {} requests carrying {} operations, at most {} per request ({}); {} created, {} deleted, failed: {}.",
                b.requests,
                b.operations,
                b.batch,
                escape_text(&b.declared),
                b.created,
                b.deleted,
                if failed.is_empty() {
                    "none".to_string()
                } else {
                    failed.join(", ")
                }
            );
        }
    }
    if let Some(r) = &l.rate_limits {
        let _ = writeln!(md, "\nRate limits: {}.", escape_text(&r.summary));
        if r.throttled > 0 {
            let _ = writeln!(md, "\n{}.", escape_text(&r.client));
            md.push_str("\n| IdP | what it would do |\n| :-- | :-- |\n");
            for i in &r.idps {
                let _ = writeln!(
                    md,
                    "| {} | {} |",
                    escape_text(&i.product),
                    escape_text(&i.reaction)
                );
            }
        }
    }
    if let Some(p) = &l.pace {
        let _ = writeln!(
            md,
            "\nPace `{}`: {} {}.\n\nSource: {}",
            p.preset,
            if p.kept_up { "✅" } else { "❌" },
            escape_text(&p.verdict),
            escape_text(&p.source)
        );
    }
}

/// `load --baseline`: both runs per operation, baseline → this run, and the regressions.
fn comparison_table(md: &mut String, c: &super::compare::Comparison) {
    use super::compare::{Change, Metric};
    let _ = write!(
        md,
        "\n#### Against baseline `{}` ({})\n\nreq/s ({}): {:.1} → {:.1} · limits: {}\n\n| operation | {} |\n| :-- |{}\n",
        c.baseline_run.replace('`', "'"),
        escape_text(&c.baseline_started_at),
        c.rps_basis,
        c.baseline_rps,
        c.current_rps,
        if c.rules.is_empty() {
            "none".to_string()
        } else {
            c.rules.join(", ")
        },
        Metric::ALL
            .iter()
            .map(|m| match m {
                Metric::Rps => "req/s".to_string(),
                m => format!("{} ms", m.label()),
            })
            .collect::<Vec<_>>()
            .join(" | "),
        " --: |".repeat(Metric::ALL.len())
    );
    for o in &c.operations {
        let cells: Vec<String> = Metric::ALL
            .iter()
            .map(|m| {
                let Some(d) = o.metrics.iter().find(|d| d.metric == *m) else {
                    return "–".to_string();
                };
                let mark = match d.change {
                    Change::Regressed => " ❌",
                    Change::Worse => " ↘",
                    Change::Better => " ✅",
                    Change::Same => "",
                };
                let pct = d
                    .change_pct
                    .map_or(String::new(), |p| format!(" ({p:+.0}%)"));
                let f = |x: f64| match d.metric {
                    Metric::Rps => format!("{x:.1}"),
                    _ => format!("{x:.2}"),
                };
                format!("{} → {}{pct}{mark}", f(d.baseline), f(d.current))
            })
            .collect();
        let _ = writeln!(
            md,
            "| {}{} | {} |",
            escape_text(&clip(&o.op, TEXT_MAX)),
            o.note
                .as_ref()
                .map_or(String::new(), |n| format!(" ({})", escape_text(n))),
            cells.join(" | ")
        );
    }
    for (ops, what) in [
        (&c.only_in_baseline, "only in the baseline"),
        (&c.only_in_run, "only in this run"),
    ] {
        for op in ops {
            let _ = writeln!(
                md,
                "| {} | {what} |{}",
                escape_text(&clip(op, TEXT_MAX)),
                " |".repeat(Metric::ALL.len() - 1)
            );
        }
    }
    if c.regressions.is_empty() {
        md.push_str("\nNo regression against the baseline.\n");
    } else {
        md.push('\n');
        for r in &c.regressions {
            let _ = writeln!(md, "- ❌ {}", escape_text(r));
        }
    }
}

/// The whole document.
fn render(report: &RunReport) -> String {
    let mut md = String::new();
    let mut total = Counts::default();
    let mut by_level: BTreeMap<Level, Counts> =
        LEVELS.iter().map(|l| (*l, Counts::default())).collect();
    for c in &report.checks {
        total.add(c.outcome);
        by_level.entry(c.level).or_default().add(c.outcome);
    }
    headline(&mut md, report, &total);
    for r in &report.readiness {
        readiness(&mut md, r);
    }
    if !report.profiles.is_empty() {
        profile_table(&mut md, report);
    }
    if let Some(c) = &report.configuration {
        configuration(&mut md, c);
    }
    if let Some(l) = &report.load {
        load_tables(&mut md, l);
    }
    level_table(&mut md, &by_level, &total);

    let mut budget = Budget::default();
    let failures = total.fail;
    if failures > 0 {
        let _ = write!(md, "\n### Failures ({failures})\n");
        for level in LEVELS {
            let checks: Vec<&CheckReport> = report
                .checks
                .iter()
                .filter(|c| c.outcome == Outcome::Fail && c.level == level)
                .collect();
            if checks.is_empty() {
                continue;
            }
            let _ = write!(md, "\n#### {} ({})\n", level_label(level), checks.len());
            for c in checks {
                entry(&mut md, c, false, &mut budget);
            }
        }
    }
    if total.error > 0 {
        let _ = write!(md, "\n### Errors ({})\n", total.error);
        for c in report.checks.iter().filter(|c| c.outcome == Outcome::Error) {
            entry(&mut md, c, true, &mut budget);
        }
    }
    budget.notes(&mut md);
    cleanup(&mut md, report);
    skipped(&mut md, report);
    md
}

/// The ✅/⚠️/❌ line and the run line.
fn headline(md: &mut String, report: &RunReport, total: &Counts) {
    let gate_failed = report.gate_failed();
    let complete = report.status.is_complete();
    // `certify`: the programmes' answers (already decided in the report) set the icon.
    let not_ready = report
        .readiness
        .iter()
        .any(|r| r.state == ReadyState::NotReady);
    let incomplete = report
        .readiness
        .iter()
        .any(|r| r.state == ReadyState::Incomplete);
    let icon = if not_ready {
        "❌"
    } else if incomplete || (!report.readiness.is_empty() && !complete) {
        "⚠️"
    } else if !report.readiness.is_empty() {
        "✅"
    } else if gate_failed {
        "❌"
    } else if !complete
        || total.fail + total.error > 0
        || total.pass + total.fail + total.error == 0
    {
        "⚠️"
    } else {
        "✅"
    };
    let _ = writeln!(
        md,
        "## {icon} {}scimtest {}: {} failed, {} errored, {} passed, {} skipped\n",
        if complete { "" } else { "INCOMPLETE — " },
        escape_text(&report.command),
        total.fail,
        total.error,
        total.pass,
        total.skip
    );
    if !complete {
        let _ = writeln!(
            md,
            "**INCOMPLETE: the run was {}.** What did not run has no verdict; nothing here \
             claims more than the checks that finished.\n",
            report.status.as_str()
        );
    }
    let target = if report.embedded_target {
        format!(
            "embedded reference provider ({})",
            code(&clip(&report.target, TEXT_MAX))
        )
    } else {
        code(&clip(&report.target, TEXT_MAX))
    };
    let _ = writeln!(
        md,
        "Target {target} · run {} · started {} · {:.1} s · scimtest {}",
        code(&report.run_id),
        escape_text(&report.started_at),
        report.duration_ms / 1000.0,
        escape_text(&report.tool_version)
    );
    if !report.gating.is_empty() || report.exit_code.is_some() {
        let mut parts = Vec::new();
        if !report.gating.is_empty() {
            parts.push(format!(
                "Gating: {}",
                report
                    .gating
                    .iter()
                    .map(|l| level_label(*l))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if let Some(c) = report.exit_code {
            parts.push(format!("exit code {c}"));
        }
        let _ = writeln!(md, "\n{}", parts.join(" · "));
    }
}

/// `certify`: one vendor programme's section (see the module's mapping).
fn readiness(md: &mut String, r: &Readiness) {
    let icon = match r.state {
        ReadyState::Ready => "✅",
        ReadyState::NotReady => "❌",
        ReadyState::Incomplete => "⚠️",
    };
    let _ = writeln!(
        md,
        "\n## {icon} {} readiness: {}\n",
        escape_text(&clip(&r.title, TEXT_MAX)),
        r.state.headline()
    );
    let [pass, fail, warning, skipped, unknown] = r.tally();
    let _ = writeln!(
        md,
        "Predicts {} · {} tests: {pass} passed, {fail} failed, {warning} warning{}, {skipped} skipped, {unknown} without a verdict",
        escape_text(&clip(&r.suite, TEXT_MAX)),
        r.tests.len(),
        if warning == 1 { "" } else { "s" }
    );
    for (label, lines) in [("Blockers", &r.blockers), ("Warnings", &r.warnings)] {
        if lines.is_empty() {
            continue;
        }
        let _ = writeln!(md, "\n**{label} ({}):**\n", lines.len());
        for l in lines {
            let max = if md.len() < READINESS_BUDGET {
                CELL_MAX
            } else {
                TIGHT_MAX
            };
            let _ = writeln!(md, "- {}", escape_text(&clip(l, max)));
        }
    }
    md.push('\n');
    if let Some(m) = &r.mapping {
        let _ = writeln!(md, "**Mapping:** {}<br>", escape_text(&clip(m, REASON_MAX)));
    }
    let _ = writeln!(
        md,
        "**Rule:** {}<br>\n**Scope:** {}",
        escape_text(&clip(&r.rule, REASON_MAX)),
        escape_text(&clip(&r.scope, REASON_MAX))
    );
    md.push_str(
        "\n| Test | Category | Verdict | Why | Judged by |\n| :-- | :-- | :-- | :-- | :-- |\n",
    );
    let mut notes = Vec::new();
    for t in &r.tests {
        let mut name = escape_text(&clip(&t.name, TEXT_MAX));
        if let Some(v) = &t.needs_vendor {
            notes.push((t.name.as_str(), v.as_str()));
            let _ = write!(name, " {}", superscript(notes.len()));
        }
        let icon = match t.verdict {
            TestVerdict::Pass => "✅",
            TestVerdict::Fail => "❌",
            TestVerdict::Warning => "⚠️",
            TestVerdict::Skipped => "⏭️",
            TestVerdict::Unknown => "❔",
        };
        let why = if t.reason.is_empty() && t.verdict == TestVerdict::Skipped {
            &t.skipped_when
        } else {
            &t.reason
        };
        // Past the budget, a row keeps its verdict but its text is cut short (report.json and
        // the entries below have it all).
        let tight = md.len() >= READINESS_BUDGET;
        let (why_max, ids_max) = if tight {
            (TIGHT_MAX, 2)
        } else {
            (CELL_MAX, IDS_MAX)
        };
        let ids = |b: &[Basis]| {
            let mut s = b
                .iter()
                .take(ids_max)
                .map(|b| format!("{} ({})", code(&clip(&b.id, TEXT_MAX)), b.outcome.as_str()))
                .collect::<Vec<_>>()
                .join(", ");
            if b.len() > ids_max {
                let _ = write!(s, " and {} more", b.len() - ids_max);
            }
            s
        };
        let mut judged = ids(&t.judged_by);
        if !t.related.is_empty() {
            if !judged.is_empty() {
                judged.push_str("<br>");
            }
            let _ = write!(judged, "related: {}", ids(&t.related));
        }
        let _ = writeln!(
            md,
            "| {name} | {} | {icon} {} | {} | {} |",
            t.category.as_str(),
            t.verdict.label(),
            escape_text(&clip(why, why_max)),
            if judged.is_empty() { "—" } else { &judged }
        );
    }
    if !notes.is_empty() {
        md.push('\n');
        for (i, (name, note)) in notes.iter().enumerate() {
            let _ = writeln!(
                md,
                "{} **{}** needs the vendor: {}<br>",
                superscript(i + 1),
                escape_text(&clip(name, TEXT_MAX)),
                escape_text(&clip(note, REASON_MAX))
            );
        }
    }
}

/// `n` in superscript digits (a note marker that needs no Markdown extension).
fn superscript(n: usize) -> String {
    n.to_string()
        .chars()
        .map(|d| match d {
            '0' => '⁰',
            '1' => '¹',
            '2' => '²',
            '3' => '³',
            '4' => '⁴',
            '5' => '⁵',
            '6' => '⁶',
            '7' => '⁷',
            '8' => '⁸',
            _ => '⁹',
        })
        .collect()
}

/// Counts per level, with a total row.
fn level_table(md: &mut String, by_level: &BTreeMap<Level, Counts>, total: &Counts) {
    md.push_str("\n| Level | Pass | Fail | Error | Skip |\n| :-- | --: | --: | --: | --: |\n");
    for (level, c) in by_level {
        if *level == Level::Advice && c.total() == 0 {
            // Reports from before the advice level (and runs without such checks) keep
            // their table.
            continue;
        }
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} |",
            level_label(*level),
            c.pass,
            c.fail,
            c.error,
            c.skip
        );
    }
    let _ = writeln!(
        md,
        "| **Total** | **{}** | **{}** | **{}** | **{}** |",
        total.pass, total.fail, total.error, total.skip
    );
}

/// How much room is left, and what was left out for lack of it.
#[derive(Default)]
struct Budget {
    /// Entries rendered without their evidence.
    evidence_dropped: usize,
    /// Entries not rendered at all.
    entries_dropped: usize,
}

impl Budget {
    fn notes(&self, md: &mut String) {
        if self.entries_dropped > 0 {
            let _ = write!(
                md,
                "\n_… and {} more, not shown to keep this comment short; see report.json._\n",
                self.entries_dropped
            );
        }
        if self.evidence_dropped > 0 {
            let _ = write!(
                md,
                "\n_Evidence of {} entries left out to keep this comment short; see report.json._\n",
                self.evidence_dropped
            );
        }
    }
}

/// One failed or errored check: the entry with its evidence if that fits
/// [`EVIDENCE_BUDGET`], else without it if that fits [`HARD_BUDGET`], else only counted.
fn entry(md: &mut String, c: &CheckReport, show_level: bool, budget: &mut Budget) {
    let mut head = format!(
        "\n**{}** · {} · {}",
        code(&clip(&c.id, TEXT_MAX)),
        escape_text(&clip(&c.title, TEXT_MAX)),
        escape_text(&clip(&c.rfc, TEXT_MAX))
    );
    if show_level {
        let _ = write!(head, " · {}", level_label(c.level));
    }
    let _ = write!(
        head,
        "<br>\n**Reason:** {}",
        escape_text(&clip(&c.reason, REASON_MAX))
    );
    if let Some(hint) = &c.hint {
        let _ = write!(
            head,
            "<br>\n**Hint:** {}",
            escape_text(&clip(hint, REASON_MAX))
        );
    }
    if let Some(quote) = &c.quote {
        let _ = write!(
            head,
            "<br>\n**The RFC says:** {}",
            escape_text(&clip(quote, REASON_MAX))
        );
    }
    head.push('\n');
    let evidence = evidence(c);
    if md.len() + head.len() + evidence.len() <= EVIDENCE_BUDGET {
        md.push_str(&head);
        md.push_str(&evidence);
    } else if md.len() + head.len() <= HARD_BUDGET {
        md.push_str(&head);
        if !evidence.is_empty() {
            budget.evidence_dropped += 1;
        }
    } else {
        budget.entries_dropped += 1;
    }
}

/// The collapsed evidence of a check (empty when it has none).
fn evidence(c: &CheckReport) -> String {
    let mut md = String::new();
    if c.evidence.is_empty() {
        return md;
    }
    let shown = c.evidence.len().min(EVIDENCE_EXCHANGES);
    let noun = if c.evidence.len() == 1 {
        "exchange"
    } else {
        "exchanges"
    };
    let _ = write!(
        md,
        "\n<details><summary>Evidence: {shown} of {} {noun}</summary>\n",
        c.evidence.len()
    );
    for x in c.evidence.iter().take(EVIDENCE_EXCHANGES) {
        md.push('\n');
        fenced(&mut md, "http", &transcript(x));
    }
    md.push_str("\n</details>\n");
    md
}

/// One exchange as text: request line, request body, status, response headers, response body.
fn transcript(x: &Exchange) -> String {
    let mut t = format!("{} {}\n", clip(&x.method, TEXT_MAX), clip(&x.url, TEXT_MAX));
    if let Some(body) = &x.request_body {
        body_text(&mut t, body);
    }
    match (x.status, &x.error) {
        (Some(status), _) => {
            let _ = writeln!(t, "\nHTTP {status} · {:.0} ms", x.duration_ms);
        }
        (None, Some(error)) => {
            let _ = writeln!(
                t,
                "\nno response after {:.0} ms: {}",
                x.duration_ms,
                clip(error, TEXT_MAX)
            );
        }
        (None, None) => {
            let _ = writeln!(t, "\nno response after {:.0} ms", x.duration_ms);
        }
    }
    for (name, value) in x.response_headers.iter().take(HEADERS_MAX) {
        let _ = writeln!(t, "{}", clip(&format!("{name}: {value}"), TEXT_MAX));
    }
    if x.response_headers.len() > HEADERS_MAX {
        let _ = writeln!(
            t,
            "… ({} more headers)",
            x.response_headers.len() - HEADERS_MAX
        );
    }
    if let Some(body) = &x.response_body {
        body_text(&mut t, body);
    }
    t
}

/// A body after a blank line, JSON pretty-printed, cut at [`BODY_MAX`] bytes.
fn body_text(t: &mut String, body: &str) {
    if body.is_empty() {
        return;
    }
    let pretty = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok());
    let body = pretty.as_deref().unwrap_or(body);
    let (head, more) = crate::text::head(body, BODY_MAX);
    t.push('\n');
    t.push_str(head.trim_end());
    t.push('\n');
    if more > 0 {
        let _ = writeln!(t, "… ({more} more bytes in report.json)");
    }
}

/// A fenced code block whose fence outlasts any backtick run in `text`.
fn fenced(md: &mut String, lang: &str, text: &str) {
    let fence = "`".repeat((longest_run(text, '`') + 1).max(3));
    let _ = writeln!(md, "{fence}{lang}");
    md.push_str(text);
    if !text.ends_with('\n') {
        md.push('\n');
    }
    let _ = writeln!(md, "{fence}");
}

/// Skipped checks counted per reason, most frequent first, then by reason.
fn skipped(md: &mut String, report: &RunReport) {
    let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
    for c in report.checks.iter().filter(|c| c.outcome == Outcome::Skip) {
        *reasons.entry(c.reason.as_str()).or_default() += 1;
    }
    if reasons.is_empty() {
        return;
    }
    let mut rows: Vec<(&str, usize)> = reasons.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let n: usize = rows.iter().map(|(_, n)| n).sum();
    let _ = write!(
        md,
        "\n### Skipped ({n})\n\n| Reason | Checks |\n| :-- | --: |\n"
    );
    let (mut more_reasons, mut more_checks) = (0, 0);
    for (reason, n) in rows {
        let reason = if reason.trim().is_empty() {
            "(no reason given)".to_string()
        } else {
            escape_text(&clip(reason, TEXT_MAX))
        };
        let row = format!("| {reason} | {n} |\n");
        if md.len() + row.len() <= SKIP_BUDGET {
            md.push_str(&row);
        } else {
            more_reasons += 1;
            more_checks += n;
        }
    }
    if more_reasons > 0 {
        let _ = writeln!(md, "| … {more_reasons} more reasons | {more_checks} |");
    }
}

/// What cleanup could not remove, if anything.
fn cleanup(md: &mut String, report: &RunReport) {
    let c = &report.cleanup;
    if c.leftovers.is_empty() {
        return;
    }
    let _ = write!(
        md,
        "\n### Cleanup\n\nCreated {}, removed {}; **{} left on the target:**\n\n",
        c.created,
        c.removed,
        c.leftovers.len()
    );
    for l in c.leftovers.iter().take(LEFTOVERS_MAX) {
        let _ = writeln!(md, "- {}", code(&clip(l, TEXT_MAX)));
    }
    if c.leftovers.len() > LEFTOVERS_MAX {
        let _ = writeln!(
            md,
            "- … and {} more (see report.json)",
            c.leftovers.len() - LEFTOVERS_MAX
        );
    }
}

/// `MUST`, `SHOULD`, `MAY`, `dialect`.
fn level_label(level: Level) -> &'static str {
    match level {
        Level::Must => "MUST",
        Level::Should => "SHOULD",
        Level::May => "MAY",
        Level::Advice => "advice",
        Level::Dialect => "dialect",
    }
}

/// Text rendered literally: Markdown and HTML punctuation backslash-escaped (which also keeps
/// `|` from splitting a table cell), line breaks as `<br>`.
fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '#' | '&' | '!' => {
                out.push('\\');
                out.push(ch);
            }
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push_str("<br>");
                }
            }
            '\n' => out.push_str("<br>"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// An inline code span that survives backticks and `|` in `s` (line breaks become spaces).
fn code(s: &str) -> String {
    let s: String = s
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect();
    let fence = "`".repeat(longest_run(&s, '`') + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    // GitHub splits table cells on `|` even inside code spans unless it is escaped.
    format!("{fence}{pad}{}{pad}{fence}", s.replace('|', "\\|"))
}

/// The longest run of `c` in `s`.
fn longest_run(s: &str, c: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for ch in s.chars() {
        run = if ch == c { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::json::sample;

    fn render_sample() -> String {
        let mut out = Vec::new();
        assert!(write(&sample::report(), &mut out).is_ok());
        String::from_utf8(out).unwrap_or_default()
    }

    #[test]
    fn headline_and_level_table() {
        let md = render_sample();
        assert!(
            md.starts_with("## ❌ scimtest check: 2 failed, 1 errored, 2 passed, 3 skipped\n\n"),
            "{md}"
        );
        assert!(md.contains(
            "Target `https://idp.example/scim/v2` · run `st-5f3a` · started 2025-01-02T03:04:05Z · 1.2 s · scimtest 0.1.0\n"
        ));
        assert!(md.contains(
            "| Level | Pass | Fail | Error | Skip |\n| :-- | --: | --: | --: | --: |\n\
             | MUST | 1 | 1 | 1 | 0 |\n\
             | SHOULD | 0 | 1 | 0 | 0 |\n\
             | MAY | 0 | 0 | 0 | 3 |\n\
             | dialect | 1 | 0 | 0 | 0 |\n\
             | **Total** | **2** | **2** | **1** | **3** |\n"
        ));
        assert!(
            md.contains(
                "| entra | `entra/default` | unknown | ❌ would break at user-lifecycle step 1 (existence-check-user)"
            ),
            "{md}"
        );
    }

    #[test]
    fn icon_follows_the_worst_outcome() {
        let mut r = sample::report();
        r.checks.retain(|c| c.level != Level::Must);
        let mut out = Vec::new();
        assert!(write(&r, &mut out).is_ok());
        assert!(String::from_utf8_lossy(&out).starts_with("## ⚠️ "));
        r.checks.retain(|c| c.outcome == Outcome::Pass);
        out.clear();
        assert!(write(&r, &mut out).is_ok());
        assert!(String::from_utf8_lossy(&out).starts_with("## ✅ scimtest check: 0 failed"));
    }

    #[test]
    fn failures_grouped_by_level_must_first_then_errors() {
        let md = render_sample();
        let pos = |s: &str| md.find(s).unwrap_or(usize::MAX);
        assert!(pos("### Failures (2)") < pos("#### MUST (1)"));
        assert!(pos("#### MUST (1)") < pos("`users.create.status-201`"));
        assert!(pos("`users.create.status-201`") < pos("#### SHOULD (1)"));
        assert!(pos("#### SHOULD (1)") < pos("`users.create.location-header`"));
        assert!(pos("`users.create.location-header`") < pos("### Errors (1)"));
        assert!(pos("### Errors (1)") < pos("`groups.create.status-201`"));
        assert!(pos("`groups.create.status-201`") < usize::MAX);
        assert!(md.contains(
            "**`users.create.status-201`** · POST /Users answers 201 Created · RFC 7644 §3.3<br>\n**Reason:** "
        ));
        assert!(md.contains(
            "**Hint:** answer \\`201 Created\\` with the resource \\& a Location header\n"
        ));
        assert!(md.contains("`groups.create.status-201`** · title of groups.create.status-201 · RFC 7644 §3.3 · MUST<br>"));
        // Passing checks are not listed.
        assert!(!md.contains("discovery.spc.status-200"));
    }

    #[test]
    fn hostile_reason_is_escaped() {
        let md = render_sample();
        assert!(md.contains(
            "**Reason:** expected 201, got 200 \\<b\\>\\&\"quoted\"\\</b\\> \\| pipe \\`tick\\` \\`\\`\\`fence\\`\\`\\`<br>\\# not a heading<br>\n**Hint:** "
        ), "{md}");
        assert!(!md.contains("<b>"));
        assert!(!md.contains("\n# not a heading"));
    }

    #[test]
    fn evidence_is_collapsed_capped_and_truncated() {
        let md = render_sample();
        assert!(md.contains("<details><summary>Evidence: 2 of 3 exchanges</summary>\n\n```http\nPOST https://idp.example/scim/v2/Users?access_token=<redacted>\n\n{\n  \"schemas\": ["));
        assert!(md.contains("<details><summary>Evidence: 1 of 1 exchange</summary>"));
        assert!(md.contains("\nHTTP 200 · 12 ms\nContent-Type: application/scim+json\nSet-Cookie: <redacted>\n\n{\n  \"id\": \"1\","));
        assert!(md.contains("no response after 30000 ms: connection reset by peer"));
        // Only the first two exchanges; the big body is cut at 1 KiB.
        assert!(!md.contains("third-exchange-marker"));
        assert!(md.contains(" more bytes in report.json)\n```\n"));
        assert!(!md.contains(&"x".repeat(BODY_MAX)));
        assert!(md.contains(&"x".repeat(800)));
        assert_eq!(
            md.matches("<details>").count(),
            md.matches("</details>").count()
        );
        assert_eq!(md.matches("```http\n").count(), 4);
    }

    #[test]
    fn skips_are_counted_per_reason_only() {
        let md = render_sample();
        assert!(md.contains(
            "### Skipped (3)\n\n| Reason | Checks |\n| :-- | --: |\n| bulk not advertised | 2 |\n| sort \\| not advertised | 1 |\n"
        ));
        assert!(!md.contains("bulk.post.status-200"));
    }

    #[test]
    fn cleanup_leftovers_are_listed() {
        let md = render_sample();
        assert!(md.contains("Created 3, removed 2; **1 left on the target:**\n\n- `https://idp.example/scim/v2/Users/1: 500`\n"));
    }

    #[test]
    fn no_secret_and_no_request_header_is_printed() {
        let md = render_sample();
        assert!(!md.contains(sample::TOKEN), "token leaked");
        assert!(!md.contains("hunter2") && !md.contains("sid=abc"));
        // Request headers are not rendered at all (only response headers are).
        assert!(!md.contains("Authorization") && !md.contains("Bearer"));
        assert!(!md.contains("X-Debug-Echo"));
    }

    #[test]
    fn deterministic() {
        assert_eq!(render_sample(), render_sample());
    }

    #[test]
    fn a_huge_run_still_fits_a_pr_comment() {
        let mut r = sample::report();
        let template = r.checks[1].clone();
        for i in 0..500 {
            let mut c = template.clone();
            c.id = format!("users.many.check-{i}");
            r.checks.push(c);
        }
        r.recount();
        let md = render(&r);
        assert!(md.len() < 65_536, "{} bytes", md.len());
        assert!(md.contains("more, not shown to keep this comment short"));
        assert!(md.contains("entries left out to keep this comment short"));
        assert!(md.contains("### Skipped (3)"));
        assert_eq!(
            md.matches("<details>").count(),
            md.matches("</details>").count()
        );
    }

    fn render_certify() -> String {
        render(&sample::certify_report())
    }

    #[test]
    fn a_certify_report_opens_with_a_section_per_programme() {
        let md = render_certify();
        let pos = |s: &str| md.find(s).unwrap_or(usize::MAX);
        assert!(md.starts_with("## ❌ scimtest certify: "), "{md}");
        let entra = pos("\n## ❌ Microsoft Entra app gallery readiness: not ready\n");
        let okta = pos("\n## ✅ Okta Integration Network readiness: ready for submission\n");
        assert!(entra < okta && okta < pos("| Level | Pass |"), "{md}");
        assert!(okta < pos("### Failures"));
        assert!(md.contains("**Blockers (2):**\n\n- Update\\_User\\_Test (mandatory): "));
        assert!(md.contains("**Warnings (1):**\n\n- Delete\\_Group\\_Test (optional): the group is still served after DELETE\n"));
        assert!(md.contains("**Mapping:** Entra's default attribute mappings"));
        assert!(md.contains("**Rule:** Microsoft's rule: every mandatory test passes"));
        assert!(md.contains(&format!("**Scope:** {}", sample::ENTRA_SCOPE)));
        assert!(md.contains("| Test | Category | Verdict | Why | Judged by |"));
        assert!(md.contains(
            "| Create\\_User\\_Test | mandatory | ✅ PASSED |  | `certify.entra.create-user` (pass)<br>related: `users.create.status-201` (pass) |"
        ), "{md}");
        // The hostile reason stays in its cell.
        assert!(md.contains(
            "| Update\\_User\\_Test | mandatory | ❌ FAILED | read back the user: title is \"old\", expected \"new \\| \\<b\\>\" | `certify.entra.update-user` (fail)<br>related: `patch.replace.case-insensitive-op` (fail) |"
        ), "{md}");
        assert!(md.contains("| Delete\\_Group\\_Test | optional | ⚠️ WARNING | "));
        assert!(md.contains("| Federated\\_Identity\\_Test ¹ | mandatory | ⏭️ SKIPPED | "));
        assert!(md.contains("| Gallery\\_Throughput (scimtest) ² | mandatory | ❔ UNKNOWN | not measured (--no-load) | — |"));
        assert!(md.contains(
            "¹ **Federated\\_Identity\\_Test** needs the vendor: runs in Microsoft's tenant"
        ));
        assert!(md.contains("² **Gallery\\_Throughput (scimtest)** needs the vendor: not one of the Logic App's tests"));
        assert!(md.contains("| Test Users endpoint | mandatory | ✅ PASSED |"));
        // The probes' failures are detailed below, as for any check.
        assert!(md.contains("**`certify.entra.update-user`**"));
        assert!(!md.contains(sample::TOKEN));
        // Other commands have no readiness section.
        assert!(!render_sample().contains("readiness:"));
    }

    #[test]
    fn a_certify_report_snapshot() {
        insta::with_settings!({
            snapshot_path => "../../snapshots",
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!("certify.report.md", render_certify());
        });
    }

    #[test]
    fn a_huge_certify_run_still_fits_a_pr_comment_with_every_verdict() {
        let mut r = sample::certify_report();
        let long = "why ".repeat(1000);
        for x in &mut r.readiness {
            let template = x.tests[1].clone();
            for i in 0..40 {
                let mut t = template.clone();
                t.name = format!("Long_Test_{i}");
                t.reason = long.clone();
                t.judged_by = (0..30)
                    .map(|j| Basis {
                        id: format!("certify.p.{i}.{j}"),
                        outcome: Outcome::Fail,
                    })
                    .collect();
                x.blockers
                    .push(format!("Long_Test_{i} (mandatory): {long}"));
                x.tests.push(t);
            }
        }
        let template = r.checks[1].clone();
        for i in 0..500 {
            let mut c = template.clone();
            c.id = format!("certify.many.check-{i}");
            r.checks.push(c);
        }
        r.recount();
        let md = render(&r);
        assert!(md.len() < 65_536, "{} bytes", md.len());
        for x in &r.readiness {
            for t in &x.tests {
                assert!(
                    md.contains(&format!("| {} ", escape_text(&t.name))),
                    "{} missing",
                    t.name
                );
            }
        }
        assert!(md.contains(" and 22 more"));
    }

    #[test]
    fn superscripts_count_past_nine() {
        assert_eq!(superscript(1), "¹");
        assert_eq!(superscript(20), "²⁰");
    }

    #[test]
    fn code_spans_and_fences_outlast_backticks() {
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x`"), "`` `x` ``");
        assert_eq!(code("a|b\nc"), "`a\\|b c`");
        let mut md = String::new();
        fenced(&mut md, "http", "```\nbody\n````");
        assert!(md.starts_with("`````http\n"));
        assert!(md.ends_with("\n`````\n"));
        assert_eq!(escape_text("a\r\nb\rc\u{7}"), "a<br>b<br>c");
    }
}
