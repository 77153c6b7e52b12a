//! Prime contracts, Procore → maestro* (creation only): an `Approved` Procore prime contract
//! becomes the progress billing contract of its project once the project is linked and its
//! owner company is a maestro* customer (rules §1 and §2, docs/rules.md "Progress Billing
//! Contracts"). The contract is numbered by its project, so a project that already has one in
//! maestro* refuses the prime contract (`dead`, with the reason); the one a crashed or
//! concurrent attempt created is recognized by its external number (the Procore number).
//!
//! Prime contracts are only sent once `Approved`, like every Procore commitment (rules §3,
//! "Prerequisites to be eligible"; **design**: a draft would leave its later lines behind,
//! since nothing is sent after creation).

use crate::engine::{Context, Handler};
use crate::flows::clients::Clients;
use crate::flows::create_once::{Once, ProjectOf};
use crate::flows::fail::{self, Step};
use crate::flows::links;
use crate::flows::project_from_procore::date;
use crate::flows::project_record::ProjectRecord;
use crate::outcome::{Dependency, Outcome, warnings};
use bridge_domain::billing::{self, AccountingMethod, billing_limits};
use bridge_domain::commitment::{CommitmentLine, external_number};
use bridge_domain::cost_codes::CostCodeMode;
use bridge_domain::dependencies::prerequisites;
use bridge_domain::party::PartyKind;
use bridge_domain::text::{Fitter, party_code};
use bridge_domain::{ChangeEvent, Direction, EntityKind, Route};
use bridge_maestro::{self as mx, NewBillingContract, ProgressType, ProjectCode, RejectCode};
use bridge_procore::Client;
use bridge_procore::billing::PrimeContract;
use bridge_procore::models::LineItem;
use futures::future::BoxFuture;
use std::sync::Arc;

/// Procore prime contract → maestro* progress billing contract.
pub struct PrimeContractToMaestro {
    clients: Arc<dyn Clients>,
}

pub(crate) fn domain_line(line: &LineItem) -> CommitmentLine<'_> {
    let code = line.cost_code.as_ref();
    CommitmentLine {
        position: line.position,
        amount: line.amount.0,
        quantity: line.quantity.0,
        unit_cost: line.unit_cost.0,
        uom: line.uom.as_deref(),
        description: line.description.as_deref(),
        cost_code: code.and_then(|c| c.code.as_deref()),
        full_code: code.and_then(|c| c.full_code.as_deref()),
        cost_type: line.line_item_type.as_ref().and_then(|t| t.code.as_deref()),
    }
}

fn decimal<T: std::str::FromStr>(what: &str, value: f64, places: usize) -> Result<T, String> {
    format!("{value:.places$}")
        .parse()
        .map_err(|_| format!("{what} {value} cannot be written in maestro*"))
}

/// The domain's billing lines in maestro*'s decimal types.
pub(crate) fn maestro_lines(
    lines: Vec<billing::BillingLine>,
) -> Result<Vec<mx::BillingLine>, String> {
    let money = |what: String, v: Option<f64>| v.map(|v| decimal(&what, v, 2)).transpose();
    lines
        .into_iter()
        .map(|l| {
            let n = l.line_no;
            Ok(mx::BillingLine {
                quantity: l
                    .quantity
                    .map(|q| decimal(&format!("line {n}: quantity"), q, 4))
                    .transpose()?,
                unit_price: money(format!("line {n}: unit price"), l.unit_price)?,
                amount: money(format!("line {n}: amount"), l.amount)?,
                line_no: n,
                activity: l.activity,
                unit: l.unit,
            })
        })
        .collect()
}

/// The maestro* billing contract of an approved prime contract (pure; docs/rules.md "Progress
/// Billing Contracts"): title as description, start and completion dates, retainage as
/// holdback, the lines by the accounting method and the cost-code mode.
pub(crate) fn new_billing_contract(
    pc: &PrimeContract,
    project: ProjectCode,
    customer_code: String,
    external_no: String,
    mode: CostCodeMode,
    fit: &mut Fitter,
) -> Result<NewBillingContract, String> {
    let c = &pc.contract;
    let method =
        AccountingMethod::parse(pc.accounting_method.as_deref()).map_err(|e| e.to_string())?;
    let lines: Vec<CommitmentLine<'_>> = c.line_items.iter().map(domain_line).collect();
    let lines = billing::contract_lines(&lines, method, mode, fit).map_err(|e| e.to_string())?;
    let title = c.title.as_deref().map(str::trim).filter(|t| !t.is_empty());
    let title = title.unwrap_or(c.number.as_deref().unwrap_or("Prime contract"));
    let retainage = c.retainage_percent.0;
    let total: f64 = c.line_items.iter().map(|l| l.amount.0).sum();
    Ok(NewBillingContract {
        project,
        customer_code,
        description: fit.fit(
            "description (contract title)",
            title,
            billing_limits::DESCRIPTION,
        ),
        external_no: Some(external_no),
        start_date: date(pc.contract_start_date.as_deref()),
        delivery_date: date(pc.contract_estimated_completion_date.as_deref()),
        holdback_percent: (retainage != 0.0)
            .then(|| decimal("retainage", retainage, 4))
            .transpose()?,
        original_amount: decimal("original contract amount", total, 2)?,
        progress_type: match method {
            AccountingMethod::Amount => ProgressType::Rate,
            AccountingMethod::Unit => ProgressType::Quantity,
        },
        lines: maestro_lines(lines)?,
    })
}

/// The maestro* number of a Procore project: its link, else its Job Number (with whether it
/// is linked and its name), or the failure that names what is missing.
pub(crate) async fn project_number(
    ctx: &Context,
    procore: &Client,
    connection: i64,
    project_id: i64,
) -> Step<(String, bool, String)> {
    if let Some(link) =
        links::by_procore_id(&ctx.pool, connection, EntityKind::Project, project_id).await?
    {
        return Ok((link.maestro_key, true, String::new()));
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
    match project
        .project_number
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        Some(number) => Ok((number.to_owned(), false, name)),
        None => Err(Outcome::Fail(format!(
            "Procore project {name} has no Job Number; enter the maestro* project number in it so its contracts can be sent"
        ))),
    }
}

impl PrimeContractToMaestro {
    pub fn new(clients: Arc<dyn Clients>) -> Self {
        PrimeContractToMaestro { clients }
    }

    /// The maestro* customer code of the contract's owner company, or what to wait for.
    async fn customer_code(
        &self,
        ctx: &Context,
        procore: &Client,
        connection: i64,
        owner: i64,
    ) -> Step<String> {
        if let Some(link) =
            links::by_procore_id(&ctx.pool, connection, EntityKind::Customer, owner).await?
        {
            return Ok(link.maestro_key);
        }
        let company = procore
            .vendor(owner)
            .await
            .map_err(|e| fail::procore(&format!("reading Procore company {owner}"), e))?
            .ok_or_else(|| {
                Outcome::Dead(format!(
                    "its owner (Procore company {owner}) no longer exists in Procore"
                ))
            })?;
        let name = company.name.clone().unwrap_or_default();
        // An owner kept out of maestro* would be waited for in vain.
        if let Some(tag) = PartyKind::Customer.excluded_by(company.notes.as_deref()) {
            return Err(Outcome::Dead(format!(
                "its owner {name} carries the keyword {tag} in Procore, so it is never created as a maestro* customer; choose a synchronized owner or remove the keyword and send the contract again"
            )));
        }
        let Some(code) = company
            .abbreviated_name
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
        else {
            return Err(Outcome::Fail(format!(
                "its owner {name} has no abbreviated name in Procore, so it cannot become a maestro* customer; enter one"
            )));
        };
        let code = party_code(code);
        Err(Outcome::Wait(Dependency {
            kind: EntityKind::Customer,
            maestro_key: code.clone(),
            description: format!(
                "customer {code} ({name}) is not linked to a maestro* customer yet"
            ),
        }))
    }

    async fn run(&self, ctx: &Context, event: &ChangeEvent) -> Step<Outcome> {
        let connection = event.connection_id;
        let record =
            ProjectRecord::open(ctx, self.clients.as_ref(), event, "prime contract").await?;
        let pc = record.found(
            record
                .procore
                .prime_contract_terms(record.project_id, record.id)
                .await,
        )?;
        let ProjectRecord {
            id,
            project_id,
            settings,
            procore,
            ..
        } = record;
        let c = &pc.contract;
        let number = c.number.as_deref().map(str::trim).unwrap_or_default();
        let description = format!(
            "prime contract {number} ({})",
            c.title.as_deref().unwrap_or_default()
        );
        let mut once = Once::new(ctx, event, EntityKind::PrimeContract, description.clone())
            .in_project(ProjectOf::Project(project_id));
        // A synchronized contract stays as it was sent, whatever its status became since.
        once.unless_linked_in_procore(id).await?;
        if !billing::is_approved(c.status.as_deref()) {
            let status = c.status.as_deref().unwrap_or("without status");
            return Ok(Outcome::Skipped {
                reason: format!(
                    "{description} is {status} in Procore; only Approved prime contracts are sent to maestro*"
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
        let (mut project, mut customer) = (None, None);
        for need in prerequisites(EntityKind::PrimeContract) {
            match need.kind {
                EntityKind::Project => {
                    let found = project_number(ctx, &procore, connection, project_id);
                    let (number, linked, name) = found.await.map_err(with_context)?;
                    if !linked {
                        return Err(Outcome::Wait(Dependency {
                            kind: EntityKind::Project,
                            description: format!(
                                "project {number} ({name}) is not linked to maestro* yet"
                            ),
                            maestro_key: number,
                        }));
                    }
                    let code = ProjectCode::new(number).map_err(|e| {
                        Outcome::Dead(format!("the linked project number is not valid: {e}"))
                    })?;
                    project = Some(code);
                }
                EntityKind::Customer => {
                    let Some(owner) = c.vendor.as_ref().map(|v| v.id.0) else {
                        return Err(Outcome::Fail(format!(
                            "{description} has no owner company in Procore; choose the owner it is billed to"
                        )));
                    };
                    let code = self.customer_code(ctx, &procore, connection, owner);
                    customer = Some(code.await.map_err(with_context)?);
                }
                other => {
                    return Err(Outcome::Dead(format!(
                        "{description}: the bridge does not know how to check {} ({other})",
                        need.role
                    )));
                }
            }
        }
        let (Some(project), Some(customer)) = (project, customer) else {
            return Err(Outcome::Dead(format!(
                "{description}: its project or owner is missing from the dependency table"
            )));
        };
        once.notes = warnings(fit.into_warnings());
        let maestro = self
            .clients
            .maestro(connection)
            .await
            .map_err(fail::setup)?;
        let looking = format!("looking for the billing contract of project {project} in maestro*");
        let (maestro, project, external_no, looking, description) = (
            maestro.as_ref(),
            &project,
            &external_no,
            &looking,
            &description,
        );
        // The project's one contract: the one a crashed attempt made for this contract, or
        // another, which refuses it.
        let ours = move || async move {
            let found = maestro.billing_contract(project).await;
            let found = found.map_err(|e| fail::maestro(looking, e))?;
            let external = found.as_ref().map(|f| f.external_no.as_deref());
            match billing::existing_contract(project.as_str(), external_no, external) {
                Ok(true) => Ok(Some(project.to_string())),
                Ok(false) => Ok(None),
                Err(e) => Err(Outcome::Dead(format!("{description}: {e}"))),
            }
        };
        once.into_maestro(
            id,
            Some(project.as_str()),
            async || Ok(false),
            ours,
            async || {
                let mut fit = Fitter::new(description.clone());
                let new = new_billing_contract(
                    &pc,
                    project.clone(),
                    customer.clone(),
                    external_no.clone(),
                    settings.cost_code_mode,
                    &mut fit,
                )
                .map_err(|why| Outcome::Dead(format!("{description}: {why}")))?;
                match maestro.create_billing_contract(&new).await {
                    Ok(made) => Ok(Ok((made.number.to_string(), warnings(fit.into_warnings())))),
                    // Another attempt made it a moment ago, or someone else did.
                    Err(e) if e.is_rejected_with(&RejectCode::ContractExists) => match ours().await? {
                        Some(key) => Ok(Ok((key, warnings(fit.into_warnings())))),
                        None => Ok(Err(e)),
                    },
                    Err(e) => Ok(Err(e)),
                }
            },
            |key, other| {
                format!(
                    "project {key} already has a progress billing contract in maestro*, sent from the Procore prime contract with id {other}; a project has only one"
                )
            },
        )
        .await
    }
}

impl Handler for PrimeContractToMaestro {
    fn route(&self) -> Route {
        Route {
            kind: EntityKind::PrimeContract,
            direction: Direction::ToMaestro,
        }
    }

    fn handle<'a>(&'a self, ctx: &'a Context, event: &'a ChangeEvent) -> BoxFuture<'a, Outcome> {
        Box::pin(async move { fail::settle(self.run(ctx, event).await) })
    }
}
