//! What the Okta probes share: the headers Okta's Runscope suites and Okta's provisioning
//! engine send, the generated Okta user (namespaced), Runscope's assertions ("not empty",
//! text "equal", "contains"), and the engine's own create, read and activation requests.

use crate::certify::probe::{expect, hex8};
use crate::client::http::Resp;
use crate::conformance::context::{Created, Ctx, ERROR, LIST, USER, truncate};
use crate::conformance::model::{CheckResult, Finding};
use serde_json::{Value, json};

/// The headers of the SPEC test's GET steps.
pub const SPEC_GET: &[(&str, &str)] = &[
    ("Accept", "application/scim+json"),
    ("Content-Type", "application/scim+json; charset=utf-8"),
    ("Accept-Charset", "utf-8"),
    ("User-Agent", "OKTA SCIM Integration"),
];

/// The headers of the SPEC test's POST steps (plain JSON, unlike the GETs).
pub const SPEC_POST: &[(&str, &str)] = &[
    ("Accept", "application/scim+json"),
    ("Content-Type", "application/json"),
    ("Accept-Charset", "utf-8"),
    ("User-Agent", "OKTA SCIM Integration"),
];

/// The headers of the provisioning engine's reads (OIN profile fixtures).
pub const ENGINE_READ: &[(&str, &str)] = &[
    ("Accept", "application/scim+json"),
    ("Accept-Charset", "utf-8"),
    ("User-Agent", "Okta SCIM Client 1.0.0"),
];

/// The headers of the provisioning engine's writes.
pub const ENGINE_WRITE: &[(&str, &str)] = &[
    ("Accept", "application/scim+json"),
    ("Accept-Charset", "utf-8"),
    ("User-Agent", "Okta SCIM Client 1.0.0"),
    ("Content-Type", "application/scim+json; charset=utf-8"),
];

/// The CRUD test's own reads of the SCIM user (Accept only).
pub const CRUD_READ: &[(&str, &str)] = &[("Accept", "application/scim+json")];

/// A user as Okta's scripts generate one: a "Runscope" given name, a capitalised family
/// name, and the email as userName; here the userName carries the run's namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OktaUser {
    /// userName (an email address).
    pub user_name: String,
    /// name.givenName.
    pub given: String,
    /// name.familyName.
    pub family: String,
}

impl OktaUser {
    /// A user whose userName is `<namespaced name>@example.com`.
    pub fn new(ctx: &Ctx, what: &str) -> OktaUser {
        OktaUser::from_parts(&ctx.name(what), &hex8())
    }

    /// The user for a namespaced local part and a random hex tag.
    pub fn from_parts(local: &str, tag: &str) -> OktaUser {
        let digits: String = tag
            .bytes()
            .map(|b| char::from(b'0' + b % 10))
            .take(3)
            .collect();
        let letters: String = tag
            .bytes()
            .map(|b| char::from(b'a' + b % 26))
            .chain(std::iter::repeat('x'))
            .take(8)
            .collect();
        OktaUser {
            user_name: format!("{local}@example.com"),
            given: format!("Runscope{digits}"),
            family: format!("O{letters}{digits}"),
        }
    }

    /// The userName upper-cased (the SPEC test's case-sensitivity step).
    pub fn user_name_caps(&self) -> String {
        self.user_name.to_uppercase()
    }

    /// The body of the SPEC test's POST /Users (steps 5 and 7).
    pub fn spec_body(&self) -> Value {
        json!({
            "schemas": [USER],
            "userName": self.user_name,
            "name": {"givenName": self.given, "familyName": self.family},
            "emails": [{"primary": true, "value": self.user_name, "type": "work"}],
            "displayName": format!("{} {}", self.given, self.family),
            "active": true
        })
    }

    /// The body Okta's provisioning engine POSTs for an assigned user (OIN profile).
    pub fn engine_body(&self) -> Value {
        json!({
            "schemas": [USER],
            "userName": self.user_name,
            "name": {"givenName": self.given, "familyName": self.family},
            "emails": [{"primary": true, "value": self.user_name, "type": "work"}],
            "displayName": format!("{} {}", self.given, self.family),
            "locale": "en-US",
            "externalId": format!("00u{}", hex8()),
            "groups": [],
            "active": true
        })
    }
}

/// Runscope's "is not empty": present, not null, not "", not [] and not {} (false and 0 are
/// values). The pointers of `body` that fail it.
pub fn blanks<'p>(body: &Value, pointers: &[&'p str]) -> Vec<&'p str> {
    pointers
        .iter()
        .copied()
        .filter(|p| match body.pointer(p) {
            None | Some(Value::Null) => true,
            Some(Value::String(s)) => s.is_empty(),
            Some(Value::Array(a)) => a.is_empty(),
            Some(Value::Object(o)) => o.is_empty(),
            Some(_) => false,
        })
        .collect()
}

/// Runscope's "equal": the value's text equals `want` (a number 401 equals "401", a boolean
/// false equals "false"; strings compare exactly).
pub fn equals_text(got: Option<&Value>, want: &str) -> bool {
    match got {
        Some(Value::String(s)) => s == want,
        Some(Value::Bool(b)) => want == if *b { "true" } else { "false" },
        Some(Value::Number(n)) => {
            let text = n.to_string();
            text == want
        }
        _ => false,
    }
}

/// Whether `schemas` contains `urn`.
pub fn has_schema(body: &Value, urn: &str) -> bool {
    body["schemas"]
        .as_array()
        .is_some_and(|s| s.iter().any(|u| u.as_str() == Some(urn)))
}

/// `(absent)` or the JSON value.
pub fn shown(v: Option<&Value>) -> String {
    v.map_or_else(|| "(absent)".to_string(), Value::to_string)
}

/// `<endpoint>?filter=<attr> eq "<value>"`, encoded.
pub fn filter_path(endpoint: &str, attr: &str, value: &str) -> String {
    let filter = format!("{attr} eq \"{}\"", value.replace('"', "\\\""));
    format!("{endpoint}?filter={}", crate::client::enc(&filter))
}

/// A GET as the SPEC test sends it.
pub async fn spec_get(ctx: &Ctx, path: &str) -> Resp {
    ctx.send("GET", path, None, SPEC_GET).await
}

/// The SPEC test's POST /Users of `user`.
pub async fn spec_post(ctx: &Ctx, user: &OktaUser) -> Resp {
    let users = ctx.users().to_string();
    ctx.send("POST", &users, Some(&user.spec_body()), SPEC_POST)
        .await
}

/// Fails naming `step` unless every assertion holds (the failures joined).
pub fn all_hold(step: &str, failed: Vec<String>, r: &Resp) -> CheckResult {
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Finding::fail(format!(
            "{step}: {} ({})",
            failed.join("; "),
            truncate(&r.text, 300)
        )))
    }
}

/// The assertions on a ListResponse the SPEC test makes: the schema, and numbers for
/// `itemsPerPage`, `startIndex` and `totalResults` when `numbers` is set.
pub fn list_failures(body: &Value, numbers: bool) -> Vec<String> {
    let mut failed = Vec::new();
    if !has_schema(body, LIST) {
        failed.push(format!("schemas does not contain {LIST}"));
    }
    if numbers {
        for k in ["itemsPerPage", "startIndex", "totalResults"] {
            if !body[k].is_number() {
                failed.push(format!("{k} is {}, not a number", shown(body.get(k))));
            }
        }
    }
    failed
}

/// The assertions on an error the SPEC test makes: `detail` not empty, the Error URN in
/// `schemas`, and `status` equal to `status` (as text: "404" or 404) when given.
pub fn error_failures(body: &Value, status: Option<u16>) -> Vec<String> {
    let mut failed = Vec::new();
    if !blanks(body, &["/detail"]).is_empty() {
        failed.push("detail is empty or absent".to_string());
    }
    if let Some(s) = status
        && !equals_text(body.get("status"), &s.to_string())
    {
        failed.push(format!("status is {}, not {s}", shown(body.get("status"))));
    }
    if !has_schema(body, ERROR) {
        failed.push(format!("schemas does not contain {ERROR}"));
    }
    failed
}

/// The SPEC test's POST of a fresh user as a prerequisite of a later step: any 2xx with an id
/// (tracked for cleanup), else no verdict.
pub async fn spec_user(ctx: &Ctx, what: &str) -> Result<(Created, OktaUser), Finding> {
    let user = OktaUser::new(ctx, what);
    let r = spec_post(ctx, &user).await;
    let users = ctx.users().to_string();
    let c = ctx.created_from(&r, &users, "user (step 5's POST /Users)")?;
    Ok((c, user))
}

/// Okta's engine provisions an assigned user: a userName filter (an empty list or a 404 means
/// "create"), then POST /Users, which must answer 201 with an id.
pub async fn engine_user(ctx: &Ctx, what: &str) -> Result<(Created, OktaUser), Finding> {
    let user = OktaUser::new(ctx, what);
    let users = ctx.users().to_string();
    let path = format!(
        "{}&startIndex=1&count=100",
        filter_path(&users, "userName", &user.user_name)
    );
    let r = ctx.send("GET", &path, None, ENGINE_READ).await;
    expect(&r, &[200, 404], "Okta's existence check before the create")?;
    if r.status == Some(200)
        && r.body()["Resources"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
    {
        return Err(Finding::fail(format!(
            "Okta's existence check: a filter on a new userName matched {} (Okta would link instead of creating)",
            truncate(&r.text, 200)
        )));
    }
    let r = ctx
        .send("POST", &users, Some(&user.engine_body()), ENGINE_WRITE)
        .await;
    // A 2xx is tracked for cleanup before its status is judged.
    let created = match r.status {
        Some(200..=299) => Some(ctx.created_from(&r, &users, "user")?),
        _ => None,
    };
    expect(&r, &[201], "Okta's create (POST /Users)")?;
    created
        .map(|c| (c, user))
        .ok_or_else(|| Finding::error("Okta's create answered 201 without a created user"))
}

/// Okta's engine (de)activates a user: one path-less replace of `{"active": active}`, which
/// must answer 200 or 204.
pub async fn engine_set_active(ctx: &Ctx, c: &Created, active: bool, step: &str) -> CheckResult {
    let body = json!({
        "schemas": [crate::conformance::context::PATCH_OP],
        "Operations": [{"op": "replace", "value": {"active": active}}]
    });
    let r = ctx
        .send("PATCH", &c.location, Some(&body), ENGINE_WRITE)
        .await;
    expect(&r, &[200, 204], step)
}

/// The CRUD test's GET of the SCIM user: 200, its body.
pub async fn crud_read(ctx: &Ctx, c: &Created, step: &str) -> Result<Value, Finding> {
    crate::certify::probe::read_with(ctx, c, CRUD_READ, step).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_empty_counts_false_and_zero_as_values() {
        let v = json!({"id": "1", "active": false, "n": 0, "e": "", "a": [], "nul": null,
            "emails": [{"value": "x"}]});
        assert_eq!(
            blanks(
                &v,
                &[
                    "/id",
                    "/active",
                    "/n",
                    "/e",
                    "/a",
                    "/nul",
                    "/missing",
                    "/emails/0/value"
                ]
            ),
            vec!["/e", "/a", "/nul", "/missing"]
        );
    }

    #[test]
    fn equal_compares_the_text() {
        assert!(equals_text(Some(&json!(401)), "401"));
        assert!(equals_text(Some(&json!("401")), "401"));
        assert!(!equals_text(Some(&json!("4010")), "401"));
        assert!(equals_text(Some(&json!(false)), "false"));
        assert!(!equals_text(Some(&json!("False")), "false"));
        assert!(!equals_text(None, "401"));
        assert!(!equals_text(Some(&json!(["401"])), "401"));
    }

    #[test]
    fn generated_users_look_like_okta_s() {
        let u = OktaUser::from_parts("scimtest-1a2b3c4d-x-0-u", "0f9e8d7c");
        assert_eq!(u.user_name, "scimtest-1a2b3c4d-x-0-u@example.com");
        assert_eq!(u.user_name_caps(), "SCIMTEST-1A2B3C4D-X-0-U@EXAMPLE.COM");
        assert!(
            u.given.starts_with("Runscope") && u.given.len() == 11,
            "{}",
            u.given
        );
        assert_eq!(u.family.len(), 12, "{}", u.family);
        assert!(u.family.starts_with('O'));
        let b = u.spec_body();
        assert_eq!(b["emails"][0]["value"], json!(u.user_name));
        assert_eq!(b["name"]["familyName"], json!(u.family));
        assert_eq!(b["active"], json!(true));
        assert!(has_schema(&b, USER));
    }

    #[test]
    fn error_assertions_accept_a_numeric_status() {
        let ok = json!({"schemas": [ERROR], "detail": "no", "status": 404});
        assert!(error_failures(&ok, Some(404)).is_empty());
        let bad = json!({"detail": "", "status": "400"});
        assert_eq!(error_failures(&bad, Some(404)).len(), 3);
        assert_eq!(error_failures(&bad, None).len(), 2);
    }

    #[test]
    fn filters_are_quoted_and_encoded() {
        assert_eq!(
            filter_path("/Users", "userName", "a\"b@x"),
            "/Users?filter=userName%20eq%20%22a%5C%22b%40x%22"
        );
    }
}
