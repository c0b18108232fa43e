//! Arbitrary JSON in every request body the provider reads: never a panic, never a 5xx (a
//! client's mistake is always a 4xx SCIM error), and a failed write changes nothing.

use proptest::prelude::*;
use scimtest::provider::service::{Projection, Provider};
use scimtest::provider::store::Kind;
use scimtest::provider::{ProviderConfig, TokenSpec};
use scimtest::scim::query::ListQuery;
use serde_json::{Value, json};

fn provider() -> Provider {
    let tokens = vec![TokenSpec {
        token: "t".into(),
        me: None,
    }];
    Provider::new(
        &ProviderConfig::default(),
        "http://127.0.0.1:1/scim/v2".into(),
        &tokens,
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

/// JSON values biased towards SCIM-looking shapes: real attribute names, URNs, op names.
fn scimish() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("schemas".to_string()),
        Just("userName".to_string()),
        Just("USERNAME".to_string()),
        Just("name".to_string()),
        Just("givenName".to_string()),
        Just("emails".to_string()),
        Just("primary".to_string()),
        Just("value".to_string()),
        Just("members".to_string()),
        Just("displayName".to_string()),
        Just("active".to_string()),
        Just("id".to_string()),
        Just("meta".to_string()),
        Just("Operations".to_string()),
        Just("op".to_string()),
        Just("path".to_string()),
        Just("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User".to_string()),
        "[a-zA-Z$.:\\[\\] \"]{0,12}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        prop_oneof![
            Just("urn:ietf:params:scim:schemas:core:2.0:User".to_string()),
            Just("urn:ietf:params:scim:schemas:core:2.0:Group".to_string()),
            Just("urn:ietf:params:scim:api:messages:2.0:PatchOp".to_string()),
            Just("Replace".to_string()),
            Just("remove".to_string()),
            Just("add".to_string()),
            Just("emails[type eq \"work\"].value".to_string()),
            Just("members[value eq \"x\"]".to_string()),
            Just("False".to_string()),
            ".{0,10}",
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::from),
            prop::collection::vec((key.clone(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn is_client_error(r: &Result<u16, scimtest::scim::ScimError>) -> bool {
    match r {
        Ok(s) => *s < 500,
        Err(e) => (400..500).contains(&e.status),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bodies_never_cause_5xx(body in scimish(), key in "(name|emails|active|members|urn:ietf:params:scim:schemas:extension:enterprise:2.0:User|addresses|x509Certificates|externalId|password|groups)", extra in scimish()) {
        let p = provider();
        let slot = p.authenticate(Some("t")).unwrap_or_else(|| panic!("token"));
        let proj = Projection::default();
        let user = p
            .create(slot, Kind::User, &json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "fixed"}), &proj)
            .unwrap_or_else(|e| panic!("{e}"));
        let created: Value = serde_json::from_slice(user.body.as_deref().unwrap_or_default()).unwrap_or_default();
        let id = created["id"].as_str().unwrap_or_default().to_string();
        let key = key.as_str();

        for kind in [Kind::User, Kind::Group] {
            let r = p.create(slot, kind, &body, &proj).map(|r| r.status);
            prop_assert!(is_client_error(&r), "create {kind:?}: {r:?}");
        }
        // A valid envelope with one attribute of arbitrary shape reaches deeper validation.
        let shaped = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "shaped", key: extra.clone()});
        let r = p.create(slot, Kind::User, &shaped, &proj).map(|r| r.status);
        prop_assert!(is_client_error(&r), "create shaped: {r:?}");
        let op = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "add", "path": key, "value": extra}]});
        let r = p.patch(slot, Kind::User, &id, &op, None, &proj).map(|r| r.status);
        prop_assert!(is_client_error(&r), "patch shaped: {r:?}");
        let r = p.replace(slot, Kind::User, &id, &body, None, &proj).map(|r| r.status);
        prop_assert!(is_client_error(&r), "replace: {r:?}");
        let patch_body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [body.clone()]});
        for b in [&body, &patch_body] {
            let before = p.get(slot, Kind::User, &id, &proj, None).map(|r| r.body);
            let r = p.patch(slot, Kind::User, &id, b, None, &proj).map(|r| r.status);
            prop_assert!(is_client_error(&r), "patch: {r:?}");
            if r.is_err() && before.is_ok() {
                let now = p.get(slot, Kind::User, &id, &proj, None).map(|r| r.body);
                prop_assert_eq!(&now, &before, "a failed PATCH changed the resource");
            }
        }
        let r = scimtest::provider::bulk::run(&p, slot, &body).map(|_| 200u16);
        prop_assert!(is_client_error(&r), "bulk: {r:?}");
        if let Ok(q) = ListQuery::from_search_request(&body) {
            let r = p.list(slot, &[Kind::User, Kind::Group], &q).map(|r| r.status);
            prop_assert!(is_client_error(&r), "search: {r:?}");
        }
    }
}
