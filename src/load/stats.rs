//! Per-operation latency collection for `scimtest load`: the [`Collector`] every request
//! reports to, which snapshots into the report model's [`OpSeries`] (`report::series`, where
//! the bucket scheme and the percentile rule are described).
//!
//! A failed request (`ok == false`) counts as an error and its latency still counts, as in goose.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::report::series::{
    COARSE_BITS, COARSE_LEN, Counts, FINE_BITS, OpSeries, UsersSecond, bucket_at, bucket_index,
    second_stats, summary,
};
use parking_lot::{Mutex, RwLock};

/// A second that is no longer current: sparse coarse buckets `(index, count)`, by index.
#[derive(Debug, Clone)]
struct ClosedSecond {
    second: u64,
    counts: Counts,
    buckets: Vec<(u16, u64)>,
}

impl ClosedSecond {
    fn add(&mut self, us: u64, ok: bool, throttled: bool) {
        self.counts.add(us, ok, throttled);
        let index = bucket_index(us, COARSE_BITS) as u16;
        match self.buckets.binary_search_by_key(&index, |&(i, _)| i) {
            Ok(at) => {
                if let Some(slot) = self.buckets.get_mut(at) {
                    slot.1 += 1;
                }
            }
            Err(at) => self.buckets.insert(at, (index, 1)),
        }
    }
}

/// What one operation has recorded so far (behind its own mutex).
struct OpAcc {
    counts: Counts,
    /// Whole-run fine histogram, dense by bucket index, grown on demand.
    fine: Vec<u64>,
    /// Seconds before the current one, in order.
    closed: Vec<ClosedSecond>,
    /// The current (latest) second, if any request was recorded.
    current: Option<(u64, Counts)>,
    /// The current second's coarse histogram, dense by bucket index.
    current_buckets: Box<[u64; COARSE_LEN]>,
}

impl OpAcc {
    fn new() -> Self {
        OpAcc {
            counts: Counts::default(),
            fine: Vec::new(),
            closed: Vec::new(),
            current: None,
            current_buckets: Box::new([0; COARSE_LEN]),
        }
    }

    fn record(&mut self, second: u64, us: u64, ok: bool, throttled: bool) {
        self.counts.add(us, ok, throttled);
        let fine = bucket_index(us, FINE_BITS);
        if fine >= self.fine.len() {
            self.fine.resize(fine + 1, 0);
        }
        if let Some(slot) = self.fine.get_mut(fine) {
            *slot += 1;
        }
        let coarse = bucket_index(us, COARSE_BITS);
        match &mut self.current {
            Some((current, counts)) if *current == second => {
                counts.add(us, ok, throttled);
                if let Some(slot) = self.current_buckets.get_mut(coarse) {
                    *slot += 1;
                }
            }
            Some((current, _)) if *current > second => self.record_late(second, us, ok, throttled),
            _ => {
                self.close_current();
                let mut counts = Counts::default();
                counts.add(us, ok, throttled);
                self.current = Some((second, counts));
                if let Some(slot) = self.current_buckets.get_mut(coarse) {
                    *slot += 1;
                }
            }
        }
    }

    /// A request that completed in a second before the current one (a task that measured its
    /// time, then lost the race for the lock).
    fn record_late(&mut self, second: u64, us: u64, ok: bool, throttled: bool) {
        match self.closed.binary_search_by_key(&second, |c| c.second) {
            Ok(at) => {
                if let Some(closed) = self.closed.get_mut(at) {
                    closed.add(us, ok, throttled);
                }
            }
            Err(at) => {
                let mut closed = ClosedSecond {
                    second,
                    counts: Counts::default(),
                    buckets: Vec::new(),
                };
                closed.add(us, ok, throttled);
                self.closed.insert(at, closed);
            }
        }
    }

    /// Move the current second into `closed` (sparse) and clear its dense buckets.
    fn close_current(&mut self) {
        if let Some(closed) = self.current_closed() {
            self.closed.push(closed);
            self.current_buckets.fill(0);
        }
        self.current = None;
    }

    /// The current second as a [`ClosedSecond`], without changing anything.
    fn current_closed(&self) -> Option<ClosedSecond> {
        let (second, counts) = self.current?;
        let buckets = self
            .current_buckets
            .iter()
            .enumerate()
            .filter(|&(_, &count)| count > 0)
            .map(|(index, &count)| (index as u16, count))
            .collect();
        Some(ClosedSecond {
            second,
            counts,
            buckets,
        })
    }

    fn series(&self, op: &str, duration: Duration) -> OpSeries {
        let histogram: Vec<(u64, u64)> = self
            .fine
            .iter()
            .enumerate()
            .filter(|&(_, &count)| count > 0)
            .map(|(index, &count)| (bucket_at(index, FINE_BITS), count))
            .collect();
        let per_second = self
            .closed
            .iter()
            .cloned()
            .chain(self.current_closed())
            .map(|closed| {
                let histogram = closed
                    .buckets
                    .iter()
                    .map(|&(index, count)| (bucket_at(usize::from(index), COARSE_BITS), count))
                    .collect();
                second_stats(closed.second, &closed.counts, histogram)
            })
            .collect();
        OpSeries {
            op: op.to_owned(),
            total: summary(&self.counts, &histogram, duration.as_secs_f64()),
            per_second,
            histogram,
        }
    }
}

type OpMap = HashMap<Box<str>, Arc<Mutex<OpAcc>>, foldhash::fast::RandomState>;

/// Per goose user (by its index), the first and the last second it had a request in flight.
type UserSpans = HashMap<usize, (u64, u64), foldhash::fast::RandomState>;

struct Inner {
    start: Instant,
    ops: RwLock<OpMap>,
    users: Mutex<UserSpans>,
}

/// Collects every request's latency, per operation. Cheap to clone (an `Arc`); `record` from
/// any number of tasks. Operation names are interned on first use: after that a record costs a
/// read lock on the name map, a hash of the name and one short per-operation mutex hold.
#[derive(Clone)]
pub struct Collector {
    inner: Arc<Inner>,
}

impl Default for Collector {
    fn default() -> Self {
        Collector::new()
    }
}

impl std::fmt::Debug for Collector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Collector")
            .field("start", &self.inner.start)
            .field("ops", &self.inner.ops.read().len())
            .finish()
    }
}

impl Collector {
    /// A collector whose second 0 starts now.
    pub fn new() -> Self {
        Collector::starting_at(Instant::now())
    }

    /// A collector whose second 0 starts at `start` (e.g. when goose starts its users).
    pub fn starting_at(start: Instant) -> Self {
        Collector {
            inner: Arc::new(Inner {
                start,
                ops: RwLock::new(OpMap::default()),
                users: Mutex::new(UserSpans::default()),
            }),
        }
    }

    /// The instant second 0 starts at.
    pub fn start(&self) -> Instant {
        self.inner.start
    }

    /// Record one request of `op` that took `elapsed` and completed now; `ok == false` counts
    /// it as an error.
    pub fn record(&self, op: &str, elapsed: Duration, ok: bool) {
        let since_start = Instant::now().saturating_duration_since(self.inner.start);
        self.record_at(op, since_start, elapsed, ok);
    }

    /// Record one request of `op` that took `elapsed` and completed `since_start` after the
    /// start (for replaying recorded timings, and for tests).
    pub fn record_at(&self, op: &str, since_start: Duration, elapsed: Duration, ok: bool) {
        self.record_answer(op, since_start, elapsed, ok, false);
    }

    /// [`Collector::record_at`], and `throttled` says the answer was 429 Too Many Requests
    /// (counted per second apart from the other errors; a 429 is never `ok`).
    pub fn record_answer(
        &self,
        op: &str,
        since_start: Duration,
        elapsed: Duration,
        ok: bool,
        throttled: bool,
    ) {
        let us = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        let second = since_start.as_secs();
        self.op(op)
            .lock()
            .record(second, us, ok && !throttled, throttled);
    }

    /// Goose user `user` had a request in flight from `since_start` for `elapsed`: it runs
    /// from the start of its first such request to the end of its last ([`UsersSecond`]).
    pub fn record_user(&self, user: usize, since_start: Duration, elapsed: Duration) {
        let first = since_start.as_secs();
        let last = since_start.saturating_add(elapsed).as_secs();
        let mut users = self.inner.users.lock();
        let span = users.entry(user).or_insert((first, last));
        span.0 = span.0.min(first);
        span.1 = span.1.max(last);
    }

    /// Goose users running in each second from the first to the last second any user ran
    /// (seconds with none included, as 0); empty when no user was recorded.
    pub fn active_users(&self) -> Vec<UsersSecond> {
        let users = self.inner.users.lock();
        let Some(end) = users.values().map(|&(_, last)| last).max() else {
            return Vec::new();
        };
        let start = users.values().map(|&(first, _)| first).min().unwrap_or(0);
        // Difference array over [start, end + 1].
        let len = usize::try_from(end - start + 2)
            .unwrap_or(usize::MAX)
            .min(1 << 24);
        let mut delta = vec![0i64; len];
        for &(first, last) in users.values() {
            let (a, b) = ((first - start) as usize, (last - start) as usize + 1);
            if let Some(d) = delta.get_mut(a) {
                *d += 1;
            }
            if let Some(d) = delta.get_mut(b) {
                *d -= 1;
            }
        }
        let mut running = 0i64;
        delta
            .iter()
            .take(len - 1)
            .enumerate()
            .map(|(i, d)| {
                running += d;
                UsersSecond {
                    second: start + i as u64,
                    users: running.max(0) as u64,
                }
            })
            .collect()
    }

    /// The accumulator of `op`, created on first use.
    fn op(&self, op: &str) -> Arc<Mutex<OpAcc>> {
        if let Some(acc) = self.inner.ops.read().get(op) {
            return Arc::clone(acc);
        }
        let mut ops = self.inner.ops.write();
        Arc::clone(
            ops.entry(op.into())
                .or_insert_with(|| Arc::new(Mutex::new(OpAcc::new()))),
        )
    }

    /// Every operation recorded so far, sorted by name, with rates over the time since the start.
    pub fn snapshot(&self) -> Vec<OpSeries> {
        self.snapshot_over(self.inner.start.elapsed())
    }

    /// [`Collector::snapshot`] with rates over `duration` (e.g. goose's measured run time).
    pub fn snapshot_over(&self, duration: Duration) -> Vec<OpSeries> {
        let ops: Vec<(Box<str>, Arc<Mutex<OpAcc>>)> = self
            .inner
            .ops
            .read()
            .iter()
            .map(|(name, acc)| (name.clone(), Arc::clone(acc)))
            .collect();
        let mut series: Vec<OpSeries> = ops
            .iter()
            .map(|(name, acc)| acc.lock().series(name, duration))
            .collect();
        series.sort_by(|a, b| a.op.cmp(&b.op));
        series
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::series::{merge, merge_snapshots};

    fn us(n: u64) -> Duration {
        Duration::from_micros(n)
    }

    /// Deterministic pseudo-random latencies spread over 20 µs .. ~1 s, log-uniform-ish.
    fn samples(n: usize, seed: u64) -> Vec<u64> {
        let mut state = seed;
        (0..n)
            .map(|_| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let exp = (state >> 59) % 16; // 0..15 powers of two
                let mant = (state >> 20) % 1024;
                (20u64 << exp) + ((mant << exp) >> 10)
            })
            .collect()
    }

    /// Nearest-rank percentile on raw samples, with goose's clamps.
    fn direct(sorted: &[u64], p: f64) -> u64 {
        let n = sorted.len() as u64;
        let rank = (n as f64 * p).round() as u64;
        let rank = rank.clamp(1, n);
        sorted[(rank - 1) as usize]
    }

    #[test]
    fn throttled_answers_are_errors_counted_apart_per_second() {
        let c = Collector::new();
        let at = Duration::from_millis;
        c.record_answer("get-user", at(100), us(50), true, false);
        c.record_answer("get-user", at(200), us(50), false, true);
        // A 429 is never ok, whatever the caller says.
        c.record_answer("get-user", at(300), us(50), true, true);
        c.record_answer("get-user", at(1_100), us(50), false, false);
        c.record_answer("get-user", at(1_200), us(50), false, true);
        // Late into a closed second.
        c.record_answer("get-user", at(900), us(50), false, true);
        let snap = c.snapshot_over(Duration::from_secs(2));
        let s = &snap[0];
        assert_eq!(
            (s.total.requests, s.total.errors, s.total.throttled),
            (6, 5, 4)
        );
        let per: Vec<(u64, u64, u64)> = s
            .per_second
            .iter()
            .map(|p| (p.second, p.errors, p.throttled))
            .collect();
        assert_eq!(per, [(0, 3, 3), (1, 2, 1)]);
        let merged = merge(s, s);
        assert_eq!(merged.total.throttled, 8);
        assert_eq!(merged.per_second[0].throttled, 6);
    }

    #[test]
    fn active_users_run_from_their_first_request_to_the_end_of_their_last() {
        let c = Collector::new();
        assert!(c.active_users().is_empty());
        let s = Duration::from_secs;
        // User 0: seconds 0..=4 (a request from 3 s lasting 1.5 s ends in second 4).
        c.record_user(0, s(0), Duration::from_millis(10));
        c.record_user(0, s(3), Duration::from_millis(1_500));
        // User 1 starts at 2 s; user 2 only in second 6 (second 5 has nobody).
        c.record_user(1, s(2), Duration::from_millis(10));
        c.record_user(1, s(3), Duration::from_millis(10));
        c.record_user(2, s(6), Duration::from_millis(10));
        let users: Vec<(u64, u64)> = c
            .active_users()
            .iter()
            .map(|u| (u.second, u.users))
            .collect();
        assert_eq!(
            users,
            [(0, 1), (1, 1), (2, 2), (3, 2), (4, 1), (5, 0), (6, 1)]
        );
    }

    #[test]
    fn exact_small_latencies_give_exact_percentiles() {
        let c = Collector::new();
        for v in 1..=100 {
            c.record_at("get-user", Duration::ZERO, us(v), v % 10 != 0);
        }
        let snap = c.snapshot_over(Duration::from_secs(2));
        assert_eq!(snap.len(), 1);
        let t = &snap[0].total;
        assert_eq!((t.requests, t.errors), (100, 10));
        assert_eq!((t.p50_us, t.p95_us, t.p99_us), (50, 95, 99));
        assert_eq!((t.min_us, t.max_us), (1, 100));
        assert_eq!(t.avg_us, 50.5);
        assert_eq!(t.rps, 50.0);
        assert_eq!(snap[0].histogram.len(), 100);
    }

    #[test]
    fn percentiles_match_direct_computation_within_bucket_error() {
        let raw = samples(20_000, 42);
        let c = Collector::new();
        for &v in &raw {
            c.record_at("filter-user", Duration::ZERO, us(v), true);
        }
        let mut sorted = raw.clone();
        sorted.sort_unstable();
        let snap = c.snapshot_over(Duration::from_secs(1));
        let t = &snap[0].total;
        for (got, p) in [(t.p50_us, 0.50), (t.p95_us, 0.95), (t.p99_us, 0.99)] {
            let want = direct(&sorted, p);
            let err = got.abs_diff(want);
            assert!(
                err <= want / 64,
                "p{p}: got {got}, direct {want}, error {err}"
            );
        }
        assert_eq!(t.max_us, sorted[sorted.len() - 1]);
        assert_eq!(t.min_us, sorted[0]);
        assert_eq!(t.sum_us, raw.iter().sum::<u64>());
        assert_eq!(
            snap[0].histogram.iter().map(|&(_, n)| n).sum::<u64>(),
            20_000
        );
        // Per-second (coarse) percentiles of the single second: within 1/16.
        let s = &snap[0].per_second[0];
        for (got, p) in [(s.p50_us, 0.50), (s.p95_us, 0.95), (s.p99_us, 0.99)] {
            let want = direct(&sorted, p);
            assert!(
                got.abs_diff(want) <= want / 16,
                "second p{p}: {got} vs {want}"
            );
        }
    }

    #[test]
    fn one_request_and_no_request() {
        let c = Collector::new();
        assert!(c.snapshot().is_empty());
        c.record_at("delete-user", Duration::from_millis(300), us(12_345), false);
        let snap = c.snapshot_over(Duration::ZERO);
        let t = &snap[0].total;
        assert_eq!(
            (t.p50_us, t.p95_us, t.p99_us, t.max_us),
            (12_345, 12_345, 12_345, 12_345)
        );
        assert_eq!((t.requests, t.errors, t.rps), (1, 1, 0.0));
        assert_eq!(snap[0].per_second.len(), 1);
        assert_eq!(snap[0].per_second[0].p99_us, 12_345);
    }

    #[test]
    fn requests_are_bucketed_by_the_second_they_complete_in() {
        let c = Collector::new();
        let at = Duration::from_millis;
        c.record_at("create-user", at(200), us(1_000), true);
        c.record_at("create-user", at(999), us(3_000), false);
        c.record_at("create-user", at(1_000), us(2_000), true);
        c.record_at("create-user", at(3_500), us(4_000), true);
        // Late arrivals for a closed second and for a second never seen before.
        c.record_at("create-user", at(500), us(5_000), true);
        c.record_at("create-user", at(2_100), us(7_000), false);
        c.record_at("patch-user", at(3_000), us(10), true);
        let snap = c.snapshot_over(Duration::from_secs(4));
        assert_eq!(
            snap.iter().map(|s| s.op.as_str()).collect::<Vec<_>>(),
            ["create-user", "patch-user"]
        );
        let secs: Vec<(u64, u64, u64)> = snap[0]
            .per_second
            .iter()
            .map(|s| (s.second, s.requests, s.errors))
            .collect();
        assert_eq!(secs, [(0, 3, 1), (1, 1, 0), (2, 1, 1), (3, 1, 0)]);
        let zero = &snap[0].per_second[0];
        assert_eq!((zero.min_us, zero.max_us), (1_000, 5_000));
        // Rank round(3 × 0.5) = 2 is 3000 µs, in the coarse bucket [2816, 3072): midpoint 2944.
        assert_eq!(zero.p50_us, 2_944);
        assert_eq!(zero.p95_us, 5_000);
        assert_eq!(snap[0].total.requests, 6);
        assert_eq!(snap[1].per_second[0].second, 3);
    }

    #[test]
    fn merge_equals_recording_everything_into_one_collector() {
        let raw = samples(5_000, 7);
        let (a, b, all) = (Collector::new(), Collector::new(), Collector::new());
        for (i, &v) in raw.iter().enumerate() {
            let at = Duration::from_millis((i as u64 * 37) % 9_000);
            let ok = i % 13 != 0;
            let shard = if i % 3 == 0 { &a } else { &b };
            shard.record_at("add-members", at, us(v), ok);
            all.record_at("add-members", at, us(v), ok);
            if i % 2 == 0 {
                let op = if i % 4 == 0 { "only-a" } else { "only-b" };
                let shard = if i % 4 == 0 { &a } else { &b };
                shard.record_at(op, at, us(v), ok);
                all.record_at(op, at, us(v), ok);
            }
        }
        let d = Duration::from_secs(9);
        let (sa, sb, sall) = (a.snapshot_over(d), b.snapshot_over(d), all.snapshot_over(d));
        assert_eq!(merge(&sa[0], &sb[0]), sall[0]);
        assert_eq!(merge_snapshots(&[sa.clone(), sb.clone()]), sall);
        // Merging with an empty series of the same op changes nothing.
        let empty = Collector::new();
        empty.record_at("x", Duration::ZERO, us(1), true);
        let mut none = empty.snapshot_over(d).remove(0);
        none.op = "add-members".into();
        none.histogram.clear();
        none.per_second.clear();
        none.total = summary(&Counts::default(), &[], 0.0);
        assert_eq!(merge(&sall[0], &none), sall[0]);
        assert_eq!(merge(&none, &sall[0]), sall[0]);
    }

    #[test]
    fn series_round_trip_through_json() {
        let c = Collector::new();
        for (i, v) in samples(300, 3).into_iter().enumerate() {
            c.record_at(
                "list-users",
                Duration::from_millis(i as u64 * 10),
                us(v),
                i % 5 != 0,
            );
        }
        let snap = c.snapshot_over(Duration::from_secs(3));
        let json = serde_json::to_string(&snap).expect("serialises");
        let back: Vec<OpSeries> = serde_json::from_str(&json).expect("deserialises");
        assert_eq!(back, snap);
    }

    #[test]
    fn concurrent_records_all_count() {
        let c = Collector::new();
        std::thread::scope(|scope| {
            for t in 0..4u64 {
                let c = c.clone();
                scope.spawn(move || {
                    for i in 0..10_000u64 {
                        let op = if i % 2 == 0 { "get-user" } else { "put-user" };
                        c.record(op, us(100 + t + i % 1000), i % 100 != 0);
                    }
                });
            }
        });
        let snap = c.snapshot();
        assert_eq!(snap.iter().map(|s| s.total.requests).sum::<u64>(), 40_000);
        assert_eq!(snap.iter().map(|s| s.total.errors).sum::<u64>(), 400);
        for s in &snap {
            let per_sec: u64 = s.per_second.iter().map(|x| x.requests).sum();
            assert_eq!(per_sec, s.total.requests);
        }
    }

    /// Cost of one `record` call from two threads; run once with
    /// `cargo test --release --lib load::stats -- --ignored --nocapture`.
    #[test]
    #[ignore = "timing measurement, not a test"]
    fn record_cost() {
        let c = Collector::new();
        let ops = ["create-user", "get-user", "filter-user", "patch-user"];
        let n = 2_000_000u64;
        let started = Instant::now();
        std::thread::scope(|scope| {
            for t in 0..2u64 {
                let c = c.clone();
                scope.spawn(move || {
                    for i in 0..n {
                        c.record(ops[(i % 4) as usize], us(200 + (i * 7 + t) % 50_000), true);
                    }
                });
            }
        });
        let per_call = started.elapsed().as_nanos() as f64 / n as f64;
        println!("record: {per_call:.0} ns wall per call per thread (2 threads, 4 ops)");
    }
}
