//! Load scenarios: the TOML format of `scenarios/*.toml`, its validation, and the shipped set.
//! The format is documented for users in `scenarios/README.md`.
//!
//! `model` holds the validated types ([`Scenario`], its run shape, test data and weighted or
//! sequenced [`Op`]s), `threshold` the pass/fail rules with their goose syntax
//! ([`Threshold::to_goose`]) and a goose-free evaluator ([`Threshold::evaluate`]) for merged
//! results, `raw` the file as written (and durations), `lower` the checks that turn it into a
//! [`Scenario`], `error` the [`ScenarioError`]s that name file, line and column, and `shipped`
//! the scenarios embedded in the binary ([`builtin`]).
//!
//! Must not import: `conformance`, `replay` (floors), nor goose: this module is pure data so
//! the lead's engine, `load merge` and the docs all read the same types.

mod error;
mod lower;
mod model;
mod raw;
mod shipped;
mod threshold;

#[cfg(test)]
mod fixtures;

pub use error::{ScenarioError, unknown_name};
pub use model::{DEFAULT_BATCH, Data, Op, Operation, Pacing, Run, RunLength, Scenario};
pub use raw::parse_duration;
pub use shipped::{DEFAULT_SCENARIO, ENTRA_GALLERY_SCENARIO, GENTLE_SCENARIO, builtin};
pub use threshold::{Limit, Metric, OpStats, Threshold, ThresholdVerdict};
