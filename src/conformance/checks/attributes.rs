//! attributes / excludedAttributes / returned (RFC 7644 §3.4.2.5, §3.9; RFC 7643 §2.2): partial
//! representations on GET by id, on lists and `.search`, and on POST/PUT/PATCH responses; the
//! always-returned minimum (`id`, `schemas`) and the never-returned `password`.

use crate::check;
use crate::conformance::context::{
    Created, Ctx, ENTERPRISE, SEARCH, USER, assigned, enc, ensure, reached, status, truncate,
};
use crate::conformance::model::{Check, CheckResult, Finding};
use serde_json::{Value, json};

/// The attribute-projection checks.
pub fn checks() -> Vec<Check> {
    vec![
        check!(get_only_requested, "attributes.get.only-requested", "GET by id with attributes=userName returns only userName plus id and schemas", "RFC 7644 §3.4.2.5", Must, [],
            fault AttributesIgnored, "When attributes is given, return only the named attributes plus those with returned:always (id, schemas)."),
        check!(get_always_returned, "attributes.get.always-returned", "attributes= never drops id and schemas (returned:always)", "RFC 7643 §2.2; RFC 7644 §3.4.2.5", Must, [],
            fault ProjectionDropsAlways, "Always return id and schemas, whatever attributes names."),
        check!(get_sub_attribute, "attributes.get.sub-attribute", "attributes=name.givenName returns name with givenName only", "RFC 7644 §3.4.2.5, §3.10", Must, [],
            fault AttributesIgnored, "Honour sub-attribute notation in attributes: name.givenName keeps name with only givenName."),
        check!(get_multi_sub, "attributes.get.multi-valued-sub-attribute", "attributes=emails.value returns each email with value only", "RFC 7644 §3.4.2.5, §3.10", Must, [],
            fault AttributesIgnored, "Apply a sub-attribute selection to every value of a multi-valued attribute."),
        check!(get_case_insensitive, "attributes.get.case-insensitive", "Attribute names in attributes= match case-insensitively", "RFC 7643 §2.1; RFC 7644 §3.4.2.5", Must, [],
            fault AttributesCaseSensitive, "Compare the names in attributes with the schema's names ignoring case (USERNAME selects userName)."),
        check!(get_extension, "attributes.get.extension-attribute", "attributes=<enterprise URN>:department returns that extension attribute only", "RFC 7644 §3.10, §3.4.2.5", Must, [EnterpriseUser],
            fault AttributesIgnored, "Resolve URN-qualified names in attributes and return the extension object with only the named attribute."),
        check!(get_excluded, "attributes.get.excluded", "excludedAttributes=emails,title removes them and keeps the other defaults", "RFC 7644 §3.4.2.5", Must, [],
            fault ExcludedAttributesIgnored, "Remove the attributes named in excludedAttributes from the default set."),
        check!(get_excluded_sub, "attributes.get.excluded-sub-attribute", "excludedAttributes=name.familyName keeps name.givenName", "RFC 7644 §3.4.2.5, §3.10", Must, [],
            fault ExcludedAttributesIgnored, "Honour sub-attribute notation in excludedAttributes."),
        check!(get_excluded_always, "attributes.get.excluded-always", "excludedAttributes=id has no effect on id", "RFC 7644 §3.4.2.5", Must, [],
            fault ProjectionDropsAlways, "Ignore returned:always attributes (id, schemas) in excludedAttributes."),
        check!(password_never, "attributes.returned-never.password", "password never appears: not when asked for, not in lists, not on PUT", "RFC 7643 §2.2, §4.1", Must, [],
            fault ReturnPassword, "Never serialise attributes with returned:never (password), even when attributes names them."),
        check!(list_only_requested, "attributes.list.only-requested", "A list with attributes=userName returns only userName plus id and schemas", "RFC 7644 §3.4.2.5", Must, [Filter],
            fault ListAttributesIgnored, "Apply attributes to every resource of a ListResponse."),
        check!(list_always_returned, "attributes.list.always-returned", "A list with attributes=displayName still carries id on each resource", "RFC 7643 §2.2; RFC 7644 §3.4.2.5", Must, [Filter],
            fault ProjectionDropsAlways, "Keep id and schemas on every listed resource, whatever attributes names."),
        check!(list_excluded, "attributes.list.excluded", "A list with excludedAttributes=emails omits emails", "RFC 7644 §3.4.2.5", Must, [Filter],
            fault ExcludedAttributesIgnored, "Apply excludedAttributes to every resource of a ListResponse."),
        check!(search_only_requested, "attributes.search.only-requested", "POST /.search with attributes [userName] returns only userName plus id", "RFC 7644 §3.4.3, §3.4.2.5", Must, [Filter],
            fault ListAttributesIgnored, "Honour the attributes member of a SearchRequest like the query parameter."),
        check!(post_projection, "attributes.post.projection", "POST ?attributes=userName answers with the projected resource, stores it whole", "RFC 7644 §3.9, §3.3", Should, [],
            fault AttributesIgnored, "Apply attributes/excludedAttributes to the resource returned by POST."),
        check!(put_projection, "attributes.put.projection", "PUT ?attributes=userName answers with the projected resource", "RFC 7644 §3.9, §3.5.1", Must, [],
            fault AttributesIgnored, "Apply attributes/excludedAttributes to the resource returned by PUT."),
        check!(patch_projection, "attributes.patch.projection", "PATCH ?attributes=userName answers 200 with the projected resource", "RFC 7644 §3.5.2, §3.9", Must, [Patch],
            fault AttributesIgnored, "When a PATCH carries attributes, answer 200 (not 204) with the projected resource."),
        check!(post_excluded, "attributes.post.excluded", "POST ?excludedAttributes=emails answers without emails but stores them", "RFC 7644 §3.9, §3.3", Should, [],
            fault ExcludedAttributesIgnored, "Apply excludedAttributes to the resource returned by POST."),
    ]
}

/// A user with a name, emails, a title and a displayName.
async fn rich_user(c: &Ctx) -> Result<Created, Finding> {
    // The projection checks need these (all optional in RFC 7643 §4.1): only targets that
    // declare them are judged.
    c.needs(
        USER,
        &[
            "displayName",
            "title",
            "name.givenName",
            "name.familyName",
            "emails",
        ],
    )?;
    c.create_user(rich_body()).await
}

fn rich_body() -> Value {
    json!({
        "displayName": "Attr Display",
        "title": "Attr Title",
        "name": {"givenName": "Given", "familyName": "Family"},
        "emails": [
            {"value": "work@example.com", "type": "work", "primary": true},
            {"value": "home@example.com", "type": "home"}
        ]
    })
}

/// GET `path?query`, 200, its body.
async fn get_q(c: &Ctx, path: &str, query: &str) -> Result<Value, Finding> {
    let r = c.get(&format!("{path}?{query}")).await;
    status(&r, &[200])?;
    Ok(r.body().clone())
}

/// Fail when `v` has any of `attrs`.
fn absent(v: &Value, attrs: &[&str], what: &str) -> CheckResult {
    for a in attrs {
        // null and [] are the unassigned state (RFC 7643 §2.5).
        ensure(assigned(v, a).is_none(), || {
            format!("{what}: {a} is present: {}", truncate(&v.to_string(), 200))
        })?;
    }
    Ok(())
}

/// Fail when `v` lacks any of `attrs`.
fn present(v: &Value, attrs: &[&str], what: &str) -> CheckResult {
    for a in attrs {
        ensure(v.get(*a).is_some_and(|x| !x.is_null()), || {
            format!("{what}: {a} is missing: {}", truncate(&v.to_string(), 200))
        })?;
    }
    Ok(())
}

/// `id` equals `id` and `schemas` lists the User schema.
fn minimum(v: &Value, id: &str, what: &str) -> CheckResult {
    ensure(v["id"] == id, || {
        format!(
            "{what}: id (returned:always) is {} instead of {id:?}",
            v["id"]
        )
    })?;
    ensure(
        v["schemas"]
            .as_array()
            .is_some_and(|s| s.iter().any(|u| u == USER)),
        || format!("{what}: schemas lacks {USER}: {}", v["schemas"]),
    )
}

fn user_name(u: &Created) -> String {
    u.body["userName"].as_str().unwrap_or_default().to_string()
}

async fn get_only_requested(c: &Ctx) -> CheckResult {
    let u = rich_user(c).await?;
    let what = "GET ?attributes=userName";
    let v = get_q(c, &u.location, "attributes=userName").await?;
    ensure(v["userName"] == user_name(&u).as_str(), || {
        format!("{what}: userName is {}", v["userName"])
    })?;
    minimum(&v, &u.id, what)?;
    absent(&v, &["displayName", "title", "name", "emails"], what)
}

async fn get_always_returned(c: &Ctx) -> CheckResult {
    let u = rich_user(c).await?;
    let what = "GET ?attributes=displayName";
    let v = get_q(c, &u.location, "attributes=displayName").await?;
    present(&v, &["displayName"], what)?;
    minimum(&v, &u.id, what)
}

async fn get_sub_attribute(c: &Ctx) -> CheckResult {
    let u = rich_user(c).await?;
    let what = "GET ?attributes=name.givenName";
    let v = get_q(c, &u.location, "attributes=name.givenName").await?;
    // Compared with what the server returned at creation (it may normalise values).
    let given = u
        .body
        .pointer("/name/givenName")
        .cloned()
        .unwrap_or(Value::Null);
    ensure(v.pointer("/name/givenName") == Some(&given), || {
        format!(
            "{what}: name.givenName is {}, created as {given}",
            v["name"]
        )
    })?;
    ensure(v.pointer("/name/familyName").is_none(), || {
        format!("{what}: name.familyName was returned too: {}", v["name"])
    })?;
    absent(&v, &["userName", "displayName", "emails"], what)
}

async fn get_multi_sub(c: &Ctx) -> CheckResult {
    let u = rich_user(c).await?;
    let what = "GET ?attributes=emails.value";
    let v = get_q(c, &u.location, "attributes=emails.value").await?;
    let emails = v["emails"].as_array().cloned().unwrap_or_default();
    // As many as the server stored (the 201 shows it; a server may keep only one).
    let stored = u.body["emails"].as_array().map_or(0, Vec::len);
    ensure(emails.len() == stored, || {
        format!(
            "{what}: expected the {stored} stored email(s), got {}",
            v["emails"]
        )
    })?;
    for e in &emails {
        ensure(
            e["value"].is_string() && e.get("type").is_none() && e.get("primary").is_none(),
            || format!("{what}: expected only value in each email, got {e}"),
        )?;
    }
    absent(&v, &["displayName", "userName"], what)
}

async fn get_case_insensitive(c: &Ctx) -> CheckResult {
    let u = rich_user(c).await?;
    let what = "GET ?attributes=USERNAME,DisplayName";
    let v = get_q(c, &u.location, "attributes=USERNAME,DisplayName").await?;
    ensure(v["userName"] == user_name(&u).as_str(), || {
        format!(
            "{what}: userName not returned ({})",
            truncate(&v.to_string(), 200)
        )
    })?;
    ensure(v["displayName"] == u.body["displayName"], || {
        format!(
            "{what}: displayName not returned as created ({} vs {})",
            v["displayName"], u.body["displayName"]
        )
    })?;
    absent(&v, &["title", "emails"], what)
}

async fn get_extension(c: &Ctx) -> CheckResult {
    let mut body = json!({"schemas": [USER, ENTERPRISE], "displayName": "Ext"});
    body[ENTERPRISE] = json!({"department": "Dept-A", "costCenter": "CC-1"});
    let u = c.create_user(body).await?;
    let what = format!("GET ?attributes={ENTERPRISE}:department");
    let v = get_q(
        c,
        &u.location,
        &format!("attributes={}", enc(&format!("{ENTERPRISE}:department"))),
    )
    .await?;
    let ext = &v[ENTERPRISE];
    ensure(ext["department"] == "Dept-A", || {
        format!(
            "{what}: the extension's department is {}",
            ext["department"]
        )
    })?;
    ensure(ext.get("costCenter").is_none(), || {
        format!("{what}: costCenter was returned too: {ext}")
    })?;
    absent(&v, &["userName", "displayName"], &what)
}

async fn get_excluded(c: &Ctx) -> CheckResult {
    let u = rich_user(c).await?;
    let what = "GET ?excludedAttributes=emails,title";
    let v = get_q(c, &u.location, "excludedAttributes=emails,title").await?;
    absent(&v, &["emails", "title"], what)?;
    present(&v, &["userName", "displayName", "name"], what)?;
    minimum(&v, &u.id, what)
}

async fn get_excluded_sub(c: &Ctx) -> CheckResult {
    let u = rich_user(c).await?;
    let what = "GET ?excludedAttributes=name.familyName";
    let v = get_q(c, &u.location, "excludedAttributes=name.familyName").await?;
    ensure(v.pointer("/name/familyName").is_none(), || {
        format!("{what}: name.familyName is still returned: {}", v["name"])
    })?;
    ensure(
        v.pointer("/name/givenName") == Some(&json!("Given")),
        || format!("{what}: name.givenName was dropped too: {}", v["name"]),
    )?;
    present(&v, &["userName", "displayName"], what)
}

async fn get_excluded_always(c: &Ctx) -> CheckResult {
    let u = rich_user(c).await?;
    let what = "GET ?excludedAttributes=id";
    let v = get_q(c, &u.location, "excludedAttributes=id").await?;
    minimum(&v, &u.id, what)?;
    present(&v, &["userName"], what)
}

async fn password_never(c: &Ctx) -> CheckResult {
    let secret = format!("Pw-{}-x9!", uuid::Uuid::new_v4().simple());
    let u = c.create_user(json!({"password": secret})).await?;
    let name = user_name(&u);
    let leaks = |what: &str, r: &crate::client::http::Resp| -> CheckResult {
        ensure(
            r.body().get("password").is_none()
                && r.body()["Resources"]
                    .as_array()
                    .is_none_or(|a| a.iter().all(|x| x.get("password").is_none()))
                && !r.text.contains(&secret),
            || format!("{what} returned password"),
        )
    };
    let r = c
        .get(&format!("{}?attributes=password,userName", u.location))
        .await;
    status(&r, &[200])?;
    leaks("GET ?attributes=password,userName", &r)?;
    let l = c
        .get(&format!(
            "{}?filter={}",
            c.users(),
            enc(&format!("userName eq \"{name}\""))
        ))
        .await;
    reached(&l)?;
    if l.code() == 200 {
        leaks("GET /Users?filter=…", &l)?;
    }
    let p = c
        .put(
            &u.location,
            &json!({"schemas": [USER], "userName": name, "password": secret, "displayName": "Pw"}),
        )
        .await;
    status(&p, &[200])?;
    leaks("PUT", &p)
}

/// GET /Users?filter=userName eq "<u>"&<query>: the single listed resource.
async fn listed(c: &Ctx, u: &Created, query: &str) -> Result<Value, Finding> {
    let f = enc(&format!("userName eq \"{}\"", user_name(u)));
    let r = c.get(&format!("{}?filter={f}&{query}", c.users())).await;
    status(&r, &[200])?;
    one_resource(&r.body().clone(), &format!("GET /Users?filter=…&{query}"))
}

fn one_resource(b: &Value, what: &str) -> Result<Value, Finding> {
    match b["Resources"].as_array().map(Vec::as_slice) {
        Some([one]) => Ok(one.clone()),
        _ => Err(Finding::fail(format!(
            "{what}: expected exactly one resource (filter on a unique userName), got {}",
            truncate(&b.to_string(), 200)
        ))),
    }
}

async fn list_only_requested(c: &Ctx) -> CheckResult {
    let u = rich_user(c).await?;
    let v = listed(c, &u, "attributes=userName").await?;
    let what = "list ?attributes=userName";
    ensure(v["userName"] == user_name(&u).as_str(), || {
        format!("{what}: userName is {}", v["userName"])
    })?;
    minimum(&v, &u.id, what)?;
    absent(&v, &["displayName", "title", "name", "emails"], what)
}

async fn list_always_returned(c: &Ctx) -> CheckResult {
    let u = rich_user(c).await?;
    let v = listed(c, &u, "attributes=displayName").await?;
    minimum(&v, &u.id, "list ?attributes=displayName")
}

async fn list_excluded(c: &Ctx) -> CheckResult {
    let u = rich_user(c).await?;
    let v = listed(c, &u, "excludedAttributes=emails").await?;
    let what = "list ?excludedAttributes=emails";
    absent(&v, &["emails"], what)?;
    present(&v, &["userName", "displayName"], what)
}

async fn search_only_requested(c: &Ctx) -> CheckResult {
    let u = rich_user(c).await?;
    let r = c
        .post(
            &format!("{}/.search", c.users()),
            &json!({
                "schemas": [SEARCH],
                "filter": format!("userName eq \"{}\"", user_name(&u)),
                "attributes": ["userName"]
            }),
        )
        .await;
    reached(&r)?;
    if matches!(r.code(), 404 | 405 | 501) {
        return Err(Finding::skip(format!(
            "POST {}/.search answered {}: the target does not offer .search",
            c.users(),
            r.code()
        )));
    }
    status(&r, &[200])?;
    let what = "POST /.search {attributes: [userName]}";
    let v = one_resource(r.body(), what)?;
    ensure(v["userName"] == user_name(&u).as_str(), || {
        format!("{what}: userName is {}", v["userName"])
    })?;
    minimum(&v, &u.id, what)?;
    absent(&v, &["displayName", "title", "name", "emails"], what)
}

/// POST a rich user with `query` on the URL; track it; the 201 body.
async fn post_with(c: &Ctx, query: &str) -> Result<(String, Value), Finding> {
    c.needs(
        USER,
        &[
            "displayName",
            "title",
            "name.givenName",
            "name.familyName",
            "emails",
        ],
    )?;
    let mut body = rich_body();
    body["schemas"] = json!([USER]);
    body["userName"] = json!(c.name("user"));
    let r = c.post(&format!("{}?{query}", c.users()), &body).await;
    reached(&r)?;
    let id = r.body()["id"].as_str().unwrap_or_default().to_string();
    if r.code() >= 300 || id.is_empty() {
        // Maybe the id is missing only because of the projection: find and track it.
        let f = enc(&format!(
            "userName eq \"{}\"",
            body["userName"].as_str().unwrap_or("")
        ));
        let l = c.get(&format!("{}?filter={f}", c.users())).await;
        for x in l.body()["Resources"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            if let Some(i) = x["id"].as_str() {
                c.track(&c.url_of(&c.user_path(i)));
            }
        }
    } else {
        c.track(&c.url_of(&c.user_path(&id)));
    }
    status(&r, &[201])?;
    ensure(!id.is_empty(), || {
        format!("POST ?{query}: the 201 body has no id (returned:always)")
    })?;
    Ok((id, r.body().clone()))
}

async fn post_projection(c: &Ctx) -> CheckResult {
    let (id, v) = post_with(c, "attributes=userName").await?;
    let what = "POST ?attributes=userName";
    present(&v, &["userName"], what)?;
    minimum(&v, &id, what)?;
    absent(&v, &["displayName", "title", "emails"], what)?;
    let g = c.get(&c.user_path(&id)).await;
    status(&g, &[200])?;
    ensure(g.body()["displayName"] == "Attr Display", || {
        "the projection was applied to the stored resource: GET lacks displayName".into()
    })
}

async fn post_excluded(c: &Ctx) -> CheckResult {
    let (id, v) = post_with(c, "excludedAttributes=emails").await?;
    let what = "POST ?excludedAttributes=emails";
    absent(&v, &["emails"], what)?;
    present(&v, &["userName", "displayName"], what)?;
    let g = c.get(&c.user_path(&id)).await;
    status(&g, &[200])?;
    ensure(
        g.body()["emails"].as_array().is_some_and(|a| a.len() == 2),
        || "the exclusion was applied to the stored resource: GET lacks emails".into(),
    )
}

async fn put_projection(c: &Ctx) -> CheckResult {
    let u = rich_user(c).await?;
    let mut body = rich_body();
    body["schemas"] = json!([USER]);
    body["userName"] = json!(user_name(&u));
    body["displayName"] = json!("Put Display");
    let r = c
        .put(&format!("{}?attributes=userName", u.location), &body)
        .await;
    status(&r, &[200])?;
    let what = "PUT ?attributes=userName";
    let v = r.body();
    present(v, &["userName"], what)?;
    minimum(v, &u.id, what)?;
    absent(v, &["displayName", "title", "emails"], what)?;
    let g = c.get(&u.location).await;
    status(&g, &[200])?;
    ensure(g.body()["displayName"] == "Put Display", || {
        "GET after PUT does not show the new displayName".into()
    })
}

async fn patch_projection(c: &Ctx) -> CheckResult {
    let u = rich_user(c).await?;
    let r = c
        .patch(
            &format!("{}?attributes=userName", u.location),
            json!([{"op": "replace", "path": "displayName", "value": "Patched Display"}]),
        )
        .await;
    status(&r, &[200])?;
    let what = "PATCH ?attributes=userName";
    let v = r.body();
    present(v, &["userName"], what)?;
    minimum(v, &u.id, what)?;
    absent(v, &["displayName", "title", "emails"], what)?;
    let g = c.get(&u.location).await;
    status(&g, &[200])?;
    ensure(g.body()["displayName"] == "Patched Display", || {
        "GET after PATCH does not show the new displayName".into()
    })
}
