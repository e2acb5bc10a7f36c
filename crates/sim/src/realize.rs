//! Event realisation: a scenario made concrete for one material's network — draws taken,
//! ids resolved to nodes, every number fixed. This is the only code that reads the
//! [`Dataset`] or the [`Scenario`] during a run; the step sees only the [`Realized`] values.

use crate::network::Network;
use crate::scenario::{Event, Param, Policy, Rationing, Scenario};
use crate::trend::Trend;
use crate::who::Target;
use quadrant_model::{Dataset, Stage};
use std::sync::Arc;

/// An export restriction with every number fixed and every country resolved to a node.
#[derive(Debug, Clone)]
pub struct Restriction {
    /// The restricting country's node.
    pub exporter: usize,
    /// Supplier nodes the measure binds: the exporter and its facilities, or only the
    /// facilities whose controlling owner is at home in a given country.
    pub from: Vec<bool>,
    /// Stage index in `Network::stages`.
    pub stage: usize,
    /// Buyers the measure applies to (never the exporter's own nodes).
    pub targets: Vec<bool>,
    /// Share of the targets' baseline purchases still shipped (0 = ban).
    pub share: f64,
    /// The targets' baseline weekly purchases from the bound nodes (`from`), which the share
    /// applies to.
    pub base: f64,
    /// Week the measure was announced (≤ start): the market prices it in from then.
    pub announced: usize,
    /// First week in force.
    pub start: usize,
    /// First week no longer in force.
    pub end: usize,
}

impl Restriction {
    /// Whether the measure stands between supplier i and buyer b.
    #[inline]
    pub fn binds(&self, i: usize, b: usize) -> bool {
        self.from[i] && self.targets[b]
    }
}

/// A capacity loss at one node, with its recovery.
#[derive(Debug, Clone)]
pub struct CapLoss {
    /// The node struck.
    pub node: usize,
    /// Stage index in `Network::stages`.
    pub stage: usize,
    /// Share of capacity lost while active.
    pub share: f64,
    /// Week the loss was known to be coming (≤ start).
    pub announced: usize,
    /// First week of the loss.
    pub start: usize,
    /// First week of the recovery.
    pub end: usize,
    /// Weeks of linear recovery after `end`.
    pub recovery: usize,
}

/// New capacity at one node, ramping up linearly.
#[derive(Debug, Clone)]
pub struct Expansion {
    /// The node that gains capacity.
    pub node: usize,
    /// Stage index in `Network::stages`.
    pub stage: usize,
    /// Weekly tonnes at full ramp.
    pub weekly: f64,
    /// First week with added capacity.
    pub start: usize,
    /// Weeks to full capacity.
    pub ramp: usize,
}

/// Final demand multiplied by a factor, at one node or everywhere.
#[derive(Debug, Clone)]
pub struct DemandShift {
    /// The consumer node; `None` for every consumer.
    pub node: Option<usize>,
    /// Multiplier of desired demand while active.
    pub factor: f64,
    /// First week in force.
    pub start: usize,
    /// First week no longer in force.
    pub end: usize,
}

/// A supplier selling extra volume below the market.
#[derive(Debug, Clone)]
pub struct Dumping {
    /// The dumping country's node.
    pub exporter: usize,
    /// Stage index in `Network::stages`.
    pub stage: usize,
    /// Extra weight of the dumper in its buyers' supplier mix.
    pub volume_share: f64,
    /// ln(1 − cut × the dumper's share of the stage's baseline output): where the stage's
    /// price reverts to while dumping lasts (fixed at realisation).
    pub anchor: f64,
    /// First week in force.
    pub start: usize,
    /// First week no longer in force.
    pub end: usize,
}

/// A security pact with its members resolved to nodes.
#[derive(Debug, Clone)]
pub struct Pact {
    /// members[i]: node i belongs to the pact.
    pub members: Vec<bool>,
    /// Members' suppliers serve members first.
    pub priority: bool,
    /// Joint stockpile, weeks of the members' baseline demand.
    pub joint_weeks: f64,
    /// Price floor for members' producers, relative to the baseline price.
    pub price_floor: Option<f64>,
    /// The node whose goods members tax.
    pub tariff_on: Option<usize>,
    /// Tariff rate on `tariff_on`'s goods.
    pub tariff: f64,
}

/// A strategic stockpile held by one node.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stockpile {
    /// The holder's node.
    pub node: usize,
    /// Size, weeks of the holder's baseline demand.
    pub weeks: f64,
    /// Released when consumer inventory falls below this share of its target.
    pub release_below: f64,
}

/// Why an event cannot act on a network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Idle {
    /// Its country or facility has no node, or its stage no place, in the network.
    NoNode,
    /// Its targets buy nothing from the exporter at that stage.
    NoFlows,
    /// The nodes struck have no capacity at that stage.
    NoCapacity,
    /// The dumper produces nothing at that stage.
    NoOutput,
    /// The consumer has no final demand.
    NoDemand,
}

impl std::fmt::Display for Idle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Idle::NoNode => "it has no node at that stage (it neither produces nor buys there)",
            Idle::NoFlows => "its targets buy nothing from it at that stage (where the last stage has no trade data, demand is one world pool and only `targets = \"all\"` can bind)",
            Idle::NoCapacity => "the nodes it strikes have no capacity at that stage",
            Idle::NoOutput => "it produces nothing at that stage",
            Idle::NoDemand => "that country has no final demand in the network",
        })
    }
}

/// A scenario made concrete for one material's network: draws taken, ids resolved. This is
/// the immutable input of a run.
#[derive(Debug, Clone, Default)]
pub struct Realized {
    /// Export restrictions (bans and quotas).
    pub restrictions: Vec<Restriction>,
    /// Capacity losses, one per node struck.
    pub losses: Vec<CapLoss>,
    /// Capacity expansions (projects).
    pub expansions: Vec<Expansion>,
    /// Demand shifts.
    pub demand: Vec<DemandShift>,
    /// Dumping episodes.
    pub dumping: Vec<Dumping>,
    /// Strategic stockpiles, one per holder node.
    pub stockpiles: Vec<Stockpile>,
    /// The security pact in force, if any.
    pub pact: Option<Pact>,
    /// Demand and capacity growth, shared by every run of the network.
    pub trend: Option<Arc<Trend>>,
    /// How a short supplier shares its output among buyers.
    pub rationing: Rationing,
    /// Events of this material that cannot act (indices into `Scenario::events`): their
    /// country, facility or stage has no node in the network, or nothing there for the event
    /// to strike (no exports to the targets, no capacity, no output, no demand).
    pub unplaced: Vec<(usize, Idle)>,
}

impl Realized {
    /// The first week in which any event acts; None without events. Before it a run is
    /// step for step the run of the same policies and trend without the events (every event
    /// term is an exact identity while inactive: ×1.0, +0.0, or filtered out), which lets
    /// Monte Carlo start runs from checkpoints of that run.
    pub fn first_event_week(&self) -> Option<usize> {
        self.restrictions
            .iter()
            .map(|x| x.announced.min(x.start))
            // An announced shock acts from its announcement (fear, expectations).
            .chain(self.losses.iter().map(|x| x.announced.min(x.start)))
            .chain(self.expansions.iter().map(|x| x.start))
            .chain(self.demand.iter().map(|x| x.start))
            .chain(self.dumping.iter().map(|x| x.start))
            .min()
    }
}

/// How an event's uncertain fields are fixed: `draw(event, field)` returns a quantile in
/// [0, 1) (0.5 for a single run at mid-range); `include(event, probability)` decides whether
/// a probabilistic event happens at all.
pub struct Draws<'a> {
    /// Quantile of field `f` of event `k`.
    pub draw: &'a mut dyn FnMut(usize, usize) -> f64,
    /// Whether event `k`, of the given probability, happens.
    pub include: &'a mut dyn FnMut(usize, f64) -> bool,
}

/// Resolves `sc` for `net`, with the network's trend (computed once per network, see
/// [`crate::trend::for_scenario`]) and the draws of one run.
pub fn realize(
    ds: &Dataset,
    sc: &Scenario,
    net: &Network,
    trend: Option<Arc<Trend>>,
    draws: Draws<'_>,
) -> Realized {
    let Draws { draw, include } = draws;
    let mut r = Realized::default();
    let cx = Cx { ds, net };
    for (k, e) in sc.events.iter().enumerate() {
        if e.material() != net.material || !include(k, e.probability()) {
            continue;
        }
        let mut d = |f: usize| draw(k, f);
        if let Err(why) = cx.event(e, &mut d, &mut r) {
            r.unplaced.push((k, why));
        }
    }
    for p in &sc.policies {
        cx.policy(p, &mut r);
    }
    r.rationing = sc.rationing;
    r.trend = trend;
    r
}

/// What realisation reads: the dataset (for bloc members) and the network (for nodes).
struct Cx<'a> {
    ds: &'a Dataset,
    net: &'a Network,
}

/// Weeks from a drawn number: rounded, never negative.
fn weeks(v: f64) -> usize {
    v.round().max(0.0) as usize
}

impl Cx<'_> {
    /// The node set of a target (`None` for everyone); facilities are in a set when their host
    /// is.
    fn mask(&self, ids: Option<Vec<String>>) -> Option<Vec<bool>> {
        let net = self.net;
        ids.map(|ids| {
            let mut m = vec![false; net.n()];
            for id in ids {
                if let Some(i) = net.node(&id) {
                    m[i] = true;
                }
            }
            for i in 0..net.n() {
                m[i] = m[i] || m[net.parent[i]];
            }
            m
        })
    }
    fn target(&self, t: &Target) -> Option<Vec<bool>> {
        self.mask(t.countries(self.ds))
    }
    /// The node of a country (or facility) and the index of a stage in this network.
    fn place(&self, who: &str, stage: &str) -> Option<(usize, usize)> {
        let s =
            Stage::parse(stage).and_then(|s| self.net.stages.iter().position(|x| x.stage == s))?;
        Some((self.net.node(who)?, s))
    }
    /// Adds event `e` to `r`, its fields drawn by `d(field)`; an event whose country or stage
    /// has no node in this network adds nothing; either way the error says why it cannot act.
    fn event(
        &self,
        e: &Event,
        d: &mut dyn FnMut(usize) -> f64,
        r: &mut Realized,
    ) -> Result<(), Idle> {
        match e {
            Event::ExportRestriction {
                exporter,
                controlled_by,
                stage,
                targets,
                except,
                share,
                start_week,
                duration_weeks,
                announced_week,
                ..
            } => {
                let Some((x, s)) = self.place(exporter, stage) else {
                    return Err(Idle::NoNode);
                };
                let start = weeks(start_week.at(d(0)));
                let (share, dur) = (share.at(d(1)), duration_weeks.at(d(2)));
                let mut x = self.restriction(
                    x,
                    s,
                    controlled_by.as_deref(),
                    targets,
                    except,
                    (share, start, start.saturating_add(weeks(dur))),
                );
                x.announced = announced_week.map_or(start, |a| a.min(start));
                let acts = x.base > 0.0;
                r.restrictions.push(x);
                return if acts { Ok(()) } else { Err(Idle::NoFlows) };
            }
            Event::CapacityLoss {
                country,
                controlled_by,
                stage,
                share,
                start_week,
                duration_weeks,
                recovery_weeks,
                announced_week,
                ..
            } => {
                let Some((x, s)) = self.place(country, stage) else {
                    return Err(Idle::NoNode);
                };
                let start = weeks(start_week.at(d(0)));
                let (share, end, recovery) = (
                    share.at(d(1)),
                    start.saturating_add(weeks(duration_weeks.at(d(2)))),
                    weeks(recovery_weeks.at(d(3))),
                );
                // A country's loss strikes its facilities too; `controlled_by` narrows it to
                // the facilities whose controlling owner is at home there.
                let net = self.net;
                let mut acts = false;
                for i in (0..net.n()).filter(|&i| net.bound(i, x, controlled_by.as_deref())) {
                    acts |= net.stages[s].capacity[i] > 0.0;
                    r.losses.push(CapLoss {
                        node: i,
                        stage: s,
                        share,
                        announced: announced_week.map_or(start, |a| a.min(start)),
                        start,
                        end,
                        recovery,
                    });
                }
                return if acts { Ok(()) } else { Err(Idle::NoCapacity) };
            }
            Event::CapacityExpansion {
                country,
                stage,
                tonnes_per_year,
                start_week,
                ramp_weeks,
                ..
            } => {
                let Some((x, s)) = self.place(country, stage) else {
                    return Err(Idle::NoNode);
                };
                r.expansions.push(Expansion {
                    node: x,
                    stage: s,
                    weekly: tonnes_per_year.at(d(0)) / 52.0,
                    start: weeks(start_week.at(d(1))),
                    ramp: weeks(ramp_weeks.at(d(2))),
                });
            }
            Event::DemandShift {
                country,
                factor,
                start_week,
                duration_weeks,
                ..
            } => {
                let node = match country {
                    Some(c) => match self.net.node(c) {
                        Some(n) if self.net.demand[n] > 0.0 => Some(n),
                        Some(_) => return Err(Idle::NoDemand),
                        None => return Err(Idle::NoNode),
                    },
                    None => None,
                };
                let start = weeks(start_week.at(d(0)));
                r.demand.push(DemandShift {
                    node,
                    factor: factor.at(d(1)),
                    start,
                    end: start.saturating_add(weeks(duration_weeks.at(d(2)))),
                });
            }
            Event::Dumping {
                exporter,
                stage,
                price_cut,
                volume_share,
                start_week,
                duration_weeks,
                ..
            } => {
                let Some((x, s)) = self.place(exporter, stage) else {
                    return Err(Idle::NoNode);
                };
                let dumping = self.dumping(
                    x,
                    s,
                    *price_cut,
                    *volume_share,
                    *start_week,
                    *duration_weeks,
                    d,
                );
                let net = self.net;
                let acts =
                    (0..net.n()).any(|i| net.within(i, x) && net.stages[s].base_output[i] > 0.0);
                r.dumping.push(dumping);
                return if acts { Ok(()) } else { Err(Idle::NoOutput) };
            }
        }
        Ok(())
    }
    /// An export restriction of node x at stage s; `when` = (share, start, end).
    fn restriction(
        &self,
        x: usize,
        s: usize,
        controlled_by: Option<&str>,
        targets: &Target,
        except: &[String],
        when: (f64, usize, usize),
    ) -> Restriction {
        let net = self.net;
        // Targets less the exempted and the exporter's own nodes.
        let named = self.target(targets);
        let except = self.mask(Some(except.to_vec())).unwrap_or_default();
        let targets: Vec<bool> = (0..net.n())
            .map(|b| named.as_ref().is_none_or(|t| t[b]) && !except[b] && !net.within(b, x))
            .collect();
        let from: Vec<bool> = (0..net.n())
            .map(|i| net.bound(i, x, controlled_by))
            .collect();
        let flows = &net.stages[s].flows;
        let base: f64 = (0..net.n())
            .filter(|&b| targets[b])
            .map(|b| {
                flows[b]
                    .iter()
                    .filter(|f| from[f.0])
                    .map(|f| f.1)
                    .sum::<f64>()
            })
            .sum();
        let (share, start, end) = when;
        Restriction {
            exporter: x,
            from,
            stage: s,
            base,
            targets,
            share,
            announced: start,
            start,
            end,
        }
    }
    /// Dumping by node x at stage s; the price anchor is fixed here, once.
    fn dumping(
        &self,
        x: usize,
        s: usize,
        price_cut: Param,
        volume_share: Param,
        start_week: Param,
        duration_weeks: Param,
        d: &mut dyn FnMut(usize) -> f64,
    ) -> Dumping {
        let net = self.net;
        let start = weeks(start_week.at(d(0)));
        let price_cut = price_cut.at(d(1));
        let out = &net.stages[s].base_output;
        let own: f64 = (0..net.n())
            .filter(|&i| net.within(i, x))
            .map(|i| out[i])
            .sum();
        let anchor = (1.0 - price_cut * own / out.iter().sum::<f64>().max(1e-12))
            .max(0.05)
            .ln();
        Dumping {
            exporter: x,
            stage: s,
            volume_share: volume_share.at(d(2)),
            anchor,
            start,
            end: start.saturating_add(weeks(duration_weeks.at(d(3)))),
        }
    }
    /// Adds policy `p` to `r` when it concerns this network's material.
    fn policy(&self, p: &Policy, r: &mut Realized) {
        let net = self.net;
        match p {
            Policy::Stockpile {
                holders,
                material,
                weeks,
                release_below,
            } if *material == net.material => {
                let m = self.target(holders).unwrap_or_else(|| vec![true; net.n()]);
                for (node, &h) in m.iter().enumerate() {
                    if h {
                        r.stockpiles.push(Stockpile {
                            node,
                            weeks: *weeks,
                            release_below: *release_below,
                        });
                    }
                }
            }
            Policy::Pact {
                members,
                material,
                priority,
                joint_stockpile_weeks,
                price_floor,
                tariff_on,
                tariff,
            } if material.as_ref().is_none_or(|m| *m == net.material) => {
                r.pact = Some(Pact {
                    members: self.target(members).unwrap_or_else(|| vec![true; net.n()]),
                    priority: *priority,
                    joint_weeks: *joint_stockpile_weeks,
                    price_floor: *price_floor,
                    tariff_on: tariff_on.as_ref().and_then(|t| net.node(t)),
                    tariff: *tariff,
                });
            }
            _ => {}
        }
    }
}
