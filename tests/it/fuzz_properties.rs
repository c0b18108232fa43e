//! The invariants of the cargo-fuzz targets (`fuzz/`), as proptest properties in the normal test
//! run, against the real schema registry and resources stored by the real provider: filter parsing
//! never panics and round-trips what it accepts; PATCH on arbitrary operation lists never panics,
//! never mutates its input, and either leaves a resource that passes the provider's own
//! whole-resource validation or fails with a 4xx SCIM error. Regressions found by fuzzing are
//! pinned here too (see fuzz/README.md).

use proptest::prelude::*;
use scimtest::provider::service::{Projection, Provider};
use scimtest::provider::store::Kind;
use scimtest::provider::{ProviderConfig, TokenSpec};
use scimtest::scim::filter::Filter;
use scimtest::scim::patch::{self, PatchPath, PatchRequest};
use scimtest::scim::resource::{self, WriteMode};
use serde_json::{Value, json};
use std::sync::LazyLock;

const ENT: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// A provider holding one full User and one Group that lists it, and their stored forms.
struct Stored {
    provider: Provider,
    user: Value,
    group: Value,
}

static STORED: LazyLock<Stored> = LazyLock::new(|| {
    let tokens = [TokenSpec {
        token: "t".into(),
        me: None,
    }];
    let provider = Provider::new(
        &ProviderConfig::default(),
        "http://127.0.0.1:1/scim/v2".into(),
        &tokens,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let slot = provider
        .authenticate(Some("t"))
        .unwrap_or_else(|| panic!("token"));
    let proj = Projection::default();
    let id_of = |r: Result<scimtest::provider::service::Reply, scimtest::scim::ScimError>| {
        let r = r.unwrap_or_else(|e| panic!("{e}"));
        let v: Value = serde_json::from_slice(r.body.as_deref().unwrap_or_default())
            .unwrap_or_else(|e| panic!("{e}"));
        v["id"].as_str().unwrap_or_default().to_string()
    };
    let user_id = id_of(provider.create(
        slot,
        Kind::User,
        &json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENT],
            "userName": "bjensen@example.com",
            "externalId": "bjensen",
            "name": {"familyName": "Jensen", "givenName": "Barbara"},
            "displayName": "Babs Jensen",
            "title": "Tour Guide",
            "active": true,
            "emails": [
                {"value": "bjensen@example.com", "type": "work", "primary": true},
                {"value": "babs@jensen.org", "type": "home"}
            ],
            "addresses": [{"type": "work", "locality": "Hollywood", "primary": true}],
            "roles": [{"value": "tour-guide"}],
            ENT: {"employeeNumber": "701984", "manager": {"value": "m-1"}}
        }),
        &proj,
    ));
    let group_id = id_of(provider.create(
        slot,
        Kind::Group,
        &json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "Tour Guides",
            "members": [{"value": user_id}]
        }),
        &proj,
    ));
    let stored = |kind, id: &str| -> Value {
        let e = provider
            .snapshot(slot, kind, id)
            .unwrap_or_else(|| panic!("{id} missing"));
        serde_json::from_slice(&e.stored()).unwrap_or_else(|e| panic!("{e}"))
    };
    let user = stored(Kind::User, &user_id);
    let group = stored(Kind::Group, &group_id);
    Stored {
        provider,
        user,
        group,
    }
});

/// Filter-ish text: real attribute paths, operators, literals, brackets and junk, concatenated.
fn filter_soup() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        4 => proptest::sample::select(vec![
            "userName", "emails", "emails.value", "emails.type", "name.givenName", "members",
            "members.value", "meta.created", "meta.lastModified", "active", "id", "externalId",
            "urn:ietf:params:scim:schemas:core:2.0:User:userName",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
            "type", "value", "primary", "display", "$ref", "schemas",
        ]).prop_map(str::to_string),
        6 => proptest::sample::select(vec![
            " ", " ", " ", "\t", "(", ")", "[", "]", " eq ", " ne ", " co ", " sw ", " ew ",
            " gt ", " ge ", " lt ", " le ", " pr", " and ", " or ", "not ", "not(", "EQ", "Pr",
        ]).prop_map(str::to_string),
        3 => proptest::sample::select(vec![
            "\"bjensen\"", "\"work\"", "\"\"", "\"a\\\"b\"", "\"\\u00e9\"", "\"\\ud83d\"", "true",
            "false", "null", "1", "-0", "1e400", "1.5e-3", "\"2011-05-13T04:42:34Z\"", "\"",
            "\\", "é", "\u{0}", ".", ":", "urn:",
        ]).prop_map(str::to_string),
        1 => "[ -~]{0,4}".prop_map(|s: String| s),
    ];
    proptest::collection::vec(token, 0..16).prop_map(|t| t.concat())
}

/// PATCH paths: valid ones of the User and Group schemas, odd ones, and broken ones.
fn patch_path() -> impl Strategy<Value = Option<String>> {
    let known = proptest::sample::select(vec![
        "userName",
        "USERNAME",
        "name",
        "name.givenName",
        "name.bogus",
        "displayName",
        "nickName",
        "title",
        "active",
        "password",
        "externalId",
        "id",
        "meta",
        "meta.created",
        "schemas",
        "groups",
        "emails",
        "emails.value",
        "emails[type eq \"work\"]",
        "emails[type eq \"work\"].value",
        "emails[primary eq true].type",
        "emails[value co \"@\" and not (type eq \"home\")]",
        "emails[type eq \"nope\"].value",
        "addresses[type eq \"work\"].locality",
        "phoneNumbers",
        "roles",
        "x509Certificates[value eq \"x\"]",
        "members",
        "members.value",
        "members[value eq \"m\"]",
        "members[display pr]",
        "displayName[value eq \"x\"]",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
        "urn:ietf:params:scim:schemas:core:2.0:User:name.familyName",
        "urn:ietf:params:scim:schemas:core:2.0:Group:displayName",
        "",
        "emails[",
        "emails]",
        "emails[type eq \"work\"",
        "emails[type eq].value",
        "emails[emails[type eq \"x\"]]",
        "name..givenName",
        "urn:",
        ".",
    ])
    .prop_map(str::to_string);
    prop_oneof![
        1 => Just(None),
        8 => known.prop_map(Some),
        1 => "[ -~]{0,12}".prop_map(Some),
    ]
}

/// PATCH values: SCIM-shaped leaves, arrays and objects with real attribute names.
fn patch_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        Just(json!(1.5)),
        proptest::sample::select(vec![
            "x",
            "",
            "True",
            "false",
            "work",
            "home",
            "m",
            "bjensen@example.com",
            "2011-05-13T04:42:34Z",
            ENT,
        ])
        .prop_map(Value::from),
        "[ -~]{0,6}".prop_map(Value::from),
    ];
    let key = proptest::sample::select(vec![
        "value",
        "type",
        "primary",
        "display",
        "givenName",
        "familyName",
        "userName",
        "displayName",
        "active",
        "emails",
        "name",
        "name.givenName",
        "members",
        "id",
        "schemas",
        "meta",
        "manager",
        "employeeNumber",
        ENT,
        "bogus",
    ]);
    leaf.prop_recursive(3, 24, 4, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            proptest::collection::vec((key.clone(), inner), 0..4).prop_map(|kv| Value::Object(
                kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
            )),
        ]
    })
}

fn patch_op() -> impl Strategy<Value = Value> {
    (
        proptest::sample::select(vec!["add", "remove", "replace", "Replace", "ADD", "move"]),
        patch_path(),
        proptest::option::of(patch_value()),
    )
        .prop_map(|(op, path, value)| {
            let mut o = serde_json::Map::new();
            o.insert("op".into(), Value::from(op));
            if let Some(p) = path {
                o.insert("path".into(), Value::from(p));
            }
            if let Some(v) = value {
                o.insert("value".into(), v);
            }
            Value::Object(o)
        })
}

/// The PATCH steps of the provider (envelope, apply, whole-resource validation) on `stored`.
fn check_patch(rt: &str, stored: &Value, body: &Value) -> Result<(), TestCaseError> {
    let schema = STORED
        .provider
        .registry
        .lookup(rt)
        .unwrap_or_else(|| panic!("no {rt} schema"));
    let req = match PatchRequest::from_json(body) {
        Ok(r) => r,
        Err(e) => {
            prop_assert!((400..500).contains(&e.status), "envelope: {e:?}");
            return Ok(());
        }
    };
    let before = stored.clone();
    let out = patch::apply(stored, &req, &schema);
    prop_assert_eq!(&before, stored, "apply mutated its input");
    match out {
        Err(e) => prop_assert!((400..500).contains(&e.status), "{rt}: {e:?}"),
        Ok(o) => {
            prop_assert_eq!(o.changed, o.resource != *stored);
            // What `store_patched` runs before writing: the whole resource is validated again.
            // `apply` may build values it does not type-check itself (an `add` whose filter
            // matches nothing appends an element carrying the filter's literals, e.g.
            // `x509Certificates[value eq "x"]` gives a non-base64 value); the provider then
            // answers 400 and stores nothing, which is what must hold.
            if let Err(e) = resource::normalize(&o.resource, &schema, WriteMode::Replace) {
                prop_assert!(
                    (400..500).contains(&e.status),
                    "{rt}: {body} left a resource whose validation fails with {e:?}"
                );
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn filter_parse_never_panics_and_round_trips_what_it_accepts(s in filter_soup()) {
        let f = match Filter::parse(&s) {
            Ok(f) => f,
            Err(e) => {
                prop_assert!(e.pos <= s.len() && s.is_char_boundary(e.pos), "{e:?}");
                let _ = e.render();
                return Ok(());
            }
        };
        let text = f.to_string();
        let again = Filter::parse(&text).map_err(|e| TestCaseError::fail(e.render()))?;
        prop_assert_eq!(&again, &f, "{:?} → {:?}", s, text);
        for (rt, stored) in [("User", &STORED.user), ("Group", &STORED.group)] {
            let schema = STORED.provider.registry.lookup(rt).unwrap_or_else(|| panic!("{rt}"));
            if let Err(e) = f.validate(&schema) {
                prop_assert!((400..500).contains(&e.status), "{e:?}");
            }
            let _ = f.matches(stored, &schema);
        }
    }

    #[test]
    fn patch_path_parse_never_panics_and_round_trips(p in patch_path(), junk in "[ -~]{0,3}") {
        let s = format!("{}{junk}", p.unwrap_or_default());
        match PatchPath::parse(&s) {
            Ok(pp) => {
                let again = PatchPath::parse(&pp.to_string()).map_err(|e| TestCaseError::fail(format!("{pp}: {e}")))?;
                prop_assert_eq!(again, pp);
            }
            Err(e) => prop_assert_eq!(e.status, 400),
        }
    }

    #[test]
    fn patch_on_arbitrary_ops_leaves_a_valid_resource_or_fails_with_4xx(
        ops in proptest::collection::vec(patch_op(), 1..5),
    ) {
        let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops});
        check_patch("User", &STORED.user, &body)?;
        check_patch("Group", &STORED.group, &body)?;
    }
}

/// Found by fuzzing (`patch_path`): a multi-byte character across byte 4 of a PATCH path or a
/// path-less value key panicked in `looks_like_urn`. Through the provider it is a 400.
#[test]
fn regression_multibyte_path_or_value_key_is_a_400_not_a_panic() {
    let p = &STORED.provider;
    let slot = p.authenticate(Some("t")).unwrap_or_else(|| panic!("token"));
    let id = STORED.user["id"].as_str().unwrap_or_default();
    for op in [
        json!({"op": "add", "path": "een\u{331e}men", "value": "x"}),
        json!({"op": "add", "value": {"ab\u{20ac}": "x"}}),
        json!({"op": "remove", "path": "emails[type eq \"w\"].a\u{10000}"}),
    ] {
        let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [op]});
        let r = p.patch(slot, Kind::User, id, &body, None, &Projection::default());
        match r {
            Err(e) => assert_eq!(e.status, 400, "{e:?}"),
            Ok(r) => panic!("{op}: accepted with {}", r.status),
        }
    }
}

/// Found by `patch_on_arbitrary_ops_leaves_a_valid_resource_or_fails_with_4xx`: an `add` whose
/// value filter matches nothing appends an element built from the filter's literal, which `apply`
/// does not type-check; the provider's whole-resource validation must turn it into a 400
/// `invalidValue` that stores nothing (not a 5xx, not a stored non-base64 certificate).
#[test]
fn add_through_an_unmatched_filter_with_an_invalid_literal_is_a_400_and_stores_nothing() {
    let p = &STORED.provider;
    let slot = p.authenticate(Some("t")).unwrap_or_else(|| panic!("token"));
    let id = STORED.user["id"].as_str().unwrap_or_default();
    let proj = Projection::default();
    let before = p
        .get(slot, Kind::User, id, &proj, None)
        .unwrap_or_else(|e| panic!("{e}"))
        .body;
    let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "ADD", "path": "x509Certificates[value eq \"x\"]", "value": [{}]}]});
    match p.patch(slot, Kind::User, id, &body, None, &proj) {
        Err(e) => {
            assert_eq!(e.status, 400, "{e:?}");
            assert_eq!(
                e.scim_type,
                Some(scimtest::scim::ScimType::InvalidValue),
                "{e:?}"
            );
        }
        Ok(r) => panic!("accepted with {}", r.status),
    }
    let after = p
        .get(slot, Kind::User, id, &proj, None)
        .unwrap_or_else(|e| panic!("{e}"))
        .body;
    assert_eq!(after, before, "a failed PATCH changed the user");
}
