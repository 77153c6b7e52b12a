//! The Procore reconciler: the safety net under the webhooks.
//!
//! Procore delivers webhooks best-effort and discards a paused endpoint's events after 12 hours.
//! Per connection and resource, the reconciler lists the records updated since its watermark
//! (`filters[updated_at]=<from>...<to>`, paged) and writes the inbox rows a webhook would have
//! written: same routes, record and project, source `procore_reconciler`.
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

use anyhow::Context as _;
use bridge_domain::{Action, Direction, EntityKind, Source};
use bridge_domain::resources::routes;
use bridge_platform::connections::{self, ProcoreSettings};
use bridge_platform::inbox::{self, NewEvent};
use bridge_platform::sync_items;
use bridge_procore::{Client, query};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::json;
use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Where a resource's records are listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// One list for the company (`company_id`).
    Company,
    /// One list per project (`project_id`), every project of the company.
    Project,
}

/// A Procore resource the reconciler lists.
#[derive(Debug)]
pub struct Resource {
    /// The webhook trigger name; decides the routes, as for a webhook.
    pub name: &'static str,
    pub scope: Scope,
    /// List paths (`{company_id}` is replaced); all are read.
    pub paths: &'static [&'static str],
}

const PROJECTS_PATH: &str = "rest/v1.0/projects";

/// Every resource reconciled: the routed resources that Procore lists by `updated_at`.
pub const RESOURCES: &[Resource] = &[
    Resource {
        name: "Projects",
        scope: Scope::Company,
        paths: &[PROJECTS_PATH],
    },
    Resource {
        name: "Company Vendors",
        scope: Scope::Company,
        // The plain list shows active companies only; a deactivation is a change too.
        paths: &[
            "rest/v1.0/vendors",
            "rest/v1.0/companies/{company_id}/vendors/inactive",
        ],
    },
    Resource {
        name: "Purchase Order Contracts",
        scope: Scope::Project,
        paths: &["rest/v1.0/purchase_order_contracts"],
    },
    Resource {
        name: "Work Order Contracts",
        scope: Scope::Project,
        paths: &["rest/v1.0/work_order_contracts"],
    },
    Resource {
        name: "Prime Contracts",
        scope: Scope::Project,
        paths: &["rest/v1.0/prime_contracts"],
    },
    Resource {
        name: "Change Order Packages",
        scope: Scope::Project,
        paths: &["rest/v1.0/change_order_packages"],
    },
];

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

/// The cursor holding a resource's watermark.
pub fn cursor_name(resource: &str) -> String {
    format!("procore:{}", record_type(resource))
}

/// The dedup key of one change of one Procore record on one route. The webhook path and the
/// reconciler derive it from the same facts: the resource, the record id and the time of the
/// change (a webhook's `timestamp`, a listed record's `updated_at`), to the millisecond, which
/// is the precision Procore's records carry.
pub fn change_key(
    resource: &str,
    record: &str,
    changed_at: DateTime<Utc>,
    (kind, direction): (EntityKind, Direction),
) -> String {
    format!(
        "procore:{}:{record}:{}:{kind}.{direction}",
        record_type(resource),
        changed_at.format("%Y-%m-%dT%H:%M:%S%.3fZ")
    )
}

/// The kind of record a trigger resource names: company and project vendor events are about
/// the same directory companies.
fn record_type(resource: &str) -> String {
    let name = resource.to_ascii_lowercase().replace(' ', "_");
    match name.as_str() {
        "company_vendors" | "project_vendors" => "vendors".to_owned(),
        _ => name,
    }
}

/// One record as a list shows it; only what the reconciler needs.
#[derive(Debug, Deserialize)]
struct Listed {
    id: i64,
    created_at: Option<DateTime<Utc>>,
    updated_at: DateTime<Utc>,
}

/// One change found in a window.
#[derive(Debug)]
struct Found {
    record: Listed,
    project: Option<i64>,
}

/// Runs one pass over every resource of one connection.
pub async fn reconcile(
    pool: &PgPool,
    connection_id: i64,
    client: &Client,
    settings: &Settings,
) -> anyhow::Result<Report> {
    let mut report = Report::default();
    for resource in RESOURCES {
        let outcome = reconcile_one(pool, connection_id, client, settings, resource).await;
        let entry = match outcome {
            Ok(entry) => entry,
            Err(e) => {
                tracing::warn!(
                    connection = connection_id,
                    resource = resource.name,
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
    let to = Utc::now();
    let name = cursor_name(resource.name);
    let watermark = sync_items::cursor(pool, connection_id, &name, "")
        .await
        .context("reading the reconciler watermark")?
        .and_then(|p| DateTime::parse_from_rfc3339(&p).ok())
        .map(|t| t.with_timezone(&Utc));
    let from = watermark.unwrap_or_else(|| to - settings.first_lookback) - settings.overlap;
    let window = format!("{}...{}", time(from), time(to));

    let mut found = Vec::new();
    match resource.scope {
        Scope::Company => {
            for path in resource.paths {
                let mut q = company_query(client, path);
                q.push(("filters[updated_at]".into(), window.clone()));
                found.extend(
                    list(client, path, q, settings)
                        .await?
                        .into_iter()
                        .map(|record| Found {
                            record,
                            project: None,
                        }),
                );
            }
        }
        Scope::Project => {
            let projects = list(
                client,
                PROJECTS_PATH,
                company_query(client, PROJECTS_PATH),
                settings,
            )
            .await
            .context("listing the company's projects")?;
            for project in projects.iter().map(|p| p.id) {
                for path in resource.paths {
                    let q = query([
                        ("project_id", project.to_string()),
                        ("filters[updated_at]", window.clone()),
                    ]);
                    let listed = list(client, path, q, settings)
                        .await
                        .with_context(|| format!("listing {path} of project {project}"))?;
                    found.extend(listed.into_iter().map(|record| Found {
                        record,
                        project: Some(project),
                    }));
                }
            }
        }
    }

    let listed = found.len();
    let events = events(connection_id, resource.name, &found, from);
    let (fresh, covered) = drop_covered(pool, connection_id, resource.name, events).await?;
    let mut tx = pool.begin().await.context("starting the inbox write")?;
    let mut inserted = 0;
    for chunk in fresh.chunks(1000) {
        inserted += inbox::insert(&mut tx, chunk)
            .await
            .context("writing reconciled changes to the inbox")?;
    }
    tx.commit().await.context("committing reconciled changes")?;
    // Only now that the rows are durable may the window close.
    sync_items::set_cursor(pool, connection_id, &name, "", &time(to))
        .await
        .context("advancing the reconciler watermark")?;
    if inserted > 0 {
        tracing::info!(
            connection = connection_id,
            resource = resource.name,
            emitted = inserted,
            "reconciled Procore changes the webhooks had not brought"
        );
    }
    Ok(ResourceReport {
        resource: resource.name,
        listed,
        emitted: inserted,
        already_seen: covered + (fresh.len() as u64 - inserted),
        watermark: Some(to),
        problem: None,
    })
}

fn company_query(client: &Client, path: &str) -> Vec<(String, String)> {
    let mut q = query([("company_id", client.company_id())]);
    if path == PROJECTS_PATH {
        // Inactive projects change too (and deactivation is a change).
        q.push(("filters[by_status]".into(), "All".into()));
    }
    q
}

async fn list(
    client: &Client,
    path: &str,
    query: Vec<(String, String)>,
    settings: &Settings,
) -> anyhow::Result<Vec<Listed>> {
    let path = path.replace("{company_id}", &client.company_id().to_string());
    client
        .list_all(&path, query, settings.per_page)
        .await
        .with_context(|| format!("listing {path}"))
}

/// The inbox rows a webhook would have written for each found change.
fn events(
    connection_id: i64,
    resource: &str,
    found: &[Found],
    window_start: DateTime<Utc>,
) -> Vec<NewEvent> {
    let mut out = Vec::new();
    for f in found {
        let Listed {
            id,
            created_at,
            updated_at,
        } = f.record;
        // Created inside the window: no earlier pass can have seen it.
        let action = if created_at.is_some_and(|c| c >= window_start) {
            Action::Create
        } else {
            Action::Update
        };
        let record = id.to_string();
        let project = f.project.map(|p| p.to_string());
        let payload = json!({
            "resource_name": resource,
            "resource_id": id,
            "project_id": f.project,
            "updated_at": time(updated_at),
            "found_by": "reconciler",
        });
        for &route in routes(resource) {
            out.push(NewEvent {
                connection_id,
                source: Source::ProcoreReconciler,
                dedup_key: change_key(resource, &record, updated_at, route),
                route: Some(route),
                ignored_reason: None,
                record: record.clone(),
                project: project.clone(),
                action,
                occurred_at: updated_at,
                payload: payload.to_string(),
            });
        }
    }
    out
}

/// The latest change the inbox holds for one record and route (`None`: an ignored row).
#[derive(sqlx::FromRow)]
struct Latest {
    record: String,
    kind: Option<String>,
    direction: Option<String>,
    at: DateTime<Utc>,
}

/// Splits off the changes the inbox already covers: a row for the same record and route (or an
/// ignored webhook row for the record) that happened at or after the change.
async fn drop_covered(
    pool: &PgPool,
    connection_id: i64,
    resource: &str,
    events: Vec<NewEvent>,
) -> anyhow::Result<(Vec<NewEvent>, u64)> {
    if events.is_empty() {
        return Ok((events, 0));
    }
    let mut records: Vec<&str> = events.iter().map(|e| e.record.as_str()).collect();
    records.sort_unstable();
    records.dedup();
    let latest: Vec<Latest> = sqlx::query_as(
        "SELECT record, kind, direction, max(occurred_at) AS at
         FROM inbox
         WHERE connection_id = $1 AND record = ANY($2) AND occurred_at IS NOT NULL
           AND (kind IS NOT NULL
                OR coalesce(payload->>'resource_name', payload->>'resource_type') = $3)
         GROUP BY record, kind, direction",
    )
    .bind(connection_id)
    .bind(&records)
    .bind(resource)
    .fetch_all(pool)
    .await
    .context("reading what the inbox already has")?;
    let mut seen: HashMap<(String, Option<String>), DateTime<Utc>> = HashMap::new();
    for l in latest {
        let route = l.kind.zip(l.direction).map(|(k, d)| format!("{k}.{d}"));
        seen.insert((l.record, route), l.at);
    }
    let covered_by = |e: &NewEvent, route: Option<String>| {
        seen.get(&(e.record.clone(), route))
            .is_some_and(|at| *at >= truncated(e.occurred_at))
    };
    let (mut fresh, mut covered) = (Vec::new(), 0);
    for e in events {
        let route = e.route.map(|(k, d)| format!("{k}.{d}"));
        if covered_by(&e, route) || covered_by(&e, None) {
            covered += 1;
        } else {
            fresh.push(e);
        }
    }
    Ok((fresh, covered))
}

/// Procore shows times to the millisecond; compare at that precision.
fn truncated(at: DateTime<Utc>) -> DateTime<Utc> {
    let nanos = at.timestamp_subsec_nanos();
    at - chrono::Duration::nanoseconds(i64::from(nanos % 1_000_000))
}

fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn a_webhook_timestamp_and_a_listed_updated_at_give_one_key() {
        let route = (EntityKind::Subcontract, Direction::ToMaestro);
        // v2 events carry microseconds, lists milliseconds, v4 events milliseconds.
        let webhook = change_key(
            "Work Order Contracts",
            "5982324300946000123",
            at("2026-11-20T10:11:12.123456Z"),
            route,
        );
        let listed = change_key(
            "Work Order Contracts",
            "5982324300946000123",
            at("2026-11-20T10:11:12.123Z"),
            route,
        );
        assert_eq!(webhook, listed);
        assert_eq!(
            listed,
            "procore:work_order_contracts:5982324300946000123:2026-11-20T10:11:12.123Z:subcontract.to_maestro"
        );
        let later = change_key(
            "Work Order Contracts",
            "5982324300946000123",
            at("2026-11-20T10:11:12.124Z"),
            route,
        );
        assert_ne!(listed, later);
    }

    #[test]
    fn company_and_project_vendor_events_name_the_same_record() {
        let route = (EntityKind::Supplier, Direction::ToMaestro);
        let t = at("2026-11-20T10:11:12Z");
        assert_eq!(
            change_key("Company Vendors", "7", t, route),
            change_key("Project Vendors", "7", t, route)
        );
        assert_eq!(cursor_name("Company Vendors"), "procore:vendors");
    }

    #[test]
    fn every_reconciled_resource_is_routed() {
        for r in RESOURCES {
            assert!(!routes(r.name).is_empty(), "{}", r.name);
        }
    }

    #[test]
    fn truncation_keeps_whole_milliseconds() {
        assert_eq!(
            truncated(at("2026-11-20T10:11:12.123987Z")),
            at("2026-11-20T10:11:12.123Z")
        );
    }
}
