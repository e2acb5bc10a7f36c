//! Ids as people type them: matched exactly, else without regard to case, else refused with
//! the nearest known id ("did you mean"); and a country's ISO 3166-1 numeric code where the
//! dataset's numeric code (BACI's) differs from it.

/// BACI codes a country under a wider customs territory than its own ISO 3166-1 numeric code
/// (BACI's `country_codes`): (BACI code, ISO numeric).
const BACI_TO_ISO: [(u16, u16); 6] = [
    (251, 250), // France, with Monaco
    (490, 158), // "Other Asia, nes": Taiwan
    (579, 578), // Norway, with Svalbard and Jan Mayen
    (699, 356), // India
    (757, 756), // Switzerland, with Liechtenstein
    (842, 840), // United States, with Puerto Rico and the US Virgin Islands
];

impl crate::Country {
    /// The ISO 3166-1 numeric code, by which maps (Natural Earth, world-atlas) know the
    /// country: `m49`, except where BACI's code differs; none for aggregates.
    pub fn iso_numeric(&self) -> Option<u16> {
        let m = self.m49.filter(|_| !self.aggregate)?;
        Some(
            BACI_TO_ISO
                .iter()
                .find(|(baci, _)| *baci == m)
                .map_or(m, |(_, iso)| *iso),
        )
    }
}

/// Why an id was not found: the nearest known id, if one is close.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} {given:?}{}", hint(.nearest))]
pub struct UnknownId {
    /// What was looked for (`material`, `country`, `bloc` …).
    pub kind: &'static str,
    /// As typed.
    pub given: String,
    /// The closest known id, when it is close enough to be a likely typo.
    pub nearest: Option<String>,
}

fn hint(nearest: &Option<String>) -> String {
    nearest
        .as_ref()
        .map_or_else(String::new, |n| format!("; did you mean {n:?}?"))
}

/// The known id `given` stands for: itself, or the one id equal to it ignoring case.
pub fn lookup<'a>(
    kind: &'static str,
    given: &str,
    known: impl IntoIterator<Item = &'a str> + Clone,
) -> Result<&'a str, UnknownId> {
    if let Some(k) = known.clone().into_iter().find(|k| *k == given) {
        return Ok(k);
    }
    let folded: Vec<&str> = known
        .clone()
        .into_iter()
        .filter(|k| k.eq_ignore_ascii_case(given))
        .collect();
    if let [one] = folded[..] {
        return Ok(one);
    }
    Err(UnknownId {
        kind,
        given: given.to_string(),
        nearest: nearest(given, known),
    })
}

/// The known id closest to `given` by edit distance (ignoring case), if within a third of
/// its length (at least 1, at most 3 edits).
pub fn nearest<'a>(given: &str, known: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let g = given.to_ascii_lowercase();
    let limit = (g.chars().count() / 3).clamp(1, 3);
    known
        .into_iter()
        .map(|k| (distance(&g, &k.to_ascii_lowercase()), k))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, k)| (*d, k.len()))
        .map(|(_, k)| k.to_string())
}

/// Edit distance over characters, a swap of two neighbours counting as one edit (optimal
/// string alignment): `QAUD` is one edit from `QUAD`.
fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const MATERIALS: [&str; 3] = ["lithium", "cobalt", "rare_earths"];

    #[test]
    fn exact_then_case_insensitive() {
        assert_eq!(lookup("material", "cobalt", MATERIALS), Ok("cobalt"));
        assert_eq!(lookup("material", "Cobalt", MATERIALS), Ok("cobalt"));
        assert_eq!(lookup("country", "usa", ["USA", "AUS"]), Ok("USA"));
    }

    #[test]
    fn a_typo_gets_a_suggestion_and_nonsense_none() {
        let e = lookup("material", "coblat", MATERIALS).unwrap_err();
        assert_eq!(e.nearest.as_deref(), Some("cobalt"));
        assert_eq!(
            e.to_string(),
            "unknown material \"coblat\"; did you mean \"cobalt\"?"
        );
        let e = lookup("material", "unobtainium", MATERIALS).unwrap_err();
        assert_eq!(e.nearest, None);
        assert_eq!(e.to_string(), "unknown material \"unobtainium\"");
    }

    #[test]
    fn distance_counts_edits() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("abc", "abc"), 0);
        assert_eq!(distance("qaud", "quad"), 1);
    }
}
