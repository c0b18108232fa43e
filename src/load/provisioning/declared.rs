//! Which attributes a target declares, read from its `/Schemas` and `/ResourceTypes` documents,
//! for the up-front check of a configuration's mapping targets
//! ([`crate::scim::provisioning::undeclared`]). A small reader private to `load`: what it
//! cannot read (no `/Schemas`, an odd document) it does not judge, so a target is never refused
//! for what scimtest failed to understand.

use crate::client::Client;
use crate::scim::provisioning::{ObjectKind, ProvisioningConfig, undeclared};
use crate::scim::schema::{GROUP_SCHEMA, USER_SCHEMA};
use serde_json::Value;
use std::collections::BTreeMap;

/// The resources of a ListResponse, or a bare array.
fn resources(v: &Value) -> Vec<&Value> {
    v.get("Resources")
        .and_then(Value::as_array)
        .or_else(|| v.as_array())
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// What a target declares: per schema URN (lower-cased) its attributes (lower-cased) with their
/// sub-attributes, and per object type the schemas of its resource type.
struct LoadDeclared {
    schemas: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    /// (core schema, extension schemas) per kind; `None` when the target has no such type.
    user: Option<Vec<String>>,
    group: Option<Vec<String>>,
}

impl LoadDeclared {
    fn read(schemas: &Value, types: &Value) -> LoadDeclared {
        let mut by_urn = BTreeMap::new();
        for s in resources(schemas) {
            let Some(id) = str_of(s, "id") else {
                continue;
            };
            let attrs = s
                .get("attributes")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|a| {
                            let name = str_of(a, "name")?.to_ascii_lowercase();
                            let subs = a
                                .get("subAttributes")
                                .and_then(Value::as_array)
                                .map(|s| {
                                    s.iter()
                                        .filter_map(|x| str_of(x, "name"))
                                        .map(str::to_ascii_lowercase)
                                        .collect()
                                })
                                .unwrap_or_default();
                            Some((name, subs))
                        })
                        .collect()
                })
                .unwrap_or_default();
            by_urn.insert(id.to_ascii_lowercase(), attrs);
        }
        let kind_of = |core: &str, endpoint: &str| {
            resources(types)
                .into_iter()
                .find(|t| {
                    str_of(t, "schema").is_some_and(|s| s.eq_ignore_ascii_case(core))
                        || str_of(t, "endpoint").is_some_and(|e| {
                            e.trim_start_matches('/').eq_ignore_ascii_case(endpoint)
                        })
                })
                .map(|t| {
                    let mut urns = vec![str_of(t, "schema").unwrap_or(core).to_ascii_lowercase()];
                    if let Some(ext) = t.get("schemaExtensions").and_then(Value::as_array) {
                        urns.extend(
                            ext.iter()
                                .filter_map(|e| str_of(e, "schema"))
                                .map(str::to_ascii_lowercase),
                        );
                    }
                    urns
                })
        };
        LoadDeclared {
            schemas: by_urn,
            user: kind_of(USER_SCHEMA, "Users"),
            group: kind_of(GROUP_SCHEMA, "Groups"),
        }
    }

    fn declares(&self, kind: ObjectKind, urn: Option<&str>, attr: &str, sub: Option<&str>) -> bool {
        let attr = attr.to_ascii_lowercase();
        // RFC 7643 §3.1: common attributes belong to every resource, in no schema.
        if urn.is_none() && matches!(attr.as_str(), "id" | "externalid" | "meta") {
            return true;
        }
        let Some(urns) = (match kind {
            ObjectKind::User => &self.user,
            ObjectKind::Group => &self.group,
        }) else {
            return false;
        };
        let schema = match urn {
            Some(u) => {
                let u = u.to_ascii_lowercase();
                if !urns.contains(&u) {
                    return false;
                }
                u
            }
            None => urns[0].clone(),
        };
        let Some(attrs) = self.schemas.get(&schema) else {
            // A schema the resource type names but /Schemas does not list: not judged.
            return true;
        };
        match (attrs.get(&attr), sub) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(subs), Some(s)) => subs.is_empty() || subs.contains(&s.to_ascii_lowercase()),
        }
    }
}

/// The mapping targets `cfg` names that the target behind `client` does not declare, one line
/// each (`line 12: mapping `title` → the server's User schema has no `title``). Err (a note
/// for the user) when `/Schemas` or `/ResourceTypes` cannot be read: then nothing is judged.
pub async fn undeclared_on(
    client: &Client,
    cfg: &ProvisioningConfig,
) -> Result<Vec<String>, String> {
    let maps = |o: &crate::scim::provisioning::ObjectConfig| o.provision && !o.mappings.is_empty();
    if !maps(&cfg.users) && !maps(&cfg.groups) {
        return Ok(Vec::new());
    }
    let schemas = client.send("GET", "/Schemas", None, &[]).await;
    let types = client.send("GET", "/ResourceTypes", None, &[]).await;
    for (what, r) in [("/Schemas", &schemas), ("/ResourceTypes", &types)] {
        if r.status != Some(200) {
            return Err(format!(
                "GET {what} answered {}: the mapping targets were not checked",
                r.status.map_or("nothing".to_string(), |s| s.to_string())
            ));
        }
    }
    let d = LoadDeclared::read(schemas.body(), types.body());
    if d.schemas.is_empty() {
        return Err("GET /Schemas listed no schema: the mapping targets were not checked".into());
    }
    Ok(undeclared(cfg, |k, u, a, s| d.declares(k, u, a, s)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn declared_attributes_come_from_schemas_and_resource_types() {
        let ext = "urn:ietf:params:scim:schemas:extension:Contoso:2.0:User";
        let schemas = json!({"Resources": [
            {"id": USER_SCHEMA, "attributes": [
                {"name": "userName"},
                {"name": "emails", "subAttributes": [{"name": "value"}, {"name": "type"}]}]},
            {"id": ext, "attributes": [{"name": "costCenter"}]}
        ]});
        let types = json!({"Resources": [{"name": "User", "endpoint": "/Users",
            "schema": USER_SCHEMA, "schemaExtensions": [{"schema": ext, "required": false}]}]});
        let d = LoadDeclared::read(&schemas, &types);
        let u = ObjectKind::User;
        assert!(d.declares(u, None, "username", None));
        assert!(d.declares(u, None, "emails", Some("value")));
        assert!(d.declares(u, None, "externalId", None));
        assert!(!d.declares(u, None, "title", None));
        assert!(!d.declares(u, None, "emails", Some("display")));
        assert!(d.declares(u, Some(ext), "costCenter", None));
        assert!(!d.declares(u, Some(ext), "badge", None));
        assert!(!d.declares(u, Some("urn:x:other"), "costCenter", None));
        assert!(!d.declares(ObjectKind::Group, None, "displayName", None));
    }
}
