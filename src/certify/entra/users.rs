//! Entra's user provisioning tests (Create, Update, Disable, Delete, manager, restore): the SCIM
//! requests Entra's provisioning engine sends for each, in its default dialect (capitalised
//! ops, `active` as the string "False", the manager as a bare id; or the aadOptscim062020
//! dialect with `--entra-dialect`), judged by what Microsoft's
//! validation counts as a successful provisioning step.

use crate::certify::mapping;
use crate::certify::probe::{
    self, PATCH_OK, create_entra_user, expect, find, hex8, patch, plain, read, same, settings,
};
use crate::check;
use crate::conformance::context::{Ctx, ENTERPRISE};
use crate::conformance::model::{Check, CheckResult, Finding};
use crate::scim::provisioning::AttrType;
use serde_json::{Value, json};

/// The probes of Entra's user provisioning tests.
pub fn probes() -> Vec<Check> {
    vec![
        check!(create_user, "certify.entra.create-user", "Entra creates a user: filter on userName finds none, POST, the filter finds it", "Entra SCIM Validation: Create_User_Test", Dialect, [],
            fault FilterMiss404, "Answer a filter that matches nothing with 200 and an empty ListResponse, and a POST /Users with 201 and the user."),
        check!(update_user, "certify.entra.update-user", "Entra updates the mapped attributes with capitalised Replace ops and reads the values back", "Entra SCIM Validation: Update_User_Test", Dialect, [],
            fault PatchOpCaseSensitive, "Accept PATCH op names in any case (Entra sends \"Replace\") and store every mapped attribute it replaces."),
        check!(disable_user, "certify.entra.disable-user", "Entra disables a user with Replace active \"False\"; the user is still served, inactive", "Entra SCIM Validation: Disable_User_Test", Dialect, [],
            fault ActiveIgnored, "Accept PATCH Replace of active with the string \"False\" (Entra's default) and keep serving inactive users."),
        check!(delete_user, "certify.entra.delete-user", "Entra deletes a user; it is gone afterwards (404 or no filter match)", "Entra SCIM Validation: Delete_User_Test", Dialect, [],
            fault DeleteIgnored, "Remove the user on DELETE: later GETs answer 404 and filters do not return it."),
        check!(manager_engine, "certify.entra.user-manager", "Entra sets, changes and removes the enterprise manager (bare id string, then Remove)", "Entra SCIM Validation: User_Update_Manager_Test", Dialect, [],
            fault ManagerStringRejected, "Accept the enterprise manager as a bare id string in PATCH add/Replace (Entra's default), and a Remove of it."),
        check!(restore_user, "certify.entra.restore-user", "Entra unassigns and reassigns a user: soft delete and restore via active, or delete and re-create", "Entra SCIM Validation: Restore_User_Test", Dialect, [],
            fault ActiveIgnored, "Store active=false on unassignment and active=true on reassignment, and keep the user retrievable in between."),
    ]
}

async fn create_user(ctx: &Ctx) -> CheckResult {
    let users = ctx.users().to_string();
    let name = probe::user_name(ctx, "u");
    let before = find(
        ctx,
        &users,
        "userName",
        &name,
        "match the user before creating it",
    )
    .await?;
    if !before.is_empty() {
        return Err(Finding::fail(format!(
            "match the user before creating it: a filter on a userName nobody has returned {} resources",
            before.len()
        )));
    }
    let body = probe::user_body(ctx, &name, &hex8());
    let c = probe::create(ctx, &users, &body, probe::CREATE_OK, "create the user").await?;
    let after = find(ctx, &users, "userName", &name, "find the created user").await?;
    if !probe::holds(&after, &c.id) {
        return Err(Finding::fail(format!(
            "find the created user: GET {users}?filter=userName eq \"{name}\" did not return it ({} resources)",
            after.len()
        )));
    }
    Ok(())
}

async fn update_user(ctx: &Ctx) -> CheckResult {
    let (c, user_name) = create_entra_user(ctx, "u").await?;
    let tag = hex8();
    let changed: Vec<(String, Value)> = settings(ctx)
        .mapping
        .user
        .iter()
        .filter(|m| plain(m) && m.kind == AttrType::String)
        .map(|m| (m.target.clone(), probe::value_for(m, &tag, &user_name)))
        .collect();
    if changed.is_empty() {
        return Err(Finding::skip(
            "the mapping has no attribute besides userName, active and externalId to update",
        ));
    }
    let ops = settings(ctx).entra_dialect.replace_ops(&changed);
    patch(ctx, &c, json!(ops), "update the mapped attributes").await?;
    let got = read(ctx, &c, "read the user back").await?;
    let wrong: Vec<String> = changed
        .iter()
        .filter(|(p, v)| !same(v, mapping::get(&got, p)))
        .map(|(p, v)| format!("{p}: sent {v}, read {}", shown(mapping::get(&got, p))))
        .collect();
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(Finding::fail(format!(
            "the update answered 2xx but {} of {} values do not read back: {}",
            wrong.len(),
            changed.len(),
            wrong.join("; ")
        )))
    }
}

/// `(absent)` or the JSON value.
pub fn shown(v: Option<&Value>) -> String {
    v.map_or_else(|| "(absent)".to_string(), Value::to_string)
}

/// Whether a read-back `active` is false (a boolean, or the string Entra sent).
fn inactive(v: &Value) -> bool {
    v["active"] == json!(false)
        || v["active"]
            .as_str()
            .is_some_and(|s| s.eq_ignore_ascii_case("false"))
}

fn active(v: &Value) -> bool {
    v["active"] == json!(true)
        || v["active"]
            .as_str()
            .is_some_and(|s| s.eq_ignore_ascii_case("true"))
}

async fn disable_user(ctx: &Ctx) -> CheckResult {
    let (c, _) = create_entra_user(ctx, "u").await?;
    let d = settings(ctx).entra_dialect;
    patch(
        ctx,
        &c,
        json!([{"op": d.op("replace"), "path": "active", "value": d.boolean(false)}]),
        &format!(
            "disable the user (replace active {}, as {} sends it)",
            d.boolean(false),
            d.describe()
        ),
    )
    .await?;
    let got = read(ctx, &c, "read the disabled user").await?;
    if !inactive(&got) {
        return Err(Finding::fail(format!(
            "the disable answered 2xx but the user reads back with active {}",
            shown(got.get("active"))
        )));
    }
    Ok(())
}

async fn delete_user(ctx: &Ctx) -> CheckResult {
    let (c, name) = create_entra_user(ctx, "u").await?;
    let r = ctx.delete_created(&c).await;
    expect(&r, &[200, 204], "delete the user")?;
    let g = ctx.get(&c.location).await;
    if g.status == Some(404) {
        return Ok(());
    }
    let users = ctx.users().to_string();
    let hits = find(ctx, &users, "userName", &name, "look for the deleted user").await?;
    if hits.is_empty() {
        Ok(())
    } else {
        Err(Finding::fail(format!(
            "the DELETE answered {} but GET answers {} and the filter still finds the user",
            r.code(),
            g.code()
        )))
    }
}

/// The manager's value as read back: `manager.value`, or a bare string.
pub fn manager_of(v: &Value) -> Option<String> {
    let m = mapping::get(v, &format!("{ENTERPRISE}:manager"))?;
    match m {
        Value::String(s) => Some(s.clone()),
        other => other["value"].as_str().map(str::to_string),
    }
}

async fn manager_engine(ctx: &Ctx) -> CheckResult {
    let Some(m) = settings(ctx).mapping.user_leaf("manager").cloned() else {
        return Err(Finding::skip(
            "the mapping has no manager attribute (Microsoft skips this test then)",
        ));
    };
    let (c, _) = create_entra_user(ctx, "u").await?;
    let (m1, _) = create_entra_user(ctx, "m1").await?;
    let (m2, _) = create_entra_user(ctx, "m2").await?;
    let path = m.target.clone();
    let d = settings(ctx).entra_dialect;
    for (op, who, step) in [
        (d.op("add"), &m1, "set the manager"),
        (d.op("replace"), &m2, "change the manager"),
    ] {
        patch(
            ctx,
            &c,
            json!([{"op": op, "path": path, "value": who.id}]),
            step,
        )
        .await?;
        let got = read(ctx, &c, "read the manager back").await?;
        if manager_of(&got).as_deref() != Some(who.id.as_str()) {
            return Err(Finding::fail(format!(
                "{step}: answered 2xx but the user reads back with manager {} (wanted {})",
                manager_of(&got).unwrap_or_else(|| "(absent)".into()),
                who.id
            )));
        }
    }
    let r = ctx
        .patch(&c.location, json!([{"op": d.op("remove"), "path": path}]))
        .await;
    expect(&r, PATCH_OK, "remove the manager")?;
    let got = read(ctx, &c, "read the user after removing the manager").await?;
    match manager_of(&got) {
        None => Ok(()),
        Some(v) => Err(Finding::fail(format!(
            "remove the manager: answered {} but the user still has manager {v}",
            r.code()
        ))),
    }
}

async fn restore_user(ctx: &Ctx) -> CheckResult {
    let s = settings(ctx);
    let users = ctx.users().to_string();
    if s.mapping.maps_user("active") {
        // Soft delete: unassignment sends active false, reassignment true.
        let d = s.entra_dialect;
        let (c, _) = create_entra_user(ctx, "u").await?;
        patch(
            ctx,
            &c,
            json!([{"op": d.op("replace"), "path": "active", "value": d.boolean(false)}]),
            &format!(
                "unassign (replace active {}, as {} sends it)",
                d.boolean(false),
                d.describe()
            ),
        )
        .await?;
        let got = read(ctx, &c, "read the unassigned user").await?;
        if !inactive(&got) {
            return Err(Finding::fail(format!(
                "unassign: answered 2xx but the user reads back with active {} (SoftDeleteRestore)",
                shown(got.get("active"))
            )));
        }
        patch(
            ctx,
            &c,
            json!([{"op": d.op("replace"), "path": "active", "value": d.boolean(true)}]),
            &format!("reassign (replace active {})", d.boolean(true)),
        )
        .await?;
        let got = read(ctx, &c, "read the restored user").await?;
        if !active(&got) {
            return Err(Finding::fail(format!(
                "reassign: answered 2xx but the user reads back with active {} (SoftDeleteRestore)",
                shown(got.get("active"))
            )));
        }
        return Ok(());
    }
    // Without active in the mapping: unassignment deletes, reassignment creates again.
    let (c, name) = create_entra_user(ctx, "u").await?;
    let r = ctx.delete_created(&c).await;
    expect(&r, &[200, 204], "unassign (DELETE)")?;
    let body = probe::user_body(ctx, &name, &hex8());
    let again = probe::create(
        ctx,
        &users,
        &body,
        probe::CREATE_OK,
        "reassign (POST the same user again)",
    )
    .await?;
    let hits = find(ctx, &users, "userName", &name, "find the re-created user").await?;
    if probe::holds(&hits, &again.id) {
        Ok(())
    } else {
        Err(Finding::fail(
            "reassign: the re-created user is not found by userName (UnassignReassign)",
        ))
    }
}
