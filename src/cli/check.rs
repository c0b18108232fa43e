//! `scimtest check`: its options, `--list`, and [`execute`] (select checks, open the report
//! files, reach the target — the embedded provider when none is given — run, write the reports,
//! print the summary and judge the verdict), which `scimtest run` calls too.

use crate::cli::common::{
    GateArg, ReportArgs, TargetArgs, first_line, gating, gating_label, parse_duration,
    print_cleanup, read_report, shell_quote,
};
use crate::cli::connect::{Connected, connect_with, preflight, second_client};
use crate::cli::console::{self, Style, WIDTH};
use crate::cli::error::{CmdResult, Error, Finished, Verdict};
use crate::cli::outputs::open_outputs;
use crate::client::Namespace;
use crate::conformance::model::Check;
use crate::conformance::runner::{self, RunOptions, Selection};
use crate::report::model::{CheckReport, FORMAT_VERSION, Level, Outcome, RunReport, RunStatus};
use crate::say;
use crate::text::{display_width, fit, wrap};
use anyhow::Context;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// `--level`: the lowest level included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LevelArg {
    /// MUST checks only.
    Must,
    /// MUST and SHOULD.
    Should,
    /// Every RFC level (MUST, SHOULD, MAY), no IdP dialect checks.
    May,
}

/// `--format` of `--list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    /// One line per check.
    Text,
    /// A JSON array.
    Json,
    /// A Markdown table (docs/checks.md).
    Md,
}

/// Arguments of `scimtest check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The target.
    #[command(flatten)]
    pub target: TargetArgs,
    /// Per-request timeout (e.g. 10s, 500ms).
    #[arg(long, default_value = "10s", value_parser = parse_duration, value_name = "DURATION")]
    pub timeout: Duration,
    /// Run only the checks matching this glob (repeatable), e.g. 'patch.*'.
    #[arg(long, value_name = "GLOB")]
    pub only: Vec<String>,
    /// Leave out the checks matching this glob (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub skip: Vec<String>,
    /// The lowest level to run (default: everything, including IdP dialect checks).
    #[arg(long, value_enum)]
    pub level: Option<LevelArg>,
    /// List the selected checks instead of running them.
    #[arg(long)]
    pub list: bool,
    /// Explain one check (its level, the RFC sentence, what it needs, how to fix a failure, the
    /// fault that proves it) instead of running anything.
    #[arg(long, value_name = "ID", conflicts_with = "list")]
    pub explain: Option<String>,
    /// Format of --list (default text); only with --list (a run's machine-readable result is
    /// report.json: --report-json FILE).
    #[arg(long, value_enum)]
    pub format: Option<ListFormat>,
    /// Checks in flight at once.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256), value_name = "N")]
    pub concurrency: u16,
    /// The reports.
    #[command(flatten)]
    pub reports: ReportArgs,
    /// SHOULD failures also make the exit code 1 (adds `should` to --fail-on).
    #[arg(long)]
    pub strict: bool,
    /// The levels whose failures and errors make the exit code 1, comma-separated: must,
    /// should, may, advice, dialect (default: must,dialect — a dialect failure is one an IdP
    /// would break on).
    #[arg(long, value_enum, value_delimiter = ',', value_name = "LEVELS")]
    pub fail_on: Vec<GateArg>,
    /// A previous report.json: its failures are known and do not fail this run; new failures do.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// A bearer token of a second tenant of the same target (also read from
    /// SCIMTEST_SECOND_TOKEN): enables the `isolation.*` checks, which verify that neither
    /// tenant can see or touch the other's data. The embedded provider always has one.
    #[arg(
        long,
        env = "SCIMTEST_SECOND_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub second_token: Option<String>,
    /// The run id (`scimtest run` hands its own down, so every part shares it); a new one
    /// when None. Not a flag.
    #[arg(skip)]
    pub run_id: Option<String>,
}

impl CheckArgs {
    /// The arguments of `scimtest check --report-dir DIR` against `target` (clap's defaults
    /// otherwise): the first part of `scimtest run`.
    pub fn new(target: TargetArgs, report_dir: PathBuf) -> CheckArgs {
        CheckArgs {
            target,
            timeout: Duration::from_secs(10),
            only: Vec::new(),
            skip: Vec::new(),
            level: None,
            list: false,
            explain: None,
            format: None,
            concurrency: 8,
            reports: ReportArgs {
                report_dir: Some(report_dir),
                ..ReportArgs::default()
            },
            strict: false,
            fail_on: Vec::new(),
            baseline: None,
            second_token: None,
            run_id: None,
        }
    }
}

fn failures(report: &RunReport) -> BTreeSet<String> {
    report
        .checks
        .iter()
        .filter(|c| matches!(c.outcome, Outcome::Fail | Outcome::Error))
        .map(|c| c.id.clone())
        .collect()
}

/// Run `scimtest check`: list the selected checks, or run them (see [`execute`]).
pub async fn run(args: CheckArgs) -> CmdResult {
    format_needs_list(&args)?;
    if let Some(id) = &args.explain {
        let text = crate::catalogue::explain(id).map_err(|e| Error::usage(e.to_string()))?;
        print!("{text}");
        return Ok(Verdict::Passed);
    }
    if args.list {
        let format = match args.format.unwrap_or(ListFormat::Text) {
            ListFormat::Text => crate::report::catalogue::ListFormat::Text,
            ListFormat::Json => crate::report::catalogue::ListFormat::Json,
            ListFormat::Md => crate::report::catalogue::ListFormat::Md,
        };
        let listing = crate::catalogue::list(&selection(&args), format)
            .map_err(|e| Error::usage(e.to_string()))?;
        print!("{listing}");
        return Ok(Verdict::Passed);
    }
    execute(&args).await.map(|f| f.verdict)
}

/// `--format` shapes `--list` only: anywhere else it would be silently ignored, so it is a usage
/// error naming what to use instead.
fn format_needs_list(args: &CheckArgs) -> Result<(), Error> {
    let Some(f) = args.format else {
        return Ok(());
    };
    if args.list {
        return Ok(());
    }
    let name = match f {
        ListFormat::Text => "text",
        ListFormat::Json => "json",
        ListFormat::Md => "md",
    };
    let hint = if args.explain.is_some() {
        "--explain prints text only; for every check's description as JSON use \
         `scimtest check --list --format json`"
            .to_string()
    } else {
        format!(
            "to list the checks: `scimtest check --list --format {name}`; a run's \
             machine-readable result is report.json (--report-json FILE or --report-dir DIR)"
        )
    };
    Err(Error::usage(format!("--format {name} applies to --list only")).with_hint(hint))
}

/// The selection `args` asks for.
fn selection(args: &CheckArgs) -> Selection {
    Selection {
        only: args.only.clone(),
        skip: args.skip.clone(),
        level: args.level.map(|l| match l {
            LevelArg::Must => Level::Must,
            LevelArg::Should => Level::Should,
            LevelArg::May => Level::May,
        }),
    }
}

/// The checks `args` selects; an unknown id or glob is a usage error.
fn select(args: &CheckArgs) -> Result<Vec<Check>, Error> {
    runner::select(&selection(args)).map_err(|e| Error::usage(e.to_string()))
}

/// Run the selected checks against the target (the embedded provider without `--target`),
/// write the reports and print the summary: `scimtest check`, and the first part of
/// `scimtest run`.
pub async fn execute(args: &CheckArgs) -> Result<Finished, Error> {
    let selection = selection(args);
    let checks = select(args)?;
    if checks.is_empty() {
        return Err(Error::nothing_ran(
            "nothing to run: the selection matches no check",
        ));
    }
    if args.target.target.is_some()
        && args.target.token.is_none()
        && args.target.headers.is_empty()
        && !args.target.oauth_args.any()
    {
        eprintln!("note: no --token or --header given; requests go out unauthenticated");
    }
    let baseline_report = match &args.baseline {
        Some(p) => Some(read_report(p).context("bad --baseline")?),
        None => None,
    };
    let baseline = baseline_report.as_ref().map(failures);
    let ns = args
        .run_id
        .as_deref()
        .map_or_else(Namespace::new, Namespace::with_run_id);
    let run_id = ns.run_id().to_string();
    // Report files first: a bad path fails now, not after the run.
    let (mut outputs, dir) = open_outputs(&args.reports, &run_id)?;
    if let Some(b) = baseline_report {
        outputs.set_baseline(b);
    }

    let extra: Vec<String> = args.second_token.iter().cloned().collect();
    let Connected {
        client,
        embedded,
        embedded_second_token,
        shown_target,
        ..
    } = connect_with(&args.target, args.timeout, &extra).await?;
    let second = match args.second_token.clone().or(embedded_second_token) {
        Some(t) => Some(second_client(
            &client,
            &args.target,
            args.timeout,
            &t,
            &extra,
        )?),
        None => None,
    };
    if let Err(e) = preflight(&client, second.as_ref()).await {
        if let Some(h) = embedded {
            h.shutdown().await;
        }
        return Err(e);
    }
    let gates = gating(&args.fail_on, args.strict);

    let console = console::current();
    let bar = if console.progress_bar() {
        let b = indicatif::ProgressBar::new(checks.len() as u64);
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {msg}")
        {
            b.set_style(style.progress_chars("=> "));
        }
        Some(b)
    } else {
        if console.progress() {
            eprintln!(
                "scimtest check: {} checks against {shown_target} (run {run_id})",
                checks.len()
            );
        }
        None
    };
    // Live lines: with --verbose every check as it lands (failures above the bar on a
    // terminal); otherwise the summary lists the failures once, at the end.
    let on_done = |r: &CheckReport| match &bar {
        Some(b) => {
            if console.verbose() && matches!(r.outcome, Outcome::Fail | Outcome::Error) {
                b.println(format!(
                    "{:<5} {}  {}",
                    r.outcome.as_str().to_uppercase(),
                    r.id,
                    first_line(&r.reason)
                ));
            }
            b.set_message(r.id.clone());
            b.inc(1);
        }
        None if console.verbose() => eprintln!("{:<5} {}", r.outcome.as_str(), r.id),
        None => {}
    };
    let started = Instant::now();
    let started_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let opts = RunOptions {
        selection,
        concurrency: usize::from(args.concurrency),
        check_timeout: args.timeout * 3,
        second,
        extension: None,
    };
    let token_source = client.oauth().cloned();
    let out = runner::run(client, ns, checks, &opts, &on_done).await;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    if let Some(h) = embedded {
        h.shutdown().await;
    }
    if let Some(src) = &token_source {
        eprintln!("{}", src.summary());
    }
    let out = out.map_err(|e| Error::from(anyhow::Error::new(e)))?;
    let mut report = RunReport {
        format_version: FORMAT_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        command: "check".into(),
        run_id: run_id.clone(),
        target: shown_target,
        embedded_target: args.target.is_embedded(),
        started_at,
        duration_ms: started.elapsed().as_secs_f64() * 1000.0,
        counts: Default::default(),
        by_level: Default::default(),
        by_area: Default::default(),
        cleanup: out.cleanup.clone(),
        checks: out.checks,
        profiles: Vec::new(),
        catalogue_version: Some(crate::catalogue::version()),
        status: if out.interrupted {
            RunStatus::Interrupted
        } else {
            RunStatus::Complete
        },
        exit_code: None,
        gating: gates.clone(),
        options: check_options(args),
        readiness: Vec::new(),
        load: None,
        configuration: None,
    };
    report.recount();
    let verdict = if out.interrupted {
        Verdict::Incomplete
    } else {
        verdict(&report, &gates, baseline.as_ref())
    };
    report.exit_code = Some(verdict.exit_code());
    outputs.write(&report)?;
    print_summary(&report, &dir, baseline.as_ref());
    if out.interrupted {
        eprintln!("interrupted: remaining checks were not run; created resources were cleaned up");
    }
    Ok(Finished { report, verdict })
}

/// The options of a `check` that shaped it, as they would be typed again (secrets as
/// variables).
fn check_options(args: &CheckArgs) -> Vec<String> {
    let mut o = Vec::new();
    let embedded = args.target.is_embedded();
    o.extend(args.target.auth_options());
    if args.timeout != Duration::from_secs(10) {
        o.push(format!("--timeout {}ms", args.timeout.as_millis()));
    }
    for g in &args.only {
        o.push(format!("--only {}", shell_quote(g)));
    }
    for g in &args.skip {
        o.push(format!("--skip {}", shell_quote(g)));
    }
    if let Some(l) = args.level {
        o.push(format!(
            "--level {}",
            match l {
                LevelArg::Must => "must",
                LevelArg::Should => "should",
                LevelArg::May => "may",
            }
        ));
    }
    if !args.fail_on.is_empty() {
        let mut seen: Vec<&str> = Vec::new();
        for g in &args.fail_on {
            let n = g.level().as_str();
            if !seen.contains(&n) {
                seen.push(n);
            }
        }
        o.push(format!("--fail-on {}", seen.join(",")));
    }
    if args.strict {
        o.push("--strict".into());
    }
    if let Some(b) = &args.baseline {
        o.push(format!(
            "--baseline {}",
            shell_quote(&b.display().to_string())
        ));
    }
    if args.second_token.is_some() && !embedded {
        o.push("--second-token \"$SECOND_TOKEN\"".into());
    }
    if args.concurrency != 8 {
        o.push(format!("--concurrency {}", args.concurrency));
    }
    o
}

/// Failed when a check of a gating level (`--fail-on`, see [`gating`]) failed or errored and
/// is not a known baseline failure; nothing ran when every check was skipped; passed otherwise.
pub fn verdict(
    report: &RunReport,
    gates: &[Level],
    baseline: Option<&BTreeSet<String>>,
) -> Verdict {
    if report.checks.iter().all(|c| c.outcome == Outcome::Skip) {
        return Verdict::NothingRan;
    }
    let failed = report.checks.iter().any(|c| {
        matches!(c.outcome, Outcome::Fail | Outcome::Error)
            && gates.contains(&c.level)
            && !baseline.is_some_and(|b| b.contains(&c.id))
    });
    if failed {
        Verdict::Failed
    } else {
        Verdict::Passed
    }
}

/// The summary: failures first, grouped by area, one line each with the fix hint; errors the
/// same; passes and skips counted (listed with `--verbose`); then the totals and where the
/// reports are. Every line fits [`WIDTH`] columns.
fn print_summary(r: &RunReport, dir: &std::path::Path, baseline: Option<&BTreeSet<String>>) {
    let console = console::current();
    let known = |c: &CheckReport| baseline.is_some_and(|b| b.contains(&c.id));
    for outcome in [Outcome::Fail, Outcome::Error] {
        print_group(r, outcome, &known);
    }
    if console.verbose() {
        for outcome in [Outcome::Pass, Outcome::Skip] {
            print_group(r, outcome, &known);
        }
    }
    if !r.status.is_complete() {
        say!(
            "{}",
            console.paint(
                Style::Warn,
                &format!(
                    "INCOMPLETE ({}): checks that did not run have no verdict",
                    r.status.as_str()
                )
            )
        );
    }
    let c = &r.counts;
    let totals = format!(
        "{} passed, {} failed, {} errors, {} skipped in {:.2} s against {}{}",
        c.pass,
        c.fail,
        c.error,
        c.skip,
        r.duration_ms / 1000.0,
        r.target,
        if r.embedded_target {
            " (embedded provider)"
        } else {
            ""
        }
    );
    let head = console.paint(Style::Bold, "scimtest check:");
    let mut lines = wrap(&totals, WIDTH, "scimtest check: ", 2).into_iter();
    if let Some(first) = lines.next() {
        say!("{head}{}", first.trim_start_matches("scimtest check:"));
    }
    for l in lines {
        say!("{l}");
    }
    if !console.quiet() {
        // MUST first, as the RFC ranks them; advice and dialect after the keywords.
        let rank = |l: &str| {
            ["must", "should", "may", "advice", "dialect"]
                .iter()
                .position(|k| *k == l)
                .unwrap_or(usize::MAX)
        };
        let mut levels: Vec<_> = r.by_level.iter().collect();
        levels.sort_by_key(|(l, _)| rank(l));
        for (level, n) in levels {
            say!(
                "{}",
                console.paint(
                    Style::Dim,
                    &format!(
                        "  {level:<8} {:>4} pass {:>4} fail {:>4} error {:>4} skip",
                        n.pass, n.fail, n.error, n.skip
                    )
                )
            );
        }
        say!(
            "{}",
            console.paint(
                Style::Dim,
                &format!(
                    "  gating: {} (--fail-on; exit 1 when one of these failed or errored)",
                    gating_label(&r.gating)
                )
            )
        );
    }
    if let Some(b) = baseline {
        let fixed: Vec<&str> = b
            .iter()
            .filter(|id| {
                r.checks
                    .iter()
                    .any(|c| &c.id == *id && c.outcome == Outcome::Pass)
            })
            .map(String::as_str)
            .collect();
        if !fixed.is_empty() {
            for l in wrap(
                &fixed.join(", "),
                WIDTH,
                "newly passing since the baseline:",
                2,
            ) {
                say!("{l}");
            }
        }
    }
    print_cleanup(&r.cleanup);
    print_reports_line(dir);
}

/// `reports: DIR  (html: DIR/index.html)`, on two lines when one does not fit.
pub fn print_reports_line(dir: &std::path::Path) {
    let console = console::current();
    let line = format!(
        "reports: {}  (html: {})",
        dir.display(),
        dir.join("index.html").display()
    );
    if display_width(&line) <= WIDTH {
        say!("{}", console.paint(Style::Dim, &line));
    } else {
        say!(
            "{}",
            console.paint(Style::Dim, &format!("reports: {}", dir.display()))
        );
        say!(
            "{}",
            console.paint(
                Style::Dim,
                &format!("  html: {}", dir.join("index.html").display())
            )
        );
    }
}

/// The checks with `outcome`, grouped by area (the catalogue's order within an area): a
/// heading per area, then one line per check.
fn print_group(r: &RunReport, outcome: Outcome, known: &dyn Fn(&CheckReport) -> bool) {
    let console = console::current();
    let mut areas: Vec<&str> = Vec::new();
    for c in r.checks.iter().filter(|c| c.outcome == outcome) {
        if !areas.contains(&c.area.as_str()) {
            areas.push(&c.area);
        }
    }
    if areas.is_empty() {
        return;
    }
    let (word, style) = match outcome {
        Outcome::Fail => ("failed", Style::Fail),
        Outcome::Error => ("errors", Style::Fail),
        Outcome::Pass => ("passed", Style::Pass),
        Outcome::Skip => ("skipped", Style::Dim),
    };
    let total = r.checks.iter().filter(|c| c.outcome == outcome).count();
    say!(
        "{}",
        console.paint(Style::Bold, &format!("{word} ({total}):"))
    );
    for area in areas {
        let in_area: Vec<&CheckReport> = r
            .checks
            .iter()
            .filter(|c| c.outcome == outcome && c.area == area)
            .collect();
        say!(
            "{}",
            console.paint(Style::Dim, &format!("{area} ({})", in_area.len()))
        );
        for c in in_area {
            for l in check_lines(c, known(c), console.verbose()) {
                let (tag, rest) = l.split_at(l.find(' ').unwrap_or(0));
                if tag.is_empty() {
                    say!("{}", console.paint(Style::Dim, &l));
                } else {
                    let style = if known(c) { Style::Warn } else { style };
                    say!("{}{rest}", console.paint(style, tag));
                }
            }
        }
    }
}

/// One check of the summary: `FAIL  patch.replace.active  fix: <hint>` cut to [`WIDTH`] (the
/// id never cut); with `verbose` `<title> — fix: <hint>` wrapped under it, and the reason.
fn check_lines(c: &CheckReport, known: bool, verbose: bool) -> Vec<String> {
    let tag = c.outcome.as_str().to_uppercase();
    let mut id = c.id.clone();
    if !matches!(c.level, Level::Must) {
        id.push_str(&format!(" [{}]", c.level.as_str()));
    }
    if known {
        id.push_str(" (known, in baseline)");
    }
    let first = format!("{tag:<5} {id}  ");
    let reason = first_line(&c.reason);
    let text = match (c.outcome, &c.hint) {
        (Outcome::Fail, Some(h)) => format!("{} — fix: {}", c.title, first_line(h)),
        (Outcome::Fail | Outcome::Error | Outcome::Skip, _) if !reason.is_empty() => {
            format!("{} — {reason}", c.title)
        }
        _ => c.title.clone(),
    };
    if !verbose {
        // One line: a failure's fix (the id says what was checked; --verbose adds the title
        // and what came back), anything else its title and reason.
        let text = match (c.outcome, &c.hint) {
            (Outcome::Fail, Some(h)) => format!("fix: {}", first_line(h)),
            _ => text,
        };
        let room = WIDTH.saturating_sub(display_width(&first));
        return vec![
            format!("{first}{}", fit(&text, room.max(1)))
                .trim_end()
                .to_string(),
        ];
    }
    let mut lines = wrap(&text, WIDTH, &first, 6);
    if c.outcome == Outcome::Fail && !reason.is_empty() {
        lines.extend(wrap(reason, WIDTH, "      got: ", 11));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report_with(levels: &[(Level, Outcome)]) -> RunReport {
        let checks = levels
            .iter()
            .enumerate()
            .map(|(i, (level, outcome))| CheckReport {
                id: format!("x.{i}"),
                title: String::new(),
                rfc: String::new(),
                level: *level,
                area: "x".into(),
                outcome: *outcome,
                reason: String::new(),
                hint: None,
                quote: None,
                duration_ms: 0.0,
                evidence: Vec::new(),
            })
            .collect();
        RunReport {
            format_version: FORMAT_VERSION,
            tool_version: String::new(),
            command: "check".into(),
            run_id: "r".into(),
            target: String::new(),
            embedded_target: true,
            started_at: String::new(),
            duration_ms: 0.0,
            counts: Default::default(),
            by_level: Default::default(),
            by_area: Default::default(),
            cleanup: Default::default(),
            checks,
            profiles: Vec::new(),
            load: None,
            catalogue_version: None,
            status: RunStatus::Complete,
            exit_code: None,
            gating: Vec::new(),
            options: Vec::new(),
            readiness: Vec::new(),
            configuration: None,
        }
    }

    #[test]
    fn fail_on_defaults_to_must_and_dialect_and_advice_never_gates_unless_asked() {
        let default = gating(&[], false);
        assert_eq!(default, vec![Level::Must, Level::Dialect]);
        assert_eq!(gating_label(&default), "MUST, dialect");
        assert_eq!(
            gating(&[], true),
            vec![Level::Must, Level::Should, Level::Dialect]
        );
        assert_eq!(
            gating(&[GateArg::Advice, GateArg::Must, GateArg::Advice], false),
            vec![Level::Must, Level::Advice]
        );
        let pass = (Level::Must, Outcome::Pass);
        for (failing, gates, code) in [
            (Level::Dialect, default.clone(), Verdict::Failed),
            (Level::Advice, default.clone(), Verdict::Passed),
            (Level::Should, default.clone(), Verdict::Passed),
            (Level::May, default.clone(), Verdict::Passed),
            (Level::Should, gating(&[], true), Verdict::Failed),
            (
                Level::Advice,
                gating(&[GateArg::Advice], false),
                Verdict::Failed,
            ),
            (
                Level::Dialect,
                gating(&[GateArg::Must], false),
                Verdict::Passed,
            ),
        ] {
            let r = report_with(&[pass, (failing, Outcome::Fail)]);
            assert_eq!(
                verdict(&r, &gates, None),
                code,
                "{failing:?} with {gates:?}"
            );
            let r = report_with(&[pass, (failing, Outcome::Error)]);
            assert_eq!(verdict(&r, &gates, None), code, "errors gate too");
        }
        let r = report_with(&[pass, (Level::Dialect, Outcome::Fail)]);
        let known: BTreeSet<String> = ["x.1".to_string()].into_iter().collect();
        assert_eq!(
            verdict(&r, &default, Some(&known)),
            Verdict::Passed,
            "baseline"
        );
    }
}
