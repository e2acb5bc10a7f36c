//! One suite, both back-ends: SQLite always, PostgreSQL when `QUADRANT_TEST_PG` names one.

use quadrant_store::{token, JobKind, JobState, Output, SqliteStore, Store, StoreError, REQUEUED};

/// A result without a page.
fn json(bytes: &[u8]) -> Output<'_> {
    Output {
        format: "json",
        bytes,
        report: None,
    }
}

fn suite(s: &dyn Store) {
    assert_eq!(
        s.schema_version().unwrap(),
        quadrant_store::latest_version()
    );
    let (author, _) = token::create(s, "suite").unwrap();
    let (other, _) = token::create(s, "other").unwrap();

    // Scenarios are private until shared.
    let sc = s.add_scenario("mine.toml", "name = \"x\"", author).unwrap();
    assert!(s.scenarios(Some(other)).unwrap().iter().all(|r| r.id != sc));
    assert!(s
        .scenarios(Some(author))
        .unwrap()
        .iter()
        .any(|r| r.id == sc));
    s.share_scenario(sc).unwrap();
    assert!(s
        .scenarios(None)
        .unwrap()
        .iter()
        .any(|r| r.id == sc && r.shared));
    assert!(matches!(
        s.share_scenario(i64::MAX),
        Err(StoreError::NotFound { .. })
    ));

    // A job's life: queued, claimed, progress, done with an immutable result.
    let j = s.add_job(JobKind::Simulate, "{\"a\":1}", author).unwrap();
    assert_eq!(s.job(j).unwrap().unwrap().state, JobState::Queued);
    let c = s.claim().unwrap().expect("a queued job");
    assert_eq!((c.id, c.state), (j, JobState::Running));
    s.set_progress(j, 0.5).unwrap();
    assert_eq!(s.job(j).unwrap().unwrap().progress, 0.5);
    let bytes = b"{\"result\": [1, 2, 3]}\n\x00\xff".to_vec();
    let page = "<!doctype html><title>ä</title>";
    let out = Output {
        format: "json",
        bytes: &bytes,
        report: Some(page),
    };
    s.finish(j, &out).unwrap();
    assert_eq!(
        s.report(j).unwrap().as_deref(),
        Some(page),
        "the page as written"
    );
    let r = s.result(j).unwrap().unwrap();
    assert_eq!(r.bytes, bytes);
    assert_eq!(r.sha256, quadrant_store::sha256_hex(&bytes));
    assert!(matches!(
        s.finish(j, &json(b"other")),
        Err(StoreError::ResultExists(_))
    ));
    assert_eq!(
        s.result(j).unwrap().unwrap().bytes,
        bytes,
        "re-read after a refused write"
    );
    let done = s.job(j).unwrap().unwrap();
    assert_eq!((done.state, done.progress), (JobState::Done, 1.0));
    assert!(matches!(s.cancel(j, "x"), Err(StoreError::State { .. })));

    // A running job found after a restart goes back to the queue, saying so.
    let k = s.add_job(JobKind::Montecarlo, "{}", author).unwrap();
    assert_eq!(s.claim().unwrap().unwrap().id, k);
    assert_eq!(s.requeue_running().unwrap(), vec![k]);
    let q = s.job(k).unwrap().unwrap();
    assert_eq!((q.state, q.message.as_str()), (JobState::Queued, REQUEUED));
    // Cancelled: no result can be written after.
    let cancelled = s.cancel(k, "cancelled by its author").unwrap();
    assert_eq!(cancelled.state, JobState::Cancelled);
    assert!(s.finish(k, &json(b"late")).is_err());
    assert!(s.result(k).unwrap().is_none());
    assert!(s.report(k).unwrap().is_none());
    assert!(s.claim().unwrap().is_none());

    // A failure is kept with its reason.
    let f = s.add_job(JobKind::Chokepoints, "{}", author).unwrap();
    s.claim().unwrap();
    s.fail(f, "no network").unwrap();
    let fr = s.job(f).unwrap().unwrap();
    assert_eq!(
        (fr.state, fr.message.as_str()),
        (JobState::Failed, "no network")
    );
    assert!(s.jobs(2).unwrap().len() == 2);
}

#[test]
fn sqlite_store() {
    suite(&SqliteStore::memory().unwrap());
}

#[test]
fn sqlite_file_reopens_and_refuses_a_newer_schema() {
    let dir = std::env::temp_dir().join(format!("qt-store-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("t.db");
    let _ = std::fs::remove_file(&path);
    let p = path.to_str().unwrap();
    {
        let s = SqliteStore::open(p).unwrap();
        let (a, _) = token::create(&s, "x").unwrap();
        s.add_job(JobKind::Simulate, "{}", a).unwrap();
    }
    let s = quadrant_store::open(p).unwrap();
    assert_eq!(
        s.jobs(10).unwrap().len(),
        1,
        "reopened, migrations not re-run"
    );
    // A version-1 database (no reports table) gains it on opening, its rows kept.
    rusqlite::Connection::open(p)
        .unwrap()
        .execute_batch("DROP TABLE reports; UPDATE schema_version SET version = 1;")
        .unwrap();
    let s = SqliteStore::open(p).unwrap();
    assert_eq!(
        s.schema_version().unwrap(),
        quadrant_store::latest_version()
    );
    assert_eq!(
        s.jobs(10).unwrap().len(),
        1,
        "rows kept through the migration"
    );
    assert!(s.report(1).unwrap().is_none());
    drop(s);
    SqliteStore::open(p).unwrap().force_version(99).unwrap();
    let e = SqliteStore::open(p).err().expect("refused");
    assert!(e.to_string().contains("schema version 99"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn postgres_store() {
    let Ok(url) = std::env::var("QUADRANT_TEST_PG") else {
        eprintln!("QUADRANT_TEST_PG not set: PostgreSQL suite skipped");
        return;
    };
    let s = quadrant_store::open(&url).unwrap();
    // The database may hold earlier runs' rows: clear the jobs so claims are this suite's.
    for j in s.jobs(i64::MAX).unwrap() {
        let _ = s.cancel(j.id, "cleared by the store suite");
    }
    suite(&*s);
}
