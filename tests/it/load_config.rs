//! `scimtest load --config FILE`: a provisioning configuration shapes the load (operations it
//! excludes are not sent and are listed as not configured), a mapping the target does not
//! declare stops the run before anything is sent, and a mistake in the file is `FILE:LINE`.
//! The provider's requests are counted by a hooks wrapper around its (faulty) hooks.

use crate::support::cli::{self, code, error_of};
use axum::http::{HeaderMap, Uri};
use bytes::Bytes;
use scimtest::provider::config::Limits;
use scimtest::provider::hooks::{Discovery, Hooks, Op, Semantics, Stage};
use scimtest::provider::service::{Projection, Reply};
use scimtest::provider::store::Kind;
use scimtest::provider::{Fault, Faults, ProviderConfig, ProviderHandle};
use scimtest::scim::filter::Filter;
use scimtest::scim::patch::PatchRequest;
use scimtest::scim::query::{ListQuery, SortOrder};
use scimtest::scim::registry::ResourceSchema;
use scimtest::scim::{AttrPath, ScimError, ScimResult};
use serde_json::{Map, Value};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

const USERS_ONLY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/users-only-crd.toml");

/// What reached the provider: requests to `/Groups`, writes (POST, PUT, PATCH bodies).
#[derive(Debug, Default)]
struct Seen {
    groups: AtomicUsize,
    writes: AtomicUsize,
    patches: AtomicUsize,
}

/// The provider's hooks, counting what reached them.
#[derive(Debug)]
struct Counting {
    inner: Arc<dyn Hooks>,
    seen: Arc<Seen>,
}

#[rustfmt::skip]
impl Hooks for Counting {
    fn semantics(&self, limits: &Limits) -> Semantics { self.inner.semantics(limits) }
    fn banner(&self) -> Option<String> { self.inner.banner() }
    fn buffers_request(&self, uri: &Uri) -> bool { self.inner.buffers_request(uri) }
    fn screen_body(&self, uri: &Uri, body: &[u8]) -> Option<ScimError> { self.inner.screen_body(uri, body) }
    fn screen_headers(&self, uri: &Uri, headers: &HeaderMap) -> ScimResult<()> {
        if uri.path().contains("/Groups") {
            self.seen.groups.fetch_add(1, Ordering::Relaxed);
        }
        self.inner.screen_headers(uri, headers)
    }
    fn screen_list(&self, uri: &Uri) -> ScimResult<()> { self.inner.screen_list(uri) }
    fn post_body(&self, body: &mut Value) -> ScimResult<()> {
        self.seen.writes.fetch_add(1, Ordering::Relaxed);
        self.inner.post_body(body)
    }
    fn search_creates(&self, body: &Value) -> bool { self.inner.search_creates(body) }
    fn response_body(&self, body: Bytes) -> Bytes { self.inner.response_body(body) }
    fn error_body(&self, e: &ScimError, body: &mut Value) { self.inner.error_body(e, body) }
    fn discovery(&self, doc: Discovery<'_>, body: &mut Value) -> ScimResult<()> { self.inner.discovery(doc, body) }
    fn read_projection(&self, kind: Kind, proj: &Projection) -> Option<Projection> { self.inner.read_projection(kind, proj) }
    fn project(&self, v: &Value, proj: &Projection) -> Option<Projection> { self.inner.project(v, proj) }
    fn projected(&self, proj: &Projection, out: &mut Value) { self.inner.projected(proj, out) }
    fn create_body(&self, kind: Kind, schema: &ResourceSchema<'_>, body: &Value) -> ScimResult<Option<Value>> { self.inner.create_body(kind, schema, body) }
    fn screen_replace(&self, old: &Map<String, Value>, new: &Map<String, Value>) -> ScimResult<()> {
        self.seen.writes.fetch_add(1, Ordering::Relaxed);
        self.inner.screen_replace(old, new)
    }
    fn before_write(&self, op: Op, old: &Value, old_map: &Map<String, Value>, new: &mut Map<String, Value>) { self.inner.before_write(op, old, old_map, new) }
    fn reply(&self, op: Op, reply: &mut Reply) { self.inner.reply(op, reply) }
    fn screen_patch(&self, body: &Value) -> ScimResult<()> {
        self.seen.writes.fetch_add(1, Ordering::Relaxed);
        self.seen.patches.fetch_add(1, Ordering::Relaxed);
        self.inner.screen_patch(body)
    }
    fn patch_request(&self, req: &mut PatchRequest) -> ScimResult<()> { self.inner.patch_request(req) }
    fn patch_operations(&self, kind: Kind, req: &mut PatchRequest) -> Vec<String> { self.inner.patch_operations(kind, req) }
    fn partial_patches(&self, req: &PatchRequest) -> Vec<PatchRequest> { self.inner.partial_patches(req) }
    fn patched(&self, req: &PatchRequest, resource: &mut Value) { self.inner.patched(req, resource) }
    fn tolerate(&self, stage: Stage, e: &ScimError) -> bool { self.inner.tolerate(stage, e) }
    fn list_query(&self, q: &ListQuery) -> Option<ListQuery> { self.inner.list_query(q) }
    fn list_delay(&self, kind: Kind) -> Option<Duration> { self.inner.list_delay(kind) }
    fn screen_list_query(&self, q: &ListQuery, limits: &Limits) -> ScimResult<()> { self.inner.screen_list_query(q, limits) }
    fn screen_filter(&self, text: &str) -> ScimResult<()> { self.inner.screen_filter(text) }
    fn filter(&self, f: Filter) -> Filter { self.inner.filter(f) }
    fn also_matches(&self, f: &Filter, v: &Value) -> bool { self.inner.also_matches(f, v) }
    fn sorted(&self, values: &mut [Value], by: &AttrPath, order: SortOrder, schema: &ResourceSchema<'_>) { self.inner.sorted(values, by, order, schema) }
    fn screen_total(&self, total: usize, filtered: bool) -> ScimResult<()> { self.inner.screen_total(total, filtered) }
    fn list_body(&self, q: &ListQuery, body: &mut Value) { self.inner.list_body(q, body) }
}

/// A provider with `faults`, its requests counted.
async fn provider(faults: &[Fault]) -> (ProviderHandle, Arc<Seen>) {
    let seen = Arc::new(Seen::default());
    let hooks = Arc::new(Counting {
        inner: Faults::new(faults.iter().copied()).hooks(),
        seen: seen.clone(),
    });
    let h = scimtest::provider::spawn(ProviderConfig {
        hooks,
        ..ProviderConfig::default()
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    (h, seen)
}

fn tmpdir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!(
        "scimtest-it-load-config-{name}-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&d).unwrap_or_else(|e| panic!("{e}"));
    d
}

fn report(dir: &std::path::Path) -> Value {
    let t = std::fs::read_to_string(dir.join("report.json")).unwrap_or_else(|e| panic!("{e}"));
    serde_json::from_str(&t).unwrap_or_else(|e| panic!("{e}"))
}

/// `load` of a short smoke run against `h`, with `extra` arguments.
async fn load(
    h: &ProviderHandle,
    dir: &std::path::Path,
    extra: &[&str],
) -> scimtest::cli::CmdResult {
    let dir = dir.display().to_string();
    let mut args = vec![
        "load",
        "--users",
        "2",
        "--ramp",
        "0s",
        "--duration",
        "2s",
        "--target",
        &h.base_url,
        "--token",
        &h.token,
        "--report-dir",
        &dir,
    ];
    args.extend(extra);
    cli::run(&args).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_users_only_configuration_sends_no_group_request_and_no_patch() {
    let (h, seen) = provider(&[]).await;
    let dir = tmpdir("users-only");
    let outcome = load(&h, &dir, &["--config", USERS_ONLY]).await;
    assert_eq!(outcome, Ok(scimtest::cli::Verdict::Passed), "{outcome:?}");
    assert_eq!(
        seen.groups.load(Ordering::Relaxed),
        0,
        "a request reached /Groups"
    );
    assert_eq!(seen.patches.load(Ordering::Relaxed), 0, "a PATCH was sent");
    assert!(
        seen.writes.load(Ordering::Relaxed) > 0,
        "nothing was created"
    );
    let r = report(&dir);
    let l = &r["load"];
    let ops: Vec<&str> = l["operations"]
        .as_array()
        .map(|a| a.iter().filter_map(|o| o["op"].as_str()).collect())
        .unwrap_or_default();
    assert!(ops.contains(&"POST /Users"), "{ops:?}");
    assert!(
        ops.iter()
            .all(|o| !o.contains("/Groups") && !o.starts_with("PATCH")),
        "{ops:?}"
    );
    let c = &l["config"];
    assert!(
        c["path"]
            .as_str()
            .is_some_and(|p| p.ends_with("users-only-crd.toml")),
        "{c}"
    );
    assert_eq!(c["sha256"].as_str().map(str::len), Some(64), "{c}");
    let left: Vec<&str> = c["not_configured"]
        .as_array()
        .map(|a| a.iter().filter_map(|o| o["op"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(left, ["patch-user", "add-members", "remove-members"], "{c}");
    let member_adds = r["checks"]
        .as_array()
        .and_then(|c| {
            c.iter()
                .find(|c| c["id"] == "load.correctness.concurrent-member-adds")
        })
        .cloned()
        .unwrap_or_default();
    assert_eq!(member_adds["outcome"], "skip", "{member_adds}");
    assert_eq!(r["cleanup"]["leftovers"], serde_json::json!([]));
    // The report still validates against the published schema.
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/docs/report.schema.json"
        ))
        .unwrap_or_else(|e| panic!("{e}")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let v = jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{e}"));
    let errors: Vec<String> = v.iter_errors(&r).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_groups_the_target_passes_when_groups_are_not_configured_and_only_then() {
    let (h, seen) = provider(&[Fault::NoGroups]).await;
    let dir = tmpdir("no-groups");
    let outcome = load(&h, &dir, &["--config", USERS_ONLY]).await;
    assert_eq!(outcome, Ok(scimtest::cli::Verdict::Passed), "{outcome:?}");
    assert_eq!(seen.groups.load(Ordering::Relaxed), 0);
    // The same run without the configuration needs groups the target does not have.
    let dir = tmpdir("no-groups-plain");
    let outcome = load(&h, &dir, &[]).await;
    assert_ne!(outcome, Ok(scimtest::cli::Verdict::Passed), "{outcome:?}");
    assert!(seen.groups.load(Ordering::Relaxed) > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mapping_the_target_does_not_declare_stops_the_run_before_anything_is_sent() {
    let (h, seen) = provider(&[Fault::MinimalUserSchema]).await;
    let dir = tmpdir("undeclared");
    let cfg = dir.join("title.toml");
    std::fs::write(
        &cfg,
        "[users]\n\n[[users.mapping]]\ntarget = \"userName\"\n\n[[users.mapping]]\ntarget = \"title\"\n\n[groups]\nprovision = false\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let cfg_s = cfg.display().to_string();
    let outcome = load(&h, &dir, &["--config", &cfg_s]).await;
    assert_eq!(code(&outcome), 3, "{outcome:?}");
    let e = error_of(outcome);
    assert_eq!(
        e.message(),
        format!("{cfg_s}:6: mapping `title` → the server's User schema has no `title`")
    );
    assert!(e.hint().is_some_and(|h| h.contains("nothing was sent")));
    assert_eq!(
        seen.writes.load(Ordering::Relaxed),
        0,
        "a write reached the target"
    );
    assert_eq!(seen.groups.load(Ordering::Relaxed), 0);
    // Against the clean provider, which declares title, the same file runs.
    let (clean, _) = provider(&[]).await;
    let outcome = load(&clean, &tmpdir("declared"), &["--config", &cfg_s]).await;
    assert_eq!(outcome, Ok(scimtest::cli::Verdict::Passed), "{outcome:?}");
}

#[tokio::test]
async fn a_broken_configuration_is_file_and_line_and_a_scenario_it_empties_is_one_line() {
    let dir = tmpdir("broken");
    let cfg = dir.join("broken.toml");
    std::fs::write(&cfg, "[users]\nactions = [\"purge\"]\n").unwrap_or_else(|e| panic!("{e}"));
    let cfg_s = cfg.display().to_string();
    let outcome = cli::run(&["load", "--config", &cfg_s]).await;
    assert_eq!(code(&outcome), 3, "{outcome:?}");
    let e = error_of(outcome);
    assert!(
        e.message().starts_with(&format!("{cfg_s}:2: ")),
        "{}",
        e.message()
    );
    // group-churn does nothing a users-only configuration provisions.
    let outcome = cli::run(&["load", "--scenario", "group-churn", "--config", USERS_ONLY]).await;
    assert_eq!(code(&outcome), 2, "{outcome:?}");
    let e = error_of(outcome);
    assert!(
        e.message().contains("exercises only what") && !e.message().contains('\n'),
        "{}",
        e.message()
    );
}
