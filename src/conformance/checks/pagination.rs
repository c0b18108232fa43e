//! Pagination (RFC 7644 §3.4.2.4) and the ListResponse (§3.4.2): shape, `totalResults`,
//! `startIndex` (1-based, echoed, clamped below 1, past the end), `count` (caps the page, 0,
//! negative, above `filter.maxResults`), `itemsPerPage`, and a walk over every page. Every query
//! is scoped to the check's own users with a filter, so other data on the target never counts.

use crate::check;
use crate::client::http::Resp;
use crate::conformance::checks::filter::{Fixture, labels_of, list};
use crate::conformance::context::{Ctx, LIST, ensure, status, truncate};
use crate::conformance::model::{Check, CheckResult, Finding};
use serde_json::json;

/// The pagination checks.
pub fn checks() -> Vec<Check> {
    vec![
        check!(shape, "pagination.list.shape", "A ListResponse has schemas, totalResults and Resources", "RFC 7644 §3.4.2", Must, [Filter],
            fault ListResourcesLowercase, "Answer queries with {\"schemas\": [ListResponse URN], \"totalResults\": n, \"Resources\": [...]} — capital R."),
        check!(total_results, "pagination.total-results", "totalResults counts every match, not the page", "RFC 7644 §3.4.2", Must, [Filter],
            fault TotalResultsIsPageSize, "Set totalResults to the number of resources matching the query across all pages."),
        check!(start_index_echo, "pagination.start-index.echo", "A paged answer echoes startIndex and gives itemsPerPage", "RFC 7644 §3.4.2, §3.4.2.4", Must, [Filter],
            fault PaginationIgnored, "Apply startIndex and count, and send startIndex and itemsPerPage on paged answers."),
        check!(items_per_page, "pagination.items-per-page", "itemsPerPage is the number of resources on the page", "RFC 7644 §3.4.2", Must, [Filter],
            fault ItemsPerPageIsCount, "Set itemsPerPage to the length of Resources, not to the requested count."),
        check!(count_caps, "pagination.count.caps", "No more than count resources are returned", "RFC 7644 §3.4.2.4", Must, [Filter],
            fault PaginationIgnored, "Never return more than count resources on one page."),
        check!(count_zero, "pagination.count.zero", "count=0 returns totalResults and no resources", "RFC 7644 §3.4.2.4", Must, [Filter],
            fault PaginationIgnored, "For count=0 return only totalResults (an empty page)."),
        check!(count_negative, "pagination.count.negative", "A negative count is treated as 0", "RFC 7644 §3.4.2.4", Must, [Filter],
            fault PaginationIgnored, "Interpret count<0 as 0."),
        check!(count_above_max, "pagination.count.above-max", "A count above filter.maxResults is capped, not refused", "RFC 7644 §3.4.2.4; RFC 7643 §5", Advice, [Filter],
            fault CountOverMax400, "count is the client's desired page size: serve min(count, maxResults) resources instead of failing."),
        check!(start_below_one, "pagination.start-index.below-one", "startIndex 0 or negative is treated as 1", "RFC 7644 §3.4.2.4", Must, [Filter],
            fault StartIndexNotClamped, "Interpret startIndex<1 as 1."),
        check!(start_one_based, "pagination.start-index.one-based", "startIndex is 1-based: startIndex=1 starts at the first result", "RFC 7644 §3.4.2.4", Must, [Filter],
            fault StartIndexZeroBased, "startIndex is the 1-based index of the first result; subtract 1 to get an offset."),
        check!(past_end, "pagination.start-index.past-end", "startIndex beyond totalResults gives 200 with an empty page", "RFC 7644 §3.4.2.4", Advice, [Filter],
            fault PaginationIgnored, "A startIndex past the end returns 200, the totalResults and no resources."),
        check!(walk, "pagination.walk", "Walking all pages of a quiescent set returns every user once", "RFC 7644 §3.4.2.4", Advice, [Filter],
            fault PaginationIgnored, "Page over a stable order: on unchanged data, consecutive pages must neither repeat nor skip resources."),
    ]
}

async fn five(c: &Ctx) -> Result<Fixture, Finding> {
    Fixture::new(
        c,
        ["a", "b", "c", "d", "e"].map(|l| (l, json!({}))).to_vec(),
    )
    .await
}

async fn three(c: &Ctx) -> Result<Fixture, Finding> {
    Fixture::new(c, ["a", "b", "c"].map(|l| (l, json!({}))).to_vec()).await
}

/// GET the fixture's users with extra parameters; 200 required.
async fn page(c: &Ctx, fx: &Fixture, params: &str) -> Result<Resp, Finding> {
    let r = list(c, &fx.scope(), params).await;
    status(&r, &[200])?;
    Ok(r)
}

fn resources_len(r: &Resp) -> usize {
    r.body()["Resources"].as_array().map_or(0, Vec::len)
}

fn expect_total(r: &Resp, want: usize, what: &str) -> CheckResult {
    ensure(r.body()["totalResults"] == want, || {
        format!(
            "{what}: totalResults is {}, expected {want}",
            r.body()["totalResults"]
        )
    })
}

async fn shape(c: &Ctx) -> CheckResult {
    let fx = three(c).await?;
    let r = page(c, &fx, "").await?;
    let b = r.body();
    ensure(
        b["schemas"]
            .as_array()
            .is_some_and(|s| s.iter().any(|u| u == LIST)),
        || format!("schemas lacks {LIST}: {}", truncate(&r.text, 200)),
    )?;
    ensure(b["totalResults"].is_u64(), || {
        format!("totalResults is {}, not a number", b["totalResults"])
    })?;
    ensure(b["Resources"].is_array(), || {
        format!(
            "no \"Resources\" array (capital R) although 3 users match: {}",
            truncate(&r.text, 200)
        )
    })?;
    expect_total(&r, 3, "the fixture query")?;
    ensure(resources_len(&r) == 3, || {
        format!("Resources holds {} users, expected 3", resources_len(&r))
    })
}

async fn total_results(c: &Ctx) -> CheckResult {
    let fx = three(c).await?;
    let r = page(c, &fx, "&count=1").await?;
    expect_total(&r, 3, "count=1 over 3 matching users")
}

async fn start_index_echo(c: &Ctx) -> CheckResult {
    let fx = three(c).await?;
    let r = page(c, &fx, "&startIndex=2&count=1").await?;
    let b = r.body();
    ensure(b["startIndex"] == 2, || {
        format!(
            "startIndex=2&count=1: startIndex is {}, expected 2",
            b["startIndex"]
        )
    })?;
    ensure(b["itemsPerPage"] == 1 && resources_len(&r) == 1, || {
        format!(
            "startIndex=2&count=1: itemsPerPage {} with {} resources, expected 1 and 1",
            b["itemsPerPage"],
            resources_len(&r)
        )
    })
}

async fn items_per_page(c: &Ctx) -> CheckResult {
    let fx = three(c).await?;
    // RFC 7644 §3.4.2: itemsPerPage is "The number of resources returned in a list response
    // page. REQUIRED when partial results are returned due to pagination": on a complete answer
    // it may be absent, but when present it is that number.
    for (params, partial) in [("&count=10", false), ("&count=2", true)] {
        let r = page(c, &fx, params).await?;
        let n = resources_len(&r);
        let ipp = &r.body()["itemsPerPage"];
        ensure(if ipp.is_null() { !partial } else { *ipp == n }, || {
            format!(
                "{params} over 3 users: itemsPerPage {ipp} with {n} resources{}",
                if partial {
                    " (a partial page: itemsPerPage is REQUIRED and equals the page size)"
                } else {
                    ""
                }
            )
        })?;
    }
    Ok(())
}

async fn count_caps(c: &Ctx) -> CheckResult {
    let fx = three(c).await?;
    let r = page(c, &fx, "&count=2").await?;
    // RFC 7644 §3.4.2.4: a provider "MUST NOT return more results than specified, although it
    // MAY return fewer results": more than 2 fails, fewer is allowed (but not none).
    ensure((1..=2).contains(&resources_len(&r)), || {
        format!(
            "count=2 over 3 users returned {} resources, expected at most 2 (and at least one)",
            resources_len(&r)
        )
    })
}

async fn empty_page(c: &Ctx, params: &str) -> CheckResult {
    let fx = three(c).await?;
    let r = page(c, &fx, params).await?;
    ensure(resources_len(&r) == 0, || {
        format!(
            "{params} returned {} resources, expected none",
            resources_len(&r)
        )
    })?;
    expect_total(&r, 3, params)
}

async fn count_zero(c: &Ctx) -> CheckResult {
    empty_page(c, "&count=0").await
}

async fn count_negative(c: &Ctx) -> CheckResult {
    empty_page(c, "&count=-1").await
}

async fn past_end(c: &Ctx) -> CheckResult {
    empty_page(c, "&startIndex=4&count=10").await
}

async fn count_above_max(c: &Ctx) -> CheckResult {
    let max = c.caps().max_results().unwrap_or(1000);
    let fx = three(c).await?;
    let params = format!("&count={}", max.saturating_add(1));
    let r = page(c, &fx, &params).await?;
    ensure(resources_len(&r) == 3, || {
        format!(
            "{params} over 3 users returned {} resources, expected 3",
            resources_len(&r)
        )
    })
}

async fn start_below_one(c: &Ctx) -> CheckResult {
    let fx = three(c).await?;
    for params in ["&startIndex=0&count=10", "&startIndex=-5&count=10"] {
        let r = page(c, &fx, params).await?;
        // startIndex is REQUIRED only for partial results; when present it must say 1.
        let start = &r.body()["startIndex"];
        ensure(
            resources_len(&r) == 3 && (start.is_null() || *start == 1),
            || {
                format!(
                    "{params}: startIndex {} with {} resources, expected startIndex 1 and all 3 users",
                    r.body()["startIndex"],
                    resources_len(&r)
                )
            },
        )?;
    }
    Ok(())
}

async fn start_one_based(c: &Ctx) -> CheckResult {
    let fx = three(c).await?;
    let got = labels_of(c, &fx, &fx.scope(), "&startIndex=1&count=3").await?;
    ensure(got.len() == 3, || {
        format!("startIndex=1&count=3 over 3 users returned {got:?}, expected all three")
    })
}

async fn walk(c: &Ctx) -> CheckResult {
    let fx = five(c).await?;
    let mut seen: Vec<String> = Vec::new();
    for start in [1, 3, 5] {
        let params = format!("&startIndex={start}&count=2");
        let r = page(c, &fx, &params).await?;
        expect_total(&r, 5, &params)?;
        seen.extend(fx.labels(&r));
    }
    let mut sorted = seen.clone();
    sorted.sort();
    ensure(sorted == ["a", "b", "c", "d", "e"], || {
        format!("pages of 2 over 5 users returned {seen:?}, expected each of a..e once")
    })
}
