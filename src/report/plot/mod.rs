//! SVG plots for load reports, drawn from the series in the report model
//! ([`crate::report::series`]): throughput, errors and 429s, active users and latency over
//! time, and each operation's latency distribution; [`load_plots`] lists them for a run.
//!
//! Hand-written SVG rather than `plotters`: a few fixed chart shapes need a few dozen elements
//! each, and writing them directly keeps full control over escaping, the empty-data case and
//! the output (self-contained: no fonts, CSS or scripts; generic `sans-serif`), with no new
//! dependency to build. Charts are 800 units wide; every text from data (operation names) is
//! XML-escaped. One file per chart kind; `chart.rs` holds what they share.

mod chart;
mod distribution;
mod errors;
mod latency;
mod set;
mod throughput;
mod users;

pub use distribution::latency_distribution_svg;
pub use errors::errors_over_time_svg;
pub use latency::latency_over_time_svg;
pub use set::{Plot, load_plots};
pub use throughput::throughput_over_time_svg;
pub use users::active_users_svg;
