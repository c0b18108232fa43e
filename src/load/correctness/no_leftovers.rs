//! `load.correctness.no-leftovers`: after the checks deleted what they created, nothing of it is
//! readable by id or found by a `sw` filter on the session's name prefix.

use super::catalogue::NO_LEFTOVERS;
use super::session::{Evidence, Session, got, report};
use crate::client::enc;
use crate::report::model::{CheckReport, Outcome};
use futures::future::join_all;
use std::collections::BTreeSet;
use std::time::Instant;

pub(super) async fn no_leftovers(s: &Session<'_>, k: usize, groups: bool) -> CheckReport {
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
    // Without groups (`load --config` with groups not provisioned) /Groups is not asked.
    let endpoints: &[(&str, &str)] = if groups {
        &[("/Users", "userName"), ("/Groups", "displayName")]
    } else {
        &[("/Users", "userName")]
    };
    for &(endpoint, attr) in endpoints {
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
         GET /Users?filter=userName sw \"{p}\"{}",
        deleted.len(),
        if groups {
            format!(" and /Groups?filter=displayName sw \"{}\"", s.prefix)
        } else {
            String::new()
        },
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
                "{sent}: {} and {} found nothing",
                if deleted.is_empty() {
                    "nothing to GET"
                } else {
                    "every GET answered 404"
                },
                if groups { "both filters" } else { "the filter" }
            ),
        )
    };
    report(spec, started, outcome, reason, ev)
}
