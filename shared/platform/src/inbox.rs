//! The inbox (outbox, seen from the relay): every event is committed here before it reaches
//! the broker, deduplicated per connection.

use bridge_domain::{Action, ChangeEvent, Direction, EntityKind, Envelope, Source};
use chrono::{DateTime, Utc};
use sqlx::{PgExecutor, PgPool, Postgres, Transaction};
use std::collections::HashSet;
use std::time::Duration;
use tokio::sync::mpsc;
use uuid::Uuid;

const ROUTED: &str = "routed";
const IGNORED: &str = "ignored";

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
    /// The event as received or found, as JSON text (kept as sent: a webhook body is stored
    /// without being decoded and encoded again).
    pub payload: String,
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
/// hands them to its own relay after the commit): they are returned instead of announced.
/// Relays elsewhere take them over only after a grace period.
///
/// It is one statement, so given the pool rather than a transaction it commits on its own in
/// a single round trip.
pub async fn insert_handed_off<'c>(
    executor: impl PgExecutor<'c>,
    events: &[NewEvent],
) -> Result<Vec<PendingEvent>, sqlx::Error> {
    let (ids, written) = write(executor, events, true).await?;
    let routed: HashSet<Uuid> = written
        .into_iter()
        .filter_map(|(id, routed)| routed.then_some(id))
        .collect();
    Ok(events
        .iter()
        .zip(ids)
        .filter(|(_, id)| routed.contains(id))
        .map(|(event, id)| PendingEvent::of(id, event))
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

async fn notify(tx: &mut Transaction<'_, Postgres>) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_notify($1, '')")
        .bind(NOTIFY_CHANNEL)
        .execute(&mut **tx)
        .await
        .map(drop)
}

/// Locks up to `limit` rows waiting in the outbox, oldest first, skipping rows another relay
/// holds and rows handed to a live process's relay less than `grace` ago.
pub async fn claim_pending(
    tx: &mut Transaction<'_, Postgres>,
    limit: i64,
    grace: Duration,
) -> Result<Vec<PendingEvent>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{PENDING_COLUMNS} JOIN outbox o ON o.inbox_id = inbox.id
         WHERE NOT o.handed_off OR o.enqueued_at < now() - make_interval(secs => $2)
         ORDER BY o.inbox_id
         LIMIT $1
         FOR UPDATE OF o SKIP LOCKED"
    ))
    .bind(limit)
    .bind(grace.as_secs_f64())
    .fetch_all(&mut **tx)
    .await
}

/// Reads rows by id, whatever their state (to republish an event).
pub async fn load(pool: &PgPool, ids: &[Uuid]) -> Result<Vec<PendingEvent>, sqlx::Error> {
    sqlx::query_as(&format!("{PENDING_COLUMNS} WHERE id = ANY($1)"))
        .bind(ids)
        .fetch_all(pool)
        .await
}

/// Takes published rows off the outbox.
///
/// Committed without waiting for the disk (`synchronous_commit = off`): if Postgres stops
/// before writing it, the rows are published a second time, which workers absorb; a wait for
/// the disk per batch would cost the ingress a share of every fsync.
pub async fn mark_published(pool: &PgPool, ids: &[Uuid]) -> Result<(), sqlx::Error> {
    if ids.is_empty() {
        return Ok(());
    }
    // One round trip for the whole transaction: the simple-query protocol takes several
    // statements but no parameters, so the ids are written as a literal (a uuid's text is
    // hex digits and hyphens only).
    let mut list = String::with_capacity(ids.len() * 37 + 2);
    list.push('{');
    for (n, id) in ids.iter().enumerate() {
        if n > 0 {
            list.push(',');
        }
        list.push_str(&id.to_string());
    }
    list.push('}');
    sqlx::raw_sql(&format!(
        "BEGIN; SET LOCAL synchronous_commit TO off; \
         DELETE FROM outbox WHERE inbox_id = ANY('{list}'::uuid[]); COMMIT;"
    ))
    .execute(pool)
    .await
    .map(drop)
}

/// Takes rows off the outbox inside the caller's transaction.
pub async fn remove_from_outbox(
    tx: &mut Transaction<'_, Postgres>,
    ids: &[Uuid],
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM outbox WHERE inbox_id = ANY($1)")
        .bind(ids)
        .execute(&mut **tx)
        .await
        .map(drop)
}

/// Gives handed-off rows back to every relay at once (their own relay could not take them)
/// and wakes the relays.
pub async fn release(pool: &PgPool, ids: &[Uuid]) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("UPDATE outbox SET handed_off = false WHERE inbox_id = ANY($1)")
        .bind(ids)
        .execute(&mut *tx)
        .await?;
    notify(&mut tx).await?;
    tx.commit().await
}

/// Removes outbox rows whose inbox row is gone (its connection was deleted).
pub async fn remove_orphans(pool: &PgPool) -> Result<u64, sqlx::Error> {
    sqlx::query(
        "DELETE FROM outbox o WHERE NOT EXISTS (SELECT 1 FROM inbox i WHERE i.id = o.inbox_id)",
    )
    .execute(pool)
    .await
    .map(|r| r.rows_affected())
}

/// How many events wait to be published.
pub async fn unpublished(pool: &PgPool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT count(*) FROM outbox")
        .fetch_one(pool)
        .await
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
        .await?;
    remove_from_outbox(tx, &[id]).await
}

/// Rows handed from the process that wrote them straight to its own relay, so that a
/// committed event is published without being read back from Postgres.
#[derive(Clone)]
pub struct Handoff {
    sender: mpsc::Sender<Vec<PendingEvent>>,
}

impl std::fmt::Debug for Handoff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handoff")
            .field("room", &self.sender.capacity())
            .finish()
    }
}

impl Handoff {
    /// Committed batches a hand-off holds by default before rows are given back to the
    /// sweepers (a batch is one group commit, up to a thousand rows).
    pub const DEFAULT_BATCHES: usize = 64;

    /// A hand-off holding at most `batches` batches in flight.
    pub fn channel(batches: usize) -> (Handoff, mpsc::Receiver<Vec<PendingEvent>>) {
        let (sender, receiver) = mpsc::channel(batches.max(1));
        (Handoff { sender }, receiver)
    }

    /// Passes committed rows on; when the relay is full or gone, gives them back to every
    /// relay through Postgres instead, so none waits out the grace period.
    pub async fn offer(&self, pool: &PgPool, rows: Vec<PendingEvent>) -> Result<(), sqlx::Error> {
        if rows.is_empty() {
            return Ok(());
        }
        match self.sender.try_send(rows) {
            Ok(()) => Ok(()),
            Err(
                mpsc::error::TrySendError::Full(rows) | mpsc::error::TrySendError::Closed(rows),
            ) => {
                let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
                release(pool, &ids).await
            }
        }
    }
}

impl PendingEvent {
    /// The pending row `event` became once written with `id`.
    fn of(id: Uuid, event: &NewEvent) -> PendingEvent {
        PendingEvent {
            id,
            connection_id: event.connection_id,
            source: source_name(event.source).to_owned(),
            dedup_key: event.dedup_key.clone(),
            kind: event.route.map(|(k, _)| k.as_str().to_owned()),
            direction: event.route.map(|(_, d)| d.as_str().to_owned()),
            record: Some(event.record.clone()),
            project: event.project.clone(),
            action: Some(action_name(event.action).to_owned()),
            occurred_at: Some(event.occurred_at),
        }
    }

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
