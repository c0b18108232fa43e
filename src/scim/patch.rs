//! SCIM PATCH (RFC 7644 §3.5.2): the `PatchOp` request model, the PATCH path grammar
//! (RFC 7644 Figure 7) and `apply`, which computes the patched resource from a stored resource,
//! atomically and schema-driven. Pure: no I/O, no HTTP types; it must not import the provider.
//!
//! # Decisions where the RFC leaves room (each one is tested below)
//!
//! * **Error kinds.** A malformed path is `400 invalidPath`; a syntax error *inside* the
//!   brackets of a value filter is `400 invalidFilter` (RFC 7644 §3.12 lists "PATCH (Path
//!   Filter)" under invalidFilter). A path naming an attribute the schema does not define is
//!   `400 invalidPath` ("the path attribute was invalid"); `noTarget` is kept for what the RFC
//!   reserves it for: `remove` without a path (§3.5.2.2) and a `replace` whose value filter
//!   matches nothing (§3.5.2.3).
//! * **Filter misses.** `replace` with a value filter that matches nothing → `400 noTarget`
//!   (RFC SHALL). `remove` with a filter that matches nothing → success, no change (removing
//!   what is absent is idempotent; Okta sends one `remove members[value eq …]` per member).
//!   `add` with a filter that matches nothing → when the filter is `eq` comparisons on
//!   sub-attributes joined by `and` (e.g. `emails[type eq "work"].value`), a new element is
//!   appended carrying those sub-attribute values plus the added value (what Entra expects; see
//!   RFC 7644 erratum 8097); otherwise `400 noTarget`.
//! * **readOnly.** Any operation whose path targets a readOnly attribute or sub-attribute →
//!   `400 mutability`. A path-less `add`/`replace` whose value object repeats a readOnly
//!   top-level attribute *unchanged* (Okta's group rename sends `{"id":…, "displayName":…}`) is
//!   tolerated and ignored; a different value is `400 mutability`. readOnly sub-attributes
//!   *inside* a value object (e.g. `manager.displayName`) are ignored, as RFC 7644 §3.5.1
//!   prescribes for PUT. The key `schemas` in a path-less value is ignored: the server maintains
//!   `schemas`.
//! * **immutable.** Setting an immutable attribute (or sub-attribute of an existing element) that
//!   has no value is allowed; changing or removing an existing value → `400 mutability`; writing
//!   the same value is a no-op. Removing a whole element of a multi-valued attribute whose
//!   `value` sub-attribute is immutable (a group member) is allowed.
//! * **required.** Removing (or replacing with `null` / `[]`) a required attribute or
//!   sub-attribute → `400 invalidValue` ("a required value was missing", RFC 7644 §3.12).
//! * **Values.** Values are checked against the attribute type (`400 invalidValue`); booleans
//!   also accept the strings `"True"`/`"False"` in any case (Entra's default job). Keys are
//!   rewritten to the schema's canonical spelling. `null` members of a value object unassign
//!   that sub-attribute (RFC 7643 §2.5). Sub-attributes the schema does not define are dropped
//!   from value objects (Okta sends `display` on group members even where the schema has none).
//!   Lenient shapes accepted: a bare string for a complex attribute with a `value`
//!   sub-attribute (Entra's `manager`), a one-element array for a single-valued attribute, and
//!   a single object for a multi-valued one.
//! * **Multi-valued add** appends, without duplicates: an element whose `value` sub-attribute
//!   equals an existing element's (honouring `caseExact`) is merged into that element instead;
//!   elements without `value` are compared whole. `replace` of the attribute replaces all
//!   values. `remove` of `members` *with* a value array (Entra's default) removes exactly the
//!   listed members, never the whole list.
//! * **primary.** When an operation writes `primary: true` on an element, every other element's
//!   `primary: true` becomes `false`; writing two primaries in one operation → `400
//!   invalidValue` (RFC 7643 §2.4: at most one).
//! * **Extensions.** Extension attributes live under `resource[<URN>]`; the URN is added to
//!   `schemas` when the extension gets its first value, and the object and the URN are dropped
//!   when a remove empties it. A path or a path-less key equal to an extension URN addresses the
//!   whole extension object.
//! * **Empty containers.** A complex attribute left without sub-attributes, or a multi-valued
//!   attribute left without elements, becomes unassigned (absent), never `{}` or `[]`.

use crate::scim::error::{ScimError, ScimResult};
use crate::scim::filter::Filter;
use crate::scim::path::{AttrPath, is_attr_name};
use crate::scim::schema::{AttrLookup, AttrType, Attribute, Mutability, PATCH_OP};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};
use std::fmt;

/// A PATCH path (RFC 7644 Figure 7): `attrPath` or `valuePath [subAttr]`, e.g. `name.givenName`,
/// `urn:…:enterprise:2.0:User:manager.value`, `emails[type eq "work"].value`.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchPath {
    /// The attribute: `[urn:]attr[.sub]` when there is no filter; `[urn:]attr` when there is.
    pub attr: AttrPath,
    /// The value-selection filter between `[` and `]`, evaluated against each element.
    pub filter: Option<Filter>,
    /// The sub-attribute after `]`, as in `emails[type eq "work"].value`.
    pub sub_after_filter: Option<String>,
}

/// Where and why a path failed to parse (internal; surfaced as a `ScimError`).
#[derive(Debug, Clone, PartialEq)]
struct PathFault {
    /// Byte offset into the path.
    pos: usize,
    /// What was wrong there.
    msg: String,
    /// True when the fault is inside the value filter (→ invalidFilter).
    in_filter: bool,
}

impl PathFault {
    fn path(pos: usize, msg: impl Into<String>) -> Self {
        PathFault { pos, msg: msg.into(), in_filter: false }
    }

    fn into_error(self, input: &str) -> ScimError {
        let detail = format!("invalid path {input:?} at byte {}: {}", self.pos, self.msg);
        if self.in_filter { ScimError::invalid_filter(detail) } else { ScimError::invalid_path(detail) }
    }
}

/// Byte offset of the `]` that closes the `[` at `open`, skipping quoted strings (with `\`
/// escapes) and nested brackets.
fn closing_bracket(s: &str, open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_str = false;
    let mut escaped = false;
    for (i, c) in s.char_indices().skip_while(|(i, _)| *i < open) {
        if in_str {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_str = false;
            }
            continue;
        }
        match c {
            '"' => in_str = true,
            '[' => depth += 1,
            ']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

fn parse_path(s: &str) -> Result<PatchPath, PathFault> {
    if s.is_empty() {
        return Err(PathFault::path(0, "the path is empty"));
    }
    let Some(open) = s.find('[') else {
        let attr = AttrPath::parse(s).map_err(|e| PathFault::path(e.pos, e.msg))?;
        return Ok(PatchPath { attr, filter: None, sub_after_filter: None });
    };
    let head = s.get(..open).unwrap_or_default();
    if head.is_empty() {
        return Err(PathFault::path(0, "expected an attribute name before '['"));
    }
    let attr = AttrPath::parse(head).map_err(|e| PathFault::path(e.pos, e.msg))?;
    if attr.sub.is_some() {
        let dot = head.rfind('.').unwrap_or(open);
        return Err(PathFault::path(
            dot,
            "a value filter applies to a multi-valued attribute, not to a sub-attribute",
        ));
    }
    let Some(close) = closing_bracket(s, open) else {
        return Err(PathFault::path(s.len(), format!("expected ']' to close the '[' at byte {open}")));
    };
    let inner = s.get(open + 1..close).unwrap_or_default();
    if inner.trim().is_empty() {
        return Err(PathFault::path(open + 1, "the value filter between '[' and ']' is empty"));
    }
    let filter = Filter::parse(inner).map_err(|e| PathFault {
        pos: open + 1 + e.pos,
        msg: e.msg,
        in_filter: true,
    })?;
    let rest = s.get(close + 1..).unwrap_or_default();
    let sub_after_filter = if rest.is_empty() {
        None
    } else if let Some(sub) = rest.strip_prefix('.') {
        if !is_attr_name(sub) {
            return Err(PathFault::path(close + 2, format!("{sub:?} is not a sub-attribute name")));
        }
        Some(sub.to_string())
    } else {
        return Err(PathFault::path(close + 1, "expected '.subAttribute' or the end of the path after ']'"));
    };
    Ok(PatchPath { attr, filter: Some(filter), sub_after_filter })
}

impl PatchPath {
    /// Parse a PATCH `path`. A malformed path is `400 invalidPath`; a syntax error inside the
    /// value filter is `400 invalidFilter`. The detail names the byte offset.
    pub fn parse(s: &str) -> Result<PatchPath, ScimError> {
        parse_path(s).map_err(|f| f.into_error(s))
    }
}

impl fmt::Display for PatchPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.attr)?;
        if let Some(filter) = &self.filter {
            write!(f, "[{filter}]")?;
        }
        if let Some(sub) = &self.sub_after_filter {
            write!(f, ".{sub}")?;
        }
        Ok(())
    }
}

/// A PATCH operation kind. Deserialised case-insensitively (`"Replace"`, `"ADD"`), serialised
/// lower-case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OpKind {
    /// `add` (RFC 7644 §3.5.2.1).
    Add,
    /// `remove` (RFC 7644 §3.5.2.2).
    Remove,
    /// `replace` (RFC 7644 §3.5.2.3).
    Replace,
}

impl OpKind {
    /// The wire spelling: `add`, `remove`, `replace`.
    pub fn as_str(self) -> &'static str {
        match self {
            OpKind::Add => "add",
            OpKind::Remove => "remove",
            OpKind::Replace => "replace",
        }
    }

    /// Parse an op name, ignoring ASCII case.
    pub fn parse(s: &str) -> Option<OpKind> {
        [OpKind::Add, OpKind::Remove, OpKind::Replace]
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(s))
    }
}

impl fmt::Display for OpKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for OpKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for OpKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        OpKind::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!("unknown op {s:?}; expected add, remove or replace"))
        })
    }
}

/// One element of `Operations`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatchOperation {
    /// `add`, `remove` or `replace`.
    pub op: OpKind,
    /// The raw `path`, parsed by `apply` (absent: the resource itself).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The `value`; `Some(Value::Null)` when the body said `"value": null`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
}

/// A `PatchOp` request body (RFC 7644 §3.5.2).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatchRequest {
    /// Must contain `urn:ietf:params:scim:api:messages:2.0:PatchOp`.
    pub schemas: Vec<String>,
    /// The operations, applied in order.
    #[serde(rename = "Operations")]
    pub operations: Vec<PatchOperation>,
}

/// The member of `obj` whose key equals `name` ignoring ASCII case (exact spelling first).
fn get_ci<'a>(obj: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    obj.get(name).or_else(|| obj.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v))
}

impl PatchRequest {
    /// Read a PATCH body. `schemas` must contain the PatchOp URN and `Operations` (key matched
    /// case-insensitively, as are `op`/`path`/`value`) must be a non-empty array; otherwise
    /// `400 invalidSyntax`. An `add`/`replace` without `value` is `400 invalidValue`.
    pub fn from_json(body: &Value) -> ScimResult<PatchRequest> {
        let obj = body
            .as_object()
            .ok_or_else(|| ScimError::invalid_syntax("a PATCH body must be a JSON object"))?;
        let schemas = match get_ci(obj, "schemas") {
            Some(Value::Array(a)) => a
                .iter()
                .map(|s| {
                    s.as_str().map(str::to_string).ok_or_else(|| {
                        ScimError::invalid_syntax("\"schemas\" must be an array of strings")
                    })
                })
                .collect::<ScimResult<Vec<String>>>()?,
            Some(_) => return Err(ScimError::invalid_syntax("\"schemas\" must be an array of strings")),
            None => {
                return Err(ScimError::invalid_syntax(format!(
                    "a PATCH body must have \"schemas\": [\"{PATCH_OP}\"]"
                )));
            }
        };
        if !schemas.iter().any(|s| s.eq_ignore_ascii_case(PATCH_OP)) {
            return Err(ScimError::invalid_syntax(format!(
                "\"schemas\" must contain \"{PATCH_OP}\""
            )));
        }
        let ops = match get_ci(obj, "Operations") {
            Some(Value::Array(a)) if !a.is_empty() => a,
            Some(Value::Array(_)) => {
                return Err(ScimError::invalid_syntax("\"Operations\" must not be empty"));
            }
            Some(_) => return Err(ScimError::invalid_syntax("\"Operations\" must be an array")),
            None => return Err(ScimError::invalid_syntax("a PATCH body must have \"Operations\"")),
        };
        let operations = ops
            .iter()
            .enumerate()
            .map(|(i, o)| parse_operation(i, o))
            .collect::<ScimResult<Vec<_>>>()?;
        Ok(PatchRequest { schemas, operations })
    }
}

fn parse_operation(i: usize, o: &Value) -> ScimResult<PatchOperation> {
    let o = o
        .as_object()
        .ok_or_else(|| ScimError::invalid_syntax(format!("Operations[{i}] must be an object")))?;
    let op = match get_ci(o, "op") {
        Some(Value::String(s)) => OpKind::parse(s).ok_or_else(|| {
            ScimError::invalid_syntax(format!(
                "Operations[{i}]: unknown op {s:?}; expected add, remove or replace"
            ))
        })?,
        Some(_) => return Err(ScimError::invalid_syntax(format!("Operations[{i}]: \"op\" must be a string"))),
        None => return Err(ScimError::invalid_syntax(format!("Operations[{i}] has no \"op\""))),
    };
    let path = match get_ci(o, "path") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            return Err(ScimError::invalid_syntax(format!("Operations[{i}]: \"path\" must be a string")));
        }
    };
    let value = get_ci(o, "value").cloned();
    if value.is_none() && op != OpKind::Remove {
        return Err(ScimError::invalid_value(format!("Operations[{i}]: {op} requires a \"value\"")));
    }
    Ok(PatchOperation { op, path, value })
}

/// The result of a successful `apply`.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchOutcome {
    /// The patched resource.
    pub resource: Value,
    /// False when the result equals the input (a no-op PATCH: keep `meta.lastModified`/ETag).
    pub changed: bool,
}

/// Apply all operations of `req` to `resource`, in order and atomically: the input is never
/// mutated, and on any error nothing applies (the error names the failing operation).
pub fn apply(resource: &Value, req: &PatchRequest, schema: &dyn AttrLookup) -> ScimResult<PatchOutcome> {
    let mut work = resource.clone();
    let root = work
        .as_object_mut()
        .ok_or_else(|| ScimError::invalid_value("the resource to patch is not a JSON object"))?;
    for (i, op) in req.operations.iter().enumerate() {
        apply_op(root, op, schema).map_err(|e| {
            let at = op.path.as_deref().map(|p| format!(" {p:?}")).unwrap_or_default();
            ScimError { detail: format!("Operations[{i}] ({}{at}): {}", op.op, e.detail), ..e }
        })?;
    }
    let changed = work != *resource;
    Ok(PatchOutcome { resource: work, changed })
}

/// How an attribute was addressed: by `path`, or as a key of a path-less value object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    Path,
    ValueKey,
}

/// A resolved operation target.
struct Target<'a, 's> {
    /// The extension URN (the JSON key holding the attribute), when it lives in an extension.
    ext: Option<&'s str>,
    top: &'s Attribute,
    /// The sub-attribute: from `attr.sub` or from after the filter.
    sub: Option<&'s Attribute>,
    filter: Option<&'a Filter>,
    /// The path of the multi-valued attribute, for `Filter::matches_element`.
    parent: AttrPath,
}

fn resolve_target<'a, 's>(pp: &'a PatchPath, schema: &'s dyn AttrLookup) -> ScimResult<Target<'a, 's>> {
    let top_path = AttrPath { urn: pp.attr.urn.clone(), attr: pp.attr.attr.clone(), sub: None };
    let r = schema
        .resolve(&top_path)
        .ok_or_else(|| ScimError::invalid_path(format!("no attribute \"{top_path}\" in this resource's schemas")))?;
    let sub = match pp.attr.sub.as_deref().or(pp.sub_after_filter.as_deref()) {
        None => None,
        Some(name) => {
            if r.top.attr_type != AttrType::Complex {
                return Err(ScimError::invalid_path(format!(
                    "{:?} is not complex and has no sub-attribute {name:?}",
                    r.top.name
                )));
            }
            Some(r.top.sub_attribute(name).ok_or_else(|| {
                ScimError::invalid_path(format!("{:?} has no sub-attribute {name:?}", r.top.name))
            })?)
        }
    };
    if pp.filter.is_some() && !r.top.multi_valued {
        return Err(ScimError::invalid_path(format!(
            "a value filter needs a multi-valued attribute; {:?} is single-valued",
            r.top.name
        )));
    }
    let parent = AttrPath { urn: r.extension.map(str::to_string), attr: r.top.name.clone(), sub: None };
    Ok(Target { ext: r.extension, top: r.top, sub, filter: pp.filter.as_ref(), parent })
}

/// `Some((canonical urn, is_core))` when `s` names one of the resource's schemas.
fn schema_urn<'s>(schema: &'s dyn AttrLookup, s: &str) -> Option<(&'s str, bool)> {
    schema
        .schema_urns()
        .into_iter()
        .enumerate()
        .find(|(_, u)| u.eq_ignore_ascii_case(s))
        .map(|(i, u)| (u, i == 0))
}

fn apply_op(root: &mut Map<String, Value>, op: &PatchOperation, schema: &dyn AttrLookup) -> ScimResult<()> {
    let Some(path) = op.path.as_deref() else {
        return match op.op {
            OpKind::Remove => Err(ScimError::no_target(
                "remove requires a \"path\" (RFC 7644 §3.5.2.2)",
            )),
            OpKind::Add | OpKind::Replace => apply_value_object(root, op.op, None, op.value.as_ref(), schema),
        };
    };
    if let Some((urn, core)) = schema_urn(schema, path) {
        return match (op.op, core) {
            (OpKind::Remove, true) => Err(ScimError::invalid_path("the core schema cannot be removed")),
            (OpKind::Remove, false) => remove_extension(root, urn, schema),
            (kind, true) => apply_value_object(root, kind, None, op.value.as_ref(), schema),
            (kind, false) => apply_value_object(root, kind, Some(urn), op.value.as_ref(), schema),
        };
    }
    let pp = PatchPath::parse(path)?;
    let target = resolve_target(&pp, schema)?;
    apply_target(root, op.op, &target, op.value.as_ref(), Origin::Path, schema)
}

/// Path-less add/replace (or a path that is a schema URN): `value` is an object whose keys are
/// attribute paths (plain, dotted, URN-qualified) or extension URNs holding an object.
fn apply_value_object(
    root: &mut Map<String, Value>,
    kind: OpKind,
    within: Option<&str>,
    value: Option<&Value>,
    schema: &dyn AttrLookup,
) -> ScimResult<()> {
    let obj = match value {
        Some(Value::Object(m)) => m,
        _ => {
            return Err(ScimError::invalid_value(format!(
                "{kind} without a path needs a \"value\" object of attributes"
            )));
        }
    };
    for (key, v) in obj {
        if within.is_none() && key.eq_ignore_ascii_case("schemas") {
            continue;
        }
        if within.is_none()
            && let Some((urn, core)) = schema_urn(schema, key)
        {
            apply_value_object(root, kind, if core { None } else { Some(urn) }, Some(v), schema)
                .map_err(|e| ScimError { detail: format!("in {urn:?}: {}", e.detail), ..e })?;
            continue;
        }
        let mut attr = AttrPath::parse(key).map_err(|e| {
            ScimError::invalid_path(format!("value key {key:?} is not an attribute path: {}", e.msg))
        })?;
        if let Some(urn) = within {
            if attr.urn.is_some() {
                return Err(ScimError::invalid_path(format!(
                    "value key {key:?} inside {urn:?} must not carry a schema URN"
                )));
            }
            attr.urn = Some(urn.to_string());
        }
        let pp = PatchPath { attr, filter: None, sub_after_filter: None };
        let target = resolve_target(&pp, schema)?;
        apply_target(root, kind, &target, Some(v), Origin::ValueKey, schema)?;
    }
    Ok(())
}

/// `remove` with a path that is an extension URN: unassign the whole extension.
fn remove_extension(root: &mut Map<String, Value>, urn: &str, schema: &dyn AttrLookup) -> ScimResult<()> {
    let Some(key) = find_key(root, urn) else { return Ok(()) };
    if let Some(Value::Object(ext)) = root.get(&key) {
        for (k, v) in ext {
            if v.is_null() {
                continue;
            }
            let path = AttrPath { urn: Some(urn.to_string()), attr: k.clone(), sub: None };
            if let Some(r) = schema.resolve(&path) {
                check_removable(r.top)?;
            }
        }
    }
    root.shift_remove(&key);
    drop_schema_urn(root, urn);
    Ok(())
}

/// The existing key of `map` equal to `name` ignoring ASCII case (exact spelling first).
fn find_key(map: &Map<String, Value>, name: &str) -> Option<String> {
    if map.contains_key(name) {
        return Some(name.to_string());
    }
    map.keys().find(|k| k.eq_ignore_ascii_case(name)).cloned()
}

/// Rename a case-variant key of `map` to the canonical `name`.
fn canon_key(map: &mut Map<String, Value>, name: &str) {
    if map.contains_key(name) {
        return;
    }
    if let Some(k) = find_key(map, name)
        && let Some(v) = map.shift_remove(&k)
    {
        map.insert(name.to_string(), v);
    }
}

/// The value of `name` in `map`, `None` when absent or null.
fn present<'v>(map: &'v Map<String, Value>, name: &str) -> Option<&'v Value> {
    get_ci(map, name).filter(|v| !v.is_null())
}

fn add_schema_urn(root: &mut Map<String, Value>, urn: &str) {
    canon_key(root, "schemas");
    let schemas = root.entry("schemas").or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(a) = schemas
        && !a.iter().any(|s| s.as_str().is_some_and(|s| s.eq_ignore_ascii_case(urn)))
    {
        a.push(Value::String(urn.to_string()));
    }
}

fn drop_schema_urn(root: &mut Map<String, Value>, urn: &str) {
    if let Some(k) = find_key(root, "schemas")
        && let Some(Value::Array(a)) = root.get_mut(&k)
    {
        a.retain(|s| !s.as_str().is_some_and(|s| s.eq_ignore_ascii_case(urn)));
    }
}

fn has_values(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Object(m)) => m.values().any(|v| !v.is_null()),
        _ => false,
    }
}

/// Apply one operation to one resolved target.
fn apply_target(
    root: &mut Map<String, Value>,
    kind: OpKind,
    t: &Target<'_, '_>,
    value: Option<&Value>,
    origin: Origin,
    schema: &dyn AttrLookup,
) -> ScimResult<()> {
    let def = t.sub.unwrap_or(t.top);
    if t.top.mutability == Mutability::ReadOnly || def.mutability == Mutability::ReadOnly {
        if origin == Origin::ValueKey && kind != OpKind::Remove && t.filter.is_none() {
            let current = container_ref(root, t.ext)
                .and_then(|c| present(c, &t.top.name))
                .and_then(|v| match t.sub {
                    Some(sub) => v.as_object().and_then(|m| present(m, &sub.name)),
                    None => Some(v),
                });
            if current == value.filter(|v| !v.is_null()) {
                return Ok(());
            }
        }
        return Err(ScimError::mutability(format!("{:?} is readOnly", display_name(t))));
    }
    let value = match kind {
        OpKind::Remove => value.filter(|v| !v.is_null()),
        OpKind::Add | OpKind::Replace => Some(value.ok_or_else(|| {
            ScimError::invalid_value(format!("{kind} requires a \"value\""))
        })?),
    };
    let had_ext_values = t.ext.is_some_and(|urn| has_values(find_key(root, urn).and_then(|k| root.get(&k))));
    {
        let container = container_mut(root, t.ext)?;
        match (t.filter, t.top.multi_valued) {
            (Some(filter), _) => op_filtered(container, kind, t, filter, value, schema)?,
            (None, true) => op_multi(container, kind, t, value)?,
            (None, false) => op_single(container, kind, t, value)?,
        }
    }
    if let Some(urn) = t.ext {
        let key = find_key(root, urn);
        let now = key.as_ref().and_then(|k| root.get(k));
        if has_values(now) {
            add_schema_urn(root, urn);
        } else {
            if let Some(k) = key {
                root.shift_remove(&k);
            }
            if had_ext_values {
                drop_schema_urn(root, urn);
            }
        }
    }
    Ok(())
}

fn display_name(t: &Target<'_, '_>) -> String {
    match t.sub {
        Some(sub) => format!("{}.{}", t.top.name, sub.name),
        None => t.top.name.clone(),
    }
}

fn container_ref<'r>(root: &'r Map<String, Value>, ext: Option<&str>) -> Option<&'r Map<String, Value>> {
    match ext {
        None => Some(root),
        Some(urn) => get_ci(root, urn).and_then(Value::as_object),
    }
}

/// The object holding the target's top-level attribute; an extension object is created empty
/// when absent (and dropped again by the caller when it stays empty).
fn container_mut<'r>(root: &'r mut Map<String, Value>, ext: Option<&str>) -> ScimResult<&'r mut Map<String, Value>> {
    let Some(urn) = ext else { return Ok(root) };
    canon_key(root, urn);
    let slot = root.entry(urn).or_insert_with(|| Value::Object(Map::new()));
    if slot.is_null() {
        *slot = Value::Object(Map::new());
    }
    slot.as_object_mut()
        .ok_or_else(|| ScimError::invalid_value(format!("the stored {urn:?} is not an object")))
}

// ---------------------------------------------------------------------------------------------
// Values: type checks, canonical spelling, equality.

fn type_error(attr: &Attribute, want: &str, got: &Value) -> ScimError {
    ScimError::invalid_value(format!("{:?} expects {want}, got {got}", attr.name))
}

/// Check a simple value against `attr`'s type; booleans accept "true"/"false" strings.
fn normalize_scalar(attr: &Attribute, v: &Value) -> ScimResult<Value> {
    match attr.attr_type {
        AttrType::String | AttrType::Reference | AttrType::Binary => match v {
            Value::String(_) => Ok(v.clone()),
            _ => Err(type_error(attr, "a string", v)),
        },
        AttrType::Boolean => match v {
            Value::Bool(_) => Ok(v.clone()),
            Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(Value::Bool(true)),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(Value::Bool(false)),
            _ => Err(type_error(attr, "a boolean", v)),
        },
        AttrType::Integer => match v {
            Value::Number(n) if n.is_i64() || n.is_u64() => Ok(v.clone()),
            _ => Err(type_error(attr, "an integer", v)),
        },
        AttrType::Decimal => match v {
            Value::Number(_) => Ok(v.clone()),
            _ => Err(type_error(attr, "a number", v)),
        },
        AttrType::DateTime => match v {
            Value::String(s) if chrono::DateTime::parse_from_rfc3339(s).is_ok() => Ok(v.clone()),
            _ => Err(type_error(attr, "an xsd:dateTime string", v)),
        },
        AttrType::Complex => match v {
            Value::Object(_) => Ok(v.clone()),
            _ => Err(type_error(attr, "an object", v)),
        },
    }
}

/// A sub-attribute value (which may itself be multi-valued); `null` stays `null` (unassign).
fn normalize_sub(sub: &Attribute, v: &Value) -> ScimResult<Value> {
    match v {
        Value::Null => Ok(Value::Null),
        Value::Array(items) if sub.multi_valued => {
            items.iter().filter(|x| !x.is_null()).map(|x| normalize_scalar(sub, x)).collect::<ScimResult<Vec<_>>>().map(Value::Array)
        }
        _ if sub.multi_valued => Ok(Value::Array(vec![normalize_scalar(sub, v)?])),
        _ => normalize_scalar(sub, v),
    }
}

/// A value object for complex `top`, keyed canonically; `null` members are kept (they unassign
/// on merge); readOnly and unknown sub-attributes are dropped. A bare string becomes
/// `{"value": s}` when `top` has a `value` sub-attribute (Entra's `manager`).
fn normalize_complex(top: &Attribute, v: &Value) -> ScimResult<Map<String, Value>> {
    let obj = match v {
        Value::Object(m) => m.clone(),
        Value::String(_) | Value::Number(_) | Value::Bool(_) if top.sub_attribute("value").is_some() => {
            let mut m = Map::new();
            m.insert("value".to_string(), v.clone());
            m
        }
        _ => return Err(type_error(top, "an object of sub-attributes", v)),
    };
    let mut out = Map::new();
    for (k, x) in &obj {
        let Some(sub) = top.sub_attribute(k) else { continue };
        if sub.mutability == Mutability::ReadOnly {
            continue;
        }
        out.insert(sub.name.clone(), normalize_sub(sub, x)?);
    }
    Ok(out)
}

/// One element of multi-valued `top`, with `null` members removed.
fn normalize_element(top: &Attribute, v: &Value) -> ScimResult<Value> {
    if top.attr_type == AttrType::Complex {
        let mut m = normalize_complex(top, v)?;
        m.retain(|_, x| !x.is_null());
        check_required_subs(top, &m)?;
        Ok(Value::Object(m))
    } else {
        normalize_scalar(top, v)
    }
}

/// The elements given for multi-valued `top`: an array, or a single value (lenient).
fn normalize_multi(top: &Attribute, v: &Value) -> ScimResult<Vec<Value>> {
    let items: Vec<&Value> = match v {
        Value::Array(a) => a.iter().collect(),
        Value::Null => Vec::new(),
        other => vec![other],
    };
    let out = items
        .into_iter()
        .filter(|x| !x.is_null())
        .map(|x| normalize_element(top, x))
        .filter(|x| !matches!(x, Ok(Value::Object(m)) if m.is_empty()))
        .collect::<ScimResult<Vec<_>>>()?;
    if out.iter().filter(|e| is_primary(top, e)).count() > 1 {
        return Err(ScimError::invalid_value(format!(
            "at most one value of {:?} may be primary",
            top.name
        )));
    }
    Ok(out)
}

/// For a single-valued attribute: unwrap a one-element array (lenient), `[]` means unassign.
fn unwrap_single<'v>(attr: &Attribute, v: &'v Value) -> ScimResult<&'v Value> {
    match v {
        Value::Array(a) if a.is_empty() => Ok(&Value::Null),
        Value::Array(a) if a.len() == 1 => Ok(a.first().unwrap_or(&Value::Null)),
        Value::Array(_) => Err(type_error(attr, "a single value", v)),
        _ => Ok(v),
    }
}

fn check_required_subs(top: &Attribute, m: &Map<String, Value>) -> ScimResult<()> {
    for sub in top.sub_attributes.iter().filter(|s| s.required) {
        if present(m, &sub.name).is_none() {
            return Err(ScimError::invalid_value(format!(
                "{:?} requires the sub-attribute {:?}",
                top.name, sub.name
            )));
        }
    }
    Ok(())
}

/// Equality honouring `caseExact` for strings.
fn values_equal(a: &Value, b: &Value, case_exact: bool) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) if !case_exact => x.eq_ignore_ascii_case(y) || x.to_lowercase() == y.to_lowercase(),
        _ => a == b,
    }
}

fn primary_name(top: &Attribute) -> Option<&str> {
    top.sub_attribute("primary").filter(|s| s.attr_type == AttrType::Boolean).map(|s| s.name.as_str())
}

fn is_primary(top: &Attribute, el: &Value) -> bool {
    primary_name(top).is_some_and(|p| el.as_object().and_then(|m| present(m, p)) == Some(&Value::Bool(true)))
}

/// After an operation wrote `primary: true` into the elements at `touched`: demote every other
/// primary element; two written primaries are an error.
fn settle_primary(top: &Attribute, arr: &mut [Value], touched: &[usize]) -> ScimResult<()> {
    let Some(p) = primary_name(top) else { return Ok(()) };
    let mut winners: Vec<usize> = touched.iter().copied().filter(|&i| arr.get(i).is_some_and(|e| is_primary(top, e))).collect();
    winners.sort_unstable();
    winners.dedup();
    match winners.as_slice() {
        [] => Ok(()),
        [w] => {
            for (i, el) in arr.iter_mut().enumerate() {
                if i != *w && is_primary(top, el)
                    && let Some(m) = el.as_object_mut()
                {
                    canon_key(m, p);
                    m.insert(p.to_string(), Value::Bool(false));
                }
            }
            Ok(())
        }
        _ => Err(ScimError::invalid_value(format!("at most one value of {:?} may be primary", top.name))),
    }
}

/// The index of the existing element `new` duplicates: same `value` sub-attribute for complex
/// attributes that have one, else the whole value.
fn find_same(top: &Attribute, arr: &[Value], new: &Value) -> Option<usize> {
    if top.attr_type == AttrType::Complex
        && let Some(vsub) = top.sub_attribute("value")
        && let Some(nv) = new.as_object().and_then(|m| present(m, &vsub.name))
    {
        return arr.iter().position(|e| {
            e.as_object().and_then(|m| present(m, &vsub.name)).is_some_and(|ev| values_equal(ev, nv, vsub.case_exact))
        });
    }
    arr.iter().position(|e| values_equal(e, new, top.case_exact))
}

fn immutable_error(what: &str) -> ScimError {
    ScimError::mutability(format!("{what:?} is immutable and already has a different value"))
}

/// Merge sub-attributes `new` into the object `el` (null members unassign); immutable
/// sub-attributes with a different existing value are refused.
fn merge_into(top: &Attribute, el: &mut Map<String, Value>, new: &Map<String, Value>) -> ScimResult<()> {
    for (k, v) in new {
        let Some(sub) = top.sub_attribute(k) else { continue };
        canon_key(el, &sub.name);
        let immutable = sub.mutability == Mutability::Immutable || top.mutability == Mutability::Immutable;
        let existing = present(el, &sub.name);
        if v.is_null() {
            if existing.is_some() {
                if sub.required {
                    return Err(ScimError::invalid_value(format!("{}.{} is required", top.name, sub.name)));
                }
                if immutable {
                    return Err(immutable_error(&format!("{}.{}", top.name, sub.name)));
                }
            }
            el.shift_remove(&sub.name);
            continue;
        }
        match existing {
            Some(old) if values_equal(old, v, sub.case_exact) => {}
            Some(_) if immutable => return Err(immutable_error(&format!("{}.{}", top.name, sub.name))),
            _ => {
                el.insert(sub.name.clone(), v.clone());
            }
        }
    }
    Ok(())
}

/// Unassign the top-level attribute (absent already: a no-op).
fn remove_top(c: &mut Map<String, Value>, top: &Attribute) -> ScimResult<()> {
    let Some(key) = find_key(c, &top.name) else { return Ok(()) };
    if c.get(&key).is_some_and(|v| !v.is_null() && v != &Value::Array(Vec::new())) {
        check_removable(top)?;
    }
    c.shift_remove(&key);
    Ok(())
}

fn check_removable(attr: &Attribute) -> ScimResult<()> {
    if attr.required {
        return Err(ScimError::invalid_value(format!("{:?} is required and cannot be removed", attr.name)));
    }
    match attr.mutability {
        Mutability::Immutable => Err(immutable_error(&attr.name)),
        Mutability::ReadOnly => Err(ScimError::mutability(format!("{:?} is readOnly", attr.name))),
        Mutability::ReadWrite | Mutability::WriteOnly => Ok(()),
    }
}

/// The current elements of multi-valued `top` (a stray single value counts as one element).
fn current_elements(c: &mut Map<String, Value>, top: &Attribute) -> Vec<Value> {
    canon_key(c, &top.name);
    match c.get(&top.name) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a.clone(),
        Some(v) => vec![v.clone()],
    }
}

/// Store `arr` as the attribute's elements (unassigning it when empty); immutable attributes
/// refuse any change once they have values.
fn store_elements(c: &mut Map<String, Value>, top: &Attribute, before: &[Value], arr: Vec<Value>) -> ScimResult<()> {
    if arr.as_slice() == before {
        return Ok(());
    }
    if !before.is_empty() && top.mutability == Mutability::Immutable {
        return Err(immutable_error(&top.name));
    }
    if arr.is_empty() {
        if top.required {
            return Err(ScimError::invalid_value(format!("{:?} is required and cannot be emptied", top.name)));
        }
        c.shift_remove(&top.name);
    } else {
        c.insert(top.name.clone(), Value::Array(arr));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The three target shapes.

/// Single-valued attribute, optionally a sub-attribute of it.
fn op_single(c: &mut Map<String, Value>, kind: OpKind, t: &Target<'_, '_>, value: Option<&Value>) -> ScimResult<()> {
    let top = t.top;
    canon_key(c, &top.name);
    let value = match value {
        Some(v) => Some(unwrap_single(top, v)?),
        None => None,
    };
    match (kind, t.sub, value) {
        (OpKind::Remove, None, _) => remove_top(c, top),
        (OpKind::Remove, Some(sub), _) => {
            let mut m = Map::new();
            m.insert(sub.name.clone(), Value::Null);
            set_complex(c, top, &m)
        }
        (_, _, None) => Ok(()),
        (OpKind::Add, _, Some(Value::Null)) => Ok(()),
        (OpKind::Replace, None, Some(Value::Null)) => remove_top(c, top),
        (_, Some(sub), Some(v)) => {
            let mut m = Map::new();
            m.insert(sub.name.clone(), normalize_sub(sub, v)?);
            set_complex(c, top, &m)
        }
        (_, None, Some(v)) if top.attr_type == AttrType::Complex => {
            let m = normalize_complex(top, v)?;
            set_complex(c, top, &m)
        }
        (_, None, Some(v)) => {
            let new = normalize_scalar(top, v)?;
            match present(c, &top.name) {
                Some(old) if old == &new => Ok(()),
                Some(_) if top.mutability == Mutability::Immutable => Err(immutable_error(&top.name)),
                _ => {
                    c.insert(top.name.clone(), new);
                    Ok(())
                }
            }
        }
    }
}

/// Merge `m` into single-valued complex `top` (creating it), then unassign it if left empty.
fn set_complex(c: &mut Map<String, Value>, top: &Attribute, m: &Map<String, Value>) -> ScimResult<()> {
    let existed = present(c, &top.name).is_some();
    let mut obj = match present(c, &top.name) {
        Some(Value::Object(o)) => o.clone(),
        Some(_) | None => Map::new(),
    };
    merge_into(top, &mut obj, m)?;
    obj.retain(|_, v| !v.is_null());
    if obj.is_empty() {
        if existed {
            remove_top(c, top)?;
        }
        return Ok(());
    }
    check_required_subs(top, &obj)?;
    c.insert(top.name.clone(), Value::Object(obj));
    Ok(())
}

/// Multi-valued attribute without a filter: `attr` or `attr.sub` (the latter applies to every
/// element).
fn op_multi(c: &mut Map<String, Value>, kind: OpKind, t: &Target<'_, '_>, value: Option<&Value>) -> ScimResult<()> {
    let top = t.top;
    let before = current_elements(c, top);
    let mut arr = before.clone();
    match (kind, t.sub) {
        (OpKind::Add, None) => {
            let mut touched = Vec::new();
            for new in normalize_multi(top, value.unwrap_or(&Value::Null))? {
                let primary = is_primary(top, &new);
                let at = match find_same(top, &arr, &new) {
                    Some(i) => {
                        if let (Some(Value::Object(el)), Value::Object(nm)) = (arr.get_mut(i), &new) {
                            merge_into(top, el, nm)?;
                        }
                        i
                    }
                    None => {
                        arr.push(new);
                        arr.len() - 1
                    }
                };
                if primary {
                    touched.push(at);
                }
            }
            settle_primary(top, &mut arr, &touched)?;
        }
        (OpKind::Replace, None) => {
            arr = normalize_multi(top, value.unwrap_or(&Value::Null))?;
        }
        (OpKind::Remove, None) => match value {
            None => arr.clear(),
            Some(v) => {
                // Entra: remove exactly the listed values (e.g. members by `value`).
                let items: Vec<&Value> = match v {
                    Value::Array(a) => a.iter().collect(),
                    other => vec![other],
                };
                for item in items {
                    let probe = if top.attr_type == AttrType::Complex {
                        normalize_complex(top, item)?.into_iter().filter(|(_, x)| !x.is_null()).collect::<Map<_, _>>().into()
                    } else {
                        item.clone()
                    };
                    while let Some(i) = find_same(top, &arr, &probe) {
                        arr.remove(i);
                    }
                }
            }
        },
        (kind, Some(sub)) => {
            let sv = match kind {
                OpKind::Remove => Value::Null,
                _ => normalize_sub(sub, value.unwrap_or(&Value::Null))?,
            };
            if arr.is_empty() && !sv.is_null() {
                let mut m = Map::new();
                m.insert(sub.name.clone(), sv);
                check_required_subs(top, &m)?;
                arr.push(Value::Object(m));
            } else {
                let writes_primary = primary_name(top) == Some(sub.name.as_str()) && sv == Value::Bool(true);
                let mut m = Map::new();
                m.insert(sub.name.clone(), sv);
                for el in arr.iter_mut() {
                    if let Value::Object(o) = el {
                        merge_into(top, o, &m)?;
                    }
                }
                arr.retain(|e| !matches!(e, Value::Object(o) if o.is_empty()));
                if writes_primary {
                    let all: Vec<usize> = (0..arr.len()).collect();
                    settle_primary(top, &mut arr, &all)?;
                }
            }
        }
    }
    store_elements(c, top, &before, arr)
}

/// `eq` comparisons on sub-attributes joined by `and`: the element a filter miss on `add`
/// creates (Entra's `emails[type eq "work"].value`). `None` for any other filter shape.
fn eq_seed(top: &Attribute, filter: &Filter, depth: usize) -> Option<Map<String, Value>> {
    if depth > 16 {
        return None;
    }
    match filter {
        Filter::Compare { attr, op, value } => {
            if !matches!(op, crate::scim::filter::CompareOp::Eq) || attr.urn.is_some() {
                return None;
            }
            let name = match &attr.sub {
                None => &attr.attr,
                Some(s) if attr.attr.eq_ignore_ascii_case(&top.name) => s,
                Some(_) => return None,
            };
            let sub = top.sub_attribute(name)?;
            let v = normalize_scalar(sub, value).ok()?;
            let mut m = Map::new();
            m.insert(sub.name.clone(), v);
            Some(m)
        }
        Filter::And(a, b) => {
            let mut m = eq_seed(top, a, depth + 1)?;
            for (k, v) in eq_seed(top, b, depth + 1)? {
                match m.get(&k) {
                    Some(old) if old != &v => return None,
                    _ => {
                        m.insert(k, v);
                    }
                }
            }
            Some(m)
        }
        _ => None,
    }
}

/// Multi-valued attribute with a value filter: `attr[filter]` or `attr[filter].sub`.
fn op_filtered(
    c: &mut Map<String, Value>,
    kind: OpKind,
    t: &Target<'_, '_>,
    filter: &Filter,
    value: Option<&Value>,
    schema: &dyn AttrLookup,
) -> ScimResult<()> {
    let top = t.top;
    let before = current_elements(c, top);
    let mut arr = before.clone();
    let matched: Vec<usize> =
        arr.iter().enumerate().filter(|(_, e)| filter.matches_element(e, &t.parent, schema)).map(|(i, _)| i).collect();
    let what = || format!("{}[{filter}]", top.name);
    let no_match = || ScimError::no_target(format!("the filter {} matched no value", what()));
    // The sub-attribute change to merge into matched elements (null unassigns).
    let patch: Option<Map<String, Value>> = match (kind, t.sub) {
        (OpKind::Remove, None) => None,
        (OpKind::Remove, Some(sub)) => {
            let mut m = Map::new();
            m.insert(sub.name.clone(), Value::Null);
            Some(m)
        }
        (_, Some(sub)) => {
            let mut m = Map::new();
            m.insert(sub.name.clone(), normalize_sub(sub, value.unwrap_or(&Value::Null))?);
            Some(m)
        }
        (_, None) => {
            let v = unwrap_single(top, value.unwrap_or(&Value::Null))?;
            if top.attr_type == AttrType::Complex {
                Some(normalize_complex(top, v)?)
            } else {
                Some({
                    let mut m = Map::new();
                    m.insert("value".into(), normalize_scalar(top, v)?);
                    m
                })
            }
        }
    };
    match (kind, patch) {
        (OpKind::Remove, None) => {
            for i in matched.iter().rev() {
                arr.remove(*i);
            }
        }
        (OpKind::Replace, Some(p)) if t.sub.is_none() => {
            if matched.is_empty() {
                return Err(no_match());
            }
            let new = if top.attr_type == AttrType::Complex {
                let mut m = p;
                m.retain(|_, x| !x.is_null());
                check_required_subs(top, &m)?;
                Value::Object(m)
            } else {
                p.get("value").cloned().unwrap_or(Value::Null)
            };
            // All matched elements become the one new value (collapsed: no duplicates).
            let first = matched.first().copied().unwrap_or(0);
            for i in matched.iter().skip(1).rev() {
                arr.remove(*i);
            }
            let primary = is_primary(top, &new);
            if let Some(slot) = arr.get_mut(first) {
                *slot = new;
            }
            if primary {
                settle_primary(top, &mut arr, &[first])?;
            }
        }
        (kind, Some(p)) => {
            if matched.is_empty() {
                match kind {
                    OpKind::Remove => return Ok(()),
                    OpKind::Replace => return Err(no_match()),
                    OpKind::Add => {
                        let mut seed = eq_seed(top, filter, 0).ok_or_else(no_match)?;
                        merge_into(top, &mut seed, &p)?;
                        seed.retain(|_, x| !x.is_null());
                        check_required_subs(top, &seed)?;
                        let seed = Value::Object(seed);
                        let primary = is_primary(top, &seed);
                        arr.push(seed);
                        if primary {
                            let last = arr.len() - 1;
                            settle_primary(top, &mut arr, &[last])?;
                        }
                    }
                }
            } else if top.attr_type != AttrType::Complex {
                return Err(ScimError::invalid_path(format!("{:?} has no sub-attributes", top.name)));
            } else {
                for &i in &matched {
                    if let Some(Value::Object(el)) = arr.get_mut(i) {
                        merge_into(top, el, &p)?;
                        check_required_subs(top, el)?;
                    }
                }
                if is_primary(top, &Value::Object(p.clone())) {
                    settle_primary(top, &mut arr, &matched)?;
                }
                arr.retain(|e| !matches!(e, Value::Object(o) if o.is_empty()));
            }
        }
        (_, None) => {}
    }
    store_elements(c, top, &before, arr)
}
