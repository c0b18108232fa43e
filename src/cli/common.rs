//! What the commands share on the command line: the target argument group (`--target` parsed
//! into a [`TargetUrl`], `--token`, `--header`, the OAuth client-credentials group
//! [`OAuthArgs`]), the report-file arguments, the enums of
//! `--fail-on`, `--idp` and `--flow`, and small helpers for summaries (`first_line`,
//! `print_cleanup`, `shell_quote`, did-you-mean). Values are parsed into types here; nothing
//! below the CLI sees a raw CLI string.

use crate::client::ClientCredentials;
use crate::report::model::{Level, RunReport};
use anyhow::Context;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

/// The base URL of a SCIM service: an absolute http(s) URL with a host, as typed (trimmed).
/// Anything else is a usage error (exit 2) reported by clap on one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetUrl {
    url: reqwest::Url,
    raw: String,
}

impl TargetUrl {
    /// The URL as typed (trimmed): the base every request path is appended to.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The parsed URL.
    pub fn url(&self) -> &reqwest::Url {
        &self.url
    }
}

impl std::fmt::Display for TargetUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.raw)
    }
}

impl std::str::FromStr for TargetUrl {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let url = reqwest::Url::parse(t).map_err(|e| {
            format!("{t:?} is not a URL ({e}); expected the SCIM base URL, e.g. https://app.example.com/scim/v2")
        })?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
            return Err(format!(
                "{t:?} is not an http(s) URL; expected the SCIM base URL, e.g. https://app.example.com/scim/v2"
            ));
        }
        Ok(TargetUrl {
            url,
            raw: t.to_string(),
        })
    }
}

/// Where the target is and how to reach it (flattened into `check`, `replay`, `load` and
/// `run`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct TargetArgs {
    /// Base URL of the SCIM service (e.g. https://app.example.com/scim/v2). Without it, the
    /// embedded reference provider is started on 127.0.0.1 and used.
    #[arg(long, value_name = "URL")]
    pub target: Option<TargetUrl>,
    /// Bearer token for the target (also read from SCIMTEST_TOKEN).
    #[arg(
        long,
        env = "SCIMTEST_TOKEN",
        hide_env_values = true,
        conflicts_with = "oauth_token_url"
    )]
    pub token: Option<String>,
    /// Extra header sent with every request, e.g. 'X-Api-Key: …' (repeatable; values are
    /// treated as secrets and redacted from every report).
    #[arg(long = "header", value_name = "'NAME: VALUE'")]
    pub headers: Vec<HeaderArg>,
    /// OAuth 2.0 client credentials instead of --token.
    #[command(flatten)]
    pub oauth_args: OAuthArgs,
    /// `--target` is an embedded provider started in this process (by `scimtest run`), so
    /// reports say so. Not a flag.
    #[arg(skip)]
    pub embedded_target: bool,
}

impl TargetArgs {
    /// Whether the run is against an embedded provider (its own, or one `run` started).
    pub fn is_embedded(&self) -> bool {
        self.target.is_none() || self.embedded_target
    }

    /// `--header 'Name: …'` for each header, as a report's options show them.
    pub fn header_options(&self) -> Vec<String> {
        self.headers
            .iter()
            .map(|h| format!("--header {}", shell_quote(&format!("{}: …", h.name))))
            .collect()
    }

    /// The OAuth options, then the `--header`s, as a report's options show them (never a
    /// secret).
    pub fn auth_options(&self) -> Vec<String> {
        let mut o = self.oauth_args.options();
        o.extend(self.header_options());
        o
    }

    /// The OAuth client credentials these arguments name, the secret read from its environment
    /// variable; None without `--oauth-token-url`. Err is a one-line usage error.
    pub fn oauth(&self) -> Result<Option<ClientCredentials>, String> {
        self.oauth_args.credentials()
    }
}

/// The environment variable the client secret is read from by default.
pub const CLIENT_SECRET_ENV: &str = "SCIMTEST_CLIENT_SECRET";

/// `--oauth-token-url URL --client-id ID [--client-secret-env VAR] [--scope S]`: OAuth 2.0
/// client credentials (RFC 6749 §4.4) for the target (flattened into [`TargetArgs`] and
/// `record`). `Debug` never shows `--client-secret`.
#[derive(Clone, Default, clap::Args)]
pub struct OAuthArgs {
    /// OAuth 2.0 token endpoint: get bearer tokens with client credentials (RFC 6749 §4.4,
    /// client_secret_post) instead of --token (unset SCIMTEST_TOKEN too); needs --client-id and
    /// a secret. Tokens are renewed before they expire and after a 401.
    #[arg(long, value_name = "URL", value_parser = parse_http_url)]
    pub oauth_token_url: Option<String>,
    /// The OAuth client id (with --oauth-token-url).
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    /// The environment variable holding the OAuth client secret (default
    /// SCIMTEST_CLIENT_SECRET).
    #[arg(long, value_name = "VAR")]
    pub client_secret_env: Option<String>,
    /// The OAuth client secret itself. Visible in the process list: prefer --client-secret-env.
    #[arg(long, value_name = "SECRET", conflicts_with = "client_secret_env")]
    pub client_secret: Option<String>,
    /// The `scope` of the token request, if the token endpoint wants one.
    #[arg(long, value_name = "SCOPE")]
    pub scope: Option<String>,
}

impl std::fmt::Debug for OAuthArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthArgs")
            .field("oauth_token_url", &self.oauth_token_url)
            .field("client_id", &self.client_id)
            .field("client_secret_env", &self.client_secret_env)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("scope", &self.scope)
            .finish()
    }
}

impl OAuthArgs {
    /// Whether any OAuth option was given.
    pub fn any(&self) -> bool {
        self.oauth_token_url.is_some()
            || self.client_id.is_some()
            || self.client_secret_env.is_some()
            || self.client_secret.is_some()
            || self.scope.is_some()
    }

    /// The options as a report shows them: the variable's name, never the secret.
    pub fn options(&self) -> Vec<String> {
        let Some(url) = &self.oauth_token_url else {
            return Vec::new();
        };
        let mut o = vec![format!("--oauth-token-url {}", shell_quote(url))];
        if let Some(id) = &self.client_id {
            o.push(format!("--client-id {}", shell_quote(id)));
        }
        if self.client_secret.is_some() {
            o.push("--client-secret '…'".to_string());
        } else {
            let var = self
                .client_secret_env
                .as_deref()
                .unwrap_or(CLIENT_SECRET_ENV);
            o.push(format!("--client-secret-env {}", shell_quote(var)));
        }
        if let Some(s) = &self.scope {
            o.push(format!("--scope {}", shell_quote(s)));
        }
        o
    }

    /// The credentials, the secret read from `--client-secret` or its environment variable;
    /// None when no OAuth option was given. Err is a one-line usage error.
    pub fn credentials(&self) -> Result<Option<ClientCredentials>, String> {
        if !self.any() {
            return Ok(None);
        }
        let Some(token_url) = &self.oauth_token_url else {
            return Err(
                "--client-id, --client-secret-env, --client-secret and --scope need \
                        --oauth-token-url (the OAuth token endpoint)"
                    .into(),
            );
        };
        let Some(client_id) = self.client_id.clone().filter(|c| !c.is_empty()) else {
            return Err("--oauth-token-url needs --client-id (the OAuth client's id)".into());
        };
        let client_secret = match &self.client_secret {
            Some(s) if !s.is_empty() => s.clone(),
            Some(_) => return Err("--client-secret is empty".into()),
            None => {
                let var = self
                    .client_secret_env
                    .as_deref()
                    .unwrap_or(CLIENT_SECRET_ENV);
                match std::env::var(var) {
                    Ok(s) if !s.is_empty() => s,
                    _ => {
                        return Err(format!(
                            "the OAuth client secret's environment variable {var} is not set \
                             (or empty); export it, or name another with --client-secret-env"
                        ));
                    }
                }
            }
        };
        Ok(Some(ClientCredentials {
            token_url: token_url.clone(),
            client_id,
            client_secret,
            scope: self.scope.clone(),
        }))
    }
}

/// An absolute http(s) URL with a host (the OAuth token endpoint).
fn parse_http_url(s: &str) -> Result<String, String> {
    let t = s.trim();
    match reqwest::Url::parse(t) {
        Ok(u)
            if matches!(u.scheme(), "http" | "https")
                && u.host_str().is_some_and(|h| !h.is_empty()) =>
        {
            Ok(t.to_string())
        }
        _ => Err(format!(
            "{t:?} is not an http(s) URL; expected the OAuth token endpoint, e.g. \
             https://login.example.com/oauth2/token"
        )),
    }
}

/// Where reports go (shared by `check`, `replay` and `load`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ReportArgs {
    /// Directory for report.json, junit.xml and report.md (default: reports/<run-id>/).
    #[arg(long, value_name = "DIR")]
    pub report_dir: Option<PathBuf>,
    /// Also write the JSON report here (`-`: to stdout, the summary then goes to stderr).
    #[arg(long, value_name = "FILE")]
    pub report_json: Option<PathBuf>,
    /// Also write the JUnit XML report here (`-`: to stdout).
    #[arg(long, value_name = "FILE")]
    pub report_junit: Option<PathBuf>,
    /// Also write the Markdown report here (`-`: to stdout).
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
    /// Also write every recorded exchange (redacted as in the other reports) here as an HTTP
    /// Archive (HAR 1.2), one page per check, for browser devtools ("Import HAR") and HTTP
    /// tools.
    #[arg(long, value_name = "FILE")]
    pub report_har: Option<PathBuf>,
}

impl ReportArgs {
    /// How many of the report files are `-` (stdout); at most one may be.
    pub fn stdout_reports(&self) -> usize {
        [
            &self.report_json,
            &self.report_junit,
            &self.report_md,
            &self.report_har,
        ]
        .into_iter()
        .filter(|p| p.as_deref().is_some_and(is_stdout))
        .count()
    }
}

/// Whether a report path is `-`: stdout.
pub fn is_stdout(path: &std::path::Path) -> bool {
    path.as_os_str() == "-"
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

/// The IdPs a fixture may name (the `idp` enum of `fixtures/idp.schema.json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Idp {
    /// Microsoft Entra ID.
    Entra,
    /// Okta.
    Okta,
    /// OneLogin.
    Onelogin,
    /// authentik (its SCIM provider).
    Authentik,
    /// Keycloak (a SCIM push plugin).
    Keycloak,
    /// JumpCloud.
    Jumpcloud,
    /// Google Workspace.
    Google,
    /// Ping Identity (PingOne).
    Ping,
    /// Rippling.
    Rippling,
}

impl Idp {
    /// The name fixtures use.
    pub fn as_str(self) -> &'static str {
        match self {
            Idp::Entra => "entra",
            Idp::Okta => "okta",
            Idp::Onelogin => "onelogin",
            Idp::Authentik => "authentik",
            Idp::Keycloak => "keycloak",
            Idp::Jumpcloud => "jumpcloud",
            Idp::Google => "google",
            Idp::Ping => "ping",
            Idp::Rippling => "rippling",
        }
    }
}

/// `replay --idp`: one IdP, or all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdpArg {
    /// One IdP.
    One(Idp),
    /// Every IdP.
    All,
}

impl clap::ValueEnum for IdpArg {
    fn value_variants<'a>() -> &'a [Self] {
        use Idp::*;
        &[
            IdpArg::One(Entra),
            IdpArg::One(Okta),
            IdpArg::One(Onelogin),
            IdpArg::One(Authentik),
            IdpArg::One(Keycloak),
            IdpArg::One(Jumpcloud),
            IdpArg::One(Google),
            IdpArg::One(Ping),
            IdpArg::One(Rippling),
            IdpArg::All,
        ]
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        match self {
            IdpArg::One(i) => i.to_possible_value(),
            IdpArg::All => Some(clap::builder::PossibleValue::new("all").help("Every IdP")),
        }
    }
}

impl IdpArg {
    /// The IdP, None for `all`.
    pub fn idp(self) -> Option<Idp> {
        match self {
            IdpArg::One(i) => Some(i),
            IdpArg::All => None,
        }
    }

    /// The name as typed.
    pub fn as_str(self) -> &'static str {
        self.idp().map_or("all", Idp::as_str)
    }
}

/// The flows of the fixture format (`replay::fixture::FLOWS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Flow {
    /// Testing or saving the connection.
    Connection,
    /// One user's lifecycle.
    UserLifecycle,
    /// One group's lifecycle.
    GroupLifecycle,
    /// A full synchronisation cycle.
    FullSync,
}

impl Flow {
    /// The name fixtures use.
    pub fn as_str(self) -> &'static str {
        match self {
            Flow::Connection => "connection",
            Flow::UserLifecycle => "user-lifecycle",
            Flow::GroupLifecycle => "group-lifecycle",
            Flow::FullSync => "full-sync",
        }
    }
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

/// A duration flag's value: a number with a unit (`10s`, `500ms`, `2m`, `1m30s`, `1h`; the
/// grammar of the scenario files), above zero and under a day. A bare number is seconds, as
/// every `--timeout` accepted it before units were required elsewhere.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let d = if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        let n: f64 = t
            .parse()
            .map_err(|_| format!("{t:?} is not a duration (e.g. 10s, 500ms, 2m)"))?;
        Duration::try_from_secs_f64(n).map_err(|_| format!("{t:?} is out of range"))?
    } else {
        crate::load::scenario::parse_duration(t)?
    };
    if d.is_zero() || d >= Duration::from_secs(86_400) {
        return Err(format!("{t:?} is out of range (above 0, under 24h)"));
    }
    Ok(d)
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

/// The candidate closest to `text` by edit distance, when it is close enough to be a typo.
pub fn did_you_mean<'a>(
    text: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    crate::text::closest(text, candidates.into_iter().filter(|c| *c != text))
}

/// Read a saved report.json.
pub fn read_report(path: &std::path::Path) -> anyhow::Result<RunReport> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("failed to read {}", path.display()))?;
    serde_json::from_str(&text)
        .with_context(|| format!("{} is not a scimtest report.json", path.display()))
}

/// The cleanup line of a summary: created, removed (read back as gone), left over with ids.
/// Quiet (`-q`) leaves it out unless something was left over.
pub fn print_cleanup(c: &crate::report::model::CleanupReport) {
    let console = crate::cli::console::current();
    if console.quiet() && c.leftovers.is_empty() {
        return;
    }
    let line = format!(
        "cleanup: {} created, {} removed (read back as gone), {} left over",
        c.created,
        c.removed,
        c.leftovers.len()
    );
    let style = if c.leftovers.is_empty() {
        crate::cli::console::Style::Dim
    } else {
        crate::cli::console::Style::Warn
    };
    crate::say!("{}", console.paint(style, &line));
    for l in &c.leftovers {
        crate::say!("  left over: {l}");
    }
}

/// The first line of a text.
pub fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_quoting() {
        assert_eq!(shell_quote("patch.*"), "'patch.*'");
        assert_eq!(shell_quote("users.create"), "users.create");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
    }

    #[test]
    fn oauth_options_show_the_variable_never_the_secret() {
        let a = OAuthArgs {
            oauth_token_url: Some("https://login.example.com/token".into()),
            client_id: Some("app".into()),
            client_secret: Some("s3cr3t-value".into()),
            ..OAuthArgs::default()
        };
        let shown = format!("{:?} {:?}", a, a.options());
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(a.credentials().is_ok_and(|c| c.is_some()));
        let b = OAuthArgs {
            client_secret: None,
            client_secret_env: Some("MY_VAR".into()),
            ..a.clone()
        };
        assert_eq!(
            b.options(),
            vec![
                "--oauth-token-url https://login.example.com/token",
                "--client-id app",
                "--client-secret-env MY_VAR"
            ]
        );
        let no_id = OAuthArgs {
            client_id: None,
            ..a
        };
        assert!(
            no_id
                .credentials()
                .is_err_and(|e| e.contains("--client-id"))
        );
        assert!(parse_http_url("ftp://x/token").is_err());
    }

    #[test]
    fn durations_and_headers_parse() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("3"), Ok(Duration::from_secs(3)));
        assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert!(parse_duration("x").is_err());
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("25h").is_err());
        assert!(parse_duration("5d").is_err());
        let h: HeaderArg = "X-Api-Key: abc: d"
            .parse()
            .unwrap_or_else(|e: String| panic!("{e}"));
        assert_eq!((h.name.as_str(), h.value.as_str()), ("X-Api-Key", "abc: d"));
        assert!("nocolon".parse::<HeaderArg>().is_err());
    }
}
