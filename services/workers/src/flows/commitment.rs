//! A Procore commitment as a maestro* order (pure): the domain's commitment rules
//! (`bridge_domain::commitment`) applied to Procore's Show shape, and the result in
//! maestro*'s decimal types.

use crate::flows::project_from_procore::date;
use bridge_domain::commitment::{self, BreakdownLine, CommitmentLine};
use bridge_domain::cost_codes::CostCodeMode;
use bridge_domain::text::{Fitter, title_and_description};
use bridge_maestro::{self as mx, CostLine, NewOrder, ProjectCode, limits};
use bridge_procore::models::{Contract, LineItem};
use chrono::NaiveDate;

fn amount(value: f64) -> Option<mx::Amount> {
    format!("{value:.2}").parse().ok()
}

fn quantity(value: f64) -> Option<mx::Quantity> {
    format!("{value:.4}").parse().ok()
}

fn domain_line(line: &LineItem) -> CommitmentLine<'_> {
    let code = line.cost_code.as_ref();
    CommitmentLine {
        position: line.position,
        amount: line.amount.0,
        quantity: line.quantity.0,
        unit_cost: line.unit_cost.0,
        uom: line.uom.as_deref(),
        description: line.description.as_deref(),
        cost_code: code.and_then(|c| c.code.as_deref()),
        full_code: code.and_then(|c| c.full_code.as_deref()),
        cost_type: line.line_item_type.as_ref().and_then(|t| t.code.as_deref()),
    }
}

fn cost_line(line: BreakdownLine) -> Result<CostLine, String> {
    let line_no = line.line_no;
    let bad =
        |what: &str, v: f64| format!("line {line_no}: {what} {v} cannot be written in maestro*");
    Ok(CostLine {
        quantity: line
            .quantity
            .map(|q| quantity(q).ok_or_else(|| bad("quantity", q)))
            .transpose()?,
        unit_price: line
            .unit_price
            .map(|p| amount(p).ok_or_else(|| bad("unit price", p)))
            .transpose()?,
        amount: amount(line.amount).ok_or_else(|| bad("amount", line.amount))?,
        line_no,
        activity: line.activity,
        group: line.group,
        description: line.description,
        unit: line.unit,
    })
}

/// The maestro* breakdown lines of a commitment's (or change order's) Schedule of Values
/// (rules §4): activity by the cost-code mode, group by cost type, amounts as sent.
pub(crate) fn cost_lines(
    lines: &[LineItem],
    mode: CostCodeMode,
    fit: &mut Fitter,
) -> Result<Vec<CostLine>, String> {
    let lines: Vec<CommitmentLine<'_>> = lines.iter().map(domain_line).collect();
    commitment::breakdown(&lines, mode, fit)
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(cost_line)
        .collect()
}

/// Why a maestro* record found by external number must not be linked to the Procore
/// commitment `number` (another Procore record of `what`, id `other`, owns it), or an empty
/// text when it may (docs/rules.md, the external number of 40 characters).
pub(crate) fn external_number_clash(
    number: &str,
    external_no: &str,
    key: &str,
    what: &str,
    other: i64,
) -> String {
    let other = format!("the Procore {what} with id {other}");
    commitment::check_external_number(number, external_no, key, Some(&other))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default()
}

/// The holdback percentage of a Procore retainage; none when there is no retainage.
pub(crate) fn holdback(retainage: f64) -> Result<Option<mx::Quantity>, String> {
    if retainage == 0.0 {
        return Ok(None);
    }
    let bad = || format!("retainage {retainage}% cannot be written in maestro*");
    quantity(retainage).ok_or_else(bad).map(Some)
}

/// The maestro* order of an approved Procore commitment, given its project, supplier and
/// external number; `today` dates an order Procore gives no date. Errors are in the user's
/// words.
pub(crate) fn new_order(
    po: &Contract,
    project: ProjectCode,
    supplier_code: String,
    external_no: String,
    mode: CostCodeMode,
    today: NaiveDate,
    fit: &mut Fitter,
) -> Result<NewOrder, String> {
    let lines = cost_lines(&po.line_items, mode, fit)?;
    let memo = title_and_description(po.title.as_deref(), po.description.as_deref())
        .map(|m| fit.fit("memo (title - description)", &m, limits::MEMO));
    let holdback_percent = holdback(po.retainage_percent.0)?;
    Ok(NewOrder {
        external_no,
        project,
        supplier_code,
        order_date: date(po.created_at.as_deref())
            .or(date(po.contract_date.as_deref()))
            .unwrap_or(today),
        delivery_date: date(po.delivery_date.as_deref()),
        memo,
        holdback_percent,
        lines,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn order() -> Contract {
        serde_json::from_value(json!({
            "id": 1, "number": "PO-1", "status": "Approved", "retainage_percent": "10.00",
            "title": "Béton", "description": "Dalle", "created_at": "2026-05-04T13:00:00.000Z",
            "line_items": [
                { "id": 11, "position": 1, "amount": "8500.00", "quantity": "40.00", "unit_cost": "212.50", "uom": "m3",
                  "cost_code": { "id": 5, "code": "001", "full_code": "01-A-001" }, "line_item_type": { "id": 6, "code": "MAT" } },
                { "id": 12, "amount": 99.5, "cost_code": { "id": 7, "code": "002", "full_code": "01-A-002" }, "line_item_type": { "id": 6, "code": "SST" } },
            ],
        }))
        .unwrap()
    }

    #[test]
    fn an_approved_order_maps_lines_memo_holdback_and_date() {
        let today = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        let mut fit = Fitter::new("purchase order PO-1");
        let code = ProjectCode::new("P-100").unwrap();
        let got = new_order(
            &order(),
            code,
            "BETON01".into(),
            "PO-1".into(),
            CostCodeMode::Concatenated,
            today,
            &mut fit,
        )
        .unwrap();
        assert_eq!(got.memo.as_deref(), Some("Béton - Dalle"));
        assert_eq!(got.order_date, NaiveDate::from_ymd_opt(2026, 5, 4).unwrap());
        assert_eq!(
            got.holdback_percent.map(|h| h.to_string()).as_deref(),
            Some("10")
        );
        let lines: Vec<(&str, &str, String)> = got
            .lines
            .iter()
            .map(|l| (l.activity.as_str(), l.group.as_str(), l.amount.to_string()))
            .collect();
        assert_eq!(
            lines,
            [
                ("01-A-001", "MAT", "8500.00".to_owned()),
                ("01-A-002", "SST", "99.50".to_owned())
            ]
        );
        assert_eq!(got.lines[1].quantity, None);
    }
}
