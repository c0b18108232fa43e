//! The attack phases of a load run (ramp-up, steady, ramp-down) and their figures, cut from the
//! per-second series ([`super::series`]): one figure per phase, so that the headline req/s names
//! the phase it is about. The phase boundaries come from the load engine (when goose entered and
//! left its maintain step); this file only sums the seconds.
//!
//! A phase is a whole number of the series' seconds (counted from the attack's start): the
//! steady phase holds the seconds that lie entirely inside goose's maintain step, a second that
//! straddles a boundary counts for the ramp beside it. So the phases' requests add up to the
//! run's, and each figure can be checked against the per-second series by hand. Latency
//! percentiles of a phase come from the per-second (coarse) histograms, within 1/16.

use super::series::{COARSE_BITS, Counts, OpSeries, bucket_floor, second_stats};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Which part of the attack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PhaseKind {
    /// goose starting its users.
    RampUp,
    /// Every user running: the figures a run is judged and compared on.
    Steady,
    /// goose stopping its users, and requests still in flight.
    RampDown,
}

impl PhaseKind {
    /// `ramp-up`, `steady`, `ramp-down`.
    pub fn as_str(self) -> &'static str {
        match self {
            PhaseKind::RampUp => "ramp-up",
            PhaseKind::Steady => "steady",
            PhaseKind::RampDown => "ramp-down",
        }
    }
}

/// When goose held all its users, in seconds since the attack's start (fractional, as measured).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PhaseBounds {
    /// goose entered its maintain step (every user started).
    pub steady_from_s: f64,
    /// goose left it (began stopping users, or was stopped).
    pub steady_until_s: f64,
}

/// One operation within a phase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhaseOp {
    /// `POST /Users`, ...
    pub op: String,
    /// Requests started in the phase.
    pub requests: u64,
    /// Of which failed.
    pub errors: u64,
    /// `requests / (end_s - start_s)`, rounded to 0.1.
    pub rps: f64,
    /// Median latency in the phase, ms (per-second histograms: within 1/16).
    pub p50_ms: f64,
    /// 95th percentile, ms.
    pub p95_ms: f64,
    /// 99th percentile, ms.
    pub p99_ms: f64,
}

/// One phase of the attack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhaseReport {
    /// `ramp-up`, `steady` or `ramp-down`.
    pub phase: PhaseKind,
    /// First second of the phase (whole seconds since the attack's start).
    pub start_s: u64,
    /// Second after its last (`end_s - start_s` is its length).
    pub end_s: u64,
    /// Requests started in the phase, all operations.
    pub requests: u64,
    /// Of which failed.
    pub errors: u64,
    /// `requests / (end_s - start_s)`, rounded to 0.1 (0 for an empty phase).
    pub rps: f64,
    /// Per operation, by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub operations: Vec<PhaseOp>,
}

fn ms(us: u64) -> f64 {
    (us as f64 / 10.0).round() / 100.0
}

fn rate(requests: u64, len: u64) -> f64 {
    if len == 0 {
        0.0
    } else {
        (requests as f64 / len as f64 * 10.0).round() / 10.0
    }
}

/// The figures of one operation over the seconds `start..end`.
fn phase_op(s: &OpSeries, start: u64, end: u64) -> PhaseOp {
    let mut counts = Counts::default();
    let mut buckets: BTreeMap<u64, u64> = BTreeMap::new();
    for sec in s
        .per_second
        .iter()
        .filter(|x| (start..end).contains(&x.second))
    {
        counts = counts.merge(&Counts {
            requests: sec.requests,
            errors: sec.errors,
            min_us: sec.min_us,
            max_us: sec.max_us,
            sum_us: 0,
            throttled: sec.throttled,
        });
        for &(floor, n) in &sec.histogram {
            *buckets.entry(bucket_floor(floor, COARSE_BITS)).or_default() += n;
        }
    }
    let st = second_stats(start, &counts, buckets.into_iter().collect());
    PhaseOp {
        op: s.op.clone(),
        requests: counts.requests,
        errors: counts.errors,
        rps: rate(counts.requests, end - start),
        p50_ms: ms(st.p50_us),
        p95_ms: ms(st.p95_us),
        p99_ms: ms(st.p99_us),
    }
}

/// The phases of a run whose series is `series` and whose maintain step was `bounds`; the
/// ramp-down runs to the last second with a request (or to the end of the maintain step).
/// Without bounds (goose never held all its users: a run stopped during its ramp-up, a
/// report from before phases) there are no phases. Phases without a second are left out.
pub fn phases(series: &[OpSeries], bounds: Option<PhaseBounds>) -> Vec<PhaseReport> {
    let Some(b) = bounds else {
        return Vec::new();
    };
    let last = series
        .iter()
        .filter_map(|s| s.per_second.last().map(|x| x.second + 1))
        .max()
        .unwrap_or(0);
    let from = b.steady_from_s.max(0.0).ceil() as u64;
    let until = (b.steady_until_s.max(0.0).floor() as u64).max(from);
    let end = last.max(b.steady_until_s.max(0.0).ceil() as u64).max(until);
    [
        (PhaseKind::RampUp, 0, from),
        (PhaseKind::Steady, from, until),
        (PhaseKind::RampDown, until, end),
    ]
    .into_iter()
    .filter(|&(_, start, end)| end > start)
    .map(|(phase, start, end)| {
        let operations: Vec<PhaseOp> = series.iter().map(|s| phase_op(s, start, end)).collect();
        let requests = operations.iter().map(|o| o.requests).sum();
        PhaseReport {
            phase,
            start_s: start,
            end_s: end,
            requests,
            errors: operations.iter().map(|o| o.errors).sum(),
            rps: rate(requests, end - start),
            operations,
        }
    })
    .collect()
}

/// The steady phase, when it has requests.
pub fn steady(phases: &[PhaseReport]) -> Option<&PhaseReport> {
    phases
        .iter()
        .find(|p| p.phase == PhaseKind::Steady && p.requests > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::series::{bucket_at, bucket_index};

    /// A second of `op`: `n` requests of `us` µs, `errors` of them failed.
    fn second(second: u64, n: u64, errors: u64, us: u64) -> crate::report::series::SecondStats {
        let mut c = Counts::default();
        for i in 0..n {
            c.add(us, i >= errors, false);
        }
        let floor = bucket_at(bucket_index(us, COARSE_BITS), COARSE_BITS);
        second_stats(second, &c, vec![(floor, n)])
    }

    fn op(name: &str, per_second: Vec<crate::report::series::SecondStats>) -> OpSeries {
        let mut c = Counts::default();
        for s in &per_second {
            for i in 0..s.requests {
                c.add(s.max_us, i >= s.errors, false);
            }
        }
        OpSeries {
            op: name.into(),
            total: crate::report::series::summary(&c, &[], 6.0),
            per_second,
            histogram: Vec::new(),
        }
    }

    /// 1 request in second 0, 10 a second in seconds 1..=4 (one failed each), 3 in second 5.
    fn series() -> Vec<OpSeries> {
        vec![
            op(
                "GET /Users",
                vec![
                    second(0, 1, 0, 900),
                    second(1, 10, 1, 1000),
                    second(2, 10, 1, 1000),
                    second(3, 10, 1, 1000),
                    second(4, 10, 1, 1000),
                ],
            ),
            op("POST /Users", vec![second(5, 3, 0, 2000)]),
        ]
    }

    #[test]
    fn phases_are_whole_seconds_and_add_up_to_the_run() {
        let s = series();
        let p = phases(
            &s,
            Some(PhaseBounds {
                steady_from_s: 0.4,
                steady_until_s: 5.2,
            }),
        );
        let got: Vec<(PhaseKind, u64, u64, u64)> = p
            .iter()
            .map(|p| (p.phase, p.start_s, p.end_s, p.requests))
            .collect();
        assert_eq!(
            got,
            [
                (PhaseKind::RampUp, 0, 1, 1),
                (PhaseKind::Steady, 1, 5, 40),
                (PhaseKind::RampDown, 5, 6, 3)
            ]
        );
        let st = steady(&p).unwrap_or_else(|| panic!("steady"));
        assert_eq!((st.rps, st.errors), (10.0, 4));
        let get = &st.operations[0];
        assert_eq!(
            (get.op.as_str(), get.requests, get.rps),
            ("GET /Users", 40, 10.0)
        );
        assert!((0.93..=1.07).contains(&get.p95_ms), "{get:?}");
        assert_eq!(st.operations[1].requests, 0);
        let total: u64 = p.iter().map(|p| p.requests).sum();
        assert_eq!(total, s.iter().map(|s| s.total.requests).sum::<u64>());
    }

    #[test]
    fn no_bounds_no_phases_and_a_short_hold_has_no_steady_second() {
        let s = series();
        assert!(phases(&s, None).is_empty());
        let p = phases(
            &s,
            Some(PhaseBounds {
                steady_from_s: 2.3,
                steady_until_s: 2.9,
            }),
        );
        assert!(steady(&p).is_none(), "{p:?}");
        assert_eq!(p.iter().map(|p| p.requests).sum::<u64>(), 44);
    }
}
