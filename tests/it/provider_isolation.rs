//! Tenant isolation in the reference provider: a matrix of everything tenant B can send that
//! names tenant A's user or group — read, list, filter, .search (per endpoint and at the root),
//! PATCH, PUT, DELETE, group membership by POST and PATCH, Bulk (direct, and through a bulkId) —
//! each answered exactly as if the id existed nowhere (same status, same scimType, same body
//! once the id is swapped), and tenant A's resources byte-identical afterwards. The same
//! matrix under `--fault tenants-shared` sees the leak (so it can fail).

use crate::support::*;
use scimtest::provider::{Fault, Faults, ProviderConfig};
use serde_json::{Value, json};

const A: &str = "tenant-a-token";
const B: &str = "tenant-b-token";
const BULK: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
const SEARCH: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

async fn two(faults: &[Fault]) -> Env {
    Env::with(ProviderConfig {
        tokens: vec![
            A.parse().unwrap_or_else(|e| panic!("{e}")),
            B.parse().unwrap_or_else(|e| panic!("{e}")),
        ],
        hooks: Faults::new(faults.iter().copied()).hooks(),
        ..ProviderConfig::default()
    })
    .await
}

/// One request of the matrix, with `{user}` and `{group}` standing for the ids it names.
struct Probe {
    name: &'static str,
    method: &'static str,
    path: &'static str,
    body: Option<Value>,
}

fn probes() -> Vec<Probe> {
    let p = |name, method, path, body: Option<Value>| Probe {
        name,
        method,
        path,
        body,
    };
    let patch = |path: &str, value: Value| json!({"schemas": [PATCH_OP], "Operations": [{"op": "replace", "path": path, "value": value}]});
    vec![
        p("get user", "GET", "/Users/{user}", None),
        p(
            "get user projected",
            "GET",
            "/Users/{user}?attributes=userName",
            None,
        ),
        p("get group", "GET", "/Groups/{group}", None),
        p(
            "get group members excluded",
            "GET",
            "/Groups/{group}?excludedAttributes=members",
            None,
        ),
        p(
            "filter user by id",
            "GET",
            "/Users?filter=id%20eq%20%22{user}%22",
            None,
        ),
        p(
            "filter user by name",
            "GET",
            "/Users?filter=userName%20eq%20%22{name}%22",
            None,
        ),
        p(
            "filter user by name prefix",
            "GET",
            "/Users?filter=userName%20sw%20%22iso-%22",
            None,
        ),
        p(
            "filter group by member",
            "GET",
            "/Groups?filter=members.value%20eq%20%22{user}%22",
            None,
        ),
        p(
            "filter group by name",
            "GET",
            "/Groups?filter=displayName%20eq%20%22{gname}%22",
            None,
        ),
        p("list users", "GET", "/Users", None),
        p("list groups", "GET", "/Groups", None),
        p(
            "search users",
            "POST",
            "/Users/.search",
            Some(json!({"schemas": [SEARCH], "filter": "id eq \"{user}\""})),
        ),
        p(
            "search root",
            "POST",
            "/.search",
            Some(json!({"schemas": [SEARCH], "filter": "userName eq \"{name}\""})),
        ),
        p(
            "search groups",
            "POST",
            "/Groups/.search",
            Some(json!({"schemas": [SEARCH], "filter": "members.value eq \"{user}\""})),
        ),
        p(
            "patch user",
            "PATCH",
            "/Users/{user}",
            Some(patch("displayName", json!("by B"))),
        ),
        p(
            "put user",
            "PUT",
            "/Users/{user}",
            Some(json!({"schemas": [USER], "userName": "{name}", "displayName": "by B"})),
        ),
        p(
            "patch group",
            "PATCH",
            "/Groups/{group}",
            Some(patch("displayName", json!("by B"))),
        ),
        p(
            "put group",
            "PUT",
            "/Groups/{group}",
            Some(json!({"schemas": [GROUP], "displayName": "by B"})),
        ),
        p("delete user", "DELETE", "/Users/{user}", None),
        p("delete group", "DELETE", "/Groups/{group}", None),
        p(
            "post group with A's member",
            "POST",
            "/Groups",
            Some(
                json!({"schemas": [GROUP], "displayName": "b-{n}", "members": [{"value": "{user}"}]}),
            ),
        ),
        p(
            "post group with A's group as member",
            "POST",
            "/Groups",
            Some(
                json!({"schemas": [GROUP], "displayName": "b2-{n}", "members": [{"value": "{group}"}]}),
            ),
        ),
        p(
            "bulk on A's resources",
            "POST",
            "/Bulk",
            Some(json!({"schemas": [BULK], "Operations": [
                {"method": "PATCH", "path": "/Users/{user}", "data": {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "path": "displayName", "value": "by B"}]}},
                {"method": "PUT", "path": "/Groups/{group}", "data": {"schemas": [GROUP], "displayName": "by B"}},
                {"method": "DELETE", "path": "/Users/{user}"},
                {"method": "DELETE", "path": "/Groups/{group}"},
                {"method": "POST", "path": "/Groups", "bulkId": "g", "data": {"schemas": [GROUP], "displayName": "b3-{n}", "members": [{"value": "{user}"}]}}
            ]})),
        ),
    ]
}

/// Fill the placeholders.
fn fill(text: &str, user: &str, group: &str, n: usize) -> String {
    text.replace("{user}", user)
        .replace("{group}", group)
        .replace("{name}", "iso-alice")
        .replace("{gname}", "iso-group")
        .replace("{n}", &n.to_string())
}

/// B's answer, with the ids it named swapped back to placeholders and volatile fields dropped,
/// so the answer for A's ids and for ids that exist nowhere can be compared.
async fn answer(env: &Env, p: &Probe, user: &str, group: &str, n: usize) -> (u16, Value) {
    let path = fill(p.path, user, group, n);
    let body = p
        .body
        .as_ref()
        .map(|b| serde_json::from_str::<Value>(&fill(&b.to_string(), user, group, n)))
        .transpose()
        .unwrap_or_else(|e| panic!("{e}"));
    let r = env
        .send_as(Some(B), p.method, &path, body.as_ref(), &[])
        .await;
    let text = r.text.replace(user, "{user}").replace(group, "{group}");
    let mut v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    scrub(&mut v);
    (r.status, v)
}

/// Drop what differs between two identical requests (ids B's own creations got, timestamps).
fn scrub(v: &mut Value) {
    match v {
        Value::Object(o) => {
            for k in ["id", "meta", "location", "version", "displayName"] {
                o.remove(k);
            }
            o.values_mut().for_each(scrub);
        }
        Value::Array(a) => a.iter_mut().for_each(scrub),
        _ => {}
    }
}

/// A's user and group (the user a member), and their representations.
async fn tenant_a(env: &Env) -> (String, String, Value, Value) {
    let u = env.user("iso-alice").await;
    let g = env.group("iso-group", &[&u]).await;
    let ru = env.get(&format!("/Users/{u}")).await.json;
    let rg = env.get(&format!("/Groups/{g}")).await.json;
    (u, g, ru, rg)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenant_b_cannot_reach_or_detect_tenant_a_resources() {
    let env = two(&[]).await;
    let (user, group, before_u, before_g) = tenant_a(&env).await;
    let ghost_user = uuid::Uuid::new_v4().to_string();
    let ghost_group = uuid::Uuid::new_v4().to_string();
    let mut failures = Vec::new();
    for (n, p) in probes().iter().enumerate() {
        let real = answer(&env, p, &user, &group, 2 * n).await;
        let ghost = answer(&env, p, &ghost_user, &ghost_group, 2 * n + 1).await;
        if real != ghost {
            failures.push(format!(
                "{}: A's ids → {} {}; unknown ids → {} {}",
                p.name, real.0, real.1, ghost.0, ghost.1
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "tenant B can tell:\n{}",
        failures.join("\n")
    );
    // B's lists hold only what B created (groups of the probes that B may create), never A's.
    let r = env.send_as(Some(B), "GET", "/Users", None, &[]).await;
    assert_eq!(r.json["totalResults"], 0, "{}", r.text);
    // A's resources are exactly as before (meta.version included: nothing was written).
    assert_eq!(env.get(&format!("/Users/{user}")).await.json, before_u);
    assert_eq!(env.get(&format!("/Groups/{group}")).await.json, before_g);
    // Uniqueness is per tenant: B may hold the same userName, without a 409 that reveals A's.
    let dup = env
        .send_as(
            Some(B),
            "POST",
            "/Users",
            Some(&json!({"schemas": [USER], "userName": "iso-alice"})),
            &[],
        )
        .await;
    assert_eq!(dup.status, 201, "{}", dup.text);
    // And A still sees one iso-alice: its own.
    let mine = env
        .get("/Users?filter=userName%20eq%20%22iso-alice%22")
        .await;
    assert_eq!(mine.json["totalResults"], 1);
    assert_eq!(mine.json["Resources"][0]["id"], json!(user));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_matrix_sees_the_leak_when_tenants_share_a_store() {
    let env = two(&[Fault::TenantsShared]).await;
    let (user, group, _, _) = tenant_a(&env).await;
    let ghost_user = uuid::Uuid::new_v4().to_string();
    let ghost_group = uuid::Uuid::new_v4().to_string();
    let mut differing = 0;
    for (n, p) in probes().iter().enumerate() {
        let real = answer(&env, p, &user, &group, 2 * n).await;
        let ghost = answer(&env, p, &ghost_user, &ghost_group, 2 * n + 1).await;
        if real != ghost {
            differing += 1;
        }
    }
    assert!(
        differing >= probes().len() / 2,
        "only {differing} probes noticed shared tenants"
    );
}
