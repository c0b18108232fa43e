//! Query handling for list and search requests (RFC 7644 §3.4.2–§3.4.3, §3.9; RFC 7643 §2.2),
//! pure: no I/O, and it must not import tokio, axum or reqwest; the filter expression itself is
//! parsed by the filter module. `params` reads the query parameters and the `SearchRequest` body
//! into a [`ListQuery`], `projection` applies `attributes` / `excludedAttributes` and the
//! `returned` characteristic, `sort` orders by `sortBy` / `sortOrder`, and `page` cuts the page
//! (`startIndex` / `count`) and builds the `ListResponse` message, and `cursor` holds RFC 9865's
//! cursor-based paging (the opaque token and the page it selects). Each file states the
//! decisions it takes where the RFCs leave room, so callers and checks can rely on them.

mod cursor;
mod page;
mod params;
mod projection;
mod sort;

#[cfg(test)]
mod fixtures;

pub use cursor::{Cursor, Position, cursor_list_response, cursor_page, fingerprint};
pub use page::{list_response, page_range};
pub use params::{ListQuery, PARAMS, decode_query, parse_attr_list};
pub use projection::project;
pub use sort::{SortOrder, check_sort_by, sort};
