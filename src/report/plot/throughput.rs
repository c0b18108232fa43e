//! Throughput over time: requests completed per second, in total (thick dark line) and per
//! operation, the busiest operations each in a colour of their own and the rest folded into
//! one grey "other" line, so there are never more lines than colours. 800 × 400.

use std::fmt::Write as _;

use super::chart::{
    Area, OTHER, PALETTE, TOTAL, legend_line, no_data_svg, open_svg, polyline, subtitle, time_span,
    value_axis,
};
use crate::report::series::OpSeries;

const HEIGHT: f64 = 400.0;

/// Operations drawn on their own at most; beyond that the rest is folded into "other".
pub(crate) const TOP: usize = 6;

/// Requests per second of `s` over seconds `0..len` (seconds without requests are 0).
fn per_second(s: &OpSeries, len: usize) -> Vec<u64> {
    let mut v = vec![0u64; len];
    for p in &s.per_second {
        if let Some(slot) = usize::try_from(p.second).ok().and_then(|i| v.get_mut(i)) {
            *slot += p.requests;
        }
    }
    v
}

/// The operations drawn on their own (busiest first, at most [`TOP`], all of them when that
/// leaves a single one over) and the rest.
pub(crate) fn split_top(series: &[OpSeries]) -> (Vec<&OpSeries>, Vec<&OpSeries>) {
    let mut by_load: Vec<&OpSeries> = series.iter().filter(|s| s.total.requests > 0).collect();
    by_load.sort_by(|a, b| {
        b.total
            .requests
            .cmp(&a.total.requests)
            .then(a.op.cmp(&b.op))
    });
    if by_load.len() <= TOP + 1 {
        return (by_load, Vec::new());
    }
    let rest = by_load.split_off(TOP);
    (by_load, rest)
}

/// Throughput over time (see the module text). No requests gives a valid SVG saying "no data".
pub fn throughput_over_time_svg(series: &[OpSeries]) -> String {
    let title = "Throughput over time (requests per second)";
    let Some(last) = series
        .iter()
        .flat_map(|s| s.per_second.iter().map(|p| p.second))
        .max()
    else {
        return no_data_svg(title);
    };
    let x_max = time_span(last);
    let len = usize::try_from(last + 1).unwrap_or(usize::MAX).min(1 << 22);
    let (top, rest) = split_top(series);
    let mut total = vec![0u64; len];
    let mut lines: Vec<(String, &str, Vec<u64>)> = Vec::new();
    for (i, s) in top.iter().enumerate() {
        let v = per_second(s, len);
        for (t, n) in total.iter_mut().zip(&v) {
            *t += n;
        }
        lines.push((s.op.clone(), PALETTE[i % PALETTE.len()], v));
    }
    if !rest.is_empty() {
        let mut other = vec![0u64; len];
        for s in &rest {
            for (o, n) in other.iter_mut().zip(per_second(s, len)) {
                *o += n;
            }
        }
        for (t, n) in total.iter_mut().zip(&other) {
            *t += n;
        }
        lines.push((format!("other ({} operations)", rest.len()), OTHER, other));
    }
    let requests: u64 = total.iter().sum();
    let peak = total.iter().copied().max().unwrap_or(0);
    let area = Area {
        left: 64.0,
        right: 580.0,
        top: 56.0,
        bottom: 346.0,
    };
    let (step, y_max) = value_axis(peak as f64, 5.0, true);
    let mut out = String::new();
    open_svg(&mut out, HEIGHT, title);
    subtitle(
        &mut out,
        &format!(
            "{requests} requests in {} s · mean {:.1} req/s · peak {peak} req/s",
            x_max,
            requests as f64 / x_max
        ),
    );
    area.y_grid(&mut out, y_max, step, true);
    area.time_ticks(&mut out, x_max, 8.0, true);
    area.axis_labels(&mut out, "elapsed time (s)", "requests per second", 18.0);
    let point = |i: usize, n: u64| (area.x(i as f64 + 0.5, x_max), area.y(n as f64, y_max));
    for (name, colour, v) in &lines {
        let points: Vec<(f64, f64)> = v.iter().enumerate().map(|(i, &n)| point(i, n)).collect();
        let _ = write!(out, "<g><title>{}</title>", super::chart::escape(name));
        polyline(&mut out, &points, colour, r#"stroke-width="1.6""#);
        out.push_str("</g>");
    }
    let points: Vec<(f64, f64)> = total
        .iter()
        .enumerate()
        .map(|(i, &n)| point(i, n))
        .collect();
    out.push_str("<g><title>total</title>");
    polyline(&mut out, &points, TOTAL, r#"stroke-width="2.6""#);
    out.push_str("</g>");
    area.frame(&mut out);

    // Legend: total, then the operations busiest first, then "other".
    let lx = area.right + 16.0;
    let mut ly = area.top + 6.0;
    legend_line(
        &mut out,
        (lx, ly),
        TOTAL,
        r#"stroke-width="3""#,
        "total",
        28,
    );
    for (name, colour, _) in &lines {
        ly += 18.0;
        legend_line(&mut out, (lx, ly), colour, r#"stroke-width="3""#, name, 26);
    }
    out.push_str("</svg>");
    out
}
