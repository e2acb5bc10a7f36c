//! The curated financiers and projects (`financiers.toml`, `projects.toml`) and what the
//! planner needs of them: instruments, audit status, and the mandate as data ([`Financier::may_fund`], [`Financier::budget_in`]).

use super::MaterialId;
use crate::Stage;
use serde::{Deserialize, Serialize};

/// The wildcard of `eligible_hosts`, `eligible_stages` and `eligible_materials`: any value.
pub const ANY: &str = "*";

/// A development-finance institution, export-credit agency or programme, an entry of
/// `financiers.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Financier {
    /// Stable id (projects refer to it).
    pub id: String,
    /// Name (and the programme meant).
    pub name: String,
    /// Home state; `""` for multinational bodies.
    #[serde(default)]
    pub country: String,
    /// Member states of a multinational body.
    #[serde(default)]
    pub members: Vec<String>,
    /// `dfi`, `eca`, `state_agency` or `private_network`.
    pub kind: String,
    /// One sentence.
    pub mandate: String,
    /// Size of the facility or programme, in `size_unit` of `size_currency`.
    #[serde(default)]
    pub size_value: Option<f64>,
    /// Currency of `size_value`.
    #[serde(default)]
    pub size_currency: Option<String>,
    /// Unit of `size_value`, e.g. `million`.
    #[serde(default)]
    pub size_unit: Option<String>,
    /// What the size measures.
    #[serde(default)]
    pub size_note: Option<String>,
    /// Money it can commit to eligible projects per year, million USD; absent when nothing
    /// is published or derivable (then `budget_basis` says why).
    #[serde(default)]
    pub budget_usd_million_per_year: Option<f64>,
    /// How the budget was obtained: the published annual figure, or the derivation from a
    /// facility size and its life (`A$4 bn over 5 years at 0.65 USD/AUD`).
    #[serde(default)]
    pub budget_basis: String,
    /// First year the budget applies (absent: no start).
    #[serde(default)]
    pub budget_from: Option<u16>,
    /// Last year the budget applies (absent: open-ended).
    #[serde(default)]
    pub budget_to: Option<u16>,
    /// The instruments it offers.
    #[serde(default)]
    pub instruments: Vec<FinanceInstrument>,
    /// Cost of its capital, fraction per year.
    #[serde(default)]
    pub cost_of_capital: Option<f64>,
    /// How the cost of capital was set (a benchmark yield plus a stated spread).
    #[serde(default)]
    pub cost_of_capital_basis: String,
    /// Host countries it may fund (ISO3), or `["*"]` for any.
    #[serde(default)]
    pub eligible_hosts: Vec<String>,
    /// Host countries it may not fund even under `"*"` (a DFI that lends only abroad
    /// excludes its home).
    #[serde(default)]
    pub excluded_hosts: Vec<String>,
    /// Stages it may fund (`mining`, `refining`, `components`), or `["*"]`.
    #[serde(default)]
    pub eligible_stages: Vec<String>,
    /// Materials it may fund (material ids), or `["*"]`.
    #[serde(default)]
    pub eligible_materials: Vec<String>,
    /// Funds a project abroad only with offtake to its home market (a project's `offtake`).
    #[serde(default)]
    pub home_offtake_required: bool,
    /// Funds projects in its home country only (for a multinational body: in its members).
    #[serde(default)]
    pub home_country_only: bool,
    /// Citation.
    pub source: String,
    /// Caveats.
    #[serde(default)]
    pub note: Option<String>,
}

/// A mine, refinery or plant project, an entry of `projects.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Project {
    /// Stable id.
    pub id: String,
    /// Project name and site.
    pub name: String,
    /// Sponsor company or companies.
    pub sponsor: String,
    /// Lead sponsor's home country id.
    pub sponsor_country: String,
    /// Host country id.
    pub host_country: String,
    /// The material produced.
    pub material: MaterialId,
    /// The stage of its output.
    pub stage: Stage,
    /// Nameplate capacity, in `capacity_unit`.
    #[serde(default)]
    pub capacity_value: Option<f64>,
    /// Unit of `capacity_value`.
    #[serde(default)]
    pub capacity_unit: Option<String>,
    /// Published capital cost, million USD.
    #[serde(default)]
    pub capex_usd_million: Option<f64>,
    /// Expected or actual start of production.
    #[serde(default)]
    pub start_year: Option<i64>,
    /// `announced`, `construction`, `operating` or `study`.
    pub status: String,
    /// Financier ids from `financiers.toml`.
    #[serde(default)]
    pub financiers: Vec<String>,
    /// Capacity in the material's content basis (materials.csv: t Li, t Co, t REO …), t/yr.
    #[serde(default)]
    pub content_capacity_t: Option<f64>,
    /// How `content_capacity_t` follows from the capacity (`LiOH·H2O × 0.1654`), or how it
    /// was estimated when no capacity is published.
    #[serde(default)]
    pub content_basis: String,
    /// How `capex_usd_million` was derived when it is not the sponsor's published figure in
    /// USD; empty when published.
    #[serde(default)]
    pub capex_basis: String,
    /// Published operating cost, USD per tonne of the capacity unit's product.
    #[serde(default)]
    pub opex_usd_per_t: Option<f64>,
    /// What `opex_usd_per_t` is (which product, which year), or how it was derived.
    #[serde(default)]
    pub opex_basis: String,
    /// Construction lead time, years.
    #[serde(default)]
    pub lead_time_years: Option<f64>,
    /// How the lead time was derived when not published; empty when published.
    #[serde(default)]
    pub lead_basis: String,
    /// What a refinery draws on: ISO3 countries of its concentrate, or mine ids.
    #[serde(default)]
    pub feed: Vec<String>,
    /// Countries that hold offtake of its output (ISO3), for financiers that require it.
    #[serde(default)]
    pub offtake: Vec<String>,
    /// Whether its feed is exposed to artisanal mining (DRC cobalt, mostly).
    #[serde(default)]
    pub artisanal_exposure: bool,
    /// The responsible-sourcing standard it is audited against (`RMI RMAP`, `IRMA`), or `""`.
    #[serde(default)]
    pub audit_standard: String,
    /// Where the audit stands.
    #[serde(default)]
    pub audit_status: AuditStatus,
    /// Whether the sponsor or operator is on a forced-labour listing (the US UFLPA Entity
    /// List or similar; `note` names the listing).
    #[serde(default)]
    pub forced_labour_listing: bool,
    /// Citation.
    pub source: String,
    /// Caveats.
    #[serde(default)]
    pub note: Option<String>,
}

/// A way a financier puts money into a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FinanceInstrument {
    /// Shares in the project or its sponsor.
    Equity,
    /// Direct lending.
    Loan,
    /// A guarantee or insurance of someone else's lending.
    Guarantee,
    /// A purchase commitment (offtake, stockpile purchase).
    Offtake,
    /// A grant or tax credit.
    Grant,
}

impl FinanceInstrument {
    /// The spelling in `financiers.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            FinanceInstrument::Equity => "equity",
            FinanceInstrument::Loan => "loan",
            FinanceInstrument::Guarantee => "guarantee",
            FinanceInstrument::Offtake => "offtake",
            FinanceInstrument::Grant => "grant",
        }
    }
}

/// Where a project's responsible-sourcing audit stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditStatus {
    /// Audited and found conformant against `audit_standard`.
    Audited,
    /// An audit is under way or committed.
    InProgress,
    /// No audit (the default: an entry that says nothing is not audited).
    #[default]
    None,
}

impl AuditStatus {
    /// The spelling in `projects.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditStatus::Audited => "audited",
            AuditStatus::InProgress => "in_progress",
            AuditStatus::None => "none",
        }
    }
}

fn admits(list: &[String], x: &str) -> bool {
    list.iter().any(|v| v == ANY || v == x)
}

impl Financier {
    /// The countries it counts as home: its state, or a multinational body's members.
    pub fn homes(&self) -> Vec<&str> {
        if self.country.is_empty() {
            self.members.iter().map(String::as_str).collect()
        } else {
            vec![self.country.as_str()]
        }
    }

    /// Whether its mandate admits projects hosted in `host` (home-only, eligible and
    /// excluded hosts), whatever the stage, material or offtake.
    pub fn may_host(&self, host: &str) -> bool {
        if self.home_country_only {
            self.homes().contains(&host)
        } else {
            admits(&self.eligible_hosts, host) && !self.excluded_hosts.iter().any(|h| h == host)
        }
    }

    /// Whether its mandate lets it fund a project of `material` at `stage` hosted in `host`
    /// whose output goes (by offtake) to `offtake`.
    pub fn may_fund_at(
        &self,
        host: &str,
        stage: Stage,
        material: &str,
        offtake: &[String],
    ) -> bool {
        let homes = self.homes();
        let at_home = homes.contains(&host);
        let host_ok = self.may_host(host);
        // Abroad, a lender bound to its home market needs offtake there.
        let offtake_ok = !self.home_offtake_required
            || at_home
            || offtake.iter().any(|o| homes.contains(&o.as_str()));
        host_ok
            && offtake_ok
            && admits(&self.eligible_stages, stage.as_str())
            && admits(&self.eligible_materials, material)
    }

    /// Whether its mandate lets it fund `p` (host, stage, material, offtake).
    pub fn may_fund(&self, p: &Project) -> bool {
        self.may_fund_at(&p.host_country, p.stage, p.material.as_str(), &p.offtake)
    }

    /// Million USD it can commit in `year`: the annual budget inside `budget_from..=budget_to`,
    /// 0 outside it or when no budget is given.
    pub fn budget_in(&self, year: u16) -> f64 {
        let started = self.budget_from.is_none_or(|y| year >= y);
        let open = self.budget_to.is_none_or(|y| year <= y);
        match self.budget_usd_million_per_year {
            Some(b) if started && open => b,
            _ => 0.0,
        }
    }
}

impl Project {
    /// Whether the capex is derived (a `capex_basis` says how) rather than published.
    pub fn capex_is_derived(&self) -> bool {
        !self.capex_basis.trim().is_empty()
    }
    /// Whether the lead time is derived (a `lead_basis` says how) rather than published.
    pub fn lead_is_derived(&self) -> bool {
        !self.lead_basis.trim().is_empty()
    }
    /// Whether the content capacity is an estimate (no published capacity to convert).
    pub fn content_is_estimate(&self) -> bool {
        self.capacity_value.is_none() || self.content_basis.contains("ESTIMATE")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fin(toml_text: &str) -> Financier {
        toml::from_str(toml_text).unwrap()
    }

    const BASE: &str = r#"
id = "f"
name = "F"
country = "AUS"
kind = "eca"
mandate = "m"
source = "s"
budget_usd_million_per_year = 100
budget_from = 2024
budget_to = 2028
eligible_hosts = ["*"]
eligible_stages = ["refining"]
eligible_materials = ["lithium"]
"#;

    #[test]
    fn budget_applies_inside_its_years_only() {
        let f = fin(BASE);
        assert_eq!(f.budget_in(2023), 0.0);
        assert_eq!(f.budget_in(2024), 100.0);
        assert_eq!(f.budget_in(2028), 100.0);
        assert_eq!(f.budget_in(2029), 0.0);
    }

    #[test]
    fn mandate_filters_host_stage_material_and_offtake() {
        let f = fin(BASE);
        let none: Vec<String> = vec![];
        assert!(f.may_fund_at("USA", Stage::Refining, "lithium", &none));
        assert!(!f.may_fund_at("USA", Stage::Mining, "lithium", &none));
        assert!(!f.may_fund_at("USA", Stage::Refining, "cobalt", &none));
        let home_only = fin(&format!("{BASE}home_country_only = true\n"));
        assert!(home_only.may_fund_at("AUS", Stage::Refining, "lithium", &none));
        assert!(!home_only.may_fund_at("USA", Stage::Refining, "lithium", &none));
        let offtake = fin(&format!("{BASE}home_offtake_required = true\n"));
        assert!(!offtake.may_fund_at("USA", Stage::Refining, "lithium", &none));
        assert!(offtake.may_fund_at("USA", Stage::Refining, "lithium", &["AUS".into()]));
        assert!(offtake.may_fund_at("AUS", Stage::Refining, "lithium", &none));
    }
}
