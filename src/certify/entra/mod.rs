//! Microsoft Entra app gallery readiness: the 25 tests of Microsoft's SCIM Validation Logic
//! App as data (name, category, skip condition, what needs Entra itself), the probes that
//! predict each, the gallery's throughput requirement (scimtest's addition, judged by a paced
//! load), and Microsoft's overall rule: every mandatory test passes or is skipped, and at least
//! one of the two authentication tests passes.

pub mod auth;
pub mod direct;
pub mod groups;
pub mod users;

use crate::certify::judge::{self, Reports, TestSpec};
use crate::conformance::model::Check;
use crate::report::model::CheckReport;
use crate::report::readiness::{Category, Readiness, ReadyState, TestVerdict};

use Category::{Mandatory, Optional};

/// The probes of every Entra test scimtest can run.
pub fn probes() -> Vec<Check> {
    let mut all = users::probes();
    all.extend(groups::probes());
    all.extend(direct::probes());
    all.extend(auth::probes());
    all
}

const ENGINE: &str = "runs through Entra's provisioning engine and its audit log; scimtest sends the SCIM requests the engine sends (default dialect) and applies the test's criteria to the answers";

/// The 25 tests, in Microsoft's order, then the throughput requirement.
pub const TESTS: &[TestSpec] = &[
    TestSpec {
        name: "Create_User_Test",
        group: "User provisioning",
        category: Mandatory,
        validates: "An assigned user is created: the engine's userName filter finds none, the POST succeeds, the filter then finds the user.",
        skipped_when: "",
        needs_vendor: Some(ENGINE),
        judged_by: &["certify.entra.create-user"],
        related: &[
            "filter.miss.entra-lookup",
            "users.create.status-201",
            "replay.entra.default.user-lifecycle",
        ],
    },
    TestSpec {
        name: "Update_User_Test",
        group: "User provisioning",
        category: Mandatory,
        validates: "Changed mapped attributes are sent with PATCH Replace and every changed value reads back.",
        skipped_when: "",
        needs_vendor: Some(ENGINE),
        judged_by: &["certify.entra.update-user"],
        related: &[
            "patch.dialect.op-case-insensitive",
            "patch.replace.value-path",
            "patch.replace.simple",
        ],
    },
    TestSpec {
        name: "Disable_User_Test",
        group: "User provisioning",
        category: Mandatory,
        validates: "Disabling the user sends Replace active \"False\"; the endpoint accepts it and keeps serving the inactive user.",
        skipped_when: "",
        needs_vendor: Some(ENGINE),
        judged_by: &["certify.entra.disable-user"],
        related: &["patch.dialect.string-boolean", "users.deactivate.roundtrip"],
    },
    TestSpec {
        name: "Delete_User_Test",
        group: "User provisioning",
        category: Optional,
        validates: "Deleting the user sends DELETE; afterwards the user is gone (404 or no filter match).",
        skipped_when: "",
        needs_vendor: Some(ENGINE),
        judged_by: &["certify.entra.delete-user"],
        related: &["users.delete.status-204", "users.delete.gone"],
    },
    TestSpec {
        name: "User_Update_Manager_Test",
        group: "User provisioning",
        category: Mandatory,
        validates: "The enterprise manager is set, changed and removed (bare id string, then Remove), each read back.",
        skipped_when: "the app maps no manager attribute",
        needs_vendor: Some(ENGINE),
        judged_by: &["certify.entra.user-manager"],
        related: &["patch.dialect.manager-string"],
    },
    TestSpec {
        name: "Restore_User_Test",
        group: "User provisioning",
        category: Mandatory,
        validates: "Unassign then reassign: soft delete and restore through active (SoftDeleteRestore), or DELETE and re-create (UnassignReassign).",
        skipped_when: "",
        needs_vendor: Some(ENGINE),
        judged_by: &["certify.entra.restore-user"],
        related: &["users.deactivate.roundtrip", "patch.dialect.string-boolean"],
    },
    TestSpec {
        name: "POD_User_Test",
        group: "User provisioning",
        category: Mandatory,
        validates: "Provision on demand of one user succeeds and the user is on the SCIM side at once.",
        skipped_when: "",
        needs_vendor: Some(
            "needs Entra itself (Microsoft Graph provisionOnDemand); scimtest judged the SCIM requests on-demand provisioning sends, the same as Create_User_Test",
        ),
        judged_by: &["certify.entra.create-user"],
        related: &[],
    },
    TestSpec {
        name: "Create_Group_Test",
        group: "Group provisioning",
        category: Mandatory,
        validates: "An assigned group is created: the displayName filter finds none, the POST succeeds, the filter finds it. Fails when /Schemas has no Group schema.",
        skipped_when: "",
        needs_vendor: Some(ENGINE),
        judged_by: &["certify.entra.create-group"],
        related: &[
            "groups.create.status-201",
            "groups.filter.display-name",
            "replay.entra.default.group-lifecycle",
        ],
    },
    TestSpec {
        name: "Update_Group_Test",
        group: "Group provisioning",
        category: Mandatory,
        validates: "A renamed group is sent with PATCH Replace displayName and the new name reads back.",
        skipped_when: "",
        needs_vendor: Some(ENGINE),
        judged_by: &["certify.entra.update-group"],
        related: &[
            "groups.patch.pathless-replace-display-name",
            "patch.dialect.op-case-insensitive",
        ],
    },
    TestSpec {
        name: "Delete_Group_Test",
        group: "Group provisioning",
        category: Optional,
        validates: "A deleted group is sent DELETE; the displayName filter no longer finds it.",
        skipped_when: "",
        needs_vendor: Some(ENGINE),
        judged_by: &["certify.entra.delete-group"],
        related: &[],
    },
    TestSpec {
        name: "Group_Update_Add_Member_Test",
        group: "Group provisioning",
        category: Mandatory,
        validates: "A new member is sent with PATCH Add members [{value}] and accepted.",
        skipped_when: "",
        needs_vendor: Some(ENGINE),
        judged_by: &["certify.entra.group-add-member"],
        related: &["groups.patch.add-member"],
    },
    TestSpec {
        name: "Group_Update_Remove_Member_Test",
        group: "Group provisioning",
        category: Mandatory,
        validates: "A removed member is sent with PATCH Remove members and a value array, and accepted.",
        skipped_when: "",
        needs_vendor: Some(ENGINE),
        judged_by: &["certify.entra.group-remove-member"],
        related: &["groups.patch.remove-value-array"],
    },
    TestSpec {
        name: "POD_Group_Test",
        group: "Group provisioning",
        category: Mandatory,
        validates: "Provision on demand of one group succeeds. Fails when groups are unsupported.",
        skipped_when: "",
        needs_vendor: Some(
            "needs Entra itself (Microsoft Graph provisionOnDemand); scimtest judged the SCIM requests on-demand provisioning sends, the same as Create_Group_Test",
        ),
        judged_by: &["certify.entra.create-group"],
        related: &[],
    },
    TestSpec {
        name: "Restore_Group_Test",
        group: "Group provisioning",
        category: Optional,
        validates: "Unassign then reassign a group: DELETE, then the same group POSTed again is found.",
        skipped_when: "",
        needs_vendor: Some(ENGINE),
        judged_by: &["certify.entra.restore-group"],
        related: &[],
    },
    TestSpec {
        name: "Schema_Discoverability_Test",
        group: "SCIM compliance",
        category: Mandatory,
        validates: "GET /Schemas lists every mapped User and Group attribute, flattened the way Microsoft flattens them.",
        skipped_when: "",
        needs_vendor: None,
        judged_by: &["certify.entra.schema-discoverability"],
        related: &["discovery.schemas.list", "discovery.schemas.core-user"],
    },
    TestSpec {
        name: "SCIM_Null_Update_Test",
        group: "SCIM compliance",
        category: Mandatory,
        validates: "PATCH replace with \"\" and then with null clears every optional mapped attribute.",
        skipped_when: "",
        needs_vendor: None,
        judged_by: &["certify.entra.null-update"],
        related: &["patch.replace.simple"],
    },
    TestSpec {
        name: "SCIM_User_Create_Test",
        group: "SCIM compliance",
        category: Mandatory,
        validates: "POST /Users with the mapped attributes answers 200/201 with an id and the userName sent.",
        skipped_when: "",
        needs_vendor: None,
        judged_by: &["certify.entra.direct-user-create"],
        related: &["users.create.status-201"],
    },
    TestSpec {
        name: "SCIM_User_Update_Test",
        group: "SCIM compliance",
        category: Mandatory,
        validates: "PATCH replace of every eligible mapped attribute (single-valued string, integer, dateTime, boolean) reads back equal.",
        skipped_when: "",
        needs_vendor: None,
        judged_by: &["certify.entra.direct-user-update"],
        related: &["patch.replace.simple"],
    },
    TestSpec {
        name: "SCIM_Group_Create_Test",
        group: "SCIM compliance",
        category: Mandatory,
        validates: "POST /Groups answers 200/201 with an id and the displayName sent. Fails when groups are unsupported.",
        skipped_when: "",
        needs_vendor: None,
        judged_by: &["certify.entra.direct-group-create"],
        related: &["groups.create.status-201"],
    },
    TestSpec {
        name: "SCIM_Group_Update_Test",
        group: "SCIM compliance",
        category: Mandatory,
        validates: "PATCH replace of every writable single-valued Group attribute /Schemas declares reads back equal.",
        skipped_when: "",
        needs_vendor: None,
        judged_by: &["certify.entra.direct-group-update"],
        related: &[],
    },
    TestSpec {
        name: "Validate_Credentials_Test",
        group: "SCIM compliance",
        category: Mandatory,
        validates: "The OAuth 2.0 client-credentials token endpoint issues a token living 60 to 360 minutes, and the token opens GET /Users.",
        skipped_when: "the app uses a static bearer token (no token endpoint)",
        needs_vendor: None,
        judged_by: &["certify.entra.validate-credentials"],
        related: &["auth.missing-401", "auth.invalid-token-401"],
    },
    TestSpec {
        name: "Federated_Identity_Test",
        group: "SCIM compliance",
        category: Mandatory,
        validates: "Workload identity federation: an Entra token exchanged for the app's token.",
        skipped_when: "the app is not configured for workload identity federation",
        needs_vendor: Some(
            "needs a real Entra tenant and app registration (RFC 8693 token exchange against Entra); scimtest cannot run it and reports it skipped, as Microsoft does when it is not configured",
        ),
        judged_by: &[],
        related: &[],
    },
    TestSpec {
        name: "SCIM_User_Pagination_Test",
        group: "SCIM compliance",
        category: Mandatory,
        validates: "With at least 11 users, pages of 5 from startIndex 1: at least 2 pages, each answering startIndex = page*5+1.",
        skipped_when: "",
        needs_vendor: None,
        judged_by: &["certify.entra.user-pagination"],
        related: &[
            "pagination.start-index.one-based",
            "pagination.walk",
            "pagination.start-index.echo",
        ],
    },
    TestSpec {
        name: "SCIM_Group_Pagination_Test",
        group: "SCIM compliance",
        category: Optional,
        validates: "The same walk over /Groups.",
        skipped_when: "the target has no groups",
        needs_vendor: None,
        judged_by: &["certify.entra.group-pagination"],
        related: &[],
    },
    TestSpec {
        name: "SCIM_Update_Manager_Test",
        group: "SCIM compliance",
        category: Mandatory,
        validates: "PATCH add, replace and clear of the enterprise manager, each read back.",
        skipped_when: "manager is not a mapped target attribute",
        needs_vendor: None,
        judged_by: &["certify.entra.direct-manager"],
        related: &["patch.add.extension-attribute"],
    },
    TestSpec {
        name: "Gallery_Throughput (scimtest)",
        group: "Gallery requirements",
        category: Mandatory,
        validates: "Entra's gallery requires at least 25 requests per second per tenant: a paced load of Entra's request mix at 25 req/s holds its thresholds (no errors, no 429s, p99).",
        skipped_when: "",
        needs_vendor: Some(
            "not one of the Logic App's tests: the gallery's onboarding requirement, measured by scimtest (scenario entra-gallery)",
        ),
        judged_by: &["load.threshold.*"],
        related: &[],
    },
];

/// The probe ids `--for entra-gallery` runs (for the JUnit/`--list` views and the tests).
pub fn probe_ids() -> Vec<&'static str> {
    probes().iter().map(|c| c.id).collect()
}

/// The Entra gallery readiness from this run's reports (probes, load thresholds, related).
pub fn readiness(
    all: &[CheckReport],
    mapping: &str,
    load_ran: bool,
    dialect: crate::certify::probe::EntraDialect,
) -> Readiness {
    let reports = Reports::new(all);
    let mut tests: Vec<_> = TESTS.iter().map(|s| judge::verdict(s, &reports)).collect();
    for t in &mut tests {
        if t.name == "Federated_Identity_Test" {
            t.verdict = TestVerdict::Skipped;
            t.reason = "not configured: scimtest cannot run it (needs an Entra tenant)".into();
        }
        if t.name.starts_with("Gallery_Throughput") && !load_ran {
            t.verdict = TestVerdict::Unknown;
            t.reason = "not measured (--no-load)".into();
        }
    }
    let mut r = judge::readiness(
        "entra-gallery",
        "Microsoft Entra app gallery",
        "Microsoft's SCIM Validation Logic App (25 tests) and the gallery's 25 requests/second requirement",
        "Microsoft's rule: every mandatory test passes or is skipped, and Validate_Credentials_Test or Federated_Identity_Test passes; optional tests (Delete_User, Delete_Group, Restore_Group, SCIM_Group_Pagination) only warn.",
        &format!(
            "A prediction of Microsoft's validation from the SCIM traffic alone, not a replacement for it: tests that run through Entra's provisioning engine are emulated with the requests that engine sends in {}, and the submission still needs a Succeeded run of the Logic App in your tenant.",
            dialect.describe()
        ),
        tests,
    );
    r.mapping = Some(mapping.to_string());
    // Microsoft's extra rule: at least one authentication test passes.
    let auth_passed = r.tests.iter().any(|t| {
        matches!(
            t.name.as_str(),
            "Validate_Credentials_Test" | "Federated_Identity_Test"
        ) && t.verdict == TestVerdict::Pass
    });
    let auth_failed_already = r
        .tests
        .iter()
        .any(|t| t.name == "Validate_Credentials_Test" && t.verdict == TestVerdict::Fail);
    if !auth_passed && !auth_failed_already {
        let unknown = r
            .tests
            .iter()
            .any(|t| t.name == "Validate_Credentials_Test" && t.verdict == TestVerdict::Unknown);
        if !unknown {
            r.blockers.push(
                "authentication: neither Validate_Credentials_Test nor Federated_Identity_Test passes: the gallery needs OAuth 2.0 client credentials (give --oauth-token-url, --client-id and --client-secret-env) or workload identity federation (which only Microsoft's validation can test)".into(),
            );
            r.state = ReadyState::NotReady;
        } else if r.state == ReadyState::Ready {
            r.state = ReadyState::Incomplete;
        }
    }
    r
}
