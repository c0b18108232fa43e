//! Which vendor-test probes a provisioning configuration leaves out: a probe that emulates what
//! the IdP's engine does (create, update, disable, delete a user or group) is "not configured"
//! when the configuration does not provision that object type or does not switch that target
//! object action on; so are every group test's probes when groups are not provisioned. Such a
//! probe is not run: it is reported skipped with the reason, so the vendor test it judges is
//! SKIPPED "not configured", never FAILED. Okta's SPEC tests are Runscope's fixed requests,
//! sent whatever the app's settings are: the configuration never leaves them out.

use crate::report::model::{CheckReport, Outcome};
use crate::scim::provisioning::{Action, ObjectConfig, ProvisioningConfig};

/// What a probe needs: (users or groups, the actions), for the probes a configuration can leave
/// out. `maps_active`: the user mapping has `active` (Entra's Restore_User_Test then restores
/// through `active`, an update; without it the user is deleted and created again).
fn needs(probe: &str, maps_active: bool) -> Option<(bool, &'static [Action])> {
    use Action::{Create, Delete, Update};
    let user = |a: &'static [Action]| Some((false, a));
    let group = |a: &'static [Action]| Some((true, a));
    match probe {
        "certify.entra.create-user" | "certify.okta.crud-3-user-created" => user(&[Create]),
        "certify.entra.update-user"
        | "certify.entra.user-manager"
        | "certify.okta.crud-5-firstname-update" => user(&[Update]),
        // Entra soft-deletes with an update of the attribute mapped from IsSoftDeleted.
        "certify.entra.disable-user" => user(&[Update]),
        "certify.entra.delete-user" => user(&[Delete]),
        "certify.entra.restore-user" if maps_active => user(&[Update]),
        "certify.entra.restore-user" => user(&[Delete, Create]),
        // Okta's "Deactivate Users": deactivation, reactivation, unassignment.
        "certify.okta.crud-7-user-deactivated"
        | "certify.okta.crud-10-user-reactivated"
        | "certify.okta.crud-12-unassignment-deactivated" => user(&[Delete]),
        "certify.entra.create-group" => group(&[Create]),
        "certify.entra.update-group"
        | "certify.entra.group-add-member"
        | "certify.entra.group-remove-member" => group(&[Update]),
        "certify.entra.delete-group" => group(&[Delete]),
        "certify.entra.restore-group" => group(&[Delete, Create]),
        // Sent directly by the vendor's suite, not through the engine: left out only when
        // groups are not provisioned at all.
        "certify.entra.direct-group-create"
        | "certify.entra.direct-group-update"
        | "certify.entra.group-pagination"
        | "certify.okta.group-push" => group(&[]),
        _ => None,
    }
}

/// Why `probe` is not configured under `config` (None: it runs).
pub fn not_configured(
    probe: &str,
    config: &ProvisioningConfig,
    maps_active: bool,
) -> Option<String> {
    let (groups, actions) = needs(probe, maps_active)?;
    let (o, what): (&ObjectConfig, &str) = if groups {
        (&config.groups, "groups")
    } else {
        (&config.users, "users")
    };
    if !o.provision {
        return Some(format!(
            "not configured: the configuration does not provision {what} ({what}.provision = false)"
        ));
    }
    let off: Vec<&str> = actions
        .iter()
        .filter(|a| !o.allows(**a))
        .map(|a| match a {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
        })
        .collect();
    (!off.is_empty()).then(|| {
        format!(
            "not configured: {what}.actions leaves out {}",
            off.join(" and ")
        )
    })
}

/// The skipped report of a probe the configuration leaves out.
pub fn skipped(check: &crate::conformance::model::Check, reason: String) -> CheckReport {
    CheckReport {
        id: check.id.to_string(),
        title: check.title.to_string(),
        rfc: check.rfc.to_string(),
        level: check.level,
        area: check.area.to_string(),
        outcome: Outcome::Skip,
        reason,
        hint: None,
        quote: None,
        duration_ms: 0.0,
        evidence: Vec::new(),
    }
}

/// The readiness warning of an Entra prediction that left the group tests out: Microsoft's
/// validation decides group support from /Schemas, not from the app's configuration.
pub const ENTRA_GROUPS_WARNING: &str = "the configuration provisions no groups, so the group tests are reported not configured; Microsoft's validation runs them whatever the app's configuration (FAILED when /Schemas has no Group schema)";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::provisioning::parse;

    #[test]
    fn excluded_object_types_and_actions_are_not_configured() {
        let c = parse("[users]\nactions = [\"create\", \"delete\"]\n[groups]\nprovision = false\n")
            .unwrap_or_else(|e| panic!("{e}"));
        let nc = |p| not_configured(p, &c, true);
        assert!(nc("certify.entra.create-user").is_none());
        assert!(nc("certify.entra.delete-user").is_none());
        assert_eq!(
            nc("certify.entra.update-user").as_deref(),
            Some("not configured: users.actions leaves out update")
        );
        assert!(nc("certify.entra.direct-group-create").is_some_and(|r| r.contains("provision")));
        assert!(nc("certify.okta.group-push").is_some());
        // Direct and SPEC tests run whatever the configuration says.
        assert!(nc("certify.entra.direct-user-update").is_none());
        assert!(nc("certify.okta.spec-9-groups-endpoint").is_none());
        let all = parse("").unwrap_or_else(|e| panic!("{e}"));
        assert!(not_configured("certify.entra.restore-group", &all, false).is_none());
    }
}
