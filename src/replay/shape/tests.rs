//! Tests of `replay::shape`: the examples/ configurations applied to the embedded fixtures
//! (what is left out and why, setup creates, group push, mapped attributes, matching), and a
//! configuration that configures everything leaving every fixture as it is.

use super::*;
use crate::replay::fixture::embedded;
use crate::scim::provisioning::parse;

fn fixture(key: &str) -> Fixture {
    embedded()
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .find(|f| f.key() == key)
        .unwrap_or_else(|| panic!("no fixture {key}"))
}

fn example(name: &str) -> ProvisioningConfig {
    let path = format!("{}/examples/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    parse(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn flow(s: Shaped) -> Fixture {
    match s {
        Shaped::Flow(f) => *f,
        Shaped::NotConfigured(why) => panic!("not configured: {why}"),
    }
}

fn names(f: &Fixture) -> Vec<&str> {
    f.steps.iter().map(|s| s.name.as_str()).collect()
}

#[test]
fn users_only_crd_leaves_out_groups_updates_and_deactivation() {
    let cfg = example("users-only-crd.toml");
    assert!(matches!(
        shape(&fixture("entra/default/group-lifecycle"), &cfg),
        Shaped::NotConfigured(w) if w == "groups are not provisioned"
    ));
    let conn = flow(shape(&fixture("entra/default/connection"), &cfg));
    assert_eq!(names(&conn), ["probe-random-user"]);
    let users = flow(shape(&fixture("entra/default/user-lifecycle"), &cfg));
    assert!(
        users.steps.iter().all(|s| s.request.method != "PATCH"),
        "{:?}",
        names(&users)
    );
    assert!(names(&users).contains(&"hard-delete-user"));
    assert!(names(&users).contains(&"read-deleted-user"));
    // Each left-out write takes its read-back along, and says why.
    let why = |step: &str| {
        users
            .left_out
            .iter()
            .find(|l| l.step == step)
            .map(|l| l.why.as_str())
            .unwrap_or_else(|| panic!("{step} not left out: {:?}", users.left_out))
    };
    assert_eq!(
        why("update-attributes"),
        "update is not a target object action for users"
    );
    assert_eq!(
        why("read-back-update-attributes"),
        "reads back a write left out"
    );
    assert!(why("disable-user").starts_with("deprovision is \"delete\""));
    let sync = flow(shape(&fixture("entra/default/full-sync"), &cfg));
    assert!(
        sync.steps
            .iter()
            .all(|s| !s.request.path.starts_with("/Groups") && s.request.method != "PATCH"),
        "{:?}",
        names(&sync)
    );
}

#[test]
fn users_only_creates_send_only_what_is_mapped() {
    let cfg = example("users-only-crd.toml");
    let users = flow(shape(&fixture("entra/default/user-lifecycle"), &cfg));
    let create = users
        .steps
        .iter()
        .find(|s| s.name == "create-user")
        .and_then(|s| s.request.body.clone())
        .unwrap_or_default();
    let keys: BTreeSet<&str> = create
        .as_object()
        .map(|m| m.keys().map(String::as_str).collect())
        .unwrap_or_default();
    assert_eq!(
        keys,
        ["active", "emails", "name", "schemas", "userName"].into(),
        "{create}"
    );
    // The enterprise extension is not mapped: no longer declared in schemas either.
    assert_eq!(
        create["schemas"],
        json!(["urn:ietf:params:scim:schemas:core:2.0:User"])
    );
}

#[test]
fn groups_update_only_seeds_creates_and_pushes_only_named_groups() {
    let cfg = example("groups-update-only-scoped.toml");
    let sync = flow(shape(&fixture("okta/group-push/full-sync"), &cfg));
    let n = names(&sync);
    assert!(n.contains(&"link-push-membership-engineering"), "{n:?}");
    for gone in [
        "create-group-sales",
        "push-membership-sales",
        "unlink-and-delete-engineering",
        "read-back-unlink-and-delete-engineering",
        "verify-sales-left-in-place",
    ] {
        assert!(!n.contains(&gone), "{gone} kept: {n:?}");
    }
    let life = flow(shape(&fixture("okta/group-push/group-lifecycle"), &cfg));
    let create = life
        .steps
        .iter()
        .find(|s| s.name == "create-group")
        .unwrap_or_else(|| panic!("{:?}", names(&life)));
    assert!(create.setup && create.synthetic, "{create:?}");
    assert!(!names(&life).contains(&"unlink-and-delete-group"));
    // Users are still created by the IdP: not setup steps.
    let member = life.steps.iter().find(|s| s.name == "create-member-1");
    assert!(member.is_some_and(|s| !s.setup));
}

#[test]
fn a_custom_extension_is_sent_on_create_and_updated_and_read_back() {
    let cfg = example("custom-extension.toml");
    let users = flow(shape(&fixture("entra/default/user-lifecycle"), &cfg));
    let urn = "urn:ietf:params:scim:schemas:extension:Contoso:2.0:User";
    let create = users
        .steps
        .iter()
        .find(|s| s.name == "create-user")
        .and_then(|s| s.request.body.clone())
        .unwrap_or_default();
    assert_eq!(
        create[urn],
        json!({"costCenter": "CC-4711", "badgeNumber": 80231, "remoteWorker": true})
    );
    assert!(
        create["schemas"]
            .as_array()
            .is_some_and(|a| a.contains(&json!(urn)))
    );
    let update = users
        .steps
        .iter()
        .find(|s| s.name == "update-attributes")
        .and_then(|s| s.request.body.clone())
        .unwrap_or_default();
    let ops = update["Operations"].as_array().cloned().unwrap_or_default();
    assert_eq!(ops.len(), 4, "{update}");
    assert!(
        ops.iter().all(|o| o["op"] == "Replace"),
        "Entra's spelling: {update}"
    );
    assert!(
        ops.contains(
            &json!({"op": "Replace", "path": format!("{urn}:badgeNumber"), "value": 80232})
        )
    );
    assert!(ops.contains(
        &json!({"op": "Replace", "path": format!("{urn}:remoteWorker"), "value": false})
    ));
    let read_back = users
        .steps
        .iter()
        .find(|s| s.name == "read-back-update-attributes")
        .unwrap_or_else(|| panic!("{:?}", names(&users)));
    let pointers: Vec<&str> = read_back
        .expect
        .body
        .iter()
        .map(|c| c.pointer.as_str())
        .collect();
    assert!(
        pointers.contains(&format!("/{urn}/costCenter").as_str()),
        "{pointers:?}"
    );
    assert!(pointers.contains(&"/emails"), "{pointers:?}");
    // Entra's own later updates (nickName, manager) are not mapped: left out with their reads.
    assert!(!names(&users).contains(&"add-nickname"));
    assert!(!names(&users).contains(&"read-back-add-nickname"));
    assert!(!names(&users).contains(&"set-manager"));
}

#[test]
fn existence_checks_filter_on_the_matching_attribute() {
    let cfg = parse("[users]\nmatching = \"externalId\"\n").unwrap_or_else(|e| panic!("{e}"));
    let users = flow(shape(&fixture("entra/default/user-lifecycle"), &cfg));
    let check = &users.steps[0];
    assert_eq!(
        check.request.query["filter"],
        json!("externalId eq \"{{uuid.user1_object_id}}\"")
    );
    // Okta sends no externalId: the create gets one, and the lookup asks for it.
    let okta = flow(shape(&fixture("okta/oin/user-lifecycle"), &cfg));
    let create = okta.steps.iter().find(|s| s.name == "create-user");
    let sent = create
        .and_then(|s| s.request.body.as_ref())
        .and_then(|b| b.get("externalId"))
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{create:?}"))
        .to_string();
    assert_eq!(
        okta.steps[0].request.query["filter"],
        json!(format!("externalId eq \"{sent}\""))
    );
}

#[test]
fn everything_configured_changes_nothing() {
    let cfg = parse("").unwrap_or_else(|e| panic!("{e}"));
    for fx in embedded().unwrap_or_else(|e| panic!("{e}")) {
        let shaped = flow(shape(&fx, &cfg));
        assert_eq!(shaped.steps, fx.steps, "{}", fx.key());
        assert!(shaped.left_out.is_empty(), "{}", fx.key());
    }
}

#[test]
fn target_paths_split_and_round_trip() {
    for t in [
        "userName",
        "name.givenName",
        "emails[type eq \"work\"].value",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
        "urn:ietf:params:scim:schemas:extension:Contoso:2.0:User:costCenter",
    ] {
        let parsed = split_target(t).unwrap_or_else(|| panic!("{t}"));
        assert_eq!(target_text(&parsed), t);
    }
    let mut body = json!({"schemas": []});
    let t = split_target("emails[type eq \"work\"].value").unwrap_or_else(|| panic!());
    set_at(&mut body, &t, json!("a@b.example"));
    assert_eq!(value_at(&body, &t), Some(json!("a@b.example")));
    assert_eq!(
        body["emails"],
        json!([{"type": "work", "value": "a@b.example", "primary": true}])
    );
}
