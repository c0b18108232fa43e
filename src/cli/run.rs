//! `scimtest run` (and `scimtest` with no arguments): everything against one target — the full
//! `check`, `replay` of every profile and the `smoke` load scenario — each writing its usual
//! reports into its own directory, plus an index of the three (`index.json`, `index.md`).
//! The exit code is the worst of the three (3 before 1 before 0).

use crate::cli::check::{HeaderArg, harness_error};
use crate::exit_codes;
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
    #[arg(long, value_name = "URL")]
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
    /// The load scenario of the third part.
    #[arg(long, value_name = "NAME|FILE", default_value = "smoke")]
    pub scenario: String,
}

impl RunArgs {
    /// The arguments of a bare `scimtest` (clap's defaults).
    pub fn default_args() -> RunArgs {
        RunArgs {
            scenario: crate::load::scenario::DEFAULT_SCENARIO.to_string(),
            ..RunArgs::default()
        }
    }
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

/// Run `scimtest run`; returns the exit code.
pub async fn run(args: RunArgs) -> i32 {
    match run_inner(args).await {
        Ok(code) => code,
        Err(e) => harness_error(&e),
    }
}

fn read_report(dir: &Path) -> Option<RunReport> {
    let text = std::fs::read_to_string(dir.join("report.json")).ok()?;
    serde_json::from_str(&text).ok()
}

fn verdict(command: &str, code: i32, r: Option<&RunReport>) -> String {
    let Some(r) = r else {
        return format!("did not run to the end (exit {code})");
    };
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

async fn run_inner(args: RunArgs) -> anyhow::Result<i32> {
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
    let mut worst = exit_codes::OK;
    for command in ["check", "replay", "load"] {
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
            argv.push(args.scenario.clone());
        }
        if command == "check" {
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
        let code = match <crate::cli::Cli as clap::Parser>::try_parse_from(&argv) {
            Ok(cli) => Box::pin(crate::cli::run(cli)).await,
            Err(e) => {
                eprintln!("error: {e}");
                exit_codes::USAGE
            }
        };
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
        worst = worse(worst, code);
        if code == exit_codes::HARNESS && report.is_none() {
            break;
        }
    }
    if let Some(h) = embedded {
        h.shutdown().await;
    }
    let shown =
        crate::target::Redactor::new(token.iter().chain(args.second_token.iter()).cloned(), [])
            .text(&base);
    let index = Index {
        run_id,
        target: shown,
        embedded_target: args.target.is_none(),
        exit_code: worst,
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

/// The worse of two exit codes: harness trouble (3, 2) over a failed target (1, 4) over 0.
fn worse(a: i32, b: i32) -> i32 {
    let rank = |c: i32| match c {
        exit_codes::HARNESS => 4,
        exit_codes::USAGE => 3,
        exit_codes::FAILED => 2,
        exit_codes::OK => 0,
        _ => 1,
    };
    if rank(b) > rank(a) { b } else { a }
}
