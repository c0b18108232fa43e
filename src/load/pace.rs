//! IdP pace presets (`scimtest load --pace entra|okta|authentik|keycloak`): the request rate,
//! concurrency, page size and timeout an identity provider publishes (or its code shows), each
//! with its source, applied over a scenario's `[run]`; whether the target kept up; and what each
//! IdP does when a target throttles it, in words. The numbers and words rest on the replay
//! profile manifests (`fixtures/idp/<idp>/<profile>/profile.json`, embedded here as text and read
//! with a small local shape: `load` does not import `replay`); a unit test keeps the numbers
//! equal to what the manifests say.

use crate::load::engine::Plan;
use crate::load::scenario::Pacing;
use crate::report::model::{IdpReaction, PaceReport, RateLimitReport};
use serde::Deserialize;
use std::time::Duration;

/// A pace preset: an IdP's published sending shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pace {
    /// Microsoft Entra ID provisioning.
    Entra,
    /// Okta Lifecycle Management.
    Okta,
    /// authentik's SCIM provider.
    Authentik,
    /// Keycloak with the keycloak-scim plugin.
    Keycloak,
}

/// What a preset sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preset {
    /// The preset.
    pub pace: Pace,
    /// Its name on the command line.
    pub name: &'static str,
    /// Requests per second across all virtual users; `None`: one request after another per
    /// worker, as fast as the target answers.
    pub requests_per_second: Option<u32>,
    /// Concurrent virtual users (the IdP's workers).
    pub users: usize,
    /// The IdP's request timeout.
    pub timeout: Duration,
    /// `count` of list pages, when the IdP pages.
    pub page_size: Option<usize>,
    /// The numbers and where they come from.
    pub source: &'static str,
    /// The replay profile manifest this IdP's retry policy and product name come from.
    manifest: &'static str,
}

/// Every preset, in `--list-paces` order.
pub const PRESETS: [Preset; 4] = [
    Preset {
        pace: Pace::Entra,
        name: "entra",
        requests_per_second: Some(Pacing::ENTRA_REQUESTS_PER_SECOND),
        users: 8,
        timeout: Duration::from_secs(60),
        page_size: None,
        source: "Microsoft requires gallery SCIM apps to support at least 25 requests per second per tenant (idp-traffic.md §1.6); per-job concurrency is unpublished, 8 is the working guess (idp-traffic.md §6); Microsoft requires an answer within 60 s (load.md §5). Entra's own initial cycle is far slower, 12-100 objects a minute per job, and incremental cycles run every 40 minutes (§1.5).",
        manifest: include_str!("../../fixtures/idp/entra/default/profile.json"),
    },
    Preset {
        pace: Pace::Okta,
        name: "okta",
        requests_per_second: Some(Pacing::OKTA_REQUESTS_PER_SECOND),
        users: 10,
        timeout: Duration::from_secs(60),
        page_size: Some(100),
        source: "Okta publishes no outbound rate and tells admins to pace pushes under the app's 429 limits, the most cited being Slack's 600 writes a minute (10/s), and rarely runs more than about 10 transactions at once (load.md §5); imports page GET /Users 100 at a time (idp-traffic.md §2.5); Okta closes a connection after 60 s without an answer (okta/group-push profile).",
        manifest: include_str!("../../fixtures/idp/okta/oin/profile.json"),
    },
    Preset {
        pace: Pace::Authentik,
        name: "authentik",
        requests_per_second: None,
        users: 2,
        timeout: Duration::from_secs(30),
        page_size: None,
        source: "authentik's default worker is 1 process with 2 threads, each task sends its requests one after another with a 30 s HTTP timeout, and a full sync (hourly per the documentation, every 4 hours in the code) pushes users then groups in tasks of 100 objects (authentik/default profile: authentik/lib/sync/outgoing, authentik/lib/default.yml).",
        manifest: include_str!("../../fixtures/idp/authentik/default/profile.json"),
    },
    Preset {
        pace: Pace::Keycloak,
        name: "keycloak",
        requests_per_second: None,
        users: 1,
        timeout: Duration::from_secs(30),
        page_size: None,
        source: "keycloak-scim sends each event synchronously inside the Keycloak request that caused it and a sync user by user in one thread, with 30 s connect/request/socket timeouts (keycloak/keycloak-scim profile: ScimClient.java, ScimDispatcher.java).",
        manifest: include_str!("../../fixtures/idp/keycloak/keycloak-scim/profile.json"),
    },
];

impl Pace {
    /// The preset of this pace.
    pub fn preset(self) -> &'static Preset {
        // PRESETS holds every variant once (a unit test checks it).
        PRESETS
            .iter()
            .find(|p| p.pace == self)
            .unwrap_or(&PRESETS[0])
    }

    /// Parse a preset name; an unknown one gets the list and a did-you-mean.
    pub fn parse(text: &str) -> Result<Pace, String> {
        PRESETS
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(text.trim()))
            .map(|p| p.pace)
            .ok_or_else(|| {
                crate::load::scenario::unknown_name("pace", text, PRESETS.map(|p| p.name))
            })
    }
}

/// The part of a profile manifest read here (`pacing`, `on_failure` and the retry `note` are
/// the words the tests hold the presets' numbers to).
#[derive(Debug, Deserialize)]
#[cfg_attr(
    not(test),
    expect(dead_code, reason = "the words are read by the tests only")
)]
struct Manifest {
    product: String,
    #[serde(default)]
    retry: Option<ManifestRetry>,
    pacing: String,
    on_failure: String,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(
    not(test),
    expect(dead_code, reason = "the note is read by the tests only")
)]
struct ManifestRetry {
    statuses: Vec<u16>,
    attempts: u32,
    retry_after: bool,
    note: String,
}

impl Preset {
    fn manifest(&self) -> Option<Manifest> {
        serde_json::from_str(self.manifest).ok()
    }

    /// The product name (`Microsoft Entra ID`), from the manifest.
    pub fn product(&self) -> String {
        self.manifest()
            .map_or_else(|| self.name.to_string(), |m| m.product)
    }

    /// `25 req/s from 8 users, 60 s timeout`.
    pub fn shape(&self) -> String {
        let rate = self.requests_per_second.map_or_else(
            || "one request after another".to_string(),
            |r| format!("{r} req/s"),
        );
        let page = self
            .page_size
            .map(|n| format!(", pages of {n}"))
            .unwrap_or_default();
        format!(
            "{rate} from {} user{}, {} s timeout{page}",
            self.users,
            if self.users == 1 { "" } else { "s" },
            self.timeout.as_secs()
        )
    }

    /// The plan held to this pace: its cap, users, timeout and page size replace the
    /// scenario's; the operations, data and length stay.
    pub fn apply(&self, plan: Plan) -> Plan {
        Plan {
            throttle: self.requests_per_second.map(|r| r as usize),
            users: self.users,
            ramp: Duration::ZERO,
            timeout: self.timeout,
            page_size: self.page_size.unwrap_or(plan.page_size),
            ..plan
        }
    }

    /// Whether the target kept up with this pace, judged on the run's figures.
    pub fn judge(
        &self,
        achieved_rps: f64,
        requests: u64,
        errors: u64,
        throttled: u64,
        max_ms: f64,
    ) -> PaceReport {
        let mut short = Vec::new();
        if let Some(r) = self.requests_per_second
            && achieved_rps < 0.8 * f64::from(r)
        {
            short.push(format!(
                "reached {achieved_rps:.1} req/s of the {r} req/s {} sends",
                self.product()
            ));
        }
        if throttled > 0 {
            short.push(format!("answered {throttled} request(s) with 429"));
        }
        let error_pct = if requests > 0 {
            errors as f64 * 100.0 / requests as f64
        } else {
            0.0
        };
        if error_pct >= 1.0 {
            short.push(format!("failed {error_pct:.1} % of the requests"));
        }
        if max_ms >= self.timeout.as_secs_f64() * 1000.0 {
            short.push(format!(
                "took {:.1} s for a request, past {}'s {} s timeout",
                max_ms / 1000.0,
                self.product(),
                self.timeout.as_secs()
            ));
        }
        if requests == 0 {
            short.push("answered no request".into());
        }
        let kept_up = short.is_empty();
        let verdict = if kept_up {
            format!(
                "kept up with {} ({}): {achieved_rps:.1} req/s, no 429, {error_pct:.1} % errors",
                self.product(),
                self.shape()
            )
        } else {
            format!(
                "did not keep up with {} ({}): the target {}",
                self.product(),
                self.shape(),
                short.join(", ")
            )
        };
        PaceReport {
            preset: self.name.to_string(),
            product: self.product(),
            requests_per_second: self.requests_per_second,
            users: self.users,
            timeout_s: self.timeout.as_secs_f64(),
            achieved_rps: (achieved_rps * 10.0).round() / 10.0,
            kept_up,
            verdict,
            source: self.source.to_string(),
        }
    }

    /// What this IdP would do about the throttling in `r`, in words.
    pub fn reaction(&self, r: &RateLimitReport) -> IdpReaction {
        let m = self.manifest();
        let product = self.product();
        // The Retry-After the target sent most often, when it sent an integer one.
        let told = r
            .retry_after_values
            .iter()
            .max_by_key(|(_, n)| **n)
            .and_then(|(v, _)| v.trim().parse::<u64>().ok());
        let attempts = m
            .as_ref()
            .and_then(|m| m.retry.as_ref())
            .map(|x| x.attempts);
        let honours = m
            .as_ref()
            .and_then(|m| m.retry.as_ref())
            .is_some_and(|x| x.retry_after && x.statuses.contains(&429));
        let reaction = match self.pace {
            Pace::Entra => {
                let wait = match told.filter(|_| honours) {
                    Some(s) => format!(
                        "would pause the provisioning job for the Retry-After period ({s} s here) and then retry only the failed requests (Microsoft Q&A, 2025; an older feedback item says 429s were retried only in the next 40-minute cycle)"
                    ),
                    None => "would leave the throttled objects for the next incremental cycle, about 40 minutes later, since the target sent no usable Retry-After".to_string(),
                };
                format!(
                    "{product} {wait}. It retries a failed object in later cycles with back-off; if most calls keep failing, the job goes into quarantine: cycles drop step by step to once a day and the job is disabled after four weeks."
                )
            }
            Pace::Okta => {
                let n = attempts.unwrap_or(10);
                let wait = match told.filter(|_| honours) {
                    Some(s) => format!("after exactly {s} s (the Retry-After sent)"),
                    None => "after 5 minutes (no integer Retry-After was sent)".to_string(),
                };
                format!(
                    "{product} would back off: it pauses the provisioning task and reschedules it {wait}, doubling the wait on every further 429; after {n} attempts the task fails and waits for an admin in the task list."
                )
            }
            Pace::Authentik => {
                let retries = attempts.map_or(5, |a| a.saturating_sub(1));
                format!(
                    "{product} would retry the whole task up to {retries} times, waiting 15 s and doubling with jitter (at most 1 h), and never reads Retry-After; after the last retry the change is dropped until the next full sync. Inside a full sync a throttled object is not retried: it is logged and skipped until the next cycle. Nothing is quarantined."
                )
            }
            Pace::Keycloak => format!(
                "{product} would not retry: a 429 comes back as an unsuccessful response that is logged and dropped, and Retry-After is never read; a failed create leaves the user unmapped until the next sync POSTs it again."
            ),
        };
        IdpReaction {
            idp: self.name.to_string(),
            product,
            reaction,
            source: match self.pace {
                Pace::Entra => {
                    "fixtures/idp/entra/default/profile.json (retry), idp-traffic.md §1.6"
                }
                Pace::Okta => "fixtures/idp/okta/oin/profile.json (retry), idp-traffic.md §2.6",
                Pace::Authentik => "fixtures/idp/authentik/default/profile.json (retry)",
                Pace::Keycloak => "fixtures/idp/keycloak/keycloak-scim/profile.json (on_failure)",
            }
            .to_string(),
        }
    }
}

/// The rate-limit section with every IdP's reaction when the run was throttled.
pub fn with_reactions(mut r: RateLimitReport) -> RateLimitReport {
    if r.throttled > 0 {
        r.idps = PRESETS.iter().map(|p| p.reaction(&r)).collect();
    }
    r
}

/// `--list-paces`: one block per preset.
pub fn list() -> String {
    let mut out = String::new();
    for p in &PRESETS {
        out.push_str(&format!(
            "{:<10} {}: {}\n           {}\n",
            p.name,
            p.product(),
            p.shape(),
            p.source
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(p: &Preset) -> Manifest {
        serde_json::from_str(p.manifest).unwrap_or_else(|e| panic!("{}: {e}", p.name))
    }

    #[test]
    fn every_pace_has_one_preset_and_parses_by_name() {
        for p in &PRESETS {
            assert_eq!(p.pace.preset().name, p.name);
            assert_eq!(Pace::parse(p.name), Ok(p.pace));
            assert!(!p.product().is_empty());
        }
        let e = Pace::parse("entr").expect_err("unknown");
        assert!(e.contains("did you mean \"entra\""), "{e}");
    }

    /// The preset numbers are the ones the replay profile manifests state.
    #[test]
    fn preset_numbers_match_the_profile_manifests() {
        let entra = manifest(Pace::Entra.preset());
        assert!(
            entra.pacing.contains("25 requests a second"),
            "{}",
            entra.pacing
        );
        let okta = manifest(Pace::Okta.preset());
        assert!(okta.pacing.contains("100 at a time"), "{}", okta.pacing);
        let okta_retry = okta.retry.expect("okta retries");
        assert_eq!((okta_retry.attempts, okta_retry.retry_after), (10, true));
        assert!(okta_retry.note.contains("5 minutes"), "{}", okta_retry.note);
        let group_push: Manifest = serde_json::from_str(include_str!(
            "../../fixtures/idp/okta/group-push/profile.json"
        ))
        .expect("group-push");
        assert!(group_push.pacing.contains("60 s"), "{}", group_push.pacing);
        let ak = manifest(Pace::Authentik.preset());
        assert!(ak.pacing.contains("2 threads") && ak.pacing.contains("30 s HTTP timeout"));
        assert!(ak.pacing.contains("tasks of 100 objects"), "{}", ak.pacing);
        let ak_retry = ak.retry.expect("authentik retries");
        assert!(!ak_retry.retry_after);
        assert_eq!(ak_retry.attempts, 6);
        assert!(ak_retry.note.contains("15 s doubling"), "{}", ak_retry.note);
        let kc = manifest(Pace::Keycloak.preset());
        assert!(kc.retry.is_none());
        assert!(kc.pacing.contains("one thread") && kc.pacing.contains("30 s"));
        assert!(kc.on_failure.contains("Retry-After is never read"));
        let e = manifest(Pace::Entra.preset()).retry.expect("entra retries");
        assert!(e.retry_after && e.statuses.contains(&429));
        assert!(e.note.contains("Retry-After period") && entra.on_failure.contains("quarantine"));
    }

    #[test]
    fn apply_sets_the_shape_and_keeps_the_operations() {
        let sc = crate::load::scenario::Scenario::builtin("smoke").expect("smoke");
        let plan = Plan::from_scenario(&sc);
        let ops = plan.ops.clone();
        let p = Pace::Okta.preset().apply(plan);
        assert_eq!((p.throttle, p.users, p.page_size), (Some(10), 10, 100));
        assert_eq!(p.timeout, Duration::from_secs(60));
        assert_eq!(p.ops, ops);
        let p = Pace::Authentik.preset().apply(p);
        assert_eq!((p.throttle, p.users), (None, 2));
    }

    #[test]
    fn keeping_up_needs_the_rate_no_429_and_few_errors() {
        let e = Pace::Entra.preset();
        assert!(e.judge(24.0, 240, 0, 0, 30.0).kept_up);
        let slow = e.judge(12.0, 120, 0, 0, 30.0);
        assert!(
            !slow.kept_up && slow.verdict.contains("12.0 req/s of the 25"),
            "{}",
            slow.verdict
        );
        let throttled = e.judge(24.0, 240, 5, 5, 30.0);
        assert!(throttled.verdict.contains("429"), "{}", throttled.verdict);
        // No cap: the rate is whatever the target allows.
        assert!(Pace::Keycloak.preset().judge(3.0, 30, 0, 0, 30.0).kept_up);
        assert!(
            !Pace::Keycloak
                .preset()
                .judge(3.0, 30, 0, 0, 31_000.0)
                .kept_up
        );
    }

    #[test]
    fn reactions_follow_retry_after() {
        let mut r = crate::load::tally::Tally::default().rate_limits(1.0, Duration::from_secs(10));
        assert!(
            with_reactions(r.clone()).idps.is_empty(),
            "no throttling, no reactions"
        );
        r.throttled = 3;
        r.retry_after_values.insert("7".into(), 3);
        let r = with_reactions(r);
        assert_eq!(r.idps.len(), PRESETS.len());
        assert!(
            r.idps[0].reaction.contains("(7 s here)"),
            "{}",
            r.idps[0].reaction
        );
        assert!(
            r.idps[1].reaction.contains("after exactly 7 s"),
            "{}",
            r.idps[1].reaction
        );
        assert!(r.idps[2].reaction.contains("never reads Retry-After"));
        assert!(r.idps[3].reaction.contains("would not retry"));
        let mut bare =
            crate::load::tally::Tally::default().rate_limits(1.0, Duration::from_secs(1));
        bare.throttled = 1;
        let bare = with_reactions(bare);
        assert!(
            bare.idps[1].reaction.contains("after 5 minutes"),
            "{}",
            bare.idps[1].reaction
        );
        assert!(bare.idps[0].reaction.contains("next incremental cycle"));
    }
}
