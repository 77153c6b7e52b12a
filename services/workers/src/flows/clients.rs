//! The clients of a connection: a maestro* XML client and a Procore REST client, built from
//! the `connections` row and the process's secrets, and kept while the row is unchanged.

use crate::flows::guard::{self, Pairing};
use anyhow::Context as _;
use bridge_maestro::{ClientConfig as MaestroConfig, HttpMaestro, MaestroApi};
use bridge_platform::{Config, Secret};
use bridge_procore::{Client as ProcoreClient, ClientConfig as ProcoreConfig, Credentials};
use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::Mutex;

/// The setting holding the Procore OAuth client secret of the bridge's app (read by
/// [`Config`]; the client id is stored with each connection).
pub const PROCORE_SECRET_ENV: &str = "BRIDGE_PROCORE_CLIENT_SECRET";

/// Hands a flow the clients of one connection.
pub trait Clients: Send + Sync {
    fn procore(&self, connection_id: i64) -> BoxFuture<'_, anyhow::Result<Arc<ProcoreClient>>>;
    fn maestro(&self, connection_id: i64) -> BoxFuture<'_, anyhow::Result<Arc<dyn MaestroApi>>>;
}

/// What the process knows that the `connections` row does not hold (yet): the maestro* web
/// service key and the Procore app's client secret, shared by every connection.
#[derive(Clone, Default)]
pub struct ClientSecrets {
    pub maestro_key: Option<Secret<String>>,
    pub procore_client_secret: Option<Secret<String>>,
}

impl ClientSecrets {
    /// `BRIDGE_MAESTRO_KEY` and `BRIDGE_PROCORE_CLIENT_SECRET`, as the process config read them.
    pub fn from_config(config: &Config) -> Self {
        ClientSecrets {
            maestro_key: config.maestro_key.clone(),
            procore_client_secret: config.procore_client_secret.clone(),
        }
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    name: String,
    maestro_environment: String,
    procore_environment: String,
    first_procore_company_id: Option<i64>,
    first_procore_api_base: Option<String>,
    has_links: bool,
    maestro_base_url: String,
    maestro_company: String,
    procore_api_base: String,
    procore_login_base: String,
    procore_company_id: i64,
    oauth_client_id: Option<String>,
    updated_at: DateTime<Utc>,
}

struct Built {
    updated_at: DateTime<Utc>,
    procore: Option<Arc<ProcoreClient>>,
    maestro: Option<Arc<dyn MaestroApi>>,
}

/// [`Clients`] read from Postgres. A client is built on first use and rebuilt when the
/// connection row changes (its `updated_at` moves), so a Procore client keeps its token and
/// rate-limit governor across messages.
pub struct PgClients {
    pool: PgPool,
    secrets: ClientSecrets,
    built: Mutex<HashMap<i64, Built>>,
}

impl PgClients {
    pub fn new(pool: PgPool, secrets: ClientSecrets) -> Self {
        PgClients {
            pool,
            secrets,
            built: Mutex::new(HashMap::new()),
        }
    }

    async fn row(&self, connection_id: i64) -> anyhow::Result<Row> {
        sqlx::query_as(
            "SELECT name, maestro_environment, procore_environment, first_procore_company_id,
                    first_procore_api_base,
                    EXISTS (SELECT 1 FROM links l WHERE l.connection_id = c.id) AS has_links,
                    maestro_base_url, maestro_company, procore_api_base,
                    procore_login_base, procore_company_id, oauth_client_id, updated_at
             FROM connections c WHERE id = $1",
        )
        .bind(connection_id)
        .fetch_optional(&self.pool)
        .await
        .context("reading the connection")?
        .with_context(|| format!("connection {connection_id} does not exist"))
    }

    /// Checks the pairing and remembers, on first use, which Procore company and address the
    /// connection is synchronized with.
    async fn guard(&self, connection_id: i64, row: &Row) -> anyhow::Result<()> {
        guard::check(&Pairing {
            name: &row.name,
            maestro_environment: &row.maestro_environment,
            procore_environment: &row.procore_environment,
            procore_company_id: row.procore_company_id,
            procore_api_base: &row.procore_api_base,
            first_procore_company_id: row.first_procore_company_id,
            first_procore_api_base: row.first_procore_api_base.as_deref(),
            has_links: row.has_links,
        })
        .map_err(anyhow::Error::msg)?;
        if row.first_procore_company_id.is_none() {
            sqlx::query(
                "UPDATE connections SET first_procore_company_id = procore_company_id,
                        first_procore_api_base = procore_api_base
                 WHERE id = $1 AND first_procore_company_id IS NULL",
            )
            .bind(connection_id)
            .execute(&self.pool)
            .await
            .context("recording the Procore company the connection is synchronized with")?;
        }
        Ok(())
    }

    /// Runs `pick` on the cached clients of the connection, dropping them first when the row
    /// changed. No client is handed out for a connection the pairing guard refuses.
    async fn cached<T>(
        &self,
        connection_id: i64,
        pick: impl FnOnce(&mut Built, &Row, &ClientSecrets) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        let row = self.row(connection_id).await?;
        self.guard(connection_id, &row).await?;
        let mut built = self.built.lock().await;
        let entry = built.entry(connection_id).or_insert_with(|| Built {
            updated_at: row.updated_at,
            procore: None,
            maestro: None,
        });
        if entry.updated_at != row.updated_at {
            *entry = Built {
                updated_at: row.updated_at,
                procore: None,
                maestro: None,
            };
        }
        pick(entry, &row, &self.secrets)
    }
}

fn procore_client(row: &Row, secrets: &ClientSecrets) -> anyhow::Result<ProcoreClient> {
    let name = &row.name;
    let client_id = row.oauth_client_id.clone().with_context(|| {
        format!("connection {name}: no Procore OAuth client id; connect it to Procore first")
    })?;
    let secret = secrets.procore_client_secret.as_ref().with_context(|| {
        format!("{PROCORE_SECRET_ENV} is not set: the Procore app's client secret is needed")
    })?;
    let url = |what: &str, value: &str| {
        url::Url::parse(value).with_context(|| {
            format!("connection {name}: the Procore {what} `{value}` is not valid")
        })
    };
    let config = ProcoreConfig::new(
        url("API base", &row.procore_api_base)?,
        url("login base", &row.procore_login_base)?,
        row.procore_company_id,
        Credentials::ClientCredentials {
            client_id,
            client_secret: secret.expose().clone(),
        },
    );
    ProcoreClient::new(config)
        .with_context(|| format!("connection {name}: building the Procore client"))
}

fn maestro_client(row: &Row, secrets: &ClientSecrets) -> anyhow::Result<HttpMaestro> {
    let name = &row.name;
    let key = secrets
        .maestro_key
        .as_ref()
        .context("BRIDGE_MAESTRO_KEY is not set: the maestro* web service needs its key")?;
    let base = url::Url::parse(&row.maestro_base_url).with_context(|| {
        format!(
            "connection {name}: the maestro* URL `{}` is not valid",
            row.maestro_base_url
        )
    })?;
    HttpMaestro::new(MaestroConfig::new(
        base,
        key.expose().clone(),
        &row.maestro_company,
    ))
    .with_context(|| format!("connection {name}: building the maestro* client"))
}

impl Clients for PgClients {
    fn procore(&self, connection_id: i64) -> BoxFuture<'_, anyhow::Result<Arc<ProcoreClient>>> {
        Box::pin(self.cached(connection_id, |built, row, secrets| {
            if let Some(client) = &built.procore {
                return Ok(client.clone());
            }
            let client = Arc::new(procore_client(row, secrets)?);
            built.procore = Some(client.clone());
            Ok(client)
        }))
    }

    fn maestro(&self, connection_id: i64) -> BoxFuture<'_, anyhow::Result<Arc<dyn MaestroApi>>> {
        Box::pin(self.cached(connection_id, |built, row, secrets| {
            if let Some(client) = &built.maestro {
                return Ok(client.clone());
            }
            let client: Arc<dyn MaestroApi> = Arc::new(maestro_client(row, secrets)?);
            built.maestro = Some(client.clone());
            Ok(client)
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_come_from_the_process_config() {
        let config = Config::from_lookup(|name| match name {
            "BRIDGE_MAESTRO_KEY" => Some("m-key".to_owned()),
            PROCORE_SECRET_ENV => Some("p-secret".to_owned()),
            _ => None,
        })
        .unwrap();
        let secrets = ClientSecrets::from_config(&config);
        assert_eq!(
            secrets.maestro_key.map(|k| k.expose().clone()).as_deref(),
            Some("m-key")
        );
        assert_eq!(
            secrets
                .procore_client_secret
                .map(|k| k.expose().clone())
                .as_deref(),
            Some("p-secret")
        );
        let none = ClientSecrets::from_config(&Config::from_lookup(|_| None).unwrap());
        assert!(none.maestro_key.is_none() && none.procore_client_secret.is_none());
    }
}
