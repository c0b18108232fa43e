//! Entra's SCIM compliance tests, the direct HTTP calls Microsoft's validation makes past the
//! provisioning engine: schema discoverability of the mapped attributes, clearing optional
//! attributes with "" and null, direct create and update of users and groups read back,
//! pagination of users and groups in pages of five, and the enterprise manager. Each probe
//! sends what Microsoft's test sends and applies its pass criteria.

use crate::certify::entra::groups::groups;
use crate::certify::entra::users::{manager_of, shown};
use crate::certify::mapping;
use crate::certify::probe::{
    self, CREATE_OK, PATCH_OK, create, expect, hex8, patch, plain, read, same, settings,
};
use crate::check;
use crate::conformance::context::{Created, Ctx, GROUP, USER};
use crate::conformance::model::{Check, CheckResult, Finding};
use crate::scim::provisioning::AttrType;
use serde_json::{Value, json};

/// The probes of Entra's direct SCIM tests.
pub fn probes() -> Vec<Check> {
    vec![
        check!(schema_discoverability, "certify.entra.schema-discoverability", "Every mapped User and Group attribute is discoverable in /Schemas", "Entra SCIM Validation: Schema_Discoverability_Test", Dialect, [],
            fault SchemasIncomplete, "Serve /Schemas as a ListResponse with the core User and Group schemas and every extension whose attributes the app maps."),
        check!(null_update, "certify.entra.null-update", "PATCH replace with \"\" and then null clears each optional mapped attribute", "Entra SCIM Validation: SCIM_Null_Update_Test", Dialect, [],
            fault PatchIgnored, "Treat a PATCH replace with \"\" or null as clearing the attribute (RFC 7643 §2.5), for every optional attribute the app maps."),
        check!(direct_user_create, "certify.entra.direct-user-create", "POST /Users with the mapped attributes: 200/201, an id, the userName echoed", "Entra SCIM Validation: SCIM_User_Create_Test", Dialect, [],
            fault MinimalUserSchema, "Answer POST /Users with 201 and the created user, id and userName included."),
        check!(direct_user_update, "certify.entra.direct-user-update", "PATCH replace of every eligible mapped attribute reads back equal", "Entra SCIM Validation: SCIM_User_Update_Test", Dialect, [],
            fault PatchIgnored, "Apply PATCH replace to every single-valued attribute and serve the stored values."),
        check!(direct_group_create, "certify.entra.direct-group-create", "POST /Groups: 200/201, an id, the displayName echoed", "Entra SCIM Validation: SCIM_Group_Create_Test", Dialect, [],
            fault NoGroups, "Serve /Groups and answer POST with 201 and the created group."),
        check!(direct_group_update, "certify.entra.direct-group-update", "PATCH replace of every writable single-valued Group attribute in /Schemas reads back equal", "Entra SCIM Validation: SCIM_Group_Update_Test", Dialect, [],
            fault PatchIgnored, "Apply PATCH replace to every readWrite single-valued Group attribute your /Schemas declares."),
        check!(user_pagination, "certify.entra.user-pagination", "Users page in fives: at least 2 pages, each startIndex = page*5+1", "Entra SCIM Validation: SCIM_User_Pagination_Test", Dialect, [],
            fault PaginationIgnored, "Honour startIndex (1-based) and count on GET /Users and echo the startIndex served."),
        check!(group_pagination, "certify.entra.group-pagination", "Groups page in fives: at least 2 pages, each startIndex = page*5+1", "Entra SCIM Validation: SCIM_Group_Pagination_Test", Dialect, [],
            fault PaginationIgnored, "Honour startIndex (1-based) and count on GET /Groups and echo the startIndex served."),
        check!(direct_manager, "certify.entra.direct-manager", "Add, Replace and clear the enterprise manager ({value}), read back after each", "Entra SCIM Validation: SCIM_Update_Manager_Test", Dialect, [],
            fault PatchIgnored, "Apply PATCH add/replace of the enterprise manager {\"value\": id} and clear it on a replace with \"\"."),
    ]
}

/// The `/Schemas` resources as Microsoft's test reads them: 200 and a `Resources` array.
async fn schemas(ctx: &Ctx) -> Result<Vec<Value>, Finding> {
    let r = ctx.get("/Schemas").await;
    expect(&r, &[200], "GET /Schemas")?;
    match r.body().get("Resources").and_then(Value::as_array) {
        Some(list) => Ok(list.clone()),
        None => Err(Finding::fail(
            "GET /Schemas answered 200 without a Resources array (Microsoft reads the schemas from it)",
        )),
    }
}

async fn schema_discoverability(ctx: &Ctx) -> CheckResult {
    let list = schemas(ctx).await?;
    let m = &settings(ctx).mapping;
    let mut missing: Vec<String> = m
        .user
        .iter()
        .filter(|a| !mapping::discoverable(&list, USER, &a.target))
        .map(|a| a.target.clone())
        .collect();
    missing.extend(
        m.group
            .iter()
            .filter(|a| !mapping::discoverable(&list, GROUP, &a.target))
            .map(|a| format!("Group {}", a.target)),
    );
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Finding::fail(format!(
            "{} mapped attribute(s) are not discoverable in /Schemas: {}",
            missing.len(),
            missing.join(", ")
        )))
    }
}

async fn null_update(ctx: &Ctx) -> CheckResult {
    let list = schemas(ctx).await?;
    let s = settings(ctx);
    let targets: Vec<String> = s
        .mapping
        .user
        .iter()
        .filter(|m| plain(m) && !m.target.eq_ignore_ascii_case("roles"))
        .filter(|m| !mapping::required(&list, USER, &m.target))
        .map(|m| m.target.clone())
        .collect();
    if targets.is_empty() {
        return Err(Finding::skip(
            "the mapping has no optional attribute to clear",
        ));
    }
    let (c, _) = probe::create_entra_user(ctx, "null").await?;
    // Phase 1 clears with "": absent, null and "" count as cleared. Phase 2 replaces with null
    // what phase 1 cleared: absent and null count, "" does not, and Microsoft does not verify
    // the typed multi-valued paths (`emails[type eq "work"].value`) in this phase.
    for (phase, empty) in [("\"\"", json!("")), ("null", Value::Null)] {
        let ops: Vec<Value> = targets
            .iter()
            .map(|p| json!({"op": "replace", "path": p, "value": empty}))
            .collect();
        patch(ctx, &c, json!(ops), &format!("replace with {phase}")).await?;
        let got = read(ctx, &c, "read the user back").await?;
        let kept: Vec<String> = targets
            .iter()
            .filter(|p| empty.is_string() || !p.contains('['))
            .filter_map(|p| {
                let v = mapping::get_raw(&got, p)?;
                let cleared = v.is_null() || (empty.is_string() && v == &json!(""));
                (!cleared).then(|| format!("{p} = {v}"))
            })
            .collect();
        if !kept.is_empty() {
            return Err(Finding::fail(format!(
                "after replacing {} attribute(s) with {phase}, {} still hold a value: {}",
                targets.len(),
                kept.len(),
                kept.join("; ")
            )));
        }
    }
    Ok(())
}

async fn direct_user_create(ctx: &Ctx) -> CheckResult {
    let name = format!("{}@test.example.com", ctx.name("lascuser"));
    let body = probe::user_body(ctx, &name, &hex8());
    let users = ctx.users().to_string();
    let c = create(ctx, &users, &body, CREATE_OK, "POST /Users").await?;
    if c.id.is_empty() {
        return Err(Finding::fail("POST /Users answered without an id"));
    }
    // Microsoft compares the userName exactly, letter case included.
    match c.body.get("userName") {
        Some(v) if v.as_str() == Some(name.as_str()) => Ok(()),
        other => Err(Finding::fail(format!(
            "POST /Users answered userName {} (sent {name:?})",
            shown(other)
        ))),
    }
}

/// Whether a declared attribute is one Microsoft's update tests write: single-valued,
/// readWrite or writeOnly, of type string, integer or dateTime (never boolean or reference).
fn eligible_decl(d: &Value) -> bool {
    d["multiValued"] != true
        && d["type"]
            .as_str()
            .is_none_or(|t| matches!(t, "string" | "integer" | "dateTime"))
        && d["mutability"]
            .as_str()
            .is_none_or(|m| matches!(m, "readWrite" | "writeOnly"))
}

/// A value of Microsoft's update tests: `upd-` and 8 hex digits for strings, a number for
/// integers, now for dateTime.
fn upd_value(decl: Option<&Value>) -> Value {
    match decl.and_then(|d| d["type"].as_str()) {
        Some("integer") => json!(rand_int()),
        Some("dateTime") => {
            json!(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        }
        _ => json!(format!("upd-{}", hex8())),
    }
}

fn rand_int() -> u64 {
    u64::from_str_radix(&hex8()[..4], 16).unwrap_or(7) % 99_999 + 1
}

async fn direct_user_update(ctx: &Ctx) -> CheckResult {
    let list = schemas(ctx).await?;
    let s = settings(ctx);
    let targets: Vec<&mapping::Mapped> = s
        .mapping
        .user
        .iter()
        .filter(|m| !matches!(m.kind, AttrType::Reference | AttrType::Boolean))
        .filter(|m| {
            !matches!(
                m.target.to_ascii_lowercase().as_str(),
                "id" | "schemas" | "meta" | "active" | "groups" | "roles"
            )
        })
        .filter(|m| mapping::declaration(&list, USER, &m.target).is_none_or(eligible_decl))
        .collect();
    if targets.is_empty() {
        // Microsoft's test passes with "(no updatable attributes)".
        return Ok(());
    }
    let (c, _) = probe::create_entra_user(ctx, "upd").await?;
    let sent: Vec<(String, Value)> = targets
        .iter()
        .map(|m| {
            let v = upd_value(mapping::declaration(&list, USER, &m.target));
            (m.target.clone(), v)
        })
        .collect();
    let ops: Vec<Value> = sent
        .iter()
        .map(|(p, v)| json!({"op": "Replace", "path": p, "value": v}))
        .collect();
    patch(ctx, &c, json!(ops), "PATCH the eligible attributes").await?;
    let got = read(ctx, &c, "read the user back").await?;
    mismatches(&got, &sent)
}

/// Microsoft compares each value as a string, exactly (letter case included).
fn mismatches(got: &Value, sent: &[(String, Value)]) -> CheckResult {
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let wrong: Vec<String> = sent
        .iter()
        .filter(|(p, v)| mapping::get_raw(got, p).map(text) != Some(text(v)))
        .map(|(p, v)| format!("{p}: sent {v}, read {}", shown(mapping::get_raw(got, p))))
        .collect();
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(Finding::fail(format!(
            "{} of {} patched values do not read back equal: {}",
            wrong.len(),
            sent.len(),
            wrong.join("; ")
        )))
    }
}

/// POST /Groups as Microsoft's direct tests do: `LASCDirectGroup-…`, 200 or 201.
async fn direct_group(ctx: &Ctx, endpoint: &str) -> Result<(Created, String), Finding> {
    let name = ctx.name("LASCDirectGroup");
    let body = json!({"schemas": [GROUP], "displayName": name});
    let c = create(ctx, endpoint, &body, CREATE_OK, "POST /Groups").await?;
    Ok((c, name))
}

async fn direct_group_create(ctx: &Ctx) -> CheckResult {
    let endpoint = groups(ctx)?;
    let (c, name) = direct_group(ctx, &endpoint).await?;
    match c.body.get("displayName") {
        Some(v) if same(&json!(name), Some(v)) => Ok(()),
        other => Err(Finding::fail(format!(
            "POST /Groups answered displayName {} (sent {name:?})",
            shown(other)
        ))),
    }
}

async fn direct_group_update(ctx: &Ctx) -> CheckResult {
    let endpoint = groups(ctx)?;
    let list = schemas(ctx).await?;
    let decls: Vec<Value> = list
        .iter()
        .find(|s| s["id"].as_str() == Some(GROUP))
        .and_then(|s| s["attributes"].as_array())
        .cloned()
        .unwrap_or_default();
    let (c, _) = direct_group(ctx, &endpoint).await?;
    // Every single-valued, writable, non-reference, non-boolean attribute but id, each set to
    // a string `upd-…` as Microsoft's test does (displayName included).
    let sent: Vec<(String, Value)> = decls
        .iter()
        .filter(|d| eligible_decl(d))
        .filter_map(|d| d["name"].as_str())
        .filter(|n| !n.eq_ignore_ascii_case("id"))
        .map(|n| (n.to_string(), json!(format!("upd-{}", hex8()))))
        .collect();
    if sent.is_empty() {
        return Ok(());
    }
    let ops: Vec<Value> = sent
        .iter()
        .map(|(p, v)| json!({"op": "Replace", "path": p, "value": v}))
        .collect();
    patch(ctx, &c, json!(ops), "PATCH the group's writable attributes").await?;
    let got = read(ctx, &c, "read the group back").await?;
    mismatches(&got, &sent)
}

/// Microsoft's pagination walk over `endpoint`: fill up to 11 resources with throwaways, then
/// read pages of 5 from startIndex 1, following startIndex + len(Resources), at most 10 pages.
async fn paginate(ctx: &Ctx, endpoint: &str, group: bool) -> CheckResult {
    let first = ctx.get(&format!("{endpoint}?startIndex=1&count=5")).await;
    expect(&first, &[200], "read the first page")?;
    let total = first.body()["totalResults"].as_u64().unwrap_or(0);
    for _ in total..11 {
        let body = if group {
            json!({"schemas": [GROUP], "displayName": ctx.name("PagGroup")})
        } else {
            json!({"schemas": [USER], "userName": format!("{}@example.com", ctx.name("paguser")), "active": true})
        };
        create(
            ctx,
            endpoint,
            &body,
            CREATE_OK,
            "create a throwaway to have 11",
        )
        .await?;
    }
    let mut start = 1u64;
    let mut pages = 0u64;
    let mut total = u64::MAX;
    while pages < 10 && start <= total {
        let r = ctx
            .get(&format!("{endpoint}?startIndex={start}&count=5"))
            .await;
        expect(&r, &[200], &format!("read page {}", pages + 1))?;
        let body = r.body();
        total = body["totalResults"].as_u64().unwrap_or(0);
        let served = body["startIndex"].as_u64();
        if served != Some(pages * 5 + 1) {
            return Err(Finding::fail(format!(
                "page {}: startIndex is {} (Microsoft's test wants {} for pages of 5)",
                pages + 1,
                served.map_or("(absent)".into(), |s| s.to_string()),
                pages * 5 + 1
            )));
        }
        let n = body["Resources"].as_array().map_or(0, Vec::len) as u64;
        pages += 1;
        if n == 0 {
            break;
        }
        start = served.unwrap_or(start) + n;
    }
    if pages < 2 {
        return Err(Finding::fail(format!(
            "only {pages} page(s) of 5 were served for {total} resources (Microsoft's test needs at least 2)"
        )));
    }
    Ok(())
}

async fn user_pagination(ctx: &Ctx) -> CheckResult {
    let users = ctx.users().to_string();
    paginate(ctx, &users, false).await
}

async fn group_pagination(ctx: &Ctx) -> CheckResult {
    if !ctx.caps().serves_schema(GROUP) || ctx.groups().is_err() {
        return Err(Finding::skip(
            "the target has no groups (Microsoft skips this test then)",
        ));
    }
    let endpoint = groups(ctx)?;
    paginate(ctx, &endpoint, true).await
}

/// The manager value shapes a client may send: `{"value": id}` (RFC 7643 §4.3) and the bare id
/// string Entra's engine sends. Microsoft's workflow for this test is not public, so the test
/// fails only when the target takes neither.
fn manager_shapes(id: &str) -> [Value; 2] {
    [json!({"value": id}), json!(id)]
}

/// PATCH the manager with each shape until one is accepted: the first 2xx, or the last answer.
async fn patch_manager(
    ctx: &Ctx,
    c: &Created,
    op: &str,
    path: &str,
    shapes: &[Value],
    step: &str,
) -> CheckResult {
    let mut last = None;
    for v in shapes {
        let r = ctx
            .patch(&c.location, json!([{"op": op, "path": path, "value": v}]))
            .await;
        if matches!(r.status, Some(200 | 204)) {
            return Ok(());
        }
        last = Some(r);
    }
    match last {
        Some(r) => expect(&r, PATCH_OK, &format!("{step} (every value shape tried)")),
        None => Ok(()),
    }
}

async fn direct_manager(ctx: &Ctx) -> CheckResult {
    let Some(m) = settings(ctx).mapping.user_leaf("manager").cloned() else {
        return Err(Finding::skip(
            "manager is not a mapped target attribute (Microsoft skips this test then)",
        ));
    };
    let (c, _) = probe::create_entra_user(ctx, "u").await?;
    let (m1, _) = probe::create_entra_user(ctx, "m1").await?;
    let (m2, _) = probe::create_entra_user(ctx, "m2").await?;
    for (op, who, step) in [
        ("Add", &m1, "set the manager"),
        ("Replace", &m2, "change the manager"),
    ] {
        patch_manager(ctx, &c, op, &m.target, &manager_shapes(&who.id), step).await?;
        let got = read(ctx, &c, "read the manager back").await?;
        if manager_of(&got).as_deref() != Some(who.id.as_str()) {
            return Err(Finding::fail(format!(
                "{step}: answered 2xx but the user reads back with manager {} (wanted {})",
                manager_of(&got).unwrap_or_else(|| "(absent)".into()),
                who.id
            )));
        }
    }
    // "Replace with empty": "", {"value": ""} or null, whichever the target takes.
    let empties = [json!(""), json!({"value": ""}), Value::Null];
    patch_manager(
        ctx,
        &c,
        "Replace",
        &m.target,
        &empties,
        "clear the manager (Replace with empty)",
    )
    .await?;
    let got = read(ctx, &c, "read the user after clearing the manager").await?;
    match manager_of(&got) {
        None => Ok(()),
        Some(v) if v.is_empty() => Ok(()),
        Some(v) => Err(Finding::fail(format!(
            "clear the manager: answered 2xx but the user still has manager {v}"
        ))),
    }
}
