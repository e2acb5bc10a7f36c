//! A small CSV table reader that keeps line numbers, so every error can name file, line and
//! field.

use quadrant_model::Issue;

pub struct Table {
    pub headers: Vec<String>,
    /// (1-based line, fields)
    pub rows: Vec<(usize, csv::StringRecord)>,
}

pub fn issue(file: &str, line: Option<usize>, field: &str, expected: &str, found: &str) -> Issue {
    Issue {
        check: "parse",
        file: file.to_string(),
        line,
        field: field.to_string(),
        expected: expected.to_string(),
        found: found.to_string(),
    }
}

impl Table {
    /// Parses `bytes` as CSV with a header, requiring the `required` columns.
    pub fn parse(file: &str, bytes: &[u8], required: &[&str]) -> Result<Table, Vec<Issue>> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(bytes);
        let headers: Vec<String> = match rdr.headers() {
            Ok(h) => h
                .iter()
                .map(|s| s.trim_start_matches('\u{feff}').to_string())
                .collect(),
            Err(e) => {
                return Err(vec![issue(
                    file,
                    Some(1),
                    "header",
                    "a CSV header line",
                    &e.to_string(),
                )])
            }
        };
        let missing: Vec<Issue> = required
            .iter()
            .filter(|c| !headers.iter().any(|h| h == *c))
            .map(|c| {
                issue(
                    file,
                    Some(1),
                    c,
                    &format!("a column named `{c}`"),
                    &headers.join(","),
                )
            })
            .collect();
        if !missing.is_empty() {
            return Err(missing);
        }
        let mut rows = Vec::new();
        let mut errs = Vec::new();
        let mut lines = LineCounter::new(bytes);
        for rec in rdr.records() {
            match rec {
                Ok(r) => {
                    let line = r.position().map(|p| lines.at(p.byte())).unwrap_or(0);
                    rows.push((line, r));
                }
                Err(e) => {
                    let line = e.position().map(|p| lines.at(p.byte()));
                    errs.push(issue(
                        file,
                        line,
                        "record",
                        "a well-formed CSV record",
                        &e.to_string(),
                    ));
                }
            }
        }
        if errs.is_empty() {
            Ok(Table { headers, rows })
        } else {
            Err(errs)
        }
    }

    pub fn col(&self, name: &str) -> usize {
        self.headers
            .iter()
            .position(|h| h == name)
            .expect("required column checked in parse")
    }
}

/// 1-based line numbers of records, counted from the bytes: after a CRLF the csv crate puts a
/// record's position (line and byte) on the `\n` that ends the line above, so a CRLF file's
/// references would name the line above. Records are asked in increasing order, so each byte
/// is scanned once.
struct LineCounter<'a> {
    bytes: &'a [u8],
    byte: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        LineCounter {
            bytes,
            byte: 0,
            line: 1,
        }
    }

    fn at(&mut self, byte: u64) -> usize {
        let mut to = (byte as usize).min(self.bytes.len());
        // A record never starts with a line ending: skip the one it was placed on.
        while matches!(self.bytes.get(to), Some(b'\r' | b'\n')) {
            to += 1;
        }
        if to < self.byte {
            *self = LineCounter::new(self.bytes);
        }
        self.line += memchr::memchr_iter(b'\n', &self.bytes[self.byte..to]).count();
        self.byte = to;
        self.line
    }
}

/// Typed field access that records an issue instead of failing fast, so one pass reports
/// every bad field.
pub struct Fields<'a> {
    pub file: &'a str,
    pub issues: &'a mut Vec<Issue>,
}

impl Fields<'_> {
    pub fn f64(&mut self, line: usize, field: &str, s: &str) -> Option<f64> {
        match s.trim().parse::<f64>() {
            Ok(v) => Some(v),
            Err(_) => {
                self.issues
                    .push(issue(self.file, Some(line), field, "a number", s));
                None
            }
        }
    }
    pub fn u16(&mut self, line: usize, field: &str, s: &str) -> Option<u16> {
        match s.trim().parse::<u16>() {
            Ok(v) => Some(v),
            Err(_) => {
                self.issues.push(issue(
                    self.file,
                    Some(line),
                    field,
                    "a whole number (year or code)",
                    s,
                ));
                None
            }
        }
    }
    pub fn bool(&mut self, line: usize, field: &str, s: &str) -> Option<bool> {
        match s.trim() {
            "true" | "1" => Some(true),
            "false" | "0" | "" => Some(false),
            _ => {
                self.issues
                    .push(issue(self.file, Some(line), field, "true or false", s));
                None
            }
        }
    }
    /// Records a reference in `column` that names no row of the table it points to; the
    /// wording comes from the table spec.
    pub fn bad_ref(&mut self, line: usize, column: &str, found: &str) {
        let spec = crate::spec::TableSpec::find(self.file).expect("a table of the spec");
        let expected = spec.expected_ref(column);
        self.push(line, column, &expected, found);
    }
    pub fn push(&mut self, line: usize, field: &str, expected: &str, found: &str) {
        self.issues
            .push(issue(self.file, Some(line), field, expected, found));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_numbers_are_the_same_for_lf_and_crlf_files() {
        let lf = b"a,b\n1,x\n2,y\n3,\"multi\nline\"\n4,z\n";
        let crlf = b"a,b\r\n1,x\r\n2,y\r\n3,\"multi\r\nline\"\r\n4,z\r\n";
        let lines = |bytes: &[u8]| -> Vec<usize> {
            let t = Table::parse("t.csv", bytes, &["a", "b"]).expect("parses");
            t.rows.iter().map(|(l, _)| *l).collect()
        };
        assert_eq!(lines(lf), vec![2, 3, 4, 6]);
        assert_eq!(lines(crlf), vec![2, 3, 4, 6]);
    }
}
