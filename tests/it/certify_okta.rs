//! The Okta probes are honest: against the clean provider every one passes and Okta's rule
//! says ready; under the fault each probe names, that probe fails and the rule says not ready;
//! every run leaves nothing behind on the provider; and the steps cite only checks and flows
//! that exist.

use crate::support::Env;
use scimtest::certify::okta;
use scimtest::client::{Client, Namespace, Redactor, TargetConfig};
use scimtest::conformance::model::{Outcome, Proof};
use scimtest::conformance::runner::{self, RunOptions, RunOutput};
use scimtest::provider::Fault;
use scimtest::provider::store::Kind;
use scimtest::report::readiness::{ReadyState, TestVerdict};
use std::collections::BTreeMap;

/// Probes whose declared fault cannot make them fail, and why.
const NO_PROOF: &[(&str, &str)] = &[];

async fn run_okta(env: &Env) -> RunOutput {
    let token = env.handle.token.clone();
    let client = Client::new(
        TargetConfig::bearer(env.handle.base_url.clone(), &token),
        Redactor::new([token], []),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    runner::run(
        client,
        Namespace::new(),
        okta::probes(),
        &RunOptions::default(),
        &|_| {},
    )
    .await
    .unwrap_or_else(|e| panic!("run: {e}"))
}

/// The provider started empty and only the run wrote to it: no user and no group may remain
/// (so none whose name carries the run's prefix).
fn assert_nothing_left(env: &Env, what: &str) {
    let slot = env
        .handle
        .provider
        .authenticate(Some(&env.handle.token))
        .unwrap_or_else(|| panic!("token"));
    for kind in [Kind::User, Kind::Group] {
        assert_eq!(
            env.handle.provider.count(slot, kind),
            0,
            "{what}: {kind:?} resources left behind"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_okta_probe_passes_against_the_clean_provider() {
    let env = Env::start().await;
    let out = run_okta(&env).await;
    let bad: Vec<String> = out
        .checks
        .iter()
        .filter(|c| c.outcome != Outcome::Pass)
        .map(|c| format!("{} {:?}: {}", c.id, c.outcome, c.reason))
        .collect();
    assert!(
        bad.is_empty(),
        "Okta probes not passing on the clean provider:\n{}",
        bad.join("\n")
    );
    assert_eq!(out.checks.len(), okta::probes().len());
    let r = okta::readiness(&out.checks);
    assert_eq!(r.state, ReadyState::Ready, "{:?}", r.blockers);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    assert_eq!(r.tests.len(), okta::TESTS.len());
    assert!(
        out.cleanup.leftovers.is_empty(),
        "{:?}",
        out.cleanup.leftovers
    );
    assert_nothing_left(&env, "clean run");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_okta_probe_fails_under_the_fault_it_names() {
    let mut by_fault: BTreeMap<Fault, Vec<&'static str>> = BTreeMap::new();
    for c in okta::probes() {
        if NO_PROOF.iter().any(|(id, _)| *id == c.id) {
            continue;
        }
        let Proof::Fault(f) = c.proof;
        by_fault.entry(f).or_default().push(c.id);
    }
    let mut wrong = Vec::new();
    for (fault, ids) in by_fault {
        let env = Env::with_faults(&[fault]).await;
        let out = run_okta(&env).await;
        for id in &ids {
            match out.checks.iter().find(|c| c.id == *id) {
                Some(c) if c.outcome == Outcome::Fail => {}
                Some(c) => wrong.push(format!(
                    "{id} under --fault {}: {:?} {}",
                    fault.name(),
                    c.outcome,
                    c.reason
                )),
                None => wrong.push(format!("{id}: not run")),
            }
        }
        let r = okta::readiness(&out.checks);
        // Group Push is optional: its failure is a warning, as Okta's programme treats it.
        let mandatory = okta::TESTS.iter().any(|t| {
            t.category == scimtest::report::readiness::Category::Mandatory
                && t.judged_by.iter().any(|j| ids.contains(j))
        });
        if mandatory {
            if r.state != ReadyState::NotReady {
                wrong.push(format!(
                    "--fault {}: readiness {:?}, not NotReady",
                    fault.name(),
                    r.state
                ));
            }
        } else if !r.tests.iter().any(|t| t.verdict == TestVerdict::Warning) {
            wrong.push(format!(
                "--fault {}: the optional test's failure is no warning",
                fault.name()
            ));
        }
        assert_nothing_left(&env, fault.name());
    }
    assert!(
        wrong.is_empty(),
        "Okta probes that do not fail under their fault:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_steps_are_okta_s_in_order_and_every_probe_judges_one() {
    let names: Vec<&str> = okta::TESTS.iter().map(|t| t.name).collect();
    for (i, n) in names.iter().take(12).enumerate() {
        assert!(n.starts_with(&format!("SPEC {i}: ")), "{n}");
    }
    assert!(names[12..17].iter().all(|n| n.starts_with("CRUD ")));
    assert_eq!(names.last().copied(), Some("Group Push"));
    let ids: Vec<&str> = okta::probes().iter().map(|c| c.id).collect();
    for id in &ids {
        assert!(
            okta::TESTS.iter().any(|t| t.judged_by.contains(id)),
            "{id} judges no test"
        );
    }
    for t in okta::TESTS {
        for j in t.judged_by {
            assert!(ids.contains(j), "{}: no probe {j}", t.name);
        }
    }
}

#[test]
fn every_related_id_is_a_catalogue_check_or_a_replay_flow() {
    let mut known: Vec<String> = scimtest::conformance::catalogue::all()
        .iter()
        .map(|c| c.id.to_string())
        .collect();
    let flows = scimtest::replay::fixture::embedded().unwrap_or_else(|e| panic!("fixtures: {e}"));
    known.extend(
        flows
            .iter()
            .map(|f| format!("replay.{}.{}.{}", f.idp, f.profile, f.flow)),
    );
    for t in okta::TESTS {
        for r in t.related {
            assert!(
                known.iter().any(|k| k == r),
                "{}: unknown related {r}",
                t.name
            );
        }
    }
}
