//! The scenario file as written: the raw TOML shapes (with spans for semantic errors) and the
//! duration syntax the file uses.

use serde::Deserialize;
use serde::Deserializer;
use serde::de::{self, MapAccess, Visitor};
use std::fmt;
use std::time::Duration;
use toml::Spanned;

/// Parses a duration such as `10s`, `500ms`, `1m30s`, `2.5s` or `1h`: one or more
/// `<number><unit>` parts, units `h`, `m`, `s`, `ms`, `us`. A bare number is refused (which
/// unit would it be?).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let bad = |why: &str| {
        format!(
            "{text:?} is not a duration: {why}; write a number with a unit (h, m, s, ms, us), such as \"30s\", \"500ms\" or \"1m30s\""
        )
    };
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(bad("it is empty"));
    }
    let mut total_us = 0.0_f64;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (number, after) = rest.split_at(number_len);
        let unit_len = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        let (unit, after) = after.split_at(unit_len);
        let value = plain_number(number).ok_or_else(|| bad("a part has no number"))?;
        let scale = match unit {
            "h" => 3_600_000_000.0,
            "m" => 60_000_000.0,
            "s" => 1_000_000.0,
            "ms" => 1_000.0,
            "us" | "µs" => 1.0,
            "" => return Err(bad("it has no unit")),
            _ => return Err(bad(&format!("{unit:?} is not a unit"))),
        };
        total_us += value * scale;
        rest = after;
    }
    if !total_us.is_finite() || total_us > 1e15 {
        return Err(bad("it is too long"));
    }
    Ok(Duration::from_micros(total_us.round() as u64))
}

/// `text` as a number when it is ASCII digits with at most one `.` (no sign or exponent),
/// the numbers goose's threshold grammar accepts.
pub(super) fn plain_number(text: &str) -> Option<f64> {
    let digits = text.chars().filter(char::is_ascii_digit).count();
    let points = text.chars().filter(|c| *c == '.').count();
    if digits == 0 || points > 1 || digits + points != text.chars().count() {
        return None;
    }
    text.parse().ok()
}

/// The file as written, with spans for semantic errors.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawScenario {
    pub(super) name: Spanned<String>,
    pub(super) description: Spanned<String>,
    pub(super) modelled_on: Spanned<String>,
    pub(super) run: Spanned<RawRun>,
    #[serde(default)]
    pub(super) data: Option<Spanned<RawData>>,
    #[serde(default)]
    pub(super) operation: Vec<Spanned<RawOperation>>,
    #[serde(default)]
    pub(super) threshold: Vec<Spanned<RawThreshold>>,
}

/// `[run]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRun {
    pub(super) users: Spanned<i64>,
    pub(super) ramp: Option<Spanned<String>>,
    pub(super) duration: Option<Spanned<String>>,
    pub(super) iterations: Option<Spanned<i64>>,
    pub(super) timeout: Option<Spanned<String>>,
    pub(super) pacing: Option<Spanned<RawPacing>>,
}

/// `[data]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawData {
    pub(super) users: Option<Spanned<i64>>,
    pub(super) groups: Option<Spanned<i64>>,
    pub(super) members_per_group: Option<Spanned<i64>>,
    pub(super) enterprise: Option<bool>,
    pub(super) page_size: Option<Spanned<i64>>,
}

/// One `[[operation]]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOperation {
    pub(super) name: Spanned<String>,
    pub(super) weight: Option<Spanned<i64>>,
    pub(super) sequence: Option<Spanned<i64>>,
    pub(super) members: Option<Spanned<i64>>,
    pub(super) batch: Option<Spanned<i64>>,
}

/// One `[[threshold]]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawThreshold {
    pub(super) metric: Spanned<String>,
    pub(super) operation: Option<Spanned<String>>,
    pub(super) below: Option<Spanned<String>>,
    pub(super) at_least: Option<Spanned<f64>>,
}

/// `pacing` as written: a preset name or `{ requests_per_second = N }`.
pub(super) enum RawPacing {
    Named(String),
    Rate(i64),
}

impl<'de> Deserialize<'de> for RawPacing {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(PacingVisitor)
    }
}

/// Reads [`RawPacing`] from a string or a table (a tagged shape, not `untagged`, so a
/// mistake gets a precise message).
struct PacingVisitor;

/// The keys a pacing table may hold.
const PACING_KEYS: &[&str] = &["requests_per_second"];

impl<'de> Visitor<'de> for PacingVisitor {
    type Value = RawPacing;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"max\", \"entra\", \"okta\" or a table { requests_per_second = N }")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<RawPacing, E> {
        Ok(RawPacing::Named(v.to_string()))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawPacing, A::Error> {
        let mut rate = None;
        while let Some(key) = map.next_key::<String>()? {
            if key != "requests_per_second" {
                return Err(de::Error::unknown_field(&key, PACING_KEYS));
            }
            if rate.is_some() {
                return Err(de::Error::duplicate_field("requests_per_second"));
            }
            rate = Some(map.next_value::<i64>()?);
        }
        rate.map(RawPacing::Rate)
            .ok_or_else(|| de::Error::missing_field("requests_per_second"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::scenario::fixtures::*;

    #[test]
    fn unknown_keys_are_refused_at_their_line() {
        fails_at(
            &with("timeout = \"5s\"", "timeout = \"5s\"\nthrottle = 3"),
            10,
            1,
            "unknown field `throttle`",
        );
        fails_at(
            &with("name = \"t\"", "name = \"t\"\nnmae = \"x\""),
            2,
            1,
            "unknown field `nmae`",
        );
        fails_at(
            &with("members = 3", "members = 3\nmember = 3"),
            24,
            1,
            "unknown field `member`",
        );
        fails_at(
            &with("pacing = \"okta\"", "pacing = { rps = 3 }"),
            10,
            10,
            "unknown field `rps`",
        );
    }

    #[test]
    fn wrong_types_are_refused_at_the_value() {
        fails_at(&with("users = 4", "users = \"4\""), 6, 9, "invalid type");
        fails_at(&with("weight = 2", "weight = 2.5"), 19, 10, "invalid type");
        fails_at(
            &with("pacing = \"okta\"", "pacing = 7"),
            10,
            10,
            "requests_per_second",
        );
    }

    #[test]
    fn toml_syntax_errors_name_the_line() {
        fails_at(&with("users = 20", "users = = 20"), 13, 9, "");
    }
    #[test]
    fn durations_parse_with_units() {
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("2.5s"), Ok(Duration::from_millis(2500)));
        assert_eq!(parse_duration("750us"), Ok(Duration::from_micros(750)));
        for bad in ["", "10", "s", "-1s", "1x", "1e3ms", "1..2s", "5 s"] {
            assert!(parse_duration(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
