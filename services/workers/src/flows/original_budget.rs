//! Original budget, maestro* → Procore (rules §1 `original_budget`; docs/rules.md "Original
//! Budget"): the Budget column of a maestro* project becomes its Procore budget, one project
//! at a time in one batch through the budget line items sync. maestro* is the master: every
//! difference is overwritten, a line removed in maestro* is set to zero in Procore, and a budget
//! already equal is not sent again. Waits for the project link (rules §2); activities and
//! groups are matched to leaf cost codes and cost types by the connection's cost-code mode
//! (rules §4), from the project's cached catalog.

use crate::engine::{Context, Handler};
use crate::flows::clients::Clients;
use crate::flows::cost_catalog::{CostCatalog, ProjectCatalog};
use crate::flows::fail::{self, Step};
use crate::flows::links;
use crate::flows::settings::FlowSettings;
use crate::outcome::{Dependency, Note, NoteLevel, Outcome};
use bridge_domain::budget::{
    BudgetLineOut, Catalog, MaestroBudgetLine, ProcoreBudgetLine, cents, original_budget,
};
use bridge_domain::cost_codes::CostCodeMode;
use bridge_domain::dependencies::prerequisites;
use bridge_domain::{ChangeEvent, Direction, EntityKind, Route};
use bridge_maestro::{BudgetLine, ProjectCode};
use bridge_procore::budgets::BudgetLineUpdate;
use bridge_procore::{Client, ProcoreId};
use futures::future::BoxFuture;
use std::sync::Arc;
use std::time::Duration;

/// maestro* Budget column → Procore budget.
pub struct OriginalBudgetToProcore {
    clients: Arc<dyn Clients>,
    catalog: Arc<CostCatalog>,
}

impl OriginalBudgetToProcore {
    pub fn new(clients: Arc<dyn Clients>) -> Self {
        OriginalBudgetToProcore {
            clients,
            catalog: CostCatalog::shared(),
        }
    }

    async fn run(&self, ctx: &Context, event: &ChangeEvent) -> Step<Outcome> {
        let connection = event.connection_id;
        let code = ProjectCode::new(event.record.trim()).map_err(|e| {
            Outcome::Dead(format!(
                "`{}` is not a maestro* project number: {e}",
                event.record
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
        let reading = format!("reading project {code}");
        let Some(project) = maestro
            .project(&code)
            .await
            .map_err(|e| fail::maestro(&reading, e))?
        else {
            return Ok(Outcome::Skipped {
                reason: format!("project {code} no longer exists in maestro*; no budget to send"),
                description: None,
            });
        };
        let description = format!("budget of project {code} ({})", project.description);
        let mut procore_project = None;
        for need in prerequisites(EntityKind::OriginalBudget) {
            let link = links::by_maestro_key(&ctx.pool, connection, need.kind, code.as_str());
            let Some(link) = link.await? else {
                return Err(Outcome::Wait(Dependency {
                    kind: need.kind,
                    maestro_key: code.to_string(),
                    description: format!(
                        "project {code} ({}) is not linked to Procore yet",
                        project.description
                    ),
                }));
            };
            procore_project = Some(link.procore_id);
        }
        let Some(procore_project) = procore_project else {
            return Err(Outcome::Dead(format!(
                "{description}: its project is missing from the dependency table"
            )));
        };
        let reading = format!("reading the {description}");
        let lines = maestro
            .budget_lines(&code)
            .await
            .map_err(|e| fail::maestro(&reading, e))?;
        let procore = self
            .clients
            .procore(connection)
            .await
            .map_err(fail::setup)?;
        let today = procore_lines(&procore, procore_project, &description).await?;
        let maestro_lines: Vec<MaestroBudgetLine> = lines.iter().map(maestro_line).collect();
        let mode = settings.cost_code_mode;
        let plan = match self
            .plan(
                &procore,
                connection,
                procore_project,
                mode,
                &maestro_lines,
                &today,
            )
            .await?
        {
            Ok(plan) => plan,
            Err(errors) => {
                return Err(Outcome::Fail(format!(
                    "{description}: {}",
                    errors.join("; ")
                )));
            }
        };
        if plan.is_empty() {
            return Ok(synced(
                &description,
                "the Procore budget already matches maestro*; nothing was sent".into(),
            ));
        }
        let updates: Vec<BudgetLineUpdate> = plan.iter().map(update).collect();
        let sending = format!("sending the {description}");
        let results = procore
            .sync_budget_lines(procore_project, &updates)
            .await
            .map_err(|e| {
                locked_or(&description, &e).unwrap_or_else(|| fail::procore(&sending, e))
            })?;
        let mut refused = Vec::new();
        for item in results {
            if let Err(body) = item.result {
                if body.raw.to_ascii_lowercase().contains("lock") {
                    return Err(locked(&description));
                }
                let line = &plan[item.index];
                refused.push(format!("{}: {}", line_name(line), body.summary()));
            }
        }
        if !refused.is_empty() {
            return Err(Outcome::Dead(format!(
                "Procore refused the {description}: {}",
                refused.join("; ")
            )));
        }
        let created = plan.iter().filter(|l| l.id.is_none()).count();
        let zeroed = plan
            .iter()
            .filter(|l| l.id.is_some() && l.activity.is_empty())
            .count();
        let updated = plan.len() - created - zeroed;
        Ok(synced(
            &description,
            format!(
                "{created} lines created, {updated} updated and {zeroed} removed in maestro* set to zero in Procore"
            ),
        ))
    }

    /// The lines to send; when an activity or group is missing from a catalog read a while
    /// ago, the catalog is read again once before the budget is refused.
    pub(crate) async fn plan(
        &self,
        procore: &Client,
        connection: i64,
        project: i64,
        mode: CostCodeMode,
        lines: &[MaestroBudgetLine],
        today: &[ProcoreBudgetLine],
    ) -> Step<Result<Vec<BudgetLineOut>, Vec<String>>> {
        let reading = "reading the Procore cost codes and cost types";
        let catalog = self.catalog.get(procore, connection, project).await;
        let catalog = catalog.map_err(|e| fail::procore(reading, e))?;
        let first = plan_with(&catalog, mode, lines, today);
        if first.is_ok() {
            return Ok(first);
        }
        let fresh = self
            .catalog
            .get_fresh(procore, connection, project, Duration::from_secs(5))
            .await
            .map_err(|e| fail::procore(reading, e))?;
        Ok(plan_with(&fresh, mode, lines, today))
    }
}

fn plan_with(
    catalog: &ProjectCatalog,
    mode: CostCodeMode,
    lines: &[MaestroBudgetLine],
    today: &[ProcoreBudgetLine],
) -> Result<Vec<BudgetLineOut>, Vec<String>> {
    let types = catalog.types();
    let catalog = Catalog {
        mode,
        codes: &catalog.tree,
        types: &types,
    };
    original_budget(lines, today, &catalog)
        .map_err(|errors| errors.iter().map(ToString::to_string).collect())
}

/// The Procore budget as it stands: one line per cost code + cost type of the budget view.
pub(crate) async fn procore_lines(
    procore: &Client,
    project: i64,
    description: &str,
) -> Step<Vec<ProcoreBudgetLine>> {
    let reading = format!("reading the Procore side of the {description}");
    let view = procore.budget_view(project).await;
    let Some(view) = view.map_err(|e| fail::procore(&reading, e))? else {
        return Ok(Vec::new());
    };
    let rows = procore.budget_view_rows(project, view.id.0).await;
    let rows = rows.map_err(|e| fail::procore(&reading, e))?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(ProcoreBudgetLine {
                id: r.id.0,
                cost_code_id: r.cost_code_id?.0,
                cost_type_id: r.category_id?.0,
                amount_cents: cents(r.original_budget_amount.0),
            })
        })
        .collect())
}

pub(crate) fn maestro_line(line: &BudgetLine) -> MaestroBudgetLine {
    let scale = 10f64.powi(bridge_maestro::Quantity::SCALE as i32);
    MaestroBudgetLine {
        activity: line.activity.clone(),
        group: line.group.clone(),
        amount_cents: line.budget_amount.units(),
        quantity: line.budget_quantity.units() as f64 / scale,
        unit: line.unit.clone(),
    }
}

fn update(line: &BudgetLineOut) -> BudgetLineUpdate {
    let q = line.quantity.as_ref();
    BudgetLineUpdate {
        id: line.id.map(ProcoreId),
        cost_code_id: ProcoreId(line.cost_code_id),
        line_item_type_id: ProcoreId(line.cost_type_id),
        original_budget_amount: line.amount_cents as f64 / 100.0,
        quantity: q.map(|q| q.quantity),
        uom: q.and_then(|q| q.unit.clone()),
        unit_cost: q.map(|q| q.unit_cost),
    }
}

pub(crate) fn line_name(line: &BudgetLineOut) -> String {
    if line.activity.is_empty() {
        format!("the Procore line of cost code {}", line.cost_code_id)
    } else {
        format!("activity {}, group {}", line.activity, line.group)
    }
}

fn synced(description: &str, what: String) -> Outcome {
    Outcome::Synced {
        link: None,
        description: Some(description.to_owned()),
        notes: vec![Note {
            level: NoteLevel::Info,
            text: what,
        }],
    }
}

/// A locked Procore budget: the user unlocks it (or keeps it locked on purpose).
fn locked(description: &str) -> Outcome {
    Outcome::Fail(format!(
        "the Procore budget is locked, so the {description} cannot be sent; unlock the budget in Procore (Project > Budget) to let maestro* update it"
    ))
}

fn locked_or(description: &str, error: &bridge_procore::Error) -> Option<Outcome> {
    match error {
        bridge_procore::Error::Api { body, .. }
            if body.raw.to_ascii_lowercase().contains("lock") =>
        {
            Some(locked(description))
        }
        _ => None,
    }
}

impl Handler for OriginalBudgetToProcore {
    fn route(&self) -> Route {
        Route {
            kind: EntityKind::OriginalBudget,
            direction: Direction::ToProcore,
        }
    }

    fn handle<'a>(&'a self, ctx: &'a Context, event: &'a ChangeEvent) -> BoxFuture<'a, Outcome> {
        Box::pin(async move { fail::settle(self.run(ctx, event).await) })
    }
}
