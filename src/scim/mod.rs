//! The SCIM protocol itself, pure: no tokio, axum or reqwest. Shared by the provider (to serve
//! correctly) and by the checks (to judge correctly).

pub mod error;
pub mod extension;
pub mod filter;
mod json;
pub mod mapped;
pub mod patch;
pub mod path;
pub mod provisioning;
pub mod query;
pub mod registry;
pub mod resource;
pub mod schema;
pub mod state;

pub use error::{ScimError, ScimResult, ScimType};
pub use path::AttrPath;
