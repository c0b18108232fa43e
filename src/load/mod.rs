//! `scimtest load`: goose scenarios of the SCIM provisioning path. `scenario` is the TOML
//! format and the shipped scenarios, `ops` the operations as goose transactions, `engine` one
//! run (pool set-up, the attack, cleanup), `stats` the per-operation latency collector,
//! `plot` the SVG plots, `correctness` the checks run under load.

pub mod correctness;
pub mod engine;
pub mod ops;
pub mod plot;
pub mod scenario;
pub mod stats;
