//! A replayed flow as a normalised, human-readable transcript (the insta snapshots under
//! `snapshots/`): live values are turned back into the fixture's variables (`{{run}}`,
//! `{{user1.id}}`), and what differs from run to run is redacted by shape (UUIDs, timestamps,
//! ETags, host and port), so the same server gives the same transcript every time.

use crate::replay::engine::{FlowResult, StepResult};
use regex::Regex;
use serde_json::Value;
use std::sync::LazyLock;

static UUID: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}").ok()
});
static TIMESTAMP: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?").ok()
});
static ETAG: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r#"W/\\?"[^"\\]*\\?""#).ok());
static HOST: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"https?://(127\.0\.0\.1|localhost|\[::1\]):\d+").ok());

/// Replace what varies between runs in `s`.
pub fn normalise(s: &str, flow: &FlowResult, base_path: &str) -> String {
    let mut out = s.to_string();
    // Captured values first, longest first, so `{{user1.id}}` wins over a shape redaction.
    let mut vars: Vec<(&str, String)> = flow
        .vars
        .iter()
        .filter_map(|(k, v)| match v {
            Value::String(s) if s.len() >= 4 => Some((k.as_str(), s.clone())),
            _ => None,
        })
        .collect();
    vars.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
    for (name, value) in vars {
        out = out.replace(&value, &format!("{{{{{name}}}}}"));
    }
    if !flow.run_prefix.is_empty() {
        out = out.replace(&flow.run_prefix, "{{run}}");
    }
    for (re, with) in [
        (&*HOST, "http://[host]"),
        (&*ETAG, "[etag]"),
        (&*TIMESTAMP, "[timestamp]"),
        (&*UUID, "[uuid]"),
    ] {
        if let Some(re) = re {
            out = re.replace_all(&out, with).into_owned();
        }
    }
    if !base_path.is_empty() {
        out = out.replace(&format!("http://[host]{base_path}"), "{{base}}");
    }
    out
}

fn body(text: Option<&str>) -> Option<String> {
    let t = text?;
    if t.is_empty() {
        return None;
    }
    Some(match serde_json::from_str::<Value>(t) {
        Ok(v) => serde_json::to_string_pretty(&v).unwrap_or_else(|_| t.to_string()),
        Err(_) => t.to_string(),
    })
}

fn step(out: &mut String, s: &StepResult, flow: &FlowResult, base_url: &str, base_path: &str) {
    let tag = match s.outcome {
        crate::replay::engine::StepOutcome::Pass => "pass",
        crate::replay::engine::StepOutcome::Fail => "FAIL",
        crate::replay::engine::StepOutcome::Error => "ERROR",
        crate::replay::engine::StepOutcome::Skipped => "skipped",
    };
    out.push_str(&format!(
        "\n## {} {}{} — {tag}\n",
        s.n,
        s.name,
        if s.synthetic { " (synthetic)" } else { "" }
    ));
    if !s.reason.is_empty() {
        out.push_str(&format!(
            "reason: {}\n",
            normalise(&s.reason, flow, base_path)
        ));
    }
    for x in &s.retried {
        let url = x.url.strip_prefix(base_url).unwrap_or(&x.url);
        let status = x
            .status
            .map_or("no response".to_string(), |c| c.to_string());
        out.push_str(&format!(
            "> {} {}\n< {status} (the IdP tries again)\n",
            x.method,
            normalise(url, flow, base_path)
        ));
    }
    let Some(x) = &s.exchange else {
        return;
    };
    let url = x.url.strip_prefix(base_url).unwrap_or(&x.url);
    out.push_str(&format!(
        "> {} {}\n",
        x.method,
        normalise(url, flow, base_path)
    ));
    if let Some(b) = body(x.request_body.as_deref()) {
        out.push_str(&normalise(&b, flow, base_path));
        out.push('\n');
    }
    match x.status {
        Some(code) => out.push_str(&format!("< {code}\n")),
        None => out.push_str(&format!(
            "< no response: {}\n",
            x.error.as_deref().unwrap_or_default()
        )),
    }
    if let Some(b) = body(x.response_body.as_deref()) {
        out.push_str(&normalise(&b, flow, base_path));
        out.push('\n');
    }
    for x in &s.pages {
        let url = x.url.strip_prefix(base_url).unwrap_or(&x.url);
        let status = x
            .status
            .map_or("no response".to_string(), |c| c.to_string());
        out.push_str(&format!(
            "> {} {} (next page)\n< {status}\n",
            x.method,
            normalise(url, flow, base_path)
        ));
        if let Some(b) = body(x.response_body.as_deref()) {
            out.push_str(&normalise(&b, flow, base_path));
            out.push('\n');
        }
    }
}

/// The transcript of a replayed flow against the target at `base_url`.
pub fn render(flow: &FlowResult, base_url: &str) -> String {
    let base_path = base_url
        .split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_string()))
        .unwrap_or_default();
    let verdict = match &flow.break_at {
        None => "would provision".to_string(),
        Some(b) => format!("would break at step {} ({})", b.step, b.name),
    };
    let mut out = format!("# {} — {verdict}\n", flow.key);
    for s in &flow.steps {
        step(&mut out, s, flow, base_url, &base_path);
    }
    if !flow.cleanup.is_empty() {
        out.push_str("\n# cleanup\n");
        for s in &flow.cleanup {
            step(&mut out, s, flow, base_url, &base_path);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::Outcome;

    #[test]
    fn live_values_become_variables_and_shapes_are_redacted() {
        let flow = FlowResult {
            key: "x/y/z".into(),
            idp: "x".into(),
            profile: "y".into(),
            flow: "z".into(),
            title: String::new(),
            outcome: Outcome::Pass,
            break_at: None,
            severity: None,
            destroys_data_at: None,
            steps: Vec::new(),
            cleanup: Vec::new(),
            run_prefix: "scimtest-abcd1234-01-".into(),
            vars: vec![(
                "user1.id".into(),
                Value::String("0b7f6c1e-1111-4222-8333-944445555666".into()),
            )],
            duration_ms: 0.0,
            manifest: None,
            left_out: Vec::new(),
            not_configured: None,
        };
        let s = r#"{"id":"0b7f6c1e-1111-4222-8333-944445555666","userName":"scimtest-abcd1234-01-alice","externalId":"9b7f6c1e-1111-4222-8333-944445555666","meta":{"created":"2026-11-23T22:00:01.123Z","version":"W/\"3\"","location":"http://127.0.0.1:40123/scim/v2/Users/0b7f6c1e-1111-4222-8333-944445555666"}}"#;
        let n = normalise(s, &flow, "/scim/v2");
        assert_eq!(
            n,
            r#"{"id":"{{user1.id}}","userName":"{{run}}alice","externalId":"[uuid]","meta":{"created":"[timestamp]","version":"[etag]","location":"{{base}}/Users/{{user1.id}}"}}"#
        );
    }
}
