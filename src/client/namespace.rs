//! The run namespace: every name the harness puts on a target starts with `scimtest-<run-id>-`,
//! every resource it creates is tracked by location, and `cleanup` deletes them in reverse
//! order of creation (groups before the users they hold) at the end of a run, also after a
//! failure or Ctrl-C. Pre-existing data is never touched: only tracked locations are deleted.
//! Every DELETE is read back: a resource counts as removed only when a GET answers 404 or 410;
//! one still readable, or still listed under the run prefix, is a leftover reported with its id.

use crate::client::http::{Client, Resp};
use futures::StreamExt;
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

/// Cleanup of what the run created.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CleanupReport {
    /// Resources created by the run.
    pub created: usize,
    /// Resources deleted at the end and read back as gone (404 or 410), or found already gone.
    pub removed: usize,
    /// What is still on the target after cleanup, each with its location, id and why: a
    /// DELETE that was refused, or a resource still readable or still listed after its DELETE
    /// answered success (a soft delete). Counted as removed only when read back as gone.
    pub leftovers: Vec<String>,
}

/// A run's namespace and its ledger of created resources.
#[derive(Debug)]
pub struct Namespace {
    run_id: String,
    created: Mutex<Vec<String>>,
    /// Ids cleanup deleted and read back as gone.
    gone: Mutex<Vec<String>>,
    /// Ids reported as left over.
    left: Mutex<Vec<String>>,
}

impl Namespace {
    /// A namespace with a fresh run id (8 hex digits).
    pub fn new() -> Namespace {
        let id = uuid::Uuid::new_v4().simple().to_string();
        Namespace::with_run_id(&id[..8])
    }

    /// A namespace with a given run id.
    pub fn with_run_id(run_id: &str) -> Namespace {
        Namespace {
            run_id: run_id.to_string(),
            created: Mutex::new(Vec::new()),
            gone: Mutex::new(Vec::new()),
            left: Mutex::new(Vec::new()),
        }
    }

    /// The run id.
    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    /// The prefix of every name this run creates.
    pub fn prefix(&self) -> String {
        format!("scimtest-{}-", self.run_id)
    }

    /// A namespaced name, e.g. `scimtest-1a2b3c4d-alice`.
    pub fn name(&self, suffix: &str) -> String {
        format!("{}{suffix}", self.prefix())
    }

    /// Record a created resource's location for cleanup.
    pub fn track(&self, location: &str) {
        self.created.lock().push(location.to_string());
    }

    /// Forget a location (the check deleted it itself).
    pub fn untrack(&self, location: &str) {
        self.created.lock().retain(|l| l != location);
    }

    /// How many resources are tracked.
    pub fn tracked(&self) -> usize {
        self.created.lock().len()
    }

    /// Delete everything tracked, newest first, then read each one back: only a 404 or 410
    /// counts as removed. A resource still readable after its DELETE answered success (a soft
    /// delete) is a leftover, reported with its id, as is one whose DELETE was refused or whose
    /// removal could not be confirmed. Takes the ledger, so a second call does nothing.
    pub async fn cleanup(&self, client: &Client, created_total: usize) -> CleanupReport {
        let list: Vec<String> = std::mem::take(&mut *self.created.lock());
        let mut report = CleanupReport {
            created: created_total.max(list.len()),
            removed: 0,
            leftovers: Vec::new(),
        };
        report.removed = created_total.saturating_sub(list.len());
        let mut deleted: Vec<(String, u16)> = Vec::new();
        for loc in list.iter().rev() {
            let r = client.send("DELETE", loc, None, &[]).await;
            match r.status {
                Some(s) if (200..300).contains(&s) || s == 404 || s == 410 => {
                    deleted.push((loc.clone(), s));
                }
                Some(s) => self.leftover(&mut report, loc, &format!("DELETE answered {s}")),
                None => {
                    let why = r.error.unwrap_or_default();
                    self.leftover(&mut report, loc, &why);
                }
            }
        }
        self.read_back(client, deleted, &mut report).await;
        report
    }

    /// GET each deleted location (bounded concurrency): 404 or 410 is removed; anything else is
    /// a leftover with why.
    async fn read_back(
        &self,
        client: &Client,
        deleted: Vec<(String, u16)>,
        report: &mut CleanupReport,
    ) {
        let answers: Vec<(String, u16, Resp)> = futures::stream::iter(deleted)
            .map(|(loc, status)| async move {
                let r = client.send("GET", &loc, None, &[]).await;
                (loc, status, r)
            })
            .buffered(READ_BACK_CONCURRENCY)
            .collect()
            .await;
        for (loc, deleted_with, r) in answers {
            match r.status {
                Some(404 | 410) => {
                    report.removed += 1;
                    self.gone.lock().push(last_segment(&loc).to_string());
                }
                Some(s) if (200..300).contains(&s) => self.leftover(
                    report,
                    &loc,
                    &format!(
                        "still readable after DELETE answered {deleted_with} (GET answered {s})"
                    ),
                ),
                Some(s) => self.leftover(
                    report,
                    &loc,
                    &format!(
                        "removal not confirmed: DELETE answered {deleted_with}, then GET answered {s} (expected 404)"
                    ),
                ),
                None => self.leftover(
                    report,
                    &loc,
                    &format!(
                        "removal not confirmed: DELETE answered {deleted_with}, then GET failed: {}",
                        r.error.unwrap_or_default()
                    ),
                ),
            }
        }
    }

    /// Report `loc` as left over (once per id).
    fn leftover(&self, report: &mut CleanupReport, loc: &str, why: &str) {
        let id = last_segment(loc).to_string();
        let mut left = self.left.lock();
        if left.contains(&id) {
            return;
        }
        left.push(id.clone());
        report.leftovers.push(format!("{loc} (id {id}): {why}"));
    }
}

/// At most this many read-backs in flight (cheap on any target).
const READ_BACK_CONCURRENCY: usize = 16;

/// The last path segment of a location: the resource id as sent on the wire.
fn last_segment(loc: &str) -> &str {
    let path = loc.split(['?', '#']).next().unwrap_or(loc);
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(path)
}

impl Namespace {
    /// After the ledger: find anything still named with the run prefix on these `(endpoint,
    /// name attribute)` pairs (a request in flight when the run was interrupted creates a
    /// resource whose response was never read) and delete it, then read it back. Only
    /// resources whose name carries the prefix are touched: the filter is a hint, the name is
    /// the proof. A resource the ledger already deleted that is still listed is a leftover (a
    /// soft delete), and so is one the sweep deleted that a second listing still shows.
    pub async fn sweep(
        &self,
        client: &Client,
        targets: &[(String, &str)],
        cleanup: &mut CleanupReport,
    ) {
        for (endpoint, attr) in targets {
            let Some(found) = self.list_ours(client, endpoint, attr).await else {
                continue;
            };
            let mut deleted: Vec<(String, u16)> = Vec::new();
            for id in found {
                let loc = format!("{endpoint}/{}", crate::client::enc(&id));
                if self.is_gone(&id) {
                    self.still_listed(cleanup, &loc, &id);
                    continue;
                }
                // A leftover of the ledger (its DELETE refused or unconfirmed) gets a second
                // DELETE; anything else the sweep finds is new.
                let retry = self.is_left(&id);
                if !retry {
                    cleanup.created += 1;
                }
                let d = client.send("DELETE", &loc, None, &[]).await;
                match d.status {
                    Some(s) if (200..300).contains(&s) || s == 404 || s == 410 => {
                        if retry {
                            self.unleft(cleanup, &id);
                        }
                        deleted.push((loc, s));
                    }
                    Some(s) => self.leftover(cleanup, &loc, &format!("DELETE answered {s}")),
                    None => {
                        let why = d.error.unwrap_or_default();
                        self.leftover(cleanup, &loc, &why);
                    }
                }
            }
            if deleted.is_empty() {
                continue;
            }
            self.read_back(client, deleted, cleanup).await;
            // Gone by id but still listed: a soft delete the list still shows.
            if let Some(again) = self.list_ours(client, endpoint, attr).await {
                for id in again {
                    let loc = format!("{endpoint}/{}", crate::client::enc(&id));
                    self.still_listed(cleanup, &loc, &id);
                }
            }
        }
    }

    /// The ids of the resources on `endpoint` whose `attr` starts with the run prefix; None
    /// when the target gives no usable list.
    async fn list_ours(&self, client: &Client, endpoint: &str, attr: &str) -> Option<Vec<String>> {
        let prefix = self.prefix();
        let filter = crate::client::enc(&format!("{attr} sw \"{prefix}\""));
        let r = client
            .send(
                "GET",
                &format!("{endpoint}?filter={filter}&count=1000"),
                None,
                &[],
            )
            .await;
        let found = r.json.as_ref().and_then(|b| b["Resources"].as_array())?;
        Some(
            found
                .iter()
                .filter(|res| res[attr].as_str().is_some_and(|n| n.starts_with(&prefix)))
                .filter_map(|res| res["id"].as_str().map(str::to_string))
                .collect(),
        )
    }

    /// Whether cleanup read this id back as gone.
    fn is_gone(&self, id: &str) -> bool {
        let enc = crate::client::enc(id);
        self.gone.lock().iter().any(|x| x == id || *x == enc)
    }

    /// Whether this id is reported as left over.
    fn is_left(&self, id: &str) -> bool {
        let enc = crate::client::enc(id);
        self.left.lock().iter().any(|x| x == id || *x == enc)
    }

    /// Take this id off the leftovers (a second DELETE went through; the read-back decides).
    fn unleft(&self, cleanup: &mut CleanupReport, id: &str) {
        let enc = crate::client::enc(id);
        let mut left = self.left.lock();
        let mut drop_ids: Vec<String> = Vec::new();
        left.retain(|x| {
            let hit = x == id || *x == enc;
            if hit {
                drop_ids.push(x.clone());
            }
            !hit
        });
        cleanup
            .leftovers
            .retain(|l| !drop_ids.iter().any(|d| l.contains(&format!("(id {d}):"))));
    }

    /// A resource read back as gone that a list still shows: no longer counted as removed.
    fn still_listed(&self, cleanup: &mut CleanupReport, loc: &str, id: &str) {
        let enc = crate::client::enc(id);
        let was_gone = {
            let mut gone = self.gone.lock();
            let before = gone.len();
            gone.retain(|x| x != id && *x != enc);
            gone.len() != before
        };
        if self.left.lock().iter().any(|x| x == id || *x == enc) {
            return;
        }
        if was_gone {
            cleanup.removed = cleanup.removed.saturating_sub(1);
        }
        self.leftover(
            cleanup,
            loc,
            "still listed under the run prefix after its DELETE answered success",
        );
    }
}

impl Default for Namespace {
    fn default() -> Self {
        Namespace::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_the_run_prefix_and_tracking_is_a_ledger() {
        let ns = Namespace::with_run_id("abcd1234");
        assert_eq!(ns.name("alice"), "scimtest-abcd1234-alice");
        ns.track("http://x/Users/1");
        ns.track("http://x/Users/2");
        ns.untrack("http://x/Users/1");
        assert_eq!(ns.tracked(), 1);
        assert_eq!(Namespace::new().run_id().len(), 8);
    }
}
