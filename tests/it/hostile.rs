//! The hostile-target matrix (issue 9): every hostile case against `check`, `replay`, `record`
//! and `load`, one named test per (command, case): `hostile::<command>::<case>`.
//!
//! The double is a raw-TCP server (an HTTP mock cannot cut a body, drip bytes or lie about a
//! length). Discovery (`/ServiceProviderConfig`, `/ResourceTypes`, `/Schemas`) answers sanely so
//! the run gets past it; every other request meets the case. Only `refused` fails discovery.
//!
//! Every test runs the real binary and asserts: the exit code the case calls for (1 = the target
//! is judged broken, 3 = the harness could not reach it at all, 0 for `record`, which is a
//! proxy and stops on SIGTERM), the wall time under the command's budget, no `panicked` in the
//! output, the child's peak RSS under a bound (from `wait4`, so a response read without a cap
//! shows), and from report.json that the affected checks, flows or requests are Fail/Error with
//! evidence naming what happened. `record` must answer its client sanely (502/504, or the
//! upstream's status passed through), keep serving, and leave a fixture that parses.

use scimtest::replay::fixture::Fixture;
use serde_json::Value;
use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One way a target can be hostile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Case {
    /// Nothing listens on the port.
    Refused,
    /// 200 with `Content-Length: 1000`, 20 bytes, then a TCP reset.
    ResetMidBody,
    /// A complete HTTP answer (success status) whose JSON document stops mid-string.
    TruncatedJson,
    /// A chunked body that never ends (1 GiB sent, then silence with the socket open).
    EndlessBody,
    /// The status line and headers at one byte per second, never finished.
    SlowDrip,
    /// One header of 1 MiB.
    HugeHeaders,
    /// A success status with a body that is not UTF-8.
    InvalidUtf8,
    /// A success status with 100,000 nested `[` (and their `]`).
    NestingBomb,
    /// `Content-Length: 2147483648`, a few bytes, then silence with the socket open.
    HugeContentLength,
    /// 301 to the very same URL.
    RedirectSelf,
    /// 302 A → B → A → ...
    RedirectPingPong,
    /// 500, 502, 503, 504 in turn, with SCIM error bodies.
    ServerErrorStorm,
    /// 429 with `Retry-After: 86400`.
    RetryAfterAbsurd,
    /// 429 with `Retry-After: -1`.
    RetryAfterNegative,
    /// 429 with `Retry-After: soon`.
    RetryAfterGarbage,
}

const SPC: &str = r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],"patch":{"supported":true},"bulk":{"supported":false,"maxOperations":0,"maxPayloadSize":0},"filter":{"supported":true,"maxResults":100},"changePassword":{"supported":false},"sort":{"supported":false},"etag":{"supported":false},"authenticationSchemes":[]}"#;
const RESOURCE_TYPES: &str = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":1,"startIndex":1,"itemsPerPage":1,"Resources":[{"schemas":["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],"id":"User","name":"User","endpoint":"/Users","schema":"urn:ietf:params:scim:schemas:core:2.0:User"}]}"#;
const SCHEMAS: &str = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[]}"#;
/// The body of [`Case::TruncatedJson`]: a User cut inside its id.
const TRUNCATED: &str = r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"trunc"#;

/// The parsed head of one request.
struct Head {
    method: String,
    target: String,
}

/// Read a request head (bounded to 64 KiB) and drain its body (bounded to 1 MiB).
async fn read_request(sock: &mut TcpStream) -> Option<Head> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > 65_536 {
            return None;
        }
        match sock.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    let mut words = head.split_whitespace();
    let method = words.next()?.to_string();
    let target = words.next()?.to_string();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0)
        .min(1 << 20);
    let mut have = buf.len() - end;
    while have < length {
        match sock.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => have += n,
        }
    }
    Some(Head { method, target })
}

/// A complete answer, then close.
async fn answer(
    sock: &mut TcpStream,
    status: &str,
    extra: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/scim+json\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in extra {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    sock.write_all(head.as_bytes()).await?;
    sock.write_all(body).await?;
    sock.flush().await
}

/// Make dropping `sock` send a TCP reset (SO_LINGER 0).
#[expect(
    deprecated,
    reason = "SO_LINGER blocks on drop only with a non-zero time; zero resets at once, as wanted"
)]
fn reset_on_drop(sock: &TcpStream) -> std::io::Result<()> {
    sock.set_linger(Some(Duration::ZERO))
}

/// Keep the socket open, reading, until the peer hangs up (at most 30 s).
async fn hold(sock: &mut TcpStream) {
    let mut buf = [0u8; 1024];
    let _ = tokio::time::timeout(Duration::from_secs(30), async {
        while let Ok(n) = sock.read(&mut buf).await {
            if n == 0 {
                break;
            }
        }
    })
    .await;
}

fn scim_error(status: u16) -> String {
    format!(
        r#"{{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"{status}","detail":"hostile double"}}"#
    )
}

async fn serve(case: Case, mut sock: TcpStream, n: usize) -> std::io::Result<()> {
    let Some(head) = read_request(&mut sock).await else {
        return Ok(());
    };
    let path = head
        .target
        .split('?')
        .next()
        .unwrap_or_default()
        .to_string();
    for (suffix, body) in [
        ("/ServiceProviderConfig", SPC),
        ("/ResourceTypes", RESOURCE_TYPES),
        ("/Schemas", SCHEMAS),
    ] {
        if path.ends_with(suffix) {
            return answer(&mut sock, "200 OK", &[], body.as_bytes()).await;
        }
    }
    // The status a well-behaved server would give, so the body is the only fault.
    let ok = if head.method == "POST" {
        "201 Created"
    } else {
        "200 OK"
    };
    match case {
        Case::Refused => Ok(()),
        Case::ResetMidBody => {
            let head = format!(
                "HTTP/1.1 {ok}\r\nContent-Type: application/scim+json\r\nContent-Length: 1000\r\n\r\n{{\"schemas\":[\"urn:"
            );
            sock.write_all(head.as_bytes()).await?;
            sock.flush().await?;
            // Linger 0: dropping the socket sends a RST, 980 bytes short.
            reset_on_drop(&sock)?;
            Ok(())
        }
        Case::TruncatedJson => answer(&mut sock, ok, &[], TRUNCATED.as_bytes()).await,
        Case::EndlessBody => {
            let head = format!(
                "HTTP/1.1 {ok}\r\nContent-Type: application/scim+json\r\nTransfer-Encoding: chunked\r\n\r\n"
            );
            sock.write_all(head.as_bytes()).await?;
            let chunk = format!("{:x}\r\n{}\r\n", 65_536, "[".repeat(65_536));
            for _ in 0..16_384 {
                sock.write_all(chunk.as_bytes()).await?;
            }
            hold(&mut sock).await;
            Ok(())
        }
        Case::SlowDrip => {
            for b in b"HTTP/1.1 200 OK\r\nContent-Type: application/scim+json\r\nX-Drip: " {
                sock.write_all(&[*b]).await?;
                sock.flush().await?;
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            Ok(())
        }
        Case::HugeHeaders => {
            sock.write_all(format!("HTTP/1.1 {ok}\r\nX-Big: ").as_bytes())
                .await?;
            sock.write_all(&vec![b'a'; 1 << 20]).await?;
            sock.write_all(b"\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
                .await?;
            sock.flush().await
        }
        Case::InvalidUtf8 => {
            let body = b"{\"schemas\":[\"\xff\xfe\xfd\"],\"id\":\"\xc3\x28\"}";
            answer(&mut sock, ok, &[], body).await
        }
        Case::NestingBomb => {
            let mut body = "[".repeat(100_000);
            body.push_str(&"]".repeat(100_000));
            answer(&mut sock, ok, &[], body.as_bytes()).await
        }
        Case::HugeContentLength => {
            let head = format!(
                "HTTP/1.1 {ok}\r\nContent-Type: application/scim+json\r\nContent-Length: 2147483648\r\n\r\n{{\"a\":"
            );
            sock.write_all(head.as_bytes()).await?;
            sock.flush().await?;
            hold(&mut sock).await;
            Ok(())
        }
        Case::RedirectSelf => {
            let to = head.target.clone();
            answer(
                &mut sock,
                "301 Moved Permanently",
                &[("Location", &to)],
                b"",
            )
            .await
        }
        Case::RedirectPingPong => {
            let to = if path.ends_with("/_b") {
                "/scim/v2/Users"
            } else {
                "/scim/v2/_b"
            };
            answer(&mut sock, "302 Found", &[("Location", to)], b"").await
        }
        Case::ServerErrorStorm => {
            let (code, reason) = [
                (500, "Internal Server Error"),
                (502, "Bad Gateway"),
                (503, "Service Unavailable"),
                (504, "Gateway Timeout"),
            ][n % 4];
            answer(
                &mut sock,
                &format!("{code} {reason}"),
                &[],
                scim_error(code).as_bytes(),
            )
            .await
        }
        Case::RetryAfterAbsurd | Case::RetryAfterNegative | Case::RetryAfterGarbage => {
            let after = match case {
                Case::RetryAfterAbsurd => "86400",
                Case::RetryAfterNegative => "-1",
                _ => "soon",
            };
            answer(
                &mut sock,
                "429 Too Many Requests",
                &[("Retry-After", after)],
                scim_error(429).as_bytes(),
            )
            .await
        }
    }
}

/// Start the double for `case` on 127.0.0.1:0; returns the SCIM base URL. For
/// [`Case::Refused`] the URL names a port that was just closed.
async fn start(case: Case) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    if case == Case::Refused {
        drop(listener);
        return format!("http://{addr}/scim/v2");
    }
    let count = std::sync::Arc::new(AtomicUsize::new(0));
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let n = count.fetch_add(1, Ordering::Relaxed);
            tokio::spawn(async move {
                let _ = serve(case, sock, n).await;
            });
        }
    });
    format!("http://{addr}/scim/v2")
}

// ---------------------------------------------------------------------------------------------
// Running the binary, with its peak memory.

/// How a run of the binary ended.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    took: Duration,
    /// Peak resident set of the child, in KiB (`ru_maxrss` of `wait4`).
    max_rss_kib: i64,
}

impl Run {
    fn text(&self) -> String {
        format!(
            "exit {:?} after {:?}, peak RSS {} KiB\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.took, self.max_rss_kib, self.stdout, self.stderr
        )
    }
}

/// A running child: its pid, readers of its output, and the URL it announced (record).
struct Proc {
    pid: libc::pid_t,
    started: Instant,
    out: std::thread::JoinHandle<String>,
    err: std::thread::JoinHandle<String>,
    announced: std::sync::mpsc::Receiver<String>,
}

fn spawn(args: &[&str]) -> Proc {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_scimtest"))
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let started = Instant::now();
    let pid = libc::pid_t::try_from(child.id()).unwrap_or_else(|e| panic!("{e}"));
    let mut stdout = child.stdout.take().unwrap_or_else(|| panic!("stdout"));
    let stderr = child.stderr.take().unwrap_or_else(|| panic!("stderr"));
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let (tx, announced) = std::sync::mpsc::channel();
    let err = std::thread::spawn(move || {
        use std::io::BufRead;
        let mut all = String::new();
        for line in std::io::BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if let Some(rest) = line.split("listening on ").nth(1) {
                let url = rest.split_whitespace().next().unwrap_or_default();
                let _ = tx.send(url.to_string());
            }
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    // `child` is reaped by `wait4` below, never by std.
    drop(child);
    Proc {
        pid,
        started,
        out,
        err,
        announced,
    }
}

/// Block until `pid` ends; its exit code and peak RSS.
fn reap(pid: libc::pid_t) -> (Option<i32>, i64) {
    let mut status: libc::c_int = 0;
    // SAFETY: a zeroed `rusage` is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `pid` is our own child, not reaped elsewhere; both pointers are valid.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == pid {
            break;
        }
        let e = std::io::Error::last_os_error();
        assert_eq!(e.kind(), std::io::ErrorKind::Interrupted, "wait4: {e}");
    }
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    (code, usage.ru_maxrss)
}

/// The child's own high-water mark (`VmHWM` of /proc/PID/status, in KiB), sampled every 5 ms
/// until the process is gone or a zombie: the peak of its own image only.
fn sample_hwm(pid: libc::pid_t) -> std::thread::JoinHandle<i64> {
    std::thread::spawn(move || {
        let mut peak = 0;
        loop {
            let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
                return peak;
            };
            let Some(hwm) = status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<i64>().ok())
            else {
                return peak;
            };
            peak = peak.max(hwm);
            std::thread::sleep(Duration::from_millis(5));
        }
    })
}

/// The test process's own peak RSS, in KiB.
fn own_peak_kib() -> i64 {
    // SAFETY: a zeroed `rusage` is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: RUSAGE_SELF with a valid pointer.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    usage.ru_maxrss
}

impl Proc {
    /// Wait for the child; kill it and fail the test when it outlives `limit`.
    async fn wait(self, limit: Duration) -> Run {
        let pid = self.pid;
        let sampled = sample_hwm(pid);
        let mut reaper = tokio::task::spawn_blocking(move || reap(pid));
        let parent = own_peak_kib();
        let (code, reaped_rss_kib) = match tokio::time::timeout(limit, &mut reaper).await {
            Ok(r) => r.unwrap_or_else(|e| panic!("{e}")),
            Err(_) => {
                // SAFETY: kill(2) on our own, not yet reaped, child.
                unsafe { libc::kill(pid, libc::SIGKILL) };
                let _ = reaper.await;
                let err = self.err.join().unwrap_or_default();
                panic!("still running after {limit:?}: killed\n{err}");
            }
        };
        let took = self.started.elapsed();
        // Linux records in a child's ru_maxrss the high-water mark of the process that spawned
        // it as of its exec (posix_spawn shares the parent's memory until then), so a figure no
        // higher than this test process's own peak may be ours, not the child's: then the
        // child's own image's sampled high-water mark is its peak. A figure above ours is the
        // child's own, exactly.
        let sampled = sampled.join().unwrap_or_default();
        let max_rss_kib = if reaped_rss_kib > parent.max(own_peak_kib()) {
            reaped_rss_kib
        } else {
            sampled
        };
        Run {
            code,
            stdout: self.out.join().unwrap_or_default(),
            stderr: self.err.join().unwrap_or_default(),
            took,
            max_rss_kib,
        }
    }

    fn signal(&self, sig: libc::c_int) {
        // SAFETY: kill(2) on our own, not yet reaped, child.
        unsafe { libc::kill(self.pid, sig) };
    }
}

/// Peak RSS allowed for any command. A debug build of scimtest runs in 30-60 MiB here; bodies
/// read up to the 8 MiB cap, over and over, take `load` to about 150 MiB (freed memory the
/// allocator keeps). A response read without a cap goes far beyond: `load` read 249 MiB of
/// the endless body in its one second before the cap (the double sends up to 1 GiB).
const MAX_RSS_KIB: i64 = 256 * 1024;

/// Wall-time budget of each command (the double's timeouts are 1-2 s).
fn budget(cmd: &str) -> Duration {
    Duration::from_secs(match cmd {
        "load" => 20,
        _ => 15,
    })
}

fn assert_bounded(cmd: &str, case: Case, run: &Run) {
    let text = run.text();
    assert!(
        !text.contains("panicked"),
        "{cmd} {case:?}: a panic\n{text}"
    );
    assert!(
        run.took < budget(cmd),
        "{cmd} {case:?}: over the {:?} budget\n{text}",
        budget(cmd)
    );
    assert!(
        run.max_rss_kib < MAX_RSS_KIB,
        "{cmd} {case:?}: peak RSS {} KiB over {MAX_RSS_KIB} KiB\n{text}",
        run.max_rss_kib
    );
    eprintln!(
        "{cmd} {case:?}: exit {:?} in {:?}, peak RSS {} KiB",
        run.code, run.took, run.max_rss_kib
    );
}

fn tmp(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!(
        "scimtest-it-hostile-{name}-{}",
        uuid::Uuid::new_v4().simple()
    ))
}

fn report(dir: &std::path::Path, run: &Run) -> Value {
    let text = std::fs::read_to_string(dir.join("report.json")).unwrap_or_default();
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("report.json does not parse ({e}):\n{}", run.text()))
}

/// What the evidence of an affected check or flow must show for `case`: `Ok` when it names
/// what happened.
fn names_what_happened(case: Case, check: &Value) -> Result<(), String> {
    let evidence = check["evidence"].as_array().cloned().unwrap_or_default();
    if evidence.is_empty() {
        return Err("no evidence".into());
    }
    let errors: Vec<String> = evidence
        .iter()
        .filter_map(|x| x["error"].as_str())
        .map(str::to_ascii_lowercase)
        .collect();
    let error_has = |needles: &[&str]| {
        errors
            .iter()
            .any(|e| needles.iter().any(|n| e.contains(&n.to_ascii_lowercase())))
    };
    let statuses: Vec<u64> = evidence
        .iter()
        .filter_map(|x| x["status"].as_u64())
        .collect();
    let body_has = |needle: &str| {
        evidence
            .iter()
            .filter_map(|x| x["response_body"].as_str())
            .any(|b| b.contains(needle))
    };
    let header_has = |name: &str, value: &str| {
        evidence.iter().any(|x| {
            x["response_headers"].as_array().is_some_and(|h| {
                h.iter().any(|kv| {
                    kv[0].as_str().is_some_and(|k| k.eq_ignore_ascii_case(name))
                        && kv[1].as_str() == Some(value)
                })
            })
        })
    };
    let ok = match case {
        Case::Refused => error_has(&["connect"]),
        Case::ResetMidBody => error_has(&["reset", "response body", "connection closed"]),
        Case::TruncatedJson => body_has(TRUNCATED),
        Case::EndlessBody => error_has(&["larger than"]),
        Case::SlowDrip => error_has(&["timed out"]),
        Case::HugeHeaders => error_has(&["too large"]),
        Case::InvalidUtf8 => body_has("\u{fffd}"),
        Case::NestingBomb => body_has("[[[[[[[["),
        Case::HugeContentLength => error_has(&["2147483648"]),
        Case::RedirectSelf | Case::RedirectPingPong => error_has(&["redirect"]),
        Case::ServerErrorStorm => statuses.iter().any(|s| (500..600).contains(s)),
        Case::RetryAfterAbsurd => statuses.contains(&429) && header_has("retry-after", "86400"),
        Case::RetryAfterNegative => statuses.contains(&429) && header_has("retry-after", "-1"),
        Case::RetryAfterGarbage => statuses.contains(&429) && header_has("retry-after", "soon"),
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "the evidence does not name what happened ({case:?}): {}",
            serde_json::to_string(&evidence).unwrap_or_default()
        ))
    }
}

/// Every check or flow in the report is Fail/Error with evidence naming the case.
fn assert_checks_broken(cmd: &str, case: Case, json: &Value, run: &Run) {
    let checks = json["checks"].as_array().cloned().unwrap_or_default();
    assert!(
        !checks.is_empty(),
        "{cmd} {case:?}: no checks\n{}",
        run.text()
    );
    for c in &checks {
        let id = c["id"].as_str().unwrap_or("?");
        assert!(
            matches!(c["outcome"].as_str(), Some("fail" | "error")),
            "{cmd} {case:?}: {id} is {}\n{c}",
            c["outcome"]
        );
        assert!(
            !c["reason"].as_str().unwrap_or_default().is_empty(),
            "{cmd} {case:?}: {id} has no reason\n{c}"
        );
        if let Err(e) = names_what_happened(case, c) {
            panic!("{cmd} {case:?}: {id}: {e}\nreason: {}", c["reason"]);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The commands.

async fn check(case: Case) {
    let url = start(case).await;
    let dir = tmp("check");
    let dir_s = dir.display().to_string();
    // 1 s per request, the check's budget 3 s: a 429 with a long Retry-After must still leave
    // the request (and its evidence) inside that budget.
    let run = spawn(&[
        "check",
        "--target",
        &url,
        "--token",
        "hostile-token",
        "--only",
        "users.create.status-201",
        "--only",
        "users.get.unknown-404",
        "--timeout",
        "1s",
        "--report-dir",
        &dir_s,
    ])
    .wait(budget("check") * 2)
    .await;
    assert_bounded("check", case, &run);
    if case == Case::Refused {
        // Discovery got no HTTP answer: the harness could not run at all.
        assert_eq!(run.code, Some(3), "{}", run.text());
        assert!(
            run.stderr.contains("unreachable") && run.stderr.contains("connect"),
            "{}",
            run.text()
        );
        return;
    }
    // Discovery answered; the checks met the hostile endpoint: the target is broken.
    assert_eq!(run.code, Some(1), "{}", run.text());
    let json = report(&dir, &run);
    assert_checks_broken("check", case, &json, &run);
    assert_eq!(json["checks"].as_array().map(Vec::len), Some(2));
}

async fn replay(case: Case) {
    let url = start(case).await;
    let dir = tmp("replay");
    let dir_s = dir.display().to_string();
    // OneLogin's connection test: one GET /Users?filter=...
    let run = spawn(&[
        "replay",
        "--idp",
        "onelogin",
        "--flow",
        "connection",
        "--target",
        &url,
        "--token",
        "hostile-token",
        "--timeout",
        "1s",
        "--report-dir",
        &dir_s,
    ])
    .wait(budget("replay") * 2)
    .await;
    assert_bounded("replay", case, &run);
    if case == Case::Refused {
        assert_eq!(run.code, Some(3), "{}", run.text());
        assert!(
            run.stderr.contains("does not answer") && run.stderr.contains("connect"),
            "{}",
            run.text()
        );
        return;
    }
    // The probe answered; the flow broke on the hostile step: the profile would break.
    assert_eq!(run.code, Some(1), "{}", run.text());
    let json = report(&dir, &run);
    assert_checks_broken("replay", case, &json, &run);
    let profiles = json["profiles"].as_array().cloned().unwrap_or_default();
    assert_eq!(profiles.len(), 1, "{json}");
    assert_eq!(profiles[0]["would_provision"], false, "{json}");
    assert_eq!(profiles[0]["flows"][0]["break_at"]["step"], 1, "{json}");
    // The verdict's own words name a body that could not be read, not just "not JSON".
    let got = profiles[0]["flows"][0]["break_at"]["got"]
        .as_str()
        .unwrap_or_default();
    let names = match case {
        Case::EndlessBody | Case::HugeContentLength => Some("larger than"),
        Case::ResetMidBody => Some("response body"),
        _ => None,
    };
    if let Some(n) = names {
        assert!(got.contains(n), "{case:?}: break_at.got {got:?}");
    }
}

/// A second of one virtual user creating users; any error breaches the threshold.
const LOAD_SCENARIO: &str = r#"
name = "hostile"
description = "One virtual user creating users for a second."
modelled_on = "Nothing: the hostile-target test suite."

[run]
users = 1
duration = "1s"
timeout = "1s"
pacing = "max"

[[operation]]
name = "create-user"

[[threshold]]
metric = "error-rate"
below = "1%"
"#;

async fn load(case: Case) {
    let url = start(case).await;
    let dir = tmp("load");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let scenario = dir.join("hostile.toml");
    std::fs::write(&scenario, LOAD_SCENARIO).unwrap_or_else(|e| panic!("{e}"));
    let (dir_s, scenario_s) = (
        dir.join("report").display().to_string(),
        scenario.display().to_string(),
    );
    let run = spawn(&[
        "load",
        "--scenario",
        &scenario_s,
        "--no-correctness",
        "--target",
        &url,
        "--token",
        "hostile-token",
        "--report-dir",
        &dir_s,
    ])
    .wait(budget("load") * 2)
    .await;
    assert_bounded("load", case, &run);
    if case == Case::Refused {
        assert_eq!(run.code, Some(3), "{}", run.text());
        assert!(
            run.stderr.contains("does not answer") && run.stderr.contains("connect"),
            "{}",
            run.text()
        );
        return;
    }
    // Every create failed: the error-rate threshold is breached, and the report says so.
    assert_eq!(run.code, Some(1), "{}", run.text());
    let json = report(&dir.join("report"), &run);
    let l = &json["load"];
    let requests = l["requests"].as_u64().unwrap_or(0);
    let errors = l["errors"].as_u64().unwrap_or(0);
    assert!(requests >= 1, "{case:?}: no request counted\n{l}");
    assert_eq!(errors, requests, "{case:?}: every request is an error\n{l}");
    let threshold = json["checks"]
        .as_array()
        .and_then(|c| {
            c.iter()
                .find(|c| c["id"].as_str().is_some_and(|i| i.contains("error-rate")))
        })
        .cloned()
        .unwrap_or_default();
    assert_eq!(threshold["outcome"], "fail", "{case:?}: {threshold}");
    let statuses: Vec<String> = l["operations"][0]["status_counts"]
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let want: &[&str] = match case {
        Case::ServerErrorStorm => &["500", "502", "503", "504"],
        Case::RetryAfterAbsurd | Case::RetryAfterNegative | Case::RetryAfterGarbage => &["429"],
        // A transport failure has no status.
        Case::SlowDrip | Case::HugeHeaders | Case::RedirectSelf | Case::RedirectPingPong => &["0"],
        // The head said 201; the body is what is broken (or it broke off).
        _ => &["201", "0"],
    };
    assert!(
        statuses.iter().any(|s| want.contains(&s.as_str())),
        "{case:?}: status counts {statuses:?}, want one of {want:?}\n{l}"
    );
    if matches!(
        case,
        Case::RetryAfterAbsurd | Case::RetryAfterNegative | Case::RetryAfterGarbage
    ) {
        assert!(l["throttled"].as_u64().unwrap_or(0) >= 1, "{l}");
    }
}

/// Read a response body, at most 16 MiB (the proxy caps at 8 MiB; this test must not trust
/// that).
async fn capped_body(mut r: reqwest::Response) -> Vec<u8> {
    let mut body = Vec::new();
    while let Ok(Some(c)) = r.chunk().await {
        body.extend_from_slice(&c);
        assert!(
            body.len() <= 16 << 20,
            "the proxy passed on more than 16 MiB"
        );
    }
    body
}

async fn record(case: Case) {
    let upstream = start(case).await;
    let dir = tmp("record");
    let out = dir.join("recorded.json");
    let out_s = out.display().to_string();
    let proc = spawn(&[
        "record",
        "--listen",
        "127.0.0.1:0",
        "--upstream",
        &upstream,
        "--out",
        &out_s,
        "--idp",
        "okta",
        "--flow",
        "connection",
        "--timeout",
        "2s",
    ]);
    let base = tokio::task::block_in_place(|| proc.announced.recv_timeout(Duration::from_secs(15)))
        .unwrap_or_else(|e| panic!("record did not announce its address: {e}"));
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    // The IdP's request, through the proxy, to the hostile endpoint.
    let sent = Instant::now();
    let r = http
        .get(format!("{base}/Users?filter=userName%20eq%20%22x%22"))
        .header("Authorization", "Bearer hostile-token")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{case:?}: the proxy did not answer: {e}"));
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let body = capped_body(r).await;
    let took = sent.elapsed();
    let text = String::from_utf8_lossy(&body).into_owned();
    assert!(
        took < Duration::from_secs(8),
        "{case:?}: the proxy took {took:?}"
    );
    // The upstream gave no usable answer: the proxy says so itself. Otherwise the proxy is
    // transparent: the upstream's status and body come back as they were.
    let (want, why): (u16, &str) = match case {
        Case::Refused => (502, "unreachable"),
        Case::ResetMidBody => (502, "broke off"),
        Case::EndlessBody => (502, "larger than"),
        Case::HugeContentLength => (502, "larger than"),
        Case::SlowDrip => (504, "in time"),
        Case::HugeHeaders => (502, "too large"),
        Case::TruncatedJson => (200, TRUNCATED),
        Case::InvalidUtf8 => (200, "\u{fffd}"),
        Case::NestingBomb => (200, "[[[[[[[["),
        Case::RedirectSelf => (301, ""),
        Case::RedirectPingPong => (302, ""),
        Case::ServerErrorStorm => (500, "hostile double"),
        Case::RetryAfterAbsurd | Case::RetryAfterNegative | Case::RetryAfterGarbage => {
            (429, "hostile double")
        }
    };
    assert_eq!(status, want, "{case:?}: {text}");
    assert!(text.contains(why), "{case:?}: {status} {text:.300}");
    match case {
        Case::RedirectSelf => assert_eq!(
            headers.get("location").and_then(|v| v.to_str().ok()),
            Some("/scim/v2/Users?filter=userName%20eq%20%22x%22")
        ),
        Case::RetryAfterAbsurd => assert_eq!(
            headers.get("retry-after").and_then(|v| v.to_str().ok()),
            Some("86400")
        ),
        _ => {}
    }
    // It keeps serving: the next request goes through (a healthy endpoint answers 200).
    let next = http
        .get(format!("{base}/ServiceProviderConfig"))
        .header("Authorization", "Bearer hostile-token")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{case:?}: no answer to the next request: {e}"));
    let next_status = next.status().as_u16();
    let _ = capped_body(next).await;
    assert_eq!(
        next_status,
        if case == Case::Refused { 502 } else { 200 },
        "{case:?}"
    );
    // SIGTERM: it writes the fixture and exits 0.
    proc.signal(libc::SIGTERM);
    let run = proc.wait(budget("record") * 2).await;
    assert_bounded("record", case, &run);
    assert_eq!(run.code, Some(0), "{}", run.text());
    let recorded = usize::from(want < 500 || case == Case::ServerErrorStorm)
        + usize::from(case != Case::Refused);
    if recorded == 0 {
        assert!(!out.exists(), "{case:?}: a fixture of nothing was written");
        assert!(
            run.stderr.contains("nothing was recorded"),
            "{}",
            run.text()
        );
        return;
    }
    let text = std::fs::read_to_string(&out)
        .unwrap_or_else(|e| panic!("{case:?}: no fixture: {e}\n{}", run.text()));
    let _: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{case:?}: the fixture is not JSON ({e}):\n{text}"));
    let fx = Fixture::parse(&text, "recorded.json")
        .unwrap_or_else(|e| panic!("{case:?}: the fixture does not load ({e}):\n{text}"));
    assert_eq!(fx.steps.len(), recorded, "{case:?}:\n{text}");
    assert!(!text.contains("hostile-token"), "{case:?}: token leaked");
}

/// One `#[tokio::test]` per (command, case): `hostile::check::slow_drip`, ...
macro_rules! matrix {
    ($($name:ident => $case:ident),* $(,)?) => {
        mod check { $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::check(super::Case::$case).await }
        )* }
        mod replay { $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::replay(super::Case::$case).await }
        )* }
        mod record { $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::record(super::Case::$case).await }
        )* }
        mod load { $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::load(super::Case::$case).await }
        )* }
    };
}

matrix! {
    connection_refused => Refused,
    reset_mid_body => ResetMidBody,
    truncated_json => TruncatedJson,
    endless_body => EndlessBody,
    slow_drip_one_byte_per_second => SlowDrip,
    headers_of_one_mib => HugeHeaders,
    invalid_utf8 => InvalidUtf8,
    json_nesting_bomb => NestingBomb,
    content_length_of_2_gib => HugeContentLength,
    redirect_to_itself => RedirectSelf,
    redirect_ping_pong => RedirectPingPong,
    server_error_storm => ServerErrorStorm,
    retry_after_absurd => RetryAfterAbsurd,
    retry_after_negative => RetryAfterNegative,
    retry_after_garbage => RetryAfterGarbage,
}
