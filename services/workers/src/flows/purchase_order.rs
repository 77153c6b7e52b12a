//! Purchase orders, Procore → maestro* (creation only): an `Approved` Procore purchase order
//! becomes a maestro* purchase order (or stock order, by the connection's orders mode) once
//! its project and its vendor are linked. Procore's number goes to the external number, which
//! is looked up first so that a retry after a crash never creates a second order.

use crate::engine::{Context, Handler};
use crate::flows::clients::Clients;
use crate::flows::commitment::{PurchaseOrder, lines, quantity};
use crate::flows::fail::{self, Step};
use crate::flows::links;
use crate::flows::party::{code_of, vendor};
use crate::flows::settings::FlowSettings;
use crate::flows::text::{Fitter, SUPPLIER_EXCLUSIONS, exclusion_tag, title_and_description};
use crate::outcome::{Dependency, Outcome, SyncedLink};
use bridge_domain::{ChangeEvent, Direction, EntityKind, Route};
use bridge_maestro::{self as mx, NewOrder, ProjectCode, RejectCode, limits};
use bridge_procore::models::Project as ProcoreProject;
use bridge_procore::{Client, query};
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
        let q = query([("company_id", procore.company_id())]);
        let project: ProcoreProject = procore
            .get(&format!("rest/v1.0/projects/{project_id}"), &q)
            .await
            .map_err(|e| fail::procore(&format!("reading Procore project {project_id}"), e))?;
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
        let company = vendor(procore, vendor_id)
            .await
            .map_err(|e| fail::procore(&format!("reading Procore company {vendor_id}"), e))?
            .ok_or_else(|| {
                Outcome::Dead(format!(
                    "its vendor (Procore company {vendor_id}) no longer exists in Procore"
                ))
            })?;
        let name = company.name.clone().unwrap_or_default();
        // A vendor kept out of maestro* would be waited for in vain.
        if let Some(tag) = exclusion_tag(company.notes.as_deref(), &SUPPLIER_EXCLUSIONS) {
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
        let code = code_of(code);
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
            .map_err(fail::setup)?;
        let procore = self
            .clients
            .procore(connection)
            .await
            .map_err(fail::setup)?;
        let q = query([("project_id", project_id)]);
        let po: PurchaseOrder = match procore
            .get(&format!("rest/v1.0/purchase_order_contracts/{id}"), &q)
            .await
        {
            Ok(po) => po,
            Err(bridge_procore::Error::Api { status: 404, .. }) => {
                return Ok(Outcome::Skipped {
                    reason: format!(
                        "purchase order {id} no longer exists in Procore; nothing to send"
                    ),
                    description: None,
                });
            }
            Err(e) => return Err(fail::procore(&format!("reading purchase order {id}"), e)),
        };
        let number = po
            .number
            .as_deref()
            .map(str::trim)
            .unwrap_or_default()
            .to_owned();
        let title = po.title.clone().unwrap_or_default();
        let description = format!("purchase order {number} ({title})");
        let status = po.status.clone().unwrap_or_default();
        // A synchronized order stays as it was sent, whatever its status became since.
        if let Some(existing) =
            links::by_procore_id(&ctx.pool, connection, EntityKind::PurchaseOrder, po.id.0).await?
        {
            return Ok(links::already_linked(
                &existing,
                event.action,
                event.direction,
                description,
            ));
        }
        if !status.eq_ignore_ascii_case("Approved") {
            return Ok(Outcome::Skipped {
                reason: format!(
                    "{description} is {status} in Procore; only Approved purchase orders are sent to maestro*"
                ),
                description: Some(description),
            });
        }
        if number.is_empty() {
            return Err(Outcome::Fail(format!(
                "{description} has no number in Procore; it becomes the maestro* external number"
            )));
        }
        let with_context = |outcome: Outcome| match outcome {
            Outcome::Fail(why) => Outcome::Fail(format!("{description}: {why}")),
            Outcome::Dead(why) => Outcome::Dead(format!("{description}: {why}")),
            other => other,
        };
        let project = self
            .project_code(ctx, &procore, connection, project_id)
            .await
            .map_err(with_context)?;
        let Some(vendor_id) = po.vendor.as_ref().map(|v| v.id.0) else {
            return Err(Outcome::Fail(format!(
                "{description} has no contract company in Procore; choose the supplier it is ordered from"
            )));
        };
        let supplier = self
            .supplier_code(ctx, &procore, connection, vendor_id)
            .await
            .map_err(with_context)?;
        let mut fit = Fitter::new(description.clone());
        let external_no = fit.fit(
            "external number (Procore number)",
            &number,
            limits::EXTERNAL_NO,
        );
        let kind = settings.orders_mode.order_kind();
        let maestro = self
            .clients
            .maestro(connection)
            .await
            .map_err(fail::setup)?;
        let link = |order: mx::Order, fit: Fitter| Outcome::Synced {
            link: Some(SyncedLink {
                maestro_key: order.number,
                procore_id: po.id.0,
                procore_project_id: Some(project_id),
                origin: "created_in_maestro",
            }),
            description: Some(description.clone()),
            notes: fit.into_notes(),
        };
        // An order a crashed attempt created carries this external number already.
        let found = maestro
            .find_order(kind, &project, &external_no)
            .await
            .map_err(|e| fail::maestro(&format!("looking for {description} in maestro*"), e))?;
        if let Some(order) = found {
            return Ok(link(order, fit));
        }
        let lines = lines(&po, settings.cost_code_mode, &mut fit)
            .map_err(|why| Outcome::Dead(format!("{description}: {why}")))?;
        let order_date = po
            .created_at
            .map(|at| at.date_naive())
            .or(po.contract_date)
            .unwrap_or_else(|| Utc::now().date_naive());
        let memo = title_and_description(po.title.as_deref(), po.description.as_deref())
            .map(|m| fit.fit("memo (title - description)", &m, limits::MEMO));
        let retainage = po.retainage_percent.0;
        let holdback_percent = if retainage == 0.0 {
            None
        } else {
            Some(quantity(retainage).ok_or_else(|| {
                Outcome::Dead(format!(
                    "{description}: retainage {retainage}% cannot be written in maestro*"
                ))
            })?)
        };
        let order = NewOrder {
            external_no,
            project,
            supplier_code: supplier,
            order_date,
            delivery_date: po.delivery_date,
            memo,
            holdback_percent,
            lines,
        };
        match maestro.create_order(kind, &order).await {
            Ok(created) => Ok(link(created, fit)),
            // Another delivery of the same event created it a moment ago: link that order.
            Err(e) if e.is_rejected_with(&RejectCode::DuplicateExternalNo) => {
                let again = maestro
                    .find_order(kind, &order.project, &order.external_no)
                    .await
                    .map_err(|e| {
                        fail::maestro(&format!("looking for {description} in maestro*"), e)
                    })?;
                match again {
                    Some(existing) => Ok(link(existing, fit)),
                    None => Err(fail::maestro(&format!("creating {description}"), e)),
                }
            }
            Err(e) => Err(fail::maestro(&format!("creating {description}"), e)),
        }
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
