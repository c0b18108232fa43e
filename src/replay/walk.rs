//! Paging through a list as an IdP does (`walk` on a GET step): by RFC 9865 cursor (follow
//! `nextCursor` until a page has none) or by index (ask for the `startIndex` after the Resources
//! seen until `totalResults` are, RFC 7644 §3.4.2.4). The step's checks then judge one list: the
//! first page's ListResponse with every page's Resources.

use super::engine::{Prepared, send_as_idp};
use super::fixture::{Fixture, Walk};
use crate::client::Exchange;
use crate::client::http::{Client, Resp};
use serde_json::Value;
use std::sync::atomic::{AtomicBool, Ordering};

/// Beyond this many pages a walk stops: a server that never ends a list would hold the IdP's
/// import forever.
pub const MAX_PAGES: usize = 1000;

/// Walk the rest of the list whose first page is `first`. Returns what the step's checks judge
/// (the merged list; or the first page that did not answer 200 with a list, or a made-up
/// failure when the walk does not end) and the exchanges of the other pages.
pub(super) async fn rest(
    client: &Client,
    p: &Prepared,
    first: Resp,
    walk: Walk,
    fx: &Fixture,
    stop: &AtomicBool,
) -> (Resp, Vec<Exchange>) {
    let Some(mut merged) = list_of(&first) else {
        return (first, Vec::new());
    };
    let mut first = first;
    let mut pages: Vec<Exchange> = Vec::new();
    let mut seen_cursors = std::collections::HashSet::new();
    let mut page = merged.clone();
    loop {
        let items = merged["Resources"].as_array().map_or(0, Vec::len);
        let next = match walk {
            Walk::Cursor => match page.get("nextCursor").and_then(Value::as_str) {
                Some(c) if !c.is_empty() => {
                    if !seen_cursors.insert(c.to_string()) {
                        return (
                            failure(
                                first,
                                pages.len() + 1,
                                &format!(
                                    "nextCursor {c:?} came back a second time: the walk would never end (RFC 9865)"
                                ),
                            ),
                            pages,
                        );
                    }
                    Some(("cursor", c.to_string()))
                }
                _ => None,
            },
            Walk::Index => {
                let total = merged["totalResults"].as_u64().unwrap_or(0);
                let got = page["Resources"].as_array().map_or(0, Vec::len);
                (got > 0 && (items as u64) < total).then(|| ("startIndex", (items + 1).to_string()))
            }
        };
        let Some((param, value)) = next else {
            break;
        };
        if pages.len() + 1 >= MAX_PAGES || stop.load(Ordering::Relaxed) {
            let why = if stop.load(Ordering::Relaxed) {
                "interrupted while walking the list".to_string()
            } else {
                format!("the list did not end after {MAX_PAGES} pages")
            };
            return (failure(first, pages.len() + 1, &why), pages);
        }
        let (resp, _) = send_as_idp(client, &p.with_param(param, &value), fx, stop).await;
        let Some(body) = list_of(&resp) else {
            // The page the IdP could not read is what the step judges; the pages before it
            // (the first included) are the rest of the evidence.
            let mut before = vec![first.exchange];
            before.extend(pages);
            return (resp, before);
        };
        if let (Some(all), Some(more)) = (
            merged["Resources"].as_array_mut(),
            body["Resources"].as_array(),
        ) {
            all.extend(more.iter().cloned());
        }
        pages.push(resp.exchange);
        page = body;
    }
    let n = merged["Resources"].as_array().map_or(0, Vec::len);
    if let Some(m) = merged.as_object_mut() {
        m.insert("itemsPerPage".into(), Value::from(n));
        m.remove("nextCursor");
    }
    first.text = merged.to_string();
    first.json = Some(merged);
    (first, pages)
}

/// The body of a 200 ListResponse (an object with a `Resources` array, or none when empty).
fn list_of(r: &Resp) -> Option<Value> {
    if r.status != Some(200) || r.error.is_some() {
        return None;
    }
    let mut body = r.json.clone().filter(Value::is_object)?;
    if body.get("Resources").is_none() {
        body["Resources"] = Value::Array(Vec::new());
    }
    body["Resources"].is_array().then_some(body)
}

/// The first page's answer turned into a failed walk: the step judges a body that says why.
fn failure(mut first: Resp, at_page: usize, why: &str) -> Resp {
    first.error = Some(format!("page {at_page}: {why}"));
    first
}
