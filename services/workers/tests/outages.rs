//! The engine under faults: a Postgres outage longer than a minute spends no delivery
//! attempts and dead-letters nothing, and a shutdown finishes the work in flight instead of
//! handing it back to the broker.
//!
//! The outage is made by a TCP proxy of the test's own between the workers' pool and the
//! shared Postgres: cutting it drops every connection and refuses new ones, and leaves the
//! server (used by the other tests) alone.

use bridge_domain::routing::HEADER_DEAD_REASON;
use bridge_domain::{Action, ChangeEvent, Direction, EntityKind, Envelope, Route, Source};
use bridge_platform::Secret;
use bridge_platform::amqp::{Broker, HeaderValue, Outgoing, Publisher};
use bridge_platform::connections::{self, NewConnection};
use bridge_platform::testing::{TestBroker, TestDb, amqp_url, eventually};
use bridge_workers::{Context, EngineConfig, Handler, Outcome, SyncedLink};
use chrono::Utc;
use futures::future::BoxFuture;
use sqlx::PgPool;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

/// Suppliers to Procore: linked under their code after `pause`, counting the calls.
struct Suppliers {
    calls: Arc<AtomicUsize>,
    pause: Duration,
}

impl Handler for Suppliers {
    fn route(&self) -> Route {
        Route {
            kind: EntityKind::Supplier,
            direction: Direction::ToProcore,
        }
    }
    fn handle<'a>(&'a self, _: &'a Context, e: &'a ChangeEvent) -> BoxFuture<'a, Outcome> {
        Box::pin(async move {
            self.calls.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(self.pause).await;
            Outcome::Synced {
                link: Some(SyncedLink {
                    maestro_key: e.record.clone(),
                    procore_id: e.record.bytes().fold(7, |h, b| h * 31 + i64::from(b)),
                    procore_project_id: None,
                    origin: "created_in_procore",
                }),
                description: Some(format!("supplier {}", e.record)),
                notes: vec![],
            }
        })
    }
}

/// A TCP proxy to Postgres that can be cut (every connection dropped, new ones refused) and
/// restored.
struct Proxy {
    addr: SocketAddr,
    up: Arc<AtomicBool>,
    epoch: Arc<Mutex<CancellationToken>>,
}

impl Proxy {
    async fn start(target: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let up = Arc::new(AtomicBool::new(true));
        let epoch = Arc::new(Mutex::new(CancellationToken::new()));
        let (up2, epoch2) = (up.clone(), epoch.clone());
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                // The token first: a cut in between cancels it, or has already turned `up` off.
                let token = epoch2.lock().unwrap().clone();
                if !up2.load(Ordering::SeqCst) {
                    continue;
                }
                tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = token.cancelled() => {}
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                    }
                });
            }
        });
        Proxy { addr, up, epoch }
    }

    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        let old = std::mem::take(&mut *self.epoch.lock().unwrap());
        old.cancel();
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

/// A pool on the test database through `proxy`, timing out like the bridge's own.
async fn pool_through(db: &TestDb, proxy: &Proxy) -> PgPool {
    let mut url = url::Url::parse(&db.url).unwrap();
    url.set_port(Some(proxy.addr.port())).unwrap();
    sqlx::postgres::PgPoolOptions::new()
        .max_connections(5)
        .acquire_timeout(Duration::from_secs(2))
        .connect_with(bridge_platform::db::options(url.as_str()).unwrap())
        .await
        .unwrap()
}

fn postgres_addr(db: &TestDb) -> SocketAddr {
    let url = url::Url::parse(&db.url).unwrap();
    let host = url.host_str().unwrap_or("127.0.0.1");
    let host = if host == "localhost" {
        "127.0.0.1"
    } else {
        host
    };
    format!("{host}:{}", url.port().unwrap_or(5432))
        .parse()
        .unwrap()
}

fn supplier_event(connection_id: i64, record: &str) -> Outgoing {
    let event = ChangeEvent {
        event_id: uuid::Uuid::new_v4(),
        connection_id,
        kind: EntityKind::Supplier,
        direction: Direction::ToProcore,
        source: Source::Manual,
        action: Action::Create,
        record: record.to_owned(),
        project: None,
        occurred_at: Utc::now(),
        dedup_key: format!("test:supplier:{record}"),
    };
    Outgoing {
        exchange: String::new(),
        routing_key: event.route().routing_key(),
        body: Envelope::ChangeV1(event).to_bytes(),
        headers: vec![],
        message_id: None,
    }
}

async fn publish_suppliers(publisher: &Publisher, broker: &Broker, connection: i64, keys: &[&str]) {
    for key in keys {
        let mut out = supplier_event(connection, key);
        out.exchange = broker.topology().names.events_exchange();
        publisher.publish(out).await.unwrap();
    }
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_of_over_a_minute_dead_letters_nothing_and_records_everything_after() {
    let db = TestDb::new().await;
    // Delivery limit 3: returning a message to its queue three times dead-letters it.
    let broker = TestBroker::new().await;
    let connection = connections::create(
        &db.pool,
        &NewConnection::sandbox("acme", "http://p.invalid", "http://m.invalid", 8),
    )
    .await
    .unwrap();
    let proxy = Proxy::start(postgres_addr(&db)).await;
    let pool = pool_through(&db, &proxy).await;
    let calls = Arc::new(AtomicUsize::new(0));
    let handler = Arc::new(Suppliers {
        calls: calls.clone(),
        pause: Duration::ZERO,
    });
    let stop = broker.shutdown.clone();
    tokio::spawn(bridge_workers::run(
        pool.clone(),
        broker.broker.clone(),
        vec![handler],
        EngineConfig::default(),
        stop.clone(),
    ));
    tokio::spawn(bridge_workers::run_archiver(
        pool.clone(),
        broker.broker.clone(),
        stop.clone(),
    ));

    proxy.cut();
    let publisher = Publisher::new(broker.broker.clone());
    let keys = ["S-1", "S-2", "S-3", "S-4", "S-5"];
    publish_suppliers(&publisher, &broker.broker, connection, &keys).await;
    // A dead letter arriving during the outage: the archiver must hold it, not bounce it.
    publisher
        .publish(Outgoing {
            exchange: broker.names().dead_exchange(),
            routing_key: "supplier.to_procore".into(),
            body: b"{\"not\": \"an event\"}".to_vec(),
            headers: vec![(
                HEADER_DEAD_REASON.into(),
                HeaderValue::Text("injected during the outage".into()),
            )],
            message_id: None,
        })
        .await
        .unwrap();
    // The outage itself: longer than a minute, far longer than three returns would take.
    tokio::time::sleep(Duration::from_secs(65)).await;
    proxy.restore();

    eventually(Duration::from_secs(60), "every supplier synced", || {
        let pool = db.pool.clone();
        async move {
            let n = count(
                &pool,
                "SELECT count(*) FROM sync_items WHERE status = 'synced'",
            )
            .await;
            (n == 5).then_some(())
        }
    })
    .await;
    eventually(Duration::from_secs(60), "the injected dead letter archived", || {
        let pool = db.pool.clone();
        async move { (count(&pool, "SELECT count(*) FROM dead_letters").await >= 1).then_some(()) }
    })
    .await;
    let dead: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT reason, headers ->> 'x-delivery-count' FROM dead_letters")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    assert_eq!(
        dead,
        vec![("injected during the outage".to_owned(), None)],
        "only the injected letter is dead, and it was never returned to its queue"
    );
    let items = count(&db.pool, "SELECT count(*) FROM sync_items").await;
    let links = count(&db.pool, "SELECT count(*) FROM links").await;
    assert_eq!((items, links), (5, 5));
    // One recorded attempt per supplier: nothing was handled again after being recorded.
    let attempts = count(&db.pool, "SELECT count(*) FROM sync_attempts").await;
    assert_eq!(attempts, 5);
    assert_eq!(
        calls.load(Ordering::SeqCst),
        5,
        "each supplier handled once"
    );
    stop.cancel();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shutdown_finishes_the_work_in_flight_and_nothing_is_delivered_again() {
    let db = TestDb::new().await;
    let broker = TestBroker::new().await;
    let connection = connections::create(
        &db.pool,
        &NewConnection::sandbox("acme", "http://p.invalid", "http://m.invalid", 8),
    )
    .await
    .unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let slow = Arc::new(Suppliers {
        calls: calls.clone(),
        pause: Duration::from_secs(1),
    });
    let config = EngineConfig {
        prefetch: 8,
        concurrency: 8,
        ..EngineConfig::default()
    };
    let engine = tokio::spawn(bridge_workers::run(
        db.pool.clone(),
        broker.broker.clone(),
        vec![slow],
        config.clone(),
        broker.shutdown.clone(),
    ));
    let publisher = Publisher::new(broker.broker.clone());
    let keys = ["S-1", "S-2", "S-3", "S-4", "S-5", "S-6", "S-7", "S-8"];
    publish_suppliers(&publisher, &broker.broker, connection, &keys).await;
    eventually(
        Duration::from_secs(30),
        "all eight handlers running",
        || {
            let n = calls.load(Ordering::SeqCst);
            async move { (n == keys.len()).then_some(()) }
        },
    )
    .await;

    // SIGTERM, as `bridge up` sees it: one token for everything, the broker's included.
    broker.shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(10), engine)
        .await
        .expect("the engine stops within its bound")
        .unwrap()
        .unwrap();
    assert_eq!(
        count(&db.pool, "SELECT count(*) FROM sync_attempts").await,
        8
    );

    // A new process on the same queues: what the first one finished must not come back.
    let again = CancellationToken::new();
    let second = Broker::connect(
        Secret::new(amqp_url()),
        broker.topology.clone(),
        Duration::from_secs(10),
        again.clone(),
    )
    .await
    .unwrap();
    let fast = Arc::new(Suppliers {
        calls: Arc::new(AtomicUsize::new(0)),
        pause: Duration::ZERO,
    });
    tokio::spawn(bridge_workers::run(
        db.pool.clone(),
        second.clone(),
        vec![fast],
        config,
        again.clone(),
    ));
    let publisher = Publisher::new(second.clone());
    publish_suppliers(&publisher, &second, connection, &["S-sentinel"]).await;
    eventually(Duration::from_secs(30), "the sentinel synced", || {
        let pool = db.pool.clone();
        async move {
            let n = count(
                &pool,
                "SELECT count(*) FROM sync_items WHERE record_key = 'S-sentinel' AND status = 'synced'",
            )
            .await;
            (n == 1).then_some(())
        }
    })
    .await;
    let per_item: Vec<(String, i64)> = sqlx::query_as(
        "SELECT i.record_key, count(a.*) FROM sync_items i
         JOIN sync_attempts a ON a.sync_item_id = i.id
         GROUP BY i.record_key ORDER BY i.record_key",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(per_item.len(), 9, "{per_item:?}");
    assert!(
        per_item.iter().all(|(_, n)| *n == 1),
        "every item was attempted once: {per_item:?}"
    );
    again.cancel();
}
