//! The inbox (outbox, seen from the relay): every event is committed here before it reaches
//! the broker, deduplicated per connection (docs/architecture.md, "Relay").
//!
//! This module writes rows; [`outbox`] is what the relays do with them, and [`pending`] is a
//! row read back and turned into a message.

mod outbox;
mod pending;

pub use outbox::{
    claim_pending, load, mark_ignored, mark_published, release, remove_from_outbox, remove_orphans,
    unpublished,
};
pub use pending::{PendingEvent, Unpublishable, source_name};

use bridge_domain::{Action, ChangeEvent, Direction, EntityKind, Source};
use chrono::{DateTime, Utc};
use pending::action_name;
use sqlx::{PgExecutor, PgPool, Postgres, Transaction};
use std::collections::HashSet;
use uuid::Uuid;

const ROUTED: &str = "routed";
const IGNORED: &str = "ignored";

/// Postgres channel notified when rows are added, so relays wake at once.
pub const NOTIFY_CHANNEL: &str = "bridge_inbox";

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
    /// The event as received or found, as JSON text (kept as sent: a webhook body is stored
    /// without being decoded and encoded again).
    pub payload: String,
}

/// Inserts events in one statement, skipping those whose dedup key is already there, and
/// queues the new routed ones for the relay.
///
/// A webhook event is stored as ignored when the inbox already holds a routed row for the
/// same record and route that happened at or after it (typically the reconciler found the
/// change while the webhook was delayed): whoever processes that row reloads the record and
/// sees this change too, so the change counts once whichever path saw it first. The
/// reconciler makes the same check the other way round before it writes. Returns how many rows were new. Notifies relays
/// in the same transaction.
pub async fn insert(
    tx: &mut Transaction<'_, Postgres>,
    events: &[NewEvent],
) -> Result<u64, sqlx::Error> {
    let (_, written) = write(&mut **tx, events, false).await?;
    if written.iter().any(|&(_, routed)| routed) {
        notify(tx).await?;
    }
    Ok(written.len() as u64)
}

/// Inserts events like [`insert`], but the caller publishes the new routed rows itself (it
/// hands them to its own relay after the commit): they are returned as the messages to
/// publish instead of announced. Relays elsewhere take them over only after a grace period.
///
/// It is one statement, so given the pool rather than a transaction it commits on its own in
/// a single round trip.
pub async fn insert_handed_off<'c>(
    executor: impl PgExecutor<'c>,
    events: &[NewEvent],
) -> Result<Vec<ChangeEvent>, sqlx::Error> {
    let (ids, written) = write(executor, events, true).await?;
    let routed: HashSet<Uuid> = written
        .into_iter()
        .filter_map(|(id, routed)| routed.then_some(id))
        .collect();
    Ok(events
        .iter()
        .zip(ids)
        .filter(|(_, id)| routed.contains(id))
        .filter_map(|(event, id)| event.change(id))
        .collect())
}

/// Inserts events in a transaction of their own.
pub async fn insert_now(pool: &PgPool, events: &[NewEvent]) -> Result<u64, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let n = insert(&mut tx, events).await?;
    tx.commit().await?;
    Ok(n)
}

/// Writes the rows and their outbox entries. Returns the id given to each event (UUIDv7,
/// time-ordered) and (id, routed) of each row that was new.
async fn write<'c>(
    executor: impl PgExecutor<'c>,
    events: &[NewEvent],
    handed_off: bool,
) -> Result<(Vec<Uuid>, Vec<(Uuid, bool)>), sqlx::Error> {
    if events.is_empty() {
        return Ok((Vec::new(), Vec::new()));
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
        statuses.push(if e.route.is_some() { ROUTED } else { IGNORED });
        reasons.push(e.ignored_reason.as_deref());
        records.push(e.record.as_str());
        projects.push(e.project.as_deref());
        actions.push(action_name(e.action));
        occurred.push(e.occurred_at);
        payloads.push(e.payload.as_str());
    }
    // Data-modifying WITH clauses all run, whatever the outer SELECT reads.
    let rows: Vec<(Uuid, bool)> = sqlx::query_as(
        "WITH new AS (
             INSERT INTO inbox (id, connection_id, source, dedup_key, kind, direction, status,
                                ignored_reason, record, project, action, occurred_at, payload)
             SELECT u.id, u.connection_id, u.source, u.dedup_key, u.kind, u.direction,
                    CASE WHEN seen.dedup_key IS NULL THEN u.status ELSE 'ignored' END,
                    CASE WHEN seen.dedup_key IS NULL THEN u.ignored_reason
                         ELSE 'already in the inbox as ' || seen.dedup_key
                              || ', a change of the record at or after this one' END,
                    u.record, u.project, u.action, u.occurred_at, u.payload
             FROM UNNEST($1::uuid[], $2::bigint[], $3::text[], $4::text[], $5::text[],
                         $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
                         $11::text[], $12::timestamptz[], $13::text[]::json[])
                  AS u(id, connection_id, source, dedup_key, kind, direction, status,
                       ignored_reason, record, project, action, occurred_at, payload)
             LEFT JOIN LATERAL (
                 SELECT i.dedup_key FROM inbox i
                 WHERE u.source = 'procore_webhook' AND u.status = 'routed'
                   AND i.connection_id = u.connection_id AND i.record = u.record
                   AND i.kind = u.kind AND i.direction = u.direction
                   AND i.status = 'routed' AND i.occurred_at >= u.occurred_at
                 LIMIT 1
             ) seen ON true
             ON CONFLICT (connection_id, dedup_key) DO NOTHING
             RETURNING id, status = 'routed' AS routed
         ), queued AS (
             INSERT INTO outbox (inbox_id, handed_off)
             SELECT id, $14 FROM new WHERE routed
         )
         SELECT id, routed FROM new",
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
    .bind(handed_off)
    .fetch_all(executor)
    .await?;
    Ok((ids, rows))
}

pub(crate) async fn notify(tx: &mut Transaction<'_, Postgres>) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_notify($1, '')")
        .bind(NOTIFY_CHANNEL)
        .execute(&mut **tx)
        .await
        .map(drop)
}

impl NewEvent {
    /// The message this event becomes once written with `id`; `None` when it is not routed.
    fn change(&self, id: Uuid) -> Option<ChangeEvent> {
        let (kind, direction) = self.route?;
        Some(ChangeEvent {
            event_id: id,
            connection_id: self.connection_id,
            kind,
            direction,
            source: self.source,
            action: self.action,
            record: self.record.clone(),
            project: self.project.clone(),
            occurred_at: self.occurred_at,
            dedup_key: self.dedup_key.clone(),
        })
    }
}
