//! The checks, one module per area.

pub mod discovery;
pub mod users;
