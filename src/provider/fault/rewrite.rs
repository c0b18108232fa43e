//! The rewrites the faults make: request screens, response-body rewrites, PATCH, filter, sort
//! and projection rewrites, each a plain function of its input.

use super::{Fault, Faults};
use crate::provider::service::raw_value;
use crate::scim::error::ScimType;
use crate::scim::filter::{CompValue, CompareOp, Filter};
use crate::scim::patch::{self, PatchRequest};
use crate::scim::query::{self, SortOrder};
use crate::scim::{AttrPath, ScimError, ScimResult};
use axum::http::Uri;
use bytes::Bytes;
use serde_json::{Map, Value};

/// The `spc-incomplete` fault: no `schemas`, no `etag`, no scheme descriptions.
pub(super) fn spc_incomplete(v: &mut Value) {
    if let Value::Object(m) = v {
        m.shift_remove("schemas");
        m.shift_remove("etag");
        if let Some(Value::Array(schemes)) = m.get_mut("authenticationSchemes") {
            for s in schemes.iter_mut().filter_map(Value::as_object_mut) {
                s.shift_remove("description");
            }
        }
    }
}

/// The `spc-understates` fault: patch and bulk claimed unsupported.
pub(super) fn spc_understates(v: &mut Value) {
    for f in ["patch", "bulk"] {
        if let Some(o) = v.get_mut(f).and_then(Value::as_object_mut) {
            o.insert("supported".into(), Value::Bool(false));
        }
    }
}

/// The `schemas-incomplete` fault on the `/Schemas` list: the EnterpriseUser extension is left
/// out (and not counted).
pub(super) fn drop_enterprise_schema(list: &mut Value) {
    let Some(Value::Array(docs)) = list.get_mut("Resources") else {
        return;
    };
    docs.retain(|d| d["id"] != crate::scim::schema::ENTERPRISE_USER_SCHEMA);
    let n = docs.len();
    if let Value::Object(m) = list {
        m.insert("totalResults".into(), Value::from(n));
        m.insert("itemsPerPage".into(), Value::from(n));
    }
}

/// The `schema-lies` fault: the User schema document misstates userName, password and
/// displayName.
pub(super) fn schema_lies(doc: &mut Value) {
    if doc["id"] != crate::scim::schema::USER_SCHEMA {
        return;
    }
    for a in doc["attributes"].as_array_mut().into_iter().flatten() {
        match a["name"].as_str() {
            Some("userName") => a["caseExact"] = Value::Bool(true),
            Some("password") => a["returned"] = Value::String("default".into()),
            Some("displayName") => a["mutability"] = Value::String("readwrite".into()),
            _ => {}
        }
    }
}

/// The `user-groups-writable` fault: take the `add`/`replace` operations on `groups` out of a
/// user PATCH and return the group ids they name.
pub(super) fn take_group_writes(req: &mut PatchRequest) -> Vec<String> {
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
    gids
}

/// Under `filter-case-sensitive`, an equality on userName (or another caseExact=false string
/// attribute: displayName, nickName, title) must also match exactly.
pub(super) fn equalities_match_exactly(f: &Filter, v: &Value) -> bool {
    ["userName", "displayName", "nickName", "title"]
        .iter()
        .all(|attr| match f.equality_on(&AttrPath::attr(*attr)) {
            Some(want) => v.get(*attr).and_then(Value::as_str) == Some(want),
            None => true,
        })
}

/// The filter-evaluation faults, applied by rewriting the parsed filter.
pub(super) fn filter(faults: &Faults, f: Filter) -> Filter {
    let on = |x| faults.has(x);
    if !(on(Fault::FilterNoPrecedence)
        || on(Fault::FilterNotIgnored)
        || on(Fault::FilterGeLeExclusive)
        || on(Fault::FilterDatetimeAsString)
        || on(Fault::ValuePathAcrossElements))
    {
        return f;
    }
    rewrite_filter(faults, f)
}

fn rewrite_filter(faults: &Faults, f: Filter) -> Filter {
    let on = |x| faults.has(x);
    let rw = |f| rewrite_filter(faults, f);
    match f {
        Filter::Or(a, b) => match rw(*b) {
            // `a or (x and y)` misread as `(a or x) and y`.
            Filter::And(x, y) if on(Fault::FilterNoPrecedence) => {
                Filter::And(Box::new(rw(Filter::Or(Box::new(rw(*a)), x))), y)
            }
            b => Filter::Or(Box::new(rw(*a)), Box::new(b)),
        },
        Filter::And(a, b) => Filter::And(Box::new(rw(*a)), Box::new(rw(*b))),
        Filter::Not(x) if on(Fault::FilterNotIgnored) => rw(*x),
        Filter::Not(x) => Filter::Not(Box::new(rw(*x))),
        Filter::ValuePath { attr, filter } if on(Fault::ValuePathAcrossElements) => match *filter {
            Filter::And(x, y) => Filter::And(
                Box::new(rw(Filter::ValuePath {
                    attr: attr.clone(),
                    filter: x,
                })),
                Box::new(rw(Filter::ValuePath { attr, filter: y })),
            ),
            inner => Filter::ValuePath {
                attr,
                filter: Box::new(inner),
            },
        },
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

/// The `patch-pathless-clears-others` fault: after a path-less `replace`, keep only what its
/// value names (by name prefix, so `name.familyName` keeps `name`), plus `id`, `schemas`,
/// `meta` and the required `userName`/`displayName`.
pub(super) fn clear_unnamed(req: &patch::PatchRequest, resource: &mut Value) {
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

pub(super) fn keep_old_active(old: &Map<String, Value>, new: &mut Map<String, Value>) {
    match old.get("active") {
        Some(a) => {
            new.insert("active".into(), a.clone());
        }
        None => {
            new.shift_remove("active");
        }
    }
}

/// Whether `urn` names a custom extension: a URN other than the core schemas and the
/// Enterprise User extension (what `extension-dropped` loses).
fn is_custom_extension(urn: &str) -> bool {
    use crate::scim::schema::{ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA};
    crate::scim::path::looks_like_urn(urn)
        && ![USER_SCHEMA, GROUP_SCHEMA, ENTERPRISE_USER_SCHEMA]
            .iter()
            .any(|u| u.eq_ignore_ascii_case(urn))
}

/// The `extension-dropped` fault on a POST body: the data under every custom extension the
/// resource type declares (its `"urn:…": {…}` object and `"urn:…:attr"` keys) is left out, so
/// the create succeeds without it; `None` when there is none.
pub(super) fn drop_custom_extension_data(
    body: &Value,
    schema: &crate::scim::registry::ResourceSchema<'_>,
) -> Option<Value> {
    let Value::Object(m) = body else {
        return None;
    };
    let custom: Vec<&str> = schema
        .extensions()
        .map(|(s, _)| s.id.as_str())
        .filter(|u| is_custom_extension(u))
        .collect();
    let under = |key: &str| {
        custom.iter().any(|u| {
            key.eq_ignore_ascii_case(u)
                || key
                    .get(..u.len() + 1)
                    .is_some_and(|p| p.eq_ignore_ascii_case(&format!("{u}:")))
        })
    };
    if !m.keys().any(|k| under(k)) {
        return None;
    }
    let kept: Map<String, Value> = m
        .iter()
        .filter(|(k, _)| !under(k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Some(Value::Object(kept))
}

/// The `extension-dropped` fault on a PUT or PATCH: every custom extension keeps the stored
/// content (none, since creates drop it too), and `schemas` lists what is then stored.
pub(super) fn keep_old_custom_extensions(old: &Map<String, Value>, new: &mut Map<String, Value>) {
    new.retain(|k, _| !is_custom_extension(k));
    for (k, v) in old.iter().filter(|(k, _)| is_custom_extension(k)) {
        new.insert(k.clone(), v.clone());
    }
    if let Some(Value::Array(listed)) = new.get("schemas").cloned() {
        let mut urns: Vec<Value> = listed
            .into_iter()
            .filter(|u| u.as_str().is_none_or(|u| !is_custom_extension(u)))
            .collect();
        urns.extend(
            old.keys()
                .filter(|k| is_custom_extension(k))
                .map(|k| Value::String(k.clone())),
        );
        new.insert("schemas".into(), Value::Array(urns));
    }
}

/// The `sort-case-sensitive` fault: order by the raw string (code-point order), missing last.
pub(super) fn sort_case_sensitive(values: &mut [Value], by: &AttrPath, order: SortOrder) {
    values.sort_by(|a, b| {
        let key = |v: &Value| v.as_object().and_then(|m| raw_value(m, by));
        match (key(a), key(b)) {
            (Some(x), Some(y)) if order == SortOrder::Descending => y.cmp(&x),
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        }
    });
}

/// The `filter-keywords-case-sensitive` fault: whether an operator or `and`/`or`/`not` outside a
/// string literal is written in anything but lowercase.
pub(super) fn has_non_lowercase_keyword(text: &str) -> bool {
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
pub(super) fn case_sensitive_attributes(v: &Value, attributes: &[AttrPath]) -> Vec<AttrPath> {
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
pub(super) fn restore_primaries(old: &Value, new: &mut Map<String, Value>) {
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
pub(super) fn reject_string_manager(req: &PatchRequest) -> ScimResult<()> {
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
pub(super) fn reject_non_lowercase_ops(body: &Value) -> ScimResult<()> {
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

/// The User attributes the `minimal-user-schema` variant does not have.
pub(super) const MINIMAL_SCHEMA_DROPS: [&str; 4] = ["title", "nickName", "profileUrl", "addresses"];

/// Under `minimal-user-schema`: a 400 for a request that names an attribute the variant's User
/// schema lacks, in its body (a key, a PATCH path) or its query (filter, sortBy, attributes).
pub(super) fn refuse_undeclared(uri: &Uri, body: &[u8]) -> Option<ScimError> {
    let query = crate::text::percent_decode(uri.query().unwrap_or(""), false).to_ascii_lowercase();
    let text = String::from_utf8_lossy(body).to_ascii_lowercase();
    for name in MINIMAL_SCHEMA_DROPS {
        let n = name.to_ascii_lowercase();
        let in_query = query
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '.'))
            .any(|w| w == n || w.starts_with(&format!("{n}.")));
        if in_query {
            return Some(ScimError::new(
                400,
                Some(ScimType::InvalidFilter),
                format!("{name} is not an attribute of this service's User schema"),
            ));
        }
        let in_body = text.contains(&format!("\"{n}\""))
            || text.contains(&format!("\"{n}."))
            || text.contains(&format!("\"{n}["))
            || text.contains(&format!("\"{n} "));
        if in_body {
            return Some(ScimError::new(
                400,
                Some(ScimType::InvalidValue),
                format!("{name} is not an attribute of this service's User schema"),
            ));
        }
    }
    None
}

/// The faults that rewrite successful JSON bodies on their way out.
pub(super) const BODY_FAULTS: [Fault; 8] = [
    Fault::MinimalUserSchema,
    Fault::ResourceTypeNoSchema,
    Fault::LastModifiedFrozen,
    Fault::InventedExternalId,
    Fault::MetaDatesNotDatetime,
    Fault::NullForUnassigned,
    Fault::LocationWrong,
    Fault::EndpointServerAbsolute,
];

/// A successful JSON body with the representation faults applied (unchanged when none is on).
pub(super) fn rewrite_body(b: Bytes, faults: &Faults) -> Bytes {
    if !BODY_FAULTS.iter().any(|f| faults.has(*f)) {
        return b;
    }
    let Ok(mut v) = serde_json::from_slice::<Value>(&b) else {
        return b;
    };
    rewrite_value(&mut v, faults);
    serde_json::to_vec(&v).map(Bytes::from).unwrap_or(b)
}

pub(super) fn rewrite_value(v: &mut Value, faults: &Faults) {
    match v {
        Value::Array(a) => a.iter_mut().for_each(|x| rewrite_value(x, faults)),
        Value::Object(m) => {
            let has_schema = |m: &serde_json::Map<String, Value>, urn: &str| {
                m.get("schemas")
                    .and_then(Value::as_array)
                    .is_some_and(|s| s.iter().any(|x| x == urn))
            };
            if faults.has(Fault::InventedExternalId)
                && has_schema(m, "urn:ietf:params:scim:schemas:core:2.0:User")
                && !m.contains_key("externalId")
            {
                m.insert("externalId".into(), Value::String(String::new()));
            }
            if let Some(Value::Object(meta)) = m.get_mut("meta") {
                if faults.has(Fault::LastModifiedFrozen)
                    && let Some(created) = meta.get("created").cloned()
                {
                    meta.insert("lastModified".into(), created);
                }
                if faults.has(Fault::MetaDatesNotDatetime) {
                    for k in ["created", "lastModified"] {
                        if let Some(Value::String(t)) = meta.get_mut(k) {
                            *t = t.replace('T', " ").chars().take(19).collect();
                        }
                    }
                }
                if faults.has(Fault::LocationWrong)
                    && let Some(Value::String(l)) = meta.get_mut("location")
                {
                    l.push_str("-elsewhere");
                }
            }
            if faults.has(Fault::NullForUnassigned) {
                if has_schema(m, "urn:ietf:params:scim:schemas:core:2.0:Group")
                    && !m.contains_key("members")
                {
                    m.insert("members".into(), Value::Array(Vec::new()));
                }
                if has_schema(m, "urn:ietf:params:scim:schemas:core:2.0:User")
                    && !m.contains_key("nickName")
                {
                    m.insert("nickName".into(), Value::Null);
                }
                if has_schema(
                    m,
                    "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig",
                ) {
                    m.insert("documentationUri".into(), Value::Null);
                }
            }
            if faults.has(Fault::MinimalUserSchema)
                && m.get("id").and_then(Value::as_str)
                    == Some("urn:ietf:params:scim:schemas:core:2.0:User")
                && let Some(Value::Array(attrs)) = m.get_mut("attributes")
            {
                attrs.retain(|a| {
                    !a["name"].as_str().is_some_and(|n| {
                        MINIMAL_SCHEMA_DROPS
                            .iter()
                            .any(|d| d.eq_ignore_ascii_case(n))
                    })
                });
            }
            if faults.has(Fault::ResourceTypeNoSchema)
                && has_schema(m, "urn:ietf:params:scim:schemas:core:2.0:ResourceType")
            {
                m.shift_remove("schema");
            }
            if faults.has(Fault::EndpointServerAbsolute)
                && has_schema(m, "urn:ietf:params:scim:schemas:core:2.0:ResourceType")
                && let Some(Value::String(e)) = m.get_mut("endpoint")
            {
                *e = format!("/scim/v2/{}", e.trim_start_matches('/'));
            }
            for (_, x) in m.iter_mut() {
                rewrite_value(x, faults);
            }
        }
        _ => {}
    }
}

/// The `start-index-not-clamped` fault: `startIndex` below 1 is a 400.
pub(super) fn reject_start_below_one(uri: &Uri) -> ScimResult<()> {
    let pairs = query::decode_query(uri.query().unwrap_or(""))?;
    let below = pairs.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("startIndex") && v.trim().parse::<i64>().is_ok_and(|n| n < 1)
    });
    if below {
        return Err(ScimError::invalid_value("startIndex must be 1 or more"));
    }
    Ok(())
}

/// Replace every non-ASCII character in string values by `?` (the `utf8-mangled` fault).
pub(super) fn mangle_non_ascii(v: &mut Value, depth: usize) {
    if depth > 64 {
        return;
    }
    match v {
        Value::String(s) => {
            *s = s
                .chars()
                .map(|c| if c.is_ascii() { c } else { '?' })
                .collect();
        }
        Value::Array(a) => a.iter_mut().for_each(|x| mangle_non_ascii(x, depth + 1)),
        Value::Object(o) => o.values_mut().for_each(|x| mangle_non_ascii(x, depth + 1)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
