//! The maestro* poller: finds what maestro* has that Procore should get, and writes one inbox
//! row per change.
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

use anyhow::Context as _;
use bridge_domain::{Action, Direction, EntityKind, Source};
use bridge_maestro::{
    CustomerStatus, EmployeeFilter, EmployeeStatus, MaestroApi, PartyFilter, Project, ProjectCode,
    ProjectFilter, Transaction, TransactionFilter, TypeCode,
};
use bridge_platform::inbox::{self, NewEvent};
use bridge_platform::sync_items;
use chrono::{NaiveDate, Utc};
use serde::Serialize;
use sha2::{Digest as _, Sha256};
use sqlx::PgPool;
use std::collections::{BTreeMap, HashSet};

/// The maestro* kinds the poller reads, in the order a first load needs them.
pub const KINDS: [EntityKind; 7] = [
    EntityKind::Project,
    EntityKind::Supplier,
    EntityKind::Customer,
    EntityKind::Employee,
    EntityKind::OriginalBudget,
    EntityKind::ProjectCost,
    EntityKind::OrderInvoice,
];

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
    let needs_projects = kinds.iter().any(|k| {
        matches!(
            k,
            EntityKind::Project
                | EntityKind::OriginalBudget
                | EntityKind::ProjectCost
                | EntityKind::OrderInvoice
        )
    });
    let projects = if needs_projects {
        eligible_projects(target, only_project).await?
    } else {
        Vec::new()
    };
    for &kind in kinds {
        let events = match kind {
            EntityKind::Project => project_events(pool, target, &projects).await?,
            EntityKind::Supplier if only_project.is_none() => supplier_events(pool, target).await?,
            EntityKind::Customer if only_project.is_none() => customer_events(pool, target).await?,
            EntityKind::Employee if only_project.is_none() => employee_events(pool, target).await?,
            EntityKind::OriginalBudget => {
                budget_events(pool, target, &projects, &mut report).await?
            }
            EntityKind::ProjectCost | EntityKind::OrderInvoice => {
                // Both come from the same transaction list; read it once for both kinds.
                if kind == EntityKind::OrderInvoice && kinds.contains(&EntityKind::ProjectCost) {
                    continue;
                }
                transaction_events(pool, target, &projects, kinds, &mut report).await?
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
        let mut per_kind: BTreeMap<EntityKind, u64> = BTreeMap::new();
        for e in chunk {
            if let Some((kind, _)) = e.route {
                *per_kind.entry(kind).or_default() += 1;
            }
        }
        // The insert reports a total; attribute it per kind (one kind per chunk in practice).
        let mut left = inserted;
        for (kind, n) in per_kind {
            let new = n.min(left);
            left -= new;
            *report.emitted.entry(kind).or_default() += new;
            *report.already_sent.entry(kind).or_default() += n - new;
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
        .filter(|p| p.active && p.procore.sync)
        .filter(|p| {
            target
                .prefix
                .is_none_or(|want| p.prefix.as_deref() == Some(want))
        })
        .collect())
}

fn event(
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

/// A short digest of a record's content, for dedup keys that change when the record does.
fn fingerprint(value: &impl Serialize) -> String {
    let bytes = serde_json::to_vec(value).unwrap_or_default();
    Sha256::digest(&bytes)[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn project_events(
    pool: &PgPool,
    target: &Target<'_>,
    projects: &[Project],
) -> anyhow::Result<Vec<NewEvent>> {
    let linked = linked(pool, target, EntityKind::Project).await?;
    Ok(projects
        .iter()
        .filter(|p| !linked.contains(p.code.as_str()))
        .map(|p| {
            let code = p.code.as_str();
            event(
                target,
                EntityKind::Project,
                format!("maestro:project:{code}:{}", fingerprint(p)),
                code,
                Some(code),
                serde_json::to_value(p).unwrap_or_default(),
            )
        })
        .collect())
}

async fn supplier_events(pool: &PgPool, target: &Target<'_>) -> anyhow::Result<Vec<NewEvent>> {
    let linked = linked(pool, target, EntityKind::Supplier).await?;
    let suppliers = target
        .api
        .suppliers(&PartyFilter::eligible())
        .await
        .context("listing maestro* suppliers")?;
    Ok(suppliers
        .iter()
        .filter(|s| s.active && s.sync && !linked.contains(&s.code))
        .map(|s| {
            event(
                target,
                EntityKind::Supplier,
                format!("maestro:supplier:{}:{}", s.code, fingerprint(s)),
                &s.code,
                None,
                serde_json::to_value(s).unwrap_or_default(),
            )
        })
        .collect())
}

async fn customer_events(pool: &PgPool, target: &Target<'_>) -> anyhow::Result<Vec<NewEvent>> {
    let linked = linked(pool, target, EntityKind::Customer).await?;
    let customers = target
        .api
        .customers(&PartyFilter::eligible())
        .await
        .context("listing maestro* customers")?;
    Ok(customers
        .iter()
        .filter(|c| c.status == CustomerStatus::Active && c.sync && !linked.contains(&c.code))
        .map(|c| {
            event(
                target,
                EntityKind::Customer,
                format!("maestro:customer:{}:{}", c.code, fingerprint(c)),
                &c.code,
                None,
                serde_json::to_value(c).unwrap_or_default(),
            )
        })
        .collect())
}

async fn employee_events(pool: &PgPool, target: &Target<'_>) -> anyhow::Result<Vec<NewEvent>> {
    let linked = linked(pool, target, EntityKind::Employee).await?;
    let employees = target
        .api
        .employees(&EmployeeFilter { active: Some(true) })
        .await
        .context("listing maestro* employees")?;
    Ok(employees
        .iter()
        .filter(|e| e.status == EmployeeStatus::Active && !linked.contains(&e.number))
        .map(|e| {
            event(
                target,
                EntityKind::Employee,
                format!("maestro:employee:{}:{}", e.number, fingerprint(e)),
                &e.number,
                None,
                serde_json::to_value(e).unwrap_or_default(),
            )
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
        let lines =
            match target.api.budget_lines(&p.code).await {
                Ok(lines) => lines,
                Err(e) => {
                    problem(pool, target, EntityKind::OriginalBudget, code, &format!(
                    "the budget of project {code} ({}) could not be read from maestro*: {e}",
                    p.description
                ), report)
                .await?;
                    continue;
                }
            };
        if lines.is_empty() {
            continue;
        }
        // Only the Budget column is maestro*'s to send; the Modification column comes back
        // from Procore and must not make the original budget look changed.
        let mut content: Vec<_> = lines
            .iter()
            .map(|l| {
                (
                    &l.activity,
                    &l.group,
                    &l.unit,
                    l.budget_amount.to_string(),
                    l.budget_quantity.to_string(),
                )
            })
            .collect();
        content.sort();
        events.push(event(
            target,
            EntityKind::OriginalBudget,
            format!("maestro:original_budget:{code}:{}", fingerprint(&content)),
            code,
            Some(code),
            serde_json::json!({ "lines": lines.len() }),
        ));
    }
    Ok(events)
}

async fn transaction_events(
    pool: &PgPool,
    target: &Target<'_>,
    projects: &[Project],
    kinds: &[EntityKind],
    report: &mut PassReport,
) -> anyhow::Result<Vec<NewEvent>> {
    let mut events = Vec::new();
    for p in projects {
        let code = p.code.as_str();
        let filter = TransactionFilter::eligible_for(p);
        let transactions = match target.api.transactions(&filter).await {
            Ok(t) => t,
            Err(e) => {
                problem(pool, target, EntityKind::ProjectCost, code, &format!(
                    "the transactions of project {code} ({}) could not be read from maestro*: {e}",
                    p.description
                ), report)
                .await?;
                continue;
            }
        };
        let eligible: Vec<&Transaction> = transactions
            .iter()
            .filter(|t| t.is_eligible() && t.project == p.code && after_cursor(p, t))
            .collect();
        for t in &eligible {
            let kind = transaction_kind(t);
            if !kinds.contains(&kind) {
                continue;
            }
            events.push(event(
                target,
                kind,
                format!("maestro:{kind}:{}", t.id),
                &t.id,
                Some(code),
                serde_json::to_value(t).unwrap_or_default(),
            ));
        }
        if let Some(date) = advance_cursor(pool, target, p, &eligible).await? {
            report.cursors_advanced.insert(code.to_owned(), date);
        }
    }
    Ok(events)
}

fn transaction_kind(t: &Transaction) -> EntityKind {
    if t.type_code == TypeCode::ORDER_INVOICING {
        EntityKind::OrderInvoice
    } else {
        EntityKind::ProjectCost
    }
}

/// The sub-tab's rule, applied here as well as in the query.
fn after_cursor(p: &Project, t: &Transaction) -> bool {
    match p.procore.transaction_cursor() {
        Some((date, false)) => t.accounting_date > date,
        Some((date, true)) => t.accounting_date >= date,
        None => true,
    }
}

/// Moves the project's last successful transaction date to the latest date whose every
/// transaction (and every earlier one) is finished: synced, skipped or dead-lettered.
async fn advance_cursor(
    pool: &PgPool,
    target: &Target<'_>,
    p: &Project,
    eligible: &[&Transaction],
) -> anyhow::Result<Option<NaiveDate>> {
    if eligible.is_empty() {
        return Ok(None);
    }
    let mut by_kind: BTreeMap<EntityKind, Vec<String>> = BTreeMap::new();
    for t in eligible {
        by_kind
            .entry(transaction_kind(t))
            .or_default()
            .push(t.id.clone());
    }
    let mut finished = HashSet::new();
    for (kind, keys) in by_kind {
        let statuses = sync_items::statuses(
            pool,
            target.connection_id,
            kind,
            Direction::ToProcore,
            &keys,
        )
        .await?;
        finished.extend(
            statuses
                .into_iter()
                .filter(|(_, s)| matches!(s.as_str(), "synced" | "skipped" | "dead"))
                .map(|(k, _)| k),
        );
    }
    let mut by_date: BTreeMap<NaiveDate, bool> = BTreeMap::new();
    for t in eligible {
        let done = finished.contains(&t.id);
        by_date
            .entry(t.accounting_date)
            .and_modify(|all| *all &= done)
            .or_insert(done);
    }
    let reached = by_date
        .iter()
        .take_while(|(_, all_done)| **all_done)
        .map(|(date, _)| *date)
        .last();
    let Some(date) = reached else {
        return Ok(None);
    };
    if p.procore
        .last_transaction_date
        .is_some_and(|current| current >= date)
    {
        return Ok(None);
    }
    target
        .api
        .set_last_transaction_date(&p.code, date)
        .await
        .with_context(|| format!("moving the transaction date of project {}", p.code.as_str()))?;
    sync_items::set_cursor(
        pool,
        target.connection_id,
        "maestro:last_transaction_date",
        p.code.as_str(),
        &date.to_string(),
    )
    .await?;
    Ok(Some(date))
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

async fn problem(
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
