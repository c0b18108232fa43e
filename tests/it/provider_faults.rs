//! Every fault is observable: its probe sees the misbehaviour with the fault on and does not see
//! it on the clean provider. The match in `probe` is exhaustive, so a new fault needs a probe.

use crate::support::*;
use scimtest::provider::Fault;
use serde_json::{Value, json};

const BULK: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";

async fn tag(env: &Env, path: &str) -> Option<String> {
    env.get(path).await.header("etag").map(str::to_string)
}

/// True when the misbehaviour `f` introduces is observed on `env`.
async fn probe(f: Fault, env: &Env) -> bool {
    let token = env.handle.token.clone();
    match f {
        Fault::JsonContentType => {
            env.get("/Users").await.header("content-type") != Some("application/scim+json")
        }
        Fault::Create200 => {
            env.post("/Users", json!({"schemas": [USER], "userName": "c"}))
                .await
                .status
                == 200
        }
        Fault::NoLocation => env
            .post("/Users", json!({"schemas": [USER], "userName": "c"}))
            .await
            .header("location")
            .is_none(),
        Fault::RelativeLocation => {
            let r = env
                .post("/Users", json!({"schemas": [USER], "userName": "c"}))
                .await;
            !r.json["meta"]["location"]
                .as_str()
                .unwrap_or_default()
                .starts_with("http")
        }
        Fault::Delete200 => {
            let u = env.user("d").await;
            env.delete(&format!("/Users/{u}")).await.status == 200
        }
        Fault::DeleteIgnored => {
            let u = env.user("d").await;
            env.delete(&format!("/Users/{u}")).await;
            env.get(&format!("/Users/{u}")).await.status == 200
        }
        Fault::FilterIgnored => {
            env.user("a").await;
            env.user("b").await;
            env.get("/Users?filter=userName%20eq%20%22a%22").await.json["totalResults"] != 1
        }
        Fault::FilterCaseSensitive => {
            env.user("Mixed").await;
            env.get("/Users?filter=userName%20eq%20%22mixed%22")
                .await
                .json["totalResults"]
                != 1
        }
        Fault::FilterMiss404 => {
            env.get("/Users?filter=userName%20eq%20%22none%22")
                .await
                .status
                == 404
        }
        Fault::BadFilter200 => env.get("/Users?filter=userName%20eq").await.status == 200,
        Fault::PatchIgnored => {
            let u = env.user("p").await;
            env.patch(
                &format!("/Users/{u}"),
                json!([{"op": "replace", "path": "displayName", "value": "New"}]),
            )
            .await;
            env.get(&format!("/Users/{u}")).await.json["displayName"] != "New"
        }
        Fault::PatchPathlessIgnored => {
            let u = env.user("p").await;
            env.patch(
                &format!("/Users/{u}"),
                json!([{"op": "replace", "value": {"displayName": "New"}}, {"op": "replace", "path": "title", "value": "T"}]),
            )
            .await;
            let after = env.get(&format!("/Users/{u}")).await.json;
            after["displayName"] != "New" && after["title"] == "T"
        }
        Fault::PatchOpCaseSensitive => {
            let u = env.user("p").await;
            env.patch(
                &format!("/Users/{u}"),
                json!([{"op": "Replace", "path": "displayName", "value": "New"}]),
            )
            .await
            .status
                != 200
        }
        Fault::PatchRemoveAllMembers => {
            let a = env.user("a").await;
            let b = env.user("b").await;
            let g = env.group("G", &[&a, &b]).await;
            env.patch(
                &format!("/Groups/{g}"),
                json!([{"op": "Remove", "path": "members", "value": [{"value": a}]}]),
            )
            .await;
            member_ids(&env.get(&format!("/Groups/{g}")).await.json) != vec![b]
        }
        Fault::PatchAddReplacesMembers => {
            let a = env.user("a").await;
            let b = env.user("b").await;
            let g = env.group("G", &[&a]).await;
            env.patch(
                &format!("/Groups/{g}"),
                json!([{"op": "add", "path": "members", "value": [{"value": b}]}]),
            )
            .await;
            member_ids(&env.get(&format!("/Groups/{g}")).await.json).len() != 2
        }
        Fault::PatchPathlessClearsOthers => {
            let u = env.user("keep").await;
            env.patch(
                &format!("/Users/{u}"),
                json!([{"op": "replace", "path": "nickName", "value": "Kay"}]),
            )
            .await;
            env.patch(
                &format!("/Users/{u}"),
                json!([{"op": "replace", "value": {"title": "Boss"}}]),
            )
            .await;
            env.get(&format!("/Users/{u}")).await.json["nickName"] != "Kay"
        }
        Fault::ActiveIgnored => {
            let u = env.user("act").await;
            env.patch(
                &format!("/Users/{u}"),
                json!([{"op": "replace", "value": {"active": false}}]),
            )
            .await;
            env.get(&format!("/Users/{u}")).await.json["active"] != false
        }
        Fault::PaginationIgnored => {
            for n in ["a", "b", "c"] {
                env.user(n).await;
            }
            env.get("/Users?startIndex=2&count=1").await.json["Resources"]
                .as_array()
                .map(Vec::len)
                != Some(1)
        }
        Fault::ItemsPerPageIsCount => {
            env.user("a").await;
            env.get("/Users?count=10").await.json["itemsPerPage"] != 1
        }
        Fault::ErrorStatusNumber => !env.get("/Users/none").await.json["status"].is_string(),
        Fault::ErrorNoSchemas => env.get("/Users/none").await.json.get("schemas").is_none(),
        Fault::AuthDisabled => env.send_as(None, "GET", "/Users", None, &[]).await.status == 200,
        Fault::TenantsShared => {
            // Two tenants on a provider with the same faults: B reads A's user.
            let two = Env::with(scimtest::provider::ProviderConfig {
                tokens: vec![
                    "tok-a".parse().unwrap_or_else(|e| panic!("{e}")),
                    "tok-b".parse().unwrap_or_else(|e| panic!("{e}")),
                ],
                hooks: env.handle.provider.hooks.clone(),
                ..Default::default()
            })
            .await;
            let u = two.user("tenant-a").await;
            two.send_as(Some("tok-b"), "GET", &format!("/Users/{u}"), None, &[])
                .await
                .status
                == 200
        }
        Fault::NoWwwAuthenticate => env
            .send_as(Some("bad"), "GET", "/Users", None, &[])
            .await
            .header("www-authenticate")
            .is_none(),
        Fault::NoUniqueness => {
            env.user("dup").await;
            env.post("/Users", json!({"schemas": [USER], "userName": "dup"}))
                .await
                .status
                == 201
        }
        Fault::UniquenessCaseSensitive => {
            env.user("Dup").await;
            env.post("/Users", json!({"schemas": [USER], "userName": "dup"}))
                .await
                .status
                == 201
        }
        Fault::NoEtag => {
            let u = env.user("e").await;
            tag(env, &format!("/Users/{u}")).await.is_none()
        }
        Fault::IgnoreIfMatch => {
            let u = env.user("e").await;
            let body = json!({"schemas": [PATCH_OP], "Operations": [{"op": "replace", "path": "displayName", "value": "x"}]});
            env.send_as(
                Some(&token),
                "PATCH",
                &format!("/Users/{u}"),
                Some(&body),
                &[("if-match", "W/\"stale\"")],
            )
            .await
            .status
                == 200
        }
        Fault::NoopPatchBumpsVersion => {
            let u = env.user("n").await;
            let before = tag(env, &format!("/Users/{u}")).await;
            env.patch(
                &format!("/Users/{u}"),
                json!([{"op": "replace", "path": "userName", "value": "n"}]),
            )
            .await;
            tag(env, &format!("/Users/{u}")).await != before
        }
        Fault::BulkIgnoreBulkId => {
            let r = env
                .post("/Bulk", json!({"schemas": [BULK], "Operations": [
                    {"method": "POST", "path": "/Users", "bulkId": "u", "data": {"schemas": [USER], "userName": "bu", "nickName": "bulkId:x"}},
                    {"method": "POST", "path": "/Users", "bulkId": "x", "data": {"schemas": [USER], "userName": "bx", "nickName": "bulkId:u"}}
                ]}))
                .await;
            // With resolution, the cycle cannot resolve: both 409. Without, both are created verbatim.
            r.json["Operations"]
                .as_array()
                .is_some_and(|ops| ops.iter().all(|o| o["status"] == "201"))
        }
        Fault::BulkNoLimit => {
            let ops: Vec<Value> = (0..1001)
                .map(|i| json!({"method": "DELETE", "path": format!("/Users/{i}")}))
                .collect();
            env.post("/Bulk", json!({"schemas": [BULK], "Operations": ops}))
                .await
                .status
                == 200
        }
        Fault::ReturnPassword => {
            let r = env
                .post(
                    "/Users",
                    json!({"schemas": [USER], "userName": "pw", "password": "hunter2hunter2"}),
                )
                .await;
            let id = r.json["id"].as_str().unwrap_or_default().to_string();
            env.get(&format!("/Users/{id}"))
                .await
                .text
                .contains("hunter2")
        }
        Fault::DanglingMembers => {
            let a = env.user("a").await;
            let g = env.group("G", &[&a]).await;
            env.delete(&format!("/Users/{a}")).await;
            !member_ids(&env.get(&format!("/Groups/{g}")).await.json).is_empty()
        }
        Fault::ExcludedAttributesIgnored => {
            let r = env
                .post(
                    "/Users",
                    json!({"schemas": [USER], "userName": "x", "title": "T"}),
                )
                .await;
            let id = r.json["id"].as_str().unwrap_or_default().to_string();
            env.get(&format!("/Users/{id}?excludedAttributes=title"))
                .await
                .json
                .get("title")
                .is_some()
        }
        Fault::SortIgnored => {
            env.user("b").await;
            env.user("a").await;
            env.get("/Users?sortBy=userName").await.json["Resources"][0]["userName"] != "a"
        }
        Fault::Missing200 => env.get("/Users/none").await.status == 200,
        Fault::SpcIncomplete => env
            .get("/ServiceProviderConfig")
            .await
            .json
            .get("etag")
            .is_none(),
        Fault::DiscoveryFilterAllowed => {
            env.get("/Schemas?filter=id%20eq%20%22x%22").await.status == 200
        }
        Fault::ResourceTypesUnwrapped => env.get("/ResourceTypes").await.json.is_array(),
        Fault::SchemasIncomplete => env.get(&format!("/Schemas/{ENTERPRISE}")).await.status == 404,
        Fault::SchemaLies => {
            let s = env.get(&format!("/Schemas/{USER}")).await;
            s.json["attributes"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|a| a["name"] == "userName" && a["caseExact"] == true)
        }
        Fault::HonourClientId => {
            env.post(
                "/Users",
                json!({"schemas": [USER], "userName": "cid", "id": "mine"}),
            )
            .await
            .json["id"]
                == "mine"
        }
        Fault::AcceptMissingRequired => {
            env.post("/Users", json!({"schemas": [USER], "displayName": "x"}))
                .await
                .status
                == 201
        }
        Fault::DiscoveryWrite404 => {
            env.send("POST", "/Schemas", Some(&json!({}))).await.status == 404
        }
        // -- groups and /Me --
        Fault::AcceptUnknownMembers => {
            env.post(
                "/Groups",
                json!({"schemas": [GROUP], "displayName": "G", "members": [{"value": "ghost"}]}),
            )
            .await
            .status
                == 201
        }
        Fault::MemberRefWrong => {
            let u = env.user("m").await;
            let g = env.group("G", &[&u]).await;
            env.get(&format!("/Groups/{g}")).await.json["members"][0]["type"] != "User"
        }
        Fault::GroupDisplayNameOptional => {
            env.post("/Groups", json!({"schemas": [GROUP]}))
                .await
                .status
                == 201
        }
        Fault::NoUserGroups => {
            let u = env.user("m").await;
            env.group("G", &[&u]).await;
            env.get(&format!("/Users/{u}"))
                .await
                .json
                .get("groups")
                .is_none()
        }
        Fault::UserGroupsWritable => {
            let u = env.user("m").await;
            let g = env.group("G", &[]).await;
            env.patch(
                &format!("/Users/{u}"),
                json!([{"op": "add", "path": "groups", "value": [{"value": g}]}]),
            )
            .await;
            member_ids(&env.get(&format!("/Groups/{g}")).await.json) == vec![u]
        }
        Fault::Me404 => env.get("/Me").await.status == 404,
        Fault::MeOtherUser => {
            env.user("someone").await;
            env.get("/Me").await.status == 200
        }

        // -- filter, pagination and sort --
        Fault::FilterNoPrecedence => {
            for n in ["a", "b", "c"] {
                env.user(n).await;
            }
            let f = "userName%20eq%20%22a%22%20or%20userName%20eq%20%22b%22%20and%20displayName%20eq%20%22c%22";
            env.get(&format!("/Users?filter={f}")).await.json["totalResults"] != 1
        }
        Fault::FilterNotIgnored => {
            env.user("a").await;
            env.user("b").await;
            env.get("/Users?filter=not%20(userName%20eq%20%22a%22)")
                .await
                .json["Resources"][0]["userName"]
                != "b"
        }
        Fault::FilterGeLeExclusive => {
            env.user("a").await;
            env.get("/Users?filter=userName%20ge%20%22a%22").await.json["totalResults"] != 1
        }
        Fault::FilterDatetimeAsString => {
            let u = env.user("a").await;
            let lm = env.get(&format!("/Users/{u}")).await.json["meta"]["lastModified"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let t = chrono::DateTime::parse_from_rfc3339(&lm).unwrap_or_else(|e| panic!("{e}"))
                - chrono::Duration::hours(1);
            let plus14 = chrono::FixedOffset::east_opt(14 * 3600).unwrap_or_else(|| panic!());
            let lit = t.with_timezone(&plus14).to_rfc3339();
            let f = format!("meta.lastModified gt \"{lit}\"")
                .replace(' ', "%20")
                .replace('"', "%22")
                .replace('+', "%2B");
            env.get(&format!("/Users?filter={f}")).await.json["totalResults"] != 1
        }
        Fault::ValuePathAcrossElements => {
            env.post(
                "/Users",
                json!({"schemas": [USER], "userName": "vp", "emails": [
                    {"type": "home", "value": "h@x.example"},
                    {"type": "work", "value": "w@y.example"}]}),
            )
            .await;
            let f = "emails%5Btype%20eq%20%22work%22%20and%20value%20co%20%22%40x%22%5D";
            env.get(&format!("/Users?filter={f}")).await.json["totalResults"] != 0
        }
        Fault::FilterKeywordsCaseSensitive => {
            env.user("a").await;
            env.get("/Users?filter=userName%20EQ%20%22a%22")
                .await
                .status
                == 400
        }
        Fault::ListResourcesLowercase => {
            env.user("a").await;
            env.get("/Users").await.json.get("Resources").is_none()
        }
        Fault::TotalResultsIsPageSize => {
            env.user("a").await;
            env.user("b").await;
            env.get("/Users?count=1").await.json["totalResults"] != 2
        }
        Fault::StartIndexNotClamped => env.get("/Users?startIndex=0").await.status == 400,
        Fault::StartIndexZeroBased => {
            env.user("a").await;
            env.get("/Users?startIndex=1").await.json["Resources"]
                .as_array()
                .map(Vec::len)
                != Some(1)
        }
        Fault::CountOverMax400 => env.get("/Users?count=100000").await.status == 400,
        Fault::SortOrderIgnored => {
            env.user("a").await;
            env.user("b").await;
            env.get("/Users?sortBy=userName&sortOrder=descending")
                .await
                .json["Resources"][0]["userName"]
                != "b"
        }
        Fault::SortCaseSensitive => {
            env.user("a").await;
            env.user("B").await;
            env.get("/Users?sortBy=userName").await.json["Resources"][0]["userName"] != "a"
        }
        Fault::SortMissingFirst => {
            env.post(
                "/Users",
                json!({"schemas": [USER], "userName": "a", "title": "t"}),
            )
            .await;
            env.user("b").await;
            env.get("/Users?sortBy=title").await.json["Resources"][0]["userName"] != "a"
        }

        // -- attributes and PATCH --
        Fault::AttributesIgnored => {
            let r = env
                .post(
                    "/Users",
                    json!({"schemas": [USER], "userName": "ai", "title": "T"}),
                )
                .await;
            let id = r.json["id"].as_str().unwrap_or_default().to_string();
            env.get(&format!("/Users/{id}?attributes=userName"))
                .await
                .json
                .get("title")
                .is_some()
        }
        Fault::ListAttributesIgnored => {
            env.post(
                "/Users",
                json!({"schemas": [USER], "userName": "la", "title": "T"}),
            )
            .await;
            env.get("/Users?attributes=userName").await.json["Resources"][0]
                .get("title")
                .is_some()
        }
        Fault::AttributesCaseSensitive => {
            let u = env.user("acs").await;
            env.get(&format!("/Users/{u}?attributes=USERNAME"))
                .await
                .json
                .get("userName")
                .is_none()
        }
        Fault::ProjectionDropsAlways => {
            let u = env.user("pda").await;
            env.get(&format!("/Users/{u}?excludedAttributes=id"))
                .await
                .json
                .get("id")
                .is_none()
        }
        Fault::PatchNotAtomic => {
            let u = env.user("pna").await;
            env.patch(
                &format!("/Users/{u}"),
                json!([{"op": "replace", "path": "displayName", "value": "New"}, {"op": "remove"}]),
            )
            .await;
            env.get(&format!("/Users/{u}")).await.json["displayName"] == "New"
        }
        Fault::PatchNoPrimaryDemote => {
            let r = env
                .post(
                    "/Users",
                    json!({"schemas": [USER], "userName": "pd", "emails": [{"value": "a@x", "primary": true}]}),
                )
                .await;
            let id = r.json["id"].as_str().unwrap_or_default().to_string();
            env.patch(
                &format!("/Users/{id}"),
                json!([{"op": "add", "path": "emails", "value": [{"value": "b@x", "primary": true}]}]),
            )
            .await;
            env.get(&format!("/Users/{id}")).await.json["emails"]
                .as_array()
                .is_some_and(|a| a.iter().filter(|e| e["primary"] == true).count() > 1)
        }
        Fault::PatchMutability200 => {
            let u = env.user("pm").await;
            env.patch(
                &format!("/Users/{u}"),
                json!([{"op": "replace", "path": "id", "value": "x"}]),
            )
            .await
            .status
                == 200
        }
        Fault::PatchNoTarget200 => {
            let u = env.user("pnt").await;
            env.patch(&format!("/Users/{u}"), json!([{"op": "remove"}]))
                .await
                .status
                == 200
        }
        Fault::PatchInvalidPath200 => {
            let u = env.user("pip").await;
            env.patch(
                &format!("/Users/{u}"),
                json!([{"op": "replace", "path": "name..givenName", "value": "x"}]),
            )
            .await
            .status
                == 200
        }
        Fault::PatchEnvelopeUnchecked => {
            let u = env.user("peu").await;
            let path = format!("/Users/{u}");
            let answered = env
                .send(
                    "PATCH",
                    &path,
                    Some(
                        &json!({"Operations": [{"op": "replace", "path": "title", "value": "x"}]}),
                    ),
                )
                .await
                .status;
            answered == 200 && env.get(&path).await.json["title"] != "x"
        }
        Fault::PatchEmpty200 => {
            let u = env.user("pe").await;
            env.patch(
                &format!("/Users/{u}"),
                json!([{"op": "replace", "path": "displayName", "value": "New"}]),
            )
            .await
            .json
            .get("id")
            .is_none()
        }
        Fault::ManagerStringRejected => {
            let boss = env.user("boss").await;
            let u = env.user("emp").await;
            env.patch(
                &format!("/Users/{u}"),
                json!([{"op": "add", "path": format!("{ENTERPRISE}:manager"), "value": boss}]),
            )
            .await
            .status
                == 400
        }

        // -- ETag, Bulk, search, errors and schema sweep --
        Fault::EtagConstant => {
            let u = env.user("ec").await;
            let before = tag(env, &format!("/Users/{u}")).await;
            env.put(
                &format!("/Users/{u}"),
                json!({"schemas": [USER], "userName": "ec", "displayName": "changed"}),
            )
            .await;
            tag(env, &format!("/Users/{u}")).await == before
        }
        Fault::IgnoreIfNoneMatch => {
            let u = env.user("inm").await;
            let t = tag(env, &format!("/Users/{u}")).await.unwrap_or_default();
            env.send_as(
                Some(&token),
                "GET",
                &format!("/Users/{u}"),
                None,
                &[("if-none-match", &t)],
            )
            .await
            .status
                == 200
        }
        Fault::BulkPostWithoutBulkId => {
            let r = env
                .post("/Bulk", json!({"schemas": [BULK], "Operations": [
                    {"method": "POST", "path": "/Users", "data": {"schemas": [USER], "userName": "nobid"}}
                ]}))
                .await;
            r.json["Operations"][0]["status"] == "201"
        }
        Fault::BulkIgnoreFailOnErrors => {
            let r = env
                .post("/Bulk", json!({"schemas": [BULK], "failOnErrors": 1, "Operations": [
                    {"method": "DELETE", "path": "/Users/none"},
                    {"method": "POST", "path": "/Users", "bulkId": "a", "data": {"schemas": [USER], "userName": "foe"}}
                ]}))
                .await;
            r.json["Operations"].as_array().map(Vec::len) == Some(2)
        }
        Fault::BulkStopOnError => {
            let r = env
                .post("/Bulk", json!({"schemas": [BULK], "Operations": [
                    {"method": "DELETE", "path": "/Users/none"},
                    {"method": "POST", "path": "/Users", "bulkId": "a", "data": {"schemas": [USER], "userName": "soe"}}
                ]}))
                .await;
            r.json["Operations"].as_array().map(Vec::len) == Some(1)
        }
        Fault::BulkNoPayloadLimit => {
            let pad = "x".repeat(1024 * 1024 + 10);
            env.post(
                "/Bulk",
                json!({"schemas": [BULK], "Operations": [], "pad": pad}),
            )
            .await
            .status
                == 200
        }
        Fault::SearchIgnoresRequest => {
            env.user("s1").await;
            env.user("s2").await;
            env.post(
                "/Users/.search",
                json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "filter": "userName eq \"s1\""}),
            )
            .await
            .json["totalResults"]
                != 1
        }
        Fault::SearchCreates => {
            env.post(
                "/Users/.search",
                json!({"schemas": [USER], "userName": "searched"}),
            )
            .await;
            env.get("/Users?filter=userName%20eq%20%22searched%22")
                .await
                .json["totalResults"]
                == 1
        }
        Fault::ErrorScimTypeInvalid => {
            env.get("/Users?filter=userName%20eq").await.json["scimType"] != "invalidFilter"
        }
        Fault::Malformed500 => {
            env.send("POST", "/Users", Some(&json!([1, 2])))
                .await
                .status
                == 500
        }
        Fault::AcceptJson406 => {
            env.send_as(
                Some(&token),
                "GET",
                "/Users",
                None,
                &[("accept", "application/json")],
            )
            .await
            .status
                == 406
        }
        Fault::CharsetRejected => {
            let r = env
                .http
                .post(env.url("/Users"))
                .bearer_auth(&token)
                .header("content-type", "application/scim+json; charset=utf-8")
                .body(json!({"schemas": [USER], "userName": "cs"}).to_string())
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            r.status().as_u16() == 415
        }
        Fault::Utf8Mangled => {
            let r = env
                .post(
                    "/Users",
                    json!({"schemas": [USER], "userName": "u8", "displayName": "Zoë"}),
                )
                .await;
            let id = r.json["id"].as_str().unwrap_or_default().to_string();
            env.get(&format!("/Users/{id}")).await.json["displayName"] != "Zoë"
        }
        Fault::UnknownParam400 => env.get("/Users?foo=bar").await.status == 400,
        Fault::SpcUnderstates => {
            env.get("/ServiceProviderConfig").await.json["patch"]["supported"] == false
        }
        Fault::AttrNamesCaseSensitive => {
            env.post("/Users", json!({"schemas": [USER], "USERNAME": "upper"}))
                .await
                .status
                != 201
        }
        Fault::GetMinimal => {
            let r = env
                .post(
                    "/Users",
                    json!({"schemas": [USER], "userName": "gm", "displayName": "GM"}),
                )
                .await;
            let id = r.json["id"].as_str().unwrap_or_default().to_string();
            env.get(&format!("/Users/{id}"))
                .await
                .json
                .get("displayName")
                .is_none()
        }
        Fault::PutIgnored => {
            let u = env.user("put").await;
            env.put(
                &format!("/Users/{u}"),
                json!({"schemas": [USER], "userName": "put", "displayName": "New"}),
            )
            .await;
            env.get(&format!("/Users/{u}")).await.json["displayName"] != "New"
        }
        Fault::StaleReads => {
            let u = env.user("stale").await;
            env.patch(
                &format!("/Users/{u}"),
                json!([{"op": "replace", "path": "displayName", "value": "New"}]),
            )
            .await;
            env.get(&format!("/Users/{u}")).await.json["displayName"] != "New"
        }
        Fault::LostMemberUpdates => {
            let g = env.group("lost", &[]).await;
            let mut users = Vec::new();
            for i in 0..8 {
                users.push(env.user(&format!("lost{i}")).await);
            }
            let path = format!("/Groups/{g}");
            let adds = users.iter().map(|u| {
                env.patch(
                    &path,
                    json!([{"op": "add", "path": "members", "value": [{"value": u}]}]),
                )
            });
            for r in futures::future::join_all(adds).await {
                assert_eq!(r.status, 200, "{}", r.text);
            }
            member_ids(&env.get(&path).await.json).len() != users.len()
        }

        // -- variants the RFCs allow, and the representation faults --
        Fault::EndpointServerAbsolute => {
            env.get("/ResourceTypes/User").await.json["endpoint"] == "/scim/v2/Users"
        }
        Fault::ScimTypeSparse => {
            let r = env.post("/Users", json!({"schemas": [USER]})).await;
            r.status == 400 && r.json.get("scimType").is_none()
        }
        Fault::NullForUnassigned => {
            let g = env.group("nulls", &[]).await;
            env.get(&format!("/Groups/{g}")).await.json["members"] == json!([])
                && env.get("/ServiceProviderConfig").await.json["documentationUri"].is_null()
                && env
                    .get("/ServiceProviderConfig")
                    .await
                    .json
                    .get("documentationUri")
                    .is_some()
        }
        Fault::LocationWrong => {
            let u = env.user("where").await;
            !env.get(&format!("/Users/{u}")).await.json["meta"]["location"]
                .as_str()
                .unwrap_or_default()
                .ends_with(&format!("/Users/{u}"))
        }
        Fault::MetaDatesNotDatetime => {
            let u = env.user("when").await;
            let created = env.get(&format!("/Users/{u}")).await.json["meta"]["created"].clone();
            chrono::DateTime::parse_from_rfc3339(created.as_str().unwrap_or_default()).is_err()
        }
        Fault::GroupPostIgnoresMembers => {
            let u = env.user("member").await;
            let g = env.group("ignored", &[&u]).await;
            member_ids(&env.get(&format!("/Groups/{g}")).await.json).is_empty()
        }
        Fault::MinimalUserSchema => {
            let declared = env
                .get("/Schemas/urn:ietf:params:scim:schemas:core:2.0:User")
                .await
                .json["attributes"]
                .as_array()
                .is_some_and(|a| a.iter().any(|x| x["name"] == "title"));
            let r = env
                .post(
                    "/Users",
                    json!({"schemas": [USER], "userName": "strict", "title": "x"}),
                )
                .await;
            !declared && r.status == 400
        }
        Fault::UniquenessConflictsWithSelf => {
            let u = env.user("SelfCase").await;
            env.put(
                &format!("/Users/{u}"),
                json!({"schemas": [USER], "userName": "selfcase"}),
            )
            .await
            .status
                == 409
        }
        Fault::ResourceTypeNoSchema => env
            .get("/ResourceTypes/User")
            .await
            .json
            .get("schema")
            .is_none(),
        Fault::LastModifiedFrozen => {
            let u = env.user("frozen").await;
            let path = format!("/Users/{u}");
            let before = env.get(&path).await.json["meta"]["lastModified"].clone();
            env.put(
                &path,
                json!({"schemas": [USER], "userName": "frozen", "displayName": "Changed"}),
            )
            .await;
            let after = env.get(&path).await.json;
            after["displayName"] == "Changed" && after["meta"]["lastModified"] == before
        }
        Fault::InventedExternalId => {
            let u = env.user("invented").await;
            env.get(&format!("/Users/{u}")).await.json["externalId"] == ""
        }
        Fault::NoGroups => env.get("/Groups").await.status == 404,
        Fault::SlowGroupsList => {
            let t0 = std::time::Instant::now();
            let r = env.get("/Groups").await;
            r.status == 200 && t0.elapsed() >= std::time::Duration::from_millis(650)
        }
        Fault::ReplaceEmptyMembersRejected => {
            let a = env.user("a").await;
            let g = env.group("G", &[&a]).await;
            let r = env
                .patch(
                    &format!("/Groups/{g}"),
                    json!([{"op": "replace", "path": "members", "value": []}]),
                )
                .await;
            r.status == 400 && member_ids(&env.get(&format!("/Groups/{g}")).await.json) == vec![a]
        }
        Fault::CursorRepeatsPage => {
            for n in ["a", "b", "c"] {
                env.user(n).await;
            }
            let first = env.get("/Users?count=1&cursor=").await.json;
            let next = first["nextCursor"].as_str().unwrap_or_default();
            let second = env.get(&format!("/Users?count=1&cursor={next}")).await.json;
            second["Resources"][0]["id"] == first["Resources"][0]["id"]
        }
        Fault::CursorAdvertisedMissing => {
            env.user("a").await;
            env.user("b").await;
            env.get("/ServiceProviderConfig").await.json["pagination"]["cursor"] == true
                && env.get("/Users?count=1&cursor=").await.json["nextCursor"].is_null()
        }
        Fault::CursorPreviousOnFirst => {
            env.get("/Users?cursor=").await.json["previousCursor"].is_string()
        }
        Fault::CursorNoError => env.get("/Users?cursor=nonsense").await.status == 200,
        Fault::CursorCountIgnored => {
            env.user("a").await;
            env.user("b").await;
            env.get("/Users?count=1&cursor=").await.json["Resources"]
                .as_array()
                .map(Vec::len)
                != Some(1)
        }
        Fault::PatchSchemasRequired => {
            let u = env.user("psr").await;
            let path = format!("/Users/{u}");
            let r = env
                .send(
                    "PATCH",
                    &path,
                    Some(
                        &json!({"Operations": [{"op": "replace", "path": "title", "value": "x"}]}),
                    ),
                )
                .await;
            r.status == 400 && env.get(&path).await.json["title"] != "x"
        }
        Fault::CursorUnsupported => {
            env.get("/ServiceProviderConfig").await.json["pagination"].is_null()
                && env.get("/Users?cursor=").await.json["startIndex"] == 1
        }
        Fault::LargeMemberAddDrops | Fault::MemberCap100 => {
            let mut ids = Vec::new();
            for i in 0..101 {
                ids.push(env.user(&format!("big{i}")).await);
            }
            let g = env.group("big", &[]).await;
            let value: Vec<_> = ids.iter().map(|id| json!({"value": id})).collect();
            let r = env
                .patch(
                    &format!("/Groups/{g}"),
                    json!([{"op": "add", "path": "members", "value": value}]),
                )
                .await;
            let kept = member_ids(&env.get(&format!("/Groups/{g}")).await.json).len();
            if f == Fault::LargeMemberAddDrops {
                r.status == 200 && kept == 100
            } else {
                r.status == 413 && kept == 0
            }
        }
        Fault::ExtensionDropped => {
            // The same hooks on a provider that declares a custom User extension.
            let urn = "urn:ietf:params:scim:schemas:extension:Contoso:2.0:User";
            let ext = Env::with(scimtest::provider::ProviderConfig {
                hooks: env.handle.provider.hooks.clone(),
                user_extensions: vec![scimtest::scim::extension::extension_schema(
                    urn,
                    &[("costCenter".to_string(), "string")],
                )],
                ..Default::default()
            })
            .await;
            let r = ext
                .post(
                    "/Users",
                    json!({"schemas": [USER, urn], "userName": "x", urn: {"costCenter": "CC-1"}}),
                )
                .await;
            let id = r.json["id"].as_str().unwrap_or_default();
            r.status == 201 && ext.get(&format!("/Users/{id}")).await.json[urn].is_null()
        }
    }
}

/// Probe `f` on a clean provider (must not see it) and on one with `f` on (must see it).
async fn observable_and_absent_without_it(f: Fault) {
    let clean = Env::start().await;
    assert!(
        !probe(f, &clean).await,
        "{} observed on the clean provider",
        f.name()
    );
    let faulty = Env::with_faults(&[f]).await;
    assert!(
        probe(f, &faulty).await,
        "{} not observed with the fault on",
        f.name()
    );
}

/// One test per fault; the `match` in `covered` is exhaustive, so a fault without a case here
/// does not compile.
macro_rules! one_case_per_fault {
    ($($test:ident: $fault:ident,)*) => {
        $(
            #[tokio::test]
            async fn $test() {
                observable_and_absent_without_it(Fault::$fault).await;
            }
        )*

        #[expect(dead_code, reason = "never called: its exhaustive match is the compile-time check")]
        fn covered(f: Fault) {
            match f {
                $(Fault::$fault => {})*
            }
        }
    };
}

one_case_per_fault! {
    json_content_type: JsonContentType,
    create_200: Create200,
    no_location: NoLocation,
    relative_location: RelativeLocation,
    delete_200: Delete200,
    delete_ignored: DeleteIgnored,
    filter_ignored: FilterIgnored,
    filter_case_sensitive: FilterCaseSensitive,
    filter_miss_404: FilterMiss404,
    bad_filter_200: BadFilter200,
    patch_ignored: PatchIgnored,
    patch_pathless_ignored: PatchPathlessIgnored,
    patch_op_case_sensitive: PatchOpCaseSensitive,
    patch_remove_all_members: PatchRemoveAllMembers,
    patch_add_replaces_members: PatchAddReplacesMembers,
    patch_pathless_clears_others: PatchPathlessClearsOthers,
    active_ignored: ActiveIgnored,
    pagination_ignored: PaginationIgnored,
    items_per_page_is_count: ItemsPerPageIsCount,
    error_status_number: ErrorStatusNumber,
    error_no_schemas: ErrorNoSchemas,
    auth_disabled: AuthDisabled,
    tenants_shared: TenantsShared,
    no_www_authenticate: NoWwwAuthenticate,
    no_uniqueness: NoUniqueness,
    uniqueness_case_sensitive: UniquenessCaseSensitive,
    uniqueness_conflicts_with_self: UniquenessConflictsWithSelf,
    no_etag: NoEtag,
    ignore_if_match: IgnoreIfMatch,
    noop_patch_bumps_version: NoopPatchBumpsVersion,
    bulk_ignore_bulk_id: BulkIgnoreBulkId,
    bulk_no_limit: BulkNoLimit,
    return_password: ReturnPassword,
    dangling_members: DanglingMembers,
    excluded_attributes_ignored: ExcludedAttributesIgnored,
    sort_ignored: SortIgnored,
    missing_200: Missing200,
    spc_incomplete: SpcIncomplete,
    discovery_filter_allowed: DiscoveryFilterAllowed,
    resource_types_unwrapped: ResourceTypesUnwrapped,
    schemas_incomplete: SchemasIncomplete,
    schema_lies: SchemaLies,
    honour_client_id: HonourClientId,
    accept_missing_required: AcceptMissingRequired,
    put_ignored: PutIgnored,
    get_minimal: GetMinimal,
    discovery_write_404: DiscoveryWrite404,
    accept_unknown_members: AcceptUnknownMembers,
    member_ref_wrong: MemberRefWrong,
    group_display_name_optional: GroupDisplayNameOptional,
    no_user_groups: NoUserGroups,
    user_groups_writable: UserGroupsWritable,
    me_404: Me404,
    me_other_user: MeOtherUser,
    filter_no_precedence: FilterNoPrecedence,
    filter_not_ignored: FilterNotIgnored,
    filter_ge_le_exclusive: FilterGeLeExclusive,
    filter_datetime_as_string: FilterDatetimeAsString,
    value_path_across_elements: ValuePathAcrossElements,
    filter_keywords_case_sensitive: FilterKeywordsCaseSensitive,
    list_resources_lowercase: ListResourcesLowercase,
    total_results_is_page_size: TotalResultsIsPageSize,
    start_index_not_clamped: StartIndexNotClamped,
    start_index_zero_based: StartIndexZeroBased,
    count_over_max_400: CountOverMax400,
    sort_order_ignored: SortOrderIgnored,
    sort_case_sensitive: SortCaseSensitive,
    sort_missing_first: SortMissingFirst,
    attributes_ignored: AttributesIgnored,
    list_attributes_ignored: ListAttributesIgnored,
    attributes_case_sensitive: AttributesCaseSensitive,
    projection_drops_always: ProjectionDropsAlways,
    patch_not_atomic: PatchNotAtomic,
    patch_no_primary_demote: PatchNoPrimaryDemote,
    patch_mutability_200: PatchMutability200,
    patch_no_target_200: PatchNoTarget200,
    patch_invalid_path_200: PatchInvalidPath200,
    patch_envelope_unchecked: PatchEnvelopeUnchecked,
    patch_empty_200: PatchEmpty200,
    manager_string_rejected: ManagerStringRejected,
    etag_constant: EtagConstant,
    ignore_if_none_match: IgnoreIfNoneMatch,
    bulk_post_without_bulk_id: BulkPostWithoutBulkId,
    bulk_ignore_fail_on_errors: BulkIgnoreFailOnErrors,
    bulk_stop_on_error: BulkStopOnError,
    bulk_no_payload_limit: BulkNoPayloadLimit,
    search_ignores_request: SearchIgnoresRequest,
    search_creates: SearchCreates,
    error_scim_type_invalid: ErrorScimTypeInvalid,
    malformed_500: Malformed500,
    accept_json_406: AcceptJson406,
    charset_rejected: CharsetRejected,
    utf8_mangled: Utf8Mangled,
    unknown_param_400: UnknownParam400,
    attr_names_case_sensitive: AttrNamesCaseSensitive,
    spc_understates: SpcUnderstates,
    stale_reads: StaleReads,
    endpoint_server_absolute: EndpointServerAbsolute,
    scim_type_sparse: ScimTypeSparse,
    null_for_unassigned: NullForUnassigned,
    location_wrong: LocationWrong,
    minimal_user_schema: MinimalUserSchema,
    group_post_ignores_members: GroupPostIgnoresMembers,
    resource_type_no_schema: ResourceTypeNoSchema,
    last_modified_frozen: LastModifiedFrozen,
    invented_external_id: InventedExternalId,
    meta_dates_not_datetime: MetaDatesNotDatetime,
    lost_member_updates: LostMemberUpdates,
    no_groups: NoGroups,
    slow_groups_list: SlowGroupsList,
    replace_empty_members_rejected: ReplaceEmptyMembersRejected,
    cursor_repeats_page: CursorRepeatsPage,
    cursor_advertised_missing: CursorAdvertisedMissing,
    cursor_previous_on_first: CursorPreviousOnFirst,
    cursor_no_error: CursorNoError,
    cursor_count_ignored: CursorCountIgnored,
    cursor_unsupported: CursorUnsupported,
    patch_schemas_required: PatchSchemasRequired,
    large_member_add_drops: LargeMemberAddDrops,
    member_cap_100: MemberCap100,
    extension_dropped: ExtensionDropped,
}
