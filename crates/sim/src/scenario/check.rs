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
            vec![Issue {
                check: CHECK,
                file: file.into(),
                line: e
                    .span()
                    .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1),
                field: "toml".into(),
                expected: "a scenario in the documented schema (docs/scenarios.md)".into(),
                found: e.message().to_string(),
            }]
        })?;
        let mut ck = Checker {
            ds,
            file,
            text,
            issues: Vec::new(),
        };
        ck.header(&sc);
        for (k, e) in sc.events.iter().enumerate() {
            ck.event(ck.line_of("event", k), e);
        }
        for (k, p) in sc.policies.iter().enumerate() {
            ck.policy(ck.line_of("policy", k), p);
        }
        for (k, x) in sc.substitutions.iter().enumerate() {
            ck.substitution(ck.line_of("substitution", k), &sc, x);
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
    text: &'a str,
    issues: Vec<Issue>,
}

/// What an event names: who it strikes, at which stage, and its numeric fields.
type Named<'e> = (Option<&'e str>, Option<&'e str>, Vec<(&'static str, Param)>);

impl Checker<'_> {
    /// The line of the k-th `[[table]]` header, for messages.
    fn line_of(&self, table: &str, k: usize) -> Option<usize> {
        let hdr = format!("[[{table}]]");
        self.text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.trim() == hdr)
            .nth(k)
            .map(|(i, _)| i + 1)
    }
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
    }
    fn material(&mut self, l: Option<usize>, field: &str, expected: &str, m: &str) {
        if self.ds.material(m).is_none() {
            self.err(l, field, expected, m);
        }
    }
    /// The scenario's own fields: materials, bloc, adversary, trend, weeks.
    fn header(&mut self, sc: &Scenario) {
        for m in &sc.materials {
            self.material(None, "materials", "material ids from materials.csv", m);
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
        if sc.weeks == 0 || sc.weeks > 52 * 30 {
            self.err(None, "weeks", "between 1 and 1560", &sc.weeks.to_string());
        }
    }
    /// One event: its ids, its stage, its numbers and its probability.
    fn event(&mut self, l: Option<usize>, e: &Event) {
        let (who, stage, params) = self.named(l, e);
        let (material, prob) = (e.material(), e.probability());
        self.material(l, "material", "a material id from materials.csv", material);
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
                self.err(l, "country/exporter", expected, c);
            }
        }
        if let Some(s) = stage.filter(|s| Stage::parse(s).is_none()) {
            self.err(l, "stage", "mining or refining", s);
        }
        for (name, p) in params {
            self.param(l, name, p);
        }
        if !(0.0..=1.0).contains(&prob) {
            self.err(
                l,
                "probability",
                "a probability in [0, 1]",
                &prob.to_string(),
            );
        }
    }
    /// Who an event strikes, its stage and its numeric fields; checks its other ids.
    fn named<'e>(&mut self, l: Option<usize>, e: &'e Event) -> Named<'e> {
        match e {
            Event::ExportRestriction {
                exporter,
                controlled_by,
                stage,
                targets,
                except,
                share,
                start_week,
                duration_weeks,
                ..
            } => {
                self.controller(l, controlled_by.as_deref());
                if let Some(c) = except.iter().find(|c| !self.country_ok(c)) {
                    self.err(l, "except", "a list of country ids", c);
                }
                self.target(l, "targets", targets, TARGETS);
                (
                    Some(exporter),
                    Some(stage),
                    vec![
                        ("share", *share),
                        ("start_week", *start_week),
                        ("duration_weeks", *duration_weeks),
                    ],
                )
            }
            Event::CapacityLoss {
                country,
                controlled_by,
                stage,
                share,
                start_week,
                duration_weeks,
                recovery_weeks,
                ..
            } => {
                self.controller(l, controlled_by.as_deref());
                (
                    Some(country),
                    Some(stage),
                    vec![
                        ("share", *share),
                        ("start_week", *start_week),
                        ("duration_weeks", *duration_weeks),
                        ("recovery_weeks", *recovery_weeks),
                    ],
                )
            }
            Event::CapacityExpansion {
                country,
                stage,
                tonnes_per_year,
                start_week,
                ramp_weeks,
                ..
            } => (
                Some(country),
                Some(stage),
                vec![
                    ("tonnes_per_year", *tonnes_per_year),
                    ("start_week", *start_week),
                    ("ramp_weeks", *ramp_weeks),
                ],
            ),
            Event::DemandShift {
                country,
                factor,
                start_week,
                duration_weeks,
                ..
            } => (
                country.as_deref(),
                None,
                vec![
                    ("factor", *factor),
                    ("start_week", *start_week),
                    ("duration_weeks", *duration_weeks),
                ],
            ),
            Event::Dumping {
                exporter,
                stage,
                price_cut,
                volume_share,
                start_week,
                duration_weeks,
                ..
            } => (
                Some(exporter),
                Some(stage),
                vec![
                    ("price_cut", *price_cut),
                    ("volume_share", *volume_share),
                    ("start_week", *start_week),
                    ("duration_weeks", *duration_weeks),
                ],
            ),
        }
    }
    fn controller(&mut self, l: Option<usize>, controlled_by: Option<&str>) {
        if let Some(h) = controlled_by.filter(|h| !self.country_ok(h)) {
            self.err(l, "controlled_by", "a country id (the owners' home)", h);
        }
    }
    /// A numeric field: finite, non-negative, and a share in [0, 1] where it is one.
    fn param(&mut self, l: Option<usize>, name: &str, p: Param) {
        let share_like = matches!(name, "share" | "price_cut");
        let bad = !p.ok() || (share_like && !(0.0..=1.0).contains(&p.mid())) || p.mid() < 0.0;
        if bad {
            let expected = if share_like {
                "a number (or [low, high]) in [0, 1]"
            } else {
                "a non-negative number or [low, high]"
            };
            self.err(l, name, expected, &format!("{p:?}"));
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
                if !(*weeks >= 0.0 && weeks.is_finite()) {
                    self.err(l, "weeks", "a non-negative number", &weeks.to_string());
                }
                if !(0.0..=1.0).contains(release_below) {
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
                if !(0.0..=1.0).contains(tariff) {
                    self.err(l, "tariff", "a rate in [0, 1]", &tariff.to_string());
                }
                if *joint_stockpile_weeks < 0.0 {
                    let found = joint_stockpile_weeks.to_string();
                    self.err(l, "joint_stockpile_weeks", "a non-negative number", &found);
                }
                if let Some(f) = price_floor.filter(|f| f.is_nan() || *f <= 0.0) {
                    let expected = "a positive price relative to the base price";
                    self.err(l, "price_floor", expected, &f.to_string());
                }
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
}
