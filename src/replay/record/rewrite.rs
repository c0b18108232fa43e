//! The rewrite rules of a recording: server ids become captured variables, unique names the IdP
//! sent go under `{{run}}`, IdP-generated UUIDs become `{{uuid.*}}`, and every string is
//! scrubbed on the way out. Linear in each string's length.

use super::convert::{Draft, kind_of};
use super::scrub::redact;
use regex::Regex;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

/// Deeper JSON is left as is by the rewriting walkers (serde_json stops parsing at 128 levels,
/// so this bound is never reached by a parsed body).
pub(super) const MAX_DEPTH: usize = 256;

/// A scimtest run prefix (`{{run}}` of an earlier replay through the proxy).
pub(super) static RUN_PREFIX: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new("scimtest-[0-9a-f]{8}-[0-9]{2}-").ok());
/// A hyphenated UUID.
static UUID: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new("[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}").ok()
});
/// `eq "literal"` in a filter.
pub(super) static EQ_LITERAL: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r#"(?i)\beq\s+"((?:[^"\\]|\\.)*)""#).ok());

pub(super) fn is_uuid(s: &str) -> bool {
    s.len() == 36 && UUID.as_ref().is_some_and(|r| r.is_match(s))
}

fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// Replace `needle` in `s` where it is not part of a longer identifier.
fn replace_bounded(s: &str, needle: &str, repl: &str, ignore_case: bool) -> String {
    if needle.is_empty() {
        return s.to_string();
    }
    let (hay, pat) = if ignore_case {
        (s.to_ascii_lowercase(), needle.to_ascii_lowercase())
    } else {
        (s.to_string(), needle.to_string())
    };
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    let mut from = 0;
    while let Some(pos) = hay.get(from..).and_then(|h| h.find(&pat)) {
        let start = from + pos;
        let end = start + pat.len();
        let before_ok = s
            .get(..start)
            .and_then(|b| b.chars().next_back())
            .is_none_or(|c| !is_id_char(c));
        let after_ok = s
            .get(end..)
            .and_then(|a| a.chars().next())
            .is_none_or(|c| !is_id_char(c));
        if before_ok && after_ok {
            out.push_str(s.get(last..start).unwrap_or_default());
            out.push_str(repl);
            last = end;
        }
        from = end;
    }
    out.push_str(s.get(last..).unwrap_or_default());
    out
}

/// Apply `f` to every string value (not keys) of `v`.
pub(super) fn each_string(v: &mut Value, depth: usize, f: &mut dyn FnMut(&mut String)) {
    if depth > MAX_DEPTH {
        return;
    }
    match v {
        Value::String(s) => f(s),
        Value::Array(a) => a.iter_mut().for_each(|x| each_string(x, depth + 1, f)),
        Value::Object(m) => m.values_mut().for_each(|x| each_string(x, depth + 1, f)),
        _ => {}
    }
}

/// Visit every string value (not keys) of `v`.
fn each_str(v: &Value, depth: usize, f: &mut dyn FnMut(&str)) {
    if depth > MAX_DEPTH {
        return;
    }
    match v {
        Value::String(s) => f(s),
        Value::Array(a) => a.iter().for_each(|x| each_str(x, depth + 1, f)),
        Value::Object(m) => m.values().for_each(|x| each_str(x, depth + 1, f)),
        _ => {}
    }
}

/// Values an IdP makes unique in a request body: userName, externalId, emails[].value, and a
/// Group's displayName; also PATCH operations that set them.
pub(super) fn unique_names(v: &Value, group: bool, depth: usize, out: &mut Vec<String>) {
    if depth > MAX_DEPTH {
        return;
    }
    match v {
        Value::Object(m) => {
            // A PATCH operation: {"op", "path", "value"}.
            if let (Some(p), Some(val)) = (m.get("path").and_then(Value::as_str), m.get("value")) {
                let p = p.to_ascii_lowercase();
                let attr = p.rsplit(':').next().unwrap_or(&p).to_string();
                let unique = attr == "username"
                    || attr == "externalid"
                    || attr.starts_with("emails")
                    || (group && attr == "displayname");
                if unique {
                    match val {
                        Value::String(s) => out.push(s.clone()),
                        Value::Array(a) => a
                            .iter()
                            .filter_map(|x| x.get("value").and_then(Value::as_str))
                            .for_each(|s| out.push(s.to_string())),
                        _ => {}
                    }
                }
            }
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("userName" | "externalId", Value::String(s)) => out.push(s.clone()),
                    ("displayName", Value::String(s)) if group => out.push(s.clone()),
                    ("emails", Value::Array(a)) => a
                        .iter()
                        .filter_map(|e| e.get("value").and_then(Value::as_str))
                        .for_each(|s| out.push(s.to_string())),
                    _ => unique_names(x, group, depth + 1, out),
                }
            }
        }
        Value::Array(a) => a
            .iter()
            .for_each(|x| unique_names(x, group, depth + 1, out)),
        _ => {}
    }
}

/// A server id that became a variable, captured at `step` from `pointer`.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct IdVar {
    pub(super) id: String,
    pub(super) var: String,
    pub(super) kind: String,
    pub(super) step: usize,
    pub(super) pointer: String,
}

/// How earlier requests mentioned values: whole strings, path segments and quoted literals
/// (`exact`), and maximal runs of identifier characters (`tokens`).
#[derive(Default)]
struct Mentions {
    exact: HashSet<String>,
    tokens: HashSet<String>,
}

impl Mentions {
    fn add_string(&mut self, s: &str) {
        self.exact.insert(s.to_string());
        for (i, part) in s.split('"').enumerate() {
            if i % 2 == 1 {
                self.exact.insert(part.to_string());
            }
        }
        for t in s.split(|c: char| !is_id_char(c)).filter(|t| !t.is_empty()) {
            self.tokens.insert(t.to_string());
        }
    }

    fn add(&mut self, d: &Draft) {
        for seg in d.path.split('/') {
            self.exact.insert(crate::text::percent_decode(seg, false));
        }
        for (_, v) in &d.query {
            self.add_string(v);
        }
        if let Some(b) = &d.body {
            each_str(b, 0, &mut |s| self.add_string(s));
        }
    }

    /// Whether `id` was mentioned the way [`Rewriter`] would replace it.
    fn has(&self, id: &str) -> bool {
        self.exact.contains(id) || (long_id(id) && self.tokens.contains(id))
    }
}

/// An id replaced wherever it stands alone inside a string: long enough to be unambiguous and
/// made of identifier characters only (UUIDs, long numbers, hex). Shorter ids are replaced only
/// as a whole string, a path segment or a quoted literal.
fn long_id(id: &str) -> bool {
    id.len() >= 8 && id.chars().all(is_id_char)
}

/// Server ids in 2xx responses (`/id` of a resource, `/Resources/N/id` of a list), each
/// captured at the first step whose response carries it, unless the IdP sent it first.
pub(super) fn find_ids(drafts: &[Draft]) -> Vec<IdVar> {
    let mut found: Vec<IdVar> = Vec::new();
    let mut counters: HashMap<String, usize> = HashMap::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut mentioned = Mentions::default();
    for (i, d) in drafts.iter().enumerate() {
        mentioned.add(d);
        if !(200..300).contains(&d.status) {
            continue;
        }
        let Some(resp) = &d.response else { continue };
        let mut candidates: Vec<(&Value, String)> = Vec::new();
        if let Some(list) = resp.get("Resources").and_then(Value::as_array) {
            for (n, r) in list.iter().enumerate() {
                candidates.push((r, format!("/Resources/{n}/id")));
            }
        } else if resp.is_object() {
            candidates.push((resp, "/id".to_string()));
        }
        for (r, pointer) in candidates {
            let Some(id) = r
                .get("id")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
            else {
                continue;
            };
            // An id the IdP sent before any response carried it is not ours to capture.
            if !seen.insert(id.to_string()) || mentioned.has(id) {
                continue;
            }
            let kind = kind_of(r, &d.path);
            let n = counters.entry(kind.clone()).or_insert(0);
            *n += 1;
            found.push(IdVar {
                id: id.to_string(),
                var: format!("{kind}{n}.id"),
                kind,
                step: i,
                pointer,
            });
        }
    }
    found
}

/// The string rewriting shared by every request string and expected value; linear in the
/// string's length (lookups, not one pass per id or name).
pub(super) struct Rewriter {
    /// Server id → `{{var}}`.
    pub(super) ids: HashMap<String, String>,
    /// Unique names the IdP sent without a run prefix.
    pub(super) names: HashSet<String>,
    /// Lower-cased UUID → `{{uuid.idpN}}`.
    pub(super) uuids: HashMap<String, String>,
    /// Credentials from the IdP's headers, longest first.
    pub(super) secrets: Vec<String>,
}

impl Rewriter {
    fn uuid_label(&mut self, u: &str) -> String {
        let n = self.uuids.len() + 1;
        self.uuids
            .entry(u.to_ascii_lowercase())
            .or_insert_with(|| format!("{{{{uuid.idp{n}}}}}"))
            .clone()
    }

    fn uuids_in(&mut self, s: &str) -> String {
        let Some(re) = UUID.as_ref() else {
            return s.to_string();
        };
        let found: Vec<String> = re.find_iter(s).map(|m| m.as_str().to_string()).collect();
        let mut out = s.to_string();
        for u in found {
            let label = self.uuid_label(&u);
            out = replace_bounded(&out, &u, &label, true);
        }
        out
    }

    /// A whole value or quoted literal: its id variable, or the name under `{{run}}`.
    fn literal(&self, s: &str) -> Option<String> {
        if let Some(v) = self.ids.get(s) {
            return Some(v.clone());
        }
        self.names.contains(s).then(|| format!("{{{{run}}}}{s}"))
    }

    /// Long ids standing alone inside a string.
    fn long_ids(&self, s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        let mut run = String::new();
        let flush = |run: &mut String, out: &mut String| {
            match self.ids.get(run.as_str()).filter(|_| long_id(run)) {
                Some(v) => out.push_str(v),
                None => out.push_str(run),
            }
            run.clear();
        };
        for c in s.chars() {
            if is_id_char(c) {
                run.push(c);
            } else {
                flush(&mut run, &mut out);
                out.push(c);
            }
        }
        flush(&mut run, &mut out);
        out
    }

    pub(super) fn string(&mut self, s: &str) -> String {
        let mut out = match self.literal(s) {
            Some(v) => v,
            None if s.contains('"') => s
                .split('"')
                .enumerate()
                .map(|(i, part)| match (i % 2, self.literal(part)) {
                    (1, Some(v)) => v,
                    _ => self.long_ids(part),
                })
                .collect::<Vec<_>>()
                .join("\""),
            None => self.long_ids(s),
        };
        if let Some(re) = RUN_PREFIX.as_ref() {
            out = re.replace_all(&out, "{{run}}").into_owned();
        }
        out = self.uuids_in(&out);
        self.scrub(&out)
    }
    pub(super) fn scrub(&self, s: &str) -> String {
        redact(&self.secrets, s)
    }

    fn segment(&mut self, seg: &str) -> Option<String> {
        if let Some(var) = self.ids.get(seg) {
            return Some(var.clone());
        }
        if is_uuid(seg) {
            return Some(self.uuid_label(seg));
        }
        None
    }

    pub(super) fn path(&mut self, path: &str) -> String {
        let segs: Vec<String> = path
            .split('/')
            .map(|raw| {
                let dec = crate::text::percent_decode(raw, false);
                self.segment(&dec).unwrap_or_else(|| {
                    let s = RUN_PREFIX
                        .as_ref()
                        .map(|re| re.replace_all(raw, "{{run}}").into_owned())
                        .unwrap_or_else(|| raw.to_string());
                    self.scrub(&s)
                })
            })
            .collect();
        segs.join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replay::fixture::{BodyCheck, BodyTest, QueryEncoding};
    use crate::replay::record::fixtures::*;
    use crate::replay::record::to_fixture;
    use serde_json::json;

    #[test]
    fn ids_become_captured_variables_and_later_uses_point_to_them() {
        let fx = to_fixture(&session(), &meta());
        let names: Vec<&str> = fx.steps.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "get-users-1",
                "post-users-1",
                "post-groups-1",
                "patch-groups-1",
                "post-users-2",
                "delete-users-1",
                "get-users-2",
                "get-users-3"
            ]
        );
        let s = &fx.steps;
        assert_eq!(s[1].capture.get("user1.id"), Some(&json!("/id")));
        assert_eq!(s[2].capture.get("group1.id"), Some(&json!("/id")));
        assert_eq!(s[4].capture.get("user2.id"), Some(&json!("/id")));
        assert_eq!(s[3].request.path, "/Groups/{{group1.id}}");
        assert_eq!(
            s[3].request
                .body
                .as_ref()
                .and_then(|b| b.pointer("/Operations/0/value/0/value")),
            Some(&json!("{{user1.id}}"))
        );
        assert_eq!(s[5].request.path, "/Users/{{user2.id}}");
        assert_eq!(s[6].request.path, "/Users/{{user1.id}}");
        // Expectations: the recorded status, a string at each captured pointer, active.
        assert_eq!(s[1].expect.status, [201]);
        assert!(s[1].expect.body.contains(&BodyCheck {
            pointer: "/id".into(),
            if_status: None,
            test: BodyTest::Type("string".into()),
            severity: None,
            if_declared: None,
        }));
        assert!(s[6].expect.body.contains(&BodyCheck {
            pointer: "/active".into(),
            if_status: None,
            test: BodyTest::Equals(json!(false)),
            severity: None,
            if_declared: None,
        }));
        assert!(s[0].expect.why.contains("received 200"));
        assert!(s.iter().all(|x| !x.synthetic));
        // The IdP's own GUID is a per-replay UUID, consistently.
        assert_eq!(
            s[1].request.body.as_ref().and_then(|b| b.get("externalId")),
            Some(&json!("{{uuid.idp1}}"))
        );
    }

    #[test]
    fn unique_names_get_the_run_prefix_consistently() {
        let fx = to_fixture(&session(), &meta());
        let s = &fx.steps;
        assert_eq!(
            s[0].request.query.get("filter"),
            Some(&json!("userName eq \"{{run}}alice@x.example\""))
        );
        assert_eq!(s[0].request.query_encoding, Some(QueryEncoding::Form));
        let body = s[1].request.body.clone().unwrap_or_default();
        assert_eq!(body["userName"], "{{run}}alice@x.example");
        assert_eq!(body["emails"][0]["value"], "{{run}}alice@x.example");
        // A replayed prefix is replaced, not doubled.
        assert_eq!(
            s[2].request.body.as_ref().map(|b| b["displayName"].clone()),
            Some(json!("{{run}}Sales"))
        );
        // A readable externalId is a name; so is its filter literal (percent-encoded query).
        assert_eq!(
            s[4].request.body.as_ref().map(|b| b["externalId"].clone()),
            Some(json!("{{run}}bob-ext"))
        );
        assert_eq!(
            s[7].request.query.get("filter"),
            Some(&json!("externalId eq \"{{run}}bob-ext\""))
        );
        assert_eq!(s[7].request.query_encoding, None);
    }
    #[test]
    fn list_ids_are_captured_where_they_are_and_ids_the_idp_sent_first_are_not() {
        let x = vec![
            ex(
                "GET",
                "/Users/u-known-00001",
                None,
                None,
                200,
                json!({"id": "u-known-00001"}),
            ),
            ex(
                "GET",
                "/Groups",
                Some("startIndex=1&count=100"),
                None,
                200,
                json!({
                "Resources": [{"id": "g-aaaaaaaa1"}, {"id": "g-bbbbbbbb2"}]}),
            ),
            ex(
                "GET",
                "/Groups/g-bbbbbbbb2",
                None,
                None,
                200,
                json!({"id": "g-bbbbbbbb2"}),
            ),
        ];
        let fx = to_fixture(&x, &meta());
        assert!(fx.steps[0].capture.is_empty());
        assert_eq!(fx.steps[0].request.path, "/Users/u-known-00001");
        assert_eq!(
            fx.steps[1].capture.get("group1.id"),
            Some(&json!("/Resources/0/id"))
        );
        assert_eq!(
            fx.steps[1].capture.get("group2.id"),
            Some(&json!("/Resources/1/id"))
        );
        assert_eq!(
            fx.steps[1].request.query.keys().collect::<Vec<_>>(),
            ["startIndex", "count"]
        );
        assert_eq!(fx.steps[2].request.path, "/Groups/{{group2.id}}");
        assert!(fx.cleanup.is_empty());
    }

    #[test]
    fn rewriter_replaces_ids_names_and_secrets_only_where_bounded() {
        assert_eq!(
            replace_bounded("x/abc/abcd", "abc", "{{v}}", false),
            "x/{{v}}/abcd"
        );
        let mut rw = Rewriter {
            ids: [("12", "{{v}}"), ("abcdef123456", "{{w}}")]
                .into_iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
            names: ["alice".to_string()].into_iter().collect(),
            uuids: HashMap::new(),
            secrets: vec!["s3cr3t-value".into()],
        };
        assert_eq!(rw.string("12"), "{{v}}");
        assert_eq!(rw.string("+1 212"), "+1 212");
        assert_eq!(
            rw.string("members[value eq \"12\"]"),
            "members[value eq \"{{v}}\"]"
        );
        assert_eq!(rw.string("x/abcdef123456/y"), "x/{{w}}/y");
        assert_eq!(rw.string("xabcdef123456"), "xabcdef123456");
        assert_eq!(
            rw.string("userName eq \"alice\""),
            "userName eq \"{{run}}alice\""
        );
        assert_eq!(rw.string("alice"), "{{run}}alice");
        assert_eq!(rw.string("malice"), "malice");
        assert_eq!(rw.string("k=s3cr3t-value"), "k=REDACTED");
        assert_eq!(rw.string("Bearer xyz"), "REDACTED");
        assert_eq!(rw.path("/Users/12"), "/Users/{{v}}");
    }
}
