//! `scimtest record`: a recording reverse proxy. An IdP is pointed at the proxy instead of the
//! target; every request is forwarded unchanged to the target's SCIM base URL and every answer
//! comes back unchanged, while the exchanges are kept in memory. [`to_fixture`] (pure) turns
//! them into a replay fixture (format version 1, `fixtures/README.md`): credentials dropped,
//! `password`-like keys removed, server ids turned into captured variables, unique names put
//! under `{{run}}`, IdP-generated UUIDs turned into `{{uuid.*}}`, and a synthetic cleanup for
//! whatever the recording left behind. Personal data is NOT scrubbed beyond those rules.
//!
//! `proxy` is the recording proxy, `convert` turns exchanges into a fixture, `scrub` keeps
//! credentials out of it, and `rewrite` replaces server ids, unique names and UUIDs with
//! variables. Owns only the proxy and the conversion; it must not import `conformance/` or
//! `load/`.

mod convert;
mod proxy;
mod rewrite;
mod scrub;

#[cfg(test)]
mod fixtures;

pub use convert::{RecordMeta, to_fixture};
pub use proxy::{
    MAX_BODY_BYTES, RecordConfig, RecordError, RecordStats, Recorded, RecorderHandle,
    check_upstream, spawn,
};
