//! `scimtest certify` end to end, in process: the embedded provider is ready, a provider that
//! throttled at 15 requests/second fails the gallery's throughput requirement, a bad
//! mapping file or programme name is the user's error (exit 3 / 2) before anything runs, and a
//! run leaves nothing behind on the target.

use crate::support::cli::{code, error_of, run};
use crate::support::*;
use scimtest::provider::{Limits, ProviderConfig};
use scimtest::report::readiness::{ReadyState, TestVerdict};

fn tmpdir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!(
        "scimtest-it-{name}-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&d).unwrap_or_else(|e| panic!("{e}"));
    d
}

fn read_report(dir: &std::path::Path) -> scimtest::report::RunReport {
    let text = std::fs::read_to_string(dir.join("report.json")).unwrap_or_else(|e| panic!("{e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_throttled_below_25_per_second_fails_the_gallery_throughput() {
    let env = Env::with(ProviderConfig {
        limits: Limits {
            rate_limit_per_second: Some(15),
            ..Limits::default()
        },
        ..Default::default()
    })
    .await;
    let out = tmpdir("certify-throttled").join("r");
    let outcome = run(&[
        "certify",
        "--for",
        "entra-gallery",
        "--target",
        &env.handle.base_url,
        "--token",
        &env.handle.token,
        "--report-dir",
        out.to_str().unwrap_or_default(),
    ])
    .await;
    assert_eq!(code(&outcome), 1, "{outcome:?}");
    let report = read_report(&out);
    let entra = &report.readiness[0];
    assert_eq!(entra.state, ReadyState::NotReady);
    let throughput = entra
        .tests
        .iter()
        .find(|t| t.name.starts_with("Gallery_Throughput"))
        .unwrap_or_else(|| panic!("no throughput test"));
    assert_eq!(
        throughput.verdict,
        TestVerdict::Fail,
        "{}",
        throughput.reason
    );
    assert!(throughput.reason.contains("rps"), "{}", throughput.reason);
    // Nothing left behind (the run's own cleanup report, and the provider's store).
    assert!(
        report.cleanup.leftovers.is_empty(),
        "{:?}",
        report.cleanup.leftovers
    );
    use scimtest::provider::store::Kind;
    let slot = env
        .handle
        .provider
        .authenticate(Some(&env.handle.token))
        .unwrap_or_else(|| panic!("token"));
    assert_eq!(env.handle.provider.count(slot, Kind::User), 0);
    assert_eq!(env.handle.provider.count(slot, Kind::Group), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_mapping_file_or_programme_is_the_users_error() {
    let dir = tmpdir("certify-mapping");
    let bad = dir.join("m.toml");
    std::fs::write(&bad, "[[user]]\ntarget = \"title\"\n").unwrap_or_else(|e| panic!("{e}"));
    let e = error_of(
        run(&[
            "certify",
            "--mapping",
            bad.to_str().unwrap_or_default(),
            "--report-dir",
            dir.join("r").to_str().unwrap_or_default(),
        ])
        .await,
    );
    assert_eq!(e.exit_code(), 3);
    assert!(e.message().contains("userName"), "{}", e.message());
    assert!(!dir.join("r").join("report.json").exists());
    let e = error_of(run(&["certify", "--for", "entra"]).await);
    assert_eq!(e.exit_code(), 2, "{}", e.message());
    let missing = dir.join("nope.toml");
    let e = error_of(run(&["certify", "--mapping", missing.to_str().unwrap_or_default()]).await);
    assert_eq!(e.exit_code(), 3, "{}", e.message());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_names_every_vendor_test_and_what_judges_it() {
    let outcome = run(&["certify", "--list"]).await;
    assert_eq!(code(&outcome), 0);
    assert_eq!(scimtest::certify::entra::TESTS.len(), 26);
    let names: Vec<&str> = scimtest::certify::entra::TESTS
        .iter()
        .map(|t| t.name)
        .collect();
    for n in [
        "Create_User_Test",
        "SCIM_Null_Update_Test",
        "Validate_Credentials_Test",
        "Federated_Identity_Test",
    ] {
        assert!(names.contains(&n), "{n}");
    }
}
