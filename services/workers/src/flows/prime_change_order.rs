//! Prime contract change orders, Procore → maestro* (creation only): an `approved` change order
//! on a prime contract goes to the Change Orders tab of its project's progress billing contract,
//! once that prime contract is synchronized (rules §1 and §2; docs/rules.md "Change Order on
//! Billing Contracts": Title + Description, cost code, unit quantity, unit cost).
//!
//! Change orders surface through `Change Order Packages` events, which feed both change-order
//! routes (`bridge_domain::resources`): the event's record is the package, and a package on a
//! commitment is left to the subcontract change-order flow (`skipped` here, saying so). The
//! Procore number is the external number, by which a crashed attempt's change order is found.

use crate::engine::{Context, Handler};
use crate::flows::clients::Clients;
use crate::flows::create_once::{Once, ProjectOf};
use crate::flows::fail::{self, Step};
use crate::flows::links;
use crate::flows::prime_contract::{domain_line, maestro_lines, project_number};
use crate::flows::project_from_procore::date;
use crate::flows::project_record::ProjectRecord;
use crate::outcome::{Dependency, Outcome, warnings};
use bridge_domain::billing::{self, billing_limits};
use bridge_domain::commitment::{CommitmentLine, external_number};
use bridge_domain::cost_codes::CostCodeMode;
use bridge_domain::text::{Fitter, title_and_description};
use bridge_domain::{ChangeEvent, Direction, EntityKind, Route};
use bridge_maestro::{NewBillingChangeOrder, ProjectCode};
use bridge_procore::Client;
use bridge_procore::billing::ChangeOrderPackage;
use bridge_procore::optional;
use chrono::{NaiveDate, Utc};
use futures::future::BoxFuture;
use std::sync::Arc;

/// Procore prime contract change order → maestro* billing change order.
pub struct PrimeChangeOrderToMaestro {
    clients: Arc<dyn Clients>,
}

/// The maestro* change order of an approved Procore prime contract change order (pure): dated
/// the day it was approved (else created, else `today`), Title + Description as its
/// description, each line's cost code as its activity by the cost-code mode.
pub(crate) fn new_billing_change_order(
    co: &ChangeOrderPackage,
    contract_no: ProjectCode,
    external_no: String,
    mode: CostCodeMode,
    today: NaiveDate,
    fit: &mut Fitter,
) -> Result<NewBillingChangeOrder, String> {
    let lines: Vec<CommitmentLine<'_>> = co.line_items.iter().map(domain_line).collect();
    let lines = billing::change_order_lines(&lines, mode).map_err(|e| e.to_string())?;
    let description =
        title_and_description(co.title.as_deref(), co.description.as_deref()).map(|d| {
            let limit = billing_limits::CHANGE_ORDER_DESCRIPTION;
            fit.fit("description (title - description)", &d, limit)
        });
    Ok(NewBillingChangeOrder {
        contract_no,
        external_no,
        date: date(co.reviewed_at.as_deref())
            .or(date(co.created_at.as_deref()))
            .unwrap_or(today),
        description,
        lines: maestro_lines(lines)?,
    })
}

impl PrimeChangeOrderToMaestro {
    pub fn new(clients: Arc<dyn Clients>) -> Self {
        PrimeChangeOrderToMaestro { clients }
    }

    /// The maestro* contract number (the project number) of the synchronized prime contract
    /// `contract_id`, or what to wait for.
    async fn contract_no(
        &self,
        ctx: &Context,
        procore: &Client,
        event: &ChangeEvent,
        project_id: i64,
        contract_id: i64,
    ) -> Step<ProjectCode> {
        let connection = event.connection_id;
        let kind = EntityKind::PrimeContract;
        if let Some(link) = links::by_procore_id(&ctx.pool, connection, kind, contract_id).await? {
            return ProjectCode::new(link.maestro_key).map_err(|e| {
                Outcome::Dead(format!(
                    "the linked billing contract number is not valid: {e}"
                ))
            });
        }
        // Its billing contract will carry the project's number: that is what to wait for.
        let (number, _, _) = project_number(ctx, procore, connection, project_id).await?;
        let what = format!("reading prime contract {contract_id}");
        let contract = optional(procore.prime_contract(project_id, contract_id).await)
            .map_err(|e| fail::procore(&what, e))?
            .ok_or_else(|| {
                Outcome::Dead(format!(
                    "its prime contract (Procore id {contract_id}) no longer exists in Procore"
                ))
            })?;
        Err(Outcome::Wait(Dependency {
            kind,
            description: format!(
                "its prime contract {} ({}) is not synchronized with maestro* yet; it becomes the billing contract of project {number}",
                contract.number.as_deref().unwrap_or_default(),
                contract.title.as_deref().unwrap_or_default()
            ),
            maestro_key: number,
        }))
    }

    async fn run(&self, ctx: &Context, event: &ChangeEvent) -> Step<Outcome> {
        let connection = event.connection_id;
        let record =
            ProjectRecord::open(ctx, self.clients.as_ref(), event, "change order package").await?;
        let co = record.found(
            record
                .procore
                .change_order_package_of(record.project_id, record.id)
                .await,
        )?;
        let ProjectRecord {
            id,
            project_id,
            settings,
            procore,
            ..
        } = record;
        let number = co.number.as_deref().map(str::trim).unwrap_or_default();
        let description = format!(
            "prime contract change order {number} ({})",
            co.title.as_deref().unwrap_or_default()
        );
        if !co.on_prime_contract() {
            return Ok(Outcome::Skipped {
                reason: format!(
                    "change order {number} ({}) is on a commitment, not a prime contract; it travels as a subcontract change order",
                    co.title.as_deref().unwrap_or_default()
                ),
                description: None,
            });
        }
        let once = Once::new(
            ctx,
            event,
            EntityKind::PrimeChangeOrder,
            description.clone(),
        )
        .in_project(ProjectOf::Project(project_id));
        // A synchronized change order stays as it was sent (creation only).
        once.unless_linked_in_procore(id).await?;
        if !billing::is_approved(co.status.as_deref()) {
            let status = co.status.as_deref().unwrap_or("without status");
            return Ok(Outcome::Skipped {
                reason: format!(
                    "{description} is {status} in Procore; only approved change orders are sent to maestro*"
                ),
                description: Some(description),
            });
        }
        let Some(contract_id) = co.contract_id.map(|c| c.0) else {
            return Err(Outcome::Dead(format!(
                "{description} names no prime contract in Procore"
            )));
        };
        let mut fit = Fitter::new(description.clone());
        let external_no = external_number(number, &mut fit)
            .map_err(|e| Outcome::Fail(format!("{description}: {e}")))?;
        let contract_no = self
            .contract_no(ctx, &procore, event, project_id, contract_id)
            .await
            .map_err(|outcome| match outcome {
                Outcome::Fail(why) => Outcome::Fail(format!("{description}: {why}")),
                Outcome::Dead(why) => Outcome::Dead(format!("{description}: {why}")),
                other => other,
            })?;
        let mut once = once;
        once.notes = warnings(fit.into_warnings());
        let maestro = self
            .clients
            .maestro(connection)
            .await
            .map_err(fail::setup)?;
        let looking = format!("looking for {description} in maestro*");
        let (maestro, contract_no, external_no, looking, description) = (
            maestro.as_ref(),
            &contract_no,
            &external_no,
            &looking,
            &description,
        );
        once.into_maestro(
            id,
            None,
            async || Ok(false),
            // A change order a crashed attempt created carries this external number already.
            move || async move {
                let found = maestro.find_billing_change_order(contract_no, external_no).await;
                Ok(found
                    .map_err(|e| fail::maestro(looking, e))?
                    .map(|c| billing::change_order_key(c.contract_no.as_str(), c.number)))
            },
            async || {
                let mut fit = Fitter::new(description.clone());
                let today = Utc::now().date_naive();
                let new = new_billing_change_order(
                    &co,
                    contract_no.clone(),
                    external_no.clone(),
                    settings.cost_code_mode,
                    today,
                    &mut fit,
                )
                .map_err(|why| Outcome::Dead(format!("{description}: {why}")))?;
                let created = maestro.create_billing_change_order(&new).await;
                Ok(created.map(|c| {
                    let key = billing::change_order_key(c.contract_no.as_str(), c.number);
                    (key, warnings(fit.into_warnings()))
                }))
            },
            |key, other| {
                format!(
                    "maestro* change order {key} already carries external number {external_no}, sent from the Procore change order with id {other}"
                )
            },
        )
        .await
    }
}

impl Handler for PrimeChangeOrderToMaestro {
    fn route(&self) -> Route {
        Route {
            kind: EntityKind::PrimeChangeOrder,
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
    fn an_approved_prime_change_order_maps_its_date_description_and_lines() {
        let co: ChangeOrderPackage = serde_json::from_value(json!({
            "id": 7, "type": "PrimeContractChangeOrder", "contract_id": 9, "number": "CO-2",
            "title": "Dalle renforcée", "description": "Demande de la Ville", "status": "approved",
            "reviewed_at": "2026-06-03T14:00:00Z", "created_at": "2026-05-20T09:00:00Z",
            "line_items": [
                { "id": 1, "amount": "1500.00", "cost_code": { "id": 5, "code": "001", "full_code": "01-A-001" } },
                { "id": 2, "amount": "425.00", "quantity": "5", "unit_cost": "85", "cost_code": { "id": 6, "code": "002", "full_code": "01-A-002" } },
            ],
        }))
        .unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
        let mut fit = Fitter::new("prime contract change order CO-2");
        let code = ProjectCode::new("P-100").unwrap();
        let mode = CostCodeMode::Concatenated;
        let got = new_billing_change_order(&co, code, "CO-2".into(), mode, today, &mut fit);
        let got = got.unwrap();
        assert_eq!(got.date, NaiveDate::from_ymd_opt(2026, 6, 3).unwrap());
        assert_eq!(
            got.description.as_deref(),
            Some("Dalle renforcée - Demande de la Ville")
        );
        let lines: Vec<_> = got
            .lines
            .iter()
            .map(|l| {
                let text = |v: Option<String>| v.unwrap_or_default();
                (
                    l.activity.as_str(),
                    text(l.quantity.map(|q| q.to_string())),
                    text(l.unit_price.map(|p| p.to_string())),
                    text(l.amount.map(|a| a.to_string())),
                )
            })
            .collect();
        assert_eq!(
            lines,
            [
                ("01-A-001", String::new(), String::new(), "1500.00".into()),
                ("01-A-002", "5".into(), "85.00".into(), "425.00".into()),
            ]
        );
    }
}
