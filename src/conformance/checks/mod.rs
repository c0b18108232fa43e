//! The checks, one module per area.

pub mod discovery;
pub mod users;

// groups and /Me:

// filter, pagination and sort:

// attributes and PATCH:

// ETag, Bulk, search, errors and schema sweep:
pub mod bulk;
pub mod errors;
pub mod etag;
pub mod schema;
pub mod search;
pub mod transport;
