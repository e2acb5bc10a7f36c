//! Step 7, allocation: how a short supplier shares its output among its buyers (pro rata,
//! by price, pact members first), and what it exported.

use crate::realize::Pact;

/// Tonnes supplier i delivered to buyers in other countries (a facility's sales to its host
/// country are not exports).
pub(super) fn exports_of(
    dl: &[(usize, usize, f64)],
    delivered: &[Vec<f64>],
    parent: &[usize],
    i: usize,
) -> f64 {
    dl.iter()
        .filter(|d| parent[d.0] != parent[i])
        .map(|d| delivered[d.0][d.1])
        .sum()
}

/// Price-based clearing: the highest bidders (largest regional premium) are served first,
/// pact members first when the pact grants priority; equal bids share pro rata.
pub(super) fn allocate_by_price(
    dl: &[(usize, usize, f64)],
    premium: &[f64],
    prio: Option<&Pact>,
    q: f64,
    rank: &mut Vec<(bool, f64, usize)>,
    delivered: &mut [Vec<f64>],
) {
    let mut left = q;
    rank.clear();
    rank.extend(dl.iter().enumerate().map(|(j, d)| {
        let member = prio.is_some_and(|pc| pc.members[d.0]);
        (member, premium[d.0], j)
    }));
    rank.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(b.1.total_cmp(&a.1)).then(a.2.cmp(&b.2)));
    let mut g = 0;
    while g < rank.len() && left > 0.0 {
        let h = g + rank[g..]
            .iter()
            .take_while(|x| x.0 == rank[g].0 && x.1 == rank[g].1)
            .count();
        let req: f64 = rank[g..h].iter().map(|x| dl[x.2].2).sum();
        if req > 0.0 {
            let k = (left / req).min(1.0);
            for x in &rank[g..h] {
                let (b, slot, qty) = dl[x.2];
                delivered[b][slot] += qty * k;
            }
            left -= req * k;
        }
        g = h;
    }
}

/// Pact members first (pro rata among them), then the rest pro rata.
pub(super) fn allocate_members_first(
    dl: &[(usize, usize, f64)],
    pc: &Pact,
    q: f64,
    delivered: &mut [Vec<f64>],
) {
    let mut left = q;
    for class in [true, false] {
        let in_class = |b: usize| pc.members[b] == class;
        let req: f64 = dl.iter().filter(|d| in_class(d.0)).map(|d| d.2).sum();
        if req <= 0.0 {
            continue;
        }
        let k = (left / req).min(1.0);
        for &(b, slot, qty) in dl.iter().filter(|d| in_class(d.0)) {
            delivered[b][slot] += qty * k;
        }
        left -= req * k;
    }
}

/// One class, pro rata to deliverable orders (as in ARIO); returns supplier i's exports,
/// summed in the same pass (each (buyer, slot) appears once, so its delivery is exactly
/// qty × k).
pub(super) fn allocate_pro_rata(
    dl: &[(usize, usize, f64)],
    q: f64,
    total: f64,
    delivered: &mut [Vec<f64>],
    parent: &[usize],
    i: usize,
) -> f64 {
    let k = (total > 0.0).then(|| (q / total).min(1.0));
    let mut ex = -0.0f64;
    for &(b, slot, qty) in dl {
        let d = &mut delivered[b][slot];
        if let Some(k) = k {
            *d += qty * k;
        }
        if parent[b] != parent[i] {
            ex += *d;
        }
    }
    ex
}
