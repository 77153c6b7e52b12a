//! Budgets (rules §1 `original_budget` and `modified_budget`, §4; docs/rules.md "Original Budget"
//! and "Modified Budget"): which lines the maestro* Budget column becomes in Procore, and which
//! Modification values Procore's "Approved COs" column becomes in maestro*.
//!
//! Amounts are whole cents and quantities plain numbers, so that "unchanged" means equal.

use crate::cost_codes::{CostCodeError, CostCodeMode, CostCodeTree, cost_type_of};
use std::collections::BTreeMap;

/// One maestro* activity + group line of the Budget column.
#[derive(Debug, Clone, PartialEq)]
pub struct MaestroBudgetLine {
    pub activity: String,
    pub group: String,
    pub amount_cents: i64,
    pub quantity: f64,
    pub unit: Option<String>,
}

/// One line of the Procore budget as it stands.
#[derive(Debug, Clone, PartialEq)]
pub struct ProcoreBudgetLine {
    pub id: i64,
    pub cost_code_id: i64,
    pub cost_type_id: i64,
    pub amount_cents: i64,
}

/// One line to send through the budget line items sync: `id` when it updates a line.
#[derive(Debug, Clone, PartialEq)]
pub struct BudgetLineOut {
    pub id: Option<i64>,
    pub cost_code_id: i64,
    pub cost_type_id: i64,
    pub amount_cents: i64,
    /// Quantity, unit and unit cost, only when maestro* has a quantity.
    pub quantity: Option<Quantities>,
    /// The maestro* activity and group, for messages.
    pub activity: String,
    pub group: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Quantities {
    pub quantity: f64,
    pub unit: Option<String>,
    pub unit_cost: f64,
}

/// A budget line whose activity or group has no Procore match: names the activity, the group
/// and the mode (rules §4).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("budget line of activity {activity}, group {group} ({mode} cost-code mode): {error}")]
pub struct LineError {
    pub activity: String,
    pub group: String,
    pub mode: CostCodeMode,
    pub error: CostCodeError,
}

/// A project's Procore cost codes and cost types, as the flows match them.
pub struct Catalog<'a> {
    pub mode: CostCodeMode,
    pub codes: &'a CostCodeTree,
    /// Cost types as `(id, code)`.
    pub types: &'a [(i64, &'a str)],
}

/// The lines that make the Procore budget equal to maestro*'s Budget column (docs/rules.md,
/// "Original Budget"): one per activity + group with an amount or a quantity, zero lines left
/// out; maestro* wins on every difference; a Procore line maestro* no longer has is set to
/// zero; a line already equal is not sent. Empty when the budgets already agree.
pub fn original_budget(
    maestro: &[MaestroBudgetLine],
    procore: &[ProcoreBudgetLine],
    catalog: &Catalog<'_>,
) -> Result<Vec<BudgetLineOut>, Vec<LineError>> {
    let mut wanted: BTreeMap<(i64, i64), BudgetLineOut> = BTreeMap::new();
    let mut errors = Vec::new();
    for line in maestro {
        if line.amount_cents == 0 && line.quantity == 0.0 {
            continue;
        }
        let fail = |error| LineError {
            activity: line.activity.trim().to_owned(),
            group: line.group.trim().to_owned(),
            mode: catalog.mode,
            error,
        };
        let code = catalog.codes.resolve(&line.activity, catalog.mode);
        let kind = cost_type_of(&line.group, catalog.types);
        let (code, kind) = match (code, kind) {
            (Ok(code), Ok(kind)) => (code, kind),
            (Err(e), _) | (_, Err(e)) => {
                errors.push(fail(e));
                continue;
            }
        };
        let quantity = (line.quantity != 0.0).then(|| Quantities {
            quantity: line.quantity,
            unit: line.unit.clone().filter(|u| !u.trim().is_empty()),
            unit_cost: round4(line.amount_cents as f64 / 100.0 / line.quantity),
        });
        let entry = wanted.entry((code, kind)).or_insert_with(|| BudgetLineOut {
            id: None,
            cost_code_id: code,
            cost_type_id: kind,
            amount_cents: 0,
            quantity: None,
            activity: line.activity.trim().to_owned(),
            group: line.group.trim().to_owned(),
        });
        entry.amount_cents += line.amount_cents;
        entry.quantity = entry.quantity.take().or(quantity);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut out = Vec::new();
    for existing in procore {
        let key = (existing.cost_code_id, existing.cost_type_id);
        match wanted.remove(&key) {
            Some(line) if line.amount_cents == existing.amount_cents => {}
            Some(line) => out.push(BudgetLineOut {
                id: Some(existing.id),
                ..line
            }),
            None if existing.amount_cents != 0 => out.push(BudgetLineOut {
                id: Some(existing.id),
                cost_code_id: existing.cost_code_id,
                cost_type_id: existing.cost_type_id,
                amount_cents: 0,
                quantity: Some(Quantities {
                    quantity: 0.0,
                    unit: None,
                    unit_cost: 0.0,
                }),
                activity: String::new(),
                group: String::new(),
            }),
            None => {}
        }
    }
    out.extend(wanted.into_values());
    Ok(out)
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// Procore money (a float) as whole cents.
pub fn cents(amount: f64) -> i64 {
    (amount * 100.0).round() as i64
}

/// One row of the Procore budget view, named by maestro* activity and group.
#[derive(Debug, Clone, PartialEq)]
pub struct ApprovedCos {
    pub activity: String,
    pub group: String,
    pub amount_cents: i64,
}

/// A new value of maestro*'s Modification column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Modification {
    pub activity: String,
    pub group: String,
    pub amount_cents: i64,
}

/// What "Approved COs" makes of maestro*'s Modification column (docs/rules.md, "Modified
/// Budget"): the rows of one activity + group summed; only values that differ from what
/// maestro* holds (`current`, by activity and group) are sent. `exists` says whether maestro*
/// has the activity + group (rules §2); the others come back apart, to be named.
pub fn modifications(
    rows: &[ApprovedCos],
    current: &BTreeMap<(String, String), i64>,
    exists: impl Fn(&str, &str) -> bool,
) -> (Vec<Modification>, Vec<(String, String)>) {
    let mut sums: BTreeMap<(String, String), i64> = BTreeMap::new();
    for row in rows {
        let key = (row.activity.trim().to_owned(), row.group.trim().to_owned());
        *sums.entry(key).or_default() += row.amount_cents;
    }
    let (mut changes, mut missing) = (Vec::new(), Vec::new());
    for ((activity, group), amount) in sums {
        let now = current
            .get(&(activity.clone(), group.clone()))
            .copied()
            .unwrap_or(0);
        if now == amount {
            continue;
        }
        if !exists(&activity, &group) {
            missing.push((activity, group));
            continue;
        }
        changes.push(Modification {
            activity,
            group,
            amount_cents: amount,
        });
    }
    (changes, missing)
}

/// The key of the column named `name` in the budget view's rows: the name itself when rows
/// carry it, else the id the view's detail columns give that name (Procore: "the ID field of
/// each budget column appears as keys in rows"); `None` rather than a guess.
pub fn column_key<'a>(
    row_keys: impl IntoIterator<Item = &'a str>,
    columns: &[(String, String)],
    name: &str,
) -> Option<String> {
    if row_keys.into_iter().any(|k| k == name) {
        return Some(name.to_owned());
    }
    columns
        .iter()
        .find(|(_, n)| n.trim().eq_ignore_ascii_case(name.trim()))
        .map(|(id, _)| id.clone())
}

#[cfg(test)]
#[path = "budget_tests.rs"]
mod tests;
