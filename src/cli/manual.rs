//! `scimtest completions SHELL` and `scimtest man`: the shell completion scripts (clap_complete)
//! and the man pages (clap_mangen), both generated from the command line's own definition, so
//! they never fall behind it.

use crate::cli::Cli;
use crate::cli::error::{CmdResult, Error, Verdict};
use clap::CommandFactory;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Arguments of `scimtest completions`.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, elvish or powershell.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

/// Arguments of `scimtest man`.
#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write one page per command (scimtest.1, scimtest-check.1, ...) into this directory
    /// instead of printing scimtest.1 on stdout.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

/// The completion script for `shell`, written to `out`.
pub fn write_completions(shell: clap_complete::Shell, out: &mut dyn Write) {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "scimtest", out);
}

/// The man page of `scimtest` (roff), written to `out`.
pub fn write_man(out: &mut dyn Write) -> std::io::Result<()> {
    clap_mangen::Man::new(Cli::command()).render(out)
}

/// One man page per command (`scimtest.1`, `scimtest-check.1`, ...) in `dir`, created if
/// missing; the scimtest pages now in `dir`.
pub fn write_man_pages(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    clap_mangen::generate_to(Cli::command(), dir)?;
    list_pages(dir)
}

fn list_pages(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| x == "1")
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("scimtest"))
        })
        .collect();
    v.sort();
    Ok(v)
}

/// Run `scimtest completions SHELL`.
pub fn completions(args: &CompletionsArgs) -> CmdResult {
    let mut buf = Vec::new();
    write_completions(args.shell, &mut buf);
    to_stdout(&buf, "the completion script")
}

/// Write `bytes` on stdout. A reader that stopped early (`| head`) is not an error.
fn to_stdout(bytes: &[u8], what: &str) -> CmdResult {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(Verdict::Passed),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(Verdict::Passed),
        Err(e) => Err(Error::harness(format!("failed to write {what}: {e}"))),
    }
}

/// Run `scimtest man`.
pub fn man(args: &ManArgs) -> CmdResult {
    match &args.out_dir {
        Some(dir) => {
            let pages = write_man_pages(dir).map_err(|e| {
                Error::harness(format!(
                    "failed to write the man pages into {}: {e}",
                    dir.display()
                ))
            })?;
            eprintln!("wrote {} man pages into {}", pages.len(), dir.display());
        }
        None => {
            let mut buf = Vec::new();
            write_man(&mut buf)
                .map_err(|e| Error::harness(format!("failed to render the man page: {e}")))?;
            return to_stdout(&buf, "the man page");
        }
    }
    Ok(Verdict::Passed)
}
