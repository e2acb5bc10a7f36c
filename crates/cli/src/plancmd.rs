//! `quadrant plan`: read a plan file, run it, render the report. Glue only.

use crate::cmd::load;
use crate::format::{pick, PlanFormat};
use crate::out::{emit, Kind};
use crate::simcmd::params_file;
use anyhow::{anyhow, bail, Result};
use quadrant_plan::run::{run, RunOptions};
use quadrant_plan::spec::PlanSpec;
use quadrant_plan::SolverChoice;
use quadrant_sim::api::{load_params, Session};
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct PlanArgs {
    /// Plan file, or the name of a shipped one (lithium-processing, ethical-cobalt,
    /// coordinated-funding).
    plan: String,
    /// Check the portfolio with the simulator: the Monte Carlo on the same futures with and
    /// without the projects, next to what the planner predicted.
    #[arg(long)]
    verify: bool,
    /// MILP solver: microlp (pure Rust, built in) or highs (needs the cargo feature `highs`).
    #[arg(long, value_enum, default_value_t = Solver::Microlp)]
    solver: Solver,
    /// Output format (default: from the extension of --output, else table).
    #[arg(long, value_enum)]
    format: Option<PlanFormat>,
    /// Write the report to this file instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Simulator parameters (default: the shipped data/world/sim_params.toml).
    #[arg(long)]
    params: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Solver {
    Microlp,
    Highs,
}

/// The plan file's name and text: a shipped plan by name, else a file.
fn read_plan(name: &str) -> Result<(String, String)> {
    if let Some(text) = quadrant_plan::shipped::find(name) {
        return Ok((format!("data/plans/{name}.toml"), text.to_string()));
    }
    let path = Path::new(name);
    if !path.exists() {
        let names: Vec<&str> = quadrant_plan::shipped::PLANS.iter().map(|p| p.0).collect();
        bail!(
            "{name}: no such plan file, nor a shipped plan (shipped: {})",
            names.join(", ")
        );
    }
    let text = std::fs::read_to_string(path).map_err(|e| anyhow!("{name}: {e}"))?;
    Ok((name.to_string(), text))
}

pub fn plan_cmd(data: Option<&Path>, a: PlanArgs) -> Result<()> {
    let format = pick(a.format, a.output.as_deref(), PlanFormat::Table)?;
    let ds = load(data)?;
    let (file, text) = read_plan(&a.plan)?;
    let spec = PlanSpec::parse(&file, &text, &ds).map_err(|issues| {
        let lines: Vec<String> = issues.iter().map(|i| i.to_string()).collect();
        anyhow!("{}", lines.join("\n"))
    })?;
    let params = load_params(params_file(data, a.params.as_deref()).as_deref())?;
    let session = Session::new(&ds, params);
    let solver = match a.solver {
        Solver::Microlp => SolverChoice::Microlp,
        Solver::Highs => SolverChoice::Highs,
    };
    let opt = RunOptions {
        solver,
        verify: a.verify,
    };
    let report = run(&ds, &session, &spec, opt)?;
    let (text, kind) = match format {
        PlanFormat::Table => (quadrant_report::plan::plan_table(&report), Kind::Text),
        PlanFormat::Json => (quadrant_report::plan::plan_json(&report), Kind::Json),
        PlanFormat::Csv => (quadrant_report::plan::plan_csv(&report), Kind::Csv),
        PlanFormat::Html => (quadrant_report::plan::plan_html(&report), Kind::Html),
    };
    emit(&text, a.output.as_deref(), kind, &ds.fingerprint)
}
