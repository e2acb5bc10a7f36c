//! Chokepoints: single (country, stage) and single-facility outages ranked by the shortfall
//! they cause the bloc.

use crate::network::Network;
use crate::params::MatParams;
use crate::realize::{CapLoss, Realized};
use crate::record::{KpiRecorder, Recorder};
use crate::run::run;
use quadrant_metrics::brief::Citation;
use quadrant_model::Dataset;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;

/// The week a chokepoint outage starts.
pub const OUTAGE_START: usize = 4;

/// One candidate chokepoint: a full outage of one (country, stage), or of one facility.
#[derive(Debug, Clone, Serialize)]
pub struct Chokepoint {
    /// The country (the host, for a facility).
    pub country: String,
    /// The facility's name when the outage is of one facility, not the whole country.
    pub facility: Option<String>,
    /// The stage struck.
    pub stage: String,
    /// The node's share of world output at that stage.
    pub world_share: f64,
    /// The bloc's shortfall as a share of its desired demand over the horizon.
    pub bloc_shortfall_share: f64,
    /// Highest world price at any stage over the horizon (× baseline).
    pub peak_price_vs_baseline: f64,
}

/// Ranks single (country, stage) and single-facility outages of `weeks` weeks by the bloc's
/// shortfall over `horizon` weeks; `bloc` holds the bloc's demand nodes
/// (`who::Bloc::demand_nodes`). Candidates: nodes with at least `min_share` of a stage's
/// output.
pub fn chokepoints(
    net: &Network,
    p: &MatParams,
    bloc: &[usize],
    weeks: usize,
    horizon: usize,
    min_share: f64,
) -> Vec<Chokepoint> {
    // Countries (with their facilities) and single facilities.
    let mut cands = Vec::new();
    for (s, sn) in net.stages.iter().enumerate() {
        let tot: f64 = sn.base_output.iter().sum();
        for i in 0..net.n() {
            let q: f64 = if net.parent[i] == i {
                (0..net.n())
                    .filter(|&j| net.within(j, i))
                    .map(|j| sn.base_output[j])
                    .sum()
            } else {
                sn.base_output[i]
            };
            if tot > 0.0 && q / tot >= min_share {
                cands.push((s, i, q / tot));
            }
        }
    }
    let mut out: Vec<Chokepoint> = cands
        .par_iter()
        .map(|&(s, i, sh)| {
            let r = Realized {
                losses: (0..net.n())
                    .filter(|&j| j == i || (net.parent[i] == i && net.within(j, i)))
                    .map(|j| CapLoss {
                        node: j,
                        stage: s,
                        share: 1.0,
                        announced: OUTAGE_START,
                        start: OUTAGE_START,
                        end: OUTAGE_START + weeks,
                        recovery: 0,
                    })
                    .collect(),
                ..Default::default()
            };
            let mut kpi = KpiRecorder::default();
            run(net, p, &r, horizon, &mut [&mut kpi as &mut dyn Recorder]);
            Chokepoint {
                country: net.country_of(i).to_string(),
                facility: net.facility(i).map(|f| f.name.clone()),
                stage: net.stages[s].stage.as_str().to_string(),
                world_share: sh,
                bloc_shortfall_share: kpi.shortfall_share(bloc),
                peak_price_vs_baseline: kpi.peak_price(),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.bloc_shortfall_share
            .total_cmp(&a.bloc_shortfall_share)
            .then(b.world_share.total_cmp(&a.world_share))
    });
    out
}

/// A ranking with what a report prints beside it: the question asked, names for the ids and
/// the full citations of the network's data.
#[derive(Debug, Clone)]
pub struct ChokeReport {
    /// Bloc id and its short name.
    pub bloc: (String, String),
    /// Material id and its name.
    pub material: (String, String),
    /// Outage length, weeks.
    pub weeks: usize,
    /// Weeks simulated.
    pub horizon: usize,
    /// Structure year of the network.
    pub year: u16,
    /// Smallest share of a stage's world output for a candidate.
    pub min_share: f64,
    /// The outages, largest shortfall first.
    pub rows: Vec<Chokepoint>,
    /// Country names by id, for the countries in `rows`.
    pub names: BTreeMap<String, String>,
    /// The sources of the network.
    pub sources: Vec<Citation>,
}

impl ChokeReport {
    /// The name of country `id`, or the id when the dataset has none.
    pub fn country_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.names.get(id).map_or(id, String::as_str)
    }
}

/// The names of the countries in `rows`.
pub(crate) fn country_names(ds: &Dataset, rows: &[Chokepoint]) -> BTreeMap<String, String> {
    rows.iter()
        .filter_map(|c| {
            let ix = ds.country(&c.country)?;
            Some((c.country.clone(), ds.countries[ix as usize].name.clone()))
        })
        .collect()
}
