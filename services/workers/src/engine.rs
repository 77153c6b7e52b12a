//! The consumer loop of every route, and the one place where outcomes become ack, retry tier
//! or dead letter.

use crate::outcome::Outcome;
use crate::store::{self, Settle};
use crate::wake;
use bridge_domain::{ChangeEvent, Envelope, Route};
use bridge_platform::amqp::{Broker, Incoming, Publisher, Subscription};
use chrono::Utc;
use futures::future::BoxFuture;
use sqlx::PgPool;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

mod outage;
pub(crate) use outage::through_outage;

/// Applies one route's messages to the target system.
pub trait Handler: Send + Sync + 'static {
    /// The queue this handler consumes.
    fn route(&self) -> Route;
    /// Reloads the record named by `event`, checks its dependencies, writes it, and says how
    /// that went. Never panics on bad data: that is an [`Outcome::Dead`].
    fn handle<'a>(&'a self, ctx: &'a Context, event: &'a ChangeEvent) -> BoxFuture<'a, Outcome>;
}

/// What handlers share.
#[derive(Clone)]
pub struct Context {
    pub pool: PgPool,
}

/// Tuning of the engine.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Unacknowledged messages a consumer holds.
    pub prefetch: u16,
    /// Messages of one queue handled at once.
    pub concurrency: usize,
    /// After this many tries a waiting or failing message is dead-lettered.
    pub max_attempts: u32,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            prefetch: 32,
            concurrency: 8,
            // 5 s, 30 s, 2 min, 10 min, then hourly: about 8 hours of waiting in all.
            max_attempts: 12,
        }
    }
}

/// Consumes every handler's queue until `shutdown`; messages in flight finish first.
pub async fn run(
    pool: PgPool,
    broker: Broker,
    handlers: Vec<Arc<dyn Handler>>,
    config: EngineConfig,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let publisher = Arc::new(Publisher::new(broker.clone()));
    let ctx = Context { pool };
    let tracker = TaskTracker::new();
    for handler in handlers {
        let route = handler.route();
        let queue = broker.topology().names.work_queue(route);
        let subscription = Subscription::new(broker.clone(), queue, config.prefetch);
        tracker.spawn(consume(
            subscription,
            handler,
            ctx.clone(),
            publisher.clone(),
            config.clone(),
            tracker.clone(),
        ));
        tracing::info!(route = %route, "worker consuming");
    }
    tracker.close();
    shutdown.cancelled().await;
    tracker.wait().await;
    Ok(())
}

async fn consume(
    mut subscription: Subscription,
    handler: Arc<dyn Handler>,
    ctx: Context,
    publisher: Arc<Publisher>,
    config: EngineConfig,
    tracker: TaskTracker,
) {
    let permits = Arc::new(Semaphore::new(config.concurrency.max(1)));
    while let Some(incoming) = subscription.next().await {
        let Ok(permit) = permits.clone().acquire_owned().await else {
            break;
        };
        let (handler, ctx, publisher, config) = (
            handler.clone(),
            ctx.clone(),
            publisher.clone(),
            config.clone(),
        );
        tracker.spawn(async move {
            process(incoming, handler.as_ref(), &ctx, &publisher, &config).await;
            drop(permit);
        });
    }
}

async fn process(
    incoming: Incoming,
    handler: &dyn Handler,
    ctx: &Context,
    publisher: &Publisher,
    config: &EngineConfig,
) {
    let event = match Envelope::from_bytes(incoming.body()) {
        Ok(Envelope::ChangeV1(event)) => event,
        Err(e) => {
            let reason = format!("unreadable message: {e}");
            tracing::error!(queue = incoming.queue(), %reason);
            if let Err(e) = incoming.dead_letter(publisher, &reason).await {
                tracing::warn!(error = %e, "could not dead-letter an unreadable message");
            }
            return;
        }
    };
    let started_at = Utc::now();
    let clock = Instant::now();
    // Held until the delivery is settled: one delivery of a record at a time (lease.rs).
    let mut _lease = None;
    let shutdown = publisher.broker().shutdown();
    let (pool, ev) = (&ctx.pool, &event);
    let settings = through_outage("reading the connection settings", shutdown, move || {
        switched_off(pool, ev)
    });
    let Some(settings) = settings.await else {
        return; // Stopping before any work: the broker delivers the message again.
    };
    let outcome = match settings {
        Ok(Some(reason)) => Outcome::Skipped {
            reason,
            description: None,
        },
        Ok(None) => match crate::lease::take(&ctx.pool, &event).await {
            Err(busy) => Outcome::Retry(busy.to_string()),
            Ok(lease) => {
                _lease = Some(lease);
                if let Err(e) = store::mark_running(&ctx.pool, &event).await {
                    // Only the status a user sees lags; the outcome is still recorded below.
                    tracing::debug!(kind = %event.kind, record = %event.record, error = %e, "could not mark the item running");
                }
                handler.handle(ctx, &event).await
            }
        },
        Err(e) => Outcome::Retry(format!("reading the connection settings: {e}")),
    };
    let took = clock.elapsed();
    let settle = decide(&outcome, incoming.attempt(), config.max_attempts);
    let (o, s) = (&outcome, &settle);
    let recorded = through_outage("recording the outcome", shutdown, move || {
        store::record(pool, ev, o, s, started_at, took)
    });
    let recorded = match recorded.await {
        // Stopping with the outcome unrecorded: the broker delivers the message again.
        None => return,
        Some(Ok(r)) => r,
        Some(Err(e)) => {
            // Nothing may be acked that is not recorded: give the message back.
            tracing::warn!(kind = %event.kind, record = %event.record, error = %e, "cannot record the outcome; returning the message");
            tokio::time::sleep(Duration::from_millis(500)).await;
            let _ = incoming.reject().await;
            return;
        }
    };
    log(&event, &outcome, &settle);
    let settled = match &settle {
        Settle::Ack => incoming.ack().await.map_err(|e| e.to_string()),
        Settle::Retry => incoming
            .retry(publisher)
            .await
            .map(drop)
            .map_err(|e| e.to_string()),
        Settle::DeadLetter(reason) => incoming
            .dead_letter(publisher, reason)
            .await
            .map_err(|e| e.to_string()),
    };
    if let Err(e) = settled {
        tracing::warn!(kind = %event.kind, record = %event.record, error = %e, "could not settle the message; the broker will deliver it again");
    }
    for key in recorded.new_links {
        if let Err(e) = wake::wake(&ctx.pool, publisher, event.connection_id, &key).await {
            tracing::warn!(key, error = %format!("{e:#}"), "could not wake waiting items; the retry tiers will");
        }
    }
}

/// Why the connection does not sync this message's kind now, if it does not: the connection is
/// disabled, or the kind and direction are turned off in its settings
/// (`settings.entities["<kind>.<direction>"] = false`).
async fn switched_off(pool: &PgPool, event: &ChangeEvent) -> Result<Option<String>, sqlx::Error> {
    let route = event.route().to_string();
    let row: Option<(bool, Option<bool>)> = sqlx::query_as(
        "SELECT enabled, (settings -> 'entities' ->> $2)::boolean FROM connections WHERE id = $1",
    )
    .bind(event.connection_id)
    .bind(&route)
    .fetch_optional(pool)
    .await?;
    let (kind, direction) = (event.kind, event.direction);
    Ok(match row {
        None => Some(format!(
            "connection {} no longer exists",
            event.connection_id
        )),
        Some((false, _)) => Some("the connection is disabled; nothing is synchronized".into()),
        Some((true, Some(false))) => Some(format!(
            "synchronization of {kind} {} is turned off for this connection",
            match direction {
                bridge_domain::Direction::ToProcore => "from maestro* to Procore",
                bridge_domain::Direction::ToMaestro => "from Procore to maestro*",
            }
        )),
        Some(_) => None,
    })
}

/// The one mapping from outcome to what happens to the message.
pub(crate) fn decide(outcome: &Outcome, attempt: u32, max_attempts: u32) -> Settle {
    let last_try = attempt + 1 >= max_attempts;
    match outcome {
        Outcome::Synced { .. } | Outcome::Skipped { .. } => Settle::Ack,
        Outcome::Dead(reason) => Settle::DeadLetter(reason.clone()),
        Outcome::Wait(dep) if last_try => Settle::DeadLetter(format!(
            "gave up after {} attempts: {}",
            attempt + 1,
            dep.description
        )),
        Outcome::Retry(why) | Outcome::ApiLimit(why) | Outcome::Fail(why) if last_try => {
            Settle::DeadLetter(format!("gave up after {} attempts: {why}", attempt + 1))
        }
        Outcome::Wait(_) | Outcome::Retry(_) | Outcome::ApiLimit(_) | Outcome::Fail(_) => {
            Settle::Retry
        }
    }
}

fn log(event: &ChangeEvent, outcome: &Outcome, settle: &Settle) {
    let (kind, record, connection) = (event.kind, &event.record, event.connection_id);
    match (outcome, settle) {
        (_, Settle::DeadLetter(reason)) => {
            tracing::warn!(connection, kind = %kind, record = %record, %reason, "dead-lettered");
        }
        (Outcome::Synced { .. }, _) => {
            tracing::info!(connection, kind = %kind, record = %record, "synced {kind} {record}");
        }
        (Outcome::Skipped { reason, .. }, _) => {
            tracing::info!(connection, kind = %kind, record = %record, %reason, "skipped");
        }
        (Outcome::Wait(dep), _) => {
            tracing::info!(connection, kind = %kind, record = %record, waiting_on = %dep.key(), "waiting");
        }
        (Outcome::ApiLimit(why), _) => {
            tracing::info!(connection, kind = %kind, record = %record, reason = %why, "waiting for API limit");
        }
        (Outcome::Retry(why) | Outcome::Fail(why) | Outcome::Dead(why), _) => {
            tracing::warn!(connection, kind = %kind, record = %record, reason = %why, "will retry");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::Dependency;
    use bridge_domain::EntityKind;

    #[test]
    fn outcomes_map_to_ack_retry_or_dead_letter() {
        let wait = Outcome::Wait(Dependency {
            kind: EntityKind::Supplier,
            maestro_key: "S-1".into(),
            description: "supplier S-1 is not linked to Procore".into(),
        });
        assert_eq!(decide(&wait, 0, 3), Settle::Retry);
        assert_eq!(decide(&wait, 1, 3), Settle::Retry);
        let Settle::DeadLetter(reason) = decide(&wait, 2, 3) else {
            panic!("the last attempt must dead-letter");
        };
        assert!(reason.contains("supplier S-1 is not linked"), "{reason}");
        assert_eq!(decide(&Outcome::Retry("503".into()), 0, 3), Settle::Retry);
        assert_eq!(
            decide(&Outcome::Dead("refused".into()), 0, 3),
            Settle::DeadLetter("refused".into())
        );
        let skipped = Outcome::Skipped {
            reason: "changed after synchronization".into(),
            description: None,
        };
        assert_eq!(decide(&skipped, 9, 3), Settle::Ack);
    }
}
