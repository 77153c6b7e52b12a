//! Database creation and migrations, on the real Postgres.

use bridge_platform::db;
use bridge_platform::testing::{TestDb, database_server_url, unique_suffix, with_database};
use std::time::Duration;

#[tokio::test]
async fn every_table_of_the_design_exists_after_migrating() {
    let t = TestDb::new().await;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables
         WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations' ORDER BY 1",
    )
    .fetch_all(&t.pool)
    .await
    .unwrap();
    assert_eq!(
        tables,
        [
            "audit_log",
            "connections",
            "cursors",
            "dead_letters",
            "inbox",
            "links",
            "outbox",
            "sync_attempts",
            "sync_items"
        ]
    );
    // A second run finds nothing to do.
    assert_eq!(db::migrate(&t.pool).await.unwrap(), 0);
}

#[tokio::test]
async fn a_missing_database_is_created_once() {
    let name = format!("bridge_test_{}", unique_suffix());
    let url = with_database(&database_server_url(), &name);
    assert!(
        db::ensure_database(&url, Duration::from_secs(5))
            .await
            .unwrap()
    );
    assert!(
        !db::ensure_database(&url, Duration::from_secs(5))
            .await
            .unwrap()
    );
    let admin = sqlx::PgPool::connect(&database_server_url()).await.unwrap();
    sqlx::query(&format!("DROP DATABASE {}", db::quote_ident(&name)))
        .execute(&admin)
        .await
        .unwrap();
}

#[tokio::test]
async fn an_unreachable_server_is_named_without_its_password() {
    let url = "postgres://postgres:hunter2@127.0.0.1:1/bridge";
    let err = db::ensure_database(url, Duration::from_secs(2))
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("BRIDGE_DATABASE_URL"), "{text}");
    assert!(text.contains("127.0.0.1:1"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
}
