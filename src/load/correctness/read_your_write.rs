//! `load.correctness.read-your-write`: a PATCH or PUT that answered 2xx is visible to the very
//! next GET, checked on parallel lanes of one user each.

use super::READ_YOUR_WRITE_ROUNDS;
use super::catalogue::READ_YOUR_WRITE;
use super::session::{Evidence, PATCH_OP, Session, USER_SCHEMA, got, is_2xx, report};
use crate::client::Resp;
use crate::client::http::Body;
use crate::load::provisioning::{MappedAttr, UserShape};
use crate::report::model::{CheckReport, Outcome};
use crate::scim::provisioning::AttrType;
use futures::future::join_all;
use serde_json::{Value, json};
use std::time::Instant;

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

/// The attribute the check writes without a configuration.
fn display_name() -> MappedAttr {
    MappedAttr {
        target: "displayName".into(),
        urn: None,
        attr: "displayName".into(),
        filter: None,
        sub: None,
        kind: AttrType::String,
        example: None,
    }
}

/// `costCenter="x", badgeNumber=3`: what a write wrote, in a few words.
fn wrote(written: &[(MappedAttr, Value)]) -> String {
    written
        .iter()
        .map(|(a, v)| format!("{}={v}", a.target))
        .collect::<Vec<_>>()
        .join(", ")
}

async fn rw_lane(s: &Session<'_>, lane: usize, rounds: usize, shape: Option<&UserShape>) -> Lane {
    let mut out = Lane::default();
    let name = s.name(&format!("rw{lane}"));
    // Under `load --config` the user carries the mapped attributes and the writes change them.
    let mapped = shape.filter(|p| !p.updatable().is_empty());
    let plain = json!({"schemas": [USER_SCHEMA], "userName": name, "displayName": "v0"});
    let created = match mapped {
        Some(p) => p.create_body(plain, &name, lane as u64).0,
        None => plain,
    };
    let (r, loc) = s.create("/Users", &created).await;
    let Some(loc) = loc else {
        out.setup = Some(r);
        return out;
    };
    let mut patch_unsupported = false;
    for round in 0..rounds {
        let n = (lane * 1000 + round) as u64;
        let use_put = round % 2 == 1 || patch_unsupported;
        let (what, written, w) = if use_put {
            let mut body = created.clone();
            let written = match mapped {
                Some(p) => p.change_for_put(&mut body, n, true),
                None => {
                    let v = Value::String(format!("rw-{lane}-{round}"));
                    body["displayName"] = v.clone();
                    vec![(display_name(), v)]
                }
            };
            let w = s
                .client
                .send("PUT", &loc, Some(Body::Json(&body)), &[])
                .await;
            ("PUT", written, w)
        } else {
            let (body, written) = match mapped.and_then(|p| p.patch_body(n, true)) {
                Some(b) => b,
                None => {
                    let v = Value::String(format!("rw-{lane}-{round}"));
                    let body = json!({"schemas": [PATCH_OP], "Operations": [
                        {"op": "replace", "path": "displayName", "value": v}]});
                    (body, vec![(display_name(), v)])
                }
            };
            let w = s
                .client
                .send("PATCH", &loc, Some(Body::Json(&body)), &[])
                .await;
            if w.status == Some(501) {
                patch_unsupported = true;
                continue;
            }
            ("PATCH", written, w)
        };
        let what = format!("{what} {}", wrote(&written));
        if w.status.is_none() {
            out.error = Some((what, w));
            break;
        }
        if !is_2xx(&w) {
            out.failure = Some((format!("{what} answered {}", got(&w)), w));
            break;
        }
        let g = s.client.send("GET", &loc, None, &[]).await;
        if g.status.is_none() {
            out.error = Some(("GET after the write".into(), g));
            break;
        }
        if g.status != Some(200) {
            out.failure = Some((format!("GET after {what} answered {}", got(&g)), g));
            break;
        }
        out.reads += 1;
        // A mapped attribute the server does not return (returned "never", a dateTime written
        // back in another form) is not judged: only a different value is stale.
        let stale = written.iter().find_map(|(a, v)| {
            let seen = a.get(g.body());
            match seen {
                Some(x) if x == v => None,
                Some(_) if a.kind == AttrType::DateTime => None,
                Some(x) => Some(format!("{}={x}", a.target)),
                None if mapped.is_none() => Some(format!("no {}", a.target)),
                None => None,
            }
        });
        if let Some(seen) = stale {
            out.stale += 1;
            if out.first_stale.is_none() {
                out.first_stale = Some((what, seen, w, g));
            }
        }
    }
    out.failed_deletes = s.delete_all(&[loc], 1).await;
    out
}

pub(super) async fn read_your_write(
    s: &Session<'_>,
    k: usize,
    shape: Option<&UserShape>,
) -> CheckReport {
    let spec = &READ_YOUR_WRITE;
    let started = Instant::now();
    let mut ev = Evidence::default();
    let lanes = k.min(8);
    let rounds = (READ_YOUR_WRITE_ROUNDS / lanes).max(5);
    let results = join_all((0..lanes).map(|lane| rw_lane(s, lane, rounds, shape))).await;
    let reads: usize = results.iter().map(|l| l.reads).sum();
    let stale: usize = results.iter().map(|l| l.stale).sum();
    let attrs = match shape.filter(|p| !p.updatable().is_empty()) {
        Some(p) => {
            let t: Vec<&str> = p.updatable().iter().map(|a| a.target.as_str()).collect();
            format!("the configured {}", t.join(", "))
        }
        None => "displayName".to_string(),
    };
    let sent = format!(
        "{lanes} users in parallel, each written {rounds} times (PATCH and PUT of {attrs} \
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
