//! Test fixtures shared by the scenario modules' unit tests: a valid scenario to break, and a
//! helper asserting where an error points.

use super::Scenario;

/// A valid scenario to break in tests; line numbers are listed to the right.
pub(super) const GOOD: &str = r#"name = "t"
description = "d"
modelled_on = "m"

[run]
users = 4
ramp = "1s"
duration = "10s"
timeout = "5s"
pacing = "okta"

[data]
users = 20
groups = 2
members_per_group = 5

[[operation]]
name = "create-user"
weight = 2

[[operation]]
name = "add-members"
members = 3

[[threshold]]
metric = "p95"
below = "250ms"

[[threshold]]
metric = "error-rate"
below = "1%"
operation = "create-user"
"#;

/// `GOOD` with `from` replaced by `to` (which must occur exactly once).
pub(super) fn with(from: &str, to: &str) -> String {
    assert_eq!(GOOD.matches(from).count(), 1, "{from:?} must occur once");
    GOOD.replace(from, to)
}

/// The error for `text`, asserting it is at `line`:`column` and mentions `needle`.
pub(super) fn fails_at(text: &str, line: usize, column: usize, needle: &str) -> String {
    let err = Scenario::parse(text, "bad.toml").expect_err("should be refused");
    let msg = err.to_string();
    assert!(
        msg.starts_with(&format!("bad.toml:{line}:{column}: ")),
        "want bad.toml:{line}:{column}, got: {msg}"
    );
    assert!(msg.contains(needle), "want {needle:?} in: {msg}");
    msg
}
