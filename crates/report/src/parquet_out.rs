//! Parquet output for tables of figures (simulation KPIs, Monte Carlo runs), for analysts who
//! load results into pandas, polars, DuckDB or Spark.

use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use std::io::Write;
use std::sync::Arc;

/// One column of a table.
pub enum Column {
    /// UTF-8 strings.
    Text(Vec<String>),
    /// Doubles.
    F64(Vec<f64>),
    /// 64-bit integers.
    I64(Vec<i64>),
}

impl Column {
    fn len(&self) -> usize {
        match self {
            Column::Text(v) => v.len(),
            Column::F64(v) => v.len(),
            Column::I64(v) => v.len(),
        }
    }
}

/// Why a Parquet file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ParquetError {
    /// The columns handed to [`write`] differ in length.
    #[error("column {0} has a different length")]
    Ragged(String),
    /// The Parquet writer failed.
    #[error(transparent)]
    Parquet(#[from] parquet::errors::ParquetError),
}

/// Writes `columns` (equal lengths) as one zstd-compressed row group into `out`, with `meta`
/// as the file's key-value metadata (what the table is of: scenario, seed, runs, tool).
pub fn write<W: Write + Send>(
    out: W,
    columns: &[(&str, Column)],
    meta: &[(&str, String)],
) -> Result<(), ParquetError> {
    let n = columns.first().map_or(0, |c| c.1.len());
    if let Some((name, _)) = columns.iter().find(|c| c.1.len() != n) {
        return Err(ParquetError::Ragged(name.to_string()));
    }
    let fields: Vec<String> = columns
        .iter()
        .map(|(name, c)| match c {
            Column::Text(_) => format!("REQUIRED BYTE_ARRAY {name} (UTF8);"),
            Column::F64(_) => format!("REQUIRED DOUBLE {name};"),
            Column::I64(_) => format!("REQUIRED INT64 {name};"),
        })
        .collect();
    let schema = parse_message_type(&format!("message quadrant {{ {} }}", fields.join(" ")))?;
    let props = WriterProperties::builder()
        .set_compression(parquet::basic::Compression::ZSTD(Default::default()))
        .set_created_by(format!("quadrant {}", env!("CARGO_PKG_VERSION")))
        .set_key_value_metadata(Some(
            meta.iter()
                .map(|(k, v)| KeyValue::new(k.to_string(), v.clone()))
                .collect(),
        ))
        .build();
    let mut w = SerializedFileWriter::new(out, Arc::new(schema), Arc::new(props))?;
    let mut rg = w.next_row_group()?;
    let mut k = 0;
    while let Some(mut col) = rg.next_column()? {
        match &columns[k].1 {
            Column::Text(v) => {
                let b: Vec<ByteArray> = v.iter().map(|s| ByteArray::from(s.as_str())).collect();
                col.typed::<ByteArrayType>().write_batch(&b, None, None)?;
            }
            Column::F64(v) => {
                col.typed::<DoubleType>().write_batch(v, None, None)?;
            }
            Column::I64(v) => {
                col.typed::<Int64Type>().write_batch(v, None, None)?;
            }
        }
        col.close()?;
        k += 1;
    }
    rg.close()?;
    w.close()?;
    Ok(())
}

/// Simulation KPIs: one row per (material, subject).
pub fn sim_kpis<W: Write + Send>(
    out: W,
    r: &quadrant_sim::SimResult,
    provenance: &[(&str, String)],
) -> Result<(), ParquetError> {
    let (mut mat, mut subj, mut dem, mut short, mut share, mut rat, mut weeks) =
        (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
    let (mut peak, mut mean) = (vec![], vec![]);
    for m in &r.materials {
        for x in std::iter::once(&m.bloc)
            .chain(m.members.iter())
            .chain(std::iter::once(&m.world))
        {
            mat.push(m.material.clone());
            subj.push(x.subject.clone());
            dem.push(x.desired_demand_t);
            short.push(x.shortfall_t);
            share.push(x.shortfall_share);
            rat.push(x.rationed_t);
            weeks.push(x.short_weeks as i64);
            peak.push(x.peak_price_paid);
            mean.push(x.mean_price_paid);
        }
    }
    write(
        out,
        &[
            (
                "scenario",
                Column::Text(vec![r.scenario.clone(); mat.len()]),
            ),
            ("material", Column::Text(mat)),
            ("subject", Column::Text(subj)),
            ("desired_demand_t", Column::F64(dem)),
            ("shortfall_t", Column::F64(short)),
            ("shortfall_share", Column::F64(share)),
            ("rationed_t", Column::F64(rat)),
            ("short_weeks", Column::I64(weeks)),
            ("peak_price_paid", Column::F64(peak)),
            ("mean_price_paid", Column::F64(mean)),
        ],
        &[
            &[("scenario", r.scenario.clone()), ("bloc", r.bloc.clone())][..],
            provenance,
        ]
        .concat(),
    )
}

/// Monte Carlo: one row per (run, material, subject), so that any statistic can be recomputed.
pub fn mc_runs<W: Write + Send>(
    out: W,
    r: &quadrant_sim::montecarlo::McResult,
    (materials, subjects, sampled): (&[String], &[String], &[Vec<(String, f64)>]),
    provenance: &[(&str, String)],
) -> Result<(), ParquetError> {
    let (mut run, mut mat, mut subj, mut short, mut peak) =
        (vec![], vec![], vec![], vec![], vec![]);
    // One column per event field a run drew, the run's value on each of its rows.
    let names: Vec<String> = sampled
        .first()
        .map(|s| s.iter().map(|(n, _)| n.clone()).collect())
        .unwrap_or_default();
    let mut drawn: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
    for (o, draws) in r.outcomes.iter().zip(sampled) {
        for (mi, row) in o.shortfall.iter().enumerate() {
            for (si, v) in row.iter().enumerate() {
                run.push(o.run as i64);
                mat.push(materials[mi].clone());
                subj.push(subjects[si].clone());
                short.push(*v);
                peak.push(o.peak_price[mi]);
                for (c, (_, x)) in drawn.iter_mut().zip(draws) {
                    c.push(*x);
                }
            }
        }
    }
    // On every row, so that a partial file (fewer distinct runs) says so in any reader.
    let requested = vec![r.runs_requested as i64; run.len()];
    let mut columns = vec![
        ("run", Column::I64(run)),
        ("material", Column::Text(mat)),
        ("subject", Column::Text(subj)),
        ("shortfall_share", Column::F64(short)),
        ("peak_price_vs_baseline", Column::F64(peak)),
        ("runs_requested", Column::I64(requested)),
    ];
    columns.extend(
        names
            .iter()
            .map(String::as_str)
            .zip(drawn.into_iter().map(Column::F64)),
    );
    write(
        out,
        &columns,
        &[
            &[
                ("scenario", r.scenario.clone()),
                ("seed", r.seed.to_string()),
                ("runs_requested", r.runs_requested.to_string()),
                ("runs_done", r.runs_done.to_string()),
                ("interrupted", r.interrupted.to_string()),
            ][..],
            provenance,
        ]
        .concat(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::RowAccessor;

    #[test]
    fn a_written_table_reads_back() {
        let path = std::env::temp_dir().join(format!("quadrant-pq-{}.parquet", std::process::id()));
        write(
            std::fs::File::create(&path).unwrap(),
            &[
                ("subject", Column::Text(vec!["USA".into(), "JPN".into()])),
                ("share", Column::F64(vec![0.25, 0.5])),
                ("weeks", Column::I64(vec![3, 7])),
            ],
            &[("scenario", "test".into())],
        )
        .unwrap();
        let r = SerializedFileReader::new(std::fs::File::open(&path).unwrap()).unwrap();
        assert_eq!(r.metadata().file_metadata().num_rows(), 2);
        let kv = r.metadata().file_metadata().key_value_metadata().unwrap();
        assert_eq!(kv[0].key, "scenario");
        assert_eq!(kv[0].value.as_deref(), Some("test"));
        let rows: Vec<_> = r.get_row_iter(None).unwrap().map(|x| x.unwrap()).collect();
        assert_eq!(rows[1].get_string(0).unwrap(), "JPN");
        assert_eq!(rows[1].get_double(1).unwrap(), 0.5);
        assert_eq!(rows[0].get_long(2).unwrap(), 3);
        let _ = std::fs::remove_file(&path);
        assert!(write(
            Vec::new(),
            &[("a", Column::F64(vec![1.0])), ("b", Column::I64(vec![]))],
            &[]
        )
        .is_err());
    }
}
