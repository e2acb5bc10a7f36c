//! The planner: which candidate projects the alliance's financiers should fund, where, by
//! whom and when, so that each dollar removes the most supply risk across a set of
//! disruption futures — and what pooling buys against national plans.
//!
//! A mixed-integer programme built as a flat recipe ([`lp::Recipe`]) by one function per
//! constraint family ([`model`]), solved through `good_lp` (pure-Rust `microlp` by default,
//! HiGHS behind the cargo feature `highs`), and written back as a [`Plan`]. The equations
//! are in docs/model.md, section "Planner". Inputs are plain types ([`input`]); how they were
//! gathered is the caller's business.

#![warn(missing_docs)]

pub mod check;
pub mod coordination;
pub mod error;
pub mod input;
pub mod lp;
pub mod model;
pub mod plan;
pub mod risk;
pub mod spec;
pub mod synthetic;
pub mod world;

pub use check::check;
pub use coordination::{coordination, Coordination, MemberDiff};
pub use error::{Family, PlanError};
pub use input::{
    Budget, Candidate, Cap, CountryId, Feed, Financier, Future, Futures, InstrumentKind,
    InstrumentTerms, Objective, Options, Problem, RiskMeasure, RiskScope, SolverChoice,
};
pub use plan::{
    frontier, marginal_values, solve, Chosen, FrontierPoint, Funding, Plan, RiskFigure,
};
