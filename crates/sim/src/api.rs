//! The entry point that the command line, a server or the planner call: a dataset, a scenario
//! (a shipped name or a file) and parameters in, results out. Every front end runs the same
//! code, so they cannot drift apart; each only parses its input and renders.

use crate::backtest::{
    backtest_case, band, bootstrap, cross_validate, fit, BacktestCase, CvCase, Fit,
};
use crate::chokepoints::{chokepoints, country_names, ChokeReport};
use crate::montecarlo::{montecarlo, McResult};
use crate::network::Network;
use crate::params::Params;
use crate::params::PriceResponse;
use crate::scenario::Scenario;
use crate::who::Bloc;
use crate::{networks, shipped, simulate, Prepared, SimResult};
use quadrant_metrics::TradeIndex;
use quadrant_model::{Dataset, Issue};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize};

/// Why a simulation could not run.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// Neither a readable file nor a shipped scenario of that name.
    #[error("{name}: no such file, and no shipped scenario of that name{} ({shipped})", nearest.as_ref().map_or_else(String::new, |n| format!("; did you mean {n:?}?")))]
    NoScenario {
        /// The name asked for.
        name: String,
        /// The closest shipped name, when it is a likely typo.
        nearest: Option<String>,
        /// The shipped scenarios' names, comma-separated.
        shipped: String,
    },
    /// A file could not be read.
    #[error("{file}: {message}")]
    Io {
        /// The file.
        file: String,
        /// What went wrong.
        message: String,
    },
    /// The scenario was refused; every problem is listed.
    #[error("scenario refused:\n{}", list(.0))]
    Scenario(Vec<Issue>),
    /// The parameter file was refused. The problem is part of the message, not a `source`:
    /// as both, a printer of error chains (anyhow's `{:#}`) would show it twice.
    #[error("{file}: {problem}")]
    Params {
        /// The file.
        file: String,
        /// What is wrong in it.
        problem: crate::params::ParamsError,
    },
    /// None of the scenario's materials has production data for a network.
    #[error("no network could be built for the scenario's materials {0:?}")]
    NoNetwork(Vec<String>),
    /// A material id the dataset does not have.
    #[error("unknown material {0:?}")]
    UnknownMaterial(String),
    /// A bloc id the dataset does not have.
    #[error("unknown bloc {0:?}")]
    UnknownBloc(String),
    /// The material has no production data up to the year asked for.
    #[error("no production data for {0}")]
    NoProduction(String),
    /// Events that cannot act on the networks built: each would silently report 0%.
    #[error("{}", .0.join("\n"))]
    EventsCannotAct(Vec<String>),
    /// A size or share outside its documented bounds.
    #[error("{field}: expected {expected}, found {found}")]
    OutOfRange {
        /// The option or field.
        field: &'static str,
        /// The bounds.
        expected: String,
        /// The value given.
        found: String,
    },
}

/// The year whose cited stock figures set consumer inventory targets (the latest up to it).
pub const STOCK_YEAR: i64 = 2024;

/// Bootstrap fits of the price response a Monte Carlo draws from when asked to draw its
/// parameters (each run takes one, by its seed).
pub const PARAM_SETS: usize = 8;

/// Most Monte Carlo runs in one call (memory grows by about 0.5 kB per run).
pub const MAX_RUNS: usize = 1_000_000;
/// Longest horizon of a chokepoint run, weeks (30 years, as a scenario's `weeks`).
pub const MAX_HORIZON: usize = 1560;
pub use crate::chokepoints::OUTAGE_START;

/// `value` within `lo..=hi`, or an error naming `field`.
pub fn check_range<T: PartialOrd + std::fmt::Display>(
    field: &'static str,
    value: T,
    lo: T,
    hi: T,
) -> Result<T, SimError> {
    if value >= lo && value <= hi {
        Ok(value)
    } else {
        Err(SimError::OutOfRange {
            field,
            expected: format!("a value from {lo} to {hi}"),
            found: value.to_string(),
        })
    }
}

/// At most this many issues are listed; the rest are counted.
const LISTED: usize = 50;

fn list(issues: &[Issue]) -> String {
    let mut v: Vec<String> = issues
        .iter()
        .take(LISTED)
        .map(|e| format!("  {e}"))
        .collect();
    if issues.len() > LISTED {
        v.push(format!("  … and {} more", issues.len() - LISTED));
    }
    v.join("\n")
}

/// Largest scenario file read, bytes (16 MiB: about 120,000 events).
pub const MAX_SCENARIO_BYTES: u64 = 16 << 20;

/// Simulator parameters from a file, or the shipped ones.
pub fn load_params(path: Option<&Path>) -> Result<Params, SimError> {
    let Some(p) = path else {
        return Ok(Params::shipped());
    };
    let file = p.display().to_string();
    let text = std::fs::read_to_string(p).map_err(|e| SimError::Io {
        file: file.clone(),
        message: e.to_string(),
    })?;
    Params::parse(&text).map_err(|problem| SimError::Params { file, problem })
}

/// Material m's P10–P90 price paths over `runs` (each run with its weekly series).
fn material_band(net: &Network, m: usize, runs: &[SimResult]) -> MaterialBand {
    let paths: Vec<&Vec<Vec<f64>>> = runs
        .iter()
        .filter_map(|r| r.materials[m].series.as_ref().map(|s| &s.price))
        .collect();
    let ns = net.stages.len();
    let weeks = paths.first().map_or(0, |p| p.len());
    let at = |w: usize, s: usize| -> Vec<f64> { paths.iter().map(|p| p[w][s]).collect() };
    let weekly = (0..weeks)
        .map(|w| (0..ns).map(|s| band(&at(w, s))).collect())
        .collect();
    let peak = (0..ns)
        .map(|s| {
            let peaks: Vec<f64> = paths
                .iter()
                .map(|p| p.iter().map(|x| x[s]).fold(1.0, f64::max))
                .collect();
            band(&peaks)
        })
        .collect();
    MaterialBand {
        material: net.material.clone(),
        stages: net
            .stages
            .iter()
            .map(|s| s.stage.as_str().to_string())
            .collect(),
        weekly,
        peak,
    }
}

/// A simulation session: the dataset with its trade index built once, and the parameters.
pub struct Session<'a> {
    /// The dataset.
    pub ds: &'a Dataset,
    /// The dataset's trade index.
    pub trade: TradeIndex,
    /// Simulator parameters.
    pub params: Params,
}

/// One run of a scenario with the networks it ran on (renderers read node ids and stages
/// from them).
pub struct Simulation {
    /// The scenario run.
    pub scenario: Scenario,
    /// One network per simulated material.
    pub nets: Vec<Network>,
    /// The results.
    pub result: SimResult,
}

/// A Monte Carlo with what its rows refer to.
pub struct MonteCarlo {
    /// Material ids, in the order of each run's outcome.
    pub materials: Vec<String>,
    /// The bloc, then each member: the subjects of each run's outcome.
    pub subjects: Vec<String>,
    /// The results.
    pub result: McResult,
    /// What each finished run drew (`montecarlo::sampled`), in the order of its outcomes.
    pub sampled: Vec<Vec<(String, f64)>>,
    /// The price responses the runs drew from (one: the parameters as given).
    pub responses: Vec<PriceResponse>,
}

/// A scenario's world price paths under parameter uncertainty: one run per bootstrap fit of the
/// price response, the 10th and 90th percentiles week by week.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PriceBands {
    /// The price responses run.
    pub responses: Vec<PriceResponse>,
    /// Per material.
    pub materials: Vec<MaterialBand>,
}

/// One material's price band.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MaterialBand {
    /// Material id.
    pub material: String,
    /// Stage names, upstream first.
    pub stages: Vec<String>,
    /// (P10, P90) of the world price, [week][stage], × baseline.
    pub weekly: Vec<Vec<(f64, f64)>>,
    /// (P10, P90) of the peak price per stage.
    pub peak: Vec<(f64, f64)>,
}

/// What `quadrant chokepoints` asks.
#[derive(Debug, Clone, PartialEq)]
pub struct ChokeRequest {
    /// Bloc id.
    pub bloc: String,
    /// Material id.
    pub material: String,
    /// Outage length, weeks.
    pub weeks: usize,
    /// Weeks simulated (the outage starts in week 4).
    pub horizon: usize,
    /// Structure year of the network.
    pub year: u16,
    /// Smallest share of a stage's world output for a candidate.
    pub min_share: f64,
}

/// The back-tests, with the price response they ran with.
pub struct Backtest {
    /// Every case.
    pub cases: Vec<BacktestCase>,
    /// The price response used.
    pub response: PriceResponse,
    /// The fit, when asked for.
    pub fit: Option<Fit>,
    /// Leave-one-event-out cross-validation, when asked for.
    pub cv: Option<Vec<CvCase>>,
}

impl<'a> Session<'a> {
    /// A session on `ds` with `params`.
    /// Consumer stock targets come from the dataset's cited stock figures where the parameters
    /// assume them (`Params::with_stock_data`).
    pub fn new(ds: &'a Dataset, params: Params) -> Session<'a> {
        Session {
            ds,
            trade: TradeIndex::build(ds),
            params: params.with_stock_data(ds, STOCK_YEAR),
        }
    }
    /// A scenario from a file, or from the shipped set by name; validated against the dataset.
    pub fn scenario(&self, name: &str) -> Result<Scenario, SimError> {
        // Something that exists but is no file is called what it is, not "no such file".
        if let Ok(m) = std::fs::metadata(name) {
            if !m.is_file() {
                let what = if m.is_dir() {
                    "a directory, not a scenario file"
                } else {
                    "a special file (FIFO, device or socket), not a scenario file"
                };
                return Err(SimError::Io {
                    file: name.to_string(),
                    message: what.into(),
                });
            }
        }
        let (file, text) = if Path::new(name).is_file() {
            let io = |message: String| SimError::Io {
                file: name.to_string(),
                message,
            };
            let size = std::fs::metadata(name)
                .map_err(|e| io(e.to_string()))?
                .len();
            if size > MAX_SCENARIO_BYTES {
                return Err(io(format!(
                    "{size} bytes: a scenario file is at most {MAX_SCENARIO_BYTES} bytes (16 MiB)"
                )));
            }
            let text = std::fs::read_to_string(name).map_err(|e| io(e.to_string()))?;
            (name.to_string(), text)
        } else if let Some((p, t)) = shipped::find(name) {
            (format!("data/scenarios/{p}"), t.to_string())
        } else {
            let names: Vec<&str> = shipped::SCENARIOS
                .iter()
                .map(|s| s.0.trim_end_matches(".toml"))
                .collect();
            return Err(SimError::NoScenario {
                name: name.to_string(),
                nearest: quadrant_model::ids::nearest(name, names.iter().copied()),
                shipped: names.join(", "),
            });
        };
        Scenario::parse(&file, &text, self.ds).map_err(SimError::Scenario)
    }
    /// The scenario's networks; an error when none can be built, or when an event cannot act
    /// on them (its material has no network, or its country no node in it).
    pub fn networks(&self, sc: &Scenario) -> Result<Vec<Network>, SimError> {
        let nets = networks(self.ds, &self.trade, sc);
        if nets.is_empty() {
            return Err(SimError::NoNetwork(sc.material_ids()));
        }
        let prep = Prepared::new(self.ds, sc, &nets);
        let mut idle: Vec<(usize, String)> = Vec::new();
        for (k, e) in sc.events.iter().enumerate() {
            if !nets.iter().any(|n| n.material == e.material()) {
                let why = format!(
                    "{}: no network could be built for {} (no production data up to {})",
                    e.describe(),
                    e.material(),
                    sc.base_year
                );
                idle.push((k, why));
            }
        }
        for (m, net) in nets.iter().enumerate() {
            for (k, reason) in prep.realize_mid(m).unplaced {
                let e = &sc.events[k];
                let why = format!("{} in the {} network: {reason}", e.describe(), net.material);
                idle.push((k, why));
            }
        }
        if idle.is_empty() {
            return Ok(nets);
        }
        idle.sort();
        Err(SimError::EventsCannotAct(
            idle.into_iter()
                .map(|(k, why)| format!("event {} cannot act: {why}", k + 1))
                .collect(),
        ))
    }
    /// Runs `sc` once (every event at its stated or mid-range value), with the weekly series
    /// when `with_series`.
    pub fn simulate(&self, sc: Scenario, with_series: bool) -> Result<Simulation, SimError> {
        let nets = self.networks(&sc)?;
        let result = simulate(self.ds, &nets, &self.params, &sc, with_series);
        Ok(Simulation {
            scenario: sc,
            nets,
            result,
        })
    }
    /// The scenario under each of [`PARAM_SETS`] bootstrap fits of the price response (drawn
    /// from `seed`): P10–P90 of every world price path.
    pub fn price_bands(&self, sc: &Scenario, seed: u64) -> Result<PriceBands, SimError> {
        let nets = self.networks(sc)?;
        let responses = self.bootstrap_responses(seed)?;
        let runs: Vec<SimResult> = responses
            .iter()
            .map(|r| {
                simulate(
                    self.ds,
                    &nets,
                    &self.params.with_price_response(*r),
                    sc,
                    true,
                )
            })
            .collect();
        let materials = nets
            .iter()
            .enumerate()
            .map(|(m, net)| material_band(net, m, &runs))
            .collect();
        Ok(PriceBands {
            responses,
            materials,
        })
    }
    /// Runs `runs` futures of `sc` from `seed` on the current rayon pool. `stop` ends it early
    /// (finished runs are kept); `done` counts finished runs.
    pub fn montecarlo(
        &self,
        sc: &Scenario,
        runs: usize,
        seed: u64,
        draw_params: bool,
        stop: &AtomicBool,
        done: &AtomicUsize,
    ) -> Result<MonteCarlo, SimError> {
        check_range("runs", runs, 1, MAX_RUNS)?;
        let nets = self.networks(sc)?;
        let (responses, sets) = if draw_params {
            let responses = self.bootstrap_responses(seed)?;
            let sets = responses
                .iter()
                .map(|r| self.params.with_price_response(*r))
                .collect();
            (responses, sets)
        } else {
            (
                vec![self.params.price_response()],
                vec![self.params.clone()],
            )
        };
        let result = montecarlo(self.ds, &nets, &sets, sc, runs, seed, stop, done);
        let bloc = Bloc::of_or_empty(self.ds, &sc.bloc);
        let mut subjects = vec![bloc.id.clone()];
        subjects.extend(bloc.members);
        let sampled = result
            .outcomes
            .iter()
            .map(|o| crate::montecarlo::sampled(sc, seed, o.run))
            .collect();
        Ok(MonteCarlo {
            materials: nets.iter().map(|n| n.material.clone()).collect(),
            subjects,
            result,
            sampled,
            responses,
        })
    }
    /// [`PARAM_SETS`] bootstrap fits of the price response on the shipped back-tests.
    fn bootstrap_responses(&self, seed: u64) -> Result<Vec<PriceResponse>, SimError> {
        let cases = self.backtest_cases()?;
        Ok(bootstrap(self.ds, &cases, &self.params, PARAM_SETS, seed))
    }
    /// The shipped back-test cases with their networks.
    fn backtest_cases(&self) -> Result<Vec<crate::backtest::Case>, SimError> {
        let mut cases = Vec::new();
        for (path, text) in shipped::backtests() {
            let sc = Scenario::parse(&format!("data/scenarios/{path}"), text, self.ds)
                .map_err(SimError::Scenario)?;
            let nets = networks(self.ds, &self.trade, &sc);
            cases.push((sc, nets));
        }
        Ok(cases)
    }
    /// Ranks single outages by the bloc's shortfall, with names and sources for a report.
    pub fn chokepoints(&self, q: &ChokeRequest) -> Result<ChokeReport, SimError> {
        check_range("horizon", q.horizon, OUTAGE_START + 1, MAX_HORIZON)?;
        check_range("weeks", q.weeks, 1, q.horizon - OUTAGE_START)?;
        if !(q.min_share > 0.0 && q.min_share <= 1.0) {
            return Err(SimError::OutOfRange {
                field: "min_share",
                expected: "a share in (0, 1]".into(),
                found: q.min_share.to_string(),
            });
        }
        let m = self
            .ds
            .material(&q.material)
            .ok_or_else(|| SimError::UnknownMaterial(q.material.clone()))?;
        let bloc =
            Bloc::of(self.ds, &q.bloc).ok_or_else(|| SimError::UnknownBloc(q.bloc.clone()))?;
        let net = crate::network::build(self.ds, &self.trade, m, q.year)
            .ok_or_else(|| SimError::NoProduction(q.material.clone()))?;
        let rows = chokepoints(
            &net,
            self.params.get(&q.material),
            &bloc.demand_nodes(&net),
            q.weeks,
            q.horizon,
            q.min_share,
        );
        Ok(ChokeReport {
            bloc: (q.bloc.clone(), crate::simulate::bloc_name(self.ds, &q.bloc)),
            material: (
                q.material.clone(),
                self.ds.materials[net.material_ix as usize].name.clone(),
            ),
            weeks: q.weeks,
            horizon: q.horizon,
            year: q.year,
            min_share: q.min_share,
            names: country_names(self.ds, &rows),
            sources: crate::simulate::network_sources(self.ds, std::slice::from_ref(&net)),
            rows,
        })
    }
    /// Replays the shipped back-tests; with `fit`, first fits (λ, ρ) on the cases marked
    /// fitted and reports with the fit.
    pub fn backtest(&self, fit_first: bool, cv: bool) -> Result<Backtest, SimError> {
        let cases = self.backtest_cases()?;
        let fitted = fit_first.then(|| fit(self.ds, &cases, &self.params));
        let p = match fitted {
            Some(f) => self.params.with_price_response(f.response),
            None => self.params.clone(),
        };
        let cv = cv.then(|| cross_validate(self.ds, &cases, &self.params));
        let out = cases
            .iter()
            .flat_map(|(sc, nets)| backtest_case(self.ds, nets, &p, sc))
            .collect();
        Ok(Backtest {
            cases: out,
            response: p.price_response(),
            fit: fitted,
            cv,
        })
    }
}
