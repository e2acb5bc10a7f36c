//! The GeoPolRisk supply-risk method (Gemechu et al. 2016; Koyamparambath et al.), computed as
//! the `geopolrisk-py` package (2.0.1) computes it, so that results match it to 1e-6 on the
//! same inputs (tests/golden/geopolrisk_py_2.0.1.csv; bench/geopolrisk/FORMULA.md):
//!
//! * HHI from World Mining Data production of the commodity in the year, every producing
//!   country, values truncated to whole numbers as the package does: Σ qᵢ² / (Σ qᵢ)².
//! * Import risk = Σ_partners q_ij · PVn_i / (Σ_partners q_ij + P_j), where q_ij is BACI
//!   tonnage over the commodity's HS codes, PVn_i the package's normalised political-stability
//!   score of the exporter ((2.5 − PV)/5; 0.5 when unknown; 0 for trade within the importer
//!   group) and P_j the importer's own production.
//! * Score = HHI × import risk; characterisation factor = score × price / 0.409412948 (the
//!   package's copper reference), price = Σ value / Σ tonnes of the imports.

use quadrant_model::{sources, CountryIx, Dataset, MaterialIx};
use serde::Serialize;
use std::collections::HashMap;

/// geopolrisk-py's reference value for copper, which scales its characterisation factor.
pub const CF_COPPER_REF: f64 = 0.409412948;

/// GeoPolRisk supply risk of one importer for one material and year, as geopolrisk-py 2.0.1
/// computes it (docs/model.md, "GeoPolRisk").
#[derive(Debug, Clone, Serialize)]
pub struct GeoPolRisk {
    /// Material id.
    pub material: String,
    /// World Mining Data commodity name the package uses.
    pub commodity: String,
    /// Importer country id.
    pub importer: String,
    /// Year.
    pub year: u16,
    /// HHI of world production (World Mining Data), 0–1.
    pub hhi: f64,
    /// Import risk: Σ q·PVn / (Σ q + own production).
    pub import_risk: f64,
    /// Score: HHI × import risk.
    pub score: f64,
    /// Σ q·PVn over partners.
    pub numerator: f64,
    /// Σ q over partners, tonnes gross weight.
    pub total_trade_t: f64,
    /// Importer's own production (World Mining Data, tonnes).
    pub production_t: f64,
    /// Import unit value, kUSD per tonne.
    pub price: f64,
    /// Characterisation factor: score × price / the copper reference.
    pub cf: f64,
    /// HS codes summed.
    pub hs_codes: Vec<u32>,
    /// Datasets used.
    pub sources: Vec<String>,
}

/// Trade rows of the GeoPolRisk HS codes by (HS code, year): built once, so that a score costs
/// a few thousand row reads, not a scan of 1.26 M.
#[derive(Debug, Default)]
pub struct GprIndex {
    rows: HashMap<(u32, u16), Vec<u32>>,
}

impl GprIndex {
    /// Builds the index of `ds`.
    pub fn build(ds: &Dataset) -> GprIndex {
        let codes: std::collections::HashSet<u32> = ds
            .gpr_map
            .iter()
            .flat_map(|g| g.hs6.iter().copied())
            .collect();
        let mut rows: HashMap<(u32, u16), Vec<u32>> = HashMap::new();
        let t = &ds.trade;
        for i in 0..t.len() {
            if codes.contains(&t.hs6[i]) {
                rows.entry((t.hs6[i], t.year[i]))
                    .or_default()
                    .push(i as u32);
            }
        }
        GprIndex { rows }
    }

    /// Latest year ≤ `max` with World Mining Data production and trade for the material.
    pub fn latest_year(&self, ds: &Dataset, m: MaterialIx, max: u16) -> Option<u16> {
        let g = ds.gpr_map.iter().find(|g| g.material == Some(m))?;
        let years = ds
            .production
            .iter()
            .filter(|r| r.material == m && r.dataset == sources::WMD)
            .map(|r| r.year);
        years
            .filter(|&y| y <= max && g.hs6.iter().any(|h| self.rows.contains_key(&(*h, y))))
            .max()
    }
}

/// GeoPolRisk of `material` for one importing country in `year`.
pub fn geopolrisk(
    ds: &Dataset,
    idx: &GprIndex,
    material: MaterialIx,
    importer: CountryIx,
    year: u16,
) -> Option<GeoPolRisk> {
    geopolrisk_group(
        ds,
        idx,
        material,
        &[importer],
        ds.country_id(importer),
        year,
    )
}

fn num(s: &str) -> f64 {
    s.trim().parse::<f64>().unwrap_or(0.0)
}

/// GeoPolRisk for a group of importers treated as one (the package's EU27 mode): trade within
/// the group counts in the denominator with zero risk.
pub fn geopolrisk_group(
    ds: &Dataset,
    idx: &GprIndex,
    material: MaterialIx,
    members: &[CountryIx],
    label: &str,
    year: u16,
) -> Option<GeoPolRisk> {
    let g = ds.gpr_map.iter().find(|g| g.material == Some(material))?;
    let prod: Vec<_> = ds
        .production
        .iter()
        .filter(|r| r.material == material && r.dataset == sources::WMD && r.year == year)
        .collect();
    if prod.is_empty() {
        return None;
    }
    // The package truncates production to whole units before squaring.
    let ints: Vec<i128> = prod.iter().map(|r| num(&r.raw_value) as i128).collect();
    let sum: i128 = ints.iter().sum();
    if sum == 0 {
        return None;
    }
    let sq: i128 = ints.iter().map(|i| i * i).sum();
    let hhi = sq as f64 / (sum as f64 * sum as f64);
    let kg = prod[0].raw_unit == "kg";
    let production_t: f64 = members
        .iter()
        .filter_map(|&m| prod.iter().find(|r| r.country == m))
        .map(|r| {
            if kg {
                num(&r.raw_value) / 1000.0
            } else {
                num(&r.raw_value)
            }
        })
        .sum();
    let t = &ds.trade;
    let (mut numer, mut tot, mut val) = (0.0, 0.0, 0.0);
    for &h in &g.hs6 {
        for &i in idx
            .rows
            .get(&(h, year))
            .map(|v| v.as_slice())
            .unwrap_or(&[])
        {
            let i = i as usize;
            if !members.contains(&t.importer[i]) {
                continue;
            }
            let q = if t.qty_t[i].is_nan() { 0.0 } else { t.qty_t[i] };
            let e = t.exporter[i];
            let w = if members.contains(&e) {
                0.0
            } else if ds.gpr_pv_countries.contains(&e) {
                ds.gpr_pv.get(&(e, year)).copied().unwrap_or(0.5)
            } else {
                0.5
            };
            numer += q * w;
            tot += q;
            val += t.value_kusd[i];
        }
    }
    let den = tot + production_t;
    let import_risk = if den != 0.0 { numer / den } else { 0.0 };
    let price = if tot != 0.0 { val / tot } else { 0.0 };
    let score = hhi * import_risk;
    Some(GeoPolRisk {
        material: ds.material_id(material).to_string(),
        commodity: g.commodity.clone(),
        importer: label.to_string(),
        year,
        hhi,
        import_risk,
        score,
        numerator: numer,
        total_trade_t: tot,
        production_t,
        price,
        cf: score * price / CF_COPPER_REF,
        hs_codes: g.hs6.clone(),
        sources: vec![
            sources::WMD.into(),
            sources::BACI.into(),
            sources::WGI_PV.into(),
        ],
    })
}
