//! When goose held all its users: the start and end of its maintain step, read from goose's own
//! test-plan history and turned into seconds since the attack's start, the clock of the
//! per-second series. `report::phases` cuts the phases from them.

use crate::report::phases::PhaseBounds;
use goose::test_plan::{TestPlanHistory, TestPlanStepAction};

/// The maintain step of `history`, in seconds since `attack_start`: from the first step that
/// maintains to the step after it (goose decreasing, cancelling or finished). `None` when goose
/// never maintained (stopped during its ramp-up).
pub fn bounds(
    history: &[TestPlanHistory],
    attack_start: chrono::DateTime<chrono::Utc>,
) -> Option<PhaseBounds> {
    let at = |h: &TestPlanHistory| {
        (h.timestamp - attack_start).num_microseconds().unwrap_or(0) as f64 / 1e6
    };
    let from = history
        .iter()
        .position(|h| matches!(h.action, TestPlanStepAction::Maintaining))?;
    let until = history
        .iter()
        .skip(from + 1)
        .find(|h| !matches!(h.action, TestPlanStepAction::Maintaining))?;
    Some(PhaseBounds {
        steady_from_s: at(&history[from]),
        steady_until_s: at(until),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_maintain_step_in_seconds_since_the_attack_start() {
        let t0 = chrono::Utc::now();
        let step = |action, ms: i64| TestPlanHistory {
            action,
            timestamp: t0 + chrono::Duration::milliseconds(ms),
            users: 2,
        };
        let h = vec![
            step(TestPlanStepAction::Increasing, 10),
            step(TestPlanStepAction::Maintaining, 260),
            step(TestPlanStepAction::Decreasing, 2_260),
            step(TestPlanStepAction::Finished, 2_300),
        ];
        assert_eq!(
            bounds(&h, t0),
            Some(PhaseBounds {
                steady_from_s: 0.26,
                steady_until_s: 2.26
            })
        );
        assert_eq!(bounds(&h[..1], t0), None);
    }
}
