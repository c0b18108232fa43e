//! Tenant isolation (RFC 7644 §6 multi-tenancy, §7 security considerations; RFC 7643 §2.2 on
//! uniqueness "within the tenancy"): with `--second-token`, the run holds two credentials the
//! user says belong to different tenants. Tenant A (the main credential) creates resources;
//! tenant B must not read, list, find, change, delete, bulk-reference or link them, nor learn
//! that they exist (the answer for A's id is the answer for an id that exists nowhere). What B
//! creates is tracked on B's own ledger and removed with B's credential.
//!
//! The RFC makes multi-tenancy optional and sets no MUST for it; these checks are MUST here
//! because a user who names two tenants is asking whether data leaks between them, and a leak
//! is a security defect, not a style question. All are proved by the provider fault
//! `tenants-shared`.

use crate::check;
use crate::client::enc;
use crate::client::http::Resp;
use crate::conformance::context::{BULK_REQUEST, Ctx, SEARCH, USER, ids, reached, truncate};
use crate::conformance::model::{Check, CheckResult, Finding};
use serde_json::{Value, json};

/// The isolation checks.
pub fn checks() -> Vec<Check> {
    vec![
        check!(read_by_id, "isolation.read-by-id", "Tenant B cannot read tenant A's user by id, nor tell it exists", "RFC 7644 §6, §7", Should, [SecondTenant],
            fault TenantsShared, "Resolve every resource lookup inside the authenticated tenant; answer another tenant's id exactly like an id that does not exist (404 with the same error body)."),
        check!(list_and_filter, "isolation.list-filter", "Tenant B's lists, filters and .search never return tenant A's resources", "RFC 7644 §6, §3.4.2, §3.4.3", Should, [SecondTenant, Filter],
            fault TenantsShared, "Scope every list, filter and .search query to the authenticated tenant before filtering and counting (totalResults included)."),
        check!(writes, "isolation.write", "Tenant B cannot PATCH, PUT or DELETE tenant A's user", "RFC 7644 §6, §3.5, §3.6", Should, [SecondTenant],
            fault TenantsShared, "Look the target resource up inside the authenticated tenant before any write; another tenant's id is 404 and nothing changes."),
        check!(group_members, "isolation.group-member", "Tenant B cannot make tenant A's user a member of its group", "RFC 7644 §6; RFC 7643 §4.2", Should, [SecondTenant, Groups],
            fault TenantsShared, "Resolve member values inside the group's tenant: another tenant's id is an unknown member (400 invalidValue), never a link to that user."),
        check!(bulk, "isolation.bulk", "Tenant B's Bulk operations cannot reach tenant A's user", "RFC 7644 §6, §3.7", Should, [SecondTenant, Bulk],
            fault TenantsShared, "Run each Bulk operation with the request's tenant: an operation on another tenant's id fails with 404 and changes nothing."),
        check!(username_oracle, "isolation.username-per-tenant", "Tenant B can use a userName tenant A holds (no 409 that reveals it)", "RFC 7643 §2.2; RFC 7644 §6", Advice, [SecondTenant],
            fault TenantsShared, "Enforce userName uniqueness within a tenant: a 409 for a name only another tenant holds tells B that A has such a user."),
    ]
}

/// A user of tenant A, with a display name to compare against later.
async fn a_user(c: &Ctx) -> Result<(String, String, String), Finding> {
    let u = c
        .create_user(json!({"displayName": "tenant A original"}))
        .await?;
    let user_name = u.body["userName"].as_str().unwrap_or_default().to_string();
    Ok((u.id, u.location, user_name))
}

/// Fail when B got a 2xx for something of A's.
fn refused(r: &Resp, what: &str) -> CheckResult {
    reached(r)?;
    if (200..300).contains(&r.code()) {
        return Err(Finding::fail(format!(
            "tenant B's {what} answered {}: {}",
            r.code(),
            truncate(&r.text, 300)
        )));
    }
    Ok(())
}

/// A's user is still there, unchanged.
async fn a_unchanged(c: &Ctx, location: &str) -> CheckResult {
    let r = c.get(location).await;
    reached(&r)?;
    if r.code() != 200 {
        return Err(Finding::fail(format!(
            "after tenant B's requests, tenant A's GET of its own user answered {}: B deleted it",
            r.code()
        )));
    }
    if r.body()["displayName"] != "tenant A original" {
        return Err(Finding::fail(format!(
            "after tenant B's requests, tenant A's user has displayName {}: B changed it",
            r.body()["displayName"]
        )));
    }
    Ok(())
}

async fn read_by_id(c: &Ctx) -> CheckResult {
    let (id, _, _) = a_user(c).await?;
    let theirs = c.as_second("GET", &c.user_path(&enc(&id)), None).await?;
    refused(&theirs, "GET of tenant A's user")?;
    let nowhere = uuid::Uuid::new_v4().to_string();
    let absent = c.as_second("GET", &c.user_path(&nowhere), None).await?;
    reached(&absent)?;
    if theirs.code() != absent.code() {
        return Err(Finding::fail(format!(
            "tenant B gets {} for tenant A's user id but {} for an id that exists nowhere: the \
             difference tells B that A's id exists",
            theirs.code(),
            absent.code()
        )));
    }
    let detail = |r: &Resp| r.body()["scimType"].clone();
    if detail(&theirs) != detail(&absent) {
        return Err(Finding::fail(format!(
            "tenant B's error for A's id has scimType {} but {} for an unknown id",
            detail(&theirs),
            detail(&absent)
        )));
    }
    Ok(())
}

/// A list answer must be a 4xx or a list without `id`, and a zero total when it was filtered
/// for A's resource.
fn not_listed(r: &Resp, id: &str, what: &str, filtered: bool) -> CheckResult {
    reached(r)?;
    if !(200..300).contains(&r.code()) {
        return Ok(());
    }
    if ids(r).iter().any(|x| x == id) {
        return Err(Finding::fail(format!(
            "tenant B's {what} returned tenant A's resource {id}: {}",
            truncate(&r.text, 300)
        )));
    }
    if filtered && r.body()["totalResults"].as_u64().is_some_and(|n| n > 0) {
        return Err(Finding::fail(format!(
            "tenant B's {what} reports totalResults {} for a filter only tenant A's resource \
             matches: the count leaks it",
            r.body()["totalResults"]
        )));
    }
    Ok(())
}

async fn list_and_filter(c: &Ctx) -> CheckResult {
    let (id, _, user_name) = a_user(c).await?;
    let users = c.users().to_string();
    let by_name = format!(
        "{users}?filter={}",
        enc(&format!("userName eq \"{user_name}\""))
    );
    not_listed(
        &c.as_second("GET", &by_name, None).await?,
        &id,
        "filter on A's userName",
        true,
    )?;
    let by_prefix = format!(
        "{users}?filter={}&count=1000",
        enc(&format!("userName sw \"{user_name}\""))
    );
    not_listed(
        &c.as_second("GET", &by_prefix, None).await?,
        &id,
        "filter with userName sw",
        true,
    )?;
    let page = format!("{users}?count=1000");
    not_listed(
        &c.as_second("GET", &page, None).await?,
        &id,
        "unfiltered list",
        false,
    )?;
    let search = json!({"schemas": [SEARCH], "filter": format!("userName eq \"{user_name}\"")});
    let r = c
        .as_second("POST", &format!("{users}/.search"), Some(&search))
        .await?;
    not_listed(&r, &id, "POST /Users/.search", true)?;
    // The same filter as A finds it: the queries are real, not refused for another reason.
    let mine = c.get(&by_name).await;
    reached(&mine)?;
    if !ids(&mine).iter().any(|x| x == &id) {
        return Err(Finding::error(format!(
            "tenant A's own filter on its userName did not find the user ({}), so B's empty \
             answer proves nothing",
            mine.code()
        )));
    }
    Ok(())
}

async fn writes(c: &Ctx) -> CheckResult {
    let (id, location, user_name) = a_user(c).await?;
    let path = c.user_path(&enc(&id));
    let patch = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "displayName", "value": "changed by tenant B"}]});
    refused(
        &c.as_second("PATCH", &path, Some(&patch)).await?,
        "PATCH of tenant A's user",
    )?;
    let put =
        json!({"schemas": [USER], "userName": user_name, "displayName": "replaced by tenant B"});
    refused(
        &c.as_second("PUT", &path, Some(&put)).await?,
        "PUT of tenant A's user",
    )?;
    refused(
        &c.as_second("DELETE", &path, None).await?,
        "DELETE of tenant A's user",
    )?;
    a_unchanged(c, &location).await
}

async fn group_members(c: &Ctx) -> CheckResult {
    let (id, location, _) = a_user(c).await?;
    let groups = c.groups()?.to_string();
    let body = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "displayName": c.name("b-group"), "members": [{"value": id}]});
    let r = c.as_second("POST", &groups, Some(&body)).await?;
    reached(&r)?;
    let mut group_id = None;
    if (200..300).contains(&r.code()) {
        // Created anyway (a target that stores unknown members as sent): track it, and the
        // member must not be tenant A's user.
        group_id = r.body()["id"].as_str().map(str::to_string);
        if let Some(g) = &group_id {
            c.track_second(&format!("{groups}/{}", enc(g)));
        }
        let members = r.body()["members"].as_array().cloned().unwrap_or_default();
        if let Some(m) = members
            .iter()
            .find(|m| m["value"] == json!(id) && !m["display"].is_null())
        {
            return Err(Finding::fail(format!(
                "tenant B's group resolved tenant A's user as a member: {m}"
            )));
        }
    }
    // Tenant A's user must not list B's group.
    let mine = c.get(&location).await;
    reached(&mine)?;
    let linked = mine.body()["groups"].as_array().is_some_and(|gs| {
        gs.iter().any(|g| {
            group_id
                .as_ref()
                .is_some_and(|b| g["value"].as_str() == Some(b.as_str()))
        })
    });
    if linked {
        return Err(Finding::fail(format!(
            "tenant A's user now lists tenant B's group in `groups`: {}",
            mine.body()["groups"]
        )));
    }
    Ok(())
}

async fn bulk(c: &Ctx) -> CheckResult {
    let (id, location, _) = a_user(c).await?;
    let path = format!("{}/{}", c.users(), id);
    let body = json!({"schemas": [BULK_REQUEST], "Operations": [
        {"method": "PATCH", "path": path, "data": {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": "displayName", "value": "changed by tenant B"}]}},
        {"method": "DELETE", "path": path}
    ]});
    let r = c.as_second("POST", "/Bulk", Some(&body)).await?;
    reached(&r)?;
    if (200..300).contains(&r.code()) {
        let ops = r.body()["Operations"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for op in &ops {
            let status: u16 = match &op["status"] {
                Value::String(s) => s.parse().unwrap_or(0),
                Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()).unwrap_or(0),
                _ => 0,
            };
            if (200..300).contains(&status) {
                return Err(Finding::fail(format!(
                    "tenant B's Bulk {} {} on tenant A's user answered {status}",
                    op["method"].as_str().unwrap_or("?"),
                    op["location"].as_str().unwrap_or(&path)
                )));
            }
        }
    }
    a_unchanged(c, &location).await
}

async fn username_oracle(c: &Ctx) -> CheckResult {
    let (_, _, user_name) = a_user(c).await?;
    let users = c.users().to_string();
    let r = c
        .as_second(
            "POST",
            &users,
            Some(&json!({"schemas": [USER], "userName": user_name})),
        )
        .await?;
    reached(&r)?;
    if (200..300).contains(&r.code()) {
        if let Some(id) = r.body()["id"].as_str() {
            let loc = format!("{users}/{}", enc(id));
            c.track_second(&loc);
            let d = c.as_second("DELETE", &loc, None).await?;
            if matches!(d.status, Some(s) if (200..300).contains(&s) || s == 404) {
                c.untrack_second(&loc);
            }
        }
        return Ok(());
    }
    if r.code() == 409 {
        return Err(Finding::fail(format!(
            "tenant B's POST of a userName only tenant A holds answered 409: B learns that A has \
             a user named so ({})",
            truncate(&r.text, 200)
        )));
    }
    Err(Finding::fail(format!(
        "tenant B's POST of a new user answered {}: {}",
        r.code(),
        truncate(&r.text, 200)
    )))
}
