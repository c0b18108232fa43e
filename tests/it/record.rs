//! `scimtest record`: every embedded fixture replayed through the recording proxy gives a
//! recorded fixture that follows the published format and rules, and that replays green
//! against a fresh provider; credentials and passwords never reach the file; the proxy
//! forwards faithfully and reports a dead upstream; the binary writes the file as it goes and
//! exits 0 on SIGINT.

use crate::fixtures_format::{secret_problems, variable_problems};
use crate::support::Env;
use scimtest::client::{Client, Namespace, Redactor, TargetConfig};
use scimtest::provider::store::Kind;
use scimtest::replay::fixture::{self, Fixture};
use scimtest::replay::record::{self, RecordConfig, RecordMeta, RecorderHandle};
use scimtest::replay::{self as replay_mod};
use scimtest::report::model::Outcome;
use serde_json::{Value, json};

fn client(base_url: &str, token: &str) -> Client {
    let cfg = TargetConfig {
        timeout: std::time::Duration::from_secs(10),
        ..TargetConfig::bearer(base_url, token)
    };
    Client::new(cfg, Redactor::new([token.to_string()], [])).unwrap_or_else(|e| panic!("{e}"))
}

fn left_on(env: &Env) -> usize {
    let slot = env
        .handle
        .provider
        .authenticate(Some(&env.handle.token))
        .unwrap_or_else(|| panic!("token"));
    env.handle.provider.count(slot, Kind::User) + env.handle.provider.count(slot, Kind::Group)
}

async fn recorder(upstream: &str, idp: &str, profile: &str, flow: &str) -> RecorderHandle {
    let listen = "127.0.0.1:0".parse().unwrap_or_else(|e| panic!("{e}"));
    let meta = RecordMeta::new(idp, profile, flow, upstream);
    record::spawn(RecordConfig::new(listen, upstream, meta))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Every rule a committed fixture must satisfy; empty when the text is a good fixture.
fn format_problems(text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    if let Err(e) = Fixture::parse(text, "recorded.json") {
        problems.push(e.to_string());
    }
    let json: Value = serde_json::from_str(text).unwrap_or_default();
    let schema: Value = serde_json::from_str(include_str!("../../fixtures/idp.schema.json"))
        .unwrap_or_else(|e| panic!("{e}"));
    let validator = jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{e}"));
    for e in validator.iter_errors(&json).take(10) {
        problems.push(format!("schema: {}: {e}", e.instance_path()));
    }
    problems.extend(variable_problems(&json));
    problems.extend(secret_problems(text, &json));
    problems
}

#[tokio::test]
async fn every_embedded_fixture_recorded_through_the_proxy_replays_green_on_a_fresh_provider() {
    let all = fixture::embedded().unwrap_or_else(|e| panic!("{e}"));
    assert!(all.len() >= 20, "{} fixtures", all.len());
    for fx in all {
        let key = fx.key();
        // 1. Replay the original through the recorder in front of provider A.
        let a = Env::start().await;
        let rec = recorder(&a.handle.base_url, &fx.idp, &fx.profile, &fx.flow).await;
        let through = client(&rec.base_url, &a.handle.token);
        let out = replay_mod::run(through, Namespace::new(), vec![fx.clone()], 1, &|_| {}).await;
        assert_eq!(
            out.flows[0].outcome,
            Outcome::Pass,
            "{key} through the proxy"
        );
        let stats = rec.stats();
        let recorded = rec.finish().await;
        assert_eq!(stats.unanswered, 0, "{key}");
        assert!(
            recorded.steps.len() >= fx.steps.len(),
            "{key}: {} recorded steps for {} sent",
            recorded.steps.len(),
            fx.steps.len()
        );
        assert_eq!(left_on(&a), 0, "{key}: provider A keeps resources");
        // 2. The recorded file follows the format and carries no credential.
        let text = serde_json::to_string_pretty(&recorded).unwrap_or_else(|e| panic!("{e}"));
        let problems = format_problems(&text);
        assert!(
            problems.is_empty(),
            "{key}:\n{}\n{text}",
            problems.join("\n")
        );
        assert!(!text.contains(&a.handle.token), "{key}: token in the file");
        assert!(!text.contains("Bearer"), "{key}");
        // Something was actually rewritten: created resources are addressed by variable.
        if fx.steps.iter().any(|s| !s.capture.is_empty()) {
            assert!(text.contains(".id}}"), "{key}: no id variable\n{text}");
        }
        // 3. Replay the recorded fixture against a fresh provider B: same verdict.
        let b = Env::start().await;
        let out = replay_mod::run(
            client(&b.handle.base_url, &b.handle.token),
            Namespace::new(),
            vec![recorded],
            1,
            &|_| {},
        )
        .await;
        let v = replay_mod::profile_verdicts(&out.flows);
        assert!(
            v.iter().all(|p| p.would_provision),
            "{key}: recorded fixture breaks: {:?}",
            v.iter().map(|p| &p.verdict).collect::<Vec<_>>()
        );
        assert!(out.cleanup.leftovers.is_empty(), "{key}: {:?}", out.cleanup);
        assert_eq!(left_on(&b), 0, "{key}: provider B keeps resources");
    }
}

#[tokio::test]
async fn the_recorded_file_has_no_token_no_bearer_and_no_password() {
    let env = Env::start().await;
    let rec = recorder(&env.handle.base_url, "okta", "recorded", "user-lifecycle").await;
    let http = reqwest::Client::new();
    let auth = format!("Bearer {}", env.handle.token);
    let created = http
        .post(format!("{}/Users", rec.base_url))
        .header("Authorization", &auth)
        .header("Content-Type", "application/scim+json")
        .header("X-Tenant-Secret", env.handle.token.as_str())
        .body(
            json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "userName": "carol@example.org",
                "password": "Pa55-w0rd-never-recorded",
                "active": true
            })
            .to_string(),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(created.status(), 201);
    assert_eq!(
        created
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/scim+json"),
        "the upstream's headers come back"
    );
    let body: Value = created.json().await.unwrap_or_default();
    let id = body["id"].as_str().unwrap_or_default().to_string();
    assert!(!id.is_empty());
    let got = http
        .get(format!("{}/Users/{id}", rec.base_url))
        .header("Authorization", &auth)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(got.status(), 200);
    let fx = rec.finish().await;
    let text = serde_json::to_string_pretty(&fx).unwrap_or_default();
    assert!(format_problems(&text).is_empty(), "{text}");
    for bad in [
        env.handle.token.as_str(),
        "Bearer",
        "Pa55-w0rd-never-recorded",
        "password\"",
    ] {
        assert!(!text.contains(bad), "{bad:?} in\n{text}");
    }
    assert_eq!(fx.steps.len(), 2);
    assert_eq!(fx.steps[1].request.path, "/Users/{{user1.id}}");
    assert_eq!(
        fx.cleanup.len(),
        1,
        "carol is still there: a synthetic DELETE removes her"
    );
    // The proxy forwarded the credentials: the provider created carol in the token's tenant.
    assert_eq!(left_on(&env), 1);
}

#[tokio::test]
async fn a_dead_upstream_is_a_502_that_is_counted_not_recorded() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"));
    let rec = recorder(
        &format!("http://127.0.0.1:{port}/scim/v2"),
        "entra",
        "recorded",
        "connection",
    )
    .await;
    let r = reqwest::get(format!("{}/Users?filter=userName+eq+%22x%22", rec.base_url))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), 502);
    let big = vec![b'x'; record::MAX_BODY_BYTES + 1];
    let r = reqwest::Client::new()
        .post(format!("{}/Users", rec.base_url))
        .body(big)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), 413);
    assert_eq!(rec.stats().unanswered, 2);
    assert_eq!(rec.stats().recorded, 0);
    assert!(rec.finish().await.steps.is_empty());
}

mod binary {
    use super::*;
    use tokio::io::{AsyncBufReadExt, BufReader};

    fn bin() -> tokio::process::Command {
        tokio::process::Command::new(env!("CARGO_BIN_EXE_scimtest"))
    }

    #[tokio::test]
    async fn record_writes_as_it_goes_and_exits_0_on_sigint() {
        let env = Env::start().await;
        let dir = std::env::temp_dir().join(format!("scimtest-record-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let out = dir.join("full-sync.json");
        let mut child = bin()
            .args(["record", "--listen", "127.0.0.1:0", "--upstream"])
            .arg(&env.handle.base_url)
            .arg("--out")
            .arg(&out)
            .args([
                "--idp",
                "onelogin",
                "--profile",
                "mine",
                "--title",
                "My capture",
            ])
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("{e}"));
        let stderr = child.stderr.take().unwrap_or_else(|| panic!("stderr"));
        let mut lines = BufReader::new(stderr).lines();
        let first = tokio::time::timeout(std::time::Duration::from_secs(20), lines.next_line())
            .await
            .unwrap_or_else(|_| panic!("no start-up line"))
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_default();
        let base = first
            .split_whitespace()
            .find(|w| w.starts_with("http://127.0.0.1:"))
            .unwrap_or_else(|| panic!("no listen URL in {first:?}"))
            .to_string();
        let http = reqwest::Client::new();
        let auth = format!("Bearer {}", env.handle.token);
        let r = http
            .post(format!("{base}/Groups"))
            .header("Authorization", &auth)
            .header("Content-Type", "application/scim+json")
            .body(
                json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Ops"})
                    .to_string(),
            )
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.status(), 201);
        let id = r.json::<Value>().await.unwrap_or_default()["id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let r = http
            .delete(format!("{base}/Groups/{id}"))
            .header("Authorization", &auth)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.status(), 204);
        // The file follows the exchanges, before any signal.
        let mut steps = 0;
        for _ in 0..100 {
            let text = std::fs::read_to_string(&out).unwrap_or_default();
            steps = Fixture::parse(&text, "out")
                .map(|f| f.steps.len())
                .unwrap_or(0);
            if steps == 2 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(steps, 2, "the file is written after every exchange");
        let pid = child.id().unwrap_or_else(|| panic!("pid")).to_string();
        let killed = std::process::Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(killed.success());
        let status = tokio::time::timeout(std::time::Duration::from_secs(20), child.wait())
            .await
            .unwrap_or_else(|_| panic!("record did not stop on SIGINT"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(status.code(), Some(0));
        let text = std::fs::read_to_string(&out).unwrap_or_else(|e| panic!("{e}"));
        assert!(format_problems(&text).is_empty(), "{text}");
        let fx = Fixture::parse(&text, "out").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (fx.idp.as_str(), fx.profile.as_str(), fx.flow.as_str()),
            ("onelogin", "mine", "full-sync")
        );
        assert_eq!(fx.title, "My capture");
        assert_eq!(fx.steps[1].request.path, "/Groups/{{group1.id}}");
        assert!(fx.cleanup.is_empty(), "the group was deleted by the IdP");
        assert!(!text.contains(&env.handle.token));
        let leftovers: Vec<_> = std::fs::read_dir(&dir)
            .map(|d| d.filter_map(Result::ok).map(|e| e.file_name()).collect())
            .unwrap_or_default();
        assert_eq!(leftovers.len(), 1, "temp files left: {leftovers:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn unwritable_out_exits_3_before_listening() {
        // A path under a regular file: no directory can be created there, not even by root.
        let file =
            std::env::temp_dir().join(format!("scimtest-rec-{}", uuid::Uuid::new_v4().simple()));
        std::fs::write(&file, b"x").unwrap_or_else(|e| panic!("{e}"));
        let unwritable = file.join("x.json").display().to_string();
        let out = bin()
            .args([
                "record",
                "--listen",
                "127.0.0.1:0",
                "--upstream",
                "http://127.0.0.1:9/scim/v2",
                "--out",
                &unwritable,
                "--idp",
                "entra",
            ])
            .output()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(out.status.code(), Some(3));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            (err.contains("not writable") || err.contains("cannot create"))
                && !err.contains("listening"),
            "{err}"
        );
    }
}

/// A bad upstream URL and an unknown IdP are refused in process (parsed by clap, run by the
/// library), bounded: `record` runs until interrupted once it listens.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_upstream_exits_3_and_an_unknown_idp_exits_2() {
    use crate::support::cli;
    let run = |args: &'static [&'static str]| async move {
        tokio::time::timeout(std::time::Duration::from_secs(20), cli::run(args))
            .await
            .unwrap_or_else(|_| panic!("{args:?} did not stop"))
    };
    let e = cli::error_of(
        run(&[
            "record",
            "--upstream",
            "ftp://example.org/scim",
            "--out",
            "x.json",
            "--idp",
            "okta",
        ])
        .await,
    );
    assert_eq!(e.exit_code(), 3);
    assert!(e.message().contains("invalid upstream URL"), "{e}");
    // An IdP the fixture format does not know is a usage error.
    let e = cli::error_of(
        run(&[
            "record",
            "--upstream",
            "http://x/",
            "--out",
            "x.json",
            "--idp",
            "sailpoint",
        ])
        .await,
    );
    assert_eq!(e.exit_code(), 2, "{e}");
}
