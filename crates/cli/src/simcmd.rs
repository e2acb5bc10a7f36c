//! Simulator commands: simulate, montecarlo, chokepoints, backtest. Glue only.

use crate::cmd::{emit, format, load};
use anyhow::{anyhow, bail, Result};
use quadrant_metrics::TradeIndex;
use quadrant_model::Dataset;
use quadrant_sim::montecarlo::{backtest_case, chokepoints, fit, montecarlo};
use quadrant_sim::params::Params;
use quadrant_sim::scenario::Scenario;
use quadrant_sim::{networks, shipped, simulate};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

#[derive(clap::Args)]
pub struct SimArgs {
    /// Scenario file, or the name of a shipped one (drc-cobalt-2025, quad-pact, …).
    scenario: String,
    /// table | json | csv | html (charts) | parquet (parquet needs --output)
    #[arg(long, default_value = "table")]
    format: String,
    /// Write the KPIs to this file instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Write the weekly series to this CSV file (material, week, subject, value_kind, value):
    /// world price per stage (`price_index`), shortfall per country and for the bloc
    /// (`shortfall_t`), price paid where it differs from the world price and for the bloc
    /// (`price_paid_index`), output per node and stage, facilities included
    /// (`production_t.STAGE`).
    #[arg(long)]
    series: Option<PathBuf>,
    /// Simulator parameters (default: the shipped data/world/sim_params.toml).
    #[arg(long)]
    params: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct McArgs {
    /// Scenario-set file, or the name of a shipped one (montecarlo-quad).
    scenario: String,
    #[arg(long, default_value_t = 1000)]
    runs: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// table | json | csv | parquet (one row per run, material and subject; needs --output)
    #[arg(long, default_value = "table")]
    format: String,
    /// Write the results to this file instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
    #[arg(long)]
    params: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct ChokeArgs {
    #[arg(long, default_value = "QUAD")]
    bloc: String,
    #[arg(long)]
    material: String,
    /// Outage length in weeks.
    #[arg(long, default_value_t = 26)]
    weeks: usize,
    /// Weeks simulated (outage starts in week 4).
    #[arg(long, default_value_t = 78)]
    horizon: usize,
    #[arg(long, default_value_t = 2024)]
    year: u16,
    /// Smallest share of a stage's world output for a candidate.
    #[arg(long, default_value_t = 0.01)]
    min_share: f64,
    #[arg(long, default_value = "table")]
    format: String,
    #[arg(long)]
    params: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct BacktestArgs {
    /// Fit the price response (λ, ρ) on the cases marked fitted, then report with the fit.
    #[arg(long)]
    fit: bool,
    #[arg(long, default_value = "table")]
    format: String,
    #[arg(long)]
    params: Option<PathBuf>,
}

fn params(p: Option<&Path>) -> Result<Params> {
    match p {
        Some(p) => {
            let t = std::fs::read_to_string(p).map_err(|e| anyhow!("{}: {e}", p.display()))?;
            Params::parse(&t).map_err(|e| anyhow!("{}: {e}", p.display()))
        }
        None => Ok(Params::shipped()),
    }
}

/// Reads a scenario from a file, or from the shipped set by name.
fn scenario(ds: &Dataset, name: &str) -> Result<Scenario> {
    let (file, text) = if Path::new(name).is_file() {
        (
            name.to_string(),
            std::fs::read_to_string(name).map_err(|e| anyhow!("{name}: {e}"))?,
        )
    } else if let Some((p, t)) = shipped::find(name) {
        (format!("data/scenarios/{p}"), t.to_string())
    } else {
        let names: Vec<&str> = shipped::SCENARIOS
            .iter()
            .map(|s| s.0.trim_end_matches(".toml"))
            .collect();
        bail!(
            "{name}: no such file, and no shipped scenario of that name ({})",
            names.join(", ")
        );
    };
    Scenario::parse(&file, &text, ds).map_err(|errs| {
        anyhow!(
            "scenario refused:\n{}",
            errs.iter()
                .map(|e| format!("  {e}"))
                .collect::<Vec<_>>()
                .join("\n")
        )
    })
}

fn fmt_ok_parquet(f: &str, output: Option<&Path>) -> Result<()> {
    match (f, output) {
        ("parquet", None) => bail!("--format parquet writes a file: add --output FILE"),
        ("parquet", Some(_)) => Ok(()),
        _ => fmt_ok(f),
    }
}

fn fmt_ok(f: &str) -> Result<()> {
    format(f, &["table", "json", "csv"]).map(|_| ())
}

pub fn simulate_cmd(data: Option<&Path>, a: SimArgs) -> Result<()> {
    if a.format != "html" {
        fmt_ok_parquet(&a.format, a.output.as_deref())?;
    }
    let ds = load(data)?;
    let p = params(a.params.as_deref())?;
    let sc = scenario(&ds, &a.scenario)?;
    let trade = TradeIndex::build(&ds);
    let nets = networks(&ds, &trade, &sc);
    if nets.is_empty() {
        bail!(
            "no network could be built for the scenario's materials {:?}",
            sc.material_ids()
        );
    }
    let r = simulate(
        &ds,
        &nets,
        &p,
        &sc,
        a.series.is_some() || a.format == "html",
    );
    if let Some(path) = &a.series {
        let members = ds
            .curated
            .bloc(&sc.bloc)
            .map(|b| b.members.clone())
            .unwrap_or_default();
        let s = quadrant_report::sim::series_csv(&r, &nets, &members);
        std::fs::write(path, s).map_err(|e| anyhow!("{}: {e}", path.display()))?;
    }
    if a.format == "parquet" {
        let out = a.output.as_deref().expect("checked");
        return quadrant_report::parquet_out::sim_kpis(out, &r)
            .map_err(|e| anyhow!("{}: {e}", out.display()));
    }
    emit(
        match a.format.as_str() {
            "json" => serde_json::to_string_pretty(&r)? + "\n",
            "csv" => quadrant_report::sim::sim_csv(&r),
            "html" => quadrant_report::sim::sim_html(&r),
            _ => quadrant_report::sim::sim_table(&r),
        },
        a.output.as_deref(),
    )
}

pub fn montecarlo_cmd(data: Option<&Path>, a: McArgs) -> Result<()> {
    fmt_ok_parquet(&a.format, a.output.as_deref())?;
    if a.runs == 0 {
        bail!("--runs must be at least 1");
    }
    let ds = load(data)?;
    let p = params(a.params.as_deref())?;
    let sc = scenario(&ds, &a.scenario)?;
    let trade = TradeIndex::build(&ds);
    let nets = networks(&ds, &trade, &sc);
    let stop = Arc::new(AtomicBool::new(false));
    {
        // Ctrl-C stops new runs; finished runs are kept and reported.
        let stop = stop.clone();
        let _ = ctrlc::set_handler(move || stop.store(true, Ordering::Relaxed));
    }
    let done = Arc::new(AtomicUsize::new(0));
    let show = std::io::stderr().is_terminal();
    let progress = {
        let (done, stop, runs) = (done.clone(), stop.clone(), a.runs);
        std::thread::spawn(move || {
            while show && done.load(Ordering::Relaxed) < runs && !stop.load(Ordering::Relaxed) {
                let d = done.load(Ordering::Relaxed);
                let bar = "#".repeat(d * 40 / runs);
                eprint!("\r  [{bar:<40}] {d}/{runs} runs");
                std::thread::sleep(std::time::Duration::from_millis(200));
            }
            if show {
                eprintln!(
                    "\r  [{}] {}/{} runs",
                    "#".repeat(40),
                    done.load(Ordering::Relaxed),
                    runs
                );
            }
        })
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(a.threads.unwrap_or(0))
        .build()?;
    let r = pool.install(|| montecarlo(&ds, &nets, &p, &sc, a.runs, a.seed, &stop, &done));
    done.store(a.runs, Ordering::Relaxed);
    let _ = progress.join();
    if a.format == "parquet" {
        let out = a.output.as_deref().expect("checked");
        let mats: Vec<String> = nets.iter().map(|n| n.material.clone()).collect();
        let mut subjects = vec![sc.bloc.clone()];
        subjects.extend(
            quadrant_sim::scenario::resolve(
                &ds,
                &quadrant_sim::scenario::Targets::Named(format!("bloc:{}", sc.bloc)),
            )
            .unwrap_or_default(),
        );
        return quadrant_report::parquet_out::mc_runs(out, &r, &mats, &subjects)
            .map_err(|e| anyhow!("{}: {e}", out.display()));
    }
    emit(
        match a.format.as_str() {
            "json" => serde_json::to_string_pretty(&r)? + "\n",
            "csv" => quadrant_report::sim::mc_csv(&r),
            _ => quadrant_report::sim::mc_table(&r),
        },
        a.output.as_deref(),
    )
}

pub fn chokepoints_cmd(data: Option<&Path>, a: ChokeArgs) -> Result<()> {
    fmt_ok(&a.format)?;
    let ds = load(data)?;
    let p = params(a.params.as_deref())?;
    let m = ds
        .material(&a.material)
        .ok_or_else(|| anyhow!("unknown material {:?}", a.material))?;
    let bloc = ds
        .curated
        .bloc(&a.bloc)
        .ok_or_else(|| anyhow!("unknown bloc {:?}", a.bloc))?;
    let trade = TradeIndex::build(&ds);
    let net = quadrant_sim::network::build(&ds, &trade, m, a.year)
        .ok_or_else(|| anyhow!("no production data for {}", a.material))?;
    let mut idx: Vec<usize> = bloc
        .members
        .iter()
        .flat_map(|c| net.demand_nodes(c))
        .collect();
    idx.dedup();
    let v = chokepoints(
        &net,
        p.get(&a.material),
        &idx,
        a.weeks,
        a.horizon,
        a.min_share,
    );
    print!(
        "{}",
        match a.format.as_str() {
            "json" => serde_json::to_string_pretty(&v)? + "\n",
            "csv" => quadrant_report::sim::chokepoints_csv(&a.material, &v),
            _ => quadrant_report::sim::chokepoints_table(&a.material, &a.bloc, a.weeks, &v),
        }
    );
    Ok(())
}

pub fn backtest_cmd(data: Option<&Path>, a: BacktestArgs) -> Result<()> {
    fmt_ok(&a.format)?;
    let ds = load(data)?;
    let mut p = params(a.params.as_deref())?;
    let trade = TradeIndex::build(&ds);
    let mut cases = Vec::new();
    for (path, text) in shipped::backtests() {
        let sc = Scenario::parse(&format!("data/scenarios/{path}"), text, &ds)
            .map_err(|e| anyhow!("{}", e[0]))?;
        let nets = networks(&ds, &trade, &sc);
        cases.push((sc, nets));
    }
    if a.fit {
        let (l, r, rmse, n) = fit(&ds, &cases, &p);
        eprintln!(
            "fit on {n} price observations: lambda = {l}, rho = {r}, RMS log error {rmse:.3}"
        );
        p.default.lambda = l;
        p.default.rho = r;
        for m in p.by_material.values_mut() {
            m.lambda = l;
            m.rho = r;
        }
    }
    let out: Vec<_> = cases
        .iter()
        .flat_map(|(sc, nets)| backtest_case(&ds, nets, &p, sc))
        .collect();
    print!(
        "{}",
        match a.format.as_str() {
            "json" => serde_json::to_string_pretty(&out)? + "\n",
            "csv" => quadrant_report::sim::backtest_csv(&out),
            _ => quadrant_report::sim::backtest_table(&out, p.default.lambda, p.default.rho),
        }
    );
    Ok(())
}
