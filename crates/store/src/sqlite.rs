//! The embedded back-end: one SQLite file (WAL journal, so a killed server loses nothing that
//! was committed).

use crate::{
    now, pending, sha256_hex, JobKind, JobRow, JobState, Output, ResultRow, ScenarioRow, Store,
    StoreError, TokenRow, REQUEUED,
};
use rusqlite::{params, Connection, OptionalExtension, Row};
use std::sync::{Mutex, MutexGuard};

/// A SQLite store.
pub struct SqliteStore {
    conn: Mutex<Connection>,
}

fn db(e: rusqlite::Error) -> StoreError {
    StoreError::Db(e.to_string())
}

const JOB_COLS: &str =
    "id, kind, params, state, progress, author, message, created, started, finished";

fn job_row(r: &Row) -> rusqlite::Result<JobRow> {
    let kind: String = r.get(1)?;
    let state: String = r.get(3)?;
    Ok(JobRow {
        id: r.get(0)?,
        // Only this crate writes these columns, from the enums.
        kind: JobKind::parse(&kind).unwrap_or(JobKind::Simulate),
        params: r.get(2)?,
        state: JobState::parse(&state).unwrap_or(JobState::Failed),
        progress: r.get(4)?,
        author: r.get(5)?,
        message: r.get(6)?,
        created: r.get(7)?,
        started: r.get(8)?,
        finished: r.get(9)?,
    })
}

fn scenario_row(r: &Row) -> rusqlite::Result<ScenarioRow> {
    Ok(ScenarioRow {
        id: r.get(0)?,
        name: r.get(1)?,
        toml: r.get(2)?,
        author: r.get(3)?,
        shared: r.get::<_, i64>(4)? != 0,
        created: r.get(5)?,
    })
}

impl SqliteStore {
    /// Opens (creating when missing) the file at `path` and migrates it.
    pub fn open(path: &str) -> Result<SqliteStore, StoreError> {
        let conn = Connection::open(path).map_err(|e| StoreError::Db(format!("{path}: {e}")))?;
        // Returns the mode in force ("memory" for an in-memory database).
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0))
            .map_err(db)?;
        SqliteStore::with(conn)
    }
    /// A store in memory (tests).
    pub fn memory() -> Result<SqliteStore, StoreError> {
        SqliteStore::with(Connection::open_in_memory().map_err(db)?)
    }
    fn with(mut conn: Connection) -> Result<SqliteStore, StoreError> {
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(db)?;
        conn.execute_batch(
            "PRAGMA foreign_keys = ON;
             CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);",
        )
        .map_err(db)?;
        let tx = conn.transaction().map_err(db)?;
        let current: i64 = tx
            .query_row(
                "SELECT COALESCE(MAX(version), 0) FROM schema_version",
                [],
                |r| r.get(0),
            )
            .map_err(db)?;
        for m in pending(current)? {
            tx.execute_batch(m.sqlite).map_err(db)?;
            tx.execute("DELETE FROM schema_version", []).map_err(db)?;
            tx.execute("INSERT INTO schema_version VALUES (?1)", [m.version])
                .map_err(db)?;
        }
        tx.commit().map_err(db)?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
        })
    }
    fn c(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves the connection usable: SQLite rolls back.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }
    /// Sets the recorded schema version (tests of the newer-database refusal).
    pub fn force_version(&self, v: i64) -> Result<(), StoreError> {
        self.c()
            .execute("UPDATE schema_version SET version = ?1", [v])
            .map_err(db)?;
        Ok(())
    }
}

impl Store for SqliteStore {
    fn schema_version(&self) -> Result<i64, StoreError> {
        self.c()
            .query_row("SELECT MAX(version) FROM schema_version", [], |r| r.get(0))
            .map_err(db)
    }
    fn add_token(&self, name: &str, salt: &str, hash: &str) -> Result<i64, StoreError> {
        let c = self.c();
        c.execute(
            "INSERT INTO tokens (name, salt, hash, created) VALUES (?1, ?2, ?3, ?4)",
            params![name, salt, hash, now()],
        )
        .map_err(db)?;
        Ok(c.last_insert_rowid())
    }
    fn token(&self, id: i64) -> Result<Option<TokenRow>, StoreError> {
        self.c()
            .query_row(
                "SELECT id, name, salt, hash, created FROM tokens WHERE id = ?1",
                [id],
                |r| {
                    Ok(TokenRow {
                        id: r.get(0)?,
                        name: r.get(1)?,
                        salt: r.get(2)?,
                        hash: r.get(3)?,
                        created: r.get(4)?,
                    })
                },
            )
            .optional()
            .map_err(db)
    }
    fn add_scenario(&self, name: &str, toml: &str, author: i64) -> Result<i64, StoreError> {
        let c = self.c();
        c.execute(
            "INSERT INTO scenarios (name, toml, author, created) VALUES (?1, ?2, ?3, ?4)",
            params![name, toml, author, now()],
        )
        .map_err(db)?;
        Ok(c.last_insert_rowid())
    }
    fn scenario(&self, id: i64) -> Result<Option<ScenarioRow>, StoreError> {
        self.c()
            .query_row(
                "SELECT id, name, toml, author, shared, created FROM scenarios WHERE id = ?1",
                [id],
                scenario_row,
            )
            .optional()
            .map_err(db)
    }
    fn scenarios(&self, viewer: Option<i64>) -> Result<Vec<ScenarioRow>, StoreError> {
        let c = self.c();
        let mut st = c
            .prepare(
                "SELECT id, name, toml, author, shared, created FROM scenarios
                 WHERE shared <> 0 OR author = ?1 ORDER BY id DESC",
            )
            .map_err(db)?;
        let rows = st
            .query_map([viewer.unwrap_or(-1)], scenario_row)
            .map_err(db)?;
        rows.collect::<Result<_, _>>().map_err(db)
    }
    fn share_scenario(&self, id: i64) -> Result<(), StoreError> {
        let n = self
            .c()
            .execute("UPDATE scenarios SET shared = 1 WHERE id = ?1", [id])
            .map_err(db)?;
        if n == 0 {
            return Err(StoreError::NotFound {
                what: "scenario",
                id,
            });
        }
        Ok(())
    }
    fn add_job(&self, kind: JobKind, params: &str, author: i64) -> Result<i64, StoreError> {
        let c = self.c();
        c.execute(
            "INSERT INTO jobs (kind, params, state, author, created) VALUES (?1, ?2, 'queued', ?3, ?4)",
            params![kind.as_str(), params, author, now()],
        )
        .map_err(db)?;
        Ok(c.last_insert_rowid())
    }
    fn job(&self, id: i64) -> Result<Option<JobRow>, StoreError> {
        self.c()
            .query_row(
                &format!("SELECT {JOB_COLS} FROM jobs WHERE id = ?1"),
                [id],
                job_row,
            )
            .optional()
            .map_err(db)
    }
    fn jobs(&self, limit: i64) -> Result<Vec<JobRow>, StoreError> {
        let c = self.c();
        let mut st = c
            .prepare(&format!(
                "SELECT {JOB_COLS} FROM jobs ORDER BY id DESC LIMIT ?1"
            ))
            .map_err(db)?;
        let rows = st.query_map([limit], job_row).map_err(db)?;
        rows.collect::<Result<_, _>>().map_err(db)
    }
    fn jobs_in(&self, state: JobState) -> Result<Vec<JobRow>, StoreError> {
        let c = self.c();
        let mut st = c
            .prepare(&format!(
                "SELECT {JOB_COLS} FROM jobs WHERE state = ?1 ORDER BY id"
            ))
            .map_err(db)?;
        let rows = st.query_map([state.as_str()], job_row).map_err(db)?;
        rows.collect::<Result<_, _>>().map_err(db)
    }
    fn claim(&self) -> Result<Option<JobRow>, StoreError> {
        let mut c = self.c();
        let tx = c.transaction().map_err(db)?;
        let job = tx
            .query_row(
                &format!("SELECT {JOB_COLS} FROM jobs WHERE state = 'queued' ORDER BY id LIMIT 1"),
                [],
                job_row,
            )
            .optional()
            .map_err(db)?;
        let Some(mut job) = job else {
            return Ok(None);
        };
        let t = now();
        tx.execute(
            "UPDATE jobs SET state = 'running', started = ?2, progress = 0 WHERE id = ?1",
            params![job.id, t],
        )
        .map_err(db)?;
        tx.commit().map_err(db)?;
        job.state = JobState::Running;
        job.started = Some(t);
        job.progress = 0.0;
        Ok(Some(job))
    }
    fn set_progress(&self, id: i64, progress: f64) -> Result<(), StoreError> {
        self.c()
            .execute(
                "UPDATE jobs SET progress = ?2 WHERE id = ?1 AND state = 'running'",
                params![id, progress],
            )
            .map_err(db)?;
        Ok(())
    }
    fn requeue_running(&self) -> Result<Vec<i64>, StoreError> {
        let ids: Vec<i64> = self
            .jobs_in(JobState::Running)?
            .iter()
            .map(|j| j.id)
            .collect();
        self.c()
            .execute(
                "UPDATE jobs SET state = 'queued', progress = 0, started = NULL, message = ?1
                 WHERE state = 'running'",
                [REQUEUED],
            )
            .map_err(db)?;
        Ok(ids)
    }
    fn fail(&self, id: i64, message: &str) -> Result<(), StoreError> {
        self.c()
            .execute(
                "UPDATE jobs SET state = 'failed', message = ?2, finished = ?3
                 WHERE id = ?1 AND state = 'running'",
                params![id, message, now()],
            )
            .map_err(db)?;
        Ok(())
    }
    fn cancel(&self, id: i64, message: &str) -> Result<JobRow, StoreError> {
        let mut c = self.c();
        let tx = c.transaction().map_err(db)?;
        let job = tx
            .query_row(
                &format!("SELECT {JOB_COLS} FROM jobs WHERE id = ?1"),
                [id],
                job_row,
            )
            .optional()
            .map_err(db)?
            .ok_or(StoreError::NotFound { what: "job", id })?;
        if job.state.is_final() {
            return Err(StoreError::State {
                id,
                state: job.state,
                expected: "queued or running",
            });
        }
        tx.execute(
            "UPDATE jobs SET state = 'cancelled', message = ?2, finished = ?3 WHERE id = ?1",
            params![id, message, now()],
        )
        .map_err(db)?;
        let after = tx
            .query_row(
                &format!("SELECT {JOB_COLS} FROM jobs WHERE id = ?1"),
                [id],
                job_row,
            )
            .map_err(db)?;
        tx.commit().map_err(db)?;
        Ok(after)
    }
    fn finish(&self, id: i64, out: &Output<'_>) -> Result<(), StoreError> {
        let mut c = self.c();
        let tx = c.transaction().map_err(db)?;
        let have: Option<i64> = tx
            .query_row("SELECT job FROM results WHERE job = ?1", [id], |r| r.get(0))
            .optional()
            .map_err(db)?;
        if have.is_some() {
            return Err(StoreError::ResultExists(id));
        }
        let state: String = tx
            .query_row("SELECT state FROM jobs WHERE id = ?1", [id], |r| r.get(0))
            .optional()
            .map_err(db)?
            .ok_or(StoreError::NotFound { what: "job", id })?;
        if state != "running" {
            return Err(StoreError::State {
                id,
                state: JobState::parse(&state).unwrap_or(JobState::Failed),
                expected: "running",
            });
        }
        let t = now();
        tx.execute(
            "INSERT INTO results (job, format, bytes, sha256, created) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, out.format, out.bytes, sha256_hex(out.bytes), t],
        )
        .map_err(db)?;
        if let Some(html) = out.report {
            tx.execute(
                "INSERT INTO reports (job, html, created) VALUES (?1, ?2, ?3)",
                params![id, html, t],
            )
            .map_err(db)?;
        }
        tx.execute(
            "UPDATE jobs SET state = 'done', progress = 1, finished = ?2 WHERE id = ?1",
            params![id, t],
        )
        .map_err(db)?;
        tx.commit().map_err(db)
    }
    fn result(&self, job: i64) -> Result<Option<ResultRow>, StoreError> {
        self.c()
            .query_row(
                "SELECT job, format, bytes, sha256 FROM results WHERE job = ?1",
                [job],
                |r| {
                    Ok(ResultRow {
                        job: r.get(0)?,
                        format: r.get(1)?,
                        bytes: r.get(2)?,
                        sha256: r.get(3)?,
                    })
                },
            )
            .optional()
            .map_err(db)
    }
    fn report(&self, job: i64) -> Result<Option<String>, StoreError> {
        self.c()
            .query_row("SELECT html FROM reports WHERE job = ?1", [job], |r| {
                r.get(0)
            })
            .optional()
            .map_err(db)
    }
}
