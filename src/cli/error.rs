//! How a command ends, and the one place that turns it into a process exit code: a finished run
//! has a [`Verdict`], anything that stopped the tool is an [`Error`] of a [`ErrorKind`].
//! [`Error::exit_code`] and [`Verdict::exit_code`] are the only code that picks a code from
//! `exit_codes` (documented in the README); commands return values, `main` exits.

use crate::exit_codes;

/// What kind of trouble stopped a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The command line was wrong (an unknown check id, IdP or scenario name, ...).
    Usage,
    /// The harness could not run: unreachable target, rejected credentials, bad input file,
    /// unwritable report, a port that could not be bound.
    Harness,
    /// Stopped by Ctrl-C or SIGTERM before there was anything to report.
    Interrupted,
    /// Nothing was selected to run.
    NothingRan,
}

impl ErrorKind {
    /// Every kind (for tests and docs).
    pub const ALL: [ErrorKind; 4] = [
        ErrorKind::Usage,
        ErrorKind::Harness,
        ErrorKind::Interrupted,
        ErrorKind::NothingRan,
    ];
}

/// Why a command stopped: a kind, a one-line message and an optional hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    hint: Option<String>,
}

impl Error {
    /// An error of `kind`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
            hint: None,
        }
    }

    /// A usage error (exit 2).
    pub fn usage(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Usage, message)
    }

    /// A harness error (exit 3).
    pub fn harness(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Harness, message)
    }

    /// Interrupted before there was a report (exit 3); `message` is a note, not an error.
    pub fn interrupted(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Interrupted, message)
    }

    /// Nothing selected (exit 4); `message` is a note, not an error.
    pub fn nothing_ran(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::NothingRan, message)
    }

    /// The same error with a hint printed under it.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Error {
        self.hint = Some(hint.into());
        self
    }

    /// The same kind with nothing left to print (its message was already shown, e.g. by a part
    /// of `scimtest run`).
    pub fn reported(&self) -> Error {
        Error::new(self.kind, "")
    }

    /// The kind.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The one-line message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The hint, if any.
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }

    /// The process exit code of this error: the only place an error's code is decided.
    pub fn exit_code(&self) -> i32 {
        match self.kind {
            ErrorKind::Usage => exit_codes::USAGE,
            ErrorKind::Harness | ErrorKind::Interrupted => exit_codes::HARNESS,
            ErrorKind::NothingRan => exit_codes::NOTHING_RAN,
        }
    }

    /// What the user sees on stderr: `error: <message>` (a plain note for an interruption or an
    /// empty selection), the hint on the next line; None when there is nothing to print.
    pub fn render(&self) -> Option<String> {
        if self.message.is_empty() {
            return None;
        }
        let mut s = match self.kind {
            ErrorKind::Usage | ErrorKind::Harness => format!("error: {}", self.message),
            ErrorKind::Interrupted | ErrorKind::NothingRan => self.message.clone(),
        };
        if let Some(h) = &self.hint {
            s.push_str("\n  hint: ");
            s.push_str(h);
        }
        Some(s)
    }

    /// Print [`Error::render`] on stderr.
    pub fn print(&self) {
        if let Some(s) = self.render() {
            eprintln!("{s}");
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// A failure deep in a command (a file, the embedded provider, a writer): a harness error whose
/// message is the whole cause chain on one line; an [`Error`] carried inside keeps its kind.
impl From<anyhow::Error> for Error {
    fn from(e: anyhow::Error) -> Error {
        if let Some(inner) = e.downcast_ref::<Error>() {
            return inner.clone();
        }
        // The cause chain on one line; a cause whose text its parent already shows (an error
        // that prints its source, such as `path: reason`) is not repeated.
        let mut message = String::new();
        for cause in e.chain() {
            let text = cause.to_string();
            if message.contains(&text) {
                continue;
            }
            if !message.is_empty() {
                message.push_str(": ");
            }
            message.push_str(&text);
        }
        Error::harness(message)
    }
}

/// How a run that finished (its report written) judged the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Everything selected passed (or the command had nothing to judge: `--list`, `serve`).
    Passed,
    /// A gating check failed, a replay profile would break, a load threshold was breached.
    Failed,
    /// Every selected check was skipped.
    NothingRan,
    /// The run stopped early (interrupted, goose refused to go on): its report has no verdict.
    Incomplete,
}

impl Verdict {
    /// The process exit code of a finished run: the only place a verdict's code is decided.
    pub fn exit_code(self) -> i32 {
        match self {
            Verdict::Passed => exit_codes::OK,
            Verdict::Failed => exit_codes::FAILED,
            Verdict::NothingRan => exit_codes::NOTHING_RAN,
            Verdict::Incomplete => exit_codes::HARNESS,
        }
    }
}

/// A run that finished: its report (written, `exit_code` set) and its verdict.
#[derive(Debug, Clone)]
pub struct Finished {
    /// The report as written.
    pub report: crate::report::model::RunReport,
    /// How it judged the target.
    pub verdict: Verdict,
}

/// How a command ended.
pub type CmdResult = Result<Verdict, Error>;

/// The exit code of an outcome.
pub fn exit_code(outcome: &CmdResult) -> i32 {
    match outcome {
        Ok(v) => v.exit_code(),
        Err(e) => e.exit_code(),
    }
}

/// The exit code after clap refused the command line: 2, or 0 for `--help` and `--version`
/// (which clap reports as errors printed on stdout).
pub fn parse_error_exit_code(e: &clap::Error) -> i32 {
    if e.use_stderr() {
        Error::usage("").exit_code()
    } else {
        Verdict::Passed.exit_code()
    }
}

/// A command line clap refused, as one line and a hint like every other mistake: clap's
/// `error:` line, its tips (`a similar argument exists: ...`) and the command's `--help` as the
/// hint; the usage block and "For more information" are left out. Exit 2. `command` is the
/// command line's command (`scimtest serve`), used when clap's text names none.
pub fn from_clap(e: &clap::Error, command: &str) -> Error {
    let text = e.render().to_string();
    let mut message = String::new();
    let mut tips: Vec<String> = Vec::new();
    let mut command = command.to_string();
    for line in text.lines() {
        let l = line.trim();
        if let Some(m) = l.strip_prefix("error:") {
            if message.is_empty() {
                message = m.trim().to_string();
            }
        } else if l.starts_with("[possible values:") {
            // A short enum's values belong on the error line.
            message.push(' ');
            message.push_str(l);
        } else if let Some(t) = l.strip_prefix("tip:") {
            tips.push(t.trim().to_string());
        } else if let Some(u) = l.strip_prefix("Usage:") {
            // `Usage: scimtest check [OPTIONS]`: the command words before the first option.
            let words: Vec<&str> = u
                .split_whitespace()
                .take_while(|w| !w.starts_with('[') && !w.starts_with('<') && !w.starts_with('-'))
                .collect();
            if !words.is_empty() {
                command = words.join(" ");
            }
        }
    }
    if message.is_empty() {
        message = text.lines().next().unwrap_or("").trim().to_string();
    }
    tips.push(format!("`{command} --help` lists every option"));
    Error::usage(message).with_hint(tips.join("; "))
}

/// The worse of two outcomes, for `scimtest run` (the worst of its parts): the harness could
/// not run (3) over a usage error (2) over a failed target (1) over nothing ran (4) over 0.
/// Errors come back already reported.
pub fn worse(a: CmdResult, b: &CmdResult) -> CmdResult {
    fn rank(o: &CmdResult) -> u8 {
        match o {
            Err(e) if e.kind() == ErrorKind::Usage => 3,
            Err(e) if e.kind() == ErrorKind::NothingRan => 1,
            Err(_) | Ok(Verdict::Incomplete) => 4,
            Ok(Verdict::Failed) => 2,
            Ok(Verdict::NothingRan) => 1,
            Ok(Verdict::Passed) => 0,
        }
    }
    if rank(b) > rank(&a) {
        b.as_ref().map(|v| *v).map_err(Error::reported)
    } else {
        a
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_kind_maps_to_its_documented_code() {
        for kind in ErrorKind::ALL {
            let want = match kind {
                ErrorKind::Usage => 2,
                ErrorKind::Harness | ErrorKind::Interrupted => 3,
                ErrorKind::NothingRan => 4,
            };
            assert_eq!(Error::new(kind, "x").exit_code(), want, "{kind:?}");
        }
        assert_eq!(exit_codes::USAGE, 2);
        assert_eq!(exit_codes::HARNESS, 3);
        assert_eq!(exit_codes::NOTHING_RAN, 4);
    }

    #[test]
    fn every_verdict_maps_to_its_documented_code() {
        assert_eq!(Verdict::Passed.exit_code(), 0);
        assert_eq!(Verdict::Failed.exit_code(), 1);
        assert_eq!(Verdict::NothingRan.exit_code(), 4);
        assert_eq!(Verdict::Incomplete.exit_code(), 3);
    }

    #[test]
    fn errors_render_one_line_and_notes_have_no_error_prefix() {
        assert_eq!(
            Error::harness("the target is unreachable").render(),
            Some("error: the target is unreachable".into())
        );
        assert_eq!(
            Error::usage("no check matches \"x\"")
                .with_hint("see --list")
                .render(),
            Some("error: no check matches \"x\"\n  hint: see --list".into())
        );
        assert_eq!(
            Error::nothing_ran("nothing to run").render(),
            Some("nothing to run".into())
        );
        assert_eq!(Error::harness("x").reported().render(), None);
        let e: Error = anyhow::anyhow!("inner").context("outer").into();
        assert_eq!(e.render(), Some("error: outer: inner".into()));
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "No such file");
        let repeated: Error = anyhow::Error::new(io)
            .context("x.json: No such file")
            .into();
        assert_eq!(repeated.message(), "x.json: No such file");
        assert_eq!(e.exit_code(), 3);
    }

    #[test]
    fn the_worst_part_decides_a_run() {
        let w = worse(Ok(Verdict::Passed), &Ok(Verdict::NothingRan));
        assert_eq!(w, Ok(Verdict::NothingRan));
        let w = worse(w, &Ok(Verdict::Failed));
        assert_eq!(w, Ok(Verdict::Failed));
        let w = worse(w, &Err(Error::usage("bad")));
        assert_eq!(exit_code(&w), 2);
        assert_eq!(w.as_ref().err().and_then(Error::render), None, "reported");
        let w = worse(w, &Ok(Verdict::Incomplete));
        assert_eq!(exit_code(&w), 3);
        let w = worse(w, &Ok(Verdict::Failed));
        assert_eq!(exit_code(&w), 3);
    }
}
