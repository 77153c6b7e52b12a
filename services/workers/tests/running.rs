//! The synchronization window's `running` status (rules §3): a record's sync item says
//! `running` while its handler works, and its outcome afterwards.

use bridge_domain::{Action, ChangeEvent, Direction, EntityKind, Envelope, Route, Source};
use bridge_platform::amqp::{Outgoing, Publisher};
use bridge_platform::connections::{self, NewConnection};
use bridge_platform::testing::{TestBroker, TestDb, eventually};
use bridge_workers::{Context, EngineConfig, Handler, Outcome};
use chrono::Utc;
use futures::future::BoxFuture;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

/// Projects to Procore: each message holds until the test hands out a permit.
struct Held(Arc<Semaphore>);

impl Handler for Held {
    fn route(&self) -> Route {
        Route {
            kind: EntityKind::Project,
            direction: Direction::ToProcore,
        }
    }
    fn handle<'a>(&'a self, _: &'a Context, _: &'a ChangeEvent) -> BoxFuture<'a, Outcome> {
        Box::pin(async move {
            let _permit = self.0.acquire().await;
            Outcome::Synced {
                link: None,
                description: Some("project P-1".into()),
                notes: vec![],
            }
        })
    }
}

async fn status(pool: &sqlx::PgPool) -> Option<(String, i32)> {
    sqlx::query_as("SELECT status, attempts FROM sync_items WHERE record_key = 'P-1'")
        .fetch_optional(pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn an_item_is_running_while_its_handler_works_then_shows_its_outcome() {
    let db = TestDb::new().await;
    let broker = TestBroker::new().await;
    let connection_id = connections::create(
        &db.pool,
        &NewConnection::sandbox("acme", "http://p.invalid", "http://m.invalid", 8),
    )
    .await
    .unwrap();
    let gate = Arc::new(Semaphore::new(0));
    let stop = CancellationToken::new();
    tokio::spawn(bridge_workers::run(
        db.pool.clone(),
        broker.broker.clone(),
        vec![Arc::new(Held(gate.clone()))],
        EngineConfig::default(),
        stop.clone(),
    ));
    let event = ChangeEvent {
        event_id: uuid::Uuid::now_v7(),
        connection_id,
        kind: EntityKind::Project,
        direction: Direction::ToProcore,
        source: Source::Manual,
        action: Action::Create,
        record: "P-1".into(),
        project: None,
        occurred_at: Utc::now(),
        dedup_key: "test:project:P-1".into(),
    };
    let names = broker.names();
    Publisher::new(broker.broker.clone())
        .publish(Outgoing {
            exchange: names.events_exchange(),
            routing_key: event.route().to_string(),
            body: Envelope::ChangeV1(event).to_bytes(),
            headers: vec![],
            message_id: None,
        })
        .await
        .unwrap();

    eventually(
        Duration::from_secs(10),
        "the item to be running",
        || async { status(&db.pool).await.filter(|(s, _)| s == "running") },
    )
    .await;
    // Still running while the handler holds: the status is not a passing glimpse.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(status(&db.pool).await, Some(("running".into(), 0)));

    gate.add_permits(1);
    eventually(Duration::from_secs(10), "the item to be synced", || async {
        status(&db.pool).await.filter(|(s, _)| s == "synced")
    })
    .await;
    assert_eq!(status(&db.pool).await, Some(("synced".into(), 1)));
    stop.cancel();
}
