//! Mining and refining candidates for the planner: the curated projects (`projects.toml`) and
//! the lithium deposits (`lithium_deposits.csv`) as one type, [`Candidate`].

use crate::curated::{AuditStatus, Financier, Project};
use crate::{Dataset, Stage};
use serde::{Deserialize, Serialize};

/// One lithium deposit of Busch et al. (2024), a row of `lithium_deposits.csv`. Tonnes are
/// lithium content; money is 2022 USD as the source states it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LithiumDeposit {
    /// Stable id, `busch_NNN` (NNN: the source's row number `d`).
    pub id: String,
    /// Deposit name as the source spells it.
    pub name: String,
    /// Host country id.
    pub country: String,
    /// `brine`, `hard_rock`, `volcano_sedimentary`, `geothermal_brine`, `oilfield_brine` …
    pub kind: String,
    /// `producing`, `construction`, `evaluation` or `no_info`.
    pub status: String,
    /// Production attributed to it in 2023, t Li/yr.
    pub prod_2023_t: f64,
    /// Maximum production rate, t Li/yr (the source's depletion-rate cap).
    pub capacity_t: f64,
    /// Years from nothing to full rate (the source's ramp-up limit).
    pub ramp_up_years: f64,
    /// Years from 2022 before the source lets it expand (its status delay).
    pub lead_time_years: f64,
    /// Capital to reach `capacity_t` from `prod_2023_t`, million USD (derived, see SOURCES.md).
    pub capex_usd_million: f64,
    /// Expansion capital per t/yr of Li capacity, USD.
    pub capex_usd_per_t_yr: f64,
    /// Opening capital of a mine not yet open, million USD (0 when open or being built).
    pub opening_capex_usd_million: f64,
    /// Extraction cost before royalties and tax, USD per t Li.
    pub opex_usd_per_t: f64,
    /// Where the cost comes from: `report`, `regression` or `quantile` (a random draw).
    pub cost_source: String,
    /// The source row this line came from.
    pub source: String,
}

/// Where a [`Candidate`] comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CandidateOrigin {
    /// A curated project of `projects.toml`.
    Project,
    /// A lithium deposit of `lithium_deposits.csv`.
    Deposit,
}

/// A project or deposit the planner may build, in one shape. Capacity is in the material's
/// content basis; costs in USD.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate<'a> {
    /// The project's or deposit's id.
    pub id: &'a str,
    /// Its name.
    pub name: &'a str,
    /// Project or deposit.
    pub origin: CandidateOrigin,
    /// Material id.
    pub material: &'a str,
    /// The stage of its output.
    pub stage: Stage,
    /// Host country id.
    pub host: &'a str,
    /// Capacity, t of content per year.
    pub content_capacity_t: f64,
    /// Capital cost, million USD.
    pub capex_usd_million: f64,
    /// Operating cost per t of content, where known.
    pub opex_usd_per_t_content: Option<f64>,
    /// Construction lead time, years.
    pub lead_time_years: f64,
    /// Years from start to full rate, where known.
    pub ramp_up_years: Option<f64>,
    /// Feed countries or mine ids (refineries).
    pub feed: &'a [String],
    /// Offtake countries.
    pub offtake: &'a [String],
    /// Artisanal-mining exposure of its feed.
    pub artisanal_exposure: bool,
    /// Audit status against a named standard.
    pub audit_status: AuditStatus,
    /// On a forced-labour listing.
    pub forced_labour_listing: bool,
    /// The project entry, for a project.
    pub project: Option<&'a Project>,
}

impl<'a> Candidate<'a> {
    /// A project as a candidate; None when it lacks capacity, capex or lead time (the
    /// `project_inputs` check refuses such a dataset).
    pub fn from_project(p: &'a Project) -> Option<Candidate<'a>> {
        let content = p.content_capacity_t?;
        // Opex per t of product → per t of content, when capacity is in tonnes of product.
        let per_content = match (p.opex_usd_per_t, p.capacity_value, &p.capacity_unit) {
            (Some(o), Some(cap), Some(u)) if u.starts_with("t/yr") && content > 0.0 => {
                Some(o * cap / content)
            }
            _ => None,
        };
        Some(Candidate {
            id: &p.id,
            name: &p.name,
            origin: CandidateOrigin::Project,
            material: p.material.as_str(),
            stage: p.stage,
            host: &p.host_country,
            content_capacity_t: content,
            capex_usd_million: p.capex_usd_million?,
            opex_usd_per_t_content: per_content,
            lead_time_years: p.lead_time_years?,
            ramp_up_years: None,
            feed: &p.feed,
            offtake: &p.offtake,
            artisanal_exposure: p.artisanal_exposure,
            audit_status: p.audit_status,
            forced_labour_listing: p.forced_labour_listing,
            project: Some(p),
        })
    }

    /// A lithium deposit as a mining candidate.
    pub fn from_deposit(d: &'a LithiumDeposit) -> Candidate<'a> {
        Candidate {
            id: &d.id,
            name: &d.name,
            origin: CandidateOrigin::Deposit,
            material: "lithium",
            stage: Stage::Mining,
            host: &d.country,
            content_capacity_t: d.capacity_t,
            capex_usd_million: d.capex_usd_million,
            opex_usd_per_t_content: Some(d.opex_usd_per_t),
            lead_time_years: d.lead_time_years,
            ramp_up_years: Some(d.ramp_up_years),
            feed: &[],
            offtake: &[],
            artisanal_exposure: false,
            audit_status: AuditStatus::None,
            forced_labour_listing: false,
            project: None,
        }
    }
}

impl Financier {
    /// Whether its mandate lets it fund candidate `c`.
    pub fn may_fund_candidate(&self, c: &Candidate<'_>) -> bool {
        self.may_fund_at(c.host, c.stage, c.material, c.offtake)
    }
}

impl Dataset {
    /// Every candidate: the curated projects first (file order), then the lithium deposits.
    pub fn candidates(&self) -> Vec<Candidate<'_>> {
        self.curated
            .projects
            .iter()
            .filter_map(Candidate::from_project)
            .chain(self.lithium_deposits.iter().map(Candidate::from_deposit))
            .collect()
    }
}
