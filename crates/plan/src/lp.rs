//! A flat linear recipe (variables, rows, objective) and its hand-over to a solver through
//! `good_lp`. Keeping the recipe solver-neutral lets a family of rows be dropped (to explain
//! infeasibility) and the build be timed apart from the solve.

use crate::error::{Family, PlanError};
use crate::input::SolverChoice;
use good_lp::{
    variable, Expression, ProblemVariables, ResolutionError, Solution, SolverModel, Variable,
};

/// Index of a variable in a [`Recipe`].
pub type Var = u32;

/// One variable's bounds and type.
#[derive(Debug, Clone, Copy)]
pub struct VarDef {
    /// Lower bound.
    pub lo: f64,
    /// Upper bound (may be infinite).
    pub hi: f64,
    /// Integer-valued.
    pub integer: bool,
}

/// Sense of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sense {
    /// Σ ≤ rhs.
    Le,
    /// Σ ≥ rhs.
    Ge,
    /// Σ = rhs.
    Eq,
}

/// One linear constraint, tagged with its family.
#[derive(Debug, Clone)]
pub struct Row {
    /// Coefficients.
    pub terms: Vec<(Var, f64)>,
    /// Sense.
    pub sense: Sense,
    /// Right-hand side.
    pub rhs: f64,
    /// Family (`None` for structural rows that are never relaxed).
    pub family: Option<Family>,
}

/// Variables, rows and a minimised objective.
#[derive(Debug, Clone, Default)]
pub struct Recipe {
    /// Variables.
    pub vars: Vec<VarDef>,
    /// Rows.
    pub rows: Vec<Row>,
    /// Objective coefficients (minimised).
    pub objective: Vec<(Var, f64)>,
}

impl Recipe {
    /// A new continuous variable in [lo, hi].
    pub fn var(&mut self, lo: f64, hi: f64) -> Var {
        self.vars.push(VarDef {
            lo,
            hi,
            integer: false,
        });
        (self.vars.len() - 1) as Var
    }
    /// A new binary variable.
    pub fn binary(&mut self) -> Var {
        self.vars.push(VarDef {
            lo: 0.0,
            hi: 1.0,
            integer: true,
        });
        (self.vars.len() - 1) as Var
    }
    /// Adds a row (skips empty rows that hold trivially).
    pub fn row(&mut self, terms: Vec<(Var, f64)>, sense: Sense, rhs: f64, family: Option<Family>) {
        self.rows.push(Row {
            terms,
            sense,
            rhs,
            family,
        });
    }
    /// Adds `c · v` to the objective.
    pub fn cost(&mut self, v: Var, c: f64) {
        if c != 0.0 {
            self.objective.push((v, c));
        }
    }
}

/// A solved recipe: every variable's value.
#[derive(Debug, Clone)]
pub struct Solved {
    /// Values by [`Var`].
    pub values: Vec<f64>,
    /// Objective value.
    pub objective: f64,
    /// Proven optimal (else stopped at the accepted gap).
    pub optimal: bool,
}

impl Solved {
    /// Value of `v`.
    pub fn at(&self, v: Var) -> f64 {
        self.values[v as usize]
    }
    /// Value of `Σ c·v`.
    pub fn eval(&self, terms: &[(Var, f64)]) -> f64 {
        terms.iter().map(|(v, c)| c * self.at(*v)).sum()
    }
}

/// Why a recipe had no solution, before it is explained by families.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// No point satisfies the rows.
    Infeasible,
    /// Objective unbounded below.
    Unbounded,
    /// Anything else.
    Other(String),
}

fn expr(terms: &[(Var, f64)], vs: &[Variable]) -> Expression {
    let mut e = Expression::with_capacity(terms.len());
    for (v, c) in terms {
        e.add_mul(*c, vs[*v as usize]);
    }
    e
}

fn fail(e: ResolutionError) -> Failure {
    match e {
        ResolutionError::Infeasible => Failure::Infeasible,
        ResolutionError::Unbounded => Failure::Unbounded,
        other => Failure::Other(other.to_string()),
    }
}

/// Solves `r`.
pub fn solve(r: &Recipe, solver: SolverChoice, gap: f64) -> Result<Solved, Failure> {
    let mut pv = ProblemVariables::new();
    let vs: Vec<Variable> = r
        .vars
        .iter()
        .map(|d| {
            let mut def = variable().min(d.lo);
            if d.hi.is_finite() {
                def = def.max(d.hi);
            }
            if d.integer {
                def = def.integer();
            }
            pv.add(def)
        })
        .collect();
    let obj = expr(&r.objective, &vs);
    let cons = r.rows.iter().map(|row| {
        let e = expr(&row.terms, &vs);
        match row.sense {
            Sense::Le => e.leq(row.rhs),
            Sense::Ge => e.geq(row.rhs),
            Sense::Eq => e.eq(row.rhs),
        }
    });
    let problem = pv.minimise(obj);
    match solver {
        SolverChoice::Microlp => {
            use good_lp::solvers::WithMipGap;
            let mut m = problem.using(good_lp::microlp);
            if gap > 0.0 {
                m = m
                    .with_mip_gap(gap as f32)
                    .map_err(|e| Failure::Other(e.to_string()))?;
            }
            for c in cons {
                m.add_constraint(c);
            }
            let s = m.solve().map_err(fail)?;
            Ok(solved(r, &s, &vs))
        }
        SolverChoice::Highs => solve_highs(r, problem, cons, &vs, gap),
    }
}

fn solved<S: Solution>(r: &Recipe, s: &S, vs: &[Variable]) -> Solved {
    let values: Vec<f64> = vs.iter().map(|v| s.value(*v)).collect();
    let objective = r
        .objective
        .iter()
        .map(|(v, c)| c * values[*v as usize])
        .sum();
    let optimal = matches!(s.status(), good_lp::solvers::SolutionStatus::Optimal);
    Solved {
        values,
        objective,
        optimal,
    }
}

#[cfg(feature = "highs")]
fn solve_highs(
    r: &Recipe,
    problem: good_lp::variable::UnsolvedProblem,
    cons: impl Iterator<Item = good_lp::Constraint>,
    vs: &[Variable],
    gap: f64,
) -> Result<Solved, Failure> {
    let mut m = problem.using(good_lp::highs);
    m.set_verbose(false);
    // HiGHS's default relative gap is 1e-4; ask for what the plan accepts.
    let mut m = m
        .set_mip_rel_gap(gap.max(1e-9) as f32)
        .map_err(|e| Failure::Other(e.to_string()))?;
    for c in cons {
        m.add_constraint(c);
    }
    let s = m.solve().map_err(fail)?;
    Ok(solved(r, &s, vs))
}

#[cfg(not(feature = "highs"))]
fn solve_highs(
    _: &Recipe,
    _: good_lp::variable::UnsolvedProblem,
    _: impl Iterator<Item = good_lp::Constraint>,
    _: &[Variable],
    _: f64,
) -> Result<Solved, Failure> {
    Err(Failure::Other("highs not built".into()))
}

/// Solves the recipe `build(&[])`; when it fails, rebuilds it with one family relaxed at a
/// time to name the families responsible.
pub fn solve_explained<T: AsRef<Recipe>>(
    build: impl Fn(&[Family]) -> T,
    solver: SolverChoice,
    gap: f64,
) -> Result<(T, Solved), PlanError> {
    if solver == SolverChoice::Highs && !cfg!(feature = "highs") {
        return Err(PlanError::SolverMissing("highs"));
    }
    let r = build(&[]);
    let failure = match solve(r.as_ref(), solver, gap) {
        Ok(s) => return Ok((r, s)),
        Err(f) => f,
    };
    let responsible = |fs: &[Family]| -> Vec<Family> {
        fs.iter()
            .copied()
            .filter(|f| solve(build(&[*f]).as_ref(), solver, gap).is_ok())
            .collect()
    };
    match failure {
        Failure::Infeasible => Err(PlanError::Infeasible {
            families: responsible(&Family::RELAXABLE),
        }),
        Failure::Unbounded => Err(PlanError::Unbounded {
            families: Family::RELAXABLE.to_vec(),
        }),
        Failure::Other(reason) => Err(PlanError::Solver {
            solver: solver.as_str(),
            reason,
        }),
    }
}
