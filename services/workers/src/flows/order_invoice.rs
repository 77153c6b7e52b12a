//! Order invoices, maestro* → Procore (creation only, rules §1 `order_invoice`): an invoice
//! entered against an order goes on the Procore commitment as a subcontractor invoice
//! (requisition) when the order came from Procore (the order is linked as a purchase order or
//! a subcontract), else it becomes a direct cost of type invoice, like a project cost
//! (`project_cost`). Either carries `origin_id` = `order_invoice:<key>`, so a retry after a
//! crash finds what the first attempt wrote.

use crate::engine::{Context, Handler};
use crate::flows::clients::Clients;
use crate::flows::cost_catalog::CostCatalog;
use crate::flows::create_once::{Once, ProjectOf};
use crate::flows::fail::{self, Step};
use crate::flows::links;
use crate::flows::project_cost::{self, CostToSend};
use crate::flows::settings::FlowSettings;
use crate::outcome::{Dependency, Outcome};
use bridge_domain::costs::PlannedLine;
use bridge_domain::costs::{self, DirectCostType};
use bridge_domain::dependencies::prerequisites;
use bridge_domain::{ChangeEvent, Direction, EntityKind, Route};
use bridge_maestro::{OrderInvoice, ProjectCode, TransactionFilter, TransactionStatus};
use bridge_procore::Client;
use bridge_procore::costs::NewRequisition;
use futures::future::BoxFuture;
use std::sync::Arc;

/// What an order invoice becomes in Procore (see [`OrderInvoiceToProcore::plan`]).
pub(crate) enum Planned {
    /// A subcontractor invoice on the Procore commitment the order came from.
    Requisition {
        commitment: i64,
        requisition: NewRequisition,
    },
    /// A direct cost of type invoice from the order's supplier, with its lines placed.
    DirectCost {
        vendor: i64,
        lines: Vec<PlannedLine>,
    },
}

/// `invoice F-1 of order C-7 (cost 123)`: how messages name an order invoice.
pub(crate) fn describe(invoice: &OrderInvoice) -> String {
    format!(
        "invoice {} of order {} (cost {})",
        invoice.invoice_no.trim(),
        invoice.order_no.trim(),
        invoice.transaction_id.trim()
    )
}

/// Only transferred invoices are sent.
pub(crate) fn not_sent(invoice: &OrderInvoice, description: &str) -> Option<Outcome> {
    (invoice.status != TransactionStatus::Transferred).then(|| Outcome::Skipped {
        reason: format!(
            "{description} is not transferred in maestro* yet; only transferred invoices are sent"
        ),
        description: Some(description.to_owned()),
    })
}

/// The direct cost an invoice on an order not from Procore becomes.
pub(crate) fn invoice_cost<'a>(
    invoice: &'a OrderInvoice,
    text: &'a str,
    vendor: i64,
) -> CostToSend<'a> {
    CostToSend {
        kind: DirectCostType::Invoice,
        origin: costs::origin_id("order_invoice", &invoice.transaction_id),
        type_code: '7',
        text: Some(text),
        date: invoice.invoice_date,
        invoice_no: Some(invoice.invoice_no.trim().to_owned()),
        vendor: Some(vendor),
        employee: None,
        lines: &invoice.lines,
    }
}

/// maestro* order invoice → Procore subcontractor invoice or direct cost.
pub struct OrderInvoiceToProcore {
    clients: Arc<dyn Clients>,
    catalogs: Arc<CostCatalog>,
}

impl OrderInvoiceToProcore {
    pub fn new(clients: Arc<dyn Clients>) -> Self {
        OrderInvoiceToProcore {
            clients,
            catalogs: CostCatalog::shared(),
        }
    }

    /// The Procore commitment of the invoice's order, when the order came from Procore; waits
    /// for an order that came from Procore and is not linked yet.
    async fn commitment(
        &self,
        ctx: &Context,
        connection: i64,
        invoice: &OrderInvoice,
    ) -> Step<Option<i64>> {
        let order = invoice.order_no.trim();
        for kind in [EntityKind::PurchaseOrder, EntityKind::Subcontract] {
            if let Some(link) = links::by_maestro_key(&ctx.pool, connection, kind, order).await? {
                return Ok(Some(link.procore_id));
            }
        }
        match invoice.order_external_no.as_deref().map(str::trim) {
            Some(number) if !number.is_empty() => Err(Outcome::Wait(Dependency {
                kind: EntityKind::PurchaseOrder,
                maestro_key: order.to_owned(),
                description: format!(
                    "order {order} came from Procore (number {number} there) and is not linked to it yet"
                ),
            })),
            _ => Ok(None),
        }
    }

    /// What the invoice becomes in Procore, planned without writing anything: the project,
    /// then a requisition on the commitment or a direct cost with its placed lines (or the
    /// wait or failure that stops it). Shared by the flow and the preview.
    pub(crate) async fn plan(
        &self,
        ctx: &Context,
        connection: i64,
        settings: &FlowSettings,
        invoice: &OrderInvoice,
        description: &str,
    ) -> Step<(i64, Arc<Client>, Planned)> {
        let project = invoice.project.as_str();
        let key = invoice.transaction_id.trim();
        let with_context = |outcome: Outcome| match outcome {
            Outcome::Fail(why) => Outcome::Fail(format!("{description}: {why}")),
            Outcome::Dead(why) => Outcome::Dead(format!("{description}: {why}")),
            other => other,
        };
        let mut project_id = None;
        for need in prerequisites(EntityKind::OrderInvoice) {
            match need.kind {
                EntityKind::Project => {
                    let id = project_cost::project_id(ctx, connection, project).await;
                    project_id = Some(id.map_err(with_context)?);
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
        let origin = costs::origin_id("order_invoice", key);
        let commitment = self.commitment(ctx, connection, invoice).await;
        let commitment = commitment.map_err(with_context)?;
        let procore = self
            .clients
            .procore(connection)
            .await
            .map_err(fail::setup)?;
        if let Some(commitment) = commitment {
            let requisition = NewRequisition {
                origin_id: origin,
                invoice_number: Some(invoice.invoice_no.trim().to_owned()),
                billing_date: Some(invoice.invoice_date.to_string()),
                status: Some("approved".to_owned()),
            };
            let planned = Planned::Requisition {
                commitment,
                requisition,
            };
            return Ok((project_id, procore, planned));
        }
        // Not from Procore: a direct cost of type invoice, from the order's supplier.
        let supplier = invoice.supplier_code.trim();
        let vendor = project_cost::vendor_id(ctx, connection, supplier).await;
        let vendor = vendor.map_err(with_context)?;
        let text = format!("order {}", invoice.order_no.trim());
        let cost = invoice_cost(invoice, &text, vendor);
        let lines = project_cost::plan(
            &self.catalogs,
            &procore,
            settings,
            (connection, project_id),
            &cost,
            description,
        )
        .await?;
        Ok((project_id, procore, Planned::DirectCost { vendor, lines }))
    }

    async fn run(&self, ctx: &Context, event: &ChangeEvent) -> Step<Outcome> {
        let connection = event.connection_id;
        let key = event.record.trim();
        let project = event.project.as_deref().map(str::trim).unwrap_or_default();
        let code = ProjectCode::new(project).map_err(|e| {
            Outcome::Dead(format!(
                "order invoice {key} names no valid maestro* project: {e}"
            ))
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
            project: Some(code),
            ..TransactionFilter::default()
        };
        let found = maestro.order_invoices(&filter).await.map_err(|e| {
            fail::maestro(
                &format!("reading the order invoices of project {project}"),
                e,
            )
        })?;
        let Some(invoice) = found.into_iter().find(|i| i.transaction_id == key) else {
            return Ok(Outcome::Skipped {
                reason: format!(
                    "order invoice {key} of project {project} no longer exists in maestro*; nothing to send"
                ),
                description: None,
            });
        };
        let description = describe(&invoice);
        if let Some(skipped) = not_sent(&invoice, &description) {
            return Ok(skipped);
        }
        let once = Once::new(ctx, event, EntityKind::OrderInvoice, description.clone());
        once.unless_linked_in_maestro(key).await?;
        let (project_id, procore, planned) = self
            .plan(ctx, connection, &settings, &invoice, &description)
            .await?;
        let once = once.in_project(ProjectOf::Project(project_id));
        let origin = costs::origin_id("order_invoice", key);
        let procore = &procore;
        let (vendor, lines) = match planned {
            Planned::Requisition {
                commitment,
                requisition,
            } => {
                let looking = format!("looking for {description} in Procore");
                return once
                    .into_procore(
                        key,
                        async || Ok(None),
                        async || {
                            let found = procore.requisition_by_origin(project_id, &origin).await;
                            Ok(found
                                .map_err(|e| fail::procore(&looking, e))?
                                .map(|r| r.id.0))
                        },
                        async || {
                            let made =
                                procore.create_requisition(project_id, commitment, &requisition);
                            Ok(made.await.map(|r| (r.id.0, Vec::new())))
                        },
                    )
                    .await;
            }
            Planned::DirectCost { vendor, lines } => (vendor, lines),
        };
        let text = format!("order {}", invoice.order_no.trim());
        let cost = invoice_cost(&invoice, &text, vendor);
        let cost = &cost;
        once.into_procore(
            key,
            async || Ok(None),
            // The sync endpoint finds what a crashed attempt created by its origin_id itself.
            async || Ok(None),
            async move || {
                let written = project_cost::write(procore, project_id, cost, lines).await;
                Ok(written.map(|id| (id, Vec::new())))
            },
        )
        .await
    }
}

impl Handler for OrderInvoiceToProcore {
    fn route(&self) -> Route {
        Route {
            kind: EntityKind::OrderInvoice,
            direction: Direction::ToProcore,
        }
    }

    fn handle<'a>(&'a self, ctx: &'a Context, event: &'a ChangeEvent) -> BoxFuture<'a, Outcome> {
        Box::pin(async move { fail::settle(self.run(ctx, event).await) })
    }
}
