//! The planner's inputs: candidate projects with capacity, capex and lead time (a basis where
//! derived), financiers with budgets and mandates, the 160 lithium deposits, and bad fields
//! refused with file, line and field.

use quadrant_data::{embedded, load_embedded, load_files, MemFiles};
use quadrant_model::{CandidateOrigin, Dataset, Stage};
use std::collections::HashMap;
use std::sync::OnceLock;

fn ds() -> &'static Dataset {
    static DS: OnceLock<Dataset> = OnceLock::new();
    DS.get_or_init(|| load_embedded().expect("embedded dataset is valid"))
}

fn shipped() -> HashMap<String, Vec<u8>> {
    embedded::files()
        .map(|(n, b)| (n.to_string(), b.to_vec()))
        .collect()
}

/// The issues of the shipped dataset with `file` edited by `f`.
fn refused_with(file: &str, f: impl FnOnce(String) -> String) -> Vec<String> {
    let mut files = shipped();
    let text = String::from_utf8(files[file].clone()).unwrap();
    files.insert(file.to_string(), f(text).into_bytes());
    let err = load_files(&MemFiles(files)).expect_err("a corrupt dataset is refused");
    err.issues().iter().map(|i| i.to_string()).collect()
}

/// The 1-based line of `needle` in a shipped file.
fn line_of(file: &str, needle: &str) -> usize {
    let files = shipped();
    let text = std::str::from_utf8(&files[file]).unwrap();
    text.lines().position(|l| l.trim() == needle).expect(needle) + 1
}

#[test]
fn at_least_forty_projects_each_with_capacity_capex_lead_time_and_bases() {
    let projects = &ds().curated.projects;
    assert!(projects.len() >= 40, "{} projects", projects.len());
    for p in projects {
        let content = p.content_capacity_t.unwrap_or(0.0);
        assert!(content > 0.0, "{}: content capacity", p.id);
        assert!(!p.content_basis.is_empty(), "{}: content basis", p.id);
        assert!(p.capex_usd_million.unwrap_or(0.0) > 0.0, "{}: capex", p.id);
        assert!(
            p.lead_time_years.unwrap_or(0.0) > 0.0,
            "{}: lead time",
            p.id
        );
        // A derived value names its derivation; a capacity that is not published is an
        // estimate and says so.
        if p.capacity_value.is_none() {
            assert!(p.content_basis.contains("ESTIMATE"), "{}", p.id);
        }
        if p.capex_is_derived() {
            assert!(
                p.capex_basis.starts_with("Derived"),
                "{}: {}",
                p.id,
                p.capex_basis
            );
        }
        if p.stage != Stage::Mining {
            assert!(!p.feed.is_empty(), "{}: a refinery needs feed", p.id);
        }
    }
    // Every material the planner's moves need is present.
    for m in [
        "lithium",
        "cobalt",
        "nickel",
        "graphite",
        "rare_earths",
        "ndfeb_magnets",
    ] {
        assert!(projects.iter().any(|p| p.material == m), "{m}");
    }
    // Cobalt refining inside and outside Africa.
    let co: Vec<_> = projects
        .iter()
        .filter(|p| p.material == "cobalt" && p.stage == Stage::Refining)
        .collect();
    assert!(co.iter().any(|p| p.host_country == "COD"));
    assert!(co.iter().any(|p| p.host_country != "COD"));
}

#[test]
fn at_least_ten_financiers_with_budgets_and_mandates() {
    let with_budget: Vec<_> = ds()
        .curated
        .financiers
        .iter()
        .filter(|f| f.budget_usd_million_per_year.unwrap_or(0.0) > 0.0)
        .collect();
    assert!(
        with_budget.len() >= 10,
        "{} with budgets",
        with_budget.len()
    );
    for f in &with_budget {
        assert!(!f.budget_basis.is_empty(), "{}", f.id);
        assert!(!f.instruments.is_empty(), "{}", f.id);
        assert!(
            f.cost_of_capital.is_some_and(|c| c > 0.0 && c < 0.5),
            "{}",
            f.id
        );
        assert!(!f.eligible_stages.is_empty() && !f.eligible_materials.is_empty());
        assert!(f.budget_in(2026) > 0.0, "{}: budget in 2026", f.id);
    }
}

#[test]
fn the_160_deposits_are_mining_candidates_beside_the_projects() {
    let d = ds();
    assert_eq!(d.lithium_deposits.len(), 160);
    assert!(d.lithium_deposits.iter().all(|x| x.capacity_t > 0.0));
    let c = d.candidates();
    let deposits = c.iter().filter(|c| c.origin == CandidateOrigin::Deposit);
    assert_eq!(deposits.clone().count(), 160);
    assert!(deposits
        .clone()
        .all(|c| c.stage == Stage::Mining && c.material == "lithium"));
    assert_eq!(
        c.iter()
            .filter(|c| c.origin == CandidateOrigin::Project)
            .count(),
        d.curated.projects.len()
    );
    // Salar de Atacama (SQM): 31.4 kt Li in 2023 in the source, kept in tonnes.
    let atacama = d
        .lithium_deposits
        .iter()
        .find(|x| x.id == "busch_001")
        .unwrap();
    assert_eq!(
        (atacama.country.as_str(), atacama.prod_2023_t),
        ("CHL", 31429.0)
    );
}

#[test]
fn may_fund_respects_home_only_and_home_offtake_mandates() {
    let d = ds();
    let fin = |id: &str| d.curated.financiers.iter().find(|f| f.id == id).unwrap();
    let proj = |id: &str| d.curated.projects.iter().find(|p| p.id == id).unwrap();
    // EFA's Critical Minerals Facility funds Australian projects only.
    let efa = fin("efa_cmf");
    assert!(efa.home_country_only);
    assert!(efa.may_fund(proj("iluka_eneabba")));
    assert!(!efa.may_fund(proj("lynas_texas")), "a foreign host");
    // EXIM funds abroad only with offtake to the US.
    let exim = fin("us_exim");
    let mut p = proj("covalent_kwinana").clone();
    p.offtake = vec!["JPN".into()];
    assert!(!exim.may_fund(&p));
    p.offtake.push("USA".into());
    assert!(exim.may_fund(&p));
    // DFC lends abroad only; the DOE's LPO at home only.
    assert!(!fin("us_dfc").may_fund(proj("lynas_texas")));
    assert!(fin("us_doe_lpo").may_fund(proj("lynas_texas")));
    assert!(!fin("us_doe_lpo").may_fund(proj("iluka_eneabba")));
}

#[test]
fn missing_planner_fields_are_refused_with_file_line_and_field() {
    let file = "curated/projects.toml";
    let line = line_of(file, "id = \"electra_ontario_cobalt\"");
    let issues = refused_with(file, |s| {
        let (head, tail) = s.split_once("id = \"electra_ontario_cobalt\"").unwrap();
        let tail = tail
            .replacen("capex_usd_million = 306.9\n", "", 1)
            .replacen("feed = [\"COD\", \"USA\"]", "feed = []", 1);
        format!("{head}id = \"electra_ontario_cobalt\"{tail}")
    });
    for field in ["capex_usd_million", "feed"] {
        let want = format!("{file}:{line}: field `project[id=electra_ontario_cobalt].{field}`");
        assert!(
            issues.iter().any(|i| i.starts_with(&want)),
            "{want}\n{issues:#?}"
        );
    }
    let file = "curated/financiers.toml";
    let line = line_of(file, "id = \"efa_cmf\"");
    let issues = refused_with(file, |s| {
        s.replacen("eligible_stages = [\"mining\", \"refining\"]\neligible_materials = [\"*\"]\nhome_offtake_required = false\nhome_country_only = true", "eligible_stages = [\"smelting\"]\neligible_materials = [\"*\"]\nhome_offtake_required = false\nhome_country_only = true", 1)
    });
    let want = format!("{file}:{line}: field `financier[id=efa_cmf].eligible_stages`");
    assert!(
        issues
            .iter()
            .any(|i| i.starts_with(&want) && i.contains("smelting")),
        "{want}\n{issues:#?}"
    );
}

#[test]
fn bad_values_are_refused_at_their_own_line() {
    let file = "curated/projects.toml";
    let issues = refused_with(file, |s| {
        s.replacen(
            "audit_status = \"in_progress\"",
            "audit_status = \"maybe\"",
            1,
        )
    });
    let line = line_of(file, "audit_status = \"in_progress\"");
    assert!(
        issues.iter().any(
            |i| i.starts_with(&format!("{file}:{line}: field `project[id="))
                && i.contains(".audit_status`")
        ),
        "{issues:#?}"
    );
    let issues = refused_with("lithium_deposits.csv", |s| {
        s.replacen(",31429,324000,", ",31429,-5,", 1)
    });
    assert!(
        issues
            .iter()
            .any(|i| i.starts_with("lithium_deposits.csv:2: field `capacity_t`")),
        "{issues:#?}"
    );
}
