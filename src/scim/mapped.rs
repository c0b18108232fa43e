//! A value at a mapping target path (`name.givenName`, `emails[type eq "work"].value`,
//! `urn:…:enterprise:2.0:User:department`) in a resource body: the path taken apart with the
//! PATCH path grammar, written the way an IdP writes it on create, read back as the server
//! serves it. Shared by certify's probes, replay's `--config` shaping and the load's bodies.
//! Pure: no I/O.

use serde_json::{Map, Value, json};

/// A target path taken apart: the schema URN (core when none), the attribute, the `type eq`
/// filter value of a multi-valued attribute, and the sub-attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetPath {
    /// The extension URN, None for the core schema.
    pub urn: Option<String>,
    /// The attribute (`emails`, `name`, `department`).
    pub attr: String,
    /// `work` in `emails[type eq "work"].value`.
    pub type_filter: Option<String>,
    /// `value` in `emails[…].value`, `givenName` in `name.givenName`.
    pub sub: Option<String>,
}

/// Parse `urn:…:User:department`, `name.givenName`, `emails[type eq "work"].value` with the
/// PATCH path grammar (RFC 7644 Figure 7); the only value filter a mapping target carries is
/// `type eq "…"`.
pub fn parse_target(path: &str) -> Result<TargetPath, String> {
    use crate::scim::filter::{CompValue, CompareOp, Filter};
    let p = crate::scim::patch::PatchPath::parse(path).map_err(|e| e.detail)?;
    let type_filter = match &p.filter {
        None => None,
        Some(Filter::Compare {
            path,
            op: CompareOp::Eq,
            value: CompValue::Str(v),
        }) if path.attr.eq_ignore_ascii_case("type") && path.sub.is_none() => Some(v.clone()),
        Some(_) => return Err("only [type eq \"…\"] filters are supported".into()),
    };
    let sub = match type_filter {
        Some(_) => p.sub_after_filter,
        None => p.attr.sub.clone(),
    };
    Ok(TargetPath {
        urn: p.attr.urn,
        attr: p.attr.attr,
        type_filter,
        sub,
    })
}

/// Set `value` at `target` in a resource body the way Entra writes it on create: sub-attributes
/// into their complex attribute, a typed multi-valued attribute as an element with that `type`
/// (the first of its type is `primary` for emails), extension attributes under their URN (which
/// is added to `schemas`).
pub fn put(body: &mut Value, target: &str, value: Value) {
    let Ok(t) = parse_target(target) else {
        return;
    };
    let Some(root) = body.as_object_mut() else {
        return;
    };
    let container: &mut Map<String, Value> = match &t.urn {
        Some(urn) => {
            if let Some(s) = root.get_mut("schemas").and_then(Value::as_array_mut)
                && !s.iter().any(|x| x.as_str() == Some(urn.as_str()))
            {
                s.push(json!(urn));
            }
            let ext = root.entry(urn.clone()).or_insert_with(|| json!({}));
            match ext.as_object_mut() {
                Some(m) => m,
                None => return,
            }
        }
        None => root,
    };
    match (&t.type_filter, &t.sub) {
        (Some(ty), sub) => {
            let list = container.entry(t.attr.clone()).or_insert_with(|| json!([]));
            let Some(items) = list.as_array_mut() else {
                return;
            };
            let pos = items
                .iter()
                .position(|e| e["type"].as_str() == Some(ty.as_str()));
            let idx = match pos {
                Some(i) => i,
                None => {
                    let mut e = json!({"type": ty});
                    if t.attr.eq_ignore_ascii_case("emails") && items.is_empty() {
                        e["primary"] = json!(true);
                    }
                    items.push(e);
                    items.len() - 1
                }
            };
            if let Some(e) = items.get_mut(idx).and_then(Value::as_object_mut) {
                e.insert(sub.clone().unwrap_or_else(|| "value".into()), value);
            }
        }
        (None, Some(sub)) => {
            let c = container.entry(t.attr.clone()).or_insert_with(|| json!({}));
            if let Some(m) = c.as_object_mut() {
                m.insert(sub.clone(), value);
            }
        }
        (None, None) => {
            container.insert(t.attr.clone(), value);
        }
    }
}

/// The value at `target` in a resource body as the server returned it (None when unassigned:
/// absent, null, "" or an empty array; RFC 7643 §2.5 and Entra's null-update test alike).
pub fn get<'v>(body: &'v Value, target: &str) -> Option<&'v Value> {
    get_raw(body, target).filter(|v| !crate::scim::state::unassigned(v) && *v != &json!(""))
}

/// The value at `target` as served, `null` and `""` included (None when absent).
pub fn get_raw<'v>(body: &'v Value, target: &str) -> Option<&'v Value> {
    let t = parse_target(target).ok()?;
    let container = match &t.urn {
        Some(urn) => {
            let obj = body.as_object()?;
            obj.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(urn))
                .map(|(_, v)| v)?
        }
        None => body,
    };
    let field = |v: &'v Value, name: &str| -> Option<&'v Value> {
        v.as_object()?
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    };
    let attr = field(container, &t.attr)?;
    let found = match (&t.type_filter, &t.sub) {
        (Some(ty), sub) => {
            let e = attr.as_array()?.iter().find(|e| {
                e["type"]
                    .as_str()
                    .is_some_and(|x| x.eq_ignore_ascii_case(ty))
            })?;
            field(e, sub.as_deref().unwrap_or("value"))?
        }
        (None, Some(sub)) => field(attr, sub)?,
        (None, None) => attr,
    };
    Some(found)
}
