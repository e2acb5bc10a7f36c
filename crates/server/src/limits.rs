//! Every bound the server enforces, in one table: docs/server.md prints the same table and a
//! test checks that the two agree.

/// A named bound.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    /// The name docs/server.md gives it.
    pub name: &'static str,
    /// The bound.
    pub value: u64,
    /// What happens past it.
    pub refusal: &'static str,
}

/// Largest request body, bytes.
pub const MAX_BODY: usize = 1 << 20;
/// Largest scenario TOML, bytes.
pub const MAX_SCENARIO: usize = 256 << 10;
/// Most Monte Carlo futures in one run.
pub const MAX_RUNS: usize = 100_000;
/// Longest simulated horizon, weeks (a scenario's `weeks`, a chokepoint run's `horizon`).
pub const MAX_WEEKS: usize = 520;
/// Jobs queued or running at once; more are refused until some finish.
pub const MAX_PENDING: usize = 32;
/// Jobs running at once (the rest wait in the queue).
pub const MAX_RUNNING: usize = 2;
/// Most trade flows returned by one request.
pub const MAX_FLOWS: usize = 1000;
/// Most jobs listed by one request.
pub const MAX_LIST: usize = 200;
/// Longest name (scenario, token), characters.
pub const MAX_NAME: usize = 100;

/// The table docs/server.md documents.
pub const LIMITS: &[Limit] = &[
    Limit {
        name: "request body, bytes",
        value: MAX_BODY as u64,
        refusal: "413",
    },
    Limit {
        name: "scenario or plan TOML, bytes",
        value: MAX_SCENARIO as u64,
        refusal: "413, field `toml` or `plan_toml`",
    },
    Limit {
        name: "Monte Carlo futures per run",
        value: MAX_RUNS as u64,
        refusal: "422, field `runs`",
    },
    Limit {
        name: "weeks simulated (scenario `weeks`, chokepoint `horizon`)",
        value: MAX_WEEKS as u64,
        refusal: "422, field `weeks` or `horizon`",
    },
    Limit {
        name: "jobs queued or running",
        value: MAX_PENDING as u64,
        refusal: "429",
    },
    Limit {
        name: "jobs running at once",
        value: MAX_RUNNING as u64,
        refusal: "the rest wait, queued",
    },
    Limit {
        name: "trade flows per request (`limit`)",
        value: MAX_FLOWS as u64,
        refusal: "422, field `limit`",
    },
    Limit {
        name: "jobs listed per request (`limit`)",
        value: MAX_LIST as u64,
        refusal: "422, field `limit`",
    },
    Limit {
        name: "scenario name, characters",
        value: MAX_NAME as u64,
        refusal: "422, field `name`",
    },
];
