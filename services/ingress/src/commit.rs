//! Group commit: concurrent deliveries share one transaction.
//!
//! Each request hands its rows to a queue and waits. A few flusher tasks take turns draining
//! the queue: one takes everything waiting (up to a batch size, lingering briefly for more),
//! writes it in one statement and one commit, and answers every request in the batch, while
//! the next flusher is already collecting. Under load a commit (and its fsync) is shared by
//! hundreds of deliveries; when idle, a request waits at most the linger time.

use bridge_domain::ChangeEvent;
use bridge_platform::inbox::{self, NewEvent};
use bridge_platform::relay::Handoff;
use sqlx::PgPool;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, mpsc, oneshot};

/// Tuning of the group commit.
#[derive(Debug, Clone)]
pub struct GroupCommitConfig {
    /// Most rows in one transaction.
    pub max_batch: usize,
    /// How long a flusher waits for more rows after the first.
    pub linger: Duration,
    /// Flushers working at once (one collects while others commit).
    pub flushers: usize,
}

impl Default for GroupCommitConfig {
    fn default() -> Self {
        GroupCommitConfig {
            max_batch: 1000,
            linger: Duration::from_millis(1),
            flushers: 3,
        }
    }
}

/// Why a submission was not committed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CommitError {
    /// Every flusher is gone (the process is stopping).
    #[error("the inbox writer has stopped")]
    Stopped,
    /// The batch the events shared was not committed; every request of the batch gets the
    /// same error.
    #[error("the inbox batch was not committed")]
    Database(#[source] Arc<sqlx::Error>),
}

struct Job {
    events: Vec<NewEvent>,
    reply: oneshot::Sender<Result<(), CommitError>>,
}

/// The handle requests submit to. Cheap to clone.
#[derive(Clone)]
pub struct GroupCommit {
    queue: mpsc::Sender<Job>,
}

impl GroupCommit {
    /// Starts the flushers; they stop when every handle is dropped. Committed rows wait in
    /// the outbox for a relay (woken by a notification).
    pub fn start(pool: PgPool, config: GroupCommitConfig) -> GroupCommit {
        Self::spawn(pool, config, None)
    }

    /// Like [`GroupCommit::start`], but committed rows go straight to this process's relay.
    pub fn start_handing_off(
        pool: PgPool,
        config: GroupCommitConfig,
        handoff: Handoff,
    ) -> GroupCommit {
        Self::spawn(pool, config, Some(handoff))
    }

    fn spawn(pool: PgPool, config: GroupCommitConfig, handoff: Option<Handoff>) -> GroupCommit {
        let (queue, receiver) = mpsc::channel(config.max_batch * 4);
        let receiver = Arc::new(Mutex::new(receiver));
        for _ in 0..config.flushers.max(1) {
            tokio::spawn(flush_loop(
                pool.clone(),
                receiver.clone(),
                config.clone(),
                handoff.clone(),
            ));
        }
        GroupCommit { queue }
    }

    /// Commits `events` (with whatever else is waiting) and returns once they are durable.
    pub async fn submit(&self, events: Vec<NewEvent>) -> Result<(), CommitError> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Job { events, reply })
            .await
            .map_err(|_| CommitError::Stopped)?;
        answer.await.map_err(|_| CommitError::Stopped)?
    }
}

async fn flush_loop(
    pool: PgPool,
    receiver: Arc<Mutex<mpsc::Receiver<Job>>>,
    config: GroupCommitConfig,
    handoff: Option<Handoff>,
) {
    loop {
        let batch = {
            let mut rx = receiver.lock().await;
            let Some(first) = rx.recv().await else {
                return;
            };
            let mut rows = first.events.len();
            let mut batch = vec![first];
            let deadline = tokio::time::Instant::now() + config.linger;
            while rows < config.max_batch {
                let next = match rx.try_recv() {
                    Ok(job) => Some(job),
                    Err(mpsc::error::TryRecvError::Disconnected) => None,
                    Err(mpsc::error::TryRecvError::Empty) => {
                        tokio::time::timeout_at(deadline, rx.recv())
                            .await
                            .ok()
                            .flatten()
                    }
                };
                let Some(job) = next else { break };
                rows += job.events.len();
                batch.push(job);
            }
            batch
        };
        let (events, replies): (Vec<Vec<NewEvent>>, Vec<_>) =
            batch.into_iter().map(|j| (j.events, j.reply)).unzip();
        let mut events: Vec<NewEvent> = events.into_iter().flatten().collect();
        // Every batch takes its unique-key locks in the same order, and holds each key once:
        // a duplicate delivery that lands in two concurrent batches then makes the second
        // wait for the first's commit, instead of both deadlocking until Postgres's
        // deadlock_timeout (1 s) aborts one of them.
        events
            .sort_by(|a, b| (a.connection_id, &a.dedup_key).cmp(&(b.connection_id, &b.dedup_key)));
        events.dedup_by(|a, b| a.connection_id == b.connection_id && a.dedup_key == b.dedup_key);
        let (answer, committed) = match write(&pool, &events, handoff.is_some()).await {
            Ok(committed) => (Ok(()), committed),
            Err(e) => {
                tracing::warn!(rows = events.len(), error = %e, "inbox batch not committed");
                (Err(CommitError::Database(Arc::new(e))), Vec::new())
            }
        };
        for reply in replies {
            let _ = reply.send(answer.clone());
        }
        if let Some(handoff) = &handoff
            && let Err(e) = handoff.offer(&pool, committed).await
        {
            // Still safe: the rows are in the outbox and a relay takes them after its grace
            // period.
            tracing::warn!(error = %e, "committed rows neither handed off nor given back");
        }
    }
}

/// Commits the rows; returns the messages of the new routed ones when they are to be handed
/// off.
async fn write(
    pool: &PgPool,
    events: &[NewEvent],
    handing_off: bool,
) -> Result<Vec<ChangeEvent>, sqlx::Error> {
    if handing_off {
        // One statement, committed on its own: a single round trip.
        return inbox::insert_handed_off(pool, events).await;
    }
    let mut tx = pool.begin().await?;
    inbox::insert(&mut tx, events).await?;
    tx.commit().await?;
    Ok(Vec::new())
}
