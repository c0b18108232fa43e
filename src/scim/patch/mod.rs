//! SCIM PATCH (RFC 7644 §3.5.2), pure: no I/O, no HTTP types; it must not import the provider.
//! `path` is the PATCH path grammar (RFC 7644 Figure 7, built on [`crate::scim::path::AttrPath`]
//! and the filter grammar), `request` the `PatchOp` request model, `apply` the atomic,
//! schema-driven application of a request to a stored resource (its decisions are documented
//! there), `shapes` the operation on each of the three target shapes, and `value` the type
//! checks, canonical spelling and equality of the values written.

mod apply;
mod path;
mod request;
mod shapes;
mod value;

#[cfg(test)]
mod fixtures;

pub use apply::{PatchOutcome, apply};
pub use path::PatchPath;
pub use request::{OpKind, PatchOperation, PatchRequest};
