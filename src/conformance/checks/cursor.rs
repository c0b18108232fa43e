//! Cursor-based pagination (RFC 9865): planned from the target's ServiceProviderConfig, so only
//! a target that advertises `"pagination": {"cursor": true}` (§4) runs them; any other target
//! skips them with that reason. Every query is scoped to the check's own users with a filter,
//! so other data on the target never counts. The first page is asked for with an empty `cursor`
//! (§2: "MUST be empty or omitted for the first request"); later pages send the `nextCursor`
//! back with every other parameter unchanged, as §2 requires of the client.

use crate::check;
use crate::client::enc;
use crate::client::http::Resp;
use crate::conformance::checks::filter::{Fixture, list};
use crate::conformance::context::{Ctx, assigned, ensure, reached, status, truncate};
use crate::conformance::model::{Check, CheckResult, Finding};
use serde_json::{Value, json};

/// The cursor checks.
pub fn checks() -> Vec<Check> {
    vec![
        check!(next_cursor, "pagination.cursor.next-cursor", "Every cursor page but the last carries nextCursor", "RFC 9865 §2", Must, [Filter, Cursor],
            fault CursorAdvertisedMissing, "Send nextCursor on every page that is not the last, and omit it only when no results remain."),
        check!(count, "pagination.cursor.count", "A cursor page holds no more than count resources", "RFC 9865 §2", Must, [Filter, Cursor],
            fault CursorCountIgnored, "Apply count to cursor-paged queries too: never return more than count resources on a page."),
        check!(first_no_previous, "pagination.cursor.first-no-previous", "The first cursor page carries no previousCursor", "RFC 9865 §2", Must, [Filter, Cursor],
            fault CursorPreviousOnFirst, "Leave previousCursor out of the first page (the empty-cursor request)."),
        check!(invalid, "pagination.cursor.invalid", "A cursor the server never issued is 400 invalidCursor", "RFC 9865 §2.1", Should, [Filter, Cursor],
            fault CursorNoError, "Reject a cursor you cannot decode with 400 and a SCIM error with \"scimType\": \"invalidCursor\"."),
        check!(walk, "pagination.cursor.walk", "Walking a quiescent set by cursor returns every user exactly once", "RFC 9865 §2", Advice, [Filter, Cursor],
            fault CursorRepeatsPage, "A nextCursor must lead to the page after the one that carried it: on unchanged data, pages neither repeat nor skip resources."),
    ]
}

/// Users in each fixture.
const USERS: [&str; 5] = ["a", "b", "c", "d", "e"];
/// The page size asked for.
const COUNT: usize = 2;
/// Most page requests one walk makes: enough for one user a page and a trailing empty page.
const MAX_PAGES: usize = USERS.len() + 3;

async fn five(c: &Ctx) -> Result<Fixture, Finding> {
    Fixture::new(c, USERS.map(|l| (l, json!({}))).to_vec()).await
}

/// One cursor page of the fixture's users: `cursor` as given (empty for the first page).
async fn cursor_page(c: &Ctx, fx: &Fixture, cursor: &str) -> Result<Resp, Finding> {
    let r = list(
        c,
        &fx.scope(),
        &format!("&count={COUNT}&cursor={}", enc(cursor)),
    )
    .await;
    status(&r, &[200])?;
    Ok(r)
}

fn next_of(r: &Resp) -> Option<String> {
    assigned(r.body(), "nextCursor")
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// The pages of a walk from the empty cursor: each page's labels, and whether the walk ended
/// (a page without nextCursor, or an empty page once every user was seen) within the bound.
struct Walk {
    pages: Vec<Vec<String>>,
    ended: bool,
}

impl Walk {
    fn seen(&self) -> Vec<String> {
        self.pages.iter().flatten().cloned().collect()
    }
    fn missing(&self) -> Vec<&'static str> {
        let seen = self.seen();
        USERS
            .iter()
            .copied()
            .filter(|u| !seen.iter().any(|s| s == u))
            .collect()
    }
}

async fn walk_pages(c: &Ctx, fx: &Fixture) -> Result<Walk, Finding> {
    let mut w = Walk {
        pages: Vec::new(),
        ended: false,
    };
    let mut cursor = String::new();
    for _ in 0..MAX_PAGES {
        let r = cursor_page(c, fx, &cursor).await?;
        let labels = fx.labels(&r);
        let empty = labels.is_empty();
        w.pages.push(labels);
        match next_of(&r) {
            None => {
                w.ended = true;
                break;
            }
            // A trailing cursor that leads to an empty page is tolerated (§2 asks for
            // nextCursor on every page but the last; it does not forbid one on the last).
            Some(_) if empty && w.missing().is_empty() => {
                w.ended = true;
                break;
            }
            Some(next) => cursor = next,
        }
    }
    Ok(w)
}

async fn next_cursor(c: &Ctx) -> CheckResult {
    let fx = five(c).await?;
    let first = cursor_page(c, &fx, "").await?;
    let got = fx.labels(&first);
    ensure(
        got.len() >= USERS.len() || next_of(&first).is_some(),
        || {
            format!(
                "the first page (count={COUNT}, cursor empty) holds {got:?} of 5 matching users and no nextCursor: {}",
                truncate(&first.text, 300)
            )
        },
    )?;
    let w = walk_pages(c, &fx).await?;
    let missing = w.missing();
    ensure(!w.ended || missing.is_empty(), || {
        format!(
            "a page came without nextCursor after pages {:?}, but users {missing:?} were never listed: nextCursor is omitted only when no results remain",
            w.pages
        )
    })
}

async fn count(c: &Ctx) -> CheckResult {
    let fx = five(c).await?;
    let r = cursor_page(c, &fx, "").await?;
    let n = r.body()["Resources"].as_array().map_or(0, Vec::len);
    ensure(n <= COUNT, || {
        format!("count={COUNT} with an empty cursor over 5 users returned {n} resources")
    })
}

async fn first_no_previous(c: &Ctx) -> CheckResult {
    let fx = five(c).await?;
    let r = cursor_page(c, &fx, "").await?;
    ensure(assigned(r.body(), "previousCursor").is_none(), || {
        format!(
            "the first page (empty cursor) carries previousCursor {}",
            r.body()["previousCursor"]
        )
    })
}

async fn invalid(c: &Ctx) -> CheckResult {
    let fx = five(c).await?;
    // Unreserved characters only (§2), and nothing a server could have issued for this query.
    let bogus = "scimtest-never-issued-cursor";
    let r = list(
        c,
        &fx.scope(),
        &format!("&count={COUNT}&cursor={}", enc(bogus)),
    )
    .await;
    reached(&r)?;
    ensure(r.code() == 400, || {
        format!(
            "cursor={bogus} (never issued) answered {}, expected 400 with scimType invalidCursor: {}",
            r.code(),
            truncate(&r.text, 200)
        )
    })?;
    // scimType is OPTIONAL in RFC 7644 §3.12; when present it names a cursor error (expiredCursor
    // is accepted too: a server may not tell a forged cursor from an expired one).
    let scim_type = assigned(r.body(), "scimType").and_then(Value::as_str);
    ensure(
        scim_type.is_none_or(|t| t == "invalidCursor" || t == "expiredCursor"),
        || {
            format!(
                "cursor={bogus} (never issued) answered 400 with scimType {scim_type:?}, expected invalidCursor"
            )
        },
    )
}

async fn walk(c: &Ctx) -> CheckResult {
    let fx = five(c).await?;
    let w = walk_pages(c, &fx).await?;
    let seen = w.seen();
    let mut sorted = seen.clone();
    sorted.sort();
    ensure(w.ended && sorted == USERS, || {
        format!(
            "walking by nextCursor with count={COUNT} over 5 users gave pages {:?}{}, expected each of a..e exactly once",
            w.pages,
            if w.ended {
                String::new()
            } else {
                format!(" and still a nextCursor after {MAX_PAGES} pages")
            }
        )
    })
}
