//! The run loop: initial state, one step per week, every state handed to the recorders.
//! Materials linked by substitution run week by week together.

use crate::network::Network;
use crate::params::MatParams;
use crate::realize::Realized;
use crate::record::Recorder;
use crate::scenario::Substitution;
use crate::state::{initial, State};
use crate::step::step;

/// Sets each material's cross-price demand multiplier from the others' last-stage prices of
/// the week before: Π over links into m of p_from^elasticity. Reading last week's prices makes
/// the result independent of the order the materials are stepped in.
pub fn set_cross(nets: &[Network], subs: &[Substitution], states: &mut [State]) {
    let prices: Vec<f64> = states
        .iter()
        .map(|st| st.price[st.price.len() - 1])
        .collect();
    for (m, net) in nets.iter().enumerate() {
        let mut c = 1.0;
        for x in subs.iter().filter(|x| x.to == net.material) {
            if let Some(f) = nets.iter().position(|n| n.material == x.from) {
                c *= prices[f].powf(x.elasticity);
            }
        }
        states[m].cross = c;
    }
}

/// Runs several materials week by week together, linked by substitution; `recorders[m]`
/// observes material m.
pub fn run_coupled(
    nets: &[Network],
    params: &[&MatParams],
    reals: &[Realized],
    subs: &[Substitution],
    weeks: usize,
    recorders: &mut [Vec<&mut dyn Recorder>],
) -> Vec<State> {
    let mut states: Vec<State> = (0..nets.len())
        .map(|m| initial(&nets[m], params[m], &reals[m]))
        .collect();
    for _ in 0..weeks {
        set_cross(nets, subs, &mut states);
        for m in 0..nets.len() {
            step(&nets[m], params[m], &reals[m], &mut states[m]);
            for rec in recorders[m].iter_mut() {
                rec.record(&nets[m], &reals[m], &states[m]);
            }
        }
    }
    states
}

/// Runs `weeks` steps, handing every state to the recorders.
pub fn run(
    net: &Network,
    p: &MatParams,
    r: &Realized,
    weeks: usize,
    recorders: &mut [&mut dyn Recorder],
) -> State {
    let mut st = initial(net, p, r);
    for _ in 0..weeks {
        step(net, p, r, &mut st);
        for rec in recorders.iter_mut() {
            rec.record(net, r, &st);
        }
    }
    st
}
