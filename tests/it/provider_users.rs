//! Users: create, read, replace, delete, uniqueness, readOnly/immutable/writeOnly rules.

use crate::support::*;
use serde_json::json;

#[tokio::test]
async fn create_returns_201_location_equal_to_meta_location_and_get_works() {
    let env = Env::start().await;
    let r = env.post("/Users", json!({"schemas": [USER], "userName": "alice@example.com", "name": {"givenName": "Alice"}})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let loc = r.header("location").unwrap_or_default().to_string();
    assert_eq!(r.json["meta"]["location"], loc.as_str());
    assert!(loc.starts_with("http://127.0.0.1:"), "absolute: {loc}");
    assert_eq!(r.json["meta"]["resourceType"], "User");
    assert!(r.header("etag").is_some_and(|e| e.starts_with("W/\"")));
    assert_eq!(
        r.json["meta"]["version"],
        r.header("etag").unwrap_or_default()
    );
    let g = env.get(&loc).await;
    assert_eq!(g.status, 200);
    assert_eq!(g.json["userName"], "alice@example.com");
    assert_eq!(g.json["name"]["givenName"], "Alice");
    assert_eq!(g.header("content-type"), Some("application/scim+json"));
    assert_eq!(
        g.json["meta"]["location"],
        loc.as_str(),
        "GET serves meta.location: {}",
        g.text
    );
    assert_eq!(
        g.json["meta"]["version"],
        g.header("etag").unwrap_or_default()
    );
    let l = env
        .get("/Users?filter=userName%20eq%20%22alice@example.com%22")
        .await;
    assert_eq!(l.json["Resources"][0]["meta"]["location"], loc.as_str());
}

#[tokio::test]
async fn client_supplied_id_and_meta_are_ignored() {
    let env = Env::start().await;
    let r = env
        .post("/Users", json!({"schemas": [USER], "userName": "bob", "id": "client-chosen", "meta": {"created": "1999-01-01T00:00:00Z"}}))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_ne!(r.json["id"], "client-chosen");
    assert_ne!(r.json["meta"]["created"], "1999-01-01T00:00:00Z");
}

#[tokio::test]
async fn duplicate_user_name_is_409_uniqueness_case_insensitively() {
    let env = Env::start().await;
    env.user("Carol").await;
    let r = env
        .post("/Users", json!({"schemas": [USER], "userName": "carol"}))
        .await;
    r.assert_error(409, Some("uniqueness"));
}

#[tokio::test]
async fn missing_user_name_is_400_invalid_value() {
    let env = Env::start().await;
    let r = env
        .post("/Users", json!({"schemas": [USER], "displayName": "x"}))
        .await;
    r.assert_error(400, Some("invalidValue"));
}

#[tokio::test]
async fn password_is_accepted_but_never_returned() {
    let env = Env::start().await;
    let r = env
        .post(
            "/Users",
            json!({"schemas": [USER], "userName": "dave", "password": "Secr3t!pass"}),
        )
        .await;
    assert_eq!(r.status, 201);
    assert!(!r.text.contains("Secr3t"), "{}", r.text);
    let id = r.json["id"].as_str().unwrap_or_default();
    let g = env.get(&format!("/Users/{id}")).await;
    assert!(!g.text.contains("Secr3t"));
    let l = env.get("/Users?attributes=password").await;
    assert!(!l.text.contains("Secr3t"));
}

#[tokio::test]
async fn enterprise_extension_round_trips_with_manager() {
    let env = Env::start().await;
    let boss = env.user("boss").await;
    let r = env
        .post(
            "/Users",
            json!({"schemas": [USER, ENTERPRISE], "userName": "emp",
            ENTERPRISE: {"employeeNumber": "42", "department": "R&D", "manager": {"value": boss}}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json["id"].as_str().unwrap_or_default();
    let g = env.get(&format!("/Users/{id}")).await;
    assert_eq!(g.json[ENTERPRISE]["employeeNumber"], "42");
    assert_eq!(g.json[ENTERPRISE]["manager"]["value"], boss.as_str());
    assert!(
        g.json["schemas"]
            .as_array()
            .is_some_and(|s| s.iter().any(|u| u == ENTERPRISE))
    );
}

#[tokio::test]
async fn put_replaces_and_keeps_id_and_created() {
    let env = Env::start().await;
    let r = env
        .post(
            "/Users",
            json!({"schemas": [USER], "userName": "erin", "title": "Engineer"}),
        )
        .await;
    let id = r.json["id"].as_str().unwrap_or_default().to_string();
    let created = r.json["meta"]["created"].clone();
    let p = env
        .put(
            &format!("/Users/{id}"),
            json!({"schemas": [USER], "userName": "erin", "displayName": "Erin", "id": "other"}),
        )
        .await;
    assert_eq!(p.status, 200, "{}", p.text);
    assert_eq!(p.json["id"], id.as_str());
    assert_eq!(p.json["meta"]["created"], created);
    assert_eq!(p.json["displayName"], "Erin");
    assert!(
        p.json.get("title").is_none(),
        "PUT replaces: omitted title cleared"
    );
    assert_ne!(p.header("etag"), r.header("etag"));
}

#[tokio::test]
async fn put_to_unknown_id_is_404_and_creates_nothing() {
    let env = Env::start().await;
    let r = env
        .put(
            "/Users/does-not-exist",
            json!({"schemas": [USER], "userName": "ghost"}),
        )
        .await;
    r.assert_error(404, None);
    let l = env.get("/Users?filter=userName%20eq%20%22ghost%22").await;
    assert_eq!(l.json["totalResults"], 0);
}

#[tokio::test]
async fn put_taking_another_users_name_is_409() {
    let env = Env::start().await;
    env.user("frank").await;
    let id = env.user("grace").await;
    let r = env
        .put(
            &format!("/Users/{id}"),
            json!({"schemas": [USER], "userName": "FRANK"}),
        )
        .await;
    r.assert_error(409, Some("uniqueness"));
}

#[tokio::test]
async fn delete_is_204_then_404_everywhere_and_name_reusable() {
    let env = Env::start().await;
    let id = env.user("heidi").await;
    let d = env.delete(&format!("/Users/{id}")).await;
    assert_eq!(d.status, 204);
    assert!(d.text.is_empty());
    env.get(&format!("/Users/{id}"))
        .await
        .assert_error(404, None);
    env.put(
        &format!("/Users/{id}"),
        json!({"schemas": [USER], "userName": "heidi"}),
    )
    .await
    .assert_error(404, None);
    env.patch(
        &format!("/Users/{id}"),
        json!([{"op": "replace", "path": "active", "value": false}]),
    )
    .await
    .assert_error(404, None);
    env.delete(&format!("/Users/{id}"))
        .await
        .assert_error(404, None);
    let l = env.get("/Users?filter=userName%20eq%20%22heidi%22").await;
    assert_eq!(l.json["totalResults"], 0);
    env.user("heidi").await;
}

#[tokio::test]
async fn utf8_values_round_trip_byte_identical() {
    let env = Env::start().await;
    let r = env
        .post(
            "/Users",
            json!({"schemas": [USER], "userName": "zoe", "displayName": "Zoë Ægir 李"}),
        )
        .await;
    let id = r.json["id"].as_str().unwrap_or_default();
    let g = env.get(&format!("/Users/{id}")).await;
    assert_eq!(g.json["displayName"], "Zoë Ægir 李");
}

#[tokio::test]
async fn attribute_names_are_case_insensitive_on_input() {
    let env = Env::start().await;
    let r = env
        .post(
            "/Users",
            json!({"schemas": [USER], "USERNAME": "ivan", "Name": {"GivenName": "Ivan"}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["userName"], "ivan");
    assert_eq!(r.json["name"]["givenName"], "Ivan");
}

#[tokio::test]
async fn entra_string_booleans_are_accepted() {
    let env = Env::start().await;
    let r = env
        .post(
            "/Users",
            json!({"schemas": [USER], "userName": "judy", "active": "False"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["active"], false);
}

#[tokio::test]
async fn get_with_attributes_projects_and_keeps_id() {
    let env = Env::start().await;
    let r = env
        .post(
            "/Users",
            json!({"schemas": [USER], "userName": "kim", "displayName": "Kim", "title": "X"}),
        )
        .await;
    let id = r.json["id"].as_str().unwrap_or_default();
    let g = env
        .get(&format!("/Users/{id}?attributes=displayName"))
        .await;
    assert_eq!(g.json["displayName"], "Kim");
    assert_eq!(g.json["id"], id);
    assert!(g.json.get("title").is_none(), "{}", g.text);
    let g = env
        .get(&format!("/Users/{id}?excludedAttributes=title"))
        .await;
    assert!(g.json.get("title").is_none());
    assert_eq!(g.json["userName"], "kim");
}
