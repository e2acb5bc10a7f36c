//! Expectations and lagged responses: the fear index of step 1b and the partial adjustments
//! of steps 10b (long-run demand) and 10c (supply), each one step of docs/model.md.

use crate::network::Network;
use crate::params::MatParams;
use crate::realize::Realized;
use crate::state::State;

/// Step 1b, fear: for each stage, the share of its world output that announced, unfinished
/// supply shocks withhold, each weighted by how much of its remaining length the stocks held
/// downstream cannot bridge (min(1, weeks to come / weeks of cover)); an upstream shock counts
/// downstream too. A share, not a count of weeks: a long shock does not saturate it, so the
/// expected price impact (see [`super::prices`]) scales with the size of the loss.
pub fn fear(net: &Network, p: &MatParams, r: &Realized, w: usize, out: &mut [f64]) {
    let mut upstream = 0.0f64;
    let last = net.stages.len() - 1;
    for (s, sn) in net.stages.iter().enumerate() {
        let world: f64 = sn.base_output.iter().sum();
        let cover = p.cover_weeks + p.input_cover_weeks * (last - s) as f64;
        let bridge = |weeks: usize| {
            if cover > 0.0 {
                (weeks as f64 / cover).min(1.0)
            } else {
                1.0
            }
        };
        let mut lost = 0.0;
        if world > 0.0 {
            for x in r.restrictions.iter().filter(|x| x.stage == s) {
                if w >= x.announced && w < x.end {
                    lost += (1.0 - x.share) * x.base * bridge(x.end - w.max(x.start));
                }
            }
            for l in r.losses.iter().filter(|l| l.stage == s) {
                if w >= l.announced && w < l.end {
                    lost += l.share * sn.base_output[l.node] * bridge(l.end - w.max(l.start));
                }
            }
            lost /= world;
        }
        upstream = upstream.max(lost.min(1.0));
        out[s] = upstream;
    }
}

/// Step 10b, long-run demand: the log demand adjustment moves 1/τ_a of the way each week
/// toward the long-run response beyond the short-run one, (ε_L − ε_d) ln p_S.
pub(super) fn adapt(p: &MatParams, st: &mut State, last: usize) {
    let target = (p.eps_demand_long - p.eps_demand) * st.price[last].ln();
    st.adapt += (target - st.adapt) / p.adjust_weeks;
}

/// Step 10c, supply: each stage's log supply response moves 1/τ_q of the way each week toward
/// ε_s ln max(p_s, 1); production stays within capacity (step 6).
pub(super) fn supply(p: &MatParams, st: &mut State) {
    for s in 0..st.price.len() {
        let target = p.eps_supply * st.price[s].max(1.0).ln();
        st.supply[s] += (target - st.supply[s]) / p.supply_lag_weeks;
    }
}
