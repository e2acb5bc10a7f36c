//! Trends: demand along an IEA scenario and capacity along the IEA base case, week by week
//! (docs/model.md, "Trends"). A trend depends only on the network and the scenario's choice
//! of IEA scenario and horizon, so it is computed once per network and shared by every run.

use crate::network::Network;
use crate::scenario::Scenario;
use quadrant_model::{sources, Dataset, Stage};
use std::sync::Arc;

/// Demand and capacity growth along an IEA scenario, week by week (index = week).
#[derive(Debug, Clone, Default)]
pub struct Trend {
    /// The IEA scenario (STEPS, APS, NZE).
    pub scenario: String,
    /// Demand factor per week, relative to week 0.
    pub demand: Vec<f64>,
    /// Capacity factor capacity[s][i][w] of node i at stage s in week w, relative to week 0.
    pub capacity: Vec<Vec<Vec<f64>>>,
}

/// The trend of `net` over `weeks` weeks: week 0 is the start of the year after the network's
/// year, and factors are relative to week 0 so that a run starts in its steady state.
pub fn trend(ds: &Dataset, net: &Network, scenario: &str, weeks: usize) -> Option<Trend> {
    let y0 = net.year as f64 + 1.0;
    let year = |w: usize| y0 + w as f64 / 52.0;
    let d0 = ds.demand_growth(net.material_ix, scenario, net.year, y0)?;
    let demand: Vec<f64> = (0..weeks)
        .map(|w| {
            ds.demand_growth(net.material_ix, scenario, net.year, year(w))
                .unwrap_or(d0)
                / d0
        })
        .collect();
    // Capacity along the IEA base case: the node's own path where IEA lists the country, the
    // world path otherwise (docs/model.md, "Trends").
    let path = |stage: Stage, country: Option<quadrant_model::CountryIx>| -> Vec<(f64, f64)> {
        let mut pts: Vec<(f64, f64)> = Vec::new();
        for (dsname, yr) in [
            (sources::IEA_2025, 2024u16),
            (sources::IEA_2025_BASE, 2030),
            (sources::IEA_2025_BASE, 2035),
            (sources::IEA_2025_BASE, 2040),
        ] {
            let v: f64 = ds
                .production_rows(dsname, net.material_ix, stage, yr)
                .filter(|r| country.is_none_or(|c| r.country == c))
                .map(|r| r.value_t)
                .sum();
            if v > 0.0 {
                pts.push((yr as f64, v));
            }
        }
        pts
    };
    let interp = |pts: &[(f64, f64)], y: f64| -> f64 {
        if pts.is_empty() {
            return 1.0;
        }
        if y <= pts[0].0 {
            return pts[0].1;
        }
        if y >= pts[pts.len() - 1].0 {
            return pts[pts.len() - 1].1;
        }
        pts.windows(2)
            .find(|w| y >= w[0].0 && y <= w[1].0)
            .map_or(1.0, |w| {
                w[0].1 + (w[1].1 - w[0].1) * (y - w[0].0) / (w[1].0 - w[0].0)
            })
    };
    let capacity = net
        .stages
        .iter()
        .map(|sn| {
            let world = path(sn.stage, None);
            (0..net.n())
                .map(|i| {
                    let own = ds
                        .country(net.country_of(i))
                        .map(|c| path(sn.stage, Some(c)))
                        .unwrap_or_default();
                    let pts = if own.len() >= 2 { own } else { world.clone() };
                    let base = interp(&pts, y0);
                    (0..weeks)
                        .map(|w| {
                            if pts.len() >= 2 && base > 0.0 {
                                interp(&pts, year(w)) / base
                            } else {
                                1.0
                            }
                        })
                        .collect()
                })
                .collect()
        })
        .collect();
    Some(Trend {
        scenario: scenario.to_string(),
        demand,
        capacity,
    })
}

/// The trend a scenario asks for on `net` (`trend = "STEPS"` …), to share across runs; None
/// without a trend, or for a material the IEA does not cover.
pub fn for_scenario(ds: &Dataset, sc: &Scenario, net: &Network) -> Option<Arc<Trend>> {
    sc.trend
        .as_ref()
        .and_then(|t| trend(ds, net, t, sc.weeks))
        .map(Arc::new)
}
