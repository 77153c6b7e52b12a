//! Project costs, maestro* → Procore (creation only, rules §5): an approved, transferred
//! maestro* transaction becomes an `approved` Procore direct cost of the type its transaction
//! type maps to (`bridge_domain::costs`), with the supplier as vendor, the invoice number, the
//! payroll employee when linked, and one line per transaction line with its cost code and
//! cost type (rules §4). It is written through the direct costs sync endpoints with
//! `origin_id` = `project_cost:<key>`: sending it again (a crash between the write and the
//! link) updates the same direct cost instead of creating a second one.

use crate::engine::{Context, Handler};
use crate::flows::clients::Clients;
use crate::flows::cost_catalog::{COST_TTL, CostCatalog};
use crate::flows::cost_needs::{describe, direct_kind, needs};
use crate::flows::create_once::{Once, ProjectOf};
use crate::flows::fail::{self, Step};
use crate::flows::links;
use crate::flows::settings::FlowSettings;
use crate::outcome::{Dependency, Outcome};
use bridge_domain::costs::{self, CostLineIn, DirectCostType, PlannedLine};
use bridge_domain::{ChangeEvent, Direction, EntityKind, Route};
use bridge_maestro::{CostLine, ProjectCode, TransactionFilter};
use bridge_procore::costs::{NewDirectCost, NewDirectCostLine};
use bridge_procore::{Client, Error, ErrorBody};
use chrono::NaiveDate;
use futures::future::BoxFuture;
use std::sync::Arc;

/// A maestro* decimal as Procore's number.
pub(crate) fn number(value: impl ToString) -> f64 {
    value.to_string().parse().unwrap_or_default()
}

/// The Procore id of the maestro* project `code`, or the wait for its link.
pub(crate) async fn project_id(ctx: &Context, connection: i64, code: &str) -> Step<i64> {
    match links::by_maestro_key(&ctx.pool, connection, EntityKind::Project, code).await? {
        Some(link) => Ok(link.procore_id),
        None => Err(Outcome::Wait(Dependency {
            kind: EntityKind::Project,
            maestro_key: code.to_owned(),
            description: format!("project {code} is not linked to a Procore project yet"),
        })),
    }
}

/// The Procore company of the maestro* supplier `code`, or the wait for its link.
pub(crate) async fn vendor_id(ctx: &Context, connection: i64, code: &str) -> Step<i64> {
    match links::by_maestro_key(&ctx.pool, connection, EntityKind::Supplier, code).await? {
        Some(link) => Ok(link.procore_id),
        None => Err(Outcome::Wait(Dependency {
            kind: EntityKind::Supplier,
            maestro_key: code.to_owned(),
            description: format!(
                "supplier {code} is not linked to a Procore company yet; synchronize it first"
            ),
        })),
    }
}

/// A maestro* cost as the direct cost it becomes.
pub(crate) struct CostToSend<'a> {
    pub kind: DirectCostType,
    pub origin: String,
    pub type_code: char,
    pub text: Option<&'a str>,
    pub date: NaiveDate,
    pub invoice_no: Option<String>,
    pub vendor: Option<i64>,
    pub employee: Option<i64>,
    pub lines: &'a [CostLine],
}

/// The cost's lines placed on the project's cost codes and cost types; a line that cannot be
/// placed is a `failed` item the user fixes in Procore (a cost code added) or maestro*.
pub(crate) async fn plan(
    catalogs: &CostCatalog,
    procore: &Client,
    settings: &FlowSettings,
    (connection, project): (i64, i64),
    cost: &CostToSend<'_>,
    description: &str,
) -> Step<Vec<PlannedLine>> {
    let catalog = catalogs
        .get_fresh(procore, connection, project, COST_TTL)
        .await
        .map_err(|e| {
            fail::procore(
                &format!("reading the cost codes and cost types of Procore project {project}"),
                e,
            )
        })?;
    let lines: Vec<CostLineIn<'_>> = cost
        .lines
        .iter()
        .map(|l| CostLineIn {
            line_no: l.line_no,
            activity: &l.activity,
            group: &l.group,
            description: l.description.as_deref(),
            quantity: l.quantity.map(number),
            unit: l.unit.as_deref(),
            unit_price: l.unit_price.map(number),
            amount: number(l.amount),
        })
        .collect();
    let mode = settings.cost_code_mode;
    costs::plan_lines(
        &cost.origin,
        cost.kind,
        &lines,
        catalog.costs(),
        mode,
        settings.payroll_fields,
    )
    .map_err(|e| Outcome::Fail(format!("{description}: {e}")))
}

fn refused(body: ErrorBody) -> Error {
    Error::Api { status: 422, body }
}

/// Writes the direct cost and its lines through the sync endpoints (both matched by
/// `origin_id`, so a second run updates what the first wrote); answers its Procore id.
pub(crate) async fn write(
    procore: &Client,
    project: i64,
    cost: &CostToSend<'_>,
    lines: Vec<PlannedLine>,
) -> Result<i64, Error> {
    let header = NewDirectCost {
        origin_id: cost.origin.clone(),
        direct_cost_type: cost.kind.as_str().to_owned(),
        status: "approved".to_owned(),
        vendor_id: cost.vendor.map(Into::into),
        employee_id: cost.employee.map(Into::into),
        invoice_number: cost.invoice_no.clone(),
        direct_cost_date: Some(cost.date.to_string()),
        received_date: None,
        description: Some(costs::description(cost.type_code, cost.text)),
    };
    let answer = procore.sync_new_direct_costs(project, &[header]).await?;
    let id = match answer.into_iter().next().map(|i| i.result) {
        Some(Ok(direct_cost)) => direct_cost.id.0,
        Some(Err(body)) => return Err(refused(body)),
        None => return Err(refused(ErrorBody::default())),
    };
    let lines: Vec<NewDirectCostLine> = lines
        .into_iter()
        .map(|l| NewDirectCostLine {
            direct_cost_id: id.into(),
            origin_id: l.origin_id,
            cost_code_id: l.cost_code_id.into(),
            line_item_type_id: l.line_item_type_id.into(),
            amount: l.amount,
            quantity: l.quantity,
            unit_cost: l.unit_cost,
            uom: l.uom,
            description: l.description,
        })
        .collect();
    if lines.is_empty() {
        return Ok(id);
    }
    for item in procore.sync_new_direct_cost_lines(project, &lines).await? {
        if let Err(mut body) = item.result {
            let line = &lines[item.index];
            body.messages.insert(
                0,
                format!("line {}", line.origin_id.rsplit(':').next().unwrap_or("?")),
            );
            return Err(refused(body));
        }
    }
    Ok(id)
}

/// maestro* project cost → Procore direct cost.
pub struct ProjectCostToProcore {
    clients: Arc<dyn Clients>,
    catalogs: Arc<CostCatalog>,
}

impl ProjectCostToProcore {
    pub fn new(clients: Arc<dyn Clients>) -> Self {
        ProjectCostToProcore {
            clients,
            catalogs: CostCatalog::shared(),
        }
    }

    async fn run(&self, ctx: &Context, event: &ChangeEvent) -> Step<Outcome> {
        let connection = event.connection_id;
        let key = event.record.trim();
        let project = event.project.as_deref().map(str::trim).unwrap_or_default();
        let code = ProjectCode::new(project).map_err(|e| {
            Outcome::Dead(format!("cost {key} names no valid maestro* project: {e}"))
        })?;
        let settings = FlowSettings::load(&ctx.pool, connection)
            .await
            .map_err(|e| fail::setup(e.into()))?;
        let maestro = self
            .clients
            .maestro(connection)
            .await
            .map_err(fail::setup)?;
        let filter = TransactionFilter {
            project: Some(code.clone()),
            ..TransactionFilter::default()
        };
        let found = maestro
            .transactions(&filter)
            .await
            .map_err(|e| fail::maestro(&format!("reading the costs of project {project}"), e))?;
        let Some(t) = found.into_iter().find(|t| t.id == key) else {
            return Ok(Outcome::Skipped {
                reason: format!(
                    "cost {key} of project {project} no longer exists in maestro*; nothing to send"
                ),
                description: None,
            });
        };
        let type_code = t.type_code.as_char();
        let description = describe(&t);
        let kind = match direct_kind(&t, &description) {
            Ok(kind) => kind,
            Err(skipped) => return Ok(skipped),
        };
        let once = Once::new(ctx, event, EntityKind::ProjectCost, description.clone());
        once.unless_linked_in_maestro(key).await?;
        let needs = needs(ctx, connection, &t, kind, &settings, &description).await?;
        let mut once = once.in_project(ProjectOf::Project(needs.project_id));
        once.notes.extend(needs.notes);
        let (project_id, vendor, employee, invoice_no) = (
            needs.project_id,
            needs.vendor,
            needs.employee,
            needs.invoice_no,
        );
        let cost = CostToSend {
            kind,
            origin: costs::origin_id("project_cost", key),
            type_code,
            text: t.description.as_deref(),
            date: t.accounting_date,
            invoice_no,
            vendor,
            employee,
            lines: &t.lines,
        };
        let procore = self
            .clients
            .procore(connection)
            .await
            .map_err(fail::setup)?;
        let lines = plan(
            &self.catalogs,
            &procore,
            &settings,
            (connection, project_id),
            &cost,
            &description,
        )
        .await?;
        let (procore, cost) = (&procore, &cost);
        once.into_procore(
            key,
            async || Ok(None),
            // The sync endpoint finds what a crashed attempt created by its origin_id itself.
            async || Ok(None),
            async move || {
                let written = write(procore, project_id, cost, lines).await;
                Ok(written.map(|id| (id, Vec::new())))
            },
        )
        .await
    }
}

impl Handler for ProjectCostToProcore {
    fn route(&self) -> Route {
        Route {
            kind: EntityKind::ProjectCost,
            direction: Direction::ToProcore,
        }
    }

    fn handle<'a>(&'a self, ctx: &'a Context, event: &'a ChangeEvent) -> BoxFuture<'a, Outcome> {
        Box::pin(async move { fail::settle(self.run(ctx, event).await) })
    }
}
