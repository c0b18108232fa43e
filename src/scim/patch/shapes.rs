//! One PATCH operation on a resolved target, by its shape: a single-valued attribute (or a
//! sub-attribute of it), a multi-valued attribute without a filter, and a multi-valued attribute
//! with a value filter (including the element an `add` creates on a filter miss).

use super::request::OpKind;
use super::value::{
    canon_key, check_required_subs, current_elements, find_same, immutable_error, is_primary,
    merge_into, normalize_complex, normalize_multi, normalize_scalar, normalize_sub, present,
    primary_name, remove_top, settle_primary, store_elements, unwrap_single,
};
use crate::scim::error::{ScimError, ScimResult};
use crate::scim::filter::{CompValue, CompareOp, Filter};
use crate::scim::path::AttrPath;
use crate::scim::schema::{AttrLookup, AttrType, Attribute, Mutability};
use serde_json::{Map, Value};

/// A resolved operation target.
pub(super) struct Target<'a, 's> {
    /// The extension URN (the JSON key holding the attribute), when it lives in an extension.
    pub(super) ext: Option<&'s str>,
    pub(super) top: &'s Attribute,
    /// The sub-attribute: from `attr.sub` or from after the filter.
    pub(super) sub: Option<&'s Attribute>,
    pub(super) filter: Option<&'a Filter>,
    /// The path of the multi-valued attribute, for `Filter::matches_element`.
    pub(super) parent: AttrPath,
}

/// Single-valued attribute, optionally a sub-attribute of it.
pub(super) fn op_single(
    c: &mut Map<String, Value>,
    kind: OpKind,
    t: &Target<'_, '_>,
    value: Option<&Value>,
) -> ScimResult<()> {
    let top = t.top;
    canon_key(c, &top.name);
    let value = match value {
        Some(v) => Some(unwrap_single(top, v)?),
        None => None,
    };
    match (kind, t.sub, value) {
        (OpKind::Remove, None, _) => remove_top(c, top),
        (OpKind::Remove, Some(sub), _) => {
            let mut m = Map::new();
            m.insert(sub.name.clone(), Value::Null);
            set_complex(c, top, &m)
        }
        (_, _, None) => Ok(()),
        (OpKind::Add, _, Some(Value::Null)) => Ok(()),
        (OpKind::Replace, None, Some(Value::Null)) => remove_top(c, top),
        (_, Some(sub), Some(v)) => {
            let mut m = Map::new();
            m.insert(sub.name.clone(), normalize_sub(sub, v)?);
            set_complex(c, top, &m)
        }
        (_, None, Some(v)) if top.attr_type == AttrType::Complex => {
            let m = normalize_complex(top, v)?;
            set_complex(c, top, &m)
        }
        (_, None, Some(v)) => {
            let new = normalize_scalar(top, v)?;
            match present(c, &top.name) {
                Some(old) if old == &new => Ok(()),
                Some(_) if top.mutability == Mutability::Immutable => {
                    Err(immutable_error(&top.name))
                }
                _ => {
                    c.insert(top.name.clone(), new);
                    Ok(())
                }
            }
        }
    }
}

/// Merge `m` into single-valued complex `top` (creating it), then unassign it if left empty.
fn set_complex(
    c: &mut Map<String, Value>,
    top: &Attribute,
    m: &Map<String, Value>,
) -> ScimResult<()> {
    let existed = present(c, &top.name).is_some();
    let mut obj = match present(c, &top.name) {
        Some(Value::Object(o)) => o.clone(),
        Some(_) | None => Map::new(),
    };
    merge_into(top, &mut obj, m)?;
    obj.retain(|_, v| !v.is_null());
    if obj.is_empty() {
        if existed {
            remove_top(c, top)?;
        }
        return Ok(());
    }
    check_required_subs(top, &obj)?;
    c.insert(top.name.clone(), Value::Object(obj));
    Ok(())
}

/// Multi-valued attribute without a filter: `attr` or `attr.sub` (the latter applies to every
/// element).
pub(super) fn op_multi(
    c: &mut Map<String, Value>,
    kind: OpKind,
    t: &Target<'_, '_>,
    value: Option<&Value>,
) -> ScimResult<()> {
    let top = t.top;
    let before = current_elements(c, top);
    let mut arr = before.clone();
    match (kind, t.sub) {
        (OpKind::Add, None) => {
            let mut touched = Vec::new();
            for new in normalize_multi(top, value.unwrap_or(&Value::Null))? {
                let primary = is_primary(top, &new);
                let at = match find_same(top, &arr, &new) {
                    Some(i) => {
                        if let (Some(Value::Object(el)), Value::Object(nm)) = (arr.get_mut(i), &new)
                        {
                            merge_into(top, el, nm)?;
                        }
                        i
                    }
                    None => {
                        arr.push(new);
                        arr.len() - 1
                    }
                };
                if primary {
                    touched.push(at);
                }
            }
            settle_primary(top, &mut arr, &touched)?;
        }
        (OpKind::Replace, None) => {
            arr = normalize_multi(top, value.unwrap_or(&Value::Null))?;
        }
        (OpKind::Remove, None) => match value {
            None => arr.clear(),
            Some(v) => {
                // Entra: remove exactly the listed values (e.g. members by `value`).
                let items: Vec<&Value> = match v {
                    Value::Array(a) => a.iter().collect(),
                    other => vec![other],
                };
                for item in items {
                    let probe = if top.attr_type == AttrType::Complex {
                        normalize_complex(top, item)?
                            .into_iter()
                            .filter(|(_, x)| !x.is_null())
                            .collect::<Map<_, _>>()
                            .into()
                    } else {
                        item.clone()
                    };
                    while let Some(i) = find_same(top, &arr, &probe) {
                        arr.remove(i);
                    }
                }
            }
        },
        (kind, Some(sub)) => {
            let sv = match kind {
                OpKind::Remove => Value::Null,
                _ => normalize_sub(sub, value.unwrap_or(&Value::Null))?,
            };
            if arr.is_empty() && !sv.is_null() {
                let mut m = Map::new();
                m.insert(sub.name.clone(), sv);
                check_required_subs(top, &m)?;
                arr.push(Value::Object(m));
            } else {
                let writes_primary =
                    primary_name(top) == Some(sub.name.as_str()) && sv == Value::Bool(true);
                let mut m = Map::new();
                m.insert(sub.name.clone(), sv);
                for el in arr.iter_mut() {
                    if let Value::Object(o) = el {
                        merge_into(top, o, &m)?;
                    }
                }
                arr.retain(|e| !matches!(e, Value::Object(o) if o.is_empty()));
                if writes_primary {
                    let all: Vec<usize> = (0..arr.len()).collect();
                    settle_primary(top, &mut arr, &all)?;
                }
            }
        }
    }
    store_elements(c, top, &before, arr)
}

/// `eq` comparisons on sub-attributes joined by `and`: the element a filter miss on `add`
/// creates (Entra's `emails[type eq "work"].value`). `None` for any other filter shape.
fn eq_seed(top: &Attribute, filter: &Filter, depth: usize) -> Option<Map<String, Value>> {
    if depth > 16 {
        return None;
    }
    match filter {
        Filter::Compare {
            path: attr,
            op: CompareOp::Eq,
            value,
        } => {
            if attr.urn.is_some() {
                return None;
            }
            let value = match value {
                CompValue::Null => return None,
                CompValue::Bool(b) => Value::Bool(*b),
                CompValue::Number(n) => Value::Number(n.clone()),
                CompValue::Str(s) => Value::String(s.clone()),
            };
            let name = match &attr.sub {
                None => &attr.attr,
                Some(s) if attr.attr.eq_ignore_ascii_case(&top.name) => s,
                Some(_) => return None,
            };
            let sub = top.sub_attribute(name)?;
            let v = normalize_scalar(sub, &value).ok()?;
            let mut m = Map::new();
            m.insert(sub.name.clone(), v);
            Some(m)
        }
        Filter::And(a, b) => {
            let mut m = eq_seed(top, a, depth + 1)?;
            for (k, v) in eq_seed(top, b, depth + 1)? {
                match m.get(&k) {
                    Some(old) if old != &v => return None,
                    _ => {
                        m.insert(k, v);
                    }
                }
            }
            Some(m)
        }
        _ => None,
    }
}

/// Multi-valued attribute with a value filter: `attr[filter]` or `attr[filter].sub`.
pub(super) fn op_filtered(
    c: &mut Map<String, Value>,
    kind: OpKind,
    t: &Target<'_, '_>,
    filter: &Filter,
    value: Option<&Value>,
    schema: &dyn AttrLookup,
) -> ScimResult<()> {
    let top = t.top;
    let before = current_elements(c, top);
    let mut arr = before.clone();
    let matched: Vec<usize> = arr
        .iter()
        .enumerate()
        .filter(|(_, e)| filter.matches_element(e, &t.parent, schema))
        .map(|(i, _)| i)
        .collect();
    let what = || format!("{}[{filter}]", top.name);
    let no_match = || ScimError::no_target(format!("the filter {} matched no value", what()));
    // The sub-attribute change to merge into matched elements (null unassigns).
    let patch: Option<Map<String, Value>> = match (kind, t.sub) {
        (OpKind::Remove, None) => None,
        (OpKind::Remove, Some(sub)) => {
            let mut m = Map::new();
            m.insert(sub.name.clone(), Value::Null);
            Some(m)
        }
        (_, Some(sub)) => {
            let mut m = Map::new();
            m.insert(
                sub.name.clone(),
                normalize_sub(sub, value.unwrap_or(&Value::Null))?,
            );
            Some(m)
        }
        (_, None) => {
            let v = unwrap_single(top, value.unwrap_or(&Value::Null))?;
            if top.attr_type == AttrType::Complex {
                Some(normalize_complex(top, v)?)
            } else {
                Some({
                    let mut m = Map::new();
                    m.insert("value".into(), normalize_scalar(top, v)?);
                    m
                })
            }
        }
    };
    match (kind, patch) {
        (OpKind::Remove, None) => {
            for i in matched.iter().rev() {
                arr.remove(*i);
            }
        }
        (OpKind::Replace, Some(p)) if t.sub.is_none() => {
            if matched.is_empty() {
                return Err(no_match());
            }
            let new = if top.attr_type == AttrType::Complex {
                let mut m = p;
                m.retain(|_, x| !x.is_null());
                check_required_subs(top, &m)?;
                Value::Object(m)
            } else {
                p.get("value").cloned().unwrap_or(Value::Null)
            };
            // All matched elements become the one new value (collapsed: no duplicates).
            let first = matched.first().copied().unwrap_or(0);
            for i in matched.iter().skip(1).rev() {
                arr.remove(*i);
            }
            let primary = is_primary(top, &new);
            if let Some(slot) = arr.get_mut(first) {
                *slot = new;
            }
            if primary {
                settle_primary(top, &mut arr, &[first])?;
            }
        }
        (kind, Some(p)) => {
            if matched.is_empty() {
                match kind {
                    OpKind::Remove => return Ok(()),
                    OpKind::Replace => return Err(no_match()),
                    OpKind::Add => {
                        let mut seed = eq_seed(top, filter, 0).ok_or_else(no_match)?;
                        merge_into(top, &mut seed, &p)?;
                        seed.retain(|_, x| !x.is_null());
                        check_required_subs(top, &seed)?;
                        let seed = Value::Object(seed);
                        let primary = is_primary(top, &seed);
                        arr.push(seed);
                        if primary {
                            let last = arr.len() - 1;
                            settle_primary(top, &mut arr, &[last])?;
                        }
                    }
                }
            } else if top.attr_type != AttrType::Complex {
                return Err(ScimError::invalid_path(format!(
                    "{:?} has no sub-attributes",
                    top.name
                )));
            } else {
                for &i in &matched {
                    if let Some(Value::Object(el)) = arr.get_mut(i) {
                        merge_into(top, el, &p)?;
                        check_required_subs(top, el)?;
                    }
                }
                if is_primary(top, &Value::Object(p.clone())) {
                    settle_primary(top, &mut arr, &matched)?;
                }
                arr.retain(|e| !matches!(e, Value::Object(o) if o.is_empty()));
            }
        }
        (_, None) => {}
    }
    store_elements(c, top, &before, arr)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::patch::fixtures::*;
    use serde_json::json;

    // ----- add ------------------------------------------------------------------------------

    #[test]
    fn add_simple_sets_and_reports_change() {
        let u = user();
        let o = ok(
            &u,
            json!([{"op": "Add", "path": "nickName", "value": "Babs"}]),
            &user_lookup(),
        );
        assert_eq!(o.resource["nickName"], "Babs");
        assert!(o.changed);
        assert_eq!(u.get("nickName"), None, "input untouched");
    }

    #[test]
    fn add_existing_value_is_a_detectable_no_op() {
        let s = user_lookup();
        let o = ok(
            &user(),
            json!([{"op": "add", "path": "displayName", "value": "Babs"}]),
            &s,
        );
        assert!(!o.changed);
        assert_eq!(o.resource, user());
        let o = ok(
            &user(),
            json!([{"op": "add", "path": "emails", "value": [{"value": "bj@home.example", "type": "home"}]}]),
            &s,
        );
        assert!(!o.changed, "{}", o.resource);
    }

    #[test]
    fn add_single_valued_replaces_existing_value() {
        let o = ok(
            &user(),
            json!([{"op": "add", "path": "title", "value": "Boss"}]),
            &user_lookup(),
        );
        assert_eq!(o.resource["title"], "Boss");
    }

    #[test]
    fn add_multi_valued_appends_and_keeps_existing() {
        let o = ok(
            &user(),
            json!([{"op": "add", "path": "emails", "value": [{"value": "b@other.example", "type": "other"}]}]),
            &user_lookup(),
        );
        let emails = o.resource["emails"].as_array().cloned().unwrap_or_default();
        assert_eq!(emails.len(), 3);
        assert_eq!(emails[2]["value"], "b@other.example");
        assert_eq!(emails[0]["primary"], true, "existing primary kept");
    }

    #[test]
    fn add_duplicate_value_case_insensitively_merges_instead_of_duplicating() {
        let o = ok(
            &user(),
            json!([{"op": "add", "path": "emails", "value": [{"value": "BJ@HOME.example", "display": "Home"}]}]),
            &user_lookup(),
        );
        let emails = o.resource["emails"].as_array().cloned().unwrap_or_default();
        assert_eq!(emails.len(), 2);
        assert_eq!(emails[1]["display"], "Home");
        assert_eq!(
            emails[1]["value"], "bj@home.example",
            "existing spelling kept"
        );
    }

    #[test]
    fn add_simple_multi_valued_does_not_duplicate() {
        let s = user_lookup();
        let o = ok(
            &user(),
            json!([{"op": "add", "path": "nicknames", "value": ["a", "b"]}]),
            &s,
        );
        let o2 = ok(
            &o.resource,
            json!([{"op": "add", "path": "nicknames", "value": ["b", "c"]}]),
            &s,
        );
        assert_eq!(o2.resource["nicknames"], json!(["a", "b", "c"]));
        let o3 = ok(
            &o2.resource,
            json!([{"op": "remove", "path": "nicknames", "value": ["a"]}]),
            &s,
        );
        assert_eq!(o3.resource["nicknames"], json!(["b", "c"]));
    }

    #[test]
    fn add_without_path_merges_object_and_keeps_unspecified_sub_attributes() {
        let o = ok(
            &user(),
            json!([{"op": "add", "value": {"title": "Boss", "name": {"givenName": "Barb"}}}]),
            &user_lookup(),
        );
        assert_eq!(o.resource["title"], "Boss");
        assert_eq!(
            o.resource["name"],
            json!({"givenName": "Barb", "familyName": "Jensen"})
        );
    }

    #[test]
    fn add_extension_attribute_creates_object_and_declares_schema() {
        let s = user_lookup();
        let o = ok(
            &user(),
            json!([{"op": "add", "path": format!("{ENT}:department"), "value": "Tour"}]),
            &s,
        );
        assert_eq!(o.resource[ENT], json!({"department": "Tour"}));
        assert_eq!(o.resource["schemas"], json!([USER_SCHEMA, ENT]));
        // Unqualified extension attribute names resolve too.
        let o2 = ok(
            &o.resource,
            json!([{"op": "add", "path": "employeeNumber", "value": "701984"}]),
            &s,
        );
        assert_eq!(
            o2.resource[ENT],
            json!({"department": "Tour", "employeeNumber": "701984"})
        );
        assert_eq!(
            o2.resource["schemas"],
            json!([USER_SCHEMA, ENT]),
            "URN not repeated"
        );
        // A path-less value with the extension URN as key.
        let o3 = ok(
            &user(),
            json!([{"op": "add", "value": {ENT: {"department": "Tour", "manager": {"value": "m1"}}}}]),
            &s,
        );
        assert_eq!(
            o3.resource[ENT],
            json!({"department": "Tour", "manager": {"value": "m1"}})
        );
        assert_eq!(o3.resource["schemas"], json!([USER_SCHEMA, ENT]));
    }

    #[test]
    fn add_with_filter_miss_creates_element_from_eq_filter() {
        // Entra sends add emails[type eq "work"].value for a user without a work email
        // (RFC 7644 erratum 8097 discussion).
        let mut u = user();
        u["emails"] = json!([{"value": "bj@home.example", "type": "home"}]);
        let o = ok(
            &u,
            json!([{"op": "Add", "path": "emails[type eq \"work\"].value", "value": "bj@work.example"}]),
            &user_lookup(),
        );
        assert_eq!(
            o.resource["emails"][1],
            json!({"type": "work", "value": "bj@work.example"})
        );
        // With a match, the matching element's sub-attribute is set.
        let o = ok(
            &user(),
            json!([{"op": "add", "path": "emails[type eq \"home\"].display", "value": "Home"}]),
            &user_lookup(),
        );
        assert_eq!(o.resource["emails"][1]["display"], "Home");
        assert_eq!(o.resource["emails"][0].get("display"), None);
    }

    #[test]
    fn add_with_filter_miss_that_cannot_seed_is_no_target() {
        fails(
            &user(),
            json!([{"op": "add", "path": "phoneNumbers[type pr].value", "value": "555"}]),
            &user_lookup(),
            ScimType::NoTarget,
        );
    }

    #[test]
    fn add_with_filter_miss_seeds_all_eq_terms_but_not_other_operators() {
        let s = user_lookup();
        let o = ok(
            &user(),
            json!([{"op": "add", "path": "phoneNumbers[type eq \"mobile\" and primary eq true].value", "value": "555"}]),
            &s,
        );
        assert_eq!(
            o.resource["phoneNumbers"],
            json!([{"type": "mobile", "primary": true, "value": "555"}])
        );
        for path in [
            "emails[type co \"zz\"].value",
            "emails[type eq \"a\" or type eq \"b\"].value",
            "emails[not (type eq \"work\") and type eq \"q\"].value",
        ] {
            fails(
                &user(),
                json!([{"op": "add", "path": path, "value": "x@y"}]),
                &s,
                ScimType::NoTarget,
            );
        }
    }

    #[test]
    fn add_null_or_empty_is_a_no_op() {
        let s = user_lookup();
        assert!(
            !ok(
                &user(),
                json!([{"op": "add", "path": "nickName", "value": null}]),
                &s
            )
            .changed
        );
        assert!(
            !ok(
                &user(),
                json!([{"op": "add", "path": "emails", "value": []}]),
                &s
            )
            .changed
        );
    }

    // ----- replace --------------------------------------------------------------------------

    #[test]
    fn replace_simple_and_absent_attribute() {
        let s = user_lookup();
        let o = ok(
            &user(),
            json!([{"op": "replace", "path": "displayName", "value": "Barbara J"}]),
            &s,
        );
        assert_eq!(o.resource["displayName"], "Barbara J");
        let o = ok(
            &user(),
            json!([{"op": "replace", "path": "nickName", "value": "BJ"}]),
            &s,
        );
        assert_eq!(
            o.resource["nickName"], "BJ",
            "replace of an absent attribute is an add"
        );
    }

    #[test]
    fn replace_complex_keeps_unspecified_sub_attributes() {
        let o = ok(
            &user(),
            json!([{"op": "replace", "path": "name", "value": {"givenName": "Barb"}}]),
            &user_lookup(),
        );
        assert_eq!(
            o.resource["name"],
            json!({"givenName": "Barb", "familyName": "Jensen"})
        );
    }

    #[test]
    fn replace_multi_valued_replaces_all_values() {
        let o = ok(
            &user(),
            json!([{"op": "replace", "path": "emails", "value": [{"value": "new@x.example", "type": "work"}]}]),
            &user_lookup(),
        );
        assert_eq!(
            o.resource["emails"],
            json!([{"value": "new@x.example", "type": "work"}])
        );
    }

    #[test]
    fn replace_filtered_sub_attribute_changes_only_matching_element() {
        let o = ok(
            &user(),
            json!([{"op": "replace", "path": "emails[type eq \"work\"].value", "value": "new@work.example"}]),
            &user_lookup(),
        );
        assert_eq!(
            o.resource["emails"][0],
            json!({"value": "new@work.example", "type": "work", "primary": true})
        );
        assert_eq!(o.resource["emails"][1], user()["emails"][1]);
    }

    #[test]
    fn replace_filtered_element_replaces_it_whole() {
        let o = ok(
            &user(),
            json!([{"op": "replace", "path": "addresses[type eq \"work\"]", "value": {"type": "work", "locality": "Hollywood"}}]),
            &user_lookup(),
        );
        assert_eq!(
            o.resource["addresses"],
            json!([{"type": "work", "locality": "Hollywood"}])
        );
    }

    #[test]
    fn replace_filter_miss_is_no_target() {
        let e = fails(
            &user(),
            json!([{"op": "replace", "path": "emails[type eq \"nonexistent\"].value", "value": "x@y"}]),
            &user_lookup(),
            ScimType::NoTarget,
        );
        assert!(e.detail.contains("matched no value"), "{}", e.detail);
        fails(
            &user(),
            json!([{"op": "replace", "path": "emails[type eq \"nonexistent\"]", "value": {"value": "x@y"}}]),
            &user_lookup(),
            ScimType::NoTarget,
        );
    }

    #[test]
    fn okta_deactivate_and_reactivate_without_path() {
        let s = user_lookup();
        let o = ok(
            &user(),
            json!([{"op": "replace", "value": {"active": false}}]),
            &s,
        );
        assert_eq!(o.resource["active"], false);
        let o = ok(
            &o.resource,
            json!([{"op": "replace", "value": {"active": true}}]),
            &s,
        );
        assert_eq!(o.resource["active"], true);
        assert_eq!(o.resource, user());
    }

    #[test]
    fn okta_password_sync_without_path() {
        let o = ok(
            &user(),
            json!([{"op": "replace", "value": {"password": "t1meMa$heen"}}]),
            &user_lookup(),
        );
        assert_eq!(o.resource["password"], "t1meMa$heen");
    }

    #[test]
    fn entra_string_booleans_are_coerced() {
        let s = user_lookup();
        for (v, want) in [
            ("False", false),
            ("True", true),
            ("false", false),
            ("TRUE", true),
        ] {
            let o = ok(
                &user(),
                json!([{"op": "Replace", "path": "active", "value": v}]),
                &s,
            );
            assert_eq!(o.resource["active"], want, "{v}");
        }
        let o = ok(
            &user(),
            json!([{"op": "replace", "path": "active", "value": false}]),
            &s,
        );
        assert_eq!(o.resource["active"], false);
        fails(
            &user(),
            json!([{"op": "replace", "path": "active", "value": "notabool"}]),
            &s,
            ScimType::InvalidValue,
        );
    }

    #[test]
    fn entra_default_per_attribute_replaces() {
        let s = user_lookup();
        let o = ok(
            &user(),
            json!([
            {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "updatedEmail@contoso.com"},
            {"op": "Replace", "path": "name.familyName", "value": "updatedFamilyName"},
            {"op": "Replace", "path": "externalId", "value": "Eqpj"},
            {"op": "Replace", "path": format!("{ENT}:employeeNumber"), "value": "Eqpj"}]),
            &s,
        );
        let r = &o.resource;
        assert_eq!(r["emails"][0]["value"], "updatedEmail@contoso.com");
        assert_eq!(
            r["name"],
            json!({"givenName": "Barbara", "familyName": "updatedFamilyName"})
        );
        assert_eq!(r["externalId"], "Eqpj");
        assert_eq!(r[ENT], json!({"employeeNumber": "Eqpj"}));
        assert_eq!(r["schemas"], json!([USER_SCHEMA, ENT]));
    }

    #[test]
    fn entra_optscim_path_less_replace_with_dotted_and_urn_keys() {
        let o = ok(
            &user(),
            json!([
            {"op": "replace", "path": "emails[type eq \"work\"].value", "value": "TestMhvaes@test.microsoft.com"},
            {"op": "replace", "value": {
                "displayName": "Bjfe",
                "name.givenName": "Kkom",
                "name.familyName": "Unua",
                format!("{ENT}:employeeNumber"): "Aklq"}}]),
            &user_lookup(),
        );
        let r = &o.resource;
        assert_eq!(r["displayName"], "Bjfe");
        assert_eq!(
            r["name"],
            json!({"givenName": "Kkom", "familyName": "Unua"})
        );
        assert_eq!(r[ENT]["employeeNumber"], "Aklq");
        assert_eq!(r["emails"][0]["value"], "TestMhvaes@test.microsoft.com");
    }

    #[test]
    fn entra_add_single_valued_both_casings() {
        let s = user_lookup();
        let a = ok(
            &user(),
            json!([{"op": "Add", "path": "nickName", "value": "Babs"}]),
            &s,
        );
        let b = ok(
            &user(),
            json!([{"op": "add", "path": "nickName", "value": "Babs"}]),
            &s,
        );
        assert_eq!(a, b);
    }

    #[test]
    fn entra_manager_forms() {
        let s = user_lookup();
        // Current job: full-URN path, bare id string.
        let o = ok(
            &user(),
            json!([{"op": "add", "path": format!("{ENT}:manager"), "value": "2c2f6fb8"}]),
            &s,
        );
        assert_eq!(o.resource[ENT]["manager"], json!({"value": "2c2f6fb8"}));
        // Legacy customappsso: unqualified path, one-element array, $ref.
        let o2 = ok(
            &user(),
            json!([{"op": "Add", "path": "manager", "value": [{"$ref": "http://x/Users/m1", "value": "m1", "displayName": "ignored"}]}]),
            &s,
        );
        assert_eq!(
            o2.resource[ENT]["manager"],
            json!({"$ref": "http://x/Users/m1", "value": "m1"})
        );
        // Replace, then remove: manager absent (not "", not {}), the emptied extension dropped.
        let o3 = ok(
            &o.resource,
            json!([{"op": "replace", "path": format!("{ENT}:manager.value"), "value": "m2"}]),
            &s,
        );
        assert_eq!(o3.resource[ENT]["manager"]["value"], "m2");
        let o4 = ok(
            &o3.resource,
            json!([{"op": "remove", "path": format!("{ENT}:manager")}]),
            &s,
        );
        assert_eq!(o4.resource.get(ENT), None);
        assert_eq!(o4.resource["schemas"], json!([USER_SCHEMA]));
        assert_eq!(o4.resource, user());
    }
    // ----- remove ---------------------------------------------------------------------------

    #[test]
    fn remove_without_path_is_no_target() {
        let e = fails(
            &user(),
            json!([{"op": "remove"}]),
            &user_lookup(),
            ScimType::NoTarget,
        );
        assert!(
            e.detail.starts_with("Operations[0] (remove)"),
            "{}",
            e.detail
        );
    }

    #[test]
    fn remove_single_attribute_unassigns_it() {
        let o = ok(
            &user(),
            json!([{"op": "remove", "path": "title"}]),
            &user_lookup(),
        );
        assert_eq!(o.resource.get("title"), None);
        assert!(o.changed);
    }

    #[test]
    fn remove_of_absent_attribute_is_a_successful_no_op() {
        let o = ok(
            &user(),
            json!([{"op": "remove", "path": "nickName"}]),
            &user_lookup(),
        );
        assert!(!o.changed);
        let o = ok(
            &user(),
            json!([{"op": "remove", "path": "emails[type eq \"other\"]"}]),
            &user_lookup(),
        );
        assert!(!o.changed, "remove with a filter miss is a no-op");
    }

    #[test]
    fn remove_filtered_elements_only() {
        let o = ok(
            &user(),
            json!([{"op": "remove", "path": "emails[type eq \"home\"]"}]),
            &user_lookup(),
        );
        assert_eq!(
            o.resource["emails"],
            json!([{"value": "bj@work.example", "type": "work", "primary": true}])
        );
    }

    #[test]
    fn remove_filtered_sub_attribute_keeps_element() {
        let o = ok(
            &user(),
            json!([{"op": "remove", "path": "addresses[type eq \"work\"].streetAddress"}]),
            &user_lookup(),
        );
        assert_eq!(
            o.resource["addresses"],
            json!([{"type": "work", "locality": "Springfield"}])
        );
    }

    #[test]
    fn remove_sub_attribute_of_complex_and_drop_empty_parent() {
        let s = user_lookup();
        let o = ok(
            &user(),
            json!([{"op": "remove", "path": "name.givenName"}]),
            &s,
        );
        assert_eq!(o.resource["name"], json!({"familyName": "Jensen"}));
        let o = ok(
            &o.resource,
            json!([{"op": "remove", "path": "name.familyName"}]),
            &s,
        );
        assert_eq!(
            o.resource.get("name"),
            None,
            "an empty complex attribute is unassigned, not {{}}"
        );
    }

    #[test]
    fn remove_multi_valued_attribute_removes_all_values() {
        let o = ok(
            &user(),
            json!([{"op": "remove", "path": "emails"}]),
            &user_lookup(),
        );
        assert_eq!(o.resource.get("emails"), None);
        let o = ok(
            &user(),
            json!([{"op": "remove", "path": "emails[type eq \"home\"]"}, {"op": "remove", "path": "emails[type eq \"work\"]"}]),
            &user_lookup(),
        );
        assert_eq!(o.resource.get("emails"), None, "no [] left behind");
    }

    #[test]
    fn sub_attribute_of_multi_valued_without_filter_applies_to_every_element() {
        let s = user_lookup();
        let o = ok(
            &user(),
            json!([{"op": "replace", "path": "emails.display", "value": "E"}]),
            &s,
        );
        assert_eq!(
            (
                &o.resource["emails"][0]["display"],
                &o.resource["emails"][1]["display"]
            ),
            (&json!("E"), &json!("E"))
        );
        let o = ok(
            &o.resource,
            json!([{"op": "remove", "path": "emails.display"}]),
            &s,
        );
        assert_eq!(o.resource, user());
        let o = ok(
            &user(),
            json!([{"op": "add", "path": "phoneNumbers.value", "value": "555"}]),
            &s,
        );
        assert_eq!(
            o.resource["phoneNumbers"],
            json!([{"value": "555"}]),
            "absent attribute: one element is created"
        );
    }

    #[test]
    fn remove_required_attribute_is_invalid_value() {
        let s = user_lookup();
        fails(
            &user(),
            json!([{"op": "remove", "path": "userName"}]),
            &s,
            ScimType::InvalidValue,
        );
        fails(
            &user(),
            json!([{"op": "replace", "path": "userName", "value": null}]),
            &s,
            ScimType::InvalidValue,
        );
        fails(
            &group(),
            json!([{"op": "remove", "path": "displayName"}]),
            &group_lookup(),
            ScimType::InvalidValue,
        );
    }

    // ----- groups (Entra, Okta) -------------------------------------------------------------

    fn member_ids(r: &Value) -> Vec<String> {
        r["members"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|m| m["value"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn entra_add_members_with_null_ref() {
        let s = group_lookup();
        let o = ok(
            &group(),
            json!([{"op": "Add", "path": "members", "value": [{"$ref": null, "value": "u4"}, {"$ref": null, "value": "u5"}]}]),
            &s,
        );
        assert_eq!(member_ids(&o.resource), ["u1", "u2", "u3", "u4", "u5"]);
        assert_eq!(
            o.resource["members"][3],
            json!({"value": "u4"}),
            "null $ref dropped"
        );
        // Adding existing members again changes nothing.
        let o2 = ok(
            &o.resource,
            json!([{"op": "Add", "path": "members", "value": [{"$ref": null, "value": "u1"}]}]),
            &s,
        );
        assert!(!o2.changed);
    }

    #[test]
    fn entra_remove_members_with_value_array_removes_exactly_those() {
        let o = ok(
            &group(),
            json!([{"op": "Remove", "path": "members", "value": [{"value": "u1"}, {"value": "u3"}]}]),
            &group_lookup(),
        );
        assert_eq!(member_ids(&o.resource), ["u2"]);
        let o = ok(
            &group(),
            json!([{"op": "Remove", "path": "members", "value": [{"value": "nobody"}]}]),
            &group_lookup(),
        );
        assert!(!o.changed, "removing a non-member must not wipe the group");
    }

    #[test]
    fn remove_members_by_filter_and_all_members() {
        let s = group_lookup();
        let o = ok(
            &group(),
            json!([{"op": "remove", "path": "members[value eq \"u2\"]"}]),
            &s,
        );
        assert_eq!(member_ids(&o.resource), ["u1", "u3"]);
        let o = ok(&group(), json!([{"op": "remove", "path": "members"}]), &s);
        assert_eq!(o.resource.get("members"), None);
    }

    #[test]
    fn okta_group_push_membership_and_rename() {
        let s = group_lookup();
        let o = ok(
            &group(),
            json!([
            {"op": "remove", "path": "members[value eq \"u2\"]"},
            {"op": "add", "path": "members", "value": [{"value": "u9", "display": "test.user@okta.local"}]}]),
            &s,
        );
        assert_eq!(member_ids(&o.resource), ["u1", "u3", "u9"]);
        assert_eq!(o.resource["members"][2]["display"], "test.user@okta.local");
        // The rename Okta sends with every membership change carries the (readOnly) id.
        let o = ok(
            &o.resource,
            json!([{"op": "replace", "value": {"id": "g1", "displayName": "Test SCIMv2"}}]),
            &s,
        );
        assert_eq!(o.resource["displayName"], "Test SCIMv2");
        assert_eq!(o.resource["id"], "g1");
        // Full push.
        let o = ok(
            &o.resource,
            json!([{"op": "replace", "path": "members", "value": [{"value": "u7"}]}]),
            &s,
        );
        assert_eq!(member_ids(&o.resource), ["u7"]);
        // Path-less replace of the member list.
        let o = ok(
            &o.resource,
            json!([{"op": "replace", "value": {"members": [{"value": "u8"}, {"value": "u9"}]}}]),
            &s,
        );
        assert_eq!(member_ids(&o.resource), ["u8", "u9"]);
    }

    #[test]
    fn member_without_required_value_is_invalid_value() {
        fails(
            &group(),
            json!([{"op": "add", "path": "members", "value": [{"display": "x"}]}]),
            &group_lookup(),
            ScimType::InvalidValue,
        );
    }
}
