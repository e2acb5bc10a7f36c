//! Property tests on origin tracing: for any pair of stage concentrations, a producer's
//! upstream mix is a set of shares that sums to one, and nothing panics.

use proptest::prelude::*;
use quadrant_metrics::concentration::{Concentration, Share};
use quadrant_metrics::origin::upstream_origin;
use quadrant_model::{CountryIx, Stage};

fn conc(stage: Stage, values: &[f64]) -> Concentration {
    let total: f64 = values.iter().sum();
    Concentration {
        material: "x".into(),
        stage,
        year: 2024,
        dataset: "D".into(),
        source: 0,
        total_t: total,
        shares: values
            .iter()
            .enumerate()
            .filter(|(_, v)| **v > 0.0)
            .map(|(i, &v)| Share {
                country: format!("C{i}"),
                ix: i as CountryIx,
                value_t: v,
                share: if total > 0.0 { v / total } else { 0.0 },
                raw_ref: String::new(),
            })
            .collect(),
        hhi: 0.0,
        top1: 0.0,
        top3: 0.0,
        residual_share: 0.0,
    }
}

fn check(down: &[f64], up: &[f64], r: CountryIx) -> Result<(), TestCaseError> {
    let (d, u) = (conc(Stage::Refining, down), conc(Stage::Mining, up));
    let mix = upstream_origin(&d, &u, None, r);
    let sum: f64 = mix.iter().map(|x| x.1).sum();
    prop_assert!((sum - 1.0).abs() < 1e-9, "shares sum to {sum}: {mix:?}");
    prop_assert!(mix.iter().all(|x| x.1 >= 0.0 && x.1.is_finite()), "{mix:?}");
    Ok(())
}

/// Issue 7: a refiner that mines nothing, in a world whose miners refine all they mine (no
/// surplus), indexed an empty vector. Its feed is now taken as its own (docs/model.md).
#[test]
fn issue7_refiner_without_mines_and_no_world_surplus() {
    let (d, u) = (
        conc(Stage::Refining, &[10.0, 5.0]),
        conc(Stage::Mining, &[0.0, 5.0]),
    );
    assert_eq!(upstream_origin(&d, &u, None, 0), vec![(0, 1.0)]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn pool_mix_sums_to_one(
        down in proptest::collection::vec(prop_oneof![Just(0.0), 0.0f64..1e6], 1..6),
        up in proptest::collection::vec(prop_oneof![Just(0.0), 0.0f64..1e6], 1..6),
        r in 0u16..6,
    ) {
        check(&down, &up, r)?;
    }

    /// Every miner refines at least its own output (no surplus anywhere), and producer r
    /// mines nothing: the case that panicked.
    #[test]
    fn no_surplus_and_no_own_mining_never_panics(
        up in proptest::collection::vec(0.0f64..1e6, 1..6),
        extra in proptest::collection::vec(0.0f64..1e6, 1..6),
        need in 1e-3f64..1e6,
    ) {
        let r = up.len() as CountryIx;
        let mut down: Vec<f64> = up.iter().zip(extra.iter().chain(std::iter::repeat(&0.0))).map(|(u, e)| u + e).collect();
        down.push(need);
        let mut up = up;
        up.push(0.0);
        check(&down, &up, r)?;
    }
}
