//! Keeping credentials out of a recorded fixture: which headers are kept, which keys and PATCH
//! paths carry a secret, the credential values the IdP sent, and redaction of any string that
//! still holds one.

use super::proxy::Recorded;
use super::rewrite::MAX_DEPTH;
use serde_json::Value;

/// Header names kept in the fixture, in their written form.
pub(super) const KEPT_HEADERS: [&str; 4] =
    ["Content-Type", "Accept", "User-Agent", "Accept-Charset"];

/// Key fragments that mark a credential: such keys are removed from requests.
const SECRET_KEYS: [&str; 7] = [
    "authorization",
    "cookie",
    "token",
    "secret",
    "password",
    "api-key",
    "apikey",
];

pub(super) fn is_secret_key(k: &str) -> bool {
    let lk = k.to_ascii_lowercase();
    SECRET_KEYS.iter().any(|s| lk.contains(s))
}

/// Text that must never appear in a fixture (the format test greps the whole file for these).
const FORBIDDEN_TEXT: [&str; 4] = [
    "bearer ",
    "access_token",
    "client_secret",
    "\"authorization\"",
];

/// Whether a PATCH operation (an object with a `path`) targets a credential-bearing attribute,
/// e.g. `password` or `urn:…:User:password`: its `value` is the secret itself.
fn is_secret_op(v: &Value) -> bool {
    v.get("path").and_then(Value::as_str).is_some_and(|p| {
        let last = p.rsplit(':').next().unwrap_or(p);
        let last = last.rsplit('.').next().unwrap_or(last);
        is_secret_key(last)
    })
}

/// Remove credential-bearing keys and PATCH operations on credential-bearing paths; true when
/// something was removed.
pub(super) fn strip_secret_keys(v: &mut Value, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    match v {
        Value::Object(m) => {
            let before = m.len();
            m.retain(|k, _| !is_secret_key(k));
            let mut removed = m.len() != before;
            for x in m.values_mut() {
                removed |= strip_secret_keys(x, depth + 1);
            }
            removed
        }
        Value::Array(a) => {
            let before = a.len();
            a.retain(|x| !is_secret_op(x));
            let removed = a.len() != before;
            a.iter_mut()
                .fold(removed, |acc, x| strip_secret_keys(x, depth + 1) | acc)
        }
        _ => false,
    }
}

/// Every credential value the IdP sent in a header: the whole value and the part after the
/// scheme (`Bearer <token>`).
pub(super) fn secrets_of(exchanges: &[Recorded]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for x in exchanges {
        for (k, v) in &x.request_headers {
            let k = k.to_ascii_lowercase();
            if !(k == "authorization"
                || k == "proxy-authorization"
                || k == "cookie"
                || k.contains("api-key")
                || k.contains("apikey")
                || k.contains("token"))
            {
                continue;
            }
            let mut parts = vec![v.trim().to_string()];
            if let Some((_, cred)) = v.trim().split_once(' ') {
                parts.push(cred.trim().to_string());
            }
            for p in parts {
                if p.len() >= 4 && !out.contains(&p) {
                    out.push(p);
                }
            }
        }
    }
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out
}

/// `s` with every credential in `secrets` replaced by `REDACTED`; the whole string becomes
/// `REDACTED` when it looks like a token (a JWT, `Basic …`) or holds a forbidden text.
pub(super) fn redact(secrets: &[String], s: &str) -> String {
    let mut out = s.to_string();
    for secret in secrets {
        if out.contains(secret.as_str()) {
            out = out.replace(secret.as_str(), "REDACTED");
        }
    }
    let lower = out.to_ascii_lowercase();
    let jwt = out.starts_with("eyJ") && out.matches('.').count() >= 2;
    if jwt || lower.starts_with("basic ") || FORBIDDEN_TEXT.iter().any(|f| lower.contains(f)) {
        return "REDACTED".into();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replay::fixture::Fixture;
    use crate::replay::record::fixtures::*;
    use crate::replay::record::to_fixture;
    use serde_json::json;

    #[test]
    fn patch_operations_on_a_password_path_are_dropped() {
        let mut v = json!({"Operations": [
            {"op": "replace", "path": "password", "value": "hunter2"},
            {"op": "replace", "path": "urn:ietf:params:scim:schemas:core:2.0:User:password", "value": "hunter3"},
            {"op": "replace", "path": "displayName", "value": "kept"}
        ]});
        assert!(strip_secret_keys(&mut v, 0));
        let text = v.to_string();
        assert!(!text.contains("hunter"), "{text}");
        assert!(text.contains("kept"));
    }

    #[test]
    fn passwords_and_credentials_never_reach_the_fixture() {
        let fx = to_fixture(&session(), &meta());
        let s = &fx.steps;
        let body = s[1].request.body.clone().unwrap_or_default();
        assert!(body.get("password").is_none());
        assert!(s[1].note.as_deref().is_some_and(|n| n.contains("password")));
        assert_eq!(
            s[1].request.headers.keys().collect::<Vec<_>>(),
            ["Content-Type", "User-Agent"]
        );
        // GET has no body, so no Content-Type either.
        assert_eq!(
            s[0].request.headers.keys().collect::<Vec<_>>(),
            ["User-Agent"]
        );
        let text = serde_json::to_string_pretty(&fx).unwrap_or_default();
        for bad in [TOKEN, "hunter2", "Bearer", "custom-zz", "authorization"] {
            assert!(
                !text
                    .to_ascii_lowercase()
                    .contains(&bad.to_ascii_lowercase()),
                "{bad} in {text}"
            );
        }
        let parsed = Fixture::parse(&text, "recorded.json").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(parsed, fx);
        // A token that leaks into a body is redacted too.
        let mut leak = session();
        leak.truncate(1);
        leak.push(ex(
            "POST",
            "/Users",
            None,
            Some(json!({"userName": "x", "nickName": format!("a{TOKEN}b")})),
            201,
            json!({"id": "u-x-000001"}),
        ));
        let text = serde_json::to_string(&to_fixture(&leak, &meta())).unwrap_or_default();
        assert!(
            !text.contains(TOKEN) && text.contains("aREDACTEDb"),
            "{text}"
        );
    }
}
