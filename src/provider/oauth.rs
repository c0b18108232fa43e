//! The provider's OAuth 2.0 token endpoint (`POST /oauth/token`, RFC 6749 §4.4 client
//! credentials) and the access tokens it issues: client authentication by HTTP Basic
//! (client_secret_basic) or form fields (client_secret_post), random bearer tokens bound to the
//! client's tenant that expire after the configured lifetime, §5.1 answers and §5.2 errors.
//! Tokens are kept as SHA-256 digests; secrets are compared in constant time.

use crate::provider::config::{Clock, OAuthClientSpec};
use crate::provider::service::Provider;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The token endpoint's path, under the server root (not under `/scim/v2`).
pub const TOKEN_PATH: &str = "/oauth/token";

/// Largest token request body read.
const MAX_FORM_BYTES: usize = 64 * 1024;

/// What an access token is worth now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenState {
    /// It opens the tenant at this index.
    Valid(usize),
    /// It was issued here and has expired.
    Expired,
    /// It was never issued here (or has been forgotten since it expired).
    Unknown,
}

struct Issued {
    tenant: usize,
    expires: Instant,
}

/// The clients, and the tokens issued to them.
pub struct Issuer {
    clients: Vec<OAuthClientSpec>,
    lifetime: Duration,
    clock: Clock,
    issued: parking_lot::Mutex<HashMap<[u8; 32], Issued>>,
    count: AtomicU64,
}

impl std::fmt::Debug for Issuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issuer")
            .field("clients", &self.clients)
            .field("lifetime", &self.lifetime)
            .field("issued", &self.issued())
            .finish()
    }
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

fn ct_eq(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    (a.len() == b.len()) & bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

impl Issuer {
    /// An issuer for `clients` (client i opens tenant i) whose tokens live `lifetime` by
    /// `clock`.
    pub fn new(clients: &[OAuthClientSpec], lifetime: Duration, clock: Clock) -> Issuer {
        Issuer {
            clients: clients.to_vec(),
            lifetime,
            clock,
            issued: parking_lot::Mutex::new(HashMap::new()),
            count: AtomicU64::new(0),
        }
    }

    /// How many tokens were issued.
    pub fn issued(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }

    /// The lifetime of an issued token.
    pub fn lifetime(&self) -> Duration {
        self.lifetime
    }

    /// What `token` is worth now.
    pub fn check(&self, token: &str) -> TokenState {
        let issued = self.issued.lock();
        match issued.get(&digest(token)) {
            Some(i) if self.clock.now() < i.expires => TokenState::Valid(i.tenant),
            Some(_) => TokenState::Expired,
            None => TokenState::Unknown,
        }
    }

    /// The tenant of the client with this id and secret (every client compared, in constant
    /// time).
    fn client(&self, id: &str, secret: &str) -> Option<usize> {
        let mut found = None;
        for (i, c) in self.clients.iter().enumerate() {
            if ct_eq(&c.id, id) & ct_eq(&c.secret, secret) && found.is_none() {
                found = Some(i);
            }
        }
        found
    }

    /// A new token for `tenant`; tokens expired for a lifetime or more are forgotten.
    fn issue(&self, tenant: usize) -> String {
        let token = format!(
            "{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        let now = self.clock.now();
        let mut issued = self.issued.lock();
        issued.retain(|_, i| i.expires + self.lifetime > now);
        issued.insert(
            digest(&token),
            Issued {
                tenant,
                expires: now + self.lifetime,
            },
        );
        self.count.fetch_add(1, Ordering::Relaxed);
        token
    }
}

/// A §5.2 error: status, code, description, and whether to challenge for Basic.
struct OAuthError {
    status: StatusCode,
    code: &'static str,
    description: String,
    basic_challenge: bool,
}

fn invalid_request(description: impl Into<String>) -> OAuthError {
    OAuthError {
        status: StatusCode::BAD_REQUEST,
        code: "invalid_request",
        description: description.into(),
        basic_challenge: false,
    }
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut r = Response::new(Body::from(serde_json::to_vec(body).unwrap_or_default()));
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    r
}

fn error_response(e: &OAuthError) -> Response {
    let mut r = json_response(
        e.status,
        &json!({"error": e.code, "error_description": e.description}),
    );
    if e.basic_challenge {
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"scimtest\""),
        );
    }
    if e.status == StatusCode::METHOD_NOT_ALLOWED {
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
    }
    r
}

/// `application/x-www-form-urlencoded` into pairs; a parameter sent twice is an error
/// (RFC 6749 §3.2).
fn parse_form(body: &[u8]) -> Result<HashMap<String, String>, OAuthError> {
    let text =
        std::str::from_utf8(body).map_err(|_| invalid_request("the request body is not UTF-8"))?;
    let mut out = HashMap::new();
    for pair in text.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let k = crate::text::percent_decode(k, true);
        let v = crate::text::percent_decode(v, true);
        if out.insert(k.clone(), v).is_some() {
            return Err(invalid_request(format!(
                "the parameter {k:?} is sent more than once (RFC 6749 §3.2)"
            )));
        }
    }
    Ok(out)
}

/// The id and secret of `Authorization: Basic …` (each form-encoded, RFC 6749 §2.3.1); None
/// when there is no Basic header; Err when it cannot be read.
fn basic(headers: &HeaderMap) -> Option<Result<(String, String), OAuthError>> {
    use base64::Engine;
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, cred) = v.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let bad = || OAuthError {
        status: StatusCode::UNAUTHORIZED,
        code: "invalid_client",
        description: "the Basic credentials cannot be read (base64 of id:secret)".into(),
        basic_challenge: true,
    };
    let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(cred.trim()) else {
        return Some(Err(bad()));
    };
    let Ok(text) = String::from_utf8(raw) else {
        return Some(Err(bad()));
    };
    let Some((id, secret)) = text.split_once(':') else {
        return Some(Err(bad()));
    };
    Some(Ok((
        crate::text::percent_decode(id, true),
        crate::text::percent_decode(secret, true),
    )))
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|ct| ct.split(';').next())
        .is_some_and(|mt| {
            mt.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

/// The grant: the token answer, or a §5.2 error.
fn grant(issuer: &Issuer, headers: &HeaderMap, body: &[u8]) -> Result<Value, OAuthError> {
    if !is_form(headers) {
        return Err(invalid_request(
            "the token request must be application/x-www-form-urlencoded (RFC 6749 §4.4.2)",
        ));
    }
    let form = parse_form(body)?;
    let basic = basic(headers).transpose()?;
    let (id, secret) = match (&basic, form.get("client_id"), form.get("client_secret")) {
        (Some(_), _, Some(_)) => {
            return Err(invalid_request(
                "client credentials in both the Authorization header and the body; use one \
                 (RFC 6749 §2.3)",
            ));
        }
        (Some((id, _)), Some(form_id), None) if form_id != id => {
            return Err(invalid_request(
                "client_id in the body differs from the Basic credentials",
            ));
        }
        (Some((id, secret)), _, None) => (Some(id.as_str()), Some(secret.as_str())),
        (None, id, secret) => (id.map(String::as_str), secret.map(String::as_str)),
    };
    let Some(grant_type) = form.get("grant_type") else {
        return Err(invalid_request("grant_type is missing"));
    };
    let refused = |description: &str| OAuthError {
        status: StatusCode::UNAUTHORIZED,
        code: "invalid_client",
        description: description.into(),
        basic_challenge: basic.is_some() || id.is_none(),
    };
    let (Some(id), Some(secret)) = (id, secret) else {
        return Err(refused(
            "no client authentication (HTTP Basic, or client_id and client_secret in the body)",
        ));
    };
    let Some(tenant) = issuer.client(id, secret) else {
        return Err(refused("unknown client or wrong secret"));
    };
    if grant_type != "client_credentials" {
        return Err(OAuthError {
            status: StatusCode::BAD_REQUEST,
            code: "unsupported_grant_type",
            description: format!("only client_credentials is supported, not {grant_type:?}"),
            basic_challenge: false,
        });
    }
    let token = issuer.issue(tenant);
    let mut answer = json!({
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": issuer.lifetime().as_secs().max(1),
    });
    if let Some(scope) = form.get("scope") {
        answer["scope"] = Value::String(scope.clone());
    }
    Ok(answer)
}

/// `POST /oauth/token`.
pub async fn token_endpoint(
    State(p): State<Arc<Provider>>,
    method: Method,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Some(issuer) = p.oauth.as_ref() else {
        return error_response(&OAuthError {
            status: StatusCode::NOT_FOUND,
            code: "invalid_request",
            description: "this provider has no OAuth clients (serve --oauth-client)".into(),
            basic_challenge: false,
        });
    };
    if method != Method::POST {
        return error_response(&OAuthError {
            status: StatusCode::METHOD_NOT_ALLOWED,
            code: "invalid_request",
            description: format!("{method} is not supported; the token endpoint takes POST"),
            basic_challenge: false,
        });
    }
    let Ok(bytes) = axum::body::to_bytes(body, MAX_FORM_BYTES).await else {
        return error_response(&invalid_request(format!(
            "the request body is unreadable or larger than {MAX_FORM_BYTES} bytes"
        )));
    };
    match grant(issuer, &headers, &bytes) {
        Ok(answer) => json_response(StatusCode::OK, &answer),
        Err(e) => error_response(&e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issuer(lifetime: Duration) -> (Issuer, Clock) {
        let clock = Clock::manual();
        let clients = [OAuthClientSpec {
            id: "app".into(),
            secret: "s3cret".into(),
        }];
        (Issuer::new(&clients, lifetime, clock.clone()), clock)
    }

    fn form_headers() -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        h
    }

    #[test]
    fn tokens_expire_by_the_clock() {
        let (i, clock) = issuer(Duration::from_secs(60));
        let body = b"grant_type=client_credentials&client_id=app&client_secret=s3cret";
        let Ok(answer) = grant(&i, &form_headers(), body) else {
            panic!("no grant")
        };
        let token = answer["access_token"].as_str().unwrap_or_default();
        assert_eq!(i.check(token), TokenState::Valid(0));
        assert_eq!(i.check("other"), TokenState::Unknown);
        clock.advance(Duration::from_secs(61));
        assert_eq!(i.check(token), TokenState::Expired);
        assert_eq!(i.issued(), 1);
    }

    #[test]
    fn repeated_parameters_and_wrong_media_types_are_invalid_requests() {
        let (i, _) = issuer(Duration::from_secs(60));
        let twice = b"grant_type=client_credentials&grant_type=client_credentials";
        let e = grant(&i, &form_headers(), twice).err();
        assert_eq!(e.map(|e| e.code), Some("invalid_request"));
        let e = grant(&i, &HeaderMap::new(), b"grant_type=client_credentials").err();
        assert_eq!(e.map(|e| e.code), Some("invalid_request"));
    }
}
