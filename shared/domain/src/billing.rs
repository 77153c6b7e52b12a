//! Procore prime contracts and their change orders as maestro* progress billing contracts
//! (rules §1 `prime_contract`, `prime_change_order`; §3 "maestro* codes"; docs/rules.md,
//! "Progress Billing Contracts" and "Change Order on Billing Contracts"):
//!
//! - the accounting method says how the contract is billed: by unit/quantity (maestro*
//!   progress type Quantity; quantity, unit of measure and unit price on each line) or by
//!   amount (Rate; the amount on each line);
//! - each Schedule of Values line's cost code becomes the line's activity by the cost-code mode
//!   (rules §4);
//! - a billing contract's number is its project's number, so a project has at most one: a
//!   second prime contract is refused, never merged;
//! - a change order's lines keep their amount, with quantity and unit price when priced by the
//!   unit.

use crate::commitment::CommitmentLine;
use crate::cost_codes::{self, CostCodeError, CostCodeMode};
use crate::text::Fitter;

/// maestro* field lengths of billing records (docs/maestro-xml.md, 6.8).
pub mod billing_limits {
    /// The contract's description (the Procore contract title).
    pub const DESCRIPTION: usize = 100;
    /// A change order's description (Procore title + description).
    pub const CHANGE_ORDER_DESCRIPTION: usize = 2000;
    pub const UNIT: usize = 10;
}

/// How a prime contract is billed (Procore `accounting_method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountingMethod {
    /// `amount`: maestro* progress type Rate.
    Amount,
    /// `unit`: maestro* progress type Quantity.
    Unit,
}

/// Why a prime contract or one of its change orders cannot become a maestro* record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BillingError {
    #[error(
        "its accounting method `{0}` is neither by amount nor by unit/quantity, the two maestro* knows"
    )]
    UnknownMethod(String),
    #[error(
        "project {project} already has a progress billing contract in maestro*{}; a progress billing contract is numbered by its project, so a project has only one. Add this contract's lines to it by hand in maestro*",
        .external.as_deref().map(|e| format!(" (external number {e})")).unwrap_or_default()
    )]
    ContractExists {
        project: String,
        external: Option<String>,
    },
    #[error(transparent)]
    Line(#[from] CostCodeError),
}

impl AccountingMethod {
    /// The method Procore names; a blank one is by amount, Procore's default (design).
    pub fn parse(value: Option<&str>) -> Result<Self, BillingError> {
        match value.map(str::trim).unwrap_or_default() {
            "" | "amount" => Ok(AccountingMethod::Amount),
            "unit" => Ok(AccountingMethod::Unit),
            other => Err(BillingError::UnknownMethod(other.to_owned())),
        }
    }
}

/// A line of a billing contract or change order, ready for maestro*.
#[derive(Debug, Clone, PartialEq)]
pub struct BillingLine {
    pub line_no: u32,
    pub activity: String,
    pub quantity: Option<f64>,
    pub unit: Option<String>,
    pub unit_price: Option<f64>,
    pub amount: Option<f64>,
}

fn activity(
    line: &CommitmentLine<'_>,
    line_no: u32,
    mode: CostCodeMode,
) -> Result<String, CostCodeError> {
    cost_codes::activity(mode, line.cost_code, line.full_code).ok_or(CostCodeError::Missing {
        place: format!("line {line_no}"),
        mode,
    })
}

/// The lines of a billing contract: by unit/quantity they carry quantity, unit and unit price;
/// by amount, the amount only (docs/rules.md, "Cost Breakdown Tab").
pub fn contract_lines(
    lines: &[CommitmentLine<'_>],
    method: AccountingMethod,
    mode: CostCodeMode,
    fit: &mut Fitter,
) -> Result<Vec<BillingLine>, BillingError> {
    let mut out = Vec::with_capacity(lines.len());
    for (index, line) in lines.iter().enumerate() {
        let line_no = line.position.unwrap_or(index as u32 + 1);
        let activity = activity(line, line_no, mode)?;
        let by_unit = method == AccountingMethod::Unit;
        let unit = match by_unit {
            true => fit.fit_opt(
                &format!("line {line_no} unit"),
                line.uom,
                billing_limits::UNIT,
            ),
            false => None,
        };
        out.push(BillingLine {
            line_no,
            activity,
            quantity: by_unit.then_some(line.quantity),
            unit,
            unit_price: by_unit.then_some(line.unit_cost),
            amount: (!by_unit).then_some(line.amount),
        });
    }
    Ok(out)
}

/// The lines of a billing change order: the amount as sent, with quantity and unit price when
/// the line is priced by the unit (docs/rules.md, "Change Order Tab": cost code, unit quantity, unit
/// cost).
pub fn change_order_lines(
    lines: &[CommitmentLine<'_>],
    mode: CostCodeMode,
) -> Result<Vec<BillingLine>, BillingError> {
    let mut out = Vec::with_capacity(lines.len());
    for (index, line) in lines.iter().enumerate() {
        let line_no = line.position.unwrap_or(index as u32 + 1);
        let activity = activity(line, line_no, mode)?;
        let by_unit = line.quantity != 0.0;
        out.push(BillingLine {
            line_no,
            activity,
            quantity: by_unit.then_some(line.quantity),
            unit: None,
            unit_price: by_unit.then_some(line.unit_cost),
            amount: Some(line.amount),
        });
    }
    Ok(out)
}

/// What the project's billing contract in maestro* means for a prime contract whose external
/// number is `ours`: none yet (`Ok(false)`), the one a crashed or concurrent attempt created for
/// it (`Ok(true)`), or another one, which refuses it.
pub fn existing_contract(
    project: &str,
    ours: &str,
    existing: Option<Option<&str>>,
) -> Result<bool, BillingError> {
    match existing {
        None => Ok(false),
        Some(Some(external)) if external == ours => Ok(true),
        Some(external) => Err(BillingError::ContractExists {
            project: project.to_owned(),
            external: external.map(str::to_owned),
        }),
    }
}

/// Whether a Procore status is `Approved` (contracts say `Approved`, packages `approved`).
pub fn is_approved(status: Option<&str>) -> bool {
    status.is_some_and(|s| s.trim().eq_ignore_ascii_case("approved"))
}

/// The link key of a billing change order: its contract (the project number) and its number
/// within it, e.g. `P-100/2`.
pub fn change_order_key(contract_no: &str, number: u32) -> String {
    format!("{contract_no}/{number}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(code: &'static str, full: &'static str) -> CommitmentLine<'static> {
        CommitmentLine {
            position: None,
            amount: 8500.0,
            quantity: 40.0,
            unit_cost: 212.5,
            uom: Some("m3"),
            description: Some("Béton"),
            cost_code: Some(code),
            full_code: Some(full),
            cost_type: None,
        }
    }

    #[test]
    fn the_accounting_method_chooses_the_line_fields() {
        let lines = [line("001", "01-A-001")];
        let cases = [
            (
                AccountingMethod::Amount,
                CostCodeMode::Direct,
                "001",
                None,
                None,
                Some(8500.0),
            ),
            (
                AccountingMethod::Unit,
                CostCodeMode::Concatenated,
                "01-A-001",
                Some(40.0),
                Some(212.5),
                None,
            ),
        ];
        for (method, mode, activity, quantity, price, amount) in cases {
            let mut fit = Fitter::new("prime contract PC-1");
            let got = contract_lines(&lines, method, mode, &mut fit).unwrap();
            assert_eq!(got[0].activity, activity, "{method:?} {mode}");
            assert_eq!(got[0].quantity, quantity, "{method:?}");
            assert_eq!(got[0].unit_price, price, "{method:?}");
            assert_eq!(got[0].amount, amount, "{method:?}");
            assert_eq!(got[0].unit.is_some(), method == AccountingMethod::Unit);
        }
        assert_eq!(AccountingMethod::parse(None), Ok(AccountingMethod::Amount));
        assert_eq!(
            AccountingMethod::parse(Some("unit")),
            Ok(AccountingMethod::Unit)
        );
        assert!(AccountingMethod::parse(Some("lump")).is_err());
    }

    #[test]
    fn a_billing_line_without_cost_code_is_refused_naming_line_and_mode() {
        let mut bare = line("", "");
        bare.position = Some(3);
        let mut fit = Fitter::new("prime contract PC-1");
        let err = contract_lines(
            &[bare.clone()],
            AccountingMethod::Amount,
            CostCodeMode::Direct,
            &mut fit,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("line 3 has no cost code for the direct cost-code mode"),
            "{err}"
        );
        let err = change_order_lines(&[bare], CostCodeMode::Concatenated)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("line 3 has no cost code for the concatenated"),
            "{err}"
        );
    }

    #[test]
    fn a_project_has_one_billing_contract() {
        assert_eq!(existing_contract("P-100", "PC-1", None), Ok(false));
        assert_eq!(
            existing_contract("P-100", "PC-1", Some(Some("PC-1"))),
            Ok(true)
        );
        for other in [Some("PC-2"), None] {
            let err = existing_contract("P-100", "PC-1", Some(other))
                .unwrap_err()
                .to_string();
            assert!(
                err.starts_with(
                    "project P-100 already has a progress billing contract in maestro*"
                ),
                "{err}"
            );
        }
    }

    #[test]
    fn change_order_lines_keep_amounts_and_unit_prices() {
        let mut by_amount = line("002", "01-A-002");
        by_amount.quantity = 0.0;
        let got = change_order_lines(&[line("001", "01-A-001"), by_amount], CostCodeMode::Direct)
            .unwrap();
        assert_eq!(
            (got[0].quantity, got[0].unit_price, got[0].amount),
            (Some(40.0), Some(212.5), Some(8500.0))
        );
        assert_eq!(
            (got[1].line_no, got[1].quantity, got[1].amount),
            (2, None, Some(8500.0))
        );
        assert!(is_approved(Some("approved")) && is_approved(Some("Approved")));
        assert!(!is_approved(Some("pending")) && !is_approved(None));
        assert_eq!(change_order_key("P-100", 2), "P-100/2");
    }
}
