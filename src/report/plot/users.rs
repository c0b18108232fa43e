//! Active users over time: the goose users running in each second (from the start of a
//! user's first request to the end of its last), drawn as a filled step line. 800 × 400.

use std::fmt::Write as _;

use super::chart::{Area, no_data_svg, open_svg, subtitle, time_span, value_axis};
use crate::report::series::UsersSecond;

const HEIGHT: f64 = 400.0;

/// Colour of the users line.
const USERS: &str = "#59a14f";

/// Active users over time (see the module text). No recorded user gives a valid SVG saying
/// "no data".
pub fn active_users_svg(users: &[UsersSecond]) -> String {
    let title = "Active users over time";
    let Some(last) = users.iter().map(|u| u.second).max() else {
        return no_data_svg(title);
    };
    let x_max = time_span(last);
    let peak = users.iter().map(|u| u.users).max().unwrap_or(0);
    let area = Area {
        left: 64.0,
        right: 736.0,
        top: 56.0,
        bottom: 346.0,
    };
    let (step, y_max) = value_axis(peak as f64, 5.0, true);
    let mut out = String::new();
    open_svg(&mut out, HEIGHT, title);
    subtitle(
        &mut out,
        &format!(
            "peak {peak} goose users · a user counts from the start of its first request to the end of its last"
        ),
    );
    area.y_grid(&mut out, y_max, step, true);
    area.time_ticks(&mut out, x_max, 8.0, true);
    area.axis_labels(&mut out, "elapsed time (s)", "goose users running", 18.0);
    // A step line: each second flat over [second, second + 1).
    let mut sorted: Vec<&UsersSecond> = users.iter().collect();
    sorted.sort_by_key(|u| u.second);
    let start = sorted
        .first()
        .map_or(area.left, |u| area.x(u.second as f64, x_max));
    let mut path = format!("M{start:.1} {:.1}", area.bottom);
    for u in &sorted {
        let (x0, x1) = (
            area.x(u.second as f64, x_max),
            area.x(u.second as f64 + 1.0, x_max),
        );
        let y = area.y(u.users as f64, y_max);
        let _ = write!(path, " L{x0:.1} {y:.1} L{x1:.1} {y:.1}");
    }
    let end = sorted
        .last()
        .map_or(area.left, |u| area.x(u.second as f64 + 1.0, x_max));
    let _ = write!(
        out,
        r#"<path d="{path} L{end:.1} {:.1} Z" fill="{USERS}" fill-opacity="0.25" stroke="{USERS}" stroke-width="2"><title>goose users running per second</title></path>"#,
        area.bottom
    );
    area.frame(&mut out);
    out.push_str("</svg>");
    out
}
