//! What a check sees: the target client, the run namespace, the capabilities discovered from
//! the target, and its own exchange log (the evidence of its verdict). Helpers here create
//! namespaced resources and register them for cleanup, so checks never touch data they did not
//! create.

use crate::client::exchange::Exchange;
use crate::client::http::{Body, Client, Resp};
use crate::client::namespace::Namespace;
use crate::conformance::model::{Capability, CheckResult, Finding};
pub use crate::text::truncate;
use parking_lot::Mutex;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The core User schema URN.
pub const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// The core Group schema URN.
pub const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
/// The Enterprise User extension URN.
pub const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
/// The PatchOp message URN.
pub const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
/// The ListResponse message URN.
pub const LIST: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
/// The Error message URN.
pub const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
/// The SearchRequest message URN.
pub const SEARCH: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
/// The BulkRequest message URN.
pub const BULK_REQUEST: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";

/// Whether a declared attribute (or Null: not known) is a readable, writable single-valued
/// string (mutability readWrite, the default).
pub fn writable_string(a: &Value) -> bool {
    a.is_null()
        || (a["type"].as_str().is_none_or(|t| t == "string")
            && a["multiValued"] != true
            && a["mutability"].as_str().is_none_or(|m| m == "readWrite"))
}

pub use crate::scim::state::unassigned;

/// `body[key]` unless it is unassigned (RFC 7643 §2.5).
pub fn assigned<'v>(body: &'v Value, key: &str) -> Option<&'v Value> {
    body.get(key).filter(|v| !unassigned(v))
}

/// What discovery found out about the target.
#[derive(Debug, Clone, Default)]
pub struct Caps {
    /// The ServiceProviderConfig document (Null when it could not be read).
    pub spc: Value,
    /// `/ResourceTypes` resources.
    pub resource_types: Vec<Value>,
    /// `/Schemas` resources.
    pub schemas: Vec<Value>,
    /// Endpoint of the User resource type (`/Users`).
    pub users: String,
    /// Endpoint of the Group resource type, if any.
    pub groups: Option<String>,
    /// Whether a second tenant's credential was given (`--second-token`).
    pub second_tenant: bool,
    /// How advertised ResourceType endpoints that are not in the RFC's relative form were
    /// resolved (one line each; empty when every endpoint was plain).
    pub endpoint_notes: Vec<String>,
}

impl Caps {
    fn flag(&self, name: &str) -> bool {
        self.spc
            .get(name)
            .and_then(|f| f.get("supported"))
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }
    /// Whether the target advertises `cap`.
    pub fn has(&self, cap: Capability) -> bool {
        match cap {
            Capability::Patch => self.flag("patch"),
            Capability::Bulk => self.flag("bulk"),
            Capability::Sort => self.flag("sort"),
            Capability::Etag => self.flag("etag"),
            Capability::Filter => self.flag("filter"),
            Capability::Groups => self.groups.is_some(),
            Capability::SecondTenant => self.second_tenant,
            Capability::Cursor => {
                self.spc.pointer("/pagination/cursor") == Some(&Value::Bool(true))
            }
            Capability::EnterpriseUser => self.resource_types.iter().any(|rt| {
                rt["schemaExtensions"]
                    .as_array()
                    .is_some_and(|e| e.iter().any(|x| x["schema"].as_str() == Some(ENTERPRISE)))
            }),
        }
    }
    /// The attribute definition `path` (`displayName`, `name.givenName`, `emails.type`) of the
    /// schema `urn` as the target serves it in `/Schemas`; None when undeclared or when the
    /// target serves no such schema.
    pub fn attribute(&self, urn: &str, path: &str) -> Option<&Value> {
        let schema = self
            .schemas
            .iter()
            .find(|s| s["id"].as_str() == Some(urn))?;
        let mut attrs: &[Value] = schema["attributes"].as_array()?;
        let mut found = None;
        for part in path.split('.') {
            let a = attrs.iter().find(|a| {
                a["name"]
                    .as_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case(part))
            })?;
            found = Some(a);
            attrs = a["subAttributes"].as_array().map_or(&[], Vec::as_slice);
        }
        found
    }

    /// Whether the target serves a usable definition of schema `urn` in `/Schemas`.
    pub fn serves_schema(&self, urn: &str) -> bool {
        self.schemas
            .iter()
            .any(|s| s["id"].as_str() == Some(urn) && s["attributes"].is_array())
    }

    /// Whether a check may use attribute `path` of schema `urn`: declared in `/Schemas`, or
    /// (when the target serves no definition of the schema at all) part of the RFC's schema.
    pub fn declares(&self, urn: &str, path: &str) -> bool {
        !self.serves_schema(urn) || self.attribute(urn, path).is_some()
    }

    /// The first of `candidates` that the target declares in `urn` and that satisfies `fits`
    /// (given the declaration; Null when the schema is not served).
    pub fn pick<'a>(
        &self,
        urn: &str,
        candidates: &[&'a str],
        fits: impl Fn(&Value) -> bool,
    ) -> Option<&'a str> {
        candidates.iter().copied().find(|p| {
            if !self.serves_schema(urn) {
                return fits(&Value::Null);
            }
            self.attribute(urn, p).is_some_and(&fits)
        })
    }

    /// `bulk.maxOperations`.
    pub fn bulk_max_operations(&self) -> Option<u64> {
        self.spc
            .pointer("/bulk/maxOperations")
            .and_then(Value::as_u64)
    }
    /// `bulk.maxPayloadSize`.
    pub fn bulk_max_payload(&self) -> Option<u64> {
        self.spc
            .pointer("/bulk/maxPayloadSize")
            .and_then(Value::as_u64)
    }
    /// `filter.maxResults`.
    pub fn max_results(&self) -> Option<u64> {
        self.spc
            .pointer("/filter/maxResults")
            .and_then(Value::as_u64)
    }
}

/// State shared by every check of a run.
#[derive(Debug)]
pub struct Shared {
    /// The target client.
    pub client: Client,
    /// The run namespace.
    pub ns: Namespace,
    /// Discovered capabilities.
    pub caps: Caps,
    /// Resources created so far (for the cleanup report).
    pub created: AtomicUsize,
    /// A second tenant (`--second-token`): its client and its own ledger under the same run
    /// prefix, cleaned up with its own credential.
    pub second: Option<(Client, Namespace)>,
    /// What a caller running checks of its own (not the catalogue's: `certify`'s vendor tests)
    /// hands them: read with [`Ctx::extension`].
    pub extension: Option<Arc<dyn std::any::Any + Send + Sync>>,
}

/// A request header that marks the second tenant's requests in the evidence (the target may
/// ignore it; nothing depends on it).
pub const SECOND_TENANT_MARK: (&str, &str) = ("X-Scimtest-Tenant", "second");

/// A created resource.
#[derive(Debug, Clone)]
pub struct Created {
    /// Its id.
    pub id: String,
    /// Its location (absolute, as the target gave it or as built from the endpoint).
    pub location: String,
    /// The 201 body.
    pub body: Value,
}

/// One check's context.
#[derive(Debug)]
pub struct Ctx {
    shared: Arc<Shared>,
    check: &'static str,
    log: Mutex<Vec<Exchange>>,
    violations: Mutex<Vec<String>>,
    n: AtomicUsize,
}

impl Ctx {
    /// A context for check `id`.
    pub fn new(shared: Arc<Shared>, check: &'static str) -> Ctx {
        Ctx {
            shared,
            check,
            log: Mutex::new(Vec::new()),
            violations: Mutex::new(Vec::new()),
            n: AtomicUsize::new(0),
        }
    }

    /// The evidence collected so far.
    pub fn evidence(&self) -> Vec<Exchange> {
        self.log.lock().clone()
    }

    /// Discovered capabilities.
    pub fn caps(&self) -> &Caps {
        &self.shared.caps
    }

    /// The caller's extension (`RunOptions::extension`) as a `T`, when it is one.
    pub fn extension<T: 'static>(&self) -> Option<&T> {
        self.shared.extension.as_deref()?.downcast_ref::<T>()
    }

    /// The users endpoint (`/Users`).
    pub fn users(&self) -> &str {
        &self.shared.caps.users
    }

    /// The groups endpoint, or a Skip when the target has none.
    pub fn groups(&self) -> Result<&str, Finding> {
        self.shared
            .caps
            .groups
            .as_deref()
            .ok_or_else(|| Finding::skip("the target has no Group resource type"))
    }

    /// A namespaced, run-unique name: `scimtest-<run>-<check>-<n>-<suffix>`.
    pub fn name(&self, suffix: &str) -> String {
        let n = self.n.fetch_add(1, Ordering::Relaxed);
        let short: String = self
            .check
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        self.shared.ns.name(&format!("{short}-{n}-{suffix}"))
    }

    fn record(&self, r: &Resp) {
        self.log.lock().push(r.exchange.clone());
        let found = message_violations(r);
        if !found.is_empty() {
            let mut v = self.violations.lock();
            for f in found {
                v.push(format!(
                    "{} {}: {f}",
                    r.exchange.method,
                    path_of(&r.exchange.url)
                ));
            }
        }
    }

    /// Add an exchange made outside this context's client (a token request) to the evidence.
    pub fn note(&self, x: Exchange) {
        self.log.lock().push(x);
    }

    /// The redactor of the target client (for requests a check makes itself).
    pub fn redactor(&self) -> &crate::client::exchange::Redactor {
        self.shared.client.redactor()
    }

    /// JSON Schema violations found in this check's responses so far.
    pub fn schema_violations(&self) -> Vec<String> {
        self.violations.lock().clone()
    }

    /// Any request, logged as evidence.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Resp {
        let r = self
            .shared
            .client
            .send(method, path, body.map(Body::Json), headers)
            .await;
        self.record(&r);
        r
    }

    /// A request with a raw body and content type.
    pub async fn raw(&self, method: &str, path: &str, body: &[u8], content_type: &str) -> Resp {
        let r = self
            .shared
            .client
            .send(method, path, Some(Body::Raw(body, content_type)), &[])
            .await;
        self.record(&r);
        r
    }

    /// A request without the configured auth headers.
    pub async fn unauthenticated(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
    ) -> Resp {
        let r = self
            .shared
            .client
            .send_unauthenticated(method, path, headers)
            .await;
        self.record(&r);
        r
    }

    /// GET.
    pub async fn get(&self, path: &str) -> Resp {
        self.send("GET", path, None, &[]).await
    }
    /// POST JSON.
    pub async fn post(&self, path: &str, body: &Value) -> Resp {
        self.send("POST", path, Some(body), &[]).await
    }
    /// PUT JSON.
    pub async fn put(&self, path: &str, body: &Value) -> Resp {
        self.send("PUT", path, Some(body), &[]).await
    }
    /// PATCH with a PatchOp envelope around `ops`.
    pub async fn patch(&self, path: &str, ops: Value) -> Resp {
        self.send(
            "PATCH",
            path,
            Some(&json!({"schemas": [PATCH_OP], "Operations": ops})),
            &[],
        )
        .await
    }
    /// DELETE.
    pub async fn delete(&self, path: &str) -> Resp {
        self.send("DELETE", path, None, &[]).await
    }

    /// A request as the second tenant (`--second-token`), logged as evidence and marked with
    /// [`SECOND_TENANT_MARK`]; a Skip when no second credential was given.
    pub async fn as_second(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Resp, Finding> {
        let Some((client, _)) = &self.shared.second else {
            return Err(Finding::skip(
                "needs a second tenant's credential (--second-token)",
            ));
        };
        let r = client
            .send(method, path, body.map(Body::Json), &[SECOND_TENANT_MARK])
            .await;
        self.record(&r);
        Ok(r)
    }

    /// Register a resource the second tenant created, for cleanup with its credential.
    pub fn track_second(&self, location: &str) {
        if let Some((_, ns)) = &self.shared.second {
            ns.track(location);
            self.shared.created.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Stop tracking a resource of the second tenant (deleted by the check itself).
    pub fn untrack_second(&self, location: &str) {
        if let Some((_, ns)) = &self.shared.second {
            ns.untrack(location);
        }
    }

    /// `path` made absolute against the target's base URL.
    pub fn url_of(&self, path: &str) -> String {
        self.shared.client.url(path)
    }

    /// A URI reference the target sent (a `location`, a `$ref`) resolved as RFC 3986 says:
    /// absolute stays, `/scim/Users/1` is taken from the origin, anything else from the base.
    pub fn resolve_reference(&self, reference: &str) -> String {
        let base = format!("{}/", self.shared.client.base_url());
        match reqwest::Url::parse(&base).and_then(|b| b.join(reference)) {
            Ok(u) => u.to_string(),
            Err(_) => self.url_of(reference),
        }
    }

    /// The `Location` header of this check's most recent successful POST, if it had one.
    pub fn last_post_location(&self) -> Option<String> {
        let log = self.log.lock();
        let x = log
            .iter()
            .rev()
            .find(|x| x.method == "POST" && matches!(x.status, Some(200..=299)))?;
        x.response_headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("location"))
            .map(|(_, v)| v.clone())
    }

    /// Register a created resource for cleanup.
    pub fn track(&self, location: &str) {
        self.shared.ns.track(location);
        self.shared.created.fetch_add(1, Ordering::Relaxed);
    }

    /// Delete a resource this check created and stop tracking it.
    pub async fn delete_created(&self, c: &Created) -> Resp {
        let r = self.delete(&c.location).await;
        if matches!(r.status, Some(s) if (200..300).contains(&s) || s == 404) {
            self.shared.ns.untrack(&c.location);
        }
        r
    }

    /// The resource a POST to `endpoint` created, registered for cleanup; an Error finding
    /// naming `what` when the POST did not create one.
    pub fn created_from(&self, r: &Resp, endpoint: &str, what: &str) -> Result<Created, Finding> {
        if r.status.is_none() {
            return Err(Finding::error(format!(
                "could not create the {what} this check needs: {} {}: {}",
                r.exchange.method,
                r.exchange.url,
                r.error.clone().unwrap_or_default()
            )));
        }
        let id = r.body()["id"].as_str().map(str::to_string);
        let Some(id) = id.filter(|_| matches!(r.status, Some(200..=299))) else {
            return Err(Finding::error(format!(
                "could not create the {what} this check needs: {} {} answered {} {}",
                r.exchange.method,
                r.exchange.url,
                r.code(),
                truncate(&r.text, 300)
            )));
        };
        // meta.location and Location may be absolute or relative (RFC 7643 §2.3.7): resolved
        // against the base URL (RFC 3986 §5) before use; a reference that does not end in the
        // id is not trusted for cleanup.
        let names_it = |l: &String| l.trim_end_matches('/').ends_with(&format!("/{id}"));
        let location = r
            .body()
            .pointer("/meta/location")
            .and_then(Value::as_str)
            .map(|l| self.resolve_reference(l))
            .filter(names_it)
            .or_else(|| {
                r.header("location")
                    .map(|l| resolve_against(&r.exchange.url, l))
                    .filter(names_it)
            })
            .unwrap_or_else(|| self.shared.client.url(&format!("{endpoint}/{id}")));
        self.track(&location);
        Ok(Created {
            id,
            location,
            body: r.body().clone(),
        })
    }

    /// The first of `candidates` that the target declares on User as a writable single-valued
    /// string (for checks that need "some attribute to set"), or a Skip naming them.
    pub fn user_text_attr(&self, candidates: &[&'static str]) -> Result<&'static str, Finding> {
        self.caps()
            .pick(USER, candidates, writable_string)
            .ok_or_else(|| {
                Finding::skip(format!(
                    "the target's User schema declares none of {} as a writable single-valued string, which this check needs",
                    candidates.join(", ")
                ))
            })
    }

    /// A Skip unless the target declares every attribute of `paths` in schema `urn` (RFC 7643
    /// makes most attributes optional; a check uses only what the target declares).
    pub fn needs(&self, urn: &str, paths: &[&str]) -> CheckResult {
        let missing: Vec<&str> = paths
            .iter()
            .copied()
            .filter(|p| !self.caps().declares(urn, p))
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(Finding::skip(format!(
                "the target's schema {urn} does not declare {} (optional in RFC 7643), which this check needs",
                missing.join(", ")
            )))
        }
    }

    /// The path of a resource of the users endpoint.
    pub fn user_path(&self, id: &str) -> String {
        format!("{}/{id}", self.users())
    }

    /// POST a namespaced user; `extra` attributes are merged in (`userName` and `schemas` are
    /// filled in unless given). Setup failure is an Error finding, not a Fail.
    pub async fn create_user(&self, extra: Value) -> Result<Created, Finding> {
        let mut body = json!({"schemas": [USER], "userName": self.name("user")});
        if let (Value::Object(b), Value::Object(e)) = (&mut body, extra) {
            b.extend(e);
        }
        let users = self.users().to_string();
        let r = self.post(&users, &body).await;
        self.created_from(&r, &users, "user")
    }

    /// POST a namespaced group with these member ids.
    pub async fn create_group(&self, members: &[&str]) -> Result<Created, Finding> {
        let groups = self.groups()?.to_string();
        let members: Vec<Value> = members.iter().map(|m| json!({"value": m})).collect();
        let mut body = json!({"schemas": [GROUP], "displayName": self.name("group")});
        if !members.is_empty() {
            body["members"] = Value::Array(members);
        }
        let r = self.post(&groups, &body).await;
        self.created_from(&r, &groups, "group")
    }
}

/// Validate a response body against the JSON Schema of the SCIM message it claims to be (by
/// status and `schemas`). Projected responses (`attributes=`, `excludedAttributes=`, or a
/// `.search` body naming attributes) are partial by design and are not validated.
pub fn message_violations(r: &Resp) -> Vec<String> {
    use crate::conformance::validate::{Message, list_violations, violations};
    let Some(body) = &r.json else {
        return Vec::new();
    };
    let url = &r.exchange.url;
    let projected = url.contains("attributes=")
        || r.exchange
            .request_body
            .as_deref()
            .is_some_and(|b| b.contains("ttributes\""));
    if projected {
        return Vec::new();
    }
    if r.code() >= 400 {
        return violations(Message::Error, body);
    }
    let Some(schemas) = body["schemas"].as_array() else {
        return Vec::new();
    };
    let has = |u: &str| schemas.iter().any(|s| s.as_str() == Some(u));
    let spc = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
    let bulk = "urn:ietf:params:scim:api:messages:2.0:BulkResponse";
    if has(LIST) {
        let first = &body["Resources"][0]["schemas"];
        let item_is = |u: &str| {
            first
                .as_array()
                .is_some_and(|a| a.iter().any(|s| s.as_str() == Some(u)))
        };
        if item_is(USER) {
            list_violations(Message::User, body)
        } else if item_is(GROUP) {
            list_violations(Message::Group, body)
        } else {
            violations(Message::ListResponse, body)
        }
    } else if has(USER) {
        violations(Message::User, body)
    } else if has(GROUP) {
        violations(Message::Group, body)
    } else if has(spc) {
        violations(Message::ServiceProviderConfig, body)
    } else if has(bulk) {
        violations(Message::BulkResponse, body)
    } else {
        Vec::new()
    }
}

/// An xsd:dateTime (RFC 7643 §2.3.5: "MUST be encoded as a valid xsd:dateTime ... and MUST
/// include both a date and a time"); the time zone is optional there, and a value without one
/// is read as UTC for comparisons.
pub fn parse_datetime(s: &str) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(t);
    }
    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|n| n.and_utc().fixed_offset())
}

/// An HTTP `Location` (or any reference) resolved against the URL of the request that
/// received it (RFC 9110 §10.2.2, RFC 3986 §5); unparseable input is returned as it is.
pub fn resolve_against(request_url: &str, reference: &str) -> String {
    match reqwest::Url::parse(request_url).and_then(|b| b.join(reference)) {
        Ok(u) => u.to_string(),
        Err(_) => reference.to_string(),
    }
}

/// The transport failure of `r` as an Error finding, if it had one.
pub fn reached(r: &Resp) -> CheckResult {
    match (&r.status, &r.error) {
        (None, e) => Err(Finding::error(format!(
            "{} {}: no HTTP answer: {}",
            r.exchange.method,
            r.exchange.url,
            e.clone().unwrap_or_default()
        ))),
        (Some(_), Some(e)) => Err(Finding::error(format!(
            "{} {}: {e}",
            r.exchange.method, r.exchange.url
        ))),
        _ => Ok(()),
    }
}

/// Fail unless the status is one of `want`.
pub fn status(r: &Resp, want: &[u16]) -> CheckResult {
    reached(r)?;
    if want.contains(&r.code()) {
        Ok(())
    } else {
        let want: Vec<String> = want.iter().map(u16::to_string).collect();
        Err(Finding::fail(format!(
            "{} {} answered {}, expected {}: {}",
            r.exchange.method,
            path_of(&r.exchange.url),
            r.code(),
            want.join(" or "),
            truncate(&r.text, 200)
        )))
    }
}

/// Fail with `reason` unless `cond`.
pub fn ensure(cond: bool, reason: impl FnOnce() -> String) -> CheckResult {
    if cond {
        Ok(())
    } else {
        Err(Finding::fail(reason()))
    }
}

/// An RFC 7644 §3.12 error with this status and (when given) scimType.
pub fn scim_error(r: &Resp, want_status: u16, scim_type: Option<&str>) -> CheckResult {
    status(r, &[want_status])?;
    error_body(r)?;
    if let Some(t) = scim_type {
        let b = r.body();
        ensure(b["scimType"].as_str() == Some(t), || {
            format!("expected scimType {t:?}, got {}", b["scimType"])
        })?;
    }
    Ok(())
}

/// The body of an error response is an RFC 7644 §3.12 Error: the Error URN in `schemas` and
/// `status` as the string of the HTTP status.
pub fn error_body(r: &Resp) -> CheckResult {
    let b = r.body();
    let code = r.code();
    ensure(
        b["schemas"]
            .as_array()
            .is_some_and(|s| s.iter().any(|u| u == ERROR)),
        || {
            format!(
                "the {code} body is not a SCIM Error (schemas lacks {ERROR}): {}",
                truncate(&r.text, 200)
            )
        },
    )?;
    ensure(b["status"].as_str() == Some(&code.to_string()), || {
        format!(
            "the error's \"status\" must be the string \"{code}\", got {}",
            b["status"]
        )
    })
}

/// The path part of a URL, for shorter reasons.
pub fn path_of(url: &str) -> &str {
    url.find("://")
        .and_then(|i| url[i + 3..].find('/').map(|j| &url[i + 3 + j..]))
        .unwrap_or(url)
}

/// The ids in a ListResponse.
pub fn ids(r: &Resp) -> Vec<String> {
    r.body()["Resources"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x["id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

pub use crate::client::enc;
