//! Model parameters per material, from `data/world/sim_params.toml` (each with its source or
//! the statement that it was fitted, and on what).

use serde::Deserialize;
use std::collections::BTreeMap;

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
    /// Price elasticity of final demand (≤ 0).
    pub eps_demand: f64,
    /// Price elasticity of supply (≥ 0), on baseline output, within capacity.
    pub eps_supply: f64,
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
    #[serde(default)]
    pub source: String,
}

/// Parameters with per-material overrides merged over the defaults.
#[derive(Debug, Clone)]
pub struct Params {
    pub default: MatParams,
    pub by_material: BTreeMap<String, MatParams>,
}

pub const SHIPPED: &str = include_str!("../../../data/world/sim_params.toml");

impl Params {
    /// Parses a parameter file: a `[default]` table and `[material.ID]` overrides.
    pub fn parse(text: &str) -> Result<Params, String> {
        let root: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
        if let Some(k) = root.keys().find(|k| *k != "default" && *k != "material") {
            return Err(format!(
                "unknown table `{k}`: expected `default` and `material.ID`"
            ));
        }
        let base = root
            .get("default")
            .and_then(|v| v.as_table())
            .cloned()
            .ok_or("missing [default] table")?;
        let default: MatParams = base
            .clone()
            .try_into()
            .map_err(|e: toml::de::Error| format!("default: {e}"))?;
        let mut by_material = BTreeMap::new();
        if let Some(mats) = root.get("material").and_then(|v| v.as_table()) {
            for (m, over) in mats {
                let mut t = base.clone();
                for (k, v) in over
                    .as_table()
                    .ok_or(format!("material.{m}: expected a table"))?
                {
                    t.insert(k.clone(), v.clone());
                }
                let mp: MatParams = t
                    .try_into()
                    .map_err(|e: toml::de::Error| format!("material.{m}: {e}"))?;
                by_material.insert(m.clone(), mp);
            }
        }
        Ok(Params {
            default,
            by_material,
        })
    }
    pub fn shipped() -> Params {
        Params::parse(SHIPPED).expect("shipped sim_params.toml parses")
    }
    pub fn get(&self, material: &str) -> &MatParams {
        self.by_material.get(material).unwrap_or(&self.default)
    }
}
