//! Helpers shared by the test binaries that run `quadrant` as a process.

use std::path::PathBuf;
use std::process::{Command, Output};

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
