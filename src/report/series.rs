//! The load part of the report model: per-operation latency series as `report.json` carries
//! them ([`OpSeries`]: whole-run [`Summary`], per-second [`SecondStats`] and the whole run's
//! latency histogram), the bucket scheme their histograms use, and the exact merge of series
//! recorded by several shards. `load::stats::Collector` produces them; the plots in
//! [`super::plot`] and every writer read them.
//!
//! Buckets follow goose 0.19's log-linear scheme, reimplemented here: every microsecond below
//! 128 µs has a bucket of its own and each power of two above is split into 64 equal buckets,
//! so a bucket is never wider than 1/64 of its floor and its midpoint (the value a percentile
//! reports) is at most 1/128 away from any time it holds. Each second keeps a coarser histogram
//! of the same shape with 8 buckets per power of two (midpoint within 1/16) so that a long run
//! costs a few hundred bytes per operation and second. Percentiles follow goose's rule: the
//! request at rank `round(n × p)` gives its bucket's midpoint, kept between the fastest and the
//! slowest time; rank ≤ 1 is the fastest, rank ≥ n the slowest.

use serde::{Deserialize, Serialize};

/// Sub-bucket bits of the whole-run histogram: 64 buckets per power of two (goose 0.19).
pub(crate) const FINE_BITS: u32 = 6;
/// Sub-bucket bits of the per-second histograms: 8 buckets per power of two.
pub(crate) const COARSE_BITS: u32 = 3;
/// Number of coarse buckets needed for any `u64` microsecond value.
pub(crate) const COARSE_LEN: usize = bucket_index(u64::MAX, COARSE_BITS) + 1;

/// How many low bits of `us` one bucket spans: 0 below `2 << sub_bits`.
const fn width_bits(us: u64, sub_bits: u32) -> u32 {
    if us < (2 << sub_bits) {
        0
    } else {
        63 - us.leading_zeros() - sub_bits
    }
}

/// The lowest time in the bucket holding `us`.
pub(crate) const fn bucket_floor(us: u64, sub_bits: u32) -> u64 {
    let bits = width_bits(us, sub_bits);
    (us >> bits) << bits
}

/// The first time past the bucket holding `us`.
pub(crate) const fn bucket_end(us: u64, sub_bits: u32) -> u64 {
    bucket_floor(us, sub_bits).saturating_add(1 << width_bits(us, sub_bits))
}

/// The time the bucket holding `us` reports: its middle (goose's rule).
pub(crate) const fn bucket_value(us: u64, sub_bits: u32) -> u64 {
    bucket_floor(us, sub_bits) + ((1 << width_bits(us, sub_bits)) >> 1)
}

/// Index of the bucket holding `us`, counted from 0 µs; never decreases as `us` grows.
pub(crate) const fn bucket_index(us: u64, sub_bits: u32) -> usize {
    let bits = width_bits(us, sub_bits);
    let sub = 1u64 << sub_bits;
    if bits == 0 {
        us as usize
    } else {
        ((sub << 1) + (bits as u64 - 1) * sub + ((us >> bits) - sub)) as usize
    }
}

/// The lowest time in bucket `index` (inverse of [`bucket_index`]).
pub(crate) const fn bucket_at(index: usize, sub_bits: u32) -> u64 {
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

/// For `skip_serializing_if`: a zero count is left out (and read back as 0).
fn is_zero(n: &u64) -> bool {
    *n == 0
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
    /// Of the errors, answers 429 Too Many Requests (0 in reports written before it was kept).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub throttled: u64,
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
    /// Of the errors, answers 429 Too Many Requests (0 in reports written before it was kept).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub throttled: u64,
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
pub(crate) struct Counts {
    pub(crate) requests: u64,
    pub(crate) errors: u64,
    pub(crate) min_us: u64,
    pub(crate) max_us: u64,
    pub(crate) sum_us: u64,
    pub(crate) throttled: u64,
}

impl Counts {
    /// One request; `throttled` when it was answered 429 (it is then also an error).
    pub(crate) fn add(&mut self, us: u64, ok: bool, throttled: bool) {
        self.throttled += u64::from(throttled);
        if self.requests == 0 || us < self.min_us {
            self.min_us = us;
        }
        self.max_us = self.max_us.max(us);
        self.sum_us = self.sum_us.saturating_add(us);
        self.requests += 1;
        self.errors += u64::from(!ok);
    }

    pub(crate) fn merge(&self, other: &Counts) -> Counts {
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
            throttled: self.throttled + other.throttled,
        }
    }
}

/// A [`Summary`] from counts and the fine histogram.
pub(crate) fn summary(counts: &Counts, histogram: &[(u64, u64)], duration_s: f64) -> Summary {
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
        throttled: counts.throttled,
    }
}

/// A [`SecondStats`] from counts and the coarse histogram.
pub(crate) fn second_stats(
    second: u64,
    counts: &Counts,
    histogram: Vec<(u64, u64)>,
) -> SecondStats {
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
        throttled: counts.throttled,
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
        throttled: s.throttled,
    }
}

fn second_counts(s: &SecondStats) -> Counts {
    Counts {
        requests: s.requests,
        errors: s.errors,
        min_us: s.min_us,
        max_us: s.max_us,
        sum_us: 0,
        throttled: s.throttled,
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

/// One elapsed second of a whole load run: how many goose users were running in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsersSecond {
    /// Whole seconds since the start, as [`SecondStats::second`].
    pub second: u64,
    /// Goose users running in this second: a user runs from the start of its first request to
    /// the end of its last one (whatever it waits on in between: pacing, a `Retry-After`).
    pub users: u64,
}

/// Sum the running users of several shards second by second (shards run side by side, each
/// with its own users), in order of seconds.
pub fn merge_users<'a>(shards: impl IntoIterator<Item = &'a [UsersSecond]>) -> Vec<UsersSecond> {
    let mut by_second: std::collections::BTreeMap<u64, u64> = std::collections::BTreeMap::new();
    for s in shards.into_iter().flatten() {
        *by_second.entry(s.second).or_default() += s.users;
    }
    by_second
        .into_iter()
        .map(|(second, users)| UsersSecond { second, users })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn running_users_add_up_across_shards() {
        let a = [
            UsersSecond {
                second: 0,
                users: 2,
            },
            UsersSecond {
                second: 1,
                users: 3,
            },
        ];
        let b = [UsersSecond {
            second: 1,
            users: 4,
        }];
        assert_eq!(
            merge_users([&a[..], &b[..]]),
            vec![
                UsersSecond {
                    second: 0,
                    users: 2
                },
                UsersSecond {
                    second: 1,
                    users: 7
                }
            ]
        );
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
}
