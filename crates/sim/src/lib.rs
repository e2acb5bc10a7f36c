//! The disruption simulator: "if this happens, how short does each member of the alliance run,
//! for how long, at what price — and what do our policies change?"
//!
//! Modules by job, in the order data flows through them:
//! * [`network`] builds one material's supply network from the dataset (nodes are countries
//!   at each stage, and facilities where the curated layer lists assets; links the baseline
//!   trade and domestic flows), so that the baseline is an exact steady state.
//! * [`scenario`] reads immutable scenarios (events and policies) from TOML; [`who`] parses
//!   who a measure targets, once, and turns a bloc into members and demand nodes.
//! * [`realize`] fixes a scenario for one network and one run (draws, ids → nodes): the only
//!   code that reads the dataset or the scenario during a run; [`trend`] computes the IEA
//!   trend once per network.
//! * [`state`] holds what changes week to week; [`step`] is the one weekly step, one function
//!   per step of docs/model.md; [`run`] the loop that feeds [`record`]ers.
//! * [`simulate`] runs a scenario once; [`montecarlo`] thousands of futures, bit-identically on
//!   any number of threads; [`chokepoints`] ranks single outages; [`backtest`] replays history.
//! * [`calendar`] dates the weeks of a run and the windows of its events, for reports.
//! * [`futures`] reports the Monte Carlo's futures year by year for a planner; [`verify`]
//!   runs them with and without a plan's projects.
//! * [`api`] is the entry point the command line (and any server or planner) calls.

#![warn(missing_docs)]
// Index loops over nodes and stages mirror the equations of docs/model.md; iterator chains
// over several parallel arrays would hide them.
#![allow(clippy::needless_range_loop)]

pub mod api;
pub mod backtest;
pub mod balance;
pub mod calendar;
pub mod chokepoints;
pub mod futures;
pub mod montecarlo;
pub mod network;
pub mod params;
pub mod realize;
pub mod record;
pub mod run;
pub mod scenario;
pub mod shipped;
pub mod simulate;
pub mod state;
pub mod step;
pub mod trend;
pub mod verify;
pub mod who;

pub use simulate::{
    networks, realize_mid, simulate, summarize, MaterialResult, Prepared, Shortfall, SimResult,
};
