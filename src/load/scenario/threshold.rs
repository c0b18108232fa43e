//! Pass/fail rules on a run's metrics: their goose 0.19 `--threshold` syntax and a goose-free
//! evaluator (with goose's comparisons) for results merged from shards.

use super::error::unknown_name;
use super::model::Op;
use super::raw::plain_number;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// One `[[threshold]]`: a pass/fail rule on the run's metrics.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Threshold {
    /// What is measured.
    pub metric: Metric,
    /// The operation judged alone, or `None` for all requests together.
    pub operation: Option<Op>,
    /// The bound.
    pub limit: Limit,
}

/// A threshold's metric, spelled as in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Metric {
    /// Median response time (`p50`).
    #[serde(rename = "p50")]
    P50,
    /// 95th percentile response time (`p95`).
    #[serde(rename = "p95")]
    P95,
    /// 99th percentile response time (`p99`).
    #[serde(rename = "p99")]
    P99,
    /// Mean response time (`avg`).
    #[serde(rename = "avg")]
    Avg,
    /// Slowest response time (`max`).
    #[serde(rename = "max")]
    Max,
    /// Failed requests as a percent of all requests (`error-rate`).
    #[serde(rename = "error-rate")]
    ErrorRate,
    /// Requests per second while all users run (`rps`).
    #[serde(rename = "rps")]
    Rps,
}

impl Metric {
    /// Every metric, in documentation order.
    pub const ALL: [Metric; 7] = [
        Metric::P50,
        Metric::P95,
        Metric::P99,
        Metric::Avg,
        Metric::Max,
        Metric::ErrorRate,
        Metric::Rps,
    ];

    /// The name used in scenario files and goose rules (`p95`, `error-rate`).
    pub fn name(&self) -> &'static str {
        match self {
            Metric::P50 => "p50",
            Metric::P95 => "p95",
            Metric::P99 => "p99",
            Metric::Avg => "avg",
            Metric::Max => "max",
            Metric::ErrorRate => "error-rate",
            Metric::Rps => "rps",
        }
    }

    /// Whether the metric is a response time (bounded by `below = "<duration>"`).
    pub(super) fn is_time(self) -> bool {
        matches!(
            self,
            Metric::P50 | Metric::P95 | Metric::P99 | Metric::Avg | Metric::Max
        )
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Metric {
    type Err = String;

    /// Parses a metric name; the error lists the names with a did-you-mean.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Metric::ALL
            .into_iter()
            .find(|m| m.name() == text)
            .ok_or_else(|| unknown_name("metric", text, Metric::ALL.map(|m| m.name())))
    }
}

/// A threshold's bound; which one is allowed depends on the [`Metric`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Limit {
    /// A response time must stay strictly below this (`below = "250ms"`).
    Below(Duration),
    /// The error rate must stay strictly below this percent (`below = "1%"`), in (0, 100].
    BelowPercent(f64),
    /// The rate must be at least this many requests per second (`at_least = 200`), above 0.
    AtLeast(f64),
}

/// The figures a [`Threshold`] is judged on: one operation's, or all requests' together.
/// Times are microseconds, as goose 0.19 keeps them.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct OpStats {
    /// Requests made (successes and failures).
    pub requests: u64,
    /// Requests that failed.
    pub failures: u64,
    /// Requests per second while all users ran.
    pub rps: f64,
    /// Median response time.
    pub p50_us: u64,
    /// 95th percentile response time.
    pub p95_us: u64,
    /// 99th percentile response time.
    pub p99_us: u64,
    /// Mean response time.
    pub avg_us: u64,
    /// Slowest response time.
    pub max_us: u64,
}

/// The result of [`Threshold::evaluate`].
#[derive(Clone, Debug, PartialEq)]
pub enum ThresholdVerdict {
    /// The rule held; `observed` as reports show it (`212ms`, `0.4%`, `31.5 req/s`).
    Pass {
        /// What was observed.
        observed: String,
    },
    /// The rule was breached.
    Fail {
        /// What was observed.
        observed: String,
    },
    /// No request was made, so there is nothing to judge. Goose counts this as a failure
    /// when a run ends, and so does [`ThresholdVerdict::passed`].
    NoSamples,
}

impl ThresholdVerdict {
    /// Whether the rule passed; [`ThresholdVerdict::NoSamples`] does not (as in goose).
    pub fn passed(&self) -> bool {
        matches!(self, ThresholdVerdict::Pass { .. })
    }
}

impl Threshold {
    /// The goose request name this rule judges (`"POST /Users"`), or `None` for all requests.
    pub fn request_name(&self) -> Option<&'static str> {
        self.operation.map(|op| op.request_name())
    }

    /// The rule in goose 0.19 `--threshold` syntax: `p95<250ms`, `error-rate<1%`,
    /// `rps>=200`, `p99<2s for POST /Users`. Goose parses every string this returns.
    pub fn to_goose(&self) -> String {
        let bound = match self.limit {
            Limit::Below(d) => format!("<{}", goose_time(d)),
            Limit::BelowPercent(p) => format!("<{p}%"),
            Limit::AtLeast(r) => format!(">={r}"),
        };
        match self.request_name() {
            Some(request) => format!("{}{bound} for {request}", self.metric),
            None => format!("{}{bound}", self.metric),
        }
    }

    /// Judges the rule on `stats` without goose, with goose's comparisons (`<` strictly below,
    /// `>=` at least), so thresholds can be re-applied to merged shard results.
    pub fn evaluate(&self, stats: &OpStats) -> ThresholdVerdict {
        if stats.requests == 0 {
            return ThresholdVerdict::NoSamples;
        }
        let (observed, shown) = match self.metric {
            Metric::P50 => time(stats.p50_us),
            Metric::P95 => time(stats.p95_us),
            Metric::P99 => time(stats.p99_us),
            Metric::Avg => time(stats.avg_us),
            Metric::Max => time(stats.max_us),
            Metric::ErrorRate => {
                let percent = stats.failures as f64 / stats.requests as f64 * 100.0;
                (percent, format!("{}%", short_number(percent)))
            }
            Metric::Rps => (stats.rps, format!("{} req/s", short_number(stats.rps))),
        };
        let passed = match self.limit {
            Limit::Below(d) => observed < d.as_micros() as f64,
            Limit::BelowPercent(p) => observed < p,
            Limit::AtLeast(r) => observed >= r,
        };
        if passed {
            ThresholdVerdict::Pass { observed: shown }
        } else {
            ThresholdVerdict::Fail { observed: shown }
        }
    }
}

impl fmt::Display for Threshold {
    /// The goose rule ([`Threshold::to_goose`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_goose())
    }
}

/// A response time in microseconds, as compared and as shown.
fn time(us: u64) -> (f64, String) {
    (
        us as f64,
        format!("{}ms", short_number(us as f64 / 1_000.0)),
    )
}

/// `number` with at most two decimals and no trailing zeros (`212`, `0.4`, `31.25`).
fn short_number(number: f64) -> String {
    let text = format!("{number:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A duration in goose's time syntax, exactly: `2s`, `250ms` or `1500us`.
fn goose_time(d: Duration) -> String {
    let us = d.as_micros();
    if us.is_multiple_of(1_000_000) {
        format!("{}s", us / 1_000_000)
    } else if us.is_multiple_of(1_000) {
        format!("{}ms", us / 1_000)
    } else {
        format!("{us}us")
    }
}

/// The operations' request names (`POST /Users`), for messages.
fn request_names() -> [&'static str; Op::ALL.len()] {
    Op::ALL.map(|op| op.request_name())
}

/// An unknown operation in a rule, with a did-you-mean over request names (compared in lower
/// case: `post /user` is `POST /Users`) and the list of names.
fn unknown_request(text: &str) -> String {
    let names = request_names();
    let lower = names.map(str::to_ascii_lowercase);
    let hint = crate::text::closest(&text.to_ascii_lowercase(), lower.iter().map(String::as_str))
        .and_then(|c| lower.iter().position(|l| l == c))
        .map(|i| format!(" (did you mean {:?}?)", names[i]))
        .unwrap_or_default();
    format!(
        "unknown operation {text:?}{hint}; name it as reports do ({}) or as scenario files do (create-user, ...)",
        names.join(", ")
    )
}

impl FromStr for Threshold {
    type Err = String;

    /// Parses a rule as reports print it (`--threshold`): `<metric><op><bound>`, then
    /// optionally ` for <operation>`, the operation named as reports name it (`POST /Users`)
    /// or as scenario files do (`create-user`). Times and error rates are bounded from above
    /// (`p95<250ms`, `error-rate<1%`), rps from below (`rps>=200`); a time needs its unit.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let (rule, request) = match text.split_once(" for ") {
            Some((rule, request)) => (rule.trim(), Some(request.trim())),
            None => (text, None),
        };
        let split = rule
            .find(['<', '>', '='])
            .ok_or_else(|| format!("{text:?} has no comparison; write a rule such as \"p95<250ms\", \"error-rate<1%\" or \"rps>=200\""))?;
        let metric: Metric = rule[..split].trim().parse()?;
        let rest = &rule[split..];
        let (comparison, bound) = match rest.strip_prefix(">=") {
            Some(b) => (">=", b),
            None => match rest.strip_prefix('<') {
                Some(b) if !b.starts_with('=') => ("<", b),
                _ => ("", rest),
            },
        };
        let bound = bound.trim();
        let limit = match (metric, comparison) {
            (Metric::Rps, ">=") => match plain_number(bound) {
                Some(r) if r > 0.0 => Limit::AtLeast(r),
                _ => {
                    return Err(format!(
                        "rps>= takes a rate above 0 such as rps>=200, not {bound:?}"
                    ));
                }
            },
            (Metric::Rps, _) => {
                return Err(format!("{text:?}: rps is bounded from below: write rps>=N"));
            }
            (_, "<") if metric == Metric::ErrorRate => {
                match plain_number(bound.strip_suffix('%').unwrap_or(bound).trim()) {
                    Some(p) if p > 0.0 && p <= 100.0 => Limit::BelowPercent(p),
                    _ => {
                        return Err(format!(
                            "error-rate< takes a percentage above 0% and at most 100% such as error-rate<1%, not {bound:?}"
                        ));
                    }
                }
            }
            (_, "<") => {
                let d = super::raw::parse_duration(bound)
                    .map_err(|why| format!("{metric}< takes a response time: {why}"))?;
                if d.is_zero() {
                    return Err(format!(
                        "{text:?} can never pass: the bound must be above 0"
                    ));
                }
                Limit::Below(d)
            }
            _ => {
                return Err(format!(
                    "{text:?}: {metric} is bounded from above: write {metric}<{}",
                    if metric == Metric::ErrorRate {
                        "1%"
                    } else {
                        "250ms"
                    }
                ));
            }
        };
        let operation = match request {
            None => None,
            Some(r) => Some(
                Op::ALL
                    .into_iter()
                    .find(|op| op.request_name() == r || op.name() == r)
                    .ok_or_else(|| unknown_request(r))?,
            ),
        };
        Ok(Threshold {
            metric,
            operation,
            limit,
        })
    }
}

impl Threshold {
    /// The rule as a scenario file's `[[threshold]]` table (parsed back to the same rule).
    pub fn to_toml(&self) -> String {
        let mut t = format!("[[threshold]]\nmetric = \"{}\"\n", self.metric);
        if let Some(op) = self.operation {
            t.push_str(&format!("operation = \"{op}\"\n"));
        }
        match self.limit {
            Limit::Below(d) => t.push_str(&format!("below = \"{}\"\n", goose_time(d))),
            Limit::BelowPercent(p) => t.push_str(&format!("below = \"{p}%\"\n")),
            Limit::AtLeast(r) => t.push_str(&format!("at_least = {r:?}\n")),
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_goose_matches_goose_grammar() {
        let t = |metric, operation, limit| Threshold {
            metric,
            operation,
            limit,
        };
        assert_eq!(
            t(Metric::P95, None, Limit::Below(Duration::from_millis(500))).to_goose(),
            "p95<500ms"
        );
        assert_eq!(
            t(
                Metric::P99,
                Some(Op::CreateUser),
                Limit::Below(Duration::from_secs(2))
            )
            .to_goose(),
            "p99<2s for POST /Users"
        );
        assert_eq!(
            t(Metric::Avg, None, Limit::Below(Duration::from_micros(1500))).to_goose(),
            "avg<1500us"
        );
        assert_eq!(
            t(Metric::ErrorRate, None, Limit::BelowPercent(1.0)).to_goose(),
            "error-rate<1%"
        );
        assert_eq!(
            t(
                Metric::ErrorRate,
                Some(Op::FilterUser),
                Limit::BelowPercent(0.5)
            )
            .to_goose(),
            "error-rate<0.5% for GET /Users?filter"
        );
        assert_eq!(
            t(Metric::Rps, None, Limit::AtLeast(200.0)).to_goose(),
            "rps>=200"
        );
        assert_eq!(
            t(Metric::Rps, Some(Op::AddMembers), Limit::AtLeast(2.5)).to_goose(),
            "rps>=2.5 for PATCH /Groups/{id} add"
        );
    }

    #[test]
    fn evaluate_uses_goose_comparisons() {
        let p95 = Threshold {
            metric: Metric::P95,
            operation: None,
            limit: Limit::Below(Duration::from_millis(250)),
        };
        let stats = OpStats {
            requests: 100,
            failures: 1,
            rps: 20.0,
            p95_us: 249_999,
            ..OpStats::default()
        };
        assert_eq!(
            p95.evaluate(&stats),
            ThresholdVerdict::Pass {
                observed: "250ms".into()
            }
        );
        let at = OpStats {
            p95_us: 250_000,
            ..stats
        };
        assert_eq!(
            p95.evaluate(&at),
            ThresholdVerdict::Fail {
                observed: "250ms".into()
            }
        );
        assert_eq!(
            p95.evaluate(&OpStats::default()),
            ThresholdVerdict::NoSamples
        );
        assert!(!ThresholdVerdict::NoSamples.passed());

        let errors = Threshold {
            metric: Metric::ErrorRate,
            operation: None,
            limit: Limit::BelowPercent(1.0),
        };
        assert_eq!(
            errors.evaluate(&stats),
            ThresholdVerdict::Fail {
                observed: "1%".into()
            }
        );
        let fewer = OpStats {
            requests: 1000,
            failures: 4,
            ..stats
        };
        assert_eq!(
            errors.evaluate(&fewer),
            ThresholdVerdict::Pass {
                observed: "0.4%".into()
            }
        );

        let rps = Threshold {
            metric: Metric::Rps,
            operation: None,
            limit: Limit::AtLeast(20.0),
        };
        assert!(rps.evaluate(&stats).passed());
        let slow = OpStats {
            rps: 19.99,
            ..stats
        };
        assert_eq!(
            rps.evaluate(&slow),
            ThresholdVerdict::Fail {
                observed: "19.99 req/s".into()
            }
        );
        // Each time metric reads its own field.
        let fields = OpStats {
            requests: 1,
            p50_us: 1_000,
            p95_us: 2_000,
            p99_us: 3_000,
            avg_us: 4_000,
            max_us: 5_000,
            ..OpStats::default()
        };
        let observed: Vec<String> = [
            Metric::P50,
            Metric::P95,
            Metric::P99,
            Metric::Avg,
            Metric::Max,
        ]
        .into_iter()
        .map(|metric| {
            match (Threshold {
                metric,
                operation: None,
                limit: Limit::Below(Duration::from_secs(1)),
            })
            .evaluate(&fields)
            {
                ThresholdVerdict::Pass { observed } => observed,
                other => format!("{other:?}"),
            }
        })
        .collect();
        assert_eq!(observed, ["1ms", "2ms", "3ms", "4ms", "5ms"]);
    }

    #[test]
    fn rules_parse_as_reports_print_them() {
        let t = |text: &str| {
            text.parse::<Threshold>()
                .unwrap_or_else(|e| panic!("{text}: {e}"))
        };
        for text in [
            "p95<500ms",
            "p99<2s for POST /Users",
            "avg<1500us",
            "error-rate<1%",
            "error-rate<0.5% for GET /Users?filter",
            "rps>=200",
            "rps>=2.5 for PATCH /Groups/{id} add",
        ] {
            assert_eq!(t(text).to_goose(), text);
        }
        assert_eq!(
            t("p95<250ms for create-user"),
            t("p95<250ms for POST /Users")
        );
        assert_eq!(t(" p95 < 250ms "), t("p95<250ms"));
        assert_eq!(t("error-rate<1"), t("error-rate<1%"));
    }

    #[test]
    fn wrong_rules_are_refused_with_the_way_to_write_them() {
        for (text, says) in [
            ("p95", "no comparison"),
            ("p95<250", "no unit"),
            ("p95>=250ms", "p95<250ms"),
            ("p95<0ms", "never pass"),
            ("rps<200", "rps>=N"),
            ("rps>=0", "above 0"),
            ("error-rate<150%", "at most 100%"),
            ("p42<1s", "unknown metric"),
            ("p95<1s for POST /User", "did you mean"),
        ] {
            match text.parse::<Threshold>() {
                Ok(t) => panic!("{text} parsed as {t:?}"),
                Err(e) => assert!(e.contains(says), "{text}: {e}"),
            }
        }
    }

    #[test]
    fn a_rule_as_toml_reads_back_as_the_same_rule() {
        for text in [
            "p99<2s for POST /Users",
            "avg<1500us",
            "error-rate<0.5%",
            "rps>=2.5",
        ] {
            let t: Threshold = text.parse().unwrap_or_else(|e| panic!("{e}"));
            let file = format!(
                "name = \"t\"\ndescription = \"t\"\nmodelled_on = \"t\"\n[run]\nusers = 1\nduration = \"1s\"\n[data]\nusers = 1\n[[operation]]\nname = \"create-user\"\n{}",
                t.to_toml()
            );
            let sc = crate::load::scenario::Scenario::parse(&file, "t.toml")
                .unwrap_or_else(|e| panic!("{text}: {e}\n{file}"));
            assert_eq!(sc.thresholds, vec![t], "{text}");
        }
    }
}
