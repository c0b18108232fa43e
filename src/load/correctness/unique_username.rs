//! `load.correctness.unique-username`: K concurrent `POST /Users` with one userName give exactly
//! one 201 and K-1 409 `uniqueness`, and a filter then finds exactly one user with that name.

use super::catalogue::UNIQUE_USERNAME;
use super::session::{Evidence, Session, USER_SCHEMA, got, is_2xx, report, tally};
use crate::client::{Resp, enc};
use crate::report::model::{CheckReport, Outcome};
use futures::future::join_all;
use serde_json::json;
use std::collections::BTreeSet;
use std::time::Instant;

pub(super) async fn unique_username(s: &Session<'_>, k: usize) -> CheckReport {
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
