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
//! is an [`Outcome::Error`] with the exchange as evidence, never a panic.

use crate::client::exchange::Exchange;
use crate::client::http::Body;
use crate::client::{Client, Namespace, Resp, enc};
use crate::report::model::{CheckReport, Level, Outcome};
use futures::future::join_all;
use parking_lot::Mutex;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

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

/// One check's fixed description (the catalogue `--list` and the docs read).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spec {
    /// The id, `load.correctness.<name>`.
    pub id: &'static str,
    /// One-line title.
    pub title: &'static str,
    /// The RFC section.
    pub rfc: &'static str,
    /// How binding it is.
    pub level: Level,
    /// The provider `--fault` that makes it fail.
    pub fault: &'static str,
    /// How to fix a target that fails it.
    pub hint: &'static str,
}

/// `unique-username`.
pub const UNIQUE_USERNAME: Spec = Spec {
    id: "load.correctness.unique-username",
    title: "concurrent POSTs of one userName give exactly one 201 and 409 uniqueness for the rest",
    rfc: "RFC 7644 §3.3",
    level: Level::Must,
    fault: "no-uniqueness",
    hint: "enforce userName uniqueness atomically (a unique index on the case-folded userName, \
           or check and insert under one lock/transaction) and answer 409 with scimType \
           \"uniqueness\" to the losers",
};

/// `read-your-write`.
pub const READ_YOUR_WRITE: Spec = Spec {
    id: "load.correctness.read-your-write",
    title: "a PATCH or PUT that answered 2xx is visible to the next GET of the resource",
    rfc: "RFC 7644 §3.5.1, §3.5.2",
    level: Level::Should,
    fault: "stale-reads",
    hint: "serve GET by id from the primary (or a cache invalidated on write) so a client that \
           just wrote sees its write; IdPs read back right after writing (Okta GET-then-PUT)",
};

/// `concurrent-member-adds`.
pub const CONCURRENT_MEMBER_ADDS: Spec = Spec {
    id: "load.correctness.concurrent-member-adds",
    title: "concurrent member add and remove PATCHes on one group lose no update",
    rfc: "RFC 7644 §3.5.2.1, §3.5.2.2",
    level: Level::Must,
    fault: "lost-member-updates",
    hint: "apply a group PATCH as one atomic read-modify-write (row lock, SELECT … FOR UPDATE, \
           or a membership table written per member), or answer 409/412 to the loser instead \
           of overwriting",
};

/// `no-leftovers`.
pub const NO_LEFTOVERS: Spec = Spec {
    id: "load.correctness.no-leftovers",
    title: "resources deleted after the load checks are gone: 404 by id, absent from filters",
    rfc: "RFC 7644 §3.6",
    level: Level::Must,
    fault: "delete-ignored",
    hint: "a DELETE that answered 2xx must remove the resource: later GETs answer 404 and \
           queries omit it (soft-deleted rows must be filtered out)",
};

/// Every check, in run order.
pub const CHECKS: [Spec; 4] = [
    UNIQUE_USERNAME,
    READ_YOUR_WRITE,
    CONCURRENT_MEMBER_ADDS,
    NO_LEFTOVERS,
];

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
    let k = concurrency.clamp(MIN_CONCURRENCY, MAX_CONCURRENCY);
    let s = Session::new(client, ns);
    let reports = vec![
        unique_username(&s, k).await,
        read_your_write(&s, k).await,
        concurrent_member_adds(&s, k).await,
        no_leftovers(&s, k).await,
    ];
    Run {
        reports,
        created: s.created.load(Ordering::Relaxed),
    }
}

/// What the checks of one `run_all` share: the client, the namespace, the name prefix, and
/// the ledger of what they deleted (for `no-leftovers`).
struct Session<'a> {
    client: &'a Client,
    ns: &'a Namespace,
    prefix: String,
    deleted: Mutex<Vec<String>>,
    created: AtomicUsize,
}

impl<'a> Session<'a> {
    fn new(client: &'a Client, ns: &'a Namespace) -> Session<'a> {
        let nonce = uuid::Uuid::new_v4().simple().to_string();
        let prefix = ns.name(&format!("lc{}-", nonce.get(..6).unwrap_or("0")));
        Session {
            client,
            ns,
            prefix,
            deleted: Mutex::new(Vec::new()),
            created: AtomicUsize::new(0),
        }
    }

    fn name(&self, suffix: &str) -> String {
        format!("{}{suffix}", self.prefix)
    }

    /// Track a resource this module created.
    fn track(&self, location: &str) {
        self.ns.track(location);
        self.created.fetch_add(1, Ordering::Relaxed);
    }

    /// Create a resource; on 2xx, track it and return its location.
    async fn create(&self, endpoint: &str, body: &Value) -> (Resp, Option<String>) {
        let r = self
            .client
            .send("POST", endpoint, Some(Body::Json(body)), &[])
            .await;
        let loc = if is_2xx(&r) {
            location_of(self.client, endpoint, &r)
        } else {
            None
        };
        if let Some(l) = &loc {
            self.track(l);
        }
        (r, loc)
    }

    /// Delete these locations (in order, `k` at a time); untrack and ledger each one gone
    /// (2xx or 404). Returns the responses of the deletes that failed.
    async fn delete_all(&self, locs: &[String], k: usize) -> Vec<Resp> {
        let mut failed = Vec::new();
        for chunk in locs.chunks(k.max(1)) {
            let rs = join_all(
                chunk
                    .iter()
                    .map(|l| self.client.send("DELETE", l, None, &[])),
            )
            .await;
            for (loc, r) in chunk.iter().zip(rs) {
                if is_2xx(&r) || r.status == Some(404) {
                    self.ns.untrack(loc);
                    self.deleted.lock().push(loc.clone());
                } else {
                    failed.push(r);
                }
            }
        }
        failed
    }
}

/// Evidence, capped at [`MAX_EVIDENCE`] exchanges.
#[derive(Default)]
struct Evidence(Vec<Exchange>);

impl Evidence {
    fn push(&mut self, r: &Resp) {
        if self.0.len() < MAX_EVIDENCE {
            self.0.push(r.exchange.clone());
        }
    }
}

fn report(
    spec: &Spec,
    started: Instant,
    outcome: Outcome,
    reason: String,
    evidence: Evidence,
) -> CheckReport {
    CheckReport {
        id: spec.id.to_string(),
        title: spec.title.to_string(),
        rfc: spec.rfc.to_string(),
        level: spec.level,
        area: "load".to_string(),
        outcome,
        reason,
        hint: matches!(outcome, Outcome::Fail | Outcome::Error).then(|| spec.hint.to_string()),
        quote: None,
        duration_ms: started.elapsed().as_secs_f64() * 1000.0,
        evidence: evidence.0,
    }
}

fn is_2xx(r: &Resp) -> bool {
    r.status.is_some_and(|s| (200..300).contains(&s))
}

/// What came back, in a few words: `409 uniqueness`, `timed out`, `500`.
fn got(r: &Resp) -> String {
    match (r.status, &r.error) {
        (None, Some(e)) => e.clone(),
        (None, None) => "no answer".into(),
        (Some(s), _) => match r.body()["scimType"].as_str() {
            Some(t) => format!("{s} {t}"),
            None => s.to_string(),
        },
    }
}

/// Where a created resource lives: `meta.location`, else the `Location` header (either
/// resolved against the base URL as RFC 3986 says when relative), else `<endpoint>/<id>`.
fn location_of(client: &Client, endpoint: &str, r: &Resp) -> Option<String> {
    let given = r
        .body()
        .pointer("/meta/location")
        .and_then(Value::as_str)
        .or_else(|| r.header("location"));
    if let Some(reference) = given {
        let base = format!("{}/", client.base_url());
        return Some(
            reqwest::Url::parse(&base)
                .and_then(|b| b.join(reference))
                .map_or_else(|_| client.url(reference), |u| u.to_string()),
        );
    }
    r.body()["id"]
        .as_str()
        .map(|id| client.url(&format!("{endpoint}/{}", enc(id))))
}

/// The member ids of a group document.
fn member_ids(group: &Value) -> BTreeSet<String> {
    group["members"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|m| m["value"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// `n` of `total` as a short tally of statuses: `1×201, 7×409 uniqueness`.
fn tally(rs: &[Resp]) -> String {
    let mut by: BTreeMap<String, usize> = BTreeMap::new();
    for r in rs {
        *by.entry(got(r)).or_default() += 1;
    }
    by.iter()
        .map(|(k, n)| format!("{n}×{k}"))
        .collect::<Vec<_>>()
        .join(", ")
}

// ---------------------------------------------------------------------------------------------
// unique-username

async fn unique_username(s: &Session<'_>, k: usize) -> CheckReport {
    let spec = &UNIQUE_USERNAME;
    let started = Instant::now();
    let mut ev = Evidence::default();
    let name = s.name("uniq");
    let body = json!({"schemas": [USER_SCHEMA], "userName": name, "displayName": name});
    let results = join_all((0..k).map(|_| s.create("/Users", &body))).await;
    let mut created: Vec<String> = Vec::new();
    let mut created_ids: BTreeSet<String> = BTreeSet::new();
    let mut resps: Vec<Resp> = Vec::with_capacity(k);
    for (r, loc) in results {
        if let Some(l) = loc {
            created.push(l);
        }
        if is_2xx(&r)
            && let Some(id) = r.body()["id"].as_str()
        {
            created_ids.insert(id.to_string());
        }
        resps.push(r);
    }
    let oks: Vec<&Resp> = resps.iter().filter(|r| is_2xx(r)).collect();
    let conflicts: Vec<&Resp> = resps.iter().filter(|r| r.status == Some(409)).collect();
    let untyped = conflicts
        .iter()
        .filter(|r| r.body()["scimType"].as_str() != Some("uniqueness"))
        .count();
    let transport: Vec<&Resp> = resps.iter().filter(|r| r.status.is_none()).collect();
    let odd: Vec<&Resp> = resps
        .iter()
        .filter(|r| r.status.is_some() && !is_2xx(r) && r.status != Some(409))
        .collect();
    // Evidence: the winner, a loser, a second winner, and whatever was odd.
    for r in oks.iter().take(2) {
        ev.push(r);
    }
    if let Some(r) = conflicts
        .iter()
        .find(|r| r.body()["scimType"].as_str() != Some("uniqueness"))
        .or(conflicts.first())
    {
        ev.push(r);
    }
    if let Some(r) = transport.first().or(odd.first()) {
        ev.push(r);
    }

    // Read back: how many users carry the name now?
    let filter = enc(&format!("userName eq \"{name}\""));
    let rb = s
        .client
        .send("GET", &format!("/Users?filter={filter}"), None, &[])
        .await;
    ev.push(&rb);
    let found: Vec<String> = rb.body()["Resources"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|u| {
                    u["userName"]
                        .as_str()
                        .is_some_and(|n| n.eq_ignore_ascii_case(&name))
                })
                .filter_map(|u| u["id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();

    // Clean up: what answered 201, and anything found with this exact name (ours: a request
    // whose answer was lost may have created it).
    let mut to_delete = created.clone();
    for id in found.iter().filter(|id| !created_ids.contains(*id)) {
        let loc = s.client.url(&format!("/Users/{}", enc(id)));
        s.track(&loc);
        to_delete.push(loc);
    }
    let failed_deletes = s.delete_all(&to_delete, k).await;
    if let Some(r) = failed_deletes.first() {
        ev.push(r);
    }

    let sent = format!("{k} concurrent POST /Users with userName {name:?}");
    let (outcome, reason) = if oks.len() > 1 {
        (
            Outcome::Fail,
            format!(
                "{sent}: {} answered 2xx, expected exactly one 201 and {} × 409 uniqueness \
                 (got {}); the filter read-back found {} users with that userName",
                oks.len(),
                k - 1,
                tally(&resps),
                found.len()
            ),
        )
    } else if rb.status == Some(200) && found.len() > 1 {
        (
            Outcome::Fail,
            format!(
                "{sent} ({}): the filter read-back found {} users with that userName, expected \
                 exactly one",
                tally(&resps),
                found.len()
            ),
        )
    } else if !transport.is_empty() {
        (
            Outcome::Error,
            format!(
                "{sent}: {} of them got no answer ({}); no verdict",
                transport.len(),
                tally(&resps)
            ),
        )
    } else if odd.iter().any(|r| r.status == Some(429)) {
        (
            Outcome::Error,
            format!(
                "{sent}: the target throttled ({}); lower the concurrency for a verdict",
                tally(&resps)
            ),
        )
    } else if oks.is_empty() {
        (
            Outcome::Fail,
            format!(
                "{sent}: none answered 201 (got {}), expected exactly one",
                tally(&resps)
            ),
        )
    } else if !odd.is_empty() {
        (
            Outcome::Fail,
            format!(
                "{sent}: expected one 201 and {} × 409 uniqueness, got {}",
                k - 1,
                tally(&resps)
            ),
        )
    } else if untyped > 0 {
        (
            Outcome::Fail,
            format!(
                "{sent}: {untyped} of the 409s lack scimType \"uniqueness\" (got {})",
                tally(&resps)
            ),
        )
    } else if rb.status != Some(200) {
        (
            Outcome::Error,
            format!(
                "{sent} gave {}, but the filter read-back GET /Users?filter=userName eq … \
                 answered {}; no verdict on what was stored",
                tally(&resps),
                got(&rb)
            ),
        )
    } else if found.len() != 1 {
        (
            Outcome::Fail,
            format!(
                "{sent} gave {}, but the filter read-back found {} users with that userName, \
                 expected exactly one",
                tally(&resps),
                found.len()
            ),
        )
    } else {
        (
            Outcome::Pass,
            format!(
                "{sent}: {}; the filter read-back found exactly one user",
                tally(&resps)
            ),
        )
    };
    report(spec, started, outcome, reason, ev)
}

// ---------------------------------------------------------------------------------------------
// read-your-write

/// One lane of `read-your-write`: its own user, written and read back `rounds` times.
#[derive(Default)]
struct Lane {
    reads: usize,
    stale: usize,
    /// The first stale read: what was written and what came back, with both exchanges.
    first_stale: Option<(String, String, Resp, Resp)>,
    /// A write or read that failed (status), with the exchange.
    failure: Option<(String, Resp)>,
    /// A transport error, with the exchange.
    error: Option<(String, Resp)>,
    /// The setup (create) response when it failed.
    setup: Option<Resp>,
    failed_deletes: Vec<Resp>,
}

async fn rw_lane(s: &Session<'_>, lane: usize, rounds: usize) -> Lane {
    let mut out = Lane::default();
    let name = s.name(&format!("rw{lane}"));
    let (r, loc) = s
        .create(
            "/Users",
            &json!({"schemas": [USER_SCHEMA], "userName": name, "displayName": "v0"}),
        )
        .await;
    let Some(loc) = loc else {
        out.setup = Some(r);
        return out;
    };
    let mut patch_unsupported = false;
    for round in 0..rounds {
        let value = format!("rw-{lane}-{round}");
        let use_put = round % 2 == 1 || patch_unsupported;
        let (what, w) = if use_put {
            let body = json!({"schemas": [USER_SCHEMA], "userName": name, "displayName": value});
            let w = s
                .client
                .send("PUT", &loc, Some(Body::Json(&body)), &[])
                .await;
            ("PUT", w)
        } else {
            let body = json!({"schemas": [PATCH_OP], "Operations": [
                {"op": "replace", "path": "displayName", "value": value}]});
            let w = s
                .client
                .send("PATCH", &loc, Some(Body::Json(&body)), &[])
                .await;
            if w.status == Some(501) {
                patch_unsupported = true;
                continue;
            }
            ("PATCH", w)
        };
        if w.status.is_none() {
            out.error = Some((format!("{what} displayName={value:?}"), w));
            break;
        }
        if !is_2xx(&w) {
            out.failure = Some((
                format!("{what} displayName={value:?} answered {}", got(&w)),
                w,
            ));
            break;
        }
        let g = s.client.send("GET", &loc, None, &[]).await;
        if g.status.is_none() {
            out.error = Some(("GET after the write".into(), g));
            break;
        }
        if g.status != Some(200) {
            out.failure = Some((
                format!(
                    "GET after {what} displayName={value:?} answered {}",
                    got(&g)
                ),
                g,
            ));
            break;
        }
        out.reads += 1;
        let seen = g.body()["displayName"].as_str().map(str::to_string);
        if seen.as_deref() != Some(value.as_str()) {
            out.stale += 1;
            if out.first_stale.is_none() {
                let seen = seen.map_or_else(|| "no displayName".into(), |v| format!("{v:?}"));
                out.first_stale = Some((format!("{what} displayName={value:?}"), seen, w, g));
            }
        }
    }
    out.failed_deletes = s.delete_all(&[loc], 1).await;
    out
}

async fn read_your_write(s: &Session<'_>, k: usize) -> CheckReport {
    let spec = &READ_YOUR_WRITE;
    let started = Instant::now();
    let mut ev = Evidence::default();
    let lanes = k.min(8);
    let rounds = (READ_YOUR_WRITE_ROUNDS / lanes).max(5);
    let results = join_all((0..lanes).map(|lane| rw_lane(s, lane, rounds))).await;
    let reads: usize = results.iter().map(|l| l.reads).sum();
    let stale: usize = results.iter().map(|l| l.stale).sum();
    let sent = format!(
        "{lanes} users in parallel, each written {rounds} times (PATCH and PUT of displayName \
         alternating) and read back with GET right after every write"
    );
    for l in &results {
        for r in &l.failed_deletes {
            ev.push(r);
        }
    }
    let (outcome, reason) =
        if let Some((what, seen, w, g)) = results.iter().find_map(|l| l.first_stale.as_ref()) {
            ev.push(w);
            ev.push(g);
            (
                Outcome::Fail,
                format!(
                    "{sent}: {stale} of {reads} reads did not show the value just written; first: \
                 after {what} answered {}, the next GET answered {}",
                    got(w),
                    seen
                ),
            )
        } else if let Some(r) = results.iter().find_map(|l| l.setup.as_ref()) {
            ev.push(r);
            let outcome = if r.status.is_none() {
                Outcome::Error
            } else {
                Outcome::Fail
            };
            (
                outcome,
                format!(
                    "{sent}: setup POST /Users answered {}, expected 201; no verdict",
                    got(r)
                ),
            )
        } else if let Some((what, r)) = results.iter().find_map(|l| l.error.as_ref()) {
            ev.push(r);
            (
                Outcome::Error,
                format!("{sent}: {what} got no answer ({}); no verdict", got(r)),
            )
        } else if let Some((what, r)) = results.iter().find_map(|l| l.failure.as_ref()) {
            ev.push(r);
            (
                Outcome::Fail,
                format!("{sent}: {what}, expected 2xx on the write and 200 on the read"),
            )
        } else {
            (
                Outcome::Pass,
                format!("{sent}: all {reads} reads showed the value just written"),
            )
        };
    report(spec, started, outcome, reason, ev)
}

// ---------------------------------------------------------------------------------------------
// concurrent-member-adds

/// GET the group; when `want(members)` is false, wait [`RECHECK_AFTER`] and read once more
/// (a lagging replica catches up, a lost update does not). Returns the last read and whether
/// the first read already disagreed.
async fn read_members(
    s: &Session<'_>,
    group: &str,
    want: impl Fn(&BTreeSet<String>) -> bool,
) -> (Resp, bool) {
    let first = s.client.send("GET", group, None, &[]).await;
    if first.status != Some(200) || want(&member_ids(first.body())) {
        return (first, false);
    }
    tokio::time::sleep(RECHECK_AFTER).await;
    (s.client.send("GET", group, None, &[]).await, true)
}

async fn concurrent_member_adds(s: &Session<'_>, k: usize) -> CheckReport {
    let spec = &CONCURRENT_MEMBER_ADDS;
    let started = Instant::now();
    let mut ev = Evidence::default();
    let (outcome, reason, mut created) = member_phases(s, k, &mut ev).await;
    // Groups first, then the users they held.
    created.reverse();
    for r in s.delete_all(&created, k).await.iter() {
        ev.push(r);
    }
    report(spec, started, outcome, reason, ev)
}

/// Setup, concurrent adds, concurrent removes; returns the verdict and what was created (in
/// creation order).
async fn member_phases(
    s: &Session<'_>,
    k: usize,
    ev: &mut Evidence,
) -> (Outcome, String, Vec<String>) {
    let mut created: Vec<String> = Vec::new();
    let setup_failed = |r: &Resp, what: &str| {
        let outcome = if r.status.is_none() {
            Outcome::Error
        } else {
            Outcome::Fail
        };
        (
            outcome,
            format!(
                "setup: {what} answered {}, expected 201; no verdict",
                got(r)
            ),
        )
    };
    let gname = s.name("grp");
    let (g, gloc) = s
        .create(
            "/Groups",
            &json!({"schemas": [GROUP_SCHEMA], "displayName": gname}),
        )
        .await;
    let Some(gloc) = gloc else {
        ev.push(&g);
        if matches!(g.status, Some(404 | 501)) {
            return (
                Outcome::Skip,
                format!(
                    "POST /Groups answered {}: the target serves no groups",
                    got(&g)
                ),
                created,
            );
        }
        let (o, why) = setup_failed(&g, "POST /Groups");
        return (o, why, created);
    };
    created.push(gloc.clone());
    let users = join_all((0..k).map(|i| {
        let name = s.name(&format!("m{i}"));
        async move {
            s.create(
                "/Users",
                &json!({"schemas": [USER_SCHEMA], "userName": name, "displayName": name}),
            )
            .await
        }
    }))
    .await;
    let mut ids: Vec<String> = Vec::new();
    let mut bad_setup: Option<Resp> = None;
    for (r, loc) in users {
        match (loc, r.body()["id"].as_str()) {
            (Some(l), Some(id)) => {
                created.push(l);
                ids.push(id.to_string());
            }
            (Some(l), None) => {
                created.push(l);
                bad_setup.get_or_insert(r);
            }
            _ => {
                bad_setup.get_or_insert(r);
            }
        }
    }
    if let Some(r) = bad_setup {
        ev.push(&r);
        let (o, why) = setup_failed(&r, "POST /Users (member)");
        return (o, why, created);
    }
    let want: BTreeSet<String> = ids.iter().cloned().collect();

    // Phase 1: K concurrent adds of one member each.
    let adds = join_all(ids.iter().map(|id| {
        let body = json!({"schemas": [PATCH_OP], "Operations": [
            {"op": "add", "path": "members", "value": [{"value": id}]}]});
        let loc = gloc.clone();
        async move {
            s.client
                .send("PATCH", &loc, Some(Body::Json(&body)), &[])
                .await
        }
    }))
    .await;
    let sent = format!("{k} concurrent PATCH {gloc} add of one distinct member each");
    if let Some(v) = patch_burst_verdict(&sent, &adds, ev) {
        return (v.0, v.1, created);
    }
    let (rb, rechecked) = read_members(s, &gloc, |m| want.is_subset(m)).await;
    if rb.status != Some(200) {
        ev.push(&rb);
        let o = if rb.status.is_none() {
            Outcome::Error
        } else {
            Outcome::Fail
        };
        return (
            o,
            format!(
                "{sent} ({}); the read-back GET answered {}, expected 200",
                tally(&adds),
                got(&rb)
            ),
            created,
        );
    }
    let have = member_ids(rb.body());
    let missing = want.difference(&have).count();
    if missing > 0 {
        ev.push(&adds[0]);
        ev.push(&rb);
        return (
            Outcome::Fail,
            format!(
                "{sent}: the PATCHes answered {}, but the group then listed {} of the {k} \
                 members ({missing} lost{}): concurrent adds overwrote each other",
                tally(&adds),
                want.intersection(&have).count(),
                if rechecked {
                    ", still missing when read again after 1 s"
                } else {
                    ""
                }
            ),
            created,
        );
    }

    // Phase 2: K concurrent removes of one member each.
    let removes = join_all(ids.iter().map(|id| {
        let body = json!({"schemas": [PATCH_OP], "Operations": [
            {"op": "remove", "path": format!("members[value eq \"{id}\"]")}]});
        let loc = gloc.clone();
        async move {
            s.client
                .send("PATCH", &loc, Some(Body::Json(&body)), &[])
                .await
        }
    }))
    .await;
    let sent_rm =
        format!("then {k} concurrent PATCH remove members[value eq \"<id>\"] of one member each");
    if let Some(v) = patch_burst_verdict(&format!("{sent}, {sent_rm}"), &removes, ev) {
        return (v.0, v.1, created);
    }
    let (rb2, rechecked) = read_members(s, &gloc, |m| m.is_disjoint(&want)).await;
    if rb2.status != Some(200) {
        ev.push(&rb2);
        let o = if rb2.status.is_none() {
            Outcome::Error
        } else {
            Outcome::Fail
        };
        return (
            o,
            format!(
                "{sent_rm}; the read-back GET answered {}, expected 200",
                got(&rb2)
            ),
            created,
        );
    }
    let left = member_ids(rb2.body()).intersection(&want).count();
    if left > 0 {
        ev.push(&removes[0]);
        ev.push(&rb2);
        return (
            Outcome::Fail,
            format!(
                "{sent} kept all {k}; {sent_rm}: the PATCHes answered {}, but {left} of the {k} \
                 removed members were still listed{}: concurrent removes overwrote each other",
                tally(&removes),
                if rechecked {
                    " when read again after 1 s"
                } else {
                    ""
                }
            ),
            created,
        );
    }
    (
        Outcome::Pass,
        format!(
            "{sent}: all {k} members present; {sent_rm}: none left ({} and {})",
            tally(&adds),
            tally(&removes)
        ),
        created,
    )
}

/// The verdict on a burst of PATCHes when any did not answer 2xx (None when all did).
fn patch_burst_verdict(sent: &str, rs: &[Resp], ev: &mut Evidence) -> Option<(Outcome, String)> {
    if let Some(r) = rs.iter().find(|r| r.status.is_none()) {
        ev.push(r);
        return Some((
            Outcome::Error,
            format!("{sent}: some got no answer ({}); no verdict", tally(rs)),
        ));
    }
    if let Some(r) = rs.iter().find(|r| r.status == Some(501)) {
        ev.push(r);
        return Some((
            Outcome::Skip,
            format!("{sent}: PATCH is not implemented (501); nothing to check"),
        ));
    }
    if let Some(r) = rs.iter().find(|r| r.status == Some(429)) {
        ev.push(r);
        return Some((
            Outcome::Error,
            format!(
                "{sent}: the target throttled ({}); lower the concurrency for a verdict",
                tally(rs)
            ),
        ));
    }
    if let Some(r) = rs.iter().find(|r| !is_2xx(r)) {
        ev.push(r);
        return Some((
            Outcome::Fail,
            format!(
                "{sent}: expected every PATCH to answer 200 or 204, got {}",
                tally(rs)
            ),
        ));
    }
    None
}

// ---------------------------------------------------------------------------------------------
// no-leftovers

async fn no_leftovers(s: &Session<'_>, k: usize) -> CheckReport {
    let spec = &NO_LEFTOVERS;
    let started = Instant::now();
    let mut ev = Evidence::default();
    let deleted: Vec<String> = s.deleted.lock().clone();
    let mut leftovers: Vec<String> = Vec::new();
    let mut errors: Vec<String> = Vec::new();
    // Ids already reported by the GETs, so the filters do not count them twice.
    let mut seen: BTreeSet<String> = BTreeSet::new();
    for chunk in deleted.chunks(k.max(1)) {
        let rs = join_all(chunk.iter().map(|l| s.client.send("GET", l, None, &[]))).await;
        for (loc, r) in chunk.iter().zip(rs) {
            match r.status {
                Some(404) => {}
                None => {
                    errors.push(format!("GET {loc}: {}", got(&r)));
                    ev.push(&r);
                }
                Some(code) => {
                    if let Some(id) = r.body()["id"].as_str() {
                        seen.insert(id.to_string());
                    }
                    leftovers.push(format!("{loc} (GET answered {code})"));
                    s.ns.track(loc);
                    ev.push(&r);
                }
            }
        }
    }
    let mut unlisted: Vec<String> = Vec::new();
    for (endpoint, attr) in [("/Users", "userName"), ("/Groups", "displayName")] {
        let filter = enc(&format!("{attr} sw \"{}\"", s.prefix));
        let r = s
            .client
            .send(
                "GET",
                &format!("{endpoint}?filter={filter}&count=1000"),
                None,
                &[],
            )
            .await;
        if r.status != Some(200) {
            unlisted.push(format!(
                "GET {endpoint}?filter={attr} sw … answered {}",
                got(&r)
            ));
            ev.push(&r);
            continue;
        }
        let found: Vec<String> = r.body()["Resources"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter(|x| x[attr].as_str().is_some_and(|n| n.starts_with(&s.prefix)))
                    .filter(|x| x["id"].as_str().is_none_or(|id| !seen.contains(id)))
                    .map(|x| {
                        format!(
                            "{endpoint}/{} ({attr} {:?}, found by filter)",
                            x["id"].as_str().unwrap_or("?"),
                            x[attr].as_str().unwrap_or_default()
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        if !found.is_empty() {
            ev.push(&r);
        }
        leftovers.extend(found);
    }
    let sent = format!(
        "after the load checks deleted the {} resources they created, GET of each and \
         GET /Users?filter=userName sw \"{p}\" and /Groups?filter=displayName sw \"{p}\"",
        deleted.len(),
        p = s.prefix
    );
    let (outcome, reason) = if !leftovers.is_empty() {
        let shown: Vec<&str> = leftovers.iter().take(5).map(String::as_str).collect();
        (
            Outcome::Fail,
            format!(
                "{sent}: {} still there, expected 404 and empty lists: {}{}",
                leftovers.len(),
                shown.join("; "),
                if leftovers.len() > shown.len() {
                    "; …"
                } else {
                    ""
                }
            ),
        )
    } else if !errors.is_empty() {
        (
            Outcome::Error,
            format!("{sent}: no answer ({}); no verdict", errors.join("; ")),
        )
    } else if !unlisted.is_empty() {
        (
            Outcome::Error,
            format!(
                "{sent}: the filter could not be read ({}); no verdict on query results",
                unlisted.join("; ")
            ),
        )
    } else {
        (
            Outcome::Pass,
            format!(
                "{sent}: {} and both filters found nothing",
                if deleted.is_empty() {
                    "nothing to GET"
                } else {
                    "every GET answered 404"
                }
            ),
        )
    };
    report(spec, started, outcome, reason, ev)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::{Redactor, TargetConfig};

    #[test]
    fn catalogue_ids_are_unique_and_well_formed() {
        let mut ids = BTreeSet::new();
        for c in CHECKS {
            assert!(c.id.starts_with("load.correctness."), "{}", c.id);
            assert!(
                c.id.chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch == '.' || ch == '-')
            );
            assert!(c.rfc.starts_with("RFC 7644 §"), "{}", c.rfc);
            assert!(ids.insert(c.id), "duplicate {}", c.id);
            assert!(
                crate::provider::Fault::all()
                    .iter()
                    .any(|f| f.name() == c.fault),
                "{} names unknown fault {}",
                c.id,
                c.fault
            );
        }
    }

    #[test]
    fn tally_counts_statuses_and_scim_types() {
        let client = Client::new(
            TargetConfig::bearer("http://127.0.0.1:9", "t"),
            Redactor::default(),
        );
        let Ok(client) = client else {
            panic!("client");
        };
        let mk = |status: Option<u16>, body: Option<Value>| Resp {
            status,
            headers: Vec::new(),
            text: String::new(),
            json: body,
            error: status.is_none().then(|| "timed out".to_string()),
            exchange: client.redactor().exchange(
                "GET",
                "http://x",
                &[],
                None,
                status,
                &[],
                None,
                None,
                0.0,
            ),
        };
        let rs = vec![
            mk(Some(201), None),
            mk(Some(409), Some(json!({"scimType": "uniqueness"}))),
            mk(Some(409), Some(json!({"scimType": "uniqueness"}))),
            mk(None, None),
        ];
        assert_eq!(tally(&rs), "1×201, 2×409 uniqueness, 1×timed out");
        assert_eq!(
            location_of(
                &client,
                "/Users",
                &mk(Some(201), Some(json!({"id": "a b"})))
            ),
            Some("http://127.0.0.1:9/Users/a%20b".to_string())
        );
        let rel = json!({"id": "x", "meta": {"location": "/scim/v2/Users/x"}});
        assert_eq!(
            location_of(&client, "/Users", &mk(Some(201), Some(rel))),
            Some("http://127.0.0.1:9/scim/v2/Users/x".to_string())
        );
    }
}
