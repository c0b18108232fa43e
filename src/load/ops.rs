//! The SCIM operations a load scenario mixes, as goose transactions: per-user generated data,
//! ids captured from responses into shared pools, request names without ids (`/Users/{id}`),
//! status codes checked (a fast failure is not a fast response), 429 counted apart with its
//! `Retry-After` respected, every request timed body included into the [`Collector`], and
//! everything created tracked in the run namespace for cleanup. With OAuth, each request takes
//! the current token from the run's token source and a 401 is retried once with a renewed one.

use crate::client::{Namespace, enc};
use crate::load::membership::{self, Expected, Write};
use crate::load::scenario::Op;
use crate::load::stats::Collector;
use goose::prelude::*;
use parking_lot::Mutex;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// A global pace: at most `rate` requests per second across all goose users, each request
/// waiting for its slot *before* its clock starts (goose's own throttle would count the wait
/// as latency).
#[derive(Debug)]
pub struct Pacer {
    interval: Duration,
    next: Mutex<Option<tokio::time::Instant>>,
}

impl Pacer {
    /// A pacer for `rate` requests per second (at least 1).
    pub fn new(rate: usize) -> Pacer {
        Pacer {
            interval: Duration::from_secs_f64(1.0 / rate.max(1) as f64),
            next: Mutex::new(None),
        }
    }

    /// Wait for the next slot.
    pub async fn wait(&self) {
        let slot = {
            let mut next = self.next.lock();
            let now = tokio::time::Instant::now();
            let slot = next.map_or(now, |n| n.max(now));
            *next = Some(slot + self.interval);
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

/// A user the run created (or set up), as the operations need it.
#[derive(Debug, Clone)]
pub struct PoolUser {
    /// Server id.
    pub id: String,
    /// Its userName.
    pub user_name: String,
    /// The value its create sent for the matching attribute (`load --config`; else its
    /// userName): what the existence check filters on.
    pub match_value: String,
}

/// Shared state of one load run.
#[derive(Debug)]
pub struct Shared {
    /// Base URL of the target, without a trailing slash.
    pub base: String,
    /// Headers sent with every request (Authorization and `--header`s).
    pub headers: Vec<(String, String)>,
    /// OAuth: every request carries this source's current token (the harness client's source,
    /// so one refresh serves both), and a 401 is retried once with a renewed one.
    pub oauth: Option<Arc<crate::client::TokenSource>>,
    /// The run namespace (names, ledger).
    pub ns: Arc<Namespace>,
    /// Extra name prefix after the namespace's (a shard's `s<i>-`).
    pub name_prefix: String,
    /// Users available to the operations.
    pub users: Mutex<Vec<PoolUser>>,
    /// Groups available to the operations.
    pub groups: Mutex<Vec<String>>,
    /// What each group must hold after the run's member writes (`check-members`).
    pub expected: Expected,
    /// Per-request latency and outcome.
    pub stats: Collector,
    /// When the attack started (seconds of the per-second series count from here).
    pub started: std::sync::OnceLock<Instant>,
    /// The scenario's pace, if any.
    pub pacer: Option<Pacer>,
    /// Page size of list operations.
    pub page_size: usize,
    /// Enterprise extension attributes on generated users.
    pub enterprise: bool,
    /// 429 answers seen.
    pub throttled: AtomicU64,
    /// Longest `Retry-After` a user waits after a 429 (goose stops a user only between
    /// transactions, so this wait also delays the end of the run).
    pub max_retry_wait: Duration,
    /// What the run provisioned and how it was throttled.
    pub tally: crate::load::tally::Tally,
    /// The target's `/Bulk` limits, read before the attack when the plan sends `/Bulk`.
    pub bulk: Option<crate::load::bulk::BulkLimits>,
    /// `load --config`: how users are written (mapped attributes, matching attribute).
    pub profile: Option<Arc<crate::load::provisioning::UserShape>>,
    /// Unique-name counter.
    counter: AtomicU64,
    /// Cheap pseudo-random state for picking pool entries.
    rng: AtomicU64,
}

impl Shared {
    /// A fresh shared state.
    pub fn new(
        base: &str,
        headers: Vec<(String, String)>,
        ns: Arc<Namespace>,
        name_prefix: String,
        stats: Collector,
        page_size: usize,
        enterprise: bool,
    ) -> Shared {
        Shared {
            base: base.trim_end_matches('/').to_string(),
            headers,
            oauth: None,
            ns,
            name_prefix,
            users: Mutex::new(Vec::new()),
            groups: Mutex::new(Vec::new()),
            expected: Expected::default(),
            stats,
            started: std::sync::OnceLock::new(),
            pacer: None,
            page_size: page_size.max(1),
            enterprise,
            throttled: AtomicU64::new(0),
            max_retry_wait: Duration::from_secs(30),
            tally: crate::load::tally::Tally::default(),
            bulk: None,
            profile: None,
            counter: AtomicU64::new(0),
            rng: AtomicU64::new(0x9E37_79B9_7F4A_7C15),
        }
    }

    /// A unique, namespaced name: `scimtest-<run>-<shard>u<n>`.
    pub fn unique(&self, kind: &str) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        self.ns.name(&format!("{}{kind}{n}", self.name_prefix))
    }

    /// A pseudo-random index below `n` (n > 0).
    fn pick(&self, n: usize) -> usize {
        // SplitMix64 over a shared counter: cheap, lock-free, good enough to spread picks.
        let mut z = self
            .rng
            .fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed)
            .wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z % n.max(1) as u64) as usize
    }

    fn any_user(&self) -> Option<PoolUser> {
        let pool = self.users.lock();
        (!pool.is_empty()).then(|| pool[self.pick(pool.len())].clone())
    }

    fn some_users(&self, k: usize) -> Vec<String> {
        let pool = self.users.lock();
        if pool.is_empty() || k == 0 {
            return Vec::new();
        }
        let start = self.pick(pool.len());
        (0..k.min(pool.len()))
            .map(|i| pool[(start + i) % pool.len()].id.clone())
            .collect()
    }

    fn any_group(&self) -> Option<String> {
        let pool = self.groups.lock();
        (!pool.is_empty()).then(|| pool[self.pick(pool.len())].clone())
    }

    /// A new user's create body and the value it sends for the matching attribute: the
    /// configuration's mapped attributes under `load --config`, else [`Shared::user_body_bytes`]
    /// (matched on userName).
    pub fn new_user_body(&self, user_name: &str) -> (Vec<u8>, String) {
        let plain = self.user_body_bytes(user_name);
        match &self.profile {
            None => (plain, user_name.to_string()),
            Some(p) => {
                let base = serde_json::from_slice(&plain).unwrap_or(Value::Null);
                let n = self.counter.load(Ordering::Relaxed);
                let (doc, matched) = p.create_body(base, user_name, n);
                (to_bytes(&doc), matched)
            }
        }
    }

    /// A generated user body, serialised straight from a typed struct (the create path runs at
    /// tens of thousands per second; building a `Value` first costs measurable CPU).
    pub fn user_body_bytes(&self, user_name: &str) -> Vec<u8> {
        #[derive(serde::Serialize)]
        struct Name<'a> {
            #[serde(rename = "givenName")]
            given: &'a str,
            #[serde(rename = "familyName")]
            family: String,
        }
        #[derive(serde::Serialize)]
        struct Email<'a> {
            value: &'a str,
            #[serde(rename = "type")]
            kind: &'a str,
            primary: bool,
        }
        #[derive(serde::Serialize)]
        struct Enterprise<'a> {
            #[serde(rename = "employeeNumber")]
            employee_number: String,
            department: &'a str,
        }
        #[derive(serde::Serialize)]
        struct NewUser<'a> {
            schemas: &'a [&'a str],
            #[serde(rename = "userName")]
            user_name: &'a str,
            #[serde(rename = "externalId")]
            external_id: String,
            name: Name<'a>,
            #[serde(rename = "displayName")]
            display_name: String,
            emails: [Email<'a>; 1],
            active: bool,
            #[serde(
                rename = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
                skip_serializing_if = "Option::is_none"
            )]
            enterprise: Option<Enterprise<'a>>,
        }
        const CORE: &[&str] = &["urn:ietf:params:scim:schemas:core:2.0:User"];
        const WITH_ENT: &[&str] = &[
            "urn:ietf:params:scim:schemas:core:2.0:User",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
        ];
        let n = self.counter.load(Ordering::Relaxed);
        let body = NewUser {
            schemas: if self.enterprise { WITH_ENT } else { CORE },
            user_name,
            external_id: uuid::Uuid::new_v4().to_string(),
            name: Name {
                given: "Load",
                family: format!("User{n}"),
            },
            display_name: format!("Load User {n}"),
            emails: [Email {
                value: user_name,
                kind: "work",
                primary: true,
            }],
            active: true,
            enterprise: self.enterprise.then(|| Enterprise {
                employee_number: n.to_string(),
                department: "Load",
            }),
        };
        serde_json::to_vec(&body).unwrap_or_default()
    }
}

/// What one goose user created itself: only these are deleted during the run, so no request
/// of another user races a deletion (a 404 there would be the harness's fault, not the
/// target's).
#[derive(Debug, Clone, Default)]
struct Mine {
    users: Vec<PoolUser>,
    groups: Vec<String>,
    /// Where this goose user's cursor walk over users continues (`None`: the first page next).
    user_cursor: Option<String>,
    /// As `user_cursor`, over groups.
    group_cursor: Option<String>,
}

fn mine(user: &mut GooseUser) -> &mut Mine {
    if user.get_session_data::<Mine>().is_none() {
        user.set_session_data(Mine::default());
    }
    user.get_session_data_unchecked_mut::<Mine>()
}

/// A user to read or change: one of the pool (set up before the attack, never deleted during
/// it), else the goose user's own latest.
fn target_user(user: &mut GooseUser, s: &Shared) -> Option<PoolUser> {
    s.any_user().or_else(|| mine(user).users.last().cloned())
}

/// What one request produced.
struct Answer {
    status: u16,
    bytes: Option<bytes::Bytes>,
}

impl Answer {
    /// The body as JSON, parsed only by the operations that need it (ids, Okta's GET-then-PUT).
    fn json(&self) -> Option<Value> {
        self.bytes
            .as_ref()
            .and_then(|b| serde_json::from_slice(b).ok())
    }
}

/// What a request's body must also satisfy, beyond its status: `Some(why)` fails it.
type Verify<'a> = &'a (dyn Fn(&[u8]) -> Option<String> + Sync);

/// Send one request through goose, time it body included, check the status against `ok`,
/// count 429 apart (and wait its `Retry-After`), record it.
async fn call(
    user: &mut GooseUser,
    s: &Shared,
    op: Op,
    method: GooseMethod,
    url: &str,
    body: Option<Vec<u8>>,
    ok: &[u16],
) -> Result<Answer, Box<TransactionError>> {
    call_checked(user, s, op, method, url, body, ok, None).await
}

/// A GET of `url` that must answer 200 with a body `verify` accepts.
async fn get_verified(
    user: &mut GooseUser,
    s: &Shared,
    op: Op,
    url: &str,
    verify: Verify<'_>,
) -> Result<Answer, Box<TransactionError>> {
    call_checked(
        user,
        s,
        op,
        GooseMethod::Get,
        url,
        None,
        &[200],
        Some(verify),
    )
    .await
}

/// [`call`], and a body answered with an `ok` status must also pass `verify`.
#[expect(
    clippy::too_many_arguments,
    reason = "call's arguments plus the body check"
)]
async fn call_checked(
    user: &mut GooseUser,
    s: &Shared,
    op: Op,
    method: GooseMethod,
    url: &str,
    body: Option<Vec<u8>>,
    ok: &[u16],
    verify: Option<Verify<'_>>,
) -> Result<Answer, Box<TransactionError>> {
    let name = op.request_name();
    // With OAuth, the current token of the run's source (renewed before it expires, and once
    // after a 401); without a token there is no request, and the operation failed.
    let mut bearer = None;
    if let Some(src) = &s.oauth {
        match src.bearer().await {
            Ok(b) => bearer = Some(b),
            Err(_) => {
                let since = s.started.get().map_or(Duration::ZERO, |t| t.elapsed());
                s.stats.record_at(name, since, Duration::ZERO, false);
                return Ok(Answer {
                    status: 0,
                    bytes: None,
                });
            }
        }
    }
    let mut renewed = false;
    let (mut goose, started) = loop {
        let mut rb = user.get_request_builder(&method, url)?;
        for (k, v) in &s.headers {
            rb = rb.header(k.as_str(), v.as_str());
        }
        if let Some(b) = &bearer {
            rb = rb.header("Authorization", format!("Bearer {}", b.token));
        }
        rb = rb.header("Accept", "application/scim+json");
        if let Some(b) = &body {
            rb = rb
                .header("Content-Type", "application/scim+json")
                .body(b.clone());
        }
        // Goose keys its metrics "METHOD name", so the name it gets carries no method.
        let goose_name = op.goose_name();
        let req = GooseRequest::builder()
            .method(method)
            .path(url)
            .name(goose_name)
            .set_request_builder(rb)
            .build();
        if let Some(p) = &s.pacer {
            p.wait().await;
        }
        let started = Instant::now();
        let goose = user.request(req).await?;
        let refused = goose
            .response
            .as_ref()
            .is_ok_and(|r| r.status().as_u16() == 401);
        if refused
            && !renewed
            && let (Some(src), Some(used)) = (&s.oauth, &bearer)
            && let Ok(fresh) = src.renew(used).await
        {
            renewed = true;
            bearer = Some(fresh);
            continue;
        }
        break (goose, started);
    };
    let (status, retry_header, body) = match goose.response {
        Ok(r) => {
            let status = r.status().as_u16();
            let retry = r
                .headers()
                .get("retry-after")
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
            (status, retry, read_capped(r).await)
        }
        Err(_) => (0, None, Ok(bytes::Bytes::new())),
    };
    let retry_after = retry_header
        .as_deref()
        .and_then(crate::client::retry_after_secs);
    let elapsed = started.elapsed();
    // A create answered without a readable id failed for any IdP, whatever its status said.
    let creates = matches!(op, Op::CreateUser | Op::CreateGroup);
    let broken = match &body {
        Err(e) => Some(e.clone()),
        Ok(b) if creates && ok.contains(&status) && id_in(b).is_none() => {
            Some("no id in the answer".to_string())
        }
        Ok(b) if ok.contains(&status) => verify.and_then(|f| f(b)),
        Ok(_) => None,
    };
    let good = ok.contains(&status) && broken.is_none();
    if !good && goose.request.success {
        let tag = match (&broken, status) {
            (_, 429) => "429 throttled".to_string(),
            (Some(why), _) if ok.contains(&status) => format!("{status}, but {why}"),
            _ => format!("{status} (expected {ok:?})"),
        };
        let _ = user.set_failure(&tag, &mut goose.request, None, None);
    }
    let since = s
        .started
        .get()
        .map_or(Duration::ZERO, |t| started.saturating_duration_since(*t));
    s.stats
        .record_answer(name, since, elapsed, good, status == 429);
    s.stats
        .record_user(user.weighted_users_index, since, elapsed);
    if status == 429 {
        s.throttled.fetch_add(1, Ordering::Relaxed);
        let asked = Duration::from_secs(retry_after.unwrap_or(1));
        let wait = asked.min(s.max_retry_wait);
        let waits = !goose::is_killswitch_triggered();
        if waits {
            tokio::time::sleep(wait).await;
        }
        s.tally.throttled(crate::load::tally::Throttled {
            op: name,
            second: since.as_secs(),
            retry_after: retry_header.as_deref(),
            waited_in_full: waits && wait == asked,
        });
    }
    Ok(Answer {
        status,
        bytes: body.ok(),
    })
}

/// Largest response body read (as the harness's own client, `TargetConfig::bearer`).
const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// Read a body, at most [`MAX_BODY_BYTES`]: a declared or actual larger one, or one that
/// breaks off, is an `Err` saying so (and counts as a failed request).
async fn read_capped(mut r: reqwest::Response) -> Result<bytes::Bytes, String> {
    if let Some(n) = r.content_length().filter(|n| *n > MAX_BODY_BYTES as u64) {
        return Err(format!("a body of {n} bytes (Content-Length)"));
    }
    let mut buf = bytes::BytesMut::new();
    loop {
        match r.chunk().await {
            Ok(Some(c)) if buf.len() + c.len() <= MAX_BODY_BYTES => buf.extend_from_slice(&c),
            Ok(Some(_)) => return Err(format!("a body larger than {MAX_BODY_BYTES} bytes")),
            Ok(None) => return Ok(buf.freeze()),
            Err(e) if e.is_timeout() => return Err("the body timed out".into()),
            Err(_) => return Err("the body broke off".into()),
        }
    }
}

/// The `id` of a created resource, read without building the whole document.
fn id_in(b: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct IdOnly {
        id: String,
    }
    serde_json::from_slice::<IdOnly>(b).ok().map(|x| x.id)
}

/// The `id` of a created resource.
fn id_of(a: &Answer) -> Option<String> {
    id_in(a.bytes.as_ref()?)
}

fn to_bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap_or_default()
}

/// Create a user and put it in the pool; tracked for cleanup. `None` when the create failed.
pub async fn create_user(
    user: &mut GooseUser,
    s: &Shared,
) -> Result<Option<PoolUser>, Box<TransactionError>> {
    let name = s.unique("u");
    let user_name = format!("{name}@load.example");
    let (body, match_value) = s.new_user_body(&user_name);
    let url = format!("{}/Users", s.base);
    let a = call(
        user,
        s,
        Op::CreateUser,
        GooseMethod::Post,
        &url,
        Some(body),
        &[201],
    )
    .await?;
    let Some(id) = id_of(&a).filter(|_| a.status == 201) else {
        return Ok(None);
    };
    s.ns.track(&format!("/Users/{}", enc(&id)));
    s.tally.created_single();
    let pu = PoolUser {
        id,
        user_name,
        match_value,
    };
    mine(user).users.push(pu.clone());
    Ok(Some(pu))
}

/// `bulk-create-users`: `batch` new users in `POST /Bulk` requests of at most the target's
/// `maxOperations` operations and `maxPayloadSize` bytes. Each `201` inside is a provisioned
/// user, tracked for cleanup; any other status inside counts as a failed operation with that
/// status, and fails the request.
async fn bulk_create(
    user: &mut GooseUser,
    s: &Shared,
    batch: usize,
) -> Result<(), Box<TransactionError>> {
    let limits = s.bulk.unwrap_or(crate::load::bulk::BulkLimits::UNBOUNDED);
    let mut names = Vec::with_capacity(batch);
    let mut ops = Vec::with_capacity(batch);
    for _ in 0..batch.max(1) {
        let user_name = format!("{}@load.example", s.unique("u"));
        let (body, match_value) = s.new_user_body(&user_name);
        let bulk_id = format!("b{}", names.len());
        let mut op = format!(r#"{{"method":"POST","path":"/Users","bulkId":"{bulk_id}","data":"#)
            .into_bytes();
        op.extend_from_slice(&body);
        op.push(b'}');
        ops.push(op);
        names.push((bulk_id, user_name, match_value));
    }
    let url = format!("{}/Bulk", s.base);
    for part in crate::load::bulk::split(&ops, limits.batch(batch), limits.max_payload_bytes) {
        let sent = &names[part.clone()];
        let results = match bulk_call(user, s, Op::BulkCreateUsers, &url, &ops[part], 201).await? {
            Ok(r) => r,
            Err(status) => {
                s.tally.bulk_failed(status, sent.len() as u64);
                continue;
            }
        };
        for (i, (bulk_id, user_name, match_value)) in sent.iter().enumerate() {
            // By bulkId (RFC 7644 §3.7.3 returns it for POST), else by position.
            let r = results
                .iter()
                .find(|r| r.bulk_id.as_deref() == Some(bulk_id))
                .or_else(|| results.get(i).filter(|r| r.bulk_id.is_none()));
            match r.map(|r| (r.status, r.id.clone())) {
                Some((201, Some(id))) => {
                    s.ns.track(&format!("/Users/{}", enc(&id)));
                    s.tally.bulk_created(1);
                    mine(user).users.push(PoolUser {
                        id,
                        user_name: user_name.clone(),
                        match_value: match_value.clone(),
                    });
                }
                Some((status, _)) => s.tally.bulk_failed(status, 1),
                None => s.tally.bulk_failed(0, 1),
            }
        }
    }
    Ok(())
}

/// `bulk-delete-users`: up to `batch` of the users this virtual user created, deleted in
/// `POST /Bulk` requests within the target's limits; `204` (or `404`, already gone) inside
/// untracks the user.
async fn bulk_delete(
    user: &mut GooseUser,
    s: &Shared,
    batch: usize,
) -> Result<(), Box<TransactionError>> {
    let limits = s.bulk.unwrap_or(crate::load::bulk::BulkLimits::UNBOUNDED);
    let m = mine(user);
    let keep = m.users.len().saturating_sub(batch.max(1));
    let gone: Vec<PoolUser> = m.users.split_off(keep);
    if gone.is_empty() {
        return Ok(());
    }
    let locs: Vec<String> = gone
        .iter()
        .map(|u| format!("/Users/{}", enc(&u.id)))
        .collect();
    let ops: Vec<Vec<u8>> = locs
        .iter()
        .map(|l| format!(r#"{{"method":"DELETE","path":"{l}"}}"#).into_bytes())
        .collect();
    let url = format!("{}/Bulk", s.base);
    for part in crate::load::bulk::split(&ops, limits.batch(batch), limits.max_payload_bytes) {
        let sent = &locs[part.clone()];
        let results = match bulk_call(user, s, Op::BulkDeleteUsers, &url, &ops[part], 204).await? {
            Ok(r) => r,
            Err(status) => {
                s.tally.bulk_failed(status, sent.len() as u64);
                continue;
            }
        };
        for (i, loc) in sent.iter().enumerate() {
            // DELETE operations carry no bulkId: the response lists them in request order.
            match results.get(i).map(|r| r.status) {
                Some(204) => {
                    s.ns.untrack(loc);
                    s.tally.bulk_deleted(1);
                }
                Some(404) => {
                    s.ns.untrack(loc);
                    s.tally.bulk_failed(404, 1);
                }
                Some(status) => s.tally.bulk_failed(status, 1),
                None => s.tally.bulk_failed(0, 1),
            }
        }
    }
    Ok(())
}

/// One `POST /Bulk` of `ops`; the request fails unless it answers 200 with a BulkResponse in
/// which every operation has status `want`. The operations' results, or `Err(status)` when
/// the request failed as a whole (no BulkResponse; `0` for no answer).
async fn bulk_call(
    user: &mut GooseUser,
    s: &Shared,
    op: Op,
    url: &str,
    ops: &[Vec<u8>],
    want: u16,
) -> Result<Result<Vec<crate::load::bulk::OpResult>, u16>, Box<TransactionError>> {
    s.tally.bulk_sent(ops.len());
    let n = ops.len();
    let verify = move |b: &[u8]| match crate::load::bulk::response(b) {
        None => Some("the answer is not a BulkResponse".to_string()),
        Some(r) => {
            let bad = r.iter().filter(|o| o.status != want).count() + n.saturating_sub(r.len());
            (bad > 0).then(|| format!("{bad} of {n} operations did not answer {want}"))
        }
    };
    let body = crate::load::bulk::request(ops);
    let a = call_checked(
        user,
        s,
        op,
        GooseMethod::Post,
        url,
        Some(body),
        &[200],
        Some(&verify),
    )
    .await?;
    let results = a
        .bytes
        .as_ref()
        .filter(|_| a.status == 200)
        .and_then(|b| crate::load::bulk::response(b));
    Ok(results.ok_or(a.status))
}

/// Run one operation; `members` is the member count of create-group and add/remove-members,
/// and the batch of the `/Bulk` operations.
pub async fn run(op: Op, members: usize, user: &mut GooseUser, s: &Shared) -> TransactionResult {
    match op {
        Op::CreateUser => {
            create_user(user, s).await?;
        }
        Op::BulkCreateUsers => bulk_create(user, s, members).await?,
        Op::BulkDeleteUsers => bulk_delete(user, s, members).await?,
        Op::GetUser => {
            if let Some(u) = target_user(user, s) {
                let url = format!("{}/Users/{}", s.base, enc(&u.id));
                call(user, s, op, GooseMethod::Get, &url, None, &[200]).await?;
            }
        }
        Op::FilterUser => {
            if let Some(u) = target_user(user, s) {
                let filter = match &s.profile {
                    Some(p) => enc(&p.filter(&u.match_value)),
                    None => enc(&format!("userName eq \"{}\"", u.user_name)),
                };
                let url = format!("{}/Users?filter={filter}", s.base);
                call(user, s, op, GooseMethod::Get, &url, None, &[200]).await?;
            }
        }
        Op::PatchUser => {
            if let Some(u) = target_user(user, s) {
                let n = s.pick(1_000_000);
                let mapped = s
                    .profile
                    .as_ref()
                    .and_then(|p| p.patch_body(n as u64, false))
                    .map(|(b, _)| b);
                let body = mapped.unwrap_or_else(|| json!({
                    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                    "Operations": [
                        {"op": "Replace", "path": "displayName", "value": format!("Load User {n}")},
                        {"op": "Replace", "path": "name.familyName", "value": format!("Patched{n}")}
                    ]
                }));
                let url = format!("{}/Users/{}", s.base, enc(&u.id));
                call(
                    user,
                    s,
                    op,
                    GooseMethod::Patch,
                    &url,
                    Some(to_bytes(&body)),
                    &[200, 204],
                )
                .await?;
            }
        }
        Op::DeactivateUser => {
            if let Some(u) = target_user(user, s) {
                let body = json!({
                    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                    "Operations": [{"op": "replace", "value": {"active": false}}]
                });
                let url = format!("{}/Users/{}", s.base, enc(&u.id));
                call(
                    user,
                    s,
                    op,
                    GooseMethod::Patch,
                    &url,
                    Some(to_bytes(&body)),
                    &[200, 204],
                )
                .await?;
            }
        }
        Op::PutUser => {
            if let Some(u) = target_user(user, s) {
                let url = format!("{}/Users/{}", s.base, enc(&u.id));
                let got = call(user, s, Op::GetUser, GooseMethod::Get, &url, None, &[200]).await?;
                if let Some(mut body) = got.json().filter(|_| got.status == 200) {
                    // Okta sends the whole user back with the changed attribute(s): the mapped
                    // ones under `load --config`.
                    let n = s.pick(1000);
                    let changed = s
                        .profile
                        .as_ref()
                        .map(|p| p.change_for_put(&mut body, n as u64, false))
                        .unwrap_or_default();
                    if changed.is_empty() {
                        body["title"] = Value::String(format!("Title {n}"));
                    }
                    call(
                        user,
                        s,
                        op,
                        GooseMethod::Put,
                        &url,
                        Some(to_bytes(&body)),
                        &[200],
                    )
                    .await?;
                }
            }
        }
        Op::DeleteUser => {
            if let Some(u) = mine(user).users.pop() {
                let loc = format!("/Users/{}", enc(&u.id));
                let url = format!("{}{loc}", s.base);
                let a = call(user, s, op, GooseMethod::Delete, &url, None, &[204]).await?;
                if a.status == 204 || a.status == 404 {
                    s.ns.untrack(&loc);
                }
            }
        }
        Op::ListUsers | Op::ListGroups => {
            let (path, pages) = if op == Op::ListUsers {
                ("Users", s.users.lock().len())
            } else {
                ("Groups", s.groups.lock().len())
            };
            let pages = pages.div_ceil(s.page_size).max(1);
            let start = 1 + s.pick(pages) * s.page_size;
            let url = format!("{}/{path}?startIndex={start}&count={}", s.base, s.page_size);
            call(user, s, op, GooseMethod::Get, &url, None, &[200]).await?;
        }
        Op::ListUsersCursor | Op::ListGroupsCursor => {
            let users = op == Op::ListUsersCursor;
            let path = if users { "Users" } else { "Groups" };
            let m = mine(user);
            let cursor = if users {
                m.user_cursor.take()
            } else {
                m.group_cursor.take()
            };
            let url = format!(
                "{}/{path}?count={}&cursor={}",
                s.base,
                s.page_size,
                enc(cursor.as_deref().unwrap_or_default())
            );
            let a = call(user, s, op, GooseMethod::Get, &url, None, &[200]).await?;
            // RFC 9865 §2: the next page is asked for with the nextCursor; none means that was
            // the last page, and an error (an expired cursor, say) starts the walk over.
            let next = a
                .json()
                .filter(|_| a.status == 200)
                .and_then(|v| v.get("nextCursor")?.as_str().map(str::to_string));
            let m = mine(user);
            if users {
                m.user_cursor = next;
            } else {
                m.group_cursor = next;
            }
        }
        Op::CreateGroup => {
            let members: Vec<Value> = s
                .some_users(members)
                .into_iter()
                .map(|id| json!({"value": id}))
                .collect();
            let body = json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                "displayName": s.unique("g"),
                "members": members
            });
            let url = format!("{}/Groups", s.base);
            let a = call(
                user,
                s,
                op,
                GooseMethod::Post,
                &url,
                Some(to_bytes(&body)),
                &[201],
            )
            .await?;
            if let Some(id) = id_of(&a).filter(|_| a.status == 201) {
                s.ns.track(&format!("/Groups/{}", enc(&id)));
                mine(user).groups.push(id);
            }
        }
        Op::AddMembers | Op::RemoveMembers | Op::ReplaceMembers => {
            if let Some(g) = s.any_group().or_else(|| mine(user).groups.last().cloned()) {
                let ids = s.some_users(members.max(1));
                if ids.is_empty() {
                    return Ok(());
                }
                let values = || {
                    ids.iter()
                        .map(|id| json!({"value": id}))
                        .collect::<Vec<_>>()
                };
                let (ops, write) = if op == Op::AddMembers {
                    (
                        vec![json!({"op": "add", "path": "members", "value": values()})],
                        Write::Add,
                    )
                } else if op == Op::ReplaceMembers {
                    // Okta Group Push: the whole list in one replace.
                    (
                        vec![json!({"op": "replace", "path": "members", "value": values()})],
                        Write::Replace,
                    )
                } else {
                    // One remove whose filter names every member to drop (RFC 7644 §3.5.2.2):
                    // 200 as long as one of them is still a member, noTarget only when none is.
                    let filter = ids
                        .iter()
                        .map(|id| format!("value eq \"{id}\""))
                        .collect::<Vec<_>>()
                        .join(" or ");
                    (
                        vec![json!({"op": "remove", "path": format!("members[{filter}]")})],
                        Write::Remove,
                    )
                };
                let body = json!({
                    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                    "Operations": ops
                });
                let url = format!("{}/Groups/{}", s.base, enc(&g));
                let a = call(
                    user,
                    s,
                    op,
                    GooseMethod::Patch,
                    &url,
                    Some(to_bytes(&body)),
                    &[200, 204],
                )
                .await?;
                s.expected
                    .wrote(&g, write, &ids, matches!(a.status, 200 | 204));
            }
        }
        Op::ReadGroup => {
            if let Some(g) = s.any_group().or_else(|| mine(user).groups.last().cloned()) {
                let url = format!("{}/Groups/{}?excludedAttributes=members", s.base, enc(&g));
                let verify = |b: &[u8]| {
                    serde_json::from_slice::<Value>(b)
                        .ok()
                        .filter(|v| v.get("members").is_some())
                        .map(|_| "excludedAttributes=members, but members came back".to_string())
                };
                get_verified(user, s, op, &url, &verify).await?;
            }
        }
        Op::CheckMembers => {
            let g = s.any_group().or_else(|| mine(user).groups.last().cloned());
            if let Some((g, want)) = g.and_then(|g| s.expected.of(&g).map(|w| (g, w))) {
                let url = format!("{}/Groups/{}?attributes=members.value", s.base, enc(&g));
                let verify = |b: &[u8]| membership::differ(b, &want);
                get_verified(user, s, op, &url, &verify).await?;
            }
        }
        Op::DeleteGroup => {
            if let Some(g) = mine(user).groups.pop() {
                let loc = format!("/Groups/{}", enc(&g));
                let url = format!("{}{loc}", s.base);
                let a = call(user, s, op, GooseMethod::Delete, &url, None, &[204]).await?;
                if a.status == 204 || a.status == 404 {
                    s.ns.untrack(&loc);
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_users_are_valid_scim_with_or_without_the_extension() {
        let ns = Arc::new(Namespace::with_run_id("abcd1234"));
        for enterprise in [false, true] {
            let s = Shared::new(
                "http://x/scim/v2/",
                Vec::new(),
                ns.clone(),
                String::new(),
                Collector::new(),
                100,
                enterprise,
            );
            let name = format!("{}@load.example", s.unique("u"));
            assert!(name.starts_with("scimtest-abcd1234-u0"));
            let v: Value = serde_json::from_slice(&s.user_body_bytes(&name)).expect("JSON");
            assert_eq!(v["userName"], name.as_str());
            assert_eq!(v["emails"][0]["value"], name.as_str());
            let ext = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
            assert_eq!(v[ext].is_object(), enterprise);
            assert_eq!(
                v["schemas"].as_array().map(Vec::len),
                Some(1 + usize::from(enterprise))
            );
            assert_eq!(s.base, "http://x/scim/v2");
        }
    }

    #[test]
    fn the_pacer_spaces_requests_by_its_interval() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("rt");
        rt.block_on(async {
            let p = Pacer::new(100);
            let t0 = tokio::time::Instant::now();
            for _ in 0..5 {
                p.wait().await;
            }
            // Five slots at 100/s: the fifth cannot start before 40 ms after the first.
            assert!(
                t0.elapsed() >= Duration::from_millis(40),
                "{:?}",
                t0.elapsed()
            );
        });
    }
}
