//! The shipped dataset: it loads, it equals what the importers produce from the raw files, and
//! bad input is refused whole with a message naming file, line, field and expectation.

use quadrant_data::{import, load_dir, load_embedded, DataError};
use std::path::{Path, PathBuf};

fn world() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/world")
}

/// The raw sources the importers read, kept in the repository (`data/raw/`, see its README).
fn raw() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/raw")
}

fn unzstd(b: &[u8]) -> Vec<u8> {
    zstd::stream::decode_all(b).unwrap()
}

/// A scratch copy of the shipped dataset that a test may corrupt.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("quadrant-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&world(), &dir);
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

fn edit(dir: &Path, file: &str, f: impl FnOnce(String) -> String) {
    let p = dir.join(file);
    let s = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, f(s)).unwrap();
}

fn refused(dir: &Path) -> Vec<String> {
    match load_dir(dir) {
        Ok(_) => panic!("corrupt dataset in {} was accepted", dir.display()),
        Err(e) => {
            let _ = std::fs::remove_dir_all(dir);
            e.issues().iter().map(|i| i.to_string()).collect()
        }
    }
}

#[test]
fn shipped_dataset_loads_and_is_complete() {
    let ds = load_embedded().expect("embedded dataset is valid");
    assert_eq!(ds.trade.len(), 1_264_888, "every BACI flow is shipped");
    assert!(ds.production.len() > 3000);
    assert!(ds.governance.len() > 30_000);
    let on_disk = load_dir(&world()).expect("data/world is valid");
    assert_eq!(
        on_disk.production, ds.production,
        "embedded copy equals data/world"
    );
    // Every production row names its source and the raw record it came from.
    for r in &ds.production {
        assert!(!ds.source_of(r.source).title.is_empty());
        assert!(r.raw_ref.contains(".csv:"), "{}", r.raw_ref);
    }
}

#[test]
fn shipped_tables_equal_what_the_importers_produce() {
    let imported = import::import(&raw(), &world()).expect("import succeeds");
    for name in import::DERIVED {
        let fresh = &imported.files[*name];
        let shipped = std::fs::read(world().join(name)).unwrap();
        let (a, b) = if name.ends_with(".zst") {
            (unzstd(fresh), unzstd(&shipped))
        } else {
            (fresh.clone(), shipped)
        };
        if a != b {
            let first = a
                .split(|&c| c == b'\n')
                .zip(b.split(|&c| c == b'\n'))
                .position(|(x, y)| x != y);
            panic!("{name} differs from the importer output (first differing line {:?}); run `quadrant data import`", first.map(|l| l + 1));
        }
    }
    // Writing it leaves no staging folder behind, and removes the one a killed import left.
    let dir = scratch("import-write");
    let stale = dir.join(".staging-4000000000");
    std::fs::create_dir_all(&stale).unwrap();
    import::write(&dir, &imported).expect("write succeeds");
    let left: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".staging-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn unknown_country_names_file_line_and_field() {
    let d = scratch("unknown-country");
    edit(&d, "production.csv", |s| {
        let mut lines: Vec<String> = s.lines().map(str::to_string).collect();
        lines[4] = lines[4]
            .replacen(",AUS,", ",XXQ,", 1)
            .replacen(",CHN,", ",XXQ,", 1)
            .replacen(",COD,", ",XXQ,", 1);
        let (a, b) = lines[4].split_at(lines[4].find(',').unwrap());
        let mut f: Vec<&str> = b[1..].split(',').collect();
        f[2] = "XXQ";
        lines[4] = format!("{a},{}", f.join(","));
        lines.join("\n") + "\n"
    });
    let issues = refused(&d);
    assert!(
        issues.iter().any(|i| i.starts_with("production.csv:5: field `country`: expected a country id from countries.csv, found \"XXQ\"")),
        "{issues:#?}"
    );
}

#[test]
fn negative_quantity_is_refused() {
    let d = scratch("negative");
    edit(&d, "production.csv", |s| {
        let mut lines: Vec<String> = s.lines().map(str::to_string).collect();
        let mut f: Vec<String> = lines[2].split(',').map(str::to_string).collect();
        f[5] = "-5".into();
        lines[2] = f.join(",");
        lines.join("\n") + "\n"
    });
    let issues = refused(&d);
    assert!(
        issues
            .iter()
            .any(|i| i.contains("production.csv:3: field `value_t`") && i.contains("non-negative")),
        "{issues:#?}"
    );
}

#[test]
fn non_number_is_refused_with_line() {
    let d = scratch("nan-text");
    edit(&d, "governance.csv", |s| s.replacen(",VA,", ",VA,abc", 1));
    let issues = refused(&d);
    assert!(
        issues.iter().any(|i| i.starts_with("governance.csv:")
            && i.contains("field `estimate`: expected a number")),
        "{issues:#?}"
    );
}

#[test]
fn duplicate_id_is_refused() {
    let d = scratch("dup");
    let mut line = 0;
    edit(&d, "materials.csv", |s| {
        line = s.lines().count() + 1;
        s + "lithium,Lithium again,t Li content,QUADRANT\n"
    });
    let issues = refused(&d);
    let want = format!("materials.csv:{line}: field `id`: expected a unique material id");
    assert!(
        issues
            .iter()
            .any(|i| i.contains(&want) && i.contains("[duplicate_id]")),
        "{issues:#?}"
    );
}

#[test]
fn owner_shares_over_100_percent_are_refused() {
    let d = scratch("shares");
    edit(&d, "curated/ownership.toml", |s| {
        s.replacen("share = ", "share = 1.5 # ", 1)
    });
    let issues = refused(&d);
    assert!(
        issues.iter().any(|i| i.contains("curated/ownership.toml:")
            && i.contains("share")
            && i.contains("[shares_over_100]")),
        "{issues:#?}"
    );
}

#[test]
fn dangling_financier_is_refused() {
    let d = scratch("dangling");
    edit(&d, "curated/projects.toml", |s| {
        s.replacen("financiers = [", "financiers = [\"NO_SUCH_BANK\", ", 1)
    });
    let issues = refused(&d);
    assert!(
        issues
            .iter()
            .any(|i| i.contains("NO_SUCH_BANK") && i.contains("[dangling_reference]")),
        "{issues:#?}"
    );
}

#[test]
fn missing_source_is_refused() {
    let d = scratch("nosource");
    edit(&d, "curated/blocs.toml", |s| {
        let i = s.find("source = \"").unwrap();
        let j = s[i..].find('\n').unwrap();
        format!("{}source = \"\"{}", &s[..i], &s[i + j..])
    });
    let issues = refused(&d);
    assert!(
        issues
            .iter()
            .any(|i| i.contains("curated/blocs.toml:") && i.contains("[missing_source]")),
        "{issues:#?}"
    );
}

#[test]
fn unknown_source_id_is_refused() {
    let d = scratch("unknown-source");
    edit(&d, "hs_map.csv", |s| {
        s.replacen("SCRREEN-HSMAP", "NOWHERE", 1)
    });
    let issues = refused(&d);
    assert!(
        issues.iter().any(|i| i
            .starts_with("hs_map.csv:2: field `source`: expected a source id from sources.csv")),
        "{issues:#?}"
    );
}

#[test]
fn broken_toml_names_the_line() {
    let d = scratch("toml");
    edit(&d, "curated/agreements.toml", |s| {
        let mut l: Vec<&str> = s.lines().collect();
        l.insert(3, "this is = = not toml");
        l.join("\n")
    });
    let issues = refused(&d);
    assert!(
        issues
            .iter()
            .any(|i| i.starts_with("curated/agreements.toml:4:")),
        "{issues:#?}"
    );
}

#[test]
fn unknown_stage_in_a_curated_file_names_line_and_field() {
    let d = scratch("stage");
    edit(&d, "curated/ownership.toml", |s| {
        s.replacen("stage = \"mining\"", "stage = \"smelting\"", 1)
    });
    let issues = refused(&d);
    assert!(
        issues.iter().any(|i| i
            .starts_with("curated/ownership.toml:14: field `asset[id=cod_tenke_fungurume].stage`")
            && i.contains("smelting")),
        "{issues:#?}"
    );
}

#[test]
fn claims_name_known_materials_and_countries() {
    let d = scratch("claims");
    edit(&d, "curated/claims.toml", |s| {
        s.replacen("material = \"cobalt\"", "material = \"unobtainium\"", 1)
            .replacen("host = \"COD\"", "host = \"ZZZ\"", 1)
    });
    let issues = refused(&d);
    for (field, check) in [
        ("material", "unknown_material"),
        ("host", "unknown_country"),
    ] {
        assert!(
            issues.iter().any(|i| i.starts_with("curated/claims.toml:")
                && i.contains(&format!("claim[id=DRC_COBALT_MINING_CONTROL].{field}`"))
                && i.contains(&format!("[{check}]"))),
            "{issues:#?}"
        );
    }
}

#[test]
fn missing_column_is_refused() {
    let d = scratch("column");
    edit(&d, "reserves.csv", |s| s.replacen("value_t", "value", 1));
    let issues = refused(&d);
    assert!(
        issues
            .iter()
            .any(|i| i
                .starts_with("reserves.csv:1: field `value_t`: expected a column named `value_t`")),
        "{issues:#?}"
    );
}

#[test]
fn corrupt_trade_row_is_refused_and_nothing_loads() {
    let d = scratch("trade");
    let p = d.join("trade.csv.zst");
    let mut text = unzstd(&std::fs::read(&p).unwrap());
    text.extend_from_slice(b"2024,USA,ZZZ,283691,1.0,-3,BACI-HS92-V202401b\n");
    std::fs::write(&p, zstd::stream::encode_all(&text[..], 1).unwrap()).unwrap();
    let issues = refused(&d);
    assert!(
        issues
            .iter()
            .any(|i| i.starts_with("trade.csv.zst:1264890: field `importer`")),
        "{issues:#?}"
    );
}

#[test]
fn missing_files_are_each_named() {
    let d = scratch("missing");
    std::fs::remove_file(d.join("materials.csv")).unwrap();
    std::fs::remove_file(d.join("curated/claims.toml")).unwrap();
    match load_dir(&d) {
        Err(DataError::Invalid(v)) => {
            let files: Vec<&str> = v.iter().map(|i| i.file.as_str()).collect();
            assert_eq!(v.len(), 2, "{v:#?}");
            assert!(files[0].ends_with("materials.csv"), "{files:?}");
            assert!(files[1].ends_with("curated/claims.toml"), "{files:?}");
            assert!(v.iter().all(|i| i.found == "no such file"), "{v:#?}");
        }
        other => panic!("expected every missing file, got {:?}", other.map(|_| ())),
    }
    let _ = std::fs::remove_dir_all(&d);
}

/// Every reference the table spec declares for a CSV table is checked by the loader, worded
/// from the spec: one bad id in the first row names file, line 2, the column and the table
/// the reference points to.
#[test]
fn every_declared_csv_reference_is_checked_with_the_spec_wording() {
    use quadrant_data::spec::{Format, TABLES};
    use quadrant_data::{embedded, load_files, MemFiles};
    let shipped: std::collections::HashMap<String, Vec<u8>> = embedded::files()
        .map(|(n, b)| (n.to_string(), b.to_vec()))
        .collect();
    let mut checked = 0;
    for t in TABLES {
        for r in t.refs {
            let text = match t.format {
                Format::Csv => shipped[t.file].clone(),
                Format::CsvZst => unzstd(&shipped[t.file]),
                Format::Toml { .. } => continue, // checked by quadrant_model::validate
            };
            // Replace the first data row's field by a bad id (the first data rows hold no
            // quoted commas before the reference columns).
            let s = String::from_utf8(text).unwrap();
            let (header, rest) = s.split_once('\n').unwrap();
            let (first, tail) = rest.split_once('\n').unwrap();
            let col = header.split(',').position(|h| h == r.column).unwrap();
            let mut fields: Vec<&str> = first.split(',').collect();
            fields[col] = "NOSUCH";
            let bad = format!("{header}\n{}\n{tail}", fields.join(","));
            let bytes = match t.format {
                Format::CsvZst => zstd::stream::encode_all(bad.as_bytes(), 1).unwrap(),
                _ => bad.into_bytes(),
            };
            let mut files = MemFiles(shipped.clone());
            files.0.insert(t.file.to_string(), bytes);
            let err = load_files(&files).expect_err("a bad reference is refused");
            let want = format!(
                "{}:2: field `{}`: expected {}, found \"NOSUCH\"",
                t.file,
                r.column,
                t.expected_ref(r.column)
            );
            assert!(
                err.issues().iter().any(|i| i.to_string().contains(&want)),
                "{want}\n{err}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 20, "{checked} references checked");
}

/// The trade table is read frame by frame in parallel when the file is several sized zstd
/// frames cut at line ends (as the importer writes it), and as one stream otherwise: both
/// give the same rows and the same issues, with the same line numbers, including for a file
/// whose frames are cut mid-line.
#[test]
fn trade_reads_the_same_from_frames_or_one_stream() {
    use quadrant_data::{embedded, load_files, spec, MemFiles};
    let shipped: std::collections::HashMap<String, Vec<u8>> = embedded::files()
        .map(|(n, b)| (n.to_string(), b.to_vec()))
        .collect();
    let csv = unzstd(&shipped[spec::TRADE.file]);
    let frames = |bytes: &[u8], size: usize| -> Vec<u8> {
        bytes
            .chunks(size)
            .flat_map(|c| zstd::bulk::compress(c, 1).unwrap())
            .collect()
    };
    let lines_cut = |bytes: &[u8]| -> Vec<u8> {
        let mut out = Vec::new();
        let mut start = 0;
        while start < bytes.len() {
            let end = (start + (3 << 20)).min(bytes.len());
            let end = if end == bytes.len() {
                end
            } else {
                start + bytes[start..end].iter().rposition(|&b| b == b'\n').unwrap() + 1
            };
            out.extend(zstd::bulk::compress(&bytes[start..end], 1).unwrap());
            start = end;
        }
        out
    };
    let load = |zst: Vec<u8>| {
        let mut files = MemFiles(shipped.clone());
        files.0.insert(spec::TRADE.file.to_string(), zst);
        load_files(&files)
    };
    let reference = load_embedded().unwrap();
    for zst in [
        zstd::stream::encode_all(&csv[..], 1).unwrap(),
        lines_cut(&csv),
        frames(&csv, 1 << 20),
    ] {
        // Bit for bit (qty_t holds NaN for missing quantities, which `==` never equals).
        let t = load(zst).unwrap().trade;
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        let r = &reference.trade;
        assert!(t.year == r.year && t.exporter == r.exporter && t.importer == r.importer);
        assert!(t.hs6 == r.hs6 && t.source == r.source);
        assert!(bits(&t.value_kusd) == bits(&r.value_kusd) && bits(&t.qty_t) == bits(&r.qty_t));
    }
    // Two bad rows, one in the first frame and one deep in the file.
    let text = String::from_utf8(csv).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines[10] = "2020,XXQ,USA,260400,1.5,2,BACI-HS92-V202401b";
    lines[1_000_000] = "2020,USA,USA,2604x0,1.5,2,BACI-HS92-V202401b";
    let bad = format!("{}\n", lines.join("\n")).into_bytes();
    let issues = |zst: Vec<u8>| -> Vec<String> {
        load(zst)
            .expect_err("refused")
            .issues()
            .iter()
            .map(|i| i.to_string())
            .collect()
    };
    let want = issues(zstd::stream::encode_all(&bad[..], 1).unwrap());
    assert!(
        want.iter()
            .any(|i| i.starts_with("trade.csv.zst:11: field `exporter`")),
        "{want:?}"
    );
    assert!(
        want.iter()
            .any(|i| i.starts_with("trade.csv.zst:1000001: field `hs6`")),
        "{want:?}"
    );
    assert_eq!(issues(lines_cut(&bad)), want);
    assert_eq!(issues(frames(&bad, 1 << 20)), want);
}

/// Issue 8: an asset 100× too large would make the brief claim almost all of the world's
/// control; it is refused against its host's production.
#[test]
fn an_asset_above_its_hosts_output_is_refused() {
    let d = scratch("asset-100x");
    edit(&d, "curated/ownership.toml", |s| {
        s.replacen("output_value = 10883", "output_value = 1088300", 1)
    });
    let issues = refused(&d);
    assert!(
        issues.iter().any(|i| i.contains("].output_value")
            && i.contains("at most the host's")
            && i.contains("found \"1088300\"")
            && i.contains("[asset_above_host]")),
        "{issues:#?}"
    );
}

#[test]
fn duplicate_governance_rows_are_refused() {
    let d = scratch("gov-dup");
    edit(&d, "governance.csv", |s| {
        s + "AFG,1996,CC,-1.29170477390289,WGI-2023\n"
    });
    let issues = refused(&d);
    assert!(
        issues.iter().any(|i| i.contains("governance.csv:")
            && i.contains("AFG 1996 CC")
            && i.contains("[duplicate_governance]")),
        "{issues:#?}"
    );
}

#[test]
fn duplicate_or_empty_bloc_members_are_refused() {
    let d = scratch("bloc-dup");
    edit(&d, "curated/blocs.toml", |s| {
        s.replacen("members = [", "members = [\"USA\", ", 1)
            + "\n[[bloc]]\nid = \"EMPTY\"\nname = \"No one\"\nmembers = []\nsource = \"test\"\n"
    });
    let issues = refused(&d);
    assert!(
        issues.iter().any(|i| i.contains("bloc[id=QUAD].members")
            && i.contains("each member once")
            && i.contains("\"USA\"")),
        "{issues:#?}"
    );
    assert!(
        issues
            .iter()
            .any(|i| i.contains("bloc[id=EMPTY].members") && i.contains("at least one member")),
        "{issues:#?}"
    );
}

/// Issue 8: a CSV cut inside its last value still has every field; the missing final line
/// break gives it away.
#[test]
fn a_csv_cut_off_inside_its_last_value_is_refused() {
    let d = scratch("cut");
    edit(&d, "production.csv", |s| s[..s.len() - 4].to_string());
    let issues = refused(&d);
    assert!(
        issues
            .iter()
            .any(|i| i.starts_with("production.csv:") && i.contains("may be cut off")),
        "{issues:#?}"
    );
}
