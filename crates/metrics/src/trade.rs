//! Trade in material content: BACI flows mapped by `hs_map.csv` to (material, stage) and
//! converted from gross tonnes to the material's basis by each code's content factor.

use quadrant_model::{sources, CountryIx, Dataset, MaterialIx, Stage};
use std::collections::{BTreeSet, HashMap};

/// Bilateral flows (exporter, importer, tonnes of content), aggregated over HS codes, for each
/// (material, stage, year). Built once per dataset in one pass over the trade table.
#[derive(Debug, Default)]
pub struct TradeIndex {
    flows: HashMap<(MaterialIx, Stage, u16), Vec<(CountryIx, CountryIx, f64)>>,
    /// BACI rows of mapped codes that had no quantity (value only).
    pub missing_qty: usize,
    /// The source id of the trade rows (their edition of BACI), `+`-joined if several.
    source: String,
}

impl TradeIndex {
    /// Indexes the trade table of `ds`.
    pub fn build(ds: &Dataset) -> TradeIndex {
        let map: HashMap<u32, (MaterialIx, Stage, f64)> = ds
            .hs_map
            .iter()
            .map(|h| (h.hs6, (h.material, h.stage, h.content_factor)))
            .collect();
        let mut acc: HashMap<(MaterialIx, Stage, u16), HashMap<(CountryIx, CountryIx), f64>> =
            HashMap::new();
        let t = &ds.trade;
        let mut missing = 0;
        for i in 0..t.len() {
            let Some(&(m, s, f)) = map.get(&t.hs6[i]) else {
                continue;
            };
            let q = t.qty_t[i];
            if q.is_nan() {
                missing += 1;
                continue;
            }
            if t.exporter[i] == t.importer[i] {
                continue;
            }
            *acc.entry((m, s, t.year[i]))
                .or_default()
                .entry((t.exporter[i], t.importer[i]))
                .or_default() += q * f;
        }
        let flows = acc
            .into_iter()
            .map(|(k, v)| {
                let mut v: Vec<(CountryIx, CountryIx, f64)> =
                    v.into_iter().map(|((e, i), q)| (e, i, q)).collect();
                v.sort_by_key(|a| (a.0, a.1));
                (k, v)
            })
            .collect();
        TradeIndex {
            flows,
            missing_qty: missing,
            source: trade_source(ds),
        }
    }

    /// The source id of the trade data, as the dataset's rows name it (`BACI-HS92-V202401b`
    /// for the shipped one); the edition the code names when the table is empty.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Flows (exporter, importer, tonnes of content) of (material, stage, year).
    pub fn flows(&self, m: MaterialIx, s: Stage, year: u16) -> &[(CountryIx, CountryIx, f64)] {
        self.flows
            .get(&(m, s, year))
            .map(|v| v.as_slice())
            .unwrap_or(&[])
    }

    /// Whether any HS code maps to (material, stage).
    pub fn covers(&self, ds: &Dataset, m: MaterialIx, s: Stage) -> bool {
        ds.hs_map.iter().any(|h| h.material == m && h.stage == s)
    }

    /// The latest year ≤ `max` with flows for (material, stage).
    pub fn latest_year(&self, m: MaterialIx, s: Stage, max: u16) -> Option<u16> {
        self.flows
            .keys()
            .filter(|(mm, ss, y)| *mm == m && *ss == s && *y <= max)
            .map(|k| k.2)
            .max()
    }

    /// Imports and exports of one country.
    pub fn imports_exports(&self, m: MaterialIx, s: Stage, year: u16, c: CountryIx) -> (f64, f64) {
        let mut im = 0.0;
        let mut ex = 0.0;
        for &(e, i, q) in self.flows(m, s, year) {
            if i == c {
                im += q;
            }
            if e == c {
                ex += q;
            }
        }
        (im, ex)
    }
}

/// The distinct sources of the trade table's rows, `+`-joined in id order.
fn trade_source(ds: &Dataset) -> String {
    let ids: BTreeSet<&str> = ds
        .trade
        .source
        .iter()
        .copied()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .map(|s| ds.source_of(s).id.as_str())
        .collect();
    if ids.is_empty() {
        sources::BACI.to_string()
    } else {
        ids.into_iter().collect::<Vec<_>>().join("+")
    }
}
