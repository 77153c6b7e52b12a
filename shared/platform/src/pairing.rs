//! The pairing guard over a `connections` row: the one call every role makes before it writes
//! to either system for a connection (docs/architecture.md, pairing guard). The verdicts are
//! pure (`bridge_domain::pairing`); this module reads the row, applies them and remembers which
//! Procore company and address the connection was first synchronized with.

use bridge_domain::pairing::{self, MaestroClass, Pairing, ProcoreEnvironment, Refusal};
use sqlx::PgPool;

/// Why a connection may not be used.
#[derive(Debug, thiserror::Error)]
pub enum PairingError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error("connection {0} does not exist")]
    NoConnection(i64),
    #[error("connection {name}: `{value}` is not a known {what}")]
    BadLabel {
        name: String,
        what: &'static str,
        value: String,
    },
    #[error("reading or updating the connection")]
    Db(#[from] sqlx::Error),
}

#[derive(sqlx::FromRow)]
struct Row {
    name: String,
    maestro_company: String,
    maestro_environment: String,
    procore_environment: String,
    procore_company_id: i64,
    procore_api_base: String,
    first_procore_company_id: Option<i64>,
    first_procore_api_base: Option<String>,
    has_links: bool,
}

async fn row(pool: &PgPool, connection_id: i64) -> Result<Row, PairingError> {
    sqlx::query_as(
        "SELECT name, maestro_company, maestro_environment, procore_environment,
                procore_company_id, procore_api_base, first_procore_company_id,
                first_procore_api_base,
                EXISTS (SELECT 1 FROM links l WHERE l.connection_id = c.id) AS has_links
         FROM connections c WHERE id = $1",
    )
    .bind(connection_id)
    .fetch_optional(pool)
    .await?
    .ok_or(PairingError::NoConnection(connection_id))
}

fn pairing_of(row: &Row, maestro_class: Option<MaestroClass>) -> Result<Pairing<'_>, PairingError> {
    let bad = |what, value: &str| PairingError::BadLabel {
        name: row.name.clone(),
        what,
        value: value.to_owned(),
    };
    Ok(Pairing {
        name: &row.name,
        declared_maestro: MaestroClass::parse(&row.maestro_environment)
            .ok_or_else(|| bad("maestro* environment", &row.maestro_environment))?,
        declared_procore: ProcoreEnvironment::parse(&row.procore_environment)
            .ok_or_else(|| bad("Procore environment", &row.procore_environment))?,
        maestro_class,
        maestro_company: &row.maestro_company,
        procore_company_id: row.procore_company_id,
        procore_api_base: &row.procore_api_base,
        first_procore_company_id: row.first_procore_company_id,
        first_procore_api_base: row.first_procore_api_base.as_deref(),
        has_links: row.has_links,
    })
}

/// Checks everything known without asking maestro* (no call to either system): the labels, the
/// Procore host against the declared environment, and a Procore company or address changed
/// once records are linked. For a role that writes only the bridge's own tables (the Procore
/// reconciler); a role that writes to maestro* or Procore calls [`verified_pairing`].
pub async fn declared_pairing(pool: &PgPool, connection_id: i64) -> Result<(), PairingError> {
    let row = row(pool, connection_id).await?;
    pairing::check_declared(&pairing_of(&row, None)?)?;
    Ok(())
}

/// The full guard, to call before writing to maestro* or Procore for a connection. `listed`
/// is every company maestro* lists with its class (`bridge_maestro::company_classes`); the
/// connection's company is looked up in it, and the Procore environment is read from the API
/// host. On success, records the Procore company and address the connection is synchronized
/// with, if not yet recorded.
pub async fn verified_pairing(
    pool: &PgPool,
    connection_id: i64,
    listed: &[(String, MaestroClass)],
) -> Result<(), PairingError> {
    let row = row(pool, connection_id).await?;
    let class = listed
        .iter()
        .find(|(code, _)| *code == row.maestro_company)
        .map(|(_, class)| *class);
    pairing::check(&pairing_of(&row, class)?)?;
    if row.first_procore_company_id.is_none() {
        sqlx::query(
            "UPDATE connections SET first_procore_company_id = procore_company_id,
                    first_procore_api_base = procore_api_base
             WHERE id = $1 AND first_procore_company_id IS NULL",
        )
        .bind(connection_id)
        .execute(pool)
        .await?;
    }
    Ok(())
}
