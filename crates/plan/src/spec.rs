//! A plan file (`data/plans/*.toml`): what to plan, for whom, on which futures, with which
//! candidates, financiers, objective and ethics. Read once here, each value with the line it
//! came from, so that every refusal names the file, the line, the field and what was expected.

use quadrant_model::{Dataset, Stage};
use serde::Deserialize;
use std::fmt;
use toml::Spanned;

/// Most futures a plan may draw (each adds rows for every material, year and member).
pub const MAX_FUTURES: usize = 2_000;
/// Longest horizon, years.
pub const MAX_HORIZON: usize = 50;
/// Most candidates a plan may keep after its filters.
pub const MAX_CANDIDATES: usize = 5_000;

/// One refusal: where and what was expected.
#[derive(Debug, Clone, PartialEq)]
pub struct SpecIssue {
    /// The file as the user named it.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// The field (`objective.alpha`).
    pub field: String,
    /// What was expected and what was found.
    pub message: String,
}

impl fmt::Display for SpecIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{}: {}: {}", self.file, l, self.field, self.message),
            None => write!(f, "{}: {}: {}", self.file, self.field, self.message),
        }
    }
}

/// A plan file as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanSpec {
    /// Title.
    pub name: String,
    /// What the plan asks, in a sentence or two.
    #[serde(default)]
    pub summary: String,
    /// The bloc whose supply is planned (curated/blocs.toml).
    pub bloc: Spanned<String>,
    /// Calendar year of horizon year 0.
    pub first_year: Spanned<i64>,
    /// Years planned.
    pub horizon_years: Spanned<i64>,
    /// Asset life for the capital recovery factor, years.
    #[serde(default = "default_life")]
    pub asset_life_years: Spanned<i64>,
    /// The futures the plan is judged on.
    pub futures: FuturesSpec,
    /// Which candidates may be built.
    pub candidates: CandidateSpec,
    /// Which financiers may fund.
    #[serde(default)]
    pub financiers: FinancierSpec,
    /// What is optimised.
    pub objective: ObjectiveSpec,
    /// Ethics constraints.
    #[serde(default)]
    pub ethics: EthicsSpec,
    /// Which comparisons to print.
    #[serde(default)]
    pub compare: CompareSpec,
}

fn empty_list() -> Spanned<Vec<String>> {
    Spanned::new(0..0, Vec::new())
}

fn zero() -> Spanned<i64> {
    Spanned::new(0..0, 0)
}

impl Default for FinancierSpec {
    fn default() -> FinancierSpec {
        FinancierSpec { ids: empty_list() }
    }
}

impl Default for CompareSpec {
    fn default() -> CompareSpec {
        CompareSpec {
            without_ethics: false,
            coordination: false,
            frontier_points: zero(),
        }
    }
}

fn default_life() -> Spanned<i64> {
    Spanned::new(0..0, 20)
}

/// `[futures]`: a Monte Carlo scenario of the simulator, drawn `count` times.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FuturesSpec {
    /// A shipped scenario name or a path.
    pub scenario: Spanned<String>,
    /// Futures drawn.
    pub count: Spanned<i64>,
    /// Seed of the draws.
    #[serde(default)]
    pub seed: u64,
}

/// `[candidates]`: filters over `Dataset::candidates()`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CandidateSpec {
    /// Materials (ids of materials.csv).
    pub materials: Spanned<Vec<String>>,
    /// Stages.
    pub stages: Spanned<Vec<String>>,
    /// Host countries; empty = any. `"bloc:ID"` stands for the bloc's members.
    #[serde(default = "empty_list")]
    pub hosts: Spanned<Vec<String>>,
    /// Include the lithium deposits as mining candidates.
    #[serde(default)]
    pub deposits: bool,
    /// Keep at most this many deposits, cheapest capex per t first (0 = all).
    #[serde(default = "zero")]
    pub max_deposits: Spanned<i64>,
}

/// `[financiers]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FinancierSpec {
    /// Financier ids; empty = every financier of a bloc member with a budget.
    #[serde(default = "empty_list")]
    pub ids: Spanned<Vec<String>>,
}

/// `[objective]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectiveSpec {
    /// `min_cost_plus_risk` or `min_cost_subject_to_risk`.
    pub kind: Spanned<String>,
    /// USD m per t of risk (`min_cost_plus_risk`).
    #[serde(default)]
    pub weight_usd_m_per_t: Option<Spanned<f64>>,
    /// Risk target, t (`min_cost_subject_to_risk`).
    #[serde(default)]
    pub target_t: Option<Spanned<f64>>,
    /// `expected` or `cvar`.
    pub risk: Spanned<String>,
    /// CVaR level in [0.5, 1).
    #[serde(default)]
    pub alpha: Option<Spanned<f64>>,
    /// `bloc` or a material id.
    #[serde(default = "default_scope")]
    pub scope: Spanned<String>,
}

fn default_scope() -> Spanned<String> {
    Spanned::new(0..0, "bloc".to_string())
}

/// `[ethics]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EthicsSpec {
    /// No funded project may draw on flagged sources.
    #[serde(default)]
    pub require_no_flagged: bool,
    /// Minimum audited share of built capacity.
    #[serde(default)]
    pub min_audited_share: Option<Spanned<f64>>,
}

/// `[compare]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompareSpec {
    /// Solve again with the ethics constraints off: the price of ethics.
    #[serde(default)]
    pub without_ethics: bool,
    /// Solve as national plans too: the value of coordination.
    #[serde(default)]
    pub coordination: bool,
    /// Points of the risk–cost frontier (0 = none).
    #[serde(default = "zero")]
    pub frontier_points: Spanned<i64>,
}

/// A plan file checked against the dataset: typed, in range, every id known.
#[derive(Debug, Clone)]
pub struct CheckedSpec {
    /// As written.
    pub spec: PlanSpec,
    /// Bloc members.
    pub members: Vec<String>,
    /// Stages of the candidates.
    pub stages: Vec<Stage>,
    /// Host filter, blocs expanded; empty = any.
    pub hosts: Vec<String>,
}

impl PlanSpec {
    /// Reads and checks a plan file; every problem found is returned, each with its line.
    pub fn parse(file: &str, text: &str, ds: &Dataset) -> Result<CheckedSpec, Vec<SpecIssue>> {
        let spec: PlanSpec = toml::from_str(text).map_err(|e| vec![toml_issue(file, text, &e)])?;
        let mut c = Checker {
            file,
            text,
            issues: Vec::new(),
        };
        let checked = c.check(spec, ds);
        if c.issues.is_empty() {
            Ok(checked)
        } else {
            Err(c.issues)
        }
    }
}

fn line_of(text: &str, at: usize) -> usize {
    text[..at.min(text.len())].matches('\n').count() + 1
}

/// A TOML or type error: its line, and the key on that line when there is one.
fn toml_issue(file: &str, text: &str, e: &toml::de::Error) -> SpecIssue {
    let line = e.span().map(|s| line_of(text, s.start));
    let field = line
        .and_then(|l| text.lines().nth(l - 1))
        .and_then(|t| t.split_once('=').map(|(k, _)| k.trim().to_string()))
        .filter(|k| !k.starts_with('['))
        .unwrap_or_else(|| "(file)".to_string());
    SpecIssue {
        file: file.to_string(),
        line,
        field,
        message: e.message().to_string(),
    }
}

struct Checker<'a> {
    file: &'a str,
    text: &'a str,
    issues: Vec<SpecIssue>,
}

impl Checker<'_> {
    fn err<T>(&mut self, at: &Spanned<T>, field: &str, message: String) {
        let span = at.span();
        let line = (span.end > 0).then(|| line_of(self.text, span.start));
        self.issues.push(SpecIssue {
            file: self.file.to_string(),
            line,
            field: field.to_string(),
            message,
        });
    }

    fn range(&mut self, v: &Spanned<i64>, field: &str, lo: i64, hi: i64) {
        if !(lo..=hi).contains(v.get_ref()) {
            let msg = format!("expected an integer in [{lo}, {hi}], found {}", v.get_ref());
            self.err(v, field, msg);
        }
    }

    fn real(&mut self, v: &Option<Spanned<f64>>, field: &str, lo: f64, hi: f64, open_hi: bool) {
        let Some(s) = v else { return };
        let x = *s.get_ref();
        let ok = x.is_finite() && x >= lo && if open_hi { x < hi } else { x <= hi };
        if !ok {
            let br = if open_hi { ")" } else { "]" };
            self.err(s, field, format!("expected a number in [{lo}, {hi}{br}, found {x}"));
        }
    }

    fn check(&mut self, spec: PlanSpec, ds: &Dataset) -> CheckedSpec {
        let members = self.bloc(&spec.bloc, ds, "bloc");
        self.range(&spec.first_year, "first_year", 2000, 2100);
        self.range(&spec.horizon_years, "horizon_years", 1, MAX_HORIZON as i64);
        self.range(&spec.asset_life_years, "asset_life_years", 1, 100);
        self.range(&spec.futures.count, "futures.count", 1, MAX_FUTURES as i64);
        self.materials(&spec.candidates.materials, ds);
        let stages = self.stages(&spec.candidates.stages);
        let hosts = self.hosts(&spec.candidates.hosts, ds);
        self.range(
            &spec.candidates.max_deposits,
            "candidates.max_deposits",
            0,
            MAX_CANDIDATES as i64,
        );
        self.financiers(&spec.financiers.ids, ds);
        self.objective(&spec.objective, ds);
        self.real(
            &spec.ethics.min_audited_share,
            "ethics.min_audited_share",
            0.0,
            1.0,
            false,
        );
        self.range(&spec.compare.frontier_points, "compare.frontier_points", 0, 20);
        CheckedSpec {
            spec,
            members,
            stages,
            hosts,
        }
    }

    fn bloc(&mut self, b: &Spanned<String>, ds: &Dataset, field: &str) -> Vec<String> {
        match ds.curated.bloc(b.get_ref()) {
            Some(bl) => bl.members.clone(),
            None => {
                let known: Vec<&str> = ds.curated.blocs.iter().map(|b| b.id.as_str()).collect();
                let msg = format!(
                    "expected a bloc of curated/blocs.toml ({}), found {:?}",
                    known.join(", "),
                    b.get_ref()
                );
                self.err(b, field, msg);
                Vec::new()
            }
        }
    }

    fn materials(&mut self, m: &Spanned<Vec<String>>, ds: &Dataset) {
        if m.get_ref().is_empty() {
            self.err(m, "candidates.materials", "expected at least one material".into());
        }
        for id in m.get_ref() {
            if ds.material(id).is_none() {
                let msg = format!("expected a material id of materials.csv, found {id:?}");
                self.err(m, "candidates.materials", msg);
            }
        }
    }

    fn stages(&mut self, s: &Spanned<Vec<String>>) -> Vec<Stage> {
        if s.get_ref().is_empty() {
            self.err(s, "candidates.stages", "expected at least one stage".into());
        }
        let mut out = Vec::new();
        for id in s.get_ref() {
            match Stage::parse(id) {
                Some(st) => out.push(st),
                None => {
                    let msg = format!("expected mining, refining or components, found {id:?}");
                    self.err(s, "candidates.stages", msg);
                }
            }
        }
        out
    }

    fn hosts(&mut self, h: &Spanned<Vec<String>>, ds: &Dataset) -> Vec<String> {
        let mut out = Vec::new();
        for id in h.get_ref() {
            if let Some(b) = id.strip_prefix("bloc:") {
                let sp = Spanned::new(h.span(), b.to_string());
                out.extend(self.bloc(&sp, ds, "candidates.hosts"));
            } else if ds.country(id).is_some() {
                out.push(id.clone());
            } else {
                let msg = format!("expected a country id or \"bloc:ID\", found {id:?}");
                self.err(h, "candidates.hosts", msg);
            }
        }
        out
    }

    fn financiers(&mut self, ids: &Spanned<Vec<String>>, ds: &Dataset) {
        for id in ids.get_ref() {
            if !ds.curated.financiers.iter().any(|f| &f.id == id) {
                let msg = format!("expected a financier id of curated/financiers.toml, found {id:?}");
                self.err(ids, "financiers.ids", msg);
            }
        }
    }

    fn objective(&mut self, o: &ObjectiveSpec, ds: &Dataset) {
        match o.kind.get_ref().as_str() {
            "min_cost_plus_risk" => {
                if o.weight_usd_m_per_t.is_none() {
                    let msg = "expected weight_usd_m_per_t with min_cost_plus_risk".into();
                    self.err(&o.kind, "objective.weight_usd_m_per_t", msg);
                }
                self.real(&o.weight_usd_m_per_t, "objective.weight_usd_m_per_t", 0.0, 1e6, false);
            }
            "min_cost_subject_to_risk" => {
                if o.target_t.is_none() {
                    let msg = "expected target_t with min_cost_subject_to_risk".into();
                    self.err(&o.kind, "objective.target_t", msg);
                }
                self.real(&o.target_t, "objective.target_t", 0.0, 1e12, false);
            }
            k => {
                let msg = format!(
                    "expected \"min_cost_plus_risk\" or \"min_cost_subject_to_risk\", found {k:?}"
                );
                self.err(&o.kind, "objective.kind", msg);
            }
        }
        match o.risk.get_ref().as_str() {
            "expected" => {}
            "cvar" => {
                if o.alpha.is_none() {
                    self.err(&o.risk, "objective.alpha", "expected alpha with risk = \"cvar\"".into());
                }
                self.real(&o.alpha, "objective.alpha", 0.5, 1.0, true);
            }
            r => {
                let msg = format!("expected \"expected\" or \"cvar\", found {r:?}");
                self.err(&o.risk, "objective.risk", msg);
            }
        }
        let s = o.scope.get_ref();
        if s != "bloc" && ds.material(s).is_none() {
            let msg = format!("expected \"bloc\" or a material id, found {s:?}");
            self.err(&o.scope, "objective.scope", msg);
        }
    }
}
