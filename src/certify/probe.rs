//! What the vendor tests' probes share: the settings `certify` hands them (the attribute
//! mapping, the OAuth client), generated attribute values, the vendor's create/find/read
//! steps with the vendor's own pass criteria, and the verdict helpers.

use crate::certify::mapping::{self, AttrType, Mapped, Mapping};
use crate::client::http::Resp;
use crate::client::oauth::ClientCredentials;
use crate::conformance::context::{Created, Ctx, LIST, truncate};
use crate::conformance::model::{CheckResult, Finding};
use serde_json::{Value, json};
use std::sync::OnceLock;

/// What `certify` hands its probes (through the runner's extension slot).
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// The attribute mapping the Entra tests use (already restricted to the target's schema).
    pub mapping: Mapping,
    /// The OAuth client of `--oauth-token-url`/`--client-id`, when the target uses one.
    pub oauth: Option<ClientCredentials>,
    /// Per-request timeout for the token endpoint.
    pub timeout: std::time::Duration,
}

/// The settings of this run (Entra's defaults when none were handed over: a probe run alone).
pub fn settings(ctx: &Ctx) -> &Settings {
    static DEFAULT: OnceLock<Settings> = OnceLock::new();
    ctx.extension::<Settings>().unwrap_or_else(|| {
        DEFAULT.get_or_init(|| Settings {
            mapping: Mapping::entra_default(),
            oauth: None,
            timeout: std::time::Duration::from_secs(10),
        })
    })
}

/// A short random hex tag (values that must differ between runs and phases).
pub fn hex8() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..8].to_string()
}

/// A value for a mapped attribute, of its type, recognisable and distinct per `tag`.
pub fn value_for(m: &Mapped, tag: &str, user_name: &str) -> Value {
    match m.kind {
        AttrType::Boolean => return json!(true),
        AttrType::Integer => return json!(7),
        AttrType::DateTime => {
            return json!(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        }
        AttrType::Reference => return Value::Null,
        AttrType::String => {}
    }
    let local = user_name.split('@').next().unwrap_or(user_name);
    let t = m.target.to_ascii_lowercase();
    let leaf = mapping::leaf_name(&m.target).to_ascii_lowercase();
    if t == "username" {
        return json!(user_name);
    }
    if t.starts_with("emails") {
        return json!(format!("{local}.{tag}@example.com"));
    }
    if t.starts_with("phonenumbers") {
        return json!("+1 425 555 0100");
    }
    json!(match leaf.as_str() {
        "externalid" => uuid::Uuid::new_v4().to_string(),
        "givenname" => format!("Given{tag}"),
        "familyname" => format!("Family{tag}"),
        "displayname" => format!("Display {tag}"),
        "title" => format!("Engineer {tag}"),
        "department" => format!("Research {tag}"),
        "employeenumber" => format!("E{tag}"),
        "postalcode" => "98052".to_string(),
        "streetaddress" => format!("{tag} Main Street"),
        "locality" => "Redmond".to_string(),
        "country" => "US".to_string(),
        "preferredlanguage" => "en-US".to_string(),
        "locale" => "en-US".to_string(),
        "timezone" => "America/Los_Angeles".to_string(),
        _ => format!("{leaf}-{tag}"),
    })
}

/// Whether the attribute is one the Entra tests write with a plain value (not a reference,
/// not the matching or state attributes).
pub fn plain(m: &Mapped) -> bool {
    let t = m.target.to_ascii_lowercase();
    m.kind != AttrType::Reference && !matches!(t.as_str(), "username" | "active" | "externalid")
}

/// The body Entra's engine POSTs for a new user: every mapped attribute with a value.
pub fn user_body(ctx: &Ctx, user_name: &str, tag: &str) -> Value {
    let s = settings(ctx);
    let mut body = json!({"schemas": [crate::conformance::context::USER], "userName": user_name});
    for m in &s.mapping.user {
        if m.kind == AttrType::Reference || m.target.eq_ignore_ascii_case("userName") {
            continue;
        }
        mapping::put(&mut body, &m.target, value_for(m, tag, user_name));
    }
    body
}

/// A namespaced userName as Entra writes it (a UPN).
pub fn user_name(ctx: &Ctx, what: &str) -> String {
    format!("{}@example.com", ctx.name(what))
}

/// A transport failure or a status outside `want`: Error for the first (no verdict), Fail
/// naming `step` for the second.
pub fn expect(r: &Resp, want: &[u16], step: &str) -> CheckResult {
    match r.status {
        None => Err(Finding::error(format!(
            "{step}: {} {}: {}",
            r.exchange.method,
            r.exchange.url,
            r.error.clone().unwrap_or_default()
        ))),
        Some(s) if want.contains(&s) => Ok(()),
        Some(s) => Err(Finding::fail(format!(
            "{step}: {} {} answered {s} (wanted {}) {}",
            r.exchange.method,
            crate::conformance::context::path_of(&r.exchange.url),
            want.iter()
                .map(u16::to_string)
                .collect::<Vec<_>>()
                .join(" or "),
            truncate(&r.text, 300)
        ))),
    }
}

/// 200 or 204: what Microsoft's tests accept from a PATCH.
pub const PATCH_OK: &[u16] = &[200, 204];
/// 200 or 201: what Microsoft's tests accept from a POST.
pub const CREATE_OK: &[u16] = &[200, 201];

/// POST `body` to `endpoint` as the vendor's create step: a status outside `want` is a Fail
/// (the vendor's test fails there), the resource is tracked for cleanup.
pub async fn create(
    ctx: &Ctx,
    endpoint: &str,
    body: &Value,
    want: &[u16],
    step: &str,
) -> Result<Created, Finding> {
    let r = ctx.post(endpoint, body).await;
    expect(&r, want, step)?;
    ctx.created_from(&r, endpoint, step).map_err(|f| {
        // A 2xx without a usable id is the vendor's failure too (it needs the id to go on).
        Finding::fail(f.reason)
    })
}

/// Create a user the way Entra's engine does (every mapped attribute), judged as Entra's
/// create step: 200/201 with an id.
pub async fn create_entra_user(ctx: &Ctx, what: &str) -> Result<(Created, String), Finding> {
    let name = user_name(ctx, what);
    let body = user_body(ctx, &name, &hex8());
    let users = ctx.users().to_string();
    let c = create(ctx, &users, &body, CREATE_OK, "create the user").await?;
    Ok((c, name))
}

/// `GET endpoint?filter=<attr> eq "<value>"` as a provisioning engine matches an object: 200
/// with a ListResponse; the matching resources.
pub async fn find(
    ctx: &Ctx,
    endpoint: &str,
    attr: &str,
    value: &str,
    step: &str,
) -> Result<Vec<Value>, Finding> {
    let filter = format!("{attr} eq \"{}\"", value.replace('"', "\\\""));
    let r = ctx
        .get(&format!(
            "{endpoint}?filter={}",
            crate::client::enc(&filter)
        ))
        .await;
    expect(&r, &[200], step)?;
    let body = r.body();
    match body.get("Resources") {
        Some(Value::Array(items)) => Ok(items.clone()),
        None | Some(Value::Null) if body["totalResults"] == json!(0) => Ok(Vec::new()),
        _ => Err(Finding::fail(format!(
            "{step}: the answer is not a ListResponse with Resources: {}",
            truncate(&r.text, 300)
        ))),
    }
}

/// GET a created resource (200), its body.
pub async fn read(ctx: &Ctx, c: &Created, step: &str) -> Result<Value, Finding> {
    read_with(ctx, c, &[], step).await
}

/// [`read`] with the vendor's own request headers.
pub async fn read_with(
    ctx: &Ctx,
    c: &Created,
    headers: &[(&str, &str)],
    step: &str,
) -> Result<Value, Finding> {
    let r = ctx.send("GET", &c.location, None, headers).await;
    expect(&r, &[200], step)?;
    match &r.json {
        Some(v) if v.is_object() => Ok(v.clone()),
        _ => Err(Finding::fail(format!(
            "{step}: the answer is not a JSON resource: {}",
            truncate(&r.text, 300)
        ))),
    }
}

/// PATCH a created resource with `ops` (a PatchOp envelope), judged 200/204.
pub async fn patch(ctx: &Ctx, c: &Created, ops: Value, step: &str) -> CheckResult {
    let r = ctx.patch(&c.location, ops).await;
    expect(&r, PATCH_OK, step)
}

/// Values that differ only in letter case or surrounding space are the same value (servers
/// may normalise email case; the vendors compare what they sent with what they read).
pub fn same(sent: &Value, got: Option<&Value>) -> bool {
    match (sent, got) {
        (Value::String(a), Some(Value::String(b))) => a.trim().eq_ignore_ascii_case(b.trim()),
        (a, Some(b)) => {
            a == b || a.to_string().trim_matches('"') == b.to_string().trim_matches('"')
        }
        (_, None) => false,
    }
}

/// Whether a list of resources holds the one with this id.
pub fn holds(resources: &[Value], id: &str) -> bool {
    resources.iter().any(|r| r["id"].as_str() == Some(id))
}

/// The ListResponse URN (re-exported for the Okta steps).
pub const LIST_URN: &str = LIST;
