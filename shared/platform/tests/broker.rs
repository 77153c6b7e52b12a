//! The broker topology and the consume/settle helpers, on the real RabbitMQ.

use bridge_domain::routing::{HEADER_DEAD_REASON, HEADER_ORIGIN_QUEUE, RetryTier};
use bridge_domain::{Direction, EntityKind, Route};
use bridge_platform::Secret;
use bridge_platform::amqp::headers;
use bridge_platform::amqp::{Broker, Incoming, Outgoing, PublishError, Publisher, Subscription};
use bridge_platform::testing::{PrivateRabbit, TestBroker, unique_suffix};
use std::time::{Duration, Instant};

const ROUTE: Route = Route {
    kind: EntityKind::Project,
    direction: Direction::ToProcore,
};

fn message(names: &bridge_domain::routing::Names, body: &str) -> Outgoing {
    Outgoing {
        exchange: names.events_exchange(),
        routing_key: ROUTE.routing_key(),
        body: body.as_bytes().to_vec(),
        headers: vec![],
        message_id: Some(format!("m-{}", unique_suffix())),
    }
}

async fn next(sub: &mut Subscription, within: Duration) -> Incoming {
    tokio::time::timeout(within, sub.next())
        .await
        .unwrap_or_else(|_| panic!("no message on {} within {within:?}", sub.queue()))
        .expect("subscription ended")
}

#[tokio::test]
async fn a_retried_message_comes_back_to_its_queue_after_the_tier_delay_with_its_attempt_raised() {
    let t = TestBroker::new().await;
    let publisher = Publisher::new(t.broker.clone());
    let mut work = Subscription::new(t.broker.clone(), t.names().work_queue(ROUTE), 10);
    publisher
        .publish(message(t.names(), "P-1001"))
        .await
        .unwrap();

    let first = next(&mut work, Duration::from_secs(5)).await;
    assert_eq!(first.attempt(), 0);
    let sent_at = Instant::now();
    assert_eq!(first.retry(&publisher).await.unwrap(), RetryTier::Seconds5);

    let second = next(&mut work, Duration::from_secs(15)).await;
    let waited = sent_at.elapsed();
    assert_eq!(second.body(), b"P-1001");
    assert_eq!(second.routing_key(), "project.to_procore");
    assert_eq!(second.attempt(), 1);
    // The first tier waits 1 s in the test topology.
    assert!(
        waited >= Duration::from_millis(900),
        "came back after {waited:?}"
    );
    assert_eq!(
        second.retry(&publisher).await.unwrap(),
        RetryTier::Seconds30
    );

    let third = next(&mut work, Duration::from_secs(15)).await;
    assert_eq!(third.attempt(), 2);
    assert!(sent_at.elapsed() >= Duration::from_millis(2900));
    third.ack().await.unwrap();
}

#[tokio::test]
async fn a_message_rejected_past_the_delivery_limit_lands_in_the_dead_letter_queue() {
    let t = TestBroker::new().await;
    let publisher = Publisher::new(t.broker.clone());
    let mut work = Subscription::new(t.broker.clone(), t.names().work_queue(ROUTE), 10);
    let mut dead = Subscription::new(t.broker.clone(), t.names().dead_letter_queue(), 10);
    publisher
        .publish(message(t.names(), "poison"))
        .await
        .unwrap();

    // The test topology allows 3 redeliveries; reject until the broker gives up on it.
    let mut rejections = 0;
    let dead_letter = loop {
        tokio::select! {
            incoming = work.next() => {
                incoming.expect("work subscription ended").reject().await.unwrap();
                rejections += 1;
                assert!(rejections <= 10, "the delivery limit was never applied");
            }
            incoming = dead.next() => break incoming.expect("dead subscription ended"),
            _ = tokio::time::sleep(Duration::from_secs(15)) => panic!("nothing dead-lettered"),
        }
    };
    assert_eq!(dead_letter.body(), b"poison");
    let h = dead_letter.headers_json();
    assert_eq!(h["x-first-death-reason"], "delivery_limit", "{h}");
    assert_eq!(h["x-first-death-queue"], t.names().work_queue(ROUTE), "{h}");
    assert!(
        rejections >= 3,
        "dead-lettered after only {rejections} rejections"
    );
    dead_letter.ack().await.unwrap();
}

#[tokio::test]
async fn the_dead_letter_helper_moves_a_message_with_its_reason() {
    let t = TestBroker::new().await;
    let publisher = Publisher::new(t.broker.clone());
    let mut work = Subscription::new(t.broker.clone(), t.names().work_queue(ROUTE), 10);
    let mut dead = Subscription::new(t.broker.clone(), t.names().dead_letter_queue(), 10);
    publisher.publish(message(t.names(), "PO-7")).await.unwrap();

    let incoming = next(&mut work, Duration::from_secs(5)).await;
    incoming
        .dead_letter(&publisher, "supplier S-100 is not linked to Procore")
        .await
        .unwrap();

    let archived = next(&mut dead, Duration::from_secs(5)).await;
    assert_eq!(archived.body(), b"PO-7");
    assert_eq!(
        headers::text(archived.headers(), HEADER_DEAD_REASON).as_deref(),
        Some("supplier S-100 is not linked to Procore")
    );
    assert_eq!(
        headers::text(archived.headers(), HEADER_ORIGIN_QUEUE),
        Some(t.names().work_queue(ROUTE))
    );
    archived.ack().await.unwrap();
    // Nothing is left behind on the work queue.
    assert!(
        tokio::time::timeout(Duration::from_millis(500), work.next())
            .await
            .is_err()
    );
}

#[tokio::test]
async fn a_publish_that_reaches_no_queue_is_reported_not_dropped() {
    let t = TestBroker::new().await;
    let publisher = Publisher::new(t.broker.clone());

    let mut unbound = message(t.names(), "lost?");
    unbound.routing_key = "widget.to_nowhere".into();
    let err = publisher.publish(unbound).await.unwrap_err();
    assert!(matches!(err, PublishError::Unroutable { .. }), "{err}");
    assert!(err.to_string().contains("widget.to_nowhere"), "{err}");

    let mut missing_exchange = message(t.names(), "lost?");
    missing_exchange.exchange = format!("{}.no-such-exchange", t.names().prefix());
    let err = publisher.publish(missing_exchange).await.unwrap_err();
    assert!(matches!(err, PublishError::Channel { .. }), "{err}");

    // The publisher recovers from the closed channel and keeps working.
    publisher.publish(message(t.names(), "fine")).await.unwrap();
    let mut work = Subscription::new(t.broker.clone(), t.names().work_queue(ROUTE), 10);
    assert_eq!(
        next(&mut work, Duration::from_secs(5)).await.body(),
        b"fine"
    );
}

#[tokio::test]
async fn the_consumer_resumes_by_itself_after_the_broker_app_restarts() {
    let node = PrivateRabbit::start().await;
    let topology = bridge_platform::amqp::Topology::new(
        bridge_domain::routing::Names::new("restart"),
        3,
        [1, 2, 3, 4, 5].map(Duration::from_secs),
    );
    let shutdown = tokio_util::sync::CancellationToken::new();
    let broker = Broker::connect(
        Secret::new(node.url.clone()),
        topology.clone(),
        Duration::from_secs(10),
        shutdown.clone(),
    )
    .await
    .unwrap();
    let publisher = Publisher::new(broker.clone());
    let mut work = Subscription::new(broker.clone(), topology.names.work_queue(ROUTE), 10);

    publisher
        .publish(message(&topology.names, "before"))
        .await
        .unwrap();
    next(&mut work, Duration::from_secs(5))
        .await
        .ack()
        .await
        .unwrap();
    // Published but not consumed when the broker stops: quorum queues keep it.
    publisher
        .publish(message(&topology.names, "waiting"))
        .await
        .unwrap();

    node.stop_app().await;
    assert!(
        tokio::time::timeout(Duration::from_secs(10), async {
            while broker.is_connected() {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
        .await
        .is_ok(),
        "the broker handle never noticed the broker stopped"
    );
    node.start_app().await;

    publisher
        .publish(message(&topology.names, "after"))
        .await
        .unwrap();
    // At least once: a message in flight when the broker stopped may come twice.
    let mut seen = std::collections::BTreeSet::new();
    while seen.len() < 2 {
        let incoming = next(&mut work, Duration::from_secs(30)).await;
        seen.insert(String::from_utf8_lossy(incoming.body()).into_owned());
        incoming.ack().await.unwrap();
    }
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), ["after", "waiting"]);
    shutdown.cancel();
}
