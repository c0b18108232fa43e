//! The numbers the README and the command reference state — checks in the catalogue, replay
//! profiles, shipped load scenarios, provider faults — equal the binary's, read from the same
//! lists `check --list`, `replay --list`, `load --list-scenarios` and `serve --list-faults`
//! print. A number written as digits directly before (or up to two words before) the noun counts:
//! "231 checks", "13 real IdP profiles", "14 shipped scenarios", "120 faults".

use std::path::PathBuf;

use scimtest::provider::fault::Fault;

/// What a stated number counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Counted {
    Checks,
    Profiles,
    Scenarios,
    Faults,
}

impl Counted {
    fn noun(self) -> &'static str {
        match self {
            Counted::Checks => "checks",
            Counted::Profiles => "profiles",
            Counted::Scenarios => "scenarios",
            Counted::Faults => "faults",
        }
    }

    fn from_word(word: &str) -> Option<Counted> {
        [
            Counted::Checks,
            Counted::Profiles,
            Counted::Scenarios,
            Counted::Faults,
        ]
        .into_iter()
        .find(|c| c.noun() == word)
    }

    /// The binary's own count.
    fn actual(self) -> usize {
        match self {
            Counted::Checks => scimtest::catalogue::entries().len(),
            Counted::Profiles => scimtest::replay::fixture::embedded_profiles()
                .unwrap_or_else(|e| panic!("embedded profiles: {e}"))
                .len(),
            Counted::Scenarios => scimtest::load::scenario::builtin().len(),
            Counted::Faults => Fault::all().len(),
        }
    }
}

/// Read at run time, so a test binary shared between checkouts checks its own checkout's files.
fn repo_file(rel: &str) -> String {
    let root = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    std::fs::read_to_string(root.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// One number stated in a text.
#[derive(Debug)]
struct Stated {
    n: usize,
    counted: Counted,
    /// The number and the words up to the noun, e.g. "13 real IdP profiles".
    context: String,
    /// Byte range of the number's digits in the text.
    digits: std::ops::Range<usize>,
}

/// The whitespace-separated words of `text` with their byte offsets.
fn words(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                out.push((s, &text[s..i]));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, &text[s..]));
    }
    out
}

/// Every number `text` states of something the binary counts.
fn stated(text: &str) -> Vec<Stated> {
    let words = words(text);
    let mut out = Vec::new();
    for (i, (at, raw)) in words.iter().enumerate() {
        let w = raw.trim_matches(|c: char| c == '*' || c == '(' || c == '`');
        // "3," ends a clause: what follows is not what it counts.
        if w.ends_with(|c: char| !c.is_ascii_digit()) {
            continue;
        }
        let digits = w.replace(',', "");
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        let Ok(n) = digits.parse::<usize>() else {
            continue;
        };
        // The noun right after the number, or after at most two plain words ("real IdP").
        for (k, (_, next)) in words.iter().skip(i + 1).take(3).enumerate() {
            let bare = next.trim_matches(|c: char| !c.is_alphanumeric());
            if let Some(counted) = Counted::from_word(bare) {
                let context: Vec<&str> = words[i..=i + 1 + k].iter().map(|(_, w)| *w).collect();
                let start = at + raw.find(w).unwrap_or(0);
                out.push(Stated {
                    n,
                    counted,
                    context: context.join(" "),
                    digits: start..start + w.len(),
                });
                break;
            }
            // A plain qualifier word may stand between; anything else ends the phrase.
            if bare.is_empty() || *next != bare || bare.chars().any(|ch| ch.is_ascii_digit()) {
                break;
            }
        }
    }
    out
}

/// Problems with the numbers `text` (named `name`) states; `required` must each be stated.
fn problems(name: &str, text: &str, required: &[Counted]) -> Vec<String> {
    let found = stated(text);
    let mut problems = Vec::new();
    for s in &found {
        let actual = s.counted.actual();
        if s.n != actual {
            problems.push(format!(
                "{name} says \"{}\", the binary has {actual} {}",
                s.context,
                s.counted.noun()
            ));
        }
    }
    for c in required {
        if !found.iter().any(|s| s.counted == *c) {
            problems.push(format!(
                "{name} no longer states the number of {} (as \"<N> {}\")",
                c.noun(),
                c.noun()
            ));
        }
    }
    problems
}

#[test]
fn the_readme_numbers_equal_the_binarys() {
    let readme = repo_file("README.md");
    let p = problems(
        "README.md",
        &readme,
        &[Counted::Checks, Counted::Profiles, Counted::Scenarios],
    );
    assert!(p.is_empty(), "{}", p.join("\n"));
}

#[test]
fn the_usage_doc_numbers_equal_the_binarys() {
    let usage = repo_file("docs/usage.md");
    let p = problems("docs/usage.md", &usage, &[Counted::Faults]);
    assert!(p.is_empty(), "{}", p.join("\n"));
}

/// The checker itself: a README with one number edited wrong, or with a number removed, fails.
#[test]
fn a_wrong_or_missing_number_in_the_readme_is_reported() {
    let readme = repo_file("README.md");
    for c in [Counted::Checks, Counted::Profiles, Counted::Scenarios] {
        let all = stated(&readme);
        let first = all
            .iter()
            .find(|s| s.counted == c)
            .unwrap_or_else(|| panic!("README.md states no number of {}", c.noun()));
        let wrong = (first.n + 1).to_string();
        let mut edited = readme.clone();
        edited.replace_range(first.digits.clone(), &wrong);
        let p = problems("README.md", &edited, &[c]);
        assert!(
            p.iter().any(|l| l.contains("says") && l.contains(&wrong)),
            "{} edited to {wrong} was not reported: {p:?}",
            first.context
        );
        // Remove every such number, last first so the earlier ranges stay valid.
        let mut removed = readme.clone();
        for s in all.iter().rev().filter(|s| s.counted == c) {
            removed.replace_range(s.digits.clone(), "some");
        }
        let p = problems("README.md", &removed, &[c]);
        assert!(
            p.iter().any(|l| l.contains("no longer states")),
            "removing the number of {} was not reported: {p:?}",
            c.noun()
        );
    }
}

#[test]
fn numbers_are_found_in_the_forms_the_docs_use() {
    let found = stated("runs **231 checks**, replays 13 real IdP profiles; (120 faults today)");
    let got: Vec<(usize, Counted)> = found.iter().map(|s| (s.n, s.counted)).collect();
    assert_eq!(
        got,
        vec![
            (231, Counted::Checks),
            (13, Counted::Profiles),
            (120, Counted::Faults)
        ]
    );
    assert!(stated("exit code 3, never as a failed check").is_empty());
    assert!(stated("25 tests of 4 kinds: checks").is_empty());
}
