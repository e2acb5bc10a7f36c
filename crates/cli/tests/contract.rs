//! The process contract (issue 8), as real processes: closed pipes, full devices, Ctrl-C,
//! files written whole or not at all, no backtrace for a user error.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, ChildStderr, Command, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::{cmd, dir, run, stderr};

/// Files in `d` whose name marks a temporary.
fn temporaries(d: &Path) -> Vec<String> {
    std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect()
}

fn interrupt(child: &Child) {
    let ok = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs")
        .success();
    assert!(ok, "kill -INT failed");
}

/// Waits for `child` at most `limit`; its exit code and the time it took.
fn wait(child: &mut Child, limit: Duration) -> (Option<i32>, Duration) {
    let t0 = Instant::now();
    loop {
        if let Some(st) = child.try_wait().unwrap() {
            return (st.code(), t0.elapsed());
        }
        if t0.elapsed() > limit {
            let _ = child.kill();
            panic!("still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Starts a long Monte Carlo writing to `out` and returns once it is running.
fn long_montecarlo(out: &Path, format: &str) -> (Child, BufReader<ChildStderr>) {
    let mut child = cmd(&[
        "montecarlo",
        "montecarlo-quad",
        "--runs",
        "1000000",
        "--format",
        format,
        "-o",
        out.to_str().unwrap(),
    ])
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    // Once it says the runs have started (past loading, whatever the machine's load).
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while !line.starts_with("montecarlo: ") {
        line.clear();
        assert!(err.read_line(&mut line).unwrap() > 0, "no start line");
    }
    std::thread::sleep(Duration::from_millis(300));
    (child, err)
}

#[test]
fn a_closed_pipe_ends_the_command_quietly() {
    let mut child = cmd(&["brief", "--all-years"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 64];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    let err = stderr(&o);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(o.status.code(), Some(141), "{err}");
    assert!(err.is_empty(), "nothing to say on a closed pipe: {err}");
}

#[test]
fn a_full_device_is_an_error_that_says_so() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    let o = cmd(&["brief"])
        .stdout(std::fs::File::create("/dev/full").unwrap())
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("no space left on the device"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_user_error_never_prints_a_backtrace() {
    let o = cmd(&["simulate", "no-such-scenario"])
        .env("RUST_BACKTRACE", "1")
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(err.contains("no shipped scenario of that name"), "{err}");
    assert!(!err.to_lowercase().contains("backtrace"), "{err}");
}

#[test]
fn ctrl_c_stops_a_montecarlo_and_marks_the_output_interrupted() {
    let d = dir("mc-int");
    let out = d.join("mc.json");
    let (mut child, mut rest) = long_montecarlo(&out, "json");
    interrupt(&child);
    let (code, took) = wait(&mut child, Duration::from_secs(20));
    let mut err = String::new();
    rest.read_to_string(&mut err).unwrap();
    assert_eq!(code, Some(130), "{err}");
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert!(err.contains("runs finished"), "{err}");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let rows = v.as_array().expect("records");
    assert!(!rows.is_empty());
    for r in rows {
        assert_eq!(r["interrupted"], true);
        assert_eq!(r["runs_requested"], 1_000_000);
        assert!(r["runs_done"].as_u64().unwrap() < 1_000_000);
    }
    assert!(temporaries(&d).is_empty());
}

#[test]
fn an_interrupted_csv_says_so_on_every_row() {
    let d = dir("mc-csv");
    let out = d.join("mc.csv");
    let (mut child, _err) = long_montecarlo(&out, "csv");
    interrupt(&child);
    let (code, _) = wait(&mut child, Duration::from_secs(20));
    assert_eq!(code, Some(130));
    let text = std::fs::read_to_string(&out).unwrap();
    let rows: Vec<&str> = text.lines().skip(1).collect();
    assert!(!rows.is_empty());
    assert!(
        rows.iter()
            .all(|r| r.contains(",1000000,") && r.contains(",true,")),
        "{text}"
    );
}

#[test]
fn a_second_ctrl_c_exits_at_once_and_keeps_the_previous_file() {
    let d = dir("mc-twice");
    let out = d.join("mc.json");
    std::fs::write(&out, "previous result\n").unwrap();
    let (mut child, _err) = long_montecarlo(&out, "json");
    interrupt(&child);
    interrupt(&child);
    let (code, took) = wait(&mut child, Duration::from_secs(20));
    assert_eq!(code, Some(130));
    assert!(took < Duration::from_secs(5), "took {took:?}");
    // Either the partial result, marked, replaced the file whole, or the old file is intact.
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text == "previous result\n" || text.contains("\"interrupted\": true"),
        "{text}"
    );
    assert!(temporaries(&d).is_empty(), "{:?}", temporaries(&d));
}

#[test]
fn a_failed_run_leaves_the_previous_file_untouched() {
    let d = dir("fail");
    let out = d.join("kpis.json");
    std::fs::write(&out, "previous result\n").unwrap();
    let o = run(&[
        "simulate",
        "no-such-scenario",
        "--format",
        "json",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous result\n");
    // A directory given as the output is named as such.
    let o = run(&["brief", "-o", d.to_str().unwrap()]);
    assert!(stderr(&o).contains("is a directory"), "{}", stderr(&o));
    assert!(temporaries(&d).is_empty());
}

#[test]
fn series_and_output_must_be_different_files() {
    let d = dir("same");
    let a = d.join("x.csv");
    let b = format!("{}/./x.csv", d.display());
    let o = run(&[
        "simulate",
        "drc-cobalt-2025",
        "--series",
        a.to_str().unwrap(),
        "-o",
        &b,
    ]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("name the same file"), "{}", stderr(&o));
    assert!(!a.exists());
}
