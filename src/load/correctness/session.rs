//! What the correctness checks share: the [`Session`] (client, namespace, name prefix, the
//! ledger of what was created and deleted), capped [`Evidence`], the report builder, and small
//! readers of responses (`got`, `tally`, `location_of`, `member_ids`).

use super::MAX_EVIDENCE;
use crate::client::exchange::Exchange;
use crate::client::http::Body;
use crate::client::{Client, Namespace, Resp, enc};
use crate::report::catalogue::CheckMeta;
use crate::report::model::{CheckReport, Outcome};
use futures::future::join_all;
use parking_lot::Mutex;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

pub(super) const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub(super) const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub(super) const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// What the checks of one `run_all` share: the client, the namespace, the name prefix, and
/// the ledger of what they deleted (for `no-leftovers`).
pub(super) struct Session<'a> {
    pub(super) client: &'a Client,
    pub(super) ns: &'a Namespace,
    pub(super) prefix: String,
    pub(super) deleted: Mutex<Vec<String>>,
    pub(super) created: AtomicUsize,
}

impl<'a> Session<'a> {
    pub(super) fn new(client: &'a Client, ns: &'a Namespace) -> Session<'a> {
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

    pub(super) fn name(&self, suffix: &str) -> String {
        format!("{}{suffix}", self.prefix)
    }

    /// Track a resource this module created.
    pub(super) fn track(&self, location: &str) {
        self.ns.track(location);
        self.created.fetch_add(1, Ordering::Relaxed);
    }

    /// Create a resource; on 2xx, track it and return its location.
    pub(super) async fn create(&self, endpoint: &str, body: &Value) -> (Resp, Option<String>) {
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
    pub(super) async fn delete_all(&self, locs: &[String], k: usize) -> Vec<Resp> {
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
pub(super) struct Evidence(Vec<Exchange>);

impl Evidence {
    pub(super) fn push(&mut self, r: &Resp) {
        if self.0.len() < MAX_EVIDENCE {
            self.0.push(r.exchange.clone());
        }
    }
}

pub(super) fn report(
    spec: &CheckMeta,
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
        area: spec.area.to_string(),
        outcome,
        reason,
        hint: matches!(outcome, Outcome::Fail | Outcome::Error).then(|| spec.hint.to_string()),
        quote: Some(spec.quote_line()),
        duration_ms: started.elapsed().as_secs_f64() * 1000.0,
        evidence: evidence.0,
    }
}

pub(super) fn is_2xx(r: &Resp) -> bool {
    r.status.is_some_and(|s| (200..300).contains(&s))
}

/// What came back, in a few words: `409 uniqueness`, `timed out`, `500`.
pub(super) fn got(r: &Resp) -> String {
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
pub(super) fn location_of(client: &Client, endpoint: &str, r: &Resp) -> Option<String> {
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
pub(super) fn member_ids(group: &Value) -> BTreeSet<String> {
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
pub(super) fn tally(rs: &[Resp]) -> String {
    let mut by: BTreeMap<String, usize> = BTreeMap::new();
    for r in rs {
        *by.entry(got(r)).or_default() += 1;
    }
    by.iter()
        .map(|(k, n)| format!("{n}×{k}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::{Redactor, TargetConfig};
    use serde_json::json;

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
