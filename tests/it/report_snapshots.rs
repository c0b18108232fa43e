//! insta snapshots of the Markdown report and the certificate (HTML and Markdown), rendered from
//! a real `check` and `replay` (in process: parsed by clap, run by the library) against a
//! provider with faults (a Location header missing, `active` ignored), so failures, evidence and
//! a breaking IdP profile are in them. What varies run to run is redacted by shape: run ids,
//! UUIDs, timestamps, ports, durations, ETags. Snapshots live under `snapshots/`; CI runs with
//! `INSTA_UPDATE=no`.

use crate::support::{Env, cli};
use scimtest::provider::{Fault, Faults, ProviderConfig};
use std::path::Path;

/// `scimtest ARGS EXTRA` in process (parsed by clap, run by the library); it must finish with a
/// verdict (exit 0 or 1).
async fn run(args: &[&str], extra: &[&Path]) {
    let extra: Vec<String> = extra.iter().map(|p| p.display().to_string()).collect();
    let mut all = args.to_vec();
    all.extend(extra.iter().map(String::as_str));
    let outcome = cli::run(&all).await;
    assert!(
        matches!(cli::code(&outcome), 0 | 1),
        "{args:?}: {outcome:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn markdown_report_and_certificate() {
    let env = Env::with(ProviderConfig {
        hooks: Faults::new([Fault::NoLocation, Fault::ActiveIgnored]).hooks(),
        ..ProviderConfig::default()
    })
    .await;
    let dir = std::env::temp_dir().join(format!(
        "scimtest-it-snap-{}",
        uuid::Uuid::new_v4().simple()
    ));
    let (check, replay) = (dir.join("check"), dir.join("replay"));
    let base = env.handle.base_url.clone();
    let token = env.handle.token.clone();
    let target = ["--target", base.as_str(), "--token", token.as_str()];
    let mut args = vec![
        "check",
        "--only",
        "users.create.*",
        "--only",
        "users.deactivate.*",
    ];
    args.extend(target);
    args.push("--concurrency");
    args.push("1");
    args.push("--report-dir");
    run(&args, &[&check]).await;
    let mut args = vec!["replay", "--idp", "okta"];
    args.extend(target);
    args.push("--report-dir");
    run(&args, &[&replay]).await;
    let (md, html) = (dir.join("cert.md"), dir.join("cert.html"));
    run(
        &["report", "render", "--cert"],
        &[&md, Path::new("--cert"), &html, &check, &replay],
    )
    .await;

    let read =
        |p: &Path| std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let (report_md, cert_md, cert_html) = (read(&check.join("report.md")), read(&md), read(&html));
    for t in [&report_md, &cert_md, &cert_html] {
        assert!(!t.contains(&token), "the token leaked");
    }
    insta::with_settings!({
        snapshot_path => "../../snapshots",
        prepend_module_to_snapshot => false,
        omit_expression => true,
        filters => vec![
            (r"\b[0-9a-f]{64}\b", "[sha256]"),
            (r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "[uuid]"),
            (r"scimtest-[0-9a-f]{8}", "scimtest-[run]"),
            (r"(run(?: id)? `?)[0-9a-f]{8}", "$1[run]"),
            (r"(<code>)[0-9a-f]{8}(</code>)", "$1[run]$2"),
            (r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", "[time]"),
            (r"on \d{4}-\d\d-\d\d", "on [date]"),
            (r"127\.0\.0\.1:\d+", "127.0.0.1:[port]"),
            (r"\d+(\.\d+)? ms", "[n] ms"),
            (r"· \d+(\.\d+)? s ·", "· [n] s ·"),
            (r#"W/\\?"[^"\\]*\\?""#, "[etag]"),
            (r"scimtest \d+\.\d+\.\d+", "scimtest [version]"),
            (r"(?i)date: [^\n]*GMT", "date: [date]"),
            (r"(?i)content-length: \d+", "content-length: [n]"),
            (r"\d{4}\.\d+(\.\d+)?\+\d+\.[0-9a-f]{8}", "[catalogue]"),
            (r"(catalogue(?:'|&#x27;)s) \d+ checks", "$1 [n] checks"),
        ],
    }, {
        insta::assert_snapshot!("report.md", report_md);
        insta::assert_snapshot!("certificate.md", cert_md);
        insta::assert_snapshot!("certificate.html", cert_html);
    });
    let _ = std::fs::remove_dir_all(&dir);
}
