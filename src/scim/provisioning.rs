//! The provisioning configuration: an IdP's setup as a vendor documents it (which object types
//! are provisioned, the target object actions, the matching attribute, soft delete or delete,
//! the attribute mappings, scoping), parsed from TOML with the line of every mistake, and the
//! mapping targets a target's schemas do not declare. Pure: no I/O. The design is
//! docs/design/provisioning-config.md. certify's `--mapping` files (top-level `[[user]]` /
//! `[[group]]` tables) are read as a configuration with everything provisioned.

use crate::scim::path::AttrPath;
use serde::Deserialize;
use toml::Spanned;

/// A mistake in a configuration file, at its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// 1-based line (0: the file as a whole).
    pub line: usize,
    /// What is wrong, one line.
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            f.write_str(&self.message)
        } else {
            write!(f, "line {}: {}", self.line, self.message)
        }
    }
}

/// A target object action (Entra's checkboxes; Okta's "Create/Update/Deactivate Users").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Create the object (POST).
    Create,
    /// Update its attributes (PATCH/PUT).
    Update,
    /// Take it away: a soft delete or a DELETE, as [`Deprovision`] says.
    Delete,
}

/// What "delete" means for users.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Deprovision {
    /// `active` set to false (Okta's deactivate, Entra's soft delete).
    SoftDelete,
    /// DELETE.
    Delete,
    /// A soft delete first, a DELETE later (Entra with Delete ticked).
    #[default]
    Both,
}

/// The type of a mapped target attribute (the same words as certify's mapping files).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AttrType {
    /// A string.
    String,
    /// A boolean.
    Boolean,
    /// An integer.
    Integer,
    /// An xsd:dateTime.
    DateTime,
    /// A reference to another resource (`manager`, `members`).
    Reference,
}

/// One attribute mapping: an IdP source to a SCIM target path.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapping {
    /// The IdP's source attribute or expression, if given.
    pub source: Option<String>,
    /// The SCIM target path (`name.givenName`, `emails[type eq "work"].value`, a URN-qualified
    /// extension attribute).
    pub target: String,
    /// Its type, if given.
    pub kind: Option<AttrType>,
    /// The value a step sends, if given.
    pub example: Option<toml::Value>,
    /// The line of the mapping in the file.
    pub line: usize,
}

/// How one object type (users or groups) is provisioned.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectConfig {
    /// Whether the IdP provisions this object type at all.
    pub provision: bool,
    /// The target object actions switched on.
    pub actions: Vec<Action>,
    /// What a delete is (users).
    pub deprovision: Deprovision,
    /// The attribute the IdP matches existing objects on.
    pub matching: String,
    /// Only members of this group are provisioned (users).
    pub scope_group: Option<String>,
    /// Only these groups are pushed (groups).
    pub push: Vec<String>,
    /// The attribute mappings.
    pub mappings: Vec<Mapping>,
}

impl ObjectConfig {
    /// Whether `action` is switched on (and the object type provisioned).
    pub fn allows(&self, action: Action) -> bool {
        self.provision && self.actions.contains(&action)
    }

    fn everything(matching: &str) -> ObjectConfig {
        ObjectConfig {
            provision: true,
            actions: vec![Action::Create, Action::Update, Action::Delete],
            deprovision: Deprovision::default(),
            matching: matching.to_string(),
            scope_group: None,
            push: Vec::new(),
            mappings: Vec::new(),
        }
    }
}

/// A provisioning configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct ProvisioningConfig {
    /// The IdP whose replay profiles it shapes (`entra`, `okta`, ...), if named.
    pub idp: Option<String>,
    /// Users.
    pub users: ObjectConfig,
    /// Groups.
    pub groups: ObjectConfig,
}

/// The configuration format's version this build reads.
pub const FORMAT_VERSION: i64 = 1;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    format_version: Option<Spanned<i64>>,
    idp: Option<String>,
    users: Option<RawObject>,
    groups: Option<RawObject>,
    /// certify's mapping files.
    #[serde(default)]
    user: Vec<Spanned<RawMapping>>,
    #[serde(default)]
    group: Vec<Spanned<RawMapping>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawObject {
    provision: Option<bool>,
    actions: Option<Vec<Action>>,
    deprovision: Option<Deprovision>,
    matching: Option<Spanned<String>>,
    scope: Option<RawScope>,
    #[serde(default)]
    push: Vec<String>,
    #[serde(default)]
    mapping: Vec<Spanned<RawMapping>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScope {
    group: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMapping {
    source: Option<String>,
    target: String,
    #[serde(rename = "type")]
    kind: Option<AttrType>,
    example: Option<toml::Value>,
}

/// The 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset.min(text.len()))
        .map_or(1, |t| t.bytes().filter(|b| *b == b'\n').count() + 1)
}

/// Parse a configuration file's text.
pub fn parse(text: &str) -> Result<ProvisioningConfig, ConfigError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| ConfigError {
        line: e.span().map_or(0, |s| line_of(text, s.start)),
        message: e.message().trim_end().to_string(),
    })?;
    if let Some(v) = &raw.format_version
        && *v.get_ref() != FORMAT_VERSION
    {
        return Err(ConfigError {
            line: line_of(text, v.span().start),
            message: format!(
                "format_version {} is not one this scimtest reads (it reads {FORMAT_VERSION})",
                v.get_ref()
            ),
        });
    }
    let legacy = !raw.user.is_empty() || !raw.group.is_empty();
    if legacy && (raw.users.is_some() || raw.groups.is_some()) {
        let at = raw
            .user
            .first()
            .or(raw.group.first())
            .map_or(0, |m| m.span().start);
        return Err(ConfigError {
            line: line_of(text, at),
            message: "[[user]]/[[group]] (a certify mapping file) and [users]/[groups] in one \
                      file: write the mappings as [[users.mapping]] / [[groups.mapping]]"
                .into(),
        });
    }
    let users = object(text, raw.users, "userName", raw.user)?;
    let groups = object(text, raw.groups, "displayName", raw.group)?;
    Ok(ProvisioningConfig {
        idp: raw.idp,
        users,
        groups,
    })
}

fn object(
    text: &str,
    raw: Option<RawObject>,
    default_matching: &str,
    legacy: Vec<Spanned<RawMapping>>,
) -> Result<ObjectConfig, ConfigError> {
    let mut o = ObjectConfig::everything(default_matching);
    let mapping = |m: Spanned<RawMapping>| {
        let line = line_of(text, m.span().start);
        let m = m.into_inner();
        Mapping {
            source: m.source,
            target: m.target.trim().to_string(),
            kind: m.kind,
            example: m.example,
            line,
        }
    };
    o.mappings = legacy.into_iter().map(mapping).collect();
    check_targets(&o.mappings)?;
    let Some(raw) = raw else {
        return Ok(o);
    };
    if let Some(p) = raw.provision {
        o.provision = p;
    }
    if let Some(mut a) = raw.actions {
        a.sort();
        a.dedup();
        o.actions = a;
    }
    if let Some(d) = raw.deprovision {
        o.deprovision = d;
    }
    if let Some(m) = raw.matching {
        if m.get_ref().trim().is_empty() {
            return Err(ConfigError {
                line: line_of(text, m.span().start),
                message: "matching must name an attribute (userName, externalId, ...)".into(),
            });
        }
        o.matching = m.into_inner().trim().to_string();
    }
    o.scope_group = raw.scope.map(|s| s.group);
    o.push = raw.push;
    o.mappings = raw.mapping.into_iter().map(mapping).collect();
    check_targets(&o.mappings)?;
    Ok(o)
}

/// Every mapping's target is an attribute path.
fn check_targets(mappings: &[Mapping]) -> Result<(), ConfigError> {
    for m in mappings {
        target_path(&m.target).map_err(|message| ConfigError {
            line: m.line,
            message,
        })?;
    }
    Ok(())
}

/// The attribute a mapping target names, its value filter left out: `emails[type eq
/// "work"].value` → `emails.value`; a URN-qualified extension attribute keeps its URN. Err is a
/// one-line reason.
pub fn target_path(target: &str) -> Result<AttrPath, String> {
    let plain = match (target.find('['), target.rfind(']')) {
        (Some(i), Some(j)) if i < j => format!("{}{}", &target[..i], &target[j + 1..]),
        (None, None) => target.to_string(),
        _ => return Err(format!("`{target}`: an unbalanced '[' ']'")),
    };
    AttrPath::parse(&plain).map_err(|e| format!("`{target}` is not an attribute path: {}", e.msg))
}

/// Users or groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    /// Users.
    User,
    /// Groups.
    Group,
}

/// Every mapping whose target the server does not declare, as one line each ("line 12: mapping
/// `title` → the server's User schema has no `title`"), before anything is sent. `declares(kind,
/// urn, attribute, sub_attribute)` answers from the target's /Schemas and /ResourceTypes.
pub fn undeclared(
    config: &ProvisioningConfig,
    declares: impl Fn(ObjectKind, Option<&str>, &str, Option<&str>) -> bool,
) -> Vec<String> {
    let mut out = Vec::new();
    for (kind, o, name) in [
        (ObjectKind::User, &config.users, "User"),
        (ObjectKind::Group, &config.groups, "Group"),
    ] {
        if !o.provision {
            continue;
        }
        for m in &o.mappings {
            // Parsed when the file was read; a configuration built otherwise may hold anything.
            let Ok(p) = target_path(&m.target) else {
                out.push(format!(
                    "line {}: `{}` is not an attribute path",
                    m.line, m.target
                ));
                continue;
            };
            let (urn, attr, sub) = (p.urn.as_deref(), p.attr.as_str(), p.sub.as_deref());
            if declares(kind, urn, attr, sub) {
                continue;
            }
            let whose = match urn {
                Some(u) => format!("schema {u}"),
                None => format!("{name} schema"),
            };
            let what = match sub {
                Some(s) => format!("{attr}.{s}"),
                None => attr.to_string(),
            };
            out.push(format!(
                "line {}: mapping `{}` → the server's {whose} has no `{what}`",
                m.line, m.target
            ));
        }
    }
    out
}

/// What a target declares, read from its `/Schemas` and `/ResourceTypes` answers, as the
/// `declares` closure [`undeclared`] takes: `declared_by(&schemas, &resource_types)`. Each
/// document is the list response as served (`{"Resources": [...]}`) or a bare array.
///
/// A core attribute is declared when the resource type's core schema (the standard User or Group
/// URN when /ResourceTypes does not say) lists it; an extension attribute when its URN is one of
/// the resource type's `schemaExtensions` (any schema /Schemas lists when /ResourceTypes lists no
/// such resource type) and that schema lists it; a sub-attribute when its attribute lists it in
/// `subAttributes` (or declares no sub-attributes at all). Attribute names compare
/// case-insensitively (RFC 7643 §2.1). The common attributes `id`, `externalId`, `meta` and
/// `schemas` are always declared (RFC 7643 §3.1). A `/Schemas` that lists nothing cannot be
/// judged: everything then counts as declared, so no mistake is reported that the target did not
/// make.
pub fn declared_by(
    schemas: &serde_json::Value,
    resource_types: &serde_json::Value,
) -> impl Fn(ObjectKind, Option<&str>, &str, Option<&str>) -> bool + use<> {
    let declared = Declared::read(schemas, resource_types);
    move |kind: ObjectKind, urn: Option<&str>, attr: &str, sub: Option<&str>| {
        declared.declares(kind, urn, attr, sub)
    }
}

/// The standard core schema URN of an object kind.
fn core_urn(kind: ObjectKind) -> &'static str {
    match kind {
        ObjectKind::User => "urn:ietf:params:scim:schemas:core:2.0:User",
        ObjectKind::Group => "urn:ietf:params:scim:schemas:core:2.0:Group",
    }
}

/// One resource type as /ResourceTypes declares it.
struct TypeDecl {
    core: String,
    extensions: Vec<String>,
}

/// The parts of /Schemas and /ResourceTypes [`declared_by`] reads.
struct Declared {
    schemas: Vec<serde_json::Value>,
    user: Option<TypeDecl>,
    group: Option<TypeDecl>,
}

fn resources(doc: &serde_json::Value) -> Vec<serde_json::Value> {
    doc.get("Resources")
        .and_then(|r| r.as_array())
        .or_else(|| doc.as_array())
        .cloned()
        .unwrap_or_default()
}

fn named<'a>(list: &'a [serde_json::Value], name: &str) -> Option<&'a serde_json::Value> {
    list.iter().find(|a| {
        a.get("name")
            .and_then(|n| n.as_str())
            .is_some_and(|n| n.eq_ignore_ascii_case(name))
    })
}

impl Declared {
    fn read(schemas: &serde_json::Value, resource_types: &serde_json::Value) -> Declared {
        let types = resources(resource_types);
        let find = |kind: ObjectKind| -> Option<TypeDecl> {
            let (name, endpoint) = match kind {
                ObjectKind::User => ("User", "/Users"),
                ObjectKind::Group => ("Group", "/Groups"),
            };
            let t = types.iter().find(|t| {
                let is = |k: &str, v: &str| {
                    t.get(k)
                        .and_then(|x| x.as_str())
                        .is_some_and(|x| x.eq_ignore_ascii_case(v))
                };
                is("name", name) || is("endpoint", endpoint) || is("schema", core_urn(kind))
            })?;
            let core = t
                .get("schema")
                .and_then(|s| s.as_str())
                .unwrap_or(core_urn(kind))
                .to_string();
            let extensions = t
                .get("schemaExtensions")
                .and_then(|e| e.as_array())
                .into_iter()
                .flatten()
                .filter_map(|e| e.get("schema").and_then(|s| s.as_str()))
                .map(str::to_string)
                .collect();
            Some(TypeDecl { core, extensions })
        };
        Declared {
            schemas: resources(schemas),
            user: find(ObjectKind::User),
            group: find(ObjectKind::Group),
        }
    }

    fn declares(&self, kind: ObjectKind, urn: Option<&str>, attr: &str, sub: Option<&str>) -> bool {
        if self.schemas.is_empty() {
            return true;
        }
        if urn.is_none()
            && ["id", "externalId", "meta", "schemas"]
                .iter()
                .any(|c| c.eq_ignore_ascii_case(attr))
        {
            return true;
        }
        let rt = match kind {
            ObjectKind::User => self.user.as_ref(),
            ObjectKind::Group => self.group.as_ref(),
        };
        let schema_urn = match (urn, rt) {
            (None, Some(t)) => t.core.as_str(),
            (None, None) => core_urn(kind),
            (Some(u), Some(t)) => {
                let listed = t.core.eq_ignore_ascii_case(u)
                    || t.extensions.iter().any(|e| e.eq_ignore_ascii_case(u));
                if !listed {
                    return false;
                }
                u
            }
            (Some(u), None) => u,
        };
        let Some(schema) = self.schemas.iter().find(|s| {
            s.get("id")
                .and_then(|i| i.as_str())
                .is_some_and(|i| i.eq_ignore_ascii_case(schema_urn))
        }) else {
            return false;
        };
        let attrs = schema
            .get("attributes")
            .and_then(|a| a.as_array())
            .map_or(&[][..], Vec::as_slice);
        let Some(a) = named(attrs, attr) else {
            return false;
        };
        match (sub, a.get("subAttributes").and_then(|s| s.as_array())) {
            (None, _) | (Some(_), None) => true,
            (Some(s), Some(subs)) => named(subs, s).is_some(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: &str = r#"
idp = "entra"
format_version = 1

[users]
actions = ["create", "update", "delete"]
deprovision = "soft-delete"
matching = "externalId"
scope = { group = "App Users" }

[[users.mapping]]
source = "userPrincipalName"
target = "userName"
type = "string"

[[users.mapping]]
source = "extensionAttribute1"
target = "urn:ietf:params:scim:schemas:extension:Contoso:2.0:User:costCenter"
example = "CC-17"

[groups]
actions = ["update"]
push = ["Engineering"]
"#;

    #[test]
    fn a_full_configuration_reads_as_written() {
        let c = parse(FULL).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.idp.as_deref(), Some("entra"));
        assert_eq!(c.users.matching, "externalId");
        assert_eq!(c.users.deprovision, Deprovision::SoftDelete);
        assert_eq!(c.users.scope_group.as_deref(), Some("App Users"));
        assert_eq!(c.users.mappings.len(), 2);
        assert_eq!(c.users.mappings[0].line, 11);
        assert_eq!(c.users.mappings[1].example, Some("CC-17".into()));
        assert!(c.groups.allows(Action::Update));
        assert!(!c.groups.allows(Action::Create) && !c.groups.allows(Action::Delete));
        assert_eq!(c.groups.push, ["Engineering"]);
    }

    #[test]
    fn an_empty_file_provisions_everything_matched_on_username() {
        let c = parse("").unwrap_or_else(|e| panic!("{e}"));
        for a in [Action::Create, Action::Update, Action::Delete] {
            assert!(c.users.allows(a) && c.groups.allows(a));
        }
        assert_eq!(c.users.matching, "userName");
    }

    #[test]
    fn users_only_switches_groups_off() {
        let c = parse("[groups]\nprovision = false\n").unwrap_or_else(|e| panic!("{e}"));
        assert!(!c.groups.allows(Action::Create));
        assert!(c.users.allows(Action::Delete));
    }

    #[test]
    fn mistakes_name_their_line() {
        let e = parse("[users]\nactions = [\"create\"]\nmatchng = \"x\"\n").err();
        assert_eq!(e.as_ref().map(|e| e.line), Some(3), "{e:?}");
        let e = parse("[users]\n\nactions = [\"purge\"]\n").err();
        assert_eq!(e.as_ref().map(|e| e.line), Some(3), "{e:?}");
        let e = parse("format_version = 7\n").err();
        assert!(e.is_some_and(|e| e.line == 1 && e.message.contains("format_version 7")));
        let e = parse("[users]\nmatching = \" \"\n").err();
        assert_eq!(e.map(|e| e.line), Some(2));
    }

    #[test]
    fn a_certify_mapping_file_is_a_configuration() {
        let text = "[[user]]\ntarget = \"userName\"\n\n[[group]]\ntarget = \"displayName\"\n";
        let c = parse(text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.users.mappings[0].target, "userName");
        assert_eq!(c.groups.mappings[0].line, 4);
        assert!(c.groups.allows(Action::Create));
        let mixed = format!("{text}[users]\nprovision = true\n");
        assert!(parse(&mixed).is_err());
    }

    #[test]
    fn target_paths_leave_out_filters_and_keep_urns() {
        let parts = |t: &str| {
            target_path(t)
                .map(|p| (p.urn, p.attr, p.sub))
                .unwrap_or_else(|e| panic!("{e}"))
        };
        assert_eq!(parts("userName"), (None, "userName".into(), None));
        assert_eq!(
            parts("emails[type eq \"work\"].value"),
            (None, "emails".into(), Some("value".into()))
        );
        let ent = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
        assert_eq!(
            parts(&format!("{ent}:manager.value")),
            (Some(ent.into()), "manager".into(), Some("value".into()))
        );
        assert!(target_path("emails[type eq \"work\".value").is_err());
        let e = parse("[users]\n[[users.mapping]]\ntarget = \"2fa\"\n").err();
        assert_eq!(e.map(|e| e.line), Some(2));
    }

    #[test]
    fn undeclared_targets_are_listed_with_their_lines() {
        let c = parse(FULL).unwrap_or_else(|e| panic!("{e}"));
        // A server that declares userName only, and no extension.
        let bad = undeclared(&c, |kind, urn, attr, _| {
            kind == ObjectKind::User && urn.is_none() && attr == "userName"
        });
        assert_eq!(bad.len(), 1, "{bad:?}");
        assert!(bad[0].starts_with("line 16: mapping `urn:"), "{bad:?}");
        assert!(bad[0].ends_with("has no `costCenter`"), "{bad:?}");
        assert!(undeclared(&c, |_, _, _, _| true).is_empty());
    }

    #[test]
    fn declared_by_reads_schemas_and_resource_types() {
        use serde_json::json;
        let ext = "urn:ietf:params:scim:schemas:extension:Contoso:2.0:User";
        let schemas = json!({"Resources": [
            {"id": "urn:ietf:params:scim:schemas:core:2.0:User", "attributes": [
                {"name": "userName"},
                {"name": "emails", "subAttributes": [{"name": "value"}, {"name": "type"}]},
                {"name": "name"}]},
            {"id": ext, "attributes": [{"name": "costCenter"}]}]});
        let types = |exts: serde_json::Value| {
            json!({"Resources": [{"name": "User", "endpoint": "/Users",
                "schema": "urn:ietf:params:scim:schemas:core:2.0:User", "schemaExtensions": exts}]})
        };
        let d = declared_by(
            &schemas,
            &types(json!([{"schema": ext, "required": false}])),
        );
        assert!(d(ObjectKind::User, None, "USERNAME", None));
        assert!(d(ObjectKind::User, None, "emails", Some("value")));
        assert!(!d(ObjectKind::User, None, "emails", Some("display")));
        assert!(
            d(ObjectKind::User, None, "name", Some("givenName")),
            "no subAttributes: lenient"
        );
        assert!(!d(ObjectKind::User, None, "title", None));
        assert!(d(ObjectKind::User, None, "externalId", None));
        assert!(d(ObjectKind::User, Some(ext), "costCenter", None));
        assert!(!d(ObjectKind::User, Some(ext), "badgeNumber", None));
        assert!(!d(ObjectKind::Group, None, "displayName", None));
        // The schema is served but not listed as an extension of the User resource type.
        let d = declared_by(&schemas, &types(json!([])));
        assert!(!d(ObjectKind::User, Some(ext), "costCenter", None));
        // Nothing served: nothing judged.
        let d = declared_by(&json!({}), &json!({}));
        assert!(d(ObjectKind::User, None, "title", None));
    }
}
