//! `scimtest replay`: real IdP provisioning sessions (fixtures, embedded in the binary) replayed
//! against a target, with a verdict per IdP profile: "would provision" or "would break at step
//! N". `fixture` is the data model, `engine` replays one flow, this module runs a selection
//! (flows in parallel, steps in order), cleans up and turns the results into a `RunReport`.

pub mod engine;
pub mod fixture;
pub mod profile;
pub mod record;
pub mod shape;
pub mod transcript;
mod walk;

use crate::client::{Client, Namespace};
use crate::report::model::{
    CheckReport, CleanupReport, FlowVerdict, Level, NotApplicable, Outcome, ProfileAbout,
    ProfileVerdict, Severity, StepVerdict,
};
use engine::{FlowResult, StepOutcome};
use fixture::{FLOWS, Fixture};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Which fixtures to replay.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// IdP names; empty means all.
    pub idps: Vec<String>,
    /// Profile names; empty means all.
    pub profiles: Vec<String>,
    /// Flow names; empty means all.
    pub flows: Vec<String>,
}

impl Selection {
    /// The selected fixtures, ordered by IdP, profile, then flow order; an error names a value
    /// that matches nothing, with what exists.
    pub fn apply(&self, all: Vec<Fixture>) -> Result<Vec<Fixture>, String> {
        let known = |f: fn(&Fixture) -> &str, wanted: &[String], what: &str| {
            let have: std::collections::BTreeSet<&str> = all.iter().map(f).collect();
            match wanted.iter().find(|w| !have.contains(w.as_str())) {
                Some(w) => Err(format!(
                    "no {what} {w:?}; known: {}",
                    have.into_iter().collect::<Vec<_>>().join(", ")
                )),
                None => Ok(()),
            }
        };
        known(|f| &f.idp, &self.idps, "IdP")?;
        known(|f| &f.profile, &self.profiles, "profile")?;
        known(|f| &f.flow, &self.flows, "flow")?;
        let mut out: Vec<Fixture> = all
            .into_iter()
            .filter(|f| self.idps.is_empty() || self.idps.contains(&f.idp))
            .filter(|f| self.profiles.is_empty() || self.profiles.contains(&f.profile))
            .filter(|f| self.flows.is_empty() || self.flows.contains(&f.flow))
            .collect();
        let flow_pos = |f: &Fixture| {
            FLOWS
                .iter()
                .position(|x| *x == f.flow)
                .unwrap_or(FLOWS.len())
        };
        out.sort_by(|a, b| {
            (&a.idp, &a.profile, flow_pos(a)).cmp(&(&b.idp, &b.profile, flow_pos(b)))
        });
        // A later fixture with the same key (from --fixtures) replaces the embedded one.
        out.dedup_by(|later, earlier| {
            if later.key() == earlier.key() {
                std::mem::swap(later, earlier);
                true
            } else {
                false
            }
        });
        if out.is_empty() {
            return Err("the selection matches no fixture".into());
        }
        Ok(out)
    }
}

/// What a replay run produced.
#[derive(Debug)]
pub struct ReplayOutput {
    /// One result per fixture, in selection order.
    pub flows: Vec<FlowResult>,
    /// What was created and removed.
    pub cleanup: CleanupReport,
    /// Ctrl-C stopped the run.
    pub interrupted: bool,
}

/// Replay `fixtures` (already selected) against the target, `concurrency` flows at a time, each
/// with its own `{{run}}` prefix under the run namespace. On Ctrl-C the remaining steps are
/// skipped, each flow's cleanup steps still run, then the ledger and a prefix sweep remove the
/// rest. `on_done` sees each flow as it finishes.
pub async fn run(
    client: Client,
    ns: Namespace,
    fixtures: Vec<Fixture>,
    concurrency: usize,
    on_done: &(dyn Fn(&FlowResult) + Sync),
) -> ReplayOutput {
    let stop = Arc::new(AtomicBool::new(false));
    // What the target declares, for checks on attributes a server may leave out (RFC 7643 §7).
    let schemas = client.send("GET", "/Schemas", None, &[]).await;
    let declared = Arc::new(match (schemas.status, schemas.json.as_ref()) {
        (Some(200), Some(body)) => engine::Declared::from_schemas(body),
        _ => engine::Declared::default(),
    });
    let client = Arc::new(client);
    let ns = Arc::new(ns);
    let tasks = fixtures.iter().enumerate().map(|(i, fx)| {
        let (client, ns, stop, declared) =
            (client.clone(), ns.clone(), stop.clone(), declared.clone());
        async move {
            let prefix = format!("{}{:02}-", ns.prefix(), i + 1);
            let r = engine::run_flow(&client, &ns, fx, &prefix, &stop, &declared).await;
            (i, r)
        }
    });
    // After Ctrl-C the flows in flight finish their current request and run their cleanup; a
    // generous grace period bounds that wait.
    let results = crate::interrupt::run_until_stopped(
        tasks,
        fixtures.len(),
        concurrency,
        &stop,
        Duration::from_secs(60),
        on_done,
    )
    .await;
    let interrupted = stop.load(Ordering::Relaxed);
    let flows: Vec<FlowResult> = results
        .into_iter()
        .zip(&fixtures)
        .map(|(r, fx)| r.unwrap_or_else(|| not_run(fx)))
        .collect();
    let created = flows
        .iter()
        .flat_map(|f| f.steps.iter().chain(&f.cleanup))
        .filter(|s| {
            s.exchange
                .as_ref()
                .is_some_and(|x| x.method == "POST" && matches!(x.status, Some(201)))
        })
        .count();
    let mut cleanup = ns.cleanup(&client, created).await;
    let targets = [
        ("/Users".to_string(), "userName"),
        ("/Groups".to_string(), "displayName"),
    ];
    ns.sweep(&client, &targets, &mut cleanup).await;
    ReplayOutput {
        flows,
        cleanup,
        interrupted,
    }
}

/// The result of a flow the provisioning configuration excludes: not replayed, not a failure.
pub fn not_configured(fx: &Fixture, why: &str) -> FlowResult {
    FlowResult {
        outcome: Outcome::Skip,
        not_configured: Some(why.to_string()),
        ..not_run(fx)
    }
}

fn not_run(fx: &Fixture) -> FlowResult {
    FlowResult {
        key: fx.key(),
        idp: fx.idp.clone(),
        profile: fx.profile.clone(),
        flow: fx.flow.clone(),
        title: fx.title.clone(),
        outcome: Outcome::Error,
        break_at: None,
        severity: None,
        destroys_data_at: None,
        steps: Vec::new(),
        cleanup: Vec::new(),
        run_prefix: String::new(),
        vars: Vec::new(),
        duration_ms: 0.0,
        manifest: fx.manifest.clone(),
        left_out: fx.left_out.clone(),
        not_configured: None,
    }
}

fn step_outcome(o: StepOutcome) -> &'static str {
    match o {
        StepOutcome::Pass => "pass",
        StepOutcome::Fail => "fail",
        StepOutcome::Error => "error",
        StepOutcome::Skipped => "skipped",
    }
}

/// The report entry of one flow (`replay.<idp>.<profile>.<flow>`, level dialect).
pub fn flow_report(f: &FlowResult) -> CheckReport {
    let reason = match (&f.break_at, f.outcome) {
        _ if f.not_configured.is_some() => format!(
            "not configured: {}",
            f.not_configured.as_deref().unwrap_or_default()
        ),
        (_, Outcome::Pass) => String::new(),
        (_, _) if f.destroys_data_at.is_some() => {
            let d = f.destroys_data_at.clone();
            let d = d.as_ref();
            format!(
                "WOULD DESTROY DATA at step {} ({}): {}\n{}",
                d.map_or(0, |d| d.step),
                d.map_or("", |d| d.name.as_str()),
                d.map_or("", |d| d.got.as_str()),
                d.map_or("", |d| d.why.as_str())
            )
        }
        (Some(b), _) => format!(
            "would break at step {} ({}): {}\n{}",
            b.step, b.name, b.got, b.why
        ),
        (None, _) => "not replayed (interrupted)".into(),
    };
    CheckReport {
        quote: None,
        id: format!("replay.{}.{}.{}", f.idp, f.profile, f.flow),
        title: f.title.clone(),
        rfc: f
            .break_at
            .as_ref()
            .and_then(|b| b.rfc.clone())
            .unwrap_or_default(),
        level: Level::Dialect,
        area: format!("{}/{}", f.idp, f.profile),
        outcome: f.outcome,
        reason,
        hint: f
            .break_at
            .as_ref()
            .filter(|_| f.outcome == Outcome::Fail)
            .map(|b| {
                format!(
                    "answer step {} ({}) the way {} needs: {}",
                    b.step, b.name, f.idp, b.why
                )
            }),
        duration_ms: f.duration_ms,
        evidence: f
            .steps
            .iter()
            .flat_map(|s| s.retried.iter().chain(&s.exchange).chain(&s.pages).cloned())
            .collect(),
    }
}

/// One verdict per IdP profile: profiles that would destroy data first, then the others in the
/// order the flows came.
pub fn profile_verdicts(flows: &[FlowResult]) -> Vec<ProfileVerdict> {
    let mut out: Vec<ProfileVerdict> = Vec::new();
    for f in flows {
        let fv = FlowVerdict {
            flow: f.flow.clone(),
            outcome: f.outcome,
            break_at: f.break_at.clone(),
            severity: f.severity,
            destroys_data_at: f.destroys_data_at.clone(),
            not_configured: f.not_configured.clone(),
            left_out: f.left_out.clone(),
            steps: f
                .steps
                .iter()
                .map(|s| StepVerdict {
                    n: s.n,
                    name: s.name.clone(),
                    outcome: step_outcome(s.outcome).to_string(),
                    synthetic: s.synthetic,
                    severity: s.severity,
                })
                .collect(),
        };
        match out
            .iter_mut()
            .find(|p| p.idp == f.idp && p.profile == f.profile)
        {
            Some(p) => p.flows.push(fv),
            None => out.push(ProfileVerdict {
                idp: f.idp.clone(),
                profile: f.profile.clone(),
                about: f.manifest.as_deref().map(about),
                would_provision: true,
                verdict: String::new(),
                severity: None,
                flows: vec![fv],
            }),
        }
    }
    for p in &mut out {
        let broken = p
            .flows
            .iter()
            .find(|f| f.outcome != Outcome::Pass && f.not_configured.is_none());
        p.would_provision = broken.is_none();
        p.severity = p.flows.iter().filter_map(|f| f.severity).max();
        let destroyed = p
            .flows
            .iter()
            .find_map(|f| f.destroys_data_at.as_ref().map(|d| (f, d)));
        p.verdict = match (broken, destroyed) {
            (_, Some((f, d))) => format!(
                "would destroy data at {} step {} ({}): {}{}",
                f.flow,
                d.step,
                d.name,
                d.got,
                d.rfc
                    .as_ref()
                    .map(|r| format!(" [{r}]"))
                    .unwrap_or_default()
            ),
            (None, None) => match p.flows.iter().find_map(|f| f.not_configured.as_ref()) {
                Some(why) if p.flows.iter().all(|f| f.not_configured.is_some()) => {
                    format!("not configured: {why}")
                }
                _ => "would provision".into(),
            },
            (Some(f), None) => match &f.break_at {
                Some(b) => format!(
                    "would break at {} step {} ({}): {}{}",
                    f.flow,
                    b.step,
                    b.name,
                    b.got,
                    b.rfc
                        .as_ref()
                        .map(|r| format!(" [{r}]"))
                        .unwrap_or_default()
                ),
                None => format!("not verified: {} was not replayed", f.flow),
            },
        };
    }
    // Destructive first; the sort is stable, so the rest keep their order.
    out.sort_by_key(|p| p.severity != Some(Severity::Destructive));
    out
}

/// The report's view of a profile manifest.
pub fn about(m: &profile::Profile) -> ProfileAbout {
    ProfileAbout {
        product: m.product.clone(),
        dialect: m.dialect.clone(),
        faithfulness: m.faithfulness.clone(),
        source: m.source.reference.clone(),
        not_applicable: FLOWS
            .iter()
            .filter_map(|f| {
                m.absent(f).map(|why| NotApplicable {
                    flow: f.to_string(),
                    why: why.to_string(),
                })
            })
            .collect(),
        retry: m.retry.as_ref().map(|r| r.note.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_filters_orders_and_names_unknown_values() {
        let all = fixture::embedded().expect("embedded");
        let sel = Selection {
            idps: vec!["entra".into()],
            ..Default::default()
        };
        let got = sel.apply(all.clone()).expect("entra exists");
        assert!(got.iter().all(|f| f.idp == "entra"));
        assert_eq!(got[0].flow, "connection");
        let bad = Selection {
            idps: vec!["sailpoint".into()],
            ..Default::default()
        };
        let e = bad.apply(all).unwrap_err();
        assert!(
            e.contains("no IdP \"sailpoint\"") && e.contains("entra"),
            "{e}"
        );
    }
}
