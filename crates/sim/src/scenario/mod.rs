//! Scenarios: immutable values read from TOML and validated like the dataset ([`check`]
//! returns the dataset checks' `Issue`s). An event is the initial shock; how it evolves during
//! a run is computed from the week by the step (`step::shocks`), never stored in the event.

pub mod check;
mod observed;

pub use crate::who::Target;
pub use check::CHECK;
pub use observed::{days, AltPoint, Observed, PricePoint};
use serde::Deserialize;

/// A number, or a `[low, high]` range drawn uniformly in a Monte Carlo run.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Param {
    /// One value.
    Fixed(f64),
    /// `[low, high]`, drawn uniformly in a Monte Carlo run (its middle in a single run).
    Range([f64; 2]),
}

impl Param {
    /// The middle of the range (the value itself when fixed).
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
    /// The lowest and highest value it can take.
    pub fn bounds(self) -> (f64, f64) {
        match self {
            Param::Fixed(v) => (v, v),
            Param::Range([a, b]) => (a, b),
        }
    }
    /// Both ends finite, in order, and within `[lo, hi]`.
    fn within(self, lo: f64, hi: f64) -> bool {
        let (a, b) = self.bounds();
        a.is_finite() && b.is_finite() && a <= b && a >= lo && b <= hi
    }
}

/// As written in a scenario file: `0.5`, `1e308` or `[0.2, 0.8]`.
impl std::fmt::Display for Param {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Param::Fixed(v) => write!(f, "{}", Number(*v)),
            Param::Range([a, b]) => write!(f, "[{}, {}]", Number(*a), Number(*b)),
        }
    }
}

/// A number as a person writes it: plain, or with an exponent when very large or small.
pub struct Number(pub f64);

impl std::fmt::Display for Number {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let v = self.0;
        if v.is_finite() && v != 0.0 && !(1e-6..1e16).contains(&v.abs()) {
            write!(f, "{v:e}")
        } else {
            write!(f, "{v}")
        }
    }
}

/// A disruption or a project: the initial shock, with every uncertain number a [`Param`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Event {
    /// The exporter ships at most `share` (0 = ban) of its baseline exports to the targets.
    /// With `controlled_by`, the measure binds only the exporter's facilities whose
    /// controlling owner is at home there (owners withholding output, not the host's policy).
    ExportRestriction {
        /// The restricting (or dumping) country id.
        exporter: String,
        #[serde(default)]
        /// Limit the event to facilities whose controlling owner is at home in this country.
        controlled_by: Option<String>,
        /// Material id (materials.csv).
        material: String,
        /// Stage struck: `mining` or `refining`.
        stage: String,
        #[serde(default = "all")]
        /// Buyers the measure applies to.
        targets: Target,
        /// Buyers exempted from the targets (allies, or the owners' home).
        #[serde(default)]
        except: Vec<String>,
        #[serde(default = "zero")]
        /// Share: of baseline exports still shipped (restriction), of capacity lost (loss).
        share: Param,
        /// Week the measure was announced (at most `start_week`; absent: at the start): the
        /// market prices it in from then (docs/model.md, "Expectations").
        #[serde(default)]
        announced_week: Option<usize>,
        /// First week of the event (0 = the run's first week).
        start_week: Param,
        /// Weeks the event lasts.
        duration_weeks: Param,
        #[serde(default = "one")]
        /// Chance that the event happens in a Monte Carlo run.
        probability: f64,
    },
    /// Capacity falls by `share`, then recovers linearly over `recovery_weeks` after the end.
    /// `country` is a country id (its facilities included) or a facility's asset id
    /// (curated/ownership.toml); `controlled_by` limits a country's loss to the facilities
    /// whose controlling owner is at home in that country.
    CapacityLoss {
        /// Country id, or a facility's asset id where the event allows one.
        country: String,
        #[serde(default)]
        /// Limit the event to facilities whose controlling owner is at home in this country.
        controlled_by: Option<String>,
        /// Material id (materials.csv).
        material: String,
        /// Stage struck: `mining` or `refining`.
        stage: String,
        /// Share: of baseline exports still shipped (restriction), of capacity lost (loss).
        share: Param,
        /// Week the loss was known to be coming (at most `start_week`; absent: at the start).
        #[serde(default)]
        announced_week: Option<usize>,
        /// First week of the event (0 = the run's first week).
        start_week: Param,
        /// Weeks the event lasts.
        duration_weeks: Param,
        #[serde(default = "zero")]
        /// Weeks of linear recovery after the end.
        recovery_weeks: Param,
        #[serde(default = "one")]
        /// Chance that the event happens in a Monte Carlo run.
        probability: f64,
    },
    /// New capacity of `tonnes_per_year` (material content) at a node, ramping up linearly
    /// over `ramp_weeks` from `start_week`: a project coming online.
    CapacityExpansion {
        /// Country id, or a facility's asset id where the event allows one.
        country: String,
        /// Material id (materials.csv).
        material: String,
        /// Stage struck: `mining` or `refining`.
        stage: String,
        /// Capacity added at full ramp, t of content per year.
        tonnes_per_year: Param,
        /// First week of the event (0 = the run's first week).
        start_week: Param,
        #[serde(default = "zero")]
        /// Weeks to full capacity.
        ramp_weeks: Param,
        #[serde(default = "one")]
        /// Chance that the event happens in a Monte Carlo run.
        probability: f64,
    },
    /// Final demand multiplied by `factor` (everywhere, or in `country`).
    DemandShift {
        /// Material id (materials.csv).
        material: String,
        #[serde(default)]
        /// Country id, or a facility's asset id where the event allows one.
        country: Option<String>,
        /// Multiplier of desired demand.
        factor: Param,
        /// First week of the event (0 = the run's first week).
        start_week: Param,
        #[serde(default = "forever")]
        /// Weeks the event lasts.
        duration_weeks: Param,
        #[serde(default = "one")]
        /// Chance that the event happens in a Monte Carlo run.
        probability: f64,
    },
    /// The supplier sells `volume_share` more than its baseline exports at a price `price_cut`
    /// below the market; buyers outside a pact with a price floor switch to it.
    Dumping {
        /// The restricting (or dumping) country id.
        exporter: String,
        /// Material id (materials.csv).
        material: String,
        /// Stage struck: `mining` or `refining`.
        stage: String,
        /// Price below the market, as a share of it.
        price_cut: Param,
        /// Extra volume over the dumper's baseline exports, as a share.
        volume_share: Param,
        /// First week of the event (0 = the run's first week).
        start_week: Param,
        /// Weeks the event lasts.
        duration_weeks: Param,
        #[serde(default = "one")]
        /// Chance that the event happens in a Monte Carlo run.
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
    /// The event's kind as the scenario file names it (`export_restriction` …).
    pub fn kind(&self) -> &'static str {
        match self {
            Event::ExportRestriction { .. } => "export_restriction",
            Event::CapacityLoss { .. } => "capacity_loss",
            Event::CapacityExpansion { .. } => "capacity_expansion",
            Event::DemandShift { .. } => "demand_shift",
            Event::Dumping { .. } => "dumping",
        }
    }
    /// The event's kind as the scenario file names it and whom it strikes, for messages
    /// (`capacity_loss of COD`).
    pub fn describe(&self) -> String {
        match self {
            Event::ExportRestriction { exporter, .. } => {
                format!("export_restriction by {exporter}")
            }
            Event::CapacityLoss { country, .. } => format!("capacity_loss of {country}"),
            Event::CapacityExpansion { country, .. } => format!("capacity_expansion in {country}"),
            Event::DemandShift { country, .. } => match country {
                Some(c) => format!("demand_shift in {c}"),
                None => "demand_shift everywhere".into(),
            },
            Event::Dumping { exporter, .. } => format!("dumping by {exporter}"),
        }
    }
    /// The event's uncertain numbers in the order a run draws them (`realize` asks for draw
    /// `i` of field `i`): what each Monte Carlo run sampled can be reported by name.
    pub fn drawn_fields(&self) -> Vec<(&'static str, Param)> {
        match self {
            Event::ExportRestriction {
                share,
                start_week,
                duration_weeks,
                ..
            } => vec![
                ("start_week", *start_week),
                ("share", *share),
                ("duration_weeks", *duration_weeks),
            ],
            Event::CapacityLoss {
                share,
                start_week,
                duration_weeks,
                recovery_weeks,
                ..
            } => vec![
                ("start_week", *start_week),
                ("share", *share),
                ("duration_weeks", *duration_weeks),
                ("recovery_weeks", *recovery_weeks),
            ],
            Event::CapacityExpansion {
                tonnes_per_year,
                start_week,
                ramp_weeks,
                ..
            } => vec![
                ("tonnes_per_year", *tonnes_per_year),
                ("start_week", *start_week),
                ("ramp_weeks", *ramp_weeks),
            ],
            Event::DemandShift {
                factor,
                start_week,
                duration_weeks,
                ..
            } => vec![
                ("start_week", *start_week),
                ("factor", *factor),
                ("duration_weeks", *duration_weeks),
            ],
            Event::Dumping {
                price_cut,
                volume_share,
                start_week,
                duration_weeks,
                ..
            } => vec![
                ("start_week", *start_week),
                ("price_cut", *price_cut),
                ("volume_share", *volume_share),
                ("duration_weeks", *duration_weeks),
            ],
        }
    }
    /// The week a supply shock was announced, where the scenario says.
    pub fn announced_week(&self) -> Option<usize> {
        match self {
            Event::ExportRestriction { announced_week, .. }
            | Event::CapacityLoss { announced_week, .. } => *announced_week,
            _ => None,
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

/// A policy in force for the whole run.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Policy {
    /// A strategic stockpile of `weeks` of the holders' baseline demand, released when their
    /// consumer inventory falls below `release_below` of its target.
    Stockpile {
        /// Who holds the stockpile.
        holders: Target,
        /// Material id (materials.csv).
        material: String,
        /// Weeks simulated.
        weeks: f64,
        #[serde(default = "half")]
        /// Released when consumer inventory falls below this share of its target.
        release_below: f64,
    },
    /// A security pact: priority allocation among members, a joint stockpile, a price floor for
    /// members' producers, and a tariff on the adversary's goods.
    Pact {
        /// The pact's members.
        members: Target,
        #[serde(default)]
        /// Material id (materials.csv).
        material: Option<String>,
        #[serde(default = "yes")]
        /// Members' suppliers serve members first.
        priority: bool,
        #[serde(default)]
        /// Joint stockpile, weeks of the members' baseline demand.
        joint_stockpile_weeks: f64,
        #[serde(default)]
        /// Price floor for members' producers, relative to the baseline price.
        price_floor: Option<f64>,
        #[serde(default)]
        /// Country whose goods members tax.
        tariff_on: Option<String>,
        #[serde(default)]
        /// Tariff rate on `tariff_on`'s goods, in [0, 1].
        tariff: f64,
    },
}

fn half() -> f64 {
    0.5
}
fn yes() -> bool {
    true
}

/// A scenario: what happens (events), what the alliance does (policies), over how long.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Scenario name, printed on every output.
    pub name: String,
    #[serde(default)]
    /// What the scenario describes, and its sources.
    pub description: String,
    /// Materials to simulate; default: those the events name.
    #[serde(default)]
    pub materials: Vec<String>,
    #[serde(default = "quad")]
    /// The bloc whose shortfall is reported (curated/blocs.toml).
    pub bloc: String,
    #[serde(default)]
    /// The adversary country, for reports.
    pub adversary: Option<String>,
    /// Structure year: the network is built from the latest data up to it.
    #[serde(default = "y2024")]
    pub base_year: u16,
    #[serde(default = "w104")]
    /// Weeks simulated.
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
    /// Disruptions and projects (`[[event]]`).
    pub events: Vec<Event>,
    #[serde(default, rename = "policy")]
    /// Stockpiles and pacts (`[[policy]]`).
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
    /// The material whose price moves demand.
    pub from: String,
    /// The material whose demand moves.
    pub to: String,
    /// Cross-price elasticity of `to`'s demand with respect to `from`'s price: > 0 for
    /// substitutes, < 0 for complements.
    pub elasticity: f64,
    /// Where the elasticity comes from (a citation, or "assumed: …").
    pub source: String,
}

/// The rationing rule of a short supplier (docs/model.md, "One weekly step", step 7).
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
