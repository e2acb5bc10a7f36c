//! Command handlers: parse, call the libraries, render.

use crate::format::{pick, BriefFormat, TableFormat};
use crate::out::{emit, Kind};
use anyhow::{anyhow, bail, Result};
use quadrant_metrics::brief::{brief as make_brief, BriefRequest, Ctx};
use quadrant_metrics::geopolrisk::{geopolrisk_group, GprIndex};
use quadrant_model::ids::lookup;
use quadrant_model::{CountryIx, Dataset, MaterialIx};
use std::path::Path;

#[derive(clap::Args)]
pub struct BriefArgs {
    /// Bloc id from curated/blocs.toml (e.g. QUAD, MSP, EU, G7).
    #[arg(long, default_value = "QUAD")]
    bloc: String,
    /// Adversary country id (ISO 3166-1 alpha-3).
    #[arg(long, default_value = "CHN")]
    adversary: String,
    /// Latest year to use; each figure uses the latest year ≤ this with data.
    #[arg(long, default_value_t = 2024)]
    year: u16,
    /// Material id (repeatable); default: every material in the dataset.
    #[arg(long)]
    material: Vec<String>,
    /// One brief per year with data (2018–2040, projections included) instead of one.
    #[arg(long)]
    all_years: bool,
    /// Producers to list per stage, 1 to 50.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u8).range(1..=50))]
    top: u8,
    /// Output format (default: from the extension of --output, else table).
    #[arg(long, value_enum)]
    format: Option<BriefFormat>,
    /// Write to this file instead of standard output.
    #[arg(long, short)]
    output: Option<std::path::PathBuf>,
}

#[derive(clap::Args)]
pub struct GprArgs {
    /// Importer: a country id (USA) or a bloc id (EU), treated as one importer.
    #[arg(long)]
    importer: String,
    /// Year of production, trade and governance data.
    #[arg(long)]
    year: u16,
    /// Material id (any material with a GeoPolRisk HS-code mapping).
    #[arg(long)]
    material: String,
    /// Output format (default: from the extension of --output, else table).
    #[arg(long, value_enum)]
    format: Option<TableFormat>,
    /// Write to this file (whole or not at all) instead of standard output.
    #[arg(long, short)]
    output: Option<std::path::PathBuf>,
}

pub fn load(data: Option<&Path>) -> Result<Dataset> {
    Ok(match data {
        Some(d) => quadrant_data::load_dir(d)?,
        None => quadrant_data::load_embedded()?,
    })
}

/// A material id as typed (any case), or an error with the nearest id and the list.
pub(crate) fn material(ds: &Dataset, m: &str) -> Result<MaterialIx> {
    let ids = ds.materials.iter().map(|m| m.id.as_str());
    let id = lookup("material", m, ids.clone()).map_err(|e| {
        anyhow!(
            "{e} (the dataset has: {})",
            ids.collect::<Vec<_>>().join(", ")
        )
    })?;
    Ok(ds.material(id).expect("a known id"))
}

/// A bloc id as typed (any case), or an error with the nearest id and the list.
pub(crate) fn bloc(ds: &Dataset, b: &str) -> Result<String> {
    let ids = ds.curated.blocs.iter().map(|b| b.id.as_str());
    lookup("bloc", b, ids.clone())
        .map(String::from)
        .map_err(|e| {
            anyhow!(
                "{e} (curated/blocs.toml has: {})",
                ids.collect::<Vec<_>>().join(", ")
            )
        })
}

/// A country id as typed (any case), or an error with the nearest id.
fn country(ds: &Dataset, c: &str) -> Result<CountryIx> {
    let id = lookup("country", c, ds.countries.iter().map(|c| c.id.as_str()))
        .map_err(|e| anyhow!("{e}: expected an ISO 3166-1 alpha-3 id from countries.csv"))?;
    Ok(ds.country(id).expect("a known id"))
}

pub fn brief(data: Option<&Path>, a: BriefArgs) -> Result<()> {
    let fmt = pick(a.format, a.output.as_deref(), BriefFormat::Table)?;
    let ds = load(data)?;
    let bloc_id = bloc(&ds, &a.bloc)?;
    let adversary = country(&ds, &a.adversary)?;
    let materials = if a.material.is_empty() {
        (0..ds.materials.len() as MaterialIx).collect()
    } else {
        a.material
            .iter()
            .map(|m| material(&ds, m))
            .collect::<Result<Vec<_>>>()?
    };
    let cx = Ctx::new(&ds);
    let req = BriefRequest {
        bloc: &bloc_id,
        adversary,
        year: a.year,
        materials: materials.clone(),
        top_n: usize::from(a.top),
    };
    if a.all_years {
        let all = quadrant_metrics::brief::brief_all_years(&cx, &req);
        let text = match fmt {
            BriefFormat::Json => quadrant_report::briefs_json(&all) + "\n",
            BriefFormat::Csv => quadrant_report::figures_csv(
                &all.iter()
                    .flat_map(quadrant_report::figures)
                    .collect::<Vec<_>>(),
            ),
            BriefFormat::Table => all
                .iter()
                .map(quadrant_report::brief_table)
                .collect::<Vec<_>>()
                .join("\n"),
            BriefFormat::Html => quadrant_report::briefs_html(&all),
            BriefFormat::Md => bail!("--all-years prints table, json, csv or html"),
        };
        return emit(&text, a.output.as_deref(), brief_kind(fmt), &ds.fingerprint);
    }
    let b = make_brief(
        &cx,
        &BriefRequest {
            bloc: &bloc_id,
            adversary,
            year: a.year,
            materials,
            top_n: usize::from(a.top),
        },
    )?;
    if b.materials.is_empty() {
        bail!(
            "no production data for the requested material(s) up to {}",
            a.year
        );
    }
    let text = match fmt {
        BriefFormat::Table => quadrant_report::brief_table(&b),
        BriefFormat::Json => quadrant_report::brief_json(&b) + "\n",
        BriefFormat::Csv => quadrant_report::figures_csv(&quadrant_report::figures(&b)),
        BriefFormat::Md => quadrant_report::brief_md(&b),
        BriefFormat::Html => quadrant_report::brief_html(&b),
    };
    emit(&text, a.output.as_deref(), brief_kind(fmt), &ds.fingerprint)
}

/// The stamp kind of a brief format.
fn brief_kind(f: BriefFormat) -> Kind {
    match f {
        BriefFormat::Csv => Kind::Csv,
        BriefFormat::Json => Kind::Json,
        BriefFormat::Html => Kind::Html,
        BriefFormat::Table | BriefFormat::Md => Kind::Text,
    }
}

/// The stamp kind of a table format.
pub(crate) fn table_kind(f: TableFormat) -> Kind {
    match f {
        TableFormat::Csv => Kind::Csv,
        TableFormat::Json => Kind::Json,
        TableFormat::Table => Kind::Text,
    }
}

pub fn geopolrisk(data: Option<&Path>, a: GprArgs) -> Result<()> {
    let fmt = pick(a.format, a.output.as_deref(), TableFormat::Table)?;
    let ds = load(data)?;
    let m = material(&ds, &a.material)?;
    // A bloc (treated as one importer) or a country, as typed in any case.
    let (importer, members): (String, Vec<CountryIx>) = match bloc(&ds, &a.importer) {
        Ok(b) => {
            let members = ds.curated.bloc(&b).map_or_else(Vec::new, |x| {
                x.members.iter().filter_map(|c| ds.country(c)).collect()
            });
            (b, members)
        }
        Err(_) => {
            let c = country(&ds, &a.importer)?;
            (ds.country_id(c).to_string(), vec![c])
        }
    };
    if !ds.gpr_map.iter().any(|g| g.material == Some(m)) {
        bail!(
            "material {:?} has no GeoPolRisk HS-code mapping (geopolrisk_map.csv)",
            a.material
        );
    }
    let idx = GprIndex::build(&ds);
    let g = geopolrisk_group(&ds, &idx, m, &members, &importer, a.year).ok_or_else(|| {
        anyhow!(
            "no World Mining Data production of {} in {}",
            a.material,
            a.year
        )
    })?;
    let text = match fmt {
        TableFormat::Json => quadrant_report::geopolrisk_json(&g) + "\n",
        TableFormat::Csv => quadrant_report::geopolrisk_csv(&g),
        TableFormat::Table => quadrant_report::geopolrisk_table(&g),
    };
    emit(&text, a.output.as_deref(), table_kind(fmt), &ds.fingerprint)
}
