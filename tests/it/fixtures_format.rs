//! The IdP replay fixtures (`fixtures/idp/<idp>/<profile>/<flow>.json`) keep their published
//! format: each validates against `fixtures/idp.schema.json`, sits where its `idp`/`profile`/
//! `flow` say, uses only variables captured by an earlier step, carries no secret, and every
//! profile present has one fixture per flow. The format itself is in `fixtures/README.md`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

const FLOWS: [&str; 4] = [
    "connection",
    "user-lifecycle",
    "group-lifecycle",
    "full-sync",
];

/// Read at run time (cargo sets it for `cargo test`), so a test binary shared between
/// checkouts through one target directory checks the files of the checkout it runs in.
fn fixtures_root() -> PathBuf {
    let root = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    Path::new(&root).join("fixtures")
}

/// Every `*.json` under `dir`, sorted, recursing into subdirectories.
fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|e| e.unwrap_or_else(|e| panic!("{e}")).path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            json_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
}

fn load_fixtures() -> Vec<(PathBuf, String, Value)> {
    load_json(|p| !is_manifest(p))
}

fn is_manifest(p: &Path) -> bool {
    p.file_name().is_some_and(|n| n == "profile.json")
}

fn load_json(keep: impl Fn(&Path) -> bool) -> Vec<(PathBuf, String, Value)> {
    let mut files = Vec::new();
    json_files(&fixtures_root().join("idp"), &mut files);
    files
        .into_iter()
        .filter(|p| keep(p))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{e}"));
            let json = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{} is not JSON: {e}", p.display()));
            (p, text, json)
        })
        .collect()
}

/// Every `{{…}}` placeholder in the strings (and object keys) of `v`, or an error for a `{{`
/// that is never closed.
fn placeholders(v: &Value, out: &mut Vec<Result<String, String>>) {
    fn scan(s: &str, out: &mut Vec<Result<String, String>>) {
        let mut rest = s;
        while let Some(start) = rest.find("{{") {
            let after = &rest[start + 2..];
            match after.find("}}") {
                Some(end) => {
                    out.push(Ok(after[..end].to_string()));
                    rest = &after[end + 2..];
                }
                None => {
                    out.push(Err(format!("unclosed '{{{{' in {s:?}")));
                    return;
                }
            }
        }
    }
    match v {
        Value::String(s) => scan(s, out),
        Value::Array(a) => a.iter().for_each(|x| placeholders(x, out)),
        Value::Object(o) => {
            for (k, x) in o {
                scan(k, out);
                placeholders(x, out);
            }
        }
        _ => {}
    }
}

fn is_var_name(s: &str) -> bool {
    let mut parts = s.split('.');
    let first_ok = parts.next().is_some_and(|p| {
        p.starts_with(|c: char| c.is_ascii_lowercase())
            && p.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    });
    first_ok
        && parts.all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        })
}

/// Built-ins the engine supplies: `run` (the run namespace prefix) and `uuid.<label>` (one
/// fresh UUID per label per replay).
fn is_builtin(name: &str) -> bool {
    name == "run" || name.strip_prefix("uuid.").is_some_and(is_var_name)
}

/// Use-before-capture, unknown or malformed placeholders, duplicate captures and duplicate
/// step names. Cleanup steps may use anything the main steps captured, and capture nothing.
pub(crate) fn variable_problems(fx: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let mut captured: BTreeSet<String> = BTreeSet::new();
    let mut names: BTreeSet<String> = BTreeSet::new();
    let empty = Vec::new();
    let steps = fx["steps"].as_array().unwrap_or(&empty);
    let cleanup = fx["cleanup"].as_array().unwrap_or(&empty);
    for (i, step) in steps.iter().chain(cleanup).enumerate() {
        let in_cleanup = i >= steps.len();
        let name = step["name"].as_str().unwrap_or("?").to_string();
        if !names.insert(name.clone()) {
            problems.push(format!("step name {name:?} is used twice"));
        }
        let mut used = Vec::new();
        placeholders(&step["request"], &mut used);
        placeholders(&step["expect"], &mut used);
        for u in used {
            match u {
                Err(e) => problems.push(format!("step {name}: {e}")),
                Ok(var) if is_builtin(&var) => {}
                Ok(var) if !is_var_name(&var) => {
                    problems.push(format!("step {name}: malformed placeholder {{{{{var}}}}}"));
                }
                Ok(var) if !captured.contains(&var) => problems.push(format!(
                    "step {name}: {{{{{var}}}}} is used before any earlier step captures it"
                )),
                Ok(_) => {}
            }
        }
        if let Some(cap) = step["capture"].as_object() {
            if in_cleanup && !cap.is_empty() {
                problems.push(format!("cleanup step {name} captures variables"));
            }
            for var in cap.keys() {
                if is_builtin(var) {
                    problems.push(format!("step {name}: captures the built-in {var}"));
                } else if !captured.insert(var.clone()) {
                    problems.push(format!("step {name}: {var} is captured twice"));
                }
            }
        }
    }
    problems
}

/// State-changing main steps (`PUT`, `PATCH`, `DELETE`) not followed by a read-back: a `GET` of
/// the same path that judges the new state (body checks, or 404 after a `DELETE`).
pub(crate) fn read_back_problems(fx: &Value) -> Vec<String> {
    let empty = Vec::new();
    let steps = fx["steps"].as_array().unwrap_or(&empty);
    let mut problems = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        let method = step["request"]["method"].as_str().unwrap_or_default();
        if !["PUT", "PATCH", "DELETE"].contains(&method) {
            continue;
        }
        let name = step["name"].as_str().unwrap_or("?");
        let judged = steps.get(i + 1).is_some_and(|next| {
            let checks = next["expect"]["body"]
                .as_array()
                .is_some_and(|b| !b.is_empty());
            let gone = method == "DELETE" && next["expect"]["status"] == serde_json::json!([404]);
            next["request"]["method"] == "GET"
                && next["request"]["path"] == step["request"]["path"]
                && (checks || gone)
        });
        if !judged {
            problems.push(format!(
                "step {name}: {method} is not followed by a GET of {} that judges the new state",
                step["request"]["path"]
            ));
        }
    }
    problems
}

/// Keys and values that look like credentials. Fixtures describe traffic, never tokens.
pub(crate) fn secret_problems(text: &str, fx: &Value) -> Vec<String> {
    fn walk(v: &Value, at: &str, out: &mut Vec<String>) {
        match v {
            Value::String(s) => {
                let lower = s.to_ascii_lowercase();
                if lower.contains("bearer ") || lower.starts_with("basic ") {
                    out.push(format!("{at}: credential-like value {s:?}"));
                }
                if s.starts_with("eyJ") && s.matches('.').count() >= 2 {
                    out.push(format!("{at}: looks like a JWT"));
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    walk(x, &format!("{at}/{i}"), out);
                }
            }
            Value::Object(o) => {
                for (k, x) in o {
                    let lk = k.to_ascii_lowercase();
                    if [
                        "authorization",
                        "cookie",
                        "token",
                        "secret",
                        "password",
                        "api-key",
                        "apikey",
                    ]
                    .iter()
                    .any(|bad| lk.contains(bad))
                    {
                        out.push(format!("{at}: credential-bearing key {k:?}"));
                    }
                    walk(x, &format!("{at}/{k}"), out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    let empty = Vec::new();
    let steps = fx["steps"].as_array().unwrap_or(&empty);
    let cleanup = fx["cleanup"].as_array().unwrap_or(&empty);
    for step in steps.iter().chain(cleanup) {
        let name = step["name"].as_str().unwrap_or("?");
        walk(&step["request"], &format!("{name}/request"), &mut out);
    }
    let lower = text.to_ascii_lowercase();
    for needle in [
        "bearer ",
        "\"authorization\"",
        "access_token",
        "client_secret",
    ] {
        if lower.contains(needle) {
            out.push(format!("file text contains {needle:?}"));
        }
    }
    out
}

#[test]
fn every_idp_fixture_follows_the_published_schema_and_rules() {
    let schema: Value = serde_json::from_str(include_str!("../../fixtures/idp.schema.json"))
        .unwrap_or_else(|e| panic!("fixtures/idp.schema.json: {e}"));
    let validator = jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{e}"));
    let fixtures = load_fixtures();
    assert!(
        fixtures.len() >= 4,
        "expected at least the four Entra default fixtures, found {}",
        fixtures.len()
    );
    let root = fixtures_root().join("idp");
    let mut problems: Vec<String> = Vec::new();
    let mut flows: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for (path, text, fx) in &fixtures {
        let rel = path
            .strip_prefix(&root)
            .unwrap_or(path)
            .display()
            .to_string();
        for e in validator.iter_errors(fx).take(10) {
            problems.push(format!("{rel}: schema: {}: {e}", e.instance_path()));
        }
        // Location agrees with content: <idp>/<profile>/<flow>.json.
        let parts: Vec<String> = path
            .strip_prefix(&root)
            .unwrap_or(path)
            .iter()
            .map(|c| c.to_string_lossy().into_owned())
            .collect();
        let expected = [
            fx["idp"].as_str().unwrap_or("?").to_string(),
            fx["profile"].as_str().unwrap_or("?").to_string(),
            format!("{}.json", fx["flow"].as_str().unwrap_or("?")),
        ];
        if parts != expected {
            problems.push(format!(
                "{rel}: should live at {}",
                expected.join(std::path::MAIN_SEPARATOR_STR)
            ));
        }
        flows
            .entry((expected[0].clone(), expected[1].clone()))
            .or_default()
            .insert(fx["flow"].as_str().unwrap_or("?").to_string());
        problems.extend(
            variable_problems(fx)
                .into_iter()
                .map(|p| format!("{rel}: {p}")),
        );
        problems.extend(
            read_back_problems(fx)
                .into_iter()
                .map(|p| format!("{rel}: {p}")),
        );
        problems.extend(
            secret_problems(text, fx)
                .into_iter()
                .map(|p| format!("{rel}: {p}")),
        );
    }
    let manifests = load_manifests(&mut problems);
    for ((idp, profile), have) in &flows {
        let Some(m) = manifests.get(&(idp.clone(), profile.clone())) else {
            problems.push(format!("{idp}/{profile}: no profile.json"));
            continue;
        };
        for flow in FLOWS {
            let absent = m["absent_flows"].get(flow).is_some();
            match (have.contains(flow), absent) {
                (false, false) => problems.push(format!(
                    "{idp}/{profile}: no {flow}.json (list it under absent_flows with the reason if the IdP has no such flow)"
                )),
                (true, true) => problems.push(format!(
                    "{idp}/{profile}: {flow}.json exists but profile.json lists it as absent"
                )),
                _ => {}
            }
        }
    }
    for (idp, profile) in manifests.keys() {
        if !flows.contains_key(&(idp.clone(), profile.clone())) {
            problems.push(format!("{idp}/{profile}: profile.json without flow files"));
        }
    }
    assert!(
        flows.contains_key(&("entra".to_string(), "default".to_string())),
        "the Entra default profile is missing"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every `profile.json`, validated against `fixtures/profile.schema.json` and its location,
/// keyed by (idp, profile).
fn load_manifests(problems: &mut Vec<String>) -> BTreeMap<(String, String), Value> {
    let schema: Value = serde_json::from_str(include_str!("../../fixtures/profile.schema.json"))
        .unwrap_or_else(|e| panic!("fixtures/profile.schema.json: {e}"));
    let validator = jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{e}"));
    let root = fixtures_root().join("idp");
    let mut out = BTreeMap::new();
    for (path, _, m) in load_json(is_manifest) {
        let rel = path
            .strip_prefix(&root)
            .unwrap_or(&path)
            .display()
            .to_string();
        for e in validator.iter_errors(&m).take(10) {
            problems.push(format!("{rel}: schema: {}: {e}", e.instance_path()));
        }
        let key = (
            m["idp"].as_str().unwrap_or("?").to_string(),
            m["profile"].as_str().unwrap_or("?").to_string(),
        );
        let expected =
            [key.0.as_str(), key.1.as_str(), "profile.json"].join(std::path::MAIN_SEPARATOR_STR);
        if rel != expected {
            problems.push(format!("{rel}: should live at {expected}"));
        }
        out.insert(key, m);
    }
    out
}

/// The profile schema refuses what the engine would refuse (a retry of one try, an unknown
/// flow named absent), so a broken manifest fails here before a replay.
#[test]
fn profile_schema_rejects_bad_retry_and_unknown_absent_flows() {
    let schema: Value = serde_json::from_str(include_str!("../../fixtures/profile.schema.json"))
        .unwrap_or_else(|e| panic!("{e}"));
    let validator = jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{e}"));
    let root = fixtures_root().join("idp/entra/default/profile.json");
    let text = std::fs::read_to_string(&root).unwrap_or_else(|e| panic!("{e}"));
    let good: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    assert!(validator.is_valid(&good), "the Entra manifest is valid");
    let mut bad = good.clone();
    bad["retry"]["attempts"] = 1.into();
    assert!(!validator.is_valid(&bad), "one try is no retry");
    let mut bad = good.clone();
    bad["absent_flows"] = serde_json::json!({"import": "Entra has none"});
    assert!(!validator.is_valid(&bad), "import is not a flow");
    let mut bad = good;
    bad["faithfulness"] = "hearsay".into();
    assert!(!validator.is_valid(&bad));
}

/// The rule checks reject what they exist to reject (guards against a vacuous pass above).
#[test]
fn fixture_rule_checks_catch_use_before_capture_and_secrets() {
    let bad = serde_json::json!({
        "steps": [
            {
                "name": "patch-first",
                "request": {"method": "PATCH", "path": "/Users/{{user1.id}}",
                            "headers": {"Authorization": "Bearer abc"},
                            "body": {"userName": "{{run}}x", "externalId": "{{uuid.a}}"}},
                "expect": {"status": [200], "why": "x"}
            },
            {
                "name": "create",
                "request": {"method": "POST", "path": "/Users", "body": {"password": "hunter2"}},
                "capture": {"user1.id": "/id", "run": "/x"},
                "expect": {"status": [201], "why": "x", "body": [{"pointer": "/a", "equals": "{{Bad Name}}"}]}
            },
            {
                "name": "create",
                "request": {"method": "GET", "path": "/Users/{{user1.id}}{{oops"},
                "capture": {"user1.id": "/id"},
                "expect": {"status": [200], "why": "x"}
            }
        ]
    });
    let reads = read_back_problems(&bad).join("\n");
    assert!(
        reads.contains("step patch-first: PATCH is not followed by a GET"),
        "{reads}"
    );
    let vars = variable_problems(&bad).join("\n");
    assert!(vars.contains("{{user1.id}} is used before"), "{vars}");
    assert!(
        vars.contains("malformed placeholder {{Bad Name}}"),
        "{vars}"
    );
    assert!(vars.contains("captures the built-in run"), "{vars}");
    assert!(vars.contains("user1.id is captured twice"), "{vars}");
    assert!(
        vars.contains("step name \"create\" is used twice"),
        "{vars}"
    );
    assert!(vars.contains("unclosed"), "{vars}");
    assert!(!vars.contains("{{run}}"), "run is a built-in: {vars}");
    assert!(!vars.contains("uuid.a"), "uuid.* is a built-in: {vars}");
    let text = serde_json::to_string(&bad).unwrap_or_default();
    let secrets = secret_problems(&text, &bad).join("\n");
    assert!(
        secrets.contains("credential-bearing key \"Authorization\""),
        "{secrets}"
    );
    assert!(secrets.contains("credential-like value"), "{secrets}");
    assert!(
        secrets.contains("credential-bearing key \"password\""),
        "{secrets}"
    );
}

/// The schema itself rejects the structural mistakes the README forbids.
#[test]
fn idp_schema_rejects_a_synthetic_step_without_reason_and_a_get_with_a_body() {
    let schema: Value = serde_json::from_str(include_str!("../../fixtures/idp.schema.json"))
        .unwrap_or_else(|e| panic!("{e}"));
    let validator = jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{e}"));
    let fixture = |step: Value| {
        serde_json::json!({
            "format_version": 1, "idp": "entra", "profile": "default", "flow": "connection",
            "title": "t", "source": {"kind": "vendor-doc", "ref": "https://example.invalid/"},
            "documented_in": ["x"], "captured_at": "2026-01-01", "steps": [step]
        })
    };
    let good = fixture(serde_json::json!({
        "name": "probe", "request": {"method": "GET", "path": "/Users"},
        "expect": {"status": [200], "why": "w", "body": [{"pointer": "/totalResults", "equals": 0}]},
        "synthetic": false
    }));
    assert!(validator.is_valid(&good));
    let no_reason = fixture(serde_json::json!({
        "name": "probe", "request": {"method": "GET", "path": "/Users"},
        "expect": {"status": [200], "why": "w"}, "synthetic": true
    }));
    assert!(!validator.is_valid(&no_reason));
    let get_body = fixture(serde_json::json!({
        "name": "probe", "request": {"method": "GET", "path": "/Users", "body": {}},
        "expect": {"status": [200], "why": "w"}, "synthetic": false
    }));
    assert!(!validator.is_valid(&get_body));
    let two_checks = fixture(serde_json::json!({
        "name": "probe", "request": {"method": "GET", "path": "/Users"},
        "expect": {"status": [200], "why": "w",
                   "body": [{"pointer": "/totalResults", "equals": 0, "exists": true}]},
        "synthetic": false
    }));
    assert!(!validator.is_valid(&two_checks));
    let auth_header = fixture(serde_json::json!({
        "name": "probe",
        "request": {"method": "GET", "path": "/Users", "headers": {"authorization": "x"}},
        "expect": {"status": [200], "why": "w"}, "synthetic": false
    }));
    assert!(!validator.is_valid(&auth_header));
}

/// The replay section of `docs/usage.md` (the command reference the README links to) names
/// every embedded profile (`idp/profile`) with its product, so a profile added without
/// documentation fails here.
#[test]
fn the_usage_doc_names_every_replay_profile() {
    let root = fixtures_root();
    let usage = std::fs::read_to_string(root.join("../docs/usage.md"))
        .unwrap_or_else(|e| panic!("docs/usage.md: {e}"));
    let mut problems = Vec::new();
    let manifests = load_manifests(&mut problems);
    for ((idp, profile), m) in &manifests {
        let key = format!("`{idp}/{profile}`");
        let product = m["product"].as_str().unwrap_or("?");
        match usage.lines().find(|l| l.contains(&key)) {
            None => problems.push(format!("docs/usage.md does not name {key}")),
            Some(line) if !line.contains(product) => problems.push(format!(
                "docs/usage.md's line for {key} lacks its product {product:?}"
            )),
            Some(_) => {}
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
