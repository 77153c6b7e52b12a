//! The maestro* poller's pure planning: which records are eligible, the dedup key of each
//! change (with the fingerprint that makes a fixed record count as new), which kind a
//! transaction is, and where the transaction cursor may move. No IO here; `super` reads
//! maestro* and Postgres and writes.

use bridge_domain::EntityKind;
use bridge_maestro::{
    BudgetLine, Customer, CustomerStatus, Employee, EmployeeStatus, Project, Supplier, Transaction,
    TypeCode,
};
use chrono::NaiveDate;
use serde::Serialize;
use sha2::{Digest as _, Sha256};
use std::collections::{BTreeMap, HashSet};

/// The maestro* kinds the poller reads, in the order a first load needs them.
pub const KINDS: [EntityKind; 7] = [
    EntityKind::Project,
    EntityKind::Supplier,
    EntityKind::Customer,
    EntityKind::Employee,
    EntityKind::OriginalBudget,
    EntityKind::ProjectCost,
    EntityKind::OrderInvoice,
];

/// Whether a pass over `kinds` needs the list of eligible projects.
pub fn needs_projects(kinds: &[EntityKind]) -> bool {
    kinds.iter().any(|k| {
        matches!(
            k,
            EntityKind::Project
                | EntityKind::OriginalBudget
                | EntityKind::ProjectCost
                | EntityKind::OrderInvoice
        )
    })
}

/// A short digest of a record's content, for dedup keys that change when the record does.
pub fn fingerprint(value: &impl Serialize) -> String {
    let bytes = serde_json::to_vec(value).unwrap_or_default();
    Sha256::digest(&bytes)[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A maestro* record sent to Procore while it is not linked yet: projects, suppliers,
/// customers, employees. Its dedup key carries a fingerprint of its content, so a record its
/// user fixes (a project given its dates) is sent again, while an unchanged one never is.
pub trait Unlinked: Serialize + Sized {
    const KIND: EntityKind;
    /// Its code in maestro* (the record of its events).
    fn code(&self) -> &str;
    /// Whether it is to be synchronized at all.
    fn eligible(&self) -> bool;
    /// The project its events belong to.
    fn project(&self) -> Option<&str> {
        None
    }
    fn key(&self) -> String {
        format!(
            "maestro:{}:{}:{}",
            Self::KIND,
            self.code(),
            fingerprint(self)
        )
    }
}

impl Unlinked for Project {
    const KIND: EntityKind = EntityKind::Project;
    fn code(&self) -> &str {
        self.code.as_str()
    }
    /// The project list is already the eligible projects of the connection.
    fn eligible(&self) -> bool {
        true
    }
    fn project(&self) -> Option<&str> {
        Some(self.code.as_str())
    }
}

impl Unlinked for Supplier {
    const KIND: EntityKind = EntityKind::Supplier;
    fn code(&self) -> &str {
        &self.code
    }
    fn eligible(&self) -> bool {
        self.active && self.sync
    }
}

impl Unlinked for Customer {
    const KIND: EntityKind = EntityKind::Customer;
    fn code(&self) -> &str {
        &self.code
    }
    fn eligible(&self) -> bool {
        self.status == CustomerStatus::Active && self.sync
    }
}

impl Unlinked for Employee {
    const KIND: EntityKind = EntityKind::Employee;
    fn code(&self) -> &str {
        &self.number
    }
    fn eligible(&self) -> bool {
        self.status == EmployeeStatus::Active
    }
}

/// A transaction is sent once, whatever changes later.
pub fn transaction_key(kind: EntityKind, t: &Transaction) -> String {
    format!("maestro:{kind}:{}", t.id)
}

/// The original budget of a project, keyed by the content of its Budget column only: the
/// Modification column comes back from Procore and must not make the budget look changed.
pub fn budget_key(project: &str, lines: &[BudgetLine]) -> String {
    let mut content: Vec<_> = lines
        .iter()
        .map(|l| {
            (
                &l.activity,
                &l.group,
                &l.unit,
                l.budget_amount.to_string(),
                l.budget_quantity.to_string(),
            )
        })
        .collect();
    content.sort();
    format!(
        "maestro:original_budget:{project}:{}",
        fingerprint(&content)
    )
}

pub fn transaction_kind(t: &Transaction) -> EntityKind {
    if t.type_code == TypeCode::ORDER_INVOICING {
        EntityKind::OrderInvoice
    } else {
        EntityKind::ProjectCost
    }
}

/// Whether a transaction is still to send: eligible, of the project, and after the project's
/// transaction cursor (the sub-tab's rule, applied here as well as in the query).
pub fn transaction_due(p: &Project, t: &Transaction) -> bool {
    t.is_eligible() && t.project == p.code && after_cursor(p, t)
}

fn after_cursor(p: &Project, t: &Transaction) -> bool {
    match p.procore.transaction_cursor() {
        Some((date, false)) => t.accounting_date > date,
        Some((date, true)) => t.accounting_date >= date,
        None => true,
    }
}

/// Whether a sync item status ends a transaction's journey (the cursor may pass it).
pub fn finished(status: &str) -> bool {
    matches!(status, "synced" | "skipped" | "dead")
}

/// Where the project's last successful transaction date moves: the latest date whose every
/// transaction, and every earlier one, is finished; `None` when it does not move (nothing
/// finished, or not past the current date).
pub fn next_cursor(
    current: Option<NaiveDate>,
    due: &[&Transaction],
    finished: &HashSet<String>,
) -> Option<NaiveDate> {
    let mut by_date: BTreeMap<NaiveDate, bool> = BTreeMap::new();
    for t in due {
        let done = finished.contains(&t.id);
        by_date
            .entry(t.accounting_date)
            .and_modify(|all| *all &= done)
            .or_insert(done);
    }
    let reached = by_date
        .iter()
        .take_while(|(_, all_done)| **all_done)
        .map(|(date, _)| *date)
        .last()?;
    match current {
        Some(current) if current >= reached => None,
        _ => Some(reached),
    }
}

/// Splits the rows an insert reported new among the kinds of the chunk: `(kind, new,
/// already sent)` per kind. The insert reports a total; a chunk holds one kind in practice.
pub fn attribute(
    kinds: impl IntoIterator<Item = EntityKind>,
    inserted: u64,
) -> Vec<(EntityKind, u64, u64)> {
    let mut per_kind: BTreeMap<EntityKind, u64> = BTreeMap::new();
    for kind in kinds {
        *per_kind.entry(kind).or_default() += 1;
    }
    let mut left = inserted;
    per_kind
        .into_iter()
        .map(|(kind, n)| {
            let new = n.min(left);
            left -= new;
            (kind, new, n - new)
        })
        .collect()
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
