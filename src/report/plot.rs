//! SVG plots for load reports, drawn from [`OpSeries`]: latency over time (p50/p95/p99 per
//! operation per second, error seconds marked) and one operation's latency distribution
//! (log-scaled histogram with a cumulative line and p50/p95/p99 markers).
//!
//! Hand-written SVG rather than `plotters`: two fixed chart shapes need a few dozen elements each,
//! and writing them directly keeps full control over escaping, the empty-data case and the output
//! (self-contained: no fonts, CSS or scripts; generic `sans-serif`), with no new dependency to
//! build. Every chart is 800 × 400 user units. Every text from data (operation names) is
//! XML-escaped.

use std::fmt::Write as _;

use super::series::{OpSeries, bucket_end_us, bucket_span};

const WIDTH: f64 = 800.0;
const HEIGHT: f64 = 400.0;

/// Operation colours (Tableau 10), reused in order.
const PALETTE: [&str; 10] = [
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#bab0ac",
];

/// Colour of error markers.
const ERROR_COLOUR: &str = "#d62728";

/// XML-escape text for element content and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 forbids.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// `text` cut to `max` characters, with an ellipsis when cut.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

/// Milliseconds from microseconds.
fn ms(us: u64) -> f64 {
    us as f64 / 1000.0
}

/// `count` and `noun`, plural unless one.
fn plural(count: u64, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// A latency in ms for labels: 3 significant digits-ish.
fn fmt_ms(value: f64) -> String {
    if value >= 100.0 {
        format!("{value:.0} ms")
    } else if value >= 10.0 {
        format!("{value:.1} ms")
    } else if value >= 1.0 {
        format!("{value:.2} ms")
    } else {
        format!("{value:.3} ms")
    }
}

/// A tick label: no trailing zeros.
fn fmt_tick(value: f64) -> String {
    let text = format!("{value:.6}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text.is_empty() || text == "-0" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}

/// A "nice" tick step (1, 2 or 5 × 10^k) giving about `ticks` steps up to `max`.
fn nice_step(max: f64, ticks: f64) -> f64 {
    let raw = (max / ticks).max(f64::MIN_POSITIVE);
    let magnitude = 10f64.powf(raw.log10().floor());
    let fraction = raw / magnitude;
    let nice = if fraction <= 1.0 {
        1.0
    } else if fraction <= 2.0 {
        2.0
    } else if fraction <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

/// Open an 800 × 400 SVG with a white background.
fn open_svg(out: &mut String, title: &str) {
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="11" fill="#333333">"##
    );
    let _ = write!(out, "<title>{}</title>", escape(title));
    let _ = write!(
        out,
        r##"<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>"##
    );
    let _ = write!(
        out,
        r#"<text x="{}" y="22" text-anchor="middle" font-size="14" font-weight="bold">{}</text>"#,
        WIDTH / 2.0,
        escape(&shorten(title, 90))
    );
}

/// A whole SVG saying there is nothing to plot.
fn no_data_svg(title: &str) -> String {
    let mut out = String::new();
    open_svg(&mut out, title);
    let _ = write!(
        out,
        r##"<rect x="60" y="40" width="680" height="320" fill="none" stroke="#cccccc"/><text x="{}" y="{}" text-anchor="middle" font-size="16" fill="#888888">no data</text></svg>"##,
        WIDTH / 2.0,
        HEIGHT / 2.0
    );
    out
}

/// The plotting area, in SVG units.
#[derive(Clone, Copy)]
struct Area {
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
}

impl Area {
    fn width(&self) -> f64 {
        self.right - self.left
    }
    fn height(&self) -> f64 {
        self.bottom - self.top
    }
}

/// Latency over time: x = elapsed seconds, y = latency in ms; per operation a p50 line (thin,
/// light), a p95 line and a dashed p99 line in the operation's colour, a legend, and a red
/// marker under every second in which the operation had errors. Seconds without requests
/// break the lines. An empty input (or no requests) gives a valid SVG saying "no data".
pub fn latency_over_time_svg(series: &[OpSeries]) -> String {
    let title = "Latency over time (p50, p95, p99 per second)";
    let drawn: Vec<&OpSeries> = series.iter().filter(|s| !s.per_second.is_empty()).collect();
    if drawn.is_empty() {
        return no_data_svg(title);
    }
    let area = Area {
        left: 64.0,
        right: 600.0,
        top: 40.0,
        bottom: 350.0,
    };
    let last_second = drawn
        .iter()
        .flat_map(|s| s.per_second.iter().map(|p| p.second))
        .max()
        .unwrap_or(0);
    let x_max = (last_second + 1) as f64;
    let y_top = drawn
        .iter()
        .flat_map(|s| s.per_second.iter().map(|p| ms(p.p99_us.max(p.p95_us))))
        .fold(0.0f64, f64::max);
    let y_step = nice_step(if y_top > 0.0 { y_top } else { 1.0 }, 5.0);
    // A little headroom so the slowest point does not sit on the frame.
    let y_max = ((y_top * 1.05 / y_step).ceil().max(1.0)) * y_step;
    let x = |second: f64| area.left + second / x_max * area.width();
    let y = |value_ms: f64| area.bottom - (value_ms / y_max).min(1.0) * area.height();

    let mut out = String::new();
    open_svg(&mut out, title);

    // Grid and axes.
    let mut tick = 0.0;
    while tick <= y_max * 1.000_001 {
        let ty = y(tick);
        let _ = write!(
            out,
            r##"<line x1="{:.1}" y1="{ty:.1}" x2="{:.1}" y2="{ty:.1}" stroke="#e5e5e5"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
            area.left,
            area.right,
            area.left - 6.0,
            ty + 4.0,
            fmt_tick(tick)
        );
        tick += y_step;
    }
    let x_step = nice_step(x_max, 8.0).max(1.0).round();
    let mut tick = 0.0;
    while tick <= x_max + 1e-9 {
        let tx = x(tick);
        let _ = write!(
            out,
            r##"<line x1="{tx:.1}" y1="{:.1}" x2="{tx:.1}" y2="{:.1}" stroke="#999999"/><text x="{tx:.1}" y="{:.1}" text-anchor="middle">{}</text>"##,
            area.bottom,
            area.bottom + 4.0,
            area.bottom + 16.0,
            fmt_tick(tick)
        );
        tick += x_step;
    }
    let _ = write!(
        out,
        r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="none" stroke="#999999"/>"##,
        area.left,
        area.top,
        area.width(),
        area.height()
    );
    let _ = write!(
        out,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">elapsed time (s)</text>"#,
        (area.left + area.right) / 2.0,
        area.bottom + 34.0
    );
    let _ = write!(
        out,
        r#"<text x="16" y="{:.1}" text-anchor="middle" transform="rotate(-90 16 {:.1})">latency (ms)</text>"#,
        (area.top + area.bottom) / 2.0,
        (area.top + area.bottom) / 2.0
    );

    // Lines: p50 thin and light, p95 solid, p99 dashed; a dot for a lone second.
    type Pick = fn(&super::series::SecondStats) -> u64;
    let styles: [(Pick, &str); 3] = [
        (|p| p.p50_us, r#"stroke-width="1.2" stroke-opacity="0.55""#),
        (|p| p.p95_us, r#"stroke-width="2""#),
        (|p| p.p99_us, r#"stroke-width="1.2" stroke-dasharray="5 3""#),
    ];
    for (index, s) in drawn.iter().enumerate() {
        let colour = PALETTE[index % PALETTE.len()];
        let name = escape(&s.op);
        let _ = write!(out, r#"<g><title>{name}</title>"#);
        for (pick, style) in styles {
            let mut run: Vec<(f64, f64)> = Vec::new();
            let mut previous: Option<u64> = None;
            for p in &s.per_second {
                if previous.is_some_and(|prev| p.second != prev + 1) {
                    polyline(&mut out, &run, colour, style);
                    run.clear();
                }
                run.push((x(p.second as f64 + 0.5), y(ms(pick(p)))));
                previous = Some(p.second);
            }
            polyline(&mut out, &run, colour, style);
        }
        out.push_str("</g>");
        for p in s.per_second.iter().filter(|p| p.errors > 0) {
            let cx = x(p.second as f64 + 0.5);
            let base = area.bottom - 1.0;
            let _ = write!(
                out,
                r#"<path d="M{:.1} {base:.1} L{:.1} {:.1} L{:.1} {base:.1} Z" fill="{ERROR_COLOUR}" stroke="{colour}" stroke-width="0.8"><title>{name}: {} errors of {} requests in second {}</title></path>"#,
                cx - 4.0,
                cx,
                base - 7.0,
                cx + 4.0,
                p.errors,
                p.requests,
                p.second
            );
        }
    }

    // Legend: one row per operation, then the line styles and the error marker.
    let lx = area.right + 16.0;
    let mut ly = area.top + 4.0;
    let _ = write!(
        out,
        r#"<text x="{lx:.1}" y="{ly:.1}" font-weight="bold">operations</text>"#
    );
    let room = ((area.bottom - area.top - 90.0) / 15.0).floor().max(1.0) as usize;
    let shown = if drawn.len() > room {
        room - 1
    } else {
        drawn.len()
    };
    for (index, s) in drawn.iter().enumerate().take(shown) {
        ly += 15.0;
        let colour = PALETTE[index % PALETTE.len()];
        let _ = write!(
            out,
            r#"<line x1="{lx:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{colour}" stroke-width="3"/><text x="{:.1}" y="{ly:.1}"><title>{}</title>{}</text>"#,
            ly - 4.0,
            lx + 18.0,
            ly - 4.0,
            lx + 24.0,
            escape(&s.op),
            escape(&shorten(&s.op, 26))
        );
    }
    if shown < drawn.len() {
        ly += 15.0;
        let _ = write!(
            out,
            r#"<text x="{lx:.1}" y="{ly:.1}">+{} more</text>"#,
            drawn.len() - shown
        );
    }
    ly += 24.0;
    for (label, style) in [
        ("p50", styles[0].1),
        ("p95", styles[1].1),
        ("p99", styles[2].1),
    ] {
        let _ = write!(
            out,
            r##"<line x1="{lx:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#555555" {style}/><text x="{:.1}" y="{ly:.1}">{label}</text>"##,
            ly - 4.0,
            lx + 18.0,
            ly - 4.0,
            lx + 24.0
        );
        ly += 15.0;
    }
    let _ = write!(
        out,
        r#"<path d="M{:.1} {:.1} L{:.1} {:.1} L{:.1} {:.1} Z" fill="{ERROR_COLOUR}"/><text x="{:.1}" y="{ly:.1}">second with errors</text>"#,
        lx + 5.0,
        ly,
        lx + 9.0,
        ly - 7.0,
        lx + 13.0,
        ly,
        lx + 24.0
    );
    out.push_str("</svg>");
    out
}

/// A polyline through `points`, or a dot for a single point.
fn polyline(out: &mut String, points: &[(f64, f64)], colour: &str, style: &str) {
    match points {
        [] => {}
        [(px, py)] => {
            let _ = write!(
                out,
                r#"<circle cx="{px:.1}" cy="{py:.1}" r="2.5" fill="{colour}"/>"#
            );
        }
        _ => {
            let mut path = String::new();
            for (px, py) in points {
                let _ = write!(path, "{px:.1},{py:.1} ");
            }
            let _ = write!(
                out,
                r#"<polyline points="{}" fill="none" stroke="{colour}" {style}/>"#,
                path.trim_end()
            );
        }
    }
}

/// The whole run's latency distribution of one operation: bars count requests per equal
/// log-width bin (x: latency in ms, log scale; left axis: requests), a line gives the cumulative
/// share (right axis, %), and dashed markers show p50, p95 and p99. No requests gives a valid
/// SVG saying "no data".
pub fn latency_distribution_svg(s: &OpSeries) -> String {
    let title = format!("Latency distribution: {}", s.op);
    let total: u64 = s.histogram.iter().map(|&(_, count)| count).sum();
    if total == 0 {
        return no_data_svg(&title);
    }
    let area = Area {
        left: 64.0,
        right: 736.0,
        top: 64.0,
        bottom: 350.0,
    };
    // Regroup the whole-run buckets into display bins of the same log-linear shape, as many per
    // power of two as the spread allows (64 for a narrow spread, 8 for a wide one); whole-run
    // buckets nest inside them, so every bin holds a whole number of buckets and the bars do not
    // alias. Sub-µs times are drawn at 1 µs.
    let first = s.histogram.first().map_or(1, |&(floor, _)| floor.max(1));
    let last = s
        .histogram
        .last()
        .map_or(2, |&(floor, _)| bucket_end_us(floor));
    let octaves = (last as f64 / first as f64).log2();
    let bits = if octaves <= 2.0 {
        6
    } else if octaves <= 4.0 {
        5
    } else if octaves <= 8.0 {
        4
    } else {
        3
    };
    let mut bins: Vec<(u64, u64, u64)> = Vec::new(); // (floor, end, count)
    for &(floor, count) in &s.histogram {
        let (lo, hi) = bucket_span(floor, bits);
        match bins.last_mut() {
            Some(bin) if bin.0 == lo => bin.2 += count,
            _ => bins.push((lo, hi, count)),
        }
    }
    // Log domain in ms, padded a little, at least a third of a decade wide.
    let lo_ms = ms(bins.first().map_or(1, |b| b.0.max(1)));
    let hi_ms = ms(bins.last().map_or(2, |b| b.1.max(2)));
    let (mut d_lo, mut d_hi) = (lo_ms.log10(), hi_ms.log10());
    let pad = ((d_hi - d_lo) * 0.04).max(0.02);
    d_lo -= pad;
    d_hi += pad;
    if d_hi - d_lo < 0.33 {
        let mid = (d_hi + d_lo) / 2.0;
        d_lo = mid - 0.165;
        d_hi = mid + 0.165;
    }
    let x = |value_ms: f64| {
        let t = (value_ms.max(1e-3).log10() - d_lo) / (d_hi - d_lo);
        area.left + t.clamp(0.0, 1.0) * area.width()
    };
    // Bins are linear within a power of two, so their log widths differ: a bar's height is its
    // count per `1 / 2^bits` octave (a density), so a smooth distribution draws smooth bars
    // instead of doubling at every power of two. Each bar's title keeps its exact count.
    let unit = 1.0 / f64::from(1u32 << bits);
    let height = |lo: u64, hi: u64, count: u64| {
        let octaves = (hi as f64 / lo.max(1) as f64).log2();
        if octaves > 0.0 {
            count as f64 * unit / octaves
        } else {
            count as f64
        }
    };
    let peak = bins
        .iter()
        .map(|&(lo, hi, count)| height(lo, hi, count))
        .fold(0.0f64, f64::max);
    let peak = if peak > 0.0 { peak } else { 1.0 };
    let y_step = nice_step(peak, 5.0);
    let y_max = (peak / y_step).ceil().max(1.0) * y_step;
    let y = |count: f64| area.bottom - (count / y_max).min(1.0) * area.height();
    let y_share = |share: f64| area.bottom - share.clamp(0.0, 1.0) * area.height();

    let mut out = String::new();
    open_svg(&mut out, &title);
    let t = &s.total;
    let _ = write!(
        out,
        r#"<text x="{:.1}" y="40" text-anchor="middle">{} · {} · p50 {} · p95 {} · p99 {} · max {}</text>"#,
        WIDTH / 2.0,
        plural(t.requests, "request"),
        plural(t.errors, "error"),
        fmt_ms(ms(t.p50_us)),
        fmt_ms(ms(t.p95_us)),
        fmt_ms(ms(t.p99_us)),
        fmt_ms(ms(t.max_us))
    );

    // Grid: left axis counts, right axis share.
    let mut tick = 0.0;
    while tick <= y_max + 1e-9 {
        let ty = y(tick);
        let _ = write!(
            out,
            r##"<line x1="{:.1}" y1="{ty:.1}" x2="{:.1}" y2="{ty:.1}" stroke="#e5e5e5"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
            area.left,
            area.right,
            area.left - 6.0,
            ty + 4.0,
            fmt_tick(tick)
        );
        tick += y_step;
    }
    for pct in [0, 25, 50, 75, 100] {
        let ty = y_share(f64::from(pct) / 100.0);
        let _ = write!(
            out,
            r##"<text x="{:.1}" y="{:.1}" fill="#b03a2e">{pct}%</text>"##,
            area.right + 6.0,
            ty + 4.0
        );
    }
    // Ticks at 1..9 × 10^k inside the domain: grid and label at 1, 2 and 5 (at every one when
    // the domain is under a decade wide), a short mark at the others.
    let label_all = d_hi - d_lo < 1.0;
    let mut decade = d_lo.floor();
    while decade <= d_hi {
        for k in 1..10u32 {
            let value = 10f64.powf(decade) * f64::from(k);
            let at = value.log10();
            if at < d_lo || at > d_hi {
                continue;
            }
            let tx = x(value);
            if label_all || matches!(k, 1 | 2 | 5) {
                let _ = write!(
                    out,
                    r##"<line x1="{tx:.1}" y1="{:.1}" x2="{tx:.1}" y2="{:.1}" stroke="#e5e5e5"/><line x1="{tx:.1}" y1="{:.1}" x2="{tx:.1}" y2="{:.1}" stroke="#999999"/><text x="{tx:.1}" y="{:.1}" text-anchor="middle">{}</text>"##,
                    area.top,
                    area.bottom,
                    area.bottom,
                    area.bottom + 5.0,
                    area.bottom + 17.0,
                    fmt_tick(value)
                );
            } else {
                let _ = write!(
                    out,
                    r##"<line x1="{tx:.1}" y1="{:.1}" x2="{tx:.1}" y2="{:.1}" stroke="#bbbbbb"/>"##,
                    area.bottom,
                    area.bottom + 3.0
                );
            }
        }
        decade += 1.0;
    }

    // Bars.
    out.push_str(r##"<g fill="#4e79a7" fill-opacity="0.8">"##);
    for &(lo, hi, count) in &bins {
        let (bx, bx_end) = (x(ms(lo.max(1))), x(ms(hi)));
        let by = y(height(lo, hi, count));
        let _ = write!(
            out,
            r#"<rect x="{bx:.1}" y="{by:.1}" width="{:.1}" height="{:.1}"><title>{} – {}: {count} requests</title></rect>"#,
            (bx_end - bx - 0.5).max(0.8),
            (area.bottom - by).max(0.8),
            fmt_ms(ms(lo)),
            fmt_ms(ms(hi))
        );
    }
    out.push_str("</g>");

    // Cumulative share.
    let mut cumulative = 0u64;
    let mut points = String::new();
    if let Some(&(first, _)) = s.histogram.first() {
        let _ = write!(points, "{:.1},{:.1}", x(ms(first.max(1))), y_share(0.0));
    }
    for &(floor, count) in &s.histogram {
        cumulative += count;
        let _ = write!(
            points,
            " {:.1},{:.1}",
            x(ms(bucket_end_us(floor))),
            y_share(cumulative as f64 / total as f64)
        );
    }
    let _ = write!(
        out,
        r##"<polyline points="{points}" fill="none" stroke="#b03a2e" stroke-width="1.5"/>"##
    );

    // Percentile markers, labels staggered so they do not overlap.
    for (row, (label, value)) in [("p50", t.p50_us), ("p95", t.p95_us), ("p99", t.p99_us)]
        .into_iter()
        .enumerate()
    {
        let mx = x(ms(value));
        let ly = area.top + 12.0 + row as f64 * 13.0;
        let anchor = if mx > area.right - 90.0 {
            "end"
        } else {
            "start"
        };
        let dx = if anchor == "end" { -4.0 } else { 4.0 };
        let _ = write!(
            out,
            r##"<line x1="{mx:.1}" y1="{:.1}" x2="{mx:.1}" y2="{:.1}" stroke="#222222" stroke-dasharray="4 3"/><text x="{:.1}" y="{ly:.1}" text-anchor="{anchor}" stroke="#ffffff" stroke-width="3" paint-order="stroke">{label} {}</text>"##,
            area.top,
            area.bottom,
            mx + dx,
            fmt_ms(ms(value))
        );
    }

    // Frame, axis labels, key.
    let _ = write!(
        out,
        r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="none" stroke="#999999"/>"##,
        area.left,
        area.top,
        area.width(),
        area.height()
    );
    let mid_y = (area.top + area.bottom) / 2.0;
    let _ = write!(
        out,
        r##"<text x="{:.1}" y="{:.1}" text-anchor="middle">latency (ms, log scale)</text><text x="16" y="{mid_y:.1}" text-anchor="middle" transform="rotate(-90 16 {mid_y:.1})">requests per 1/{} octave</text><text x="{:.1}" y="{mid_y:.1}" text-anchor="middle" fill="#b03a2e" transform="rotate(90 {:.1} {mid_y:.1})">cumulative share</text>"##,
        (area.left + area.right) / 2.0,
        area.bottom + 36.0,
        1u32 << bits,
        WIDTH - 12.0,
        WIDTH - 12.0
    );
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(
            escape(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;"
        );
        assert_eq!(escape("a\u{1}b"), "a\u{fffd}b");
        assert_eq!(shorten("abcdef", 4), "abc…");
        assert_eq!(shorten("abc", 4), "abc");
        assert_eq!(nice_step(10.0, 5.0), 2.0);
        assert_eq!(nice_step(7.3, 5.0), 2.0);
        assert_eq!(nice_step(0.9, 5.0), 0.2);
        assert_eq!(fmt_tick(0.5), "0.5");
        assert_eq!(fmt_tick(10.0), "10");
        assert_eq!(fmt_tick(0.0), "0");
    }
}
