//! How the terminal output of a command looks: how much it says (`-q/--quiet`, `--verbose`),
//! whether it is coloured (`--color auto|always|never`, `NO_COLOR`) and where the summary goes
//! (stdout; stderr when a report is written to stdout with `-`). [`scope`] sets it once per
//! command line (in `cli::run`), as a task-local value, so in-process runs side by side never
//! see each other's settings; the summaries read it with [`current`] and print with [`say!`].
//! Only terminal text passes through here: report files are never coloured.
//!
//! Colour is plain ANSI SGR: red for FAIL/ERROR, green for PASS, yellow for warnings and advice,
//! dim for secondary text.

use std::borrow::Cow;
use std::io::IsTerminal;

/// `--color`: when to colour the terminal output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when the summary goes to a terminal and NO_COLOR is unset or empty.
    #[default]
    Auto,
    /// Always colour (even into a pipe, and despite NO_COLOR).
    Always,
    /// Never colour.
    Never,
}

/// How much a command says on the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, PartialOrd, Ord)]
pub enum Verbosity {
    /// `-q`: the final verdict lines and the failures; no progress, no per-check lines.
    Quiet,
    /// Failures listed, passes and skips counted.
    #[default]
    Normal,
    /// `--verbose`: passes and skips listed too, with more detail.
    Verbose,
}

/// The settings of one command line's terminal output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Console {
    /// How much to say.
    pub verbosity: Verbosity,
    /// Whether the summary is coloured.
    pub color: bool,
    /// Whether the summary goes to stderr (a report is being written to stdout).
    pub summary_to_stderr: bool,
}

/// A style of terminal text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// FAIL, ERROR, BREAK (red).
    Fail,
    /// PASS, ok (green).
    Pass,
    /// WARN, advice (yellow).
    Warn,
    /// Secondary text (dim).
    Dim,
    /// Headings (bold).
    Bold,
}

impl Style {
    fn sgr(self) -> &'static str {
        match self {
            Style::Fail => "\x1b[31m",
            Style::Pass => "\x1b[32m",
            Style::Warn => "\x1b[33m",
            Style::Dim => "\x1b[2m",
            Style::Bold => "\x1b[1m",
        }
    }
}

impl Console {
    /// The settings for these flags: `no_color` is the value of `NO_COLOR` (any non-empty value
    /// turns colour off under `auto`), `tty` whether the summary's stream is a terminal.
    pub fn resolve(
        quiet: bool,
        verbose: bool,
        color: ColorChoice,
        no_color: Option<&str>,
        tty: bool,
        summary_to_stderr: bool,
    ) -> Console {
        let verbosity = if quiet {
            Verbosity::Quiet
        } else if verbose {
            Verbosity::Verbose
        } else {
            Verbosity::Normal
        };
        let color = match color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => tty && no_color.is_none_or(str::is_empty),
        };
        Console {
            verbosity,
            color,
            summary_to_stderr,
        }
    }

    /// [`Console::resolve`] reading `NO_COLOR` and asking whether the summary's stream is a
    /// terminal.
    pub fn from_env(
        quiet: bool,
        verbose: bool,
        color: ColorChoice,
        summary_to_stderr: bool,
    ) -> Console {
        let no_color = std::env::var("NO_COLOR").ok();
        let tty = if summary_to_stderr {
            std::io::stderr().is_terminal()
        } else {
            std::io::stdout().is_terminal()
        };
        Console::resolve(
            quiet,
            verbose,
            color,
            no_color.as_deref(),
            tty,
            summary_to_stderr,
        )
    }

    /// `-q`.
    pub fn quiet(&self) -> bool {
        self.verbosity == Verbosity::Quiet
    }

    /// `--verbose`.
    pub fn verbose(&self) -> bool {
        self.verbosity == Verbosity::Verbose
    }

    /// Whether live progress (bars, per-item lines) is shown: never with `-q`.
    pub fn progress(&self) -> bool {
        !self.quiet()
    }

    /// Whether a progress bar may be drawn: progress is on and stderr is a terminal.
    pub fn progress_bar(&self) -> bool {
        self.progress() && std::io::stderr().is_terminal()
    }

    /// `text` in `style` when colour is on, as it is otherwise.
    pub fn paint<'a>(&self, style: Style, text: &'a str) -> Cow<'a, str> {
        if self.color && !text.is_empty() {
            format!("{}{text}\x1b[0m", style.sgr()).into()
        } else {
            text.into()
        }
    }
}

tokio::task_local! {
    static CONSOLE: Console;
}

/// Run `f` with `console` as the terminal settings [`current`] returns.
pub async fn scope<F: std::future::Future>(console: Console, f: F) -> F::Output {
    CONSOLE.scope(console, f).await
}

/// The terminal settings of the running command (the defaults outside [`scope`]: normal
/// verbosity, no colour, summary on stdout).
pub fn current() -> Console {
    CONSOLE.try_with(|c| *c).unwrap_or_default()
}

/// Print one summary line: on stdout, or on stderr when a report goes to stdout.
pub fn say_line(args: std::fmt::Arguments<'_>) {
    if current().summary_to_stderr {
        eprintln!("{args}");
    } else {
        println!("{args}");
    }
}

/// `println!` for summaries: stdout, or stderr when a report is written to stdout (`-`).
#[macro_export]
macro_rules! say {
    () => {
        $crate::cli::console::say_line(format_args!(""))
    };
    ($($t:tt)*) => {
        $crate::cli::console::say_line(format_args!($($t)*))
    };
}

/// The width every terminal line fits in.
pub const WIDTH: usize = 100;

/// A block of lines wrapped to [`WIDTH`]: a line that starts flush continues under a two-space
/// indent; an indented line `  label   text` continues under its text.
pub fn wrap_block(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let lead = line.len() - line.trim_start().len();
        let indent = if lead == 0 {
            2
        } else {
            // Under the text after the label: the end of the first run of two spaces after it.
            let rest = line.get(lead..).unwrap_or_default();
            rest.find("  ")
                .and_then(|i| {
                    let after = rest.get(i..)?;
                    Some(lead + i + (after.len() - after.trim_start().len()))
                })
                .unwrap_or(lead + 2)
        };
        let first = line.get(..indent.min(line.len())).unwrap_or_default();
        let first = if lead == 0 { "" } else { first };
        let body = line.get(first.len()..).unwrap_or_default();
        for l in crate::text::wrap(body, WIDTH, first, indent) {
            out.push_str(&l);
            out.push('\n');
        }
    }
    out
}

/// While alive, whatever is printed on stdout (fd 1) lands on stderr; dropped, stdout is back.
/// For a report written to `-` while a library prints its own lines with `println!` (goose
/// announces "All N users launched." on stdout). Unix only; elsewhere it does nothing.
pub struct StdoutToStderr {
    /// The real stdout, kept to put back.
    #[cfg(unix)]
    saved: Option<std::os::fd::OwnedFd>,
}

impl StdoutToStderr {
    /// Point fd 1 at stderr (if that fails, stdout is left as it was).
    pub fn begin() -> StdoutToStderr {
        use std::io::Write;
        let _ = std::io::stdout().flush();
        #[cfg(unix)]
        {
            let saved = nix::unistd::dup(std::io::stdout()).ok();
            if saved.is_some() && nix::unistd::dup2_stdout(std::io::stderr()).is_err() {
                return StdoutToStderr { saved: None };
            }
            StdoutToStderr { saved }
        }
        #[cfg(not(unix))]
        StdoutToStderr {}
    }
}

impl Drop for StdoutToStderr {
    fn drop(&mut self) {
        use std::io::Write;
        let _ = std::io::stdout().flush();
        #[cfg(unix)]
        if let Some(fd) = &self.saved {
            let _ = nix::unistd::dup2_stdout(fd);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_and_the_color_flag() {
        let r = |c, nc, tty| Console::resolve(false, false, c, nc, tty, false).color;
        assert!(r(ColorChoice::Auto, None, true));
        assert!(!r(ColorChoice::Auto, None, false), "not a terminal");
        assert!(!r(ColorChoice::Auto, Some("1"), true), "NO_COLOR");
        assert!(
            r(ColorChoice::Auto, Some(""), true),
            "an empty NO_COLOR is unset"
        );
        assert!(
            r(ColorChoice::Always, Some("1"), false),
            "--color always wins"
        );
        assert!(!r(ColorChoice::Never, None, true));
    }

    #[test]
    fn painting_only_with_colour() {
        let on = Console::resolve(false, true, ColorChoice::Always, None, false, false);
        assert_eq!(on.paint(Style::Fail, "FAIL"), "\x1b[31mFAIL\x1b[0m");
        assert!(on.verbose());
        let off = Console::resolve(true, false, ColorChoice::Never, None, true, false);
        assert_eq!(off.paint(Style::Fail, "FAIL"), "FAIL");
        assert!(off.quiet() && !off.progress());
    }

    #[test]
    fn blocks_wrap_under_their_text() {
        let long = "word ".repeat(30);
        let text = format!("{long}\n  load    {long}\n");
        let out = wrap_block(&text);
        for l in out.lines() {
            assert!(crate::text::display_width(l) <= WIDTH, "{l}");
        }
        assert!(out.lines().nth(1).is_some_and(|l| l.starts_with("  word")));
        let load = out.lines().position(|l| l.starts_with("  load    word"));
        let next = load
            .and_then(|i| out.lines().nth(i + 1))
            .unwrap_or_default();
        assert!(next.starts_with("          word"), "{out}");
    }
}
