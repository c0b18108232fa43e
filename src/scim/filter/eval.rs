//! Filter evaluation over stored resources (core attributes at the top level, extension
//! attributes under their URN, keys compared case-insensitively) and over one element of a
//! multi-valued attribute.
//!
//! Evaluation choices (RFC 7644 leaves them open; decided here):
//! * A missing attribute (or a path the schema does not know) matches nothing, except `ne`, which
//!   matches ("the value is not equal to x" holds when there is no value).
//! * `eq null` matches when the attribute is absent or empty, `ne null` when it is present
//!   (RFC 7643 §2.5: null is equivalent to unassigned).
//! * Multi-valued attributes match when ANY value matches. A complex attribute compared without a
//!   sub-attribute (`emails co "example.com"`) compares its `value` sub-attribute.
//! * Strings honour the attribute's `caseExact`; `dateTime` compares chronologically when both
//!   sides parse as RFC 3339 and falls back to string order otherwise; numbers compare by value;
//!   booleans support `eq`/`ne` only. A value of the wrong JSON type never equals (so `ne` holds).

use super::ast::{CompValue, CompareOp, Filter};
use crate::scim::json::{get_ci, integer_cmp};
use crate::scim::path::AttrPath;
use crate::scim::schema::{AttrLookup, AttrType, Attribute, Resolved};
use serde_json::{Number, Value};
use std::borrow::Cow;
use std::cmp::Ordering;

impl Filter {
    /// Whether `resource` (a stored resource: core attributes at the top level, extension
    /// attributes under their URN; keys compared case-insensitively) matches.
    pub fn matches(&self, resource: &Value, schema: &dyn AttrLookup) -> bool {
        eval(self, Scope::Resource(resource), schema)
    }

    /// Evaluate against ONE element of multi-valued attribute `parent` (used by PATCH valuePath
    /// `members[value eq "x"]`, `emails[type eq "work"]`): paths in self are sub-attributes of
    /// `parent`.
    pub fn matches_element(
        &self,
        element: &Value,
        parent: &AttrPath,
        schema: &dyn AttrLookup,
    ) -> bool {
        eval(self, Scope::Element(element, parent), schema)
    }
}

impl CompareOp {
    /// Whether two values standing in `ord` satisfy an `eq`/`ne`/ordering operator; the
    /// substring operators never hold on an ordering alone.
    fn holds(self, ord: Ordering) -> bool {
        match self {
            CompareOp::Eq => ord == Ordering::Equal,
            CompareOp::Ne => ord != Ordering::Equal,
            CompareOp::Gt => ord == Ordering::Greater,
            CompareOp::Ge => ord != Ordering::Less,
            CompareOp::Lt => ord == Ordering::Less,
            CompareOp::Le => ord != Ordering::Greater,
            CompareOp::Co | CompareOp::Sw | CompareOp::Ew => false,
        }
    }
}

/// Where paths are resolved: a whole resource, or one element of a multi-valued attribute.
#[derive(Clone, Copy)]
enum Scope<'a> {
    Resource(&'a Value),
    Element(&'a Value, &'a AttrPath),
}

/// Push `v`, or its elements when it is an array.
fn push_flat<'v>(out: &mut Vec<&'v Value>, v: Option<&'v Value>) {
    match v {
        Some(Value::Array(items)) => out.extend(items.iter()),
        Some(other) => out.push(other),
        None => {}
    }
}

/// Resolve `path` in `scope` and collect its raw values (array elements flattened).
/// `None` when the schema does not know the path.
fn lookup<'v, 's>(
    path: &AttrPath,
    scope: Scope<'v>,
    schema: &'s dyn AttrLookup,
) -> Option<(Resolved<'s>, Vec<&'v Value>)> {
    let mut values = Vec::new();
    match scope {
        Scope::Resource(resource) => {
            let resolved = schema.resolve(path)?;
            let container = match resolved.extension {
                Some(urn) => get_ci(resource, urn),
                None => Some(resource),
            };
            let top = container.and_then(|c| get_ci(c, &resolved.top.name));
            match resolved.sub {
                Some(sub) => {
                    let mut items = Vec::new();
                    push_flat(&mut items, top);
                    for item in items {
                        push_flat(&mut values, get_ci(item, &sub.name));
                    }
                }
                None => push_flat(&mut values, top),
            }
            Some((resolved, values))
        }
        Scope::Element(element, parent) => {
            if path.urn.is_some() || path.sub.is_some() {
                return None;
            }
            let full = AttrPath {
                urn: parent.urn.clone(),
                attr: parent.attr.clone(),
                sub: Some(path.attr.clone()),
            };
            let resolved = schema.resolve(&full)?;
            let sub = resolved.sub?;
            push_flat(&mut values, get_ci(element, &sub.name));
            Some((resolved, values))
        }
    }
}

/// RFC 7643 §2.5: null, "", [] and {} are unassigned. Containers are present when a member is.
fn is_present(v: &Value) -> bool {
    fn shallow(v: &Value) -> bool {
        match v {
            Value::Null => false,
            Value::String(s) => !s.is_empty(),
            Value::Array(a) => !a.is_empty(),
            Value::Object(o) => !o.is_empty(),
            Value::Bool(_) | Value::Number(_) => true,
        }
    }
    match v {
        Value::Array(a) => a.iter().any(shallow),
        Value::Object(o) => o.values().any(shallow),
        other => shallow(other),
    }
}

fn eval(f: &Filter, scope: Scope<'_>, schema: &dyn AttrLookup) -> bool {
    match f {
        Filter::And(a, b) => eval(a, scope, schema) && eval(b, scope, schema),
        Filter::Or(a, b) => eval(a, scope, schema) || eval(b, scope, schema),
        Filter::Not(inner) => !eval(inner, scope, schema),
        Filter::Present(path) => lookup(path, scope, schema)
            .is_some_and(|(_, values)| values.into_iter().any(is_present)),
        Filter::Compare { path, op, value } => {
            let (values, attr) = match lookup(path, scope, schema) {
                None => (Vec::new(), None),
                Some((resolved, raw))
                    if resolved.sub.is_none() && resolved.top.attr_type == AttrType::Complex =>
                {
                    // `emails co "x"`: compare each element's `value`.
                    let mut values = Vec::new();
                    for item in raw {
                        push_flat(&mut values, get_ci(item, "value"));
                    }
                    (values, resolved.top.sub_attribute("value"))
                }
                Some((resolved, raw)) => (raw, Some(resolved.attr())),
            };
            compare_set(&values, attr, *op, value)
        }
        Filter::ValuePath { attr, filter } => match scope {
            Scope::Resource(_) => lookup(attr, scope, schema).is_some_and(|(_, elements)| {
                elements
                    .into_iter()
                    .any(|el| el.is_object() && eval(filter, Scope::Element(el, attr), schema))
            }),
            Scope::Element(..) => false,
        },
    }
}

/// Apply `op value` to the attribute's values (any must match; see the module docs for absent).
fn compare_set(
    values: &[&Value],
    attr: Option<&Attribute>,
    op: CompareOp,
    value: &CompValue,
) -> bool {
    if *value == CompValue::Null {
        let present = values.iter().any(|v| is_present(v));
        return match op {
            CompareOp::Eq => !present,
            CompareOp::Ne => present,
            _ => false,
        };
    }
    let Some(attr) = attr else {
        return op == CompareOp::Ne;
    };
    let values: Vec<&Value> = values.iter().copied().filter(|v| !v.is_null()).collect();
    if values.is_empty() {
        return op == CompareOp::Ne;
    }
    values.into_iter().any(|v| compare_one(v, attr, op, value))
}

fn compare_one(v: &Value, attr: &Attribute, op: CompareOp, value: &CompValue) -> bool {
    let mismatch = op == CompareOp::Ne;
    match value {
        CompValue::Null => false,
        CompValue::Bool(b) => match v.as_bool() {
            Some(vb) if matches!(op, CompareOp::Eq | CompareOp::Ne) => op.holds(vb.cmp(b)),
            Some(_) => false,
            None => mismatch,
        },
        CompValue::Number(n) => match v.as_number().and_then(|vn| number_cmp(vn, n)) {
            Some(ord) => op.holds(ord),
            None => mismatch,
        },
        CompValue::Str(s) => {
            let Some(vs) = v.as_str() else {
                return mismatch;
            };
            if attr.attr_type == AttrType::DateTime && !op.is_substring() {
                let parse = chrono::DateTime::parse_from_rfc3339;
                if let (Ok(a), Ok(b)) = (parse(vs), parse(s)) {
                    return op.holds(a.cmp(&b));
                }
            }
            let (a, b): (Cow<'_, str>, Cow<'_, str>) = if attr.case_exact {
                (Cow::Borrowed(vs), Cow::Borrowed(s))
            } else {
                (Cow::Owned(vs.to_lowercase()), Cow::Owned(s.to_lowercase()))
            };
            match op {
                CompareOp::Co => a.contains(b.as_ref()),
                CompareOp::Sw => a.starts_with(b.as_ref()),
                CompareOp::Ew => a.ends_with(b.as_ref()),
                _ => op.holds(a.cmp(&b)),
            }
        }
    }
}

/// Numeric order: exact for integers, f64 otherwise.
fn number_cmp(a: &Number, b: &Number) -> Option<Ordering> {
    integer_cmp(a, b).or_else(|| a.as_f64()?.partial_cmp(&b.as_f64()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::filter::fixtures::*;
    use crate::scim::schema::ENTERPRISE_USER_SCHEMA as ENT;
    use serde_json::json;

    #[test]
    fn eq_honours_case_exact() {
        assert!(
            m(r#"userName eq "bjensen""#),
            "userName is caseExact=false (FLT-02)"
        );
        assert!(m(r#"externalId eq "BJensen-Ext""#));
        assert!(
            !m(r#"externalId eq "bjensen-ext""#),
            "externalId is caseExact=true (FLT-03)"
        );
        assert!(m(r#"externalId ne "bjensen-ext""#));
        assert!(m(r#"userName co "JENS""#));
        assert!(!m(r#"externalId co "jens""#));
        assert!(m(r#"externalId co "Jens""#));
    }

    #[test]
    fn substring_and_ordering_operators_on_strings() {
        assert!(m(r#"userName sw "bj""#));
        assert!(!m(r#"userName sw "jensen""#));
        assert!(m(r#"userName ew "SEN""#));
        assert!(!m(r#"userName ew "bj""#));
        assert!(m(r#"userName ne "alice""#));
        assert!(!m(r#"userName ne "BJENSEN""#));
        assert!(m(r#"userName gt "Alice""#), "lexicographic, case-folded");
        assert!(m(r#"userName lt "carol""#));
        assert!(m(r#"userName ge "bjensen""#) && m(r#"userName le "bjensen""#));
        assert!(!m(r#"userName gt "bjensen""#));
        assert!(
            m(r#"profileUrl sw "https://example.com""#),
            "reference, caseExact=false"
        );
    }

    #[test]
    fn missing_attributes_match_only_ne() {
        let f = fake();
        let r = json!({"userName": "x"});
        for (text, want) in [
            (r#"title eq "a""#, false),
            (r#"title co "a""#, false),
            (r#"title gt "a""#, false),
            (r#"title ne "a""#, true),
            ("title pr", false),
            ("title eq null", true),
            ("title ne null", false),
            ("nosuch eq 1", false),
            ("nosuch ne 1", true),
            ("nosuch pr", false),
            (r#"urn:example:other:Thing:userName eq "x""#, false),
        ] {
            assert_eq!(p(text).matches(&r, &f), want, "{text}");
        }
    }

    #[test]
    fn presence_ignores_null_empty_string_and_empty_containers() {
        let f = fake();
        let r = json!({"userName": "x", "title": "", "nicknames": [], "name": {}, "emails": [{"value": ""}], "active": false});
        for (text, want) in [
            ("userName pr", true),
            ("title pr", false),
            ("nicknames pr", false),
            ("name pr", false),
            ("emails pr", false),
            ("emails.value pr", false),
            ("active pr", true),
            ("externalId pr", false),
            ("title eq null", true),
        ] {
            assert_eq!(p(text).matches(&r, &f), want, "{text}");
        }
        assert!(p("emails pr").matches(&user(), &f));
        assert!(p("name.givenName pr").matches(&user(), &f));
        // An exact key wins over a case-insensitive one.
        assert!(!p("title pr").matches(&json!({"title": null, "TITLE": "x"}), &f));
    }

    #[test]
    fn multi_valued_attributes_match_any_element() {
        assert!(m(r#"emails.type eq "home""#));
        assert!(m(r#"emails.type eq "work""#));
        assert!(!m(r#"emails.type eq "other""#));
        assert!(
            m(r#"emails co "example.org""#),
            "complex without sub compares value"
        );
        assert!(!m(r#"emails co "example.net""#));
        assert!(m(r#"nicknames eq "bj""#), "simple multi-valued");
        assert!(m(r#"emails.primary eq true"#));
    }

    #[test]
    fn value_path_matches_within_one_element() {
        assert!(m(r#"emails[type eq "work" and value co "@work."]"#));
        assert!(
            !m(r#"emails[type eq "work" and value co "@home."]"#),
            "FLT-11: different elements"
        );
        assert!(
            m(r#"emails.type eq "work" and emails.value co "@home.""#),
            "FLT-12: any element each"
        );
        assert!(m(r#"emails[not (primary pr)]"#));
        assert!(m(r#"EMAILS[TYPE EQ "HOME"]"#));
        assert!(!m(r#"emails[nosuch eq "x"]"#));
        assert!(!m(r#"nosuch[value eq "x"]"#));
        // A single-valued complex attribute works too.
        assert!(m(r#"name[givenName eq "barbara" and familyName sw "J"]"#));
    }

    #[test]
    fn extension_attributes_live_under_their_urn() {
        assert!(m(&format!("{ENT}:employeeNumber eq \"701984\"")));
        assert!(
            m(&format!(
                "{}:EMPLOYEENUMBER eq \"701984\"",
                ENT.to_uppercase()
            )),
            "FLT-13"
        );
        assert!(
            m("employeeNumber eq \"701984\""),
            "unqualified falls back to extensions"
        );
        assert!(m(&format!("{ENT}:manager.value eq \"26118915\"")));
        assert!(
            m(&format!("{ENT}:manager eq \"26118915\"")),
            "complex without sub compares value"
        );
        assert!(m(&format!("{CORE}:userName eq \"bjensen\"")));
        assert!(!m(&format!("{ENT}:employeeNumber eq \"1\"")));
        let f = fake();
        let lower_key = json!({"urn:ietf:params:scim:schemas:extension:enterprise:2.0:user": {"EmployeeNumber": "5"}});
        assert!(p("employeeNumber eq \"5\"").matches(&lower_key, &f));
    }

    #[test]
    fn json_keys_are_found_case_insensitively() {
        let f = fake();
        let r = json!({"USERNAME": "alice", "Emails": [{"Value": "a@x", "TYPE": "work"}]});
        assert!(p(r#"userName eq "alice""#).matches(&r, &f));
        assert!(p(r#"emails[type eq "work" and value eq "a@x"]"#).matches(&r, &f));
        assert!(p(r#"emails.value eq "A@X""#).matches(&r, &f));
    }

    #[test]
    fn date_times_compare_chronologically() {
        // lastModified is 2024-06-01T12:00:00+02:00 = 10:00Z.
        assert!(m(r#"meta.lastModified gt "2024-06-01T09:30:00Z""#));
        assert!(
            !m(r#"meta.lastModified gt "2024-06-01T11:00:00Z""#),
            "string order would say yes"
        );
        assert!(
            m(r#"meta.lastModified eq "2024-06-01T10:00:00Z""#),
            "same instant, other offset"
        );
        assert!(m(r#"meta.lastModified ge "2024-06-01T10:00:00.000Z""#));
        assert!(m(r#"meta.lastModified lt "2024-06-01T10:00:01Z""#));
        assert!(m(r#"meta.created le "2024-01-01T10:00:00Z""#));
        // Unparseable: string order; substring operators always use strings.
        assert!(m(r#"meta.created gt "2023""#));
        assert!(m(r#"meta.created sw "2024-01""#));
    }

    #[test]
    fn numbers_and_booleans_compare_by_value() {
        assert!(m("age eq 42"));
        assert!(m("age eq 42.0"));
        assert!(m("age gt 41.5"));
        assert!(m("age lt 1e3"));
        assert!(!m("age ge 43"));
        assert!(m("score gt 7"));
        assert!(m("score le 7.5"));
        assert!(m("active eq true"));
        assert!(!m("active eq false"));
        assert!(m("active ne false"));
        assert!(!m("active gt false"), "ordering on booleans never matches");
        assert!(!m(r#"age eq "42""#), "type mismatch never equals");
        assert!(m(r#"age ne "42""#));
    }

    #[test]
    fn logical_operators_combine() {
        assert!(m(r#"userName eq "bjensen" and active eq true"#));
        assert!(!m(r#"userName eq "bjensen" and active eq false"#));
        assert!(m(r#"userName eq "nobody" or active eq true"#));
        assert!(!m(r#"not (userName sw "b")"#));
        assert!(m(r#"not (userName sw "a")"#));
        assert!(m(
            r#"(userName eq "nobody" or userName eq "bjensen") and age gt 40"#
        ));
        assert!(!m(
            r#"userName eq "nobody" or userName eq "bjensen" and age gt 50"#
        ));
    }

    #[test]
    fn matches_element_resolves_paths_under_the_parent() {
        let f = fake();
        let emails = path("emails");
        let work = json!({"value": "a@x", "type": "work"});
        let home = json!({"value": "b@y", "Type": "HOME"});
        let flt = p(r#"type eq "work""#);
        assert!(flt.matches_element(&work, &emails, &f));
        assert!(!flt.matches_element(&home, &emails, &f));
        assert!(p(r#"type eq "home" and value ew "@Y""#).matches_element(&home, &emails, &f));
        assert!(
            !p(r#"emails.type eq "work""#).matches_element(&work, &emails, &f),
            "paths are relative"
        );
        let manager = AttrPath {
            urn: Some(ENT.into()),
            attr: "manager".into(),
            sub: None,
        };
        assert!(p(r#"value eq "26118915""#).matches_element(
            &json!({"value": "26118915"}),
            &manager,
            &f
        ));
    }
}
