//! `scimtest certify --for entra-gallery|okta-oin`: would this service pass the Microsoft Entra
//! gallery's and the Okta Integration Network's own reviews? Runs the vendor tests' probes and
//! the catalogue checks they cite (one conformance run), the IdPs' replay flows, and for Entra
//! the paced 25 req/s load; then judges each programme by its vendor's rule and writes one
//! report (every format, a readiness certificate) with the readiness per programme.

use crate::certify::mapping::Mapping;
use crate::certify::probe::{EntraDialect, Settings};
use crate::certify::{Program, configured, entra, okta};
use crate::cli::common::{
    OAuthArgs, ReportArgs, TargetArgs, TargetUrl, first_line, parse_duration, print_cleanup,
};
use crate::cli::config::Loaded as ConfigFile;
use crate::cli::connect::{Connected, connect, preflight, spawn_embedded_with};
use crate::cli::console::{self, Style, WIDTH};
use crate::cli::error::{CmdResult, Error, Finished, Verdict};
use crate::cli::load::{self, LoadArgs};
use crate::cli::outputs::open_outputs;
use crate::client::Namespace;
use crate::conformance::model::Check;
use crate::conformance::runner::{self, RunOptions};
use crate::report::model::{CheckReport, FORMAT_VERSION, Outcome, RunReport, RunStatus};
use crate::report::readiness::{Readiness, ReadyState, TestVerdict};
use crate::say;
use crate::text::{display_width, fit, wrap};
use anyhow::Context;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// `--for`: a vendor programme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ProgramArg {
    /// The Microsoft Entra app gallery (Microsoft's SCIM Validation Logic App, 25 tests).
    EntraGallery,
    /// The Okta Integration Network (Okta's Runscope SPEC and CRUD tests).
    OktaOin,
}

impl ProgramArg {
    fn program(self) -> Program {
        match self {
            ProgramArg::EntraGallery => Program::EntraGallery,
            ProgramArg::OktaOin => Program::OktaOin,
        }
    }
}

/// `--entra-dialect`: how the emulated Entra provisioning engine writes its requests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum EntraDialectArg {
    /// Entra's default (an app without flags): capitalised ops, booleans as strings ("False"),
    /// members removed with a value array.
    #[default]
    Default,
    /// The app's Tenant URL carries `?aadOptscim062020`: lower-case ops, real booleans, merged
    /// path-less replaces, members removed with a filter path.
    Aadoptscim062020,
}

impl EntraDialectArg {
    fn dialect(self) -> EntraDialect {
        match self {
            EntraDialectArg::Default => EntraDialect::Default,
            EntraDialectArg::Aadoptscim062020 => EntraDialect::Aadoptscim062020,
        }
    }
}

/// Arguments of `scimtest certify`.
#[derive(Debug, Clone, clap::Args)]
pub struct CertifyArgs {
    /// The target (without `--target`, the embedded provider).
    #[command(flatten)]
    pub target: TargetArgs,
    /// The vendor programme(s) to predict, comma-separated (default: both).
    #[arg(
        long = "for",
        value_enum,
        value_delimiter = ',',
        value_name = "PROGRAM"
    )]
    pub programs: Vec<ProgramArg>,
    /// Your app's Entra attribute mappings: Entra's synchronization schema as exported (JSON),
    /// or a provisioning configuration (TOML, docs/provisioning.md; `[[user]]`/`[[group]]`
    /// tables are its short form). Default: Entra's default mappings, without the attributes
    /// your /Schemas does not declare.
    #[arg(long, value_name = "FILE", conflicts_with = "config")]
    pub mapping: Option<PathBuf>,
    /// The provisioning configuration your setup guide documents (TOML, docs/provisioning.md):
    /// its mappings are the ones the Entra tests use, every mapping target must be declared by
    /// your /Schemas and /ResourceTypes (checked before anything else is sent), and the tests of
    /// the object types and actions it leaves out are reported "not configured".
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// How the emulated Entra provisioning engine writes its requests: `default`, or
    /// `aadoptscim062020` when your app's Tenant URL carries that flag.
    #[arg(long, value_enum, default_value = "default", value_name = "DIALECT")]
    pub entra_dialect: EntraDialectArg,
    /// Skip the paced 25 req/s load of the Entra readiness (its verdict is then unknown).
    #[arg(long)]
    pub no_load: bool,
    /// Per-request timeout (e.g. 10s, 500ms).
    #[arg(long, default_value = "10s", value_parser = parse_duration, value_name = "DURATION")]
    pub timeout: Duration,
    /// List the vendor tests and what judges each, and exit.
    #[arg(long)]
    pub list: bool,
    /// The reports.
    #[command(flatten)]
    pub reports: ReportArgs,
}

impl CertifyArgs {
    fn programs(&self) -> Vec<Program> {
        let mut p: Vec<Program> = if self.programs.is_empty() {
            Program::ALL.to_vec()
        } else {
            self.programs.iter().map(|p| p.program()).collect()
        };
        p.sort();
        p.dedup();
        p
    }
}

/// Run `scimtest certify`.
pub async fn run(args: CertifyArgs) -> CmdResult {
    if args.list {
        print_list(&args.programs());
        return Ok(Verdict::Passed);
    }
    execute(&args).await.map(|f| f.verdict)
}

fn print_list(programs: &[Program]) {
    for p in programs {
        let tests = match p {
            Program::EntraGallery => entra::TESTS,
            Program::OktaOin => okta::TESTS,
        };
        println!("{}:", p.as_str());
        let width = tests
            .iter()
            .map(|t| t.name.chars().count())
            .max()
            .unwrap_or(0);
        for t in tests {
            println!(
                "  {:<width$} {:<9} judged by {}",
                t.name,
                t.category.as_str(),
                if t.judged_by.is_empty() {
                    "(needs the vendor's system)".to_string()
                } else {
                    t.judged_by.join(", ")
                }
            );
        }
    }
}

/// The catalogue checks the vendor tests cite, to run beside the probes.
fn related_checks(programs: &[Program]) -> Vec<Check> {
    let ids: Vec<&str> = programs
        .iter()
        .flat_map(|p| match p {
            Program::EntraGallery => entra::TESTS,
            Program::OktaOin => okta::TESTS,
        })
        .flat_map(|t| t.related.iter().copied())
        .collect();
    crate::conformance::catalogue::all()
        .into_iter()
        .filter(|c| ids.contains(&c.id))
        .collect()
}

/// What `certify` will create on a real target, said before it starts.
fn announce(target: &str, programs: &[Program], load: bool) -> String {
    let mut s = format!(
        "scimtest certify will create test data on {target}, every name starting with \"scimtest-<run id>-\", \
         and delete it at the end (each DELETE read back):\n  \
         tests   the users and groups of each vendor test (a few each; up to 11 users and 11 groups for the pagination tests)\n  \
         replay  the users and groups of the {} provisioning flows\n",
        programs
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
            .join(" and ")
    );
    if programs.contains(&Program::EntraGallery) {
        s.push_str(if load {
            "  load    scenario entra-gallery: a pool of 20 users and 2 groups, then 8 virtual users for 10 s paced at 25 req/s (the gallery's requirement; --no-load to skip)\n"
        } else {
            "  load    skipped (--no-load): the Entra throughput requirement stays unmeasured\n"
        });
    }
    s
}

/// Run the vendor tests against the target (the embedded provider without `--target`), write
/// the reports and print the readiness.
pub async fn execute(args: &CertifyArgs) -> Result<Finished, Error> {
    let programs = args.programs();
    let (mapping, config) = read_mapping(args)?;
    let ns = Namespace::new();
    let run_id = ns.run_id().to_string();
    let (mut outputs, dir) = open_outputs(&args.reports, &run_id)?;
    // Without --target, one embedded provider serves every part.
    let (embedded, target) = match &args.target.target {
        Some(_) => (None, args.target.clone()),
        None => {
            // The embedded provider authenticates the way the gallery wants: OAuth 2.0 client
            // credentials with an hour-long token.
            // It declares the configuration's custom extensions, as the target it stands for would.
            let extensions = config
                .as_ref()
                .map(|c| crate::cli::config::embedded_extensions(&c.config))
                .unwrap_or_default();
            let (h, oauth_args) = spawn_with_oauth(extensions).await?;
            let url: TargetUrl = h.base_url.parse().map_err(Error::harness)?;
            let target = TargetArgs {
                target: Some(url),
                token: None,
                headers: args.target.headers.clone(),
                oauth_args,
                embedded_target: true,
            };
            (Some(h), target)
        }
    };
    let result = certify_target(
        args,
        &programs,
        (mapping, config.as_ref()),
        ns,
        &target,
        &dir,
    )
    .await;
    if let Some(h) = embedded {
        h.shutdown().await;
    }
    let mut report = result?;
    report.embedded_target = args.target.is_embedded();
    let verdict = verdict(&report);
    report.exit_code = Some(verdict.exit_code());
    outputs.write(&report)?;
    // The readiness certificate a vendor hands on, in both formats, beside the reports.
    for name in ["certificate.html", "certificate.md"] {
        crate::report::html::write_certificate(&dir.join(name), std::slice::from_ref(&report))?;
    }
    print_summary(&report, &dir, config.as_ref());
    Ok(Finished { report, verdict })
}

/// The mapping the Entra tests use and the provisioning configuration it came from: `--config`,
/// or a TOML `--mapping` (the same format); Entra's synchronization schema (JSON) and the
/// default mappings have none. A file that does not parse is `FILE:LINE: message`, exit 3.
fn read_mapping(args: &CertifyArgs) -> Result<(Mapping, Option<ConfigFile>), Error> {
    let Some(p) = args.config.as_ref().or(args.mapping.as_ref()) else {
        return Ok((Mapping::entra_default(), None));
    };
    let bad = |e: String| {
        Error::harness(e).with_hint(format!(
            "see {} for the file's format",
            crate::cli::config::DOCS
        ))
    };
    if args.config.is_none() {
        let text = std::fs::read_to_string(p)
            .with_context(|| format!("failed to read --mapping {}", p.display()))?;
        if text.trim_start().starts_with('{') {
            let m = Mapping::load(&text, &p.display().to_string()).map_err(bad)?;
            return Ok((m, None));
        }
    }
    let file = crate::cli::config::load(p)?;
    let mut m = Mapping::from_config(&file.config, &file.info.path).map_err(bad)?;
    if !m.is_default {
        m.origin = format!("the configuration {}", file.describe());
    }
    Ok((m, Some(file)))
}

/// The embedded provider with one OAuth client (tenant 1) and a 60-minute token lifetime, and the
/// options that reach it.
async fn spawn_with_oauth(
    user_extensions: Vec<serde_json::Value>,
) -> Result<(crate::provider::ProviderHandle, OAuthArgs), Error> {
    let secret = uuid::Uuid::new_v4().simple().to_string();
    let client = crate::provider::OAuthClientSpec {
        id: "scimtest-certify".into(),
        secret: secret.clone(),
    };
    let h = spawn_embedded_with(crate::provider::ProviderConfig {
        oauth_clients: vec![client],
        oauth_token_lifetime: Duration::from_secs(3600),
        user_extensions,
        ..crate::provider::ProviderConfig::default()
    })
    .await?;
    let oauth = OAuthArgs {
        oauth_token_url: h.token_url.clone(),
        client_id: Some("scimtest-certify".into()),
        client_secret: Some(secret),
        ..OAuthArgs::default()
    };
    Ok((h, oauth))
}

async fn certify_target(
    args: &CertifyArgs,
    programs: &[Program],
    (mapping, config): (Mapping, Option<&ConfigFile>),
    ns: Namespace,
    target: &TargetArgs,
    dir: &std::path::Path,
) -> Result<RunReport, Error> {
    let run_id = ns.run_id().to_string();
    let Connected {
        client,
        shown_target,
        oauth,
        ..
    } = connect(target, args.timeout).await?;
    preflight(&client, None).await?;
    // A configuration's mapping targets the target does not declare: said before any test
    // request, every one of them.
    if let Some(file) = config {
        crate::cli::config::check_declared(&client, file).await?;
    }
    let entra_load = programs.contains(&Program::EntraGallery) && !args.no_load;
    if !target.embedded_target {
        eprint!(
            "{}",
            console::wrap_block(&announce(&shown_target, programs, entra_load))
        );
    }
    let started = Instant::now();
    let started_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);

    // 1. The probes and the checks they cite, in one conformance run.
    let schemas = client.send("GET", "/Schemas", None, &[]).await;
    let declared: Vec<serde_json::Value> = schemas
        .json
        .as_ref()
        .and_then(|b| b["Resources"].as_array().cloned())
        .unwrap_or_default();
    let mapping = mapping.restrict_to(&declared);
    let mapping_line = mapping.describe();
    let maps_active = mapping.maps_user("active");
    let dialect = args.entra_dialect.dialect();
    let settings = Settings {
        entra_dialect: dialect,
        mapping,
        oauth,
        timeout: args.timeout,
    };
    // Okta's SPEC test reads the first user of the list and wants a full one: its probes run
    // alone, before anything else of this run creates (minimal) users, and one at a time, as
    // Runscope runs its steps (a server that lists a half-created user while another request
    // creates it would otherwise fail SPEC 1 on our concurrency, not on anything Okta does).
    let mut passes: Vec<(Vec<Check>, usize)> = Vec::new();
    if programs.contains(&Program::OktaOin) {
        passes.push((Program::OktaOin.probes(), 1));
    }
    let mut rest: Vec<Check> = programs
        .iter()
        .filter(|p| **p != Program::OktaOin)
        .flat_map(|p| p.probes())
        .collect();
    rest.extend(related_checks(programs));
    passes.push((rest, 8));
    // The probes of what the configuration leaves out are not run: reported skipped, "not
    // configured".
    let mut all: Vec<CheckReport> = Vec::new();
    if let Some(file) = config {
        for (checks, _) in &mut passes {
            checks.retain(
                |c| match configured::not_configured(c.id, &file.config, maps_active) {
                    Some(why) => {
                        all.push(configured::skipped(c, why));
                        false
                    }
                    None => true,
                },
            );
        }
    }
    let line = format!(
        "{} against {shown_target} (run {run_id}): {} vendor-test probes and cited checks",
        programs
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        passes.iter().map(|(c, _)| c.len()).sum::<usize>()
    );
    if console::current().progress() {
        for l in wrap(&line, WIDTH, "scimtest certify: ", 2) {
            eprintln!("{l}");
        }
    }
    let opts = RunOptions {
        concurrency: 8,
        check_timeout: args.timeout * 6,
        extension: Some(Arc::new(settings)),
        ..RunOptions::default()
    };
    let mut cleanup = crate::report::model::CleanupReport::default();
    let mut interrupted = false;
    for (checks, concurrency) in passes {
        if interrupted || checks.is_empty() {
            continue;
        }
        let opts = RunOptions {
            concurrency,
            ..opts.clone()
        };
        let out = runner::run(
            client.clone(),
            Namespace::with_run_id(&run_id),
            checks,
            &opts,
            &|_r: &CheckReport| {},
        )
        .await
        .map_err(|e| Error::from(anyhow::Error::new(e)))?;
        // The vendors do not validate message schemas: a probe's reason keeps to the vendor's
        // criteria (the cited catalogue checks keep their schema notes).
        all.extend(out.checks.into_iter().map(|mut c| {
            if c.id.starts_with("certify.") {
                c.reason = c
                    .reason
                    .lines()
                    .filter(|l| !l.starts_with("response schema violations:"))
                    .collect::<Vec<_>>()
                    .join("\n");
            }
            c
        }));
        merge_cleanup(&mut cleanup, out.cleanup);
        interrupted |= out.interrupted;
    }

    // 2. The IdPs' provisioning flows (cited beside the engine tests).
    if !interrupted {
        let mut wanted: Vec<(&str, &str)> = Vec::new();
        for p in programs {
            wanted.push(match p {
                Program::EntraGallery => ("entra", dialect.profile()),
                Program::OktaOin => ("okta", "oin"),
            });
        }
        let fixtures: Vec<_> = crate::replay::fixture::embedded()
            .context("an embedded fixture is broken")?
            .into_iter()
            .filter(|f| wanted.contains(&(f.idp.as_str(), f.profile.as_str())))
            .collect();
        let replayed = crate::replay::run(
            client.clone(),
            Namespace::with_run_id(&run_id),
            fixtures,
            4,
            &|_f: &crate::replay::engine::FlowResult| {},
        )
        .await;
        all.extend(replayed.flows.iter().map(crate::replay::flow_report));
        merge_cleanup(&mut cleanup, replayed.cleanup);
        interrupted |= replayed.interrupted;
    }

    // 3. Entra's throughput requirement: the paced load.
    if entra_load && !interrupted {
        let mut la = LoadArgs::new(
            crate::load::scenario::ENTRA_GALLERY_SCENARIO.to_string(),
            target.clone(),
            dir.join("load"),
        );
        la.no_correctness = true;
        la.run_id = Some(run_id.clone());
        if console::current().progress() {
            eprintln!("\n== the Entra gallery's 25 requests/second (scenario entra-gallery)");
        }
        match Box::pin(load::execute(&la)).await {
            Ok(f) => {
                let why = f.report.load.as_ref().map(load_errors).unwrap_or_default();
                all.extend(
                    f.report
                        .checks
                        .into_iter()
                        .filter(|c| c.id.starts_with("load.threshold."))
                        .map(|mut c| {
                            if c.outcome == Outcome::Fail && !why.is_empty() {
                                c.reason = format!("{}\n{why}", c.reason);
                            }
                            c
                        }),
                );
                merge_cleanup(&mut cleanup, f.report.cleanup);
                interrupted |= f.report.status == RunStatus::Interrupted;
            }
            Err(e) => {
                e.print();
                all.push(CheckReport {
                    id: "load.threshold.run".into(),
                    title: "the paced load ran".into(),
                    rfc: String::new(),
                    level: crate::report::model::Level::Must,
                    area: "threshold".into(),
                    outcome: Outcome::Error,
                    reason: format!("the load could not run: {}", e.message()),
                    hint: None,
                    quote: None,
                    duration_ms: 0.0,
                    evidence: Vec::new(),
                });
            }
        }
    }

    let groups_off = config.is_some_and(|f| !f.config.groups.provision);
    let readiness: Vec<Readiness> = programs
        .iter()
        .map(|p| match p {
            Program::EntraGallery => {
                let mut r = entra::readiness(&all, &mapping_line, entra_load, dialect);
                if groups_off {
                    r.warnings
                        .push(configured::ENTRA_GROUPS_WARNING.to_string());
                }
                r
            }
            Program::OktaOin => okta::readiness(&all),
        })
        .collect();
    let mut report = RunReport {
        format_version: FORMAT_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        command: "certify".into(),
        run_id,
        target: shown_target,
        embedded_target: target.embedded_target,
        started_at,
        duration_ms: started.elapsed().as_secs_f64() * 1000.0,
        counts: Default::default(),
        by_level: Default::default(),
        by_area: Default::default(),
        cleanup,
        checks: all,
        profiles: Vec::new(),
        load: None,
        catalogue_version: None,
        status: if interrupted {
            RunStatus::Interrupted
        } else {
            RunStatus::Complete
        },
        exit_code: None,
        gating: Vec::new(),
        options: certify_options(args),
        readiness,
        configuration: None,
    };
    report.recount();
    Ok(report)
}

/// Which operations failed under the load and with what status, so that a breached threshold
/// says whether the service was slow, throttled (429) or refused the requests outright.
fn load_errors(l: &crate::report::model::LoadReport) -> String {
    let parts: Vec<String> = l
        .operations
        .iter()
        .filter(|o| o.errors > 0)
        .map(|o| {
            let statuses: Vec<String> = o
                .status_counts
                .iter()
                .filter(|(s, _)| !s.starts_with('2'))
                .map(|(s, n)| format!("{n}× {}", if s == "0" { "transport failure" } else { s }))
                .collect();
            format!(
                "{} {} of {} ({})",
                o.op,
                o.errors,
                o.requests,
                statuses.join(", ")
            )
        })
        .collect();
    if parts.is_empty() {
        return String::new();
    }
    format!(
        "errors by operation: {}; {} throttled (429)",
        parts.join("; "),
        l.throttled
    )
}

fn merge_cleanup(
    into: &mut crate::report::model::CleanupReport,
    more: crate::report::model::CleanupReport,
) {
    into.created += more.created;
    into.removed += more.removed;
    into.leftovers.extend(more.leftovers);
}

fn certify_options(args: &CertifyArgs) -> Vec<String> {
    let mut o = args.target.header_options();
    if !args.programs.is_empty() {
        let names: Vec<&str> = args.programs().iter().map(|p| p.as_str()).collect();
        o.push(format!("--for {}", names.join(",")));
    }
    if let Some(m) = &args.mapping {
        o.push(format!(
            "--mapping {}",
            crate::cli::common::shell_quote(&m.display().to_string())
        ));
    }
    if let Some(c) = &args.config {
        o.push(format!(
            "--config {}",
            crate::cli::common::shell_quote(&c.display().to_string())
        ));
    }
    if args.entra_dialect != EntraDialectArg::Default {
        o.push("--entra-dialect aadoptscim062020".into());
    }
    if args.no_load {
        o.push("--no-load".into());
    }
    o
}

/// Ready for every programme: passed; one not ready: failed; otherwise (interrupted, a
/// blocking test without a verdict): incomplete.
fn verdict(report: &RunReport) -> Verdict {
    if report.status == RunStatus::Interrupted {
        return Verdict::Incomplete;
    }
    if report
        .readiness
        .iter()
        .any(|r| r.state == ReadyState::NotReady)
    {
        Verdict::Failed
    } else if report
        .readiness
        .iter()
        .all(|r| r.state == ReadyState::Ready)
    {
        Verdict::Passed
    } else {
        Verdict::Incomplete
    }
}

/// The summary: per programme its readiness line, then the tests that failed or warned first
/// (one line each, fitted to [`WIDTH`]), the passed, skipped and unknown ones counted (listed
/// with `--verbose`); then the reports.
fn print_summary(r: &RunReport, dir: &std::path::Path, config: Option<&ConfigFile>) {
    let console = console::current();
    let head = format!(
        "scimtest certify against {}{} in {:.1} s",
        r.target,
        if r.embedded_target {
            " (embedded provider)"
        } else {
            ""
        },
        r.duration_ms / 1000.0
    );
    for l in wrap(&head, WIDTH, "", 2) {
        say!("{}", console.paint(Style::Bold, &l));
    }
    if let Some(c) = config {
        for l in wrap(&c.describe(), WIDTH, "configuration: ", 4) {
            say!("{}", console.paint(Style::Dim, &l));
        }
    }
    if !r.status.is_complete() {
        say!(
            "{}",
            console.paint(
                Style::Warn,
                &format!(
                    "INCOMPLETE ({}): no readiness is claimed",
                    r.status.as_str()
                )
            )
        );
    }
    for p in &r.readiness {
        let [pass, fail, warn, skip, unknown] = p.tally();
        say!();
        let style = if p.state == ReadyState::Ready {
            Style::Pass
        } else {
            Style::Fail
        };
        for l in wrap(&p.summary_line(), WIDTH, "", 2) {
            say!("{}", console.paint(style, &l));
        }
        say!(
            "{}",
            console.paint(
                Style::Dim,
                &format!(
                    "  {pass} passed, {fail} failed, {warn} warnings, {skip} skipped, {unknown} unknown"
                )
            )
        );
        let order = [
            TestVerdict::Fail,
            TestVerdict::Warning,
            TestVerdict::Unknown,
            TestVerdict::Skipped,
            TestVerdict::Pass,
        ];
        for v in order {
            let listed = matches!(v, TestVerdict::Fail | TestVerdict::Warning) || console.verbose();
            if !listed {
                continue;
            }
            let (mark, style) = match v {
                TestVerdict::Pass => ("PASSED ", Style::Pass),
                TestVerdict::Fail => ("FAILED ", Style::Fail),
                TestVerdict::Warning => ("WARNING", Style::Warn),
                TestVerdict::Skipped => ("SKIPPED", Style::Dim),
                TestVerdict::Unknown => ("UNKNOWN", Style::Dim),
            };
            for t in p.tests.iter().filter(|t| t.verdict == v) {
                let first = format!("  {mark} {:<36} {:<9} ", t.name, t.category.as_str());
                let room = WIDTH.saturating_sub(display_width(&first)).max(1);
                let why = fit(first_line(&t.reason), room);
                let rest = first.get(2 + mark.len()..).unwrap_or_default();
                say!("  {}{rest}{why}", console.paint(style, mark));
            }
        }
        for b in &p.blockers {
            for l in wrap(first_line(b), WIDTH, "  blocks: ", 4) {
                say!("{l}");
            }
        }
        if let Some(m) = p.mapping.as_ref().filter(|_| !console.quiet()) {
            let m = crate::text::truncate(m, 200);
            for l in wrap(&m, WIDTH, "  mapping: ", 4) {
                say!("{}", console.paint(Style::Dim, &l));
            }
        }
    }
    if !console.quiet() {
        say!();
        say!(
            "{}",
            console.paint(
                Style::Dim,
                "This predicts the vendors' reviews from the SCIM traffic; it does not replace them."
            )
        );
    }
    print_cleanup(&r.cleanup);
    let files = [
        format!("reports: {}", dir.display()),
        format!(
            "  html: {}  certificate: {}",
            dir.join("index.html").display(),
            dir.join("certificate.html").display()
        ),
    ];
    for l in files {
        say!("{}", console.paint(Style::Dim, &fit(&l, WIDTH)));
    }
}
