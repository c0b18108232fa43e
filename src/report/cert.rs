//! The compatibility certificate: one page a vendor hands to a customer, summarising one run
//! (`check` for the RFC pass rates, `replay` for the IdP profiles, `load` optionally) of one
//! target. Computed here from the reports, rendered by `html.rs` as HTML or Markdown. A
//! `certify` run gets its variant: one block per vendor programme (`Microsoft Entra app gallery
//! readiness — not ready: …`) with the blockers, the vendor tests (name, category, verdict) and
//! the scope sentence, instead of the pass rates and IdP profiles it did not measure.

use super::model::{Counts, Level, Outcome, RunReport};
use super::readiness::{Readiness, ReadyState, TestVerdict};
use super::view::rate;
use serde::Serialize;

/// Everything the certificate says.
#[derive(Debug, Serialize)]
pub struct Certificate {
    /// The service's base URL (never with credentials).
    pub target: String,
    /// The embedded provider.
    pub embedded: bool,
    /// The run's date (`YYYY-MM-DD`).
    pub date: String,
    /// RFC 3339 start of the earliest report.
    pub started_at: String,
    /// scimtest's version that ran it.
    pub tool_version: String,
    /// The check catalogue's version, when `check` ran.
    pub catalogue_version: Option<String>,
    /// When `check` ran a selection (`--only`, `--skip`, `--level`): how much of the catalogue.
    pub selection: Option<String>,
    /// Pass rates per level (`MUST`, `SHOULD`, `MAY`, `IdP dialect`), when `check` ran.
    pub rates: Vec<Rate>,
    /// The IdP profiles, when `replay` ran.
    pub profiles: Vec<Profile>,
    /// The load headline, when `load` ran.
    pub load: Option<String>,
    /// `certify`: one block per vendor programme.
    pub readiness: Vec<Programme>,
    /// True when every part ran to completion, no check of a gating level (`--fail-on`,
    /// default MUST and dialect) failed or errored, no replayed profile would break, and the
    /// load run held its thresholds.
    pub passed: bool,
    /// False when a part was interrupted or ended early: the certificate then says INCOMPLETE
    /// and claims nothing about what did not run.
    pub complete: bool,
    /// One sentence: the verdict.
    pub headline: String,
    /// `(command, run id, SHA-256 of its report.json)` of every report: the hash identifies
    /// the evidence this certificate summarises.
    pub runs: Vec<(String, String, String)>,
    /// The command that runs the same test again.
    pub reproduce: String,
}

/// One level's pass rate.
#[derive(Debug, Serialize)]
pub struct Rate {
    /// `MUST`, ...
    pub label: &'static str,
    /// Passed.
    pub passed: usize,
    /// Passed + failed + errored.
    pub judged: usize,
    /// Skipped (feature not advertised).
    pub skipped: usize,
    /// Skipped for want of a credential the run was not given (`--second-token`): not tested,
    /// which is not the same as not applicable.
    pub not_tested: usize,
    /// `97.3%`.
    pub rate: String,
}

/// One IdP profile.
#[derive(Debug, Serialize)]
pub struct Profile {
    /// `Microsoft Entra ID`.
    pub idp_label: String,
    /// `default`.
    pub profile: String,
    /// Would provision.
    pub ok: bool,
    /// The verdict line.
    pub verdict: String,
}

/// `certify`: one vendor programme's block.
#[derive(Debug, Serialize)]
pub struct Programme {
    /// `entra-gallery`.
    pub program: String,
    /// `Microsoft Entra app gallery readiness — not ready: 2 blockers`.
    pub title: String,
    /// Ready for submission by the vendor's rule.
    pub ready: bool,
    /// `ready`, `not-ready`, `incomplete`.
    pub state: &'static str,
    /// The vendor suites predicted.
    pub suite: String,
    /// What blocks the submission.
    pub blockers: Vec<String>,
    /// What does not block.
    pub warnings: Vec<String>,
    /// A prediction of the vendor's review, not a replacement for it.
    pub scope: String,
    /// Every vendor test.
    pub tests: Vec<ProgrammeTest>,
}

/// One vendor test on the certificate.
#[derive(Debug, Serialize)]
pub struct ProgrammeTest {
    /// The vendor's name.
    pub name: String,
    /// `mandatory` / `optional`.
    pub category: &'static str,
    /// `PASSED`, `FAILED`, `WARNING`, `SKIPPED`, `UNKNOWN`.
    pub label: &'static str,
    /// `ok` (passed), `skip` (skipped, which counts as a pass), `no` (failed), `warn`
    /// (warning), `na` (no verdict).
    pub class: &'static str,
}

/// `s` when `n` is not 1.
fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The certificate's block for one programme.
fn programme(r: &Readiness) -> Programme {
    let state = match r.state {
        ReadyState::Ready if r.warnings.is_empty() => "ready for submission".to_string(),
        ReadyState::Ready => format!(
            "ready for submission, {} warning{}",
            r.warnings.len(),
            plural(r.warnings.len())
        ),
        ReadyState::NotReady => format!(
            "not ready: {} blocker{}",
            r.blockers.len(),
            plural(r.blockers.len())
        ),
        ReadyState::Incomplete => format!(
            "incomplete: {} blocking test{} without a verdict",
            r.blockers.len(),
            plural(r.blockers.len())
        ),
    };
    Programme {
        program: r.program.clone(),
        title: format!("{} readiness — {state}", r.title),
        ready: r.state == ReadyState::Ready,
        state: r.state.as_str(),
        suite: r.suite.clone(),
        blockers: r.blockers.clone(),
        warnings: r.warnings.clone(),
        scope: r.scope.clone(),
        tests: r
            .tests
            .iter()
            .map(|t| ProgrammeTest {
                name: t.name.clone(),
                category: t.category.as_str(),
                label: t.verdict.label(),
                class: match t.verdict {
                    TestVerdict::Pass => "ok",
                    TestVerdict::Skipped => "skip",
                    TestVerdict::Fail => "no",
                    TestVerdict::Warning => "warn",
                    TestVerdict::Unknown => "na",
                },
            })
            .collect(),
    }
}

/// The product an IdP profile stands for, as a customer knows it: its manifest's product and
/// configuration, or the IdP and profile names for fixtures loaded without one.
fn idp_label(p: &super::model::ProfileVerdict) -> String {
    match &p.about {
        Some(a) => a.label(),
        None => format!("{} — profile {}", p.idp, p.profile),
    }
}

/// Why a check was skipped for want of a second tenant's credential (the runner's reason).
fn needs_second_token(reason: &str) -> bool {
    reason.contains("--second-token")
}

/// SHA-256 of the report as `report.json` holds it (the JSON writer's bytes), in hex.
pub fn report_sha256(r: &RunReport) -> String {
    use sha2::Digest;
    let mut bytes = Vec::new();
    if super::json::write(r, &mut bytes).is_err() {
        return String::new();
    }
    sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// "a selection of N of M checks" when a check run ran less than its whole catalogue (the
/// catalogue's size is part of `catalogue_version`: `<version>+<checks>.<fingerprint>`).
fn selection(check: &RunReport) -> Option<String> {
    let total: usize = check
        .catalogue_version
        .as_deref()?
        .split_once('+')?
        .1
        .split_once('.')?
        .0
        .parse()
        .ok()?;
    (check.checks.len() < total).then(|| {
        format!(
            "a selection of {} of the catalogue's {total} checks (--only, --skip or --level)",
            check.checks.len()
        )
    })
}

/// The certificate of `reports` (the parts of one run; the first report's target is the one
/// named).
pub fn certificate(reports: &[RunReport]) -> Certificate {
    let first = reports
        .iter()
        .min_by(|a, b| a.started_at.cmp(&b.started_at));
    let target = first.map(|r| r.target.clone()).unwrap_or_default();
    let embedded = first.is_some_and(|r| r.embedded_target);
    let started_at = first.map(|r| r.started_at.clone()).unwrap_or_default();
    let check = reports.iter().find(|r| r.command == "check");
    let replay = reports.iter().find(|r| r.command == "replay");
    let load = reports.iter().find(|r| r.command == "load");
    let mut rates = Vec::new();
    let mut must_ok = true;
    let complete = reports.iter().all(|r| r.status.is_complete());
    let gates: Vec<Level> = check
        .map(|c| c.gating.clone())
        .filter(|g| !g.is_empty())
        .unwrap_or_else(|| vec![Level::Must]);
    if let Some(c) = check {
        for (level, label) in [
            (Level::Must, "MUST"),
            (Level::Should, "SHOULD"),
            (Level::May, "MAY"),
            (Level::Advice, "interoperability advice"),
            (Level::Dialect, "IdP dialect"),
        ] {
            let mut n = Counts::default();
            let mut not_tested = 0;
            for x in c.checks.iter().filter(|x| x.level == level) {
                n.add(x.outcome);
                if x.outcome == Outcome::Skip && needs_second_token(&x.reason) {
                    not_tested += 1;
                }
            }
            if n.total() == 0 {
                continue;
            }
            if gates.contains(&level) && n.fail + n.error > 0 {
                must_ok = false;
            }
            rates.push(Rate {
                label,
                passed: n.pass,
                judged: n.pass + n.fail + n.error,
                skipped: n.skip - not_tested,
                not_tested,
                rate: rate(&n),
            });
        }
    }
    let profiles: Vec<Profile> = replay
        .map(|r| {
            r.profiles
                .iter()
                .filter(|p| p.replayed())
                .map(|p| Profile {
                    idp_label: idp_label(p),
                    profile: p.profile.clone(),
                    ok: p.would_provision && r.status.is_complete(),
                    verdict: if p.would_provision && !r.status.is_complete() {
                        format!("not verified: the replay was {}", r.status.as_str())
                    } else {
                        p.verdict.clone()
                    },
                })
                .collect()
        })
        .unwrap_or_default();
    let replay_ok = replay.is_none_or(|r| {
        !r.profiles.is_empty()
            && r.profiles.iter().all(|p| p.would_provision)
            && r.counts.error == 0
    });
    let load_line = load.and_then(|r| r.load.as_ref()).map(|l| {
        let held = l.thresholds.iter().filter(|t| t.passed).count();
        let (rps, phase) = super::compare::headline_rps(l);
        format!(
            "Scenario {}: {} requests, {rps:.1} req/s ({phase}) with {} concurrent users, {} errors; {} of {} thresholds held.",
            l.scenario,
            l.requests,
            l.users,
            l.errors,
            held,
            l.thresholds.len()
        )
    });
    let load_ok = load.is_none_or(|r| {
        r.load
            .as_ref()
            .is_some_and(|l| l.thresholds.iter().all(|t| t.passed))
            && !r.checks.iter().any(|c| {
                c.level == Level::Must && matches!(c.outcome, Outcome::Fail | Outcome::Error)
            })
    });
    let readiness: Vec<Programme> = reports
        .iter()
        .flat_map(|r| &r.readiness)
        .map(programme)
        .collect();
    let certify = reports.iter().find(|r| !r.readiness.is_empty());
    let readiness_ok = readiness.iter().all(|p| p.ready);
    let passed = complete && must_ok && replay_ok && load_ok && readiness_ok && !reports.is_empty();
    let mut said = Vec::new();
    if let Some(m) = rates.iter().find(|r| r.label == "MUST") {
        said.push(if m.passed == m.judged {
            format!(
                "passes all {} applicable MUST requirements of RFC 7643/7644",
                m.judged
            )
        } else {
            format!(
                "fails {} of {} applicable MUST requirements of RFC 7643/7644",
                m.judged - m.passed,
                m.judged
            )
        });
    }
    if replay.is_some_and(|r| r.status.is_complete()) {
        let ok = profiles.iter().filter(|p| p.ok).count();
        said.push(if ok == profiles.len() && !profiles.is_empty() {
            format!(
                "would provision from all {} IdP profiles replayed",
                profiles.len()
            )
        } else {
            format!(
                "would provision from {ok} of {} IdP profiles replayed",
                profiles.len()
            )
        });
    }
    if load.is_some_and(|r| r.status.is_complete()) {
        said.push(if load_ok {
            "held its load thresholds".to_string()
        } else {
            "missed its load thresholds or lost correctness under load".to_string()
        });
    }
    let mut headline = if said.is_empty() {
        "No test was run.".to_string()
    } else {
        let mut s = format!("This SCIM service {}", said.join(", "));
        if let Some(last) = s.rfind(", ") {
            s.replace_range(last..last + 2, " and ");
        }
        s + "."
    };
    if certify.is_some_and(|r| r.status.is_complete()) {
        let predicted = format!(
            "Predicted vendor review: {}.",
            reports
                .iter()
                .flat_map(|r| &r.readiness)
                .map(|x| format!("{} {}", x.title, x.state.headline()))
                .collect::<Vec<_>>()
                .join("; ")
        );
        headline = if said.is_empty() {
            predicted
        } else {
            format!("{headline} {predicted}")
        };
    }
    if let Some(r) = reports.iter().find(|r| !r.status.is_complete()) {
        let stopped = format!(
            "INCOMPLETE: the {} part was {}, so this certificate makes no claim about what did not run.",
            r.command,
            r.status.as_str()
        );
        headline = if said.is_empty() {
            stopped
        } else {
            format!("{stopped} {headline}")
        };
    }
    let command = match (check.is_some(), replay.is_some(), load.is_some()) {
        (true, true, _) => "run",
        (true, false, false) => "check",
        (false, true, false) => "replay",
        (false, false, true) => "load",
        (false, false, false) if certify.is_some() => "certify",
        _ => "run",
    };
    let head = |command: &str| {
        if embedded {
            format!("scimtest {command}")
        } else {
            format!("scimtest {command} --target {target} --token \"$TOKEN\"")
        }
    };
    let with = |mut line: String, options: &[String]| {
        for o in options {
            line.push(' ');
            line.push_str(o);
        }
        line
    };
    // `scimtest run` takes only some of its parts' options; a run whose parts were shaped by
    // others (`--only`, `--idp`, ...) is reproduced part by part.
    let run_takes = |o: &str| {
        ["--header ", "--second-token ", "--fail-on ", "--scenario "]
            .iter()
            .any(|p| o.starts_with(p))
            || o == "--strict"
    };
    let reproduce = if command == "run"
        && reports.len() > 1
        && !reports
            .iter()
            .all(|r| r.options.iter().all(|o| run_takes(o)))
    {
        reports
            .iter()
            .map(|r| with(head(&r.command), &r.options))
            .collect::<Vec<_>>()
            .join(" && ")
    } else {
        let mut options: Vec<String> = Vec::new();
        for r in reports {
            for o in &r.options {
                // `run` names the load scenario `--load`; the parts' other options are its own.
                let o = match o.strip_prefix("--scenario ") {
                    Some(rest) if command == "run" => format!("--load {rest}"),
                    _ => o.clone(),
                };
                if !options.contains(&o) {
                    options.push(o);
                }
            }
        }
        with(head(command), &options)
    };
    Certificate {
        date: started_at.get(..10).unwrap_or(&started_at).to_string(),
        tool_version: first
            .map(|r| r.tool_version.clone())
            .unwrap_or_else(|| env!("CARGO_PKG_VERSION").to_string()),
        catalogue_version: check.and_then(|c| c.catalogue_version.clone()),
        selection: check.and_then(selection),
        runs: reports
            .iter()
            .map(|r| (r.command.clone(), r.run_id.clone(), report_sha256(r)))
            .collect(),
        complete,
        target,
        embedded,
        started_at,
        rates,
        profiles,
        load: load_line,
        readiness,
        passed,
        headline,
        reproduce,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::json::sample::report;
    use crate::report::model::RunStatus;

    #[test]
    fn the_reproduce_line_repeats_the_options_and_part_by_part_when_run_cannot() {
        let mut check = report();
        check.options = vec!["--strict".into(), "--header 'X-Api-Key: …'".into()];
        let mut load = report();
        load.command = "load".into();
        load.options = vec!["--scenario gentle".into(), "--header 'X-Api-Key: …'".into()];
        let c = certificate(&[check.clone(), load]);
        assert_eq!(
            c.reproduce,
            "scimtest run --target https://idp.example/scim/v2 --token \"$TOKEN\" --strict --header 'X-Api-Key: …' --load gentle"
        );
        let mut replay = report();
        replay.command = "replay".into();
        replay.options = vec!["--idp okta".into()];
        check.options = vec!["--only 'patch.*'".into()];
        let c = certificate(&[check, replay]);
        assert_eq!(
            c.reproduce,
            "scimtest check --target https://idp.example/scim/v2 --token \"$TOKEN\" --only 'patch.*' \
             && scimtest replay --target https://idp.example/scim/v2 --token \"$TOKEN\" --idp okta"
        );
    }

    #[test]
    fn an_interrupted_part_makes_the_certificate_incomplete_and_claim_nothing() {
        let mut clean = report();
        clean.checks.retain(|x| x.outcome == Outcome::Pass);
        clean.profiles.clear();
        let mut replay = report();
        replay.command = "replay".into();
        for p in &mut replay.profiles {
            p.would_provision = true;
        }
        replay.checks.retain(|x| x.outcome == Outcome::Pass);
        replay.recount();
        clean.recount();
        let c = certificate(&[clean.clone(), replay.clone()]);
        assert!(c.passed && c.complete, "{}", c.headline);
        assert!(
            c.headline.contains("would provision from all"),
            "{}",
            c.headline
        );
        replay.status = RunStatus::Interrupted;
        let c = certificate(&[clean, replay]);
        assert!(!c.passed && !c.complete);
        assert!(
            c.headline
                .starts_with("INCOMPLETE: the replay part was interrupted"),
            "{}",
            c.headline
        );
        assert!(!c.headline.contains("would provision"), "{}", c.headline);
        assert!(c.profiles.iter().all(|p| !p.ok), "no profile is claimed");
    }

    #[test]
    fn checks_skipped_for_want_of_a_second_token_are_not_tested_not_not_applicable() {
        let mut r = report();
        let mut iso = r.checks[0].clone();
        iso.id = "isolation.read-by-id".into();
        iso.outcome = Outcome::Skip;
        iso.reason = "needs a second tenant's credential (--second-token)".into();
        r.checks.push(iso);
        let c = certificate(std::slice::from_ref(&r));
        let must = c.rates.iter().find(|x| x.label == "MUST");
        assert!(
            must.is_some_and(|m| m.not_tested == 1 && m.skipped == 0),
            "{:?}",
            c.rates
        );
        let sha = report_sha256(&r);
        assert_eq!(sha.len(), 64);
        assert!(c.runs.iter().any(|(_, _, h)| *h == sha));
    }

    #[test]
    fn a_certify_run_gets_one_block_per_programme_and_its_reproduce_line() {
        let r = crate::report::json::sample::certify_report();
        let c = certificate(std::slice::from_ref(&r));
        assert!(!c.passed, "the Entra gallery is not ready");
        let titles: Vec<&str> = c.readiness.iter().map(|p| p.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "Microsoft Entra app gallery readiness — not ready: 2 blockers",
                "Okta Integration Network readiness — ready for submission"
            ]
        );
        assert_eq!(
            c.headline,
            "Predicted vendor review: Microsoft Entra app gallery not ready; Okta Integration Network ready for submission."
        );
        let entra = &c.readiness[0];
        let verdicts: Vec<(&str, &str, &str)> = entra
            .tests
            .iter()
            .map(|t| (t.name.as_str(), t.category, t.label))
            .collect();
        assert_eq!(
            verdicts,
            [
                ("Create_User_Test", "mandatory", "PASSED"),
                ("Update_User_Test", "mandatory", "FAILED"),
                ("Delete_Group_Test", "optional", "WARNING"),
                ("Federated_Identity_Test", "mandatory", "SKIPPED"),
                ("Gallery_Throughput (scimtest)", "mandatory", "UNKNOWN"),
            ]
        );
        assert_eq!(
            c.reproduce,
            "scimtest certify --target https://idp.example/scim/v2 --token \"$TOKEN\" --for entra-gallery --for okta-oin"
        );
        assert!(c.rates.is_empty() && c.profiles.is_empty());
        // Both ready: passed.
        let mut ok = r.clone();
        ok.readiness.truncate(0);
        ok.readiness.push(r.readiness[1].clone());
        assert!(certificate(std::slice::from_ref(&ok)).passed);
        // Interrupted: INCOMPLETE, no prediction claimed.
        let mut stopped = r;
        stopped.status = RunStatus::Interrupted;
        let c = certificate(std::slice::from_ref(&stopped));
        assert!(!c.passed);
        assert!(
            c.headline
                .starts_with("INCOMPLETE: the certify part was interrupted"),
            "{}",
            c.headline
        );
        assert!(!c.headline.contains("Predicted"), "{}", c.headline);
    }

    #[test]
    fn the_certify_certificate_renders_in_both_formats() {
        let r = crate::report::json::sample::certify_report();
        let c = certificate(std::slice::from_ref(&r));
        let html = crate::report::html::certificate_html(&c).unwrap_or_else(|e| panic!("{e:#}"));
        let md = crate::report::html::certificate_md(&c).unwrap_or_else(|e| panic!("{e:#}"));
        let scope_html = crate::report::json::sample::ENTRA_SCOPE.replace('\'', "&#x27;");
        for (text, scope) in [
            (&html, scope_html.as_str()),
            (&md, crate::report::json::sample::ENTRA_SCOPE),
        ] {
            assert!(
                text.contains("Microsoft Entra app gallery readiness — not ready: 2 blockers"),
                "{text}"
            );
            assert!(text.contains("Okta Integration Network readiness — ready for submission"));
            assert!(text.contains(scope), "no scope sentence: {text}");
            assert!(
                text.contains("FAILED") && text.contains("WARNING") && text.contains("SKIPPED")
            );
            assert!(text.contains("--for entra-gallery --for okta-oin"));
            assert!(text.contains("st-c3f1"));
            assert!(!text.contains(crate::report::json::sample::TOKEN));
            // What a certify run did not measure is not claimed either way.
            assert!(!text.contains("Identity provider provisioning"));
            assert!(!text.contains("not checked in this run"));
        }
        assert!(
            md.contains("| Update\\_User\\_Test | mandatory | ❌ FAILED |"),
            "{md}"
        );
        assert!(md.contains("| Delete\\_Group\\_Test | optional | ⚠️ WARNING |"));
        assert!(html.contains(
            "<tr><td>Update_User_Test</td><td>mandatory</td><td class=\"no\">FAILED</td></tr>"
        ));
        let filters = vec![(r"\b[0-9a-f]{64}\b", "[sha256]")];
        insta::with_settings!({
            snapshot_path => "../../snapshots",
            prepend_module_to_snapshot => false,
            omit_expression => true,
            filters => filters,
        }, {
            insta::assert_snapshot!("certify.certificate.md", md);
            insta::assert_snapshot!("certify.certificate.html", html);
        });
    }

    #[test]
    fn a_failed_must_check_or_a_breaking_profile_is_not_passed() {
        let r = report();
        let c = certificate(std::slice::from_ref(&r));
        assert!(!c.passed);
        assert!(c.headline.contains("fails"), "{}", c.headline);
        let must = c.rates.iter().find(|x| x.label == "MUST");
        assert!(must.is_some_and(|m| m.judged == 3 && m.passed == 1));
        let mut clean = report();
        clean.checks.retain(|x| x.outcome == Outcome::Pass);
        clean.profiles.clear();
        let c = certificate(std::slice::from_ref(&clean));
        assert!(c.passed, "{}", c.headline);
        let mut replay = report();
        replay.command = "replay".into();
        let c = certificate(&[clean, replay]);
        assert!(!c.passed, "a profile breaks: {}", c.headline);
        assert!(
            c.headline.contains(" and would provision from 0 of 1"),
            "{}",
            c.headline
        );
        assert_eq!(
            c.reproduce,
            "scimtest run --target https://idp.example/scim/v2 --token \"$TOKEN\""
        );
    }
}
