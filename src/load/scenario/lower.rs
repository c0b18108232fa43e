//! Reading a scenario ([`Scenario::parse`]): the TOML into its raw shapes, then checking them and
//! lowering them to a [`Scenario`] — names, counts, durations, the operation mix and the
//! thresholds, each mistake refused at its span.

use super::error::{ScenarioError, Source, unknown_name};
use super::model::{
    DEFAULT_BATCH, DEFAULT_PAGE_SIZE, Data, Op, Operation, Pacing, Run, RunLength, Scenario,
};
use super::raw::{
    RawData, RawOperation, RawPacing, RawRun, RawScenario, RawThreshold, parse_duration,
    plain_number,
};
use super::threshold::{Limit, Metric, Threshold};
use std::time::Duration;
use toml::Spanned;

impl Scenario {
    /// Parses and validates a scenario. `origin` names the text in errors (a path, or
    /// `scenarios/<name>.toml` for a shipped one). Unknown keys, wrong types and every
    /// semantic mistake are refused with `origin:line:column`.
    pub fn parse(text: &str, origin: &str) -> Result<Scenario, ScenarioError> {
        let src = Source { text, origin };
        let raw: RawScenario = toml::from_str(text)
            .map_err(|e| src.error(e.span().unwrap_or(0..0), e.message().trim_end()))?;
        lower(raw, &src)
    }
}

/// The highest `weight`: goose expands weights into a schedule, so a huge one costs memory.
const MAX_WEIGHT: i64 = 1000;

/// A count that must be at least `min`, as a `usize`.
fn count(
    value: &Spanned<i64>,
    min: i64,
    what: &str,
    src: &Source<'_>,
) -> Result<usize, ScenarioError> {
    let v = *value.get_ref();
    if v < min {
        return Err(src.error(
            value.span(),
            format!("{what} must be at least {min}, not {v}"),
        ));
    }
    usize::try_from(v).map_err(|_| src.error(value.span(), format!("{what} is too large")))
}

/// An optional count with a default.
fn count_or(
    value: &Option<Spanned<i64>>,
    default: usize,
    min: i64,
    what: &str,
    src: &Source<'_>,
) -> Result<usize, ScenarioError> {
    value
        .as_ref()
        .map_or(Ok(default), |v| count(v, min, what, src))
}

/// A duration field; `whole_seconds` for the ones goose counts in seconds.
fn duration(
    value: &Spanned<String>,
    what: &str,
    whole_seconds: bool,
    src: &Source<'_>,
) -> Result<Duration, ScenarioError> {
    let d = parse_duration(value.get_ref())
        .map_err(|why| src.error(value.span(), format!("{what}: {why}")))?;
    if whole_seconds && d.subsec_nanos() != 0 {
        return Err(src.error(
            value.span(),
            format!(
                "{what} must be whole seconds (goose counts it in seconds), not {:?}",
                value.get_ref()
            ),
        ));
    }
    Ok(d)
}

/// Checks and converts the raw file.
pub(super) fn lower(raw: RawScenario, src: &Source<'_>) -> Result<Scenario, ScenarioError> {
    let name = raw.name.get_ref();
    let kebab = !name.is_empty()
        && !name.starts_with('-')
        && !name.ends_with('-')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !kebab {
        return Err(src.error(
            raw.name.span(),
            format!("name {name:?} must be kebab-case: lowercase letters, digits and '-'"),
        ));
    }
    for (field, value) in [
        ("description", &raw.description),
        ("modelled_on", &raw.modelled_on),
    ] {
        if value.get_ref().trim().is_empty() {
            return Err(src.error(value.span(), format!("{field} must not be empty")));
        }
    }

    let run = lower_run(&raw.run, src)?;
    let data = match &raw.data {
        Some(data) => lower_data(data, src)?,
        None => Data::default(),
    };
    let operations = lower_operations(&raw.operation, &data, src)?;
    // check-members knows what a group must hold from the run's own writes; with several
    // virtual users writing one group at once, in-flight writes would make that a guess.
    if run.users > 1
        && let Some(o) = raw
            .operation
            .iter()
            .find(|o| o.get_ref().name.get_ref() == Op::CheckMembers.name())
    {
        return Err(src.error(
            o.get_ref().name.span(),
            format!(
                "check-members compares a group with what the run wrote to it, which needs [run] users = 1, not {}",
                run.users
            ),
        ));
    }
    let thresholds = raw
        .threshold
        .iter()
        .map(|t| lower_threshold(t, &operations, src))
        .collect::<Result<Vec<_>, _>>()?;

    Ok(Scenario {
        name: name.clone(),
        description: raw.description.into_inner(),
        modelled_on: raw.modelled_on.into_inner(),
        origin: src.origin.to_string(),
        run,
        data,
        operations,
        thresholds,
    })
}

/// `[run]`.
fn lower_run(raw: &Spanned<RawRun>, src: &Source<'_>) -> Result<Run, ScenarioError> {
    let table = raw.get_ref();
    let users = count(&table.users, 1, "run.users", src)?;
    let ramp = match &table.ramp {
        Some(v) => duration(v, "run.ramp", true, src)?,
        None => Duration::ZERO,
    };
    let length = match (&table.duration, &table.iterations) {
        (Some(_), Some(iterations)) => {
            return Err(src.error(
                iterations.span(),
                "give run.duration or run.iterations, not both",
            ));
        }
        (Some(d), None) => {
            let length = duration(d, "run.duration", true, src)?;
            if length.is_zero() {
                return Err(src.error(d.span(), "run.duration must be at least 1s"));
            }
            RunLength::Duration(length)
        }
        (None, Some(n)) => RunLength::Iterations(count(n, 1, "run.iterations", src)?),
        (None, None) => {
            return Err(src.error(
                raw.span(),
                "[run] needs duration (such as \"30s\") or iterations (per user)",
            ));
        }
    };
    let timeout = match &table.timeout {
        Some(v) => {
            let t = duration(v, "run.timeout", false, src)?;
            if t < Duration::from_millis(1) {
                return Err(src.error(v.span(), "run.timeout must be at least 1ms"));
            }
            t
        }
        None => Duration::from_secs(10),
    };
    let pacing =
        match &table.pacing {
            None => Pacing::Max,
            Some(p) => match p.get_ref() {
                RawPacing::Named(n) => match n.as_str() {
                    "max" => Pacing::Max,
                    "entra" => Pacing::Entra,
                    "okta" => Pacing::Okta,
                    other => {
                        return Err(src.error(
                            p.span(),
                            format!(
                                "{} (or a table {{ requests_per_second = N }})",
                                unknown_name("pacing", other, ["max", "entra", "okta"])
                            ),
                        ));
                    }
                },
                RawPacing::Rate(n) => {
                    if *n < 1 {
                        return Err(src.error(
                            p.span(),
                            format!("pacing requests_per_second must be at least 1, not {n}"),
                        ));
                    }
                    Pacing::RequestsPerSecond(u32::try_from(*n).map_err(|_| {
                        src.error(p.span(), "pacing requests_per_second is too large")
                    })?)
                }
            },
        };
    Ok(Run {
        users,
        ramp,
        length,
        timeout,
        pacing,
    })
}

/// `[data]`.
fn lower_data(raw: &Spanned<RawData>, src: &Source<'_>) -> Result<Data, ScenarioError> {
    let table = raw.get_ref();
    let data = Data {
        users: count_or(&table.users, 0, 0, "data.users", src)?,
        groups: count_or(&table.groups, 0, 0, "data.groups", src)?,
        members_per_group: count_or(
            &table.members_per_group,
            0,
            0,
            "data.members_per_group",
            src,
        )?,
        enterprise: table.enterprise.unwrap_or(false),
        page_size: count_or(
            &table.page_size,
            DEFAULT_PAGE_SIZE,
            1,
            "data.page_size",
            src,
        )?,
    };
    if let Some(m) = &table.members_per_group
        && data.members_per_group > data.users
    {
        return Err(src.error(
            m.span(),
            format!(
                "data.members_per_group ({}) is more than the user pool (data.users = {}); members are drawn from the pool",
                data.members_per_group, data.users
            ),
        ));
    }
    Ok(data)
}

/// Every `[[operation]]`.
fn lower_operations(
    raw: &[Spanned<RawOperation>],
    data: &Data,
    src: &Source<'_>,
) -> Result<Vec<Operation>, ScenarioError> {
    if raw.is_empty() {
        return Err(src.error(
            src.text.len()..src.text.len(),
            "a scenario needs at least one [[operation]] (name = \"create-user\", …)",
        ));
    }
    let mut ops: Vec<(Operation, &Spanned<String>)> = Vec::with_capacity(raw.len());
    for entry in raw {
        let o = entry.get_ref();
        let op: Op = o
            .name
            .get_ref()
            .parse()
            .map_err(|why: String| src.error(o.name.span(), why))?;
        let weight = count_or(&o.weight, 1, 1, "weight", src)?;
        if let Some(w) = &o.weight
            && *w.get_ref() > MAX_WEIGHT
        {
            return Err(src.error(
                w.span(),
                format!("weight must be at most {MAX_WEIGHT}, not {}", w.get_ref()),
            ));
        }
        let sequence = match &o.sequence {
            Some(s) => Some(
                u32::try_from(count(s, 1, "sequence", src)?)
                    .map_err(|_| src.error(s.span(), "sequence is too large"))?,
            ),
            None => None,
        };
        let members = match (&o.members, op.takes_members()) {
            (Some(m), false) => {
                return Err(src.error(
                    m.span(),
                    format!(
                        "members applies only to add-members, remove-members, replace-members and create-group, not {op}"
                    ),
                ));
            }
            (Some(m), true) => {
                // Entra and Okta create groups empty and add members by PATCH afterwards.
                let min = if op == Op::CreateGroup { 0 } else { 1 };
                Some(count(m, min, "members", src)?)
            }
            (None, true) if matches!(op, Op::CreateGroup | Op::ReplaceMembers) => {
                Some(data.members_per_group)
            }
            (None, true) => Some(1),
            (None, false) => None,
        };
        let batch = match (&o.batch, op.takes_batch()) {
            (Some(b), false) => {
                return Err(src.error(
                    b.span(),
                    format!(
                        "batch applies only to bulk-create-users and bulk-delete-users, not {op}"
                    ),
                ));
            }
            (Some(b), true) => Some(count(b, 1, "batch", src)?),
            (None, true) => Some(DEFAULT_BATCH),
            (None, false) => None,
        };
        if let Some(n) = members
            && n > data.users
        {
            let span = o.members.as_ref().map_or(o.name.span(), Spanned::span);
            return Err(src.error(
                span,
                format!(
                    "{op} needs {n} member(s) per request from the user pool, but data.users is {}",
                    data.users
                ),
            ));
        }
        ops.push((
            Operation {
                op,
                weight,
                sequence,
                members,
                batch,
            },
            &o.name,
        ));
    }

    let sequenced = ops.iter().filter(|(o, _)| o.sequence.is_some()).count();
    if sequenced > 0
        && let Some((o, name)) = ops.iter().find(|(o, _)| o.sequence.is_none())
    {
        return Err(src.error(
            name.span(),
            format!(
                "{} has no sequence, but other operations do; give every operation a sequence (a lifecycle) or none (a weighted mix)",
                o.op
            ),
        ));
    }
    for (i, (o, name)) in ops.iter().enumerate() {
        if let Some((_, first)) = ops
            .iter()
            .take(i)
            .find(|(p, _)| p.op == o.op && p.sequence == o.sequence)
        {
            let line = src.error(first.span(), "").line().unwrap_or(0);
            let advice = if o.sequence.is_some() {
                "give it another sequence"
            } else {
                "raise that one's weight instead"
            };
            return Err(src.error(
                name.span(),
                format!("{} is listed twice (first at line {line}); {advice}", o.op),
            ));
        }
        if o.op.needs_users()
            && data.users == 0
            && !ops
                .iter()
                .any(|(p, _)| matches!(p.op, Op::CreateUser | Op::BulkCreateUsers))
        {
            return Err(src.error(
                name.span(),
                format!(
                    "{} acts on existing users, but data.users is 0 and no create-user operation makes any; set [data] users = N",
                    o.op
                ),
            ));
        }
        if o.op.needs_groups()
            && data.groups == 0
            && !ops.iter().any(|(p, _)| p.op == Op::CreateGroup)
        {
            return Err(src.error(
                name.span(),
                format!(
                    "{} acts on existing groups, but data.groups is 0 and no create-group operation makes any; set [data] groups = N",
                    o.op
                ),
            ));
        }
    }
    Ok(ops.into_iter().map(|(o, _)| o).collect())
}

/// One `[[threshold]]`.
fn lower_threshold(
    raw: &Spanned<RawThreshold>,
    operations: &[Operation],
    src: &Source<'_>,
) -> Result<Threshold, ScenarioError> {
    let t = raw.get_ref();
    let metric: Metric = t
        .metric
        .get_ref()
        .parse()
        .map_err(|why: String| src.error(t.metric.span(), why))?;
    let operation = match &t.operation {
        None => None,
        Some(o) => {
            let op: Op = o
                .get_ref()
                .parse()
                .map_err(|why: String| src.error(o.span(), why))?;
            if !operations.iter().any(|x| x.op == op) {
                return Err(src.error(
                    o.span(),
                    format!(
                        "the threshold judges {op}, which this scenario never runs; add an [[operation]] or drop the threshold"
                    ),
                ));
            }
            Some(op)
        }
    };
    let limit = match (&t.below, &t.at_least, metric) {
        (Some(_), Some(a), _) => {
            return Err(src.error(a.span(), "give below or at_least, not both"));
        }
        (None, None, Metric::Rps) => {
            return Err(src.error(
                raw.span(),
                "an rps threshold needs at_least = N (requests per second)",
            ));
        }
        (None, None, m) if m.is_time() => {
            return Err(src.error(
                raw.span(),
                format!("a {m} threshold needs below = \"<duration>\", such as below = \"250ms\""),
            ));
        }
        (None, None, _) => {
            return Err(src.error(
                raw.span(),
                "an error-rate threshold needs below = \"<percent>\", such as below = \"1%\"",
            ));
        }
        (Some(b), None, Metric::Rps) => {
            return Err(src.error(
                b.span(),
                "rps is bounded from below: write at_least = N, not below",
            ));
        }
        (None, Some(a), m) if m != Metric::Rps => {
            let example = if m.is_time() {
                "below = \"250ms\""
            } else {
                "below = \"1%\""
            };
            return Err(src.error(
                a.span(),
                format!("at_least applies only to rps; a {m} threshold takes {example}"),
            ));
        }
        (None, Some(a), _) => {
            let r = *a.get_ref();
            if !(r.is_finite() && r > 0.0) {
                return Err(src.error(
                    a.span(),
                    format!("at_least must be a rate above 0, not {r}"),
                ));
            }
            Limit::AtLeast(r)
        }
        (Some(b), None, Metric::ErrorRate) => {
            let text = b.get_ref().trim();
            let Some(number) = text.strip_suffix('%') else {
                return Err(src.error(
                    b.span(),
                    format!(
                        "error-rate takes a percentage such as below = \"1%\", not {:?}",
                        b.get_ref()
                    ),
                ));
            };
            match plain_number(number.trim()) {
                Some(p) if p > 0.0 && p <= 100.0 => Limit::BelowPercent(p),
                _ => {
                    return Err(src.error(
                        b.span(),
                        format!(
                            "error-rate below must be a percentage above 0% and at most 100%, not {:?}",
                            b.get_ref()
                        ),
                    ));
                }
            }
        }
        (Some(b), None, m) => {
            if b.get_ref().trim().ends_with('%') {
                return Err(src.error(
                    b.span(),
                    format!("{m} is a response time: write below = \"250ms\", not a percentage"),
                ));
            }
            let d = duration(b, &format!("{m} below"), false, src)?;
            if d.is_zero() {
                return Err(src.error(
                    b.span(),
                    format!("{m} below must be above 0, or it can never pass"),
                ));
            }
            Limit::Below(d)
        }
    };
    Ok(Threshold {
        metric,
        operation,
        limit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::scenario::fixtures::*;

    #[test]
    fn a_good_scenario_parses_into_types() {
        let s = Scenario::parse(GOOD, "good.toml").expect("parses");
        assert_eq!(s.name, "t");
        assert_eq!(s.origin, "good.toml");
        assert_eq!(s.run.users, 4);
        assert_eq!(s.run.ramp, Duration::from_secs(1));
        assert_eq!(s.run.length, RunLength::Duration(Duration::from_secs(10)));
        assert_eq!(s.run.timeout, Duration::from_secs(5));
        assert_eq!(s.run.pacing, Pacing::Okta);
        assert_eq!(s.run.pacing.requests_per_second(), Some(10));
        assert_eq!(
            s.data,
            Data {
                users: 20,
                groups: 2,
                members_per_group: 5,
                enterprise: false,
                page_size: 100
            }
        );
        assert_eq!(
            s.operations,
            vec![
                Operation {
                    op: Op::CreateUser,
                    weight: 2,
                    sequence: None,
                    members: None,
                    batch: None
                },
                Operation {
                    op: Op::AddMembers,
                    weight: 1,
                    sequence: None,
                    members: Some(3),
                    batch: None
                },
            ]
        );
        assert_eq!(
            s.goose_thresholds(),
            vec!["p95<250ms", "error-rate<1% for POST /Users"]
        );
        assert!(!s.is_sequenced());
    }

    #[test]
    fn defaults_fill_optional_fields() {
        let text = "name = \"x\"\ndescription = \"d\"\nmodelled_on = \"m\"\n[run]\nusers = 1\niterations = 3\n[[operation]]\nname = \"create-group\"\n";
        let s = Scenario::parse(text, "x.toml").expect("parses");
        assert_eq!(s.run.ramp, Duration::ZERO);
        assert_eq!(s.run.timeout, Duration::from_secs(10));
        assert_eq!(s.run.pacing, Pacing::Max);
        assert_eq!(s.run.length, RunLength::Iterations(3));
        assert_eq!(s.data, Data::default());
        assert_eq!(s.data.page_size, 100);
        // create-group defaults its members to members_per_group (0 here).
        assert_eq!(s.operations[0].members, Some(0));
        assert_eq!(s.operations[0].weight, 1);
        assert!(s.thresholds.is_empty());
    }

    #[test]
    fn pacing_table_and_presets() {
        let s = Scenario::parse(
            &with("pacing = \"okta\"", "pacing = { requests_per_second = 40 }"),
            "p",
        )
        .expect("parses");
        assert_eq!(s.run.pacing, Pacing::RequestsPerSecond(40));
        assert_eq!(s.run.pacing.requests_per_second(), Some(40));
        assert_eq!(Pacing::Entra.requests_per_second(), Some(25));
        assert_eq!(Pacing::Max.requests_per_second(), None);
        let s = Scenario::parse(&with("pacing = \"okta\"", "pacing = \"max\""), "p").expect("ok");
        assert_eq!(s.run.pacing, Pacing::Max);
    }
    #[test]
    fn semantic_errors_name_the_line_and_column() {
        fails_at(
            &with("users = 4", "users = 0"),
            6,
            9,
            "run.users must be at least 1",
        );
        fails_at(
            &with("duration = \"10s\"", "duration = \"10s\"\niterations = 5"),
            9,
            14,
            "not both",
        );
        fails_at(&with("duration = \"10s\"\n", ""), 5, 1, "needs duration");
        fails_at(
            &with("ramp = \"1s\"", "ramp = \"soon\""),
            7,
            8,
            "not a duration",
        );
        fails_at(
            &with("ramp = \"1s\"", "ramp = \"1500ms\""),
            7,
            8,
            "whole seconds",
        );
        fails_at(
            &with("duration = \"10s\"", "duration = \"10\""),
            8,
            12,
            "no unit",
        );
        fails_at(
            &with("pacing = \"okta\"", "pacing = \"okat\""),
            10,
            10,
            "did you mean \"okta\"",
        );
        fails_at(
            &with("pacing = \"okta\"", "pacing = { requests_per_second = 0 }"),
            10,
            10,
            "at least 1",
        );
        fails_at(
            &with("weight = 2", "weight = 0"),
            19,
            10,
            "weight must be at least 1",
        );
        fails_at(&with("weight = 2", "weight = 5000"), 19, 10, "at most 1000");
        fails_at(
            &with("name = \"create-user\"", "name = \"create-usr\""),
            18,
            8,
            "did you mean \"create-user\"",
        );
        fails_at(
            &with("members = 3", "members = 30"),
            23,
            11,
            "data.users is 20",
        );
        fails_at(
            &with("weight = 2", "weight = 2\nmembers = 2"),
            20,
            11,
            "members applies only",
        );
        fails_at(
            &with("members_per_group = 5", "members_per_group = 50"),
            15,
            21,
            "more than the user pool",
        );
        fails_at(&with("t\"\ndesc", "T\"\ndesc"), 1, 8, "kebab-case");
        fails_at(
            &with("modelled_on = \"m\"", "modelled_on = \" \""),
            3,
            15,
            "must not be empty",
        );
    }

    #[test]
    fn operation_set_errors_name_the_operation() {
        // Sequenced and unsequenced operations mixed.
        fails_at(
            &with("weight = 2", "weight = 2\nsequence = 1"),
            23,
            8,
            "add-members has no sequence",
        );
        // The same operation twice in a mix.
        fails_at(
            &with(
                "members = 3",
                "members = 3\n\n[[operation]]\nname = \"create-user\"",
            ),
            26,
            8,
            "listed twice (first at line 18)",
        );
        // Operations on existing users with no users anywhere.
        let text = with("name = \"create-user\"", "name = \"get-user\"")
            .replace("users = 20", "users = 0")
            .replace("members_per_group = 5", "")
            .replace("members = 3", "")
            .replace("add-members", "list-users");
        fails_at(&text, 18, 8, "get-user acts on existing users");
        let text = with("groups = 2", "groups = 0");
        fails_at(&text, 22, 8, "add-members acts on existing groups");
        // No operations at all.
        let cut = GOOD.find("[[operation]]").unwrap_or(0);
        let text = GOOD.get(..cut).unwrap_or("").to_string();
        let msg = fails_at(&text, 17, 1, "at least one [[operation]]");
        assert!(msg.contains("bad.toml:17:1"));
    }

    #[test]
    fn threshold_errors_match_unit_to_metric() {
        fails_at(
            &with("below = \"250ms\"", "below = \"1%\""),
            27,
            9,
            "response time",
        );
        fails_at(
            &with("below = \"1%\"", "below = \"1s\""),
            31,
            9,
            "percentage",
        );
        fails_at(&with("below = \"1%\"", "below = \"0%\""), 31, 9, "above 0%");
        fails_at(
            &with("below = \"1%\"", "below = \"150%\""),
            31,
            9,
            "at most 100%",
        );
        fails_at(
            &with("below = \"250ms\"", "below = \"0ms\""),
            27,
            9,
            "never pass",
        );
        fails_at(
            &with("below = \"250ms\"", "at_least = 3"),
            27,
            12,
            "at_least applies only to rps",
        );
        fails_at(
            &with("metric = \"p95\"", "metric = \"rps\""),
            27,
            9,
            "at_least = N, not below",
        );
        fails_at(
            &with("metric = \"p95\"", "metric = \"p96\""),
            26,
            10,
            "unknown metric",
        );
        fails_at(
            &with("below = \"250ms\"", "below = \"250ms\"\nat_least = 2"),
            28,
            12,
            "not both",
        );
        fails_at(
            &with("operation = \"create-user\"", "operation = \"delete-user\""),
            32,
            13,
            "never runs",
        );
        fails_at(
            &with("metric = \"p95\"\nbelow = \"250ms\"", "metric = \"p95\""),
            25,
            1,
            "needs below",
        );
        let rps = with(
            "metric = \"p95\"\nbelow = \"250ms\"",
            "metric = \"rps\"\nat_least = -1",
        );
        fails_at(&rps, 27, 12, "above 0");
    }
}
