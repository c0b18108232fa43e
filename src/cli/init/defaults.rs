//! What one IdP provisions out of the box, for `scimtest init`: its default attribute mappings
//! (for Entra the documented defaults certify uses, `certify::mapping`; for every IdP the
//! attributes its replay profiles' create requests send), how it deprovisions a user (from its
//! user-lifecycle flows: a PATCH/PUT of `active` false, a DELETE, or both), and which of its
//! flows send PATCH. Read from the embedded fixtures, so it follows them.

use crate::replay::fixture::Fixture;
use serde_json::Value;

/// One default mapping: the IdP's source attribute (when known) and the SCIM target path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefaultMapping {
    /// The IdP's source attribute or expression, when scimtest knows it.
    pub source: Option<String>,
    /// The SCIM target path (`name.givenName`, `emails[type eq "work"].value`, URN-qualified).
    pub target: String,
}

/// What the IdP does, as far as `init` needs it.
#[derive(Debug, Clone)]
pub struct IdpDefaults {
    /// The IdP's name (`entra`).
    pub idp: String,
    /// Its product name for comments (`Entra`).
    pub label: &'static str,
    /// Default User mappings, in the IdP's order.
    pub user: Vec<DefaultMapping>,
    /// Default Group mappings.
    pub group: Vec<DefaultMapping>,
    /// `soft-delete`, `delete` or `both`, from its user-lifecycle flows.
    pub deprovision: &'static str,
    /// `profile (flow, flow)` for each profile with flows that send PATCH.
    pub patch_flows: Vec<String>,
}

/// The product name of an IdP for comments.
pub fn label(idp: &str) -> &'static str {
    match idp {
        "entra" => "Entra",
        "okta" => "Okta",
        "onelogin" => "OneLogin",
        "authentik" => "authentik",
        "keycloak" => "Keycloak",
        "jumpcloud" => "JumpCloud",
        "google" => "Google Workspace",
        "ping" => "PingOne",
        "rippling" => "Rippling",
        _ => "the IdP",
    }
}

/// Sources scimtest knows for targets the fixtures send (the IdPs' attribute names as their
/// setup screens show them).
fn known_source(idp: &str, target: &str) -> Option<&'static str> {
    let s = match (idp, target) {
        ("entra", "name.formatted") => "Join(\" \", [givenName], [surname])",
        ("okta", "userName") => "user.login",
        ("okta", "name.givenName") => "user.firstName",
        ("okta", "name.familyName") => "user.lastName",
        ("okta", "emails[type eq \"work\"].value") => "user.email",
        ("okta", "displayName") => "user.displayName",
        ("okta", "locale") => "user.locale",
        ("onelogin", "userName") => "email",
        ("onelogin", "name.givenName") => "firstname",
        ("onelogin", "name.familyName") => "lastname",
        ("google", "userName") => "primaryEmail",
        ("google", "name.givenName") => "name.givenName",
        ("google", "name.familyName") => "name.familyName",
        _ => return None,
    };
    Some(s)
}

/// The defaults of `idp` from `fixtures` (the embedded ones); None when no fixture is of that
/// IdP.
pub fn of(idp: &str, fixtures: &[Fixture]) -> Option<IdpDefaults> {
    let mine: Vec<&Fixture> = fixtures.iter().filter(|f| f.idp == idp).collect();
    if mine.is_empty() {
        return None;
    }
    let (mut user, mut group) = (Vec::new(), Vec::new());
    if idp == "entra" {
        let m = crate::certify::mapping::Mapping::entra_default();
        let conv = |v: Vec<crate::certify::mapping::Mapped>| {
            v.into_iter()
                .map(|m| DefaultMapping {
                    source: Some(m.source),
                    target: m.target,
                })
                .collect::<Vec<_>>()
        };
        user = conv(m.user);
        group = conv(m.group);
    }
    for fx in &mine {
        for step in &fx.steps {
            let r = &step.request;
            let Some(body) = r.body.as_ref().filter(|_| r.method == "POST") else {
                continue;
            };
            let list = match r.path.as_str() {
                "/Users" => &mut user,
                "/Groups" => &mut group,
                _ => continue,
            };
            for target in flatten(body) {
                if !list
                    .iter()
                    .any(|d: &DefaultMapping| same(&d.target, &target))
                {
                    list.push(DefaultMapping {
                        source: known_source(idp, &target).map(str::to_string),
                        target,
                    });
                }
            }
        }
    }
    Some(IdpDefaults {
        idp: idp.to_string(),
        label: label(idp),
        user,
        group,
        deprovision: deprovision(&mine),
        patch_flows: patch_flows(&mine),
    })
}

fn same(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// The target paths a create body sets: `userName`, `name.givenName`, `emails[type eq
/// "work"].value`, `<urn>:department`; a list without `type` (group `members`) as a whole. Not
/// `schemas`, `id`, `meta`, `password`, nor `primary`/`display` of a typed list.
fn flatten(body: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let Some(obj) = body.as_object() else {
        return out;
    };
    for (k, v) in obj {
        if ["schemas", "id", "meta", "password"]
            .iter()
            .any(|s| k.eq_ignore_ascii_case(s))
        {
            continue;
        }
        if k.starts_with("urn:") {
            if let Some(ext) = v.as_object() {
                for (ek, ev) in ext {
                    for t in attribute(ek, ev) {
                        out.push(format!("{k}:{t}"));
                    }
                }
            }
            continue;
        }
        out.extend(attribute(k, v));
    }
    out
}

fn attribute(name: &str, v: &Value) -> Vec<String> {
    match v {
        Value::Object(m) => m.keys().map(|s| format!("{name}.{s}")).collect(),
        Value::Array(items) => {
            let mut out = Vec::new();
            for item in items {
                match (item.get("type").and_then(Value::as_str), item.as_object()) {
                    (Some(ty), Some(m)) => {
                        for sub in m.keys() {
                            if ["type", "primary", "display"].contains(&sub.as_str()) {
                                continue;
                            }
                            let t = format!("{name}[type eq \"{ty}\"].{sub}");
                            if !out.contains(&t) {
                                out.push(t);
                            }
                        }
                    }
                    _ => {
                        if !out.iter().any(|t| t == name) {
                            out.push(name.to_string());
                        }
                    }
                }
            }
            out
        }
        _ => vec![name.to_string()],
    }
}

/// `both` when the IdP's user-lifecycle flows deactivate (PATCH/PUT `active` false) and
/// DELETE a user, `delete` or `soft-delete` when they do one.
fn deprovision(fixtures: &[&Fixture]) -> &'static str {
    let (mut soft, mut hard) = (false, false);
    for fx in fixtures.iter().filter(|f| f.flow == "user-lifecycle") {
        for s in &fx.steps {
            let r = &s.request;
            if !r.path.starts_with("/Users/") {
                continue;
            }
            match r.method.as_str() {
                "DELETE" => hard = true,
                "PATCH" | "PUT" => {
                    soft |= r.body.as_ref().is_some_and(deactivates);
                }
                _ => {}
            }
        }
    }
    match (soft, hard) {
        (true, true) => "both",
        (false, true) => "delete",
        _ => "soft-delete",
    }
}

/// Whether a PATCH/PUT body sets `active` to false (a boolean or Entra's string "False").
fn deactivates(body: &Value) -> bool {
    fn is_false(v: &Value) -> bool {
        v == &Value::Bool(false) || v.as_str().is_some_and(|s| s.eq_ignore_ascii_case("false"))
    }
    if body.get("active").is_some_and(is_false) {
        return true;
    }
    body.get("Operations")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|op| {
            let path_active = op
                .get("path")
                .and_then(Value::as_str)
                .is_some_and(|p| p.eq_ignore_ascii_case("active"));
            let value = op.get("value").unwrap_or(&Value::Null);
            (path_active && is_false(value)) || value.get("active").is_some_and(is_false)
        })
}

/// `profile (flow, flow)` for each profile whose flows send PATCH.
fn patch_flows(fixtures: &[&Fixture]) -> Vec<String> {
    let mut by_profile: Vec<(String, Vec<String>)> = Vec::new();
    for fx in fixtures {
        if !fx.steps.iter().any(|s| s.request.method == "PATCH") {
            continue;
        }
        match by_profile.iter_mut().find(|(p, _)| *p == fx.profile) {
            Some((_, flows)) => flows.push(fx.flow.clone()),
            None => by_profile.push((fx.profile.clone(), vec![fx.flow.clone()])),
        }
    }
    by_profile
        .into_iter()
        .map(|(p, flows)| format!("{p} ({})", flows.join(", ")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn embedded() -> Vec<Fixture> {
        crate::replay::fixture::embedded().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn every_idp_of_the_command_line_has_defaults_that_map_user_name() {
        let fx = embedded();
        for idp in <crate::cli::common::Idp as clap::ValueEnum>::value_variants() {
            let d = of(idp.as_str(), &fx).unwrap_or_else(|| panic!("{idp:?}: no fixtures"));
            assert!(
                d.user.iter().any(|m| m.target == "userName"),
                "{idp:?}: {:?}",
                d.user
            );
            assert_ne!(d.label, "the IdP", "{idp:?}");
            for m in d.user.iter().chain(&d.group) {
                assert!(
                    crate::scim::provisioning::target_path(&m.target).is_ok(),
                    "{idp:?}: {}",
                    m.target
                );
            }
        }
        assert!(of("nobody", &fx).is_none());
    }

    #[test]
    fn entra_is_its_documented_defaults_and_its_fixtures() {
        let d = of("entra", &embedded()).unwrap_or_else(|| panic!("no entra"));
        let targets: Vec<&str> = d.user.iter().map(|m| m.target.as_str()).collect();
        assert_eq!(targets[0], "userName");
        assert!(targets.contains(&"title"), "{targets:?}");
        assert!(targets.contains(&"name.formatted"), "{targets:?}");
        assert!(
            !targets.iter().any(|t| t.ends_with(".primary")),
            "{targets:?}"
        );
        assert_eq!(d.deprovision, "both");
        assert!(d.patch_flows.iter().any(|p| p.starts_with("default (")));
        assert!(d.group.iter().any(|m| m.target == "members"));
        let okta = of("okta", &embedded()).unwrap_or_else(|| panic!("no okta"));
        assert_eq!(okta.deprovision, "soft-delete");
        assert_eq!(okta.user[0].source.as_deref(), Some("user.login"));
    }
}
