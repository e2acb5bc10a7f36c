//! Scenario validation against the dataset: every problem is found (not only the first), and
//! each names the file, the line of its `[[event]]`, `[[policy]]` or `[[substitution]]` table,
//! the field and what was expected, as the dataset checks do.

use super::{Event, Param, Policy, Scenario, Substitution, Target};
use quadrant_model::{Dataset, Issue, Stage};

/// The check name scenario problems carry (`Issue::check`).
pub const CHECK: &str = "scenario";

const TARGETS: &str = "\"all\", \"bloc:ID\" or a list of country ids";

impl Scenario {
    /// Parses and validates a scenario against the dataset; every problem is returned.
    pub fn parse(file: &str, text: &str, ds: &Dataset) -> Result<Scenario, Vec<Issue>> {
        let sc: Scenario = toml::from_str(text).map_err(|e| {
            let at = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            // The key on the line at fault (`share = "five"` names `share`), or, when the
            // error is placed on a whole `[[table]]`, its field of the wrong type and its line.
            let (field, line) = match at {
                Some(l) => match key_at(text, l) {
                    Some(k) => (Some(k), at),
                    None => misfit_at(text, l).map_or((None, at), |(k, kl)| (Some(k), Some(kl))),
                },
                None => (None, None),
            };
            vec![Issue {
                check: CHECK,
                file: file.into(),
                line,
                field: field.unwrap_or_else(|| "toml".into()),
                expected: "a scenario in the documented schema (docs/scenarios.md)".into(),
                found: e.message().to_string(),
            }]
        })?;
        let mut ck = Checker {
            ds,
            file,
            headers: headers(text),
            issues: Vec::new(),
        };
        ck.header(&sc);
        // The line of each table: its `[[table]]` header, or, for tables written inline
        // (`event = [{ kind = … }]`), where the parser placed it.
        let inline = inline_lines(text);
        let lines = |t: &str| -> Vec<usize> {
            let v: Vec<usize> = ck
                .headers
                .iter()
                .filter(|(n, _)| n == t)
                .map(|&(_, l)| l)
                .collect();
            if v.is_empty() {
                inline.get(t).cloned().unwrap_or_default()
            } else {
                v
            }
        };
        let (ev, po, su) = (lines("event"), lines("policy"), lines("substitution"));
        let pts = lines("observed.point");
        for (k, e) in sc.events.iter().enumerate() {
            ck.event(ev.get(k).copied(), &sc, e);
        }
        for (k, p) in sc.policies.iter().enumerate() {
            ck.policy(po.get(k).copied(), p);
        }
        for (k, x) in sc.substitutions.iter().enumerate() {
            ck.substitution(su.get(k).copied(), &sc, x);
        }
        ck.links(&sc, &su);
        if let Some(o) = &sc.observed {
            ck.observed(o, &pts);
        }
        if ck.issues.is_empty() {
            Ok(sc)
        } else {
            Err(ck.issues)
        }
    }
}

/// Collects the issues of one scenario file.
struct Checker<'a> {
    ds: &'a Dataset,
    file: &'a str,
    /// (table name, 1-based line) of every `[[table]]` header, in file order: read once, so
    /// that validation stays linear in the size of the file.
    headers: Vec<(String, usize)>,
    issues: Vec<Issue>,
}

/// For each table array (`event`, `policy`, `substitution`), the 1-based line where the
/// parser places each of its tables: needed for inline tables, which have no header line.
fn inline_lines(text: &str) -> std::collections::HashMap<String, Vec<usize>> {
    #[derive(serde::Deserialize, Default)]
    struct Spans {
        #[serde(default)]
        event: Vec<toml::Spanned<toml::Value>>,
        #[serde(default)]
        policy: Vec<toml::Spanned<toml::Value>>,
        #[serde(default)]
        substitution: Vec<toml::Spanned<toml::Value>>,
    }
    let line = |at: usize| text[..at.min(text.len())].matches('\n').count() + 1;
    let spans: Spans = toml::from_str(text).unwrap_or_default();
    [
        ("event", spans.event),
        ("policy", spans.policy),
        ("substitution", spans.substitution),
    ]
    .into_iter()
    .map(|(k, v)| {
        (
            k.to_string(),
            v.iter().map(|s| line(s.span().start)).collect(),
        )
    })
    .collect()
}

/// `expected`, with "did you mean" when a known id is close to what was written.
fn with_hint(expected: &str, nearest: Option<String>) -> String {
    match nearest {
        Some(n) => format!("{expected} (did you mean {n:?}?)"),
        None => expected.to_string(),
    }
}

/// The key assigned on 1-based line `line` of a TOML text, if it assigns one.
fn key_at(text: &str, line: usize) -> Option<String> {
    let at = text.lines().nth(line.checked_sub(1)?)?;
    let key = at.split_once('=')?.0.trim();
    let plain = !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    plain.then(|| key.to_string())
}

/// Fields whose value is a number or a `[low, high]` range.
const NUMERIC: [&str; 11] = [
    "share",
    "start_week",
    "duration_weeks",
    "recovery_weeks",
    "ramp_weeks",
    "tonnes_per_year",
    "factor",
    "price_cut",
    "volume_share",
    "probability",
    "elasticity",
];

/// The first field of the `[[table]]` whose header is on line `line` that has a value of the
/// wrong type (a number field holding text, a text field holding a number), and its line.
fn misfit_at(text: &str, line: usize) -> Option<(String, usize)> {
    let hdr = headers(text);
    let (name, _) = hdr.iter().find(|(_, l)| *l == line)?;
    let k = hdr.iter().filter(|(n, l)| n == name && *l < line).count();
    let root: toml::Table = toml::from_str(text).ok()?;
    let t = root.get(name)?.as_array()?.get(k)?.as_table()?;
    t.iter().find_map(|(key, v)| {
        let number = v.is_float() || v.is_integer();
        let range = v
            .as_array()
            .is_some_and(|a| a.len() == 2 && a.iter().all(|x| x.is_float() || x.is_integer()));
        let wrong = if NUMERIC.contains(&key.as_str()) {
            !(number || range)
        } else {
            number
        };
        if !wrong {
            return None;
        }
        // Its line: the first assignment to it after the header.
        let kl = text
            .lines()
            .enumerate()
            .skip(line)
            .find(|(_, l)| l.split_once('=').is_some_and(|(k, _)| k.trim() == key))
            .map_or(line, |(i, _)| i + 1);
        Some((key.clone(), kl))
    })
}

/// The `[[table]]` headers of a TOML text, spaces inside the brackets and trailing comments
/// allowed (`[[ event ]]   # the ban`).
fn headers(text: &str) -> Vec<(String, usize)> {
    text.lines()
        .enumerate()
        .filter_map(|(i, l)| {
            let l = l.split('#').next().unwrap_or("").trim();
            let name = l.strip_prefix("[[")?.strip_suffix("]]")?.trim();
            Some((name.to_string(), i + 1))
        })
        .collect()
}

/// Most events in one scenario.
pub const MAX_EVENTS: usize = 100_000;
/// Largest demand factor an event may apply (×100 of baseline).
const MAX_FACTOR: f64 = 100.0;
/// Largest capacity an expansion may add, t of content per year.
const MAX_TONNES_PER_YEAR: f64 = 1e9;
/// Longest recovery or ramp, weeks (30 years).
const MAX_RAMP_WEEKS: f64 = 1560.0;
/// Longest duration, weeks: "for good" (the default of a demand shift).
const MAX_DURATION_WEEKS: f64 = 1e9;
/// Longest stockpile, weeks of demand (10 years).
const MAX_STOCK_WEEKS: f64 = 520.0;
/// Highest price floor, × the baseline price.
const MAX_PRICE_FLOOR: f64 = 100.0;
/// Earliest and latest structure years a scenario may ask for.
const BASE_YEARS: (u16, u16) = (2000, 2100);

/// What an event names: who it strikes, at which stage, and its numeric fields.
type Named<'e> = (Option<&'e str>, Option<&'e str>, Vec<(&'static str, Param)>);

impl Checker<'_> {
    fn err(&mut self, line: Option<usize>, field: &str, expected: &str, found: &str) {
        self.issues.push(Issue {
            check: CHECK,
            file: self.file.into(),
            line,
            field: field.into(),
            expected: expected.into(),
            found: found.into(),
        })
    }
    fn country_ok(&self, c: &str) -> bool {
        self.ds.country(c).is_some()
    }
    /// An asset becomes a facility node of its material and stage when it has a content
    /// factor (`network::split_facilities`).
    fn facility_ok(&self, c: &str, material: &str, stage: Option<&str>) -> bool {
        self.ds.curated.assets.iter().any(|a| {
            a.id == c
                && a.material == material
                && stage.is_some_and(|s| s == a.stage.as_str())
                && a.content_factor.is_some_and(|f| f > 0.0)
        })
    }
    fn target(&mut self, l: Option<usize>, field: &str, t: &Target, expected: &str) {
        if let Some(bad) = t.unknown(self.ds) {
            self.err(l, field, expected, &bad);
        }
        if matches!(t, Target::List(v) if v.is_empty()) {
            self.err(l, field, &format!("{expected} (not an empty list)"), "[]");
        }
    }
    fn material(&mut self, l: Option<usize>, field: &str, expected: &str, m: &str) {
        if self.ds.material(m).is_none() {
            let ids = self.ds.materials.iter().map(|x| x.id.as_str());
            let expected = with_hint(expected, quadrant_model::ids::nearest(m, ids));
            self.err(l, field, &expected, m);
        }
    }
    /// The scenario's own fields: materials, bloc, adversary, trend, weeks.
    fn header(&mut self, sc: &Scenario) {
        for (k, m) in sc.materials.iter().enumerate() {
            self.material(None, "materials", "material ids from materials.csv", m);
            if sc.materials[..k].contains(m) {
                self.err(None, "materials", "each material once", m);
            }
        }
        if !(BASE_YEARS.0..=BASE_YEARS.1).contains(&sc.base_year) {
            let expected = format!("a year from {} to {}", BASE_YEARS.0, BASE_YEARS.1);
            self.err(None, "base_year", &expected, &sc.base_year.to_string());
        }
        if self.ds.curated.bloc(&sc.bloc).is_none() {
            self.err(None, "bloc", "a bloc id from curated/blocs.toml", &sc.bloc);
        }
        if let Some(a) = sc.adversary.as_ref().filter(|a| !self.country_ok(a)) {
            self.err(None, "adversary", "a country id", a);
        }
        if let Some(t) = &sc.trend {
            if !self.ds.demand_scenarios.iter().any(|r| &r.scenario == t) {
                self.err(
                    None,
                    "trend",
                    "an IEA scenario in demand_scenarios.csv (STEPS, APS, NZE)",
                    t,
                );
            }
        }
        if sc.events.len() > MAX_EVENTS {
            let expected = format!("at most {MAX_EVENTS} events");
            self.err(None, "event", &expected, &sc.events.len().to_string());
        }
        if sc.weeks == 0 || sc.weeks > 52 * 30 {
            self.err(None, "weeks", "between 1 and 1560", &sc.weeks.to_string());
        }
    }
    /// One event: its ids, its stage, its numbers and its probability.
    fn event(&mut self, l: Option<usize>, sc: &Scenario, e: &Event) {
        let (who, stage, params) = self.named(l, e);
        let (material, prob) = (e.material(), e.probability());
        self.material(l, "material", "a material id from materials.csv", material);
        if !sc.materials.is_empty() && !sc.materials.iter().any(|m| m == material) {
            // It would never be simulated: a silent 0% is worse than a refusal.
            let expected = "a material listed in `materials` (an event on another never acts)";
            self.err(l, "material", expected, material);
        }
        if let Some((_, start)) = params.iter().find(|(n, _)| *n == "start_week") {
            let first = start.bounds().0;
            if first.is_finite() && first >= sc.weeks as f64 {
                let expected = format!("a week before the run ends (weeks = {})", sc.weeks);
                self.err(l, "start_week", &expected, &start.to_string());
            }
            if let Some(a) = e.announced_week() {
                if a as f64 > first {
                    let expected = format!("a week at or before start_week ({start})");
                    self.err(l, "announced_week", &expected, &a.to_string());
                }
            }
        }
        // Capacity events may name a facility (an asset id) instead of a country.
        let facility_allowed = matches!(
            e,
            Event::CapacityLoss { .. } | Event::CapacityExpansion { .. }
        );
        if let Some(c) = who {
            if !(self.country_ok(c) || (facility_allowed && self.facility_ok(c, material, stage))) {
                let expected = if facility_allowed {
                    "a country id from countries.csv, or the id of an asset of this material and stage (with a content factor) from curated/ownership.toml"
                } else {
                    "a country id from countries.csv"
                };
                let ids = self.ds.countries.iter().map(|x| x.id.as_str());
                let expected = with_hint(expected, quadrant_model::ids::nearest(c, ids));
                self.err(l, "country/exporter", &expected, c);
            }
        }
        if let Some(s) = stage.filter(|s| Stage::parse(s).is_none()) {
            self.err(l, "stage", "mining or refining", s);
        }
        for (name, p) in params {
            self.param(l, name, p);
        }
        if !(prob.is_finite() && (0.0..=1.0).contains(&prob)) {
            self.err(
                l,
                "probability",
                "a probability in [0, 1]",
                &prob.to_string(),
            );
        }
    }
    /// Who an event strikes and at which stage; checks its other ids. Its numbers are
    /// `Event::drawn_fields`, the list realisation draws from.
    fn named<'e>(&mut self, l: Option<usize>, e: &'e Event) -> Named<'e> {
        let (who, stage) = match e {
            Event::ExportRestriction {
                exporter,
                controlled_by,
                stage,
                targets,
                except,
                ..
            } => {
                self.controller(l, controlled_by.as_deref());
                if let Some(c) = except.iter().find(|c| !self.country_ok(c)) {
                    self.err(l, "except", "a list of country ids", c);
                }
                self.target(l, "targets", targets, TARGETS);
                (Some(exporter.as_str()), Some(stage.as_str()))
            }
            Event::CapacityLoss {
                country,
                controlled_by,
                stage,
                ..
            } => {
                self.controller(l, controlled_by.as_deref());
                (Some(country.as_str()), Some(stage.as_str()))
            }
            Event::CapacityExpansion { country, stage, .. } => {
                (Some(country.as_str()), Some(stage.as_str()))
            }
            Event::DemandShift { country, .. } => (country.as_deref(), None),
            Event::Dumping {
                exporter, stage, ..
            } => (Some(exporter.as_str()), Some(stage.as_str())),
        };
        (who, stage, e.drawn_fields())
    }
    fn controller(&mut self, l: Option<usize>, controlled_by: Option<&str>) {
        if let Some(h) = controlled_by.filter(|h| !self.country_ok(h)) {
            self.err(l, "controlled_by", "a country id (the owners' home)", h);
        }
    }
    /// A numeric field: both ends of a range finite, in order and within the field's domain.
    fn param(&mut self, l: Option<usize>, name: &str, p: Param) {
        let (lo, hi) = match name {
            "share" | "price_cut" => (0.0, 1.0),
            "factor" => (0.0, MAX_FACTOR),
            "volume_share" => (0.0, 10.0),
            "tonnes_per_year" => (0.0, MAX_TONNES_PER_YEAR),
            "recovery_weeks" | "ramp_weeks" => (0.0, MAX_RAMP_WEEKS),
            _ => (0.0, MAX_DURATION_WEEKS),
        };
        if !p.within(lo, hi) {
            let expected = format!("a number, or [low, high] with low ≤ high, in [{lo}, {hi}]");
            self.err(l, name, &expected, &p.to_string());
        }
    }
    fn policy(&mut self, l: Option<usize>, p: &Policy) {
        match p {
            Policy::Stockpile {
                holders,
                material,
                weeks,
                release_below,
            } => {
                self.target(l, "holders", holders, TARGETS);
                self.material(l, "material", "a material id", material);
                if !(weeks.is_finite() && (0.0..=MAX_STOCK_WEEKS).contains(weeks)) {
                    let expected = format!("a number of weeks in [0, {MAX_STOCK_WEEKS}]");
                    self.err(l, "weeks", &expected, &weeks.to_string());
                }
                if !(release_below.is_finite() && (0.0..=1.0).contains(release_below)) {
                    let found = release_below.to_string();
                    self.err(l, "release_below", "a share in [0, 1]", &found);
                }
            }
            Policy::Pact {
                members,
                material,
                tariff_on,
                tariff,
                joint_stockpile_weeks,
                price_floor,
                ..
            } => {
                self.target(
                    l,
                    "members",
                    members,
                    "\"bloc:ID\" or a list of country ids",
                );
                if let Some(m) = material {
                    self.material(l, "material", "a material id", m);
                }
                if let Some(t) = tariff_on.as_ref().filter(|t| !self.country_ok(t)) {
                    self.err(l, "tariff_on", "a country id", t);
                }
                if !(tariff.is_finite() && (0.0..=1.0).contains(tariff)) {
                    self.err(l, "tariff", "a rate in [0, 1]", &tariff.to_string());
                }
                let jw = *joint_stockpile_weeks;
                if !(jw.is_finite() && (0.0..=MAX_STOCK_WEEKS).contains(&jw)) {
                    let expected = format!("a number of weeks in [0, {MAX_STOCK_WEEKS}]");
                    self.err(l, "joint_stockpile_weeks", &expected, &jw.to_string());
                }
                if let Some(f) = price_floor.filter(|f| !(*f > 0.0 && *f <= MAX_PRICE_FLOOR)) {
                    let expected = format!(
                        "a positive price relative to the base price, at most {MAX_PRICE_FLOOR}"
                    );
                    self.err(l, "price_floor", &expected, &f.to_string());
                }
            }
        }
    }
    /// The observed price path: a start date, dates and positive finite prices, a stage.
    fn observed(&mut self, o: &super::Observed, lines: &[usize]) {
        let date = "a date YYYY-MM-DD";
        if let Some(d) = o.start_date.as_deref() {
            if super::days(d).is_none() {
                self.err(None, "observed.start_date", date, d);
            }
        } else if !o.points.is_empty() {
            self.err(
                None,
                "observed.start_date",
                "the date of week 0 (there are price points)",
                "nothing",
            );
        }
        if let Some(s) = o.stage.as_deref() {
            if !["mining", "refining", "components"].contains(&s) {
                self.err(None, "observed.stage", "mining, refining or components", s);
            }
        }
        if let Some(c) = o.buyers_outside.as_deref() {
            if !self.ds.countries.iter().any(|x| x.id == c) {
                self.err(
                    None,
                    "observed.buyers_outside",
                    "a country id from countries.csv",
                    c,
                );
            }
        }
        for (k, p) in o.points.iter().enumerate() {
            let l = lines.get(k).copied();
            if super::days(&p.date).is_none() {
                self.err(l, "date", date, &p.date);
            }
            if !(p.price.is_finite() && p.price > 0.0) {
                self.err(l, "price", "a positive finite price", &p.price.to_string());
            }
        }
    }
    fn substitution(&mut self, l: Option<usize>, sc: &Scenario, x: &Substitution) {
        for m in [&x.from, &x.to] {
            if self.ds.material(m).is_none() {
                self.err(l, "from/to", "material ids from materials.csv", m);
            } else if !sc.material_ids().contains(m) {
                let expected = "a material the scenario simulates (`materials`)";
                self.err(l, "from/to", expected, m);
            }
        }
        if x.from == x.to {
            self.err(l, "to", "a material other than `from`", &x.to);
        }
        if !(x.elasticity.is_finite() && x.elasticity.abs() <= 2.0) {
            let expected = "a cross-price elasticity in [-2, 2]";
            self.err(l, "elasticity", expected, &x.elasticity.to_string());
        }
        if x.source.trim().is_empty() {
            self.err(l, "source", "a citation, or \"assumed: …\"", "");
        }
    }
    /// Substitution links as a whole: each (from, to) once — three links of elasticity 2
    /// would act as 6, past the bound — and no cycle, through which demand would feed on
    /// itself.
    fn links(&mut self, sc: &Scenario, lines: &[usize]) {
        let subs = &sc.substitutions;
        for (k, x) in subs.iter().enumerate() {
            if subs[..k].iter().any(|y| y.from == x.from && y.to == x.to) {
                let found = format!("{} → {}", x.from, x.to);
                self.err(lines.get(k).copied(), "from/to", "each link once", &found);
            }
        }
        if let Some(cycle) = cycle(subs) {
            let l = lines.first().copied();
            let expected = "links without a cycle (demand would feed on itself)";
            self.err(l, "substitution", expected, &cycle.join(" → "));
        }
    }
}

/// A cycle of substitution links (m → … → m), if any, as the materials along it.
fn cycle(subs: &[Substitution]) -> Option<Vec<String>> {
    // Depth-first from every material; links are few (a handful per scenario).
    fn walk<'a>(subs: &'a [Substitution], path: &mut Vec<&'a str>) -> Option<Vec<String>> {
        let last = *path.last()?;
        for x in subs.iter().filter(|x| x.from == last) {
            if let Some(i) = path.iter().position(|m| *m == x.to) {
                let mut c: Vec<String> = path[i..].iter().map(|m| m.to_string()).collect();
                c.push(x.to.clone());
                return Some(c);
            }
            path.push(&x.to);
            if let Some(c) = walk(subs, path) {
                return Some(c);
            }
            path.pop();
        }
        None
    }
    subs.iter()
        .find_map(|x| walk(subs, &mut vec![x.from.as_str()]))
}
