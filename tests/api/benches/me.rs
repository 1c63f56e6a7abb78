//! Authenticated reads under load: `GET /api/me` over C keep-alive
//! connections for S seconds, against bare `GET /healthz` (one database
//! ping, no session) as the baseline, in the same run, on SQLite and (when
//! `SIJIL_TEST_POSTGRES_URL` is set) PostgreSQL.
//!
//! The load tool is here, small on purpose: plain HTTP/1.1 over tokio TCP
//! streams, one request in flight per connection, so the figures measure
//! the server and not a client library. The sessions are K signed-in
//! sessions of one trainer, spread over the connections.
//!
//!     cargo bench -p sijil-e2e --bench me                          # 64 connections, 10 s
//!     SIJIL_BENCH_CONNECTIONS=64 SIJIL_BENCH_SECS=20 cargo bench -p sijil-e2e --bench me

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sijil::config::Config;
use sijil::store::testing::TestDatabase;
use sijil_e2e::TestApp;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() {
    let connections = env("SIJIL_BENCH_CONNECTIONS", 64);
    let secs = env("SIJIL_BENCH_SECS", 10) as u64;
    let sessions = env("SIJIL_BENCH_SESSIONS", 8).max(1);
    println!("{connections} connections, {secs} s per path, {sessions} sessions of one trainer");
    println!(
        "{:<12} {:<10} {:>10} {:>9} {:>9} {:>8}",
        "database", "path", "req/s", "p50", "p99", "non-200"
    );
    for database in TestDatabase::all().await {
        let kind = database.kind();
        let app = TestApp::spawn(Arc::new(database), Config::for_tests()).await;
        let admin = app.admin().await;
        let site = app.site(&admin, "LOAD-1").await;
        let first = app.user(&admin, "loadtest", "trainer", &[site]).await;
        let mut cookies = vec![first.cookie.clone().unwrap()];
        for _ in 1..sessions {
            let api = app.login("loadtest", "correct horse battery").await;
            cookies.push(api.cookie.clone().unwrap());
        }
        let health = load(app.addr, "/healthz", &[], connections, secs).await;
        health.print(kind, "/healthz");
        let me = load(app.addr, "/api/me", &cookies, connections, secs).await;
        me.print(kind, "/api/me");
        println!(
            "{kind:<12} /api/me at {:.0} % of /healthz",
            100.0 * me.rate() / health.rate()
        );
        app.stop().await;
    }
}

struct Load {
    requests: usize,
    not_ok: usize,
    secs: f64,
    latencies: Vec<Duration>,
}

impl Load {
    fn rate(&self) -> f64 {
        self.requests as f64 / self.secs
    }

    fn print(&self, kind: &str, path: &str) {
        let mut l = self.latencies.clone();
        l.sort();
        let at = |q: f64| l[((l.len() as f64 * q) as usize).min(l.len() - 1)];
        println!(
            "{kind:<12} {path:<10} {:>10.0} {:>7.2}ms {:>7.2}ms {:>8}",
            self.rate(),
            at(0.50).as_secs_f64() * 1000.0,
            at(0.99).as_secs_f64() * 1000.0,
            self.not_ok
        );
    }
}

/// Keeps `connections` connections asking `path` for `secs` seconds (after
/// a one-second warm-up that is not counted).
async fn load(
    addr: SocketAddr,
    path: &str,
    cookies: &[String],
    connections: usize,
    secs: u64,
) -> Load {
    let warm_until = Instant::now() + Duration::from_secs(1);
    let until = warm_until + Duration::from_secs(secs);
    let tasks: Vec<_> = (0..connections)
        .map(|i| {
            let cookie = cookies
                .get(i % cookies.len().max(1))
                .map(|c| format!("Cookie: {c}\r\n"))
                .unwrap_or_default();
            let request =
                format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{cookie}\r\n").into_bytes();
            tokio::spawn(async move {
                let mut stream = TcpStream::connect(addr).await.expect("connect");
                stream.set_nodelay(true).ok();
                let mut buf = Vec::with_capacity(4096);
                let (mut requests, mut not_ok, mut latencies) = (0, 0, vec![]);
                loop {
                    let sent = Instant::now();
                    if sent >= until {
                        break;
                    }
                    stream.write_all(&request).await.expect("write");
                    let status = read_response(&mut stream, &mut buf).await;
                    if sent >= warm_until {
                        requests += 1;
                        latencies.push(sent.elapsed());
                        if status != 200 {
                            not_ok += 1;
                        }
                    }
                }
                (requests, not_ok, latencies)
            })
        })
        .collect();
    let mut out = Load {
        requests: 0,
        not_ok: 0,
        secs: secs as f64,
        latencies: vec![],
    };
    for t in tasks {
        let (r, n, l) = t.await.expect("load task");
        out.requests += r;
        out.not_ok += n;
        out.latencies.extend(l);
    }
    out
}

/// Reads one response (headers and a Content-Length body); its status.
async fn read_response(stream: &mut TcpStream, buf: &mut Vec<u8>) -> u16 {
    buf.clear();
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(end) = find(buf, b"\r\n\r\n") {
            let head = std::str::from_utf8(&buf[..end]).expect("ASCII head");
            let status: u16 = head[9..12].parse().expect("status");
            let length: usize = head
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse().ok())?
                })
                .expect("Content-Length");
            let total = end + 4 + length;
            while buf.len() < total {
                let n = stream.read(&mut chunk).await.expect("read");
                assert!(n > 0, "connection closed mid-body");
                buf.extend_from_slice(&chunk[..n]);
            }
            return status;
        }
        let n = stream.read(&mut chunk).await.expect("read");
        assert!(n > 0, "connection closed");
        buf.extend_from_slice(&chunk[..n]);
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
