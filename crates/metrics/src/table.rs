//! The plain concentration and import-reliance table that `bench/peer_table.py` recomputes with
//! pandas and polars from the raw files, for a like-for-like speed comparison. Gross tonnes as
//! the sources give them (World Mining Data production, BACI quantities over each commodity's
//! GeoPolRisk HS codes), no content conversion, years 2018–2024.

use quadrant_model::{CountryIx, Dataset};
use std::collections::{BTreeMap, HashMap};

/// One row of the peer table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// `share`, `hhi` or `reliance`.
    pub table: &'static str,
    /// World Mining Data commodity name.
    pub commodity: String,
    /// Year.
    pub year: u16,
    /// Country id, or `world` for HHI rows.
    pub country: String,
    /// The figure.
    pub value: f64,
}

fn raw_t(v: &str, unit: &str) -> f64 {
    let x = v.trim().parse::<f64>().unwrap_or(0.0);
    if unit == "kg" {
        x / 1000.0
    } else {
        x
    }
}

/// HHI of production per (commodity, year) and net import reliance (M − X)/(P + M − X) per
/// (country, commodity, year); rows sorted by (table, commodity, year, country).
pub fn hhi_reliance_table(ds: &Dataset) -> Vec<Row> {
    let mut out = Vec::new();
    let years = 2018..=2024u16;
    for g in &ds.gpr_map {
        let Some(m) = g.material else { continue };
        let mut prod: BTreeMap<u16, HashMap<CountryIx, f64>> = BTreeMap::new();
        for r in ds
            .production
            .iter()
            .filter(|r| r.material == m && r.dataset == quadrant_model::sources::WMD)
        {
            *prod
                .entry(r.year)
                .or_default()
                .entry(r.country)
                .or_default() += raw_t(&r.raw_value, &r.raw_unit);
        }
        let mut trade: BTreeMap<u16, HashMap<CountryIx, (f64, f64)>> = BTreeMap::new();
        let t = &ds.trade;
        for i in 0..t.len() {
            if !years.contains(&t.year[i]) || !g.hs6.contains(&t.hs6[i]) || t.qty_t[i].is_nan() {
                continue;
            }
            let y = trade.entry(t.year[i]).or_default();
            y.entry(t.importer[i]).or_default().0 += t.qty_t[i];
            y.entry(t.exporter[i]).or_default().1 += t.qty_t[i];
        }
        for y in years.clone() {
            let p = prod.get(&y);
            if let Some(p) = p {
                let tot: f64 = p.values().sum();
                if tot > 0.0 {
                    let hhi = p.values().map(|v| (v / tot) * (v / tot)).sum();
                    out.push(Row {
                        table: "hhi",
                        commodity: g.commodity.clone(),
                        year: y,
                        country: "world".into(),
                        value: hhi,
                    });
                }
            }
            let empty = HashMap::new();
            let tr = trade.get(&y).unwrap_or(&empty);
            let mut countries: Vec<CountryIx> = tr
                .keys()
                .copied()
                .chain(
                    p.map(|p| p.keys().copied().collect::<Vec<_>>())
                        .unwrap_or_default(),
                )
                .collect();
            countries.sort_unstable();
            countries.dedup();
            for c in countries {
                let pv = p.and_then(|p| p.get(&c)).copied().unwrap_or(0.0);
                let (mi, xo) = tr.get(&c).copied().unwrap_or((0.0, 0.0));
                let den = pv + mi - xo;
                if den > 0.0 {
                    out.push(Row {
                        table: "nir",
                        commodity: g.commodity.clone(),
                        year: y,
                        country: ds.country_id(c).to_string(),
                        value: (mi - xo) / den,
                    });
                }
            }
        }
    }
    out.sort_by(|a, b| {
        (a.table, &a.commodity, a.year, &a.country).cmp(&(
            b.table,
            &b.commodity,
            b.year,
            &b.country,
        ))
    });
    out
}
