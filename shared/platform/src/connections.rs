//! Connections: one pairing of a maestro* company with a Procore company.

use sha2::{Digest as _, Sha256};
use sqlx::PgPool;

pub use crate::pairing::{PairingError, declared_pairing, verified_pairing};

/// The digest stored for a webhook `Authorization` value: only this is kept, never the value.
pub fn authorization_hash(value: &str) -> Vec<u8> {
    Sha256::digest(value.as_bytes()).to_vec()
}

/// What is needed to create a connection.
#[derive(Debug, Clone)]
pub struct NewConnection {
    pub name: String,
    pub maestro_base_url: String,
    pub maestro_company: String,
    pub maestro_prefix: Option<String>,
    /// `production` or `test`.
    pub maestro_environment: String,
    pub procore_api_base: String,
    pub procore_login_base: String,
    pub procore_company_id: i64,
    /// `production`, `developer_sandbox` or `monthly_sandbox`.
    pub procore_environment: String,
    pub oauth_client_id: Option<String>,
}

/// What the webhook ingress needs to know about a connection.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WebhookSettings {
    pub id: i64,
    pub name: String,
    pub enabled: bool,
    pub oauth_client_id: Option<String>,
    /// SHA-256 of each accepted `Authorization` value.
    pub webhook_auth_sha256: Vec<Vec<u8>>,
}

pub async fn create(pool: &PgPool, c: &NewConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO connections (name, maestro_base_url, maestro_company, maestro_prefix,
             maestro_environment, procore_api_base, procore_login_base, procore_company_id,
             procore_environment, oauth_client_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         RETURNING id",
    )
    .bind(&c.name)
    .bind(&c.maestro_base_url)
    .bind(&c.maestro_company)
    .bind(&c.maestro_prefix)
    .bind(&c.maestro_environment)
    .bind(&c.procore_api_base)
    .bind(&c.procore_login_base)
    .bind(c.procore_company_id)
    .bind(&c.procore_environment)
    .bind(&c.oauth_client_id)
    .fetch_one(pool)
    .await
}

pub async fn webhook_settings(
    pool: &PgPool,
    name: &str,
) -> Result<Option<WebhookSettings>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, name, enabled, oauth_client_id, webhook_auth_sha256
         FROM connections WHERE name = $1",
    )
    .bind(name)
    .fetch_optional(pool)
    .await
}

/// Replaces the accepted webhook `Authorization` hashes (one, or two during a rotation).
pub async fn set_webhook_auth(
    pool: &PgPool,
    connection_id: i64,
    hashes: &[Vec<u8>],
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE connections SET webhook_auth_sha256 = $2, updated_at = now() WHERE id = $1")
        .bind(connection_id)
        .bind(hashes)
        .execute(pool)
        .await
        .map(drop)
}

/// The webhook `Authorization` values a connection accepts, known only by their digests
/// (docs/architecture.md, webhook ingress): one, or two while a rotation is under way.
#[derive(Clone)]
pub struct WebhookSecrets {
    pool: PgPool,
    pub connection_id: i64,
    digests: Vec<Vec<u8>>,
}

impl std::fmt::Debug for WebhookSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookSecrets")
            .field("connection_id", &self.connection_id)
            .field("accepted", &self.digests.len())
            .finish()
    }
}

impl WebhookSecrets {
    /// The accepted digests of the connection named `name`, if it exists.
    pub async fn load(pool: &PgPool, name: &str) -> Result<Option<Self>, sqlx::Error> {
        Ok(webhook_settings(pool, name).await?.map(|s| WebhookSecrets {
            pool: pool.clone(),
            connection_id: s.id,
            digests: s.webhook_auth_sha256,
        }))
    }

    /// Whether a delivery carrying `value` would be accepted now.
    pub fn accepts(&self, value: &str) -> bool {
        self.digests.contains(&authorization_hash(value))
    }

    /// Whether no value is accepted at all.
    pub fn is_empty(&self) -> bool {
        self.digests.is_empty()
    }

    /// Starts accepting `value` (to call before Procore sends it), keeping the newest previous
    /// digest so that deliveries already queued with it still pass.
    pub async fn accept(&mut self, value: &str) -> Result<(), sqlx::Error> {
        let mut digests = vec![authorization_hash(value)];
        digests.extend(self.digests.first().cloned());
        set_webhook_auth(&self.pool, self.connection_id, &digests).await?;
        self.digests = digests;
        Ok(())
    }

    /// Stops accepting any value.
    pub async fn forget(&mut self) -> Result<(), sqlx::Error> {
        set_webhook_auth(&self.pool, self.connection_id, &[]).await?;
        self.digests.clear();
        Ok(())
    }
}

impl NewConnection {
    /// A connection to the sandbox emulators, for tests and the demo.
    pub fn sandbox(name: &str, procore_base: &str, maestro_base: &str, company_id: i64) -> Self {
        NewConnection {
            name: name.to_owned(),
            maestro_base_url: maestro_base.to_owned(),
            maestro_company: "DEMO".to_owned(),
            maestro_prefix: None,
            maestro_environment: "test".to_owned(),
            procore_api_base: procore_base.to_owned(),
            procore_login_base: procore_base.to_owned(),
            procore_company_id: company_id,
            procore_environment: "developer_sandbox".to_owned(),
            oauth_client_id: Some(format!("{name}-client")),
        }
    }
}

/// What the maestro* poller needs to know about a connection.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MaestroSettings {
    pub id: i64,
    pub name: String,
    pub enabled: bool,
    pub maestro_base_url: String,
    pub maestro_company: String,
    pub maestro_prefix: Option<String>,
    pub settings: serde_json::Value,
}

impl MaestroSettings {
    /// The connection's own polling interval (`settings.poll_interval_seconds`), if set.
    pub fn poll_interval(&self) -> Option<std::time::Duration> {
        self.settings
            .get("poll_interval_seconds")
            .and_then(serde_json::Value::as_u64)
            .filter(|s| *s > 0)
            .map(std::time::Duration::from_secs)
    }
}

/// The columns of [`MaestroSettings`].
const MAESTRO_COLUMNS: &str = "SELECT id, name, enabled, maestro_base_url, maestro_company, \
     maestro_prefix, settings FROM connections";

pub async fn maestro_settings(pool: &PgPool) -> Result<Vec<MaestroSettings>, sqlx::Error> {
    sqlx::query_as(&format!("{MAESTRO_COLUMNS} ORDER BY id"))
        .fetch_all(pool)
        .await
}

pub async fn maestro_settings_by_name(
    pool: &PgPool,
    name: &str,
) -> Result<Option<MaestroSettings>, sqlx::Error> {
    sqlx::query_as(&format!("{MAESTRO_COLUMNS} WHERE name = $1"))
        .bind(name)
        .fetch_optional(pool)
        .await
}

/// What the Procore side (reconciler, hook registration, workers' client) needs to know about
/// a connection.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProcoreSettings {
    pub id: i64,
    pub name: String,
    pub enabled: bool,
    pub procore_api_base: String,
    pub procore_login_base: String,
    pub procore_company_id: i64,
    pub oauth_client_id: Option<String>,
}

/// The columns of [`ProcoreSettings`].
const PROCORE_COLUMNS: &str = "SELECT id, name, enabled, procore_api_base, procore_login_base, \
     procore_company_id, oauth_client_id FROM connections";

pub async fn procore_settings(pool: &PgPool) -> Result<Vec<ProcoreSettings>, sqlx::Error> {
    sqlx::query_as(&format!("{PROCORE_COLUMNS} ORDER BY id"))
        .fetch_all(pool)
        .await
}

pub async fn procore_settings_by_name(
    pool: &PgPool,
    name: &str,
) -> Result<Option<ProcoreSettings>, sqlx::Error> {
    sqlx::query_as(&format!("{PROCORE_COLUMNS} WHERE name = $1"))
        .bind(name)
        .fetch_optional(pool)
        .await
}

/// Creates the connection, or updates the addresses and company of the one with that name.
pub async fn upsert(pool: &PgPool, c: &NewConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO connections (name, maestro_base_url, maestro_company, maestro_prefix,
             maestro_environment, procore_api_base, procore_login_base, procore_company_id,
             procore_environment, oauth_client_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (name) DO UPDATE SET
             maestro_base_url = EXCLUDED.maestro_base_url,
             maestro_company = EXCLUDED.maestro_company,
             procore_api_base = EXCLUDED.procore_api_base,
             procore_login_base = EXCLUDED.procore_login_base,
             procore_company_id = EXCLUDED.procore_company_id,
             oauth_client_id = EXCLUDED.oauth_client_id,
             updated_at = now()
         RETURNING id",
    )
    .bind(&c.name)
    .bind(&c.maestro_base_url)
    .bind(&c.maestro_company)
    .bind(&c.maestro_prefix)
    .bind(&c.maestro_environment)
    .bind(&c.procore_api_base)
    .bind(&c.procore_login_base)
    .bind(c.procore_company_id)
    .bind(&c.procore_environment)
    .bind(&c.oauth_client_id)
    .fetch_one(pool)
    .await
}

/// Merges `values` into the connection's settings (keys given replace those present).
pub async fn merge_settings(
    pool: &PgPool,
    connection_id: i64,
    values: &serde_json::Value,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE connections SET settings = settings || $2, updated_at = now() WHERE id = $1",
    )
    .bind(connection_id)
    .bind(values)
    .execute(pool)
    .await
    .map(drop)
}
