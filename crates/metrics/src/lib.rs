//! The indicator catalogue: the one place where Quadrant computes numbers from the dataset.
//! Every output (brief, risk scores, benchmarks) comes from these functions, and every
//! formula here is written out in `docs/model.md` with its notation.
//!
//! Shares are on a 0–1 scale; HHI is on a 0–1 scale (×10 000 for the "points" convention).
//!
//! ```
//! use quadrant_model::Stage;
//! let ds = quadrant_data::load_embedded().unwrap();
//! let lithium = ds.material("lithium").unwrap();
//! let c = quadrant_metrics::concentration(&ds, lithium, Stage::Refining, 2024).unwrap();
//! assert_eq!((c.dataset.as_str(), c.year), ("IEA-2025", 2024));
//! assert_eq!(c.shares[0].country, "CHN");
//! assert!(c.hhi > 0.4 && c.top1 > 0.6);
//! ```

#![warn(missing_docs)]

pub mod atlas;
pub mod brief;
pub mod concentration;
pub mod control;
pub mod geopolrisk;
pub mod origin;
pub mod reliance;
pub mod table;
pub mod trade;

pub use concentration::{concentration, governance_weighted_hhi, Concentration, GovBasis, Share};
pub use control::{control, Control, ControlRule, Coverage, HostControl};
pub use geopolrisk::{geopolrisk, GeoPolRisk};
pub use origin::{origin_trace, OriginTrace};
pub use reliance::{bloc_reliance, country_reliance, Reliance};
pub use trade::TradeIndex;

use quadrant_model::{CountryIx, Dataset};

/// A set of countries (a bloc's members) as a dense membership mask.
#[derive(Debug, Clone)]
pub struct Members(Vec<bool>);

impl Members {
    /// A mask holding `ids`.
    pub fn new(ds: &Dataset, ids: &[CountryIx]) -> Members {
        let mut m = vec![false; ds.countries.len()];
        for &i in ids {
            m[i as usize] = true;
        }
        Members(m)
    }
    /// The members of a bloc from the curated layer; unknown codes are impossible in a
    /// validated dataset.
    pub fn bloc(ds: &Dataset, bloc: &str) -> Option<Members> {
        let b = ds.curated.bloc(bloc)?;
        let ids: Vec<CountryIx> = b.members.iter().filter_map(|m| ds.country(m)).collect();
        Some(Members::new(ds, &ids))
    }
    /// Whether country `c` is a member.
    pub fn contains(&self, c: CountryIx) -> bool {
        self.0.get(c as usize).copied().unwrap_or(false)
    }
    /// The members, ascending.
    pub fn iter(&self) -> impl Iterator<Item = CountryIx> + '_ {
        self.0
            .iter()
            .enumerate()
            .filter(|(_, &b)| b)
            .map(|(i, _)| i as CountryIx)
    }
}
