//! Text helpers every floor shares: cutting strings on a character boundary, percent-decoding,
//! and the edit distance behind every did-you-mean. Pure, no I/O; the one home of each (nothing else in the crate re-implements
//! them).

use std::borrow::Cow;

/// `s` cut to at most `max` bytes on a character boundary, and how many bytes were cut.
pub fn head(s: &str, max: usize) -> (&str, usize) {
    let mut end = max.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    let kept = s.get(..end).unwrap_or_default();
    (kept, s.len() - kept.len())
}

/// `s` cut to at most `max` bytes on a character boundary, with `…` when something was cut.
pub fn clip(s: &str, max: usize) -> Cow<'_, str> {
    match head(s, max) {
        (kept, 0) => kept.into(),
        (kept, _) => format!("{kept}…").into(),
    }
}

/// [`clip`] as an owned string (for messages that outlive `s`).
pub fn truncate(s: &str, max: usize) -> String {
    clip(s, max).into_owned()
}

/// `s` cut to at most `max` characters (not bytes), with `…` when something was cut.
pub fn truncate_chars(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", s.get(..cut).unwrap_or(s)),
        None => s.to_owned(),
    }
}

/// Percent-decode `s` (RFC 3986 §2.1); `+` is a space when `plus_is_space` (form encoding). A `%`
/// not followed by two hex digits is kept as it is; invalid UTF-8 becomes U+FFFD.
pub fn percent_decode(s: &str, plus_is_space: bool) -> String {
    let b = s.as_bytes();
    let hex = |j: usize| {
        b.get(j)
            .and_then(|x| char::from(*x).to_digit(16))
            .and_then(|d| u8::try_from(d).ok())
    };
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        match c {
            b'%' => {
                if let (Some(h), Some(l)) = (hex(i + 1), hex(i + 2)) {
                    out.push(h * 16 + l);
                    i += 3;
                    continue;
                }
                out.push(c);
            }
            b'+' if plus_is_space => out.push(b' '),
            _ => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Edit distance between `a` and `b`, in characters (insertions, deletions, substitutions).
pub fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = i;
        let mut next = Vec::with_capacity(b.len() + 1);
        next.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            let above = row.get(j + 1).copied().unwrap_or(usize::MAX - 1);
            let left = next.last().copied().unwrap_or(usize::MAX - 1);
            next.push((diagonal + cost).min(above + 1).min(left + 1));
            diagonal = above;
        }
        row = next;
    }
    row.last().copied().unwrap_or(0)
}

/// The candidate closest to `text` by edit distance, when it is close enough to be a typo (at
/// most a third of the candidate's length, and at least 2 edits are always allowed).
pub fn closest<'a>(text: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (levenshtein(text, c), c))
        .filter(|(d, c)| *d <= (c.chars().count() / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// The `n` candidates nearest to `text` by edit distance, nearest first (ties in the
/// candidates' order), duplicates dropped: the "did you mean one of these" list of a typo.
pub fn nearest<'a>(
    text: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    n: usize,
) -> Vec<&'a str> {
    let mut scored: Vec<(usize, usize, &str)> = Vec::new();
    for (i, c) in candidates.into_iter().enumerate() {
        if !scored.iter().any(|(_, _, s)| *s == c) {
            scored.push((levenshtein(text, c), i, c));
        }
    }
    scored.sort();
    scored.into_iter().take(n).map(|(_, _, c)| c).collect()
}

/// `"a"`, `"a" or "b"`, `"a", "b" or "c"`: a short list of names for a message.
pub fn or_list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// The columns `s` takes on a terminal: ANSI SGR sequences (`ESC [ ... m`) take none, wide
/// characters two.
pub fn display_width(s: &str) -> usize {
    use unicode_width::UnicodeWidthChar;
    let mut width = 0;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
            continue;
        }
        width += c.width().unwrap_or(0);
    }
    width
}

/// `s` (plain text, no escapes) cut to at most `max` display columns, with `…` when something
/// was cut.
pub fn fit(s: &str, max: usize) -> Cow<'_, str> {
    use unicode_width::UnicodeWidthChar;
    if display_width(s) <= max {
        return s.into();
    }
    let mut out = String::new();
    let mut width = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if width + w + 1 > max {
            break;
        }
        out.push(c);
        width += w;
    }
    out.truncate(out.trim_end().len());
    out.push('…');
    out.into()
}

/// `text` (plain, no escapes) wrapped at `width` display columns: the first line starts with
/// `first` (counted in the width), the others with `indent` spaces (a hanging indent). Lines
/// break at spaces only, so a word (a check id, a URL) is never split; a word longer than a
/// line is cut with `…`.
pub fn wrap(text: &str, width: usize, first: &str, indent: usize) -> Vec<String> {
    let pad = " ".repeat(indent);
    let mut lines = Vec::new();
    let mut line = first.to_string();
    let mut line_width = display_width(first);
    let mut empty = true;
    for word in text.split_whitespace() {
        let w = display_width(word);
        if !empty && line_width + 1 + w > width {
            lines.push(std::mem::replace(&mut line, pad.clone()));
            line_width = indent;
            empty = true;
        }
        if !empty {
            line.push(' ');
            line_width += 1;
        }
        let room = width.saturating_sub(line_width);
        let word = fit(word, room.max(1));
        line_width += display_width(&word);
        line.push_str(&word);
        empty = false;
    }
    if !empty || lines.is_empty() {
        lines.push(line.trim_end().to_string());
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_on_char_boundaries() {
        assert_eq!(head("héllo", 2), ("h", 5));
        assert_eq!(head("héllo", 3), ("hé", 3));
        assert_eq!(head("abc", 10), ("abc", 0));
        assert_eq!(head("é", 1), ("", 2));
        assert_eq!(clip("abcdef", 3), "abc…");
        assert_eq!(clip("abc", 3), "abc");
        assert_eq!(truncate("ééé", 3), "é…");
        assert_eq!(truncate_chars("ééé", 2), "éé…");
        assert_eq!(truncate_chars("ab", 2), "ab");
    }

    #[test]
    fn edit_distance_and_did_you_mean() {
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("", "abc"), 3);
        assert_eq!(levenshtein("abc", "abc"), 0);
        assert_eq!(levenshtein("héllo", "hello"), 1);
        let names = ["patch-user", "create-user", "smoke"];
        assert_eq!(closest("patch-users", names), Some("patch-user"));
        assert_eq!(closest("smoek", names), Some("smoke"));
        assert_eq!(closest("zzzzzzzzzz", names), None);
        assert_eq!(
            nearest("patch-usr", names, 2),
            vec!["patch-user", "create-user"]
        );
        assert_eq!(nearest("x", ["a", "a"], 3), vec!["a"]);
        assert_eq!(or_list(&["a"]), "\"a\"");
        assert_eq!(or_list(&["a", "b", "c"]), "\"a\", \"b\" or \"c\"");
        assert_eq!(or_list(&[]), "");
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(
            percent_decode("urn%3Aietf%3Aparams", false),
            "urn:ietf:params"
        );
        assert_eq!(percent_decode("100%", false), "100%");
        assert_eq!(percent_decode("%zz", false), "%zz");
        assert_eq!(percent_decode("a%22b+c%2", true), "a\"b c%2");
        assert_eq!(percent_decode("a+b", false), "a+b");
        assert_eq!(percent_decode("%FF", false), "\u{FFFD}");
    }

    #[test]
    fn widths_fits_and_hanging_wraps() {
        assert_eq!(display_width("\x1b[31mFAIL\x1b[0m x"), 6);
        assert_eq!(display_width("a—b…"), 4);
        assert_eq!(display_width("表"), 2);
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("abc", 3), "abc");
        let lines = wrap("one two three four", 10, "x: ", 3);
        assert_eq!(lines, vec!["x: one two", "   three", "   four"]);
        assert!(lines.iter().all(|l| display_width(l) <= 10));
        let long = wrap("patch.members.remove-by-filter is long", 12, "", 2);
        assert_eq!(long[0], "patch.membe…");
        assert_eq!(wrap("", 10, "head", 2), vec!["head"]);
    }
}
