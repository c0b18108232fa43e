//! The HTML report and the certificate as a person uses them: a real `scimtest run` against a
//! provider with faults (so there are failures, a breaking IdP profile and a load plot),
//! opened in headless Chromium through chromedriver (W3C WebDriver over plain HTTP: six
//! endpoints, so reqwest rather than a WebDriver crate and its second HTTP stack). Keeps a PNG
//! screenshot in `target/test-artefacts/`. Also: `report render` (in process: parsed by clap,
//! run by the library), and no secret in any file.
//!
//! Needs Debian's `chromium` and `chromium-driver`. `.ci/run` installs them and sets
//! `SCIMTEST_REQUIRE_BROWSER=1`, which turns a missing browser into a failure; without it the
//! browser test says it is skipped and returns.

use crate::support::{Env, cli};
use base64::Engine as _;
use scimtest::provider::{Fault, Faults, Limits, ProviderConfig, TokenSpec};
use serde_json::{Value, json};
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const TOKEN: &str = "tok-html-7d2f9c41e0";
const HEADER_SECRET: &str = "hdr-html-5be803aa21";

/// A 2-second copy of the smoke scenario: enough for plots, short for a test.
const SCENARIO: &str = r#"
name = "html-test"
description = "Two seconds of creates, reads and PATCHes for the HTML report test."
modelled_on = "scenarios/smoke.toml"
[run]
users = 2
ramp = "0s"
duration = "2s"
timeout = "5s"
pacing = "max"
[data]
users = 5
groups = 1
members_per_group = 2
[[operation]]
name = "create-user"
weight = 1
[[operation]]
name = "get-user"
weight = 2
[[operation]]
name = "patch-user"
weight = 1
[[threshold]]
metric = "p95"
below = "2s"
"#;

fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "scimtest-it-{name}-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&d).unwrap_or_else(|e| panic!("{e}"));
    d
}

/// A provider with one check-breaking and one replay-breaking fault, our token.
async fn faulty_provider() -> Env {
    Env::with(ProviderConfig {
        tokens: vec![TOKEN.parse::<TokenSpec>().unwrap_or_else(|e| panic!("{e}"))],
        hooks: Faults::new([Fault::NoLocation, Fault::ActiveIgnored]).hooks(),
        ..ProviderConfig::default()
    })
    .await
}

/// `scimtest run` against `env` into `dir`; returns (exit code, stdout + stderr).
fn scimtest_run(env: &Env, dir: &Path) -> (Option<i32>, String) {
    let scenario = dir.with_extension("toml");
    std::fs::write(&scenario, SCENARIO).unwrap_or_else(|e| panic!("{e}"));
    let out = Command::new(env!("CARGO_BIN_EXE_scimtest"))
        .args(["run", "--target", &env.handle.base_url, "--token", TOKEN])
        .args(["--header", &format!("X-Api-Key: {HEADER_SECRET}")])
        .arg("--scenario")
        .arg(&scenario)
        .arg("--report-dir")
        .arg(dir)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    (
        out.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// `scimtest run` against `env` into `dir`, in process (parsed by clap, run by the library).
async fn scimtest_run_in_process(env: &Env, dir: &Path) -> scimtest::cli::CmdResult {
    let scenario = dir.with_extension("toml");
    std::fs::write(&scenario, SCENARIO).unwrap_or_else(|e| panic!("{e}"));
    let header = format!("X-Api-Key: {HEADER_SECRET}");
    cli::run(&[
        "run",
        "--target",
        &env.handle.base_url,
        "--token",
        TOKEN,
        "--header",
        &header,
        "--scenario",
        &scenario.display().to_string(),
        "--report-dir",
        &dir.display().to_string(),
    ])
    .await
}

/// Every file under `dir`, recursively.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let p = e.unwrap_or_else(|e| panic!("{e}")).path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[track_caller]
fn assert_no_secret(paths: &[PathBuf], extra: &str) {
    for p in paths {
        let bytes = std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        let text = String::from_utf8_lossy(&bytes);
        for s in [TOKEN, HEADER_SECRET] {
            assert!(!text.contains(s), "{} contains a secret", p.display());
        }
    }
    for s in [TOKEN, HEADER_SECRET] {
        assert!(!extra.contains(s), "terminal output contains a secret");
    }
}

/// A chromedriver process and one WebDriver session.
struct Browser {
    driver: Child,
    http: reqwest::Client,
    base: String,
    session: String,
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Chromium is chromedriver's child: after a failed assertion the session was never
        // ended, so take the browser down with the driver.
        let _ = Command::new("pkill")
            .args(["-P", &self.driver.id().to_string()])
            .status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Browser {
    /// Start chromedriver on an ephemeral port (it prints the port) and open a session, or
    /// None when the browser is not installed.
    async fn start() -> Option<Browser> {
        let (chromium, driver) = (Path::new("/usr/bin/chromium"), "/usr/bin/chromedriver");
        if !chromium.exists() || !Path::new(driver).exists() {
            assert!(
                std::env::var_os("SCIMTEST_REQUIRE_BROWSER").is_none(),
                "SCIMTEST_REQUIRE_BROWSER is set but /usr/bin/chromium or /usr/bin/chromedriver is missing (apt-get install chromium chromium-driver)"
            );
            eprintln!(
                "SKIPPED: the browser test needs Debian's chromium and chromium-driver (.ci/run installs them)"
            );
            return None;
        }
        let mut child = Command::new(driver)
            .args(["--port=0", "--allowed-ips=127.0.0.1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("chromedriver: {e}"));
        let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
        // Blocking read of chromedriver's banner, on its own thread, bounded by a timeout.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                if let Some(port) = line
                    .strip_prefix("ChromeDriver was started successfully on port ")
                    .and_then(|p| p.trim_end_matches('.').parse::<u16>().ok())
                {
                    let _ = tx.send(port);
                }
            }
        });
        let port = rx
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|e| panic!("chromedriver did not report its port: {e}"));
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let base = format!("http://127.0.0.1:{port}");
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--window-size=1280,1400"]
            }
        }}});
        let mut b = Browser {
            driver: child,
            http,
            base,
            session: String::new(),
        };
        let v = b.call("POST", "/session", Some(caps)).await;
        b.session = v["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {v}"))
            .to_string();
        Some(b)
    }

    /// One WebDriver command; returns `value`, panics on a WebDriver error.
    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = if path == "/session" {
            format!("{}{path}", self.base)
        } else {
            format!("{}/session/{}{path}", self.base, self.session)
        };
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        let mut rb = self.http.request(m, &url);
        if let Some(b) = body {
            rb = rb.json(&b);
        } else if method == "POST" {
            rb = rb.json(&json!({}));
        }
        let r = rb
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let v: Value = r
            .json()
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        assert!(
            v["value"]["error"].is_null(),
            "{method} {path}: {}",
            v["value"]
        );
        v["value"].clone()
    }

    /// End the session: chromedriver closes the browser (killing chromedriver alone would leave
    /// Chromium running).
    async fn quit(&self) {
        let _ = self
            .http
            .delete(format!("{}/session/{}", self.base, self.session))
            .send()
            .await;
    }

    async fn goto(&self, url: &str) {
        self.call("POST", "/url", Some(json!({ "url": url }))).await;
    }

    /// The first element matching `css`.
    async fn find(&self, css: &str) -> String {
        let v = self
            .call(
                "POST",
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        v.as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no element {css}: {v}"))
            .to_string()
    }

    async fn displayed(&self, el: &str) -> bool {
        self.call("GET", &format!("/element/{el}/displayed"), None)
            .await
            .as_bool()
            .unwrap_or(false)
    }

    async fn text(&self, el: &str) -> String {
        self.call("GET", &format!("/element/{el}/text"), None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    async fn click(&self, el: &str) {
        self.call("POST", &format!("/element/{el}/click"), None)
            .await;
    }

    async fn rect(&self, el: &str) -> (f64, f64) {
        let v = self.call("GET", &format!("/element/{el}/rect"), None).await;
        (
            v["width"].as_f64().unwrap_or(0.0),
            v["height"].as_f64().unwrap_or(0.0),
        )
    }

    /// Scroll the first element matching `css` to the top of the viewport.
    async fn scroll_to(&self, css: &str) {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({
                "script": "document.querySelector(arguments[0]).scrollIntoView()",
                "args": [css]
            })),
        )
        .await;
    }

    /// Run `script` (a function body with `return`) in the page; its value.
    async fn script(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": [] })),
        )
        .await
    }

    async fn screenshot(&self, path: &Path) {
        let v = self.call("GET", "/screenshot", None).await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap_or_default())
            .unwrap_or_else(|e| panic!("screenshot: {e}"));
        assert!(
            png.starts_with(b"\x89PNG") && png.len() > 10_000,
            "not a real PNG"
        );
        if let Some(d) = path.parent() {
            std::fs::create_dir_all(d).unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::write(path, png).unwrap_or_else(|e| panic!("{e}"));
    }
}

fn artefacts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("test-artefacts")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_run_reads_in_a_browser_summary_evidence_filters_and_plots() {
    let env = faulty_provider().await;
    let dir = tmpdir("html-run");
    let (code, output) = scimtest_run(&env, &dir);
    assert_eq!(code, Some(1), "faults must fail the run: {output}");
    for f in [
        "index.html",
        "certificate.html",
        "certificate.md",
        "check/index.html",
    ] {
        assert!(dir.join(f).is_file(), "{f} missing: {output}");
    }
    assert_no_secret(&files(&dir), &output);

    let Some(b) = Browser::start().await else {
        return;
    };
    let url = format!("file://{}", dir.join("index.html").display());
    b.goto(&url).await;

    // Summary first: the verdict cards, visible without scrolling.
    let summary = b.find("#summary").await;
    assert!(b.displayed(&summary).await);
    let text = b.text(&summary).await;
    assert!(text.contains("scimtest check"), "{text}");
    assert!(text.contains("IdP profiles would provision"), "{text}");
    assert!(text.contains("req/s (steady)"), "{text}");
    b.screenshot(&artefacts().join("report-html-summary.png"))
        .await;

    // The IdP matrix says which profile breaks.
    let matrix = b.find("table.matrix").await;
    assert!(b.displayed(&matrix).await);
    assert!(b.text(&matrix).await.contains("would break at"));

    // A failing check: shown by the default filter, collapsed, and its evidence appears on a
    // click: expected vs actual, the exchange, the RFC reference, the hint.
    let fail = b.find("#check details.check.fail").await;
    assert!(b.displayed(&fail).await, "a failing check is hidden");
    let summary_line = b.find("#check details.check.fail > summary").await;
    let evidence = b.find("#check details.check.fail pre.resp").await;
    assert!(
        !b.displayed(&evidence).await,
        "evidence shown before a click"
    );
    b.click(&summary_line).await;
    assert!(
        b.displayed(&evidence).await,
        "evidence not shown after a click"
    );
    let body = b.text(&fail).await;
    assert!(body.contains("Expected vs actual"), "{body}");
    assert!(body.contains("How to fix it"), "{body}");
    assert!(body.contains("RFC 7644"), "{body}");
    assert!(body.contains("HTTP 201"), "{body}");
    assert!(!body.contains(TOKEN));
    b.scroll_to("#check details.check.fail").await;
    b.screenshot(&artefacts().join("report-html-failing-check.png"))
        .await;

    // Filters: passes start hidden when something failed; unticking "fail" hides the failure,
    // ticking "pass" shows passes.
    let pass = b.find("#check details.check.pass").await;
    assert!(
        !b.displayed(&pass).await,
        "passes should start filtered out"
    );
    b.click(&b.find("#check .filters input[value=\"fail\"]").await)
        .await;
    assert!(!b.displayed(&fail).await, "unticking fail did not hide it");
    b.click(&b.find("#check .filters input[value=\"pass\"]").await)
        .await;
    assert!(b.displayed(&pass).await, "ticking pass did not show passes");

    // The load section's latency plot is drawn, at a real size.
    let plot = b.find("#load-plot-latency-over-time svg").await;
    assert!(b.displayed(&plot).await, "the latency plot is not visible");
    let (w, h) = b.rect(&plot).await;
    assert!(w > 300.0 && h > 150.0, "plot is {w}×{h}");
    b.scroll_to("#load").await;
    b.screenshot(&artefacts().join("report-html-load.png"))
        .await;

    // The certificate: the headline, the profiles, the run id.
    b.goto(&format!(
        "file://{}",
        dir.join("certificate.html").display()
    ))
    .await;
    let verdict = b.find("#verdict").await;
    assert!(b.displayed(&verdict).await);
    let v = b.text(&verdict).await;
    assert!(
        v.contains("MUST requirements") && v.contains("IdP profiles"),
        "{v}"
    );
    b.screenshot(&artefacts().join("certificate.png")).await;
    b.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_render_rebuilds_the_site_and_certificate_from_saved_runs() {
    let env = faulty_provider().await;
    let dir = tmpdir("html-render");
    let outcome = scimtest_run_in_process(&env, &dir).await;
    assert_eq!(cli::code(&outcome), 1, "{outcome:?}");
    let out = tmpdir("html-render-out");
    let p = |d: &Path, rel: &str| d.join(rel).display().to_string();
    let outcome = cli::run(&[
        "report",
        "render",
        &dir.display().to_string(),
        "--html",
        &p(&out, "site"),
        "--cert",
        &p(&out, "cert.md"),
        "--cert",
        &p(&out, "cert.html"),
        "--baseline",
        &p(&dir, "check/report.json"),
    ])
    .await;
    assert_eq!(cli::code(&outcome), 0, "{outcome:?}");
    let page = std::fs::read_to_string(out.join("site/index.html")).unwrap_or_default();
    for part in ["id=\"check\"", "id=\"replay\"", "id=\"load\"", "<svg"] {
        assert!(page.contains(part), "re-rendered page lacks {part}");
    }
    // Against itself as the baseline: every failure is known, none is new.
    assert!(page.contains("Changes since baseline"));
    assert!(
        page.contains("new failures (0)"),
        "a run is its own baseline"
    );
    let cert = std::fs::read_to_string(out.join("cert.md")).unwrap_or_default();
    assert!(cert.contains("SCIM 2.0 compatibility certificate"));
    assert!(cert.contains("fails "), "{cert}");
    assert_no_secret(&files(&out), "");

    // One report.json works too; a missing input and a non-report are harness errors (3).
    let outcome = cli::run(&[
        "report",
        "render",
        &p(&dir, "replay/report.json"),
        "--cert",
        &p(&out, "replay-cert.html"),
    ])
    .await;
    assert_eq!(cli::code(&outcome), 0, "{outcome:?}");
    // In process, a panic would fail this test outright.
    for bad in [p(&dir, "nope.json"), p(&dir, "index.md")] {
        let outcome = cli::run(&["report", "render", &bad, "--html", &p(&out, "x")]).await;
        assert_eq!(cli::code(&outcome), 3, "{bad}: {outcome:?}");
    }
    // Nothing to write is a usage error.
    let outcome = cli::run(&["report", "render", &dir.display().to_string()]).await;
    assert_eq!(cli::code(&outcome), 2, "{outcome:?}");
}

/// Four seconds of load, four users ramping up over two seconds, against a provider that
/// allows 150 requests a second: throughput, 429s, a ramp and four operations to plot.
const PLOTS_SCENARIO: &str = r#"
name = "plots-test"
description = "Four seconds against a rate limit, for the plots test."
modelled_on = "scenarios/smoke.toml"
[run]
users = 4
ramp = "2s"
duration = "4s"
timeout = "5s"
pacing = "max"
[data]
users = 5
groups = 1
members_per_group = 2
[[operation]]
name = "create-user"
weight = 1
[[operation]]
name = "get-user"
weight = 3
[[operation]]
name = "patch-user"
weight = 1
[[operation]]
name = "list-users"
weight = 1
"#;

/// The time plots of a load report, in the order the page shows them.
const TIME_PLOTS: [&str; 4] = [
    "throughput-over-time",
    "errors-over-time",
    "active-users",
    "latency-over-time",
];

/// A real load run's plots as a reader sees them: every plot file written, the 429s and the
/// users kept in report.json, and on the page each time plot drawn at a real size with its
/// legend, one latency panel and one histogram per operation. Screenshots of each plot are
/// kept in `target/test-artefacts/load-plot-*.png`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_load_reports_plots_read_in_a_browser() {
    let env = Env::with(ProviderConfig {
        tokens: vec![TOKEN.parse::<TokenSpec>().unwrap_or_else(|e| panic!("{e}"))],
        limits: Limits {
            rate_limit_per_second: Some(150),
            ..Limits::default()
        },
        ..ProviderConfig::default()
    })
    .await;
    let dir = tmpdir("html-load-plots");
    let scenario = dir.with_extension("toml");
    std::fs::write(&scenario, PLOTS_SCENARIO).unwrap_or_else(|e| panic!("{e}"));
    let outcome = cli::run(&[
        "load",
        "--no-correctness",
        "--target",
        &env.handle.base_url,
        "--token",
        TOKEN,
        "--scenario",
        &scenario.display().to_string(),
        "--report-dir",
        &dir.display().to_string(),
    ])
    .await;
    assert!(matches!(cli::code(&outcome), 0 | 1), "{outcome:?}");
    for k in TIME_PLOTS {
        assert!(dir.join(format!("{k}.svg")).is_file(), "{k}.svg missing");
    }
    // One histogram per operation (named by its request, e.g. latency-post-users.svg).
    let histograms = files(&dir)
        .iter()
        .filter_map(|p| p.file_name()?.to_str().map(str::to_string))
        .filter(|f| f.starts_with("latency-") && f != "latency-over-time.svg")
        .count();
    assert_eq!(histograms, 4);
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("report.json")).unwrap_or_else(|e| panic!("{e}")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let l = &report["load"];
    let peak = l["active_users"]
        .as_array()
        .and_then(|a| a.iter().filter_map(|u| u["users"].as_u64()).max());
    assert_eq!(peak, Some(4), "{}", l["active_users"]);
    let throttled: u64 = l["series"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["per_second"].as_array().into_iter().flatten())
        .filter_map(|p| p["throttled"].as_u64())
        .sum();
    assert_eq!(
        Some(throttled),
        l["throttled"].as_u64(),
        "429s per second add up"
    );
    assert!(
        throttled > 0,
        "the rate limit was never hit: {}",
        l["throttled"]
    );

    let Some(b) = Browser::start().await else {
        return;
    };
    b.goto(&format!("file://{}", dir.join("index.html").display()))
        .await;
    for kind in TIME_PLOTS {
        let css = format!("#load-plot-{kind}");
        let svg = b.find(&format!("{css} svg")).await;
        assert!(b.displayed(&svg).await, "{kind} is not visible");
        let (w, h) = b.rect(&svg).await;
        assert!(w > 500.0 && h > 250.0, "{kind} is {w}×{h}");
        b.scroll_to(&css).await;
        b.screenshot(&artefacts().join(format!("load-plot-{kind}.png")))
            .await;
    }
    let counts = b
        .script(
            "return [document.querySelectorAll('#load-plot-latency-over-time g.panel').length, \
             document.querySelectorAll('#load-histograms svg').length, \
             document.querySelectorAll('#load-plot-throughput-over-time g.legend').length]",
        )
        .await;
    assert_eq!(
        counts,
        json!([4, 4, 5]),
        "panels, histograms, throughput legend rows"
    );
    b.scroll_to("#load-histograms").await;
    b.screenshot(&artefacts().join("load-plot-histograms.png"))
        .await;
    b.quit().await;
}
