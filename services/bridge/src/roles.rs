//! Starting the process roles: each gets the pool, the broker and the shutdown token, and
//! runs on the tracker so `up` can wait for in-flight work before exiting.

use anyhow::Context as _;
use bridge_ingress::{GroupCommit, GroupCommitConfig, Ingress};
use bridge_platform::Config;
use bridge_platform::amqp::{Broker, Publisher};
use bridge_poller::relay::{self, RelayConfig};
use sqlx::PgPool;
use std::future::Future;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// Which roles a process runs.
#[derive(Debug, Clone, Copy)]
pub struct Roles {
    pub ingress: bool,
    pub relay: bool,
}

impl Roles {
    pub const ALL: Roles = Roles {
        ingress: true,
        relay: true,
    };
}

/// Starts the chosen roles. A role that fails cancels the whole process: running half a
/// bridge silently is worse than stopping with a clear error.
pub async fn start(
    roles: Roles,
    config: &Config,
    pool: &PgPool,
    broker: &Broker,
    tracker: &TaskTracker,
    shutdown: &CancellationToken,
) -> anyhow::Result<()> {
    if roles.ingress {
        let listener = tokio::net::TcpListener::bind(config.ingress_addr)
            .await
            .with_context(|| {
                format!(
                    "binding the ingress to {} (BRIDGE_INGRESS_ADDR)",
                    config.ingress_addr
                )
            })?;
        let commit = GroupCommit::start(pool.clone(), GroupCommitConfig::default());
        let ingress = Ingress::new(pool.clone(), commit);
        spawn(
            tracker,
            shutdown,
            "ingress",
            bridge_ingress::run(listener, ingress, shutdown.clone()),
        );
    }
    if roles.relay {
        let publisher = Publisher::new(broker.clone());
        spawn(
            tracker,
            shutdown,
            "relay",
            relay::run(
                pool.clone(),
                publisher,
                RelayConfig::default(),
                shutdown.clone(),
            ),
        );
    }
    Ok(())
}

fn spawn(
    tracker: &TaskTracker,
    shutdown: &CancellationToken,
    name: &'static str,
    role: impl Future<Output = anyhow::Result<()>> + Send + 'static,
) {
    let shutdown = shutdown.clone();
    tracker.spawn(async move {
        if let Err(e) = role.await {
            tracing::error!(role = name, error = %format!("{e:#}"), "role stopped with an error; stopping the process");
            shutdown.cancel();
        }
    });
}
