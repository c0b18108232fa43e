//! Entra's group provisioning tests (Create, Update, Delete, add and remove a member, restore):
//! the requests Entra's provisioning engine sends (its default dialect, or aadOptscim062020
//! with `--entra-dialect`), judged by what
//! Microsoft's validation counts as a successful step. Group support is mandatory for the
//! gallery: a target whose `/Schemas` lacks the Group schema fails these, never skips them.

use crate::certify::probe::{
    self, PATCH_OK, create_entra_user, expect, find, hex8, patch, read, settings,
};
use crate::check;
use crate::conformance::context::{Created, Ctx, GROUP};
use crate::conformance::model::{Check, CheckResult, Finding};
use serde_json::{Value, json};

/// The probes of Entra's group provisioning tests.
pub fn probes() -> Vec<Check> {
    vec![
        check!(create_group, "certify.entra.create-group", "Entra creates a group: filter on displayName finds none, POST, the filter finds it", "Entra SCIM Validation: Create_Group_Test", Dialect, [],
            fault FilterMiss404, "Serve /Groups (and the Group schema in /Schemas): a displayName filter that matches nothing answers 200 with an empty list, a POST 201."),
        check!(update_group, "certify.entra.update-group", "Entra renames a group with Replace displayName and reads it back", "Entra SCIM Validation: Update_Group_Test", Dialect, [],
            fault PatchOpCaseSensitive, "Accept PATCH op names in any case (Entra sends \"Replace\") on groups and store the new displayName."),
        check!(delete_group, "certify.entra.delete-group", "Entra deletes a group; the displayName filter no longer finds it", "Entra SCIM Validation: Delete_Group_Test", Dialect, [],
            fault DeleteIgnored, "Remove the group on DELETE: the displayName filter no longer returns it."),
        check!(add_member, "certify.entra.group-add-member", "Entra adds a member with Add members [{value}]", "Entra SCIM Validation: Group_Update_Add_Member_Test", Dialect, [],
            fault PatchOpCaseSensitive, "Accept PATCH \"Add\" of members with a value array (ops in any case)."),
        check!(remove_member, "certify.entra.group-remove-member", "Entra removes a member with Remove members and a value array", "Entra SCIM Validation: Group_Update_Remove_Member_Test", Dialect, [],
            fault PatchOpCaseSensitive, "Accept PATCH \"Remove\" of members with a value array naming the members to remove."),
        check!(restore_group, "certify.entra.restore-group", "Entra unassigns and reassigns a group: DELETE, then POST the same group again", "Entra SCIM Validation: Restore_Group_Test", Dialect, [],
            fault DeleteIgnored, "Remove the group on DELETE, so that the reassignment's POST of the same displayName creates it again."),
    ]
}

/// The groups endpoint, or the Fail Microsoft reports when group provisioning is unsupported.
pub fn groups(ctx: &Ctx) -> Result<String, Finding> {
    if !ctx.caps().serves_schema(GROUP) {
        return Err(Finding::fail(
            "the target's /Schemas has no urn:ietf:params:scim:schemas:core:2.0:Group: Microsoft fails the group tests (group provisioning is mandatory for the gallery)",
        ));
    }
    ctx.groups()
        .map(str::to_string)
        .map_err(|_| Finding::fail("the target has no Group resource type: Microsoft fails the group tests (group provisioning is mandatory for the gallery)"))
}

/// The body Entra's engine POSTs for a new group (mapped attributes, never members).
fn group_body(ctx: &Ctx, name: &str) -> Value {
    let mut body = json!({"schemas": [GROUP], "displayName": name});
    if probe::settings(ctx)
        .mapping
        .group
        .iter()
        .any(|m| m.target.eq_ignore_ascii_case("externalId"))
    {
        body["externalId"] = json!(uuid::Uuid::new_v4().to_string());
    }
    body
}

/// Create a group as Entra's engine does, judged 200/201 with an id.
async fn create_entra_group(ctx: &Ctx) -> Result<(Created, String), Finding> {
    let endpoint = groups(ctx)?;
    let name = ctx.name("g");
    let c = probe::create(
        ctx,
        &endpoint,
        &group_body(ctx, &name),
        probe::CREATE_OK,
        "create the group",
    )
    .await?;
    Ok((c, name))
}

async fn create_group(ctx: &Ctx) -> CheckResult {
    let endpoint = groups(ctx)?;
    let name = ctx.name("g");
    let before = find(
        ctx,
        &endpoint,
        "displayName",
        &name,
        "match the group before creating it",
    )
    .await?;
    if !before.is_empty() {
        return Err(Finding::fail(format!(
            "match the group: a filter on a displayName nobody has returned {} resources",
            before.len()
        )));
    }
    let c = probe::create(
        ctx,
        &endpoint,
        &group_body(ctx, &name),
        probe::CREATE_OK,
        "create the group",
    )
    .await?;
    let after = find(
        ctx,
        &endpoint,
        "displayName",
        &name,
        "find the created group",
    )
    .await?;
    if probe::holds(&after, &c.id) {
        Ok(())
    } else {
        Err(Finding::fail(format!(
            "find the created group: the displayName filter did not return it ({} resources)",
            after.len()
        )))
    }
}

async fn update_group(ctx: &Ctx) -> CheckResult {
    let (c, name) = create_entra_group(ctx).await?;
    let renamed = format!("{name}-renamed-{}", hex8());
    patch(
        ctx,
        &c,
        json!([{"op": settings(ctx).entra_dialect.op("replace"), "path": "displayName", "value": renamed}]),
        "rename the group",
    )
    .await?;
    let got = read(ctx, &c, "read the group back").await?;
    if probe::same(&json!(renamed), got.get("displayName")) {
        Ok(())
    } else {
        Err(Finding::fail(format!(
            "rename the group: answered 2xx but displayName reads back as {}",
            got.get("displayName")
                .map_or("(absent)".to_string(), Value::to_string)
        )))
    }
}

async fn delete_group(ctx: &Ctx) -> CheckResult {
    let endpoint = groups(ctx)?;
    let (c, name) = create_entra_group(ctx).await?;
    let r = ctx.delete_created(&c).await;
    expect(&r, &[200, 204], "delete the group")?;
    let hits = find(
        ctx,
        &endpoint,
        "displayName",
        &name,
        "look for the deleted group",
    )
    .await?;
    if hits.is_empty() {
        Ok(())
    } else {
        Err(Finding::fail(format!(
            "the DELETE answered {} but the displayName filter still finds the group",
            r.code()
        )))
    }
}

async fn add_member(ctx: &Ctx) -> CheckResult {
    let (g, _) = create_entra_group(ctx).await?;
    let (u, _) = create_entra_user(ctx, "member").await?;
    patch(
        ctx,
        &g,
        json!([{"op": settings(ctx).entra_dialect.op("add"), "path": "members", "value": [{"value": u.id}]}]),
        "add the member",
    )
    .await?;
    let got = read(ctx, &g, "read the group back").await?;
    not_dropped(&got, &u.id, true)
}

async fn remove_member(ctx: &Ctx) -> CheckResult {
    let (g, _) = create_entra_group(ctx).await?;
    let (u1, _) = create_entra_user(ctx, "member").await?;
    let (u2, _) = create_entra_user(ctx, "member").await?;
    patch(
        ctx,
        &g,
        json!([{"op": settings(ctx).entra_dialect.op("add"), "path": "members", "value": [{"value": u1.id}, {"value": u2.id}]}]),
        "add two members",
    )
    .await?;
    let r = ctx
        .patch(
            &g.location,
            json!([settings(ctx).entra_dialect.remove_member(&u1.id)]),
        )
        .await;
    expect(&r, PATCH_OK, "remove one member")?;
    let got = read(ctx, &g, "read the group back").await?;
    not_dropped(&got, &u1.id, false)
}

/// A read-back that shows members must agree with the change (a group served without members,
/// `returned: request`, is fine: Microsoft judges the PATCH's answer).
fn not_dropped(group: &Value, id: &str, want_present: bool) -> CheckResult {
    let Some(members) = group.get("members").and_then(Value::as_array) else {
        return Ok(());
    };
    let present = members.iter().any(|m| m["value"].as_str() == Some(id));
    match (want_present, present) {
        (true, false) if !members.is_empty() => Err(Finding::fail(format!(
            "the PATCH answered 2xx but the group's members do not include {id}"
        ))),
        (false, true) => Err(Finding::fail(format!(
            "the PATCH answered 2xx but {id} is still a member"
        ))),
        _ => Ok(()),
    }
}

async fn restore_group(ctx: &Ctx) -> CheckResult {
    let endpoint = groups(ctx)?;
    let (c, name) = create_entra_group(ctx).await?;
    let r = ctx.delete_created(&c).await;
    expect(&r, &[200, 204], "unassign (DELETE the group)")?;
    let gone = find(
        ctx,
        &endpoint,
        "displayName",
        &name,
        "look for the unassigned group",
    )
    .await?;
    if !gone.is_empty() {
        return Err(Finding::fail(
            "unassign: the DELETE answered 2xx but the group is still found",
        ));
    }
    let again = probe::create(
        ctx,
        &endpoint,
        &group_body(ctx, &name),
        probe::CREATE_OK,
        "reassign (POST the same group again)",
    )
    .await?;
    let hits = find(
        ctx,
        &endpoint,
        "displayName",
        &name,
        "find the re-created group",
    )
    .await?;
    if probe::holds(&hits, &again.id) {
        Ok(())
    } else {
        Err(Finding::fail(
            "reassign: the re-created group is not found by displayName",
        ))
    }
}
