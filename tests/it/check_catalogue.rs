//! The catalogue is honest: every check passes against the clean provider, fails against the
//! provider fault it names, and a run leaves nothing behind on the target.

use crate::support::*;
use scimtest::client::{Client, Namespace, Redactor, TargetConfig};
use scimtest::conformance::catalogue;
use scimtest::conformance::model::{Check, Outcome, Proof};
use scimtest::conformance::runner::{self, RunOptions};
use scimtest::provider::Fault;
use scimtest::report::CheckReport;
use std::collections::BTreeMap;

/// A provider with two tenants (the isolation checks need the second) and these faults.
pub async fn two_tenants(faults: &[Fault]) -> Env {
    Env::with(scimtest::provider::ProviderConfig {
        tokens: vec![
            "tenant-a-token".parse().unwrap_or_else(|e| panic!("{e}")),
            "tenant-b-token".parse().unwrap_or_else(|e| panic!("{e}")),
        ],
        hooks: scimtest::provider::Faults::new(faults.iter().copied()).hooks(),
        ..Default::default()
    })
    .await
}

pub async fn run_checks(env: &Env, checks: Vec<Check>) -> runner::RunOutput {
    let token = env.handle.token.clone();
    let client = Client::new(
        TargetConfig::bearer(env.handle.base_url.clone(), &token),
        Redactor::new([token], []),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    // With a second tenant on the provider, the isolation checks run as it.
    let second = env.handle.tokens.get(1).map(|t| {
        Client::new(
            TargetConfig::bearer(env.handle.base_url.clone(), t),
            Redactor::new([t.clone()], []),
        )
        .unwrap_or_else(|e| panic!("{e}"))
    });
    runner::run(
        client,
        Namespace::new(),
        checks,
        &RunOptions {
            second,
            ..RunOptions::default()
        },
        &|_r: &CheckReport| {},
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_check_passes_against_the_clean_provider_and_cleans_up() {
    let env = two_tenants(&[]).await;
    let out = run_checks(&env, catalogue::all()).await;
    let bad: Vec<String> = out
        .checks
        .iter()
        .filter(|c| c.outcome != Outcome::Pass)
        .map(|c| format!("{} {:?}: {}", c.id, c.outcome, c.reason))
        .collect();
    assert!(
        bad.is_empty(),
        "checks not passing on the clean provider:\n{}",
        bad.join("\n")
    );
    assert!(
        out.cleanup.leftovers.is_empty(),
        "{:?}",
        out.cleanup.leftovers
    );
    use scimtest::provider::store::Kind;
    for token in &env.handle.tokens {
        let slot = env
            .handle
            .provider
            .authenticate(Some(token))
            .unwrap_or_else(|| panic!("token"));
        assert_eq!(
            env.handle.provider.count(slot, Kind::User),
            0,
            "users left behind"
        );
        assert_eq!(
            env.handle.provider.count(slot, Kind::Group),
            0,
            "groups left behind"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_check_fails_under_the_fault_it_names() {
    let mut by_fault: BTreeMap<Fault, Vec<Check>> = BTreeMap::new();
    for c in catalogue::all() {
        let Proof::Fault(f) = c.proof;
        by_fault.entry(f).or_default().push(c);
    }
    let mut not_failing = Vec::new();
    for (fault, checks) in by_fault {
        let env = two_tenants(&[fault]).await;
        let out = run_checks(&env, checks).await;
        for c in out.checks {
            if c.outcome != Outcome::Fail {
                not_failing.push(format!(
                    "{} under --fault {}: {:?} {}",
                    c.id,
                    fault.name(),
                    c.outcome,
                    c.reason
                ));
            }
        }
    }
    assert!(
        not_failing.is_empty(),
        "checks that do not fail under their fault:\n{}",
        not_failing.join("\n")
    );
}
