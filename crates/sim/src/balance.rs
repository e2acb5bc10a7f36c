//! Biproportional balancing (RAS, iterative proportional fitting) of one stage's baseline
//! links, so that every supplier ships its recorded production and every buyer receives what
//! it needs (docs/model.md, "Network"). The trade data give the pattern of the links; the
//! production data give their totals.

/// Most sweeps before giving up; each sweep scales rows then columns.
const MAX_SWEEPS: usize = 5_000;
/// Relative deviation of every row and column total at which the links count as balanced.
const TOLERANCE: f64 = 1e-12;

/// The outcome of balancing one stage.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Balanced {
    /// Sweeps done.
    pub sweeps: usize,
    /// Largest relative deviation of a supplier's shipments from its target, after the final
    /// column scaling (buyers' totals are exact).
    pub max_row_error: f64,
}

/// Scales `flows[b] = [(supplier, t)]` so that Σ_b flows[b][i] = `rows[i]` and
/// Σ_i flows[b][i] = `cols[b]`, keeping the pattern (no link is created or removed). The last
/// scaling is by columns, so buyers' totals are exact and suppliers' totals within
/// `max_row_error`. Σ rows must equal Σ cols for an exact fit. Rows or columns with a target but
/// no link are left as they are (the caller adds links for them first).
pub fn ras(flows: &mut [Vec<(usize, f64)>], rows: &[f64], cols: &[f64]) -> Balanced {
    let mut row_sum = vec![0.0; rows.len()];
    let mut sweeps = 0;
    let mut err = row_error(flows, rows, &mut row_sum);
    while err > TOLERANCE && sweeps < MAX_SWEEPS {
        for fl in flows.iter_mut() {
            for x in fl.iter_mut() {
                if row_sum[x.0] > 0.0 {
                    x.1 *= rows[x.0] / row_sum[x.0];
                }
            }
        }
        scale_columns(flows, cols);
        err = row_error(flows, rows, &mut row_sum);
        sweeps += 1;
    }
    scale_columns(flows, cols);
    Balanced {
        sweeps,
        max_row_error: row_error(flows, rows, &mut row_sum),
    }
}

fn scale_columns(flows: &mut [Vec<(usize, f64)>], cols: &[f64]) {
    for (fl, &c) in flows.iter_mut().zip(cols) {
        let s: f64 = fl.iter().map(|x| x.1).sum();
        if s > 0.0 {
            fl.iter_mut().for_each(|x| x.1 *= c / s);
        }
    }
}

/// Fills `row_sum` and returns the largest relative deviation from `rows` over suppliers with
/// links.
fn row_error(flows: &[Vec<(usize, f64)>], rows: &[f64], row_sum: &mut [f64]) -> f64 {
    row_sum.iter_mut().for_each(|x| *x = 0.0);
    for fl in flows {
        for &(i, q) in fl {
            row_sum[i] += q;
        }
    }
    row_sum
        .iter()
        .zip(rows)
        .filter(|(s, _)| **s > 0.0)
        .map(|(s, r)| if *r > 0.0 { (s - r).abs() / r } else { 1.0 })
        .fold(0.0, f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_feasible_pattern_meets_both_margins() {
        // Two suppliers, two buyers, a full pattern: the classic RAS case.
        let mut f = vec![vec![(0, 1.0), (1, 1.0)], vec![(0, 1.0), (1, 3.0)]];
        let b = ras(&mut f, &[3.0, 5.0], &[2.0, 6.0]);
        assert!(b.max_row_error < 1e-12, "{b:?}");
        let col0: f64 = f[0].iter().map(|x| x.1).sum();
        let row1: f64 = f.iter().flatten().filter(|x| x.0 == 1).map(|x| x.1).sum();
        assert!((col0 - 2.0).abs() < 1e-11 && (row1 - 5.0).abs() < 1e-11);
    }

    #[test]
    fn an_infeasible_pattern_reports_its_error() {
        // Supplier 1 sells only to buyer 0, who needs less than supplier 1 must ship.
        let mut f = vec![vec![(1, 1.0)], vec![(0, 1.0)]];
        let b = ras(&mut f, &[5.0, 3.0], &[1.0, 7.0]);
        assert!(b.max_row_error > 0.5, "{b:?}");
        assert_eq!(b.sweeps, MAX_SWEEPS);
    }
}
