//! The CI examples of `docs/ci.md` stay true: the YAML blocks on the page equal
//! `docs/ci/github-actions.yml` and `docs/ci/gitlab-ci.yml`, both files parse as YAML, and every
//! `scimtest …` command line in their `run:` (GitHub Actions) and `script:` (GitLab CI) entries
//! is accepted by scimtest's own argument parser. Environment references such as
//! `"$SCIM_TOKEN"` stay literal strings, as clap sees no difference.

use std::path::PathBuf;

use clap::Parser;
use serde_yaml_ng::Value;

const GITHUB: &str = "docs/ci/github-actions.yml";
const GITLAB: &str = "docs/ci/gitlab-ci.yml";

/// Read at run time, so a test binary shared between checkouts checks its own checkout's files.
fn repo_file(rel: &str) -> String {
    let root = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    std::fs::read_to_string(root.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// A shell line split into words: whitespace separates, single quotes keep everything, double
/// quotes keep everything but a backslash escape, a backslash outside quotes escapes one
/// character. No expansion: `$VAR` stays as written. Err on an unclosed quote.
fn shell_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err(format!("unclosed ' in {line:?}")),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c) => word.push(c),
                            None => return Err(format!("unclosed \" in {line:?}")),
                        },
                        Some(c) => word.push(c),
                        None => return Err(format!("unclosed \" in {line:?}")),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(c) = chars.next() {
                    word.push(c);
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

/// The shell lines of a script: backslash-newline continuations joined, blank lines and
/// comments left out.
fn script_lines(script: &str) -> Vec<String> {
    let joined = script.replace("\\\n", " ");
    joined
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// Every shell script in a CI file: each `run:` string (GitHub Actions steps) and each entry of
/// `script:`, `before_script:` and `after_script:` (GitLab jobs), wherever they are nested.
fn scripts(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Mapping(m) => {
            for (k, val) in m {
                let key = k.as_str().unwrap_or("");
                match (key, val) {
                    ("run", Value::String(s)) => out.push(s.clone()),
                    ("script" | "before_script" | "after_script", Value::Sequence(items)) => {
                        out.extend(items.iter().filter_map(|i| i.as_str().map(str::to_string)))
                    }
                    ("script" | "before_script" | "after_script", Value::String(s)) => {
                        out.push(s.clone())
                    }
                    _ => scripts(val, out),
                }
            }
        }
        Value::Sequence(items) => items.iter().for_each(|i| scripts(i, out)),
        _ => {}
    }
}

/// The `scimtest` command lines of a CI file's scripts, each split into words.
fn scimtest_commands(yaml_text: &str, name: &str) -> Vec<Vec<String>> {
    let doc: Value =
        serde_yaml_ng::from_str(yaml_text).unwrap_or_else(|e| panic!("{name} is not YAML: {e}"));
    let mut all = Vec::new();
    scripts(&doc, &mut all);
    let mut out = Vec::new();
    for script in all {
        for line in script_lines(&script) {
            let words = shell_words(&line).unwrap_or_else(|e| panic!("{name}: {e}"));
            if words.first().is_some_and(|w| w == "scimtest") {
                out.push(words);
            }
        }
    }
    out
}

/// What clap says about each command line; empty when every one parses.
fn parse_errors(commands: &[Vec<String>]) -> Vec<String> {
    commands
        .iter()
        .filter_map(|words| {
            scimtest::cli::Cli::try_parse_from(words)
                .err()
                .map(|e| format!("`{}`: {}", words.join(" "), e.render()))
        })
        .collect()
}

/// Asserts `file` runs `scimtest check --target … --baseline …` and that clap accepts every
/// `scimtest` command line in it.
fn assert_commands_parse(file: &str) {
    let commands = scimtest_commands(&repo_file(file), file);
    assert!(
        commands
            .iter()
            .any(|c| c.get(1).is_some_and(|w| w == "check")
                && c.iter().any(|w| w == "--baseline")
                && c.iter().any(|w| w == "--target")),
        "{file} has no `scimtest check --target … --baseline …`: {commands:?}"
    );
    let errors = parse_errors(&commands);
    assert!(errors.is_empty(), "{file}:\n{}", errors.join("\n"));
}

#[test]
fn every_scimtest_command_in_the_github_actions_example_parses() {
    assert_commands_parse(GITHUB);
}

#[test]
fn every_scimtest_command_in_the_gitlab_ci_example_parses() {
    assert_commands_parse(GITLAB);
}

#[test]
fn the_ci_examples_keep_their_reports() {
    let github: Value =
        serde_yaml_ng::from_str(&repo_file(GITHUB)).unwrap_or_else(|e| panic!("{e}"));
    let gh = serde_yaml_ng::to_string(&github).unwrap_or_default();
    assert!(
        gh.contains("actions/upload-artifact"),
        "{GITHUB} uploads no reports"
    );
    let gitlab: Value =
        serde_yaml_ng::from_str(&repo_file(GITLAB)).unwrap_or_else(|e| panic!("{e}"));
    let junit = gitlab
        .as_mapping()
        .into_iter()
        .flat_map(|m| m.values())
        .filter_map(|job| job.get("artifacts")?.get("reports")?.get("junit")?.as_str())
        .collect::<Vec<_>>();
    assert!(
        junit.iter().any(|p| p.ends_with("junit.xml")),
        "{GITLAB} declares no artifacts: reports: junit: …/junit.xml"
    );
}

/// The page shows the files as they are: its ```yaml blocks are exactly the two files.
#[test]
fn the_ci_page_shows_the_files_verbatim() {
    let page = repo_file("docs/ci.md");
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in page.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```yaml") => current = Some(String::new()),
            (Some(_), "```") => blocks.extend(current.take()),
            (Some(b), _) => {
                b.push_str(line);
                b.push('\n');
            }
            (None, _) => {}
        }
    }
    for file in [GITHUB, GITLAB] {
        let text = repo_file(file);
        assert!(
            blocks.contains(&text),
            "docs/ci.md does not show {file} verbatim in a ```yaml block"
        );
    }
    assert_eq!(
        blocks.len(),
        2,
        "docs/ci.md has YAML blocks that are not in docs/ci/"
    );
}

/// The check itself: a misspelt flag in a CI file is reported.
#[test]
fn a_misspelt_flag_in_a_ci_example_is_reported() {
    let text = repo_file(GITHUB).replace("--baseline", "--basline");
    let errors = parse_errors(&scimtest_commands(&text, GITHUB));
    assert!(
        errors.iter().any(|e| e.contains("--basline")),
        "the misspelt flag was not reported: {errors:?}"
    );
}

#[test]
fn shell_words_keeps_quotes_and_variables() {
    assert_eq!(
        shell_words(r#"scimtest check --token "$SCIM_TOKEN" --header 'X-Api-Key: a b' c\ d"#),
        Ok(vec![
            "scimtest".to_string(),
            "check".into(),
            "--token".into(),
            "$SCIM_TOKEN".into(),
            "--header".into(),
            "X-Api-Key: a b".into(),
            "c d".into(),
        ])
    );
    assert!(shell_words("scimtest 'open").is_err());
}
