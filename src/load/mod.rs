//! `scimtest load` (stub in this worktree; the lead owns the real module file).

pub mod correctness;
