//! What every load plot shares: XML escaping, number formats, "nice" axis steps, the SVG frame
//! with its title, the "no data" chart, the time axis, grid lines and legend rows. Plain SVG text
//! written into a `String`; no fonts, CSS or scripts (generic `sans-serif`).

use std::fmt::Write as _;

/// Width of every chart, in SVG user units (and CSS pixels at scale 1).
pub(crate) const WIDTH: f64 = 800.0;

/// Operation colours (Tableau 10 without its grey), each distinct from [`OTHER`] and [`TOTAL`].
pub(crate) const PALETTE: [&str; 9] = [
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f",
];

/// Colour of "the other operations, folded into one line".
pub(crate) const OTHER: &str = "#9a9a9a";

/// Colour of a total line.
pub(crate) const TOTAL: &str = "#222222";

/// Colour of error markers and error bars.
pub(crate) const ERROR: &str = "#d62728";

/// XML-escape text for element content and attribute values.
pub(crate) fn escape(text: &str) -> String {
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

/// `text` cut to `max` characters by an ellipsis in the middle, so names that differ only at
/// the end (`PATCH /Groups/{id} add` and `… remove`) stay apart.
pub(crate) fn shorten(text: &str, max: usize) -> String {
    let n = text.chars().count();
    if n <= max {
        return text.to_owned();
    }
    let keep = max.saturating_sub(1);
    let tail = keep / 3;
    let head = keep - tail;
    let mut cut: String = text.chars().take(head).collect();
    cut.push('…');
    cut.extend(text.chars().skip(n - tail));
    cut
}

/// Milliseconds from microseconds.
pub(crate) fn ms(us: u64) -> f64 {
    us as f64 / 1000.0
}

/// `count` and `noun`, plural unless one.
pub(crate) fn plural(count: u64, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// A latency in ms for labels: 3 significant digits-ish.
pub(crate) fn fmt_ms(value: f64) -> String {
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
pub(crate) fn fmt_tick(value: f64) -> String {
    let text = format!("{value:.6}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text.is_empty() || text == "-0" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}

/// A "nice" tick step (1, 2 or 5 × 10^k) giving about `ticks` steps up to `max`.
pub(crate) fn nice_step(max: f64, ticks: f64) -> f64 {
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

/// `(step, top)` of a value axis from 0 showing `peak` with a little headroom, about `ticks`
/// steps; whole steps only when `whole` (counts).
pub(crate) fn value_axis(peak: f64, ticks: f64, whole: bool) -> (f64, f64) {
    let peak = if peak > 0.0 { peak } else { 1.0 };
    let mut step = nice_step(peak * 1.05, ticks);
    if whole {
        step = step.max(1.0).round();
    }
    (step, (peak * 1.05 / step).ceil().max(1.0) * step)
}

/// Open a `WIDTH` × `height` SVG with a white background and a bold centred title.
pub(crate) fn open_svg(out: &mut String, height: f64, title: &str) {
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="12" fill="#333333">"##
    );
    let _ = write!(out, "<title>{}</title>", escape(title));
    let _ = write!(
        out,
        r##"<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>"##
    );
    let _ = write!(
        out,
        r#"<text x="{}" y="22" text-anchor="middle" font-size="15" font-weight="bold">{}</text>"#,
        WIDTH / 2.0,
        escape(&shorten(title, 90))
    );
}

/// A line of smaller grey text under the title.
pub(crate) fn subtitle(out: &mut String, text: &str) {
    let _ = write!(
        out,
        r##"<text x="{}" y="40" text-anchor="middle" fill="#555555">{}</text>"##,
        WIDTH / 2.0,
        escape(text)
    );
}

/// A whole 800 × 400 SVG saying there is nothing to plot.
pub(crate) fn no_data_svg(title: &str) -> String {
    let mut out = String::new();
    open_svg(&mut out, 400.0, title);
    let _ = write!(
        out,
        r##"<rect x="60" y="40" width="680" height="320" fill="none" stroke="#cccccc"/><text x="{}" y="200" text-anchor="middle" font-size="16" fill="#888888">no data</text></svg>"##,
        WIDTH / 2.0
    );
    out
}

/// A plotting area, in SVG units.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Area {
    pub(crate) left: f64,
    pub(crate) right: f64,
    pub(crate) top: f64,
    pub(crate) bottom: f64,
}

impl Area {
    pub(crate) fn width(&self) -> f64 {
        self.right - self.left
    }
    pub(crate) fn height(&self) -> f64 {
        self.bottom - self.top
    }
    /// x of `second` on a time axis from 0 to `x_max` seconds.
    pub(crate) fn x(&self, second: f64, x_max: f64) -> f64 {
        self.left + (second / x_max).clamp(0.0, 1.0) * self.width()
    }
    /// y of `value` on a value axis from 0 to `y_max`.
    pub(crate) fn y(&self, value: f64, y_max: f64) -> f64 {
        self.bottom - (value / y_max).clamp(0.0, 1.0) * self.height()
    }

    /// The frame around the area.
    pub(crate) fn frame(&self, out: &mut String) {
        let _ = write!(
            out,
            r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="none" stroke="#999999"/>"##,
            self.left,
            self.top,
            self.width(),
            self.height()
        );
    }

    /// Horizontal grid lines and left labels from 0 to `y_max` every `step`; labels only when
    /// `labels`.
    pub(crate) fn y_grid(&self, out: &mut String, y_max: f64, step: f64, labels: bool) {
        let mut tick = 0.0;
        while tick <= y_max * 1.000_001 {
            let ty = self.y(tick, y_max);
            let _ = write!(
                out,
                r##"<line x1="{:.1}" y1="{ty:.1}" x2="{:.1}" y2="{ty:.1}" stroke="#e5e5e5"/>"##,
                self.left, self.right
            );
            if labels {
                let _ = write!(
                    out,
                    r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
                    self.left - 5.0,
                    ty + 4.0,
                    fmt_tick(tick)
                );
            }
            tick += step;
        }
    }

    /// Tick marks on the bottom edge every "nice" number of seconds up to `x_max`, labelled
    /// when `labels`; about `ticks` of them.
    pub(crate) fn time_ticks(&self, out: &mut String, x_max: f64, ticks: f64, labels: bool) {
        let step = nice_step(x_max, ticks).max(1.0).round();
        let mut tick = 0.0;
        while tick <= x_max + 1e-9 {
            let tx = self.x(tick, x_max);
            let _ = write!(
                out,
                r##"<line x1="{tx:.1}" y1="{:.1}" x2="{tx:.1}" y2="{:.1}" stroke="#999999"/>"##,
                self.bottom,
                self.bottom + 4.0
            );
            if labels {
                let _ = write!(
                    out,
                    r#"<text x="{tx:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                    self.bottom + 16.0,
                    fmt_tick(tick)
                );
            }
            tick += step;
        }
    }

    /// The axis titles: `x_label` under the area, `y_label` turned along the left edge at `y_x`.
    pub(crate) fn axis_labels(&self, out: &mut String, x_label: &str, y_label: &str, y_x: f64) {
        let mid_y = (self.top + self.bottom) / 2.0;
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text><text x="{y_x:.1}" y="{mid_y:.1}" text-anchor="middle" transform="rotate(-90 {y_x:.1} {mid_y:.1})">{}</text>"#,
            (self.left + self.right) / 2.0,
            self.bottom + 34.0,
            escape(x_label),
            escape(y_label)
        );
    }
}

/// The number of whole seconds a time axis must show for data whose last second is `last`.
pub(crate) fn time_span(last: u64) -> f64 {
    (last + 1) as f64
}

/// One legend row at (`x`, `y`): a short line in `colour` with `style`, then `label` (its full
/// text kept as a tooltip when cut to `max` characters).
pub(crate) fn legend_line(
    out: &mut String,
    (x, y): (f64, f64),
    colour: &str,
    style: &str,
    label: &str,
    max: usize,
) {
    let _ = write!(
        out,
        r#"<g class="legend"><line x1="{x:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{colour}" {style}/><text x="{:.1}" y="{y:.1}"><title>{}</title>{}</text></g>"#,
        y - 4.0,
        x + 22.0,
        y - 4.0,
        x + 28.0,
        escape(label),
        escape(&shorten(label, max))
    );
}

/// One legend row at (`x`, `y`) with a filled square in `colour`.
pub(crate) fn legend_box(out: &mut String, (x, y): (f64, f64), colour: &str, label: &str) {
    let _ = write!(
        out,
        r#"<g class="legend"><rect x="{x:.1}" y="{:.1}" width="14" height="10" fill="{colour}"/><text x="{:.1}" y="{y:.1}">{}</text></g>"#,
        y - 9.0,
        x + 20.0,
        escape(label)
    );
}

/// A polyline through `points`, or a dot for a single point.
pub(crate) fn polyline(out: &mut String, points: &[(f64, f64)], colour: &str, style: &str) {
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
                r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-linejoin="round" {style}/>"#,
                path.trim_end()
            );
        }
    }
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
        assert_eq!(shorten("abcdef", 4), "ab…f");
        assert_eq!(shorten("PATCH /Groups/{id} remove", 16), "PATCH /Gro…emove");
        assert_eq!(shorten("abc", 4), "abc");
        assert_eq!(nice_step(10.0, 5.0), 2.0);
        assert_eq!(nice_step(7.3, 5.0), 2.0);
        assert_eq!(nice_step(0.9, 5.0), 0.2);
        assert_eq!(fmt_tick(0.5), "0.5");
        assert_eq!(fmt_tick(10.0), "10");
        assert_eq!(fmt_tick(0.0), "0");
        assert_eq!(value_axis(3.0, 4.0, true), (1.0, 4.0));
        assert_eq!(value_axis(0.0, 4.0, true).1, 2.0);
    }
}
