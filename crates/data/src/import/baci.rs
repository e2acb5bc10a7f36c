//! CEPII BACI HS92 bilateral trade, and BACI's numeric country codes.

use super::ctx::Ctx;
use super::{read, tab};
use crate::table::issue;
use crate::DataError;
use quadrant_model::sources;
use std::collections::HashMap;
use std::path::Path;

const BACI_FILE: &str = "wmd_baci/baci_hs92_v202401b_minerals_1995_2024.csv.gz";
const BACI_CODES: &str = "wmd_baci/baci_country_codes_V202401b.csv";

/// BACI numeric country code → country id, from BACI's own code list (numeric codes are unique
/// there; several codes may share an ISO3).
pub(crate) fn baci_codes(raw: &Path) -> Result<HashMap<String, String>, DataError> {
    let codes = tab(raw, BACI_CODES, &["country_code", "country_iso3"])?;
    let mut num = HashMap::new();
    for (_, r) in &codes.rows {
        let iso = match &r[codes.col("country_iso3")] {
            "S19" => "TWN", // BACI's "Other Asia, nes" is Taiwan
            "ZA1" => "ZAF", // Southern African Customs Union before 1999, reported by South Africa
            "R20" => "XEF", // "Europe EFTA, nes": a residual, not Kosovo
            x => x,
        };
        num.insert(r[codes.col("country_code")].to_string(), iso.to_string());
    }
    Ok(num)
}

pub(crate) fn trade(raw: &Path, ctx: &Ctx, report: &mut Vec<String>) -> Result<Vec<u8>, DataError> {
    let num = baci_codes(raw)?;
    let bytes = read(raw, BACI_FILE)?;
    let mut out = Vec::with_capacity(bytes.len() * 13 / 10);
    out.extend_from_slice(b"year,exporter,importer,hs6,value_kusd,qty_t,source\n");
    let mut issues = Vec::new();
    let mut n = 0usize;
    for (k, line) in bytes.split(|&b| b == b'\n').enumerate().skip(1) {
        if line.is_empty() {
            continue;
        }
        let f: Vec<&str> = std::str::from_utf8(line).unwrap_or("").split(',').collect();
        if f.len() != 6 {
            issues.push(issue(
                BACI_FILE,
                Some(k + 1),
                "record",
                "t,i,j,k,v,q",
                &String::from_utf8_lossy(line),
            ));
            continue;
        }
        let (Some(e), Some(i)) = (num.get(f[1]), num.get(f[2])) else {
            issues.push(issue(
                BACI_FILE,
                Some(k + 1),
                "i/j",
                "a code from baci_country_codes",
                &format!("{}/{}", f[1], f[2]),
            ));
            continue;
        };
        for c in [e, i] {
            if !ctx.countries.contains(c) {
                issues.push(issue(
                    BACI_FILE,
                    Some(k + 1),
                    "i/j",
                    "a country in countries.csv",
                    c,
                ));
            }
        }
        let q = f[5].trim();
        let q = if q.eq_ignore_ascii_case("na") || q.eq_ignore_ascii_case("nan") {
            ""
        } else {
            q
        };
        out.extend_from_slice(
            format!(
                "{},{},{},{},{},{},{}\n",
                f[0],
                e,
                i,
                f[3],
                f[4].trim(),
                q,
                sources::BACI
            )
            .as_bytes(),
        );
        n += 1;
    }
    if !issues.is_empty() {
        return Err(DataError::Invalid(issues));
    }
    report.push(format!("BACI: {n} flows"));
    super::zstd_frames(&out, 12).map_err(|e| DataError::Io {
        file: "trade.csv.zst".into(),
        message: e.to_string(),
    })
}
