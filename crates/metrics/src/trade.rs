//! Trade in material content: BACI flows mapped by `hs_map.csv` to (material, stage) and
//! converted from gross tonnes to the material's basis by each code's content factor.

use quadrant_model::{CountryIx, Dataset, MaterialIx, Stage};
use std::collections::HashMap;

/// Bilateral flows (exporter, importer, tonnes of content), aggregated over HS codes, for each
/// (material, stage, year). Built once per dataset in one pass over the trade table.
#[derive(Debug, Default)]
pub struct TradeIndex {
    flows: HashMap<(MaterialIx, Stage, u16), Vec<(CountryIx, CountryIx, f64)>>,
    /// BACI rows of mapped codes that had no quantity (value only).
    pub missing_qty: usize,
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
        }
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
