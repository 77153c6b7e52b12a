//! Which Procore webhook resources the bridge syncs, onto which routes, and how each route's
//! event names its record (rules §1 and §2; docs/architecture.md, "Ingress", routing).
//!
//! Names are Procore's trigger resource names. Line-item resources are not routed: commitments
//! and costs are created whole when their parent is approved, and later edits are not
//! propagated (creation only), so a line-item event carries nothing a worker would act on.

use crate::{Direction, EntityKind};

/// How the event of one route names its record, from the id Procore gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKey {
    /// The record is the changed resource itself: its id as Procore gives it.
    Itself,
    /// The record is the company that owns the changed prime contract (its `vendor_id`),
    /// written `prime_contract:<contract id>` (read back by `party::CompanyRecord::parse`): the
    /// worker reads the contract to find it. A contract id is never a company id (rules §1,
    /// Customers).
    OwnerOfPrimeContract,
}

/// One route an event on a resource feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Feed {
    pub kind: EntityKind,
    pub direction: Direction,
    pub key: RecordKey,
}

impl Feed {
    const fn of(kind: EntityKind) -> Feed {
        Feed {
            kind,
            direction: Direction::ToMaestro,
            key: RecordKey::Itself,
        }
    }

    pub fn route(&self) -> (EntityKind, Direction) {
        (self.kind, self.direction)
    }

    /// The event's record for the changed resource whose Procore id is `id`.
    pub fn record(&self, id: &str) -> String {
        match self.key {
            RecordKey::Itself => id.to_owned(),
            RecordKey::OwnerOfPrimeContract => {
                format!("{}{id}", crate::party::PRIME_CONTRACT_PREFIX)
            }
        }
    }
}

/// The routes an event on `resource` feeds; empty when the bridge does not sync it.
pub fn routes(resource: &str) -> &'static [Feed] {
    use EntityKind::*;
    // Inline `const` blocks: a `const fn` call is not promoted to a `'static` value.
    match resource {
        "Projects" => const { &[Feed::of(Project)] },
        // A directory company may be a supplier, an owner (customer), or neither; each worker
        // applies its own rules (keywords, prime-contract ownership).
        "Company Vendors" | "Project Vendors" => {
            const { &[Feed::of(Supplier), Feed::of(Customer)] }
        }
        "Purchase Order Contracts" => const { &[Feed::of(PurchaseOrder)] },
        "Work Order Contracts" => const { &[Feed::of(Subcontract)] },
        // The owner of a prime contract is the maestro* customer it is billed to.
        "Prime Contracts" => {
            const {
                &[
                    Feed::of(PrimeContract),
                    Feed {
                        key: RecordKey::OwnerOfPrimeContract,
                        ..Feed::of(Customer)
                    },
                ]
            }
        }
        // Commitment and prime change orders surface through their packages; approved ones
        // also change the budget's "Approved COs" column.
        "Change Order Packages" => {
            const {
                &[
                    Feed::of(SubcontractChangeOrder),
                    Feed::of(PrimeChangeOrder),
                    Feed::of(ModifiedBudget),
                ]
            }
        }
        "Budget Changes" | "Budget Modifications" => const { &[Feed::of(ModifiedBudget)] },
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
    use crate::party::CompanyRecord;
    use EntityKind::*;

    #[test]
    fn every_subscribed_resource_feeds_a_route_that_exists() {
        for resource in SUBSCRIBED {
            let feeds = routes(resource);
            assert!(!feeds.is_empty(), "{resource}");
            for feed in feeds {
                assert!(feed.kind.travels(feed.direction), "{resource}: {feed:?}");
            }
        }
        assert!(routes("RFIs").is_empty());
        assert!(routes("Direct Cost Line Items").is_empty());
    }

    #[test]
    fn each_route_names_its_record() {
        // (resource, Procore id, expected (kind, record) per route)
        type Case = (
            &'static str,
            &'static str,
            &'static [(EntityKind, &'static str)],
        );
        let cases: &[Case] = &[
            ("Projects", "11", &[(Project, "11")]),
            ("Company Vendors", "7", &[(Supplier, "7"), (Customer, "7")]),
            ("Project Vendors", "7", &[(Supplier, "7"), (Customer, "7")]),
            // rules §1: the customer of a prime contract is its owner, never the contract.
            (
                "Prime Contracts",
                "900",
                &[(PrimeContract, "900"), (Customer, "prime_contract:900")],
            ),
            ("Work Order Contracts", "5", &[(Subcontract, "5")]),
            ("RFIs", "1", &[]),
        ];
        for (resource, id, expected) in cases {
            let got: Vec<(EntityKind, String)> = routes(resource)
                .iter()
                .map(|f| (f.kind, f.record(id)))
                .collect();
            let want: Vec<(EntityKind, String)> = expected
                .iter()
                .map(|(k, r)| (*k, (*r).to_owned()))
                .collect();
            assert_eq!(got, want, "{resource}");
        }
    }

    #[test]
    fn a_prime_contract_record_reads_back_as_the_contract_never_as_a_company() {
        let feeds = routes("Prime Contracts");
        let customer = feeds.iter().find(|f| f.kind == Customer).unwrap();
        assert_eq!(
            CompanyRecord::parse(&customer.record("900")),
            Ok(CompanyRecord::PrimeContract(900))
        );
        let vendor = routes("Company Vendors")[1];
        assert_eq!(vendor.kind, Customer);
        assert_eq!(
            CompanyRecord::parse(&vendor.record("7")),
            Ok(CompanyRecord::Company(7))
        );
    }
}
