//! The run namespace: every name the harness puts on a target starts with `scimtest-<run-id>-`,
//! every resource it creates is tracked by location, and `cleanup` deletes them in reverse
//! order of creation (groups before the users they hold) at the end of a run, also after a
//! failure or Ctrl-C. Pre-existing data is never touched: only tracked locations are deleted.

use crate::report::model::CleanupReport;
use crate::target::client::Client;
use parking_lot::Mutex;

/// A run's namespace and its ledger of created resources.
#[derive(Debug)]
pub struct Namespace {
    run_id: String,
    created: Mutex<Vec<String>>,
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

    /// Delete everything tracked, newest first; 404 counts as removed. Takes the ledger, so a
    /// second call does nothing.
    pub async fn cleanup(&self, client: &Client, created_total: usize) -> CleanupReport {
        let list: Vec<String> = std::mem::take(&mut *self.created.lock());
        let mut report = CleanupReport {
            created: created_total.max(list.len()),
            removed: 0,
            leftovers: Vec::new(),
        };
        report.removed = created_total.saturating_sub(list.len());
        for loc in list.iter().rev() {
            let r = client.send("DELETE", loc, None, &[]).await;
            match r.status {
                Some(s) if (200..300).contains(&s) || s == 404 => report.removed += 1,
                Some(s) => report.leftovers.push(format!("{loc}: DELETE answered {s}")),
                None => report
                    .leftovers
                    .push(format!("{loc}: {}", r.error.unwrap_or_default())),
            }
        }
        report
    }
}

impl Namespace {
    /// After the ledger: find anything still named with the run prefix on these `(endpoint,
    /// name attribute)` pairs (a request in flight when the run was interrupted creates a
    /// resource whose response was never read) and delete it. Only resources whose name carries
    /// the prefix are touched: the filter is a hint, the name is the proof.
    pub async fn sweep(
        &self,
        client: &Client,
        targets: &[(String, &str)],
        cleanup: &mut CleanupReport,
    ) {
        let prefix = self.prefix();
        for (endpoint, attr) in targets {
            let filter = crate::target::enc(&format!("{attr} sw \"{prefix}\""));
            let r = client
                .send(
                    "GET",
                    &format!("{endpoint}?filter={filter}&count=1000"),
                    None,
                    &[],
                )
                .await;
            let Some(found) = r.json.as_ref().and_then(|b| b["Resources"].as_array()) else {
                continue;
            };
            for res in found {
                let ours = res[*attr].as_str().is_some_and(|n| n.starts_with(&prefix));
                let Some(id) = res["id"].as_str().filter(|_| ours) else {
                    continue;
                };
                let loc = format!("{endpoint}/{}", crate::target::enc(id));
                let d = client.send("DELETE", &loc, None, &[]).await;
                match d.status {
                    Some(s) if (200..300).contains(&s) || s == 404 => {
                        cleanup.created += 1;
                        cleanup.removed += 1;
                    }
                    Some(s) => cleanup
                        .leftovers
                        .push(format!("{loc}: DELETE answered {s}")),
                    None => cleanup
                        .leftovers
                        .push(format!("{loc}: {}", d.error.unwrap_or_default())),
                }
            }
        }
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
