//! The profile manifest (`fixtures/idp/<idp>/<profile>/profile.json`, normative text in
//! `fixtures/README.md`): the product a profile stands for, where its traffic comes from and how
//! faithful it is, the flows that IdP does not have, and how it paces and retries. The engine
//! applies the retry policy; reports and `replay --list` show the rest.

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The flows a profile can have (the same four as [`super::fixture::FLOWS`]).
use super::fixture::FLOWS;

/// How faithful a profile's traffic is, strongest first.
pub const FAITHFULNESS: [&str; 4] = ["capture", "vendor-code", "vendor-doc", "research-notes"];

/// One profile's manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// The fixture format version (the manifest shares it).
    pub format_version: u32,
    /// The IdP, as in the flow files.
    pub idp: String,
    /// The dialect, as in the flow files.
    pub profile: String,
    /// The product name a customer knows ("Okta Group Push", "Google Workspace").
    pub product: String,
    /// One line: which configuration of that product this is.
    pub dialect: String,
    /// One of [`FAITHFULNESS`]: the weakest source most steps rest on.
    pub faithfulness: String,
    /// The main source.
    pub source: super::fixture::Source,
    /// Two or three sentences: what is faithful, what is synthetic and why.
    pub summary: String,
    /// Where a reader verifies it.
    pub documented_in: Vec<String>,
    /// Flows this IdP does not have, with the reason (not failures: "not applicable").
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub absent_flows: serde_json::Map<String, serde_json::Value>,
    /// The documented retry policy; absent when the IdP is not documented to retry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<Retry>,
    /// How fast and when the IdP sends, in words.
    pub pacing: String,
    /// What the IdP does after a failure it does not retry, in words.
    pub on_failure: String,
}

/// What an IdP does when a request answers a retryable status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retry {
    /// The statuses it retries (429, 503, ...).
    pub statuses: Vec<u16>,
    /// Tries in total, the first included (at least 2).
    pub attempts: u32,
    /// Whether it waits as long as `Retry-After` says.
    pub retry_after: bool,
    /// In words, with the source: 429 without Retry-After, 5xx, back-off, giving up.
    pub note: String,
}

/// The longest a replay waits for one `Retry-After` (the IdP's real wait is compressed).
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(2);

/// The first compressed back-off; it doubles per attempt up to [`MAX_BACKOFF`].
pub const FIRST_BACKOFF: Duration = Duration::from_millis(100);

/// The longest compressed back-off between two attempts.
pub const MAX_BACKOFF: Duration = Duration::from_secs(1);

impl Retry {
    /// Whether another try follows a response with `status` after `tried` tries.
    pub fn again(&self, status: Option<u16>, tried: u32) -> bool {
        tried < self.attempts && status.is_some_and(|s| self.statuses.contains(&s))
    }

    /// How long the replay waits before try `tried + 1`: the `Retry-After` seconds when the IdP
    /// honours them and the answer gave an integer (capped at [`MAX_RETRY_AFTER`]), otherwise a
    /// compressed exponential back-off.
    pub fn wait(&self, retry_after: Option<&str>, tried: u32) -> Duration {
        let told = retry_after
            .filter(|_| self.retry_after)
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        match told {
            Some(d) => d.min(MAX_RETRY_AFTER),
            None => FIRST_BACKOFF
                .saturating_mul(1u32 << tried.saturating_sub(1).min(10))
                .min(MAX_BACKOFF),
        }
    }
}

impl Profile {
    /// Parse one manifest; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Profile, super::fixture::FixtureError> {
        let invalid = |reason: String| super::fixture::FixtureError::Invalid {
            path: origin.to_string(),
            reason,
        };
        let p: Profile = serde_json::from_str(text).map_err(|e| invalid(e.to_string()))?;
        p.validate().map_err(invalid)?;
        Ok(p)
    }

    /// `idp/profile`.
    pub fn key(&self) -> String {
        format!("{}/{}", self.idp, self.profile)
    }

    /// The flows this profile has, in replay order.
    pub fn flows(&self) -> impl Iterator<Item = &'static str> + '_ {
        FLOWS
            .iter()
            .copied()
            .filter(|f| !self.absent_flows.contains_key(*f))
    }

    /// Why `flow` does not exist for this IdP, when it does not.
    pub fn absent(&self, flow: &str) -> Option<&str> {
        self.absent_flows.get(flow).and_then(|v| v.as_str())
    }

    fn validate(&self) -> Result<(), String> {
        if self.format_version != super::fixture::FORMAT_VERSION {
            return Err(format!(
                "format_version {} is not supported (this scimtest reads {})",
                self.format_version,
                super::fixture::FORMAT_VERSION
            ));
        }
        if !FAITHFULNESS.contains(&self.faithfulness.as_str()) {
            return Err(format!(
                "faithfulness {:?} is not one of {}",
                self.faithfulness,
                FAITHFULNESS.join(", ")
            ));
        }
        for (flow, why) in &self.absent_flows {
            if !FLOWS.contains(&flow.as_str()) {
                return Err(format!(
                    "absent_flows: {flow:?} is not one of {}",
                    FLOWS.join(", ")
                ));
            }
            if why.as_str().is_none_or(|w| w.trim().is_empty()) {
                return Err(format!(
                    "absent_flows: {flow:?} needs the reason as a string"
                ));
            }
        }
        if self.absent_flows.len() == FLOWS.len() {
            return Err("a profile has at least one flow".into());
        }
        if let Some(r) = &self.retry {
            if r.statuses.is_empty() || r.statuses.iter().any(|s| !(400..=599).contains(s)) {
                return Err("retry.statuses: one or more 4xx/5xx statuses".into());
            }
            if r.attempts < 2 {
                return Err("retry.attempts counts the first try too: at least 2".into());
            }
            if r.note.trim().is_empty() {
                return Err("retry.note: say what the IdP does, with its source".into());
            }
        }
        for (name, text) in [
            ("product", &self.product),
            ("dialect", &self.dialect),
            ("summary", &self.summary),
            ("pacing", &self.pacing),
            ("on_failure", &self.on_failure),
        ] {
            if text.trim().is_empty() {
                return Err(format!("{name} is empty"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn retry(retry_after: bool) -> Retry {
        Retry {
            statuses: vec![429, 503],
            attempts: 3,
            retry_after,
            note: "n".into(),
        }
    }

    #[test]
    fn retries_only_listed_statuses_within_the_attempts() {
        let r = retry(true);
        assert!(r.again(Some(429), 1));
        assert!(r.again(Some(503), 2));
        assert!(!r.again(Some(503), 3), "three tries in all");
        assert!(!r.again(Some(500), 1));
        assert!(!r.again(None, 1), "a transport failure is not retried");
    }

    #[test]
    fn waits_as_told_when_honoured_and_backs_off_otherwise() {
        assert_eq!(retry(true).wait(Some("1"), 1), Duration::from_secs(1));
        assert_eq!(retry(true).wait(Some("120"), 1), MAX_RETRY_AFTER);
        assert_eq!(retry(false).wait(Some("1"), 1), FIRST_BACKOFF);
        assert_eq!(
            retry(true).wait(Some("Wed, 21 Oct 2026 07:28:00 GMT"), 2),
            FIRST_BACKOFF * 2
        );
        assert_eq!(retry(true).wait(None, 9), MAX_BACKOFF);
    }

    #[test]
    fn bad_manifests_get_clear_errors() {
        let ok = serde_json::json!({
            "format_version": 1, "idp": "x", "profile": "y", "product": "X", "dialect": "d",
            "faithfulness": "vendor-doc", "source": {"kind": "vendor-doc", "ref": "r"},
            "summary": "s", "documented_in": [], "pacing": "p", "on_failure": "o"
        });
        assert!(Profile::parse(&ok.to_string(), "p.json").is_ok());
        let mut bad = ok.clone();
        bad["faithfulness"] = "hearsay".into();
        let e = Profile::parse(&bad.to_string(), "p.json").unwrap_err();
        assert!(e.to_string().contains("faithfulness"), "{e}");
        let mut bad = ok.clone();
        bad["absent_flows"] = serde_json::json!({"import": "no"});
        let e = Profile::parse(&bad.to_string(), "p.json").unwrap_err();
        assert!(e.to_string().contains("\"import\""), "{e}");
        let mut bad = ok;
        bad["retry"] =
            serde_json::json!({"statuses": [429], "attempts": 1, "retry_after": true, "note": "n"});
        let e = Profile::parse(&bad.to_string(), "p.json").unwrap_err();
        assert!(e.to_string().contains("attempts"), "{e}");
    }
}
