//! Query handling for list and search requests (RFC 7644 §3.4.2–§3.4.3, §3.9; RFC 7643 §2.2):
//! parsing the query parameters and the `SearchRequest` body into a [`ListQuery`], projecting a
//! resource for output (`attributes` / `excludedAttributes` and the `returned` characteristic),
//! sorting (`sortBy` / `sortOrder`), paging (`startIndex` / `count`) and the `ListResponse`
//! message. Pure: no I/O, and it must not import tokio, axum or reqwest; the filter expression
//! itself is parsed by the filter module.
//!
//! Decisions where the RFCs leave room, so callers and checks can rely on them:
//! - **Errors.** A bad parameter value (non-integer `startIndex`/`count`, unknown `sortOrder`,
//!   malformed attribute path, malformed percent-encoding, a recognised parameter given twice)
//!   is 400 `invalidValue`. A `SearchRequest` whose structure is wrong (not an object, no
//!   `schemas` listing the SearchRequest URN, a member given twice under different cases) is
//!   400 `invalidSyntax`; a wrong member value in it is 400 `invalidValue`, as for GET.
//! - **Integers.** `startIndex < 1` is 1 and `count < 0` is 0 (§3.4.2.4 "SHALL be interpreted
//!   as"); values beyond the machine range saturate instead of failing.
//! - **`attributes` together with `excludedAttributes`.** RFC 7644 does not forbid sending both
//!   and says nothing about the combination, so neither is an error: `attributes` chooses the set
//!   (§3.9 "the default list of attributes SHALL be overridden") and `excludedAttributes` then
//!   removes from it; attributes with `returned: always` survive both.
//! - **`returned: request`** attributes (and sub-attributes) come back only when named
//!   explicitly; naming the parent or the whole extension URN does not name them. Returning them
//!   after a write that set them (RFC 7643 §2.2) is the caller's business: it passes them in
//!   `attributes`.
//! - **`schemas`** is always kept, but an extension URN whose object the projection removed (or
//!   that has no object at all) is dropped from it: RFC 7643 §3 makes `schemas` name the schemas
//!   that define the attributes present.
//! - **`ListResponse`** always carries `startIndex`, `itemsPerPage` and `Resources` (an empty
//!   array when the page is empty or `count=0`), which satisfies every "REQUIRED when" of
//!   §3.4.2 and keeps clients that index `Resources` from failing.
//! - **Sorting** follows §3.4.2.3: resources without a value sort last ascending and first
//!   descending (descending is the exact reverse of ascending; ties keep their input order).

use crate::scim::error::{ScimError, ScimResult};
use crate::scim::path::{AttrPath, looks_like_urn};
use crate::scim::schema::{
    AttrLookup, AttrType, Attribute, LIST_RESPONSE, Returned, SEARCH_REQUEST,
};
use serde_json::{Map, Number, Value};
use std::cmp::Ordering;
use std::ops::Range;

/// The `sortOrder` of RFC 7644 §3.4.2.3; ascending unless the client says otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SortOrder {
    /// Smallest first; resources without a value last.
    #[default]
    Ascending,
    /// Largest first; resources without a value first.
    Descending,
}

impl SortOrder {
    /// Parse `ascending` / `descending`, case-insensitively; anything else is 400 `invalidValue`.
    pub fn parse(s: &str) -> ScimResult<SortOrder> {
        if s.eq_ignore_ascii_case("ascending") {
            Ok(SortOrder::Ascending)
        } else if s.eq_ignore_ascii_case("descending") {
            Ok(SortOrder::Descending)
        } else {
            Err(ScimError::invalid_value(format!(
                "sortOrder must be \"ascending\" or \"descending\", not {s:?}"
            )))
        }
    }

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            SortOrder::Ascending => "ascending",
            SortOrder::Descending => "descending",
        }
    }
}

/// A list or search request after parsing: what to match, how to order, which page, and which
/// attributes to return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    /// The raw filter expression; the caller parses it with the filter module.
    pub filter: Option<String>,
    /// The attribute to sort by.
    pub sort_by: Option<AttrPath>,
    /// The sort direction (ascending when not given).
    pub sort_order: SortOrder,
    /// 1-based index of the first result, after §3.4.2.4 clamping (never below 1).
    pub start_index: usize,
    /// Requested page size after clamping (negative → 0); `None` means the server default.
    pub count: Option<usize>,
    /// `attributes`: when non-empty, only these (plus `returned: always`) are returned.
    pub attributes: Vec<AttrPath>,
    /// `excludedAttributes`: removed from the returned set unless `returned: always`.
    pub excluded_attributes: Vec<AttrPath>,
}

impl Default for ListQuery {
    fn default() -> Self {
        ListQuery {
            filter: None,
            sort_by: None,
            sort_order: SortOrder::Ascending,
            start_index: 1,
            count: None,
            attributes: Vec::new(),
            excluded_attributes: Vec::new(),
        }
    }
}

/// The parameters this module recognises, in their canonical spelling.
const PARAMS: [&str; 7] = [
    "filter",
    "sortBy",
    "sortOrder",
    "startIndex",
    "count",
    "attributes",
    "excludedAttributes",
];

impl ListQuery {
    /// From URL query parameters (names matched case-insensitively; values already
    /// percent-decoded, see [`decode_query`]). Unknown parameters are ignored; a recognised one
    /// given twice is 400 `invalidValue`.
    pub fn from_params<'a>(
        params: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> ScimResult<ListQuery> {
        let mut q = ListQuery::default();
        let mut seen: Vec<&'static str> = Vec::new();
        for (name, value) in params {
            let Some(key) = PARAMS
                .iter()
                .copied()
                .find(|k| k.eq_ignore_ascii_case(name))
            else {
                continue;
            };
            if seen.contains(&key) {
                return Err(ScimError::invalid_value(format!(
                    "query parameter {key} is given more than once"
                )));
            }
            seen.push(key);
            match key {
                "filter" => q.filter = Some(value.to_string()),
                "sortBy" => q.sort_by = Some(parse_sort_by(value)?),
                "sortOrder" => q.sort_order = SortOrder::parse(value.trim())?,
                "startIndex" => q.start_index = clamp_start(parse_int(value, key)?),
                "count" => q.count = Some(clamp_count(parse_int(value, key)?)),
                "attributes" => q.attributes = parse_attr_list(value)?,
                _ => q.excluded_attributes = parse_attr_list(value)?,
            }
        }
        Ok(q)
    }

    /// From a `POST .search` body (RFC 7644 §3.4.3): `schemas` must list the SearchRequest URN;
    /// `attributes` / `excludedAttributes` are arrays of paths; `sortBy`, `sortOrder` and
    /// `filter` are strings; `startIndex` and `count` integers. Member names match
    /// case-insensitively, `null` members count as absent and unknown members are ignored.
    pub fn from_search_request(body: &Value) -> ScimResult<ListQuery> {
        let Some(obj) = body.as_object() else {
            return Err(ScimError::invalid_syntax(
                "a SearchRequest body must be a JSON object",
            ));
        };
        let mut found: Vec<(&'static str, &Value)> = Vec::new();
        let mut schemas = None;
        for (name, value) in obj {
            let key = if name.eq_ignore_ascii_case("schemas") {
                "schemas"
            } else if let Some(k) = PARAMS
                .iter()
                .copied()
                .find(|k| k.eq_ignore_ascii_case(name))
            {
                k
            } else {
                continue;
            };
            if (key == "schemas" && schemas.is_some()) || found.iter().any(|(k, _)| *k == key) {
                return Err(ScimError::invalid_syntax(format!(
                    "SearchRequest member {key} is given more than once"
                )));
            }
            if key == "schemas" {
                schemas = Some(value);
            } else if !value.is_null() {
                found.push((key, value));
            }
        }
        let lists_search_request = schemas.and_then(Value::as_array).is_some_and(|a| {
            a.iter().any(|s| {
                s.as_str()
                    .is_some_and(|s| s.eq_ignore_ascii_case(SEARCH_REQUEST))
            })
        });
        if !lists_search_request {
            return Err(ScimError::invalid_syntax(format!(
                "a SearchRequest must have \"schemas\": [\"{SEARCH_REQUEST}\"]"
            )));
        }
        let mut q = ListQuery::default();
        for (key, value) in found {
            match key {
                "filter" => q.filter = Some(body_str(value, key)?.to_string()),
                "sortBy" => q.sort_by = Some(parse_sort_by(body_str(value, key)?)?),
                "sortOrder" => q.sort_order = SortOrder::parse(body_str(value, key)?)?,
                "startIndex" => q.start_index = clamp_start(body_int(value, key)?),
                "count" => q.count = Some(clamp_count(body_int(value, key)?)),
                "attributes" => q.attributes = body_paths(value, key)?,
                _ => q.excluded_attributes = body_paths(value, key)?,
            }
        }
        Ok(q)
    }
}

/// A string member of a SearchRequest.
fn body_str<'v>(value: &'v Value, key: &str) -> ScimResult<&'v str> {
    value
        .as_str()
        .ok_or_else(|| ScimError::invalid_value(format!("SearchRequest {key} must be a string")))
}

/// An integer member of a SearchRequest (saturating beyond `i64`).
fn body_int(value: &Value, key: &str) -> ScimResult<i64> {
    let not_int = || ScimError::invalid_value(format!("SearchRequest {key} must be an integer"));
    match value {
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => Ok(i),
            (None, Some(_)) => Ok(i64::MAX),
            (None, None) => Err(not_int()),
        },
        _ => Err(not_int()),
    }
}

/// An array-of-paths member of a SearchRequest.
fn body_paths(value: &Value, key: &str) -> ScimResult<Vec<AttrPath>> {
    let not_list =
        || ScimError::invalid_value(format!("SearchRequest {key} must be an array of strings"));
    let items = value.as_array().ok_or_else(not_list)?;
    let mut out = Vec::new();
    for item in items {
        out.extend(parse_attr_list(item.as_str().ok_or_else(not_list)?)?);
    }
    Ok(out)
}

/// Parse an integer parameter: optional sign and ASCII digits, surrounding spaces allowed,
/// saturating at the `i64` range.
fn parse_int(s: &str, key: &str) -> ScimResult<i64> {
    let bad = || ScimError::invalid_value(format!("{key} must be an integer, not {s:?}"));
    let t = s.trim();
    let (negative, digits) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let mut n: i64 = 0;
    for b in digits.bytes() {
        let d = i64::from(b - b'0');
        n = if negative {
            n.saturating_mul(10).saturating_sub(d)
        } else {
            n.saturating_mul(10).saturating_add(d)
        };
    }
    Ok(n)
}

/// §3.4.2.4: a `startIndex` below 1 is 1.
fn clamp_start(n: i64) -> usize {
    if n < 1 {
        1
    } else {
        usize::try_from(n).unwrap_or(usize::MAX)
    }
}

/// §3.4.2.4: a negative `count` is 0.
fn clamp_count(n: i64) -> usize {
    usize::try_from(n.max(0)).unwrap_or(usize::MAX)
}

/// Parse a `sortBy` value (one attribute path).
fn parse_sort_by(s: &str) -> ScimResult<AttrPath> {
    let t = s.trim();
    AttrPath::parse(t).map_err(|e| ScimError::invalid_value(format!("sortBy {t:?}: {e}")))
}

/// Parse `attributes=` / `excludedAttributes=` comma lists: items are trimmed, may be
/// URN-qualified (`urn:…:User:employeeNumber`), a sub-attribute (`name.givenName`) or a schema
/// URN alone. An empty or all-blank string is an empty list; an empty item among others, or an
/// item that is not an attribute path, is 400 `invalidValue`.
pub fn parse_attr_list(s: &str) -> ScimResult<Vec<AttrPath>> {
    if s.trim().is_empty() {
        return Ok(Vec::new());
    }
    s.split(',')
        .map(|item| {
            let t = item.trim();
            if t.is_empty() {
                return Err(ScimError::invalid_value(format!(
                    "empty attribute name in list {s:?}"
                )));
            }
            AttrPath::parse(t).map_err(|e| ScimError::invalid_value(format!("{t:?}: {e}")))
        })
        .collect()
}

/// Raw (not yet percent-decoded) query string → decoded `(name, value)` pairs, in order. A
/// leading `?` is skipped, empty segments are ignored, a segment without `=` has an empty value,
/// `+` is a space (form encoding) and `%XX` a byte. A malformed escape or bytes that are not
/// UTF-8 are 400 `invalidValue`.
pub fn decode_query(raw: &str) -> ScimResult<Vec<(String, String)>> {
    let raw = raw.strip_prefix('?').unwrap_or(raw);
    let mut out = Vec::new();
    for seg in raw.split('&').filter(|s| !s.is_empty()) {
        let (k, v) = seg.split_once('=').unwrap_or((seg, ""));
        out.push((decode_component(k)?, decode_component(v)?));
    }
    Ok(out)
}

/// Decode one form-encoded component.
fn decode_component(s: &str) -> ScimResult<String> {
    let mut buf = Vec::with_capacity(s.len());
    let mut bytes = s.bytes();
    while let Some(b) = bytes.next() {
        match b {
            b'+' => buf.push(b' '),
            b'%' => {
                let hi = bytes.next().and_then(hex_val);
                let lo = bytes.next().and_then(hex_val);
                match (hi, lo) {
                    (Some(h), Some(l)) => buf.push((h << 4) | l),
                    _ => {
                        return Err(ScimError::invalid_value(format!(
                            "malformed percent-escape in query component {s:?}"
                        )));
                    }
                }
            }
            other => buf.push(other),
        }
    }
    String::from_utf8(buf).map_err(|_| {
        ScimError::invalid_value(format!("query component {s:?} does not decode to UTF-8"))
    })
}

/// The value of one hexadecimal digit.
fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Projection
// ---------------------------------------------------------------------------------------------

/// One `attributes` / `excludedAttributes` entry, normalised to lowercase names.
#[derive(Debug)]
enum Target {
    /// A whole schema, named by its URN alone.
    Schema(String),
    /// An attribute: its extension URN (`None` for core and common attributes), its top-level
    /// name, and the sub-attribute when one was named.
    Attr {
        ext: Option<String>,
        attr: String,
        sub: Option<String>,
    },
}

/// Normalise a requested path against the schema, falling back to its spelling when the schema
/// does not know it.
fn normalise(p: &AttrPath, urns: &[&str], schema: &dyn AttrLookup) -> Target {
    if p.sub.is_none()
        && let Some(u) = &p.urn
    {
        let full = format!("{u}:{}", p.attr);
        if urns.iter().any(|s| s.eq_ignore_ascii_case(&full)) {
            return Target::Schema(full.to_lowercase());
        }
    }
    if let Some(r) = schema.resolve(p) {
        return Target::Attr {
            ext: r.extension.map(str::to_lowercase),
            attr: r.top.name.to_lowercase(),
            sub: r
                .sub
                .map(|s| s.name.to_lowercase())
                .or_else(|| p.sub.as_deref().map(str::to_lowercase)),
        };
    }
    let is_core = |u: &str| urns.first().is_some_and(|c| c.eq_ignore_ascii_case(u));
    Target::Attr {
        ext: p
            .urn
            .as_deref()
            .filter(|u| !is_core(u))
            .map(str::to_lowercase),
        attr: p.attr.to_lowercase(),
        sub: p.sub.as_deref().map(str::to_lowercase),
    }
}

/// How one top-level attribute is named by a target list.
#[derive(Debug, Default)]
struct Selection {
    /// Named itself (without a sub-attribute).
    whole: bool,
    /// Its schema was named by URN alone.
    schema: bool,
    /// Sub-attributes named (lowercase).
    subs: Vec<String>,
}

/// Which sub-attributes of a kept attribute survive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SubMode {
    /// All, subject to their own `returned`.
    All,
    /// Only the named ones (and any `returned: always`).
    Only,
}

/// What the projection of one resource needs to know.
struct Projector<'a> {
    /// Lowercase core schema URN.
    core: Option<String>,
    /// Normalised `attributes`.
    requested: Vec<Target>,
    /// Normalised `excludedAttributes`.
    excluded: Vec<Target>,
    /// The schema lookup.
    schema: &'a dyn AttrLookup,
}

impl Projector<'_> {
    /// How `targets` name the attribute `name` (lowercase) in extension `ext` (lowercase).
    fn select(&self, targets: &[Target], ext: Option<&str>, name: &str) -> Selection {
        let mut sel = Selection::default();
        for t in targets {
            match t {
                Target::Schema(u) => {
                    if Some(u.as_str()) == ext || (ext.is_none() && self.core.as_deref() == Some(u))
                    {
                        sel.schema = true;
                    }
                }
                Target::Attr { ext: e, attr, sub } => {
                    if e.as_deref() == ext && attr == name {
                        match sub {
                            None => sel.whole = true,
                            Some(s) => sel.subs.push(s.clone()),
                        }
                    }
                }
            }
        }
        sel
    }

    /// The projected value of one top-level attribute, or `None` when it is not returned.
    fn attr(
        &self,
        ext: Option<&str>,
        key: &str,
        def: Option<&Attribute>,
        value: &Value,
    ) -> Option<Value> {
        let name = key.to_lowercase();
        // RFC 7643 §3.1: `id` is always returned, whatever the lookup says.
        let returned = if ext.is_none() && name == "id" {
            Returned::Always
        } else {
            def.map_or(Returned::Default, |d| d.returned)
        };
        if returned == Returned::Never {
            return None;
        }
        let req = self.select(&self.requested, ext, &name);
        let exc = self.select(&self.excluded, ext, &name);
        let mode = if self.requested.is_empty() {
            match returned {
                Returned::Request => return None,
                _ => SubMode::All,
            }
        } else {
            match returned {
                Returned::Always => SubMode::All,
                Returned::Request if req.whole => SubMode::All,
                Returned::Default if req.whole || req.schema => SubMode::All,
                _ if !req.subs.is_empty() => SubMode::Only,
                _ => return None,
            }
        };
        if returned != Returned::Always && (exc.whole || exc.schema) {
            return None;
        }
        let keep_sub = |k: &str| -> bool {
            let kl = k.to_lowercase();
            let r = def
                .and_then(|d| d.sub_attribute(k))
                .map_or(Returned::Default, |a| a.returned);
            let named = req.subs.contains(&kl);
            let chosen = match (r, mode) {
                (Returned::Never, _) => false,
                (Returned::Always, _) => true,
                (Returned::Request, _) => named,
                (Returned::Default, SubMode::All) => true,
                (Returned::Default, SubMode::Only) => named,
            };
            chosen && (r == Returned::Always || !exc.subs.contains(&kl))
        };
        let filter_obj = |m: &Map<String, Value>| -> Map<String, Value> {
            m.iter()
                .filter(|(k, _)| keep_sub(k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        };
        match value {
            Value::Object(m) => {
                let out = filter_obj(m);
                (!out.is_empty()).then_some(Value::Object(out))
            }
            Value::Array(items) => {
                let out: Vec<Value> = items
                    .iter()
                    .filter_map(|item| match item {
                        Value::Object(m) => {
                            let o = filter_obj(m);
                            (!o.is_empty()).then_some(Value::Object(o))
                        }
                        other => (mode == SubMode::All).then(|| other.clone()),
                    })
                    .collect();
                (!out.is_empty()).then_some(Value::Array(out))
            }
            scalar => (mode == SubMode::All).then(|| scalar.clone()),
        }
    }
}

/// Project one stored resource for output per RFC 7644 §3.4.2.5/§3.9 and RFC 7643 §2.2:
///
/// - `id`, `schemas` and every `returned: always` attribute are kept even if excluded or not
///   requested; `returned: never` (e.g. `password`) is always removed, at any level;
/// - `returned: request` attributes only when named explicitly in `attributes`;
/// - with `attributes`, only those (plus always-returned ones); `name.givenName` keeps `name`
///   with only `givenName`; naming a complex parent keeps its sub-attributes (subject to their
///   own `returned`); on multi-valued complex attributes the same applies to every value;
/// - extension attributes live under their URN key; a URN alone selects (or excludes) the
///   whole extension; an extension object left empty is dropped, and its URN with it from
///   `schemas`;
/// - `excludedAttributes` removes from whatever `attributes` chose (see the module notes);
/// - unknown attributes are treated as `returned: default`; names match case-insensitively.
///
/// A non-object input is returned unchanged.
pub fn project(
    resource: &Value,
    attributes: &[AttrPath],
    excluded: &[AttrPath],
    schema: &dyn AttrLookup,
) -> Value {
    let Value::Object(obj) = resource else {
        return resource.clone();
    };
    let urns = schema.schema_urns();
    let exts: Vec<String> = urns.iter().skip(1).map(|u| u.to_lowercase()).collect();
    let p = Projector {
        core: urns.first().map(|u| u.to_lowercase()),
        requested: attributes
            .iter()
            .map(|a| normalise(a, &urns, schema))
            .collect(),
        excluded: excluded
            .iter()
            .map(|a| normalise(a, &urns, schema))
            .collect(),
        schema,
    };
    let mut out = Map::new();
    for (key, value) in obj {
        if key.eq_ignore_ascii_case("schemas") {
            out.insert(key.clone(), value.clone());
            continue;
        }
        let key_lc = key.to_lowercase();
        if let Value::Object(ext_obj) = value
            && (exts.contains(&key_lc) || looks_like_urn(key))
        {
            let mut ext_out = Map::new();
            for (k, v) in ext_obj {
                let path = AttrPath {
                    urn: Some(key.clone()),
                    attr: k.clone(),
                    sub: None,
                };
                let def = p
                    .schema
                    .resolve(&path)
                    .filter(|r| r.extension.is_some_and(|e| e.eq_ignore_ascii_case(key)))
                    .map(|r| r.top);
                if let Some(v) = p.attr(Some(&key_lc), k, def, v) {
                    ext_out.insert(k.clone(), v);
                }
            }
            if !ext_out.is_empty() {
                out.insert(key.clone(), Value::Object(ext_out));
            }
            continue;
        }
        let def = p
            .schema
            .resolve(&AttrPath::attr(key.clone()))
            .filter(|r| r.extension.is_none())
            .map(|r| r.top);
        if let Some(v) = p.attr(None, key, def, value) {
            out.insert(key.clone(), v);
        }
    }
    let present: Vec<String> = out.keys().map(|k| k.to_lowercase()).collect();
    for (key, value) in out.iter_mut() {
        if let (true, Value::Array(list)) = (key.eq_ignore_ascii_case("schemas"), value) {
            list.retain(|u| {
                u.as_str().is_none_or(|s| {
                    let sl = s.to_lowercase();
                    !exts.contains(&sl) || present.contains(&sl)
                })
            });
        }
    }
    Value::Object(out)
}

// ---------------------------------------------------------------------------------------------
// Sorting
// ---------------------------------------------------------------------------------------------

/// A comparable sort key. Across kinds (only possible with inconsistent data) the order is
/// boolean < number < dateTime < string.
#[derive(Debug)]
enum Key {
    /// A boolean.
    Bool(bool),
    /// A number.
    Num(Number),
    /// A parsed dateTime.
    Time(chrono::DateTime<chrono::FixedOffset>),
    /// A string, already lowercased when the attribute is not caseExact.
    Str(String),
}

impl Key {
    /// Position of the key's kind in the cross-kind order.
    fn rank(&self) -> u8 {
        match self {
            Key::Bool(_) => 0,
            Key::Num(_) => 1,
            Key::Time(_) => 2,
            Key::Str(_) => 3,
        }
    }

    /// Total order of two keys.
    fn compare(&self, other: &Key) -> Ordering {
        match (self, other) {
            (Key::Bool(a), Key::Bool(b)) => a.cmp(b),
            (Key::Num(a), Key::Num(b)) => cmp_num(a, b),
            (Key::Time(a), Key::Time(b)) => a.cmp(b),
            (Key::Str(a), Key::Str(b)) => a.cmp(b),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

/// Numeric order of two JSON numbers, exact for integers.
fn cmp_num(a: &Number, b: &Number) -> Ordering {
    if let (Some(x), Some(y)) = (a.as_i64(), b.as_i64()) {
        return x.cmp(&y);
    }
    if let (Some(x), Some(y)) = (a.as_u64(), b.as_u64()) {
        return x.cmp(&y);
    }
    let x = a.as_f64().unwrap_or(f64::NAN);
    let y = b.as_f64().unwrap_or(f64::NAN);
    x.total_cmp(&y)
}

/// Member `key` of an object, exact spelling first, then case-insensitively.
fn get_ci<'v>(v: &'v Value, key: &str) -> Option<&'v Value> {
    let m = v.as_object()?;
    m.get(key).or_else(|| {
        m.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

/// The value a resource sorts by (§3.4.2.3): for a multi-valued attribute the `primary` value,
/// else the first; for a multi-valued complex attribute without a named sub-attribute, that
/// value's `value`. `None` when the resource has no (scalar) value.
fn sort_value<'v>(
    res: &'v Value,
    ext: Option<&str>,
    attr: &str,
    sub: Option<&str>,
) -> Option<&'v Value> {
    let container = match ext {
        Some(u) => get_ci(res, u)?,
        None => res,
    };
    let v = get_ci(container, attr)?;
    let v = match v {
        Value::Array(items) => {
            let pick = items
                .iter()
                .find(|e| get_ci(e, "primary") == Some(&Value::Bool(true)))
                .or_else(|| items.iter().find(|e| !e.is_null()))?;
            match sub {
                Some(s) => get_ci(pick, s)?,
                None if pick.is_object() => get_ci(pick, "value")?,
                None => pick,
            }
        }
        other => match sub {
            Some(s) => get_ci(other, s)?,
            None => other,
        },
    };
    match v {
        Value::Null | Value::Array(_) | Value::Object(_) => None,
        scalar => Some(scalar),
    }
}

/// The sort key of a scalar, by the attribute's type and `caseExact`; without a definition
/// strings are case-insensitive and RFC 3339 strings compare as instants.
fn sort_key(v: &Value, def: Option<&Attribute>) -> Option<Key> {
    let ty = def.map(|d| d.attr_type);
    let case_exact = def.is_some_and(|d| d.case_exact);
    match v {
        Value::String(s) => {
            if matches!(ty, None | Some(AttrType::DateTime))
                && let Ok(t) = chrono::DateTime::parse_from_rfc3339(s)
            {
                return Some(Key::Time(t));
            }
            Some(Key::Str(if case_exact {
                s.clone()
            } else {
                s.to_lowercase()
            }))
        }
        Value::Number(n) => Some(Key::Num(n.clone())),
        Value::Bool(b) => Some(Key::Bool(*b)),
        _ => None,
    }
}

/// Check a `sortBy` against the resource's schema before sorting (a service's check; [`sort`]
/// itself sorts any path by whatever data is there): the path must name a defined attribute,
/// and a singular complex attribute must be narrowed to a sub-attribute (RFC 7644 §3.4.2.3:
/// "the attribute name must be a path to a sub-attribute"). Otherwise 400 `invalidValue`:
/// ordering by nothing would silently return an unsorted page.
pub fn check_sort_by(sort_by: &AttrPath, schema: &dyn AttrLookup) -> ScimResult<()> {
    let Some(r) = schema.resolve(sort_by) else {
        return Err(ScimError::invalid_value(format!(
            "sortBy {sort_by}: no such attribute"
        )));
    };
    if r.sub.is_none() && r.top.attr_type == AttrType::Complex && !r.top.multi_valued {
        return Err(ScimError::invalid_value(format!(
            "sortBy {sort_by}: a complex attribute needs a sub-attribute, e.g. {}.{}",
            r.top.name,
            r.top
                .sub_attributes
                .first()
                .map_or("value", |a| a.name.as_str())
        )));
    }
    Ok(())
}

/// Sort in place by `sort_by` (stable) per RFC 7644 §3.4.2.3: strings compare
/// case-insensitively unless the attribute is `caseExact`, dateTimes chronologically, numbers
/// numerically; a multi-valued attribute sorts by its primary value, else its first; resources
/// with no value sort last ascending and first descending.
pub fn sort(
    resources: &mut [Value],
    sort_by: &AttrPath,
    order: SortOrder,
    schema: &dyn AttrLookup,
) {
    let urns = schema.schema_urns();
    let resolved = schema.resolve(sort_by);
    let (ext, attr, sub) = match &resolved {
        Some(r) => (
            r.extension.map(str::to_string),
            r.top.name.clone(),
            r.sub
                .map(|s| s.name.clone())
                .or_else(|| sort_by.sub.clone()),
        ),
        None => {
            let is_core = |u: &str| urns.first().is_some_and(|c| c.eq_ignore_ascii_case(u));
            (
                sort_by.urn.clone().filter(|u| !is_core(u)),
                sort_by.attr.clone(),
                sort_by.sub.clone(),
            )
        }
    };
    let def = resolved.map(|r| match r.sub {
        Some(s) => s,
        None if r.top.multi_valued && r.top.attr_type == AttrType::Complex => {
            r.top.sub_attribute("value").unwrap_or(r.top)
        }
        None => r.top,
    });
    let mut keyed: Vec<(Option<Key>, Value)> = resources
        .iter_mut()
        .map(|r| {
            let key =
                sort_value(r, ext.as_deref(), &attr, sub.as_deref()).and_then(|v| sort_key(v, def));
            (key, std::mem::take(r))
        })
        .collect();
    let ascending = |a: &Option<Key>, b: &Option<Key>| match (a, b) {
        (Some(x), Some(y)) => x.compare(y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    };
    match order {
        SortOrder::Ascending => keyed.sort_by(|a, b| ascending(&a.0, &b.0)),
        SortOrder::Descending => keyed.sort_by(|a, b| ascending(&b.0, &a.0)),
    }
    for (slot, (_, v)) in resources.iter_mut().zip(keyed) {
        *slot = v;
    }
}

// ---------------------------------------------------------------------------------------------
// Paging and the ListResponse
// ---------------------------------------------------------------------------------------------

/// The page's index range into the (already filtered and sorted) results, per RFC 7644
/// §3.4.2.4: a `start_index` below 1 counts as 1; `count` 0 gives an empty page; a `count`
/// above `max_results` (RFC 7643 §5 `filter.maxResults`), or none at all, is `max_results`.
/// A start beyond the results gives an empty range at `total`.
pub fn page_range(
    total: usize,
    start_index: usize,
    count: Option<usize>,
    max_results: usize,
) -> Range<usize> {
    let begin = start_index.max(1).saturating_sub(1).min(total);
    let per_page = count.map_or(max_results, |c| c.min(max_results));
    let end = begin.saturating_add(per_page).min(total);
    begin..end
}

/// The `ListResponse` message (RFC 7644 §3.4.2): `schemas`, `totalResults`, `startIndex`
/// (at least 1), `itemsPerPage` (= the number of resources on this page) and `Resources`
/// (always present, empty when the page is).
pub fn list_response(total_results: usize, start_index: usize, resources: Vec<Value>) -> Value {
    let mut m = Map::new();
    m.insert(
        "schemas".into(),
        Value::Array(vec![Value::String(LIST_RESPONSE.into())]),
    );
    m.insert("totalResults".into(), Value::from(total_results));
    m.insert("startIndex".into(), Value::from(start_index.max(1)));
    m.insert("itemsPerPage".into(), Value::from(resources.len()));
    m.insert("Resources".into(), Value::Array(resources));
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::error::ScimType;
    use crate::scim::schema::{ENTERPRISE_USER_SCHEMA as ENT, Resolved, USER_SCHEMA};
    use proptest::prelude::*;
    use serde_json::json;

    const CORE_ATTRS: &str = r#"[
      {"name": "id", "type": "string", "caseExact": true, "mutability": "readOnly",
       "returned": "always", "uniqueness": "server"},
      {"name": "userName", "type": "string", "caseExact": false, "required": true,
       "uniqueness": "server"},
      {"name": "name", "type": "complex", "subAttributes": [
        {"name": "formatted", "type": "string"},
        {"name": "familyName", "type": "string"},
        {"name": "givenName", "type": "string"}]},
      {"name": "displayName", "type": "string"},
      {"name": "rank", "type": "integer"},
      {"name": "password", "type": "string", "mutability": "writeOnly", "returned": "never"},
      {"name": "emails", "type": "complex", "multiValued": true, "subAttributes": [
        {"name": "value", "type": "string"},
        {"name": "type", "type": "string"},
        {"name": "primary", "type": "boolean"},
        {"name": "verificationCode", "type": "string", "returned": "never"}]},
      {"name": "auditNote", "type": "string", "returned": "request"},
      {"name": "groups", "type": "complex", "multiValued": true, "mutability": "readOnly",
       "subAttributes": [
        {"name": "value", "type": "string", "mutability": "readOnly"},
        {"name": "display", "type": "string", "mutability": "readOnly"}]},
      {"name": "meta", "type": "complex", "mutability": "readOnly", "subAttributes": [
        {"name": "resourceType", "type": "string", "caseExact": true},
        {"name": "created", "type": "dateTime"},
        {"name": "lastModified", "type": "dateTime"},
        {"name": "version", "type": "string", "caseExact": true}]}
    ]"#;

    const ENT_ATTRS: &str = r#"[
      {"name": "employeeNumber", "type": "string"},
      {"name": "department", "type": "string"},
      {"name": "manager", "type": "complex", "subAttributes": [
        {"name": "value", "type": "string"},
        {"name": "displayName", "type": "string", "mutability": "readOnly"}]}
    ]"#;

    /// A User + Enterprise User lookup built from inline schema JSON.
    struct Fake {
        core: Vec<Attribute>,
        ext: Vec<Attribute>,
    }

    fn fake() -> Fake {
        let parse = |s: &str| -> Vec<Attribute> {
            serde_json::from_str(s).unwrap_or_else(|e| panic!("bad fake schema: {e}"))
        };
        Fake {
            core: parse(CORE_ATTRS),
            ext: parse(ENT_ATTRS),
        }
    }

    impl AttrLookup for Fake {
        fn resolve(&self, p: &AttrPath) -> Option<Resolved<'_>> {
            let find = |list: &[Attribute]| {
                list.iter()
                    .position(|a| a.name.eq_ignore_ascii_case(&p.attr))
            };
            let (extension, top) = match &p.urn {
                Some(u) if u.eq_ignore_ascii_case(USER_SCHEMA) => {
                    (None, self.core.get(find(&self.core)?)?)
                }
                Some(u) if u.eq_ignore_ascii_case(ENT) => {
                    (Some(ENT), self.ext.get(find(&self.ext)?)?)
                }
                Some(_) => return None,
                None => match find(&self.core) {
                    Some(i) => (None, self.core.get(i)?),
                    None => (Some(ENT), self.ext.get(find(&self.ext)?)?),
                },
            };
            let sub = match &p.sub {
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
            vec![USER_SCHEMA, ENT]
        }
    }

    fn user() -> Value {
        json!({
            "schemas": [USER_SCHEMA, ENT],
            "id": "2819c223",
            "externalId": "ext-1",
            "userName": "bjensen",
            "name": {"formatted": "Ms. Barbara J Jensen", "familyName": "Jensen", "givenName": "Barbara"},
            "displayName": "Babs",
            "password": "t1meMa$heen",
            "emails": [
                {"value": "bjensen@example.com", "type": "work", "primary": true, "verificationCode": "123"},
                {"value": "babs@jensen.org", "type": "home"}
            ],
            "auditNote": "flagged",
            "groups": [{"value": "g1", "display": "Tour Guides"}],
            "meta": {"resourceType": "User", "created": "2010-01-23T04:56:22Z",
                     "lastModified": "2011-05-13T04:42:34Z", "version": "W/\"3694e05e9dff590\""},
            ENT: {"employeeNumber": "701984", "department": "Tour Operations",
                  "manager": {"value": "26118915", "displayName": "John Smith"}}
        })
    }

    fn paths(s: &str) -> Vec<AttrPath> {
        parse_attr_list(s).unwrap_or_else(|e| panic!("{e}"))
    }

    fn proj(attrs: &str, excl: &str) -> Value {
        project(&user(), &paths(attrs), &paths(excl), &fake())
    }

    fn keys(v: &Value) -> Vec<String> {
        v.as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    }

    fn q(pairs: &[(&str, &str)]) -> ScimResult<ListQuery> {
        ListQuery::from_params(pairs.iter().copied())
    }

    fn kind<T: std::fmt::Debug>(r: ScimResult<T>) -> Option<ScimType> {
        match r {
            Ok(v) => panic!("expected an error, got {v:?}"),
            Err(e) => {
                assert_eq!(e.status, 400);
                e.scim_type
            }
        }
    }

    fn ok<T>(r: ScimResult<T>) -> T {
        r.unwrap_or_else(|e| panic!("{e}"))
    }

    // ----- query parameters -------------------------------------------------------------------

    #[test]
    fn no_params_give_defaults() {
        let lq = ok(q(&[]));
        assert_eq!(lq, ListQuery::default());
        assert_eq!(lq.start_index, 1);
        assert_eq!(lq.count, None);
        assert_eq!(lq.sort_order, SortOrder::Ascending);
    }

    #[test]
    fn param_names_match_case_insensitively() {
        let lq = ok(q(&[
            ("STARTINDEX", "3"),
            ("Count", "7"),
            ("sortby", "name.givenName"),
            ("SortOrder", "DESCENDING"),
            ("FILTER", "userName eq \"x\""),
            ("ATTRIBUTES", "userName"),
            ("excludedattributes", "emails"),
        ]));
        assert_eq!(lq.start_index, 3);
        assert_eq!(lq.count, Some(7));
        assert_eq!(lq.sort_by, Some(AttrPath::sub("name", "givenName")));
        assert_eq!(lq.sort_order, SortOrder::Descending);
        assert_eq!(lq.filter.as_deref(), Some("userName eq \"x\""));
        assert_eq!(lq.attributes, vec![AttrPath::attr("userName")]);
        assert_eq!(lq.excluded_attributes, vec![AttrPath::attr("emails")]);
    }

    #[test]
    fn non_integer_paging_values_are_invalid_value() {
        for bad in ["abc", "1.5", "", "1e3", "--1", "0x10", "+"] {
            assert_eq!(
                kind(q(&[("startIndex", bad)])),
                Some(ScimType::InvalidValue),
                "{bad:?}"
            );
            assert_eq!(
                kind(q(&[("count", bad)])),
                Some(ScimType::InvalidValue),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn negative_count_is_zero_and_small_start_index_is_one() {
        assert_eq!(ok(q(&[("count", "-1")])).count, Some(0));
        assert_eq!(
            ok(q(&[("count", "-99999999999999999999999")])).count,
            Some(0)
        );
        assert_eq!(ok(q(&[("count", "0")])).count, Some(0));
        assert_eq!(ok(q(&[("startIndex", "0")])).start_index, 1);
        assert_eq!(ok(q(&[("startIndex", "-5")])).start_index, 1);
        assert_eq!(ok(q(&[("startIndex", " +4 ")])).start_index, 4);
    }

    #[test]
    fn huge_integers_saturate() {
        let lq = ok(q(&[
            ("startIndex", "99999999999999999999999"),
            ("count", "99999999999999999999"),
        ]));
        let big = usize::try_from(i64::MAX).unwrap_or(usize::MAX);
        assert_eq!(lq.start_index, big);
        assert_eq!(lq.count, Some(big));
    }

    #[test]
    fn sort_order_values() {
        assert_eq!(
            ok(q(&[("sortOrder", "ascending")])).sort_order,
            SortOrder::Ascending
        );
        assert_eq!(
            ok(q(&[("sortOrder", "Descending")])).sort_order,
            SortOrder::Descending
        );
        for bad in ["sideways", "asc", "desc", ""] {
            assert_eq!(
                kind(q(&[("sortOrder", bad)])),
                Some(ScimType::InvalidValue),
                "{bad:?}"
            );
        }
        assert_eq!(SortOrder::Descending.as_str(), "descending");
    }

    #[test]
    fn unknown_params_are_ignored() {
        let lq = ok(q(&[("foo", "bar"), ("count", "2"), ("startIndexx", "zzz")]));
        assert_eq!(lq.count, Some(2));
        assert_eq!(lq.start_index, 1);
    }

    #[test]
    fn repeated_param_is_invalid_value() {
        assert_eq!(
            kind(q(&[("count", "1"), ("COUNT", "2")])),
            Some(ScimType::InvalidValue)
        );
    }

    #[test]
    fn bad_sort_by_and_attribute_paths_are_invalid_value() {
        assert_eq!(kind(q(&[("sortBy", "1abc")])), Some(ScimType::InvalidValue));
        assert_eq!(
            kind(q(&[("attributes", "emails[type eq \"work\"]")])),
            Some(ScimType::InvalidValue)
        );
        assert_eq!(
            kind(q(&[("excludedAttributes", "userName,,emails")])),
            Some(ScimType::InvalidValue)
        );
    }

    #[test]
    fn attributes_and_excluded_attributes_may_both_be_given() {
        let lq = ok(q(&[
            ("attributes", "name"),
            ("excludedAttributes", "name.givenName"),
        ]));
        assert_eq!(lq.attributes, vec![AttrPath::attr("name")]);
        assert_eq!(
            lq.excluded_attributes,
            vec![AttrPath::sub("name", "givenName")]
        );
    }

    #[test]
    fn attr_list_trims_and_accepts_urns_and_sub_attributes() {
        let list = paths(&format!(
            " userName , name.givenName,{ENT}:manager.value , {ENT}"
        ));
        assert_eq!(list.len(), 4);
        assert_eq!(list[0], AttrPath::attr("userName"));
        assert_eq!(list[1], AttrPath::sub("name", "givenName"));
        assert_eq!(list[2].urn.as_deref(), Some(ENT));
        assert_eq!(
            (list[2].attr.as_str(), list[2].sub.as_deref()),
            ("manager", Some("value"))
        );
        assert_eq!(list[3].to_string(), ENT);
        assert!(paths("").is_empty());
        assert!(paths("  ").is_empty());
        assert_eq!(
            kind(parse_attr_list("userName,")),
            Some(ScimType::InvalidValue)
        );
    }

    // ----- SearchRequest ----------------------------------------------------------------------

    #[test]
    fn search_request_parses_all_members() {
        let body = json!({
            "schemas": [SEARCH_REQUEST],
            "attributes": ["displayName", "userName"],
            "excludedAttributes": ["emails"],
            "filter": "displayName sw \"smith\"",
            "sortBy": "userName",
            "sortOrder": "descending",
            "startIndex": 2,
            "count": 10,
            "unknownMember": true
        });
        let lq = ok(ListQuery::from_search_request(&body));
        assert_eq!(
            lq.attributes,
            vec![AttrPath::attr("displayName"), AttrPath::attr("userName")]
        );
        assert_eq!(lq.excluded_attributes, vec![AttrPath::attr("emails")]);
        assert_eq!(lq.filter.as_deref(), Some("displayName sw \"smith\""));
        assert_eq!(lq.sort_by, Some(AttrPath::attr("userName")));
        assert_eq!(lq.sort_order, SortOrder::Descending);
        assert_eq!((lq.start_index, lq.count), (2, Some(10)));
    }

    #[test]
    fn search_request_equals_get_equivalent() {
        let body = json!({"schemas": [SEARCH_REQUEST], "attributes": ["userName"], "startIndex": 3,
                          "count": 4, "sortBy": "userName", "filter": "userName pr"});
        let get = ok(q(&[
            ("attributes", "userName"),
            ("startIndex", "3"),
            ("count", "4"),
            ("sortBy", "userName"),
            ("filter", "userName pr"),
        ]));
        assert_eq!(ok(ListQuery::from_search_request(&body)), get);
    }

    #[test]
    fn search_request_without_search_schema_is_invalid_syntax() {
        for body in [
            json!({"filter": "userName pr"}),
            json!({"schemas": [], "count": 1}),
            json!({"schemas": [USER_SCHEMA]}),
            json!({"schemas": SEARCH_REQUEST}),
            json!([SEARCH_REQUEST]),
            json!("x"),
        ] {
            assert_eq!(
                kind(ListQuery::from_search_request(&body)),
                Some(ScimType::InvalidSyntax),
                "{body}"
            );
        }
    }

    #[test]
    fn search_request_member_names_are_case_insensitive_and_null_is_absent() {
        let body = json!({"Schemas": [SEARCH_REQUEST.to_uppercase()], "COUNT": -3, "StartIndex": 0,
                          "sortBy": null, "attributes": null});
        let lq = ok(ListQuery::from_search_request(&body));
        assert_eq!((lq.start_index, lq.count), (1, Some(0)));
        assert_eq!(lq.sort_by, None);
        assert!(lq.attributes.is_empty());
    }

    #[test]
    fn search_request_bad_values_are_invalid_value() {
        for (k, v) in [
            ("startIndex", json!("2")),
            ("count", json!(2.5)),
            ("count", json!(true)),
            ("attributes", json!("userName")),
            ("attributes", json!([1])),
            ("sortOrder", json!("up")),
            ("sortBy", json!("1x")),
            ("filter", json!(5)),
        ] {
            let body = json!({"schemas": [SEARCH_REQUEST], k: v});
            assert_eq!(
                kind(ListQuery::from_search_request(&body)),
                Some(ScimType::InvalidValue),
                "{k}: {v}"
            );
        }
    }

    #[test]
    fn search_request_member_twice_is_invalid_syntax() {
        let body = json!({"schemas": [SEARCH_REQUEST], "count": 1, "Count": 2});
        assert_eq!(
            kind(ListQuery::from_search_request(&body)),
            Some(ScimType::InvalidSyntax)
        );
    }

    // ----- decode_query -----------------------------------------------------------------------

    #[test]
    fn decode_query_handles_plus_percent_and_bare_keys() {
        let pairs = ok(decode_query(
            "?filter=userName+eq+%22bjensen%22&&count=2&flag&a%2Bb=c%2bd",
        ));
        assert_eq!(
            pairs,
            vec![
                ("filter".to_string(), "userName eq \"bjensen\"".to_string()),
                ("count".to_string(), "2".to_string()),
                ("flag".to_string(), String::new()),
                ("a+b".to_string(), "c+d".to_string()),
            ]
        );
        assert_eq!(
            ok(decode_query("x=%C3%A9")),
            vec![("x".to_string(), "é".to_string())]
        );
        assert!(ok(decode_query("")).is_empty());
    }

    #[test]
    fn decode_query_rejects_bad_escapes_and_bad_utf8() {
        for bad in ["x=%FF", "x=%4", "x=%", "x=%zz", "%C3=1"] {
            assert_eq!(
                kind(decode_query(bad)),
                Some(ScimType::InvalidValue),
                "{bad}"
            );
        }
    }

    #[test]
    fn decoded_query_feeds_from_params() {
        let pairs = ok(decode_query(
            "filter=userName%20eq%20%22a%22&sortOrder=descending&startIndex=0",
        ));
        let lq = ok(ListQuery::from_params(
            pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        ));
        assert_eq!(lq.filter.as_deref(), Some("userName eq \"a\""));
        assert_eq!(lq.sort_order, SortOrder::Descending);
        assert_eq!(lq.start_index, 1);
    }

    // ----- projection -------------------------------------------------------------------------

    #[test]
    fn default_projection_drops_never_and_request_only() {
        let out = proj("", "");
        assert!(out.get("password").is_none());
        assert!(out.get("auditNote").is_none());
        assert!(out["emails"][0].get("verificationCode").is_none());
        assert_eq!(out["emails"][0]["value"], "bjensen@example.com");
        for k in [
            "schemas",
            "id",
            "externalId",
            "userName",
            "name",
            "displayName",
            "groups",
            "meta",
            ENT,
        ] {
            assert!(out.get(k).is_some(), "{k} missing");
        }
        assert_eq!(out["schemas"], json!([USER_SCHEMA, ENT]));
        assert_eq!(out[ENT], user()[ENT]);
    }

    #[test]
    fn attributes_keeps_only_named_and_always() {
        let out = proj("userName", "");
        assert_eq!(keys(&out), vec!["schemas", "id", "userName"]);
        // the Enterprise object is gone, so its URN leaves `schemas`
        assert_eq!(out["schemas"], json!([USER_SCHEMA]));
    }

    #[test]
    fn attributes_sub_attribute_keeps_parent_with_only_that_sub() {
        let out = proj("name.givenName", "");
        assert_eq!(out["name"], json!({"givenName": "Barbara"}));
        assert_eq!(keys(&out), vec!["schemas", "id", "name"]);
    }

    #[test]
    fn attributes_complex_parent_keeps_all_subs() {
        assert_eq!(proj("name", "")["name"], user()["name"]);
        let emails = proj("emails", "")["emails"].clone();
        assert_eq!(
            emails[0],
            json!({"value": "bjensen@example.com", "type": "work", "primary": true})
        );
        assert_eq!(
            emails[1],
            json!({"value": "babs@jensen.org", "type": "home"})
        );
    }

    #[test]
    fn attributes_sub_of_multi_valued_projects_every_value() {
        let out = proj("emails.value", "");
        assert_eq!(
            out["emails"],
            json!([{"value": "bjensen@example.com"}, {"value": "babs@jensen.org"}])
        );
        // a sub-attribute no value has removes the attribute altogether
        assert!(proj("emails.display", "").get("emails").is_none());
    }

    #[test]
    fn never_returned_even_when_requested() {
        let out = proj("password,emails.verificationCode", "");
        assert!(out.get("password").is_none());
        assert!(out.get("emails").is_none());
        assert_eq!(keys(&out), vec!["schemas", "id"]);
    }

    #[test]
    fn request_only_returned_when_named() {
        assert_eq!(proj("auditNote", "")["auditNote"], "flagged");
        assert!(proj("userName", "").get("auditNote").is_none());
        assert!(proj("", "emails").get("auditNote").is_none());
    }

    #[test]
    fn excluded_attribute_removed_others_kept() {
        let out = proj("", "emails");
        assert!(out.get("emails").is_none());
        for k in ["userName", "name", "displayName", "meta", ENT] {
            assert!(out.get(k).is_some(), "{k} missing");
        }
    }

    #[test]
    fn excluding_always_returned_has_no_effect() {
        let out = proj("", "id,schemas");
        assert_eq!(out["id"], "2819c223");
        assert_eq!(out["schemas"], json!([USER_SCHEMA, ENT]));
    }

    #[test]
    fn excluded_sub_attribute() {
        let out = proj("", "name.familyName,emails.type");
        assert_eq!(
            out["name"],
            json!({"formatted": "Ms. Barbara J Jensen", "givenName": "Barbara"})
        );
        assert_eq!(
            out["emails"][0],
            json!({"value": "bjensen@example.com", "primary": true})
        );
    }

    #[test]
    fn meta_is_returned_by_default_and_projectable() {
        assert!(proj("", "meta").get("meta").is_none());
        assert_eq!(
            proj("meta.lastModified", "")["meta"],
            json!({"lastModified": "2011-05-13T04:42:34Z"})
        );
        assert!(proj("userName", "").get("meta").is_none());
    }

    #[test]
    fn extension_attribute_by_urn_path() {
        let out = proj(&format!("{ENT}:employeeNumber"), "");
        assert_eq!(out[ENT], json!({"employeeNumber": "701984"}));
        assert_eq!(out["schemas"], json!([USER_SCHEMA, ENT]));
        let out = proj(&format!("{ENT}:manager.displayName"), "");
        assert_eq!(out[ENT], json!({"manager": {"displayName": "John Smith"}}));
    }

    #[test]
    fn extension_attribute_unqualified_resolves_to_extension() {
        assert_eq!(
            proj("employeeNumber", "")[ENT],
            json!({"employeeNumber": "701984"})
        );
    }

    #[test]
    fn urn_alone_selects_whole_extension() {
        let out = proj(&format!("userName,{ENT}"), "");
        assert_eq!(out[ENT], user()[ENT]);
        assert_eq!(keys(&out), vec!["schemas", "id", "userName", ENT]);
    }

    #[test]
    fn core_urn_alone_selects_core_attributes() {
        let out = proj(USER_SCHEMA, "");
        assert!(out.get("userName").is_some() && out.get("name").is_some());
        assert!(out.get(ENT).is_none());
        assert!(out.get("auditNote").is_none());
    }

    #[test]
    fn excluded_extension_attribute_and_whole_extension() {
        let out = proj("", &format!("{ENT}:manager"));
        assert_eq!(
            out[ENT],
            json!({"employeeNumber": "701984", "department": "Tour Operations"})
        );
        let out = proj("", ENT);
        assert!(out.get(ENT).is_none());
        assert_eq!(out["schemas"], json!([USER_SCHEMA]));
        assert!(out.get("userName").is_some());
    }

    #[test]
    fn names_match_case_insensitively() {
        let out = proj("USERNAME,Name.GIVENNAME", "");
        assert_eq!(out["userName"], "bjensen");
        assert_eq!(out["name"], json!({"givenName": "Barbara"}));
        let mut shouty = user();
        if let Some(m) = shouty.as_object_mut() {
            m.insert("PassWord".into(), json!("x"));
        }
        let out = project(&shouty, &[], &[], &fake());
        assert!(out.get("PassWord").is_none());
    }

    #[test]
    fn attributes_then_excluded_compose() {
        let out = proj("name,userName", "name.givenName,userName,id");
        assert_eq!(
            out["name"],
            json!({"formatted": "Ms. Barbara J Jensen", "familyName": "Jensen"})
        );
        assert!(out.get("userName").is_none());
        assert_eq!(out["id"], "2819c223");
    }

    #[test]
    fn unknown_attributes_are_returned_by_default() {
        assert_eq!(proj("", "")["externalId"], "ext-1");
        assert!(proj("userName", "").get("externalId").is_none());
        assert_eq!(proj("externalId", "")["externalId"], "ext-1");
        assert!(proj("", "externalId").get("externalId").is_none());
    }

    #[test]
    fn project_of_non_object_is_identity() {
        assert_eq!(project(&json!([1, 2]), &[], &[], &fake()), json!([1, 2]));
    }

    // ----- sorting ----------------------------------------------------------------------------

    fn sorted_by(mut rs: Vec<Value>, by: &str, order: SortOrder, field: &str) -> Vec<Value> {
        let path = AttrPath::parse(by).unwrap_or_else(|e| panic!("{e}"));
        sort(&mut rs, &path, order, &fake());
        rs.iter().map(|r| r[field].clone()).collect()
    }

    #[test]
    fn sort_strings_case_insensitive_by_default() {
        let rs = vec![
            json!({"id": "1", "userName": "bob"}),
            json!({"id": "2", "userName": "Alice"}),
            json!({"id": "3", "userName": "carol"}),
        ];
        assert_eq!(
            sorted_by(rs, "userName", SortOrder::Ascending, "id"),
            vec!["2", "1", "3"]
        );
    }

    #[test]
    fn sort_case_exact_uses_code_points() {
        let rs = vec![json!({"id": "b"}), json!({"id": "B"}), json!({"id": "a"})];
        assert_eq!(
            sorted_by(rs, "id", SortOrder::Ascending, "id"),
            vec!["B", "a", "b"]
        );
    }

    #[test]
    fn sort_missing_values_last_ascending_first_descending() {
        let rs = vec![
            json!({"id": "1", "displayName": "m"}),
            json!({"id": "2"}),
            json!({"id": "3", "displayName": "a"}),
            json!({"id": "4", "displayName": null}),
        ];
        assert_eq!(
            sorted_by(rs.clone(), "displayName", SortOrder::Ascending, "id"),
            vec!["3", "1", "2", "4"]
        );
        assert_eq!(
            sorted_by(rs, "displayName", SortOrder::Descending, "id"),
            vec!["2", "4", "1", "3"]
        );
    }

    #[test]
    fn sort_date_time_chronologically() {
        let rs = vec![
            json!({"id": "late", "meta": {"lastModified": "2020-01-01T09:30:00Z"}}),
            // 08:00Z: earlier, although it sorts later as a string
            json!({"id": "early", "meta": {"lastModified": "2020-01-01T10:00:00+02:00"}}),
            json!({"id": "earliest", "meta": {"lastModified": "2019-12-31T23:59:59.5Z"}}),
        ];
        assert_eq!(
            sorted_by(rs, "meta.lastModified", SortOrder::Ascending, "id"),
            vec!["earliest", "early", "late"]
        );
    }

    #[test]
    fn sort_numbers_numerically() {
        let rs = vec![
            json!({"id": "a", "rank": 10}),
            json!({"id": "b", "rank": 9}),
            json!({"id": "c", "rank": 100}),
            json!({"id": "d", "rank": -1.5}),
        ];
        assert_eq!(
            sorted_by(rs, "rank", SortOrder::Ascending, "id"),
            vec!["d", "b", "a", "c"]
        );
    }

    #[test]
    fn sort_multi_valued_by_primary_else_first() {
        let rs = vec![
            // primary is "z…", although its first value is "a…"
            json!({"id": "1", "emails": [{"value": "a@x"}, {"value": "z@x", "primary": true}]}),
            json!({"id": "2", "emails": [{"value": "m@x"}, {"value": "b@x"}]}),
            json!({"id": "3", "emails": []}),
            json!({"id": "4", "emails": [{"value": "C@x", "primary": false}]}),
        ];
        assert_eq!(
            sorted_by(rs.clone(), "emails", SortOrder::Ascending, "id"),
            vec!["4", "2", "1", "3"]
        );
        assert_eq!(
            sorted_by(rs, "emails.value", SortOrder::Ascending, "id"),
            vec!["4", "2", "1", "3"]
        );
    }

    #[test]
    fn sort_by_extension_attribute() {
        let rs = vec![
            json!({"id": "1", ENT: {"employeeNumber": "b"}}),
            json!({"id": "2"}),
            json!({"id": "3", ENT: {"employeeNumber": "A"}}),
        ];
        let by = format!("{ENT}:employeeNumber");
        assert_eq!(
            sorted_by(rs.clone(), &by, SortOrder::Ascending, "id"),
            vec!["3", "1", "2"]
        );
        assert_eq!(
            sorted_by(rs, "employeeNumber", SortOrder::Descending, "id"),
            vec!["2", "1", "3"]
        );
    }

    #[test]
    fn sort_is_stable_for_equal_keys_both_ways() {
        let rs = vec![
            json!({"id": "1", "userName": "x"}),
            json!({"id": "2", "userName": "X"}),
            json!({"id": "3", "userName": "a"}),
        ];
        assert_eq!(
            sorted_by(rs.clone(), "userName", SortOrder::Ascending, "id"),
            vec!["3", "1", "2"]
        );
        assert_eq!(
            sorted_by(rs, "userName", SortOrder::Descending, "id"),
            vec!["1", "2", "3"]
        );
    }

    #[test]
    fn check_sort_by_rejects_unknown_and_bare_singular_complex() {
        let f = fake();
        let ok = |s: &str| check_sort_by(&AttrPath::parse(s).unwrap_or_else(|e| panic!("{e}")), &f);
        assert!(ok("userName").is_ok());
        assert!(ok("USERNAME").is_ok());
        assert!(ok("name.givenName").is_ok());
        assert!(ok("emails").is_ok());
        assert!(ok("meta.lastModified").is_ok());
        assert!(ok(&format!("{ENT}:employeeNumber")).is_ok());
        for bad in ["nope", "name", "name.nope", "urn:x:y:nope"] {
            let e = ok(bad).err().unwrap_or_else(|| panic!("{bad} accepted"));
            assert_eq!(
                (e.status, e.scim_type),
                (400, Some(ScimType::InvalidValue)),
                "{bad}"
            );
        }
    }

    #[test]
    fn sort_by_unknown_attribute_uses_data_and_keeps_order_when_absent() {
        let rs = vec![
            json!({"id": "1", "nick": "b"}),
            json!({"id": "2", "nick": "A"}),
            json!({"id": "3"}),
        ];
        assert_eq!(
            sorted_by(rs.clone(), "nick", SortOrder::Ascending, "id"),
            vec!["2", "1", "3"]
        );
        assert_eq!(
            sorted_by(rs, "nothing", SortOrder::Ascending, "id"),
            vec!["1", "2", "3"]
        );
    }

    // ----- paging -----------------------------------------------------------------------------

    #[test]
    fn page_range_basic() {
        assert_eq!(page_range(10, 1, Some(3), 100), 0..3);
        assert_eq!(page_range(10, 2, Some(2), 100), 1..3);
        assert_eq!(page_range(10, 9, Some(5), 100), 8..10);
    }

    #[test]
    fn page_range_start_below_one_is_one() {
        assert_eq!(page_range(10, 0, Some(2), 100), 0..2);
    }

    #[test]
    fn page_range_start_beyond_total_is_empty() {
        assert_eq!(page_range(10, 11, Some(5), 100), 10..10);
        assert_eq!(page_range(10, usize::MAX, Some(5), 100), 10..10);
        assert_eq!(page_range(0, 1, None, 100), 0..0);
    }

    #[test]
    fn page_range_count_zero_is_empty() {
        assert!(page_range(10, 1, Some(0), 100).is_empty());
    }

    #[test]
    fn page_range_caps_count_and_defaults_to_max() {
        assert_eq!(page_range(500, 1, Some(1000), 50), 0..50);
        assert_eq!(page_range(500, 1, None, 50), 0..50);
        assert_eq!(page_range(500, 1, Some(usize::MAX), 50), 0..50);
    }

    #[test]
    fn list_response_shape() {
        let r = list_response(5, 3, vec![json!({"id": "a"}), json!({"id": "b"})]);
        assert_eq!(r["schemas"], json!([LIST_RESPONSE]));
        assert_eq!(
            (
                r["totalResults"].as_u64(),
                r["startIndex"].as_u64(),
                r["itemsPerPage"].as_u64()
            ),
            (Some(5), Some(3), Some(2))
        );
        assert_eq!(r["Resources"].as_array().map(Vec::len), Some(2));
        let empty = list_response(7, 0, Vec::new());
        assert_eq!(empty["Resources"], json!([]));
        assert_eq!(
            (empty["itemsPerPage"].as_u64(), empty["startIndex"].as_u64()),
            (Some(0), Some(1))
        );
    }

    // ----- properties -------------------------------------------------------------------------

    proptest! {
        #[test]
        fn page_range_is_never_out_of_bounds(
            total in 0usize..1000,
            start in prop_oneof![0usize..1200, Just(usize::MAX)],
            count in proptest::option::of(prop_oneof![0usize..1200, Just(usize::MAX)]),
            max in 0usize..300,
        ) {
            let r = page_range(total, start, count, max);
            prop_assert!(r.start <= r.end && r.end <= total);
            prop_assert!(r.len() <= max);
            if let Some(c) = count { prop_assert!(r.len() <= c); }
            if start > total { prop_assert!(r.is_empty()); }
            if r.is_empty() && total > 0 && count != Some(0) && max > 0 {
                prop_assert!(start > total);
            }
        }

        #[test]
        fn project_never_emits_never_and_always_keeps_id(
            drop_mask in proptest::collection::vec(any::<bool>(), 12),
            attrs in proptest::sample::subsequence(POOL.to_vec(), 0..5),
            excl in proptest::sample::subsequence(POOL.to_vec(), 0..5),
            pw_key in prop_oneof![Just("password"), Just("PASSWORD"), Just("passWord")],
        ) {
            let mut r = user();
            if let Some(m) = r.as_object_mut() {
                m.insert(pw_key.to_string(), json!("secret"));
                let victims: Vec<String> = m.keys().filter(|k| *k != "id").cloned().collect();
                for (k, drop) in victims.iter().zip(&drop_mask) {
                    if *drop { m.remove(k); }
                }
            }
            let a: Vec<AttrPath> = attrs.iter().filter_map(|s| AttrPath::parse(s).ok()).collect();
            let e: Vec<AttrPath> = excl.iter().filter_map(|s| AttrPath::parse(s).ok()).collect();
            let out = project(&r, &a, &e, &fake());
            prop_assert_eq!(&out["id"], &json!("2819c223"));
            let obj = out.as_object().cloned().unwrap_or_default();
            prop_assert!(!obj.keys().any(|k| k.eq_ignore_ascii_case("password")));
            for email in out["emails"].as_array().cloned().unwrap_or_default() {
                prop_assert!(email.get("verificationCode").is_none());
            }
            if a.is_empty() || !attrs.contains(&"auditNote") {
                prop_assert!(out.get("auditNote").is_none());
            }
        }
    }

    const POOL: [&str; 12] = [
        "id",
        "password",
        "userName",
        "name.givenName",
        "emails",
        "emails.verificationCode",
        "emails.value",
        "auditNote",
        "meta",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
        "PASSWORD",
    ];
}
