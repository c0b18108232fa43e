//! The JUnit XML writer (via `quick-junit`), for CI test tabs. Mapping:
//!
//! - the run → one `<testsuites name="scimtest <command>">`, timestamp = `started_at`,
//!   time = run duration; counts are computed from the checks;
//! - each area → one `<testsuite name="<area>">`, in order of first appearance (catalogue order),
//!   carrying the run's `<properties>` `run_id`, `target`, `tool_version` (the JUnit schema and
//!   `quick-junit` allow no properties on `<testsuites>`, so every suite repeats them), and for
//!   a `load` run `rps` (the headline req/s, one decimal) and `rps_phase` (`steady`, or
//!   `whole attack` without a steady phase);
//! - each check → `<testcase name="<id>" classname="scimtest.<area>" time="<seconds>">`;
//! - Pass → nothing inside; Fail → `<failure message="<reason>" type="<level>">`; Error →
//!   `<error message="<reason>" type="<level>">`; both carry as text the RFC section, title, hint
//!   and a compact rendering of the evidence: per exchange `METHOD url → status (ms)` and the
//!   request and response bodies, truncated. Skip → `<skipped message="<reason>"/>`.
//!
//! A `certify` report (non-empty `readiness`) adds, before the area suites (which keep the probes
//! and related checks with their evidence), one suite per vendor programme:
//!
//! - `<testsuite name="<title> readiness">` (`Microsoft Entra app gallery readiness`) with the
//!   run's properties plus `program` and `state` (`ready`, `not-ready`, `incomplete`);
//! - each vendor test → `<testcase name="<vendor's test name>" classname="<program>">`;
//! - pass → nothing inside; fail → `<failure message="<reason>" type="<category>">` whose text
//!   names the judged-by and related check ids with their outcomes; unknown (no verdict) →
//!   `<error>` the same way; skipped → `<skipped message="<reason>"/>`; warning (a failed
//!   optional test) → a passing test case with the warning in `<system-out>`: JUnit has no
//!   warning state, and a warning does not block the submission, so it must not fail the build.
//!
//! ```xml
//! <testsuite name="Microsoft Entra app gallery readiness" tests="25" failures="1" errors="0" skipped="1">
//!     <testcase name="Update_User_Test" classname="entra-gallery">
//!         <failure message="title is &quot;old&quot;" type="mandatory">User provisioning · mandatory · FAILED
//! judged by: certify.entra.update-user (fail)</failure>
//!     </testcase>
//!     <testcase name="Delete_Group_Test" classname="entra-gallery">
//!         <system-out>WARNING (optional test; passes here, as JUnit has no warning state): …</system-out>
//!     </testcase>
//! </testsuite>
//! ```
//!
//! Headers are never rendered (the JSON report has them, redacted). Nothing is added that is not
//! in the report, and escaping is `quick-xml`'s.
//!
//! ```xml
//! <testsuites name="scimtest check" tests="3" skipped="1" failures="1" errors="0" timestamp="…" time="1.234">
//!     <testsuite name="users" tests="3" skipped="1" errors="0" failures="1">
//!         <properties>
//!             <property name="run_id" value="st-5f3a"/>
//!             <property name="target" value="https://idp.example/scim/v2"/>
//!             <property name="tool_version" value="0.1.0"/>
//!         </properties>
//!         <testcase name="users.get.status-200" classname="scimtest.users" time="0.003"/>
//!         <testcase name="users.create.status-201" classname="scimtest.users" time="0.015">
//!             <failure message="expected 201, got 200" type="must">RFC 7644 §3.3: POST /Users answers 201 Created
//! hint: answer 201 Created with the resource and a Location header
//! evidence:
//! POST https://idp.example/scim/v2/Users → 200 (12 ms)
//!   &gt; {"userName":"st-5f3a-alice","password":"&lt;redacted&gt;"}
//!   &lt; {"id":"1","userName":"st-5f3a-alice"}</failure>
//!         </testcase>
//!         <testcase name="users.patch.add" classname="scimtest.users" time="0.000">
//!             <skipped message="patch not advertised"/>
//!         </testcase>
//!     </testsuite>
//! </testsuites>
//! ```

use super::model::{CheckReport, Outcome, RunReport};
use super::readiness::{Basis, Readiness, TestVerdict, VendorTest};
use crate::client::exchange::Exchange;
use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};
use std::fmt::Write as _;
use std::io::Write;
use std::time::Duration;

/// Longest response body rendered per exchange, in bytes.
const RESPONSE_BODY_MAX: usize = 1024;
/// Longest request body rendered per exchange, in bytes.
const REQUEST_BODY_MAX: usize = 512;

/// Write `report` as a JUnit XML document.
pub fn write(report: &RunReport, out: &mut dyn Write) -> std::io::Result<()> {
    // An interrupted or incomplete run says so in the report's name and in every suite.
    let mut junit = Report::new(if report.status.is_complete() {
        format!("scimtest {}", report.command)
    } else {
        format!(
            "scimtest {} (INCOMPLETE: {})",
            report.command,
            report.status.as_str()
        )
    });
    if let Ok(ts) = chrono::DateTime::parse_from_rfc3339(&report.started_at) {
        junit.set_timestamp(ts);
    }
    if let Some(time) = millis(report.duration_ms) {
        junit.set_time(time);
    }

    // `certify`: one suite per vendor programme first, the checks they rest on after.
    for r in &report.readiness {
        junit.add_test_suite(readiness_suite(report, r));
    }

    // Areas in order of first appearance, each with its checks in catalogue order.
    let mut areas: Vec<(&str, Vec<&CheckReport>)> = Vec::new();
    for check in &report.checks {
        match areas.iter_mut().find(|(a, _)| *a == check.area) {
            Some((_, checks)) => checks.push(check),
            None => areas.push((&check.area, vec![check])),
        }
    }
    for (area, checks) in areas {
        let mut suite = TestSuite::new(area);
        suite.add_properties([
            Property::new("run_id", &report.run_id),
            Property::new("target", &report.target),
            Property::new("tool_version", &report.tool_version),
        ]);
        if !report.status.is_complete() {
            suite.add_property(Property::new("status", report.status.as_str()));
        }
        // `load`: the headline req/s and the phase it is over, as every other output shows it.
        if let Some(l) = report.load.as_ref().filter(|_| report.command == "load") {
            let (rps, phase) = super::compare::headline_rps(l);
            suite.add_properties([
                Property::new("rps", format!("{rps:.1}")),
                Property::new("rps_phase", phase),
            ]);
        }
        suite.add_test_cases(checks.into_iter().map(test_case));
        junit.add_test_suite(suite);
    }

    junit.serialize(&mut *out).map_err(std::io::Error::other)?;
    out.flush()
}

/// One vendor programme as a `<testsuite>`, one `<testcase>` per vendor test.
fn readiness_suite(report: &RunReport, r: &Readiness) -> TestSuite {
    let mut suite = TestSuite::new(format!("{} readiness", r.title));
    suite.add_properties([
        Property::new("run_id", &report.run_id),
        Property::new("target", &report.target),
        Property::new("tool_version", &report.tool_version),
        Property::new("program", &r.program),
        Property::new("state", r.state.as_str()),
    ]);
    if !report.status.is_complete() {
        suite.add_property(Property::new("status", report.status.as_str()));
    }
    suite.add_test_cases(r.tests.iter().map(|t| vendor_case(&r.program, t)));
    suite
}

/// One vendor test as a `<testcase>` (see the module's mapping).
fn vendor_case(program: &str, t: &VendorTest) -> TestCase {
    let reason = if t.reason.is_empty() && t.verdict == TestVerdict::Skipped {
        t.skipped_when.as_str()
    } else {
        t.reason.as_str()
    };
    let mut out = None;
    let status = match t.verdict {
        TestVerdict::Pass => {
            out = t.needs_vendor.as_ref().map(|_| vendor_details(t));
            TestCaseStatus::success()
        }
        // JUnit has no warning state: a failed optional test does not block the submission,
        // so it passes here and carries the warning as output.
        TestVerdict::Warning => {
            out = Some(format!(
                "WARNING (optional test; passes here, as JUnit has no warning state): {reason}\n{}",
                vendor_details(t)
            ));
            TestCaseStatus::success()
        }
        TestVerdict::Fail | TestVerdict::Unknown => {
            let kind = if t.verdict == TestVerdict::Fail {
                NonSuccessKind::Failure
            } else {
                NonSuccessKind::Error
            };
            let mut status = TestCaseStatus::non_success(kind);
            status
                .set_message(reason)
                .set_type(t.category.as_str())
                .set_description(vendor_details(t));
            status
        }
        TestVerdict::Skipped => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(reason);
            status
        }
    };
    let mut case = TestCase::new(&t.name, status);
    case.set_classname(program);
    if let Some(out) = out {
        case.set_system_out(out);
    }
    case
}

/// The text of a vendor test's `<failure>`, `<error>` or `<system-out>`: group, category and
/// verdict, what it validates, the ids it is judged by and related to, what needs the vendor.
fn vendor_details(t: &VendorTest) -> String {
    let mut s = format!(
        "{} · {} · {}\nvalidates: {}",
        t.group,
        t.category.as_str(),
        t.verdict.label(),
        t.validates
    );
    let ids = |b: &[Basis]| {
        b.iter()
            .map(|b| format!("{} ({})", b.id, b.outcome.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !t.judged_by.is_empty() {
        let _ = write!(s, "\njudged by: {}", ids(&t.judged_by));
    }
    if !t.related.is_empty() {
        let _ = write!(s, "\nrelated: {}", ids(&t.related));
    }
    if let Some(v) = &t.needs_vendor {
        let _ = write!(s, "\nneeds the vendor: {v}");
    }
    s
}

/// One check as a `<testcase>`.
fn test_case(check: &CheckReport) -> TestCase {
    let status = match check.outcome {
        Outcome::Pass => TestCaseStatus::success(),
        Outcome::Fail | Outcome::Error => {
            let kind = if check.outcome == Outcome::Fail {
                NonSuccessKind::Failure
            } else {
                NonSuccessKind::Error
            };
            let mut status = TestCaseStatus::non_success(kind);
            status
                .set_message(&check.reason)
                .set_type(check.level.as_str())
                .set_description(details(check));
            status
        }
        Outcome::Skip => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(&check.reason);
            status
        }
    };
    let mut case = TestCase::new(&check.id, status);
    case.set_classname(format!("scimtest.{}", check.area));
    if let Some(time) = millis(check.duration_ms) {
        case.set_time(time);
    }
    case
}

/// The text of a `<failure>` or `<error>`: RFC section and title, hint, evidence.
fn details(check: &CheckReport) -> String {
    let mut s = format!("{}: {}", check.rfc, check.title);
    if let Some(hint) = &check.hint {
        let _ = write!(s, "\nhint: {hint}");
    }
    if !check.evidence.is_empty() {
        s.push_str("\nevidence:");
        for x in &check.evidence {
            s.push('\n');
            exchange(&mut s, x);
        }
    }
    s
}

/// `METHOD url → status (ms)`, then the bodies, indented and truncated.
fn exchange(s: &mut String, x: &Exchange) {
    let _ = write!(s, "{} {} → ", x.method, x.url);
    match (x.status, &x.error) {
        (Some(status), _) => {
            let _ = write!(s, "{status}");
        }
        (None, Some(error)) => {
            let _ = write!(s, "no response: {error}");
        }
        (None, None) => s.push_str("no response"),
    }
    let _ = write!(s, " ({:.0} ms)", x.duration_ms);
    if let Some(body) = &x.request_body {
        body_line(s, "  > ", body, REQUEST_BODY_MAX);
    }
    if let Some(body) = &x.response_body {
        body_line(s, "  < ", body, RESPONSE_BODY_MAX);
    }
}

/// One body on one line (line breaks shown as spaces), cut at `max` bytes.
fn body_line(s: &mut String, prefix: &str, body: &str, max: usize) {
    if body.is_empty() {
        return;
    }
    s.push('\n');
    s.push_str(prefix);
    let (head, more) = crate::text::head(body, max);
    s.extend(
        head.chars()
            .map(|c| if c == '\n' || c == '\r' { ' ' } else { c }),
    );
    if more > 0 {
        let _ = write!(s, "… ({more} more bytes)");
    }
}

/// Milliseconds as a `Duration`, if finite and non-negative.
fn millis(ms: f64) -> Option<Duration> {
    Duration::try_from_secs_f64(ms / 1000.0).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::json::sample;

    fn render(report: &RunReport) -> String {
        let mut out = Vec::new();
        assert!(write(report, &mut out).is_ok());
        String::from_utf8(out).unwrap_or_default()
    }

    #[test]
    fn root_attributes_count_every_outcome() {
        let xml = render(&sample::report());
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
        assert!(
            xml.contains(
                r#"<testsuites name="scimtest check" tests="8" skipped="3" failures="2" errors="1" timestamp="2025-01-02T03:04:05.000+00:00" time="1.234">"#
            ),
            "{xml}"
        );
        assert_eq!(xml.matches("<testcase ").count(), 8);
        assert_eq!(xml.matches("<testsuite ").count(), 5);
        assert!(xml.trim_end().ends_with("</testsuites>"));
    }

    #[test]
    fn output_parses_back_into_the_same_structure() {
        let xml = render(&sample::report());
        let parsed = match Report::deserialize_from_str(&xml) {
            Ok(r) => r,
            Err(e) => panic!("not valid JUnit XML: {e}\n{xml}"),
        };
        let names: Vec<&str> = parsed.test_suites.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["discovery", "users", "groups", "bulk", "sort"]);
        let users = &parsed.test_suites[1];
        assert_eq!((users.tests, users.failures, users.errors), (3, 2, 0));
        let props: Vec<(&str, &str)> = users
            .properties
            .iter()
            .map(|p| (p.name.as_str(), p.value.as_str()))
            .collect();
        assert_eq!(
            props,
            [
                ("run_id", "st-5f3a"),
                ("target", "https://idp.example/scim/v2"),
                ("tool_version", "0.1.0")
            ]
        );
        let fail = &users.test_cases[0];
        assert_eq!(fail.name.as_str(), "users.create.status-201");
        assert_eq!(fail.classname.as_deref(), Some("scimtest.users"));
        // 3.25 ms is written with millisecond precision.
        assert!(
            fail.time
                .is_some_and(|t| (2_999..=3_001).contains(&t.as_micros()))
        );
        match &fail.status {
            TestCaseStatus::NonSuccess {
                kind: NonSuccessKind::Failure,
                message,
                ty,
                description,
                ..
            } => {
                // Attribute values lose their line break in the round trip (XML normalises it).
                assert_eq!(
                    message.as_deref().map(|m| m.replace('\n', " ")),
                    Some(sample::HOSTILE_REASON.replace('\n', " "))
                );
                assert_eq!(ty.as_deref(), Some("must"));
                let text = description.as_deref().unwrap_or_default();
                assert!(text.starts_with("RFC 7644 §3.3: POST /Users answers 201 Created\n"));
                assert!(text.contains("\nhint: answer `201 Created` with the resource & a"));
            }
            other => panic!("expected a failure, got {other:?}"),
        }
        let groups = &parsed.test_suites[2];
        assert!(matches!(
            groups.test_cases[0].status,
            TestCaseStatus::NonSuccess {
                kind: NonSuccessKind::Error,
                ..
            }
        ));
        match &parsed.test_suites[4].test_cases[0].status {
            TestCaseStatus::Skipped { message, .. } => {
                assert_eq!(message.as_deref(), Some("sort | not advertised"));
            }
            other => panic!("expected a skip, got {other:?}"),
        }
        assert!(matches!(
            parsed.test_suites[0].test_cases[0].status,
            TestCaseStatus::Success { .. }
        ));
    }

    #[test]
    fn reasons_are_escaped() {
        let xml = render(&sample::report());
        assert!(xml.contains(
            r#"message="expected 201, got 200 &lt;b&gt;&amp;&quot;quoted&quot;&lt;/b&gt; | pipe"#
        ));
        assert!(!xml.contains("<b>"));
        assert!(xml.contains(r#"<failure message="no Location header" type="should">"#));
        assert!(
            xml.contains(r#"<error message="transport failure: connection reset" type="must">"#)
        );
        assert_eq!(
            xml.matches(r#"<skipped message="bulk not advertised"/>"#)
                .count(),
            2
        );
    }

    #[test]
    fn evidence_is_compact_and_truncated() {
        let xml = render(&sample::report());
        assert!(xml.contains(
            "POST https://idp.example/scim/v2/Users?access_token=&lt;redacted&gt; → 200 (12 ms)"
        ));
        assert!(xml.contains("POST https://idp.example/scim/v2/Groups → no response: connection reset by peer (30000 ms)"));
        // The 3000-byte body is cut at 1 KiB with the rest counted.
        assert!(xml.contains(" more bytes)"));
        assert!(!xml.contains(&"x".repeat(1100)));
        assert!(xml.contains(&"x".repeat(900)));
        // Every exchange is listed (JUnit text is not size-bound like a PR comment).
        assert!(xml.contains("third-exchange-marker"));
    }

    #[test]
    fn secrets_and_headers_never_appear() {
        let xml = render(&sample::report());
        assert!(!xml.contains(sample::TOKEN), "token leaked");
        assert!(!xml.contains("hunter2") && !xml.contains("sid=abc"));
        assert!(!xml.contains("Authorization") && !xml.contains("Bearer"));
        assert!(!xml.contains("X-Debug-Echo") && !xml.contains("Content-Type"));
    }

    #[test]
    fn a_certify_report_has_one_suite_per_programme_before_the_checks() {
        let xml = render(&sample::certify_report());
        let parsed = match Report::deserialize_from_str(&xml) {
            Ok(r) => r,
            Err(e) => panic!("not valid JUnit XML: {e}\n{xml}"),
        };
        let names: Vec<&str> = parsed.test_suites.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "Microsoft Entra app gallery readiness",
                "Okta Integration Network readiness",
                "certify",
                "users",
                "patch"
            ]
        );
        let entra = &parsed.test_suites[0];
        assert_eq!(
            (
                entra.tests,
                entra.failures,
                entra.errors,
                entra
                    .test_cases
                    .iter()
                    .filter(|c| matches!(c.status, TestCaseStatus::Skipped { .. }))
                    .count()
            ),
            (5, 1, 1, 1)
        );
        let prop = |name: &str| {
            entra
                .properties
                .iter()
                .find(|p| p.name.as_str() == name)
                .map(|p| p.value.to_string())
        };
        assert_eq!(prop("program").as_deref(), Some("entra-gallery"));
        assert_eq!(prop("state").as_deref(), Some("not-ready"));
        let case = |name: &str| {
            entra
                .test_cases
                .iter()
                .find(|c| c.name.as_str() == name)
                .unwrap_or_else(|| panic!("no test case {name}"))
        };
        for c in &entra.test_cases {
            assert_eq!(c.classname.as_deref(), Some("entra-gallery"));
        }
        assert!(matches!(
            case("Create_User_Test").status,
            TestCaseStatus::Success { .. }
        ));
        match &case("Update_User_Test").status {
            TestCaseStatus::NonSuccess {
                kind: NonSuccessKind::Failure,
                message,
                ty,
                description,
                ..
            } => {
                assert!(message.as_deref().is_some_and(|m| m.contains("title is")));
                assert_eq!(ty.as_deref(), Some("mandatory"));
                let text = description.as_deref().unwrap_or_default();
                assert!(text.contains("FAILED"), "{text}");
                assert!(text.contains("judged by: certify.entra.update-user (fail)"));
                assert!(text.contains("related: patch.replace.case-insensitive-op (fail)"));
            }
            other => panic!("expected a failure, got {other:?}"),
        }
        let warning = case("Delete_Group_Test");
        assert!(matches!(warning.status, TestCaseStatus::Success { .. }));
        let out = warning.system_out.as_deref().unwrap_or_default();
        assert!(out.starts_with("WARNING (optional test"), "{out}");
        assert!(out.contains("the group is still served after DELETE"));
        assert!(out.contains("judged by: certify.entra.delete-group (fail)"));
        match &case("Federated_Identity_Test").status {
            TestCaseStatus::Skipped { message, .. } => {
                assert!(
                    message
                        .as_deref()
                        .is_some_and(|m| m.contains("Entra tenant"))
                );
            }
            other => panic!("expected a skip, got {other:?}"),
        }
        match &case("Gallery_Throughput (scimtest)").status {
            TestCaseStatus::NonSuccess {
                kind: NonSuccessKind::Error,
                message,
                description,
                ..
            } => {
                assert_eq!(message.as_deref(), Some("not measured (--no-load)"));
                assert!(
                    description
                        .as_deref()
                        .is_some_and(|d| d.contains("UNKNOWN") && d.contains("needs the vendor: "))
                );
            }
            other => panic!("expected an error, got {other:?}"),
        }
        let okta = &parsed.test_suites[1];
        assert_eq!((okta.tests, okta.failures, okta.errors), (2, 0, 0));
        assert!(
            okta.test_cases
                .iter()
                .all(|c| c.classname.as_deref() == Some("okta-oin")
                    && matches!(c.status, TestCaseStatus::Success { .. }))
        );
        // The check suites are still there, with their evidence.
        assert!(xml.contains(
            r#"<testcase name="certify.entra.update-user" classname="scimtest.certify""#
        ));
        assert!(!xml.contains(sample::TOKEN));
    }

    #[test]
    fn a_certify_report_snapshot() {
        let xml = render(&sample::certify_report());
        insta::with_settings!({
            snapshot_path => "../../snapshots",
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!("certify.junit.xml", xml);
        });
    }

    #[test]
    fn millis_rejects_nan_and_negatives() {
        assert_eq!(millis(f64::NAN), None);
        assert_eq!(millis(-1.0), None);
        assert_eq!(millis(1500.0), Some(Duration::from_millis(1500)));
    }

    #[test]
    fn an_empty_run_is_a_valid_empty_document() {
        let mut report = sample::report();
        report.checks.clear();
        report.recount();
        let xml = render(&report);
        assert!(xml.contains(r#"tests="0" skipped="0" failures="0" errors="0""#));
        assert!(Report::deserialize_from_str(&xml).is_ok());
    }
}
