//! The conformance checks run by `scimtest check`.

pub mod validate;
