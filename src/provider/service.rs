//! The provider's resource operations — create, read, replace, patch, delete, list/search — over
//! the store, using the pure `scim` core for every protocol rule. HTTP-free: each operation
//! returns a `Reply` or a `ScimError`, which `http.rs` turns into a response, and `bulk.rs` reuses.

use crate::provider::config::{Limits, ProviderConfig, TokenSpec};
use crate::provider::fault::{Fault, Faults};
use crate::provider::store::{Entry, Kind, Tenant, TenantData};
use crate::scim::error::ScimType;
use crate::scim::filter::Filter;
use crate::scim::patch::{self, PatchRequest};
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
}

/// The provider's state: schemas, configuration, tenants.
#[derive(Debug)]
pub struct Provider {
    /// The schema registry (RFC 7643 documents).
    pub registry: Registry,
    /// Absolute base URL, e.g. `http://127.0.0.1:8080/scim/v2`.
    pub base_url: String,
    /// Faults switched on.
    pub faults: Faults,
    /// Limits.
    pub limits: Limits,
    /// Accept group members whose `value` is no existing resource (stored as sent).
    pub allow_unknown_members: bool,
    slots: Vec<TenantSlot>,
    spc: Bytes,
}

/// How long after a write the `stale-reads` fault serves the replaced version on GET by id.
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
        let registry = Registry::rfc7643().map_err(|e| internal(&e.to_string()))?;
        let limits = config.limits.clone();
        let spc = registry::service_provider_config(
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
            },
            &base_url,
        );
        let slots = tokens
            .iter()
            .map(|t| TenantSlot {
                token: t.token.as_bytes().to_vec(),
                me: t.me.clone(),
                tenant: Tenant::default(),
            })
            .collect();
        Ok(Provider {
            registry,
            base_url,
            faults: config.faults.clone(),
            limits,
            allow_unknown_members: config.allow_unknown_members,
            slots,
            spc: to_bytes(&spc),
        })
    }

    /// The tenant whose token is `token`, compared in constant time against every token.
    pub fn authenticate(&self, token: Option<&str>) -> Option<&TenantSlot> {
        use subtle::ConstantTimeEq;
        if self.faults.has(Fault::AuthDisabled) {
            return self.slots.first();
        }
        let token = token?.as_bytes();
        let mut found = None;
        for slot in &self.slots {
            let eq: bool = (slot.token.len() == token.len()) & bool::from(slot.token.ct_eq(token));
            if eq && found.is_none() {
                found = Some(slot);
            }
        }
        if self.faults.has(Fault::TenantsShared) && found.is_some() {
            return self.slots.first();
        }
        found
    }

    fn schema(&self, kind: Kind) -> ScimResult<ResourceSchema<'_>> {
        self.registry
            .lookup(kind.id())
            .ok_or_else(|| internal("resource type missing from the registry"))
    }

    fn location(&self, kind: Kind, id: &str) -> String {
        if self.faults.has(Fault::RelativeLocation) {
            format!("/scim/v2/{}/{id}", kind.endpoint())
        } else {
            format!("{}/{}/{id}", self.base_url, kind.endpoint())
        }
    }

    fn etag(&self, version: u64) -> Option<String> {
        if self.faults.has(Fault::EtagConstant) {
            return Some("W/\"static\"".into());
        }
        (!self.faults.has(Fault::NoEtag)).then(|| format!("W/\"{version}\""))
    }

    /// The ServiceProviderConfig document.
    pub fn service_provider_config(&self) -> Bytes {
        if self.faults.has(Fault::SpcIncomplete) {
            let mut v: Value = serde_json::from_slice(&self.spc).unwrap_or_default();
            if let Value::Object(m) = &mut v {
                m.shift_remove("schemas");
                m.shift_remove("etag");
                if let Some(Value::Array(schemes)) = m.get_mut("authenticationSchemes") {
                    for s in schemes.iter_mut().filter_map(Value::as_object_mut) {
                        s.shift_remove("description");
                    }
                }
            }
            return to_bytes(&v);
        }
        if self.faults.has(Fault::SpcUnderstates) {
            let mut v: Value = serde_json::from_slice(&self.spc).unwrap_or_default();
            for f in ["patch", "bulk"] {
                if let Some(o) = v.get_mut(f).and_then(Value::as_object_mut) {
                    o.insert("supported".into(), Value::Bool(false));
                }
            }
            return to_bytes(&v);
        }
        self.spc.clone()
    }

    /// The `/Schemas` list or one schema.
    pub fn schemas(&self, id: Option<&str>) -> ScimResult<Reply> {
        match id {
            Some(id) => {
                let s = self
                    .registry
                    .schema(id)
                    .filter(|_| !self.faults.has(Fault::SchemasIncomplete))
                    .ok_or_else(|| ScimError::not_found(format!("no schema {id:?}")))?;
                Ok(Reply::json(200, &self.schema_doc(s)))
            }
            None => {
                let docs: Vec<Value> = self
                    .registry
                    .schemas()
                    .iter()
                    .filter(|s| {
                        !(self.faults.has(Fault::SchemasIncomplete)
                            && s.id == crate::scim::schema::ENTERPRISE_USER_SCHEMA)
                    })
                    .map(|s| self.schema_doc(s))
                    .collect();
                let n = docs.len();
                Ok(Reply::json(200, &query::list_response(n, 1, docs)))
            }
        }
    }

    /// A schema document as served (the `schema-lies` fault misstates the User schema).
    fn schema_doc(&self, s: &crate::scim::schema::Schema) -> Value {
        let mut doc = registry::schema_document(s, &self.base_url);
        if self.faults.has(Fault::SchemaLies) && s.id == crate::scim::schema::USER_SCHEMA {
            for a in doc["attributes"].as_array_mut().into_iter().flatten() {
                match a["name"].as_str() {
                    Some("userName") => a["caseExact"] = Value::Bool(true),
                    Some("password") => a["returned"] = Value::String("default".into()),
                    Some("displayName") => a["mutability"] = Value::String("readwrite".into()),
                    _ => {}
                }
            }
        }
        doc
    }

    /// The `/ResourceTypes` list or one resource type.
    pub fn resource_types(&self, id: Option<&str>) -> ScimResult<Reply> {
        match id {
            Some(id) => {
                let rt = self
                    .registry
                    .resource_type(id)
                    .ok_or_else(|| ScimError::not_found(format!("no resource type {id:?}")))?;
                let doc = registry::resource_type_document(rt, &self.base_url);
                if self.faults.has(Fault::ResourceTypesUnwrapped) {
                    return Ok(Reply::json(200, &query::list_response(1, 1, vec![doc])));
                }
                Ok(Reply::json(200, &doc))
            }
            None => {
                let docs: Vec<Value> = self
                    .registry
                    .resource_types()
                    .iter()
                    .map(|rt| registry::resource_type_document(rt, &self.base_url))
                    .collect();
                if self.faults.has(Fault::ResourceTypesUnwrapped) {
                    return Ok(Reply::json(200, &Value::Array(docs)));
                }
                let n = docs.len();
                Ok(Reply::json(200, &query::list_response(n, 1, docs)))
            }
        }
    }

    // ----- materialising stored resources -------------------------------------------------

    /// The full representation of a stored resource: its JSON plus computed `User.groups`.
    fn materialize(&self, d: &TenantData, kind: Kind, e: &Entry) -> ScimResult<Value> {
        let mut v = parse_stored(&e.json)?;
        if let Some(Value::Object(meta)) = v.get_mut("meta") {
            meta.insert("location".into(), Value::String(self.location(kind, &e.id)));
        }
        if kind == Kind::User {
            let groups = d.groups_of(&e.id);
            if !groups.is_empty()
                && !self.faults.has(Fault::NoUserGroups)
                && let Value::Object(m) = &mut v
            {
                // Ordered by display name, then id: stable for people and transcripts (ids
                // are random, so id order would shuffle from run to run).
                let mut found: Vec<&Arc<Entry>> =
                    groups.iter().filter_map(|gid| d.groups.get(gid)).collect();
                found.sort_by(|a, b| (&a.display, &a.id).cmp(&(&b.display, &b.id)));
                let list: Vec<Value> = found
                    .into_iter()
                    .map(|g| {
                        let mut o = Map::new();
                        o.insert("value".into(), Value::String(g.id.to_string()));
                        o.insert(
                            "$ref".into(),
                            Value::String(self.location(Kind::Group, &g.id)),
                        );
                        if let Some(dn) = &g.display {
                            o.insert("display".into(), Value::String(dn.clone()));
                        }
                        o.insert("type".into(), Value::String("direct".into()));
                        Value::Object(o)
                    })
                    .collect();
                let meta = m.shift_remove("meta");
                m.insert("groups".into(), Value::Array(list));
                if let Some(meta) = meta {
                    m.insert("meta".into(), meta);
                }
            }
            if self.faults.has(Fault::ReturnPassword)
                && let (Value::Object(m), Some(p)) = (&mut v, &e.password)
            {
                m.insert("password".into(), Value::String(p.to_string()));
            }
        }
        Ok(v)
    }

    fn needs_materialize(&self, d: &TenantData, kind: Kind, e: &Entry) -> bool {
        kind == Kind::User
            && (self.faults.has(Fault::ReturnPassword)
                || (!d.groups_of(&e.id).is_empty() && !self.faults.has(Fault::NoUserGroups)))
    }

    /// The stored document as served: `meta.location` spliced into the `meta` object that ends
    /// it (see `Entry::json`), without parsing.
    fn served_json(&self, kind: Kind, e: &Entry) -> Bytes {
        let j = &e.json[..];
        let Some(head) = j.strip_suffix(b"}}") else {
            // Not the shape build_entry writes; fall back to the parsing path.
            return match parse_stored(j) {
                Ok(mut v) => {
                    if let Some(Value::Object(meta)) = v.get_mut("meta") {
                        meta.insert("location".into(), Value::String(self.location(kind, &e.id)));
                    }
                    to_bytes(&v)
                }
                Err(_) => e.json.clone(),
            };
        };
        let loc = Value::String(self.location(kind, &e.id));
        let mut out = Vec::with_capacity(j.len() + 96);
        out.extend_from_slice(head);
        out.extend_from_slice(b",\"location\":");
        out.extend_from_slice(loc.to_string().as_bytes());
        out.extend_from_slice(b"}}");
        Bytes::from(out)
    }

    /// The body for one resource, projected.
    fn render(
        &self,
        d: &TenantData,
        kind: Kind,
        e: &Entry,
        proj: &Projection,
    ) -> ScimResult<Bytes> {
        if proj.is_identity() && !self.needs_materialize(d, kind, e) {
            return Ok(self.served_json(kind, e));
        }
        let v = self.materialize(d, kind, e)?;
        Ok(to_bytes(&self.project(kind, &v, proj)?))
    }

    fn project(&self, kind: Kind, v: &Value, proj: &Projection) -> ScimResult<Value> {
        if proj.is_identity() {
            return Ok(v.clone());
        }
        let schema = self.schema(kind)?;
        let excluded: &[AttrPath] = if self.faults.has(Fault::ExcludedAttributesIgnored) {
            &[]
        } else {
            &proj.excluded
        };
        let attributes = if self.faults.has(Fault::AttributesCaseSensitive) {
            case_sensitive_attributes(v, &proj.attributes)
        } else {
            proj.attributes.clone()
        };
        let mut out = query::project(v, &attributes, excluded, &schema);
        if self.faults.has(Fault::ProjectionDropsAlways) {
            let named = |l: &[AttrPath]| l.iter().any(|a| a.attr.eq_ignore_ascii_case("id"));
            if ((!attributes.is_empty() && !named(&attributes)) || named(excluded))
                && let Value::Object(m) = &mut out
            {
                m.shift_remove("id");
            }
        }
        Ok(out)
    }

    fn resource_reply(
        &self,
        d: &TenantData,
        kind: Kind,
        e: &Entry,
        status: u16,
        proj: &Projection,
    ) -> ScimResult<Reply> {
        let unprojected;
        let proj = if self.faults.has(Fault::AttributesIgnored) {
            unprojected = Projection {
                attributes: Vec::new(),
                excluded: proj.excluded.clone(),
            };
            &unprojected
        } else {
            proj
        };
        Ok(Reply {
            status,
            body: Some(self.render(d, kind, e, proj)?),
            etag: self.etag(e.version),
            location: None,
        })
    }

    // ----- writing ------------------------------------------------------------------------

    /// Turn a validated resource map into a stored entry: server-set `id` and `meta`, member
    /// references checked and completed, uniqueness keys computed.
    #[expect(
        clippy::too_many_arguments,
        reason = "one call site per write path; a struct would only rename them"
    )]
    fn build_entry(
        &self,
        d: Option<&TenantData>,
        kind: Kind,
        id: &Arc<str>,
        seq: u64,
        version: u64,
        stamps: Option<(&str, &str)>,
        mut map: Map<String, Value>,
        password: Option<Box<str>>,
    ) -> ScimResult<Entry> {
        let schema = self.schema(kind)?;
        // Uniqueness keys from what the schema declares unique.
        let unique_keys: Box<[Arc<str>]> = if self.faults.has(Fault::NoUniqueness) {
            Box::default()
        } else {
            resource::unique_values(&map, &schema)
                .into_iter()
                .map(|(path, value)| {
                    let value = if self.faults.has(Fault::UniquenessCaseSensitive) {
                        raw_value(&map, &path).unwrap_or(value)
                    } else {
                        value
                    };
                    Arc::from(format!("{path}\0{value}"))
                })
                .collect()
        };
        let external_id = map.get("externalId").and_then(Value::as_str).map(Arc::from);
        let mut members = Vec::new();
        let display;
        match kind {
            Kind::Group => {
                display = map
                    .get("displayName")
                    .and_then(Value::as_str)
                    .map(str::to_string);
                if let Some(Value::Array(list)) = map.get_mut("members") {
                    let Some(d) = d else {
                        return Err(internal("group members are resolved under the tenant lock"));
                    };
                    if list.len() > self.limits.max_members_per_request {
                        return Err(ScimError::new(
                            413,
                            None,
                            format!(
                                "a group write may carry at most {} members",
                                self.limits.max_members_per_request
                            ),
                        ));
                    }
                    let mut seen = std::collections::HashSet::new();
                    let mut kept = Vec::with_capacity(list.len());
                    for m in list.drain(..) {
                        let Value::Object(mut o) = m else {
                            return Err(ScimError::invalid_value(
                                "each member must be an object with a value",
                            ));
                        };
                        let Some(value) =
                            o.get("value").and_then(Value::as_str).map(str::to_string)
                        else {
                            return Err(ScimError::invalid_value(
                                "each member needs a \"value\" holding a resource id",
                            ));
                        };
                        if *value == **id {
                            return Err(ScimError::invalid_value(
                                "a group cannot be a member of itself",
                            ));
                        }
                        if !seen.insert(value.clone()) {
                            continue;
                        }
                        match d.kind_of(&value) {
                            Some(mut mkind) => {
                                if self.faults.has(Fault::MemberRefWrong) {
                                    mkind = match mkind {
                                        Kind::User => Kind::Group,
                                        Kind::Group => Kind::User,
                                    };
                                }
                                o.insert(
                                    "$ref".into(),
                                    Value::String(self.location(mkind, &value)),
                                );
                                o.insert("type".into(), Value::String(mkind.id().into()));
                            }
                            None if self.allow_unknown_members
                                || self.faults.has(Fault::AcceptUnknownMembers) => {}
                            None => {
                                return Err(ScimError::invalid_value(format!(
                                    "member {value:?} is not the id of an existing User or Group"
                                )));
                            }
                        }
                        // Canonical member order: value, $ref, display, type.
                        let mut c = Map::new();
                        for k in ["value", "$ref", "display", "type"] {
                            if let Some(v) = o.remove(k) {
                                c.insert(k.into(), v);
                            }
                        }
                        c.extend(o);
                        members.push(value);
                        kept.push(Value::Object(c));
                    }
                    *list = kept;
                    if list.is_empty() {
                        map.shift_remove("members");
                    }
                }
            }
            // Only a group's display is ever needed elsewhere (in `User.groups`).
            Kind::User => display = None,
        }
        let now = now();
        let (created, last_modified) = stamps.unwrap_or((&now, &now));
        let mut out = Map::new();
        let schemas = map
            .shift_remove("schemas")
            .unwrap_or_else(|| json!([schema.resource_type().schema]));
        out.insert("schemas".into(), schemas);
        out.insert("id".into(), Value::String(id.to_string()));
        if let Some(ext) = map.shift_remove("externalId") {
            out.insert("externalId".into(), ext);
        }
        out.extend(map);
        let mut meta = Map::new();
        meta.insert("resourceType".into(), Value::String(kind.id().into()));
        // A new resource (`stamps` is None) has lastModified == created == now.
        meta.insert("created".into(), Value::String(created.to_string()));
        meta.insert(
            "lastModified".into(),
            Value::String(last_modified.to_string()),
        );
        if let Some(tag) = self.etag(version) {
            meta.insert("version".into(), Value::String(tag));
        }
        out.insert("meta".into(), Value::Object(meta));
        Ok(Entry {
            id: id.clone(),
            seq,
            version,
            json: to_bytes(&Value::Object(out)),
            password,
            unique_keys,
            external_id,
            members,
            display,
        })
    }

    fn check_unique(&self, d: &TenantData, kind: Kind, entry: &Entry) -> ScimResult<()> {
        let table = d.table(kind);
        for k in &entry.unique_keys {
            if let Some(owner) = table.unique_owner(k)
                && *owner != entry.id
            {
                let (attr, value) = k.split_once('\0').unwrap_or((&**k, ""));
                return Err(ScimError::uniqueness(format!(
                    "{attr} {value:?} is already taken by another {}",
                    kind.id()
                )));
            }
        }
        Ok(())
    }

    fn take_password(kind: Kind, map: &mut Map<String, Value>) -> Option<Box<str>> {
        if kind != Kind::User {
            return None;
        }
        map.shift_remove("password")
            .and_then(|p| p.as_str().map(Box::from))
    }

    /// POST /{Users|Groups}.
    pub fn create(
        &self,
        slot: &TenantSlot,
        kind: Kind,
        body: &Value,
        proj: &Projection,
    ) -> ScimResult<Reply> {
        let schema = self.schema(kind)?;
        // The accept-missing-required / group-display-name-optional faults fill in the required
        // name the client left out instead of refusing the body.
        let fill = match kind {
            Kind::User if self.faults.has(Fault::AcceptMissingRequired) => Some("userName"),
            Kind::Group if self.faults.has(Fault::GroupDisplayNameOptional) => Some("displayName"),
            _ => None,
        };
        let filled;
        let body = match (body, fill) {
            (Value::Object(m), Some(attr)) if !m.contains_key(attr) => {
                let mut m = m.clone();
                m.insert(
                    attr.into(),
                    Value::String(format!("generated-{}", uuid::Uuid::new_v4())),
                );
                filled = Value::Object(m);
                &filled
            }
            _ => body,
        };
        let without_members;
        let body = match body {
            Value::Object(m)
                if kind == Kind::Group
                    && self.faults.has(Fault::GroupPostIgnoresMembers)
                    && m.contains_key("members") =>
            {
                let mut m = m.clone();
                m.shift_remove("members");
                without_members = Value::Object(m);
                &without_members
            }
            _ => body,
        };
        if self.faults.has(Fault::AttrNamesCaseSensitive)
            && let Some(key) = body.as_object().and_then(|m| {
                m.keys().find(|k| {
                    schema
                        .core()
                        .attribute(k)
                        .is_some_and(|a| a.name != k.as_str())
                })
            })
        {
            return Err(ScimError::invalid_syntax(format!(
                "{key:?} is not an attribute of this resource type"
            )));
        }
        let mut map = resource::normalize(body, &schema, WriteMode::Create)?;
        let password = Self::take_password(kind, &mut map);
        let client_id = body
            .get("id")
            .and_then(Value::as_str)
            .filter(|_| self.faults.has(Fault::HonourClientId));
        let id: Arc<str> = match client_id {
            Some(c) => c.into(),
            None => uuid::Uuid::new_v4().to_string().into(),
        };
        let seq = slot.tenant.next_seq();
        let client_created = body
            .pointer("/meta/created")
            .and_then(Value::as_str)
            .filter(|_| self.faults.has(Fault::HonourClientId));
        let stamps = client_created.map(|c| (c, c));
        // A user's document needs nothing from the tenant: build it before taking the lock, so
        // concurrent creates contend only for the uniqueness check and the insert.
        let (mut d, entry) = match kind {
            Kind::User => {
                let e = self.build_entry(None, kind, &id, seq, seq, stamps, map, password)?;
                (slot.tenant.data.write(), e)
            }
            Kind::Group => {
                let d = slot.tenant.data.write();
                let e = self.build_entry(Some(&d), kind, &id, seq, seq, stamps, map, password)?;
                (d, e)
            }
        };
        self.check_unique(&d, kind, &entry)?;
        match kind {
            Kind::User => d.users.put(entry),
            Kind::Group => d.put_group(entry),
        }
        let e = d
            .table(kind)
            .get(&id)
            .cloned()
            .ok_or_else(|| internal("entry vanished after insert"))?;
        let status = if self.faults.has(Fault::Create200) {
            200
        } else {
            201
        };
        let mut r = self.resource_reply(&d, kind, &e, status, proj)?;
        if !self.faults.has(Fault::NoLocation) {
            r.location = Some(self.location(kind, &id));
        }
        Ok(r)
    }

    fn not_found(&self, kind: Kind, id: &str) -> ScimError {
        ScimError::not_found(format!("{} {id:?} not found", kind.id()))
    }

    fn missing(&self, kind: Kind, id: &str) -> ScimResult<Reply> {
        if self.faults.has(Fault::Missing200) {
            return Ok(Reply::json(200, &json!({})));
        }
        Err(self.not_found(kind, id))
    }

    fn check_if_match(&self, if_match: Option<&str>, e: &Entry) -> ScimResult<()> {
        if let Some(h) = if_match
            && !self.faults.has(Fault::IgnoreIfMatch)
            && !etag_matches(h, &format!("W/\"{}\"", e.version))
        {
            return Err(ScimError::new(
                412,
                None,
                format!(
                    "If-Match {h} does not match the current version W/\"{}\"",
                    e.version
                ),
            ));
        }
        Ok(())
    }

    /// GET /{Users|Groups}/{id}.
    pub fn get(
        &self,
        slot: &TenantSlot,
        kind: Kind,
        id: &str,
        proj: &Projection,
        if_none_match: Option<&str>,
    ) -> ScimResult<Reply> {
        let d = slot.tenant.data.read();
        let Some(mut e) = d.table(kind).get(id) else {
            return self.missing(kind, id);
        };
        if self.faults.has(Fault::StaleReads)
            && let Some((k, prev, at)) = d.stale.get(id)
            && *k == kind
            && at.elapsed() < STALE_WINDOW
        {
            e = prev;
        }
        let if_none_match = if_none_match.filter(|_| !self.faults.has(Fault::IgnoreIfNoneMatch));
        if let (Some(h), Some(tag)) = (if_none_match, self.etag(e.version))
            && etag_matches(h, &tag)
        {
            return Ok(Reply {
                status: 304,
                body: None,
                etag: Some(tag),
                location: None,
            });
        }
        if self.faults.has(Fault::GetMinimal) && proj.is_identity() {
            let minimal = Projection {
                attributes: vec![AttrPath::attr(match kind {
                    Kind::User => "userName",
                    Kind::Group => "displayName",
                })],
                excluded: Vec::new(),
            };
            return self.resource_reply(&d, kind, e, 200, &minimal);
        }
        self.resource_reply(&d, kind, e, 200, proj)
    }

    /// PUT /{Users|Groups}/{id}.
    pub fn replace(
        &self,
        slot: &TenantSlot,
        kind: Kind,
        id: &str,
        body: &Value,
        if_match: Option<&str>,
        proj: &Projection,
    ) -> ScimResult<Reply> {
        let schema = self.schema(kind)?;
        let mut map = resource::normalize(body, &schema, WriteMode::Replace)?;
        let mut d = slot.tenant.data.write();
        let Some(old) = d.table(kind).get(id).cloned() else {
            return self.missing(kind, id);
        };
        self.check_if_match(if_match, &old)?;
        if self.faults.has(Fault::PutIgnored) {
            return self.resource_reply(&d, kind, &old, 200, proj);
        }
        let old_v = parse_stored(&old.json)?;
        let old_map = strip_server_fields(&old_v);
        if self.faults.has(Fault::UniquenessConflictsWithSelf)
            && let (Some(new), Some(was)) = (
                map.get("userName").and_then(Value::as_str),
                old_map.get("userName").and_then(Value::as_str),
            )
            && new != was
            && new.eq_ignore_ascii_case(was)
        {
            return Err(ScimError::uniqueness(format!(
                "userName {new:?} is already taken"
            )));
        }
        resource::check_immutable(&old_map, &map, &schema)?;
        let password = Self::take_password(kind, &mut map).or_else(|| old.password.clone());
        if self.faults.has(Fault::ActiveIgnored) {
            keep_old_active(&old_map, &mut map);
        }
        self.write_back(
            &slot.tenant,
            &mut d,
            kind,
            &old,
            &old_map,
            map,
            password,
            proj,
        )
    }

    /// Store `map` as the new content of `old`, unless nothing changed; answer 200.
    #[expect(clippy::too_many_arguments, reason = "shared tail of PUT and PATCH")]
    fn write_back(
        &self,
        tenant: &Tenant,
        d: &mut TenantData,
        kind: Kind,
        old: &Entry,
        old_map: &Map<String, Value>,
        map: Map<String, Value>,
        password: Option<Box<str>>,
        proj: &Projection,
    ) -> ScimResult<Reply> {
        let unchanged = *old_map == strip_server_fields(&Value::Object(map.clone()))
            && password == old.password;
        if unchanged && !self.faults.has(Fault::NoopPatchBumpsVersion) {
            return self.resource_reply(d, kind, old, 200, proj);
        }
        let version = tenant.next_seq();
        let old_v = parse_stored(&old.json)?;
        let created = old_v
            .pointer("/meta/created")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(now);
        let modified = modified_after(old_v.pointer("/meta/lastModified").and_then(Value::as_str));
        let entry = self.build_entry(
            Some(d),
            kind,
            &old.id,
            old.seq,
            version,
            Some((&created, &modified)),
            map,
            password,
        )?;
        self.check_unique(d, kind, &entry)?;
        let id = entry.id.clone();
        if self.faults.has(Fault::StaleReads)
            && let Some(prev) = d.table(kind).get(&id).cloned()
        {
            d.stale.retain(|_, (_, _, at)| at.elapsed() < STALE_WINDOW);
            d.stale
                .insert(id.clone(), (kind, prev, std::time::Instant::now()));
        }
        match kind {
            Kind::User => d.users.put(entry),
            Kind::Group => d.put_group(entry),
        }
        let e = d
            .table(kind)
            .get(&id)
            .cloned()
            .ok_or_else(|| internal("entry vanished after update"))?;
        self.resource_reply(d, kind, &e, 200, proj)
    }

    /// PATCH /{Users|Groups}/{id}.
    pub fn patch(
        &self,
        slot: &TenantSlot,
        kind: Kind,
        id: &str,
        body: &Value,
        if_match: Option<&str>,
        proj: &Projection,
    ) -> ScimResult<Reply> {
        self.patch_based_on(slot, kind, id, body, if_match, proj, None)
    }

    /// The resource as stored now (the read half of the `lost-member-updates` fault's unlocked
    /// read-modify-write).
    pub fn snapshot(&self, slot: &TenantSlot, kind: Kind, id: &str) -> Option<Arc<Entry>> {
        slot.tenant.data.read().table(kind).get(id).cloned()
    }

    /// PATCH applied to `base` (a [`Provider::snapshot`] taken earlier) instead of the stored
    /// resource when given: the `lost-member-updates` fault, which overwrites whatever was
    /// written in between. `None` is the ordinary PATCH.
    #[expect(
        clippy::too_many_arguments,
        reason = "PATCH's parts plus the fault's base"
    )]
    pub fn patch_based_on(
        &self,
        slot: &TenantSlot,
        kind: Kind,
        id: &str,
        body: &Value,
        if_match: Option<&str>,
        proj: &Projection,
        base: Option<Arc<Entry>>,
    ) -> ScimResult<Reply> {
        let schema = self.schema(kind)?;
        if self.faults.has(Fault::PatchOpCaseSensitive) {
            reject_non_lowercase_ops(body)?;
        }
        let mut req = match PatchRequest::from_json(body) {
            Ok(r) => r,
            Err(_) if self.faults.has(Fault::PatchEnvelopeUnchecked) => {
                let d = slot.tenant.data.read();
                let Some(old) = d.table(kind).get(id) else {
                    return self.missing(kind, id);
                };
                return self.resource_reply(&d, kind, old, 200, proj);
            }
            Err(e) => return Err(e),
        };
        if self.faults.has(Fault::ManagerStringRejected) {
            reject_string_manager(&req)?;
        }
        if req.operations.len() > self.limits.max_patch_operations {
            return Err(ScimError::new(
                413,
                None,
                format!(
                    "a PATCH request may carry at most {} operations",
                    self.limits.max_patch_operations
                ),
            ));
        }
        if self.faults.has(Fault::PatchRemoveAllMembers) {
            for op in &mut req.operations {
                if matches!(op.op, patch::OpKind::Remove)
                    && op
                        .path
                        .as_deref()
                        .is_some_and(|p| p.eq_ignore_ascii_case("members"))
                {
                    op.value = None;
                }
            }
        }
        if self.faults.has(Fault::PatchAddReplacesMembers) {
            for op in &mut req.operations {
                if matches!(op.op, patch::OpKind::Add)
                    && op
                        .path
                        .as_deref()
                        .is_some_and(|p| p.eq_ignore_ascii_case("members"))
                {
                    op.op = patch::OpKind::Replace;
                }
            }
        }
        let mut d = slot.tenant.data.write();
        let Some(current) = d.table(kind).get(id).cloned() else {
            return self.missing(kind, id);
        };
        let old = base.unwrap_or(current);
        self.check_if_match(if_match, &old)?;
        if kind == Kind::User && self.faults.has(Fault::UserGroupsWritable) {
            self.write_user_groups(&slot.tenant, &mut d, id, &mut req)?;
        }
        if self.faults.has(Fault::PatchPathlessIgnored) {
            req.operations.retain(|op| op.path.is_some());
        }
        let old_v = parse_stored(&old.json)?;
        let outcome = match patch::apply(&old_v, &req, &schema) {
            Ok(o) => o,
            Err(e) => {
                let swallowed = match e.scim_type {
                    Some(ScimType::NoTarget) => self.faults.has(Fault::PatchNoTarget200),
                    Some(ScimType::InvalidPath) => self.faults.has(Fault::PatchInvalidPath200),
                    Some(ScimType::Mutability) => self.faults.has(Fault::PatchMutability200),
                    _ => false,
                };
                if swallowed {
                    return self.resource_reply(&d, kind, &old, 200, proj);
                }
                if self.faults.has(Fault::PatchNotAtomic) {
                    // Keep the longest prefix of operations that applies.
                    let mut prefix = req.clone();
                    while prefix.operations.len() > 1 {
                        prefix.operations.pop();
                        if let Ok(o) = patch::apply(&old_v, &prefix, &schema) {
                            if o.changed {
                                self.store_patched(
                                    &slot.tenant,
                                    &mut d,
                                    kind,
                                    &old,
                                    &old_v,
                                    &o.resource,
                                    proj,
                                )?;
                            }
                            break;
                        }
                    }
                }
                return Err(e);
            }
        };
        let mut outcome = outcome;
        if self.faults.has(Fault::PatchPathlessClearsOthers) {
            clear_unnamed(&req, &mut outcome.resource);
        }
        if self.faults.has(Fault::PatchIgnored)
            || (!outcome.changed && !self.faults.has(Fault::NoopPatchBumpsVersion))
        {
            return self.patch_reply(self.resource_reply(&d, kind, &old, 200, proj)?);
        }
        let r = self.store_patched(
            &slot.tenant,
            &mut d,
            kind,
            &old,
            &old_v,
            &outcome.resource,
            proj,
        )?;
        self.patch_reply(r)
    }

    /// The `patch-empty-200` fault: a successful PATCH answers `{}`.
    fn patch_reply(&self, r: Reply) -> ScimResult<Reply> {
        if self.faults.has(Fault::PatchEmpty200) {
            return Ok(Reply {
                body: Some(to_bytes(&json!({}))),
                ..r
            });
        }
        Ok(r)
    }

    /// Store the result of a PATCH (validated again as a whole resource) and answer 200.
    #[expect(clippy::too_many_arguments, reason = "the tail of PATCH, called twice")]
    fn store_patched(
        &self,
        tenant: &Tenant,
        d: &mut TenantData,
        kind: Kind,
        old: &Entry,
        old_v: &Value,
        patched: &Value,
        proj: &Projection,
    ) -> ScimResult<Reply> {
        let schema = self.schema(kind)?;
        let mut map = resource::normalize(patched, &schema, WriteMode::Replace)?;
        let old_map = strip_server_fields(old_v);
        let password = Self::take_password(kind, &mut map).or_else(|| old.password.clone());
        if self.faults.has(Fault::ActiveIgnored) {
            keep_old_active(&old_map, &mut map);
        }
        if self.faults.has(Fault::PatchNoPrimaryDemote) {
            restore_primaries(old_v, &mut map);
        }
        self.write_back(tenant, d, kind, old, &old_map, map, password, proj)
    }

    /// DELETE /{Users|Groups}/{id}.
    pub fn delete(
        &self,
        slot: &TenantSlot,
        kind: Kind,
        id: &str,
        if_match: Option<&str>,
    ) -> ScimResult<Reply> {
        let mut d = slot.tenant.data.write();
        let Some(old) = d.table(kind).get(id).cloned() else {
            return self.missing(kind, id);
        };
        self.check_if_match(if_match, &old)?;
        if self.faults.has(Fault::DeleteIgnored) {
            return Ok(Reply::empty(204));
        }
        if self.faults.has(Fault::StaleReads) {
            d.stale.remove(id);
        }
        let body = self
            .faults
            .has(Fault::Delete200)
            .then(|| self.served_json(kind, &old));
        match kind {
            Kind::User => {
                d.users.remove(id);
            }
            Kind::Group => {
                d.remove_group(id);
            }
        }
        if !self.faults.has(Fault::DanglingMembers) {
            for gid in d.groups_of(id) {
                self.drop_member(&slot.tenant, &mut d, &gid, id)?;
            }
            d.member_of.remove(id);
        }
        Ok(match body {
            Some(b) => Reply {
                status: 200,
                body: Some(b),
                etag: None,
                location: None,
            },
            None => Reply::empty(204),
        })
    }

    /// The `user-groups-writable` fault: take the `add`/`replace` operations on `groups` out of
    /// a user PATCH and add the user to each group they name.
    fn write_user_groups(
        &self,
        tenant: &Tenant,
        d: &mut TenantData,
        uid: &str,
        req: &mut PatchRequest,
    ) -> ScimResult<()> {
        let mut gids = Vec::new();
        req.operations.retain(|op| {
            let on_groups = !matches!(op.op, patch::OpKind::Remove)
                && op
                    .path
                    .as_deref()
                    .is_some_and(|p| p.eq_ignore_ascii_case("groups"));
            if on_groups {
                for v in op
                    .value
                    .iter()
                    .flat_map(|v| v.as_array().cloned().unwrap_or_default())
                {
                    if let Some(g) = v.get("value").and_then(Value::as_str) {
                        gids.push(g.to_string());
                    }
                }
            }
            !on_groups
        });
        for gid in gids {
            let Some(g) = d.groups.get(&gid).cloned() else {
                continue;
            };
            let old_map = strip_server_fields(&parse_stored(&g.json)?);
            let mut map = old_map.clone();
            let members = map
                .entry("members")
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(list) = members {
                list.push(json!({"value": uid}));
            }
            self.write_back(
                tenant,
                d,
                Kind::Group,
                &g,
                &old_map,
                map,
                None,
                &Projection::default(),
            )?;
        }
        Ok(())
    }

    /// Remove `member` from group `gid` (a cascade of a delete): a new version and lastModified.
    fn drop_member(
        &self,
        tenant: &Tenant,
        d: &mut TenantData,
        gid: &str,
        member: &str,
    ) -> ScimResult<()> {
        let Some(g) = d.groups.get(gid).cloned() else {
            return Ok(());
        };
        let mut v = parse_stored(&g.json)?;
        if let Some(Value::Array(list)) = v.get_mut("members") {
            list.retain(|m| m.get("value").and_then(Value::as_str) != Some(member));
            if list.is_empty()
                && let Value::Object(o) = &mut v
            {
                o.shift_remove("members");
            }
        }
        let version = tenant.next_seq();
        if let Some(Value::Object(meta)) = v.get_mut("meta") {
            let now = modified_after(meta.get("lastModified").and_then(Value::as_str));
            meta.insert("lastModified".into(), Value::String(now));
            if let Some(tag) = self.etag(version) {
                meta.insert("version".into(), Value::String(tag));
            }
        }
        let mut e = (*g).clone();
        e.version = version;
        e.members.retain(|m| m != member);
        e.json = to_bytes(&v);
        d.put_group(e);
        Ok(())
    }

    /// GET /{Users|Groups} and POST /.search (one kind or, for the root, several).
    pub fn list(&self, slot: &TenantSlot, kinds: &[Kind], q: &ListQuery) -> ScimResult<Reply> {
        let filter = match q
            .filter
            .as_deref()
            .filter(|_| !self.faults.has(Fault::FilterIgnored))
        {
            None => None,
            Some(text)
                if self.faults.has(Fault::FilterKeywordsCaseSensitive)
                    && has_non_lowercase_keyword(text) =>
            {
                return Err(ScimError::invalid_filter(
                    "filter keywords must be lowercase (filter-keywords-case-sensitive fault)",
                ));
            }
            Some(text) => match self.parse_filter(text, kinds) {
                Ok(f) => Some(self.filter_faults(f)),
                Err(e) if self.faults.has(Fault::BadFilter200) => {
                    let _ = e;
                    return Ok(Reply::json(200, &query::list_response(0, 1, Vec::new())));
                }
                Err(e) => return Err(e),
            },
        };
        if let Some(by) = q
            .sort_by
            .as_ref()
            .filter(|_| !self.faults.has(Fault::SortIgnored))
        {
            self.check_sort_by(by, kinds)?;
        }
        if self.faults.has(Fault::CountOverMax400)
            && q.count.is_some_and(|c| c > self.limits.filter_max_results)
        {
            return Err(ScimError::too_many("count is above filter.maxResults"));
        }
        let start_index = if self.faults.has(Fault::StartIndexZeroBased) {
            q.start_index.saturating_add(1)
        } else {
            q.start_index
        };
        let d = slot.tenant.data.read();
        let paging = !self.faults.has(Fault::PaginationIgnored);
        let sort_by = q
            .sort_by
            .as_ref()
            .filter(|_| !self.faults.has(Fault::SortIgnored));

        // Fast path: one kind, no filter, no sort: page straight off the table.
        if let ([kind], None, None) = (kinds, &filter, sort_by) {
            let table = d.table(*kind);
            let total = table.len();
            let range = if paging {
                query::page_range(
                    total,
                    start_index,
                    Some(q.count.unwrap_or(self.limits.default_count)),
                    self.limits.filter_max_results,
                )
            } else {
                0..total
            };
            let proj = self.list_projection(q);
            let mut page = Vec::with_capacity(range.len());
            for e in table.iter().skip(range.start).take(range.len()) {
                let v = self.materialize(&d, *kind, e)?;
                page.push(self.project(*kind, &v, &proj)?);
            }
            return Ok(Reply::json(200, &self.list_body(total, q, page)));
        }

        let mut hits: Vec<(Kind, Value)> = Vec::new();
        for &kind in kinds {
            let schema = self.schema(kind)?;
            let candidates = self.candidates(&d, kind, filter.as_ref());
            for e in candidates {
                let v = self.materialize(&d, kind, &e)?;
                let keep = match &filter {
                    None => true,
                    Some(f) => f.matches(&v, &schema) && self.case_fault_ok(f, &v),
                };
                if keep {
                    hits.push((kind, v));
                }
            }
        }
        if let Some(by) = sort_by {
            let kind = kinds.first().copied().unwrap_or(Kind::User);
            let schema = self.schema(kind)?;
            let mut values: Vec<Value> = hits.into_iter().map(|(_, v)| v).collect();
            let order = if self.faults.has(Fault::SortOrderIgnored) {
                query::SortOrder::Ascending
            } else {
                q.sort_order
            };
            query::sort(&mut values, by, order, &schema);
            if self.faults.has(Fault::SortCaseSensitive) {
                sort_case_sensitive(&mut values, by, order);
            }
            if self.faults.has(Fault::SortMissingFirst) {
                let present = Filter::Present(by.clone());
                values.sort_by_key(|v| present.matches(v, &schema));
            }
            // Every served resource names its type in meta.resourceType.
            hits = values
                .into_iter()
                .map(|v| {
                    let k = match v.pointer("/meta/resourceType").and_then(Value::as_str) {
                        Some("Group") => Kind::Group,
                        Some("User") => Kind::User,
                        _ => kind,
                    };
                    (k, v)
                })
                .collect();
        }
        let total = hits.len();
        if total == 0 && filter.is_some() && self.faults.has(Fault::FilterMiss404) {
            return Err(ScimError::not_found("no resource matches the filter"));
        }
        let range = if paging {
            query::page_range(
                total,
                start_index,
                Some(q.count.unwrap_or(self.limits.default_count)),
                self.limits.filter_max_results,
            )
        } else {
            0..total
        };
        let proj = self.list_projection(q);
        let mut page = Vec::with_capacity(range.len());
        for (kind, v) in hits.into_iter().skip(range.start).take(range.len()) {
            page.push(self.project(kind, &v, &proj)?);
        }
        Ok(Reply::json(200, &self.list_body(total, q, page)))
    }

    fn list_projection(&self, q: &ListQuery) -> Projection {
        Projection {
            attributes: if self.faults.has(Fault::ListAttributesIgnored) {
                Vec::new()
            } else {
                q.attributes.clone()
            },
            excluded: q.excluded_attributes.clone(),
        }
    }

    fn list_body(&self, total: usize, q: &ListQuery, page: Vec<Value>) -> Value {
        let start = if self.faults.has(Fault::PaginationIgnored) {
            1
        } else {
            q.start_index.max(1)
        };
        let page_len = page.len();
        let mut body = query::list_response(total, start, page);
        if let Value::Object(m) = &mut body {
            if self.faults.has(Fault::TotalResultsIsPageSize) {
                m.insert("totalResults".into(), json!(page_len));
            }
            if self.faults.has(Fault::ListResourcesLowercase)
                && let Some(r) = m.shift_remove("Resources")
            {
                m.insert("resources".into(), r);
            }
        }
        if self.faults.has(Fault::ItemsPerPageIsCount)
            && let (Some(c), Value::Object(m)) = (q.count, &mut body)
        {
            m.insert("itemsPerPage".into(), json!(c));
        }
        body
    }

    fn parse_filter(&self, text: &str, kinds: &[Kind]) -> ScimResult<Filter> {
        let f = Filter::parse(text).map_err(ScimError::from)?;
        let mut last_err = None;
        for &kind in kinds {
            match f.validate(&self.schema(kind)?) {
                Ok(()) => return Ok(f),
                Err(e) => last_err = Some(e),
            }
        }
        match last_err {
            Some(e) => Err(e),
            None => Ok(f),
        }
    }

    /// The filter-evaluation faults, applied by rewriting the parsed filter.
    fn filter_faults(&self, f: Filter) -> Filter {
        let on = |x| self.faults.has(x);
        if !(on(Fault::FilterNoPrecedence)
            || on(Fault::FilterNotIgnored)
            || on(Fault::FilterGeLeExclusive)
            || on(Fault::FilterDatetimeAsString)
            || on(Fault::ValuePathAcrossElements))
        {
            return f;
        }
        self.rewrite(f)
    }

    fn rewrite(&self, f: Filter) -> Filter {
        use crate::scim::filter::{CompValue, CompareOp};
        let on = |x| self.faults.has(x);
        match f {
            Filter::Or(a, b) => match self.rewrite(*b) {
                // `a or (x and y)` misread as `(a or x) and y`.
                Filter::And(x, y) if on(Fault::FilterNoPrecedence) => Filter::And(
                    Box::new(self.rewrite(Filter::Or(Box::new(self.rewrite(*a)), x))),
                    y,
                ),
                b => Filter::Or(Box::new(self.rewrite(*a)), Box::new(b)),
            },
            Filter::And(a, b) => {
                Filter::And(Box::new(self.rewrite(*a)), Box::new(self.rewrite(*b)))
            }
            Filter::Not(x) if on(Fault::FilterNotIgnored) => self.rewrite(*x),
            Filter::Not(x) => Filter::Not(Box::new(self.rewrite(*x))),
            Filter::ValuePath { attr, filter } if on(Fault::ValuePathAcrossElements) => {
                match *filter {
                    Filter::And(x, y) => Filter::And(
                        Box::new(self.rewrite(Filter::ValuePath {
                            attr: attr.clone(),
                            filter: x,
                        })),
                        Box::new(self.rewrite(Filter::ValuePath { attr, filter: y })),
                    ),
                    inner => Filter::ValuePath {
                        attr,
                        filter: Box::new(inner),
                    },
                }
            }
            Filter::Compare { path, op, value } => {
                let op = match op {
                    CompareOp::Ge if on(Fault::FilterGeLeExclusive) => CompareOp::Gt,
                    CompareOp::Le if on(Fault::FilterGeLeExclusive) => CompareOp::Lt,
                    op => op,
                };
                let value = match value {
                    // A trailing space makes the literal unparseable as a dateTime, so the
                    // comparison falls back to comparing the text.
                    CompValue::Str(s)
                        if on(Fault::FilterDatetimeAsString)
                            && op.is_ordering()
                            && chrono::DateTime::parse_from_rfc3339(&s).is_ok() =>
                    {
                        CompValue::Str(format!("{s} "))
                    }
                    v => v,
                };
                Filter::Compare { path, op, value }
            }
            other => other,
        }
    }

    /// `sortBy` must name an attribute of at least one of `kinds` (root `.search` spans both).
    fn check_sort_by(&self, by: &AttrPath, kinds: &[Kind]) -> ScimResult<()> {
        let mut last_err = None;
        for &kind in kinds {
            match query::check_sort_by(by, &self.schema(kind)?) {
                Ok(()) => return Ok(()),
                Err(e) => last_err = Some(e),
            }
        }
        last_err.map_or(Ok(()), Err)
    }

    /// Under `filter-case-sensitive`, an equality on userName (or another caseExact=false
    /// string attribute: displayName, nickName, title) must also match exactly.
    fn case_fault_ok(&self, f: &Filter, v: &Value) -> bool {
        if !self.faults.has(Fault::FilterCaseSensitive) {
            return true;
        }
        ["userName", "displayName", "nickName", "title"]
            .iter()
            .all(|attr| match f.equality_on(&AttrPath::attr(*attr)) {
                Some(want) => v.get(*attr).and_then(Value::as_str) == Some(want),
                None => true,
            })
    }

    /// The entries worth evaluating `filter` on: an index hit when the filter pins a unique
    /// attribute, the id or the externalId; the whole table otherwise.
    fn candidates(&self, d: &TenantData, kind: Kind, filter: Option<&Filter>) -> Vec<Arc<Entry>> {
        let table = d.table(kind);
        if let Some(f) = filter {
            if let Some(id) = f.equality_on(&AttrPath::attr("id")) {
                return table.get(id).cloned().into_iter().collect();
            }
            if let Some(ext) = f.equality_on(&AttrPath::attr("externalId")) {
                return table
                    .by_external_id(ext)
                    .iter()
                    .filter_map(|id| table.get(id).cloned())
                    .collect();
            }
            if let Ok(schema) = self.schema(kind) {
                for urn in schema.schema_urns() {
                    let Some(s) = self.registry.schema(urn) else {
                        continue;
                    };
                    for a in &s.attributes {
                        if a.uniqueness == crate::scim::schema::Uniqueness::None || a.multi_valued {
                            continue;
                        }
                        let path = AttrPath::attr(a.name.clone());
                        if let Some(value) = f.equality_on(&path) {
                            let folded = if a.case_exact {
                                value.to_string()
                            } else {
                                value.to_lowercase()
                            };
                            let key = format!("{path}\0{folded}");
                            if self.faults.has(Fault::NoUniqueness)
                                || self.faults.has(Fault::UniquenessCaseSensitive)
                            {
                                break;
                            }
                            return table
                                .unique_owner(&key)
                                .and_then(|id| table.get(id).cloned())
                                .into_iter()
                                .collect();
                        }
                    }
                }
            }
            if kind == Kind::Group {
                let member = f
                    .equality_on(&AttrPath::sub("members", "value"))
                    .or_else(|| member_value_path(f));
                if let Some(uid) = member {
                    return d
                        .groups_of(uid)
                        .iter()
                        .filter_map(|g| table.get(g).cloned())
                        .collect();
                }
            }
        }
        table.iter().cloned().collect()
    }

    /// The user `/Me` resolves to for this tenant slot.
    pub fn me_id(&self, slot: &TenantSlot) -> ScimResult<String> {
        let Some(user_name) = &slot.me else {
            if self.faults.has(Fault::Me404) {
                // As if /Me were no route at all: the answer of any unknown endpoint.
                return Err(ScimError::not_found(
                    "/Me is not an endpoint of this service",
                ));
            }
            if self.faults.has(Fault::MeOtherUser)
                && let Some(e) = slot.tenant.data.read().users.iter().next()
            {
                return Ok(e.id.to_string());
            }
            return Err(ScimError::new(
                501,
                None,
                "/Me is not supported for this token: it is not bound to a user (start serve with --token TOKEN@userName)",
            ));
        };
        let d = slot.tenant.data.read();
        let key = format!("userName\0{}", user_name.to_lowercase());
        d.users
            .unique_owner(&key)
            .map(|id| id.to_string())
            .ok_or_else(|| {
                ScimError::not_found(format!(
                    "the user {user_name:?} this token is bound to does not exist yet"
                ))
            })
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

/// `members[value eq "x"]` as an index hint.
fn member_value_path(f: &Filter) -> Option<&str> {
    match f {
        Filter::ValuePath { attr, filter } if attr.attr.eq_ignore_ascii_case("members") => {
            filter.equality_on(&AttrPath::attr("value"))
        }
        Filter::And(a, b) => member_value_path(a).or_else(|| member_value_path(b)),
        _ => None,
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

/// The `patch-pathless-clears-others` fault: after a path-less `replace`, keep only what its
/// value names (by name prefix, so `name.familyName` keeps `name`), plus `id`, `schemas`,
/// `meta` and the required `userName`/`displayName`.
fn clear_unnamed(req: &patch::PatchRequest, resource: &mut Value) {
    let named: Vec<String> = req
        .operations
        .iter()
        .filter(|op| matches!(op.op, patch::OpKind::Replace) && op.path.is_none())
        .filter_map(|op| op.value.as_ref().and_then(Value::as_object))
        .flat_map(|m| m.keys().map(|k| k.to_lowercase()))
        .collect();
    if named.is_empty() {
        return;
    }
    if let Some(m) = resource.as_object_mut() {
        m.retain(|k, _| {
            let k = k.to_lowercase();
            ["id", "schemas", "meta", "username", "displayname"].contains(&k.as_str())
                || named.iter().any(|n| n.starts_with(&k))
        });
    }
}

fn keep_old_active(old: &Map<String, Value>, new: &mut Map<String, Value>) {
    match old.get("active") {
        Some(a) => {
            new.insert("active".into(), a.clone());
        }
        None => {
            new.shift_remove("active");
        }
    }
}

/// The value at `path` as written (no case folding), for the case-sensitive uniqueness fault.
fn raw_value(map: &Map<String, Value>, path: &AttrPath) -> Option<String> {
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

/// The `sort-case-sensitive` fault: order by the raw string (code-point order), missing last.
fn sort_case_sensitive(values: &mut [Value], by: &AttrPath, order: query::SortOrder) {
    values.sort_by(|a, b| {
        let key = |v: &Value| v.as_object().and_then(|m| raw_value(m, by));
        match (key(a), key(b)) {
            (Some(x), Some(y)) if order == query::SortOrder::Descending => y.cmp(&x),
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        }
    });
}

/// The `filter-keywords-case-sensitive` fault: whether an operator or `and`/`or`/`not` outside a
/// string literal is written in anything but lowercase.
fn has_non_lowercase_keyword(text: &str) -> bool {
    const KEYWORDS: [&str; 13] = [
        "eq", "ne", "co", "sw", "ew", "pr", "gt", "ge", "lt", "le", "and", "or", "not",
    ];
    let mut outside = String::new();
    let mut in_str = false;
    let mut escaped = false;
    for ch in text.chars() {
        match (in_str, escaped, ch) {
            (true, true, _) => escaped = false,
            (true, false, '\\') => escaped = true,
            (true, false, '"') => in_str = false,
            (true, false, _) => {}
            (false, _, '"') => {
                in_str = true;
                outside.push(' ');
            }
            (false, _, c) if "()[]".contains(c) => outside.push(' '),
            (false, _, c) => outside.push(c),
        }
    }
    outside.split_whitespace().any(|w| {
        KEYWORDS.iter().any(|k| w.eq_ignore_ascii_case(k))
            && w.chars().any(|c| c.is_ascii_uppercase())
    })
}

/// The `attributes-case-sensitive` fault: keep only the requested names spelled exactly as the
/// resource's keys; when none is left, ask for `id` alone (the resource has nothing requested).
fn case_sensitive_attributes(v: &Value, attributes: &[AttrPath]) -> Vec<AttrPath> {
    if attributes.is_empty() {
        return Vec::new();
    }
    let kept: Vec<AttrPath> = attributes
        .iter()
        .filter(|a| {
            let container = match &a.urn {
                Some(u) => v.get(u.as_str()),
                None => Some(v),
            };
            container.and_then(|c| c.get(a.attr.as_str())).is_some()
        })
        .cloned()
        .collect();
    if kept.is_empty() {
        vec![AttrPath::attr("id")]
    } else {
        kept
    }
}

/// The `patch-no-primary-demote` fault: values that were primary before the PATCH are primary
/// again afterwards.
fn restore_primaries(old: &Value, new: &mut Map<String, Value>) {
    let Some(old) = old.as_object() else {
        return;
    };
    for (k, ov) in old {
        let (Some(before), Some(Value::Array(after))) = (ov.as_array(), new.get_mut(k)) else {
            continue;
        };
        for el in after.iter_mut() {
            let was_primary = before.iter().any(|b| {
                b.get("primary") == Some(&Value::Bool(true)) && b.get("value") == el.get("value")
            });
            if was_primary && let Value::Object(m) = el {
                m.insert("primary".into(), Value::Bool(true));
            }
        }
    }
}

/// The `manager-string-rejected` fault: a bare string for `...:manager` is refused.
fn reject_string_manager(req: &PatchRequest) -> ScimResult<()> {
    for op in &req.operations {
        let to_manager = op
            .path
            .as_deref()
            .is_some_and(|p| p.to_ascii_lowercase().ends_with("manager"));
        if to_manager && op.value.as_ref().is_some_and(Value::is_string) {
            return Err(ScimError::invalid_value(
                "manager must be a complex value {\"value\": id}",
            ));
        }
    }
    Ok(())
}

/// The `patch-op-case-sensitive` fault: only lowercase op names pass.
fn reject_non_lowercase_ops(body: &Value) -> ScimResult<()> {
    let ops = body
        .get("Operations")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for op in ops {
        if let Some(name) = op.get("op").and_then(Value::as_str)
            && name != name.to_lowercase()
        {
            return Err(ScimError::invalid_syntax(format!("unknown op {name:?}")));
        }
    }
    Ok(())
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
    fn keyword_case_fault_sees_keywords_outside_strings_only() {
        assert!(has_non_lowercase_keyword("userName EQ \"a\""));
        assert!(has_non_lowercase_keyword("a pr AND (b eq \"x\")"));
        assert!(has_non_lowercase_keyword("NOT(a pr)"));
        assert!(!has_non_lowercase_keyword("userName eq \"EQ AND\""));
        assert!(!has_non_lowercase_keyword(
            "title eq \"a \\\" OR\" and b pr"
        ));
        assert!(!has_non_lowercase_keyword("EQUAL eq \"x\""));
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
