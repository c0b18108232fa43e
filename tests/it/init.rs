//! `scimtest init` end to end: the starter configuration it writes from a live target parses,
//! maps only what the target declares, follows the target's resource types (`no-groups`) and
//! schemas (`minimal-user-schema`), says what the SPC rules out (`spc-understates`); a rejected
//! token and an existing `--output` file are one-line mistakes.

use crate::support::Env;
use crate::support::cli;
use scimtest::provider::Fault;
use scimtest::scim::provisioning::{self, ObjectKind, ProvisioningConfig};
use serde_json::Value;
use std::process::{Command, Output};

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";

fn tmpdir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!(
        "scimtest-it-init-{name}-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&d).unwrap_or_else(|e| panic!("{e}"));
    d
}

fn bin(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scimtest"))
        .args(args)
        .env_remove("SCIMTEST_TOKEN")
        .output()
        .unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

/// `scimtest init --target <env> [extra]` in process; the file it wrote.
async fn init(env: &Env, extra: &[&str]) -> String {
    let out = tmpdir("out").join("scim.toml");
    let out_s = out.display().to_string();
    let token = env.handle.token.clone();
    let mut args = vec![
        "init",
        "--target",
        &env.handle.base_url,
        "--token",
        &token,
        "--output",
        &out_s,
    ];
    args.extend(extra);
    let outcome = cli::run(&args).await;
    assert_eq!(cli::code(&outcome), 0, "{outcome:?}");
    std::fs::read_to_string(&out).unwrap_or_else(|e| panic!("{e}"))
}

fn parse(text: &str) -> ProvisioningConfig {
    provisioning::parse(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// Every commented-out mapping uncommented.
fn uncommented(text: &str) -> String {
    text.lines()
        .map(|l| {
            let t = l.strip_prefix("# ").unwrap_or(l);
            if t.starts_with("[[") || t.starts_with("target =") || t.starts_with("type =") {
                t
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The resources of the target's /Schemas.
async fn schemas(env: &Env) -> Vec<Value> {
    let r = env.get("/Schemas").await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json["Resources"].as_array().cloned().unwrap_or_default()
}

fn named<'a>(list: &'a Value, name: &str) -> Option<&'a Value> {
    list.as_array()?.iter().find(|a| {
        a["name"]
            .as_str()
            .is_some_and(|n| n.eq_ignore_ascii_case(name))
    })
}

/// `declares` for `provisioning::undeclared`, answered from /Schemas (externalId is a common
/// attribute, RFC 7643 §3.1).
fn declares(
    schemas: &[Value],
) -> impl Fn(ObjectKind, Option<&str>, &str, Option<&str>) -> bool + '_ {
    move |kind, urn, attr, sub| {
        if urn.is_none() && sub.is_none() && attr.eq_ignore_ascii_case("externalId") {
            return true;
        }
        let core = match kind {
            ObjectKind::User => USER,
            ObjectKind::Group => GROUP,
        };
        let Some(schema) = schemas
            .iter()
            .find(|s| s["id"].as_str() == Some(urn.unwrap_or(core)))
        else {
            return false;
        };
        let Some(a) = named(&schema["attributes"], attr) else {
            return false;
        };
        sub.is_none_or(|s| named(&a["subAttributes"], s).is_some())
    }
}

fn live_targets(c: &ProvisioningConfig) -> Vec<String> {
    c.users.mappings.iter().map(|m| m.target.clone()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn init_against_the_embedded_provider_declares_every_target_it_maps() {
    let out = tmpdir("embedded").join("scim.toml");
    let outcome = cli::run(&["init", "--output", &out.display().to_string()]).await;
    assert_eq!(cli::code(&outcome), 0, "{outcome:?}");
    let text = std::fs::read_to_string(&out).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        text.starts_with("# scimtest provisioning configuration"),
        "{text}"
    );
    assert!(text.contains("scimtest replay --config FILE"), "{text}");
    let c = parse(&text);
    assert_eq!(c.idp.as_deref(), Some("entra"));
    assert!(c.groups.provision, "the provider has groups");
    assert!(c.users.mappings.len() >= 10, "{text}");
    assert!(!c.groups.mappings.is_empty(), "{text}");
    // The embedded provider's /Schemas, from a provider of the same build.
    let env = Env::start().await;
    let schemas = schemas(&env).await;
    let bad = provisioning::undeclared(&c, declares(&schemas));
    assert!(bad.is_empty(), "{bad:?}\n{text}");
    // What is commented out is declared too, and parses once uncommented.
    let all = parse(&uncommented(&text));
    assert!(all.users.mappings.len() > c.users.mappings.len(), "{text}");
    let bad = provisioning::undeclared(&all, declares(&schemas));
    assert!(bad.is_empty(), "{bad:?}");
    // Read-only and secret attributes are never mapped.
    for never in ["\"id\"", "\"meta", "\"groups", "password"] {
        assert!(
            !text.contains(&format!("target = {never}")),
            "{never}:\n{text}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_without_a_group_resource_type_gets_users_only() {
    let clean = parse(&init(&Env::start().await, &[]).await);
    assert!(clean.groups.provision);
    let text = init(&Env::with_faults(&[Fault::NoGroups]).await, &[]).await;
    let c = parse(&text);
    assert!(!c.groups.provision, "{text}");
    assert!(c.groups.mappings.is_empty(), "{text}");
    assert!(text.contains("no Group resource type"), "{text}");
    assert!(c.users.provision && !c.users.mappings.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attributes_a_minimal_user_schema_lacks_are_not_mapped() {
    let dropped = ["title", "nickName", "profileUrl", "addresses"];
    let maps = |text: &str, attr: &str| {
        text.lines().any(|l| {
            let t = l.trim_start_matches("# ");
            t.starts_with(&format!("target = \"{attr}\""))
                || t.starts_with(&format!("target = \"{attr}["))
                || t.starts_with(&format!("target = \"{attr}."))
        })
    };
    let clean = init(&Env::start().await, &[]).await;
    for a in dropped {
        assert!(maps(&clean, a), "the clean provider declares {a}:\n{clean}");
    }
    assert!(live_targets(&parse(&clean)).contains(&"title".to_string()));

    let env = Env::with_faults(&[Fault::MinimalUserSchema]).await;
    let text = init(&env, &[]).await;
    for a in dropped {
        assert!(!maps(&text, a), "{a} is mapped:\n{text}");
    }
    let c = parse(&uncommented(&text));
    let bad = provisioning::undeclared(&c, declares(&schemas(&env).await));
    assert!(bad.is_empty(), "{bad:?}");
    // Entra's default mapping has title: the file says to take it out of the app too.
    assert!(
        text.contains("Entra's default mapping also has title"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_the_spc_rules_out_is_said_and_a_bare_resource_types_array_is_read() {
    let text = init(
        &Env::with_faults(&[Fault::SpcUnderstates]).await,
        &["--idp", "okta"],
    )
    .await;
    assert!(text.contains("patch.supported = false"), "{text}");
    assert!(
        text.contains("oin ("),
        "Okta's OIN flows send PATCH:\n{text}"
    );
    assert_eq!(parse(&text).idp.as_deref(), Some("okta"));
    let clean = init(&Env::start().await, &[]).await;
    assert!(!clean.contains("patch.supported"), "{clean}");

    let text = init(
        &Env::with_faults(&[Fault::ResourceTypesUnwrapped]).await,
        &[],
    )
    .await;
    let c = parse(&text);
    assert!(c.groups.provision, "{text}");
    assert!(!text.contains("Could not read"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_extension_the_schemas_leave_out_is_said_not_mapped() {
    let env = Env::with_faults(&[Fault::SchemasIncomplete]).await;
    let text = init(&env, &[]).await;
    let c = parse(&uncommented(&text));
    assert!(
        !c.users
            .mappings
            .iter()
            .any(|m| m.target.starts_with("urn:")),
        "{text}"
    );
    assert!(text.contains("/Schemas does not define it"), "{text}");
}

#[test]
fn a_rejected_token_is_one_line_exit_3() {
    let rt = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
    let env = rt.block_on(Env::start());
    let o = bin(&[
        "init",
        "--target",
        &env.handle.base_url,
        "--token",
        "not-the-token",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(o.stdout.is_empty(), "nothing on stdout");
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{err}");
    assert!(errors[0].contains("--token"), "{err}");
    assert!(!err.contains("not-the-token"), "{err}");
    drop(env);
}

#[test]
fn an_existing_output_file_is_kept_unless_force() {
    let dir = tmpdir("force");
    let f = dir.join("scim.toml");
    std::fs::write(&f, "keep me\n").unwrap_or_else(|e| panic!("{e}"));
    let path = f.display().to_string();
    let o = bin(&["init", "--output", &path]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 2, "one line and a hint: {err}");
    assert!(
        lines[0].starts_with("error:") && lines[0].contains("exists"),
        "{err}"
    );
    assert!(lines[1].contains("--force"), "{err}");
    assert_eq!(std::fs::read_to_string(&f).unwrap_or_default(), "keep me\n");

    let o = bin(&["init", "--output", &path, "--force", "--idp", "onelogin"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = std::fs::read_to_string(&f).unwrap_or_default();
    assert_eq!(parse(&text).idp.as_deref(), Some("onelogin"));
}

#[test]
fn the_file_goes_to_stdout_by_default_and_clap_mistakes_are_one_line() {
    let o = bin(&["init", "--idp", "google"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(parse(&text).idp.as_deref(), Some("google"));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("written to stdout"), "{err}");

    let o = bin(&["init", "--idp", "otka"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("error:")).count(),
        1,
        "{err}"
    );
    assert!(lines.len() <= 2, "{err}");
    assert!(err.contains("okta"), "{err}");
}
