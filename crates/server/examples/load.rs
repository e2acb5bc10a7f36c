//! Load benchmark (not a test): 200 concurrent readers of the brief and a run's result on
//! loopback, bounded in requests and in time; prints throughput and p50/p99 latency.
//!
//!     cargo run --release -p quadrant-server --example load [READERS] [REQUESTS_EACH]

use quadrant_server::{router, start_workers, Shared};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Stops the benchmark whatever is left.
const TIME_LIMIT: Duration = Duration::from_secs(120);

/// One GET on a fresh connection; the status code.
async fn get(addr: SocketAddr, path: &str) -> std::io::Result<u16> {
    let mut s = TcpStream::connect(addr).await?;
    s.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await?;
    let head = String::from_utf8_lossy(&buf[..buf.len().min(16)]).to_string();
    Ok(head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0))
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args()
        .skip(1)
        .map(|a| a.parse::<usize>().expect("a number"));
    let readers = args.next().unwrap_or(200);
    let each = args.next().unwrap_or(25);
    let ds = Box::leak(Box::new(quadrant_data::load_embedded().expect("dataset")));
    let store = quadrant_store::open(":memory:").expect("store");
    let (_, token) = quadrant_store::token::create(&*store, "load").expect("token");
    let state = Shared::new(store, ds, quadrant_sim::params::Params::shipped());
    start_workers(&state).expect("workers");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = router(state.clone()).0;
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap()
    });

    // A finished run whose result the readers fetch.
    let body = r#"{"kind": "simulate", "scenario": "drc-cobalt-2025"}"#;
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(format!("POST /api/runs HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}", body.len()).as_bytes()).await.unwrap();
    let mut buf = String::new();
    s.read_to_string(&mut buf).await.unwrap();
    let id = buf
        .split("\"id\":")
        .nth(1)
        .and_then(|r| r.split(',').next())
        .expect("a run id")
        .trim()
        .to_string();
    while get(addr, &format!("/api/runs/{id}/result")).await.unwrap() != 200 {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Warm the brief's cache as a first reader would.
    assert_eq!(get(addr, "/api/brief").await.unwrap(), 200);

    let paths = ["/api/brief".to_string(), format!("/api/runs/{id}/result")];
    let start = Instant::now();
    let tasks: Vec<_> = (0..readers)
        .map(|r| {
            let paths = paths.clone();
            tokio::spawn(async move {
                let mut lat = Vec::with_capacity(each);
                let mut failed = 0usize;
                for i in 0..each {
                    if start.elapsed() > TIME_LIMIT {
                        break;
                    }
                    let t = Instant::now();
                    match get(addr, &paths[(r + i) % 2]).await {
                        Ok(200) => lat.push(t.elapsed()),
                        _ => failed += 1,
                    }
                }
                (lat, failed)
            })
        })
        .collect();
    let mut all = Vec::new();
    let mut failed = 0;
    for t in tasks {
        let (l, f) = t.await.unwrap();
        all.extend(l);
        failed += f;
    }
    let wall = start.elapsed();
    all.sort();
    println!(
        "{readers} concurrent readers x {each} requests (brief and run result, alternating), {} ok, {failed} failed, in {:.2} s",
        all.len(),
        wall.as_secs_f64()
    );
    if !all.is_empty() {
        println!(
            "throughput {:.0} requests/s; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            all.len() as f64 / wall.as_secs_f64(),
            pct(&all, 0.5).as_secs_f64() * 1e3,
            pct(&all, 0.99).as_secs_f64() * 1e3,
            all.last().unwrap().as_secs_f64() * 1e3
        );
    }
}
