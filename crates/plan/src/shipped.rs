//! The shipped plans (`data/plans/`), compiled in so that `quadrant plan NAME` works from any
//! directory.

/// (name, TOML text)
pub static PLANS: &[(&str, &str)] = &[
    (
        "lithium-processing",
        include_str!("../../../data/plans/lithium-processing.toml"),
    ),
    (
        "ethical-cobalt",
        include_str!("../../../data/plans/ethical-cobalt.toml"),
    ),
    (
        "coordinated-funding",
        include_str!("../../../data/plans/coordinated-funding.toml"),
    ),
];

/// A shipped plan's text by name.
pub fn find(name: &str) -> Option<&'static str> {
    PLANS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}
