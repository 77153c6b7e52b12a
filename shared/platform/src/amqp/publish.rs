//! Publishing with confirms and `mandatory`: a message is either stored by the broker, or
//! the caller hears why not. Nothing is dropped silently.

use crate::amqp::headers::HeaderValue;
use crate::amqp::{Broker, BrokerError};
use lapin::Confirmation;
use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Channel};
use tokio::sync::Mutex;

/// One message to publish.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub exchange: String,
    pub routing_key: String,
    pub body: Vec<u8>,
    pub headers: Vec<(String, HeaderValue)>,
    /// Becomes the AMQP `message_id`, so duplicates can be recognised downstream.
    pub message_id: Option<String>,
}

/// Why a publish did not reach a queue.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error(
        "no queue is bound to `{routing_key}` on exchange `{exchange}`; the message was returned"
    )]
    Unroutable {
        exchange: String,
        routing_key: String,
    },
    #[error("the broker refused the message on `{exchange}` (nack; a queue may be full)")]
    Nacked { exchange: String },
    #[error("publishing to `{exchange}` failed: {source}")]
    Channel {
        exchange: String,
        #[source]
        source: lapin::Error,
    },
    #[error(transparent)]
    Broker(#[from] BrokerError),
    #[error("cannot publish to `{exchange}`: {reason}")]
    Unavailable { exchange: String, reason: String },
}

/// A publisher on its own confirm-mode channel, reopened after a broker restart.
pub struct Publisher {
    broker: Broker,
    channel: Mutex<Option<Channel>>,
}

impl Publisher {
    pub fn new(broker: Broker) -> Self {
        Publisher {
            broker,
            channel: Mutex::new(None),
        }
    }

    pub fn broker(&self) -> &Broker {
        &self.broker
    }

    /// Publishes one message and waits for the broker's confirm.
    pub async fn publish(&self, message: Outgoing) -> Result<(), PublishError> {
        self.publish_all(vec![message])
            .await
            .pop()
            .unwrap_or(Ok(()))
    }

    /// Publishes several messages, then waits for all their confirms together, which is
    /// far faster than one round trip each. Results come back in order.
    ///
    /// lapin hands every publish to its I/O thread and resolves it once the frames are
    /// written; awaiting them one by one would cost a thread hand-off per message. Instead
    /// the whole batch is queued first (each publish future queues its frames on its first
    /// poll, in order) and then awaited together, so the I/O thread writes it in a few
    /// system calls.
    pub async fn publish_all(&self, messages: Vec<Outgoing>) -> Vec<Result<(), PublishError>> {
        if messages.is_empty() {
            return Vec::new();
        }
        let mut guard = self.channel.lock().await;
        let channel = match self.usable_channel(&mut guard).await {
            Ok(channel) => channel,
            Err(e) => {
                let reason = e.to_string();
                return messages
                    .iter()
                    .map(|m| {
                        Err(PublishError::Unavailable {
                            exchange: m.exchange.clone(),
                            reason: reason.clone(),
                        })
                    })
                    .collect();
            }
        };
        let sends = messages.iter().map(|message| {
            let mut props = BasicProperties::default()
                .with_delivery_mode(2)
                .with_content_type("application/json".into())
                .with_headers(header_table(&message.headers));
            if let Some(id) = &message.message_id {
                props = props.with_message_id(id.as_str().into());
            }
            channel.basic_publish(
                message.exchange.as_str().into(),
                message.routing_key.as_str().into(),
                BasicPublishOptions {
                    mandatory: true,
                    ..Default::default()
                },
                &message.body,
                props,
            )
        });
        let sent = futures::future::join_all(sends).await;
        if sent.iter().any(Result::is_err) {
            // The channel is likely closed (e.g. an exchange does not exist); the next batch
            // opens a new one.
            *guard = None;
        }
        drop(guard);
        let confirms = sent
            .into_iter()
            .zip(messages)
            .map(|(sent, message)| async move {
                let Outgoing {
                    exchange,
                    routing_key,
                    ..
                } = message;
                match sent {
                    Err(source) => Err(PublishError::Channel { exchange, source }),
                    Ok(confirm) => match confirm.await {
                        Ok(Confirmation::Ack(None)) | Ok(Confirmation::NotRequested) => Ok(()),
                        Ok(Confirmation::Ack(Some(_))) | Ok(Confirmation::Nack(Some(_))) => {
                            Err(PublishError::Unroutable {
                                exchange,
                                routing_key,
                            })
                        }
                        Ok(Confirmation::Nack(None)) => Err(PublishError::Nacked { exchange }),
                        Err(source) => Err(PublishError::Channel { exchange, source }),
                    },
                }
            });
        futures::future::join_all(confirms).await
    }

    async fn usable_channel(&self, slot: &mut Option<Channel>) -> Result<Channel, PublishError> {
        if let Some(channel) = slot.as_ref()
            && channel.status().connected()
        {
            return Ok(channel.clone());
        }
        let conn = self.broker.connection().await?;
        let exchange = String::from("(opening a channel)");
        let channel = conn
            .create_channel()
            .await
            .map_err(|source| PublishError::Channel {
                exchange: exchange.clone(),
                source,
            })?;
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await
            .map_err(|source| PublishError::Channel { exchange, source })?;
        *slot = Some(channel.clone());
        Ok(channel)
    }
}

pub(crate) fn header_table(headers: &[(String, HeaderValue)]) -> FieldTable {
    let mut table = FieldTable::default();
    for (k, v) in headers {
        table.insert(k.as_str().into(), v.into());
    }
    table
}
