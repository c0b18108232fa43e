//! Load beyond one machine: `--shard I/N` gives a process 1/N of a scenario's goose users and
//! of its pace, and a name prefix of its own (`s<I>-`) so shards never collide on the target;
//! `merge` adds shard reports up exactly (histograms bucket-wise) and re-applies the
//! scenario's thresholds to the whole fleet.

use crate::load::engine::Plan;
use crate::load::scenario::Scenario;
use crate::report::model::{Counts, LoadReport, RunReport, ShardInfo};
use crate::report::series::{self, OpSeries};

/// One shard of a fleet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 0-based index.
    pub index: usize,
    /// Shards in the fleet.
    pub count: usize,
}

/// `--shard` as given: a fixed `I/N`, or `auto/N` (the index comes from the environment when
/// the run starts, so the command line parses anywhere).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShardSpec {
    /// `I/N`.
    Fixed(Shard),
    /// `auto/N`.
    Auto(usize),
}

impl ShardSpec {
    /// Parse `I/N` or `auto/N`.
    pub fn parse(s: &str) -> Result<ShardSpec, String> {
        match s.split_once('/') {
            Some((i, n)) if i.trim() == "auto" => {
                let count: usize = n
                    .trim()
                    .parse()
                    .ok()
                    .filter(|c| *c > 0)
                    .ok_or_else(|| format!("--shard {s:?}: {n:?} is not a shard count"))?;
                Ok(ShardSpec::Auto(count))
            }
            _ => Shard::parse(s).map(ShardSpec::Fixed),
        }
    }

    /// The shard, reading `$JOB_COMPLETION_INDEX` for `auto/N`.
    pub fn resolve(self) -> Result<Shard, String> {
        match self {
            ShardSpec::Fixed(s) => Ok(s),
            ShardSpec::Auto(count) => {
                let v = std::env::var("JOB_COMPLETION_INDEX").map_err(|_| {
                    format!("--shard auto/{count}: JOB_COMPLETION_INDEX is not set (it is in the pods of a Kubernetes Indexed Job)")
                })?;
                Shard::parse(&format!("{}/{count}", v.trim()))
            }
        }
    }
}

impl Shard {
    /// `I/N` (0-based I below N), or `auto/N` with I from `$JOB_COMPLETION_INDEX` (set in the
    /// pods of a Kubernetes Indexed Job).
    pub fn parse(s: &str) -> Result<Shard, String> {
        let (i, n) = s
            .split_once('/')
            .ok_or_else(|| format!("--shard {s:?}: expected I/N, e.g. 0/4 or auto/4"))?;
        let count: usize = n
            .trim()
            .parse()
            .map_err(|_| format!("--shard {s:?}: {n:?} is not a shard count"))?;
        let index: usize = if i.trim() == "auto" {
            let v = std::env::var("JOB_COMPLETION_INDEX").map_err(|_| {
                format!("--shard {s:?}: JOB_COMPLETION_INDEX is not set (it is in the pods of a Kubernetes Indexed Job)")
            })?;
            v.trim()
                .parse()
                .map_err(|_| format!("JOB_COMPLETION_INDEX={v:?} is not a number"))?
        } else {
            i.trim()
                .parse()
                .map_err(|_| format!("--shard {s:?}: {i:?} is not a shard index"))?
        };
        if count == 0 || index >= count {
            return Err(format!(
                "--shard {s:?}: the index must be below the count (0-based: 0/{count} … {}/{count})",
                count.saturating_sub(1)
            ));
        }
        Ok(Shard { index, count })
    }

    /// This shard's part of `total`: an even split, the first `total % count` shards taking one
    /// more, so the parts add up to `total`.
    pub fn part(&self, total: usize) -> usize {
        total / self.count + usize::from(self.index < total % self.count)
    }

    /// The plan of this shard: its part of the goose users (at least 1) and of the pace.
    pub fn apply(&self, mut plan: Plan) -> Plan {
        plan.users = self.part(plan.users).max(1);
        plan.throttle = plan.throttle.map(|t| self.part(t).max(1));
        plan
    }

    /// The name prefix of this shard's resources, after the run namespace.
    pub fn prefix(&self) -> String {
        format!("s{}-", self.index)
    }
}

/// Why shard reports cannot be merged.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct MergeError(pub String);

fn series_of(r: &RunReport, origin: &str) -> Result<Vec<OpSeries>, MergeError> {
    let l = r
        .load
        .as_ref()
        .ok_or_else(|| MergeError(format!("{origin}: not a `scimtest load` report")))?;
    Ok(l.series.clone())
}

/// Merge shard reports (`(origin, report)` pairs) into one fleet report: counts summed,
/// series merged bucket-wise, thresholds re-applied from the scenario the shards ran.
/// Reports of other scimtest versions, formats or scenarios are refused.
pub fn merge(inputs: &[(String, RunReport)]) -> Result<(RunReport, Vec<OpSeries>), MergeError> {
    let Some((first_origin, first)) = inputs.first() else {
        return Err(MergeError("no reports to merge".into()));
    };
    let fl = first
        .load
        .as_ref()
        .ok_or_else(|| MergeError(format!("{first_origin}: not a `scimtest load` report")))?;
    let mut all_series = Vec::new();
    let mut indices = Vec::new();
    let mut count = None;
    for (origin, r) in inputs {
        let l = r
            .load
            .as_ref()
            .ok_or_else(|| MergeError(format!("{origin}: not a `scimtest load` report")))?;
        let mismatch = |what: &str, a: &str, b: &str| {
            MergeError(format!(
                "{origin}: {what} {b:?} differs from {first_origin}'s {a:?}; only shards of one run merge"
            ))
        };
        if r.format_version != first.format_version {
            return Err(mismatch(
                "report format",
                &first.format_version.to_string(),
                &r.format_version.to_string(),
            ));
        }
        if r.tool_version != first.tool_version {
            return Err(mismatch(
                "scimtest version",
                &first.tool_version,
                &r.tool_version,
            ));
        }
        if l.scenario != fl.scenario || l.scenario_toml != fl.scenario_toml {
            return Err(mismatch("scenario", &fl.scenario, &l.scenario));
        }
        if let Some(s) = &l.shard {
            if count.is_some_and(|c| c != s.count) {
                return Err(MergeError(format!(
                    "{origin}: a shard of {} where the others are of {}",
                    s.count,
                    count.unwrap_or_default()
                )));
            }
            count = Some(s.count);
            for i in &s.indices {
                if indices.contains(i) {
                    return Err(MergeError(format!("{origin}: shard {i} is given twice")));
                }
                indices.push(*i);
            }
        }
        all_series.push(series_of(r, origin)?);
    }
    let series = series::merge_snapshots(&all_series);
    let scenario = Scenario::parse(&fl.scenario_toml, &format!("{first_origin} (scenario)"))
        .map_err(|e| MergeError(e.to_string()))?;
    // The shards started together (`--start-at`): the first shard's steady seconds cut the
    // fleet's phases.
    let phases = crate::report::phases::phases(
        &series,
        crate::report::phases::steady(&fl.phases).map(|p| crate::report::phases::PhaseBounds {
            steady_from_s: p.start_s as f64,
            steady_until_s: p.end_s as f64,
        }),
    );
    let thresholds = crate::load::judge_thresholds(&scenario, &series, &phases);
    let sum = |f: fn(&LoadReport) -> u64| -> u64 {
        inputs
            .iter()
            .filter_map(|(_, r)| r.load.as_ref())
            .map(f)
            .sum()
    };
    let duration_s = inputs
        .iter()
        .filter_map(|(_, r)| r.load.as_ref())
        .map(|l| l.duration_s)
        .fold(0.0, f64::max);
    let requests: u64 = series.iter().map(|s| s.total.requests).sum();
    let mut status: std::collections::BTreeMap<String, std::collections::BTreeMap<u16, usize>> =
        Default::default();
    for (_, r) in inputs {
        for o in r.load.iter().flat_map(|l| &l.operations) {
            let m = status.entry(o.op.clone()).or_default();
            for (code, n) in &o.status_counts {
                if let Ok(c) = code.parse::<u16>() {
                    *m.entry(c).or_default() += n;
                }
            }
        }
    }
    indices.sort_unstable();
    let mut checks = Vec::new();
    for (_, r) in inputs {
        let tag = r
            .load
            .as_ref()
            .and_then(|l| l.shard.as_ref())
            .map(|s| {
                format!(
                    "s{}",
                    s.indices
                        .iter()
                        .map(usize::to_string)
                        .collect::<Vec<_>>()
                        .join("-")
                )
            })
            .unwrap_or_else(|| r.run_id.clone());
        for c in r.checks.iter().filter(|c| c.area != "threshold") {
            let mut c = c.clone();
            c.id = format!("{}.{tag}", c.id);
            checks.push(c);
        }
    }
    for (i, t) in thresholds.iter().enumerate() {
        checks.insert(i, crate::load::threshold_check(i, t));
    }
    let mut cleanup = crate::report::model::CleanupReport::default();
    for (_, r) in inputs {
        cleanup.created += r.cleanup.created;
        cleanup.removed += r.cleanup.removed;
        cleanup
            .leftovers
            .extend(r.cleanup.leftovers.iter().cloned());
    }
    let mut report = RunReport {
        format_version: first.format_version,
        tool_version: first.tool_version.clone(),
        command: "load merge".into(),
        run_id: first.run_id.clone(),
        target: first.target.clone(),
        embedded_target: false,
        started_at: inputs
            .iter()
            .map(|(_, r)| r.started_at.clone())
            .min()
            .unwrap_or_default(),
        duration_ms: inputs
            .iter()
            .map(|(_, r)| r.duration_ms)
            .fold(0.0, f64::max),
        counts: Counts::default(),
        by_level: Default::default(),
        by_area: Default::default(),
        cleanup,
        checks,
        profiles: Vec::new(),
        catalogue_version: None,
        // A fleet is as complete as its least complete shard.
        status: inputs
            .iter()
            .map(|(_, r)| r.status)
            .find(|s| !s.is_complete())
            .unwrap_or_default(),
        exit_code: None,
        gating: Vec::new(),
        options: Vec::new(),
        readiness: Vec::new(),
        load: Some(LoadReport {
            scenario: fl.scenario.clone(),
            description: fl.description.clone(),
            users: sum(|l| l.users as u64) as usize,
            duration_s,
            requests,
            errors: series.iter().map(|s| s.total.errors).sum(),
            throttled: sum(|l| l.throttled),
            rps: if duration_s > 0.0 {
                (requests as f64 / duration_s * 10.0).round() / 10.0
            } else {
                0.0
            },
            cpu_ms_per_1000: None,
            operations: crate::load::op_reports(&series, &status),
            thresholds,
            files: Vec::new(),
            shard: Some(ShardInfo {
                indices,
                count: count.unwrap_or(inputs.len()),
            }),
            scenario_toml: fl.scenario_toml.clone(),
            // The shards started together (`--start-at`): the first shard's steady seconds cut
            // the fleet's phases.
            phases,
            comparison: None,
            series: series.clone(),
            // The fleet's users over the fleet's attack; the /Bulk, rate-limit and pace figures
            // stay in each shard's report.
            provisioning: crate::load::tally::merged(
                inputs
                    .iter()
                    .filter_map(|(_, r)| r.load.as_ref()?.provisioning.as_ref()),
                duration_s,
            ),
            rate_limits: None,
            pace: None,
            active_users: crate::report::series::merge_users(
                inputs
                    .iter()
                    .filter_map(|(_, r)| r.load.as_ref())
                    .map(|l| l.active_users.as_slice()),
            ),
            // The shards of a fleet share one configuration (`load --config`).
            config: inputs
                .iter()
                .find_map(|(_, r)| r.load.as_ref()?.config.clone()),
        }),
        configuration: None,
    };
    report.recount();
    Ok((report, series))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse_and_split_evenly() {
        assert_eq!(Shard::parse("1/4"), Ok(Shard { index: 1, count: 4 }));
        assert!(Shard::parse("4/4").is_err());
        assert!(Shard::parse("x/4").is_err());
        assert!(Shard::parse("0/0").is_err());
        assert!(Shard::parse("2").is_err());
        assert_eq!(ShardSpec::parse("auto/4"), Ok(ShardSpec::Auto(4)));
        assert!(ShardSpec::parse("auto/0").is_err());
        assert_eq!(
            ShardSpec::parse("2/3"),
            Ok(ShardSpec::Fixed(Shard { index: 2, count: 3 }))
        );
        let parts: Vec<usize> = (0..3)
            .map(|i| Shard { index: i, count: 3 }.part(10))
            .collect();
        assert_eq!(parts, [4, 3, 3]);
        assert_eq!(parts.iter().sum::<usize>(), 10);
        assert_eq!(Shard { index: 2, count: 3 }.prefix(), "s2-");
    }
}
