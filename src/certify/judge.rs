//! From the run's check reports to a programme's readiness: each vendor test (data: its name,
//! category, what it validates, the probes that judge it, the checks shown beside it) gets the
//! verdict of its probes, and the programme's own rule turns the verdicts into ready / not
//! ready / incomplete.

use crate::report::model::{CheckReport, Outcome};
use crate::report::readiness::{Basis, Category, Readiness, ReadyState, TestVerdict, VendorTest};
use std::collections::HashMap;

/// One vendor test as data.
#[derive(Debug, Clone, Copy)]
pub struct TestSpec {
    /// The vendor's name.
    pub name: &'static str,
    /// The vendor's grouping.
    pub group: &'static str,
    /// Mandatory or optional.
    pub category: Category,
    /// What it validates.
    pub validates: &'static str,
    /// When the vendor skips it ("" when never).
    pub skipped_when: &'static str,
    /// What needs the vendor's own system, and what scimtest checks instead (None: nothing).
    pub needs_vendor: Option<&'static str>,
    /// The ids whose outcomes decide the verdict (certify probes, load thresholds by prefix
    /// `load.threshold.`).
    pub judged_by: &'static [&'static str],
    /// Catalogue checks and replay flows of the same behaviour, shown beside the verdict.
    pub related: &'static [&'static str],
}

/// The reports of this run by id; a spec id ending in `*` matches every id with that prefix.
pub struct Reports<'a> {
    by_id: HashMap<&'a str, &'a CheckReport>,
    all: &'a [CheckReport],
}

impl<'a> Reports<'a> {
    /// Index `checks`.
    pub fn new(all: &'a [CheckReport]) -> Reports<'a> {
        Reports {
            by_id: all.iter().map(|c| (c.id.as_str(), c)).collect(),
            all,
        }
    }

    /// The reports `id` names (a prefix when it ends in `*`).
    pub fn matching(&self, id: &str) -> Vec<&'a CheckReport> {
        match id.strip_suffix('*') {
            Some(prefix) => self
                .all
                .iter()
                .filter(|c| c.id.starts_with(prefix))
                .collect(),
            None => self.by_id.get(id).copied().into_iter().collect(),
        }
    }
}

/// The verdict of one vendor test from its probes' outcomes: any Fail fails it (a warning for
/// an optional test), any Error leaves it unknown, all Skip is the vendor's skip, else a pass.
pub fn verdict(spec: &TestSpec, reports: &Reports<'_>) -> VendorTest {
    let judged: Vec<&CheckReport> = spec
        .judged_by
        .iter()
        .flat_map(|id| reports.matching(id))
        .collect();
    let reasons = |o: Outcome| -> String {
        judged
            .iter()
            .filter(|c| c.outcome == o)
            .map(|c| {
                if judged.len() == 1 {
                    c.reason.clone()
                } else {
                    format!("{}: {}", c.id, c.reason)
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let (verdict, reason) = if judged.is_empty() {
        (TestVerdict::Unknown, "not run".to_string())
    } else if judged.iter().any(|c| c.outcome == Outcome::Fail) {
        let v = match spec.category {
            Category::Mandatory => TestVerdict::Fail,
            Category::Optional => TestVerdict::Warning,
        };
        (v, reasons(Outcome::Fail))
    } else if judged.iter().any(|c| c.outcome == Outcome::Error) {
        (TestVerdict::Unknown, reasons(Outcome::Error))
    } else if judged.iter().all(|c| c.outcome == Outcome::Skip) {
        (TestVerdict::Skipped, reasons(Outcome::Skip))
    } else {
        (TestVerdict::Pass, String::new())
    };
    let basis = |ids: &[&str]| -> Vec<Basis> {
        ids.iter()
            .flat_map(|id| reports.matching(id))
            .map(|c| Basis {
                id: c.id.clone(),
                outcome: c.outcome,
            })
            .collect()
    };
    VendorTest {
        name: spec.name.to_string(),
        group: spec.group.to_string(),
        category: spec.category,
        validates: spec.validates.to_string(),
        skipped_when: spec.skipped_when.to_string(),
        verdict,
        reason,
        needs_vendor: spec.needs_vendor.map(str::to_string),
        judged_by: basis(spec.judged_by),
        related: basis(spec.related),
    }
}

/// The common part of every programme's rule: blocking tests that fail block; blocking tests
/// without a verdict make the answer incomplete; failed optional tests are warnings.
pub fn overall(tests: &[VendorTest]) -> (ReadyState, Vec<String>, Vec<String>) {
    let line = |t: &VendorTest| {
        format!(
            "{} ({}): {}",
            t.name,
            t.category.as_str(),
            t.reason.lines().next().unwrap_or("")
        )
    };
    let blockers: Vec<String> = tests
        .iter()
        .filter(|t| t.verdict == TestVerdict::Fail)
        .map(line)
        .collect();
    let unknown: Vec<String> = tests
        .iter()
        .filter(|t| t.verdict == TestVerdict::Unknown && t.category == Category::Mandatory)
        .map(|t| {
            format!(
                "{} (mandatory): no verdict: {}",
                t.name,
                t.reason.lines().next().unwrap_or("")
            )
        })
        .collect();
    let warnings: Vec<String> = tests
        .iter()
        .filter(|t| {
            t.verdict == TestVerdict::Warning
                || (t.verdict == TestVerdict::Unknown && t.category == Category::Optional)
        })
        .map(line)
        .collect();
    if !blockers.is_empty() {
        let mut all = blockers;
        all.extend(unknown);
        (ReadyState::NotReady, all, warnings)
    } else if !unknown.is_empty() {
        (ReadyState::Incomplete, unknown, warnings)
    } else {
        (ReadyState::Ready, Vec::new(), warnings)
    }
}

/// A readiness with the common rule applied; programmes add their own rules after.
pub fn readiness(
    program: &str,
    title: &str,
    suite: &str,
    rule: &str,
    scope: &str,
    tests: Vec<VendorTest>,
) -> Readiness {
    let (state, blockers, warnings) = overall(&tests);
    Readiness {
        program: program.to_string(),
        title: title.to_string(),
        suite: suite.to_string(),
        state,
        rule: rule.to_string(),
        blockers,
        warnings,
        mapping: None,
        scope: scope.to_string(),
        tests,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::Level;

    fn report(id: &str, outcome: Outcome) -> CheckReport {
        CheckReport {
            id: id.into(),
            title: String::new(),
            rfc: String::new(),
            level: Level::Dialect,
            area: "certify".into(),
            outcome,
            reason: format!("{id} said so"),
            hint: None,
            quote: None,
            duration_ms: 0.0,
            evidence: Vec::new(),
        }
    }

    fn spec(category: Category, ids: &'static [&'static str]) -> TestSpec {
        TestSpec {
            name: "T",
            group: "G",
            category,
            validates: "v",
            skipped_when: "",
            needs_vendor: None,
            judged_by: ids,
            related: &[],
        }
    }

    #[test]
    fn verdicts_follow_the_probes() {
        let all = vec![
            report("a", Outcome::Pass),
            report("b", Outcome::Fail),
            report("c", Outcome::Skip),
            report("d", Outcome::Error),
            report("load.threshold.0", Outcome::Pass),
            report("load.threshold.1", Outcome::Fail),
        ];
        let r = Reports::new(&all);
        let v = |c, ids| verdict(&spec(c, ids), &r).verdict;
        assert_eq!(v(Category::Mandatory, &["a"]), TestVerdict::Pass);
        assert_eq!(v(Category::Mandatory, &["a", "b"]), TestVerdict::Fail);
        assert_eq!(v(Category::Optional, &["b"]), TestVerdict::Warning);
        assert_eq!(v(Category::Mandatory, &["c"]), TestVerdict::Skipped);
        assert_eq!(v(Category::Mandatory, &["a", "d"]), TestVerdict::Unknown);
        assert_eq!(v(Category::Mandatory, &["missing"]), TestVerdict::Unknown);
        assert_eq!(
            v(Category::Mandatory, &["load.threshold.*"]),
            TestVerdict::Fail
        );
        let t = verdict(&spec(Category::Mandatory, &["a", "b"]), &r);
        assert!(t.reason.contains("b: b said so"), "{}", t.reason);
    }

    #[test]
    fn the_overall_rule_blocks_on_mandatory_failures_only() {
        let all = vec![
            report("p", Outcome::Pass),
            report("f", Outcome::Fail),
            report("e", Outcome::Error),
        ];
        let r = Reports::new(&all);
        let t = |c, ids| verdict(&spec(c, ids), &r);
        let (s, b, w) = overall(&[
            t(Category::Mandatory, &["p"]),
            t(Category::Optional, &["f"]),
        ]);
        assert_eq!((s, b.len(), w.len()), (ReadyState::Ready, 0, 1));
        let (s, b, _) = overall(&[
            t(Category::Mandatory, &["f"]),
            t(Category::Mandatory, &["e"]),
        ]);
        assert_eq!((s, b.len()), (ReadyState::NotReady, 2));
        let (s, b, _) = overall(&[
            t(Category::Mandatory, &["p"]),
            t(Category::Mandatory, &["e"]),
        ]);
        assert_eq!((s, b.len()), (ReadyState::Incomplete, 1));
    }
}
