//! Waking the items that wait on a link, so a cost that arrived before its project is synced
//! within about a second of the project rather than at its next retry step.
//!
//! The waiting message itself sits in a retry tier and cannot be pulled out; a fresh copy of
//! its event is published to the work queue instead. When the original comes back later it
//! finds the record synced and is settled as such: workers are idempotent.

use bridge_platform::amqp::{Outgoing, Publisher};
use bridge_platform::inbox;
use sqlx::PgPool;
use uuid::Uuid;

/// Republishes the latest event of every item of `connection_id` waiting on `key`.
pub async fn wake(
    pool: &PgPool,
    publisher: &Publisher,
    connection_id: i64,
    key: &str,
) -> anyhow::Result<usize> {
    let ids: Vec<Uuid> = sqlx::query_scalar(
        "SELECT last_event_id FROM sync_items
         WHERE connection_id = $1 AND status = 'waiting' AND waiting_on = $2
           AND last_event_id IS NOT NULL",
    )
    .bind(connection_id)
    .bind(key)
    .fetch_all(pool)
    .await?;
    if ids.is_empty() {
        return Ok(0);
    }
    let rows = inbox::load(pool, &ids).await?;
    let names = &publisher.broker().topology().names;
    let messages: Vec<Outgoing> = rows
        .iter()
        .filter_map(|row| row.envelope().ok().map(|e| (row, e)))
        .map(|(row, envelope)| Outgoing {
            exchange: names.events_exchange(),
            routing_key: envelope.route().routing_key(),
            body: envelope.to_bytes(),
            headers: vec![],
            message_id: Some(row.id.to_string()),
        })
        .collect();
    let count = messages.len();
    for result in publisher.publish_all(messages).await {
        result?;
    }
    tracing::debug!(
        connection = connection_id,
        key,
        woken = count,
        "woke waiting items"
    );
    Ok(count)
}
