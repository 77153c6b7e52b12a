//! Subcontracts, Procore → maestro* (creation only, docs/rules.md "Subcontract Management"): an
//! `Approved` Procore work order contract becomes a maestro* subcontract once its project and
//! its vendor are linked (rules §2). Title + Description go to the Details field, the
//! retainage to the holdback, the Procore number to the external number (40), and every
//! Schedule of Values line to a breakdown line (rules §4). maestro* numbers it from the
//! counter orders and subcontracts share. The external number is looked up first, so a retry
//! after a crash never creates a second subcontract.

use crate::engine::{Context, Handler};
use crate::flows::clients::Clients;
use crate::flows::commitment::{cost_lines, external_number_clash, holdback};
use crate::flows::commitment_needs::{Words, project_and_supplier};
use crate::flows::create_once::{Once, ProjectOf};
use crate::flows::fail::{self, Step};
use crate::flows::project_from_procore::date;
use crate::flows::project_record::ProjectRecord;
use crate::outcome::{Outcome, warnings};
use bridge_domain::commitment::external_number;
use bridge_domain::cost_codes::CostCodeMode;
use bridge_domain::text::{Fitter, title_and_description};
use bridge_domain::{ChangeEvent, Direction, EntityKind, Route};
use bridge_maestro::{NewSubcontract, ProjectCode, limits};
use bridge_procore::subcontracts::WorkOrderContract;
use futures::future::BoxFuture;
use std::sync::Arc;

const WORDS: Words = Words {
    records: "subcontracts",
    record: "subcontract",
};

/// The maestro* subcontract of an approved Procore work order contract, given its project,
/// supplier and external number (docs/rules.md: Contract Date → Contract Date, Actual Completion
/// Date → Delivery Date, Default Retainage → Holdback %, Title + Description → Details).
/// Errors are in the user's words.
pub(crate) fn new_subcontract(
    work_order: &WorkOrderContract,
    project: ProjectCode,
    supplier_code: String,
    external_no: String,
    mode: CostCodeMode,
    fit: &mut Fitter,
) -> Result<NewSubcontract, String> {
    let contract = &work_order.contract;
    let lines = cost_lines(&contract.line_items, mode, fit)?;
    let details = title_and_description(contract.title.as_deref(), contract.description.as_deref())
        .map(|d| fit.fit("details (title - description)", &d, limits::MEMO));
    Ok(NewSubcontract {
        external_no,
        project,
        supplier_code,
        contract_date: date(contract.contract_date.as_deref()),
        delivery_date: date(work_order.actual_completion_date.as_deref()),
        holdback_percent: holdback(contract.retainage_percent.0)?,
        details,
        memo: None,
        lines,
    })
}

/// Procore work order contract → maestro* subcontract.
pub struct SubcontractToMaestro {
    clients: Arc<dyn Clients>,
}

impl SubcontractToMaestro {
    pub fn new(clients: Arc<dyn Clients>) -> Self {
        SubcontractToMaestro { clients }
    }

    async fn run(&self, ctx: &Context, event: &ChangeEvent) -> Step<Outcome> {
        let connection = event.connection_id;
        let record = ProjectRecord::open(ctx, self.clients.as_ref(), event, "subcontract").await?;
        let work_order = record.found(
            record
                .procore
                .work_order(record.project_id, record.id)
                .await,
        )?;
        let ProjectRecord {
            project_id,
            settings,
            procore,
            ..
        } = record;
        let contract = &work_order.contract;
        let number = contract
            .number
            .as_deref()
            .map(str::trim)
            .unwrap_or_default();
        let title = contract.title.as_deref().unwrap_or_default();
        let description = format!("subcontract {number} ({title})");
        let status = contract.status.as_deref().unwrap_or_default();
        let mut once = Once::new(ctx, event, EntityKind::Subcontract, description.clone())
            .in_project(ProjectOf::Project(project_id));
        // Creation only: a synchronized subcontract stays as it was sent (rules §3).
        once.unless_linked_in_procore(contract.id.0).await?;
        if !status.eq_ignore_ascii_case("Approved") {
            return Ok(Outcome::Skipped {
                reason: format!(
                    "{description} is {status} in Procore; only Approved subcontracts are sent to maestro*"
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
            EntityKind::Subcontract,
            project_id,
            contract.vendor.as_ref().map(|v| v.id.0),
            &description,
            WORDS,
        )
        .await?;
        once.notes = warnings(fit.into_warnings());
        let maestro = self
            .clients
            .maestro(connection)
            .await
            .map_err(fail::setup)?;
        let looking = format!("looking for {description} in maestro*");
        let (maestro, project, external_no, looking) =
            (maestro.as_ref(), &project, &external_no, &looking);
        once.into_maestro(
            contract.id.0,
            None,
            async || Ok(false),
            // A subcontract a crashed attempt created carries this external number already.
            move || async move {
                let found = maestro.find_subcontract(project, external_no).await;
                Ok(found
                    .map_err(|e| fail::maestro(looking, e))?
                    .map(|s| s.number))
            },
            async || {
                let mut fit = Fitter::new(description.clone());
                let subcontract = new_subcontract(
                    &work_order,
                    project.clone(),
                    supplier.clone(),
                    external_no.clone(),
                    settings.cost_code_mode,
                    &mut fit,
                )
                .map_err(|why| Outcome::Dead(format!("{description}: {why}")))?;
                let created = maestro.create_subcontract(&subcontract).await;
                Ok(created.map(|s| (s.number, warnings(fit.into_warnings()))))
            },
            |subcontract, other| {
                external_number_clash(number, external_no, subcontract, "subcontract", other)
            },
        )
        .await
    }
}

impl Handler for SubcontractToMaestro {
    fn route(&self) -> Route {
        Route {
            kind: EntityKind::Subcontract,
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
    use chrono::NaiveDate;
    use serde_json::json;

    fn work_order() -> WorkOrderContract {
        serde_json::from_value(json!({
            "id": 3, "number": "SC-001", "status": "Approved", "retainage_percent": "5.00",
            "title": "Électricité", "description": "Entrée électrique",
            "contract_date": "2026-05-04", "actual_completion_date": "2026-09-30",
            "line_items": [
                { "id": 31, "amount": "12000.00", "description": "Filage",
                  "cost_code": { "id": 5, "code": "001", "full_code": "01-A-001" }, "line_item_type": { "id": 6, "code": "SST" } },
                { "id": 32, "amount": "800.25", "quantity": "3", "unit_cost": "266.75", "uom": "jour",
                  "cost_code": { "id": 7, "code": "002", "full_code": "01-A-002" }, "line_item_type": { "id": 6, "code": "SST" } },
            ],
        }))
        .unwrap()
    }

    #[test]
    fn an_approved_work_order_maps_details_holdback_dates_and_lines_in_both_modes() {
        let cases = [
            (CostCodeMode::Direct, ["001", "002"]),
            (CostCodeMode::Concatenated, ["01-A-001", "01-A-002"]),
        ];
        for (mode, activities) in cases {
            let mut fit = Fitter::new("subcontract SC-001");
            let code = ProjectCode::new("P-100").unwrap();
            let got = new_subcontract(
                &work_order(),
                code,
                "ELEC01".into(),
                "SC-001".into(),
                mode,
                &mut fit,
            )
            .unwrap();
            assert_eq!(
                got.details.as_deref(),
                Some("Électricité - Entrée électrique")
            );
            assert_eq!(got.memo, None);
            assert_eq!(got.contract_date, NaiveDate::from_ymd_opt(2026, 5, 4));
            assert_eq!(got.delivery_date, NaiveDate::from_ymd_opt(2026, 9, 30));
            let holdback = got.holdback_percent.map(|h| h.to_string());
            assert_eq!(holdback.as_deref(), Some("5"));
            let lines: Vec<(u32, &str, &str, String)> = got
                .lines
                .iter()
                .map(|l| {
                    (
                        l.line_no,
                        l.activity.as_str(),
                        l.group.as_str(),
                        l.amount.to_string(),
                    )
                })
                .collect();
            assert_eq!(
                lines,
                [
                    (1, activities[0], "SST", "12000.00".to_owned()),
                    (2, activities[1], "SST", "800.25".to_owned())
                ],
                "{mode}"
            );
            assert_eq!(got.lines[0].quantity, None);
            assert_eq!(got.lines[1].unit.as_deref(), Some("jour"));
        }
    }

    #[test]
    fn a_line_without_cost_type_is_refused_naming_the_line() {
        let mut wo = work_order();
        wo.contract.line_items[1].line_item_type = None;
        let code = ProjectCode::new("P-100").unwrap();
        let mut fit = Fitter::new("subcontract SC-001");
        let e = new_subcontract(
            &wo,
            code,
            "E".into(),
            "SC-001".into(),
            CostCodeMode::Direct,
            &mut fit,
        )
        .unwrap_err();
        assert!(e.starts_with("line 2 has no cost type"), "{e}");
    }
}
