//! The exchanges and queues of one installation, declared idempotently.
//!
//! Work queues are quorum queues that dead-letter (at least once) to the dead exchange once
//! a message has been returned more than the delivery limit. Retry tiers are quorum queues
//! whose TTL dead-letters a message back to the events exchange with its original routing
//! key; they sit behind a headers exchange so the routing key survives the detour.

use bridge_domain::Route;
use bridge_domain::routing::{HEADER_RETRY_TIER, Names, RetryTier};
use lapin::options::{
    ExchangeDeclareOptions, ExchangeDeleteOptions, QueueBindOptions, QueueDeclareOptions,
    QueueDeleteOptions,
};
use lapin::types::{AMQPValue, FieldTable, LongString};
use lapin::{Channel, Connection, ExchangeKind};
use std::time::Duration;

/// The dead-letter queue's delivery limit: out of reach of the archiver, which holds a letter
/// while Postgres is down and returns one it cannot store at most once a minute.
pub const DEAD_LETTER_DELIVERY_LIMIT: i64 = i32::MAX as i64;

/// What to declare: the names, the delivery limit and the wait of each retry tier.
#[derive(Debug, Clone)]
pub struct Topology {
    pub names: Names,
    pub delivery_limit: u32,
    pub retry_delays: [Duration; 5],
}

/// One queue with its arguments, for declaring and for printing.
#[derive(Debug, Clone)]
pub struct QueueSpec {
    pub name: String,
    pub arguments: Vec<(&'static str, ArgValue)>,
    /// (exchange, routing key or empty, binding arguments)
    pub binding: (String, String, Vec<(&'static str, ArgValue)>),
}

/// A queue or binding argument value.
#[derive(Debug, Clone, PartialEq)]
pub enum ArgValue {
    Text(String),
    Number(i64),
}

impl Topology {
    pub fn new(names: Names, delivery_limit: u32, retry_delays: [Duration; 5]) -> Self {
        Topology {
            names,
            delivery_limit,
            retry_delays,
        }
    }

    /// The topology of a [`crate::Config`].
    pub fn from_config(config: &crate::Config) -> Self {
        Topology::new(
            Names::new(config.broker_prefix.clone()),
            config.delivery_limit,
            config.retry_delays,
        )
    }

    /// The wait of one tier.
    pub fn delay(&self, tier: RetryTier) -> Duration {
        let index = RetryTier::ALL.iter().position(|t| *t == tier).unwrap_or(0);
        self.retry_delays[index]
    }

    /// Every queue, in declaration order: work queues, retry tiers, dead letters.
    pub fn queues(&self) -> Vec<QueueSpec> {
        let n = &self.names;
        let mut queues: Vec<QueueSpec> = Route::all()
            .map(|route| QueueSpec {
                name: n.work_queue(route),
                arguments: vec![
                    ("x-queue-type", text("quorum")),
                    (
                        "x-delivery-limit",
                        ArgValue::Number(self.delivery_limit.into()),
                    ),
                    ("x-dead-letter-exchange", text(&n.dead_exchange())),
                    ("x-dead-letter-strategy", text("at-least-once")),
                    ("x-overflow", text("reject-publish")),
                ],
                binding: (n.events_exchange(), route.routing_key(), vec![]),
            })
            .collect();
        for tier in RetryTier::ALL {
            let ttl = i64::try_from(self.delay(tier).as_millis()).unwrap_or(i64::MAX);
            queues.push(QueueSpec {
                name: n.retry_queue(tier),
                arguments: vec![
                    ("x-queue-type", text("quorum")),
                    ("x-message-ttl", ArgValue::Number(ttl)),
                    // No dead-letter routing key: the message keeps the one it came with.
                    ("x-dead-letter-exchange", text(&n.events_exchange())),
                    ("x-dead-letter-strategy", text("at-least-once")),
                    ("x-overflow", text("reject-publish")),
                ],
                binding: (
                    n.retry_exchange(),
                    String::new(),
                    vec![
                        ("x-match", text("all")),
                        (HEADER_RETRY_TIER, text(tier.name())),
                    ],
                ),
            });
        }
        queues.push(QueueSpec {
            name: n.dead_letter_queue(),
            arguments: vec![
                ("x-queue-type", text("quorum")),
                // RabbitMQ 4.x gives quorum queues a delivery limit of 20 and drops a message
                // past it when no dead-letter exchange is set; this queue is the last stop, so
                // its limit is set out of reach (3.10 refuses -1, "unlimited" on 4.x).
                (
                    "x-delivery-limit",
                    ArgValue::Number(DEAD_LETTER_DELIVERY_LIMIT),
                ),
                // Full (under an operator's length policy): refuse new letters, which then
                // stay in their work queue or with their publisher, instead of dropping old ones.
                ("x-overflow", text("reject-publish")),
            ],
            binding: (n.dead_exchange(), String::new(), vec![]),
        });
        queues
    }

    /// The exchanges and their kinds.
    /// Every exchange of the topology with its kind (see [`exchange_kind_word`] to print it).
    pub fn exchanges(&self) -> Vec<(String, ExchangeKind)> {
        let n = &self.names;
        vec![
            (n.events_exchange(), ExchangeKind::Topic),
            (n.retry_exchange(), ExchangeKind::Headers),
            (n.dead_exchange(), ExchangeKind::Fanout),
        ]
    }

    /// Declares everything. Idempotent; fails if a queue exists with other arguments (for
    /// example after a change of the delivery limit), naming the queue.
    pub async fn declare(&self, connection: &Connection) -> anyhow::Result<()> {
        use anyhow::Context as _;
        let channel = connection
            .create_channel()
            .await
            .context("opening a channel to declare the topology")?;
        let channel = self.declare_on(connection, channel).await?;
        // Best effort: the channel was only for declaring. (Only a live one: closing a channel
        // the broker already closed makes it close the whole connection.)
        let _ = channel.close(200, "topology declared".into()).await;
        Ok(())
    }

    /// Declares everything on `channel`; returns the channel still open at the end (another
    /// one when replacing the dead-letter queue cost the first).
    async fn declare_on(
        &self,
        connection: &Connection,
        channel: Channel,
    ) -> anyhow::Result<Channel> {
        use anyhow::Context as _;
        let durable = ExchangeDeclareOptions {
            durable: true,
            ..Default::default()
        };
        for (name, kind) in self.exchanges() {
            channel
                .exchange_declare(name.as_str().into(), kind, durable, FieldTable::default())
                .await
                .with_context(|| format!("declaring exchange {name}"))?;
        }
        let queue_opts = QueueDeclareOptions {
            durable: true,
            ..Default::default()
        };
        let dead_letters = self.names.dead_letter_queue();
        let mut channel = channel;
        for q in self.queues() {
            let declared = channel
                .queue_declare(q.name.as_str().into(), queue_opts, table(&q.arguments))
                .await;
            if declared.is_err() && q.name == dead_letters {
                // An older version declared it without the arguments that keep every letter;
                // the failed declaration closed the channel.
                channel = migrate_dead_letters(connection, &q, queue_opts).await?;
            } else {
                declared.with_context(|| {
                    format!(
                        "declaring queue {} (if it exists with other arguments, delete it or \
                         keep the old settings)",
                        q.name
                    )
                })?;
            }
            let (exchange, key, args) = &q.binding;
            channel
                .queue_bind(
                    q.name.as_str().into(),
                    exchange.as_str().into(),
                    key.as_str().into(),
                    QueueBindOptions::default(),
                    table(args),
                )
                .await
                .with_context(|| format!("binding queue {} to {exchange}", q.name))?;
        }
        Ok(channel)
    }

    /// Deletes every queue and exchange of this prefix (used by tests to clean up).
    pub async fn delete(&self, channel: &Channel) -> anyhow::Result<()> {
        for q in self.queues() {
            channel
                .queue_delete(q.name.as_str().into(), QueueDeleteOptions::default())
                .await?;
        }
        for (name, _) in self.exchanges() {
            channel
                .exchange_delete(name.as_str().into(), ExchangeDeleteOptions::default())
                .await?;
        }
        Ok(())
    }
}

fn text(s: &str) -> ArgValue {
    ArgValue::Text(s.to_owned())
}

fn table(args: &[(&'static str, ArgValue)]) -> FieldTable {
    let mut t = FieldTable::default();
    for (k, v) in args {
        let value = match v {
            ArgValue::Text(s) => AMQPValue::LongString(LongString::from(s.as_str())),
            ArgValue::Number(n) => AMQPValue::LongLongInt(*n),
        };
        t.insert((*k).into(), value);
    }
    t
}

impl std::fmt::Display for ArgValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ArgValue::Text(s) => f.write_str(s),
            ArgValue::Number(n) => write!(f, "{n}"),
        }
    }
}

/// Replaces a dead-letter queue an older version declared with other arguments, when it is
/// empty (the archiver empties it as letters arrive): deleted if empty, declared again. One
/// that still holds letters is left as it is and named, so no letter is ever dropped.
async fn migrate_dead_letters(
    connection: &Connection,
    q: &QueueSpec,
    options: QueueDeclareOptions,
) -> anyhow::Result<Channel> {
    use anyhow::Context as _;
    let channel = connection
        .create_channel()
        .await
        .context("opening a channel to replace the dead-letter queue")?;
    let passive = QueueDeclareOptions {
        passive: true,
        ..options
    };
    let old = channel
        .queue_declare(q.name.as_str().into(), passive, FieldTable::default())
        .await
        .with_context(|| format!("reading queue {}", q.name))?;
    let (held, readers) = (old.message_count(), old.consumer_count());
    if held > 0 || readers > 0 {
        anyhow::bail!(
            "the dead-letter queue {} was declared by an older version and still holds {held} \
             letter(s) with {readers} archiver(s) reading it, so it was left as it is; stop every \
             bridge process of the older version once the queue is empty, then start this one",
            q.name
        );
    }
    // Empty and unread: nothing of the older version writes to it any more. (Quorum queues
    // refuse a delete "if empty", hence the check above.)
    channel
        .queue_delete(q.name.as_str().into(), QueueDeleteOptions::default())
        .await
        .with_context(|| format!("deleting the older queue {}", q.name))?;
    let channel = connection
        .create_channel()
        .await
        .context("opening a channel to declare the dead-letter queue")?;
    channel
        .queue_declare(q.name.as_str().into(), options, table(&q.arguments))
        .await
        .with_context(|| format!("declaring queue {} again", q.name))?;
    tracing::info!(queue = %q.name, "replaced the empty dead-letter queue of an older version");
    Ok(channel)
}

/// An exchange kind as RabbitMQ names it (`topic`, `headers`, …), for people to read.
pub fn exchange_kind_word(kind: &ExchangeKind) -> &'static str {
    match kind {
        ExchangeKind::Direct => "direct",
        ExchangeKind::Fanout => "fanout",
        ExchangeKind::Headers => "headers",
        ExchangeKind::Topic => "topic",
        _ => "custom",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_has_a_quorum_work_queue_that_dead_letters() {
        let t = Topology::new(Names::new("p"), 7, [Duration::from_secs(1); 5]);
        let queues = t.queues();
        let work: Vec<_> = queues
            .iter()
            .filter(|q| q.name.starts_with("p.q."))
            .collect();
        assert_eq!(work.len(), Route::all().count());
        for q in work {
            assert!(
                q.arguments
                    .contains(&("x-delivery-limit", ArgValue::Number(7)))
            );
            assert!(
                q.arguments
                    .contains(&("x-dead-letter-exchange", text("p.dead")))
            );
            assert!(
                q.arguments
                    .contains(&("x-dead-letter-strategy", text("at-least-once")))
            );
        }
        let tiers: Vec<_> = queues
            .iter()
            .filter(|q| q.name.starts_with("p.retry."))
            .collect();
        assert_eq!(tiers.len(), 5);
        assert!(
            tiers[0]
                .arguments
                .contains(&("x-message-ttl", ArgValue::Number(1000)))
        );
        assert!(queues.iter().any(|q| q.name == "p.dead-letters"));
    }

    #[test]
    fn the_dead_letter_queue_never_drops_a_letter() {
        let t = Topology::new(Names::new("p"), 7, [Duration::from_secs(1); 5]);
        let queues = t.queues();
        let dead = queues.iter().find(|q| q.name == "p.dead-letters").unwrap();
        let expected = [
            ("x-queue-type", text("quorum")),
            ("x-delivery-limit", ArgValue::Number(i64::from(i32::MAX))),
            ("x-overflow", text("reject-publish")),
        ];
        for argument in expected {
            assert!(dead.arguments.contains(&argument), "{argument:?}");
        }
        // No dead-letter exchange of its own: nothing leaves this queue but an ack.
        assert!(
            !dead
                .arguments
                .iter()
                .any(|(k, _)| k.starts_with("x-dead-letter"))
        );
    }
}
