//! Shaping a fixture by a provisioning configuration (docs/provisioning.md, issue 20): the
//! flows and steps the configuration excludes are left out ("not configured", with the reason),
//! creates the IdP does not make stand in as setup steps, existence checks filter on the
//! configured matching attribute, and creates and updates carry the mapped attributes with
//! values of their types. Pure: a fixture in, a fixture out.

use super::fixture::{BodyCheck, BodyTest, Fixture, Step};
use crate::scim::mapped::{TargetPath, get_raw, parse_target, put};
use crate::scim::provisioning::{
    Action, AttrType, Deprovision, Mapping, ObjectConfig, ProvisioningConfig,
};
use serde_json::{Map, Value, json};
use std::collections::{BTreeSet, HashSet};

pub use crate::report::model::LeftOut;

/// A fixture shaped by a configuration.
#[derive(Debug, Clone)]
pub enum Shaped {
    /// The configuration excludes the whole flow.
    NotConfigured(String),
    /// The flow to replay (with `left_out` filled in).
    Flow(Box<Fixture>),
}

/// What a step does, as far as the configuration is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Does {
    Create,
    Update,
    SoftDelete,
    Reactivate,
    Delete,
    Read,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    User,
    Group,
    Other,
}

fn kind(path: &str) -> Kind {
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    match first {
        "Users" => Kind::User,
        "Groups" => Kind::Group,
        _ => Kind::Other,
    }
}

fn is_false(v: &Value) -> bool {
    v == &Value::Bool(false) || v.as_str().is_some_and(|s| s.eq_ignore_ascii_case("false"))
}

fn is_true(v: &Value) -> bool {
    v == &Value::Bool(true) || v.as_str().is_some_and(|s| s.eq_ignore_ascii_case("true"))
}

/// The value a write sets `active` to, if it sets it.
fn sets_active(step: &Step) -> Option<bool> {
    let body = step.request.body.as_ref()?;
    let pick = |v: &Value| {
        if is_false(v) {
            Some(false)
        } else if is_true(v) {
            Some(true)
        } else {
            None
        }
    };
    match step.request.method.as_str() {
        "PUT" => body.get("active").and_then(pick),
        "PATCH" => body
            .get("Operations")
            .and_then(Value::as_array)?
            .iter()
            .find_map(|op| match op.get("path").and_then(Value::as_str) {
                Some(p) if p.eq_ignore_ascii_case("active") => op.get("value").and_then(pick),
                Some(_) => None,
                None => op.get("value")?.get("active").and_then(pick),
            }),
        _ => None,
    }
}

/// What each step of `steps` does.
fn classify(steps: &[Step]) -> Vec<Does> {
    let mut deactivated = false;
    steps
        .iter()
        .map(|s| match s.request.method.as_str() {
            "POST" if !s.request.path.ends_with("/.search") => Does::Create,
            "DELETE" => Does::Delete,
            "PUT" | "PATCH" if kind(&s.request.path) == Kind::User => match sets_active(s) {
                Some(false) => {
                    deactivated = true;
                    Does::SoftDelete
                }
                Some(true) if deactivated => Does::Reactivate,
                _ => Does::Update,
            },
            "PUT" | "PATCH" => Does::Update,
            _ => Does::Read,
        })
        .collect()
}

/// The `{{name}}` variables a step uses (not `run`, not `uuid.*`, which always resolve).
fn uses(step: &Step) -> BTreeSet<String> {
    let mut text = step.request.path.clone();
    for v in step
        .request
        .query
        .values()
        .chain(step.request.headers.values())
    {
        text.push_str(&v.to_string());
    }
    if let Some(b) = &step.request.body {
        text.push_str(&b.to_string());
    }
    for c in &step.expect.body {
        text.push_str(&Value::from(c.clone()).to_string());
    }
    let mut out = BTreeSet::new();
    let mut rest = text.as_str();
    while let Some(i) = rest.find("{{") {
        let after = &rest[i + 2..];
        let Some(j) = after.find("}}") else { break };
        let name = &after[..j];
        if name != "run" && !name.starts_with("uuid.") {
            out.insert(name.to_string());
        }
        rest = &after[j + 2..];
    }
    out
}

/// A write the harness makes to set the scene (app-side data that exists before the IdP
/// acts), not IdP traffic: the fixture says so in its synthetic reason.
fn harness(step: &Step) -> bool {
    step.synthetic
        && step
            .synthetic_reason
            .as_deref()
            .is_some_and(|r| r.starts_with("Harness"))
}

fn object(cfg: &ProvisioningConfig, k: Kind) -> Option<&ObjectConfig> {
    match k {
        Kind::User => Some(&cfg.users),
        Kind::Group => Some(&cfg.groups),
        Kind::Other => None,
    }
}

fn plural(k: Kind) -> &'static str {
    match k {
        Kind::User => "users",
        Kind::Group => "groups",
        Kind::Other => "other resources",
    }
}

/// Why the configuration leaves out a step that does `does` to a `k`, if it does.
fn excluded(cfg: &ProvisioningConfig, k: Kind, does: Does, harness: bool) -> Option<String> {
    let o = object(cfg, k)?;
    let what = plural(k);
    if !o.provision {
        return Some(format!("{what} are not provisioned"));
    }
    // The harness's own writes set the scene; only the kind being off removes them.
    if harness && does != Does::Read {
        return None;
    }
    match does {
        Does::Update if !o.allows(Action::Update) => {
            Some(format!("update is not a target object action for {what}"))
        }
        Does::SoftDelete | Does::Reactivate if !o.allows(Action::Delete) => {
            Some(format!("delete is not a target object action for {what}"))
        }
        Does::SoftDelete | Does::Reactivate if o.deprovision == Deprovision::Delete => Some(
            format!("deprovision is \"delete\": {what} are deleted, never deactivated"),
        ),
        Does::Delete if !o.allows(Action::Delete) => {
            Some(format!("delete is not a target object action for {what}"))
        }
        Does::Delete if k == Kind::User && o.deprovision == Deprovision::SoftDelete => Some(
            format!("deprovision is \"soft-delete\": {what} are deactivated, never deleted"),
        ),
        _ => None,
    }
}

/// A displayName's text without the run prefix.
fn group_name(s: &str) -> String {
    s.replace("{{run}}", "").trim().to_string()
}

/// For a full sync with `push` set: the group each group step is about (by the names POSTed or
/// filtered on, and the variables their responses were captured into).
fn group_of_steps(steps: &[Step]) -> Vec<Option<String>> {
    let mut by_var: Vec<(String, String)> = Vec::new();
    steps
        .iter()
        .map(|s| {
            if kind(&s.request.path) != Kind::Group {
                return None;
            }
            let named = match s.request.method.as_str() {
                "POST" => s
                    .request
                    .body
                    .as_ref()
                    .and_then(|b| b.get("displayName"))
                    .and_then(Value::as_str)
                    .map(group_name),
                "GET" => s
                    .request
                    .query
                    .get("filter")
                    .and_then(Value::as_str)
                    .and_then(|f| f.strip_prefix("displayName eq "))
                    .map(|v| group_name(v.trim_matches('"'))),
                _ => None,
            };
            if let Some(n) = &named {
                for var in s.capture.keys() {
                    by_var.push((var.clone(), n.clone()));
                }
                return named;
            }
            let used = uses(s);
            by_var
                .iter()
                .find(|(v, _)| used.contains(v))
                .map(|(_, n)| n.clone())
        })
        .collect()
}

/// The flow-level answer: `None` when the flow runs (perhaps with steps left out).
fn flow_excluded(fx: &Fixture, cfg: &ProvisioningConfig) -> Option<String> {
    match fx.flow.as_str() {
        "user-lifecycle" if !cfg.users.provision => Some("users are not provisioned".into()),
        "group-lifecycle" if !cfg.groups.provision => Some("groups are not provisioned".into()),
        _ => None,
    }
}

/// Shape `fx` by `cfg`.
pub fn shape(fx: &Fixture, cfg: &ProvisioningConfig) -> Shaped {
    if let Some(why) = flow_excluded(fx, cfg) {
        return Shaped::NotConfigured(why);
    }
    let does = classify(&fx.steps);
    let groups = if fx.flow == "full-sync" && !cfg.groups.push.is_empty() {
        group_of_steps(&fx.steps)
    } else {
        vec![None; fx.steps.len()]
    };
    let mut keep: Vec<Step> = Vec::new();
    let mut keep_does: Vec<Does> = Vec::new();
    let mut left_out: Vec<LeftOut> = Vec::new();
    // Variables only a left-out step would have captured, and paths whose write was left out
    // (the GETs right after it read that write back).
    let mut lost_vars: HashSet<String> = HashSet::new();
    let mut dropped_path: Option<String> = None;
    for ((step, d), group) in fx.steps.iter().zip(&does).zip(&groups) {
        let k = kind(&step.request.path);
        let why = if let Some(v) = uses(step).into_iter().find(|v| lost_vars.contains(v)) {
            Some(format!("needs {{{{{v}}}}}, from a step left out"))
        } else if *d == Does::Read && dropped_path.as_deref() == Some(step.request.path.as_str()) {
            Some("reads back a write left out".to_string())
        } else if let Some(g) = group.as_ref().filter(|g| {
            !cfg.groups
                .push
                .iter()
                .any(|p| p.trim().eq_ignore_ascii_case(g))
        }) {
            Some(format!(
                "group push covers {} only, not {g}",
                cfg.groups.push.join(", ")
            ))
        } else {
            excluded(cfg, k, *d, harness(step))
        };
        match why {
            Some(why) => {
                for v in step.capture.keys() {
                    lost_vars.insert(v.clone());
                }
                // A write to one resource (not a create in the collection) is read back by
                // the GETs of that resource right after it.
                if !matches!(d, Does::Read | Does::Create) {
                    dropped_path = Some(step.request.path.clone());
                }
                left_out.push(LeftOut {
                    step: step.name.clone(),
                    why,
                });
            }
            None => {
                if *d != Does::Read {
                    dropped_path = None;
                }
                let mut s = step.clone();
                for v in s.capture.keys() {
                    lost_vars.remove(v);
                }
                if *d == Does::Create
                    && !harness(&s)
                    && object(cfg, k).is_some_and(|o| !o.allows(Action::Create))
                {
                    s.synthetic = true;
                    s.setup = true;
                    s.synthetic_reason = Some(format!(
                        "Harness setup: create is not a target object action for {}, so the \
                         harness creates it, standing in for the app's own",
                        plural(k)
                    ));
                }
                keep.push(s);
                keep_does.push(*d);
            }
        }
    }
    // A profile that never provisions users itself (Okta Group Push: its manifest says it has
    // no user lifecycle) has nothing of its own left once no group step is.
    let groups_only = fx
        .manifest
        .as_ref()
        .is_some_and(|m| m.absent("user-lifecycle").is_some());
    if groups_only && !keep.iter().any(|s| kind(&s.request.path) == Kind::Group) {
        keep.clear();
    }
    if keep.is_empty() {
        return Shaped::NotConfigured(
            left_out
                .first()
                .map_or_else(|| "nothing to replay".to_string(), |l| l.why.clone()),
        );
    }
    rematch(&mut keep, &keep_does, cfg);
    map_attributes(&mut keep, &keep_does, cfg, &mut left_out);
    let mut out = fx.clone();
    out.steps = keep;
    out.left_out = left_out;
    Shaped::Flow(Box::new(out))
}

/// A mapping target taken apart (`scim::mapped`: the URN, the attribute, a `type eq` value
/// filter, the sub-attribute).
type Target = TargetPath;

fn split_target(t: &str) -> Option<Target> {
    parse_target(t).ok()
}

/// The value at `t` in a resource body.
fn value_at(body: &Value, t: &Target) -> Option<Value> {
    get_raw(body, &target_text(t)).cloned()
}

/// Set `t` in a resource body to `value` (an extension's URN added to `schemas`).
fn set_at(body: &mut Value, t: &Target, value: Value) {
    put(body, &target_text(t), value);
}

/// The first `attr eq "value"` of a filter.
fn filter_eq(filter: &str) -> Option<(&str, &str)> {
    let (attr, rest) = filter.trim().split_once(' ')?;
    let (op, value) = rest.trim_start().split_once(' ')?;
    if !op.eq_ignore_ascii_case("eq") {
        return None;
    }
    let v = value.trim();
    let v = v.strip_prefix('"')?.strip_suffix('"')?;
    Some((attr, v))
}

fn same_attr(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// Existence checks filter on the configured matching attribute: `userName eq "x"` becomes
/// `externalId eq "<what the create sends for the user named x>"`; a create that sends no value
/// for it gets one.
fn rematch(steps: &mut [Step], does: &[Does], cfg: &ProvisioningConfig) {
    for (k, default) in [(Kind::User, "userName"), (Kind::Group, "displayName")] {
        let Some(o) = object(cfg, k) else { continue };
        if same_attr(&o.matching, default) {
            continue;
        }
        let Some(target) = split_target(&o.matching) else {
            continue;
        };
        for i in 0..steps.len() {
            if does[i] != Does::Read || kind(&steps[i].request.path) != k {
                continue;
            }
            let Some(filter) = steps[i].request.query.get("filter").and_then(Value::as_str) else {
                continue;
            };
            let Some((attr, value)) = filter_eq(filter) else {
                continue;
            };
            if !same_attr(attr, default) {
                continue;
            }
            let value = value.to_string();
            // The create that sends this object.
            let Some(c) = (0..steps.len()).find(|&j| {
                does[j] == Does::Create
                    && kind(&steps[j].request.path) == k
                    && steps[j]
                        .request
                        .body
                        .as_ref()
                        .and_then(|b| b.get(default))
                        .and_then(Value::as_str)
                        == Some(value.as_str())
            }) else {
                continue;
            };
            let sent = steps[c]
                .request
                .body
                .as_ref()
                .and_then(|b| value_at(b, &target))
                .and_then(|v| v.as_str().map(str::to_string));
            let sent = match sent {
                Some(s) => s,
                None => {
                    let v = format!("{{{{run}}}}{}-{}", target.attr, steps[c].name);
                    if let Some(b) = steps[c].request.body.as_mut() {
                        set_at(b, &target, Value::String(v.clone()));
                    }
                    v
                }
            };
            let new = format!("{} eq \"{}\"", o.matching, sent.replace('"', "\\\""));
            steps[i]
                .request
                .query
                .insert("filter".into(), Value::String(new));
        }
    }
}

/// Attributes every write of a kind keeps whatever the mapping says (what makes the request a
/// request at all).
fn core_attr(k: Kind, name: &str) -> bool {
    let keep: &[&str] = match k {
        Kind::User => &["schemas", "id", "userName", "active"],
        Kind::Group => &["schemas", "id", "displayName", "members"],
        Kind::Other => &[],
    };
    keep.iter().any(|c| c.eq_ignore_ascii_case(name))
}

/// Whether the mapping covers a body member (`name`, or the URN of a mapped extension).
fn mapped_member(targets: &[Target], matching: Option<&Target>, member: &str) -> bool {
    targets.iter().chain(matching).any(|t| match &t.urn {
        Some(u) => u.eq_ignore_ascii_case(member),
        None => t.attr.eq_ignore_ascii_case(member),
    })
}

/// Within an extension object: keep only mapped attributes.
fn mapped_in_extension(targets: &[Target], urn: &str, attr: &str) -> bool {
    targets.iter().any(|t| {
        t.urn
            .as_deref()
            .is_some_and(|u| u.eq_ignore_ascii_case(urn))
            && t.attr.eq_ignore_ascii_case(attr)
    })
}

/// Leave out of a resource body what the mapping does not send.
fn only_mapped(body: &mut Value, k: Kind, targets: &[Target], matching: Option<&Target>) {
    let Some(m) = body.as_object_mut() else {
        return;
    };
    m.retain(|name, v| {
        if core_attr(k, name) {
            return true;
        }
        if !mapped_member(targets, matching, name) {
            return false;
        }
        if name.to_ascii_lowercase().starts_with("urn:")
            && let Some(ext) = v.as_object_mut()
        {
            ext.retain(|a, _| mapped_in_extension(targets, name, a));
        }
        true
    });
    if let Some(Value::Array(schemas)) = m.get("schemas").cloned() {
        let present: Vec<Value> = schemas
            .into_iter()
            .filter(|s| {
                s.as_str()
                    .is_none_or(|u| !u.contains(":extension:") || m.contains_key(u))
            })
            .collect();
        m.insert("schemas".into(), Value::Array(present));
    }
}

/// A value of the mapping's type: its example (on create), or one generated from the step.
fn value_for(m: &Mapping, t: &Target, step: &str, updated: bool) -> Option<Value> {
    let kind = m.kind.unwrap_or(AttrType::String);
    let example = m
        .example
        .as_ref()
        .and_then(|e| serde_json::to_value(e).ok());
    let leaf = t.sub.as_deref().unwrap_or(&t.attr);
    Some(match (kind, example, updated) {
        (AttrType::Reference, _, _) => return None,
        (_, Some(e), false) => e,
        (AttrType::Boolean, e, u) => {
            Value::Bool(e.as_ref().and_then(Value::as_bool).unwrap_or(true) ^ u)
        }
        (AttrType::Integer, e, u) => {
            Value::from(e.as_ref().and_then(Value::as_i64).unwrap_or(1000) + i64::from(u))
        }
        (AttrType::DateTime, _, false) => json!("2026-01-15T09:30:00Z"),
        (AttrType::DateTime, _, true) => json!("2026-02-20T16:45:00Z"),
        (AttrType::String, Some(Value::String(s)), true) => json!(format!("{s} (updated)")),
        (AttrType::String, _, u) => json!(generated_text(&t.attr, leaf, step, u)),
    })
}

/// A string a server that validates the attribute's meaning accepts: an address for emails, a
/// number for phones, a URL for URLs, a tag for locales; otherwise text unique to the run.
fn generated_text(attr: &str, leaf: &str, step: &str, updated: bool) -> String {
    let tail = if updated { "-updated" } else { "" };
    let is = |names: &[&str], n: &str| names.iter().any(|x| x.eq_ignore_ascii_case(n));
    if is(&["emails"], attr) {
        format!("{{{{run}}}}{step}{tail}@example.com")
    } else if is(&["phoneNumbers"], attr) {
        (if updated {
            "+1 555 0199"
        } else {
            "+1 555 0100"
        })
        .to_string()
    } else if is(&["profileUrl", "photos"], attr) || is(&["$ref"], leaf) {
        format!("https://example.com/{{{{run}}}}{step}{tail}")
    } else if is(&["locale"], attr) {
        (if updated { "en-GB" } else { "en-US" }).to_string()
    } else if is(&["preferredLanguage"], attr) {
        (if updated { "en-GB" } else { "en" }).to_string()
    } else if is(&["timezone"], attr) {
        (if updated {
            "Europe/Berlin"
        } else {
            "America/New_York"
        })
        .to_string()
    } else {
        format!("{{{{run}}}}{leaf}-{step}{tail}")
    }
}

/// The JSON pointer of a plain target (no value filter) and how to check it.
fn check_for(k: Kind, t: &Target, value: &Value) -> BodyCheck {
    let esc = |s: &str| s.replace('~', "~0").replace('/', "~1");
    let mut pointer = String::new();
    if let Some(u) = &t.urn {
        pointer.push('/');
        pointer.push_str(&esc(u));
    }
    pointer.push('/');
    pointer.push_str(&esc(&t.attr));
    let test = match &t.type_filter {
        Some(ty) => {
            let mut pattern = Map::new();
            pattern.insert("type".into(), Value::String(ty.clone()));
            pattern.insert(
                t.sub.clone().unwrap_or_else(|| "value".into()),
                value.clone(),
            );
            BodyTest::Includes(vec![Value::Object(pattern)])
        }
        None => {
            if let Some(s) = &t.sub {
                pointer.push('/');
                pointer.push_str(&esc(s));
            }
            BodyTest::Equals(value.clone())
        }
    };
    // Judged only for what the target declares: the attribute, or the sub-attribute a value
    // filter selects on (a server without `emails.type` cannot keep a "work" email apart).
    let core = match k {
        Kind::Group => crate::scim::schema::GROUP_SCHEMA,
        _ => crate::scim::schema::USER_SCHEMA,
    };
    let declared = match (&t.type_filter, &t.sub) {
        (Some(_), _) => format!("{}.type", t.attr),
        (None, Some(s)) => format!("{}.{s}", t.attr),
        (None, None) => t.attr.clone(),
    };
    BodyCheck {
        pointer,
        if_status: None,
        test,
        severity: None,
        if_declared: Some(format!("{}:{declared}", t.urn.as_deref().unwrap_or(core))),
    }
}

/// Whether a body check's pointer reads an attribute the mapping left out of the writes.
fn reads_unmapped(c: &BodyCheck, k: Kind, targets: &[Target], matching: Option<&Target>) -> bool {
    let segs: Vec<&str> = c.pointer.trim_start_matches('/').split('/').collect();
    // A resource read by id (`/attr/...`) or a list's (`/Resources/N/attr/...`).
    let first = match segs.as_slice() {
        ["Resources", _, a, ..] => *a,
        [a, ..] => *a,
        [] => return false,
    };
    let resource_attr = !matches!(
        first,
        "" | "Resources"
            | "totalResults"
            | "itemsPerPage"
            | "startIndex"
            | "schemas"
            | "meta"
            | "id"
            | "externalId"
            | "nextCursor"
            | "previousCursor"
            | "detail"
            | "status"
            | "scimType"
            | "groups"
    );
    resource_attr && !core_attr(k, first) && !mapped_member(targets, matching, first)
}

/// Why the read-back of the configured attributes matters.
const READ_BACK_WHY: &str = "The configuration maps these attributes and the IdP just sent new \
     values for them. RFC 7644 §3.5.1 (PUT): \"Any values provided SHALL replace the existing \
     attribute values\"; §3.5.2.3 (PATCH replace): values a value filter matches \"SHALL be \
     replaced\", and a target that does not exist yet SHALL be treated as an \"add\". A server \
     that answers 2xx and keeps the old values (or drops them) leaves the app out of step with \
     the directory, and the IdP does not send them again. Judged only for attributes the target \
     declares in /Schemas.";

/// Whether a body check reads one of `targets`.
fn reads_any(c: &BodyCheck, targets: &[Target]) -> bool {
    let segs: Vec<&str> = c.pointer.trim_start_matches('/').split('/').collect();
    let first = match segs.as_slice() {
        ["Resources", _, a, ..] => *a,
        [a, ..] => *a,
        [] => return false,
    };
    mapped_member(targets, None, first)
}

/// Creates and updates carry the mapped attributes; the profile's own attribute choices the
/// mapping does not make are left out, with the read-back checks that judged them.
fn map_attributes(
    steps: &mut Vec<Step>,
    does: &[Does],
    cfg: &ProvisioningConfig,
    left_out: &mut Vec<LeftOut>,
) {
    let mut remove: Vec<usize> = Vec::new();
    for k in [Kind::User, Kind::Group] {
        let Some(o) = object(cfg, k) else { continue };
        if o.mappings.is_empty() {
            continue;
        }
        let targets: Vec<(Target, &Mapping)> = o
            .mappings
            .iter()
            .filter_map(|m| split_target(&m.target).map(|t| (t, m)))
            .collect();
        let plain: Vec<Target> = targets.iter().map(|(t, _)| t.clone()).collect();
        let matching = split_target(&o.matching);
        // Attributes an update changes: not the matching one, not userName/displayName (a
        // rename would lose the object for the later lookups), not active, not references.
        let updatable: Vec<&(Target, &Mapping)> = targets
            .iter()
            .filter(|(t, m)| {
                !core_attr(k, &t.attr)
                    && matching.as_ref() != Some(t)
                    && m.kind != Some(AttrType::Reference)
            })
            .collect();
        let mut first_update: Option<usize> = None;
        let mut checks_for: Vec<(String, Vec<BodyCheck>)> = Vec::new();
        for i in 0..steps.len() {
            if kind(&steps[i].request.path) != k {
                continue;
            }
            let (method, scene) = (steps[i].request.method.clone(), harness(&steps[i]));
            if scene && does[i] != Does::Read {
                continue;
            }
            steps[i]
                .expect
                .body
                .retain(|c| !reads_unmapped(c, k, &plain, matching.as_ref()));
            match does[i] {
                Does::Create if method == "POST" => {
                    let name = steps[i].name.clone();
                    if let Some(b) = steps[i].request.body.as_mut() {
                        only_mapped(b, k, &plain, matching.as_ref());
                        for (t, m) in &targets {
                            if value_at(b, t).is_none()
                                && let Some(v) = value_for(m, t, &name, false)
                            {
                                set_at(b, t, v);
                            }
                        }
                    }
                }
                Does::Update => {
                    if first_update.is_some() || updatable.is_empty() {
                        // Later updates: only what the mapping sends; nothing left → left out.
                        let keeps = filter_update(&mut steps[i], k, &plain, matching.as_ref());
                        if !keeps {
                            left_out.push(LeftOut {
                                step: steps[i].name.clone(),
                                why: "changes only attributes the configuration does not map"
                                    .into(),
                            });
                            remove.push(i);
                        }
                        continue;
                    }
                    first_update = Some(i);
                    let name = steps[i].name.clone();
                    let values: Vec<(Target, Value)> = updatable
                        .iter()
                        .filter_map(|(t, m)| value_for(m, t, &name, true).map(|v| (t.clone(), v)))
                        .collect();
                    rewrite_update(&mut steps[i], k, &plain, matching.as_ref(), &values);
                    // Its own answer's checks expected the profile's values: the read-back
                    // judges the new ones.
                    let changed: Vec<Target> = values.iter().map(|(t, _)| t.clone()).collect();
                    steps[i]
                        .expect
                        .body
                        .retain(|c| !reads_unmapped(c, k, &[], None) || !reads_any(c, &changed));
                    let path = steps[i].request.path.clone();
                    let checks = values.iter().map(|(t, v)| check_for(k, t, v)).collect();
                    checks_for.push((path, checks));
                }
                Does::Read => {
                    // The read-back right after the rewritten update judges the mapped values.
                    let after_first = first_update
                        .is_some_and(|f| (f + 1..i).all(|j| does[j] == Does::Read) && f < i);
                    if after_first
                        && let Some((path, checks)) = checks_for.last()
                        && steps[i].request.path == *path
                    {
                        steps[i].expect.body = checks.clone();
                        steps[i].expect.why = READ_BACK_WHY.into();
                    }
                }
                _ => {}
            }
        }
    }
    // The reads right after a write left out read that write back: they go with it.
    remove.sort_unstable();
    remove.dedup();
    let mut with_reads = remove.clone();
    for &i in &remove {
        let path = steps[i].request.path.clone();
        for (j, s) in steps.iter().enumerate().skip(i + 1) {
            if does[j] != Does::Read || s.request.path != path {
                break;
            }
            left_out.push(LeftOut {
                step: s.name.clone(),
                why: "reads back a write left out".into(),
            });
            with_reads.push(j);
        }
    }
    with_reads.sort_unstable();
    with_reads.dedup();
    for i in with_reads.into_iter().rev() {
        steps.remove(i);
    }
}

/// The first update of a flow: the mapped attributes replaced with new values, in the step's
/// own dialect (PATCH op spelling; PUT of the resource).
fn rewrite_update(
    step: &mut Step,
    k: Kind,
    targets: &[Target],
    matching: Option<&Target>,
    values: &[(Target, Value)],
) {
    let method = step.request.method.clone();
    let Some(body) = step.request.body.as_mut() else {
        return;
    };
    if method == "PUT" {
        only_mapped(body, k, targets, matching);
        for (t, v) in values {
            set_at(body, t, v.clone());
        }
        return;
    }
    let op = body
        .get("Operations")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
        .and_then(|o| o.get("op"))
        .and_then(Value::as_str)
        .map_or("replace", |s| {
            if s.starts_with('R') {
                "Replace"
            } else {
                "replace"
            }
        })
        .to_string();
    let ops: Vec<Value> = values
        .iter()
        .map(|(t, v)| {
            let path = target_text(t);
            json!({"op": op, "path": path, "value": v})
        })
        .collect();
    if let Some(m) = body.as_object_mut() {
        m.insert("Operations".into(), Value::Array(ops));
    }
}

fn target_text(t: &Target) -> String {
    let mut s = String::new();
    if let Some(u) = &t.urn {
        s.push_str(u);
        s.push(':');
    }
    s.push_str(&t.attr);
    if let Some(ty) = &t.type_filter {
        s.push_str(&format!("[type eq \"{ty}\"]"));
    }
    if let Some(sub) = &t.sub {
        s.push('.');
        s.push_str(sub);
    }
    s
}

/// A later update keeps only its operations on mapped attributes; false when none is left.
fn filter_update(step: &mut Step, k: Kind, targets: &[Target], matching: Option<&Target>) -> bool {
    let method = step.request.method.clone();
    let Some(body) = step.request.body.as_mut() else {
        return true;
    };
    if method == "PUT" {
        only_mapped(body, k, targets, matching);
        return true;
    }
    let Some(ops) = body.get_mut("Operations").and_then(Value::as_array_mut) else {
        return true;
    };
    ops.retain(|op| match op.get("path").and_then(Value::as_str) {
        Some(p) => {
            let root = split_target(p).map(|t| t.urn.unwrap_or(t.attr));
            root.is_some_and(|r| core_attr(k, &r) || mapped_member(targets, matching, &r))
        }
        None => true,
    });
    for op in ops.iter_mut() {
        if op.get("path").is_none()
            && let Some(v) = op.get_mut("value")
        {
            only_mapped(v, k, targets, matching);
        }
    }
    ops.retain(|op| {
        op.get("path").is_some()
            || op
                .get("value")
                .and_then(Value::as_object)
                .is_some_and(|m| !m.is_empty())
    });
    !ops.is_empty()
}

#[cfg(test)]
mod tests;
