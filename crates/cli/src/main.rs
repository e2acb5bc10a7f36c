//! The `quadrant` command: parses arguments, calls the libraries, renders. No logic lives here.

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

mod cmd;
mod format;
mod out;
mod simcmd;

#[derive(Parser)]
#[command(
    name = "quadrant",
    version,
    about = "Quadrant: a critical-minerals security workbench"
)]
struct Cli {
    /// Dataset folder (the layout of data/world); default: the dataset built into the binary.
    #[arg(long, global = true)]
    data: Option<PathBuf>,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// The dependency brief: per material and stage, who produces and controls, how concentrated,
    /// how dependent the bloc is on the adversary, with the source and year of every figure.
    Brief(cmd::BriefArgs),
    /// Supply-risk scores.
    Risk {
        #[command(subcommand)]
        which: RiskCmd,
    },
    /// Dataset maintenance: import raw sources, validate, list sources.
    Data {
        #[command(subcommand)]
        which: DataCmd,
    },
    /// Simulate one scenario: shortfall, duration, prices, cost per member and material.
    Simulate(simcmd::SimArgs),
    /// Run a scenario set many times with random starts, durations and depths.
    Montecarlo(simcmd::McArgs),
    /// Rank single (country, stage) outages by the bloc's shortfall.
    Chokepoints(simcmd::ChokeArgs),
    /// Replay historical disruptions; predicted against observed effects.
    Backtest(simcmd::BacktestArgs),
    /// Where a figure comes from: print the full citation of a source id.
    Source {
        /// Source id as printed next to a figure (e.g. USGS-MCS2024).
        id: Option<String>,
    },
}

#[derive(Subcommand)]
enum RiskCmd {
    /// GeoPolRisk (HHI × import risk) for an importer, as computed by geopolrisk-py.
    Geopolrisk(cmd::GprArgs),
}

#[derive(Subcommand)]
enum DataCmd {
    /// Rebuild the derived tables (production, reserves, governance, trade) from raw sources.
    Import {
        /// Folder of raw sources (the layout of data/raw).
        #[arg(long, default_value = "data/raw")]
        raw: PathBuf,
        /// Dataset folder to write into; its hand-kept tables drive the import.
        #[arg(long, default_value = "data/world")]
        out: PathBuf,
    },
    /// Load and validate a dataset; print its size, or every issue found.
    Check,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    out::install_interrupt();
    match run(cli) {
        Ok(code) => code,
        Err(e) if e.is::<out::BrokenPipe>() => ExitCode::from(out::EXIT_BROKEN_PIPE),
        Err(e) => {
            // The message and its causes, never a backtrace: a user error is not a crash.
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    run_cmd(cli).map(|()| {
        if out::STOP.load(std::sync::atomic::Ordering::SeqCst) {
            ExitCode::from(out::EXIT_INTERRUPTED)
        } else {
            ExitCode::SUCCESS
        }
    })
}

fn run_cmd(cli: Cli) -> Result<()> {
    match cli.cmd {
        Cmd::Data {
            which: DataCmd::Import { raw, out },
        } => {
            let imported = quadrant_data::import::import(&raw, &out)
                .with_context(|| format!("importing from {}", raw.display()))?;
            // Validated before anything is replaced: a failed import leaves `out` as it was.
            quadrant_data::import::write(&out, &imported)?;
            let mut text: String = imported.report.iter().map(|l| format!("{l}\n")).collect();
            let ds = quadrant_data::load_dir(&out)?;
            text.push_str(&format!(
                "wrote {} ({} trade flows)\n",
                out.display(),
                ds.trade.len()
            ));
            out::stdout(&text)
        }
        Cmd::Data {
            which: DataCmd::Check,
        } => {
            let ds = cmd::load(cli.data.as_deref())?;
            // The folder's simulator parameters are part of the dataset it checks.
            if let Some(p) = simcmd::params_file(cli.data.as_deref(), None) {
                quadrant_sim::api::load_params(Some(&p))?;
            }
            out::stdout(&format!(
                "ok: {} sources, {} countries, {} materials, {} production rows, {} reserve rows, {} trade flows, {} governance rows, {} blocs, {} agreements, {} financiers, {} projects, {} assets\n",
                ds.sources.len(), ds.countries.len(), ds.materials.len(), ds.production.len(), ds.reserves.len(),
                ds.trade.len(), ds.governance.len(), ds.curated.blocs.len(), ds.curated.agreements.len(),
                ds.curated.financiers.len(), ds.curated.projects.len(), ds.curated.assets.len()
            ))
        }
        Cmd::Source { id } => {
            let ds = cmd::load(cli.data.as_deref())?;
            let list: Vec<_> = match &id {
                Some(id) => ds.sources.iter().filter(|s| &s.id == id).collect(),
                None => ds.sources.iter().collect(),
            };
            if list.is_empty() {
                bail!(
                    "no source with id {:?}; `quadrant source` lists them all",
                    id.unwrap_or_default()
                );
            }
            let text: String = list
                .iter()
                .map(|s| {
                    format!(
                        "{}\n  {}. {}. {}.\n  {}\n  licence: {}\n",
                        s.id, s.publisher, s.title, s.edition, s.url, s.licence
                    )
                })
                .collect();
            out::stdout(&text)
        }
        Cmd::Brief(a) => cmd::brief(cli.data.as_deref(), a),
        Cmd::Simulate(a) => simcmd::simulate_cmd(cli.data.as_deref(), a),
        Cmd::Montecarlo(a) => simcmd::montecarlo_cmd(cli.data.as_deref(), a),
        Cmd::Chokepoints(a) => simcmd::chokepoints_cmd(cli.data.as_deref(), a),
        Cmd::Backtest(a) => simcmd::backtest_cmd(cli.data.as_deref(), a),
        Cmd::Risk {
            which: RiskCmd::Geopolrisk(a),
        } => cmd::geopolrisk(cli.data.as_deref(), a),
    }
}
