//! The Entra gallery readiness is honest: against the clean provider every Entra test the
//! probes judge passes and nothing is left behind; under the provider fault each probe names,
//! that probe fails and the vendor test it judges flips to FAILED (WARNING when optional),
//! and Microsoft's overall rule then says "not ready".

use crate::check_catalogue::two_tenants;
use crate::support::*;
use scimtest::certify::entra;
use scimtest::certify::mapping::Mapping;
use scimtest::certify::probe::{EntraDialect, Settings};
use scimtest::client::{Client, Namespace, Redactor, TargetConfig};
use scimtest::conformance::model::{Check, Outcome, Proof};
use scimtest::conformance::runner::{self, RunOptions};
use scimtest::provider::Fault;
use scimtest::report::CheckReport;
use scimtest::report::readiness::{Category, ReadyState, TestVerdict};
use std::sync::Arc;

fn client(env: &Env) -> Client {
    let token = env.handle.token.clone();
    Client::new(
        TargetConfig::bearer(env.handle.base_url.clone(), &token),
        Redactor::new([token], []),
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

/// Run `probes` with `mapping` (Entra's defaults when None) restricted to the target's /Schemas,
/// as `certify` does.
async fn run(
    env: &Env,
    probes: Vec<Check>,
    mapping: Option<Mapping>,
    clean: bool,
) -> Vec<CheckReport> {
    run_in(env, probes, mapping, clean, EntraDialect::Default).await
}

/// [`run`] with the engine-driven tests in `dialect`.
async fn run_in(
    env: &Env,
    probes: Vec<Check>,
    mapping: Option<Mapping>,
    clean: bool,
    dialect: EntraDialect,
) -> Vec<CheckReport> {
    let c = client(env);
    let schemas = c.send("GET", "/Schemas", None, &[]).await;
    let declared = schemas
        .json
        .as_ref()
        .and_then(|b| b["Resources"].as_array().cloned())
        .unwrap_or_default();
    let mapping = mapping
        .unwrap_or_else(Mapping::entra_default)
        .restrict_to(&declared);
    let opts = RunOptions {
        extension: Some(Arc::new(Settings {
            entra_dialect: dialect,
            mapping,
            ..Settings::default()
        })),
        ..RunOptions::default()
    };
    let out = runner::run(c, Namespace::new(), probes, &opts, &|_r: &CheckReport| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // Under a fault that ignores DELETE, leftovers are the point; on a working target none.
    if clean {
        assert!(
            out.cleanup.leftovers.is_empty(),
            "{:?}",
            out.cleanup.leftovers
        );
    }
    out.checks
}

/// A vendor's mapping that maps `title` (for servers that do not serve it).
fn mapping_with_title() -> Mapping {
    Mapping::parse(
        "[[user]]\ntarget = \"userName\"\n[[user]]\ntarget = \"active\"\n[[user]]\ntarget = \"title\"\n[[group]]\ntarget = \"displayName\"\n",
        "vendor.toml",
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

/// A vendor's mapping file that keeps every one of Entra's default mappings.
fn vendor_took_the_defaults() -> Mapping {
    Mapping {
        is_default: false,
        ..Mapping::entra_default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_entra_probe_passes_against_the_clean_provider_and_cleans_up() {
    let env = two_tenants(&[]).await;
    let reports = run(&env, entra::probes(), None, true).await;
    let bad: Vec<String> = reports
        .iter()
        .filter(|c| c.outcome != Outcome::Pass && c.id != "certify.entra.validate-credentials")
        .map(|c| format!("{} {:?}: {}", c.id, c.outcome, c.reason))
        .collect();
    assert!(bad.is_empty(), "not passing:\n{}", bad.join("\n"));
    use scimtest::provider::store::Kind;
    let slot = env
        .handle
        .provider
        .authenticate(Some(&env.handle.token))
        .unwrap_or_else(|| panic!("token"));
    assert_eq!(env.handle.provider.count(slot, Kind::User), 0);
    assert_eq!(env.handle.provider.count(slot, Kind::Group), 0);
    let r = entra::readiness(&reports, "defaults", true, EntraDialect::Default);
    for t in &r.tests {
        if t.name.starts_with("Gallery_Throughput") {
            continue;
        }
        assert!(
            matches!(t.verdict, TestVerdict::Pass | TestVerdict::Skipped),
            "{}: {:?} {}",
            t.name,
            t.verdict,
            t.reason
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_entra_test_flips_under_the_fault_its_probe_names() {
    let mut not_flipping = Vec::new();
    for probe in entra::probes() {
        let Proof::Fault(fault) = probe.proof;
        // Validate_Credentials_Test is proven by the OAuth tests (a 5-minute token).
        if probe.id == "certify.entra.validate-credentials" {
            continue;
        }
        // The vendor's own mapping is what makes it fail: a vendor who maps title on a
        // server without title, or Entra's enterprise defaults on a server that does not serve
        // the extension (with Entra's defaults, undeclared attributes are left out).
        let mapping = match fault {
            Fault::MinimalUserSchema => Some(mapping_with_title()),
            Fault::SchemasIncomplete => Some(vendor_took_the_defaults()),
            _ => None,
        };
        let env = two_tenants(&[fault]).await;
        let reports = run(&env, vec![probe], mapping, false).await;
        let mine = reports.iter().find(|c| c.id == probe.id);
        if mine.map(|c| c.outcome) != Some(Outcome::Fail) {
            not_flipping.push(format!(
                "{} under --fault {}: {:?}",
                probe.id,
                fault.name(),
                mine.map(|c| (c.outcome, c.reason.clone()))
            ));
            continue;
        }
        let r = entra::readiness(&reports, "test", true, EntraDialect::Default);
        for t in r
            .tests
            .iter()
            .filter(|t| t.judged_by.iter().any(|b| b.id == probe.id))
        {
            let want = match t.category {
                Category::Mandatory => TestVerdict::Fail,
                Category::Optional => TestVerdict::Warning,
            };
            if t.verdict != want {
                not_flipping.push(format!(
                    "{} stays {:?} under {}",
                    t.name,
                    t.verdict,
                    fault.name()
                ));
            }
            if t.category == Category::Mandatory && r.state != ReadyState::NotReady {
                not_flipping.push(format!(
                    "{} failing leaves the readiness {:?}",
                    t.name, r.state
                ));
            }
        }
    }
    assert!(
        not_flipping.is_empty(),
        "Entra tests that do not flip:\n{}",
        not_flipping.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vendor_mapping_naming_an_undeclared_attribute_fails_schema_discoverability() {
    let env = two_tenants(&[Fault::MinimalUserSchema]).await;
    let probes: Vec<Check> = entra::probes()
        .into_iter()
        .filter(|c| c.id == "certify.entra.schema-discoverability")
        .collect();
    let reports = run(&env, probes.clone(), Some(mapping_with_title()), true).await;
    assert_eq!(reports[0].outcome, Outcome::Fail, "{}", reports[0].reason);
    assert!(reports[0].reason.contains("title"), "{}", reports[0].reason);
    // With Entra's defaults the undeclared attributes are left out, and said so.
    let reports = run(&env, probes, None, true).await;
    assert_eq!(reports[0].outcome, Outcome::Pass, "{}", reports[0].reason);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_groups_the_group_tests_fail_rather_than_skip() {
    // Groups are optional in the RFCs (no-groups is an allowed variant), but mandatory for the
    // gallery: Microsoft fails its group tests when /Schemas lacks the Group schema.
    let env = two_tenants(&[Fault::NoGroups]).await;
    let reports = run(&env, entra::probes(), None, true).await;
    let r = entra::readiness(&reports, "defaults", true, EntraDialect::Default);
    let verdict = |name: &str| {
        r.tests
            .iter()
            .find(|t| t.name == name)
            .map(|t| t.verdict)
            .unwrap_or_else(|| panic!("{name}"))
    };
    for name in [
        "Create_Group_Test",
        "Update_Group_Test",
        "Group_Update_Add_Member_Test",
        "Group_Update_Remove_Member_Test",
        "POD_Group_Test",
        "SCIM_Group_Create_Test",
        "SCIM_Group_Update_Test",
    ] {
        assert_eq!(verdict(name), TestVerdict::Fail, "{name}");
    }
    for name in ["Delete_Group_Test", "Restore_Group_Test"] {
        assert_eq!(verdict(name), TestVerdict::Warning, "{name}");
    }
    assert_eq!(verdict("SCIM_Group_Pagination_Test"), TestVerdict::Skipped);
    assert_eq!(verdict("Create_User_Test"), TestVerdict::Pass);
    assert_eq!(r.state, ReadyState::NotReady);
    assert!(
        r.blockers
            .iter()
            .any(|b| b.contains("Group provisioning is mandatory")
                || b.contains("group provisioning is mandatory")),
        "{:?}",
        r.blockers
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_engine_dialect_decides_what_a_strict_server_refuses() {
    // A server that takes only lower-case op names fails the engine-driven tests in Entra's
    // default dialect ("Replace") and passes them when the app carries aadOptscim062020.
    let env = two_tenants(&[Fault::PatchOpCaseSensitive]).await;
    let engine: Vec<Check> = entra::probes()
        .into_iter()
        .filter(|c| {
            matches!(
                c.id,
                "certify.entra.update-user"
                    | "certify.entra.disable-user"
                    | "certify.entra.group-remove-member"
            )
        })
        .collect();
    let default = run_in(&env, engine.clone(), None, true, EntraDialect::Default).await;
    assert!(
        default.iter().all(|c| c.outcome == Outcome::Fail),
        "{:?}",
        default
            .iter()
            .map(|c| (c.id.clone(), c.outcome))
            .collect::<Vec<_>>()
    );
    let flagged = run_in(&env, engine, None, true, EntraDialect::Aadoptscim062020).await;
    let bad: Vec<String> = flagged
        .iter()
        .filter(|c| c.outcome != Outcome::Pass)
        .map(|c| format!("{} {:?}: {}", c.id, c.outcome, c.reason))
        .collect();
    assert!(bad.is_empty(), "{bad:?}");
    let r = entra::readiness(&flagged, "defaults", true, EntraDialect::Aadoptscim062020);
    assert!(r.scope.contains("aadOptscim062020"), "{}", r.scope);
}
