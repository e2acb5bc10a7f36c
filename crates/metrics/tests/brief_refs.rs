//! The brief carries what a printed briefing needs without looking anything up: every
//! country's name, every cited source's full citation, and key findings that each name
//! their source (issue 11, "Briefing report").

use quadrant_metrics::brief::{brief, Brief, BriefRequest, Ctx, FindingKind};

fn shipped(materials: &[&str]) -> (quadrant_model::Dataset, Vec<u16>) {
    let ds = quadrant_data::load_embedded().unwrap();
    let m = materials
        .iter()
        .map(|id| ds.material(id).unwrap())
        .collect();
    (ds, m)
}

fn quad_brief(ds: &quadrant_model::Dataset, materials: Vec<u16>) -> Brief {
    let cx = Ctx::new(ds);
    brief(
        &cx,
        &BriefRequest {
            bloc: "QUAD",
            adversary: ds.country("CHN").unwrap(),
            year: 2024,
            materials,
            top_n: 5,
        },
    )
    .unwrap()
}

#[test]
fn every_country_printed_has_its_name() {
    let (ds, m) = shipped(&["cobalt", "lithium"]);
    let b = quad_brief(&ds, m);
    assert_eq!(b.name("COD"), "Dem. Rep. of the Congo");
    assert_eq!(b.name("CHN"), "China");
    assert_eq!(b.name("QUAD"), "Quad");
    assert_eq!(b.bloc_full_name, "Quadrilateral Security Dialogue (Quad)");
    // Every id a renderer prints resolves to the dataset's name.
    let ids = b
        .materials
        .iter()
        .flat_map(|m| &m.stages)
        .flat_map(|s| {
            s.top.iter().map(|p| p.country.clone()).chain(
                s.origin
                    .iter()
                    .flat_map(|o| o.by_origin.iter().map(|x| x.0.clone())),
            )
        })
        .chain(b.members.iter().cloned());
    for id in ids {
        let c = ds.country(&id).unwrap();
        assert_eq!(b.name(&id), ds.countries[c as usize].name, "{id}");
    }
}

#[test]
fn every_cited_source_is_carried_in_full() {
    let (ds, m) = shipped(&["cobalt", "lithium", "rare_earths"]);
    let b = quad_brief(&ds, m);
    let ids: Vec<&str> = b.sources.iter().map(|c| c.id.as_str()).collect();
    for want in [
        "IEA-2025",
        "WMD",
        "BACI-HS92-V202401b",
        "USGS-MCS2024",
        "WGI-PV-2024",
    ] {
        assert!(ids.contains(&want), "{want} missing from {ids:?}");
    }
    let iea = b.citation("IEA-2025").unwrap();
    assert!(iea
        .text
        .starts_with("International Energy Agency. Critical Minerals Data Explorer"));
    assert_eq!(iea.licence, "CC BY 4.0");
    // The ownership file lists the citations of the assets behind the control figures.
    let own = b.citation("curated/ownership.toml").unwrap();
    assert!(own.entries.len() > 20, "{}", own.entries.len());
    assert!(own
        .entries
        .iter()
        .any(|e| e.contains("Tenke") || e.contains("CMOC")));
    // Every id in a figure's source string is cited.
    for s in b.materials.iter().flat_map(|m| &m.stages) {
        for id in s.source.split('+') {
            assert!(b.citation(id).is_some(), "{id} of {}", s.source);
        }
    }
}

#[test]
fn key_findings_lead_with_the_adversarys_largest_shares() {
    let (ds, _) = shipped(&[]);
    let all = (0..ds.materials.len() as u16).collect();
    let b = quad_brief(&ds, all);
    let f = &b.findings;
    assert!((4..=12).contains(&f.len()), "{f:#?}");
    assert_eq!(f[0].kind, FindingKind::AdversaryShare);
    let largest = b
        .materials
        .iter()
        .flat_map(|m| &m.stages)
        .map(|s| s.adversary_share)
        .fold(0.0, f64::max);
    assert_eq!(f[0].value, largest);
    assert!(f
        .windows(2)
        .all(|w| w[0].kind != w[1].kind || w[0].value >= w[1].value));
    for k in [
        FindingKind::ThroughAdversary,
        FindingKind::AdversaryControl,
        FindingKind::Claim,
        FindingKind::BlocShare,
    ] {
        assert!(f.iter().any(|x| x.kind == k), "no {k:?} in {f:#?}");
    }
    // Each finding's source is cited in full.
    for x in f {
        let first = x.source.split(['+', ' ']).next().unwrap();
        assert!(b.citation(first).is_some(), "{first} of {x:?}");
        if matches!(x.kind, FindingKind::AdversaryControl | FindingKind::Claim) {
            assert!(x.coverage.is_some(), "{x:?}");
        }
    }
}
