//! The dead-letter archiver: every dead message is stored in Postgres with its headers,
//! reason and history, its sync item marked dead, and only then acked.

use crate::engine::through_outage;
use bridge_domain::Envelope;
use bridge_domain::routing::HEADER_DEAD_REASON;
use bridge_platform::amqp::headers;
use bridge_platform::amqp::{Broker, Incoming, Subscription};
use serde_json::json;
use sqlx::PgPool;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Archives dead letters until `shutdown`.
pub async fn run_archiver(
    pool: PgPool,
    broker: Broker,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let queue = broker.topology().names.dead_letter_queue();
    let mut subscription = Subscription::new(broker.clone(), queue, 16);
    tracing::info!("dead-letter archiver started");
    loop {
        let incoming = tokio::select! {
            _ = shutdown.cancelled() => break,
            next = subscription.next() => match next { Some(i) => i, None => break },
        };
        // While Postgres is unreachable the letter is held, never returned: a return counts
        // against the queue's delivery limit, and the archiver is the letter's last stop.
        let archived = through_outage("archiving a dead letter", &shutdown, || {
            archive(&pool, &incoming)
        });
        match archived.await {
            None => break,
            Some(Ok(())) => {
                let _ = incoming.ack().await;
            }
            Some(Err(e)) => {
                // Postgres answers but refuses this letter: return it, after a pause that grows
                // with its returns, so a letter that cannot be stored never spins hot.
                let pause = return_pause(incoming.delivery_count());
                tracing::warn!(error = %e, ?pause, "cannot archive a dead letter; returning it");
                tokio::select! {
                    biased;
                    _ = shutdown.cancelled() => break,
                    _ = tokio::time::sleep(pause) => {}
                }
                let _ = incoming.reject().await;
            }
        }
    }
    tracing::info!("dead-letter archiver stopped");
    Ok(())
}

async fn archive(pool: &PgPool, incoming: &Incoming) -> Result<(), sqlx::Error> {
    let table = incoming.headers();
    let h = incoming.headers_json();
    let reason = headers::text(table, HEADER_DEAD_REASON)
        .or_else(|| {
            headers::text(table, "x-first-death-reason").map(|r| match r.as_str() {
                "delivery_limit" => {
                    "returned to its queue too many times (delivery limit)".to_owned()
                }
                "expired" => "expired before it was handled".to_owned(),
                "rejected" => "rejected by its consumer".to_owned(),
                other => other.to_owned(),
            })
        })
        .unwrap_or_else(|| "dead-lettered".to_owned());
    let queue = headers::text(table, bridge_domain::routing::HEADER_ORIGIN_QUEUE)
        .or_else(|| headers::text(table, "x-first-death-queue"));
    let event = match Envelope::from_bytes(incoming.body()) {
        Ok(Envelope::ChangeV1(e)) => Some(e),
        Err(_) => None,
    };
    let history = h.get("x-death").cloned().unwrap_or_else(|| json!([]));
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO dead_letters (connection_id, queue, routing_key, reason, headers, body, history)
         VALUES ((SELECT id FROM connections WHERE id = $1), $2, $3, $4, $5, $6, $7)",
    )
    .bind(event.as_ref().map(|e| e.connection_id))
    .bind(queue)
    .bind(incoming.routing_key())
    .bind(&reason)
    .bind(&h)
    .bind(incoming.body())
    .bind(history)
    .execute(&mut *tx)
    .await?;
    if let Some(e) = &event {
        let note = json!([{ "level": "error", "text": reason, "at": chrono::Utc::now() }]);
        sqlx::query(
            "UPDATE sync_items SET status = 'dead', waiting_on = NULL, updated_at = now(),
                 messages = CASE WHEN status = 'dead' THEN messages ELSE messages || $5 END
             WHERE connection_id = $1 AND kind = $2 AND direction = $3 AND record_key = $4",
        )
        .bind(e.connection_id)
        .bind(e.kind.as_str())
        .bind(e.direction.as_str())
        .bind(&e.record)
        .bind(note)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}

/// The pause before returning a letter Postgres refused, by how often it was returned
/// already: 1 s, doubling, at most 60 s. The dead-letter queue's delivery limit is far out of
/// reach at that pace (see the topology's dead-letter queue).
fn return_pause(returned: u32) -> Duration {
    Duration::from_secs(1u64 << returned.min(6)).min(Duration::from_secs(60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_letter_comes_back_ever_more_slowly() {
        let cases = [(0, 1), (1, 2), (2, 4), (5, 32), (6, 60), (1_000, 60)];
        for (returned, secs) in cases {
            assert_eq!(
                return_pause(returned),
                Duration::from_secs(secs),
                "{returned}"
            );
        }
    }
}
