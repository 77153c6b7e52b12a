//! Purchase orders, Procore → maestro* (creation only): an `Approved` Procore purchase order
//! becomes a maestro* purchase order (or stock order, by the connection's orders mode) once
//! what it needs is linked (ENTITIES §2: its project and its vendor). Procore's number goes to
//! the external number, which is looked up first so that a retry after a crash never creates
//! a second order, and which never joins two Procore orders into one.

use crate::engine::{Context, Handler};
use crate::flows::clients::Clients;
use crate::flows::commitment::new_order;
use crate::flows::create_once::{Once, ProjectOf};
use crate::flows::fail::{self, Step};
use crate::flows::links;
use crate::flows::settings::FlowSettings;
use crate::outcome::{Dependency, Outcome, warnings};
use bridge_domain::commitment::{check_external_number, external_number};
use bridge_domain::dependencies::prerequisites;
use bridge_domain::party::PartyKind;
use bridge_domain::text::{Fitter, party_code};
use bridge_domain::{ChangeEvent, Direction, EntityKind, Route};
use bridge_maestro::ProjectCode;
use bridge_procore::{Client, optional};
use chrono::Utc;
use futures::future::BoxFuture;
use std::sync::Arc;

/// Procore purchase order → maestro* order.
pub struct PurchaseOrderToMaestro {
    clients: Arc<dyn Clients>,
}

impl PurchaseOrderToMaestro {
    pub fn new(clients: Arc<dyn Clients>) -> Self {
        PurchaseOrderToMaestro { clients }
    }

    /// The maestro* number of the order's project, or what to wait for.
    async fn project_code(
        &self,
        ctx: &Context,
        procore: &Client,
        connection: i64,
        project_id: i64,
    ) -> Step<ProjectCode> {
        if let Some(link) =
            links::by_procore_id(&ctx.pool, connection, EntityKind::Project, project_id).await?
        {
            return ProjectCode::new(link.maestro_key).map_err(|e| {
                Outcome::Dead(format!("the linked project number is not valid: {e}"))
            });
        }
        let what = format!("reading Procore project {project_id}");
        let project = procore
            .project(project_id)
            .await
            .map_err(|e| fail::procore(&what, e))?
            .ok_or_else(|| {
                Outcome::Dead(format!("its Procore project {project_id} no longer exists"))
            })?;
        let name = project.name.clone().unwrap_or_default();
        let Some(number) = project
            .project_number
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
        else {
            return Err(Outcome::Fail(format!(
                "Procore project {name} has no Job Number; enter the maestro* project number in it so its purchase orders can be sent"
            )));
        };
        Err(Outcome::Wait(Dependency {
            kind: EntityKind::Project,
            maestro_key: number.to_owned(),
            description: format!("project {number} ({name}) is not linked to maestro* yet"),
        }))
    }

    /// The maestro* supplier code of the order's vendor, or what to wait for.
    async fn supplier_code(
        &self,
        ctx: &Context,
        procore: &Client,
        connection: i64,
        vendor_id: i64,
    ) -> Step<String> {
        if let Some(link) =
            links::by_procore_id(&ctx.pool, connection, EntityKind::Supplier, vendor_id).await?
        {
            return Ok(link.maestro_key);
        }
        let company = procore
            .vendor(vendor_id)
            .await
            .map_err(|e| fail::procore(&format!("reading Procore company {vendor_id}"), e))?
            .ok_or_else(|| {
                Outcome::Dead(format!(
                    "its vendor (Procore company {vendor_id}) no longer exists in Procore"
                ))
            })?;
        let name = company.name.clone().unwrap_or_default();
        // A vendor kept out of maestro* would be waited for in vain.
        if let Some(tag) = PartyKind::Supplier.excluded_by(company.notes.as_deref()) {
            return Err(Outcome::Dead(format!(
                "its vendor {name} carries the keyword {tag} in Procore, so it is never created as a maestro* supplier; order from a synchronized supplier or remove the keyword and send the order again"
            )));
        }
        let Some(code) = company
            .abbreviated_name
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
        else {
            return Err(Outcome::Fail(format!(
                "its vendor {name} has no abbreviated name in Procore, so it cannot become a maestro* supplier; enter one"
            )));
        };
        let code = party_code(code);
        Err(Outcome::Wait(Dependency {
            kind: EntityKind::Supplier,
            maestro_key: code.clone(),
            description: format!(
                "supplier {code} ({name}) is not linked to a maestro* supplier yet"
            ),
        }))
    }

    async fn run(&self, ctx: &Context, event: &ChangeEvent) -> Step<Outcome> {
        let connection = event.connection_id;
        let Ok(id) = event.record.trim().parse::<i64>() else {
            return Err(Outcome::Dead(format!(
                "`{}` is not a Procore purchase order id",
                event.record
            )));
        };
        let Some(project_id) = event
            .project
            .as_deref()
            .and_then(|p| p.trim().parse::<i64>().ok())
        else {
            return Err(Outcome::Dead(format!(
                "the event of purchase order {id} names no Procore project"
            )));
        };
        let settings = FlowSettings::load(&ctx.pool, connection)
            .await
            .map_err(|e| fail::setup(e.into()))?;
        let procore = self
            .clients
            .procore(connection)
            .await
            .map_err(fail::setup)?;
        let read = procore.purchase_order_contract(project_id, id).await;
        let Some(po) = optional(read)
            .map_err(|e| fail::procore(&format!("reading purchase order {id}"), e))?
        else {
            return Ok(Outcome::Skipped {
                reason: format!("purchase order {id} no longer exists in Procore; nothing to send"),
                description: None,
            });
        };
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
        let with_context = |outcome: Outcome| match outcome {
            Outcome::Fail(why) => Outcome::Fail(format!("{description}: {why}")),
            Outcome::Dead(why) => Outcome::Dead(format!("{description}: {why}")),
            other => other,
        };
        // What it waits for, in the order of the dependency table.
        let (mut project, mut supplier) = (None, None);
        for need in prerequisites(EntityKind::PurchaseOrder) {
            match need.kind {
                EntityKind::Project => {
                    let code = self.project_code(ctx, &procore, connection, project_id);
                    project = Some(code.await.map_err(with_context)?);
                }
                EntityKind::Supplier => {
                    let Some(vendor_id) = po.vendor.as_ref().map(|v| v.id.0) else {
                        return Err(Outcome::Fail(format!(
                            "{description} has no contract company in Procore; choose the supplier it is ordered from"
                        )));
                    };
                    let code = self.supplier_code(ctx, &procore, connection, vendor_id);
                    supplier = Some(code.await.map_err(with_context)?);
                }
                other => {
                    return Err(Outcome::Dead(format!(
                        "{description}: the bridge does not know how to check {} ({other})",
                        need.role
                    )));
                }
            }
        }
        let (Some(project), Some(supplier)) = (project, supplier) else {
            return Err(Outcome::Dead(format!(
                "{description}: its project or vendor is missing from the dependency table"
            )));
        };
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
                let other = format!("the Procore purchase order with id {other}");
                check_external_number(number, external_no, order, Some(&other))
                    .err()
                    .map(|e| e.to_string())
                    .unwrap_or_default()
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
