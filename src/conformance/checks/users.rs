//! Users: create, read, replace, delete (RFC 7644 §3.3–§3.6, RFC 7643 §3.1, §4.1); media type and
//! authentication (RFC 7644 §2, §3.1, §3.8, §3.12).

use crate::check;
use crate::conformance::context::{
    Ctx, USER, assigned, ensure, ids, path_of, reached, resolve_against, scim_error, status,
    truncate, unassigned, writable_string,
};
use crate::conformance::model::CheckResult;
use crate::conformance::model::{Check, Finding};
use serde_json::json;

/// The user and transport checks.
pub fn checks() -> Vec<Check> {
    vec![
        check!(create_201, "users.create.status-201", "POST /Users answers 201 Created with the resource", "RFC 7644 §3.3", Must, [],
            fault Create200, "Answer a successful POST with 201 Created and the created resource."),
        check!(create_location, "users.create.location", "201 carries a Location header naming the same resource as meta.location", "RFC 7644 §3.3", Must, [],
            fault NoLocation, "Send Location: <URL of the new resource>, the same resource as meta.location."),
        check!(location_resolves, "users.create.location-resolves", "meta.location (absolute or relative) resolves to the resource", "RFC 7643 §3.1, §2.3.7", Must, [],
            fault LocationWrong, "Make meta.location the URI of the resource itself (absolute, or relative to the base URL)."),
        check!(server_id, "users.create.server-issued-id", "The id is issued by the server, never the client's", "RFC 7643 §3.1", Must, [],
            fault HonourClientId, "Ignore a client-supplied id and issue your own."),
        check!(create_meta, "users.create.meta", "meta has resourceType User and RFC 3339 created/lastModified", "RFC 7643 §3.1", Must, [],
            fault HonourClientId, "Set meta.resourceType, meta.created and meta.lastModified (xsd:dateTime) on every resource."),
        check!(no_invented_external_id, "users.create.no-invented-external-id", "A user created without externalId has none (the server never invents one)", "RFC 7643 §3.1", Must, [],
            fault InventedExternalId, "Leave externalId unassigned unless the client sent one: it is issued by the provisioning client, never by the service provider (not even \"\")."),
        check!(last_modified_advances, "users.meta.last-modified-advances", "A change advances meta.lastModified and leaves meta.created", "RFC 7643 §3.1", Must, [],
            fault LastModifiedFrozen, "Set meta.lastModified to the time of every change (and keep meta.created): IdPs and caches use it to see what changed."),
        check!(missing_user_name, "users.create.missing-required", "A user without userName is 400 invalidValue", "RFC 7644 §3.12; RFC 7643 §4.1", Must, [],
            fault AcceptMissingRequired, "Reject a body that lacks a required attribute with 400 and scimType invalidValue."),
        check!(bad_json, "users.create.malformed-json", "Malformed JSON is 400 invalidSyntax with a SCIM error body", "RFC 7644 §3.12", Should, [],
            fault ErrorNoSchemas, "Answer unparseable bodies with 400, scimType invalidSyntax, as a SCIM error."),
        check!(uniqueness, "users.create.uniqueness", "A duplicate userName is 409 uniqueness", "RFC 7644 §3.3, §3.12", Must, [],
            fault NoUniqueness, "Reject a POST whose userName is taken with 409 and scimType uniqueness."),
        check!(uniqueness_case, "users.create.uniqueness-case-insensitive", "userName uniqueness ignores case (caseExact false)", "RFC 7643 §4.1, §2.3.1", Must, [],
            fault UniquenessCaseSensitive, "Compare userNames case-insensitively when checking uniqueness."),
        check!(password_hidden, "users.create.password-never-returned", "password is accepted but never returned", "RFC 7643 §4.1, §2.2", Must, [],
            fault ReturnPassword, "Never return password (returned: never), not even right after the POST."),
        check!(get_200, "users.get.status-200", "GET /Users/{id} returns the resource as created", "RFC 7644 §3.4.1", Must, [],
            fault GetMinimal, "Serve GET /Users/{id} with the stored resource."),
        check!(get_404, "users.get.unknown-404", "An unknown id is a 404 SCIM error with status \"404\"", "RFC 7644 §3.12", Should, [],
            fault Missing200, "Answer unknown ids with 404 and a SCIM error body."),
        check!(put_replaces, "users.put.replaces", "PUT replaces the resource and returns it", "RFC 7644 §3.5.1", Must, [],
            fault PutIgnored, "Apply PUT as a full replacement and return the new representation with 200."),
        check!(put_case_change, "users.put.user-name-case-change", "A PUT that changes only the letter case of the user's own userName is applied, never a conflict with itself", "RFC 7644 §3.5.1; RFC 7643 §2.2", Must, [],
            fault UniquenessConflictsWithSelf, "Exclude the resource itself when checking uniqueness on PUT and PATCH: a user renamed from Alice to alice conflicts with nobody."),
        check!(put_unknown, "users.put.unknown-404", "PUT to an unknown id is 404 and creates nothing", "RFC 7644 §3.5.1", Should, [],
            fault Missing200, "Never create a resource on PUT; answer 404 for unknown ids."),
        check!(delete_204, "users.delete.status-204", "DELETE answers 204 No Content", "RFC 7644 §3.6", Must, [],
            fault Delete200, "Answer a successful DELETE with 204 and no body."),
        check!(delete_gone, "users.delete.gone", "A deleted user is 404 afterwards and absent from filters", "RFC 7644 §3.6", Must, [],
            fault DeleteIgnored, "Really remove the resource: later GETs answer 404 and filters don't return it."),
        check!(deactivate, "users.deactivate.roundtrip", "active=false written by PUT is read back", "RFC 7643 §4.1", Must, [],
            fault ActiveIgnored, "Store active as written; IdPs deprovision by setting it to false."),
        check!(content_type, "transport.content-type", "Responses use Content-Type application/scim+json", "RFC 7644 §3.1, §8.1", Should, [],
            fault JsonContentType, "Send Content-Type: application/scim+json on every SCIM response, errors included."),
        check!(auth_missing, "auth.missing-401", "A request without credentials is 401 with a SCIM error", "RFC 7644 §2, §3.12", Must, [],
            fault AuthDisabled, "Reject unauthenticated requests with 401."),
        check!(auth_challenge, "auth.www-authenticate", "401 carries a WWW-Authenticate challenge", "RFC 7235 §3.1", Must, [],
            fault NoWwwAuthenticate, "Send WWW-Authenticate (e.g. Bearer realm=\"…\") with every 401."),
        check!(error_status_string, "errors.status-string", "Error bodies carry status as a JSON string", "RFC 7644 §3.12", Must, [],
            fault ErrorStatusNumber, "Write \"status\": \"404\" (a string), as RFC 7644 §3.12 shows."),
    ]
}

async fn create_201(c: &Ctx) -> CheckResult {
    let name = c.name("u");
    let r = c
        .post(c.users(), &json!({"schemas": [USER], "userName": name}))
        .await;
    reached(&r)?;
    if let Some(id) = r.body()["id"].as_str() {
        let loc = c.user_path(id);
        c.track(&c.url_of(&loc));
    }
    status(&r, &[201])?;
    ensure(r.body()["userName"] == name.as_str(), || {
        format!(
            "the 201 body does not carry the userName: {}",
            truncate(&r.text, 200)
        )
    })
}

async fn create_location(c: &Ctx) -> CheckResult {
    let u = c.create_user(json!({})).await?;
    let r = c.get(&u.location).await;
    status(&r, &[200])?;
    let header = c.last_post_location();
    ensure(header.is_some(), || "the 201 has no Location header".into())?;
    // Both may be relative (RFC 7643 §2.3.7): compare what they resolve to.
    let header = header.unwrap_or_default();
    let meta = u.body["meta"]["location"].as_str().unwrap_or_default();
    let post_url = c.url_of(c.users());
    let from_header = resolve_against(&post_url, &header);
    ensure(
        meta.is_empty() || from_header == c.resolve_reference(meta),
        || {
            format!(
                "Location {header:?} (resolves to {from_header}) names another resource than meta.location {meta:?} (resolves to {})",
                c.resolve_reference(meta)
            )
        },
    )?;
    ensure(
        from_header
            .trim_end_matches('/')
            .ends_with(&format!("/{}", u.id)),
        || {
            format!(
                "Location {header:?} does not name the new resource {}",
                u.id
            )
        },
    )
}

async fn location_resolves(c: &Ctx) -> CheckResult {
    let u = c.create_user(json!({})).await?;
    let loc = u.body["meta"]["location"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    ensure(!loc.is_empty(), || {
        format!(
            "the 201 body has no meta.location: {}",
            truncate(&u.body.to_string(), 200)
        )
    })?;
    let resolved = c.resolve_reference(&loc);
    let r = c.get(&resolved).await;
    status(&r, &[200])?;
    ensure(r.body()["id"] == u.id.as_str(), || {
        format!(
            "meta.location {loc:?} (resolved to {resolved}) does not lead to the resource {}",
            u.id
        )
    })
}

async fn server_id(c: &Ctx) -> CheckResult {
    let u = c
        .create_user(json!({"id": "client-chosen-id", "meta": {"created": "1999-01-01T00:00:00Z"}}))
        .await?;
    ensure(u.id != "client-chosen-id", || {
        "the server kept the client-supplied id".into()
    })?;
    ensure(!u.id.is_empty(), || "empty id".into())
}

async fn create_meta(c: &Ctx) -> CheckResult {
    let u = c
        .create_user(json!({"meta": {"created": "1999-01-01T00:00:00Z"}}))
        .await?;
    let m = &u.body["meta"];
    ensure(m["resourceType"] == "User", || {
        format!("meta.resourceType is {}", m["resourceType"])
    })?;
    for f in ["created", "lastModified"] {
        let v = m[f].as_str().unwrap_or_default();
        ensure(
            crate::conformance::context::parse_datetime(v).is_some(),
            || format!("meta.{f} {v:?} is not an xsd:dateTime"),
        )?;
    }
    ensure(m["created"] != "1999-01-01T00:00:00Z", || {
        "the client's meta.created was stored (readOnly)".into()
    })
}

async fn no_invented_external_id(c: &Ctx) -> CheckResult {
    let u = c.create_user(json!({})).await?;
    let g = c.get(&u.location).await;
    status(&g, &[200])?;
    for (what, body) in [("the 201 body", &u.body), ("GET", g.body())] {
        // RFC 7643 §3.1: externalId "is always issued by the provisioning client and MUST NOT
        // be specified by the service provider" (null is unassigned, RFC 7643 §2.5).
        ensure(assigned(body, "externalId").is_none(), || {
            format!(
                "{what} shows externalId {} although the client sent none",
                body["externalId"]
            )
        })?;
    }
    Ok(())
}

async fn last_modified_advances(c: &Ctx) -> CheckResult {
    let attr = c.user_text_attr(&["displayName", "nickName", "title", "profileUrl"])?;
    let u = c.create_user(json!({ attr: "Before" })).await?;
    let g1 = c.get(&u.location).await;
    status(&g1, &[200])?;
    let stamp = |b: &serde_json::Value, f: &str| {
        b["meta"][f]
            .as_str()
            .and_then(crate::conformance::context::parse_datetime)
    };
    let (Some(created), Some(modified)) = (
        stamp(g1.body(), "created"),
        stamp(g1.body(), "lastModified"),
    ) else {
        return Err(Finding::skip(
            "meta.created / meta.lastModified are absent or not xsd:dateTime (users.create.meta judges that)",
        ));
    };
    // Past the second, so a server that keeps whole seconds can show the change.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let name = u.body["userName"].clone();
    let r = c
        .put(
            &c.user_path(&u.id),
            &json!({"schemas": [USER], "userName": name, attr: "After"}),
        )
        .await;
    status(&r, &[200])?;
    let g2 = c.get(&u.location).await;
    status(&g2, &[200])?;
    if g2.body()[attr] != "After" {
        return Err(Finding::skip(format!(
            "precondition not met: the PUT did not change {attr} (users.put.replaces judges that)"
        )));
    }
    let (created2, modified2) = (
        stamp(g2.body(), "created"),
        stamp(g2.body(), "lastModified"),
    );
    ensure(created2 == Some(created), || {
        format!(
            "meta.created changed from {} to {} when the user was modified",
            g1.body()["meta"]["created"],
            g2.body()["meta"]["created"]
        )
    })?;
    ensure(modified2.is_some_and(|m| m > modified), || {
        format!(
            "meta.lastModified is {} after a change made more than a second after it was {}; \
             RFC 7643 §3.1 defines it as the most recent time the resource was updated",
            g2.body()["meta"]["lastModified"],
            g1.body()["meta"]["lastModified"]
        )
    })
}

async fn missing_user_name(c: &Ctx) -> CheckResult {
    let r = c
        .post(
            c.users(),
            &json!({"schemas": [USER], "displayName": c.name("nouser")}),
        )
        .await;
    if let Some(id) = r.body()["id"].as_str() {
        c.track(&c.url_of(&c.user_path(id)));
    }
    // RFC 7644 §3.12: scimType is OPTIONAL and no sentence mandates one here.
    scim_error(&r, 400, None)
}

async fn bad_json(c: &Ctx) -> CheckResult {
    let r = c
        .raw(
            "POST",
            c.users(),
            b"{\"userName\": ",
            "application/scim+json",
        )
        .await;
    // RFC 7644 §3.12: scimType is OPTIONAL and no sentence mandates one here.
    scim_error(&r, 400, None)
}

async fn uniqueness(c: &Ctx) -> CheckResult {
    let u = c.create_user(json!({})).await?;
    let name = u.body["userName"].as_str().unwrap_or_default().to_string();
    let r = c
        .post(c.users(), &json!({"schemas": [USER], "userName": name}))
        .await;
    if let Some(id) = r.body()["id"].as_str() {
        c.track(&c.url_of(&c.user_path(id)));
    }
    scim_error(&r, 409, Some("uniqueness"))
}

async fn uniqueness_case(c: &Ctx) -> CheckResult {
    let name = c.name("CaseUser");
    c.create_user(json!({"userName": name})).await?;
    let r = c
        .post(
            c.users(),
            &json!({"schemas": [USER], "userName": name.to_lowercase()}),
        )
        .await;
    if let Some(id) = r.body()["id"].as_str() {
        c.track(&c.url_of(&c.user_path(id)));
    }
    scim_error(&r, 409, Some("uniqueness"))
}

async fn password_hidden(c: &Ctx) -> CheckResult {
    let secret = format!("Pw-{}-x9!", uuid::Uuid::new_v4().simple());
    let u = c.create_user(json!({"password": secret})).await?;
    ensure(u.body.get("password").is_none(), || {
        "the 201 body contains password".into()
    })?;
    let r = c.get(&u.location).await;
    status(&r, &[200])?;
    ensure(
        r.body().get("password").is_none() && !r.text.contains(&secret),
        || "GET returns the password".into(),
    )
}

async fn get_200(c: &Ctx) -> CheckResult {
    let extra = match c
        .caps()
        .pick(USER, &["displayName", "nickName", "title"], writable_string)
    {
        Some(a) => json!({ a: "Get Me" }),
        None => json!({}),
    };
    let u = c.create_user(extra).await?;
    let r = c.get(&c.user_path(&u.id)).await;
    status(&r, &[200])?;
    ensure(r.body()["id"] == u.id.as_str(), || {
        format!("wrong id in {}", truncate(&r.text, 200))
    })?;
    // Judged against what the server itself returned at creation (it may compute or
    // normalise values), not against what was sent.
    let created = u.body.as_object().cloned().unwrap_or_default();
    let mut differ = Vec::new();
    for (k, v) in &created {
        if k == "meta" || unassigned(v) {
            continue;
        }
        if r.body().get(k) != Some(v) {
            differ.push(format!("{k}: created {v}, read {}", r.body()[k.as_str()]));
        }
    }
    ensure(differ.is_empty(), || {
        format!(
            "GET does not return the resource as the 201 showed it: {}",
            truncate(&differ.join("; "), 400)
        )
    })
}

async fn get_404(c: &Ctx) -> CheckResult {
    let r = c.get(&c.user_path(&uuid::Uuid::new_v4().to_string())).await;
    scim_error(&r, 404, None)
}

async fn put_replaces(c: &Ctx) -> CheckResult {
    let attr = c.user_text_attr(&["displayName", "nickName", "title", "profileUrl"])?;
    let u = c.create_user(json!({ attr: "Before" })).await?;
    let name = u.body["userName"].clone();
    let r = c
        .put(
            &c.user_path(&u.id),
            &json!({"schemas": [USER], "userName": name, attr: "After"}),
        )
        .await;
    status(&r, &[200])?;
    ensure(r.body()[attr] == "After", || {
        format!(
            "the PUT response does not reflect the change of {attr} (declared writable): {}",
            r.body()[attr]
        )
    })?;
    let g = c.get(&c.user_path(&u.id)).await;
    status(&g, &[200])?;
    ensure(g.body()[attr] == "After", || {
        format!("GET after PUT still shows {attr} {}", g.body()[attr])
    })?;
    ensure(g.body()["id"] == u.id.as_str(), || "the id changed".into())
}

async fn put_case_change(c: &Ctx) -> CheckResult {
    let name = c.name("CaseChange");
    let u = c.create_user(json!({"userName": name})).await?;
    let stored = u.body["userName"].as_str().unwrap_or(&name).to_string();
    let lower = stored.to_lowercase();
    if lower == stored {
        return Err(Finding::skip(format!(
            "precondition not met: the server stored the userName in lower case ({stored:?})"
        )));
    }
    let r = c
        .put(
            &c.user_path(&u.id),
            &json!({"schemas": [USER], "userName": lower}),
        )
        .await;
    // "Any values provided SHALL replace the existing attribute values" (RFC 7644 §3.5.1); a
    // value can only collide with *another* resource's.
    status(&r, &[200])?;
    let g = c.get(&c.user_path(&u.id)).await;
    status(&g, &[200])?;
    let read = g.body()["userName"].as_str().unwrap_or_default();
    ensure(read.eq_ignore_ascii_case(&lower), || {
        format!("after the PUT, userName reads back as {read:?}")
    })
}

async fn put_unknown(c: &Ctx) -> CheckResult {
    let id = uuid::Uuid::new_v4().to_string();
    let r = c
        .put(
            &c.user_path(&id),
            &json!({"schemas": [USER], "userName": c.name("ghost")}),
        )
        .await;
    scim_error(&r, 404, None)
}

async fn delete_204(c: &Ctx) -> CheckResult {
    let u = c.create_user(json!({})).await?;
    let r = c.delete_created(&u).await;
    status(&r, &[204])?;
    ensure(r.text.is_empty(), || "the 204 has a body".into())
}

async fn delete_gone(c: &Ctx) -> CheckResult {
    let u = c.create_user(json!({})).await?;
    let name = u.body["userName"].as_str().unwrap_or_default().to_string();
    status(&c.delete_created(&u).await, &[204, 200])?;
    let r = c.get(&c.user_path(&u.id)).await;
    status(&r, &[404])?;
    let f = format!(
        "{}?filter={}",
        c.users(),
        crate::conformance::context::enc(&format!("userName eq \"{name}\""))
    );
    let l = c.get(&f).await;
    status(&l, &[200])?;
    ensure(!ids(&l).contains(&u.id), || {
        "the deleted user is still returned by a filter".into()
    })
}

async fn deactivate(c: &Ctx) -> CheckResult {
    let u = c.create_user(json!({"active": true})).await?;
    let name = u.body["userName"].clone();
    status(
        &c.put(
            &c.user_path(&u.id),
            &json!({"schemas": [USER], "userName": name, "active": false}),
        )
        .await,
        &[200],
    )?;
    let g = c.get(&c.user_path(&u.id)).await;
    status(&g, &[200])?;
    ensure(g.body()["active"] == false, || {
        format!("active reads back as {}", g.body()["active"])
    })
}

async fn content_type(c: &Ctx) -> CheckResult {
    for path in [c.users().to_string(), c.user_path("does-not-exist")] {
        let r = c.get(&path).await;
        reached(&r)?;
        let ct = r
            .header("content-type")
            .unwrap_or_default()
            .to_ascii_lowercase();
        ensure(ct.starts_with("application/scim+json"), || {
            format!(
                "GET {} answered Content-Type {ct:?}",
                path_of(&r.exchange.url)
            )
        })?;
    }
    Ok(())
}

async fn auth_missing(c: &Ctx) -> CheckResult {
    let r = c.unauthenticated("GET", c.users(), &[]).await;
    scim_error(&r, 401, None)
}

async fn auth_challenge(c: &Ctx) -> CheckResult {
    let r = c.unauthenticated("GET", c.users(), &[]).await;
    status(&r, &[401])?;
    ensure(r.header("www-authenticate").is_some(), || {
        "401 without WWW-Authenticate".into()
    })
}

async fn error_status_string(c: &Ctx) -> CheckResult {
    let r = c.get(&c.user_path(&uuid::Uuid::new_v4().to_string())).await;
    status(&r, &[404])?;
    ensure(r.body()["status"].is_string(), || {
        format!("status is {} (not a string)", r.body()["status"])
    })
}
