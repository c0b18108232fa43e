//! The client of `bench/large-groups.sh`: one-member PATCH latency on groups of many members,
//! measured over one keep-alive connection, one request at a time.
//!
//! `cargo run --release --example large_groups -- BASE_URL TOKEN [SIZES] [ITERATIONS]`
//! (SIZES comma-separated, default `1000,10000,50000`; ITERATIONS default 1000.)
//!
//! For each size it creates a group and fills it with that many users (created through `/Bulk`,
//! added by PATCH in batches of 500), then times ITERATIONS rounds of adding one more user and
//! removing it again (`members[value eq "…"]`), each request with `?excludedAttributes=members`;
//! then the same with `Prefer: return=minimal` (RFC 7240) on top, which a server may answer with
//! 204 (RFC 7644 §3.5.2), and says when the server answered 200 instead. Prints one line per
//! size, mode and operation: p50 and p99 in milliseconds.

use serde_json::{Value, json};
use std::time::{Duration, Instant};

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
const BULK: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
const PATCH: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const CT: &str = "application/scim+json";

type Res<T> = Result<T, String>;

struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Client {
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
        minimal: bool,
    ) -> Res<(u16, Value)> {
        let mut rq = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            rq = rq.header("content-type", CT).body(b.to_string());
        }
        if minimal {
            rq = rq.header("prefer", "return=minimal");
        }
        let r = rq.send().await.map_err(|e| format!("{path}: {e}"))?;
        let status = r.status().as_u16();
        let bytes = r.bytes().await.map_err(|e| format!("{path}: {e}"))?;
        let v = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Ok((status, v))
    }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1000.0
}

async fn create_users(c: &Client, prefix: &str, n: usize) -> Res<Vec<String>> {
    let mut ids = Vec::with_capacity(n);
    while ids.len() < n {
        let start = ids.len();
        let chunk = (n - start).min(500);
        let ops: Vec<Value> = (start..start + chunk)
            .map(|i| {
                json!({"method": "POST", "path": "/Users", "bulkId": format!("u{i}"),
                       "data": {"schemas": [USER], "userName": format!("{prefix}-{i}@example.com"),
                                "name": {"givenName": "Large", "familyName": format!("Group{i}")}}})
            })
            .collect();
        let (s, v) = c
            .send(
                reqwest::Method::POST,
                "/Bulk",
                Some(json!({"schemas": [BULK], "Operations": ops})),
                false,
            )
            .await?;
        let results = v["Operations"]
            .as_array()
            .ok_or(format!("bulk answered {s}: {v}"))?;
        for r in results {
            let loc = r["location"]
                .as_str()
                .ok_or(format!("bulk operation without location: {r}"))?;
            ids.push(loc.rsplit('/').next().unwrap_or_default().to_string());
        }
    }
    Ok(ids)
}

fn patch(ops: Value) -> Value {
    json!({"schemas": [PATCH], "Operations": ops})
}

async fn fill_group(c: &Client, name: &str, members: &[String]) -> Res<String> {
    let (s, g) = c
        .send(
            reqwest::Method::POST,
            "/Groups",
            Some(json!({"schemas": [GROUP], "displayName": name})),
            false,
        )
        .await?;
    let gid = g["id"]
        .as_str()
        .ok_or(format!("group create answered {s}: {g}"))?
        .to_string();
    for batch in members.chunks(500) {
        let value: Vec<Value> = batch.iter().map(|id| json!({"value": id})).collect();
        let (s, v) = c
            .send(
                reqwest::Method::PATCH,
                &format!("/Groups/{gid}?excludedAttributes=members"),
                Some(patch(
                    json!([{"op": "add", "path": "members", "value": value}]),
                )),
                false,
            )
            .await?;
        if !(200..300).contains(&s) {
            return Err(format!(
                "adding members to a group of {name} answered {s}: {v}"
            ));
        }
    }
    Ok(gid)
}

async fn measure(
    c: &Client,
    gid: &str,
    spare: &str,
    iterations: usize,
    minimal: bool,
) -> Res<(Vec<Duration>, Vec<Duration>, u16)> {
    let path = format!("/Groups/{gid}?excludedAttributes=members");
    let add = patch(json!([{"op": "add", "path": "members", "value": [{"value": spare}]}]));
    let remove = patch(json!([{"op": "remove", "path": format!("members[value eq \"{spare}\"]")}]));
    let (mut adds, mut removes, mut status) = (Vec::new(), Vec::new(), 0);
    for _ in 0..iterations {
        for (body, into) in [(&add, &mut adds), (&remove, &mut removes)] {
            let t = Instant::now();
            let (s, v) = c
                .send(reqwest::Method::PATCH, &path, Some(body.clone()), minimal)
                .await?;
            into.push(t.elapsed());
            if !(200..300).contains(&s) {
                return Err(format!("one-member PATCH answered {s}: {v}"));
            }
            status = s;
        }
    }
    adds.sort();
    removes.sort();
    Ok((adds, removes, status))
}

async fn run() -> Res<()> {
    let mut args = std::env::args().skip(1);
    let base = args
        .next()
        .ok_or("usage: large_groups BASE_URL TOKEN [SIZES] [ITERATIONS]")?;
    let token = args.next().ok_or("missing TOKEN")?;
    let sizes: Vec<usize> = args
        .next()
        .unwrap_or_else(|| "1000,10000,50000".into())
        .split(',')
        .map(|s| s.trim().parse().map_err(|e| format!("size {s:?}: {e}")))
        .collect::<Res<_>>()?;
    let iterations: usize = match args.next() {
        Some(s) => s.parse().map_err(|e| format!("iterations {s:?}: {e}"))?,
        None => 1000,
    };
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .build()
        .map_err(|e| e.to_string())?;
    let c = Client {
        http,
        base: base.trim_end_matches('/').to_string(),
        token,
    };
    let most = sizes.iter().copied().max().unwrap_or(0);
    let prefix = format!("lg{}", std::process::id());
    let t = Instant::now();
    let users = create_users(&c, &prefix, most + 1).await?;
    eprintln!(
        "created {} users in {:.1}s",
        users.len(),
        t.elapsed().as_secs_f64()
    );
    let spare = &users[most];
    println!(
        "{:>7}  {:<34} {:<7} {:>9} {:>9} {:>6}",
        "members", "response", "op", "p50 ms", "p99 ms", "n"
    );
    for n in sizes {
        let t = Instant::now();
        let gid = match fill_group(&c, &format!("{prefix}-g{n}"), &users[..n]).await {
            Ok(g) => g,
            Err(e) => {
                println!("{n:>7}  group refused: {e}");
                continue;
            }
        };
        eprintln!("filled a group of {n} in {:.1}s", t.elapsed().as_secs_f64());
        for minimal in [false, true] {
            let (adds, removes, status) = measure(&c, &gid, spare, iterations, minimal).await?;
            let mode = if minimal {
                format!("excludedAttributes + return=minimal ({status})")
            } else {
                format!("excludedAttributes=members ({status})")
            };
            for (op, v) in [("add", &adds), ("remove", &removes)] {
                println!(
                    "{n:>7}  {mode:<34} {op:<7} {:>9.2} {:>9.2} {:>6}",
                    percentile(v, 50.0),
                    percentile(v, 99.0),
                    v.len()
                );
            }
        }
        c.send(
            reqwest::Method::DELETE,
            &format!("/Groups/{gid}"),
            None,
            false,
        )
        .await?;
    }
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("large_groups: {e}");
        std::process::exit(1);
    }
}
