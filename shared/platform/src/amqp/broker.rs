//! One RabbitMQ connection per process that heals itself.
//!
//! A supervisor task owns the connection: when the broker goes away (restart, `stop_app`,
//! network) it reconnects with a capped backoff, declares the topology again and hands the
//! new connection to everyone waiting. Consumers and publishers never hold on to a dead one.

use crate::amqp::Topology;
use crate::secret::{Secret, url_address};
use futures::StreamExt as _;
use lapin::{Connection, ConnectionProperties};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tokio_util::task::{TaskTracker, task_tracker::TaskTrackerToken};

/// Why the broker could not be used.
#[derive(Debug, thiserror::Error)]
pub enum BrokerError {
    #[error("cannot reach RabbitMQ at {address} (BRIDGE_AMQP_URL): {source}")]
    Unreachable {
        address: String,
        #[source]
        source: lapin::Error,
    },
    #[error("RabbitMQ at {address} did not answer within {seconds} s (BRIDGE_AMQP_URL)")]
    Timeout { address: String, seconds: u64 },
    #[error("declaring the broker topology failed: {0:#}")]
    Topology(anyhow::Error),
    #[error("the process is shutting down")]
    ShuttingDown,
}

/// A handle on the process's broker connection. Cheap to clone.
#[derive(Clone)]
pub struct Broker {
    inner: Arc<Inner>,
}

struct Inner {
    url: Secret<String>,
    topology: Topology,
    current: watch::Sender<Option<Arc<Connection>>>,
    shutdown: CancellationToken,
    /// One token per delivery handed out and not yet settled (see [`Broker::hold`]).
    in_flight: TaskTracker,
}

impl Broker {
    /// Connects, declares the topology and starts the supervisor. The first connection must
    /// succeed within `timeout`: a process that cannot reach its broker at start says so.
    pub async fn connect(
        url: Secret<String>,
        topology: Topology,
        timeout: Duration,
        shutdown: CancellationToken,
    ) -> Result<Broker, BrokerError> {
        let first = open(&url, &topology, timeout).await?;
        let (current, _) = watch::channel(Some(Arc::new(first)));
        let broker = Broker {
            inner: Arc::new(Inner {
                url,
                topology,
                current,
                shutdown,
                in_flight: TaskTracker::new(),
            }),
        };
        tokio::spawn(supervise(broker.clone()));
        Ok(broker)
    }

    /// How long the connection stays open after shutdown for deliveries in flight to be
    /// settled: under the 4 s `bridge up` gives its roles, so their acks go out before it exits.
    pub const DRAIN_BOUND: Duration = Duration::from_millis(3_500);

    /// Counts a delivery as in flight until the token is dropped; at shutdown the connection
    /// closes once none is left, or after [`Broker::DRAIN_BOUND`].
    pub(crate) fn hold(&self) -> TaskTrackerToken {
        self.inner.in_flight.token()
    }

    pub fn topology(&self) -> &Topology {
        &self.inner.topology
    }

    /// The process's stop signal. Consumers stop taking deliveries on it; the connection
    /// itself stays open until the deliveries in flight are settled (at most
    /// [`Broker::DRAIN_BOUND`]), so publishing and acking keep working meanwhile.
    pub fn shutdown(&self) -> &CancellationToken {
        &self.inner.shutdown
    }

    /// The live connection, waiting while the supervisor reconnects.
    pub async fn connection(&self) -> Result<Arc<Connection>, BrokerError> {
        let mut rx = self.inner.current.subscribe();
        loop {
            if let Some(conn) = rx.borrow_and_update().clone()
                && conn.status().connected()
            {
                return Ok(conn);
            }
            tokio::select! {
                _ = self.inner.shutdown.cancelled() => return Err(BrokerError::ShuttingDown),
                changed = rx.changed() => {
                    if changed.is_err() {
                        return Err(BrokerError::ShuttingDown);
                    }
                }
                // The supervisor may not have noticed the loss yet; look again shortly.
                _ = tokio::time::sleep(Duration::from_millis(200)) => {}
            }
        }
    }

    /// Whether a connection is up right now (for health checks).
    pub fn is_connected(&self) -> bool {
        self.inner
            .current
            .borrow()
            .as_ref()
            .is_some_and(|c| c.status().connected())
    }
}

async fn open(
    url: &Secret<String>,
    topology: &Topology,
    timeout: Duration,
) -> Result<Connection, BrokerError> {
    let address = url_address(url.expose());
    let props = ConnectionProperties::default()
        .with_connection_name(format!("bridge:{}", topology.names.prefix()).into());
    let conn = match tokio::time::timeout(timeout, Connection::connect(url.expose(), props)).await {
        Ok(Ok(conn)) => conn,
        Ok(Err(source)) => return Err(BrokerError::Unreachable { address, source }),
        Err(_) => {
            return Err(BrokerError::Timeout {
                address,
                seconds: timeout.as_secs(),
            });
        }
    };
    topology
        .declare(&conn)
        .await
        .map_err(BrokerError::Topology)?;
    Ok(conn)
}

/// Waits until every delivery handed out is settled, or [`Broker::DRAIN_BOUND`] passes: what
/// is still unsettled then goes back to its queue when the connection closes.
async fn drain(inner: &Inner) {
    inner.in_flight.close();
    let left = inner.in_flight.len();
    if tokio::time::timeout(Broker::DRAIN_BOUND, inner.in_flight.wait())
        .await
        .is_err()
    {
        tracing::warn!(
            left = inner.in_flight.len(),
            "deliveries still unsettled after {:?}; they return to their queues",
            Broker::DRAIN_BOUND
        );
    } else if left > 0 {
        tracing::info!(
            settled = left,
            "deliveries in flight settled before closing"
        );
    }
}

/// Watches the connection and replaces it when it dies, until shutdown.
async fn supervise(broker: Broker) {
    let inner = &broker.inner;
    let address = url_address(inner.url.expose());
    loop {
        let Some(conn) = inner.current.borrow().clone() else {
            return;
        };
        let mut events = conn.events_listener();
        let mut tick = tokio::time::interval(Duration::from_millis(500));
        // Wait for the connection to fail: an error event, or a status check for the cases
        // where no event comes (a socket closed under us).
        loop {
            tokio::select! {
                _ = inner.shutdown.cancelled() => {
                    drain(inner).await;
                    let _ = conn.close(200, "shutting down".into()).await;
                    inner.current.send_replace(None);
                    return;
                }
                event = events.next() => {
                    if matches!(event, Some(lapin::Event::Error(_)) | None) {
                        break;
                    }
                }
                _ = tick.tick() => {
                    if !conn.status().connected() {
                        break;
                    }
                }
            }
        }
        tracing::warn!(broker = %address, "lost the RabbitMQ connection; reconnecting");
        inner.current.send_replace(None);
        let mut delay = Duration::from_millis(200);
        loop {
            tokio::select! {
                _ = inner.shutdown.cancelled() => return,
                _ = tokio::time::sleep(delay) => {}
            }
            match open(&inner.url, &inner.topology, Duration::from_secs(10)).await {
                Ok(new) => {
                    tracing::info!(broker = %address, "reconnected to RabbitMQ");
                    inner.current.send_replace(Some(Arc::new(new)));
                    break;
                }
                Err(e) => {
                    tracing::debug!(broker = %address, error = %e, "RabbitMQ not back yet");
                    delay = (delay * 2).min(Duration::from_secs(5));
                }
            }
        }
    }
}
