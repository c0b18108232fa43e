//! No secret reaches an artefact: every command — `check`, `replay` (with a fixture that sends a
//! password), `record` (an IdP sending a token, an API key and a password through the proxy),
//! `load`, `run`, `report render` — is run with a known bearer token, a known `--header` secret
//! and a known password, and every file it writes (all report formats, the HTML site, the
//! certificate, goose's reports and logs, plots, recorded fixtures) and everything it prints is
//! searched for them.

use crate::support::Env;
use scimtest::provider::ProviderConfig;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};

const TOKEN: &str = "sekret-token-4c1d9e77a0";
const SECOND: &str = "sekret-second-51be02c9";
const HEADER: &str = "sekret-header-9f20aa7310";
const PASSWORD: &str = "sekret-Passw0rd-e3b1";

fn secrets() -> [&'static str; 4] {
    [TOKEN, SECOND, HEADER, PASSWORD]
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "scimtest-it-secrets-{name}-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&d).unwrap_or_else(|e| panic!("{e}"));
    d
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// Every file under `dirs` and the text `printed`: none holds a secret. Returns how many files
/// were searched (so a test can insist it searched something).
#[track_caller]
fn assert_clean(what: &str, dirs: &[&Path], printed: &str) -> usize {
    let mut n = 0;
    for d in dirs {
        for f in files(d) {
            n += 1;
            let bytes = std::fs::read(&f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            let text = String::from_utf8_lossy(&bytes);
            for s in secrets() {
                assert!(!text.contains(s), "{what}: {} contains {s:?}", f.display());
            }
        }
    }
    for s in secrets() {
        assert!(
            !printed.contains(s),
            "{what}: the terminal output contains {s:?}"
        );
    }
    n
}

async fn provider() -> Env {
    Env::with(ProviderConfig {
        tokens: vec![
            TOKEN.parse().unwrap_or_else(|e| panic!("{e}")),
            SECOND.parse().unwrap_or_else(|e| panic!("{e}")),
        ],
        ..ProviderConfig::default()
    })
    .await
}

/// Run the binary to the end; returns (exit code, stdout + stderr).
async fn run(args: &[String]) -> (Option<i32>, String) {
    let out = tokio::time::timeout(
        Duration::from_secs(240),
        tokio::process::Command::new(env!("CARGO_BIN_EXE_scimtest"))
            .args(args)
            .kill_on_drop(true)
            .output(),
    )
    .await
    .unwrap_or_else(|_| panic!("{args:?} did not finish"))
    .unwrap_or_else(|e| panic!("{e}"));
    (
        out.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

/// The target flags every command takes.
fn target(env: &Env) -> Vec<String> {
    s(&[
        "--target",
        &env.handle.base_url,
        "--token",
        TOKEN,
        "--header",
        &format!("X-Api-Key: {HEADER}"),
    ])
}

/// An Okta fixture whose create sends a password (as Okta does with Sync Password on).
fn fixture_with_password(dir: &Path) {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/idp/okta/aiw/user-lifecycle.json"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut fx: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    fx["profile"] = json!("secrets");
    if let Some(steps) = fx["steps"].as_array_mut() {
        for step in steps {
            if step["request"]["method"] == "POST" && step["request"]["body"].is_object() {
                step["request"]["body"]["password"] = json!(PASSWORD);
            }
        }
    }
    let p = dir.join("okta/secrets/user-lifecycle.json");
    std::fs::create_dir_all(p.parent().unwrap_or(dir)).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        &p,
        serde_json::to_string_pretty(&fx).unwrap_or_else(|e| panic!("{e}")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
}

const SCENARIO: &str = r#"
name = "secrets"
description = "One second of creates and reads."
modelled_on = "scenarios/smoke.toml"
[run]
users = 2
ramp = "0s"
duration = "1s"
timeout = "5s"
pacing = "max"
[data]
users = 3
groups = 1
members_per_group = 2
[[operation]]
name = "create-user"
weight = 1
[[operation]]
name = "get-user"
weight = 1
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_replay_load_run_and_render_write_no_secret() {
    let env = provider().await;
    let root = tmp("all");

    let dir = root.join("check");
    let mut a = s(&["check"]);
    a.extend(target(&env));
    a.extend(s(&[
        "--second-token",
        SECOND,
        "--report-dir",
        &dir.display().to_string(),
    ]));
    a.extend(s(&[
        "--report-cert",
        &root.join("cert.html").display().to_string(),
    ]));
    let (code, printed) = run(&a).await;
    assert_eq!(code, Some(0), "{printed}");
    assert!(assert_clean("check", &[&dir], &printed) >= 4);

    let fx = root.join("fixtures");
    fixture_with_password(&fx);
    let dir = root.join("replay");
    let mut a = s(&[
        "replay",
        "--profile",
        "secrets",
        "--fixtures",
        &fx.display().to_string(),
    ]);
    a.extend(target(&env));
    a.extend(s(&["--report-dir", &dir.display().to_string()]));
    let (code, printed) = run(&a).await;
    assert_eq!(code, Some(0), "{printed}");
    assert_clean("replay", &[&dir], &printed);
    // The password really went out (the provider stored a user created with it).
    let report = std::fs::read_to_string(dir.join("report.json")).unwrap_or_default();
    assert!(
        report.contains("password"),
        "the fixture's password field was not sent"
    );

    let scenario = root.join("secrets.toml");
    std::fs::write(&scenario, SCENARIO).unwrap_or_else(|e| panic!("{e}"));
    let dir = root.join("load");
    let mut a = s(&["load", "--scenario", &scenario.display().to_string()]);
    a.extend(target(&env));
    a.extend(s(&["--report-dir", &dir.display().to_string()]));
    let (code, printed) = run(&a).await;
    assert_eq!(code, Some(0), "{printed}");
    // Every report file is among the files searched (goose's own are no longer written).
    assert!(dir.join("report.json").is_file() && !dir.join("goose.html").exists());
    assert_clean("load", &[&dir], &printed);

    let dir = root.join("run");
    let mut a = s(&["run", "--scenario", &scenario.display().to_string()]);
    a.extend(target(&env));
    a.extend(s(&["--report-dir", &dir.display().to_string()]));
    let (code, printed) = run(&a).await;
    assert_eq!(code, Some(0), "{printed}");
    assert!(assert_clean("run", &[&dir], &printed) >= 15);

    let site = root.join("rendered");
    let a = s(&[
        "report",
        "render",
        &dir.display().to_string(),
        "--html",
        &site.display().to_string(),
        "--cert",
        &site.join("cert.md").display().to_string(),
    ]);
    let (code, printed) = run(&a).await;
    assert_eq!(code, Some(0), "{printed}");
    assert_clean("report render", &[&site], &printed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn record_writes_no_secret_from_the_idp_traffic() {
    let env = provider().await;
    let root = tmp("record");
    let out = root.join("capture.json");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_scimtest"))
        .args(["record", "--listen", "127.0.0.1:0", "--upstream"])
        .arg(&env.handle.base_url)
        .arg("--out")
        .arg(&out)
        .args(["--idp", "okta", "--profile", "mine"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let stderr = child.stderr.take().unwrap_or_else(|| panic!("stderr"));
    let mut lines = BufReader::new(stderr).lines();
    let first = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
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
    let send = |method: reqwest::Method, path: String, body: Option<Value>| {
        let mut rb = http
            .request(method, format!("{base}{path}"))
            .header("Authorization", format!("Bearer {TOKEN}"))
            .header("X-Api-Key", HEADER)
            .header("Cookie", format!("session={HEADER}"));
        if let Some(b) = body {
            rb = rb
                .header("Content-Type", "application/scim+json")
                .body(b.to_string());
        }
        rb.send()
    };
    let r = send(
        reqwest::Method::POST,
        "/Users".into(),
        Some(
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "rec.user@example.com", "password": PASSWORD,
            "name": {"givenName": "Rec", "familyName": "User"}}),
        ),
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap_or_default()["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let patch = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "password", "value": PASSWORD}]});
    let r = send(reqwest::Method::PATCH, format!("/Users/{id}"), Some(patch))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(r.status().is_success(), "{}", r.status());
    let r = send(reqwest::Method::DELETE, format!("/Users/{id}"), None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), 204);
    // Stop it as a user would, then read everything it printed and wrote.
    if let Some(pid) = child.id().and_then(|p| i32::try_from(p).ok()) {
        // SAFETY: kill(2) on the child we spawned and have not reaped.
        unsafe {
            libc::kill(pid, libc::SIGINT);
        }
    }
    let mut rest = String::new();
    while let Ok(Ok(Some(l))) =
        tokio::time::timeout(Duration::from_secs(20), lines.next_line()).await
    {
        rest.push_str(&l);
        rest.push('\n');
    }
    let status = tokio::time::timeout(Duration::from_secs(20), child.wait())
        .await
        .unwrap_or_else(|_| panic!("record did not stop"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(status.code(), Some(0), "{first}\n{rest}");
    let fixture = std::fs::read_to_string(&out).unwrap_or_default();
    assert!(fixture.contains("\"steps\""), "nothing recorded: {fixture}");
    assert!(assert_clean("record", &[&root], &format!("{first}\n{rest}")) >= 1);
}
