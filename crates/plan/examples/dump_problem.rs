//! Writes a synthetic plan (SYNTHETIC: random numbers) as JSON for the linopy peer
//! (bench/plan_linopy.py) and times the Rust model build on it:
//! `cargo run --release -p quadrant-plan --example dump_problem -- N S Y SEED OUT.json
//! [--solve] [--solver microlp|highs] [--gap G] [--cvar ALPHA] [--reps R]`
//! (`--solver highs` needs `--features highs`).
//!
//! JSON goes through `toml::Value` (already a dependency of the crate) so that the example
//! needs no new dependency; `None` fields are left out, as the TOML serializer does.
use quadrant_plan::model::{build, Scope, Tweaks};
use quadrant_plan::{lp, RiskMeasure, SolverChoice};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

struct Args {
    n: usize,
    s: usize,
    y: usize,
    seed: u64,
    out: String,
    solve: bool,
    cvar: Option<f64>,
    reps: usize,
    solver: SolverChoice,
    gap: Option<f64>,
}

fn usage() -> ! {
    eprintln!(
        "usage: dump_problem N S Y SEED OUT.json [--solve] [--solver microlp|highs] [--gap G] [--cvar ALPHA] [--reps R]"
    );
    std::process::exit(2)
}

fn parse<T: std::str::FromStr>(name: &str, v: Option<&String>) -> T {
    match v.map(|x| x.parse()) {
        Some(Ok(x)) => x,
        _ => {
            eprintln!("dump_problem: {name}: expected a number, got {v:?}");
            usage()
        }
    }
}

fn args() -> Args {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let pos: Vec<&String> = a.iter().take_while(|x| !x.starts_with("--")).collect();
    if pos.len() != 5 {
        usage();
    }
    let flag = |f: &str| a.iter().position(|x| x == f).map(|i| a.get(i + 1));
    Args {
        n: parse("N", Some(pos[0])),
        s: parse("S", Some(pos[1])),
        y: parse("Y", Some(pos[2])),
        seed: parse("SEED", Some(pos[3])),
        out: pos[4].clone(),
        solve: a.iter().any(|x| x == "--solve"),
        cvar: flag("--cvar").map(|v| parse("--cvar", v)),
        reps: flag("--reps").map_or(5, |v| parse("--reps", v)),
        solver: match flag("--solver").map(|v| v.map(String::as_str)) {
            None | Some(Some("microlp")) => SolverChoice::Microlp,
            Some(Some("highs")) => SolverChoice::Highs,
            Some(v) => {
                eprintln!("dump_problem: --solver: expected microlp or highs, got {v:?}");
                usage()
            }
        },
        gap: flag("--gap").map(|v| parse("--gap", v)),
    }
}

/// JSON text of a TOML value (numbers keep Rust's shortest round-trip form).
fn json(v: &toml::Value, out: &mut String) {
    match v {
        toml::Value::String(s) => {
            out.push('"');
            for ch in s.chars() {
                match ch {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    c if (c as u32) < 0x20 => {
                        let _ = write!(out, "\\u{:04x}", c as u32);
                    }
                    c => out.push(c),
                }
            }
            out.push('"');
        }
        toml::Value::Integer(i) => {
            let _ = write!(out, "{i}");
        }
        toml::Value::Float(f) => {
            let _ = write!(out, "{f:?}");
        }
        toml::Value::Boolean(b) => {
            let _ = write!(out, "{b}");
        }
        toml::Value::Datetime(d) => {
            let _ = write!(out, "\"{d}\"");
        }
        toml::Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json(x, out);
            }
            out.push(']');
        }
        toml::Value::Table(t) => {
            out.push('{');
            for (i, (k, x)) in t.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json(&toml::Value::String(k.clone()), out);
                out.push(':');
                json(x, out);
            }
            out.push('}');
        }
    }
}

/// Writes `text` to `path` through a temporary file and a rename.
fn write_atomic(path: &str, text: &str) -> std::io::Result<()> {
    let tmp = format!("{path}.tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let a = args();
    let mut p = quadrant_plan::synthetic::problem(a.n, a.s, a.y, a.seed);
    if let Some(alpha) = a.cvar {
        p.options.risk = RiskMeasure::CVaR { alpha };
    }
    let value = toml::Value::try_from(&p).unwrap_or_else(|e| {
        eprintln!("dump_problem: cannot serialise the problem: {e}");
        std::process::exit(1)
    });
    let mut text = String::new();
    json(&value, &mut text);
    if let Err(e) = write_atomic(&a.out, &text) {
        eprintln!("dump_problem: {}: cannot write: {e}", a.out);
        std::process::exit(1);
    }
    let (scope, tweaks) = (Scope::pooled(&p), Tweaks::default());
    let mut times = Vec::with_capacity(a.reps.max(1));
    let mut model = None;
    for _ in 0..a.reps.max(1) {
        let t = Instant::now();
        let m = build(&p, &scope, &tweaks, &[]);
        times.push(t.elapsed());
        model = Some(m);
    }
    let m = model.expect("at least one build");
    let nnz: usize = m.recipe.rows.iter().map(|r| r.terms.len()).sum();
    println!("rust_build_s {:.6}", median(times).as_secs_f64());
    println!("vars {}", m.recipe.vars.len());
    println!("rows {}", m.recipe.rows.len());
    println!("nonzeros {nnz}");
    if a.solve {
        let t = Instant::now();
        let gap = a.gap.unwrap_or(p.options.mip_gap);
        match lp::solve(&m.recipe, a.solver, gap) {
            Ok(s) => {
                println!("rust_solve_s {:.6}", t.elapsed().as_secs_f64());
                println!(
                    "rust_solver {}",
                    match a.solver {
                        SolverChoice::Microlp => "microlp",
                        SolverChoice::Highs => "highs",
                    }
                );
                println!("rust_objective {:.12e}", s.objective);
                println!("rust_optimal {}", s.optimal);
            }
            Err(e) => {
                eprintln!("dump_problem: the solve failed: {e:?}");
                std::process::exit(1);
            }
        }
    }
}
