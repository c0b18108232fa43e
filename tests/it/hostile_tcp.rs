//! Hostile targets that an HTTP mock cannot play, from a small raw-TCP server: a body cut off
//! mid-way, an endless body, a slow drip, 1 MiB of headers, invalid UTF-8, a 2 GiB
//! Content-Length that never comes. `check`, `replay` and `load` must end within their time budget
//! with a verdict and no panic (exit 1 or 3, never 101).

use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[derive(Debug, Clone, Copy)]
enum Mode {
    ResetMidBody,
    EndlessBody,
    SlowDrip,
    HugeHeaders,
    InvalidUtf8,
    HugeContentLength,
}

/// Serve `mode` on 127.0.0.1:0 for every connection; returns the base URL.
async fn start(mode: Mode) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            tokio::spawn(async move {
                // Read the request head (bounded), then misbehave.
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 65_536 {
                    match sock.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let _ = misbehave(mode, &mut sock).await;
            });
        }
    });
    format!("http://{addr}/scim/v2")
}

async fn misbehave(mode: Mode, sock: &mut tokio::net::TcpStream) -> std::io::Result<()> {
    match mode {
        Mode::ResetMidBody => {
            sock.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/scim+json\r\nContent-Length: 1000\r\n\r\n{\"schemas\":[\"urn:")
                .await?;
            // Dropping the socket now cuts the body 980 bytes short.
        }
        Mode::EndlessBody => {
            sock.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/scim+json\r\nTransfer-Encoding: chunked\r\n\r\n")
                .await?;
            let chunk = format!("{:x}\r\n{}\r\n", 65_536, "[".repeat(65_536));
            for _ in 0..4096 {
                sock.write_all(chunk.as_bytes()).await?;
            }
        }
        Mode::SlowDrip => {
            for b in b"HTTP/1.1 200 OK\r\nContent-Type: application/scim+json\r\n" {
                sock.write_all(&[*b]).await?;
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
        Mode::HugeHeaders => {
            sock.write_all(b"HTTP/1.1 200 OK\r\nX-Big: ").await?;
            sock.write_all(&vec![b'a'; 1024 * 1024]).await?;
            sock.write_all(b"\r\nContent-Length: 2\r\n\r\n{}").await?;
        }
        Mode::InvalidUtf8 => {
            let body = b"{\"schemas\":[\"\xff\xfe\xfd\"],\"Resources\":\xc3\x28}";
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/scim+json\r\nContent-Length: {}\r\n\r\n",
                body.len()
            );
            sock.write_all(head.as_bytes()).await?;
            sock.write_all(body).await?;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Mode::HugeContentLength => {
            sock.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/scim+json\r\nContent-Length: 2147483648\r\n\r\n{\"a\":")
                .await?;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    sock.flush().await
}

const MODES: [Mode; 6] = [
    Mode::ResetMidBody,
    Mode::EndlessBody,
    Mode::SlowDrip,
    Mode::HugeHeaders,
    Mode::InvalidUtf8,
    Mode::HugeContentLength,
];

async fn run(args: &[&str]) -> (Option<i32>, String, Duration) {
    let started = Instant::now();
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_scimtest"))
        .args(args)
        .output()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text, started.elapsed())
}

fn tmp(name: &str) -> String {
    std::env::temp_dir()
        .join(format!(
            "scimtest-it-hostile-{name}-{}",
            uuid::Uuid::new_v4().simple()
        ))
        .display()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_against_raw_tcp_hostiles_ends_with_a_verdict_and_no_panic() {
    for mode in MODES {
        let url = start(mode).await;
        let dir = tmp("check");
        let (code, text, took) = run(&[
            "check",
            "--target",
            &url,
            "--token",
            "t",
            "--only",
            "users.get.*",
            "--timeout",
            "1s",
            "--report-dir",
            &dir,
        ])
        .await;
        assert!(
            matches!(code, Some(1 | 3)),
            "{mode:?}: exit {code:?} (a panic is 101):\n{text}"
        );
        assert!(!text.contains("panicked"), "{mode:?}:\n{text}");
        assert!(took < Duration::from_secs(60), "{mode:?}: took {took:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_against_raw_tcp_hostiles_ends_with_a_verdict_and_no_panic() {
    for mode in MODES {
        let url = start(mode).await;
        let dir = tmp("replay");
        let (code, text, took) = run(&[
            "replay",
            "--idp",
            "okta",
            "--profile",
            "oin",
            "--target",
            &url,
            "--token",
            "t",
            "--timeout",
            "1s",
            "--report-dir",
            &dir,
        ])
        .await;
        assert!(
            matches!(code, Some(1 | 3)),
            "{mode:?}: exit {code:?} (a panic is 101):\n{text}"
        );
        assert!(!text.contains("panicked"), "{mode:?}:\n{text}");
        assert!(took < Duration::from_secs(60), "{mode:?}: took {took:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_against_raw_tcp_hostiles_ends_with_a_verdict_and_no_panic() {
    for mode in MODES {
        let url = start(mode).await;
        let dir = tmp("load");
        let (code, text, took) = run(&[
            "load",
            "--no-correctness",
            "--run-time",
            "1s",
            "--users",
            "1",
            "--timeout",
            "1s",
            "--target",
            &url,
            "--token",
            "t",
            "--report-dir",
            &dir,
        ])
        .await;
        assert!(
            matches!(code, Some(1 | 3)),
            "{mode:?}: exit {code:?} (a panic is 101):\n{text}"
        );
        assert!(!text.contains("panicked"), "{mode:?}:\n{text}");
        assert!(took < Duration::from_secs(60), "{mode:?}: took {took:?}");
    }
}
