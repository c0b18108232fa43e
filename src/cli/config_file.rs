//! A provisioning configuration file as the commands read it (`certify --config`, and the same
//! for `replay`, `run`, `load`): read from disk, parsed by `scim::provisioning` with every
//! mistake as `FILE:LINE: message` (exit 3, a hint to docs/provisioning.md), its sha256 for the
//! report, and the up-front check that the target declares every mapping target, before a
//! single test request is sent.

use crate::cli::error::Error;
use crate::client::Client;
use crate::scim::provisioning::{self, ProvisioningConfig};
use sha2::{Digest, Sha256};
use std::path::Path;

/// Where the format is documented.
pub const DOCS: &str = "docs/provisioning.md";

/// A configuration read from a file.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    /// The path as given.
    pub path: String,
    /// The sha256 of its bytes, lowercase hex.
    pub sha256: String,
    /// What it says.
    pub config: ProvisioningConfig,
}

impl ConfigFile {
    /// `examples/users-only-crd.toml (sha256 1f2e…)`: which configuration a run judged.
    pub fn describe(&self) -> String {
        format!("{} (sha256 {})", self.path, self.sha256)
    }
}

/// Read and parse `path`. A file that cannot be read or does not parse is a harness error
/// (exit 3): `FILE:LINE: message`, hint: the format's documentation.
pub fn read(path: &Path) -> Result<ConfigFile, Error> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path)
        .map_err(|e| Error::harness(format!("failed to read configuration {shown}: {e}")))?;
    let sha256 = format!("{:x}", Sha256::digest(&bytes));
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::harness(format!("{shown}: not UTF-8 text")).with_hint(hint()))?;
    let config = parse(&text, &shown)?;
    Ok(ConfigFile {
        path: shown,
        sha256,
        config,
    })
}

/// Parse a configuration's text; `origin` names it in the error.
pub fn parse(text: &str, origin: &str) -> Result<ProvisioningConfig, Error> {
    provisioning::parse(text).map_err(|e| {
        let at = if e.line == 0 {
            origin.to_string()
        } else {
            format!("{origin}:{}", e.line)
        };
        Error::harness(format!("{at}: {}", e.message)).with_hint(hint())
    })
}

fn hint() -> String {
    format!("the configuration file's keys are described in {DOCS}")
}

/// `line 16: …` from [`provisioning::undeclared`] as `FILE:16: …`.
pub fn at_file(origin: &str, line: &str) -> String {
    match line.strip_prefix("line ").and_then(|r| r.split_once(':')) {
        Some((n, rest)) if n.chars().all(|c| c.is_ascii_digit()) => format!("{origin}:{n}:{rest}"),
        _ => format!("{origin}: {line}"),
    }
}

/// Every mapping target of `file` the target does not declare, read from its `/Schemas` and
/// `/ResourceTypes` (two GETs, nothing else is sent): one `FILE:LINE: mapping …` line each.
pub async fn undeclared(client: &Client, file: &ConfigFile) -> Vec<String> {
    let schemas = client.send("GET", "/Schemas", None, &[]).await;
    let types = client.send("GET", "/ResourceTypes", None, &[]).await;
    let null = serde_json::Value::Null;
    let declares = provisioning::declared_by(
        schemas.json.as_ref().unwrap_or(&null),
        types.json.as_ref().unwrap_or(&null),
    );
    provisioning::undeclared(&file.config, declares)
        .iter()
        .map(|l| at_file(&file.path, l))
        .collect()
}

/// The error for [`undeclared`]'s lines: exit 3, every line, and what to do.
pub fn undeclared_error(lines: &[String]) -> Error {
    let n = lines.len();
    Error::harness(format!(
        "{n} mapping target{} the server does not declare (nothing was sent):\n{}",
        if n == 1 { "" } else { "s" },
        lines.join("\n")
    ))
    .with_hint(format!(
        "either the server declares them (its /Schemas, and the extension's URN under the \
         resource type's schemaExtensions in /ResourceTypes) or the configuration does not map \
         them ({DOCS})"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_name_the_file() {
        assert_eq!(
            at_file("x.toml", "line 16: mapping `title` → no"),
            "x.toml:16: mapping `title` → no"
        );
        assert_eq!(at_file("x.toml", "odd"), "x.toml: odd");
        let e = parse("[users]\nbogus = 1\n", "c.toml").err();
        assert!(
            e.as_ref()
                .is_some_and(|e| e.message().starts_with("c.toml:2: ") && e.exit_code() == 3),
            "{e:?}"
        );
    }
}
