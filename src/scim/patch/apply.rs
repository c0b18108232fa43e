//! Applying a PATCH request to a stored resource: atomically (the input is never mutated; an
//! error applies nothing and names the failing operation), resolving each path or path-less
//! value key to a target and keeping extension objects and `schemas` in step.
//!
//! # Decisions where the RFC leaves room (each one is tested in `patch/`)
//!
//! * **Error kinds.** A malformed path is `400 invalidPath`; a syntax error *inside* the
//!   brackets of a value filter is `400 invalidFilter` (RFC 7644 §3.12 lists "PATCH (Path
//!   Filter)" under invalidFilter). A path naming an attribute the schema does not define is
//!   `400 invalidPath` ("the path attribute was invalid"); `noTarget` is kept for what the RFC
//!   reserves it for: `remove` without a path (§3.5.2.2) and a `replace` whose value filter
//!   matches nothing (§3.5.2.3).
//! * **Filter misses.** `replace` with a value filter that matches nothing → `400 noTarget`
//!   (RFC SHALL). `remove` with a filter that matches nothing → success, no change (removing
//!   what is absent is idempotent; Okta sends one `remove members[value eq …]` per member).
//!   `add` with a filter that matches nothing → when the filter is `eq` comparisons on
//!   sub-attributes joined by `and` (e.g. `emails[type eq "work"].value`), a new element is
//!   appended carrying those sub-attribute values plus the added value (what Entra expects; see
//!   RFC 7644 erratum 8097); otherwise `400 noTarget`.
//! * **readOnly.** Any operation whose path targets a readOnly attribute or sub-attribute →
//!   `400 mutability`. A path-less `add`/`replace` whose value object repeats a readOnly
//!   top-level attribute *unchanged* (Okta's group rename sends `{"id":…, "displayName":…}`) is
//!   tolerated and ignored; a different value is `400 mutability`. readOnly sub-attributes
//!   *inside* a value object (e.g. `manager.displayName`) are ignored, as RFC 7644 §3.5.1
//!   prescribes for PUT. The key `schemas` in a path-less value is ignored: the server maintains
//!   `schemas`.
//! * **immutable.** Setting an immutable attribute (or sub-attribute of an existing element) that
//!   has no value is allowed; changing or removing an existing value → `400 mutability`; writing
//!   the same value is a no-op. Removing a whole element of a multi-valued attribute whose
//!   `value` sub-attribute is immutable (a group member) is allowed.
//! * **required.** Removing (or replacing with `null` / `[]`) a required attribute or
//!   sub-attribute → `400 invalidValue` ("a required value was missing", RFC 7644 §3.12).
//! * **Values.** Values are checked against the attribute type (`400 invalidValue`); booleans
//!   also accept the strings `"True"`/`"False"` in any case (Entra's default job). Keys are
//!   rewritten to the schema's canonical spelling. `null` members of a value object unassign
//!   that sub-attribute (RFC 7643 §2.5). Sub-attributes the schema does not define are dropped
//!   from value objects (Okta sends `display` on group members even where the schema has none).
//!   Lenient shapes accepted: a bare string for a complex attribute with a `value`
//!   sub-attribute (Entra's `manager`), a one-element array for a single-valued attribute, and
//!   a single object for a multi-valued one.
//! * **Multi-valued add** appends, without duplicates: an element whose `value` sub-attribute
//!   equals an existing element's (honouring `caseExact`) is merged into that element instead;
//!   elements without `value` are compared whole. `replace` of the attribute replaces all
//!   values. `remove` of `members` *with* a value array (Entra's default) removes exactly the
//!   listed members, never the whole list.
//! * **primary.** When an operation writes `primary: true` on an element, every other element's
//!   `primary: true` becomes `false`; writing two primaries in one operation → `400
//!   invalidValue` (RFC 7643 §2.4: at most one).
//! * **Extensions.** Extension attributes live under `resource[<URN>]`; the URN is added to
//!   `schemas` when the extension gets its first value, and the object and the URN are dropped
//!   when a remove empties it. A path or a path-less key equal to an extension URN addresses the
//!   whole extension object.
//! * **Empty containers.** A complex attribute left without sub-attributes, or a multi-valued
//!   attribute left without elements, becomes unassigned (absent), never `{}` or `[]`.

use super::path::PatchPath;
use super::request::{OpKind, PatchOperation, PatchRequest};
use super::shapes::{Target, op_filtered, op_multi, op_single};
use super::value::{canon_key, check_removable, find_key, present};
use crate::scim::error::{ScimError, ScimResult};
use crate::scim::json::map_get_ci as get_ci;
use crate::scim::path::AttrPath;
use crate::scim::schema::{AttrLookup, AttrType, Mutability};
use serde_json::{Map, Value};

/// The result of a successful `apply`.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchOutcome {
    /// The patched resource.
    pub resource: Value,
    /// False when the result equals the input (a no-op PATCH: keep `meta.lastModified`/ETag).
    pub changed: bool,
}

/// Apply all operations of `req` to `resource`, in order and atomically: the input is never
/// mutated, and on any error nothing applies (the error names the failing operation).
pub fn apply(
    resource: &Value,
    req: &PatchRequest,
    schema: &dyn AttrLookup,
) -> ScimResult<PatchOutcome> {
    let mut work = resource.clone();
    let root = work
        .as_object_mut()
        .ok_or_else(|| ScimError::invalid_value("the resource to patch is not a JSON object"))?;
    for (i, op) in req.operations.iter().enumerate() {
        apply_op(root, op, schema).map_err(|e| {
            let at = op
                .path
                .as_deref()
                .map(|p| format!(" {p:?}"))
                .unwrap_or_default();
            ScimError {
                detail: format!("Operations[{i}] ({}{at}): {}", op.op, e.detail),
                ..e
            }
        })?;
    }
    let changed = work != *resource;
    Ok(PatchOutcome {
        resource: work,
        changed,
    })
}

/// How an attribute was addressed: by `path`, or as a key of a path-less value object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    Path,
    ValueKey,
}

fn resolve_target<'a, 's>(
    pp: &'a PatchPath,
    schema: &'s dyn AttrLookup,
) -> ScimResult<Target<'a, 's>> {
    let top_path = AttrPath {
        urn: pp.attr.urn.clone(),
        attr: pp.attr.attr.clone(),
        sub: None,
    };
    let r = schema.resolve(&top_path).ok_or_else(|| {
        ScimError::invalid_path(format!(
            "no attribute \"{top_path}\" in this resource's schemas"
        ))
    })?;
    let sub = match pp.attr.sub.as_deref().or(pp.sub_after_filter.as_deref()) {
        None => None,
        Some(name) => {
            if r.top.attr_type != AttrType::Complex {
                return Err(ScimError::invalid_path(format!(
                    "{:?} is not complex and has no sub-attribute {name:?}",
                    r.top.name
                )));
            }
            Some(r.top.sub_attribute(name).ok_or_else(|| {
                ScimError::invalid_path(format!("{:?} has no sub-attribute {name:?}", r.top.name))
            })?)
        }
    };
    if pp.filter.is_some() && !r.top.multi_valued {
        return Err(ScimError::invalid_path(format!(
            "a value filter needs a multi-valued attribute; {:?} is single-valued",
            r.top.name
        )));
    }
    let parent = AttrPath {
        urn: r.extension.map(str::to_string),
        attr: r.top.name.clone(),
        sub: None,
    };
    Ok(Target {
        ext: r.extension,
        top: r.top,
        sub,
        filter: pp.filter.as_ref(),
        parent,
    })
}

/// `Some((canonical urn, is_core))` when `s` names one of the resource's schemas.
fn schema_urn<'s>(schema: &'s dyn AttrLookup, s: &str) -> Option<(&'s str, bool)> {
    schema
        .schema_urns()
        .into_iter()
        .enumerate()
        .find(|(_, u)| u.eq_ignore_ascii_case(s))
        .map(|(i, u)| (u, i == 0))
}

fn apply_op(
    root: &mut Map<String, Value>,
    op: &PatchOperation,
    schema: &dyn AttrLookup,
) -> ScimResult<()> {
    let Some(path) = op.path.as_deref() else {
        return match op.op {
            OpKind::Remove => Err(ScimError::no_target(
                "remove requires a \"path\" (RFC 7644 §3.5.2.2)",
            )),
            OpKind::Add | OpKind::Replace => {
                apply_value_object(root, op.op, None, op.value.as_ref(), schema)
            }
        };
    };
    if let Some((urn, core)) = schema_urn(schema, path) {
        return match (op.op, core) {
            (OpKind::Remove, true) => {
                Err(ScimError::invalid_path("the core schema cannot be removed"))
            }
            (OpKind::Remove, false) => remove_extension(root, urn, schema),
            (kind, true) => apply_value_object(root, kind, None, op.value.as_ref(), schema),
            (kind, false) => apply_value_object(root, kind, Some(urn), op.value.as_ref(), schema),
        };
    }
    let pp = PatchPath::parse(path)?;
    let target = resolve_target(&pp, schema)?;
    apply_target(
        root,
        op.op,
        &target,
        op.value.as_ref(),
        Origin::Path,
        schema,
    )
}

/// Path-less add/replace (or a path that is a schema URN): `value` is an object whose keys are
/// attribute paths (plain, dotted, URN-qualified) or extension URNs holding an object.
fn apply_value_object(
    root: &mut Map<String, Value>,
    kind: OpKind,
    within: Option<&str>,
    value: Option<&Value>,
    schema: &dyn AttrLookup,
) -> ScimResult<()> {
    let obj = match value {
        Some(Value::Object(m)) => m,
        _ => {
            return Err(ScimError::invalid_value(format!(
                "{kind} without a path needs a \"value\" object of attributes"
            )));
        }
    };
    for (key, v) in obj {
        // `schemas` is never an attribute: a path-less value may repeat the resource's, and a
        // value for an extension URN path may carry the extension's own (scim2-models does).
        if key.eq_ignore_ascii_case("schemas") {
            continue;
        }
        if within.is_none()
            && let Some((urn, core)) = schema_urn(schema, key)
        {
            apply_value_object(
                root,
                kind,
                if core { None } else { Some(urn) },
                Some(v),
                schema,
            )
            .map_err(|e| ScimError {
                detail: format!("in {urn:?}: {}", e.detail),
                ..e
            })?;
            continue;
        }
        let mut attr = AttrPath::parse(key).map_err(|e| {
            ScimError::invalid_path(format!(
                "value key {key:?} is not an attribute path: {}",
                e.msg
            ))
        })?;
        if let Some(urn) = within {
            if attr.urn.is_some() {
                return Err(ScimError::invalid_path(format!(
                    "value key {key:?} inside {urn:?} must not carry a schema URN"
                )));
            }
            attr.urn = Some(urn.to_string());
        }
        let pp = PatchPath {
            attr,
            filter: None,
            sub_after_filter: None,
        };
        let target = resolve_target(&pp, schema)?;
        apply_target(root, kind, &target, Some(v), Origin::ValueKey, schema)?;
    }
    Ok(())
}

/// `remove` with a path that is an extension URN: unassign the whole extension.
fn remove_extension(
    root: &mut Map<String, Value>,
    urn: &str,
    schema: &dyn AttrLookup,
) -> ScimResult<()> {
    let Some(key) = find_key(root, urn) else {
        return Ok(());
    };
    if let Some(Value::Object(ext)) = root.get(&key) {
        for (k, v) in ext {
            if v.is_null() {
                continue;
            }
            let path = AttrPath {
                urn: Some(urn.to_string()),
                attr: k.clone(),
                sub: None,
            };
            if let Some(r) = schema.resolve(&path) {
                check_removable(r.top)?;
            }
        }
    }
    root.shift_remove(&key);
    drop_schema_urn(root, urn);
    Ok(())
}

fn add_schema_urn(root: &mut Map<String, Value>, urn: &str) {
    canon_key(root, "schemas");
    let schemas = root
        .entry("schemas")
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(a) = schemas
        && !a
            .iter()
            .any(|s| s.as_str().is_some_and(|s| s.eq_ignore_ascii_case(urn)))
    {
        a.push(Value::String(urn.to_string()));
    }
}

fn drop_schema_urn(root: &mut Map<String, Value>, urn: &str) {
    if let Some(k) = find_key(root, "schemas")
        && let Some(Value::Array(a)) = root.get_mut(&k)
    {
        a.retain(|s| !s.as_str().is_some_and(|s| s.eq_ignore_ascii_case(urn)));
    }
}

fn has_values(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Object(m)) => m.values().any(|v| !v.is_null()),
        _ => false,
    }
}

/// Apply one operation to one resolved target.
fn apply_target(
    root: &mut Map<String, Value>,
    kind: OpKind,
    t: &Target<'_, '_>,
    value: Option<&Value>,
    origin: Origin,
    schema: &dyn AttrLookup,
) -> ScimResult<()> {
    let def = t.sub.unwrap_or(t.top);
    if t.top.mutability == Mutability::ReadOnly || def.mutability == Mutability::ReadOnly {
        if origin == Origin::ValueKey && kind != OpKind::Remove && t.filter.is_none() {
            let current = container_ref(root, t.ext)
                .and_then(|c| present(c, &t.top.name))
                .and_then(|v| match t.sub {
                    Some(sub) => v.as_object().and_then(|m| present(m, &sub.name)),
                    None => Some(v),
                });
            if current == value.filter(|v| !v.is_null()) {
                return Ok(());
            }
        }
        return Err(ScimError::mutability(format!(
            "{:?} is readOnly",
            display_name(t)
        )));
    }
    let value = match kind {
        OpKind::Remove => value.filter(|v| !v.is_null()),
        OpKind::Add | OpKind::Replace => Some(
            value
                .ok_or_else(|| ScimError::invalid_value(format!("{kind} requires a \"value\"")))?,
        ),
    };
    let had_ext_values = t
        .ext
        .is_some_and(|urn| has_values(find_key(root, urn).and_then(|k| root.get(&k))));
    {
        let container = container_mut(root, t.ext)?;
        match (t.filter, t.top.multi_valued) {
            (Some(filter), _) => op_filtered(container, kind, t, filter, value, schema)?,
            (None, true) => op_multi(container, kind, t, value)?,
            (None, false) => op_single(container, kind, t, value)?,
        }
    }
    if let Some(urn) = t.ext {
        let key = find_key(root, urn);
        let now = key.as_ref().and_then(|k| root.get(k));
        if has_values(now) {
            add_schema_urn(root, urn);
        } else {
            if let Some(k) = key {
                root.shift_remove(&k);
            }
            if had_ext_values {
                drop_schema_urn(root, urn);
            }
        }
    }
    Ok(())
}

fn display_name(t: &Target<'_, '_>) -> String {
    match t.sub {
        Some(sub) => format!("{}.{}", t.top.name, sub.name),
        None => t.top.name.clone(),
    }
}

fn container_ref<'r>(
    root: &'r Map<String, Value>,
    ext: Option<&str>,
) -> Option<&'r Map<String, Value>> {
    match ext {
        None => Some(root),
        Some(urn) => get_ci(root, urn).and_then(Value::as_object),
    }
}

/// The object holding the target's top-level attribute; an extension object is created empty
/// when absent (and dropped again by the caller when it stays empty).
fn container_mut<'r>(
    root: &'r mut Map<String, Value>,
    ext: Option<&str>,
) -> ScimResult<&'r mut Map<String, Value>> {
    let Some(urn) = ext else { return Ok(root) };
    canon_key(root, urn);
    let slot = root.entry(urn).or_insert_with(|| Value::Object(Map::new()));
    if slot.is_null() {
        *slot = Value::Object(Map::new());
    }
    slot.as_object_mut()
        .ok_or_else(|| ScimError::invalid_value(format!("the stored {urn:?} is not an object")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::patch::fixtures::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn path_naming_extension_urn_addresses_the_whole_extension() {
        let s = user_lookup();
        let o = ok(
            &user(),
            json!([{"op": "replace", "path": ENT, "value": {"department": "Tour", "employeeNumber": "7"}}]),
            &s,
        );
        assert_eq!(
            o.resource[ENT],
            json!({"department": "Tour", "employeeNumber": "7"})
        );
        let o2 = ok(&o.resource, json!([{"op": "remove", "path": ENT}]), &s);
        assert_eq!(o2.resource, user());
        fails(
            &user(),
            json!([{"op": "remove", "path": USER_SCHEMA}]),
            &s,
            ScimType::InvalidPath,
        );
    }

    #[test]
    fn extension_urn_in_schemas_without_values_is_left_alone() {
        // Entra declares the enterprise URN even without enterprise attributes.
        let mut u = user();
        u["schemas"] = json!([USER_SCHEMA, ENT]);
        let o = ok(
            &u,
            json!([{"op": "remove", "path": "department"}]),
            &user_lookup(),
        );
        assert!(!o.changed);
        assert_eq!(o.resource["schemas"], json!([USER_SCHEMA, ENT]));
    }
    // ----- mutability -----------------------------------------------------------------------

    #[test]
    fn readonly_targets_are_mutability_errors() {
        let s = user_lookup();
        for ops in [
            json!([{"op": "replace", "path": "id", "value": "x"}]),
            json!([{"op": "remove", "path": "id"}]),
            json!([{"op": "replace", "path": "meta.created", "value": "2020-01-01T00:00:00Z"}]),
            json!([{"op": "add", "path": "groups", "value": [{"value": "g2"}]}]),
            json!([{"op": "remove", "path": "groups[value eq \"g1\"]"}]),
            json!([{"op": "replace", "value": {"id": "other"}}]),
            json!([{"op": "replace", "value": {"groups": [{"value": "g2"}]}}]),
        ] {
            fails(&user(), ops, &s, ScimType::Mutability);
        }
    }

    #[test]
    fn path_less_value_repeating_readonly_unchanged_is_tolerated() {
        let o = ok(
            &user(),
            json!([{"op": "replace", "value": {"id": "u1", "schemas": ["whatever"], "displayName": "X"}}]),
            &user_lookup(),
        );
        assert_eq!(o.resource["displayName"], "X");
        assert_eq!(
            o.resource["schemas"],
            json!([USER_SCHEMA]),
            "schemas key ignored"
        );
    }

    #[test]
    fn immutable_attribute_may_be_set_once_but_not_changed() {
        let s = user_lookup();
        fails(
            &user(),
            json!([{"op": "replace", "path": "employeeId", "value": "E-2"}]),
            &s,
            ScimType::Mutability,
        );
        fails(
            &user(),
            json!([{"op": "remove", "path": "employeeId"}]),
            &s,
            ScimType::Mutability,
        );
        assert!(
            !ok(
                &user(),
                json!([{"op": "replace", "path": "employeeId", "value": "E-1"}]),
                &s
            )
            .changed
        );
        let mut u = user();
        u.as_object_mut().map(|m| m.shift_remove("employeeId"));
        let o = ok(
            &u,
            json!([{"op": "add", "path": "employeeId", "value": "E-9"}]),
            &s,
        );
        assert_eq!(o.resource["employeeId"], "E-9");
    }

    #[test]
    fn immutable_sub_attribute_of_existing_element_cannot_change() {
        let s = group_lookup();
        fails(
            &group(),
            json!([{"op": "replace", "path": "members[value eq \"u1\"].value", "value": "u5"}]),
            &s,
            ScimType::Mutability,
        );
        fails(
            &group(),
            json!([{"op": "replace", "path": "members[value eq \"u1\"].type", "value": "Group"}]),
            &s,
            ScimType::Mutability,
        );
        let o = ok(
            &group(),
            json!([{"op": "replace", "path": "members[value eq \"u1\"].display", "value": "Barbara"}]),
            &s,
        );
        assert_eq!(o.resource["members"][0]["display"], "Barbara");
    }
    // ----- sequencing and atomicity --------------------------------------------------------

    #[test]
    fn operations_apply_in_order() {
        let o = ok(
            &user(),
            json!([
            {"op": "add", "path": "nickName", "value": "a"},
            {"op": "remove", "path": "nickName"},
            {"op": "replace", "path": "nickName", "value": "c"}]),
            &user_lookup(),
        );
        assert_eq!(o.resource["nickName"], "c");
    }

    #[test]
    fn a_failing_operation_applies_nothing_and_names_itself() {
        let u = user();
        let before = u.clone();
        let e = fails(
            &u,
            json!([
            {"op": "replace", "path": "displayName", "value": "changed"},
            {"op": "replace", "path": "emails[type eq \"nope\"].value", "value": "x"}]),
            &user_lookup(),
            ScimType::NoTarget,
        );
        assert!(
            e.detail
                .starts_with("Operations[1] (replace \"emails[type eq \\\"nope\\\"].value\")"),
            "{}",
            e.detail
        );
        assert_eq!(u, before);
    }

    #[test]
    fn non_object_resource_is_rejected() {
        let r = PatchRequest::from_json(&body(json!([{"op": "remove", "path": "title"}])))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(apply(&json!([1]), &r, &user_lookup()).is_err());
    }

    // ----- properties ----------------------------------------------------------------------

    fn valid_op() -> impl Strategy<Value = Value> {
        let s = "[a-zA-Z0-9 ]{0,8}";
        prop_oneof![
            s.prop_map(|v| json!({"op": "replace", "path": "displayName", "value": v})),
            s.prop_map(|v| json!({"op": "Add", "path": "nickName", "value": v})),
            s.prop_map(|v| json!({"op": "replace", "path": "name.givenName", "value": v})),
            s.prop_map(|v| json!({"op": "add", "path": "emails", "value": [{"value": format!("{v}@x.example"), "type": "other"}]})),
            s.prop_map(|v| json!({"op": "replace", "value": {"title": v, "name.familyName": v}})),
            s.prop_map(|v| json!({"op": "add", "path": format!("{ENT}:department"), "value": v})),
            Just(json!({"op": "remove", "path": "title"})),
            Just(json!({"op": "remove", "path": format!("{ENT}:department")})),
            Just(json!({"op": "Replace", "path": "active", "value": "False"})),
            Just(json!({"op": "remove", "path": "emails[type eq \"zzz\"]"})),
            Just(json!({"op": "replace", "value": {"id": "u1"}})),
            Just(json!({"op": "add", "path": "emails", "value": [{"value": "p@x.example", "primary": true}]})),
        ]
    }

    fn invalid_op() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(json!({"op": "remove"})),
            Just(json!({"op": "replace", "path": "id", "value": "x"})),
            Just(json!({"op": "remove", "path": "userName"})),
            Just(json!({"op": "replace", "path": "emails[type eq \"nope\"].value", "value": "x"})),
            Just(json!({"op": "replace", "path": "bogus", "value": "x"})),
            Just(json!({"op": "replace", "path": "active", "value": "maybe"})),
            Just(json!({"op": "replace", "path": "employeeId", "value": "other"})),
            Just(json!({"op": "add", "path": "emails[type eq", "value": "x"})),
        ]
    }

    proptest! {
        #[test]
        fn apply_never_mutates_its_input(ops in proptest::collection::vec(prop_oneof![valid_op(), invalid_op()], 1..6)) {
            let u = user();
            let before = u.clone();
            let _ = run(&u, Value::Array(ops), &user_lookup());
            prop_assert_eq!(u, before);
        }

        #[test]
        fn a_trailing_invalid_op_fails_the_whole_request(valid in proptest::collection::vec(valid_op(), 1..6), bad in invalid_op()) {
            let u = user();
            let s = user_lookup();
            prop_assert!(run(&u, Value::Array(valid.clone()), &s).is_ok());
            let mut all = valid;
            all.push(bad);
            let n = all.len() - 1;
            match run(&u, Value::Array(all), &s) {
                Ok(o) => prop_assert!(false, "accepted: {}", o.resource),
                Err(e) => prop_assert!(e.detail.starts_with(&format!("Operations[{n}]")), "{}", e.detail),
            }
            prop_assert_eq!(u, user());
        }
    }
}
