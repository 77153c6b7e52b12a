//! The bridge's Postgres database: created when missing, pooled, migrated.

use crate::config::Config;
use crate::secret::url_address;
use anyhow::Context as _;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgConnection, PgPool};
use std::str::FromStr;
use std::time::Duration;

/// Migrations shipped with this crate: every table of the design (docs/architecture.md).
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Postgres could not be reached or used; says which setting and which address.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("BRIDGE_DATABASE_URL is not a usable Postgres URL: {0}")]
    BadUrl(#[source] sqlx::Error),
    #[error("cannot reach PostgreSQL at {address} (BRIDGE_DATABASE_URL): {source}")]
    Unreachable {
        address: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("PostgreSQL at {address} did not answer within {seconds} s (BRIDGE_DATABASE_URL)")]
    Timeout { address: String, seconds: u64 },
}

/// Parses the URL into connection options, keeping statement logging quiet.
pub fn options(url: &str) -> Result<PgConnectOptions, DbError> {
    let opts = PgConnectOptions::from_str(url).map_err(DbError::BadUrl)?;
    Ok(opts.log_statements(tracing::log::LevelFilter::Off))
}

/// Creates the database named in `url` when the server does not have it yet.
///
/// Connects to the server's `postgres` maintenance database to do so. Safe to run from
/// several processes at once: losing the race to create it is not an error.
pub async fn ensure_database(url: &str, timeout: Duration) -> Result<bool, DbError> {
    let target = options(url)?;
    let name = target.get_database().unwrap_or("postgres").to_owned();
    let address = url_address(url);
    let admin = target.clone().database("postgres");
    let mut conn = within(timeout, &address, PgConnection::connect_with(&admin)).await?;
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(&name)
            .fetch_one(&mut conn)
            .await
            .map_err(|source| DbError::Unreachable {
                address: address.clone(),
                source,
            })?;
    if exists {
        return Ok(false);
    }
    let create = format!("CREATE DATABASE {}", quote_ident(&name));
    match sqlx::query(&create).execute(&mut conn).await {
        Ok(_) => {
            tracing::info!(database = %name, "created database");
            Ok(true)
        }
        // 42P04 duplicate_database: another process created it first.
        Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("42P04") => Ok(false),
        Err(source) => Err(DbError::Unreachable { address, source }),
    }
}

/// Opens the pool; fails fast with a clear error when the server is not there.
pub async fn connect(config: &Config) -> Result<PgPool, DbError> {
    let url = config.database_url.expose();
    let opts = options(url)?;
    let address = url_address(url);
    let pool = PgPoolOptions::new()
        .max_connections(config.database_pool_size)
        .acquire_timeout(Duration::from_secs(2))
        // No ping before handing a connection out: it cost a round trip per transaction, and
        // a connection the server dropped fails its statement with an error sqlx then discards.
        .test_before_acquire(false)
        .connect_lazy_with(opts);
    // Prove the server answers now rather than at the first request.
    within(config.connect_timeout, &address, pool.acquire()).await?;
    Ok(pool)
}

/// Creates the database when missing, connects and applies every pending migration.
pub async fn prepare(config: &Config) -> anyhow::Result<PgPool> {
    ensure_database(config.database_url.expose(), config.connect_timeout).await?;
    let pool = connect(config).await?;
    migrate(&pool).await?;
    Ok(pool)
}

/// Applies pending migrations; returns how many were applied.
pub async fn migrate(pool: &PgPool) -> anyhow::Result<usize> {
    let before: i64 = applied_count(pool).await?;
    MIGRATOR
        .run(pool)
        .await
        .context("applying database migrations")?;
    let after: i64 = applied_count(pool).await?;
    Ok(usize::try_from(after - before).unwrap_or(0))
}

async fn applied_count(pool: &PgPool) -> anyhow::Result<i64> {
    let table_exists: bool =
        sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
            .fetch_one(pool)
            .await
            .context("reading the migration history")?;
    if !table_exists {
        return Ok(0);
    }
    sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations WHERE success")
        .fetch_one(pool)
        .await
        .context("reading the migration history")
}

async fn within<T>(
    timeout: Duration,
    address: &str,
    fut: impl Future<Output = Result<T, sqlx::Error>>,
) -> Result<T, DbError> {
    match tokio::time::timeout(timeout, fut).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(source)) => Err(DbError::Unreachable {
            address: address.to_owned(),
            source,
        }),
        Err(_) => Err(DbError::Timeout {
            address: address.to_owned(),
            seconds: timeout.as_secs(),
        }),
    }
}

/// Quotes an SQL identifier (a database name cannot be a bind parameter).
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_quoted() {
        assert_eq!(quote_ident("bridge"), "\"bridge\"");
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
    }
}
