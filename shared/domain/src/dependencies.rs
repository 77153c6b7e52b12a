//! Which kind waits for which before it can be written (rules §2, "Dependencies"). Flows
//! ask this table instead of deciding their waits themselves.

use crate::entity::EntityKind;

/// A record a kind needs linked (or synchronized) before it can be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prerequisite {
    pub kind: EntityKind,
    /// The part of the record that points at it, in the user's words ("its vendor").
    pub role: &'static str,
}

/// What `kind` needs before it can be written, in the order to check it.
pub fn prerequisites(kind: EntityKind) -> &'static [Prerequisite] {
    use EntityKind::*;
    match kind {
        Project | Supplier | Customer | Employee => &[],
        OriginalBudget | ModifiedBudget | OrderInvoice => &[Prerequisite {
            kind: Project,
            role: "its project",
        }],
        PurchaseOrder | Subcontract => &[
            Prerequisite {
                kind: Project,
                role: "its project",
            },
            Prerequisite {
                kind: Supplier,
                role: "its vendor",
            },
        ],
        SubcontractChangeOrder => &[Prerequisite {
            kind: Subcontract,
            role: "its subcontract",
        }],
        PrimeContract => &[
            Prerequisite {
                kind: Project,
                role: "its project",
            },
            Prerequisite {
                kind: Customer,
                role: "its owner company",
            },
        ],
        PrimeChangeOrder => &[Prerequisite {
            kind: PrimeContract,
            role: "its prime contract",
        }],
        ProjectCost => &[
            Prerequisite {
                kind: Project,
                role: "its project",
            },
            Prerequisite {
                kind: Supplier,
                role: "its supplier",
            },
        ],
    }
}

/// Whether `kind` waits for `other` (directly).
pub fn waits_for(kind: EntityKind, other: EntityKind) -> bool {
    prerequisites(kind).iter().any(|p| p.kind == other)
}

#[cfg(test)]
mod tests {
    use super::*;
    use EntityKind::*;

    #[test]
    fn the_table_of_entities_2() {
        let cases: [(EntityKind, &[EntityKind]); 13] = [
            (Project, &[]),
            (Supplier, &[]),
            (Customer, &[]),
            (Employee, &[]),
            (OriginalBudget, &[Project]),
            (ModifiedBudget, &[Project]),
            (PurchaseOrder, &[Project, Supplier]),
            (Subcontract, &[Project, Supplier]),
            (SubcontractChangeOrder, &[Subcontract]),
            (PrimeContract, &[Project, Customer]),
            (PrimeChangeOrder, &[PrimeContract]),
            (ProjectCost, &[Project, Supplier]),
            (OrderInvoice, &[Project]),
        ];
        for (kind, expected) in cases {
            let got: Vec<EntityKind> = prerequisites(kind).iter().map(|p| p.kind).collect();
            assert_eq!(got, expected, "{kind}");
        }
        assert!(waits_for(PurchaseOrder, Supplier));
        assert!(!waits_for(Supplier, PurchaseOrder));
    }

    #[test]
    fn nothing_waits_in_a_circle() {
        for kind in EntityKind::ALL {
            let mut next: Vec<EntityKind> = prerequisites(kind).iter().map(|p| p.kind).collect();
            while let Some(k) = next.pop() {
                assert_ne!(k, kind, "{kind} waits for itself");
                next.extend(prerequisites(k).iter().map(|p| p.kind));
            }
        }
    }
}
