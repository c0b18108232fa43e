//! Load scenarios: the TOML format of `scenarios/*.toml`, its validation, and the shipped set.
//!
//! Owns: parsing a scenario file into a [`Scenario`] (run shape, test data, weighted or
//! sequenced [`Op`]s, pass/fail [`Threshold`]s), rejecting every mistake with the file, line
//! and column ([`ScenarioError`]), the scenarios embedded in the binary ([`builtin`]), goose
//! threshold syntax ([`Threshold::to_goose`]) and a goose-free threshold evaluator
//! ([`Threshold::evaluate`]) for merged results. The format is documented for users in
//! `scenarios/README.md`.
//!
//! Must not import: `conformance`, `replay` (floors), nor goose: this module is pure data so
//! the lead's engine, `load merge` and the docs all read the same types.

use std::fmt;
use std::ops::Range;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use toml::Spanned;

/// The scenario `scimtest load` runs when none is named.
pub const DEFAULT_SCENARIO: &str = "smoke";

/// The shipped scenarios, by name, with their TOML text (compiled into the binary).
const BUILTIN: [(&str, &str); 8] = [
    ("smoke", include_str!("../../scenarios/smoke.toml")),
    (
        "bulk-onboarding",
        include_str!("../../scenarios/bulk-onboarding.toml"),
    ),
    (
        "entra-sync-cycle",
        include_str!("../../scenarios/entra-sync-cycle.toml"),
    ),
    (
        "okta-import",
        include_str!("../../scenarios/okta-import.toml"),
    ),
    (
        "group-churn",
        include_str!("../../scenarios/group-churn.toml"),
    ),
    (
        "deprovision",
        include_str!("../../scenarios/deprovision.toml"),
    ),
    ("mixed", include_str!("../../scenarios/mixed.toml")),
    ("gentle", include_str!("../../scenarios/gentle.toml")),
];

/// The scenario `scimtest run` loads a target other than the embedded provider with, unless
/// `--load` names another: small and paced.
pub const GENTLE_SCENARIO: &str = "gentle";

/// The shipped scenarios as `(name, TOML text)`, in the order `--list` shows them
/// (`smoke` first). Each text is the file `scenarios/<name>.toml`.
pub fn builtin() -> Vec<(&'static str, &'static str)> {
    BUILTIN.to_vec()
}

// ---------------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------------

/// One SCIM operation a virtual user performs; the shared vocabulary of scenarios, the engine
/// and the reports. Serialised in kebab case (`create-user`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Op {
    /// `POST /Users`: create a user (Entra shape, enterprise extension per `[data] enterprise`).
    CreateUser,
    /// `GET /Users/{id}`: read one user.
    GetUser,
    /// `GET /Users?filter=userName eq "…"`: the per-object existence check Entra, Okta and
    /// OneLogin send before every create or update.
    FilterUser,
    /// `PATCH /Users/{id}`: Entra-style `Replace` of a few attributes.
    PatchUser,
    /// `PATCH /Users/{id}` setting `active` to false (soft delete, as Entra and Okta OIN do).
    DeactivateUser,
    /// `GET /Users/{id}` then `PUT /Users/{id}` of the whole resource (Okta AIW, OneLogin).
    PutUser,
    /// `DELETE /Users/{id}`.
    DeleteUser,
    /// `GET /Users?startIndex=…&count=…`: one page of a full listing (Okta import).
    ListUsers,
    /// `GET /Groups?startIndex=…&count=…`: one page of a full listing (Okta import).
    ListGroups,
    /// `POST /Groups` with members from the user pool.
    CreateGroup,
    /// `PATCH /Groups/{id}` adding members.
    AddMembers,
    /// `PATCH /Groups/{id}` removing members.
    RemoveMembers,
    /// `DELETE /Groups/{id}`.
    DeleteGroup,
}

impl Op {
    /// Every operation, in documentation order.
    pub const ALL: [Op; 13] = [
        Op::CreateUser,
        Op::GetUser,
        Op::FilterUser,
        Op::PatchUser,
        Op::DeactivateUser,
        Op::PutUser,
        Op::DeleteUser,
        Op::ListUsers,
        Op::ListGroups,
        Op::CreateGroup,
        Op::AddMembers,
        Op::RemoveMembers,
        Op::DeleteGroup,
    ];

    /// The kebab-case name used in scenario files (`create-user`).
    pub fn name(&self) -> &'static str {
        match self {
            Op::CreateUser => "create-user",
            Op::GetUser => "get-user",
            Op::FilterUser => "filter-user",
            Op::PatchUser => "patch-user",
            Op::DeactivateUser => "deactivate-user",
            Op::PutUser => "put-user",
            Op::DeleteUser => "delete-user",
            Op::ListUsers => "list-users",
            Op::ListGroups => "list-groups",
            Op::CreateGroup => "create-group",
            Op::AddMembers => "add-members",
            Op::RemoveMembers => "remove-members",
            Op::DeleteGroup => "delete-group",
        }
    }

    /// The request name as goose's reports and thresholds key it: `"METHOD name"`, never
    /// containing an id (`"GET /Users/{id}"`). For `put-user` this is its `PUT`; its leading
    /// `GET` is recorded as `get-user`'s `"GET /Users/{id}"`. Two operations that share a
    /// method and path get a suffix so each has its own row (`"PATCH /Users/{id} deactivate"`).
    pub fn request_name(&self) -> &'static str {
        match self {
            Op::CreateUser => "POST /Users",
            Op::GetUser => "GET /Users/{id}",
            Op::FilterUser => "GET /Users?filter",
            Op::PatchUser => "PATCH /Users/{id}",
            Op::DeactivateUser => "PATCH /Users/{id} deactivate",
            Op::PutUser => "PUT /Users/{id}",
            Op::DeleteUser => "DELETE /Users/{id}",
            Op::ListUsers => "GET /Users?startIndex&count",
            Op::ListGroups => "GET /Groups?startIndex&count",
            Op::CreateGroup => "POST /Groups",
            Op::AddMembers => "PATCH /Groups/{id} add",
            Op::RemoveMembers => "PATCH /Groups/{id} remove",
            Op::DeleteGroup => "DELETE /Groups/{id}",
        }
    }

    /// The HTTP method of [`Op::request_name`] (`"POST"`).
    pub fn method(&self) -> &'static str {
        self.request_name()
            .split_once(' ')
            .map_or("", |(method, _)| method)
    }

    /// The name to give goose's `GooseRequest::builder().name(…)`: [`Op::request_name`]
    /// without the method, because goose prefixes the method itself (`"/Users/{id}"`).
    pub fn goose_name(&self) -> &'static str {
        self.request_name()
            .split_once(' ')
            .map_or("", |(_, name)| name)
    }

    /// Whether the operation acts on users that already exist (the pool or ones it created).
    fn needs_users(self) -> bool {
        matches!(
            self,
            Op::GetUser
                | Op::FilterUser
                | Op::PatchUser
                | Op::DeactivateUser
                | Op::PutUser
                | Op::DeleteUser
        )
    }

    /// Whether the operation acts on groups that already exist.
    fn needs_groups(self) -> bool {
        matches!(self, Op::AddMembers | Op::RemoveMembers | Op::DeleteGroup)
    }

    /// Whether `members` (users per request) applies to the operation.
    fn takes_members(self) -> bool {
        matches!(self, Op::AddMembers | Op::RemoveMembers | Op::CreateGroup)
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Op {
    type Err = String;

    /// Parses a kebab-case name; the error lists the names with a did-you-mean.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Op::ALL
            .into_iter()
            .find(|op| op.name() == text)
            .ok_or_else(|| unknown_name("operation", text, Op::ALL.map(|op| op.name())))
    }
}

// ---------------------------------------------------------------------------------------------
// The scenario
// ---------------------------------------------------------------------------------------------

/// A validated load scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// Kebab-case name (`entra-sync-cycle`); for a shipped scenario, its file stem.
    pub name: String,
    /// One or two sentences: what the scenario does.
    pub description: String,
    /// Provenance: which IdP behaviour or research section the traffic shape comes from.
    pub modelled_on: String,
    /// Where the scenario came from (`scenarios/smoke.toml` or the path given), for messages.
    pub origin: String,
    /// How goose drives the load.
    pub run: Run,
    /// The test data created before the run (and removed after it).
    pub data: Data,
    /// What each virtual user does, in file order.
    pub operations: Vec<Operation>,
    /// Pass/fail rules; a breach makes `scimtest load` exit 1.
    pub thresholds: Vec<Threshold>,
}

/// `[run]`: the load shape.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    /// Concurrent goose users (`-u`).
    pub users: usize,
    /// Time to start all users (goose `--increase-time`); zero starts them at once.
    /// Whole seconds, because goose counts it in seconds.
    pub ramp: Duration,
    /// How long the run lasts.
    pub length: RunLength,
    /// Per-request timeout (goose `--timeout`). Default 10 s.
    pub timeout: Duration,
    /// The request pace. Default [`Pacing::Max`].
    pub pacing: Pacing,
}

/// How long a run lasts: `duration` or `iterations` in `[run]`, exactly one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunLength {
    /// Run for this long once all users have started (goose `--run-time`, whole seconds).
    Duration(Duration),
    /// Each user runs its operations this many times, then stops (goose `--iterations`).
    Iterations(usize),
}

/// The request pace, `pacing` in `[run]`. Goose is a closed model: the pace is a global cap
/// on requests per second across all users (scimtest's own pacer, `load::ops::Pacer`), not
/// an arrival rate; `users` sets the concurrency under the cap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pacing {
    /// No cap: as fast as the users and the target allow (`"max"`).
    Max,
    /// [`Pacing::ENTRA_REQUESTS_PER_SECOND`] (`"entra"`).
    Entra,
    /// [`Pacing::OKTA_REQUESTS_PER_SECOND`] (`"okta"`).
    Okta,
    /// An explicit cap (`{ requests_per_second = N }`), at least 1.
    RequestsPerSecond(u32),
}

impl Pacing {
    /// Entra's pace: Microsoft requires gallery SCIM apps to "support at least 25 requests per
    /// second per tenant", and non-gallery apps get no client-side limiter, so 25 req/s is the
    /// documented ceiling one tenant's provisioning job may reach (its measured initial-cycle
    /// rate, 0.2–1.7 objects/s, is far lower). `shared/research/idp-traffic.md` §1.6.
    pub const ENTRA_REQUESTS_PER_SECOND: u32 = 25;
    /// Okta's pace: Okta publishes no outbound rate and tells admins to pace bulk pushes
    /// under the vendor's 429 limits; the most cited one is Slack's 600 writes/min (10/s),
    /// and Okta rarely runs more than about 10 transactions at once.
    /// `shared/research/load.md` §5, `idp-traffic.md` §2.6.
    pub const OKTA_REQUESTS_PER_SECOND: u32 = 10;

    /// The cap in requests per second, or `None` for [`Pacing::Max`].
    pub fn requests_per_second(&self) -> Option<u32> {
        match self {
            Pacing::Max => None,
            Pacing::Entra => Some(Self::ENTRA_REQUESTS_PER_SECOND),
            Pacing::Okta => Some(Self::OKTA_REQUESTS_PER_SECOND),
            Pacing::RequestsPerSecond(n) => Some(*n),
        }
    }
}

impl fmt::Display for Pacing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Pacing::Max => f.write_str("max"),
            Pacing::Entra => write!(f, "entra ({} req/s)", Self::ENTRA_REQUESTS_PER_SECOND),
            Pacing::Okta => write!(f, "okta ({} req/s)", Self::OKTA_REQUESTS_PER_SECOND),
            Pacing::RequestsPerSecond(n) => write!(f, "{n} req/s"),
        }
    }
}

/// `[data]`: test data created before the run. Every field defaults (all zero, no enterprise
/// attributes, pages of 100), so `[data]` may be left out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Data {
    /// Users created before the run, for operations on existing users and as group members.
    pub users: usize,
    /// Groups created before the run.
    pub groups: usize,
    /// Members each pre-created group starts with, drawn from the user pool.
    pub members_per_group: usize,
    /// Whether users carry the enterprise extension (`employeeNumber`, `department`, `manager`).
    pub enterprise: bool,
    /// `count` for `list-users` and `list-groups` (Okta imports with 100).
    pub page_size: usize,
}

impl Default for Data {
    fn default() -> Self {
        Data {
            users: 0,
            groups: 0,
            members_per_group: 0,
            enterprise: false,
            page_size: DEFAULT_PAGE_SIZE,
        }
    }
}

/// `count` for list operations when `[data] page_size` is not given.
const DEFAULT_PAGE_SIZE: usize = 100;

/// One `[[operation]]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Operation {
    /// What the operation does.
    pub op: Op,
    /// Relative frequency (goose transaction weight), 1 to 1000. Default 1.
    pub weight: usize,
    /// Position in a lifecycle (goose `set_sequence`), or `None` in a weighted mix. Either every
    /// operation of a scenario has one or none has.
    pub sequence: Option<u32>,
    /// Users per request for `add-members` / `remove-members` (default 1) and `create-group`
    /// (default `[data] members_per_group`); `None` for every other operation.
    pub members: Option<usize>,
}

/// One `[[threshold]]`: a pass/fail rule on the run's metrics.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Threshold {
    /// What is measured.
    pub metric: Metric,
    /// The operation judged alone, or `None` for all requests together.
    pub operation: Option<Op>,
    /// The bound.
    pub limit: Limit,
}

/// A threshold's metric, spelled as in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Metric {
    /// Median response time (`p50`).
    #[serde(rename = "p50")]
    P50,
    /// 95th percentile response time (`p95`).
    #[serde(rename = "p95")]
    P95,
    /// 99th percentile response time (`p99`).
    #[serde(rename = "p99")]
    P99,
    /// Mean response time (`avg`).
    #[serde(rename = "avg")]
    Avg,
    /// Slowest response time (`max`).
    #[serde(rename = "max")]
    Max,
    /// Failed requests as a percent of all requests (`error-rate`).
    #[serde(rename = "error-rate")]
    ErrorRate,
    /// Requests per second while all users run (`rps`).
    #[serde(rename = "rps")]
    Rps,
}

impl Metric {
    /// Every metric, in documentation order.
    pub const ALL: [Metric; 7] = [
        Metric::P50,
        Metric::P95,
        Metric::P99,
        Metric::Avg,
        Metric::Max,
        Metric::ErrorRate,
        Metric::Rps,
    ];

    /// The name used in scenario files and goose rules (`p95`, `error-rate`).
    pub fn name(&self) -> &'static str {
        match self {
            Metric::P50 => "p50",
            Metric::P95 => "p95",
            Metric::P99 => "p99",
            Metric::Avg => "avg",
            Metric::Max => "max",
            Metric::ErrorRate => "error-rate",
            Metric::Rps => "rps",
        }
    }

    /// Whether the metric is a response time (bounded by `below = "<duration>"`).
    fn is_time(self) -> bool {
        matches!(
            self,
            Metric::P50 | Metric::P95 | Metric::P99 | Metric::Avg | Metric::Max
        )
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Metric {
    type Err = String;

    /// Parses a metric name; the error lists the names with a did-you-mean.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Metric::ALL
            .into_iter()
            .find(|m| m.name() == text)
            .ok_or_else(|| unknown_name("metric", text, Metric::ALL.map(|m| m.name())))
    }
}

/// A threshold's bound; which one is allowed depends on the [`Metric`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Limit {
    /// A response time must stay strictly below this (`below = "250ms"`).
    Below(Duration),
    /// The error rate must stay strictly below this percent (`below = "1%"`), in (0, 100].
    BelowPercent(f64),
    /// The rate must be at least this many requests per second (`at_least = 200`), above 0.
    AtLeast(f64),
}

/// The figures a [`Threshold`] is judged on: one operation's, or all requests' together.
/// Times are microseconds, as goose 0.19 keeps them.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct OpStats {
    /// Requests made (successes and failures).
    pub requests: u64,
    /// Requests that failed.
    pub failures: u64,
    /// Requests per second while all users ran.
    pub rps: f64,
    /// Median response time.
    pub p50_us: u64,
    /// 95th percentile response time.
    pub p95_us: u64,
    /// 99th percentile response time.
    pub p99_us: u64,
    /// Mean response time.
    pub avg_us: u64,
    /// Slowest response time.
    pub max_us: u64,
}

/// The result of [`Threshold::evaluate`].
#[derive(Clone, Debug, PartialEq)]
pub enum ThresholdVerdict {
    /// The rule held; `observed` as reports show it (`212ms`, `0.4%`, `31.5 req/s`).
    Pass {
        /// What was observed.
        observed: String,
    },
    /// The rule was breached.
    Fail {
        /// What was observed.
        observed: String,
    },
    /// No request was made, so there is nothing to judge. Goose counts this as a failure
    /// when a run ends, and so does [`ThresholdVerdict::passed`].
    NoSamples,
}

impl ThresholdVerdict {
    /// Whether the rule passed; [`ThresholdVerdict::NoSamples`] does not (as in goose).
    pub fn passed(&self) -> bool {
        matches!(self, ThresholdVerdict::Pass { .. })
    }
}

impl Threshold {
    /// The goose request name this rule judges (`"POST /Users"`), or `None` for all requests.
    pub fn request_name(&self) -> Option<&'static str> {
        self.operation.map(|op| op.request_name())
    }

    /// The rule in goose 0.19 `--threshold` syntax: `p95<250ms`, `error-rate<1%`,
    /// `rps>=200`, `p99<2s for POST /Users`. Goose parses every string this returns.
    pub fn to_goose(&self) -> String {
        let bound = match self.limit {
            Limit::Below(d) => format!("<{}", goose_time(d)),
            Limit::BelowPercent(p) => format!("<{p}%"),
            Limit::AtLeast(r) => format!(">={r}"),
        };
        match self.request_name() {
            Some(request) => format!("{}{bound} for {request}", self.metric),
            None => format!("{}{bound}", self.metric),
        }
    }

    /// Judges the rule on `stats` without goose, with goose's comparisons (`<` strictly below,
    /// `>=` at least), so thresholds can be re-applied to merged shard results.
    pub fn evaluate(&self, stats: &OpStats) -> ThresholdVerdict {
        if stats.requests == 0 {
            return ThresholdVerdict::NoSamples;
        }
        let (observed, shown) = match self.metric {
            Metric::P50 => time(stats.p50_us),
            Metric::P95 => time(stats.p95_us),
            Metric::P99 => time(stats.p99_us),
            Metric::Avg => time(stats.avg_us),
            Metric::Max => time(stats.max_us),
            Metric::ErrorRate => {
                let percent = stats.failures as f64 / stats.requests as f64 * 100.0;
                (percent, format!("{}%", short_number(percent)))
            }
            Metric::Rps => (stats.rps, format!("{} req/s", short_number(stats.rps))),
        };
        let passed = match self.limit {
            Limit::Below(d) => observed < d.as_micros() as f64,
            Limit::BelowPercent(p) => observed < p,
            Limit::AtLeast(r) => observed >= r,
        };
        if passed {
            ThresholdVerdict::Pass { observed: shown }
        } else {
            ThresholdVerdict::Fail { observed: shown }
        }
    }
}

impl fmt::Display for Threshold {
    /// The goose rule ([`Threshold::to_goose`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_goose())
    }
}

/// A response time in microseconds, as compared and as shown.
fn time(us: u64) -> (f64, String) {
    (
        us as f64,
        format!("{}ms", short_number(us as f64 / 1_000.0)),
    )
}

/// `number` with at most two decimals and no trailing zeros (`212`, `0.4`, `31.25`).
fn short_number(number: f64) -> String {
    let text = format!("{number:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A duration in goose's time syntax, exactly: `2s`, `250ms` or `1500us`.
fn goose_time(d: Duration) -> String {
    let us = d.as_micros();
    if us.is_multiple_of(1_000_000) {
        format!("{}s", us / 1_000_000)
    } else if us.is_multiple_of(1_000) {
        format!("{}ms", us / 1_000)
    } else {
        format!("{us}us")
    }
}

impl Scenario {
    /// Parses and validates a scenario. `origin` names the text in errors (a path, or
    /// `scenarios/<name>.toml` for a shipped one). Unknown keys, wrong types and every
    /// semantic mistake are refused with `origin:line:column`.
    pub fn parse(text: &str, origin: &str) -> Result<Scenario, ScenarioError> {
        let src = Source { text, origin };
        let raw: RawScenario = toml::from_str(text)
            .map_err(|e| src.error(e.span().unwrap_or(0..0), e.message().trim_end()))?;
        lower(raw, &src)
    }

    /// The shipped scenario called `name`; an unknown name gets the list and a did-you-mean.
    pub fn builtin(name: &str) -> Result<Scenario, ScenarioError> {
        match BUILTIN.iter().find(|(n, _)| *n == name) {
            Some((n, text)) => Scenario::parse(text, &format!("scenarios/{n}.toml")),
            None => Err(unknown_scenario(name)),
        }
    }

    /// A shipped scenario by name, else a scenario file by path. Something that is neither a
    /// shipped name nor an existing file, and does not look like a path (no `/`, no `.toml`),
    /// is reported as an unknown name with the shipped names and a did-you-mean.
    pub fn load(name_or_path: &str) -> Result<Scenario, ScenarioError> {
        if BUILTIN.iter().any(|(n, _)| *n == name_or_path) {
            return Scenario::builtin(name_or_path);
        }
        let path = Path::new(name_or_path);
        let looks_like_path =
            name_or_path.contains(['/', '\\']) || name_or_path.ends_with(".toml") || path.exists();
        if !looks_like_path {
            return Err(unknown_scenario(name_or_path));
        }
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Read {
            path: name_or_path.to_string(),
            source,
        })?;
        Scenario::parse(&text, name_or_path)
    }

    /// Every threshold in goose `--threshold` syntax, in file order.
    pub fn goose_thresholds(&self) -> Vec<String> {
        self.thresholds.iter().map(Threshold::to_goose).collect()
    }

    /// Whether the operations form a lifecycle (ordered by `sequence`) rather than a mix.
    pub fn is_sequenced(&self) -> bool {
        self.operations.iter().any(|o| o.sequence.is_some())
    }
}

/// The error for a scenario name that is not shipped.
fn unknown_scenario(name: &str) -> ScenarioError {
    let known: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
    ScenarioError::Unknown {
        name: name.to_string(),
        hint: did_you_mean(name, known.iter().copied())
            .map(|s| format!(" (did you mean {s:?}?)"))
            .unwrap_or_default(),
        known: known.join(", "),
    }
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// Why a scenario could not be loaded. Every mistake in a file names the file, line and column.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The text is not a valid scenario.
    #[error("{origin}:{line}:{column}: {message}{snippet}")]
    Invalid {
        /// The file (or `scenarios/<name>.toml`).
        origin: String,
        /// 1-based line.
        line: usize,
        /// 1-based column, in characters.
        column: usize,
        /// What is wrong, a lowercase fragment.
        message: String,
        /// The offending line with a caret under the span, starting with a newline.
        snippet: String,
    },
    /// The file could not be read.
    #[error("failed to read scenario {path}")]
    Read {
        /// The path given.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Neither a shipped scenario nor a file.
    #[error(
        "no shipped scenario named {name:?}{hint}; shipped scenarios: {known} (or give a path to a .toml file)"
    )]
    Unknown {
        /// The name given.
        name: String,
        /// ` (did you mean "…"?)`, or empty.
        hint: String,
        /// The shipped names, comma-separated.
        known: String,
    },
}

impl ScenarioError {
    /// The 1-based line of an [`ScenarioError::Invalid`] error.
    pub fn line(&self) -> Option<usize> {
        match self {
            ScenarioError::Invalid { line, .. } => Some(*line),
            _ => None,
        }
    }
}

/// The text being parsed, to turn byte spans into `origin:line:column` errors.
struct Source<'a> {
    text: &'a str,
    origin: &'a str,
}

impl Source<'_> {
    /// An [`ScenarioError::Invalid`] at `span`.
    fn error(&self, span: Range<usize>, message: impl Into<String>) -> ScenarioError {
        let mut start = span.start.min(self.text.len());
        while !self.text.is_char_boundary(start) {
            start -= 1;
        }
        let before = self.text.get(..start).unwrap_or("");
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let line = before.matches('\n').count() + 1;
        let column = before.get(line_start..).unwrap_or("").chars().count() + 1;
        let rest = self.text.get(line_start..).unwrap_or("");
        let line_text = rest.split('\n').next().unwrap_or("").trim_end_matches('\r');
        let span_text = self.text.get(start..span.end.max(start)).unwrap_or("");
        let line_tail = line_text.chars().count().saturating_sub(column - 1).max(1);
        let carets = span_text.chars().count().clamp(1, line_tail);
        let number = line.to_string();
        let pad = " ".repeat(number.len());
        let snippet = format!(
            "\n{pad} |\n{number} | {line_text}\n{pad} | {}{}",
            " ".repeat(column - 1),
            "^".repeat(carets)
        );
        ScenarioError::Invalid {
            origin: self.origin.to_string(),
            line,
            column,
            message: message.into(),
            snippet,
        }
    }
}

/// `"unknown {what} \"text\"; expected one of a, b, c"` with a did-you-mean when one is close.
fn unknown_name<const N: usize>(what: &str, text: &str, names: [&str; N]) -> String {
    let hint = did_you_mean(text, names.iter().copied())
        .map(|s| format!(" (did you mean {s:?}?)"))
        .unwrap_or_default();
    format!(
        "unknown {what} {text:?}{hint}; expected one of {}",
        names.join(", ")
    )
}

/// The candidate closest to `text` by edit distance, when it is close enough to be a typo.
fn did_you_mean<'a>(text: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let lower = text.to_ascii_lowercase();
    candidates
        .map(|c| (levenshtein(&lower, c), c))
        .filter(|(d, c)| *d <= (c.len() / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Edit distance between `a` and `b`, in characters.
fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = i;
        let mut next = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            let above = row.get(j + 1).copied().unwrap_or(usize::MAX - 1);
            let left = next.last().copied().unwrap_or(usize::MAX - 1);
            next.push((diagonal + cost).min(above + 1).min(left + 1));
            diagonal = above;
        }
        row = next;
    }
    row.last().copied().unwrap_or(0)
}

// ---------------------------------------------------------------------------------------------
// Durations and percentages
// ---------------------------------------------------------------------------------------------

/// Parses a duration such as `10s`, `500ms`, `1m30s`, `2.5s` or `1h`: one or more
/// `<number><unit>` parts, units `h`, `m`, `s`, `ms`, `us`. A bare number is refused (which
/// unit would it be?).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let bad = |why: &str| {
        format!(
            "{text:?} is not a duration: {why}; write a number with a unit (h, m, s, ms, us), such as \"30s\", \"500ms\" or \"1m30s\""
        )
    };
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(bad("it is empty"));
    }
    let mut total_us = 0.0_f64;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (number, after) = rest.split_at(number_len);
        let unit_len = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        let (unit, after) = after.split_at(unit_len);
        let value = plain_number(number).ok_or_else(|| bad("a part has no number"))?;
        let scale = match unit {
            "h" => 3_600_000_000.0,
            "m" => 60_000_000.0,
            "s" => 1_000_000.0,
            "ms" => 1_000.0,
            "us" | "µs" => 1.0,
            "" => return Err(bad("it has no unit")),
            _ => return Err(bad(&format!("{unit:?} is not a unit"))),
        };
        total_us += value * scale;
        rest = after;
    }
    if !total_us.is_finite() || total_us > 1e15 {
        return Err(bad("it is too long"));
    }
    Ok(Duration::from_micros(total_us.round() as u64))
}

/// `text` as a number when it is ASCII digits with at most one `.` (no sign or exponent),
/// the numbers goose's threshold grammar accepts.
fn plain_number(text: &str) -> Option<f64> {
    let digits = text.chars().filter(char::is_ascii_digit).count();
    let points = text.chars().filter(|c| *c == '.').count();
    if digits == 0 || points > 1 || digits + points != text.chars().count() {
        return None;
    }
    text.parse().ok()
}

// ---------------------------------------------------------------------------------------------
// The raw (as written) format
// ---------------------------------------------------------------------------------------------

/// The file as written, with spans for semantic errors.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    name: Spanned<String>,
    description: Spanned<String>,
    modelled_on: Spanned<String>,
    run: Spanned<RawRun>,
    #[serde(default)]
    data: Option<Spanned<RawData>>,
    #[serde(default)]
    operation: Vec<Spanned<RawOperation>>,
    #[serde(default)]
    threshold: Vec<Spanned<RawThreshold>>,
}

/// `[run]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRun {
    users: Spanned<i64>,
    ramp: Option<Spanned<String>>,
    duration: Option<Spanned<String>>,
    iterations: Option<Spanned<i64>>,
    timeout: Option<Spanned<String>>,
    pacing: Option<Spanned<RawPacing>>,
}

/// `[data]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawData {
    users: Option<Spanned<i64>>,
    groups: Option<Spanned<i64>>,
    members_per_group: Option<Spanned<i64>>,
    enterprise: Option<bool>,
    page_size: Option<Spanned<i64>>,
}

/// One `[[operation]]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOperation {
    name: Spanned<String>,
    weight: Option<Spanned<i64>>,
    sequence: Option<Spanned<i64>>,
    members: Option<Spanned<i64>>,
}

/// One `[[threshold]]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawThreshold {
    metric: Spanned<String>,
    operation: Option<Spanned<String>>,
    below: Option<Spanned<String>>,
    at_least: Option<Spanned<f64>>,
}

/// `pacing` as written: a preset name or `{ requests_per_second = N }`.
enum RawPacing {
    Named(String),
    Rate(i64),
}

impl<'de> Deserialize<'de> for RawPacing {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(PacingVisitor)
    }
}

/// Reads [`RawPacing`] from a string or a table (a tagged shape, not `untagged`, so a
/// mistake gets a precise message).
struct PacingVisitor;

/// The keys a pacing table may hold.
const PACING_KEYS: &[&str] = &["requests_per_second"];

impl<'de> Visitor<'de> for PacingVisitor {
    type Value = RawPacing;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"max\", \"entra\", \"okta\" or a table { requests_per_second = N }")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<RawPacing, E> {
        Ok(RawPacing::Named(v.to_string()))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawPacing, A::Error> {
        let mut rate = None;
        while let Some(key) = map.next_key::<String>()? {
            if key != "requests_per_second" {
                return Err(de::Error::unknown_field(&key, PACING_KEYS));
            }
            if rate.is_some() {
                return Err(de::Error::duplicate_field("requests_per_second"));
            }
            rate = Some(map.next_value::<i64>()?);
        }
        rate.map(RawPacing::Rate)
            .ok_or_else(|| de::Error::missing_field("requests_per_second"))
    }
}

// ---------------------------------------------------------------------------------------------
// Validation: raw → Scenario
// ---------------------------------------------------------------------------------------------

/// The highest `weight`: goose expands weights into a schedule, so a huge one costs memory.
const MAX_WEIGHT: i64 = 1000;

/// A count that must be at least `min`, as a `usize`.
fn count(
    value: &Spanned<i64>,
    min: i64,
    what: &str,
    src: &Source<'_>,
) -> Result<usize, ScenarioError> {
    let v = *value.get_ref();
    if v < min {
        return Err(src.error(
            value.span(),
            format!("{what} must be at least {min}, not {v}"),
        ));
    }
    usize::try_from(v).map_err(|_| src.error(value.span(), format!("{what} is too large")))
}

/// An optional count with a default.
fn count_or(
    value: &Option<Spanned<i64>>,
    default: usize,
    min: i64,
    what: &str,
    src: &Source<'_>,
) -> Result<usize, ScenarioError> {
    value
        .as_ref()
        .map_or(Ok(default), |v| count(v, min, what, src))
}

/// A duration field; `whole_seconds` for the ones goose counts in seconds.
fn duration(
    value: &Spanned<String>,
    what: &str,
    whole_seconds: bool,
    src: &Source<'_>,
) -> Result<Duration, ScenarioError> {
    let d = parse_duration(value.get_ref())
        .map_err(|why| src.error(value.span(), format!("{what}: {why}")))?;
    if whole_seconds && d.subsec_nanos() != 0 {
        return Err(src.error(
            value.span(),
            format!(
                "{what} must be whole seconds (goose counts it in seconds), not {:?}",
                value.get_ref()
            ),
        ));
    }
    Ok(d)
}

/// Checks and converts the raw file.
fn lower(raw: RawScenario, src: &Source<'_>) -> Result<Scenario, ScenarioError> {
    let name = raw.name.get_ref();
    let kebab = !name.is_empty()
        && !name.starts_with('-')
        && !name.ends_with('-')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !kebab {
        return Err(src.error(
            raw.name.span(),
            format!("name {name:?} must be kebab-case: lowercase letters, digits and '-'"),
        ));
    }
    for (field, value) in [
        ("description", &raw.description),
        ("modelled_on", &raw.modelled_on),
    ] {
        if value.get_ref().trim().is_empty() {
            return Err(src.error(value.span(), format!("{field} must not be empty")));
        }
    }

    let run = lower_run(&raw.run, src)?;
    let data = match &raw.data {
        Some(data) => lower_data(data, src)?,
        None => Data::default(),
    };
    let operations = lower_operations(&raw.operation, &data, src)?;
    let thresholds = raw
        .threshold
        .iter()
        .map(|t| lower_threshold(t, &operations, src))
        .collect::<Result<Vec<_>, _>>()?;

    Ok(Scenario {
        name: name.clone(),
        description: raw.description.into_inner(),
        modelled_on: raw.modelled_on.into_inner(),
        origin: src.origin.to_string(),
        run,
        data,
        operations,
        thresholds,
    })
}

/// `[run]`.
fn lower_run(raw: &Spanned<RawRun>, src: &Source<'_>) -> Result<Run, ScenarioError> {
    let table = raw.get_ref();
    let users = count(&table.users, 1, "run.users", src)?;
    let ramp = match &table.ramp {
        Some(v) => duration(v, "run.ramp", true, src)?,
        None => Duration::ZERO,
    };
    let length = match (&table.duration, &table.iterations) {
        (Some(_), Some(iterations)) => {
            return Err(src.error(
                iterations.span(),
                "give run.duration or run.iterations, not both",
            ));
        }
        (Some(d), None) => {
            let length = duration(d, "run.duration", true, src)?;
            if length.is_zero() {
                return Err(src.error(d.span(), "run.duration must be at least 1s"));
            }
            RunLength::Duration(length)
        }
        (None, Some(n)) => RunLength::Iterations(count(n, 1, "run.iterations", src)?),
        (None, None) => {
            return Err(src.error(
                raw.span(),
                "[run] needs duration (such as \"30s\") or iterations (per user)",
            ));
        }
    };
    let timeout = match &table.timeout {
        Some(v) => {
            let t = duration(v, "run.timeout", false, src)?;
            if t < Duration::from_millis(1) {
                return Err(src.error(v.span(), "run.timeout must be at least 1ms"));
            }
            t
        }
        None => Duration::from_secs(10),
    };
    let pacing =
        match &table.pacing {
            None => Pacing::Max,
            Some(p) => match p.get_ref() {
                RawPacing::Named(n) => match n.as_str() {
                    "max" => Pacing::Max,
                    "entra" => Pacing::Entra,
                    "okta" => Pacing::Okta,
                    other => {
                        return Err(src.error(
                            p.span(),
                            format!(
                                "{} (or a table {{ requests_per_second = N }})",
                                unknown_name("pacing", other, ["max", "entra", "okta"])
                            ),
                        ));
                    }
                },
                RawPacing::Rate(n) => {
                    if *n < 1 {
                        return Err(src.error(
                            p.span(),
                            format!("pacing requests_per_second must be at least 1, not {n}"),
                        ));
                    }
                    Pacing::RequestsPerSecond(u32::try_from(*n).map_err(|_| {
                        src.error(p.span(), "pacing requests_per_second is too large")
                    })?)
                }
            },
        };
    Ok(Run {
        users,
        ramp,
        length,
        timeout,
        pacing,
    })
}

/// `[data]`.
fn lower_data(raw: &Spanned<RawData>, src: &Source<'_>) -> Result<Data, ScenarioError> {
    let table = raw.get_ref();
    let data = Data {
        users: count_or(&table.users, 0, 0, "data.users", src)?,
        groups: count_or(&table.groups, 0, 0, "data.groups", src)?,
        members_per_group: count_or(
            &table.members_per_group,
            0,
            0,
            "data.members_per_group",
            src,
        )?,
        enterprise: table.enterprise.unwrap_or(false),
        page_size: count_or(
            &table.page_size,
            DEFAULT_PAGE_SIZE,
            1,
            "data.page_size",
            src,
        )?,
    };
    if let Some(m) = &table.members_per_group
        && data.members_per_group > data.users
    {
        return Err(src.error(
            m.span(),
            format!(
                "data.members_per_group ({}) is more than the user pool (data.users = {}); members are drawn from the pool",
                data.members_per_group, data.users
            ),
        ));
    }
    Ok(data)
}

/// Every `[[operation]]`.
fn lower_operations(
    raw: &[Spanned<RawOperation>],
    data: &Data,
    src: &Source<'_>,
) -> Result<Vec<Operation>, ScenarioError> {
    if raw.is_empty() {
        return Err(src.error(
            src.text.len()..src.text.len(),
            "a scenario needs at least one [[operation]] (name = \"create-user\", …)",
        ));
    }
    let mut ops: Vec<(Operation, &Spanned<String>)> = Vec::with_capacity(raw.len());
    for entry in raw {
        let o = entry.get_ref();
        let op: Op = o
            .name
            .get_ref()
            .parse()
            .map_err(|why: String| src.error(o.name.span(), why))?;
        let weight = count_or(&o.weight, 1, 1, "weight", src)?;
        if let Some(w) = &o.weight
            && *w.get_ref() > MAX_WEIGHT
        {
            return Err(src.error(
                w.span(),
                format!("weight must be at most {MAX_WEIGHT}, not {}", w.get_ref()),
            ));
        }
        let sequence = match &o.sequence {
            Some(s) => Some(
                u32::try_from(count(s, 1, "sequence", src)?)
                    .map_err(|_| src.error(s.span(), "sequence is too large"))?,
            ),
            None => None,
        };
        let members = match (&o.members, op.takes_members()) {
            (Some(m), false) => {
                return Err(src.error(
                    m.span(),
                    format!(
                        "members applies only to add-members, remove-members and create-group, not {op}"
                    ),
                ));
            }
            (Some(m), true) => {
                // Entra and Okta create groups empty and add members by PATCH afterwards.
                let min = if op == Op::CreateGroup { 0 } else { 1 };
                Some(count(m, min, "members", src)?)
            }
            (None, true) if op == Op::CreateGroup => Some(data.members_per_group),
            (None, true) => Some(1),
            (None, false) => None,
        };
        if let Some(n) = members
            && n > data.users
        {
            let span = o.members.as_ref().map_or(o.name.span(), Spanned::span);
            return Err(src.error(
                span,
                format!(
                    "{op} needs {n} member(s) per request from the user pool, but data.users is {}",
                    data.users
                ),
            ));
        }
        ops.push((
            Operation {
                op,
                weight,
                sequence,
                members,
            },
            &o.name,
        ));
    }

    let sequenced = ops.iter().filter(|(o, _)| o.sequence.is_some()).count();
    if sequenced > 0
        && let Some((o, name)) = ops.iter().find(|(o, _)| o.sequence.is_none())
    {
        return Err(src.error(
            name.span(),
            format!(
                "{} has no sequence, but other operations do; give every operation a sequence (a lifecycle) or none (a weighted mix)",
                o.op
            ),
        ));
    }
    for (i, (o, name)) in ops.iter().enumerate() {
        if let Some((_, first)) = ops
            .iter()
            .take(i)
            .find(|(p, _)| p.op == o.op && p.sequence == o.sequence)
        {
            let line = src.error(first.span(), "").line().unwrap_or(0);
            let advice = if o.sequence.is_some() {
                "give it another sequence"
            } else {
                "raise that one's weight instead"
            };
            return Err(src.error(
                name.span(),
                format!("{} is listed twice (first at line {line}); {advice}", o.op),
            ));
        }
        if o.op.needs_users() && data.users == 0 && !ops.iter().any(|(p, _)| p.op == Op::CreateUser)
        {
            return Err(src.error(
                name.span(),
                format!(
                    "{} acts on existing users, but data.users is 0 and no create-user operation makes any; set [data] users = N",
                    o.op
                ),
            ));
        }
        if o.op.needs_groups()
            && data.groups == 0
            && !ops.iter().any(|(p, _)| p.op == Op::CreateGroup)
        {
            return Err(src.error(
                name.span(),
                format!(
                    "{} acts on existing groups, but data.groups is 0 and no create-group operation makes any; set [data] groups = N",
                    o.op
                ),
            ));
        }
    }
    Ok(ops.into_iter().map(|(o, _)| o).collect())
}

/// One `[[threshold]]`.
fn lower_threshold(
    raw: &Spanned<RawThreshold>,
    operations: &[Operation],
    src: &Source<'_>,
) -> Result<Threshold, ScenarioError> {
    let t = raw.get_ref();
    let metric: Metric = t
        .metric
        .get_ref()
        .parse()
        .map_err(|why: String| src.error(t.metric.span(), why))?;
    let operation = match &t.operation {
        None => None,
        Some(o) => {
            let op: Op = o
                .get_ref()
                .parse()
                .map_err(|why: String| src.error(o.span(), why))?;
            if !operations.iter().any(|x| x.op == op) {
                return Err(src.error(
                    o.span(),
                    format!(
                        "the threshold judges {op}, which this scenario never runs; add an [[operation]] or drop the threshold"
                    ),
                ));
            }
            Some(op)
        }
    };
    let limit = match (&t.below, &t.at_least, metric) {
        (Some(_), Some(a), _) => {
            return Err(src.error(a.span(), "give below or at_least, not both"));
        }
        (None, None, Metric::Rps) => {
            return Err(src.error(
                raw.span(),
                "an rps threshold needs at_least = N (requests per second)",
            ));
        }
        (None, None, m) if m.is_time() => {
            return Err(src.error(
                raw.span(),
                format!("a {m} threshold needs below = \"<duration>\", such as below = \"250ms\""),
            ));
        }
        (None, None, _) => {
            return Err(src.error(
                raw.span(),
                "an error-rate threshold needs below = \"<percent>\", such as below = \"1%\"",
            ));
        }
        (Some(b), None, Metric::Rps) => {
            return Err(src.error(
                b.span(),
                "rps is bounded from below: write at_least = N, not below",
            ));
        }
        (None, Some(a), m) if m != Metric::Rps => {
            let example = if m.is_time() {
                "below = \"250ms\""
            } else {
                "below = \"1%\""
            };
            return Err(src.error(
                a.span(),
                format!("at_least applies only to rps; a {m} threshold takes {example}"),
            ));
        }
        (None, Some(a), _) => {
            let r = *a.get_ref();
            if !(r.is_finite() && r > 0.0) {
                return Err(src.error(
                    a.span(),
                    format!("at_least must be a rate above 0, not {r}"),
                ));
            }
            Limit::AtLeast(r)
        }
        (Some(b), None, Metric::ErrorRate) => {
            let text = b.get_ref().trim();
            let Some(number) = text.strip_suffix('%') else {
                return Err(src.error(
                    b.span(),
                    format!(
                        "error-rate takes a percentage such as below = \"1%\", not {:?}",
                        b.get_ref()
                    ),
                ));
            };
            match plain_number(number.trim()) {
                Some(p) if p > 0.0 && p <= 100.0 => Limit::BelowPercent(p),
                _ => {
                    return Err(src.error(
                        b.span(),
                        format!(
                            "error-rate below must be a percentage above 0% and at most 100%, not {:?}",
                            b.get_ref()
                        ),
                    ));
                }
            }
        }
        (Some(b), None, m) => {
            if b.get_ref().trim().ends_with('%') {
                return Err(src.error(
                    b.span(),
                    format!("{m} is a response time: write below = \"250ms\", not a percentage"),
                ));
            }
            let d = duration(b, &format!("{m} below"), false, src)?;
            if d.is_zero() {
                return Err(src.error(
                    b.span(),
                    format!("{m} below must be above 0, or it can never pass"),
                ));
            }
            Limit::Below(d)
        }
    };
    Ok(Threshold {
        metric,
        operation,
        limit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A valid scenario to break in tests; line numbers are listed to the right.
    const GOOD: &str = r#"name = "t"
description = "d"
modelled_on = "m"

[run]
users = 4
ramp = "1s"
duration = "10s"
timeout = "5s"
pacing = "okta"

[data]
users = 20
groups = 2
members_per_group = 5

[[operation]]
name = "create-user"
weight = 2

[[operation]]
name = "add-members"
members = 3

[[threshold]]
metric = "p95"
below = "250ms"

[[threshold]]
metric = "error-rate"
below = "1%"
operation = "create-user"
"#;

    /// `GOOD` with `from` replaced by `to` (which must occur exactly once).
    fn with(from: &str, to: &str) -> String {
        assert_eq!(GOOD.matches(from).count(), 1, "{from:?} must occur once");
        GOOD.replace(from, to)
    }

    /// The error for `text`, asserting it is at `line`:`column` and mentions `needle`.
    fn fails_at(text: &str, line: usize, column: usize, needle: &str) -> String {
        let err = Scenario::parse(text, "bad.toml").expect_err("should be refused");
        let msg = err.to_string();
        assert!(
            msg.starts_with(&format!("bad.toml:{line}:{column}: ")),
            "want bad.toml:{line}:{column}, got: {msg}"
        );
        assert!(msg.contains(needle), "want {needle:?} in: {msg}");
        msg
    }

    #[test]
    fn a_good_scenario_parses_into_types() {
        let s = Scenario::parse(GOOD, "good.toml").expect("parses");
        assert_eq!(s.name, "t");
        assert_eq!(s.origin, "good.toml");
        assert_eq!(s.run.users, 4);
        assert_eq!(s.run.ramp, Duration::from_secs(1));
        assert_eq!(s.run.length, RunLength::Duration(Duration::from_secs(10)));
        assert_eq!(s.run.timeout, Duration::from_secs(5));
        assert_eq!(s.run.pacing, Pacing::Okta);
        assert_eq!(s.run.pacing.requests_per_second(), Some(10));
        assert_eq!(
            s.data,
            Data {
                users: 20,
                groups: 2,
                members_per_group: 5,
                enterprise: false,
                page_size: 100
            }
        );
        assert_eq!(
            s.operations,
            vec![
                Operation {
                    op: Op::CreateUser,
                    weight: 2,
                    sequence: None,
                    members: None
                },
                Operation {
                    op: Op::AddMembers,
                    weight: 1,
                    sequence: None,
                    members: Some(3)
                },
            ]
        );
        assert_eq!(
            s.goose_thresholds(),
            vec!["p95<250ms", "error-rate<1% for POST /Users"]
        );
        assert!(!s.is_sequenced());
    }

    #[test]
    fn defaults_fill_optional_fields() {
        let text = "name = \"x\"\ndescription = \"d\"\nmodelled_on = \"m\"\n[run]\nusers = 1\niterations = 3\n[[operation]]\nname = \"create-group\"\n";
        let s = Scenario::parse(text, "x.toml").expect("parses");
        assert_eq!(s.run.ramp, Duration::ZERO);
        assert_eq!(s.run.timeout, Duration::from_secs(10));
        assert_eq!(s.run.pacing, Pacing::Max);
        assert_eq!(s.run.length, RunLength::Iterations(3));
        assert_eq!(s.data, Data::default());
        assert_eq!(s.data.page_size, 100);
        // create-group defaults its members to members_per_group (0 here).
        assert_eq!(s.operations[0].members, Some(0));
        assert_eq!(s.operations[0].weight, 1);
        assert!(s.thresholds.is_empty());
    }

    #[test]
    fn pacing_table_and_presets() {
        let s = Scenario::parse(
            &with("pacing = \"okta\"", "pacing = { requests_per_second = 40 }"),
            "p",
        )
        .expect("parses");
        assert_eq!(s.run.pacing, Pacing::RequestsPerSecond(40));
        assert_eq!(s.run.pacing.requests_per_second(), Some(40));
        assert_eq!(Pacing::Entra.requests_per_second(), Some(25));
        assert_eq!(Pacing::Max.requests_per_second(), None);
        let s = Scenario::parse(&with("pacing = \"okta\"", "pacing = \"max\""), "p").expect("ok");
        assert_eq!(s.run.pacing, Pacing::Max);
    }

    #[test]
    fn unknown_keys_are_refused_at_their_line() {
        fails_at(
            &with("timeout = \"5s\"", "timeout = \"5s\"\nthrottle = 3"),
            10,
            1,
            "unknown field `throttle`",
        );
        fails_at(
            &with("name = \"t\"", "name = \"t\"\nnmae = \"x\""),
            2,
            1,
            "unknown field `nmae`",
        );
        fails_at(
            &with("members = 3", "members = 3\nmember = 3"),
            24,
            1,
            "unknown field `member`",
        );
        fails_at(
            &with("pacing = \"okta\"", "pacing = { rps = 3 }"),
            10,
            10,
            "unknown field `rps`",
        );
    }

    #[test]
    fn wrong_types_are_refused_at_the_value() {
        fails_at(&with("users = 4", "users = \"4\""), 6, 9, "invalid type");
        fails_at(&with("weight = 2", "weight = 2.5"), 19, 10, "invalid type");
        fails_at(
            &with("pacing = \"okta\"", "pacing = 7"),
            10,
            10,
            "requests_per_second",
        );
    }

    #[test]
    fn toml_syntax_errors_name_the_line() {
        fails_at(&with("users = 20", "users = = 20"), 13, 9, "");
    }

    #[test]
    fn semantic_errors_name_the_line_and_column() {
        fails_at(
            &with("users = 4", "users = 0"),
            6,
            9,
            "run.users must be at least 1",
        );
        fails_at(
            &with("duration = \"10s\"", "duration = \"10s\"\niterations = 5"),
            9,
            14,
            "not both",
        );
        fails_at(&with("duration = \"10s\"\n", ""), 5, 1, "needs duration");
        fails_at(
            &with("ramp = \"1s\"", "ramp = \"soon\""),
            7,
            8,
            "not a duration",
        );
        fails_at(
            &with("ramp = \"1s\"", "ramp = \"1500ms\""),
            7,
            8,
            "whole seconds",
        );
        fails_at(
            &with("duration = \"10s\"", "duration = \"10\""),
            8,
            12,
            "no unit",
        );
        fails_at(
            &with("pacing = \"okta\"", "pacing = \"okat\""),
            10,
            10,
            "did you mean \"okta\"",
        );
        fails_at(
            &with("pacing = \"okta\"", "pacing = { requests_per_second = 0 }"),
            10,
            10,
            "at least 1",
        );
        fails_at(
            &with("weight = 2", "weight = 0"),
            19,
            10,
            "weight must be at least 1",
        );
        fails_at(&with("weight = 2", "weight = 5000"), 19, 10, "at most 1000");
        fails_at(
            &with("name = \"create-user\"", "name = \"create-usr\""),
            18,
            8,
            "did you mean \"create-user\"",
        );
        fails_at(
            &with("members = 3", "members = 30"),
            23,
            11,
            "data.users is 20",
        );
        fails_at(
            &with("weight = 2", "weight = 2\nmembers = 2"),
            20,
            11,
            "members applies only",
        );
        fails_at(
            &with("members_per_group = 5", "members_per_group = 50"),
            15,
            21,
            "more than the user pool",
        );
        fails_at(&with("t\"\ndesc", "T\"\ndesc"), 1, 8, "kebab-case");
        fails_at(
            &with("modelled_on = \"m\"", "modelled_on = \" \""),
            3,
            15,
            "must not be empty",
        );
    }

    #[test]
    fn operation_set_errors_name_the_operation() {
        // Sequenced and unsequenced operations mixed.
        fails_at(
            &with("weight = 2", "weight = 2\nsequence = 1"),
            23,
            8,
            "add-members has no sequence",
        );
        // The same operation twice in a mix.
        fails_at(
            &with(
                "members = 3",
                "members = 3\n\n[[operation]]\nname = \"create-user\"",
            ),
            26,
            8,
            "listed twice (first at line 18)",
        );
        // Operations on existing users with no users anywhere.
        let text = with("name = \"create-user\"", "name = \"get-user\"")
            .replace("users = 20", "users = 0")
            .replace("members_per_group = 5", "")
            .replace("members = 3", "")
            .replace("add-members", "list-users");
        fails_at(&text, 18, 8, "get-user acts on existing users");
        let text = with("groups = 2", "groups = 0");
        fails_at(&text, 22, 8, "add-members acts on existing groups");
        // No operations at all.
        let cut = GOOD.find("[[operation]]").unwrap_or(0);
        let text = GOOD.get(..cut).unwrap_or("").to_string();
        let msg = fails_at(&text, 17, 1, "at least one [[operation]]");
        assert!(msg.contains("bad.toml:17:1"));
    }

    #[test]
    fn threshold_errors_match_unit_to_metric() {
        fails_at(
            &with("below = \"250ms\"", "below = \"1%\""),
            27,
            9,
            "response time",
        );
        fails_at(
            &with("below = \"1%\"", "below = \"1s\""),
            31,
            9,
            "percentage",
        );
        fails_at(&with("below = \"1%\"", "below = \"0%\""), 31, 9, "above 0%");
        fails_at(
            &with("below = \"1%\"", "below = \"150%\""),
            31,
            9,
            "at most 100%",
        );
        fails_at(
            &with("below = \"250ms\"", "below = \"0ms\""),
            27,
            9,
            "never pass",
        );
        fails_at(
            &with("below = \"250ms\"", "at_least = 3"),
            27,
            12,
            "at_least applies only to rps",
        );
        fails_at(
            &with("metric = \"p95\"", "metric = \"rps\""),
            27,
            9,
            "at_least = N, not below",
        );
        fails_at(
            &with("metric = \"p95\"", "metric = \"p96\""),
            26,
            10,
            "unknown metric",
        );
        fails_at(
            &with("below = \"250ms\"", "below = \"250ms\"\nat_least = 2"),
            28,
            12,
            "not both",
        );
        fails_at(
            &with("operation = \"create-user\"", "operation = \"delete-user\""),
            32,
            13,
            "never runs",
        );
        fails_at(
            &with("metric = \"p95\"\nbelow = \"250ms\"", "metric = \"p95\""),
            25,
            1,
            "needs below",
        );
        let rps = with(
            "metric = \"p95\"\nbelow = \"250ms\"",
            "metric = \"rps\"\nat_least = -1",
        );
        fails_at(&rps, 27, 12, "above 0");
    }

    #[test]
    fn every_error_carries_a_caret_snippet() {
        let msg = fails_at(&with("weight = 2", "weight = 0"), 19, 10, "");
        assert!(msg.contains("\n19 | weight = 0\n   |          ^"), "{msg}");
    }

    #[test]
    fn to_goose_matches_goose_grammar() {
        let t = |metric, operation, limit| Threshold {
            metric,
            operation,
            limit,
        };
        assert_eq!(
            t(Metric::P95, None, Limit::Below(Duration::from_millis(500))).to_goose(),
            "p95<500ms"
        );
        assert_eq!(
            t(
                Metric::P99,
                Some(Op::CreateUser),
                Limit::Below(Duration::from_secs(2))
            )
            .to_goose(),
            "p99<2s for POST /Users"
        );
        assert_eq!(
            t(Metric::Avg, None, Limit::Below(Duration::from_micros(1500))).to_goose(),
            "avg<1500us"
        );
        assert_eq!(
            t(Metric::ErrorRate, None, Limit::BelowPercent(1.0)).to_goose(),
            "error-rate<1%"
        );
        assert_eq!(
            t(
                Metric::ErrorRate,
                Some(Op::FilterUser),
                Limit::BelowPercent(0.5)
            )
            .to_goose(),
            "error-rate<0.5% for GET /Users?filter"
        );
        assert_eq!(
            t(Metric::Rps, None, Limit::AtLeast(200.0)).to_goose(),
            "rps>=200"
        );
        assert_eq!(
            t(Metric::Rps, Some(Op::AddMembers), Limit::AtLeast(2.5)).to_goose(),
            "rps>=2.5 for PATCH /Groups/{id} add"
        );
    }

    #[test]
    fn evaluate_uses_goose_comparisons() {
        let p95 = Threshold {
            metric: Metric::P95,
            operation: None,
            limit: Limit::Below(Duration::from_millis(250)),
        };
        let stats = OpStats {
            requests: 100,
            failures: 1,
            rps: 20.0,
            p95_us: 249_999,
            ..OpStats::default()
        };
        assert_eq!(
            p95.evaluate(&stats),
            ThresholdVerdict::Pass {
                observed: "250ms".into()
            }
        );
        let at = OpStats {
            p95_us: 250_000,
            ..stats
        };
        assert_eq!(
            p95.evaluate(&at),
            ThresholdVerdict::Fail {
                observed: "250ms".into()
            }
        );
        assert_eq!(
            p95.evaluate(&OpStats::default()),
            ThresholdVerdict::NoSamples
        );
        assert!(!ThresholdVerdict::NoSamples.passed());

        let errors = Threshold {
            metric: Metric::ErrorRate,
            operation: None,
            limit: Limit::BelowPercent(1.0),
        };
        assert_eq!(
            errors.evaluate(&stats),
            ThresholdVerdict::Fail {
                observed: "1%".into()
            }
        );
        let fewer = OpStats {
            requests: 1000,
            failures: 4,
            ..stats
        };
        assert_eq!(
            errors.evaluate(&fewer),
            ThresholdVerdict::Pass {
                observed: "0.4%".into()
            }
        );

        let rps = Threshold {
            metric: Metric::Rps,
            operation: None,
            limit: Limit::AtLeast(20.0),
        };
        assert!(rps.evaluate(&stats).passed());
        let slow = OpStats {
            rps: 19.99,
            ..stats
        };
        assert_eq!(
            rps.evaluate(&slow),
            ThresholdVerdict::Fail {
                observed: "19.99 req/s".into()
            }
        );
        // Each time metric reads its own field.
        let fields = OpStats {
            requests: 1,
            p50_us: 1_000,
            p95_us: 2_000,
            p99_us: 3_000,
            avg_us: 4_000,
            max_us: 5_000,
            ..OpStats::default()
        };
        let observed: Vec<String> = [
            Metric::P50,
            Metric::P95,
            Metric::P99,
            Metric::Avg,
            Metric::Max,
        ]
        .into_iter()
        .map(|metric| {
            match (Threshold {
                metric,
                operation: None,
                limit: Limit::Below(Duration::from_secs(1)),
            })
            .evaluate(&fields)
            {
                ThresholdVerdict::Pass { observed } => observed,
                other => format!("{other:?}"),
            }
        })
        .collect();
        assert_eq!(observed, ["1ms", "2ms", "3ms", "4ms", "5ms"]);
    }

    #[test]
    fn durations_parse_with_units() {
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("2.5s"), Ok(Duration::from_millis(2500)));
        assert_eq!(parse_duration("750us"), Ok(Duration::from_micros(750)));
        for bad in ["", "10", "s", "-1s", "1x", "1e3ms", "1..2s", "5 s"] {
            assert!(parse_duration(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn op_names_round_trip_and_request_names_are_distinct() {
        let mut seen = std::collections::HashSet::new();
        for op in Op::ALL {
            assert_eq!(op.name().parse::<Op>(), Ok(op));
            let via_serde: Op =
                serde_json::from_value(serde_json::Value::String(op.name().into())).expect("serde");
            assert_eq!(via_serde, op);
            assert!(seen.insert(op.request_name()), "{op} shares a request name");
            assert!(
                !op.request_name().contains(" for "),
                "goose splits rules at ' for '"
            );
            assert_eq!(
                format!("{} {}", op.method(), op.goose_name()),
                op.request_name()
            );
        }
        assert_eq!(Op::GetUser.goose_name(), "/Users/{id}");
        assert_eq!(Op::CreateUser.method(), "POST");
        let err = "delete-users".parse::<Op>().expect_err("unknown");
        assert!(err.contains("did you mean \"delete-user\""), "{err}");
    }

    #[test]
    fn shipped_scenarios_parse_and_are_named_after_their_file() {
        let names: Vec<&str> = builtin().iter().map(|(n, _)| *n).collect();
        assert_eq!(names.first(), Some(&DEFAULT_SCENARIO));
        for (name, _) in builtin() {
            let s = Scenario::builtin(name).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(s.name, name);
            assert_eq!(s.origin, format!("scenarios/{name}.toml"));
            assert!(!s.thresholds.is_empty(), "{name} has no thresholds");
        }
        let smoke = Scenario::builtin("smoke").expect("smoke");
        assert_eq!(
            smoke.run.length,
            RunLength::Duration(Duration::from_secs(10))
        );
    }

    #[test]
    fn load_finds_names_then_files_and_suggests_names() {
        assert_eq!(Scenario::load("mixed").expect("shipped").name, "mixed");
        let err = Scenario::load("okta-imprt").expect_err("unknown");
        let msg = err.to_string();
        assert!(msg.contains("did you mean \"okta-import\""), "{msg}");
        assert!(msg.contains("smoke, bulk-onboarding"), "{msg}");
        let err = Scenario::load("no/such/file.toml").expect_err("missing");
        assert!(matches!(err, ScenarioError::Read { .. }), "{err}");

        let dir = std::env::temp_dir().join(format!("scimtest-scenario-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("tmp dir");
        let path = dir.join("mine.toml");
        std::fs::write(&path, with("weight = 2", "weight = 0")).expect("write");
        let shown = path.display().to_string();
        let err = Scenario::load(&shown).expect_err("bad file");
        assert!(
            err.to_string().starts_with(&format!("{shown}:19:10: ")),
            "{err}"
        );
        assert_eq!(err.line(), Some(19));
        std::fs::write(&path, GOOD).expect("write");
        assert_eq!(Scenario::load(&shown).expect("good file").name, "t");
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn levenshtein_counts_edits() {
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("", "abc"), 3);
        assert_eq!(levenshtein("abc", "abc"), 0);
    }
}
