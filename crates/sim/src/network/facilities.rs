//! Facility nodes: each curated asset split out of its host's node with its share of the
//! host's output, capacity, buyers and feed (docs/model.md, "Facilities").

use super::{Facility, Network};
use quadrant_metrics::concentration::concentration;
use quadrant_model::Dataset;

/// Splits each host's node into its curated assets (facility nodes) and the rest. A facility
/// takes the share φ of its host's output at that stage that it had in its output year (from
/// the production data of that year; Σφ capped at 1), and the same share of the host's
/// capacity, of every buyer's purchases from the host and, at a processing stage, of the
/// host's feed. The baseline stays a steady state: every sum is unchanged.
pub(super) fn split_facilities(ds: &Dataset, net: &mut Network) {
    for s in 0..net.stages.len() {
        let stage = net.stages[s].stage;
        let assets: Vec<&quadrant_model::Asset> = ds
            .curated
            .assets
            .iter()
            .filter(|a| {
                a.material == net.material
                    && a.stage == stage
                    && a.content_factor.is_some_and(|f| f > 0.0)
            })
            .collect();
        let mut hosts: Vec<&str> = assets.iter().map(|a| a.country.as_str()).collect();
        hosts.sort_unstable();
        hosts.dedup();
        for host in hosts {
            let Some(h) = net.node(host) else { continue };
            if net.stages[s].base_output[h] <= 0.0 {
                continue;
            }
            let here: Vec<&&quadrant_model::Asset> =
                assets.iter().filter(|a| a.country == host).collect();
            // Host output in each asset's year, from the production data.
            let host_t = |year: i64| -> Option<f64> {
                let c = ds.country(host)?;
                let conc = concentration(ds, net.material_ix, stage, u16::try_from(year).ok()?)?;
                conc.shares
                    .iter()
                    .find(|x| x.ix == c && x.value_t > 0.0)
                    .map(|x| x.value_t)
            };
            let mut phi: Vec<f64> = here
                .iter()
                .map(|a| {
                    let t = a.output_value * a.content_factor.unwrap_or(0.0);
                    host_t(a.output_year).map_or(0.0, |h| t / h)
                })
                .collect();
            let sum: f64 = phi.iter().sum();
            if sum <= 0.0 {
                continue;
            }
            // Assets that cover the host (to rounding) take all of it, and the host node keeps
            // nothing, rather than a few ulp of either sign.
            let whole = sum > 1.0 - 1e-9;
            if whole {
                phi.iter_mut().for_each(|x| *x /= sum);
            }
            for (a, &f) in here.iter().zip(&phi) {
                if f <= 0.0 {
                    continue;
                }
                let node = net.countries.len();
                net.countries.push(a.id.clone());
                net.parent.push(h);
                net.demand.push(0.0);
                for sn in net.stages.iter_mut() {
                    sn.capacity.push(0.0);
                    sn.base_output.push(0.0);
                    sn.recorded.push(0.0);
                    sn.flows.push(Vec::new());
                }
                net.facilities.push(Facility {
                    node,
                    id: a.id.clone(),
                    name: a.name.clone(),
                    country: host.to_string(),
                    stage: s,
                    controller: quadrant_metrics::control::controlling_home(a).map(String::from),
                    share: f,
                    source: a.source.clone(),
                });
            }
            let facs: Vec<(usize, f64)> = net
                .facilities
                .iter()
                .filter(|f| f.stage == s && f.country == host)
                .map(|f| (f.node, f.share))
                .collect();
            let sn = &mut net.stages[s];
            let (cap, out) = (sn.capacity[h], sn.base_output[h]);
            for &(f, sh) in &facs {
                sn.capacity[f] = cap * sh;
                sn.base_output[f] = out * sh;
            }
            // The host keeps the rest, computed as a difference so that sums stay exact.
            let rest = |t: f64, parts: f64| if whole { 0.0 } else { (t - parts).max(0.0) };
            sn.capacity[h] = rest(cap, facs.iter().map(|&(f, _)| sn.capacity[f]).sum());
            sn.base_output[h] = rest(out, facs.iter().map(|&(f, _)| sn.base_output[f]).sum());
            for fl in sn.flows.iter_mut() {
                split_links(fl, h, &facs, whole);
            }
            if s > 0 {
                // A processing facility buys its share of the host's feed.
                let up = &mut net.stages[s - 1].flows;
                let feed = std::mem::take(&mut up[h]);
                for &(f, sh) in &facs {
                    up[f] = feed.iter().map(|&(i, q)| (i, q * sh)).collect();
                }
                up[h] = feed
                    .iter()
                    .map(|&(i, q)| {
                        let taken: f64 = facs
                            .iter()
                            .filter_map(|&(f, _)| up[f].iter().find(|x| x.0 == i).map(|x| x.1))
                            .sum();
                        (i, if whole { 0.0 } else { q - taken })
                    })
                    .filter(|x| x.1 > 0.0)
                    .collect();
            }
        }
    }
}

/// Replaces a buyer's link to host h by links to h's facilities (their shares) and to the
/// rest of h.
fn split_links(fl: &mut Vec<(usize, f64)>, h: usize, facs: &[(usize, f64)], whole: bool) {
    let Some(pos) = fl.iter().position(|x| x.0 == h) else {
        return;
    };
    let q = fl[pos].1;
    let parts: Vec<(usize, f64)> = facs.iter().map(|&(f, sh)| (f, q * sh)).collect();
    let rest = q - parts.iter().map(|x| x.1).sum::<f64>();
    if rest > 0.0 && !whole {
        fl[pos].1 = rest;
    } else {
        fl.remove(pos);
    }
    fl.extend(parts.into_iter().filter(|x| x.1 > 0.0));
}
