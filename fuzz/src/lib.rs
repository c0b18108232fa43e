//! Shared fixtures of the fuzz targets: a reference provider with one fixed User and one fixed
//! Group (built through the provider's own create path, so their stored form is the real one),
//! and the invariants every answer must satisfy. Not part of scimtest; built only by cargo-fuzz.

use scimtest::provider::service::{Projection, Provider};
use scimtest::provider::store::{Entry, Kind};
use scimtest::provider::{ProviderConfig, TokenSpec};
use scimtest::scim::ScimError;
use serde_json::{Value, json};
use std::sync::Arc;

/// The bearer token of the fixture provider's one tenant.
pub const TOKEN: &str = "fuzz-token";

/// A provider whose tenant holds [`sample_user`] and [`sample_group`] (the group lists the user).
pub struct Fixture {
    /// The provider (the same state the axum router serves).
    pub provider: Arc<Provider>,
    /// The fixed User as stored.
    pub user: Arc<Entry>,
    /// The fixed Group as stored.
    pub group: Arc<Entry>,
}

/// The fixed User's POST body: every kind of attribute the User schema has (complex,
/// multi-valued with primary, the enterprise extension with a manager, a writeOnly password).
pub fn sample_user() -> Value {
    json!({
        "schemas": [
            "urn:ietf:params:scim:schemas:core:2.0:User",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
        ],
        "userName": "bjensen@example.com",
        "externalId": "bjensen",
        "name": {"formatted": "Ms. Barbara J Jensen III", "familyName": "Jensen", "givenName": "Barbara"},
        "displayName": "Babs Jensen",
        "nickName": "Babs",
        "title": "Tour Guide",
        "userType": "Employee",
        "preferredLanguage": "en-US",
        "locale": "en-US",
        "timezone": "America/Los_Angeles",
        "active": true,
        "password": "t1meMa$heen",
        "emails": [
            {"value": "bjensen@example.com", "type": "work", "primary": true},
            {"value": "babs@jensen.org", "type": "home"}
        ],
        "phoneNumbers": [{"value": "555-555-5555", "type": "work"}],
        "addresses": [{"type": "work", "streetAddress": "100 Universal City Plaza",
                       "locality": "Hollywood", "region": "CA", "postalCode": "91608",
                       "country": "USA", "primary": true}],
        "roles": [{"value": "tour-guide"}],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
            "employeeNumber": "701984",
            "costCenter": "4130",
            "department": "Tour Operations",
            "manager": {"value": "26118915-6090-4610-87e4-49d8ca9f808d"}
        }
    })
}

/// The fixed Group's POST body; `member` is the id of the fixed User.
pub fn sample_group(member: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "displayName": "Tour Guides",
        "externalId": "tour-guides",
        "members": [{"value": member}]
    })
}

impl Fixture {
    /// Build the provider and create the fixed User and Group through its service layer.
    pub fn new() -> Fixture {
        let config = ProviderConfig::default();
        let tokens = [TokenSpec {
            token: TOKEN.into(),
            me: None,
        }];
        let provider = Provider::new(&config, "http://127.0.0.1:1/scim/v2".into(), &tokens)
            .unwrap_or_else(|e| panic!("provider: {e}"));
        let slot = provider
            .authenticate(Some(TOKEN))
            .unwrap_or_else(|| panic!("the fixture token does not authenticate"));
        let proj = Projection::default();
        let user_id = created_id(provider.create(slot, Kind::User, &sample_user(), &proj));
        let group_id =
            created_id(provider.create(slot, Kind::Group, &sample_group(&user_id), &proj));
        let user = provider
            .snapshot(slot, Kind::User, &user_id)
            .unwrap_or_else(|| panic!("fixed user missing"));
        let group = provider
            .snapshot(slot, Kind::Group, &group_id)
            .unwrap_or_else(|| panic!("fixed group missing"));
        Fixture {
            provider: Arc::new(provider),
            user,
            group,
        }
    }

    /// Put the tenant back to exactly the fixed User and Group (after a request changed it), so
    /// every input runs against the same state and a crash reproduces from its input alone.
    pub fn reset(&self) {
        let slot = self
            .provider
            .authenticate(Some(TOKEN))
            .unwrap_or_else(|| panic!("the fixture token does not authenticate"));
        let mut d = slot.tenant.data.write();
        *d = Default::default();
        d.users.put(Entry::clone(&self.user));
        d.put_group(Entry::clone(&self.group));
    }

    /// The stored JSON of an entry.
    pub fn stored(entry: &Entry) -> Value {
        serde_json::from_slice(&entry.stored()).unwrap_or_else(|e| panic!("stored json: {e}"))
    }
}

impl Default for Fixture {
    fn default() -> Self {
        Fixture::new()
    }
}

fn created_id(r: Result<scimtest::provider::service::Reply, ScimError>) -> String {
    let reply = r.unwrap_or_else(|e| panic!("fixture create failed: {e:?}"));
    let body: Value = serde_json::from_slice(reply.body.as_deref().unwrap_or(b"{}"))
        .unwrap_or_else(|e| panic!("fixture reply: {e}"));
    body["id"]
        .as_str()
        .unwrap_or_else(|| panic!("fixture reply has no id: {body}"))
        .to_string()
}

/// A client mistake must be answered with a 4xx: a 5xx (or anything else) for bad input is a bug.
pub fn assert_client_error(e: &ScimError, context: &str) {
    assert!(
        (400..500).contains(&e.status),
        "{context}: bad input answered with status {} (want 4xx): {e:?}",
        e.status
    );
}

/// An RFC 7644 §3.12 error body: `schemas` holds the Error URN, `status` is the HTTP status as a
/// string, `detail` (when present) is a string.
pub fn assert_error_body(status: u16, body: &[u8], context: &str) {
    let v: Value = serde_json::from_slice(body)
        .unwrap_or_else(|e| panic!("{context}: {status} with a non-JSON body ({e})"));
    assert!(
        v["schemas"]
            .as_array()
            .is_some_and(|s| s.iter().any(|u| u == scimtest::scim::error::ERROR_SCHEMA)),
        "{context}: {status} body lacks the Error schema: {v}"
    );
    assert_eq!(
        v["status"].as_str(),
        Some(status.to_string().as_str()),
        "{context}: error body status differs from the HTTP status: {v}"
    );
    assert!(
        v.get("detail").is_none_or(Value::is_string),
        "{context}: detail is not a string: {v}"
    );
}
