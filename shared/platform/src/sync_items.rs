//! Sync items and links as the pollers read them (the workers own most of the writing).

use bridge_domain::{Direction, EntityKind};
use serde_json::json;
use sqlx::PgPool;
use std::collections::{HashMap, HashSet};

/// The maestro* keys of `kind` already linked on this connection.
pub async fn linked_maestro_keys(
    pool: &PgPool,
    connection_id: i64,
    kind: EntityKind,
) -> Result<HashSet<String>, sqlx::Error> {
    let keys: Vec<String> =
        sqlx::query_scalar("SELECT maestro_key FROM links WHERE connection_id = $1 AND kind = $2")
            .bind(connection_id)
            .bind(kind.as_str())
            .fetch_all(pool)
            .await?;
    Ok(keys.into_iter().collect())
}

/// The status of each of `keys` (sync items of `kind` in `direction`); absent keys have none.
pub async fn statuses(
    pool: &PgPool,
    connection_id: i64,
    kind: EntityKind,
    direction: Direction,
    keys: &[String],
) -> Result<HashMap<String, String>, sqlx::Error> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT record_key, status FROM sync_items
         WHERE connection_id = $1 AND kind = $2 AND direction = $3 AND record_key = ANY($4)",
    )
    .bind(connection_id)
    .bind(kind.as_str())
    .bind(direction.as_str())
    .bind(keys)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().collect())
}

/// Records that a record could not be read or sent, as an error message on its sync item, so
/// the user sees it in the synchronization manager. Other records carry on.
pub async fn record_problem(
    pool: &PgPool,
    connection_id: i64,
    kind: EntityKind,
    direction: Direction,
    record_key: &str,
    message: &str,
) -> Result<(), sqlx::Error> {
    let entry = json!([{ "level": "error", "text": message, "at": chrono::Utc::now() }]);
    sqlx::query(
        "INSERT INTO sync_items (connection_id, kind, direction, record_key, status, messages)
         VALUES ($1, $2, $3, $4, 'failed', $5)
         ON CONFLICT (connection_id, kind, direction, record_key) DO UPDATE
         SET status = 'failed', messages = sync_items.messages || EXCLUDED.messages,
             updated_at = now()",
    )
    .bind(connection_id)
    .bind(kind.as_str())
    .bind(direction.as_str())
    .bind(record_key)
    .bind(entry)
    .execute(pool)
    .await
    .map(drop)
}

/// Stores a poller watermark.
pub async fn set_cursor(
    pool: &PgPool,
    connection_id: i64,
    name: &str,
    scope: &str,
    position: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO cursors (connection_id, name, scope, position) VALUES ($1, $2, $3, $4)
         ON CONFLICT (connection_id, name, scope) DO UPDATE
         SET position = EXCLUDED.position, updated_at = now()",
    )
    .bind(connection_id)
    .bind(name)
    .bind(scope)
    .bind(position)
    .execute(pool)
    .await
    .map(drop)
}

/// Reads a poller watermark.
pub async fn cursor(
    pool: &PgPool,
    connection_id: i64,
    name: &str,
    scope: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT position FROM cursors WHERE connection_id = $1 AND name = $2 AND scope = $3",
    )
    .bind(connection_id)
    .bind(name)
    .bind(scope)
    .fetch_optional(pool)
    .await
}
