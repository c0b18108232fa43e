//! The checks, one module per area.

pub mod discovery;
pub mod users;

// groups and /Me:
pub mod groups;
pub mod me;

// filter, pagination and sort:

// attributes and PATCH:

// ETag, Bulk, search, errors and schema sweep:
