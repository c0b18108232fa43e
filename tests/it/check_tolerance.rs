//! Precision: behaviour the RFCs allow never fails a MUST, SHOULD or MAY check. Each provider
//! fault marked as an allowed variant reproduces what a real server did that scimtest once
//! judged wrongly (a relative `meta.location`, `endpoint: "/scim/v2/Users"`, error bodies
//! without `scimType`, `documentationUri: null` and `members: []`, members ignored on POST);
//! under each, the whole catalogue runs and only interoperability advice may fail.

use crate::check_catalogue::{run_checks, two_tenants};
use scimtest::conformance::catalogue;
use scimtest::conformance::model::{Level, Outcome};
use scimtest::provider::Fault;

/// The advice checks each variant is expected to trip (and nothing else).
fn expected_advice(f: Fault) -> &'static [&'static str] {
    match f {
        Fault::EndpointServerAbsolute => &["discovery.resource-types.endpoint-relative"],
        Fault::GroupPostIgnoresMembers => &["groups.create.members-stored"],
        _ => &[],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allowed_variants_fail_no_rfc_level_check() {
    let variants: Vec<Fault> = Fault::all()
        .iter()
        .copied()
        .filter(|f| f.is_allowed_variant())
        .collect();
    assert!(variants.len() >= 5, "{variants:?}");
    let mut wrong = Vec::new();
    for f in variants {
        let env = two_tenants(&[f]).await;
        let out = run_checks(&env, catalogue::all()).await;
        for c in &out.checks {
            let expected = expected_advice(f).contains(&c.id.as_str());
            let bad = match c.outcome {
                Outcome::Fail | Outcome::Error => !expected,
                Outcome::Pass | Outcome::Skip => expected,
            };
            if bad {
                wrong.push(format!(
                    "--fault {} {}: {} {:?}: {}",
                    f.name(),
                    c.level.as_str(),
                    c.id,
                    c.outcome,
                    c.reason
                ));
            }
            if expected {
                assert_eq!(c.level, Level::Advice, "{} must be advice", c.id);
            }
        }
        assert!(
            out.cleanup.leftovers.is_empty(),
            "--fault {}: leftovers {:?}",
            f.name(),
            out.cleanup.leftovers
        );
    }
    assert!(
        wrong.is_empty(),
        "verdicts on behaviour the RFCs allow:\n{}",
        wrong.join("\n")
    );
}
