//! The planner's inputs as plain types: how they were gathered (files, the simulator) is the
//! caller's business. Money is in USD million, quantities in tonnes of content per year.

use quadrant_model::{MaterialId, Stage};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A country id (ISO 3166 alpha-3, as in the dataset), typed so that it is not confused with
/// a project or financier id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CountryId(pub String);

impl fmt::Display for CountryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for CountryId {
    fn from(s: &str) -> CountryId {
        CountryId(s.to_string())
    }
}

/// A project that could be funded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// Stable id.
    pub id: String,
    /// The material it produces.
    pub material: MaterialId,
    /// `Mining` output is feed for processing in its host; other stages are supply to the
    /// bloc and need feed.
    pub stage: Stage,
    /// Host country.
    pub host: CountryId,
    /// Capacity, t/yr of content.
    pub capacity_t: f64,
    /// Capital cost, USD m.
    pub capex_usd_m: f64,
    /// Operating cost, USD per t of output; `None` when not published (counted as 0, and the
    /// plan's notes say so).
    pub opex_usd_per_t: Option<f64>,
    /// Years from the start of construction to first output.
    pub lead_years: u32,
    /// Countries whose feed (one t per t of output, content basis) a processing project can
    /// use; ignored for mines.
    pub feed_hosts: Vec<CountryId>,
    /// Draws on flagged sources (artisanal exposure, a forced-labour listing).
    pub flagged: bool,
    /// Audited against a named standard.
    pub audited: bool,
}

/// A kind of financial instrument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InstrumentKind {
    /// Equity stake.
    Equity,
    /// Loan.
    Loan,
    /// Loan guarantee.
    Guarantee,
    /// Prepaid offtake.
    Offtake,
    /// Grant (no repayment).
    Grant,
}

impl InstrumentKind {
    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            InstrumentKind::Equity => "equity",
            InstrumentKind::Loan => "loan",
            InstrumentKind::Guarantee => "guarantee",
            InstrumentKind::Offtake => "offtake",
            InstrumentKind::Grant => "grant",
        }
    }
}

/// An instrument a financier offers, with its own cost of capital when it differs from the
/// financier's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstrumentTerms {
    /// The kind.
    pub kind: InstrumentKind,
    /// Annual cost of capital (0.06 = 6 %); `None` = the financier's.
    pub cost_of_capital: Option<f64>,
}

/// How much a financier can commit, USD m per year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Budget {
    /// The same every year.
    Constant(f64),
    /// One figure per horizon year (length = horizon).
    PerYear(Vec<f64>),
}

impl Budget {
    /// Budget in horizon year `y`.
    pub fn in_year(&self, y: usize) -> f64 {
        match self {
            Budget::Constant(b) => *b,
            Budget::PerYear(v) => v.get(y).copied().unwrap_or(0.0),
        }
    }
}

/// A financier and its mandate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Financier {
    /// Stable id.
    pub id: String,
    /// The member state it answers to (national plans group financiers by it).
    pub member: CountryId,
    /// Commitments per year, USD m.
    pub budget_usd_m: Budget,
    /// Instruments offered (at least one).
    pub instruments: Vec<InstrumentTerms>,
    /// Annual cost of capital (0.06 = 6 %).
    pub cost_of_capital: f64,
    /// Hosts it may fund; `None` = any.
    pub eligible_hosts: Option<Vec<CountryId>>,
    /// Stages it may fund; `None` = any.
    pub eligible_stages: Option<Vec<Stage>>,
    /// Materials it may fund; `None` = any.
    pub eligible_materials: Option<Vec<MaterialId>>,
    /// Its share of a project's output must go to its home member.
    pub home_offtake_required: bool,
    /// Funds only projects hosted in its member state.
    pub home_only: bool,
}

impl Financier {
    /// Whether its mandate lets it fund `c`.
    pub fn eligible(&self, c: &Candidate) -> bool {
        let host_ok = self
            .eligible_hosts
            .as_ref()
            .is_none_or(|h| h.contains(&c.host));
        let stage_ok = self
            .eligible_stages
            .as_ref()
            .is_none_or(|s| s.contains(&c.stage));
        let mat_ok = self
            .eligible_materials
            .as_ref()
            .is_none_or(|m| m.contains(&c.material));
        host_ok && stage_ok && mat_ok && (!self.home_only || c.host == self.member)
    }
}

/// Feed a country can supply to new processing in one future, t/yr of content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Feed {
    /// Source country.
    pub country: CountryId,
    /// Material.
    pub material: MaterialId,
    /// Available feed, t/yr, every horizon year.
    pub t_per_year: f64,
}

/// One disruption future.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Future {
    /// Probability (the futures' probabilities sum to 1).
    pub probability: f64,
    /// Shortfall without any new project, t: `[material][year][member]` in the order of
    /// [`Futures::materials`] and [`Futures::members`].
    pub shortfall_t: Vec<Vec<Vec<f64>>>,
    /// Feed available to new processing in this future.
    pub feed: Vec<Feed>,
}

/// The set of futures the plan is judged on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Futures {
    /// The bloc's members.
    pub members: Vec<CountryId>,
    /// Materials with a shortfall baseline.
    pub materials: Vec<MaterialId>,
    /// Calendar year of horizon year 0.
    pub first_year: i32,
    /// The futures.
    pub futures: Vec<Future>,
}

/// The risk measure across futures.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum RiskMeasure {
    /// Probability-weighted mean loss.
    ExpectedShortfall,
    /// Mean loss in the worst `1 − alpha` of probability (Rockafellar–Uryasev).
    CVaR {
        /// Confidence level, in [0, 1).
        alpha: f64,
    },
}

/// Whose loss the risk measures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum RiskScope {
    /// All materials, all members (tonnes summed).
    Bloc,
    /// One material, all members.
    Material(MaterialId),
}

/// What the plan optimises.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Objective {
    /// Annualised cost + weight × risk (weight in USD m per t of risk).
    MinCostPlusRisk {
        /// USD m per t.
        weight: f64,
    },
    /// Annualised cost subject to risk ≤ target (t).
    MinCostSubjectToRisk {
        /// t.
        target: f64,
    },
}

/// Which MILP solver runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SolverChoice {
    /// Pure-Rust `microlp` (default).
    Microlp,
    /// HiGHS (cargo feature `highs`).
    Highs,
}

impl SolverChoice {
    /// Name in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            SolverChoice::Microlp => "microlp",
            SolverChoice::Highs => "highs",
        }
    }
}

/// A cap on money, USD m over the horizon.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cap {
    /// The member (funding by its financiers) or host (capex hosted there).
    pub country: CountryId,
    /// USD m.
    pub usd_m: f64,
}

/// How the plan is set up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Options {
    /// Years planned (≤ 50); futures carry one shortfall per year.
    pub horizon_years: usize,
    /// What is optimised.
    pub objective: Objective,
    /// The risk measure.
    pub risk: RiskMeasure,
    /// Whose loss.
    pub scope: RiskScope,
    /// No funded project may draw on flagged sources.
    pub require_no_flagged: bool,
    /// Minimum share of built capacity (t) that is audited, in [0, 1].
    pub min_audited_share: Option<f64>,
    /// Funding by a member's financiers over the horizon.
    pub member_caps: Vec<Cap>,
    /// Capex hosted in a country over the horizon.
    pub host_caps: Vec<Cap>,
    /// Asset life for the capital recovery factor, years.
    pub asset_life_years: u32,
    /// The solver.
    pub solver: SolverChoice,
    /// Relative MIP gap accepted (0 = prove optimality).
    pub mip_gap: f64,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            horizon_years: 10,
            objective: Objective::MinCostPlusRisk { weight: 1.0 },
            risk: RiskMeasure::ExpectedShortfall,
            scope: RiskScope::Bloc,
            require_no_flagged: false,
            min_audited_share: None,
            member_caps: Vec::new(),
            host_caps: Vec::new(),
            asset_life_years: 20,
            solver: SolverChoice::Microlp,
            mip_gap: 0.0,
        }
    }
}

/// Everything one plan needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    /// Candidate projects.
    pub candidates: Vec<Candidate>,
    /// Financiers.
    pub financiers: Vec<Financier>,
    /// Futures.
    pub futures: Futures,
    /// Options.
    pub options: Options,
}
