//! Simulator commands: simulate, montecarlo, chokepoints, backtest. Glue only.

use crate::cmd::load;
use crate::cmd::table_kind;
use crate::format::{pick, ChokeFormat, McFormat, SimFormat, TableFormat};
use crate::out::{self, emit, file_with, Kind};
use anyhow::{bail, Result};
use quadrant_sim::api::{load_params, ChokeRequest, Session};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

#[derive(clap::Args)]
pub struct SimArgs {
    /// Scenario file, or the name of a shipped one (drc-cobalt-2025, quad-pact, …).
    scenario: String,
    /// Output format (default: from the extension of --output, else table; parquet needs
    /// --output).
    #[arg(long, value_enum)]
    format: Option<SimFormat>,
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
    /// Parameter uncertainty: rerun under 8 bootstrap fits of the price response and print
    /// the P10–P90 band of each world price (and, with --series, weekly `price_index_p10` and
    /// `price_index_p90` rows).
    #[arg(long)]
    bands: bool,
    /// Simulator parameters (default: the shipped data/world/sim_params.toml).
    #[arg(long)]
    params: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct McArgs {
    /// Scenario-set file, or the name of a shipped one (montecarlo-quad).
    scenario: String,
    /// Futures to run, 1 to 1,000,000.
    #[arg(long, default_value_t = 1000)]
    runs: usize,
    /// Seed of every draw: the same seed gives the same bits on any number of threads.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Draw the price response too: each run takes one of 8 bootstrap fits on the back-tests
    /// (parameter uncertainty; about 10 s more).
    #[arg(long)]
    draw_params: bool,
    /// Worker threads, 1 to 256 (default: all cores). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=256))]
    threads: Option<u16>,
    /// Output format (default: from the extension of --output, else table; parquet: one row
    /// per run, material and subject, needs --output).
    #[arg(long, value_enum)]
    format: Option<McFormat>,
    /// Write the results to this file instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Simulator parameters (default: the shipped data/world/sim_params.toml).
    #[arg(long)]
    params: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct ChokeArgs {
    /// Bloc id from curated/blocs.toml whose shortfall ranks the outages.
    #[arg(long, default_value = "QUAD")]
    bloc: String,
    /// Material id.
    #[arg(long)]
    material: String,
    /// Outage length in weeks, 1 to horizon − 4.
    #[arg(long, default_value_t = 26)]
    weeks: usize,
    /// Weeks simulated, 5 to 1560 (the outage starts in week 4).
    #[arg(long, default_value_t = 78)]
    horizon: usize,
    /// Structure year of the network (latest data up to it).
    #[arg(long, default_value_t = 2024)]
    year: u16,
    /// Smallest share of a stage's world output for a candidate, in (0, 1].
    #[arg(long, default_value_t = 0.01)]
    min_share: f64,
    /// Output format (default: from the extension of --output, else table).
    #[arg(long, value_enum)]
    format: Option<ChokeFormat>,
    /// Write to this file (whole or not at all) instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Simulator parameters (default: the shipped data/world/sim_params.toml).
    #[arg(long)]
    params: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct BacktestArgs {
    /// Fit the price response (λ, ρ, θ) on the cases marked fitted, then report with the fit.
    #[arg(long)]
    fit: bool,
    /// Leave-one-event-out cross-validation: fit on all fitted events but one, predict the one
    /// left out, with an 80% bootstrap band (takes a few minutes on 2 cores).
    #[arg(long)]
    cv: bool,
    /// Output format (default: from the extension of --output, else table).
    #[arg(long, value_enum)]
    format: Option<TableFormat>,
    /// Write to this file (whole or not at all) instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Simulator parameters (default: the shipped data/world/sim_params.toml).
    #[arg(long)]
    params: Option<PathBuf>,
}

/// A session on the dataset with the parameters asked for: `--params`, else the dataset
/// folder's own `sim_params.toml`, else the shipped ones.
fn session<'a>(
    ds: &'a quadrant_model::Dataset,
    data: Option<&Path>,
    params: Option<&Path>,
) -> Result<Session<'a>> {
    Ok(Session::new(
        ds,
        load_params(params_file(data, params).as_deref())?,
    ))
}

/// The parameter file in force: `--params`, or `DIR/sim_params.toml` with `--data DIR`.
pub fn params_file(data: Option<&Path>, params: Option<&Path>) -> Option<PathBuf> {
    params.map(Path::to_path_buf).or_else(|| {
        data.map(|d| d.join("sim_params.toml"))
            .filter(|p| p.exists())
    })
}

/// The tool and dataset a Parquet file records in its metadata.
fn provenance(ds: &quadrant_model::Dataset) -> Vec<(&'static str, String)> {
    vec![
        ("tool", out::TOOL.to_string()),
        ("dataset", ds.fingerprint.clone()),
    ]
}

/// Whether two paths name the same file, however spelt (`x.csv`, `./x.csv`, a link).
fn same_file(a: &Path, b: &Path) -> bool {
    let norm = |p: &Path| -> Option<PathBuf> {
        if let Ok(c) = std::fs::canonicalize(p) {
            return Some(c);
        }
        let dir = p
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        Some(std::fs::canonicalize(dir).ok()?.join(p.file_name()?))
    };
    a == b || matches!((norm(a), norm(b)), (Some(x), Some(y)) if x == y)
}

fn needs_output(parquet: bool, output: Option<&Path>) -> Result<()> {
    if parquet && output.is_none() {
        bail!("--format parquet writes a file: add --output FILE");
    }
    Ok(())
}

pub fn simulate_cmd(data: Option<&Path>, a: SimArgs) -> Result<()> {
    let format = pick(a.format, a.output.as_deref(), SimFormat::Table)?;
    needs_output(format == SimFormat::Parquet, a.output.as_deref())?;
    if let (Some(s), Some(o)) = (&a.series, &a.output) {
        if same_file(s, o) {
            bail!(
                "--series and --output name the same file ({}): give each its own",
                s.display()
            );
        }
    }
    let ds = load(data)?;
    let s = session(&ds, data, a.params.as_deref())?;
    let sc = s.scenario(&a.scenario)?;
    let bands = a.bands.then(|| s.price_bands(&sc, 1)).transpose()?;
    let sim = s.simulate(sc, a.series.is_some() || format == SimFormat::Html)?;
    let r = &sim.result;
    if let Some(path) = &a.series {
        let mut series = quadrant_report::sim::series_csv(r, &sim.nets);
        if let Some(b) = &bands {
            series.push_str(&quadrant_report::sim::bands_csv_rows(b));
        }
        emit(&series, Some(path), Kind::Csv, &ds.fingerprint)?;
    }
    let text = match format {
        SimFormat::Parquet => {
            let path = a.output.as_deref().expect("checked");
            let meta = provenance(&ds);
            return file_with(path, |w| {
                quadrant_report::parquet_out::sim_kpis(w, r, &meta)
            });
        }
        SimFormat::Json => serde_json::to_string_pretty(r)? + "\n",
        SimFormat::Csv => quadrant_report::sim::sim_csv(r),
        SimFormat::Html => quadrant_report::sim::sim_html(r),
        SimFormat::Table => {
            let mut t = quadrant_report::sim::sim_table(r);
            if let Some(b) = &bands {
                t.push_str(&quadrant_report::sim::bands_text(b));
            }
            t
        }
    };
    let kind = match format {
        SimFormat::Json => Kind::Json,
        SimFormat::Csv => Kind::Csv,
        SimFormat::Html => Kind::Html,
        SimFormat::Table | SimFormat::Parquet => Kind::Text,
    };
    emit(&text, a.output.as_deref(), kind, &ds.fingerprint)
}

/// Draws a progress bar on a terminal until `runs` are done or Ctrl-C stops them.
fn progress(done: Arc<AtomicUsize>, runs: usize) -> std::thread::JoinHandle<()> {
    let show = std::io::stderr().is_terminal();
    std::thread::spawn(move || {
        while show && done.load(Ordering::Relaxed) < runs && !out::STOP.load(Ordering::Relaxed) {
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
}

pub fn montecarlo_cmd(data: Option<&Path>, a: McArgs) -> Result<()> {
    let format = pick(a.format, a.output.as_deref(), McFormat::Table)?;
    needs_output(format == McFormat::Parquet, a.output.as_deref())?;
    let ds = load(data)?;
    let s = session(&ds, data, a.params.as_deref())?;
    let sc = s.scenario(&a.scenario)?;
    // Ctrl-C stops new runs; finished runs are kept and reported, marked as interrupted.
    out::graceful();
    eprintln!(
        "montecarlo: {} runs of {:?} (Ctrl-C stops after the runs in flight)",
        a.runs, sc.name
    );
    let stop = &out::STOP;
    let done = Arc::new(AtomicUsize::new(0));
    let bar = progress(done.clone(), a.runs);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(a.threads.map_or(0, usize::from))
        .build()?;
    let mc = pool.install(|| s.montecarlo(&sc, a.runs, a.seed, a.draw_params, stop, &done))?;
    if a.draw_params {
        let sets: Vec<String> = mc
            .responses
            .iter()
            .map(|r| format!("({}, {}, {})", r.lambda, r.rho, r.theta))
            .collect();
        eprintln!(
            "price response (lambda, rho, theta) drawn per run from {} bootstrap fits: {}",
            sets.len(),
            sets.join(" ")
        );
    }
    done.store(a.runs, Ordering::Relaxed);
    let _ = bar.join();
    let r = &mc.result;
    if r.interrupted {
        eprintln!(
            "interrupted: {} of {} runs finished; the output says so",
            r.runs_done, r.runs_requested
        );
    }
    let text = match format {
        McFormat::Parquet => {
            let path = a.output.as_deref().expect("checked");
            let meta = provenance(&ds);
            return file_with(path, |w| {
                quadrant_report::parquet_out::mc_runs(
                    w,
                    r,
                    (&mc.materials, &mc.subjects, &mc.sampled),
                    &meta,
                )
            });
        }
        McFormat::Json => quadrant_report::sim::mc_json(r),
        McFormat::Csv => quadrant_report::sim::mc_csv(r),
        McFormat::Html => quadrant_report::sim::mc_html(r),
        McFormat::Table => quadrant_report::sim::mc_table(r),
    };
    let kind = match format {
        McFormat::Json => Kind::Json,
        McFormat::Csv => Kind::Csv,
        McFormat::Html => Kind::Html,
        McFormat::Table | McFormat::Parquet => Kind::Text,
    };
    emit(&text, a.output.as_deref(), kind, &ds.fingerprint)
}

pub fn chokepoints_cmd(data: Option<&Path>, a: ChokeArgs) -> Result<()> {
    let ds = load(data)?;
    let s = session(&ds, data, a.params.as_deref())?;
    let bloc = crate::cmd::bloc(&ds, &a.bloc)?;
    let material = ds
        .material_id(crate::cmd::material(&ds, &a.material)?)
        .to_string();
    let r = s.chokepoints(&ChokeRequest {
        bloc: bloc.clone(),
        material: material.clone(),
        weeks: a.weeks,
        horizon: a.horizon,
        year: a.year,
        min_share: a.min_share,
    })?;
    let fmt = pick(a.format, a.output.as_deref(), ChokeFormat::Table)?;
    let (text, kind) = match fmt {
        ChokeFormat::Json => (serde_json::to_string_pretty(&r.rows)? + "\n", Kind::Json),
        ChokeFormat::Csv => (
            quadrant_report::sim::chokepoints_csv(&material, &r.rows),
            Kind::Csv,
        ),
        ChokeFormat::Table => (
            quadrant_report::sim::chokepoints_table(&material, &bloc, a.weeks, &r.rows),
            Kind::Text,
        ),
        ChokeFormat::Html => (quadrant_report::choke::choke_html(&r), Kind::Html),
    };
    emit(&text, a.output.as_deref(), kind, &ds.fingerprint)
}

pub fn backtest_cmd(data: Option<&Path>, a: BacktestArgs) -> Result<()> {
    let ds = load(data)?;
    let s = session(&ds, data, a.params.as_deref())?;
    let bt = s.backtest(a.fit, a.cv)?;
    if let Some(f) = bt.fit {
        let r = f.response;
        eprintln!(
            "fit on {} price observations: lambda = {}, rho = {}, theta = {}, RMS log error at the peak {:.3}",
            f.cases, r.lambda, r.rho, r.theta, f.rms_log_error
        );
    }
    let fmt = pick(a.format, a.output.as_deref(), TableFormat::Table)?;
    let text = match (&bt.cv, fmt) {
        (Some(cv), TableFormat::Json) => serde_json::to_string_pretty(cv)? + "\n",
        (Some(cv), TableFormat::Csv) => quadrant_report::backtest::cv_csv(cv),
        (Some(cv), TableFormat::Table) => quadrant_report::backtest::cv_table(cv),
        (None, TableFormat::Json) => serde_json::to_string_pretty(&bt.cases)? + "\n",
        (None, TableFormat::Csv) => quadrant_report::backtest::backtest_csv(&bt.cases),
        (None, TableFormat::Table) => {
            quadrant_report::backtest::backtest_table(&bt.cases, bt.response)
        }
    };
    emit(&text, a.output.as_deref(), table_kind(fmt), &ds.fingerprint)
}
