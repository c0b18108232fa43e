//! One report model, leaf writers (JSON, JUnit, Markdown). Below `conformance/`, `replay/` and
//! `load/`, which all produce a `RunReport`.

pub mod json;
pub mod junit;
pub mod markdown;
pub mod model;

pub use model::{CheckReport, Counts, Level, Outcome, RunReport};
