//! The clients of a connection: a maestro* XML client and a Procore REST client, built from
//! the `connections` row and the process's secrets, and kept while the row is unchanged.

use crate::flows::guard::{self, GuardError};
use anyhow::Context as _;
use bridge_maestro::{ClientConfig as MaestroConfig, HttpMaestro, MaestroApi};
use bridge_platform::{Config, Secret, connections};
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
    /// The pairing guard verified this version of the row.
    verified: bool,
    procore: Option<Arc<ProcoreClient>>,
    maestro: Option<Arc<dyn MaestroApi>>,
}

impl Built {
    fn new(updated_at: DateTime<Utc>) -> Self {
        Built {
            updated_at,
            verified: false,
            procore: None,
            maestro: None,
        }
    }
}

/// [`Clients`] read from Postgres. A client is built on first use and rebuilt when the
/// connection row changes (its `updated_at` moves), so a Procore client keeps its token and
/// rate-limit governor across messages.
///
/// No client is handed out before the pairing guard ([`guard::check`]) verified the row's
/// version: the declared labels on every call, the maestro* class and the Procore host once per
/// version of the row. One exception keeps maestro*'s own trouble in its own words: when
/// maestro* does not answer the guard, the maestro* client is still handed out (the flow's own
/// call meets the same trouble and is tried again); a Procore client never is.
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
            "SELECT name, maestro_base_url, maestro_company, procore_api_base,
                    procore_login_base, procore_company_id, oauth_client_id, updated_at
             FROM connections c WHERE id = $1",
        )
        .bind(connection_id)
        .fetch_optional(&self.pool)
        .await
        .context("reading the connection")?
        .with_context(|| format!("connection {connection_id} does not exist"))
    }

    /// The client `pick` takes from the connection's cache (building it when missing), once
    /// the pairing guard accepts the connection. `for_maestro`: the client is maestro*'s.
    async fn guarded<T>(
        &self,
        connection_id: i64,
        for_maestro: bool,
        pick: impl FnOnce(&Self, &mut Built, &Row) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        let row = self.row(connection_id).await?;
        connections::declared_pairing(&self.pool, connection_id).await?;
        let (handed, maestro, verified) = {
            let mut built = self.built.lock().await;
            let entry = built
                .entry(connection_id)
                .or_insert_with(|| Built::new(row.updated_at));
            if entry.updated_at != row.updated_at {
                *entry = Built::new(row.updated_at);
            }
            let handed = pick(self, entry, &row)?;
            let maestro = if entry.verified {
                None
            } else {
                Some(self.maestro_of(entry, &row)?)
            };
            (handed, maestro, entry.verified)
        };
        if verified {
            return Ok(handed);
        }
        let maestro = maestro.context("a maestro* client to verify the pairing")?;
        match guard::check(
            &self.pool,
            connection_id,
            maestro.as_ref(),
            &row.maestro_company,
        )
        .await
        {
            Ok(()) => {
                let mut built = self.built.lock().await;
                if let Some(entry) = built.get_mut(&connection_id)
                    && entry.updated_at == row.updated_at
                {
                    entry.verified = true;
                }
                Ok(handed)
            }
            Err(GuardError::Maestro { source, .. }) if for_maestro && source.is_transient() => {
                Ok(handed)
            }
            Err(refused) => Err(refused.into()),
        }
    }

    fn maestro_of(&self, entry: &mut Built, row: &Row) -> anyhow::Result<Arc<dyn MaestroApi>> {
        if let Some(client) = &entry.maestro {
            return Ok(client.clone());
        }
        let client: Arc<dyn MaestroApi> = Arc::new(maestro_client(row, &self.secrets)?);
        entry.maestro = Some(client.clone());
        Ok(client)
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
        Box::pin(self.guarded(connection_id, false, |this, built, row| {
            if let Some(client) = &built.procore {
                return Ok(client.clone());
            }
            let client = Arc::new(procore_client(row, &this.secrets)?);
            built.procore = Some(client.clone());
            Ok(client)
        }))
    }

    fn maestro(&self, connection_id: i64) -> BoxFuture<'_, anyhow::Result<Arc<dyn MaestroApi>>> {
        Box::pin(self.guarded(connection_id, true, |this, built, row| {
            this.maestro_of(built, row)
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
