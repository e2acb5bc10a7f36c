//! The shared back-end: PostgreSQL, for a team server.

use crate::{
    now, pending, sha256_hex, JobKind, JobRow, JobState, Output, ResultRow, ScenarioRow, Store,
    StoreError, TokenRow, REQUEUED,
};
use postgres::{Client, GenericClient, NoTls, Row};
use std::sync::{Mutex, MutexGuard};

/// A PostgreSQL store (one connection, serialised: the server's load is light).
pub struct PgStore {
    client: Mutex<Client>,
}

fn db(e: postgres::Error) -> StoreError {
    StoreError::Db(e.to_string())
}

const JOB_COLS: &str =
    "id, kind, params, state, progress, author, message, created, started, finished";

fn job_row(r: &Row) -> JobRow {
    let kind: String = r.get(1);
    let state: String = r.get(3);
    JobRow {
        id: r.get(0),
        kind: JobKind::parse(&kind).unwrap_or(JobKind::Simulate),
        params: r.get(2),
        state: JobState::parse(&state).unwrap_or(JobState::Failed),
        progress: r.get(4),
        author: r.get(5),
        message: r.get(6),
        created: r.get(7),
        started: r.get(8),
        finished: r.get(9),
    }
}

fn scenario_row(r: &Row) -> ScenarioRow {
    ScenarioRow {
        id: r.get(0),
        name: r.get(1),
        toml: r.get(2),
        author: r.get(3),
        shared: r.get(4),
        created: r.get(5),
    }
}

fn one_job(c: &mut impl GenericClient, id: i64) -> Result<Option<JobRow>, StoreError> {
    Ok(c.query_opt(
        &format!("SELECT {JOB_COLS} FROM jobs WHERE id = $1"),
        &[&id],
    )
    .map_err(db)?
    .as_ref()
    .map(job_row))
}

impl PgStore {
    /// Connects to `url` (`postgres://user@host:port/db`) and migrates the database.
    pub fn open(url: &str) -> Result<PgStore, StoreError> {
        let mut client = Client::connect(url, NoTls).map_err(|e| {
            StoreError::Db(format!("{}: {e}", url.split('@').next_back().unwrap_or("")))
        })?;
        let mut tx = client.transaction().map_err(db)?;
        // Two servers starting at once on one database migrate one after the other.
        tx.batch_execute(
            "SELECT pg_advisory_xact_lock(7265636);
             CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL);",
        )
        .map_err(db)?;
        let current: i64 = tx
            .query_one("SELECT COALESCE(MAX(version), 0) FROM schema_version", &[])
            .map_err(db)?
            .get(0);
        for m in pending(current)? {
            tx.batch_execute(m.postgres).map_err(db)?;
            tx.execute("DELETE FROM schema_version", &[]).map_err(db)?;
            tx.execute("INSERT INTO schema_version VALUES ($1)", &[&m.version])
                .map_err(db)?;
        }
        tx.commit().map_err(db)?;
        Ok(PgStore {
            client: Mutex::new(client),
        })
    }
    fn c(&self) -> MutexGuard<'_, Client> {
        self.client.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Store for PgStore {
    fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .c()
            .query_one("SELECT MAX(version) FROM schema_version", &[])
            .map_err(db)?
            .get(0))
    }
    fn add_token(&self, name: &str, salt: &str, hash: &str) -> Result<i64, StoreError> {
        Ok(self
            .c()
            .query_one(
                "INSERT INTO tokens (name, salt, hash, created) VALUES ($1, $2, $3, $4) RETURNING id",
                &[&name, &salt, &hash, &now()],
            )
            .map_err(db)?
            .get(0))
    }
    fn token(&self, id: i64) -> Result<Option<TokenRow>, StoreError> {
        Ok(self
            .c()
            .query_opt(
                "SELECT id, name, salt, hash, created FROM tokens WHERE id = $1",
                &[&id],
            )
            .map_err(db)?
            .map(|r| TokenRow {
                id: r.get(0),
                name: r.get(1),
                salt: r.get(2),
                hash: r.get(3),
                created: r.get(4),
            }))
    }
    fn add_scenario(&self, name: &str, toml: &str, author: i64) -> Result<i64, StoreError> {
        Ok(self
            .c()
            .query_one(
                "INSERT INTO scenarios (name, toml, author, created) VALUES ($1, $2, $3, $4) RETURNING id",
                &[&name, &toml, &author, &now()],
            )
            .map_err(db)?
            .get(0))
    }
    fn scenario(&self, id: i64) -> Result<Option<ScenarioRow>, StoreError> {
        Ok(self
            .c()
            .query_opt(
                "SELECT id, name, toml, author, shared, created FROM scenarios WHERE id = $1",
                &[&id],
            )
            .map_err(db)?
            .as_ref()
            .map(scenario_row))
    }
    fn scenarios(&self, viewer: Option<i64>) -> Result<Vec<ScenarioRow>, StoreError> {
        Ok(self
            .c()
            .query(
                "SELECT id, name, toml, author, shared, created FROM scenarios
                 WHERE shared OR author = $1 ORDER BY id DESC",
                &[&viewer.unwrap_or(-1)],
            )
            .map_err(db)?
            .iter()
            .map(scenario_row)
            .collect())
    }
    fn share_scenario(&self, id: i64) -> Result<(), StoreError> {
        let n = self
            .c()
            .execute("UPDATE scenarios SET shared = TRUE WHERE id = $1", &[&id])
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
        Ok(self
            .c()
            .query_one(
                "INSERT INTO jobs (kind, params, state, author, created)
                 VALUES ($1, $2, 'queued', $3, $4) RETURNING id",
                &[&kind.as_str(), &params, &author, &now()],
            )
            .map_err(db)?
            .get(0))
    }
    fn job(&self, id: i64) -> Result<Option<JobRow>, StoreError> {
        one_job(&mut *self.c(), id)
    }
    fn jobs(&self, limit: i64) -> Result<Vec<JobRow>, StoreError> {
        Ok(self
            .c()
            .query(
                &format!("SELECT {JOB_COLS} FROM jobs ORDER BY id DESC LIMIT $1"),
                &[&limit],
            )
            .map_err(db)?
            .iter()
            .map(job_row)
            .collect())
    }
    fn jobs_in(&self, state: JobState) -> Result<Vec<JobRow>, StoreError> {
        Ok(self
            .c()
            .query(
                &format!("SELECT {JOB_COLS} FROM jobs WHERE state = $1 ORDER BY id"),
                &[&state.as_str()],
            )
            .map_err(db)?
            .iter()
            .map(job_row)
            .collect())
    }
    fn claim(&self) -> Result<Option<JobRow>, StoreError> {
        let t = now();
        // SKIP LOCKED: several servers on one database never take the same job.
        Ok(self
            .c()
            .query_opt(
                &format!(
                    "UPDATE jobs SET state = 'running', started = $1, progress = 0
                     WHERE id = (SELECT id FROM jobs WHERE state = 'queued' ORDER BY id
                                 LIMIT 1 FOR UPDATE SKIP LOCKED)
                     RETURNING {JOB_COLS}"
                ),
                &[&t],
            )
            .map_err(db)?
            .as_ref()
            .map(job_row))
    }
    fn set_progress(&self, id: i64, progress: f64) -> Result<(), StoreError> {
        self.c()
            .execute(
                "UPDATE jobs SET progress = $2 WHERE id = $1 AND state = 'running'",
                &[&id, &progress],
            )
            .map_err(db)?;
        Ok(())
    }
    fn requeue_running(&self) -> Result<Vec<i64>, StoreError> {
        Ok(self
            .c()
            .query(
                "UPDATE jobs SET state = 'queued', progress = 0, started = NULL, message = $1
                 WHERE state = 'running' RETURNING id",
                &[&REQUEUED],
            )
            .map_err(db)?
            .iter()
            .map(|r| r.get(0))
            .collect())
    }
    fn fail(&self, id: i64, message: &str) -> Result<(), StoreError> {
        self.c()
            .execute(
                "UPDATE jobs SET state = 'failed', message = $2, finished = $3
                 WHERE id = $1 AND state = 'running'",
                &[&id, &message, &now()],
            )
            .map_err(db)?;
        Ok(())
    }
    fn cancel(&self, id: i64, message: &str) -> Result<JobRow, StoreError> {
        let mut c = self.c();
        let mut tx = c.transaction().map_err(db)?;
        let job = tx
            .query_opt(
                &format!("SELECT {JOB_COLS} FROM jobs WHERE id = $1 FOR UPDATE"),
                &[&id],
            )
            .map_err(db)?
            .as_ref()
            .map(job_row)
            .ok_or(StoreError::NotFound { what: "job", id })?;
        if job.state.is_final() {
            return Err(StoreError::State {
                id,
                state: job.state,
                expected: "queued or running",
            });
        }
        tx.execute(
            "UPDATE jobs SET state = 'cancelled', message = $2, finished = $3 WHERE id = $1",
            &[&id, &message, &now()],
        )
        .map_err(db)?;
        let after = one_job(&mut tx, id)?.ok_or(StoreError::NotFound { what: "job", id })?;
        tx.commit().map_err(db)?;
        Ok(after)
    }
    fn finish(&self, id: i64, out: &Output<'_>) -> Result<(), StoreError> {
        let mut c = self.c();
        let mut tx = c.transaction().map_err(db)?;
        let state: String = tx
            .query_opt("SELECT state FROM jobs WHERE id = $1 FOR UPDATE", &[&id])
            .map_err(db)?
            .ok_or(StoreError::NotFound { what: "job", id })?
            .get(0);
        if tx
            .query_opt("SELECT job FROM results WHERE job = $1", &[&id])
            .map_err(db)?
            .is_some()
        {
            return Err(StoreError::ResultExists(id));
        }
        if state != "running" {
            return Err(StoreError::State {
                id,
                state: JobState::parse(&state).unwrap_or(JobState::Failed),
                expected: "running",
            });
        }
        let t = now();
        tx.execute(
            "INSERT INTO results (job, format, bytes, sha256, created) VALUES ($1, $2, $3, $4, $5)",
            &[&id, &out.format, &out.bytes, &sha256_hex(out.bytes), &t],
        )
        .map_err(db)?;
        if let Some(html) = out.report {
            tx.execute(
                "INSERT INTO reports (job, html, created) VALUES ($1, $2, $3)",
                &[&id, &html, &t],
            )
            .map_err(db)?;
        }
        tx.execute(
            "UPDATE jobs SET state = 'done', progress = 1, finished = $2 WHERE id = $1",
            &[&id, &t],
        )
        .map_err(db)?;
        tx.commit().map_err(db)
    }
    fn result(&self, job: i64) -> Result<Option<ResultRow>, StoreError> {
        Ok(self
            .c()
            .query_opt(
                "SELECT job, format, bytes, sha256 FROM results WHERE job = $1",
                &[&job],
            )
            .map_err(db)?
            .map(|r| ResultRow {
                job: r.get(0),
                format: r.get(1),
                bytes: r.get(2),
                sha256: r.get(3),
            }))
    }
    fn report(&self, job: i64) -> Result<Option<String>, StoreError> {
        Ok(self
            .c()
            .query_opt("SELECT html FROM reports WHERE job = $1", &[&job])
            .map_err(db)?
            .map(|r| r.get(0)))
    }
}
