//! Step 4, rerouting: where the orders left unfilled go, following what each supplier can
//! produce given its feed (steps 4, 4a and 4b of docs/model.md).

use crate::network::Network;
use crate::params::MatParams;
use crate::realize::Restriction;
use crate::state::{Scratch, State};

/// Step 4, rerouting: unfilled orders from `reroute_lag` weeks ago (and the whole want of a
/// buyer without baseline suppliers) go to the suppliers that can produce this week, given
/// their feed ([`feed_limited`]), that do not restrict the buyer, weighted towards partners.
pub fn reroute(
    net: &Network,
    p: &MatParams,
    st: &State,
    sc: &mut Scratch,
    s: usize,
    acts: &[&Restriction],
) {
    let (n, w, sn) = (net.n(), st.week, &net.stages[s]);
    for i in 0..n {
        sc.cap_now[i] = sn.capacity[i] * sc.cf[s][i] + sc.add[s][i];
    }
    // Rerouted orders go to the large suppliers in proportion to what they can produce this
    // week, not only to spare capacity: a supplier at capacity rations them with its other
    // buyers, so a buyer cut off by a restriction competes for the rest of the world's output.
    // A small supplier outside the cover counts only with what it can add. What a processor
    // can produce is bounded by its feed, not its capacity: a refinery starved of ore draws no
    // orders it cannot fill (by capacity, added refining in an ore-short member raised the
    // bloc's shortfall). Found once per stage and week, and only in a week that reroutes.
    let mut found = false;
    let restricts = |i: usize, b: usize| acts.iter().any(|x| x.binds(i, b));
    for b in 0..n {
        let lag = p.reroute_lag;
        let due = if lag > 0 && w >= lag {
            st.unfilled[s][b * lag + w % lag]
        } else {
            0.0
        };
        // A buyer without baseline suppliers (new capacity where the data show none) buys
        // what it wants on the spot market, at once.
        let spot = if sn.mix_sum[b] <= 0.0 {
            sc.want[b]
        } else {
            0.0
        };
        let amount = due * p.reroute_share + spot;
        if amount <= 0.0 {
            continue;
        }
        if !found {
            feed_limited(net, st, sc, s);
            rerouting_candidates(
                &sc.existing,
                &sc.offer,
                &sc.spare,
                &mut sc.cands,
                &mut sc.weight,
            );
            found = true;
        }
        // Same order of summation as a scan of all nodes, over the candidates only.
        let fr = |i: usize| {
            if net.partner[b][i] {
                1.0
            } else {
                p.reroute_friction
            }
        };
        let tot: f64 = sc
            .cands
            .iter()
            .filter(|&&i| !restricts(i, b))
            .map(|&i| sc.weight[i] * fr(i))
            .sum();
        if tot <= 0.0 {
            continue;
        }
        for &i in &sc.cands {
            if !restricts(i, b) {
                sc.orders[b].push((i, amount * (sc.weight[i] * fr(i)) / tot));
            }
        }
    }
}

/// Step 4a, feed-limited output: what each supplier of stage s can produce this week, and that
/// beyond its baseline output. At the first stage its capacity K c + a; at a processing stage
/// the capacity within the feed it holds (this week's deliveries included) or, if more, the feed
/// its orders would fetch for full capacity at the share of its feed orders filled this week
/// (the stage-wide share for a plant that ordered none: a new plant is not shut out before it
/// has bought anything): min(K c + a, max(I, φ κ (K c + a)) / κ).
pub fn feed_limited(net: &Network, st: &State, sc: &mut Scratch, s: usize) {
    let sn = &net.stages[s];
    let k = sn.feed_per_output;
    for i in 0..net.n() {
        let cap = sc.cap_now[i];
        sc.existing[i] = sn.capacity[i] * sc.cf[s][i];
        sc.offer[i] = if s == 0 {
            cap
        } else {
            let phi = sc.fill[i].unwrap_or(sc.fill_all);
            cap.min((phi * k * cap).max(st.inv_in[s][i]) / k)
        };
        sc.spare[i] = (sc.offer[i] - sn.base_output[i]).max(0.0);
    }
}

/// Share of a stage's capacity this week (projects' additions aside) that the rerouting cover
/// holds.
pub const REROUTE_COVER: f64 = 0.95;

/// The suppliers rerouted orders go to: the cover, the largest by capacity this week without
/// projects' additions, K c (ties by index), until they hold [`REROUTE_COVER`] of the stage's,
/// each weighted by what it can produce given its feed (`offer`), plus every other supplier
/// that can produce beyond its baseline output (new plants included), weighted by that `spare`;
/// only those with a positive weight, in index order. The long tail of small producers at
/// capacity is left out: it bounds the fan-out of every rerouted order (issue 9's worst-case
/// benchmark) at a cost of at most 5% of the capacity a buyer could turn to. The cover is not
/// chosen by feed-limited output nor with projects' capacity: either would let a small plant
/// slip into it (and draw orders by its whole output, diluting its own buyers' share) when the
/// large ones run short of feed or a project elsewhere raises the total.
fn rerouting_candidates(
    existing: &[f64],
    offer: &[f64],
    spare: &[f64],
    cands: &mut Vec<usize>,
    weight: &mut [f64],
) {
    cands.clear();
    cands.extend((0..offer.len()).filter(|&i| existing[i] > 0.0 || spare[i] > 0.0));
    let total: f64 = existing.iter().sum();
    cands.sort_unstable_by(|&a, &b| existing[b].total_cmp(&existing[a]).then(a.cmp(&b)));
    let mut held = 0.0;
    let mut cover = 0;
    for &i in cands.iter() {
        if existing[i] <= 0.0 {
            break; // only new plants are left
        }
        cover += 1;
        held += existing[i];
        if held >= REROUTE_COVER * total {
            break;
        }
    }
    // Inside the cover the feed-limited output, beyond it what a supplier can add.
    let mut keep = 0;
    for read in 0..cands.len() {
        let i = cands[read];
        weight[i] = if read < cover { offer[i] } else { spare[i] };
        if weight[i] > 0.0 {
            cands[keep] = i;
            keep += 1;
        }
    }
    cands.truncate(keep);
    cands.sort_unstable();
}
