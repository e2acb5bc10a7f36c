//! The key findings a briefing opens with: a few figures picked from the brief by fixed
//! rules (the adversary's largest shares, the bloc's supply through it, ownership that
//! reaches beyond location, the checked claims, the bloc's reliance and its strength), each
//! with its year and source. Renderers word them; the choice is made here.

use super::{Brief, StageBrief};
use crate::control::Coverage;
use quadrant_model::Stage;
use serde::Serialize;

/// How many stages each rule may name.
const ADVERSARY_STAGES: usize = 3;
const THROUGH_STAGES: usize = 2;
const CONTROL_STAGES: usize = 2;
const RELIANCE_STAGES: usize = 2;
/// The adversary's share of world output a stage must reach to be a finding.
const MAJORITY: f64 = 0.5;
/// How far control by the adversary's firms must exceed its output at home.
const CONTROL_GAP: f64 = 0.1;

/// What a finding states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// The adversary's share of world output at a stage, by location (`value`).
    AdversaryShare,
    /// Share of the bloc's supply that passed through the adversary at either stage.
    ThroughAdversary,
    /// The adversary's share by control (`value`) well above its share by location
    /// (`compare`): its firms own output abroad.
    AdversaryControl,
    /// A published claim checked against the ownership data (`value`: the share measured).
    Claim,
    /// The bloc's net import reliance at a stage.
    BlocReliance,
    /// The bloc's largest share of world output at any stage: where it is strong.
    BlocShare,
}

/// One key finding: a figure of one material and stage, with its year and source.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// What the figure states.
    pub kind: FindingKind,
    /// Material id.
    pub material: String,
    /// Material name.
    pub material_name: String,
    /// The stage.
    pub stage: Stage,
    /// Whom the figure is of: the adversary's or the bloc's id, or a claim's host.
    pub subject: String,
    /// The figure, a share 0–1.
    pub value: f64,
    /// The figure it is set against, where the finding compares two.
    pub compare: Option<f64>,
    /// A claim's text, for [`FindingKind::Claim`].
    pub claim: Option<String>,
    /// How much of the output the ownership data identifies, for a control figure or a
    /// claim (docs/model.md, "Coverage").
    pub coverage: Option<Coverage>,
    /// Year of the data.
    pub year: u16,
    /// Where the figure comes from (source ids, as beside the figure in the brief).
    pub source: String,
}

/// Every stage of the brief with its material's id and name.
fn stages(b: &Brief) -> Vec<(&str, &str, &StageBrief)> {
    b.materials
        .iter()
        .flat_map(|m| {
            m.stages
                .iter()
                .map(move |s| (m.material.as_str(), m.name.as_str(), s))
        })
        .collect()
}

/// The `n` stages with the largest `key` (ties by brief order), keeping those `key` gives.
fn top(
    b: &Brief,
    n: usize,
    key: impl Fn(&StageBrief) -> Option<f64>,
) -> Vec<(&str, &str, &StageBrief, f64)> {
    let mut v: Vec<_> = stages(b)
        .into_iter()
        .filter_map(|(m, name, s)| key(s).map(|k| (m, name, s, k)))
        .collect();
    v.sort_by(|a, b| b.3.total_cmp(&a.3));
    v.truncate(n);
    v
}

fn finding(
    kind: FindingKind,
    (material, name, s): (&str, &str, &StageBrief),
    subject: &str,
    value: f64,
    source: &str,
) -> Finding {
    Finding {
        kind,
        material: material.to_string(),
        material_name: name.to_string(),
        stage: s.stage,
        subject: subject.to_string(),
        value,
        compare: None,
        claim: None,
        coverage: None,
        year: s.year,
        source: source.to_string(),
    }
}

/// The key findings of `b`, in reading order.
pub(super) fn key_findings(b: &Brief) -> Vec<Finding> {
    let adv = b.adversary.as_str();
    let mut out = Vec::new();
    for (m, n, s, v) in top(b, ADVERSARY_STAGES, |s| {
        (s.adversary_share >= MAJORITY).then_some(s.adversary_share)
    }) {
        out.push(finding(
            FindingKind::AdversaryShare,
            (m, n, s),
            adv,
            v,
            &s.source,
        ));
    }
    for (m, n, s, v) in top(b, THROUGH_STAGES, |s| {
        s.origin
            .as_ref()
            .map(|o| o.through_adversary)
            .filter(|v| *v > 0.0)
    }) {
        let o = s.origin.as_ref().expect("filtered on origin");
        let src = o.source();
        out.push(finding(
            FindingKind::ThroughAdversary,
            (m, n, s),
            &b.bloc,
            v,
            &src,
        ));
    }
    for (m, n, s, v) in top(b, CONTROL_STAGES, |s| {
        let c = s.control.as_ref()?;
        (c.adversary_share - s.adversary_share >= CONTROL_GAP).then_some(c.adversary_share)
    }) {
        let c = s.control.as_ref().expect("filtered on control");
        let mut f = finding(FindingKind::AdversaryControl, (m, n, s), adv, v, &c.source);
        f.compare = Some(s.adversary_share);
        f.coverage = Some(c.coverage);
        out.push(f);
    }
    for c in &b.claims {
        out.push(Finding {
            kind: FindingKind::Claim,
            material: c.material.clone(),
            material_name: b
                .materials
                .iter()
                .find(|m| m.material == c.material)
                .map_or_else(|| c.material.clone(), |m| m.name.clone()),
            stage: c.stage,
            subject: c.host.clone(),
            value: c.measured,
            compare: None,
            claim: Some(c.claim.clone()),
            coverage: Some(c.coverage),
            year: u16::try_from(c.year).unwrap_or(0),
            source: c.source.clone(),
        });
    }
    for (m, n, s, v) in top(b, RELIANCE_STAGES, |s| {
        s.bloc_reliance
            .as_ref()
            .and_then(|r| r.reliance.net_import_reliance)
            .filter(|v| *v >= MAJORITY)
    }) {
        out.push(finding(
            FindingKind::BlocReliance,
            (m, n, s),
            &b.bloc,
            v,
            &s.reliance_source,
        ));
    }
    for (m, n, s, v) in top(b, 1, |s| Some(s.bloc_share).filter(|v| *v > 0.0)) {
        out.push(finding(
            FindingKind::BlocShare,
            (m, n, s),
            &b.bloc,
            v,
            &s.source,
        ));
    }
    out
}
