//! A few smoke tests of the real binary.

use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_scimtest"))
}

#[test]
fn list_faults_prints_every_fault() {
    let out = bin()
        .args(["serve", "--list-faults"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for f in scimtest::provider::Fault::all() {
        assert!(text.contains(f.name()), "{} missing", f.name());
    }
}

#[test]
fn usage_errors_exit_2_with_a_suggestion() {
    let out = bin()
        .args(["serve", "--fault", "patch-ignore"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("did you mean \"patch-ignored\""),
        "{stderr}"
    );
    // A name like no fault still gets the three nearest names and where the list is, never all
    // ~100 faults.
    let out = bin()
        .args(["serve", "--fault", "zzzz"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("invalid value 'zzzz'"), "{stderr}");
    assert!(stderr.contains("--list-faults"), "{stderr}");
    assert!(!stderr.contains("possible values"), "{stderr}");
}

#[test]
fn a_busy_port_is_a_harness_error_exit_3() {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let addr = l.local_addr().unwrap_or_else(|e| panic!("{e}")).to_string();
    let out = bin()
        .args(["serve", "--listen", &addr])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("failed to listen"));
}

#[test]
fn a_bad_target_url_is_exit_2_with_one_error_line() {
    let out = bin()
        .args(["check", "--target", "app.example.com/scim/v2"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error")).collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(errors[0].contains("--target"), "{stderr}");
    assert!(out.stdout.is_empty(), "nothing ran");
}

#[test]
fn an_error_of_a_command_is_one_line_and_its_exit_code() {
    // A usage error found by the library (not clap): printed once by main, exit 2.
    let out = bin()
        .args(["check", "--only", "users.create.status-20"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains("did you mean"), "{stderr}");
}
