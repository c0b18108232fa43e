//! The system under test, seen from the harness: an HTTP client with auth, a size cap, timeouts
//! and bounded 429 retries; the exchange log with redaction at the source; and the run
//! namespace with cleanup. Must not import `provider/`.

pub mod client;
pub mod exchange;
pub mod namespace;

pub use client::{Client, Resp, TargetConfig};
pub use exchange::{Exchange, Redactor};
pub use namespace::Namespace;
