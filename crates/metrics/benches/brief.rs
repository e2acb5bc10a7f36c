//! Speed of the main job: load the whole embedded dataset (1.26 M BACI rows included) and
//! compute the brief for every material, stage and year. Goal (issue #2): < 2 s wall, release.

use criterion::{criterion_group, criterion_main, Criterion};
use quadrant_metrics::brief::{brief, brief_all_years, BriefRequest, Ctx};

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("brief");
    g.sample_size(10);
    g.bench_function("load_embedded", |b| {
        b.iter(|| quadrant_data::load_embedded().unwrap())
    });
    let ds = quadrant_data::load_embedded().unwrap();
    let materials: Vec<u16> = (0..ds.materials.len() as u16).collect();
    let chn = ds.country("CHN").unwrap();
    let req = BriefRequest {
        bloc: "QUAD",
        adversary: chn,
        year: 2024,
        materials: materials.clone(),
        top_n: 5,
    };
    g.bench_function("index_build", |b| b.iter(|| Ctx::new(&ds)));
    let cx = Ctx::new(&ds);
    g.bench_function("brief_2024_all_materials", |b| {
        b.iter(|| brief(&cx, &req).unwrap())
    });
    g.bench_function("brief_every_year_all_materials", |b| {
        b.iter(|| brief_all_years(&cx, &req))
    });
    g.bench_function("load_plus_every_year", |b| {
        b.iter(|| {
            let ds = quadrant_data::load_embedded().unwrap();
            let cx = Ctx::new(&ds);
            brief_all_years(
                &cx,
                &BriefRequest {
                    materials: materials.clone(),
                    ..req_for(&ds)
                },
            )
        })
    });
    g.finish();
}

fn req_for(ds: &quadrant_model::Dataset) -> BriefRequest<'static> {
    BriefRequest {
        bloc: "QUAD",
        adversary: ds.country("CHN").unwrap(),
        year: 2024,
        materials: vec![],
        top_n: 5,
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
