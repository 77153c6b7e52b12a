//! The Procore reconciler: the safety net under the webhooks (docs/architecture.md,
//! "Procore reconciler").
//!
//! Procore delivers webhooks best-effort and discards a paused endpoint's events after 12 hours.
//! Per connection and resource, the reconciler lists the records updated since its watermark
//! (typed listings of `bridge_procore::changes`, paged) and writes the inbox rows a webhook
//! would have written: same routes, records and project, source `procore_reconciler`.
//!
//! A change must count once however many paths see it:
//! - Rows are keyed by [`change_key`] (resource, record, time of the change, route), so passes
//!   that overlap, or run twice, or restart, write nothing new.
//! - Before writing, a change is dropped when the inbox already holds a row for the same record
//!   and route (or an ignored webhook row for the record, e.g. the bridge's own write) that
//!   happened at or after it: whoever processes that row reloads the record and sees this
//!   change too. This covers webhook rows whatever their key.
//!
//! The watermark (cursor `procore:<resource>`) moves to the pass's start only once the rows are
//! committed, and each pass starts [`Settings::overlap`] before it, so a change on the boundary
//! or behind a small clock skew is listed again rather than missed.
//!
//! What is planned (window, keys, rows, what is covered) is pure and lives in [`plan`]; this
//! module reads Procore and Postgres and writes.

mod plan;

pub use plan::{Found, Lists, RESOURCES, Resource, change_key, cursor_name};

use anyhow::Context as _;
use bridge_platform::connections::{self, ProcoreSettings};
use bridge_platform::inbox::{self, NewEvent};
use bridge_platform::sync_items;
use bridge_procore::Client;
use bridge_procore::changes::Window;
use chrono::{DateTime, Utc};
use plan::Seen;
use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How a pass reads Procore.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Each pass starts this long before the watermark.
    pub overlap: Duration,
    /// Where the very first pass of a resource starts, before now. Covers Procore's 12-hour
    /// discard window with room to spare; older history is the initial synchronization's job.
    pub first_lookback: Duration,
    pub per_page: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            overlap: Duration::from_secs(60),
            first_lookback: Duration::from_secs(24 * 3600),
            per_page: 500,
        }
    }
}

/// What one pass did, per resource.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub resources: Vec<ResourceReport>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceReport {
    pub resource: &'static str,
    /// Records listed in the window.
    pub listed: usize,
    /// Inbox rows written.
    pub emitted: u64,
    /// Rows not written because the inbox already had the change.
    pub already_seen: u64,
    /// The watermark after the pass; unchanged when the pass failed.
    pub watermark: Option<DateTime<Utc>>,
    /// Why the resource was not reconciled this pass.
    pub problem: Option<String>,
}

impl Report {
    pub fn total_emitted(&self) -> u64 {
        self.resources.iter().map(|r| r.emitted).sum()
    }
    pub fn problems(&self) -> impl Iterator<Item = &ResourceReport> {
        self.resources.iter().filter(|r| r.problem.is_some())
    }
}

/// Runs one pass over every resource of one connection.
pub async fn reconcile(
    pool: &PgPool,
    connection_id: i64,
    client: &Client,
    settings: &Settings,
) -> anyhow::Result<Report> {
    // Pairing guard (issue 10, fix 7), before any inbox row or watermark is written: the
    // labels, the Procore host and the linked company (the workers verify the maestro* class
    // before anything reaches either system).
    bridge_platform::connections::declared_pairing(pool, connection_id).await?;
    let mut report = Report::default();
    for resource in RESOURCES {
        let outcome = reconcile_one(pool, connection_id, client, settings, resource).await;
        let entry = match outcome {
            Ok(entry) => entry,
            Err(e) => {
                tracing::warn!(
                    connection = connection_id,
                    resource = %resource.name,
                    error = %format!("{e:#}"),
                    "Procore reconciliation of a resource failed; its watermark stays"
                );
                ResourceReport {
                    resource: resource.name,
                    listed: 0,
                    emitted: 0,
                    already_seen: 0,
                    watermark: None,
                    problem: Some(format!("{e:#}")),
                }
            }
        };
        report.resources.push(entry);
    }
    Ok(report)
}

async fn reconcile_one(
    pool: &PgPool,
    connection_id: i64,
    client: &Client,
    settings: &Settings,
    resource: &'static Resource,
) -> anyhow::Result<ResourceReport> {
    // The window closes before anything is listed, projects included: a project created
    // later cannot hold a change inside the window, since its records are newer than it.
    let name = cursor_name(resource.name);
    let cursor = sync_items::cursor(pool, connection_id, &name, "")
        .await
        .context("reading the reconciler watermark")?;
    let window = plan::window(
        plan::watermark(cursor.as_deref()),
        Utc::now(),
        settings.overlap,
        settings.first_lookback,
    );
    let found = list(client, resource, &window, settings.per_page).await?;
    let listed = found.len();
    let events = plan::events(connection_id, resource.name, &found, window.from);
    let seen = seen(pool, connection_id, resource.name, &events).await?;
    let (fresh, covered) = plan::split_covered(events, &seen);
    let inserted = write(pool, &fresh).await?;
    // Only now that the rows are durable may the window close.
    sync_items::set_cursor(
        pool,
        connection_id,
        &name,
        "",
        &plan::next_cursor(window.to),
    )
    .await
    .context("advancing the reconciler watermark")?;
    if inserted > 0 {
        tracing::info!(
            connection = connection_id,
            resource = %resource.name,
            emitted = inserted,
            "reconciled Procore changes the webhooks had not brought"
        );
    }
    Ok(ResourceReport {
        resource: resource.name,
        listed,
        emitted: inserted,
        already_seen: covered + (fresh.len() as u64 - inserted),
        watermark: Some(window.to),
        problem: None,
    })
}

/// Every record of `resource` changed inside `window`.
async fn list(
    client: &Client,
    resource: &Resource,
    window: &Window,
    per_page: usize,
) -> anyhow::Result<Vec<Found>> {
    let mut found = Vec::new();
    match resource.lists {
        Lists::Company(lists) => {
            for &list in lists {
                let changed = client
                    .company_changes(list, window, per_page)
                    .await
                    .with_context(|| format!("listing the changed {}", resource.name))?;
                found.extend(changed.into_iter().map(|record| Found {
                    record,
                    project: None,
                }));
            }
        }
        Lists::Project(lists) => {
            let projects = client
                .all_project_ids(per_page)
                .await
                .context("listing the company's projects")?;
            for project in projects {
                for &list in lists {
                    let changed = client
                        .project_changes(list, project, window, per_page)
                        .await
                        .with_context(|| {
                            format!("listing the changed {} of project {project}", resource.name)
                        })?;
                    found.extend(changed.into_iter().map(|record| Found {
                        record,
                        project: Some(project),
                    }));
                }
            }
        }
    }
    Ok(found)
}

/// Writes the rows in one transaction; returns how many were new.
async fn write(pool: &PgPool, fresh: &[NewEvent]) -> anyhow::Result<u64> {
    let mut tx = pool.begin().await.context("starting the inbox write")?;
    let mut inserted = 0;
    for chunk in fresh.chunks(1000) {
        inserted += inbox::insert(&mut tx, chunk)
            .await
            .context("writing reconciled changes to the inbox")?;
    }
    tx.commit().await.context("committing reconciled changes")?;
    Ok(inserted)
}

/// The latest change the inbox holds for one record and route (`None`: an ignored row).
#[derive(sqlx::FromRow)]
struct Latest {
    record: String,
    kind: Option<String>,
    direction: Option<String>,
    at: DateTime<Utc>,
}

/// What the inbox already holds for the records of `events`.
async fn seen(
    pool: &PgPool,
    connection_id: i64,
    resource: &str,
    events: &[NewEvent],
) -> anyhow::Result<Seen> {
    if events.is_empty() {
        return Ok(Seen::new());
    }
    let latest: Vec<Latest> = sqlx::query_as(
        "SELECT record, kind, direction, max(occurred_at) AS at
         FROM inbox
         WHERE connection_id = $1 AND record = ANY($2) AND occurred_at IS NOT NULL
           AND (kind IS NOT NULL
                OR coalesce(payload->>'resource_name', payload->>'resource_type') = $3)
         GROUP BY record, kind, direction",
    )
    .bind(connection_id)
    .bind(plan::records_to_check(events))
    .bind(resource)
    .fetch_all(pool)
    .await
    .context("reading what the inbox already has")?;
    Ok(latest
        .into_iter()
        .map(|l| {
            let route = l.kind.zip(l.direction).map(|(k, d)| format!("{k}.{d}"));
            ((l.record, route), l.at)
        })
        .collect())
}

/// Builds the Procore client of a connection (credentials are the caller's business).
pub type ClientFactory = Arc<dyn Fn(&ProcoreSettings) -> anyhow::Result<Client> + Send + Sync>;

/// Reconciles every enabled connection every `interval` until `shutdown`. A failing pass is
/// logged and tried again at the next interval; it never stops the other connections.
pub async fn run(
    pool: PgPool,
    clients: ClientFactory,
    interval: Duration,
    settings: Settings,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    tracing::info!(?interval, "Procore reconciler started");
    let mut built: HashMap<i64, Client> = HashMap::new();
    loop {
        match connections::procore_settings(&pool).await {
            Ok(all) => {
                for connection in all.iter().filter(|c| c.enabled) {
                    if shutdown.is_cancelled() {
                        break;
                    }
                    let client = match built.get(&connection.id) {
                        Some(c) => c.clone(),
                        None => match clients(connection) {
                            Ok(c) => {
                                built.insert(connection.id, c.clone());
                                c
                            }
                            Err(e) => {
                                tracing::error!(connection = %connection.name, error = %format!("{e:#}"), "cannot build the Procore client");
                                continue;
                            }
                        },
                    };
                    pass(&pool, connection, &client, &settings).await;
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot read the connections; will retry"),
        }
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = tokio::time::sleep(interval) => {}
        }
    }
    tracing::info!("Procore reconciler stopped");
    Ok(())
}

async fn pass(pool: &PgPool, connection: &ProcoreSettings, client: &Client, settings: &Settings) {
    match reconcile(pool, connection.id, client, settings).await {
        Ok(report) => {
            let problems = report.problems().count();
            if report.total_emitted() > 0 || problems > 0 {
                tracing::info!(
                    connection = %connection.name,
                    emitted = report.total_emitted(),
                    problems,
                    "Procore reconciliation pass"
                );
            }
        }
        Err(e) => {
            tracing::warn!(connection = %connection.name, error = %format!("{e:#}"), "Procore reconciliation failed; next interval retries")
        }
    }
}
