//! What a maestro* project cost needs before it is sent (rules §5): its direct cost type,
//! its project and supplier links (or the wait for them), the payroll employee when linked,
//! the invoice number. Read-only, so the flow and the preview share it.

use crate::engine::Context;
use crate::flows::fail::Step;
use crate::flows::links;
use crate::flows::project_cost::{self, vendor_id};
use crate::flows::settings::FlowSettings;
use crate::outcome::{Note, Outcome};
use bridge_domain::EntityKind;
use bridge_domain::costs::{self, CostRoute, DirectCostType};
use bridge_domain::dependencies::prerequisites;
use bridge_maestro::Transaction;

/// How a maestro* transaction is named in messages: `cost <key> (<type> of <date>, <text>)`.
pub(crate) fn describe(t: &Transaction) -> String {
    let name = costs::type_name(t.type_code.as_char()).unwrap_or("transaction");
    let text = t.description.as_deref().map(str::trim).unwrap_or_default();
    format!(
        "cost {} ({name} of {}, {text})",
        t.id.trim(),
        t.accounting_date
    )
}

/// The direct cost type a transaction becomes (rules §5), or why it is skipped.
pub(crate) fn direct_kind(t: &Transaction, description: &str) -> Result<DirectCostType, Outcome> {
    match costs::route(t.type_code.as_char()) {
        Some(CostRoute::Direct(kind)) if t.is_eligible() => Ok(kind),
        Some(CostRoute::OrderInvoice) => Err(Outcome::Skipped {
            reason: format!("{description} is an order invoice; it is sent as one"),
            description: Some(description.to_owned()),
        }),
        _ => Err(Outcome::Skipped {
            reason: format!(
                "{description} is not an approved, transferred cost of a type sent to Procore"
            ),
            description: Some(description.to_owned()),
        }),
    }
}

/// What a cost needs from the links before it is sent: its Procore project and vendor (or
/// the wait for them), the payroll employee when linked, the invoice number; with the
/// warnings. Read-only: shared by the flow and the preview.
pub(crate) struct Needs {
    pub project_id: i64,
    pub vendor: Option<i64>,
    pub employee: Option<i64>,
    pub invoice_no: Option<String>,
    pub notes: Vec<Note>,
}

pub(crate) async fn needs(
    ctx: &Context,
    connection: i64,
    t: &Transaction,
    kind: DirectCostType,
    settings: &FlowSettings,
    description: &str,
) -> Step<Needs> {
    let key = t.id.trim();
    let project = t.project.as_str();
    let mut notes = Vec::new();
    let with_context = |outcome: Outcome| match outcome {
        Outcome::Fail(why) => Outcome::Fail(format!("{description}: {why}")),
        Outcome::Dead(why) => Outcome::Dead(format!("{description}: {why}")),
        other => other,
    };
    let supplier = t
        .supplier_code
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let (mut project_id, mut vendor) = (None, None);
    for need in prerequisites(EntityKind::ProjectCost) {
        match need.kind {
            EntityKind::Project => {
                let id = project_cost::project_id(ctx, connection, project).await;
                project_id = Some(id.map_err(with_context)?);
            }
            // Only a cost that names a supplier waits for it.
            EntityKind::Supplier => {
                if let Some(code) = supplier {
                    vendor = Some(
                        vendor_id(ctx, connection, code)
                            .await
                            .map_err(with_context)?,
                    );
                }
            }
            other => {
                return Err(Outcome::Dead(format!(
                    "{description}: the bridge does not know how to check {} ({other})",
                    need.role
                )));
            }
        }
    }
    let Some(project_id) = project_id else {
        return Err(Outcome::Dead(format!(
            "{description}: its project is missing from the dependency table"
        )));
    };
    // The employee only fills the name of a payroll cost; it never holds the cost.
    let mut employee = None;
    let number = t
        .employee_number
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty());
    if let (DirectCostType::Payroll, true, Some(number)) =
        (kind, settings.payroll_fields.employee, number)
    {
        match links::by_maestro_key(&ctx.pool, connection, EntityKind::Employee, number).await? {
                Some(link) => employee = Some(link.procore_id),
                None => notes.push(Note::warning(format!(
                    "employee {number} is not synchronized as a Procore user, so {description} is sent without the employee's name"
                ))),
            }
    }
    let invoice_no = t
        .invoice_no
        .as_deref()
        .map(str::trim)
        .filter(|i| !i.is_empty());
    let invoice_no = match (kind, invoice_no) {
        (_, Some(no)) => Some(no.to_owned()),
        // Procore needs an invoice number on an invoice; the cost's key stands in.
        (DirectCostType::Invoice, None) => {
            notes.push(Note::warning(format!(
                    "{description} has no invoice number in maestro*; Procore needs one, so the cost number {key} was sent instead"
                )));
            Some(key.to_owned())
        }
        _ => None,
    };
    Ok(Needs {
        project_id,
        vendor,
        employee,
        invoice_no,
        notes,
    })
}
