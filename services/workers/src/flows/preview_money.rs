//! The money kinds of `bridge sync preview`: the original budget line by line (docs/rules.md's
//! "View Budgets") and the project costs transaction by transaction ("See Transactions"),
//! through the flows' own planning (`OriginalBudgetToProcore::plan`, `cost_needs::needs`,
//! `project_cost::plan`), stopping before the write.

use crate::flows::cost_catalog::CostCatalog;
use crate::flows::cost_needs::{describe, direct_kind, needs};
use crate::flows::fail::{self, Step};
use crate::flows::order_invoice::{self, OrderInvoiceToProcore, Planned};
use crate::flows::original_budget::{self, OriginalBudgetToProcore};
use crate::flows::preview::{Preview, Row, Source};
use crate::flows::project_cost::{self, CostToSend};
use crate::outcome::{Dependency, Outcome};
use bridge_domain::EntityKind;
use bridge_domain::budget::{BudgetLineOut, MaestroBudgetLine};
use bridge_domain::costs;
use bridge_maestro::{ProjectCode, TransactionFilter};

/// `cents` as money: `1234567` → `12,345.67`, `-5` → `-0.05`.
pub fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    let units = (abs / 100).to_string();
    let mut grouped = String::new();
    for (i, digit) in units.chars().enumerate() {
        if i > 0 && (units.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{sign}{grouped}.{:02}", abs % 100)
}

/// What one planned budget line does to the Procore budget.
pub fn budget_line_sent(line: &BudgetLineOut) -> String {
    let amount = money(line.amount_cents);
    let quantity = line.quantity.as_ref().map(|q| {
        let unit = q.unit.as_deref().unwrap_or_default();
        format!(" ({} {unit} at {})", q.quantity, q.unit_cost)
    });
    let quantity = quantity.unwrap_or_default();
    match (line.id, line.activity.is_empty()) {
        (None, _) => format!("new budget line {amount}{quantity}"),
        (Some(id), true) => format!("Procore line {id} set to zero (gone from maestro*)"),
        (Some(id), false) => format!("Procore line {id} updated to {amount}{quantity}"),
    }
}

pub(crate) async fn budgets(
    on: &Source<'_>,
    only: Option<&ProjectCode>,
    out: &mut Preview,
) -> Step<()> {
    let flow = OriginalBudgetToProcore::new(on.clients.clone());
    for p in on.projects(only).await? {
        let code = p.code.to_string();
        let description = format!("budget of project {code} ({})", p.description);
        let Some(link) = on.link(EntityKind::Project, &code).await? else {
            let wait = Dependency {
                kind: EntityKind::Project,
                maestro_key: code.clone(),
                description: format!(
                    "project {code} ({}) is not linked to Procore yet",
                    p.description
                ),
            };
            out.ended(&code, &description, Outcome::Wait(wait));
            continue;
        };
        let reading = format!("reading the {description}");
        let lines = on.maestro.budget_lines(&p.code).await;
        let lines = lines.map_err(|e| fail::maestro(&reading, e))?;
        let procore = on.procore().await?;
        let today = original_budget::procore_lines(&procore, link.procore_id, &description);
        let today = today.await?;
        let maestro_lines: Vec<MaestroBudgetLine> =
            lines.iter().map(original_budget::maestro_line).collect();
        let mode = on.settings.cost_code_mode;
        let plan = flow.plan(
            &procore,
            on.connection,
            link.procore_id,
            mode,
            &maestro_lines,
            &today,
        );
        match plan.await? {
            Ok(plan) if plan.is_empty() => out.rows.push(Row {
                code: code.clone(),
                description,
                sent: "nothing; the Procore budget already matches maestro*".into(),
                ..Row::default()
            }),
            Ok(plan) => out.rows.extend(plan.iter().map(|line| Row {
                code: if line.activity.is_empty() {
                    code.clone()
                } else {
                    format!("{code} {}/{}", line.activity, line.group)
                },
                description: original_budget::line_name(line),
                sent: budget_line_sent(line),
                ..Row::default()
            })),
            Err(errors) => out.rows.extend(errors.into_iter().map(|e| Row {
                code: code.clone(),
                description: description.clone(),
                sent: "nothing; the whole budget is held until this is fixed".into(),
                errors: vec![e],
                ..Row::default()
            })),
        }
    }
    Ok(())
}

pub(crate) async fn costs(
    on: &Source<'_>,
    only: Option<&ProjectCode>,
    out: &mut Preview,
) -> Step<()> {
    let catalogs = CostCatalog::shared();
    for p in on.projects(only).await? {
        let reading = format!("reading the costs of project {}", p.code);
        let filter = TransactionFilter::eligible_for(&p);
        let found = on.maestro.transactions(&filter);
        for t in found.await.map_err(|e| fail::maestro(&reading, e))? {
            let key = t.id.trim();
            let description = describe(&t);
            let kind = match direct_kind(&t, &description) {
                Ok(kind) => kind,
                Err(skipped) => {
                    out.ended(key, &description, skipped);
                    continue;
                }
            };
            if let Some(link) = on.link(EntityKind::ProjectCost, key).await? {
                out.linked(key, &description, link.procore_id);
                continue;
            }
            let needs =
                match needs(on.ctx, on.connection, &t, kind, &on.settings, &description).await {
                    Ok(needs) => needs,
                    Err(outcome) => {
                        out.ended(key, &description, outcome);
                        continue;
                    }
                };
            let cost = CostToSend {
                kind,
                origin: costs::origin_id("project_cost", key),
                type_code: t.type_code.as_char(),
                text: t.description.as_deref(),
                date: t.accounting_date,
                invoice_no: needs.invoice_no.clone(),
                vendor: needs.vendor,
                employee: needs.employee,
                lines: &t.lines,
            };
            let procore = on.procore().await?;
            let project = (on.connection, needs.project_id);
            let planned = project_cost::plan(
                &catalogs,
                &procore,
                &on.settings,
                project,
                &cost,
                &description,
            )
            .await;
            let warnings = needs.notes.into_iter().map(|n| n.text).collect();
            match planned {
                Ok(lines) => {
                    let total: f64 = lines.iter().map(|l| l.amount).sum();
                    let invoice = cost
                        .invoice_no
                        .as_deref()
                        .map(|no| format!(", invoice {no}"))
                        .unwrap_or_default();
                    let sent = format!(
                        "{} direct cost of {}{invoice}, {} lines, {}",
                        kind.as_str(),
                        cost.date,
                        lines.len(),
                        money((total * 100.0).round() as i64)
                    );
                    let payload: Vec<serde_json::Value> = lines
                        .iter()
                        .map(|l| {
                            serde_json::json!({
                                "cost_code_id": l.cost_code_id,
                                "line_item_type_id": l.line_item_type_id,
                                "amount": l.amount,
                                "quantity": l.quantity,
                                "unit_cost": l.unit_cost,
                                "uom": l.uom,
                                "description": l.description,
                            })
                        })
                        .collect();
                    out.rows.push(Row {
                        code: key.to_owned(),
                        description: description.clone(),
                        sent,
                        warnings,
                        payload: Some(serde_json::Value::Array(payload)),
                        ..Row::default()
                    });
                }
                Err(outcome) => {
                    out.ended(key, &description, outcome);
                    if let Some(row) = out.rows.last_mut() {
                        row.warnings.extend(warnings);
                    }
                }
            }
        }
    }
    Ok(())
}

pub(crate) async fn order_invoices(
    on: &Source<'_>,
    only: Option<&ProjectCode>,
    out: &mut Preview,
) -> Step<()> {
    let flow = OrderInvoiceToProcore::new(on.clients.clone());
    for p in on.projects(only).await? {
        let reading = format!("reading the order invoices of project {}", p.code);
        let filter = TransactionFilter::eligible_for(&p);
        let found = on.maestro.order_invoices(&filter);
        for invoice in found.await.map_err(|e| fail::maestro(&reading, e))? {
            let key = invoice.transaction_id.trim();
            let description = order_invoice::describe(&invoice);
            if let Some(skipped) = order_invoice::not_sent(&invoice, &description) {
                out.ended(key, &description, skipped);
                continue;
            }
            if let Some(link) = on.link(EntityKind::OrderInvoice, key).await? {
                out.linked(key, &description, link.procore_id);
                continue;
            }
            let planned = flow.plan(on.ctx, on.connection, &on.settings, &invoice, &description);
            let sent = match planned.await {
                Ok((_, _, Planned::Requisition { commitment, .. })) => format!(
                    "subcontractor invoice {} on Procore commitment {commitment}, {}",
                    invoice.invoice_no.trim(),
                    invoice.invoice_date
                ),
                Ok((_, _, Planned::DirectCost { lines, .. })) => {
                    let total: f64 = lines.iter().map(|l| l.amount).sum();
                    format!(
                        "invoice direct cost of {}, invoice {}, {} lines, {}",
                        invoice.invoice_date,
                        invoice.invoice_no.trim(),
                        lines.len(),
                        money((total * 100.0).round() as i64)
                    )
                }
                Err(outcome) => {
                    out.ended(key, &description, outcome);
                    continue;
                }
            };
            out.rows.push(Row {
                code: key.to_owned(),
                description,
                sent,
                ..Row::default()
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bridge_domain::budget::Quantities;

    #[test]
    fn money_is_grouped_by_thousands_with_cents() {
        let cases = [
            (0, "0.00"),
            (5, "0.05"),
            (-5, "-0.05"),
            (100_000, "1,000.00"),
            (1_234_567, "12,345.67"),
            (-123_456_789, "-1,234,567.89"),
        ];
        for (cents, expected) in cases {
            assert_eq!(money(cents), expected, "{cents}");
        }
    }

    #[test]
    fn a_budget_line_says_whether_it_is_new_updated_or_zeroed() {
        let line = |id: Option<i64>, activity: &str, quantity: Option<Quantities>| BudgetLineOut {
            id,
            cost_code_id: 7,
            cost_type_id: 3,
            amount_cents: 150_000,
            quantity,
            activity: activity.into(),
            group: "MAT".into(),
        };
        let q = Quantities {
            quantity: 10.0,
            unit: Some("m3".into()),
            unit_cost: 150.0,
        };
        let cases = [
            (line(None, "0300", None), "new budget line 1,500.00"),
            (
                line(None, "0300", Some(q)),
                "new budget line 1,500.00 (10 m3 at 150)",
            ),
            (
                line(Some(42), "0300", None),
                "Procore line 42 updated to 1,500.00",
            ),
            (
                line(Some(42), "", None),
                "Procore line 42 set to zero (gone from maestro*)",
            ),
        ];
        for (line, expected) in cases {
            assert_eq!(budget_line_sent(&line), expected);
        }
    }
}
