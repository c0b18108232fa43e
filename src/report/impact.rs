//! Why a check matters to which identity provider: a small table, keyed by check id prefix
//! (the longest prefix wins), of the replay profiles (`fixtures/idp/<idp>/<profile>`) that send
//! the request a check is about, and what breaks for them when the server gets it wrong. Every
//! row names the request as evidence (method, path, fragments of its JSON), and a test reads the
//! fixtures to prove each named profile sends it; a check no row covers says so. Shown by
//! `scimtest check --explain`. Pure data, no I/O.

/// The request a row is about, as it appears in a replay fixture's step.
#[derive(Debug, Clone, Copy)]
pub struct Sends {
    /// The HTTP method.
    pub method: &'static str,
    /// The path: exactly this, or (ending in `/`) anything under it.
    pub path: &'static str,
    /// Fragments of the step's request as compact JSON (query and body), all present.
    pub fragments: &'static [&'static str],
    /// Whether the fragments are matched with their case (`"op":"Replace"`).
    pub exact_case: bool,
}

/// One row: the checks under `prefix` matter to `profiles`, which send `sends`.
#[derive(Debug, Clone, Copy)]
pub struct Impact {
    /// Check id prefix (`patch.dialect.string-boolean`, `users.delete`, `patch`).
    pub prefix: &'static str,
    /// The request.
    pub sends: Sends,
    /// `idp/profile` of every replay profile that sends it.
    pub profiles: &'static [&'static str],
    /// What breaks for them when the server gets it wrong (one sentence, no final stop).
    pub why: &'static str,
}

/// The row for check `id`: the longest prefix (at a dot boundary) that has one.
pub fn impact(id: &str) -> Option<&'static Impact> {
    TABLE
        .iter()
        .filter(|r| id == r.prefix || id.starts_with(&format!("{}.", r.prefix)))
        .max_by_key(|r| r.prefix.len())
}

/// The IdP's name as people write it.
pub fn idp_name(idp: &str) -> &str {
    match idp {
        "entra" => "Entra ID",
        "okta" => "Okta",
        "onelogin" => "OneLogin",
        "google" => "Google Workspace",
        "jumpcloud" => "JumpCloud",
        "keycloak" => "Keycloak",
        "authentik" => "authentik",
        "ping" => "PingOne",
        "rippling" => "Rippling",
        other => other,
    }
}

/// `Entra ID (aadoptscim062020, default), Okta (oin)`: the profiles grouped by IdP.
pub fn profiles_line(profiles: &[&str]) -> String {
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    for p in profiles {
        let (idp, profile) = p.split_once('/').unwrap_or((p, ""));
        match groups.iter_mut().find(|(i, _)| *i == idp) {
            Some((_, v)) => v.push(profile),
            None => groups.push((idp, vec![profile])),
        }
    }
    groups
        .iter()
        .map(|(idp, v)| format!("{} ({})", idp_name(idp), v.join(", ")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The `why it matters` paragraph of `--explain` for check `id`.
pub fn explain(id: &str) -> String {
    match impact(id) {
        Some(r) => format!(
            "{} {}{} from {}: {}",
            r.sends.method,
            r.sends.path.trim_end_matches('/'),
            if r.sends.path.ends_with('/') {
                "/{id}"
            } else {
                ""
            },
            profiles_line(r.profiles),
            r.why
        ),
        None => "no IdP replay profile depends on this (the RFC still requires what its level \
                 says)"
            .to_string(),
    }
}

/// Every row.
pub const TABLE: &[Impact] = &[
    Impact {
        prefix: "users.create",
        sends: Sends {
            method: "POST",
            path: "/Users",
            fragments: &[],
            exact_case: false,
        },
        profiles: &[
            "authentik/aws",
            "authentik/default",
            "entra/aadoptscim062020",
            "entra/default",
            "google/workspace",
            "jumpcloud/default",
            "keycloak/keycloak-scim",
            "okta/aiw",
            "okta/group-push",
            "okta/oin",
            "onelogin/scim2",
            "ping/pingone",
            "rippling/default",
        ],
        why: "every replayed IdP creates users with POST /Users and keeps the id of the answer to address the user from then on; a create that answers anything but 201 with the resource leaves the IdP without that id",
    },
    Impact {
        prefix: "users.get",
        sends: Sends {
            method: "GET",
            path: "/Users/",
            fragments: &[],
            exact_case: false,
        },
        profiles: &[
            "authentik/aws",
            "authentik/default",
            "entra/aadoptscim062020",
            "entra/default",
            "google/workspace",
            "jumpcloud/default",
            "keycloak/keycloak-scim",
            "okta/aiw",
            "okta/oin",
            "onelogin/scim2",
            "ping/pingone",
            "rippling/default",
        ],
        why: "they read a user back by id (GET /Users/{id}); a wrong answer leaves them with a stale or missing copy of the user",
    },
    Impact {
        prefix: "users.put",
        sends: Sends {
            method: "PUT",
            path: "/Users/",
            fragments: &[],
            exact_case: false,
        },
        profiles: &[
            "authentik/aws",
            "authentik/default",
            "keycloak/keycloak-scim",
            "okta/aiw",
            "okta/oin",
            "onelogin/scim2",
            "ping/pingone",
        ],
        why: "they send a user's changes as a PUT of the whole resource; a PUT that does not replace leaves removed values (an old email, a cleared title) on the user",
    },
    Impact {
        prefix: "users.delete",
        sends: Sends {
            method: "DELETE",
            path: "/Users/",
            fragments: &[],
            exact_case: false,
        },
        profiles: &[
            "authentik/aws",
            "authentik/default",
            "entra/aadoptscim062020",
            "entra/default",
            "google/workspace",
            "jumpcloud/default",
            "keycloak/keycloak-scim",
            "onelogin/scim2",
            "ping/pingone",
        ],
        why: "they delete users with DELETE /Users/{id} (Entra ID only once the user is permanently deleted on its side); a DELETE that answers 204 but keeps the user leaves a leaver's account behind",
    },
    Impact {
        prefix: "users.deactivate",
        sends: Sends {
            method: "PATCH",
            path: "/Users/",
            fragments: &["\"path\":\"active\""],
            exact_case: false,
        },
        profiles: &[
            "entra/aadoptscim062020",
            "entra/default",
            "google/workspace",
            "jumpcloud/default",
            "rippling/default",
        ],
        why: "they disable a leaver with a PATCH that replaces active; a server that ignores it keeps leavers enabled",
    },
    Impact {
        prefix: "patch.dialect.string-boolean",
        sends: Sends {
            method: "PATCH",
            path: "/Users/",
            fragments: &["\"path\":\"active\",\"value\":\"False\""],
            exact_case: true,
        },
        profiles: &["entra/default"],
        why: "Entra ID's default dialect sends active as the string \"False\"/\"True\" (the aadOptscim062020 flag sends real booleans); a server that refuses or ignores the string keeps leavers enabled",
    },
    Impact {
        prefix: "patch.dialect.op-case-insensitive",
        sends: Sends {
            method: "PATCH",
            path: "/Users/",
            fragments: &["\"op\":\"Replace\""],
            exact_case: true,
        },
        profiles: &["entra/default"],
        why: "Entra ID's default dialect capitalises op (Add, Replace, Remove); a server that matches op case-sensitively refuses every update and disable Entra ID sends",
    },
    Impact {
        prefix: "patch.dialect.pathless-deactivate",
        sends: Sends {
            method: "PATCH",
            path: "/Users/",
            fragments: &["\"value\":{\"active\":false}"],
            exact_case: false,
        },
        profiles: &["okta/oin"],
        why: "Okta (OIN) deactivates a user with a PATCH replace without path whose value is {\"active\":false}; a server that ignores it keeps leavers enabled",
    },
    Impact {
        prefix: "patch.dialect.manager-string",
        sends: Sends {
            method: "PATCH",
            path: "/Users/",
            fragments: &["User:manager\",\"value\":\""],
            exact_case: false,
        },
        profiles: &["entra/aadoptscim062020", "entra/default"],
        why: "Entra ID sets the enterprise manager with a PATCH add whose value is the manager's id as a bare string; refusing it fails every manager update",
    },
    Impact {
        prefix: "patch.replace.value-path",
        sends: Sends {
            method: "PATCH",
            path: "/Users/",
            fragments: &["\"path\":\"emails[type eq"],
            exact_case: false,
        },
        profiles: &["entra/aadoptscim062020", "entra/default"],
        why: "Entra ID updates the work email with a PATCH replace on emails[type eq \"work\"].value; a server that cannot follow the value path drops email changes",
    },
    Impact {
        prefix: "patch.replace.no-path",
        sends: Sends {
            method: "PATCH",
            path: "/Users/",
            fragments: &["{\"op\":\"replace\",\"value\":{"],
            exact_case: false,
        },
        profiles: &["entra/aadoptscim062020", "okta/oin"],
        why: "they send a PATCH replace without path whose value is an object of attributes; a server that ignores it drops those updates",
    },
    Impact {
        prefix: "patch.add",
        sends: Sends {
            method: "PATCH",
            path: "/Users/",
            fragments: &["{\"op\":\"add\",\"path\":\""],
            exact_case: false,
        },
        profiles: &["entra/aadoptscim062020", "entra/default"],
        why: "Entra ID sends a PATCH add for an attribute that gets a value (nickName, the manager); a server that mishandles add drops those updates",
    },
    Impact {
        prefix: "patch",
        sends: Sends {
            method: "PATCH",
            path: "/Users/",
            fragments: &[],
            exact_case: false,
        },
        profiles: &[
            "entra/aadoptscim062020",
            "entra/default",
            "google/workspace",
            "jumpcloud/default",
            "okta/oin",
            "rippling/default",
        ],
        why: "they send user updates as PATCH /Users/{id}; a PATCH that is refused or ignored leaves the user as it was at creation",
    },
    Impact {
        prefix: "groups.create",
        sends: Sends {
            method: "POST",
            path: "/Groups",
            fragments: &[],
            exact_case: false,
        },
        profiles: &[
            "authentik/aws",
            "authentik/default",
            "entra/aadoptscim062020",
            "entra/default",
            "jumpcloud/default",
            "keycloak/keycloak-scim",
            "okta/aiw",
            "okta/group-push",
            "okta/oin",
            "onelogin/scim2",
            "ping/pingone",
            "rippling/default",
        ],
        why: "they create groups with POST /Groups and keep the id of the answer to push membership to it",
    },
    Impact {
        prefix: "groups.patch.add-member",
        sends: Sends {
            method: "PATCH",
            path: "/Groups/",
            fragments: &["{\"op\":\"add\",\"path\":\"members\""],
            exact_case: false,
        },
        profiles: &[
            "authentik/aws",
            "authentik/default",
            "entra/aadoptscim062020",
            "entra/default",
            "jumpcloud/default",
            "okta/group-push",
            "okta/oin",
            "onelogin/scim2",
            "ping/pingone",
            "rippling/default",
        ],
        why: "they add a member with a PATCH add on members; a server that ignores it leaves the user out of the group",
    },
    Impact {
        prefix: "groups.patch.remove-by-filter",
        sends: Sends {
            method: "PATCH",
            path: "/Groups/",
            fragments: &["\"path\":\"members[value eq"],
            exact_case: false,
        },
        profiles: &[
            "entra/aadoptscim062020",
            "okta/group-push",
            "okta/oin",
            "onelogin/scim2",
            "ping/pingone",
            "rippling/default",
        ],
        why: "they remove a member with a PATCH remove on members[value eq \"id\"]; a server that cannot follow the filter keeps removed users in the group (and its access)",
    },
    Impact {
        prefix: "groups.patch.remove-value-array",
        sends: Sends {
            method: "PATCH",
            path: "/Groups/",
            fragments: &["{\"op\":\"remove\",\"path\":\"members\",\"value\":["],
            exact_case: false,
        },
        profiles: &["authentik/default", "entra/default", "jumpcloud/default"],
        why: "they remove a member with a PATCH remove on members whose value lists the members; a server that ignores the value keeps removed users in the group or empties it",
    },
    Impact {
        prefix: "groups.patch.replace-members",
        sends: Sends {
            method: "PATCH",
            path: "/Groups/",
            fragments: &["{\"op\":\"replace\",\"path\":\"members\""],
            exact_case: false,
        },
        profiles: &["okta/group-push", "okta/oin"],
        why: "Okta's group push replaces the whole member list with a PATCH replace on members; a server that merges instead keeps removed users in the group",
    },
    Impact {
        prefix: "groups.patch.pathless-replace-display-name",
        sends: Sends {
            method: "PATCH",
            path: "/Groups/",
            fragments: &["{\"op\":\"replace\",\"value\":{", "\"displayName\""],
            exact_case: false,
        },
        profiles: &[
            "authentik/default",
            "entra/aadoptscim062020",
            "okta/group-push",
            "okta/oin",
        ],
        why: "they rename a group with a PATCH replace without path whose value carries displayName; a server that ignores it keeps the old name",
    },
    Impact {
        prefix: "groups.patch",
        sends: Sends {
            method: "PATCH",
            path: "/Groups/",
            fragments: &[],
            exact_case: false,
        },
        profiles: &[
            "authentik/aws",
            "authentik/default",
            "entra/aadoptscim062020",
            "entra/default",
            "jumpcloud/default",
            "okta/group-push",
            "okta/oin",
            "onelogin/scim2",
            "ping/pingone",
            "rippling/default",
        ],
        why: "they change group membership with PATCH /Groups/{id}; a PATCH that is refused or ignored leaves memberships as they were",
    },
    Impact {
        prefix: "groups.put",
        sends: Sends {
            method: "PUT",
            path: "/Groups/",
            fragments: &[],
            exact_case: false,
        },
        profiles: &["authentik/aws", "keycloak/keycloak-scim", "okta/aiw"],
        why: "they update a group with a PUT of the whole group, members included; a PUT that does not replace keeps removed members",
    },
    Impact {
        prefix: "groups.filter.display-name",
        sends: Sends {
            method: "GET",
            path: "/Groups",
            fragments: &["\"filter\":\"displayName eq"],
            exact_case: false,
        },
        profiles: &[
            "entra/aadoptscim062020",
            "entra/default",
            "jumpcloud/default",
            "okta/aiw",
            "okta/group-push",
            "okta/oin",
            "ping/pingone",
        ],
        why: "they look a group up with filter=displayName eq before creating it; a wrong answer makes them create duplicates or fail",
    },
    Impact {
        prefix: "groups.get.excluded-members",
        sends: Sends {
            method: "GET",
            path: "/Groups",
            fragments: &["\"excludedAttributes\":\"members\""],
            exact_case: false,
        },
        profiles: &["entra/aadoptscim062020", "entra/default"],
        why: "Entra ID reads groups with excludedAttributes=members so a large group's members are not sent back; a server that ignores it answers slowly or with huge bodies",
    },
    Impact {
        prefix: "groups.list.excluded-members",
        sends: Sends {
            method: "GET",
            path: "/Groups",
            fragments: &["\"excludedAttributes\":\"members\""],
            exact_case: false,
        },
        profiles: &["entra/aadoptscim062020", "entra/default"],
        why: "Entra ID reads groups with excludedAttributes=members so a large group's members are not sent back; a server that ignores it answers slowly or with huge bodies",
    },
    Impact {
        prefix: "filter.miss.entra-lookup",
        sends: Sends {
            method: "GET",
            path: "/Users",
            fragments: &["\"filter\":\"userName eq"],
            exact_case: false,
        },
        profiles: &["entra/aadoptscim062020", "entra/default"],
        why: "Entra ID looks a user up with filter=userName eq before creating it and needs 200 with an empty ListResponse for a miss: a 404 fails its test connection and every create",
    },
    Impact {
        prefix: "filter.miss",
        sends: Sends {
            method: "GET",
            path: "/Users",
            fragments: &["\"filter\":\"userName eq"],
            exact_case: false,
        },
        profiles: &[
            "authentik/aws",
            "authentik/default",
            "entra/aadoptscim062020",
            "entra/default",
            "google/workspace",
            "jumpcloud/default",
            "okta/aiw",
            "okta/group-push",
            "okta/oin",
            "onelogin/scim2",
            "ping/pingone",
        ],
        why: "they look a user up with filter=userName eq before creating it; Entra ID needs 200 with an empty ListResponse for a miss (a 404 fails its test connection), Okta and OneLogin accept either",
    },
    Impact {
        prefix: "filter.op.eq",
        sends: Sends {
            method: "GET",
            path: "/Users",
            fragments: &["\"filter\":\"userName eq"],
            exact_case: false,
        },
        profiles: &[
            "authentik/aws",
            "authentik/default",
            "entra/aadoptscim062020",
            "entra/default",
            "google/workspace",
            "jumpcloud/default",
            "okta/aiw",
            "okta/group-push",
            "okta/oin",
            "onelogin/scim2",
            "ping/pingone",
        ],
        why: "they match existing users with filter=userName eq; a filter that is ignored or wrong makes them create duplicates or update the wrong user",
    },
    Impact {
        prefix: "filter.eq",
        sends: Sends {
            method: "GET",
            path: "/Users",
            fragments: &["\"filter\":\"userName eq"],
            exact_case: false,
        },
        profiles: &[
            "authentik/aws",
            "authentik/default",
            "entra/aadoptscim062020",
            "entra/default",
            "google/workspace",
            "jumpcloud/default",
            "okta/aiw",
            "okta/group-push",
            "okta/oin",
            "onelogin/scim2",
            "ping/pingone",
        ],
        why: "they match existing users with filter=userName eq; userName is caseExact false, and Okta's own test looks the user up in upper case",
    },
    Impact {
        prefix: "filter.keywords.case-insensitive",
        sends: Sends {
            method: "GET",
            path: "/Users",
            fragments: &["\"filter\":\"username Eq"],
            exact_case: true,
        },
        profiles: &["ping/pingone"],
        why: "PingOne writes the filter as username Eq; a server that matches operators or attribute names case-sensitively finds no one and creates duplicates",
    },
    Impact {
        prefix: "pagination",
        sends: Sends {
            method: "GET",
            path: "/Users",
            fragments: &["\"startIndex\":"],
            exact_case: false,
        },
        profiles: &[
            "okta/aiw",
            "okta/group-push",
            "okta/oin",
            "rippling/default",
        ],
        why: "Okta and Rippling page through GET /Users and /Groups with startIndex and count; wrong paging makes an import miss or repeat users",
    },
    Impact {
        prefix: "discovery.spc",
        sends: Sends {
            method: "GET",
            path: "/ServiceProviderConfig",
            fragments: &[],
            exact_case: false,
        },
        profiles: &["authentik/aws", "authentik/default", "rippling/default"],
        why: "authentik and Rippling GET /ServiceProviderConfig in their replayed sessions; a wrong answer there misinforms them about what the server supports (PATCH, filter, bulk)",
    },
    Impact {
        prefix: "transport.request-charset",
        sends: Sends {
            method: "POST",
            path: "/Users",
            fragments: &["charset=utf-8"],
            exact_case: false,
        },
        profiles: &["okta/aiw", "okta/group-push", "okta/oin"],
        why: "Okta sends Content-Type: application/scim+json; charset=utf-8; a server that refuses the charset parameter refuses every Okta write",
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// Every request of one replay profile, as compact JSON with its method and path.
    fn requests(profile: &str) -> Vec<(String, String, String)> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/idp")
            .join(profile);
        let mut out = Vec::new();
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for e in entries {
            let path = e.unwrap_or_else(|e| panic!("{e}")).path();
            if path.file_name().is_some_and(|n| n == "profile.json") {
                continue;
            }
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let v: serde_json::Value =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            for step in v["steps"].as_array().into_iter().flatten() {
                let r = &step["request"];
                out.push((
                    r["method"].as_str().unwrap_or_default().to_string(),
                    r["path"].as_str().unwrap_or_default().to_string(),
                    r.to_string(),
                ));
            }
        }
        out
    }

    fn sends(s: &Sends, method: &str, path: &str, json: &str) -> bool {
        let path_ok = if s.path.ends_with('/') {
            path.starts_with(s.path)
        } else {
            path == s.path
        };
        let text = if s.exact_case {
            json.to_string()
        } else {
            json.to_ascii_lowercase()
        };
        method == s.method
            && path_ok
            && s.fragments.iter().all(|f| {
                if s.exact_case {
                    text.contains(f)
                } else {
                    text.contains(&f.to_ascii_lowercase())
                }
            })
    }

    /// The table claims only what the fixtures show: every profile a row names sends the
    /// row's request.
    #[test]
    fn every_named_profile_sends_the_request() {
        for r in TABLE {
            assert!(!r.profiles.is_empty(), "{}", r.prefix);
            for p in r.profiles {
                assert!(
                    requests(p)
                        .iter()
                        .any(|(m, path, json)| sends(&r.sends, m, path, json)),
                    "{p} does not send what the {} row says: {:?}",
                    r.prefix,
                    r.sends
                );
            }
        }
    }

    #[test]
    fn the_longest_prefix_wins_and_a_check_no_row_covers_says_so() {
        let string_boolean = explain("patch.dialect.string-boolean");
        assert!(
            string_boolean.starts_with("PATCH /Users/{id} from Entra ID (default): "),
            "{string_boolean}"
        );
        assert!(explain("patch.remove.single").contains("PATCH /Users/{id}"));
        assert!(explain("bulk.basic").starts_with("no IdP replay profile depends on this"));
        assert!(impact("patches").is_none());
        assert_eq!(
            profiles_line(&["entra/a", "okta/b", "entra/c"]),
            "Entra ID (a, c), Okta (b)"
        );
    }
}
