//! Errors over time: failed requests per second as stacked bars, 429 Too Many Requests
//! (orange) apart from every other failure (red: wrong status, transport error, a body that
//! failed its check), with the share of failed requests in the subtitle. 800 × 400. A run
//! without failures still draws its axes and says so.

use std::fmt::Write as _;

use super::chart::{
    Area, ERROR, legend_box, no_data_svg, open_svg, subtitle, time_span, value_axis,
};
use crate::report::series::OpSeries;

const HEIGHT: f64 = 400.0;

/// Colour of 429 bars.
const THROTTLED: &str = "#f28e2b";

/// Errors and 429s over time (see the module text). No requests gives a valid SVG saying
/// "no data".
pub fn errors_over_time_svg(series: &[OpSeries]) -> String {
    let title = "Errors and 429s over time (failed requests per second)";
    let Some(last) = series
        .iter()
        .flat_map(|s| s.per_second.iter().map(|p| p.second))
        .max()
    else {
        return no_data_svg(title);
    };
    let x_max = time_span(last);
    let len = usize::try_from(last + 1).unwrap_or(usize::MAX).min(1 << 22);
    // Per second: (requests, 429s, other failures).
    let mut seconds = vec![(0u64, 0u64, 0u64); len];
    for p in series.iter().flat_map(|s| &s.per_second) {
        if let Some(slot) = usize::try_from(p.second)
            .ok()
            .and_then(|i| seconds.get_mut(i))
        {
            let throttled = p.throttled.min(p.errors);
            slot.0 += p.requests;
            slot.1 += throttled;
            slot.2 += p.errors - throttled;
        }
    }
    let requests: u64 = seconds.iter().map(|s| s.0).sum();
    let throttled: u64 = seconds.iter().map(|s| s.1).sum();
    let other: u64 = seconds.iter().map(|s| s.2).sum();
    let peak = seconds.iter().map(|s| s.1 + s.2).max().unwrap_or(0);
    let area = Area {
        left: 64.0,
        right: 580.0,
        top: 56.0,
        bottom: 346.0,
    };
    let (step, y_max) = value_axis(peak as f64, 5.0, true);
    let mut out = String::new();
    open_svg(&mut out, HEIGHT, title);
    let share = if requests > 0 {
        (throttled + other) as f64 * 100.0 / requests as f64
    } else {
        0.0
    };
    subtitle(
        &mut out,
        &format!(
            "{} failed of {requests} requests ({share:.2}%) · {throttled} answered 429 · {other} other failures",
            throttled + other
        ),
    );
    area.y_grid(&mut out, y_max, step, true);
    area.time_ticks(&mut out, x_max, 8.0, true);
    area.axis_labels(
        &mut out,
        "elapsed time (s)",
        "failed requests per second",
        18.0,
    );
    let slot = area.width() / x_max;
    let bar = (slot * 0.8).clamp(0.8, 24.0);
    for (i, &(n, t, o)) in seconds.iter().enumerate() {
        if t + o == 0 {
            continue;
        }
        let bx = area.x(i as f64 + 0.5, x_max) - bar / 2.0;
        let y_other = area.y(o as f64, y_max);
        let y_all = area.y((o + t) as f64, y_max);
        let _ = write!(
            out,
            r#"<g><title>second {i}: {t} answered 429, {o} other failures, of {n} requests</title>"#
        );
        if o > 0 {
            let _ = write!(
                out,
                r#"<rect x="{bx:.1}" y="{y_other:.1}" width="{bar:.1}" height="{:.1}" fill="{ERROR}"/>"#,
                (area.bottom - y_other).max(0.8)
            );
        }
        if t > 0 {
            let _ = write!(
                out,
                r#"<rect x="{bx:.1}" y="{y_all:.1}" width="{bar:.1}" height="{:.1}" fill="{THROTTLED}"/>"#,
                (y_other - y_all).max(0.8)
            );
        }
        out.push_str("</g>");
    }
    if throttled + other == 0 {
        let _ = write!(
            out,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="15" fill="#2e7d32">no failed requests and no 429 in this run</text>"##,
            (area.left + area.right) / 2.0,
            (area.top + area.bottom) / 2.0
        );
    }
    area.frame(&mut out);
    let lx = area.right + 16.0;
    legend_box(
        &mut out,
        (lx, area.top + 6.0),
        THROTTLED,
        "429 Too Many Requests",
    );
    legend_box(&mut out, (lx, area.top + 24.0), ERROR, "other failures");
    let _ = write!(
        out,
        r##"<text x="{lx:.1}" y="{:.1}" font-size="11" fill="#555555"><tspan x="{lx:.1}">wrong status, transport error</tspan><tspan x="{lx:.1}" dy="14">or a body that failed its check</tspan></text>"##,
        area.top + 42.0
    );
    out.push_str("</svg>");
    out
}
