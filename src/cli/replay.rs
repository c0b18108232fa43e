//! `scimtest replay`: pick fixtures (embedded, plus `--fixtures DIR`), replay them against the
//! target (the embedded provider by default), print the IdP × profile matrix, write the usual
//! reports, and exit 1 when a profile would break.

use crate::cli::common::{
    Flow, IdpArg, ReportArgs, TargetArgs, did_you_mean, first_line, parse_duration, print_cleanup,
    shell_quote,
};
use crate::cli::config::{self, Loaded};
use crate::cli::connect::{Connected, connect_with_extensions, preflight};
use crate::cli::console::{self, Console, Style, WIDTH};
use crate::cli::error::{CmdResult, Error, Finished, Verdict};
use crate::cli::outputs::open_outputs;
use crate::client::Namespace;
use crate::replay::fixture::{self, FLOWS, Fixture};
use crate::replay::shape::{self, Shaped};
use crate::replay::{self, Selection, engine::FlowResult};
use crate::report::model::{
    FORMAT_VERSION, Outcome, ProfileVerdict, RunReport, RunStatus, Severity,
};
use crate::say;
use crate::text::{display_width, fit, wrap};
use anyhow::Context;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Arguments of `scimtest replay`.
#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// The target.
    #[command(flatten)]
    pub target: TargetArgs,
    /// Per-request timeout (e.g. 10s, 500ms).
    #[arg(long, default_value = "10s", value_parser = parse_duration, value_name = "DURATION")]
    pub timeout: Duration,
    /// Replay this IdP's profiles: entra, okta, onelogin, or all (repeatable; default all).
    #[arg(long, value_enum, value_name = "IDP")]
    pub idp: Vec<IdpArg>,
    /// Replay only this profile (repeatable), e.g. default, aiw; the profiles are those of the
    /// fixtures (see --list).
    #[arg(long, value_name = "PROFILE")]
    pub profile: Vec<String>,
    /// Replay only this flow (repeatable): connection, user-lifecycle, group-lifecycle, full-sync.
    #[arg(long, value_enum, value_name = "FLOW")]
    pub flow: Vec<Flow>,
    /// Also load fixtures from this directory (recursively); one with the same
    /// idp/profile/flow replaces the embedded one.
    #[arg(long, value_name = "DIR")]
    pub fixtures: Option<PathBuf>,
    /// List the selected fixtures instead of replaying them.
    #[arg(long)]
    pub list: bool,
    /// Flows replayed at once (steps within a flow always run in order).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64), value_name = "N")]
    pub concurrency: u16,
    /// A provisioning configuration (docs/provisioning.md): replay as your customers set the
    /// IdP up. Flows and steps it excludes are "not configured", existence checks use its
    /// matching attribute, creates and updates carry its mapped attributes; mapped attributes
    /// the target does not declare stop the run before anything is sent (examples/ has three)
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The reports.
    #[command(flatten)]
    pub reports: ReportArgs,
    /// The run id (`scimtest run` hands its own down, so every part shares it); a new one
    /// when None. Not a flag.
    #[arg(skip)]
    pub run_id: Option<String>,
}

impl ReplayArgs {
    /// The arguments of `scimtest replay --report-dir DIR` against `target` (clap's defaults
    /// otherwise: every profile): the second part of `scimtest run`.
    pub fn new(target: TargetArgs, report_dir: PathBuf) -> ReplayArgs {
        ReplayArgs {
            target,
            timeout: Duration::from_secs(10),
            idp: Vec::new(),
            profile: Vec::new(),
            flow: Vec::new(),
            fixtures: None,
            list: false,
            concurrency: 4,
            config: None,
            reports: ReportArgs {
                report_dir: Some(report_dir),
                ..ReportArgs::default()
            },
            run_id: None,
        }
    }
}

/// Run `scimtest replay`: list the selected fixtures, or replay them (see [`execute`]).
pub async fn run(args: ReplayArgs) -> CmdResult {
    if args.list {
        let config = args.config.as_deref().map(config::load).transpose()?;
        print!("{}", listing(&fixtures(&args, config.as_ref())?));
        return Ok(Verdict::Passed);
    }
    execute(&args).await.map(|f| f.verdict)
}

/// The fixtures `args` selects, embedded plus `--fixtures DIR`: a fixture that does not load is
/// a harness error; an IdP, profile or flow no fixture has is a usage error (with a
/// did-you-mean for a profile, the one name that is not a fixed set).
fn fixtures(args: &ReplayArgs, config: Option<&Loaded>) -> Result<Vec<Fixture>, Error> {
    let mut all = fixture::embedded().context("an embedded fixture is broken")?;
    if let Some(d) = &args.fixtures {
        all.extend(fixture::load_dir(d).map_err(anyhow::Error::from)?);
    }
    let mut idps: Vec<String> = args
        .idp
        .iter()
        .filter_map(|i| i.idp())
        .map(|i| i.as_str().to_string())
        .collect();
    // A configuration is one IdP's setup: it selects that IdP's profiles, and contradicts
    // an --idp that names others.
    if let Some((idp, c)) = config.and_then(|c| c.config.idp.as_ref().map(|i| (i, c))) {
        if idps.is_empty() {
            idps.push(idp.clone());
        } else if !idps.contains(idp) {
            return Err(Error::usage(format!(
                "--idp {} but {} is the configuration of {idp}",
                idps.join(", "),
                c.info.path
            ))
            .with_hint(format!("leave out --idp, or add --idp {idp}")));
        } else {
            idps.retain(|i| i == idp);
        }
    }
    let sel = Selection {
        idps,
        profiles: args.profile.clone(),
        flows: args.flow.iter().map(|f| f.as_str().to_string()).collect(),
    };
    let profiles: std::collections::BTreeSet<&str> =
        all.iter().map(|f| f.profile.as_str()).collect();
    let suggestion = args
        .profile
        .iter()
        .find(|p| !profiles.contains(p.as_str()))
        .and_then(|p| did_you_mean(p, profiles.iter().copied()))
        .map(str::to_string);
    sel.apply(all).map_err(|e| match suggestion {
        Some(s) => Error::usage(e).with_hint(format!("did you mean {s:?}?")),
        None => Error::usage(e),
    })
}

/// Replay the selected fixtures against the target (the embedded provider without
/// `--target`), write the reports and print the matrix: `scimtest replay`, and the second part
/// of `scimtest run`.
pub async fn execute(args: &ReplayArgs) -> Result<Finished, Error> {
    let config = args.config.as_deref().map(config::load).transpose()?;
    let fixtures = fixtures(args, config.as_ref())?;
    // Shaped by the configuration: what it excludes is not replayed, and says why.
    let (fixtures, not_configured) = match &config {
        None => (fixtures, Vec::new()),
        Some(c) => shape_all(fixtures, &c.config),
    };
    let ns = args
        .run_id
        .as_deref()
        .map_or_else(Namespace::new, Namespace::with_run_id);
    let run_id = ns.run_id().to_string();
    let (mut outputs, dir) = open_outputs(&args.reports, &run_id)?;
    let Connected {
        client,
        embedded,
        shown_target,
        ..
    } = connect_with_extensions(
        &args.target,
        args.timeout,
        &[],
        &config
            .as_ref()
            .map(|c| config::embedded_extensions(&c.config))
            .unwrap_or_default(),
    )
    .await?;
    // A target that does not answer, refuses the credentials or is not a SCIM base URL is a
    // harness problem (exit 3), not an IdP verdict.
    let mut ready = preflight(&client, None).await;
    // The mapping names only attributes the target declares: checked before anything is sent.
    if let (Ok(()), Some(c)) = (&ready, &config) {
        ready = config::check_declared(&client, c).await;
    }
    if let Err(e) = ready {
        if let Some(h) = embedded {
            h.shutdown().await;
        }
        return Err(e);
    }
    let console = console::current();
    if console.progress() {
        eprintln!(
            "scimtest replay: {} flows of {} profiles against {shown_target} (run {run_id})",
            fixtures.len(),
            count_profiles(&fixtures)
        );
        if let Some(c) = &config {
            eprintln!(
                "{}",
                fit(
                    &format!(
                        "configuration {}: {}",
                        c.info.path,
                        c.info.summary.join("; ")
                    ),
                    WIDTH
                )
            );
        }
    }
    // Live lines: every flow with --verbose, the ones that break otherwise (each fitted to the
    // width; the matrix says the rest), nothing with -q.
    let on_done = |f: &FlowResult| {
        if !console.progress() || (f.outcome == Outcome::Pass && !console.verbose()) {
            return;
        }
        let tag = match f.outcome {
            _ if f.destroys_data_at.is_some() => "DESTROY",
            Outcome::Pass => "ok",
            Outcome::Fail => "BREAK",
            Outcome::Error => "ERROR",
            Outcome::Skip => "skip",
        };
        let detail = f
            .destroys_data_at
            .as_ref()
            .or(f.break_at.as_ref())
            .map(|b| format!("  step {} ({}): {}", b.step, b.name, first_line(&b.got)))
            .unwrap_or_default();
        let line = format!("{tag:<5} {}{detail}", f.key);
        eprintln!("{}", fit(&line, WIDTH));
    };
    let started = Instant::now();
    let started_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let token_source = client.oauth().cloned();
    let mut out = replay::run(
        client,
        ns,
        fixtures,
        usize::from(args.concurrency),
        &on_done,
    )
    .await;
    if !not_configured.is_empty() {
        out.flows.extend(not_configured);
        let pos = |f: &FlowResult| FLOWS.iter().position(|x| *x == f.flow);
        out.flows
            .sort_by(|a, b| (&a.idp, &a.profile, pos(a)).cmp(&(&b.idp, &b.profile, pos(b))));
    }
    let mut profiles = replay::profile_verdicts(&out.flows);
    if config.is_some() {
        for p in profiles
            .iter_mut()
            .filter(|p| p.verdict == "would provision")
        {
            p.verdict = "would provision with this configuration".into();
        }
    }
    if let Some(h) = embedded {
        h.shutdown().await;
    }
    if let Some(src) = &token_source {
        eprintln!("{}", src.summary());
    }
    let mut report = RunReport {
        format_version: FORMAT_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        command: "replay".into(),
        run_id,
        target: shown_target,
        embedded_target: args.target.is_embedded(),
        started_at,
        duration_ms: started.elapsed().as_secs_f64() * 1000.0,
        counts: Default::default(),
        by_level: Default::default(),
        by_area: Default::default(),
        cleanup: out.cleanup.clone(),
        checks: out.flows.iter().map(replay::flow_report).collect(),
        profiles,
        catalogue_version: None,
        status: if out.interrupted {
            RunStatus::Interrupted
        } else {
            RunStatus::Complete
        },
        exit_code: None,
        gating: Vec::new(),
        options: replay_options(args),
        readiness: Vec::new(),
        load: None,
        configuration: config.as_ref().map(|c| c.info.clone()),
    };
    report.recount();
    let verdict = if out.interrupted {
        Verdict::Incomplete
    } else {
        verdict(&report)
    };
    report.exit_code = Some(verdict.exit_code());
    outputs.write(&report)?;
    if out.interrupted {
        say!("INCOMPLETE (interrupted): flows that did not finish have no verdict");
    }
    for line in matrix(&report.profiles).lines() {
        say!("{line}");
    }
    print_configuration(&report);
    print_totals(&report);
    print_cleanup(&report.cleanup);
    crate::cli::check::print_reports_line(&dir);
    if out.interrupted {
        eprintln!("interrupted: remaining steps were not run; created resources were cleaned up");
    }
    Ok(Finished { report, verdict })
}

/// Shape every selected fixture by the configuration: the flows to replay, and the results of
/// those it excludes.
fn shape_all(
    fixtures: Vec<Fixture>,
    config: &crate::scim::provisioning::ProvisioningConfig,
) -> (Vec<Fixture>, Vec<FlowResult>) {
    let mut run = Vec::new();
    let mut skipped = Vec::new();
    for fx in fixtures {
        match shape::shape(&fx, config) {
            Shaped::Flow(f) => run.push(*f),
            Shaped::NotConfigured(why) => skipped.push(replay::not_configured(&fx, &why)),
        }
    }
    (run, skipped)
}

/// Under `--config`: the configuration judged, and per profile what it left out.
fn print_configuration(r: &RunReport) {
    let Some(c) = &r.configuration else {
        return;
    };
    let console = console::current();
    say!();
    let head = format!(
        "configuration {} (sha256 {}…)",
        c.path,
        c.sha256.get(..12).unwrap_or("")
    );
    say!("{}", console.paint(Style::Bold, &head));
    for l in &c.summary {
        for w in wrap(l, WIDTH, "  ", 4) {
            say!("{w}");
        }
    }
    if console.quiet() {
        return;
    }
    for p in &r.profiles {
        let whole: Vec<String> = p
            .flows
            .iter()
            .filter_map(|f| {
                f.not_configured
                    .as_ref()
                    .map(|w| format!("{} ({w})", f.flow))
            })
            .collect();
        let steps: usize = p.flows.iter().map(|f| f.left_out.len()).sum();
        if whole.is_empty() && steps == 0 {
            continue;
        }
        let mut text = String::new();
        if !whole.is_empty() {
            text.push_str(&format!("not configured: {}", whole.join(", ")));
        }
        if steps > 0 {
            if !text.is_empty() {
                text.push_str("; ");
            }
            let mut why: Vec<&str> = p
                .flows
                .iter()
                .flat_map(|f| f.left_out.iter().map(|l| l.why.as_str()))
                .collect();
            why.sort_unstable();
            why.dedup();
            text.push_str(&format!("{steps} steps left out ({})", why.join("; ")));
        }
        let head = format!("  {}/{}: ", p.idp, p.profile);
        let lines = if console.verbose() {
            wrap(&text, WIDTH, &head, 6)
        } else {
            vec![fit(&format!("{head}{text}"), WIDTH).into_owned()]
        };
        for l in lines {
            say!("{}", console.paint(Style::Dim, &l));
        }
    }
}

/// `scimtest replay: N of M profiles would provision in S s against URL`, wrapped to the width.
fn print_totals(r: &RunReport) {
    let console = console::current();
    let replayed = r.profiles.iter().filter(|p| p.replayed()).count();
    let ok = r
        .profiles
        .iter()
        .filter(|p| p.replayed() && p.would_provision)
        .count();
    let skipped = r.profiles.len() - replayed;
    let text = format!(
        "{ok} of {replayed} IdP profiles would provision ({} flows{}) in {:.2} s against {}{}",
        r.checks.len(),
        if skipped > 0 {
            format!(
                "; {skipped} {} not configured",
                if skipped == 1 { "profile" } else { "profiles" }
            )
        } else {
            String::new()
        },
        r.duration_ms / 1000.0,
        r.target,
        if r.embedded_target {
            " (embedded provider)"
        } else {
            ""
        }
    );
    let head = "scimtest replay: ";
    for (i, l) in wrap(&text, WIDTH, head, 2).into_iter().enumerate() {
        if i == 0 {
            let rest = l.get(head.len()..).unwrap_or_default();
            say!("{} {rest}", console.paint(Style::Bold, head.trim_end()));
        } else {
            say!("{l}");
        }
    }
}

/// The options of a `replay` that shaped it, as they would be typed again.
fn replay_options(args: &ReplayArgs) -> Vec<String> {
    let mut o = args.target.auth_options();
    let idps = args.idp.iter().map(|i| i.as_str());
    let flows = args.flow.iter().map(|f| f.as_str());
    let values: [(&str, Vec<&str>); 3] = [
        ("--idp", idps.collect()),
        (
            "--profile",
            args.profile.iter().map(String::as_str).collect(),
        ),
        ("--flow", flows.collect()),
    ];
    for (flag, values) in values {
        for v in values {
            o.push(format!("{flag} {}", shell_quote(v)));
        }
    }
    if let Some(d) = &args.fixtures {
        o.push(format!(
            "--fixtures {}",
            shell_quote(&d.display().to_string())
        ));
    }
    if let Some(c) = &args.config {
        o.push(format!(
            "--config {}",
            shell_quote(&c.display().to_string())
        ));
    }
    o
}

fn count_profiles(f: &[Fixture]) -> usize {
    let set: std::collections::BTreeSet<(&str, &str)> = f
        .iter()
        .map(|x| (x.idp.as_str(), x.profile.as_str()))
        .collect();
    set.len()
}

/// `replay --list`: each profile with its product, where its traffic comes from and how
/// faithful it is, how it retries, then its flows (steps, synthetic steps) and the flows that
/// IdP does not have.
fn listing(fixtures: &[Fixture]) -> String {
    let mut out = String::new();
    let mut seen = std::collections::BTreeSet::new();
    for f in fixtures {
        if !seen.insert((f.idp.as_str(), f.profile.as_str())) {
            continue;
        }
        let key = format!("{}/{}", f.idp, f.profile);
        match f.manifest.as_deref() {
            Some(m) => {
                out.push_str(&format!("{key}: {} — {}\n", m.product, m.dialect));
                out.push_str(&format!(
                    "  traffic from: {} ({})\n",
                    m.source.reference, m.faithfulness
                ));
                out.push_str(&format!("  faithfulness: {}\n", m.summary));
                match &m.retry {
                    Some(r) => out.push_str(&format!(
                        "  retries: {} up to {} tries{}; {}\n",
                        r.statuses
                            .iter()
                            .map(u16::to_string)
                            .collect::<Vec<_>>()
                            .join("/"),
                        r.attempts,
                        if r.retry_after {
                            ", waits as Retry-After says"
                        } else {
                            ""
                        },
                        r.note
                    )),
                    None => out
                        .push_str("  retries: none documented (a failed request fails the step)\n"),
                }
            }
            None => out.push_str(&format!("{key}: (no profile.json)\n")),
        }
        for x in fixtures
            .iter()
            .filter(|x| x.idp == f.idp && x.profile == f.profile)
        {
            let synthetic = x.steps.iter().filter(|s| s.synthetic).count();
            out.push_str(&format!(
                "  {:<16} {:>3} steps ({synthetic} synthetic)  {}\n",
                x.flow,
                x.steps.len(),
                x.title
            ));
        }
        if let Some(m) = f.manifest.as_deref() {
            for flow in FLOWS {
                if let Some(why) = m.absent(flow) {
                    out.push_str(&format!("  {flow:<16} not applicable: {why}\n"));
                }
            }
        }
    }
    out
}

/// Failed when any replayed profile would break, passed otherwise.
pub fn verdict(report: &RunReport) -> Verdict {
    if report.profiles.iter().all(|p| p.would_provision) {
        Verdict::Passed
    } else {
        Verdict::Failed
    }
}

/// The IdP × profile matrix, within [`WIDTH`] columns: one row per profile (`idp/profile`),
/// one column per flow (`n/a` for a flow that IdP does not have), then the verdict; then which
/// product each row is, and why each failing profile fails, wrapped with a hanging indent.
/// Coloured when the console says so.
pub fn matrix(profiles: &[ProfileVerdict]) -> String {
    matrix_with(profiles, &console::current())
}

fn matrix_with(profiles: &[ProfileVerdict], console: &Console) -> String {
    const HEAD: [&str; 4] = ["connection", "users", "groups", "full-sync"];
    const CELL: usize = 11;
    const VERDICT: usize = 18; // "WOULD DESTROY DATA"
    let name = |p: &ProfileVerdict| format!("{}/{}", p.idp, p.profile);
    let widest = profiles
        .iter()
        .map(|p| display_width(&name(p)))
        .max()
        .unwrap_or(0);
    let room = WIDTH - HEAD.len() * (CELL + 1) - (VERDICT + 1);
    let pw = widest.clamp("profile".len(), room);
    let cell = |text: &str, style: Option<Style>, w: usize| {
        let shown = fit(text, w);
        let pad = " ".repeat(w.saturating_sub(display_width(&shown)));
        match style {
            Some(st) => format!("{}{pad}", console.paint(st, &shown)),
            None => format!("{shown}{pad}"),
        }
    };
    let mut out = console.paint(Style::Bold, "profile").into_owned();
    out.push_str(&" ".repeat(pw - "profile".len()));
    for h in HEAD {
        out.push(' ');
        out.push_str(&console.paint(Style::Bold, &format!("{h:<CELL$}")));
    }
    out.push(' ');
    out.push_str(&console.paint(Style::Bold, "verdict"));
    out.push('\n');
    for p in profiles {
        let mut row = cell(&name(p), None, pw);
        for f in FLOWS {
            let absent = p
                .about
                .iter()
                .flat_map(|a| &a.not_applicable)
                .any(|n| n.flow == f);
            let (text, style) = match p.flows.iter().find(|x| x.flow == f) {
                None if absent => ("n/a".to_string(), Style::Dim),
                None => ("-".to_string(), Style::Dim),
                Some(x) if x.not_configured.is_some() => ("not cfg".to_string(), Style::Dim),
                Some(x) => match (x.outcome, &x.break_at) {
                    _ if x.destroys_data_at.is_some() => (
                        format!(
                            "destroy @{}",
                            x.destroys_data_at.as_ref().map_or(0, |d| d.step)
                        ),
                        Style::Fail,
                    ),
                    (Outcome::Pass, _) => ("ok".to_string(), Style::Pass),
                    (o, Some(b)) => (format!("{} @{}", o.as_str(), b.step), Style::Fail),
                    (o, None) => (o.as_str().to_string(), Style::Fail),
                },
            };
            row.push(' ');
            row.push_str(&cell(&text, Some(style), CELL));
        }
        let (verdict, style) = if p.flows.iter().all(|x| x.not_configured.is_some()) {
            ("NOT CONFIGURED", Style::Dim)
        } else if p.would_provision {
            ("WOULD PROVISION", Style::Pass)
        } else if p.severity == Some(Severity::Destructive) {
            ("WOULD DESTROY DATA", Style::Fail)
        } else {
            ("WOULD BREAK", Style::Fail)
        };
        row.push(' ');
        row.push_str(&console.paint(style, verdict));
        out.push_str(row.trim_end());
        out.push('\n');
    }
    let labelled: Vec<&ProfileVerdict> = profiles.iter().filter(|p| p.about.is_some()).collect();
    if !labelled.is_empty() && !console.quiet() {
        out.push('\n');
        for p in labelled {
            if let Some(a) = &p.about {
                // One line each (the whole text with --verbose, wrapped).
                let first = format!("{} ", cell(&name(p), None, pw));
                let text = format!("{} [traffic: {}]", a.label(), a.faithfulness);
                let lines = if console.verbose() {
                    wrap(&text, WIDTH, &first, pw + 3)
                } else {
                    vec![format!("{first}{}", fit(&text, WIDTH - pw - 1))]
                };
                for l in lines {
                    out.push_str(&console.paint(Style::Dim, &l));
                    out.push('\n');
                }
            }
        }
    }
    // Profiles come destructive first (`replay::profile_verdicts`).
    for p in profiles.iter().filter(|p| !p.would_provision) {
        out.push('\n');
        let head = format!("{}: ", name(p));
        for (i, l) in wrap(&p.verdict, WIDTH, &head, 2).into_iter().enumerate() {
            if i == 0 {
                let rest = l.get(head.len()..).unwrap_or_default();
                out.push_str(&console.paint(Style::Fail, head.trim_end()));
                out.push(' ');
                out.push_str(rest);
            } else {
                out.push_str(&l);
            }
            out.push('\n');
        }
        let destroyed = p.flows.iter().find_map(|f| f.destroys_data_at.as_ref());
        if let Some(b) = destroyed.or_else(|| p.flows.iter().find_map(|f| f.break_at.as_ref())) {
            for l in wrap(&b.why, WIDTH, "  why: ", 7) {
                out.push_str(&l);
                out.push('\n');
            }
        }
    }
    out
}
