//! `scimtest load`: resolve the scenario, start the embedded provider when no target is given,
//! set up the data pool, run the goose attack with the correctness checks alongside, clean up,
//! write goose's reports, our report and the plots, and map thresholds and correctness to the
//! exit code.

use crate::cli::check::{
    Connected, HeaderArg, ReportArgs, TargetArgs, connect, harness_error, open_outputs,
};
use crate::exit_codes;
use crate::load::{self, engine};
use crate::report::model::{FORMAT_VERSION, RunReport};
use crate::target::Namespace;
use anyhow::Context;
use std::sync::Arc;
use std::time::Instant;

/// Arguments of `scimtest load`.
#[derive(Debug, clap::Args)]
pub struct LoadArgs {
    /// A shipped scenario's name (see --list-scenarios) or a scenario file.
    #[arg(long, value_name = "NAME|FILE", default_value = "smoke")]
    pub scenario: String,
    /// List the shipped scenarios and exit.
    #[arg(long)]
    pub list_scenarios: bool,
    /// Base URL of the SCIM service. Without it, the embedded reference provider is started on
    /// 127.0.0.1 and loaded.
    #[arg(long, value_name = "URL")]
    pub target: Option<String>,
    /// Bearer token for the target (also read from SCIMTEST_TOKEN).
    #[arg(long, env = "SCIMTEST_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Extra header sent with every request (repeatable; values are secrets).
    #[arg(long = "header", value_name = "'NAME: VALUE'")]
    pub headers: Vec<HeaderArg>,
    /// Skip the correctness checks run alongside the load.
    #[arg(long)]
    pub no_correctness: bool,
    /// The reports.
    #[command(flatten)]
    pub reports: ReportArgs,
    /// goose's own options (they override the scenario's numbers).
    #[command(flatten)]
    pub goose: goose::config::GooseConfiguration,
}

/// Run `scimtest load`; returns the exit code.
pub async fn run(args: LoadArgs) -> i32 {
    match run_inner(args).await {
        Ok(code) => code,
        Err(e) => harness_error(&e),
    }
}

async fn run_inner(args: LoadArgs) -> anyhow::Result<i32> {
    let plan = match load::plan_for(&args.scenario) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(exit_codes::HARNESS);
        }
    };
    let ns = Arc::new(Namespace::new());
    let run_id = ns.run_id().to_string();
    let (mut outputs, dir) = open_outputs(&args.reports, &run_id)?;
    let target = TargetArgs {
        target: args.target.clone(),
        token: args.token.clone(),
        headers: args.headers.clone(),
        timeout: plan.timeout,
    };
    let Connected {
        client,
        embedded,
        shown_target,
        auth_headers,
    } = connect(&target).await?;
    let probe = client
        .send("GET", "/ServiceProviderConfig", None, &[])
        .await;
    if probe.status.is_none() {
        if let Some(h) = embedded {
            h.shutdown().await;
        }
        eprintln!(
            "error: the target does not answer: GET {shown_target}/ServiceProviderConfig: {}",
            probe.error.unwrap_or_default()
        );
        return Ok(exit_codes::HARNESS);
    }
    let stats = engine::collector();
    let shared = Arc::new(load::ops::Shared::new(
        client.base_url(),
        auth_headers,
        ns.clone(),
        String::new(),
        stats.clone(),
        plan.members_per_group,
        plan.members_per_patch,
        plan.page_size,
        plan.enterprise,
    ));
    eprintln!(
        "scimtest load: scenario {} against {shown_target} (run {run_id}): {} users, {}",
        plan.name,
        plan.users,
        match (plan.iterations, plan.duration) {
            (Some(n), _) => format!("{n} iterations each"),
            (None, Some(d)) => format!("{} s", d.as_secs_f64()),
            (None, None) => "until stopped".into(),
        }
    );
    let started = Instant::now();
    let started_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let setup = engine::setup(&client, &shared, &plan).await;
    let outcome = match setup {
        Ok(()) => {
            let files = ["goose.html", "goose.json", "goose.md"]
                .iter()
                .map(|f| dir.join(f).display().to_string())
                .collect();
            Some(engine::attack(&plan, shared.clone(), args.goose.clone(), files).await)
        }
        Err(e) => {
            eprintln!("error: {e}");
            None
        }
    };
    let created = ns.tracked();
    let mut cleanup = ns.cleanup(&client, created).await;
    let targets = [
        ("/Users".to_string(), "userName"),
        ("/Groups".to_string(), "displayName"),
    ];
    ns.sweep(&client, &targets, &mut cleanup).await;
    if let Some(h) = embedded {
        h.shutdown().await;
    }
    let outcome = match outcome {
        None => return Ok(exit_codes::HARNESS),
        Some(o) => o.context("the load run failed")?,
    };
    let mut report = RunReport {
        format_version: FORMAT_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        command: "load".into(),
        run_id,
        target: shown_target,
        embedded_target: args.target.is_none(),
        started_at,
        duration_ms: started.elapsed().as_secs_f64() * 1000.0,
        counts: Default::default(),
        by_level: Default::default(),
        by_area: Default::default(),
        cleanup,
        checks: Vec::new(),
        profiles: Vec::new(),
    };
    report.recount();
    outputs.write(&report)?;
    if let Some(m) = &outcome.metrics {
        for (name, counts) in engine::status_counts(m) {
            println!("{name:<32} {counts:?}");
        }
    }
    if let Some(e) = &outcome.goose_error {
        eprintln!("goose: {e}");
    }
    println!("reports: {}", dir.display());
    if outcome.interrupted {
        return Ok(exit_codes::HARNESS);
    }
    Ok(exit_codes::OK)
}
