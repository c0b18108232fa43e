//! Group members at scale: the per-request member limit (what a request carries, never the
//! resulting list), and the PATCH that only adds or removes members by `value`, applied to the
//! stored member index in place — work in proportion to the members the request carries, not
//! the group's size (`Semantics::member_fast_path`). Anything else a PATCH says goes the general
//! way (`patch.rs`), which reaches the same outcome.

use super::*;
use crate::provider::store::MemberChange;
use crate::scim::filter::{CompValue, CompareOp};
use crate::scim::patch::{OpKind, PatchPath};
use crate::scim::schema::GROUP_SCHEMA;
use std::collections::HashSet;

/// A member add or remove the member index can apply directly.
#[derive(Debug)]
pub(super) enum MemberOp<'a> {
    /// `add` of `members`: each member's value and display, in order.
    Add(Vec<(&'a str, Option<&'a str>)>),
    /// `remove` of the members with these values (ASCII lower case).
    Remove(Vec<String>),
}

/// Whether a path names the Group's `members` attribute (optionally by its schema URN).
fn is_members(path: &str) -> bool {
    match path.len().checked_sub("members".len()) {
        Some(0) => path.eq_ignore_ascii_case("members"),
        Some(n) => {
            path.is_char_boundary(n)
                && path[n..].eq_ignore_ascii_case("members")
                && path[..n].eq_ignore_ascii_case(&format!("{GROUP_SCHEMA}:"))
        }
        None => false,
    }
}

/// A remove value: one `{"value": "…"}` object (nothing else but Entra's `"$ref": null`), its value folded to lower case
/// (member values are compared ignoring case: the schema declares `caseExact: false`).
fn remove_value(m: &Value) -> Option<String> {
    let o = m.as_object()?;
    let v = o.get("value")?.as_str()?;
    let extra = o
        .iter()
        .any(|(k, x)| k != "value" && !(k == "$ref" && x.is_null()));
    (!extra && v.is_ascii()).then(|| v.to_ascii_lowercase())
}

/// Collect the values of a filter made only of `value eq "…"` joined by `or` (ASCII values,
/// folded to lower case); false for any other filter.
fn eq_values(f: &Filter, out: &mut Vec<String>) -> bool {
    match f {
        Filter::Compare {
            path,
            op: CompareOp::Eq,
            value: CompValue::Str(v),
        } if path.urn.is_none()
            && path.sub.is_none()
            && path.attr.eq_ignore_ascii_case("value")
            && v.is_ascii() =>
        {
            out.push(v.to_ascii_lowercase());
            true
        }
        Filter::Or(a, b) => eq_values(a, out) && eq_values(b, out),
        _ => false,
    }
}

/// The request as member ops, when every operation is one the index can apply as the general
/// path would: `add` of `members` with `{value[, display]}` objects, `remove` of
/// `members[value eq "…" or …]`, or `remove` of `members` with a list of `{value}` objects.
pub(super) fn member_ops(req: &PatchRequest) -> Option<Vec<MemberOp<'_>>> {
    req.operations
        .iter()
        .map(|op| {
            let path = op.path.as_deref()?;
            match op.op {
                OpKind::Add => {
                    let Value::Array(list) = op.value.as_ref()? else {
                        return None;
                    };
                    if !is_members(path) || list.is_empty() {
                        return None;
                    }
                    let mut adds = Vec::with_capacity(list.len());
                    for m in list {
                        let o = m.as_object()?;
                        let (mut value, mut display) = (None, None);
                        for (k, v) in o {
                            match (k.as_str(), v) {
                                ("value", Value::String(s)) => value = Some(s.as_str()),
                                ("display", Value::String(s)) => display = Some(s.as_str()),
                                // Entra sends `"$ref": null`: no value, dropped.
                                ("$ref", Value::Null) => {}
                                _ => return None,
                            }
                        }
                        adds.push((value?, display));
                    }
                    Some(MemberOp::Add(adds))
                }
                OpKind::Remove if is_members(path) => {
                    let Value::Array(list) = op.value.as_ref()? else {
                        return None;
                    };
                    if list.is_empty() {
                        return None;
                    }
                    list.iter()
                        .map(remove_value)
                        .collect::<Option<Vec<_>>>()
                        .map(MemberOp::Remove)
                }
                OpKind::Remove => {
                    if op.value.is_some() {
                        return None;
                    }
                    let pp = PatchPath::parse(path).ok()?;
                    let attr = &pp.attr;
                    let on_members = attr.sub.is_none()
                        && attr.attr.eq_ignore_ascii_case("members")
                        && attr
                            .urn
                            .as_deref()
                            .is_none_or(|u| u.eq_ignore_ascii_case(GROUP_SCHEMA));
                    if !on_members || pp.sub_after_filter.is_some() {
                        return None;
                    }
                    let mut values = Vec::new();
                    eq_values(&pp.filter?, &mut values).then_some(MemberOp::Remove(values))
                }
                OpKind::Replace => None,
            }
        })
        .collect()
}

/// The `members` of a body (the key in any case).
fn members_key(o: &Map<String, Value>) -> Option<&Value> {
    o.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("members"))
        .map(|(_, v)| v)
}

/// How many members a request body carries: the `members` of a POST/PUT body, or the member
/// values of a PATCH's operations.
fn carried_in(v: Option<&Value>) -> usize {
    match v {
        Some(Value::Array(l)) => l.len(),
        Some(Value::Object(_)) => 1,
        _ => 0,
    }
}

impl Provider {
    /// 413 when a request carries more members than `Limits::max_members_per_request`.
    pub(super) fn check_member_count(&self, carried: usize) -> ScimResult<()> {
        if carried > self.limits.max_members_per_request {
            return Err(ScimError::new(
                413,
                None,
                format!(
                    "a request may carry at most {} group members (this one carries {carried})",
                    self.limits.max_members_per_request
                ),
            ));
        }
        Ok(())
    }

    /// The members a POST/PUT body of `kind` carries, against the limit.
    pub(super) fn check_body_members(&self, kind: Kind, body: &Value) -> ScimResult<()> {
        if kind != Kind::Group {
            return Ok(());
        }
        self.check_member_count(carried_in(body.as_object().and_then(members_key)))
    }

    /// The members a PATCH request carries (in `members` operations and in path-less values
    /// naming `members`), against the limit.
    pub(super) fn check_patch_members(&self, kind: Kind, req: &PatchRequest) -> ScimResult<()> {
        if kind != Kind::Group {
            return Ok(());
        }
        let mut carried = 0usize;
        for op in &req.operations {
            carried += match op.path.as_deref() {
                Some(p) if p.len() >= 7 && p.is_char_boundary(7) => {
                    if p[..7].eq_ignore_ascii_case("members") || is_members(p) {
                        carried_in(op.value.as_ref())
                    } else {
                        0
                    }
                }
                Some(_) => 0,
                None => carried_in(
                    op.value
                        .as_ref()
                        .and_then(Value::as_object)
                        .and_then(members_key),
                ),
            };
        }
        self.check_member_count(carried)
    }

    /// Apply member ops to group `id` in place, under the tenant lock. `Ok(None)` when the
    /// request needs the general path (a member that is no resource, the group itself, a
    /// `display` merged into an existing member): nothing has changed then.
    pub(super) fn patch_members(
        &self,
        tenant: &Tenant,
        d: &mut TenantWrite<'_>,
        id: &str,
        ops: &[MemberOp<'_>],
        if_match: Option<&str>,
        proj: &Projection,
    ) -> ScimResult<Option<Reply>> {
        let Some(g) = d.groups.get(id) else {
            return self.missing(Kind::Group, id).map(Some);
        };
        self.check_if_match(if_match, g)?;
        let mut changes = Vec::new();
        let mut touched: HashSet<&str> = HashSet::new();
        for op in ops {
            match op {
                MemberOp::Add(list) => {
                    for (value, display) in list {
                        if *value == &*g.id {
                            return Ok(None);
                        }
                        let Some(mut mkind) = d.kind_of(value) else {
                            return Ok(None);
                        };
                        if display.is_some()
                            && (g.members.contains(value) || touched.contains(value))
                        {
                            return Ok(None);
                        }
                        touched.insert(*value);
                        if self.rules.member_types_swapped {
                            mkind = match mkind {
                                Kind::User => Kind::Group,
                                Kind::Group => Kind::User,
                            };
                        }
                        // Canonical member order, as `build_entry` writes it.
                        let mut o = Map::new();
                        o.insert("value".into(), Value::String((*value).to_string()));
                        o.insert("$ref".into(), Value::String(self.location(mkind, value)));
                        if let Some(dn) = display {
                            o.insert("display".into(), Value::String((*dn).to_string()));
                        }
                        o.insert("type".into(), Value::String(mkind.id().into()));
                        changes.push(MemberChange::Add {
                            value: (*value).to_string(),
                            json: Value::Object(o).to_string().into_boxed_str(),
                        });
                    }
                }
                MemberOp::Remove(list) => {
                    for v in list {
                        touched.insert(v);
                        changes.push(MemberChange::Remove(v.clone()));
                    }
                }
            }
        }
        let base = g.stored();
        // The members and the new version change together, in one exclusive step.
        d.with_upgraded(|d| -> ScimResult<()> {
            let changed = d.change_members(id, changes).unwrap_or(false);
            if changed || self.rules.noop_writes_bump_version {
                let version = tenant.next_seq();
                let mut v = parse_stored(&base)?;
                if let Some(Value::Object(meta)) = v.get_mut("meta") {
                    let at = modified_after(meta.get("lastModified").and_then(Value::as_str));
                    meta.insert("lastModified".into(), Value::String(at));
                    if let Some(tag) = self.etag(version) {
                        meta.insert("version".into(), Value::String(tag));
                    }
                }
                let json = to_bytes(&v);
                if let Some(e) = d.groups.get_mut(id) {
                    e.version = version;
                    e.set_stored(&json);
                }
            }
            Ok(())
        })?;
        let e = d
            .groups
            .get(id)
            .ok_or_else(|| internal("group vanished during a member change"))?;
        self.resource_reply(d, Kind::Group, e, 200, proj).map(Some)
    }
}

/// Whether a projection leaves `members` out of a Group (so they need not be serialised):
/// `excludedAttributes=members`, or `attributes` naming only other core attributes.
pub(super) fn drops_members(proj: &Projection) -> bool {
    let core = |p: &AttrPath| {
        p.urn
            .as_deref()
            .is_none_or(|u| u.eq_ignore_ascii_case(GROUP_SCHEMA))
    };
    if !proj.attributes.is_empty() {
        return proj.attributes.iter().all(|p| {
            p.urn.is_none() && !p.attr.contains(':') && !p.attr.eq_ignore_ascii_case("members")
        });
    }
    proj.excluded
        .iter()
        .any(|p| core(p) && p.sub.is_none() && p.attr.eq_ignore_ascii_case("members"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(ops: Value) -> PatchRequest {
        PatchRequest::from_json(&json!({
            "schemas": [crate::scim::schema::PATCH_OP],
            "Operations": ops
        }))
        .unwrap_or_else(|e| panic!("{e:?}"))
    }

    #[test]
    fn member_adds_and_removes_are_recognised() {
        let r = req(json!([
            {"op": "add", "path": "members", "value": [{"value": "a", "$ref": null}, {"value": "b", "display": "B"}]},
            {"op": "Remove", "path": "members[value eq \"C\" or value eq \"e\"]"},
            {"op": "remove", "path": "urn:ietf:params:scim:schemas:core:2.0:Group:members", "value": [{"value": "d"}]}
        ]));
        let ops = member_ops(&r).unwrap_or_else(|| panic!("not recognised"));
        assert!(matches!(&ops[0], MemberOp::Add(l) if l == &vec![("a", None), ("b", Some("B"))]));
        assert!(
            matches!(&ops[1], MemberOp::Remove(l) if l == &vec!["c".to_string(), "e".to_string()])
        );
        assert!(matches!(&ops[2], MemberOp::Remove(l) if l == &vec!["d".to_string()]));
    }

    #[test]
    fn anything_else_goes_the_general_way() {
        for ops in [
            json!([{"op": "replace", "path": "members", "value": [{"value": "a"}]}]),
            json!([{"op": "remove", "path": "members"}]),
            json!([{"op": "add", "path": "members", "value": [{"value": "a", "type": "User"}]}]),
            json!([{"op": "add", "path": "members", "value": []}]),
            json!([{"op": "add", "value": {"members": [{"value": "a"}]}}]),
            json!([{"op": "remove", "path": "members[value eq \"a\" and value eq \"b\"]"}]),
            json!([{"op": "remove", "path": "members[value co \"a\"]"}]),
            json!([{"op": "remove", "path": "members[value eq \"a\"].display"}]),
            json!([{"op": "add", "path": "members", "value": [{"value": "a"}]},
                   {"op": "replace", "path": "displayName", "value": "x"}]),
        ] {
            assert!(member_ops(&req(ops.clone())).is_none(), "{ops}");
        }
    }

    #[test]
    fn projections_that_leave_members_out() {
        let p = |a: &[&str], e: &[&str]| Projection {
            attributes: a
                .iter()
                .map(|s| AttrPath::parse(s).unwrap_or_else(|e| panic!("{e:?}")))
                .collect(),
            excluded: e
                .iter()
                .map(|s| AttrPath::parse(s).unwrap_or_else(|e| panic!("{e:?}")))
                .collect(),
        };
        assert!(drops_members(&p(&[], &["members"])));
        assert!(drops_members(&p(&[], &["Members"])));
        assert!(drops_members(&p(&["displayName"], &[])));
        assert!(!drops_members(&p(&[], &[])));
        assert!(!drops_members(&p(&[], &["members.display"])));
        assert!(!drops_members(&p(&["members.value"], &[])));
        assert!(!drops_members(&p(&["displayName", "members"], &[])));
    }
}
