//! OAuth 2.0 client credentials (RFC 6749 §4.4) for the client: one token request
//! ([`fetch_token`], client_secret_post, parsed as §5.1 / §5.2) and the [`TokenSource`] every
//! clone of a `Client` shares: a token fetched lazily, refreshed before it expires, renewed once
//! after a 401, one refresh at a time. The client secret and every access token issued are added
//! to the redactor before any exchange exists. Must not import `provider/`.

use crate::client::exchange::{Exchange, REDACTED, Redactor};
use serde_json::Value;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Client-credentials settings (RFC 6749 §4.4).
#[derive(Clone)]
pub struct ClientCredentials {
    /// The token endpoint, e.g. `https://login.example.com/oauth2/token`.
    pub token_url: String,
    /// The client's id.
    pub client_id: String,
    /// The client's secret (never printed: `Debug` hides it).
    pub client_secret: String,
    /// The `scope` parameter, when one is sent.
    pub scope: Option<String>,
}

impl std::fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &REDACTED)
            .field("scope", &self.scope)
            .finish()
    }
}

/// One token response.
#[derive(Debug, Clone)]
pub struct TokenGrant {
    /// The access token (a secret: already added to the redactor).
    pub access_token: String,
    /// `token_type` as sent (`Bearer`), if any.
    pub token_type: Option<String>,
    /// `expires_in` as sent, in seconds; None when absent.
    pub expires_in: Option<u64>,
    /// The redacted token request/response.
    pub exchange: Exchange,
}

/// Why no token came back: HTTP status (None = transport), the RFC 6749 §5.2 `error` code and
/// description when the body had them, a one-line message, the redacted exchange.
#[derive(Debug, Clone)]
pub struct TokenError {
    /// The token endpoint's status; None when it did not answer.
    pub status: Option<u16>,
    /// The §5.2 `error` code (`invalid_client`, ...), when the body had one.
    pub error: Option<String>,
    /// The §5.2 `error_description`, when the body had one.
    pub description: Option<String>,
    /// One line saying what went wrong, naming the token endpoint.
    pub message: String,
    /// The redacted token request/response.
    pub exchange: Exchange,
}

impl std::fmt::Display for TokenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for TokenError {}

impl TokenError {
    /// Whether the endpoint refused the client itself (401, or `invalid_client` /
    /// `unauthorized_client`), as opposed to not answering or answering nonsense.
    pub fn refused_client(&self) -> bool {
        self.status == Some(401)
            || matches!(
                self.error.as_deref(),
                Some("invalid_client" | "unauthorized_client")
            )
    }
}

/// Largest token response read.
const MAX_TOKEN_BODY: usize = 1024 * 1024;

/// Token lifetime assumed when the response has no `expires_in`.
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);

/// POST the token request (application/x-www-form-urlencoded: grant_type=client_credentials,
/// client_id, client_secret, scope if set — client_secret_post, which is what Microsoft's
/// validator sends), parse §5.1 / §5.2.
pub async fn fetch_token(
    creds: &ClientCredentials,
    timeout: Duration,
    redactor: &Redactor,
) -> Result<TokenGrant, TokenError> {
    match http_client(timeout) {
        Ok(http) => request_token(&http, creds, redactor).await,
        Err(e) => {
            redactor.add(&creds.client_secret);
            let error = format!("failed to build the HTTP client: {e}");
            Err(failure(
                creds,
                redactor,
                None,
                None,
                None,
                &error,
                &[],
                None,
            ))
        }
    }
}

fn http_client(timeout: Duration) -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(5)))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("scimtest/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// The form body, and the same body as evidence (the secret replaced).
fn form(creds: &ClientCredentials) -> (String, String) {
    use crate::client::enc;
    let mut head = format!(
        "grant_type=client_credentials&client_id={}",
        enc(&creds.client_id)
    );
    let tail = creds
        .scope
        .as_deref()
        .map(|s| format!("&scope={}", enc(s)))
        .unwrap_or_default();
    let sent = format!("{head}&client_secret={}{tail}", enc(&creds.client_secret));
    head.push_str(&format!("&client_secret={REDACTED}{tail}"));
    (sent, head)
}

const FORM: &str = "application/x-www-form-urlencoded";

fn request_headers() -> Vec<(String, String)> {
    vec![
        ("Content-Type".into(), FORM.into()),
        ("Accept".into(), "application/json".into()),
    ]
}

#[expect(
    clippy::too_many_arguments,
    reason = "the parts of a failed token exchange, redacted in one place"
)]
fn failure(
    creds: &ClientCredentials,
    redactor: &Redactor,
    status: Option<u16>,
    error: Option<String>,
    description: Option<String>,
    message: &str,
    response_headers: &[(String, String)],
    response_body: Option<&str>,
) -> TokenError {
    let (_, shown) = form(creds);
    let exchange = redactor.exchange(
        "POST",
        &creds.token_url,
        &request_headers(),
        Some(&shown),
        status,
        response_headers,
        response_body.map(redact_tokens).as_deref(),
        status.is_none().then_some(message),
        0.0,
    );
    TokenError {
        status,
        error: error.map(|e| redactor.text(&e)),
        description: description.map(|d| redactor.text(&d)),
        message: redactor.text(message),
        exchange,
    }
}

/// A token response body with its token values replaced (JSON), else unchanged.
fn redact_tokens(body: &str) -> String {
    match serde_json::from_str::<Value>(body) {
        Ok(Value::Object(mut m)) => {
            for k in ["access_token", "refresh_token", "id_token"] {
                if let Some(v) = m.get_mut(k).filter(|v| !v.is_null()) {
                    *v = Value::String(REDACTED.into());
                }
            }
            serde_json::to_string(&Value::Object(m)).unwrap_or_default()
        }
        _ => body.to_string(),
    }
}

/// The first line of `s`, at most 200 characters.
fn one_line(s: &str) -> String {
    let line = s.lines().next().unwrap_or("").trim();
    let mut out: String = line.chars().take(200).collect();
    if line.chars().count() > 200 {
        out.push('…');
    }
    out
}

/// `expires_in`: a number, or a number in a string (some endpoints send `"3599"`).
fn expires_in(v: Option<&Value>) -> Option<u64> {
    match v? {
        Value::Number(n) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A transport error with its cause chain.
fn cause(e: &reqwest::Error) -> String {
    let mut s = if e.is_timeout() {
        "timed out".to_string()
    } else if e.is_connect() {
        "could not connect".to_string()
    } else {
        "request failed".to_string()
    };
    let mut src: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(c) = src {
        s.push_str(": ");
        s.push_str(&c.to_string());
        src = c.source();
    }
    s
}

async fn request_token(
    http: &reqwest::Client,
    creds: &ClientCredentials,
    redactor: &Redactor,
) -> Result<TokenGrant, TokenError> {
    redactor.add(&creds.client_secret);
    redactor.add(&crate::client::enc(&creds.client_secret));
    let url = redactor.text(&creds.token_url);
    let (body, shown) = form(creds);
    let started = Instant::now();
    let sent = http
        .post(&creds.token_url)
        .header("Content-Type", FORM)
        .header("Accept", "application/json")
        .body(body)
        .send()
        .await;
    let mut resp = match sent {
        Ok(r) => r,
        Err(e) => {
            let msg = format!("OAuth token endpoint {url} did not answer: {}", cause(&e));
            return Err(failure(creds, redactor, None, None, None, &msg, &[], None));
        }
    };
    let status = resp.status().as_u16();
    let headers: Vec<(String, String)> = resp
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let mut buf: Vec<u8> = Vec::new();
    let mut broke: Option<String> = None;
    loop {
        match resp.chunk().await {
            Ok(Some(c)) if buf.len() + c.len() <= MAX_TOKEN_BODY => buf.extend_from_slice(&c),
            Ok(Some(_)) => {
                broke = Some(format!("a body larger than {MAX_TOKEN_BODY} bytes"));
                break;
            }
            Ok(None) => break,
            Err(e) => {
                broke = Some(format!("the body broke off: {}", cause(&e)));
                break;
            }
        }
    }
    let text = String::from_utf8_lossy(&buf).into_owned();
    let json = serde_json::from_slice::<Value>(&buf).ok();
    let field = |k: &str| {
        json.as_ref()
            .and_then(|j| j.get(k))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let access_token = field("access_token").filter(|t| !t.is_empty());
    if let Some(t) = &access_token {
        redactor.add(t);
    }
    let fail = |error: Option<String>, description: Option<String>, msg: String| {
        failure(
            creds,
            redactor,
            Some(status),
            error,
            description,
            &msg,
            &headers,
            (!text.is_empty()).then_some(text.as_str()),
        )
    };
    if let Some(why) = broke {
        let msg = format!("OAuth token endpoint {url} answered {status} with {why}");
        return Err(fail(None, None, msg));
    }
    if (200..300).contains(&status) {
        let Some(access_token) = access_token else {
            let msg = format!(
                "OAuth token endpoint {url} answered {status} without an access_token (RFC 6749 \
                 §5.1)"
            );
            return Err(fail(None, None, msg));
        };
        let exchange = redactor.exchange(
            "POST",
            &creds.token_url,
            &request_headers(),
            Some(&shown),
            Some(status),
            &headers,
            Some(&redact_tokens(&text)),
            None,
            started.elapsed().as_secs_f64() * 1000.0,
        );
        return Ok(TokenGrant {
            access_token,
            token_type: field("token_type"),
            expires_in: expires_in(json.as_ref().and_then(|j| j.get("expires_in"))),
            exchange,
        });
    }
    let error = field("error");
    let description = field("error_description").map(|d| one_line(&d));
    let refused = status == 401
        || matches!(
            error.as_deref(),
            Some("invalid_client" | "unauthorized_client")
        );
    let what = if refused {
        "refused the client credentials"
    } else {
        "refused the token request"
    };
    let detail = match (&error, &description) {
        (Some(e), Some(d)) => format!("{status} {}: {d}", one_line(e)),
        (Some(e), None) => format!("{status} {}", one_line(e)),
        (None, _) => format!("{status}, no RFC 6749 §5.2 error in the body"),
    };
    let msg = format!("OAuth token endpoint {url} {what} ({detail})");
    Err(fail(error, description, msg))
}

/// A bearer token from a [`TokenSource`], with the number of the grant it came from (grants
/// are numbered from 1 in the order they were obtained).
#[derive(Clone)]
pub struct Bearer {
    /// The access token.
    pub token: String,
    /// Which grant it is.
    pub generation: u64,
}

impl std::fmt::Debug for Bearer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Bearer(grant {}, {REDACTED})", self.generation)
    }
}

/// The token in use.
struct Held {
    bearer: Bearer,
    /// From here on the token is renewed before use.
    refresh_at: Instant,
    /// The token's end (counted from when it was requested).
    expires_at: Instant,
}

/// When a token of `lifetime` is renewed: with max(10 % of its lifetime, 5 s) left, but never
/// in its first half (a 2 s token is used for 1 s).
pub fn refresh_margin(lifetime: Duration) -> Duration {
    (lifetime / 10)
        .max(Duration::from_secs(5))
        .min(lifetime / 2)
}

/// The access token every clone of a `Client` uses: fetched on first use, renewed when less
/// than [`refresh_margin`] of its lifetime is left (an absent `expires_in` counts as an hour;
/// if that renewal fails, the current token serves until it expires), renewed once more after a
/// 401. One token request at a time: requests that wait while one is in flight take its result.
pub struct TokenSource {
    creds: ClientCredentials,
    http: Result<reqwest::Client, String>,
    redactor: Redactor,
    current: parking_lot::RwLock<Option<Arc<Held>>>,
    refresh: tokio::sync::Mutex<()>,
    /// The last failure and when it happened.
    failed: parking_lot::Mutex<Option<(Instant, TokenError)>>,
    grants: AtomicU64,
    /// `expires_in` of every grant, as sent.
    lifetimes: parking_lot::Mutex<Vec<Option<u64>>>,
}

impl std::fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSource")
            .field("creds", &self.creds)
            .field("grants", &self.grants())
            .finish()
    }
}

impl TokenSource {
    /// A source for `creds`; each token request may take `timeout`. The secret and every token
    /// go into `redactor` (whose list the client's redactor should share).
    pub fn new(creds: ClientCredentials, timeout: Duration, redactor: Redactor) -> TokenSource {
        redactor.add(&creds.client_secret);
        redactor.add(&crate::client::enc(&creds.client_secret));
        TokenSource {
            http: http_client(timeout).map_err(|e| e.to_string()),
            creds,
            redactor,
            current: parking_lot::RwLock::new(None),
            refresh: tokio::sync::Mutex::new(()),
            failed: parking_lot::Mutex::new(None),
            grants: AtomicU64::new(0),
            lifetimes: parking_lot::Mutex::new(Vec::new()),
        }
    }

    /// The credentials.
    pub fn credentials(&self) -> &ClientCredentials {
        &self.creds
    }

    /// The redactor that knows the secret and every token.
    pub fn redactor(&self) -> &Redactor {
        &self.redactor
    }

    /// A token good for a request now: the current one, or a new one when it is due.
    pub async fn bearer(&self) -> Result<Bearer, TokenError> {
        if let Some(b) = self.fresh() {
            return Ok(b);
        }
        let asked = Instant::now();
        let _one = self.refresh.lock().await;
        if let Some(b) = self.fresh() {
            return Ok(b);
        }
        if let Some(e) = self.failed_since(asked) {
            return self.still_valid().ok_or(e);
        }
        // A renewal that fails early leaves the current token in use until it expires.
        match self.fetch().await {
            Ok(b) => Ok(b),
            Err(e) => self.still_valid().ok_or(e),
        }
    }

    /// The current token while it has not expired (it may be due for renewal).
    fn still_valid(&self) -> Option<Bearer> {
        let cur = self.current.read();
        let h = cur.as_ref()?;
        (Instant::now() < h.expires_at).then(|| h.bearer.clone())
    }

    /// A token after `used` was refused (401): a newer one when another request already got
    /// it, else a new one from the token endpoint.
    pub async fn renew(&self, used: &Bearer) -> Result<Bearer, TokenError> {
        let asked = Instant::now();
        let _one = self.refresh.lock().await;
        if let Some(h) = self.current.read().as_ref()
            && h.bearer.generation > used.generation
            && Instant::now() < h.expires_at
        {
            return Ok(h.bearer.clone());
        }
        if let Some(e) = self.failed_since(asked) {
            return Err(e);
        }
        self.fetch().await
    }

    /// How many tokens were obtained.
    pub fn grants(&self) -> u64 {
        self.grants.load(Ordering::Relaxed)
    }

    /// How many times a token was replaced by a newer one (grants after the first).
    pub fn refreshes(&self) -> u64 {
        self.grants().saturating_sub(1)
    }

    /// `expires_in` of the last grant, as sent (None when absent, or before the first grant).
    pub fn last_grant_lifetime(&self) -> Option<u64> {
        self.lifetimes.lock().last().copied().flatten()
    }

    /// `expires_in` of every grant, as sent, in order.
    pub fn lifetimes(&self) -> Vec<Option<u64>> {
        self.lifetimes.lock().clone()
    }

    /// One line for a run's summary: how many tokens, from where, living how long.
    pub fn summary(&self) -> String {
        let lifetime = match self.lifetimes.lock().last() {
            Some(Some(s)) => format!("expires_in {s} s"),
            Some(None) => "no expires_in, taken as 3600 s".to_string(),
            None => "none obtained".to_string(),
        };
        format!(
            "oauth: {} access token(s) from {} ({} refresh(es); last {lifetime})",
            self.grants(),
            self.redactor.text(&self.creds.token_url),
            self.refreshes()
        )
    }

    fn fresh(&self) -> Option<Bearer> {
        let cur = self.current.read();
        let h = cur.as_ref()?;
        (Instant::now() < h.refresh_at).then(|| h.bearer.clone())
    }

    fn failed_since(&self, asked: Instant) -> Option<TokenError> {
        let f = self.failed.lock();
        let (at, e) = f.as_ref()?;
        (*at >= asked).then(|| e.clone())
    }

    async fn fetch(&self) -> Result<Bearer, TokenError> {
        let requested = Instant::now();
        let got = match &self.http {
            Ok(http) => request_token(http, &self.creds, &self.redactor).await,
            Err(e) => Err(failure(
                &self.creds,
                &self.redactor,
                None,
                None,
                None,
                &format!("failed to build the HTTP client: {e}"),
                &[],
                None,
            )),
        };
        match got {
            Ok(grant) => {
                let generation = self.grants.fetch_add(1, Ordering::Relaxed) + 1;
                self.lifetimes.lock().push(grant.expires_in);
                let lifetime = grant
                    .expires_in
                    .map_or(DEFAULT_LIFETIME, Duration::from_secs);
                let bearer = Bearer {
                    token: grant.access_token,
                    generation,
                };
                *self.current.write() = Some(Arc::new(Held {
                    bearer: bearer.clone(),
                    refresh_at: requested + lifetime.saturating_sub(refresh_margin(lifetime)),
                    expires_at: requested + lifetime,
                }));
                *self.failed.lock() = None;
                Ok(bearer)
            }
            Err(e) => {
                *self.failed.lock() = Some((Instant::now(), e.clone()));
                Err(e)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn margins_are_a_tenth_at_least_five_seconds_at_most_half() {
        assert_eq!(
            refresh_margin(Duration::from_secs(3600)),
            Duration::from_secs(360)
        );
        assert_eq!(
            refresh_margin(Duration::from_secs(30)),
            Duration::from_secs(5)
        );
        assert_eq!(
            refresh_margin(Duration::from_secs(2)),
            Duration::from_secs(1)
        );
    }

    #[test]
    fn debug_hides_the_secret_and_the_form_evidence_too() {
        let c = ClientCredentials {
            token_url: "http://h/t".into(),
            client_id: "app".into(),
            client_secret: "s3cr3t&=x".into(),
            scope: Some("scim write".into()),
        };
        assert!(!format!("{c:?}").contains("s3cr3t"));
        let (sent, shown) = form(&c);
        assert_eq!(
            sent,
            "grant_type=client_credentials&client_id=app&client_secret=s3cr3t%26%3Dx&scope=scim%20write"
        );
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(
            !format!(
                "{:?}",
                Bearer {
                    token: "tok-123".into(),
                    generation: 1
                }
            )
            .contains("tok")
        );
    }

    #[test]
    fn expires_in_takes_numbers_and_numeric_strings() {
        assert_eq!(expires_in(Some(&serde_json::json!(60))), Some(60));
        assert_eq!(expires_in(Some(&serde_json::json!("3599"))), Some(3599));
        assert_eq!(expires_in(Some(&serde_json::json!(-1))), None);
        assert_eq!(expires_in(None), None);
        assert_eq!(
            redact_tokens(r#"{"access_token":"abc","token_type":"Bearer"}"#),
            r#"{"access_token":"<redacted>","token_type":"Bearer"}"#
        );
    }
}
