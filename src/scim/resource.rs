//! Turning a client's POST/PUT body into the stored form of a resource, validated against the
//! resource type's schemas (RFC 7643 §2–§4, RFC 7644 §3.3 and §3.5.1), plus the two checks the
//! provider runs against stored resources: immutability on replace and the values subject to
//! uniqueness. Pure: no I/O; must not import tokio, axum or reqwest.
//!
//! # The stored form
//!
//! [`normalize`] returns a JSON object with `schemas` first (the core URN, then the URN of every
//! extension that has data), then the common and core attributes in schema order, then one
//! object per extension under its canonical URN key. Every attribute and sub-attribute name is
//! spelled as the schema spells it. It never contains `id` or `meta`: the provider adds them.
//!
//! # Decisions (and why)
//!
//! * **Unknown attributes are rejected** with 400 `invalidSyntax` naming the attribute. RFC 7644
//!   §3.12 defines `invalidSyntax` as a body that "did not conform to the request schema", and
//!   the resource's schemas (RFC 7643 §3, §7) say which attributes exist. Silently dropping is
//!   tolerated by the RFC (a server "is free to alter and/or ignore POSTed content", §3.3), but a
//!   reference implementation should surface a client's typo or a schema mismatch instead of
//!   losing data; the conformance harness then knows any accepted attribute was stored.
//!   The same holds for unknown sub-attributes, unknown or undeclared URN keys, and unqualified
//!   extension attributes at the top level (RFC 7643 §3 puts them under the extension's URN).
//! * **A single value for a multi-valued attribute is rejected** with 400 `invalidValue`
//!   (RFC 7643 §2.4: multi-valued attributes are JSON arrays), as is an array for a
//!   single-valued one. Wrapping would hide malformed clients such as the SCIM 1.1-style
//!   `"emails": {…}` from a conformance run.
//! * **Type errors** are 400 `invalidValue` (RFC 7644 §3.12: "not compatible with the ...
//!   attribute type"). Booleans also accept the strings `"true"`/`"false"` in any case (Entra
//!   sends `"True"`/`"False"`), stored as real booleans. Integers must be JSON integers; decimals
//!   any JSON number; dateTime an RFC 3339 / `xsd:dateTime` string; binary standard padded
//!   base64 (RFC 4648 §4) without whitespace; reference a non-empty string without whitespace.
//! * **`canonicalValues` are not enforced**: RFC 7643 §7 calls them "suggested", and IdPs send
//!   other `type` values routinely.
//! * **readOnly** attributes and sub-attributes (`id`, `meta`, User `groups`,
//!   `manager.displayName`, …) are dropped silently (RFC 7644 §3.3, §3.5.1 "SHALL be ignored").
//! * **SCIM 1.1 names IdPs still send**: the enterprise `manager.managerId` (OneLogin) is read
//!   as `manager.value`; a vendor URN listed in `schemas` without data under it (Entra's ADSCIM
//!   group URN) is dropped.
//! * **null, `[]` and `{}` mean unassigned** (RFC 7643 §2.5) and are dropped, as are array
//!   elements that end up empty.
//! * **Required** (non-readOnly) attributes missing, null or blank (all whitespace) → 400
//!   `invalidValue` naming the attribute (RFC 7643 §4.1 "MUST include a non-empty userName").
//!   The attributes a required extension declares required are enforced whenever that extension
//!   is required or present.
//! * **More than one `primary: true`** in a multi-valued attribute → 400 `invalidValue`
//!   (RFC 7643 §2.4 "MUST appear no more than once").
//! * **`schemas`** must be present and list the core URN (a missing or non-array `schemas` is
//!   400 `invalidValue`, a list without the core URN or with a URN the type does not declare is
//!   400 `invalidSyntax`). Listed extensions without data are dropped from the stored `schemas`;
//!   extensions with data are added even when the client did not list them. Entra lists the
//!   Enterprise URN with no enterprise data, which is accepted.
//! * **URN-qualified keys**, e.g. `"urn:…:enterprise:2.0:User:employeeNumber": "1"`, and dotted
//!   keys, e.g. `"name.givenName"`, are accepted and moved where they belong; the same attribute
//!   given twice (in any spelling) is 400 `invalidSyntax`.
//! * Create and replace validate identically (RFC 7644 §3.5.1 repeats §3.3's rules); the mode
//!   only changes error wording. Immutability on replace is [`check_immutable`]'s job.

use crate::scim::error::{ScimError, ScimResult};
use crate::scim::path::AttrPath;
use crate::scim::registry::ResourceSchema;
use crate::scim::schema::{AttrLookup, AttrType, Attribute, Mutability, Schema, Uniqueness};
use serde_json::{Map, Value};

/// Which write a body arrives with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteMode {
    /// POST to the resource type's endpoint (RFC 7644 §3.3).
    Create,
    /// PUT to a resource (RFC 7644 §3.5.1).
    Replace,
}

impl WriteMode {
    fn verb(self) -> &'static str {
        match self {
            WriteMode::Create => "create",
            WriteMode::Replace => "replace",
        }
    }
}

/// Where a staged attribute goes: the top level (common/core) or an extension (its index).
type ScopeIx = Option<usize>;

/// The scopes of a resource: common+core at the top level, then each extension.
struct Scopes<'r> {
    core_attrs: Vec<&'r Attribute>,
    exts: Vec<(&'r Schema, bool)>,
}

impl<'r> Scopes<'r> {
    fn new(schema: &ResourceSchema<'r>) -> Self {
        let core_attrs = schema
            .common_attributes()
            .iter()
            .chain(schema.core().attributes.iter())
            .collect();
        Scopes {
            core_attrs,
            exts: schema.extensions().collect(),
        }
    }

    fn ext_index(&self, urn: &str) -> Option<usize> {
        self.exts
            .iter()
            .position(|(s, _)| s.id.eq_ignore_ascii_case(urn))
    }
}

/// Validate and canonicalise a POST/PUT body into the stored form (see the module docs for
/// every rule). Errors are 400 with `invalidSyntax` or `invalidValue`.
pub fn normalize(
    body: &Value,
    schema: &ResourceSchema<'_>,
    mode: WriteMode,
) -> ScimResult<Map<String, Value>> {
    let obj = body.as_object().ok_or_else(|| {
        ScimError::invalid_syntax(format!(
            "the {} request body must be a JSON object",
            mode.verb()
        ))
    })?;
    let rt = &schema.resource_type().id;
    let scopes = Scopes::new(schema);
    let core_urn = schema.core().id.as_str();

    // `schemas`
    let listed = obj
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("schemas"))
        .map(|(_, v)| v);
    let listed = match listed {
        None | Some(Value::Null) => {
            return Err(ScimError::invalid_value(format!(
                "the schemas attribute is required in a {} request",
                mode.verb()
            )));
        }
        Some(Value::Array(items)) => items,
        Some(_) => {
            return Err(ScimError::invalid_value(
                "schemas must be an array of schema URNs",
            ));
        }
    };
    let mut has_core = false;
    for urn in listed {
        let urn = urn
            .as_str()
            .ok_or_else(|| ScimError::invalid_value("schemas must be an array of schema URNs"))?;
        if urn.eq_ignore_ascii_case(core_urn) {
            has_core = true;
        } else if scopes.ext_index(urn).is_none() && is_standard_urn(urn) {
            return Err(ScimError::invalid_syntax(format!(
                "schemas lists {urn}, which is not a schema of resource type {rt}"
            )));
        }
    }
    if !has_core {
        return Err(ScimError::invalid_syntax(format!(
            "schemas must contain the core schema {core_urn} of resource type {rt}"
        )));
    }

    // A vendor URN that is not a schema here (Entra's
    // `http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group` on every group
    // it creates) is a label without data: it is dropped, not stored and not an error. Data
    // under such a URN is still an unknown attribute (below); a *standard* URN of the wrong
    // resource type is still rejected (above).

    // Stage every key under its canonical top-level attribute.
    let mut core_staged = Map::new();
    let mut ext_staged: Vec<Map<String, Value>> = vec![Map::new(); scopes.exts.len()];
    for (key, value) in obj {
        if key.eq_ignore_ascii_case("schemas") {
            continue;
        }
        if let Some(ix) = scopes.ext_index(key) {
            let ext = scopes.exts.get(ix).map(|(s, _)| *s);
            let staged = ext_staged.get_mut(ix);
            if let (Some(ext), Some(staged)) = (ext, staged) {
                stage_extension_object(ext, value, staged)?;
            }
            continue;
        }
        if key.eq_ignore_ascii_case(core_urn) {
            return Err(ScimError::invalid_syntax(format!(
                "core attributes belong at the top level, not under {key}"
            )));
        }
        let path = AttrPath::parse(key)
            .map_err(|_| ScimError::invalid_syntax(format!("unknown attribute {key:?}")))?;
        let res = schema.resolve(&path).ok_or_else(|| {
            ScimError::invalid_syntax(format!("unknown attribute {key:?} for resource type {rt}"))
        })?;
        let scope: ScopeIx = match (res.extension, &path.urn) {
            (None, _) => None,
            (Some(urn), Some(_)) => scopes.ext_index(urn),
            (Some(urn), None) => {
                return Err(ScimError::invalid_syntax(format!(
                    "attribute {key:?} belongs to extension {urn}: send it under that URN"
                )));
            }
        };
        let staged = match scope {
            None => &mut core_staged,
            Some(ix) => match ext_staged.get_mut(ix) {
                Some(m) => m,
                None => continue,
            },
        };
        stage(staged, res.top, res.sub, value, key)?;
    }

    // Validate in schema order.
    let mut out = Map::new();
    out.insert(
        "schemas".into(),
        Value::Array(vec![Value::String(core_urn.into())]),
    );
    let core = validate_scope(&scopes.core_attrs, core_staged, None, true, mode)?;
    out.extend(core);
    for ((ext, required), staged) in scopes.exts.iter().zip(ext_staged) {
        let attrs: Vec<&Attribute> = ext.attributes.iter().collect();
        let enforce = *required || !staged.is_empty();
        let data = validate_scope(&attrs, staged, Some(&ext.id), enforce, mode)?;
        if data.is_empty() {
            if *required {
                return Err(ScimError::invalid_value(format!(
                    "extension {} is required for resource type {rt}",
                    ext.id
                )));
            }
            continue;
        }
        if let Some(Value::Array(s)) = out.get_mut("schemas") {
            s.push(Value::String(ext.id.clone()));
        }
        out.insert(ext.id.clone(), Value::Object(data));
    }
    Ok(out)
}

/// Stage the members of an extension object (`"urn:…": {…}`).
fn stage_extension_object(
    ext: &Schema,
    value: &Value,
    staged: &mut Map<String, Value>,
) -> ScimResult<()> {
    let inner = match value {
        Value::Null => return Ok(()),
        Value::Object(m) => m,
        _ => {
            return Err(ScimError::invalid_value(format!(
                "the extension {} must be a JSON object",
                ext.id
            )));
        }
    };
    for (k, v) in inner {
        let unknown =
            || ScimError::invalid_syntax(format!("unknown attribute {k:?} in {}", ext.id));
        let p = AttrPath::parse(k).map_err(|_| unknown())?;
        if p.urn.is_some() {
            return Err(unknown());
        }
        let top = ext.attribute(&p.attr).ok_or_else(unknown)?;
        let sub = match &p.sub {
            Some(s) => Some(top.sub_attribute(s).ok_or_else(unknown)?),
            None => None,
        };
        stage(staged, top, sub, v, k)?;
    }
    Ok(())
}

/// Put `value` under `top.name` (or `top.name.sub.name`) in `staged`; a second value for the
/// same place is an error. null is skipped (unassigned).
fn stage(
    staged: &mut Map<String, Value>,
    top: &Attribute,
    sub: Option<&Attribute>,
    value: &Value,
    key: &str,
) -> ScimResult<()> {
    if value.is_null() {
        return Ok(());
    }
    let twice = || ScimError::invalid_syntax(format!("attribute {key:?} is given more than once"));
    match sub {
        None => match staged.get_mut(&top.name) {
            None => {
                staged.insert(top.name.clone(), value.clone());
            }
            Some(Value::Object(existing)) => {
                let Value::Object(new) = value else {
                    return Err(twice());
                };
                for (k, v) in new {
                    if existing.contains_key(k) {
                        return Err(twice());
                    }
                    existing.insert(k.clone(), v.clone());
                }
            }
            Some(_) => return Err(twice()),
        },
        Some(sub) => {
            if top.multi_valued {
                return Err(ScimError::invalid_syntax(format!(
                    "{key:?} addresses a sub-attribute of multi-valued {}; send the whole array",
                    top.name
                )));
            }
            let entry = staged
                .entry(top.name.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            let Value::Object(existing) = entry else {
                return Err(twice());
            };
            if existing.contains_key(&sub.name) {
                return Err(twice());
            }
            existing.insert(sub.name.clone(), value.clone());
        }
    }
    Ok(())
}

/// Display path of an attribute for error messages.
fn display_path(urn: Option<&str>, name: &str) -> String {
    match urn {
        Some(u) => format!("{u}:{name}"),
        None => name.to_string(),
    }
}

/// Validate the staged values of one scope, in schema order, then enforce `required`.
fn validate_scope(
    attrs: &[&Attribute],
    mut staged: Map<String, Value>,
    urn: Option<&str>,
    enforce_required: bool,
    mode: WriteMode,
) -> ScimResult<Map<String, Value>> {
    let mut out = Map::new();
    for attr in attrs {
        let path = display_path(urn, &attr.name);
        if let Some(v) = staged.remove(&attr.name)
            && let Some(v) = validate_attr(attr, v, &path)?
        {
            out.insert(attr.name.clone(), v);
        }
        if enforce_required && attr.required && attr.mutability != Mutability::ReadOnly {
            match out.get(&attr.name) {
                None => {
                    return Err(ScimError::invalid_value(format!(
                        "required attribute {path} is missing from the {} request",
                        mode.verb()
                    )));
                }
                Some(Value::String(s)) if s.trim().is_empty() => {
                    return Err(ScimError::invalid_value(format!(
                        "required attribute {path} must not be empty"
                    )));
                }
                Some(_) => {}
            }
        }
    }
    Ok(out)
}

/// Validate one top-level attribute value; `None` when it is dropped (readOnly or unassigned).
fn validate_attr(attr: &Attribute, value: Value, path: &str) -> ScimResult<Option<Value>> {
    if attr.mutability == Mutability::ReadOnly || value.is_null() {
        return Ok(None);
    }
    if !attr.multi_valued {
        if value.is_array() {
            return Err(ScimError::invalid_value(format!(
                "{path} is single-valued: expected one value, not an array"
            )));
        }
        return validate_single(attr, value, path);
    }
    let Value::Array(items) = value else {
        return Err(ScimError::invalid_value(format!(
            "{path} is multi-valued: expected a JSON array"
        )));
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        if item.is_array() {
            return Err(ScimError::invalid_value(format!(
                "{path}: a value of a multi-valued attribute cannot itself be an array"
            )));
        }
        if let Some(v) = validate_single(attr, item, path)? {
            out.push(v);
        }
    }
    if attr.attr_type == AttrType::Complex {
        let primaries = out
            .iter()
            .filter(|v| v.get("primary") == Some(&Value::Bool(true)))
            .count();
        if primaries > 1 {
            return Err(ScimError::invalid_value(format!(
                "{path}: {primaries} values have primary true; at most one may"
            )));
        }
    }
    Ok(if out.is_empty() {
        None
    } else {
        Some(Value::Array(out))
    })
}

/// Validate one value (an element, for multi-valued attributes).
fn validate_single(attr: &Attribute, value: Value, path: &str) -> ScimResult<Option<Value>> {
    if value.is_null() {
        return Ok(None);
    }
    if attr.attr_type != AttrType::Complex {
        return validate_scalar(attr, value, path).map(Some);
    }
    let Value::Object(obj) = value else {
        return Err(ScimError::invalid_value(format!(
            "{path} is complex: expected a JSON object"
        )));
    };
    let mut given: Vec<(&Attribute, Value)> = Vec::with_capacity(obj.len());
    for (k, v) in obj {
        let sub = attr
            .sub_attribute(&k)
            .or_else(|| {
                // SCIM 1.1's enterprise `manager.managerId` (OneLogin still sends it) is 2.0's
                // `manager.value`.
                (attr.name == "manager" && k.eq_ignore_ascii_case("managerId"))
                    .then(|| attr.sub_attribute("value"))
                    .flatten()
            })
            .ok_or_else(|| {
                ScimError::invalid_syntax(format!("unknown sub-attribute {path}.{k}"))
            })?;
        if given.iter().any(|(s, _)| s.name == sub.name) {
            return Err(ScimError::invalid_syntax(format!(
                "sub-attribute {path}.{} is given more than once",
                sub.name
            )));
        }
        given.push((sub, v));
    }
    let mut out = Map::new();
    for sub in &attr.sub_attributes {
        let sub_path = format!("{path}.{}", sub.name);
        let pos = given.iter().position(|(s, _)| s.name == sub.name);
        if let Some((_, v)) = pos.map(|i| given.swap_remove(i))
            && sub.mutability != Mutability::ReadOnly
            && !v.is_null()
            && let Some(v) = validate_sub(sub, v, &sub_path)?
        {
            out.insert(sub.name.clone(), v);
        }
    }
    if out.is_empty() {
        return Ok(None);
    }
    for sub in &attr.sub_attributes {
        if sub.required && sub.mutability != Mutability::ReadOnly && !out.contains_key(&sub.name) {
            return Err(ScimError::invalid_value(format!(
                "required sub-attribute {path}.{} is missing",
                sub.name
            )));
        }
    }
    Ok(Some(Value::Object(out)))
}

/// Validate a sub-attribute value (never complex: RFC 7643 §2.3.8).
fn validate_sub(sub: &Attribute, value: Value, path: &str) -> ScimResult<Option<Value>> {
    if !sub.multi_valued {
        return validate_scalar(sub, value, path).map(Some);
    }
    let Value::Array(items) = value else {
        return Err(ScimError::invalid_value(format!(
            "{path} is multi-valued: expected a JSON array"
        )));
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items.into_iter().filter(|v| !v.is_null()) {
        out.push(validate_scalar(sub, item, path)?);
    }
    Ok(if out.is_empty() {
        None
    } else {
        Some(Value::Array(out))
    })
}

/// Type-check a simple value, returning its stored form.
fn validate_scalar(attr: &Attribute, value: Value, path: &str) -> ScimResult<Value> {
    let bad = |what: &str| ScimError::invalid_value(format!("{path} must be {what}"));
    match attr.attr_type {
        AttrType::String => match value {
            Value::String(_) => Ok(value),
            _ => Err(bad("a string")),
        },
        AttrType::Boolean => match &value {
            Value::Bool(_) => Ok(value),
            Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(Value::Bool(true)),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(Value::Bool(false)),
            _ => Err(bad("a boolean")),
        },
        AttrType::Integer => match &value {
            Value::Number(n) if n.is_i64() || n.is_u64() => Ok(value),
            _ => Err(bad("an integer")),
        },
        AttrType::Decimal => match value {
            Value::Number(_) => Ok(value),
            _ => Err(bad("a number")),
        },
        AttrType::DateTime => match &value {
            Value::String(s) if is_date_time(s) => Ok(value),
            _ => Err(bad("an xsd:dateTime string such as 2008-01-23T04:56:22Z")),
        },
        AttrType::Binary => match &value {
            Value::String(s) if is_base64(s) => Ok(value),
            _ => Err(bad("a base64 string (RFC 4648 §4, padded, no whitespace)")),
        },
        AttrType::Reference => match &value {
            Value::String(s)
                if !s.is_empty() && !s.chars().any(|c| c.is_whitespace() || c.is_control()) =>
            {
                Ok(value)
            }
            _ => Err(bad("a URI reference string")),
        },
        AttrType::Complex => Err(bad(
            "a simple value (complex sub-attributes are not allowed)",
        )),
    }
}

/// RFC 3339, or an `xsd:dateTime` without a time zone.
fn is_date_time(s: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(s).is_ok()
        || chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").is_ok()
}

/// Standard base64 alphabet, length a multiple of 4, at most two trailing `=`.
fn is_base64(s: &str) -> bool {
    let b = s.as_bytes();
    if !b.len().is_multiple_of(4) {
        return false;
    }
    let pad = b.iter().rev().take_while(|&&c| c == b'=').count();
    pad <= 2
        && b.iter()
            .take(b.len() - pad)
            .all(|c| c.is_ascii_alphanumeric() || *c == b'+' || *c == b'/')
}

/// `map[name]`, matching the key case-insensitively when there is no exact match.
fn get_ci<'m>(map: &'m Map<String, Value>, name: &str) -> Option<&'m Value> {
    map.get(name)
        .or_else(|| {
            map.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v)
        })
        .filter(|v| !v.is_null())
}

/// One scope of a stored resource: extension URN (None for common+core), its attributes, and
/// its object in the resource (None when the extension is absent).
type Scoped<'a> = (
    Option<&'a str>,
    Vec<&'a Attribute>,
    Option<&'a Map<String, Value>>,
);

/// The scopes of a stored resource: common+core first, then each extension.
fn scoped<'a>(resource: &'a Map<String, Value>, scopes: &'a Scopes<'a>) -> Vec<Scoped<'a>> {
    let mut v = vec![(None, scopes.core_attrs.clone(), Some(resource))];
    for (ext, _) in &scopes.exts {
        let obj = get_ci(resource, &ext.id).and_then(Value::as_object);
        v.push((Some(ext.id.as_str()), ext.attributes.iter().collect(), obj));
    }
    v
}

/// Equality under the attribute's rules: case-insensitive for caseExact=false strings,
/// order-insensitive for arrays.
fn same_value(attr: &Attribute, a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) if !attr.case_exact => {
            x == y || x.to_lowercase() == y.to_lowercase()
        }
        (Value::Array(xs), Value::Array(ys)) => {
            xs.len() == ys.len()
                && xs.iter().all(|x| ys.iter().any(|y| same_value(attr, x, y)))
                && ys.iter().all(|y| xs.iter().any(|x| same_value(attr, x, y)))
        }
        _ => a == b,
    }
}

/// PUT: an `immutable` attribute (top-level, or a sub-attribute of a single-valued complex
/// attribute) that has a value in `old` and a different one in `new` → 400 `mutability`
/// (RFC 7644 §3.5.1). Strings compare per `caseExact`. An immutable attribute absent from `new`
/// is not an error here: the provider should carry the old value over, since an immutable
/// value cannot be cleared. Immutable sub-attributes of multi-valued attributes (Group
/// `members.value`) are not compared: replacing the array removes and adds whole values,
/// which never modifies one in place.
pub fn check_immutable(
    old: &Map<String, Value>,
    new: &Map<String, Value>,
    schema: &ResourceSchema<'_>,
) -> ScimResult<()> {
    let scopes = Scopes::new(schema);
    let olds = scoped(old, &scopes);
    let news = scoped(new, &scopes);
    for ((urn, attrs, old_obj), (_, _, new_obj)) in olds.iter().zip(news.iter()) {
        let (Some(old_obj), Some(new_obj)) = (old_obj, new_obj) else {
            continue;
        };
        for attr in attrs {
            let (Some(o), Some(n)) = (get_ci(old_obj, &attr.name), get_ci(new_obj, &attr.name))
            else {
                continue;
            };
            let path = display_path(*urn, &attr.name);
            if attr.mutability == Mutability::Immutable && !same_value(attr, o, n) {
                return Err(ScimError::mutability(format!(
                    "attribute {path} is immutable: it cannot change from {o} to {n}"
                )));
            }
            if attr.attr_type == AttrType::Complex && !attr.multi_valued {
                let (Some(o), Some(n)) = (o.as_object(), n.as_object()) else {
                    continue;
                };
                for sub in attr
                    .sub_attributes
                    .iter()
                    .filter(|s| s.mutability == Mutability::Immutable)
                {
                    if let (Some(os), Some(ns)) = (get_ci(o, &sub.name), get_ci(n, &sub.name))
                        && !same_value(sub, os, ns)
                    {
                        return Err(ScimError::mutability(format!(
                            "attribute {path}.{} is immutable: it cannot change from {os} to {ns}",
                            sub.name
                        )));
                    }
                }
            }
        }
    }
    Ok(())
}

/// The value under uniqueness comparison: lowercased when the attribute is not caseExact.
fn unique_key(attr: &Attribute, v: &Value) -> String {
    match v {
        Value::String(s) if attr.case_exact => s.clone(),
        Value::String(s) => s.to_lowercase(),
        other => other.to_string(),
    }
}

/// The values of every non-readOnly attribute or sub-attribute declared `uniqueness` server or
/// global (e.g. User `userName`), as (canonical path, value normalised per `caseExact`), one
/// entry per value of a multi-valued attribute. readOnly attributes such as `id` are left out:
/// the server assigns them. The path carries the extension URN for extension attributes.
pub fn unique_values(
    resource: &Map<String, Value>,
    schema: &ResourceSchema<'_>,
) -> Vec<(AttrPath, String)> {
    let scopes = Scopes::new(schema);
    let mut out = Vec::new();
    for (urn, attrs, obj) in scoped(resource, &scopes) {
        let Some(obj) = obj else { continue };
        let mk = |attr: &str, sub: Option<&str>| AttrPath {
            urn: urn.map(str::to_string),
            attr: attr.to_string(),
            sub: sub.map(str::to_string),
        };
        for attr in attrs
            .iter()
            .filter(|a| a.mutability != Mutability::ReadOnly)
        {
            let Some(v) = get_ci(obj, &attr.name) else {
                continue;
            };
            let values: Vec<&Value> = match v {
                Value::Array(items) => items.iter().filter(|v| !v.is_null()).collect(),
                other => vec![other],
            };
            if attr.attr_type != AttrType::Complex {
                if attr.uniqueness != Uniqueness::None {
                    out.extend(
                        values
                            .iter()
                            .map(|v| (mk(&attr.name, None), unique_key(attr, v))),
                    );
                }
                continue;
            }
            let unique_subs = attr.sub_attributes.iter().filter(|s| {
                s.uniqueness != Uniqueness::None && s.mutability != Mutability::ReadOnly
            });
            for sub in unique_subs {
                for elem in values.iter().filter_map(|v| v.as_object()) {
                    match get_ci(elem, &sub.name) {
                        Some(Value::Array(items)) => out.extend(
                            items
                                .iter()
                                .map(|i| (mk(&attr.name, Some(&sub.name)), unique_key(sub, i))),
                        ),
                        Some(sv) => {
                            out.push((mk(&attr.name, Some(&sub.name)), unique_key(sub, sv)))
                        }
                        None => {}
                    }
                }
            }
        }
    }
    out
}

/// A URN of the SCIM standard namespace (RFC 7643 §10.2), which a request must not list for
/// the wrong resource type.
fn is_standard_urn(urn: &str) -> bool {
    urn.get(..21)
        .is_some_and(|p| p.eq_ignore_ascii_case("urn:ietf:params:scim:"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::error::ScimType;
    use crate::scim::registry::Registry;
    use crate::scim::schema::{ENTERPRISE_USER_SCHEMA as ENT, GROUP_SCHEMA, USER_SCHEMA};
    use serde_json::json;

    fn reg() -> Registry {
        Registry::rfc7643().unwrap_or_else(|e| panic!("{e}"))
    }

    fn users(r: &Registry) -> ResourceSchema<'_> {
        r.lookup("User").unwrap_or_else(|| panic!("no User"))
    }

    fn groups(r: &Registry) -> ResourceSchema<'_> {
        r.lookup("Group").unwrap_or_else(|| panic!("no Group"))
    }

    fn ok(body: Value, s: &ResourceSchema<'_>) -> Map<String, Value> {
        normalize(&body, s, WriteMode::Create).unwrap_or_else(|e| panic!("{e}"))
    }

    fn err(body: Value, s: &ResourceSchema<'_>) -> ScimError {
        match normalize(&body, s, WriteMode::Create) {
            Ok(m) => panic!("expected an error, got {}", Value::Object(m)),
            Err(e) => e,
        }
    }

    fn assert_err(e: &ScimError, t: ScimType, mentions: &str) {
        assert_eq!(e.status, 400, "{e}");
        assert_eq!(e.scim_type, Some(t), "{e}");
        assert!(
            e.detail.contains(mentions),
            "{:?} should mention {mentions:?}",
            e.detail
        );
    }

    #[test]
    fn full_user_normalizes_to_canonical_stored_form() {
        let r = reg();
        let u = users(&r);
        let body = json!({
            "schemas": [USER_SCHEMA, ENT],
            "id": "client-chosen",
            "externalId": "701984",
            "userName": "bjensen@example.com",
            "name": {"formatted": "Ms. Barbara J Jensen, III", "familyName": "Jensen", "givenName": "Barbara"},
            "displayName": "Babs Jensen",
            "profileUrl": "https://login.example.com/bjensen",
            "emails": [
                {"value": "bjensen@example.com", "type": "work", "primary": true},
                {"value": "babs@jensen.org", "type": "home"}
            ],
            "addresses": [{"type": "work", "streetAddress": "100 Universal City Plaza", "country": "US", "primary": true}],
            "phoneNumbers": [{"value": "555-555-5555", "type": "work"}],
            "active": true,
            "password": "t1meMa$heen",
            "groups": [{"value": "e9e30dba", "display": "Tour Guides"}],
            "x509Certificates": [{"value": "MIIDQzCCAqygAwIBAgICEAAwDQYJ"}],
            ENT: {
                "employeeNumber": "701984",
                "manager": {"value": "26118915", "$ref": "../Users/26118915", "displayName": "John Smith"}
            },
            "meta": {"resourceType": "User", "created": "2010-01-23T04:56:22Z"}
        });
        let m = ok(body, &u);
        assert_eq!(m["schemas"], json!([USER_SCHEMA, ENT]));
        assert!(!m.contains_key("id"), "readOnly id dropped");
        assert!(!m.contains_key("meta"), "readOnly meta dropped");
        assert!(!m.contains_key("groups"), "readOnly groups dropped");
        assert_eq!(m["externalId"], "701984");
        assert_eq!(m["password"], "t1meMa$heen", "writeOnly is stored");
        assert_eq!(m["emails"][0]["primary"], true);
        assert_eq!(m["addresses"][0]["primary"], true);
        assert_eq!(m[ENT]["employeeNumber"], "701984");
        assert_eq!(
            m[ENT]["manager"],
            json!({"value": "26118915", "$ref": "../Users/26118915"})
        );
        let keys: Vec<&str> = m.keys().map(String::as_str).collect();
        assert_eq!(keys.first(), Some(&"schemas"));
        assert_eq!(keys.last(), Some(&ENT));
    }

    #[test]
    fn names_are_rewritten_to_canonical_spelling() {
        let r = reg();
        let u = users(&r);
        let m = ok(
            json!({
                "SCHEMAS": [USER_SCHEMA.to_uppercase(), ENT.to_lowercase()],
                "USERNAME": "bob",
                "Name": {"GIVENNAME": "Bob"},
                "EMAILS": [{"VALUE": "b@example.com", "Primary": true}],
                ENT.to_lowercase(): {"EMPLOYEENUMBER": "7"}
            }),
            &u,
        );
        assert_eq!(m["userName"], "bob");
        assert_eq!(m["name"], json!({"givenName": "Bob"}));
        assert_eq!(
            m["emails"],
            json!([{"value": "b@example.com", "primary": true}])
        );
        assert_eq!(m[ENT], json!({"employeeNumber": "7"}));
        assert_eq!(m["schemas"], json!([USER_SCHEMA, ENT]));
        assert!(!m.contains_key("USERNAME"));
    }

    #[test]
    fn urn_qualified_and_dotted_keys_move_into_place() {
        let r = reg();
        let u = users(&r);
        let m = ok(
            json!({
                "schemas": [USER_SCHEMA],
                format!("{USER_SCHEMA}:userName"): "alice",
                "name.familyName": "Smith",
                format!("{ENT}:employeeNumber"): "1",
                format!("{ENT}:manager.value"): "m-1",
                ENT: {"department": "Ops"}
            }),
            &u,
        );
        assert_eq!(m["userName"], "alice");
        assert_eq!(m["name"], json!({"familyName": "Smith"}));
        assert_eq!(
            m[ENT],
            json!({"employeeNumber": "1", "department": "Ops", "manager": {"value": "m-1"}})
        );
        assert_eq!(
            m["schemas"],
            json!([USER_SCHEMA, ENT]),
            "extension URN added"
        );
    }

    #[test]
    fn listed_extension_without_data_is_dropped_from_schemas() {
        let r = reg();
        let u = users(&r);
        // Entra's create: enterprise URN listed, no enterprise data, meta and roles: [] sent.
        let m = ok(
            json!({
                "schemas": [USER_SCHEMA, ENT],
                "userName": "Test_User@contoso.com",
                "active": true,
                "meta": {"resourceType": "User"},
                "roles": [],
                "title": null,
                ENT: {}
            }),
            &u,
        );
        assert_eq!(m["schemas"], json!([USER_SCHEMA]));
        assert!(!m.contains_key(ENT));
        assert!(!m.contains_key("roles"), "[] is unassigned");
        assert!(!m.contains_key("title"), "null is unassigned");
    }

    #[test]
    fn entra_string_booleans_are_accepted_and_stored_as_booleans() {
        let r = reg();
        let u = users(&r);
        let m = ok(
            json!({"schemas": [USER_SCHEMA], "userName": "x", "active": "False",
                   "emails": [{"value": "x@y", "primary": "TRUE"}]}),
            &u,
        );
        assert_eq!(m["active"], false);
        assert_eq!(m["emails"][0]["primary"], true);
        let e = err(
            json!({"schemas": [USER_SCHEMA], "userName": "x", "active": "yes"}),
            &u,
        );
        assert_err(&e, ScimType::InvalidValue, "active");
    }

    #[test]
    fn type_errors_are_invalid_value_naming_the_attribute() {
        let r = reg();
        let u = users(&r);
        let base = |k: &str, v: Value| {
            let mut b = json!({"schemas": [USER_SCHEMA], "userName": "x"});
            if let Some(o) = b.as_object_mut() {
                o.insert(k.into(), v);
            }
            b
        };
        for (k, v, mention) in [
            ("displayName", json!(5), "displayName"),
            ("emails", json!("x"), "emails"),
            ("emails", json!({"value": "x"}), "emails"),
            ("displayName", json!(["a"]), "displayName"),
            ("name", json!("Bob"), "name"),
            ("emails", json!([{"value": 1}]), "emails.value"),
            (
                "x509Certificates",
                json!([{"value": "not base64!"}]),
                "x509Certificates.value",
            ),
            ("profileUrl", json!("has space"), "profileUrl"),
            ("profileUrl", json!(""), "profileUrl"),
        ] {
            let e = err(base(k, v), &u);
            assert_err(&e, ScimType::InvalidValue, mention);
        }
        let e = err(json!({"schemas": [USER_SCHEMA], "userName": 3}), &u);
        assert_err(&e, ScimType::InvalidValue, "userName");
    }

    #[test]
    fn scalar_type_rules() {
        let int = Attribute {
            name: "n".into(),
            attr_type: AttrType::Integer,
            multi_valued: false,
            description: String::new(),
            required: false,
            case_exact: false,
            mutability: Mutability::ReadWrite,
            returned: Default::default(),
            uniqueness: Uniqueness::None,
            canonical_values: vec![],
            reference_types: vec![],
            sub_attributes: vec![],
            common: false,
        };
        assert!(validate_scalar(&int, json!(5), "n").is_ok());
        assert!(validate_scalar(&int, json!(5.5), "n").is_err());
        assert!(validate_scalar(&int, json!("5"), "n").is_err());
        let dec = Attribute {
            attr_type: AttrType::Decimal,
            ..int.clone()
        };
        assert!(validate_scalar(&dec, json!(5.5), "n").is_ok());
        assert!(validate_scalar(&dec, json!("5.5"), "n").is_err());
        let dt = Attribute {
            attr_type: AttrType::DateTime,
            ..int.clone()
        };
        assert!(validate_scalar(&dt, json!("2008-01-23T04:56:22Z"), "n").is_ok());
        assert!(validate_scalar(&dt, json!("2008-01-23T04:56:22.5+02:00"), "n").is_ok());
        assert!(validate_scalar(&dt, json!("2008-01-23T04:56:22"), "n").is_ok());
        assert!(validate_scalar(&dt, json!("04-12-2018 00:00:00"), "n").is_err());
        assert!(validate_scalar(&dt, json!("2008-01-23"), "n").is_err());
        assert!(is_base64("TWFu") && is_base64("TWE=") && is_base64("TQ==") && is_base64(""));
        assert!(
            !is_base64("TQ=") && !is_base64("T===") && !is_base64("TW E") && !is_base64("TW-_")
        );
    }

    #[test]
    fn missing_required_attributes_are_invalid_value() {
        let r = reg();
        let e = err(
            json!({"schemas": [USER_SCHEMA], "displayName": "x"}),
            &users(&r),
        );
        assert_err(&e, ScimType::InvalidValue, "userName");
        let e = err(
            json!({"schemas": [USER_SCHEMA], "userName": null}),
            &users(&r),
        );
        assert_err(&e, ScimType::InvalidValue, "userName");
        let e = err(
            json!({"schemas": [USER_SCHEMA], "userName": "  "}),
            &users(&r),
        );
        assert_err(&e, ScimType::InvalidValue, "userName");
        let e = err(
            json!({"schemas": [GROUP_SCHEMA], "members": []}),
            &groups(&r),
        );
        assert_err(&e, ScimType::InvalidValue, "displayName");
        let e = normalize(
            &json!({"schemas": [USER_SCHEMA]}),
            &users(&r),
            WriteMode::Replace,
        );
        assert!(e.is_err_and(
            |e| e.scim_type == Some(ScimType::InvalidValue) && e.detail.contains("replace")
        ));
    }

    #[test]
    fn schemas_attribute_rules() {
        let r = reg();
        let u = users(&r);
        let e = err(json!({"userName": "x"}), &u);
        assert_err(&e, ScimType::InvalidValue, "schemas");
        let e = err(json!({"schemas": USER_SCHEMA, "userName": "x"}), &u);
        assert_err(&e, ScimType::InvalidValue, "schemas");
        let e = err(json!({"schemas": [ENT], "userName": "x"}), &u);
        assert_err(&e, ScimType::InvalidSyntax, USER_SCHEMA);
        // A vendor label without data is dropped (Entra lists one on every group)...
        let stored = ok(
            json!({"schemas": [USER_SCHEMA, "urn:example:other"], "userName": "x"}),
            &u,
        );
        assert_eq!(stored["schemas"], json!([USER_SCHEMA]));
        let stored = ok(
            json!({"schemas": [USER_SCHEMA], "userName": "x", ENT: {"manager": {"managerId": "m-1", "displayName": "M"}}}),
            &u,
        );
        assert_eq!(stored[ENT]["manager"]["value"], "m-1");
        // ...but data under it is an unknown attribute.
        let e = err(
            json!({"schemas": [USER_SCHEMA, "urn:example:other"], "userName": "x", "urn:example:other": {"a": 1}}),
            &u,
        );
        assert_err(&e, ScimType::InvalidSyntax, "urn:example:other");
        let e = err(
            json!({"schemas": [USER_SCHEMA, "urn:ietf:params:scim:schemas:extension:other:2.0:User"], "userName": "x"}),
            &u,
        );
        assert_err(
            &e,
            ScimType::InvalidSyntax,
            "not a schema of resource type User",
        );
        let e = err(
            json!({"schemas": [USER_SCHEMA, GROUP_SCHEMA], "userName": "x"}),
            &u,
        );
        assert_err(&e, ScimType::InvalidSyntax, GROUP_SCHEMA);
        let e = err(json!({"schemas": [GROUP_SCHEMA], "displayName": "x"}), &u);
        assert_err(
            &e,
            ScimType::InvalidSyntax,
            "not a schema of resource type User",
        );
    }

    #[test]
    fn unknown_attributes_are_invalid_syntax_naming_them() {
        let r = reg();
        let u = users(&r);
        let cases = [
            (
                json!({"schemas": [USER_SCHEMA], "userName": "x", "favouriteColour": "red"}),
                "favouriteColour",
            ),
            (
                json!({"schemas": [USER_SCHEMA], "userName": "x", "name": {"nick": "b"}}),
                "name.nick",
            ),
            (
                json!({"schemas": [USER_SCHEMA], "userName": "x", "emails": [{"value": "a", "label": "b"}]}),
                "emails.label",
            ),
            (
                json!({"schemas": [USER_SCHEMA], "userName": "x", ENT: {"managerId": "1"}}),
                "managerId",
            ),
            (
                json!({"schemas": [USER_SCHEMA], "userName": "x", ENT: {"manager": {"managerId": "1", "value": "1"}}}),
                "given more than once",
            ),
            (
                json!({"schemas": [USER_SCHEMA], "userName": "x", "urn:example:ext:1.0:User:foo": "1"}),
                "urn:example:ext:1.0:User:foo",
            ),
            (
                json!({"schemas": [USER_SCHEMA], "userName": "x", "employeeNumber": "1"}),
                "employeeNumber",
            ),
            (
                json!({"schemas": [USER_SCHEMA], "userName": "x", "1bad": "1"}),
                "1bad",
            ),
            (
                json!({"schemas": [USER_SCHEMA], "userName": "x", USER_SCHEMA: {"title": "t"}}),
                USER_SCHEMA,
            ),
        ];
        for (body, mention) in cases {
            let e = err(body, &u);
            assert_err(&e, ScimType::InvalidSyntax, mention);
        }
        let e = err(
            json!({"schemas": [GROUP_SCHEMA], "displayName": "g", "userName": "x"}),
            &groups(&r),
        );
        assert_err(&e, ScimType::InvalidSyntax, "userName");
    }

    #[test]
    fn duplicate_spellings_are_rejected() {
        let r = reg();
        let u = users(&r);
        let e = err(
            json!({"schemas": [USER_SCHEMA], "userName": "a", "USERNAME": "b"}),
            &u,
        );
        assert_err(&e, ScimType::InvalidSyntax, "more than once");
        let e = err(
            json!({"schemas": [USER_SCHEMA], "userName": "a", "name": {"givenName": "a", "GivenName": "b"}}),
            &u,
        );
        assert_err(&e, ScimType::InvalidSyntax, "name.givenName");
        let e = err(
            json!({"schemas": [USER_SCHEMA], "userName": "a", "name": {"givenName": "a"}, "name.givenName": "b"}),
            &u,
        );
        assert_err(&e, ScimType::InvalidSyntax, "more than once");
        // a whole object and a dotted key for different sub-attributes merge
        let m = ok(
            json!({"schemas": [USER_SCHEMA], "userName": "a", "name": {"givenName": "a"}, "name.familyName": "b"}),
            &u,
        );
        assert_eq!(m["name"], json!({"familyName": "b", "givenName": "a"}));
    }

    #[test]
    fn two_primaries_are_invalid_value() {
        let r = reg();
        let e = err(
            json!({"schemas": [USER_SCHEMA], "userName": "x", "emails": [
                {"value": "a@x", "primary": true}, {"value": "b@x", "primary": "True"}]}),
            &users(&r),
        );
        assert_err(&e, ScimType::InvalidValue, "emails");
        let m = ok(
            json!({"schemas": [USER_SCHEMA], "userName": "x", "emails": [
                {"value": "a@x", "primary": true}, {"value": "b@x", "primary": false}]}),
            &users(&r),
        );
        assert_eq!(m["emails"].as_array().map(Vec::len), Some(2));
    }

    #[test]
    fn readonly_sub_attributes_and_empty_elements_are_dropped() {
        let r = reg();
        let m = ok(
            json!({"schemas": [USER_SCHEMA], "userName": "x",
                   "emails": [null, {}, {"value": "a@x"}],
                   ENT: {"manager": {"displayName": "only read-only"}}}),
            &users(&r),
        );
        assert_eq!(m["emails"], json!([{"value": "a@x"}]));
        assert!(!m.contains_key(ENT), "an extension left empty is dropped");
        assert_eq!(m["schemas"], json!([USER_SCHEMA]));
    }

    #[test]
    fn group_members_keep_their_sub_attributes() {
        let r = reg();
        let m = ok(
            json!({"schemas": [GROUP_SCHEMA], "displayName": "Tour Guides",
                   "members": [{"value": "u1", "type": "User", "$ref": "https://x/Users/u1"}]}),
            &groups(&r),
        );
        assert_eq!(
            m["members"][0],
            json!({"value": "u1", "$ref": "https://x/Users/u1", "type": "User"})
        );
        assert_eq!(m["schemas"], json!([GROUP_SCHEMA]));
        let m = ok(
            json!({"schemas": [GROUP_SCHEMA], "displayName": "g", "members": [{"value": "u1", "display": "d"}]}),
            &groups(&r),
        );
        assert_eq!(m["members"][0]["display"], "d");
        let e = err(
            json!({"schemas": [GROUP_SCHEMA], "displayName": "g", "members": [{"value": "u1", "nick": "d"}]}),
            &groups(&r),
        );
        assert_err(&e, ScimType::InvalidSyntax, "members.nick");
    }

    #[test]
    fn body_must_be_an_object() {
        let r = reg();
        for body in [json!([]), json!("x"), json!(null)] {
            let e = err(body, &users(&r));
            assert_err(&e, ScimType::InvalidSyntax, "object");
        }
        let e = err(
            json!({"schemas": [USER_SCHEMA], "userName": "x", ENT: "7"}),
            &users(&r),
        );
        assert_err(&e, ScimType::InvalidValue, ENT);
    }

    #[test]
    fn check_immutable_compares_immutable_attributes() {
        // The RFC User schema has no immutable attribute, so make some immutable in a copy.
        let mut user = reg()
            .schema(USER_SCHEMA)
            .cloned()
            .unwrap_or_else(|| panic!("User"));
        for a in &mut user.attributes {
            if a.name == "userType" || a.name == "title" {
                a.mutability = Mutability::Immutable;
            }
            if a.name == "name" {
                for s in &mut a.sub_attributes {
                    if s.name == "familyName" {
                        s.mutability = Mutability::Immutable;
                    }
                }
            }
        }
        let old = json!({"schemas": [USER_SCHEMA], "userName": "a", "userType": "Employee",
                         "name": {"familyName": "Jensen", "givenName": "B"}});
        let old = old.as_object().cloned().unwrap_or_default();
        let fake = FakeRegistry::new(user);
        let s = fake.lookup();
        let check = |new: Value| check_immutable(&old, new.as_object().unwrap_or(&Map::new()), &s);
        // same value (case-insensitive since caseExact false) → ok
        assert!(
            check(
                json!({"userName": "b", "userType": "EMPLOYEE", "name": {"familyName": "jensen"}})
            )
            .is_ok()
        );
        // absent in new → ok; set for the first time → ok
        assert!(check(json!({"userName": "b", "title": "New"})).is_ok());
        let e = check(json!({"userType": "Contractor"}))
            .err()
            .unwrap_or_else(|| panic!("no error"));
        assert_eq!((e.status, e.scim_type), (400, Some(ScimType::Mutability)));
        assert!(e.detail.contains("userType"));
        let e = check(json!({"name": {"familyName": "Smith"}}))
            .err()
            .unwrap_or_else(|| panic!("no error"));
        assert_eq!(e.scim_type, Some(ScimType::Mutability));
        assert!(e.detail.contains("name.familyName"));
    }

    #[test]
    fn check_immutable_passes_group_member_changes_and_rfc_user_schema_changes() {
        let r = reg();
        let old =
            json!({"schemas": [GROUP_SCHEMA], "displayName": "g", "members": [{"value": "u1"}]});
        let new =
            json!({"schemas": [GROUP_SCHEMA], "displayName": "h", "members": [{"value": "u2"}]});
        let (Some(old), Some(new)) = (old.as_object(), new.as_object()) else {
            panic!("objects")
        };
        assert!(check_immutable(old, new, &groups(&r)).is_ok());
        let old = json!({"userName": "a", "externalId": "1"});
        let new = json!({"userName": "b", "externalId": "2"});
        let (Some(old), Some(new)) = (old.as_object(), new.as_object()) else {
            panic!("objects")
        };
        assert!(check_immutable(old, new, &users(&r)).is_ok());
    }

    /// A registry stand-in holding one modified User schema (tests only).
    struct FakeRegistry {
        rt: crate::scim::schema::ResourceType,
        schema: Schema,
        reg: Registry,
    }

    impl FakeRegistry {
        fn new(schema: Schema) -> Self {
            let reg = reg();
            let rt = reg
                .resource_type("User")
                .cloned()
                .unwrap_or_else(|| panic!("User"));
            FakeRegistry { rt, schema, reg }
        }
        fn lookup(&self) -> ResourceSchema<'_> {
            ResourceSchema::for_tests(
                &self.rt,
                &self.schema,
                Vec::new(),
                self.reg.common_attributes(),
            )
        }
    }

    #[test]
    fn unique_values_folds_case_for_user_name_and_skips_read_only() {
        let r = reg();
        let m = ok(
            json!({"schemas": [USER_SCHEMA], "userName": "BJensen@Example.com", "externalId": "X1"}),
            &users(&r),
        );
        let mut stored = m.clone();
        stored.insert("id".into(), json!("2819c223"));
        let v = unique_values(&stored, &users(&r));
        assert_eq!(
            v,
            vec![(
                AttrPath::attr("userName"),
                "bjensen@example.com".to_string()
            )]
        );
        let g = ok(
            json!({"schemas": [GROUP_SCHEMA], "displayName": "Admins"}),
            &groups(&r),
        );
        assert!(
            unique_values(&g, &groups(&r)).is_empty(),
            "Group displayName is uniqueness none"
        );
    }

    #[test]
    fn unique_values_covers_extension_and_case_exact_attributes() {
        let mut ent = reg().schema(ENT).cloned().unwrap_or_else(|| panic!("ent"));
        let mut user = reg()
            .schema(USER_SCHEMA)
            .cloned()
            .unwrap_or_else(|| panic!("user"));
        for a in &mut ent.attributes {
            if a.name == "employeeNumber" {
                a.uniqueness = Uniqueness::Global;
                a.case_exact = true;
            }
        }
        for a in &mut user.attributes {
            if a.name == "emails" {
                for s in &mut a.sub_attributes {
                    if s.name == "value" {
                        s.uniqueness = Uniqueness::Server;
                    }
                }
            }
        }
        let reg = reg();
        let rt = reg
            .resource_type("User")
            .cloned()
            .unwrap_or_else(|| panic!("User"));
        let s = ResourceSchema::for_tests(&rt, &user, vec![(&ent, false)], reg.common_attributes());
        let stored = json!({"userName": "Bob", "emails": [{"value": "A@x"}, {"value": "b@x"}],
                            ENT: {"employeeNumber": "E-7"}});
        let stored = stored.as_object().cloned().unwrap_or_default();
        let v = unique_values(&stored, &s);
        assert_eq!(
            v,
            vec![
                (AttrPath::attr("userName"), "bob".to_string()),
                (AttrPath::sub("emails", "value"), "a@x".to_string()),
                (AttrPath::sub("emails", "value"), "b@x".to_string()),
                (
                    AttrPath {
                        urn: Some(ENT.into()),
                        attr: "employeeNumber".into(),
                        sub: None
                    },
                    "E-7".to_string()
                ),
            ]
        );
    }
}
