//! Model parameters per material, from `data/world/sim_params.toml` (each with its source or
//! the statement that it was fitted, and on what).

use serde::Deserialize;
use std::collections::BTreeMap;

/// One material's simulator parameters (docs/model.md, "Notation").
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatParams {
    /// Price response to unfilled orders (share of weekly baseline flow): ln p += λ·x.
    pub lambda: f64,
    /// Response of a buyer's log price premium to its own inventory gap in excess of the
    /// world's (regional prices).
    pub lambda_regional: f64,
    /// Weekly mean reversion of ln p toward its anchor.
    pub rho: f64,
    /// Expectations: the log price jumps by θ × the fear index when a supply shock is
    /// announced, and its anchor stays raised by as much while the fear lasts.
    pub theta: f64,
    /// Precaution: buyers raise their inventory target by π × the fear index while a shortage
    /// is feared, and release the extra stock after it.
    pub precaution: f64,
    /// Price elasticity of final demand (≤ 0).
    pub eps_demand: f64,
    /// Price elasticity of supply (≥ 0), on baseline output, within capacity.
    pub eps_supply: f64,
    /// Long-run price elasticity of final demand (≤ `eps_demand`): substitution and thrifting
    /// that build up while a price stays high.
    pub eps_demand_long: f64,
    /// Weeks over which demand moves from its short-run to its long-run response (the time
    /// constant of the partial adjustment).
    pub adjust_weeks: f64,
    /// Weeks over which supply answers a price change (the time constant of its partial
    /// adjustment; 1 = at once), always within capacity.
    pub supply_lag_weeks: f64,
    /// Consumers' inventory target, weeks of baseline demand.
    pub cover_weeks: f64,
    /// Producers' feed inventory target, weeks of baseline output.
    pub input_cover_weeks: f64,
    /// Inventories are rebuilt over this many weeks.
    pub replenish_weeks: f64,
    /// Weeks before an unfilled order is placed with another supplier.
    pub reroute_lag: usize,
    /// Share of an unfilled order that is rerouted (the rest is lost demand).
    pub reroute_share: f64,
    /// Weight of a supplier outside the buyer's blocs and agreements when rerouting, relative
    /// to a partner (1 = no preference).
    pub reroute_friction: f64,
    /// Where the values come from (citation, "fitted on …" or "assumed").
    #[serde(default)]
    pub source: String,
    /// For every parameter, whether it is fitted, taken from a cited study, or assumed.
    #[serde(default)]
    pub provenance: BTreeMap<String, Provenance>,
}

/// Whether a parameter was fitted, taken from a cited study, or assumed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Provenance {
    /// Fitted by `quadrant backtest --fit` on the events marked fitted.
    Fitted,
    /// Taken from a study cited in `source`.
    Cited,
    /// Assumed, with the reason in `source`.
    Assumed,
}

/// Every parameter of [`MatParams`], by its field name.
pub const FIELDS: [&str; 16] = [
    "lambda",
    "theta",
    "precaution",
    "lambda_regional",
    "rho",
    "eps_demand",
    "eps_supply",
    "eps_demand_long",
    "adjust_weeks",
    "supply_lag_weeks",
    "cover_weeks",
    "input_cover_weeks",
    "replenish_weeks",
    "reroute_lag",
    "reroute_share",
    "reroute_friction",
];

/// The price-response parameters a back-test fits, shared by all materials.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct PriceResponse {
    /// λ: weekly response of ln p to the buyers' inventory gap.
    pub lambda: f64,
    /// ρ: weekly mean reversion of ln p.
    pub rho: f64,
    /// θ: log jump per unit of the fear index (expectations).
    pub theta: f64,
}

/// Longest reroute lag, weeks.
pub const MAX_REROUTE_LAG: usize = 52;

impl MatParams {
    /// Every value finite and in its domain; the message names the field, what was expected
    /// and what was found.
    pub fn check(&self) -> Result<(), String> {
        let ranges: [(&str, f64, f64, f64); 15] = [
            ("lambda", self.lambda, 0.0, 10.0),
            ("theta", self.theta, 0.0, 5.0),
            ("precaution", self.precaution, 0.0, 5.0),
            ("lambda_regional", self.lambda_regional, 0.0, 10.0),
            ("rho", self.rho, 0.0, 1.0),
            ("eps_demand", self.eps_demand, -5.0, 0.0),
            ("eps_supply", self.eps_supply, 0.0, 5.0),
            (
                "eps_demand_long",
                self.eps_demand_long,
                -5.0,
                self.eps_demand,
            ),
            ("adjust_weeks", self.adjust_weeks, 1.0, 520.0),
            ("supply_lag_weeks", self.supply_lag_weeks, 1.0, 520.0),
            ("cover_weeks", self.cover_weeks, 0.0, 520.0),
            ("input_cover_weeks", self.input_cover_weeks, 0.0, 520.0),
            ("replenish_weeks", self.replenish_weeks, 1.0, 520.0),
            ("reroute_share", self.reroute_share, 0.0, 1.0),
            ("reroute_friction", self.reroute_friction, 0.0, 1.0),
        ];
        for (field, v, lo, hi) in ranges {
            if !(v.is_finite() && (lo..=hi).contains(&v)) {
                return Err(format!(
                    "field `{field}`: expected a number in [{lo}, {hi}], found {v}"
                ));
            }
        }
        let params = &FIELDS[..];
        if let Some(k) = params.iter().find(|k| !self.provenance.contains_key(**k)) {
            return Err(format!(
                "field `provenance`: expected an entry for `{k}` (fitted, cited or assumed)"
            ));
        }
        if let Some(k) = self
            .provenance
            .keys()
            .find(|k| !params.contains(&k.as_str()))
        {
            return Err(format!(
                "field `provenance`: expected only parameter names, found `{k}`"
            ));
        }
        if self.reroute_lag > MAX_REROUTE_LAG {
            return Err(format!(
                "field `reroute_lag`: expected at most {MAX_REROUTE_LAG} weeks, found {}",
                self.reroute_lag
            ));
        }
        Ok(())
    }
}

/// A parameter file that could not be read: the table at fault (empty for the file as a
/// whole) and what is wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}{message}", if table.is_empty() { String::new() } else { format!("{table}: ") })]
pub struct ParamsError {
    /// `default`, `material.ID`, or empty.
    pub table: String,
    /// What is wrong.
    pub message: String,
}

/// Parameters with per-material overrides merged over the defaults.
#[derive(Debug, Clone)]
pub struct Params {
    /// The `[default]` table.
    pub default: MatParams,
    /// Each `[material.ID]` table merged over the defaults.
    pub by_material: BTreeMap<String, MatParams>,
}

/// The shipped parameter file, data/world/sim_params.toml.
pub const SHIPPED: &str = include_str!("../../../data/world/sim_params.toml");

impl Params {
    /// Parses a parameter file: a `[default]` table and `[material.ID]` overrides.
    pub fn parse(text: &str) -> Result<Params, ParamsError> {
        let err = |table: &str, message: String| ParamsError {
            table: table.to_string(),
            message,
        };
        let root: toml::Table = toml::from_str(text).map_err(|e| err("", e.to_string()))?;
        if let Some(k) = root.keys().find(|k| *k != "default" && *k != "material") {
            return Err(err(
                "",
                format!("unknown table `{k}`: expected `default` and `material.ID`"),
            ));
        }
        let base = root
            .get("default")
            .and_then(|v| v.as_table())
            .cloned()
            .ok_or_else(|| err("", "missing [default] table".into()))?;
        let default: MatParams = base
            .clone()
            .try_into()
            .map_err(|e: toml::de::Error| err("default", e.to_string()))?;
        default.check().map_err(|m| err("default", m))?;
        let mut by_material = BTreeMap::new();
        if let Some(mats) = root.get("material").and_then(|v| v.as_table()) {
            for (m, over) in mats {
                let table = format!("material.{m}");
                let mut t = base.clone();
                for (k, v) in over
                    .as_table()
                    .ok_or_else(|| err(&table, "expected a table".into()))?
                {
                    // A material's provenance entries amend the defaults' rather than replace them.
                    match (k.as_str(), t.get_mut(k), v.as_table()) {
                        ("provenance", Some(toml::Value::Table(old)), Some(new)) => {
                            old.extend(new.clone());
                        }
                        _ => {
                            t.insert(k.clone(), v.clone());
                        }
                    }
                }
                let mp: MatParams = t
                    .try_into()
                    .map_err(|e: toml::de::Error| err(&table, e.to_string()))?;
                mp.check().map_err(|m| err(&table, m))?;
                by_material.insert(m.clone(), mp);
            }
        }
        Ok(Params {
            default,
            by_material,
        })
    }
    /// The same parameters with the price response (λ, ρ) set for every material: what
    /// `quadrant backtest --fit` and a user's override change.
    pub fn with_price_response(&self, r: PriceResponse) -> Params {
        let mut p = self.clone();
        for m in std::iter::once(&mut p.default).chain(p.by_material.values_mut()) {
            m.lambda = r.lambda;
            m.rho = r.rho;
            m.theta = r.theta;
        }
        p
    }
    /// The shared price response of the defaults.
    pub fn price_response(&self) -> PriceResponse {
        PriceResponse {
            lambda: self.default.lambda,
            rho: self.default.rho,
            theta: self.default.theta,
        }
    }
    /// Consumer inventory targets from cited stock figures (`curated/capacity.toml`, stocks of
    /// refined product held by its users, the latest up to `year`) for every material whose
    /// `cover_weeks` is still assumed; the provenance then says cited and the source names the
    /// figure.
    pub fn with_stock_data(&self, ds: &quadrant_model::Dataset, year: i64) -> Params {
        let mut p = self.clone();
        for m in &ds.materials {
            let Some(c) = ds.curated.stock_cover(
                &m.id,
                quadrant_model::Stage::Refining,
                quadrant_model::StockHolder::Consumers,
                year,
            ) else {
                continue;
            };
            let mut mp = p.get(&m.id).clone();
            if mp.provenance.get("cover_weeks") != Some(&Provenance::Assumed) {
                continue;
            }
            mp.cover_weeks = c.weeks;
            mp.provenance
                .insert("cover_weeks".into(), Provenance::Cited);
            mp.source = format!(
                "{}; cover_weeks {}: users' stocks of refined {} ({}, {})",
                mp.source, c.weeks, m.id, c.year, c.source
            );
            p.by_material.insert(m.id.clone(), mp);
        }
        p
    }
    /// The shipped parameters (data/world/sim_params.toml).
    pub fn shipped() -> Params {
        Params::parse(SHIPPED).expect("shipped sim_params.toml parses")
    }
    /// The parameters of `material` (its overrides, or the defaults).
    pub fn get(&self, material: &str) -> &MatParams {
        self.by_material.get(material).unwrap_or(&self.default)
    }
}
