//! Okta Integration Network readiness: Okta's SCIM 2.0 SPEC test (12 request steps) and CRUD
//! test as data, the probes that predict each step, and Okta's rule (every assertion of every
//! step holds).

pub mod crud;
pub mod runscope;
pub mod spec;

use crate::certify::judge::{self, Reports, TestSpec};
use crate::conformance::model::Check;
use crate::report::model::CheckReport;
use crate::report::readiness::{Category, Readiness};

use Category::{Mandatory, Optional};

/// The probes of every Okta step scimtest can run.
pub fn probes() -> Vec<Check> {
    let mut all = spec::probes();
    all.extend(crud::probes());
    all
}

const SPEC: &str = "Okta SCIM 2.0 SPEC test";
const CRUD: &str = "Okta SCIM 2.0 CRUD test";

const ENGINE: &str = "runs through an Okta org, Okta's API and Okta's provisioning engine; scimtest sends the SCIM requests Okta sends for the preceding steps (OIN profile: filter then POST to assign, GET then PUT for a profile change, a path-less PATCH of active to deactivate, reactivate and unassign) and applies the step's assertions to the SCIM user";

/// The SPEC and CRUD steps that reach the SCIM server, in Okta's order, then Group Push.
pub const TESTS: &[TestSpec] = &[
    TestSpec {
        name: "SPEC 0: Test Users endpoint",
        group: SPEC,
        category: Mandatory,
        validates: "GET /Users?count=1&startIndex=1 answers 200 with a ListResponse (schema, numeric itemsPerPage, startIndex and totalResults) whose first user has id, name.familyName, name.givenName, userName, active and emails[0].value. Okta needs one user on the server; scimtest creates a namespaced one when there is none.",
        skipped_when: "",
        needs_vendor: None,
        judged_by: &["certify.okta.spec-0-users-endpoint"],
        related: &[
            "pagination.list.shape",
            "pagination.start-index.one-based",
            "messages.list-response.schema",
            "replay.okta.oin.connection",
        ],
    },
    TestSpec {
        name: "SPEC 1: Get Users/{{id}}",
        group: SPEC,
        category: Mandatory,
        validates: "GET /Users/{id} of the user step 0 listed answers 200 with the same id and the six attributes not empty.",
        skipped_when: "",
        needs_vendor: None,
        judged_by: &["certify.okta.spec-1-get-user"],
        related: &["users.get.status-200", "messages.user.schema"],
    },
    TestSpec {
        name: "SPEC 2: Test invalid User by username",
        group: SPEC,
        category: Mandatory,
        validates: "A userName filter that matches nobody answers 200 with a ListResponse and totalResults 0.",
        skipped_when: "",
        needs_vendor: None,
        judged_by: &["certify.okta.spec-2-invalid-username"],
        related: &["filter.miss.empty-list", "filter.op.eq"],
    },
    TestSpec {
        name: "SPEC 3: Test invalid User by ID",
        group: SPEC,
        category: Mandatory,
        validates: "GET of an unknown id answers 404 with a detail and the Error schema.",
        skipped_when: "",
        needs_vendor: None,
        judged_by: &["certify.okta.spec-3-invalid-id"],
        related: &["users.get.unknown-404", "errors.shape"],
    },
    TestSpec {
        name: "SPEC 4: Make sure random user doesn't exist",
        group: SPEC,
        category: Mandatory,
        validates: "A userName filter for the user about to be created answers 200 with a ListResponse whose totalResults is the number 0.",
        skipped_when: "",
        needs_vendor: None,
        judged_by: &["certify.okta.spec-4-random-user-absent"],
        related: &["filter.miss.empty-list", "pagination.total-results"],
    },
    TestSpec {
        name: "SPEC 5: Create Okta user with realistic values",
        group: SPEC,
        category: Mandatory,
        validates: "POST /Users sent as application/json answers 201 (not 200) with an id, active true, the given and family names and userName sent, and the core User schema.",
        skipped_when: "",
        needs_vendor: None,
        judged_by: &["certify.okta.spec-5-create-user"],
        related: &[
            "users.create.status-201",
            "users.create.server-issued-id",
            "messages.user.schema",
        ],
    },
    TestSpec {
        name: "SPEC 6: Verify that user was created",
        group: SPEC,
        category: Mandatory,
        validates: "GET /Users/{id} of the created user answers 200 with the userName, given and family names sent.",
        skipped_when: "",
        needs_vendor: None,
        judged_by: &["certify.okta.spec-6-user-created"],
        related: &["users.get.status-200"],
    },
    TestSpec {
        name: "SPEC 7: Expect failure when recreating user with same values",
        group: SPEC,
        category: Mandatory,
        validates: "The same POST /Users again answers 409 (the body is not checked).",
        skipped_when: "",
        needs_vendor: None,
        judged_by: &["certify.okta.spec-7-duplicate-409"],
        related: &["users.create.uniqueness", "errors.scim-type"],
    },
    TestSpec {
        name: "SPEC 8: Username Case Sensitivity Check",
        group: SPEC,
        category: Mandatory,
        validates: "A filter on the upper-cased userName answers 200 (only the status is checked, not whether it matches).",
        skipped_when: "",
        needs_vendor: None,
        judged_by: &["certify.okta.spec-8-username-case"],
        related: &[
            "filter.eq.case-insensitive",
            "users.create.uniqueness-case-insensitive",
            "transport.request-charset",
        ],
    },
    TestSpec {
        name: "SPEC 9: Verify Groups endpoint",
        group: SPEC,
        category: Mandatory,
        validates: "GET /Groups answers 200 within 600 ms (measured from scimtest, not from Runscope's network). Okta labels this step optional, but Runscope fails the whole run when it fails, so it is mandatory here; a target without /Groups fails it as it fails Okta's run.",
        skipped_when: "",
        needs_vendor: None,
        judged_by: &["certify.okta.spec-9-groups-endpoint"],
        related: &["pagination.list.shape", "replay.okta.oin.group-lifecycle"],
    },
    TestSpec {
        name: "SPEC 10: Check status 401",
        group: SPEC,
        category: Mandatory,
        validates: "A request with Authorization: non-token answers 401 with a detail, status 401 (string or number) and the Error schema.",
        skipped_when: "",
        needs_vendor: None,
        judged_by: &["certify.okta.spec-10-status-401"],
        related: &["auth.invalid-token-401", "errors.status-string"],
    },
    TestSpec {
        name: "SPEC 11: Check status 404",
        group: SPEC,
        category: Mandatory,
        validates: "GET /Users/00919288221112222 answers 404 with a detail, status 404 (string or number) and the Error schema.",
        skipped_when: "",
        needs_vendor: None,
        judged_by: &["certify.okta.spec-11-status-404"],
        related: &[
            "users.get.unknown-404",
            "errors.status-string",
            "errors.shape",
        ],
    },
    TestSpec {
        name: "CRUD 3: Verify if user is created in SCIM App",
        group: CRUD,
        category: Mandatory,
        validates: "After Okta assigns a user (a userName filter, then POST /Users answered 201), a userName filter returns it first with userName and emails[0].value equal to the email and the Okta given and family names.",
        skipped_when: "",
        needs_vendor: Some(ENGINE),
        judged_by: &["certify.okta.crud-3-user-created"],
        related: &[
            "filter.op.eq",
            "users.create.status-201",
            "replay.okta.oin.user-lifecycle",
        ],
    },
    TestSpec {
        name: "CRUD 5: Verify firstname update in SCIM App",
        group: CRUD,
        category: Mandatory,
        validates: "After Okta changes the first name (GET of the user, then PUT of the whole user), GET /Users/{id} returns the new name.givenName.",
        skipped_when: "",
        needs_vendor: Some(ENGINE),
        judged_by: &["certify.okta.crud-5-firstname-update"],
        related: &["users.put.replaces", "replay.okta.oin.user-lifecycle"],
    },
    TestSpec {
        name: "CRUD 7: Verify if user is deactivated in SCIM App",
        group: CRUD,
        category: Mandatory,
        validates: "After Okta deactivates the user (PATCH replace {\"active\": false} without a path), GET /Users/{id} answers 200 with active false: the user is kept, not deleted.",
        skipped_when: "",
        needs_vendor: Some(ENGINE),
        judged_by: &["certify.okta.crud-7-user-deactivated"],
        related: &[
            "patch.dialect.pathless-deactivate",
            "users.deactivate.roundtrip",
            "replay.okta.oin.user-lifecycle",
        ],
    },
    TestSpec {
        name: "CRUD 10: Verify if user is reactivated in SCIM App",
        group: CRUD,
        category: Mandatory,
        validates: "After Okta reactivates and reassigns the deactivated user (PATCH replace {\"active\": true}), GET of the same id answers 200 with active true.",
        skipped_when: "",
        needs_vendor: Some(ENGINE),
        judged_by: &["certify.okta.crud-10-user-reactivated"],
        related: &[
            "patch.dialect.pathless-deactivate",
            "replay.okta.oin.user-lifecycle",
        ],
    },
    TestSpec {
        name: "CRUD 12: Verify if user is deactivated in SCIM App (after unassignment)",
        group: CRUD,
        category: Mandatory,
        validates: "After Okta removes the user's assignment (the same PATCH replace {\"active\": false}; Okta never sends DELETE), GET /Users/{id} answers 200 with active false.",
        skipped_when: "",
        needs_vendor: Some(ENGINE),
        judged_by: &["certify.okta.crud-12-unassignment-deactivated"],
        related: &[
            "patch.dialect.pathless-deactivate",
            "users.deactivate.roundtrip",
            "replay.okta.oin.user-lifecycle",
        ],
    },
    TestSpec {
        name: "Group Push",
        group: "Okta Group Push",
        category: Optional,
        validates: "Okta pushes a group: POST /Groups answered 201, a path-less replace of {id, displayName} before each membership change, add with path members, remove with members[value eq \"…\"] (a remove and an add in one PATCH), each read back, then DELETE answered 204. Not part of the Runscope suites; OIN reviews check it for integrations that push groups.",
        skipped_when: "the target has no Group resource type",
        needs_vendor: Some(
            "runs through Okta's Group Push; scimtest sends the SCIM requests Okta sends (OIN profile) and reads each change back",
        ),
        judged_by: &["certify.okta.group-push"],
        related: &[
            "groups.create.status-201",
            "groups.patch.pathless-replace-display-name",
            "groups.patch.add-member",
            "groups.patch.remove-by-filter",
            "replay.okta.oin.group-lifecycle",
        ],
    },
];

/// The Okta OIN readiness from this run's reports.
pub fn readiness(all: &[CheckReport]) -> Readiness {
    let reports = Reports::new(all);
    let tests = TESTS.iter().map(|s| judge::verdict(s, &reports)).collect();
    judge::readiness(
        "okta-oin",
        "Okta Integration Network",
        "Okta's Runscope SCIM 2.0 SPEC test (12 steps) and CRUD test",
        "Okta's rule: a Runscope run passes when every assertion of every step holds (Okta marks the Groups step optional, but Runscope fails the run on it).",
        "A prediction of Okta's Runscope tests from the SCIM traffic alone, not a replacement for them: the CRUD test's steps on Okta's own API are emulated with the SCIM requests Okta sends, and the OIN submission still needs links to your own Runscope runs.",
        tests,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn probes_are_okta_dialect_checks_and_each_judges_a_step() {
        let probes = probes();
        let ids: HashSet<&str> = probes.iter().map(|c| c.id).collect();
        assert_eq!(ids.len(), probes.len(), "probe ids are unique");
        for c in &probes {
            assert!(c.id.starts_with("certify.okta."), "{}", c.id);
            assert_eq!(
                c.level,
                crate::conformance::model::Level::Dialect,
                "{}",
                c.id
            );
            assert!(c.rfc.starts_with("Okta "), "{}", c.rfc);
            assert!(
                TESTS.iter().any(|t| t.judged_by.contains(&c.id)),
                "{} judges no step",
                c.id
            );
        }
        for t in TESTS {
            assert!(!t.judged_by.is_empty(), "{}", t.name);
            for j in t.judged_by {
                assert!(ids.contains(j), "{}: no probe {j}", t.name);
            }
        }
        let names: HashSet<&str> = TESTS.iter().map(|t| t.name).collect();
        assert_eq!(names.len(), TESTS.len(), "step names are unique");
    }

    #[test]
    fn only_group_push_is_optional_and_only_crud_steps_need_okta() {
        for t in TESTS {
            assert_eq!(t.category == Optional, t.name == "Group Push", "{}", t.name);
            assert_eq!(
                t.needs_vendor.is_some(),
                !t.name.starts_with("SPEC "),
                "{}",
                t.name
            );
        }
    }
}
