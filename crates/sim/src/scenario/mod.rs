//! Scenarios: immutable values read from TOML and validated like the dataset ([`check`]
//! returns the dataset checks' `Issue`s). An event is the initial shock; how it evolves during
//! a run is computed from the week by the step (`step::shocks`), never stored in the event.

pub mod check;

pub use crate::who::Target;
pub use check::CHECK;
use serde::Deserialize;

/// A number, or a `[low, high]` range drawn uniformly in a Monte Carlo run.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Param {
    Fixed(f64),
    Range([f64; 2]),
}

impl Param {
    pub fn mid(self) -> f64 {
        match self {
            Param::Fixed(v) => v,
            Param::Range([a, b]) => 0.5 * (a + b),
        }
    }
    /// The value at quantile `u` ∈ [0, 1).
    pub fn at(self, u: f64) -> f64 {
        match self {
            Param::Fixed(v) => v,
            Param::Range([a, b]) => a + (b - a) * u,
        }
    }
    fn ok(self) -> bool {
        match self {
            Param::Fixed(v) => v.is_finite(),
            Param::Range([a, b]) => a.is_finite() && b.is_finite() && a <= b,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Event {
    /// The exporter ships at most `share` (0 = ban) of its baseline exports to the targets.
    /// With `controlled_by`, the measure binds only the exporter's facilities whose
    /// controlling owner is at home there (owners withholding output, not the host's policy).
    ExportRestriction {
        exporter: String,
        #[serde(default)]
        controlled_by: Option<String>,
        material: String,
        stage: String,
        #[serde(default = "all")]
        targets: Target,
        /// Buyers exempted from the targets (allies, or the owners' home).
        #[serde(default)]
        except: Vec<String>,
        #[serde(default = "zero")]
        share: Param,
        start_week: Param,
        duration_weeks: Param,
        #[serde(default = "one")]
        probability: f64,
    },
    /// Capacity falls by `share`, then recovers linearly over `recovery_weeks` after the end.
    /// `country` is a country id (its facilities included) or a facility's asset id
    /// (curated/ownership.toml); `controlled_by` limits a country's loss to the facilities
    /// whose controlling owner is at home in that country.
    CapacityLoss {
        country: String,
        #[serde(default)]
        controlled_by: Option<String>,
        material: String,
        stage: String,
        share: Param,
        start_week: Param,
        duration_weeks: Param,
        #[serde(default = "zero")]
        recovery_weeks: Param,
        #[serde(default = "one")]
        probability: f64,
    },
    /// New capacity of `tonnes_per_year` (material content) at a node, ramping up linearly
    /// over `ramp_weeks` from `start_week`: a project coming online.
    CapacityExpansion {
        country: String,
        material: String,
        stage: String,
        tonnes_per_year: Param,
        start_week: Param,
        #[serde(default = "zero")]
        ramp_weeks: Param,
        #[serde(default = "one")]
        probability: f64,
    },
    /// Final demand multiplied by `factor` (everywhere, or in `country`).
    DemandShift {
        material: String,
        #[serde(default)]
        country: Option<String>,
        factor: Param,
        start_week: Param,
        #[serde(default = "forever")]
        duration_weeks: Param,
        #[serde(default = "one")]
        probability: f64,
    },
    /// The supplier sells `volume_share` more than its baseline exports at a price `price_cut`
    /// below the market; buyers outside a pact with a price floor switch to it.
    Dumping {
        exporter: String,
        material: String,
        stage: String,
        price_cut: Param,
        volume_share: Param,
        start_week: Param,
        duration_weeks: Param,
        #[serde(default = "one")]
        probability: f64,
    },
}

impl Event {
    /// The material the event strikes.
    pub fn material(&self) -> &str {
        match self {
            Event::ExportRestriction { material, .. }
            | Event::CapacityLoss { material, .. }
            | Event::CapacityExpansion { material, .. }
            | Event::DemandShift { material, .. }
            | Event::Dumping { material, .. } => material,
        }
    }
    /// The chance that the event happens in a Monte Carlo run.
    pub fn probability(&self) -> f64 {
        match self {
            Event::ExportRestriction { probability, .. }
            | Event::CapacityLoss { probability, .. }
            | Event::CapacityExpansion { probability, .. }
            | Event::DemandShift { probability, .. }
            | Event::Dumping { probability, .. } => *probability,
        }
    }
}

fn all() -> Target {
    Target::All
}
fn zero() -> Param {
    Param::Fixed(0.0)
}
fn one() -> f64 {
    1.0
}
fn forever() -> Param {
    Param::Fixed(1e9)
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Policy {
    /// A strategic stockpile of `weeks` of the holders' baseline demand, released when their
    /// consumer inventory falls below `release_below` of its target.
    Stockpile {
        holders: Target,
        material: String,
        weeks: f64,
        #[serde(default = "half")]
        release_below: f64,
    },
    /// A security pact: priority allocation among members, a joint stockpile, a price floor for
    /// members' producers, and a tariff on the adversary's goods.
    Pact {
        members: Target,
        #[serde(default)]
        material: Option<String>,
        #[serde(default = "yes")]
        priority: bool,
        #[serde(default)]
        joint_stockpile_weeks: f64,
        #[serde(default)]
        price_floor: Option<f64>,
        #[serde(default)]
        tariff_on: Option<String>,
        #[serde(default)]
        tariff: f64,
    },
}

fn half() -> f64 {
    0.5
}
fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Materials to simulate; default: those the events name.
    #[serde(default)]
    pub materials: Vec<String>,
    #[serde(default = "quad")]
    pub bloc: String,
    #[serde(default)]
    pub adversary: Option<String>,
    /// Structure year: the network is built from the latest data up to it.
    #[serde(default = "y2024")]
    pub base_year: u16,
    #[serde(default = "w104")]
    pub weeks: usize,
    /// Grow demand along this IEA scenario (STEPS, APS or NZE) and capacity along the IEA base
    /// case, from the week the run starts; absent: no trend.
    #[serde(default)]
    pub trend: Option<String>,
    /// How a short supplier shares its output: `proportional` to orders (as in ARIO; the
    /// default) or by `price` (highest bidders first).
    #[serde(default)]
    pub rationing: Rationing,
    #[serde(default, rename = "event")]
    pub events: Vec<Event>,
    #[serde(default, rename = "policy")]
    pub policies: Vec<Policy>,
    /// Observed effects, for back-tests.
    #[serde(default)]
    pub observed: Option<Observed>,
    /// Substitution between materials: demand for `to` answers the price of `from`.
    /// Materials so linked are simulated together; without links each material runs alone.
    #[serde(default, rename = "substitution")]
    pub substitutions: Vec<Substitution>,
}

/// A cross-price link: desired demand for `to` is multiplied by p_from^elasticity, p_from the
/// last-stage world price of `from` (relative to baseline) the week before.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Substitution {
    pub from: String,
    pub to: String,
    /// Cross-price elasticity of `to`'s demand with respect to `from`'s price: > 0 for
    /// substitutes, < 0 for complements.
    pub elasticity: f64,
    /// Where the elasticity comes from (a citation, or "assumed: …").
    pub source: String,
}

/// The rationing rule of a short supplier (docs/model.md, step 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rationing {
    /// Pro rata to orders, as in ARIO.
    #[default]
    Proportional,
    /// Highest bidders (largest regional price premium) first: price-based clearing.
    Price,
}

fn quad() -> String {
    "QUAD".into()
}
fn y2024() -> u16 {
    2024
}
fn w104() -> usize {
    104
}

/// What history recorded after the event, for `quadrant backtest`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Observed {
    /// Peak price over the pre-event price (0 or absent: not observed).
    #[serde(default)]
    pub price_ratio: f64,
    /// Change of the restricted exporter's exports in the stated window (−0.94 = −94%).
    #[serde(default)]
    pub export_change: Option<f64>,
    /// Weeks after the start over which `export_change` was observed.
    #[serde(default)]
    pub export_window_weeks: Option<usize>,
    /// Whether the price-adjustment parameter was fitted on this event.
    pub fitted: bool,
    pub source: String,
}

impl Scenario {
    /// Materials the scenario simulates.
    pub fn material_ids(&self) -> Vec<String> {
        if !self.materials.is_empty() {
            return self.materials.clone();
        }
        let mut v: Vec<String> = self
            .events
            .iter()
            .map(|e| e.material().to_string())
            .collect();
        v.sort();
        v.dedup();
        v
    }
}
