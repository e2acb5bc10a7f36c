//! Capacity utilisation and stock covers (`curated/capacity.toml`): what the simulator sizes
//! spare capacity and inventories from, each row cited.

use super::{Curated, MaterialId};
use crate::{ParseNameError, Stage};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The `country` of a [`Utilisation`] row that holds a world or industry-wide rate: it applies
/// to every producer of the material and stage without a row of its own.
pub const WORLD: &str = "WLD";

/// A published capacity-utilisation rate (output over capacity) of one country's producers of
/// a material at a stage, or of the whole industry ([`WORLD`]); an entry `[[utilisation]]` of
/// `capacity.toml`. A producer without a row (its own or the world's) is taken to have no
/// spare capacity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Utilisation {
    /// The material.
    pub material: MaterialId,
    /// The stage whose output and capacity are compared.
    pub stage: Stage,
    /// The producing country's id, or [`WORLD`] for a world or industry-wide rate.
    pub country: String,
    /// Year of the figure.
    pub year: i64,
    /// Output over capacity, in (0, 1].
    pub rate: f64,
    /// Citation.
    pub source: String,
    /// What the figure is: nameplate or effective capacity, `ESTIMATE` and its derivation.
    #[serde(default)]
    pub note: Option<String>,
}

impl Utilisation {
    /// Whether the row is a world or industry-wide rate ([`WORLD`]).
    pub fn is_world(&self) -> bool {
        self.country == WORLD
    }
}

/// Who holds a stock of a stage's product ([`StockCover`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StockHolder {
    /// The buyers and users of the product: downstream plants and end users.
    Consumers,
    /// Exchange warehouses (LME, SHFE, COMEX …).
    Exchange,
    /// The producers' own stock of finished product.
    Producers,
}

impl StockHolder {
    /// Every holder, in the order of `capacity.toml`'s documentation.
    pub const ALL: [StockHolder; 3] = [
        StockHolder::Consumers,
        StockHolder::Exchange,
        StockHolder::Producers,
    ];
    /// The name used in `capacity.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            StockHolder::Consumers => "consumers",
            StockHolder::Exchange => "exchange",
            StockHolder::Producers => "producers",
        }
    }
}

impl fmt::Display for StockHolder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for StockHolder {
    type Err = ParseNameError;
    fn from_str(s: &str) -> Result<StockHolder, ParseNameError> {
        StockHolder::ALL
            .into_iter()
            .find(|h| h.as_str() == s)
            .ok_or_else(|| ParseNameError {
                what: "stock holder",
                found: s.to_string(),
                expected: "consumers, exchange, producers",
            })
    }
}

/// A published stock of a stage's product, as weeks of baseline use; an entry `[[stocks]]` of
/// `capacity.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StockCover {
    /// The material.
    pub material: MaterialId,
    /// The stage whose product is held (refined cobalt held by its users is `refining`).
    pub stage: Stage,
    /// Who holds it.
    pub holder: StockHolder,
    /// Weeks of baseline use the stock covers, in [0, 104].
    pub weeks: f64,
    /// Year of the figure.
    pub year: i64,
    /// Citation.
    pub source: String,
    /// What the figure is and how the weeks were derived (tonnes ÷ annual use × 52).
    #[serde(default)]
    pub note: Option<String>,
}

/// The row of `rows` whose year is the latest at or before `year`, else the earliest after it.
fn nearest_year<'a, T>(
    rows: impl Iterator<Item = &'a T>,
    year: i64,
    year_of: impl Fn(&T) -> i64,
) -> Option<&'a T> {
    rows.min_by_key(|r| {
        let y = year_of(r);
        if y <= year {
            (0, year - y)
        } else {
            (1, y - year)
        }
    })
}

impl Curated {
    /// The utilisation rate that applies to `country`'s producers of `material` at `stage` in
    /// `year`: the country's own row, else the world's ([`WORLD`]); of several years, the
    /// latest at or before `year`, else the earliest after it. None: no cited rate, so no
    /// spare capacity.
    pub fn utilisation_for(
        &self,
        material: &str,
        stage: Stage,
        country: &str,
        year: i64,
    ) -> Option<&Utilisation> {
        let of = |c: &str| {
            nearest_year(
                self.utilisation
                    .iter()
                    .filter(|u| u.material == material && u.stage == stage && u.country == c),
                year,
                |u| u.year,
            )
        };
        of(country).or_else(|| of(WORLD))
    }

    /// The stock cover of `material`'s `stage` product held by `holder` in `year`: of several
    /// years, the latest at or before `year`, else the earliest after it. None: no cited
    /// figure, so the stock is assumed.
    pub fn stock_cover(
        &self,
        material: &str,
        stage: Stage,
        holder: StockHolder,
        year: i64,
    ) -> Option<&StockCover> {
        nearest_year(
            self.stocks
                .iter()
                .filter(|s| s.material == material && s.stage == stage && s.holder == holder),
            year,
            |s| s.year,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn util(country: &str, year: i64, rate: f64) -> Utilisation {
        Utilisation {
            material: "gallium".into(),
            stage: Stage::Refining,
            country: country.into(),
            year,
            rate,
            source: "test".into(),
            note: None,
        }
    }

    fn stock(holder: StockHolder, year: i64, weeks: f64) -> StockCover {
        StockCover {
            material: "nickel".into(),
            stage: Stage::Refining,
            holder,
            weeks,
            year,
            source: "test".into(),
            note: None,
        }
    }

    #[test]
    fn stock_holders_round_trip_and_refuse_unknown_words() {
        for h in StockHolder::ALL {
            assert_eq!(h.as_str().parse::<StockHolder>().unwrap(), h);
        }
        let e = "banks".parse::<StockHolder>().unwrap_err();
        assert!(e.to_string().starts_with("unknown stock holder \"banks\""));
    }

    #[test]
    fn utilisation_prefers_the_country_then_the_world_and_the_latest_year_not_after() {
        let c = Curated {
            utilisation: vec![
                util("CHN", 2022, 0.72),
                util("CHN", 2023, 0.60),
                util(WORLD, 2023, 0.55),
            ],
            ..Curated::default()
        };
        let r = |country: &str, year| {
            c.utilisation_for("gallium", Stage::Refining, country, year)
                .map(|u| u.rate)
        };
        assert_eq!(r("CHN", 2024), Some(0.60));
        assert_eq!(r("CHN", 2022), Some(0.72));
        // Before the first year: the earliest after it.
        assert_eq!(r("CHN", 2020), Some(0.72));
        // No row of its own: the world's.
        assert_eq!(r("JPN", 2023), Some(0.55));
        assert!(c
            .utilisation_for("gallium", Stage::Mining, "CHN", 2023)
            .is_none());
        assert!(c
            .utilisation_for("cobalt", Stage::Refining, "CHN", 2023)
            .is_none());
        assert!(util(WORLD, 2023, 0.5).is_world() && !util("CHN", 2023, 0.5).is_world());
    }

    #[test]
    fn stock_cover_matches_the_holder_and_the_nearest_year() {
        let c = Curated {
            stocks: vec![
                stock(StockHolder::Consumers, 2022, 7.0),
                stock(StockHolder::Consumers, 2023, 8.0),
                stock(StockHolder::Exchange, 2023, 1.0),
            ],
            ..Curated::default()
        };
        let w = |h, y| {
            c.stock_cover("nickel", Stage::Refining, h, y)
                .map(|s| s.weeks)
        };
        assert_eq!(w(StockHolder::Consumers, 2024), Some(8.0));
        assert_eq!(w(StockHolder::Consumers, 2022), Some(7.0));
        assert_eq!(w(StockHolder::Exchange, 2021), Some(1.0));
        assert_eq!(w(StockHolder::Producers, 2023), None);
    }
}
