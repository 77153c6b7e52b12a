//! The outbox relay: publishes the events waiting in the outbox to RabbitMQ with confirms,
//! then takes them off the outbox.
//!
//! Two paths lead to the broker. The ingress of the same process hands its committed rows
//! straight over ([`run_handed_off`]): no read back from Postgres, one delete per batch. The
//! sweeper ([`run`]) claims what nobody handed over (the pollers' rows, rows given back when
//! the hand-off was full) with `FOR UPDATE SKIP LOCKED`, so several relays can run side by
//! side, and takes over handed-off rows still waiting after a grace period (their process
//! stopped, or RabbitMQ was away). A row leaves the outbox only after the broker confirmed
//! it; a crash in between publishes it again, which workers absorb because they are
//! idempotent. While the broker is down nothing is claimed: rows wait in Postgres, and the
//! ingress keeps accepting.

use bridge_platform::amqp::{Outgoing, Publisher};
use bridge_platform::inbox::{self, NOTIFY_CHANNEL, PendingEvent};
use sqlx::PgPool;
use sqlx::postgres::PgListener;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, mpsc};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

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
    // Taking rows off the outbox need not wait for the disk: lost, it means a second publish.
    sqlx::query("SET LOCAL synchronous_commit TO off")
        .execute(&mut *tx)
        .await?;
    let rows = inbox::claim_pending(&mut tx, config.batch, config.handoff_grace).await?;
    if rows.is_empty() {
        return Ok((0, 0));
    }
    let mut unpublishable = Vec::new();
    let confirmed = publish(publisher, config, &rows, &mut unpublishable).await?;
    for (id, reason) in unpublishable {
        inbox::mark_ignored(&mut tx, id, &reason).await?;
    }
    inbox::remove_from_outbox(&mut tx, &confirmed).await?;
    tx.commit().await?;
    Ok((confirmed.len() as u64, rows.len() as u64))
}

/// Publishes `rows` and returns the ids the broker confirmed. Rows that cannot become a
/// message are added to `unpublishable` with the reason.
async fn publish(
    publisher: &Publisher,
    config: &RelayConfig,
    rows: &[PendingEvent],
    unpublishable: &mut Vec<(Uuid, String)>,
) -> anyhow::Result<Vec<Uuid>> {
    let names = &publisher.broker().topology().names;
    let mut messages = Vec::with_capacity(rows.len());
    let mut ids = Vec::with_capacity(rows.len());
    for row in rows {
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
                unpublishable.push((row.id, reason));
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
    Ok(confirmed)
}

/// Publishes the rows this process's ingress hands over, until `shutdown` or until every
/// sender is gone. Whatever cannot be published is given back to the sweepers.
pub async fn run_handed_off(
    pool: PgPool,
    publisher: Publisher,
    handed: mpsc::Receiver<Vec<PendingEvent>>,
    config: RelayConfig,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let handed = Arc::new(Mutex::new(handed));
    let publisher = Arc::new(publisher);
    let workers: Vec<_> = (0..config.handoff_workers.max(1))
        .map(|_| {
            tokio::spawn(handoff_worker(
                pool.clone(),
                publisher.clone(),
                handed.clone(),
                config.clone(),
                shutdown.clone(),
            ))
        })
        .collect();
    for worker in workers {
        worker.await?;
    }
    Ok(())
}

async fn handoff_worker(
    pool: PgPool,
    publisher: Arc<Publisher>,
    handed: Arc<Mutex<mpsc::Receiver<Vec<PendingEvent>>>>,
    config: RelayConfig,
    shutdown: CancellationToken,
) {
    loop {
        let rows = {
            let mut rx = handed.lock().await;
            let first = tokio::select! {
                _ = shutdown.cancelled() => {
                    give_back(&pool, &mut rx).await;
                    return;
                }
                rows = rx.recv() => rows,
            };
            let Some(mut rows) = first else { return };
            while rows.len() < config.batch as usize
                && let Ok(more) = rx.try_recv()
            {
                rows.extend(more);
            }
            rows
        };
        let mut unpublishable = Vec::new();
        let outcome = publish(&publisher, &config, &rows, &mut unpublishable).await;
        let confirmed = match outcome {
            Ok(confirmed) => confirmed,
            Err(e) => {
                tracing::warn!(error = %format!("{e:#}"), rows = rows.len(), "handed-off rows not published; the sweeper takes them");
                Vec::new()
            }
        };
        if let Err(e) = settle(&pool, &rows, &confirmed, unpublishable).await {
            // The rows stay in the outbox, handed off: a sweeper takes them after the grace.
            tracing::warn!(error = %e, rows = rows.len(), "handed-off rows not settled");
        }
    }
}

/// At shutdown: rows still in the hand-off go back to the sweepers at once, rather than after
/// the grace period.
async fn give_back(pool: &PgPool, rx: &mut mpsc::Receiver<Vec<PendingEvent>>) {
    rx.close();
    let mut ids = Vec::new();
    while let Ok(rows) = rx.try_recv() {
        ids.extend(rows.iter().map(|r| r.id));
    }
    if !ids.is_empty()
        && let Err(e) = inbox::release(pool, &ids).await
    {
        tracing::warn!(error = %e, rows = ids.len(), "handed-off rows not given back; a sweeper takes them after the grace period");
    }
}

/// Takes the confirmed rows off the outbox and gives the others back to the sweepers.
async fn settle(
    pool: &PgPool,
    rows: &[PendingEvent],
    confirmed: &[Uuid],
    unpublishable: Vec<(Uuid, String)>,
) -> Result<(), sqlx::Error> {
    if !confirmed.is_empty() {
        inbox::mark_published(pool, confirmed).await?;
    }
    if !unpublishable.is_empty() {
        let mut tx = pool.begin().await?;
        for (id, reason) in &unpublishable {
            inbox::mark_ignored(&mut tx, *id, reason).await?;
        }
        tx.commit().await?;
    }
    if confirmed.len() + unpublishable.len() < rows.len() {
        let settled: HashSet<Uuid> = confirmed
            .iter()
            .copied()
            .chain(unpublishable.iter().map(|(id, _)| *id))
            .collect();
        let left: Vec<Uuid> = rows
            .iter()
            .map(|r| r.id)
            .filter(|id| !settled.contains(id))
            .collect();
        inbox::release(pool, &left).await?;
    }
    Ok(())
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
