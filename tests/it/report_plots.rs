//! The SVG load plots (`report::plot`) drawn from series the load collector records: well-formed
//! XML, escaped operation names, axes, percentile lines and error marks, and the edge cases (no
//! data, one request); every plot of a 39-operation run present, sized, with a legend, distinct
//! colours for distinct lines, one latency panel and one histogram per operation, 429s drawn
//! apart from other errors, active users. Sample charts are kept in
//! `target/test-artefacts/plots/`; `report_html` looks at a real run's plots in Chromium.

use std::time::Duration;

use scimtest::load::stats::Collector;
use scimtest::report::plot::{
    Plot, active_users_svg, errors_over_time_svg, latency_distribution_svg, latency_over_time_svg,
    load_plots, throughput_over_time_svg,
};
use scimtest::report::series::{OpSeries, UsersSecond};

/// A minimal well-formedness check: tags balance, attribute values are quoted, and every
/// `&` starts a known entity. Returns the element names in document order.
fn check_xml(doc: &str) -> Result<Vec<String>, String> {
    let mut stack: Vec<String> = Vec::new();
    let mut names = Vec::new();
    let mut rest = doc;
    let check_text = |text: &str| -> Result<(), String> {
        let mut parts = text.split('&');
        parts.next();
        for part in parts {
            let entity = part.split(';').next().unwrap_or("");
            let known = ["amp", "lt", "gt", "quot", "apos"].contains(&entity)
                || (entity.starts_with('#') && entity[1..].chars().all(|c| c.is_ascii_digit()));
            if !known || !part.contains(';') {
                return Err(format!("bad entity near &{}", &part[..part.len().min(10)]));
            }
        }
        if text.contains('>') {
            return Err("raw > in text".into());
        }
        Ok(())
    };
    if !doc.starts_with("<svg") {
        return Err("does not start with <svg".into());
    }
    while let Some(open) = rest.find('<') {
        check_text(&rest[..open])?;
        rest = &rest[open + 1..];
        // Find the closing '>' outside quotes.
        let mut in_quote = false;
        let mut end = None;
        for (i, c) in rest.char_indices() {
            match c {
                '"' => in_quote = !in_quote,
                '<' if !in_quote => return Err("< inside a tag".into()),
                '>' if !in_quote => {
                    end = Some(i);
                    break;
                }
                _ => {}
            }
        }
        let end = end.ok_or("unterminated tag")?;
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            match stack.pop() {
                Some(open) if open == name.trim() => {}
                other => return Err(format!("</{name}> closes {other:?}")),
            }
            continue;
        }
        let self_closing = tag.ends_with('/');
        let body = tag.trim_end_matches('/');
        let name: String = body.chars().take_while(|c| !c.is_whitespace()).collect();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(format!("bad tag name in <{tag}>"));
        }
        // Attributes: name="value" pairs.
        let mut attrs = body[name.len()..].trim();
        while !attrs.is_empty() {
            let eq = attrs
                .find("=\"")
                .ok_or(format!("unquoted attribute in <{tag}>"))?;
            let attr = &attrs[..eq];
            if attr.is_empty() || attr.contains(char::is_whitespace) {
                return Err(format!("bad attribute name {attr:?}"));
            }
            let after = &attrs[eq + 2..];
            let close = after.find('"').ok_or("unterminated attribute")?;
            let value = &after[..close];
            if value.contains('<') {
                return Err("< in attribute".into());
            }
            check_text(value)?;
            attrs = after[close + 1..].trim_start();
        }
        names.push(name.clone());
        if !self_closing {
            stack.push(name);
        }
    }
    check_text(rest)?;
    if !rest.trim().is_empty() {
        return Err("text after the root".into());
    }
    if !stack.is_empty() {
        return Err(format!("unclosed {stack:?}"));
    }
    Ok(names)
}

const NASTY: &str = r#"filter-user {userName eq "a&b"}?<x>"#;
const NASTY_ESCAPED: &str = "filter-user {userName eq &quot;a&amp;b&quot;}?&lt;x&gt;";

fn sample_series() -> Vec<OpSeries> {
    let c = Collector::new();
    for i in 0..3_000u64 {
        let at = Duration::from_millis(i * 4);
        c.record_at(
            NASTY,
            at,
            Duration::from_micros(800 + (i * 37) % 9_000),
            i % 97 != 0,
        );
        if i % 3 == 0 && !(4_000..6_000).contains(&(i * 4)) {
            c.record_at(
                "create-user",
                at,
                Duration::from_micros(2_000 + i * 5),
                true,
            );
        }
    }
    c.snapshot_over(Duration::from_secs(12))
}

#[test]
fn the_checker_rejects_broken_xml() {
    assert!(check_xml("<svg><g></svg>").is_err());
    assert!(check_xml("<svg>a & b</svg>").is_err());
    assert!(check_xml(r#"<svg a="<"/>"#).is_err());
    assert!(check_xml("<svg a=b/>").is_err());
    assert!(check_xml("<svg><text>x</text></svg>").is_ok());
}

#[test]
fn over_time_is_well_formed_with_escaped_names_axes_and_error_marks() {
    let series = sample_series();
    let svg = latency_over_time_svg(&series);
    let names = check_xml(&svg).expect("well-formed");
    assert!(svg.contains(NASTY_ESCAPED), "escaped op name");
    assert!(!svg.contains(NASTY));
    assert!(svg.contains("elapsed time (s)") && svg.contains("latency scale (ms)"));
    assert!(svg.contains(">create-user<"));
    assert!(svg.contains(">p99<") && svg.contains("stroke-dasharray"));
    // i % 97 == 0 fails: errors in several seconds, each marked.
    let error_seconds = series
        .iter()
        .flat_map(|s| &s.per_second)
        .filter(|p| p.errors > 0)
        .count();
    assert!(error_seconds > 3);
    assert_eq!(svg.matches(" errors of ").count(), error_seconds);
    // create-user has a gap (seconds 16..24 ms·4 = 4 s..6 s): its lines break, so more
    // polylines than 3 per op.
    assert!(names.iter().filter(|n| *n == "polyline").count() > 6);
    assert!(!svg.contains("NaN") && !svg.contains("inf"));
}

#[test]
fn distribution_is_well_formed_with_markers_and_axes() {
    let series = sample_series();
    let nasty = series.iter().find(|s| s.op == NASTY).expect("recorded");
    let svg = latency_distribution_svg(nasty);
    check_xml(&svg).expect("well-formed");
    assert!(svg.contains(NASTY_ESCAPED));
    assert!(svg.contains("latency (ms, log scale)") && svg.contains("requests per 1/"));
    for label in ["p50 ", "p95 ", "p99 "] {
        assert!(svg.contains(&format!(">{label}")), "{label} marker");
    }
    assert!(svg.contains(">3000 requests · 31 errors"));
    // Bars add up to every request.
    let bars: u64 = svg
        .split(": ")
        .skip(1)
        .filter_map(|part| part.split(" requests</title>").next()?.parse::<u64>().ok())
        .sum();
    assert_eq!(bars, 3_000);
    assert!(!svg.contains("NaN") && !svg.contains("inf"));
}

#[test]
fn empty_input_says_no_data() {
    let svg = latency_over_time_svg(&[]);
    check_xml(&svg).expect("well-formed");
    assert!(svg.contains(">no data<"));
    let empty = OpSeries {
        op: "a\"b".into(),
        total: scimtest::report::series::Summary {
            requests: 0,
            errors: 0,
            rps: 0.0,
            p50_us: 0,
            p95_us: 0,
            p99_us: 0,
            avg_us: 0.0,
            max_us: 0,
            min_us: 0,
            sum_us: 0,
            duration_s: 0.0,
            throttled: 0,
        },
        per_second: Vec::new(),
        histogram: Vec::new(),
    };
    let svg = latency_distribution_svg(&empty);
    check_xml(&svg).expect("well-formed");
    assert!(svg.contains(">no data<") && svg.contains("a&quot;b"));
    let svg = latency_over_time_svg(std::slice::from_ref(&empty));
    assert!(svg.contains(">no data<"));
}

#[test]
fn one_request_in_a_one_second_run_is_drawn() {
    for latency in [
        Duration::ZERO,
        Duration::from_micros(1),
        Duration::from_millis(25),
    ] {
        let c = Collector::new();
        c.record_at("get-user", Duration::from_millis(10), latency, false);
        let series = c.snapshot_over(Duration::from_secs(1));
        let svg = latency_over_time_svg(&series);
        let names = check_xml(&svg).expect("well-formed");
        assert!(!svg.contains("no data"));
        // Three lone points (p50/p95/p99) are dots, and the error second is marked.
        assert_eq!(names.iter().filter(|n| *n == "circle").count(), 3);
        assert_eq!(svg.matches(" errors of ").count(), 1);
        let svg = latency_distribution_svg(&series[0]);
        check_xml(&svg).expect("well-formed");
        assert!(svg.contains(">1 request · 1 error"));
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{latency:?}");
    }
}

/// Checks `svg` is well-formed and has content, then writes it to `dir/name`.
fn keep(dir: &std::path::Path, name: &str, svg: &str) {
    let names = check_xml(svg).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(names.len() > 3, "{name}: {} elements", names.len());
    std::fs::write(dir.join(name), svg).unwrap_or_else(|e| panic!("{name}: {e}"));
}

/// Draws the sample charts (one request, none, two busy operations, thirteen operations over a
/// minute with an error burst), checks each is well-formed SVG that names its operations, and
/// keeps them in `target/test-artefacts/plots/` for looking at them.
#[test]
fn sample_charts_are_well_formed_and_kept() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-artefacts/plots");
    std::fs::create_dir_all(&dir).expect("create the artefacts folder");
    let series = sample_series();
    let dir = dir.as_path();
    keep(dir, "over-time.svg", &latency_over_time_svg(&series));
    for (i, s) in series.iter().enumerate() {
        keep(dir, &format!("dist-{i}.svg"), &latency_distribution_svg(s));
    }
    let one = Collector::new();
    one.record_at("get-user", Duration::ZERO, Duration::from_millis(3), false);
    let one = one.snapshot_over(Duration::from_secs(1));
    keep(dir, "one-over-time.svg", &latency_over_time_svg(&one));
    keep(dir, "one-dist.svg", &latency_distribution_svg(&one[0]));
    keep(dir, "empty.svg", &latency_over_time_svg(&[]));
    // Thirteen operations over a minute, with an error burst.
    let many = Collector::new();
    let ops = [
        "create-user",
        "get-user",
        "filter-user",
        "patch-user",
        "deactivate-user",
        "put-user",
        "delete-user",
        "list-users",
        "list-groups",
        "create-group",
        "add-members",
        "remove-members",
        "delete-group",
    ];
    let mut state = 1u64;
    for i in 0..60_000u64 {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let op = ops[(i % 13) as usize];
        let base = 300 + (i % 13) * 150;
        let tail = if (state >> 40).is_multiple_of(100) {
            20
        } else {
            1
        };
        let us = (base + (state >> 33) % base) * tail;
        let ok = !((30_000..33_000).contains(&i) && i % 3 == 0);
        many.record_at(op, Duration::from_millis(i), Duration::from_micros(us), ok);
    }
    let many = many.snapshot_over(Duration::from_secs(60));
    keep(dir, "many-over-time.svg", &latency_over_time_svg(&many));
    keep(dir, "many-dist.svg", &latency_distribution_svg(&many[0]));
    let over_time = latency_over_time_svg(&many);
    assert_eq!(many.len(), 13);
    for op in &many {
        assert!(
            over_time.contains(&format!(">{}<", op.op)),
            "{} has no legend entry",
            op.op
        );
    }
    assert!(
        many.iter().map(|s| s.total.errors).sum::<u64>() > 0,
        "the error burst was recorded"
    );
}

/// `name="…"` of the root `<svg>` as a number.
fn root_attr(svg: &str, name: &str) -> f64 {
    let root = &svg[..svg.find('>').unwrap_or(0)];
    let at = root
        .find(&format!(" {name}=\""))
        .unwrap_or_else(|| panic!("no {name} on the root: {root}"));
    let rest = &root[at + name.len() + 3..];
    rest[..rest.find('"').unwrap_or(0)]
        .parse()
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Every `stroke="#…"` / `fill="#…"` colour inside `<g class="legend">` rows, in order.
fn legend_colours(svg: &str) -> Vec<String> {
    svg.split(r#"<g class="legend">"#)
        .skip(1)
        .filter_map(|row| {
            let row = &row[..row.find("</g>").unwrap_or(row.len())];
            ["stroke=\"#", "fill=\"#"].iter().find_map(|key| {
                let at = row.find(key)?;
                Some(row[at + key.len() - 1..at + key.len() + 6].to_string())
            })
        })
        .collect()
}

/// Names of 39 operations (as many as the busiest scenarios), a minute of traffic each with
/// its own load, a burst of 429s at 20–25 s and some other failures at 40 s; and users
/// ramping up by one a second to 20.
fn big_run() -> (Vec<OpSeries>, Vec<UsersSecond>) {
    let c = Collector::new();
    let mut state = 7u64;
    for i in 0..40_000u64 {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        // Operation k gets weight 40 - k: op-00 is the busiest.
        let pick = (state >> 33) % 819;
        let mut k = 0u64;
        let mut acc = 40u64;
        while pick >= acc && k < 38 {
            k += 1;
            acc += 40 - k;
        }
        let op = format!(
            "op-{k:02}-{}",
            ["create-user", "get-user", "patch-group"][(k % 3) as usize]
        );
        let at = Duration::from_micros(i * 1_500);
        let us = 400 + k * 120 + (state >> 40) % (300 + k * 50);
        let second = at.as_secs();
        let throttled = (20..25).contains(&second) && i % 4 == 0;
        let failed = second == 40 && i % 5 == 0;
        c.record_answer(&op, at, Duration::from_micros(us), !failed, throttled);
        c.record_user(
            (i % 20) as usize,
            at.max(Duration::from_secs(i % 20)),
            Duration::from_micros(us),
        );
    }
    (c.snapshot_over(Duration::from_secs(60)), c.active_users())
}

#[test]
fn every_plot_of_a_run_is_present_sized_and_well_formed() {
    let (series, users) = big_run();
    assert_eq!(series.len(), 39);
    let plots = load_plots(&series, &users);
    let kinds: Vec<&str> = plots
        .iter()
        .filter(|p| p.op.is_none())
        .map(|p| p.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            "throughput-over-time",
            "errors-over-time",
            "active-users",
            "latency-over-time"
        ]
    );
    let mut names: Vec<String> = plots
        .iter()
        .map(|p| p.file_name(|op| op.replace(' ', "-")))
        .collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), plots.len(), "file names are unique");
    for p in &plots {
        check_xml(&p.svg).unwrap_or_else(|e| panic!("{}: {e}", p.kind));
        let (w, h) = (root_attr(&p.svg, "width"), root_attr(&p.svg, "height"));
        assert_eq!(w, 800.0, "{}", p.kind);
        assert!((300.0..=2_400.0).contains(&h), "{}: height {h}", p.kind);
        assert!(
            p.svg.contains(&format!(r#"viewBox="0 0 {w} {h}""#)),
            "{}: viewBox matches the size",
            p.kind
        );
        assert!(
            !p.svg.contains("NaN") && !p.svg.contains("inf"),
            "{}",
            p.kind
        );
        assert!(!p.svg.contains("no data"), "{}", p.kind);
    }
    // Without recorded users (a report from before they were kept) there is no users plot.
    assert!(
        load_plots(&series, &[])
            .iter()
            .all(|p| p.kind != "active-users")
    );
    assert!(load_plots(&[], &users).is_empty());
}

#[test]
fn throughput_folds_the_quiet_operations_so_every_line_has_its_own_colour() {
    let (series, _) = big_run();
    let svg = throughput_over_time_svg(&series);
    assert!(svg.contains("requests per second") && svg.contains("elapsed time (s)"));
    let colours = legend_colours(&svg);
    // total + the six busiest + "other".
    assert_eq!(colours.len(), 8, "{colours:?}");
    let mut unique = colours.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        colours.len(),
        "a colour is repeated: {colours:?}"
    );
    assert!(svg.contains(">total<") && svg.contains(">other (33 operations)<"));
    for busiest in ["op-00-create-user", "op-01-get-user"] {
        assert!(
            svg.contains(&format!(">{busiest}<")),
            "{busiest} has its own line"
        );
    }
    assert!(
        !svg.contains(">op-38-patch-group<"),
        "a quiet operation is folded"
    );
    // Lines: one per legend row.
    assert_eq!(svg.matches("<polyline").count(), 8);
    // With few operations nothing is folded.
    let two = sample_series();
    let svg = throughput_over_time_svg(&two);
    assert_eq!(legend_colours(&svg).len(), 3);
    assert!(!svg.contains("other ("));
}

#[test]
fn latency_over_time_has_one_panel_per_operation_and_one_legend() {
    let (series, _) = big_run();
    let svg = latency_over_time_svg(&series);
    assert_eq!(svg.matches(r#"<g class="panel">"#).count(), 39);
    for s in &series {
        assert!(
            svg.contains(&format!(">{}<", s.op)),
            "{} has no panel",
            s.op
        );
    }
    // One legend: p50, p95, p99 in three colours, and the error mark.
    let colours = legend_colours(&svg);
    assert_eq!(colours.len(), 4, "{colours:?}");
    let mut unique = colours.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 4, "{colours:?}");
    for label in [">p50<", ">p95<", ">p99<", ">second with errors<"] {
        assert!(svg.contains(label), "legend lacks {label}");
    }
}

#[test]
fn each_operation_has_a_histogram() {
    let (series, users) = big_run();
    let plots = load_plots(&series, &users);
    let hist: Vec<&Plot> = plots.iter().filter(|p| p.kind == "latency").collect();
    assert_eq!(hist.len(), series.len());
    for (p, s) in hist.iter().zip(&series) {
        assert_eq!(p.op.as_deref(), Some(s.op.as_str()));
        assert!(p.svg.contains(&format!("Latency distribution: {}", s.op)));
        assert!(p.svg.contains("latency (ms, log scale)"));
    }
}

#[test]
fn errors_plot_draws_429_apart_from_other_failures() {
    let (series, _) = big_run();
    let throttled: u64 = series.iter().map(|s| s.total.throttled).sum();
    let errors: u64 = series.iter().map(|s| s.total.errors).sum();
    assert!(throttled > 0 && errors > throttled);
    let svg = errors_over_time_svg(&series);
    assert!(svg.contains(&format!("{throttled} answered 429")), "{svg}");
    assert!(svg.contains(&format!("{} other failures", errors - throttled)));
    assert!(svg.contains(">429 Too Many Requests<") && svg.contains(">other failures<"));
    assert!(svg.contains("failed requests per second"));
    // Bars only in the seconds with failures: 20..25 (429) and 40 (others).
    let bar_seconds: Vec<u64> = svg
        .split("<title>second ")
        .skip(1)
        .filter_map(|t| t.split(':').next()?.parse().ok())
        .collect();
    assert_eq!(bar_seconds, [20, 21, 22, 23, 24, 40]);
    // A clean run says so rather than drawing an empty frame.
    let clean = Collector::new();
    clean.record_at("get-user", Duration::ZERO, Duration::from_millis(1), true);
    let svg = errors_over_time_svg(&clean.snapshot_over(Duration::from_secs(1)));
    assert!(svg.contains("no failed requests and no 429"));
}

#[test]
fn active_users_plot_shows_the_ramp() {
    let (_, users) = big_run();
    assert_eq!(users.first().map(|u| u.users), Some(1));
    assert_eq!(users.iter().map(|u| u.users).max(), Some(20));
    let svg = active_users_svg(&users);
    check_xml(&svg).unwrap_or_else(|e| panic!("{e}"));
    assert!(svg.contains("peak 20 goose users") && svg.contains("goose users running"));
    assert!(active_users_svg(&[]).contains(">no data<"));
}

/// Keeps the 39-operation run's plots in `target/test-artefacts/plots/big/` for looking at.
#[test]
fn big_run_plots_are_kept() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-artefacts/plots/big");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let (series, users) = big_run();
    for p in load_plots(&series, &users).iter().take(6) {
        keep(&dir, &p.file_name(|op| op.to_string()), &p.svg);
    }
}
