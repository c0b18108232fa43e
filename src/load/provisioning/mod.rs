//! `load --config FILE`: a provisioning configuration (`scim::provisioning`) shaping a load run.
//! `shape` leaves out the operations the configuration excludes (and says why), `attrs` builds
//! the user bodies, updates and existence-check filters from its mappings and matching
//! attribute. Reading the file and the up-front check of the mapping targets against what the
//! target declares are the CLI's (`cli::config`), shared with replay and certify.
//!
//! Must not import: `conformance`, `replay` (floors).

mod attrs;
mod shape;

pub use attrs::{MappedAttr, UserShape};
pub use shape::{LeftOut, Shaped, shape};
