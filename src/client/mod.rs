//! The SCIM client to the system under test, used by every command: HTTP with auth, a size cap,
//! timeouts and bounded 429 retries; the exchange log with redaction at the source; and the run
//! namespace with cleanup (read back); the preflight every command runs first; OAuth 2.0 client
//! credentials (`oauth.rs`). Must not import
//! `provider/`.

pub mod exchange;
pub mod http;
pub mod namespace;
pub mod oauth;
pub mod preflight;

pub use exchange::{Exchange, Redactor};
pub use http::{Client, Resp, TargetConfig};
pub use namespace::Namespace;
pub use oauth::{ClientCredentials, TokenError, TokenGrant, TokenSource, fetch_token};

/// Percent-encode everything but RFC 3986 unreserved characters (a query value or a path
/// segment).
pub fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A `Retry-After` value in seconds: delta-seconds, or an HTTP-date (RFC 9110 §10.2.3) counted
/// from now (a date in the past is 0). None for anything else (negative, garbage).
pub fn retry_after_secs(value: &str) -> Option<u64> {
    let v = value.trim();
    if let Ok(n) = v.parse::<u64>() {
        return Some(n);
    }
    let date = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let secs = (date.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_seconds();
    Some(u64::try_from(secs).unwrap_or(0))
}

#[cfg(test)]
mod retry_after_tests {
    use super::retry_after_secs;

    #[test]
    fn seconds_dates_and_garbage() {
        assert_eq!(retry_after_secs(" 120 "), Some(120));
        assert_eq!(retry_after_secs("-1"), None);
        assert_eq!(retry_after_secs("soon"), None);
        assert_eq!(retry_after_secs("Wed, 21 Oct 2015 07:28:00 GMT"), Some(0));
        let future = (chrono::Utc::now() + chrono::Duration::seconds(90))
            .format("%a, %d %b %Y %H:%M:%S GMT")
            .to_string();
        let got = retry_after_secs(&future).unwrap_or(0);
        assert!((85..=90).contains(&got), "{future}: {got}");
    }
}
