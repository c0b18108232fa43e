//! Per-operation latency collection for `scimtest load`: the [`Collector`] every request
//! reports to, and the serialisable [`OpSeries`] it snapshots into (whole-run [`Summary`],
//! per-second [`SecondStats`] and the whole run's latency histogram), which `report.json` and
//! the plots in `super::plot` are made from.
//!
//! Buckets follow goose 0.19's log-linear scheme, reimplemented here: every microsecond below
//! 128 µs has a bucket of its own and each power of two above is split into 64 equal buckets,
//! so a bucket is never wider than 1/64 of its floor and its midpoint (the value a percentile
//! reports) is at most 1/128 away from any time it holds. Each second keeps a coarser histogram
//! of the same shape with 8 buckets per power of two (midpoint within 1/16) so that a long run
//! costs a few hundred bytes per operation and second. Percentiles follow goose's rule: the
//! request at rank `round(n × p)` gives its bucket's midpoint, kept between the fastest and the
//! slowest time; rank ≤ 1 is the fastest, rank ≥ n the slowest.
//!
//! A failed request (`ok == false`) counts as an error and its latency still counts, as in goose.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::{Mutex, RwLock};
use serde::{Deserialize, Serialize};

/// Sub-bucket bits of the whole-run histogram: 64 buckets per power of two (goose 0.19).
const FINE_BITS: u32 = 6;
/// Sub-bucket bits of the per-second histograms: 8 buckets per power of two.
const COARSE_BITS: u32 = 3;
/// Number of coarse buckets needed for any `u64` microsecond value.
const COARSE_LEN: usize = bucket_index(u64::MAX, COARSE_BITS) + 1;

/// How many low bits of `us` one bucket spans: 0 below `2 << sub_bits`.
const fn width_bits(us: u64, sub_bits: u32) -> u32 {
    if us < (2 << sub_bits) {
        0
    } else {
        63 - us.leading_zeros() - sub_bits
    }
}

/// The lowest time in the bucket holding `us`.
const fn bucket_floor(us: u64, sub_bits: u32) -> u64 {
    let bits = width_bits(us, sub_bits);
    (us >> bits) << bits
}

/// The first time past the bucket holding `us`.
const fn bucket_end(us: u64, sub_bits: u32) -> u64 {
    bucket_floor(us, sub_bits).saturating_add(1 << width_bits(us, sub_bits))
}

/// The time the bucket holding `us` reports: its middle (goose's rule).
const fn bucket_value(us: u64, sub_bits: u32) -> u64 {
    bucket_floor(us, sub_bits) + ((1 << width_bits(us, sub_bits)) >> 1)
}

/// Index of the bucket holding `us`, counted from 0 µs; never decreases as `us` grows.
const fn bucket_index(us: u64, sub_bits: u32) -> usize {
    let bits = width_bits(us, sub_bits);
    let sub = 1u64 << sub_bits;
    if bits == 0 {
        us as usize
    } else {
        ((sub << 1) + (bits as u64 - 1) * sub + ((us >> bits) - sub)) as usize
    }
}

/// The lowest time in bucket `index` (inverse of [`bucket_index`]).
const fn bucket_at(index: usize, sub_bits: u32) -> u64 {
    let index = index as u64;
    let sub = 1u64 << sub_bits;
    let exact = sub << 1;
    if index < exact {
        index
    } else {
        let bits = (index - exact) / sub + 1;
        ((index - exact) % sub + sub) << bits
    }
}

/// The upper end (exclusive) of the whole-run histogram bucket whose floor is `floor_us`, in
/// microseconds. For plots: a histogram entry covers `floor_us..bucket_end_us(floor_us)`.
pub fn bucket_end_us(floor_us: u64) -> u64 {
    bucket_end(floor_us, FINE_BITS)
}

/// The bucket holding `us` in the scheme with `sub_bits` sub-bucket bits (2^sub_bits buckets per
/// power of two, every µs below 2^(sub_bits+1) its own), as `(floor, end)` in µs. Schemes nest:
/// each whole-run bucket (6 bits) lies inside exactly one bucket of any coarser scheme, which
/// lets plots regroup a histogram without aliasing.
pub(crate) fn bucket_span(us: u64, sub_bits: u32) -> (u64, u64) {
    let sub_bits = sub_bits.min(FINE_BITS);
    (bucket_floor(us, sub_bits), bucket_end(us, sub_bits))
}

/// Goose's percentile rule over `(bucket value, count)` pairs, fastest first.
fn percentile(
    buckets: impl IntoIterator<Item = (u64, u64)>,
    total: u64,
    min: u64,
    max: u64,
    percent: f64,
) -> u64 {
    if total == 0 {
        return 0;
    }
    let rank = (total as f64 * percent).round() as u64;
    if rank >= total {
        return max;
    }
    if rank <= 1 {
        return min;
    }
    let mut seen = 0u64;
    for (value, count) in buckets {
        seen = seen.saturating_add(count);
        if seen >= rank {
            return value.clamp(min, max.max(min));
        }
    }
    // Counts that do not add up to `total` (hand-edited input): the slowest is the honest answer.
    max
}

/// Whole-run figures of one operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Requests recorded, failed ones included.
    pub requests: u64,
    /// Requests recorded with `ok == false`.
    pub errors: u64,
    /// `requests / duration_s` (0 for a zero-length run).
    pub rps: f64,
    /// Median latency, µs (bucket midpoint, goose's rule).
    pub p50_us: u64,
    /// 95th percentile latency, µs.
    pub p95_us: u64,
    /// 99th percentile latency, µs.
    pub p99_us: u64,
    /// Mean latency, µs (exact: `sum_us / requests`), 0 without requests.
    pub avg_us: f64,
    /// Slowest latency, µs (exact).
    pub max_us: u64,
    /// Fastest latency, µs (exact); kept so percentiles can be clamped after a merge.
    pub min_us: u64,
    /// Sum of all latencies, µs; kept so `avg_us` stays exact after a merge.
    pub sum_us: u64,
    /// Length of the run the rate is over, seconds.
    pub duration_s: f64,
}

/// One elapsed second (counted from the collector's start) of one operation. Only seconds in
/// which the operation completed at least one request appear.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecondStats {
    /// Whole seconds since the start: second `n` covers `[n, n + 1)`.
    pub second: u64,
    /// Requests completed in this second.
    pub requests: u64,
    /// Of which failed.
    pub errors: u64,
    /// Median latency of this second, µs (coarse bucket midpoint, within 1/16).
    pub p50_us: u64,
    /// 95th percentile latency of this second, µs.
    pub p95_us: u64,
    /// 99th percentile latency of this second, µs.
    pub p99_us: u64,
    /// Fastest latency in this second, µs.
    pub min_us: u64,
    /// Slowest latency in this second, µs.
    pub max_us: u64,
    /// Coarse histogram `(bucket floor µs, count)`, fastest first, non-empty buckets only
    /// (8 buckets per power of two); kept so shards merge exactly.
    pub histogram: Vec<(u64, u64)>,
}

/// Everything recorded for one operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpSeries {
    /// Operation name (e.g. `create-user`).
    pub op: String,
    /// Whole-run figures.
    pub total: Summary,
    /// Seconds with at least one request, in order.
    pub per_second: Vec<SecondStats>,
    /// Whole-run histogram `(bucket floor µs, count)`, fastest first, non-empty buckets only
    /// (goose 0.19 buckets; a bucket ends at [`bucket_end_us`]).
    pub histogram: Vec<(u64, u64)>,
}

/// Running figures shared by the whole run and a second.
#[derive(Debug, Clone, Copy, Default)]
struct Counts {
    requests: u64,
    errors: u64,
    min_us: u64,
    max_us: u64,
    sum_us: u64,
}

impl Counts {
    fn add(&mut self, us: u64, ok: bool) {
        if self.requests == 0 || us < self.min_us {
            self.min_us = us;
        }
        self.max_us = self.max_us.max(us);
        self.sum_us = self.sum_us.saturating_add(us);
        self.requests += 1;
        self.errors += u64::from(!ok);
    }

    fn merge(&self, other: &Counts) -> Counts {
        let min_us = match (self.requests, other.requests) {
            (0, _) => other.min_us,
            (_, 0) => self.min_us,
            _ => self.min_us.min(other.min_us),
        };
        Counts {
            requests: self.requests + other.requests,
            errors: self.errors + other.errors,
            min_us,
            max_us: self.max_us.max(other.max_us),
            sum_us: self.sum_us.saturating_add(other.sum_us),
        }
    }
}

/// A second that is no longer current: sparse coarse buckets `(index, count)`, by index.
#[derive(Debug, Clone)]
struct ClosedSecond {
    second: u64,
    counts: Counts,
    buckets: Vec<(u16, u64)>,
}

impl ClosedSecond {
    fn add(&mut self, us: u64, ok: bool) {
        self.counts.add(us, ok);
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

    fn record(&mut self, second: u64, us: u64, ok: bool) {
        self.counts.add(us, ok);
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
                counts.add(us, ok);
                if let Some(slot) = self.current_buckets.get_mut(coarse) {
                    *slot += 1;
                }
            }
            Some((current, _)) if *current > second => self.record_late(second, us, ok),
            _ => {
                self.close_current();
                let mut counts = Counts::default();
                counts.add(us, ok);
                self.current = Some((second, counts));
                if let Some(slot) = self.current_buckets.get_mut(coarse) {
                    *slot += 1;
                }
            }
        }
    }

    /// A request that completed in a second before the current one (a task that measured its
    /// time, then lost the race for the lock).
    fn record_late(&mut self, second: u64, us: u64, ok: bool) {
        match self.closed.binary_search_by_key(&second, |c| c.second) {
            Ok(at) => {
                if let Some(closed) = self.closed.get_mut(at) {
                    closed.add(us, ok);
                }
            }
            Err(at) => {
                let mut closed = ClosedSecond {
                    second,
                    counts: Counts::default(),
                    buckets: Vec::new(),
                };
                closed.add(us, ok);
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

/// A [`Summary`] from counts and the fine histogram.
fn summary(counts: &Counts, histogram: &[(u64, u64)], duration_s: f64) -> Summary {
    let p = |percent| {
        percentile(
            histogram
                .iter()
                .map(|&(floor, count)| (bucket_value(floor, FINE_BITS), count)),
            counts.requests,
            counts.min_us,
            counts.max_us,
            percent,
        )
    };
    Summary {
        requests: counts.requests,
        errors: counts.errors,
        rps: if duration_s > 0.0 {
            counts.requests as f64 / duration_s
        } else {
            0.0
        },
        p50_us: p(0.50),
        p95_us: p(0.95),
        p99_us: p(0.99),
        avg_us: if counts.requests == 0 {
            0.0
        } else {
            counts.sum_us as f64 / counts.requests as f64
        },
        max_us: counts.max_us,
        min_us: counts.min_us,
        sum_us: counts.sum_us,
        duration_s,
    }
}

/// A [`SecondStats`] from counts and the coarse histogram.
fn second_stats(second: u64, counts: &Counts, histogram: Vec<(u64, u64)>) -> SecondStats {
    let p = |percent| {
        percentile(
            histogram
                .iter()
                .map(|&(floor, count)| (bucket_value(floor, COARSE_BITS), count)),
            counts.requests,
            counts.min_us,
            counts.max_us,
            percent,
        )
    };
    SecondStats {
        second,
        requests: counts.requests,
        errors: counts.errors,
        p50_us: p(0.50),
        p95_us: p(0.95),
        p99_us: p(0.99),
        min_us: counts.min_us,
        max_us: counts.max_us,
        histogram,
    }
}

type OpMap = HashMap<Box<str>, Arc<Mutex<OpAcc>>, foldhash::fast::RandomState>;

struct Inner {
    start: Instant,
    ops: RwLock<OpMap>,
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
        let us = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        let second = since_start.as_secs();
        self.op(op).lock().record(second, us, ok);
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

/// Bucket-wise sum of two `(floor, count)` lists sorted by floor.
fn merge_buckets(a: &[(u64, u64)], b: &[(u64, u64)]) -> Vec<(u64, u64)> {
    let mut merged = Vec::with_capacity(a.len().max(b.len()));
    let (mut a, mut b) = (a.iter().peekable(), b.iter().peekable());
    loop {
        let next = match (a.peek(), b.peek()) {
            (Some(&&x), Some(&&y)) if x.0 == y.0 => {
                a.next();
                b.next();
                (x.0, x.1.saturating_add(y.1))
            }
            (Some(&&x), Some(&&y)) if x.0 < y.0 => {
                a.next();
                x
            }
            (_, Some(&&y)) => {
                b.next();
                y
            }
            (Some(&&x), None) => {
                a.next();
                x
            }
            (None, None) => return merged,
        };
        merged.push(next);
    }
}

fn summary_counts(s: &Summary) -> Counts {
    Counts {
        requests: s.requests,
        errors: s.errors,
        min_us: s.min_us,
        max_us: s.max_us,
        sum_us: s.sum_us,
    }
}

fn second_counts(s: &SecondStats) -> Counts {
    Counts {
        requests: s.requests,
        errors: s.errors,
        min_us: s.min_us,
        max_us: s.max_us,
        sum_us: 0,
    }
}

/// Merge two series of the same operation recorded over the same wall-clock window (e.g. two
/// shards of one run): histograms are summed bucket by bucket, seconds are aligned by number,
/// and percentiles are recomputed, so the result equals recording every sample into one
/// collector. The rate is over the longer of the two durations. The name is `a`'s.
pub fn merge(a: &OpSeries, b: &OpSeries) -> OpSeries {
    let histogram = merge_buckets(&a.histogram, &b.histogram);
    let counts = summary_counts(&a.total).merge(&summary_counts(&b.total));
    let total = summary(
        &counts,
        &histogram,
        a.total.duration_s.max(b.total.duration_s),
    );
    let mut per_second = Vec::with_capacity(a.per_second.len().max(b.per_second.len()));
    let (mut x, mut y) = (
        a.per_second.iter().peekable(),
        b.per_second.iter().peekable(),
    );
    loop {
        let next = match (x.peek(), y.peek()) {
            (Some(&s), Some(&t)) if s.second == t.second => {
                x.next();
                y.next();
                second_stats(
                    s.second,
                    &second_counts(s).merge(&second_counts(t)),
                    merge_buckets(&s.histogram, &t.histogram),
                )
            }
            (Some(&s), Some(&t)) if s.second < t.second => {
                x.next();
                s.clone()
            }
            (_, Some(&t)) => {
                y.next();
                t.clone()
            }
            (Some(&s), None) => {
                x.next();
                s.clone()
            }
            (None, None) => break,
        };
        per_second.push(next);
    }
    OpSeries {
        op: a.op.clone(),
        total,
        per_second,
        histogram,
    }
}

/// Merge whole snapshots (one per shard) by operation name, sorted by name.
pub fn merge_snapshots(shards: &[Vec<OpSeries>]) -> Vec<OpSeries> {
    let mut by_op: std::collections::BTreeMap<&str, OpSeries> = std::collections::BTreeMap::new();
    for series in shards.iter().flatten() {
        match by_op.get_mut(series.op.as_str()) {
            Some(existing) => *existing = merge(existing, series),
            None => {
                by_op.insert(series.op.as_str(), series.clone());
            }
        }
    }
    by_op.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn buckets_match_goose_scheme() {
        for v in 0..128 {
            assert_eq!(bucket_floor(v, FINE_BITS), v);
            assert_eq!(bucket_value(v, FINE_BITS), v);
            assert_eq!(bucket_index(v, FINE_BITS), v as usize);
        }
        assert_eq!(bucket_floor(129, FINE_BITS), 128);
        assert_eq!(bucket_end(128, FINE_BITS), 130);
        assert_eq!(bucket_index(256, FINE_BITS), 192);
        assert_eq!(
            bucket_index(60_000_000, FINE_BITS) - bucket_index(1, FINE_BITS) + 1,
            1_330
        );
        for index in 0..2_000 {
            assert_eq!(bucket_index(bucket_at(index, FINE_BITS), FINE_BITS), index);
        }
        for index in 0..COARSE_LEN {
            assert_eq!(
                bucket_index(bucket_at(index, COARSE_BITS), COARSE_BITS),
                index
            );
        }
        assert_eq!(COARSE_LEN, 496);
        assert_eq!(bucket_end(u64::MAX, FINE_BITS), u64::MAX);
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
