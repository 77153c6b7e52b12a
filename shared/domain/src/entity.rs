//! Entity kinds and their sync directions, as listed in the design's entity table.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A kind of record the bridge keeps in step between maestro* and Procore.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    Project,
    Supplier,
    Customer,
    Employee,
    OriginalBudget,
    ModifiedBudget,
    PurchaseOrder,
    Subcontract,
    SubcontractChangeOrder,
    PrimeContract,
    PrimeChangeOrder,
    ProjectCost,
    OrderInvoice,
}

/// Which system a change flows into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// A maestro* record is written to Procore.
    ToProcore,
    /// A Procore record is written to maestro*.
    ToMaestro,
}

/// One entity kind travelling in one direction: the unit that owns a queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Route {
    pub kind: EntityKind,
    pub direction: Direction,
}

/// A name that is not one of the known kinds or directions.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{name}` (expected one of: {expected})")]
pub struct UnknownName {
    pub what: &'static str,
    pub name: String,
    pub expected: String,
}

impl EntityKind {
    /// Every kind, in the order Procore recommends for an initial load.
    pub const ALL: [EntityKind; 13] = [
        EntityKind::Project,
        EntityKind::Supplier,
        EntityKind::Customer,
        EntityKind::Employee,
        EntityKind::OriginalBudget,
        EntityKind::ProjectCost,
        EntityKind::PurchaseOrder,
        EntityKind::Subcontract,
        EntityKind::SubcontractChangeOrder,
        EntityKind::ModifiedBudget,
        EntityKind::OrderInvoice,
        EntityKind::PrimeContract,
        EntityKind::PrimeChangeOrder,
    ];

    /// The snake_case name used in routing keys, queue names and the database.
    pub const fn as_str(self) -> &'static str {
        match self {
            EntityKind::Project => "project",
            EntityKind::Supplier => "supplier",
            EntityKind::Customer => "customer",
            EntityKind::Employee => "employee",
            EntityKind::OriginalBudget => "original_budget",
            EntityKind::ModifiedBudget => "modified_budget",
            EntityKind::PurchaseOrder => "purchase_order",
            EntityKind::Subcontract => "subcontract",
            EntityKind::SubcontractChangeOrder => "subcontract_change_order",
            EntityKind::PrimeContract => "prime_contract",
            EntityKind::PrimeChangeOrder => "prime_change_order",
            EntityKind::ProjectCost => "project_cost",
            EntityKind::OrderInvoice => "order_invoice",
        }
    }

    /// The directions this kind travels in.
    ///
    /// Master data (projects, suppliers, customers) is created on whichever side it appears
    /// first; everything else has one master system.
    pub const fn directions(self) -> &'static [Direction] {
        use Direction::*;
        match self {
            EntityKind::Project | EntityKind::Supplier | EntityKind::Customer => {
                &[ToProcore, ToMaestro]
            }
            EntityKind::Employee
            | EntityKind::OriginalBudget
            | EntityKind::ProjectCost
            | EntityKind::OrderInvoice => &[ToProcore],
            EntityKind::ModifiedBudget
            | EntityKind::PurchaseOrder
            | EntityKind::Subcontract
            | EntityKind::SubcontractChangeOrder
            | EntityKind::PrimeContract
            | EntityKind::PrimeChangeOrder => &[ToMaestro],
        }
    }

    /// Whether this kind travels in `direction` at all.
    pub fn travels(self, direction: Direction) -> bool {
        self.directions().contains(&direction)
    }
}

impl Direction {
    pub const ALL: [Direction; 2] = [Direction::ToProcore, Direction::ToMaestro];

    pub const fn as_str(self) -> &'static str {
        match self {
            Direction::ToProcore => "to_procore",
            Direction::ToMaestro => "to_maestro",
        }
    }
}

impl Route {
    /// Builds a route, refusing a direction the kind never travels in.
    pub fn new(kind: EntityKind, direction: Direction) -> Result<Self, UnknownName> {
        if kind.travels(direction) {
            Ok(Route { kind, direction })
        } else {
            Err(UnknownName {
                what: "route",
                name: format!("{}.{}", kind.as_str(), direction.as_str()),
                expected: kind
                    .directions()
                    .iter()
                    .map(|d| format!("{}.{}", kind.as_str(), d.as_str()))
                    .collect::<Vec<_>>()
                    .join(", "),
            })
        }
    }

    /// Every route of every kind: one queue each.
    pub fn all() -> impl Iterator<Item = Route> {
        EntityKind::ALL.into_iter().flat_map(|kind| {
            kind.directions()
                .iter()
                .map(move |&direction| Route { kind, direction })
        })
    }

    /// The routing key on the events exchange, `<kind>.<direction>`.
    pub fn routing_key(self) -> String {
        format!("{}.{}", self.kind.as_str(), self.direction.as_str())
    }
}

impl fmt::Display for EntityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.kind, self.direction)
    }
}

impl FromStr for EntityKind {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EntityKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownName {
                what: "entity kind",
                name: s.to_owned(),
                expected: EntityKind::ALL.map(EntityKind::as_str).join(", "),
            })
    }
}

impl FromStr for Direction {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Direction::ALL
            .into_iter()
            .find(|d| d.as_str() == s)
            .ok_or_else(|| UnknownName {
                what: "direction",
                name: s.to_owned(),
                expected: Direction::ALL.map(Direction::as_str).join(", "),
            })
    }
}

impl FromStr for Route {
    type Err = UnknownName;
    /// Parses `<kind>.<direction>`, the routing-key form.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (kind, direction) = s.split_once('.').ok_or_else(|| UnknownName {
            what: "route",
            name: s.to_owned(),
            expected: "<kind>.<direction>, e.g. project.to_procore".to_owned(),
        })?;
        Route::new(kind.parse()?, direction.parse()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_at_least_one_direction_and_names_round_trip() {
        for kind in EntityKind::ALL {
            assert!(!kind.directions().is_empty(), "{kind}");
            assert_eq!(kind.as_str().parse::<EntityKind>(), Ok(kind));
        }
    }

    #[test]
    fn routes_follow_the_entity_table() {
        let routes: Vec<String> = Route::all().map(|r| r.routing_key()).collect();
        assert_eq!(routes.len(), 16, "{routes:?}");
        assert!(routes.contains(&"project.to_procore".to_owned()));
        assert!(routes.contains(&"project.to_maestro".to_owned()));
        assert!(routes.contains(&"project_cost.to_procore".to_owned()));
        assert!(!routes.contains(&"project_cost.to_maestro".to_owned()));
        assert!(routes.contains(&"purchase_order.to_maestro".to_owned()));
        assert!(!routes.contains(&"employee.to_maestro".to_owned()));
    }

    #[test]
    fn route_parsing_refuses_a_direction_the_kind_never_takes() {
        assert_eq!(
            "supplier.to_maestro".parse::<Route>(),
            Ok(Route {
                kind: EntityKind::Supplier,
                direction: Direction::ToMaestro
            })
        );
        let err = "employee.to_maestro".parse::<Route>().unwrap_err();
        assert!(err.to_string().contains("employee.to_procore"), "{err}");
        assert!("budget".parse::<Route>().is_err());
        assert!("widget.to_procore".parse::<Route>().is_err());
    }
}
