//! `quadrant serve` as a process: a run survives the server being killed (SIGKILL) half-way,
//! and no half-written result is ever served.

mod common;

use common::Served;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// Futures of the long run: long enough to be killed in the middle of, short enough to rerun.
const RUNS: usize = 2000;

/// The served process, with the requests this test makes.
struct Server(Served);

impl Server {
    fn start(db: &str) -> Server {
        Server(Served::start(db))
    }
    /// One HTTP/1.1 request: (status, headers, body).
    fn call(&self, method: &str, path: &str, token: &str, body: &str) -> (u16, String, Vec<u8>) {
        let mut s = TcpStream::connect(&self.0.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.0.addr,
            body.len()
        )
        .unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).unwrap();
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a header block");
        let head = String::from_utf8_lossy(&raw[..split]).to_string();
        let status = head.split(' ').nth(1).unwrap().parse().unwrap();
        (status, head.to_lowercase(), raw[split + 4..].to_vec())
    }
    fn run(&self, id: i64, token: &str) -> serde_json::Value {
        let (s, _, b) = self.call("GET", &format!("/api/runs/{id}"), token, "");
        assert_eq!(s, 200);
        serde_json::from_slice(&b).unwrap()
    }
    fn kill(mut self) {
        // Child::kill is SIGKILL on Unix: no chance to tidy up.
        self.0.kill();
    }
}

#[test]
fn a_run_survives_a_killed_server_and_no_half_result_is_served() {
    let dir = common::dir("serve-restart");
    let db = dir.join("q.db").display().to_string();
    let out = common::run(&["token", "create", "--db", &db, "--name", "restart-test"]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let token = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(token.starts_with("qt_"), "{token}");

    let first = Server::start(&db);
    let body = format!(
        r#"{{"kind": "montecarlo", "scenario": "montecarlo-quad", "runs": {RUNS}, "seed": 7}}"#
    );
    let (s, _, b) = first.call("POST", "/api/runs", &token, &body);
    assert_eq!(s, 202, "{}", String::from_utf8_lossy(&b));
    let id = serde_json::from_slice::<serde_json::Value>(&b).unwrap()["id"]
        .as_i64()
        .unwrap();
    // Wait until it is running, with some progress made.
    let t = Instant::now();
    loop {
        let v = first.run(id, &token);
        if v["state"] == "running" && v["progress"].as_f64().unwrap() > 0.0 {
            break;
        }
        assert!(
            v["state"] != "done",
            "the run finished before it could be killed: raise RUNS"
        );
        assert!(t.elapsed() < Duration::from_secs(120), "never ran: {v}");
        std::thread::sleep(Duration::from_millis(50));
    }
    let (s, _, _) = first.call("GET", &format!("/api/runs/{id}/result"), &token, "");
    // The run may end between the two requests: a result is served only once it is done.
    assert!(
        s == 409 || (s == 200 && first.run(id, &token)["state"] == "done"),
        "no result before the run is done (got {s})"
    );
    first.kill();

    let second = Server::start(&db);
    let v = second.run(id, &token);
    assert!(
        ["queued", "running"].contains(&v["state"].as_str().unwrap()),
        "after the restart: {v}"
    );
    assert!(v["message"].as_str().unwrap().contains("re-queued"), "{v}");
    let t = Instant::now();
    let end = loop {
        let v = second.run(id, &token);
        if v["state"] != "queued" && v["state"] != "running" {
            break v;
        }
        // Until it is done, the result is refused, never served half-written.
        let (s, _, _) = second.call("GET", &format!("/api/runs/{id}/result"), &token, "");
        // It may have ended since the state was read: then the state says done.
        assert!(
            s == 409 || (s == 200 && second.run(id, &token)["state"] == "done"),
            "a result served before the run was done (got {s})"
        );
        assert!(t.elapsed() < Duration::from_secs(600), "not done: {v}");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(end["state"], "done", "{end}");
    let (s, head, bytes) = second.call("GET", &format!("/api/runs/{id}/result"), &token, "");
    assert_eq!(s, 200);
    let sha = quadrant_store::sha256_hex(&bytes);
    assert!(head.contains(&format!("x-content-sha256: {sha}")), "{head}");
    let r: serde_json::Value = serde_json::from_slice(&bytes).expect("a whole JSON document");
    assert_eq!(
        r[0]["runs_done"].as_u64(),
        Some(RUNS as u64),
        "every future ran: {r}"
    );
    assert_eq!(r[0]["interrupted"], false);
    let (_, _, again) = second.call("GET", &format!("/api/runs/{id}/result"), &token, "");
    assert_eq!(again, bytes, "re-read byte for byte");
    drop(second);
    let _ = std::fs::remove_dir_all(&dir);
}
