//! What the vendor tests' probes share: the settings `certify` hands them (the attribute
//! mapping, the OAuth client), generated attribute values, the vendor's create/find/read
//! steps with the vendor's own pass criteria, and the verdict helpers.

use crate::certify::mapping::{self, Mapped, Mapping};
use crate::client::http::Resp;
use crate::client::oauth::ClientCredentials;
use crate::conformance::context::{Created, Ctx, LIST, truncate};
use crate::conformance::model::{CheckResult, Finding};
use crate::scim::provisioning::AttrType;
use serde_json::{Value, json};
use std::sync::OnceLock;

/// How Entra's provisioning engine writes its requests: its default dialect, or the one the
/// `aadOptscim062020` flag on the app's Tenant URL switches on (the replay profiles of the same
/// names record both).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum EntraDialect {
    /// Capitalised ops, booleans as strings, members removed with a value array.
    #[default]
    Default,
    /// Lower-case ops, real booleans, single-valued replaces merged into one path-less op,
    /// members removed with a `members[value eq "…"]` path.
    Aadoptscim062020,
}

impl EntraDialect {
    /// The replay profile that records this dialect.
    pub fn profile(self) -> &'static str {
        match self {
            EntraDialect::Default => "default",
            EntraDialect::Aadoptscim062020 => "aadoptscim062020",
        }
    }

    /// In words, for reasons and the report.
    pub fn describe(self) -> &'static str {
        match self {
            EntraDialect::Default => "Entra's default dialect",
            EntraDialect::Aadoptscim062020 => "Entra's aadOptscim062020 dialect",
        }
    }

    /// A PATCH op name as the engine writes it (`Replace` or `replace`).
    pub fn op(self, op: &str) -> String {
        match self {
            EntraDialect::Default => {
                let mut c = op.chars();
                c.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                    .unwrap_or_default()
            }
            EntraDialect::Aadoptscim062020 => op.to_ascii_lowercase(),
        }
    }

    /// A boolean as the engine writes it (`"False"` or `false`).
    pub fn boolean(self, b: bool) -> Value {
        match (self, b) {
            (EntraDialect::Default, true) => json!("True"),
            (EntraDialect::Default, false) => json!("False"),
            (EntraDialect::Aadoptscim062020, b) => json!(b),
        }
    }

    /// The op removing member `id` from a group.
    pub fn remove_member(self, id: &str) -> Value {
        match self {
            EntraDialect::Default => {
                json!({"op": "Remove", "path": "members", "value": [{"value": id}]})
            }
            EntraDialect::Aadoptscim062020 => {
                json!({"op": "remove", "path": format!("members[value eq \"{id}\"]")})
            }
        }
    }

    /// The ops replacing `changes` (target path → value): one op each in the default dialect;
    /// with the flag, every single-valued path in one path-less op with dotted keys and the
    /// typed multi-valued paths (`emails[type eq "work"].value`) on their own.
    pub fn replace_ops(self, changes: &[(String, Value)]) -> Vec<Value> {
        match self {
            EntraDialect::Default => changes
                .iter()
                .map(|(p, v)| json!({"op": "Replace", "path": p, "value": v}))
                .collect(),
            EntraDialect::Aadoptscim062020 => {
                let mut ops: Vec<Value> = changes
                    .iter()
                    .filter(|(p, _)| p.contains('['))
                    .map(|(p, v)| json!({"op": "replace", "path": p, "value": v}))
                    .collect();
                let merged: serde_json::Map<String, Value> = changes
                    .iter()
                    .filter(|(p, _)| !p.contains('['))
                    .map(|(p, v)| (p.clone(), v.clone()))
                    .collect();
                if !merged.is_empty() {
                    ops.push(json!({"op": "replace", "value": merged}));
                }
                ops
            }
        }
    }
}

/// What `certify` hands its probes (through the runner's extension slot).
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// The dialect of Entra's provisioning engine the engine-driven tests emulate.
    pub entra_dialect: EntraDialect,
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
            entra_dialect: EntraDialect::Default,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dialects_write_ops_booleans_and_member_removal_as_entra_does() {
        let d = EntraDialect::Default;
        let f = EntraDialect::Aadoptscim062020;
        assert_eq!(
            (d.op("replace"), f.op("Replace")),
            ("Replace".into(), "replace".into())
        );
        assert_eq!(
            (d.boolean(false), f.boolean(false)),
            (json!("False"), json!(false))
        );
        assert_eq!(d.remove_member("7")["value"], json!([{"value": "7"}]));
        assert_eq!(
            f.remove_member("7")["path"],
            json!("members[value eq \"7\"]")
        );
        let changes = vec![
            ("emails[type eq \"work\"].value".to_string(), json!("a@b.c")),
            ("name.givenName".to_string(), json!("Ann")),
            ("title".to_string(), json!("Boss")),
        ];
        assert_eq!(d.replace_ops(&changes).len(), 3);
        let ops = f.replace_ops(&changes);
        assert_eq!(ops.len(), 2);
        assert_eq!(
            ops[1],
            json!({"op": "replace", "value": {"name.givenName": "Ann", "title": "Boss"}})
        );
    }
}
