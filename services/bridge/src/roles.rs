//! Starting the process roles: each gets the pool, the broker and the shutdown token, and
//! runs on the tracker so `up` can wait for in-flight work before exiting.

use anyhow::Context as _;
use bridge_ingress::{GroupCommit, GroupCommitConfig, Ingress};
use bridge_maestro::{ClientConfig, HttpMaestro, MaestroApi};
use bridge_platform::Config;
use bridge_platform::amqp::{Broker, Publisher};
use bridge_platform::connections::{MaestroSettings, ProcoreSettings};
use bridge_platform::relay::{self, Handoff, RelayConfig};
use bridge_poller::reconciler;
use bridge_poller::schedule::{self, ClientFactory};
use bridge_procore::Client as ProcoreClient;
use bridge_workers::{EngineConfig, Handler, flows};
use sqlx::PgPool;
use std::future::Future;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// Which roles a process runs.
#[derive(Debug, Clone, Copy)]
pub struct Roles {
    pub ingress: bool,
    pub relay: bool,
    pub maestro_poller: bool,
    pub reconciler: bool,
    /// The sync workers and the dead-letter archiver.
    pub workers: bool,
}

impl Roles {
    pub const ALL: Roles = Roles {
        ingress: true,
        relay: true,
        maestro_poller: true,
        reconciler: true,
        workers: true,
    };
    pub const NONE: Roles = Roles {
        ingress: false,
        relay: false,
        maestro_poller: false,
        reconciler: false,
        workers: false,
    };
}

/// The maestro* client of a connection, from its settings and `BRIDGE_MAESTRO_KEY`.
pub fn maestro_client(
    config: &Config,
    settings: &MaestroSettings,
) -> anyhow::Result<Arc<dyn MaestroApi>> {
    let key = config
        .maestro_key
        .as_ref()
        .context("BRIDGE_MAESTRO_KEY is not set: the maestro* web service needs its key")?;
    let base = url::Url::parse(&settings.maestro_base_url).with_context(|| {
        format!(
            "connection {}: the maestro* URL `{}` is not valid",
            settings.name, settings.maestro_base_url
        )
    })?;
    let client = HttpMaestro::new(ClientConfig::new(
        base,
        key.expose().clone(),
        &settings.maestro_company,
    ))
    .with_context(|| format!("connection {}: building the maestro* client", settings.name))?;
    Ok(Arc::new(client))
}

/// The Procore client of a connection: its OAuth client id, `BRIDGE_PROCORE_CLIENT_SECRET`.
pub fn procore_client(config: &Config, c: &ProcoreSettings) -> anyhow::Result<ProcoreClient> {
    let secret = config
        .procore_client_secret
        .as_ref()
        .context("BRIDGE_PROCORE_CLIENT_SECRET is not set: Procore needs the app's secret")?;
    let client_id = c
        .oauth_client_id
        .clone()
        .with_context(|| format!("connection {} has no Procore OAuth client id", c.name))?;
    let url = |u: &str| {
        url::Url::parse(u).with_context(|| format!("connection {}: `{u}` is not a URL", c.name))
    };
    let credentials = bridge_procore::Credentials::ClientCredentials {
        client_id,
        client_secret: secret.expose().clone(),
    };
    let client_config = bridge_procore::ClientConfig::new(
        url(&c.procore_api_base)?,
        url(&c.procore_login_base)?,
        c.procore_company_id,
        credentials,
    );
    ProcoreClient::new(client_config)
        .with_context(|| format!("connection {}: building the Procore client", c.name))
}

/// Starts the chosen roles; returns the ingress's address when it runs. A role that fails
/// cancels the whole process: running half a bridge silently is worse than stopping with a
/// clear error.
pub async fn start(
    roles: Roles,
    config: &Config,
    pool: &PgPool,
    broker: &Broker,
    tracker: &TaskTracker,
    shutdown: &CancellationToken,
) -> anyhow::Result<Option<std::net::SocketAddr>> {
    let mut ingress_addr = None;
    // The ingress publishes its own committed rows through a relay of its process (every
    // process holds a broker connection); the sweeper, where the relay role runs, takes what
    // that relay gives back or leaves behind.
    let (handoff, handed) = if roles.ingress {
        let (handoff, handed) = Handoff::channel(Handoff::DEFAULT_BATCHES);
        (Some(handoff), Some(handed))
    } else {
        (None, None)
    };
    if roles.ingress {
        let listener = tokio::net::TcpListener::bind(config.ingress_addr)
            .await
            .with_context(|| {
                format!(
                    "binding the ingress to {} (BRIDGE_INGRESS_ADDR)",
                    config.ingress_addr
                )
            })?;
        ingress_addr = Some(listener.local_addr()?);
        let commit = match handoff {
            Some(handoff) => {
                GroupCommit::start_handing_off(pool.clone(), GroupCommitConfig::default(), handoff)
            }
            None => GroupCommit::start(pool.clone(), GroupCommitConfig::default()),
        };
        let ingress = Ingress::new(pool.clone(), commit);
        spawn(
            tracker,
            shutdown,
            "ingress",
            bridge_ingress::run(listener, ingress, shutdown.clone()),
        );
    }
    if let Some(handed) = handed {
        spawn(
            tracker,
            shutdown,
            "relay (hand-off)",
            relay::run_handed_off(
                pool.clone(),
                Publisher::new(broker.clone()),
                handed,
                RelayConfig::default(),
                shutdown.clone(),
            ),
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
    if roles.maestro_poller {
        let factory_config = config.clone();
        let clients: ClientFactory =
            Arc::new(move |settings: &MaestroSettings| maestro_client(&factory_config, settings));
        spawn(
            tracker,
            shutdown,
            "maestro poller",
            schedule::run(
                pool.clone(),
                clients,
                config.poll_interval,
                shutdown.clone(),
            ),
        );
    }
    if roles.reconciler {
        let factory_config = config.clone();
        let clients: reconciler::ClientFactory =
            Arc::new(move |c: &ProcoreSettings| procore_client(&factory_config, c));
        spawn(
            tracker,
            shutdown,
            "Procore reconciler",
            reconciler::run(
                pool.clone(),
                clients,
                config.reconcile_interval,
                reconciler::Settings::default(),
                shutdown.clone(),
            ),
        );
    }
    if roles.workers {
        let handlers = worker_handlers(config, pool);
        let engine = EngineConfig {
            prefetch: config.prefetch,
            ..EngineConfig::default()
        };
        spawn(
            tracker,
            shutdown,
            "workers",
            bridge_workers::run(
                pool.clone(),
                broker.clone(),
                handlers,
                engine,
                shutdown.clone(),
            ),
        );
        spawn(
            tracker,
            shutdown,
            "dead-letter archiver",
            bridge_workers::run_archiver(pool.clone(), broker.clone(), shutdown.clone()),
        );
    }
    Ok(ingress_addr)
}

/// The handlers of every flow that is built, with the clients of each connection.
fn worker_handlers(config: &Config, pool: &PgPool) -> Vec<Arc<dyn Handler>> {
    let secrets = flows::ClientSecrets::from_config(config);
    let clients = Arc::new(flows::PgClients::new(pool.clone(), secrets));
    flows::handlers(clients)
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
