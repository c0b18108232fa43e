//! `scimtest run` (and `scimtest` with no arguments): everything against one target — the full
//! `check`, `replay` of every profile and the `smoke` load scenario — each writing its usual
//! reports into its own directory, plus an index of the three (`index.json`, `index.md`).
//! The exit code is the worst of the three (3 before 1 before 0).

use crate::cli::check::HeaderArg;
use crate::cli::error::{self, CmdResult, Error, Verdict};
use crate::provider::{self, ProviderConfig};
use crate::report::model::RunReport;
use anyhow::Context;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Arguments of `scimtest run`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct RunArgs {
    /// Base URL of the SCIM service. Without it, one embedded reference provider is started on
    /// 127.0.0.1 and used by all three parts.
    #[arg(long, value_name = "URL", value_parser = crate::cli::check::parse_target_url)]
    pub target: Option<String>,
    /// Bearer token for the target (also read from SCIMTEST_TOKEN).
    #[arg(long, env = "SCIMTEST_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Extra header sent with every request (repeatable; values are secrets).
    #[arg(long = "header", value_name = "'NAME: VALUE'")]
    pub headers: Vec<HeaderArg>,
    /// A second tenant's bearer token for the check's isolation checks (also read from
    /// SCIMTEST_SECOND_TOKEN); the embedded provider has one of its own.
    #[arg(long, env = "SCIMTEST_SECOND_TOKEN", hide_env_values = true)]
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
    pub fail_on: Vec<crate::cli::check::GateArg>,
    /// SHOULD failures of the check also make the exit code 1.
    #[arg(long)]
    pub strict: bool,
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
            if self.target.is_some() {
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
                (None, Some(n)) => format!("{n} iterations each"),
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

/// Run `scimtest run`.
pub async fn run(args: RunArgs) -> CmdResult {
    run_inner(args).await?
}

fn read_report(dir: &Path) -> Option<RunReport> {
    let text = std::fs::read_to_string(dir.join("report.json")).ok()?;
    serde_json::from_str(&text).ok()
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
            let ok = r.profiles.iter().filter(|p| p.would_provision).count();
            format!(
                "{ok} of {} IdP profiles would provision{}",
                r.profiles.len(),
                r.profiles
                    .iter()
                    .filter(|p| !p.would_provision)
                    .map(|p| format!("; {}/{} {}", p.idp, p.profile, p.verdict))
                    .collect::<String>()
            )
        }
        "load" => match &r.load {
            Some(l) => format!(
                "{} requests, {:.0} req/s, {} errors; thresholds {}/{} held; correctness {}/{} passed",
                l.requests,
                l.rps,
                l.errors,
                l.thresholds.iter().filter(|t| t.passed).count(),
                l.thresholds.len(),
                r.checks
                    .iter()
                    .filter(|c| c.area == "load" && c.outcome.as_str() == "pass")
                    .count(),
                r.checks.iter().filter(|c| c.area == "load").count()
            ),
            None => "no load figures".into(),
        },
        _ => format!(
            "{} passed, {} failed, {} errors, {} skipped",
            r.counts.pass, r.counts.fail, r.counts.error, r.counts.skip
        ),
    }
}

async fn run_inner(args: RunArgs) -> anyhow::Result<CmdResult> {
    // The scenario is resolved before anything runs: a typo is not found after the check.
    let scenario = args.load_scenario();
    let plan = match scenario.as_deref().map(crate::load::plan_for).transpose() {
        Ok(p) => p.map(|(_, plan)| plan),
        Err(e) => {
            return Ok(Err(match e {
                crate::load::scenario::ScenarioError::Unknown { .. } => Error::usage(e.to_string()),
                _ => Error::harness(e.to_string()),
            }));
        }
    };
    if let Some(t) = &args.target {
        // One preflight before any part: a wrong URL or token ends here, with no reports.
        let probe = crate::cli::check::connect(&crate::cli::check::TargetArgs {
            target: Some(t.clone()),
            token: args.token.clone(),
            headers: args.headers.clone(),
            timeout: std::time::Duration::from_secs(10),
            embedded_target: false,
        })
        .await?;
        if let Err(e) = crate::cli::check::preflight(&probe.client, None).await {
            return Ok(Err(e));
        }
        eprint!(
            "{}",
            announce(
                &probe.shown_target,
                plan.as_ref().map(|p| (p, args.scenario.is_some()))
            )
        );
    }
    let id = uuid::Uuid::new_v4().simple().to_string();
    let run_id = id.get(..8).unwrap_or(&id).to_string();
    let dir = args
        .report_dir
        .clone()
        .unwrap_or_else(|| PathBuf::from("reports").join(format!("run-{run_id}")));
    std::fs::create_dir_all(&dir).with_context(|| format!("failed to create {}", dir.display()))?;
    let (embedded, base, token) = match &args.target {
        Some(t) => (None, t.clone(), args.token.clone()),
        None => {
            let tokens = (0..2)
                .map(|_| provider::TokenSpec {
                    token: uuid::Uuid::new_v4().simple().to_string(),
                    me: None,
                })
                .collect();
            let h = provider::spawn(ProviderConfig {
                tokens,
                ..ProviderConfig::default()
            })
            .await
            .context("failed to start the embedded provider")?;
            let (b, t) = (h.base_url.clone(), h.token.clone());
            (Some(h), b, Some(t))
        }
    };
    let mut common: Vec<String> = vec!["--target".into(), base.clone()];
    if let Some(t) = &token {
        common.push("--token".into());
        common.push(t.clone());
    }
    for h in &args.headers {
        common.push("--header".into());
        common.push(format!("{}: {}", h.name, h.value));
    }
    let mut parts = Vec::new();
    let mut reports = Vec::new();
    let mut worst: CmdResult = Ok(Verdict::Passed);
    for command in ["check", "replay", "load"] {
        if crate::interrupt::requested() {
            break;
        }
        let Some(scenario) = (match command {
            "load" => scenario.clone(),
            _ => Some(String::new()),
        }) else {
            continue;
        };
        let sub = dir.join(command);
        let mut argv: Vec<String> = vec!["scimtest".into(), command.into()];
        argv.extend(common.iter().cloned());
        if args.target.is_none() {
            argv.push("--embedded-target".into());
        }
        argv.push("--report-dir".into());
        argv.push(sub.display().to_string());
        if command == "load" {
            argv.push("--scenario".into());
            argv.push(scenario);
        }
        if command == "check" {
            if !args.fail_on.is_empty() {
                argv.push("--fail-on".into());
                argv.push(
                    args.fail_on
                        .iter()
                        .map(|g| g.level().as_str())
                        .collect::<Vec<_>>()
                        .join(","),
                );
            }
            if args.strict {
                argv.push("--strict".into());
            }
            let second = args.second_token.clone().or_else(|| {
                embedded
                    .as_ref()
                    .and_then(|h: &provider::ProviderHandle| h.tokens.get(1).cloned())
            });
            if let Some(t) = second {
                argv.push("--second-token".into());
                argv.push(t);
            }
        }
        eprintln!("\n== scimtest {command}");
        let outcome = match <crate::cli::Cli as clap::Parser>::try_parse_from(&argv) {
            Ok(cli) => Box::pin(crate::cli::run(cli)).await,
            Err(e) => Err(Error::usage(e.to_string())),
        };
        if let Err(e) = &outcome {
            e.print();
        }
        let code = error::exit_code(&outcome);
        let report = read_report(&sub);
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
        let stop = outcome.as_ref().is_err_and(|e| e.exit_code() == 3) && report.is_none();
        worst = error::worse(worst, &outcome);
        if stop {
            break;
        }
    }
    if let Some(h) = embedded {
        h.shutdown().await;
    }
    let shown =
        crate::client::Redactor::new(token.iter().chain(args.second_token.iter()).cloned(), [])
            .text(&base);
    let index = Index {
        run_id,
        target: shown,
        embedded_target: args.target.is_none(),
        exit_code: error::exit_code(&worst),
        parts,
    };
    let json = serde_json::to_string_pretty(&index).context("failed to serialise the index")?;
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
        crate::report::html::write_site(&dir, &reports, None)?;
        crate::report::html::write_certificate(&dir.join("certificate.html"), &reports)?;
        crate::report::html::write_certificate(&dir.join("certificate.md"), &reports)?;
        md.push_str(
            "\nAll three on one page: [index.html](index.html) · compatibility certificate: [certificate.html](certificate.html), [certificate.md](certificate.md)\n",
        );
    }
    std::fs::write(dir.join("index.md"), &md)
        .with_context(|| format!("failed to write {}", dir.join("index.md").display()))?;
    println!("\n== scimtest run {}", index.run_id);
    for p in &index.parts {
        println!("  {:<7} exit {}  {}", p.command, p.exit_code, p.verdict);
    }
    println!("index: {}", dir.join("index.md").display());
    if !reports.is_empty() {
        println!(
            "html: {}  certificate: {}",
            dir.join("index.html").display(),
            dir.join("certificate.html").display()
        );
    }
    Ok(worst)
}
