//! The provider's resource operations — create, read, replace, patch, delete, list/search — over
//! the store, using the pure `scim` core for every protocol rule. HTTP-free: each operation
//! returns a `Reply` or a `ScimError`, which `http.rs` turns into a response, and `bulk.rs` reuses.

use crate::provider::config::{Limits, ProviderConfig, TokenSpec};
use crate::provider::hooks::{
    Discovery, EtagRule, Hooks, MeUnbound, Op, Semantics, Stage, Uniqueness,
};
use crate::provider::store::{Entry, Kind, Tenant, TenantData};
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
    /// The extension points (no-ops by default).
    pub hooks: Arc<dyn Hooks>,
    /// The behaviour switches, from the hooks.
    pub rules: Semantics,
    /// Limits.
    pub limits: Limits,
    /// Accept group members whose `value` is no existing resource (stored as sent).
    pub allow_unknown_members: bool,
    slots: Vec<TenantSlot>,
    spc: Bytes,
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
        let registry = Registry::rfc7643().map_err(|e| internal(&e.to_string()))?;
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
            })
            .collect();
        Ok(Provider {
            registry,
            base_url,
            hooks,
            rules,
            limits,
            allow_unknown_members: config.allow_unknown_members,
            slots,
            spc: to_bytes(&spc),
        })
    }

    /// The tenant whose token is `token`, compared in constant time against every token.
    pub fn authenticate(&self, token: Option<&str>) -> Option<&TenantSlot> {
        use subtle::ConstantTimeEq;
        if !self.rules.require_token {
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
        if !self.rules.isolate_tenants && found.is_some() {
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

    /// The ServiceProviderConfig document.
    pub fn service_provider_config(&self) -> Bytes {
        self.spc.clone()
    }

    /// The `/Schemas` list or one schema.
    pub fn schemas(&self, id: Option<&str>) -> ScimResult<Reply> {
        let mut doc = match id {
            Some(id) => {
                let s = self
                    .registry
                    .schema(id)
                    .ok_or_else(|| ScimError::not_found(format!("no schema {id:?}")))?;
                registry::schema_document(s, &self.base_url)
            }
            None => {
                let docs: Vec<Value> = self
                    .registry
                    .schemas()
                    .iter()
                    .map(|s| registry::schema_document(s, &self.base_url))
                    .collect();
                let n = docs.len();
                query::list_response(n, 1, docs)
            }
        };
        self.hooks.discovery(Discovery::Schemas(id), &mut doc)?;
        Ok(Reply::json(200, &doc))
    }

    /// The `/ResourceTypes` list or one resource type.
    pub fn resource_types(&self, id: Option<&str>) -> ScimResult<Reply> {
        let mut doc = match id {
            Some(id) => {
                let rt = self
                    .registry
                    .resource_type(id)
                    .ok_or_else(|| ScimError::not_found(format!("no resource type {id:?}")))?;
                registry::resource_type_document(rt, &self.base_url)
            }
            None => {
                let docs: Vec<Value> = self
                    .registry
                    .resource_types()
                    .iter()
                    .map(|rt| registry::resource_type_document(rt, &self.base_url))
                    .collect();
                let n = docs.len();
                query::list_response(n, 1, docs)
            }
        };
        self.hooks
            .discovery(Discovery::ResourceTypes(id), &mut doc)?;
        Ok(Reply::json(200, &doc))
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
                && self.rules.user_groups
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
            if self.rules.return_password
                && let (Value::Object(m), Some(p)) = (&mut v, &e.password)
            {
                m.insert("password".into(), Value::String(p.to_string()));
            }
        }
        Ok(v)
    }

    fn needs_materialize(&self, d: &TenantData, kind: Kind, e: &Entry) -> bool {
        kind == Kind::User
            && (self.rules.return_password
                || (!d.groups_of(&e.id).is_empty() && self.rules.user_groups))
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
        let rewritten = self.hooks.project(v, proj);
        let proj = rewritten.as_ref().unwrap_or(proj);
        let mut out = query::project(v, &proj.attributes, &proj.excluded, &schema);
        self.hooks.projected(proj, &mut out);
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
        let proj = if !self.rules.attributes_on_resources {
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
        let unique_keys: Box<[Arc<str>]> = if self.rules.uniqueness == Uniqueness::Off {
            Box::default()
        } else {
            resource::unique_values(&map, &schema)
                .into_iter()
                .map(|(path, value)| {
                    let value = if self.rules.uniqueness == Uniqueness::AsWritten {
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
                                if self.rules.member_types_swapped {
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
                            None if self.rules.allow_unknown_members => {}
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
        let rewritten = self.hooks.create_body(kind, &schema, body)?;
        let body = rewritten.as_ref().unwrap_or(body);
        let mut map = resource::normalize(body, &schema, WriteMode::Create)?;
        let password = Self::take_password(kind, &mut map);
        let client_id = body
            .get("id")
            .and_then(Value::as_str)
            .filter(|_| self.rules.honour_client_id);
        let id: Arc<str> = match client_id {
            Some(c) => c.into(),
            None => uuid::Uuid::new_v4().to_string().into(),
        };
        let seq = slot.tenant.next_seq();
        let client_created = body
            .pointer("/meta/created")
            .and_then(Value::as_str)
            .filter(|_| self.rules.honour_client_id);
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
        let mut r = self.resource_reply(&d, kind, &e, 201, proj)?;
        r.location = Some(self.location(kind, &id));
        self.hooks.reply(Op::Create, &mut r);
        Ok(r)
    }

    fn not_found(&self, kind: Kind, id: &str) -> ScimError {
        ScimError::not_found(format!("{} {id:?} not found", kind.id()))
    }

    fn missing(&self, kind: Kind, id: &str) -> ScimResult<Reply> {
        if self.rules.missing_answers_empty {
            return Ok(Reply::json(200, &json!({})));
        }
        Err(self.not_found(kind, id))
    }

    fn check_if_match(&self, if_match: Option<&str>, e: &Entry) -> ScimResult<()> {
        if let Some(h) = if_match
            && self.rules.honour_if_match
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
        if let Some(lag) = self.rules.read_lag
            && let Some((k, prev, at)) = d.stale.get(id)
            && *k == kind
            && at.elapsed() < lag
        {
            e = prev;
        }
        let if_none_match = if_none_match.filter(|_| self.rules.honour_if_none_match);
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
        let rewritten = self.hooks.read_projection(kind, proj);
        self.resource_reply(&d, kind, e, 200, rewritten.as_ref().unwrap_or(proj))
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
        if !self.rules.replace_applies {
            return self.resource_reply(&d, kind, &old, 200, proj);
        }
        let old_v = parse_stored(&old.json)?;
        let old_map = strip_server_fields(&old_v);
        self.hooks.screen_replace(&old_map, &map)?;
        resource::check_immutable(&old_map, &map, &schema)?;
        let password = Self::take_password(kind, &mut map).or_else(|| old.password.clone());
        self.hooks
            .before_write(Op::Replace, &old_v, &old_map, &mut map);
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
        if unchanged && !self.rules.noop_writes_bump_version {
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
        if let Some(lag) = self.rules.read_lag
            && let Some(prev) = d.table(kind).get(&id).cloned()
        {
            d.stale.retain(|_, (_, _, at)| at.elapsed() < lag);
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

    /// The resource as stored now (the read half of an unlocked read-modify-write,
    /// `Semantics::unlocked_group_patch`).
    pub fn snapshot(&self, slot: &TenantSlot, kind: Kind, id: &str) -> Option<Arc<Entry>> {
        slot.tenant.data.read().table(kind).get(id).cloned()
    }

    /// PATCH applied to `base` (a [`Provider::snapshot`] taken earlier) instead of the stored
    /// resource when given, overwriting whatever was written in between. `None` is the
    /// ordinary PATCH.
    #[expect(
        clippy::too_many_arguments,
        reason = "PATCH's parts plus the snapshot it is based on"
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
        self.hooks.screen_patch(body)?;
        let mut req = match PatchRequest::from_json(body) {
            Ok(r) => r,
            Err(e) if self.hooks.tolerate(Stage::PatchEnvelope, &e) => {
                let d = slot.tenant.data.read();
                let Some(old) = d.table(kind).get(id) else {
                    return self.missing(kind, id);
                };
                return self.resource_reply(&d, kind, old, 200, proj);
            }
            Err(e) => return Err(e),
        };
        self.hooks.patch_request(&mut req)?;
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
        let mut d = slot.tenant.data.write();
        let Some(current) = d.table(kind).get(id).cloned() else {
            return self.missing(kind, id);
        };
        let old = base.unwrap_or(current);
        self.check_if_match(if_match, &old)?;
        for gid in self.hooks.patch_operations(kind, &mut req) {
            self.add_member(&slot.tenant, &mut d, &gid, id)?;
        }
        let old_v = parse_stored(&old.json)?;
        let outcome = match patch::apply(&old_v, &req, &schema) {
            Ok(o) => o,
            Err(e) => {
                if self.hooks.tolerate(Stage::PatchApply, &e) {
                    return self.resource_reply(&d, kind, &old, 200, proj);
                }
                // The first partial request (if the hooks offer any) that applies is kept.
                for partial in self.hooks.partial_patches(&req) {
                    if let Ok(o) = patch::apply(&old_v, &partial, &schema) {
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
                return Err(e);
            }
        };
        let mut outcome = outcome;
        self.hooks.patched(&req, &mut outcome.resource);
        if !self.rules.patch_applies || (!outcome.changed && !self.rules.noop_writes_bump_version) {
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

    /// A successful PATCH's answer, through the reply hook.
    fn patch_reply(&self, mut r: Reply) -> ScimResult<Reply> {
        self.hooks.reply(Op::Patch, &mut r);
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
        self.hooks
            .before_write(Op::Patch, old_v, &old_map, &mut map);
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
        if !self.rules.delete_removes {
            return Ok(Reply::empty(204));
        }
        if self.rules.read_lag.is_some() {
            d.stale.remove(id);
        }
        let body = self
            .rules
            .delete_returns_body
            .then(|| self.served_json(kind, &old));
        match kind {
            Kind::User => {
                d.users.remove(id);
            }
            Kind::Group => {
                d.remove_group(id);
            }
        }
        if self.rules.delete_cascades_members {
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

    /// Add `member` to group `gid` (a membership a hook asks for); no group, no change.
    fn add_member(
        &self,
        tenant: &Tenant,
        d: &mut TenantData,
        gid: &str,
        member: &str,
    ) -> ScimResult<()> {
        let Some(g) = d.groups.get(gid).cloned() else {
            return Ok(());
        };
        let old_map = strip_server_fields(&parse_stored(&g.json)?);
        let mut map = old_map.clone();
        let members = map
            .entry("members")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(list) = members {
            list.push(json!({"value": member}));
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
    pub fn list(&self, slot: &TenantSlot, kinds: &[Kind], sent: &ListQuery) -> ScimResult<Reply> {
        let rewritten = self.hooks.list_query(sent);
        let q = rewritten.as_ref().unwrap_or(sent);
        let filter = match q.filter.as_deref() {
            None => None,
            Some(text) => {
                self.hooks.screen_filter(text)?;
                match self.parse_filter(text, kinds) {
                    Ok(f) => Some(self.hooks.filter(f)),
                    Err(e) if self.hooks.tolerate(Stage::Filter, &e) => {
                        return Ok(Reply::json(200, &query::list_response(0, 1, Vec::new())));
                    }
                    Err(e) => return Err(e),
                }
            }
        };
        if let Some(by) = q.sort_by.as_ref() {
            self.check_sort_by(by, kinds)?;
        }
        self.hooks.screen_list_query(q, &self.limits)?;
        let start_index = q.start_index.saturating_add(self.rules.start_index_shift);
        let d = slot.tenant.data.read();
        let paging = self.rules.paging;
        let sort_by = q.sort_by.as_ref();

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
            return Ok(Reply::json(200, &self.list_body(total, sent, page)));
        }

        let mut hits: Vec<(Kind, Value)> = Vec::new();
        for &kind in kinds {
            let schema = self.schema(kind)?;
            let candidates = self.candidates(&d, kind, filter.as_ref());
            for e in candidates {
                let v = self.materialize(&d, kind, &e)?;
                let keep = match &filter {
                    None => true,
                    Some(f) => f.matches(&v, &schema) && self.hooks.also_matches(f, &v),
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
            let order = q.sort_order;
            query::sort(&mut values, by, order, &schema);
            self.hooks.sorted(&mut values, by, order, &schema);
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
        self.hooks.screen_total(total, filter.is_some())?;
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
        Ok(Reply::json(200, &self.list_body(total, sent, page)))
    }

    fn list_projection(&self, q: &ListQuery) -> Projection {
        Projection {
            attributes: q.attributes.clone(),
            excluded: q.excluded_attributes.clone(),
        }
    }

    /// The ListResponse for a page (`q` as the client sent it), through the list-body hook.
    fn list_body(&self, total: usize, q: &ListQuery, page: Vec<Value>) -> Value {
        let mut body = query::list_response(total, q.start_index.max(1), page);
        self.hooks.list_body(q, &mut body);
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
                            if self.rules.uniqueness != Uniqueness::AsDeclared {
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
            if self.rules.me_unbound == MeUnbound::NotFound {
                // As if /Me were no route at all: the answer of any unknown endpoint.
                return Err(ScimError::not_found(
                    "/Me is not an endpoint of this service",
                ));
            }
            if self.rules.me_unbound == MeUnbound::FirstUser
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
