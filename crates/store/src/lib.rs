//! The run store: API tokens, scenarios, jobs and their results, behind one interface with two
//! back-ends. An embedded SQLite file is the default (nothing to install); PostgreSQL is the
//! store of a shared team server. Both apply the same versioned migrations.
//!
//! Everything here is synchronous: a server calls it from blocking threads.

mod pg;
mod sqlite;
pub mod token;

use std::fmt;

pub use pg::PgStore;
pub use sqlite::SqliteStore;

/// Why the store refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database answered with an error.
    #[error("database: {0}")]
    Db(String),
    /// The database was written by a newer binary; this one must not touch it.
    #[error("the database is at schema version {found}, newer than this binary's {supported}: upgrade quadrant")]
    TooNew {
        /// The database's version.
        found: i64,
        /// The newest version this binary knows.
        supported: i64,
    },
    /// A job already has a result: results are immutable.
    #[error("job {0} already has a result; results are written once")]
    ResultExists(i64),
    /// No such row.
    #[error("no {what} with id {id}")]
    NotFound {
        /// What was looked for.
        what: &'static str,
        /// Its id.
        id: i64,
    },
    /// The job is not in a state that allows the change.
    #[error("job {id} is {state}, not {expected}")]
    State {
        /// The job.
        id: i64,
        /// Its state.
        state: JobState,
        /// The state the change needs.
        expected: &'static str,
    },
}

/// A job's life: queued → running → done | failed, or cancelled from queued or running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    /// Waiting for a worker.
    Queued,
    /// A worker is on it.
    Running,
    /// Finished; its result is stored.
    Done,
    /// Finished with an error (in `message`).
    Failed,
    /// Cancelled by its author.
    Cancelled,
}

impl JobState {
    /// Every state, in the order of its life.
    pub const ALL: [JobState; 5] = [
        JobState::Queued,
        JobState::Running,
        JobState::Done,
        JobState::Failed,
        JobState::Cancelled,
    ];
    /// The name stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Failed => "failed",
            JobState::Cancelled => "cancelled",
        }
    }
    /// The state of a stored name.
    pub fn parse(s: &str) -> Option<JobState> {
        JobState::ALL.into_iter().find(|j| j.as_str() == s)
    }
    /// Whether the job can change no more.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            JobState::Done | JobState::Failed | JobState::Cancelled
        )
    }
}

impl fmt::Display for JobState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a job runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    /// One run of a scenario.
    Simulate,
    /// Many futures of a scenario set.
    Montecarlo,
    /// Single outages ranked by the bloc's shortfall.
    Chokepoints,
    /// The investment planner.
    Plan,
}

impl JobKind {
    /// Every kind.
    pub const ALL: [JobKind; 4] = [
        JobKind::Simulate,
        JobKind::Montecarlo,
        JobKind::Chokepoints,
        JobKind::Plan,
    ];
    /// The name stored and used in URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::Simulate => "simulate",
            JobKind::Montecarlo => "montecarlo",
            JobKind::Chokepoints => "chokepoints",
            JobKind::Plan => "plan",
        }
    }
    /// The kind of a stored name.
    pub fn parse(s: &str) -> Option<JobKind> {
        JobKind::ALL.into_iter().find(|j| j.as_str() == s)
    }
}

/// A stored API token (only its salted hash is kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRow {
    /// Id (also the token's public prefix).
    pub id: i64,
    /// What it is for, as given at creation.
    pub name: String,
    /// Per-token salt, hex.
    pub salt: String,
    /// SHA-256 of salt and secret, hex.
    pub hash: String,
    /// Unix seconds.
    pub created: i64,
}

/// A stored scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioRow {
    /// Id.
    pub id: i64,
    /// The name its author gave (used as the file name in messages).
    pub name: String,
    /// The scenario's TOML text, as submitted.
    pub toml: String,
    /// The token that created it.
    pub author: i64,
    /// Whether others may read and run it.
    pub shared: bool,
    /// Unix seconds.
    pub created: i64,
}

/// A stored job.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRow {
    /// Id.
    pub id: i64,
    /// What it runs.
    pub kind: JobKind,
    /// Its parameters, JSON.
    pub params: String,
    /// Where it is in its life.
    pub state: JobState,
    /// Share done, 0 to 1.
    pub progress: f64,
    /// The token that submitted it.
    pub author: i64,
    /// Why it failed, or how it was cancelled or re-queued.
    pub message: String,
    /// Unix seconds.
    pub created: i64,
    /// Unix seconds, when a worker took it.
    pub started: Option<i64>,
    /// Unix seconds, when it ended.
    pub finished: Option<i64>,
}

/// A job's result: immutable once written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultRow {
    /// The job.
    pub job: i64,
    /// `json`, `csv` …
    pub format: String,
    /// The bytes, exactly as written.
    pub bytes: Vec<u8>,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
}

/// What a finished job leaves: its result and, for the kinds that print, its page.
#[derive(Debug, Clone, Copy)]
pub struct Output<'a> {
    /// `json`, `csv` …
    pub format: &'a str,
    /// The result's bytes.
    pub bytes: &'a [u8],
    /// The printable HTML page.
    pub report: Option<&'a str>,
}

/// The one interface both back-ends implement.
pub trait Store: Send + Sync {
    /// The schema version the database is at.
    fn schema_version(&self) -> Result<i64, StoreError>;
    /// Stores a token's hash; returns its id.
    fn add_token(&self, name: &str, salt: &str, hash: &str) -> Result<i64, StoreError>;
    /// A token by id.
    fn token(&self, id: i64) -> Result<Option<TokenRow>, StoreError>;
    /// Stores a scenario; returns its id.
    fn add_scenario(&self, name: &str, toml: &str, author: i64) -> Result<i64, StoreError>;
    /// A scenario by id.
    fn scenario(&self, id: i64) -> Result<Option<ScenarioRow>, StoreError>;
    /// Scenarios `viewer` may see (shared ones and its own), newest first.
    fn scenarios(&self, viewer: Option<i64>) -> Result<Vec<ScenarioRow>, StoreError>;
    /// Marks a scenario shared.
    fn share_scenario(&self, id: i64) -> Result<(), StoreError>;
    /// Queues a job; returns its id.
    fn add_job(&self, kind: JobKind, params: &str, author: i64) -> Result<i64, StoreError>;
    /// A job by id.
    fn job(&self, id: i64) -> Result<Option<JobRow>, StoreError>;
    /// Jobs, newest first, at most `limit`.
    fn jobs(&self, limit: i64) -> Result<Vec<JobRow>, StoreError>;
    /// Jobs in `state`, oldest first.
    fn jobs_in(&self, state: JobState) -> Result<Vec<JobRow>, StoreError>;
    /// Takes the oldest queued job for a worker (queued → running), atomically.
    fn claim(&self) -> Result<Option<JobRow>, StoreError>;
    /// Records progress of a running job.
    fn set_progress(&self, id: i64, progress: f64) -> Result<(), StoreError>;
    /// Puts running jobs back in the queue (after a restart), saying so; returns their ids.
    fn requeue_running(&self) -> Result<Vec<i64>, StoreError>;
    /// Ends a job as failed.
    fn fail(&self, id: i64, message: &str) -> Result<(), StoreError>;
    /// Cancels a queued or running job; the job as it is after.
    fn cancel(&self, id: i64, message: &str) -> Result<JobRow, StoreError>;
    /// Writes a running job's result (and its printable page, when it has one) and marks it
    /// done, in one transaction: a result is never seen without its job being done, nor
    /// written twice.
    fn finish(&self, id: i64, out: &Output<'_>) -> Result<(), StoreError>;
    /// A job's result, exactly as written.
    fn result(&self, job: i64) -> Result<Option<ResultRow>, StoreError>;
    /// A job's printable page, exactly as written.
    fn report(&self, job: i64) -> Result<Option<String>, StoreError>;
}

/// Opens the store a `--db` value names: `postgres://…` or `postgresql://…` for PostgreSQL,
/// anything else a SQLite file path (created when missing). Migrations are applied.
pub fn open(db: &str) -> Result<Box<dyn Store>, StoreError> {
    if db.starts_with("postgres://") || db.starts_with("postgresql://") {
        Ok(Box::new(PgStore::open(db)?))
    } else {
        Ok(Box::new(SqliteStore::open(db)?))
    }
}

/// One forward migration: its version and its statements for each back-end.
#[derive(Debug)]
pub struct Migration {
    /// The version the schema is at after it.
    pub version: i64,
    /// SQLite statements.
    pub sqlite: &'static str,
    /// PostgreSQL statements.
    pub postgres: &'static str,
}

/// The migrations, applied in order; a database records the last one applied.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        sqlite: "
        CREATE TABLE tokens (id INTEGER PRIMARY KEY, name TEXT NOT NULL, salt TEXT NOT NULL,
            hash TEXT NOT NULL, created INTEGER NOT NULL);
        CREATE TABLE scenarios (id INTEGER PRIMARY KEY, name TEXT NOT NULL, toml TEXT NOT NULL,
            author INTEGER NOT NULL REFERENCES tokens(id), shared INTEGER NOT NULL DEFAULT 0,
            created INTEGER NOT NULL);
        CREATE TABLE jobs (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, params TEXT NOT NULL,
            state TEXT NOT NULL, progress REAL NOT NULL DEFAULT 0,
            author INTEGER NOT NULL REFERENCES tokens(id), message TEXT NOT NULL DEFAULT '',
            created INTEGER NOT NULL, started INTEGER, finished INTEGER);
        CREATE INDEX jobs_state ON jobs(state, id);
        CREATE TABLE results (job INTEGER PRIMARY KEY REFERENCES jobs(id), format TEXT NOT NULL,
            bytes BLOB NOT NULL, sha256 TEXT NOT NULL, created INTEGER NOT NULL);",
        postgres: "
        CREATE TABLE tokens (id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL, salt TEXT NOT NULL,
            hash TEXT NOT NULL, created BIGINT NOT NULL);
        CREATE TABLE scenarios (id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL, toml TEXT NOT NULL,
            author BIGINT NOT NULL REFERENCES tokens(id), shared BOOLEAN NOT NULL DEFAULT FALSE,
            created BIGINT NOT NULL);
        CREATE TABLE jobs (id BIGSERIAL PRIMARY KEY, kind TEXT NOT NULL, params TEXT NOT NULL,
            state TEXT NOT NULL, progress DOUBLE PRECISION NOT NULL DEFAULT 0,
            author BIGINT NOT NULL REFERENCES tokens(id), message TEXT NOT NULL DEFAULT '',
            created BIGINT NOT NULL, started BIGINT, finished BIGINT);
        CREATE INDEX jobs_state ON jobs(state, id);
        CREATE TABLE results (job BIGINT PRIMARY KEY REFERENCES jobs(id), format TEXT NOT NULL,
            bytes BYTEA NOT NULL, sha256 TEXT NOT NULL, created BIGINT NOT NULL);",
    },
    // A run's printable page, rendered when it ends (a Monte Carlo's needs what its stored
    // summary drops) and written with its result.
    Migration {
        version: 2,
        sqlite: "CREATE TABLE reports (job INTEGER PRIMARY KEY REFERENCES jobs(id),
            html TEXT NOT NULL, created INTEGER NOT NULL);",
        postgres: "CREATE TABLE reports (job BIGINT PRIMARY KEY REFERENCES jobs(id),
            html TEXT NOT NULL, created BIGINT NOT NULL);",
    },
];

/// The newest schema version this binary knows.
pub fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// The migrations still to apply to a database at `current`, or an error when it is newer.
pub fn pending(current: i64) -> Result<&'static [Migration], StoreError> {
    let supported = latest_version();
    if current > supported {
        return Err(StoreError::TooNew {
            found: current,
            supported,
        });
    }
    let from = MIGRATIONS
        .iter()
        .position(|m| m.version > current)
        .unwrap_or(MIGRATIONS.len());
    Ok(&MIGRATIONS[from..])
}

/// Now, in Unix seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// SHA-256 of `bytes`, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex(&sha2::Sha256::digest(bytes))
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The message a job re-queued after a restart carries.
pub const REQUEUED: &str = "re-queued after a server restart (the run had not finished)";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_in_order_and_a_newer_database_is_refused() {
        assert!(MIGRATIONS.windows(2).all(|w| w[0].version < w[1].version));
        assert_eq!(pending(0).unwrap().len(), MIGRATIONS.len());
        assert!(pending(latest_version()).unwrap().is_empty());
        let e = pending(latest_version() + 1).unwrap_err();
        assert!(e.to_string().contains("newer than this binary"), "{e}");
    }

    #[test]
    fn states_and_kinds_round_trip() {
        for s in JobState::ALL {
            assert_eq!(JobState::parse(s.as_str()), Some(s));
        }
        for k in JobKind::ALL {
            assert_eq!(JobKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(JobState::parse("Running"), None);
    }
}
