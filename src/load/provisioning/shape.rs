//! Which operations of a plan a provisioning configuration leaves out: operations on an object
//! type that is not provisioned, creates / updates / deletes whose action is not switched on,
//! and a DELETE where deprovisioning is a soft delete (a deactivation instead) or a
//! deactivation where it is a DELETE. The data pool holds no groups when groups are not
//! provisioned.

use crate::load::engine::{Plan, PlanOp};
use crate::load::scenario::Op;
use crate::scim::provisioning::{Action, Deprovision, ObjectConfig, ProvisioningConfig};

/// One operation of the scenario the configuration does not send as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    /// The scenario's operation.
    pub op: Op,
    /// Why: "groups are not provisioned", "users: update is not switched on", ...
    pub reason: String,
    /// What is sent in its place, if anything (a soft delete for a DELETE).
    pub instead: Option<Op>,
}

/// A plan shaped by a configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Shaped {
    /// What runs.
    pub plan: Plan,
    /// What the configuration left out or replaced, once per operation of the scenario.
    pub left_out: Vec<LeftOut>,
}

fn is_group_op(op: Op) -> bool {
    matches!(
        op,
        Op::ListGroups
            | Op::ListGroupsCursor
            | Op::CreateGroup
            | Op::AddMembers
            | Op::RemoveMembers
            | Op::DeleteGroup
            | Op::ReplaceMembers
            | Op::ReadGroup
            | Op::CheckMembers
    )
}

/// The action an operation performs, or `None` for a read (reads come with provisioning the
/// object type: existence checks, read-backs, imports).
fn action_of(op: Op) -> Option<Action> {
    match op {
        Op::CreateUser | Op::BulkCreateUsers | Op::CreateGroup => Some(Action::Create),
        Op::PatchUser | Op::PutUser | Op::AddMembers | Op::RemoveMembers | Op::ReplaceMembers => {
            Some(Action::Update)
        }
        Op::DeleteUser | Op::BulkDeleteUsers | Op::DeactivateUser | Op::DeleteGroup => {
            Some(Action::Delete)
        }
        Op::GetUser
        | Op::FilterUser
        | Op::ListUsers
        | Op::ListUsersCursor
        | Op::ListGroups
        | Op::ListGroupsCursor
        | Op::ReadGroup
        | Op::CheckMembers => None,
    }
}

fn word(a: Action) -> &'static str {
    match a {
        Action::Create => "create",
        Action::Update => "update",
        Action::Delete => "delete",
    }
}

/// What becomes of one operation: `Ok(op)` to send (maybe another), `Err(reason)` to leave out.
fn decide(op: Op, o: &ObjectConfig, kind: &str, already_deactivates: bool) -> Result<Op, String> {
    if !o.provision {
        return Err(format!("{kind} are not provisioned"));
    }
    let Some(action) = action_of(op) else {
        return Ok(op);
    };
    if !o.allows(action) {
        return Err(format!("{kind}: {} is not switched on", word(action)));
    }
    if kind != "users" {
        return Ok(op);
    }
    match (op, o.deprovision) {
        (Op::DeleteUser, Deprovision::SoftDelete) if already_deactivates => {
            Err("users: deprovision = soft-delete, and the scenario deactivates already".into())
        }
        (Op::DeleteUser, Deprovision::SoftDelete) => Ok(Op::DeactivateUser),
        (Op::BulkDeleteUsers, Deprovision::SoftDelete) => {
            Err("users: deprovision = soft-delete (users are deactivated, never deleted)".into())
        }
        (Op::DeactivateUser, Deprovision::Delete) => {
            Err("users: deprovision = delete (users are deleted, not deactivated)".into())
        }
        _ => Ok(op),
    }
}

/// `plan` as `cfg` provisions it.
pub fn shape(plan: Plan, cfg: &ProvisioningConfig) -> Shaped {
    let already_deactivates = plan.ops.iter().any(|p| p.op == Op::DeactivateUser);
    let mut left_out = Vec::new();
    let mut ops: Vec<PlanOp> = Vec::new();
    for p in &plan.ops {
        let (o, kind) = if is_group_op(p.op) {
            (&cfg.groups, "groups")
        } else {
            (&cfg.users, "users")
        };
        match decide(p.op, o, kind, already_deactivates) {
            Ok(op) if op == p.op => ops.push(p.clone()),
            Ok(op) => {
                left_out.push(LeftOut {
                    op: p.op,
                    reason: format!("{kind}: deprovision = soft-delete"),
                    instead: Some(op),
                });
                ops.push(PlanOp { op, ..p.clone() });
            }
            Err(reason) => left_out.push(LeftOut {
                op: p.op,
                reason,
                instead: None,
            }),
        }
    }
    let mut plan = Plan { ops, ..plan };
    if !cfg.groups.provision {
        plan.pool_groups = 0;
        plan.members_per_group = 0;
    }
    Shaped { plan, left_out }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::provisioning::parse;

    fn plan_of(name: &str) -> Plan {
        crate::load::plan_for(name)
            .unwrap_or_else(|e| panic!("{e}"))
            .1
    }

    fn ops(p: &Plan) -> Vec<Op> {
        p.ops.iter().map(|o| o.op).collect()
    }

    #[test]
    fn users_only_without_update_leaves_out_groups_and_patches() {
        let cfg = parse(
            "[users]\nactions = [\"create\", \"delete\"]\ndeprovision = \"delete\"\n\
             [groups]\nprovision = false\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let s = shape(plan_of("smoke"), &cfg);
        assert_eq!(
            ops(&s.plan),
            [Op::FilterUser, Op::CreateUser, Op::GetUser, Op::ListUsers]
        );
        assert_eq!(s.plan.pool_groups, 0);
        let out: Vec<(Op, &str)> = s
            .left_out
            .iter()
            .map(|l| (l.op, l.reason.as_str()))
            .collect();
        assert_eq!(
            out,
            [
                (Op::PatchUser, "users: update is not switched on"),
                (Op::AddMembers, "groups are not provisioned"),
                (Op::RemoveMembers, "groups are not provisioned"),
            ]
        );
        // group-churn is nothing but what this configuration excludes.
        assert!(shape(plan_of("group-churn"), &cfg).plan.ops.is_empty());
    }

    #[test]
    fn deprovisioning_decides_between_delete_and_deactivate() {
        let soft =
            parse("[users]\ndeprovision = \"soft-delete\"\n").unwrap_or_else(|e| panic!("{e}"));
        // deprovision: create, deactivate, get, delete → the DELETE goes (it deactivates already).
        let s = shape(plan_of("deprovision"), &soft);
        assert_eq!(
            ops(&s.plan),
            [Op::CreateUser, Op::DeactivateUser, Op::GetUser]
        );
        let hard = parse("[users]\ndeprovision = \"delete\"\n").unwrap_or_else(|e| panic!("{e}"));
        let s = shape(plan_of("deprovision"), &hard);
        assert_eq!(ops(&s.plan), [Op::CreateUser, Op::GetUser, Op::DeleteUser]);
        // A DELETE alone under soft delete becomes a deactivation, said so.
        let mut p = plan_of("deprovision");
        p.ops.retain(|o| o.op != Op::DeactivateUser);
        let s = shape(p, &soft);
        assert_eq!(
            ops(&s.plan),
            [Op::CreateUser, Op::GetUser, Op::DeactivateUser]
        );
        assert_eq!(s.left_out[0].instead, Some(Op::DeactivateUser));
        // Everything provisioned: nothing left out.
        let all = parse("").unwrap_or_else(|e| panic!("{e}"));
        let s = shape(plan_of("smoke"), &all);
        assert!(s.left_out.is_empty());
        assert_eq!(s.plan, plan_of("smoke"));
    }
}
