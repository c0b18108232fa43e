//! One HTTP request/response pair as evidence, redacted at the source: an `Exchange` can only be
//! built through a `Redactor`, which replaces credentials, cookies, `password` values and every
//! configured secret before the value exists. A redactor's secret list is shared by its clones
//! and only grows ([`Redactor::add`]), so a secret learnt mid-run (an OAuth access token) is
//! hidden from every exchange built after it.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The text that replaces a secret.
pub const REDACTED: &str = "<redacted>";

/// Bodies kept as evidence are cut to this many bytes (a 1 MiB bulk payload proves nothing more
/// than its first 64 KiB, and reports stay readable).
pub const MAX_EVIDENCE_BODY: usize = 64 * 1024;

/// Headers whose values are always secrets.
const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
];

/// A request and what came back (or why nothing did).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exchange {
    /// HTTP method.
    pub method: String,
    /// Full URL, secrets redacted.
    pub url: String,
    /// Request headers sent, secrets redacted.
    pub request_headers: Vec<(String, String)>,
    /// Request body as text, if any, secrets redacted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_body: Option<String>,
    /// Response status, absent when the request failed in transport.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Response headers, secrets redacted.
    pub response_headers: Vec<(String, String)>,
    /// Response body as text (lossy UTF-8, capped), secrets redacted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_body: Option<String>,
    /// Transport error (refused, reset, timeout, body too large), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Wall time of the exchange, in milliseconds.
    pub duration_ms: f64,
}

/// Replaces secrets in everything that becomes evidence. Clones share one secret list.
#[derive(Clone, Default)]
pub struct Redactor {
    secrets: std::sync::Arc<parking_lot::RwLock<Vec<String>>>,
    secret_headers: Vec<String>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Redactor({} secrets)", self.secrets.read().len())
    }
}

/// Secrets shorter than this are not replaced as text (they would shred ordinary words).
const MIN_SECRET_LEN: usize = 4;

impl Redactor {
    /// A redactor for these secret values and these extra secret header names.
    pub fn new(
        secrets: impl IntoIterator<Item = String>,
        headers: impl IntoIterator<Item = String>,
    ) -> Self {
        let mut secrets: Vec<String> = secrets
            .into_iter()
            .filter(|s| s.len() >= MIN_SECRET_LEN)
            .collect();
        // Longest first, so a secret containing another is replaced whole.
        secrets.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        secrets.dedup();
        Redactor {
            secrets: std::sync::Arc::new(parking_lot::RwLock::new(secrets)),
            secret_headers: headers
                .into_iter()
                .map(|h| h.to_ascii_lowercase())
                .collect(),
        }
    }

    /// Add a secret to the list this redactor and all its clones share (an access token issued
    /// mid-run). Secrets shorter than 4 characters and ones already listed are ignored.
    pub fn add(&self, secret: &str) {
        if secret.len() < MIN_SECRET_LEN {
            return;
        }
        let mut list = self.secrets.write();
        if list.iter().any(|s| s == secret) {
            return;
        }
        // Longest first, as `new` sorts them.
        let at = list.partition_point(|s| s.len() >= secret.len());
        list.insert(at, secret.to_string());
    }

    /// Replace every configured secret in `s`.
    pub fn text(&self, s: &str) -> String {
        let mut out = s.to_string();
        for secret in self.secrets.read().iter() {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), REDACTED);
            }
        }
        out
    }

    /// A header value, redacted when the header is a secret one.
    pub fn header(&self, name: &str, value: &str) -> String {
        let lower = name.to_ascii_lowercase();
        if SECRET_HEADERS.contains(&lower.as_str()) || self.secret_headers.contains(&lower) {
            match value.split_once(' ') {
                // Keep the scheme (`Bearer`), it helps diagnose auth problems.
                Some((scheme, _)) if lower.ends_with("authorization") => {
                    format!("{scheme} {REDACTED}")
                }
                _ => REDACTED.to_string(),
            }
        } else {
            self.text(value)
        }
    }

    /// A JSON body with `password` values and secrets replaced, re-serialised; non-JSON bodies
    /// have their secrets replaced as text.
    pub fn body(&self, text: &str) -> String {
        let full = match serde_json::from_str::<Value>(text) {
            Ok(mut v) => {
                redact_json(&mut v);
                self.text(&serde_json::to_string(&v).unwrap_or_default())
            }
            Err(_) => self.text(text),
        };
        cap(full)
    }

    /// Build an exchange, redacting every part of it.
    #[expect(
        clippy::too_many_arguments,
        reason = "the parts of an exchange, redacted in one place"
    )]
    pub fn exchange(
        &self,
        method: &str,
        url: &str,
        request_headers: &[(String, String)],
        request_body: Option<&str>,
        status: Option<u16>,
        response_headers: &[(String, String)],
        response_body: Option<&str>,
        error: Option<&str>,
        duration_ms: f64,
    ) -> Exchange {
        let hdrs = |h: &[(String, String)]| {
            h.iter()
                .map(|(k, v)| (k.clone(), self.header(k, v)))
                .collect()
        };
        Exchange {
            method: method.to_string(),
            url: self.text(url),
            request_headers: hdrs(request_headers),
            request_body: request_body.map(|b| self.body(b)),
            status,
            response_headers: hdrs(response_headers),
            response_body: response_body.map(|b| self.body(b)),
            error: error.map(|e| self.text(e)),
            duration_ms,
        }
    }
}

/// Cut a body to [`MAX_EVIDENCE_BODY`] bytes on a character boundary, saying how much was cut.
fn cap(s: String) -> String {
    if s.len() <= MAX_EVIDENCE_BODY {
        return s;
    }
    let mut end = MAX_EVIDENCE_BODY;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… [{} more bytes not kept]", &s[..end], s.len() - end)
}

/// Whether a PATCH operation's `path` names a password (`password`, `urn:…:User:password`).
fn password_path(m: &serde_json::Map<String, Value>) -> bool {
    m.get("path").and_then(Value::as_str).is_some_and(|p| {
        let last = p.rsplit(':').next().unwrap_or(p);
        last.rsplit('.')
            .next()
            .unwrap_or(last)
            .eq_ignore_ascii_case("password")
    })
}

fn redact_json(v: &mut Value) {
    match v {
        Value::Object(m) => {
            if password_path(m)
                && let Some(val) = m.get_mut("value")
                && !val.is_null()
            {
                *val = Value::String(REDACTED.into());
            }
            for (k, val) in m.iter_mut() {
                if k.eq_ignore_ascii_case("password") && !val.is_null() {
                    *val = Value::String(REDACTED.into());
                } else {
                    redact_json(val);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(redact_json),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_survive_into_an_exchange() {
        let r = Redactor::new(
            ["s3cr3t-token".to_string(), "hdr-secret".to_string()],
            ["X-Tenant-Key".to_string()],
        );
        let x = r.exchange(
            "POST",
            "https://x/scim?token=s3cr3t-token",
            &[
                ("Authorization".into(), "Bearer s3cr3t-token".into()),
                ("X-Tenant-Key".into(), "hdr-secret".into()),
            ],
            Some(r#"{"userName":"a","password":"hunter2","nested":{"Password":"p"}}"#),
            Some(200),
            &[("Set-Cookie".into(), "sid=1".into())],
            Some("echo s3cr3t-token"),
            None,
            1.0,
        );
        let all = serde_json::to_string(&x).unwrap_or_default();
        for s in ["s3cr3t-token", "hdr-secret", "hunter2", "sid=1", "\"p\""] {
            assert!(!all.contains(s), "{s} leaked: {all}");
        }
        assert!(all.contains("Bearer <redacted>"));
    }

    #[test]
    fn a_secret_added_later_is_hidden_by_every_clone() {
        let r = Redactor::new(["first-secret".to_string()], Vec::<String>::new());
        let clone = r.clone();
        r.add("late-token-123");
        r.add("late-token-123");
        r.add("abc");
        assert_eq!(
            clone.text("late-token-123 first-secret abc"),
            "<redacted> <redacted> abc"
        );
        assert_eq!(format!("{clone:?}"), "Redactor(2 secrets)");
    }

    #[test]
    fn evidence_bodies_are_capped() {
        let r = Redactor::default();
        let big = "x".repeat(MAX_EVIDENCE_BODY * 2);
        let b = r.body(&big);
        assert!(b.len() < MAX_EVIDENCE_BODY + 100);
        assert!(b.ends_with("more bytes not kept]"));
    }
}
