//! The recording reverse proxy: forwards every request unchanged to the target's SCIM base URL
//! (but for `Authorization`, replaced by the recorder's own OAuth token when it has client
//! credentials for the upstream), returns every answer unchanged, and keeps each exchange in
//! memory as a [`Recorded`] (with the IdP's headers, never the recorder's token).

use super::convert::{RecordMeta, to_fixture};
use crate::replay::fixture::Fixture;
use axum::body::Body;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use parking_lot::Mutex;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{oneshot, watch};

/// Largest request or response body the proxy carries (8 MiB).
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;
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
    /// OAuth client credentials for the upstream: the IdP's `Authorization` is replaced by this
    /// source's token (renewed once after a 401).
    pub upstream_oauth: Option<Arc<crate::client::TokenSource>>,
}

impl RecordConfig {
    /// A config with a 30 s upstream timeout.
    pub fn new(listen: SocketAddr, upstream: &str, meta: RecordMeta) -> RecordConfig {
        RecordConfig {
            listen,
            upstream: upstream.to_string(),
            meta,
            timeout: Duration::from_secs(30),
            upstream_oauth: None,
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
    oauth: Option<Arc<crate::client::TokenSource>>,
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
        oauth: cfg.upstream_oauth,
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
    let mut bearer = None;
    if let Some(src) = &st.oauth {
        match src.bearer().await {
            Ok(b) => bearer = Some(b),
            Err(e) => {
                unanswered(&st);
                return text(
                    StatusCode::BAD_GATEWAY,
                    &format!("no OAuth token for the upstream: {}", e.message),
                );
            }
        }
    }
    let forward = |token: Option<&str>| {
        let mut h = forwardable(&parts.headers, &["accept-encoding"]);
        if let Some(v) =
            token.and_then(|t| axum::http::HeaderValue::from_str(&format!("Bearer {t}")).ok())
        {
            h.insert(axum::http::header::AUTHORIZATION, v);
        }
        st.http
            .request(parts.method.clone(), &url)
            .headers(h)
            .body(body.clone())
            .send()
    };
    let mut sent = forward(bearer.as_ref().map(|b| b.token.as_str())).await;
    if let (Some(src), Some(used)) = (&st.oauth, &bearer)
        && sent
            .as_ref()
            .is_ok_and(|r| r.status() == StatusCode::UNAUTHORIZED)
        && let Ok(fresh) = src.renew(used).await
    {
        sent = forward(Some(fresh.token.as_str())).await;
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_upstream_wants_an_http_url() {
        assert!(check_upstream("ftp://x").is_err());
        assert!(check_upstream("not a url").is_err());
        assert_eq!(
            check_upstream("http://h:1/scim/v2/").ok().as_deref(),
            Some("http://h:1/scim/v2")
        );
    }
}
