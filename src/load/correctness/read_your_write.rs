//! `load.correctness.read-your-write`: a PATCH or PUT that answered 2xx is visible to the very
//! next GET, checked on parallel lanes of one user each.

use super::READ_YOUR_WRITE_ROUNDS;
use super::catalogue::READ_YOUR_WRITE;
use super::session::{Evidence, PATCH_OP, Session, USER_SCHEMA, got, is_2xx, report};
use crate::client::Resp;
use crate::client::http::Body;
use crate::report::model::{CheckReport, Outcome};
use futures::future::join_all;
use serde_json::json;
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

pub(super) async fn read_your_write(s: &Session<'_>, k: usize) -> CheckReport {
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
