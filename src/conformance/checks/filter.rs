//! Filtering (RFC 7644 §3.4.2.2): every comparison operator, `and`/`or`/`not` and grouping,
//! value paths, sub-attributes, URN-qualified extension attributes, dateTime and boolean
//! comparisons, `caseExact`, string escapes, and the errors for malformed filters. Each check
//! creates a few users named `<base>-<label>` and scopes its queries with `userName sw "<base>"`,
//! so the expected result set is exact even on a target that holds other users. Also owns the
//! user-set fixture that the pagination and sort checks share.

use crate::check;
use crate::client::http::Resp;
use crate::conformance::context::{
    Created, Ctx, ENTERPRISE, LIST, USER, enc, ensure, reached, scim_error, status, truncate,
};
use crate::conformance::model::{Check, CheckResult, Finding};
use serde_json::{Map, Value, json};

/// The filter checks.
pub fn checks() -> Vec<Check> {
    vec![
        check!(op_eq, "filter.op.eq", "eq returns exactly the matching user (equality, never a prefix)", "RFC 7644 §3.4.2.2", Must, [Filter],
            fault FilterIgnored, "Evaluate the filter parameter; `userName eq \"x\"` must return only x."),
        check!(op_ne, "filter.op.ne", "ne returns every user but the named one", "RFC 7644 §3.4.2.2", Must, [Filter],
            fault FilterIgnored, "Implement `ne` as the negation of `eq`."),
        check!(op_co, "filter.op.co", "co matches substrings", "RFC 7644 §3.4.2.2", Must, [Filter],
            fault FilterIgnored, "Implement `co` as a substring test (case-insensitive unless caseExact)."),
        check!(op_sw, "filter.op.sw", "sw matches prefixes", "RFC 7644 §3.4.2.2", Must, [Filter],
            fault FilterIgnored, "Implement `sw` as a prefix test (case-insensitive unless caseExact)."),
        check!(op_ew, "filter.op.ew", "ew matches suffixes", "RFC 7644 §3.4.2.2", Must, [Filter],
            fault FilterIgnored, "Implement `ew` as a suffix test (case-insensitive unless caseExact)."),
        check!(op_pr, "filter.op.pr", "pr matches users that have a value", "RFC 7644 §3.4.2.2", Must, [Filter],
            fault FilterIgnored, "Implement `pr`: true when the attribute has a non-empty value."),
        check!(op_gt, "filter.op.gt", "gt orders strings lexically, excluding equal values", "RFC 7644 §3.4.2.2", Must, [Filter],
            fault FilterIgnored, "Implement `gt` with lexical order for strings."),
        check!(op_ge, "filter.op.ge", "ge includes equal values", "RFC 7644 §3.4.2.2", Must, [Filter],
            fault FilterGeLeExclusive, "`ge` is greater than OR EQUAL: include the equal value."),
        check!(op_lt, "filter.op.lt", "lt orders strings lexically, excluding equal values", "RFC 7644 §3.4.2.2", Must, [Filter],
            fault FilterIgnored, "Implement `lt` with lexical order for strings."),
        check!(op_le, "filter.op.le", "le includes equal values", "RFC 7644 §3.4.2.2", Must, [Filter],
            fault FilterGeLeExclusive, "`le` is less than OR EQUAL: include the equal value."),
        check!(eq_case_insensitive, "filter.eq.case-insensitive", "userName eq matches regardless of case", "RFC 7644 §3.4.2.2; RFC 7643 §2.3.1, §4.1", Must, [Filter],
            fault FilterCaseSensitive, "Compare caseExact=false attributes such as userName case-insensitively; Okta and Entra look users up in a different case."),
        check!(eq_case_exact, "filter.eq.case-exact", "externalId (caseExact) eq compares case-sensitively", "RFC 7643 §2.3.1, §3.1", Must, [Filter],
            fault FilterIgnored, "Compare caseExact=true attributes (id, externalId) exactly."),
        check!(keywords_case, "filter.keywords.case-insensitive", "Attribute names and operators are case-insensitive (USERNAME EQ)", "RFC 7644 §3.4.2.2", Must, [Filter],
            fault FilterKeywordsCaseSensitive, "Match attribute names, operators and and/or/not case-insensitively."),
        check!(logic_and, "filter.logic.and", "and returns the intersection", "RFC 7644 §3.4.2.2", Must, [Filter],
            fault FilterIgnored, "Evaluate `and` as both sides holding."),
        check!(logic_or, "filter.logic.or", "or returns the union", "RFC 7644 §3.4.2.2", Must, [Filter],
            fault FilterIgnored, "Evaluate `or` as either side holding."),
        check!(logic_precedence, "filter.logic.precedence", "and binds tighter than or", "RFC 7644 §3.4.2.2", Must, [Filter],
            fault FilterNoPrecedence, "Parse `a or b and c` as `a or (b and c)`: and has higher precedence (Table 5)."),
        check!(logic_grouping, "filter.logic.grouping", "Parentheses override precedence", "RFC 7644 §3.4.2.2", Must, [Filter],
            fault FilterIgnored, "Honour ( ) grouping: `(a or b) and c`."),
        check!(logic_not, "filter.logic.not", "not (…) negates", "RFC 7644 §3.4.2.2", Must, [Filter],
            fault FilterNotIgnored, "Evaluate `not (x)` as the negation of x."),
        check!(value_path, "filter.value-path", "A value path matches within one element only", "RFC 7644 §3.4.2.2", May, [Filter],
            fault ValuePathAcrossElements, "Evaluate `emails[type eq \"work\" and value co \"x\"]` against each element on its own."),
        check!(sub_attribute, "filter.sub-attribute", "name.familyName eq matches the sub-attribute", "RFC 7644 §3.4.2.2", Must, [Filter],
            fault FilterIgnored, "Resolve `attr.sub` paths into complex attributes."),
        check!(multi_valued_sub, "filter.multi-valued-sub-attribute", "emails.type eq matches when any element does", "RFC 7644 §3.4.2.2", Must, [Filter],
            fault FilterIgnored, "A sub-attribute of a multi-valued attribute matches when any element matches."),
        check!(urn_qualified, "filter.urn-qualified", "A URN-qualified enterprise attribute can be filtered", "RFC 7644 §3.4.2.2, §3.10", Must, [Filter, EnterpriseUser],
            fault FilterIgnored, "Resolve `urn:…:enterprise:2.0:User:employeeNumber` to the extension attribute."),
        check!(date_time, "filter.date-time", "meta.lastModified gt/lt compare instants, across time-zone offsets", "RFC 7644 §3.4.2.2; RFC 7643 §2.3.5", Must, [Filter],
            fault FilterDatetimeAsString, "Parse dateTime literals and compare instants, not text: `+14:00` and `Z` times must order chronologically."),
        check!(boolean, "filter.boolean", "active eq false matches only inactive users", "RFC 7644 §3.4.2.2", Must, [Filter],
            fault FilterIgnored, "Compare booleans with eq/ne; IdPs use `active eq false`."),
        check!(escapes, "filter.escapes", "String literals honour JSON escapes (\\\" and \\\\)", "RFC 7644 §3.4.2.2; RFC 7159 §7", Must, [Filter],
            fault FilterIgnored, "Unescape compValue strings as JSON strings before comparing."),
        check!(syntax_error, "filter.error.syntax", "Malformed filters are a 400 SCIM error", "RFC 7644 §3.4.2.2, §3.12", Must, [Filter],
            fault BadFilter200, "Reject filters that do not parse with 400 (scimType invalidFilter fits; never 500, never an unfiltered list)."),
        check!(ordering_on_boolean, "filter.error.ordering-on-boolean", "gt on a boolean is 400 invalidFilter", "RFC 7644 §3.4.2.2", Must, [Filter],
            fault BadFilter200, "Refuse gt/ge/lt/le on boolean and binary attributes with 400 invalidFilter."),
        check!(unknown_attribute, "filter.error.unknown-attribute", "A filter on an undefined attribute is a 400 or matches nothing, never everything", "RFC 7644 §3.4.2.2, §3.12", Must, [Filter],
            fault FilterIgnored, "Answer filters on attributes the schema does not define with 400 invalidFilter, or with an empty list; never with unfiltered results."),
        check!(miss_empty, "filter.miss.empty-list", "A filter that matches nothing is 200 with totalResults 0", "RFC 7644 §3.4.2", Must, [Filter],
            fault FilterMiss404, "Answer a query with no matches with 200 and an empty ListResponse, never 404."),
        check!(miss_entra, "filter.miss.entra-lookup", "Entra's userName/externalId look-ups of unknown users are 200 empty lists", "RFC 7644 §3.4.2", Dialect, [Filter],
            fault FilterMiss404, "Entra looks a user up before creating it; a 404 (or an error) for no match stops provisioning. Answer 200 with totalResults 0."),
    ]
}

/// Users one check created, named `<base>-<label>`.
pub(crate) struct Fixture {
    /// The common userName prefix.
    pub base: String,
    /// (label, created user), in creation order.
    pub users: Vec<(String, Created)>,
}

impl Fixture {
    /// Create one user per `(label, extra attributes)`, in order; `userName` is `<base>-<label>`.
    pub(crate) async fn new(c: &Ctx, specs: Vec<(&str, Value)>) -> Result<Fixture, Finding> {
        let base = c.name("f");
        let mut users = Vec::new();
        for (label, extra) in specs {
            let mut body = match extra {
                Value::Object(m) => m,
                _ => Map::new(),
            };
            body.insert("userName".into(), json!(format!("{base}-{label}")));
            let u = c.create_user(Value::Object(body)).await?;
            users.push((label.to_string(), u));
        }
        Ok(Fixture { base, users })
    }

    /// The userName of `label`.
    pub(crate) fn user_name(&self, label: &str) -> String {
        format!("{}-{label}", self.base)
    }

    /// The filter that selects exactly this fixture's users.
    pub(crate) fn scope(&self) -> String {
        format!("userName sw \"{}\"", self.base)
    }

    /// `scope and (f)`.
    pub(crate) fn scoped(&self, f: &str) -> String {
        format!("{} and ({f})", self.scope())
    }

    /// The labels of a ListResponse's resources, in order; others show as `foreign:<id>`.
    pub(crate) fn labels(&self, r: &Resp) -> Vec<String> {
        r.body()["Resources"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|x| {
                        let id = x["id"].as_str().unwrap_or_default();
                        self.users
                            .iter()
                            .find(|(_, u)| u.id == id)
                            .map_or_else(|| format!("foreign:{id}"), |(l, _)| l.clone())
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// GET the users endpoint with `filter` and extra query parameters (`&count=2`…).
pub(crate) async fn list(c: &Ctx, filter: &str, params: &str) -> Resp {
    c.get(&format!("{}?filter={}{params}", c.users(), enc(filter)))
        .await
}

/// GET with `filter`; 200 required; the labels of the result, in order.
pub(crate) async fn labels_of(
    c: &Ctx,
    fx: &Fixture,
    filter: &str,
    params: &str,
) -> Result<Vec<String>, Finding> {
    let r = list(c, filter, params).await;
    status(&r, &[200])?;
    Ok(fx.labels(&r))
}

/// Fail unless `filter` returns exactly the users `want` (in any order).
async fn expect(c: &Ctx, fx: &Fixture, filter: &str, want: &[&str]) -> CheckResult {
    let mut got = labels_of(c, fx, filter, "").await?;
    got.sort();
    let mut want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
    want.sort();
    ensure(got == want, || {
        format!("filter `{filter}` returned users {got:?}, expected {want:?}")
    })
}

/// As [`expect`], for a filter form a target may decline: RFC 7644 Table 9 lets it refuse "the
/// specified attribute and filter comparison combination" with 400 invalidFilter, which is a
/// Skip that says so, never a wrong result. Answers other than 200 and that refusal still fail.
async fn expect_or_declined(c: &Ctx, fx: &Fixture, filter: &str, want: &[&str]) -> CheckResult {
    let r = list(c, filter, "").await;
    reached(&r)?;
    if r.code() == 400 && r.body()["scimType"] == "invalidFilter" {
        return Err(Finding::skip(format!(
            "the target declines `{filter}` with 400 invalidFilter (RFC 7644 Table 9: an attribute and comparison combination it does not support)"
        )));
    }
    expect(c, fx, filter, want).await
}

/// Three users a, b, c with nothing else set.
async fn abc(c: &Ctx) -> Result<Fixture, Finding> {
    Fixture::new(
        c,
        vec![("a", json!({})), ("b", json!({})), ("c", json!({}))],
    )
    .await
}

async fn op_eq(c: &Ctx) -> CheckResult {
    // "ab" extends "a": eq is equality, never a prefix or substring match.
    let fx = Fixture::new(
        c,
        vec![("a", json!({})), ("ab", json!({})), ("b", json!({}))],
    )
    .await?;
    expect(
        c,
        &fx,
        &format!("userName eq \"{}\"", fx.user_name("a")),
        &["a"],
    )
    .await
}

async fn op_ne(c: &Ctx) -> CheckResult {
    let fx = abc(c).await?;
    let f = fx.scoped(&format!("userName ne \"{}\"", fx.user_name("b")));
    expect_or_declined(c, &fx, &f, &["a", "c"]).await
}

async fn names(c: &Ctx) -> Result<Fixture, Finding> {
    Fixture::new(
        c,
        vec![
            ("a", json!({"displayName": "Ada Alpha"})),
            ("b", json!({"displayName": "Bob Beta"})),
            ("c", json!({"displayName": "Cy Alphonse"})),
        ],
    )
    .await
}

async fn op_co(c: &Ctx) -> CheckResult {
    let fx = names(c).await?;
    expect_or_declined(c, &fx, &fx.scoped("displayName co \"lph\""), &["a", "c"]).await
}

async fn op_sw(c: &Ctx) -> CheckResult {
    let fx = names(c).await?;
    expect_or_declined(c, &fx, &fx.scoped("displayName sw \"Bob\""), &["b"]).await
}

async fn op_ew(c: &Ctx) -> CheckResult {
    let fx = names(c).await?;
    expect_or_declined(c, &fx, &fx.scoped("displayName ew \"pha\""), &["a"]).await
}

/// A writable single-valued string attribute of User, other than displayName, that the target
/// declares (the filter checks that need a second attribute use it), or a Skip.
fn other_attr(c: &Ctx) -> Result<&'static str, Finding> {
    c.user_text_attr(&[
        "title",
        "nickName",
        "userType",
        "preferredLanguage",
        "locale",
    ])
}

async fn op_pr(c: &Ctx) -> CheckResult {
    let x = other_attr(c)?;
    let fx = Fixture::new(
        c,
        vec![
            ("a", json!({ x: "Engineer" })),
            ("b", json!({})),
            ("c", json!({ x: "Pilot" })),
        ],
    )
    .await?;
    expect_or_declined(c, &fx, &fx.scoped(&format!("{x} pr")), &["a", "c"]).await
}

async fn ordering(c: &Ctx, op: &str, want: &[&str]) -> CheckResult {
    let fx = abc(c).await?;
    let f = fx.scoped(&format!("userName {op} \"{}\"", fx.user_name("b")));
    expect_or_declined(c, &fx, &f, want).await
}

async fn op_gt(c: &Ctx) -> CheckResult {
    ordering(c, "gt", &["c"]).await
}

async fn op_ge(c: &Ctx) -> CheckResult {
    ordering(c, "ge", &["b", "c"]).await
}

async fn op_lt(c: &Ctx) -> CheckResult {
    ordering(c, "lt", &["a"]).await
}

async fn op_le(c: &Ctx) -> CheckResult {
    ordering(c, "le", &["a", "b"]).await
}

async fn eq_case_insensitive(c: &Ctx) -> CheckResult {
    let fx = Fixture::new(c, vec![("a", json!({})), ("b", json!({}))]).await?;
    let upper = fx.user_name("a").to_uppercase();
    expect(c, &fx, &format!("userName eq \"{upper}\""), &["a"]).await
}

async fn eq_case_exact(c: &Ctx) -> CheckResult {
    let ext = format!("Ext-{}", uuid::Uuid::new_v4().simple());
    let fx = Fixture::new(c, vec![("a", json!({"externalId": ext})), ("b", json!({}))]).await?;
    expect(
        c,
        &fx,
        &fx.scoped(&format!("externalId eq \"{ext}\"")),
        &["a"],
    )
    .await?;
    let other = ext.to_lowercase();
    expect(
        c,
        &fx,
        &fx.scoped(&format!("externalId eq \"{other}\"")),
        &[],
    )
    .await
}

async fn keywords_case(c: &Ctx) -> CheckResult {
    let fx = Fixture::new(c, vec![("a", json!({})), ("b", json!({}))]).await?;
    expect(
        c,
        &fx,
        &format!("USERNAME EQ \"{}\"", fx.user_name("a")),
        &["a"],
    )
    .await?;
    let f = format!(
        "UserName SW \"{}\" AND NOT (userName Eq \"{}\")",
        fx.base,
        fx.user_name("a")
    );
    expect(c, &fx, &f, &["b"]).await
}

/// a: x = X and displayName Y; b: x = X; c: displayName Y; d: neither. Returns the fixture and
/// the attribute standing in for x (title where the target declares it).
async fn xy(c: &Ctx) -> Result<(Fixture, &'static str), Finding> {
    c.needs(USER, &["displayName"])?;
    let x = other_attr(c)?;
    let fx = Fixture::new(
        c,
        vec![
            ("a", json!({ x: "Xtitle", "displayName": "Ydisplay" })),
            ("b", json!({ x: "Xtitle" })),
            ("c", json!({"displayName": "Ydisplay"})),
            ("d", json!({})),
        ],
    )
    .await?;
    Ok((fx, x))
}

async fn logic_and(c: &Ctx) -> CheckResult {
    let (fx, x) = xy(c).await?;
    let f = fx.scoped(&format!(
        "{x} eq \"Xtitle\" and displayName eq \"Ydisplay\""
    ));
    expect(c, &fx, &f, &["a"]).await
}

async fn logic_or(c: &Ctx) -> CheckResult {
    let (fx, x) = xy(c).await?;
    let f = fx.scoped(&format!("{x} eq \"Xtitle\" or displayName eq \"Ydisplay\""));
    expect(c, &fx, &f, &["a", "b", "c"]).await
}

async fn logic_precedence(c: &Ctx) -> CheckResult {
    let (fx, x) = xy(c).await?;
    // d or (b-ish and c-ish) = {d, a}; misread as (d or X) and Y = {a}.
    let f = fx.scoped(&format!(
        "userName eq \"{}\" or {x} eq \"Xtitle\" and displayName eq \"Ydisplay\"",
        fx.user_name("d")
    ));
    expect(c, &fx, &f, &["a", "d"]).await
}

async fn logic_grouping(c: &Ctx) -> CheckResult {
    let (fx, x) = xy(c).await?;
    let f = fx.scoped(&format!(
        "(userName eq \"{}\" or {x} eq \"Xtitle\") and displayName eq \"Ydisplay\"",
        fx.user_name("d")
    ));
    expect(c, &fx, &f, &["a"]).await
}

async fn logic_not(c: &Ctx) -> CheckResult {
    let fx = abc(c).await?;
    let f = fx.scoped(&format!("not (userName eq \"{}\")", fx.user_name("a")));
    expect(c, &fx, &f, &["b", "c"]).await
}

async fn value_path(c: &Ctx) -> CheckResult {
    let fx = Fixture::new(
        c,
        vec![
            (
                "a",
                json!({"emails": [{"type": "work", "value": "a@alpha.example.com"}]}),
            ),
            (
                "b",
                json!({"emails": [
                    {"type": "home", "value": "b@alpha.example.com"},
                    {"type": "work", "value": "b@beta.example.com"}]}),
            ),
        ],
    )
    .await?;
    let f = fx.scoped("emails[type eq \"work\" and value co \"@alpha\"]");
    expect_or_declined(c, &fx, &f, &["a"]).await
}

async fn sub_attribute(c: &Ctx) -> CheckResult {
    let fx = Fixture::new(
        c,
        vec![
            (
                "a",
                json!({"name": {"givenName": "Ada", "familyName": "Lovelace"}}),
            ),
            (
                "b",
                json!({"name": {"givenName": "Grace", "familyName": "Hopper"}}),
            ),
        ],
    )
    .await?;
    expect_or_declined(
        c,
        &fx,
        &fx.scoped("name.familyName eq \"Lovelace\""),
        &["a"],
    )
    .await
}

async fn multi_valued_sub(c: &Ctx) -> CheckResult {
    let fx = Fixture::new(
        c,
        vec![
            (
                "a",
                json!({"emails": [
                    {"type": "home", "value": "a@home.example.com"},
                    {"type": "work", "value": "a@work.example.com"}]}),
            ),
            (
                "b",
                json!({"emails": [{"type": "home", "value": "b@home.example.com"}]}),
            ),
        ],
    )
    .await?;
    expect_or_declined(c, &fx, &fx.scoped("emails.type eq \"work\""), &["a"]).await
}

async fn urn_qualified(c: &Ctx) -> CheckResult {
    let num = format!("E{}", uuid::Uuid::new_v4().simple());
    let ext = |n: &str| json!({"schemas": [USER, ENTERPRISE], ENTERPRISE: {"employeeNumber": n}});
    let fx = Fixture::new(
        c,
        vec![
            ("a", ext(&format!("{num}-1"))),
            ("b", ext(&format!("{num}-2"))),
        ],
    )
    .await?;
    let f = fx.scoped(&format!("{ENTERPRISE}:employeeNumber eq \"{num}-1\""));
    expect_or_declined(c, &fx, &f, &["a"]).await
}

async fn date_time(c: &Ctx) -> CheckResult {
    let fx = Fixture::new(c, vec![("a", json!({}))]).await?;
    let Some((_, u)) = fx.users.first() else {
        return Err(Finding::error("no user was created"));
    };
    let lm = u.body["meta"]["lastModified"].as_str().unwrap_or_default();
    let Some(t) = crate::conformance::context::parse_datetime(lm) else {
        return Err(Finding::error(format!(
            "the created user's meta.lastModified {lm:?} is not an RFC 3339 dateTime"
        )));
    };
    let hour = chrono::Duration::hours(1);
    let zone = |secs| chrono::FixedOffset::east_opt(secs).ok_or_else(|| Finding::error("offset"));
    let before = (t - hour).with_timezone(&zone(14 * 3600)?).to_rfc3339();
    let after_west = (t + hour).with_timezone(&zone(-12 * 3600)?).to_rfc3339();
    let after_utc = (t + hour).with_timezone(&chrono::Utc).to_rfc3339();
    // An hour before, written at +14:00, reads as later text than the stored UTC time.
    expect_or_declined(
        c,
        &fx,
        &fx.scoped(&format!("meta.lastModified gt \"{before}\"")),
        &["a"],
    )
    .await?;
    expect_or_declined(
        c,
        &fx,
        &fx.scoped(&format!("meta.lastModified lt \"{after_west}\"")),
        &["a"],
    )
    .await?;
    expect_or_declined(
        c,
        &fx,
        &fx.scoped(&format!("meta.lastModified gt \"{after_utc}\"")),
        &[],
    )
    .await
}

async fn boolean(c: &Ctx) -> CheckResult {
    let fx = Fixture::new(
        c,
        vec![
            ("a", json!({"active": true})),
            ("b", json!({"active": false})),
            ("c", json!({"active": true})),
        ],
    )
    .await?;
    expect_or_declined(c, &fx, &fx.scoped("active eq false"), &["b"]).await?;
    expect_or_declined(c, &fx, &fx.scoped("active eq true"), &["a", "c"]).await
}

async fn escapes(c: &Ctx) -> CheckResult {
    let tricky = "Say \"hi\" \\o/ caf\u{e9}";
    let fx = Fixture::new(
        c,
        vec![
            ("a", json!({"displayName": tricky})),
            ("b", json!({"displayName": "Say hi"})),
        ],
    )
    .await?;
    let literal = serde_json::to_string(tricky).unwrap_or_default();
    expect(
        c,
        &fx,
        &fx.scoped(&format!("displayName eq {literal}")),
        &["a"],
    )
    .await
}

async fn syntax_error(c: &Ctx) -> CheckResult {
    for bad in [
        "userName eq",
        "userName zz \"a\"",
        "(userName eq \"a\"",
        "userName eq \"unterminated",
        "userName eq \"a\" and",
    ] {
        let r = list(c, bad, "").await;
        // Table 9 describes invalidFilter, but RFC 7644 §3.12 makes scimType OPTIONAL and no
        // sentence mandates it for a syntax error (only §3.4.2.2's ordering on booleans).
        scim_error(&r, 400, None)
            .map_err(|f| Finding::fail(format!("filter `{bad}`: {}", f.reason)))?;
    }
    Ok(())
}

async fn ordering_on_boolean(c: &Ctx) -> CheckResult {
    let r = list(c, "active gt true", "").await;
    scim_error(&r, 400, Some("invalidFilter"))
}

async fn unknown_attribute(c: &Ctx) -> CheckResult {
    // Something a filter that matches everything would return.
    c.create_user(json!({})).await?;
    let f = "scimtestNoSuchAttribute eq \"x\"";
    let r = list(c, f, "").await;
    reached(&r)?;
    if r.code() == 200 {
        // The RFC does not say how an undefined attribute is filtered; matching nothing
        // never returns wrong data.
        return empty_list(&r, &format!("filter `{f}` (undefined attribute)"));
    }
    scim_error(&r, 400, None)
}

/// 200, a ListResponse, totalResults 0, no resources.
fn empty_list(r: &Resp, what: &str) -> CheckResult {
    status(r, &[200]).map_err(|f| Finding::fail(format!("{what}: {}", f.reason)))?;
    let b = r.body();
    ensure(
        b["schemas"]
            .as_array()
            .is_some_and(|s| s.iter().any(|u| u == LIST)),
        || format!("{what}: not a ListResponse: {}", truncate(&r.text, 200)),
    )?;
    ensure(b["totalResults"] == 0, || {
        format!("{what}: totalResults is {}, expected 0", b["totalResults"])
    })?;
    ensure(b["Resources"].as_array().is_none_or(Vec::is_empty), || {
        format!("{what}: Resources is not empty")
    })
}

async fn miss_empty(c: &Ctx) -> CheckResult {
    let f = format!("userName eq \"{}\"", c.name("nobody"));
    let r = list(c, &f, "").await;
    empty_list(&r, &format!("filter `{f}`"))
}

async fn miss_entra(c: &Ctx) -> CheckResult {
    for f in [
        format!("userName eq \"{}\"", c.name("entra-probe")),
        format!("externalId eq \"{}\"", uuid::Uuid::new_v4()),
    ] {
        let r = list(c, &f, "").await;
        empty_list(&r, &format!("filter `{f}`"))?;
    }
    Ok(())
}
