//! The per-tenant request rate limit (`scimtest serve --rate-limit N`): a token bucket of
//! capacity N refilled continuously at N tokens a second. A request takes one token; with none
//! left it is refused, and `http.rs` answers 429 with `Retry-After: 1` (RFC 7644 §3.12 error
//! body). A full second always refills the whole bucket, so the advertised retry window is an
//! upper bound on the wait.

use parking_lot::Mutex;
use std::time::Instant;

/// The seconds a refused client is told to wait (`Retry-After`): the bucket refills in full
/// within one second, whatever its capacity.
pub const RETRY_AFTER_SECONDS: u64 = 1;

/// A token bucket: `capacity` tokens, refilled at `capacity` per second.
#[derive(Debug)]
pub struct TokenBucket {
    capacity: f64,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    tokens: f64,
    at: Instant,
}

impl TokenBucket {
    /// A full bucket for `per_second` requests a second (at least 1).
    pub fn new(per_second: u32) -> TokenBucket {
        let capacity = f64::from(per_second.max(1));
        TokenBucket {
            capacity,
            state: Mutex::new(State {
                tokens: capacity,
                at: Instant::now(),
            }),
        }
    }

    /// Take a token now; `false` when the bucket is empty.
    pub fn try_take(&self) -> bool {
        self.try_take_at(Instant::now())
    }

    /// Take a token at `now` (tests pass their own clock).
    pub fn try_take_at(&self, now: Instant) -> bool {
        let mut s = self.state.lock();
        let elapsed = now.saturating_duration_since(s.at).as_secs_f64();
        s.tokens = (s.tokens + elapsed * self.capacity).min(self.capacity);
        s.at = s.at.max(now);
        if s.tokens >= 1.0 {
            s.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_full_bucket_serves_its_capacity_then_refuses() {
        let b = TokenBucket::new(5);
        let t0 = Instant::now();
        let served = (0..20).filter(|_| b.try_take_at(t0)).count();
        assert_eq!(served, 5);
    }

    #[test]
    fn the_bucket_refills_at_its_rate_and_in_full_within_the_retry_window() {
        let b = TokenBucket::new(10);
        let t0 = Instant::now();
        while b.try_take_at(t0) {}
        assert!(!b.try_take_at(t0 + Duration::from_millis(50)));
        let t1 = t0 + Duration::from_millis(150);
        assert!(b.try_take_at(t1));
        let later = t1 + Duration::from_secs(RETRY_AFTER_SECONDS);
        let served = (0..20).filter(|_| b.try_take_at(later)).count();
        assert_eq!(
            served, 10,
            "a full second refills the whole bucket, no more"
        );
    }

    #[test]
    fn a_zero_rate_still_serves_one_a_second() {
        let b = TokenBucket::new(0);
        let t0 = Instant::now();
        assert!(b.try_take_at(t0));
        assert!(!b.try_take_at(t0));
    }
}
