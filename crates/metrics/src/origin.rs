//! Origin tracing: where a bloc's supply at a later stage comes from at each earlier stage,
//! and how much of it passed through the adversary at any stage.
//!
//! Method (docs/model.md, "Origin tracing"): a Leontief-style propagation of supply mixes.
//! Each country's supply of stage-s goods is its own output kept at home plus its imports,
//! and its stage-(s+1) output is assumed to be made from that mix in proportion
//! (proportional mixing: no country earmarks one origin for one buyer). Where no trade data
//! exists for the upstream stage (spodumene, HS 2530.90, is not in the BACI extract), a
//! refiner's deficit (output beyond its own mining) is sourced from the world's mining
//! surplus pro rata ("pool" assumption). A supplier with no output at the stage (a trading
//! hub) is treated as re-exporting the world's production mix.

use crate::concentration::Concentration;
use crate::trade::TradeIndex;
use crate::Members;
use quadrant_model::{CountryIx, Dataset, MaterialIx, Stage};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// How a trace sourced the upstream feed of the stage's producers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UpstreamMethod {
    /// From the upstream stage's bilateral trade (BACI).
    Trade,
    /// From the world's upstream surplus pro rata (no trade data for the upstream stage).
    Pool,
}

impl UpstreamMethod {
    /// The name used in outputs: `trade` or `pool`.
    pub fn as_str(self) -> &'static str {
        match self {
            UpstreamMethod::Trade => "trade",
            UpstreamMethod::Pool => "pool",
        }
    }
}

impl fmt::Display for UpstreamMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The origin trace of a bloc's supply at one stage (docs/model.md, "Origin tracing").
/// Serialised with its [`source`](OriginTrace::source) string as `source`.
#[derive(Debug, Clone)]
pub struct OriginTrace {
    /// Material id.
    pub material: String,
    /// The downstream stage traced.
    pub stage: Stage,
    /// Year of the production data.
    pub year: u16,
    /// Year of the trade data.
    pub trade_year: u16,
    /// Production datasets used for the downstream and upstream stage.
    pub datasets: (String, String),
    /// The trade dataset (the dataset's edition of BACI).
    pub trade_dataset: String,
    /// How the upstream feed was sourced: `trade` (BACI) or `pool` (surplus pro rata).
    pub upstream_method: UpstreamMethod,
    /// The bloc's supply at `stage`, in tonnes of content.
    pub supply_t: f64,
    /// Share of the bloc's supply by the country where `stage` took place, descending.
    pub by_stage_country: Vec<(String, f64)>,
    /// Share of the bloc's supply by the country of origin at the upstream stage, descending.
    pub by_origin: Vec<(String, f64)>,
    /// Share processed at `stage` in the adversary.
    pub adversary_at_stage: f64,
    /// Share originating upstream in the adversary.
    pub adversary_upstream: f64,
    /// Share that passed through the adversary at either stage.
    pub through_adversary: f64,
}

impl OriginTrace {
    /// The trace's sources as outputs cite them: both production datasets and the trade
    /// dataset, `+`-joined, then the trade year (`USGS-MCS2024+IEA-2025+BACI-HS92-V202401b
    /// 2022`).
    pub fn source(&self) -> String {
        format!(
            "{}+{}+{} {}",
            self.datasets.0, self.datasets.1, self.trade_dataset, self.trade_year
        )
    }
}

impl Serialize for OriginTrace {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut t = s.serialize_struct("OriginTrace", 15)?;
        t.serialize_field("material", &self.material)?;
        t.serialize_field("stage", &self.stage)?;
        t.serialize_field("year", &self.year)?;
        t.serialize_field("trade_year", &self.trade_year)?;
        t.serialize_field("datasets", &self.datasets)?;
        t.serialize_field("trade_dataset", &self.trade_dataset)?;
        t.serialize_field("source", &self.source())?;
        t.serialize_field("upstream_method", &self.upstream_method)?;
        t.serialize_field("supply_t", &self.supply_t)?;
        t.serialize_field("by_stage_country", &self.by_stage_country)?;
        t.serialize_field("by_origin", &self.by_origin)?;
        t.serialize_field("adversary_at_stage", &self.adversary_at_stage)?;
        t.serialize_field("adversary_upstream", &self.adversary_upstream)?;
        t.serialize_field("through_adversary", &self.through_adversary)?;
        t.end()
    }
}

/// Supply mix of one country at a stage: domestic output kept (P − X, floored at 0) plus
/// imports by partner. Returns (total supply, [(source country, tonnes)]).
pub fn supply_mix(
    conc: &Concentration,
    flows: &[(CountryIx, CountryIx, f64)],
    c: CountryIx,
) -> (f64, Vec<(CountryIx, f64)>) {
    let p = conc.value_of(c);
    let x: f64 = flows.iter().filter(|f| f.0 == c).map(|f| f.2).sum();
    let mut mix: BTreeMap<CountryIx, f64> = BTreeMap::new();
    let kept = (p - x).max(0.0);
    if kept > 0.0 {
        mix.insert(c, kept);
    }
    for &(e, i, q) in flows {
        if i == c {
            *mix.entry(e).or_default() += q;
        }
    }
    let total = mix.values().sum();
    (total, mix.into_iter().collect())
}

/// Upstream origin shares of a producer's `stage` output: [(origin country, share)].
pub fn upstream_origin(
    down: &Concentration,
    up: &Concentration,
    up_flows: Option<&[(CountryIx, CountryIx, f64)]>,
    r: CountryIx,
) -> Vec<(CountryIx, f64)> {
    if let Some(fl) = up_flows {
        // Feed bought from a country with no upstream output is a re-export, attributed to
        // the world's upstream producers pro rata.
        let (tot, mix) = consumer_mix(up, fl, r);
        if tot > 0.0 {
            return mix;
        }
        // A producer with no upstream supply on record: fall through to the pool.
    }
    let need = down.value_of(r);
    if need <= 0.0 {
        return vec![(r, 1.0)];
    }
    let own = up.value_of(r).min(need);
    let deficit = need - own;
    let mut out = Vec::new();
    if own > 0.0 {
        out.push((r, own / need));
    }
    if deficit > 0.0 {
        // World mining surplus: upstream output beyond each country's own downstream output.
        let surplus: Vec<(CountryIx, f64)> = up
            .shares
            .iter()
            .map(|s| (s.ix, (s.value_t - down.value_of(s.ix)).max(0.0)))
            .filter(|(c, v)| *v > 0.0 && *c != r)
            .collect();
        let tot: f64 = surplus.iter().map(|s| s.1).sum();
        if tot > 0.0 {
            for (c, v) in surplus {
                out.push((c, deficit / need * v / tot));
            }
        } else {
            // No surplus anywhere: the deficit is assumed domestic, as the uncovered feed is
            // elsewhere. `out` is empty when r mines nothing itself (issue 7: it was indexed).
            out.clear();
            out.push((r, 1.0));
        }
    }
    out
}

/// A country's supply mix at a stage with re-exports attributed to the world's producers pro
/// rata (as in [`origin_trace`]): (total supply, [(producer, share)]).
pub fn consumer_mix(
    conc: &Concentration,
    flows: &[(CountryIx, CountryIx, f64)],
    k: CountryIx,
) -> (f64, Vec<(CountryIx, f64)>) {
    let (tot, mix) = supply_mix(conc, flows, k);
    if tot <= 0.0 {
        return (0.0, Vec::new());
    }
    let out = attribute_reexports(conc, mix.into_iter().map(|(c, q)| (c, q / tot)));
    (tot, out.into_iter().collect())
}

/// Adds each (supplier, amount) to its supplier, or — for a supplier with no output at the
/// stage, a re-exporter — spreads it over the stage's producers in proportion to their shares.
fn attribute_reexports(
    conc: &Concentration,
    items: impl IntoIterator<Item = (CountryIx, f64)>,
) -> BTreeMap<CountryIx, f64> {
    let mut out: BTreeMap<CountryIx, f64> = BTreeMap::new();
    for (c, q) in items {
        if conc.value_of(c) > 0.0 {
            *out.entry(c).or_default() += q;
        } else {
            for s in &conc.shares {
                *out.entry(s.ix).or_default() += q * s.share;
            }
        }
    }
    out
}

/// The bloc's supply at `down.stage` split by the producer it came from, each producer with
/// its upstream feed: (supply, [(producer, tonnes, [(origin, share of its feed)])], whether the
/// feed came from trade data).
type Feeds = (f64, Vec<(CountryIx, f64, Vec<(CountryIx, f64)>)>, bool);

fn bloc_feeds(
    ds: &Dataset,
    trade: &TradeIndex,
    m: MaterialIx,
    down: &Concentration,
    up: &Concentration,
    trade_year: u16,
    bloc: &Members,
) -> Feeds {
    let flows = trade.flows(m, down.stage, trade_year);
    let up_flows = trade
        .covers(ds, m, up.stage)
        .then(|| trade.flows(m, up.stage, trade_year))
        .filter(|f| !f.is_empty());
    let mut at_stage: BTreeMap<CountryIx, f64> = BTreeMap::new();
    let mut supply = 0.0;
    for k in bloc.iter() {
        let (tot, mix) = supply_mix(down, flows, k);
        supply += tot;
        for (c, q) in mix {
            *at_stage.entry(c).or_default() += q;
        }
    }
    // A supplier with no output at this stage re-exports: its goods are attributed to the
    // world's producers pro rata, since BACI does not say where it bought them.
    let at_stage = attribute_reexports(down, at_stage);
    // Each producer's upstream mix, computed once for the origin, the adversary share and
    // the links.
    let feeds = at_stage
        .iter()
        .map(|(&r, &q)| (r, q, upstream_origin(down, up, up_flows, r)))
        .collect();
    (supply, feeds, up_flows.is_some())
}

/// The links of an origin trace: the bloc's supply at `down.stage` as (upstream origin,
/// producer at the stage, tonnes), largest first. Their sum is the trace's `supply_t`; summed
/// by producer they give `by_stage_country`, by origin `by_origin`.
pub fn origin_links(
    ds: &Dataset,
    trade: &TradeIndex,
    m: MaterialIx,
    down: &Concentration,
    up: &Concentration,
    trade_year: u16,
    bloc: &Members,
) -> Vec<(CountryIx, CountryIx, f64)> {
    let (_, feeds, _) = bloc_feeds(ds, trade, m, down, up, trade_year, bloc);
    let mut links: Vec<(CountryIx, CountryIx, f64)> = feeds
        .iter()
        .flat_map(|(r, q, feed)| feed.iter().map(move |&(o, sh)| (o, *r, q * sh)))
        .filter(|l| l.2 > 0.0)
        .collect();
    links.sort_by(|a, b| b.2.total_cmp(&a.2).then((a.0, a.1).cmp(&(b.0, b.1))));
    links
}

/// Traces the bloc's supply of (material, `down.stage`) back one stage, to `up.stage`.
pub fn origin_trace(
    ds: &Dataset,
    trade: &TradeIndex,
    m: MaterialIx,
    down: &Concentration,
    up: &Concentration,
    trade_year: u16,
    bloc: &Members,
    adversary: CountryIx,
) -> OriginTrace {
    let (supply, feeds, by_trade) = bloc_feeds(ds, trade, m, down, up, trade_year, bloc);
    let at_stage: BTreeMap<CountryIx, f64> = feeds.iter().map(|(r, q, _)| (*r, *q)).collect();
    let mut origin: BTreeMap<CountryIx, f64> = BTreeMap::new();
    for (_, q, feed) in &feeds {
        for &(o, sh) in feed {
            *origin.entry(o).or_default() += q * sh;
        }
    }
    let norm = |m: BTreeMap<CountryIx, f64>| -> Vec<(CountryIx, f64)> {
        let mut v: Vec<(CountryIx, f64)> = m
            .into_iter()
            .map(|(c, q)| (c, if supply > 0.0 { q / supply } else { 0.0 }))
            .collect();
        v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    };
    // Through the adversary: processed there, or processed elsewhere from its upstream output.
    let mut through = 0.0;
    for (r, q, feed) in &feeds {
        let w = if supply > 0.0 { q / supply } else { 0.0 };
        if *r == adversary {
            through += w;
        } else {
            let o: f64 = feed
                .iter()
                .filter(|(c, _)| *c == adversary)
                .map(|(_, s)| s)
                .sum();
            through += w * o;
        }
    }
    let at_stage = norm(at_stage);
    let origin = norm(origin);
    let get = |v: &[(CountryIx, f64)]| {
        v.iter()
            .filter(|(c, _)| *c == adversary)
            .map(|(_, s)| *s)
            .sum::<f64>()
    };
    let ids = |v: &[(CountryIx, f64)]| {
        v.iter()
            .map(|(c, s)| (ds.country_id(*c).to_string(), *s))
            .collect()
    };
    OriginTrace {
        material: ds.material_id(m).to_string(),
        stage: down.stage,
        year: down.year,
        trade_year,
        datasets: (down.dataset.clone(), up.dataset.clone()),
        trade_dataset: trade.source().to_string(),
        upstream_method: if by_trade {
            UpstreamMethod::Trade
        } else {
            UpstreamMethod::Pool
        },
        supply_t: supply,
        adversary_at_stage: get(&at_stage),
        adversary_upstream: get(&origin),
        through_adversary: through,
        by_stage_country: ids(&at_stage),
        by_origin: ids(&origin),
    }
}
