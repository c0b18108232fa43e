//! The provisioning configurations under examples/ (docs/provisioning.md), replayed with
//! `replay --config`: the reference provider provisions under each; a provider fault that breaks
//! what a configuration relies on flips its verdict, and a fault in what it excludes does not.
//! Mistakes in the file, and mapped attributes the target does not declare, stop the run
//! before anything is sent.

use crate::support::cli;
use scimtest::provider::store::Kind;
use scimtest::provider::{Fault, Faults, ProviderConfig, ProviderHandle};
use serde_json::Value;

fn example(name: &str) -> String {
    format!("{}/examples/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn tmpdir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!(
        "scimtest-it-examples-{name}-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&d).unwrap_or_else(|e| panic!("{e}"));
    d
}

async fn provider(faults: &[Fault]) -> ProviderHandle {
    provider_declaring(faults, Vec::new()).await
}

/// A provider that also declares these User schema extensions.
async fn provider_declaring(faults: &[Fault], user_extensions: Vec<Value>) -> ProviderHandle {
    scimtest::provider::spawn(ProviderConfig {
        hooks: Faults::new(faults.iter().copied()).hooks(),
        user_extensions,
        ..ProviderConfig::default()
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"))
}

/// The extension documents of a configuration, as the embedded provider would declare them.
fn extensions_of(config: &str) -> Vec<Value> {
    let loaded =
        scimtest::cli::config::load(std::path::Path::new(config)).unwrap_or_else(|e| panic!("{e}"));
    scimtest::cli::config::embedded_extensions(&loaded.config)
}

/// `replay --config FILE` against a provider with `faults`: the exit code and the report.
async fn replay(config: &str, faults: &[Fault], extra: &[&str]) -> (i32, Value) {
    let h = provider(faults).await;
    let dir = tmpdir("replay");
    let d = dir.display().to_string();
    let mut args = vec![
        "replay",
        "--config",
        config,
        "--target",
        &h.base_url,
        "--token",
        &h.token,
        "--report-dir",
        &d,
        "-q",
    ];
    args.extend_from_slice(extra);
    let outcome = cli::run(&args).await;
    let code = cli::code(&outcome);
    let report = std::fs::read_to_string(dir.join("report.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    let slot = h.provider.authenticate(Some(&h.token));
    let left = slot.map_or(0, |s| {
        h.provider.count(s, Kind::User) + h.provider.count(s, Kind::Group)
    });
    // A server that ignores DELETE keeps what the cleanup removed (the report says so).
    if !faults.contains(&Fault::DeleteIgnored) {
        assert_eq!(left, 0, "the replay left resources behind");
    }
    (code, report)
}

fn verdicts(report: &Value) -> Vec<(String, String)> {
    report["profiles"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|p| {
                    (
                        format!(
                            "{}/{}",
                            p["idp"].as_str().unwrap_or(""),
                            p["profile"].as_str().unwrap_or("")
                        ),
                        p["verdict"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Every request the replay sent, as `METHOD path`.
fn requests(report: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for c in report["checks"].as_array().into_iter().flatten() {
        for e in c["evidence"].as_array().into_iter().flatten() {
            out.push(format!(
                "{} {}",
                e["method"].as_str().unwrap_or(""),
                e["url"].as_str().unwrap_or("")
            ));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_only_crd_provisions_and_sends_no_group_update_or_deactivation() {
    let (code, report) = replay(&example("users-only-crd.toml"), &[], &[]).await;
    assert_eq!(code, 0, "{:?}", verdicts(&report));
    for (p, v) in verdicts(&report) {
        assert!(p.starts_with("entra/"), "{p}");
        assert_eq!(v, "would provision with this configuration", "{p}");
    }
    let sent = requests(&report);
    assert!(!sent.is_empty());
    assert!(
        sent.iter()
            .all(|r| !r.contains("/Groups") && !r.starts_with("PATCH") && !r.starts_with("PUT")),
        "{sent:?}"
    );
    assert!(sent.iter().any(|r| r.starts_with("DELETE")), "{sent:?}");
    let flows = &report["profiles"][0]["flows"];
    let groups = flows
        .as_array()
        .and_then(|a| a.iter().find(|f| f["flow"] == "group-lifecycle"))
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(
        groups["not_configured"], "groups are not provisioned",
        "{flows}"
    );
    assert_eq!(groups["outcome"], "skip");
    let c = &report["configuration"];
    assert!(
        c["path"]
            .as_str()
            .is_some_and(|p| p.ends_with("users-only-crd.toml"))
    );
    assert_eq!(c["sha256"].as_str().map(str::len), Some(64));
    assert!(
        c["text"]
            .as_str()
            .is_some_and(|t| t.contains("provision = false"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_only_crd_breaks_on_an_ignored_delete_but_not_on_what_it_excludes() {
    let config = example("users-only-crd.toml");
    let (code, report) = replay(&config, &[Fault::DeleteIgnored], &[]).await;
    assert_eq!(code, 1);
    assert!(
        verdicts(&report)
            .iter()
            .all(|(_, v)| v.starts_with("would break at user-lifecycle")
                && v.contains("read-deleted-user")),
        "{:?}",
        verdicts(&report)
    );
    // No groups, ignored PATCHes: the configuration uses neither.
    for f in [Fault::NoGroups, Fault::PatchIgnored, Fault::ActiveIgnored] {
        let (code, report) = replay(&config, &[f], &[]).await;
        assert_eq!(code, 0, "{f:?}: {:?}", verdicts(&report));
    }
    // Without the configuration, the same servers break Entra's default flows.
    let h = provider(&[Fault::NoGroups]).await;
    let outcome = cli::run(&[
        "replay",
        "--idp",
        "entra",
        "--target",
        &h.base_url,
        "--token",
        &h.token,
        "-q",
    ])
    .await;
    assert_eq!(cli::code(&outcome), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_update_only_provisions_and_flips_on_ignored_membership_pushes() {
    let config = example("groups-update-only-scoped.toml");
    let (code, report) = replay(&config, &[], &[]).await;
    assert_eq!(code, 0, "{:?}", verdicts(&report));
    // The IdP never creates or deletes a group (the harness seeds the ones it updates).
    let sent = requests(&report);
    assert!(
        !sent
            .iter()
            .any(|r| r.starts_with("DELETE") && r.contains("/Groups/")),
        "{sent:?}"
    );
    let group_push = report["profiles"]
        .as_array()
        .and_then(|a| a.iter().find(|p| p["profile"] == "group-push"))
        .cloned()
        .unwrap_or(Value::Null);
    let left_out: Vec<String> = group_push["flows"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|f| f["left_out"].as_array().cloned().unwrap_or_default())
        .map(|l| l["step"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(
        left_out.contains(&"create-group-sales".to_string()),
        "{left_out:?}"
    );
    assert!(
        left_out.contains(&"unlink-and-delete-group".to_string()),
        "{left_out:?}"
    );
    let (code, report) = replay(&config, &[Fault::PatchIgnored], &[]).await;
    assert_eq!(code, 1);
    assert!(
        verdicts(&report)
            .iter()
            .any(|(p, v)| p == "okta/group-push" && v.starts_with("would break")),
        "{:?}",
        verdicts(&report)
    );
    let (code, report) = replay(&config, &[Fault::NoGroups], &[]).await;
    assert_eq!(code, 1, "{:?}", verdicts(&report));
    // Deletes are not configured: a server that ignores them does not change the verdict.
    let (code, report) = replay(&config, &[Fault::DeleteIgnored], &[]).await;
    assert_eq!(code, 0, "{:?}", verdicts(&report));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mapped_attributes_the_target_does_not_declare_stop_the_run_before_anything_is_sent() {
    let h = provider(&[]).await;
    let config = example("custom-extension.toml");
    let outcome = cli::run(&[
        "replay",
        "--config",
        &config,
        "--target",
        &h.base_url,
        "--token",
        &h.token,
        "-q",
    ])
    .await;
    assert_eq!(cli::code(&outcome), 3);
    let e = cli::error_of(outcome);
    let lines: Vec<&str> = e.message().lines().collect();
    assert_eq!(lines.len(), 3, "{}", e.message());
    for (l, attr) in lines
        .iter()
        .zip(["costCenter", "badgeNumber", "remoteWorker"])
    {
        assert!(
            l.contains("custom-extension.toml:") && l.ends_with(&format!("has no `{attr}`")),
            "{l}"
        );
    }
    assert!(e.hint().is_some_and(|h| h.contains("nothing was sent")));
    let slot = h
        .provider
        .authenticate(Some(&h.token))
        .unwrap_or_else(|| panic!("token"));
    assert_eq!(h.provider.count(slot, Kind::User), 0);
    // A standard attribute the server leaves out of its schema: the same, at its line.
    let dir = tmpdir("title");
    let file = dir.join("title.toml");
    std::fs::write(
        &file,
        "[users]\n\n[[users.mapping]]\nsource = \"jobTitle\"\ntarget = \"title\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let m = provider(&[Fault::MinimalUserSchema]).await;
    let f = file.display().to_string();
    let outcome = cli::run(&[
        "replay",
        "--config",
        &f,
        "--target",
        &m.base_url,
        "--token",
        &m.token,
        "-q",
    ])
    .await;
    let e = cli::error_of(outcome);
    assert_eq!(
        e.message(),
        format!("{f}:3: mapping `title` → the server's User schema has no `title`")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mistakes_in_the_file_name_their_line_and_contradictions_are_usage_errors() {
    let dir = tmpdir("bad");
    let file = dir.join("bad.toml");
    std::fs::write(
        &file,
        "idp = \"entra\"\n[users]\nactions = [\"create\", \"purge\"]\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let f = file.display().to_string();
    let outcome = cli::run(&["replay", "--config", &f]).await;
    assert_eq!(cli::code(&outcome), 3);
    let e = cli::error_of(outcome);
    assert!(
        e.message().starts_with(&format!("{f}:3: ")),
        "{}",
        e.message()
    );
    assert!(e.hint().is_some_and(|h| h.contains("docs/provisioning.md")));
    let outcome = cli::run(&[
        "replay",
        "--config",
        &example("users-only-crd.toml"),
        "--idp",
        "okta",
    ])
    .await;
    assert_eq!(cli::code(&outcome), 2);
    let e = cli::error_of(outcome);
    assert!(
        e.message().contains("configuration of entra"),
        "{}",
        e.message()
    );
    let outcome = cli::run(&["replay", "--config", "/nonexistent/scim.toml"]).await;
    assert_eq!(cli::code(&outcome), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_custom_extension_provisions_where_declared_and_breaks_where_its_values_are_dropped() {
    let config = example("custom-extension.toml");
    let urn = "urn:ietf:params:scim:schemas:extension:Contoso:2.0:User";
    // With no --target: the embedded provider declares the configured extension.
    let dir = tmpdir("embedded-ext");
    let d = dir.display().to_string();
    let outcome = cli::run(&["replay", "--config", &config, "--report-dir", &d, "-q"]).await;
    assert_eq!(cli::code(&outcome), 0, "{outcome:?}");
    // A server that declares it: the creates carry the three values under the URN.
    let exts = extensions_of(&config);
    assert_eq!(exts.len(), 1);
    let h = provider_declaring(&[], exts.clone()).await;
    let rdir = tmpdir("ext");
    let rd = rdir.display().to_string();
    let outcome = cli::run(&[
        "replay",
        "--config",
        &config,
        "--target",
        &h.base_url,
        "--token",
        &h.token,
        "--report-dir",
        &rd,
        "-q",
    ])
    .await;
    assert_eq!(cli::code(&outcome), 0, "{outcome:?}");
    let text = std::fs::read_to_string(rdir.join("report.json")).unwrap_or_default();
    assert!(
        text.contains("CC-4711") && text.contains(urn),
        "the extension was not sent"
    );
    // A server that answers 2xx and drops the extension's values breaks the configuration.
    let bad = provider_declaring(&[Fault::ExtensionDropped], exts).await;
    let outcome = cli::run(&[
        "replay",
        "--config",
        &config,
        "--target",
        &bad.base_url,
        "--token",
        &bad.token,
        "-q",
    ])
    .await;
    assert_eq!(cli::code(&outcome), 1, "{outcome:?}");
    // The same fault leaves a configuration without the extension alone.
    let plain = provider_declaring(&[Fault::ExtensionDropped], Vec::new()).await;
    let outcome = cli::run(&[
        "replay",
        "--config",
        &example("users-only-crd.toml"),
        "--target",
        &plain.base_url,
        "--token",
        &plain.token,
        "-q",
    ])
    .await;
    assert_eq!(cli::code(&outcome), 0, "{outcome:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profile_the_configuration_excludes_entirely_is_not_configured_and_not_counted() {
    let dir = tmpdir("okta-users-only");
    let file = dir.join("okta-users-only.toml");
    std::fs::write(&file, "idp = \"okta\"\n\n[groups]\nprovision = false\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let (code, report) = replay(&file.display().to_string(), &[Fault::NoGroups], &[]).await;
    assert_eq!(code, 0, "{:?}", verdicts(&report));
    let v = verdicts(&report);
    let push = v.iter().find(|(p, _)| p == "okta/group-push");
    assert_eq!(
        push.map(|(_, v)| v.as_str()),
        Some("not configured: groups are not provisioned"),
        "{v:?}"
    );
    assert!(
        v.iter()
            .filter(|(p, _)| p != "okta/group-push")
            .all(|(_, v)| v == "would provision with this configuration"),
        "{v:?}"
    );
    // The run's one-line verdict counts the profiles it replayed.
    let parsed: scimtest::report::RunReport =
        serde_json::from_value(report).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        parsed.profiles.iter().filter(|p| p.replayed()).count(),
        2,
        "{:?}",
        parsed
            .profiles
            .iter()
            .map(|p| &p.profile)
            .collect::<Vec<_>>()
    );
}
