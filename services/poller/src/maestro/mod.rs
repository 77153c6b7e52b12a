//! The maestro* poller: finds what maestro* has that Procore should get, and writes one inbox
//! row per change (docs/architecture.md, "maestro* poller").
//!
//! What counts as a change, per kind:
//! - projects, suppliers, customers, employees: an eligible record not linked yet. The dedup
//!   key carries a fingerprint of the record, so a record fixed by its user (a project given
//!   its dates) is sent again, while an unchanged one never is.
//! - original budget: the project's budget lines, whenever their content differs from the
//!   last content sent (maestro* is master).
//! - project costs and order invoices: each eligible transaction after the project's cursor
//!   (the Procore sub-tab's last successful transaction date, or the start date when the user
//!   asked to ignore it), once per transaction.
//!
//! The inbox's unique dedup key makes a pass idempotent: a restart, or a pass running twice,
//! neither skips nor repeats. The transaction cursor in maestro* advances only past dates whose
//! every transaction is synced (or dead-lettered, or skipped); one failing cost holds the
//! cursor but never the project's other costs.
//!
//! What is planned (eligibility, dedup keys and fingerprints, transaction kinds, the cursor's
//! next value) is pure and lives in [`plan`]; this module reads maestro* and Postgres and
//! writes.

mod plan;
mod transactions;

pub use plan::KINDS;

use plan::Unlinked;

use anyhow::Context as _;
use bridge_domain::{Action, Direction, EntityKind, Source};
use bridge_maestro::{
    EmployeeFilter, MaestroApi, PartyFilter, Project, ProjectCode, ProjectFilter,
};
use bridge_platform::inbox::{self, NewEvent};
use bridge_platform::sync_items;
use chrono::{NaiveDate, Utc};
use sqlx::PgPool;
use std::collections::{BTreeMap, HashSet};

/// One connection as the poller sees it.
pub struct Target<'a> {
    pub connection_id: i64,
    /// Multidimensional mode: only this prefix's projects.
    pub prefix: Option<&'a str>,
    pub api: &'a dyn MaestroApi,
}

/// What one pass found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PassReport {
    /// Rows written to the inbox, per kind.
    pub emitted: BTreeMap<EntityKind, u64>,
    /// Changes found that the inbox already had (sent by an earlier pass).
    pub already_sent: BTreeMap<EntityKind, u64>,
    /// Records that could not be read; each is also a sync-item message.
    pub problems: Vec<String>,
    /// Projects whose transaction cursor moved, with the new date.
    pub cursors_advanced: BTreeMap<String, NaiveDate>,
}

impl PassReport {
    pub fn total_emitted(&self) -> u64 {
        self.emitted.values().sum()
    }
}

/// Runs one pass over `kinds`, optionally for one project only.
pub async fn poll(
    pool: &PgPool,
    target: &Target<'_>,
    kinds: &[EntityKind],
    only_project: Option<&ProjectCode>,
) -> anyhow::Result<PassReport> {
    let mut report = PassReport::default();
    let projects = if plan::needs_projects(kinds) {
        eligible_projects(target, only_project).await?
    } else {
        Vec::new()
    };
    for &kind in kinds {
        let events = match kind {
            EntityKind::Project => unlinked_events(pool, target, &projects).await?,
            EntityKind::Supplier if only_project.is_none() => {
                let all = target.api.suppliers(&PartyFilter::eligible()).await;
                let all = all.context("listing maestro* suppliers")?;
                unlinked_events(pool, target, &all).await?
            }
            EntityKind::Customer if only_project.is_none() => {
                let all = target.api.customers(&PartyFilter::eligible()).await;
                let all = all.context("listing maestro* customers")?;
                unlinked_events(pool, target, &all).await?
            }
            EntityKind::Employee if only_project.is_none() => {
                let filter = EmployeeFilter { active: Some(true) };
                let all = target.api.employees(&filter).await;
                let all = all.context("listing maestro* employees")?;
                unlinked_events(pool, target, &all).await?
            }
            EntityKind::OriginalBudget => {
                budget_events(pool, target, &projects, &mut report).await?
            }
            EntityKind::ProjectCost | EntityKind::OrderInvoice => {
                // Both come from the same transaction list; read it once for both kinds.
                if kind == EntityKind::OrderInvoice && kinds.contains(&EntityKind::ProjectCost) {
                    continue;
                }
                transactions::events(pool, target, &projects, kinds, &mut report).await?
            }
            _ => Vec::new(),
        };
        write(pool, events, &mut report).await?;
    }
    Ok(report)
}

async fn write(
    pool: &PgPool,
    events: Vec<NewEvent>,
    report: &mut PassReport,
) -> anyhow::Result<()> {
    // Large passes (thousands of transactions) go in slices, each its own transaction.
    for chunk in events.chunks(1000) {
        let inserted = inbox::insert_now(pool, chunk)
            .await
            .context("writing poller events to the inbox")?;
        let kinds = chunk.iter().filter_map(|e| e.route.map(|(kind, _)| kind));
        for (kind, new, already) in plan::attribute(kinds, inserted) {
            *report.emitted.entry(kind).or_default() += new;
            *report.already_sent.entry(kind).or_default() += already;
        }
    }
    Ok(())
}

async fn eligible_projects(
    target: &Target<'_>,
    only: Option<&ProjectCode>,
) -> anyhow::Result<Vec<Project>> {
    let mut filter = ProjectFilter::eligible(target.prefix);
    filter.code = only.cloned();
    let projects = target
        .api
        .projects(&filter)
        .await
        .context("listing maestro* projects")?;
    // Checked here too: a maestro* installation that ignored a filter must not widen the sync.
    Ok(projects
        .into_iter()
        .filter(|p| p.is_eligible(target.prefix))
        .collect())
}

pub(super) fn event(
    target: &Target<'_>,
    kind: EntityKind,
    dedup_key: String,
    record: &str,
    project: Option<&str>,
    payload: serde_json::Value,
) -> NewEvent {
    NewEvent {
        connection_id: target.connection_id,
        source: Source::MaestroPoller,
        dedup_key,
        route: Some((kind, Direction::ToProcore)),
        ignored_reason: None,
        record: record.to_owned(),
        project: project.map(str::to_owned),
        action: Action::Create,
        occurred_at: Utc::now(),
        payload: payload.to_string(),
    }
}

/// The events of the eligible records of one kind not linked yet.
async fn unlinked_events<T: Unlinked>(
    pool: &PgPool,
    target: &Target<'_>,
    records: &[T],
) -> anyhow::Result<Vec<NewEvent>> {
    let linked = linked(pool, target, T::KIND).await?;
    Ok(records
        .iter()
        .filter(|r| r.eligible() && !linked.contains(r.code()))
        .map(|r| {
            let payload = serde_json::to_value(r).unwrap_or_default();
            event(target, T::KIND, r.key(), r.code(), r.project(), payload)
        })
        .collect())
}

async fn budget_events(
    pool: &PgPool,
    target: &Target<'_>,
    projects: &[Project],
    report: &mut PassReport,
) -> anyhow::Result<Vec<NewEvent>> {
    let mut events = Vec::new();
    for p in projects {
        let code = p.code.as_str();
        let lines = match target.api.budget_lines(&p.code).await {
            Ok(lines) => lines,
            Err(e) => {
                let message = format!(
                    "the budget of project {code} ({}) could not be read from maestro*: {e}",
                    p.description
                );
                problem(
                    pool,
                    target,
                    EntityKind::OriginalBudget,
                    code,
                    &message,
                    report,
                )
                .await?;
                continue;
            }
        };
        if lines.is_empty() {
            continue;
        }
        events.push(event(
            target,
            EntityKind::OriginalBudget,
            plan::budget_key(code, &lines),
            code,
            Some(code),
            serde_json::json!({ "lines": lines.len() }),
        ));
    }
    Ok(events)
}

async fn linked(
    pool: &PgPool,
    target: &Target<'_>,
    kind: EntityKind,
) -> anyhow::Result<HashSet<String>> {
    sync_items::linked_maestro_keys(pool, target.connection_id, kind)
        .await
        .with_context(|| format!("reading the {kind} links"))
}

pub(super) async fn problem(
    pool: &PgPool,
    target: &Target<'_>,
    kind: EntityKind,
    record: &str,
    message: &str,
    report: &mut PassReport,
) -> anyhow::Result<()> {
    tracing::warn!(connection = target.connection_id, kind = %kind, record, "{message}");
    sync_items::record_problem(
        pool,
        target.connection_id,
        kind,
        Direction::ToProcore,
        record,
        message,
    )
    .await?;
    report.problems.push(message.to_owned());
    Ok(())
}
