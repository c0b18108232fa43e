//! Preflight: before any check, replay or load, is the base URL a SCIM service and are the
//! credentials accepted? Misconfiguration is never reported as the target's failure: a target
//! that does not answer, a rejected credential and a URL that is not a SCIM base URL each end
//! the run with one line naming what to fix (exit 3), before anything is created on the target.
//!
//! Lenient on purpose (servers in the wild are sloppy, and a real SCIM server must never be
//! refused): only a 404 or 410, an HTML page, or a success with JSON that carries no sign of
//! SCIM (no SCIM URN in `schemas`, no `patch`/`filter`/`bulk` object) at `/ServiceProviderConfig`
//! make a URL "not SCIM"; a 5xx, a 429 or a garbled body there is the target's problem, judged
//! by the checks. Some servers serve `/ServiceProviderConfig` without authentication, so the
//! credential is also tried on an endpoint that needs it (`GET /Users?count=1`): 401 or 403
//! there means the credential was rejected. With OAuth client credentials, a token is requested
//! first: a token endpoint that refuses the client or does not answer ends the run the same way.
//! Must not import `provider/`.

use crate::client::http::{Client, Resp};
use serde_json::Value;

/// Why a target cannot be tested as given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PreflightError {
    /// No HTTP answer at all.
    #[error("the target is unreachable (it does not answer): GET {url}: {error}")]
    Unreachable {
        /// The URL tried.
        url: String,
        /// The transport error.
        error: String,
    },
    /// 401 or 403 with the run's credentials.
    #[error("credentials rejected ({what}), check {flags}")]
    CredentialsRejected {
        /// `GET …/Users?count=1 answered 401`.
        what: String,
        /// The options that carry the credential (`--token/--header`, `--second-token`).
        flags: &'static str,
    },
    /// The OAuth token endpoint gave no token.
    #[error("{message}; check {flags}")]
    NoToken {
        /// The token error's one line (names the token endpoint).
        message: String,
        /// The options to look at.
        flags: &'static str,
    },
    /// `/ServiceProviderConfig` is missing, HTML, or JSON that is not SCIM.
    #[error("not a SCIM base URL: GET {url} {got}{}", did_you_mean(suggestion.as_deref()))]
    NotScim {
        /// The URL tried.
        url: String,
        /// `answered 404`, `answered an HTML page`, ...
        got: String,
        /// A base URL nearby whose `/ServiceProviderConfig` is SCIM.
        suggestion: Option<String>,
    },
}

fn did_you_mean(s: Option<&str>) -> String {
    match s {
        Some(u) => format!("; did you mean --target {u} ?"),
        None => "; expected the URL that /ServiceProviderConfig, /Users and /Groups hang off \
                 (often …/scim/v2)"
            .to_string(),
    }
}

/// What a `/ServiceProviderConfig` answer says about the URL.
#[derive(Debug, Clone, PartialEq, Eq)]
enum SpcVerdict {
    /// A SCIM service (or something the checks must judge: 5xx, 429, a garbled body).
    Scim,
    /// The credential was refused there.
    Rejected(u16),
    /// Not a SCIM base URL, with what came back.
    NotScim(String),
}

/// Whether a JSON document looks like a ServiceProviderConfig (or any SCIM message: a server
/// that wraps it in a ListResponse is still a SCIM server).
pub fn looks_like_scim(v: &Value) -> bool {
    let Some(obj) = v.as_object() else {
        return false;
    };
    let scim_urn = obj.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("schemas")
            && v.as_array().is_some_and(|a| {
                a.iter().any(|s| {
                    s.as_str()
                        .is_some_and(|s| s.to_ascii_lowercase().contains("urn:ietf:params:scim"))
                })
            })
    });
    let features = obj.iter().any(|(k, v)| {
        ["patch", "filter", "bulk"]
            .iter()
            .any(|f| k.eq_ignore_ascii_case(f))
            && v.is_object()
    });
    scim_urn || features
}

fn is_html(r: &Resp) -> bool {
    r.header("content-type")
        .is_some_and(|c| c.to_ascii_lowercase().contains("html"))
        || r.text.trim_start().starts_with('<')
}

/// What came back, for a one-line message: `(text/html; charset=utf-8: "<!DOCTYPE html> <html>…")`,
/// the content type and the first 80 characters of the body with control characters and runs of
/// white space made one space (never the whole page).
fn glimpse(r: &Resp) -> String {
    let ctype = r.header("content-type").unwrap_or("no content type");
    let mut flat = String::new();
    for c in r.text.trim().chars() {
        let c = if c.is_control() || c.is_whitespace() {
            ' '
        } else {
            c
        };
        if !(c == ' ' && flat.ends_with(' ')) {
            flat.push(c);
        }
    }
    if flat.is_empty() {
        format!("({ctype}, empty body)")
    } else {
        format!("({ctype}: {:?})", crate::text::truncate_chars(&flat, 80))
    }
}

fn judge_spc(r: &Resp) -> SpcVerdict {
    let Some(status) = r.status else {
        return SpcVerdict::Scim;
    };
    match status {
        401 | 403 => SpcVerdict::Rejected(status),
        404 | 410 => SpcVerdict::NotScim(format!("answered {status} {}", glimpse(r))),
        s if (200..300).contains(&s) => {
            if is_html(r) {
                SpcVerdict::NotScim(format!("answered {s} with an HTML page {}", glimpse(r)))
            } else {
                match &r.json {
                    Some(v) if !looks_like_scim(v) => SpcVerdict::NotScim(format!(
                        "answered {s} with JSON that is not a ServiceProviderConfig (no SCIM \
                         schema URN, no patch/filter/bulk) {}",
                        glimpse(r)
                    )),
                    _ => SpcVerdict::Scim,
                }
            }
        }
        s if is_html(r) && (300..500).contains(&s) => {
            SpcVerdict::NotScim(format!("answered {s} with an HTML page {}", glimpse(r)))
        }
        _ => SpcVerdict::Scim,
    }
}

/// The base URLs near `base` worth trying: `/scim/v2`, `/scim`, `/v2` under it and under each
/// of its parents, and the parents themselves; `base` itself excluded, at most 16.
pub fn candidates(base: &str) -> Vec<String> {
    let Ok(url) = reqwest::Url::parse(base) else {
        return Vec::new();
    };
    let origin = url.origin().ascii_serialization();
    let segments: Vec<&str> = url.path().split('/').filter(|s| !s.is_empty()).collect();
    let base = base.trim_end_matches('/');
    let mut out: Vec<String> = Vec::new();
    for keep in (0..=segments.len()).rev() {
        let prefix = if keep == 0 {
            origin.clone()
        } else {
            format!("{origin}/{}", segments[..keep].join("/"))
        };
        for suffix in ["/scim/v2", "/scim", "/v2", ""] {
            let c = format!("{prefix}{suffix}");
            if c != base && !out.contains(&c) {
                out.push(c);
            }
        }
    }
    out.truncate(16);
    out
}

/// Probe the candidates for a SCIM `/ServiceProviderConfig`; the first (closest) one that has
/// one.
async fn suggest(client: &Client) -> Option<String> {
    let cands = candidates(client.base_url());
    let answers = futures::future::join_all(cands.iter().map(|c| async move {
        let r = client
            .send("GET", &format!("{c}/ServiceProviderConfig"), None, &[])
            .await;
        let ok = r.status.is_some_and(|s| (200..300).contains(&s))
            && !is_html(&r)
            && r.json.as_ref().is_some_and(looks_like_scim);
        ok.then(|| c.clone())
    }))
    .await;
    answers.into_iter().flatten().next()
}

/// Is `client`'s base URL a SCIM service that accepts its credentials? `flags` names the
/// options that carry them, for the message (`--token/--header`).
pub async fn check(client: &Client, flags: &'static str) -> Result<(), PreflightError> {
    if let Some(src) = client.oauth()
        && let Err(e) = src.bearer().await
    {
        let flags = if e.refused_client() {
            "--client-id/--client-secret-env"
        } else {
            "--oauth-token-url"
        };
        return Err(PreflightError::NoToken {
            message: e.message,
            flags,
        });
    }
    let spc_url = client.url("/ServiceProviderConfig");
    let spc = client
        .send("GET", "/ServiceProviderConfig", None, &[])
        .await;
    if spc.status.is_none() {
        return Err(PreflightError::Unreachable {
            url: client.redactor().text(&spc_url),
            error: spc.error.unwrap_or_default(),
        });
    }
    match judge_spc(&spc) {
        SpcVerdict::Rejected(s) => {
            return Err(PreflightError::CredentialsRejected {
                what: format!("GET {} answered {s}", client.redactor().text(&spc_url)),
                flags,
            });
        }
        SpcVerdict::NotScim(got) => {
            return Err(PreflightError::NotScim {
                url: client.redactor().text(&spc_url),
                got,
                suggestion: suggest(client).await.map(|s| client.redactor().text(&s)),
            });
        }
        SpcVerdict::Scim => {}
    }
    credential(client, flags).await
}

/// Is the credential accepted on an endpoint that needs one (`GET /Users?count=1`)? For a
/// second tenant's token, whose base URL was already found to be SCIM.
pub async fn credential(client: &Client, flags: &'static str) -> Result<(), PreflightError> {
    let r = client.send("GET", "/Users?count=1", None, &[]).await;
    match r.status {
        Some(s @ (401 | 403)) => Err(PreflightError::CredentialsRejected {
            what: format!(
                "GET {} answered {s}",
                client.redactor().text(&client.url("/Users?count=1"))
            ),
            flags,
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scim_documents_are_recognised_leniently() {
        let spc = serde_json::json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"]});
        assert!(looks_like_scim(&spc));
        assert!(looks_like_scim(
            &serde_json::json!({"Patch": {"supported": true}})
        ));
        assert!(looks_like_scim(&serde_json::json!({"schemas": [
            "urn:ietf:params:scim:api:messages:2.0:ListResponse"
        ], "Resources": []})));
        assert!(!looks_like_scim(&serde_json::json!({"status": "ok"})));
        assert!(!looks_like_scim(&serde_json::json!([1, 2])));
        assert!(!looks_like_scim(&serde_json::json!({"patch": true})));
    }

    #[test]
    fn candidates_walk_up_the_path() {
        let c = candidates("http://h:1/api");
        assert_eq!(
            c,
            vec![
                "http://h:1/api/scim/v2",
                "http://h:1/api/scim",
                "http://h:1/api/v2",
                "http://h:1/scim/v2",
                "http://h:1/scim",
                "http://h:1/v2",
                "http://h:1",
            ]
        );
        assert!(candidates("http://h:1/scim").contains(&"http://h:1/scim/v2".to_string()));
        assert!(!candidates("http://h:1/scim").contains(&"http://h:1/scim".to_string()));
        assert!(candidates("not a url").is_empty());
    }
}
