//! What `scimtest load` calls for the run's shape beyond the scenario: the IdP pace preset over
//! the plan, the target's `/Bulk` limits before anything is created (a target that declares no
//! Bulk support ends the run there, exit 3, with the scenario to run instead), and the report's
//! `provisioning`, `rate_limits` and `pace` sections with their summary lines.

use crate::client::Client;
use crate::load::bulk::BulkLimits;
use crate::load::engine::Plan;
use crate::load::ops::Shared;
use crate::load::pace::Pace;
use crate::load::scenario::Op;
use crate::report::model::{LoadReport, PaceReport, ProvisioningReport, RateLimitReport};

/// The plan held to `pace`, when one is given.
pub fn paced(pace: Option<Pace>, plan: Plan) -> Plan {
    match pace {
        Some(p) => p.preset().apply(plan),
        None => plan,
    }
}

/// The target's `/Bulk` limits when the plan sends `/Bulk` (`None` when it does not). A target
/// whose `/ServiceProviderConfig` does not declare `bulk.supported = true` is an `Err` saying
/// so: the scenario measures `/Bulk`, and single requests in its place would measure something
/// else under its name. Nothing has been created at this point.
pub async fn bulk_limits(client: &Client, plan: &Plan) -> Result<Option<BulkLimits>, String> {
    let Some(first) = plan.ops.iter().find(|o| o.op.is_bulk()) else {
        return Ok(None);
    };
    let limits = crate::load::bulk::discover(client).await?;
    if !limits.supported {
        return Err(format!(
            "the target does not offer /Bulk: its /ServiceProviderConfig declares {}; {} sends POST /Bulk, so scenario {} cannot run against it (nothing was created). Run --scenario bulk-onboarding for the same onboarding with single POST /Users, as Entra and Okta send it",
            limits.describe(),
            first.op,
            plan.name
        ));
    }
    Ok(Some(limits))
}

/// Lines for the run's banner: the pace and the `/Bulk` batch.
pub fn banner(pace: Option<Pace>, bulk: Option<BulkLimits>, plan: &Plan) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(p) = pace {
        let p = p.preset();
        out.push(format!(
            "  pace {}: {} ({})",
            p.name,
            p.shape(),
            p.product()
        ));
    }
    if let Some(l) = bulk {
        out.push(format!(
            "  /Bulk: {} users per request ({})",
            l.batch(bulk_batch(plan)),
            l.describe()
        ));
    }
    out
}

/// The largest batch a bulk operation of the plan asks for.
fn bulk_batch(plan: &Plan) -> usize {
    plan.ops
        .iter()
        .filter(|o| o.op.is_bulk())
        .map(|o| o.members)
        .max()
        .unwrap_or(crate::load::scenario::DEFAULT_BATCH)
}

/// The report's `provisioning` (when the plan creates users), `rate_limits` and `pace` (when
/// one was given) sections, over an attack of `attack_s` seconds. `max_ms` is the slowest
/// request's time.
pub fn sections(
    shared: &Shared,
    plan: &Plan,
    pace: Option<Pace>,
    attack_s: f64,
    (requests, errors, max_ms): (u64, u64, f64),
) -> (
    Option<ProvisioningReport>,
    Option<RateLimitReport>,
    Option<PaceReport>,
) {
    let creates = plan
        .ops
        .iter()
        .any(|o| matches!(o.op, Op::CreateUser | Op::BulkCreateUsers));
    let provisioning = creates.then(|| {
        shared.tally.provisioning(
            attack_s,
            shared.bulk.map(|l| (l, l.batch(bulk_batch(plan)))),
        )
    });
    let rate = crate::load::pace::with_reactions(
        shared.tally.rate_limits(attack_s, shared.max_retry_wait),
    );
    let rps = if attack_s > 0.0 {
        requests as f64 / attack_s
    } else {
        0.0
    };
    let pace = pace.map(|p| {
        p.preset()
            .judge(rps, requests, errors, rate.throttled, max_ms)
    });
    (provisioning, Some(rate), pace)
}

/// The summary lines of those sections, for the terminal.
pub fn summary(l: &LoadReport) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(p) = &l.provisioning {
        out.push(format!("  {}", p.headline));
        if let Some(b) = &p.bulk_detail {
            let failed: Vec<String> = b.failed.iter().map(|(s, n)| format!("{s} × {n}")).collect();
            out.push(format!(
                "  /Bulk: {} requests, {} operations ({} per request at most; {}), {} created, {} deleted{}",
                b.requests,
                b.operations,
                b.batch,
                b.declared,
                b.created,
                b.deleted,
                if failed.is_empty() {
                    String::new()
                } else {
                    format!(", failed: {}", failed.join(", "))
                }
            ));
        }
    }
    if let Some(r) = &l.rate_limits {
        out.push(format!("  rate limits: {}", r.summary));
        if r.throttled > 0 {
            out.push(format!("    {}", r.client));
            for i in &r.idps {
                out.push(format!("    {}: {}", i.idp, i.reaction));
            }
        }
    }
    if let Some(p) = &l.pace {
        out.push(format!(
            "  pace {}: {}",
            p.preset,
            if p.kept_up {
                "KEPT UP"
            } else {
                "DID NOT KEEP UP"
            }
        ));
        out.push(format!("    {}", p.verdict));
    }
    out
}
