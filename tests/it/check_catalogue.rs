//! The catalogue is honest: every check passes against the clean provider, fails against the
//! provider fault it names, and a run leaves nothing behind on the target; the one catalogue
//! lists load's correctness checks too, and docs/checks.md is its listing.

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

#[test]
fn the_listing_holds_every_load_correctness_check_with_its_fault() {
    use scimtest::report::catalogue::{ListFormat, RunsUnder, render};
    let entries = scimtest::catalogue::entries();
    assert_eq!(
        entries.len(),
        catalogue::all().len() + scimtest::load::correctness::CHECKS.len()
    );
    let json: serde_json::Value =
        serde_json::from_str(&render(&entries, ListFormat::Json)).unwrap_or_default();
    let md = render(&entries, ListFormat::Md);
    let text = render(&entries, ListFormat::Text);
    for spec in scimtest::load::correctness::CHECKS {
        let e = entries
            .iter()
            .find(|e| e.meta.id == spec.id)
            .unwrap_or_else(|| panic!("{} is not in the catalogue", spec.id));
        assert_eq!(e.meta, spec);
        assert_eq!(e.runs_under, RunsUnder::Load);
        assert!(
            scimtest::provider::Fault::named(spec.fault).is_some(),
            "{}: no fault {}",
            spec.id,
            spec.fault
        );
        let listed = json
            .as_array()
            .and_then(|a| a.iter().find(|v| v["id"] == spec.id))
            .unwrap_or_else(|| panic!("{} is not in the JSON listing", spec.id));
        assert_eq!(listed["fault"], spec.fault, "{}", spec.id);
        assert_eq!(listed["runs_under"], "load", "{}", spec.id);
        assert_eq!(listed["level"], spec.level.as_str(), "{}", spec.id);
        assert_eq!(listed["quote"]["text"], spec.quote.text, "{}", spec.id);
        assert!(
            md.lines()
                .any(|l| l.starts_with(&format!("| `{}` |", spec.id))
                    && l.contains(&format!("| `{}` | load |", spec.fault))),
            "{} is not in the Markdown listing with its fault",
            spec.id
        );
        assert!(
            text.contains(&format!("fault {}; runs under load", spec.fault)),
            "{}",
            spec.id
        );
    }
    // Every conformance check is listed with the fault its proof names.
    for c in catalogue::all() {
        let Proof::Fault(f) = c.proof;
        assert!(
            entries
                .iter()
                .any(|e| e.meta.id == c.id && e.meta.fault == f.name()),
            "{}",
            c.id
        );
    }
}

#[test]
fn docs_checks_md_is_the_listing_of_the_one_catalogue() {
    let generated = scimtest::report::catalogue::render(
        &scimtest::catalogue::entries(),
        scimtest::report::catalogue::ListFormat::Md,
    );
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/checks.md"))
        .unwrap_or_default();
    assert!(
        generated == committed,
        "docs/checks.md is out of date; regenerate it with\n  cargo run -q -- check --list --format md > docs/checks.md"
    );
}
