//! The command line's conventions and its one-line mistakes, through the real binary (what a
//! user sees on stderr and the exit code): `--version` with the catalogue, completions and the
//! man page, `--format` outside `--list`, `--explain`, a selector that matches nothing, a
//! missing input file, a fault typo, and a URL that is a web page rather than a SCIM service.

use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_scimtest"))
}

fn run(args: &[&str]) -> Output {
    bin()
        .args(args)
        .env_remove("SCIMTEST_TOKEN")
        .output()
        .unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

fn tmpdir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!(
        "scimtest-it-{name}-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&d).unwrap_or_else(|e| panic!("{e}"));
    d
}

/// A mistake: exit `code`, exactly one `error:` line on stderr (plus at most a hint), nothing on
/// stdout; the error line and the hint, joined.
#[track_caller]
fn mistake(args: &[&str], code: i32) -> String {
    let o = run(args);
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert_eq!(o.status.code(), Some(code), "{args:?}: {err}");
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| !l.trim().is_empty())
        .filter(|l| !l.starts_with("note: no --token"))
        .collect();
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("error:")).count(),
        1,
        "{args:?}: {err}"
    );
    assert!(lines.len() <= 2, "{args:?}: one line and a hint:\n{err}");
    assert!(
        lines.iter().all(|l| l.chars().count() <= 400),
        "{args:?}: a line too long:\n{err}"
    );
    assert!(o.stdout.is_empty(), "{args:?}: stdout {:?}", o.stdout);
    lines.join("\n")
}

#[test]
fn version_names_the_catalogue_on_every_command() {
    let want = format!(
        "scimtest {} (checks catalogue {}, {} checks)",
        env!("CARGO_PKG_VERSION"),
        scimtest::catalogue::VERSION,
        scimtest::catalogue::entries().len()
    );
    for args in [
        &["--version"][..],
        &["check", "-V"],
        &["load", "-V"],
        &["replay", "--version"],
    ] {
        let o = run(args);
        assert_eq!(o.status.code(), Some(0), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), want, "{args:?}");
    }
}

#[test]
fn completions_for_every_shell_and_the_man_page_come_from_the_command_line() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let o = run(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}");
        let script = String::from_utf8_lossy(&o.stdout);
        assert!(script.len() > 1000, "{shell}: {script}");
        // fish spells a flag `-l target`, the others `--target`.
        for word in ["target", "explain", "check", "replay"] {
            assert!(script.contains(word), "{shell} completion lacks {word}");
        }
    }
    let bad = run(&["completions", "tcsh"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("'tcsh'"));

    let o = run(&["man"]);
    assert_eq!(o.status.code(), Some(0));
    let page = String::from_utf8_lossy(&o.stdout);
    assert!(
        page.starts_with(".ie") || page.contains(".TH scimtest"),
        "{page}"
    );
    for cmd in [
        "check",
        "replay",
        "load",
        "certify",
        "record",
        "serve",
        "completions",
        "init",
    ] {
        assert!(page.contains(cmd), "the man page lacks {cmd}");
    }
    let dir = tmpdir("man");
    let o = run(&["man", "--out-dir", &dir.display().to_string()]);
    assert_eq!(o.status.code(), Some(0));
    for page in ["scimtest.1", "scimtest-check.1", "scimtest-load.1"] {
        let text = std::fs::read_to_string(dir.join(page)).unwrap_or_default();
        assert!(text.contains(".TH"), "{page}: {text}");
    }
    let check = std::fs::read_to_string(dir.join("scimtest-check.1")).unwrap_or_default();
    assert!(check.contains("explain"), "{check}");
}

#[test]
fn format_outside_list_is_a_usage_error_with_a_hint() {
    for args in [
        &["check", "--format", "json"][..],
        &["check", "--format", "md", "--only", "users.*"],
        &[
            "check",
            "--explain",
            "users.create.status-201",
            "--format",
            "json",
        ],
    ] {
        let e = mistake(args, 2);
        assert!(e.contains("applies to --list only"), "{e}");
        assert!(e.contains("hint:") && e.contains("--list"), "{e}");
    }
    let o = run(&["check", "--list", "--format", "json", "--only", "users.*"]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_default();
    assert!(v.as_array().is_some_and(|a| !a.is_empty()), "{v}");
}

#[test]
fn explain_says_why_it_matters_and_refuses_unknown_ids_with_the_three_nearest() {
    let o = run(&["check", "--explain", "patch.dialect.string-boolean"]);
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8_lossy(&o.stdout);
    for part in ["DIALECT", "RFC", "matters:", "Entra ID", "fix:", "--fault"] {
        assert!(text.contains(part), "{part:?} missing:\n{text}");
    }
    let o = run(&["check", "--explain", "bulk.basic"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("no IdP replay profile depends on this"));

    let e = mistake(&["check", "--explain", "users.create.status-20"], 2);
    assert!(e.contains("\"users.create.status-201\""), "{e}");
    assert_eq!(
        e.matches("\"users.").count(),
        4,
        "the id and three nearest: {e}"
    );
}

#[test]
fn a_selector_that_matches_nothing_suggests_the_glob_or_the_nearest_ids() {
    for flag in ["--only", "--skip"] {
        let e = mistake(&["check", flag, "patch", "--list"], 2);
        assert!(e.contains("'patch.*'"), "{e}");
        let e = mistake(&["check", flag, "users.create"], 2);
        assert!(e.contains("'users.create.*'"), "{e}");
    }
    let e = mistake(&["check", "--only", "pacth.*"], 2);
    assert!(e.contains("patch."), "{e}");
    let e = mistake(&["check", "--only", "status-201"], 2);
    assert!(e.contains("'*status-201*'"), "{e}");
}

#[test]
fn a_fault_typo_names_the_three_nearest_faults_not_all_of_them() {
    let e = mistake(&["serve", "--fault", "patch-ignore"], 2);
    assert!(e.contains("\"patch-ignored\""), "{e}");
    assert!(e.contains("--list-faults"), "{e}");
    assert!(!e.contains("possible values"), "{e}");
    assert!(e.matches(", \"").count() <= 2, "three names: {e}");
    let o = run(&["serve", "--list-faults"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).lines().count() > 50);
}

#[test]
fn a_missing_input_file_names_the_path_and_the_os_reason() {
    let dir = tmpdir("missing");
    let missing = dir.join("nope.toml").display().to_string();
    let missing_json = dir.join("nope.json").display().to_string();
    let missing_dir = dir.join("no-fixtures").display().to_string();
    for args in [
        vec!["load", "--scenario", &missing],
        vec!["check", "--baseline", &missing_json],
        vec!["replay", "--fixtures", &missing_dir],
        vec!["report", "render", &missing_json, "--md", "x.md"],
        vec!["certify", "--mapping", &missing],
        vec!["certify", "--config", &missing],
        vec!["load", "merge", &missing_json],
    ] {
        let e = mistake(&args, 3);
        assert!(e.contains("No such file or directory"), "{args:?}: {e}");
        assert!(
            e.contains("nope") || e.contains("no-fixtures"),
            "{args:?}: {e}"
        );
    }
}

/// A web page where the SCIM base URL should be: every command that reaches a target says in
/// one line what came back and that the URL is probably not the SCIM base URL (exit 3), and
/// never prints the page.
#[test]
fn a_web_page_instead_of_a_scim_service_is_one_line_exit_3() {
    use wiremock::matchers::any;
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let rt = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
    let server = rt.block_on(async {
        let s = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200).set_body_raw(
                "<!DOCTYPE html>\n<html><head><title>Welcome to nginx!</title></head><body>\
                 <script>var secret_layout = 1;</script>hello</body></html>",
                "text/html; charset=utf-8",
            ))
            .mount(&s)
            .await;
        s
    });
    let target = format!("{}/", server.uri());
    let dir = tmpdir("html");
    let d = dir.display().to_string();
    for cmd in ["load", "check", "replay", "certify"] {
        let e = mistake(
            &[cmd, "--target", &target, "--token", "t", "--report-dir", &d],
            3,
        );
        assert!(e.contains("not a SCIM base URL"), "{cmd}: {e}");
        assert!(e.contains("200") && e.contains("HTML"), "{cmd}: {e}");
        assert!(
            !e.contains("secret_layout"),
            "{cmd}: the page is not dumped: {e}"
        );
    }
    drop(server);
}

#[test]
fn a_command_line_clap_refuses_is_one_line_and_a_hint_naming_the_commands_help() {
    let e = mistake(&["check", "--onyl", "x"], 2);
    assert!(e.contains("'--onyl'") && e.contains("'--only'"), "{e}");
    assert!(e.contains("`scimtest check --help`"), "{e}");
    let e = mistake(&["--quiet", "load", "--users", "x"], 2);
    assert!(
        e.contains("--users") && e.contains("`scimtest load --help`"),
        "{e}"
    );
    let e = mistake(&["chek"], 2);
    assert!(e.contains("'check'"), "{e}");
    // Help is not a mistake: printed whole, on stdout, exit 0.
    let o = run(&["check", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).contains("Usage: scimtest check"));
}
