//! `scimtest run` (and `scimtest` with no arguments): everything against one target — the full
//! `check`, `replay` of every profile and the `smoke` load scenario — each writing its usual
//! reports into its own directory, plus an index of the three (`index.json`, `index.md`).
//! The parts run in this process through the same library calls as the commands
//! (`check::execute`, `replay::execute`, `load::execute`) and hand back their reports; the
//! outcome is the worst of the three (`error::worse`: 3 before 2 before 1 before 4 before 0).

use crate::cli::check::{self, CheckArgs};
use crate::cli::common::{GateArg, TargetArgs, TargetUrl};
use crate::cli::connect::{connect, preflight, spawn_embedded_extended};
use crate::cli::console::{self, Style, WIDTH};
use crate::cli::error::{self, CmdResult, Error, ErrorKind, Finished, Verdict};
use crate::cli::load::{self, LoadArgs};
use crate::cli::replay::{self, ReplayArgs};
use crate::report::model::RunReport;
use crate::say;
use crate::text::{fit, wrap};
use anyhow::Context;
use serde::Serialize;
use std::path::PathBuf;

/// Arguments of `scimtest run`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct RunArgs {
    /// The target (without `--target`, one embedded provider is started and used by all three
    /// parts).
    #[command(flatten)]
    pub target: TargetArgs,
    /// A second tenant's bearer token for the check's isolation checks (also read from
    /// SCIMTEST_SECOND_TOKEN); the embedded provider has one of its own.
    #[arg(
        long,
        env = "SCIMTEST_SECOND_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub second_token: Option<String>,
    /// Directory of the combined report (default: reports/run-<id>/).
    #[arg(long, value_name = "DIR")]
    pub report_dir: Option<PathBuf>,
    /// The load scenario of the third part (default: `smoke` against the embedded provider;
    /// against any other target the small, paced `gentle`, so a production endpoint never gets
    /// an unpaced write load it was not asked about).
    #[arg(long = "load", visible_alias = "scenario", value_name = "NAME|FILE")]
    pub scenario: Option<String>,
    /// Skip the load part.
    #[arg(long, conflicts_with = "scenario")]
    pub no_load: bool,
    /// The check's gating levels (see `scimtest check --fail-on`; default must,dialect).
    #[arg(long, value_enum, value_delimiter = ',', value_name = "LEVELS")]
    pub fail_on: Vec<GateArg>,
    /// SHOULD failures of the check also make the exit code 1.
    #[arg(long)]
    pub strict: bool,
    /// Also write every exchange of the three parts (redacted) here as one HTTP Archive (HAR
    /// 1.2), one page per check or replayed flow (`check/<id>`, `replay/<id>`, `load/<id>`).
    #[arg(long, value_name = "FILE")]
    pub report_har: Option<PathBuf>,
    /// A provisioning configuration (docs/provisioning.md) for the replay and load parts:
    /// replay as your customers set the IdP up, load only what it provisions
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

impl RunArgs {
    /// The arguments of a bare `scimtest` (clap's defaults).
    pub fn default_args() -> RunArgs {
        RunArgs::default()
    }

    /// The load scenario this run uses, None with `--no-load`.
    pub fn load_scenario(&self) -> Option<String> {
        if self.no_load {
            return None;
        }
        Some(self.scenario.clone().unwrap_or_else(|| {
            if self.target.target.is_some() {
                crate::load::scenario::GENTLE_SCENARIO.to_string()
            } else {
                crate::load::scenario::DEFAULT_SCENARIO.to_string()
            }
        }))
    }
}

/// What a run will create on a target that is not the embedded provider, said before it starts.
fn announce(target: &str, scenario: Option<(&crate::load::engine::Plan, bool)>) -> String {
    let mut s = format!(
        "scimtest run will create test data on {target}, every name starting with \"scimtest-<run id>-\", \
         and delete it at the end (each DELETE read back):\n  \
         check   users and groups, a few at a time, one or two per check\n  \
         replay  the users and groups of each IdP profile's provisioning flows\n"
    );
    match scenario {
        None => s.push_str("  load    skipped (--no-load)\n"),
        Some((p, explicit)) => {
            let length = match (p.duration, p.iterations) {
                (Some(d), _) => format!("for {} s", d.as_secs_f64()),
                (None, Some(n)) => format!("{n} iteration{} each", if n == 1 { "" } else { "s" }),
                (None, None) => "until stopped".into(),
            };
            let pace = match p.throttle {
                Some(r) => format!("paced at {r} req/s"),
                None => "UNPACED (as fast as the target answers)".into(),
            };
            s.push_str(&format!(
                "  load    scenario {}{}: a pool of {} users and {} group(s), then {} virtual users {length}, {pace}, creating more users as they go; alongside, the correctness checks (a few dozen writes)\n",
                p.name,
                if explicit { " (--load)" } else { " (the default against a real target; --load SCENARIO for another, --no-load to skip)" },
                p.pool_users,
                p.pool_groups,
                p.users,
            ));
        }
    }
    s
}

/// One part of the index.
#[derive(Debug, Serialize)]
struct Part {
    command: &'static str,
    exit_code: i32,
    verdict: String,
    report: String,
    counts: Option<crate::report::model::Counts>,
}

/// `index.json`.
#[derive(Debug, Serialize)]
struct Index {
    run_id: String,
    target: String,
    embedded_target: bool,
    exit_code: i32,
    parts: Vec<Part>,
}

/// Run `scimtest run`: the three parts in this process, through the same library calls as
/// `scimtest check`, `replay` and `load` ([`check::execute`], ...), sharing one target.
pub async fn run(args: RunArgs) -> CmdResult {
    // The configuration and the scenario are read before anything runs: a mistake is not
    // found after the check.
    let config = args
        .config
        .as_deref()
        .map(crate::cli::config::load)
        .transpose()?;
    let scenario = args.load_scenario();
    let plan = scenario
        .as_deref()
        .map(crate::load::plan_for)
        .transpose()
        .map_err(|e| match e {
            crate::load::scenario::ScenarioError::Unknown { .. } => Error::usage(e.to_string()),
            _ => Error::harness(e.to_string()),
        })?
        .map(|(_, plan)| plan);
    if args.target.target.is_some() {
        // One preflight before any part: a wrong URL or token ends here, with no reports.
        let probe = connect(&args.target, std::time::Duration::from_secs(10)).await?;
        preflight(&probe.client, None).await?;
        eprint!(
            "{}",
            console::wrap_block(&announce(
                &probe.shown_target,
                plan.as_ref().map(|p| (p, args.scenario.is_some()))
            ))
        );
    }
    let id = uuid::Uuid::new_v4().simple().to_string();
    let run_id = id.get(..8).unwrap_or(&id).to_string();
    let dir = args
        .report_dir
        .clone()
        .unwrap_or_else(|| PathBuf::from("reports").join(format!("run-{run_id}")));
    std::fs::create_dir_all(&dir).with_context(|| format!("failed to create {}", dir.display()))?;
    // The HAR file is created now, so a bad path fails before anything runs.
    let har = args.report_har.as_deref().map(create_har).transpose()?;
    // Without --target, one embedded provider serves all three parts.
    let (embedded, target) = match &args.target.target {
        Some(_) => (None, args.target.clone()),
        None => {
            // It declares the configuration's custom extensions, as the target it stands for would.
            let extensions = config
                .as_ref()
                .map(|c| crate::cli::config::embedded_extensions(&c.config))
                .unwrap_or_default();
            let h = spawn_embedded_extended(&extensions).await?;
            let url: TargetUrl = h.base_url.parse().map_err(Error::harness)?;
            let target = TargetArgs {
                target: Some(url),
                token: Some(h.token.clone()),
                headers: args.target.headers.clone(),
                oauth_args: args.target.oauth_args.clone(),
                embedded_target: true,
            };
            (Some(h), target)
        }
    };
    let second_token = args
        .second_token
        .clone()
        .or_else(|| embedded.as_ref().and_then(|h| h.tokens.get(1).cloned()));
    let mut parts = Vec::new();
    let mut reports = Vec::new();
    let mut worst: CmdResult = Ok(Verdict::Passed);
    for command in ["check", "replay", "load"] {
        if crate::interrupt::requested() {
            break;
        }
        let sub = dir.join(command);
        if command == "load" && scenario.is_none() {
            continue;
        }
        if !console::current().quiet() {
            eprintln!("\n== scimtest {command}");
        }
        // Every part runs under the run's one id: its namespace, its report and its
        // directory's index entry all say the same.
        let result: Result<Finished, Error> = match command {
            "check" => {
                let mut a = CheckArgs::new(target.clone(), sub);
                a.fail_on = args.fail_on.clone();
                a.strict = args.strict;
                a.second_token = second_token.clone();
                a.run_id = Some(run_id.clone());
                Box::pin(check::execute(&a)).await
            }
            "replay" => {
                let mut a = ReplayArgs::new(target.clone(), sub);
                a.run_id = Some(run_id.clone());
                a.config = args.config.clone();
                Box::pin(replay::execute(&a)).await
            }
            _ => {
                let s = scenario.clone().unwrap_or_default();
                let mut a = LoadArgs::new(s, target.clone(), sub);
                a.run_id = Some(run_id.clone());
                a.config = args.config.clone();
                Box::pin(load::execute(&a)).await
            }
        };
        if let Err(e) = &result {
            e.print();
        }
        let outcome: CmdResult = result.as_ref().map(|f| f.verdict).map_err(Error::reported);
        let report = result.ok().map(|f| f.report);
        let code = error::exit_code(&outcome);
        if let Some(r) = &report {
            reports.push(r.clone());
        }
        parts.push(Part {
            command,
            exit_code: code,
            verdict: verdict(command, code, report.as_ref()),
            report: format!("{command}/report.json"),
            counts: report.as_ref().map(|r| r.counts),
        });
        let stop = outcome
            .as_ref()
            .is_err_and(|e| matches!(e.kind(), ErrorKind::Harness | ErrorKind::Interrupted));
        worst = error::worse(worst, &outcome);
        if stop {
            break;
        }
    }
    if let Some(h) = embedded {
        h.shutdown().await;
    }
    let base = target
        .target
        .as_ref()
        .map(|u| u.as_str())
        .unwrap_or_default();
    let shown = crate::client::Redactor::new(
        target.token.iter().chain(args.second_token.iter()).cloned(),
        [],
    )
    .text(base);
    let index = Index {
        run_id,
        target: shown,
        embedded_target: args.target.target.is_none(),
        exit_code: error::exit_code(&worst),
        parts,
    };
    write_index(&dir, &index, &reports)?;
    if let (Some(file), Some(path)) = (har, &args.report_har) {
        write_har(file, path, &reports)?;
    }
    worst
}

/// Create the `--report-har` file (and its directory).
fn create_har(path: &std::path::Path) -> anyhow::Result<std::fs::File> {
    if let Some(d) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(d).with_context(|| format!("failed to create {}", d.display()))?;
    }
    std::fs::File::create(path).with_context(|| format!("failed to create {}", path.display()))
}

/// Write the parts' exchanges into the `--report-har` file as one HAR log.
fn write_har(
    file: std::fs::File,
    path: &std::path::Path,
    reports: &[RunReport],
) -> anyhow::Result<()> {
    let mut w = std::io::BufWriter::new(file);
    crate::report::har::write_all(reports, &mut w)
        .and_then(|()| std::io::Write::flush(&mut w))
        .with_context(|| format!("failed to write {}", path.display()))?;
    println!("har: {}", path.display());
    Ok(())
}

fn verdict(command: &str, code: i32, r: Option<&RunReport>) -> String {
    let Some(r) = r else {
        return format!("did not run to the end (exit {code})");
    };
    if !r.status.is_complete() {
        return format!(
            "INCOMPLETE ({}): {} passed, {} failed, {} errors before it stopped; no verdict",
            r.status.as_str(),
            r.counts.pass,
            r.counts.fail,
            r.counts.error
        );
    }
    match command {
        "replay" => {
            let replayed = r.profiles.iter().filter(|p| p.replayed()).count();
            let ok = r
                .profiles
                .iter()
                .filter(|p| p.replayed() && p.would_provision)
                .count();
            format!(
                "{ok} of {replayed} IdP profiles would provision{}",
                r.profiles
                    .iter()
                    .filter(|p| !p.would_provision)
                    .map(|p| format!("; {}/{} {}", p.idp, p.profile, p.verdict))
                    .collect::<String>()
            )
        }
        "load" => match &r.load {
            Some(l) => {
                // The same headline as the load report's own: req/s over the steady phase.
                let (rps, phase) = crate::report::compare::headline_rps(l);
                format!(
                    "{} requests, {rps:.1} req/s ({phase}), {} errors; thresholds {}/{} held; correctness {}/{} passed",
                    l.requests,
                    l.errors,
                    l.thresholds.iter().filter(|t| t.passed).count(),
                    l.thresholds.len(),
                    r.checks
                        .iter()
                        .filter(|c| c.area == "load" && c.outcome.as_str() == "pass")
                        .count(),
                    r.checks.iter().filter(|c| c.area == "load").count()
                )
            }
            None => "no load figures".into(),
        },
        _ => format!(
            "{} passed, {} failed, {} errors, {} skipped",
            r.counts.pass, r.counts.fail, r.counts.error, r.counts.skip
        ),
    }
}

/// Write `index.json`, `index.md`, the combined HTML and the certificate, and print the
/// run's summary.
fn write_index(dir: &std::path::Path, index: &Index, reports: &[RunReport]) -> anyhow::Result<()> {
    let json = serde_json::to_string_pretty(index).context("failed to serialise the index")?;
    std::fs::write(dir.join("index.json"), json + "\n")
        .with_context(|| format!("failed to write {}", dir.join("index.json").display()))?;
    let mut md = format!(
        "# scimtest run `{}`\n\nTarget `{}`{} · exit code {}\n\n| part | exit | verdict | report |\n| --- | --- | --- | --- |\n",
        index.run_id,
        index.target,
        if index.embedded_target {
            " (embedded provider)"
        } else {
            ""
        },
        index.exit_code
    );
    for p in &index.parts {
        md.push_str(&format!(
            "| {} | {} | {} | [{}]({}) |\n",
            p.command,
            p.exit_code,
            p.verdict.replace('|', "\\|"),
            p.report,
            p.report
        ));
    }
    if !reports.is_empty() {
        crate::report::html::write_site(dir, reports, None)?;
        crate::report::html::write_certificate(&dir.join("certificate.html"), reports)?;
        crate::report::html::write_certificate(&dir.join("certificate.md"), reports)?;
        md.push_str(
            "\nAll three on one page: [index.html](index.html) · compatibility certificate: [certificate.html](certificate.html), [certificate.md](certificate.md)\n",
        );
    }
    std::fs::write(dir.join("index.md"), &md)
        .with_context(|| format!("failed to write {}", dir.join("index.md").display()))?;
    let console = console::current();
    say!();
    say!(
        "{}",
        console.paint(Style::Bold, &format!("== scimtest run {}", index.run_id))
    );
    for p in &index.parts {
        let style = if p.exit_code == 0 {
            Style::Pass
        } else {
            Style::Fail
        };
        let head = format!("  {:<7} ", p.command);
        let exit = format!("exit {}", p.exit_code);
        let first = format!("{head}{exit}  ");
        for (i, l) in wrap(&p.verdict, WIDTH, &first, first.len())
            .into_iter()
            .enumerate()
        {
            match l.get(first.len()..).filter(|_| i == 0) {
                Some(rest) => say!("{head}{}  {rest}", console.paint(style, &exit)),
                None => say!("{l}"),
            }
        }
    }
    let files = [
        format!("index: {}", dir.join("index.md").display()),
        format!("html: {}", dir.join("index.html").display()),
        format!("certificate: {}", dir.join("certificate.html").display()),
    ];
    let shown = if reports.is_empty() {
        &files[..1]
    } else {
        &files[..]
    };
    for l in shown {
        say!("{}", console.paint(Style::Dim, &fit(l, WIDTH)));
    }
    Ok(())
}
