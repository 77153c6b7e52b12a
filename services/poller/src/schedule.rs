//! Runs the maestro* poller for every enabled connection, each on its own interval.
//!
//! The list of connections is read again at every tick, so a connection added or disabled
//! while the process runs is picked up without a restart. A failing pass is logged and tried
//! again at the next interval; it never stops the other connections.

use crate::maestro::{self, KINDS, Target};
use bridge_maestro::MaestroApi;
use bridge_platform::connections::{self, MaestroSettings};
use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// Builds the maestro* client of a connection.
pub type ClientFactory =
    Arc<dyn Fn(&MaestroSettings) -> anyhow::Result<Arc<dyn MaestroApi>> + Send + Sync>;

/// Polls every enabled connection until `shutdown`.
pub async fn run(
    pool: PgPool,
    clients: ClientFactory,
    default_interval: Duration,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    tracing::info!(interval = ?default_interval, "maestro* poller started");
    let mut next_due: HashMap<i64, Instant> = HashMap::new();
    let mut built: HashMap<i64, Arc<dyn MaestroApi>> = HashMap::new();
    loop {
        match connections::maestro_settings(&pool).await {
            Ok(all) => {
                for settings in all.iter().filter(|s| s.enabled) {
                    let due = next_due
                        .get(&settings.id)
                        .copied()
                        .unwrap_or_else(Instant::now);
                    if due > Instant::now() {
                        continue;
                    }
                    let interval = settings.poll_interval().unwrap_or(default_interval);
                    next_due.insert(settings.id, Instant::now() + interval);
                    let api = match built.get(&settings.id) {
                        Some(api) => api.clone(),
                        None => match clients(settings) {
                            Ok(api) => {
                                built.insert(settings.id, api.clone());
                                api
                            }
                            Err(e) => {
                                tracing::error!(connection = %settings.name, error = %format!("{e:#}"), "cannot build the maestro* client");
                                continue;
                            }
                        },
                    };
                    pass(&pool, settings, api.as_ref()).await;
                    if shutdown.is_cancelled() {
                        break;
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot read the connections; will retry"),
        }
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
    }
    tracing::info!("maestro* poller stopped");
    Ok(())
}

async fn pass(pool: &PgPool, settings: &MaestroSettings, api: &dyn MaestroApi) {
    let target = Target {
        connection_id: settings.id,
        prefix: settings.maestro_prefix.as_deref(),
        api,
    };
    match maestro::poll(pool, &target, &KINDS, None).await {
        Ok(report) => {
            if report.total_emitted() > 0 || !report.problems.is_empty() {
                tracing::info!(
                    connection = %settings.name,
                    emitted = report.total_emitted(),
                    problems = report.problems.len(),
                    "maestro* pass"
                );
            }
        }
        Err(e) => {
            tracing::warn!(connection = %settings.name, error = %format!("{e:#}"), "maestro* pass failed; next interval retries")
        }
    }
}
