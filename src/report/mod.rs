//! One report model, leaf writers (JSON, JUnit, Markdown, HAR, the HTML site and the compatibility
//! certificate) and the check catalogue's shared description and listing. Below `conformance/`,
//! `replay/` and `load/`, which all produce a `RunReport`.

pub mod catalogue;
pub mod cert;
pub mod compare;
pub mod har;
pub mod html;
pub mod impact;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod model;
pub mod phases;
pub mod plot;
pub mod readiness;
pub mod series;
pub mod view;

pub use model::{CheckReport, Counts, Level, Outcome, RunReport};
