//! `scimtest load`: goose scenarios against a SCIM target (stub in the ld-plot worktree; the lead
//! owns the real module).

pub mod plot;
pub mod stats;
