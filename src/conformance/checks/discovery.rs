//! Discovery (RFC 7644 §4, RFC 7643 §5–§7): ServiceProviderConfig, ResourceTypes, Schemas.

use crate::check;
use crate::conformance::context::{
    Ctx, ENTERPRISE, LIST, USER, ensure, scim_error, status, truncate,
};
use crate::conformance::model::{Check, CheckResult};
use serde_json::Value;

const SPC: &str = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";

/// The discovery checks.
pub fn checks() -> Vec<Check> {
    vec![
        check!(spc_get, "discovery.spc.get", "GET /ServiceProviderConfig returns the SPC document", "RFC 7644 §4; RFC 7643 §5", Must, [],
            fault SpcIncomplete, "Serve the ServiceProviderConfig as a single object whose schemas lists urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig."),
        check!(spc_required_fields, "discovery.spc.required-fields", "The SPC has every REQUIRED feature object, correctly typed", "RFC 7643 §5", Must, [],
            fault SpcIncomplete, "Include patch, bulk (supported, maxOperations, maxPayloadSize), filter (supported, maxResults), changePassword, sort, etag and authenticationSchemes."),
        check!(spc_auth_schemes, "discovery.spc.auth-schemes", "Each authenticationSchemes entry has type, name and description", "RFC 7643 §5", Must, [],
            fault SpcIncomplete, "Describe each authentication scheme with type (e.g. oauthbearertoken), name and description."),
        check!(params_ignored, "discovery.spc.params-ignored", "Paging and sorting parameters on /ServiceProviderConfig are ignored", "RFC 7644 §4", Must, [],
            fault SpcIncomplete, "Ignore startIndex, count and sortBy on the discovery endpoints and return the same document."),
        check!(filter_403, "discovery.filter-403", "A filter on /Schemas is refused with 403", "RFC 7644 §4", Should, [],
            fault DiscoveryFilterAllowed, "Answer 403 with a SCIM error when a filter is given to a discovery endpoint."),
        check!(rt_list, "discovery.resource-types.list", "GET /ResourceTypes returns a ListResponse", "RFC 7644 §4", Must, [],
            fault ResourceTypesUnwrapped, "Wrap the resource types in a ListResponse (schemas, totalResults, Resources)."),
        check!(rt_fields, "discovery.resource-types.fields", "Each resource type has schemas, name, endpoint and schema", "RFC 7643 §6", Must, [],
            fault ResourceTypeNoSchema, "Give every ResourceType the ResourceType schema URN, a name, an endpoint and its core schema."),
        check!(rt_endpoint_relative, "discovery.resource-types.endpoint-relative", "Each resource type's endpoint is relative to the base URL (\"/Users\", \"Users\")", "RFC 7643 §6", Advice, [],
            fault EndpointServerAbsolute, "Advertise endpoint as the path below the base URL (\"/Users\"), as RFC 7643 §6 defines it; clients that concatenate it with the base URL otherwise call a doubled path."),
        check!(rt_by_id, "discovery.resource-types.by-id", "GET /ResourceTypes/User returns that resource type, unwrapped", "RFC 7644 §4", Advice, [],
            fault ResourceTypesUnwrapped, "Serve /ResourceTypes/{id} as the single ResourceType object."),
        check!(rt_unknown, "discovery.resource-types.unknown-404", "An unknown resource type is a 404 SCIM error", "RFC 7644 §3.12", Should, [],
            fault ErrorStatusNumber, "Answer 404 with a SCIM error body for unknown resource types."),
        check!(schemas_list, "discovery.schemas.list", "GET /Schemas lists every schema a resource type uses", "RFC 7644 §4", Must, [],
            fault SchemasIncomplete, "List the core and extension schemas of every resource type in /Schemas."),
        check!(schemas_by_id, "discovery.schemas.by-id", "GET /Schemas/{User URN} returns the User schema", "RFC 7644 §4", Advice, [],
            fault SchemasIncomplete, "Serve each schema at /Schemas/{its URN}."),
        check!(core_user, "discovery.schemas.core-user", "The User schema declares userName required, unique, case-insensitive; password writeOnly/never", "RFC 7643 §4.1, §8.7.1", Must, [],
            fault SchemaLies, "Declare userName required, uniqueness server, caseExact false; password mutability writeOnly, returned never."),
        check!(write_405, "discovery.read-only-405", "Writes to discovery endpoints are refused with 405", "RFC 7644 §4; RFC 9110 §15.5.6", Advice, [],
            fault DiscoveryWrite404, "Answer POST/PUT/PATCH/DELETE on /Schemas, /ResourceTypes and /ServiceProviderConfig with 405 Method Not Allowed."),
        check!(characteristics, "discovery.schemas.characteristics", "Every attribute's characteristics use the defined enum values", "RFC 7643 §2.2, §7", Must, [],
            fault SchemaLies, "Use only readOnly/readWrite/immutable/writeOnly, always/never/default/request and none/server/global."),
    ]
}

async fn spc(c: &Ctx) -> Result<Value, crate::conformance::model::Finding> {
    let r = c.get("/ServiceProviderConfig").await;
    status(&r, &[200])?;
    Ok(r.body().clone())
}

async fn spc_get(c: &Ctx) -> CheckResult {
    let b = spc(c).await?;
    ensure(b.is_object(), || {
        "the ServiceProviderConfig is not a JSON object".into()
    })?;
    ensure(
        b["schemas"]
            .as_array()
            .is_some_and(|s| s.iter().any(|u| u == SPC)),
        || format!("\"schemas\" does not list {SPC}: {}", b["schemas"]),
    )?;
    ensure(b.get("Resources").is_none(), || {
        "the SPC is wrapped in a ListResponse".into()
    })
}

async fn spc_required_fields(c: &Ctx) -> CheckResult {
    let b = spc(c).await?;
    let mut missing = Vec::new();
    for f in ["patch", "bulk", "filter", "changePassword", "sort", "etag"] {
        if !b[f]["supported"].is_boolean() {
            missing.push(format!("{f}.supported"));
        }
    }
    for p in [
        "/bulk/maxOperations",
        "/bulk/maxPayloadSize",
        "/filter/maxResults",
    ] {
        if !b.pointer(p).is_some_and(Value::is_u64) {
            missing.push(p.trim_start_matches('/').replace('/', "."));
        }
    }
    if !b["authenticationSchemes"].is_array() {
        missing.push("authenticationSchemes".into());
    }
    ensure(missing.is_empty(), || {
        format!("missing or mistyped: {}", missing.join(", "))
    })
}

async fn spc_auth_schemes(c: &Ctx) -> CheckResult {
    let b = spc(c).await?;
    let schemes = b["authenticationSchemes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    ensure(!schemes.is_empty(), || {
        "authenticationSchemes is missing or empty".into()
    })?;
    for s in &schemes {
        for f in ["type", "name", "description"] {
            ensure(s[f].is_string(), || {
                format!("an authentication scheme lacks {f:?}: {s}")
            })?;
        }
    }
    Ok(())
}

async fn params_ignored(c: &Ctx) -> CheckResult {
    let a = spc(c).await?;
    let r = c
        .get("/ServiceProviderConfig?startIndex=2&count=1&sortBy=id")
        .await;
    status(&r, &[200])?;
    let strip = |v: &Value| {
        let mut v = v.clone();
        if let Some(m) = v.as_object_mut() {
            m.remove("meta");
        }
        v
    };
    ensure(strip(&a) == strip(r.body()), || {
        "the document changed when paging/sorting parameters were added".into()
    })?;
    ensure(
        a["schemas"]
            .as_array()
            .is_some_and(|s| s.iter().any(|u| u == SPC)),
        || "the SPC lacks its schema URN".into(),
    )
}

async fn filter_403(c: &Ctx) -> CheckResult {
    let r = c.get("/Schemas?filter=id%20eq%20%22x%22").await;
    scim_error(&r, 403, None)
}

/// The listed resource types, whatever the wrapping (a bare array is judged by `rt_list`).
async fn listed_resource_types(c: &Ctx) -> Result<Vec<Value>, crate::conformance::model::Finding> {
    let r = c.get("/ResourceTypes").await;
    status(&r, &[200])?;
    Ok(match r.body() {
        Value::Array(a) => a.clone(),
        b => b["Resources"].as_array().cloned().unwrap_or_default(),
    })
}

async fn resource_types(c: &Ctx) -> Result<Vec<Value>, crate::conformance::model::Finding> {
    let r = c.get("/ResourceTypes").await;
    status(&r, &[200])?;
    let b = r.body();
    ensure(
        b["schemas"]
            .as_array()
            .is_some_and(|s| s.iter().any(|u| u == LIST)),
        || {
            format!(
                "/ResourceTypes is not a ListResponse: {}",
                truncate(&r.text, 200)
            )
        },
    )?;
    ensure(b["totalResults"].is_u64(), || "totalResults missing".into())?;
    Ok(b["Resources"].as_array().cloned().unwrap_or_default())
}

async fn rt_list(c: &Ctx) -> CheckResult {
    let list = resource_types(c).await?;
    ensure(!list.is_empty(), || "no resource types listed".into())
}

async fn rt_fields(c: &Ctx) -> CheckResult {
    let listed = listed_resource_types(c).await?;
    ensure(!listed.is_empty(), || "no resource types listed".into())?;
    for rt in listed {
        for f in ["name", "endpoint", "schema"] {
            ensure(rt[f].is_string(), || {
                format!("a resource type lacks {f:?}: {rt}")
            })?;
        }
        ensure(
            rt["schemas"].as_array().is_some_and(|s| !s.is_empty()),
            || format!("a resource type lacks schemas: {rt}"),
        )?;
        if let Some(exts) = rt["schemaExtensions"].as_array() {
            for e in exts {
                ensure(
                    e["schema"].is_string() && e["required"].is_boolean(),
                    || format!("bad schemaExtensions entry {e}"),
                )?;
            }
        }
    }
    Ok(())
}

async fn rt_endpoint_relative(c: &Ctx) -> CheckResult {
    // Discovery resolved every advertised endpoint robustly; what it had to read unusually is
    // reported here once, instead of as errors of every check that uses the endpoint.
    let notes = &c.caps().endpoint_notes;
    ensure(notes.is_empty(), || notes.join("; "))
}

async fn rt_by_id(c: &Ctx) -> CheckResult {
    let r = c.get("/ResourceTypes/User").await;
    status(&r, &[200])?;
    ensure(
        r.body()["name"] == "User" || r.body()["id"] == "User",
        || format!("not the User resource type: {}", truncate(&r.text, 200)),
    )?;
    ensure(r.body().get("Resources").is_none(), || {
        "wrapped in a ListResponse".into()
    })
}

async fn rt_unknown(c: &Ctx) -> CheckResult {
    let r = c.get(&format!("/ResourceTypes/{}", c.name("nope"))).await;
    scim_error(&r, 404, None)
}

async fn schema_list(c: &Ctx) -> Result<Vec<Value>, crate::conformance::model::Finding> {
    let r = c.get("/Schemas").await;
    status(&r, &[200])?;
    Ok(r.body()["Resources"]
        .as_array()
        .cloned()
        .unwrap_or_default())
}

async fn schemas_list(c: &Ctx) -> CheckResult {
    let listed: Vec<String> = schema_list(c)
        .await?
        .iter()
        .filter_map(|s| s["id"].as_str().map(str::to_string))
        .collect();
    let mut needed: Vec<String> = Vec::new();
    for rt in &c.caps().resource_types {
        if let Some(s) = rt["schema"].as_str() {
            needed.push(s.to_string());
        }
        for e in rt["schemaExtensions"].as_array().into_iter().flatten() {
            if let Some(s) = e["schema"].as_str() {
                needed.push(s.to_string());
            }
        }
    }
    if needed.is_empty() {
        needed.push(USER.to_string());
    }
    let missing: Vec<&String> = needed.iter().filter(|n| !listed.contains(n)).collect();
    ensure(missing.is_empty(), || {
        format!("/Schemas does not list {missing:?}")
    })
}

async fn schemas_by_id(c: &Ctx) -> CheckResult {
    let r = c.get(&format!("/Schemas/{USER}")).await;
    status(&r, &[200])?;
    ensure(r.body()["id"] == USER, || {
        format!("id is {}, expected {USER}", r.body()["id"])
    })?;
    if c.caps()
        .has(crate::conformance::model::Capability::EnterpriseUser)
    {
        let r = c.get(&format!("/Schemas/{ENTERPRISE}")).await;
        status(&r, &[200])?;
    }
    Ok(())
}

fn attr<'v>(schema: &'v Value, name: &str) -> Option<&'v Value> {
    schema["attributes"].as_array()?.iter().find(|a| {
        a["name"]
            .as_str()
            .is_some_and(|n| n.eq_ignore_ascii_case(name))
    })
}

async fn core_user(c: &Ctx) -> CheckResult {
    let r = c.get(&format!("/Schemas/{USER}")).await;
    status(&r, &[200])?;
    let s = r.body();
    let un = attr(s, "userName").ok_or_else(|| {
        crate::conformance::model::Finding::fail("the User schema has no userName")
    })?;
    ensure(un["required"] == true, || "userName is not required".into())?;
    ensure(
        un["uniqueness"] == "server" || un["uniqueness"] == "global",
        || format!("userName uniqueness is {}", un["uniqueness"]),
    )?;
    ensure(un["caseExact"] != true, || {
        "userName is declared caseExact".into()
    })?;
    if let Some(pw) = attr(s, "password") {
        ensure(pw["returned"] == "never", || {
            format!("password returned is {}", pw["returned"])
        })?;
        ensure(pw["mutability"] == "writeOnly", || {
            format!("password mutability is {}", pw["mutability"])
        })?;
    }
    Ok(())
}

async fn write_405(c: &Ctx) -> CheckResult {
    for (method, path) in [
        ("POST", "/Schemas"),
        ("PUT", "/ServiceProviderConfig"),
        ("DELETE", "/ResourceTypes/User"),
    ] {
        let r = c
            .send(
                method,
                path,
                (method != "DELETE").then_some(&serde_json::json!({})),
                &[],
            )
            .await;
        status(&r, &[405])?;
    }
    Ok(())
}

async fn characteristics(c: &Ctx) -> CheckResult {
    fn walk(a: &Value, path: &str, bad: &mut Vec<String>) {
        let check = |k: &str, allowed: &[&str], bad: &mut Vec<String>| {
            if let Some(v) = a.get(k)
                && !v.as_str().is_some_and(|s| allowed.contains(&s))
            {
                bad.push(format!("{path}.{k} = {v}"));
            }
        };
        check(
            "mutability",
            &["readOnly", "readWrite", "immutable", "writeOnly"],
            bad,
        );
        check("returned", &["always", "never", "default", "request"], bad);
        check("uniqueness", &["none", "server", "global"], bad);
        check(
            "type",
            &[
                "string",
                "boolean",
                "decimal",
                "integer",
                "dateTime",
                "binary",
                "reference",
                "complex",
            ],
            bad,
        );
        for s in a["subAttributes"].as_array().into_iter().flatten() {
            let n = s["name"].as_str().unwrap_or("?");
            walk(s, &format!("{path}.{n}"), bad);
        }
    }
    let mut bad = Vec::new();
    for s in schema_list(c).await? {
        let id = s["id"].as_str().unwrap_or("?").to_string();
        if id.contains(":core:2.0:") && !id.ends_with(":User") && !id.ends_with(":Group") {
            continue;
        }
        for a in s["attributes"].as_array().into_iter().flatten() {
            let n = a["name"].as_str().unwrap_or("?");
            walk(a, &format!("{id}:{n}"), &mut bad);
        }
    }
    ensure(bad.is_empty(), || {
        format!("invalid characteristics: {}", bad.join("; "))
    })
}
