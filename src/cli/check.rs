//! `scimtest check`: parse the options, list or select checks, open the report files, spawn the
//! embedded provider when no target is given, run, write the reports, print the summary, and
//! map the result to an exit code.

use crate::client::{Client, Namespace, Redactor, TargetConfig};
use crate::conformance::runner::{self, RunOptions, Selection};
use crate::exit_codes;
use crate::provider::{self, ProviderConfig};
use crate::report::model::{CheckReport, FORMAT_VERSION, Level, Outcome, RunReport, RunStatus};
use anyhow::Context;
use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
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

/// A level `--fail-on` can make gating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GateArg {
    /// MUST failures.
    Must,
    /// SHOULD failures.
    Should,
    /// MAY failures.
    May,
    /// Interoperability advice (no RFC keyword).
    Advice,
    /// IdP dialect failures (what replay would call "would break").
    Dialect,
}

impl GateArg {
    /// The report level.
    pub fn level(self) -> Level {
        match self {
            GateArg::Must => Level::Must,
            GateArg::Should => Level::Should,
            GateArg::May => Level::May,
            GateArg::Advice => Level::Advice,
            GateArg::Dialect => Level::Dialect,
        }
    }
}

/// The gating levels of `--fail-on` (default MUST and dialect) plus SHOULD with `--strict`, in
/// level order.
pub fn gating(fail_on: &[GateArg], strict: bool) -> Vec<Level> {
    let mut levels: BTreeSet<Level> = if fail_on.is_empty() {
        [Level::Must, Level::Dialect].into_iter().collect()
    } else {
        fail_on.iter().map(|g| g.level()).collect()
    };
    if strict {
        levels.insert(Level::Should);
    }
    levels.into_iter().collect()
}

/// `MUST, dialect` for the summary.
pub fn gating_label(levels: &[Level]) -> String {
    levels
        .iter()
        .map(|l| match l {
            Level::Must | Level::Should | Level::May => l.as_str().to_uppercase(),
            _ => l.as_str().to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Quote a value for a shell command line when it needs it.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:=,@+%".contains(&b))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
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

/// `--header 'Name: value'`.
#[derive(Debug, Clone)]
pub struct HeaderArg {
    /// Header name.
    pub name: String,
    /// Header value (a secret: redacted everywhere).
    pub value: String,
}

impl std::str::FromStr for HeaderArg {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (n, v) = s.split_once(':').ok_or("expected 'Name: value'")?;
        let name = n.trim();
        if name.is_empty()
            || !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b))
        {
            return Err(format!("{name:?} is not a header name"));
        }
        Ok(HeaderArg {
            name: name.to_string(),
            value: v.trim().to_string(),
        })
    }
}

/// `10s`, `500ms`, `2m`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (num, unit) = s
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .map(|i| s.split_at(i))
        .unwrap_or((s, "s"));
    let n: f64 = num
        .parse()
        .map_err(|_| format!("{s:?} is not a duration (e.g. 10s, 500ms, 2m)"))?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" | "" => n,
        "m" => n * 60.0,
        _ => return Err(format!("unknown unit {unit:?} in {s:?} (use ms, s or m)")),
    };
    if !(secs > 0.0 && secs < 86_400.0) {
        return Err(format!("{s:?} is out of range"));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// `--target`: an absolute http(s) URL with a host (anything else is a usage error, exit 2).
pub fn parse_target_url(s: &str) -> Result<String, String> {
    let t = s.trim();
    let url = reqwest::Url::parse(t).map_err(|e| {
        format!("{t:?} is not a URL ({e}); expected the SCIM base URL, e.g. https://app.example.com/scim/v2")
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err(format!(
            "{t:?} is not an http(s) URL; expected the SCIM base URL, e.g. https://app.example.com/scim/v2"
        ));
    }
    Ok(t.to_string())
}

/// Where the target is and how to reach it (shared by `check` and `replay`).
#[derive(Debug, Clone, clap::Args)]
pub struct TargetArgs {
    /// Base URL of the SCIM service (e.g. https://app.example.com/scim/v2). Without it, the
    /// embedded reference provider is started on 127.0.0.1 and used.
    #[arg(long, value_name = "URL", value_parser = parse_target_url)]
    pub target: Option<String>,
    /// Bearer token for the target (also read from SCIMTEST_TOKEN).
    #[arg(long, env = "SCIMTEST_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Extra header sent with every request, e.g. 'X-Api-Key: …' (repeatable; values are
    /// treated as secrets and redacted from every report).
    #[arg(long = "header", value_name = "'NAME: VALUE'")]
    pub headers: Vec<HeaderArg>,
    /// Per-request timeout (e.g. 10s, 500ms).
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub timeout: Duration,
    /// Internal (`scimtest run`): `--target` is the embedded provider that `run` started in
    /// this process, so reports say so.
    #[arg(long, hide = true)]
    pub embedded_target: bool,
}

/// Where reports go (shared by `check` and `replay`).
#[derive(Debug, Clone, clap::Args)]
pub struct ReportArgs {
    /// Directory for report.json, junit.xml and report.md (default: reports/<run-id>/).
    #[arg(long, value_name = "DIR")]
    pub report_dir: Option<PathBuf>,
    /// Also write the JSON report here.
    #[arg(long, value_name = "FILE")]
    pub report_json: Option<PathBuf>,
    /// Also write the JUnit XML report here.
    #[arg(long, value_name = "FILE")]
    pub report_junit: Option<PathBuf>,
    /// Also write the Markdown report here.
    #[arg(long, value_name = "FILE")]
    pub report_md: Option<PathBuf>,
    /// Also write the HTML report (a self-contained `index.html`) into this directory; the
    /// report directory always gets one.
    #[arg(long, value_name = "DIR")]
    pub report_html: Option<PathBuf>,
    /// Write a one-page compatibility certificate here: Markdown when FILE ends in `.md`, HTML
    /// otherwise (repeatable, e.g. `--report-cert cert.html --report-cert cert.md`).
    #[arg(long, value_name = "FILE")]
    pub report_cert: Vec<PathBuf>,
}

/// Arguments of `scimtest check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The target.
    #[command(flatten)]
    pub target: TargetArgs,
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
    /// Format of --list.
    #[arg(long, value_enum, default_value = "text")]
    pub format: ListFormat,
    /// Checks in flight at once.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
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
    #[arg(long, env = "SCIMTEST_SECOND_TOKEN", hide_env_values = true)]
    pub second_token: Option<String>,
}

/// A report writer (`report::json::write`, ...).
type Writer = fn(&RunReport, &mut dyn Write) -> std::io::Result<()>;

/// The report files of a run, opened before it starts (a bad path fails early).
pub struct Outputs {
    files: Vec<(PathBuf, std::fs::File, Writer)>,
    /// Directories that get the HTML site (`index.html`).
    html_dirs: Vec<PathBuf>,
    /// Certificate files.
    certs: Vec<PathBuf>,
    /// A previous report the HTML shows the changes against.
    baseline: Option<RunReport>,
    /// Files created empty when the outputs were opened (to fail early on a bad path).
    created: Vec<PathBuf>,
    /// Whether a report was written.
    written: bool,
}

impl Drop for Outputs {
    /// A run that ends before its report (the target unreachable at discovery, a bad scenario)
    /// leaves no empty report files behind for a CI step to choke on.
    fn drop(&mut self) {
        if self.written {
            return;
        }
        for p in &self.created {
            if std::fs::metadata(p).is_ok_and(|m| m.len() == 0) {
                let _ = std::fs::remove_file(p);
            }
        }
    }
}

impl Outputs {
    /// Write `report` to every file.
    pub fn write(&mut self, report: &RunReport) -> anyhow::Result<()> {
        for (path, file, write) in &mut self.files {
            let mut w = std::io::BufWriter::new(file);
            write(report, &mut w).with_context(|| format!("failed to write {}", path.display()))?;
            w.flush()
                .with_context(|| format!("failed to write {}", path.display()))?;
        }
        let reports = std::slice::from_ref(report);
        for dir in &self.html_dirs {
            crate::report::html::write_site(dir, reports, self.baseline.as_ref())?;
        }
        for path in &self.certs {
            crate::report::html::write_certificate(path, reports)?;
        }
        self.written = true;
        Ok(())
    }

    /// Show the HTML's changes against this earlier report.
    pub fn set_baseline(&mut self, baseline: RunReport) {
        self.baseline = Some(baseline);
    }
}

fn open(path: &PathBuf) -> anyhow::Result<std::fs::File> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("failed to create {}", dir.display()))?;
    }
    std::fs::File::create(path).with_context(|| format!("failed to create {}", path.display()))
}

/// Fail now, not after the run, when `path` cannot be written (the file is created empty and
/// rewritten at the end).
fn probe_writable(path: &PathBuf) -> anyhow::Result<()> {
    open(path).map(drop)
}

/// Open `report.json`, `junit.xml` and `report.md` in the report directory, plus the extra
/// files; the report directory and `--report-html` get `index.html`, `--report-cert` files the
/// certificate.
pub fn open_outputs(args: &ReportArgs, run_id: &str) -> anyhow::Result<(Outputs, PathBuf)> {
    let dir = args
        .report_dir
        .clone()
        .unwrap_or_else(|| PathBuf::from("reports").join(run_id));
    let mut files: Vec<(PathBuf, std::fs::File, Writer)> = Vec::new();
    let mut add = |p: PathBuf, w: Writer| -> anyhow::Result<()> {
        let f = open(&p)?;
        files.push((p, f, w));
        Ok(())
    };
    add(dir.join("report.json"), crate::report::json::write)?;
    add(dir.join("junit.xml"), crate::report::junit::write)?;
    add(dir.join("report.md"), crate::report::markdown::write)?;
    if let Some(p) = &args.report_json {
        add(p.clone(), crate::report::json::write)?;
    }
    if let Some(p) = &args.report_junit {
        add(p.clone(), crate::report::junit::write)?;
    }
    if let Some(p) = &args.report_md {
        add(p.clone(), crate::report::markdown::write)?;
    }
    let mut html_dirs = vec![dir.clone()];
    if let Some(d) = &args.report_html {
        std::fs::create_dir_all(d).with_context(|| format!("failed to create {}", d.display()))?;
        probe_writable(&d.join("index.html"))?;
        html_dirs.push(d.clone());
    }
    for c in &args.report_cert {
        probe_writable(c)?;
    }
    let mut created: Vec<PathBuf> = files.iter().map(|(p, _, _)| p.clone()).collect();
    created.extend(args.report_cert.iter().cloned());
    if let Some(d) = &args.report_html {
        created.push(d.join("index.html"));
    }
    Ok((
        Outputs {
            files,
            html_dirs,
            certs: args.report_cert.clone(),
            baseline: None,
            created,
            written: false,
        },
        dir,
    ))
}

/// A connected target: the client, the embedded provider when there was no `--target`, and
/// the base URL as shown in reports (secrets redacted).
pub struct Connected {
    /// The client.
    pub client: Client,
    /// The embedded provider, to shut down after the run.
    pub embedded: Option<provider::ProviderHandle>,
    /// The embedded provider's second tenant's token (it always has two, so the isolation
    /// checks run with no setup).
    pub embedded_second_token: Option<String>,
    /// The base URL for reports.
    pub shown_target: String,
    /// The headers every request carries (Authorization, `--header`s): secrets, for callers
    /// that build their own requests (goose in `load`). Never printed.
    pub auth_headers: Vec<(String, String)>,
}

/// Build the client for `args`, starting the embedded provider when no target is given.
pub async fn connect(args: &TargetArgs) -> anyhow::Result<Connected> {
    connect_with(args, &[]).await
}

/// [`connect`], with more values to redact (a second tenant's token).
pub async fn connect_with(
    args: &TargetArgs,
    extra_secrets: &[String],
) -> anyhow::Result<Connected> {
    let (embedded, base_url, token) = match &args.target {
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
            let (u, t) = (h.base_url.clone(), h.token.clone());
            (Some(h), u, Some(t))
        }
    };
    let embedded_second_token = embedded.as_ref().and_then(|h| h.tokens.get(1).cloned());
    let mut headers = Vec::new();
    let mut secrets: Vec<String> = extra_secrets.to_vec();
    secrets.extend(embedded_second_token.iter().cloned());
    if let Some(t) = &token {
        headers.push(("Authorization".to_string(), format!("Bearer {t}")));
        secrets.push(t.clone());
    }
    for h in &args.headers {
        headers.push((h.name.clone(), h.value.clone()));
        secrets.push(h.value.clone());
    }
    let redactor = Redactor::new(secrets, args.headers.iter().map(|h| h.name.clone()));
    let auth_headers = headers.clone();
    let cfg = TargetConfig {
        base_url,
        headers,
        timeout: args.timeout,
        ..TargetConfig::bearer(String::new(), "")
    };
    let client = Client::new(cfg, redactor.clone())?;
    let shown_target = redactor.text(client.base_url());
    Ok(Connected {
        client,
        embedded,
        embedded_second_token,
        shown_target,
        auth_headers,
    })
}

/// A client for the second tenant: the same target and `--header`s, its own bearer token; its
/// redactor knows both tokens.
fn second_client(
    first: &Client,
    args: &TargetArgs,
    token: &str,
    extra: &[String],
) -> anyhow::Result<Client> {
    let mut secrets: Vec<String> = extra.to_vec();
    secrets.push(token.to_string());
    secrets.extend(args.token.iter().cloned());
    let mut headers = vec![("Authorization".to_string(), format!("Bearer {token}"))];
    for h in &args.headers {
        headers.push((h.name.clone(), h.value.clone()));
        secrets.push(h.value.clone());
    }
    let redactor = Redactor::new(secrets, args.headers.iter().map(|h| h.name.clone()));
    let cfg = TargetConfig {
        base_url: first.base_url().to_string(),
        headers,
        timeout: args.timeout,
        ..TargetConfig::bearer(String::new(), "")
    };
    Ok(Client::new(cfg, redactor)?)
}

/// The preflight (`client::preflight`) of a connected target, and of a second tenant's client:
/// `Err(exit code)` after printing the one line that says what to fix.
pub async fn preflight(client: &Client, second: Option<&Client>) -> Result<(), i32> {
    let mut result = crate::client::preflight::check(client, "--token/--header").await;
    if result.is_ok()
        && let Some(s) = second
    {
        result = crate::client::preflight::credential(s, "--second-token").await;
    }
    result.map_err(|e| {
        eprintln!("error: {e}");
        exit_codes::HARNESS
    })
}

/// Print an error chain on one line and return the harness exit code.
pub fn harness_error(e: &anyhow::Error) -> i32 {
    eprintln!(
        "error: {}",
        e.chain()
            .map(|c| c.to_string())
            .collect::<Vec<_>>()
            .join(": ")
    );
    exit_codes::HARNESS
}

/// Read a saved report.json.
pub fn read_report(path: &std::path::Path) -> anyhow::Result<RunReport> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("failed to read {}", path.display()))?;
    serde_json::from_str(&text)
        .with_context(|| format!("{} is not a scimtest report.json", path.display()))
}

fn failures(report: &RunReport) -> BTreeSet<String> {
    report
        .checks
        .iter()
        .filter(|c| matches!(c.outcome, Outcome::Fail | Outcome::Error))
        .map(|c| c.id.clone())
        .collect()
}

/// Run `scimtest check`; returns the exit code.
pub async fn run(args: CheckArgs) -> i32 {
    match run_inner(args).await {
        Ok(code) => code,
        Err(e) => harness_error(&e),
    }
}

async fn run_inner(args: CheckArgs) -> anyhow::Result<i32> {
    let selection = Selection {
        only: args.only.clone(),
        skip: args.skip.clone(),
        level: args.level.map(|l| match l {
            LevelArg::Must => Level::Must,
            LevelArg::Should => Level::Should,
            LevelArg::May => Level::May,
        }),
    };
    if args.list {
        let format = match args.format {
            ListFormat::Text => crate::report::catalogue::ListFormat::Text,
            ListFormat::Json => crate::report::catalogue::ListFormat::Json,
            ListFormat::Md => crate::report::catalogue::ListFormat::Md,
        };
        return Ok(match crate::catalogue::list(&selection, format) {
            Ok(listing) => {
                print!("{listing}");
                exit_codes::OK
            }
            Err(e) => {
                eprintln!("error: {e}");
                exit_codes::USAGE
            }
        });
    }
    let checks = match runner::select(&selection) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(exit_codes::USAGE);
        }
    };
    if checks.is_empty() {
        eprintln!("nothing to run: the selection matches no check");
        return Ok(exit_codes::NOTHING_RAN);
    }
    if args.target.target.is_some() && args.target.token.is_none() && args.target.headers.is_empty()
    {
        eprintln!("note: no --token or --header given; requests go out unauthenticated");
    }
    let baseline_report = match &args.baseline {
        Some(p) => Some(read_report(p).context("bad --baseline")?),
        None => None,
    };
    let baseline = baseline_report.as_ref().map(failures);
    let ns = Namespace::new();
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
    } = connect_with(&args.target, &extra).await?;
    let second = match args.second_token.clone().or(embedded_second_token) {
        Some(t) => Some(second_client(&client, &args.target, &t, &extra)?),
        None => None,
    };
    if let Err(code) = preflight(&client, second.as_ref()).await {
        if let Some(h) = embedded {
            h.shutdown().await;
        }
        return Ok(code);
    }
    let gates = gating(&args.fail_on, args.strict);

    let tty = std::io::stderr().is_terminal();
    let bar = if tty {
        let b = indicatif::ProgressBar::new(checks.len() as u64);
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {msg}")
        {
            b.set_style(style.progress_chars("=> "));
        }
        Some(b)
    } else {
        eprintln!(
            "scimtest check: {} checks against {shown_target} (run {run_id})",
            checks.len()
        );
        None
    };
    let on_done = |r: &CheckReport| match &bar {
        Some(b) => {
            if matches!(r.outcome, Outcome::Fail | Outcome::Error) {
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
        None => eprintln!("{:<5} {}", r.outcome.as_str(), r.id),
    };
    let started = Instant::now();
    let started_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let opts = RunOptions {
        selection,
        concurrency: usize::from(args.concurrency),
        check_timeout: args.target.timeout * 3,
        second,
    };
    let out = runner::run(client, ns, checks, &opts, &on_done).await;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    if let Some(h) = embedded {
        h.shutdown().await;
    }
    let out = out?;
    let mut report = RunReport {
        format_version: FORMAT_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        command: "check".into(),
        run_id: run_id.clone(),
        target: shown_target,
        embedded_target: args.target.target.is_none() || args.target.embedded_target,
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
        options: check_options(&args),
        load: None,
    };
    report.recount();
    let code = if out.interrupted {
        exit_codes::HARNESS
    } else {
        exit_code(&report, &gates, baseline.as_ref())
    };
    report.exit_code = Some(code);
    outputs.write(&report)?;
    print_summary(&report, &dir, baseline.as_ref());
    if out.interrupted {
        eprintln!("interrupted: remaining checks were not run; created resources were cleaned up");
    }
    Ok(code)
}

/// The options of a `check` that shaped it, as they would be typed again (secrets as
/// variables).
fn check_options(args: &CheckArgs) -> Vec<String> {
    let mut o = Vec::new();
    let embedded = args.target.target.is_none() || args.target.embedded_target;
    for h in &args.target.headers {
        o.push(format!(
            "--header {}",
            shell_quote(&format!("{}: …", h.name))
        ));
    }
    if args.target.timeout != Duration::from_secs(10) {
        o.push(format!("--timeout {}ms", args.target.timeout.as_millis()));
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

/// The cleanup line of a summary: created, removed (read back as gone), left over with ids.
pub fn print_cleanup(c: &crate::report::model::CleanupReport) {
    println!(
        "cleanup: {} created, {} removed (read back as gone), {} left over",
        c.created,
        c.removed,
        c.leftovers.len()
    );
    for l in &c.leftovers {
        println!("  left over: {l}");
    }
}

/// The first line of a text.
pub fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

/// 1 when a check of a gating level (`--fail-on`, see [`gating`]) failed or errored and is not
/// a known baseline failure; 4 when nothing ran; 0 otherwise.
pub fn exit_code(report: &RunReport, gates: &[Level], baseline: Option<&BTreeSet<String>>) -> i32 {
    if report.checks.iter().all(|c| c.outcome == Outcome::Skip) {
        return exit_codes::NOTHING_RAN;
    }
    let failed = report.checks.iter().any(|c| {
        matches!(c.outcome, Outcome::Fail | Outcome::Error)
            && gates.contains(&c.level)
            && !baseline.is_some_and(|b| b.contains(&c.id))
    });
    if failed {
        exit_codes::FAILED
    } else {
        exit_codes::OK
    }
}

fn print_summary(r: &RunReport, dir: &std::path::Path, baseline: Option<&BTreeSet<String>>) {
    let c = &r.counts;
    println!(
        "scimtest check: {} passed, {} failed, {} errors, {} skipped in {:.2} s against {}{}",
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
    if !r.status.is_complete() {
        println!(
            "INCOMPLETE ({}): checks that did not run have no verdict",
            r.status.as_str()
        );
    }
    for (level, n) in &r.by_level {
        println!(
            "  {level:<8} {:>4} pass {:>4} fail {:>4} error {:>4} skip",
            n.pass, n.fail, n.error, n.skip
        );
    }
    println!(
        "  gating: {} (--fail-on; exit 1 when one of these failed or errored)",
        gating_label(&r.gating)
    );
    let areas: Vec<String> = r
        .by_area
        .iter()
        .filter(|(_, n)| n.fail + n.error > 0)
        .map(|(a, n)| format!("{a} {}", n.fail + n.error))
        .collect();
    if !areas.is_empty() {
        println!("  failing by area: {}", areas.join(", "));
    }
    let failing: Vec<&CheckReport> = r
        .checks
        .iter()
        .filter(|c| matches!(c.outcome, Outcome::Fail | Outcome::Error))
        .collect();
    if !failing.is_empty() {
        println!("failures:");
        for f in failing {
            let known = baseline.is_some_and(|b| b.contains(&f.id));
            println!(
                "  {} [{}] {}{}\n      {}",
                f.outcome.as_str().to_uppercase(),
                f.level.as_str().to_uppercase(),
                f.id,
                if known { " (known, in baseline)" } else { "" },
                first_line(&f.reason)
            );
            if let Some(h) = &f.hint {
                println!("      fix: {h}");
            }
        }
    }
    if let Some(b) = baseline {
        let fixed: Vec<&String> = b
            .iter()
            .filter(|id| {
                r.checks
                    .iter()
                    .any(|c| &c.id == *id && c.outcome == Outcome::Pass)
            })
            .collect();
        if !fixed.is_empty() {
            println!(
                "newly passing since the baseline: {}",
                fixed
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    print_cleanup(&r.cleanup);
    println!(
        "reports: {}  (html: {})",
        dir.display(),
        dir.join("index.html").display()
    );
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
            (Level::Dialect, default.clone(), exit_codes::FAILED),
            (Level::Advice, default.clone(), exit_codes::OK),
            (Level::Should, default.clone(), exit_codes::OK),
            (Level::May, default.clone(), exit_codes::OK),
            (Level::Should, gating(&[], true), exit_codes::FAILED),
            (
                Level::Advice,
                gating(&[GateArg::Advice], false),
                exit_codes::FAILED,
            ),
            (
                Level::Dialect,
                gating(&[GateArg::Must], false),
                exit_codes::OK,
            ),
        ] {
            let r = report_with(&[pass, (failing, Outcome::Fail)]);
            assert_eq!(
                exit_code(&r, &gates, None),
                code,
                "{failing:?} with {gates:?}"
            );
            let r = report_with(&[pass, (failing, Outcome::Error)]);
            assert_eq!(exit_code(&r, &gates, None), code, "errors gate too");
        }
        let r = report_with(&[pass, (Level::Dialect, Outcome::Fail)]);
        let known: BTreeSet<String> = ["x.1".to_string()].into_iter().collect();
        assert_eq!(
            exit_code(&r, &default, Some(&known)),
            exit_codes::OK,
            "baseline"
        );
    }

    #[test]
    fn shell_quoting() {
        assert_eq!(shell_quote("patch.*"), "'patch.*'");
        assert_eq!(shell_quote("users.create"), "users.create");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
    }

    #[test]
    fn durations_and_headers_parse() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("3"), Ok(Duration::from_secs(3)));
        assert!(parse_duration("x").is_err());
        assert!(parse_duration("5h").is_err());
        let h: HeaderArg = "X-Api-Key: abc: d"
            .parse()
            .unwrap_or_else(|e: String| panic!("{e}"));
        assert_eq!((h.name.as_str(), h.value.as_str()), ("X-Api-Key", "abc: d"));
        assert!("nocolon".parse::<HeaderArg>().is_err());
    }
}
