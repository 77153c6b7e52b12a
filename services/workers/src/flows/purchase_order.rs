//! Purchase orders, Procore → maestro* (creation only): an `Approved` Procore purchase order
//! becomes a maestro* purchase order (or stock order, by the connection's orders mode) once
//! what it needs is linked (rules §2: its project and its vendor). Procore's number goes to
//! the external number, which is looked up first so that a retry after a crash never creates
//! a second order, and which never joins two Procore orders into one.

use crate::engine::{Context, Handler};
use crate::flows::clients::Clients;
use crate::flows::commitment::{external_number_clash, new_order};
use crate::flows::commitment_needs::{Words, project_and_supplier};
use crate::flows::create_once::{Once, ProjectOf};
use crate::flows::fail::{self, Step};
use crate::flows::project_record::ProjectRecord;
use crate::outcome::{Outcome, warnings};
use bridge_domain::commitment::external_number;
use bridge_domain::text::Fitter;
use bridge_domain::{ChangeEvent, Direction, EntityKind, Route};
use chrono::Utc;
use futures::future::BoxFuture;
use std::sync::Arc;

const WORDS: Words = Words {
    records: "purchase orders",
    record: "order",
};

/// Procore purchase order → maestro* order.
pub struct PurchaseOrderToMaestro {
    clients: Arc<dyn Clients>,
}

impl PurchaseOrderToMaestro {
    pub fn new(clients: Arc<dyn Clients>) -> Self {
        PurchaseOrderToMaestro { clients }
    }

    async fn run(&self, ctx: &Context, event: &ChangeEvent) -> Step<Outcome> {
        let connection = event.connection_id;
        let record =
            ProjectRecord::open(ctx, self.clients.as_ref(), event, "purchase order").await?;
        let po = record.found(
            record
                .procore
                .purchase_order_contract(record.project_id, record.id)
                .await,
        )?;
        let ProjectRecord {
            project_id,
            settings,
            procore,
            ..
        } = record;
        let number = po.number.as_deref().map(str::trim).unwrap_or_default();
        let title = po.title.as_deref().unwrap_or_default();
        let description = format!("purchase order {number} ({title})");
        let status = po.status.as_deref().unwrap_or_default();
        let mut once = Once::new(ctx, event, EntityKind::PurchaseOrder, description.clone())
            .in_project(ProjectOf::Project(project_id));
        // A synchronized order stays as it was sent, whatever its status became since.
        once.unless_linked_in_procore(po.id.0).await?;
        if !status.eq_ignore_ascii_case("Approved") {
            return Ok(Outcome::Skipped {
                reason: format!(
                    "{description} is {status} in Procore; only Approved purchase orders are sent to maestro*"
                ),
                description: Some(description),
            });
        }
        let mut fit = Fitter::new(description.clone());
        let external_no = external_number(number, &mut fit)
            .map_err(|e| Outcome::Fail(format!("{description}: {e}")))?;
        let (project, supplier) = project_and_supplier(
            ctx,
            &procore,
            connection,
            EntityKind::PurchaseOrder,
            project_id,
            po.vendor.as_ref().map(|v| v.id.0),
            &description,
            WORDS,
        )
        .await?;
        once.notes = warnings(fit.into_warnings());
        let kind = settings.orders_mode.order_kind();
        let maestro = self
            .clients
            .maestro(connection)
            .await
            .map_err(fail::setup)?;
        let looking = format!("looking for {description} in maestro*");
        let (maestro, project, external_no, looking) =
            (maestro.as_ref(), &project, &external_no, &looking);
        once.into_maestro(
            po.id.0,
            None,
            async || Ok(false),
            // An order a crashed attempt created carries this external number already.
            move || async move {
                let found = maestro.find_order(kind, project, external_no).await;
                Ok(found
                    .map_err(|e| fail::maestro(looking, e))?
                    .map(|o| o.number))
            },
            async || {
                let mut fit = Fitter::new(description.clone());
                let today = Utc::now().date_naive();
                let order = new_order(
                    &po,
                    project.clone(),
                    supplier.clone(),
                    external_no.clone(),
                    settings.cost_code_mode,
                    today,
                    &mut fit,
                )
                .map_err(|why| Outcome::Dead(format!("{description}: {why}")))?;
                let created = maestro.create_order(kind, &order).await;
                Ok(created.map(|o| (o.number, warnings(fit.into_warnings()))))
            },
            |order, other| {
                external_number_clash(number, external_no, order, "purchase order", other)
            },
        )
        .await
    }
}

impl Handler for PurchaseOrderToMaestro {
    fn route(&self) -> Route {
        Route {
            kind: EntityKind::PurchaseOrder,
            direction: Direction::ToMaestro,
        }
    }

    fn handle<'a>(&'a self, ctx: &'a Context, event: &'a ChangeEvent) -> BoxFuture<'a, Outcome> {
        Box::pin(async move { fail::settle(self.run(ctx, event).await) })
    }
}
