//! Modified budget, Procore → maestro* (rules §1 `modified_budget`; docs/rules.md "Modified
//! Budget"): the "Approved COs" column of the project's Procore budget view, per cost code and
//! cost type, becomes the Modification column of the matching maestro* activity + group.
//! Events name a change order package or budget change; the flow always reloads the whole view
//! of the event's project, so it is re-sent whenever Approved COs change and a value already
//! equal is not written again. The column's key is the one the view's rows carry, or the id the
//! view's detail columns give "Approved COs" (never guessed). Waits for the project link
//! (rules §2).

use crate::engine::{Context, Handler};
use crate::flows::clients::Clients;
use crate::flows::cost_catalog::{CostCatalog, ProjectCatalog};
use crate::flows::fail::{self, Step};
use crate::flows::links;
use crate::flows::settings::FlowSettings;
use crate::outcome::{Dependency, Note, NoteLevel, Outcome};
use bridge_domain::budget::{ApprovedCos, cents, column_key, modifications};
use bridge_domain::cost_codes::CostCodeMode;
use bridge_domain::dependencies::prerequisites;
use bridge_domain::{ChangeEvent, Direction, EntityKind, Route};
use bridge_maestro::{Amount, BudgetModification, MaestroApi, ProjectCode, Quantity};
use bridge_procore::Client;
use bridge_procore::models::BudgetDetailRow;
use futures::future::BoxFuture;
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

/// The budget view column the Modification column comes from (docs/rules.md).
pub const APPROVED_COS: &str = "Approved COs";

/// Procore "Approved COs" → maestro* Modification column.
pub struct ModifiedBudgetToMaestro {
    clients: Arc<dyn Clients>,
    catalog: Arc<CostCatalog>,
}

impl ModifiedBudgetToMaestro {
    pub fn new(clients: Arc<dyn Clients>) -> Self {
        ModifiedBudgetToMaestro {
            clients,
            catalog: CostCatalog::shared(),
        }
    }

    /// The maestro* number of the Procore project, or what to wait for.
    async fn project_code(
        &self,
        ctx: &Context,
        procore: &Client,
        connection: i64,
        id: i64,
    ) -> Step<ProjectCode> {
        let mut code = None;
        for need in prerequisites(EntityKind::ModifiedBudget) {
            if let Some(link) = links::by_procore_id(&ctx.pool, connection, need.kind, id).await? {
                code = Some(ProjectCode::new(link.maestro_key).map_err(|e| {
                    Outcome::Dead(format!("the linked project number is not valid: {e}"))
                })?);
                continue;
            }
            let reading = format!("reading Procore project {id}");
            let project = procore.project(id).await;
            let Some(project) = project.map_err(|e| fail::procore(&reading, e))? else {
                return Err(Outcome::Dead(format!(
                    "Procore project {id} no longer exists"
                )));
            };
            let name = project.name.unwrap_or_default();
            let number = project.project_number.unwrap_or_default();
            if number.trim().is_empty() {
                return Err(Outcome::Fail(format!(
                    "Procore project {name} has no Job Number; enter the maestro* project number in it so its approved change orders can reach the maestro* budget"
                )));
            }
            return Err(Outcome::Wait(Dependency {
                kind: need.kind,
                maestro_key: number.trim().to_owned(),
                description: format!(
                    "project {} ({name}) is not linked to maestro* yet, so its approved change orders cannot reach the budget",
                    number.trim()
                ),
            }));
        }
        code.ok_or_else(|| Outcome::Dead("its project is missing from the dependency table".into()))
    }

    async fn run(&self, ctx: &Context, event: &ChangeEvent) -> Step<Outcome> {
        let connection = event.connection_id;
        let Some(project_id) = event
            .project
            .as_deref()
            .and_then(|p| p.trim().parse::<i64>().ok())
        else {
            return Err(Outcome::Dead(format!(
                "the budget change {} names no Procore project",
                event.record
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
        let code = self
            .project_code(ctx, &procore, connection, project_id)
            .await?;
        let maestro = self
            .clients
            .maestro(connection)
            .await
            .map_err(fail::setup)?;
        let description = format!("modified budget of project {code}");
        let rows = approved_cos(&procore, project_id, &description).await?;
        let reading = "reading the Procore cost codes and cost types";
        let mode = settings.cost_code_mode;
        let catalog = self.catalog.get(&procore, connection, project_id).await;
        let catalog = catalog.map_err(|e| fail::procore(reading, e))?;
        let named = match name_rows(&catalog, &rows, mode) {
            Ok(named) => named,
            // A cost code or type the view shows and the cached catalog lacks is newer than
            // the catalog: read it again, once.
            Err(_) => {
                let fresh =
                    self.catalog
                        .get_fresh(&procore, connection, project_id, Duration::ZERO);
                let fresh = fresh.await.map_err(|e| fail::procore(reading, e))?;
                name_rows(&fresh, &rows, mode).map_err(|(code, kind)| {
                    Outcome::Fail(format!(
                        "{description}: a line of the Procore budget has a cost code ({code}) or cost type ({kind}) that names no maestro* activity or group in the {mode} cost-code mode; give the cost code and the cost type their codes in Procore"
                    ))
                })?
            }
        };
        let side = maestro_side(maestro.as_ref(), &code, &description).await?;
        let exists = |a: &str, g: &str| side.activities.contains(a) && side.groups.contains(g);
        let (changes, missing) = modifications(&named, &side.amounts, exists);
        if !changes.is_empty() {
            let lines: Vec<BudgetModification> = changes
                .iter()
                .map(|c| BudgetModification {
                    activity: c.activity.clone(),
                    group: c.group.clone(),
                    amount: Amount::from_units(c.amount_cents),
                    quantity: side
                        .quantities
                        .get(&(c.activity.clone(), c.group.clone()))
                        .copied()
                        .unwrap_or_default(),
                })
                .collect();
            let writing = format!("writing the approved change orders into the {description}");
            maestro
                .update_budget_modifications(&code, &lines)
                .await
                .map_err(|e| fail::maestro(&writing, e))?;
        }
        if !missing.is_empty() {
            let names: Vec<String> = missing
                .iter()
                .map(|(a, g)| format!("activity {a} with group {g}"))
                .collect();
            return Err(Outcome::Fail(format!(
                "{description}: Procore has approved change orders on {}, which maestro* does not have for project {code}; add them in maestro* (Activities and Budget) and the amounts will follow",
                names.join(", ")
            )));
        }
        let text = if changes.is_empty() {
            "the Modification column already matches Procore's Approved COs; nothing was written"
                .to_owned()
        } else {
            format!(
                "{} lines of the Modification column updated from Procore's Approved COs",
                changes.len()
            )
        };
        Ok(Outcome::Synced {
            link: None,
            description: Some(description),
            notes: vec![Note {
                level: NoteLevel::Info,
                text,
            }],
        })
    }
}

/// `(cost code id, cost type id, Approved COs in cents)` per row of the project's budget view.
async fn approved_cos(
    procore: &Client,
    project: i64,
    description: &str,
) -> Step<Vec<(i64, i64, i64)>> {
    let reading = format!("reading the Procore budget for the {description}");
    let view = procore
        .budget_view(project)
        .await
        .map_err(|e| fail::procore(&reading, e))?;
    let Some(view) = view else {
        return Ok(Vec::new());
    };
    let rows = procore.budget_view_rows(project, view.id.0).await;
    let rows = rows.map_err(|e| fail::procore(&reading, e))?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let keys: HashSet<&str> = rows
        .iter()
        .flat_map(|r| r.columns.keys().map(String::as_str))
        .collect();
    let key = if keys.contains(APPROVED_COS) {
        APPROVED_COS.to_owned()
    } else {
        let columns = procore.budget_detail_columns(project, view.id.0).await;
        let columns = columns.map_err(|e| fail::procore(&reading, e))?;
        let columns: Vec<(String, String)> = columns.into_iter().map(|c| (c.id, c.name)).collect();
        column_key(keys.iter().copied(), &columns, APPROVED_COS).ok_or_else(|| {
            Outcome::Fail(format!(
                "{description}: the Procore budget view \"{}\" has no \"{APPROVED_COS}\" column; add it to the view used by the project",
                view.name.clone().unwrap_or_default()
            ))
        })?
    };
    Ok(rows.iter().filter_map(|r| row_amount(r, &key)).collect())
}

fn row_amount(row: &BudgetDetailRow, key: &str) -> Option<(i64, i64, i64)> {
    let amount = row.column(key).unwrap_or(0.0);
    Some((row.cost_code_id?.0, row.category_id?.0, cents(amount)))
}

/// The rows named by maestro* activity and group, or the first `(cost code, cost type)` the
/// catalog cannot name.
fn name_rows(
    catalog: &ProjectCatalog,
    rows: &[(i64, i64, i64)],
    mode: CostCodeMode,
) -> Result<Vec<ApprovedCos>, (i64, i64)> {
    rows.iter()
        .map(|&(code, kind, amount_cents)| {
            match (catalog.activity(code, mode), catalog.group(kind)) {
                (Some(activity), Some(group)) => Ok(ApprovedCos {
                    activity,
                    group: group.to_owned(),
                    amount_cents,
                }),
                _ => Err((code, kind)),
            }
        })
        .collect()
}

type Key = (String, String);

/// What maestro* holds for the project.
struct MaestroSide {
    /// The Modification column, in cents, by activity + group.
    amounts: BTreeMap<Key, i64>,
    /// Each line's Modification quantity, kept as it is: Approved COs is an amount.
    quantities: BTreeMap<Key, Quantity>,
    activities: HashSet<String>,
    groups: HashSet<String>,
}

async fn maestro_side(
    maestro: &dyn MaestroApi,
    code: &ProjectCode,
    description: &str,
) -> Step<MaestroSide> {
    let reading = format!("reading the maestro* side of the {description}");
    let read = |e| fail::maestro(&reading, e);
    let lines = maestro.budget_lines(code).await.map_err(read)?;
    let activities = maestro.activities(code).await.map_err(read)?;
    let groups = maestro.groups().await.map_err(read)?;
    let mut side = MaestroSide {
        amounts: BTreeMap::new(),
        quantities: BTreeMap::new(),
        activities: activities
            .into_iter()
            .filter(|a| a.active)
            .map(|a| a.code)
            .collect(),
        groups: groups.into_iter().map(|g| g.code).collect(),
    };
    for line in lines {
        let key = (line.activity, line.group);
        side.amounts
            .insert(key.clone(), line.modification_amount.units());
        side.quantities.insert(key, line.modification_quantity);
    }
    Ok(side)
}

impl Handler for ModifiedBudgetToMaestro {
    fn route(&self) -> Route {
        Route {
            kind: EntityKind::ModifiedBudget,
            direction: Direction::ToMaestro,
        }
    }

    fn handle<'a>(&'a self, ctx: &'a Context, event: &'a ChangeEvent) -> BoxFuture<'a, Outcome> {
        Box::pin(async move { fail::settle(self.run(ctx, event).await) })
    }
}
