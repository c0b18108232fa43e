//! Test fixtures shared by the PATCH modules' unit tests: small User and Group schema look-ups,
//! sample resources, and helpers that run a PATCH body and assert on its outcome.

pub(super) use crate::scim::error::ScimType;
pub(super) use crate::scim::schema::{ENTERPRISE_USER_SCHEMA as ENT, GROUP_SCHEMA, USER_SCHEMA};

use super::{PatchOutcome, PatchRequest, apply};
use crate::scim::error::{ScimError, ScimResult};
use crate::scim::path::AttrPath;
use crate::scim::schema::{AttrLookup, Attribute, PATCH_OP, Resolved, Schema};
use serde_json::{Value, json};

/// A small schema lookup: one core schema, common attributes, extensions.
pub(super) struct Fake {
    core: Schema,
    common: Vec<Attribute>,
    exts: Vec<Schema>,
}

impl Fake {
    fn find_core(&self, name: &str) -> Option<&Attribute> {
        self.core.attribute(name).or_else(|| {
            self.common
                .iter()
                .find(|a| a.name.eq_ignore_ascii_case(name))
        })
    }
}

impl AttrLookup for Fake {
    fn resolve(&self, path: &AttrPath) -> Option<Resolved<'_>> {
        let (top, extension) = match &path.urn {
            Some(u) if u.eq_ignore_ascii_case(&self.core.id) => (self.find_core(&path.attr)?, None),
            Some(u) => {
                let s = self.exts.iter().find(|s| s.id.eq_ignore_ascii_case(u))?;
                (s.attribute(&path.attr)?, Some(s.id.as_str()))
            }
            None => match self.find_core(&path.attr) {
                Some(a) => (a, None),
                None => self
                    .exts
                    .iter()
                    .find_map(|s| s.attribute(&path.attr).map(|a| (a, Some(s.id.as_str()))))?,
            },
        };
        let sub = match &path.sub {
            Some(s) => Some(top.sub_attribute(s)?),
            None => None,
        };
        Some(Resolved {
            extension,
            top,
            sub,
        })
    }

    fn schema_urns(&self) -> Vec<&str> {
        std::iter::once(self.core.id.as_str())
            .chain(self.exts.iter().map(|s| s.id.as_str()))
            .collect()
    }
}

pub(super) fn schema(v: Value) -> Schema {
    serde_json::from_value(v).unwrap_or_else(|e| panic!("bad test schema: {e}"))
}

pub(super) fn attrs(v: Value) -> Vec<Attribute> {
    serde_json::from_value(v).unwrap_or_else(|e| panic!("bad test attributes: {e}"))
}

pub(super) fn common() -> Vec<Attribute> {
    attrs(json!([
        {"name": "id", "type": "string", "mutability": "readOnly", "caseExact": true},
        {"name": "externalId", "type": "string", "caseExact": true},
        {"name": "meta", "type": "complex", "mutability": "readOnly", "subAttributes": [
            {"name": "resourceType", "type": "string", "mutability": "readOnly"},
            {"name": "created", "type": "dateTime", "mutability": "readOnly"},
            {"name": "lastModified", "type": "dateTime", "mutability": "readOnly"},
            {"name": "version", "type": "string", "mutability": "readOnly"}]}
    ]))
}

pub(super) fn multi(name: &str, subs: Value) -> Value {
    json!({"name": name, "type": "complex", "multiValued": true, "subAttributes": subs})
}

pub(super) fn user_lookup() -> Fake {
    let kvp = json!([
        {"name": "value", "type": "string"},
        {"name": "display", "type": "string"},
        {"name": "type", "type": "string"},
        {"name": "primary", "type": "boolean"}]);
    Fake {
        core: schema(json!({"id": USER_SCHEMA, "attributes": [
            {"name": "userName", "type": "string", "required": true, "uniqueness": "server"},
            {"name": "name", "type": "complex", "subAttributes": [
                {"name": "formatted", "type": "string"},
                {"name": "familyName", "type": "string"},
                {"name": "givenName", "type": "string"}]},
            {"name": "displayName", "type": "string"},
            {"name": "nickName", "type": "string"},
            {"name": "title", "type": "string"},
            {"name": "active", "type": "boolean"},
            {"name": "password", "type": "string", "mutability": "writeOnly", "returned": "never"},
            {"name": "loginCount", "type": "integer"},
            {"name": "hiredAt", "type": "dateTime"},
            {"name": "employeeId", "type": "string", "mutability": "immutable", "caseExact": true},
            multi("emails", kvp.clone()),
            multi("phoneNumbers", kvp.clone()),
            multi("addresses", json!([
                {"name": "formatted", "type": "string"},
                {"name": "streetAddress", "type": "string"},
                {"name": "locality", "type": "string"},
                {"name": "type", "type": "string"},
                {"name": "primary", "type": "boolean"}])),
            {"name": "groups", "type": "complex", "multiValued": true, "mutability": "readOnly", "subAttributes": [
                {"name": "value", "type": "string", "mutability": "readOnly"},
                {"name": "display", "type": "string", "mutability": "readOnly"}]},
            {"name": "nicknames", "type": "string", "multiValued": true}
        ]})),
        common: common(),
        exts: vec![schema(json!({"id": ENT, "attributes": [
            {"name": "employeeNumber", "type": "string"},
            {"name": "department", "type": "string"},
            {"name": "manager", "type": "complex", "subAttributes": [
                {"name": "value", "type": "string"},
                {"name": "$ref", "type": "reference"},
                {"name": "displayName", "type": "string", "mutability": "readOnly"}]}
        ]}))],
    }
}

pub(super) fn group_lookup() -> Fake {
    Fake {
        core: schema(json!({"id": GROUP_SCHEMA, "attributes": [
            {"name": "displayName", "type": "string", "required": true},
            {"name": "members", "type": "complex", "multiValued": true, "subAttributes": [
                {"name": "value", "type": "string", "mutability": "immutable", "required": true, "caseExact": true},
                {"name": "$ref", "type": "reference", "mutability": "immutable"},
                {"name": "display", "type": "string"},
                {"name": "type", "type": "string", "mutability": "immutable"}]}
        ]})),
        common: common(),
        exts: Vec::new(),
    }
}

pub(super) fn user() -> Value {
    json!({
        "schemas": [USER_SCHEMA],
        "id": "u1",
        "externalId": "ext-1",
        "userName": "bjensen",
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
        "displayName": "Babs",
        "title": "Engineer",
        "active": true,
        "employeeId": "E-1",
        "emails": [
            {"value": "bj@work.example", "type": "work", "primary": true},
            {"value": "bj@home.example", "type": "home"}],
        "addresses": [{"type": "work", "streetAddress": "100 Main St", "locality": "Springfield"}],
        "groups": [{"value": "g1", "display": "Admins"}],
        "meta": {"resourceType": "User", "created": "2024-01-01T00:00:00Z",
                 "lastModified": "2024-01-01T00:00:00Z", "version": "W/\"1\""}
    })
}

pub(super) fn group() -> Value {
    json!({
        "schemas": [GROUP_SCHEMA],
        "id": "g1",
        "displayName": "Admins",
        "members": [{"value": "u1", "type": "User"}, {"value": "u2", "type": "User"}, {"value": "u3", "type": "User"}]
    })
}

pub(super) fn body(ops: Value) -> Value {
    json!({"schemas": [PATCH_OP], "Operations": ops})
}

pub(super) fn run(res: &Value, ops: Value, s: &Fake) -> ScimResult<PatchOutcome> {
    apply(res, &PatchRequest::from_json(&body(ops))?, s)
}

pub(super) fn ok(res: &Value, ops: Value, s: &Fake) -> PatchOutcome {
    run(res, ops, s).unwrap_or_else(|e| panic!("expected success, got {e}"))
}

pub(super) fn fails(res: &Value, ops: Value, s: &Fake, t: ScimType) -> ScimError {
    match run(res, ops, s) {
        Ok(o) => panic!("expected {t}, got success: {}", o.resource),
        Err(e) => {
            assert_eq!((e.status, e.scim_type), (400, Some(t)), "{e}");
            e
        }
    }
}
