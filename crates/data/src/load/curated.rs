//! The curated TOML layer: blocs, agreements, financiers, projects, instruments, ownership,
//! claims and capacity figures, each refused at its line with the field named.

use super::text;
use crate::files::Files;
use crate::spec::{self, TableSpec};
use crate::DataError;
use quadrant_model::*;

#[derive(serde::Deserialize, Default)]
struct BlocsFile {
    #[serde(default)]
    bloc: Vec<Bloc>,
}
#[derive(serde::Deserialize, Default)]
struct AgreementsFile {
    #[serde(default)]
    agreement: Vec<Agreement>,
}
#[derive(serde::Deserialize, Default)]
struct FinanciersFile {
    #[serde(default)]
    financier: Vec<Financier>,
}
#[derive(serde::Deserialize, Default)]
struct ProjectsFile {
    #[serde(default)]
    project: Vec<Project>,
}
#[derive(serde::Deserialize, Default)]
struct InstrumentsFile {
    #[serde(default)]
    instrument: Vec<Instrument>,
}
#[derive(serde::Deserialize, Default)]
struct OwnershipFile {
    #[serde(default)]
    asset: Vec<Asset>,
}
#[derive(serde::Deserialize, Default)]
struct ClaimsFile {
    #[serde(default)]
    claim: Vec<Claim>,
}
/// `capacity.toml`: either array may be absent (no cited figure), and no other key may stand.
#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct CapacityFile {
    #[serde(default)]
    utilisation: Vec<Utilisation>,
    #[serde(default)]
    stocks: Vec<StockCover>,
}

/// The field a TOML error at 1-based `line` is about, as `table[id=…].key` (the checks' form),
/// when the line is a `key = value` line inside a `[[table]]` entry with an `id`; in a table
/// whose entries have no id (`capacity.toml`), `table[#n].key`, n the entry's 1-based position.
fn toml_field(s: &str, line: usize) -> Option<String> {
    let lines: Vec<&str> = s.lines().collect();
    let at = lines.get(line.checked_sub(1)?)?.trim();
    let key = at.split_once('=')?.0.trim();
    if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return None;
    }
    let head = (0..line)
        .rev()
        .find(|&i| lines[i].trim_start().starts_with("[["))?;
    let table = lines[head]
        .trim()
        .trim_start_matches("[[")
        .trim_end_matches("]]");
    let (top, sub) = match table.split_once('.') {
        Some((t, sub)) => (t, format!("{sub}.")),
        None => (table, String::new()),
    };
    let start = (0..=head)
        .rev()
        .find(|&i| lines[i].trim() == format!("[[{top}]]"))?;
    let id = lines[start + 1..]
        .iter()
        .take_while(|l| !l.trim_start().starts_with("[[") || l.contains(&format!("[[{top}.")))
        .find_map(|l| {
            let (k, v) = l.split_once('=')?;
            (k.trim() == "id").then(|| v.trim().trim_matches('"').to_string())
        });
    match id {
        Some(id) => Some(format!("{top}[id={id}].{sub}{key}")),
        None => {
            let header = format!("[[{top}]]");
            let n = lines[..=start]
                .iter()
                .filter(|l| l.trim() == header)
                .count();
            Some(format!("{top}[#{n}].{sub}{key}"))
        }
    }
}

fn toml_file<T: serde::de::DeserializeOwned + Default>(
    files: &dyn Files,
    spec: &TableSpec,
    issues: &mut Vec<Issue>,
) -> Result<T, DataError> {
    let b = files.get(spec.file)?;
    let s = text(&b, spec.file)?;
    match parse_toml(spec.file, s) {
        Ok(v) => Ok(v),
        Err(i) => {
            issues.push(*i);
            Ok(T::default())
        }
    }
}

/// Parses one curated TOML file; a syntax or schema error becomes an [`Issue`] naming the line.
fn parse_toml<T: serde::de::DeserializeOwned>(path: &str, s: &str) -> Result<T, Box<Issue>> {
    toml::from_str::<T>(s).map_err(|e| {
        let line = e
            .span()
            .map(|sp| s[..sp.start.min(s.len())].matches('\n').count() + 1);
        // The field at fault, where the line names one (`stage = "smelting"`).
        let field = line.and_then(|l| toml_field(s, l));
        Box::new(Issue {
            check: "parse",
            file: path.to_string(),
            line,
            field: field.unwrap_or_else(|| "toml".into()),
            expected: "valid TOML in the documented schema (docs/data.md)".into(),
            found: e.message().to_string(),
        })
    })
}

pub(super) fn read_curated(
    files: &dyn Files,
    ds: &mut Dataset,
    issues: &mut Vec<Issue>,
) -> Result<(), DataError> {
    ds.curated.blocs = toml_file::<BlocsFile>(files, &spec::BLOCS, issues)?.bloc;
    ds.curated.agreements =
        toml_file::<AgreementsFile>(files, &spec::AGREEMENTS, issues)?.agreement;
    ds.curated.financiers =
        toml_file::<FinanciersFile>(files, &spec::FINANCIERS, issues)?.financier;
    ds.curated.projects = toml_file::<ProjectsFile>(files, &spec::PROJECTS, issues)?.project;
    ds.curated.instruments =
        toml_file::<InstrumentsFile>(files, &spec::INSTRUMENTS, issues)?.instrument;
    ds.curated.assets = toml_file::<OwnershipFile>(files, &spec::OWNERSHIP, issues)?.asset;
    ds.curated.claims = toml_file::<ClaimsFile>(files, &spec::CLAIMS, issues)?.claim;
    let capacity = toml_file::<CapacityFile>(files, &spec::CAPACITY, issues)?;
    ds.curated.utilisation = capacity.utilisation;
    ds.curated.stocks = capacity.stocks;
    Ok(())
}

/// Parses the text of `curated/ownership.toml` alone (for property tests and fuzzing); a
/// syntax or schema error is refused as [`DataError::Invalid`] with the issue naming the line.
pub fn parse_ownership_toml(s: &str) -> Result<Vec<Asset>, DataError> {
    parse_toml::<OwnershipFile>(spec::OWNERSHIP.file, s)
        .map(|f| f.asset)
        .map_err(|i| DataError::Invalid(vec![*i]))
}
