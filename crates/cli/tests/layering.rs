//! The layering of ARCHITECTURE.md, enforced from `cargo metadata`: a crate depends only on
//! crates above it in the flow (normal, build and dev dependencies alike), and nothing depends
//! on the binaries' crates.

use std::process::Command;

/// The flow, top to bottom: each crate may use only the crates before it.
const LAYERS: &[&str] = &[
    "quadrant-model",
    "quadrant-data",
    "quadrant-metrics",
    "quadrant-sim",
    "quadrant-econ",
    "quadrant-plan",
    "quadrant-trace",
    "quadrant-store",
    "quadrant-report",
    "quadrant-server",
    "quadrant-cli",
];

/// (package, its workspace dependencies) for every workspace member.
fn workspace_deps() -> Vec<(String, Vec<String>)> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("metadata is JSON");
    meta["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| {
            let deps = p["dependencies"]
                .as_array()
                .expect("dependencies")
                .iter()
                .filter_map(|d| d["name"].as_str())
                .filter(|n| n.starts_with("quadrant-"))
                .map(String::from)
                .collect();
            (p["name"].as_str().expect("name").to_string(), deps)
        })
        .collect()
}

fn layer(name: &str) -> usize {
    LAYERS
        .iter()
        .position(|l| *l == name)
        .unwrap_or_else(|| panic!("{name} is not in the layering of ARCHITECTURE.md: add it"))
}

#[test]
fn every_crate_depends_only_on_crates_above_it() {
    let deps = workspace_deps();
    assert!(deps.len() >= 6, "workspace members: {deps:?}");
    let mut wrong = Vec::new();
    for (pkg, ds) in &deps {
        for d in ds.iter().filter(|d| *d != pkg) {
            if layer(d) >= layer(pkg) {
                wrong.push(format!("{pkg} → {d}"));
            }
        }
    }
    assert!(wrong.is_empty(), "dependencies against the flow: {wrong:?}");
}

/// Who may use each binary's crate: nobody uses the CLI; only the CLI (`quadrant serve`)
/// uses the server.
const BINARIES: &[(&str, &[&str])] = &[
    ("quadrant-cli", &[]),
    ("quadrant-server", &["quadrant-cli"]),
];

fn binary_users_wrong(deps: &[(String, Vec<String>)]) -> Vec<String> {
    let mut wrong = Vec::new();
    for (pkg, ds) in deps {
        for (bin, allowed) in BINARIES {
            if pkg != bin && ds.iter().any(|d| d == bin) && !allowed.contains(&pkg.as_str()) {
                wrong.push(format!("{pkg} depends on {bin}"));
            }
        }
    }
    wrong
}

#[test]
fn nothing_depends_on_the_binaries() {
    let wrong = binary_users_wrong(&workspace_deps());
    assert!(wrong.is_empty(), "{wrong:?}");
}

#[test]
fn the_binary_check_would_catch_a_library_using_the_server() {
    let made_up = vec![
        (
            "quadrant-cli".to_string(),
            vec!["quadrant-server".to_string()],
        ),
        (
            "quadrant-report".to_string(),
            vec!["quadrant-server".to_string()],
        ),
        (
            "quadrant-server".to_string(),
            vec!["quadrant-cli".to_string()],
        ),
    ];
    assert_eq!(
        binary_users_wrong(&made_up),
        vec![
            "quadrant-report depends on quadrant-server",
            "quadrant-server depends on quadrant-cli"
        ]
    );
}

#[test]
fn the_check_would_catch_an_upward_dependency() {
    // The rule itself, on a made-up edge: metrics using sim is against the flow.
    assert!(layer("quadrant-sim") >= layer("quadrant-metrics"));
    assert!(layer("quadrant-model") < layer("quadrant-data"));
}
