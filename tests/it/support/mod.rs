//! Test support: start a provider, talk to it over real HTTP.

pub mod cli;

use scimtest::provider::{self, Fault, Faults, ProviderConfig, ProviderHandle, TokenSpec};
use serde_json::{Value, json};

pub const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
pub const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
pub const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// A running provider plus a client for it.
pub struct Env {
    pub handle: ProviderHandle,
    pub http: reqwest::Client,
}

/// One HTTP answer, read fully.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    pub json: Value,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    /// Assert a SCIM error with this status and scimType (None = must have none).
    #[track_caller]
    pub fn assert_error(&self, status: u16, scim_type: Option<&str>) {
        assert_eq!(self.status, status, "body: {}", self.text);
        assert_eq!(self.json["schemas"][0], ERROR, "body: {}", self.text);
        assert_eq!(
            self.json["status"],
            status.to_string(),
            "status must be a string: {}",
            self.text
        );
        assert_eq!(
            self.json["scimType"].as_str(),
            scim_type,
            "body: {}",
            self.text
        );
        assert_eq!(self.header("content-type"), Some("application/scim+json"));
    }
}

impl Env {
    pub async fn start() -> Env {
        Env::with(ProviderConfig::default()).await
    }

    pub async fn with_faults(faults: &[Fault]) -> Env {
        Env::with(ProviderConfig {
            hooks: Faults::new(faults.iter().copied()).hooks(),
            ..ProviderConfig::default()
        })
        .await
    }

    pub async fn with_tokens(tokens: &[&str]) -> Env {
        let tokens = tokens
            .iter()
            .map(|t| t.parse::<TokenSpec>().unwrap_or_else(|e| panic!("{e}")))
            .collect();
        Env::with(ProviderConfig {
            tokens,
            ..ProviderConfig::default()
        })
        .await
    }

    pub async fn with(config: ProviderConfig) -> Env {
        let handle = provider::spawn(config)
            .await
            .unwrap_or_else(|e| panic!("spawn: {e}"));
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(20))
            .build()
            .unwrap_or_else(|e| panic!("client: {e}"));
        Env { handle, http }
    }

    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{}", self.handle.base_url, path)
        }
    }

    pub async fn send_as(
        &self,
        token: Option<&str>,
        method: &str,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Resp {
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        let mut rb = self.http.request(m, self.url(path));
        if let Some(t) = token {
            rb = rb.bearer_auth(t);
        }
        if let Some(b) = body {
            rb = rb
                .header("content-type", "application/scim+json")
                .body(b.to_string());
        }
        for (k, v) in headers {
            rb = rb.header(*k, *v);
        }
        let r = rb
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let text = r.text().await.unwrap_or_default();
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Resp {
            status,
            headers,
            text,
            json,
        }
    }

    pub async fn send(&self, method: &str, path: &str, body: Option<&Value>) -> Resp {
        let token = self.handle.token.clone();
        self.send_as(Some(&token), method, path, body, &[]).await
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send("GET", path, None).await
    }
    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.send("POST", path, Some(&body)).await
    }
    pub async fn put(&self, path: &str, body: Value) -> Resp {
        self.send("PUT", path, Some(&body)).await
    }
    pub async fn patch(&self, path: &str, ops: Value) -> Resp {
        self.send(
            "PATCH",
            path,
            Some(&json!({"schemas": [PATCH_OP], "Operations": ops})),
        )
        .await
    }
    pub async fn delete(&self, path: &str) -> Resp {
        self.send("DELETE", path, None).await
    }

    /// Create a user and return its id.
    pub async fn user(&self, user_name: &str) -> String {
        let r = self
            .post(
                "/Users",
                json!({"schemas": [USER], "userName": user_name, "displayName": user_name}),
            )
            .await;
        assert_eq!(r.status, 201, "create user: {}", r.text);
        r.json["id"].as_str().unwrap_or_default().to_string()
    }

    /// Create a group with members and return its id.
    pub async fn group(&self, name: &str, members: &[&str]) -> String {
        let members: Vec<Value> = members.iter().map(|m| json!({"value": m})).collect();
        let r = self
            .post(
                "/Groups",
                json!({"schemas": [GROUP], "displayName": name, "members": members}),
            )
            .await;
        assert_eq!(r.status, 201, "create group: {}", r.text);
        r.json["id"].as_str().unwrap_or_default().to_string()
    }
}

/// Member ids of a group document.
pub fn member_ids(group: &Value) -> Vec<String> {
    let mut v: Vec<String> = group["members"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|m| m["value"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}
