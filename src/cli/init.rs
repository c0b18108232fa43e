//! `scimtest init`: write a commented starter provisioning configuration from what a live
//! target declares (`/ServiceProviderConfig`, `/ResourceTypes`, `/Schemas`) and one IdP's
//! defaults, so a vendor starts from what their server really offers. Reaches the target like
//! every command (the embedded provider without `--target`, the preflight's one-line errors),
//! checks that the file it writes parses, and never overwrites a file without `--force`. The
//! starter's content is [`render`]; the IdP's defaults are [`defaults`].

mod defaults;
mod render;

use crate::cli::common::{Idp, TargetArgs, is_stdout, parse_duration, shell_quote};
use crate::cli::connect::{Connected, connect, preflight};
use crate::cli::console;
use crate::cli::error::{CmdResult, Error, Verdict};
use crate::client::Client;
use render::{Discovery, Header};
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Arguments of `scimtest init`.
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// The target whose discovery endpoints the file is written from (without `--target`, the
    /// embedded provider).
    #[command(flatten)]
    pub target: TargetArgs,
    /// The IdP the configuration is for: its default attribute mapping is written live, the
    /// other attributes the server declares commented out.
    #[arg(long, value_enum, default_value = "entra", value_name = "IDP")]
    pub idp: Idp,
    /// Write the configuration to FILE instead of stdout (an existing file is kept unless
    /// --force).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Overwrite an existing --output file.
    #[arg(long)]
    pub force: bool,
    /// Per-request timeout (e.g. 10s, 500ms).
    #[arg(long, default_value = "10s", value_parser = parse_duration, value_name = "DURATION")]
    pub timeout: Duration,
}

/// Where the file goes: a file, or stdout.
fn output_file(args: &InitArgs) -> Option<&Path> {
    args.output.as_deref().filter(|p| !is_stdout(p))
}

fn exists_error(path: &Path) -> Error {
    Error::usage(format!("{} exists; not overwritten", path.display()))
        .with_hint("--force overwrites it; or name another file with --output")
}

/// Run `scimtest init`.
pub async fn run(args: InitArgs) -> CmdResult {
    // A file that exists is refused before anything is sent.
    if let Some(p) = output_file(&args)
        && p.exists()
        && !args.force
    {
        return Err(exists_error(p));
    }
    let fixtures = crate::replay::fixture::embedded().map_err(|e| Error::harness(e.to_string()))?;
    let idp = defaults::of(args.idp.as_str(), &fixtures).ok_or_else(|| {
        Error::usage(format!(
            "no replay profile of {} is built into this scimtest",
            args.idp.as_str()
        ))
    })?;
    let Connected {
        client,
        embedded,
        shown_target,
        ..
    } = connect(&args.target, args.timeout).await?;
    if let Err(e) = preflight(&client, None).await {
        if let Some(h) = embedded {
            h.shutdown().await;
        }
        return Err(e);
    }
    let discovery = discover(&client).await;
    if let Some(h) = embedded {
        h.shutdown().await;
    }
    let header = Header {
        target: if args.target.target.is_some() {
            shown_target.clone()
        } else {
            "the embedded reference provider (scimtest's own, started for this run)".into()
        },
        date: chrono::Utc::now().format("%Y-%m-%d").to_string(),
        command: command_line(&args, &shown_target),
    };
    let starter = render::render(&discovery, &idp, &header);
    // The file must be one the other commands read; if not, that is scimtest's bug, not the
    // user's file to debug.
    crate::scim::provisioning::parse(&starter.text).map_err(|e| {
        Error::harness(format!(
            "the starter configuration does not parse ({e}); this is a scimtest bug"
        ))
    })?;
    let written_to = match output_file(&args) {
        Some(p) => {
            write_file(p, &starter.text, args.force)?;
            p.display().to_string()
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(starter.text.as_bytes())
                .and_then(|()| out.flush())
                .map_err(|e| Error::harness(format!("failed to write to stdout: {e}")))?;
            "stdout".to_string()
        }
    };
    if !console::current().quiet() {
        eprintln!(
            "scimtest init: {} mappings for {} and {} more commented out, from {}; written to {}",
            starter.mapped, idp.label, starter.commented, header.target, written_to
        );
    }
    Ok(Verdict::Passed)
}

/// Write `text` to `path`: a new file, or over an existing one with `force`.
fn write_file(path: &Path, text: &str, force: bool) -> Result<(), Error> {
    let mut open = std::fs::OpenOptions::new();
    open.write(true);
    if force {
        open.create(true).truncate(true);
    } else {
        open.create_new(true);
    }
    let mut f = open.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            exists_error(path)
        } else {
            Error::harness(format!("failed to write {}: {e}", path.display()))
        }
    })?;
    f.write_all(text.as_bytes())
        .map_err(|e| Error::harness(format!("failed to write {}: {e}", path.display())))
}

/// The command line that made the file, without a secret.
fn command_line(args: &InitArgs, shown_target: &str) -> String {
    let mut c = vec!["scimtest init".to_string()];
    if args.target.target.is_some() {
        c.push(format!("--target {}", shell_quote(shown_target)));
    }
    if args.target.token.is_some() {
        c.push("--token …".into());
    }
    c.extend(args.target.auth_options());
    c.push(format!("--idp {}", args.idp.as_str()));
    if let Some(p) = &args.output {
        c.push(format!(
            "--output {}",
            shell_quote(&p.display().to_string())
        ));
    }
    if args.force {
        c.push("--force".into());
    }
    c.join(" ")
}

/// GET the three discovery endpoints; what cannot be read is a reason, never an error.
async fn discover(client: &Client) -> Discovery {
    let spc = document(client, "/ServiceProviderConfig").await;
    let resource_types = document(client, "/ResourceTypes").await.and_then(resources);
    let schemas = document(client, "/Schemas").await.and_then(resources);
    let groups_answer = if resource_types.is_err() {
        let r = client.send("GET", "/Groups?count=1", None, &[]).await;
        Some(r.status.is_some_and(|s| (200..300).contains(&s)))
    } else {
        None
    };
    Discovery {
        spc,
        resource_types,
        schemas,
        groups_answer,
    }
}

/// A discovery document; Err is a one-line reason.
async fn document(client: &Client, path: &str) -> Result<Value, String> {
    let r = client.send("GET", path, None, &[]).await;
    let Some(status) = r.status else {
        return Err(format!(
            "it did not answer ({})",
            r.error.unwrap_or_else(|| "no response".into())
        ));
    };
    if !(200..300).contains(&status) {
        return Err(format!("it answered {status}"));
    }
    r.json
        .ok_or_else(|| format!("it answered {status} with a body that is not JSON"))
}

/// The resources of a list answer: a ListResponse's `Resources`, or a bare array (some servers
/// serve one).
fn resources(v: Value) -> Result<Vec<Value>, String> {
    match v {
        Value::Array(a) => Ok(a),
        Value::Object(m) => m
            .into_iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("Resources"))
            .and_then(|(_, v)| match v {
                Value::Array(a) => Some(a),
                _ => None,
            })
            .ok_or_else(|| "its JSON is not a list (no Resources array)".to_string()),
        _ => Err("its JSON is not a list".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_read_wrapped_or_bare() {
        let wrapped = serde_json::json!({"resources": [{"id": "a"}]});
        assert_eq!(resources(wrapped).map(|v| v.len()), Ok(1));
        assert_eq!(resources(serde_json::json!([1, 2])).map(|v| v.len()), Ok(2));
        assert!(resources(serde_json::json!({"id": "x"})).is_err());
        assert!(resources(serde_json::json!("x")).is_err());
    }

    #[test]
    fn the_command_line_shown_has_no_secret() {
        use clap::Parser as _;
        let cli = crate::cli::Cli::try_parse_from([
            "scimtest",
            "init",
            "--target",
            "https://app.example.com/scim/v2",
            "--token",
            "s3cr3t",
            "--header",
            "X-Api-Key: k3y",
            "--idp",
            "okta",
            "-o",
            "my file.toml",
        ]);
        let Ok(crate::cli::Cli {
            command: Some(crate::cli::Command::Init(args)),
            ..
        }) = cli
        else {
            panic!("did not parse: {cli:?}")
        };
        let c = command_line(&args, "https://app.example.com/scim/v2");
        assert!(!c.contains("s3cr3t") && !c.contains("k3y"), "{c}");
        assert_eq!(
            c,
            "scimtest init --target https://app.example.com/scim/v2 --token … \
             --header 'X-Api-Key: …' --idp okta --output 'my file.toml'"
        );
    }
}
