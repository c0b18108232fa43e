//! The schema-driven sweep (RFC 7643 §2.2, §7; RFC 7644 §3.3, §3.5.1): for every attribute the
//! target declares for User in `/Schemas` (the core schema and the extensions its resource type
//! lists), the declared characteristics are enforced — uniqueness server/global rejects
//! duplicates, readOnly values are ignored on write, required attributes cannot be omitted,
//! returned never / writeOnly values never come back. Nothing here is specific to one target.

use crate::check;
use crate::conformance::context::{
    Ctx, USER, enc, ensure, ids, reached, scim_error, status, truncate,
};
use crate::conformance::model::{Capability, Check, CheckResult, Finding};
use serde_json::{Map, Value, json};

/// The schema-sweep checks.
pub fn checks() -> Vec<Check> {
    vec![
        check!(uniqueness, "schema.uniqueness", "Every uniqueness server/global User attribute rejects a duplicate with 409", "RFC 7643 §2.2, §7; RFC 7644 §3.12", Should, [],
            fault NoUniqueness, "Enforce the uniqueness you declare in /Schemas: a duplicate value is 409 with scimType uniqueness (case-folded when caseExact is false)."),
        check!(read_only, "schema.read-only-ignored", "Values for readOnly User attributes are ignored on POST and PUT", "RFC 7643 §2.2; RFC 7644 §3.3, §3.5.1", Must, [],
            fault HonourClientId, "Drop client-supplied values of readOnly attributes (id, meta, groups, …) on POST and PUT; never store them."),
        check!(required, "schema.required", "Omitting any required User attribute is a 400 SCIM error", "RFC 7643 §2.2, §7; RFC 7644 §3.12", Advice, [],
            fault AcceptMissingRequired, "Reject a POST that lacks an attribute your schema declares required with 400 invalidValue."),
        check!(case_exact_filters, "schema.case-exact-filters", "Every string User attribute, and Group displayName, filters with the case sensitivity it declares (caseExact)", "RFC 7643 §2.2, §7", Must, [Filter],
            fault FilterCaseSensitive, "Evaluate eq on each string attribute with its declared caseExact: case-insensitively when false (displayName, title, …), exactly when true."),
        check!(case_insensitive_sort, "schema.case-insensitive-sort", "Every caseExact=false string User attribute sorts case-insensitively", "RFC 7644 §3.4.2.3; RFC 7643 §7", Must, [Sort, Filter],
            fault SortIgnored, "Sort by the attribute's declared case sensitivity: caseExact=false values order as a, B, c, never B, a, c."),
        check!(returned_consistent, "schema.returned-consistent", "Every User attribute comes back alike from POST, GET, PUT, a filtered list and .search (returned default/always)", "RFC 7643 §2.2, §7", Advice, [Filter],
            fault GetMinimal, "Return the same default attribute set from every operation that returns a resource: the 201, GET by id, PUT, lists, filters and .search."),
        check!(returned_never, "schema.returned-never", "returned never / writeOnly User attributes never come back, not even when asked for", "RFC 7643 §2.2", Must, [],
            fault ReturnPassword, "Strip every returned:never / writeOnly attribute from every response: POST, GET, lists and attributes= projections."),
    ]
}

/// One top-level attribute the target declares for User.
struct Attr {
    /// The URN of the schema declaring it.
    urn: String,
    /// Whether that schema is the core User schema.
    core: bool,
    /// The attribute definition from `/Schemas`.
    def: Value,
}

impl Attr {
    fn name(&self) -> &str {
        self.def["name"].as_str().unwrap_or_default()
    }
    fn is(&self, key: &str, value: &str) -> bool {
        self.def[key]
            .as_str()
            .is_some_and(|v| v.eq_ignore_ascii_case(value))
    }
    fn multi(&self) -> bool {
        self.def["multiValued"] == true
    }
    fn kind(&self) -> String {
        self.def["type"]
            .as_str()
            .unwrap_or_default()
            .to_ascii_lowercase()
    }
    /// `name` or `urn:name` for reasons.
    fn label(&self) -> String {
        if self.core {
            self.name().to_string()
        } else {
            format!("{}:{}", self.urn, self.name())
        }
    }
}

/// The User attributes declared in `/Schemas`, core first, then each extension of the User
/// resource type (with whether that extension is required).
fn user_attrs(c: &Ctx) -> Result<Vec<(Attr, bool)>, Finding> {
    let caps = c.caps();
    let rt = caps
        .resource_types
        .iter()
        .find(|rt| rt["schema"] == USER || rt["name"] == "User");
    let mut urns: Vec<(String, bool, bool)> = vec![(USER.to_string(), true, true)];
    for e in rt
        .and_then(|rt| rt["schemaExtensions"].as_array())
        .into_iter()
        .flatten()
    {
        if let Some(u) = e["schema"].as_str() {
            urns.push((u.to_string(), false, e["required"] == true));
        }
    }
    let mut out = Vec::new();
    for (urn, core, required) in urns {
        let Some(schema) = caps.schemas.iter().find(|s| s["id"] == urn.as_str()) else {
            if core {
                return Err(Finding::error(format!(
                    "/Schemas does not serve {USER}; the sweep needs it"
                )));
            }
            continue;
        };
        for def in schema["attributes"].as_array().into_iter().flatten() {
            out.push((
                Attr {
                    urn: urn.clone(),
                    core,
                    def: def.clone(),
                },
                required,
            ));
        }
    }
    Ok(out)
}

/// Put `value` for `a` into a User body.
fn set(body: &mut Value, a: &Attr, value: Value) {
    let Value::Object(m) = body else { return };
    if a.core {
        m.insert(a.name().to_string(), value);
        return;
    }
    let ext = m
        .entry(a.urn.clone())
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(e) = ext {
        e.insert(a.name().to_string(), value);
    }
    if let Some(Value::Array(s)) = m.get_mut("schemas")
        && !s.iter().any(|u| u == a.urn.as_str())
    {
        s.push(Value::String(a.urn.clone()));
    }
}

/// The value of `a` in a returned resource.
fn get<'v>(body: &'v Value, a: &Attr) -> Option<&'v Value> {
    let holder = if a.core { body } else { &body[a.urn.as_str()] };
    holder.as_object().and_then(|m| {
        m.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(a.name()))
            .map(|(_, v)| v)
    })
}

/// A valid string value for a required or unique attribute, when its type allows one.
fn valid_value(c: &Ctx, a: &Attr) -> Option<Value> {
    let v = match a.kind().as_str() {
        "string" => Value::String(c.name(a.name())),
        "reference" => Value::String(format!("https://example.invalid/{}", c.name(a.name()))),
        _ => return None,
    };
    Some(if a.multi() { json!([v]) } else { v })
}

/// A body with every required (writable) attribute set, except `skip`.
fn required_body(c: &Ctx, attrs: &[(Attr, bool)], skip: Option<&str>) -> Result<Value, Finding> {
    let mut body = json!({"schemas": [USER]});
    for (a, ext_required) in attrs {
        if a.def["required"] != true
            || a.is("mutability", "readOnly")
            || !(a.core || *ext_required)
            || Some(a.label().as_str()) == skip
        {
            continue;
        }
        let v = valid_value(c, a).ok_or_else(|| {
            Finding::skip(format!(
                "required attribute {} has type {}; the sweep only builds string values",
                a.label(),
                a.kind()
            ))
        })?;
        set(&mut body, a, v);
    }
    Ok(body)
}

/// POST a body, tracking whatever it creates.
async fn post_tracked(c: &Ctx, body: &Value) -> crate::client::http::Resp {
    let r = c.post(c.users(), body).await;
    if matches!(r.status, Some(200..=299))
        && let Some(id) = r.body()["id"].as_str()
    {
        c.track(&c.url_of(&c.user_path(id)));
    }
    r
}

/// A mixed-case value, and the same value in another case.
fn case_pair(c: &Ctx, a: &Attr) -> (String, String) {
    let v = format!("{}-MiXed", c.name(a.name()));
    let other = v.to_uppercase();
    (v, other)
}

async fn case_exact_filters(c: &Ctx) -> CheckResult {
    // Every top-level, single-valued, writable string attribute the target declares on User
    // (core and extensions), other than the unique ones (a value in another case may collide).
    let attrs: Vec<Attr> = user_attrs(c)?
        .into_iter()
        .map(|(a, _)| a)
        .filter(|a| {
            a.kind() == "string"
                && !a.multi()
                && (a.is("mutability", "readWrite") || a.def["mutability"].is_null())
                && !a.is("returned", "never")
                && a.def["uniqueness"].as_str().is_none_or(|u| u == "none")
                && a.def["canonicalValues"]
                    .as_array()
                    .is_none_or(Vec::is_empty)
                && !a.name().eq_ignore_ascii_case("password")
                // Values with a defined format (RFC 7643 §4.1.1: a language tag, an Olson
                // time zone) may be validated; a made-up value would be refused.
                && !["preferredLanguage", "locale", "timezone"]
                    .iter()
                    .any(|n| a.name().eq_ignore_ascii_case(n))
                && !a.name().eq_ignore_ascii_case("userName")
                && !a.name().eq_ignore_ascii_case("id")
        })
        .collect();
    if attrs.is_empty() {
        return Err(Finding::skip(
            "the target declares no writable single-valued string User attribute besides userName",
        ));
    }
    let mut body = json!({"schemas": [USER], "userName": c.name("case")});
    let mut values = Vec::new();
    for a in &attrs {
        let (v, other) = case_pair(c, a);
        set(&mut body, a, Value::String(v.clone()));
        values.push((v, other));
    }
    let r = post_tracked(c, &body).await;
    reached(&r)?;
    if !matches!(r.code(), 200 | 201) {
        return Err(Finding::skip(format!(
            "precondition not met: a user carrying a value in each declared string attribute was refused ({}): {}",
            r.code(),
            truncate(&r.text, 200)
        )));
    }
    let user_name = r.body()["userName"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let id = r.body()["id"].as_str().unwrap_or_default().to_string();
    let mut judged = 0;
    let mut wrong = Vec::new();
    for (a, (v, other)) in attrs.iter().zip(&values) {
        // Only values the server stored as sent (it may normalise or ignore some).
        if get(r.body(), a).and_then(Value::as_str) != Some(v.as_str()) {
            continue;
        }
        let path = if a.core {
            a.name().to_string()
        } else {
            format!("{}:{}", a.urn, a.name())
        };
        let f = format!("userName eq \"{user_name}\" and {path} eq \"{other}\"");
        let l = c.get(&format!("{}?filter={}", c.users(), enc(&f))).await;
        reached(&l)?;
        if l.code() == 400 && l.body()["scimType"] == "invalidFilter" {
            // RFC 7644 Table 9: a target may decline an attribute it does not filter on.
            continue;
        }
        status(&l, &[200])?;
        judged += 1;
        let found = ids(&l).contains(&id);
        let case_exact = a.def["caseExact"] == true;
        if found == case_exact {
            wrong.push(format!(
                "{} (caseExact {case_exact}): `{path} eq \"{other}\"` {} the stored {v:?}",
                a.label(),
                if found { "matched" } else { "did not match" }
            ));
        }
    }
    // The Group's displayName too (RFC 7643 §4.2; caseExact as the target declares it).
    if let Ok(groups) = c.groups() {
        let groups = groups.to_string();
        let name = format!("{}-MiXed", c.name("group"));
        let g = c
            .post(
                &groups,
                &json!({"schemas": [crate::conformance::context::GROUP], "displayName": name}),
            )
            .await;
        if let Some(gid) = g.body()["id"].as_str() {
            c.track(&c.url_of(&format!("{groups}/{gid}")));
        }
        if matches!(g.code(), 200 | 201) && g.body()["displayName"] == name.as_str() {
            let gid = g.body()["id"].as_str().unwrap_or_default().to_string();
            let f = format!("displayName eq \"{}\"", name.to_uppercase());
            let l = c.get(&format!("{groups}?filter={}", enc(&f))).await;
            reached(&l)?;
            if l.code() == 200 {
                judged += 1;
                let found = ids(&l).contains(&gid);
                let case_exact = c
                    .caps()
                    .attribute(crate::conformance::context::GROUP, "displayName")
                    .is_some_and(|a| a["caseExact"] == true);
                if found == case_exact {
                    wrong.push(format!(
                        "Group displayName (caseExact {case_exact}): `{f}` {} the stored {name:?}",
                        if found { "matched" } else { "did not match" }
                    ));
                }
            } else if !(l.code() == 400 && l.body()["scimType"] == "invalidFilter") {
                status(&l, &[200])?;
            }
        }
    }
    if judged == 0 {
        return Err(Finding::skip(
            "no declared string attribute was stored as sent and filterable",
        ));
    }
    ensure(wrong.is_empty(), || {
        format!(
            "RFC 7643 §7: \"The server SHALL use case sensitivity when evaluating filters\" as each attribute declares: {}",
            wrong.join("; ")
        )
    })
}

/// The assigned top-level attribute names of a resource (core) and of its extension objects
/// (`urn:…:name`), `meta` left out (RFC 7643 §2.5: null and [] are unassigned).
fn returned_names(v: &Value) -> std::collections::BTreeSet<String> {
    let mut out = std::collections::BTreeSet::new();
    for (k, x) in v.as_object().into_iter().flatten() {
        if k == "meta" || crate::conformance::context::unassigned(x) {
            continue;
        }
        if k.starts_with("urn:") && x.is_object() {
            for (sub, y) in x.as_object().into_iter().flatten() {
                if !crate::conformance::context::unassigned(y) {
                    out.insert(format!("{k}:{sub}"));
                }
            }
        } else {
            out.insert(k.to_ascii_lowercase());
        }
    }
    out
}

async fn case_insensitive_sort(c: &Ctx) -> CheckResult {
    use crate::conformance::checks::filter::{Fixture, labels_of};
    // Core single-valued writable string attributes declared caseExact false (at most four, to
    // bound the users this creates): "a…" < "B…" < "c…" case-insensitively, while code-point
    // order puts "B…" first.
    let attrs: Vec<Attr> = user_attrs(c)?
        .into_iter()
        .map(|(a, _)| a)
        .filter(|a| {
            a.core
                && a.kind() == "string"
                && !a.multi()
                && a.def["caseExact"] != true
                && (a.is("mutability", "readWrite") || a.def["mutability"].is_null())
                && a.def["uniqueness"].as_str().is_none_or(|u| u == "none")
                && a.def["canonicalValues"]
                    .as_array()
                    .is_none_or(Vec::is_empty)
                && ![
                    "password",
                    "userName",
                    "preferredLanguage",
                    "locale",
                    "timezone",
                ]
                .iter()
                .any(|n| a.name().eq_ignore_ascii_case(n))
        })
        .take(4)
        .collect();
    if attrs.is_empty() {
        return Err(Finding::skip(
            "the target declares no writable caseExact=false string attribute besides userName",
        ));
    }
    let mut wrong = Vec::new();
    for a in &attrs {
        let n = a.name().to_string();
        let fx = Fixture::new(
            c,
            vec![
                ("p", json!({ n.clone(): "c-value" })),
                ("q", json!({ n.clone(): "B-value" })),
                ("r", json!({ n.clone(): "a-value" })),
            ],
        )
        .await?;
        let stored: Vec<Option<&str>> = fx
            .users
            .iter()
            .map(|(_, u)| get(&u.body, a).and_then(Value::as_str))
            .collect();
        if stored != [Some("c-value"), Some("B-value"), Some("a-value")] {
            // The server normalised or dropped the values: nothing to judge for this one.
            continue;
        }
        let got = labels_of(c, &fx, &fx.scope(), &format!("&sortBy={n}")).await?;
        if got != ["r", "q", "p"] {
            wrong.push(format!(
                "sortBy={n} gave {got:?} for the values [p: \"c-value\", q: \"B-value\", r: \"a-value\"], expected [r, q, p]"
            ));
        }
    }
    ensure(wrong.is_empty(), || {
        format!(
            "RFC 7644 §3.4.2.3: sorting follows the attribute's case sensitivity (RFC 7643 §7 caseExact false): {}",
            wrong.join("; ")
        )
    })
}

async fn returned_consistent(c: &Ctx) -> CheckResult {
    // RFC 7643 §7: returned "default: The attribute is returned by default in all SCIM
    // operation responses where attribute values are returned" — no keyword, hence advice.
    let attrs: Vec<Attr> = user_attrs(c)?
        .into_iter()
        .map(|(a, _)| a)
        .filter(|a| {
            a.kind() == "string"
                && !a.multi()
                && (a.is("mutability", "readWrite") || a.def["mutability"].is_null())
                && a.def["uniqueness"].as_str().is_none_or(|u| u == "none")
                && a.def["canonicalValues"]
                    .as_array()
                    .is_none_or(Vec::is_empty)
                && ![
                    "password",
                    "userName",
                    "preferredLanguage",
                    "locale",
                    "timezone",
                ]
                .iter()
                .any(|n| a.name().eq_ignore_ascii_case(n))
        })
        .collect();
    let mut body = json!({"schemas": [USER], "userName": c.name("returned")});
    for a in &attrs {
        set(&mut body, a, Value::String(c.name(a.name())));
    }
    let r = post_tracked(c, &body).await;
    reached(&r)?;
    if !matches!(r.code(), 200 | 201) || r.body()["id"].as_str().is_none() {
        return Err(Finding::skip(format!(
            "precondition not met: the user this check needs was refused ({})",
            r.code()
        )));
    }
    let id = r.body()["id"].as_str().unwrap_or_default().to_string();
    let user_name = r.body()["userName"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let mut seen: Vec<(String, std::collections::BTreeSet<String>)> =
        vec![("the 201 of POST".into(), returned_names(r.body()))];
    let g = c.get(&c.user_path(&id)).await;
    status(&g, &[200])?;
    seen.push(("GET by id".into(), returned_names(g.body())));
    let f = format!("userName eq \"{user_name}\"");
    let l = c.get(&format!("{}?filter={}", c.users(), enc(&f))).await;
    status(&l, &[200])?;
    if let Some(item) = l.body()["Resources"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["id"] == id.as_str()))
    {
        seen.push(("a filtered list".into(), returned_names(item)));
    }
    let s = c
        .post(
            &format!("{}/.search", c.users()),
            &json!({"schemas": [crate::conformance::context::SEARCH], "filter": f}),
        )
        .await;
    if s.code() == 200
        && let Some(item) = s.body()["Resources"]
            .as_array()
            .and_then(|a| a.iter().find(|x| x["id"] == id.as_str()))
    {
        seen.push((".search".into(), returned_names(item)));
    }
    let mut put_body = g.body().clone();
    if let Value::Object(m) = &mut put_body {
        m.remove("meta");
        m.remove("id");
    }
    let p = c.put(&c.user_path(&id), &put_body).await;
    if p.code() == 200 && p.body().is_object() {
        seen.push(("the 200 of PUT".into(), returned_names(p.body())));
    }
    let (first_what, first) = &seen[1];
    let mut differ = Vec::new();
    for (what, names) in &seen {
        if names != first {
            let only_here: Vec<&String> = names.difference(first).collect();
            let missing: Vec<&String> = first.difference(names).collect();
            differ.push(format!(
                "{what} vs {first_what}: {}{}",
                if only_here.is_empty() {
                    String::new()
                } else {
                    format!("also {only_here:?} ")
                },
                if missing.is_empty() {
                    String::new()
                } else {
                    format!("without {missing:?}")
                }
            ));
        }
    }
    ensure(differ.is_empty(), || {
        format!(
            "the attributes returned differ between operations: {}",
            differ.join("; ")
        )
    })
}

async fn uniqueness(c: &Ctx) -> CheckResult {
    let attrs = user_attrs(c)?;
    let unique: Vec<&Attr> = attrs
        .iter()
        .map(|(a, _)| a)
        .filter(|a| {
            (a.is("uniqueness", "server") || a.is("uniqueness", "global"))
                && !a.is("mutability", "readOnly")
                && !a.multi()
                && valid_value(c, a).is_some()
        })
        .collect();
    if unique.is_empty() {
        return Err(Finding::skip(
            "no writable single-valued string attribute of User is declared unique",
        ));
    }
    for a in unique {
        let mut first = required_body(c, &attrs, None)?;
        let value = match get(&first, a) {
            Some(v) => v.clone(),
            None => {
                let v = valid_value(c, a).unwrap_or(Value::Null);
                set(&mut first, a, v.clone());
                v
            }
        };
        let r = post_tracked(c, &first).await;
        if r.code() != 201 {
            return Err(Finding::error(format!(
                "could not create the first user with {} = {value}: {} {}",
                a.label(),
                r.code(),
                truncate(&r.text, 200)
            )));
        }
        let mut variants = vec![value.clone()];
        if a.def["caseExact"] == false
            && let Some(s) = value.as_str()
        {
            variants.push(Value::String(s.to_uppercase()));
        }
        for v in variants {
            let mut second = required_body(c, &attrs, None)?;
            set(&mut second, a, v.clone());
            let r = post_tracked(c, &second).await;
            scim_error(&r, 409, Some("uniqueness")).map_err(|f| Finding {
                reason: format!(
                    "{} is declared uniqueness {}; a second user with {v}: {}",
                    a.label(),
                    a.def["uniqueness"],
                    f.reason
                ),
                ..f
            })?;
        }
    }
    Ok(())
}

/// A sample value carrying `marker` for a readOnly attribute, by declared type.
fn marked(def: &Value, marker: &str, depth: usize) -> Option<Value> {
    let one = match def["type"].as_str().unwrap_or_default() {
        "string" => Value::String(marker.to_string()),
        "reference" => Value::String(format!("https://example.invalid/{marker}")),
        "complex" if depth == 0 => {
            let mut m = Map::new();
            for s in def["subAttributes"].as_array().into_iter().flatten() {
                if let (Some(n), Some(v)) = (s["name"].as_str(), marked(s, marker, depth + 1)) {
                    m.insert(n.to_string(), v);
                }
            }
            if m.is_empty() {
                return None;
            }
            Value::Object(m)
        }
        _ => return None,
    };
    Some(if def["multiValued"] == true && depth == 0 {
        json!([one])
    } else {
        one
    })
}

async fn read_only(c: &Ctx) -> CheckResult {
    let attrs = user_attrs(c)?;
    let marker = format!("scimtest-ro-{}", uuid::Uuid::new_v4().simple());
    let old = "1999-01-01T00:00:00Z";
    let mut body = required_body(c, &attrs, None)?;
    // The common attributes (RFC 7643 §3.1) are readOnly wherever they are declared.
    body["id"] = json!(marker);
    body["meta"] =
        json!({"created": old, "lastModified": old, "version": format!("W/\"{marker}\"")});
    let mut sent = vec!["id".to_string(), "meta".to_string()];
    for (a, _) in &attrs {
        if a.is("mutability", "readOnly")
            && let Some(v) = marked(&a.def, &marker, 0)
        {
            set(&mut body, a, v);
            sent.push(a.label());
        }
    }
    let r = post_tracked(c, &body).await;
    status(&r, &[201])?;
    let id = r.body()["id"].as_str().unwrap_or_default().to_string();
    let loc = c.user_path(&id);
    let verify = |when: &str, got: &crate::client::http::Resp| -> CheckResult {
        ensure(!got.text.contains(&marker), || {
            format!(
                "{when}: a value sent for a readOnly attribute ({}) was stored: {}",
                sent.join(", "),
                truncate(&got.text, 300)
            )
        })?;
        ensure(got.body()["meta"]["created"] != old, || {
            format!("{when}: the client's meta.created was stored")
        })
    };
    let g = c.get(&loc).await;
    status(&g, &[200])?;
    verify("after POST", &g)?;
    let mut put = body.clone();
    if let Value::Object(m) = &mut put {
        m.insert("userName".into(), g.body()["userName"].clone());
    }
    let p = c.put(&loc, &put).await;
    status(&p, &[200])?;
    let g = c.get(&loc).await;
    status(&g, &[200])?;
    ensure(g.body()["id"] == id.as_str(), || {
        format!("after PUT the id is {}", g.body()["id"])
    })?;
    verify("after PUT", &g)
}

async fn required(c: &Ctx) -> CheckResult {
    let attrs = user_attrs(c)?;
    let control = required_body(c, &attrs, None)?;
    let r = post_tracked(c, &control).await;
    if r.code() != 201 {
        return Err(Finding::error(format!(
            "a user with every required attribute could not be created: {} {}",
            r.code(),
            truncate(&r.text, 200)
        )));
    }
    let required: Vec<String> = attrs
        .iter()
        .filter(|(a, ext)| {
            a.def["required"] == true && !a.is("mutability", "readOnly") && (a.core || *ext)
        })
        .map(|(a, _)| a.label())
        .collect();
    if required.is_empty() {
        return Err(Finding::skip(
            "no writable User attribute is declared required",
        ));
    }
    for label in required {
        let body = required_body(c, &attrs, Some(&label))?;
        let r = post_tracked(c, &body).await;
        scim_error(&r, 400, None).map_err(|f| Finding {
            reason: format!(
                "{label} is declared required; a POST without it: {}",
                f.reason
            ),
            ..f
        })?;
    }
    Ok(())
}

async fn returned_never(c: &Ctx) -> CheckResult {
    let attrs = user_attrs(c)?;
    let hidden: Vec<&Attr> = attrs
        .iter()
        .map(|(a, _)| a)
        .filter(|a| {
            (a.is("returned", "never") || a.is("mutability", "writeOnly"))
                && !a.is("mutability", "readOnly")
                && matches!(a.kind().as_str(), "string" | "binary")
                && !a.multi()
        })
        .collect();
    if hidden.is_empty() {
        return Err(Finding::skip(
            "no writable User attribute is declared returned never or writeOnly",
        ));
    }
    let secret = format!("Sc1m-{}-Aa!", uuid::Uuid::new_v4().simple());
    let mut body = required_body(c, &attrs, None)?;
    for a in &hidden {
        let v = if a.kind() == "binary" {
            "c2NpbXRlc3Q=".to_string()
        } else {
            secret.clone()
        };
        set(&mut body, a, Value::String(v));
    }
    let r = post_tracked(c, &body).await;
    status(&r, &[201])?;
    let id = r.body()["id"].as_str().unwrap_or_default().to_string();
    let path = c.user_path(&id);
    let names: Vec<String> = hidden.iter().map(|a| a.label()).collect();
    let mut seen = vec![("the 201".to_string(), r)];
    seen.push(("GET".into(), c.get(&path).await));
    let projected: Vec<&str> = hidden.iter().map(|a| a.name()).collect();
    seen.push((
        format!("GET ?attributes={}", projected.join(",")),
        c.get(&format!(
            "{path}?attributes={}",
            enc(&format!("userName,{}", projected.join(",")))
        ))
        .await,
    ));
    if c.caps().has(Capability::Filter) {
        let f = format!("id eq \"{id}\"");
        seen.push((
            "a filtered list".into(),
            c.get(&format!("{}?filter={}", c.users(), enc(&f))).await,
        ));
    }
    for (when, resp) in &seen {
        reached(resp)?;
        ensure(resp.code() < 300, || {
            format!("{when} answered {}", resp.code())
        })?;
        let bodies: Vec<&Value> = if resp.body()["Resources"].is_array() {
            ensure(ids(resp).contains(&id), || {
                format!("{when} did not return the user")
            })?;
            resp.body()["Resources"]
                .as_array()
                .into_iter()
                .flatten()
                .collect()
        } else {
            vec![resp.body()]
        };
        for a in &hidden {
            ensure(bodies.iter().all(|b| get(b, a).is_none()), || {
                format!("{when} returns {} ({})", a.label(), names.join(", "))
            })?;
        }
        ensure(!resp.text.contains(&secret), || {
            format!("{when} contains the value written to {}", names.join(", "))
        })?;
    }
    Ok(())
}
