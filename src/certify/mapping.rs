//! The attribute mapping the Entra readiness tests use: the vendor's own (the mappings of a
//! provisioning configuration, `scim::provisioning`'s one format, given as `--config` or
//! `--mapping`; or Entra's exported synchronization schema) or Entra's default User and Group
//! mappings, restricted to what the target declares in `/Schemas` (what is left out is said). Also reads and writes a
//! value at a mapped target path (`name.givenName`, `emails[type eq "work"].value`,
//! `urn:…:enterprise:2.0:User:department`) in a resource body.

use crate::conformance::context::{ENTERPRISE, GROUP, USER};
use crate::scim::provisioning::{self, AttrType, ProvisioningConfig};
use serde_json::Value;

/// One mapping: an Entra source attribute to a SCIM target path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapped {
    /// The Entra source (`userPrincipalName`, `Switch([IsSoftDeleted], …)`).
    pub source: String,
    /// The SCIM target path as Entra writes it.
    pub target: String,
    /// Its type.
    pub kind: AttrType,
}

/// The mapping the tests run with.
#[derive(Debug, Clone, Default)]
pub struct Mapping {
    /// User mappings.
    pub user: Vec<Mapped>,
    /// Group mappings.
    pub group: Vec<Mapped>,
    /// Where it came from, for the report.
    pub origin: String,
    /// Default mappings left out because the target does not declare their attribute.
    pub dropped: Vec<String>,
    /// Whether it is Entra's default mapping (not a vendor's file).
    pub is_default: bool,
}

/// The type Entra gives a target path when the file does not say.
fn default_kind(target: &str) -> AttrType {
    let leaf = leaf_name(target);
    match leaf.to_ascii_lowercase().as_str() {
        "active" => AttrType::Boolean,
        "manager" | "members" => AttrType::Reference,
        _ => AttrType::String,
    }
}

/// Entra's default User mappings (Microsoft Learn, "Tutorial: Develop and plan provisioning
/// for a SCIM endpoint", the attribute mapping tables).
const DEFAULT_USER: &[(&str, &str)] = &[
    ("userPrincipalName", "userName"),
    ("Not([IsSoftDeleted])", "active"),
    ("displayName", "displayName"),
    ("mailNickname", "externalId"),
    ("givenName", "name.givenName"),
    ("surname", "name.familyName"),
    ("mail", "emails[type eq \"work\"].value"),
    ("jobTitle", "title"),
    (
        "department",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
    ),
    (
        "employeeId",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
    ),
    (
        "manager",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
    ),
    ("telephoneNumber", "phoneNumbers[type eq \"work\"].value"),
    ("mobile", "phoneNumbers[type eq \"mobile\"].value"),
    (
        "facsimileTelephoneNumber",
        "phoneNumbers[type eq \"fax\"].value",
    ),
    ("streetAddress", "addresses[type eq \"work\"].streetAddress"),
    ("postalCode", "addresses[type eq \"work\"].postalCode"),
    (
        "physicalDeliveryOfficeName",
        "addresses[type eq \"other\"].formatted",
    ),
];

/// Entra's default Group mappings.
const DEFAULT_GROUP: &[(&str, &str)] = &[
    ("displayName", "displayName"),
    ("objectId", "externalId"),
    ("members", "members"),
];

fn entries(list: &[(&str, &str)]) -> Vec<Mapped> {
    list.iter()
        .map(|(s, t)| Mapped {
            source: (*s).to_string(),
            target: (*t).to_string(),
            kind: default_kind(t),
        })
        .collect()
}

impl Mapping {
    /// Entra's default User and Group mappings, unrestricted.
    pub fn entra_default() -> Mapping {
        Mapping {
            user: entries(DEFAULT_USER),
            group: entries(DEFAULT_GROUP),
            origin: "Entra's default User and Group attribute mappings".into(),
            dropped: Vec::new(),
            is_default: true,
        }
    }

    /// Parse a mapping file (TOML: a provisioning configuration, docs/provisioning.md, of which
    /// certify's `[[user]]` / `[[group]]` tables are the short form); `origin` names it in the
    /// report and in every mistake (`origin:line: message`).
    pub fn parse(text: &str, origin: &str) -> Result<Mapping, String> {
        let config = provisioning::parse(text).map_err(|e| at(origin, e.line, &e.message))?;
        Mapping::from_config(&config, origin)
    }

    /// The mappings of a provisioning configuration: its users' mappings for User, its groups'
    /// for Group (none when groups are not provisioned). A configuration that maps nothing at
    /// all runs with Entra's default mappings (restricted as those are); otherwise a User
    /// mapping must target userName (Entra matches users on it).
    pub fn from_config(config: &ProvisioningConfig, origin: &str) -> Result<Mapping, String> {
        let conv = |list: &[provisioning::Mapping]| -> Result<Vec<Mapped>, String> {
            list.iter()
                .map(|m| {
                    parse_target(&m.target).map_err(|why| {
                        at(
                            origin,
                            m.line,
                            &format!("mapping target {:?}: {why}", m.target),
                        )
                    })?;
                    Ok(Mapped {
                        source: m.source.clone().unwrap_or_else(|| "(unnamed)".into()),
                        kind: m.kind.unwrap_or_else(|| default_kind(&m.target)),
                        target: m.target.clone(),
                    })
                })
                .collect()
        };
        let user = if config.users.provision {
            conv(&config.users.mappings)?
        } else {
            Vec::new()
        };
        let group = if config.groups.provision {
            conv(&config.groups.mappings)?
        } else {
            Vec::new()
        };
        if config.users.mappings.is_empty() && config.groups.mappings.is_empty() {
            let mut m = Mapping::entra_default();
            if !config.groups.provision {
                m.group.clear();
            }
            m.origin = format!("Entra's default attribute mappings ({origin} maps none)");
            return Ok(m);
        }
        if config.users.provision
            && !user
                .iter()
                .any(|m| m.target.eq_ignore_ascii_case("userName"))
        {
            return Err(format!(
                "{origin}: no user mapping targets userName (Entra matches users on it)"
            ));
        }
        Ok(Mapping {
            user,
            group,
            origin: format!("the mapping file {origin}"),
            dropped: Vec::new(),
            is_default: false,
        })
    }

    /// A mapping file: Entra's own synchronization schema as exported from the portal or from
    /// Microsoft Graph (`GET …/synchronization/jobs/{id}/schema`: JSON with
    /// `synchronizationRules[].objectMappings[].attributeMappings[]`), or scimtest's TOML.
    pub fn load(text: &str, origin: &str) -> Result<Mapping, String> {
        if text.trim_start().starts_with('{') {
            Mapping::parse_graph_schema(text, origin)
        } else {
            Mapping::parse(text, origin)
        }
    }

    /// Entra's synchronization schema: the enabled object mappings whose source object is
    /// `User` or `Group`, each attribute mapping's `targetAttributeName` with the type the target
    /// directory's definition gives it.
    pub fn parse_graph_schema(text: &str, origin: &str) -> Result<Mapping, String> {
        let v: Value =
            serde_json::from_str(text).map_err(|e| format!("{origin}: not JSON: {e}"))?;
        let rules = v["synchronizationRules"].as_array().ok_or_else(|| {
            format!("{origin}: no synchronizationRules (expected Entra's synchronization schema)")
        })?;
        // The target directory's attribute types, by object and attribute name.
        let kind_of = |object: &str, attr: &str| -> Option<AttrType> {
            let t = v["directories"].as_array()?.iter().find_map(|d| {
                d["objects"].as_array()?.iter().find_map(|o| {
                    (o["name"].as_str()? == object).then_some(())?;
                    o["attributes"].as_array()?.iter().find_map(|a| {
                        (a["name"].as_str()?.eq_ignore_ascii_case(attr))
                            .then(|| a["type"].as_str())?
                    })
                })
            })?;
            Some(match t.to_ascii_lowercase().as_str() {
                "boolean" => AttrType::Boolean,
                "integer" => AttrType::Integer,
                "datetime" => AttrType::DateTime,
                "reference" => AttrType::Reference,
                _ => AttrType::String,
            })
        };
        let (mut user, mut group) = (Vec::new(), Vec::new());
        for om in rules
            .iter()
            .filter_map(|r| r["objectMappings"].as_array())
            .flatten()
            .filter(|om| om["enabled"] != false)
        {
            let source_object = om["sourceObjectName"].as_str().unwrap_or_default();
            let target_object = om["targetObjectName"].as_str().unwrap_or_default();
            let list = match source_object.to_ascii_lowercase().as_str() {
                "user" => &mut user,
                "group" => &mut group,
                _ => continue,
            };
            for am in om["attributeMappings"].as_array().into_iter().flatten() {
                let Some(target) = am["targetAttributeName"].as_str().filter(|t| !t.is_empty())
                else {
                    continue;
                };
                if parse_target(target).is_err() {
                    return Err(format!(
                        "{origin}: target attribute {target:?} is not a SCIM path scimtest reads"
                    ));
                }
                let source = am["source"]["expression"]
                    .as_str()
                    .or_else(|| am["source"]["name"].as_str())
                    .unwrap_or("(unnamed)");
                list.push(Mapped {
                    source: source.to_string(),
                    target: target.to_string(),
                    kind: kind_of(target_object, target).unwrap_or_else(|| default_kind(target)),
                });
            }
        }
        if !user
            .iter()
            .any(|m| m.target.eq_ignore_ascii_case("userName"))
        {
            return Err(format!(
                "{origin}: no enabled User mapping targets userName (Entra matches users on it)"
            ));
        }
        Ok(Mapping {
            user,
            group,
            origin: format!("Entra's synchronization schema {origin}"),
            dropped: Vec::new(),
            is_default: false,
        })
    }

    /// Entra's defaults without the attributes the target does not declare in `/Schemas`
    /// (a vendor removes those mappings from the app before submitting); a vendor's file is
    /// kept whole. `schemas` is the target's `/Schemas` resources.
    pub fn restrict_to(mut self, schemas: &[Value]) -> Mapping {
        if !self.is_default || schemas.is_empty() {
            return self;
        }
        let mut dropped = Vec::new();
        let user_urn = USER;
        self.user.retain(|m| {
            let keep = m.target.eq_ignore_ascii_case("userName")
                || discoverable(schemas, user_urn, &m.target);
            if !keep {
                dropped.push(m.target.clone());
            }
            keep
        });
        self.group.retain(|m| {
            let keep = discoverable(schemas, GROUP, &m.target);
            if !keep {
                dropped.push(format!("Group {}", m.target));
            }
            keep
        });
        self.dropped = dropped;
        self
    }

    /// One line for the report.
    pub fn describe(&self) -> String {
        let mut s = format!(
            "{}: {} User and {} Group attributes",
            self.origin,
            self.user.len(),
            self.group.len()
        );
        if !self.dropped.is_empty() {
            s.push_str(&format!(
                "; left out because the target's /Schemas does not declare them: {}",
                self.dropped.join(", ")
            ));
        }
        s
    }

    /// Whether a user mapping targets `path` (case-insensitive).
    pub fn maps_user(&self, path: &str) -> bool {
        self.user
            .iter()
            .any(|m| m.target.eq_ignore_ascii_case(path))
    }

    /// The user mapping whose leaf attribute is `name` (`manager`), if any.
    pub fn user_leaf(&self, name: &str) -> Option<&Mapped> {
        self.user
            .iter()
            .find(|m| leaf_name(&m.target).eq_ignore_ascii_case(name))
    }
}

pub use crate::scim::mapped::{TargetPath, get, get_raw, parse_target, put};

/// `origin:line: message` (`origin: message` for the file as a whole).
fn at(origin: &str, line: usize, message: &str) -> String {
    if line == 0 {
        format!("{origin}: {message}")
    } else {
        format!("{origin}:{line}: {message}")
    }
}

/// The last attribute name of a path (`manager`, `givenName`, `value`).
pub fn leaf_name(path: &str) -> &str {
    let p = path.rsplit(':').next().unwrap_or(path);
    let p = p.rsplit('.').next().unwrap_or(p);
    p.split('[').next().unwrap_or(p)
}

fn find_attr<'a>(attrs: &'a [Value], name: &str) -> Option<&'a Value> {
    attrs.iter().find(|a| {
        a["name"]
            .as_str()
            .is_some_and(|n| n.eq_ignore_ascii_case(name))
    })
}

/// The declaration of a mapped target in `/Schemas` (the leaf: sub-attribute when there is
/// one), when the target path is discoverable the way Entra's Schema_Discoverability_Test
/// flattens schemas: `a.b` for sub-attributes, `a[type eq "x"].b` for typed multi-valued
/// attributes (any type when `type` declares no canonical values), `<urn>:<name>` for
/// extensions. `core` is the URN of the resource's core schema.
pub fn declaration<'a>(schemas: &'a [Value], core: &str, target: &str) -> Option<&'a Value> {
    let t = parse_target(target).ok()?;
    let urn = t.urn.as_deref().unwrap_or(core);
    let schema = schemas.iter().find(|s| {
        s["id"]
            .as_str()
            .is_some_and(|id| id.eq_ignore_ascii_case(urn))
    })?;
    let attr = find_attr(schema["attributes"].as_array()?, &t.attr)?;
    let subs = attr["subAttributes"]
        .as_array()
        .map_or(&[][..], Vec::as_slice);
    if let Some(ty) = &t.type_filter {
        let type_attr = find_attr(subs, "type")?;
        if let Some(canon) = type_attr["canonicalValues"]
            .as_array()
            .filter(|c| !c.is_empty())
            && !canon
                .iter()
                .any(|c| c.as_str().is_some_and(|c| c.eq_ignore_ascii_case(ty)))
        {
            return None;
        }
    }
    match &t.sub {
        Some(sub) => find_attr(subs, sub),
        None => Some(attr),
    }
}

/// Whether `target` is discoverable in `schemas` under core schema `core`. The common
/// attributes (`id`, `externalId`, `meta`) count as discoverable: RFC 7643 §3.1 puts them on
/// every resource outside the schemas, so a server need not list them.
pub fn discoverable(schemas: &[Value], core: &str, target: &str) -> bool {
    matches!(
        target.to_ascii_lowercase().as_str(),
        "id" | "externalid" | "meta"
    ) || declaration(schemas, core, target).is_some()
}

/// Whether the target declares `target` as required (Entra's null-update test leaves those out).
pub fn required(schemas: &[Value], core: &str, target: &str) -> bool {
    declaration(schemas, core, target).is_some_and(|d| d["required"] == true)
}

/// The `ENTERPRISE` URN, for callers that build manager paths.
pub const ENTERPRISE_URN: &str = ENTERPRISE;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn targets_parse() {
        let t = parse_target("emails[type eq \"work\"].value").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.attr, "emails");
        assert_eq!(t.type_filter.as_deref(), Some("work"));
        assert_eq!(t.sub.as_deref(), Some("value"));
        let t = parse_target("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.urn.as_deref(), Some(ENTERPRISE));
        assert_eq!(t.attr, "manager");
        assert!(parse_target("emails[value sw \"a\"].value").is_err());
        assert_eq!(leaf_name("name.givenName"), "givenName");
        assert_eq!(leaf_name(&format!("{ENTERPRISE}:manager")), "manager");
    }

    #[test]
    fn put_and_get_round_trip() {
        let mut b = json!({"schemas": [USER]});
        put(
            &mut b,
            "emails[type eq \"work\"].value",
            json!("a@example.com"),
        );
        put(&mut b, "name.givenName", json!("Ann"));
        put(&mut b, &format!("{ENTERPRISE}:department"), json!("Sales"));
        assert_eq!(b["emails"][0]["primary"], json!(true));
        assert_eq!(b["schemas"][1], json!(ENTERPRISE));
        assert_eq!(
            get(&b, "EMAILS[type eq \"work\"].value"),
            Some(&json!("a@example.com"))
        );
        assert_eq!(get(&b, "name.givenname"), Some(&json!("Ann")));
        assert_eq!(
            get(&b, &format!("{ENTERPRISE}:department")),
            Some(&json!("Sales"))
        );
        put(&mut b, "name.givenName", json!(""));
        assert_eq!(get(&b, "name.givenName"), None);
    }

    #[test]
    fn a_file_parses_and_must_map_user_name() {
        let m = Mapping::parse(
            "[[user]]\nsource = \"userPrincipalName\"\ntarget = \"userName\"\n[[user]]\ntarget = \"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager\"\n[[group]]\ntarget = \"displayName\"\n",
            "m.toml",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(m.user[1].kind, AttrType::Reference);
        assert!(m.user_leaf("manager").is_some());
        let e = Mapping::parse("[[user]]\ntarget = \"title\"\n", "m.toml").unwrap_err();
        assert!(e.contains("userName"), "{e}");
        let e =
            Mapping::parse("[[user]]\ntarget = \"userName\"\nbogus = 1\n", "m.toml").unwrap_err();
        assert!(e.starts_with("m.toml:3: "), "{e}");
        let e = Mapping::parse(
            "[[user]]\ntarget = \"userName\"\n\n[[user]]\ntarget = \"emails[value sw \\\"a\\\"].value\"\n",
            "m.toml",
        )
        .unwrap_err();
        assert!(e.starts_with("m.toml:4: "), "{e}");
    }

    #[test]
    fn entras_synchronization_schema_is_read() {
        let text = r#"{
          "directories": [{"name": "customappsso", "objects": [
            {"name": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "attributes": [
              {"name": "userName", "type": "String"}, {"name": "active", "type": "Boolean"},
              {"name": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", "type": "Reference"}]}]}],
          "synchronizationRules": [{"objectMappings": [
            {"enabled": true, "sourceObjectName": "User", "targetObjectName": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
             "attributeMappings": [
               {"source": {"name": "userPrincipalName", "type": "Attribute"}, "targetAttributeName": "userName"},
               {"source": {"expression": "Not([IsSoftDeleted])", "type": "Function"}, "targetAttributeName": "active"},
               {"source": {"name": "manager"}, "targetAttributeName": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"},
               {"source": {"name": "mail"}, "targetAttributeName": "emails[type eq \"work\"].value"}]},
            {"enabled": false, "sourceObjectName": "Group", "targetObjectName": "urn:ietf:params:scim:schemas:core:2.0:Group",
             "attributeMappings": [{"source": {"name": "displayName"}, "targetAttributeName": "displayName"}]}]}]
        }"#;
        let m = Mapping::load(text, "schema.json").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(m.user.len(), 4);
        assert_eq!(m.user[1].kind, AttrType::Boolean);
        assert_eq!(m.user[1].source, "Not([IsSoftDeleted])");
        assert_eq!(m.user[2].kind, AttrType::Reference);
        assert!(m.user_leaf("manager").is_some());
        assert!(m.group.is_empty(), "a disabled object mapping is left out");
        let e = Mapping::load("{\"synchronizationRules\": []}", "s.json").unwrap_err();
        assert!(e.contains("userName"), "{e}");
        assert!(
            Mapping::load("{}", "s.json")
                .unwrap_err()
                .contains("synchronizationRules")
        );
    }

    #[test]
    fn defaults_are_restricted_to_what_the_target_declares() {
        let schemas = vec![json!({"id": USER, "attributes": [
            {"name": "userName"}, {"name": "active"}, {"name": "displayName"},
            {"name": "emails", "subAttributes": [{"name": "value"}, {"name": "type", "canonicalValues": ["work", "home"]}]},
        ]})];
        let m = Mapping::entra_default().restrict_to(&schemas);
        let targets: Vec<&str> = m.user.iter().map(|m| m.target.as_str()).collect();
        assert_eq!(
            targets,
            [
                "userName",
                "active",
                "displayName",
                "externalId",
                "emails[type eq \"work\"].value"
            ]
        );
        assert!(m.dropped.iter().any(|d| d == "title"));
        // externalId is a common attribute (RFC 7643 §3.1): kept though no schema lists it.
        assert!(discoverable(&schemas, USER, "externalId"));
        assert!(m.describe().contains("left out"));
        assert!(!discoverable(
            &schemas,
            USER,
            "emails[type eq \"fax\"].value"
        ));
    }
}
