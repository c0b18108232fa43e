//! The provider's state and resource operations — discovery, read, write (create/replace),
//! patch, delete, list/search, `/Me` — over the store, using the pure `scim` core for every
//! protocol rule. HTTP-free: each operation returns a `Reply` or a `ScimError`, which `http.rs`
//! turns into a response, and `bulk.rs` reuses. This file holds the state and shared helpers;
//! each operation has its own file.

mod delete;
mod discovery;
mod list;
mod me;
mod members;
mod patch;
mod read;
mod render;
mod write;

use crate::provider::config::{Limits, ProviderConfig, TokenSpec};
use crate::provider::hooks::{
    Discovery, EtagRule, Hooks, MeUnbound, Op, Semantics, Stage, Uniqueness,
};
use crate::provider::rate::TokenBucket;
use crate::provider::store::{Entry, Kind, Members, Tenant, TenantData, TenantWrite};
use crate::scim::filter::Filter;
use crate::scim::patch::PatchRequest;
use crate::scim::query::{self, ListQuery};
use crate::scim::registry::{self, Registry, ResourceSchema, SpcSettings};
use crate::scim::resource::{self, WriteMode};
use crate::scim::schema::AttrLookup;
use crate::scim::{AttrPath, ScimError, ScimResult};
use bytes::Bytes;
use serde_json::{Map, Value, json};
use std::sync::Arc;

/// A successful answer, before HTTP.
#[derive(Debug, Clone)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// The body (already projected).
    pub body: Option<Bytes>,
    /// The weak ETag of the resource, when there is one.
    pub etag: Option<String>,
    /// The `Location` header, for 201.
    pub location: Option<String>,
}

impl Reply {
    fn json(status: u16, v: &Value) -> Reply {
        Reply {
            status,
            body: Some(to_bytes(v)),
            etag: None,
            location: None,
        }
    }
    fn empty(status: u16) -> Reply {
        Reply {
            status,
            body: None,
            etag: None,
            location: None,
        }
    }
}

fn to_bytes(v: &Value) -> Bytes {
    // Serialising a `Value` to a Vec cannot fail (keys are strings, no non-finite floats).
    // `into_boxed_slice` drops the spare capacity the Vec grew: stored documents live long.
    Bytes::from(serde_json::to_vec(v).unwrap_or_default().into_boxed_slice())
}

/// `attributes` / `excludedAttributes` of a single-resource request.
#[derive(Debug, Clone, Default)]
pub struct Projection {
    /// Attributes asked for.
    pub attributes: Vec<AttrPath>,
    /// Attributes excluded.
    pub excluded: Vec<AttrPath>,
}

impl Projection {
    fn is_identity(&self) -> bool {
        self.attributes.is_empty() && self.excluded.is_empty()
    }
}

/// A tenant with the token that opens it.
#[derive(Debug)]
pub struct TenantSlot {
    token: Vec<u8>,
    /// The userName `/Me` resolves to.
    pub me: Option<String>,
    /// The data.
    pub tenant: Tenant,
    /// The tenant's request rate limit (`Limits::rate_limit_per_second`), if any.
    rate: Option<TokenBucket>,
}

impl TenantSlot {
    /// Whether the tenant may make one more request now (always, without a rate limit).
    pub fn admit(&self) -> bool {
        self.rate.as_ref().is_none_or(TokenBucket::try_take)
    }
}

/// The provider's state: schemas, configuration, tenants.
#[derive(Debug)]
pub struct Provider {
    /// The schema registry (RFC 7643 documents and the configured User extensions).
    pub registry: Registry,
    /// Absolute base URL, e.g. `http://127.0.0.1:8080/scim/v2`.
    pub base_url: String,
    /// The extension points (no-ops by default).
    pub hooks: Arc<dyn Hooks>,
    /// The behaviour switches, from the hooks.
    pub rules: Semantics,
    /// Limits.
    pub limits: Limits,
    /// Accept group members whose `value` is no existing resource (stored as sent).
    pub allow_unknown_members: bool,
    /// The OAuth token endpoint's clients and issued tokens, when any client is configured.
    pub oauth: Option<crate::provider::oauth::Issuer>,
    slots: Vec<TenantSlot>,
    spc: Bytes,
    /// Signs the RFC 9865 cursors this provider issues (random per start).
    cursor_key: [u8; 16],
}

/// How long after a write a lagging read (`Semantics::read_lag`) may serve the replaced version.
pub const STALE_WINDOW: std::time::Duration = std::time::Duration::from_millis(750);

/// Parse a weak or strong ETag list header and say whether `etag` is among them.
pub fn etag_matches(header: &str, etag: &str) -> bool {
    let bare = |s: &str| {
        s.trim()
            .trim_start_matches("W/")
            .trim_matches('"')
            .to_string()
    };
    let want = bare(etag);
    header
        .split(',')
        .any(|h| h.trim() == "*" || bare(h) == want)
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// A `meta.lastModified` for a change to a resource last modified at `prev`: now, or 1 ms past
/// `prev` when the clock has not moved on (timestamps have millisecond precision), so that every
/// change visibly advances it (RFC 7643 §3.1) and `meta.lastModified gt` filters see it.
fn modified_after(prev: Option<&str>) -> String {
    let now = chrono::Utc::now();
    let floor = prev
        .and_then(|p| chrono::DateTime::parse_from_rfc3339(p).ok())
        .map(|p| p.timestamp_millis().saturating_add(1));
    let at = match floor {
        Some(ms) if ms > now.timestamp_millis() => {
            chrono::DateTime::from_timestamp_millis(ms).unwrap_or(now)
        }
        _ => now,
    };
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn internal(detail: &str) -> ScimError {
    ScimError::new(500, None, detail)
}

fn parse_stored(json: &[u8]) -> ScimResult<Value> {
    serde_json::from_slice(json)
        .map_err(|e| internal(&format!("stored resource is unreadable: {e}")))
}

impl Provider {
    /// Build the provider state for `config` serving at `base_url`.
    pub fn new(
        config: &ProviderConfig,
        base_url: String,
        tokens: &[TokenSpec],
    ) -> ScimResult<Provider> {
        let registry = Registry::rfc7643_with(&config.user_extensions)
            .map_err(|e| internal(&e.to_string()))?;
        let limits = config.limits.clone();
        let hooks = config.hooks.clone();
        let mut rules = hooks.semantics(&limits);
        rules.allow_unknown_members |= config.allow_unknown_members;
        let mut spc = registry::service_provider_config(
            &SpcSettings {
                patch: true,
                bulk: true,
                bulk_max_operations: limits.bulk_max_operations,
                bulk_max_payload_size: limits.bulk_max_payload_bytes,
                filter: true,
                filter_max_results: limits.filter_max_results,
                change_password: true,
                sort: true,
                etag: true,
                documentation_uri: Some("https://github.com/scimtest/scimtest#readme".into()),
                pagination: Some(registry::PaginationSettings {
                    cursor: true,
                    index: true,
                    default_method: "index",
                    default_page_size: limits.default_count.min(limits.filter_max_results),
                    max_page_size: limits.filter_max_results,
                    cursor_timeout: None,
                }),
            },
            &base_url,
        );
        hooks.discovery(Discovery::ServiceProviderConfig, &mut spc)?;
        let slots = tokens
            .iter()
            .map(|t| TenantSlot {
                token: t.token.as_bytes().to_vec(),
                me: t.me.clone(),
                tenant: Tenant::default(),
                rate: limits.rate_limit_per_second.map(TokenBucket::new),
            })
            .collect();
        Ok(Provider {
            registry,
            base_url,
            hooks,
            rules,
            limits,
            allow_unknown_members: config.allow_unknown_members,
            oauth: (!config.oauth_clients.is_empty()).then(|| {
                crate::provider::oauth::Issuer::new(
                    &config.oauth_clients,
                    config.oauth_token_lifetime,
                    config.oauth_clock.clone(),
                )
            }),
            slots,
            spc: to_bytes(&spc),
            cursor_key: *uuid::Uuid::new_v4().as_bytes(),
        })
    }

    /// The tenant whose token is `token`, compared in constant time against every static token,
    /// else the tenant of an unexpired token the OAuth token endpoint issued.
    pub fn authenticate(&self, token: Option<&str>) -> Option<&TenantSlot> {
        use subtle::ConstantTimeEq;
        if !self.rules.require_token {
            return self.slots.first();
        }
        let text = token?;
        let token = text.as_bytes();
        let mut found = None;
        for slot in &self.slots {
            let eq: bool = (slot.token.len() == token.len()) & bool::from(slot.token.ct_eq(token));
            if eq && found.is_none() {
                found = Some(slot);
            }
        }
        if found.is_none()
            && let Some(issuer) = &self.oauth
            && let crate::provider::oauth::TokenState::Valid(i) = issuer.check(text)
        {
            found = self.slots.get(i);
        }
        if !self.rules.isolate_tenants && found.is_some() {
            return self.slots.first();
        }
        found
    }

    /// Whether this kind of resource is served (`Semantics::groups` for groups).
    pub fn serves(&self, kind: Kind) -> bool {
        match kind {
            Kind::User => true,
            Kind::Group => self.rules.groups,
        }
    }

    /// The served kind whose endpoint is `ep` (`Users`, `Groups`), if any.
    pub fn endpoint_kind(&self, ep: &str) -> Option<Kind> {
        Kind::from_endpoint(ep).filter(|k| self.serves(*k))
    }

    /// The kinds the root `.search` covers: every served kind.
    pub fn served_kinds(&self) -> Vec<Kind> {
        [Kind::User, Kind::Group]
            .into_iter()
            .filter(|k| self.serves(*k))
            .collect()
    }

    fn schema(&self, kind: Kind) -> ScimResult<ResourceSchema<'_>> {
        self.registry
            .lookup(kind.id())
            .ok_or_else(|| internal("resource type missing from the registry"))
    }

    fn location(&self, kind: Kind, id: &str) -> String {
        if self.rules.path_absolute_locations {
            format!("/scim/v2/{}/{id}", kind.endpoint())
        } else {
            format!("{}/{}/{id}", self.base_url, kind.endpoint())
        }
    }

    fn etag(&self, version: u64) -> Option<String> {
        match self.rules.etags {
            EtagRule::Versioned => Some(format!("W/\"{version}\"")),
            EtagRule::Constant(tag) => Some(tag.into()),
            EtagRule::Off => None,
        }
    }

    /// Create `n` synthetic users in the first tenant: `seed-{i}@example.com`, with a name, a work
    /// email and the enterprise extension (a typical IdP-provisioned user).
    pub fn seed_users(&self, n: usize) -> ScimResult<()> {
        let Some(slot) = self.slots.first() else {
            return Ok(());
        };
        let proj = Projection::default();
        for i in 0..n {
            let body = json!({
                "schemas": [crate::scim::schema::USER_SCHEMA, crate::scim::schema::ENTERPRISE_USER_SCHEMA],
                "userName": format!("seed-{i}@example.com"),
                "externalId": format!("ext-{i}"),
                "name": {"givenName": "Seed", "familyName": format!("User{i}")},
                "displayName": format!("Seed User {i}"),
                "emails": [{"value": format!("seed-{i}@example.com"), "type": "work", "primary": true}],
                "active": true,
                crate::scim::schema::ENTERPRISE_USER_SCHEMA: {"employeeNumber": i.to_string(), "department": format!("D{}", i % 50)}
            });
            self.create(slot, Kind::User, &body, &proj)?;
        }
        Ok(())
    }

    /// The tenant's resource count of a kind (tests, start-up banner).
    pub fn count(&self, slot: &TenantSlot, kind: Kind) -> usize {
        slot.tenant.data.read().table(kind).len()
    }
}

/// A stored resource without the server-set fields (`id`, `meta`, computed `groups`), for
/// comparing content.
fn strip_server_fields(v: &Value) -> Map<String, Value> {
    let mut m = v.as_object().cloned().unwrap_or_default();
    for k in ["id", "meta", "groups"] {
        m.shift_remove(k);
    }
    m
}

/// The value at `path` as written (no case folding).
pub fn raw_value(map: &Map<String, Value>, path: &AttrPath) -> Option<String> {
    let top = match &path.urn {
        Some(urn) => map.get(urn.as_str())?.get(path.attr.as_str())?,
        None => map.get(path.attr.as_str())?,
    };
    let v = match &path.sub {
        Some(s) => top.get(s.as_str())?,
        None => top,
    };
    v.as_str().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modified_after_always_advances_past_the_previous_stamp() {
        let now = now();
        let next = modified_after(Some(&now));
        assert!(next > now, "{next} > {now}");
        let future = "2999-01-01T00:00:00.000Z";
        assert_eq!(modified_after(Some(future)), "2999-01-01T00:00:00.001Z");
        let past = "2000-01-01T00:00:00Z";
        assert!(modified_after(Some(past)).as_str() >= now.as_str());
        assert!(modified_after(Some("garbage")).as_str() >= now.as_str());
    }

    #[test]
    fn etag_matching_handles_weak_lists_and_star() {
        assert!(etag_matches("W/\"3\"", "W/\"3\""));
        assert!(etag_matches("\"3\"", "W/\"3\""));
        assert!(etag_matches("W/\"1\", W/\"3\"", "W/\"3\""));
        assert!(etag_matches("*", "W/\"3\""));
        assert!(!etag_matches("W/\"4\"", "W/\"3\""));
    }
}
