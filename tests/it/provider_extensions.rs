//! Custom User schema extensions (`ProviderConfig::user_extensions`, `serve --extension FILE`):
//! declared in /Schemas and /ResourceTypes, and their attributes written, read, filtered and
//! patched under their URN like the Enterprise User extension's; a bad document stops the
//! provider before it serves; `extension-dropped` loses the values while the extension stays
//! declared.

use crate::support::cli::{code, error_of, run};
use crate::support::*;
use scimtest::provider::{Fault, Faults, ProviderConfig};
use scimtest::scim::extension::extension_schema;
use serde_json::{Value, json};

const CONTOSO: &str = "urn:ietf:params:scim:schemas:extension:Contoso:2.0:User";

fn contoso() -> Value {
    extension_schema(
        CONTOSO,
        &[
            ("costCenter".to_string(), "string"),
            ("badgeNumber".to_string(), "integer"),
            ("remoteWorker".to_string(), "boolean"),
        ],
    )
}

async fn env_with(faults: &[Fault]) -> Env {
    Env::with(ProviderConfig {
        hooks: Faults::new(faults.iter().copied()).hooks(),
        user_extensions: vec![contoso()],
        ..ProviderConfig::default()
    })
    .await
}

fn contoso_user(name: &str) -> Value {
    json!({
        "schemas": [USER, CONTOSO],
        "userName": name,
        CONTOSO: {"costCenter": "CC-4711", "badgeNumber": 80231, "remoteWorker": true},
    })
}

fn tmpdir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!(
        "scimtest-it-{name}-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&d).unwrap_or_else(|e| panic!("{e}"));
    d
}

#[tokio::test]
async fn the_extension_is_declared_in_schemas_and_resource_types() {
    let env = env_with(&[]).await;
    let list = env.get("/Schemas").await;
    assert_eq!(list.status, 200, "{}", list.text);
    let ids: Vec<&str> = list.json["Resources"]
        .as_array()
        .map(|a| a.iter().filter_map(|s| s["id"].as_str()).collect())
        .unwrap_or_default();
    assert!(ids.contains(&CONTOSO), "{ids:?}");
    assert_eq!(list.json["totalResults"], ids.len());
    let one = env.get(&format!("/Schemas/{CONTOSO}")).await;
    assert_eq!(one.status, 200, "{}", one.text);
    assert_eq!(one.json["name"], "ContosoUser");
    let names: Vec<&str> = one.json["attributes"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x["name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(names, ["costCenter", "badgeNumber", "remoteWorker"]);
    let rt = env.get("/ResourceTypes/User").await;
    assert_eq!(
        rt.json["schemaExtensions"],
        json!([{"schema": ENTERPRISE, "required": false}, {"schema": CONTOSO, "required": false}])
    );
    // Without the configuration nothing changes.
    let plain = Env::start().await;
    assert_eq!(plain.get(&format!("/Schemas/{CONTOSO}")).await.status, 404);
}

#[tokio::test]
async fn values_are_stored_returned_filtered_and_patched_under_the_urn() {
    let env = env_with(&[]).await;
    let created = env.post("/Users", contoso_user("alice")).await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.json["schemas"], json!([USER, CONTOSO]));
    let id = created.json["id"].as_str().unwrap_or_default().to_string();
    let got = env.get(&format!("/Users/{id}")).await;
    assert_eq!(
        got.json[CONTOSO],
        json!({"costCenter": "CC-4711", "badgeNumber": 80231, "remoteWorker": true}),
        "{}",
        got.text
    );
    // A second user in another cost center, then filters on the extension attributes.
    let other =
        json!({"schemas": [USER, CONTOSO], "userName": "bob", CONTOSO: {"costCenter": "CC-1"}});
    assert_eq!(env.post("/Users", other).await.status, 201);
    let q = |f: &str| {
        format!(
            "/Users?filter={}",
            f.replace(' ', "%20").replace('"', "%22")
        )
    };
    let hit = env
        .get(&q(&format!("{CONTOSO}:costCenter eq \"cc-4711\"")))
        .await;
    assert_eq!(hit.status, 200, "{}", hit.text);
    assert_eq!(hit.json["totalResults"], 1, "{}", hit.text);
    assert_eq!(hit.json["Resources"][0]["userName"], "alice");
    let gt = env
        .get(&q(&format!("{CONTOSO}:badgeNumber gt 80000")))
        .await;
    assert_eq!(gt.json["totalResults"], 1, "{}", gt.text);
    let pr = env.get(&q(&format!("{CONTOSO}:remoteWorker pr"))).await;
    assert_eq!(pr.json["totalResults"], 1, "{}", pr.text);
    // The enterprise costCenter is another attribute: nobody has one.
    let ent = env.get(&q("costCenter eq \"CC-4711\"")).await;
    assert_eq!(ent.json["totalResults"], 0, "{}", ent.text);

    // PATCH replace with a URN-qualified path, as Entra sends it.
    let r = env
        .patch(
            &format!("/Users/{id}"),
            json!([{"op": "Replace", "path": format!("{CONTOSO}:badgeNumber"), "value": 90001},
                   {"op": "Replace", "path": format!("{CONTOSO}:remoteWorker"), "value": "False"}]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let after = env.get(&format!("/Users/{id}")).await.json;
    assert_eq!(after[CONTOSO]["badgeNumber"], 90001);
    assert_eq!(after[CONTOSO]["remoteWorker"], false);
    assert_eq!(after[CONTOSO]["costCenter"], "CC-4711");
    // Removing every extension value drops the extension from schemas.
    let r = env
        .patch(
            &format!("/Users/{id}"),
            json!([{"op": "remove", "path": format!("{CONTOSO}:costCenter")},
                   {"op": "remove", "path": format!("{CONTOSO}:badgeNumber")},
                   {"op": "remove", "path": format!("{CONTOSO}:remoteWorker")}]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let after = env.get(&format!("/Users/{id}")).await.json;
    assert!(after.get(CONTOSO).is_none(), "{after}");
    assert_eq!(after["schemas"], json!([USER]));
}

#[tokio::test]
async fn a_value_of_the_wrong_type_is_400_invalid_value() {
    let env = env_with(&[]).await;
    let body =
        json!({"schemas": [USER, CONTOSO], "userName": "c", CONTOSO: {"badgeNumber": "eighty"}});
    let r = env.post("/Users", body).await;
    r.assert_error(400, Some("invalidValue"));
    assert!(
        r.json["detail"]
            .as_str()
            .is_some_and(|d| d.contains("badgeNumber")),
        "{}",
        r.text
    );
    let id = env.user("d").await;
    let r = env
        .patch(
            &format!("/Users/{id}"),
            json!([{"op": "replace", "path": format!("{CONTOSO}:remoteWorker"), "value": 3}]),
        )
        .await;
    r.assert_error(400, Some("invalidValue"));
    let r = env
        .patch(
            &format!("/Users/{id}"),
            json!([{"op": "replace", "path": format!("{CONTOSO}:shoeSize"), "value": 3}]),
        )
        .await;
    assert_eq!(r.status, 400, "an undeclared attribute: {}", r.text);
}

#[tokio::test]
async fn extension_dropped_answers_success_but_stores_nothing() {
    let env = env_with(&[Fault::ExtensionDropped]).await;
    // Still declared.
    assert_eq!(env.get(&format!("/Schemas/{CONTOSO}")).await.status, 200);
    let created = env.post("/Users", contoso_user("dropped")).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.json["id"].as_str().unwrap_or_default().to_string();
    let got = env.get(&format!("/Users/{id}")).await.json;
    assert!(got.get(CONTOSO).is_none(), "{got}");
    assert_eq!(got["schemas"], json!([USER]));
    let r = env
        .patch(
            &format!("/Users/{id}"),
            json!([{"op": "replace", "path": format!("{CONTOSO}:costCenter"), "value": "CC-2"}]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let mut put = contoso_user("dropped");
    put[CONTOSO]["costCenter"] = json!("CC-3");
    assert_eq!(env.put(&format!("/Users/{id}"), put).await.status, 200);
    let got = env.get(&format!("/Users/{id}")).await.json;
    assert!(got.get(CONTOSO).is_none(), "{got}");
    // Core and enterprise attributes are still stored.
    let ent = json!({"schemas": [USER, ENTERPRISE], "userName": "e", "displayName": "E",
                     ENTERPRISE: {"department": "D"}});
    let created = env.post("/Users", ent).await;
    assert_eq!(
        created.json[ENTERPRISE]["department"], "D",
        "{}",
        created.text
    );
    assert_eq!(created.json["displayName"], "E");
}

#[tokio::test]
async fn a_bad_extension_document_stops_the_provider_from_starting() {
    let bad = json!({"id": CONTOSO, "attributes": [{"name": "x", "type": "money"}]});
    let e = scimtest::provider::spawn(ProviderConfig {
        user_extensions: vec![bad],
        ..ProviderConfig::default()
    })
    .await
    .err()
    .unwrap_or_else(|| panic!("started with a bad extension"));
    assert!(e.to_string().contains("money"), "{e}");
}

#[tokio::test]
async fn serve_refuses_a_bad_extension_file_naming_it_exit_3() {
    let dir = tmpdir("extension-bad");
    let cases = [
        ("missing.json", None, "failed to read it"),
        ("garbage.json", Some("{not json".to_string()), "not JSON"),
        (
            "no-urn.json",
            Some(json!({"id": "Contoso", "attributes": [{"name": "a"}]}).to_string()),
            "is not a schema URN",
        ),
        (
            "enterprise.json",
            Some(json!({"id": ENTERPRISE, "attributes": [{"name": "a"}]}).to_string()),
            "already declared",
        ),
    ];
    for (file, text, want) in cases {
        let path = dir.join(file);
        if let Some(t) = text {
            std::fs::write(&path, t).unwrap_or_else(|e| panic!("{e}"));
        }
        let shown = path.display().to_string();
        let out = run(&["serve", "--listen", "127.0.0.1:0", "--extension", &shown]).await;
        assert_eq!(code(&out), 3, "{file}");
        let e = error_of(out);
        assert!(e.message().starts_with(&format!("{shown}: ")), "{e}");
        assert!(e.message().contains(want), "{file}: {e}");
        assert!(!e.message().contains('\n'), "{e}");
    }
    // The same URN in two files: the second file is named.
    let a = dir.join("a.json");
    let b = dir.join("b.json");
    for p in [&a, &b] {
        std::fs::write(p, contoso().to_string()).unwrap_or_else(|e| panic!("{e}"));
    }
    let (a, b) = (a.display().to_string(), b.display().to_string());
    let out = run(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--extension",
        &a,
        "--extension",
        &b,
    ])
    .await;
    let e = error_of(out);
    assert!(e.message().starts_with(&format!("{b}: ")), "{e}");
}

/// The real binary: `serve --extension FILE` declares the file's schema.
#[tokio::test]
async fn serve_with_an_extension_file_lists_it_in_schemas() {
    use std::io::BufRead as _;
    let dir = tmpdir("extension-serve");
    let file = dir.join("contoso.json");
    std::fs::write(&file, contoso().to_string()).unwrap_or_else(|e| panic!("{e}"));
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_scimtest"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--token",
            "ext-token",
            "--extension",
        ])
        .arg(&file)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
    let mut lines = std::io::BufReader::new(stdout).lines();
    let mut base = None;
    let mut banner = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap_or_else(|e| panic!("{e}"));
        banner.push(line.clone());
        if let Some(u) = line.trim().strip_prefix("base URL: ") {
            base = Some(u.trim().to_string());
        }
        if line.contains("extensions:") {
            break;
        }
    }
    let Some(base) = base else {
        let _ = child.kill();
        panic!("no base URL in {banner:?}")
    };
    assert!(banner.iter().any(|l| l.contains(CONTOSO)), "{banner:?}");
    let http = reqwest::Client::new();
    let r = http
        .get(format!("{base}/Schemas"))
        .bearer_auth("ext-token")
        .send()
        .await;
    let body: Value = match r {
        Ok(r) => r.json().await.unwrap_or(Value::Null),
        Err(e) => {
            let _ = child.kill();
            panic!("{e}")
        }
    };
    let _ = child.kill();
    let _ = child.wait();
    let ids: Vec<&str> = body["Resources"]
        .as_array()
        .map(|a| a.iter().filter_map(|s| s["id"].as_str()).collect())
        .unwrap_or_default();
    assert!(ids.contains(&CONTOSO), "{body}");
}
