//! Publishing a batch of messages and learning which the broker confirmed.

use super::{RelayConfig, RelayError};
use crate::amqp::{Outgoing, Publisher};
use bridge_domain::Envelope;
use uuid::Uuid;

/// Publishes `envelopes` and returns the inbox ids (the events' ids) the broker confirmed.
pub(super) async fn publish(
    publisher: &Publisher,
    config: &RelayConfig,
    envelopes: Vec<Envelope>,
) -> Result<Vec<Uuid>, RelayError> {
    let exchange = publisher.broker().topology().names.events_exchange();
    let mut ids = Vec::with_capacity(envelopes.len());
    let messages: Vec<Outgoing> = envelopes
        .into_iter()
        .map(|envelope| {
            let Envelope::ChangeV1(event) = &envelope;
            ids.push(event.event_id);
            Outgoing {
                exchange: exchange.clone(),
                routing_key: envelope.route().routing_key(),
                body: envelope.to_bytes(),
                headers: vec![],
                message_id: Some(event.event_id.to_string()),
            }
        })
        .collect();
    let results = tokio::time::timeout(config.publish_timeout, publisher.publish_all(messages))
        .await
        .map_err(|_| RelayError::ConfirmsLate(config.publish_timeout))?;
    let mut confirmed = Vec::with_capacity(ids.len());
    for (id, result) in ids.into_iter().zip(results) {
        match result {
            Ok(()) => confirmed.push(id),
            Err(e) => tracing::error!(inbox_id = %id, error = %e, "inbox row not published"),
        }
    }
    Ok(confirmed)
}
