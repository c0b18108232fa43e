//! Okta's SCIM 2.0 CRUD test, emulated: the steps on Okta's own API become the SCIM requests
//! Okta's provisioning engine sends for them in the OIN profile (filter then POST to assign,
//! GET then PUT of the whole user for a profile change, a path-less PATCH of `active` to
//! deactivate, reactivate and unassign), and each SCIM-side step applies the test's assertions.
//! Also Okta Group Push (POST, PATCH of the name and of the members), which OIN reviews check
//! for integrations that push groups.

use crate::certify::okta::runscope::{
    CRUD_READ, ENGINE_READ, ENGINE_WRITE, OktaUser, crud_read, engine_set_active, engine_user,
    equals_text, filter_path, shown,
};
use crate::certify::probe::{expect, read};
use crate::check;
use crate::conformance::context::{Created, Ctx, GROUP, PATCH_OP, truncate};
use crate::conformance::model::{Check, CheckResult, Finding};
use serde_json::{Value, json};

/// The probes of the CRUD test's SCIM-side steps and of Group Push.
pub fn probes() -> Vec<Check> {
    vec![
        check!(crud_3, "certify.okta.crud-3-user-created", "Okta assigns a user (filter, POST 201); a userName filter finds it with its email and names", "Okta SCIM 2.0 CRUD test: step 3", Dialect, [],
            fault ListResourcesLowercase, "Create the user Okta POSTs (201) and return it from a userName filter in Resources, with userName, emails[0].value, name.givenName and name.familyName as sent."),
        check!(crud_5, "certify.okta.crud-5-firstname-update", "Okta changes the first name (GET, then PUT of the whole user); GET returns the new givenName", "Okta SCIM 2.0 CRUD test: step 5", Dialect, [],
            fault PutIgnored, "Apply PUT /Users/{id} (Okta sends the whole user on a profile change) and serve the stored name.givenName."),
        check!(crud_7, "certify.okta.crud-7-user-deactivated", "Okta deactivates the user (PATCH replace {active:false}); GET returns it with active false", "Okta SCIM 2.0 CRUD test: step 7", Dialect, [],
            fault ActiveIgnored, "Apply a path-less PATCH replace of {\"active\": false} and keep serving the inactive user (Okta never deletes)."),
        check!(crud_10, "certify.okta.crud-10-user-reactivated", "Okta reactivates the deactivated user (PATCH replace {active:true}); GET returns it with active true", "Okta SCIM 2.0 CRUD test: step 10", Dialect, [],
            fault ActiveIgnored, "Store active from a path-less PATCH replace both ways: false on deactivation, true on reactivation, on the same user id."),
        check!(crud_12, "certify.okta.crud-12-unassignment-deactivated", "Okta unassigns the reactivated user (PATCH replace {active:false}); GET returns it with active false", "Okta SCIM 2.0 CRUD test: step 12", Dialect, [],
            fault ActiveIgnored, "Treat Okta's unassignment (a path-less PATCH replace of {\"active\": false}) as a deactivation and keep the user readable."),
        check!(group_push, "certify.okta.group-push", "Okta Group Push: POST /Groups 201, PATCH of the name, add, swap and remove members, each read back, DELETE", "Okta Group Push (OIN profile)", Dialect, [],
            fault PatchAddReplacesMembers, "Create groups with 201, apply Okta's PATCHes (path-less replace of {id, displayName}; add with path members; remove with members[value eq \"…\"]) and delete with 204."),
    ]
}

async fn crud_3(ctx: &Ctx) -> CheckResult {
    let (_, user) = engine_user(ctx, "u").await?;
    let step = "step 3 (filter on the assigned user's userName)";
    let r = ctx
        .send(
            "GET",
            &filter_path(ctx.users(), "userName", &user.user_name),
            None,
            CRUD_READ,
        )
        .await;
    expect(&r, &[200], step)?;
    let Some(first) = r.body().pointer("/Resources/0") else {
        return Err(Finding::fail(format!(
            "{step}: the answer has no Resources[0]: {}",
            truncate(&r.text, 300)
        )));
    };
    let failed: Vec<String> = [
        ("/userName", &user.user_name),
        ("/emails/0/value", &user.user_name),
        ("/name/familyName", &user.family),
        ("/name/givenName", &user.given),
    ]
    .iter()
    .filter(|(p, want)| !equals_text(first.pointer(p), want))
    .map(|(p, want)| {
        format!(
            "Resources[0]{p} is {}, not {want:?}",
            shown(first.pointer(p))
        )
    })
    .collect();
    crate::certify::okta::runscope::all_hold(step, failed, &r)
}

async fn crud_5(ctx: &Ctx) -> CheckResult {
    let (c, user) = engine_user(ctx, "u").await?;
    // Okta reads the user before every profile change and PUTs the whole resource back.
    let r = ctx.send("GET", &c.location, None, ENGINE_READ).await;
    expect(&r, &[200], "Okta's read before the update")?;
    let updated = format!("{}update", user.given);
    let body = put_body(r.body(), &c, &user, &updated);
    let r = ctx
        .send("PUT", &c.location, Some(&body), ENGINE_WRITE)
        .await;
    expect(&r, &[200], "Okta's update (PUT /Users/{id})")?;
    let got = crud_read(ctx, &c, "step 5 (GET /Users/{id})").await?;
    if equals_text(got.pointer("/name/givenName"), &updated) {
        Ok(())
    } else {
        Err(Finding::fail(format!(
            "step 5: name.givenName is {}, not {updated:?} (the PUT answered 200)",
            shown(got.pointer("/name/givenName"))
        )))
    }
}

/// The PUT Okta sends for a profile change: the user as Okta holds it (id, userName, names,
/// emails, active, groups, meta.resourceType), with the new given name.
fn put_body(read: &Value, c: &Created, user: &OktaUser, given: &str) -> Value {
    let active = read.get("active").cloned().unwrap_or(json!(true));
    json!({
        "schemas": [crate::conformance::context::USER],
        "id": c.id,
        "userName": user.user_name,
        "name": {"givenName": given, "familyName": user.family},
        "emails": [{"primary": true, "value": user.user_name, "type": "work", "display": user.user_name}],
        "active": active,
        "groups": [],
        "meta": {"resourceType": "User"}
    })
}

/// The CRUD test's read of `active`: Fail naming `step` unless its text is `want`.
async fn active_is(ctx: &Ctx, c: &Created, want: bool, step: &str) -> CheckResult {
    let got = crud_read(ctx, c, step).await?;
    if equals_text(got.get("active"), &want.to_string()) {
        Ok(())
    } else {
        Err(Finding::fail(format!(
            "{step}: active is {}, not {want}",
            shown(got.get("active"))
        )))
    }
}

async fn crud_7(ctx: &Ctx) -> CheckResult {
    let (c, _) = engine_user(ctx, "u").await?;
    engine_set_active(ctx, &c, false, "Okta's deactivation (PATCH active false)").await?;
    active_is(ctx, &c, false, "step 7 (GET /Users/{id})").await
}

async fn crud_10(ctx: &Ctx) -> CheckResult {
    let (c, _) = engine_user(ctx, "u").await?;
    engine_set_active(ctx, &c, false, "Okta's deactivation (PATCH active false)").await?;
    // Step 7 of the same run: a reactivation is only visible on a user that went inactive.
    active_is(
        ctx,
        &c,
        false,
        "step 7 of the same run (the reactivation cannot be shown)",
    )
    .await?;
    engine_set_active(ctx, &c, true, "Okta's reactivation (PATCH active true)").await?;
    active_is(ctx, &c, true, "step 10 (GET /Users/{id})").await
}

async fn crud_12(ctx: &Ctx) -> CheckResult {
    let (c, _) = engine_user(ctx, "u").await?;
    engine_set_active(ctx, &c, false, "Okta's deactivation (PATCH active false)").await?;
    engine_set_active(ctx, &c, true, "Okta's reactivation (PATCH active true)").await?;
    engine_set_active(ctx, &c, false, "Okta's unassignment (PATCH active false)").await?;
    active_is(ctx, &c, false, "step 12 (GET /Users/{id})").await
}

/// One PATCH of Group Push, judged 200/204.
async fn push(ctx: &Ctx, g: &Created, ops: Value, step: &str) -> CheckResult {
    let body = json!({"schemas": [PATCH_OP], "Operations": ops});
    let r = ctx
        .send("PATCH", &g.location, Some(&body), ENGINE_WRITE)
        .await;
    expect(&r, &[200, 204], step)
}

/// The member ids of a group as read back.
fn member_ids(g: &Value) -> Vec<String> {
    g["members"]
        .as_array()
        .map(|m| {
            m.iter()
                .filter_map(|x| x["value"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Reads the group back: Fail naming `step` unless its members are exactly `want`.
async fn members_are(ctx: &Ctx, g: &Created, want: &[&str], step: &str) -> CheckResult {
    let got = read(ctx, g, step).await?;
    let mut have = member_ids(&got);
    have.sort();
    let mut want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
    want.sort();
    if have == want {
        Ok(())
    } else {
        Err(Finding::fail(format!(
            "{step}: members are {have:?}, wanted {want:?}"
        )))
    }
}

async fn group_push(ctx: &Ctx) -> CheckResult {
    let groups = ctx.groups()?.to_string();
    let (m1, u1) = engine_user(ctx, "member1").await?;
    let (m2, u2) = engine_user(ctx, "member2").await?;
    let (m3, u3) = engine_user(ctx, "member3").await?;
    let name = ctx.name("Test SCIMv2");
    let body = json!({"schemas": [GROUP], "displayName": name, "members": []});
    let r = ctx.send("POST", &groups, Some(&body), ENGINE_WRITE).await;
    let created = match r.status {
        Some(200..=299) => Some(ctx.created_from(&r, &groups, "group")?),
        _ => None,
    };
    expect(&r, &[201], "push the group (POST /Groups)")?;
    let Some(g) = created else {
        return Err(Finding::error("POST /Groups answered 201 without a group"));
    };
    let name_sync = json!([{"op": "replace", "value": {"id": g.id, "displayName": name}}]);
    let member = |c: &Created, u: &OktaUser| json!({"value": c.id, "display": u.user_name});
    push(
        ctx,
        &g,
        name_sync.clone(),
        "sync the group name (path-less replace)",
    )
    .await?;
    push(
        ctx,
        &g,
        json!([{"op": "add", "path": "members", "value": [member(&m1, &u1), member(&m2, &u2)]}]),
        "add two members",
    )
    .await?;
    members_are(ctx, &g, &[&m1.id, &m2.id], "read the group after the add").await?;
    push(
        ctx,
        &g,
        name_sync.clone(),
        "sync the group name before the swap",
    )
    .await?;
    push(
        ctx,
        &g,
        json!([
            {"op": "remove", "path": format!("members[value eq \"{}\"]", m1.id)},
            {"op": "add", "path": "members", "value": [member(&m3, &u3)]}
        ]),
        "swap a member (remove by filter and add in one PATCH)",
    )
    .await?;
    members_are(ctx, &g, &[&m2.id, &m3.id], "read the group after the swap").await?;
    push(ctx, &g, name_sync, "sync the group name before the removal").await?;
    push(
        ctx,
        &g,
        json!([{"op": "remove", "path": format!("members[value eq \"{}\"]", m2.id)}]),
        "remove a member",
    )
    .await?;
    members_are(ctx, &g, &[&m3.id], "read the group after the removal").await?;
    let r = ctx.delete_created(&g).await;
    expect(&r, &[204], "delete the pushed group")?;
    let r = ctx.get(&g.location).await;
    expect(&r, &[404], "read the deleted group")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_profile_put_is_the_whole_user_with_the_new_given_name() {
        let user = OktaUser::from_parts("scimtest-1a2b3c4d-x-0-u", "0f9e8d7c");
        let c = Created {
            id: "42".into(),
            location: "http://h/Users/42".into(),
            body: Value::Null,
        };
        let b = put_body(&json!({"active": false}), &c, &user, "Newname");
        assert_eq!(b["id"], "42");
        assert_eq!(b["userName"], json!(user.user_name));
        assert_eq!(b["name"]["givenName"], "Newname");
        assert_eq!(b["name"]["familyName"], json!(user.family));
        assert_eq!(b["emails"][0]["value"], json!(user.user_name));
        assert_eq!(b["active"], false, "the state read is sent back");
        assert_eq!(put_body(&json!({}), &c, &user, "N")["active"], true);
    }

    #[test]
    fn member_ids_ignore_members_without_a_value() {
        let g = json!({"members": [{"value": "a"}, {"display": "x"}, {"value": "b"}]});
        assert_eq!(member_ids(&g), vec!["a", "b"]);
        assert!(member_ids(&json!({})).is_empty());
    }
}
