//! `scimtest record`: a recording reverse proxy. An IdP is pointed at the proxy instead of the
//! target; every request is forwarded unchanged to the target's SCIM base URL and every answer
//! comes back unchanged, while the exchanges are kept in memory. [`to_fixture`] (pure) turns
//! them into a replay fixture (format version 1, `fixtures/README.md`): credentials dropped,
//! `password`-like keys removed, server ids turned into captured variables, unique names put
//! under `{{run}}`, IdP-generated UUIDs turned into `{{uuid.*}}`, and a synthetic cleanup for
//! whatever the recording left behind. Personal data is NOT scrubbed beyond those rules.
//!
//! Owns only the proxy and the conversion; it must not import `conformance/` or `load/`.

use crate::replay::fixture::{
    BodyCheck, BodyTest, Expect, FORMAT_VERSION, Fixture, QueryEncoding, Request, Source, Step,
};
use axum::body::Body;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use parking_lot::Mutex;
use regex::Regex;
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, LazyLock};
use std::time::Duration;
use tokio::sync::{oneshot, watch};

/// Largest request or response body the proxy carries (8 MiB).
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// Deeper JSON is left as is by the rewriting walkers (serde_json stops parsing at 128 levels,
/// so this bound is never reached by a parsed body).
const MAX_DEPTH: usize = 256;

/// One exchange as it went through the proxy, before any rewriting. Holds the credentials the
/// IdP sent (so [`to_fixture`] can scrub them); never written anywhere as is.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    /// HTTP method as sent.
    pub method: String,
    /// Path relative to the proxy root (= the SCIM base), still percent-encoded.
    pub path: String,
    /// The raw query string, without `?`.
    pub raw_query: Option<String>,
    /// Request headers as received (names lower-cased).
    pub request_headers: Vec<(String, String)>,
    /// Request body bytes.
    pub request_body: Vec<u8>,
    /// The upstream status.
    pub status: u16,
    /// The upstream response body bytes.
    pub response_body: Vec<u8>,
}

/// The top-level fields of the fixture being recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordMeta {
    /// `entra`, `okta` or `onelogin` (the fixture schema's enum).
    pub idp: String,
    /// The dialect, `[a-z0-9][a-z0-9_-]*`.
    pub profile: String,
    /// One of [`crate::replay::fixture::FLOWS`].
    pub flow: String,
    /// One line for humans; empty means a generated title.
    pub title: String,
    /// The upstream host (and port) named in `source.ref`.
    pub upstream_host: String,
    /// `YYYY-MM-DD` (UTC).
    pub captured_at: String,
}

impl RecordMeta {
    /// Meta for a recording against `upstream` today (UTC), with a generated title.
    pub fn new(idp: &str, profile: &str, flow: &str, upstream: &str) -> RecordMeta {
        RecordMeta {
            idp: idp.to_string(),
            profile: profile.to_string(),
            flow: flow.to_string(),
            title: String::new(),
            upstream_host: host_of(upstream),
            captured_at: chrono::Utc::now().format("%Y-%m-%d").to_string(),
        }
    }
}

/// `host[:port]` of a URL, or the URL itself when it has none.
fn host_of(url: &str) -> String {
    reqwest::Url::parse(url)
        .ok()
        .and_then(|u| {
            let host = u.host_str()?.to_string();
            Some(match u.port() {
                Some(p) => format!("{host}:{p}"),
                None => host,
            })
        })
        .unwrap_or_else(|| url.to_string())
}

/// What the recorder is to do.
#[derive(Debug, Clone)]
pub struct RecordConfig {
    /// Where the proxy listens (port 0 picks one).
    pub listen: SocketAddr,
    /// The target's SCIM base URL (`https://app.example.com/scim/v2`).
    pub upstream: String,
    /// The fixture's top-level fields.
    pub meta: RecordMeta,
    /// Per-request upstream timeout (connect, send, read the whole body).
    pub timeout: Duration,
}

impl RecordConfig {
    /// A config with a 30 s upstream timeout.
    pub fn new(listen: SocketAddr, upstream: &str, meta: RecordMeta) -> RecordConfig {
        RecordConfig {
            listen,
            upstream: upstream.to_string(),
            meta,
            timeout: Duration::from_secs(30),
        }
    }
}

/// Counters of a recording, published after every exchange.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecordStats {
    /// Exchanges recorded (the upstream answered).
    pub recorded: usize,
    /// Requests that got no usable upstream answer (502, or 504 on a timeout, to the client) or
    /// were refused (413); not recorded.
    pub unanswered: usize,
}

/// Why the recorder could not start.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// The upstream URL is not an absolute http(s) URL.
    #[error("invalid upstream URL {url:?}: {reason}")]
    BadUpstream {
        /// The URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// The listen address could not be bound.
    #[error("failed to listen on {addr}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The HTTP client could not be built.
    #[error("failed to build the HTTP client")]
    Client(#[source] reqwest::Error),
}

/// Check an upstream base URL: absolute, http or https, no query or fragment.
pub fn check_upstream(url: &str) -> Result<String, RecordError> {
    let bad = |reason: &str| RecordError::BadUpstream {
        url: url.to_string(),
        reason: reason.to_string(),
    };
    let parsed = reqwest::Url::parse(url).map_err(|e| bad(&e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(bad("must start with http:// or https://"));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(bad("has no host"));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(bad("must not carry a query or fragment"));
    }
    Ok(url.trim_end_matches('/').to_string())
}

struct State {
    upstream: String,
    http: reqwest::Client,
    meta: RecordMeta,
    exchanges: Mutex<Vec<Recorded>>,
    stats: watch::Sender<RecordStats>,
}

/// A running recorder.
pub struct RecorderHandle {
    /// The bound address.
    pub addr: SocketAddr,
    /// The base URL to give the IdP: `http://ADDR` (the proxy root is the SCIM base).
    pub base_url: String,
    state: Arc<State>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<Result<(), std::io::Error>>>,
}

impl std::fmt::Debug for RecorderHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecorderHandle")
            .field("addr", &self.addr)
            .field("upstream", &self.state.upstream)
            .finish()
    }
}

impl RecorderHandle {
    /// The fixture of everything recorded so far.
    pub fn fixture(&self) -> Fixture {
        let ex = self.state.exchanges.lock().clone();
        to_fixture(&ex, &self.state.meta)
    }

    /// The counters now.
    pub fn stats(&self) -> RecordStats {
        *self.state.stats.borrow()
    }

    /// A receiver that changes after every exchange (recorded or not).
    pub fn subscribe(&self) -> watch::Receiver<RecordStats> {
        self.state.stats.subscribe()
    }

    /// Stop serving (in-flight exchanges finish first) and return the fixture.
    pub async fn finish(mut self) -> Fixture {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        self.fixture()
    }
}

impl Drop for RecorderHandle {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Start the recording proxy in the background.
pub async fn spawn(cfg: RecordConfig) -> Result<RecorderHandle, RecordError> {
    let upstream = check_upstream(&cfg.upstream)?;
    let http = reqwest::Client::builder()
        .timeout(cfg.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(RecordError::Client)?;
    let listener = tokio::net::TcpListener::bind(cfg.listen)
        .await
        .map_err(|source| RecordError::Bind {
            addr: cfg.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| RecordError::Bind {
        addr: cfg.listen,
        source,
    })?;
    let (stats, _) = watch::channel(RecordStats::default());
    let state = Arc::new(State {
        upstream,
        http,
        meta: cfg.meta,
        exchanges: Mutex::new(Vec::new()),
        stats,
    });
    let app = axum::Router::new()
        .fallback(proxy)
        .with_state(state.clone());
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await
    });
    Ok(RecorderHandle {
        addr,
        base_url: format!("http://{addr}"),
        state,
        shutdown: Some(tx),
        task: Some(task),
    })
}

/// Headers that describe one connection, not the message (RFC 9110 §7.6.1), plus those the
/// proxy sets itself. `accept-encoding` is dropped so the upstream answers uncompressed and
/// the recorded body can be read.
const NOT_FORWARDED: [&str; 11] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
];

fn forwardable(headers: &HeaderMap, extra: &[&str]) -> HeaderMap {
    let listed: Vec<String> = headers
        .get_all("connection")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|s| s.trim().to_ascii_lowercase())
        .collect();
    let mut out = HeaderMap::new();
    for (k, v) in headers {
        let name = k.as_str();
        if NOT_FORWARDED.contains(&name)
            || extra.contains(&name)
            || listed.iter().any(|l| l == name)
        {
            continue;
        }
        out.append(k.clone(), v.clone());
    }
    out
}

/// An error's cause chain on one line, e.g. "error sending request: connection refused".
fn cause(e: &reqwest::Error) -> String {
    let mut s = e.to_string();
    let mut src: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(c) = src {
        s.push_str(": ");
        s.push_str(&c.to_string());
        src = c.source();
    }
    s
}

fn text(status: StatusCode, msg: &str) -> Response {
    (
        status,
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; charset=utf-8",
        )],
        format!("scimtest record: {msg}\n"),
    )
        .into_response()
}

async fn proxy(
    axum::extract::State(st): axum::extract::State<Arc<State>>,
    req: axum::extract::Request,
) -> Response {
    let unanswered = |st: &State| st.stats.send_modify(|s| s.unanswered += 1);
    let (parts, body) = req.into_parts();
    let Ok(body) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        unanswered(&st);
        return text(
            StatusCode::PAYLOAD_TOO_LARGE,
            "request body larger than 8 MiB (or unreadable)",
        );
    };
    let path = parts.uri.path().to_string();
    let raw_query = parts.uri.query().map(str::to_string);
    let url = match &raw_query {
        Some(q) => format!("{}{path}?{q}", st.upstream),
        None => format!("{}{path}", st.upstream),
    };
    let sent = st
        .http
        .request(parts.method.clone(), &url)
        .headers(forwardable(&parts.headers, &["accept-encoding"]))
        .body(body.clone())
        .send()
        .await;
    // No usable answer: 504 when the upstream ran out of time, 502 otherwise, with the cause.
    let gateway_error = |e: &reqwest::Error, what: &str| {
        unanswered(&st);
        if e.is_timeout() {
            text(
                StatusCode::GATEWAY_TIMEOUT,
                &format!("the upstream did not answer in time ({what})"),
            )
        } else if e.is_connect() {
            text(
                StatusCode::BAD_GATEWAY,
                &format!("the upstream is unreachable: {}", cause(e)),
            )
        } else {
            text(StatusCode::BAD_GATEWAY, &format!("{what}: {}", cause(e)))
        }
    };
    let mut resp = match sent {
        Ok(r) => r,
        Err(e) => return gateway_error(&e, "no valid answer from the upstream"),
    };
    let status = resp.status();
    let headers = forwardable(resp.headers(), &[]);
    let too_large = |st: &State| {
        unanswered(st);
        text(
            StatusCode::BAD_GATEWAY,
            "upstream response larger than 8 MiB",
        )
    };
    // A declared length over the cap is refused at once, not read until the timeout.
    if resp
        .content_length()
        .is_some_and(|n| n > MAX_BODY_BYTES as u64)
    {
        return too_large(&st);
    }
    let mut bytes: Vec<u8> = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(c)) if bytes.len() + c.len() <= MAX_BODY_BYTES => bytes.extend_from_slice(&c),
            Ok(Some(_)) => return too_large(&st),
            Ok(None) => break,
            Err(e) => return gateway_error(&e, "the upstream response broke off"),
        }
    }
    let request_headers = parts
        .headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    st.exchanges.lock().push(Recorded {
        method: parts.method.as_str().to_string(),
        path,
        raw_query,
        request_headers,
        request_body: body.to_vec(),
        status: status.as_u16(),
        response_body: bytes.clone(),
    });
    st.stats.send_modify(|s| s.recorded += 1);
    let mut out = Response::new(Body::from(bytes));
    *out.status_mut() = status;
    *out.headers_mut() = headers;
    out
}

// ---------------------------------------------------------------------------------------------
// Exchanges → fixture (pure).

/// A scimtest run prefix (`{{run}}` of an earlier replay through the proxy).
static RUN_PREFIX: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new("scimtest-[0-9a-f]{8}-[0-9]{2}-").ok());
/// A hyphenated UUID.
static UUID: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new("[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}").ok()
});
/// `eq "literal"` in a filter.
static EQ_LITERAL: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r#"(?i)\beq\s+"((?:[^"\\]|\\.)*)""#).ok());

fn is_uuid(s: &str) -> bool {
    s.len() == 36 && UUID.as_ref().is_some_and(|r| r.is_match(s))
}

/// Header names kept in the fixture, in their written form.
const KEPT_HEADERS: [&str; 4] = ["Content-Type", "Accept", "User-Agent", "Accept-Charset"];

/// Key fragments that mark a credential: such keys are removed from requests.
const SECRET_KEYS: [&str; 7] = [
    "authorization",
    "cookie",
    "token",
    "secret",
    "password",
    "api-key",
    "apikey",
];

fn is_secret_key(k: &str) -> bool {
    let lk = k.to_ascii_lowercase();
    SECRET_KEYS.iter().any(|s| lk.contains(s))
}

/// Text that must never appear in a fixture (the format test greps the whole file for these).
const FORBIDDEN_TEXT: [&str; 4] = [
    "bearer ",
    "access_token",
    "client_secret",
    "\"authorization\"",
];

fn kebab(s: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in s.chars() {
        if c.is_ascii_uppercase() {
            if prev_lower {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
            prev_lower = false;
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
            prev_lower = true;
        } else {
            if !out.ends_with('-') && !out.is_empty() {
                out.push('-');
            }
            prev_lower = false;
        }
    }
    let t = out.trim_matches('-').to_string();
    if t.is_empty() { "root".into() } else { t }
}

/// The first path segment, decoded (`Users`, `Groups`, `ServiceProviderConfig`).
fn first_segment(path: &str) -> String {
    path.split('/')
        .find(|s| !s.is_empty())
        .map(|s| crate::text::percent_decode(s, false))
        .unwrap_or_default()
}

/// The variable kind of a resource: from `meta.resourceType`, else from the path.
fn kind_of(resource: &Value, path: &str) -> String {
    let raw = match resource
        .pointer("/meta/resourceType")
        .and_then(Value::as_str)
    {
        Some(rt) => rt.to_string(),
        None => match first_segment(path).as_str() {
            "Users" => "User".into(),
            "Groups" => "Group".into(),
            other => other.trim_end_matches('s').to_string(),
        },
    };
    let k: String = raw
        .to_ascii_lowercase()
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
        .collect();
    if k.starts_with(|c: char| c.is_ascii_lowercase()) {
        k
    } else {
        "resource".into()
    }
}

fn is_group_path(path: &str) -> bool {
    first_segment(path) == "Groups"
}

fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// Replace `needle` in `s` where it is not part of a longer identifier.
fn replace_bounded(s: &str, needle: &str, repl: &str, ignore_case: bool) -> String {
    if needle.is_empty() {
        return s.to_string();
    }
    let (hay, pat) = if ignore_case {
        (s.to_ascii_lowercase(), needle.to_ascii_lowercase())
    } else {
        (s.to_string(), needle.to_string())
    };
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    let mut from = 0;
    while let Some(pos) = hay.get(from..).and_then(|h| h.find(&pat)) {
        let start = from + pos;
        let end = start + pat.len();
        let before_ok = s
            .get(..start)
            .and_then(|b| b.chars().next_back())
            .is_none_or(|c| !is_id_char(c));
        let after_ok = s
            .get(end..)
            .and_then(|a| a.chars().next())
            .is_none_or(|c| !is_id_char(c));
        if before_ok && after_ok {
            out.push_str(s.get(last..start).unwrap_or_default());
            out.push_str(repl);
            last = end;
        }
        from = end;
    }
    out.push_str(s.get(last..).unwrap_or_default());
    out
}

/// Apply `f` to every string value (not keys) of `v`.
fn each_string(v: &mut Value, depth: usize, f: &mut dyn FnMut(&mut String)) {
    if depth > MAX_DEPTH {
        return;
    }
    match v {
        Value::String(s) => f(s),
        Value::Array(a) => a.iter_mut().for_each(|x| each_string(x, depth + 1, f)),
        Value::Object(m) => m.values_mut().for_each(|x| each_string(x, depth + 1, f)),
        _ => {}
    }
}

/// Visit every string value (not keys) of `v`.
fn each_str(v: &Value, depth: usize, f: &mut dyn FnMut(&str)) {
    if depth > MAX_DEPTH {
        return;
    }
    match v {
        Value::String(s) => f(s),
        Value::Array(a) => a.iter().for_each(|x| each_str(x, depth + 1, f)),
        Value::Object(m) => m.values().for_each(|x| each_str(x, depth + 1, f)),
        _ => {}
    }
}

/// Whether a PATCH operation (an object with a `path`) targets a credential-bearing attribute,
/// e.g. `password` or `urn:…:User:password`: its `value` is the secret itself.
fn is_secret_op(v: &Value) -> bool {
    v.get("path").and_then(Value::as_str).is_some_and(|p| {
        let last = p.rsplit(':').next().unwrap_or(p);
        let last = last.rsplit('.').next().unwrap_or(last);
        is_secret_key(last)
    })
}

/// Remove credential-bearing keys and PATCH operations on credential-bearing paths; true when
/// something was removed.
fn strip_secret_keys(v: &mut Value, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    match v {
        Value::Object(m) => {
            let before = m.len();
            m.retain(|k, _| !is_secret_key(k));
            let mut removed = m.len() != before;
            for x in m.values_mut() {
                removed |= strip_secret_keys(x, depth + 1);
            }
            removed
        }
        Value::Array(a) => {
            let before = a.len();
            a.retain(|x| !is_secret_op(x));
            let removed = a.len() != before;
            a.iter_mut()
                .fold(removed, |acc, x| strip_secret_keys(x, depth + 1) | acc)
        }
        _ => false,
    }
}

/// Values an IdP makes unique in a request body: userName, externalId, emails[].value, and a
/// Group's displayName; also PATCH operations that set them.
fn unique_names(v: &Value, group: bool, depth: usize, out: &mut Vec<String>) {
    if depth > MAX_DEPTH {
        return;
    }
    match v {
        Value::Object(m) => {
            // A PATCH operation: {"op", "path", "value"}.
            if let (Some(p), Some(val)) = (m.get("path").and_then(Value::as_str), m.get("value")) {
                let p = p.to_ascii_lowercase();
                let attr = p.rsplit(':').next().unwrap_or(&p).to_string();
                let unique = attr == "username"
                    || attr == "externalid"
                    || attr.starts_with("emails")
                    || (group && attr == "displayname");
                if unique {
                    match val {
                        Value::String(s) => out.push(s.clone()),
                        Value::Array(a) => a
                            .iter()
                            .filter_map(|x| x.get("value").and_then(Value::as_str))
                            .for_each(|s| out.push(s.to_string())),
                        _ => {}
                    }
                }
            }
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("userName" | "externalId", Value::String(s)) => out.push(s.clone()),
                    ("displayName", Value::String(s)) if group => out.push(s.clone()),
                    ("emails", Value::Array(a)) => a
                        .iter()
                        .filter_map(|e| e.get("value").and_then(Value::as_str))
                        .for_each(|s| out.push(s.to_string())),
                    _ => unique_names(x, group, depth + 1, out),
                }
            }
        }
        Value::Array(a) => a
            .iter()
            .for_each(|x| unique_names(x, group, depth + 1, out)),
        _ => {}
    }
}

/// One exchange on its way to a step.
struct Draft {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    form: bool,
    headers: Map<String, Value>,
    body: Option<Value>,
    notes: Vec<String>,
    status: u16,
    response: Option<Value>,
    capture: Map<String, Value>,
}

/// Decode an exchange; `Err` says why it cannot be a step.
fn draft(x: &Recorded, secrets: &[String]) -> Result<Draft, String> {
    let method = x.method.to_ascii_uppercase();
    if !["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&method.as_str()) {
        return Err(format!("{method} is not a fixture method"));
    }
    let mut notes = Vec::new();
    let raw = x.raw_query.as_deref().unwrap_or_default();
    let form = raw.contains('+');
    let mut query: Vec<(String, String)> = Vec::new();
    for piece in raw.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = piece.split_once('=').unwrap_or((piece, ""));
        let (k, v) = (
            crate::text::percent_decode(k, form),
            crate::text::percent_decode(v, form),
        );
        if k.is_empty() {
            continue;
        }
        if is_secret_key(&k) {
            notes.push(format!("query parameter {k:?} removed (credential)"));
        } else if query.iter().any(|(q, _)| *q == k) {
            notes.push(format!(
                "repeated query parameter {k:?}: only the first is kept"
            ));
        } else {
            query.push((k, v));
        }
    }
    let mut headers = Map::new();
    for (k, v) in &x.request_headers {
        let Some(name) = KEPT_HEADERS.iter().find(|h| h.eq_ignore_ascii_case(k)) else {
            continue;
        };
        if secrets.iter().any(|s| v.contains(s.as_str())) || headers.contains_key(*name) {
            continue;
        }
        headers.insert((*name).to_string(), Value::String(v.clone()));
    }
    let has_body = !x.request_body.iter().all(u8::is_ascii_whitespace);
    let body = match (method.as_str(), has_body) {
        ("GET" | "DELETE", true) => {
            notes.push(format!("the {method} carried a body, not replayed"));
            None
        }
        ("GET" | "DELETE", false) => None,
        (_, false) => return Err(format!("{method} {} without a body", x.path)),
        (_, true) => {
            let mut v: Value = serde_json::from_slice(&x.request_body)
                .map_err(|_| format!("{method} {}: the body is not JSON", x.path))?;
            if strip_secret_keys(&mut v, 0) {
                notes.push(
                    "password (or another credential-bearing key) removed from the body".into(),
                );
            }
            Some(v)
        }
    };
    if body.is_none() {
        headers.remove("Content-Type");
    }
    Ok(Draft {
        method,
        path: x.path.clone(),
        query,
        form,
        headers,
        body,
        notes,
        status: x.status,
        response: serde_json::from_slice(&x.response_body).ok(),
        capture: Map::new(),
    })
}

/// Every credential value the IdP sent in a header: the whole value and the part after the
/// scheme (`Bearer <token>`).
fn secrets_of(exchanges: &[Recorded]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for x in exchanges {
        for (k, v) in &x.request_headers {
            let k = k.to_ascii_lowercase();
            if !(k == "authorization"
                || k == "proxy-authorization"
                || k == "cookie"
                || k.contains("api-key")
                || k.contains("apikey")
                || k.contains("token"))
            {
                continue;
            }
            let mut parts = vec![v.trim().to_string()];
            if let Some((_, cred)) = v.trim().split_once(' ') {
                parts.push(cred.trim().to_string());
            }
            for p in parts {
                if p.len() >= 4 && !out.contains(&p) {
                    out.push(p);
                }
            }
        }
    }
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out
}

/// A server id that became a variable, captured at `step` from `pointer`.
#[derive(Debug, Clone, PartialEq)]
struct IdVar {
    id: String,
    var: String,
    kind: String,
    step: usize,
    pointer: String,
}

/// How earlier requests mentioned values: whole strings, path segments and quoted literals
/// (`exact`), and maximal runs of identifier characters (`tokens`).
#[derive(Default)]
struct Mentions {
    exact: HashSet<String>,
    tokens: HashSet<String>,
}

impl Mentions {
    fn add_string(&mut self, s: &str) {
        self.exact.insert(s.to_string());
        for (i, part) in s.split('"').enumerate() {
            if i % 2 == 1 {
                self.exact.insert(part.to_string());
            }
        }
        for t in s.split(|c: char| !is_id_char(c)).filter(|t| !t.is_empty()) {
            self.tokens.insert(t.to_string());
        }
    }

    fn add(&mut self, d: &Draft) {
        for seg in d.path.split('/') {
            self.exact.insert(crate::text::percent_decode(seg, false));
        }
        for (_, v) in &d.query {
            self.add_string(v);
        }
        if let Some(b) = &d.body {
            each_str(b, 0, &mut |s| self.add_string(s));
        }
    }

    /// Whether `id` was mentioned the way [`Rewriter`] would replace it.
    fn has(&self, id: &str) -> bool {
        self.exact.contains(id) || (long_id(id) && self.tokens.contains(id))
    }
}

/// An id replaced wherever it stands alone inside a string: long enough to be unambiguous and
/// made of identifier characters only (UUIDs, long numbers, hex). Shorter ids are replaced only
/// as a whole string, a path segment or a quoted literal.
fn long_id(id: &str) -> bool {
    id.len() >= 8 && id.chars().all(is_id_char)
}

/// Server ids in 2xx responses (`/id` of a resource, `/Resources/N/id` of a list), each
/// captured at the first step whose response carries it, unless the IdP sent it first.
fn find_ids(drafts: &[Draft]) -> Vec<IdVar> {
    let mut found: Vec<IdVar> = Vec::new();
    let mut counters: HashMap<String, usize> = HashMap::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut mentioned = Mentions::default();
    for (i, d) in drafts.iter().enumerate() {
        mentioned.add(d);
        if !(200..300).contains(&d.status) {
            continue;
        }
        let Some(resp) = &d.response else { continue };
        let mut candidates: Vec<(&Value, String)> = Vec::new();
        if let Some(list) = resp.get("Resources").and_then(Value::as_array) {
            for (n, r) in list.iter().enumerate() {
                candidates.push((r, format!("/Resources/{n}/id")));
            }
        } else if resp.is_object() {
            candidates.push((resp, "/id".to_string()));
        }
        for (r, pointer) in candidates {
            let Some(id) = r
                .get("id")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
            else {
                continue;
            };
            // An id the IdP sent before any response carried it is not ours to capture.
            if !seen.insert(id.to_string()) || mentioned.has(id) {
                continue;
            }
            let kind = kind_of(r, &d.path);
            let n = counters.entry(kind.clone()).or_insert(0);
            *n += 1;
            found.push(IdVar {
                id: id.to_string(),
                var: format!("{kind}{n}.id"),
                kind,
                step: i,
                pointer,
            });
        }
    }
    found
}

/// The string rewriting shared by every request string and expected value; linear in the
/// string's length (lookups, not one pass per id or name).
struct Rewriter {
    /// Server id → `{{var}}`.
    ids: HashMap<String, String>,
    /// Unique names the IdP sent without a run prefix.
    names: HashSet<String>,
    /// Lower-cased UUID → `{{uuid.idpN}}`.
    uuids: HashMap<String, String>,
    /// Credentials from the IdP's headers, longest first.
    secrets: Vec<String>,
}

impl Rewriter {
    fn uuid_label(&mut self, u: &str) -> String {
        let n = self.uuids.len() + 1;
        self.uuids
            .entry(u.to_ascii_lowercase())
            .or_insert_with(|| format!("{{{{uuid.idp{n}}}}}"))
            .clone()
    }

    fn uuids_in(&mut self, s: &str) -> String {
        let Some(re) = UUID.as_ref() else {
            return s.to_string();
        };
        let found: Vec<String> = re.find_iter(s).map(|m| m.as_str().to_string()).collect();
        let mut out = s.to_string();
        for u in found {
            let label = self.uuid_label(&u);
            out = replace_bounded(&out, &u, &label, true);
        }
        out
    }

    /// A whole value or quoted literal: its id variable, or the name under `{{run}}`.
    fn literal(&self, s: &str) -> Option<String> {
        if let Some(v) = self.ids.get(s) {
            return Some(v.clone());
        }
        self.names.contains(s).then(|| format!("{{{{run}}}}{s}"))
    }

    /// Long ids standing alone inside a string.
    fn long_ids(&self, s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        let mut run = String::new();
        let flush = |run: &mut String, out: &mut String| {
            match self.ids.get(run.as_str()).filter(|_| long_id(run)) {
                Some(v) => out.push_str(v),
                None => out.push_str(run),
            }
            run.clear();
        };
        for c in s.chars() {
            if is_id_char(c) {
                run.push(c);
            } else {
                flush(&mut run, &mut out);
                out.push(c);
            }
        }
        flush(&mut run, &mut out);
        out
    }

    fn string(&mut self, s: &str) -> String {
        let mut out = match self.literal(s) {
            Some(v) => v,
            None if s.contains('"') => s
                .split('"')
                .enumerate()
                .map(|(i, part)| match (i % 2, self.literal(part)) {
                    (1, Some(v)) => v,
                    _ => self.long_ids(part),
                })
                .collect::<Vec<_>>()
                .join("\""),
            None => self.long_ids(s),
        };
        if let Some(re) = RUN_PREFIX.as_ref() {
            out = re.replace_all(&out, "{{run}}").into_owned();
        }
        out = self.uuids_in(&out);
        self.scrub(&out)
    }

    fn scrub(&self, s: &str) -> String {
        let mut out = s.to_string();
        for secret in &self.secrets {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), "REDACTED");
            }
        }
        let lower = out.to_ascii_lowercase();
        let jwt = out.starts_with("eyJ") && out.matches('.').count() >= 2;
        if jwt || lower.starts_with("basic ") || FORBIDDEN_TEXT.iter().any(|f| lower.contains(f)) {
            return "REDACTED".into();
        }
        out
    }

    fn segment(&mut self, seg: &str) -> Option<String> {
        if let Some(var) = self.ids.get(seg) {
            return Some(var.clone());
        }
        if is_uuid(seg) {
            return Some(self.uuid_label(seg));
        }
        None
    }

    fn path(&mut self, path: &str) -> String {
        let segs: Vec<String> = path
            .split('/')
            .map(|raw| {
                let dec = crate::text::percent_decode(raw, false);
                self.segment(&dec).unwrap_or_else(|| {
                    let s = RUN_PREFIX
                        .as_ref()
                        .map(|re| re.replace_all(raw, "{{run}}").into_owned())
                        .unwrap_or_else(|| raw.to_string());
                    self.scrub(&s)
                })
            })
            .collect();
        segs.join("/")
    }
}

/// Turn recorded exchanges into a fixture: one step per exchange, in order (see the module doc
/// and `fixtures/README.md`, "Recording your own IdP's traffic"). Pure.
pub fn to_fixture(exchanges: &[Recorded], meta: &RecordMeta) -> Fixture {
    let secrets = secrets_of(exchanges);
    let mut skipped: Vec<String> = Vec::new();
    let mut drafts: Vec<Draft> = Vec::new();
    for x in exchanges {
        match draft(x, &secrets) {
            Ok(d) => drafts.push(d),
            Err(e) => skipped.push(e),
        }
    }
    let ids = find_ids(&drafts);
    // Unique names, from the values as sent (before any rewriting).
    let id_set: HashSet<&str> = ids.iter().map(|v| v.id.as_str()).collect();
    let mut names: Vec<String> = Vec::new();
    for d in &drafts {
        if let Some(b) = &d.body {
            unique_names(b, is_group_path(&d.path), 0, &mut names);
        }
        for (k, v) in &d.query {
            if let (true, Some(re)) = (k.eq_ignore_ascii_case("filter"), EQ_LITERAL.as_ref()) {
                for c in re.captures_iter(v) {
                    if let Some(m) = c.get(1) {
                        names.push(m.as_str().to_string());
                    }
                }
            }
        }
    }
    names.retain(|n| {
        !n.is_empty()
            && !is_uuid(n)
            && !id_set.contains(n.as_str())
            && !n.contains("{{")
            && !RUN_PREFIX.as_ref().is_some_and(|re| re.is_match(n))
    });
    let mut rw = Rewriter {
        ids: ids
            .iter()
            .map(|v| (v.id.clone(), format!("{{{{{}}}}}", v.var)))
            .collect(),
        names: names.into_iter().collect(),
        uuids: HashMap::new(),
        secrets,
    };
    let mut counters: HashMap<String, usize> = HashMap::new();
    let mut steps = Vec::new();
    for (i, d) in drafts.iter_mut().enumerate() {
        let resource = kebab(&first_segment(&d.path));
        let key = format!("{}-{resource}", d.method.to_ascii_lowercase());
        let n = counters.entry(key.clone()).or_insert(0);
        *n += 1;
        let name = format!("{key}-{n}");
        let path = rw.path(&d.path);
        let mut query = Map::new();
        for (k, v) in &d.query {
            query.insert(k.clone(), Value::String(rw.string(v)));
        }
        let mut body = d.body.take();
        if let Some(b) = &mut body {
            each_string(b, 0, &mut |s| *s = rw.string(s));
        }
        let headers: Map<String, Value> = d
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    Value::String(rw.scrub(v.as_str().unwrap_or_default())),
                )
            })
            .collect();
        let mut checks = Vec::new();
        for v in ids.iter().filter(|v| v.step == i) {
            d.capture
                .insert(v.var.clone(), Value::String(v.pointer.clone()));
            checks.push(BodyCheck {
                pointer: v.pointer.clone(),
                if_status: None,
                test: BodyTest::Type("string".into()),
                severity: None,
                if_declared: None,
            });
        }
        if let Some(resp) = d.response.as_ref().filter(|r| r.get("Resources").is_none())
            && let Some(active) = resp.get("active")
        {
            let mut want = active.clone();
            each_string(&mut want, 0, &mut |s| *s = rw.string(s));
            checks.push(BodyCheck {
                pointer: "/active".into(),
                if_status: None,
                test: BodyTest::Equals(want),
                severity: None,
                if_declared: None,
            });
        }
        steps.push(Step {
            name,
            note: (!d.notes.is_empty()).then(|| d.notes.join("; ")),
            documented_in: None,
            request: Request {
                method: d.method.clone(),
                path,
                query,
                query_encoding: (d.form && !d.query.is_empty()).then_some(QueryEncoding::Form),
                headers,
                body,
            },
            capture: std::mem::take(&mut d.capture),
            expect: Expect {
                status: vec![d.status],
                body: checks,
                why: format!(
                    "Recorded: the IdP received {} here and carried on.",
                    d.status
                ),
            },
            synthetic: false,
            synthetic_reason: None,
        });
    }
    let cleanup = cleanup_steps(&drafts, &ids);
    let host = &meta.upstream_host;
    let mut notes = format!(
        "Recorded by `scimtest record` through a proxy in front of {host}: one step per \
         exchange, in the order the responses completed. Server ids became captured variables, \
         unique names carry {{{{run}}}}, IdP-generated UUIDs became {{{{uuid.*}}}}, credentials \
         were dropped. Personal data is NOT scrubbed: review before committing."
    );
    if !skipped.is_empty() {
        let shown: Vec<&str> = skipped.iter().take(10).map(String::as_str).collect();
        notes.push_str(&format!(
            " {} exchange(s) not turned into steps: {}.",
            skipped.len(),
            rw.scrub(&shown.join("; "))
        ));
    }
    Fixture {
        format_version: FORMAT_VERSION,
        idp: meta.idp.clone(),
        profile: meta.profile.clone(),
        flow: meta.flow.clone(),
        title: if meta.title.is_empty() {
            format!("{} {} recorded against {host}", meta.idp, meta.flow)
        } else {
            meta.title.clone()
        },
        notes: Some(notes),
        source: Source {
            kind: "capture".into(),
            reference: format!("scimtest record {host} {}", meta.captured_at),
        },
        documented_in: vec![format!(
            "capture: scimtest record against {host} on {}",
            meta.captured_at
        )],
        captured_at: meta.captured_at.clone(),
        steps,
        cleanup,
    }
}

/// A synthetic DELETE for each resource a POST created and no later DELETE removed: groups
/// before users, newest first.
fn cleanup_steps(drafts: &[Draft], ids: &[IdVar]) -> Vec<Step> {
    let mut left: Vec<(&IdVar, String)> = Vec::new();
    for v in ids.iter().filter(|v| v.pointer == "/id") {
        let Some(d) = drafts.get(v.step) else {
            continue;
        };
        let collection = d.path.trim_end_matches('/');
        if d.method != "POST"
            || !(200..300).contains(&d.status)
            || collection.ends_with("/.search")
            || collection.ends_with("/Bulk")
        {
            continue;
        }
        let deleted = drafts.iter().skip(v.step + 1).any(|later| {
            later.method == "DELETE"
                && matches!(later.status, 200..=299 | 404)
                && later
                    .path
                    .trim_end_matches('/')
                    .rsplit('/')
                    .next()
                    .is_some_and(|seg| crate::text::percent_decode(seg, false) == v.id)
        });
        if !deleted {
            left.push((v, collection.to_string()));
        }
    }
    left.sort_by_key(|(v, _)| (v.kind != "group", std::cmp::Reverse(v.step)));
    let mut counters: HashMap<String, usize> = HashMap::new();
    left.into_iter()
        .map(|(v, collection)| {
            let resource = kebab(&first_segment(&collection));
            let n = counters.entry(resource.clone()).or_insert(0);
            *n += 1;
            Step {
                name: format!("cleanup-delete-{resource}-{n}"),
                note: None,
                documented_in: None,
                request: Request {
                    method: "DELETE".into(),
                    path: format!("{collection}/{{{{{}}}}}", v.var),
                    query: Map::new(),
                    query_encoding: None,
                    headers: Map::new(),
                    body: None,
                },
                capture: Map::new(),
                expect: Expect {
                    status: vec![204],
                    body: Vec::new(),
                    why: "Cleanup: removes what the replay created (RFC 7644 §3.6).".into(),
                },
                synthetic: true,
                synthetic_reason: Some(
                    "Harness cleanup: the recording ended with this resource still on the \
                     target; a replay removes what it created."
                        .into(),
                ),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const TOKEN: &str = "tok-very-secret-1234";
    const ALICE: &str = "11111111-2222-3333-4444-555555555555";
    const OBJECT_ID: &str = "0F8FAD5B-D9CB-469F-A165-70867728950E";

    fn ex(
        method: &str,
        path: &str,
        query: Option<&str>,
        body: Option<Value>,
        status: u16,
        resp: Value,
    ) -> Recorded {
        Recorded {
            method: method.into(),
            path: path.into(),
            raw_query: query.map(str::to_string),
            request_headers: vec![
                ("authorization".into(), format!("Bearer {TOKEN}")),
                ("content-type".into(), "application/scim+json".into()),
                ("user-agent".into(), "Azure-AD-SCIM".into()),
                ("x-custom".into(), "custom-zz".into()),
            ],
            request_body: body.map(|b| b.to_string().into_bytes()).unwrap_or_default(),
            status,
            response_body: if resp.is_null() {
                Vec::new()
            } else {
                resp.to_string().into_bytes()
            },
        }
    }

    fn meta() -> RecordMeta {
        RecordMeta {
            idp: "entra".into(),
            profile: "recorded".into(),
            flow: "full-sync".into(),
            title: String::new(),
            upstream_host: "app.example.com".into(),
            captured_at: "2026-01-02".into(),
        }
    }

    fn session() -> Vec<Recorded> {
        vec![
            ex(
                "GET",
                "/Users",
                Some("filter=userName+eq+%22alice%40x.example%22"),
                None,
                200,
                json!({"Resources": [], "totalResults": 0}),
            ),
            ex(
                "POST",
                "/Users",
                None,
                Some(json!({
                "userName": "alice@x.example", "password": "hunter2", "externalId": OBJECT_ID,
                "emails": [{"value": "alice@x.example", "primary": true}], "active": "True"})),
                201,
                json!({"id": ALICE, "userName": "alice@x.example", "active": true,
                           "meta": {"resourceType": "User"}}),
            ),
            ex(
                "POST",
                "/Groups",
                None,
                Some(json!({"displayName": "scimtest-0123abcd-01-Sales"})),
                201,
                json!({"id": "g-000000001", "displayName": "scimtest-0123abcd-01-Sales",
                           "meta": {"resourceType": "Group"}}),
            ),
            ex(
                "PATCH",
                "/Groups/g-000000001",
                None,
                Some(json!({"Operations": [
                {"op": "add", "path": "members", "value": [{"value": ALICE}]}]})),
                204,
                Value::Null,
            ),
            ex(
                "POST",
                "/Users",
                None,
                Some(json!({"userName": "bob", "externalId": "bob-ext"})),
                201,
                json!({"id": "u-bob-00001", "userName": "bob"}),
            ),
            ex("DELETE", "/Users/u-bob-00001", None, None, 204, Value::Null),
            ex(
                "GET",
                &format!("/Users/{ALICE}"),
                None,
                None,
                200,
                json!({"id": ALICE, "active": false}),
            ),
            ex(
                "GET",
                "/Users",
                Some("filter=externalId%20eq%20%22bob-ext%22"),
                None,
                200,
                json!({"Resources": []}),
            ),
        ]
    }

    #[test]
    fn ids_become_captured_variables_and_later_uses_point_to_them() {
        let fx = to_fixture(&session(), &meta());
        let names: Vec<&str> = fx.steps.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "get-users-1",
                "post-users-1",
                "post-groups-1",
                "patch-groups-1",
                "post-users-2",
                "delete-users-1",
                "get-users-2",
                "get-users-3"
            ]
        );
        let s = &fx.steps;
        assert_eq!(s[1].capture.get("user1.id"), Some(&json!("/id")));
        assert_eq!(s[2].capture.get("group1.id"), Some(&json!("/id")));
        assert_eq!(s[4].capture.get("user2.id"), Some(&json!("/id")));
        assert_eq!(s[3].request.path, "/Groups/{{group1.id}}");
        assert_eq!(
            s[3].request
                .body
                .as_ref()
                .and_then(|b| b.pointer("/Operations/0/value/0/value")),
            Some(&json!("{{user1.id}}"))
        );
        assert_eq!(s[5].request.path, "/Users/{{user2.id}}");
        assert_eq!(s[6].request.path, "/Users/{{user1.id}}");
        // Expectations: the recorded status, a string at each captured pointer, active.
        assert_eq!(s[1].expect.status, [201]);
        assert!(s[1].expect.body.contains(&BodyCheck {
            pointer: "/id".into(),
            if_status: None,
            test: BodyTest::Type("string".into()),
            severity: None,
            if_declared: None,
        }));
        assert!(s[6].expect.body.contains(&BodyCheck {
            pointer: "/active".into(),
            if_status: None,
            test: BodyTest::Equals(json!(false)),
            severity: None,
            if_declared: None,
        }));
        assert!(s[0].expect.why.contains("received 200"));
        assert!(s.iter().all(|x| !x.synthetic));
        // The IdP's own GUID is a per-replay UUID, consistently.
        assert_eq!(
            s[1].request.body.as_ref().and_then(|b| b.get("externalId")),
            Some(&json!("{{uuid.idp1}}"))
        );
    }

    #[test]
    fn unique_names_get_the_run_prefix_consistently() {
        let fx = to_fixture(&session(), &meta());
        let s = &fx.steps;
        assert_eq!(
            s[0].request.query.get("filter"),
            Some(&json!("userName eq \"{{run}}alice@x.example\""))
        );
        assert_eq!(s[0].request.query_encoding, Some(QueryEncoding::Form));
        let body = s[1].request.body.clone().unwrap_or_default();
        assert_eq!(body["userName"], "{{run}}alice@x.example");
        assert_eq!(body["emails"][0]["value"], "{{run}}alice@x.example");
        // A replayed prefix is replaced, not doubled.
        assert_eq!(
            s[2].request.body.as_ref().map(|b| b["displayName"].clone()),
            Some(json!("{{run}}Sales"))
        );
        // A readable externalId is a name; so is its filter literal (percent-encoded query).
        assert_eq!(
            s[4].request.body.as_ref().map(|b| b["externalId"].clone()),
            Some(json!("{{run}}bob-ext"))
        );
        assert_eq!(
            s[7].request.query.get("filter"),
            Some(&json!("externalId eq \"{{run}}bob-ext\""))
        );
        assert_eq!(s[7].request.query_encoding, None);
    }

    #[test]
    fn patch_operations_on_a_password_path_are_dropped() {
        let mut v = json!({"Operations": [
            {"op": "replace", "path": "password", "value": "hunter2"},
            {"op": "replace", "path": "urn:ietf:params:scim:schemas:core:2.0:User:password", "value": "hunter3"},
            {"op": "replace", "path": "displayName", "value": "kept"}
        ]});
        assert!(strip_secret_keys(&mut v, 0));
        let text = v.to_string();
        assert!(!text.contains("hunter"), "{text}");
        assert!(text.contains("kept"));
    }

    #[test]
    fn passwords_and_credentials_never_reach_the_fixture() {
        let fx = to_fixture(&session(), &meta());
        let s = &fx.steps;
        let body = s[1].request.body.clone().unwrap_or_default();
        assert!(body.get("password").is_none());
        assert!(s[1].note.as_deref().is_some_and(|n| n.contains("password")));
        assert_eq!(
            s[1].request.headers.keys().collect::<Vec<_>>(),
            ["Content-Type", "User-Agent"]
        );
        // GET has no body, so no Content-Type either.
        assert_eq!(
            s[0].request.headers.keys().collect::<Vec<_>>(),
            ["User-Agent"]
        );
        let text = serde_json::to_string_pretty(&fx).unwrap_or_default();
        for bad in [TOKEN, "hunter2", "Bearer", "custom-zz", "authorization"] {
            assert!(
                !text
                    .to_ascii_lowercase()
                    .contains(&bad.to_ascii_lowercase()),
                "{bad} in {text}"
            );
        }
        let parsed = Fixture::parse(&text, "recorded.json").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(parsed, fx);
        // A token that leaks into a body is redacted too.
        let mut leak = session();
        leak.truncate(1);
        leak.push(ex(
            "POST",
            "/Users",
            None,
            Some(json!({"userName": "x", "nickName": format!("a{TOKEN}b")})),
            201,
            json!({"id": "u-x-000001"}),
        ));
        let text = serde_json::to_string(&to_fixture(&leak, &meta())).unwrap_or_default();
        assert!(
            !text.contains(TOKEN) && text.contains("aREDACTEDb"),
            "{text}"
        );
    }

    #[test]
    fn cleanup_deletes_what_is_left_groups_first_newest_first() {
        let mut x = session();
        x.push(ex(
            "POST",
            "/Groups",
            None,
            Some(json!({"displayName": "Eng"})),
            201,
            json!({"id": "g-000000002", "meta": {"resourceType": "Group"}}),
        ));
        let fx = to_fixture(&x, &meta());
        let cleanup: Vec<(&str, &str)> = fx
            .cleanup
            .iter()
            .map(|s| (s.name.as_str(), s.request.path.as_str()))
            .collect();
        // bob was deleted by the IdP; alice and both groups remain.
        assert_eq!(
            cleanup,
            [
                ("cleanup-delete-groups-1", "/Groups/{{group2.id}}"),
                ("cleanup-delete-groups-2", "/Groups/{{group1.id}}"),
                ("cleanup-delete-users-1", "/Users/{{user1.id}}"),
            ]
        );
        assert!(
            fx.cleanup
                .iter()
                .all(|s| s.synthetic && s.synthetic_reason.is_some())
        );
    }

    #[test]
    fn list_ids_are_captured_where_they_are_and_ids_the_idp_sent_first_are_not() {
        let x = vec![
            ex(
                "GET",
                "/Users/u-known-00001",
                None,
                None,
                200,
                json!({"id": "u-known-00001"}),
            ),
            ex(
                "GET",
                "/Groups",
                Some("startIndex=1&count=100"),
                None,
                200,
                json!({
                "Resources": [{"id": "g-aaaaaaaa1"}, {"id": "g-bbbbbbbb2"}]}),
            ),
            ex(
                "GET",
                "/Groups/g-bbbbbbbb2",
                None,
                None,
                200,
                json!({"id": "g-bbbbbbbb2"}),
            ),
        ];
        let fx = to_fixture(&x, &meta());
        assert!(fx.steps[0].capture.is_empty());
        assert_eq!(fx.steps[0].request.path, "/Users/u-known-00001");
        assert_eq!(
            fx.steps[1].capture.get("group1.id"),
            Some(&json!("/Resources/0/id"))
        );
        assert_eq!(
            fx.steps[1].capture.get("group2.id"),
            Some(&json!("/Resources/1/id"))
        );
        assert_eq!(
            fx.steps[1].request.query.keys().collect::<Vec<_>>(),
            ["startIndex", "count"]
        );
        assert_eq!(fx.steps[2].request.path, "/Groups/{{group2.id}}");
        assert!(fx.cleanup.is_empty());
    }

    #[test]
    fn helpers_decode_name_and_bound() {
        assert_eq!(kebab("ServiceProviderConfig"), "service-provider-config");
        assert_eq!(kebab(".search"), "search");
        assert_eq!(kebab(""), "root");
        assert_eq!(
            replace_bounded("x/abc/abcd", "abc", "{{v}}", false),
            "x/{{v}}/abcd"
        );
        let mut rw = Rewriter {
            ids: [("12", "{{v}}"), ("abcdef123456", "{{w}}")]
                .into_iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
            names: ["alice".to_string()].into_iter().collect(),
            uuids: HashMap::new(),
            secrets: vec!["s3cr3t-value".into()],
        };
        assert_eq!(rw.string("12"), "{{v}}");
        assert_eq!(rw.string("+1 212"), "+1 212");
        assert_eq!(
            rw.string("members[value eq \"12\"]"),
            "members[value eq \"{{v}}\"]"
        );
        assert_eq!(rw.string("x/abcdef123456/y"), "x/{{w}}/y");
        assert_eq!(rw.string("xabcdef123456"), "xabcdef123456");
        assert_eq!(
            rw.string("userName eq \"alice\""),
            "userName eq \"{{run}}alice\""
        );
        assert_eq!(rw.string("alice"), "{{run}}alice");
        assert_eq!(rw.string("malice"), "malice");
        assert_eq!(rw.string("k=s3cr3t-value"), "k=REDACTED");
        assert_eq!(rw.string("Bearer xyz"), "REDACTED");
        assert_eq!(rw.path("/Users/12"), "/Users/{{v}}");
        assert!(check_upstream("ftp://x").is_err());
        assert!(check_upstream("not a url").is_err());
        assert_eq!(
            check_upstream("http://h:1/scim/v2/").ok().as_deref(),
            Some("http://h:1/scim/v2")
        );
    }
}
