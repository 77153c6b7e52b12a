//! Procore commitments (purchase orders, subcontracts) as maestro* orders, rules §1 and §3:
//! each Schedule of Values line becomes a cost-breakdown line (cost code → activity by the
//! cost-code mode, cost type → group, amounts as Procore sends them); the Procore number goes to
//! the external number ("No Externe", 40); change orders on purchase orders are not sent.

use crate::cost_codes::{self, CostCodeError, CostCodeMode};
use crate::text::{Fitter, limits};

/// maestro* field lengths of a breakdown line (docs/maestro-xml.md).
pub mod line_limits {
    pub const DESCRIPTION: usize = 60;
    pub const UNIT: usize = 10;
}

/// The words of docs/rules.md on change orders made to a purchase order (rules §1).
pub const PURCHASE_ORDER_CHANGE_ORDERS: &str = "Procore allows to make change orders to an order. It is however not permitted at this time. It will therefore be impossible to synchronize with maestro* for this type of transaction.";

/// The commitment a change order is made on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Commitment {
    PurchaseOrder,
    Subcontract,
}

/// Why a change order is not sent, or `None` when it may be: only subcontract change orders
/// are synchronized; those on purchase orders are `skipped` with the seed's words.
pub fn change_order_skip(on: Commitment) -> Option<&'static str> {
    match on {
        Commitment::PurchaseOrder => Some(PURCHASE_ORDER_CHANGE_ORDERS),
        Commitment::Subcontract => None,
    }
}

/// One Schedule of Values line as Procore shows it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CommitmentLine<'a> {
    pub position: Option<u32>,
    pub amount: f64,
    pub quantity: f64,
    pub unit_cost: f64,
    pub uom: Option<&'a str>,
    pub description: Option<&'a str>,
    pub cost_code: Option<&'a str>,
    pub full_code: Option<&'a str>,
    /// The cost type's (line item type's) code.
    pub cost_type: Option<&'a str>,
}

/// A maestro* cost-breakdown line; quantity and unit price only for lines priced by the unit.
#[derive(Debug, Clone, PartialEq)]
pub struct BreakdownLine {
    pub line_no: u32,
    pub activity: String,
    pub group: String,
    pub description: Option<String>,
    pub quantity: Option<f64>,
    pub unit: Option<String>,
    pub unit_price: Option<f64>,
    pub amount: f64,
}

/// The breakdown lines of a commitment; descriptions and units cut with warnings.
pub fn breakdown(
    lines: &[CommitmentLine<'_>],
    mode: CostCodeMode,
    fit: &mut Fitter,
) -> Result<Vec<BreakdownLine>, CostCodeError> {
    let mut out = Vec::with_capacity(lines.len());
    for (index, line) in lines.iter().enumerate() {
        let line_no = line.position.unwrap_or(index as u32 + 1);
        let place = || format!("line {line_no}");
        let activity =
            cost_codes::activity(mode, line.cost_code, line.full_code).ok_or_else(|| {
                CostCodeError::Missing {
                    place: place(),
                    mode,
                }
            })?;
        let group = line
            .cost_type
            .map(str::trim)
            .filter(|g| !g.is_empty())
            .ok_or_else(|| CostCodeError::NoCostType { place: place() })?;
        let by_unit = line.quantity != 0.0;
        out.push(BreakdownLine {
            line_no,
            activity,
            group: group.to_owned(),
            description: fit.fit_opt(
                &format!("line {line_no} description"),
                line.description,
                line_limits::DESCRIPTION,
            ),
            quantity: by_unit.then_some(line.quantity),
            unit: fit.fit_opt(&format!("line {line_no} unit"), line.uom, line_limits::UNIT),
            unit_price: by_unit.then_some(line.unit_cost),
            amount: line.amount,
        });
    }
    Ok(out)
}

/// Why a Procore number cannot be an external number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExternalNumberError {
    #[error("it has no number in Procore; the number becomes the maestro* external number")]
    Blank,
    #[error(
        "its number {number} has the same first 40 characters ({external}) as {other}, already sent as maestro* order {order}; give one of them a number that differs within its first 40 characters"
    )]
    Collision {
        number: String,
        external: String,
        other: String,
        order: String,
    },
}

/// The maestro* external number of Procore number `number`: cut to 40 with a warning.
pub fn external_number(number: &str, fit: &mut Fitter) -> Result<String, ExternalNumberError> {
    if number.trim().is_empty() {
        return Err(ExternalNumberError::Blank);
    }
    Ok(fit.fit(
        "external number (Procore number)",
        number,
        limits::EXTERNAL_NUMBER,
    ))
}

/// Refuses to link a commitment to the maestro* order `order` already carrying its external
/// number when that order belongs to another Procore commitment (`other`, in the user's
/// words): two numbers alike in their first 40 characters never share one order.
pub fn check_external_number(
    number: &str,
    external: &str,
    order: &str,
    other: Option<&str>,
) -> Result<(), ExternalNumberError> {
    match other {
        None => Ok(()),
        Some(other) => Err(ExternalNumberError::Collision {
            number: number.trim().to_owned(),
            external: external.to_owned(),
            other: other.to_owned(),
            order: order.to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines() -> Vec<CommitmentLine<'static>> {
        vec![
            CommitmentLine {
                position: Some(1),
                amount: 8500.0,
                quantity: 40.0,
                unit_cost: 212.5,
                uom: Some("m3"),
                description: Some("Béton 35 MPa"),
                cost_code: Some("001"),
                full_code: Some("01-A-001"),
                cost_type: Some("MAT"),
            },
            CommitmentLine {
                amount: 99.5,
                cost_code: Some("002"),
                full_code: Some("01-A-002"),
                cost_type: Some("SST"),
                ..CommitmentLine::default()
            },
        ]
    }

    #[test]
    fn lines_follow_the_cost_code_mode_and_keep_amounts() {
        let cases = [
            (CostCodeMode::Direct, ["001", "002"]),
            (CostCodeMode::Concatenated, ["01-A-001", "01-A-002"]),
        ];
        for (mode, activities) in cases {
            let mut fit = Fitter::new("purchase order PO-1");
            let got = breakdown(&lines(), mode, &mut fit).unwrap();
            let summary: Vec<(u32, &str, &str, f64, Option<f64>)> = got
                .iter()
                .map(|l| {
                    (
                        l.line_no,
                        l.activity.as_str(),
                        l.group.as_str(),
                        l.amount,
                        l.quantity,
                    )
                })
                .collect();
            assert_eq!(
                summary,
                [
                    (1, activities[0], "MAT", 8500.0, Some(40.0)),
                    (2, activities[1], "SST", 99.5, None)
                ],
                "{mode}"
            );
            assert_eq!(
                got[1].unit_price, None,
                "an amount-only line has no unit price"
            );
        }
    }

    #[test]
    fn a_line_without_cost_code_or_type_is_refused_naming_line_and_mode() {
        let mut no_code = lines();
        no_code[1].full_code = None;
        let e =
            breakdown(&no_code, CostCodeMode::Concatenated, &mut Fitter::new("po")).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("line 2 has no cost code for the concatenated"),
            "{e}"
        );
        let mut no_type = lines();
        no_type[0].cost_type = Some(" ");
        let e = breakdown(&no_type, CostCodeMode::Direct, &mut Fitter::new("po")).unwrap_err();
        assert!(e.to_string().starts_with("line 1 has no cost type"), "{e}");
    }

    #[test]
    fn the_external_number_is_cut_to_40_and_never_shared() {
        let long = "PO-2026-GARAGE-MUNICIPAL-LAVAL-PHASE-2-BETON-A";
        let mut fit = Fitter::new("purchase order X");
        let external = external_number(long, &mut fit).unwrap();
        assert_eq!(external, "PO-2026-GARAGE-MUNICIPAL-LAVAL-PHASE-2-B");
        assert_eq!(
            fit.warnings()[0].0,
            "purchase order X: external number (Procore number) cut to 40 characters (it had 46)"
        );
        assert_eq!(
            external_number(" ", &mut fit),
            Err(ExternalNumberError::Blank)
        );
        assert_eq!(
            check_external_number(long, &external, "000123", None),
            Ok(())
        );
        let e = check_external_number(long, &external, "000123", Some("purchase order 77"))
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("as purchase order 77, already sent as maestro* order 000123"),
            "{e}"
        );
    }

    #[test]
    fn change_orders_on_purchase_orders_are_skipped_with_the_seed_words() {
        let cases = [
            (
                Commitment::PurchaseOrder,
                Some(PURCHASE_ORDER_CHANGE_ORDERS),
            ),
            (Commitment::Subcontract, None),
        ];
        for (on, expected) in cases {
            assert_eq!(change_order_skip(on), expected);
        }
        assert!(PURCHASE_ORDER_CHANGE_ORDERS.contains("not permitted at this time"));
    }
}
