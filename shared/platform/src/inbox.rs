//! The inbox (outbox, seen from the relay): every event is committed here before it reaches
//! the broker, deduplicated per connection.

use bridge_domain::{Action, ChangeEvent, Direction, EntityKind, Envelope, Source};
use chrono::{DateTime, Utc};
use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

/// Postgres channel notified when rows are added, so relays wake at once.
pub const NOTIFY_CHANNEL: &str = "bridge_inbox";

/// The columns of [`PendingEvent`], as read from the inbox.
const PENDING_COLUMNS: &str = "SELECT id, connection_id, source, dedup_key, kind, direction, \
     record, project, action, occurred_at FROM inbox";

/// A row to add.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub connection_id: i64,
    pub source: Source,
    pub dedup_key: String,
    /// `None` with `ignored_reason` set for events the bridge does not sync.
    pub route: Option<(EntityKind, Direction)>,
    pub ignored_reason: Option<String>,
    pub record: String,
    pub project: Option<String>,
    pub action: Action,
    pub occurred_at: DateTime<Utc>,
    pub payload: serde_json::Value,
}

/// A pending row, as the relay reads it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PendingEvent {
    pub id: Uuid,
    pub connection_id: i64,
    pub source: String,
    pub dedup_key: String,
    pub kind: Option<String>,
    pub direction: Option<String>,
    pub record: Option<String>,
    pub project: Option<String>,
    pub action: Option<String>,
    pub occurred_at: Option<DateTime<Utc>>,
}

/// Inserts events in one statement, skipping those whose dedup key is already there.
/// Returns how many were new. Notifies relays in the same transaction.
pub async fn insert(
    tx: &mut Transaction<'_, Postgres>,
    events: &[NewEvent],
) -> Result<u64, sqlx::Error> {
    if events.is_empty() {
        return Ok(0);
    }
    let mut ids = Vec::with_capacity(events.len());
    let mut connections = Vec::with_capacity(events.len());
    let mut sources = Vec::with_capacity(events.len());
    let mut keys = Vec::with_capacity(events.len());
    let mut kinds = Vec::with_capacity(events.len());
    let mut directions = Vec::with_capacity(events.len());
    let mut statuses = Vec::with_capacity(events.len());
    let mut reasons = Vec::with_capacity(events.len());
    let mut records = Vec::with_capacity(events.len());
    let mut projects = Vec::with_capacity(events.len());
    let mut actions = Vec::with_capacity(events.len());
    let mut occurred = Vec::with_capacity(events.len());
    let mut payloads = Vec::with_capacity(events.len());
    for e in events {
        ids.push(Uuid::now_v7());
        connections.push(e.connection_id);
        sources.push(source_name(e.source));
        keys.push(e.dedup_key.as_str());
        kinds.push(e.route.map(|(k, _)| k.as_str()));
        directions.push(e.route.map(|(_, d)| d.as_str()));
        statuses.push(if e.route.is_some() {
            "pending"
        } else {
            "ignored"
        });
        reasons.push(e.ignored_reason.as_deref());
        records.push(e.record.as_str());
        projects.push(e.project.as_deref());
        actions.push(action_name(e.action));
        occurred.push(e.occurred_at);
        payloads.push(&e.payload);
    }
    let inserted = sqlx::query(
        "INSERT INTO inbox (id, connection_id, source, dedup_key, kind, direction, status,
                            ignored_reason, record, project, action, occurred_at, payload)
         SELECT * FROM UNNEST($1::uuid[], $2::bigint[], $3::text[], $4::text[], $5::text[],
                              $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
                              $11::text[], $12::timestamptz[], $13::jsonb[])
         ON CONFLICT (connection_id, dedup_key) DO NOTHING",
    )
    .bind(&ids)
    .bind(&connections)
    .bind(&sources)
    .bind(&keys)
    .bind(&kinds)
    .bind(&directions)
    .bind(&statuses)
    .bind(&reasons)
    .bind(&records)
    .bind(&projects)
    .bind(&actions)
    .bind(&occurred)
    .bind(&payloads)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if inserted > 0 {
        sqlx::query("SELECT pg_notify($1, '')")
            .bind(NOTIFY_CHANNEL)
            .execute(&mut **tx)
            .await?;
    }
    Ok(inserted)
}

/// Inserts events in a transaction of their own.
pub async fn insert_now(pool: &PgPool, events: &[NewEvent]) -> Result<u64, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let n = insert(&mut tx, events).await?;
    tx.commit().await?;
    Ok(n)
}

/// Locks up to `limit` pending rows, oldest first, skipping rows another relay holds.
pub async fn claim_pending(
    tx: &mut Transaction<'_, Postgres>,
    limit: i64,
) -> Result<Vec<PendingEvent>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{PENDING_COLUMNS} WHERE status = 'pending'
         ORDER BY received_at, id
         LIMIT $1
         FOR UPDATE SKIP LOCKED"
    ))
    .bind(limit)
    .fetch_all(&mut **tx)
    .await
}

/// Reads rows by id, whatever their status (to republish an event).
pub async fn load(pool: &PgPool, ids: &[Uuid]) -> Result<Vec<PendingEvent>, sqlx::Error> {
    sqlx::query_as(&format!("{PENDING_COLUMNS} WHERE id = ANY($1)"))
        .bind(ids)
        .fetch_all(pool)
        .await
}

/// Marks rows published.
pub async fn mark_published(
    tx: &mut Transaction<'_, Postgres>,
    ids: &[Uuid],
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE inbox SET status = 'published', published_at = now() WHERE id = ANY($1)")
        .bind(ids)
        .execute(&mut **tx)
        .await
        .map(drop)
}

/// Marks a row that can never be published (it names no known route), with the reason.
pub async fn mark_ignored(
    tx: &mut Transaction<'_, Postgres>,
    id: Uuid,
    reason: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE inbox SET status = 'ignored', ignored_reason = $2 WHERE id = $1")
        .bind(id)
        .bind(reason)
        .execute(&mut **tx)
        .await
        .map(drop)
}

impl PendingEvent {
    /// The message for this row, or why none can be made.
    pub fn envelope(&self) -> Result<Envelope, String> {
        let kind: EntityKind = self
            .kind
            .as_deref()
            .unwrap_or_default()
            .parse()
            .map_err(|e: bridge_domain::UnknownName| e.to_string())?;
        let direction: Direction = self
            .direction
            .as_deref()
            .unwrap_or_default()
            .parse()
            .map_err(|e: bridge_domain::UnknownName| e.to_string())?;
        let source = parse_source(&self.source)
            .ok_or_else(|| format!("unknown source `{}`", self.source))?;
        let action = match self.action.as_deref() {
            Some("create") => Action::Create,
            Some("delete") => Action::Delete,
            _ => Action::Update,
        };
        Ok(Envelope::ChangeV1(ChangeEvent {
            event_id: self.id,
            connection_id: self.connection_id,
            kind,
            direction,
            source,
            action,
            record: self.record.clone().unwrap_or_default(),
            project: self.project.clone(),
            occurred_at: self.occurred_at.unwrap_or_else(Utc::now),
            dedup_key: self.dedup_key.clone(),
        }))
    }
}

pub fn source_name(source: Source) -> &'static str {
    match source {
        Source::ProcoreWebhook => "procore_webhook",
        Source::ProcoreReconciler => "procore_reconciler",
        Source::MaestroPoller => "maestro_poller",
        Source::Replay => "replay",
        Source::Manual => "manual",
    }
}

fn parse_source(name: &str) -> Option<Source> {
    [
        Source::ProcoreWebhook,
        Source::ProcoreReconciler,
        Source::MaestroPoller,
        Source::Replay,
        Source::Manual,
    ]
    .into_iter()
    .find(|s| source_name(*s) == name)
}

fn action_name(action: Action) -> &'static str {
    match action {
        Action::Create => "create",
        Action::Update => "update",
        Action::Delete => "delete",
    }
}
