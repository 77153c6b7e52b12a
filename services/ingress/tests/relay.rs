//! The outbox relay (`bridge_platform::relay`) on the real Postgres and RabbitMQ, fed by the
//! ingress as `bridge up` wires them.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use bridge_domain::{Action, ChangeEvent, Direction, EntityKind, Envelope, Route, Source};
use bridge_ingress::{GroupCommit, GroupCommitConfig, Ingress, router};
use bridge_platform::Secret;
use bridge_platform::amqp::{Broker, Publisher, Subscription, Topology};
use bridge_platform::connections::authorization_hash;
use bridge_platform::connections::{self, NewConnection};
use bridge_platform::inbox::{self, NewEvent};
use bridge_platform::relay::{self, Handoff, RelayConfig};
use bridge_platform::testing::{PrivateRabbit, TestBroker, TestDb, eventually};
use chrono::Utc;
use std::collections::BTreeSet;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt as _;

const PO: Route = Route {
    kind: EntityKind::PurchaseOrder,
    direction: Direction::ToMaestro,
};

async fn connection(db: &TestDb) -> i64 {
    let id = connections::create(
        &db.pool,
        &NewConnection::sandbox("acme", "http://p.invalid", "http://m.invalid", 8),
    )
    .await
    .unwrap();
    connections::set_webhook_auth(&db.pool, id, &[authorization_hash("Bearer k")])
        .await
        .unwrap();
    id
}

fn row(connection_id: i64, key: &str, route: Option<Route>) -> NewEvent {
    NewEvent {
        connection_id,
        source: Source::ProcoreWebhook,
        dedup_key: key.to_owned(),
        route: route.map(|r| (r.kind, r.direction)),
        ignored_reason: route.is_none().then(|| "not synchronized".to_owned()),
        record: format!("rec-{key}"),
        project: Some("77".into()),
        action: Action::Create,
        occurred_at: Utc::now(),
        payload: "{}".into(),
    }
}

async fn statuses(db: &TestDb) -> Vec<(String, String)> {
    sqlx::query_as("SELECT dedup_key, status FROM inbox ORDER BY dedup_key")
        .fetch_all(&db.pool)
        .await
        .unwrap()
}

/// Receives and acks `n` change messages, with their AMQP message ids.
async fn take(work: &mut Subscription, n: usize) -> Vec<(ChangeEvent, Option<String>)> {
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let incoming = tokio::time::timeout(Duration::from_secs(5), work.next())
            .await
            .expect("a change message within 5 s")
            .unwrap();
        let Envelope::ChangeV1(event) = Envelope::from_bytes(incoming.body()).unwrap();
        out.push((event, incoming.message_id().map(str::to_owned)));
        incoming.ack().await.unwrap();
    }
    out
}

#[tokio::test]
async fn pending_rows_are_published_as_change_messages_and_marked_once_confirmed() {
    let db = TestDb::new().await;
    let t = TestBroker::new().await;
    let id = connection(&db).await;
    inbox::insert_now(
        &db.pool,
        &[
            row(id, "a", Some(PO)),
            row(id, "b", Some(PO)),
            row(id, "c", None),
        ],
    )
    .await
    .unwrap();

    let publisher = Publisher::new(t.broker.clone());
    let published = relay::drain(&db.pool, &publisher, &RelayConfig::default())
        .await
        .unwrap();
    assert_eq!(published, 2);
    assert_eq!(
        statuses(&db).await,
        [
            ("a".into(), "routed".into()),
            ("b".into(), "routed".into()),
            ("c".into(), "ignored".into())
        ]
    );
    assert_eq!(inbox::unpublished(&db.pool).await.unwrap(), 0);

    let mut work = Subscription::new(t.broker.clone(), t.names().work_queue(PO), 10);
    let mut records = BTreeSet::new();
    for (event, message_id) in take(&mut work, 2).await {
        assert_eq!(event.connection_id, id);
        assert_eq!(event.route(), PO);
        assert_eq!(event.project.as_deref(), Some("77"));
        assert_eq!(message_id, Some(event.event_id.to_string()));
        records.insert(event.record);
    }
    assert_eq!(
        records,
        BTreeSet::from(["rec-a".to_owned(), "rec-b".to_owned()])
    );
    // A second pass finds nothing left to do.
    assert_eq!(
        relay::drain(&db.pool, &publisher, &RelayConfig::default())
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn handed_off_rows_are_left_to_their_process_until_the_grace_period_ends() {
    let db = TestDb::new().await;
    let t = TestBroker::new().await;
    let id = connection(&db).await;
    // An ingress that committed a row for its own relay, then stopped before handing it over.
    let mut tx = db.pool.begin().await.unwrap();
    let handed = inbox::insert_handed_off(&mut *tx, &[row(id, "h", Some(PO)), row(id, "i", None)])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(handed.len(), 1, "only the routed row is handed over");
    assert_eq!(handed[0].dedup_key, "h");
    // Typed all the way: the hand-off carries the message itself, route included.
    assert_eq!(handed[0].route(), PO);
    assert_eq!(handed[0].source, Source::ProcoreWebhook);
    // A poller's row, which nobody hands over.
    inbox::insert_now(&db.pool, &[row(id, "p", Some(PO))])
        .await
        .unwrap();

    let publisher = Publisher::new(t.broker.clone());
    let patient = RelayConfig {
        handoff_grace: Duration::from_secs(3600),
        ..RelayConfig::default()
    };
    assert_eq!(
        relay::drain(&db.pool, &publisher, &patient).await.unwrap(),
        1
    );
    assert_eq!(inbox::unpublished(&db.pool).await.unwrap(), 1);

    let expired = RelayConfig {
        handoff_grace: Duration::ZERO,
        ..RelayConfig::default()
    };
    assert_eq!(
        relay::drain(&db.pool, &publisher, &expired).await.unwrap(),
        1
    );
    assert_eq!(inbox::unpublished(&db.pool).await.unwrap(), 0);

    let mut work = Subscription::new(t.broker.clone(), t.names().work_queue(PO), 10);
    let records: BTreeSet<String> = take(&mut work, 2)
        .await
        .into_iter()
        .map(|(event, _)| event.record)
        .collect();
    assert_eq!(
        records,
        BTreeSet::from(["rec-h".to_owned(), "rec-p".to_owned()])
    );
}

#[tokio::test]
async fn a_burst_accepted_while_rabbitmq_is_stopped_is_published_once_it_is_back() {
    let node = PrivateRabbit::start().await;
    let db = TestDb::new().await;
    let id = connection(&db).await;
    let shutdown = CancellationToken::new();
    let topology = Topology::new(
        bridge_domain::routing::Names::new("burst"),
        3,
        [1, 2, 3, 4, 5].map(Duration::from_secs),
    );
    let broker = Broker::connect(
        Secret::new(node.url.clone()),
        topology.clone(),
        Duration::from_secs(10),
        shutdown.clone(),
    )
    .await
    .unwrap();
    // Wired as `bridge up` wires them: the ingress hands rows to its relay, the sweeper takes
    // what the hand-off gives back.
    let config = RelayConfig {
        publish_timeout: Duration::from_secs(2),
        ..RelayConfig::default()
    };
    let (handoff, handed) = Handoff::channel(Handoff::DEFAULT_BATCHES);
    let relay_tasks = [
        tokio::spawn(relay::run_handed_off(
            db.pool.clone(),
            Publisher::new(broker.clone()),
            handed,
            config.clone(),
            shutdown.clone(),
        )),
        tokio::spawn(relay::run(
            db.pool.clone(),
            Publisher::new(broker.clone()),
            config,
            shutdown.clone(),
        )),
    ];
    let commit =
        GroupCommit::start_handing_off(db.pool.clone(), GroupCommitConfig::default(), handoff);
    let app = router(Ingress::new(db.pool.clone(), commit));

    node.stop_app().await;
    let burst = 200;
    for n in 0..burst {
        let body = serde_json::json!({
            "id": n, "ulid": format!("01HBURST{n:018}"), "event_type": "update",
            "resource_name": "Purchase Order Contracts", "resource_id": 1000 + n,
            "project_id": 77, "company_id": 8, "timestamp": "2026-11-20T10:00:00Z"
        });
        let req = Request::post("/webhooks/procore/acme")
            .header("authorization", "Bearer k")
            .body(Body::from(body.to_string()))
            .unwrap();
        assert_eq!(
            app.clone().oneshot(req).await.unwrap().status(),
            StatusCode::ACCEPTED
        );
    }
    let pending = inbox::unpublished(&db.pool).await.unwrap();
    assert_eq!(
        pending, burst,
        "rows must wait in Postgres while the broker is down"
    );

    node.start_app().await;
    let mut work = Subscription::new(broker.clone(), topology.names.work_queue(PO), 50);
    let mut records = BTreeSet::new();
    while records.len() < burst as usize {
        let incoming = tokio::time::timeout(Duration::from_secs(30), work.next())
            .await
            .expect("the burst did not arrive after the broker came back")
            .unwrap();
        let Envelope::ChangeV1(event) = Envelope::from_bytes(incoming.body()).unwrap();
        assert_eq!(event.connection_id, id);
        records.insert(event.record);
        incoming.ack().await.unwrap();
    }
    eventually(
        Duration::from_secs(10),
        "every row taken off the outbox",
        || {
            let pool = db.pool.clone();
            async move { (inbox::unpublished(&pool).await.ok()? == 0).then_some(()) }
        },
    )
    .await;
    shutdown.cancel();
    for task in relay_tasks {
        task.await.unwrap().unwrap();
    }
}
