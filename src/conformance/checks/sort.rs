//! Sorting (RFC 7644 §3.4.2.3): `sortBy` ascending by default, `sortOrder=descending`,
//! case-insensitive order for caseExact=false attributes and code-point order for caseExact ones,
//! multi-valued attributes by their primary value, sub-attributes, resources without a value
//! last (ascending) or first (descending), and order kept across pages. Users are created out of
//! order and every query is scoped to them with a filter.

use crate::check;
use crate::conformance::checks::filter::{Fixture, labels_of};
use crate::conformance::context::{Ctx, ensure};
use crate::conformance::model::{Check, CheckResult};
use serde_json::{Value, json};

/// The sort checks.
pub fn checks() -> Vec<Check> {
    vec![
        check!(ascending_default, "sort.ascending-default", "sortBy without sortOrder sorts ascending", "RFC 7644 §3.4.2.3", Must, [Filter, Sort],
            fault SortIgnored, "Apply sortBy; without sortOrder the order SHALL be ascending."),
        check!(descending, "sort.descending", "sortOrder=descending reverses the order", "RFC 7644 §3.4.2.3", Must, [Filter, Sort],
            fault SortOrderIgnored, "Honour sortOrder=descending."),
        check!(case_insensitive, "sort.case-insensitive", "caseExact=false strings sort case-insensitively", "RFC 7644 §3.4.2.3", Must, [Filter, Sort],
            fault SortCaseSensitive, "Sort caseExact=false attributes (userName) case-insensitively: a, B, c — not B, a, c."),
        check!(case_exact, "sort.case-exact", "caseExact strings (externalId) sort by code point", "RFC 7644 §3.4.2.3", Must, [Filter, Sort],
            fault SortIgnored, "Sort caseExact=true attributes case-sensitively, in Unicode code-point order."),
        check!(multi_valued_primary, "sort.multi-valued-primary", "sortBy=emails orders by the primary email, else the first", "RFC 7644 §3.4.2.3", Must, [Filter, Sort],
            fault SortIgnored, "For a multi-valued sortBy, sort by the primary value, or the first when none is primary."),
        check!(sub_attribute, "sort.sub-attribute", "sortBy=name.familyName orders by the sub-attribute", "RFC 7644 §3.4.2.3", Must, [Filter, Sort],
            fault SortIgnored, "Resolve sub-attribute paths in sortBy."),
        check!(missing_values, "sort.missing-values", "Users without the sortBy value come last ascending, first descending", "RFC 7644 §3.4.2.3", Must, [Filter, Sort],
            fault SortMissingFirst, "Order resources without a value for sortBy last when ascending and first when descending."),
        check!(paged, "sort.across-pages", "Sorted results keep their order across pages", "RFC 7644 §3.4.2.3, §3.4.2.4", Must, [Filter, Sort],
            fault SortIgnored, "Sort the whole result before cutting it into pages."),
    ]
}

/// Fail unless the sorted query returns the users in exactly the order `want`.
async fn expect_order(c: &Ctx, fx: &Fixture, params: &str, want: &[&str]) -> CheckResult {
    let got = labels_of(c, fx, &fx.scope(), params).await?;
    ensure(got == want, || {
        format!("{params}: users came back as {got:?}, expected {want:?}")
    })
}

fn plain(labels: &[&'static str]) -> Vec<(&'static str, Value)> {
    labels.iter().map(|l| (*l, json!({}))).collect()
}

async fn ascending_default(c: &Ctx) -> CheckResult {
    let fx = Fixture::new(c, plain(&["b", "c", "a"])).await?;
    expect_order(c, &fx, "&sortBy=userName", &["a", "b", "c"]).await
}

async fn descending(c: &Ctx) -> CheckResult {
    let fx = Fixture::new(c, plain(&["b", "a", "c"])).await?;
    expect_order(
        c,
        &fx,
        "&sortBy=userName&sortOrder=descending",
        &["c", "b", "a"],
    )
    .await
}

async fn case_insensitive(c: &Ctx) -> CheckResult {
    // Code-point order would be B, a, c.
    let fx = Fixture::new(c, plain(&["c", "a", "B"])).await?;
    expect_order(c, &fx, "&sortBy=userName", &["a", "B", "c"]).await
}

async fn case_exact(c: &Ctx) -> CheckResult {
    let u = uuid::Uuid::new_v4().simple().to_string();
    let ext = |s: String| json!({"externalId": s});
    // Code point: "X…b" < "X…c" < "x…a"; case-insensitively a, b, c.
    let fx = Fixture::new(
        c,
        vec![
            ("c", ext(format!("X{u}c"))),
            ("a", ext(format!("x{u}a"))),
            ("b", ext(format!("X{u}b"))),
        ],
    )
    .await?;
    expect_order(c, &fx, "&sortBy=externalId", &["b", "c", "a"]).await
}

async fn multi_valued_primary(c: &Ctx) -> CheckResult {
    let base = uuid::Uuid::new_v4().simple().to_string();
    let mail = |p: &str| format!("{p}-{base}@example.com");
    // Primary (else first): p → c…, q → b…, r → a2…. First value only: p, r, q.
    let fx = Fixture::new(
        c,
        vec![
            (
                "p",
                json!({"emails": [
                    {"value": mail("a1"), "type": "home"},
                    {"value": mail("c"), "type": "work", "primary": true}]}),
            ),
            (
                "q",
                json!({"emails": [{"value": mail("b"), "type": "work", "primary": true}]}),
            ),
            (
                "r",
                json!({"emails": [{"value": mail("a2"), "type": "work"}]}),
            ),
        ],
    )
    .await?;
    expect_order(c, &fx, "&sortBy=emails", &["r", "q", "p"]).await
}

async fn sub_attribute(c: &Ctx) -> CheckResult {
    let fam = |f: &str| json!({"name": {"givenName": "Test", "familyName": f}});
    let fx = Fixture::new(
        c,
        vec![
            ("a", fam("Turing")),
            ("b", fam("Hopper")),
            ("c", fam("Lovelace")),
        ],
    )
    .await?;
    expect_order(c, &fx, "&sortBy=name.familyName", &["b", "c", "a"]).await
}

async fn missing_values(c: &Ctx) -> CheckResult {
    let x = c.user_text_attr(&[
        "title",
        "nickName",
        "userType",
        "preferredLanguage",
        "locale",
    ])?;
    let fx = Fixture::new(
        c,
        vec![
            ("b", json!({})),
            ("c", json!({ x: "Charlie" })),
            ("a", json!({ x: "Alpha" })),
        ],
    )
    .await?;
    expect_order(c, &fx, &format!("&sortBy={x}"), &["a", "c", "b"]).await?;
    expect_order(
        c,
        &fx,
        &format!("&sortBy={x}&sortOrder=descending"),
        &["b", "c", "a"],
    )
    .await
}

async fn paged(c: &Ctx) -> CheckResult {
    let fx = Fixture::new(c, plain(&["d", "b", "e", "a", "c"])).await?;
    let mut got = Vec::new();
    for start in [1, 3, 5] {
        let params = format!("&sortBy=userName&startIndex={start}&count=2");
        got.extend(labels_of(c, &fx, &fx.scope(), &params).await?);
    }
    ensure(got == ["a", "b", "c", "d", "e"], || {
        format!("pages of 2 sorted by userName gave {got:?}, expected a, b, c, d, e")
    })
}
