//! The `quadrant` command: parses arguments, calls the libraries, renders. No logic lives here.

use anyhow::{bail, Context, Result};
use clap::{CommandFactory, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

mod cmd;
mod format;
mod out;
mod plancmd;
mod servecmd;
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
    #[command(
        after_help = "Examples:\n  quadrant brief --bloc QUAD --adversary CHN --material lithium\n  quadrant brief --all-years -o brief.csv"
    )]
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
    #[command(
        after_help = "Examples:\n  quadrant simulate drc-cobalt-2025\n  quadrant simulate my-scenario.toml --series weekly.csv -o kpis.json\n  quadrant simulate drc-cobalt-2025 --bands"
    )]
    Simulate(simcmd::SimArgs),
    /// Run a scenario set many times with random starts, durations and depths.
    #[command(
        after_help = "Examples:\n  quadrant montecarlo montecarlo-quad --runs 10000 --seed 1 -o runs.parquet\n  quadrant montecarlo drc-cobalt-2025 --runs 1000 --draw-params"
    )]
    Montecarlo(simcmd::McArgs),
    /// Rank single (country, stage) outages by the bloc's shortfall.
    #[command(
        after_help = "Example:\n  quadrant chokepoints --bloc QUAD --material cobalt --weeks 26"
    )]
    Chokepoints(simcmd::ChokeArgs),
    /// Replay historical disruptions; predicted against observed effects.
    #[command(
        after_help = "Examples:\n  quadrant backtest\n  quadrant backtest --fit --format csv\n  quadrant backtest --cv"
    )]
    Backtest(simcmd::BacktestArgs),
    /// Plan: which projects the bloc's financiers should fund, where, by whom and when, and
    /// what coordination buys (a MILP on the simulator's futures).
    #[command(
        after_help = "Examples:\n  quadrant plan lithium-processing\n  quadrant plan ethical-cobalt --verify\n  quadrant plan coordinated-funding --format html -o plan.html"
    )]
    Plan(plancmd::PlanArgs),
    /// Where a figure comes from: print the full citation of a source id.
    #[command(after_help = "Example:\n  quadrant source IEA-2025")]
    Source {
        /// Source id as printed next to a figure (e.g. USGS-MCS2024); all sources without it.
        id: Option<String>,
    },
    /// Serve the workbench's HTTP API over a run store (SQLite file or PostgreSQL).
    #[command(
        after_help = "Examples:\n  quadrant serve\n  quadrant serve --db team.db --addr 127.0.0.1:8080\n  quadrant serve --db postgres://quadrant@db.internal/quadrant"
    )]
    Serve(servecmd::ServeArgs),
    /// API tokens for writing through the server (scenarios, runs).
    Token {
        #[command(subcommand)]
        which: TokenCmd,
    },
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    #[command(
        after_help = "Example:\n  quadrant completions bash > /etc/bash_completion.d/quadrant"
    )]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), generated from the same definitions as --help.
    #[command(after_help = "Example:\n  quadrant man > quadrant.1 && man ./quadrant.1")]
    Man,
}

#[derive(Subcommand)]
enum RiskCmd {
    /// GeoPolRisk (HHI × import risk) for an importer, as computed by geopolrisk-py.
    #[command(
        after_help = "Example:\n  quadrant risk geopolrisk --importer USA --year 2022 --material nickel"
    )]
    Geopolrisk(cmd::GprArgs),
}

#[derive(Subcommand)]
enum TokenCmd {
    /// Create a token and print it once (only its salted hash is stored).
    #[command(after_help = "Example:\n  quadrant token create --name alice")]
    Create(servecmd::TokenArgs),
}

#[derive(Subcommand)]
enum DataCmd {
    /// Rebuild the derived tables (production, reserves, governance, trade) from raw sources.
    #[command(after_help = "Example:\n  quadrant data import --raw data/raw --out data/world")]
    Import {
        /// Folder of raw sources (the layout of data/raw).
        #[arg(long, default_value = "data/raw")]
        raw: PathBuf,
        /// Dataset folder to write into; its hand-kept tables drive the import.
        #[arg(long, default_value = "data/world")]
        out: PathBuf,
    },
    /// Load and validate a dataset; print its size, or every issue found.
    #[command(
        after_help = "Examples:\n  quadrant data check\n  quadrant --data my-world data check"
    )]
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
                        "{}\n  {}\n  {}\n  licence: {}\n",
                        s.id,
                        s.citation(),
                        s.url,
                        s.licence
                    )
                })
                .collect();
            out::stdout(&text)
        }
        Cmd::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "quadrant", &mut out);
            out::stdout(&String::from_utf8_lossy(&out))
        }
        Cmd::Man => {
            let mut out = Vec::new();
            clap_mangen::Man::new(Cli::command()).render(&mut out)?;
            out::stdout(&String::from_utf8_lossy(&out))
        }
        Cmd::Brief(a) => cmd::brief(cli.data.as_deref(), a),
        Cmd::Simulate(a) => simcmd::simulate_cmd(cli.data.as_deref(), a),
        Cmd::Montecarlo(a) => simcmd::montecarlo_cmd(cli.data.as_deref(), a),
        Cmd::Chokepoints(a) => simcmd::chokepoints_cmd(cli.data.as_deref(), a),
        Cmd::Backtest(a) => simcmd::backtest_cmd(cli.data.as_deref(), a),
        Cmd::Plan(a) => plancmd::plan_cmd(cli.data.as_deref(), a),
        Cmd::Serve(a) => servecmd::serve(cli.data.as_deref(), a),
        Cmd::Token {
            which: TokenCmd::Create(a),
        } => servecmd::token_create(a),
        Cmd::Risk {
            which: RiskCmd::Geopolrisk(a),
        } => cmd::geopolrisk(cli.data.as_deref(), a),
    }
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    /// Every option of every command says what it is, and every command shows an example.
    #[test]
    fn every_option_has_help_and_every_command_an_example() {
        fn walk(c: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for a in c.get_arguments() {
                let id = a.get_id().as_str();
                if a.get_help().is_none() && !["help", "version"].contains(&id) {
                    missing.push(format!("{path} --{id}: no help"));
                }
            }
            let subs: Vec<&clap::Command> = c.get_subcommands().collect();
            if subs.is_empty() && path != "quadrant" {
                let example = c
                    .get_after_help()
                    .is_some_and(|h| h.to_string().contains("Example"));
                if !example {
                    missing.push(format!("{path}: no example"));
                }
            }
            for s in subs {
                walk(s, &format!("{path} {}", s.get_name()), missing);
            }
        }
        let mut missing = Vec::new();
        walk(&Cli::command(), "quadrant", &mut missing);
        assert!(missing.is_empty(), "{missing:#?}");
    }
}
