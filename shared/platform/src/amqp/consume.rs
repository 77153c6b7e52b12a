//! Consuming with manual acks: every delivery ends in exactly one of [`Incoming::ack`],
//! [`Incoming::retry`], [`Incoming::reject`] or [`Incoming::dead_letter`].
//!
//! A [`Subscription`] survives broker restarts: when its channel dies it subscribes again on
//! the supervisor's new connection. Messages that were in flight on the dead channel are
//! returned to the queue by the broker and delivered again, so nothing is lost; handlers must
//! be idempotent, which the workers are.

use crate::amqp::headers::{self, HeaderValue};
use crate::amqp::publish::{Outgoing, PublishError, Publisher};
use crate::amqp::{Broker, BrokerError};
use bridge_domain::routing::{
    HEADER_ATTEMPT, HEADER_DEAD_REASON, HEADER_DELIVERY_COUNT, HEADER_ORIGIN_QUEUE,
    HEADER_ORIGIN_ROUTING_KEY, HEADER_RETRY_TIER, RetryTier,
};
use futures::StreamExt as _;
use lapin::message::Delivery;
use lapin::options::{
    BasicAckOptions, BasicCancelOptions, BasicConsumeOptions, BasicQosOptions, BasicRejectOptions,
};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{Channel, Consumer};
use std::time::Duration;
use tokio_util::task::task_tracker::TaskTrackerToken;

/// A consumer on one queue that resubscribes by itself.
pub struct Subscription {
    broker: Broker,
    queue: String,
    prefetch: u16,
    active: Option<(Channel, Consumer)>,
    connecting: Option<tokio::task::JoinHandle<Result<(Channel, Consumer), BrokerError>>>,
}

/// One delivery, with the helpers that settle it.
pub struct Incoming {
    delivery: Delivery,
    queue: String,
    /// Keeps the connection open at shutdown until this delivery is settled.
    _in_flight: TaskTrackerToken,
    /// Keeps the channel open: lapin closes a channel when its last handle goes, and a
    /// delivery can only be settled on the channel it came on.
    _channel: Channel,
}

impl Subscription {
    pub fn new(broker: Broker, queue: impl Into<String>, prefetch: u16) -> Self {
        Subscription {
            broker,
            queue: queue.into(),
            prefetch,
            active: None,
            connecting: None,
        }
    }

    pub fn queue(&self) -> &str {
        &self.queue
    }

    /// The next delivery; `None` once the process is shutting down, after cancelling the
    /// consumer so the broker sends no more. Deliveries already handed out can still be
    /// settled: the connection stays open until they are (see [`Broker::shutdown`]). Messages
    /// buffered but not handed out go back to the queue when the connection closes.
    ///
    /// Cancel-safe: subscribing runs in a task of its own, so a caller that stops waiting
    /// (a `select!` that took another branch) never leaves a half-made consumer holding
    /// messages.
    pub async fn next(&mut self) -> Option<Incoming> {
        let shutdown = self.broker.shutdown().clone();
        loop {
            if self.active.is_none() {
                let broker = self.broker.clone();
                let (queue, prefetch) = (self.queue.clone(), self.prefetch);
                let task = self
                    .connecting
                    .get_or_insert_with(|| tokio::spawn(subscribe(broker, queue, prefetch)));
                let joined = tokio::select! {
                    biased;
                    _ = shutdown.cancelled() => return self.stop().await,
                    joined = task => joined,
                };
                self.connecting = None;
                match joined {
                    Ok(Ok(active)) => self.active = Some(active),
                    Ok(Err(BrokerError::ShuttingDown)) => return None,
                    Ok(Err(e)) => {
                        tracing::warn!(queue = %self.queue, error = %e, "cannot subscribe yet");
                        tokio::select! {
                            _ = shutdown.cancelled() => return None,
                            _ = tokio::time::sleep(Duration::from_millis(500)) => continue,
                        }
                    }
                    Err(e) => {
                        tracing::error!(queue = %self.queue, error = %e, "subscribing panicked");
                        continue;
                    }
                }
            }
            let (_, consumer) = self.active.as_mut()?;
            let next = tokio::select! {
                biased;
                _ = shutdown.cancelled() => return self.stop().await,
                next = consumer.next() => next,
            };
            match next {
                Some(Ok(_))
                    if !self
                        .active
                        .as_ref()
                        .is_some_and(|(c, _)| c.status().connected()) =>
                {
                    // Buffered before the channel died: it cannot be acked any more, and the
                    // broker delivers it again on the next subscription.
                    self.active = None;
                }
                Some(Ok(delivery)) => {
                    let channel = self.active.as_ref().map(|(c, _)| c.clone())?;
                    return Some(Incoming {
                        delivery,
                        queue: self.queue.clone(),
                        _in_flight: self.broker.hold(),
                        _channel: channel,
                    });
                }
                Some(Err(e)) => {
                    tracing::warn!(queue = %self.queue, error = %e, "consumer failed; resubscribing");
                    self.active = None;
                }
                None => {
                    tracing::info!(queue = %self.queue, "consumer closed; resubscribing");
                    self.active = None;
                }
            }
        }
    }
}

impl Subscription {
    /// Cancels the consumer (best effort, briefly) so the broker stops sending while the
    /// deliveries in flight finish; always `None`, for `next` to return.
    async fn stop(&mut self) -> Option<Incoming> {
        if let Some(task) = self.connecting.take() {
            task.abort();
        }
        if let Some((channel, consumer)) = self.active.take()
            && channel.status().connected()
        {
            let cancel = channel.basic_cancel(consumer.tag(), BasicCancelOptions::default());
            if let Err(e) = tokio::time::timeout(Duration::from_secs(1), cancel)
                .await
                .unwrap_or(Ok(()))
            {
                tracing::debug!(queue = %self.queue, error = %e, "could not cancel the consumer");
            }
        }
        None
    }
}

async fn subscribe(
    broker: Broker,
    queue: String,
    prefetch: u16,
) -> Result<(Channel, Consumer), BrokerError> {
    let conn = broker.connection().await?;
    let unreachable = |source| BrokerError::Unreachable {
        address: format!("queue {queue}"),
        source,
    };
    let channel = conn.create_channel().await.map_err(unreachable)?;
    channel
        .basic_qos(prefetch, BasicQosOptions::default())
        .await
        .map_err(unreachable)?;
    let consumer = channel
        .basic_consume(
            queue.as_str().into(),
            "".into(),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await
        .map_err(unreachable)?;
    tracing::debug!(queue = %queue, "subscribed");
    Ok((channel, consumer))
}

impl Incoming {
    pub fn body(&self) -> &[u8] {
        &self.delivery.data
    }

    pub fn routing_key(&self) -> &str {
        self.delivery.routing_key.as_str()
    }

    pub fn queue(&self) -> &str {
        &self.queue
    }

    pub fn message_id(&self) -> Option<&str> {
        self.delivery
            .properties
            .message_id()
            .as_ref()
            .map(|s| s.as_str())
    }

    pub fn headers(&self) -> Option<&FieldTable> {
        self.delivery.properties.headers().as_ref()
    }

    /// How many retry tiers this message has been through (0 on its first delivery).
    pub fn attempt(&self) -> u32 {
        headers::int(self.headers(), HEADER_ATTEMPT)
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(0)
    }

    /// How many times the broker has redelivered it after a reject or a lost consumer.
    pub fn delivery_count(&self) -> u32 {
        headers::int(self.headers(), HEADER_DELIVERY_COUNT)
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(0)
    }

    pub fn headers_json(&self) -> serde_json::Value {
        headers::to_json(self.headers())
    }

    /// Done: the broker forgets the message.
    pub async fn ack(self) -> Result<(), lapin::Error> {
        self.delivery
            .ack(BasicAckOptions::default())
            .await
            .map(drop)
    }

    /// Returns the message to its queue now; counts against the queue's delivery limit, past
    /// which the broker dead-letters it.
    pub async fn reject(self) -> Result<(), lapin::Error> {
        self.delivery
            .reject(BasicRejectOptions { requeue: true })
            .await
            .map(drop)
    }

    /// Sends the message through the retry tier its attempt count calls for, then acks it.
    /// It comes back to this queue after the tier's delay with the attempt count raised.
    pub async fn retry(self, publisher: &Publisher) -> Result<RetryTier, SettleError> {
        let attempt = self.attempt() + 1;
        let tier = RetryTier::for_attempt(attempt);
        let mut headers = self.copied_headers(&[HEADER_ATTEMPT, HEADER_RETRY_TIER]);
        headers.push((HEADER_ATTEMPT.into(), HeaderValue::Int(attempt.into())));
        headers.push((
            HEADER_RETRY_TIER.into(),
            HeaderValue::Text(tier.name().into()),
        ));
        let retry_exchange = publisher_names(publisher).retry_exchange();
        publisher
            .publish(Outgoing {
                exchange: retry_exchange,
                routing_key: self.routing_key().to_owned(),
                body: self.body().to_vec(),
                headers,
                message_id: self.message_id().map(str::to_owned),
            })
            .await?;
        self.ack().await?;
        Ok(tier)
    }

    /// Moves the message to the dead-letter queue with `reason`, then acks it.
    pub async fn dead_letter(self, publisher: &Publisher, reason: &str) -> Result<(), SettleError> {
        let mut headers = self.copied_headers(&[
            HEADER_DEAD_REASON,
            HEADER_ORIGIN_QUEUE,
            HEADER_ORIGIN_ROUTING_KEY,
            HEADER_RETRY_TIER,
        ]);
        headers.push((HEADER_DEAD_REASON.into(), HeaderValue::Text(reason.into())));
        headers.push((
            HEADER_ORIGIN_QUEUE.into(),
            HeaderValue::Text(self.queue.clone()),
        ));
        headers.push((
            HEADER_ORIGIN_ROUTING_KEY.into(),
            HeaderValue::Text(self.routing_key().to_owned()),
        ));
        let dead_exchange = publisher_names(publisher).dead_exchange();
        publisher
            .publish(Outgoing {
                exchange: dead_exchange,
                routing_key: self.routing_key().to_owned(),
                body: self.body().to_vec(),
                headers,
                message_id: self.message_id().map(str::to_owned),
            })
            .await?;
        self.ack().await?;
        Ok(())
    }

    /// The message's own headers, minus those the caller is about to set, and minus the
    /// broker's bookkeeping (which it re-adds itself).
    fn copied_headers(&self, replaced: &[&str]) -> Vec<(String, HeaderValue)> {
        let Some(table) = self.headers() else {
            return Vec::new();
        };
        table
            .inner()
            .iter()
            .filter(|(k, _)| !replaced.contains(&k.as_str()) && !k.as_str().starts_with("x-death"))
            .filter(|(k, _)| k.as_str() != HEADER_DELIVERY_COUNT)
            .filter_map(|(k, v)| {
                let value = match v {
                    AMQPValue::LongString(s) => {
                        HeaderValue::Text(String::from_utf8_lossy(s.as_bytes()).into_owned())
                    }
                    AMQPValue::ShortString(s) => HeaderValue::Text(s.as_str().to_owned()),
                    AMQPValue::LongLongInt(n) => HeaderValue::Int(*n),
                    AMQPValue::LongInt(n) => HeaderValue::Int((*n).into()),
                    _ => return None,
                };
                Some((k.as_str().to_owned(), value))
            })
            .collect()
    }
}

fn publisher_names(publisher: &Publisher) -> &bridge_domain::routing::Names {
    &publisher.broker().topology().names
}

/// Why a delivery could not be settled as asked. The message is then left unacked and the
/// broker delivers it again.
#[derive(Debug, thiserror::Error)]
pub enum SettleError {
    #[error(transparent)]
    Publish(#[from] PublishError),
    #[error("acknowledging the delivery failed: {0}")]
    Ack(#[from] lapin::Error),
}
