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
use crate::scim::filter::{CompValue, CompareOp, Filter};
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
        PathFault {
            pos,
            msg: msg.into(),
            in_filter: false,
        }
    }

    fn into_error(self, input: &str) -> ScimError {
        let detail = format!("invalid path {input:?} at byte {}: {}", self.pos, self.msg);
        if self.in_filter {
            ScimError::invalid_filter(detail)
        } else {
            ScimError::invalid_path(detail)
        }
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
        return Ok(PatchPath {
            attr,
            filter: None,
            sub_after_filter: None,
        });
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
        return Err(PathFault::path(
            s.len(),
            format!("expected ']' to close the '[' at byte {open}"),
        ));
    };
    let inner = s.get(open + 1..close).unwrap_or_default();
    if inner.trim().is_empty() {
        return Err(PathFault::path(
            open + 1,
            "the value filter between '[' and ']' is empty",
        ));
    }
    let filter = Filter::parse(inner).map_err(|e| PathFault {
        pos: open + 1 + e.pos,
        msg: e.msg,
        in_filter: true,
    })?;
    if contains_value_path(&filter) {
        return Err(PathFault {
            pos: open + 1,
            msg: "a value filter must not contain another value filter".into(),
            in_filter: true,
        });
    }
    let rest = s.get(close + 1..).unwrap_or_default();
    let sub_after_filter = if rest.is_empty() {
        None
    } else if let Some(sub) = rest.strip_prefix('.') {
        if !is_attr_name(sub) {
            return Err(PathFault::path(
                close + 2,
                format!("{sub:?} is not a sub-attribute name"),
            ));
        }
        Some(sub.to_string())
    } else {
        return Err(PathFault::path(
            close + 1,
            "expected '.subAttribute' or the end of the path after ']'",
        ));
    };
    Ok(PatchPath {
        attr,
        filter: Some(filter),
        sub_after_filter,
    })
}

/// Whether `f` holds a `ValuePath` anywhere (RFC 7644 Figure 7: `valFilter` has none). Walks
/// with an explicit stack, so a long `and` chain cannot overflow the call stack.
fn contains_value_path(f: &Filter) -> bool {
    let mut stack = vec![f];
    while let Some(f) = stack.pop() {
        match f {
            Filter::ValuePath { .. } => return true,
            Filter::And(a, b) | Filter::Or(a, b) => {
                stack.push(a);
                stack.push(b);
            }
            Filter::Not(a) => stack.push(a),
            Filter::Compare { .. } | Filter::Present(_) => {}
        }
    }
    false
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
    obj.get(name).or_else(|| {
        obj.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
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
            Some(_) => {
                return Err(ScimError::invalid_syntax(
                    "\"schemas\" must be an array of strings",
                ));
            }
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
                return Err(ScimError::invalid_syntax(
                    "\"Operations\" must not be empty",
                ));
            }
            Some(_) => return Err(ScimError::invalid_syntax("\"Operations\" must be an array")),
            None => {
                return Err(ScimError::invalid_syntax(
                    "a PATCH body must have \"Operations\"",
                ));
            }
        };
        let operations = ops
            .iter()
            .enumerate()
            .map(|(i, o)| parse_operation(i, o))
            .collect::<ScimResult<Vec<_>>>()?;
        Ok(PatchRequest {
            schemas,
            operations,
        })
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
        Some(_) => {
            return Err(ScimError::invalid_syntax(format!(
                "Operations[{i}]: \"op\" must be a string"
            )));
        }
        None => {
            return Err(ScimError::invalid_syntax(format!(
                "Operations[{i}] has no \"op\""
            )));
        }
    };
    let path = match get_ci(o, "path") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            return Err(ScimError::invalid_syntax(format!(
                "Operations[{i}]: \"path\" must be a string"
            )));
        }
    };
    let value = get_ci(o, "value").cloned();
    if value.is_none() && op != OpKind::Remove {
        return Err(ScimError::invalid_value(format!(
            "Operations[{i}]: {op} requires a \"value\""
        )));
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
pub fn apply(
    resource: &Value,
    req: &PatchRequest,
    schema: &dyn AttrLookup,
) -> ScimResult<PatchOutcome> {
    let mut work = resource.clone();
    let root = work
        .as_object_mut()
        .ok_or_else(|| ScimError::invalid_value("the resource to patch is not a JSON object"))?;
    for (i, op) in req.operations.iter().enumerate() {
        apply_op(root, op, schema).map_err(|e| {
            let at = op
                .path
                .as_deref()
                .map(|p| format!(" {p:?}"))
                .unwrap_or_default();
            ScimError {
                detail: format!("Operations[{i}] ({}{at}): {}", op.op, e.detail),
                ..e
            }
        })?;
    }
    let changed = work != *resource;
    Ok(PatchOutcome {
        resource: work,
        changed,
    })
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

fn resolve_target<'a, 's>(
    pp: &'a PatchPath,
    schema: &'s dyn AttrLookup,
) -> ScimResult<Target<'a, 's>> {
    let top_path = AttrPath {
        urn: pp.attr.urn.clone(),
        attr: pp.attr.attr.clone(),
        sub: None,
    };
    let r = schema.resolve(&top_path).ok_or_else(|| {
        ScimError::invalid_path(format!(
            "no attribute \"{top_path}\" in this resource's schemas"
        ))
    })?;
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
    let parent = AttrPath {
        urn: r.extension.map(str::to_string),
        attr: r.top.name.clone(),
        sub: None,
    };
    Ok(Target {
        ext: r.extension,
        top: r.top,
        sub,
        filter: pp.filter.as_ref(),
        parent,
    })
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

fn apply_op(
    root: &mut Map<String, Value>,
    op: &PatchOperation,
    schema: &dyn AttrLookup,
) -> ScimResult<()> {
    let Some(path) = op.path.as_deref() else {
        return match op.op {
            OpKind::Remove => Err(ScimError::no_target(
                "remove requires a \"path\" (RFC 7644 §3.5.2.2)",
            )),
            OpKind::Add | OpKind::Replace => {
                apply_value_object(root, op.op, None, op.value.as_ref(), schema)
            }
        };
    };
    if let Some((urn, core)) = schema_urn(schema, path) {
        return match (op.op, core) {
            (OpKind::Remove, true) => {
                Err(ScimError::invalid_path("the core schema cannot be removed"))
            }
            (OpKind::Remove, false) => remove_extension(root, urn, schema),
            (kind, true) => apply_value_object(root, kind, None, op.value.as_ref(), schema),
            (kind, false) => apply_value_object(root, kind, Some(urn), op.value.as_ref(), schema),
        };
    }
    let pp = PatchPath::parse(path)?;
    let target = resolve_target(&pp, schema)?;
    apply_target(
        root,
        op.op,
        &target,
        op.value.as_ref(),
        Origin::Path,
        schema,
    )
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
        // `schemas` is never an attribute: a path-less value may repeat the resource's, and a
        // value for an extension URN path may carry the extension's own (scim2-models does).
        if key.eq_ignore_ascii_case("schemas") {
            continue;
        }
        if within.is_none()
            && let Some((urn, core)) = schema_urn(schema, key)
        {
            apply_value_object(
                root,
                kind,
                if core { None } else { Some(urn) },
                Some(v),
                schema,
            )
            .map_err(|e| ScimError {
                detail: format!("in {urn:?}: {}", e.detail),
                ..e
            })?;
            continue;
        }
        let mut attr = AttrPath::parse(key).map_err(|e| {
            ScimError::invalid_path(format!(
                "value key {key:?} is not an attribute path: {}",
                e.msg
            ))
        })?;
        if let Some(urn) = within {
            if attr.urn.is_some() {
                return Err(ScimError::invalid_path(format!(
                    "value key {key:?} inside {urn:?} must not carry a schema URN"
                )));
            }
            attr.urn = Some(urn.to_string());
        }
        let pp = PatchPath {
            attr,
            filter: None,
            sub_after_filter: None,
        };
        let target = resolve_target(&pp, schema)?;
        apply_target(root, kind, &target, Some(v), Origin::ValueKey, schema)?;
    }
    Ok(())
}

/// `remove` with a path that is an extension URN: unassign the whole extension.
fn remove_extension(
    root: &mut Map<String, Value>,
    urn: &str,
    schema: &dyn AttrLookup,
) -> ScimResult<()> {
    let Some(key) = find_key(root, urn) else {
        return Ok(());
    };
    if let Some(Value::Object(ext)) = root.get(&key) {
        for (k, v) in ext {
            if v.is_null() {
                continue;
            }
            let path = AttrPath {
                urn: Some(urn.to_string()),
                attr: k.clone(),
                sub: None,
            };
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
    let schemas = root
        .entry("schemas")
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(a) = schemas
        && !a
            .iter()
            .any(|s| s.as_str().is_some_and(|s| s.eq_ignore_ascii_case(urn)))
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
        return Err(ScimError::mutability(format!(
            "{:?} is readOnly",
            display_name(t)
        )));
    }
    let value = match kind {
        OpKind::Remove => value.filter(|v| !v.is_null()),
        OpKind::Add | OpKind::Replace => Some(
            value
                .ok_or_else(|| ScimError::invalid_value(format!("{kind} requires a \"value\"")))?,
        ),
    };
    let had_ext_values = t
        .ext
        .is_some_and(|urn| has_values(find_key(root, urn).and_then(|k| root.get(&k))));
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

fn container_ref<'r>(
    root: &'r Map<String, Value>,
    ext: Option<&str>,
) -> Option<&'r Map<String, Value>> {
    match ext {
        None => Some(root),
        Some(urn) => get_ci(root, urn).and_then(Value::as_object),
    }
}

/// The object holding the target's top-level attribute; an extension object is created empty
/// when absent (and dropped again by the caller when it stays empty).
fn container_mut<'r>(
    root: &'r mut Map<String, Value>,
    ext: Option<&str>,
) -> ScimResult<&'r mut Map<String, Value>> {
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
        Value::Array(items) if sub.multi_valued => items
            .iter()
            .filter(|x| !x.is_null())
            .map(|x| normalize_scalar(sub, x))
            .collect::<ScimResult<Vec<_>>>()
            .map(Value::Array),
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
        Value::String(_) | Value::Number(_) | Value::Bool(_)
            if top.sub_attribute("value").is_some() =>
        {
            let mut m = Map::new();
            m.insert("value".to_string(), v.clone());
            m
        }
        _ => return Err(type_error(top, "an object of sub-attributes", v)),
    };
    let mut out = Map::new();
    for (k, x) in &obj {
        let Some(sub) = top.sub_attribute(k) else {
            continue;
        };
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
        (Value::String(x), Value::String(y)) if !case_exact => {
            x.eq_ignore_ascii_case(y) || x.to_lowercase() == y.to_lowercase()
        }
        _ => a == b,
    }
}

fn primary_name(top: &Attribute) -> Option<&str> {
    top.sub_attribute("primary")
        .filter(|s| s.attr_type == AttrType::Boolean)
        .map(|s| s.name.as_str())
}

fn is_primary(top: &Attribute, el: &Value) -> bool {
    primary_name(top)
        .is_some_and(|p| el.as_object().and_then(|m| present(m, p)) == Some(&Value::Bool(true)))
}

/// After an operation wrote `primary: true` into the elements at `touched`: demote every other
/// primary element; two written primaries are an error.
fn settle_primary(top: &Attribute, arr: &mut [Value], touched: &[usize]) -> ScimResult<()> {
    let Some(p) = primary_name(top) else {
        return Ok(());
    };
    let mut winners: Vec<usize> = touched
        .iter()
        .copied()
        .filter(|&i| arr.get(i).is_some_and(|e| is_primary(top, e)))
        .collect();
    winners.sort_unstable();
    winners.dedup();
    match winners.as_slice() {
        [] => Ok(()),
        [w] => {
            for (i, el) in arr.iter_mut().enumerate() {
                if i != *w
                    && is_primary(top, el)
                    && let Some(m) = el.as_object_mut()
                {
                    canon_key(m, p);
                    m.insert(p.to_string(), Value::Bool(false));
                }
            }
            Ok(())
        }
        _ => Err(ScimError::invalid_value(format!(
            "at most one value of {:?} may be primary",
            top.name
        ))),
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
            e.as_object()
                .and_then(|m| present(m, &vsub.name))
                .is_some_and(|ev| values_equal(ev, nv, vsub.case_exact))
        });
    }
    arr.iter()
        .position(|e| values_equal(e, new, top.case_exact))
}

fn immutable_error(what: &str) -> ScimError {
    ScimError::mutability(format!(
        "{what:?} is immutable and already has a different value"
    ))
}

/// Merge sub-attributes `new` into the object `el` (null members unassign); immutable
/// sub-attributes with a different existing value are refused.
fn merge_into(
    top: &Attribute,
    el: &mut Map<String, Value>,
    new: &Map<String, Value>,
) -> ScimResult<()> {
    for (k, v) in new {
        let Some(sub) = top.sub_attribute(k) else {
            continue;
        };
        canon_key(el, &sub.name);
        let immutable =
            sub.mutability == Mutability::Immutable || top.mutability == Mutability::Immutable;
        let existing = present(el, &sub.name);
        if v.is_null() {
            if existing.is_some() {
                if sub.required {
                    return Err(ScimError::invalid_value(format!(
                        "{}.{} is required",
                        top.name, sub.name
                    )));
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
            Some(_) if immutable => {
                return Err(immutable_error(&format!("{}.{}", top.name, sub.name)));
            }
            _ => {
                el.insert(sub.name.clone(), v.clone());
            }
        }
    }
    Ok(())
}

/// Unassign the top-level attribute (absent already: a no-op).
fn remove_top(c: &mut Map<String, Value>, top: &Attribute) -> ScimResult<()> {
    let Some(key) = find_key(c, &top.name) else {
        return Ok(());
    };
    if c.get(&key)
        .is_some_and(|v| !v.is_null() && v != &Value::Array(Vec::new()))
    {
        check_removable(top)?;
    }
    c.shift_remove(&key);
    Ok(())
}

fn check_removable(attr: &Attribute) -> ScimResult<()> {
    if attr.required {
        return Err(ScimError::invalid_value(format!(
            "{:?} is required and cannot be removed",
            attr.name
        )));
    }
    match attr.mutability {
        Mutability::Immutable => Err(immutable_error(&attr.name)),
        Mutability::ReadOnly => Err(ScimError::mutability(format!(
            "{:?} is readOnly",
            attr.name
        ))),
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
fn store_elements(
    c: &mut Map<String, Value>,
    top: &Attribute,
    before: &[Value],
    arr: Vec<Value>,
) -> ScimResult<()> {
    if arr.as_slice() == before {
        return Ok(());
    }
    if !before.is_empty() && top.mutability == Mutability::Immutable {
        return Err(immutable_error(&top.name));
    }
    if arr.is_empty() {
        if top.required {
            return Err(ScimError::invalid_value(format!(
                "{:?} is required and cannot be emptied",
                top.name
            )));
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
fn op_single(
    c: &mut Map<String, Value>,
    kind: OpKind,
    t: &Target<'_, '_>,
    value: Option<&Value>,
) -> ScimResult<()> {
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
                Some(_) if top.mutability == Mutability::Immutable => {
                    Err(immutable_error(&top.name))
                }
                _ => {
                    c.insert(top.name.clone(), new);
                    Ok(())
                }
            }
        }
    }
}

/// Merge `m` into single-valued complex `top` (creating it), then unassign it if left empty.
fn set_complex(
    c: &mut Map<String, Value>,
    top: &Attribute,
    m: &Map<String, Value>,
) -> ScimResult<()> {
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
fn op_multi(
    c: &mut Map<String, Value>,
    kind: OpKind,
    t: &Target<'_, '_>,
    value: Option<&Value>,
) -> ScimResult<()> {
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
                        if let (Some(Value::Object(el)), Value::Object(nm)) = (arr.get_mut(i), &new)
                        {
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
                        normalize_complex(top, item)?
                            .into_iter()
                            .filter(|(_, x)| !x.is_null())
                            .collect::<Map<_, _>>()
                            .into()
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
                let writes_primary =
                    primary_name(top) == Some(sub.name.as_str()) && sv == Value::Bool(true);
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
        Filter::Compare {
            path: attr,
            op: CompareOp::Eq,
            value,
        } => {
            if attr.urn.is_some() {
                return None;
            }
            let value = match value {
                CompValue::Null => return None,
                CompValue::Bool(b) => Value::Bool(*b),
                CompValue::Number(n) => Value::Number(n.clone()),
                CompValue::Str(s) => Value::String(s.clone()),
            };
            let name = match &attr.sub {
                None => &attr.attr,
                Some(s) if attr.attr.eq_ignore_ascii_case(&top.name) => s,
                Some(_) => return None,
            };
            let sub = top.sub_attribute(name)?;
            let v = normalize_scalar(sub, &value).ok()?;
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
    let matched: Vec<usize> = arr
        .iter()
        .enumerate()
        .filter(|(_, e)| filter.matches_element(e, &t.parent, schema))
        .map(|(i, _)| i)
        .collect();
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
            m.insert(
                sub.name.clone(),
                normalize_sub(sub, value.unwrap_or(&Value::Null))?,
            );
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
                return Err(ScimError::invalid_path(format!(
                    "{:?} has no sub-attributes",
                    top.name
                )));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::error::ScimType;
    use crate::scim::schema::{
        ENTERPRISE_USER_SCHEMA as ENT, GROUP_SCHEMA, Resolved, Schema, USER_SCHEMA,
    };
    use proptest::prelude::*;
    use serde_json::json;

    /// A small schema lookup: one core schema, common attributes, extensions.
    struct Fake {
        core: Schema,
        common: Vec<Attribute>,
        exts: Vec<Schema>,
    }

    impl Fake {
        fn find_core(&self, name: &str) -> Option<&Attribute> {
            self.core.attribute(name).or_else(|| {
                self.common
                    .iter()
                    .find(|a| a.name.eq_ignore_ascii_case(name))
            })
        }
    }

    impl AttrLookup for Fake {
        fn resolve(&self, path: &AttrPath) -> Option<Resolved<'_>> {
            let (top, extension) = match &path.urn {
                Some(u) if u.eq_ignore_ascii_case(&self.core.id) => {
                    (self.find_core(&path.attr)?, None)
                }
                Some(u) => {
                    let s = self.exts.iter().find(|s| s.id.eq_ignore_ascii_case(u))?;
                    (s.attribute(&path.attr)?, Some(s.id.as_str()))
                }
                None => match self.find_core(&path.attr) {
                    Some(a) => (a, None),
                    None => self
                        .exts
                        .iter()
                        .find_map(|s| s.attribute(&path.attr).map(|a| (a, Some(s.id.as_str()))))?,
                },
            };
            let sub = match &path.sub {
                Some(s) => Some(top.sub_attribute(s)?),
                None => None,
            };
            Some(Resolved {
                extension,
                top,
                sub,
            })
        }

        fn schema_urns(&self) -> Vec<&str> {
            std::iter::once(self.core.id.as_str())
                .chain(self.exts.iter().map(|s| s.id.as_str()))
                .collect()
        }
    }

    fn schema(v: Value) -> Schema {
        serde_json::from_value(v).unwrap_or_else(|e| panic!("bad test schema: {e}"))
    }

    fn attrs(v: Value) -> Vec<Attribute> {
        serde_json::from_value(v).unwrap_or_else(|e| panic!("bad test attributes: {e}"))
    }

    fn common() -> Vec<Attribute> {
        attrs(json!([
            {"name": "id", "type": "string", "mutability": "readOnly", "caseExact": true},
            {"name": "externalId", "type": "string", "caseExact": true},
            {"name": "meta", "type": "complex", "mutability": "readOnly", "subAttributes": [
                {"name": "resourceType", "type": "string", "mutability": "readOnly"},
                {"name": "created", "type": "dateTime", "mutability": "readOnly"},
                {"name": "lastModified", "type": "dateTime", "mutability": "readOnly"},
                {"name": "version", "type": "string", "mutability": "readOnly"}]}
        ]))
    }

    fn multi(name: &str, subs: Value) -> Value {
        json!({"name": name, "type": "complex", "multiValued": true, "subAttributes": subs})
    }

    fn user_lookup() -> Fake {
        let kvp = json!([
            {"name": "value", "type": "string"},
            {"name": "display", "type": "string"},
            {"name": "type", "type": "string"},
            {"name": "primary", "type": "boolean"}]);
        Fake {
            core: schema(json!({"id": USER_SCHEMA, "attributes": [
                {"name": "userName", "type": "string", "required": true, "uniqueness": "server"},
                {"name": "name", "type": "complex", "subAttributes": [
                    {"name": "formatted", "type": "string"},
                    {"name": "familyName", "type": "string"},
                    {"name": "givenName", "type": "string"}]},
                {"name": "displayName", "type": "string"},
                {"name": "nickName", "type": "string"},
                {"name": "title", "type": "string"},
                {"name": "active", "type": "boolean"},
                {"name": "password", "type": "string", "mutability": "writeOnly", "returned": "never"},
                {"name": "loginCount", "type": "integer"},
                {"name": "hiredAt", "type": "dateTime"},
                {"name": "employeeId", "type": "string", "mutability": "immutable", "caseExact": true},
                multi("emails", kvp.clone()),
                multi("phoneNumbers", kvp.clone()),
                multi("addresses", json!([
                    {"name": "formatted", "type": "string"},
                    {"name": "streetAddress", "type": "string"},
                    {"name": "locality", "type": "string"},
                    {"name": "type", "type": "string"},
                    {"name": "primary", "type": "boolean"}])),
                {"name": "groups", "type": "complex", "multiValued": true, "mutability": "readOnly", "subAttributes": [
                    {"name": "value", "type": "string", "mutability": "readOnly"},
                    {"name": "display", "type": "string", "mutability": "readOnly"}]},
                {"name": "nicknames", "type": "string", "multiValued": true}
            ]})),
            common: common(),
            exts: vec![schema(json!({"id": ENT, "attributes": [
                {"name": "employeeNumber", "type": "string"},
                {"name": "department", "type": "string"},
                {"name": "manager", "type": "complex", "subAttributes": [
                    {"name": "value", "type": "string"},
                    {"name": "$ref", "type": "reference"},
                    {"name": "displayName", "type": "string", "mutability": "readOnly"}]}
            ]}))],
        }
    }

    fn group_lookup() -> Fake {
        Fake {
            core: schema(json!({"id": GROUP_SCHEMA, "attributes": [
                {"name": "displayName", "type": "string", "required": true},
                {"name": "members", "type": "complex", "multiValued": true, "subAttributes": [
                    {"name": "value", "type": "string", "mutability": "immutable", "required": true, "caseExact": true},
                    {"name": "$ref", "type": "reference", "mutability": "immutable"},
                    {"name": "display", "type": "string"},
                    {"name": "type", "type": "string", "mutability": "immutable"}]}
            ]})),
            common: common(),
            exts: Vec::new(),
        }
    }

    fn user() -> Value {
        json!({
            "schemas": [USER_SCHEMA],
            "id": "u1",
            "externalId": "ext-1",
            "userName": "bjensen",
            "name": {"givenName": "Barbara", "familyName": "Jensen"},
            "displayName": "Babs",
            "title": "Engineer",
            "active": true,
            "employeeId": "E-1",
            "emails": [
                {"value": "bj@work.example", "type": "work", "primary": true},
                {"value": "bj@home.example", "type": "home"}],
            "addresses": [{"type": "work", "streetAddress": "100 Main St", "locality": "Springfield"}],
            "groups": [{"value": "g1", "display": "Admins"}],
            "meta": {"resourceType": "User", "created": "2024-01-01T00:00:00Z",
                     "lastModified": "2024-01-01T00:00:00Z", "version": "W/\"1\""}
        })
    }

    fn group() -> Value {
        json!({
            "schemas": [GROUP_SCHEMA],
            "id": "g1",
            "displayName": "Admins",
            "members": [{"value": "u1", "type": "User"}, {"value": "u2", "type": "User"}, {"value": "u3", "type": "User"}]
        })
    }

    fn body(ops: Value) -> Value {
        json!({"schemas": [PATCH_OP], "Operations": ops})
    }

    fn run(res: &Value, ops: Value, s: &Fake) -> ScimResult<PatchOutcome> {
        apply(res, &PatchRequest::from_json(&body(ops))?, s)
    }

    fn ok(res: &Value, ops: Value, s: &Fake) -> PatchOutcome {
        run(res, ops, s).unwrap_or_else(|e| panic!("expected success, got {e}"))
    }

    fn fails(res: &Value, ops: Value, s: &Fake, t: ScimType) -> ScimError {
        match run(res, ops, s) {
            Ok(o) => panic!("expected {t}, got success: {}", o.resource),
            Err(e) => {
                assert_eq!((e.status, e.scim_type), (400, Some(t)), "{e}");
                e
            }
        }
    }

    fn fault(s: &str) -> PathFault {
        match parse_path(s) {
            Ok(p) => panic!("{s:?} parsed as {p:?}"),
            Err(f) => f,
        }
    }

    fn pp(s: &str) -> PatchPath {
        PatchPath::parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
    }

    // ----- path grammar -------------------------------------------------------------------

    #[test]
    fn path_attr_sub_and_urn_forms() {
        assert_eq!(
            pp("userName"),
            PatchPath {
                attr: AttrPath::attr("userName"),
                filter: None,
                sub_after_filter: None
            }
        );
        assert_eq!(
            pp("name.givenName").attr,
            AttrPath::sub("name", "givenName")
        );
        let p = pp(&format!("{ENT}:manager.value"));
        assert_eq!(
            (
                p.attr.urn.as_deref(),
                p.attr.attr.as_str(),
                p.attr.sub.as_deref()
            ),
            (Some(ENT), "manager", Some("value"))
        );
        let p = pp(&format!("{ENT}:employeeNumber"));
        assert_eq!(
            (p.attr.attr.as_str(), p.attr.sub.as_deref()),
            ("employeeNumber", None)
        );
    }

    #[test]
    fn path_value_filter_and_sub_after_filter() {
        let p = pp("emails[type eq \"work\"]");
        assert_eq!(p.attr, AttrPath::attr("emails"));
        assert!(p.filter.is_some());
        assert_eq!(p.sub_after_filter, None);
        let p = pp("emails[type eq \"work\"].value");
        assert_eq!(p.sub_after_filter.as_deref(), Some("value"));
        let p = pp(&format!("{USER_SCHEMA}:emails[type eq \"work\"].value"));
        assert_eq!(
            (p.attr.urn.as_deref(), p.attr.attr.as_str()),
            (Some(USER_SCHEMA), "emails")
        );
        assert_eq!(p.sub_after_filter.as_deref(), Some("value"));
    }

    #[test]
    fn path_filter_strings_may_hold_brackets_colons_and_quotes() {
        // lightdash#18243: a ':' inside the filter must not be taken for a URN separator.
        let p = pp("roles[value eq \"a:b\"]");
        assert_eq!(p.attr, AttrPath::attr("roles"));
        let p = pp(r#"roles[value eq "x]y"].display"#);
        assert_eq!(p.sub_after_filter.as_deref(), Some("display"));
        let p = pp(r#"roles[value eq "q\"]"]"#);
        assert_eq!(p.attr, AttrPath::attr("roles"));
        assert_eq!(p.sub_after_filter, None);
    }

    #[test]
    fn path_errors_are_invalid_path_with_positions() {
        let cases: &[(&str, usize)] = &[
            ("", 0),
            ("name..givenName", 5),
            ("1abc", 0),
            ("na me", 0),
            ("emails[type eq \"work\"", 21),
            ("emails[]", 7),
            ("emails[  ]", 7),
            ("emails[type eq \"work\"]value", 22),
            ("emails[type eq \"work\"].", 23),
            ("emails[type eq \"work\"].1x", 23),
            ("emails[type eq \"work\"][x eq 1]", 22),
            ("[type eq \"work\"]", 0),
            ("name.givenName[type eq \"x\"]", 4),
            ("urn:foo:", 8),
        ];
        for &(input, pos) in cases {
            let f = fault(input);
            assert!(!f.in_filter, "{input:?}: {f:?}");
            assert_eq!(f.pos, pos, "{input:?}: {}", f.msg);
            let e = PatchPath::parse(input)
                .err()
                .unwrap_or_else(|| panic!("{input:?}"));
            assert_eq!(e.scim_type, Some(ScimType::InvalidPath), "{input:?}");
            assert!(e.detail.contains(&format!("at byte {pos}")), "{}", e.detail);
        }
        assert!(
            fault("emails[type eq \"work\"")
                .msg
                .contains("expected ']'")
        );
    }

    #[test]
    fn bad_filter_inside_brackets_is_invalid_filter_at_path_offset() {
        let f = fault("emails[type zz \"work\"].value");
        assert!(f.in_filter);
        assert!(
            f.pos >= 7 && f.pos <= 21,
            "position {} is not inside the brackets",
            f.pos
        );
        let e = PatchPath::parse("emails[type zz \"work\"]")
            .err()
            .unwrap_or_else(|| panic!("parsed"));
        assert_eq!(
            (e.status, e.scim_type),
            (400, Some(ScimType::InvalidFilter))
        );
    }

    #[test]
    fn nested_value_filter_is_invalid_filter() {
        let f = fault("emails[type[value eq \"x\"]]");
        assert!(f.in_filter, "{f:?}");
        let e = PatchPath::parse("members[value eq \"x\" and emails[type eq \"y\"]]").err();
        assert_eq!(e.map(|e| e.scim_type), Some(Some(ScimType::InvalidFilter)));
    }

    #[test]
    fn path_display_round_trips() {
        for s in [
            "userName",
            "name.givenName",
            "emails[type eq \"work\"].value",
            "members[value eq \"2819c223\"]",
            &format!("{ENT}:manager.value"),
            &format!("{USER_SCHEMA}:emails[type eq \"work\"]"),
        ] {
            let p = pp(s);
            assert_eq!(pp(&p.to_string()), p, "{s}");
        }
        assert_eq!(pp("name.givenName").to_string(), "name.givenName");
    }

    // ----- request model ------------------------------------------------------------------

    #[test]
    fn op_names_are_case_insensitive() {
        for (s, k) in [
            ("add", OpKind::Add),
            ("Add", OpKind::Add),
            ("ADD", OpKind::Add),
            ("Replace", OpKind::Replace),
            ("rEmOvE", OpKind::Remove),
        ] {
            assert_eq!(OpKind::parse(s), Some(k));
            let d: OpKind = serde_json::from_value(json!(s)).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(d, k);
        }
        assert!(serde_json::from_value::<OpKind>(json!("move")).is_err());
        assert_eq!(
            serde_json::to_value(OpKind::Replace).ok(),
            Some(json!("replace"))
        );
    }

    #[test]
    fn from_json_reads_entra_capitalised_ops_and_key_order() {
        // Entra's tutorial puts Operations before schemas; key order must not matter.
        let b: Value = serde_json::from_str(&format!(
            r#"{{"Operations":[{{"op":"Replace","path":"active","value":"False"}}],"schemas":["{PATCH_OP}"]}}"#
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        let r = PatchRequest::from_json(&b).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            r.operations,
            vec![PatchOperation {
                op: OpKind::Replace,
                path: Some("active".into()),
                value: Some(json!("False"))
            }]
        );
    }

    #[test]
    fn from_json_accepts_operations_key_in_any_case() {
        let r = PatchRequest::from_json(
            &json!({"schemas": [PATCH_OP], "operations": [{"OP": "remove", "Path": "title"}]}),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.operations.len(), 1);
        assert_eq!(r.operations.first().map(|o| o.op), Some(OpKind::Remove));
    }

    #[test]
    fn from_json_rejects_malformed_bodies() {
        let syntax = |b: Value| {
            let e = PatchRequest::from_json(&b)
                .err()
                .unwrap_or_else(|| panic!("accepted {b}"));
            assert_eq!(
                (e.status, e.scim_type),
                (400, Some(ScimType::InvalidSyntax)),
                "{b}: {e}"
            );
        };
        syntax(json!([]));
        syntax(json!({"Operations": [{"op": "add", "path": "title", "value": "x"}]}));
        syntax(
            json!({"schemas": [USER_SCHEMA], "Operations": [{"op": "add", "path": "title", "value": "x"}]}),
        );
        syntax(
            json!({"schemas": PATCH_OP, "Operations": [{"op": "add", "path": "title", "value": "x"}]}),
        );
        syntax(json!({"schemas": [PATCH_OP]}));
        syntax(json!({"schemas": [PATCH_OP], "Operations": []}));
        syntax(json!({"schemas": [PATCH_OP], "Operations": {"op": "add"}}));
        syntax(json!({"schemas": [PATCH_OP], "Operations": ["add"]}));
        syntax(json!({"schemas": [PATCH_OP], "Operations": [{"path": "title"}]}));
        syntax(json!({"schemas": [PATCH_OP], "Operations": [{"op": "move", "path": "title"}]}));
        syntax(json!({"schemas": [PATCH_OP], "Operations": [{"op": 1, "path": "title"}]}));
        syntax(json!({"schemas": [PATCH_OP], "Operations": [{"op": "remove", "path": 7}]}));
        // OneLogin's SCIM 1.1 group PATCH is not a SCIM 2.0 PatchOp.
        syntax(json!({"schemas": ["urn:scim:schemas:core:1.0"],
                      "members": [{"value": "BJefgbP9G"}, {"value": "SJofhyDqG", "operation": "delete"}]}));
        let e = PatchRequest::from_json(&body(json!([{"op": "add", "path": "title"}]))).err();
        assert_eq!(e.map(|e| e.scim_type), Some(Some(ScimType::InvalidValue)));
    }

    #[test]
    fn request_serialises_back_to_an_equal_request() {
        let b = body(
            json!([{"op": "Add", "path": "members", "value": [{"value": "u9"}]}, {"op": "remove", "path": "title"}, {"op": "replace", "value": null}]),
        );
        let r = PatchRequest::from_json(&b).unwrap_or_else(|e| panic!("{e}"));
        let again = serde_json::to_value(&r).unwrap_or_default();
        assert_eq!(again["Operations"][0]["op"], "add");
        assert_eq!(PatchRequest::from_json(&again).ok(), Some(r));
    }

    // ----- add ------------------------------------------------------------------------------

    #[test]
    fn add_simple_sets_and_reports_change() {
        let u = user();
        let o = ok(
            &u,
            json!([{"op": "Add", "path": "nickName", "value": "Babs"}]),
            &user_lookup(),
        );
        assert_eq!(o.resource["nickName"], "Babs");
        assert!(o.changed);
        assert_eq!(u.get("nickName"), None, "input untouched");
    }

    #[test]
    fn add_existing_value_is_a_detectable_no_op() {
        let s = user_lookup();
        let o = ok(
            &user(),
            json!([{"op": "add", "path": "displayName", "value": "Babs"}]),
            &s,
        );
        assert!(!o.changed);
        assert_eq!(o.resource, user());
        let o = ok(
            &user(),
            json!([{"op": "add", "path": "emails", "value": [{"value": "bj@home.example", "type": "home"}]}]),
            &s,
        );
        assert!(!o.changed, "{}", o.resource);
    }

    #[test]
    fn add_single_valued_replaces_existing_value() {
        let o = ok(
            &user(),
            json!([{"op": "add", "path": "title", "value": "Boss"}]),
            &user_lookup(),
        );
        assert_eq!(o.resource["title"], "Boss");
    }

    #[test]
    fn add_multi_valued_appends_and_keeps_existing() {
        let o = ok(
            &user(),
            json!([{"op": "add", "path": "emails", "value": [{"value": "b@other.example", "type": "other"}]}]),
            &user_lookup(),
        );
        let emails = o.resource["emails"].as_array().cloned().unwrap_or_default();
        assert_eq!(emails.len(), 3);
        assert_eq!(emails[2]["value"], "b@other.example");
        assert_eq!(emails[0]["primary"], true, "existing primary kept");
    }

    #[test]
    fn add_duplicate_value_case_insensitively_merges_instead_of_duplicating() {
        let o = ok(
            &user(),
            json!([{"op": "add", "path": "emails", "value": [{"value": "BJ@HOME.example", "display": "Home"}]}]),
            &user_lookup(),
        );
        let emails = o.resource["emails"].as_array().cloned().unwrap_or_default();
        assert_eq!(emails.len(), 2);
        assert_eq!(emails[1]["display"], "Home");
        assert_eq!(
            emails[1]["value"], "bj@home.example",
            "existing spelling kept"
        );
    }

    #[test]
    fn add_simple_multi_valued_does_not_duplicate() {
        let s = user_lookup();
        let o = ok(
            &user(),
            json!([{"op": "add", "path": "nicknames", "value": ["a", "b"]}]),
            &s,
        );
        let o2 = ok(
            &o.resource,
            json!([{"op": "add", "path": "nicknames", "value": ["b", "c"]}]),
            &s,
        );
        assert_eq!(o2.resource["nicknames"], json!(["a", "b", "c"]));
        let o3 = ok(
            &o2.resource,
            json!([{"op": "remove", "path": "nicknames", "value": ["a"]}]),
            &s,
        );
        assert_eq!(o3.resource["nicknames"], json!(["b", "c"]));
    }

    #[test]
    fn add_without_path_merges_object_and_keeps_unspecified_sub_attributes() {
        let o = ok(
            &user(),
            json!([{"op": "add", "value": {"title": "Boss", "name": {"givenName": "Barb"}}}]),
            &user_lookup(),
        );
        assert_eq!(o.resource["title"], "Boss");
        assert_eq!(
            o.resource["name"],
            json!({"givenName": "Barb", "familyName": "Jensen"})
        );
    }

    #[test]
    fn add_extension_attribute_creates_object_and_declares_schema() {
        let s = user_lookup();
        let o = ok(
            &user(),
            json!([{"op": "add", "path": format!("{ENT}:department"), "value": "Tour"}]),
            &s,
        );
        assert_eq!(o.resource[ENT], json!({"department": "Tour"}));
        assert_eq!(o.resource["schemas"], json!([USER_SCHEMA, ENT]));
        // Unqualified extension attribute names resolve too.
        let o2 = ok(
            &o.resource,
            json!([{"op": "add", "path": "employeeNumber", "value": "701984"}]),
            &s,
        );
        assert_eq!(
            o2.resource[ENT],
            json!({"department": "Tour", "employeeNumber": "701984"})
        );
        assert_eq!(
            o2.resource["schemas"],
            json!([USER_SCHEMA, ENT]),
            "URN not repeated"
        );
        // A path-less value with the extension URN as key.
        let o3 = ok(
            &user(),
            json!([{"op": "add", "value": {ENT: {"department": "Tour", "manager": {"value": "m1"}}}}]),
            &s,
        );
        assert_eq!(
            o3.resource[ENT],
            json!({"department": "Tour", "manager": {"value": "m1"}})
        );
        assert_eq!(o3.resource["schemas"], json!([USER_SCHEMA, ENT]));
    }

    #[test]
    fn add_with_filter_miss_creates_element_from_eq_filter() {
        // Entra sends add emails[type eq "work"].value for a user without a work email
        // (RFC 7644 erratum 8097 discussion).
        let mut u = user();
        u["emails"] = json!([{"value": "bj@home.example", "type": "home"}]);
        let o = ok(
            &u,
            json!([{"op": "Add", "path": "emails[type eq \"work\"].value", "value": "bj@work.example"}]),
            &user_lookup(),
        );
        assert_eq!(
            o.resource["emails"][1],
            json!({"type": "work", "value": "bj@work.example"})
        );
        // With a match, the matching element's sub-attribute is set.
        let o = ok(
            &user(),
            json!([{"op": "add", "path": "emails[type eq \"home\"].display", "value": "Home"}]),
            &user_lookup(),
        );
        assert_eq!(o.resource["emails"][1]["display"], "Home");
        assert_eq!(o.resource["emails"][0].get("display"), None);
    }

    #[test]
    fn add_with_filter_miss_that_cannot_seed_is_no_target() {
        fails(
            &user(),
            json!([{"op": "add", "path": "phoneNumbers[type pr].value", "value": "555"}]),
            &user_lookup(),
            ScimType::NoTarget,
        );
    }

    #[test]
    fn add_with_filter_miss_seeds_all_eq_terms_but_not_other_operators() {
        let s = user_lookup();
        let o = ok(
            &user(),
            json!([{"op": "add", "path": "phoneNumbers[type eq \"mobile\" and primary eq true].value", "value": "555"}]),
            &s,
        );
        assert_eq!(
            o.resource["phoneNumbers"],
            json!([{"type": "mobile", "primary": true, "value": "555"}])
        );
        for path in [
            "emails[type co \"zz\"].value",
            "emails[type eq \"a\" or type eq \"b\"].value",
            "emails[not (type eq \"work\") and type eq \"q\"].value",
        ] {
            fails(
                &user(),
                json!([{"op": "add", "path": path, "value": "x@y"}]),
                &s,
                ScimType::NoTarget,
            );
        }
    }

    #[test]
    fn add_null_or_empty_is_a_no_op() {
        let s = user_lookup();
        assert!(
            !ok(
                &user(),
                json!([{"op": "add", "path": "nickName", "value": null}]),
                &s
            )
            .changed
        );
        assert!(
            !ok(
                &user(),
                json!([{"op": "add", "path": "emails", "value": []}]),
                &s
            )
            .changed
        );
    }

    // ----- replace --------------------------------------------------------------------------

    #[test]
    fn replace_simple_and_absent_attribute() {
        let s = user_lookup();
        let o = ok(
            &user(),
            json!([{"op": "replace", "path": "displayName", "value": "Barbara J"}]),
            &s,
        );
        assert_eq!(o.resource["displayName"], "Barbara J");
        let o = ok(
            &user(),
            json!([{"op": "replace", "path": "nickName", "value": "BJ"}]),
            &s,
        );
        assert_eq!(
            o.resource["nickName"], "BJ",
            "replace of an absent attribute is an add"
        );
    }

    #[test]
    fn replace_complex_keeps_unspecified_sub_attributes() {
        let o = ok(
            &user(),
            json!([{"op": "replace", "path": "name", "value": {"givenName": "Barb"}}]),
            &user_lookup(),
        );
        assert_eq!(
            o.resource["name"],
            json!({"givenName": "Barb", "familyName": "Jensen"})
        );
    }

    #[test]
    fn replace_multi_valued_replaces_all_values() {
        let o = ok(
            &user(),
            json!([{"op": "replace", "path": "emails", "value": [{"value": "new@x.example", "type": "work"}]}]),
            &user_lookup(),
        );
        assert_eq!(
            o.resource["emails"],
            json!([{"value": "new@x.example", "type": "work"}])
        );
    }

    #[test]
    fn replace_filtered_sub_attribute_changes_only_matching_element() {
        let o = ok(
            &user(),
            json!([{"op": "replace", "path": "emails[type eq \"work\"].value", "value": "new@work.example"}]),
            &user_lookup(),
        );
        assert_eq!(
            o.resource["emails"][0],
            json!({"value": "new@work.example", "type": "work", "primary": true})
        );
        assert_eq!(o.resource["emails"][1], user()["emails"][1]);
    }

    #[test]
    fn replace_filtered_element_replaces_it_whole() {
        let o = ok(
            &user(),
            json!([{"op": "replace", "path": "addresses[type eq \"work\"]", "value": {"type": "work", "locality": "Hollywood"}}]),
            &user_lookup(),
        );
        assert_eq!(
            o.resource["addresses"],
            json!([{"type": "work", "locality": "Hollywood"}])
        );
    }

    #[test]
    fn replace_filter_miss_is_no_target() {
        let e = fails(
            &user(),
            json!([{"op": "replace", "path": "emails[type eq \"nonexistent\"].value", "value": "x@y"}]),
            &user_lookup(),
            ScimType::NoTarget,
        );
        assert!(e.detail.contains("matched no value"), "{}", e.detail);
        fails(
            &user(),
            json!([{"op": "replace", "path": "emails[type eq \"nonexistent\"]", "value": {"value": "x@y"}}]),
            &user_lookup(),
            ScimType::NoTarget,
        );
    }

    #[test]
    fn okta_deactivate_and_reactivate_without_path() {
        let s = user_lookup();
        let o = ok(
            &user(),
            json!([{"op": "replace", "value": {"active": false}}]),
            &s,
        );
        assert_eq!(o.resource["active"], false);
        let o = ok(
            &o.resource,
            json!([{"op": "replace", "value": {"active": true}}]),
            &s,
        );
        assert_eq!(o.resource["active"], true);
        assert_eq!(o.resource, user());
    }

    #[test]
    fn okta_password_sync_without_path() {
        let o = ok(
            &user(),
            json!([{"op": "replace", "value": {"password": "t1meMa$heen"}}]),
            &user_lookup(),
        );
        assert_eq!(o.resource["password"], "t1meMa$heen");
    }

    #[test]
    fn entra_string_booleans_are_coerced() {
        let s = user_lookup();
        for (v, want) in [
            ("False", false),
            ("True", true),
            ("false", false),
            ("TRUE", true),
        ] {
            let o = ok(
                &user(),
                json!([{"op": "Replace", "path": "active", "value": v}]),
                &s,
            );
            assert_eq!(o.resource["active"], want, "{v}");
        }
        let o = ok(
            &user(),
            json!([{"op": "replace", "path": "active", "value": false}]),
            &s,
        );
        assert_eq!(o.resource["active"], false);
        fails(
            &user(),
            json!([{"op": "replace", "path": "active", "value": "notabool"}]),
            &s,
            ScimType::InvalidValue,
        );
    }

    #[test]
    fn entra_default_per_attribute_replaces() {
        let s = user_lookup();
        let o = ok(
            &user(),
            json!([
            {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "updatedEmail@contoso.com"},
            {"op": "Replace", "path": "name.familyName", "value": "updatedFamilyName"},
            {"op": "Replace", "path": "externalId", "value": "Eqpj"},
            {"op": "Replace", "path": format!("{ENT}:employeeNumber"), "value": "Eqpj"}]),
            &s,
        );
        let r = &o.resource;
        assert_eq!(r["emails"][0]["value"], "updatedEmail@contoso.com");
        assert_eq!(
            r["name"],
            json!({"givenName": "Barbara", "familyName": "updatedFamilyName"})
        );
        assert_eq!(r["externalId"], "Eqpj");
        assert_eq!(r[ENT], json!({"employeeNumber": "Eqpj"}));
        assert_eq!(r["schemas"], json!([USER_SCHEMA, ENT]));
    }

    #[test]
    fn entra_optscim_path_less_replace_with_dotted_and_urn_keys() {
        let o = ok(
            &user(),
            json!([
            {"op": "replace", "path": "emails[type eq \"work\"].value", "value": "TestMhvaes@test.microsoft.com"},
            {"op": "replace", "value": {
                "displayName": "Bjfe",
                "name.givenName": "Kkom",
                "name.familyName": "Unua",
                format!("{ENT}:employeeNumber"): "Aklq"}}]),
            &user_lookup(),
        );
        let r = &o.resource;
        assert_eq!(r["displayName"], "Bjfe");
        assert_eq!(
            r["name"],
            json!({"givenName": "Kkom", "familyName": "Unua"})
        );
        assert_eq!(r[ENT]["employeeNumber"], "Aklq");
        assert_eq!(r["emails"][0]["value"], "TestMhvaes@test.microsoft.com");
    }

    #[test]
    fn entra_add_single_valued_both_casings() {
        let s = user_lookup();
        let a = ok(
            &user(),
            json!([{"op": "Add", "path": "nickName", "value": "Babs"}]),
            &s,
        );
        let b = ok(
            &user(),
            json!([{"op": "add", "path": "nickName", "value": "Babs"}]),
            &s,
        );
        assert_eq!(a, b);
    }

    #[test]
    fn entra_manager_forms() {
        let s = user_lookup();
        // Current job: full-URN path, bare id string.
        let o = ok(
            &user(),
            json!([{"op": "add", "path": format!("{ENT}:manager"), "value": "2c2f6fb8"}]),
            &s,
        );
        assert_eq!(o.resource[ENT]["manager"], json!({"value": "2c2f6fb8"}));
        // Legacy customappsso: unqualified path, one-element array, $ref.
        let o2 = ok(
            &user(),
            json!([{"op": "Add", "path": "manager", "value": [{"$ref": "http://x/Users/m1", "value": "m1", "displayName": "ignored"}]}]),
            &s,
        );
        assert_eq!(
            o2.resource[ENT]["manager"],
            json!({"$ref": "http://x/Users/m1", "value": "m1"})
        );
        // Replace, then remove: manager absent (not "", not {}), the emptied extension dropped.
        let o3 = ok(
            &o.resource,
            json!([{"op": "replace", "path": format!("{ENT}:manager.value"), "value": "m2"}]),
            &s,
        );
        assert_eq!(o3.resource[ENT]["manager"]["value"], "m2");
        let o4 = ok(
            &o3.resource,
            json!([{"op": "remove", "path": format!("{ENT}:manager")}]),
            &s,
        );
        assert_eq!(o4.resource.get(ENT), None);
        assert_eq!(o4.resource["schemas"], json!([USER_SCHEMA]));
        assert_eq!(o4.resource, user());
    }

    #[test]
    fn path_naming_extension_urn_addresses_the_whole_extension() {
        let s = user_lookup();
        let o = ok(
            &user(),
            json!([{"op": "replace", "path": ENT, "value": {"department": "Tour", "employeeNumber": "7"}}]),
            &s,
        );
        assert_eq!(
            o.resource[ENT],
            json!({"department": "Tour", "employeeNumber": "7"})
        );
        let o2 = ok(&o.resource, json!([{"op": "remove", "path": ENT}]), &s);
        assert_eq!(o2.resource, user());
        fails(
            &user(),
            json!([{"op": "remove", "path": USER_SCHEMA}]),
            &s,
            ScimType::InvalidPath,
        );
    }

    #[test]
    fn extension_urn_in_schemas_without_values_is_left_alone() {
        // Entra declares the enterprise URN even without enterprise attributes.
        let mut u = user();
        u["schemas"] = json!([USER_SCHEMA, ENT]);
        let o = ok(
            &u,
            json!([{"op": "remove", "path": "department"}]),
            &user_lookup(),
        );
        assert!(!o.changed);
        assert_eq!(o.resource["schemas"], json!([USER_SCHEMA, ENT]));
    }

    // ----- remove ---------------------------------------------------------------------------

    #[test]
    fn remove_without_path_is_no_target() {
        let e = fails(
            &user(),
            json!([{"op": "remove"}]),
            &user_lookup(),
            ScimType::NoTarget,
        );
        assert!(
            e.detail.starts_with("Operations[0] (remove)"),
            "{}",
            e.detail
        );
    }

    #[test]
    fn remove_single_attribute_unassigns_it() {
        let o = ok(
            &user(),
            json!([{"op": "remove", "path": "title"}]),
            &user_lookup(),
        );
        assert_eq!(o.resource.get("title"), None);
        assert!(o.changed);
    }

    #[test]
    fn remove_of_absent_attribute_is_a_successful_no_op() {
        let o = ok(
            &user(),
            json!([{"op": "remove", "path": "nickName"}]),
            &user_lookup(),
        );
        assert!(!o.changed);
        let o = ok(
            &user(),
            json!([{"op": "remove", "path": "emails[type eq \"other\"]"}]),
            &user_lookup(),
        );
        assert!(!o.changed, "remove with a filter miss is a no-op");
    }

    #[test]
    fn remove_filtered_elements_only() {
        let o = ok(
            &user(),
            json!([{"op": "remove", "path": "emails[type eq \"home\"]"}]),
            &user_lookup(),
        );
        assert_eq!(
            o.resource["emails"],
            json!([{"value": "bj@work.example", "type": "work", "primary": true}])
        );
    }

    #[test]
    fn remove_filtered_sub_attribute_keeps_element() {
        let o = ok(
            &user(),
            json!([{"op": "remove", "path": "addresses[type eq \"work\"].streetAddress"}]),
            &user_lookup(),
        );
        assert_eq!(
            o.resource["addresses"],
            json!([{"type": "work", "locality": "Springfield"}])
        );
    }

    #[test]
    fn remove_sub_attribute_of_complex_and_drop_empty_parent() {
        let s = user_lookup();
        let o = ok(
            &user(),
            json!([{"op": "remove", "path": "name.givenName"}]),
            &s,
        );
        assert_eq!(o.resource["name"], json!({"familyName": "Jensen"}));
        let o = ok(
            &o.resource,
            json!([{"op": "remove", "path": "name.familyName"}]),
            &s,
        );
        assert_eq!(
            o.resource.get("name"),
            None,
            "an empty complex attribute is unassigned, not {{}}"
        );
    }

    #[test]
    fn remove_multi_valued_attribute_removes_all_values() {
        let o = ok(
            &user(),
            json!([{"op": "remove", "path": "emails"}]),
            &user_lookup(),
        );
        assert_eq!(o.resource.get("emails"), None);
        let o = ok(
            &user(),
            json!([{"op": "remove", "path": "emails[type eq \"home\"]"}, {"op": "remove", "path": "emails[type eq \"work\"]"}]),
            &user_lookup(),
        );
        assert_eq!(o.resource.get("emails"), None, "no [] left behind");
    }

    #[test]
    fn sub_attribute_of_multi_valued_without_filter_applies_to_every_element() {
        let s = user_lookup();
        let o = ok(
            &user(),
            json!([{"op": "replace", "path": "emails.display", "value": "E"}]),
            &s,
        );
        assert_eq!(
            (
                &o.resource["emails"][0]["display"],
                &o.resource["emails"][1]["display"]
            ),
            (&json!("E"), &json!("E"))
        );
        let o = ok(
            &o.resource,
            json!([{"op": "remove", "path": "emails.display"}]),
            &s,
        );
        assert_eq!(o.resource, user());
        let o = ok(
            &user(),
            json!([{"op": "add", "path": "phoneNumbers.value", "value": "555"}]),
            &s,
        );
        assert_eq!(
            o.resource["phoneNumbers"],
            json!([{"value": "555"}]),
            "absent attribute: one element is created"
        );
    }

    #[test]
    fn remove_required_attribute_is_invalid_value() {
        let s = user_lookup();
        fails(
            &user(),
            json!([{"op": "remove", "path": "userName"}]),
            &s,
            ScimType::InvalidValue,
        );
        fails(
            &user(),
            json!([{"op": "replace", "path": "userName", "value": null}]),
            &s,
            ScimType::InvalidValue,
        );
        fails(
            &group(),
            json!([{"op": "remove", "path": "displayName"}]),
            &group_lookup(),
            ScimType::InvalidValue,
        );
    }

    // ----- groups (Entra, Okta) -------------------------------------------------------------

    fn member_ids(r: &Value) -> Vec<String> {
        r["members"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|m| m["value"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn entra_add_members_with_null_ref() {
        let s = group_lookup();
        let o = ok(
            &group(),
            json!([{"op": "Add", "path": "members", "value": [{"$ref": null, "value": "u4"}, {"$ref": null, "value": "u5"}]}]),
            &s,
        );
        assert_eq!(member_ids(&o.resource), ["u1", "u2", "u3", "u4", "u5"]);
        assert_eq!(
            o.resource["members"][3],
            json!({"value": "u4"}),
            "null $ref dropped"
        );
        // Adding existing members again changes nothing.
        let o2 = ok(
            &o.resource,
            json!([{"op": "Add", "path": "members", "value": [{"$ref": null, "value": "u1"}]}]),
            &s,
        );
        assert!(!o2.changed);
    }

    #[test]
    fn entra_remove_members_with_value_array_removes_exactly_those() {
        let o = ok(
            &group(),
            json!([{"op": "Remove", "path": "members", "value": [{"value": "u1"}, {"value": "u3"}]}]),
            &group_lookup(),
        );
        assert_eq!(member_ids(&o.resource), ["u2"]);
        let o = ok(
            &group(),
            json!([{"op": "Remove", "path": "members", "value": [{"value": "nobody"}]}]),
            &group_lookup(),
        );
        assert!(!o.changed, "removing a non-member must not wipe the group");
    }

    #[test]
    fn remove_members_by_filter_and_all_members() {
        let s = group_lookup();
        let o = ok(
            &group(),
            json!([{"op": "remove", "path": "members[value eq \"u2\"]"}]),
            &s,
        );
        assert_eq!(member_ids(&o.resource), ["u1", "u3"]);
        let o = ok(&group(), json!([{"op": "remove", "path": "members"}]), &s);
        assert_eq!(o.resource.get("members"), None);
    }

    #[test]
    fn okta_group_push_membership_and_rename() {
        let s = group_lookup();
        let o = ok(
            &group(),
            json!([
            {"op": "remove", "path": "members[value eq \"u2\"]"},
            {"op": "add", "path": "members", "value": [{"value": "u9", "display": "test.user@okta.local"}]}]),
            &s,
        );
        assert_eq!(member_ids(&o.resource), ["u1", "u3", "u9"]);
        assert_eq!(o.resource["members"][2]["display"], "test.user@okta.local");
        // The rename Okta sends with every membership change carries the (readOnly) id.
        let o = ok(
            &o.resource,
            json!([{"op": "replace", "value": {"id": "g1", "displayName": "Test SCIMv2"}}]),
            &s,
        );
        assert_eq!(o.resource["displayName"], "Test SCIMv2");
        assert_eq!(o.resource["id"], "g1");
        // Full push.
        let o = ok(
            &o.resource,
            json!([{"op": "replace", "path": "members", "value": [{"value": "u7"}]}]),
            &s,
        );
        assert_eq!(member_ids(&o.resource), ["u7"]);
        // Path-less replace of the member list.
        let o = ok(
            &o.resource,
            json!([{"op": "replace", "value": {"members": [{"value": "u8"}, {"value": "u9"}]}}]),
            &s,
        );
        assert_eq!(member_ids(&o.resource), ["u8", "u9"]);
    }

    #[test]
    fn member_without_required_value_is_invalid_value() {
        fails(
            &group(),
            json!([{"op": "add", "path": "members", "value": [{"display": "x"}]}]),
            &group_lookup(),
            ScimType::InvalidValue,
        );
    }

    // ----- mutability -----------------------------------------------------------------------

    #[test]
    fn readonly_targets_are_mutability_errors() {
        let s = user_lookup();
        for ops in [
            json!([{"op": "replace", "path": "id", "value": "x"}]),
            json!([{"op": "remove", "path": "id"}]),
            json!([{"op": "replace", "path": "meta.created", "value": "2020-01-01T00:00:00Z"}]),
            json!([{"op": "add", "path": "groups", "value": [{"value": "g2"}]}]),
            json!([{"op": "remove", "path": "groups[value eq \"g1\"]"}]),
            json!([{"op": "replace", "value": {"id": "other"}}]),
            json!([{"op": "replace", "value": {"groups": [{"value": "g2"}]}}]),
        ] {
            fails(&user(), ops, &s, ScimType::Mutability);
        }
    }

    #[test]
    fn path_less_value_repeating_readonly_unchanged_is_tolerated() {
        let o = ok(
            &user(),
            json!([{"op": "replace", "value": {"id": "u1", "schemas": ["whatever"], "displayName": "X"}}]),
            &user_lookup(),
        );
        assert_eq!(o.resource["displayName"], "X");
        assert_eq!(
            o.resource["schemas"],
            json!([USER_SCHEMA]),
            "schemas key ignored"
        );
    }

    #[test]
    fn immutable_attribute_may_be_set_once_but_not_changed() {
        let s = user_lookup();
        fails(
            &user(),
            json!([{"op": "replace", "path": "employeeId", "value": "E-2"}]),
            &s,
            ScimType::Mutability,
        );
        fails(
            &user(),
            json!([{"op": "remove", "path": "employeeId"}]),
            &s,
            ScimType::Mutability,
        );
        assert!(
            !ok(
                &user(),
                json!([{"op": "replace", "path": "employeeId", "value": "E-1"}]),
                &s
            )
            .changed
        );
        let mut u = user();
        u.as_object_mut().map(|m| m.shift_remove("employeeId"));
        let o = ok(
            &u,
            json!([{"op": "add", "path": "employeeId", "value": "E-9"}]),
            &s,
        );
        assert_eq!(o.resource["employeeId"], "E-9");
    }

    #[test]
    fn immutable_sub_attribute_of_existing_element_cannot_change() {
        let s = group_lookup();
        fails(
            &group(),
            json!([{"op": "replace", "path": "members[value eq \"u1\"].value", "value": "u5"}]),
            &s,
            ScimType::Mutability,
        );
        fails(
            &group(),
            json!([{"op": "replace", "path": "members[value eq \"u1\"].type", "value": "Group"}]),
            &s,
            ScimType::Mutability,
        );
        let o = ok(
            &group(),
            json!([{"op": "replace", "path": "members[value eq \"u1\"].display", "value": "Barbara"}]),
            &s,
        );
        assert_eq!(o.resource["members"][0]["display"], "Barbara");
    }

    // ----- primary, types, spelling, unknown paths -----------------------------------------

    fn primaries(r: &Value) -> Vec<String> {
        r["emails"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter(|e| e["primary"] == true)
                    .filter_map(|e| e["value"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn new_primary_demotes_the_others() {
        let s = user_lookup();
        let o = ok(
            &user(),
            json!([{"op": "add", "path": "emails", "value": [{"value": "n@x.example", "type": "other", "primary": true}]}]),
            &s,
        );
        assert_eq!(primaries(&o.resource), ["n@x.example"]);
        assert_eq!(o.resource["emails"][0]["primary"], false);
        let o = ok(
            &user(),
            json!([{"op": "replace", "path": "emails[type eq \"home\"].primary", "value": "True"}]),
            &s,
        );
        assert_eq!(primaries(&o.resource), ["bj@home.example"]);
        fails(
            &user(),
            json!([{"op": "add", "path": "emails", "value": [{"value": "a@x", "primary": true}, {"value": "b@x", "primary": true}]}]),
            &s,
            ScimType::InvalidValue,
        );
        fails(
            &user(),
            json!([{"op": "replace", "path": "emails.primary", "value": true}]),
            &s,
            ScimType::InvalidValue,
        );
    }

    #[test]
    fn values_are_type_checked() {
        let s = user_lookup();
        for ops in [
            json!([{"op": "replace", "path": "displayName", "value": 5}]),
            json!([{"op": "replace", "path": "loginCount", "value": 1.5}]),
            json!([{"op": "replace", "path": "hiredAt", "value": "yesterday"}]),
            json!([{"op": "replace", "path": "name", "value": 3}]),
            json!([{"op": "replace", "path": "emails", "value": [{"value": 3}]}]),
            json!([{"op": "replace", "path": "title", "value": ["a", "b"]}]),
            json!([{"op": "replace", "value": "not an object"}]),
        ] {
            fails(&user(), ops, &s, ScimType::InvalidValue);
        }
        let o = ok(
            &user(),
            json!([{"op": "replace", "path": "hiredAt", "value": "2024-05-01T10:00:00Z"}, {"op": "add", "path": "loginCount", "value": 3}]),
            &s,
        );
        assert_eq!(
            (
                o.resource["hiredAt"].as_str(),
                o.resource["loginCount"].as_i64()
            ),
            (Some("2024-05-01T10:00:00Z"), Some(3))
        );
    }

    #[test]
    fn output_uses_canonical_attribute_spelling() {
        let o = ok(
            &user(),
            json!([
            {"op": "replace", "path": "DISPLAYNAME", "value": "X"},
            {"op": "add", "path": "Emails", "value": [{"VALUE": "n@x.example", "Type": "other", "Primary": "True"}]},
            {"op": "replace", "value": {"NAME.GIVENNAME": "B", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user:DEPARTMENT": "D"}}]),
            &user_lookup(),
        );
        let r = &o.resource;
        assert_eq!(r["displayName"], "X");
        assert_eq!(r.get("DISPLAYNAME"), None);
        assert_eq!(
            r["emails"][2],
            json!({"value": "n@x.example", "type": "other", "primary": true})
        );
        assert_eq!(r["name"]["givenName"], "B");
        assert_eq!(r[ENT], json!({"department": "D"}));
        assert_eq!(r["schemas"], json!([USER_SCHEMA, ENT]));
        // A stored key in another spelling is rewritten, not duplicated.
        let mut u = user();
        u.as_object_mut()
            .map(|m| m.insert("NickName".into(), json!("old")));
        let o = ok(
            &u,
            json!([{"op": "replace", "path": "nickname", "value": "new"}]),
            &user_lookup(),
        );
        assert_eq!(
            (o.resource.get("NickName"), &o.resource["nickName"]),
            (None, &json!("new"))
        );
    }

    #[test]
    fn unknown_attributes_are_invalid_path() {
        let s = user_lookup();
        for ops in [
            json!([{"op": "replace", "path": "doesNotExist", "value": "x"}]),
            json!([{"op": "remove", "path": "doesNotExist"}]),
            json!([{"op": "replace", "path": "name.nope", "value": "x"}]),
            json!([{"op": "replace", "path": "title.sub", "value": "x"}]),
            json!([{"op": "replace", "path": "emails[type eq \"work\"].nope", "value": "x"}]),
            json!([{"op": "replace", "path": "name[givenName eq \"x\"]", "value": {}}]),
            json!([{"op": "replace", "path": "urn:example:unknown:1.0:User:x", "value": "x"}]),
            json!([{"op": "replace", "value": {"doesNotExist": 1}}]),
            json!([{"op": "replace", "value": {"bad key": 1}}]),
            json!([{"op": "add", "path": "name..givenName", "value": "x"}]),
            json!([{"op": "add", "path": "emails[type eq \"work\"", "value": "x"}]),
        ] {
            fails(&user(), ops, &s, ScimType::InvalidPath);
        }
    }

    #[test]
    fn unknown_and_readonly_sub_attributes_in_values_are_dropped() {
        let o = ok(
            &user(),
            json!([{"op": "add", "path": "emails", "value": [{"value": "n@x.example", "bogus": 1}]}]),
            &user_lookup(),
        );
        assert_eq!(o.resource["emails"][2], json!({"value": "n@x.example"}));
    }

    // ----- sequencing and atomicity --------------------------------------------------------

    #[test]
    fn operations_apply_in_order() {
        let o = ok(
            &user(),
            json!([
            {"op": "add", "path": "nickName", "value": "a"},
            {"op": "remove", "path": "nickName"},
            {"op": "replace", "path": "nickName", "value": "c"}]),
            &user_lookup(),
        );
        assert_eq!(o.resource["nickName"], "c");
    }

    #[test]
    fn a_failing_operation_applies_nothing_and_names_itself() {
        let u = user();
        let before = u.clone();
        let e = fails(
            &u,
            json!([
            {"op": "replace", "path": "displayName", "value": "changed"},
            {"op": "replace", "path": "emails[type eq \"nope\"].value", "value": "x"}]),
            &user_lookup(),
            ScimType::NoTarget,
        );
        assert!(
            e.detail
                .starts_with("Operations[1] (replace \"emails[type eq \\\"nope\\\"].value\")"),
            "{}",
            e.detail
        );
        assert_eq!(u, before);
    }

    #[test]
    fn non_object_resource_is_rejected() {
        let r = PatchRequest::from_json(&body(json!([{"op": "remove", "path": "title"}])))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(apply(&json!([1]), &r, &user_lookup()).is_err());
    }

    // ----- properties ----------------------------------------------------------------------

    fn valid_op() -> impl Strategy<Value = Value> {
        let s = "[a-zA-Z0-9 ]{0,8}";
        prop_oneof![
            s.prop_map(|v| json!({"op": "replace", "path": "displayName", "value": v})),
            s.prop_map(|v| json!({"op": "Add", "path": "nickName", "value": v})),
            s.prop_map(|v| json!({"op": "replace", "path": "name.givenName", "value": v})),
            s.prop_map(|v| json!({"op": "add", "path": "emails", "value": [{"value": format!("{v}@x.example"), "type": "other"}]})),
            s.prop_map(|v| json!({"op": "replace", "value": {"title": v, "name.familyName": v}})),
            s.prop_map(|v| json!({"op": "add", "path": format!("{ENT}:department"), "value": v})),
            Just(json!({"op": "remove", "path": "title"})),
            Just(json!({"op": "remove", "path": format!("{ENT}:department")})),
            Just(json!({"op": "Replace", "path": "active", "value": "False"})),
            Just(json!({"op": "remove", "path": "emails[type eq \"zzz\"]"})),
            Just(json!({"op": "replace", "value": {"id": "u1"}})),
            Just(json!({"op": "add", "path": "emails", "value": [{"value": "p@x.example", "primary": true}]})),
        ]
    }

    fn invalid_op() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(json!({"op": "remove"})),
            Just(json!({"op": "replace", "path": "id", "value": "x"})),
            Just(json!({"op": "remove", "path": "userName"})),
            Just(json!({"op": "replace", "path": "emails[type eq \"nope\"].value", "value": "x"})),
            Just(json!({"op": "replace", "path": "bogus", "value": "x"})),
            Just(json!({"op": "replace", "path": "active", "value": "maybe"})),
            Just(json!({"op": "replace", "path": "employeeId", "value": "other"})),
            Just(json!({"op": "add", "path": "emails[type eq", "value": "x"})),
        ]
    }

    proptest! {
        #[test]
        fn apply_never_mutates_its_input(ops in proptest::collection::vec(prop_oneof![valid_op(), invalid_op()], 1..6)) {
            let u = user();
            let before = u.clone();
            let _ = run(&u, Value::Array(ops), &user_lookup());
            prop_assert_eq!(u, before);
        }

        #[test]
        fn a_trailing_invalid_op_fails_the_whole_request(valid in proptest::collection::vec(valid_op(), 1..6), bad in invalid_op()) {
            let u = user();
            let s = user_lookup();
            prop_assert!(run(&u, Value::Array(valid.clone()), &s).is_ok());
            let mut all = valid;
            all.push(bad);
            let n = all.len() - 1;
            match run(&u, Value::Array(all), &s) {
                Ok(o) => prop_assert!(false, "accepted: {}", o.resource),
                Err(e) => prop_assert!(e.detail.starts_with(&format!("Operations[{n}]")), "{}", e.detail),
            }
            prop_assert_eq!(u, user());
        }

        #[test]
        fn patch_path_display_parse_round_trip(
            urn in proptest::option::of(Just(ENT)),
            attr in "[a-zA-Z][a-zA-Z0-9_-]{0,8}",
            sub in proptest::option::of("[a-zA-Z][a-zA-Z0-9]{0,6}"),
            filter in proptest::option::of(("[a-zA-Z][a-zA-Z0-9]{0,6}", "[a-z0-9 :\\[\\]\"\\\\]{0,6}")),
        ) {
            let mut s = String::new();
            if let Some(u) = urn { s.push_str(u); s.push(':'); }
            s.push_str(&attr);
            if let Some((fattr, fval)) = &filter {
                s.push_str(&format!("[{fattr} eq {}]", Value::String(fval.clone())));
            }
            if let Some(sub) = &sub { s.push('.'); s.push_str(sub); }
            let p = PatchPath::parse(&s).map_err(|e| TestCaseError::fail(format!("{s:?}: {e}")))?;
            prop_assert_eq!(p.filter.is_some(), filter.is_some());
            let again = PatchPath::parse(&p.to_string()).map_err(|e| TestCaseError::fail(format!("{}: {e}", p)))?;
            prop_assert_eq!(again, p);
        }
    }
}
