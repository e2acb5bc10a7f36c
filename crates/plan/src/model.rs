//! The planner's MILP as a flat recipe: one function per constraint family, named as
//! docs/model.md names the equations.

use crate::error::Family;
use crate::input::{Objective, Problem, RiskMeasure, RiskScope};
use crate::lp::{Recipe, Sense, Var};
use quadrant_model::Stage;
use std::collections::{BTreeMap, HashMap};

/// Weight of the total bloc shortfall in the objective, so that deliveries outside the risk's
/// scope are still made when free (it keeps reported shortfalls well defined).
pub const TIE_BREAK: f64 = 1e-7;

/// Who the plan is for: the pooled bloc, or one member's national plan.
#[derive(Debug, Clone)]
pub struct Scope {
    /// Members that receive output and whose loss counts (indices into futures.members).
    pub members: Vec<usize>,
    /// Financiers that may fund (indices into financiers).
    pub financiers: Vec<usize>,
}

impl Scope {
    /// The whole bloc with every financier.
    pub fn pooled(p: &Problem) -> Scope {
        Scope {
            members: (0..p.futures.members.len()).collect(),
            financiers: (0..p.financiers.len()).collect(),
        }
    }
    /// Member `m` alone with its own financiers.
    pub fn national(p: &Problem, m: usize) -> Scope {
        let id = &p.futures.members[m];
        Scope {
            members: vec![m],
            financiers: (0..p.financiers.len())
                .filter(|&k| &p.financiers[k].member == id)
                .collect(),
        }
    }
}

/// Changes to the base recipe: fixed start years, a budget increment, relaxed families.
#[derive(Debug, Clone, Default)]
pub struct Tweaks {
    /// Start year of each candidate (`None` = not built) when the integers are fixed.
    pub fixed: Option<Vec<Option<usize>>>,
    /// Extra USD m per year for one financier (finite-difference marginal values).
    pub budget_bump: Option<(usize, f64)>,
    /// Objective override (frontier points).
    pub objective: Option<Objective>,
}

/// The recipe and where each decision lives in it.
#[derive(Debug, Clone)]
pub struct Model {
    /// Variables, rows, objective.
    pub recipe: Recipe,
    /// `build[j]`: (start year, variable).
    pub build: Vec<Vec<(usize, Var)>>,
    /// Funding by year: (candidate, financier, year, variable).
    pub x: Vec<(usize, usize, usize, Var)>,
    /// Funding by instrument: (candidate, financier, instrument, variable).
    pub w: Vec<(usize, usize, usize, Var)>,
    /// Deliveries: (future, material, year, member) → variable.
    pub d: HashMap<(usize, usize, usize, usize), Var>,
    /// The risk measure as a linear expression.
    pub risk: Vec<(Var, f64)>,
    /// The annualised cost as a linear expression.
    pub cost: Vec<(Var, f64)>,
}

impl AsRef<Recipe> for Model {
    fn as_ref(&self) -> &Recipe {
        &self.recipe
    }
}

/// Capital recovery factor: the annual payment per unit of capital at rate `r` over `n` years.
pub fn capital_recovery_factor(r: f64, n: u32) -> f64 {
    if r <= 0.0 {
        return 1.0 / f64::from(n);
    }
    r / (1.0 - (1.0 + r).powi(-(n as i32)))
}

struct Ctx<'a> {
    p: &'a Problem,
    scope: &'a Scope,
    relax: &'a [Family],
    r: Recipe,
    ny: usize,
}

impl Ctx<'_> {
    fn row(&mut self, terms: Vec<(Var, f64)>, sense: Sense, rhs: f64, family: Option<Family>) {
        if family.is_some_and(|f| self.relax.contains(&f)) || terms.is_empty() {
            return;
        }
        self.r.row(terms, sense, rhs, family);
    }
    /// Terms of `cap_j · Σ_{y' ≤ y − lead_j} build_{j,y'}`: capacity running in year `y`.
    fn running(&self, build: &[(usize, Var)], j: usize, y: usize, scale: f64) -> Vec<(Var, f64)> {
        let c = &self.p.candidates[j];
        build
            .iter()
            .filter(|(y0, _)| y0 + c.lead_years as usize <= y)
            .map(|(_, v)| (*v, scale * c.capacity_t))
            .collect()
    }
}

/// Builds the plan's recipe for `scope`, with `relax` families left out.
pub fn build(p: &Problem, scope: &Scope, tweaks: &Tweaks, relax: &[Family]) -> Model {
    let ny = p.options.horizon_years;
    let mut cx = Ctx {
        p,
        scope,
        relax,
        r: Recipe::default(),
        ny,
    };
    let build = build_vars(&mut cx, tweaks);
    let (x, w) = funding(&mut cx, &build, tweaks);
    ethics(&mut cx, &build);
    caps(&mut cx, &build, &x);
    let supply = feed_balance(&mut cx, &build);
    let (d, losses) = shortfall(&mut cx, &supply);
    home_offtake(&mut cx, &build, &x, &d);
    let cost = cost_terms(&cx, &build, &w);
    let risk = risk_terms(&mut cx, &losses);
    objective(&mut cx, tweaks, &cost, &risk, &losses);
    Model {
        recipe: cx.r,
        build,
        x,
        w,
        d,
        risk,
        cost,
    }
}

/// build_{j,y} ∈ {0,1} for start years whose output falls inside the horizon; Σ_y build ≤ 1.
fn build_vars(cx: &mut Ctx, tweaks: &Tweaks) -> Vec<Vec<(usize, Var)>> {
    let mut all = Vec::with_capacity(cx.p.candidates.len());
    for (j, c) in cx.p.candidates.iter().enumerate() {
        let last = cx.ny.saturating_sub(c.lead_years as usize);
        let vars: Vec<(usize, Var)> = (0..last)
            .map(|y| {
                let v = match &tweaks.fixed {
                    Some(f) => {
                        let on = if f[j] == Some(y) { 1.0 } else { 0.0 };
                        cx.r.var(on, on)
                    }
                    None => cx.r.binary(),
                };
                (y, v)
            })
            .collect();
        cx.row(
            vars.iter().map(|(_, v)| (*v, 1.0)).collect(),
            Sense::Le,
            1.0,
            None,
        );
        all.push(vars);
    }
    all
}

type FundingVars = (
    Vec<(usize, usize, usize, Var)>,
    Vec<(usize, usize, usize, Var)>,
);

/// Funding: Σ_k x_{j,k,y} = capex_j · build_{j,y}; Σ_i w_{j,k,i} = Σ_y x_{j,k,y};
/// budgets Σ_j x_{j,k,y} ≤ B_{k,y}. Mandates decide which (j, k) pairs exist.
fn funding(cx: &mut Ctx, build: &[Vec<(usize, Var)>], tweaks: &Tweaks) -> FundingVars {
    let p = cx.p;
    let mandates = !cx.relax.contains(&Family::Mandates);
    let (mut x, mut w) = (Vec::new(), Vec::new());
    let mut by_year: BTreeMap<(usize, usize), Vec<(Var, f64)>> = BTreeMap::new();
    for (j, c) in p.candidates.iter().enumerate() {
        let mut per_year: Vec<Vec<(Var, f64)>> = build[j]
            .iter()
            .map(|(_, b)| vec![(*b, -c.capex_usd_m)])
            .collect();
        for &k in &cx.scope.financiers {
            let f = &p.financiers[k];
            if build[j].is_empty() || (mandates && !f.eligible(c)) {
                continue;
            }
            let mut split = Vec::new();
            for (n, (y, _)) in build[j].iter().enumerate() {
                let v = cx.r.var(0.0, f64::INFINITY);
                x.push((j, k, *y, v));
                per_year[n].push((v, 1.0));
                by_year.entry((k, *y)).or_default().push((v, 1.0));
                split.push((v, -1.0));
            }
            for i in 0..f.instruments.len() {
                let v = cx.r.var(0.0, f64::INFINITY);
                w.push((j, k, i, v));
                split.push((v, 1.0));
            }
            cx.row(split, Sense::Eq, 0.0, None);
        }
        for terms in per_year {
            cx.row(terms, Sense::Eq, 0.0, None);
        }
    }
    for ((k, y), terms) in by_year {
        let bump = tweaks
            .budget_bump
            .filter(|(b, _)| *b == k)
            .map_or(0.0, |(_, a)| a);
        let rhs = p.financiers[k].budget_usd_m.in_year(y) + bump;
        cx.row(terms, Sense::Le, rhs, Some(Family::Budgets));
    }
    (x, w)
}

/// Ethics: flagged projects unbuilt when required; Σ_j (audited_j − σ) cap_j built_j ≥ 0.
fn ethics(cx: &mut Ctx, build: &[Vec<(usize, Var)>]) {
    let o = &cx.p.options;
    let mut audited = Vec::new();
    for (j, c) in cx.p.candidates.iter().enumerate() {
        let built: Vec<(Var, f64)> = build[j].iter().map(|(_, v)| (*v, 1.0)).collect();
        if o.require_no_flagged && c.flagged {
            cx.row(built.clone(), Sense::Le, 0.0, Some(Family::Ethics));
        }
        if let Some(share) = o.min_audited_share {
            let a = if c.audited { 1.0 } else { 0.0 };
            audited.extend(built.iter().map(|(v, _)| (*v, (a - share) * c.capacity_t)));
        }
    }
    cx.row(audited, Sense::Ge, 0.0, Some(Family::Ethics));
}

/// Caps: funding by a member's financiers, and capex hosted in a country, over the horizon.
fn caps(cx: &mut Ctx, build: &[Vec<(usize, Var)>], x: &[(usize, usize, usize, Var)]) {
    let p = cx.p;
    for cap in &p.options.member_caps {
        let terms = x
            .iter()
            .filter(|(_, k, _, _)| p.financiers[*k].member == cap.country)
            .map(|e| (e.3, 1.0))
            .collect();
        cx.row(terms, Sense::Le, cap.usd_m, Some(Family::Caps));
    }
    for cap in &p.options.host_caps {
        let terms = p
            .candidates
            .iter()
            .enumerate()
            .filter(|(_, c)| c.host == cap.country)
            .flat_map(|(j, c)| build[j].iter().map(move |(_, v)| (*v, c.capex_usd_m)))
            .collect();
        cx.row(terms, Sense::Le, cap.usd_m, Some(Family::Caps));
    }
}

/// Usable new supply U_{s,m,y} = Σ_g P_{g,s,y}: processing output by feed group g (same
/// material, same feed countries), P ≤ running capacity, P ≤ Σ_c z_{c,g,s,y}, and per
/// country Σ_g z_{c,g,s,y} ≤ feed_{s,c,m} + new mines running in c. Returns, per
/// (future, material, year), the terms of U.
fn feed_balance(
    cx: &mut Ctx,
    build: &[Vec<(usize, Var)>],
) -> HashMap<(usize, usize, usize), Vec<(Var, f64)>> {
    let p = cx.p;
    let fu = &p.futures;
    let mat =
        |m: &quadrant_model::MaterialId| fu.materials.iter().position(|x| x == m).unwrap_or(0);
    let mut groups: BTreeMap<(usize, Vec<&str>), Vec<usize>> = BTreeMap::new();
    for (j, c) in p.candidates.iter().enumerate() {
        if c.stage != Stage::Mining && !build[j].is_empty() {
            let mut hosts: Vec<&str> = c.feed_hosts.iter().map(|h| h.0.as_str()).collect();
            hosts.sort_unstable();
            hosts.dedup();
            groups.entry((mat(&c.material), hosts)).or_default().push(j);
        }
    }
    let mut supply: HashMap<(usize, usize, usize), Vec<(Var, f64)>> = HashMap::new();
    for (s, future) in fu.futures.iter().enumerate() {
        let mut avail: HashMap<(&str, usize), f64> = HashMap::new();
        for f in &future.feed {
            *avail
                .entry((f.country.0.as_str(), mat(&f.material)))
                .or_default() += f.t_per_year;
        }
        for y in 0..cx.ny {
            let mut pools: BTreeMap<(&str, usize), Vec<(Var, f64)>> = BTreeMap::new();
            for ((m, hosts), members) in &groups {
                let pv = cx.r.var(0.0, f64::INFINITY);
                let mut cap = vec![(pv, 1.0)];
                for &j in members {
                    cap.extend(cx.running(&build[j], j, y, -1.0));
                }
                cx.row(cap, Sense::Le, 0.0, None);
                let mut fed = vec![(pv, 1.0)];
                for h in hosts {
                    let z = cx.r.var(0.0, f64::INFINITY);
                    fed.push((z, -1.0));
                    pools.entry((h, *m)).or_default().push((z, 1.0));
                }
                cx.row(fed, Sense::Le, 0.0, Some(Family::Feed));
                supply.entry((s, *m, y)).or_default().push((pv, 1.0));
            }
            for ((h, m), mut terms) in pools {
                for (j, c) in p.candidates.iter().enumerate() {
                    if c.stage == Stage::Mining && c.host.0 == h && mat(&c.material) == m {
                        terms.extend(cx.running(&build[j], j, y, -1.0));
                    }
                }
                let rhs = avail.get(&(h, m)).copied().unwrap_or(0.0);
                cx.row(terms, Sense::Le, rhs, Some(Family::Feed));
            }
        }
    }
    supply
}

/// Loss per future: short_{s,m,y,k} ≥ base − d_{s,m,y,k}, short ≥ 0, Σ_k d ≤ U_{s,m,y}.
/// Returns the deliveries and, per future, the terms of each material's loss
/// (mean yearly shortfall over the scope's members).
#[allow(clippy::type_complexity)]
fn shortfall(
    cx: &mut Ctx,
    supply: &HashMap<(usize, usize, usize), Vec<(Var, f64)>>,
) -> (
    HashMap<(usize, usize, usize, usize), Var>,
    Vec<Vec<Vec<(Var, f64)>>>,
) {
    let fu = &cx.p.futures;
    let inv_y = 1.0 / cx.ny as f64;
    let mut d = HashMap::new();
    let mut losses = vec![vec![Vec::new(); fu.materials.len()]; fu.futures.len()];
    for (s, future) in fu.futures.iter().enumerate() {
        for (m, per_y) in future.shortfall_t.iter().enumerate() {
            for (y, per_k) in per_y.iter().enumerate() {
                let mut delivered = Vec::new();
                for &k in &cx.scope.members {
                    let base = per_k[k];
                    if base <= 0.0 {
                        continue;
                    }
                    let dv = cx.r.var(0.0, base);
                    let sv = cx.r.var(0.0, f64::INFINITY);
                    cx.row(vec![(sv, 1.0), (dv, 1.0)], Sense::Ge, base, None);
                    d.insert((s, m, y, k), dv);
                    delivered.push((dv, 1.0));
                    losses[s][m].push((sv, inv_y));
                }
                let usable = supply.get(&(s, m, y));
                if delivered.is_empty() {
                    continue;
                }
                delivered.extend(usable.into_iter().flatten().map(|(v, c)| (*v, -c)));
                cx.row(delivered, Sense::Le, 0.0, None);
            }
        }
    }
    (d, losses)
}

/// Home offtake: output reserved by a home-offtake financier of member h (its funding share
/// of running capacity) cannot go to other members:
/// Σ_{o≠h} d_{s,m,y,o} ≤ running capacity_{m,y} − reserved_{h,m,y}.
fn home_offtake(
    cx: &mut Ctx,
    build: &[Vec<(usize, Var)>],
    x: &[(usize, usize, usize, Var)],
    d: &HashMap<(usize, usize, usize, usize), Var>,
) {
    let p = cx.p;
    if cx.scope.members.len() < 2 {
        return;
    }
    let fu = &p.futures;
    for &h in &cx.scope.members.clone() {
        let home: Vec<&(usize, usize, usize, Var)> = x
            .iter()
            .filter(|(_, k, _, _)| {
                p.financiers[*k].home_offtake_required && p.financiers[*k].member == fu.members[h]
            })
            .collect();
        if home.is_empty() {
            continue;
        }
        for (m, mid) in fu.materials.iter().enumerate() {
            let procs: Vec<usize> = (0..p.candidates.len())
                .filter(|&j| {
                    &p.candidates[j].material == mid && p.candidates[j].stage != Stage::Mining
                })
                .collect();
            for y in 0..cx.ny {
                let mut fixed: Vec<(Var, f64)> = procs
                    .iter()
                    .flat_map(|&j| cx.running(&build[j], j, y, -1.0))
                    .collect();
                for (j, _, y0, v) in &home {
                    let c = &p.candidates[*j];
                    if c.material == *mid
                        && c.stage != Stage::Mining
                        && y0 + c.lead_years as usize <= y
                    {
                        fixed.push((*v, c.capacity_t / c.capex_usd_m));
                    }
                }
                for s in 0..fu.futures.len() {
                    let mut terms = fixed.clone();
                    terms.extend(
                        cx.scope
                            .members
                            .iter()
                            .filter(|&&o| o != h)
                            .filter_map(|&o| d.get(&(s, m, y, o)).map(|v| (*v, 1.0))),
                    );
                    if terms.len() > fixed.len() {
                        cx.row(terms, Sense::Le, 0.0, Some(Family::Mandates));
                    }
                }
            }
        }
    }
}

/// Annualised cost, USD m/yr: Σ w_{j,k,i} · CRF(r_{k,i}, life) + Σ opex_j · cap_j · built_j.
fn cost_terms(
    cx: &Ctx,
    build: &[Vec<(usize, Var)>],
    w: &[(usize, usize, usize, Var)],
) -> Vec<(Var, f64)> {
    let p = cx.p;
    let life = p.options.asset_life_years;
    let mut cost: Vec<(Var, f64)> = w
        .iter()
        .map(|(_, k, i, v)| {
            let f = &p.financiers[*k];
            let r = f.instruments[*i]
                .cost_of_capital
                .unwrap_or(f.cost_of_capital);
            (*v, capital_recovery_factor(r, life))
        })
        .collect();
    for (j, c) in p.candidates.iter().enumerate() {
        let opex = c.opex_usd_per_t.unwrap_or(0.0) * c.capacity_t / 1e6;
        if opex > 0.0 {
            cost.extend(build[j].iter().map(|(_, v)| (*v, opex)));
        }
    }
    cost
}

/// The scope's loss per future, L_s, and the risk: ES = Σ p_s L_s, or
/// CVaR_α = η + 1/(1−α) Σ p_s u_s with u_s ≥ L_s − η, u_s ≥ 0 (Rockafellar–Uryasev).
fn risk_terms(cx: &mut Ctx, losses: &[Vec<Vec<(Var, f64)>>]) -> Vec<(Var, f64)> {
    let fu = &cx.p.futures;
    let in_scope = |m: usize| match &cx.p.options.scope {
        RiskScope::Bloc => true,
        RiskScope::Material(id) => &fu.materials[m] == id,
    };
    let loss: Vec<Vec<(Var, f64)>> = losses
        .iter()
        .map(|per_m| {
            per_m
                .iter()
                .enumerate()
                .filter(|(m, _)| in_scope(*m))
                .flat_map(|(_, t)| t.iter().copied())
                .collect()
        })
        .collect();
    match cx.p.options.risk {
        RiskMeasure::ExpectedShortfall => fu
            .futures
            .iter()
            .zip(&loss)
            .flat_map(|(f, l)| l.iter().map(move |(v, c)| (*v, c * f.probability)))
            .collect(),
        RiskMeasure::CVaR { alpha } => {
            let eta = cx.r.var(f64::NEG_INFINITY, f64::INFINITY);
            let mut risk = vec![(eta, 1.0)];
            for (f, l) in fu.futures.iter().zip(&loss) {
                let u = cx.r.var(0.0, f64::INFINITY);
                let mut row = vec![(u, 1.0), (eta, 1.0)];
                row.extend(l.iter().map(|(v, c)| (*v, -c)));
                cx.row(row, Sense::Ge, 0.0, None);
                risk.push((u, f.probability / (1.0 - alpha)));
            }
            risk
        }
    }
}

/// Objective: cost + weight · risk, or cost with risk ≤ target; plus the tie-break.
fn objective(
    cx: &mut Ctx,
    tweaks: &Tweaks,
    cost: &[(Var, f64)],
    risk: &[(Var, f64)],
    losses: &[Vec<Vec<(Var, f64)>>],
) {
    for (v, c) in cost {
        cx.r.cost(*v, *c);
    }
    match tweaks.objective.unwrap_or(cx.p.options.objective) {
        Objective::MinCostPlusRisk { weight } => {
            for (v, c) in risk {
                cx.r.cost(*v, weight * c);
            }
        }
        Objective::MinCostSubjectToRisk { target } => {
            cx.row(risk.to_vec(), Sense::Le, target, Some(Family::RiskTarget));
        }
    }
    for (f, per_m) in cx.p.futures.futures.iter().zip(losses) {
        for (v, c) in per_m.iter().flatten() {
            cx.r.cost(*v, TIE_BREAK * f.probability * c);
        }
    }
}
