//! The HTTP client every harness command uses against a target: base URL and auth headers,
//! a per-request timeout, a response-size cap, bounded retries on 429 (honouring
//! `Retry-After` up to a limit), and an `Exchange` for every request, redacted at the source.
//! A target's misbehaviour never becomes a Rust error: `send` always returns a `Resp`, with
//! `status: None` and an `error` when nothing usable came back. With an OAuth token source,
//! every request carries its current token and a 401 is retried once with a renewed one.

use crate::client::exchange::{Exchange, Redactor};
use crate::client::oauth::{Bearer, TokenSource};
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Where and how to reach a target.
#[derive(Clone)]
pub struct TargetConfig {
    /// Base URL, e.g. `https://app.example.com/scim/v2` (no trailing slash needed).
    pub base_url: String,
    /// Headers sent with every request (e.g. `Authorization: Bearer …`).
    pub headers: Vec<(String, String)>,
    /// Per-request timeout (connect, send, and reading the whole body; 429 retries included).
    pub timeout: Duration,
    /// Largest response body read; beyond it the request fails with an error.
    pub max_body_bytes: usize,
    /// How many times a 429 is retried.
    pub max_retries: u32,
    /// Longest `Retry-After` honoured; longer ones are cut to this.
    pub max_retry_wait: Duration,
    /// OAuth 2.0 client credentials: every request carries this source's current token as
    /// `Authorization: Bearer …` (shared by every clone of the client).
    pub oauth: Option<Arc<TokenSource>>,
}

impl std::fmt::Debug for TargetConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TargetConfig")
            .field("base_url", &self.base_url)
            .field(
                "headers",
                &self.headers.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .field("timeout", &self.timeout)
            .field(
                "oauth",
                &self.oauth.as_ref().map(|o| &o.credentials().token_url),
            )
            .finish()
    }
}

impl TargetConfig {
    /// A config with a bearer token and the default limits.
    pub fn bearer(base_url: impl Into<String>, token: &str) -> Self {
        TargetConfig {
            base_url: base_url.into(),
            headers: vec![("Authorization".into(), format!("Bearer {token}"))],
            timeout: Duration::from_secs(10),
            max_body_bytes: 8 * 1024 * 1024,
            max_retries: 2,
            max_retry_wait: Duration::from_secs(2),
            oauth: None,
        }
    }
}

/// Why a client could not be built.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    /// The base URL is not an http(s) URL.
    #[error("invalid target URL {url:?}: {reason}")]
    BadUrl {
        /// The URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// The HTTP client could not be built.
    #[error("failed to build the HTTP client")]
    Build(#[source] reqwest::Error),
}

/// A request body.
#[derive(Debug, Clone, Copy)]
pub enum Body<'a> {
    /// JSON, sent as `application/scim+json`.
    Json(&'a Value),
    /// Raw bytes with a content type (malformed-input checks).
    Raw(&'a [u8], &'a str),
}

/// What came back.
#[derive(Debug, Clone)]
pub struct Resp {
    /// HTTP status; `None` when the request failed in transport.
    pub status: Option<u16>,
    /// Response headers, names lowercased.
    pub headers: Vec<(String, String)>,
    /// Body as text (lossy UTF-8).
    pub text: String,
    /// Body parsed as JSON, when it is JSON.
    pub json: Option<Value>,
    /// Transport error, if any.
    pub error: Option<String>,
    /// The redacted evidence.
    pub exchange: Exchange,
}

impl Resp {
    /// First header with this (case-insensitive) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    /// The JSON body, or `Null`.
    pub fn body(&self) -> &Value {
        static NULL: Value = Value::Null;
        self.json.as_ref().unwrap_or(&NULL)
    }
    /// Status as a number, 0 for a transport failure.
    pub fn code(&self) -> u16 {
        self.status.unwrap_or(0)
    }
}

/// The client.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    cfg: TargetConfig,
    redactor: Redactor,
}

impl Client {
    /// Build a client; secrets in `redactor` never reach an `Exchange`.
    pub fn new(cfg: TargetConfig, redactor: Redactor) -> Result<Client, TargetError> {
        let url = cfg.base_url.trim_end_matches('/').to_string();
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(TargetError::BadUrl {
                url,
                reason: "must start with http:// or https://".into(),
            });
        }
        if reqwest::Url::parse(&url).is_err() {
            return Err(TargetError::BadUrl {
                url,
                reason: "not a valid URL".into(),
            });
        }
        let http = reqwest::Client::builder()
            .timeout(cfg.timeout)
            .connect_timeout(cfg.timeout.min(Duration::from_secs(5)))
            .redirect(reqwest::redirect::Policy::limited(5))
            .user_agent(concat!("scimtest/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(TargetError::Build)?;
        Ok(Client {
            http,
            cfg: TargetConfig {
                base_url: url,
                ..cfg
            },
            redactor,
        })
    }

    /// The base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.cfg.base_url
    }

    /// The redactor (for evidence built elsewhere).
    pub fn redactor(&self) -> &Redactor {
        &self.redactor
    }

    /// The same client (connection pool, credentials, redaction) without its own 429 retries:
    /// for traffic whose retrying is modelled by the caller (a replayed IdP's retry policy).
    pub fn without_retries(&self) -> Client {
        let mut c = self.clone();
        c.cfg.max_retries = 0;
        c
    }

    /// The OAuth token source, when the target is reached with client credentials.
    pub fn oauth(&self) -> Option<&Arc<TokenSource>> {
        self.cfg.oauth.as_ref()
    }

    /// `path` relative to the base URL, or unchanged when already absolute.
    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http://") || path.starts_with("https://") {
            path.to_string()
        } else if path.is_empty() || path.starts_with('/') || path.starts_with('?') {
            format!("{}{path}", self.cfg.base_url)
        } else {
            format!("{}/{path}", self.cfg.base_url)
        }
    }

    /// Send one request (retrying 429 within the limits, and a 401 once with a renewed OAuth
    /// token) and read the answer.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<Body<'_>>,
        headers: &[(&str, &str)],
    ) -> Resp {
        // The timeout bounds the whole exchange, retries included: a 429 is retried only while
        // the wait still ends inside it (otherwise a check's budget of a few timeouts runs out
        // with the request in flight, and its evidence is lost).
        let deadline = Instant::now() + self.cfg.timeout;
        // A request that brings its own Authorization (an auth check) is sent as it is.
        let oauth = self.cfg.oauth.as_ref().filter(|_| {
            !headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("authorization"))
        });
        let mut bearer: Option<Bearer> = None;
        if let Some(src) = oauth {
            match src.bearer().await {
                Ok(b) => bearer = Some(b),
                Err(e) => return self.token_failure(method, path, &e.message),
            }
        }
        let mut renewed = false;
        let mut attempt = 0;
        loop {
            let token = bearer.as_ref().map(|b| b.token.as_str());
            let r = self
                .send_once(method, path, body, headers, true, token)
                .await;
            if r.status == Some(401)
                && !renewed
                && let (Some(src), Some(used)) = (oauth, &bearer)
            {
                renewed = true;
                match src.renew(used).await {
                    Ok(b) => {
                        bearer = Some(b);
                        continue;
                    }
                    Err(_) => return r,
                }
            }
            if r.status == Some(429) && attempt < self.cfg.max_retries {
                attempt += 1;
                let wait = r
                    .header("retry-after")
                    .and_then(crate::client::retry_after_secs)
                    .map(Duration::from_secs)
                    .unwrap_or(Duration::from_millis(200 * u64::from(attempt)))
                    .min(self.cfg.max_retry_wait);
                if Instant::now() + wait < deadline {
                    tokio::time::sleep(wait).await;
                    continue;
                }
            }
            return r;
        }
    }

    /// The answer to a request that was not sent because no OAuth token could be had.
    fn token_failure(&self, method: &str, path: &str, why: &str) -> Resp {
        let error = format!("not sent: no OAuth access token: {why}");
        let exchange = self.redactor.exchange(
            method,
            &self.url(path),
            &[],
            None,
            None,
            &[],
            None,
            Some(&error),
            0.0,
        );
        Resp {
            status: None,
            headers: Vec::new(),
            text: String::new(),
            json: None,
            error: Some(self.redactor.text(&error)),
            exchange,
        }
    }

    /// Send without the default headers (auth checks).
    pub async fn send_unauthenticated(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
    ) -> Resp {
        self.send_once(method, path, None, headers, false, None)
            .await
    }

    async fn send_once(
        &self,
        method: &str,
        path: &str,
        body: Option<Body<'_>>,
        headers: &[(&str, &str)],
        with_defaults: bool,
        bearer: Option<&str>,
    ) -> Resp {
        let url = self.url(path);
        let started = Instant::now();
        let mut req_headers: Vec<(String, String)> = Vec::new();
        if with_defaults {
            req_headers.extend(self.cfg.headers.iter().cloned());
            if let Some(t) = bearer {
                req_headers.retain(|(k, _)| !k.eq_ignore_ascii_case("authorization"));
                req_headers.push(("Authorization".into(), format!("Bearer {t}")));
            }
        }
        let mut body_bytes: Option<Vec<u8>> = None;
        match body {
            Some(Body::Json(v)) => {
                req_headers.push(("Content-Type".into(), "application/scim+json".into()));
                body_bytes = Some(serde_json::to_vec(v).unwrap_or_default());
            }
            Some(Body::Raw(b, ct)) => {
                req_headers.push(("Content-Type".into(), ct.into()));
                body_bytes = Some(b.to_vec());
            }
            None => {}
        }
        for (k, v) in headers {
            // An explicit header replaces a default of the same name.
            req_headers.retain(|(dk, _)| !dk.eq_ignore_ascii_case(k));
            req_headers.push(((*k).to_string(), (*v).to_string()));
        }
        let fail = |error: String,
                    status: Option<u16>,
                    rh: Vec<(String, String)>,
                    text: Option<String>| {
            let exchange = self.redactor.exchange(
                method,
                &url,
                &req_headers,
                body_bytes
                    .as_deref()
                    .map(|b| String::from_utf8_lossy(b))
                    .as_deref(),
                status,
                &rh,
                text.as_deref(),
                Some(&error),
                started.elapsed().as_secs_f64() * 1000.0,
            );
            Resp {
                status,
                headers: rh,
                text: text.unwrap_or_default(),
                json: None,
                error: Some(error),
                exchange,
            }
        };
        let Ok(m) = reqwest::Method::from_bytes(method.as_bytes()) else {
            return fail(format!("invalid method {method:?}"), None, Vec::new(), None);
        };
        let mut rb = self.http.request(m, &url);
        for (k, v) in &req_headers {
            rb = rb.header(k.as_str(), v.as_str());
        }
        if let Some(b) = &body_bytes {
            rb = rb.body(b.clone());
        }
        let mut resp = match rb.send().await {
            Ok(r) => r,
            Err(e) => return fail(describe(&e), None, Vec::new(), None),
        };
        let status = resp.status().as_u16();
        let rh: Vec<(String, String)> = resp
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        // A declared length over the cap is refused before reading a byte of it (a 2 GiB
        // Content-Length would otherwise hold the request until the timeout).
        if let Some(n) = resp
            .content_length()
            .filter(|n| *n > self.cfg.max_body_bytes as u64)
        {
            return fail(
                format!(
                    "response body of {n} bytes (Content-Length) larger than {} bytes; not read",
                    self.cfg.max_body_bytes
                ),
                Some(status),
                rh,
                None,
            );
        }
        let mut buf: Vec<u8> = Vec::new();
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    if buf.len() + chunk.len() > self.cfg.max_body_bytes {
                        let text =
                            String::from_utf8_lossy(&buf[..buf.len().min(4096)]).into_owned();
                        return fail(
                            format!(
                                "response body larger than {} bytes; reading stopped",
                                self.cfg.max_body_bytes
                            ),
                            Some(status),
                            rh,
                            Some(text),
                        );
                    }
                    buf.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => {
                    let text = String::from_utf8_lossy(&buf).into_owned();
                    return fail(
                        format!("failed reading the response body: {}", describe(&e)),
                        Some(status),
                        rh,
                        Some(text),
                    );
                }
            }
        }
        let text = String::from_utf8_lossy(&buf).into_owned();
        let json = if buf.is_empty() {
            None
        } else {
            serde_json::from_slice::<Value>(&buf).ok()
        };
        let exchange = self.redactor.exchange(
            method,
            &url,
            &req_headers,
            body_bytes
                .as_deref()
                .map(|b| String::from_utf8_lossy(b))
                .as_deref(),
            Some(status),
            &rh,
            (!buf.is_empty()).then_some(text.as_str()),
            None,
            started.elapsed().as_secs_f64() * 1000.0,
        );
        Resp {
            status: Some(status),
            headers: rh,
            text,
            json,
            error: None,
            exchange,
        }
    }
}

/// A transport error with its cause chain, e.g. "connection refused".
fn describe(e: &reqwest::Error) -> String {
    let mut s = if e.is_timeout() {
        "timed out".to_string()
    } else if e.is_connect() {
        "could not connect".to_string()
    } else if e.is_redirect() {
        "too many redirects".to_string()
    } else {
        "request failed".to_string()
    };
    let mut src: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(cause) = src {
        s.push_str(": ");
        s.push_str(&cause.to_string());
        src = cause.source();
    }
    s
}
