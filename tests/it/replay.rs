//! `scimtest replay` through the library: every embedded profile would provision against the
//! reference provider and leaves nothing behind; each profile's verdict flips to "would break"
//! under provider faults that model the real bugs that IdP trips on; hostile targets give
//! verdicts with evidence, not panics.

use crate::support::Env;
use scimtest::client::{Client, Namespace, Redactor, TargetConfig};
use scimtest::provider::Fault;
use scimtest::provider::store::Kind;
use scimtest::replay::{self, Selection, fixture};
use scimtest::report::model::{Outcome, ProfileVerdict, Severity};

fn client(base_url: &str, token: &str) -> Client {
    let cfg = TargetConfig {
        timeout: std::time::Duration::from_secs(5),
        ..TargetConfig::bearer(base_url, token)
    };
    Client::new(cfg, Redactor::new([token.to_string()], [])).unwrap_or_else(|e| panic!("{e}"))
}

fn select(idp: &[&str], profile: &[&str]) -> Vec<fixture::Fixture> {
    let sel = Selection {
        idps: idp.iter().map(|s| s.to_string()).collect(),
        profiles: profile.iter().map(|s| s.to_string()).collect(),
        flows: Vec::new(),
    };
    sel.apply(fixture::embedded().unwrap_or_else(|e| panic!("{e}")))
        .unwrap_or_else(|e| panic!("{e}"))
}

async fn replay_on(env: &Env, fixtures: Vec<fixture::Fixture>) -> replay::ReplayOutput {
    let c = client(&env.handle.base_url, &env.handle.token);
    replay::run(c, Namespace::new(), fixtures, 4, &|_| {}).await
}

fn left_on(env: &Env) -> usize {
    let slot = env
        .handle
        .provider
        .authenticate(Some(&env.handle.token))
        .unwrap_or_else(|| panic!("token"));
    env.handle.provider.count(slot, Kind::User) + env.handle.provider.count(slot, Kind::Group)
}

#[tokio::test]
async fn every_profile_would_provision_against_the_reference_provider_and_nothing_is_left() {
    let env = Env::start().await;
    let all = select(&[], &[]);
    let profiles: std::collections::BTreeSet<(String, String)> = all
        .iter()
        .map(|f| (f.idp.clone(), f.profile.clone()))
        .collect();
    assert!(profiles.len() >= 5, "{profiles:?}");
    let out = replay_on(&env, all).await;
    for f in &out.flows {
        assert_eq!(
            f.outcome,
            Outcome::Pass,
            "{}: {:?}",
            f.key,
            f.break_at.as_ref().map(|b| (&b.name, &b.got))
        );
        assert!(f.steps.iter().all(|s| s.exchange.is_some()), "{}", f.key);
    }
    let verdicts = replay::profile_verdicts(&out.flows);
    assert_eq!(verdicts.len(), profiles.len());
    // Every flow is either replayed or listed as not applicable (with why) in the manifest.
    for p in &verdicts {
        let not_applicable = p.about.as_ref().map_or(0, |a| a.not_applicable.len());
        assert!(
            p.would_provision && p.flows.len() + not_applicable == 4,
            "{}/{}: {} flows, {not_applicable} not applicable",
            p.idp,
            p.profile,
            p.flows.len()
        );
        assert!(!p.flows.is_empty(), "{}/{}", p.idp, p.profile);
    }
    assert!(out.cleanup.leftovers.is_empty(), "{:?}", out.cleanup);
    assert!(out.cleanup.created > 0);
    assert_eq!(left_on(&env), 0, "the replay left resources behind");
}

fn verdict<'a>(v: &'a [ProfileVerdict], idp: &str, profile: &str) -> &'a ProfileVerdict {
    v.iter()
        .find(|p| p.idp == idp && p.profile == profile)
        .unwrap_or_else(|| panic!("no verdict for {idp}/{profile}"))
}

/// (fault, idp, profile, the step where it must break): each models a bug real servers have
/// that this IdP trips on.
const FLIPS: &[(Fault, &str, &str, &str)] = &[
    // Entra sends capitalised ops ("Replace") without the flag.
    (
        Fault::PatchOpCaseSensitive,
        "entra",
        "default",
        "update-attributes",
    ),
    // Entra's connection test and create-or-match need an empty ListResponse, not 404.
    (
        Fault::FilterMiss404,
        "entra",
        "default",
        "probe-random-user",
    ),
    (
        Fault::FilterMiss404,
        "entra",
        "aadoptscim062020",
        "probe-random-user",
    ),
    // The flag sends path-less replaces with dotted keys.
    (
        Fault::PatchPathlessIgnored,
        "entra",
        "aadoptscim062020",
        "read-back-update-attributes",
    ),
    // Entra's deprovisioning (active "False", and the tutorial's boolean) answers 2xx under
    // this fault; only the read-back sees that the user stays active.
    (
        Fault::ActiveIgnored,
        "entra",
        "default",
        "read-back-disable-user",
    ),
    (
        Fault::ActiveIgnored,
        "entra",
        "aadoptscim062020",
        "verify-disabled",
    ),
    // Okta AIW updates and deactivates with a full PUT.
    (Fault::PutIgnored, "okta", "aiw", "update-attributes"),
    (Fault::ActiveIgnored, "okta", "aiw", "deactivate"),
    // Okta OIN deactivates with a path-less replace of {"active": false}.
    (Fault::PatchPathlessIgnored, "okta", "oin", "deactivate"),
    (Fault::ActiveIgnored, "okta", "oin", "deactivate"),
    // OneLogin suspends with a PUT of the template carrying "active": "false".
    (
        Fault::ActiveIgnored,
        "onelogin",
        "scim2",
        "read-back-suspended",
    ),
    (Fault::PutIgnored, "onelogin", "scim2", "update-attributes"),
    // authentik renames a group with a path-less replace PATCH whose body has no PatchOp
    // "schemas" (pydantic's exclude_unset drops the default); a server that insists on it
    // (allowed: RFC 7644 §3.5.2's MUST binds the client) refuses every rename.
    (
        Fault::PatchSchemasRequired,
        "authentik",
        "default",
        "rename-group",
    ),
    // Okta's "Push now" of a group with no members is a replace of members with [] (SCIM-SDK
    // #757): a server that wants at least one member value fails the push.
    (
        Fault::ReplaceEmptyMembersRejected,
        "okta",
        "group-push",
        "push-empty-membership",
    ),
    // JumpCloud, Google and Rippling deprovision by setting active to false; only the
    // read-back sees a server that answers 2xx and keeps the user active.
    (
        Fault::ActiveIgnored,
        "jumpcloud",
        "default",
        "read-back-deactivate-user",
    ),
    (
        Fault::ActiveIgnored,
        "google",
        "workspace",
        "read-back-suspend-user",
    ),
    (
        Fault::ActiveIgnored,
        "rippling",
        "default",
        "read-back-terminate-user",
    ),
    // PingOne sends the admin's filter expression as typed: "username Eq \"%s\"".
    (
        Fault::FilterKeywordsCaseSensitive,
        "ping",
        "pingone",
        "test-connection-lookup",
    ),
    // authentik deactivates with a full PUT carrying "active": false, in every compatibility mode.
    (
        Fault::ActiveIgnored,
        "authentik",
        "default",
        "read-back-deactivate-user",
    ),
    (
        Fault::ActiveIgnored,
        "authentik",
        "aws",
        "read-back-deactivate-user",
    ),
    // The keycloak-scim plugin's SCIM SDK takes only a 201 as a created resource: a 200 leaves
    // the user unmapped, never updated or deleted.
    (Fault::Create200, "keycloak", "keycloak-scim", "create-user"),
    (
        Fault::ActiveIgnored,
        "keycloak",
        "keycloak-scim",
        "read-back-disable-user",
    ),
];

#[tokio::test]
async fn each_profile_would_break_under_the_faults_that_idp_trips_on() {
    for (fault, idp, profile, step) in FLIPS {
        let env = Env::with_faults(&[*fault]).await;
        let out = replay_on(&env, select(&[idp], &[profile])).await;
        let v = replay::profile_verdicts(&out.flows);
        let p = verdict(&v, idp, profile);
        assert!(
            !p.would_provision,
            "{idp}/{profile} still provisions under {}",
            fault.name()
        );
        let b = p
            .flows
            .iter()
            .find_map(|f| f.break_at.as_ref())
            .unwrap_or_else(|| panic!("no break point"));
        assert_eq!(
            b.name,
            *step,
            "{idp}/{profile} under {}: {}",
            fault.name(),
            p.verdict
        );
        assert!(!b.why.is_empty() && !b.got.is_empty());
        assert!(p.verdict.starts_with("would break at "), "{}", p.verdict);
        // The evidence of the broken flow includes the exchange of the breaking step.
        let broken = out
            .flows
            .iter()
            .find(|f| f.outcome != Outcome::Pass)
            .unwrap_or_else(|| panic!("no broken flow"));
        let ex = broken.steps[b.step - 1]
            .exchange
            .as_ref()
            .unwrap_or_else(|| panic!("no exchange for the breaking step"));
        assert!(ex.status.is_some());
        // Even a broken replay cleans up after itself.
        assert_eq!(left_on(&env), 0, "{idp}/{profile} under {}", fault.name());
    }
}

#[tokio::test]
async fn every_profile_that_deactivates_would_break_when_deactivation_does_not_stick() {
    let env = Env::with_faults(&[Fault::ActiveIgnored]).await;
    let out = replay_on(&env, select(&[], &[])).await;
    let v = replay::profile_verdicts(&out.flows);
    // Profiles without a user flow (Okta Group Push) deactivate nobody and are unaffected.
    let (with_users, without): (Vec<_>, Vec<_>) = v
        .iter()
        .partition(|p| p.flows.iter().any(|f| f.flow == "user-lifecycle"));
    assert!(with_users.len() >= 9, "{}", with_users.len());
    for p in &without {
        assert!(p.would_provision, "{}/{}: {}", p.idp, p.profile, p.verdict);
    }
    for p in &with_users {
        assert!(
            !p.would_provision && p.severity == Some(Severity::Breaking),
            "{}/{}: {}",
            p.idp,
            p.profile,
            p.verdict
        );
        let user = p
            .flows
            .iter()
            .find(|f| f.flow == "user-lifecycle")
            .unwrap_or_else(|| panic!("no user-lifecycle"));
        assert_eq!(user.outcome, Outcome::Fail, "{}/{}", p.idp, p.profile);
    }
    assert_eq!(left_on(&env), 0);
}

/// (fault, idp, profile, flow, the read-back that sees the destroyed data): servers that answer
/// 2xx and destroy data the IdP did not ask to destroy.
const DESTROYS: &[(Fault, &str, &str, &str, &str)] = &[
    // Entra removes one member with a value array; the server empties the group.
    (
        Fault::PatchRemoveAllMembers,
        "entra",
        "default",
        "group-lifecycle",
        "verify-remaining-member",
    ),
    // OneLogin adds members one PATCH at a time; the second replaces the first.
    (
        Fault::PatchAddReplacesMembers,
        "onelogin",
        "scim2",
        "group-lifecycle",
        "read-back-members",
    ),
    // Okta OIN's swap (remove one, add one) leaves only the added member.
    (
        Fault::PatchAddReplacesMembers,
        "okta",
        "oin",
        "group-lifecycle",
        "verify-members-swapped",
    ),
    // Okta OIN deactivates with a path-less replace of {"active": false}; a server that reads it
    // as a full replace wipes the user's name and manager.
    (
        Fault::PatchPathlessClearsOthers,
        "okta",
        "oin",
        "user-lifecycle",
        "verify-deactivated",
    ),
    // Okta OIN's name PATCH (path-less replace of id and displayName) comes with every
    // membership change; read as a full replace, it empties the group.
    (
        Fault::PatchPathlessClearsOthers,
        "okta",
        "oin",
        "group-lifecycle",
        "verify-rename",
    ),
    // A filter that returns everything: Entra would match the manager to the user it created.
    (
        Fault::FilterIgnored,
        "entra",
        "default",
        "user-lifecycle",
        "existence-check-manager",
    ),
    (
        Fault::FilterIgnored,
        "okta",
        "aiw",
        "user-lifecycle",
        "existence-check-manager",
    ),
    // Okta Group Push adds a member incrementally after a full push; an add that replaces
    // the list drops the members pushed before.
    (
        Fault::PatchAddReplacesMembers,
        "okta",
        "group-push",
        "group-lifecycle",
        "read-back-add-member",
    ),
    // Group Push renames with a path-less replace of {id, displayName} (the same PATCH precedes
    // every membership update); read as a full replace, it empties the pushed group. The
    // provider skips no-op PATCHes, so the first name PATCH that changes something shows it.
    (
        Fault::PatchPathlessClearsOthers,
        "okta",
        "group-push",
        "group-lifecycle",
        "read-back-rename-group",
    ),
    // JumpCloud removes a member with a value array and no filter.
    (
        Fault::PatchRemoveAllMembers,
        "jumpcloud",
        "default",
        "group-lifecycle",
        "read-back-remove-member",
    ),
    // Rippling adds members one PATCH at a time; the second replaces the first.
    (
        Fault::PatchAddReplacesMembers,
        "rippling",
        "default",
        "group-lifecycle",
        "read-back-add-member-2",
    ),
    // A filter that returns everything: PingOne and Google would match the next user to the
    // one provisioned before it.
    (
        Fault::FilterIgnored,
        "ping",
        "pingone",
        "full-sync",
        "lookup-noah",
    ),
    (
        Fault::FilterIgnored,
        "google",
        "workspace",
        "full-sync",
        "initial-lookup-chloe",
    ),
    // authentik removes one member with path "members" and a value array; the server empties
    // the group.
    (
        Fault::PatchRemoveAllMembers,
        "authentik",
        "default",
        "group-lifecycle",
        "read-back-remove-member-1",
    ),
    // After a 409 authentik adopts the first result of its userName filter: with the filter
    // ignored it links carol to another account (and overwrites it at the next sync).
    (
        Fault::FilterIgnored,
        "authentik",
        "default",
        "full-sync",
        "cycle1-lookup-carol",
    ),
    (
        Fault::FilterIgnored,
        "authentik",
        "aws",
        "full-sync",
        "cycle1-lookup-carol",
    ),
];

#[tokio::test]
async fn servers_that_destroy_data_get_a_destructive_verdict_shown_first() {
    for (fault, idp, profile, flow, step) in DESTROYS {
        let env = Env::with_faults(&[*fault]).await;
        // The flow alone, so that no concurrent flow's users show up in an ignored filter.
        let fixtures: Vec<_> = select(&[idp], &[profile])
            .into_iter()
            .filter(|f| f.flow == *flow)
            .collect();
        let out = replay_on(&env, fixtures).await;
        let f = &out.flows[0];
        assert_eq!(
            f.severity,
            Some(Severity::Destructive),
            "{idp}/{profile}/{flow} under {}: {:?}",
            fault.name(),
            f.break_at
        );
        let d = f
            .destroys_data_at
            .as_ref()
            .unwrap_or_else(|| panic!("no destroys_data_at"));
        assert_eq!(d.name, *step, "{}: {}", fault.name(), d.got);
        let v = replay::profile_verdicts(&out.flows);
        assert!(
            v[0].verdict.starts_with("would destroy data at "),
            "{}",
            v[0].verdict
        );
        assert_eq!(left_on(&env), 0, "{idp}/{profile} under {}", fault.name());
    }
    // Shown first: a profile that only breaks comes after one that destroys data, whatever the
    // order of the flows.
    // (Entra's flag sends path-less replaces, so only aadoptscim062020 breaks on the second.)
    let env = Env::with_faults(&[Fault::PatchRemoveAllMembers, Fault::PatchPathlessIgnored]).await;
    let out = replay_on(&env, select(&["entra"], &[])).await;
    let v = replay::profile_verdicts(&out.flows);
    assert_eq!(v.len(), 2);
    assert_eq!(
        (v[0].profile.as_str(), v[0].severity),
        ("default", Some(Severity::Destructive)),
        "{v:?}"
    );
    assert_eq!(
        (v[1].profile.as_str(), v[1].severity),
        ("aadoptscim062020", Some(Severity::Breaking)),
        "{v:?}"
    );
}

#[tokio::test]
async fn representation_choices_the_rfcs_allow_break_no_profile() {
    // A relative meta.location, a server-absolute ResourceType endpoint, errors without
    // scimType, and null / [] for unassigned attributes (RFC 7643 §2.5: "members": [] under
    // excludedAttributes=members, as django-scim2 answers) are all allowed; no IdP flow may
    // break on them.
    for f in [
        Fault::RelativeLocation,
        Fault::EndpointServerAbsolute,
        Fault::ScimTypeSparse,
        Fault::NullForUnassigned,
    ] {
        let env = Env::with_faults(&[f]).await;
        let out = replay_on(&env, select(&[], &[])).await;
        for fl in &out.flows {
            assert_eq!(
                fl.outcome,
                Outcome::Pass,
                "--fault {}: {}: {:?}",
                f.name(),
                fl.key,
                fl.break_at.as_ref().map(|b| (&b.name, &b.got))
            );
        }
        assert_eq!(left_on(&env), 0, "--fault {}: leftovers", f.name());
    }
}

#[tokio::test]
async fn a_fault_an_idp_never_trips_on_leaves_its_verdict_alone() {
    // Okta and OneLogin accept a 404 for a filter miss; Entra's profiles must not mask that.
    let env = Env::with_faults(&[Fault::FilterMiss404]).await;
    let out = replay_on(&env, select(&["okta", "onelogin"], &[])).await;
    let v = replay::profile_verdicts(&out.flows);
    assert!(v.iter().all(|p| p.would_provision), "{v:?}");
}

#[tokio::test]
async fn a_target_answering_garbage_breaks_every_flow_with_evidence() {
    use wiremock::matchers::any;
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>not scim</html>"))
        .mount(&server)
        .await;
    let c = client(&format!("{}/scim/v2", server.uri()), "t0ken-garbage");
    let out = replay::run(
        c,
        Namespace::new(),
        select(&["entra"], &["default"]),
        2,
        &|_| {},
    )
    .await;
    assert_eq!(out.flows.len(), 4);
    for f in &out.flows {
        assert_eq!(f.outcome, Outcome::Fail, "{}", f.key);
        let b = f.break_at.as_ref().unwrap_or_else(|| panic!("no break"));
        assert!(
            b.got.contains("not JSON") || b.got.contains("expected"),
            "{}",
            b.got
        );
        assert!(f.steps[b.step - 1].exchange.is_some());
    }
}

#[tokio::test]
async fn a_hanging_target_ends_each_flow_after_one_timeout() {
    use wiremock::matchers::any;
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_delay(std::time::Duration::from_secs(30)))
        .mount(&server)
        .await;
    let cfg = TargetConfig {
        timeout: std::time::Duration::from_millis(300),
        ..TargetConfig::bearer(format!("{}/scim/v2", server.uri()), "t")
    };
    let c = Client::new(cfg, Redactor::default()).unwrap_or_else(|e| panic!("{e}"));
    let started = std::time::Instant::now();
    let out = replay::run(c, Namespace::new(), select(&["okta"], &["aiw"]), 4, &|_| {}).await;
    // 4 flows in parallel: one timed-out step each, cleanup steps need captured ids (none),
    // and the sweep's two list calls: a few timeouts, not one per step.
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    for f in &out.flows {
        assert_eq!(f.outcome, Outcome::Error, "{}", f.key);
        assert!(
            f.steps.iter().skip(1).all(|s| s.exchange.is_none()),
            "{}",
            f.key
        );
    }
}

#[tokio::test]
async fn an_unreachable_target_is_an_error_not_a_break() {
    // Bind then drop: the port is closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"));
    let c = client(&format!("http://127.0.0.1:{port}/scim/v2"), "t");
    let out = replay::run(c, Namespace::new(), select(&["okta"], &["oin"]), 2, &|_| {}).await;
    for f in &out.flows {
        assert_eq!(f.outcome, Outcome::Error, "{}", f.key);
        assert!(
            f.steps[0].reason.starts_with("no response"),
            "{}",
            f.steps[0].reason
        );
    }
}

#[test]
fn replaying_a_flow_twice_gives_the_same_normalised_transcript() {
    let rt = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
    let render = || {
        rt.block_on(async {
            let env = Env::start().await;
            let out = replay_on(&env, select(&["entra"], &["default"])).await;
            out.flows
                .iter()
                .map(|f| replay::transcript::render(f, &env.handle.base_url))
                .collect::<Vec<_>>()
        })
    };
    let (a, b) = (render(), render());
    assert_eq!(a, b);
    assert!(
        a[1].contains("{{user1.id}}") && a[1].contains("{{run}}"),
        "{}",
        a[1]
    );
    assert!(!a[1].contains("127.0.0.1"));
}
