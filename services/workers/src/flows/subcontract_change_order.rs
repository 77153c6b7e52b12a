//! Subcontract change orders, Procore → maestro* (creation only, docs/rules.md "Change Orders on a
//! Subcontract"): an `Approved` commitment change order on a work order contract becomes a
//! change order of the maestro* subcontract it was made on, once that subcontract is
//! synchronized (rules §2). Procore shows change orders through their packages: the event
//! names the package. Change orders on purchase orders are skipped with the seed's words
//! (`bridge_domain::change_order`). Every Schedule of Values line becomes a breakdown line;
//! the Procore number goes to the external number, looked up first after a crash.

use crate::engine::{Context, Handler};
use crate::flows::clients::Clients;
use crate::flows::commitment::{cost_lines, external_number_clash};
use crate::flows::create_once::{Once, ProjectOf};
use crate::flows::fail::{self, Step};
use crate::flows::links;
use crate::flows::project_record::ProjectRecord;
use crate::outcome::{Dependency, Outcome, warnings};
use bridge_domain::change_order::{Holder, maestro_key, skip_reason};
use bridge_domain::commitment::{Commitment, external_number};
use bridge_domain::cost_codes::CostCodeMode;
use bridge_domain::dependencies::prerequisites;
use bridge_domain::text::{Fitter, title_and_description};
use bridge_domain::{ChangeEvent, Direction, EntityKind, Route};
use bridge_maestro::{NewChangeOrder, limits};
use bridge_procore::Client;
use bridge_procore::models::ChangeOrder;
use bridge_procore::optional;
use chrono::{NaiveDate, Utc};
use futures::future::BoxFuture;
use std::sync::Arc;

/// The maestro* change order of an approved Procore commitment change order on subcontract
/// `contract_no` (docs/rules.md: Title + Description, every Schedule of Values line, amounts as
/// sent); `initiated` is the day it is sent. Errors are in the user's words.
pub(crate) fn new_change_order(
    change_order: &ChangeOrder,
    contract_no: String,
    supplier_code: Option<String>,
    external_no: String,
    mode: CostCodeMode,
    initiated: NaiveDate,
    fit: &mut Fitter,
) -> Result<NewChangeOrder, String> {
    let lines = cost_lines(&change_order.line_items, mode, fit)?;
    let description = title_and_description(
        change_order.title.as_deref(),
        change_order.description.as_deref(),
    )
    .map(|d| fit.fit("description (title - description)", &d, limits::MEMO));
    Ok(NewChangeOrder {
        contract_no,
        external_no,
        initiated_date: initiated,
        supplier_code,
        description,
        lines,
    })
}

/// Procore commitment change order (package) → maestro* subcontract change order.
pub struct SubcontractChangeOrderToMaestro {
    clients: Arc<dyn Clients>,
}

/// The contract a change order is made on, and that contract in the user's words.
struct Made {
    holder: Holder,
    contract: String,
    vendor_id: Option<i64>,
}

impl SubcontractChangeOrderToMaestro {
    pub fn new(clients: Arc<dyn Clients>) -> Self {
        SubcontractChangeOrderToMaestro { clients }
    }

    /// Finds whether `contract_id` is a subcontract, a purchase order or neither.
    async fn made_on(&self, procore: &Client, project_id: i64, contract_id: i64) -> Step<Made> {
        let what = format!("reading Procore contract {contract_id}");
        let read = procore.work_order(project_id, contract_id).await;
        if let Some(wo) = optional(read).map_err(|e| fail::procore(&what, e))? {
            let c = &wo.contract;
            let number = c.number.as_deref().unwrap_or_default().trim();
            let title = c.title.as_deref().unwrap_or_default();
            return Ok(Made {
                holder: Holder::Commitment(Commitment::Subcontract),
                contract: format!("subcontract {number} ({title})"),
                vendor_id: c.vendor.as_ref().map(|v| v.id.0),
            });
        }
        let read = procore
            .purchase_order_contract(project_id, contract_id)
            .await;
        if let Some(po) = optional(read).map_err(|e| fail::procore(&what, e))? {
            let number = po.number.as_deref().unwrap_or_default().trim();
            return Ok(Made {
                holder: Holder::Commitment(Commitment::PurchaseOrder),
                contract: format!("purchase order {number}"),
                vendor_id: None,
            });
        }
        Ok(Made {
            holder: Holder::Other,
            contract: format!("contract {contract_id}"),
            vendor_id: None,
        })
    }

    /// The maestro* number of the change order's subcontract, or what to wait for.
    async fn contract_no(
        &self,
        ctx: &Context,
        connection: i64,
        contract_id: i64,
        made: &Made,
    ) -> Step<String> {
        for need in prerequisites(EntityKind::SubcontractChangeOrder) {
            if need.kind != EntityKind::Subcontract {
                return Err(Outcome::Dead(format!(
                    "the bridge does not know how to check {} ({})",
                    need.role, need.kind
                )));
            }
        }
        let link =
            links::by_procore_id(&ctx.pool, connection, EntityKind::Subcontract, contract_id)
                .await?;
        match link {
            Some(link) => Ok(link.maestro_key),
            // maestro* numbers the subcontract when it is created: the wait names its Procore id.
            None => Err(Outcome::Wait(Dependency {
                kind: EntityKind::Subcontract,
                maestro_key: crate::outcome::procore_key(contract_id),
                description: format!(
                    "{} is not synchronized with maestro* yet; its change orders follow it once it is Approved and sent",
                    made.contract
                ),
            })),
        }
    }

    async fn run(&self, ctx: &Context, event: &ChangeEvent) -> Step<Outcome> {
        let connection = event.connection_id;
        let record = ProjectRecord::open(ctx, self.clients.as_ref(), event, "change order").await?;
        let co = record.found(
            record
                .procore
                .change_order_package(record.project_id, record.id)
                .await,
        )?;
        let ProjectRecord {
            project_id,
            settings,
            procore,
            ..
        } = record;
        let number = co.number.as_deref().map(str::trim).unwrap_or_default();
        let title = co.title.as_deref().unwrap_or_default();
        let Some(contract_id) = co.contract_id.map(|c| c.0) else {
            return Err(Outcome::Dead(format!(
                "change order {number} ({title}) is made on no contract in Procore"
            )));
        };
        let made = self.made_on(&procore, project_id, contract_id).await?;
        let description = format!("change order {number} ({title}) on {}", made.contract);
        let mut once = Once::new(
            ctx,
            event,
            EntityKind::SubcontractChangeOrder,
            description.clone(),
        )
        .in_project(ProjectOf::Project(project_id));
        // Creation only: a synchronized change order stays as it was sent (rules §3).
        once.unless_linked_in_procore(co.id.0).await?;
        let status = co.status.as_deref().unwrap_or_default();
        if let Some(reason) = skip_reason(made.holder, status, &description) {
            return Ok(Outcome::Skipped {
                reason,
                description: Some(description),
            });
        }
        let mut fit = Fitter::new(description.clone());
        let external_no = external_number(number, &mut fit)
            .map_err(|e| Outcome::Fail(format!("{description}: {e}")))?;
        let contract_no = self
            .contract_no(ctx, connection, contract_id, &made)
            .await?;
        // The subcontract's supplier, when linked (maestro* checks it exists).
        let supplier = match made.vendor_id {
            Some(vendor) => {
                links::by_procore_id(&ctx.pool, connection, EntityKind::Supplier, vendor)
                    .await?
                    .map(|l| l.maestro_key)
            }
            None => None,
        };
        once.notes = warnings(fit.into_warnings());
        let maestro = self
            .clients
            .maestro(connection)
            .await
            .map_err(fail::setup)?;
        let looking = format!("looking for {description} in maestro*");
        let (maestro, contract_no, external_no, looking) =
            (maestro.as_ref(), &contract_no, &external_no, &looking);
        once.into_maestro(
            co.id.0,
            None,
            async || Ok(false),
            // A change order a crashed attempt created carries this external number already.
            move || async move {
                let found = maestro.find_change_order(contract_no, external_no).await;
                Ok(found
                    .map_err(|e| fail::maestro(looking, e))?
                    .map(|c| maestro_key(&c.contract_no, c.number)))
            },
            async || {
                let mut fit = Fitter::new(description.clone());
                let change_order = new_change_order(
                    &co,
                    contract_no.clone(),
                    supplier.clone(),
                    external_no.clone(),
                    settings.cost_code_mode,
                    Utc::now().date_naive(),
                    &mut fit,
                )
                .map_err(|why| Outcome::Dead(format!("{description}: {why}")))?;
                let created = maestro.create_change_order(&change_order).await;
                Ok(created.map(|c| {
                    let key = maestro_key(&c.contract_no, c.number);
                    (key, warnings(fit.into_warnings()))
                }))
            },
            |key, other| external_number_clash(number, external_no, key, "change order", other),
        )
        .await
    }
}

impl Handler for SubcontractChangeOrderToMaestro {
    fn route(&self) -> Route {
        Route {
            kind: EntityKind::SubcontractChangeOrder,
            direction: Direction::ToMaestro,
        }
    }

    fn handle<'a>(&'a self, ctx: &'a Context, event: &'a ChangeEvent) -> BoxFuture<'a, Outcome> {
        Box::pin(async move { fail::settle(self.run(ctx, event).await) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_approved_change_order_keeps_its_lines_and_title_with_description() {
        let co: ChangeOrder = serde_json::from_value(json!({
            "id": 9, "contract_id": 3, "number": "1", "status": "approved",
            "title": "Ajout", "description": "Prises extérieures",
            "line_items": [
                { "id": 91, "amount": "1500.00", "description": "Prises",
                  "cost_code": { "id": 5, "code": "001", "full_code": "01-A-001" },
                  "line_item_type": { "id": 6, "code": "SST" } },
            ],
        }))
        .unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        let cases = [
            (CostCodeMode::Direct, "001"),
            (CostCodeMode::Concatenated, "01-A-001"),
        ];
        for (mode, activity) in cases {
            let mut fit = Fitter::new("change order 1");
            let got = new_change_order(
                &co,
                "000042".into(),
                Some("ELEC01".into()),
                "1".into(),
                mode,
                day,
                &mut fit,
            )
            .unwrap();
            assert_eq!(got.contract_no, "000042");
            assert_eq!(got.external_no, "1");
            assert_eq!(got.initiated_date, day);
            assert_eq!(
                got.description.as_deref(),
                Some("Ajout - Prises extérieures")
            );
            assert_eq!(got.lines.len(), 1);
            assert_eq!(got.lines[0].activity, activity, "{mode}");
            assert_eq!(got.lines[0].group, "SST");
            assert_eq!(got.lines[0].amount.to_string(), "1500.00");
        }
    }
}
