//! `bridge sync preview` (docs/rules.md's "View Budgets" and "See Transactions"): what the flows
//! towards Procore would send, record by record, with their warnings and errors, and nothing
//! written anywhere. Each kind goes through its own flow's loading, eligibility and pure
//! mapping (`project::not_sent` and `new_project`, `party_to_procore::not_sent`,
//! `employee::new_user`, `OriginalBudgetToProcore::plan`, `cost_needs::needs`,
//! `project_cost::plan` and `OrderInvoiceToProcore::plan`) and stops where the flow would
//! write: Procore and the links are only read, so the preview cannot disagree with what the
//! flow does.

use crate::engine::Context;
use crate::flows::Party;
use crate::flows::clients::Clients;
use crate::flows::fail::{self, Step};
use crate::flows::links;
use crate::flows::settings::FlowSettings;
use crate::flows::{preview_money, preview_records};
use crate::outcome::Outcome;
use bridge_domain::EntityKind;
use bridge_maestro::{MaestroApi, Project, ProjectCode, ProjectFilter};
use bridge_procore::Client;
use serde::Serialize;
use std::sync::Arc;

/// The kinds a user previews before sending them to Procore.
pub const KINDS: [EntityKind; 7] = [
    EntityKind::Project,
    EntityKind::Supplier,
    EntityKind::Customer,
    EntityKind::Employee,
    EntityKind::OriginalBudget,
    EntityKind::ProjectCost,
    EntityKind::OrderInvoice,
];

/// One record (or budget line) as it would be sent.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Row {
    /// The maestro* code (project, supplier, cost key; `project activity/group` for a line).
    pub code: String,
    pub description: String,
    /// What would be sent, in the user's words.
    pub sent: String,
    pub warnings: Vec<String>,
    /// Why it would fail; a record with an error would be `failed` or dead-lettered.
    pub errors: Vec<String>,
    /// The body the flow would send, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload: Option<serde_json::Value>,
}

/// A record the flow would not send at all (not eligible, already linked), and why.
#[derive(Debug, Clone, Serialize)]
pub struct LeftOut {
    pub code: String,
    pub reason: String,
}

/// The preview of one kind.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Preview {
    pub rows: Vec<Row>,
    pub left_out: Vec<LeftOut>,
}

impl Preview {
    /// Some record would fail (the CLI's exit status 3).
    pub fn would_fail(&self) -> bool {
        self.rows.iter().any(|r| !r.errors.is_empty())
    }

    /// Where a flow's step ended before its write: left out, waiting, or failing.
    pub(crate) fn ended(&mut self, code: &str, description: &str, outcome: Outcome) {
        let row = |sent: &str| Row {
            code: code.to_owned(),
            description: description.to_owned(),
            sent: sent.to_owned(),
            ..Row::default()
        };
        match outcome {
            Outcome::Skipped { reason, .. } => self.left_out.push(LeftOut {
                code: code.to_owned(),
                reason,
            }),
            Outcome::Wait(dependency) => self.rows.push(Row {
                warnings: vec![format!("waits: {}", dependency.description)],
                ..row("nothing until what it waits for is synchronized")
            }),
            Outcome::Synced { .. } => self.rows.push(row("already in Procore")),
            Outcome::Retry(why)
            | Outcome::ApiLimit(why)
            | Outcome::Fail(why)
            | Outcome::Dead(why) => self.rows.push(Row {
                errors: vec![why],
                ..row("nothing")
            }),
        }
    }

    /// A record already linked: creation only, so nothing is sent.
    pub(crate) fn linked(&mut self, code: &str, description: &str, procore_id: i64) {
        self.left_out.push(LeftOut {
            code: code.to_owned(),
            reason: format!(
                "{description} is already linked to Procore record {procore_id}; nothing is sent"
            ),
        });
    }
}

/// What `connection`'s flows would send of `kind`, limited to `project` when given.
pub async fn preview(
    ctx: &Context,
    clients: Arc<dyn Clients>,
    connection: i64,
    kind: EntityKind,
    project: Option<&ProjectCode>,
) -> anyhow::Result<Preview> {
    let on = Source::open(ctx, clients, connection).await?;
    let mut out = Preview::default();
    match kind {
        EntityKind::Project => preview_records::projects(&on, project, &mut out).await,
        EntityKind::Supplier => preview_records::parties(&on, Party::Supplier, &mut out).await,
        EntityKind::Customer => preview_records::parties(&on, Party::Customer, &mut out).await,
        EntityKind::Employee => preview_records::employees(&on, &mut out).await,
        EntityKind::OriginalBudget => preview_money::budgets(&on, project, &mut out).await,
        EntityKind::ProjectCost => preview_money::costs(&on, project, &mut out).await,
        EntityKind::OrderInvoice => preview_money::order_invoices(&on, project, &mut out).await,
        other => anyhow::bail!(
            "`{other}` cannot be previewed; kinds that can: {}",
            KINDS.map(EntityKind::as_str).join(", ")
        ),
    }
    .map_err(|outcome| anyhow::anyhow!("{}", reason(&outcome)))?;
    Ok(out)
}

/// What a preview reads from: the connection's settings, clients and links.
pub(crate) struct Source<'a> {
    pub ctx: &'a Context,
    pub clients: Arc<dyn Clients>,
    pub connection: i64,
    pub settings: FlowSettings,
    pub maestro: Arc<dyn MaestroApi>,
}

impl<'a> Source<'a> {
    async fn open(
        ctx: &'a Context,
        clients: Arc<dyn Clients>,
        connection: i64,
    ) -> anyhow::Result<Self> {
        let settings = FlowSettings::load(&ctx.pool, connection).await?;
        let maestro = clients.maestro(connection).await?;
        Ok(Source {
            ctx,
            clients,
            connection,
            settings,
            maestro,
        })
    }

    pub async fn procore(&self) -> Step<Arc<Client>> {
        self.clients
            .procore(self.connection)
            .await
            .map_err(fail::setup)
    }

    pub async fn link(&self, kind: EntityKind, key: &str) -> Step<Option<links::Link>> {
        links::by_maestro_key(&self.ctx.pool, self.connection, kind, key).await
    }

    /// The projects a project-scoped kind goes through: `only`, or every eligible one.
    pub async fn projects(&self, only: Option<&ProjectCode>) -> Step<Vec<Project>> {
        let reading = "reading the maestro* projects";
        match only {
            Some(code) => {
                let found = self.maestro.project(code).await;
                Ok(found
                    .map_err(|e| fail::maestro(reading, e))?
                    .into_iter()
                    .collect())
            }
            None => {
                let filter = ProjectFilter::eligible(self.settings.maestro_prefix.as_deref());
                let found = self.maestro.projects(&filter).await;
                found.map_err(|e| fail::maestro(reading, e))
            }
        }
    }
}

fn reason(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Skipped { reason, .. } => reason.clone(),
        Outcome::Wait(d) => d.description.clone(),
        Outcome::Retry(w) | Outcome::ApiLimit(w) | Outcome::Fail(w) | Outcome::Dead(w) => w.clone(),
        Outcome::Synced { .. } => "synced".into(),
    }
}
