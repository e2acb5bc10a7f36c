//! `quadrant serve` and `quadrant token create`: glue over quadrant-server and quadrant-store.

use crate::cmd::load;
use crate::simcmd::params_file;
use anyhow::{Context, Result};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct ServeArgs {
    /// The store: a SQLite file (created when missing) or a postgres:// URL (default: the
    /// QUADRANT_DB variable, else quadrant.db in the user's data folder, see docs/server.md).
    #[arg(long)]
    db: Option<String>,
    /// Address to listen on; port 0 picks a free port (printed on standard output).
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Simulator parameters (default: the shipped data/world/sim_params.toml).
    #[arg(long)]
    params: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct TokenArgs {
    /// The store (as for `quadrant serve --db`).
    #[arg(long)]
    db: Option<String>,
    /// What or whom the token is for.
    #[arg(long, default_value = "default")]
    name: String,
}

/// The store named by `--db`, else `QUADRANT_DB`, else `$XDG_DATA_HOME/quadrant/quadrant.db`
/// (`~/.local/share/quadrant/quadrant.db`), else `./quadrant.db` when there is no home.
fn db(given: Option<String>) -> Result<String> {
    if let Some(d) = given.or_else(|| std::env::var("QUADRANT_DB").ok().filter(|v| !v.is_empty())) {
        return Ok(d);
    }
    let base = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")));
    let Some(base) = base else {
        return Ok("quadrant.db".into());
    };
    let dir = base.join("quadrant");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir.join("quadrant.db").display().to_string())
}

pub fn serve(data: Option<&Path>, a: ServeArgs) -> Result<()> {
    let ds = load(data)?;
    let params = quadrant_sim::api::load_params(params_file(data, a.params.as_deref()).as_deref())?;
    let db = db(a.db)?;
    eprintln!("store: {}", db.split('@').next_back().unwrap_or(&db));
    quadrant_server::serve(&db, a.addr, ds, params)?;
    Ok(())
}

pub fn token_create(a: TokenArgs) -> Result<()> {
    if a.name.trim().is_empty() || a.name.chars().count() > quadrant_server::limits::MAX_NAME {
        anyhow::bail!(
            "--name: expected 1 to {} characters",
            quadrant_server::limits::MAX_NAME
        );
    }
    let store = quadrant_store::open(&db(a.db)?)?;
    let (id, token) = quadrant_store::token::create(&*store, &a.name)?;
    eprintln!(
        "token {id} ({}) created; it is shown only this once:",
        a.name
    );
    crate::out::stdout(&format!("{token}\n"))
}
