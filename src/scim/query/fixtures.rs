//! Test fixtures shared by the query modules' unit tests: a User + Enterprise User schema
//! look-up, a sample user, and helpers for parameters, projections and error kinds.

pub(super) use crate::scim::error::ScimType;
pub(super) use crate::scim::schema::{ENTERPRISE_USER_SCHEMA as ENT, USER_SCHEMA};

use super::{ListQuery, parse_attr_list, project};
use crate::scim::error::ScimResult;
use crate::scim::path::AttrPath;
use crate::scim::schema::{AttrLookup, Attribute, Resolved};
use serde_json::{Value, json};

pub(super) const CORE_ATTRS: &str = r#"[
  {"name": "id", "type": "string", "caseExact": true, "mutability": "readOnly",
   "returned": "always", "uniqueness": "server"},
  {"name": "userName", "type": "string", "caseExact": false, "required": true,
   "uniqueness": "server"},
  {"name": "name", "type": "complex", "subAttributes": [
    {"name": "formatted", "type": "string"},
    {"name": "familyName", "type": "string"},
    {"name": "givenName", "type": "string"}]},
  {"name": "displayName", "type": "string"},
  {"name": "rank", "type": "integer"},
  {"name": "password", "type": "string", "mutability": "writeOnly", "returned": "never"},
  {"name": "emails", "type": "complex", "multiValued": true, "subAttributes": [
    {"name": "value", "type": "string"},
    {"name": "type", "type": "string"},
    {"name": "primary", "type": "boolean"},
    {"name": "verificationCode", "type": "string", "returned": "never"}]},
  {"name": "auditNote", "type": "string", "returned": "request"},
  {"name": "groups", "type": "complex", "multiValued": true, "mutability": "readOnly",
   "subAttributes": [
    {"name": "value", "type": "string", "mutability": "readOnly"},
    {"name": "display", "type": "string", "mutability": "readOnly"}]},
  {"name": "meta", "type": "complex", "mutability": "readOnly", "subAttributes": [
    {"name": "resourceType", "type": "string", "caseExact": true},
    {"name": "created", "type": "dateTime"},
    {"name": "lastModified", "type": "dateTime"},
    {"name": "version", "type": "string", "caseExact": true}]}
]"#;

pub(super) const ENT_ATTRS: &str = r#"[
  {"name": "employeeNumber", "type": "string"},
  {"name": "department", "type": "string"},
  {"name": "manager", "type": "complex", "subAttributes": [
    {"name": "value", "type": "string"},
    {"name": "displayName", "type": "string", "mutability": "readOnly"}]}
]"#;

/// A User + Enterprise User lookup built from inline schema JSON.
pub(super) struct Fake {
    core: Vec<Attribute>,
    ext: Vec<Attribute>,
}

pub(super) fn fake() -> Fake {
    let parse = |s: &str| -> Vec<Attribute> {
        serde_json::from_str(s).unwrap_or_else(|e| panic!("bad fake schema: {e}"))
    };
    Fake {
        core: parse(CORE_ATTRS),
        ext: parse(ENT_ATTRS),
    }
}

impl AttrLookup for Fake {
    fn resolve(&self, p: &AttrPath) -> Option<Resolved<'_>> {
        let find = |list: &[Attribute]| {
            list.iter()
                .position(|a| a.name.eq_ignore_ascii_case(&p.attr))
        };
        let (extension, top) = match &p.urn {
            Some(u) if u.eq_ignore_ascii_case(USER_SCHEMA) => {
                (None, self.core.get(find(&self.core)?)?)
            }
            Some(u) if u.eq_ignore_ascii_case(ENT) => (Some(ENT), self.ext.get(find(&self.ext)?)?),
            Some(_) => return None,
            None => match find(&self.core) {
                Some(i) => (None, self.core.get(i)?),
                None => (Some(ENT), self.ext.get(find(&self.ext)?)?),
            },
        };
        let sub = match &p.sub {
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
        vec![USER_SCHEMA, ENT]
    }
}

pub(super) fn user() -> Value {
    json!({
        "schemas": [USER_SCHEMA, ENT],
        "id": "2819c223",
        "externalId": "ext-1",
        "userName": "bjensen",
        "name": {"formatted": "Ms. Barbara J Jensen", "familyName": "Jensen", "givenName": "Barbara"},
        "displayName": "Babs",
        "password": "t1meMa$heen",
        "emails": [
            {"value": "bjensen@example.com", "type": "work", "primary": true, "verificationCode": "123"},
            {"value": "babs@jensen.org", "type": "home"}
        ],
        "auditNote": "flagged",
        "groups": [{"value": "g1", "display": "Tour Guides"}],
        "meta": {"resourceType": "User", "created": "2010-01-23T04:56:22Z",
                 "lastModified": "2011-05-13T04:42:34Z", "version": "W/\"3694e05e9dff590\""},
        ENT: {"employeeNumber": "701984", "department": "Tour Operations",
              "manager": {"value": "26118915", "displayName": "John Smith"}}
    })
}

pub(super) fn paths(s: &str) -> Vec<AttrPath> {
    parse_attr_list(s).unwrap_or_else(|e| panic!("{e}"))
}

pub(super) fn proj(attrs: &str, excl: &str) -> Value {
    project(&user(), &paths(attrs), &paths(excl), &fake())
}

pub(super) fn keys(v: &Value) -> Vec<String> {
    v.as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

pub(super) fn q(pairs: &[(&str, &str)]) -> ScimResult<ListQuery> {
    ListQuery::from_params(pairs.iter().copied())
}

pub(super) fn kind<T: std::fmt::Debug>(r: ScimResult<T>) -> Option<ScimType> {
    match r {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => {
            assert_eq!(e.status, 400);
            e.scim_type
        }
    }
}

pub(super) fn ok<T>(r: ScimResult<T>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}
