//! The `quadrant` command: parses arguments, calls the libraries, renders. No logic lives here.

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use std::path::PathBuf;

mod cmd;
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

fn main() -> Result<()> {
    let cli = Cli::parse();
    match cli.cmd {
        Cmd::Data {
            which: DataCmd::Import { raw, out },
        } => {
            let imported = quadrant_data::import::import(&raw, &out)
                .with_context(|| format!("importing from {}", raw.display()))?;
            // Validated before anything is replaced: a failed import leaves `out` as it was.
            quadrant_data::import::write(&out, &imported)?;
            for line in &imported.report {
                println!("{line}");
            }
            let ds = quadrant_data::load_dir(&out)?;
            println!("wrote {} ({} trade flows)", out.display(), ds.trade.len());
            Ok(())
        }
        Cmd::Data {
            which: DataCmd::Check,
        } => {
            let ds = cmd::load(cli.data.as_deref())?;
            println!(
                "ok: {} sources, {} countries, {} materials, {} production rows, {} reserve rows, {} trade flows, {} governance rows, {} blocs, {} agreements, {} financiers, {} projects, {} assets",
                ds.sources.len(), ds.countries.len(), ds.materials.len(), ds.production.len(), ds.reserves.len(),
                ds.trade.len(), ds.governance.len(), ds.curated.blocs.len(), ds.curated.agreements.len(),
                ds.curated.financiers.len(), ds.curated.projects.len(), ds.curated.assets.len()
            );
            Ok(())
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
            for s in list {
                println!(
                    "{}\n  {}. {}. {}.\n  {}\n  licence: {}",
                    s.id, s.publisher, s.title, s.edition, s.url, s.licence
                );
            }
            Ok(())
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
