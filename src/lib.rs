//! scimtest: a SCIM 2.0 conformance and load-testing harness with a bundled reference provider.
//!
//! Floors (see `../shared/DESIGN.md`): `scim` (pure protocol) → `provider` → `cli`.

pub mod catalogue;
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
