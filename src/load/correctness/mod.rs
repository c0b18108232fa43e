//! Correctness under load: what a provisioning burst must not break, checked against the target
//! with concurrent requests and verified by read-back, each check a [`CheckReport`] in the load
//! report (area `load`, ids `load.correctness.<name>`):
//!
//! - `unique-username`: K concurrent `POST /Users` with one userName give exactly one 201 and
//!   K-1 409 `uniqueness`, and a filter then finds exactly one user with that name;
//! - `read-your-write`: a PATCH or PUT that answered 2xx is visible to the very next GET;
//! - `concurrent-member-adds`: K concurrent member adds (then removes) on one group lose none;
//! - `no-leftovers`: after the checks deleted what they created, nothing of it is readable or
//!   found by a `sw` filter on the module's name prefix.
//!
//! Everything is created under the run [`Namespace`] with a per-call prefix
//! (`scimtest-<run>-lc<nonce>-`), tracked there while it exists, and deleted (then untracked) by
//! the check that created it. Only resources this module created are ever deleted: a location it
//! was given, or a resource carrying its exact namespaced name. A transport failure or timeout
//! is an [`Outcome::Error`](crate::report::model::Outcome::Error) with the exchange as evidence,
//! never a panic.
//!
//! `catalogue` describes the checks (the one catalogue lists them), `session` is what they
//! share, and each check has its own file.

mod catalogue;
mod member_adds;
mod no_leftovers;
mod read_your_write;
mod session;
mod unique_username;

pub use catalogue::{
    CHECKS, CONCURRENT_MEMBER_ADDS, NO_LEFTOVERS, READ_YOUR_WRITE, UNIQUE_USERNAME, entries,
};

use crate::client::{Client, Namespace};
use crate::report::model::CheckReport;
use session::Session;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// Most exchanges kept as evidence per check.
pub const MAX_EVIDENCE: usize = 6;
/// The smallest number of concurrent requests a check sends (the brief's K ≥ 8).
pub const MIN_CONCURRENCY: usize = 8;
/// The largest number of concurrent requests a check sends, whatever was asked.
pub const MAX_CONCURRENCY: usize = 256;
/// Writes-then-reads done by `read-your-write`, spread over its parallel lanes.
pub const READ_YOUR_WRITE_ROUNDS: usize = 50;
/// How long a check waits before re-reading a group that misses members (to tell a lost update
/// from a slow replica).
pub const RECHECK_AFTER: Duration = Duration::from_secs(1);

/// Run every check, one after the other (each sends its own concurrent burst of
/// `concurrency` requests, at least [`MIN_CONCURRENCY`], at most [`MAX_CONCURRENCY`]).
pub async fn run_all(client: &Client, ns: &Namespace, concurrency: usize) -> Vec<CheckReport> {
    run(client, ns, concurrency).await.reports
}

/// What [`run`] returns: the reports and how many resources the checks created (for the run's
/// `CleanupReport::created`; what they could not delete is still tracked in the namespace).
#[derive(Debug, Clone)]
pub struct Run {
    /// One report per check, in [`CHECKS`] order.
    pub reports: Vec<CheckReport>,
    /// Resources created on the target (deleted again unless still tracked).
    pub created: usize,
}

/// [`run_all`], also counting what was created.
pub async fn run(client: &Client, ns: &Namespace, concurrency: usize) -> Run {
    run_scoped(client, ns, concurrency, &Scope::default()).await
}

/// What the checks exercise under `load --config`: a check whose subject the configuration
/// excludes is skipped as "not configured" (never a failure), `/Groups` is not read when groups
/// are not provisioned, and `read-your-write` writes the mapped attributes.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// Check id → why it is not configured.
    pub not_configured: Vec<(&'static str, String)>,
    /// Groups are not provisioned: no request goes to `/Groups`.
    pub no_groups: bool,
    /// How users are written (mapped attributes).
    pub users: Option<std::sync::Arc<crate::load::provisioning::UserShape>>,
}

impl Scope {
    fn skipped(&self, id: &str) -> Option<&str> {
        self.not_configured
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(_, why)| why.as_str())
    }
}

/// A check the configuration does not cover.
fn not_configured(spec: &crate::report::catalogue::CheckMeta, why: &str) -> CheckReport {
    session::report(
        spec,
        std::time::Instant::now(),
        crate::report::model::Outcome::Skip,
        format!("not configured: {why}"),
        session::Evidence::default(),
    )
}

/// [`run`] within what a provisioning configuration covers.
pub async fn run_scoped(client: &Client, ns: &Namespace, concurrency: usize, scope: &Scope) -> Run {
    let k = concurrency.clamp(MIN_CONCURRENCY, MAX_CONCURRENCY);
    let s = Session::new(client, ns);
    let mut reports = Vec::new();
    reports.push(match scope.skipped(UNIQUE_USERNAME.id) {
        Some(why) => not_configured(&UNIQUE_USERNAME, why),
        None => unique_username::unique_username(&s, k).await,
    });
    reports.push(match scope.skipped(READ_YOUR_WRITE.id) {
        Some(why) => not_configured(&READ_YOUR_WRITE, why),
        None => read_your_write::read_your_write(&s, k, scope.users.as_deref()).await,
    });
    reports.push(match scope.skipped(CONCURRENT_MEMBER_ADDS.id) {
        Some(why) => not_configured(&CONCURRENT_MEMBER_ADDS, why),
        None => member_adds::concurrent_member_adds(&s, k).await,
    });
    reports.push(no_leftovers::no_leftovers(&s, k, !scope.no_groups).await);
    Run {
        reports,
        created: s.created.load(Ordering::Relaxed),
    }
}
