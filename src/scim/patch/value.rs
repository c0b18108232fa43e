//! The values a PATCH writes: type checks against the attribute (with the lenient shapes IdPs
//! send), canonical key spelling, equality honouring `caseExact`, `primary` settling, and the
//! required/immutable rules for removing and storing values.

use crate::scim::error::{ScimError, ScimResult};
use crate::scim::json::map_get_ci as get_ci;
use crate::scim::schema::{AttrType, Attribute, Mutability};
use serde_json::{Map, Value};

/// The existing key of `map` equal to `name` ignoring ASCII case (exact spelling first).
pub(super) fn find_key(map: &Map<String, Value>, name: &str) -> Option<String> {
    if map.contains_key(name) {
        return Some(name.to_string());
    }
    map.keys().find(|k| k.eq_ignore_ascii_case(name)).cloned()
}

/// Rename a case-variant key of `map` to the canonical `name`.
pub(super) fn canon_key(map: &mut Map<String, Value>, name: &str) {
    if map.contains_key(name) {
        return;
    }
    if let Some(k) = find_key(map, name)
        && let Some(v) = map.shift_remove(&k)
    {
        map.insert(name.to_string(), v);
    }
}

/// The value of `name` in `map`, `None` when absent or null.
pub(super) fn present<'v>(map: &'v Map<String, Value>, name: &str) -> Option<&'v Value> {
    get_ci(map, name).filter(|v| !v.is_null())
}

fn type_error(attr: &Attribute, want: &str, got: &Value) -> ScimError {
    ScimError::invalid_value(format!("{:?} expects {want}, got {got}", attr.name))
}

/// Check a simple value against `attr`'s type; booleans accept "true"/"false" strings.
pub(super) fn normalize_scalar(attr: &Attribute, v: &Value) -> ScimResult<Value> {
    match attr.attr_type {
        AttrType::String | AttrType::Reference | AttrType::Binary => match v {
            Value::String(_) => Ok(v.clone()),
            _ => Err(type_error(attr, "a string", v)),
        },
        AttrType::Boolean => match v {
            Value::Bool(_) => Ok(v.clone()),
            Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(Value::Bool(true)),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(Value::Bool(false)),
            _ => Err(type_error(attr, "a boolean", v)),
        },
        AttrType::Integer => match v {
            Value::Number(n) if n.is_i64() || n.is_u64() => Ok(v.clone()),
            _ => Err(type_error(attr, "an integer", v)),
        },
        AttrType::Decimal => match v {
            Value::Number(_) => Ok(v.clone()),
            _ => Err(type_error(attr, "a number", v)),
        },
        AttrType::DateTime => match v {
            Value::String(s) if chrono::DateTime::parse_from_rfc3339(s).is_ok() => Ok(v.clone()),
            _ => Err(type_error(attr, "an xsd:dateTime string", v)),
        },
        AttrType::Complex => match v {
            Value::Object(_) => Ok(v.clone()),
            _ => Err(type_error(attr, "an object", v)),
        },
    }
}

/// A sub-attribute value (which may itself be multi-valued); `null` stays `null` (unassign).
pub(super) fn normalize_sub(sub: &Attribute, v: &Value) -> ScimResult<Value> {
    match v {
        Value::Null => Ok(Value::Null),
        Value::Array(items) if sub.multi_valued => items
            .iter()
            .filter(|x| !x.is_null())
            .map(|x| normalize_scalar(sub, x))
            .collect::<ScimResult<Vec<_>>>()
            .map(Value::Array),
        _ if sub.multi_valued => Ok(Value::Array(vec![normalize_scalar(sub, v)?])),
        _ => normalize_scalar(sub, v),
    }
}

/// A value object for complex `top`, keyed canonically; `null` members are kept (they unassign
/// on merge); readOnly and unknown sub-attributes are dropped. A bare string becomes
/// `{"value": s}` when `top` has a `value` sub-attribute (Entra's `manager`).
pub(super) fn normalize_complex(top: &Attribute, v: &Value) -> ScimResult<Map<String, Value>> {
    let obj = match v {
        Value::Object(m) => m.clone(),
        Value::String(_) | Value::Number(_) | Value::Bool(_)
            if top.sub_attribute("value").is_some() =>
        {
            let mut m = Map::new();
            m.insert("value".to_string(), v.clone());
            m
        }
        _ => return Err(type_error(top, "an object of sub-attributes", v)),
    };
    let mut out = Map::new();
    for (k, x) in &obj {
        let Some(sub) = top.sub_attribute(k) else {
            continue;
        };
        if sub.mutability == Mutability::ReadOnly {
            continue;
        }
        out.insert(sub.name.clone(), normalize_sub(sub, x)?);
    }
    Ok(out)
}

/// One element of multi-valued `top`, with `null` members removed.
fn normalize_element(top: &Attribute, v: &Value) -> ScimResult<Value> {
    if top.attr_type == AttrType::Complex {
        let mut m = normalize_complex(top, v)?;
        m.retain(|_, x| !x.is_null());
        check_required_subs(top, &m)?;
        Ok(Value::Object(m))
    } else {
        normalize_scalar(top, v)
    }
}

/// The elements given for multi-valued `top`: an array, or a single value (lenient).
pub(super) fn normalize_multi(top: &Attribute, v: &Value) -> ScimResult<Vec<Value>> {
    let items: Vec<&Value> = match v {
        Value::Array(a) => a.iter().collect(),
        Value::Null => Vec::new(),
        other => vec![other],
    };
    let out = items
        .into_iter()
        .filter(|x| !x.is_null())
        .map(|x| normalize_element(top, x))
        .filter(|x| !matches!(x, Ok(Value::Object(m)) if m.is_empty()))
        .collect::<ScimResult<Vec<_>>>()?;
    if out.iter().filter(|e| is_primary(top, e)).count() > 1 {
        return Err(ScimError::invalid_value(format!(
            "at most one value of {:?} may be primary",
            top.name
        )));
    }
    Ok(out)
}

/// For a single-valued attribute: unwrap a one-element array (lenient), `[]` means unassign.
pub(super) fn unwrap_single<'v>(attr: &Attribute, v: &'v Value) -> ScimResult<&'v Value> {
    match v {
        Value::Array(a) if a.is_empty() => Ok(&Value::Null),
        Value::Array(a) if a.len() == 1 => Ok(a.first().unwrap_or(&Value::Null)),
        Value::Array(_) => Err(type_error(attr, "a single value", v)),
        _ => Ok(v),
    }
}

pub(super) fn check_required_subs(top: &Attribute, m: &Map<String, Value>) -> ScimResult<()> {
    for sub in top.sub_attributes.iter().filter(|s| s.required) {
        if present(m, &sub.name).is_none() {
            return Err(ScimError::invalid_value(format!(
                "{:?} requires the sub-attribute {:?}",
                top.name, sub.name
            )));
        }
    }
    Ok(())
}

/// Equality honouring `caseExact` for strings.
fn values_equal(a: &Value, b: &Value, case_exact: bool) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) if !case_exact => {
            x.eq_ignore_ascii_case(y) || x.to_lowercase() == y.to_lowercase()
        }
        _ => a == b,
    }
}

pub(super) fn primary_name(top: &Attribute) -> Option<&str> {
    top.sub_attribute("primary")
        .filter(|s| s.attr_type == AttrType::Boolean)
        .map(|s| s.name.as_str())
}

pub(super) fn is_primary(top: &Attribute, el: &Value) -> bool {
    primary_name(top)
        .is_some_and(|p| el.as_object().and_then(|m| present(m, p)) == Some(&Value::Bool(true)))
}

/// After an operation wrote `primary: true` into the elements at `touched`: demote every other
/// primary element; two written primaries are an error.
pub(super) fn settle_primary(
    top: &Attribute,
    arr: &mut [Value],
    touched: &[usize],
) -> ScimResult<()> {
    let Some(p) = primary_name(top) else {
        return Ok(());
    };
    let mut winners: Vec<usize> = touched
        .iter()
        .copied()
        .filter(|&i| arr.get(i).is_some_and(|e| is_primary(top, e)))
        .collect();
    winners.sort_unstable();
    winners.dedup();
    match winners.as_slice() {
        [] => Ok(()),
        [w] => {
            for (i, el) in arr.iter_mut().enumerate() {
                if i != *w
                    && is_primary(top, el)
                    && let Some(m) = el.as_object_mut()
                {
                    canon_key(m, p);
                    m.insert(p.to_string(), Value::Bool(false));
                }
            }
            Ok(())
        }
        _ => Err(ScimError::invalid_value(format!(
            "at most one value of {:?} may be primary",
            top.name
        ))),
    }
}

/// The index of the existing element `new` duplicates: same `value` sub-attribute for complex
/// attributes that have one, else the whole value.
pub(super) fn find_same(top: &Attribute, arr: &[Value], new: &Value) -> Option<usize> {
    if top.attr_type == AttrType::Complex
        && let Some(vsub) = top.sub_attribute("value")
        && let Some(nv) = new.as_object().and_then(|m| present(m, &vsub.name))
    {
        return arr.iter().position(|e| {
            e.as_object()
                .and_then(|m| present(m, &vsub.name))
                .is_some_and(|ev| values_equal(ev, nv, vsub.case_exact))
        });
    }
    arr.iter()
        .position(|e| values_equal(e, new, top.case_exact))
}

pub(super) fn immutable_error(what: &str) -> ScimError {
    ScimError::mutability(format!(
        "{what:?} is immutable and already has a different value"
    ))
}

/// Merge sub-attributes `new` into the object `el` (null members unassign); immutable
/// sub-attributes with a different existing value are refused.
pub(super) fn merge_into(
    top: &Attribute,
    el: &mut Map<String, Value>,
    new: &Map<String, Value>,
) -> ScimResult<()> {
    for (k, v) in new {
        let Some(sub) = top.sub_attribute(k) else {
            continue;
        };
        canon_key(el, &sub.name);
        let immutable =
            sub.mutability == Mutability::Immutable || top.mutability == Mutability::Immutable;
        let existing = present(el, &sub.name);
        if v.is_null() {
            if existing.is_some() {
                if sub.required {
                    return Err(ScimError::invalid_value(format!(
                        "{}.{} is required",
                        top.name, sub.name
                    )));
                }
                if immutable {
                    return Err(immutable_error(&format!("{}.{}", top.name, sub.name)));
                }
            }
            el.shift_remove(&sub.name);
            continue;
        }
        match existing {
            Some(old) if values_equal(old, v, sub.case_exact) => {}
            Some(_) if immutable => {
                return Err(immutable_error(&format!("{}.{}", top.name, sub.name)));
            }
            _ => {
                el.insert(sub.name.clone(), v.clone());
            }
        }
    }
    Ok(())
}

/// Unassign the top-level attribute (absent already: a no-op).
pub(super) fn remove_top(c: &mut Map<String, Value>, top: &Attribute) -> ScimResult<()> {
    let Some(key) = find_key(c, &top.name) else {
        return Ok(());
    };
    if c.get(&key)
        .is_some_and(|v| !v.is_null() && v != &Value::Array(Vec::new()))
    {
        check_removable(top)?;
    }
    c.shift_remove(&key);
    Ok(())
}

pub(super) fn check_removable(attr: &Attribute) -> ScimResult<()> {
    if attr.required {
        return Err(ScimError::invalid_value(format!(
            "{:?} is required and cannot be removed",
            attr.name
        )));
    }
    match attr.mutability {
        Mutability::Immutable => Err(immutable_error(&attr.name)),
        Mutability::ReadOnly => Err(ScimError::mutability(format!(
            "{:?} is readOnly",
            attr.name
        ))),
        Mutability::ReadWrite | Mutability::WriteOnly => Ok(()),
    }
}

/// The current elements of multi-valued `top` (a stray single value counts as one element).
pub(super) fn current_elements(c: &mut Map<String, Value>, top: &Attribute) -> Vec<Value> {
    canon_key(c, &top.name);
    match c.get(&top.name) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a.clone(),
        Some(v) => vec![v.clone()],
    }
}

/// Store `arr` as the attribute's elements (unassigning it when empty); immutable attributes
/// refuse any change once they have values.
pub(super) fn store_elements(
    c: &mut Map<String, Value>,
    top: &Attribute,
    before: &[Value],
    arr: Vec<Value>,
) -> ScimResult<()> {
    if arr.as_slice() == before {
        return Ok(());
    }
    if !before.is_empty() && top.mutability == Mutability::Immutable {
        return Err(immutable_error(&top.name));
    }
    if arr.is_empty() {
        if top.required {
            return Err(ScimError::invalid_value(format!(
                "{:?} is required and cannot be emptied",
                top.name
            )));
        }
        c.shift_remove(&top.name);
    } else {
        c.insert(top.name.clone(), Value::Array(arr));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::patch::fixtures::*;
    use serde_json::json;

    // ----- primary, types, spelling, unknown paths -----------------------------------------

    fn primaries(r: &Value) -> Vec<String> {
        r["emails"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter(|e| e["primary"] == true)
                    .filter_map(|e| e["value"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn new_primary_demotes_the_others() {
        let s = user_lookup();
        let o = ok(
            &user(),
            json!([{"op": "add", "path": "emails", "value": [{"value": "n@x.example", "type": "other", "primary": true}]}]),
            &s,
        );
        assert_eq!(primaries(&o.resource), ["n@x.example"]);
        assert_eq!(o.resource["emails"][0]["primary"], false);
        let o = ok(
            &user(),
            json!([{"op": "replace", "path": "emails[type eq \"home\"].primary", "value": "True"}]),
            &s,
        );
        assert_eq!(primaries(&o.resource), ["bj@home.example"]);
        fails(
            &user(),
            json!([{"op": "add", "path": "emails", "value": [{"value": "a@x", "primary": true}, {"value": "b@x", "primary": true}]}]),
            &s,
            ScimType::InvalidValue,
        );
        fails(
            &user(),
            json!([{"op": "replace", "path": "emails.primary", "value": true}]),
            &s,
            ScimType::InvalidValue,
        );
    }

    #[test]
    fn values_are_type_checked() {
        let s = user_lookup();
        for ops in [
            json!([{"op": "replace", "path": "displayName", "value": 5}]),
            json!([{"op": "replace", "path": "loginCount", "value": 1.5}]),
            json!([{"op": "replace", "path": "hiredAt", "value": "yesterday"}]),
            json!([{"op": "replace", "path": "name", "value": 3}]),
            json!([{"op": "replace", "path": "emails", "value": [{"value": 3}]}]),
            json!([{"op": "replace", "path": "title", "value": ["a", "b"]}]),
            json!([{"op": "replace", "value": "not an object"}]),
        ] {
            fails(&user(), ops, &s, ScimType::InvalidValue);
        }
        let o = ok(
            &user(),
            json!([{"op": "replace", "path": "hiredAt", "value": "2024-05-01T10:00:00Z"}, {"op": "add", "path": "loginCount", "value": 3}]),
            &s,
        );
        assert_eq!(
            (
                o.resource["hiredAt"].as_str(),
                o.resource["loginCount"].as_i64()
            ),
            (Some("2024-05-01T10:00:00Z"), Some(3))
        );
    }

    #[test]
    fn output_uses_canonical_attribute_spelling() {
        let o = ok(
            &user(),
            json!([
            {"op": "replace", "path": "DISPLAYNAME", "value": "X"},
            {"op": "add", "path": "Emails", "value": [{"VALUE": "n@x.example", "Type": "other", "Primary": "True"}]},
            {"op": "replace", "value": {"NAME.GIVENNAME": "B", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user:DEPARTMENT": "D"}}]),
            &user_lookup(),
        );
        let r = &o.resource;
        assert_eq!(r["displayName"], "X");
        assert_eq!(r.get("DISPLAYNAME"), None);
        assert_eq!(
            r["emails"][2],
            json!({"value": "n@x.example", "type": "other", "primary": true})
        );
        assert_eq!(r["name"]["givenName"], "B");
        assert_eq!(r[ENT], json!({"department": "D"}));
        assert_eq!(r["schemas"], json!([USER_SCHEMA, ENT]));
        // A stored key in another spelling is rewritten, not duplicated.
        let mut u = user();
        u.as_object_mut()
            .map(|m| m.insert("NickName".into(), json!("old")));
        let o = ok(
            &u,
            json!([{"op": "replace", "path": "nickname", "value": "new"}]),
            &user_lookup(),
        );
        assert_eq!(
            (o.resource.get("NickName"), &o.resource["nickName"]),
            (None, &json!("new"))
        );
    }

    #[test]
    fn unknown_attributes_are_invalid_path() {
        let s = user_lookup();
        for ops in [
            json!([{"op": "replace", "path": "doesNotExist", "value": "x"}]),
            json!([{"op": "remove", "path": "doesNotExist"}]),
            json!([{"op": "replace", "path": "name.nope", "value": "x"}]),
            json!([{"op": "replace", "path": "title.sub", "value": "x"}]),
            json!([{"op": "replace", "path": "emails[type eq \"work\"].nope", "value": "x"}]),
            json!([{"op": "replace", "path": "name[givenName eq \"x\"]", "value": {}}]),
            json!([{"op": "replace", "path": "urn:example:unknown:1.0:User:x", "value": "x"}]),
            json!([{"op": "replace", "value": {"doesNotExist": 1}}]),
            json!([{"op": "replace", "value": {"bad key": 1}}]),
            json!([{"op": "add", "path": "name..givenName", "value": "x"}]),
            json!([{"op": "add", "path": "emails[type eq \"work\"", "value": "x"}]),
        ] {
            fails(&user(), ops, &s, ScimType::InvalidPath);
        }
    }

    #[test]
    fn unknown_and_readonly_sub_attributes_in_values_are_dropped() {
        let o = ok(
            &user(),
            json!([{"op": "add", "path": "emails", "value": [{"value": "n@x.example", "bogus": 1}]}]),
            &user_lookup(),
        );
        assert_eq!(o.resource["emails"][2], json!({"value": "n@x.example"}));
    }
}
