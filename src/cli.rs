//! The command line (clap). The only module that uses `anyhow`; nothing below it sees a raw CLI
//! string: addresses, tokens and fault names are parsed into types here.

use crate::provider::{self, Fault, Faults, Limits, OAuthClientSpec, ProviderConfig, TokenSpec};
use clap::{Parser, Subcommand};

pub mod baseline;
pub mod certify;
pub mod check;
pub mod common;
pub mod config_file;
pub mod connect;
pub mod console;
pub mod error;
pub mod load;
pub mod manual;
pub mod outputs;
mod record;
pub mod replay;
mod report;
mod run;
pub use check::CheckArgs;
pub use common::{ReportArgs, TargetArgs, TargetUrl};
pub use error::{CmdResult, Error, ErrorKind, Finished, Verdict};
pub use record::RecordArgs;
pub use replay::ReplayArgs;
pub use run::RunArgs;

/// SCIM 2.0 conformance and load-testing harness.
#[derive(Debug, Parser)]
#[command(
    name = "scimtest",
    version = version_line(),
    propagate_version = true,
    about,
    long_about = None
)]
pub struct Cli {
    /// The command to run (default: `run`, everything against the embedded provider).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Summary only: the verdict lines and the failures; no progress, no per-check lines.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Also list what passed and was skipped, with more detail.
    #[arg(long, global = true)]
    pub verbose: bool,
    /// Colour the terminal output: auto (when stdout is a terminal and NO_COLOR is unset or
    /// empty), always, never. Report files are never coloured.
    #[arg(
        long,
        global = true,
        value_enum,
        default_value = "auto",
        value_name = "WHEN"
    )]
    pub color: console::ColorChoice,
}

/// scimtest's commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Everything against one target (default: the embedded provider): check, replay of every
    /// IdP profile and the smoke load scenario, with an index of the three reports.
    Run(RunArgs),
    /// Run the bundled reference SCIM provider (base URL http://ADDR/scim/v2).
    Serve(ServeArgs),
    /// Check a SCIM service's conformance to RFC 7643/7644 (default: the embedded provider).
    Check(CheckArgs),
    /// Replay Entra ID, Okta and OneLogin provisioning sessions: would they provision against
    /// this service? (default: the embedded provider).
    Replay(ReplayArgs),
    /// Load-test the provisioning path with goose scenarios (default: the `smoke` scenario
    /// against the embedded provider).
    Load(Box<load::LoadArgs>),
    /// Would this service pass the Entra app gallery's and the Okta Integration Network's own
    /// reviews? The vendors' tests, predicted one by one (default: the embedded provider).
    Certify(Box<certify::CertifyArgs>),
    /// Record an IdP's traffic: a proxy in front of a SCIM service that writes a replay fixture.
    Record(RecordArgs),
    /// Work with saved reports: `report render` re-renders a run as HTML, a certificate, ...
    Report(report::ReportCmd),
    /// Print a shell completion script on stdout, e.g.
    /// `scimtest completions bash > ~/.local/share/bash-completion/completions/scimtest`.
    Completions(manual::CompletionsArgs),
    /// Print the man page (roff) on stdout, or write one page per command with --out-dir.
    Man(manual::ManArgs),
}

/// `scimtest --version` (and `-V` on every command): the crate's version, the check catalogue's
/// release and how many checks it holds, e.g. `0.1.0 (checks catalogue 2026.12.3, 231 checks)`.
pub fn version_line() -> &'static str {
    static LINE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    LINE.get_or_init(|| {
        format!(
            "{} (checks catalogue {}, {} checks)",
            env!("CARGO_PKG_VERSION"),
            crate::catalogue::VERSION,
            crate::catalogue::entries().len()
        )
    })
}

/// Arguments of `scimtest serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    pub listen: std::net::SocketAddr,
    /// Bearer token, repeatable; each token is its own tenant. `TOKEN@userName` binds the token
    /// to that user for /Me. Without any, one is generated and printed.
    #[arg(long = "token", value_name = "TOKEN[@userName]")]
    pub tokens: Vec<TokenSpec>,
    /// An OAuth 2.0 client of the token endpoint POST http://ADDR/oauth/token (client
    /// credentials, RFC 6749 §4.4; Basic or form client authentication), repeatable. Client i
    /// gets tokens for tenant i: the tenant of the i-th --token, or a new tenant when there are
    /// more clients than tokens.
    #[arg(long = "oauth-client", value_name = "ID:SECRET")]
    pub oauth_clients: Vec<OAuthClientSpec>,
    /// How long an access token from the token endpoint is accepted (then 401 invalid_token),
    /// e.g. 60m, 30s.
    #[arg(
        long,
        default_value = "60m",
        value_parser = common::parse_duration,
        value_name = "DURATION"
    )]
    pub oauth_token_lifetime: std::time::Duration,
    /// Switch on a deliberate non-conformance (repeatable); see --list-faults.
    #[arg(long = "fault", value_parser = parse_fault, value_name = "NAME")]
    pub faults: Vec<Fault>,
    /// List the faults with a one-line description and exit.
    #[arg(long)]
    pub list_faults: bool,
    /// Largest request body, in bytes (413 above it).
    #[arg(long, default_value_t = Limits::default().max_body_bytes, value_name = "N")]
    pub max_body_bytes: usize,
    /// Most group members one request may carry (a POST/PUT body's list, a PATCH's member
    /// values); 413 above it.
    #[arg(long, default_value_t = Limits::default().max_members_per_request, value_name = "N")]
    pub max_members_per_request: usize,
    /// Bulk maxOperations.
    #[arg(long, default_value_t = Limits::default().bulk_max_operations, value_name = "N")]
    pub bulk_max_operations: usize,
    /// filter.maxResults: the largest page served.
    #[arg(long, default_value_t = Limits::default().filter_max_results, value_name = "N")]
    pub max_results: usize,
    /// Connections served at once; one more is answered 503 (SCIM error) and closed.
    #[arg(long, default_value_t = Limits::default().max_connections, value_name = "N")]
    pub max_connections: usize,
    /// How long a client may take to send a request's headers before the connection is closed
    /// (slowloris), e.g. 10s.
    #[arg(
        long,
        default_value = "10s",
        value_parser = common::parse_duration,
        value_name = "DURATION"
    )]
    pub header_read_timeout: std::time::Duration,
    /// Requests a second each tenant (token) may make; above it a request is answered 429 Too
    /// Many Requests with Retry-After: 1 and a SCIM error. A token bucket per tenant (capacity
    /// N, refilled at N a second). Default: no limit.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub rate_limit: Option<u32>,
    /// Create this many synthetic users in the first tenant at start-up (benchmarks, demos).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub seed_users: usize,
    /// Accept group members that are not the id of an existing User or Group (stored as sent,
    /// without $ref/type). By default such a member is 400 invalidValue.
    #[arg(long)]
    pub allow_unknown_members: bool,
}

/// `--fault NAME`: a fault's CLI name; a typo names the three nearest faults (not all ~100 of
/// them, which `--list-faults` prints).
pub fn parse_fault(s: &str) -> Result<Fault, String> {
    let name = s.trim();
    Fault::named(name).ok_or_else(|| {
        let near = crate::text::nearest(name, Fault::all().iter().map(|f| f.name()), 3);
        format!(
            "no such fault; did you mean {}? (every fault: `scimtest serve --list-faults`)",
            crate::text::or_list(&near)
        )
    })
}

/// Run a parsed command line; [`error::exit_code`] turns the outcome into the exit code.
pub async fn run(cli: Cli) -> CmdResult {
    let command = cli.command.unwrap_or(Command::Run(RunArgs::default_args()));
    // A report written to stdout (`-`) takes stdout for itself: the summary goes to stderr.
    let to_stdout = command.reports().map_or(0, ReportArgs::stdout_reports);
    if to_stdout > 1 {
        return Err(Error::usage(
            "only one report can be written to stdout ('-'); give the others a file name",
        ));
    }
    if to_stdout > 0 && !cfg!(unix) && matches!(command, Command::Load(_)) {
        // goose prints its own lines on stdout during the attack; a report there would not
        // parse.
        return Err(Error::usage(
            "load cannot write a report to stdout ('-'): goose prints its own lines there",
        )
        .with_hint("write it to a file, or use --report-stdout (the report as the last line)"));
    }
    let console = console::Console::from_env(cli.quiet, cli.verbose, cli.color, to_stdout == 1);
    // Boxed: every command's future in one is too big for a test thread's stack.
    console::scope(console, Box::pin(dispatch(command))).await
}

impl Command {
    /// The report arguments of a command that writes reports.
    fn reports(&self) -> Option<&ReportArgs> {
        match self {
            Command::Check(a) => Some(&a.reports),
            Command::Replay(a) => Some(&a.reports),
            Command::Load(a) => Some(&a.reports),
            Command::Certify(a) => Some(&a.reports),
            _ => None,
        }
    }
}

async fn dispatch(command: Command) -> CmdResult {
    match command {
        Command::Run(args) => run::run(args).await,
        Command::Serve(args) => serve(args).await,
        Command::Check(args) => check::run(args).await,
        Command::Replay(args) => replay::run(args).await,
        Command::Load(args) => load::run(*args).await,
        Command::Record(args) => record::run(args).await,
        Command::Certify(args) => certify::run(*args).await,
        Command::Report(args) => report::run(args),
        Command::Completions(args) => manual::completions(&args),
        Command::Man(args) => manual::man(&args),
    }
}

async fn serve(args: ServeArgs) -> CmdResult {
    if args.list_faults {
        for f in Fault::all() {
            println!("{:<28} {}", f.name(), f.describe());
        }
        return Ok(Verdict::Passed);
    }
    let limits = Limits {
        max_body_bytes: args.max_body_bytes,
        max_members_per_request: args.max_members_per_request,
        bulk_max_operations: args.bulk_max_operations,
        filter_max_results: args.max_results,
        max_connections: args.max_connections,
        header_read_timeout: args.header_read_timeout,
        rate_limit_per_second: args.rate_limit,
        ..Limits::default()
    };
    let config = ProviderConfig {
        listen: args.listen,
        tokens: args.tokens,
        oauth_clients: args.oauth_clients,
        oauth_token_lifetime: args.oauth_token_lifetime,
        hooks: Faults::new(args.faults).hooks(),
        limits,
        seed_users: args.seed_users,
        allow_unknown_members: args.allow_unknown_members,
        ..ProviderConfig::default()
    };
    provider::serve(config)
        .await
        .map_err(|e| Error::from(anyhow::Error::new(e)))?;
    Ok(Verdict::Passed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serve_parses_tokens_and_faults() {
        let cli = Cli::try_parse_from([
            "scimtest",
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--token",
            "a",
            "--token",
            "b@alice",
            "--fault",
            "patch-ignored",
        ]);
        let Ok(Cli {
            command: Some(Command::Serve(args)),
            ..
        }) = cli
        else {
            panic!("did not parse: {cli:?}")
        };
        assert_eq!(args.tokens.len(), 2);
        assert_eq!(args.tokens[1].me.as_deref(), Some("alice"));
        assert_eq!(args.faults, vec![Fault::PatchIgnored]);
        assert_eq!(args.rate_limit, None);
    }

    #[test]
    fn serve_parses_a_rate_limit_and_refuses_zero() {
        let Command::Serve(args) = parsed(&[
            "scimtest",
            "serve",
            "--rate-limit",
            "10",
            "--fault",
            "no-groups",
            "--fault",
            "slow-groups-list",
        ]) else {
            panic!("not serve")
        };
        assert_eq!(args.rate_limit, Some(10));
        assert_eq!(args.faults, vec![Fault::NoGroups, Fault::SlowGroupsList]);
        assert!(Cli::try_parse_from(["scimtest", "serve", "--rate-limit", "0"]).is_err());
    }

    fn parsed(argv: &[&str]) -> Command {
        match Cli::try_parse_from(argv) {
            Ok(Cli {
                command: Some(c), ..
            }) => c,
            other => panic!("{argv:?} did not parse: {other:?}"),
        }
    }

    /// `run` builds its parts' arguments in code; they must be what the command line would
    /// give (clap's defaults), so `scimtest run` and `scimtest check` run the same thing.
    #[test]
    fn run_builds_the_arguments_the_command_line_would() {
        let dir = std::path::PathBuf::from("out");
        let target = TargetArgs::default();
        let Command::Check(c) = parsed(&["scimtest", "check", "--report-dir", "out"]) else {
            panic!("not check")
        };
        let built = CheckArgs::new(target.clone(), dir.clone());
        assert_eq!(format!("{c:?}"), format!("{built:?}"));
        let Command::Replay(r) = parsed(&["scimtest", "replay", "--report-dir", "out"]) else {
            panic!("not replay")
        };
        let built = ReplayArgs::new(target.clone(), dir.clone());
        assert_eq!(format!("{r:?}"), format!("{built:?}"));
        let Command::Load(l) = parsed(&["scimtest", "load", "--report-dir", "out"]) else {
            panic!("not load")
        };
        let built = load::LoadArgs::new(l.scenario.clone(), target, dir);
        assert_eq!(format!("{l:?}"), format!("{built:?}"));
    }

    #[test]
    fn a_bad_target_url_is_a_one_line_usage_error() {
        for cmd in ["check", "replay", "load", "run"] {
            for bad in ["not a url", "ftp://example.com/scim", "http://"] {
                let err = Cli::try_parse_from(["scimtest", cmd, "--target", bad]).err();
                let Some(e) = err else {
                    panic!("{cmd} --target {bad:?} parsed")
                };
                assert_eq!(error::parse_error_exit_code(&e), 2, "{cmd} {bad}");
                let text = e.to_string();
                let errors: Vec<&str> = text.lines().filter(|l| l.starts_with("error:")).collect();
                assert_eq!(errors.len(), 1, "{text}");
                assert!(errors[0].contains("--target"), "{text}");
                assert!(errors[0].contains("expected the SCIM base URL"), "{text}");
            }
        }
        let Command::Check(c) = parsed(&[
            "scimtest",
            "check",
            "--target",
            " https://app.example.com/scim/v2 ",
        ]) else {
            panic!("not check")
        };
        let url = c.target.target.unwrap_or_else(|| panic!("no target"));
        assert_eq!(url.as_str(), "https://app.example.com/scim/v2");
        assert_eq!(url.url().host_str(), Some("app.example.com"));
    }

    #[test]
    fn idp_and_flow_are_enums_with_suggestions() {
        let Command::Replay(r) = parsed(&[
            "scimtest",
            "replay",
            "--idp",
            "okta",
            "--idp",
            "all",
            "--flow",
            "full-sync",
        ]) else {
            panic!("not replay")
        };
        assert_eq!(
            r.idp,
            vec![common::IdpArg::One(common::Idp::Okta), common::IdpArg::All]
        );
        assert_eq!(r.flow, vec![common::Flow::FullSync]);
        let e = Cli::try_parse_from(["scimtest", "replay", "--idp", "otka"]).err();
        let msg = e.map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.contains("'okta'"), "{msg}");
        let e = Cli::try_parse_from(["scimtest", "replay", "--flow", "full-synk"]).err();
        let msg = e.map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.contains("'full-sync'"), "{msg}");
        let e = Cli::try_parse_from(["scimtest", "record", "--idp", "all"]).err();
        assert!(e.is_some(), "record names one IdP");
    }

    #[test]
    fn unknown_fault_is_a_usage_error_with_suggestion() {
        let err = Cli::try_parse_from(["scimtest", "serve", "--fault", "patch-ignore"]).err();
        let msg = err.map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.contains("did you mean \"patch-ignored\""), "{msg}");
        assert_eq!(
            msg.lines().filter(|l| l.starts_with("error:")).count(),
            1,
            "{msg}"
        );
        assert!(!msg.contains("possible values"), "{msg}");
        assert!(msg.len() < 400, "three names, not all of them: {msg}");
    }
}
