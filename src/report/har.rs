//! The HAR writer (`--report-har FILE`, `report render --har FILE`): every exchange a run kept
//! as evidence, as an HTTP Archive 1.2 log that browser devtools (Chrome and Firefox "Import
//! HAR") and HTTP tools open. It renders the report; it decides nothing and redacts nothing
//! itself: the exchanges are the already-redacted [`Exchange`] values (tokens, secret headers,
//! `--header` values, client secrets and `password` values were replaced before they existed),
//! so the HAR holds exactly what `report.json` holds.
//!
//! Mapping:
//! - one run (or several: `scimtest run`, `report render` with several inputs) → one `log`;
//!   `creator` is scimtest and its version, `log.comment` the command, run id, target and counts;
//! - one check (a `replay` flow, a `load` correctness check) with evidence → one `page`
//!   (`id` = the check id, prefixed with the command and `/` when the log holds several runs;
//!   `title` = id, title and verdict; `comment` = the reason and the fix hint), so devtools
//!   groups the requests by check; checks without exchanges have no page;
//! - one exchange → one `entry` (`pageref` = its check's page, `comment` = the check's verdict);
//!   the request with its headers, parsed query string and body (`postData`), the response with
//!   its status, headers and body (`content`); `timings` put the whole duration in `wait`
//!   (`send` and `receive` 0, `blocked`/`dns`/`connect`/`ssl` -1: not measured), so `time` is
//!   the exchange's duration;
//! - an exchange that got no answer (refused, reset, timed out) still has a `response`, as HAR
//!   requires: status 0, empty `statusText` and `httpVersion`, `content.mimeType` `x-unknown`
//!   and the transport error in the custom field `_error` (the convention Chromium's own
//!   export uses); an answer that was cut short (body too large) keeps its status and also
//!   carries `_error`.
//!
//! Exchanges carry no clock time, only a duration, so `startedDateTime` is synthesised: entries
//! are laid out one after another from the run's `started_at`, in report order, each as long as
//! it took (checks ran concurrently; the waterfall shows order and durations, not overlap). In a
//! log of several runs, a run's entries start after the previous run's last one when they
//! would otherwise go back in time, so `entries` is always sorted.
//! Sizes are those of the evidence kept (redacted, bodies capped at 64 KiB); `headersSize` is
//! -1 (not measured). scimtest's HTTP client speaks HTTP/1.1 only, hence `httpVersion`.
//!
//! ```json
//! {"log": {"version": "1.2", "creator": {"name": "scimtest", "version": "0.1.0"},
//!   "pages": [{"id": "users.create.status-201", "title": "users.create.status-201 — … — FAIL", …}],
//!   "entries": [{"pageref": "users.create.status-201", "startedDateTime": "2025-01-02T03:04:05.000Z",
//!     "time": 12.5, "request": {"method": "POST", …}, "response": {"status": 200, …}, …}]}}
//! ```

use super::model::{CheckReport, RunReport};
use crate::client::exchange::Exchange;
use serde::Serialize;
use std::io::Write;

/// The HAR version written.
pub const HAR_VERSION: &str = "1.2";

/// The root object.
#[derive(Debug, Serialize)]
struct Har {
    log: Log,
}

#[derive(Debug, Serialize)]
struct Log {
    version: &'static str,
    creator: Creator,
    pages: Vec<Page>,
    entries: Vec<Entry>,
    comment: String,
}

#[derive(Debug, Serialize)]
struct Creator {
    name: &'static str,
    version: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Page {
    started_date_time: String,
    id: String,
    title: String,
    page_timings: PageTimings,
    comment: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct PageTimings {
    on_content_load: f64,
    on_load: f64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    pageref: String,
    started_date_time: String,
    time: f64,
    request: Request,
    response: Response,
    cache: Cache,
    timings: Timings,
    comment: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Request {
    method: String,
    url: String,
    http_version: &'static str,
    cookies: Vec<NameValue>,
    headers: Vec<NameValue>,
    query_string: Vec<NameValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    post_data: Option<PostData>,
    headers_size: i64,
    body_size: i64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct PostData {
    mime_type: String,
    text: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Response {
    status: u16,
    status_text: String,
    http_version: &'static str,
    cookies: Vec<NameValue>,
    headers: Vec<NameValue>,
    content: Content,
    #[serde(rename = "redirectURL")]
    redirect_url: String,
    headers_size: i64,
    body_size: i64,
    /// The transport error, when the exchange failed (custom field).
    #[serde(rename = "_error", skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Content {
    size: i64,
    mime_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<String>,
}

/// No cache information (an empty object).
#[derive(Debug, Serialize)]
struct Cache {}

#[derive(Debug, Serialize)]
struct Timings {
    blocked: f64,
    dns: f64,
    connect: f64,
    send: f64,
    wait: f64,
    receive: f64,
    ssl: f64,
}

#[derive(Debug, Serialize)]
struct NameValue {
    name: String,
    value: String,
}

/// Write `report` as a HAR 1.2 log.
pub fn write(report: &RunReport, out: &mut dyn Write) -> std::io::Result<()> {
    write_all(std::slice::from_ref(report), out)
}

/// Write several runs (the parts of `scimtest run`, several `report render` inputs) as one HAR
/// 1.2 log; page ids are prefixed with each run's command when there is more than one.
pub fn write_all(reports: &[RunReport], out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &har(reports))?;
    out.write_all(b"\n")?;
    out.flush()
}

fn har(reports: &[RunReport]) -> Har {
    let mut pages = Vec::new();
    let mut entries = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    // Where the previous run's laid-out entries ended: a run's entries start at its own start
    // or after that, whichever is later, so the log stays in time order (laid out serially,
    // the concurrent checks of one run can outlast it).
    let mut end: Option<chrono::DateTime<chrono::Utc>> = None;
    for report in reports {
        let own = chrono::DateTime::parse_from_rfc3339(&report.started_at)
            .map(|t| t.with_timezone(&chrono::Utc))
            .unwrap_or_default();
        let start = end.map_or(own, |e| e.max(own));
        let mut offset_ms = 0.0_f64;
        for check in report.checks.iter().filter(|c| !c.evidence.is_empty()) {
            let mut id = if reports.len() > 1 {
                format!("{}/{}", report.command, check.id)
            } else {
                check.id.clone()
            };
            // Page ids are unique within a log (two runs of one command rendered together).
            let base = id.clone();
            let mut n = 1;
            while !seen.insert(id.clone()) {
                n += 1;
                id = format!("{base}#{n}");
            }
            pages.push(Page {
                started_date_time: at(start, offset_ms),
                id: id.clone(),
                title: format!(
                    "{} — {} — {}",
                    check.id,
                    check.title,
                    check.outcome.as_str().to_uppercase()
                ),
                page_timings: PageTimings {
                    on_content_load: -1.0,
                    on_load: -1.0,
                },
                comment: page_comment(check),
            });
            let verdict = verdict(check);
            for x in &check.evidence {
                entries.push(entry(x, &id, at(start, offset_ms), &verdict));
                offset_ms += duration(x);
            }
        }
        end = Some(shift(start, offset_ms));
    }
    Har {
        log: Log {
            version: HAR_VERSION,
            creator: Creator {
                name: "scimtest",
                version: env!("CARGO_PKG_VERSION"),
            },
            pages,
            entries,
            comment: log_comment(reports),
        },
    }
}

/// The ISO 8601 time `offset_ms` after `start`, in UTC with milliseconds.
fn at(start: chrono::DateTime<chrono::Utc>, offset_ms: f64) -> String {
    shift(start, offset_ms).to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// `offset_ms` after `start`.
fn shift(start: chrono::DateTime<chrono::Utc>, offset_ms: f64) -> chrono::DateTime<chrono::Utc> {
    start + chrono::TimeDelta::microseconds((offset_ms * 1000.0).round() as i64)
}

/// An exchange's duration to the microsecond, never negative or NaN (HAR timings must be
/// non-negative).
fn duration(x: &Exchange) -> f64 {
    if x.duration_ms.is_finite() && x.duration_ms > 0.0 {
        (x.duration_ms * 1000.0).round() / 1000.0
    } else {
        0.0
    }
}

fn verdict(check: &CheckReport) -> String {
    let mut s = format!(
        "{} ({}): {}",
        check.id,
        check.level.as_str(),
        check.outcome.as_str().to_uppercase()
    );
    if !check.reason.is_empty() {
        s.push_str(" — ");
        s.push_str(&check.reason);
    }
    s
}

fn page_comment(check: &CheckReport) -> String {
    let mut s = verdict(check);
    if !check.rfc.is_empty() {
        s.push_str(&format!("\n{}", check.rfc));
    }
    if let Some(h) = &check.hint {
        s.push_str(&format!("\nfix: {h}"));
    }
    s
}

fn log_comment(reports: &[RunReport]) -> String {
    let mut lines: Vec<String> = reports
        .iter()
        .map(|r| {
            format!(
                "scimtest {} run {} against {}: {} passed, {} failed, {} errors, {} skipped ({})",
                r.command,
                r.run_id,
                r.target,
                r.counts.pass,
                r.counts.fail,
                r.counts.error,
                r.counts.skip,
                r.status.as_str()
            )
        })
        .collect();
    lines.push(
        "Exchanges carry durations, not clock times: entries are laid out one after another from \
         each run's start (or after the previous run's, to keep them in order). Secrets were redacted before the exchanges were recorded."
            .into(),
    );
    lines.join("\n")
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn name_values(headers: &[(String, String)]) -> Vec<NameValue> {
    headers
        .iter()
        .map(|(name, value)| NameValue {
            name: name.clone(),
            value: value.clone(),
        })
        .collect()
}

fn entry(x: &Exchange, pageref: &str, started: String, verdict: &str) -> Entry {
    let time = duration(x);
    let request = Request {
        method: x.method.clone(),
        url: x.url.clone(),
        http_version: "HTTP/1.1",
        cookies: Vec::new(),
        headers: name_values(&x.request_headers),
        query_string: query_string(&x.url),
        post_data: x.request_body.as_ref().map(|b| PostData {
            mime_type: header(&x.request_headers, "content-type")
                .unwrap_or_default()
                .to_string(),
            text: b.clone(),
        }),
        headers_size: -1,
        body_size: x.request_body.as_ref().map_or(0, |b| len(b)),
    };
    let response = match x.status {
        Some(status) => {
            let mime = header(&x.response_headers, "content-type")
                .unwrap_or_default()
                .to_string();
            let size = x.response_body.as_ref().map_or(0, |b| len(b));
            Response {
                status,
                status_text: reqwest::StatusCode::from_u16(status)
                    .ok()
                    .and_then(|s| s.canonical_reason())
                    .unwrap_or_default()
                    .to_string(),
                http_version: "HTTP/1.1",
                cookies: Vec::new(),
                headers: name_values(&x.response_headers),
                content: Content {
                    size,
                    mime_type: mime,
                    text: x.response_body.clone(),
                },
                redirect_url: if (300..400).contains(&status) {
                    header(&x.response_headers, "location")
                        .unwrap_or_default()
                        .to_string()
                } else {
                    String::new()
                },
                headers_size: -1,
                body_size: size,
                error: x.error.clone(),
            }
        }
        None => Response {
            status: 0,
            status_text: String::new(),
            http_version: "",
            cookies: Vec::new(),
            headers: name_values(&x.response_headers),
            content: Content {
                size: 0,
                mime_type: "x-unknown".into(),
                text: None,
            },
            redirect_url: String::new(),
            headers_size: -1,
            body_size: -1,
            error: Some(
                x.error
                    .clone()
                    .unwrap_or_else(|| "no response recorded".into()),
            ),
        },
    };
    let mut comment = verdict.to_string();
    if let Some(e) = &x.error {
        comment.push_str(&format!("\ntransport: {e}"));
    }
    Entry {
        pageref: pageref.to_string(),
        started_date_time: started,
        time,
        request,
        response,
        cache: Cache {},
        timings: Timings {
            blocked: -1.0,
            dns: -1.0,
            connect: -1.0,
            send: 0.0,
            wait: time,
            receive: 0.0,
            ssl: -1.0,
        },
        comment,
    }
}

fn len(s: &str) -> i64 {
    i64::try_from(s.len()).unwrap_or(i64::MAX)
}

/// The query parameters of `url`, percent-decoded (`+` as a space), in order.
fn query_string(url: &str) -> Vec<NameValue> {
    let Some((_, query)) = url.split_once('?') else {
        return Vec::new();
    };
    let query = query.split_once('#').map_or(query, |(q, _)| q);
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            NameValue {
                name: decode(name),
                value: decode(value),
            }
        })
        .collect()
}

/// Percent-decode a query component (`+` is a space); invalid escapes stay as they are.
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::json::sample;
    use serde_json::Value;

    fn render(reports: &[RunReport]) -> Value {
        let mut buf = Vec::new();
        write_all(reports, &mut buf).unwrap_or_else(|e| panic!("{e}"));
        serde_json::from_slice(&buf).unwrap_or_else(|e| panic!("{e}"))
    }

    fn schema() -> jsonschema::Validator {
        let text = include_str!("../../tests/fixtures/har-1.2.schema.json");
        let schema: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}"));
        jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_sample_report_is_a_valid_har_with_a_page_per_check_with_evidence() {
        let har = render(&[sample::report()]);
        let errors: Vec<String> = schema().iter_errors(&har).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:#?}");
        let pages: Vec<&str> = har["log"]["pages"]
            .as_array()
            .map(|a| a.iter().filter_map(|p| p["id"].as_str()).collect())
            .unwrap_or_default();
        assert_eq!(
            pages,
            [
                "users.create.status-201",
                "users.create.location-header",
                "groups.create.status-201"
            ]
        );
        let entries = har["log"]["entries"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(entries.len(), 5);
        assert!(
            entries[0]["comment"]
                .as_str()
                .is_some_and(|c| c.starts_with("users.create.status-201 (must): FAIL"))
        );
        assert_eq!(entries[0]["startedDateTime"], "2025-01-02T03:04:05.000Z");
        assert_eq!(entries[1]["startedDateTime"], "2025-01-02T03:04:05.012Z");
        assert_eq!(
            entries[0]["request"]["postData"]["mimeType"],
            "application/scim+json"
        );
        assert_eq!(
            entries[0]["request"]["queryString"][0]["name"],
            "access_token"
        );
        assert_eq!(entries[0]["response"]["statusText"], "OK");
        assert_eq!(entries[0]["timings"]["wait"], entries[0]["time"]);
    }

    #[test]
    fn an_exchange_without_an_answer_has_status_0_and_the_error() {
        let har = render(&[sample::report()]);
        let failed = &har["log"]["entries"][4];
        assert_eq!(failed["pageref"], "groups.create.status-201");
        assert_eq!(failed["response"]["status"], 0);
        assert_eq!(failed["response"]["_error"], "connection reset by peer");
        assert_eq!(failed["response"]["content"]["mimeType"], "x-unknown");
    }

    #[test]
    fn no_secret_of_the_sample_survives() {
        let har = render(&[sample::report()]).to_string();
        for s in [sample::TOKEN, "hunter2", "sid=abc"] {
            assert!(!har.contains(s), "{s} leaked");
        }
        assert!(har.contains("Bearer <redacted>"));
    }

    #[test]
    fn several_runs_get_prefixed_unique_page_ids() {
        let a = sample::report();
        let b = sample::report();
        let har = render(&[a, b]);
        let ids: Vec<&str> = har["log"]["pages"]
            .as_array()
            .map(|a| a.iter().filter_map(|p| p["id"].as_str()).collect())
            .unwrap_or_default();
        assert_eq!(ids.len(), 6);
        assert_eq!(ids[0], "check/users.create.status-201");
        assert_eq!(ids[3], "check/users.create.status-201#2");
        // The second run starts where the first one's entries end: the log stays in order.
        let times: Vec<&str> = har["log"]["entries"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e["startedDateTime"].as_str())
                    .collect()
            })
            .unwrap_or_default();
        assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
        assert!(times[5] > times[4], "{times:?}");
        let errors: Vec<String> = schema().iter_errors(&har).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }

    #[test]
    fn query_strings_are_decoded() {
        let q = query_string("https://x/Users?filter=userName+eq+%22a%40b%22&count=2&x#frag");
        let pairs: Vec<(&str, &str)> = q
            .iter()
            .map(|p| (p.name.as_str(), p.value.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [("filter", "userName eq \"a@b\""), ("count", "2"), ("x", "")]
        );
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%zz%4"), "%zz%4");
    }
}
