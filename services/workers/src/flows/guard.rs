//! The pairing guard (docs/architecture.md; rules §6: "in no case whatsoever" may a production
//! environment be paired with a test one). It trusts no label: it asks maestro* for the class
//! of the connection's company and reads the Procore environment from the API host, then
//! applies the pure verdicts of `bridge_domain::pairing` through the one call every role makes,
//! `bridge_platform::connections::verified_pairing`. A refused connection gets no client: its
//! messages fail and wait for an administrator to correct it.

use bridge_maestro::{MaestroApi, MaestroError, company_classes};
use bridge_platform::connections::{self, PairingError};
use sqlx::PgPool;

/// Why the guard refused a connection, or could not decide.
#[derive(Debug, thiserror::Error)]
pub enum GuardError {
    #[error(transparent)]
    Pairing(#[from] PairingError),
    #[error("asking maestro* for the class of company {company}")]
    Maestro {
        company: String,
        #[source]
        source: MaestroError,
    },
}

/// Verifies the pairing of the connection before anything is written for it: the declared
/// labels, the maestro* company's real class, the Procore host's environment, and no change of
/// Procore company once records are linked.
pub async fn check(
    pool: &PgPool,
    connection_id: i64,
    maestro: &dyn MaestroApi,
    company: &str,
) -> Result<(), GuardError> {
    // What is known without maestro* first: such a refusal needs no call to it.
    connections::declared_pairing(pool, connection_id).await?;
    let listed = company_classes(maestro)
        .await
        .map_err(|source| GuardError::Maestro {
            company: company.to_owned(),
            source,
        })?;
    connections::verified_pairing(pool, connection_id, &listed).await?;
    Ok(())
}
