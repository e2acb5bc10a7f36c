//! Why a plan could not be made: named constraint families, never a bare solver status.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};

/// A family of constraints, the unit in which an infeasible plan is explained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// Budgets per financier and year.
    Budgets,
    /// Financiers' mandates (eligibility, home offtake).
    Mandates,
    /// Feedstock balance.
    Feed,
    /// No flagged sources, minimum audited share.
    Ethics,
    /// Risk ≤ target.
    RiskTarget,
    /// Caps per member or host.
    Caps,
}

impl Family {
    /// Every family that can be relaxed, in the order they are tried.
    pub const RELAXABLE: [Family; 6] = [
        Family::Budgets,
        Family::Mandates,
        Family::Feed,
        Family::Ethics,
        Family::RiskTarget,
        Family::Caps,
    ];
    /// Name in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Budgets => "budgets",
            Family::Mandates => "mandates",
            Family::Feed => "feed",
            Family::Ethics => "ethics",
            Family::RiskTarget => "risk target",
            Family::Caps => "caps",
        }
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

fn names(fs: &[Family]) -> String {
    if fs.is_empty() {
        return "no single family (relaxing any one alone does not help)".to_string();
    }
    fs.iter().map(|f| f.as_str()).collect::<Vec<_>>().join(", ")
}

/// Why a plan failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlanError {
    /// An input is wrong: where and what was expected.
    #[error("invalid plan input at {at}: {expected}")]
    Invalid {
        /// Path to the field, e.g. `candidates[3].capacity_t`.
        at: String,
        /// What was expected.
        expected: String,
    },
    /// No plan satisfies every constraint; relaxing any one of `families` alone makes it
    /// feasible.
    #[error("plan is infeasible; responsible constraint families: {}", names(.families))]
    Infeasible {
        /// The families whose relaxation restores feasibility.
        families: Vec<Family>,
    },
    /// The objective has no lower bound; `families` as for [`PlanError::Infeasible`].
    #[error("plan is unbounded; constraint families that bound it when tightened: {}", names(.families))]
    Unbounded {
        /// Families involved.
        families: Vec<Family>,
    },
    /// The solver stopped for another reason (time limit, numerical trouble).
    #[error("solver {solver} failed: {reason}")]
    Solver {
        /// Solver name.
        solver: &'static str,
        /// What it said.
        reason: String,
    },
    /// The solver asked for is not built in.
    #[error("solver {0} is not built in (enable the cargo feature `highs`)")]
    SolverMissing(&'static str),
    /// Stopped on request (a cancelled run) between two solves.
    #[error("stopped on request before the plan finished")]
    Cancelled,
}

/// `Err(Cancelled)` once `stop` is set: checked before each solve of a part that solves many
/// times, so that a cancelled run ends after the solve under way.
pub(crate) fn halt(stop: &AtomicBool) -> Result<(), PlanError> {
    if stop.load(Ordering::SeqCst) {
        Err(PlanError::Cancelled)
    } else {
        Ok(())
    }
}

impl PlanError {
    pub(crate) fn invalid(at: impl Into<String>, expected: impl Into<String>) -> PlanError {
        PlanError::Invalid {
            at: at.into(),
            expected: expected.into(),
        }
    }
}
