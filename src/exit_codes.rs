//! Process exit codes, documented in the README. "The target is broken" and "the tool could not
//! run" never share a code.

/// Everything selected ran and passed.
pub const OK: i32 = 0;
/// A check of a gating level failed or errored (`--fail-on`, default MUST and dialect), a replay
/// verdict is "would break", or a load threshold was breached.
pub const FAILED: i32 = 1;
/// The command line was wrong.
pub const USAGE: i32 = 2;
/// The harness could not run: target unreachable, credentials rejected or not a SCIM base URL at
/// the preflight, bad input file, unwritable report, a port that could not be bound, interrupted.
pub const HARNESS: i32 = 3;
/// Nothing ran (every check filtered out).
pub const NOTHING_RAN: i32 = 4;
