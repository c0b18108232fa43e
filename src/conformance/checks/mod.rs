//! The checks, one module per area.

pub mod discovery;
pub mod messages;
pub mod users;

// groups and /Me:
pub mod groups;
pub mod me;

// filter, pagination (index and cursor) and sort:
pub mod cursor;
pub mod filter;
pub mod pagination;
pub mod sort;

// attributes and PATCH:
pub mod attributes;
pub mod patch;

// ETag, Bulk, search, errors and schema sweep:
pub mod bulk;
pub mod errors;
pub mod etag;
pub mod isolation;
pub mod schema;
pub mod search;
pub mod transport;
