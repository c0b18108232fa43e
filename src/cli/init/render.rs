//! The starter configuration `scimtest init` writes: a commented TOML file in the format of
//! `scim::provisioning` (docs/design/provisioning-config.md), built from what a target declares
//! (`/ServiceProviderConfig`, `/ResourceTypes`, `/Schemas`) and one IdP's defaults. Pure: the
//! discovery documents come in, the text goes out. What could not be read is said in a comment
//! and a sensible fallback is written (no /Schemas: the IdP's default mapping as it is).

use super::defaults::{DefaultMapping, IdpDefaults};
use crate::certify::mapping::declaration;
use crate::scim::provisioning::target_path;
use serde_json::Value;

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";

/// What the target answered at its discovery endpoints; Err is a one-line reason (`answered
/// 500`, `did not answer: ...`).
#[derive(Debug, Clone)]
pub struct Discovery {
    /// `/ServiceProviderConfig`.
    pub spc: Result<Value, String>,
    /// The `/ResourceTypes` resources.
    pub resource_types: Result<Vec<Value>, String>,
    /// The `/Schemas` resources.
    pub schemas: Result<Vec<Value>, String>,
    /// Without a readable `/ResourceTypes`: whether `GET /Groups?count=1` answered 2xx.
    pub groups_answer: Option<bool>,
}

/// The header's facts.
#[derive(Debug, Clone)]
pub struct Header {
    /// The target as shown (no secrets), or a description of the embedded provider.
    pub target: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// The command line that made the file (no secrets).
    pub command: String,
}

/// The file and what is in it.
#[derive(Debug, Clone)]
pub struct Starter {
    /// The TOML text.
    pub text: String,
    /// Mappings written live.
    pub mapped: usize,
    /// Mappings written commented out.
    pub commented: usize,
}

/// One mapping to write.
#[derive(Debug, Clone)]
struct Entry {
    source: Option<String>,
    target: String,
    kind: Option<&'static str>,
}

/// The mappings of one schema (the core schema or an extension) of an object type.
#[derive(Debug, Default)]
struct SchemaPlan {
    /// The heading comment (extensions).
    heading: Vec<String>,
    on: Vec<Entry>,
    off: Vec<Entry>,
    /// Comments after the commented-out mappings.
    notes: Vec<String>,
}

/// How one object type's mappings come out.
#[derive(Debug, Default)]
struct ObjectPlan {
    schemas: Vec<SchemaPlan>,
    /// IdP defaults the server does not declare (left out).
    dropped: Vec<String>,
    /// Said before the mappings.
    notes: Vec<String>,
}

fn field<'a>(v: &'a Value, name: &str) -> Option<&'a Value> {
    v.as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

fn text<'a>(v: &'a Value, name: &str) -> Option<&'a str> {
    field(v, name).and_then(Value::as_str)
}

fn is(v: &Value, name: &str, want: &str) -> bool {
    text(v, name).is_some_and(|s| s.eq_ignore_ascii_case(want))
}

fn list<'a>(v: &'a Value, name: &str) -> &'a [Value] {
    field(v, name)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// `s` as comment lines of at most 92 columns.
fn comment_lines(s: &str) -> Vec<String> {
    crate::text::wrap(s, 90, "", 0)
        .into_iter()
        .map(|l| format!("# {l}"))
        .collect()
}

/// A TOML basic string.
fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The configuration's `type` word for a schema attribute type (none for complex, decimal,
/// binary: the format has no word for them).
fn kind_word(schema_type: Option<&str>) -> Option<&'static str> {
    match schema_type?.to_ascii_lowercase().as_str() {
        "string" => Some("string"),
        "boolean" => Some("boolean"),
        "integer" => Some("integer"),
        "datetime" => Some("dateTime"),
        "reference" => Some("reference"),
        _ => None,
    }
}

/// The type of a declared attribute as the configuration writes it: a whole complex
/// attribute that refers to a resource (`manager`, `members`) is a reference.
fn kind_of(decl: &Value) -> Option<&'static str> {
    let t = text(decl, "type");
    if t.is_some_and(|t| t.eq_ignore_ascii_case("complex")) {
        let refers = list(decl, "subAttributes")
            .iter()
            .any(|s| is(s, "name", "$ref") || is(s, "name", "value"))
            && ["manager", "members"].iter().any(|n| is(decl, "name", n));
        return refers.then_some("reference");
    }
    kind_word(t)
}

fn read_only(decl: &Value) -> bool {
    is(decl, "mutability", "readOnly")
}

/// `(urn, attr, sub)` of a target, lower-cased, for "covers".
fn key(target: &str) -> Option<(String, String, Option<String>)> {
    let p = target_path(target).ok()?;
    Some((
        p.urn.unwrap_or_default().to_ascii_lowercase(),
        p.attr.to_ascii_lowercase(),
        p.sub.map(|s| s.to_ascii_lowercase()),
    ))
}

/// Whether a live mapping `on` already writes `target` (the same attribute and sub-attribute,
/// whatever the `type` filter; a whole attribute covers its sub-attributes).
fn covered(on: &[Entry], target: &str) -> bool {
    let Some((u, a, s)) = key(target) else {
        return true;
    };
    on.iter().any(|e| {
        key(&e.target).is_some_and(|(eu, ea, es)| eu == u && ea == a && (es.is_none() || es == s))
    })
}

/// Attribute names never mapped: the server's own (`id`, `meta`, `groups`), `password` (no IdP
/// sends one by default), `schemas`.
const NEVER: [&str; 5] = ["id", "meta", "groups", "password", "schemas"];

/// The type value a starter picks for a typed multi-valued attribute.
fn pick_type(canon: &[String]) -> Option<String> {
    ["work", "other"]
        .iter()
        .find_map(|w| canon.iter().find(|c| c.eq_ignore_ascii_case(w)))
        .or(canon.first())
        .cloned()
}

/// The declared, writable attribute paths of a schema's attributes, `prefix` being `urn:` for
/// an extension: a simple attribute by name, a complex one by its sub-attributes, a typed
/// multi-valued one as `emails[type eq "work"].value` (one type; the others in `notes`), a
/// multi-valued one without type values named in `notes` only.
fn expand(attrs: &[Value], prefix: &str, live: &[Entry], notes: &mut Vec<String>) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut untyped: Vec<String> = Vec::new();
    let writable = |a: &Value| {
        !read_only(a)
            && !is(a, "type", "binary")
            && text(a, "name").is_some_and(|n| !NEVER.iter().any(|x| n.eq_ignore_ascii_case(x)))
    };
    for a in attrs.iter().filter(|a| writable(a)) {
        let Some(name) = text(a, "name") else {
            continue;
        };
        let complex = is(a, "type", "complex");
        let multi = field(a, "multiValued").and_then(Value::as_bool) == Some(true);
        let subs: Vec<&Value> = list(a, "subAttributes")
            .iter()
            .filter(|s| writable(s) && text(s, "name").is_some_and(|n| n != "$ref"))
            .collect();
        let mut push = |target: String, kind: Option<&'static str>| {
            if target_path(&target).is_ok() {
                out.push(Entry {
                    source: None,
                    target,
                    kind,
                });
            }
        };
        match (complex, multi) {
            (false, _) => push(format!("{prefix}{name}"), kind_word(text(a, "type"))),
            (true, false) => {
                for s in &subs {
                    if let Some(sn) = text(s, "name") {
                        push(format!("{prefix}{name}.{sn}"), kind_word(text(s, "type")));
                    }
                }
            }
            // A list of references (a group's members) is mapped whole.
            (true, true)
                if list(a, "subAttributes")
                    .iter()
                    .any(|s| is(s, "name", "$ref")) =>
            {
                push(format!("{prefix}{name}"), Some("reference"));
            }
            (true, true) => {
                let canon: Vec<String> = list(a, "subAttributes")
                    .iter()
                    .find(|s| is(s, "name", "type"))
                    .map(|t| {
                        list(t, "canonicalValues")
                            .iter()
                            .filter_map(|c| c.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default();
                let Some(ty) = pick_type(&canon) else {
                    untyped.push(name.to_string());
                    continue;
                };
                for s in &subs {
                    let Some(sn) = text(s, "name") else { continue };
                    if ["type", "primary", "display"]
                        .iter()
                        .any(|x| sn.eq_ignore_ascii_case(x))
                    {
                        continue;
                    }
                    push(
                        format!("{prefix}{name}[type eq {}].{sn}", quote(&ty)),
                        kind_word(text(s, "type")),
                    );
                }
                let others: Vec<&str> = canon
                    .iter()
                    .filter(|c| **c != ty)
                    .filter(|c| {
                        let typed = format!("{prefix}{name}[type eq {}]", quote(c));
                        !live.iter().any(|e| {
                            e.target
                                .to_ascii_lowercase()
                                .starts_with(&typed.to_ascii_lowercase())
                        })
                    })
                    .map(String::as_str)
                    .collect();
                if !others.is_empty() {
                    notes.push(format!(
                        "{prefix}{name} also takes type {} (copy a mapping above and change \
                         the type)",
                        others.join(", ")
                    ));
                }
            }
        }
    }
    if !untyped.is_empty() {
        notes.push(format!(
            "also declared, multi-valued without type values (map them with a filter of your \
             own): {}",
            untyped
                .iter()
                .map(|n| format!("{prefix}{n}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    out
}

fn find_schema<'a>(schemas: &'a [Value], urn: &str) -> Option<&'a Value> {
    schemas.iter().find(|s| is(s, "id", urn))
}

/// Plan one object type: its core schema `core` and `extensions`, against `schemas` (None:
/// /Schemas could not be read), with the IdP's `defaults`.
fn plan(
    core: &str,
    extensions: &[String],
    schemas: Option<&[Value]>,
    defaults: &[DefaultMapping],
    idp: &str,
) -> ObjectPlan {
    let mut p = ObjectPlan::default();
    let Some(schemas) = schemas.filter(|s| find_schema(s, core).is_some()) else {
        // Nothing to judge the defaults by: written as the IdP has them.
        p.notes.push(if schemas.is_some() {
            format!(
                "/Schemas does not define {core}: {idp}'s default mapping is written as it is; \
                 check every target against your schema."
            )
        } else {
            format!(
                "/Schemas could not be read: {idp}'s default mapping is written as it is; check \
                 every target against your schema."
            )
        });
        p.schemas.push(SchemaPlan {
            on: defaults
                .iter()
                .map(|d| Entry {
                    source: d.source.clone(),
                    target: d.target.clone(),
                    kind: None,
                })
                .collect(),
            ..SchemaPlan::default()
        });
        return p;
    };
    // Each schema: the IdP's defaults that land in it (declared, writable), then what else it
    // declares.
    let mut urns: Vec<Option<&str>> = vec![None];
    urns.extend(extensions.iter().map(|u| Some(u.as_str())));
    for urn in urns {
        let mut sp = SchemaPlan::default();
        let schema = find_schema(schemas, urn.unwrap_or(core));
        if let Some(u) = urn {
            match schema {
                Some(_) => sp.heading.push(format!("Extension {u}")),
                None => {
                    sp.heading.push(format!(
                        "Extension {u}: listed in /ResourceTypes, but /Schemas does not define \
                         it, so its attributes cannot be mapped (an up-front check refuses \
                         targets the server does not declare)."
                    ));
                }
            }
        }
        for d in defaults {
            let Ok(path) = target_path(&d.target) else {
                continue;
            };
            let in_this = match (&path.urn, urn) {
                (None, None) => true,
                (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
                _ => false,
            };
            if !in_this {
                continue;
            }
            // externalId is a common attribute (RFC 7643 §3.1): on every resource, listed in a
            // schema or not.
            let common = urn.is_none() && path.sub.is_none() && path.attr == "externalId";
            let decl = declaration(schemas, core, &d.target);
            let writable = decl.is_some_and(|d| !read_only(d));
            if !(writable || (common && decl.is_none())) {
                p.dropped.push(d.target.clone());
                continue;
            }
            sp.on.push(Entry {
                source: d.source.clone(),
                target: d.target.clone(),
                kind: decl.map_or(Some("string"), kind_of),
            });
        }
        if let Some(schema) = schema {
            let prefix = urn.map(|u| format!("{u}:")).unwrap_or_default();
            let mut notes = Vec::new();
            let mut all = expand(list(schema, "attributes"), &prefix, &sp.on, &mut notes);
            if urn.is_none()
                && !all
                    .iter()
                    .any(|e| e.target.eq_ignore_ascii_case("externalId"))
            {
                all.insert(
                    1.min(all.len()),
                    Entry {
                        source: None,
                        target: "externalId".into(),
                        kind: Some("string"),
                    },
                );
            }
            sp.off = all
                .into_iter()
                .filter(|e| !covered(&sp.on, &e.target))
                .collect();
            sp.notes = notes;
        }
        p.schemas.push(sp);
    }
    // Extensions an IdP default names that the resource type does not list.
    for d in defaults {
        if let Ok(path) = target_path(&d.target)
            && let Some(u) = &path.urn
            && !extensions.iter().any(|e| e.eq_ignore_ascii_case(u))
            && !p.dropped.contains(&d.target)
        {
            p.dropped.push(d.target.clone());
        }
    }
    p
}

/// The resource type for `core` (by its schema, else by name or endpoint).
fn resource_type<'a>(rts: &'a [Value], core: &str, name: &str) -> Option<&'a Value> {
    rts.iter().find(|r| is(r, "schema", core)).or_else(|| {
        rts.iter().find(|r| {
            is(r, "name", name)
                || text(r, "endpoint").is_some_and(|e| {
                    e.trim_end_matches('/')
                        .rsplit('/')
                        .next()
                        .is_some_and(|last| last.eq_ignore_ascii_case(&format!("{name}s")))
                })
        })
    })
}

fn extensions_of(rt: &Value) -> Vec<String> {
    list(rt, "schemaExtensions")
        .iter()
        .filter_map(|e| text(e, "schema").map(str::to_string))
        .collect()
}

/// Extensions guessed from /Schemas when /ResourceTypes could not be read: every schema that
/// is not a core one and whose URN ends in `User` (or `Group`).
fn guessed_extensions(schemas: &[Value], suffix: &str) -> Vec<String> {
    schemas
        .iter()
        .filter_map(|s| text(s, "id"))
        .filter(|id| {
            !id.to_ascii_lowercase()
                .starts_with("urn:ietf:params:scim:schemas:core:")
                && id.to_ascii_lowercase().ends_with(&format!(":{suffix}"))
        })
        .map(str::to_string)
        .collect()
}

/// Write the starter configuration.
pub fn render(d: &Discovery, idp: &IdpDefaults, h: &Header) -> Starter {
    let label = idp.label;
    let schemas = d.schemas.as_ref().ok().map(Vec::as_slice);
    let mut o = String::new();
    let mut line = |s: &str| {
        o.push_str(s);
        o.push('\n');
    };
    let intro = format!(
        "scimtest provisioning configuration: a starter for {label}, written by `scimtest \
         init` from what {} declares (/ServiceProviderConfig, /ResourceTypes, /Schemas) on {}.",
        h.target, h.date
    );
    for l in comment_lines(&intro) {
        line(&l);
    }
    line(&format!("#   {}", h.command));
    line("#");
    for l in comment_lines(
        "Edit it to match the setup guide you give your customers (actions, deprovision, \
         matching, scope, the mappings they use), then replay the IdP's provisioning as \
         configured:",
    ) {
        line(&l);
    }
    line("#   scimtest replay --config FILE --target URL --token TOKEN");
    for l in comment_lines(
        "Attributes the server declares that the IdP does not map by default are commented \
         out: uncomment the ones your customers map, and give each a source.",
    ) {
        line(&l);
    }

    // What could not be read, and what the SPC rules out.
    let mut warnings: Vec<String> = Vec::new();
    for (what, r) in [
        ("/ServiceProviderConfig", d.spc.as_ref().err()),
        ("/ResourceTypes", d.resource_types.as_ref().err()),
        ("/Schemas", d.schemas.as_ref().err()),
    ] {
        if let Some(why) = r {
            warnings.push(format!("Could not read {what}: {why}."));
        }
    }
    if let Ok(spc) = &d.spc {
        let unsupported = |feature: &str| {
            field(spc, feature)
                .and_then(|f| field(f, "supported"))
                .and_then(Value::as_bool)
                == Some(false)
        };
        if unsupported("patch") {
            let flows = if idp.patch_flows.is_empty() {
                format!("none of {label}'s replay flows send PATCH.")
            } else {
                format!(
                    "these {label} flows send PATCH and cannot run against it: {}. (Entra and \
                     Okta's OIN apps update users and groups with PATCH only.)",
                    idp.patch_flows.join("; ")
                )
            };
            warnings.push(format!(
                "/ServiceProviderConfig says patch.supported = false: {flows}"
            ));
        }
        if unsupported("filter") {
            warnings.push(format!(
                "/ServiceProviderConfig says filter.supported = false: {label} finds existing \
                 objects with GET /Users?filter=<matching> eq \"…\", which then cannot work."
            ));
        }
    }
    if !warnings.is_empty() {
        line("#");
        for w in &warnings {
            for l in comment_lines(w) {
                line(&l);
            }
        }
    }
    line("");
    line("format_version = 1");
    line(&format!("idp = {}", quote(&idp.idp)));

    // Which object types, and their extensions.
    let rts = d.resource_types.as_ref().ok();
    let user_rt = rts.and_then(|r| resource_type(r, USER, "User"));
    let group_rt = rts.and_then(|r| resource_type(r, GROUP, "Group"));
    let (user_ext, group_ext) = match (rts, schemas) {
        (Some(_), _) => (
            user_rt.map(extensions_of).unwrap_or_default(),
            group_rt.map(extensions_of).unwrap_or_default(),
        ),
        (None, Some(s)) => (
            guessed_extensions(s, "User"),
            guessed_extensions(s, "Group"),
        ),
        (None, None) => (Vec::new(), Vec::new()),
    };
    let groups = match rts {
        Some(_) => group_rt.is_some(),
        None => d.groups_answer.unwrap_or(true),
    };
    let mut mapped = 0;
    let mut commented = 0;

    line("");
    if rts.is_some() && user_rt.is_none() {
        line(
            "# /ResourceTypes lists no User resource type; users are written from the User schema.",
        );
    }
    if rts.is_none() && !user_ext.is_empty() {
        line("# Extensions guessed from /Schemas (/ResourceTypes could not be read).");
    }
    line("[users]");
    line("provision = true");
    let kv = |key_value: String, comment: &str| format!("{key_value:<41} # {comment}");
    line(&kv(
        "actions = [\"create\", \"update\", \"delete\"]".into(),
        "leave one out to switch it off",
    ));
    line(&kv(
        format!("deprovision = {}", quote(idp.deprovision)),
        &format!(
            "{label}'s replay flows: {}",
            match idp.deprovision {
                "both" => "active=false first, DELETE later",
                "delete" => "DELETE",
                _ => "active=false (PATCH/PUT)",
            }
        ),
    ));
    line(&kv(
        "matching = \"userName\"".into(),
        "the attribute existing users are found by",
    ));
    line(&kv(
        "# scope = { group = \"App Users\" }".into(),
        "only members of this group are provisioned",
    ));
    let users = plan(USER, &user_ext, schemas, &idp.user, label);
    let (m, c) = write_object(&mut o, "users", &users, label);
    mapped += m;
    commented += c;

    o.push('\n');
    if groups {
        if rts.is_none() {
            o.push_str(
                "# Groups: /ResourceTypes could not be read; GET /Groups answered, so groups are \
                 provisioned.\n",
            );
        }
        o.push_str("[groups]\nprovision = true\n");
        o.push_str("actions = [\"create\", \"update\", \"delete\"]\n");
        o.push_str("matching = \"displayName\"\n");
        if idp.idp == "okta" {
            o.push_str("# push = [\"Engineering\"]   # Group Push of these groups only\n");
        }
        let groups = plan(GROUP, &group_ext, schemas, &idp.group, label);
        let (m, c) = write_object(&mut o, "groups", &groups, label);
        mapped += m;
        commented += c;
    } else {
        if rts.is_some() {
            o.push_str(
                "# The server has no Group resource type (/ResourceTypes lists none): users \
                 only.\n",
            );
        } else {
            o.push_str(
                "# /ResourceTypes could not be read and GET /Groups did not answer 2xx: users \
                 only.\n",
            );
        }
        o.push_str("[groups]\nprovision = false\n");
    }
    Starter {
        text: o,
        mapped,
        commented,
    }
}

/// The mappings of one object type; (live, commented out).
fn write_object(o: &mut String, table: &str, p: &ObjectPlan, label: &str) -> (usize, usize) {
    let (mut on, mut off) = (0, 0);
    let comment = |o: &mut String, s: &str| {
        for l in comment_lines(s) {
            o.push_str(&l);
            o.push('\n');
        }
    };
    for n in &p.notes {
        o.push('\n');
        comment(o, n);
    }
    if !p.dropped.is_empty() {
        o.push('\n');
        comment(
            o,
            &format!(
                "{label}'s default mapping also has {}; the server does not declare them \
                 (writable), so they are left out: remove them from the app's attribute mapping \
                 in {label} too.",
                p.dropped.join(", ")
            ),
        );
    }
    for sp in &p.schemas {
        if !sp.heading.is_empty() {
            o.push('\n');
            for h in &sp.heading {
                comment(o, h);
            }
        }
        for e in &sp.on {
            o.push('\n');
            o.push_str(&format!("[[{table}.mapping]]\n"));
            if let Some(s) = &e.source {
                o.push_str(&format!("source = {}\n", quote(s)));
            }
            o.push_str(&format!("target = {}\n", quote(&e.target)));
            if let Some(k) = e.kind {
                o.push_str(&format!("type = {}\n", quote(k)));
            }
            on += 1;
        }
        for e in &sp.off {
            o.push('\n');
            o.push_str(&format!(
                "# [[{table}.mapping]]   # declared by the server; not in {label}'s default \
                 mapping\n"
            ));
            o.push_str(&format!("# target = {}\n", quote(&e.target)));
            if let Some(k) = e.kind {
                o.push_str(&format!("# type = {}\n", quote(k)));
            }
            off += 1;
        }
        if !sp.notes.is_empty() {
            o.push('\n');
            for n in &sp.notes {
                comment(o, n);
            }
        }
    }
    (on, off)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::provisioning::{self, ObjectKind};

    fn rfc_schemas() -> Vec<Value> {
        let read = |t: &str| -> Value { serde_json::from_str(t).unwrap_or_else(|e| panic!("{e}")) };
        vec![
            read(include_str!("../../scim/schemas/user.json")),
            read(include_str!("../../scim/schemas/group.json")),
            read(include_str!("../../scim/schemas/enterprise_user.json")),
        ]
    }

    fn rts(groups: bool) -> Vec<Value> {
        let mut v = vec![serde_json::json!({
            "name": "User", "endpoint": "/Users", "schema": USER,
            "schemaExtensions": [{"schema": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "required": false}]
        })];
        if groups {
            v.push(serde_json::json!({"name": "Group", "endpoint": "/Groups", "schema": GROUP}));
        }
        v
    }

    fn defaults(idp: &str) -> IdpDefaults {
        let fx = crate::replay::fixture::embedded().unwrap_or_else(|e| panic!("{e}"));
        super::super::defaults::of(idp, &fx).unwrap_or_else(|| panic!("{idp}"))
    }

    fn header() -> Header {
        Header {
            target: "https://app.example.com/scim/v2".into(),
            date: "2026-12-05".into(),
            command: "scimtest init --target https://app.example.com/scim/v2".into(),
        }
    }

    fn discovery(spc: Value, groups: bool) -> Discovery {
        Discovery {
            spc: Ok(spc),
            resource_types: Ok(rts(groups)),
            schemas: Ok(rfc_schemas()),
            groups_answer: None,
        }
    }

    /// Every mapping uncommented: the file a vendor gets after uncommenting everything.
    fn uncommented(text: &str) -> String {
        text.lines()
            .map(|l| {
                let t = l.strip_prefix("# ").unwrap_or(l);
                if t.starts_with("[[") || t.starts_with("target =") || t.starts_with("type =") {
                    t.to_string()
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn declares(
        schemas: &[Value],
    ) -> impl Fn(ObjectKind, Option<&str>, &str, Option<&str>) -> bool {
        move |kind, urn, attr, sub| {
            let core = match kind {
                ObjectKind::User => USER,
                ObjectKind::Group => GROUP,
            };
            if urn.is_none() && sub.is_none() && attr.eq_ignore_ascii_case("externalId") {
                return true;
            }
            let Some(s) = find_schema(schemas, urn.unwrap_or(core)) else {
                return false;
            };
            let Some(a) = list(s, "attributes").iter().find(|a| is(a, "name", attr)) else {
                return false;
            };
            sub.is_none_or(|sub| list(a, "subAttributes").iter().any(|x| is(x, "name", sub)))
        }
    }

    #[test]
    fn an_rfc_server_gets_entra_defaults_live_and_the_rest_commented() {
        let s = render(
            &discovery(serde_json::json!({"patch": {"supported": true}}), true),
            &defaults("entra"),
            &header(),
        );
        let c = provisioning::parse(&s.text).unwrap_or_else(|e| panic!("{e}\n{}", s.text));
        assert_eq!(c.idp.as_deref(), Some("entra"));
        assert!(c.groups.provision);
        let targets: Vec<&str> = c.users.mappings.iter().map(|m| m.target.as_str()).collect();
        assert!(targets.contains(&"title") && targets.contains(&"name.givenName"));
        assert!(
            targets
                .iter()
                .any(|t| t.ends_with("enterprise:2.0:User:department"))
        );
        assert!(s.text.contains("# target = \"nickName\""), "{}", s.text);
        assert!(
            !s.text.contains("password") && !s.text.contains("\"groups"),
            "{}",
            s.text
        );
        assert!(!s.text.contains("patch.supported"), "{}", s.text);
        assert!(
            s.mapped >= 15 && s.commented > 5,
            "{} {}",
            s.mapped,
            s.commented
        );
        let all = provisioning::parse(&uncommented(&s.text)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            all.users.mappings.len() + all.groups.mappings.len(),
            s.mapped + s.commented
        );
        let bad = provisioning::undeclared(&all, declares(&rfc_schemas()));
        assert!(bad.is_empty(), "{bad:?}");
    }

    #[test]
    fn no_patch_names_the_flows_that_cannot_run() {
        let s = render(
            &discovery(serde_json::json!({"patch": {"supported": false}}), false),
            &defaults("okta"),
            &header(),
        );
        assert!(s.text.contains("patch.supported = false"), "{}", s.text);
        assert!(
            s.text.contains("oin (") && s.text.contains("group-push ("),
            "{}",
            s.text
        );
        let c = provisioning::parse(&s.text).unwrap_or_else(|e| panic!("{e}"));
        assert!(!c.groups.provision);
        assert!(s.text.contains("no Group resource type"), "{}", s.text);
    }

    #[test]
    fn unreadable_discovery_is_said_and_falls_back() {
        let d = Discovery {
            spc: Err("answered 500".into()),
            resource_types: Err("answered 404".into()),
            schemas: Err("answered 200 with a body that is not JSON".into()),
            groups_answer: Some(false),
        };
        let s = render(&d, &defaults("entra"), &header());
        for what in [
            "/ServiceProviderConfig: answered 500",
            "/ResourceTypes: answered 404",
        ] {
            assert!(s.text.contains(what), "{what}: {}", s.text);
        }
        assert!(s.text.contains("/Schemas could not be read"), "{}", s.text);
        let c = provisioning::parse(&s.text).unwrap_or_else(|e| panic!("{e}\n{}", s.text));
        assert!(!c.groups.provision);
        assert_eq!(c.users.mappings.len(), defaults("entra").user.len());
        assert_eq!(s.commented, 0);
    }

    #[test]
    fn an_extension_missing_from_schemas_is_said_and_its_defaults_left_out() {
        let mut d = discovery(serde_json::json!({}), true);
        d.schemas = Ok(rfc_schemas().into_iter().take(2).collect());
        let s = render(&d, &defaults("entra"), &header());
        assert!(s.text.contains("/Schemas does not define"), "{}", s.text);
        let c = provisioning::parse(&s.text).unwrap_or_else(|e| panic!("{e}\n{}", s.text));
        assert!(
            !c.users
                .mappings
                .iter()
                .any(|m| m.target.starts_with("urn:"))
        );
        assert!(s.text.contains("left out"), "{}", s.text);
    }

    #[test]
    fn quoting_is_toml() {
        assert_eq!(quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
        let v: toml::Value =
            toml::from_str(&format!("x = {}", quote("é\u{1}\""))).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(v["x"].as_str(), Some("é\u{1}\""));
    }
}
