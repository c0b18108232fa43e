//! `scimtest certify` end to end, in process: the embedded provider is ready, a provider that
//! throttled at 15 requests/second fails the gallery's throughput requirement, a bad
//! mapping file or programme name is the user's error (exit 3 / 2) before anything runs, and a
//! run leaves nothing behind on the target.

use crate::support::cli::{code, error_of, run};
use crate::support::*;
use scimtest::provider::{Fault, Limits, ProviderConfig};
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
    // Whichever threshold goose saw breached first, the reason shows the throttling.
    assert!(throughput.reason.contains("(429)"), "{}", throughput.reason);
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

/// A provider with one OAuth client whose tokens live `lifetime`.
async fn oauth_provider(lifetime: std::time::Duration) -> Env {
    Env::with(ProviderConfig {
        oauth_clients: vec![scimtest::provider::OAuthClientSpec {
            id: "vendor-app".into(),
            secret: "vendor-secret-4711".into(),
        }],
        oauth_token_lifetime: lifetime,
        ..Default::default()
    })
    .await
}

async fn certify_entra_oauth(env: &Env, out: &std::path::Path) -> scimtest::cli::CmdResult {
    let token_url = env.handle.token_url.clone().unwrap_or_default();
    run(&[
        "certify",
        "--for",
        "entra-gallery",
        "--no-load",
        "--target",
        &env.handle.base_url,
        "--oauth-token-url",
        &token_url,
        "--client-id",
        "vendor-app",
        "--client-secret",
        "vendor-secret-4711",
        "--report-dir",
        out.to_str().unwrap_or_default(),
    ])
    .await
}

fn validate_credentials(report: &scimtest::report::RunReport) -> (TestVerdict, String) {
    report.readiness[0]
        .tests
        .iter()
        .find(|t| t.name == "Validate_Credentials_Test")
        .map(|t| (t.verdict, t.reason.clone()))
        .unwrap_or_else(|| panic!("no Validate_Credentials_Test"))
}

/// Every file under `dir`, as text.
fn all_text(dir: &std::path::Path) -> String {
    let mut s = String::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            s.push_str(&all_text(&p));
        } else if let Ok(t) = std::fs::read_to_string(&p) {
            s.push_str(&t);
        }
    }
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_five_minute_token_fails_validate_credentials_and_an_hour_passes() {
    let env = oauth_provider(std::time::Duration::from_secs(300)).await;
    let out = tmpdir("certify-5min").join("r");
    let outcome = certify_entra_oauth(&env, &out).await;
    assert_eq!(code(&outcome), 1, "{outcome:?}");
    let report = read_report(&out);
    let (verdict, reason) = validate_credentials(&report);
    assert_eq!(verdict, TestVerdict::Fail, "{reason}");
    assert!(
        reason.contains("300 s") && reason.contains("60 to 360"),
        "{reason}"
    );
    assert_eq!(report.readiness[0].state, ReadyState::NotReady);
    let text = all_text(&out);
    assert!(
        !text.contains("vendor-secret-4711"),
        "the client secret leaked into the reports"
    );
    assert!(
        !text.contains("--client-secret "),
        "the reproduce line shows --client-secret"
    );

    let env = oauth_provider(std::time::Duration::from_secs(3600)).await;
    let out = tmpdir("certify-60min").join("r");
    let outcome = certify_entra_oauth(&env, &out).await;
    let report = read_report(&out);
    let (verdict, reason) = validate_credentials(&report);
    assert_eq!(verdict, TestVerdict::Pass, "{reason}");
    // Without the load the throughput requirement has no verdict: incomplete, never ready.
    assert_eq!(report.readiness[0].state, ReadyState::Incomplete);
    assert_eq!(code(&outcome), 3);
    // The token request is evidence, with the secret and the token redacted.
    let probe = report
        .checks
        .iter()
        .find(|c| c.id == "certify.entra.validate-credentials")
        .unwrap_or_else(|| panic!("no probe"));
    let token_exchange = probe
        .evidence
        .iter()
        .find(|x| x.url.ends_with("/oauth/token"))
        .unwrap_or_else(|| panic!("no token exchange in the evidence"));
    let body = token_exchange.response_body.clone().unwrap_or_default();
    let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    assert_eq!(v["expires_in"], 3600, "{body}");
    assert!(!all_text(&out).contains("vendor-secret-4711"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_embedded_provider_is_ready_for_both_programmes() {
    let out = tmpdir("certify-embedded").join("r");
    let outcome = run(&["certify", "--report-dir", out.to_str().unwrap_or_default()]).await;
    let report = read_report(&out);
    for r in &report.readiness {
        let not_passing: Vec<String> = r
            .tests
            .iter()
            .filter(|t| !matches!(t.verdict, TestVerdict::Pass | TestVerdict::Skipped))
            .map(|t| format!("{} {:?}: {}", t.name, t.verdict, t.reason))
            .collect();
        assert_eq!(
            r.state,
            ReadyState::Ready,
            "{}: {not_passing:?} {:?}",
            r.program,
            r.blockers
        );
    }
    assert_eq!(report.readiness.len(), 2);
    assert_eq!(code(&outcome), 0);
    assert!(
        report.cleanup.leftovers.is_empty(),
        "{:?}",
        report.cleanup.leftovers
    );
    let junit = std::fs::read_to_string(out.join("junit.xml")).unwrap_or_default();
    assert!(
        junit.contains(r#"name="Create_User_Test""#)
            && junit.contains(r#"classname="entra-gallery""#)
    );
    let cert = std::fs::read_to_string(out.join("certificate.md")).unwrap_or_default();
    assert!(cert.contains("ready for submission"), "{cert}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configuration_mapping_undeclared_attributes_is_refused_before_any_test_runs() {
    // The provider does not declare the Contoso extension: its three attributes are listed
    // with their lines, exit 3, and no test request creates anything.
    let env = Env::start().await;
    let dir = tmpdir("certify-config-undeclared");
    let e = error_of(
        run(&[
            "certify",
            "--config",
            "examples/custom-extension.toml",
            "--target",
            &env.handle.base_url,
            "--token",
            &env.handle.token,
            "--report-dir",
            dir.join("r").to_str().unwrap_or_default(),
        ])
        .await,
    );
    assert_eq!(e.exit_code(), 3, "{}", e.message());
    let urn = "urn:ietf:params:scim:schemas:extension:Contoso:2.0:User";
    for (line, attr) in [
        (29, "costCenter"),
        (35, "badgeNumber"),
        (41, "remoteWorker"),
    ] {
        let want = format!(
            "examples/custom-extension.toml:{line}: mapping `{urn}:{attr}` → the server's schema {urn} has no `{attr}`"
        );
        assert!(
            e.message().lines().any(|l| l == want),
            "{want}\n{}",
            e.message()
        );
    }
    assert_eq!(e.message().lines().count(), 3, "{}", e.message());
    assert!(e.hint().is_some_and(|h| h.contains("/Schemas")));
    use scimtest::provider::store::Kind;
    let slot = env
        .handle
        .provider
        .authenticate(Some(&env.handle.token))
        .unwrap_or_else(|| panic!("token"));
    assert_eq!(env.handle.provider.count(slot, Kind::User), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_users_only_configuration_reports_the_group_tests_not_configured() {
    let out = tmpdir("certify-config-users-only").join("r");
    let outcome = run(&[
        "certify",
        "--config",
        "examples/users-only-crd.toml",
        "--report-dir",
        out.to_str().unwrap_or_default(),
    ])
    .await;
    let report = read_report(&out);
    let verdict = |program: &str, name: &str| {
        report
            .readiness
            .iter()
            .find(|r| r.program == program)
            .and_then(|r| r.tests.iter().find(|t| t.name == name))
            .map(|t| (t.verdict, t.reason.clone()))
            .unwrap_or_else(|| panic!("{program} {name}"))
    };
    for name in [
        "Create_Group_Test",
        "Update_Group_Test",
        "Delete_Group_Test",
        "Group_Update_Add_Member_Test",
        "POD_Group_Test",
        "SCIM_Group_Create_Test",
        "SCIM_Group_Pagination_Test",
    ] {
        let (v, why) = verdict("entra-gallery", name);
        assert_eq!(v, TestVerdict::Skipped, "{name}: {why}");
        assert!(why.starts_with("not configured: "), "{name}: {why}");
    }
    // Update is unticked: the engine's update test is not configured; the direct one runs.
    let (v, why) = verdict("entra-gallery", "Update_User_Test");
    assert_eq!(v, TestVerdict::Skipped, "{why}");
    assert!(why.contains("users.actions leaves out update"), "{why}");
    assert_eq!(
        verdict("entra-gallery", "SCIM_User_Update_Test").0,
        TestVerdict::Pass
    );
    assert_eq!(
        verdict("entra-gallery", "Create_User_Test").0,
        TestVerdict::Pass
    );
    assert_eq!(verdict("okta-oin", "Group Push").0, TestVerdict::Skipped);
    for r in &report.readiness {
        assert_eq!(
            r.state,
            ReadyState::Ready,
            "{}: {:?}",
            r.program,
            r.blockers
        );
    }
    assert_eq!(code(&outcome), 0);
    // Which configuration was judged: its path and the sha256 of its bytes.
    let bytes = std::fs::read("examples/users-only-crd.toml").unwrap_or_default();
    use sha2::Digest;
    let sha = format!("{:x}", sha2::Sha256::digest(&bytes));
    let entra = &report.readiness[0];
    let mapping = entra.mapping.as_deref().unwrap_or_default();
    assert!(
        mapping.contains("examples/users-only-crd.toml") && mapping.contains(&sha),
        "{mapping}"
    );
    assert!(
        entra
            .warnings
            .iter()
            .any(|w| w.contains("provisions no groups"))
    );
    assert!(
        report
            .options
            .contains(&"--config examples/users-only-crd.toml".to_string()),
        "{:?}",
        report.options
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_configuration_names_its_file_and_line() {
    let dir = tmpdir("certify-config-broken");
    let bad = dir.join("c.toml");
    std::fs::write(
        &bad,
        "format_version = 1\n[users]\nactions = [\"create\", \"purge\"]\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let shown = bad.to_str().unwrap_or_default();
    for option in ["--config", "--mapping"] {
        let e = error_of(
            run(&[
                "certify",
                option,
                shown,
                "--report-dir",
                dir.join("r").to_str().unwrap_or_default(),
            ])
            .await,
        );
        assert_eq!(e.exit_code(), 3, "{}", e.message());
        assert!(
            e.message().starts_with(&format!("{shown}:3: ")),
            "{}",
            e.message()
        );
        assert!(e.hint().is_some_and(|h| h.contains("docs/provisioning.md")));
    }
    assert!(!dir.join("r").join("report.json").exists());
    let e = error_of(
        run(&[
            "certify",
            "--config",
            "examples/users-only-crd.toml",
            "--mapping",
            "examples/users-only-crd.toml",
        ])
        .await,
    );
    assert_eq!(e.exit_code(), 2, "{}", e.message());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_up_front_check_passes_a_declared_mapping_and_fails_when_the_schema_drops_it() {
    let dir = tmpdir("certify-config-declared");
    let file = dir.join("c.toml");
    std::fs::write(
        &file,
        "[users]\n\
         [[users.mapping]]\ntarget = \"userName\"\n\
         [[users.mapping]]\ntarget = \"title\"\n\
         [[users.mapping]]\ntarget = \"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department\"\n\
         [groups]\nprovision = false\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let shown = file.to_str().unwrap_or_default();
    let certify = |env: &Env, out: &std::path::Path| {
        let args: Vec<String> = [
            "certify",
            "--for",
            "okta-oin",
            "--config",
            shown,
            "--target",
            &env.handle.base_url,
            "--token",
            &env.handle.token,
            "--report-dir",
            out.to_str().unwrap_or_default(),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        async move {
            let refs: Vec<&str> = args.iter().map(String::as_str).collect();
            run(&refs).await
        }
    };
    // Clean: every target is declared, the run goes on and writes its report.
    let clean = Env::start().await;
    let out = dir.join("clean");
    let outcome = certify(&clean, &out).await;
    assert_ne!(code(&outcome), 3, "{outcome:?}");
    assert!(out.join("report.json").exists());
    // No title on User, no enterprise extension: both listed, with their lines.
    let broken = Env::with_faults(&[Fault::MinimalUserSchema, Fault::SchemasIncomplete]).await;
    let e = error_of(certify(&broken, &dir.join("broken")).await);
    assert_eq!(e.exit_code(), 3, "{}", e.message());
    assert!(
        e.message().lines().any(|l| l
            == format!("{shown}:4: mapping `title` → the server's User schema has no `title`")),
        "{}",
        e.message()
    );
    assert!(
        e.message()
            .lines()
            .any(|l| l.starts_with(&format!("{shown}:6: mapping `urn:"))
                && l.ends_with("has no `department`")),
        "{}",
        e.message()
    );
    assert!(!dir.join("broken").join("report.json").exists());
}
