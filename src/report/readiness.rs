//! The readiness verdicts of `scimtest certify`: for one vendor programme (the Microsoft Entra
//! app gallery, the Okta Integration Network), each of the vendor's own tests with the verdict
//! scimtest predicts for it, the checks and flows that verdict rests on, and the overall result
//! by the vendor's own pass rule. Writers render it; `certify/` decides it.

use crate::report::model::Outcome;
use serde::{Deserialize, Serialize};

/// Whether a vendor test blocks the submission when it fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// A failure blocks the submission.
    Mandatory,
    /// A failure is reported as a warning and does not block.
    Optional,
}

impl Category {
    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Mandatory => "mandatory",
            Category::Optional => "optional",
        }
    }
}

/// The predicted result of one vendor test, in the vendor's own words where it has them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TestVerdict {
    /// The vendor's criteria hold.
    Pass,
    /// A mandatory test's criteria do not hold: it blocks the submission.
    Fail,
    /// An optional test's criteria do not hold: reported, not blocking.
    Warning,
    /// The vendor skips this test for this target (its skip condition holds); counts as a pass.
    Skipped,
    /// scimtest could not reach a verdict (transport failure, interrupted, not run): not a pass.
    Unknown,
}

impl TestVerdict {
    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            TestVerdict::Pass => "pass",
            TestVerdict::Fail => "fail",
            TestVerdict::Warning => "warning",
            TestVerdict::Skipped => "skipped",
            TestVerdict::Unknown => "unknown",
        }
    }

    /// Upper-case label as the vendors print it (`PASSED`, `FAILED`, `WARNING`, `SKIPPED`).
    pub fn label(self) -> &'static str {
        match self {
            TestVerdict::Pass => "PASSED",
            TestVerdict::Fail => "FAILED",
            TestVerdict::Warning => "WARNING",
            TestVerdict::Skipped => "SKIPPED",
            TestVerdict::Unknown => "UNKNOWN",
        }
    }
}

/// The overall answer for a programme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReadyState {
    /// Every blocking test passes or is skipped, by the vendor's rule.
    Ready,
    /// At least one blocking test fails.
    NotReady,
    /// Nothing fails, but some blocking test has no verdict (interrupted, unreachable, not run).
    Incomplete,
}

impl ReadyState {
    /// `ready`, `not-ready`, `incomplete`.
    pub fn as_str(self) -> &'static str {
        match self {
            ReadyState::Ready => "ready",
            ReadyState::NotReady => "not-ready",
            ReadyState::Incomplete => "incomplete",
        }
    }

    /// For a headline: `ready for submission`, `not ready`, `incomplete`.
    pub fn headline(self) -> &'static str {
        match self {
            ReadyState::Ready => "ready for submission",
            ReadyState::NotReady => "not ready",
            ReadyState::Incomplete => "incomplete: no verdict",
        }
    }
}

/// A check, replay flow or load threshold of this run that a vendor test's verdict rests on
/// (its full report, with evidence, is in the run's `checks` under the same id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Basis {
    /// The check id (`certify.entra.user-pagination`, `replay.entra.default.user-lifecycle`,
    /// `load.threshold.…`, `users.create.status-201`).
    pub id: String,
    /// Its outcome in this run.
    pub outcome: Outcome,
}

/// One vendor test and scimtest's prediction for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VendorTest {
    /// The vendor's name for it (`Create_User_Test`, `Test Users endpoint`).
    pub name: String,
    /// The vendor's grouping (`User provisioning`, `SCIM compliance`, `SPEC`, `CRUD`).
    pub group: String,
    /// Whether a failure blocks.
    pub category: Category,
    /// What the vendor's test validates, in one sentence.
    pub validates: String,
    /// When the vendor skips it (empty when it always runs).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub skipped_when: String,
    /// The prediction.
    pub verdict: TestVerdict,
    /// Why: what was expected and what came back (empty for a plain pass).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
    /// What of the vendor's test needs the vendor's own system (an Entra tenant, an Okta org),
    /// and what scimtest checked instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub needs_vendor: Option<String>,
    /// The checks and flows the verdict is built from.
    pub judged_by: Vec<Basis>,
    /// Checks and flows of the same behaviour shown for context: they do not decide the verdict
    /// (the vendor's test does not look at what they look at).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Basis>,
}

/// The readiness of a target for one vendor programme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Readiness {
    /// `entra-gallery` or `okta-oin`.
    pub program: String,
    /// `Microsoft Entra app gallery`.
    pub title: String,
    /// The vendor suites predicted (`Microsoft's SCIM Validation Logic App (25 tests) …`).
    pub suite: String,
    /// The overall answer.
    pub state: ReadyState,
    /// The vendor's overall rule, in one sentence.
    pub rule: String,
    /// What blocks the submission, one line each (test name: reason).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blockers: Vec<String>,
    /// Warnings that do not block (failed optional tests, assumptions made).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// The attribute mapping the tests used (a mapping file, or the vendor's defaults and what
    /// was left out because the target does not declare it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mapping: Option<String>,
    /// Scope: a prediction of the vendor's review, not a replacement for it; what cannot be
    /// predicted offline.
    pub scope: String,
    /// Every vendor test, in the vendor's order.
    pub tests: Vec<VendorTest>,
}

impl Readiness {
    /// Counts per verdict: (pass, fail, warning, skipped, unknown).
    pub fn tally(&self) -> [usize; 5] {
        let mut t = [0; 5];
        for v in &self.tests {
            t[match v.verdict {
                TestVerdict::Pass => 0,
                TestVerdict::Fail => 1,
                TestVerdict::Warning => 2,
                TestVerdict::Skipped => 3,
                TestVerdict::Unknown => 4,
            }] += 1;
        }
        t
    }

    /// `ready for submission` / `not ready: 2 blocking tests fail (…)`, one line.
    pub fn summary_line(&self) -> String {
        match self.state {
            ReadyState::Ready if self.warnings.is_empty() => {
                format!("{} readiness: ready for submission", self.title)
            }
            ReadyState::Ready => format!(
                "{} readiness: ready for submission ({} warning{})",
                self.title,
                self.warnings.len(),
                if self.warnings.len() == 1 { "" } else { "s" }
            ),
            ReadyState::NotReady => format!(
                "{} readiness: not ready: {}",
                self.title,
                self.blockers.first().map(String::as_str).unwrap_or("")
            ),
            ReadyState::Incomplete => format!(
                "{} readiness: incomplete: {}",
                self.title,
                self.blockers.first().map(String::as_str).unwrap_or("")
            ),
        }
    }
}
