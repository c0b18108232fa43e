//! The provider's HTTP face (axum): one dispatcher under `/scim/v2` that authenticates, reads the
//! body with a size cap, negotiates media types, routes to `service.rs` / `bulk.rs`, and turns
//! every outcome — including every client mistake — into a SCIM response with
//! `Content-Type: application/scim+json`. Nothing here decides protocol semantics.

use crate::provider::bulk;
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

/// The router: everything under `/scim/v2`, the OAuth token endpoint when there are OAuth
/// clients, a SCIM 404 elsewhere.
pub fn router(provider: Arc<Provider>) -> Router {
    let router = if provider.oauth.is_some() {
        Router::new().route(
            crate::provider::oauth::TOKEN_PATH,
            axum::routing::any(crate::provider::oauth::token_endpoint),
        )
    } else {
        Router::new()
    };
    router
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
        &p,
    )
}

/// The RFC 7644 §3.12 error body, through the error-body hook.
pub fn error_json(e: &ScimError, p: &Provider) -> Value {
    let mut v = e.to_json();
    p.hooks.error_body(e, &mut v);
    v
}

fn content_type(p: &Provider) -> HeaderValue {
    HeaderValue::from_static(p.rules.media_type)
}

/// A SCIM error as an HTTP response.
pub fn error_response(e: &ScimError, p: &Provider) -> Response {
    let body = serde_json::to_vec(&error_json(e, p)).unwrap_or_default();
    let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, content_type(p));
    if status == StatusCode::TOO_MANY_REQUESTS {
        r.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from(crate::provider::rate::RETRY_AFTER_SECONDS),
        );
    }
    if status == StatusCode::UNAUTHORIZED && p.rules.www_authenticate {
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"scimtest\""),
        );
    }
    r
}

fn reply_response(reply: Reply, p: &Provider) -> Response {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::OK);
    let mut r = match reply.body {
        Some(b) if status != StatusCode::NO_CONTENT && status != StatusCode::NOT_MODIFIED => {
            let mut r = Response::new(Body::from(p.hooks.response_body(b)));
            r.headers_mut()
                .insert(header::CONTENT_TYPE, content_type(p));
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

/// Whether a `Prefer` header asks for `return=minimal` (RFC 7240 §4.2).
fn prefers_minimal(headers: &HeaderMap) -> bool {
    headers.get_all("prefer").iter().any(|v| {
        v.to_str().is_ok_and(|s| {
            s.split(',').any(|pref| {
                let token = pref.split(';').next().unwrap_or("");
                token.split_once('=').is_some_and(|(k, v)| {
                    k.trim().eq_ignore_ascii_case("return")
                        && v.trim().trim_matches('"').eq_ignore_ascii_case("minimal")
                })
            })
        })
    })
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

/// The SearchRequest of a `POST .search`, or no parameters at all when it is not read.
fn search_query(p: &Provider, body: &Value) -> ScimResult<ListQuery> {
    if !p.rules.search_reads_request {
        return ListQuery::from_params(std::iter::empty::<(&str, &str)>());
    }
    ListQuery::from_search_request(body)
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
    let body = if p.hooks.buffers_request(&uri) {
        // Only when a hook screens bodies: the request is buffered (bounded) first.
        let bytes = axum::body::to_bytes(body, p.limits.max_body_bytes)
            .await
            .unwrap_or_default();
        if let Some(e) = p.hooks.screen_body(&uri, &bytes) {
            return error_response(&e, &p);
        }
        Body::from(bytes)
    } else {
        body
    };
    match handle(&p, &method, &uri, &headers, body).await {
        Ok(reply) => reply_response(reply, &p),
        Err(e) => {
            let mut r = error_response(&e, &p);
            // A token was presented and refused: say so (RFC 6750 §3.1).
            if e.status == 401
                && bearer(&headers).is_some()
                && r.headers().contains_key(header::WWW_AUTHENTICATE)
            {
                r.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"scimtest\", error=\"invalid_token\""),
                );
            }
            r
        }
    }
}

async fn handle(
    p: &Provider,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Body,
) -> ScimResult<Reply> {
    let Some(slot) = p.authenticate(bearer(headers)) else {
        let expired = bearer(headers)
            .zip(p.oauth.as_ref())
            .is_some_and(|(t, o)| o.check(t) == crate::provider::oauth::TokenState::Expired);
        return Err(ScimError::new(
            401,
            None,
            if expired {
                "the bearer token has expired; get a new one from the token endpoint"
            } else {
                "a valid bearer token is required (Authorization: Bearer <token>)"
            },
        ));
    };
    if !slot.admit() {
        return Err(ScimError::new(
            429,
            None,
            "too many requests: this tenant's rate limit is reached; retry after 1 second",
        ));
    }
    p.hooks.screen_headers(uri, headers)?;
    if !accept_ok(headers) {
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
            p.list(slot, &p.served_kinds(), &q)
        }
        ["Bulk"] => {
            if method != Method::POST {
                return Err(method_not_allowed(method, "/Bulk", "POST"));
            }
            let body = read_json(
                body,
                p.rules.bulk_read_limit,
                p.limits.max_json_depth,
                headers,
            )
            .await?;
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
        [ep] => match p.endpoint_kind(ep) {
            Some(kind) => collection(p, slot, kind, method, uri, headers, body).await,
            None => Err(ScimError::not_found(format!(
                "/{ep} is not an endpoint of this service"
            ))),
        },
        [ep, ".search"] => match p.endpoint_kind(ep) {
            Some(kind) => {
                if method != Method::POST {
                    return Err(method_not_allowed(
                        method,
                        &format!("/{ep}/.search"),
                        "POST",
                    ));
                }
                let body = read_json(body, limit, p.limits.max_json_depth, headers).await?;
                if p.hooks.search_creates(&body) {
                    return p.create(slot, kind, &body, &Projection::default());
                }
                let q = search_query(p, &body)?;
                p.list(slot, &[kind], &q)
            }
            None => Err(ScimError::not_found(format!(
                "/{ep} is not an endpoint of this service"
            ))),
        },
        [ep, id] => match p.endpoint_kind(ep) {
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
        if p.rules.discovery_write_not_found {
            return Err(ScimError::not_found(format!("{path} not found")));
        }
        return Err(method_not_allowed(method, path, "GET"));
    }
    let pairs = query::decode_query(uri.query().unwrap_or(""))?;
    if p.rules.discovery_refuses_filter
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
            p.hooks.screen_list(uri)?;
            let reply = p.list(slot, &[kind], &list_query(uri)?);
            if let Some(delay) = p.hooks.list_delay(kind) {
                tokio::time::sleep(delay).await;
            }
            reply
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
            p.hooks.post_body(&mut body)?;
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
            if kind == Kind::Group
                && let Some(pause) = p.rules.unlocked_group_patch
            {
                // Read, yield to the other requests, then write what was read.
                let base = p.snapshot(slot, kind, id);
                tokio::time::sleep(pause).await;
                return p.patch_based_on(slot, kind, id, &body, if_match, &proj, base);
            }
            if !prefers_minimal(headers) {
                return p.patch(slot, kind, id, &body, if_match, &proj);
            }
            // `Prefer: return=minimal` (RFC 7240 §4.2): 204 with the ETag, no body (RFC 7644
            // §3.5.2 allows it). The body is never sent, so the least of it is rendered.
            let least = Projection {
                attributes: vec![crate::scim::AttrPath::attr("id")],
                excluded: Vec::new(),
            };
            let mut r = p.patch(slot, kind, id, &body, if_match, &least)?;
            if r.status == 200 {
                r.status = 204;
                r.body = None;
            }
            Ok(r)
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
