//! Replaying one fixture against a live target: variables (`{{run}}`, `{{uuid.*}}`, captured
//! ids, so recorded ids become live ids), request rewriting, judging each response by what the
//! IdP needs, the fixture's own cleanup, and the ledger of what was created (so the run's
//! cleanup removes it even when the fixture's cleanup could not run).

use crate::client::http::{Body, Client, Resp};
use crate::client::{Exchange, Namespace, enc};
use crate::replay::fixture::{BodyTest, Fixture, QueryEncoding, Severity, Step};
use crate::report::model::{BreakAt, Outcome};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// What happened to one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StepOutcome {
    /// The response is what the IdP needs.
    Pass,
    /// The response would stop the IdP.
    Fail,
    /// No response (transport failure, timeout).
    Error,
    /// Not sent: it needs a variable an earlier failed step did not capture, or the run was
    /// interrupted.
    Skipped,
}

/// One step's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepResult {
    /// 1-based position in the flow (cleanup steps continue the count).
    pub n: usize,
    /// The step's name.
    pub name: String,
    /// Whether the step is a harness addition rather than IdP traffic.
    pub synthetic: bool,
    /// The verdict.
    pub outcome: StepOutcome,
    /// What was wrong (empty on pass).
    pub reason: String,
    /// How bad the failure is (`None` unless the outcome is Fail).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// The exchange, redacted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exchange: Option<Exchange>,
    /// Earlier tries of this step that the IdP's retry policy sent again (redacted), oldest
    /// first; `exchange` is the last try.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retried: Vec<Exchange>,
    /// The later pages of a list the step walked (`walk`), in order; `exchange` is the first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pages: Vec<Exchange>,
}

/// One flow's result.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowResult {
    /// `idp/profile/flow`.
    pub key: String,
    /// The IdP.
    pub idp: String,
    /// The profile.
    pub profile: String,
    /// The flow.
    pub flow: String,
    /// The fixture's title.
    pub title: String,
    /// Pass when every main step passed; Error when the first problem was a transport failure.
    pub outcome: Outcome,
    /// The first step that did not pass.
    pub break_at: Option<BreakAt>,
    /// The worst failure among the steps (`None` when the flow passed or only errored).
    pub severity: Option<Severity>,
    /// The first step whose read-back showed data destroyed that the IdP did not ask to
    /// destroy (it may come after `break_at`).
    pub destroys_data_at: Option<BreakAt>,
    /// Main steps.
    pub steps: Vec<StepResult>,
    /// Cleanup steps (never judged).
    pub cleanup: Vec<StepResult>,
    /// The `{{run}}` value of this replay.
    pub run_prefix: String,
    /// Captured variables (live values), for normalising transcripts.
    pub vars: Vec<(String, Value)>,
    /// Wall time in milliseconds.
    pub duration_ms: f64,
    /// The profile's manifest, when the fixture came with one.
    pub manifest: Option<std::sync::Arc<crate::replay::profile::Profile>>,
    /// The steps a provisioning configuration left out, and why.
    pub left_out: Vec<crate::replay::shape::LeftOut>,
    /// Why the provisioning configuration excludes the whole flow (then nothing was sent).
    pub not_configured: Option<String>,
}

/// Variable values of one replay.
struct Vars {
    run: String,
    values: HashMap<String, Value>,
}

impl Vars {
    fn get(&mut self, name: &str) -> Option<Value> {
        if name == "run" {
            return Some(Value::String(self.run.clone()));
        }
        if let Some(v) = self.values.get(name) {
            return Some(v.clone());
        }
        if name.starts_with("uuid.") {
            let v = Value::String(uuid::Uuid::new_v4().to_string());
            self.values.insert(name.to_string(), v.clone());
            return Some(v);
        }
        None
    }

    /// Substitute the placeholders of `s`; `Err(name)` names the first unknown variable.
    /// `encode` is applied to inserted text (path segments).
    fn string(&mut self, s: &str, encode: fn(&str) -> String) -> Result<Value, String> {
        if let Some(name) = s.strip_prefix("{{").and_then(|r| r.strip_suffix("}}"))
            && !name.contains("{{")
            && !name.contains("}}")
        {
            let v = self.get(name).ok_or_else(|| name.to_string())?;
            return Ok(match v {
                Value::String(t) => Value::String(encode(&t)),
                other => other,
            });
        }
        let mut out = String::with_capacity(s.len());
        let mut rest = s;
        while let Some(start) = rest.find("{{") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find("}}") else {
                out.push_str(&rest[start..]);
                rest = "";
                break;
            };
            let name = &after[..end];
            let v = self.get(name).ok_or_else(|| name.to_string())?;
            let text = match v {
                Value::String(t) => t,
                other => other.to_string(),
            };
            out.push_str(&encode(&text));
            rest = &after[end + 2..];
        }
        out.push_str(rest);
        Ok(Value::String(out))
    }

    fn value(&mut self, v: &Value) -> Result<Value, String> {
        Ok(match v {
            Value::String(s) => self.string(s, |t| t.to_string())?,
            Value::Array(a) => {
                Value::Array(a.iter().map(|x| self.value(x)).collect::<Result<_, _>>()?)
            }
            Value::Object(m) => {
                let mut out = Map::new();
                for (k, x) in m {
                    let key = match self.string(k, |t| t.to_string())? {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    out.insert(key, self.value(x)?);
                }
                Value::Object(out)
            }
            other => other.clone(),
        })
    }
}

fn text_of(v: Value) -> String {
    match v {
        Value::String(s) => s,
        other => other.to_string(),
    }
}

/// Form encoding: like [`enc`] but a space is `+`.
fn enc_form(s: &str) -> String {
    s.split(' ').map(enc).collect::<Vec<_>>().join("+")
}

/// A request ready to send.
pub(super) struct Prepared {
    pub(super) method: String,
    pub(super) path: String,
    pub(super) path_and_query: String,
    /// The query as raw (name, value) pairs, in order, and whether it is form-encoded.
    query: Vec<(String, String)>,
    form: bool,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
}

impl Prepared {
    /// The same request with the query parameter `name` set to `value`: replaced where the
    /// request has it, appended otherwise (the next page of a list walk).
    pub(super) fn with_param(&self, name: &str, value: &str) -> Prepared {
        let mut query = self.query.clone();
        match query.iter_mut().find(|(k, _)| k == name) {
            Some(kv) => kv.1 = value.to_string(),
            None => query.push((name.to_string(), value.to_string())),
        }
        let e = if self.form { enc_form } else { enc };
        let q: Vec<String> = query
            .iter()
            .map(|(k, v)| format!("{}={}", e(k), e(v)))
            .collect();
        Prepared {
            method: self.method.clone(),
            path: self.path.clone(),
            path_and_query: format!("{}?{}", self.path, q.join("&")),
            query,
            form: self.form,
            headers: self.headers.clone(),
            body: self.body.clone(),
        }
    }
}

fn prepare(step: &Step, vars: &mut Vars) -> Result<Prepared, String> {
    let r = &step.request;
    let path = text_of(vars.string(&r.path, enc)?);
    let mut query = Vec::new();
    let mut raw_query = Vec::new();
    let form = r.query_encoding == Some(QueryEncoding::Form);
    for (k, v) in &r.query {
        let raw = text_of(vars.string(v.as_str().unwrap_or_default(), |t| t.to_string())?);
        let e = if form { enc_form } else { enc };
        query.push(format!("{}={}", e(k), e(&raw)));
        raw_query.push((k.clone(), raw));
    }
    let path_and_query = if query.is_empty() {
        path.clone()
    } else {
        format!("{path}?{}", query.join("&"))
    };
    let mut headers = Vec::new();
    for (k, v) in &r.headers {
        headers.push((
            k.clone(),
            text_of(vars.string(v.as_str().unwrap_or_default(), |t| t.to_string())?),
        ));
    }
    let body = match &r.body {
        Some(b) => Some(serde_json::to_vec(&vars.value(b)?).map_err(|e| e.to_string())?),
        None => None,
    };
    Ok(Prepared {
        method: r.method.clone(),
        path,
        path_and_query,
        query: raw_query,
        form,
        headers,
        body,
    })
}

/// Numbers compare by value (`0` equals `0.0`); everything else structurally.
fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 120 {
        let mut end = 117;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}…", &s[..end])
    } else {
        s
    }
}

/// Why a status is not what the IdP needs, with the SCIM error detail when there is one.
fn status_problem(resp: &Resp, expected: &[u16]) -> String {
    let want = expected
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(" or ");
    let mut got = format!("expected {want}, got {}", resp.code());
    let b = resp.body();
    let detail = [b.get("scimType"), b.get("detail")]
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect::<Vec<_>>()
        .join(": ");
    // One line, however the target formats its error detail.
    let detail = detail.split_whitespace().collect::<Vec<_>>().join(" ");
    if !detail.is_empty() {
        got.push_str(&format!(" ({})", crate::text::truncate(&detail, 200)));
    }
    got
}

use crate::scim::state::unassigned;

/// The elements of a multi-valued attribute; unassigned is empty.
fn elements(found: Option<&Value>) -> Result<&[Value], String> {
    match found {
        None => Ok(&[]),
        Some(Value::Array(a)) => Ok(a),
        Some(v) if unassigned(v) => Ok(&[]),
        Some(v) => Err(format!(
            "expected a multi-valued attribute, got {}",
            short(v)
        )),
    }
}

/// Does `elem` match `pattern`? An object pattern matches an object having each of its members
/// (names case-insensitively, RFC 7643 §2.1) with a matching value; extra members are free.
/// Other patterns compare by value; `ci` compares strings case-insensitively.
fn matches(elem: &Value, pattern: &Value, ci: bool) -> bool {
    match (elem, pattern) {
        (Value::Object(e), Value::Object(p)) => p.iter().all(|(k, pv)| {
            e.iter()
                .find(|(ek, _)| ek.eq_ignore_ascii_case(k))
                .is_some_and(|(_, ev)| matches(ev, pv, ci))
        }),
        (Value::String(a), Value::String(b)) if ci => a.to_lowercase() == b.to_lowercase(),
        _ => json_eq(elem, pattern),
    }
}

/// The first variable the step's body checks need that is not known yet.
fn unknown_check_variable(step: &Step, vars: &mut Vars) -> Option<String> {
    step.expect.body.iter().find_map(|c| {
        let values: &[Value] = match &c.test {
            BodyTest::Equals(v) => std::slice::from_ref(v),
            BodyTest::OneOf(a)
            | BodyTest::Includes(a)
            | BodyTest::Excludes(a)
            | BodyTest::Only(a) => a,
            _ => &[],
        };
        values.iter().find_map(|v| vars.value(v).err())
    })
}

/// The attributes a target declares in `/Schemas`, as lower-case `<schema URN>:<attribute>`
/// and `<schema URN>:<attribute>.<sub-attribute>`; `None` when `/Schemas` gave no usable
/// list (then every check is judged).
#[derive(Debug, Clone, Default)]
pub struct Declared(pub Option<std::collections::HashSet<String>>);

impl Declared {
    /// Read a `/Schemas` ListResponse (or a bare array of schemas).
    pub fn from_schemas(body: &Value) -> Declared {
        let list = body
            .get("Resources")
            .and_then(Value::as_array)
            .or_else(|| body.as_array());
        let Some(list) = list.filter(|l| !l.is_empty()) else {
            return Declared(None);
        };
        let mut set = std::collections::HashSet::new();
        for s in list {
            let Some(id) = s.get("id").and_then(Value::as_str) else {
                continue;
            };
            for a in s
                .get("attributes")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let Some(name) = a.get("name").and_then(Value::as_str) else {
                    continue;
                };
                let top = format!("{id}:{name}").to_lowercase();
                for sub in a
                    .get("subAttributes")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if let Some(n) = sub.get("name").and_then(Value::as_str) {
                        set.insert(format!("{top}.{}", n.to_lowercase()));
                    }
                }
                set.insert(top);
            }
        }
        Declared((!set.is_empty()).then_some(set))
    }

    /// Whether `attr` is declared (always, when the declaration is unknown).
    pub fn has(&self, attr: &str) -> bool {
        self.0
            .as_ref()
            .is_none_or(|set| set.contains(&attr.to_lowercase()))
    }
}

/// Judge `resp` against the step's expectations; `Err` says what is wrong and how bad it is.
/// After an earlier failed step (`earlier_failed`), `destructive` checks are not judged: what
/// they expect to have survived may never have been written.
fn judge(
    step: &Step,
    resp: &Resp,
    vars: &mut Vars,
    earlier_failed: bool,
    declared: &Declared,
) -> Result<(), (String, Severity)> {
    let status = resp.code();
    if !step.expect.status.contains(&status) {
        return Err((
            status_problem(resp, &step.expect.status),
            Severity::Breaking,
        ));
    }
    let mut problems = Vec::new();
    let mut severity = Severity::Breaking;
    let unknown = |pointer: &str, name: String| {
        (
            format!("{pointer}: needs {{{{{name}}}}}, never captured"),
            Severity::Breaking,
        )
    };
    for c in &step.expect.body {
        if c.if_status.as_ref().is_some_and(|s| !s.contains(&status))
            || c.if_declared.as_ref().is_some_and(|a| !declared.has(a))
        {
            continue;
        }
        let Some(body) = resp.json.as_ref() else {
            problems.push(format!("{}: the response body is not JSON", c.pointer));
            continue;
        };
        let found = body.pointer(&c.pointer);
        let problem = match (&c.test, found) {
            (BodyTest::Exists, None) => Some("missing".to_string()),
            // null, [] and {} are the unassigned state, the same as absent (RFC 7643 §2.5).
            (BodyTest::Absent, Some(v)) if !unassigned(v) => {
                Some(format!("should be absent, is {}", short(v)))
            }
            (BodyTest::Equals(want), got) => {
                let want = vars.value(want).map_err(|n| unknown(&c.pointer, n))?;
                match got {
                    Some(g) if json_eq(g, &want) => None,
                    Some(g) => Some(format!("expected {}, got {}", short(&want), short(g))),
                    None => Some(format!("expected {}, missing", short(&want))),
                }
            }
            (BodyTest::OneOf(options), got) => {
                let options = options
                    .iter()
                    .map(|o| vars.value(o))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|n| unknown(&c.pointer, n))?;
                match got {
                    Some(g) if options.iter().any(|o| json_eq(g, o)) => None,
                    Some(g) => Some(format!(
                        "expected one of {}, got {}",
                        short(&Value::Array(options)),
                        short(g)
                    )),
                    None => Some("missing".to_string()),
                }
            }
            (BodyTest::Type(t), Some(v)) => {
                let actual = type_name(v);
                let ok = actual == t || (t == "number" && actual == "integer");
                (!ok).then(|| format!("expected a {t}, got {}", short(v)))
            }
            (BodyTest::Type(t), None) => Some(format!("expected a {t}, missing")),
            (BodyTest::Unassigned, Some(v)) if !unassigned(v) => Some(format!(
                "should be unassigned (missing, null, [] or {{}}; RFC 7643 §2.5), is {}",
                short(v)
            )),
            (BodyTest::Assigned, None) => Some("missing".to_string()),
            (BodyTest::Assigned, Some(v)) if unassigned(v) => {
                Some(format!("should be set, is {}", short(v)))
            }
            (BodyTest::Includes(p) | BodyTest::Excludes(p) | BodyTest::Only(p), got) => {
                let patterns = p
                    .iter()
                    .map(|o| vars.value(o))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|n| unknown(&c.pointer, n))?;
                match elements(got) {
                    Err(e) => Some(e),
                    Ok(items) => match &c.test {
                        BodyTest::Includes(_) => {
                            let missing: Vec<&Value> = patterns
                                .iter()
                                .filter(|p| !items.iter().any(|e| matches(e, p, false)))
                                .collect();
                            (!missing.is_empty()).then(|| {
                                format!(
                                    "lacks {} (has {})",
                                    short(&Value::Array(missing.into_iter().cloned().collect())),
                                    short(&Value::Array(items.to_vec()))
                                )
                            })
                        }
                        BodyTest::Excludes(_) => {
                            let present: Vec<&Value> = items
                                .iter()
                                .filter(|e| patterns.iter().any(|p| matches(e, p, false)))
                                .collect();
                            (!present.is_empty()).then(|| {
                                format!(
                                    "still has {}",
                                    short(&Value::Array(present.into_iter().cloned().collect()))
                                )
                            })
                        }
                        _ => {
                            let others: Vec<&Value> = items
                                .iter()
                                .filter(|e| !patterns.iter().any(|p| matches(e, p, true)))
                                .collect();
                            (!others.is_empty()).then(|| {
                                format!(
                                    "has {} other than the one asked for: {}",
                                    others.len(),
                                    short(&Value::Array(others.into_iter().cloned().collect()))
                                )
                            })
                        }
                    },
                }
            }
            (BodyTest::Count(n), got) => match elements(got) {
                Err(e) => Some(e),
                Ok(items) if items.len() as u64 == *n => None,
                Ok(items) => Some(format!("expected {n} elements, got {}", items.len())),
            },
            _ => None,
        };
        if let Some(p) = problem {
            if c.severity == Some(Severity::Destructive) {
                if earlier_failed {
                    continue;
                }
                severity = Severity::Destructive;
            }
            problems.push(format!(
                "{}: {p}",
                if c.pointer.is_empty() {
                    "body"
                } else {
                    &c.pointer
                }
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err((format!("{} {}", status, problems.join("; ")), severity))
    }
}

/// Capture the step's variables from an accepted response; `Err` names a pointer that resolved
/// to nothing.
fn capture(step: &Step, resp: &Resp, vars: &mut Vars) -> Result<(), String> {
    let mut missing = Vec::new();
    for (name, ptr) in &step.capture {
        let ptr = ptr.as_str().unwrap_or_default();
        match resp.json.as_ref().and_then(|b| b.pointer(ptr)) {
            Some(v) if !v.is_null() => {
                vars.values.insert(name.clone(), v.clone());
            }
            _ => missing.push(format!("{ptr} (for {{{{{name}}}}}) is missing")),
        }
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(missing.join("; "))
    }
}

/// The first `RFC 764x §n.n` reference in a text.
pub fn rfc_reference(why: &str) -> Option<String> {
    static RE: std::sync::LazyLock<Option<regex::Regex>> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"RFC \d{4} §\d+(\.\d+)*").ok());
    RE.as_ref()?.find(why).map(|m| m.as_str().to_string())
}

/// The collection a POST created into, when the step created something: `(path, id)`.
fn created(p: &Prepared, resp: &Resp) -> Option<String> {
    if p.method != "POST" || !matches!(resp.status, Some(200..=299)) {
        return None;
    }
    let id = resp.json.as_ref()?.get("id")?.as_str()?;
    let collection = p.path.trim_end_matches('/');
    if collection.ends_with("/.search") || collection.ends_with("/Bulk") {
        return None;
    }
    Some(format!("{collection}/{}", enc(id)))
}

/// Replay one fixture. `run_prefix` is this replay's `{{run}}`; what the flow creates is
/// tracked in `ns` until a DELETE removes it; `stop` (Ctrl-C) skips the remaining main steps
/// but still runs the cleanup steps; `declared` is what the target's `/Schemas` declares
/// (checks with `if_declared` on anything else are not judged).
pub async fn run_flow(
    client: &Client,
    ns: &Namespace,
    fx: &Fixture,
    run_prefix: &str,
    stop: &AtomicBool,
    declared: &Declared,
) -> FlowResult {
    let started = Instant::now();
    // The IdP's own retry policy (its manifest) decides what a 429 leads to, not the client's.
    let idp_client = client.without_retries();
    let mut vars = Vars {
        run: run_prefix.to_string(),
        values: HashMap::new(),
    };
    let mut steps = Vec::new();
    let mut break_at: Option<(BreakAt, StepOutcome)> = None;
    let mut destroys_data_at: Option<BreakAt> = None;
    for (i, step) in fx.steps.iter().enumerate() {
        let n = i + 1;
        let mut result = StepResult {
            n,
            name: step.name.clone(),
            synthetic: step.synthetic,
            outcome: StepOutcome::Skipped,
            reason: String::new(),
            severity: None,
            exchange: None,
            retried: Vec::new(),
            pages: Vec::new(),
        };
        let silent = matches!(&break_at, Some((_, StepOutcome::Error)));
        if stop.load(Ordering::Relaxed) {
            result.reason = "interrupted".into();
        } else if silent {
            // A target that stopped answering would stop the IdP too; waiting out a timeout per
            // remaining step would only make the run slow.
            result.reason = "not sent: the target stopped answering at an earlier step".into();
        } else {
            match prepare(step, &mut vars).and_then(|p| {
                match unknown_check_variable(step, &mut vars) {
                    Some(name) => Err(name),
                    None => Ok(p),
                }
            }) {
                Err(name) => {
                    result.reason = format!(
                        "needs {{{{{name}}}}}, which an earlier failed step did not capture"
                    );
                }
                Ok(p) => {
                    let (resp, retried) = send_as_idp(&idp_client, &p, fx, stop).await;
                    result.retried = retried;
                    let resp = match step.walk {
                        Some(walk) => {
                            let (all, pages) =
                                super::walk::rest(&idp_client, &p, resp, walk, fx, stop).await;
                            result.pages = pages;
                            all
                        }
                        None => resp,
                    };
                    result.outcome = if resp.status.is_none() {
                        result.reason = format!(
                            "no response: {}",
                            resp.error
                                .clone()
                                .unwrap_or_else(|| "transport failure".into())
                        );
                        StepOutcome::Error
                    } else if let Some(e) = &resp.error {
                        // A status came, the body did not (too large, cut off, timed out): the
                        // IdP cannot read it either. Say so rather than "not JSON".
                        result.reason = format!("{}, but {e}", resp.code());
                        result.severity = Some(Severity::Breaking);
                        StepOutcome::Fail
                    } else {
                        let verdict = judge(step, &resp, &mut vars, break_at.is_some(), declared);
                        let status_ok = step.expect.status.contains(&resp.code());
                        let captured = if status_ok {
                            capture(step, &resp, &mut vars)
                        } else {
                            Ok(())
                        };
                        match (verdict, captured) {
                            (Ok(()), Ok(())) => StepOutcome::Pass,
                            (Err((e, sev)), _) => {
                                result.reason = e;
                                result.severity = Some(sev);
                                StepOutcome::Fail
                            }
                            (Ok(()), Err(e)) => {
                                result.reason = e;
                                result.severity = Some(Severity::Breaking);
                                StepOutcome::Fail
                            }
                        }
                    };
                    track(ns, &p, &resp);
                    result.exchange = Some(resp.exchange);
                }
            }
        }
        if step.setup && result.outcome == StepOutcome::Fail {
            // The harness could not set the scene: no verdict on what the IdP would do.
            result.outcome = StepOutcome::Error;
            result.severity = None;
            result.reason = format!(
                "could not set up: {} ({})",
                result.reason,
                step.synthetic_reason
                    .as_deref()
                    .unwrap_or("a harness write")
            );
        }
        if result.outcome != StepOutcome::Pass && break_at.is_none() {
            let bp = BreakAt {
                step: n,
                name: step.name.clone(),
                got: result.reason.clone(),
                why: step.expect.why.clone(),
                rfc: rfc_reference(&step.expect.why),
            };
            break_at = Some((bp, result.outcome));
        }
        if result.severity == Some(Severity::Destructive) && destroys_data_at.is_none() {
            destroys_data_at = Some(BreakAt {
                step: n,
                name: step.name.clone(),
                got: result.reason.clone(),
                why: step.expect.why.clone(),
                rfc: rfc_reference(&step.expect.why),
            });
        }
        steps.push(result);
    }
    let mut cleanup = Vec::new();
    for (i, step) in fx.cleanup.iter().enumerate() {
        let mut result = StepResult {
            n: fx.steps.len() + i + 1,
            name: step.name.clone(),
            synthetic: step.synthetic,
            outcome: StepOutcome::Skipped,
            reason: String::new(),
            severity: None,
            exchange: None,
            retried: Vec::new(),
            pages: Vec::new(),
        };
        match prepare(step, &mut vars) {
            Err(name) => result.reason = format!("{{{{{name}}}}} was never captured"),
            Ok(p) => {
                let resp = send(client, &p).await;
                result.outcome = match resp.status {
                    None => StepOutcome::Error,
                    Some(s) if step.expect.status.contains(&s) => StepOutcome::Pass,
                    Some(_) => StepOutcome::Fail,
                };
                if result.outcome != StepOutcome::Pass {
                    result.reason = match resp.status {
                        Some(_) => status_problem(&resp, &step.expect.status),
                        None => resp.error.clone().unwrap_or_default(),
                    };
                }
                track(ns, &p, &resp);
                result.exchange = Some(resp.exchange);
            }
        }
        cleanup.push(result);
    }
    let outcome = match &break_at {
        None => Outcome::Pass,
        Some((_, StepOutcome::Error)) => Outcome::Error,
        Some((_, StepOutcome::Skipped)) if stop.load(Ordering::Relaxed) => Outcome::Error,
        Some(_) => Outcome::Fail,
    };
    let severity = if destroys_data_at.is_some() {
        Some(Severity::Destructive)
    } else if outcome == Outcome::Fail {
        Some(Severity::Breaking)
    } else {
        None
    };
    let mut captured: Vec<(String, Value)> = vars.values.into_iter().collect();
    captured.sort_by(|a, b| a.0.cmp(&b.0));
    FlowResult {
        key: fx.key(),
        idp: fx.idp.clone(),
        profile: fx.profile.clone(),
        flow: fx.flow.clone(),
        title: fx.title.clone(),
        outcome,
        break_at: break_at.map(|(b, _)| b),
        severity,
        destroys_data_at,
        steps,
        cleanup,
        run_prefix: run_prefix.to_string(),
        vars: captured,
        duration_ms: started.elapsed().as_secs_f64() * 1000.0,
        manifest: fx.manifest.clone(),
        left_out: fx.left_out.clone(),
        not_configured: None,
    }
}

/// Send a main step as the IdP would: again, after the IdP's wait, while its manifest's retry
/// policy says so (and Ctrl-C has not been pressed). Returns the last answer and the earlier
/// tries' exchanges.
pub(super) async fn send_as_idp(
    client: &Client,
    p: &Prepared,
    fx: &Fixture,
    stop: &AtomicBool,
) -> (Resp, Vec<Exchange>) {
    let mut resp = send(client, p).await;
    let mut earlier = Vec::new();
    let Some(policy) = fx.manifest.as_ref().and_then(|m| m.retry.as_ref()) else {
        return (resp, earlier);
    };
    let mut tried = 1;
    while policy.again(resp.status, tried) && !stop.load(Ordering::Relaxed) {
        tokio::time::sleep(policy.wait(resp.header("retry-after"), tried)).await;
        earlier.push(resp.exchange);
        resp = send(client, p).await;
        tried += 1;
    }
    (resp, earlier)
}

async fn send(client: &Client, p: &Prepared) -> Resp {
    let headers: Vec<(&str, &str)> = p
        .headers
        .iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("content-type"))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let body = p.body.as_deref().map(|b| {
        let ct = p
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            .map(|(_, v)| v.as_str())
            .unwrap_or("application/scim+json");
        Body::Raw(b, ct)
    });
    client
        .send(&p.method, &p.path_and_query, body, &headers)
        .await
}

/// Keep the ledger right: a POST that created something is tracked, a DELETE that removed it
/// (or found it gone) untracks it.
fn track(ns: &Namespace, p: &Prepared, resp: &Resp) {
    if let Some(loc) = created(p, resp) {
        ns.track(&loc);
    } else if p.method == "DELETE" && matches!(resp.status, Some(200..=299 | 404)) {
        ns.untrack(&p.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> Vars {
        let mut values = HashMap::new();
        values.insert("user1.id".to_string(), Value::String("a b/c".into()));
        values.insert("n".to_string(), Value::from(3));
        Vars {
            run: "st-x-".into(),
            values,
        }
    }

    #[test]
    fn placeholders_keep_types_alone_and_become_text_inside_strings() {
        let mut v = vars();
        assert_eq!(v.string("{{n}}", |t| t.to_string()), Ok(Value::from(3)));
        assert_eq!(
            v.string("{{run}}alice {{n}}", |t| t.to_string()),
            Ok(Value::String("st-x-alice 3".into()))
        );
        assert_eq!(
            v.string("/Users/{{user1.id}}", enc),
            Ok(Value::String("/Users/a%20b%2Fc".into()))
        );
        assert_eq!(v.string("{{nope}}", enc), Err("nope".to_string()));
        let a = text_of(v.string("{{uuid.x}}", enc).unwrap_or_default());
        let b = text_of(v.string("{{uuid.x}}", enc).unwrap_or_default());
        assert_eq!(a, b);
        assert_eq!(a.len(), 36);
    }

    #[test]
    fn unassigned_follows_rfc_7643_2_5_and_patterns_ignore_order_and_extras() {
        use serde_json::json;
        for v in [json!(null), json!([]), json!({}), json!({"value": null})] {
            assert!(unassigned(&v), "{v}");
        }
        for v in [
            json!(""),
            json!(false),
            json!([null]),
            json!({"value": "m"}),
        ] {
            assert!(!unassigned(&v), "{v}");
        }
        assert_eq!(elements(None).map(<[Value]>::len), Ok(0));
        assert_eq!(elements(Some(&json!(null))).map(<[Value]>::len), Ok(0));
        assert!(elements(Some(&json!("x"))).is_err());
        let member = json!({"value": "A1", "$ref": "../Users/A1", "type": "User"});
        assert!(matches(&member, &json!({"VALUE": "A1"}), false));
        assert!(!matches(&member, &json!({"value": "a1"}), false));
        assert!(matches(&member, &json!({"value": "a1"}), true));
        assert!(!matches(
            &member,
            &json!({"value": "A1", "display": "x"}),
            false
        ));
    }

    #[test]
    fn checks_on_undeclared_attributes_are_not_judged() {
        use serde_json::json;
        let schemas = json!({"Resources": [{
            "id": "urn:ietf:params:scim:schemas:core:2.0:User",
            "attributes": [{"name": "name", "subAttributes": [{"name": "givenName"}]}]
        }]});
        let d = Declared::from_schemas(&schemas);
        assert!(d.has("urn:ietf:params:scim:schemas:core:2.0:User:name.givenName"));
        assert!(d.has("URN:ietf:params:scim:schemas:core:2.0:User:Name"));
        assert!(!d.has("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"));
        // Unknown declarations judge everything.
        assert!(Declared::from_schemas(&json!({"detail": "no"})).has("urn:x:y"));
        assert!(Declared::default().has("urn:x:y"));
    }

    #[test]
    fn form_encoding_uses_plus_and_quotes_are_encoded() {
        assert_eq!(enc_form("userName eq \"a b\""), "userName+eq+%22a+b%22");
        assert_eq!(enc("userName eq \"a\""), "userName%20eq%20%22a%22");
    }

    #[test]
    fn numbers_compare_by_value_and_rfc_references_are_found() {
        assert!(json_eq(
            &serde_json::json!([0, {"a": 1.0}]),
            &serde_json::json!([0.0, {"a": 1}])
        ));
        assert!(!json_eq(&serde_json::json!("0"), &serde_json::json!(0)));
        assert_eq!(
            rfc_reference("Entra needs it (RFC 7644 §3.4.2). Else").as_deref(),
            Some("RFC 7644 §3.4.2")
        );
        assert_eq!(rfc_reference("no reference"), None);
        assert_eq!(
            rfc_reference("RFC 7644 §3.5.2.3 lets a replace omit path").as_deref(),
            Some("RFC 7644 §3.5.2.3")
        );
        assert_eq!(
            rfc_reference("(RFC 7644 §3.3.)").as_deref(),
            Some("RFC 7644 §3.3")
        );
    }
}
