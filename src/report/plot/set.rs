//! The plots of one load run, in reading order, each with its caption and file name: what
//! the CLI writes next to a load report and what the HTML site shows. One list, so the files
//! and the page never disagree.

use super::{
    active_users_svg, errors_over_time_svg, latency_distribution_svg, latency_over_time_svg,
    throughput_over_time_svg,
};
use crate::report::series::{OpSeries, UsersSecond};

/// One drawn plot.
#[derive(Debug, Clone, PartialEq)]
pub struct Plot {
    /// What it shows, as a file stem: `throughput-over-time`, `errors-over-time`,
    /// `active-users`, `latency-over-time`, or `latency` for one operation's histogram.
    pub kind: &'static str,
    /// The operation, for a per-operation plot.
    pub op: Option<String>,
    /// A caption for a page (plain text).
    pub caption: String,
    /// The SVG document.
    pub svg: String,
}

impl Plot {
    /// Its file name: `<kind>.svg`, or `<kind>-<slug of op>.svg` for one operation.
    pub fn file_name(&self, slug: impl Fn(&str) -> String) -> String {
        match &self.op {
            Some(op) => format!("{}-{}.svg", self.kind, slug(op)),
            None => format!("{}.svg", self.kind),
        }
    }
}

/// Every plot of a load run: throughput, errors and 429s, active users (when recorded),
/// latency over time per operation, then one latency histogram per operation. No series
/// gives no plots.
pub fn load_plots(series: &[OpSeries], users: &[UsersSecond]) -> Vec<Plot> {
    if series.is_empty() {
        return Vec::new();
    }
    let mut plots = vec![
        Plot {
            kind: "throughput-over-time",
            op: None,
            caption: "Throughput over time: total and per operation".into(),
            svg: throughput_over_time_svg(series),
        },
        Plot {
            kind: "errors-over-time",
            op: None,
            caption: "Errors and 429s over time".into(),
            svg: errors_over_time_svg(series),
        },
    ];
    if !users.is_empty() {
        plots.push(Plot {
            kind: "active-users",
            op: None,
            caption: "Active users over time".into(),
            svg: active_users_svg(users),
        });
    }
    plots.push(Plot {
        kind: "latency-over-time",
        op: None,
        caption: "Latency over time, one panel per operation".into(),
        svg: latency_over_time_svg(series),
    });
    plots.extend(series.iter().map(|s| Plot {
        kind: "latency",
        op: Some(s.op.clone()),
        caption: format!("Latency distribution: {}", s.op),
        svg: latency_distribution_svg(s),
    }));
    plots
}
