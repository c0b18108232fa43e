//! `scimtest record`: run the recording proxy in front of a target, write the fixture to
//! `--out` after every recorded exchange (temp file + rename, so a hard kill loses nothing)
//! and once more on Ctrl-C, then exit 0. A bad upstream URL or an unwritable `--out` is a
//! harness error (exit 3) reported before the proxy listens.

use crate::cli::common::{Flow, Idp, OAuthArgs, parse_duration};
use crate::cli::error::{CmdResult, Verdict};
use crate::replay::fixture::Fixture;
use crate::replay::record::{self, RecordConfig, RecordMeta};
use anyhow::Context;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

fn profile_name(s: &str) -> Result<String, String> {
    let ok = s.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if ok {
        Ok(s.to_string())
    } else {
        Err("a profile is lower-case letters, digits, '_' and '-', e.g. default, oin".into())
    }
}

/// Arguments of `scimtest record`.
#[derive(Debug, clap::Args)]
pub struct RecordArgs {
    /// Address the proxy listens on; give the IdP http://ADDR as its SCIM base URL.
    #[arg(long, default_value = "127.0.0.1:8081", value_name = "ADDR")]
    pub listen: SocketAddr,
    /// The target's SCIM base URL; every request is forwarded to it, unchanged (`--target`
    /// works too, as in the other commands).
    #[arg(long, visible_alias = "target", value_name = "URL")]
    pub upstream: String,
    /// The fixture file, rewritten after every recorded exchange.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// The IdP whose traffic is recorded (the fixture format knows these three).
    #[arg(long, value_enum)]
    pub idp: Idp,
    /// The dialect name written into the fixture.
    #[arg(long, default_value = "recorded", value_parser = profile_name)]
    pub profile: String,
    /// The flow written into the fixture.
    #[arg(long, value_enum, default_value = "full-sync")]
    pub flow: Flow,
    /// The fixture's title (default: generated from the IdP, flow and upstream host).
    #[arg(long)]
    pub title: Option<String>,
    /// How long one request may take upstream (connect, answer, whole body) before the IdP
    /// gets a 504, e.g. 30s, 500ms.
    #[arg(long, default_value = "30s", value_parser = parse_duration, value_name = "DURATION")]
    pub timeout: std::time::Duration,
    /// OAuth 2.0 client credentials for the upstream: the recorder forwards its own bearer
    /// token instead of the IdP's Authorization (which is still never written to the fixture).
    #[command(flatten)]
    pub oauth: OAuthArgs,
}

/// Run `scimtest record`.
pub async fn run(args: RecordArgs) -> CmdResult {
    Ok(run_inner(args).await?)
}

fn temp_path(out: &Path) -> PathBuf {
    let mut name = out.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".tmp-{}", std::process::id()));
    out.with_file_name(name)
}

/// Write `fx` to `out` atomically (temp file in the same directory, then rename).
fn write_fixture(out: &Path, fx: &Fixture) -> anyhow::Result<()> {
    let mut text = serde_json::to_string_pretty(fx).context("failed to serialise the fixture")?;
    text.push('\n');
    let tmp = temp_path(out);
    std::fs::write(&tmp, text).with_context(|| format!("failed to write {}", tmp.display()))?;
    std::fs::rename(&tmp, out)
        .with_context(|| format!("failed to rename {} to {}", tmp.display(), out.display()))
}

/// Prove `out` can be written: its directory takes a temp file.
fn check_writable(out: &Path) -> anyhow::Result<()> {
    if out.is_dir() {
        anyhow::bail!("--out {} is a directory", out.display());
    }
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("--out {}: cannot create {}", out.display(), dir.display()))?;
    }
    let tmp = temp_path(out);
    std::fs::write(&tmp, b"")
        .with_context(|| format!("--out {} is not writable", out.display()))?;
    let _ = std::fs::remove_file(&tmp);
    Ok(())
}

async fn run_inner(args: RecordArgs) -> anyhow::Result<Verdict> {
    let upstream = record::check_upstream(&args.upstream)?;
    let creds = args
        .oauth
        .credentials()
        .map_err(crate::cli::error::Error::usage)?;
    check_writable(&args.out)?;
    let upstream_oauth = match creds {
        Some(c) => {
            if args.oauth.client_secret.is_some() {
                eprintln!(
                    "warning: --client-secret is visible in the process list; prefer \
                     --client-secret-env"
                );
            }
            let src = std::sync::Arc::new(crate::client::TokenSource::new(
                c,
                args.timeout,
                crate::client::Redactor::default(),
            ));
            // A refused client ends here, before the IdP is told where to connect.
            if let Err(e) = src.bearer().await {
                let flags = if e.refused_client() {
                    "--client-id/--client-secret-env"
                } else {
                    "--oauth-token-url"
                };
                return Err(crate::cli::error::Error::harness(format!(
                    "{}; check {flags}",
                    e.message
                ))
                .into());
            }
            Some(src)
        }
        None => None,
    };
    let mut meta = RecordMeta::new(
        args.idp.as_str(),
        &args.profile,
        args.flow.as_str(),
        &upstream,
    );
    meta.title = args.title.unwrap_or_default();
    let config = RecordConfig {
        timeout: args.timeout,
        upstream_oauth,
        ..RecordConfig::new(args.listen, &upstream, meta)
    };
    let handle = record::spawn(config).await?;
    eprintln!(
        "scimtest record: listening on {} (give the IdP this SCIM base URL), forwarding to \
         {upstream}, writing {}; Ctrl-C to stop",
        handle.base_url,
        args.out.display()
    );
    let mut updates = handle.subscribe();
    let mut written = 0usize;
    let ctrl_c = shutdown_signal();
    tokio::pin!(ctrl_c);
    loop {
        tokio::select! {
            changed = updates.changed() => {
                if changed.is_err() {
                    break;
                }
                let stats = *updates.borrow_and_update();
                if stats.recorded > written {
                    written = stats.recorded;
                    if let Err(e) = write_fixture(&args.out, &handle.fixture()) {
                        eprintln!("warning: {e:#}");
                    }
                }
            }
            _ = &mut ctrl_c => break,
        }
    }
    let stats = handle.stats();
    let fx = handle.finish().await;
    if fx.steps.is_empty() {
        eprintln!(
            "scimtest record: nothing was recorded; {} not written",
            args.out.display()
        );
        return Ok(Verdict::Passed);
    }
    write_fixture(&args.out, &fx)?;
    eprintln!(
        "scimtest record: {} steps written to {} ({} requests got no upstream answer); review \
         it before committing: personal data is not scrubbed",
        fx.steps.len(),
        args.out.display(),
        stats.unanswered
    );
    Ok(Verdict::Passed)
}

async fn shutdown_signal() {
    crate::interrupt::wait().await;
}
