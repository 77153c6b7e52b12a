//! The engine on the real RabbitMQ and Postgres, with handlers that follow the dependency
//! rules of the entity table (a purchase order needs its supplier linked).

use bridge_domain::{Action, ChangeEvent, Direction, EntityKind, Route, Source};
use bridge_platform::amqp::{Outgoing, Publisher};
use bridge_platform::connections::{self, NewConnection};
use bridge_platform::inbox::{self, NewEvent};
use bridge_platform::relay::{self, RelayConfig};
use bridge_platform::testing::{TestBroker, TestDb, eventually};
use bridge_workers::{Context, Dependency, EngineConfig, Handler, Outcome, SyncedLink};
use chrono::Utc;
use futures::future::BoxFuture;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// Suppliers: always synced, linked under their code.
struct Suppliers;
impl Handler for Suppliers {
    fn route(&self) -> Route {
        Route {
            kind: EntityKind::Supplier,
            direction: Direction::ToProcore,
        }
    }
    fn handle<'a>(&'a self, _: &'a Context, e: &'a ChangeEvent) -> BoxFuture<'a, Outcome> {
        Box::pin(async move {
            Outcome::Synced {
                link: Some(SyncedLink {
                    maestro_key: e.record.clone(),
                    procore_id: 9_007_199_254_740_993,
                    procore_project_id: None,
                    origin: "created_in_procore",
                }),
                description: Some(format!("supplier {}", e.record)),
                notes: vec![],
            }
        })
    }
}

/// Purchase orders: the record key is `<order>/<supplier>`; waits for the supplier's link.
struct Orders;
impl Handler for Orders {
    fn route(&self) -> Route {
        Route {
            kind: EntityKind::PurchaseOrder,
            direction: Direction::ToMaestro,
        }
    }
    fn handle<'a>(&'a self, ctx: &'a Context, e: &'a ChangeEvent) -> BoxFuture<'a, Outcome> {
        Box::pin(async move {
            let Some((_, supplier)) = e.record.split_once('/') else {
                return Outcome::Dead(format!("`{}` names no supplier", e.record));
            };
            let linked: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM links WHERE connection_id = $1
                                AND kind = 'supplier' AND maestro_key = $2)",
            )
            .bind(e.connection_id)
            .bind(supplier)
            .fetch_one(&ctx.pool)
            .await
            .unwrap_or(false);
            if !linked {
                return Outcome::Wait(Dependency {
                    kind: EntityKind::Supplier,
                    maestro_key: supplier.to_owned(),
                    description: format!("supplier {supplier} is not linked to Procore"),
                });
            }
            Outcome::Synced {
                link: None,
                description: None,
                notes: vec![],
            }
        })
    }
}

struct Running {
    db: TestDb,
    broker: TestBroker,
    connection_id: i64,
    stop: CancellationToken,
}

async fn start(delays: [u64; 5], max_attempts: u32) -> Running {
    let db = TestDb::new().await;
    let broker = TestBroker::with_delays(delays.map(Duration::from_secs)).await;
    let connection_id = connections::create(
        &db.pool,
        &NewConnection::sandbox("acme", "http://p.invalid", "http://m.invalid", 8),
    )
    .await
    .unwrap();
    let stop = CancellationToken::new();
    let handlers: Vec<Arc<dyn Handler>> = vec![Arc::new(Suppliers), Arc::new(Orders)];
    let config = EngineConfig {
        max_attempts,
        ..EngineConfig::default()
    };
    tokio::spawn(bridge_workers::run(
        db.pool.clone(),
        broker.broker.clone(),
        handlers,
        config,
        stop.clone(),
    ));
    tokio::spawn(bridge_workers::run_archiver(
        db.pool.clone(),
        broker.broker.clone(),
        stop.clone(),
    ));
    tokio::spawn(relay::run(
        db.pool.clone(),
        Publisher::new(broker.broker.clone()),
        RelayConfig {
            idle_poll: Duration::from_millis(100),
            ..RelayConfig::default()
        },
        stop.clone(),
    ));
    Running {
        db,
        broker,
        connection_id,
        stop,
    }
}

async fn emit(r: &Running, kind: EntityKind, direction: Direction, record: &str) {
    inbox::insert_now(
        &r.db.pool,
        &[NewEvent {
            connection_id: r.connection_id,
            source: Source::Manual,
            dedup_key: format!("test:{kind}:{record}"),
            route: Some((kind, direction)),
            ignored_reason: None,
            record: record.to_owned(),
            project: None,
            action: Action::Create,
            occurred_at: Utc::now(),
            payload: "{}".into(),
        }],
    )
    .await
    .unwrap();
}

async fn item(
    r: &Running,
    kind: &str,
    record: &str,
) -> Option<(String, Option<String>, serde_json::Value)> {
    sqlx::query_as(
        "SELECT status, waiting_on, messages FROM sync_items WHERE kind = $1 AND record_key = $2",
    )
    .bind(kind)
    .bind(record)
    .fetch_optional(&r.db.pool)
    .await
    .unwrap()
}

async fn wait_for_status(r: &Running, kind: &str, record: &str, status: &str, within: Duration) {
    eventually(
        within,
        &format!("{kind} {record} to be {status}"),
        || async {
            item(r, kind, record)
                .await
                .filter(|(s, _, _)| s == status)
                .map(drop)
        },
    )
    .await;
}

#[tokio::test]
async fn a_supplier_arriving_after_its_order_releases_the_order_within_a_second() {
    // Retry tiers of a minute and more: only the wake can release the order quickly.
    let r = start([60, 120, 180, 240, 300], 12).await;
    emit(
        &r,
        EntityKind::PurchaseOrder,
        Direction::ToMaestro,
        "PO-1/BETON01",
    )
    .await;
    wait_for_status(
        &r,
        "purchase_order",
        "PO-1/BETON01",
        "waiting",
        Duration::from_secs(10),
    )
    .await;
    let (_, waiting_on, messages) = item(&r, "purchase_order", "PO-1/BETON01").await.unwrap();
    assert_eq!(waiting_on.as_deref(), Some("supplier:BETON01"));
    assert!(
        messages
            .to_string()
            .contains("supplier BETON01 is not linked to Procore"),
        "{messages}"
    );

    emit(&r, EntityKind::Supplier, Direction::ToProcore, "BETON01").await;
    wait_for_status(&r, "supplier", "BETON01", "synced", Duration::from_secs(10)).await;
    let linked_at = Instant::now();
    wait_for_status(
        &r,
        "purchase_order",
        "PO-1/BETON01",
        "synced",
        Duration::from_secs(5),
    )
    .await;
    let released = linked_at.elapsed();
    assert!(
        released < Duration::from_secs(1),
        "released {released:?} after the link"
    );
    let link: i64 =
        sqlx::query_scalar("SELECT procore_id FROM links WHERE maestro_key = 'BETON01'")
            .fetch_one(&r.db.pool)
            .await
            .unwrap();
    assert_eq!(link, 9_007_199_254_740_993);
    r.stop.cancel();
}

#[tokio::test]
async fn a_dependency_that_never_appears_ends_as_a_dead_letter_naming_it() {
    let r = start([1, 1, 1, 1, 1], 3).await;
    emit(
        &r,
        EntityKind::PurchaseOrder,
        Direction::ToMaestro,
        "PO-2/NOBODY",
    )
    .await;
    wait_for_status(
        &r,
        "purchase_order",
        "PO-2/NOBODY",
        "dead",
        Duration::from_secs(20),
    )
    .await;
    let (reason, status, queue): (String, String, Option<String>) = eventually(
        Duration::from_secs(10),
        "the dead letter archived",
        || async {
            sqlx::query_as("SELECT reason, status, queue FROM dead_letters")
                .fetch_optional(&r.db.pool)
                .await
                .unwrap()
        },
    )
    .await;
    assert!(
        reason.contains("supplier NOBODY is not linked to Procore"),
        "{reason}"
    );
    assert!(reason.contains("3 attempts"), "{reason}");
    assert_eq!(status, "dead");
    assert_eq!(queue, Some(r.broker.names().work_queue(Orders.route())));
    let attempts: i64 = sqlx::query_scalar("SELECT count(*) FROM sync_attempts")
        .fetch_one(&r.db.pool)
        .await
        .unwrap();
    assert_eq!(attempts, 3);
    r.stop.cancel();
}

#[tokio::test]
async fn an_unreadable_message_is_archived_not_lost() {
    let r = start([1, 1, 1, 1, 1], 3).await;
    let publisher = Publisher::new(r.broker.broker.clone());
    publisher
        .publish(Outgoing {
            exchange: r.broker.names().events_exchange(),
            routing_key: Suppliers.route().routing_key(),
            body: b"{\"type\": \"change.v0\"}".to_vec(),
            headers: vec![],
            message_id: None,
        })
        .await
        .unwrap();
    let reason: String = eventually(
        Duration::from_secs(10),
        "the unreadable message archived",
        || async {
            sqlx::query_scalar("SELECT reason FROM dead_letters")
                .fetch_optional(&r.db.pool)
                .await
                .unwrap()
        },
    )
    .await;
    assert!(reason.starts_with("unreadable message"), "{reason}");
    assert!(reason.contains("change.v0"), "{reason}");
    r.stop.cancel();
}

#[tokio::test]
async fn a_kind_turned_off_for_the_connection_is_skipped_with_a_message() {
    let r = start([1, 1, 1, 1, 1], 3).await;
    sqlx::query(
        "UPDATE connections SET settings = '{\"entities\": {\"supplier.to_procore\": false}}'
         WHERE id = $1",
    )
    .bind(r.connection_id)
    .execute(&r.db.pool)
    .await
    .unwrap();
    emit(&r, EntityKind::Supplier, Direction::ToProcore, "BETON02").await;
    wait_for_status(
        &r,
        "supplier",
        "BETON02",
        "skipped",
        Duration::from_secs(10),
    )
    .await;
    let (_, _, messages) = item(&r, "supplier", "BETON02").await.unwrap();
    assert!(
        messages
            .to_string()
            .contains("synchronization of supplier from maestro* to Procore is turned off"),
        "{messages}"
    );
    let links: i64 = sqlx::query_scalar("SELECT count(*) FROM links")
        .fetch_one(&r.db.pool)
        .await
        .unwrap();
    assert_eq!(links, 0, "a skipped supplier must not be linked");
    r.stop.cancel();
}
