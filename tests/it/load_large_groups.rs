//! The `large-groups-*` scenarios: the 1k one runs end to end against a provider, passes when
//! the provider keeps every member, and fails by its own read-back (`check-members`) when a
//! fault drops members, though every write answered 2xx.

use crate::support::cli;
use scimtest::provider::store::Kind;
use scimtest::provider::{Fault, Faults, ProviderConfig, ProviderHandle};

async fn run_1k(
    h: &ProviderHandle,
    name: &str,
) -> (Result<scimtest::cli::Verdict, String>, serde_json::Value) {
    let dir = std::env::temp_dir().join(format!("scimtest-it-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let dir_s = dir.display().to_string();
    let outcome = cli::run(&[
        "load",
        "--no-correctness",
        "--scenario",
        "large-groups-1k",
        "--target",
        &h.base_url,
        "--token",
        &h.token,
        "--report-dir",
        &dir_s,
    ])
    .await
    .map_err(|e| format!("{e:?}"));
    let text = std::fs::read_to_string(dir.join("report.json")).unwrap_or_else(|e| panic!("{e}"));
    let report = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    (outcome, report)
}

/// The report row of one request name.
fn row<'a>(report: &'a serde_json::Value, request: &str) -> &'a serde_json::Value {
    report["load"]["operations"]
        .as_array()
        .and_then(|ops| ops.iter().find(|o| o["op"] == request))
        .unwrap_or_else(|| panic!("no {request} row in {}", report["load"]["operations"]))
}

fn resources(h: &ProviderHandle) -> usize {
    let slot = h
        .provider
        .authenticate(Some(&h.token))
        .unwrap_or_else(|| panic!("token"));
    h.provider.count(slot, Kind::User) + h.provider.count(slot, Kind::Group)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_groups_1k_passes_when_every_member_is_kept() {
    let h = scimtest::provider::spawn(ProviderConfig::default())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (outcome, r) = run_1k(&h, "lg-clean").await;
    assert_eq!(outcome, Ok(scimtest::cli::Verdict::Passed), "{}", r["load"]);
    assert_eq!(r["load"]["errors"], 0, "{}", r["load"]);
    // Four read-backs per iteration, two iterations, each of them compared.
    let checks = row(&r, "GET /Groups/{id} check-members");
    assert_eq!(checks["requests"], 8, "{checks}");
    assert_eq!(row(&r, "PATCH /Groups/{id} replace")["requests"], 2);
    assert_eq!(
        row(&r, "GET /Groups/{id}?excludedAttributes=members")["requests"],
        10
    );
    assert_eq!(resources(&h), 0, "everything the run made is removed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_groups_1k_fails_by_read_back_when_an_add_drops_members() {
    // An add of members replaces the list: every PATCH answers 200, members are lost.
    let h = scimtest::provider::spawn(ProviderConfig {
        hooks: Faults::new([Fault::PatchAddReplacesMembers]).hooks(),
        ..ProviderConfig::default()
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let (outcome, r) = run_1k(&h, "lg-drop").await;
    assert_eq!(outcome, Ok(scimtest::cli::Verdict::Failed), "{}", r["load"]);
    let add = row(&r, "PATCH /Groups/{id} add");
    assert_eq!(add["errors"], 0, "the adds themselves answered 2xx: {add}");
    let checks = row(&r, "GET /Groups/{id} check-members");
    assert!(
        checks["errors"].as_u64().is_some_and(|n| n >= 1),
        "{checks}"
    );
    assert_eq!(resources(&h), 0, "a failed run still cleans up");
}
