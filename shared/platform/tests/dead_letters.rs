//! The dead-letter queue never drops a letter: it is declared with a delivery limit no
//! consumer reaches and refuses publishing rather than dropping when full, on RabbitMQ 3.10
//! as on 4.x (whose quorum queues default to a limit of 20 returns).

use bridge_domain::routing::HEADER_DEAD_REASON;
use bridge_domain::routing::Names;
use bridge_platform::amqp::Topology;
use bridge_platform::amqp::{HeaderValue, Outgoing, Publisher, Subscription};
use bridge_platform::testing::{TestBroker, amqp_url, unique_suffix};
use lapin::BasicProperties;
use lapin::options::{BasicPublishOptions, QueueDeclareOptions};
use lapin::types::{AMQPValue, FieldTable, LongString};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_letter_returned_more_often_than_any_default_limit_stays_queued() {
    let broker = TestBroker::new().await;
    let publisher = Publisher::new(broker.broker.clone());
    publisher
        .publish(Outgoing {
            exchange: broker.names().dead_exchange(),
            routing_key: "supplier.to_procore".into(),
            body: b"{}".to_vec(),
            headers: vec![(HEADER_DEAD_REASON.into(), HeaderValue::Text("kept".into()))],
            message_id: Some("letter-1".into()),
        })
        .await
        .unwrap();
    let mut letters =
        Subscription::new(broker.broker.clone(), broker.names().dead_letter_queue(), 1);
    // 25 returns: past RabbitMQ 4.x's default limit of 20, past the work queues' limit.
    for returned in 0..25u32 {
        let incoming = tokio::time::timeout(Duration::from_secs(10), letters.next())
            .await
            .expect("the letter comes back")
            .expect("subscribed");
        assert_eq!(incoming.message_id(), Some("letter-1"));
        assert_eq!(incoming.delivery_count(), returned);
        incoming.reject().await.unwrap();
    }
    let last = tokio::time::timeout(Duration::from_secs(10), letters.next())
        .await
        .expect("the letter is still there after 25 returns")
        .expect("subscribed");
    assert_eq!(last.message_id(), Some("letter-1"));
    last.ack().await.unwrap();
}

/// Declares `<prefix>.dead-letters` as an older bridge did (no limit, no overflow), holding
/// `letters` messages.
async fn older_dead_letter_queue(conn: &lapin::Connection, names: &Names, letters: usize) {
    let channel = conn.create_channel().await.unwrap();
    let mut old = FieldTable::default();
    old.insert(
        "x-queue-type".into(),
        AMQPValue::LongString(LongString::from("quorum")),
    );
    let queue = names.dead_letter_queue();
    channel
        .queue_declare(
            queue.as_str().into(),
            QueueDeclareOptions {
                durable: true,
                ..Default::default()
            },
            old,
        )
        .await
        .unwrap();
    for _ in 0..letters {
        channel
            .basic_publish(
                "".into(),
                queue.as_str().into(),
                BasicPublishOptions::default(),
                b"{}",
                BasicProperties::default(),
            )
            .await
            .unwrap()
            .await
            .unwrap();
    }
}

async fn queue_arguments(queue: &str) -> String {
    let out = tokio::process::Command::new("rabbitmqctl")
        .args(["-q", "list_queues", "name", "arguments"])
        .output()
        .await
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find(|l| l.split_whitespace().next() == Some(queue))
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_dead_letter_queue_of_an_older_version_is_replaced_at_start() {
    let names = Names::new(format!("t{}", unique_suffix()));
    let topology = Topology::new(names.clone(), 3, [Duration::from_secs(1); 5]);
    let conn = lapin::Connection::connect(&amqp_url(), lapin::ConnectionProperties::default())
        .await
        .unwrap();
    older_dead_letter_queue(&conn, &names, 0).await;
    let declared = topology.declare(&conn).await;
    let arguments = queue_arguments(&names.dead_letter_queue()).await;
    declared.expect("an empty queue of an older version is replaced");
    // The connection is still usable after the replacement.
    let cleanup = conn
        .create_channel()
        .await
        .expect("the connection is still open");
    let _ = topology.delete(&cleanup).await;
    let _ = conn.close(200, "test done".into()).await;
    assert!(arguments.contains("reject-publish"), "{arguments}");
    assert!(arguments.contains("x-delivery-limit"), "{arguments}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_letter_queue_of_an_older_version_holding_letters_is_kept_and_named() {
    let names = Names::new(format!("t{}", unique_suffix()));
    let topology = Topology::new(names.clone(), 3, [Duration::from_secs(1); 5]);
    let conn = lapin::Connection::connect(&amqp_url(), lapin::ConnectionProperties::default())
        .await
        .unwrap();
    older_dead_letter_queue(&conn, &names, 2).await;
    let declared = topology.declare(&conn).await;
    let after = queue_arguments(&names.dead_letter_queue()).await;
    let _ = topology.delete(&conn.create_channel().await.unwrap()).await;
    let _ = conn.close(200, "test done".into()).await;
    let error = format!(
        "{:#}",
        declared.expect_err("a queue holding letters is never replaced")
    );
    assert!(error.contains(&names.dead_letter_queue()), "{error}");
    assert!(error.contains("still holds 2 letter(s)"), "{error}");
    // The old queue, and so its letters, is still there.
    assert!(
        after.contains("quorum") && !after.contains("reject-publish"),
        "{after}"
    );
}
