//! `scimtest load`: resolve the scenario, start the embedded provider when no target is given,
//! set up the data pool, run the goose attack with the correctness checks alongside, clean up,
//! write goose's reports, our report and the plots, and map thresholds and correctness to the
//! exit code.

use crate::cli::common::{ReportArgs, TargetArgs, first_line, print_cleanup, shell_quote};
use crate::cli::connect::{Connected, preflight};
use crate::cli::console::{self, Style, WIDTH};
use crate::cli::error::{CmdResult, Error, Finished, Verdict};
use crate::cli::outputs::open_outputs;
use crate::client::Namespace;
use crate::load::{self, engine};
use crate::report::model::{
    CheckReport, CleanupReport, FORMAT_VERSION, Level, LoadReport, Outcome, RunReport, RunStatus,
    ShardInfo,
};
use crate::say;
use crate::text::{fit, wrap};
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
    /// The run's shape, overriding the scenario's `[run]`.
    #[command(
        flatten,
        next_help_heading = "Run shape (overrides the scenario's [run])"
    )]
    pub shape: ShapeArgs,
    /// A pass/fail rule on the run's figures, added to the scenario's own (repeatable):
    /// `p95<250ms`, `error-rate<1%`, `rps>=200`, each optionally `for OPERATION`
    /// (`'p95<250ms for POST /Users'`, or `for create-user`). A breach fails the run (exit 1).
    #[arg(
        long = "threshold",
        value_name = "RULE",
        value_parser = parse_threshold,
        help_heading = "Thresholds"
    )]
    pub thresholds: Vec<load::scenario::Threshold>,
    /// One word of goose's own command line, passed to goose's parser as is (repeatable, in
    /// order): the escape hatch for what scimtest does not expose, such as
    /// `--goose-arg=--request-log=requests.log`. `--goose-arg --help` lists goose's options;
    /// the ones scimtest sets itself (users, ramp, run time, timeout, thresholds, host) are
    /// refused with the flag to use instead.
    #[arg(
        long = "goose-arg",
        value_name = "ARG",
        allow_hyphen_values = true,
        help_heading = "goose"
    )]
    pub goose_args: Vec<String>,
    /// An earlier `load` report.json: per operation, req/s and p50/p95/p99 of both runs, and a
    /// regression fails the run (exit 1).
    #[arg(long, value_name = "REPORT.json", help_heading = "Comparing runs")]
    pub baseline: Option<std::path::PathBuf>,
    /// With --baseline: how much worse a figure may get, e.g. `p95=10%`, `rps=5%`, `p99=off`
    /// (repeatable; default p95 +10 % and req/s -10 %; changes under 0.5 ms or 1 req/s are
    /// noise, never a regression).
    #[arg(long, value_name = "METRIC=PCT", value_parser = crate::report::compare::RegressionRule::parse, requires = "baseline", help_heading = "Comparing runs")]
    pub max_regression: Vec<crate::report::compare::RegressionRule>,
    /// Hold the run to an IdP's published pace (rate, concurrency, page size, timeout) and say
    /// whether the target kept up: entra, okta, authentik or keycloak (see --list-paces).
    #[arg(long, value_name = "IDP", value_parser = load::pace::Pace::parse, help_heading = "IdP pace")]
    pub pace: Option<load::pace::Pace>,
    /// List the IdP pace presets with their sources and exit.
    #[arg(long, help_heading = "IdP pace")]
    pub list_paces: bool,
    /// A provisioning configuration (examples/*.toml): operations on object types or actions
    /// it excludes are not sent (listed as "not configured"), existence checks filter on its
    /// matching attribute, creates and updates carry its mapped attributes. A mapping the
    /// target does not declare stops the run before anything is sent (exit 3).
    #[arg(long, value_name = "FILE", help_heading = "Provisioning configuration")]
    pub config: Option<std::path::PathBuf>,
}

/// The run's shape: each flag, when given, replaces the scenario's `[run]` value.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ShapeArgs {
    /// Concurrent users.
    #[arg(long, value_name = "N", value_parser = parse_count)]
    pub users: Option<usize>,
    /// Time to start all users, e.g. 10s (0s starts them at once).
    #[arg(long, value_name = "DURATION", value_parser = parse_ramp)]
    pub ramp: Option<std::time::Duration>,
    /// How long to run once all users have started, in whole seconds: 30s, 5m, 1m30s.
    #[arg(
        long,
        visible_alias = "run-time",
        value_name = "DURATION",
        value_parser = parse_run_duration,
        conflicts_with = "iterations"
    )]
    pub duration: Option<std::time::Duration>,
    /// Instead of --duration: each user runs the scenario's operations N times, then stops.
    #[arg(long, value_name = "N", value_parser = parse_count)]
    pub iterations: Option<usize>,
    /// Per-request timeout, e.g. 5s or 500ms.
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout)]
    pub timeout: Option<std::time::Duration>,
}

impl ShapeArgs {
    /// `plan` with every given flag in place of the scenario's value.
    pub fn apply(&self, mut plan: engine::Plan) -> engine::Plan {
        if let Some(u) = self.users {
            plan.users = u;
        }
        if let Some(r) = self.ramp {
            plan.ramp = r;
        }
        match (self.duration, self.iterations) {
            (Some(d), _) => {
                plan.duration = Some(d);
                plan.iterations = None;
            }
            (None, Some(n)) => {
                plan.iterations = Some(n);
                plan.duration = None;
            }
            (None, None) => {}
        }
        if let Some(t) = self.timeout {
            plan.timeout = t;
        }
        plan
    }

    /// The flags as they would be typed again.
    fn options(&self) -> Vec<String> {
        let d = humanize;
        let mut o = Vec::new();
        if let Some(u) = self.users {
            o.push(format!("--users {u}"));
        }
        if let Some(r) = self.ramp {
            o.push(format!("--ramp {}", d(r)));
        }
        if let Some(t) = self.duration {
            o.push(format!("--duration {}", d(t)));
        }
        if let Some(n) = self.iterations {
            o.push(format!("--iterations {n}"));
        }
        if let Some(t) = self.timeout {
            o.push(format!("--timeout {}", d(t)));
        }
        o
    }
}

/// `90s`, `1500ms`, `0s`: a duration as the flags take it.
fn humanize(d: std::time::Duration) -> String {
    if d.subsec_nanos() == 0 {
        format!("{}s", d.as_secs())
    } else if d.as_micros().is_multiple_of(1000) {
        format!("{}ms", d.as_millis())
    } else {
        format!("{}us", d.as_micros())
    }
}

fn parse_count(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!("{s:?} is not a whole number of at least 1")),
    }
}

fn parse_ramp(s: &str) -> Result<std::time::Duration, String> {
    load::scenario::parse_duration(s)
}

fn parse_run_duration(s: &str) -> Result<std::time::Duration, String> {
    let d = load::scenario::parse_duration(s)?;
    if d.subsec_nanos() != 0 || d.is_zero() {
        return Err(format!(
            "{s:?}: the run lasts whole seconds, at least 1s (goose counts it in seconds)"
        ));
    }
    Ok(d)
}

fn parse_timeout(s: &str) -> Result<std::time::Duration, String> {
    let d = load::scenario::parse_duration(s)?;
    if d.is_zero() {
        return Err(format!("{s:?}: a timeout must be above 0"));
    }
    Ok(d)
}

fn parse_threshold(s: &str) -> Result<load::scenario::Threshold, String> {
    s.parse()
}

impl LoadArgs {
    /// The arguments of `scimtest load --scenario SCENARIO --report-dir DIR` against `target`
    /// (the scenario's numbers otherwise): the third part of `scimtest run`.
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
            shape: ShapeArgs::default(),
            thresholds: Vec::new(),
            goose_args: Vec::new(),
            baseline: None,
            max_regression: Vec::new(),
            pace: None,
            list_paces: false,
            config: None,
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
    if args.list_paces {
        print!("{}", load::pace::list());
        return Ok(Verdict::Passed);
    }
    if args.goose_args.iter().any(|a| a == "--help" || a == "-h") {
        print!("{}", load::goose_config::goose_help());
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
    let (mut scenario, plan) = load::plan_for(&args.scenario).map_err(|e| match &e {
        // The OS's reason too (no such file, permission denied), on the same line.
        load::scenario::ScenarioError::Read { source, .. } => {
            Error::harness(format!("{e}: {source}"))
        }
        _ => Error::harness(e.to_string()),
    })?;
    // An IdP's pace first, then the shape flags the user typed win over it.
    let plan = load::shapes::paced(args.pace, plan);
    let plan = args.shape.apply(plan);
    // A provisioning configuration leaves out what it excludes, before anything starts.
    let config = args
        .config
        .as_deref()
        .map(crate::cli::config::load)
        .transpose()?;
    let (plan, left_out) = match &config {
        Some(c) => {
            let shaped = load::provisioning::shape(plan, &c.config);
            if shaped.plan.ops.is_empty() {
                return Err(Error::usage(format!(
                    "scenario {} exercises only what {} excludes ({})",
                    shaped.plan.name,
                    c.info.path,
                    shaped
                        .left_out
                        .iter()
                        .map(|l| format!("{}: {}", l.op, l.reason))
                        .collect::<Vec<_>>()
                        .join("; ")
                ))
                .with_hint("pick a scenario with operations the configuration provisions (--list-scenarios)"));
            }
            // A scenario threshold on an operation left out judges nothing: not configured.
            scenario.thresholds.retain(|t| {
                t.operation
                    .is_none_or(|op| shaped.plan.ops.iter().any(|p| p.op == op))
            });
            (shaped.plan, shaped.left_out)
        }
        None => (plan, Vec::new()),
    };
    let sweep_groups = config.as_ref().is_none_or(|c| c.config.groups.provision);
    // goose's options from the escape hatch, checked before anything starts.
    let goose_cfg = load::goose_config::escape_hatch(&args.goose_args)
        .map_err(|e| Error::usage(e.message).with_hint(e.hint))?;
    let mut scenario_toml = load::scenario::builtin()
        .into_iter()
        .find(|(n, _)| *n == args.scenario)
        .map(|(_, t)| t.to_string())
        .or_else(|| std::fs::read_to_string(&args.scenario).ok())
        .unwrap_or_default();
    // --threshold rules join the scenario's: judged with them, and written into the report's
    // scenario so `load merge` judges the fleet by them too.
    for t in &args.thresholds {
        if let Some(op) = t.operation
            && !plan.ops.iter().any(|p| p.op == op)
        {
            return Err(Error::usage(format!(
                "--threshold {:?} judges {}, which scenario {} never runs",
                t.to_goose(),
                op.request_name(),
                plan.name
            ))
            .with_hint(format!(
                "its operations: {}",
                plan.ops
                    .iter()
                    .map(|p| p.op.request_name())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        scenario.thresholds.push(*t);
        scenario_toml.push_str(&format!("\n# --threshold\n{}", t.to_toml()));
    }
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
    // A wrong --baseline fails now, not after the run.
    let baseline = args
        .baseline
        .as_deref()
        .map(crate::cli::baseline::read)
        .transpose()?;
    let (mut outputs, dir) = open_outputs(&args.reports, &run_id)?;
    let Connected {
        client,
        embedded,
        shown_target,
        auth_headers,
        ..
    } = crate::cli::connect::connect_with_extensions(
        &args.target,
        plan.timeout,
        &[],
        &config
            .as_ref()
            .map(|c| crate::cli::config::embedded_extensions(&c.config))
            .unwrap_or_default(),
    )
    .await?;
    if let Err(e) = preflight(&client, None).await {
        if let Some(h) = embedded {
            h.shutdown().await;
        }
        return Err(e);
    }
    // Mapping targets the target does not declare: reported before anything is sent.
    if let Some(c) = &config
        && let Err(e) = crate::cli::config::check_declared(&client, c).await
    {
        if let Some(h) = embedded {
            h.shutdown().await;
        }
        return Err(e);
    }
    let bulk = match load::shapes::bulk_limits(&client, &plan).await {
        Ok(b) => b,
        Err(e) => {
            if let Some(h) = embedded {
                h.shutdown().await;
            }
            return Err(Error::harness(e));
        }
    };
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
    shared.bulk = bulk;
    let user_shape = config
        .as_ref()
        .map(|c| Arc::new(load::provisioning::UserShape::new(&c.config)));
    shared.profile = user_shape.clone();
    let shared = Arc::new(shared);
    let users = plan.users;
    let length = match (plan.iterations, plan.duration) {
        (Some(n), _) => format!("{n} iteration{} each", if n == 1 { "" } else { "s" }),
        (None, Some(d)) => humanize(d),
        (None, None) => "until stopped".into(),
    };
    let console = console::current();
    if console.progress() {
        let line = format!(
            "scenario {} against {shown_target} (run {run_id}): {users} users, {length}{}",
            plan.name,
            plan.throttle
                .map(|t| format!(", paced at {t} req/s"))
                .unwrap_or_default()
        );
        for l in wrap(&line, WIDTH, "scimtest load: ", 2) {
            eprintln!("{l}");
        }
        for line in load::shapes::banner(args.pace, bulk, &plan) {
            eprintln!("{line}");
        }
    }
    let started = Instant::now();
    let started_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    // Until goose installs its own Ctrl-C handler, a Ctrl-C stops the set-up here, and what it
    // created is removed.
    let setup = tokio::select! {
        r = engine::setup(&client, &shared, &plan) => r,
        _ = stop_signal() => Err(engine::LoadError::Setup("interrupted".into())),
    };
    if let Err(e) = setup {
        cleanup(&client, &ns, sweep_groups).await;
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
                    cleanup(&client, &ns, sweep_groups).await;
                    if let Some(h) = embedded {
                        h.shutdown().await;
                    }
                    return Err(Error::interrupted(""));
                }
            }
        }
    }
    // goose's own report files are not written: their req/s is over goose's maintain step
    // only and its HTML loads a chart library from the network (blank offline). Our reports
    // carry every figure, with the phases named (`report::phases`). `--goose-arg
    // --report-file=…` still makes goose write one.
    let goose_files: Vec<String> = Vec::new();
    let live = Arc::new(load::progress::Live::default());
    let progress = console.progress().then(|| {
        load::progress::spawn(
            stats.clone(),
            shared.clone(),
            live.clone(),
            match plan.iterations {
                Some(n) => load::progress::Length::Iterations(n),
                None => {
                    load::progress::Length::Duration(plan.ramp + plan.duration.unwrap_or_default())
                }
            },
            plan.users,
            std::io::stderr().is_terminal(),
        )
    });
    // goose prints on stdout; with a report there (`-`), its lines go to stderr meanwhile.
    let stdout_guard = console
        .summary_to_stderr
        .then(crate::cli::console::StdoutToStderr::begin);
    let attack = engine::attack(&plan, shared.clone(), goose_cfg, goose_files, live);
    let correctness = async {
        if args.no_correctness {
            Vec::new()
        } else {
            let scope = config
                .as_ref()
                .map(|c| correctness_scope(&c.config, user_shape.clone()))
                .unwrap_or_default();
            load::correctness::run_scoped(&client, &ns, plan.users.max(8), &scope)
                .await
                .reports
        }
    };
    let (outcome, correctness) = tokio::join!(attack, correctness);
    drop(stdout_guard);
    let attack_s = shared
        .started
        .get()
        .map_or(0.0, |t| t.elapsed().as_secs_f64());
    let attack_start = chrono::Utc::now() - chrono::Duration::microseconds((attack_s * 1e6) as i64);
    if let Some(p) = progress {
        p.abort();
    }
    load::progress::end_line();
    let cleanup_report = cleanup(&client, &ns, sweep_groups).await;
    if let Some(src) = client.oauth() {
        eprintln!("{}", src.summary());
    }
    if let Some(h) = embedded {
        h.shutdown().await;
    }
    let outcome = outcome.context("the load run failed")?;
    // goose refused its configuration: nothing ran, so there is nothing to summarise.
    if outcome.goose_refused {
        return Err(Error::usage(
            outcome
                .goose_error
                .unwrap_or_else(|| "goose refused its configuration".into()),
        )
        .with_hint(
            "scimtest load --help lists scimtest's flags, scimtest load --goose-arg --help goose's",
        ));
    }
    let series = stats.snapshot_over(std::time::Duration::from_secs_f64(attack_s.max(0.001)));
    let status = outcome
        .metrics
        .as_ref()
        .map(engine::status_counts)
        .unwrap_or_default();
    let phases = crate::report::phases::phases(
        &series,
        outcome
            .metrics
            .as_ref()
            .and_then(|m| load::phases::bounds(&m.history, attack_start)),
    );
    let thresholds = load::judge_thresholds(&scenario, &series, &phases);
    let mut files: Vec<String> = Vec::new();
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
    let max_ms = series.iter().map(|s| s.total.max_us).max().unwrap_or(0) as f64 / 1000.0;
    let (provisioning, rate_limits, pace) = load::shapes::sections(
        &shared,
        &plan,
        args.pace,
        attack_s,
        (requests, errors, max_ms),
    );
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
            phases,
            comparison: None,
            series: series.clone(),
            provisioning,
            rate_limits,
            pace,
            active_users,
            config: config.as_ref().map(|c| config_report(c, &left_out)),
        }),
        configuration: config.as_ref().map(|c| c.info.clone()),
    };
    report.recount();
    if let Some(b) = &baseline {
        crate::cli::baseline::apply(&mut report, b, &args.max_regression);
    }
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

/// What `load.config` in the report says about the configuration: its file, hash and summary,
/// and the operations it left out.
fn config_report(
    c: &crate::cli::config::Loaded,
    left_out: &[load::provisioning::LeftOut],
) -> crate::report::model::LoadConfigReport {
    crate::report::model::LoadConfigReport {
        path: c.info.path.clone(),
        sha256: c.info.sha256.clone(),
        summary: c.info.summary.clone(),
        not_configured: left_out
            .iter()
            .map(|l| crate::report::model::NotConfiguredOp {
                op: l.op.name().to_string(),
                request: l.op.request_name().to_string(),
                reason: l.reason.clone(),
                instead: l.instead.map(|i| i.name().to_string()),
            })
            .collect(),
    }
}

/// The correctness checks a configuration covers: uniqueness needs user creates,
/// read-your-write user updates, the member check group updates; `/Groups` is not read when
/// groups are not provisioned.
fn correctness_scope(
    cfg: &crate::scim::provisioning::ProvisioningConfig,
    users: Option<Arc<load::provisioning::UserShape>>,
) -> load::correctness::Scope {
    use crate::scim::provisioning::Action;
    let mut not = Vec::new();
    if !cfg.users.allows(Action::Create) {
        not.push((
            load::correctness::UNIQUE_USERNAME.id,
            "users are not created".to_string(),
        ));
    }
    if !cfg.users.allows(Action::Update) {
        not.push((
            load::correctness::READ_YOUR_WRITE.id,
            "users are not updated".to_string(),
        ));
    }
    if !cfg.groups.allows(Action::Update) {
        let why = if cfg.groups.provision {
            "group members are not updated"
        } else {
            "groups are not provisioned"
        };
        not.push((
            load::correctness::CONCURRENT_MEMBER_ADDS.id,
            why.to_string(),
        ));
    }
    load::correctness::Scope {
        not_configured: not,
        no_groups: !cfg.groups.provision,
        users,
    }
}

/// The options of a `load` that shaped it, as they would be typed again.
fn load_options(args: &LoadArgs) -> Vec<String> {
    let mut o = vec![format!("--scenario {}", shell_quote(&args.scenario))];
    o.extend(args.target.auth_options());
    if args.no_correctness {
        o.push("--no-correctness".into());
    }
    o.extend(args.shape.options());
    for t in &args.thresholds {
        o.push(format!("--threshold {}", shell_quote(&t.to_goose())));
    }
    for a in &args.goose_args {
        o.push(format!("--goose-arg={}", shell_quote(a)));
    }
    if let Some(p) = args.pace {
        o.push(format!("--pace {}", p.preset().name));
    }
    if let Some(c) = &args.config {
        o.push(format!(
            "--config {}",
            shell_quote(&c.display().to_string())
        ));
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

/// Delete what the run created (ledger, then a prefix sweep; of `/Groups` too unless `groups`
/// is false: groups not provisioned under `load --config`).
async fn cleanup(client: &crate::client::Client, ns: &Namespace, groups: bool) -> CleanupReport {
    let created = ns.tracked();
    let mut report = ns.cleanup(client, created).await;
    let mut targets = vec![("/Users".to_string(), "userName")];
    if groups {
        targets.push(("/Groups".to_string(), "displayName"));
    }
    ns.sweep(client, &targets, &mut report).await;
    report
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
    let console = console::current();
    let quiet = console.quiet();
    load::progress::end_line();
    let (rps, phase) = crate::report::compare::headline_rps(l);
    let head = format!(
        "{} — {} requests in {:.1} s, {rps:.1} req/s ({phase}), {} errors ({} throttled) against {}",
        l.scenario, l.requests, l.duration_s, l.errors, l.throttled, r.target
    );
    for (i, line) in wrap(&head, WIDTH, "scimtest load: ", 2)
        .into_iter()
        .enumerate()
    {
        match line.strip_prefix("scimtest load:").filter(|_| i == 0) {
            Some(rest) => say!("{}{rest}", console.paint(Style::Bold, "scimtest load:")),
            None => say!("{line}"),
        }
    }
    if let Some(c) = &l.config {
        say!(
            "  configuration {} (sha256 {})",
            c.path,
            c.sha256.get(..12).unwrap_or(&c.sha256)
        );
        for line in &c.summary {
            for w in wrap(line, WIDTH, "    ", 6) {
                say!("{w}");
            }
        }
        for n in &c.not_configured {
            let line = match &n.instead {
                Some(i) => format!(
                    "  not configured: {} ({}): {} instead",
                    n.request, n.reason, i
                ),
                None => format!("  not configured: {} ({})", n.request, n.reason),
            };
            say!("{}", console.paint(Style::Dim, &fit(&line, WIDTH)));
        }
    }
    if !quiet {
        crate::cli::baseline::print_phases(l);
        if let Some(c) = l.cpu_ms_per_1000 {
            say!("  scimtest CPU: {c:.1} ms per 1,000 requests");
        }
        say!(
            "{}",
            console.paint(
                Style::Dim,
                &format!(
                    "  {:<30} {:>9} {:>8} {:>9} {:>9} {:>9} {:>7}",
                    "operation", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors"
                )
            )
        );
        for o in &l.operations {
            say!(
                "  {:<30} {:>9} {:>8.0} {:>9.2} {:>9.2} {:>9.2} {:>7}",
                fit(&o.op, 30),
                o.requests,
                o.rps,
                o.p50_ms,
                o.p95_ms,
                o.p99_ms,
                o.errors
            );
        }
        for line in load::shapes::summary(l) {
            for w in wrap(&line, WIDTH, "", 4) {
                say!("{w}");
            }
        }
    }
    // Breached thresholds and failed correctness checks first; what held only counted unless
    // --verbose.
    for t in l.thresholds.iter().filter(|t| !t.passed) {
        let line = format!("  threshold {} BREACHED: observed {}", t.rule, t.observed);
        say!("{}", console.paint(Style::Fail, &fit(&line, WIDTH)));
    }
    let correctness: Vec<&CheckReport> = r.checks.iter().filter(|c| c.area == "load").collect();
    for c in correctness.iter().filter(|c| c.outcome != Outcome::Pass) {
        let line = format!(
            "  correctness {:<38} {}{}",
            c.id.trim_start_matches("load.correctness."),
            c.outcome.as_str(),
            if c.reason.is_empty() {
                String::new()
            } else {
                format!(": {}", first_line(&c.reason))
            }
        );
        let style = if matches!(c.outcome, Outcome::Fail | Outcome::Error) {
            Style::Fail
        } else {
            Style::Dim
        };
        say!("{}", console.paint(style, &fit(&line, WIDTH)));
    }
    // The thresholds the user set are few: each one that held is listed too (not with -q).
    if !quiet {
        for t in l.thresholds.iter().filter(|t| t.passed) {
            let line = format!("  threshold {:<40} ok  (observed {})", t.rule, t.observed);
            say!("{}", fit(&line, WIDTH));
        }
    }
    if console.verbose() {
        for c in correctness.iter().filter(|c| c.outcome == Outcome::Pass) {
            let line = format!(
                "  correctness {:<38} pass",
                c.id.trim_start_matches("load.correctness.")
            );
            say!("{}", fit(&line, WIDTH));
        }
    } else if !quiet {
        let passed = correctness
            .iter()
            .filter(|c| c.outcome == Outcome::Pass)
            .count();
        if !correctness.is_empty() {
            say!(
                "{}",
                console.paint(
                    Style::Dim,
                    &format!(
                        "  correctness {passed}/{} passed (--verbose lists them)",
                        correctness.len()
                    )
                )
            );
        }
    }
    if !quiet {
        crate::cli::baseline::print_comparison(l);
    }
    if !r.status.is_complete() {
        say!(
            "{}",
            console.paint(
                Style::Warn,
                &format!(
                    "INCOMPLETE ({}): the attack did not run to its end; thresholds are not judged complete",
                    r.status.as_str()
                )
            )
        );
    } else {
        let breached = l.thresholds.iter().filter(|t| !t.passed).count();
        if breached > 0 {
            say!(
                "{}",
                console.paint(
                    Style::Fail,
                    &format!(
                        "FAILED: {breached} of {} thresholds breached",
                        l.thresholds.len()
                    )
                )
            );
        }
    }
    print_cleanup(&r.cleanup);
    crate::cli::check::print_reports_line(dir);
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;
    use std::time::Duration;

    fn parsed(args: &[&str]) -> LoadArgs {
        let mut all = vec!["scimtest", "load"];
        all.extend(args);
        match crate::cli::Cli::try_parse_from(all).map(|c| c.command) {
            Ok(Some(crate::cli::Command::Load(l))) => *l,
            other => panic!("{args:?}: {other:?}"),
        }
    }

    #[test]
    fn shape_flags_replace_the_scenarios_numbers() {
        let (_, plan) = load::plan_for("smoke").unwrap_or_else(|e| panic!("{e}"));
        let a = parsed(&[
            "--users",
            "3",
            "--ramp",
            "2s",
            "--run-time",
            "1m30s",
            "--timeout",
            "500ms",
        ]);
        let p = a.shape.apply(plan.clone());
        assert_eq!(p.users, 3);
        assert_eq!(p.ramp, Duration::from_secs(2));
        assert_eq!(p.duration, Some(Duration::from_secs(90)));
        assert_eq!(p.iterations, None);
        assert_eq!(p.timeout, Duration::from_millis(500));
        assert_eq!(
            a.shape.options(),
            [
                "--users 3",
                "--ramp 2s",
                "--duration 90s",
                "--timeout 500ms"
            ]
        );
        let p = parsed(&["--iterations", "4"]).shape.apply(plan.clone());
        assert_eq!((p.iterations, p.duration), (Some(4), None));
        assert_eq!(parsed(&[]).shape.apply(plan.clone()), plan);
    }

    #[test]
    fn thresholds_and_goose_words_parse_in_order() {
        let a = parsed(&[
            "--threshold",
            "p95<250ms for POST /Users",
            "--threshold",
            "rps>=10",
            "--goose-arg",
            "--request-log",
            "--goose-arg=r.log",
        ]);
        let rules: Vec<String> = a.thresholds.iter().map(|t| t.to_goose()).collect();
        assert_eq!(rules, ["p95<250ms for POST /Users", "rps>=10"]);
        assert_eq!(a.goose_args, ["--request-log", "r.log"]);
    }
}
