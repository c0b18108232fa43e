//! The IdP replay fixture model (format version 1, normative text in `fixtures/README.md`):
//! parsing with clear errors, the fixtures embedded in the binary at build time, and loading
//! more from a directory. Serialises back to the same JSON shape (`scimtest record` writes it).

use super::profile::Profile;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The only format version this engine knows.
pub const FORMAT_VERSION: u32 = 1;

/// The four flows every profile has, in the order a replay runs them.
pub const FLOWS: [&str; 4] = [
    "connection",
    "user-lifecycle",
    "group-lifecycle",
    "full-sync",
];

/// One fixture file: a flow of one IdP profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixture {
    /// [`FORMAT_VERSION`].
    pub format_version: u32,
    /// `entra`, `okta`, `onelogin` (or another name from `--fixtures`).
    pub idp: String,
    /// The dialect.
    pub profile: String,
    /// One of [`FLOWS`].
    pub flow: String,
    /// One line for humans.
    pub title: String,
    /// How the flow was assembled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Where the traffic comes from.
    pub source: Source,
    /// Where a reader verifies it.
    pub documented_in: Vec<String>,
    /// `YYYY-MM-DD`.
    pub captured_at: String,
    /// The exchanges, in the IdP's order.
    pub steps: Vec<Step>,
    /// Harness-only requests that remove what the replay created.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cleanup: Vec<Step>,
    /// The profile's manifest (`profile.json` beside the flow files), attached when loaded:
    /// the product name, provenance and the retry policy the engine applies.
    #[serde(skip)]
    pub manifest: Option<Arc<Profile>>,
    /// The steps a provisioning configuration left out (`replay --config`), and why.
    #[serde(skip)]
    pub left_out: Vec<super::shape::LeftOut>,
}

/// Provenance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// `vendor-doc`, `vendor-code`, `capture` or `research-notes`.
    pub kind: String,
    /// URL, repository path or capture name.
    #[serde(rename = "ref")]
    pub reference: String,
}

/// One exchange.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Kebab-case, unique in the file.
    pub name: String,
    /// A remark for humans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Overrides the file's `documented_in` for this step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documented_in: Option<Vec<String>>,
    /// What the IdP sends.
    pub request: Request,
    /// Variable name → JSON pointer into the response body.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub capture: Map<String, Value>,
    /// What the IdP needs back.
    pub expect: Expect,
    /// A list GET the IdP pages through to the end (`cursor`: RFC 9865's `nextCursor`;
    /// `index`: `startIndex` by the page size): the checks judge every page's Resources as one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub walk: Option<Walk>,
    /// Not taken from a documented source.
    pub synthetic: bool,
    /// Why, when synthetic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synthetic_reason: Option<String>,
    /// A write the harness sends to set the scene for the steps after it (a create the
    /// configuration does not let the IdP make): when it does not pass, the flow cannot be
    /// judged (an error), it is not a verdict on the target. Set by `--config`, never in files.
    #[serde(skip)]
    pub setup: bool,
}

/// How a list is paged through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Walk {
    /// Follow `nextCursor` (RFC 9865) until a page has none.
    Cursor,
    /// Ask for `startIndex` after the Resources seen until `totalResults` are (RFC 7644 §3.4.2.4).
    Index,
}

/// How query values are encoded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QueryEncoding {
    /// Space as `%20`.
    #[default]
    Percent,
    /// Space as `+`.
    Form,
}

/// The request of a step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// `GET`, `POST`, `PUT`, `PATCH` or `DELETE`.
    pub method: String,
    /// Relative to the SCIM base URL, no query.
    pub path: String,
    /// Raw query values, sent in this order.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub query: Map<String, Value>,
    /// Encoding of the query.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query_encoding: Option<QueryEncoding>,
    /// Non-authentication headers.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub headers: Map<String, Value>,
    /// The JSON body as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

/// What the IdP needs from the response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// Acceptable statuses.
    pub status: Vec<u16>,
    /// Assertions on the body.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub body: Vec<BodyCheck>,
    /// Why the IdP breaks otherwise.
    pub why: String,
}

/// One assertion on the response body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Value", into = "Value")]
pub struct BodyCheck {
    /// RFC 6901 pointer.
    pub pointer: String,
    /// Only for these statuses.
    pub if_status: Option<Vec<u16>>,
    /// The test.
    pub test: BodyTest,
    /// How bad a failure of this check is: `Some(Destructive)` when it means the server
    /// destroyed data the IdP did not ask to destroy (read-back checks only).
    pub severity: Option<Severity>,
    /// Judged only when the target declares this attribute in `/Schemas`
    /// (`<schema URN>:<attribute>[.<sub-attribute>]`), or does not answer `/Schemas` usably.
    pub if_declared: Option<String>,
}

/// The test of a [`BodyCheck`].
#[derive(Debug, Clone, PartialEq)]
pub enum BodyTest {
    /// Equals this value (after substitution).
    Equals(Value),
    /// The pointer resolves.
    Exists,
    /// The pointer does not resolve.
    Absent,
    /// Equals one of these.
    OneOf(Vec<Value>),
    /// Has this JSON type.
    Type(String),
    /// Unassigned in the sense of RFC 7643 §2.5: missing, `null`, `[]`, or an object whose
    /// sub-attributes are all unassigned (`{}`).
    Unassigned,
    /// Assigned: resolves to something that is not unassigned.
    Assigned,
    /// A multi-valued attribute (unassigned counts as empty) with, for each of these patterns,
    /// an element that matches it (an object pattern matches an element that has those members
    /// with equal values; other patterns match an equal element). Order is free.
    Includes(Vec<Value>),
    /// A multi-valued attribute (unassigned counts as empty) with no element matching any of
    /// these patterns.
    Excludes(Vec<Value>),
    /// A multi-valued attribute (unassigned counts as empty) every element of which matches one
    /// of these patterns; strings compare case-insensitively (lenient: userName is
    /// caseExact false).
    Only(Vec<Value>),
    /// A multi-valued attribute (unassigned counts as empty) with exactly this many elements.
    Count(u64),
}

/// How bad a failed step is for the IdP's customer.
pub use crate::report::model::Severity;

const TYPES: [&str; 7] = [
    "string", "number", "integer", "boolean", "array", "object", "null",
];

impl TryFrom<Value> for BodyCheck {
    type Error = String;
    fn try_from(v: Value) -> Result<Self, String> {
        let Value::Object(mut m) = v else {
            return Err("a body check is an object".into());
        };
        let pointer = match m.remove("pointer") {
            Some(Value::String(p)) if p.is_empty() || p.starts_with('/') => p,
            _ => return Err("a body check needs \"pointer\": a JSON pointer string".into()),
        };
        let if_status = match m.remove("if_status") {
            None => None,
            Some(v) => Some(
                serde_json::from_value::<Vec<u16>>(v)
                    .map_err(|_| "\"if_status\" is an array of status codes".to_string())?,
            ),
        };
        let severity = match m.remove("severity") {
            None => None,
            Some(v) => Some(
                serde_json::from_value::<Severity>(v)
                    .map_err(|_| "\"severity\" is \"destructive\" or \"breaking\"".to_string())?,
            ),
        };
        let if_declared = match m.remove("if_declared") {
            None => None,
            Some(Value::String(s)) if s.starts_with("urn:") => Some(s),
            Some(_) => {
                return Err(format!(
                    "{pointer}: \"if_declared\" is an attribute URN (<schema>:<attribute>)"
                ));
            }
        };
        let mut tests = Vec::new();
        for (k, v) in m {
            let t = match (k.as_str(), v) {
                ("equals", v) => BodyTest::Equals(v),
                ("exists", Value::Bool(true)) => BodyTest::Exists,
                ("absent", Value::Bool(true)) => BodyTest::Absent,
                ("one_of", Value::Array(a)) if !a.is_empty() => BodyTest::OneOf(a),
                ("type", Value::String(t)) if TYPES.contains(&t.as_str()) => BodyTest::Type(t),
                ("unassigned", Value::Bool(true)) => BodyTest::Unassigned,
                ("assigned", Value::Bool(true)) => BodyTest::Assigned,
                ("includes", Value::Array(a)) if !a.is_empty() => BodyTest::Includes(a),
                ("excludes", Value::Array(a)) if !a.is_empty() => BodyTest::Excludes(a),
                ("only", Value::Array(a)) => BodyTest::Only(a),
                ("count", Value::Number(n)) if n.as_u64().is_some() => {
                    BodyTest::Count(n.as_u64().unwrap_or_default())
                }
                (k, _) => return Err(format!("{pointer}: {k:?} is not a valid body check")),
            };
            tests.push(t);
        }
        match (tests.pop(), tests.is_empty()) {
            (Some(test), true) => Ok(BodyCheck {
                pointer,
                if_status,
                test,
                severity,
                if_declared,
            }),
            _ => Err(format!(
                "{pointer}: a body check has exactly one of equals, exists, absent, one_of, type, \
                 unassigned, assigned, includes, excludes, only, count"
            )),
        }
    }
}

impl From<BodyCheck> for Value {
    fn from(c: BodyCheck) -> Value {
        let mut m = Map::new();
        m.insert("pointer".into(), Value::String(c.pointer));
        let (k, v) = match c.test {
            BodyTest::Equals(v) => ("equals", v),
            BodyTest::Exists => ("exists", Value::Bool(true)),
            BodyTest::Absent => ("absent", Value::Bool(true)),
            BodyTest::OneOf(a) => ("one_of", Value::Array(a)),
            BodyTest::Type(t) => ("type", Value::String(t)),
            BodyTest::Unassigned => ("unassigned", Value::Bool(true)),
            BodyTest::Assigned => ("assigned", Value::Bool(true)),
            BodyTest::Includes(a) => ("includes", Value::Array(a)),
            BodyTest::Excludes(a) => ("excludes", Value::Array(a)),
            BodyTest::Only(a) => ("only", Value::Array(a)),
            BodyTest::Count(n) => ("count", Value::from(n)),
        };
        m.insert(k.into(), v);
        if let Some(s) = c.if_status {
            m.insert("if_status".into(), s.into());
        }
        if let Some(s) = c.severity {
            m.insert("severity".into(), Value::String(s.as_str().into()));
        }
        if let Some(a) = c.if_declared {
            m.insert("if_declared".into(), Value::String(a));
        }
        Value::Object(m)
    }
}

/// A fixture that could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum FixtureError {
    /// Not readable.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// Not a valid fixture.
    #[error("{path}: {reason}")]
    Invalid {
        /// The file.
        path: String,
        /// Why, with line and column for JSON errors.
        reason: String,
    },
}

impl Fixture {
    /// Parse one fixture; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Fixture, FixtureError> {
        let invalid = |reason: String| FixtureError::Invalid {
            path: origin.to_string(),
            reason,
        };
        let raw: Value = serde_json::from_str(text).map_err(|e| invalid(e.to_string()))?;
        match raw.get("format_version").and_then(Value::as_u64) {
            Some(v) if v == u64::from(FORMAT_VERSION) => {}
            Some(v) => {
                return Err(invalid(format!(
                    "format_version {v} is not supported (this scimtest reads {FORMAT_VERSION})"
                )));
            }
            None => return Err(invalid("no \"format_version\"".into())),
        }
        let fx: Fixture = serde_json::from_value(raw).map_err(|e| invalid(e.to_string()))?;
        fx.validate().map_err(invalid)?;
        Ok(fx)
    }

    /// `idp/profile/flow`.
    pub fn key(&self) -> String {
        format!("{}/{}/{}", self.idp, self.profile, self.flow)
    }

    /// Structural rules serde cannot express.
    fn validate(&self) -> Result<(), String> {
        if self.steps.is_empty() {
            return Err("a fixture has at least one step".into());
        }
        if !FLOWS.contains(&self.flow.as_str()) {
            return Err(format!(
                "flow {:?} is not one of {}",
                self.flow,
                FLOWS.join(", ")
            ));
        }
        let mut names = std::collections::HashSet::new();
        for s in self.steps.iter().chain(&self.cleanup) {
            if !names.insert(s.name.as_str()) {
                return Err(format!("step name {:?} is used twice", s.name));
            }
            let m = s.request.method.as_str();
            if !["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&m) {
                return Err(format!("step {}: method {m:?} is not supported", s.name));
            }
            if !s.request.path.starts_with('/') || s.request.path.contains(['?', '#']) {
                return Err(format!(
                    "step {}: path {:?} must start with / and carry no query",
                    s.name, s.request.path
                ));
            }
            if s.walk.is_some() && m != "GET" {
                return Err(format!("step {}: only a GET can walk a list", s.name));
            }
            if s.expect.status.is_empty() {
                return Err(format!("step {}: expect.status is empty", s.name));
            }
            if let Some((k, _)) = s.request.query.iter().find(|(_, v)| !v.is_string()) {
                return Err(format!(
                    "step {}: query value {k:?} is not a string",
                    s.name
                ));
            }
            if let Some((k, _)) = s.request.headers.iter().find(|(_, v)| !v.is_string()) {
                return Err(format!("step {}: header {k:?} is not a string", s.name));
            }
            if let Some((k, _)) = s.capture.iter().find(|(_, v)| !v.is_string()) {
                return Err(format!(
                    "step {}: capture {k:?} is not a pointer string",
                    s.name
                ));
            }
        }
        Ok(())
    }
}

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_fixtures.rs"));
}

/// The name of a profile's manifest beside its flow files.
pub const MANIFEST: &str = "profile.json";

fn is_manifest(path: &str) -> bool {
    path.rsplit(['/', '\\']).next() == Some(MANIFEST)
}

/// The fixtures built into the binary (`fixtures/idp/**`), in path order, each with its
/// profile's manifest attached.
pub fn embedded() -> Result<Vec<Fixture>, FixtureError> {
    let mut out = embedded::FIXTURES
        .iter()
        .filter(|(path, _)| !is_manifest(path))
        .map(|(path, text)| Fixture::parse(text, &format!("fixtures/idp/{path} (embedded)")))
        .collect::<Result<Vec<_>, _>>()?;
    attach(&mut out, &embedded_profiles()?);
    Ok(out)
}

/// The profile manifests built into the binary, in path order.
pub fn embedded_profiles() -> Result<Vec<Arc<Profile>>, FixtureError> {
    embedded::FIXTURES
        .iter()
        .filter(|(path, _)| is_manifest(path))
        .map(|(path, text)| {
            Profile::parse(text, &format!("fixtures/idp/{path} (embedded)")).map(Arc::new)
        })
        .collect()
}

/// Give each fixture that has none the manifest of its profile, when `profiles` has one.
pub fn attach(fixtures: &mut [Fixture], profiles: &[Arc<Profile>]) {
    for fx in fixtures.iter_mut().filter(|f| f.manifest.is_none()) {
        fx.manifest = profiles
            .iter()
            .find(|p| p.idp == fx.idp && p.profile == fx.profile)
            .cloned();
    }
}

/// Every `*.json` under `dir` (recursively, sorted), parsed: flow files, and `profile.json`
/// manifests attached to the flows of their profile.
pub fn load_dir(dir: &Path) -> Result<Vec<Fixture>, FixtureError> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) -> Result<(), FixtureError> {
        let io = |source| FixtureError::Io {
            path: dir.display().to_string(),
            source,
        };
        if depth > 8 {
            return Ok(());
        }
        let mut entries = Vec::new();
        for e in std::fs::read_dir(dir).map_err(io)? {
            entries.push(e.map_err(io)?.path());
        }
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out, depth + 1)?;
            } else if p.extension().is_some_and(|x| x == "json") {
                out.push(p);
            }
        }
        Ok(())
    }
    let mut files = Vec::new();
    walk(dir, &mut files, 0)?;
    let (mut out, mut profiles) = (Vec::new(), Vec::new());
    for p in files {
        let origin = p.display().to_string();
        let text = std::fs::read_to_string(&p).map_err(|source| FixtureError::Io {
            path: origin.clone(),
            source,
        })?;
        if is_manifest(&origin) {
            profiles.push(Arc::new(Profile::parse(&text, &origin)?));
        } else {
            out.push(Fixture::parse(&text, &origin)?);
        }
    }
    attach(&mut out, &profiles);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_fixture_parses_and_round_trips() {
        let all = embedded().expect("embedded fixtures parse");
        assert!(all.len() >= 8, "{} embedded fixtures", all.len());
        for fx in &all {
            let back: Fixture =
                serde_json::from_value(serde_json::to_value(fx).expect("ser")).expect("round trip");
            let mut bare = fx.clone();
            bare.manifest = None;
            assert_eq!(back, bare, "{}", fx.key());
            assert!(fx.manifest.is_some(), "{} has no profile.json", fx.key());
        }
    }

    #[test]
    fn bad_fixtures_get_clear_errors() {
        let e = Fixture::parse(r#"{"format_version": 2}"#, "x.json").unwrap_err();
        assert!(
            e.to_string().contains("format_version 2 is not supported"),
            "{e}"
        );
        let e = Fixture::parse("{\n  \"format_version\": 1,\n  oops", "x.json").unwrap_err();
        assert!(e.to_string().contains("line 3"), "{e}");
        let check: Result<BodyCheck, _> = serde_json::from_value(
            serde_json::json!({"pointer": "/a", "exists": true, "absent": true}),
        );
        assert!(check.is_err());
        let check: BodyCheck = serde_json::from_value(
            serde_json::json!({"pointer": "/a", "type": "string", "if_status": [200]}),
        )
        .expect("valid");
        assert_eq!(check.test, BodyTest::Type("string".into()));
        assert_eq!(check.if_status, Some(vec![200]));
    }
}
