//! SCIM filters (RFC 7644 §3.4.2.2), pure: no I/O, and no imports from the provider, the
//! registry or anything above `scim/`. `ast` is the typed expression and its canonical text,
//! `parse` the grammar (with located errors), `eval` matching against stored resources,
//! `validate` the refusals a server owes, and `hint` the equality look-up the provider indexes.

mod ast;
mod eval;
mod hint;
mod parse;
mod validate;

#[cfg(test)]
mod fixtures;

pub use ast::{CompValue, CompareOp, Filter};
pub use parse::{FilterError, MAX_FILTER_DEPTH, MAX_FILTER_LEN};
