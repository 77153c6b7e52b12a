//! The outbox relay: publishes the events waiting in the outbox to RabbitMQ with confirms,
//! then takes them off the outbox (docs/architecture.md, "Relay").
//!
//! Two paths lead to the broker. The ingress of the same process hands its committed events
//! straight over, typed ([`Handoff`], [`run_handed_off`]): no read back from Postgres, one
//! delete per batch. The sweeper ([`run`]) claims what nobody handed over (the pollers' rows,
//! rows given back when the hand-off was full) with `FOR UPDATE SKIP LOCKED`, so several
//! relays can run side by side, and takes over handed-off rows still waiting after a grace
//! period (their process stopped, or RabbitMQ was away). A row leaves the outbox only after
//! the broker confirmed it; a crash in between publishes it again, which workers absorb
//! because they are idempotent. While the broker is down nothing is claimed: rows wait in
//! Postgres, and the ingress keeps accepting.

mod handoff;
mod publish;

pub use handoff::{Handoff, run_handed_off};

use crate::amqp::{BrokerError, Publisher};
use crate::inbox::{self, NOTIFY_CHANNEL};
use publish::publish;
use sqlx::PgPool;
use sqlx::postgres::PgListener;
use std::time::{Duration, Instant};
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
    /// How long a row handed to another process's relay is left to it.
    pub handoff_grace: Duration,
    /// Hand-off workers: one publishes while another waits for confirms.
    pub handoff_workers: usize,
}

impl Default for RelayConfig {
    fn default() -> Self {
        RelayConfig {
            batch: 500,
            idle_poll: Duration::from_secs(1),
            publish_timeout: Duration::from_secs(10),
            handoff_grace: Duration::from_secs(30),
            handoff_workers: 2,
        }
    }
}

/// Why a relay round published nothing.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error("RabbitMQ is not reachable")]
    BrokerAway(#[source] BrokerError),
    #[error("RabbitMQ did not answer within {0:?}")]
    BrokerSilent(Duration),
    #[error("broker confirms did not arrive within {0:?}")]
    ConfirmsLate(Duration),
    #[error("the outbox could not be read or updated")]
    Database(#[from] sqlx::Error),
}

/// Runs the sweeper until `shutdown`; a round in progress finishes first.
pub async fn run(
    pool: PgPool,
    publisher: Publisher,
    config: RelayConfig,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let mut listener = listen(&pool).await;
    tracing::info!("outbox relay started");
    let mut backoff = Duration::from_millis(100);
    let mut orphans_checked: Option<Instant> = None;
    loop {
        if orphans_checked.is_none_or(|at| at.elapsed() > Duration::from_secs(60)) {
            match inbox::remove_orphans(&pool).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(removed = n, "outbox rows without an inbox row removed"),
                Err(e) => tracing::warn!(error = %e, "could not look for orphan outbox rows"),
            }
            orphans_checked = Some(Instant::now());
        }
        match drain(&pool, &publisher, &config).await {
            Ok(n) => {
                if n > 0 {
                    tracing::debug!(published = n, "relayed inbox rows");
                }
                backoff = Duration::from_millis(100);
            }
            Err(e) => {
                let error = anyhow::Error::new(e);
                tracing::warn!(error = %format!("{error:#}"), "relay round failed; will retry");
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
) -> Result<u64, RelayError> {
    let mut total = 0;
    loop {
        // Claim nothing while the broker is away: rows are safer waiting in Postgres.
        tokio::time::timeout(config.publish_timeout, publisher.broker().connection())
            .await
            .map_err(|_| RelayError::BrokerSilent(config.publish_timeout))?
            .map_err(RelayError::BrokerAway)?;
        let (published, claimed) = round(pool, publisher, config).await?;
        total += published;
        if claimed < config.batch as u64 || published == 0 {
            return Ok(total);
        }
    }
}

/// One round: returns (published, claimed).
async fn round(
    pool: &PgPool,
    publisher: &Publisher,
    config: &RelayConfig,
) -> Result<(u64, u64), RelayError> {
    let mut tx = pool.begin().await?;
    // Taking rows off the outbox need not wait for the disk: lost, it means a second publish.
    sqlx::query("SET LOCAL synchronous_commit TO off")
        .execute(&mut *tx)
        .await?;
    let rows = inbox::claim_pending(&mut tx, config.batch, config.handoff_grace).await?;
    if rows.is_empty() {
        return Ok((0, 0));
    }
    let mut envelopes = Vec::with_capacity(rows.len());
    for row in &rows {
        match row.envelope() {
            Ok(envelope) => envelopes.push(envelope),
            Err(reason) => {
                tracing::error!(inbox_id = %row.id, %reason, "inbox row cannot be published");
                inbox::mark_ignored(&mut tx, row.id, &reason.to_string()).await?;
            }
        }
    }
    let confirmed = publish(publisher, config, envelopes).await?;
    inbox::remove_from_outbox(&mut tx, &confirmed).await?;
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
