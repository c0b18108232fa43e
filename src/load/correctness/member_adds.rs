//! `load.correctness.concurrent-member-adds`: K concurrent member adds, then K concurrent removes,
//! on one group lose none (a lagging read is re-read once before it counts as lost).

use super::RECHECK_AFTER;
use super::catalogue::CONCURRENT_MEMBER_ADDS;
use super::session::{
    Evidence, GROUP_SCHEMA, PATCH_OP, Session, USER_SCHEMA, got, is_2xx, member_ids, report, tally,
};
use crate::client::Resp;
use crate::client::http::Body;
use crate::report::model::{CheckReport, Outcome};
use futures::future::join_all;
use serde_json::json;
use std::collections::BTreeSet;
use std::time::Instant;

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

pub(super) async fn concurrent_member_adds(s: &Session<'_>, k: usize) -> CheckReport {
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
