//! `--config FILE`, the provisioning configuration (docs/provisioning.md) as the commands read
//! it: the file read and parsed with `FILE:LINE` mistakes, its summary and hash for the report,
//! and the up-front check that every mapped attribute is one the target declares, before
//! anything else is sent.

use crate::cli::error::Error;
use crate::client::Client;
use crate::report::model::ConfigurationInfo;
use crate::scim::provisioning::{self, Action, Deprovision, ObjectConfig, ProvisioningConfig};
use sha2::{Digest, Sha256};
use std::path::Path;

/// Where the format is described, for hints.
pub const DOCS: &str = "docs/provisioning.md";

/// A configuration file, read.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The parsed configuration.
    pub config: ProvisioningConfig,
    /// What the report says about it.
    pub info: ConfigurationInfo,
}

impl Loaded {
    /// `examples/users-only-crd.toml (sha256 1f2e…)`: which configuration a run judged.
    pub fn describe(&self) -> String {
        format!("{} (sha256 {})", self.info.path, self.info.sha256)
    }
}

/// Read and parse `path`; a mistake is `FILE:LINE: what` (exit 3) with a hint.
pub fn load(path: &Path) -> Result<Loaded, Error> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| {
        Error::harness(format!("cannot read --config {shown}: {e}"))
            .with_hint("give the path of a provisioning configuration (examples/ has three)")
    })?;
    let text = String::from_utf8(bytes.clone()).map_err(|_| {
        Error::harness(format!("{shown}: not UTF-8 text")).with_hint(format!("see {DOCS}"))
    })?;
    let config = provisioning::parse(&text).map_err(|e| {
        let at = if e.line == 0 {
            shown.clone()
        } else {
            format!("{shown}:{}", e.line)
        };
        Error::harness(format!("{at}: {}", e.message)).with_hint(format!(
            "the format is in {DOCS}; `scimtest init` writes a starter from your server"
        ))
    })?;
    let sha256 = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(Loaded {
        info: ConfigurationInfo {
            path: shown,
            sha256,
            summary: summary(&config),
            text,
        },
        config,
    })
}

fn object_line(name: &str, o: &ObjectConfig, users: bool) -> String {
    if !o.provision {
        return format!("{name}: not provisioned");
    }
    let actions: Vec<&str> = o
        .actions
        .iter()
        .map(|a| match a {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
        })
        .collect();
    let mut parts = vec![if actions.is_empty() {
        "no target object action".to_string()
    } else {
        actions.join(", ")
    }];
    if users && o.allows(Action::Delete) {
        parts.push(
            match o.deprovision {
                Deprovision::SoftDelete => "deprovision by deactivation",
                Deprovision::Delete => "deprovision by DELETE",
                Deprovision::Both => "deprovision by deactivation, then DELETE",
            }
            .into(),
        );
    }
    parts.push(format!("matched on {}", o.matching));
    if let Some(g) = &o.scope_group {
        parts.push(format!("scoped to members of {g:?}"));
    }
    if !o.push.is_empty() {
        parts.push(format!("pushes {}", o.push.join(", ")));
    }
    if !o.mappings.is_empty() {
        parts.push(format!("{} mapped attributes", o.mappings.len()));
    }
    format!("{name}: {}", parts.join("; "))
}

/// What a configuration configures, one line per object type (and the IdP).
pub fn summary(c: &ProvisioningConfig) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(i) = &c.idp {
        out.push(format!("idp: {i}"));
    }
    out.push(object_line("users", &c.users, true));
    out.push(object_line("groups", &c.groups, false));
    out
}

/// The custom User extensions the configuration maps (URN-qualified targets outside the core
/// and Enterprise User schemas), as schema documents: the embedded reference provider declares
/// them, so `--config` works with no `--target` (a real target declares its own).
pub fn embedded_extensions(c: &ProvisioningConfig) -> Vec<serde_json::Value> {
    use crate::scim::provisioning::AttrType;
    let mut by_urn: Vec<(String, Vec<(String, &str)>)> = Vec::new();
    if !c.users.provision {
        return Vec::new();
    }
    for m in &c.users.mappings {
        let Ok(p) = provisioning::target_path(&m.target) else {
            continue;
        };
        let Some(urn) = p.urn else { continue };
        let known = [
            crate::scim::schema::USER_SCHEMA,
            crate::scim::schema::ENTERPRISE_USER_SCHEMA,
        ];
        if known.iter().any(|k| k.eq_ignore_ascii_case(&urn)) {
            continue;
        }
        let kind = match m.kind {
            Some(AttrType::Boolean) => "boolean",
            Some(AttrType::Integer) => "integer",
            Some(AttrType::DateTime) => "dateTime",
            Some(AttrType::Reference) => "reference",
            Some(AttrType::String) | None => "string",
        };
        match by_urn
            .iter_mut()
            .find(|(u, _)| u.eq_ignore_ascii_case(&urn))
        {
            Some((_, attrs)) => attrs.push((p.attr, kind)),
            None => by_urn.push((urn, vec![(p.attr, kind)])),
        }
    }
    by_urn
        .iter()
        .map(|(urn, attrs)| crate::scim::extension::extension_schema(urn, attrs))
        .collect()
}

/// The members of a list response (or a bare array, which some servers send).
fn resources(body: &serde_json::Value) -> Vec<&serde_json::Value> {
    match body {
        serde_json::Value::Array(a) => a.iter().collect(),
        v => v
            .get("Resources")
            .and_then(serde_json::Value::as_array)
            .map(|a| a.iter().collect())
            .unwrap_or_default(),
    }
}

/// The mappings the target does not declare, from its `/Schemas` and `/ResourceTypes`
/// documents (`provisioning::declared_by`). `None` when `/Schemas` lists no schema (then
/// nothing can be judged).
pub fn undeclared(
    c: &ProvisioningConfig,
    schemas: &serde_json::Value,
    resource_types: Option<&serde_json::Value>,
) -> Option<Vec<String>> {
    if resources(schemas).is_empty() {
        return None;
    }
    let none = serde_json::Value::Null;
    let declares = provisioning::declared_by(schemas, resource_types.unwrap_or(&none));
    Some(provisioning::undeclared(c, declares))
}

/// Before anything else is sent: every mapped attribute is one the target declares. An error
/// lists every one it does not (exit 3); a target whose `/Schemas` cannot be read is not judged
/// (a note on stderr says so).
pub async fn check_declared(client: &Client, loaded: &Loaded) -> Result<(), Error> {
    let c = &loaded.config;
    if c.users.mappings.is_empty() && c.groups.mappings.is_empty() {
        return Ok(());
    }
    let schemas = client.send("GET", "/Schemas", None, &[]).await;
    let types = client.send("GET", "/ResourceTypes", None, &[]).await;
    let types_body = types.json.as_ref().filter(|_| types.status == Some(200));
    let found = match (schemas.status, schemas.json.as_ref()) {
        (Some(200), Some(body)) => undeclared(c, body, types_body),
        _ => None,
    };
    match found {
        None => {
            eprintln!(
                "note: the target's /Schemas could not be read ({}): the mappings of {} are not \
                 checked against what it declares",
                schemas.code(),
                loaded.info.path
            );
            Ok(())
        }
        Some(v) if v.is_empty() => Ok(()),
        Some(v) => {
            let lines: Vec<String> = v
                .iter()
                .map(|l| {
                    // "line N: …" from the parser → "FILE:N: …".
                    match l.strip_prefix("line ").and_then(|r| r.split_once(": ")) {
                        Some((n, rest)) => format!("{}:{n}: {rest}", loaded.info.path),
                        None => format!("{}: {l}", loaded.info.path),
                    }
                })
                .collect();
            Err(Error::harness(lines.join("\n")).with_hint(format!(
                "nothing was sent: the IdP would send {} the target does not declare in /Schemas \
                 (or /ResourceTypes schemaExtensions). Declare them on the server, or leave them \
                 out of the configuration ({DOCS})",
                if v.len() == 1 {
                    "an attribute"
                } else {
                    "attributes"
                }
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn undeclared_reads_schemas_and_resource_types() {
        let c = provisioning::parse(
            "[[users.mapping]]\ntarget = \"title\"\n\n[[users.mapping]]\ntarget = \"externalId\"\n\n\
             [[users.mapping]]\ntarget = \"urn:x:Ext:2.0:User:cost\"\n\n\
             [[users.mapping]]\ntarget = \"emails[type eq \\\"work\\\"].value\"\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let schemas = json!({"Resources": [
            {"id": crate::scim::schema::USER_SCHEMA, "attributes": [
                {"name": "userName"},
                {"name": "emails", "subAttributes": [{"name": "value"}, {"name": "type"}]}]},
            {"id": "urn:x:Ext:2.0:User", "attributes": [{"name": "cost"}]}
        ]});
        let listed = json!({"Resources": [{"name": "User", "endpoint": "/Users",
            "schema": crate::scim::schema::USER_SCHEMA,
            "schemaExtensions": [{"schema": "urn:x:Ext:2.0:User", "required": false}]}]});
        let bad = undeclared(&c, &schemas, Some(&listed)).unwrap_or_default();
        assert_eq!(bad.len(), 1, "{bad:?}");
        assert!(bad[0].contains("has no `title`"), "{bad:?}");
        // An extension the User type does not list is not usable.
        let unlisted = json!({"Resources": [{"name": "User", "endpoint": "/Users",
            "schema": crate::scim::schema::USER_SCHEMA}]});
        let bad = undeclared(&c, &schemas, Some(&unlisted)).unwrap_or_default();
        assert_eq!(bad.len(), 2, "{bad:?}");
        assert!(undeclared(&c, &json!({"Resources": []}), None).is_none());
    }

    #[test]
    fn summary_says_what_is_configured() {
        let c = provisioning::parse(
            "idp = \"entra\"\n[users]\nactions = [\"create\", \"delete\"]\ndeprovision = \"delete\"\n\
             [groups]\nprovision = false\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            summary(&c),
            [
                "idp: entra",
                "users: create, delete; deprovision by DELETE; matched on userName",
                "groups: not provisioned"
            ]
        );
    }
}
