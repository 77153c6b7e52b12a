//! What the relays do with the outbox: claim, take off, give back.

use super::notify;
use super::pending::{PENDING_COLUMNS, PendingEvent};
use sqlx::{PgPool, Postgres, Transaction};
use std::time::Duration;
use uuid::Uuid;

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
