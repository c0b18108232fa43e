//! `scimtest check`: the conformance catalogue, its runner, and response validation against the
//! JSON Schemas of the SCIM messages. Imports `target/`, `report/` and `scim/`; never
//! `provider/`, `replay/` or `load/`.

pub mod catalogue;
pub mod checks;
pub mod context;
pub mod model;
pub mod quotes;
pub mod runner;
pub mod validate;
