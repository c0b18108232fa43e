//! The JSON writer: `report.json`, the published contract. It is the [`RunReport`] serialised
//! as is (serde, pretty-printed, one trailing newline), and nothing else: the field names are the
//! model's, the evidence is the already-redacted [`Exchange`](crate::client::Exchange) values.
//! Its JSON Schema (draft 2020-12) is `docs/report.schema.json`; a test below validates real
//! output against it, so the model and the schema cannot drift apart. A `certify` report adds
//! `readiness` (one object per vendor programme, enums as their serde names: `not-ready`,
//! `warning`, ...); every other command leaves it out.
//!
//! ```json
//! {
//!   "format_version": 1,
//!   "tool_version": "0.1.0",
//!   "command": "check",
//!   "run_id": "st-5f3a",
//!   "target": "https://idp.example/scim/v2",
//!   "counts": { "pass": 41, "fail": 2, "error": 0, "skip": 7 },
//!   "checks": [
//!     { "id": "users.create.status-201", "level": "must", "outcome": "fail",
//!       "reason": "expected 201, got 200", "evidence": [ { "method": "POST", "status": 200, … } ], … }
//!   ],
//!   …
//! }
//! ```

use super::model::RunReport;
use std::io::Write;

/// Write `report` as pretty-printed JSON followed by a newline.
pub fn write(report: &RunReport, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// A sample report shared by the writers' tests: a pass, MUST and SHOULD failures with evidence
/// (one exchange with a big body), an error with a transport failure, skips with two reasons, a
/// dialect pass; hostile text in the reason; a known token fed through the redactor.
#[cfg(test)]
pub(crate) mod sample {
    use crate::client::exchange::{Exchange, Redactor};
    use crate::report::model::{CheckReport, CleanupReport, Counts, Level, Outcome, RunReport};

    /// The secret the sample's client used; no writer output may contain it.
    pub(crate) const TOKEN: &str = "tok-SECRET-93c1f0";
    /// A reason with characters every format must escape.
    pub(crate) const HOSTILE_REASON: &str =
        "expected 201, got 200 <b>&\"quoted\"</b> | pipe `tick` ```fence```\n# not a heading";

    fn redactor() -> Redactor {
        Redactor::new([TOKEN.to_string()], Vec::<String>::new())
    }

    fn hdrs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// A POST /Users exchange made with the bearer token, answered with `status` and `body`.
    pub(crate) fn post_users(status: u16, body: &str) -> Exchange {
        redactor().exchange(
            "POST",
            &format!("https://idp.example/scim/v2/Users?access_token={TOKEN}"),
            &hdrs(&[
                ("Authorization", &format!("Bearer {TOKEN}")),
                ("Content-Type", "application/scim+json"),
                ("X-Debug-Echo", TOKEN),
            ]),
            Some(r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"st-5f3a-alice","password":"hunter2"}"#),
            Some(status),
            &hdrs(&[("Content-Type", "application/scim+json"), ("Set-Cookie", "sid=abc")]),
            Some(body),
            None,
            12.5,
        )
    }

    fn check(id: &str, level: Level, area: &str, outcome: Outcome, reason: &str) -> CheckReport {
        CheckReport {
            quote: None,
            id: id.to_string(),
            title: format!("title of {id}"),
            rfc: "RFC 7644 §3.3".to_string(),
            level,
            area: area.to_string(),
            outcome,
            reason: reason.to_string(),
            hint: None,
            duration_ms: 3.25,
            evidence: Vec::new(),
        }
    }

    /// The sample report, counts recomputed.
    pub(crate) fn report() -> RunReport {
        let big = format!(
            r#"{{"id":"1","userName":"st-5f3a-alice","echo":"{TOKEN}","blob":"{}"}}"#,
            "x".repeat(3000)
        );
        let mut fail = check(
            "users.create.status-201",
            Level::Must,
            "users",
            Outcome::Fail,
            HOSTILE_REASON,
        );
        fail.title = "POST /Users answers 201 Created".to_string();
        fail.hint = Some("answer `201 Created` with the resource & a Location header".to_string());
        fail.evidence = vec![
            post_users(200, &big),
            post_users(200, r#"{"id":"2"}"#),
            post_users(200, r#"{"id":"third-exchange-marker"}"#),
        ];
        let mut should = check(
            "users.create.location-header",
            Level::Should,
            "users",
            Outcome::Fail,
            "no Location header",
        );
        should.evidence = vec![post_users(201, r#"{"id":"3"}"#)];
        let mut error = check(
            "groups.create.status-201",
            Level::Must,
            "groups",
            Outcome::Error,
            "transport failure: connection reset",
        );
        error.evidence = vec![redactor().exchange(
            "POST",
            "https://idp.example/scim/v2/Groups",
            &hdrs(&[("Authorization", &format!("Bearer {TOKEN}"))]),
            Some(r#"{"displayName":"g"}"#),
            None,
            &[],
            None,
            Some("connection reset by peer"),
            30000.0,
        )];
        let mut report = RunReport {
            format_version: crate::report::model::FORMAT_VERSION,
            tool_version: "0.1.0".to_string(),
            command: "check".to_string(),
            run_id: "st-5f3a".to_string(),
            target: "https://idp.example/scim/v2".to_string(),
            embedded_target: false,
            started_at: "2025-01-02T03:04:05Z".to_string(),
            duration_ms: 1234.5,
            counts: Counts::default(),
            by_level: Default::default(),
            by_area: Default::default(),
            cleanup: CleanupReport {
                created: 3,
                removed: 2,
                leftovers: vec!["https://idp.example/scim/v2/Users/1: 500".to_string()],
            },
            checks: vec![
                check(
                    "discovery.spc.status-200",
                    Level::Must,
                    "discovery",
                    Outcome::Pass,
                    "",
                ),
                fail,
                should,
                error,
                check(
                    "bulk.post.status-200",
                    Level::May,
                    "bulk",
                    Outcome::Skip,
                    "bulk not advertised",
                ),
                check(
                    "bulk.fail-on-errors",
                    Level::May,
                    "bulk",
                    Outcome::Skip,
                    "bulk not advertised",
                ),
                check(
                    "sort.users.by-username",
                    Level::May,
                    "sort",
                    Outcome::Skip,
                    "sort | not advertised",
                ),
                check(
                    "entra.patch.replace-no-path",
                    Level::Dialect,
                    "users",
                    Outcome::Pass,
                    "",
                ),
            ],
            profiles: vec![crate::report::model::ProfileVerdict {
                idp: "entra".into(),
                profile: "default".into(),
                about: None,
                would_provision: false,
                verdict: "would break at user-lifecycle step 1 (existence-check-user): expected 200, got 404".into(),
                severity: Some(crate::report::model::Severity::Breaking),
                flows: vec![crate::report::model::FlowVerdict {
                    flow: "user-lifecycle".into(),
                    outcome: Outcome::Fail,
                    break_at: Some(crate::report::model::BreakAt {
                        step: 1,
                        name: "existence-check-user".into(),
                        got: "expected 200, got 404".into(),
                        why: "Entra needs an empty ListResponse (RFC 7644 §3.4.2).".into(),
                        rfc: Some("RFC 7644 §3.4.2".into()),
                    }),
                    severity: Some(crate::report::model::Severity::Breaking),
                    destroys_data_at: None,
                    not_configured: None,
                    left_out: Vec::new(),
                    steps: vec![crate::report::model::StepVerdict {
                        n: 1,
                        name: "existence-check-user".into(),
                        outcome: "fail".into(),
                        synthetic: false,
                        severity: Some(crate::report::model::Severity::Breaking),
                    }],
                }],
            }],
            catalogue_version: Some("test+4.0000".into()),
            status: crate::report::model::RunStatus::Complete,
            exit_code: Some(1),
            gating: vec![Level::Must, Level::Dialect],
            options: Vec::new(),
            readiness: Vec::new(),
            configuration: None,
            load: Some(crate::report::model::LoadReport {
                scenario: "smoke".into(),
                description: "10 s of the provisioning mix".into(),
                users: 8,
                duration_s: 10.02,
                requests: 1000,
                errors: 1,
                throttled: 1,
                rps: 99.8,
                cpu_ms_per_1000: Some(27.5),
                operations: vec![crate::report::model::OpReport {
                    op: "POST /Users".into(),
                    requests: 1000,
                    errors: 1,
                    rps: 99.8,
                    p50_ms: 0.4,
                    p95_ms: 1.2,
                    p99_ms: 2.5,
                    avg_ms: 0.6,
                    max_ms: 9.0,
                    status_counts: [("201".to_string(), 999), ("429".to_string(), 1)]
                        .into_iter()
                        .collect(),
                }],
                thresholds: vec![crate::report::model::ThresholdReport {
                    rule: "p95<250ms".into(),
                    observed: "1.2 ms".into(),
                    passed: true,
                }],
                files: vec!["load-series.json".into(), "latency-over-time.svg".into()],
                shard: Some(crate::report::model::ShardInfo {
                    indices: vec![1],
                    count: 3,
                }),
                scenario_toml: "name = \"smoke\"".into(),
                series: Vec::new(),
                phases: vec![
                    crate::report::phases::PhaseReport {
                        phase: crate::report::phases::PhaseKind::RampUp,
                        start_s: 0,
                        end_s: 1,
                        requests: 60,
                        errors: 0,
                        rps: 60.0,
                        operations: Vec::new(),
                    },
                    crate::report::phases::PhaseReport {
                        phase: crate::report::phases::PhaseKind::Steady,
                        start_s: 1,
                        end_s: 10,
                        requests: 900,
                        errors: 1,
                        rps: 100.0,
                        operations: Vec::new(),
                    },
                    crate::report::phases::PhaseReport {
                        phase: crate::report::phases::PhaseKind::RampDown,
                        start_s: 10,
                        end_s: 11,
                        requests: 40,
                        errors: 0,
                        rps: 40.0,
                        operations: Vec::new(),
                    },
                ],
                comparison: Some(crate::report::compare::Comparison {
                    baseline_run: "st-base".into(),
                    baseline_started_at: "2026-11-23T10:00:00.000Z".into(),
                    baseline_scenario: "smoke".into(),
                    rps_basis: "steady".into(),
                    baseline_rps: 120.0,
                    current_rps: 100.0,
                    rules: vec!["req/s -10%".into(), "p95 +10%".into()],
                    operations: vec![crate::report::compare::OpComparison {
                        op: "POST /Users".into(),
                        judged: true,
                        note: None,
                        metrics: vec![
                            crate::report::compare::MetricDelta {
                                metric: crate::report::compare::Metric::Rps,
                                baseline: 120.0,
                                current: 100.0,
                                change_pct: Some(-16.7),
                                change: crate::report::compare::Change::Regressed,
                            },
                            crate::report::compare::MetricDelta {
                                metric: crate::report::compare::Metric::P95,
                                baseline: 1.0,
                                current: 1.2,
                                change_pct: Some(20.0),
                                change: crate::report::compare::Change::Same,
                            },
                        ],
                    }],
                    only_in_baseline: vec!["DELETE /Users/{id}".into()],
                    only_in_run: Vec::new(),
                    regressions: vec![
                        "req/s of POST /Users regressed 17 % (120 → 100 req/s), limit 10 %".into(),
                    ],
                }),
                provisioning: None,
                rate_limits: None,
                pace: None,
                active_users: Vec::new(),
                config: None,
            }),
        };
        report.recount();
        report
    }

    /// The scope sentence of the sample's Entra programme (every writer must show it).
    pub(crate) const ENTRA_SCOPE: &str = "A prediction of Microsoft's validation from the SCIM traffic alone, not a replacement for it: the submission still needs a Succeeded run of the Logic App in your tenant.";

    fn basis(id: &str, outcome: Outcome) -> crate::report::readiness::Basis {
        crate::report::readiness::Basis {
            id: id.to_string(),
            outcome,
        }
    }

    /// A `certify` report for two programmes: the Entra gallery not ready (a mandatory test
    /// fails, an optional one warns, one is skipped, one has no verdict) and the Okta
    /// Integration Network ready. Its checks are the probes and related checks the verdicts
    /// cite, with evidence on the failing probe; hostile text in one reason.
    pub(crate) fn certify_report() -> RunReport {
        use crate::report::readiness::{Category, Readiness, ReadyState, TestVerdict, VendorTest};
        let mut r = report();
        r.command = "certify".to_string();
        r.run_id = "st-c3f1".to_string();
        r.profiles.clear();
        r.load = None;
        r.catalogue_version = None;
        r.gating = Vec::new();
        r.options = vec!["--for entra-gallery".into(), "--for okta-oin".into()];
        let mut update = check(
            "certify.entra.update-user",
            Level::Dialect,
            "certify",
            Outcome::Fail,
            "read back the user: title is \"old\", expected \"new | <b>\"",
        );
        update.evidence = vec![post_users(201, r#"{"id":"9"}"#)];
        update.hint = Some("Accept PATCH op names in any case.".into());
        r.checks = vec![
            check(
                "certify.entra.create-user",
                Level::Dialect,
                "certify",
                Outcome::Pass,
                "",
            ),
            update,
            check(
                "certify.entra.delete-group",
                Level::Dialect,
                "certify",
                Outcome::Fail,
                "the group is still served after DELETE",
            ),
            check(
                "certify.entra.federated-identity",
                Level::Dialect,
                "certify",
                Outcome::Skip,
                "needs an Entra tenant",
            ),
            check(
                "certify.okta.users-endpoint",
                Level::Dialect,
                "certify",
                Outcome::Pass,
                "",
            ),
            check(
                "certify.okta.create-user",
                Level::Dialect,
                "certify",
                Outcome::Pass,
                "",
            ),
            check(
                "users.create.status-201",
                Level::Must,
                "users",
                Outcome::Pass,
                "",
            ),
            check(
                "patch.replace.case-insensitive-op",
                Level::Should,
                "patch",
                Outcome::Fail,
                "op \"Replace\" rejected with 400",
            ),
        ];
        let test =
            |name: &str,
             group: &str,
             category: Category,
             verdict: TestVerdict,
             reason: &str,
             judged_by: Vec<crate::report::readiness::Basis>| VendorTest {
                name: name.to_string(),
                group: group.to_string(),
                category,
                validates: format!("what {name} validates"),
                skipped_when: String::new(),
                verdict,
                reason: reason.to_string(),
                needs_vendor: None,
                judged_by,
                related: Vec::new(),
            };
        let mut update_user = test(
            "Update_User_Test",
            "User provisioning",
            Category::Mandatory,
            TestVerdict::Fail,
            "read back the user: title is \"old\", expected \"new | <b>\"",
            vec![basis("certify.entra.update-user", Outcome::Fail)],
        );
        update_user.related = vec![basis("patch.replace.case-insensitive-op", Outcome::Fail)];
        let mut federated = test(
            "Federated_Identity_Test",
            "Authentication",
            Category::Mandatory,
            TestVerdict::Skipped,
            "not configured: scimtest cannot run it (needs an Entra tenant)",
            vec![basis("certify.entra.federated-identity", Outcome::Skip)],
        );
        federated.skipped_when = "workload identity federation is not configured".into();
        federated.needs_vendor =
            Some("runs in Microsoft's tenant: only Microsoft's validation can test it".into());
        let mut throughput = test(
            "Gallery_Throughput (scimtest)",
            "Gallery requirements",
            Category::Mandatory,
            TestVerdict::Unknown,
            "not measured (--no-load)",
            Vec::new(),
        );
        throughput.needs_vendor = Some(
            "not one of the Logic App's tests: the gallery's onboarding requirement, measured by scimtest"
                .into(),
        );
        let mut create_user = test(
            "Create_User_Test",
            "User provisioning",
            Category::Mandatory,
            TestVerdict::Pass,
            "",
            vec![basis("certify.entra.create-user", Outcome::Pass)],
        );
        create_user.related = vec![basis("users.create.status-201", Outcome::Pass)];
        let entra = Readiness {
            program: "entra-gallery".into(),
            title: "Microsoft Entra app gallery".into(),
            suite: "Microsoft's SCIM Validation Logic App (25 tests)".into(),
            state: ReadyState::NotReady,
            rule: "Microsoft's rule: every mandatory test passes or is skipped; optional tests only warn.".into(),
            blockers: vec![
                "Update_User_Test (mandatory): read back the user: title is \"old\", expected \"new | <b>\"".into(),
                "Gallery_Throughput (scimtest) (mandatory): no verdict: not measured (--no-load)".into(),
            ],
            warnings: vec![
                "Delete_Group_Test (optional): the group is still served after DELETE".into(),
            ],
            mapping: Some("Entra's default attribute mappings (title, department)".into()),
            scope: ENTRA_SCOPE.into(),
            tests: vec![
                create_user,
                update_user,
                test(
                    "Delete_Group_Test",
                    "Group provisioning",
                    Category::Optional,
                    TestVerdict::Warning,
                    "the group is still served after DELETE",
                    vec![basis("certify.entra.delete-group", Outcome::Fail)],
                ),
                federated,
                throughput,
            ],
        };
        let okta = Readiness {
            program: "okta-oin".into(),
            title: "Okta Integration Network".into(),
            suite: "Okta's Runscope SCIM 2.0 SPEC test and CRUD test".into(),
            state: ReadyState::Ready,
            rule: "Okta's rule: a Runscope run passes when every assertion of every step holds.".into(),
            blockers: Vec::new(),
            warnings: Vec::new(),
            mapping: None,
            scope: "A prediction of Okta's Runscope tests from the SCIM traffic alone, not a replacement for them.".into(),
            tests: vec![
                test(
                    "Test Users endpoint",
                    "SPEC",
                    Category::Mandatory,
                    TestVerdict::Pass,
                    "",
                    vec![basis("certify.okta.users-endpoint", Outcome::Pass)],
                ),
                test(
                    "Create Okta user",
                    "CRUD",
                    Category::Mandatory,
                    TestVerdict::Pass,
                    "",
                    vec![basis("certify.okta.create-user", Outcome::Pass)],
                ),
            ],
        };
        r.readiness = vec![entra, okta];
        r.recount();
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    const SCHEMA: &str = include_str!("../../docs/report.schema.json");

    fn render(report: &RunReport) -> String {
        let mut out = Vec::new();
        assert!(write(report, &mut out).is_ok());
        String::from_utf8(out).unwrap_or_default()
    }

    fn validator() -> jsonschema::Validator {
        let schema: Value = serde_json::from_str(SCHEMA).unwrap_or(Value::Null);
        assert!(
            jsonschema::draft202012::meta::is_valid(&schema),
            "docs/report.schema.json is not a valid draft 2020-12 schema"
        );
        match jsonschema::draft202012::new(&schema) {
            Ok(v) => v,
            Err(e) => panic!("schema does not compile: {e}"),
        }
    }

    fn errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
        v.iter_errors(doc)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect()
    }

    #[test]
    fn output_validates_against_the_published_schema() {
        let text = render(&sample::report());
        let doc: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let v = validator();
        assert_eq!(errors(&v, &doc), Vec::<String>::new());
        // The sample exercises every optional field, so the strict schema has seen them all.
        for field in [
            "\"hint\"",
            "\"request_body\"",
            "\"status\"",
            "\"response_body\"",
            "\"error\": \"connection",
        ] {
            assert!(text.contains(field), "sample lacks {field}");
        }
    }

    /// The load sections `provisioning`, `rate_limits` and `pace`, filled as a throttled Bulk
    /// run fills them, validate; a misspelt preset does not.
    #[test]
    fn load_shape_sections_validate_against_the_schema() {
        use crate::report::model::{
            BulkReport, IdpReaction, PaceReport, ProvisioningReport, RateLimitReport,
        };
        let mut r = sample::report();
        if let Some(l) = r.load.as_mut() {
            l.provisioning = Some(ProvisioningReport {
                users: 1600,
                seconds: 2.0,
                users_per_second: 800.0,
                single: 0,
                bulk: 1600,
                headline: "1,600 users provisioned in 2.0 s (800 users/s)".into(),
                bulk_detail: Some(BulkReport {
                    declared: "bulk.supported = true, maxOperations 1000, maxPayloadSize 1048576"
                        .into(),
                    max_operations: Some(1000),
                    max_payload_bytes: Some(1_048_576),
                    batch: 10,
                    requests: 160,
                    operations: 1601,
                    created: 1600,
                    deleted: 0,
                    failed: [("409".to_string(), 1)].into_iter().collect(),
                }),
            });
            l.rate_limits = Some(RateLimitReport {
                throttled: 1,
                by_operation: [("POST /Users".to_string(), 1)].into_iter().collect(),
                peak_per_second: 1,
                avg_per_second: 0.1,
                seconds_throttled: 1,
                retry_after_sent: 1,
                retry_after_missing: 0,
                retry_after_values: [("1".to_string(), 1)].into_iter().collect(),
                honoured: 1,
                cut_short: 0,
                client: "c".into(),
                summary: "s".into(),
                idps: vec![IdpReaction {
                    idp: "okta".into(),
                    product: "Okta".into(),
                    reaction: "r".into(),
                    source: "s".into(),
                }],
            });
            l.pace = Some(PaceReport {
                preset: "entra".into(),
                product: "Microsoft Entra ID".into(),
                requests_per_second: Some(25),
                users: 8,
                timeout_s: 60.0,
                achieved_rps: 24.1,
                kept_up: true,
                verdict: "v".into(),
                source: "s".into(),
            });
        }
        let v = validator();
        let doc = serde_json::to_value(&r).unwrap_or(Value::Null);
        assert_eq!(errors(&v, &doc), Vec::<String>::new());
        let mut bad = doc.clone();
        bad["load"]["pace"]["preset"] = "entre".into();
        assert!(!v.is_valid(&bad));
        let mut bad = doc;
        bad["load"]["rate_limits"]["surprise"] = 1.into();
        assert!(!v.is_valid(&bad));
    }

    #[test]
    fn schema_rejects_unknown_outcomes_levels_and_fields() {
        let v = validator();
        let good = serde_json::to_value(sample::report()).unwrap_or(Value::Null);
        assert!(v.is_valid(&good));
        let mutate = |f: &dyn Fn(&mut Value)| {
            let mut doc = good.clone();
            f(&mut doc);
            doc
        };
        let bad = [
            mutate(&|d| d["checks"][1]["outcome"] = "maybe".into()),
            mutate(&|d| d["checks"][0]["level"] = "MUST".into()),
            mutate(&|d| d["checks"][1]["evidence"][0]["status"] = "200".into()),
            mutate(&|d| d["checks"][1]["evidence"][0]["request_headers"][0] = "x".into()),
            mutate(&|d| d["by_level"]["sometimes"] = d["counts"].clone()),
            mutate(&|d| d["format_version"] = 2.into()),
            mutate(&|d| d["surprise"] = true.into()),
            mutate(&|d| {
                if let Some(o) = d["checks"][0].as_object_mut() {
                    o.remove("reason");
                }
            }),
        ];
        for (i, doc) in bad.iter().enumerate() {
            assert!(!v.is_valid(doc), "mutation {i} was accepted");
        }
    }

    #[test]
    fn output_round_trips_to_the_same_report() {
        for report in [sample::report(), sample::certify_report()] {
            let back: Result<RunReport, _> = serde_json::from_str(&render(&report));
            assert_eq!(back.ok(), Some(report));
        }
    }

    #[test]
    fn a_certify_report_validates_with_its_readiness() {
        let text = render(&sample::certify_report());
        let doc: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let v = validator();
        assert_eq!(errors(&v, &doc), Vec::<String>::new());
        // Every readiness field and every enum value the schema names has been seen.
        for needle in [
            "\"readiness\"",
            "\"state\": \"not-ready\"",
            "\"state\": \"ready\"",
            "\"blockers\"",
            "\"warnings\"",
            "\"mapping\"",
            "\"skipped_when\"",
            "\"needs_vendor\"",
            "\"related\"",
            "\"category\": \"optional\"",
            "\"verdict\": \"pass\"",
            "\"verdict\": \"fail\"",
            "\"verdict\": \"warning\"",
            "\"verdict\": \"skipped\"",
            "\"verdict\": \"unknown\"",
        ] {
            assert!(text.contains(needle), "certify sample lacks {needle}");
        }
        // Non-certify reports leave the field out.
        assert!(!render(&sample::report()).contains("\"readiness\""));
    }

    #[test]
    fn schema_rejects_unknown_readiness_values_and_fields() {
        let v = validator();
        let good = serde_json::to_value(sample::certify_report()).unwrap_or(Value::Null);
        assert!(v.is_valid(&good));
        let mutate = |f: &dyn Fn(&mut Value)| {
            let mut doc = good.clone();
            f(&mut doc);
            doc
        };
        let bad = [
            mutate(&|d| d["readiness"][0]["state"] = "not_ready".into()),
            mutate(&|d| d["readiness"][0]["tests"][0]["verdict"] = "PASSED".into()),
            mutate(&|d| d["readiness"][0]["tests"][0]["category"] = "required".into()),
            mutate(&|d| d["readiness"][0]["tests"][0]["judged_by"][0]["outcome"] = "ok".into()),
            mutate(&|d| d["readiness"][0]["tests"][0]["surprise"] = true.into()),
            mutate(&|d| {
                if let Some(o) = d["readiness"][1].as_object_mut() {
                    o.remove("scope");
                }
            }),
        ];
        for (i, doc) in bad.iter().enumerate() {
            assert!(!v.is_valid(doc), "mutation {i} was accepted");
        }
    }

    #[test]
    fn output_is_pretty_deterministic_and_newline_terminated() {
        let a = render(&sample::report());
        assert_eq!(a, render(&sample::report()));
        assert!(a.starts_with("{\n  \"format_version\": 1,\n"));
        assert!(a.ends_with("}\n"));
    }

    /// A sink that refuses every write, like a full disk.
    struct Refuse;
    impl Write for Refuse {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk full"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn every_writer_reports_io_errors_instead_of_panicking() {
        for report in [sample::report(), sample::certify_report()] {
            assert!(write(&report, &mut Refuse).is_err());
            assert!(crate::report::junit::write(&report, &mut Refuse).is_err());
            assert!(crate::report::markdown::write(&report, &mut Refuse).is_err());
        }
    }

    #[test]
    fn redacted_evidence_is_carried_and_the_token_never_appears() {
        let text = render(&sample::report()) + &render(&sample::certify_report());
        assert!(!text.contains(sample::TOKEN), "token leaked");
        assert!(!text.contains("hunter2") && !text.contains("sid=abc"));
        assert!(text.contains("Bearer <redacted>"));
    }
}
