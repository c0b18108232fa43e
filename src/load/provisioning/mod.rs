//! `load --config FILE`: a provisioning configuration (`scim::provisioning`) shaping a load run.
//! `shape` leaves out the operations the configuration excludes (and says why), `attrs` builds
//! the user bodies, updates and existence-check filters from its mappings and matching
//! attribute, `declared` reads which attributes a target declares so a mapping the target does
//! not know is reported before anything is sent.
//!
//! Must not import: `conformance`, `replay` (floors).

mod attrs;
mod declared;
mod shape;

pub use attrs::{MappedAttr, UserShape};
pub use declared::undeclared_on;
pub use shape::{LeftOut, Shaped, shape, summary};
