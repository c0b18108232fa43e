//! One load run: set up the data pool, build the goose attack from the plan (goose embedded
//! with `initialize_with_config`: telnet off, quiet, our own client settings), run the
//! correctness checks alongside it, then clean up everything the run created (ledger, then a
//! prefix sweep), also after Ctrl-C.

use crate::client::{Client, enc};
use crate::load::goose_config;
use crate::load::ops::{self, PoolUser, Shared};
use crate::load::progress::{self, Live};
use crate::load::scenario::Op;
use crate::load::stats::Collector;
use futures::StreamExt;
use goose::config::{GooseConfiguration, GooseDefault, GooseDefaultType};
use goose::prelude::*;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// One operation of the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanOp {
    /// The operation.
    pub op: Op,
    /// Relative weight (goose transaction weight).
    pub weight: usize,
    /// Order within an iteration (goose sequence), when the scenario is a lifecycle.
    pub sequence: Option<usize>,
    /// Members per request (create-group, add/remove-members), or users per step of the
    /// `/Bulk` operations (their `batch`).
    pub members: usize,
}

/// What to run: the scenario resolved into numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The scenario's name.
    pub name: String,
    /// Concurrent goose users.
    pub users: usize,
    /// Time to start them all.
    pub ramp: Duration,
    /// How long to run (unless `iterations`).
    pub duration: Option<Duration>,
    /// Iterations per user (instead of a duration).
    pub iterations: Option<usize>,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Global requests-per-second cap (pacing), if any.
    pub throttle: Option<usize>,
    /// The operations.
    pub ops: Vec<PlanOp>,
    /// Users created before the attack.
    pub pool_users: usize,
    /// Groups created before the attack.
    pub pool_groups: usize,
    /// Members of each pool group.
    pub members_per_group: usize,
    /// Page size of list operations.
    pub page_size: usize,
    /// Enterprise extension attributes.
    pub enterprise: bool,
}

impl Plan {
    /// The plan of a scenario.
    pub fn from_scenario(sc: &crate::load::scenario::Scenario) -> Plan {
        use crate::load::scenario::RunLength;
        let (duration, iterations) = match sc.run.length {
            RunLength::Duration(d) => (Some(d), None),
            RunLength::Iterations(n) => (None, Some(n)),
        };
        Plan {
            name: sc.name.clone(),
            users: sc.run.users,
            ramp: sc.run.ramp,
            duration,
            iterations,
            timeout: sc.run.timeout,
            throttle: sc.run.pacing.requests_per_second().map(|r| r as usize),
            ops: sc
                .operations
                .iter()
                .map(|o| PlanOp {
                    op: o.op,
                    weight: o.weight,
                    sequence: o.sequence.map(|s| s as usize),
                    members: o.batch.or(o.members).unwrap_or(sc.data.members_per_group),
                })
                .collect(),
            pool_users: sc.data.users,
            pool_groups: sc.data.groups,
            members_per_group: sc.data.members_per_group,
            page_size: sc.data.page_size,
            enterprise: sc.data.enterprise,
        }
    }
}

/// Errors that stop a load run before or around goose (not target failures).
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// Goose refused the configuration or failed.
    #[error("goose: {0}")]
    Goose(String),
    /// The pool could not be set up.
    #[error("setting up the data pool failed: {0}")]
    Setup(String),
}

/// What a run produced.
#[derive(Debug)]
pub struct LoadOutcome {
    /// Goose's metrics (None when goose failed after starting).
    pub metrics: Option<goose::metrics::GooseMetrics>,
    /// Goose's error as one line, if it ended with one (thresholds are ours, so this is rare).
    pub goose_error: Option<String>,
    /// 429 answers seen.
    pub throttled: u64,
    /// The attack was stopped by Ctrl-C.
    pub interrupted: bool,
    /// CPU this process spent during the attack.
    pub cpu: Option<Duration>,
    /// goose refused its configuration before any user started (`goose_error` says why).
    pub goose_refused: bool,
}

/// Create the pool: `plan.pool_users` users, then `plan.pool_groups` groups with members.
pub async fn setup(client: &Client, shared: &Shared, plan: &Plan) -> Result<(), LoadError> {
    let make_user = |_| async {
        let name = format!("{}@load.example", shared.unique("p"));
        let (body, match_value) = shared.new_user_body(&name);
        let r = client
            .send(
                "POST",
                "/Users",
                Some(crate::client::http::Body::Raw(
                    &body,
                    "application/scim+json",
                )),
                &[],
            )
            .await;
        match (r.status, r.body().get("id").and_then(Value::as_str)) {
            (Some(201), Some(id)) => {
                shared.ns.track(&format!("/Users/{}", enc(id)));
                Ok(PoolUser {
                    id: id.to_string(),
                    user_name: name,
                    match_value,
                })
            }
            (s, _) => Err(format!(
                "POST /Users answered {}: {}",
                s.map_or("nothing".into(), |s| s.to_string()),
                crate::text::truncate(&r.text, 200)
            )),
        }
    };
    let mut created = futures::stream::iter(0..plan.pool_users)
        .map(make_user)
        .buffer_unordered(16);
    while let Some(r) = created.next().await {
        shared.users.lock().push(r.map_err(LoadError::Setup)?);
    }
    drop(created);
    let ids: Vec<String> = shared.users.lock().iter().map(|u| u.id.clone()).collect();
    for g in 0..plan.pool_groups {
        let members: Vec<Value> = ids
            .iter()
            .cycle()
            .skip(g * plan.members_per_group)
            .take(plan.members_per_group.min(ids.len()))
            .map(|id| json!({"value": id}))
            .collect();
        let body = json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": shared.unique("pg"),
            "members": members
        });
        let r = client
            .send(
                "POST",
                "/Groups",
                Some(crate::client::http::Body::Json(&body)),
                &[],
            )
            .await;
        match (r.status, r.body().get("id").and_then(Value::as_str)) {
            (Some(201), Some(id)) => {
                shared.ns.track(&format!("/Groups/{}", enc(id)));
                shared.groups.lock().push(id.to_string());
                shared.expected.set(
                    id,
                    members
                        .iter()
                        .filter_map(|m| m["value"].as_str().map(str::to_string)),
                );
            }
            (s, _) => {
                return Err(LoadError::Setup(format!(
                    "POST /Groups answered {}: {}",
                    s.map_or("nothing".into(), |s| s.to_string()),
                    crate::text::truncate(&r.text, 200)
                )));
            }
        }
    }
    Ok(())
}

fn secs(d: Duration) -> usize {
    d.as_secs_f64().ceil().max(1.0) as usize
}

/// Run the goose attack of `plan` against `shared.base`. `goose_cfg` is goose's configuration
/// from the escape hatch (`--goose-arg`, [`crate::load::goose_config::escape_hatch`]: none of
/// the options the plan sets); `report_files` are goose's own report files, unless it names
/// its own; `live` counts the users running.
pub async fn attack(
    plan: &Plan,
    shared: Arc<Shared>,
    goose_cfg: GooseConfiguration,
    report_files: Vec<String>,
    live: Arc<Live>,
) -> Result<LoadOutcome, LoadError> {
    let g = |e: GooseError| LoadError::Goose(goose_config::goose_line(&e));
    let mut cfg = goose_cfg;
    cfg.host = Some(format!("{}/", shared.base));
    if cfg.report_file.is_empty() {
        cfg.report_file = report_files;
    }
    // goose's console lines go through ours, unless goose is to write its own log file.
    if cfg.goose_log.is_none() {
        progress::install_goose_logger();
    }
    goose::reset_killswitch();
    let mut scenario = scenario!("scim");
    for (start, name) in [(true, "user started"), (false, "user stopped")] {
        let live = live.clone();
        let f: goose::goose::TransactionFunction = Arc::new(move |_: &mut GooseUser| {
            if start {
                live.users.fetch_add(1, Ordering::Relaxed);
            } else {
                live.users.fetch_sub(1, Ordering::Relaxed);
            }
            Box::pin(async { Ok(()) })
        });
        let t = Transaction::new(f).set_name(name);
        scenario = scenario.register_transaction(if start {
            t.set_on_start()
        } else {
            t.set_on_stop()
        });
    }
    for p in &plan.ops {
        let (op, members) = (p.op, p.members);
        let s = shared.clone();
        let f: goose::goose::TransactionFunction = Arc::new(move |user: &mut GooseUser| {
            let s = s.clone();
            Box::pin(async move { ops::run(op, members, user, &s).await })
        });
        let mut t = Transaction::new(f)
            .set_name(op.goose_name())
            .set_weight(p.weight.max(1))
            .map_err(g)?;
        if let Some(seq) = p.sequence {
            t = t.set_sequence(seq);
        }
        scenario = scenario.register_transaction(t);
    }
    let client = goose::client::GooseClientBuilder::new()
        .without_cookies()
        .timeout(plan.timeout)
        .user_agent(concat!("scimtest/", env!("CARGO_PKG_VERSION"), " (goose)"));
    let increase = (plan.users as f64 / plan.ramp.as_secs_f64().max(0.001)).max(1.0);
    let mut attack = GooseAttack::initialize_with_config(cfg)
        .map_err(g)?
        .set_client_builder_without_cookies(client)
        .map_err(g)?
        .register_scenario(scenario)
        .set_default(GooseDefault::Users, plan.users)
        .map_err(g)?
        .set_default(
            GooseDefault::IncreaseRate,
            format!("{increase:.3}").as_str(),
        )
        .map_err(g)?
        .set_default(GooseDefault::NoTelnet, true)
        .map_err(g)?
        .set_default(GooseDefault::NoPrintMetrics, true)
        .map_err(g)?
        .set_default(GooseDefault::NoErrorSummary, true)
        .map_err(g)?
        .set_default(GooseDefault::Quiet, 1usize)
        .map_err(g)?
        .set_default(
            GooseDefault::Timeout,
            format!("{}", plan.timeout.as_secs_f64()).as_str(),
        )
        .map_err(g)?;
    // Goose refuses --no-reset-metrics with --iterations; with a duration it keeps the ramp-up
    // in goose's own figures, as ours do.
    match (plan.iterations, plan.duration) {
        (Some(n), _) => attack = attack.set_default(GooseDefault::Iterations, n).map_err(g)?,
        (None, Some(d)) => {
            attack = attack
                .set_default(GooseDefault::RunTime, secs(d))
                .map_err(g)?
                .set_default(GooseDefault::NoResetMetrics, true)
                .map_err(g)?
        }
        (None, None) => {}
    }
    // Pacing is ours (`ops::Pacer`): goose's throttle would sit inside the timed request.
    let _ = shared.started.set(std::time::Instant::now());
    let cpu_before = process_cpu();
    let result = attack.execute().await;
    let cpu = match (cpu_before, process_cpu()) {
        (Some(a), Some(b)) => Some(b.saturating_sub(a)),
        _ => None,
    };
    let interrupted = goose::is_killswitch_triggered();
    let throttled = shared.throttled.load(std::sync::atomic::Ordering::Relaxed);
    Ok(match result {
        Ok(m) => LoadOutcome {
            metrics: Some(m),
            goose_error: None,
            throttled,
            interrupted,
            cpu,
            goose_refused: false,
        },
        Err(e) => LoadOutcome {
            metrics: None,
            goose_error: Some(goose_config::goose_line(&e)),
            throttled,
            interrupted,
            cpu,
            goose_refused: goose_config::is_configuration_error(&e),
        },
    })
}

/// CPU time (user + system) this process has used so far, from `/proc/self/stat` (Linux);
/// `None` elsewhere.
pub fn process_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    // Linux reports in clock ticks of USER_HZ, 100 on every mainstream configuration.
    Some(Duration::from_millis((utime + stime) * 10))
}

/// A stats collector for a run.
pub fn collector() -> Collector {
    Collector::new()
}

/// Status-code counts per request name from goose's metrics (`"POST /Users"` → {201: n}).
pub fn status_counts(
    m: &goose::metrics::GooseMetrics,
) -> std::collections::BTreeMap<String, std::collections::BTreeMap<u16, usize>> {
    m.requests
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                v.status_code_counts.iter().map(|(c, n)| (*c, *n)).collect(),
            )
        })
        .collect()
}
