//! `scimtest load`: resolve the scenario, start the embedded provider when no target is given,
//! set up the data pool, run the goose attack with the correctness checks alongside, clean up,
//! write goose's reports, our report and the plots, and map thresholds and correctness to the
//! exit code.

use crate::cli::common::{ReportArgs, TargetArgs, first_line, print_cleanup, shell_quote};
use crate::cli::connect::{Connected, connect, preflight};
use crate::cli::error::{CmdResult, Error, Finished, Verdict};
use crate::cli::outputs::open_outputs;
use crate::client::Namespace;
use crate::load::stats::Collector;
use crate::load::{self, engine};
use crate::report::model::{
    CheckReport, CleanupReport, FORMAT_VERSION, Level, LoadReport, Outcome, RunReport, RunStatus,
    ShardInfo,
};
use anyhow::Context;
use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Instant;

/// Arguments of `scimtest load`.
#[derive(Debug, clap::Args)]
pub struct LoadArgs {
    /// A shipped scenario's name (see --list-scenarios) or a scenario file.
    #[arg(long, value_name = "NAME|FILE", default_value = load::scenario::DEFAULT_SCENARIO)]
    pub scenario: String,
    /// List the shipped scenarios and exit.
    #[arg(long)]
    pub list_scenarios: bool,
    /// The target (against an embedded provider no CPU per request is reported: it would
    /// include the provider's).
    #[command(flatten)]
    pub target: TargetArgs,
    /// Skip the correctness checks run alongside the load.
    #[arg(long)]
    pub no_correctness: bool,
    /// Run as shard I of N (0-based): 1/N of the scenario's users and pace, names of its own.
    /// `auto/N` takes I from $JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs).
    #[arg(long, value_name = "I/N", value_parser = load::shard::ShardSpec::parse)]
    pub shard: Option<load::shard::ShardSpec>,
    /// The run id (the namespace of every name the run creates), shared by a fleet's shards.
    #[arg(long, value_name = "ID", value_parser = parse_run_id)]
    pub run_id: Option<String>,
    /// Start the attack at this instant (RFC 3339), after setting up the data pool: aligns the
    /// shards of a fleet.
    #[arg(long, value_name = "RFC3339", value_parser = parse_start_at)]
    pub start_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Print report.json on stdout instead of the summary (for `kubectl logs`).
    #[arg(long)]
    pub report_stdout: bool,
    /// `merge`: combine shard reports.
    #[command(subcommand)]
    pub action: Option<LoadAction>,
    /// The reports.
    #[command(flatten)]
    pub reports: ReportArgs,
    /// goose's own options (they override the scenario's numbers).
    #[command(flatten)]
    pub goose: goose::config::GooseConfiguration,
}

impl LoadArgs {
    /// The arguments of `scimtest load --scenario SCENARIO --report-dir DIR` against `target`
    /// (clap's and goose's defaults otherwise): the third part of `scimtest run`.
    pub fn new(scenario: String, target: TargetArgs, report_dir: std::path::PathBuf) -> LoadArgs {
        LoadArgs {
            scenario,
            list_scenarios: false,
            target,
            no_correctness: false,
            shard: None,
            run_id: None,
            start_at: None,
            report_stdout: false,
            action: None,
            reports: ReportArgs {
                report_dir: Some(report_dir),
                ..ReportArgs::default()
            },
            goose: goose::config::GooseConfiguration::default(),
        }
    }
}

/// `scimtest load merge`.
#[derive(Debug, clap::Subcommand)]
pub enum LoadAction {
    /// Merge shard reports (report.json of `load --shard I/N`) into one fleet report: counts
    /// added, histograms merged exactly, the scenario's thresholds re-applied.
    Merge(MergeArgs),
}

/// Arguments of `scimtest load merge`.
#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// The shard reports.
    #[arg(required = true, value_name = "REPORT.json")]
    pub inputs: Vec<std::path::PathBuf>,
    /// The merged reports.
    #[command(flatten)]
    pub reports: ReportArgs,
}

fn parse_run_id(s: &str) -> Result<String, String> {
    if (1..=32).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    {
        Ok(s.to_string())
    } else {
        Err("a run id is 1-32 lower-case letters and digits".into())
    }
}

fn parse_start_at(s: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&chrono::Utc))
        .map_err(|e| format!("{s:?} is not an RFC 3339 instant ({e}), e.g. 2026-11-24T10:00:00Z"))
}

/// Run `scimtest load`: list the scenarios, merge shard reports, or run a scenario (see
/// [`execute`]).
pub async fn run(args: LoadArgs) -> CmdResult {
    if let Some(LoadAction::Merge(m)) = &args.action {
        return merge(m);
    }
    if args.list_scenarios {
        list_scenarios();
        return Ok(Verdict::Passed);
    }
    execute(&args).await.map(|f| f.verdict)
}

fn list_scenarios() {
    for (name, text) in load::scenario::builtin() {
        let desc = load::scenario::Scenario::parse(text, name)
            .map(|s| s.description)
            .unwrap_or_default();
        println!("{name:<18} {desc}");
    }
}

/// Set up the data pool, run the scenario with the correctness checks alongside, clean up,
/// write the reports and plots and print the summary: `scimtest load`, and the third part of
/// `scimtest run`.
pub async fn execute(args: &LoadArgs) -> Result<Finished, Error> {
    let (scenario, plan) =
        load::plan_for(&args.scenario).map_err(|e| Error::harness(e.to_string()))?;
    let scenario_toml = load::scenario::builtin()
        .into_iter()
        .find(|(n, _)| *n == args.scenario)
        .map(|(_, t)| t.to_string())
        .or_else(|| std::fs::read_to_string(&args.scenario).ok())
        .unwrap_or_default();
    let shard = args
        .shard
        .map(load::shard::ShardSpec::resolve)
        .transpose()
        .map_err(|e| Error::harness(e.to_string()))?;
    let plan = match shard {
        Some(sh) => sh.apply(plan),
        None => plan,
    };
    let ns = Arc::new(match &args.run_id {
        Some(id) => Namespace::with_run_id(id),
        None => Namespace::new(),
    });
    let run_id = ns.run_id().to_string();
    let (mut outputs, dir) = open_outputs(&args.reports, &run_id)?;
    let Connected {
        client,
        embedded,
        shown_target,
        auth_headers,
        ..
    } = connect(&args.target, plan.timeout).await?;
    if let Err(e) = preflight(&client, None).await {
        if let Some(h) = embedded {
            h.shutdown().await;
        }
        return Err(e);
    }
    // A signal that came during start-up or the preflight stops the run before anything is
    // created (a set-up started and dropped at once could leave a POST in flight).
    if crate::interrupt::requested() {
        if let Some(h) = embedded {
            h.shutdown().await;
        }
        return Err(Error::interrupted(
            "interrupted before the set-up: nothing was created",
        ));
    }
    let stats = engine::collector();
    let mut shared = load::ops::Shared::new(
        client.base_url(),
        auth_headers,
        ns.clone(),
        shard.map(|s| s.prefix()).unwrap_or_default(),
        stats.clone(),
        plan.page_size,
        plan.enterprise,
    );
    shared.pacer = plan.throttle.map(load::ops::Pacer::new);
    shared.oauth = client.oauth().cloned();
    // A 429's wait is capped at the request timeout: the run ends on time however long the
    // target asks to be left alone.
    shared.max_retry_wait = plan.timeout;
    let shared = Arc::new(shared);
    // goose's own flags win over the scenario's numbers.
    let users = args.goose.users.unwrap_or(plan.users);
    let length = match (
        &args.goose.run_time,
        args.goose.iterations,
        plan.iterations,
        plan.duration,
    ) {
        (Some(t), _, _, _) => t.clone(),
        (None, Some(n), _, _) | (None, None, Some(n), _) => format!("{n} iterations each"),
        (None, None, None, Some(d)) => format!("{} s", d.as_secs_f64()),
        (None, None, None, None) => "until stopped".into(),
    };
    eprintln!(
        "scimtest load: scenario {} against {shown_target} (run {run_id}): {users} users, {length}{}",
        plan.name,
        plan.throttle
            .map(|t| format!(", paced at {t} req/s"))
            .unwrap_or_default()
    );
    let started = Instant::now();
    let started_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    // Until goose installs its own Ctrl-C handler, a Ctrl-C stops the set-up here, and what it
    // created is removed.
    let setup = tokio::select! {
        r = engine::setup(&client, &shared, &plan) => r,
        _ = stop_signal() => Err(engine::LoadError::Setup("interrupted".into())),
    };
    if let Err(e) = setup {
        cleanup(&client, &ns).await;
        if let Some(h) = embedded {
            h.shutdown().await;
        }
        return Err(Error::harness(e.to_string()));
    }
    if let Some(at) = args.start_at {
        let wait = (at - chrono::Utc::now()).to_std().unwrap_or_default();
        if wait.is_zero() {
            eprintln!("note: --start-at {at} has passed; starting now");
        } else {
            eprintln!("waiting {:.1} s for --start-at {at}", wait.as_secs_f64());
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = stop_signal() => {
                    cleanup(&client, &ns).await;
                    if let Some(h) = embedded {
                        h.shutdown().await;
                    }
                    return Err(Error::interrupted(""));
                }
            }
        }
    }
    let goose_files: Vec<String> = ["goose.html", "goose.json", "goose.md"]
        .iter()
        .map(|f| dir.join(f).display().to_string())
        .collect();
    let progress = progress_line(stats.clone(), shared.clone());
    let attack = engine::attack(&plan, shared.clone(), args.goose.clone(), goose_files);
    let correctness = async {
        if args.no_correctness {
            Vec::new()
        } else {
            load::correctness::run(&client, &ns, plan.users.max(8))
                .await
                .reports
        }
    };
    let (outcome, correctness) = tokio::join!(attack, correctness);
    let attack_s = shared
        .started
        .get()
        .map_or(0.0, |t| t.elapsed().as_secs_f64());
    progress.abort();
    let cleanup_report = cleanup(&client, &ns).await;
    if let Some(src) = client.oauth() {
        eprintln!("{}", src.summary());
    }
    if let Some(h) = embedded {
        h.shutdown().await;
    }
    let outcome = outcome.context("the load run failed")?;
    let series = stats.snapshot_over(std::time::Duration::from_secs_f64(attack_s.max(0.001)));
    let status = outcome
        .metrics
        .as_ref()
        .map(engine::status_counts)
        .unwrap_or_default();
    let thresholds = load::judge_thresholds(&scenario, &series);
    let mut files = vec![
        "goose.html".to_string(),
        "goose.json".to_string(),
        "goose.md".to_string(),
    ];
    let write = |name: &str, text: &str| -> anyhow::Result<()> {
        std::fs::write(dir.join(name), text)
            .with_context(|| format!("failed to write {}", dir.join(name).display()))
    };
    let active_users = stats.active_users();
    for p in crate::report::plot::load_plots(&series, &active_users) {
        let f = p.file_name(load::slug);
        write(&f, &p.svg)?;
        files.push(f);
    }
    write(
        "load-series.json",
        &serde_json::to_string(&series).context("failed to serialise the series")?,
    )?;
    files.push("load-series.json".into());
    let requests: u64 = series.iter().map(|s| s.total.requests).sum();
    let errors: u64 = series.iter().map(|s| s.total.errors).sum();
    let mut checks: Vec<CheckReport> = thresholds
        .iter()
        .enumerate()
        .map(|(i, t)| load::threshold_check(i, t))
        .collect();
    checks.extend(correctness);
    let mut report = RunReport {
        format_version: FORMAT_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        command: "load".into(),
        run_id,
        target: shown_target,
        embedded_target: args.target.is_embedded(),
        started_at,
        duration_ms: started.elapsed().as_secs_f64() * 1000.0,
        counts: Default::default(),
        by_level: Default::default(),
        by_area: Default::default(),
        cleanup: cleanup_report,
        checks,
        profiles: Vec::new(),
        catalogue_version: None,
        status: if outcome.interrupted {
            RunStatus::Interrupted
        } else if outcome.goose_error.is_some() {
            RunStatus::Incomplete
        } else {
            RunStatus::Complete
        },
        exit_code: None,
        gating: Vec::new(),
        options: load_options(args),
        readiness: Vec::new(),
        load: Some(LoadReport {
            scenario: scenario.name.clone(),
            description: scenario.description.clone(),
            users,
            duration_s: (attack_s * 100.0).round() / 100.0,
            requests,
            errors,
            throttled: outcome.throttled,
            rps: if attack_s > 0.0 {
                (requests as f64 / attack_s * 10.0).round() / 10.0
            } else {
                0.0
            },
            cpu_ms_per_1000: outcome
                .cpu
                .filter(|_| !args.target.is_embedded() && requests > 0)
                .map(|c| (c.as_secs_f64() * 1e7 / requests as f64).round() / 10.0),
            operations: load::op_reports(&series, &status),
            thresholds,
            files,
            shard: shard.map(|s| ShardInfo {
                indices: vec![s.index],
                count: s.count,
            }),
            scenario_toml,
            series: series.clone(),
            active_users,
        }),
    };
    report.recount();
    let verdict = if outcome.goose_error.is_some() || outcome.interrupted {
        Verdict::Incomplete
    } else {
        verdict(&report)
    };
    report.exit_code = Some(verdict.exit_code());
    outputs.write(&report)?;
    if args.report_stdout {
        println!(
            "{}",
            serde_json::to_string(&report).context("failed to serialise the report")?
        );
    } else {
        print_summary(&report, &dir);
    }
    if let Some(e) = &outcome.goose_error {
        eprintln!("error: goose could not run the scenario: {e}");
    } else if outcome.interrupted {
        eprintln!("interrupted: the attack stopped early; created resources were cleaned up");
    }
    Ok(Finished { report, verdict })
}

/// The options of a `load` that shaped it, as they would be typed again.
fn load_options(args: &LoadArgs) -> Vec<String> {
    let mut o = vec![format!("--scenario {}", shell_quote(&args.scenario))];
    o.extend(args.target.auth_options());
    if args.no_correctness {
        o.push("--no-correctness".into());
    }
    if let Some(u) = args.goose.users {
        o.push(format!("--users {u}"));
    }
    if let Some(t) = &args.goose.run_time {
        o.push(format!("--run-time {}", shell_quote(t)));
    }
    if let Some(n) = args.goose.iterations {
        o.push(format!("--iterations {n}"));
    }
    match &args.shard {
        Some(load::shard::ShardSpec::Fixed(sh)) => {
            o.push(format!("--shard {}/{}", sh.index, sh.count));
        }
        Some(load::shard::ShardSpec::Auto(n)) => o.push(format!("--shard auto/{n}")),
        None => {}
    }
    o
}

/// Delete what the run created (ledger, then a prefix sweep).
async fn cleanup(client: &crate::client::Client, ns: &Namespace) -> CleanupReport {
    let created = ns.tracked();
    let mut report = ns.cleanup(client, created).await;
    let targets = [
        ("/Users".to_string(), "userName"),
        ("/Groups".to_string(), "displayName"),
    ];
    ns.sweep(client, &targets, &mut report).await;
    report
}

/// A live line on a terminal: elapsed, req/s over the last second, errors.
fn progress_line(stats: Collector, shared: Arc<load::ops::Shared>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        if !std::io::stderr().is_terminal() {
            return;
        }
        let mut last = 0u64;
        loop {
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            let Some(t) = shared.started.get() else {
                continue;
            };
            let snap = stats.snapshot();
            let total: u64 = snap.iter().map(|s| s.total.requests).sum();
            let errors: u64 = snap.iter().map(|s| s.total.errors).sum();
            eprint!(
                "\r  {:>5.0} s  {:>8} req/s  {:>9} requests  {:>6} errors   ",
                t.elapsed().as_secs_f64(),
                total.saturating_sub(last),
                total,
                errors
            );
            last = total;
        }
    })
}

/// Failed when a threshold was breached or a MUST correctness check failed or errored.
pub fn verdict(report: &RunReport) -> Verdict {
    let failed = report
        .checks
        .iter()
        .any(|c| matches!(c.outcome, Outcome::Fail | Outcome::Error) && c.level == Level::Must);
    if failed {
        Verdict::Failed
    } else {
        Verdict::Passed
    }
}

fn print_summary(r: &RunReport, dir: &std::path::Path) {
    let Some(l) = &r.load else {
        return;
    };
    eprintln!();
    println!(
        "scimtest load: {} — {} requests in {:.1} s ({:.0} req/s), {} errors ({} throttled) against {}",
        l.scenario, l.requests, l.duration_s, l.rps, l.errors, l.throttled, r.target
    );
    if let Some(c) = l.cpu_ms_per_1000 {
        println!("  scimtest CPU: {c:.1} ms per 1,000 requests");
    }
    println!(
        "  {:<30} {:>9} {:>8} {:>9} {:>9} {:>9} {:>7}",
        "operation", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors"
    );
    for o in &l.operations {
        println!(
            "  {:<30} {:>9} {:>8.0} {:>9.2} {:>9.2} {:>9.2} {:>7}",
            o.op, o.requests, o.rps, o.p50_ms, o.p95_ms, o.p99_ms, o.errors
        );
    }
    for t in &l.thresholds {
        println!(
            "  threshold {:<40} {}  (observed {})",
            t.rule,
            if t.passed { "ok" } else { "BREACHED" },
            t.observed
        );
    }
    for c in r.checks.iter().filter(|c| c.area == "load") {
        println!(
            "  correctness {:<38} {}{}",
            c.id.trim_start_matches("load.correctness."),
            c.outcome.as_str(),
            if c.reason.is_empty() || c.outcome == Outcome::Pass {
                String::new()
            } else {
                format!(": {}", first_line(&c.reason))
            }
        );
    }
    if !r.status.is_complete() {
        println!(
            "INCOMPLETE ({}): the attack did not run to its end; thresholds are not judged complete",
            r.status.as_str()
        );
    }
    print_cleanup(&r.cleanup);
    println!(
        "reports: {}  (html: {})",
        dir.display(),
        dir.join("index.html").display()
    );
}

/// `scimtest load merge`.
fn merge(args: &MergeArgs) -> CmdResult {
    let mut inputs = Vec::new();
    for p in &args.inputs {
        let origin = p.display().to_string();
        let text =
            std::fs::read_to_string(p).with_context(|| format!("failed to read {origin}"))?;
        // A report.json, or a pod's log whose last JSON line is the report (`--report-stdout`
        // shares stdout with goose's own lines).
        let r: RunReport = serde_json::from_str(text.trim())
            .or_else(|e| {
                text.lines()
                    .rev()
                    .find(|l| l.trim_start().starts_with('{'))
                    .map_or(Err(e), |l| serde_json::from_str(l.trim()))
            })
            .with_context(|| format!("{origin} is not a scimtest report.json"))?;
        inputs.push((origin, r));
    }
    let (report, series) =
        load::shard::merge(&inputs).map_err(|e| Error::harness(e.to_string()))?;
    let (mut outputs, dir) = open_outputs(&args.reports, &format!("merge-{}", report.run_id))?;
    let mut report = report;
    let write = |name: &str, text: &str| -> anyhow::Result<()> {
        std::fs::write(dir.join(name), text)
            .with_context(|| format!("failed to write {}", dir.join(name).display()))
    };
    let active_users = report
        .load
        .as_ref()
        .map(|l| l.active_users.clone())
        .unwrap_or_default();
    let mut files = Vec::new();
    for p in crate::report::plot::load_plots(&series, &active_users) {
        let f = p.file_name(load::slug);
        write(&f, &p.svg)?;
        files.push(f);
    }
    if let Some(l) = report.load.as_mut() {
        l.files = files;
    }
    let verdict = verdict(&report);
    report.exit_code = Some(verdict.exit_code());
    outputs.write(&report)?;
    print_summary(&report, &dir);
    Ok(verdict)
}

/// Ctrl-C or SIGTERM (how Kubernetes stops a pod), before goose's own handler takes over.
async fn stop_signal() {
    crate::interrupt::wait().await;
}
