//! Risk measures computed directly from a loss distribution (checks the LP's figures).

/// Σ p_s L_s.
pub fn expected(losses: &[f64], probs: &[f64]) -> f64 {
    losses.iter().zip(probs).map(|(l, p)| l * p).sum()
}

/// CVaR_α: the mean loss over the worst 1 − α of probability, splitting the futures at the
/// boundary (the value the Rockafellar–Uryasev programme attains at its optimum).
pub fn cvar(losses: &[f64], probs: &[f64], alpha: f64) -> f64 {
    let mut order: Vec<usize> = (0..losses.len()).collect();
    order.sort_by(|a, b| losses[*b].total_cmp(&losses[*a]));
    let tail = 1.0 - alpha;
    let (mut left, mut sum) = (tail, 0.0);
    for i in order {
        let take = probs[i].min(left);
        sum += take * losses[i];
        left -= take;
        if left <= 0.0 {
            break;
        }
    }
    sum / tail
}
