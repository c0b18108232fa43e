//! scimtest: a SCIM 2.0 conformance and load-testing harness with a bundled reference provider.
//!
//! Floors (docs/architecture.md; `tests/it/floors.rs` holds them): `text`, `scim` (pure
//! protocol) → `client`, `provider` → `report` → the jobs `conformance`, `replay`, `load` → `cli`.

pub mod catalogue;
pub mod certify;
pub mod cli;
pub mod client;
pub mod conformance;
pub mod exit_codes;
pub mod interrupt;
pub mod load;
pub mod provider;
pub mod replay;
pub mod report;
pub mod scim;
pub mod text;
