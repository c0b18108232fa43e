//! The reference provider against the requirement catalogue (shared/research/conformance.md
//! part (b)): one test per requirement not already covered elsewhere in `tests/it/`, grouped by
//! area, each naming its catalogue id.

use crate::support::*;
use serde_json::{Value, json};

const LIST: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
const SEARCH: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
const BULK: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// GET /Users?filter=… and return the userNames found, sorted.
async fn names_matching(env: &Env, filter: &str) -> Vec<String> {
    let r = env.get(&format!("/Users?filter={}", enc(filter))).await;
    assert_eq!(r.status, 200, "{filter}: {}", r.text);
    let mut v: Vec<String> = r.json["Resources"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|u| u["userName"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    assert_eq!(r.json["totalResults"], v.len(), "{filter}: {}", r.text);
    v
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// userNames of a ListResponse, in order.
fn page_names(r: &Resp) -> Vec<String> {
    r.json["Resources"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|u| u["userName"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

async fn create(env: &Env, body: Value) -> Value {
    let r = env.post("/Users", body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.json
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap_or_default().to_string()
}

async fn with_header(
    env: &Env,
    method: &str,
    path: &str,
    body: Option<&Value>,
    h: (&str, &str),
) -> Resp {
    let token = env.handle.token.clone();
    env.send_as(Some(&token), method, path, body, &[h]).await
}

// ----- Discovery --------------------------------------------------------------------------------

// DISC-02, DISC-03
#[tokio::test]
async fn spc_required_fields_are_present_and_typed() {
    let env = Env::start().await;
    let r = env.get("/ServiceProviderConfig").await;
    assert!(r.json["bulk"]["maxOperations"].is_u64(), "{}", r.text);
    assert!(r.json["bulk"]["maxPayloadSize"].is_u64(), "{}", r.text);
    assert!(r.json["filter"]["maxResults"].is_u64(), "{}", r.text);
    let schemes = r.json["authenticationSchemes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(!schemes.is_empty());
    for s in schemes {
        for k in ["type", "name", "description"] {
            assert!(s[k].is_string(), "{k} in {s}");
        }
    }
}

// DISC-05
#[tokio::test]
async fn every_discovery_endpoint_refuses_filter_with_403() {
    let env = Env::start().await;
    for ep in ["/ResourceTypes", "/ServiceProviderConfig", "/Schemas"] {
        env.get(&format!("{ep}?filter=id%20eq%20%22x%22"))
            .await
            .assert_error(403, None);
    }
}

// DISC-06, DISC-07, DISC-08
#[tokio::test]
async fn resource_types_are_a_list_response_with_required_fields() {
    let env = Env::start().await;
    let r = env.get("/ResourceTypes").await;
    assert_eq!(r.json["schemas"][0], LIST);
    let rts = r.json["Resources"].as_array().cloned().unwrap_or_default();
    assert_eq!(rts.len(), 2);
    for rt in &rts {
        assert_eq!(
            rt["schemas"][0],
            "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
        );
        for k in ["name", "endpoint", "schema"] {
            assert!(rt[k].is_string(), "{k} in {rt}");
        }
        for ext in rt["schemaExtensions"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            assert!(
                ext["schema"].is_string() && ext["required"].is_boolean(),
                "{ext}"
            );
        }
    }
    let g = env.get("/ResourceTypes/Group").await;
    assert_eq!(g.status, 200);
    assert_eq!(g.json["endpoint"], "/Groups");
    assert!(
        g.json.get("Resources").is_none(),
        "single object, not wrapped"
    );
}

fn walk_attrs(attrs: &Value, depth: usize, out: &mut Vec<(usize, Value)>) {
    for a in attrs.as_array().cloned().unwrap_or_default() {
        out.push((depth, a.clone()));
        walk_attrs(&a["subAttributes"], depth + 1, out);
    }
}

// DISC-10, DISC-12, DISC-13
#[tokio::test]
async fn schema_attributes_carry_valid_characteristics_and_no_deep_complex() {
    let env = Env::start().await;
    let r = env.get("/Schemas").await;
    assert_eq!(r.json["schemas"][0], LIST);
    let schemas = r.json["Resources"].as_array().cloned().unwrap_or_default();
    assert!(schemas.len() >= 3);
    // The RFC 7643 §7 meta-schema itself nests complex `subAttributes` inside `attributes`, so
    // DISC-13 applies to the resource schemas only.
    for s in schemas {
        let resource_schema = [USER, GROUP, ENTERPRISE].contains(&s["id"].as_str().unwrap_or(""));
        let mut all = Vec::new();
        walk_attrs(&s["attributes"], 0, &mut all);
        assert!(!all.is_empty(), "{}", s["id"]);
        for (depth, a) in all {
            let ctx = format!("{} {}", s["id"], a["name"]);
            assert!(a["name"].is_string(), "{ctx}");
            assert!(a["multiValued"].is_boolean(), "{ctx}");
            assert!(a["required"].is_boolean(), "{ctx}");
            let t = a["type"].as_str().unwrap_or_default();
            assert!(
                [
                    "string",
                    "boolean",
                    "decimal",
                    "integer",
                    "dateTime",
                    "binary",
                    "reference",
                    "complex"
                ]
                .contains(&t),
                "{ctx}: type {t}"
            );
            assert!(
                ["readOnly", "readWrite", "immutable", "writeOnly"]
                    .contains(&a["mutability"].as_str().unwrap_or_default()),
                "{ctx}"
            );
            assert!(
                ["always", "never", "default", "request"]
                    .contains(&a["returned"].as_str().unwrap_or_default()),
                "{ctx}"
            );
            if t != "complex" {
                assert!(
                    ["none", "server", "global"]
                        .contains(&a["uniqueness"].as_str().unwrap_or_default()),
                    "{ctx}"
                );
            }
            if t == "string" || t == "reference" {
                assert!(a["caseExact"].is_boolean(), "{ctx}");
            }
            if depth > 0 && resource_schema {
                assert_ne!(t, "complex", "{ctx}: complex sub-attribute");
            }
        }
    }
}

// DISC-14
#[tokio::test]
async fn core_user_schema_declares_the_rfc_characteristics() {
    let env = Env::start().await;
    let s = env.get(&format!("/Schemas/{USER}")).await;
    let attr = |name: &str| {
        s.json["attributes"]
            .as_array()
            .and_then(|a| a.iter().find(|x| x["name"] == name))
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(attr("userName")["caseExact"], false);
    assert_eq!(attr("password")["mutability"], "writeOnly");
    assert_eq!(attr("password")["returned"], "never");
    assert_eq!(attr("groups")["mutability"], "readOnly");
}

// ----- Transport --------------------------------------------------------------------------------

// HTTP-06
#[tokio::test]
async fn unknown_query_parameters_are_ignored() {
    let env = Env::start().await;
    env.user("q").await;
    let r = env.get("/Users?foo=bar").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["totalResults"], 1);
}

// HTTP-07
#[tokio::test]
async fn attributes_parameter_matches_names_case_insensitively() {
    let env = Env::start().await;
    let u = create(
        &env,
        json!({"schemas": [USER], "userName": "casey", "displayName": "Casey", "title": "T"}),
    )
    .await;
    let id = id_of(&u);
    let r = env.get(&format!("/Users/{id}?attributes=USERNAME")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["userName"], "casey");
    assert_eq!(r.json["id"], id.as_str());
    assert!(r.json.get("displayName").is_none(), "{}", r.text);
    assert!(r.json.get("title").is_none(), "{}", r.text);
    let r = env
        .get(&format!("/Users/{id}?excludedAttributes=DISPLAYNAME"))
        .await;
    assert!(r.json.get("displayName").is_none(), "{}", r.text);
    assert_eq!(r.json["title"], "T");
    let r = env.get("/Users?attributes=USERNAME").await;
    assert_eq!(r.json["Resources"][0]["userName"], "casey");
    assert!(r.json["Resources"][0].get("title").is_none(), "{}", r.text);
}

// HTTP-01 (HEAD is GET without a body)
#[tokio::test]
async fn head_is_get_without_a_body() {
    let env = Env::start().await;
    let id = env.user("head").await;
    let g = env.get(&format!("/Users/{id}")).await;
    let h = env.send("HEAD", &format!("/Users/{id}"), None).await;
    assert_eq!(h.status, 200);
    assert!(h.text.is_empty());
    assert_eq!(h.header("etag"), g.header("etag"));
    assert_eq!(h.header("content-type"), Some("application/scim+json"));
    let h = env.send("HEAD", "/Users", None).await;
    assert_eq!(h.status, 200);
    assert!(h.text.is_empty());
    let h = env.send("HEAD", "/Users/nope", None).await;
    assert_eq!(h.status, 404);
    let h = env.send("HEAD", "/ServiceProviderConfig", None).await;
    assert_eq!(h.status, 200);
}

// ----- Users ------------------------------------------------------------------------------------

fn is_datetime(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| chrono::DateTime::parse_from_rfc3339(s).is_ok())
}

// USR-03, USR-05
#[tokio::test]
async fn create_sets_id_and_complete_meta() {
    let env = Env::start().await;
    let u = create(&env, json!({"schemas": [USER], "userName": "meta"})).await;
    assert!(
        u["id"]
            .as_str()
            .is_some_and(|s| !s.is_empty() && s != "bulkId")
    );
    assert_eq!(u["meta"]["resourceType"], "User");
    assert!(is_datetime(&u["meta"]["created"]), "{u}");
    assert!(is_datetime(&u["meta"]["lastModified"]), "{u}");
    assert!(u["meta"]["location"].is_string());
}

fn has_schema(v: &Value, urn: &str) -> bool {
    v["schemas"]
        .as_array()
        .is_some_and(|a| a.iter().any(|s| s == urn))
}

// USR-06
#[tokio::test]
async fn schemas_lists_the_extension_iff_it_has_data() {
    let env = Env::start().await;
    let u = create(
        &env,
        json!({"schemas": [USER, ENTERPRISE], "userName": "noext"}),
    )
    .await;
    assert!(has_schema(&u, USER));
    assert!(!has_schema(&u, ENTERPRISE), "no extension data: {u}");
    assert!(u.get(ENTERPRISE).is_none());
    let u = create(
        &env,
        json!({"schemas": [USER, ENTERPRISE], "userName": "emptyext", ENTERPRISE: {}}),
    )
    .await;
    assert!(
        u.get(ENTERPRISE).is_none(),
        "no empty extension object: {u}"
    );
    assert!(!has_schema(&u, ENTERPRISE), "{u}");
    let u = create(
        &env,
        json!({"schemas": [USER, ENTERPRISE], "userName": "ext", ENTERPRISE: {"department": "D"}}),
    )
    .await;
    assert!(has_schema(&u, ENTERPRISE), "{u}");
    let g = env.get(&format!("/Users/{}", id_of(&u))).await;
    assert!(has_schema(&g.json, ENTERPRISE), "{}", g.text);
}

// USR-07, SCH-02 (POST)
#[tokio::test]
async fn read_only_groups_on_create_are_ignored() {
    let env = Env::start().await;
    let g = env.group("G", &[]).await;
    let r = env
        .post(
            "/Users",
            json!({"schemas": [USER], "userName": "rog", "groups": [{"value": g}]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert!(r.json.get("groups").is_none(), "{}", r.text);
    let gr = env.get(&format!("/Groups/{g}")).await;
    assert!(member_ids(&gr.json).is_empty());
}

// USR-10
#[tokio::test]
async fn a_string_where_a_multi_valued_complex_belongs_is_invalid_value() {
    let env = Env::start().await;
    env.post(
        "/Users",
        json!({"schemas": [USER], "userName": "t", "emails": "x"}),
    )
    .await
    .assert_error(400, Some("invalidValue"));
    env.post(
        "/Users",
        json!({"schemas": [USER], "userName": "t", "name": "x"}),
    )
    .await
    .assert_error(400, Some("invalidValue"));
}

// USR-14
#[tokio::test]
async fn a_full_user_round_trips() {
    let env = Env::start().await;
    let body = json!({
        "schemas": [USER, ENTERPRISE],
        "userName": "full@example.com",
        "externalId": "ext-1",
        "name": {"givenName": "Full", "familyName": "User", "formatted": "Full User"},
        "displayName": "Full User",
        "nickName": "fu",
        "title": "Boss",
        "userType": "Employee",
        "preferredLanguage": "en-GB",
        "locale": "en-GB",
        "timezone": "Europe/London",
        "active": true,
        "emails": [{"value": "full@example.com", "type": "work", "primary": true}, {"value": "f@home.example", "type": "home"}],
        "phoneNumbers": [{"value": "+44 1234", "type": "mobile"}],
        "addresses": [{"streetAddress": "1 Road", "locality": "Town", "country": "GB", "type": "work"}],
        "x509Certificates": [{"value": "TUlJRERqQ0NBbldnQXdJQkFnSUNBUT09"}],
        ENTERPRISE: {"employeeNumber": "7", "costCenter": "CC", "organization": "O", "division": "Dv", "department": "Dp"}
    });
    let u = create(&env, body.clone()).await;
    let g = env.get(&format!("/Users/{}", id_of(&u))).await;
    for (k, want) in body.as_object().cloned().unwrap_or_default() {
        if k == "schemas" {
            continue;
        }
        assert_eq!(g.json[&k], want, "{k}: {}", g.text);
    }
}

// USR-18, ATT-09
#[tokio::test]
async fn default_representation_never_carries_write_only_values() {
    let env = Env::start().await;
    let u = create(
        &env,
        json!({"schemas": [USER], "userName": "wo", "password": "Pa55word!x"}),
    )
    .await;
    assert!(u.get("password").is_none());
    let id = id_of(&u);
    for q in ["", "?attributes=password", "?attributes=userName,password"] {
        let r = env.get(&format!("/Users/{id}{q}")).await;
        assert_eq!(r.status, 200, "{q}: {}", r.text);
        assert!(r.json.get("password").is_none(), "{q}: {}", r.text);
        assert!(!r.text.contains("Pa55word"), "{q}");
    }
    let r = env
        .post(
            "/Users/.search",
            json!({"schemas": [SEARCH], "attributes": ["password"]}),
        )
        .await;
    assert!(!r.text.contains("Pa55word"), "{}", r.text);
}

// USR-21, SCH-02 (PUT)
#[tokio::test]
async fn put_ignores_read_only_meta_and_groups() {
    let env = Env::start().await;
    let g = env.group("G", &[]).await;
    let u = create(&env, json!({"schemas": [USER], "userName": "ro"})).await;
    let id = id_of(&u);
    let r = env
        .put(
            &format!("/Users/{id}"),
            json!({"schemas": [USER], "userName": "ro", "displayName": "RO",
                   "meta": {"created": "1999-01-01T00:00:00Z", "resourceType": "Group"},
                   "groups": [{"value": g}]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["meta"]["created"], u["meta"]["created"]);
    assert_eq!(r.json["meta"]["resourceType"], "User");
    assert!(r.json.get("groups").is_none(), "{}", r.text);
    assert!(member_ids(&env.get(&format!("/Groups/{g}")).await.json).is_empty());
}

// USR-23, SCH-05
#[tokio::test]
async fn put_without_required_user_name_is_400_invalid_value() {
    let env = Env::start().await;
    let id = env.user("req").await;
    env.put(
        &format!("/Users/{id}"),
        json!({"schemas": [USER], "displayName": "x"}),
    )
    .await
    .assert_error(400, Some("invalidValue"));
    let gid = env.group("G", &[]).await;
    env.put(&format!("/Groups/{gid}"), json!({"schemas": [GROUP]}))
        .await
        .assert_error(400, Some("invalidValue"));
    assert_eq!(
        env.get(&format!("/Users/{id}")).await.json["userName"],
        "req"
    );
}

// USR-31
#[tokio::test]
async fn last_modified_advances_on_put_and_patch_while_created_stays() {
    let env = Env::start().await;
    let u = create(&env, json!({"schemas": [USER], "userName": "ts"})).await;
    let id = id_of(&u);
    let at = |v: &Value, k: &str| {
        chrono::DateTime::parse_from_rfc3339(v["meta"][k].as_str().unwrap_or_default())
            .unwrap_or_else(|e| panic!("{k}: {e}: {v}"))
    };
    let created = at(&u, "created");
    let mut last = at(&u, "lastModified");
    assert!(last >= created);
    for step in 0..3 {
        let r = if step % 2 == 0 {
            env.put(
                &format!("/Users/{id}"),
                json!({"schemas": [USER], "userName": "ts", "displayName": format!("v{step}")}),
            )
            .await
        } else {
            env.patch(
                &format!("/Users/{id}"),
                json!([{"op": "replace", "path": "displayName", "value": format!("v{step}")}]),
            )
            .await
        };
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(at(&r.json, "created"), created, "created must not move");
        let now = at(&r.json, "lastModified");
        assert!(
            now > last,
            "step {step}: lastModified {now} must advance past {last}"
        );
        let g = env.get(&format!("/Users/{id}")).await;
        assert_eq!(at(&g.json, "lastModified"), now);
        last = now;
    }
}

// ----- Groups -----------------------------------------------------------------------------------

// GRP-01, GRP-02
#[tokio::test]
async fn group_create_is_201_with_location_and_resource_type() {
    let env = Env::start().await;
    let u = env.user("m").await;
    let r = env
        .post(
            "/Groups",
            json!({"schemas": [GROUP], "displayName": "Ops", "members": [{"value": u}]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["meta"]["resourceType"], "Group");
    assert_eq!(r.header("location"), r.json["meta"]["location"].as_str());
    let gr = env.get(r.header("location").unwrap_or_default()).await;
    assert_eq!(gr.status, 200);
    assert_eq!(member_ids(&gr.json), vec![u]);
}

// GRP-04 (displayName is uniqueness "none" in RFC 7643 §4.2, so duplicates are allowed)
#[tokio::test]
async fn duplicate_group_display_name_is_allowed_as_the_schema_says() {
    let env = Env::start().await;
    env.group("Dup", &[]).await;
    env.group("Dup", &[]).await;
    assert_eq!(
        env.get("/Groups?filter=displayName%20eq%20%22Dup%22")
            .await
            .json["totalResults"],
        2
    );
}

// GRP-09, GRP-11
#[tokio::test]
async fn patch_remove_all_members_and_replace_members() {
    let env = Env::start().await;
    let a = env.user("a").await;
    let b = env.user("b").await;
    let c = env.user("c").await;
    let g = env.group("G", &[&a, &b]).await;
    let r = env
        .patch(
            &format!("/Groups/{g}"),
            json!([{"op": "replace", "path": "members", "value": [{"value": c}]}]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        member_ids(&env.get(&format!("/Groups/{g}")).await.json),
        vec![c.clone()]
    );
    assert!(
        env.get(&format!("/Users/{a}"))
            .await
            .json
            .get("groups")
            .is_none()
    );
    assert_eq!(
        env.get(&format!("/Users/{c}")).await.json["groups"][0]["value"],
        g.as_str()
    );
    let r = env
        .patch(
            &format!("/Groups/{g}"),
            json!([{"op": "remove", "path": "members"}]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(member_ids(&env.get(&format!("/Groups/{g}")).await.json).is_empty());
    assert!(
        env.get(&format!("/Users/{c}"))
            .await
            .json
            .get("groups")
            .is_none()
    );
}

// GRP-13
#[tokio::test]
async fn put_group_with_members_replaces_the_member_set() {
    let env = Env::start().await;
    let a = env.user("a").await;
    let b = env.user("b").await;
    let c = env.user("c").await;
    let g = env.group("G", &[&a]).await;
    let r = env
        .put(
            &format!("/Groups/{g}"),
            json!({"schemas": [GROUP], "displayName": "G2", "members": [{"value": b}, {"value": c}]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let mut want = vec![b.clone(), c.clone()];
    want.sort();
    assert_eq!(member_ids(&r.json), want);
    let gr = env.get(&format!("/Groups/{g}")).await;
    assert_eq!(member_ids(&gr.json), want);
    assert_eq!(gr.json["displayName"], "G2");
    assert_eq!(gr.json["members"][0]["type"], "User");
    assert!(
        env.get(&format!("/Users/{a}"))
            .await
            .json
            .get("groups")
            .is_none()
    );
    let ub = env.get(&format!("/Users/{b}")).await;
    assert_eq!(ub.json["groups"][0]["value"], g.as_str());
    assert_eq!(ub.json["groups"][0]["display"], "G2");
    // members.value eq finds the group for the new members only.
    let f = |u: &str| {
        format!(
            "/Groups?filter={}",
            enc(&format!("members.value eq \"{u}\""))
        )
    };
    assert_eq!(env.get(&f(&b)).await.json["totalResults"], 1);
    assert_eq!(env.get(&f(&a)).await.json["totalResults"], 0);
}

// GRP-15, GRP-16
#[tokio::test]
async fn group_filters_on_display_name_and_member_value() {
    let env = Env::start().await;
    let u = env.user("x").await;
    let g1 = env.group("Sales", &[&u]).await;
    let g2 = env.group("Support", &[&u]).await;
    env.group("Other", &[]).await;
    let r = env
        .get("/Groups?filter=displayName%20eq%20%22sales%22")
        .await;
    assert_eq!(r.json["totalResults"], 1, "{}", r.text);
    assert_eq!(r.json["Resources"][0]["id"], g1.as_str());
    let r = env
        .get(&format!(
            "/Groups?filter={}",
            enc(&format!("members.value eq \"{u}\""))
        ))
        .await;
    assert_eq!(r.json["totalResults"], 2, "{}", r.text);
    let r = env
        .get(&format!(
            "/Groups?filter={}",
            enc(&format!(
                "members.value eq \"{u}\" and displayName sw \"Su\""
            ))
        ))
        .await;
    assert_eq!(r.json["totalResults"], 1, "{}", r.text);
    assert_eq!(r.json["Resources"][0]["id"], g2.as_str());
    let r = env
        .get(&format!(
            "/Groups?filter={}",
            enc(&format!(
                "members[value eq \"{u}\"] or displayName eq \"Other\""
            ))
        ))
        .await;
    assert_eq!(r.json["totalResults"], 3, "{}", r.text);
    let r = env
        .get(&format!(
            "/Groups?filter={}",
            enc("members.value eq \"nobody\"")
        ))
        .await;
    assert_eq!(r.json["totalResults"], 0, "{}", r.text);
}

// ----- Filtering --------------------------------------------------------------------------------

async fn filter_fixture(env: &Env) {
    create(env, json!({"schemas": [USER], "userName": "ann", "externalId": "Ext-A", "title": "Dev",
        "active": true,
        "emails": [{"value": "ann@x.example", "type": "work"}, {"value": "ann@home.example", "type": "home"}]})).await;
    create(env, json!({"schemas": [USER], "userName": "bob", "externalId": "ext-b",
        "active": false,
        "emails": [{"value": "bob@y.example", "type": "work"}, {"value": "bob@x.example", "type": "home"}]})).await;
    create(
        env,
        json!({"schemas": [USER, ENTERPRISE], "userName": "cat", "title": "",
        "active": true, ENTERPRISE: {"employeeNumber": "9"}}),
    )
    .await;
}

// FLT-03
#[tokio::test]
async fn case_exact_external_id_filter_respects_case() {
    let env = Env::start().await;
    filter_fixture(&env).await;
    assert_eq!(
        names_matching(&env, "externalId eq \"Ext-A\"").await,
        strs(&["ann"])
    );
    assert!(
        names_matching(&env, "externalId eq \"ext-a\"")
            .await
            .is_empty()
    );
}

// FLT-04
#[tokio::test]
async fn filter_attribute_names_and_operators_are_case_insensitive() {
    let env = Env::start().await;
    filter_fixture(&env).await;
    assert_eq!(
        names_matching(&env, "USERNAME EQ \"ANN\"").await,
        strs(&["ann"])
    );
    assert_eq!(
        names_matching(&env, "userName Sw \"b\"").await,
        strs(&["bob"])
    );
}

// FLT-05
#[tokio::test]
async fn ne_co_sw_ew_operators() {
    let env = Env::start().await;
    filter_fixture(&env).await;
    assert_eq!(
        names_matching(&env, "userName ne \"ann\"").await,
        strs(&["bob", "cat"])
    );
    assert_eq!(
        names_matching(&env, "userName co \"O\"").await,
        strs(&["bob"])
    );
    assert_eq!(
        names_matching(&env, "userName ew \"T\"").await,
        strs(&["cat"])
    );
    assert_eq!(
        names_matching(&env, "userName sw \"c\"").await,
        strs(&["cat"])
    );
}

// FLT-06
#[tokio::test]
async fn pr_matches_only_non_empty_values() {
    let env = Env::start().await;
    filter_fixture(&env).await;
    assert_eq!(names_matching(&env, "title pr").await, strs(&["ann"]));
    assert_eq!(
        names_matching(&env, "emails pr").await,
        strs(&["ann", "bob"])
    );
}

// FLT-07
#[tokio::test]
async fn meta_last_modified_gt_compares_chronologically() {
    let env = Env::start().await;
    let a = create(&env, json!({"schemas": [USER], "userName": "early"})).await;
    let t = a["meta"]["lastModified"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let at = chrono::DateTime::parse_from_rfc3339(&t).unwrap_or_else(|e| panic!("{e}"));
    let before = (at - chrono::Duration::hours(1)).to_rfc3339();
    let after = (at + chrono::Duration::hours(1)).to_rfc3339();
    assert_eq!(
        names_matching(&env, &format!("meta.lastModified gt \"{before}\"")).await,
        strs(&["early"])
    );
    assert!(
        names_matching(&env, &format!("meta.lastModified gt \"{after}\""))
            .await
            .is_empty()
    );
    assert_eq!(
        names_matching(&env, &format!("meta.lastModified ge \"{t}\"")).await,
        strs(&["early"])
    );
    assert!(
        names_matching(&env, &format!("meta.lastModified gt \"{t}\""))
            .await
            .is_empty()
    );
    // An offset other than Z is the same instant.
    let shifted = at
        .with_timezone(&chrono::FixedOffset::east_opt(3600).unwrap_or_else(|| panic!("offset")))
        .to_rfc3339();
    assert_eq!(
        names_matching(&env, &format!("meta.created eq \"{shifted}\"")).await,
        strs(&["early"])
    );
}

// FLT-08
#[tokio::test]
async fn ordering_operator_on_boolean_is_invalid_filter() {
    let env = Env::start().await;
    env.get(&format!("/Users?filter={}", enc("active gt true")))
        .await
        .assert_error(400, Some("invalidFilter"));
}

// FLT-09, FLT-10
#[tokio::test]
async fn and_binds_tighter_than_or_and_grouping_overrides() {
    let env = Env::start().await;
    filter_fixture(&env).await;
    assert_eq!(
        names_matching(
            &env,
            "userName eq \"ann\" or userName eq \"bob\" and active eq true"
        )
        .await,
        strs(&["ann"])
    );
    assert!(
        names_matching(
            &env,
            "(userName eq \"ann\" or userName eq \"bob\") and active eq false"
        )
        .await
            == strs(&["bob"])
    );
    assert_eq!(
        names_matching(&env, "active eq true and not (userName eq \"ann\")").await,
        strs(&["cat"])
    );
}

// FLT-11, FLT-12
#[tokio::test]
async fn value_path_matches_within_one_element_and_sub_attribute_matches_any() {
    let env = Env::start().await;
    filter_fixture(&env).await;
    assert_eq!(
        names_matching(&env, "emails[type eq \"work\" and value co \"@x.\"]").await,
        strs(&["ann"])
    );
    assert_eq!(
        names_matching(&env, "emails.type eq \"work\" and emails.value co \"@x.\"").await,
        strs(&["ann", "bob"])
    );
    assert_eq!(
        names_matching(&env, "emails.type eq \"home\"").await,
        strs(&["ann", "bob"])
    );
}

// FLT-13
#[tokio::test]
async fn urn_qualified_filter_matches_whatever_the_urn_case() {
    let env = Env::start().await;
    filter_fixture(&env).await;
    let up = ENTERPRISE.to_uppercase();
    assert_eq!(
        names_matching(&env, &format!("{up}:employeeNumber eq \"9\"")).await,
        strs(&["cat"])
    );
    assert_eq!(
        names_matching(&env, &format!("{USER}:userName eq \"bob\"")).await,
        strs(&["bob"])
    );
}

// FLT-15
#[tokio::test]
async fn malformed_filters_are_invalid_filter() {
    let env = Env::start().await;
    for f in [
        "(userName eq \"a\"",
        "userName eq \"a\")",
        "userName eq \"unterminated",
        "userName eq \"a\" and",
        "",
        "emails[type eq \"work\"",
    ] {
        let r = env.get(&format!("/Users?filter={}", enc(f))).await;
        assert_eq!(r.status, 400, "{f:?}: {}", r.text);
        assert_eq!(r.json["scimType"], "invalidFilter", "{f:?}: {}", r.text);
    }
}

// FLT-16
#[tokio::test]
async fn unknown_filter_attribute_never_returns_everything() {
    let env = Env::start().await;
    filter_fixture(&env).await;
    let r = env
        .get(&format!("/Users?filter={}", enc("foo eq \"x\"")))
        .await;
    if r.status == 200 {
        assert_eq!(r.json["totalResults"], 0, "{}", r.text);
    } else {
        r.assert_error(400, Some("invalidFilter"));
    }
}

// FLT-17
#[tokio::test]
async fn escaped_filter_strings_match_exactly() {
    let env = Env::start().await;
    create(&env, json!({"schemas": [USER], "userName": "q\"uote\\d"})).await;
    create(&env, json!({"schemas": [USER], "userName": "zoë"})).await;
    assert_eq!(
        names_matching(&env, "userName eq \"q\\\"uote\\\\d\"").await,
        strs(&["q\"uote\\d"])
    );
    assert_eq!(
        names_matching(&env, "userName eq \"zo\\u00eb\"").await,
        strs(&["zoë"])
    );
    assert_eq!(
        names_matching(&env, "userName eq \"ZOË\"").await,
        strs(&["zoë"])
    );
}

// ----- Pagination and sorting -------------------------------------------------------------------

async fn five(env: &Env) {
    for n in ["delta", "alpha", "Echo", "charlie", "bravo"] {
        env.user(n).await;
    }
}

// PAG-04, PAG-05
#[tokio::test]
async fn negative_start_index_and_count_are_clamped() {
    let env = Env::start().await;
    five(&env).await;
    let r = env.get("/Users?startIndex=-5&count=2").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["startIndex"], 1);
    assert_eq!(r.json["itemsPerPage"], 2);
    let r = env.get("/Users?count=-1").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["totalResults"], 5);
    assert_eq!(r.json["itemsPerPage"], 0);
    assert_eq!(r.json["Resources"].as_array().map(Vec::len).unwrap_or(0), 0);
}

// PAG-08, PAG-11, SRT-05
#[tokio::test]
async fn paging_applies_after_filter_and_sort_and_walks_the_full_set() {
    let env = Env::start().await;
    five(&env).await;
    env.user("zulu").await;
    let mut seen = Vec::new();
    let mut start = 1;
    loop {
        let r = env
            .get(&format!(
                "/Users?filter={}&sortBy=userName&startIndex={start}&count=2",
                enc("userName ne \"zulu\"")
            ))
            .await;
        assert_eq!(r.json["totalResults"], 5, "{}", r.text);
        assert_eq!(r.json["startIndex"], start);
        let page = page_names(&r);
        assert_eq!(r.json["itemsPerPage"], page.len());
        if page.is_empty() {
            break;
        }
        seen.extend(page);
        start += 2;
    }
    assert_eq!(seen, strs(&["alpha", "bravo", "charlie", "delta", "Echo"]));
    let r = env
        .get("/Users?sortBy=userName&sortOrder=descending&startIndex=2&count=2")
        .await;
    assert_eq!(page_names(&r), strs(&["Echo", "delta"]));
}

// PAG-09 (on the filtered and sorted path too)
#[tokio::test]
async fn count_above_max_results_is_capped_on_every_path() {
    let env = Env::with(scimtest::provider::ProviderConfig {
        limits: scimtest::provider::Limits {
            filter_max_results: 2,
            ..Default::default()
        },
        ..Default::default()
    })
    .await;
    five(&env).await;
    for q in [
        format!("filter={}&count=50", enc("userName pr")),
        "sortBy=userName&count=50".to_string(),
        "sortBy=userName".to_string(),
    ] {
        let r = env.get(&format!("/Users?{q}")).await;
        assert_eq!(r.json["totalResults"], 5, "{q}: {}", r.text);
        assert_eq!(r.json["itemsPerPage"], 2, "{q}: {}", r.text);
        assert_eq!(r.json["Resources"].as_array().map(Vec::len), Some(2));
    }
    let r = env
        .post("/Users/.search", json!({"schemas": [SEARCH], "count": 50}))
        .await;
    assert_eq!(r.json["itemsPerPage"], 2, "{}", r.text);
}

// PAG-03
#[tokio::test]
async fn empty_list_still_has_list_response_fields() {
    let env = Env::start().await;
    let r = env.get("/Groups").await;
    assert_eq!(r.json["schemas"][0], LIST);
    assert_eq!(r.json["totalResults"], 0);
}

// SRT-04, SRT-06
#[tokio::test]
async fn sort_by_multi_valued_primary_and_by_urn_attribute() {
    let env = Env::start().await;
    create(&env, json!({"schemas": [USER, ENTERPRISE], "userName": "u1",
        "emails": [{"value": "z@x"}, {"value": "b@x", "primary": true}], ENTERPRISE: {"employeeNumber": "30"}})).await;
    create(
        &env,
        json!({"schemas": [USER, ENTERPRISE], "userName": "u2",
        "emails": [{"value": "a@x"}], ENTERPRISE: {"employeeNumber": "10"}}),
    )
    .await;
    create(&env, json!({"schemas": [USER], "userName": "u3"})).await;
    let r = env.get("/Users?sortBy=emails").await;
    assert_eq!(page_names(&r), strs(&["u2", "u1", "u3"]), "{}", r.text);
    let r = env
        .get("/Users?sortBy=emails.value&sortOrder=descending")
        .await;
    assert_eq!(page_names(&r), strs(&["u3", "u1", "u2"]), "{}", r.text);
    let r = env
        .get(&format!(
            "/Users?sortBy={}",
            enc(&format!("{ENTERPRISE}:employeeNumber"))
        ))
        .await;
    assert_eq!(page_names(&r), strs(&["u2", "u1", "u3"]), "{}", r.text);
}

// SRT (sortBy on an attribute the resource type does not define)
#[tokio::test]
async fn sort_by_an_unknown_attribute_is_400_invalid_value() {
    let env = Env::start().await;
    five(&env).await;
    env.get("/Users?sortBy=doesNotExist")
        .await
        .assert_error(400, Some("invalidValue"));
    env.get("/Users?sortBy=name")
        .await
        .assert_error(400, Some("invalidValue"));
    assert_eq!(env.get("/Users?sortBy=name.familyName").await.status, 200);
    env.post(
        "/Users/.search",
        json!({"schemas": [SEARCH], "sortBy": "doesNotExist"}),
    )
    .await
    .assert_error(400, Some("invalidValue"));
    // Known attributes in any case are fine, and root search accepts either type's attribute.
    assert_eq!(env.get("/Users?sortBy=USERNAME").await.status, 200);
    let r = env
        .post(
            "/.search",
            json!({"schemas": [SEARCH], "sortBy": "userName"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

// ----- attributes / excludedAttributes ----------------------------------------------------------

// ATT-02, ATT-10
#[tokio::test]
async fn sub_attribute_and_urn_projection() {
    let env = Env::start().await;
    let u = create(
        &env,
        json!({"schemas": [USER, ENTERPRISE], "userName": "p",
        "name": {"givenName": "G", "familyName": "F"}, "title": "T",
        ENTERPRISE: {"department": "D", "employeeNumber": "1"}}),
    )
    .await;
    let id = id_of(&u);
    let r = env
        .get(&format!("/Users/{id}?attributes=name.givenName"))
        .await;
    assert_eq!(r.json["name"], json!({"givenName": "G"}), "{}", r.text);
    assert!(r.json.get("title").is_none());
    assert!(r.json.get("userName").is_none(), "{}", r.text);
    let r = env
        .get(&format!(
            "/Users/{id}?attributes={}",
            enc(&format!("{ENTERPRISE}:department"))
        ))
        .await;
    assert_eq!(r.json[ENTERPRISE], json!({"department": "D"}), "{}", r.text);
    assert!(r.json.get("name").is_none());
    let r = env
        .get(&format!(
            "/Users/{id}?excludedAttributes={}",
            enc(ENTERPRISE)
        ))
        .await;
    assert!(r.json.get(ENTERPRISE).is_none(), "{}", r.text);
    assert!(!has_schema(&r.json, ENTERPRISE), "{}", r.text);
    assert_eq!(r.json["title"], "T");
}

// ATT-04
#[tokio::test]
async fn excluding_always_returned_attributes_has_no_effect() {
    let env = Env::start().await;
    let id = env.user("always").await;
    let r = env
        .get(&format!(
            "/Users/{id}?excludedAttributes=id,schemas,userName"
        ))
        .await;
    assert_eq!(r.json["id"], id.as_str(), "{}", r.text);
    assert!(r.json["schemas"].is_array());
    assert!(
        r.json.get("userName").is_none(),
        "userName is returned:default"
    );
}

// ATT-05, GRP-14
#[tokio::test]
async fn excluded_attributes_apply_to_list_filter_and_search_alike() {
    let env = Env::start().await;
    create(
        &env,
        json!({"schemas": [USER], "userName": "l1", "title": "T", "displayName": "L"}),
    )
    .await;
    let r = env
        .get(&format!(
            "/Users?filter={}&excludedAttributes=title,displayName",
            enc("userName eq \"l1\"")
        ))
        .await;
    let a = r.json["Resources"][0].clone();
    assert!(
        a.get("title").is_none() && a.get("displayName").is_none(),
        "{}",
        r.text
    );
    assert_eq!(a["userName"], "l1");
    let s = env
        .post(
            "/Users/.search",
            json!({"schemas": [SEARCH], "filter": "userName eq \"l1\"", "excludedAttributes": ["title", "displayName"]}),
        )
        .await;
    assert_eq!(s.json["Resources"][0], a);
    let r = env.get("/Users?excludedAttributes=title").await;
    assert!(r.json["Resources"][0].get("title").is_none(), "{}", r.text);
}

// ATT-06
#[tokio::test]
async fn post_and_put_honour_attributes() {
    let env = Env::start().await;
    let r = env
        .send(
            "POST",
            "/Users?attributes=userName",
            Some(&json!({"schemas": [USER], "userName": "w", "title": "T"})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert!(r.json.get("title").is_none(), "{}", r.text);
    assert_eq!(r.json["userName"], "w");
    let id = id_of(&r.json);
    let r = env
        .send(
            "PUT",
            &format!("/Users/{id}?excludedAttributes=title"),
            Some(&json!({"schemas": [USER], "userName": "w", "title": "T2", "displayName": "W"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.json.get("title").is_none(), "{}", r.text);
    assert_eq!(r.json["displayName"], "W");
    assert_eq!(env.get(&format!("/Users/{id}")).await.json["title"], "T2");
}

// ----- PATCH ------------------------------------------------------------------------------------

// PAT-01, PAT-02, PAT-03
#[tokio::test]
async fn malformed_patch_requests_are_400() {
    let env = Env::start().await;
    let id = env.user("pm").await;
    let path = format!("/Users/{id}");
    // No schemas: RFC 7644 §3.5.2's MUST binds the client; the provider reads the body as the
    // PatchOp it is (authentik's group PATCH omits schemas) and applies it.
    let r = env
        .send(
            "PATCH",
            &path,
            Some(&json!({"Operations": [{"op": "replace", "path": "title", "value": "x"}]})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(env.get(&path).await.json["title"], "x");
    // Other schemas than PatchOp: not a PatchOp.
    env.send(
        "PATCH",
        &path,
        Some(&json!({"schemas": [USER], "Operations": [{"op": "replace", "path": "title", "value": "y"}]})),
    )
    .await
    .assert_error(400, Some("invalidSyntax"));
    env.send("PATCH", &path, Some(&json!({"schemas": [PATCH_OP]})))
        .await
        .assert_error(400, Some("invalidSyntax"));
    env.send(
        "PATCH",
        &path,
        Some(&json!({"schemas": [PATCH_OP], "Operations": []})),
    )
    .await
    .assert_error(400, Some("invalidSyntax"));
    let r = env
        .patch(
            &path,
            json!([{"op": "move", "path": "title", "value": "z"}]),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.json["schemas"][0], ERROR);
    assert_eq!(
        env.get(&path).await.json["title"],
        "x",
        "the refused PATCHes changed nothing"
    );
}

async fn patched(env: &Env, path: &str, ops: Value) -> Value {
    let r = env.patch(path, ops).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let g = env.get(path).await;
    assert_eq!(g.json, r.json, "PATCH response equals read-back");
    g.json
}

// PAT-07, PAT-08, PAT-09, PAT-10
#[tokio::test]
async fn patch_add_simple_multi_and_pathless() {
    let env = Env::start().await;
    let u = create(&env, json!({"schemas": [USER], "userName": "add",
        "name": {"givenName": "G", "familyName": "F"}, "emails": [{"value": "a@x", "type": "work"}]})).await;
    let p = format!("/Users/{}", id_of(&u));
    let v = patched(
        &env,
        &p,
        json!([{"op": "add", "path": "title", "value": "T"}]),
    )
    .await;
    assert_eq!(v["title"], "T");
    let v = patched(
        &env,
        &p,
        json!([{"op": "add", "path": "emails", "value": [{"value": "b@x", "type": "home"}]}]),
    )
    .await;
    assert_eq!(v["emails"].as_array().map(Vec::len), Some(2), "{v}");
    let v = patched(
        &env,
        &p,
        json!([{"op": "add", "value": {"nickName": "N", "name": {"givenName": "G2"}}}]),
    )
    .await;
    assert_eq!(v["nickName"], "N");
    assert_eq!(v["name"]["givenName"], "G2");
    assert_eq!(
        v["name"]["familyName"], "F",
        "unspecified sub-attributes kept"
    );
    let before = env.get(&p).await;
    let r = env
        .patch(&p, json!([{"op": "add", "path": "title", "value": "T"}]))
        .await;
    assert_eq!(r.status, 200);
    let after = env.get(&p).await;
    assert_eq!(
        before.header("etag"),
        after.header("etag"),
        "no-op add keeps the version"
    );
    assert_eq!(
        before.json["meta"]["lastModified"],
        after.json["meta"]["lastModified"]
    );
}

// PAT-11, PAT-34
#[tokio::test]
async fn patch_extension_attributes_and_manager() {
    let env = Env::start().await;
    let boss = env.user("boss").await;
    let boss2 = env.user("boss2").await;
    let u = create(
        &env,
        json!({"schemas": [USER, ENTERPRISE], "userName": "e",
        ENTERPRISE: {"employeeNumber": "5"}}),
    )
    .await;
    let p = format!("/Users/{}", id_of(&u));
    let v = patched(
        &env,
        &p,
        json!([{"op": "add", "path": format!("{ENTERPRISE}:department"), "value": "R&D"}]),
    )
    .await;
    assert_eq!(v[ENTERPRISE]["department"], "R&D");
    assert_eq!(v[ENTERPRISE]["employeeNumber"], "5");
    let v = patched(
        &env,
        &p,
        json!([{"op": "add", "value": {ENTERPRISE: {"costCenter": "CC"}}}]),
    )
    .await;
    assert_eq!(v[ENTERPRISE]["costCenter"], "CC");
    assert_eq!(v[ENTERPRISE]["department"], "R&D");
    let v = patched(
        &env,
        &p,
        json!([{"op": "add", "path": format!("{ENTERPRISE}:manager"), "value": {"value": boss}}]),
    )
    .await;
    assert_eq!(v[ENTERPRISE]["manager"]["value"], boss.as_str());
    let v = patched(
        &env,
        &p,
        json!([{"op": "replace", "path": format!("{ENTERPRISE}:manager.value"), "value": boss2}]),
    )
    .await;
    assert_eq!(v[ENTERPRISE]["manager"]["value"], boss2.as_str());
    let v = patched(
        &env,
        &p,
        json!([{"op": "remove", "path": format!("{ENTERPRISE}:manager")}]),
    )
    .await;
    assert!(v[ENTERPRISE].get("manager").is_none(), "{v}");
    assert_eq!(v[ENTERPRISE]["costCenter"], "CC");
}

// PAT-13, PAT-14, PAT-16, PAT-18
#[tokio::test]
async fn patch_replace_forms() {
    let env = Env::start().await;
    let u = create(
        &env,
        json!({"schemas": [USER], "userName": "rep",
        "name": {"givenName": "G", "familyName": "F"},
        "emails": [{"value": "w@x", "type": "work"}, {"value": "h@x", "type": "home"}]}),
    )
    .await;
    let p = format!("/Users/{}", id_of(&u));
    let v = patched(
        &env,
        &p,
        json!([{"op": "replace", "path": "name", "value": {"givenName": "G2"}}]),
    )
    .await;
    assert_eq!(v["name"]["givenName"], "G2");
    assert_eq!(v["name"]["familyName"], "F");
    let v = patched(
        &env,
        &p,
        json!([{"op": "replace", "path": "emails[type eq \"work\"].value", "value": "w2@x"}]),
    )
    .await;
    assert_eq!(
        v["emails"],
        json!([{"value": "w2@x", "type": "work"}, {"value": "h@x", "type": "home"}])
    );
    let v = patched(
        &env,
        &p,
        json!([{"op": "replace", "path": "nickName", "value": "nick"}]),
    )
    .await;
    assert_eq!(v["nickName"], "nick");
    let v = patched(
        &env,
        &p,
        json!([{"op": "replace", "path": "emails", "value": [{"value": "only@x"}]}]),
    )
    .await;
    assert_eq!(v["emails"], json!([{"value": "only@x"}]));
}

// PAT-20, PAT-21, PAT-22, PAT-23
#[tokio::test]
async fn patch_remove_forms() {
    let env = Env::start().await;
    let u = create(
        &env,
        json!({"schemas": [USER], "userName": "rem", "title": "T",
        "emails": [{"value": "w@x", "type": "work"}, {"value": "h@x", "type": "home"}],
        "addresses": [{"type": "work", "streetAddress": "1 Road", "locality": "Town"}]}),
    )
    .await;
    let p = format!("/Users/{}", id_of(&u));
    let v = patched(&env, &p, json!([{"op": "remove", "path": "title"}])).await;
    assert!(v.get("title").is_none(), "{v}");
    let v = patched(
        &env,
        &p,
        json!([{"op": "remove", "path": "emails[type eq \"home\"]"}]),
    )
    .await;
    assert_eq!(v["emails"], json!([{"value": "w@x", "type": "work"}]));
    let v = patched(
        &env,
        &p,
        json!([{"op": "remove", "path": "addresses[type eq \"work\"].streetAddress"}]),
    )
    .await;
    assert_eq!(
        v["addresses"],
        json!([{"type": "work", "locality": "Town"}])
    );
    let v = patched(&env, &p, json!([{"op": "remove", "path": "emails"}])).await;
    assert!(v.get("emails").is_none(), "{v}");
}

// PAT-24, PAT-25
#[tokio::test]
async fn patch_cannot_remove_required_or_touch_read_only() {
    let env = Env::start().await;
    let u = create(&env, json!({"schemas": [USER], "userName": "guard"})).await;
    let p = format!("/Users/{}", id_of(&u));
    let r = env
        .patch(&p, json!([{"op": "remove", "path": "userName"}]))
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(
        matches!(
            r.json["scimType"].as_str(),
            Some("mutability") | Some("invalidValue")
        ),
        "{}",
        r.text
    );
    for path in ["id", "meta.created", "meta"] {
        env.patch(&p, json!([{"op": "replace", "path": path, "value": "x"}]))
            .await
            .assert_error(400, Some("mutability"));
    }
    let g = env.get(&p).await;
    assert_eq!(g.json["userName"], "guard");
    assert_eq!(g.json["meta"]["created"], u["meta"]["created"]);
}

// PAT-28
#[tokio::test]
async fn patch_unknown_attribute_path_is_rejected() {
    let env = Env::start().await;
    let id = env.user("unk").await;
    let r = env
        .patch(
            &format!("/Users/{id}"),
            json!([{"op": "replace", "path": "doesNotExist", "value": "x"}]),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(
        matches!(
            r.json["scimType"].as_str(),
            Some("invalidPath") | Some("noTarget")
        ),
        "{}",
        r.text
    );
    let r = env
        .patch(
            &format!("/Users/{id}"),
            json!([{"op": "add", "path": "name..givenName", "value": "x"}]),
        )
        .await;
    r.assert_error(400, Some("invalidPath"));
}

// PAT-30
#[tokio::test]
async fn patch_operations_apply_in_order() {
    let env = Env::start().await;
    let id = env.user("seq").await;
    let v = patched(
        &env,
        &format!("/Users/{id}"),
        json!([
            {"op": "add", "path": "title", "value": "A"},
            {"op": "remove", "path": "title"},
            {"op": "replace", "path": "title", "value": "C"}
        ]),
    )
    .await;
    assert_eq!(v["title"], "C");
}

// PAT-31
#[tokio::test]
async fn adding_a_primary_email_demotes_the_old_primary() {
    let env = Env::start().await;
    let u = create(
        &env,
        json!({"schemas": [USER], "userName": "prim",
        "emails": [{"value": "a@x", "primary": true}]}),
    )
    .await;
    let v = patched(
        &env,
        &format!("/Users/{}", id_of(&u)),
        json!([{"op": "add", "path": "emails", "value": [{"value": "b@x", "primary": true}]}]),
    )
    .await;
    let primaries: Vec<&Value> = v["emails"]
        .as_array()
        .map(|a| a.iter().filter(|e| e["primary"] == true).collect())
        .unwrap_or_default();
    assert_eq!(primaries.len(), 1, "{v}");
    assert_eq!(primaries[0]["value"], "b@x");
}

// PAT-32, PAT-33
#[tokio::test]
async fn patch_type_mismatch_and_unknown_resource() {
    let env = Env::start().await;
    let id = env.user("tm").await;
    env.patch(
        &format!("/Users/{id}"),
        json!([{"op": "replace", "path": "active", "value": "notabool"}]),
    )
    .await
    .assert_error(400, Some("invalidValue"));
    env.patch(
        "/Users/00000000-0000-0000-0000-000000000000",
        json!([{"op": "replace", "path": "active", "value": false}]),
    )
    .await
    .assert_error(404, None);
}

// PAT-35
#[tokio::test]
async fn patch_filter_value_with_a_colon() {
    let env = Env::start().await;
    let u = create(
        &env,
        json!({"schemas": [USER], "userName": "col",
        "roles": [{"value": "a:b"}, {"value": "c"}]}),
    )
    .await;
    let v = patched(
        &env,
        &format!("/Users/{}", id_of(&u)),
        json!([{"op": "remove", "path": "roles[value eq \"a:b\"]"}]),
    )
    .await;
    assert_eq!(v["roles"], json!([{"value": "c"}]));
}

// ----- ETags ------------------------------------------------------------------------------------

// ETG-01, ETG-02, ETG-03, ETG-05
#[tokio::test]
async fn every_write_and_read_carries_the_current_etag() {
    let env = Env::start().await;
    let c = env
        .post("/Users", json!({"schemas": [USER], "userName": "et"}))
        .await;
    let id = id_of(&c.json);
    let p = format!("/Users/{id}");
    let g = env.get(&p).await;
    assert_eq!(g.header("etag"), g.json["meta"]["version"].as_str());
    let tag = g.header("etag").unwrap_or_default().to_string();
    let body = json!({"schemas": [USER], "userName": "et", "title": "x"});
    let r = with_header(&env, "PUT", &p, Some(&body), ("if-match", &tag)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let t2 = r.header("etag").unwrap_or_default().to_string();
    assert_ne!(t2, tag);
    assert_eq!(r.json["meta"]["version"], t2.as_str());
    let pbody = json!({"schemas": [PATCH_OP], "Operations": [{"op": "replace", "path": "title", "value": "y"}]});
    let r = with_header(&env, "PATCH", &p, Some(&pbody), ("if-match", &t2)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let t3 = r.header("etag").unwrap_or_default().to_string();
    assert_ne!(t3, t2);
    assert_eq!(r.json["meta"]["version"], t3.as_str());
    let r = with_header(&env, "GET", &p, None, ("if-none-match", &tag)).await;
    assert_eq!(r.status, 200, "a stale If-None-Match gets the resource");
}

// ETG-06, ETG-07
#[tokio::test]
async fn stale_if_match_on_put_and_delete_is_412_and_changes_nothing() {
    let env = Env::start().await;
    let c = env
        .post("/Users", json!({"schemas": [USER], "userName": "st"}))
        .await;
    let p = format!("/Users/{}", id_of(&c.json));
    let stale = c.header("etag").unwrap_or_default().to_string();
    env.patch(
        &p,
        json!([{"op": "replace", "path": "title", "value": "v2"}]),
    )
    .await;
    let body = json!({"schemas": [USER], "userName": "st", "title": "v3"});
    with_header(&env, "PUT", &p, Some(&body), ("if-match", &stale))
        .await
        .assert_error(412, None);
    with_header(&env, "DELETE", &p, None, ("if-match", &stale))
        .await
        .assert_error(412, None);
    let g = env.get(&p).await;
    assert_eq!(g.status, 200, "stale DELETE must not delete");
    assert_eq!(g.json["title"], "v2");
    let cur = g.header("etag").unwrap_or_default().to_string();
    assert_eq!(
        with_header(&env, "DELETE", &p, None, ("if-match", &cur))
            .await
            .status,
        204
    );
}

// ----- Bulk -------------------------------------------------------------------------------------

// BLK-01, BLK-02, BLK-09
#[tokio::test]
async fn bulk_results_carry_method_location_status_and_error_bodies() {
    let env = Env::start().await;
    let r = env
        .post("/Bulk", json!({"schemas": [BULK], "Operations": [
            {"method": "POST", "path": "/Users", "bulkId": "u1", "data": {"schemas": [USER], "userName": "b1"}},
            {"method": "POST", "path": "/Users", "data": {"schemas": [USER], "userName": "nobulkid"}},
            {"method": "POST", "path": "/Users", "bulkId": "u2", "data": {"schemas": [USER], "userName": "B1"}}
        ]}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.json["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:BulkResponse"
    );
    let ops = r.json["Operations"].as_array().cloned().unwrap_or_default();
    assert_eq!(ops.len(), 3, "{}", r.text);
    assert_eq!(ops[0]["method"], "POST");
    assert_eq!(ops[0]["bulkId"], "u1");
    assert_eq!(ops[0]["status"], "201");
    let loc = ops[0]["location"].as_str().unwrap_or_default();
    assert_eq!(env.get(loc).await.json["userName"], "b1");
    assert_eq!(ops[1]["status"], "400", "POST without bulkId: {}", r.text);
    assert_eq!(ops[1]["response"]["schemas"][0], ERROR);
    assert_eq!(ops[2]["status"], "409");
    assert_eq!(ops[2]["response"]["schemas"][0], ERROR);
    assert_eq!(ops[2]["response"]["status"], "409");
    assert_eq!(ops[2]["response"]["scimType"], "uniqueness");
    assert_eq!(
        env.get("/Users?filter=userName%20eq%20%22nobulkid%22")
            .await
            .json["totalResults"],
        0
    );
}

// BLK-04
#[tokio::test]
async fn bulk_circular_group_references_resolve_or_conflict() {
    let env = Env::start().await;
    let r = env
        .post("/Bulk", json!({"schemas": [BULK], "Operations": [
            {"method": "POST", "path": "/Groups", "bulkId": "ga", "data": {"schemas": [GROUP], "displayName": "A", "members": [{"value": "bulkId:gb"}]}},
            {"method": "POST", "path": "/Groups", "bulkId": "gb", "data": {"schemas": [GROUP], "displayName": "B", "members": [{"value": "bulkId:ga"}]}}
        ]}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let ops = r.json["Operations"].as_array().cloned().unwrap_or_default();
    assert_eq!(ops.len(), 2);
    for o in &ops {
        let s = o["status"].as_str().unwrap_or_default();
        assert!(s == "201" || s == "409", "{}", r.text);
        if s == "409" {
            assert_eq!(o["response"]["schemas"][0], ERROR);
        }
    }
    // Never a group holding a literal "bulkId:…" member.
    let l = env.get("/Groups").await;
    assert!(!l.text.contains("bulkId:"), "{}", l.text);
}

// BLK-08
#[tokio::test]
async fn bulk_payload_over_max_payload_size_is_413() {
    let env = Env::with(scimtest::provider::ProviderConfig {
        limits: scimtest::provider::Limits {
            bulk_max_payload_bytes: 1000,
            ..Default::default()
        },
        ..Default::default()
    })
    .await;
    let spc = env.get("/ServiceProviderConfig").await;
    assert_eq!(spc.json["bulk"]["maxPayloadSize"], 1000);
    let r = env
        .post("/Bulk", json!({"schemas": [BULK], "Operations": [
            {"method": "POST", "path": "/Users", "bulkId": "u", "data": {"schemas": [USER], "userName": "x".repeat(2000)}}
        ]}))
        .await;
    r.assert_error(413, None);
    assert!(
        r.json["detail"]
            .as_str()
            .is_some_and(|d| d.contains("1000")),
        "{}",
        r.text
    );
    assert_eq!(env.get("/Users").await.json["totalResults"], 0);
}

// BLK-11
#[tokio::test]
async fn bulk_operation_with_stale_version_is_412() {
    let env = Env::start().await;
    let c = env
        .post("/Users", json!({"schemas": [USER], "userName": "bv"}))
        .await;
    let id = id_of(&c.json);
    let stale = c.header("etag").unwrap_or_default().to_string();
    env.patch(
        &format!("/Users/{id}"),
        json!([{"op": "replace", "path": "title", "value": "v2"}]),
    )
    .await;
    let cur = env
        .get(&format!("/Users/{id}"))
        .await
        .header("etag")
        .unwrap_or_default()
        .to_string();
    let r = env
        .post("/Bulk", json!({"schemas": [BULK], "Operations": [
            {"method": "PUT", "path": format!("/Users/{id}"), "version": stale, "data": {"schemas": [USER], "userName": "bv", "title": "put"}},
            {"method": "PATCH", "path": format!("/Users/{id}"), "version": stale, "data": {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "path": "title", "value": "patch"}]}},
            {"method": "DELETE", "path": format!("/Users/{id}"), "version": stale},
            {"method": "PATCH", "path": format!("/Users/{id}"), "version": cur, "data": {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "path": "title", "value": "ok"}]}}
        ]}))
        .await;
    let st: Vec<&str> = r.json["Operations"]
        .as_array()
        .map(|a| a.iter().filter_map(|o| o["status"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(st, vec!["412", "412", "412", "200"], "{}", r.text);
    assert_eq!(env.get(&format!("/Users/{id}")).await.json["title"], "ok");
}

// ----- .search ----------------------------------------------------------------------------------

// SRC-01, SRC-03
#[tokio::test]
async fn search_without_schemas_is_invalid_syntax_everywhere_and_equals_get() {
    let env = Env::start().await;
    five(&env).await;
    env.post("/.search", json!({"filter": "userName pr"}))
        .await
        .assert_error(400, Some("invalidSyntax"));
    env.post("/Groups/.search", json!({}))
        .await
        .assert_error(400, Some("invalidSyntax"));
    let s = env
        .post(
            "/Users/.search",
            json!({"schemas": [SEARCH], "filter": "userName ne \"alpha\"",
            "sortBy": "userName", "sortOrder": "descending", "startIndex": 2, "count": 2,
            "attributes": ["userName"]}),
        )
        .await;
    let g = env
        .get(&format!(
            "/Users?filter={}&sortBy=userName&sortOrder=descending&startIndex=2&count=2&attributes=userName",
            enc("userName ne \"alpha\"")
        ))
        .await;
    assert_eq!(s.status, 200, "{}", s.text);
    assert_eq!(s.json, g.json);
}

// ----- Errors -----------------------------------------------------------------------------------

// ERR-08
#[tokio::test]
async fn unsupported_version_prefix_is_a_scim_404() {
    let env = Env::start().await;
    let token = env.handle.token.clone();
    for path in ["/scim/v1/Users", "/scim/v3/Users", "/v2/Users"] {
        let url = format!("http://{}{path}", env.handle.addr);
        let r = env.send_as(Some(&token), "GET", &url, None, &[]).await;
        r.assert_error(404, None);
    }
}

// ERR-05
#[tokio::test]
async fn malformed_inputs_never_produce_a_5xx() {
    let env = Env::start().await;
    let id = env.user("e5").await;
    let p = format!("/Users/{id}");
    let bodies = [
        json!(null),
        json!("string"),
        json!({"schemas": "notalist", "userName": "x"}),
        json!({"schemas": [USER], "userName": 5}),
        json!({"schemas": [USER], "userName": "x", "name": {"givenName": {"deep": 1}}}),
        json!({"schemas": [USER], "userName": "x", "emails": [{"value": ["a"]}]}),
        json!({"schemas": [USER], "userName": "x", ENTERPRISE: "flat"}),
        json!({"schemas": [USER], "userName": "x", "x509Certificates": [{"value": "not base64!!"}]}),
    ];
    for b in &bodies {
        for (m, path) in [("POST", "/Users"), ("PUT", p.as_str())] {
            let r = env.send(m, path, Some(b)).await;
            assert!(
                (400..500).contains(&r.status),
                "{m} {b}: {} {}",
                r.status,
                r.text
            );
            assert_eq!(r.json["schemas"][0], ERROR, "{m} {b}");
        }
    }
    for ops in [
        json!("x"),
        json!([{"op": "add"}]),
        json!([{"op": "add", "path": "emails[", "value": 1}]),
        json!([{"op": "add", "path": "title", "value": {"a": 1}}]),
        json!([{"op": "replace", "path": "emails[type eq \"work\"].nope", "value": 1}]),
        json!([{"op": 5}]),
    ] {
        let r = env.patch(&p, ops.clone()).await;
        assert!(
            (400..500).contains(&r.status),
            "{ops}: {} {}",
            r.status,
            r.text
        );
        assert_eq!(r.json["schemas"][0], ERROR, "{ops}");
    }
    for q in [
        "sortBy=%20",
        "sortOrder=sideways",
        "startIndex=1e3",
        "attributes=,",
        "filter=%ZZ",
        "count=99999999999999999999999",
    ] {
        let r = env.get(&format!("/Users?{q}")).await;
        assert!(r.status < 500, "{q}: {} {}", r.status, r.text);
        if r.status >= 400 {
            assert_eq!(r.json["schemas"][0], ERROR, "{q}");
        }
    }
}

// ----- /Me --------------------------------------------------------------------------------------

// ME-04
#[tokio::test]
async fn me_supports_put_patch_and_delete_like_users_id() {
    let env = Env::with_tokens(&["bound@meuser"]).await;
    let send = |m: &'static str, body: Option<Value>| {
        let env = &env;
        async move {
            env.send_as(Some("bound"), m, "/Me", body.as_ref(), &[])
                .await
        }
    };
    let r = env
        .send_as(
            Some("bound"),
            "POST",
            "/Users",
            Some(&json!({"schemas": [USER], "userName": "meuser"})),
            &[],
        )
        .await;
    assert_eq!(r.status, 201);
    let id = id_of(&r.json);
    let r = send("PATCH", Some(json!({"schemas": [PATCH_OP], "Operations": [{"op": "add", "path": "title", "value": "Me"}]}))).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["id"], id.as_str());
    assert_eq!(r.json["title"], "Me");
    let r = send(
        "PUT",
        Some(json!({"schemas": [USER], "userName": "meuser", "displayName": "Put"})),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["displayName"], "Put");
    assert!(r.json.get("title").is_none());
    assert_eq!(send("DELETE", None).await.status, 204);
    send("GET", None).await.assert_error(404, None);
}

// ----- Schema-driven sweep ----------------------------------------------------------------------

// SCH-07
#[tokio::test]
async fn malformed_binary_and_reference_values_are_invalid_value() {
    let env = Env::start().await;
    env.post(
        "/Users",
        json!({"schemas": [USER], "userName": "b", "x509Certificates": [{"value": "not base64!!"}]}),
    )
    .await
    .assert_error(400, Some("invalidValue"));
    env.post(
        "/Users",
        json!({"schemas": [USER], "userName": "b", "profileUrl": 42}),
    )
    .await
    .assert_error(400, Some("invalidValue"));
}

// SCH-08
#[tokio::test]
async fn null_empty_and_omitted_are_equivalent_on_put() {
    let env = Env::start().await;
    let id = env.user("nul").await;
    let p = format!("/Users/{id}");
    let full =
        json!({"schemas": [USER], "userName": "nul", "title": "T", "emails": [{"value": "a@x"}]});
    let mut states = Vec::new();
    for b in [
        json!({"schemas": [USER], "userName": "nul"}),
        json!({"schemas": [USER], "userName": "nul", "title": null, "emails": null}),
        json!({"schemas": [USER], "userName": "nul", "emails": []}),
    ] {
        assert_eq!(env.put(&p, full.clone()).await.status, 200);
        let r = env.put(&p, b.clone()).await;
        assert_eq!(r.status, 200, "{b}: {}", r.text);
        let mut v = r.json.clone();
        if let Some(m) = v.as_object_mut() {
            m.remove("meta");
        }
        states.push(v);
    }
    assert!(
        states[0].get("title").is_none() && states[0].get("emails").is_none(),
        "{}",
        states[0]
    );
    assert_eq!(states[0], states[1]);
    assert_eq!(states[0], states[2]);
    let r = env
        .patch(
            &p,
            json!([{"op": "replace", "path": "title", "value": null}]),
        )
        .await;
    assert!(r.status == 200 || r.status == 400, "{}", r.text);
}

// ----- Second pass: edges found while auditing --------------------------------------------------

// PAT-26, SCH-03 (Group members.value and members.type are immutable, RFC 7643 §8.7.1)
#[tokio::test]
async fn patch_cannot_rewrite_an_immutable_member_value_in_place() {
    let env = Env::start().await;
    let a = env.user("a").await;
    let b = env.user("b").await;
    let g = env.group("G", &[&a]).await;
    let p = format!("/Groups/{g}");
    for (path, value) in [
        (format!("members[value eq \"{a}\"].value"), json!(b)),
        (format!("members[value eq \"{a}\"].type"), json!("Group")),
    ] {
        let r = env
            .patch(&p, json!([{"op": "replace", "path": path, "value": value}]))
            .await;
        r.assert_error(400, Some("mutability"));
    }
    assert_eq!(member_ids(&env.get(&p).await.json), vec![a]);
}

// USR-06 (schemas is REQUIRED and must name the resource's core schema)
#[tokio::test]
async fn schemas_must_name_the_core_schema() {
    let env = Env::start().await;
    for body in [
        json!({"schemas": [GROUP], "userName": "wrong"}),
        json!({"schemas": [], "userName": "empty"}),
    ] {
        let r = env.post("/Users", body.clone()).await;
        assert_eq!(r.status, 400, "{body}: {}", r.text);
        assert_eq!(r.json["schemas"][0], ERROR);
    }
    let r = env
        .post(
            "/Users",
            json!({"schemas": [USER], "userName": "x", ENTERPRISE: {"department": "D"}}),
        )
        .await;
    if r.status == 201 {
        assert!(has_schema(&r.json, ENTERPRISE), "{}", r.text);
    } else {
        r.assert_error(400, Some("invalidValue"));
    }
}

// GRP-18, FLT-12 (the computed User.groups is filterable)
#[tokio::test]
async fn users_filter_on_computed_groups_and_root_search_on_resource_type() {
    let env = Env::start().await;
    let a = env.user("ina").await;
    env.user("outb").await;
    let g = env.group("G", &[&a]).await;
    assert_eq!(
        names_matching(&env, &format!("groups.value eq \"{g}\"")).await,
        strs(&["ina"])
    );
    let r = env
        .post(
            "/.search",
            json!({"schemas": [SEARCH], "filter": "meta.resourceType eq \"Group\""}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["totalResults"], 1, "{}", r.text);
    assert_eq!(r.json["Resources"][0]["id"], g.as_str());
}

// ERR-04, SCH-06
#[tokio::test]
async fn errors_carry_a_string_detail_and_non_canonical_types_never_5xx() {
    let env = Env::start().await;
    for r in [
        env.get("/Users/missing").await,
        env.get("/Users?filter=userName%20eq").await,
        env.post("/Users", json!({"schemas": [USER]})).await,
    ] {
        assert!(
            r.json["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "{}",
            r.text
        );
    }
    let r = env
        .post(
            "/Users",
            json!({"schemas": [USER], "userName": "canon", "emails": [{"value": "a@x", "type": "carrier-pigeon"}]}),
        )
        .await;
    assert!(r.status == 201 || r.status == 400, "{}", r.text);
    if r.status == 400 {
        r.assert_error(400, Some("invalidValue"));
    }
}

// USR-31 (a membership cascade is a change of the group too)
#[tokio::test]
async fn deleting_a_member_advances_the_groups_last_modified_and_version() {
    let env = Env::start().await;
    let a = env.user("a").await;
    let g = env.group("G", &[&a]).await;
    let before = env.get(&format!("/Groups/{g}")).await;
    assert_eq!(env.delete(&format!("/Users/{a}")).await.status, 204);
    let after = env.get(&format!("/Groups/{g}")).await;
    assert_ne!(before.header("etag"), after.header("etag"));
    let t = |r: &Resp| {
        chrono::DateTime::parse_from_rfc3339(
            r.json["meta"]["lastModified"].as_str().unwrap_or_default(),
        )
        .unwrap_or_else(|e| panic!("{e}: {}", r.text))
    };
    assert!(t(&after) > t(&before), "{} / {}", before.text, after.text);
}
