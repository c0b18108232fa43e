//! `scimtest report render`: re-render saved runs (report.json files, report directories or a
//! `scimtest run` directory) as the HTML site, a certificate, Markdown, JUnit or HAR, without
//! touching any target.

use crate::cli::common::read_report;
use crate::cli::error::{CmdResult, Error, Verdict};
use crate::report::model::RunReport;
use anyhow::Context;
use std::path::{Path, PathBuf};

/// Arguments of `scimtest report`.
#[derive(Debug, clap::Args)]
pub struct ReportCmd {
    /// What to do.
    #[command(subcommand)]
    pub action: ReportAction,
}

/// `scimtest report` actions.
#[derive(Debug, clap::Subcommand)]
pub enum ReportAction {
    /// Render saved runs again: the HTML site, a certificate, Markdown, JUnit.
    Render(RenderArgs),
}

/// Arguments of `scimtest report render`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Each INPUT is a report.json, a directory holding one, or a `scimtest run` directory (its index.json names the parts). Several inputs become one page and one certificate, e.g. a check and a replay of the same target."
)]
pub struct RenderArgs {
    /// report.json files or report directories.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Write the HTML site (index.html) into this directory.
    #[arg(long, alias = "report-html", value_name = "DIR")]
    pub html: Option<PathBuf>,
    /// Write the certificate here: Markdown when FILE ends in `.md`, HTML otherwise
    /// (repeatable).
    #[arg(long, alias = "report-cert", value_name = "FILE")]
    pub cert: Vec<PathBuf>,
    /// Write the Markdown summary here (one input only).
    #[arg(long, alias = "report-md", value_name = "FILE")]
    pub md: Option<PathBuf>,
    /// Write the JUnit XML here (one input only).
    #[arg(long, alias = "report-junit", value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write every exchange of the inputs (as redacted in them) here as an HTTP Archive (HAR
    /// 1.2), one page per check; several inputs become one log.
    #[arg(long, value_name = "FILE")]
    pub har: Option<PathBuf>,
    /// An earlier report.json: the HTML shows what changed against it. For `load` reports, the
    /// per-operation comparison (req/s, p50/p95/p99) goes into every output and a regression
    /// makes the exit code 1.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// With a `load` --baseline: how much worse a figure may get, e.g. `p95=10%`, `rps=5%`,
    /// `p99=off` (repeatable; default p95 +10 % and req/s -10 %).
    #[arg(long, value_name = "METRIC=PCT", value_parser = crate::report::compare::RegressionRule::parse, requires = "baseline")]
    pub max_regression: Vec<crate::report::compare::RegressionRule>,
}

/// Run `scimtest report`.
pub fn run(cmd: ReportCmd) -> CmdResult {
    match cmd.action {
        ReportAction::Render(args) => render(args),
    }
}

/// The reports `input` stands for.
fn load(input: &Path) -> anyhow::Result<Vec<RunReport>> {
    if input.is_file() {
        return Ok(vec![read_report(input)?]);
    }
    if !input.is_dir() {
        // Names the OS's reason (no such file, permission denied, ...).
        std::fs::metadata(input).with_context(|| format!("failed to read {}", input.display()))?;
        anyhow::bail!(
            "{} is neither a report.json nor a directory",
            input.display()
        );
    }
    if input.join("report.json").is_file() {
        return Ok(vec![read_report(&input.join("report.json"))?]);
    }
    let index = input.join("index.json");
    if index.is_file() {
        let text = std::fs::read_to_string(&index)
            .with_context(|| format!("failed to read {}", index.display()))?;
        let v: serde_json::Value = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a scimtest run index", index.display()))?;
        let parts = v["parts"]
            .as_array()
            .with_context(|| format!("{} has no parts", index.display()))?;
        let mut out = Vec::new();
        for p in parts {
            let Some(rel) = p["report"].as_str() else {
                continue;
            };
            let path = input.join(rel);
            // A part that stopped before writing its report is listed with its exit code.
            if path.is_file() {
                out.push(read_report(&path)?);
            }
        }
        if out.is_empty() {
            anyhow::bail!("{} lists no report that exists", index.display());
        }
        return Ok(out);
    }
    anyhow::bail!(
        "{} holds neither report.json nor index.json",
        input.display()
    )
}

fn render(args: RenderArgs) -> CmdResult {
    if args.html.is_none()
        && args.cert.is_empty()
        && args.md.is_none()
        && args.junit.is_none()
        && args.har.is_none()
    {
        return Err(Error::usage(
            "nothing to write: give --html DIR, --cert FILE, --md FILE, --junit FILE or --har FILE",
        ));
    }
    let mut reports = Vec::new();
    for i in &args.inputs {
        reports.extend(load(i)?);
    }
    if reports.len() > 1 && (args.md.is_some() || args.junit.is_some()) {
        return Err(Error::usage(format!(
            "--md and --junit render one report; {} were given",
            reports.len()
        )));
    }
    let all_load = reports.iter().all(|r| r.command == "load");
    let baseline = match &args.baseline {
        // Load reports alone are compared with a load baseline, which must be one; a mixed
        // set (a `scimtest run`) compares its load part only when the baseline is a load run.
        Some(p) if all_load => Some(crate::cli::baseline::read(p)?),
        Some(p) => {
            let b = read_report(p).context("bad --baseline")?;
            if b.command == "load" {
                Some(crate::cli::baseline::read(p)?)
            } else {
                Some(b)
            }
        }
        None => None,
    };
    let mut regressed = false;
    if let Some(b) = &baseline {
        for r in reports.iter_mut().filter(|r| r.command == "load") {
            regressed |= crate::cli::baseline::apply(r, b, &args.max_regression);
            if let Some(c) = r.load.as_ref().and_then(|l| l.comparison.as_ref()) {
                for line in &c.regressions {
                    println!("regression: {line}");
                }
            }
        }
    }
    if let Some(dir) = &args.html {
        let page = crate::report::html::write_site(dir, &reports, baseline.as_ref())?;
        println!("html: {}", page.display());
    }
    for c in &args.cert {
        crate::report::html::write_certificate(c, &reports)?;
        println!("certificate: {}", c.display());
    }
    type Writer = fn(&RunReport, &mut dyn std::io::Write) -> std::io::Result<()>;
    let leaf: [(&Option<PathBuf>, Writer, &str); 2] = [
        (&args.md, crate::report::markdown::write, "markdown"),
        (&args.junit, crate::report::junit::write, "junit"),
    ];
    for (path, write, what) in leaf {
        if let (Some(path), Some(r)) = (path, reports.first()) {
            let mut buf = Vec::new();
            write(r, &mut buf).context("failed to render")?;
            if let Some(d) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(d)
                    .with_context(|| format!("failed to create {}", d.display()))?;
            }
            std::fs::write(path, buf)
                .with_context(|| format!("failed to write {}", path.display()))?;
            println!("{what}: {}", path.display());
        }
    }
    if let Some(path) = &args.har {
        let mut buf = Vec::new();
        crate::report::har::write_all(&reports, &mut buf).context("failed to render")?;
        if let Some(d) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(d)
                .with_context(|| format!("failed to create {}", d.display()))?;
        }
        std::fs::write(path, buf).with_context(|| format!("failed to write {}", path.display()))?;
        println!("har: {}", path.display());
    }
    Ok(if regressed {
        Verdict::Failed
    } else {
        Verdict::Passed
    })
}
