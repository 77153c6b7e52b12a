//! Reading the links table: what a record is already linked to, and whether a dependency is.
//! Links are written only by the engine, with the outcome that creates them.

use crate::flows::fail::{self, Step};
use bridge_domain::EntityKind;
use sqlx::PgPool;

/// A stored link.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Link {
    pub maestro_key: String,
    pub procore_id: i64,
    pub procore_project_id: Option<i64>,
    pub origin: String,
}

/// The link of a record named by its maestro* key or its Procore id.
async fn find(
    pool: &PgPool,
    connection_id: i64,
    kind: EntityKind,
    maestro_key: Option<&str>,
    procore_id: Option<i64>,
) -> Step<Option<Link>> {
    sqlx::query_as(
        "SELECT maestro_key, procore_id, procore_project_id, origin FROM links
         WHERE connection_id = $1 AND kind = $2
           AND ($3::text IS NULL OR maestro_key = $3)
           AND ($4::bigint IS NULL OR procore_id = $4)",
    )
    .bind(connection_id)
    .bind(kind.as_str())
    .bind(maestro_key)
    .bind(procore_id)
    .fetch_optional(pool)
    .await
    .map_err(|e| fail::internal("reading the links", e.into()))
}

/// The link of the maestro* record `maestro_key`, if any.
pub async fn by_maestro_key(
    pool: &PgPool,
    connection_id: i64,
    kind: EntityKind,
    maestro_key: &str,
) -> Step<Option<Link>> {
    find(pool, connection_id, kind, Some(maestro_key), None).await
}

/// The link of the Procore record `procore_id`, if any.
pub async fn by_procore_id(
    pool: &PgPool,
    connection_id: i64,
    kind: EntityKind,
    procore_id: i64,
) -> Step<Option<Link>> {
    find(pool, connection_id, kind, None, Some(procore_id)).await
}

impl Link {
    /// The stored origin as the `'static` label a [`crate::SyncedLink`] carries.
    pub fn origin_label(&self) -> &'static str {
        match self.origin.as_str() {
            "created_in_procore" => "created_in_procore",
            "created_in_maestro" => "created_in_maestro",
            _ => "linked_by_code",
        }
    }

    pub fn synced(&self) -> crate::SyncedLink {
        crate::SyncedLink {
            maestro_key: self.maestro_key.clone(),
            procore_id: self.procore_id,
            procore_project_id: self.procore_project_id,
            origin: self.origin_label(),
        }
    }
}

/// What a creation-only flow answers for a record that is already linked: a repeated
/// creation event (a redelivery, a wake) is synced again with the same link; a later change
/// is skipped, since changes after synchronization are applied by hand (docs/rules.md).
pub fn already_linked(
    link: &Link,
    action: bridge_domain::Action,
    direction: bridge_domain::Direction,
    description: String,
) -> crate::Outcome {
    use bridge_domain::{Action, Direction};
    let (changed_in, apply_in) = match direction {
        Direction::ToMaestro => ("Procore", "maestro*"),
        Direction::ToProcore => ("maestro*", "Procore"),
    };
    match action {
        Action::Create => crate::Outcome::Synced {
            link: Some(link.synced()),
            description: Some(description),
            notes: vec![],
        },
        Action::Update => crate::Outcome::Skipped {
            reason: format!(
                "{description}: changed in {changed_in} after synchronization; apply the change by hand in {apply_in}"
            ),
            description: Some(description),
        },
        Action::Delete => crate::Outcome::Skipped {
            reason: format!(
                "{description}: deleted in {changed_in} after synchronization; remove it by hand in {apply_in} if it should go"
            ),
            description: Some(description),
        },
    }
}

/// Refuses to link `maestro_key` to a Procore record another maestro* record is linked to:
/// the engine would keep the older link and the item would claim a link it does not have.
pub async fn ensure_unlinked(
    pool: &PgPool,
    connection_id: i64,
    kind: EntityKind,
    procore_id: i64,
    maestro_key: &str,
    description: &str,
) -> Step<()> {
    match by_procore_id(pool, connection_id, kind, procore_id).await? {
        Some(other) if other.maestro_key != maestro_key => Err(crate::Outcome::Dead(format!(
            "{description}: the Procore record with the same code (id {procore_id}) is already linked to {kind} {}; give one of them another code",
            other.maestro_key
        ))),
        _ => Ok(()),
    }
}
