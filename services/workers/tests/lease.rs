//! Two deliveries of one record never both create (issue 14, item 3): the engine's per-record
//! lease, on the real broker and Postgres against the emulators, and the link conflict a
//! contradicting link raises instead of being silently dropped.

mod flows_support;

use bridge_domain::{Action, ChangeEvent, Direction, EntityKind, Route, Source};
use bridge_platform::amqp::Publisher;
use bridge_platform::connections::{self, NewConnection};
use bridge_platform::inbox::{self, NewEvent};
use bridge_platform::relay::{self, RelayConfig};
use bridge_platform::testing::{TestBroker, TestDb, eventually};
use bridge_sandbox::procore::Faults;
use bridge_workers::{Context, EngineConfig, Handler, Outcome, SyncedLink};
use chrono::Utc;
use flows_support::Stack;
use futures::future::BoxFuture;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

const SUPPLIER: EntityKind = EntityKind::Supplier;
const TO_PROCORE: Direction = Direction::ToProcore;

/// `copies` inbox rows for one record, committed together so the relay publishes them at once.
async fn deliver(pool: &sqlx::PgPool, connection_id: i64, record: &str, copies: usize) {
    let rows: Vec<NewEvent> = (0..copies)
        .map(|_| NewEvent {
            connection_id,
            source: Source::Manual,
            dedup_key: format!("test:{}", uuid::Uuid::new_v4()),
            route: Some((SUPPLIER, TO_PROCORE)),
            ignored_reason: None,
            record: record.to_owned(),
            project: None,
            action: Action::Create,
            occurred_at: Utc::now(),
            payload: "{}".into(),
        })
        .collect();
    inbox::insert_now(pool, &rows).await.unwrap();
}

/// Attempts recorded for the record's item.
async fn attempts(pool: &sqlx::PgPool, record: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM sync_attempts a JOIN sync_items i ON i.id = a.sync_item_id
         WHERE i.kind = 'supplier' AND i.record_key = $1",
    )
    .bind(record)
    .fetch_one(pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn eight_concurrent_deliveries_of_one_supplier_make_one_procore_company() {
    let s = Stack::start().await;
    // Procore does not promise to refuse a repeated origin_id: only the lease may prevent a
    // second company. Slow calls make the eight handlers overlap.
    s.procore.set_origin_ids_unique(false);
    s.procore.set_faults(Faults {
        latency: Duration::from_millis(100),
        ..Faults::default()
    });
    // A first supplier warms the connection's clients up, so the eight start their lookups
    // together.
    s.add_supplier("ACIER01", "Acier Laval inc.");
    deliver(&s.db.pool, s.connection_id, "ACIER01", 1).await;
    s.wait_for(SUPPLIER, TO_PROCORE, "ACIER01", "synced").await;
    s.add_supplier("BETON01", "Béton Laval inc.");
    deliver(&s.db.pool, s.connection_id, "BETON01", 8).await;

    eventually(
        Duration::from_secs(60),
        "eight recorded attempts",
        || async { (attempts(&s.db.pool, "BETON01").await == 8).then_some(()) },
    )
    .await;
    let vendors: Vec<_> = s
        .procore_vendors()
        .into_iter()
        .filter(|v| v["abbreviated_name"] == "BETON01")
        .collect();
    assert_eq!(
        vendors.len(),
        1,
        "one company, not one per delivery: {vendors:?}"
    );
    let item = s.item(SUPPLIER, TO_PROCORE, "BETON01").await.unwrap();
    assert_eq!(item.status, "synced", "{:?}", item.messages);
    let (procore_id, _) = s.link(SUPPLIER, "BETON01").await.expect("linked");
    assert_eq!(Some(procore_id), vendors[0]["id"].as_i64());
}

/// Links every supplier to the Procore id the test sets.
struct LinkTo(Arc<AtomicI64>);
impl Handler for LinkTo {
    fn route(&self) -> Route {
        Route {
            kind: SUPPLIER,
            direction: TO_PROCORE,
        }
    }
    fn handle<'a>(&'a self, _: &'a Context, e: &'a ChangeEvent) -> BoxFuture<'a, Outcome> {
        Box::pin(async move {
            Outcome::Synced {
                link: Some(SyncedLink {
                    maestro_key: e.record.clone(),
                    procore_id: self.0.load(Ordering::SeqCst),
                    procore_project_id: None,
                    origin: "created_in_procore",
                }),
                description: None,
                notes: vec![],
            }
        })
    }
}

type Item = (String, serde_json::Value);

async fn item_after(pool: &sqlx::PgPool, record: &str, attempts_seen: i64) -> Item {
    eventually(Duration::from_secs(20), "the next attempt", || async {
        if attempts(pool, record).await < attempts_seen {
            return None;
        }
        sqlx::query_as("SELECT status, messages FROM sync_items WHERE record_key = $1")
            .bind(record)
            .fetch_optional(pool)
            .await
            .unwrap()
    })
    .await
}

#[tokio::test]
async fn a_link_contradicting_an_existing_one_fails_the_item_naming_both_records() {
    let db = TestDb::new().await;
    let broker = TestBroker::new().await;
    let connection_id = connections::create(
        &db.pool,
        &NewConnection::sandbox("acme", "http://p.invalid", "http://m.invalid", 8),
    )
    .await
    .unwrap();
    let stop = CancellationToken::new();
    let _stop = stop.clone().drop_guard();
    let target = Arc::new(AtomicI64::new(1001));
    let handlers: Vec<Arc<dyn Handler>> = vec![Arc::new(LinkTo(target.clone()))];
    tokio::spawn(bridge_workers::run(
        db.pool.clone(),
        broker.broker.clone(),
        handlers,
        EngineConfig::default(),
        stop.clone(),
    ));
    tokio::spawn(relay::run(
        db.pool.clone(),
        Publisher::new(broker.broker.clone()),
        RelayConfig {
            idle_poll: Duration::from_millis(50),
            ..RelayConfig::default()
        },
        stop.clone(),
    ));
    let links = || async {
        sqlx::query_as::<_, (String, i64)>(
            "SELECT maestro_key, procore_id FROM links ORDER BY maestro_key",
        )
        .fetch_all(&db.pool)
        .await
        .unwrap()
    };

    deliver(&db.pool, connection_id, "BETON01", 1).await;
    assert_eq!(item_after(&db.pool, "BETON01", 1).await.0, "synced");

    // The same record matched to another Procore company: failed, both named, link kept.
    target.store(1002, Ordering::SeqCst);
    deliver(&db.pool, connection_id, "BETON01", 1).await;
    let (status, messages) = item_after(&db.pool, "BETON01", 2).await;
    assert_eq!(status, "failed", "{messages}");
    let text = messages.to_string();
    for named in ["BETON01", "1001", "1002"] {
        assert!(text.contains(named), "{named} missing from {text}");
    }

    // Another record matched to a Procore company already linked: failed, both named.
    target.store(1001, Ordering::SeqCst);
    deliver(&db.pool, connection_id, "BETON02", 1).await;
    let (status, messages) = item_after(&db.pool, "BETON02", 1).await;
    assert_eq!(status, "failed", "{messages}");
    assert!(messages.to_string().contains("BETON01"), "{messages}");

    // The same link again is a redelivery: synced.
    deliver(&db.pool, connection_id, "BETON01", 1).await;
    assert_eq!(item_after(&db.pool, "BETON01", 3).await.0, "synced");
    assert_eq!(links().await, [("BETON01".to_owned(), 1001)]);
}
