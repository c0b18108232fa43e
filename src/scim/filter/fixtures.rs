//! Test fixtures shared by the filter modules' unit tests: a tiny User schema standing in for
//! the registry, a sample user, and short constructors for filters.

use super::{CompValue, CompareOp, Filter, FilterError};
use crate::scim::path::AttrPath;
use crate::scim::schema::ENTERPRISE_USER_SCHEMA as ENT;
use crate::scim::schema::{AttrLookup, Attribute, Resolved};
use serde_json::{Value, json};

pub(super) const CORE: &str = "urn:ietf:params:scim:schemas:core:2.0:User";

/// A tiny User schema (plus the enterprise extension) standing in for the registry.
pub(super) struct Fake {
    core: Vec<Attribute>,
    ext: Vec<Attribute>,
}

pub(super) fn attrs(v: Value) -> Vec<Attribute> {
    serde_json::from_value(v).unwrap_or_else(|e| panic!("bad test schema: {e}"))
}

pub(super) fn fake() -> Fake {
    Fake {
        core: attrs(json!([
            {"name": "id", "type": "string", "caseExact": true},
            {"name": "externalId", "type": "string", "caseExact": true},
            {"name": "userName", "type": "string"},
            {"name": "title", "type": "string"},
            {"name": "name", "type": "complex", "subAttributes": [
                {"name": "givenName", "type": "string"},
                {"name": "familyName", "type": "string"}
            ]},
            {"name": "emails", "type": "complex", "multiValued": true, "subAttributes": [
                {"name": "value", "type": "string"},
                {"name": "type", "type": "string"},
                {"name": "primary", "type": "boolean"}
            ]},
            {"name": "nicknames", "type": "string", "multiValued": true},
            {"name": "active", "type": "boolean"},
            {"name": "age", "type": "integer"},
            {"name": "score", "type": "decimal"},
            {"name": "photo", "type": "binary", "caseExact": true},
            {"name": "profileUrl", "type": "reference"},
            {"name": "meta", "type": "complex", "subAttributes": [
                {"name": "created", "type": "dateTime"},
                {"name": "lastModified", "type": "dateTime"}
            ]}
        ])),
        ext: attrs(json!([
            {"name": "employeeNumber", "type": "string"},
            {"name": "manager", "type": "complex", "subAttributes": [
                {"name": "value", "type": "string"},
                {"name": "displayName", "type": "string"}
            ]}
        ])),
    }
}

impl AttrLookup for Fake {
    fn resolve(&self, path: &AttrPath) -> Option<Resolved<'_>> {
        fn find<'a>(list: &'a [Attribute], name: &str) -> Option<&'a Attribute> {
            list.iter().find(|a| a.name.eq_ignore_ascii_case(name))
        }
        let find = |list| find(list, &path.attr);
        let (extension, top) = match &path.urn {
            Some(u) if u.eq_ignore_ascii_case(CORE) => (None, find(&self.core)?),
            Some(u) if u.eq_ignore_ascii_case(ENT) => (Some(ENT), find(&self.ext)?),
            Some(_) => return None,
            None => match find(&self.core) {
                Some(a) => (None, a),
                None => (Some(ENT), find(&self.ext)?),
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
        vec![CORE, ENT]
    }
}

pub(super) fn p(s: &str) -> Filter {
    Filter::parse(s).unwrap_or_else(|e| panic!("{s:?} should parse: {}", e.render()))
}

pub(super) fn err(s: &str) -> FilterError {
    match Filter::parse(s) {
        Ok(f) => panic!("{s:?} should not parse, got {f:?}"),
        Err(e) => e,
    }
}

pub(super) fn path(s: &str) -> AttrPath {
    AttrPath::parse(s).unwrap_or_else(|e| panic!("{e}"))
}

pub(super) fn cmp(s: &str, op: CompareOp, v: CompValue) -> Filter {
    Filter::Compare {
        path: path(s),
        op,
        value: v,
    }
}

pub(super) fn st(s: &str) -> CompValue {
    CompValue::Str(s.into())
}

pub(super) fn pr(s: &str) -> Filter {
    Filter::Present(path(s))
}

pub(super) fn and(a: Filter, b: Filter) -> Filter {
    Filter::And(Box::new(a), Box::new(b))
}

pub(super) fn or(a: Filter, b: Filter) -> Filter {
    Filter::Or(Box::new(a), Box::new(b))
}

pub(super) fn not(a: Filter) -> Filter {
    Filter::Not(Box::new(a))
}

pub(super) fn user() -> Value {
    json!({
        "schemas": [CORE, ENT],
        "id": "2819c223",
        "externalId": "BJensen-Ext",
        "userName": "BJensen",
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
        "emails": [
            {"value": "bjensen@work.example.com", "type": "work", "primary": true},
            {"value": "babs@home.example.org", "type": "home"}
        ],
        "nicknames": ["Babs", "BJ"],
        "active": true,
        "age": 42,
        "score": 7.5,
        "title": "",
        "profileUrl": "https://Example.com/bjensen",
        "meta": {"created": "2024-01-01T10:00:00Z", "lastModified": "2024-06-01T12:00:00+02:00"},
        ENT: {"employeeNumber": "701984", "manager": {"value": "26118915", "displayName": "John"}}
    })
}

pub(super) fn m(s: &str) -> bool {
    p(s).matches(&user(), &fake())
}
