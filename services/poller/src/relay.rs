//! The outbox relay: publishes pending inbox rows to RabbitMQ with confirms, then marks them.
//!
//! Rows are claimed with `FOR UPDATE SKIP LOCKED`, so several relays can run side by side. A
//! row is marked published only after the broker confirmed it; a crash in between publishes it
//! again after restart, which workers absorb because they are idempotent. While the broker is
//! down nothing is claimed: rows simply wait, and the ingress keeps accepting.

use bridge_platform::amqp::{Outgoing, Publisher};
use bridge_platform::inbox::{self, NOTIFY_CHANNEL};
use sqlx::PgPool;
use sqlx::postgres::PgListener;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Tuning of the relay.
#[derive(Debug, Clone)]
pub struct RelayConfig {
    /// Rows claimed and published per round.
    pub batch: i64,
    /// Longest wait between rounds when no notification arrives.
    pub idle_poll: Duration,
    /// Longest a round may wait for confirms before giving its rows back.
    pub publish_timeout: Duration,
}

impl Default for RelayConfig {
    fn default() -> Self {
        RelayConfig {
            batch: 500,
            idle_poll: Duration::from_secs(1),
            publish_timeout: Duration::from_secs(10),
        }
    }
}

/// Runs until `shutdown`; a round in progress finishes first.
pub async fn run(
    pool: PgPool,
    publisher: Publisher,
    config: RelayConfig,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let mut listener = listen(&pool).await;
    tracing::info!("outbox relay started");
    let mut backoff = Duration::from_millis(100);
    loop {
        match drain(&pool, &publisher, &config).await {
            Ok(n) => {
                if n > 0 {
                    tracing::debug!(published = n, "relayed inbox rows");
                }
                backoff = Duration::from_millis(100);
            }
            Err(e) => {
                tracing::warn!(error = %format!("{e:#}"), "relay round failed; will retry");
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    _ = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(Duration::from_secs(5));
                continue;
            }
        }
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = notified(&mut listener) => {}
            _ = tokio::time::sleep(config.idle_poll) => {}
        }
    }
    tracing::info!("outbox relay stopped");
    Ok(())
}

/// Publishes rounds until no pending row is left; returns how many rows were published.
pub async fn drain(
    pool: &PgPool,
    publisher: &Publisher,
    config: &RelayConfig,
) -> anyhow::Result<u64> {
    let mut total = 0;
    loop {
        // Claim nothing while the broker is away: rows are safer waiting in Postgres.
        tokio::time::timeout(config.publish_timeout, publisher.broker().connection())
            .await
            .map_err(|_| anyhow::anyhow!("RabbitMQ is not reachable"))??;
        let published = round(pool, publisher, config).await?;
        total += published.0;
        if published.1 < config.batch as u64 || published.0 == 0 {
            return Ok(total);
        }
    }
}

/// One round: returns (published, claimed).
async fn round(
    pool: &PgPool,
    publisher: &Publisher,
    config: &RelayConfig,
) -> anyhow::Result<(u64, u64)> {
    let mut tx = pool.begin().await?;
    let rows = inbox::claim_pending(&mut tx, config.batch).await?;
    if rows.is_empty() {
        return Ok((0, 0));
    }
    let names = &publisher.broker().topology().names;
    let mut messages = Vec::with_capacity(rows.len());
    let mut ids = Vec::with_capacity(rows.len());
    for row in &rows {
        match row.envelope() {
            Ok(envelope) => {
                messages.push(Outgoing {
                    exchange: names.events_exchange(),
                    routing_key: envelope.route().routing_key(),
                    body: envelope.to_bytes(),
                    headers: vec![],
                    message_id: Some(row.id.to_string()),
                });
                ids.push(row.id);
            }
            Err(reason) => {
                tracing::error!(inbox_id = %row.id, %reason, "inbox row cannot be published");
                inbox::mark_ignored(&mut tx, row.id, &reason).await?;
            }
        }
    }
    let results = tokio::time::timeout(config.publish_timeout, publisher.publish_all(messages))
        .await
        .map_err(|_| anyhow::anyhow!("broker confirms did not arrive in time"))?;
    let mut confirmed = Vec::with_capacity(ids.len());
    for (id, result) in ids.into_iter().zip(results) {
        match result {
            Ok(()) => confirmed.push(id),
            Err(e) => tracing::error!(inbox_id = %id, error = %e, "inbox row not published"),
        }
    }
    inbox::mark_published(&mut tx, &confirmed).await?;
    tx.commit().await?;
    Ok((confirmed.len() as u64, rows.len() as u64))
}

async fn listen(pool: &PgPool) -> Option<PgListener> {
    let mut listener = PgListener::connect_with(pool).await.ok()?;
    listener.listen(NOTIFY_CHANNEL).await.ok()?;
    Some(listener)
}

/// Waits for an inbox notification; without a listener, never returns (the poll covers it).
async fn notified(listener: &mut Option<PgListener>) {
    match listener {
        Some(l) => {
            if l.recv().await.is_err() {
                // The listener reconnects on its next use; meanwhile the poll interval works.
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
        None => std::future::pending().await,
    }
}
