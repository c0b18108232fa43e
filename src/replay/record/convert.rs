//! Recorded exchanges to a replay fixture (pure): one step per exchange, in order, with the
//! captured ids, unique names and credentials handled by `rewrite` and `scrub`, and a
//! synthetic cleanup for whatever the recording left behind.

use super::proxy::Recorded;
use super::rewrite::{
    EQ_LITERAL, IdVar, RUN_PREFIX, Rewriter, each_string, find_ids, is_uuid, unique_names,
};
use super::scrub::{KEPT_HEADERS, is_secret_key, secrets_of, strip_secret_keys};
use crate::replay::fixture::{
    BodyCheck, BodyTest, Expect, FORMAT_VERSION, Fixture, QueryEncoding, Request, Source, Step,
};
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};

/// The top-level fields of the fixture being recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordMeta {
    /// `entra`, `okta` or `onelogin` (the fixture schema's enum).
    pub idp: String,
    /// The dialect, `[a-z0-9][a-z0-9_-]*`.
    pub profile: String,
    /// One of [`crate::replay::fixture::FLOWS`].
    pub flow: String,
    /// One line for humans; empty means a generated title.
    pub title: String,
    /// The upstream host (and port) named in `source.ref`.
    pub upstream_host: String,
    /// `YYYY-MM-DD` (UTC).
    pub captured_at: String,
}

impl RecordMeta {
    /// Meta for a recording against `upstream` today (UTC), with a generated title.
    pub fn new(idp: &str, profile: &str, flow: &str, upstream: &str) -> RecordMeta {
        RecordMeta {
            idp: idp.to_string(),
            profile: profile.to_string(),
            flow: flow.to_string(),
            title: String::new(),
            upstream_host: host_of(upstream),
            captured_at: chrono::Utc::now().format("%Y-%m-%d").to_string(),
        }
    }
}

/// `host[:port]` of a URL, or the URL itself when it has none.
fn host_of(url: &str) -> String {
    reqwest::Url::parse(url)
        .ok()
        .and_then(|u| {
            let host = u.host_str()?.to_string();
            Some(match u.port() {
                Some(p) => format!("{host}:{p}"),
                None => host,
            })
        })
        .unwrap_or_else(|| url.to_string())
}

fn kebab(s: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in s.chars() {
        if c.is_ascii_uppercase() {
            if prev_lower {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
            prev_lower = false;
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
            prev_lower = true;
        } else {
            if !out.ends_with('-') && !out.is_empty() {
                out.push('-');
            }
            prev_lower = false;
        }
    }
    let t = out.trim_matches('-').to_string();
    if t.is_empty() { "root".into() } else { t }
}

/// The first path segment, decoded (`Users`, `Groups`, `ServiceProviderConfig`).
fn first_segment(path: &str) -> String {
    path.split('/')
        .find(|s| !s.is_empty())
        .map(|s| crate::text::percent_decode(s, false))
        .unwrap_or_default()
}

/// The variable kind of a resource: from `meta.resourceType`, else from the path.
pub(super) fn kind_of(resource: &Value, path: &str) -> String {
    let raw = match resource
        .pointer("/meta/resourceType")
        .and_then(Value::as_str)
    {
        Some(rt) => rt.to_string(),
        None => match first_segment(path).as_str() {
            "Users" => "User".into(),
            "Groups" => "Group".into(),
            other => other.trim_end_matches('s').to_string(),
        },
    };
    let k: String = raw
        .to_ascii_lowercase()
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
        .collect();
    if k.starts_with(|c: char| c.is_ascii_lowercase()) {
        k
    } else {
        "resource".into()
    }
}

fn is_group_path(path: &str) -> bool {
    first_segment(path) == "Groups"
}

/// One exchange on its way to a step.
pub(super) struct Draft {
    method: String,
    pub(super) path: String,
    pub(super) query: Vec<(String, String)>,
    form: bool,
    headers: Map<String, Value>,
    pub(super) body: Option<Value>,
    notes: Vec<String>,
    pub(super) status: u16,
    pub(super) response: Option<Value>,
    capture: Map<String, Value>,
}

/// Decode an exchange; `Err` says why it cannot be a step.
fn draft(x: &Recorded, secrets: &[String]) -> Result<Draft, String> {
    let method = x.method.to_ascii_uppercase();
    if !["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&method.as_str()) {
        return Err(format!("{method} is not a fixture method"));
    }
    let mut notes = Vec::new();
    let raw = x.raw_query.as_deref().unwrap_or_default();
    let form = raw.contains('+');
    let mut query: Vec<(String, String)> = Vec::new();
    for piece in raw.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = piece.split_once('=').unwrap_or((piece, ""));
        let (k, v) = (
            crate::text::percent_decode(k, form),
            crate::text::percent_decode(v, form),
        );
        if k.is_empty() {
            continue;
        }
        if is_secret_key(&k) {
            notes.push(format!("query parameter {k:?} removed (credential)"));
        } else if query.iter().any(|(q, _)| *q == k) {
            notes.push(format!(
                "repeated query parameter {k:?}: only the first is kept"
            ));
        } else {
            query.push((k, v));
        }
    }
    let mut headers = Map::new();
    for (k, v) in &x.request_headers {
        let Some(name) = KEPT_HEADERS.iter().find(|h| h.eq_ignore_ascii_case(k)) else {
            continue;
        };
        if secrets.iter().any(|s| v.contains(s.as_str())) || headers.contains_key(*name) {
            continue;
        }
        headers.insert((*name).to_string(), Value::String(v.clone()));
    }
    let has_body = !x.request_body.iter().all(u8::is_ascii_whitespace);
    let body = match (method.as_str(), has_body) {
        ("GET" | "DELETE", true) => {
            notes.push(format!("the {method} carried a body, not replayed"));
            None
        }
        ("GET" | "DELETE", false) => None,
        (_, false) => return Err(format!("{method} {} without a body", x.path)),
        (_, true) => {
            let mut v: Value = serde_json::from_slice(&x.request_body)
                .map_err(|_| format!("{method} {}: the body is not JSON", x.path))?;
            if strip_secret_keys(&mut v, 0) {
                notes.push(
                    "password (or another credential-bearing key) removed from the body".into(),
                );
            }
            Some(v)
        }
    };
    if body.is_none() {
        headers.remove("Content-Type");
    }
    Ok(Draft {
        method,
        path: x.path.clone(),
        query,
        form,
        headers,
        body,
        notes,
        status: x.status,
        response: serde_json::from_slice(&x.response_body).ok(),
        capture: Map::new(),
    })
}

/// Turn recorded exchanges into a fixture: one step per exchange, in order (see the module doc
/// and `fixtures/README.md`, "Recording your own IdP's traffic"). Pure.
pub fn to_fixture(exchanges: &[Recorded], meta: &RecordMeta) -> Fixture {
    let secrets = secrets_of(exchanges);
    let mut skipped: Vec<String> = Vec::new();
    let mut drafts: Vec<Draft> = Vec::new();
    for x in exchanges {
        match draft(x, &secrets) {
            Ok(d) => drafts.push(d),
            Err(e) => skipped.push(e),
        }
    }
    let ids = find_ids(&drafts);
    // Unique names, from the values as sent (before any rewriting).
    let id_set: HashSet<&str> = ids.iter().map(|v| v.id.as_str()).collect();
    let mut names: Vec<String> = Vec::new();
    for d in &drafts {
        if let Some(b) = &d.body {
            unique_names(b, is_group_path(&d.path), 0, &mut names);
        }
        for (k, v) in &d.query {
            if let (true, Some(re)) = (k.eq_ignore_ascii_case("filter"), EQ_LITERAL.as_ref()) {
                for c in re.captures_iter(v) {
                    if let Some(m) = c.get(1) {
                        names.push(m.as_str().to_string());
                    }
                }
            }
        }
    }
    names.retain(|n| {
        !n.is_empty()
            && !is_uuid(n)
            && !id_set.contains(n.as_str())
            && !n.contains("{{")
            && !RUN_PREFIX.as_ref().is_some_and(|re| re.is_match(n))
    });
    let mut rw = Rewriter {
        ids: ids
            .iter()
            .map(|v| (v.id.clone(), format!("{{{{{}}}}}", v.var)))
            .collect(),
        names: names.into_iter().collect(),
        uuids: HashMap::new(),
        secrets,
    };
    let mut counters: HashMap<String, usize> = HashMap::new();
    let mut steps = Vec::new();
    for (i, d) in drafts.iter_mut().enumerate() {
        let resource = kebab(&first_segment(&d.path));
        let key = format!("{}-{resource}", d.method.to_ascii_lowercase());
        let n = counters.entry(key.clone()).or_insert(0);
        *n += 1;
        let name = format!("{key}-{n}");
        let path = rw.path(&d.path);
        let mut query = Map::new();
        for (k, v) in &d.query {
            query.insert(k.clone(), Value::String(rw.string(v)));
        }
        let mut body = d.body.take();
        if let Some(b) = &mut body {
            each_string(b, 0, &mut |s| *s = rw.string(s));
        }
        let headers: Map<String, Value> = d
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    Value::String(rw.scrub(v.as_str().unwrap_or_default())),
                )
            })
            .collect();
        let mut checks = Vec::new();
        for v in ids.iter().filter(|v| v.step == i) {
            d.capture
                .insert(v.var.clone(), Value::String(v.pointer.clone()));
            checks.push(BodyCheck {
                pointer: v.pointer.clone(),
                if_status: None,
                test: BodyTest::Type("string".into()),
                severity: None,
                if_declared: None,
            });
        }
        if let Some(resp) = d.response.as_ref().filter(|r| r.get("Resources").is_none())
            && let Some(active) = resp.get("active")
        {
            let mut want = active.clone();
            each_string(&mut want, 0, &mut |s| *s = rw.string(s));
            checks.push(BodyCheck {
                pointer: "/active".into(),
                if_status: None,
                test: BodyTest::Equals(want),
                severity: None,
                if_declared: None,
            });
        }
        steps.push(Step {
            name,
            note: (!d.notes.is_empty()).then(|| d.notes.join("; ")),
            documented_in: None,
            request: Request {
                method: d.method.clone(),
                path,
                query,
                query_encoding: (d.form && !d.query.is_empty()).then_some(QueryEncoding::Form),
                headers,
                body,
            },
            capture: std::mem::take(&mut d.capture),
            expect: Expect {
                status: vec![d.status],
                body: checks,
                why: format!(
                    "Recorded: the IdP received {} here and carried on.",
                    d.status
                ),
            },
            walk: None,
            synthetic: false,
            synthetic_reason: None,
            setup: false,
        });
    }
    let cleanup = cleanup_steps(&drafts, &ids);
    let host = &meta.upstream_host;
    let mut notes = format!(
        "Recorded by `scimtest record` through a proxy in front of {host}: one step per \
         exchange, in the order the responses completed. Server ids became captured variables, \
         unique names carry {{{{run}}}}, IdP-generated UUIDs became {{{{uuid.*}}}}, credentials \
         were dropped. Personal data is NOT scrubbed: review before committing."
    );
    if !skipped.is_empty() {
        let shown: Vec<&str> = skipped.iter().take(10).map(String::as_str).collect();
        notes.push_str(&format!(
            " {} exchange(s) not turned into steps: {}.",
            skipped.len(),
            rw.scrub(&shown.join("; "))
        ));
    }
    Fixture {
        format_version: FORMAT_VERSION,
        idp: meta.idp.clone(),
        profile: meta.profile.clone(),
        flow: meta.flow.clone(),
        title: if meta.title.is_empty() {
            format!("{} {} recorded against {host}", meta.idp, meta.flow)
        } else {
            meta.title.clone()
        },
        notes: Some(notes),
        source: Source {
            kind: "capture".into(),
            reference: format!("scimtest record {host} {}", meta.captured_at),
        },
        documented_in: vec![format!(
            "capture: scimtest record against {host} on {}",
            meta.captured_at
        )],
        captured_at: meta.captured_at.clone(),
        steps,
        cleanup,
        manifest: None,
        left_out: Vec::new(),
    }
}

/// A synthetic DELETE for each resource a POST created and no later DELETE removed: groups
/// before users, newest first.
fn cleanup_steps(drafts: &[Draft], ids: &[IdVar]) -> Vec<Step> {
    let mut left: Vec<(&IdVar, String)> = Vec::new();
    for v in ids.iter().filter(|v| v.pointer == "/id") {
        let Some(d) = drafts.get(v.step) else {
            continue;
        };
        let collection = d.path.trim_end_matches('/');
        if d.method != "POST"
            || !(200..300).contains(&d.status)
            || collection.ends_with("/.search")
            || collection.ends_with("/Bulk")
        {
            continue;
        }
        let deleted = drafts.iter().skip(v.step + 1).any(|later| {
            later.method == "DELETE"
                && matches!(later.status, 200..=299 | 404)
                && later
                    .path
                    .trim_end_matches('/')
                    .rsplit('/')
                    .next()
                    .is_some_and(|seg| crate::text::percent_decode(seg, false) == v.id)
        });
        if !deleted {
            left.push((v, collection.to_string()));
        }
    }
    left.sort_by_key(|(v, _)| (v.kind != "group", std::cmp::Reverse(v.step)));
    let mut counters: HashMap<String, usize> = HashMap::new();
    left.into_iter()
        .map(|(v, collection)| {
            let resource = kebab(&first_segment(&collection));
            let n = counters.entry(resource.clone()).or_insert(0);
            *n += 1;
            Step {
                name: format!("cleanup-delete-{resource}-{n}"),
                note: None,
                documented_in: None,
                request: Request {
                    method: "DELETE".into(),
                    path: format!("{collection}/{{{{{}}}}}", v.var),
                    query: Map::new(),
                    query_encoding: None,
                    headers: Map::new(),
                    body: None,
                },
                capture: Map::new(),
                expect: Expect {
                    status: vec![204],
                    body: Vec::new(),
                    why: "Cleanup: removes what the replay created (RFC 7644 §3.6).".into(),
                },
                walk: None,
                synthetic: true,
                synthetic_reason: Some(
                    "Harness cleanup: the recording ended with this resource still on the \
                     target; a replay removes what it created."
                        .into(),
                ),
                setup: false,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replay::record::fixtures::*;
    use serde_json::json;

    #[test]
    fn cleanup_deletes_what_is_left_groups_first_newest_first() {
        let mut x = session();
        x.push(ex(
            "POST",
            "/Groups",
            None,
            Some(json!({"displayName": "Eng"})),
            201,
            json!({"id": "g-000000002", "meta": {"resourceType": "Group"}}),
        ));
        let fx = to_fixture(&x, &meta());
        let cleanup: Vec<(&str, &str)> = fx
            .cleanup
            .iter()
            .map(|s| (s.name.as_str(), s.request.path.as_str()))
            .collect();
        // bob was deleted by the IdP; alice and both groups remain.
        assert_eq!(
            cleanup,
            [
                ("cleanup-delete-groups-1", "/Groups/{{group2.id}}"),
                ("cleanup-delete-groups-2", "/Groups/{{group1.id}}"),
                ("cleanup-delete-users-1", "/Users/{{user1.id}}"),
            ]
        );
        assert!(
            fx.cleanup
                .iter()
                .all(|s| s.synthetic && s.synthetic_reason.is_some())
        );
    }

    #[test]
    fn kebab_names_a_step_after_its_resource() {
        assert_eq!(kebab("ServiceProviderConfig"), "service-provider-config");
        assert_eq!(kebab(".search"), "search");
        assert_eq!(kebab(""), "root");
    }
}
