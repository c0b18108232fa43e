//! The checks, one module per area.

pub mod discovery;
pub mod users;

// groups and /Me:

// filter, pagination and sort:

// attributes and PATCH:
pub mod attributes;
pub mod patch;

// ETag, Bulk, search, errors and schema sweep:
