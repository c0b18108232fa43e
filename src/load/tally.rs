//! What a load run provisioned and how the target throttled it, counted as the operations run:
//! users created (single `POST /Users` and the `201`s inside BulkResponses), the statuses of the
//! other Bulk operations, and every 429 (by operation and by second, whether `Retry-After` came
//! and with which value, whether the virtual user waited it in full). Turned into the report's
//! `provisioning` and `rate_limits` sections by [`Tally::provisioning`] and
//! [`Tally::rate_limits`].

use crate::report::model::{BulkReport, ProvisioningReport, RateLimitReport};
use parking_lot::Mutex;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

/// The counters of one run.
#[derive(Debug, Default)]
pub struct Tally {
    created_single: AtomicU64,
    created_bulk: AtomicU64,
    deleted_bulk: AtomicU64,
    bulk_requests: AtomicU64,
    bulk_operations: AtomicU64,
    bulk_failed: Mutex<BTreeMap<u16, u64>>,
    throttle: Mutex<Throttle>,
}

#[derive(Debug, Default)]
struct Throttle {
    by_op: BTreeMap<&'static str, u64>,
    per_second: BTreeMap<u64, u64>,
    values: BTreeMap<String, u64>,
    missing: u64,
    honoured: u64,
    cut_short: u64,
}

/// One 429 as the load client met it.
#[derive(Debug, Clone, Copy)]
pub struct Throttled<'a> {
    /// The request name.
    pub op: &'static str,
    /// Whole seconds since the attack started.
    pub second: u64,
    /// The `Retry-After` header as sent, if it was.
    pub retry_after: Option<&'a str>,
    /// The virtual user waited what the target asked (1 s without a readable header) in full.
    pub waited_in_full: bool,
}

impl Tally {
    /// A single `POST /Users` answered 201 with an id.
    pub fn created_single(&self) {
        self.created_single.fetch_add(1, Ordering::Relaxed);
    }

    /// One `POST /Bulk` sent with `operations` operations.
    pub fn bulk_sent(&self, operations: usize) {
        self.bulk_requests.fetch_add(1, Ordering::Relaxed);
        self.bulk_operations
            .fetch_add(operations as u64, Ordering::Relaxed);
    }

    /// Bulk creates answered 201 (provisioned users).
    pub fn bulk_created(&self, n: u64) {
        self.created_bulk.fetch_add(n, Ordering::Relaxed);
    }

    /// Bulk deletes answered 204.
    pub fn bulk_deleted(&self, n: u64) {
        self.deleted_bulk.fetch_add(n, Ordering::Relaxed);
    }

    /// A Bulk operation that did not succeed, by its status (0: missing from the response, or
    /// the whole request failed).
    pub fn bulk_failed(&self, status: u16, n: u64) {
        *self.bulk_failed.lock().entry(status).or_default() += n;
    }

    /// A 429.
    pub fn throttled(&self, t: Throttled<'_>) {
        let mut th = self.throttle.lock();
        *th.by_op.entry(t.op).or_default() += 1;
        *th.per_second.entry(t.second).or_default() += 1;
        match t.retry_after {
            Some(v) => *th.values.entry(v.trim().to_string()).or_default() += 1,
            None => th.missing += 1,
        }
        if t.waited_in_full {
            th.honoured += 1;
        } else {
            th.cut_short += 1;
        }
    }

    /// Users created during the attack.
    pub fn users_created(&self) -> u64 {
        self.created_single.load(Ordering::Relaxed) + self.created_bulk.load(Ordering::Relaxed)
    }

    /// The headline and the Bulk figures, over an attack of `seconds`; `bulk` is what the
    /// target declared when the run sent `/Bulk` (`(limits, batch)`).
    pub fn provisioning(
        &self,
        seconds: f64,
        bulk: Option<(crate::load::bulk::BulkLimits, usize)>,
    ) -> ProvisioningReport {
        let single = self.created_single.load(Ordering::Relaxed);
        let by_bulk = self.created_bulk.load(Ordering::Relaxed);
        let users = single + by_bulk;
        let per_s = if seconds > 0.0 {
            users as f64 / seconds
        } else {
            0.0
        };
        ProvisioningReport {
            users,
            seconds: (seconds * 100.0).round() / 100.0,
            users_per_second: (per_s * 10.0).round() / 10.0,
            single,
            bulk: by_bulk,
            headline: headline(users, seconds),
            bulk_detail: bulk.map(|(l, batch)| BulkReport {
                declared: l.describe(),
                max_operations: l.max_operations,
                max_payload_bytes: l.max_payload_bytes,
                batch,
                requests: self.bulk_requests.load(Ordering::Relaxed),
                operations: self.bulk_operations.load(Ordering::Relaxed),
                created: by_bulk,
                deleted: self.deleted_bulk.load(Ordering::Relaxed),
                failed: self
                    .bulk_failed
                    .lock()
                    .iter()
                    .map(|(s, n)| (s.to_string(), *n))
                    .collect(),
            }),
        }
    }

    /// The rate-limit section over an attack of `seconds`; `max_wait` is the longest the load
    /// client waits for one `Retry-After`.
    pub fn rate_limits(&self, seconds: f64, max_wait: std::time::Duration) -> RateLimitReport {
        let th = self.throttle.lock();
        let throttled: u64 = th.by_op.values().sum();
        let peak = th.per_second.values().copied().max().unwrap_or(0);
        let secs = th.per_second.len() as u64;
        let avg = if seconds > 0.0 {
            throttled as f64 / seconds
        } else {
            0.0
        };
        let sent: u64 = th.values.values().sum();
        let summary = if throttled == 0 {
            "no throttling: the target answered no request with 429".to_string()
        } else {
            let told = if sent == 0 {
                "never sent Retry-After".to_string()
            } else if th.missing == 0 {
                format!("sent Retry-After with every one ({})", values(&th.values))
            } else {
                format!(
                    "sent Retry-After with {sent} of them ({}), none with {}",
                    values(&th.values),
                    th.missing
                )
            };
            format!(
                "throttled: {throttled} × 429 in {secs} of {:.0} s (peak {peak}/s, {:.1}/s over the attack); the target {told}; scimtest waited it in full {} time(s){}",
                seconds.ceil(),
                avg,
                th.honoured,
                if th.cut_short > 0 {
                    format!(
                        " and cut {} wait(s) short (longer than {:.0} s, or the run ended)",
                        th.cut_short,
                        max_wait.as_secs_f64()
                    )
                } else {
                    String::new()
                }
            )
        };
        RateLimitReport {
            throttled,
            by_operation: th.by_op.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            peak_per_second: peak,
            avg_per_second: (avg * 100.0).round() / 100.0,
            seconds_throttled: secs,
            retry_after_sent: sent,
            retry_after_missing: th.missing,
            retry_after_values: th.values.clone(),
            honoured: th.honoured,
            cut_short: th.cut_short,
            client: format!(
                "scimtest does not resend a throttled request: it counts the 429 as a failed request, and that virtual user waits the Retry-After seconds (1 s without one, at most {:.0} s) before its next request",
                max_wait.as_secs_f64()
            ),
            summary,
            idps: Vec::new(),
        }
    }
}

/// The shards' provisioning added up over the fleet's `seconds` (`None` when no shard has one).
pub fn merged<'a>(
    parts: impl Iterator<Item = &'a ProvisioningReport>,
    seconds: f64,
) -> Option<ProvisioningReport> {
    let mut any = false;
    let (mut single, mut bulk) = (0, 0);
    for p in parts {
        any = true;
        single += p.single;
        bulk += p.bulk;
    }
    let users = single + bulk;
    any.then(|| ProvisioningReport {
        users,
        seconds,
        users_per_second: if seconds > 0.0 {
            (users as f64 / seconds * 10.0).round() / 10.0
        } else {
            0.0
        },
        single,
        bulk,
        headline: headline(users, seconds),
        bulk_detail: None,
    })
}

/// `"1 s" × 3, "5" × 1`.
fn values(v: &BTreeMap<String, u64>) -> String {
    v.iter()
        .map(|(k, n)| format!("{k:?} × {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `1600` → `"1,600"`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "1,600 users provisioned in 2.0 s (800 users/s)".
pub fn headline(users: u64, seconds: f64) -> String {
    let rate = if seconds > 0.0 {
        users as f64 / seconds
    } else {
        0.0
    };
    let rate = if rate >= 10.0 {
        thousands(rate.round() as u64)
    } else {
        format!("{rate:.1}")
    };
    format!(
        "{} user{} provisioned in {seconds:.1} s ({rate} users/s)",
        thousands(users),
        if users == 1 { "" } else { "s" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_headline_reads_as_a_user_says_it() {
        assert_eq!(
            headline(1600, 2.0),
            "1,600 users provisioned in 2.0 s (800 users/s)"
        );
        assert_eq!(
            headline(1, 4.0),
            "1 user provisioned in 4.0 s (0.2 users/s)"
        );
        assert_eq!(
            headline(1_234_567, 10.0),
            "1,234,567 users provisioned in 10.0 s (123,457 users/s)"
        );
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
    }

    #[test]
    fn provisioning_adds_single_and_bulk_creates() {
        let t = Tally::default();
        t.created_single();
        t.bulk_sent(3);
        t.bulk_created(2);
        t.bulk_failed(409, 1);
        let limits = crate::load::bulk::BulkLimits {
            supported: true,
            max_operations: Some(3),
            max_payload_bytes: None,
        };
        let p = t.provisioning(1.0, Some((limits, 3)));
        assert_eq!((p.users, p.single, p.bulk), (3, 1, 2));
        let b = p.bulk_detail.expect("bulk");
        assert_eq!((b.requests, b.operations, b.created), (1, 3, 2));
        assert_eq!(b.failed.get("409"), Some(&1));
        assert!(
            p.headline.starts_with("3 users provisioned"),
            "{}",
            p.headline
        );
    }

    #[test]
    fn rate_limits_count_per_second_and_retry_after() {
        let t = Tally::default();
        let clean = t.rate_limits(3.0, Duration::from_secs(10));
        assert_eq!(clean.throttled, 0);
        assert!(
            clean.summary.starts_with("no throttling"),
            "{}",
            clean.summary
        );
        for (second, ra, full) in [(0, Some("1"), true), (0, Some("1"), true), (2, None, false)] {
            t.throttled(Throttled {
                op: "POST /Users",
                second,
                retry_after: ra,
                waited_in_full: full,
            });
        }
        let r = t.rate_limits(4.0, Duration::from_secs(10));
        assert_eq!(
            (r.throttled, r.peak_per_second, r.seconds_throttled),
            (3, 2, 2)
        );
        assert_eq!((r.retry_after_sent, r.retry_after_missing), (2, 1));
        assert_eq!((r.honoured, r.cut_short), (2, 1));
        assert_eq!(r.avg_per_second, 0.75);
        assert_eq!(r.by_operation.get("POST /Users"), Some(&3));
        assert!(r.summary.contains("peak 2/s"), "{}", r.summary);
        assert!(r.summary.contains("with 2 of them"), "{}", r.summary);
    }
}
