//! The bundled reference SCIM provider (axum + an in-memory store). Must not import `target/`.

pub mod bulk;
pub mod compact;
pub mod config;
pub mod fault;
pub mod hooks;
pub mod http;
pub mod oauth;
pub mod rate;
pub mod server;
pub mod service;
pub mod store;

pub use config::{Clock, Limits, OAuthClientSpec, ProviderConfig, TokenSpec};
pub use fault::{Fault, Faults};
pub use server::{ProviderHandle, ServeError, serve, spawn};
