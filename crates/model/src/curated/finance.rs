//! What the planner needs from the curated financiers and projects: instruments, audit status,
//! and the mandate as data ([`Financier::may_fund`], [`Financier::budget_in`]).

use super::{Financier, Project};
use crate::Stage;
use serde::{Deserialize, Serialize};

/// The wildcard of `eligible_hosts`, `eligible_stages` and `eligible_materials`: any value.
pub const ANY: &str = "*";

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
        let host_ok = if self.home_country_only {
            at_home
        } else {
            admits(&self.eligible_hosts, host) && !self.excluded_hosts.iter().any(|h| h == host)
        };
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
