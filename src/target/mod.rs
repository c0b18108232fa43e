//! The system under test, seen from the harness: an HTTP client with auth, a size cap, timeouts
//! and bounded 429 retries; the exchange log with redaction at the source; and the run
//! namespace with cleanup. Must not import `provider/`.

pub mod client;
pub mod exchange;
pub mod namespace;

pub use client::{Client, Resp, TargetConfig};
pub use exchange::{Exchange, Redactor};
pub use namespace::Namespace;

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
