//! A Procore commitment as the flows read it (Show shape) and its lines mapped to maestro*
//! cost-breakdown lines: cost code → activity by the connection's cost-code mode, cost type →
//! group, amounts kept exactly as Procore sends them.

use crate::flows::settings::CostCodeMode;
use crate::flows::text::Fitter;
use bridge_maestro::{self as mx, CostLine, limits};
use bridge_procore::{Amount, ProcoreId};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;

/// A purchase order contract as the flow reads it (Show shape).
#[derive(Debug, Deserialize)]
pub(crate) struct PurchaseOrder {
    pub(crate) id: ProcoreId,
    #[serde(default)]
    pub(crate) number: Option<String>,
    #[serde(default)]
    pub(crate) title: Option<String>,
    #[serde(default)]
    pub(crate) description: Option<String>,
    #[serde(default)]
    pub(crate) status: Option<String>,
    #[serde(default)]
    pub(crate) retainage_percent: Amount,
    #[serde(default)]
    pub(crate) contract_date: Option<NaiveDate>,
    #[serde(default)]
    pub(crate) delivery_date: Option<NaiveDate>,
    #[serde(default)]
    pub(crate) created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub(crate) vendor: Option<Party>,
    #[serde(default)]
    pub(crate) line_items: Vec<Line>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Party {
    pub(crate) id: ProcoreId,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Line {
    #[serde(default)]
    pub(crate) position: Option<u32>,
    #[serde(default)]
    pub(crate) amount: Amount,
    #[serde(default)]
    pub(crate) quantity: Amount,
    #[serde(default)]
    pub(crate) unit_cost: Amount,
    #[serde(default)]
    pub(crate) uom: Option<String>,
    #[serde(default)]
    pub(crate) description: Option<String>,
    #[serde(default)]
    pub(crate) cost_code: Option<Code>,
    #[serde(default)]
    pub(crate) line_item_type: Option<Code>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Code {
    #[serde(default)]
    pub(crate) code: Option<String>,
    #[serde(default)]
    pub(crate) full_code: Option<String>,
}

fn amount(value: f64) -> Option<mx::Amount> {
    format!("{value:.2}").parse().ok()
}

pub(crate) fn quantity(value: f64) -> Option<mx::Quantity> {
    format!("{value:.4}").parse().ok()
}

/// The maestro* activity of a Procore cost code, by the connection's cost-code mode.
fn activity(code: &Code, mode: CostCodeMode) -> Option<String> {
    let value = match mode {
        CostCodeMode::Direct => code.code.as_deref(),
        CostCodeMode::Concatenated => code.full_code.as_deref(),
    };
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

pub(crate) fn lines(
    po: &PurchaseOrder,
    mode: CostCodeMode,
    fit: &mut Fitter,
) -> Result<Vec<CostLine>, String> {
    let mut out = Vec::with_capacity(po.line_items.len());
    for (index, line) in po.line_items.iter().enumerate() {
        let line_no = line.position.unwrap_or(index as u32 + 1);
        let activity = line
            .cost_code
            .as_ref()
            .and_then(|c| activity(c, mode))
            .ok_or_else(|| {
                format!(
                    "line {line_no} has no cost code for the {} cost-code mode; every line needs one, since it becomes the maestro* activity",
                    mode.as_str()
                )
            })?;
        let group = line
            .line_item_type
            .as_ref()
            .and_then(|t| t.code.as_deref())
            .map(str::trim)
            .filter(|g| !g.is_empty())
            .ok_or_else(|| {
                format!("line {line_no} has no cost type; it becomes the maestro* group, so every line needs one")
            })?;
        let bad = |what: &str, v: f64| {
            format!("line {line_no}: {what} {v} cannot be written in maestro*")
        };
        // Quantity and unit price only for lines priced by the unit.
        let (quantity, unit_price) = if line.quantity.0 == 0.0 {
            (None, None)
        } else {
            (
                Some(quantity(line.quantity.0).ok_or_else(|| bad("quantity", line.quantity.0))?),
                Some(amount(line.unit_cost.0).ok_or_else(|| bad("unit price", line.unit_cost.0))?),
            )
        };
        out.push(CostLine {
            line_no,
            activity,
            group: group.to_owned(),
            description: fit.fit_opt(
                &format!("line {line_no} description"),
                line.description.as_deref(),
                limits::SHORT_DESCRIPTION,
            ),
            quantity,
            unit: fit.fit_opt(
                &format!("line {line_no} unit"),
                line.uom.as_deref(),
                limits::UNIT,
            ),
            unit_price,
            amount: amount(line.amount.0).ok_or_else(|| bad("amount", line.amount.0))?,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn order() -> PurchaseOrder {
        serde_json::from_value(json!({
            "id": 1, "number": "PO-1", "status": "Approved", "retainage_percent": "10.00",
            "created_at": "2026-05-04T13:00:00.000Z",
            "line_items": [
                { "position": 1, "amount": "8500.00", "quantity": "40.00", "unit_cost": "212.50", "uom": "m3",
                  "cost_code": { "code": "001", "full_code": "01-A-001" }, "line_item_type": { "code": "MAT" } },
                { "amount": 99.5, "cost_code": { "code": "002", "full_code": "01-A-002" }, "line_item_type": { "code": "SST" } },
            ],
        }))
        .unwrap()
    }

    #[test]
    fn the_cost_code_mode_chooses_code_or_full_code_as_activity() {
        let mut fit = Fitter::new("purchase order PO-1");
        let direct = lines(&order(), CostCodeMode::Direct, &mut fit).unwrap();
        assert_eq!(direct[0].activity, "001");
        let joined = lines(&order(), CostCodeMode::Concatenated, &mut fit).unwrap();
        let got: Vec<(u32, &str, &str, String)> = joined
            .iter()
            .map(|l| {
                (
                    l.line_no,
                    l.activity.as_str(),
                    l.group.as_str(),
                    l.amount.to_string(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (1, "01-A-001", "MAT", "8500.00".to_owned()),
                (2, "01-A-002", "SST", "99.50".to_owned())
            ]
        );
        assert_eq!(
            joined[0].quantity.map(|q| q.to_string()).as_deref(),
            Some("40")
        );
        assert_eq!(
            joined[1].quantity, None,
            "an amount-only line has no quantity"
        );
    }

    #[test]
    fn a_line_without_cost_code_is_refused_naming_line_and_mode() {
        let mut po = order();
        po.line_items[1].cost_code = None;
        let e = lines(&po, CostCodeMode::Concatenated, &mut Fitter::new("po")).unwrap_err();
        assert!(
            e.starts_with("line 2 has no cost code for the concatenated"),
            "{e}"
        );
    }
}
