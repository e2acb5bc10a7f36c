//! The indicator catalogue on a toy world small enough to compute by hand (docs/model.md
//! gives the formulas). Australia mines, China and Chile refine, Japan and the US buy.

use quadrant_metrics::brief::{brief, BriefRequest, Ctx};
use quadrant_metrics::concentration::{concentration_in, governance_weighted_hhi, GovBasis};
use quadrant_metrics::{bloc_reliance, control, origin_trace, ControlRule, Members, TradeIndex};
use quadrant_model::curated::{Asset, AssetKind, Bloc, Owner};
use quadrant_model::*;

const EPS: f64 = 1e-12;

fn toy() -> Dataset {
    let mut ds = Dataset::default();
    ds.sources.push(Source {
        id: "T".into(),
        title: "toy".into(),
        publisher: "test".into(),
        edition: "1".into(),
        url: String::new(),
        licence: String::new(),
    });
    for id in ["AUS", "CHL", "CHN", "JPN", "USA"] {
        ds.countries.push(Country {
            id: id.into(),
            name: id.into(),
            m49: None,
            aggregate: false,
            source: 0,
        });
    }
    ds.materials.push(Material {
        id: "lithium".into(),
        name: "Lithium".into(),
        basis: "t Li".into(),
        source: 0,
    });
    ds.reindex();
    let ids = ds.clone();
    let c = |id: &str| ids.country(id).unwrap();
    let rows = [
        (Stage::Mining, "AUS", 60.0),
        (Stage::Mining, "CHL", 30.0),
        (Stage::Mining, "CHN", 10.0),
        (Stage::Refining, "CHN", 70.0),
        (Stage::Refining, "CHL", 30.0),
    ];
    let prod: Vec<ProductionRow> = rows
        .iter()
        .map(|&(stage, co, v)| ProductionRow {
            dataset: "T".into(),
            material: 0,
            stage,
            country: c(co),
            year: 2024,
            value_t: v,
            estimated: false,
            source: 0,
            raw_ref: "toy:1".into(),
            raw_value: v.to_string(),
            raw_unit: "t".into(),
        })
        .collect();
    ds.production = prod;
    ds.hs_map.push(HsMapRow {
        hs6: 283691,
        material: 0,
        stage: Stage::Refining,
        content_factor: 0.5,
        factor_kind: "stoichiometric".into(),
        source: 0,
    });
    // Gross tonnes; content factor 0.5 halves them.
    for (e, i, q) in [
        ("CHN", "JPN", 40.0),
        ("CHL", "JPN", 20.0),
        ("CHN", "USA", 20.0),
    ] {
        ds.trade.year.push(2024);
        ds.trade.exporter.push(c(e));
        ds.trade.importer.push(c(i));
        ds.trade.hs6.push(283691);
        ds.trade.value_kusd.push(1.0);
        ds.trade.qty_t.push(q);
        ds.trade.source.push(0);
    }
    for (co, pv) in [("AUS", 1.0), ("CHL", 0.0), ("CHN", -0.5)] {
        ds.governance.push(GovernanceRow {
            country: c(co),
            year: 2024,
            dimension: Dimension::PV,
            estimate: pv,
            source: 0,
        });
    }
    ds.curated.blocs.push(Bloc {
        id: "B".into(),
        name: "bloc".into(),
        short: None,
        members: vec!["AUS".into(), "JPN".into(), "USA".into()],
        since: String::new(),
        source: "t".into(),
        note: None,
    });
    ds.curated.assets.push(Asset {
        id: "mine".into(),
        name: "mine".into(),
        country: "AUS".into(),
        material: "lithium".into(),
        stage: Stage::Mining,
        output_value: 120.0,
        output_unit: "t".into(),
        output_basis: "concentrate".into(),
        output_year: 2024,
        content_factor: Some(0.5),
        source: "t".into(),
        note: None,
        kind: AssetKind::Asset,
        owner: vec![
            Owner {
                name: "A".into(),
                home: "CHN".into(),
                share: 0.51,
                operator: true,
                source: String::new(),
                note: None,
            },
            Owner {
                name: "B".into(),
                home: "AUS".into(),
                share: 0.49,
                operator: false,
                source: String::new(),
                note: None,
            },
        ],
    });
    ds.reindex();
    assert!(validate(&ds, &|_, _, _| None).is_empty());
    ds
}

#[test]
fn concentration_by_hand() {
    let ds = toy();
    let c = concentration_in(&ds, "T", 0, Stage::Mining, 2024).unwrap();
    assert!((c.hhi - (0.36 + 0.09 + 0.01)).abs() < EPS);
    assert!((c.top1 - 0.6).abs() < EPS && (c.top3 - 1.0).abs() < EPS);
    let bloc = Members::bloc(&ds, "B").unwrap();
    assert!((c.share_of(&bloc) - 0.6).abs() < EPS);
    // g = (2.5 − PV)/5: AUS 0.3, CHL 0.5, CHN 0.6.
    let (gw, cov) = governance_weighted_hhi(&ds, &c, GovBasis::PoliticalStability);
    assert!(
        (gw - (0.36 * 0.3 + 0.09 * 0.5 + 0.01 * 0.6)).abs() < EPS,
        "{gw}"
    );
    assert!((cov - 1.0).abs() < EPS);
}

#[test]
fn control_by_hand() {
    let ds = toy();
    let c = concentration_in(&ds, "T", 0, Stage::Mining, 2024).unwrap();
    let chn = ds.country("CHN").unwrap();
    let aus = ds.country("AUS").unwrap();
    let ctl = control(&ds, &c, ControlRule::Controlling).unwrap();
    assert!(
        (ctl.share_of_country(chn) - 0.7).abs() < EPS,
        "{:?}",
        ctl.shares
    );
    assert!((ctl.coverage.identified - 0.6).abs() < EPS);
    assert!((ctl.coverage.uncovered - 0.4).abs() < EPS);
    assert_eq!(ctl.coverage.estimated, 0.0);
    let eq = control(&ds, &c, ControlRule::Equity).unwrap();
    assert!((eq.share_of_country(chn) - (0.6 * 0.51 + 0.1)).abs() < EPS);
    assert!((eq.share_of_country(aus) - 0.6 * 0.49).abs() < EPS);
    assert!((eq.hhi - eq.by_ix.iter().map(|x| x.1 * x.1).sum::<f64>()).abs() < EPS);
}

#[test]
fn reliance_and_origin_by_hand() {
    let ds = toy();
    let t = TradeIndex::build(&ds);
    let bloc = Members::bloc(&ds, "B").unwrap();
    let down = concentration_in(&ds, "T", 0, Stage::Refining, 2024).unwrap();
    let up = concentration_in(&ds, "T", 0, Stage::Mining, 2024).unwrap();
    let r = bloc_reliance(&down, &t, 0, Stage::Refining, 2024, &bloc);
    assert!(
        (r.imports_t - 40.0).abs() < EPS,
        "content factor applied: {}",
        r.imports_t
    );
    assert_eq!(r.net_import_reliance, Some(1.0));
    assert_eq!(r.self_sufficiency, Some(0.0));
    let chn = ds.country("CHN").unwrap();
    let o = origin_trace(&ds, &t, 0, &down, &up, 2024, &bloc, chn);
    assert_eq!(
        o.upstream_method,
        quadrant_metrics::origin::UpstreamMethod::Pool
    );
    assert!((o.supply_t - 40.0).abs() < EPS);
    // Refined in China 30/40; China's feed: own mining 10 of 70, the rest from Australia's surplus.
    assert!((o.adversary_at_stage - 0.75).abs() < EPS);
    assert!((o.adversary_upstream - 0.75 / 7.0).abs() < EPS);
    assert!((o.through_adversary - 0.75).abs() < EPS);
    let aus = o.by_origin.iter().find(|x| x.0 == "AUS").unwrap().1;
    assert!((aus - 0.75 * 6.0 / 7.0).abs() < EPS);
    let total: f64 = o.by_origin.iter().map(|x| x.1).sum();
    assert!(
        (total - 1.0).abs() < 1e-9,
        "origin shares sum to 1: {total}"
    );
}

#[test]
fn adversary_is_a_parameter_not_a_name() {
    // The same toy with Chile as the adversary: nothing in the code knows China.
    let ds = toy();
    let cx = Ctx::new(&ds);
    let b = brief(
        &cx,
        &BriefRequest {
            bloc: "B",
            adversary: ds.country("CHL").unwrap(),
            year: 2024,
            materials: vec![0],
            top_n: 3,
        },
    )
    .unwrap();
    let refining = &b.materials[0].stages[1];
    assert_eq!(refining.stage, Stage::Refining);
    assert!((refining.adversary_share - 0.3).abs() < EPS);
    assert!((refining.origin.as_ref().unwrap().through_adversary - 0.25).abs() < EPS);
}

/// An origin trace cites the trade edition the dataset's rows name, not one written in code,
/// and the brief's finding on it cites the trace's own source string.
#[test]
fn an_origin_trace_cites_the_datasets_trade_edition() {
    let mut ds = toy();
    ds.sources.push(Source {
        id: "BACI-TEST-2099".into(),
        title: "toy trade".into(),
        publisher: "test".into(),
        edition: "2099".into(),
        url: String::new(),
        licence: String::new(),
    });
    ds.reindex();
    let edition = ds.source("BACI-TEST-2099").unwrap();
    ds.trade.source.iter_mut().for_each(|s| *s = edition);
    let cx = Ctx::new(&ds);
    let b = brief(
        &cx,
        &BriefRequest {
            bloc: "B",
            adversary: ds.country("CHN").unwrap(),
            year: 2024,
            materials: vec![0],
            top_n: 3,
        },
    )
    .unwrap();
    let o = b.materials[0].stages[1].origin.as_ref().unwrap();
    assert_eq!(o.source(), "T+T+BACI-TEST-2099 2024");
    let f = b
        .findings
        .iter()
        .find(|f| f.kind == quadrant_metrics::brief::FindingKind::ThroughAdversary)
        .expect("a through-adversary finding");
    assert_eq!(f.source, o.source());
    assert_eq!(
        b.materials[0].stages[1].reliance_source,
        "T+BACI-TEST-2099 2024"
    );
}

/// Claims come from the data (curated/claims.toml), not from code: the toy's one mine, 51%
/// held from CHN, is "controlled by" the adversary when the claim names no controller, and
/// by the named home when it does.
#[test]
fn claims_are_data_and_name_no_country_in_code() {
    let mut ds = toy();
    let claim = |id: &str, home: Option<&str>| quadrant_model::Claim {
        id: id.into(),
        text: "Share of the toy's lithium mined under {controller} control".into(),
        claim: String::new(),
        material: "lithium".into(),
        stage: Stage::Mining,
        host: "AUS".into(),
        controller_home: home.map(String::from),
        years: vec![2025, 2024],
        source: "t".into(),
        note: None,
    };
    ds.curated.claims = vec![claim("adv", None), claim("usa", Some("USA"))];
    let cx = Ctx::new(&ds);
    let req = |adv: &str| BriefRequest {
        bloc: "B",
        adversary: ds.country(adv).unwrap(),
        year: 2024,
        materials: vec![0],
        top_n: 3,
    };
    let b = brief(&cx, &req("CHN")).unwrap();
    assert_eq!(b.claims.len(), 2);
    assert_eq!(
        b.claims[0].claim,
        "Share of the toy's lithium mined under CHN control"
    );
    assert_eq!((b.claims[0].measured, b.claims[0].year), (1.0, 2024));
    assert_eq!(b.claims[1].measured, 0.0);
    let b = brief(&cx, &req("CHL")).unwrap();
    assert!(b.claims[0].claim.contains("under CHL control") && b.claims[0].measured == 0.0);
    let unknown = brief(
        &cx,
        &BriefRequest {
            bloc: "NOPE",
            ..req("CHN")
        },
    );
    assert!(matches!(
        unknown,
        Err(quadrant_metrics::brief::BriefError::UnknownBloc { .. })
    ));
}

/// An entry of Chile's mining with its kind, output (content factor 1), owners and note.
fn chl_entry(id: &str, kind: AssetKind, t: f64, owner: Option<&str>, note: &str) -> Asset {
    Asset {
        id: id.into(),
        name: id.into(),
        country: "CHL".into(),
        material: "lithium".into(),
        stage: Stage::Mining,
        output_value: t,
        output_unit: "t".into(),
        output_basis: "contained Li".into(),
        output_year: 2024,
        content_factor: Some(1.0),
        source: "t".into(),
        note: Some(note.into()),
        kind,
        owner: owner
            .map(|h| Owner {
                name: "O".into(),
                home: h.into(),
                share: 1.0,
                operator: true,
                source: "t".into(),
                note: None,
            })
            .into_iter()
            .collect(),
    }
}

/// Coverage (docs/model.md, "Coverage") on a hand-built case. World mining 100 t: Australia 60
/// (the toy mine, 60 t, reported), Chile 30, China 10 (no entries). Chile's entries: a named
/// mine of 12 t held from the USA whose output is a PROXY, a cited artisanal pseudo-asset of
/// 6 t, a residual of 9 t; 3 t are covered by no entry.
#[test]
fn coverage_by_hand() {
    let mut ds = toy();
    ds.curated.assets.extend([
        chl_entry(
            "chl_mine",
            AssetKind::Asset,
            12.0,
            Some("USA"),
            "PROXY: nameplate",
        ),
        chl_entry("chl_asm", AssetKind::Artisanal, 6.0, None, "cited survey"),
        chl_entry(
            "chl_rest",
            AssetKind::Residual,
            9.0,
            None,
            "Derived residual",
        ),
    ]);
    assert!(validate(&ds, &|_, _, _| None).is_empty());
    let c = concentration_in(&ds, "T", 0, Stage::Mining, 2024).unwrap();
    let ctl = control(&ds, &c, ControlRule::Controlling).unwrap();
    let cov = ctl.coverage;
    // Identified: the toy mine 60 + Chile's mine 12 + artisanal 6, of world 100.
    assert!((cov.identified - 0.78).abs() < EPS, "{cov:?}");
    assert!((cov.estimated - 0.12).abs() < EPS, "{cov:?}");
    assert!((cov.residual - 0.09).abs() < EPS, "{cov:?}");
    // Chile's 3 t without an entry and China's 10 t.
    assert!((cov.uncovered - 0.13).abs() < EPS, "{cov:?}");
    assert!((cov.identified + cov.residual + cov.uncovered - 1.0).abs() < EPS);
    assert!(cov.is_estimate());
    let usa = ds.country("USA").unwrap();
    let chl = ds.country("CHL").unwrap();
    assert!((ctl.share_of_country(usa) - 0.12).abs() < EPS);
    // Artisanal, residual and uncovered output stay with the host.
    assert!((ctl.share_of_country(chl) - 0.18).abs() < EPS);

    // The claim form: Chile's output (30 t, larger than its entries' 27 t) split by controller.
    let h = quadrant_metrics::control::host_controlled_by(
        &ds,
        "lithium",
        Stage::Mining,
        "CHL",
        "USA",
        2024,
    )
    .unwrap();
    assert!((h.host_output_t - 30.0).abs() < EPS);
    assert!((h.share - 0.4).abs() < EPS);
    assert!(
        (h.coverage.identified - 0.6).abs() < EPS,
        "{:?}",
        h.coverage
    );
    assert!((h.coverage.estimated - 0.4).abs() < EPS);
    assert!((h.coverage.residual - 0.3).abs() < EPS);
    assert!((h.coverage.uncovered - 0.1).abs() < EPS);

    // A residual with an owner, or a named asset without one, is refused by `asset_kind`.
    let mut bad = ds.clone();
    bad.curated
        .assets
        .push(chl_entry("x", AssetKind::Residual, 1.0, Some("USA"), ""));
    bad.curated
        .assets
        .push(chl_entry("y", AssetKind::Asset, 1.0, None, ""));
    let issues = validate(&bad, &|_, _, _| None);
    let kinds: Vec<_> = issues.iter().filter(|i| i.check == "asset_kind").collect();
    assert_eq!(kinds.len(), 2, "{issues:?}");
}
