//! The supply network of one material: producers at each stage, the preferred supplier mix of
//! every buyer, and final demand — built from the dataset so that its baseline is an exact
//! steady state (docs/model.md, "Network").

use crate::balance::{ras, Balanced};
use quadrant_metrics::concentration::{
    concentration, concentration_in, latest_year, Concentration,
};
use quadrant_metrics::origin::{consumer_mix, upstream_origin};
use quadrant_metrics::TradeIndex;
use quadrant_model::{CountryIx, Dataset, DemandMethod, MaterialIx, Stage};
use std::collections::BTreeMap;

mod facilities;
use facilities::split_facilities;

/// One stage's producers and, for each buyer, its baseline orders by supplier.
#[derive(Debug, Clone)]
pub struct StageNet {
    /// The stage.
    pub stage: Stage,
    /// Weekly capacity by node (country or facility), t of content.
    pub capacity: Vec<f64>,
    /// Weekly baseline output by node.
    pub base_output: Vec<f64>,
    /// flows[b] = [(supplier, weekly baseline tonnes)] for buyer b (a producer of the next
    /// stage, or a final consumer at the last stage).
    pub flows: Vec<Vec<(usize, f64)>>,
    /// mix[b][j] = flows[b][j].1 / Σ_j flows[b][j].1: buyer b's baseline supplier shares,
    /// computed once (`StageNet::finish`) instead of every week.
    pub mix: Vec<Vec<f64>>,
    /// Σ_j mix[b][j], folded in order.
    pub mix_sum: Vec<f64>,
    /// Tonnes of the previous stage's product each tonne of output needs (κ, 1 at the first
    /// stage): the world's upstream output over this stage's output in the base year, so
    /// that mass balances with recorded figures at both stages (docs/model.md, "Network").
    pub feed_per_output: f64,
    /// Weekly recorded production of each country node (facility nodes 0), from the
    /// stage's dataset: what `base_output` is balanced to.
    pub recorded: Vec<f64>,
    /// How each baseline link from supplier country i to buyer country b was derived, keyed
    /// (b, i) by country node; a facility's links are its host's.
    pub derivation: BTreeMap<(usize, usize), LinkOrigin>,
    /// Outcome of balancing the links to the recorded figures.
    pub balance: Balanced,
    /// Country nodes with spare capacity, and the citation of the utilisation rate behind it.
    pub utilisation_source: BTreeMap<usize, String>,
}

/// How a baseline link was derived (docs/model.md, "Network").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkOrigin {
    /// A country's own output used at home (production not exported, per the trade data).
    Domestic,
    /// Bilateral trade data (re-exports attributed to producers by their world shares),
    /// scaled to the recorded production at both ends.
    Trade,
    /// Output no trade code sees (cobalt inside nickel intermediates, trade under codes
    /// missing from the extract, a stage without trade data), spread over all buyers in
    /// proportion to their needs.
    Pool,
}

impl LinkOrigin {
    /// The lowercase name used in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            LinkOrigin::Domestic => "domestic",
            LinkOrigin::Trade => "trade",
            LinkOrigin::Pool => "pool",
        }
    }
}

impl StageNet {
    /// A stage from its capacity, baseline output and flows; the supplier shares are
    /// computed here.
    pub fn new(
        stage: Stage,
        capacity: Vec<f64>,
        base_output: Vec<f64>,
        flows: Vec<Vec<(usize, f64)>>,
    ) -> StageNet {
        let mut sn = StageNet {
            stage,
            capacity,
            recorded: base_output.clone(),
            base_output,
            flows,
            mix: Vec::new(),
            mix_sum: Vec::new(),
            feed_per_output: 1.0,
            derivation: BTreeMap::new(),
            balance: Balanced {
                sweeps: 0,
                max_row_error: 0.0,
            },
            utilisation_source: BTreeMap::new(),
        };
        sn.finish();
        sn
    }
    /// Recomputes the supplier shares after the flows change.
    pub fn finish(&mut self) {
        self.mix = self
            .flows
            .iter()
            .map(|fl| {
                let base: f64 = fl.iter().map(|x| x.1).sum();
                fl.iter()
                    .map(|x| if base > 0.0 { x.1 / base } else { 0.0 })
                    .collect()
            })
            .collect();
        self.mix_sum = self.mix.iter().map(|m| m.iter().sum()).collect();
    }
}

/// One material's supply network: nodes, stages, final demand, partnerships.
#[derive(Debug, Clone)]
pub struct Network {
    /// Material id.
    pub material: String,
    /// Material index in the dataset.
    pub material_ix: MaterialIx,
    /// Structure year: the year of the data the network was built from.
    pub year: u16,
    /// The dataset of each stage, downstream first.
    pub datasets: Vec<String>,
    /// Node ids: country ids (node i is `countries[i]` at every stage), then the asset ids of
    /// facility nodes. The aggregate world consumer `WLD` is the last country entry when the
    /// final stage has no trade data.
    pub countries: Vec<String>,
    /// Upstream first.
    pub stages: Vec<StageNet>,
    /// Weekly baseline final demand by node.
    pub demand: Vec<f64>,
    /// How the last stage's buyers were derived: `trade` or `world-pool`.
    pub demand_method: DemandMethod,
    /// The country node each node belongs to: itself for a country, the host for a facility.
    pub parent: Vec<usize>,
    /// Facility nodes (curated assets of this material), in node order.
    pub facilities: Vec<Facility>,
    /// partner[b][i]: b and i share a bloc or a trade or minerals agreement in force in the
    /// network's year (curated layer; `in_force` no later than `year`; WTO disputes and talks
    /// excluded), or are the same node. Rerouting
    /// between partners meets less friction.
    pub partner: Vec<Vec<bool>>,
}

/// A facility node: a curated asset that takes its share of its host's output, capacity and
/// buyers (docs/model.md, "Facilities").
#[derive(Debug, Clone)]
pub struct Facility {
    /// Its node index.
    pub node: usize,
    /// Asset id (curated/ownership.toml).
    pub id: String,
    /// Asset name.
    pub name: String,
    /// Host country id.
    pub country: String,
    /// Stage index in `Network::stages`.
    pub stage: usize,
    /// Home country of the controlling owner (largest equity, operator on ties); None for
    /// artisanal and residual pseudo-assets.
    pub controller: Option<String>,
    /// Share of the host's output at that stage.
    pub share: f64,
    /// Citation of the asset's output.
    pub source: String,
}

impl Network {
    /// The node of a country or facility id.
    pub fn node(&self, id: &str) -> Option<usize> {
        self.countries.iter().position(|c| c == id)
    }
    /// Whether node i is x or one of x's facilities: a measure aimed at a country reaches its
    /// facilities.
    #[inline]
    pub fn within(&self, i: usize, x: usize) -> bool {
        i == x || self.parent[i] == x
    }
    /// The country id of node i (the host of a facility).
    pub fn country_of(&self, i: usize) -> &str {
        &self.countries[self.parent[i]]
    }
    /// The facility at node i; None for a country node.
    pub fn facility(&self, i: usize) -> Option<&Facility> {
        if self.parent[i] == i {
            return None;
        }
        self.facilities.iter().find(|f| f.node == i)
    }
    /// Whether a measure aimed at country (or facility) x reaches node i: x itself and its
    /// facilities, or, with `controlled_by = H`, only x's facilities whose controlling owner
    /// is at home in H.
    pub fn bound(&self, i: usize, x: usize, controlled_by: Option<&str>) -> bool {
        self.within(i, x)
            && controlled_by
                .is_none_or(|h| self.facility(i).and_then(|f| f.controller.as_deref()) == Some(h))
    }
    /// Nodes whose demand stands for a country's: the country itself, or — when final demand
    /// is one world pool (no trade data at the last stage) — the pool, i.e. every country is
    /// assumed to suffer the world's average shortfall.
    pub fn demand_nodes(&self, country: &str) -> Vec<usize> {
        if self.demand_method == DemandMethod::WorldPool {
            self.node("WLD").into_iter().collect()
        } else {
            self.node(country).into_iter().collect()
        }
    }
    /// Number of nodes.
    pub fn n(&self) -> usize {
        self.countries.len()
    }
    /// Σ over links of one step's updates: the work a step does, for throughput figures.
    pub fn links(&self) -> usize {
        self.stages
            .iter()
            .map(|s| s.flows.iter().map(|f| f.len()).sum::<usize>())
            .sum()
    }
}

const WEEKS: f64 = 52.0;

/// Country → node index, in the order nodes were added.
type Ids = BTreeMap<CountryIx, usize>;

fn add_node(c: CountryIx, ids: &mut Ids) -> usize {
    let n = ids.len();
    *ids.entry(c).or_insert(n)
}

/// Final demand: its nodes, each consumer's weekly demand and its flows from last-stage
/// producers (docs/model.md, "Network").
struct FinalDemand {
    countries: Vec<String>,
    demand: Vec<f64>,
    flows: Vec<Vec<(usize, f64)>>,
    derivation: BTreeMap<(usize, usize), LinkOrigin>,
    world_pool: bool,
}

/// Builds the network of `material` from the latest data up to `year`. The last stage is the
/// most downstream one with production data (components, refining or mining); the stage above
/// it is added when it has data, from the same dataset where that covers both. A network has
/// at most two stages: a material with components data alone (NdFeB magnets) is one stage.
pub fn build(ds: &Dataset, trade: &TradeIndex, m: MaterialIx, year: u16) -> Option<Network> {
    let last = [Stage::Components, Stage::Refining, Stage::Mining]
        .into_iter()
        .find(|&s| latest_year(ds, m, s, year).is_some())?;
    let y = latest_year(ds, m, last, year)?;
    let down = concentration(ds, m, last, y)?;
    let up: Option<Concentration> = last.upstream().and_then(|u| {
        concentration_in(ds, &down.dataset, m, u, y).or_else(|| concentration(ds, m, u, y))
    });
    // Nodes: every country producing at any stage, plus every consumer with trade.
    let mut ids: Ids = BTreeMap::new();
    for s in down
        .shares
        .iter()
        .chain(up.iter().flat_map(|u| u.shares.iter()))
    {
        add_node(s.ix, &mut ids);
    }
    let flows = trade.flows(m, last, trade.latest_year(m, last, y).unwrap_or(y));
    let fd = final_demand(ds, &down, flows, &mut ids);
    let n = fd.countries.len();
    let last_net = balanced_stage(
        last,
        fd.flows,
        recorded(&down, &ids, n),
        &fd.demand,
        fd.derivation,
    );
    let mut stages = Vec::new();
    let mut datasets = vec![down.dataset.clone()];
    let mut last_net = last_net;
    if let Some(up) = &up {
        datasets.push(up.dataset.clone());
        let up_net = upstream_stage(ds, trade, (m, y), (&down, up), &ids, &last_net.base_output);
        let fed: f64 = up_net.base_output.iter().sum();
        let made: f64 = last_net.base_output.iter().sum();
        last_net.feed_per_output = if made > 0.0 { fed / made } else { 1.0 };
        stages.push(up_net);
    }
    stages.push(last_net);
    let parent = (0..n).collect();
    let mut net = Network {
        material: ds.material_id(m).to_string(),
        material_ix: m,
        year: y,
        datasets,
        countries: fd.countries,
        stages,
        demand: fd.demand,
        demand_method: if fd.world_pool {
            DemandMethod::WorldPool
        } else {
            DemandMethod::Trade
        },
        parent,
        facilities: Vec::new(),
        partner: Vec::new(),
    };
    spare_capacity(ds, &mut net);
    split_facilities(ds, &mut net);
    for sn in net.stages.iter_mut() {
        sn.finish();
    }
    net.partner = partners(ds, &net);
    Some(net)
}

/// Each consumer's supply mix at the last stage (re-exports spread over producers), scaled so
/// that world demand equals world output; one world pool `WLD` where the last stage has no
/// trade data.
fn final_demand(
    ds: &Dataset,
    down: &Concentration,
    flows: &[(CountryIx, CountryIx, f64)],
    ids: &mut Ids,
) -> FinalDemand {
    let consumers: Vec<CountryIx> = {
        let mut v: Vec<CountryIx> = flows
            .iter()
            .map(|f| f.1)
            .chain(down.shares.iter().map(|s| s.ix))
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let mut demand: BTreeMap<CountryIx, (f64, Vec<(CountryIx, f64)>)> = BTreeMap::new();
    if !flows.is_empty() {
        for &k in &consumers {
            let (tot, mix) = consumer_mix(down, flows, k);
            if tot > 0.0 {
                add_node(k, ids);
                demand.insert(k, (tot, mix));
            }
        }
    }
    let world_pool = demand.is_empty();
    let mut countries: Vec<String> = vec![String::new(); ids.len()];
    for (&c, &i) in ids.iter() {
        countries[i] = ds.country_id(c).to_string();
    }
    let n = countries.len() + usize::from(world_pool);
    if world_pool {
        countries.push("WLD".into());
    }
    // Scale demand to the world's output at the last stage, so that mass balances.
    let world_out = down.total_t / WEEKS;
    let mut dem = vec![0.0; n];
    let mut final_flows: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
    if world_pool {
        dem[n - 1] = world_out;
        final_flows[n - 1] = down
            .shares
            .iter()
            .filter(|s| s.value_t > 0.0)
            .map(|s| (ids[&s.ix], world_out * s.share))
            .collect();
    } else {
        let tot: f64 = demand.values().map(|d| d.0).sum();
        for (k, (d, mix)) in &demand {
            let b = ids[k];
            dem[b] = d / tot * world_out;
            final_flows[b] = mix
                .iter()
                .filter(|x| x.1 > 0.0)
                .map(|(r, sh)| (ids[r], dem[b] * sh))
                .collect();
        }
    }
    let derivation = final_flows
        .iter()
        .enumerate()
        .flat_map(|(b, fl)| {
            fl.iter().map(move |&(i, _)| {
                let how = if world_pool {
                    LinkOrigin::Pool
                } else if i == b {
                    LinkOrigin::Domestic
                } else {
                    LinkOrigin::Trade
                };
                ((b, i), how)
            })
        })
        .collect();
    FinalDemand {
        countries,
        demand: dem,
        flows: final_flows,
        derivation,
        world_pool,
    }
}

/// Weekly recorded production of each country node, from the stage's dataset.
fn recorded(c: &Concentration, ids: &Ids, n: usize) -> Vec<f64> {
    let mut rec = vec![0.0; n];
    for s in &c.shares {
        rec[ids[&s.ix]] = s.value_t / WEEKS;
    }
    rec
}

/// A stage whose links are balanced so that every supplier ships its recorded production and
/// every buyer gets what it needs (`needs`): RAS on the derived pattern, after linking any
/// supplier or buyer the pattern leaves out to every counterpart by the pool rule. Capacity
/// equals the baseline output: no node has spare capacity unless a cited figure says so.
fn balanced_stage(
    stage: Stage,
    mut flows: Vec<Vec<(usize, f64)>>,
    recorded: Vec<f64>,
    needs: &[f64],
    mut derivation: BTreeMap<(usize, usize), LinkOrigin>,
) -> StageNet {
    let unlinked = |flows: &[Vec<(usize, f64)>]| -> Vec<bool> {
        let mut linked = vec![false; recorded.len()];
        flows.iter().flatten().for_each(|x| linked[x.0] = true);
        linked.iter().map(|l| !l).collect()
    };
    let missing = unlinked(&flows);
    pool_links(&mut flows, &recorded, needs, &missing, &mut derivation);
    let mut bal = ras(&mut flows, &recorded, needs);
    if bal.max_row_error > 1e-9 {
        // Suppliers the pattern cannot place (a trade extract that misses their buyers):
        // they also sell to every buyer by the pool rule.
        let mut sent = vec![0.0; recorded.len()];
        flows.iter().flatten().for_each(|x| sent[x.0] += x.1);
        let short: Vec<bool> = sent
            .iter()
            .zip(&recorded)
            .map(|(s, r)| *r > 0.0 && (s - r).abs() > 1e-9 * r)
            .collect();
        pool_links(&mut flows, &recorded, needs, &short, &mut derivation);
        bal = ras(&mut flows, &recorded, needs);
    }
    for fl in flows.iter_mut() {
        fl.retain(|x| x.1 > 0.0);
    }
    derivation.retain(|&(b, i), _| flows[b].iter().any(|x| x.0 == i));
    let mut out = vec![0.0; recorded.len()];
    flows.iter().flatten().for_each(|x| out[x.0] += x.1);
    let mut sn = StageNet::new(stage, out.clone(), out, flows);
    sn.recorded = recorded;
    sn.derivation = derivation;
    sn.balance = bal;
    sn
}

/// Links each supplier marked in `which` to every buyer with needs, in proportion to the
/// buyers' needs (the pool rule), where no link exists yet.
fn pool_links(
    flows: &mut [Vec<(usize, f64)>],
    recorded: &[f64],
    needs: &[f64],
    which: &[bool],
    derivation: &mut BTreeMap<(usize, usize), LinkOrigin>,
) {
    let total: f64 = needs.iter().sum();
    if total <= 0.0 {
        return;
    }
    for (i, _) in which
        .iter()
        .enumerate()
        .filter(|(i, w)| **w && recorded[*i] > 0.0)
    {
        for (b, fl) in flows.iter_mut().enumerate() {
            if needs[b] > 0.0 && !fl.iter().any(|x| x.0 == i) {
                fl.push((i, recorded[i] * needs[b] / total));
                derivation.insert((b, i), LinkOrigin::Pool);
            }
        }
    }
}

/// The upstream stage: each last-stage producer's feed (κ per tonne of its output), mixed as
/// `upstream_origin` says (trade or pool), balanced to the upstream producers' recorded output.
fn upstream_stage(
    ds: &Dataset,
    trade: &TradeIndex,
    (m, y): (MaterialIx, u16),
    (down, up): (&Concentration, &Concentration),
    ids: &Ids,
    out_last: &[f64],
) -> StageNet {
    let n = out_last.len();
    let up_flows = trade
        .covers(ds, m, up.stage)
        .then(|| trade.flows(m, up.stage, trade.latest_year(m, up.stage, y).unwrap_or(y)))
        .filter(|f| !f.is_empty());
    let rec = recorded(up, ids, n);
    let made: f64 = out_last.iter().sum();
    let kappa = if made > 0.0 {
        rec.iter().sum::<f64>() / made
    } else {
        1.0
    };
    let needs: Vec<f64> = out_last.iter().map(|q| q * kappa).collect();
    let mut feed: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
    let mut derivation = BTreeMap::new();
    for (&c, &r) in ids {
        if needs[r] <= 0.0 {
            continue;
        }
        for (o, sh) in upstream_origin(down, up, up_flows, c) {
            let Some(&oi) = ids.get(&o) else { continue };
            if sh <= 0.0 || rec[oi] <= 0.0 {
                continue;
            }
            feed[r].push((oi, needs[r] * sh));
            let how = if oi == r {
                LinkOrigin::Domestic
            } else if up_flows.is_some() {
                LinkOrigin::Trade
            } else {
                LinkOrigin::Pool
            };
            derivation.insert((r, oi), how);
        }
    }
    balanced_stage(up.stage, feed, rec, &needs, derivation)
}

/// Utilisation rates older or newer than this many years from the network's year are not used:
/// a stale figure would invent spare capacity as surely as none.
pub const UTILISATION_WITHIN_YEARS: i64 = 5;

/// Spare capacity where a cited utilisation rate says so (`curated/capacity.toml`: the
/// country's own rate, else the world's, of the nearest year within
/// [`UTILISATION_WITHIN_YEARS`]): K = Q̄ / rate. Elsewhere capacity stays at output.
fn spare_capacity(ds: &Dataset, net: &mut Network) {
    let year = i64::from(net.year);
    for sn in net.stages.iter_mut() {
        for (i, c) in net.countries.iter().enumerate() {
            let Some(u) = ds
                .curated
                .utilisation_for(&net.material, sn.stage, c, year)
                .filter(|u| (u.year - year).abs() <= UTILISATION_WITHIN_YEARS)
            else {
                continue;
            };
            sn.capacity[i] = sn.base_output[i] / u.rate;
            sn.utilisation_source.insert(i, u.source.clone());
        }
    }
}

/// Which node pairs share a bloc or an agreement in force in the network's year (see
/// [`Network::partner`]; issue 7: a 2010 network no longer counts 2022 agreements); a facility
/// is partner to whoever its host is partner to.
fn partners(ds: &Dataset, net: &Network) -> Vec<Vec<bool>> {
    let countries = &net.countries;
    let n = countries.len();
    let mut p = vec![vec![false; n]; n];
    let groups = ds.curated.blocs.iter().map(|b| &b.members).chain(
        ds.curated
            .agreements
            .iter()
            .filter(|a| a.partners_in(net.year))
            .map(|a| &a.parties),
    );
    for g in groups {
        let idx: Vec<usize> = g
            .iter()
            .filter_map(|c| countries.iter().position(|x| x == c))
            .collect();
        for &a in &idx {
            for &b in &idx {
                p[a][b] = true;
            }
        }
    }
    for (i, row) in p.iter_mut().enumerate() {
        row[i] = true;
    }
    for a in 0..n {
        for b in 0..n {
            if net.parent[a] != a || net.parent[b] != b {
                p[a][b] = p[net.parent[a]][net.parent[b]];
            }
        }
    }
    p
}
