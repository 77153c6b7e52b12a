//! Which Procore webhook resources the bridge syncs, and onto which routes.
//!
//! Names are Procore's trigger resource names. Line-item resources are not routed: commitments
//! and costs are created whole when their parent is approved, and later edits are not
//! propagated (creation only), so a line-item event carries nothing a worker would act on.

use crate::{Direction, EntityKind};

/// The routes an event on `resource` feeds; empty when the bridge does not sync it.
pub fn routes(resource: &str) -> &'static [(EntityKind, Direction)] {
    use Direction::ToMaestro as M;
    use EntityKind::*;
    match resource {
        "Projects" => &[(Project, M)],
        // A directory company may be a supplier, an owner (customer), or neither; each worker
        // applies its own rules (keywords, prime-contract ownership).
        "Company Vendors" | "Project Vendors" => &[(Supplier, M), (Customer, M)],
        "Purchase Order Contracts" => &[(PurchaseOrder, M)],
        "Work Order Contracts" => &[(Subcontract, M)],
        // The owner of a prime contract is the maestro* customer it is billed to.
        "Prime Contracts" => &[(PrimeContract, M), (Customer, M)],
        // Commitment and prime change orders surface through their packages; approved ones
        // also change the budget's "Approved COs" column.
        "Change Order Packages" => &[
            (SubcontractChangeOrder, M),
            (PrimeChangeOrder, M),
            (ModifiedBudget, M),
        ],
        "Budget Changes" | "Budget Modifications" => &[(ModifiedBudget, M)],
        _ => &[],
    }
}

/// Every resource the bridge subscribes to, for hook installation.
pub const SUBSCRIBED: &[&str] = &[
    "Projects",
    "Company Vendors",
    "Purchase Order Contracts",
    "Work Order Contracts",
    "Prime Contracts",
    "Change Order Packages",
    "Budget Changes",
    "Budget Modifications",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_subscribed_resource_feeds_a_route_that_exists() {
        for resource in SUBSCRIBED {
            let routes = routes(resource);
            assert!(!routes.is_empty(), "{resource}");
            for (kind, direction) in routes {
                assert!(kind.travels(*direction), "{resource}: {kind} {direction}");
            }
        }
        assert!(routes("RFIs").is_empty());
        assert!(routes("Direct Cost Line Items").is_empty());
    }
}
