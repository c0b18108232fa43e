//! Running a selection of the catalogue against a target: discovery (ServiceProviderConfig,
//! ResourceTypes, Schemas) → a plan (checks whose capabilities the target lacks are skipped) →
//! checks with bounded concurrency and a per-check time budget → cleanup of everything the run
//! created, also when interrupted.

use crate::client::http::Client;
use crate::client::namespace::Namespace;
use crate::conformance::catalogue;
use crate::conformance::context::{Caps, Ctx, Shared, truncate};
use crate::conformance::model::{Capability, Check, Finding, Level, Outcome};
use crate::report::model::{CheckReport, CleanupReport};
use serde_json::Value;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Which checks to run.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Globs (`users.*`, `*.status-201`); empty = all.
    pub only: Vec<String>,
    /// Globs to leave out.
    pub skip: Vec<String>,
    /// Lowest level included: `Must` runs only MUST checks, `Should` MUST+SHOULD, `May` all
    /// RFC levels, `None` everything including dialect checks.
    pub level: Option<Level>,
}

/// `*` matches any run of characters; everything else literally.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && p[pi] != '*' && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            pi += 1;
            mark = ti;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// What a pattern that matches no check probably meant: the glob of the group it names
/// (`patch` → `patch.*`, `users.create` → `users.create.*`), the glob around a fragment of ids
/// (`status-201` → `*status-201*`), or the three nearest ids and groups.
pub fn suggest(pat: &str, ids: &[&str]) -> String {
    let trimmed = pat.trim_end_matches(['.', '*']);
    if !pat.contains('*') {
        let group = format!("{trimmed}.");
        let n = ids.iter().filter(|id| id.starts_with(&group)).count();
        if n > 0 {
            return format!(
                "a pattern is a glob: did you mean '{trimmed}.*' (the {n} checks under {trimmed})?"
            );
        }
        let containing: Vec<&str> = ids.iter().copied().filter(|id| id.contains(pat)).collect();
        if let [one] = containing.as_slice() {
            return format!("did you mean {one:?}?");
        }
        let n = containing.len();
        if n > 0 && !pat.is_empty() {
            return format!(
                "a pattern is a glob: did you mean '*{pat}*' (the {n} checks whose id contains it)?"
            );
        }
    }
    // Candidates: every id and every group above one (`patch.*`, `patch.replace.*`).
    let mut groups: Vec<String> = Vec::new();
    for id in ids {
        let mut end = 0;
        while let Some(dot) = id.get(end..).and_then(|rest| rest.find('.')) {
            end += dot + 1;
            let g = format!("{}*", id.get(..end).unwrap_or_default());
            if !groups.contains(&g) {
                groups.push(g);
            }
        }
    }
    let candidates = ids.iter().copied().chain(groups.iter().map(String::as_str));
    let near = crate::text::nearest(pat, candidates, 3);
    let mut s = format!("did you mean {}?", crate::text::or_list(&near));
    if pat.starts_with("load.") {
        s.push_str(" (the load.correctness.* checks run under `scimtest load`)");
    }
    s.push_str(" See `scimtest check --list`");
    s
}

/// A selection problem a user must fix (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SelectionError(pub String);

impl Selection {
    /// Every `--only`/`--skip` pattern must match some check; otherwise a did-you-mean.
    pub fn validate(&self, checks: &[Check]) -> Result<(), SelectionError> {
        let ids: Vec<&str> = checks.iter().map(|c| c.id).collect();
        self.validate_ids(&ids)
    }

    /// [`Selection::validate`] against these ids: a pattern that matches nothing is refused on
    /// one line with what it probably meant (`patch` → `patch.*`, else the three nearest ids
    /// or areas).
    pub fn validate_ids(&self, ids: &[&str]) -> Result<(), SelectionError> {
        for pat in self.only.iter().chain(&self.skip) {
            if !ids.iter().any(|id| glob_match(pat, id)) {
                return Err(SelectionError(format!(
                    "no check matches {pat:?}; {}",
                    suggest(pat, ids)
                )));
            }
        }
        Ok(())
    }

    /// Whether `c` is selected.
    pub fn selects(&self, c: &Check) -> bool {
        self.selects_id(c.id, c.level)
    }

    /// Whether the check with this id and level is selected.
    pub fn selects_id(&self, id: &str, level: Level) -> bool {
        let only = self.only.is_empty() || self.only.iter().any(|p| glob_match(p, id));
        let skipped = self.skip.iter().any(|p| glob_match(p, id));
        let level_ok = match self.level {
            None => true,
            Some(max) => level != Level::Dialect && level <= max,
        };
        only && !skipped && level_ok
    }
}

/// How to run.
#[derive(Clone)]
pub struct RunOptions {
    /// Which checks.
    pub selection: Selection,
    /// Checks in flight at once.
    pub concurrency: usize,
    /// Time budget of one check (its requests share it).
    pub check_timeout: Duration,
    /// A client authenticated as a second tenant (`--second-token`): enables the
    /// `isolation.*` checks.
    pub second: Option<Client>,
    /// Handed to every check as [`Ctx::extension`] (checks defined outside the catalogue read
    /// their settings from it).
    pub extension: Option<Arc<dyn std::any::Any + Send + Sync>>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            selection: Selection::default(),
            concurrency: 8,
            check_timeout: Duration::from_secs(30),
            second: None,
            extension: None,
        }
    }
}

/// The run could not happen.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Discovery got no HTTP answer at all.
    #[error("the target is unreachable: {0}")]
    Unreachable(String),
}

/// Results of a run.
#[derive(Debug)]
pub struct RunOutput {
    /// One report per selected check, in catalogue order.
    pub checks: Vec<CheckReport>,
    /// Cleanup of what the run created.
    pub cleanup: CleanupReport,
    /// Whether the run was interrupted (Ctrl-C).
    pub interrupted: bool,
}

/// Discover the target's capabilities.
pub async fn discover(client: &Client) -> Result<Caps, RunError> {
    let spc = client
        .send("GET", "/ServiceProviderConfig", None, &[])
        .await;
    if spc.status.is_none() {
        return Err(RunError::Unreachable(format!(
            "GET {}/ServiceProviderConfig: {}",
            client.base_url(),
            spc.error.unwrap_or_default()
        )));
    }
    let rts = client.send("GET", "/ResourceTypes", None, &[]).await;
    let schemas = client.send("GET", "/Schemas", None, &[]).await;
    let list = |r: &crate::client::http::Resp| -> Vec<Value> {
        match r.body() {
            Value::Object(m) => m
                .get("Resources")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default(),
            Value::Array(a) => a.clone(),
            _ => Vec::new(),
        }
    };
    let resource_types = list(&rts);
    let advertised = |name: &str| {
        resource_types
            .iter()
            .find(|rt| {
                rt["name"]
                    .as_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case(name))
                    || rt["id"].as_str() == Some(name)
            })
            .and_then(|rt| rt["endpoint"].as_str())
            .map(str::to_string)
    };
    let mut endpoint_notes = Vec::new();
    let users = match advertised("User") {
        Some(e) => resolve_endpoint(client, "User", &e, &mut endpoint_notes).await,
        None => "/Users".to_string(),
    };
    let groups = match advertised("Group") {
        Some(e) => Some(resolve_endpoint(client, "Group", &e, &mut endpoint_notes).await),
        None => resource_types.is_empty().then(|| "/Groups".to_string()),
    };
    Ok(Caps {
        spc: spc.json.clone().unwrap_or(Value::Null),
        resource_types,
        schemas: list(&schemas),
        users,
        groups,
        second_tenant: false,
        endpoint_notes,
    })
}

/// The path (relative to the base URL) or absolute URL that a ResourceType's advertised
/// `endpoint` names, resolved as a client would. RFC 7643 §6 defines `endpoint` as "relative to
/// the Base URL of the service provider, e.g., "Users"", but servers in the wild also advertise
/// the server-absolute path (`/scim/v2/Users`) or a full URL. The repeated base path is detected;
/// when the two readings of a leading `/` differ, the one that answers a list request wins. Any
/// advertisement other than the plain relative form is noted once in `notes` (reported by
/// `discovery.resource-types.endpoint-relative`), never turned into errors of every check.
pub async fn resolve_endpoint(
    client: &Client,
    name: &str,
    advertised: &str,
    notes: &mut Vec<String>,
) -> String {
    let base = client.base_url().trim_end_matches('/').to_string();
    let parsed_base = reqwest::Url::parse(&format!("{base}/")).ok();
    let base_path = parsed_base
        .as_ref()
        .map(|u| u.path().trim_end_matches('/').to_string())
        .unwrap_or_default();
    let origin = parsed_base
        .as_ref()
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default();
    let e = advertised.trim();
    let note = |how: &str, resolved: &str| {
        format!(
            "ResourceType {name} advertises endpoint {advertised:?}: RFC 7643 §6 defines it relative to the base URL (e.g. \"Users\"); {how}, so requests go to {resolved}"
        )
    };
    // A full URL: used as given (relative to the base when it lies under it).
    if e.starts_with("http://") || e.starts_with("https://") {
        let resolved = match e.strip_prefix(base.as_str()) {
            Some(rest) if rest.starts_with('/') => rest.to_string(),
            _ => e.to_string(),
        };
        notes.push(note("read as an absolute URL", &client.url(&resolved)));
        return resolved;
    }
    let Some(rest) = e.strip_prefix('/') else {
        // The RFC's form ("Users"): relative to the base URL.
        return format!("/{e}");
    };
    // A leading slash that repeats the base path: the server-absolute path of the resource.
    if !base_path.is_empty()
        && let Some(tail) = e.strip_prefix(base_path.as_str())
        && tail.starts_with('/')
        && tail.len() > 1
    {
        notes.push(note(
            "it repeats the base path, read as a server-absolute path",
            &client.url(tail),
        ));
        return tail.to_string();
    }
    // `/Users`: the common reading (relative to the base) unless only the origin-relative
    // reading answers.
    let relative = format!("/{rest}");
    if base_path.is_empty() || origin.is_empty() {
        return relative;
    }
    let absolute = format!("{origin}{e}");
    let lists = |r: &crate::client::http::Resp| {
        matches!(r.status, Some(200..=299))
            && r.json
                .as_ref()
                .is_some_and(|b| b.get("Resources").is_some() || b.get("totalResults").is_some())
    };
    let as_relative = client
        .send("GET", &format!("{relative}?count=1"), None, &[])
        .await;
    if lists(&as_relative) {
        return relative;
    }
    let as_absolute = client
        .send("GET", &format!("{absolute}?count=1"), None, &[])
        .await;
    if lists(&as_absolute) {
        notes.push(note("only its server-absolute reading answers", &absolute));
        return absolute;
    }
    relative
}

fn report(
    c: &Check,
    outcome: Outcome,
    reason: String,
    evidence: Vec<crate::client::exchange::Exchange>,
    ms: f64,
) -> CheckReport {
    CheckReport {
        id: c.id.to_string(),
        title: c.title.to_string(),
        rfc: c.rfc.to_string(),
        level: c.level,
        area: c.area.to_string(),
        outcome,
        reason,
        hint: (outcome == Outcome::Fail).then(|| c.hint.to_string()),
        quote: crate::conformance::quotes::quote(c.id)
            .map(|(rfc, text)| format!("{rfc}: \"{text}\"")),
        duration_ms: ms,
        evidence,
    }
}

/// Run `checks` (already selected) against the target. `on_done` sees each result as it lands.
pub async fn run(
    client: Client,
    ns: Namespace,
    checks: Vec<Check>,
    opts: &RunOptions,
    on_done: &(dyn Fn(&CheckReport) + Sync),
) -> Result<RunOutput, RunError> {
    let mut caps = discover(&client).await?;
    caps.second_tenant = opts.second.is_some();
    let second = opts
        .second
        .clone()
        .map(|c| (c, Namespace::with_run_id(ns.run_id())));
    let shared = Arc::new(Shared {
        client,
        ns,
        caps,
        created: Default::default(),
        second,
        extension: opts.extension.clone(),
    });
    let interrupted = Arc::new(AtomicBool::new(false));
    let budget = opts.check_timeout;
    let tasks = checks.iter().enumerate().map(|(i, c)| {
        let shared = shared.clone();
        let stop = interrupted.clone();
        let c = *c;
        async move {
            let started = Instant::now();
            if stop.load(Ordering::Relaxed) {
                let r = report(
                    &c,
                    Outcome::Error,
                    "interrupted before it started".into(),
                    Vec::new(),
                    0.0,
                );
                return (i, r);
            }
            if let Some(missing) = c.requires.iter().find(|cap| !shared.caps.has(**cap)) {
                let r = report(
                    &c,
                    Outcome::Skip,
                    match missing {
                        Capability::SecondTenant => {
                            "needs a second tenant's credential (--second-token)".to_string()
                        }
                        Capability::Cursor => "the target's ServiceProviderConfig does not advertise \"pagination\": {\"cursor\": true} (RFC 9865 §4)".to_string(),
                        m => format!("the target does not advertise {}", m.name()),
                    },
                    Vec::new(),
                    0.0,
                );
                return (i, r);
            }
            let ctx = Ctx::new(shared.clone(), c.id);
            let result = tokio::time::timeout(budget, (c.run)(&ctx)).await;
            let (outcome, mut reason) = match result {
                Ok(Ok(())) => (Outcome::Pass, String::new()),
                Ok(Err(Finding { outcome, reason })) => (outcome, reason),
                Err(_) => (
                    Outcome::Error,
                    format!("the check did not finish within {} s", budget.as_secs_f64()),
                ),
            };
            // Schema violations are evidence: they ride along with the verdict (the `messages.*`
            // checks are the ones that fail on them).
            let violations = ctx.schema_violations();
            if !violations.is_empty() {
                let shown: Vec<&str> = violations.iter().take(3).map(String::as_str).collect();
                let more = violations.len().saturating_sub(3);
                let note = format!(
                    "response schema violations: {}{}",
                    shown.join("; "),
                    if more > 0 {
                        format!(" (+{more} more)")
                    } else {
                        String::new()
                    }
                );
                reason = if reason.is_empty() {
                    note
                } else {
                    format!("{reason}\n{note}")
                };
            }
            (
                i,
                report(
                    &c,
                    outcome,
                    truncate(&reason, 2000),
                    ctx.evidence(),
                    started.elapsed().as_secs_f64() * 1000.0,
                ),
            )
        }
    });
    // On Ctrl-C no new check starts, and the ones in flight get a grace period to finish, so
    // that what they create is tracked (a request dropped mid-flight may still create a
    // resource after cleanup has run); after the grace period they are dropped.
    let results = crate::interrupt::run_until_stopped(
        tasks,
        checks.len(),
        opts.concurrency,
        &interrupted,
        budget.min(Duration::from_secs(10)),
        on_done,
    )
    .await;
    let was_interrupted = interrupted.load(Ordering::Relaxed);
    let reports: Vec<CheckReport> = results
        .into_iter()
        .zip(&checks)
        .map(|(r, c)| {
            r.unwrap_or_else(|| {
                report(
                    c,
                    Outcome::Error,
                    "interrupted before it finished".into(),
                    Vec::new(),
                    0.0,
                )
            })
        })
        .collect();
    let created = shared.created.load(Ordering::Relaxed);
    // What the second tenant still has on its ledger is counted there, not as "removed by the
    // checks themselves" on the first tenant's.
    let second_pending = shared.second.as_ref().map_or(0, |(_, ns)| ns.tracked());
    let mut cleanup = shared
        .ns
        .cleanup(&shared.client, created.saturating_sub(second_pending))
        .await;
    if let Some((client, ns)) = &shared.second {
        // The second tenant's resources are invisible to the first credential (when the
        // target isolates tenants at all): remove them with their own.
        let theirs = ns.cleanup(client, second_pending).await;
        cleanup.created += theirs.created;
        cleanup.removed += theirs.removed;
        cleanup.leftovers.extend(theirs.leftovers);
    }
    sweep(&shared, &mut cleanup).await;
    Ok(RunOutput {
        checks: reports,
        cleanup,
        interrupted: was_interrupted,
    })
}

/// After the ledger: sweep the run prefix off the discovered endpoints.
async fn sweep(shared: &Shared, cleanup: &mut CleanupReport) {
    let mut targets = vec![(shared.caps.users.clone(), "userName")];
    if let Some(g) = &shared.caps.groups {
        targets.push((g.clone(), "displayName"));
    }
    shared.ns.sweep(&shared.client, &targets, cleanup).await;
    if let Some((client, ns)) = &shared.second {
        ns.sweep(client, &targets, cleanup).await;
    }
}

/// The selected checks of the catalogue, in catalogue order.
pub fn select(selection: &Selection) -> Result<Vec<Check>, SelectionError> {
    let all = catalogue::all();
    selection.validate(&all)?;
    Ok(all.into_iter().filter(|c| selection.selects(c)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_and_did_you_mean() {
        assert!(glob_match("users.*", "users.create.status-201"));
        assert!(glob_match("*.status-201", "users.create.status-201"));
        assert!(glob_match("*", "x"));
        assert!(!glob_match("users.*", "groups.create"));
        assert!(glob_match("a*b*c", "axxbyyc"));
    }

    #[test]
    fn a_pattern_that_matches_nothing_suggests_what_it_meant() {
        let ids = [
            "patch.add.simple",
            "patch.remove.single",
            "users.create.status-201",
        ];
        assert!(suggest("patch", &ids).contains("'patch.*' (the 2 checks under patch)"));
        assert!(suggest("patch.add", &ids).contains("'patch.add.*'"));
        assert_eq!(
            suggest("status-201", &ids),
            "did you mean \"users.create.status-201\"?"
        );
        let far = suggest("pacth.add.*", &ids);
        assert!(far.starts_with("did you mean \"patch.add.*\""), "{far}");
        let sel = Selection {
            skip: vec!["users".into()],
            ..Selection::default()
        };
        let e = sel.validate_ids(&ids).err().map(|e| e.to_string());
        assert!(e.is_some_and(|e| e.contains("'users.*'")));
    }
}
