//! Why a scenario could not be loaded: errors that name the file, line and column with a caret
//! under the offending text, and the did-you-mean for mistyped names.

use std::ops::Range;

/// Why a scenario could not be loaded. Every mistake in a file names the file, line and column.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The text is not a valid scenario.
    #[error("{origin}:{line}:{column}: {message}{snippet}")]
    Invalid {
        /// The file (or `scenarios/<name>.toml`).
        origin: String,
        /// 1-based line.
        line: usize,
        /// 1-based column, in characters.
        column: usize,
        /// What is wrong, a lowercase fragment.
        message: String,
        /// The offending line with a caret under the span, starting with a newline.
        snippet: String,
    },
    /// The file could not be read.
    #[error("failed to read scenario {path}")]
    Read {
        /// The path given.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Neither a shipped scenario nor a file.
    #[error(
        "no shipped scenario named {name:?}{hint}; shipped scenarios: {known} (or give a path to a .toml file)"
    )]
    Unknown {
        /// The name given.
        name: String,
        /// ` (did you mean "…"?)`, or empty.
        hint: String,
        /// The shipped names, comma-separated.
        known: String,
    },
}

impl ScenarioError {
    /// The 1-based line of an [`ScenarioError::Invalid`] error.
    pub fn line(&self) -> Option<usize> {
        match self {
            ScenarioError::Invalid { line, .. } => Some(*line),
            _ => None,
        }
    }
}

/// The text being parsed, to turn byte spans into `origin:line:column` errors.
pub(super) struct Source<'a> {
    pub(super) text: &'a str,
    pub(super) origin: &'a str,
}

impl Source<'_> {
    /// An [`ScenarioError::Invalid`] at `span`.
    pub(super) fn error(&self, span: Range<usize>, message: impl Into<String>) -> ScenarioError {
        let mut start = span.start.min(self.text.len());
        while !self.text.is_char_boundary(start) {
            start -= 1;
        }
        let before = self.text.get(..start).unwrap_or("");
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let line = before.matches('\n').count() + 1;
        let column = before.get(line_start..).unwrap_or("").chars().count() + 1;
        let rest = self.text.get(line_start..).unwrap_or("");
        let line_text = rest.split('\n').next().unwrap_or("").trim_end_matches('\r');
        let span_text = self.text.get(start..span.end.max(start)).unwrap_or("");
        let line_tail = line_text.chars().count().saturating_sub(column - 1).max(1);
        let carets = span_text.chars().count().clamp(1, line_tail);
        let number = line.to_string();
        let pad = " ".repeat(number.len());
        let snippet = format!(
            "\n{pad} |\n{number} | {line_text}\n{pad} | {}{}",
            " ".repeat(column - 1),
            "^".repeat(carets)
        );
        ScenarioError::Invalid {
            origin: self.origin.to_string(),
            line,
            column,
            message: message.into(),
            snippet,
        }
    }
}

/// `"unknown {what} \"text\"; expected one of a, b, c"` with a did-you-mean when one is close.
pub fn unknown_name<const N: usize>(what: &str, text: &str, names: [&str; N]) -> String {
    let hint = did_you_mean(text, names.iter().copied())
        .map(|s| format!(" (did you mean {s:?}?)"))
        .unwrap_or_default();
    format!(
        "unknown {what} {text:?}{hint}; expected one of {}",
        names.join(", ")
    )
}

/// The candidate closest to `text` (compared in lower case) when it is close enough to be a typo.
pub(super) fn did_you_mean<'a>(
    text: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    crate::text::closest(&text.to_ascii_lowercase(), candidates)
}

#[cfg(test)]
mod tests {
    use crate::load::scenario::fixtures::*;

    #[test]
    fn every_error_carries_a_caret_snippet() {
        let msg = fails_at(&with("weight = 2", "weight = 0"), 19, 10, "");
        assert!(msg.contains("\n19 | weight = 0\n   |          ^"), "{msg}");
    }
}
