//! PATCH (RFC 7644 §3.5.2): add, replace and remove with and without paths and value filters,
//! the errors the RFC names (noTarget, mutability, invalidPath, invalidSyntax), atomicity, the
//! no-op rule, primary demotion, the response shape, and the IdP dialects (Entra's capitalised
//! ops, string booleans and bare-string manager; Okta's path-less deactivation). Every verdict
//! reads the resource back.

use crate::check;
use crate::conformance::context::{
    Created, Ctx, ENTERPRISE, PATCH_OP, USER, assigned, ensure, reached, scim_error, status,
    truncate,
};
use crate::conformance::model::{Check, CheckResult, Finding};
use serde_json::{Value, json};

/// The PATCH checks.
pub fn checks() -> Vec<Check> {
    vec![
        check!(add_simple, "patch.add.simple", "add with path title sets it", "RFC 7644 §3.5.2.1", Must, [Patch],
            fault PatchIgnored, "Apply add operations: a path to an unset single-valued attribute sets it."),
        check!(add_multi, "patch.add.multi-valued", "add with path emails appends and keeps the existing values", "RFC 7644 §3.5.2.1", Must, [Patch],
            fault PatchIgnored, "For a multi-valued attribute, add appends the new values to the existing ones."),
        check!(add_no_path, "patch.add.no-path", "add without path merges the value object; unnamed sub-attributes stay", "RFC 7644 §3.5.2.1", Must, [Patch],
            fault PatchIgnored, "A path-less add merges each attribute of the value object into the resource."),
        check!(add_extension, "patch.add.extension-attribute", "add with a URN-qualified path sets an enterprise attribute", "RFC 7644 §3.5.2.1, §3.10", Must, [Patch, EnterpriseUser],
            fault PatchIgnored, "Resolve urn:…:enterprise:2.0:User:department paths into the extension object and add its URN to schemas."),
        check!(replace_simple, "patch.replace.simple", "replace with path displayName changes it", "RFC 7644 §3.5.2.3", Must, [Patch],
            fault PatchIgnored, "Apply replace operations and store the new value."),
        check!(replace_complex, "patch.replace.complex-keeps-sub-attributes", "replace of name with {givenName} leaves familyName", "RFC 7644 §3.5.2.3", Must, [Patch],
            fault PatchIgnored, "Replacing a complex attribute replaces only the sub-attributes given; others are left unchanged."),
        check!(replace_no_path, "patch.replace.no-path", "replace without path applies each attribute of the value", "RFC 7644 §3.5.2.3", Must, [Patch],
            fault PatchIgnored, "A path-less replace replaces each attribute named in the value object."),
        check!(replace_value_path, "patch.replace.value-path", "replace emails[type eq \"work\"].value changes only the work email", "RFC 7644 §3.5.2.3", Must, [Patch],
            fault PatchIgnored, "Evaluate the value filter and replace the sub-attribute of the matching values only."),
        check!(replace_value_path_miss, "patch.replace.value-path-no-match", "replace with a filter that matches nothing is 400 noTarget", "RFC 7644 §3.5.2.3", Must, [Patch],
            fault PatchNoTarget200, "Answer 400 scimType noTarget when a replace's value filter matches no value."),
        check!(replace_absent, "patch.replace.absent-adds", "replace of an unset attribute sets it", "RFC 7644 §3.5.2.3", Must, [Patch],
            fault PatchIgnored, "Treat replace of an attribute without a value as add."),
        check!(replace_multi_whole, "patch.replace.multi-valued-whole", "replace with path emails replaces the whole set", "RFC 7644 §3.5.2.3", Must, [Patch],
            fault PatchIgnored, "replace of a multi-valued attribute without a filter replaces all its values."),
        check!(remove_single, "patch.remove.single", "remove with path title unassigns it", "RFC 7644 §3.5.2.2", Must, [Patch],
            fault PatchIgnored, "remove unassigns the attribute: it is absent afterwards (not \"\" and not null)."),
        check!(remove_filter, "patch.remove.value-filter", "remove emails[type eq \"home\"] removes only the home email", "RFC 7644 §3.5.2.2", Must, [Patch],
            fault PatchIgnored, "remove with a value filter removes exactly the matching values."),
        check!(remove_sub_filter, "patch.remove.sub-attribute-filter", "remove addresses[type eq \"work\"].streetAddress keeps the address", "RFC 7644 §3.5.2.2", Must, [Patch],
            fault PatchIgnored, "remove of a sub-attribute behind a filter removes that sub-attribute of the matching values only."),
        check!(remove_all, "patch.remove.all-values", "remove with path emails removes every email", "RFC 7644 §3.5.2.2", Must, [Patch],
            fault PatchIgnored, "remove of a multi-valued attribute without a filter removes all its values."),
        check!(remove_no_path, "patch.remove.no-path", "remove without path is 400 noTarget", "RFC 7644 §3.5.2.2", Must, [Patch],
            fault PatchNoTarget200, "Answer 400 scimType noTarget to a remove operation without a path."),
        check!(sequential, "patch.sequential", "Operations apply in order: add, remove, replace of one attribute", "RFC 7644 §3.5.2", Must, [Patch],
            fault PatchIgnored, "Apply the operations one after the other, in array order."),
        check!(atomic, "patch.atomic", "A failing operation leaves the resource unchanged and the request fails", "RFC 7644 §3.5.2", Must, [Patch],
            fault PatchNotAtomic, "Treat a PATCH request as atomic: on any failing operation, restore the original resource."),
        check!(noop_stable, "patch.noop.version-unchanged", "A no-op PATCH leaves meta.lastModified and the ETag unchanged", "RFC 7644 §3.5.2.1", Must, [Patch],
            fault NoopPatchBumpsVersion, "When an add changes nothing, keep meta.lastModified and meta.version as they were."),
        check!(primary_demote, "patch.primary.demote-others", "Adding a primary email leaves exactly one primary", "RFC 7644 §3.5.2; RFC 7643 §2.4", Must, [Patch],
            fault PatchNoPrimaryDemote, "When an operation sets primary true on a value, set primary false on the others."),
        check!(read_only, "patch.mutability.read-only", "replace of the readOnly id is a 400 SCIM error and changes nothing", "RFC 7644 §3.5.2, §3.12", Must, [Patch],
            fault PatchMutability200, "Reject operations on readOnly attributes (id, meta, groups) with 400 scimType mutability."),
        check!(invalid_path, "patch.path.malformed", "A malformed path is a 400 SCIM error and changes nothing", "RFC 7644 §3.5.2, §3.12", Must, [Patch],
            fault PatchInvalidPath200, "Parse paths per RFC 7644 Figure 7 and answer 400 scimType invalidPath when one is malformed."),
        check!(unknown_path, "patch.path.unknown-attribute", "A path to an undefined attribute is a 400, never a silent 200", "RFC 7644 §3.5.2, §3.12", Must, [Patch],
            fault PatchInvalidPath200, "Answer 400 (invalidPath or noTarget) when a path names no attribute of the schema."),
        check!(schema_required, "patch.request.schema-required", "A PATCH body without the PatchOp schema is refused with 400 or applied, never answered 2xx and dropped", "RFC 7644 §3.5.2, §3.12", Advice, [Patch],
            fault PatchEnvelopeUnchecked, "Either refuse a PATCH without schemas with 400 invalidSyntax, or apply it as a PatchOp (authentik's group PATCH omits schemas); never answer 2xx without applying it."),
        check!(operations_required, "patch.request.operations-required", "A PATCH body without Operations is a 400 SCIM error", "RFC 7644 §3.5.2, §3.12", Should, [Patch],
            fault PatchEnvelopeUnchecked, "Require a non-empty Operations array; answer 400 invalidSyntax otherwise."),
        check!(unknown_op, "patch.request.unknown-op", "op \"move\" is a 400 and changes nothing", "RFC 7644 §3.5.2", Should, [Patch],
            fault PatchEnvelopeUnchecked, "Accept only add, remove and replace; answer 400 to any other op."),
        check!(response_shape, "patch.response.resource-or-204", "A successful PATCH answers 200 with the whole resource, or 204", "RFC 7644 §3.5.2", Must, [Patch],
            fault PatchEmpty200, "Answer 200 with the full updated resource (or 204 with no body)."),
        check!(unknown_resource, "patch.unknown-resource-404", "PATCH of an unknown id is a 404 SCIM error", "RFC 7644 §3.5.2, §3.12", Should, [Patch],
            fault Missing200, "Answer 404 with a SCIM error body when the resource does not exist."),
        check!(op_case, "patch.dialect.op-case-insensitive", "Capitalised op names (Entra's \"Replace\", \"Add\") are applied", "RFC 7644 §3.5.2", Dialect, [Patch],
            fault PatchOpCaseSensitive, "Compare op names case-insensitively: Entra sends \"Add\", \"Replace\" and \"Remove\"."),
        check!(string_boolean, "patch.dialect.string-boolean", "replace active with the string \"False\" deactivates (Entra)", "RFC 7643 §2.3.2", Dialect, [Patch],
            fault ActiveIgnored, "Accept \"True\"/\"False\" strings for booleans in PATCH values; Entra sends them by default."),
        check!(okta_deactivate, "patch.dialect.pathless-deactivate", "Path-less replace {\"active\": false} deactivates (Okta)", "RFC 7644 §3.5.2.3", Dialect, [Patch],
            fault ActiveIgnored, "Apply path-less replace {\"active\": false}: Okta deprovisions users this way."),
        check!(entra_manager, "patch.dialect.manager-string", "add of the enterprise manager as a bare id string sets manager.value (Entra)", "RFC 7643 §4.3", Dialect, [Patch, EnterpriseUser],
            fault ManagerStringRejected, "Accept a bare string for manager and store it as {\"value\": <id>}; Entra sends it that way."),
    ]
}

/// PATCH `u` with `ops`, expect 200 or 204, and return the resource as read back.
async fn patched(c: &Ctx, u: &Created, ops: Value) -> Result<Value, Finding> {
    let r = c.patch(&u.location, ops).await;
    status(&r, &[200, 204])?;
    read_back(c, u).await
}

async fn read_back(c: &Ctx, u: &Created) -> Result<Value, Finding> {
    let g = c.get(&u.location).await;
    status(&g, &[200])?;
    Ok(g.body().clone())
}

fn emails() -> Value {
    json!([
        {"value": "work@example.com", "type": "work", "primary": true},
        {"value": "home@example.com", "type": "home"}
    ])
}

/// The email values of `v` whose type is `t`.
fn email_of(v: &Value, t: &str) -> Vec<String> {
    v["emails"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|e| e["type"] == t)
                .filter_map(|e| e["value"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn short(v: &Value) -> String {
    truncate(&v.to_string(), 200)
}

async fn add_simple(c: &Ctx) -> CheckResult {
    let attr = text_attr(c)?;
    let u = c.create_user(json!({})).await?;
    let v = patched(
        c,
        &u,
        json!([{"op": "add", "path": attr, "value": "Added Value"}]),
    )
    .await?;
    ensure(v[attr] == "Added Value", || {
        format!(
            "after add path {attr} \"Added Value\", {attr} reads back as {}",
            v[attr]
        )
    })
}

async fn add_multi(c: &Ctx) -> CheckResult {
    c.needs(USER, &["emails", "emails.type"])?;
    let u = c
        .create_user(json!({"emails": [{"value": "first@example.com", "type": "work"}]}))
        .await?;
    let v = patched(
        c,
        &u,
        json!([{"op": "add", "path": "emails", "value": [{"value": "second@example.com", "type": "home"}]}]),
    )
    .await?;
    ensure(
        email_of(&v, "work") == ["first@example.com"]
            && email_of(&v, "home") == ["second@example.com"],
        || {
            format!(
                "after add path emails [second], expected first and second, got {}",
                v["emails"]
            )
        },
    )
}

async fn add_no_path(c: &Ctx) -> CheckResult {
    c.needs(USER, &["title", "name.givenName", "name.familyName"])?;
    let u = c
        .create_user(json!({"name": {"givenName": "Old", "familyName": "Kept"}}))
        .await?;
    let v = patched(
        c,
        &u,
        json!([{"op": "add", "value": {"title": "Merged", "name": {"givenName": "New"}}}]),
    )
    .await?;
    ensure(v["title"] == "Merged", || {
        format!("path-less add: title reads back as {}", v["title"])
    })?;
    ensure(
        v.pointer("/name/givenName") == Some(&json!("New"))
            && v.pointer("/name/familyName") == Some(&json!("Kept")),
        || {
            format!(
                "path-less add of name {{givenName: New}}: expected givenName New and familyName Kept, got {}",
                v["name"]
            )
        },
    )
}

async fn add_extension(c: &Ctx) -> CheckResult {
    let u = c.create_user(json!({})).await?;
    let path = format!("{ENTERPRISE}:department");
    let v = patched(
        c,
        &u,
        json!([{"op": "add", "path": path, "value": "Engineering"}]),
    )
    .await?;
    ensure(v[ENTERPRISE]["department"] == "Engineering", || {
        format!(
            "after add {path}, the extension reads back as {}",
            v[ENTERPRISE]
        )
    })?;
    ensure(
        v["schemas"]
            .as_array()
            .is_some_and(|s| s.iter().any(|x| x == ENTERPRISE)),
        || {
            format!(
                "schemas does not list {ENTERPRISE} although the resource now has it: {}",
                v["schemas"]
            )
        },
    )
}

async fn replace_simple(c: &Ctx) -> CheckResult {
    let attr = text_attr(c)?;
    let u = c.create_user(json!({ attr: "Before" })).await?;
    let v = patched(
        c,
        &u,
        json!([{"op": "replace", "path": attr, "value": "After"}]),
    )
    .await?;
    ensure(v[attr] == "After", || {
        format!(
            "after replace {attr} \"After\", it reads back as {}",
            v[attr]
        )
    })
}

async fn replace_complex(c: &Ctx) -> CheckResult {
    c.needs(USER, &["name.givenName", "name.familyName"])?;
    let u = c
        .create_user(json!({"name": {"givenName": "Old", "familyName": "Kept"}}))
        .await?;
    let v = patched(
        c,
        &u,
        json!([{"op": "replace", "path": "name", "value": {"givenName": "New"}}]),
    )
    .await?;
    ensure(
        v.pointer("/name/givenName") == Some(&json!("New"))
            && v.pointer("/name/familyName") == Some(&json!("Kept")),
        || {
            format!(
                "replace name {{givenName: New}}: expected givenName New and familyName Kept, got {}",
                v["name"]
            )
        },
    )
}

async fn replace_no_path(c: &Ctx) -> CheckResult {
    c.needs(USER, &["displayName", "nickName"])?;
    let u = c
        .create_user(json!({"displayName": "Before", "nickName": "nick"}))
        .await?;
    let v = patched(
        c,
        &u,
        json!([{"op": "replace", "value": {"displayName": "After", "nickName": "newnick"}}]),
    )
    .await?;
    ensure(
        v["displayName"] == "After" && v["nickName"] == "newnick",
        || {
            format!(
                "path-less replace: expected displayName After and nickName newnick, got {} and {}",
                v["displayName"], v["nickName"]
            )
        },
    )
}

async fn replace_value_path(c: &Ctx) -> CheckResult {
    c.needs(USER, &["emails", "emails.type"])?;
    let u = c.create_user(json!({"emails": emails()})).await?;
    let v = patched(
        c,
        &u,
        json!([{"op": "replace", "path": "emails[type eq \"work\"].value", "value": "new-work@example.com"}]),
    )
    .await?;
    ensure(
        email_of(&v, "work") == ["new-work@example.com"]
            && email_of(&v, "home") == ["home@example.com"],
        || {
            format!(
                "replace emails[type eq \"work\"].value: expected work new-work@… and home unchanged, got {}",
                v["emails"]
            )
        },
    )
}

async fn replace_value_path_miss(c: &Ctx) -> CheckResult {
    c.needs(USER, &["emails", "emails.type"])?;
    let u = c.create_user(json!({"emails": emails()})).await?;
    let r = c
        .patch(
            &u.location,
            json!([{"op": "replace", "path": "emails[type eq \"other\"].value", "value": "x@example.com"}]),
        )
        .await;
    scim_error(&r, 400, Some("noTarget"))?;
    let v = read_back(c, &u).await?;
    ensure(v["emails"] == emails(), || {
        format!("the failed replace changed emails: {}", v["emails"])
    })
}

async fn replace_absent(c: &Ctx) -> CheckResult {
    let attr = text_attr(c)?;
    let u = c.create_user(json!({})).await?;
    if assigned(&u.body, attr).is_some() {
        return Err(Finding::skip(format!(
            "precondition not met: a new user already has {attr} {} (the server assigns it)",
            u.body[attr]
        )));
    }
    let v = patched(
        c,
        &u,
        json!([{"op": "replace", "path": attr, "value": "fresh"}]),
    )
    .await?;
    ensure(v[attr] == "fresh", || {
        format!("replace of the unset {attr}: it reads back as {}", v[attr])
    })
}

async fn replace_multi_whole(c: &Ctx) -> CheckResult {
    c.needs(USER, &["emails", "emails.type"])?;
    let u = c.create_user(json!({"emails": emails()})).await?;
    let v = patched(
        c,
        &u,
        json!([{"op": "replace", "path": "emails", "value": [{"value": "only@example.com", "type": "other"}]}]),
    )
    .await?;
    let all = v["emails"].as_array().cloned().unwrap_or_default();
    ensure(
        all.len() == 1
            && all
                .first()
                .is_some_and(|e| e["value"] == "only@example.com"),
        || {
            format!(
                "replace path emails [only]: expected exactly that email, got {}",
                v["emails"]
            )
        },
    )
}

async fn remove_single(c: &Ctx) -> CheckResult {
    let attr = text_attr(c)?;
    let u = c.create_user(json!({ attr: "To Remove" })).await?;
    let v = patched(c, &u, json!([{"op": "remove", "path": attr}])).await?;
    // Absent or null: the same unassigned state (RFC 7643 §2.5).
    ensure(assigned(&v, attr).is_none(), || {
        format!("after remove path {attr}, {attr} reads back as {}", v[attr])
    })
}

async fn remove_filter(c: &Ctx) -> CheckResult {
    c.needs(USER, &["emails", "emails.type"])?;
    let u = c.create_user(json!({"emails": emails()})).await?;
    let v = patched(
        c,
        &u,
        json!([{"op": "remove", "path": "emails[type eq \"home\"]"}]),
    )
    .await?;
    ensure(
        email_of(&v, "home").is_empty() && email_of(&v, "work") == ["work@example.com"],
        || {
            format!(
                "remove emails[type eq \"home\"]: expected only the work email, got {}",
                v["emails"]
            )
        },
    )
}

async fn remove_sub_filter(c: &Ctx) -> CheckResult {
    c.needs(
        USER,
        &["addresses", "addresses.type", "addresses.streetAddress"],
    )?;
    let u = c
        .create_user(json!({"addresses": [
            {"type": "work", "streetAddress": "1 Main St", "locality": "Springfield"},
            {"type": "home", "streetAddress": "2 Side St", "locality": "Shelbyville"}
        ]}))
        .await?;
    let v = patched(
        c,
        &u,
        json!([{"op": "remove", "path": "addresses[type eq \"work\"].streetAddress"}]),
    )
    .await?;
    let all = v["addresses"].as_array().cloned().unwrap_or_default();
    let work = all.iter().find(|a| a["type"] == "work");
    let home = all.iter().find(|a| a["type"] == "home");
    ensure(
        work.is_some_and(|w| w.get("streetAddress").is_none() && w["locality"] == "Springfield")
            && home.is_some_and(|h| h["streetAddress"] == "2 Side St"),
        || {
            format!(
                "remove addresses[type eq \"work\"].streetAddress: expected the work address without streetAddress and home intact, got {}",
                v["addresses"]
            )
        },
    )
}

async fn remove_all(c: &Ctx) -> CheckResult {
    c.needs(USER, &["emails"])?;
    let u = c.create_user(json!({"emails": emails()})).await?;
    let v = patched(c, &u, json!([{"op": "remove", "path": "emails"}])).await?;
    ensure(assigned(&v, "emails").is_none(), || {
        format!(
            "after remove path emails, emails reads back as {}",
            v["emails"]
        )
    })
}

async fn remove_no_path(c: &Ctx) -> CheckResult {
    let attr = text_attr(c)?;
    let u = c.create_user(json!({ attr: "Stays" })).await?;
    let r = c.patch(&u.location, json!([{"op": "remove"}])).await;
    scim_error(&r, 400, Some("noTarget"))?;
    let v = read_back(c, &u).await?;
    ensure(
        v[attr] == "Stays" && v["userName"] == u.body["userName"],
        || format!("the failed remove changed the resource: {}", short(&v)),
    )
}

async fn sequential(c: &Ctx) -> CheckResult {
    c.needs(USER, &["nickName"])?;
    let u = c.create_user(json!({})).await?;
    let v = patched(
        c,
        &u,
        json!([
            {"op": "add", "path": "nickName", "value": "first"},
            {"op": "remove", "path": "nickName"},
            {"op": "replace", "path": "nickName", "value": "last"}
        ]),
    )
    .await?;
    ensure(v["nickName"] == "last", || {
        format!(
            "[add first, remove, replace last] on nickName: expected \"last\", got {}",
            v["nickName"]
        )
    })
}

/// A writable single-valued string attribute the target declares on User (for checks that
/// only need "some attribute to change"), or a Skip naming why none fits.
fn text_attr(c: &Ctx) -> Result<&'static str, Finding> {
    c.user_text_attr(&["displayName", "nickName", "title", "profileUrl"])
}

async fn atomic(c: &Ctx) -> CheckResult {
    let attr = text_attr(c)?;
    let u = c.create_user(json!({ attr: "Original" })).await?;
    let before = read_back(c, &u).await?;
    let r = c
        .patch(
            &u.location,
            json!([
                {"op": "replace", "path": attr, "value": "Changed"},
                {"op": "remove"}
            ]),
        )
        .await;
    reached(&r)?;
    // RFC 7644 §3.5.2: "If a single operation encounters an error condition, the original SCIM
    // resource MUST be restored, and a failure status SHALL be returned." Any failure status.
    ensure(r.code() >= 400, || {
        format!(
            "[valid replace of {attr}, remove without path] answered {}, expected a failure status",
            r.code()
        )
    })?;
    let v = read_back(c, &u).await?;
    ensure(v[attr] == before[attr], || {
        format!(
            "the request failed ({}) but its first operation stuck: {attr} reads back as {} (was {})",
            r.code(),
            v[attr],
            before[attr]
        )
    })
}

async fn noop_stable(c: &Ctx) -> CheckResult {
    c.needs(USER, &["displayName"])?;
    let u = c.create_user(json!({"displayName": "Same"})).await?;
    let g1 = c.get(&u.location).await;
    status(&g1, &[200])?;
    let before = (
        g1.body().pointer("/meta/lastModified").cloned(),
        g1.body().pointer("/meta/version").cloned(),
        g1.header("etag").map(str::to_string),
    );
    let r = c
        .patch(
            &u.location,
            json!([{"op": "add", "path": "displayName", "value": "Same"}]),
        )
        .await;
    status(&r, &[200, 204])?;
    let g2 = c.get(&u.location).await;
    status(&g2, &[200])?;
    let after = (
        g2.body().pointer("/meta/lastModified").cloned(),
        g2.body().pointer("/meta/version").cloned(),
        g2.header("etag").map(str::to_string),
    );
    ensure(before.0.is_some(), || {
        "the resource has no meta.lastModified to compare".into()
    })?;
    ensure(before == after, || {
        format!(
            "add of the value already present changed lastModified/version/ETag: {before:?} -> {after:?}"
        )
    })
}

async fn primary_demote(c: &Ctx) -> CheckResult {
    c.needs(USER, &["emails", "emails.type", "emails.primary"])?;
    let u = c.create_user(json!({"emails": emails()})).await?;
    let v = patched(
        c,
        &u,
        json!([{"op": "add", "path": "emails", "value": [{"value": "new@example.com", "type": "other", "primary": true}]}]),
    )
    .await?;
    let all = v["emails"].as_array().cloned().unwrap_or_default();
    let primaries: Vec<&Value> = all.iter().filter(|e| e["primary"] == true).collect();
    ensure(
        primaries.len() == 1
            && primaries
                .first()
                .is_some_and(|e| e["value"] == "new@example.com"),
        || {
            format!(
                "after adding a primary email, expected exactly one primary (the new one), got {}",
                v["emails"]
            )
        },
    )
}

async fn read_only(c: &Ctx) -> CheckResult {
    let u = c.create_user(json!({})).await?;
    let r = c
        .patch(
            &u.location,
            json!([{"op": "replace", "path": "id", "value": "patched-id"}]),
        )
        .await;
    // RFC 7644 §3.5.2: an operation not compatible with the mutability "SHALL return the
    // appropriate HTTP response status code and a JSON detail error response"; no scimType is
    // mandated for a replace (only §3.5.2.2's remove names "mutability").
    scim_error(&r, 400, None)?;
    let v = read_back(c, &u).await?;
    ensure(v["id"] == u.id.as_str(), || {
        format!("id reads back as {} after the refused replace", v["id"])
    })
}

async fn invalid_path(c: &Ctx) -> CheckResult {
    c.needs(USER, &["name.givenName"])?;
    let u = c
        .create_user(json!({"name": {"givenName": "Kept"}}))
        .await?;
    let r = c
        .patch(
            &u.location,
            json!([{"op": "replace", "path": "name..givenName", "value": "X"}]),
        )
        .await;
    // Table 9 describes invalidPath, but no sentence mandates a scimType here (RFC 7644 §3.12:
    // scimType is OPTIONAL).
    scim_error(&r, 400, None)?;
    let v = read_back(c, &u).await?;
    ensure(v.pointer("/name/givenName") == Some(&json!("Kept")), || {
        format!("the refused PATCH changed name: {}", v["name"])
    })
}

async fn unknown_path(c: &Ctx) -> CheckResult {
    let u = c.create_user(json!({})).await?;
    let r = c
        .patch(
            &u.location,
            json!([{"op": "replace", "path": "scimtestNoSuchAttribute", "value": "X"}]),
        )
        .await;
    scim_error(&r, 400, None)?;
    let v = read_back(c, &u).await?;
    ensure(v.get("scimtestNoSuchAttribute").is_none(), || {
        "the undefined attribute was stored".into()
    })
}

async fn schema_required(c: &Ctx) -> CheckResult {
    let attr = text_attr(c)?;
    let u = c.create_user(json!({ attr: "Kept" })).await?;
    let before = read_back(c, &u).await?;
    let body = json!({"Operations": [{"op": "replace", "path": attr, "value": "X"}]});
    let r = c.send("PATCH", &u.location, Some(&body), &[]).await;
    let v = read_back(c, &u).await?;
    // RFC 7644 §3.5.2's MUST is on the client: a server may refuse the body (400) or read it as
    // the PatchOp it is (authentik's group PATCH has no schemas). A 2xx must mean it applied.
    if (200..300).contains(&r.code()) {
        return ensure(v[attr] == "X", || {
            format!(
                "PATCH without schemas answered {} but {attr} reads back {} (neither refused nor applied)",
                r.code(),
                v[attr]
            )
        });
    }
    scim_error(&r, 400, None)?;
    ensure(v[attr] == before[attr], || {
        format!("the refused PATCH changed {attr} to {}", v[attr])
    })
}

async fn operations_required(c: &Ctx) -> CheckResult {
    let u = c.create_user(json!({})).await?;
    let body = json!({"schemas": [PATCH_OP]});
    let r = c.send("PATCH", &u.location, Some(&body), &[]).await;
    // Any 400 SCIM error: invalidValue ("A required value was missing") fits Table 9 as well as
    // invalidSyntax, and RFC 7644 §3.12 makes scimType OPTIONAL.
    scim_error(&r, 400, None)
}

async fn unknown_op(c: &Ctx) -> CheckResult {
    let attr = text_attr(c)?;
    let u = c.create_user(json!({ attr: "Kept" })).await?;
    let before = read_back(c, &u).await?;
    let r = c
        .patch(
            &u.location,
            json!([{"op": "move", "path": attr, "value": "X"}]),
        )
        .await;
    scim_error(&r, 400, None)?;
    let v = read_back(c, &u).await?;
    ensure(v[attr] == before[attr], || {
        format!("op \"move\" changed {attr} to {}", v[attr])
    })
}

async fn response_shape(c: &Ctx) -> CheckResult {
    c.needs(USER, &["displayName"])?;
    let u = c.create_user(json!({"displayName": "Before"})).await?;
    let r = c
        .patch(
            &u.location,
            json!([{"op": "replace", "path": "displayName", "value": "After"}]),
        )
        .await;
    status(&r, &[200, 204])?;
    if r.code() == 204 {
        return ensure(r.text.is_empty(), || "the 204 has a body".into());
    }
    let b = r.body();
    ensure(
        b["id"] == u.id.as_str()
            && b["userName"] == u.body["userName"]
            && b["displayName"] == "After"
            && b["schemas"].is_array(),
        || {
            format!(
                "the 200 body is not the whole updated resource (id, schemas, userName, displayName After): {}",
                truncate(&r.text, 200)
            )
        },
    )
}

async fn unknown_resource(c: &Ctx) -> CheckResult {
    let path = c.user_path(&uuid::Uuid::new_v4().to_string());
    let r = c
        .patch(
            &path,
            json!([{"op": "replace", "path": "displayName", "value": "X"}]),
        )
        .await;
    scim_error(&r, 404, None)
}

async fn op_case(c: &Ctx) -> CheckResult {
    c.needs(USER, &["displayName", "title"])?;
    let u = c.create_user(json!({"displayName": "Before"})).await?;
    let v = patched(
        c,
        &u,
        json!([
            {"op": "Replace", "path": "displayName", "value": "After"},
            {"op": "Add", "path": "title", "value": "Added"}
        ]),
    )
    .await?;
    ensure(v["displayName"] == "After" && v["title"] == "Added", || {
        format!(
            "ops \"Replace\"/\"Add\" were not applied: displayName {}, title {}",
            v["displayName"], v["title"]
        )
    })
}

async fn string_boolean(c: &Ctx) -> CheckResult {
    let u = c.create_user(json!({"active": true})).await?;
    let v = patched(
        c,
        &u,
        json!([{"op": "replace", "path": "active", "value": "False"}]),
    )
    .await?;
    ensure(v["active"] == false, || {
        format!(
            "replace active \"False\": active reads back as {}",
            v["active"]
        )
    })
}

async fn okta_deactivate(c: &Ctx) -> CheckResult {
    let u = c.create_user(json!({"active": true})).await?;
    let v = patched(
        c,
        &u,
        json!([{"op": "replace", "value": {"active": false}}]),
    )
    .await?;
    ensure(v["active"] == false, || {
        format!(
            "path-less replace {{active: false}}: active reads back as {}",
            v["active"]
        )
    })
}

async fn entra_manager(c: &Ctx) -> CheckResult {
    let boss = c.create_user(json!({"displayName": "Boss"})).await?;
    let u = c.create_user(json!({})).await?;
    let path = format!("{ENTERPRISE}:manager");
    let v = patched(
        c,
        &u,
        json!([{"op": "add", "path": path, "value": boss.id}]),
    )
    .await?;
    ensure(
        v[ENTERPRISE]["manager"]["value"] == boss.id.as_str(),
        || {
            format!(
                "add {path} \"<id>\": manager reads back as {}",
                v[ENTERPRISE]["manager"]
            )
        },
    )
}
