//! Scenarios: immutable values read from TOML and validated like the dataset. An event is the
//! initial shock; how it evolves during a run is computed from the week (`Scenario::at`), never
//! stored in the event.

use quadrant_model::Dataset;
use serde::Deserialize;
use std::fmt;

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

/// Who an export measure applies to.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Targets {
    /// `"all"` or `"bloc:ID"`.
    Named(String),
    List(Vec<String>),
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
        targets: Targets,
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

fn all() -> Targets {
    Targets::Named("all".into())
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
        holders: Targets,
        material: String,
        weeks: f64,
        #[serde(default = "half")]
        release_below: f64,
    },
    /// A security pact: priority allocation among members, a joint stockpile, a price floor for
    /// members' producers, and a tariff on the adversary's goods.
    Pact {
        members: Targets,
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

/// A scenario problem, located in its file.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioError {
    pub file: String,
    pub line: Option<usize>,
    pub field: String,
    pub expected: String,
    pub found: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(
                f,
                "{}:{l}: field `{}`: expected {}, found {:?}",
                self.file, self.field, self.expected, self.found
            ),
            None => write!(
                f,
                "{}: field `{}`: expected {}, found {:?}",
                self.file, self.field, self.expected, self.found
            ),
        }
    }
}

impl Scenario {
    /// Parses and validates a scenario against the dataset; every problem is returned.
    pub fn parse(file: &str, text: &str, ds: &Dataset) -> Result<Scenario, Vec<ScenarioError>> {
        let sc: Scenario = toml::from_str(text).map_err(|e| {
            vec![ScenarioError {
                file: file.into(),
                line: e
                    .span()
                    .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1),
                field: "toml".into(),
                expected: "a scenario in the documented schema (docs/scenarios.md)".into(),
                found: e.message().to_string(),
            }]
        })?;
        let mut errs = Vec::new();
        // Locate the k-th [[event]] / [[policy]] table for messages.
        let line_of = |table: &str, k: usize| -> Option<usize> {
            let hdr = format!("[[{table}]]");
            text.lines()
                .enumerate()
                .filter(|(_, l)| l.trim() == hdr)
                .nth(k)
                .map(|(i, _)| i + 1)
        };
        let mut err = |line: Option<usize>, field: &str, expected: &str, found: &str| {
            errs.push(ScenarioError {
                file: file.into(),
                line,
                field: field.into(),
                expected: expected.into(),
                found: found.into(),
            })
        };
        let country_ok = |c: &str| ds.country(c).is_some();
        // An asset becomes a facility node of its material and stage when it has a content
        // factor (network.rs, split_facilities).
        let facility_ok = |c: &str, material: &str, stage: Option<&str>| {
            ds.curated.assets.iter().any(|a| {
                a.id == c
                    && a.material == material
                    && stage.is_some_and(|s| s == a.stage.as_str())
                    && a.content_factor.is_some_and(|f| f > 0.0)
            })
        };
        let targets_ok = |t: &Targets| match t {
            Targets::Named(s) if s == "all" => Ok(()),
            Targets::Named(s) => match s.strip_prefix("bloc:") {
                Some(b) if ds.curated.bloc(b).is_some() => Ok(()),
                _ => Err(s.clone()),
            },
            Targets::List(v) => v
                .iter()
                .find(|c| !country_ok(c))
                .map_or(Ok(()), |c| Err(c.clone())),
        };
        for m in &sc.materials {
            if ds.material(m).is_none() {
                err(None, "materials", "material ids from materials.csv", m);
            }
        }
        if ds.curated.bloc(&sc.bloc).is_none() {
            err(None, "bloc", "a bloc id from curated/blocs.toml", &sc.bloc);
        }
        if let Some(a) = &sc.adversary {
            if !country_ok(a) {
                err(None, "adversary", "a country id", a);
            }
        }
        if let Some(t) = &sc.trend {
            if !ds.demand_scenarios.iter().any(|r| &r.scenario == t) {
                err(
                    None,
                    "trend",
                    "an IEA scenario in demand_scenarios.csv (STEPS, APS, NZE)",
                    t,
                );
            }
        }
        if sc.weeks == 0 || sc.weeks > 52 * 30 {
            err(None, "weeks", "between 1 and 1560", &sc.weeks.to_string());
        }
        for (k, e) in sc.events.iter().enumerate() {
            let l = line_of("event", k);
            let (material, prob) = (e.material(), e.probability());
            let (who, stage, params): (Option<&str>, Option<&str>, Vec<(&str, Param)>) = match e {
                Event::ExportRestriction {
                    exporter,
                    controlled_by,
                    stage,
                    targets,
                    except,
                    share,
                    start_week,
                    duration_weeks,
                    ..
                } => {
                    if let Some(h) = controlled_by.as_ref().filter(|h| !country_ok(h)) {
                        err(l, "controlled_by", "a country id (the owners' home)", h);
                    }
                    if let Some(c) = except.iter().find(|c| !country_ok(c)) {
                        err(l, "except", "a list of country ids", c);
                    }
                    if let Err(t) = targets_ok(targets) {
                        err(
                            l,
                            "targets",
                            "\"all\", \"bloc:ID\" or a list of country ids",
                            &t,
                        );
                    }
                    (
                        Some(exporter),
                        Some(stage),
                        vec![
                            ("share", *share),
                            ("start_week", *start_week),
                            ("duration_weeks", *duration_weeks),
                        ],
                    )
                }
                Event::CapacityLoss {
                    country,
                    controlled_by,
                    stage,
                    share,
                    start_week,
                    duration_weeks,
                    recovery_weeks,
                    ..
                } => {
                    if let Some(h) = controlled_by.as_ref().filter(|h| !country_ok(h)) {
                        err(l, "controlled_by", "a country id (the owners' home)", h);
                    }
                    (
                        Some(country),
                        Some(stage),
                        vec![
                            ("share", *share),
                            ("start_week", *start_week),
                            ("duration_weeks", *duration_weeks),
                            ("recovery_weeks", *recovery_weeks),
                        ],
                    )
                }
                Event::CapacityExpansion {
                    country,
                    stage,
                    tonnes_per_year,
                    start_week,
                    ramp_weeks,
                    ..
                } => (
                    Some(country),
                    Some(stage),
                    vec![
                        ("tonnes_per_year", *tonnes_per_year),
                        ("start_week", *start_week),
                        ("ramp_weeks", *ramp_weeks),
                    ],
                ),
                Event::DemandShift {
                    country,
                    factor,
                    start_week,
                    duration_weeks,
                    ..
                } => (
                    country.as_deref(),
                    None,
                    vec![
                        ("factor", *factor),
                        ("start_week", *start_week),
                        ("duration_weeks", *duration_weeks),
                    ],
                ),
                Event::Dumping {
                    exporter,
                    stage,
                    price_cut,
                    volume_share,
                    start_week,
                    duration_weeks,
                    ..
                } => (
                    Some(exporter),
                    Some(stage),
                    vec![
                        ("price_cut", *price_cut),
                        ("volume_share", *volume_share),
                        ("start_week", *start_week),
                        ("duration_weeks", *duration_weeks),
                    ],
                ),
            };
            if ds.material(material).is_none() {
                err(l, "material", "a material id from materials.csv", material);
            }
            // Capacity events may name a facility (an asset id) instead of a country.
            let facility_allowed = matches!(
                e,
                Event::CapacityLoss { .. } | Event::CapacityExpansion { .. }
            );
            if let Some(c) = who {
                if !(country_ok(c) || (facility_allowed && facility_ok(c, material, stage))) {
                    err(
                        l,
                        "country/exporter",
                        if facility_allowed {
                            "a country id from countries.csv, or the id of an asset of this material and stage (with a content factor) from curated/ownership.toml"
                        } else {
                            "a country id from countries.csv"
                        },
                        c,
                    );
                }
            }
            if let Some(s) = stage {
                if quadrant_model::Stage::parse(s).is_none() {
                    err(l, "stage", "mining or refining", s);
                }
            }
            for (name, p) in params {
                let share_like = matches!(name, "share" | "price_cut");
                let bad =
                    !p.ok() || (share_like && !(0.0..=1.0).contains(&p.mid())) || p.mid() < 0.0;
                if bad {
                    err(
                        l,
                        name,
                        if share_like {
                            "a number (or [low, high]) in [0, 1]"
                        } else {
                            "a non-negative number or [low, high]"
                        },
                        &format!("{p:?}"),
                    );
                }
            }
            if !(0.0..=1.0).contains(&prob) {
                err(
                    l,
                    "probability",
                    "a probability in [0, 1]",
                    &prob.to_string(),
                );
            }
        }
        for (k, p) in sc.policies.iter().enumerate() {
            let l = line_of("policy", k);
            match p {
                Policy::Stockpile {
                    holders,
                    material,
                    weeks,
                    release_below,
                } => {
                    if let Err(t) = targets_ok(holders) {
                        err(
                            l,
                            "holders",
                            "\"all\", \"bloc:ID\" or a list of country ids",
                            &t,
                        );
                    }
                    if ds.material(material).is_none() {
                        err(l, "material", "a material id", material);
                    }
                    if !(*weeks >= 0.0 && weeks.is_finite()) {
                        err(l, "weeks", "a non-negative number", &weeks.to_string());
                    }
                    if !(0.0..=1.0).contains(release_below) {
                        err(
                            l,
                            "release_below",
                            "a share in [0, 1]",
                            &release_below.to_string(),
                        );
                    }
                }
                Policy::Pact {
                    members,
                    material,
                    tariff_on,
                    tariff,
                    joint_stockpile_weeks,
                    price_floor,
                    ..
                } => {
                    if let Err(t) = targets_ok(members) {
                        err(l, "members", "\"bloc:ID\" or a list of country ids", &t);
                    }
                    if let Some(m) = material.as_ref().filter(|m| ds.material(m).is_none()) {
                        err(l, "material", "a material id", m);
                    }
                    if let Some(t) = tariff_on.as_ref().filter(|t| !country_ok(t)) {
                        err(l, "tariff_on", "a country id", t);
                    }
                    if !(0.0..=1.0).contains(tariff) {
                        err(l, "tariff", "a rate in [0, 1]", &tariff.to_string());
                    }
                    if *joint_stockpile_weeks < 0.0 {
                        err(
                            l,
                            "joint_stockpile_weeks",
                            "a non-negative number",
                            &joint_stockpile_weeks.to_string(),
                        );
                    }
                    if let Some(f) = price_floor.filter(|f| f.is_nan() || *f <= 0.0) {
                        err(
                            l,
                            "price_floor",
                            "a positive price relative to the base price",
                            &f.to_string(),
                        );
                    }
                }
            }
        }
        for (k, x) in sc.substitutions.iter().enumerate() {
            let l = line_of("substitution", k);
            for m in [&x.from, &x.to] {
                if ds.material(m).is_none() {
                    err(l, "from/to", "material ids from materials.csv", m);
                } else if !sc.material_ids().contains(m) {
                    err(
                        l,
                        "from/to",
                        "a material the scenario simulates (`materials`)",
                        m,
                    );
                }
            }
            if x.from == x.to {
                err(l, "to", "a material other than `from`", &x.to);
            }
            if !(x.elasticity.is_finite() && x.elasticity.abs() <= 2.0) {
                err(
                    l,
                    "elasticity",
                    "a cross-price elasticity in [-2, 2]",
                    &x.elasticity.to_string(),
                );
            }
            if x.source.trim().is_empty() {
                err(l, "source", "a citation, or \"assumed: …\"", "");
            }
        }
        if errs.is_empty() {
            Ok(sc)
        } else {
            Err(errs)
        }
    }

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

/// Resolves targets to country ids.
pub fn resolve(ds: &Dataset, t: &Targets) -> Option<Vec<String>> {
    match t {
        Targets::Named(s) if s == "all" => None,
        Targets::Named(s) => Some(
            s.strip_prefix("bloc:")
                .and_then(|b| ds.curated.bloc(b))
                .map(|b| b.members.clone())
                .unwrap_or_default(),
        ),
        Targets::List(v) => Some(v.clone()),
    }
}
