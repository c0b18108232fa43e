//! Correctness under load: every check passes on the clean provider and leaves nothing behind,
//! fails under the fault it names, and turns an unreachable target into errors, not panics.

use crate::support::*;
use scimtest::client::{Client, Namespace, Redactor, TargetConfig};
use scimtest::load::correctness::{self, CHECKS};
use scimtest::provider::Fault;
use scimtest::report::model::{CheckReport, Outcome};

fn client(env: &Env) -> Client {
    Client::new(
        TargetConfig::bearer(env.handle.base_url.clone(), &env.handle.token),
        Redactor::default(),
    )
    .unwrap_or_else(|e| panic!("client: {e}"))
}

fn find<'a>(reports: &'a [CheckReport], id: &str) -> &'a CheckReport {
    reports
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("no report {id}"))
}

async fn run(env: &Env, concurrency: usize) -> (Vec<CheckReport>, Namespace) {
    let ns = Namespace::new();
    let reports = correctness::run_all(&client(env), &ns, concurrency).await;
    (reports, ns)
}

async fn total(env: &Env, endpoint: &str) -> u64 {
    let r = env.get(endpoint).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json["totalResults"].as_u64().unwrap_or(u64::MAX)
}

fn fault_named(name: &str) -> Fault {
    Fault::named(name).unwrap_or_else(|| panic!("no fault {name}"))
}

#[tokio::test]
async fn every_check_passes_on_the_clean_provider_and_leaves_nothing() {
    let env = Env::start().await;
    let (reports, ns) = run(&env, 8).await;
    assert_eq!(reports.len(), CHECKS.len());
    for r in &reports {
        assert_eq!(r.outcome, Outcome::Pass, "{}: {}", r.id, r.reason);
        assert_eq!(r.area, "load");
        assert!(r.evidence.len() <= correctness::MAX_EVIDENCE, "{}", r.id);
        assert!(r.hint.is_none(), "{}", r.id);
    }
    let uniq = find(&reports, correctness::UNIQUE_USERNAME.id);
    assert!(
        uniq.reason.contains("1×201, 7×409 uniqueness"),
        "{}",
        uniq.reason
    );
    assert_eq!(ns.tracked(), 0, "the checks untrack what they deleted");
    assert_eq!(total(&env, "/Users").await, 0);
    assert_eq!(total(&env, "/Groups").await, 0);
}

#[tokio::test]
async fn run_counts_what_it_created() {
    let env = Env::start().await;
    let ns = Namespace::new();
    let run = correctness::run(&client(&env), &ns, 8).await;
    // unique-username 1, read-your-write 8 lanes, member adds 1 group + 8 users.
    assert_eq!(run.created, 1 + 8 + 1 + 8);
    assert_eq!(run.reports.len(), CHECKS.len());
}

#[tokio::test]
async fn relative_locations_are_resolved_against_the_base_url() {
    let env = Env::with_faults(&[Fault::RelativeLocation]).await;
    let (reports, ns) = run(&env, 8).await;
    for r in &reports {
        assert_eq!(r.outcome, Outcome::Pass, "{}: {}", r.id, r.reason);
    }
    assert_eq!(ns.tracked(), 0);
    assert_eq!(total(&env, "/Users").await, 0);
    assert_eq!(total(&env, "/Groups").await, 0);
}

#[tokio::test]
async fn a_larger_burst_still_passes_on_the_clean_provider() {
    let env = Env::start().await;
    let (reports, ns) = run(&env, 32).await;
    for r in &reports {
        assert_eq!(r.outcome, Outcome::Pass, "{}: {}", r.id, r.reason);
    }
    assert_eq!(ns.tracked(), 0);
    assert_eq!(total(&env, "/Users").await, 0);
    assert_eq!(total(&env, "/Groups").await, 0);
}

#[tokio::test]
async fn every_check_fails_under_the_fault_it_names() {
    for spec in CHECKS {
        let env = Env::with_faults(&[fault_named(spec.fault)]).await;
        let (reports, _ns) = run(&env, 8).await;
        let r = find(&reports, spec.id);
        assert_eq!(
            r.outcome,
            Outcome::Fail,
            "{} under --fault {}: {}",
            spec.id,
            spec.fault,
            r.reason
        );
        assert!(r.hint.is_some(), "{}", spec.id);
        assert!(!r.evidence.is_empty(), "{}", spec.id);
        assert!(r.evidence.len() <= correctness::MAX_EVIDENCE, "{}", spec.id);
    }
}

#[tokio::test]
async fn duplicate_usernames_are_reported_with_counts_and_cleaned_up() {
    let env = Env::with_faults(&[Fault::NoUniqueness]).await;
    let (reports, ns) = run(&env, 8).await;
    let r = find(&reports, correctness::UNIQUE_USERNAME.id);
    assert_eq!(r.outcome, Outcome::Fail);
    assert!(r.reason.contains("8 answered 2xx"), "{}", r.reason);
    assert!(r.reason.contains("found 8 users"), "{}", r.reason);
    // The eight duplicates were ours and are gone; so is everything else.
    assert_eq!(ns.tracked(), 0);
    assert_eq!(total(&env, "/Users").await, 0);
}

#[tokio::test]
async fn lost_member_updates_name_the_missing_members() {
    let env = Env::with_faults(&[Fault::LostMemberUpdates]).await;
    let (reports, _ns) = run(&env, 8).await;
    let r = find(&reports, correctness::CONCURRENT_MEMBER_ADDS.id);
    assert_eq!(r.outcome, Outcome::Fail);
    assert!(r.reason.contains("lost"), "{}", r.reason);
    assert!(r.reason.contains("after 1 s"), "{}", r.reason);
    // The other checks are unaffected by this fault.
    for id in [
        correctness::UNIQUE_USERNAME.id,
        correctness::READ_YOUR_WRITE.id,
        correctness::NO_LEFTOVERS.id,
    ] {
        let o = find(&reports, id);
        assert_eq!(o.outcome, Outcome::Pass, "{id}: {}", o.reason);
    }
    assert_eq!(total(&env, "/Groups").await, 0);
}

#[tokio::test]
async fn stale_reads_show_what_was_written_and_what_came_back() {
    let env = Env::with_faults(&[Fault::StaleReads]).await;
    let (reports, _ns) = run(&env, 8).await;
    let r = find(&reports, correctness::READ_YOUR_WRITE.id);
    assert_eq!(r.outcome, Outcome::Fail);
    assert!(r.reason.contains("the next GET answered"), "{}", r.reason);
    assert_eq!(r.evidence.len(), 2, "the write and the stale read");
    assert_eq!(r.evidence[1].method, "GET");
}

#[tokio::test]
async fn ignored_deletes_are_leftovers() {
    let env = Env::with_faults(&[Fault::DeleteIgnored]).await;
    let (reports, ns) = run(&env, 8).await;
    let r = find(&reports, correctness::NO_LEFTOVERS.id);
    assert_eq!(r.outcome, Outcome::Fail);
    assert!(r.reason.contains("still there"), "{}", r.reason);
    // Leftovers are tracked again so the run's cleanup retries them.
    assert!(ns.tracked() > 0);
}

#[tokio::test]
async fn an_unreachable_target_is_an_error_not_a_panic() {
    // Bind a port, then free it: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"));
    let mut cfg = TargetConfig::bearer(format!("http://127.0.0.1:{port}/scim/v2"), "t");
    cfg.timeout = std::time::Duration::from_secs(2);
    let client = Client::new(cfg, Redactor::default()).unwrap_or_else(|e| panic!("client: {e}"));
    let ns = Namespace::new();
    let reports = correctness::run_all(&client, &ns, 8).await;
    assert_eq!(reports.len(), CHECKS.len());
    for r in &reports[..3] {
        assert_eq!(r.outcome, Outcome::Error, "{}: {}", r.id, r.reason);
        assert!(!r.evidence.is_empty(), "{}", r.id);
        assert!(r.evidence.iter().any(|e| e.error.is_some()), "{}", r.id);
    }
    // Nothing was deleted, so nothing to look for by id; the filters get no answer.
    assert_eq!(reports[3].outcome, Outcome::Error, "{}", reports[3].reason);
}

#[test]
fn every_check_is_in_the_one_catalogue_with_its_fault() {
    use scimtest::report::catalogue::RunsUnder;
    let listed = scimtest::catalogue::entries();
    for spec in CHECKS {
        fault_named(spec.fault);
        assert!(
            listed
                .iter()
                .any(|e| e.meta == spec && e.runs_under == RunsUnder::Load),
            "{} is not listed by `scimtest check --list`",
            spec.id
        );
    }
    let load: Vec<&str> = listed
        .iter()
        .filter(|e| e.runs_under == RunsUnder::Load)
        .map(|e| e.meta.id)
        .collect();
    let ids: Vec<&str> = CHECKS.iter().map(|c| c.id).collect();
    assert_eq!(
        load, ids,
        "the listing holds exactly the checks `load` runs"
    );
}
