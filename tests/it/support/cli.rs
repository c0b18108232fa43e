//! The one in-process runner for CLI tests: `scimtest ARGS` parsed by clap and run by the
//! library, without spawning the binary. A command line clap refuses is the usage error (exit 2)
//! `main` would exit with; its message is clap's first line.

use clap::Parser as _;
use scimtest::cli::{Cli, CmdResult, Error};

/// `scimtest ARGS` in process: parsed by clap, run by the library's dispatch.
pub async fn run(args: &[&str]) -> CmdResult {
    match Cli::try_parse_from(std::iter::once("scimtest").chain(args.iter().copied())) {
        Ok(cli) => scimtest::cli::run(cli).await,
        Err(e) => Err(Error::usage(
            e.to_string().lines().next().unwrap_or("").to_string(),
        )),
    }
}

/// The error of an outcome that must have failed to run.
#[track_caller]
pub fn error_of(outcome: CmdResult) -> Error {
    match outcome {
        Err(e) => e,
        Ok(v) => panic!("expected an error, got {v:?}"),
    }
}

/// The exit code `main` would exit with.
pub fn code(outcome: &CmdResult) -> i32 {
    scimtest::cli::error::exit_code(outcome)
}
