//! Latency over time as small multiples: one panel per operation (name order), each with its
//! own latency scale, on one shared time axis; in every panel p50, p95 and p99 per second in
//! three fixed colours (p99 dashed) and a red mark under each second with errors. One legend
//! for all panels. Seconds without requests break the lines.

use std::fmt::Write as _;

use super::chart::{
    Area, ERROR, WIDTH, escape, fmt_ms, legend_box, legend_line, ms, no_data_svg, open_svg,
    polyline, shorten, subtitle, time_span, value_axis,
};
use crate::report::series::{OpSeries, SecondStats};

/// Height of one panel's plotting area.
const PANEL_PLOT: f64 = 92.0;
/// Height of one panel row: name above, plot, tick labels under.
const PANEL_ROW: f64 = PANEL_PLOT + 44.0;
/// Top of the first panel row (title, subtitle, legend above it).
const FIRST_ROW: f64 = 76.0;

/// The percentile lines: label, what they read, colour, style.
type Pick = fn(&SecondStats) -> u64;
const LINES: [(&str, Pick, &str, &str); 3] = [
    ("p50", |p| p.p50_us, "#4e79a7", r#"stroke-width="1.5""#),
    ("p95", |p| p.p95_us, "#f28e2b", r#"stroke-width="1.8""#),
    (
        "p99",
        |p| p.p99_us,
        "#7b3294",
        r#"stroke-width="1.3" stroke-dasharray="5 3""#,
    ),
];

/// Columns of the panel grid for `n` operations.
fn columns(n: usize) -> usize {
    n.clamp(1, 3)
}

/// The chart's height for `n` operations.
pub(crate) fn height(n: usize) -> f64 {
    let rows = n.div_ceil(columns(n)).max(1);
    FIRST_ROW + rows as f64 * PANEL_ROW + 30.0
}

/// Latency over time, one small panel per operation with requests (see the module text). An
/// empty input (or no requests) gives a valid SVG saying "no data".
pub fn latency_over_time_svg(series: &[OpSeries]) -> String {
    let title = "Latency over time, per operation (p50, p95, p99 per second)";
    let drawn: Vec<&OpSeries> = series.iter().filter(|s| !s.per_second.is_empty()).collect();
    if drawn.is_empty() {
        return no_data_svg(title);
    }
    let last = drawn
        .iter()
        .flat_map(|s| s.per_second.iter().map(|p| p.second))
        .max()
        .unwrap_or(0);
    let x_max = time_span(last);
    let cols = columns(drawn.len());
    let h = height(drawn.len());
    let mut out = String::new();
    open_svg(&mut out, h, title);
    subtitle(
        &mut out,
        &format!(
            "{} · each panel has its own latency scale (ms) · x: elapsed time (s)",
            plural_ops(drawn.len())
        ),
    );
    // Legend, once, centred under the subtitle.
    let mut lx = WIDTH / 2.0 - 190.0;
    for (label, _, colour, style) in LINES {
        legend_line(&mut out, (lx, 60.0), colour, style, label, 8);
        lx += 80.0;
    }
    legend_box(&mut out, (lx, 60.0), ERROR, "second with errors");

    let (margin_left, gap, margin_right) = (44.0, 30.0, 12.0);
    let panel_w = (WIDTH - margin_left - margin_right - gap * (cols as f64 - 1.0)) / cols as f64;
    let rows = drawn.len().div_ceil(cols);
    for (index, s) in drawn.iter().enumerate() {
        let (row, col) = (index / cols, index % cols);
        let left = margin_left + col as f64 * (panel_w + gap);
        let top = FIRST_ROW + row as f64 * PANEL_ROW + 18.0;
        let area = Area {
            left,
            right: left + panel_w,
            top,
            bottom: top + PANEL_PLOT,
        };
        panel(
            &mut out,
            s,
            area,
            x_max,
            row + 1 == rows || index + cols >= drawn.len(),
        );
    }
    let _ = write!(
        out,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">elapsed time (s)</text>"#,
        WIDTH / 2.0,
        h - 10.0
    );
    out.push_str("</svg>");
    out
}

fn plural_ops(n: usize) -> String {
    if n == 1 {
        "1 operation".into()
    } else {
        format!("{n} operations")
    }
}

/// One operation's panel in `area`; time labels under it when `time_labels`.
fn panel(out: &mut String, s: &OpSeries, area: Area, x_max: f64, time_labels: bool) {
    let name = escape(&s.op);
    let _ = write!(out, r#"<g class="panel"><title>{name}</title>"#);
    let peak = s
        .per_second
        .iter()
        .map(|p| ms(p.p99_us.max(p.p95_us).max(p.p50_us)))
        .fold(0.0f64, f64::max);
    let (step, y_max) = value_axis(peak, 2.0, false);
    let _ = write!(
        out,
        r##"<text x="{:.1}" y="{:.1}" font-weight="bold">{}</text><text x="{:.1}" y="{:.1}" text-anchor="end" fill="#555555">p95 {}</text>"##,
        area.left,
        area.top - 6.0,
        // About 7 units a bold character; room left for the p95 label on the right.
        escape(&shorten(
            &s.op,
            ((area.width() - 84.0) / 7.0).max(8.0) as usize
        )),
        area.right,
        area.top - 6.0,
        fmt_ms(ms(s.total.p95_us))
    );
    area.y_grid(out, y_max, step, true);
    area.time_ticks(out, x_max, 4.0, time_labels);
    for (_, pick, colour, style) in LINES {
        let mut run: Vec<(f64, f64)> = Vec::new();
        let mut previous: Option<u64> = None;
        for p in &s.per_second {
            if previous.is_some_and(|prev| p.second != prev + 1) {
                polyline(out, &run, colour, style);
                run.clear();
            }
            run.push((
                area.x(p.second as f64 + 0.5, x_max),
                area.y(ms(pick(p)), y_max),
            ));
            previous = Some(p.second);
        }
        polyline(out, &run, colour, style);
    }
    for p in s.per_second.iter().filter(|p| p.errors > 0) {
        let cx = area.x(p.second as f64 + 0.5, x_max);
        let base = area.bottom - 0.5;
        let _ = write!(
            out,
            r#"<path d="M{:.1} {base:.1} L{cx:.1} {:.1} L{:.1} {base:.1} Z" fill="{ERROR}"><title>{name}: {} errors of {} requests in second {}</title></path>"#,
            cx - 3.5,
            base - 6.0,
            cx + 3.5,
            p.errors,
            p.requests,
            p.second
        );
    }
    area.frame(out);
    let _ = write!(
        out,
        r##"<text x="{:.1}" y="{:.1}" text-anchor="end" font-size="10" fill="#777777">ms</text>"##,
        area.left - 5.0,
        area.top - 6.0
    );
    out.push_str("</g>");
}
