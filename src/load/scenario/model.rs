//! The validated scenario: the operations a virtual user performs (the shared vocabulary of
//! scenarios, the engine and the reports), the run shape, the test data and the operation mix.

use super::error::unknown_name;
use super::threshold::Threshold;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

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
    /// `GET /Users?count=…&cursor=…`: the next page of a cursor-paged listing (RFC 9865), each
    /// goose user walking its own listing by `nextCursor` and starting over after the last page.
    ListUsersCursor,
    /// `GET /Groups?count=…&cursor=…`: as `list-users-cursor`, over groups.
    ListGroupsCursor,
    /// `POST /Groups` with members from the user pool.
    CreateGroup,
    /// `PATCH /Groups/{id}` adding members.
    AddMembers,
    /// `PATCH /Groups/{id}` removing members.
    RemoveMembers,
    /// `DELETE /Groups/{id}`.
    DeleteGroup,
    /// `PATCH /Groups/{id}` replacing the whole member list (Okta Group Push).
    ReplaceMembers,
    /// `GET /Groups/{id}?excludedAttributes=members`: a group read without its members (Entra).
    ReadGroup,
    /// `GET /Groups/{id}?attributes=members.value`, compared with the members the scenario's
    /// own writes leave: a member lost, invented or listed twice fails the request.
    CheckMembers,
    /// `POST /Bulk` with `batch` user creates (RFC 7644 §3.7), split to the target's
    /// `bulk.maxOperations` and `bulk.maxPayloadSize`; each `201` inside is a provisioned user.
    BulkCreateUsers,
    /// `POST /Bulk` with `batch` user deletes of users this virtual user created.
    BulkDeleteUsers,
}

impl Op {
    /// Every operation, in documentation order.
    pub const ALL: [Op; 20] = [
        Op::CreateUser,
        Op::GetUser,
        Op::FilterUser,
        Op::PatchUser,
        Op::DeactivateUser,
        Op::PutUser,
        Op::DeleteUser,
        Op::ListUsers,
        Op::ListGroups,
        Op::ListUsersCursor,
        Op::ListGroupsCursor,
        Op::CreateGroup,
        Op::AddMembers,
        Op::RemoveMembers,
        Op::DeleteGroup,
        Op::ReplaceMembers,
        Op::ReadGroup,
        Op::CheckMembers,
        Op::BulkCreateUsers,
        Op::BulkDeleteUsers,
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
            Op::ListUsersCursor => "list-users-cursor",
            Op::ListGroupsCursor => "list-groups-cursor",
            Op::CreateGroup => "create-group",
            Op::AddMembers => "add-members",
            Op::RemoveMembers => "remove-members",
            Op::DeleteGroup => "delete-group",
            Op::ReplaceMembers => "replace-members",
            Op::ReadGroup => "read-group",
            Op::CheckMembers => "check-members",
            Op::BulkCreateUsers => "bulk-create-users",
            Op::BulkDeleteUsers => "bulk-delete-users",
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
            Op::ListUsersCursor => "GET /Users?cursor&count",
            Op::ListGroupsCursor => "GET /Groups?cursor&count",
            Op::CreateGroup => "POST /Groups",
            Op::AddMembers => "PATCH /Groups/{id} add",
            Op::RemoveMembers => "PATCH /Groups/{id} remove",
            Op::DeleteGroup => "DELETE /Groups/{id}",
            Op::ReplaceMembers => "PATCH /Groups/{id} replace",
            Op::ReadGroup => "GET /Groups/{id}?excludedAttributes=members",
            Op::CheckMembers => "GET /Groups/{id} check-members",
            Op::BulkCreateUsers => "POST /Bulk create-users",
            Op::BulkDeleteUsers => "POST /Bulk delete-users",
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
    pub(super) fn needs_users(self) -> bool {
        matches!(
            self,
            Op::GetUser
                | Op::FilterUser
                | Op::PatchUser
                | Op::DeactivateUser
                | Op::PutUser
                | Op::DeleteUser
                | Op::BulkDeleteUsers
        )
    }

    /// Whether the operation acts on groups that already exist.
    pub(super) fn needs_groups(self) -> bool {
        matches!(
            self,
            Op::AddMembers
                | Op::RemoveMembers
                | Op::DeleteGroup
                | Op::ReplaceMembers
                | Op::ReadGroup
                | Op::CheckMembers
        )
    }

    /// Whether `batch` (operations per `/Bulk` request) applies to the operation.
    pub fn takes_batch(self) -> bool {
        matches!(self, Op::BulkCreateUsers | Op::BulkDeleteUsers)
    }

    /// Whether the operation sends `POST /Bulk`.
    pub fn is_bulk(self) -> bool {
        self.takes_batch()
    }

    /// Whether `members` (users per request) applies to the operation.
    pub(super) fn takes_members(self) -> bool {
        matches!(
            self,
            Op::AddMembers | Op::RemoveMembers | Op::CreateGroup | Op::ReplaceMembers
        )
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
    /// `count` for `list-users`, `list-groups` and their `-cursor` forms (Okta imports with 100).
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
pub(super) const DEFAULT_PAGE_SIZE: usize = 100;

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
    /// Operations per `POST /Bulk` for `bulk-create-users` / `bulk-delete-users` (default
    /// [`DEFAULT_BATCH`], lowered to the target's `bulk.maxOperations`); `None` for every other
    /// operation.
    pub batch: Option<usize>,
}

/// Operations per `/Bulk` request when `batch` is not given: Okta's import page and authentik's
/// full-sync task are 100 objects, so an IdP-sized batch.
pub const DEFAULT_BATCH: usize = 100;

impl Scenario {
    /// Every threshold in goose `--threshold` syntax, in file order.
    pub fn goose_thresholds(&self) -> Vec<String> {
        self.thresholds.iter().map(Threshold::to_goose).collect()
    }

    /// Whether the operations form a lifecycle (ordered by `sequence`) rather than a mix.
    pub fn is_sequenced(&self) -> bool {
        self.operations.iter().any(|o| o.sequence.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
