//! Who a measure applies to, worked out once. A scenario names buyers as `"all"`, `"bloc:ID"`
//! or a list of country ids; that text is parsed here into a [`Target`] when the scenario is
//! read, and a bloc becomes its members and their demand nodes in one place ([`Bloc`]), so
//! that no other code parses ids or re-derives a bloc.

use crate::network::Network;
use quadrant_model::Dataset;
use serde::Deserialize;

/// Who an event or a policy applies to.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "TargetText")]
pub enum Target {
    /// Every buyer (`"all"`).
    All,
    /// The members of a bloc of curated/blocs.toml (`"bloc:ID"`).
    Bloc(String),
    /// Countries by id.
    List(Vec<String>),
}

/// The scenario file's spelling of a [`Target`].
#[derive(Deserialize)]
#[serde(untagged)]
enum TargetText {
    Named(String),
    List(Vec<String>),
}

impl TryFrom<TargetText> for Target {
    type Error = String;
    fn try_from(t: TargetText) -> Result<Target, String> {
        match t {
            TargetText::List(v) => Ok(Target::List(v)),
            TargetText::Named(s) if s == "all" => Ok(Target::All),
            TargetText::Named(s) => match s.strip_prefix("bloc:") {
                Some(b) => Ok(Target::Bloc(b.to_string())),
                None => Err(format!(
                    "expected \"all\", \"bloc:ID\" or a list of country ids, found {s:?}"
                )),
            },
        }
    }
}

impl Target {
    /// The country ids targeted; `None` for everyone. An unknown bloc targets no one (the
    /// scenario check refuses it before a run).
    pub fn countries(&self, ds: &Dataset) -> Option<Vec<String>> {
        match self {
            Target::All => None,
            Target::Bloc(b) => Some(
                ds.curated
                    .bloc(b)
                    .map(|b| b.members.clone())
                    .unwrap_or_default(),
            ),
            Target::List(v) => Some(v.clone()),
        }
    }
    /// The first id that the dataset does not know (a bloc, or a country of the list).
    pub fn unknown(&self, ds: &Dataset) -> Option<String> {
        match self {
            Target::All => None,
            Target::Bloc(b) => ds.curated.bloc(b).is_none().then(|| format!("bloc:{b}")),
            Target::List(v) => v.iter().find(|c| ds.country(c).is_none()).cloned(),
        }
    }
}

/// A bloc worked out once: its id and members, and the nodes of a network that stand for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bloc {
    /// Bloc id (curated/blocs.toml).
    pub id: String,
    /// Member country ids, in the curated order.
    pub members: Vec<String>,
}

impl Bloc {
    /// The bloc `id` of the dataset's curated layer.
    pub fn of(ds: &Dataset, id: &str) -> Option<Bloc> {
        ds.curated.bloc(id).map(|b| Bloc {
            id: id.to_string(),
            members: b.members.clone(),
        })
    }
    /// The bloc `id`, or an empty bloc of that id when the dataset does not know it.
    pub fn of_or_empty(ds: &Dataset, id: &str) -> Bloc {
        Bloc::of(ds, id).unwrap_or_else(|| Bloc {
            id: id.to_string(),
            members: Vec::new(),
        })
    }
    /// The demand nodes of the bloc as a whole: each member's (`Network::demand_nodes`), each
    /// node once, in member order (the order every bloc total is summed in).
    pub fn demand_nodes(&self, net: &Network) -> Vec<usize> {
        let mut v: Vec<usize> = self
            .members
            .iter()
            .flat_map(|m| net.demand_nodes(m))
            .collect();
        v.dedup();
        v
    }
    /// Each member's demand nodes, in member order.
    pub fn member_demand_nodes(&self, net: &Network) -> Vec<Vec<usize>> {
        self.members.iter().map(|m| net.demand_nodes(m)).collect()
    }
}
