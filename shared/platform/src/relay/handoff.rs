//! The hand-off: committed events passed from the ingress of a process straight to the relay
//! of the same process, typed, so that they are published without being read back from
//! Postgres or parsed again.

use super::RelayConfig;
use super::publish::publish;
use crate::amqp::Publisher;
use crate::inbox;
use bridge_domain::{ChangeEvent, Envelope};
use sqlx::PgPool;
use std::collections::HashSet;
use std::sync::Arc;
use tokio::sync::{Mutex, mpsc};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// The sending side of a hand-off. Cheap to clone.
#[derive(Clone)]
pub struct Handoff {
    sender: mpsc::Sender<Vec<ChangeEvent>>,
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
    pub fn channel(batches: usize) -> (Handoff, mpsc::Receiver<Vec<ChangeEvent>>) {
        let (sender, receiver) = mpsc::channel(batches.max(1));
        (Handoff { sender }, receiver)
    }

    /// Passes committed events on; when the relay is full or gone, gives them back to every
    /// relay through Postgres instead, so none waits out the grace period.
    pub async fn offer(&self, pool: &PgPool, events: Vec<ChangeEvent>) -> Result<(), sqlx::Error> {
        if events.is_empty() {
            return Ok(());
        }
        match self.sender.try_send(events) {
            Ok(()) => Ok(()),
            Err(
                mpsc::error::TrySendError::Full(events) | mpsc::error::TrySendError::Closed(events),
            ) => {
                let ids: Vec<Uuid> = events.iter().map(|e| e.event_id).collect();
                inbox::release(pool, &ids).await
            }
        }
    }
}

/// Publishes the events this process's ingress hands over, until `shutdown` or until every
/// sender is gone. Whatever cannot be published is given back to the sweepers.
pub async fn run_handed_off(
    pool: PgPool,
    publisher: Publisher,
    handed: mpsc::Receiver<Vec<ChangeEvent>>,
    config: RelayConfig,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let handed = Arc::new(Mutex::new(handed));
    let publisher = Arc::new(publisher);
    let workers: Vec<_> = (0..config.handoff_workers.max(1))
        .map(|_| {
            tokio::spawn(worker(
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

async fn worker(
    pool: PgPool,
    publisher: Arc<Publisher>,
    handed: Arc<Mutex<mpsc::Receiver<Vec<ChangeEvent>>>>,
    config: RelayConfig,
    shutdown: CancellationToken,
) {
    loop {
        let events = {
            let mut rx = handed.lock().await;
            let first = tokio::select! {
                _ = shutdown.cancelled() => {
                    give_back(&pool, &mut rx).await;
                    return;
                }
                events = rx.recv() => events,
            };
            let Some(mut events) = first else { return };
            while events.len() < config.batch as usize
                && let Ok(more) = rx.try_recv()
            {
                events.extend(more);
            }
            events
        };
        let ids: Vec<Uuid> = events.iter().map(|e| e.event_id).collect();
        let envelopes = events.into_iter().map(Envelope::ChangeV1).collect();
        let confirmed = match publish(&publisher, &config, envelopes).await {
            Ok(confirmed) => confirmed,
            Err(e) => {
                let error = anyhow::Error::new(e);
                tracing::warn!(error = %format!("{error:#}"), rows = ids.len(), "handed-off rows not published; the sweeper takes them");
                Vec::new()
            }
        };
        if let Err(e) = settle(&pool, &ids, &confirmed).await {
            // The rows stay in the outbox, handed off: a sweeper takes them after the grace.
            tracing::warn!(error = %e, rows = ids.len(), "handed-off rows not settled");
        }
    }
}

/// At shutdown: events still in the hand-off go back to the sweepers at once, rather than
/// after the grace period.
async fn give_back(pool: &PgPool, rx: &mut mpsc::Receiver<Vec<ChangeEvent>>) {
    rx.close();
    let mut ids = Vec::new();
    while let Ok(events) = rx.try_recv() {
        ids.extend(events.iter().map(|e| e.event_id));
    }
    if !ids.is_empty()
        && let Err(e) = inbox::release(pool, &ids).await
    {
        tracing::warn!(error = %e, rows = ids.len(), "handed-off rows not given back; a sweeper takes them after the grace period");
    }
}

/// Takes the confirmed rows off the outbox and gives the others back to the sweepers.
async fn settle(pool: &PgPool, ids: &[Uuid], confirmed: &[Uuid]) -> Result<(), sqlx::Error> {
    if !confirmed.is_empty() {
        inbox::mark_published(pool, confirmed).await?;
    }
    if confirmed.len() < ids.len() {
        let settled: HashSet<Uuid> = confirmed.iter().copied().collect();
        let left: Vec<Uuid> = ids
            .iter()
            .copied()
            .filter(|id| !settled.contains(id))
            .collect();
        inbox::release(pool, &left).await?;
    }
    Ok(())
}
