//! The dashboard in a real browser: starts `quadrant serve` on a free loopback port with a
//! fresh store and a token, then runs web/e2e/run.mjs (playwright-core driving Debian's
//! chromium) against it. Opt-in like the PostgreSQL tests: it runs when QUADRANT_TEST_BROWSER
//! is set (`.ci/run` installs chromium and the npm packages and sets it); otherwise it says it
//! is skipped and passes. Screenshots are kept under the cargo target folder. The dashboard's
//! unit tests (web/test/*.mjs, node's built-in runner) run under the same switch.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// Where the screenshots go: `<target>/e2e-artifacts`, beside the test binaries.
fn artifacts() -> PathBuf {
    let exe = PathBuf::from(env!("CARGO_BIN_EXE_quadrant"));
    // <target>/<profile>/quadrant → <target>
    let target = exe
        .parent()
        .and_then(Path::parent)
        .unwrap_or(Path::new("."));
    target.join("e2e-artifacts")
}

/// web/, with its npm packages installed; None (the test is skipped) without the switch.
fn web() -> Option<PathBuf> {
    if std::env::var_os("QUADRANT_TEST_BROWSER").is_none() {
        eprintln!("skipped: set QUADRANT_TEST_BROWSER=1 (with chromium and `npm ci` in web/) to run the browser tests");
        return None;
    }
    let web = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web");
    assert!(
        web.join("node_modules/playwright-core").is_dir(),
        "run `npm ci` in {} first",
        web.display()
    );
    Some(web)
}

#[test]
fn the_dashboards_unit_tests_pass() {
    let Some(web) = web() else { return };
    // Listed here rather than globbed by node, whose handling of a directory argument differs
    // between versions.
    let mut files: Vec<PathBuf> = std::fs::read_dir(web.join("test"))
        .expect("web/test")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "mjs"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no unit tests in web/test");
    let run = Command::new("node")
        .arg("--test")
        .args(&files)
        .current_dir(&web)
        .output()
        .expect("node runs");
    let report = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "a dashboard unit test failed:\n{report}"
    );
    assert!(report.contains("# fail 0"), "{report}");
}

#[test]
fn the_dashboard_works_in_chromium() {
    let Some(web) = web() else { return };
    let dir = common::dir("browser");
    let db = dir.join("q.db").display().to_string();
    let out = common::run(&["token", "create", "--db", &db, "--name", "browser-test"]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let token = String::from_utf8(out.stdout).unwrap().trim().to_string();

    let server = common::Served::start(&db);
    let addr = format!("http://{}", server.addr);

    let shots = artifacts();
    std::fs::create_dir_all(&shots).unwrap();
    eprintln!("browser test screenshots: {}", shots.display());
    let t = Instant::now();
    let run = Command::new("node")
        .arg(web.join("e2e/run.mjs"))
        .args([&addr, &token])
        .arg(&shots)
        .current_dir(&web)
        .output()
        .expect("node runs");
    let report = String::from_utf8_lossy(&run.stdout);
    eprintln!(
        "{report}{}browser scenarios took {:.1} s",
        String::from_utf8_lossy(&run.stderr),
        t.elapsed().as_secs_f64()
    );
    assert!(run.status.success(), "a browser scenario failed:\n{report}");
    assert!(report.contains(" 0 failed"), "{report}");
}
