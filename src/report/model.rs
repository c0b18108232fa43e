//! The one report model every command writes (`check` today; `replay` and `load` later) and
//! every writer reads. Writers render it; they never decide verdicts. Serialised as
//! `report.json`, whose JSON Schema is `docs/report.schema.json`.

use crate::client::exchange::Exchange;
use serde::{Deserialize, Serialize};

/// Bumped when a field changes meaning or disappears (additions keep the version).
pub const FORMAT_VERSION: u32 = 1;

/// How binding a requirement is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// MUST / SHALL / REQUIRED.
    Must,
    /// SHOULD / RECOMMENDED.
    Should,
    /// MAY / OPTIONAL.
    May,
    /// Interoperability advice: behaviour real clients rely on that no RFC keyword requires
    /// (resolving member ids, populating `User.groups`, ...). Reported, never gating by default.
    Advice,
    /// What an identity provider needs, beyond the RFC (never an RFC failure).
    Dialect,
}

impl Level {
    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Must => "must",
            Level::Should => "should",
            Level::May => "may",
            Level::Advice => "advice",
            Level::Dialect => "dialect",
        }
    }
}

/// The verdict of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The target behaved as required.
    Pass,
    /// The target broke the requirement.
    Fail,
    /// The check could not reach a verdict (transport failure, setup failed, timeout).
    Error,
    /// The check does not apply (feature not advertised, filtered out by level).
    Skip,
}

impl Outcome {
    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Error => "error",
            Outcome::Skip => "skip",
        }
    }
}

/// One check's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckReport {
    /// Stable dotted id, e.g. `users.create.status-201`.
    pub id: String,
    /// One-line title.
    pub title: String,
    /// The RFC section, e.g. `RFC 7644 §3.3`.
    pub rfc: String,
    /// MUST / SHOULD / MAY / dialect.
    pub level: Level,
    /// The area (discovery, users, filter, ...), used for grouping.
    pub area: String,
    /// The verdict.
    pub outcome: Outcome,
    /// Why (for fail/error/skip: what was expected and what came back).
    pub reason: String,
    /// How to fix the target, for failures.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// The RFC sentence that carries the check's level keyword, with its section
    /// (`RFC 7644 §3.3: "…SHALL…"`); conformance checks only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
    /// Wall time of the check, in milliseconds.
    pub duration_ms: f64,
    /// The exchanges that prove the verdict, redacted.
    pub evidence: Vec<Exchange>,
}

/// Counts of outcomes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Passed.
    pub pass: usize,
    /// Failed.
    pub fail: usize,
    /// Errored.
    pub error: usize,
    /// Skipped.
    pub skip: usize,
}

impl Counts {
    /// Count one outcome.
    pub fn add(&mut self, o: Outcome) {
        match o {
            Outcome::Pass => self.pass += 1,
            Outcome::Fail => self.fail += 1,
            Outcome::Error => self.error += 1,
            Outcome::Skip => self.skip += 1,
        }
    }
    /// Everything counted.
    pub fn total(&self) -> usize {
        self.pass + self.fail + self.error + self.skip
    }
}

/// A whole run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    /// [`FORMAT_VERSION`].
    pub format_version: u32,
    /// scimtest's version.
    pub tool_version: String,
    /// Which command produced it (`check`).
    pub command: String,
    /// The run id (also the namespace prefix of what the run created on the target).
    pub run_id: String,
    /// The target's base URL (never with credentials).
    pub target: String,
    /// Whether the target was the embedded provider.
    pub embedded_target: bool,
    /// RFC 3339 start time.
    pub started_at: String,
    /// Wall time of the run, in milliseconds.
    pub duration_ms: f64,
    /// Counts per outcome.
    pub counts: Counts,
    /// Counts per level (`must`, `should`, ...).
    pub by_level: std::collections::BTreeMap<String, Counts>,
    /// Counts per area.
    pub by_area: std::collections::BTreeMap<String, Counts>,
    /// What the run created on the target and whether cleanup removed it.
    pub cleanup: CleanupReport,
    /// Every check, in catalogue order (for `replay`: one per replayed flow).
    pub checks: Vec<CheckReport>,
    /// `replay` only: the verdict per IdP profile.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub profiles: Vec<ProfileVerdict>,
    /// `load` only: the scenario, per-operation figures and thresholds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load: Option<LoadReport>,
    /// `check` only: the catalogue the checks come from, `<version>+<checks>.<fingerprint>`
    /// (`catalogue::version`, over every check listed, load's included); two runs with the
    /// same value ran against the same catalogue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalogue_version: Option<String>,
    /// Whether the run reached a verdict for everything it selected (`complete`), was stopped
    /// by Ctrl-C or SIGTERM (`interrupted`), or ended early for another reason (`incomplete`).
    /// Reports written before this field existed read as `complete`.
    #[serde(default)]
    pub status: RunStatus,
    /// The process exit code the run ended with (absent in reports written before it existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    /// `check` only: the levels whose failures and errors make the exit code 1 (`--fail-on`,
    /// `--strict`), e.g. `["must", "dialect"]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gating: Vec<Level>,
    /// The options that shaped the run, as they would be typed again (secrets as `"$TOKEN"`,
    /// `"$SECOND_TOKEN"`, header values as `…`), without `--target` and the report paths; the
    /// certificate's reproduce line is built from them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// `certify` only: the readiness per vendor programme (`--for`), each vendor test with the
    /// checks its predicted verdict rests on (their reports are in `checks`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub readiness: Vec<crate::report::readiness::Readiness>,
    /// The provisioning configuration the run judged (`--config FILE`), if one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration: Option<ConfigurationInfo>,
}

/// How far a run got.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    /// Every selected check, flow or load phase ran to a verdict (errors are verdicts).
    #[default]
    Complete,
    /// Stopped by Ctrl-C or SIGTERM: what had not run has no verdict.
    Interrupted,
    /// Ended early for another reason (checks never run, the run's time budget, a load run
    /// goose could not finish).
    Incomplete,
}

impl RunStatus {
    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Complete => "complete",
            RunStatus::Interrupted => "interrupted",
            RunStatus::Incomplete => "incomplete",
        }
    }

    /// Whether the run is complete.
    pub fn is_complete(self) -> bool {
        self == RunStatus::Complete
    }
}

/// A load run's figures (`load`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoadReport {
    /// The scenario's name.
    pub scenario: String,
    /// What it models.
    pub description: String,
    /// Concurrent goose users.
    pub users: usize,
    /// Wall time of the attack, in seconds.
    pub duration_s: f64,
    /// Requests sent.
    pub requests: u64,
    /// Requests that failed (wrong status, transport error, 429).
    pub errors: u64,
    /// 429 answers (also counted in `errors`).
    pub throttled: u64,
    /// Requests per second over the attack.
    pub rps: f64,
    /// CPU scimtest spent per 1,000 requests during the attack (ms); absent when the embedded
    /// provider shared the process (its CPU would be counted too).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_ms_per_1000: Option<f64>,
    /// Per operation.
    pub operations: Vec<OpReport>,
    /// The scenario's thresholds and their verdicts.
    pub thresholds: Vec<ThresholdReport>,
    /// Files written next to the report (goose's reports, plots, series), relative names.
    pub files: Vec<String>,
    /// The shard this run was (`--shard I/N`), or how many shards a merged report combines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<ShardInfo>,
    /// The scenario's TOML text, so `load merge` can re-apply its thresholds.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub scenario_toml: String,
    /// Per-operation series (whole-run and per-second histograms in goose's bucket scheme,
    /// [`super::series::OpSeries`]), the input of an exact merge and of the plots.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub series: Vec<super::series::OpSeries>,
    /// The attack's phases (ramp-up, steady, ramp-down), each a whole number of the series'
    /// seconds with its requests and req/s ([`super::phases`]); the headline req/s is the
    /// steady phase's. Absent in reports from before phases and when goose never held all its
    /// users.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phases: Vec<super::phases::PhaseReport>,
    /// `--baseline`: this run against an earlier one, per operation ([`super::compare`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparison: Option<super::compare::Comparison>,
    /// Users provisioned during the attack, with the headline ("1,600 users provisioned in
    /// 2.0 s (800 users/s)") and the `/Bulk` figures; absent in older reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning: Option<ProvisioningReport>,
    /// How the target throttled the run (429s, `Retry-After`) and what each IdP would do about
    /// it; absent in older reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limits: Option<RateLimitReport>,
    /// The IdP pace the run was held to (`load --pace IDP`) and whether the target kept up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pace: Option<PaceReport>,
    /// Goose users running in each second of the attack ([`super::series::UsersSecond`]);
    /// absent in reports written before it was kept.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub active_users: Vec<super::series::UsersSecond>,
    /// `load --config FILE`: the provisioning configuration that shaped the run and the
    /// scenario's operations it left out ("not configured").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<LoadConfigReport>,
}

/// The provisioning configuration a load run was shaped by (`load --config`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadConfigReport {
    /// The file as given.
    pub path: String,
    /// SHA-256 of its bytes, lower-case hex.
    pub sha256: String,
    /// The configuration, one line per object type (actions, matching, mapped targets).
    pub summary: Vec<String>,
    /// The scenario's operations the configuration left out or replaced.
    pub not_configured: Vec<NotConfiguredOp>,
}

/// One scenario operation a configuration did not send as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotConfiguredOp {
    /// The operation (`patch-user`).
    pub op: String,
    /// Its request name (`PATCH /Users/{id}`).
    pub request: String,
    /// Why ("users: update is not switched on").
    pub reason: String,
    /// The operation sent in its place, if any (`deactivate-user`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instead: Option<String>,
}

/// Which shard of a fleet a load report is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardInfo {
    /// 0-based index (for a merged report: the indices merged, in order).
    pub indices: Vec<usize>,
    /// Shards in the fleet.
    pub count: usize,
}

/// One operation's figures in a load run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpReport {
    /// `POST /Users`, `GET /Users/{id}`, ...
    pub op: String,
    /// Requests sent.
    pub requests: u64,
    /// Failed requests.
    pub errors: u64,
    /// Requests per second.
    pub rps: f64,
    /// Median latency (body included), ms.
    pub p50_ms: f64,
    /// 95th percentile, ms.
    pub p95_ms: f64,
    /// 99th percentile, ms.
    pub p99_ms: f64,
    /// Mean, ms.
    pub avg_ms: f64,
    /// Maximum, ms.
    pub max_ms: f64,
    /// HTTP status → count (goose's counts; `0` is a transport failure).
    pub status_counts: std::collections::BTreeMap<String, usize>,
}

/// A threshold and its verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThresholdReport {
    /// The rule, in goose's syntax (`p95<250ms for POST /Users`).
    pub rule: String,
    /// What was measured.
    pub observed: String,
    /// Whether it held.
    pub passed: bool,
}

/// How bad a replay failure is (`replay`): `destructive` when a read-back showed the target
/// destroyed data the IdP did not ask to destroy (a single-member remove that emptied the group,
/// an add that replaced the member list, a filter that returned other users, a one-attribute
/// PATCH that cleared others); `breaking` for any other failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The IdP would stop or leave the target in the wrong state.
    Breaking,
    /// The target destroyed data the IdP did not ask to destroy.
    Destructive,
}

impl Severity {
    /// `breaking` or `destructive`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Breaking => "breaking",
            Severity::Destructive => "destructive",
        }
    }
}

/// Would this IdP profile provision against the target? (`replay`.)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileVerdict {
    /// The IdP (`entra`, `okta`, `onelogin`).
    pub idp: String,
    /// The dialect.
    pub profile: String,
    /// Where the profile's traffic comes from and how faithful it is (its manifest); absent
    /// for fixtures loaded without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub about: Option<ProfileAbout>,
    /// True when every flow of the profile went through.
    pub would_provision: bool,
    /// `would provision`, `would break at <flow> step N (<name>): <what came back>`, or
    /// `would destroy data at <flow> step N (<name>): <what came back>`.
    pub verdict: String,
    /// The worst failure of the profile's flows; absent when it would provision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// The flows replayed, in order.
    pub flows: Vec<FlowVerdict>,
}

/// What a replay profile stands for (from `profile.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileAbout {
    /// The product a customer knows ("Okta Group Push").
    pub product: String,
    /// Which configuration of it.
    pub dialect: String,
    /// `capture`, `vendor-code`, `vendor-doc` or `research-notes`.
    pub faithfulness: String,
    /// The main source (URL or repository path).
    pub source: String,
    /// Flows this IdP does not have, with why: not applicable, not failures.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_applicable: Vec<NotApplicable>,
    /// What the IdP does on 429/5xx, in words (the replay applies it), when documented.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<String>,
}

/// A flow an IdP does not have.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotApplicable {
    /// The flow.
    pub flow: String,
    /// Why the IdP has no such flow.
    pub why: String,
}

impl ProfileVerdict {
    /// Whether any of its flows was replayed: false when a provisioning configuration excludes
    /// every one ("not configured", then it counts neither as provisioning nor as breaking).
    pub fn replayed(&self) -> bool {
        self.flows.iter().any(|f| f.not_configured.is_none())
    }
}

impl ProfileAbout {
    /// The product and dialect in one line.
    pub fn label(&self) -> String {
        format!("{} — {}", self.product, self.dialect)
    }
}

/// One replayed flow of a profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlowVerdict {
    /// The flow (`connection`, `user-lifecycle`, ...).
    pub flow: String,
    /// Pass, fail (the IdP would stop) or error (no answer).
    pub outcome: Outcome,
    /// Where it would break.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub break_at: Option<BreakAt>,
    /// The worst failure among the flow's steps; absent when it passed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// The first step whose read-back showed destroyed data (may come after `break_at`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destroys_data_at: Option<BreakAt>,
    /// Why the provisioning configuration excludes the whole flow (it was not replayed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_configured: Option<String>,
    /// The steps the provisioning configuration left out, and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub left_out: Vec<LeftOut>,
    /// Every step: number, name, outcome.
    pub steps: Vec<StepVerdict>,
}

/// Where a flow would break.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BreakAt {
    /// 1-based step number.
    pub step: usize,
    /// The step's name.
    pub name: String,
    /// What came back, against what the IdP needs.
    pub got: String,
    /// Why the IdP stops there.
    pub why: String,
    /// The RFC reference, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rfc: Option<String>,
}

/// One step of a replayed flow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepVerdict {
    /// 1-based step number.
    pub n: usize,
    /// The step's name.
    pub name: String,
    /// `pass`, `fail`, `error` or `skipped`.
    pub outcome: String,
    /// A harness read-back rather than IdP traffic.
    pub synthetic: bool,
    /// How bad the failure is; absent unless the step failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
}

/// Cleanup of what the run created (owned by the client floor, which does the cleaning).
pub use crate::client::namespace::CleanupReport;

impl RunReport {
    /// Whether a check of a gating level failed (`--fail-on`; MUST when the report predates
    /// the `gating` field).
    pub fn gate_failed(&self) -> bool {
        let gates: &[Level] = if self.gating.is_empty() {
            &[Level::Must]
        } else {
            &self.gating
        };
        self.checks
            .iter()
            .any(|c| gates.contains(&c.level) && c.outcome == Outcome::Fail)
    }

    /// Recompute the counts from `checks`.
    pub fn recount(&mut self) {
        let mut counts = Counts::default();
        let mut by_level = std::collections::BTreeMap::new();
        let mut by_area = std::collections::BTreeMap::new();
        for c in &self.checks {
            counts.add(c.outcome);
            by_level
                .entry(c.level.as_str().to_string())
                .or_insert_with(Counts::default)
                .add(c.outcome);
            by_area
                .entry(c.area.clone())
                .or_insert_with(Counts::default)
                .add(c.outcome);
        }
        self.counts = counts;
        self.by_level = by_level;
        self.by_area = by_area;
    }
}

/// Users provisioned by a load run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProvisioningReport {
    /// Users created during the attack: single `POST /Users` answered 201 plus the 201s inside
    /// BulkResponses (the data pool set up before the attack is not counted).
    pub users: u64,
    /// The attack's wall time, seconds.
    pub seconds: f64,
    /// `users / seconds`.
    pub users_per_second: f64,
    /// Of `users`, created by single `POST /Users`.
    pub single: u64,
    /// Of `users`, created inside `POST /Bulk`.
    pub bulk: u64,
    /// "1,600 users provisioned in 2.0 s (800 users/s)".
    pub headline: String,
    /// The `/Bulk` figures, when the run sent `/Bulk`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bulk_detail: Option<BulkReport>,
}

/// What a run sent to `/Bulk` and what came back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BulkReport {
    /// What the target declares, in one line (`bulk.supported = true, maxOperations 1000, …`).
    pub declared: String,
    /// The target's `bulk.maxOperations`, when declared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_operations: Option<usize>,
    /// The target's `bulk.maxPayloadSize` in bytes, when declared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_payload_bytes: Option<usize>,
    /// Operations per request: the scenario's `batch`, lowered to `maxOperations` (a batch is
    /// split further to stay under `maxPayloadSize`).
    pub batch: usize,
    /// `POST /Bulk` requests sent.
    pub requests: u64,
    /// Operations in them.
    pub operations: u64,
    /// Creates answered 201.
    pub created: u64,
    /// Deletes answered 204.
    pub deleted: u64,
    /// Operations that did not succeed, by their status inside the BulkResponse (`"0"`: no
    /// status for it, because the operation was missing or the whole request failed).
    pub failed: std::collections::BTreeMap<String, u64>,
}

/// How the target throttled a load run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RateLimitReport {
    /// 429 answers.
    pub throttled: u64,
    /// 429s by request name.
    pub by_operation: std::collections::BTreeMap<String, u64>,
    /// The most 429s in one second of the attack.
    pub peak_per_second: u64,
    /// 429s per second over the whole attack.
    pub avg_per_second: f64,
    /// Seconds of the attack that had at least one 429.
    pub seconds_throttled: u64,
    /// 429s that carried `Retry-After`.
    pub retry_after_sent: u64,
    /// 429s without it.
    pub retry_after_missing: u64,
    /// `Retry-After` values as sent → count.
    pub retry_after_values: std::collections::BTreeMap<String, u64>,
    /// 429s after which the virtual user waited what the target asked in full.
    pub honoured: u64,
    /// 429s whose wait was cut short (longer than the cap, or the run ended).
    pub cut_short: u64,
    /// What scimtest's load client does with a 429, in words.
    pub client: String,
    /// One sentence: "no throttling", or how the target throttled.
    pub summary: String,
    /// What each IdP would do about this throttling, in words.
    pub idps: Vec<IdpReaction>,
}

/// What one IdP does when a target throttles it the way this run was throttled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdpReaction {
    /// The pace preset / IdP name (`entra`).
    pub idp: String,
    /// The product (`Microsoft Entra ID`).
    pub product: String,
    /// In words: retry, back off, quarantine.
    pub reaction: String,
    /// Where it is documented.
    pub source: String,
}

/// The IdP pace a run was held to and whether the target kept up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaceReport {
    /// The preset (`entra`).
    pub preset: String,
    /// The product (`Microsoft Entra ID`).
    pub product: String,
    /// The preset's cap in requests per second; absent when the IdP sends one request after
    /// another with no cap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests_per_second: Option<u32>,
    /// Concurrent virtual users.
    pub users: usize,
    /// The IdP's request timeout, seconds.
    pub timeout_s: f64,
    /// The rate the run reached, requests per second.
    pub achieved_rps: f64,
    /// Whether the target kept up: the rate reached (at least 80 % of a cap), no 429, errors
    /// under 1 %, and no request slower than the IdP's timeout.
    pub kept_up: bool,
    /// One sentence saying so, with the figures.
    pub verdict: String,
    /// Where the preset's numbers come from.
    pub source: String,
}

/// A step a provisioning configuration left out of a replayed flow, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeftOut {
    /// The step's name.
    pub step: String,
    /// Why, one line ("groups are not provisioned").
    pub why: String,
}

/// The provisioning configuration a run judged (`--config FILE`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigurationInfo {
    /// The file as given.
    pub path: String,
    /// SHA-256 of its bytes, hex.
    pub sha256: String,
    /// What it configures, one line per object type.
    pub summary: Vec<String>,
    /// The file's text.
    pub text: String,
}
