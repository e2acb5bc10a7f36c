//! Helpers shared by the test binaries that run `quadrant` as a process.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};

/// `quadrant ARGS`, run from a directory that is not the repository.
pub fn cmd(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_quadrant"));
    c.args(args).current_dir(std::env::temp_dir());
    c
}

/// Runs `quadrant ARGS` to completion.
pub fn run(args: &[&str]) -> Output {
    cmd(args).output().expect("binary runs")
}

/// The standard error of a finished run.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh folder for one test's files.
pub fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("quadrant-contract-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// `quadrant serve` as a process on a free loopback port, killed when dropped.
#[allow(dead_code)] // used by the binaries that serve (serve.rs, browser.rs)
pub struct Served {
    child: Child,
    /// `127.0.0.1:PORT`, as the server announced it.
    pub addr: String,
}

#[allow(dead_code)]
impl Served {
    /// Starts `quadrant serve --db DB` on a free loopback port and waits until it listens.
    pub fn start(db: &str) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_quadrant"))
            .args(["serve", "--db", db, "--addr", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("quadrant serve starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("first line: {line:?}"))
            .to_string();
        Served { child, addr }
    }
    /// Kills the server at once (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.kill();
    }
}
