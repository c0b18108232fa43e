//! The provider's HTTP face (axum): one dispatcher under `/scim/v2` that authenticates, reads the
//! body with a size cap, negotiates media types, routes to `service.rs` / `bulk.rs`, and turns
//! every outcome — including every client mistake — into a SCIM response with
//! `Content-Type: application/scim+json`. Nothing here decides protocol semantics.

use crate::provider::bulk;
use crate::provider::fault::{Fault, Faults};
use crate::provider::service::{Projection, Provider, Reply, TenantSlot};
use crate::provider::store::Kind;
use crate::scim::query::{self, ListQuery};
use crate::scim::{ScimError, ScimResult};
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::Response;
use bytes::Bytes;
use serde_json::Value;
use std::sync::Arc;

/// The SCIM media type.
pub const SCIM_JSON: &str = "application/scim+json";

/// The query parameters RFC 7644 defines (for the `unknown-param-400` fault).
const KNOWN_PARAMS: [&str; 7] = [
    "filter",
    "sortBy",
    "sortOrder",
    "startIndex",
    "count",
    "attributes",
    "excludedAttributes",
];

/// The router: everything under `/scim/v2`, a SCIM 404 elsewhere.
pub fn router(provider: Arc<Provider>) -> Router {
    Router::new()
        .route("/scim/v2", axum::routing::any(dispatch))
        .route("/scim/v2/", axum::routing::any(dispatch))
        .route("/scim/v2/{*rest}", axum::routing::any(dispatch))
        .fallback(not_under_base)
        .with_state(provider)
}

async fn not_under_base(State(p): State<Arc<Provider>>, uri: Uri) -> Response {
    error_response(
        &ScimError::not_found(format!(
            "{} is not a SCIM endpoint; the base URL is /scim/v2",
            uri.path()
        )),
        &p.faults,
    )
}

/// The RFC 7644 §3.12 error body, with the error-shape faults applied.
pub fn error_json(e: &ScimError, faults: &Faults) -> Value {
    let mut v = e.to_json();
    if let Value::Object(m) = &mut v {
        if faults.has(Fault::ErrorScimTypeInvalid) && m.contains_key("scimType") {
            m.insert("scimType".into(), Value::from("invalidRequest"));
        }
        if faults.has(Fault::ErrorStatusNumber) {
            m.insert("status".into(), Value::from(e.status));
        }
        if faults.has(Fault::ErrorNoSchemas) {
            m.shift_remove("schemas");
        }
        if faults.has(Fault::ScimTypeSparse)
            && m.get("scimType").and_then(Value::as_str).is_some_and(|t| {
                matches!(
                    t,
                    "invalidSyntax" | "invalidValue" | "invalidPath" | "sensitive"
                )
            })
        {
            m.shift_remove("scimType");
        }
    }
    v
}

/// The User attributes the `minimal-user-schema` variant does not have.
const MINIMAL_SCHEMA_DROPS: [&str; 4] = ["title", "nickName", "profileUrl", "addresses"];

/// Under `minimal-user-schema`: a 400 for a request that names an attribute the variant's User
/// schema lacks, in its body (a key, a PATCH path) or its query (filter, sortBy, attributes).
fn refuse_undeclared(uri: &Uri, body: &[u8]) -> Option<ScimError> {
    let query = crate::text::percent_decode(uri.query().unwrap_or(""), false).to_ascii_lowercase();
    let text = String::from_utf8_lossy(body).to_ascii_lowercase();
    for name in MINIMAL_SCHEMA_DROPS {
        let n = name.to_ascii_lowercase();
        let in_query = query
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '.'))
            .any(|w| w == n || w.starts_with(&format!("{n}.")));
        if in_query {
            return Some(ScimError::new(
                400,
                Some(crate::scim::error::ScimType::InvalidFilter),
                format!("{name} is not an attribute of this service's User schema"),
            ));
        }
        let in_body = text.contains(&format!("\"{n}\""))
            || text.contains(&format!("\"{n}."))
            || text.contains(&format!("\"{n}["))
            || text.contains(&format!("\"{n} "));
        if in_body {
            return Some(ScimError::new(
                400,
                Some(crate::scim::error::ScimType::InvalidValue),
                format!("{name} is not an attribute of this service's User schema"),
            ));
        }
    }
    None
}

/// The faults that rewrite successful JSON bodies on their way out.
const BODY_FAULTS: [Fault; 8] = [
    Fault::MinimalUserSchema,
    Fault::ResourceTypeNoSchema,
    Fault::LastModifiedFrozen,
    Fault::InventedExternalId,
    Fault::MetaDatesNotDatetime,
    Fault::NullForUnassigned,
    Fault::LocationWrong,
    Fault::EndpointServerAbsolute,
];

/// A successful JSON body with the representation faults applied (unchanged when none is on).
fn rewrite_body(b: Bytes, faults: &Faults) -> Bytes {
    if !BODY_FAULTS.iter().any(|f| faults.has(*f)) {
        return b;
    }
    let Ok(mut v) = serde_json::from_slice::<Value>(&b) else {
        return b;
    };
    rewrite_value(&mut v, faults);
    serde_json::to_vec(&v).map(Bytes::from).unwrap_or(b)
}

fn rewrite_value(v: &mut Value, faults: &Faults) {
    match v {
        Value::Array(a) => a.iter_mut().for_each(|x| rewrite_value(x, faults)),
        Value::Object(m) => {
            let has_schema = |m: &serde_json::Map<String, Value>, urn: &str| {
                m.get("schemas")
                    .and_then(Value::as_array)
                    .is_some_and(|s| s.iter().any(|x| x == urn))
            };
            if faults.has(Fault::InventedExternalId)
                && has_schema(m, "urn:ietf:params:scim:schemas:core:2.0:User")
                && !m.contains_key("externalId")
            {
                m.insert("externalId".into(), Value::String(String::new()));
            }
            if let Some(Value::Object(meta)) = m.get_mut("meta") {
                if faults.has(Fault::LastModifiedFrozen)
                    && let Some(created) = meta.get("created").cloned()
                {
                    meta.insert("lastModified".into(), created);
                }
                if faults.has(Fault::MetaDatesNotDatetime) {
                    for k in ["created", "lastModified"] {
                        if let Some(Value::String(t)) = meta.get_mut(k) {
                            *t = t.replace('T', " ").chars().take(19).collect();
                        }
                    }
                }
                if faults.has(Fault::LocationWrong)
                    && let Some(Value::String(l)) = meta.get_mut("location")
                {
                    l.push_str("-elsewhere");
                }
            }
            if faults.has(Fault::NullForUnassigned) {
                if has_schema(m, "urn:ietf:params:scim:schemas:core:2.0:Group")
                    && !m.contains_key("members")
                {
                    m.insert("members".into(), Value::Array(Vec::new()));
                }
                if has_schema(m, "urn:ietf:params:scim:schemas:core:2.0:User")
                    && !m.contains_key("nickName")
                {
                    m.insert("nickName".into(), Value::Null);
                }
                if has_schema(
                    m,
                    "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig",
                ) {
                    m.insert("documentationUri".into(), Value::Null);
                }
            }
            if faults.has(Fault::MinimalUserSchema)
                && m.get("id").and_then(Value::as_str)
                    == Some("urn:ietf:params:scim:schemas:core:2.0:User")
                && let Some(Value::Array(attrs)) = m.get_mut("attributes")
            {
                attrs.retain(|a| {
                    !a["name"].as_str().is_some_and(|n| {
                        MINIMAL_SCHEMA_DROPS
                            .iter()
                            .any(|d| d.eq_ignore_ascii_case(n))
                    })
                });
            }
            if faults.has(Fault::ResourceTypeNoSchema)
                && has_schema(m, "urn:ietf:params:scim:schemas:core:2.0:ResourceType")
            {
                m.shift_remove("schema");
            }
            if faults.has(Fault::EndpointServerAbsolute)
                && has_schema(m, "urn:ietf:params:scim:schemas:core:2.0:ResourceType")
                && let Some(Value::String(e)) = m.get_mut("endpoint")
            {
                *e = format!("/scim/v2/{}", e.trim_start_matches('/'));
            }
            for (_, x) in m.iter_mut() {
                rewrite_value(x, faults);
            }
        }
        _ => {}
    }
}

fn content_type(faults: &Faults) -> HeaderValue {
    HeaderValue::from_static(if faults.has(Fault::JsonContentType) {
        "application/json"
    } else {
        SCIM_JSON
    })
}

/// A SCIM error as an HTTP response.
pub fn error_response(e: &ScimError, faults: &Faults) -> Response {
    let body = serde_json::to_vec(&error_json(e, faults)).unwrap_or_default();
    let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, content_type(faults));
    if status == StatusCode::UNAUTHORIZED && !faults.has(Fault::NoWwwAuthenticate) {
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"scimtest\""),
        );
    }
    r
}

fn reply_response(reply: Reply, faults: &Faults) -> Response {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::OK);
    let mut r = match reply.body {
        Some(b) if status != StatusCode::NO_CONTENT && status != StatusCode::NOT_MODIFIED => {
            let mut r = Response::new(Body::from(rewrite_body(b, faults)));
            r.headers_mut()
                .insert(header::CONTENT_TYPE, content_type(faults));
            r
        }
        _ => Response::new(Body::empty()),
    };
    *r.status_mut() = status;
    if let Some(tag) = reply.etag.and_then(|t| HeaderValue::from_str(&t).ok()) {
        r.headers_mut().insert(header::ETAG, tag);
    }
    if let Some(loc) = reply.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        r.headers_mut().insert(header::LOCATION, loc);
    }
    r
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// `Accept` must allow JSON: `application/scim+json`, `application/json`, a wildcard, or absent.
fn accept_ok(headers: &HeaderMap) -> bool {
    let Some(accept) = header_str(headers, header::ACCEPT) else {
        return true;
    };
    accept.split(',').any(|part| {
        let mt = part
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        mt.is_empty()
            || matches!(
                mt.as_str(),
                "*/*" | "application/*" | SCIM_JSON | "application/json"
            )
    })
}

/// A request body's `Content-Type` must be JSON (any charset parameter) or absent.
fn content_type_ok(headers: &HeaderMap) -> bool {
    let Some(ct) = header_str(headers, header::CONTENT_TYPE) else {
        return true;
    };
    let mt = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    matches!(mt.as_str(), SCIM_JSON | "application/json" | "")
}

/// Most bytes of an oversize request body read and dropped before its 413 is sent.
const DRAIN_MAX: usize = 8 * 1024 * 1024;

/// Whether `bytes`, read as JSON, nests arrays and objects deeper than `max` (brackets inside
/// strings do not count). A linear scan, so a nesting bomb costs no recursion.
pub fn nests_deeper_than(bytes: &[u8], max: usize) -> bool {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for &b in bytes {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

async fn read_json(
    body: Body,
    limit: usize,
    max_depth: usize,
    headers: &HeaderMap,
) -> ScimResult<Value> {
    if !content_type_ok(headers) {
        return Err(ScimError::new(
            415,
            None,
            "request bodies must be application/scim+json (or application/json)",
        ));
    }
    if let Some(len) =
        header_str(headers, header::CONTENT_LENGTH).and_then(|l| l.parse::<u64>().ok())
        && len > limit as u64
    {
        // Read (and drop) a bounded part of the body before answering: a client still sending
        // when the 413 goes out and the connection closes sees a reset instead of the answer.
        // Bodies beyond the bound (a 2 GiB Content-Length) are not waited for.
        if len <= DRAIN_MAX as u64 {
            let _ = tokio::time::timeout(
                std::time::Duration::from_secs(2),
                axum::body::to_bytes(body, DRAIN_MAX),
            )
            .await;
        }
        return Err(too_large(limit));
    }
    let bytes: Bytes = axum::body::to_bytes(body, limit).await.map_err(|e| {
        let msg = e.to_string();
        if msg.contains("length limit") {
            too_large(limit)
        } else {
            ScimError::invalid_syntax(format!("could not read the request body: {msg}"))
        }
    })?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ScimError::invalid_syntax(
            "the request body is empty; a JSON object is required",
        ));
    }
    if nests_deeper_than(&bytes, max_depth) {
        return Err(ScimError::invalid_syntax(format!(
            "the request body nests arrays and objects deeper than {max_depth} levels"
        )));
    }
    serde_json::from_slice(&bytes)
        .map_err(|e| ScimError::invalid_syntax(format!("the request body is not valid JSON: {e}")))
}

fn too_large(limit: usize) -> ScimError {
    ScimError::new(
        413,
        None,
        format!("the request body is larger than the limit of {limit} bytes (maxPayloadSize)"),
    )
}

fn projection(uri: &Uri) -> ScimResult<Projection> {
    let pairs = query::decode_query(uri.query().unwrap_or(""))?;
    let mut p = Projection::default();
    for (k, v) in &pairs {
        if k.eq_ignore_ascii_case("attributes") {
            p.attributes = query::parse_attr_list(v)?;
        } else if k.eq_ignore_ascii_case("excludedAttributes") {
            p.excluded = query::parse_attr_list(v)?;
        }
    }
    Ok(p)
}

fn list_query(uri: &Uri) -> ScimResult<ListQuery> {
    let pairs = query::decode_query(uri.query().unwrap_or(""))?;
    ListQuery::from_params(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

/// The `start-index-not-clamped` fault: `startIndex` below 1 is a 400.
fn reject_start_below_one(uri: &Uri) -> ScimResult<()> {
    let pairs = query::decode_query(uri.query().unwrap_or(""))?;
    let below = pairs.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("startIndex") && v.trim().parse::<i64>().is_ok_and(|n| n < 1)
    });
    if below {
        return Err(ScimError::invalid_value("startIndex must be 1 or more"));
    }
    Ok(())
}

/// The SearchRequest of a `POST .search`, or no parameters at all under `search-ignores-request`.
fn search_query(p: &Provider, body: &Value) -> ScimResult<ListQuery> {
    if p.faults.has(Fault::SearchIgnoresRequest) {
        return ListQuery::from_params(std::iter::empty::<(&str, &str)>());
    }
    ListQuery::from_search_request(body)
}

/// Replace every non-ASCII character in string values by `?` (the `utf8-mangled` fault).
fn mangle_non_ascii(v: &mut Value, depth: usize) {
    if depth > 64 {
        return;
    }
    match v {
        Value::String(s) => {
            *s = s
                .chars()
                .map(|c| if c.is_ascii() { c } else { '?' })
                .collect();
        }
        Value::Array(a) => a.iter_mut().for_each(|x| mangle_non_ascii(x, depth + 1)),
        Value::Object(o) => o.values_mut().for_each(|x| mangle_non_ascii(x, depth + 1)),
        _ => {}
    }
}

fn method_not_allowed(method: &Method, path: &str, allowed: &str) -> ScimError {
    ScimError::new(
        405,
        None,
        format!("{method} is not supported on {path}; allowed: {allowed}"),
    )
}

async fn dispatch(
    State(p): State<Arc<Provider>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let faults = p.faults.clone();
    let body = if faults.has(Fault::MinimalUserSchema) && uri.path().contains("/Users") {
        // Variant only: the request is buffered (bounded) to look for undeclared attributes.
        let bytes = axum::body::to_bytes(body, p.limits.max_body_bytes)
            .await
            .unwrap_or_default();
        if let Some(e) = refuse_undeclared(&uri, &bytes) {
            return error_response(&e, &faults);
        }
        Body::from(bytes)
    } else {
        body
    };
    let mut resp = match handle(&p, &method, &uri, &headers, body).await {
        Ok(reply) => reply_response(reply, &faults),
        Err(e) => error_response(&e, &faults),
    };
    if faults.has(Fault::JsonContentType) && resp.headers().contains_key(header::CONTENT_TYPE) {
        resp.headers_mut()
            .insert(header::CONTENT_TYPE, content_type(&faults));
    }
    resp
}

async fn handle(
    p: &Provider,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Body,
) -> ScimResult<Reply> {
    let Some(slot) = p.authenticate(bearer(headers)) else {
        return Err(ScimError::new(
            401,
            None,
            "a valid bearer token is required (Authorization: Bearer <token>)",
        ));
    };
    if p.faults.has(Fault::CharsetRejected)
        && header_str(headers, header::CONTENT_TYPE).is_some_and(|c| c.contains(';'))
    {
        return Err(ScimError::new(
            415,
            None,
            "charset parameters are not supported",
        ));
    }
    if p.faults.has(Fault::UnknownParam400)
        && let Some((k, _)) = query::decode_query(uri.query().unwrap_or(""))?
            .into_iter()
            .find(|(k, _)| !KNOWN_PARAMS.iter().any(|n| n.eq_ignore_ascii_case(k)))
    {
        return Err(ScimError::invalid_value(format!(
            "unknown query parameter {k:?}"
        )));
    }
    if !accept_ok(headers)
        || (p.faults.has(Fault::AcceptJson406)
            && header_str(headers, header::ACCEPT)
                .is_some_and(|a| a.trim().eq_ignore_ascii_case("application/json")))
    {
        return Err(ScimError::new(
            406,
            None,
            "this service produces application/scim+json only",
        ));
    }
    let path = uri
        .path()
        .strip_prefix("/scim/v2")
        .unwrap_or("")
        .trim_matches('/');
    let segs: Vec<String> = if path.is_empty() {
        Vec::new()
    } else {
        path.split('/')
            .map(|s| crate::text::percent_decode(s, false))
            .collect()
    };
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    let limit = p.limits.max_body_bytes;
    match segs.as_slice() {
        ["ServiceProviderConfig"] | ["ServiceProviderConfigs"] => {
            discovery_guard(p, method, uri, "/ServiceProviderConfig")?;
            Ok(Reply {
                status: 200,
                body: Some(p.service_provider_config()),
                etag: None,
                location: None,
            })
        }
        ["ResourceTypes"] => {
            discovery_guard(p, method, uri, "/ResourceTypes")?;
            p.resource_types(None)
        }
        ["ResourceTypes", id] => {
            discovery_guard(p, method, uri, "/ResourceTypes")?;
            p.resource_types(Some(id))
        }
        ["Schemas"] => {
            discovery_guard(p, method, uri, "/Schemas")?;
            p.schemas(None)
        }
        ["Schemas", id] => {
            discovery_guard(p, method, uri, "/Schemas")?;
            p.schemas(Some(id))
        }
        [".search"] => {
            if method != Method::POST {
                return Err(method_not_allowed(method, "/.search", "POST"));
            }
            let body = read_json(body, limit, p.limits.max_json_depth, headers).await?;
            let q = search_query(p, &body)?;
            p.list(slot, &[Kind::User, Kind::Group], &q)
        }
        ["Bulk"] => {
            if method != Method::POST {
                return Err(method_not_allowed(method, "/Bulk", "POST"));
            }
            let bulk_limit = if p.faults.has(Fault::BulkNoPayloadLimit) {
                p.limits.bulk_max_payload_bytes.saturating_mul(16)
            } else {
                p.limits.bulk_max_payload_bytes
            };
            let body = read_json(body, bulk_limit, p.limits.max_json_depth, headers).await?;
            let v = bulk::run(p, slot, &body)?;
            Ok(Reply {
                status: 200,
                body: Some(Bytes::from(serde_json::to_vec(&v).unwrap_or_default())),
                etag: None,
                location: None,
            })
        }
        ["Me"] => {
            let id = p.me_id(slot)?;
            resource(p, slot, Kind::User, &id, method, uri, headers, body).await
        }
        [ep] => match Kind::from_endpoint(ep) {
            Some(kind) => collection(p, slot, kind, method, uri, headers, body).await,
            None => Err(ScimError::not_found(format!(
                "/{ep} is not an endpoint of this service"
            ))),
        },
        [ep, ".search"] => match Kind::from_endpoint(ep) {
            Some(kind) => {
                if method != Method::POST {
                    return Err(method_not_allowed(
                        method,
                        &format!("/{ep}/.search"),
                        "POST",
                    ));
                }
                let body = read_json(body, limit, p.limits.max_json_depth, headers).await?;
                if p.faults.has(Fault::SearchCreates)
                    && !body["schemas"]
                        .as_array()
                        .is_some_and(|s| s.iter().any(|u| u == crate::scim::schema::SEARCH_REQUEST))
                {
                    return p.create(slot, kind, &body, &Projection::default());
                }
                let q = search_query(p, &body)?;
                p.list(slot, &[kind], &q)
            }
            None => Err(ScimError::not_found(format!(
                "/{ep} is not an endpoint of this service"
            ))),
        },
        [ep, id] => match Kind::from_endpoint(ep) {
            Some(kind) => resource(p, slot, kind, id, method, uri, headers, body).await,
            None => Err(ScimError::not_found(format!(
                "/{ep} is not an endpoint of this service"
            ))),
        },
        _ => Err(ScimError::not_found(format!(
            "{} is not an endpoint of this service",
            uri.path()
        ))),
    }
}

/// Discovery endpoints are read-only, and refuse `filter` with 403 (RFC 7644 §4).
fn discovery_guard(p: &Provider, method: &Method, uri: &Uri, path: &str) -> ScimResult<()> {
    if method != Method::GET && method != Method::HEAD {
        if p.faults.has(Fault::DiscoveryWrite404) {
            return Err(ScimError::not_found(format!("{path} not found")));
        }
        return Err(method_not_allowed(method, path, "GET"));
    }
    let pairs = query::decode_query(uri.query().unwrap_or(""))?;
    if !p.faults.has(Fault::DiscoveryFilterAllowed)
        && pairs.iter().any(|(k, _)| k.eq_ignore_ascii_case("filter"))
    {
        return Err(ScimError::new(
            403,
            None,
            format!("{path} does not support filtering (RFC 7644 §4)"),
        ));
    }
    Ok(())
}

async fn collection(
    p: &Provider,
    slot: &TenantSlot,
    kind: Kind,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Body,
) -> ScimResult<Reply> {
    match *method {
        Method::GET | Method::HEAD => {
            if p.faults.has(Fault::StartIndexNotClamped) {
                reject_start_below_one(uri)?;
            }
            p.list(slot, &[kind], &list_query(uri)?)
        }
        Method::POST => {
            let proj = projection(uri)?;
            let mut body = read_json(
                body,
                p.limits.max_body_bytes,
                p.limits.max_json_depth,
                headers,
            )
            .await?;
            if p.faults.has(Fault::Malformed500) && !body.is_object() {
                return Err(ScimError::new(500, None, "internal server error"));
            }
            if p.faults.has(Fault::Utf8Mangled) {
                mangle_non_ascii(&mut body, 0);
            }
            p.create(slot, kind, &body, &proj)
        }
        _ => Err(method_not_allowed(
            method,
            &format!("/{}", kind.endpoint()),
            "GET, POST",
        )),
    }
}

#[expect(
    clippy::too_many_arguments,
    reason = "the request's parts, passed through once"
)]
async fn resource(
    p: &Provider,
    slot: &TenantSlot,
    kind: Kind,
    id: &str,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Body,
) -> ScimResult<Reply> {
    let proj = projection(uri)?;
    let if_match = header_str(headers, header::IF_MATCH);
    match *method {
        Method::GET | Method::HEAD => p.get(
            slot,
            kind,
            id,
            &proj,
            header_str(headers, header::IF_NONE_MATCH),
        ),
        Method::PUT => {
            let body = read_json(
                body,
                p.limits.max_body_bytes,
                p.limits.max_json_depth,
                headers,
            )
            .await?;
            p.replace(slot, kind, id, &body, if_match, &proj)
        }
        Method::PATCH => {
            let body = read_json(
                body,
                p.limits.max_body_bytes,
                p.limits.max_json_depth,
                headers,
            )
            .await?;
            if kind == Kind::Group && p.faults.has(Fault::LostMemberUpdates) {
                // The fault: read, yield to the other requests, then write what was read.
                let base = p.snapshot(slot, kind, id);
                tokio::time::sleep(std::time::Duration::from_millis(25)).await;
                return p.patch_based_on(slot, kind, id, &body, if_match, &proj, base);
            }
            p.patch(slot, kind, id, &body, if_match, &proj)
        }
        Method::DELETE => p.delete(slot, kind, id, if_match),
        _ => Err(method_not_allowed(
            method,
            &format!("/{}/{{id}}", kind.endpoint()),
            "GET, PUT, PATCH, DELETE",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_and_content_type_negotiation() {
        let mut h = HeaderMap::new();
        assert!(accept_ok(&h));
        h.insert(header::ACCEPT, HeaderValue::from_static("application/xml"));
        assert!(!accept_ok(&h));
        h.insert(
            header::ACCEPT,
            HeaderValue::from_static("application/xml, application/scim+json;q=0.9"),
        );
        assert!(accept_ok(&h));
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/scim+json; charset=utf-8"),
        );
        assert!(content_type_ok(&h));
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        assert!(!content_type_ok(&h));
    }

    #[test]
    fn bearer_scheme_is_case_insensitive() {
        let mut h = HeaderMap::new();
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("bearer abc"),
        );
        assert_eq!(bearer(&h), Some("abc"));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(bearer(&h), None);
    }
}
