//! Discovery endpoints: what is advertised is true.

use crate::support::*;

#[tokio::test]
async fn spc_advertises_features_and_auth_scheme() {
    let env = Env::start().await;
    let r = env.get("/ServiceProviderConfig").await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json["schemas"][0],
        "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
    );
    for f in ["patch", "bulk", "filter", "changePassword", "sort", "etag"] {
        assert!(r.json[f]["supported"].is_boolean(), "{f}: {}", r.text);
    }
    assert_eq!(
        r.json["authenticationSchemes"][0]["type"],
        "oauthbearertoken"
    );
    let again = env
        .get("/ServiceProviderConfig?startIndex=2&count=1&sortBy=id")
        .await;
    assert_eq!(again.json, r.json);
}

#[tokio::test]
async fn resource_types_and_schemas_are_listed_and_addressable() {
    let env = Env::start().await;
    let rts = env.get("/ResourceTypes").await;
    assert_eq!(rts.json["totalResults"], 2, "{}", rts.text);
    let user = env.get("/ResourceTypes/User").await;
    assert_eq!(user.json["endpoint"], "/Users");
    assert_eq!(user.json["schemaExtensions"][0]["schema"], ENTERPRISE);
    let schemas = env.get("/Schemas").await;
    let ids: Vec<&str> = schemas.json["Resources"]
        .as_array()
        .map(|a| a.iter().filter_map(|s| s["id"].as_str()).collect())
        .unwrap_or_default();
    for want in [USER, GROUP, ENTERPRISE] {
        assert!(ids.contains(&want), "{want} missing from {ids:?}");
    }
    let s = env.get(&format!("/Schemas/{USER}")).await;
    assert_eq!(s.json["id"], USER);
    let user_name = s.json["attributes"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["name"] == "userName"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(user_name["uniqueness"], "server");
    assert_eq!(user_name["required"], true);
    env.get("/Schemas/urn:nope").await.assert_error(404, None);
    env.get("/ResourceTypes/Nope").await.assert_error(404, None);
}

#[tokio::test]
async fn discovery_is_read_only_and_refuses_filters() {
    let env = Env::start().await;
    env.send("POST", "/Schemas", Some(&serde_json::json!({})))
        .await
        .assert_error(405, None);
    env.send("DELETE", "/ServiceProviderConfig", None)
        .await
        .assert_error(405, None);
    env.get("/Schemas?filter=id%20eq%20%22x%22")
        .await
        .assert_error(403, None);
}
