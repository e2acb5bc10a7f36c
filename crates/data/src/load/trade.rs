//! The trade table: 1.26 M rows read from sized zstd frames on every core, with a flat
//! country lookup and a fast, exact number parser.

use super::s;
use crate::spec;
use crate::table::issue;
use crate::DataError;
use quadrant_model::*;
use std::io::Read;

/// The trade table is 1.26 M rows (63 MB once decompressed; zstd, because it decompresses
/// several times faster than gzip and `zstdcat` reads it as easily). The importer writes it as
/// sized frames cut at line ends, which every thread decompresses and parses on its own
/// ([`read_frames`]); any other zstd file is decompressed as one stream whose blocks go to
/// parser threads ([`read_stream`]). A flat country lookup replaces hashing. Pieces are parsed
/// independently and concatenated in order, so the result does not depend on the number of
/// threads or on the path.
pub(super) fn read_trade(
    gz: &[u8],
    ds: &Dataset,
    issues: &mut Vec<Issue>,
) -> Result<TradeTable, DataError> {
    const FILE: &str = spec::TRADE.file;
    let lookup = CountryLookup::new(ds);
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    let (header, parts) = match read_frames(gz, ds, &lookup, threads) {
        Some(r) => r,
        None => read_stream(gz, ds, &lookup, threads).map_err(|message| DataError::Io {
            file: FILE.into(),
            message,
        })?,
    };
    let expected_header = spec::TRADE.columns.join(",");
    if header != expected_header.as_bytes() {
        issues.push(issue(
            FILE,
            Some(1),
            "header",
            &expected_header,
            &String::from_utf8_lossy(&header),
        ));
        return Ok(TradeTable::default());
    }
    let n: usize = parts.iter().map(|p| p.1.len()).sum();
    let mut t = TradeTable::default();
    t.year.reserve(n);
    t.exporter.reserve(n);
    t.importer.reserve(n);
    t.hs6.reserve(n);
    t.value_kusd.reserve(n);
    t.qty_t.reserve(n);
    t.source.reserve(n);
    // Line numbers: each block counted its own lines; shift them by the lines before it.
    let mut line0 = 2;
    for (_, part, mut iss, lines) in parts {
        for i in &mut iss {
            i.line = i.line.map(|l| l + line0);
        }
        issues.append(&mut iss);
        line0 += lines;
        t.year.extend_from_slice(&part.year);
        t.exporter.extend_from_slice(&part.exporter);
        t.importer.extend_from_slice(&part.importer);
        t.hs6.extend_from_slice(&part.hs6);
        t.value_kusd.extend_from_slice(&part.value_kusd);
        t.qty_t.extend_from_slice(&part.qty_t);
        t.source.extend_from_slice(&part.source);
    }
    Ok(t)
}

/// One parsed piece of the trade table: (sequence number, rows, issues with lines relative to
/// the piece, number of lines in the piece).
type Part = (usize, TradeTable, Vec<Issue>, usize);

/// The fast path, for a file of several zstd frames that each state their size and end at a
/// line end, as the importer writes it (`import::zstd_frames`): every thread takes the next
/// frame, decompresses it in one call straight into its buffer and parses it, so that both
/// decompression and parsing use every core. Parts are ordered by frame, so the result does
/// not depend on the number of threads. Returns `None` for any other file (one frame, a frame
/// without its size, a frame cut mid-line, a damaged frame): the streaming path reads those and
/// words their errors.
fn read_frames(
    zst: &[u8],
    ds: &Dataset,
    lookup: &CountryLookup,
    threads: usize,
) -> Option<(Vec<u8>, Vec<Part>)> {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let mut frames: Vec<(&[u8], usize)> = Vec::new();
    let mut rest = zst;
    while !rest.is_empty() {
        let n = zstd::zstd_safe::find_frame_compressed_size(rest).ok()?;
        let size = zstd::zstd_safe::get_frame_content_size(rest).ok()??;
        frames.push((&rest[..n], usize::try_from(size).ok()?));
        rest = &rest[n..];
    }
    if frames.len() < 2 {
        return None;
    }
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let header = std::sync::Mutex::new(Vec::new());
    let mut parts: Vec<Part> = std::thread::scope(|sc| {
        let workers: Vec<_> = (0..threads.min(frames.len()))
            .map(|_| {
                sc.spawn(|| {
                    let mut done: Vec<Part> = Vec::new();
                    let mut dec = zstd::bulk::Decompressor::new().ok()?;
                    let mut buf: Vec<u8> = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= frames.len() || failed.load(Ordering::Relaxed) {
                            break;
                        }
                        let (frame, size) = frames[i];
                        buf.clear();
                        buf.reserve(size);
                        let ok = dec.decompress_to_buffer(frame, &mut buf).ok() == Some(size)
                            && (i + 1 == frames.len() || buf.ends_with(b"\n"));
                        if !ok {
                            failed.store(true, Ordering::Relaxed);
                            return None;
                        }
                        let mut chunk = &buf[..];
                        if i == 0 {
                            let p = memchr::memchr(b'\n', chunk).or_else(|| {
                                failed.store(true, Ordering::Relaxed);
                                None
                            })?;
                            *header.lock().expect("trade header") = chunk[..p].to_vec();
                            chunk = &chunk[p + 1..];
                        }
                        let (t, iss, lines) = parse_trade_chunk(chunk, ds, lookup);
                        done.push((i, t, iss, lines));
                    }
                    Some(done)
                })
            })
            .collect();
        let mut parts = Vec::new();
        for w in workers {
            parts.extend(w.join().expect("trade parser thread")?);
        }
        Some(parts)
    })?;
    if failed.load(Ordering::Relaxed) {
        return None;
    }
    parts.sort_by_key(|p| p.0);
    Some((header.into_inner().expect("trade header"), parts))
}

/// The general path, for any zstd file: this thread decompresses as a stream and deals out
/// blocks cut at line ends to parser threads, so that parsing overlaps decompression.
fn read_stream(
    gz: &[u8],
    ds: &Dataset,
    lookup: &CountryLookup,
    threads: usize,
) -> Result<(Vec<u8>, Vec<Part>), String> {
    use std::sync::{mpsc, Mutex};
    const BLOCK: usize = 4 << 20;
    let (tx, rx) = mpsc::sync_channel::<(usize, Vec<u8>)>(threads * 2);
    let rx = Mutex::new(rx);
    let (header, parts, read_err): (Vec<u8>, Vec<Part>, Option<String>) =
        std::thread::scope(|sc| {
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    sc.spawn(|| {
                        let mut done: Vec<Part> = Vec::new();
                        loop {
                            let next = rx.lock().expect("trade block queue").recv();
                            let Ok((seq, block)) = next else { break };
                            let (t, iss, lines) = parse_trade_chunk(&block, ds, lookup);
                            done.push((seq, t, iss, lines));
                        }
                        done
                    })
                })
                .collect();
            // This thread decompresses and deals out blocks; the header stays here.
            let mut dec = match zstd::stream::read::Decoder::with_buffer(gz) {
                Ok(d) => d,
                Err(e) => {
                    drop(tx);
                    for w in workers {
                        let _ = w.join();
                    }
                    return (
                        Vec::new(),
                        Vec::new(),
                        Some(format!("not a zstd file: {e}")),
                    );
                }
            };
            let mut header = Vec::new();
            let mut carry: Vec<u8> = Vec::new();
            let mut buf = vec![0u8; BLOCK];
            let mut seq = 0;
            let mut err = None;
            loop {
                let n = match dec.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => n,
                    Err(e) => {
                        err = Some(format!("not a zstd file: {e}"));
                        break;
                    }
                };
                carry.extend_from_slice(&buf[..n]);
                if header.is_empty() {
                    match carry.iter().position(|&b| b == b'\n') {
                        Some(p) => {
                            header = carry[..p].to_vec();
                            carry.drain(..=p);
                        }
                        None => continue,
                    }
                }
                if carry.len() >= BLOCK {
                    if let Some(p) = carry.iter().rposition(|&b| b == b'\n') {
                        let rest = carry.split_off(p + 1);
                        let _ = tx.send((seq, std::mem::replace(&mut carry, rest)));
                        seq += 1;
                    }
                }
            }
            if header.is_empty() && err.is_none() {
                header = std::mem::take(&mut carry);
            }
            if !carry.is_empty() {
                let _ = tx.send((seq, carry));
            }
            drop(tx);
            let mut parts: Vec<Part> = workers
                .into_iter()
                .flat_map(|w| w.join().expect("trade parser thread"))
                .collect();
            parts.sort_by_key(|p| p.0);
            (header, parts, err)
        });
    match read_err {
        Some(message) => Err(message),
        None => Ok((header, parts)),
    }
}

/// Country ids of three capital letters map through a flat table (26³ slots) instead of a
/// hash map: the trade parser looks up 2.5 M of them.
struct CountryLookup {
    table: Vec<u16>,
}

impl CountryLookup {
    const NONE: u16 = u16::MAX;
    fn key(b: &[u8]) -> Option<usize> {
        match b {
            [a, b, c]
                if a.is_ascii_uppercase() && b.is_ascii_uppercase() && c.is_ascii_uppercase() =>
            {
                Some(((a - b'A') as usize * 26 + (b - b'A') as usize) * 26 + (c - b'A') as usize)
            }
            _ => None,
        }
    }
    fn new(ds: &Dataset) -> CountryLookup {
        let mut table = vec![Self::NONE; 26 * 26 * 26];
        for (i, c) in ds.countries.iter().enumerate() {
            if let Some(k) = Self::key(c.id.as_bytes()) {
                table[k] = i as CountryIx;
            }
        }
        CountryLookup { table }
    }
    fn get(&self, b: &[u8]) -> Option<CountryIx> {
        Self::key(b)
            .map(|k| self.table[k])
            .filter(|&v| v != Self::NONE)
    }
}

/// `s.parse::<f64>()`, with a shortcut for the plain decimals the trade table holds
/// (`5713.892`, `84951`): at most 19 bytes of digits and one point, a mantissa below 2⁵³.
/// Then mantissa and 10^decimals are both exact doubles and one IEEE division rounds
/// correctly, so the result is the correctly rounded value `str::parse` returns (Clinger's fast
/// path); everything else goes to `str::parse`.
pub(crate) fn parse_f64(s: &str) -> Result<f64, std::num::ParseFloatError> {
    const POW10: [f64; 19] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18,
    ];
    let b = s.as_bytes();
    // At most 19 bytes: at most 19 digits, so the mantissa fits in a u64.
    if b.is_empty() || b.len() > 19 {
        return s.parse();
    }
    let (mut m, mut i) = (0u64, 0);
    while let Some(d) = b.get(i).map(|c| c.wrapping_sub(b'0')).filter(|d| *d <= 9) {
        m = m * 10 + u64::from(d);
        i += 1;
    }
    let mut frac = 0;
    if i < b.len() {
        // Digits, a point, digits: anything else (sign, exponent, "1.", ".5") is left to std.
        if b[i] != b'.' || i == 0 || i + 1 == b.len() {
            return s.parse();
        }
        for &c in &b[i + 1..] {
            let d = c.wrapping_sub(b'0');
            if d > 9 {
                return s.parse();
            }
            m = m * 10 + u64::from(d);
        }
        frac = b.len() - i - 1;
    }
    if m >= 1 << 53 {
        return s.parse();
    }
    Ok(m as f64 / POW10[frac])
}

/// The text of field `b`, a sub-slice of `chunk`: sliced from `text` (the chunk, checked as
/// UTF-8 once) at the same offset, or checked alone when the chunk is not UTF-8.
fn field<'a>(text: Option<&'a str>, chunk: &'a [u8], b: &'a [u8]) -> &'a str {
    match text {
        Some(t) => {
            let a = b.as_ptr() as usize - chunk.as_ptr() as usize;
            &t[a..a + b.len()]
        }
        None => s(b),
    }
}

/// The positions of every `,` and `\n` in a byte string, in order, found eight bytes at a
/// time (SWAR: each word is compared with both bytes at once, the matches read off a bit mask),
/// which beats a SIMD search restarted at every match when matches are a few bytes apart.
struct Separators<'a> {
    bytes: &'a [u8],
    /// Offset of the word `mask` describes.
    base: usize,
    /// High bit of each byte of that word that is a separator and not yet returned.
    mask: u64,
}

impl<'a> Separators<'a> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;

    fn new(bytes: &'a [u8]) -> Self {
        let mut s = Separators {
            bytes,
            base: 0,
            mask: 0,
        };
        s.mask = s.word_mask(0);
        s
    }

    /// High bit set in each byte of `x` that is zero, exactly (no borrow between bytes).
    fn zero_bytes(x: u64) -> u64 {
        !(((x & Self::LOW7) + Self::LOW7) | x | Self::LOW7)
    }

    fn word_mask(&self, at: usize) -> u64 {
        let x = match self.bytes.get(at..at + 8) {
            Some(w) => u64::from_le_bytes(w.try_into().expect("eight bytes")),
            None => {
                // The last, short word, padded with zero bytes (which match neither).
                let mut w = [0u8; 8];
                let tail = &self.bytes[at.min(self.bytes.len())..];
                w[..tail.len()].copy_from_slice(tail);
                u64::from_le_bytes(w)
            }
        };
        Self::zero_bytes(x ^ (Self::ONES * u64::from(b',')))
            | Self::zero_bytes(x ^ (Self::ONES * u64::from(b'\n')))
    }
}

impl Iterator for Separators<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        while self.mask == 0 {
            self.base += 8;
            if self.base >= self.bytes.len() {
                return None;
            }
            self.mask = self.word_mask(self.base);
        }
        let at = self.base + (self.mask.trailing_zeros() / 8) as usize;
        self.mask &= self.mask - 1;
        Some(at)
    }
}

/// Parses one chunk; issue lines are relative to the chunk (0-based) until the caller shifts
/// them. Returns the rows, the issues and the number of lines in the chunk.
fn parse_trade_chunk(
    chunk: &[u8],
    ds: &Dataset,
    countries: &CountryLookup,
) -> (TradeTable, Vec<Issue>, usize) {
    const FILE: &str = spec::TRADE.file;
    let names = spec::TRADE.columns;
    let mut t = TradeTable::default();
    let est = chunk.len() / 48;
    t.year.reserve(est);
    t.exporter.reserve(est);
    t.importer.reserve(est);
    t.hs6.reserve(est);
    t.value_kusd.reserve(est);
    t.qty_t.reserve(est);
    t.source.reserve(est);
    let mut issues = Vec::new();
    let mut last_src: (&[u8], SourceIx) = (b"", 0);
    // One UTF-8 check for the whole chunk instead of one per field (a field cut at ASCII commas
    // of valid UTF-8 is valid UTF-8); a chunk that is not UTF-8 falls back to field checks,
    // where a bad field reads as "" and is reported as the parse error it causes.
    let text = std::str::from_utf8(chunk).ok();
    // One scan finds every comma and line end of the chunk, eight bytes at a time
    // ([`Separators`]): a byte-at-a-time split was twice the cost of memchr, and memchr paid a
    // set-up per field of these short lines. A last line without '\n' ends at the end of the
    // chunk.
    let tail = (!chunk.is_empty() && !chunk.ends_with(b"\n")).then_some(chunk.len());
    let mut fld: [&[u8]; 7] = [b""; 7];
    let mut n = 0;
    let (mut f0, mut start, mut k) = (0, 0, 0);
    for c in Separators::new(chunk).chain(tail) {
        if n < 7 {
            fld[n] = &chunk[f0..c];
        }
        n += 1;
        f0 = c + 1;
        if c < chunk.len() && chunk[c] == b',' {
            continue;
        }
        // A line ends at `c`.
        let line = &chunk[start..c];
        let fields = std::mem::replace(&mut n, 0);
        start = c + 1;
        k += 1;
        let k = k - 1;
        if line.is_empty() {
            continue;
        }
        if fields != 7 {
            issues.push(issue(
                FILE,
                Some(k),
                "record",
                "7 comma-separated fields",
                &String::from_utf8_lossy(line),
            ));
            continue;
        }
        let year = field(text, chunk, fld[0]).parse::<u16>();
        let ex = countries.get(fld[1]);
        let im = countries.get(fld[2]);
        let hs = field(text, chunk, fld[3]).parse::<u32>();
        let v = parse_f64(field(text, chunk, fld[4]));
        let q = if fld[5].is_empty() {
            Ok(f64::NAN)
        } else {
            parse_f64(field(text, chunk, fld[5]))
        };
        let src = if fld[6] == last_src.0 {
            Some(last_src.1)
        } else {
            ds.source(field(text, chunk, fld[6]))
                .inspect(|&ix| last_src = (fld[6], ix))
        };
        match (year, ex, im, hs, v, q, src) {
            (Ok(y), Some(e), Some(i), Ok(h), Ok(v), Ok(q), Some(src)) => {
                t.year.push(y);
                t.exporter.push(e);
                t.importer.push(i);
                t.hs6.push(h);
                t.value_kusd.push(v);
                t.qty_t.push(q);
                t.source.push(src);
            }
            (y, e, i, h, v, q, src) => {
                let oks = [
                    y.is_ok(),
                    e.is_some(),
                    i.is_some(),
                    h.is_ok(),
                    v.is_ok(),
                    q.is_ok(),
                    src.is_some(),
                ];
                let exp = [
                    "a year",
                    "",
                    "",
                    "a six-digit HS code",
                    "a number",
                    "a number or empty",
                    "",
                ];
                for j in 0..7 {
                    if !oks[j] {
                        // Reference columns take their wording from the table spec.
                        let e = match exp[j] {
                            "" => spec::TRADE.expected_ref(names[j]),
                            e => e.to_string(),
                        };
                        issues.push(issue(FILE, Some(k), names[j], &e, s(fld[j])));
                    }
                }
            }
        }
    }
    // A chunk ends with '\n', so split() yields one empty tail that is not a line.
    let total_lines = memchr::memchr_iter(b'\n', chunk).count()
        + usize::from(!chunk.ends_with(b"\n") && !chunk.is_empty());
    (t, issues, total_lines)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]
        /// The shortcut returns exactly what `str::parse` returns, bit for bit.
        #[test]
        fn parse_f64_equals_str_parse(s in "[0-9]{0,20}(\\.[0-9]{0,24})?|[-+.eE0-9a-z]{0,12}") {
            let got = super::parse_f64(&s).map(f64::to_bits).ok();
            let want = s.parse::<f64>().map(f64::to_bits).ok();
            prop_assert_eq!(got, want, "{}", s);
        }
    }

    /// Every number of the shipped trade table parses to the same bits both ways.
    #[test]
    fn parse_f64_equals_str_parse_on_the_shipped_trade_table() {
        let csv = zstd::stream::decode_all(crate::spec::TRADE.shipped()).unwrap();
        let text = std::str::from_utf8(&csv).unwrap();
        for line in text.lines().skip(1) {
            for f in line.split(',').skip(4).take(2).filter(|f| !f.is_empty()) {
                let got = super::parse_f64(f).map(f64::to_bits).ok();
                assert_eq!(got, f.parse::<f64>().map(f64::to_bits).ok(), "{f}");
            }
        }
    }

    proptest! {
        /// The eight-bytes-at-a-time scan finds exactly the commas and line ends.
        #[test]
        fn separators_find_every_comma_and_line_end(b in proptest::collection::vec(prop_oneof![Just(b','), Just(b'\n'), any::<u8>()], 0..100)) {
            let got: Vec<usize> = super::Separators::new(&b).collect();
            let want: Vec<usize> = (0..b.len()).filter(|&i| b[i] == b',' || b[i] == b'\n').collect();
            prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn parse_f64_edge_cases() {
        for s in [
            "0",
            "00",
            "0.0",
            "1.",
            ".5",
            "5713.892",
            "9007199254740991",
            "9007199254740992",
            "9007199254740993",
            "0.1",
            "0.30000000000000004",
            "123456789012345678",
            "1234567890123456789",
            "12345678901234567890",
            "1.0000000000000000000001",
            "0.0000000000000000000001",
            "0.00000000000000000000001",
            "",
            ".",
            "1..2",
            "-1",
        ] {
            let got = super::parse_f64(s).map(f64::to_bits).ok();
            let want = s.parse::<f64>().map(f64::to_bits).ok();
            assert_eq!(got, want, "{s}");
        }
    }
}
