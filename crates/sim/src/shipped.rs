//! The shipped scenarios (`data/scenarios/`), compiled in so that `quadrant simulate NAME`
//! and `quadrant backtest` work from any directory.

/// (path relative to data/scenarios, TOML text)
pub static SCENARIOS: &[(&str, &str)] = &[
    (
        "backtest/antimony-2024.toml",
        include_str!("../../../data/scenarios/backtest/antimony-2024.toml"),
    ),
    (
        "backtest/cobalt-2019-mutanda.toml",
        include_str!("../../../data/scenarios/backtest/cobalt-2019-mutanda.toml"),
    ),
    (
        "backtest/copper-2023-cobre-panama.toml",
        include_str!("../../../data/scenarios/backtest/copper-2023-cobre-panama.toml"),
    ),
    (
        "backtest/gallium-2023.toml",
        include_str!("../../../data/scenarios/backtest/gallium-2023.toml"),
    ),
    (
        "backtest/graphite-2023.toml",
        include_str!("../../../data/scenarios/backtest/graphite-2023.toml"),
    ),
    (
        "backtest/nickel-2014.toml",
        include_str!("../../../data/scenarios/backtest/nickel-2014.toml"),
    ),
    (
        "backtest/nickel-2016-philippines.toml",
        include_str!("../../../data/scenarios/backtest/nickel-2016-philippines.toml"),
    ),
    (
        "backtest/nickel-2019.toml",
        include_str!("../../../data/scenarios/backtest/nickel-2019.toml"),
    ),
    (
        "backtest/platinum-2020.toml",
        include_str!("../../../data/scenarios/backtest/platinum-2020.toml"),
    ),
    (
        "backtest/ree-2010.toml",
        include_str!("../../../data/scenarios/backtest/ree-2010.toml"),
    ),
    (
        "backtest/tin-2023-wa.toml",
        include_str!("../../../data/scenarios/backtest/tin-2023-wa.toml"),
    ),
    (
        "coordinated-funding.toml",
        include_str!("../../../data/scenarios/coordinated-funding.toml"),
    ),
    (
        "drc-cobalt-2025.toml",
        include_str!("../../../data/scenarios/drc-cobalt-2025.toml"),
    ),
    (
        "drc-controlled-offtake.toml",
        include_str!("../../../data/scenarios/drc-controlled-offtake.toml"),
    ),
    (
        "drc-mine-outage.toml",
        include_str!("../../../data/scenarios/drc-mine-outage.toml"),
    ),
    (
        "ethical-cobalt.toml",
        include_str!("../../../data/scenarios/ethical-cobalt.toml"),
    ),
    (
        "lithium-steps-decade.toml",
        include_str!("../../../data/scenarios/lithium-steps-decade.toml"),
    ),
    (
        "montecarlo-quad.toml",
        include_str!("../../../data/scenarios/montecarlo-quad.toml"),
    ),
    (
        "quad-lithium-refining-baseline.toml",
        include_str!("../../../data/scenarios/quad-lithium-refining-baseline.toml"),
    ),
    (
        "quad-lithium-refining.toml",
        include_str!("../../../data/scenarios/quad-lithium-refining.toml"),
    ),
    (
        "quad-pact-baseline.toml",
        include_str!("../../../data/scenarios/quad-pact-baseline.toml"),
    ),
    (
        "quad-pact.toml",
        include_str!("../../../data/scenarios/quad-pact.toml"),
    ),
    (
        "ree-april-2025.toml",
        include_str!("../../../data/scenarios/ree-april-2025.toml"),
    ),
];

/// A shipped scenario by name, with or without `.toml` (`drc-cobalt-2025`, `backtest/ree-2010`).
pub fn find(name: &str) -> Option<(&'static str, &'static str)> {
    let key = name.trim_start_matches("data/scenarios/");
    let key = key.strip_suffix(".toml").unwrap_or(key);
    SCENARIOS
        .iter()
        .find(|(p, _)| p.strip_suffix(".toml") == Some(key))
        .copied()
}

/// The back-test cases: every scenario under `backtest/`, plus the DRC 2025 cobalt ban.
pub fn backtests() -> Vec<(&'static str, &'static str)> {
    SCENARIOS
        .iter()
        .filter(|(p, _)| {
            p.starts_with("backtest/")
                || *p == "drc-cobalt-2025.toml"
                || *p == "ree-april-2025.toml"
        })
        .copied()
        .collect()
}
