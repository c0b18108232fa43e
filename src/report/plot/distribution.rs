//! One operation's latency distribution over the whole run: a log-scaled histogram with a
//! cumulative line and p50/p95/p99 markers, 800 × 400.

use std::fmt::Write as _;

use super::chart::{Area, WIDTH, fmt_ms, fmt_tick, ms, nice_step, no_data_svg, open_svg, plural};
use crate::report::series::{OpSeries, bucket_end_us, bucket_span};

const HEIGHT: f64 = 400.0;

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
    open_svg(&mut out, HEIGHT, &title);
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
