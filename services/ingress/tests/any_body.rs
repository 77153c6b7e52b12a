//! Property: whatever the body, the receiver answers 202, 400 or 413 — never a panic or a 500
//! — and what it routes names a record by a positive 64-bit id (the parser's own properties run
//! 10,000 cases each in `parser_props`; this one goes through Postgres, so it runs fewer).

mod strategies;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use bridge_ingress::{GroupCommit, GroupCommitConfig, Ingress, router};
use bridge_platform::connections::authorization_hash;
use bridge_platform::connections::{self, NewConnection};
use bridge_platform::testing::TestDb;
use proptest::prelude::*;
use strategies::any_body;
use tower::ServiceExt as _;

#[test]
fn any_body_gets_202_400_or_413() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (db, app) = rt.block_on(async {
        let db = TestDb::new().await;
        let id = connections::create(
            &db.pool,
            &NewConnection::sandbox("acme", "http://p.invalid", "http://m.invalid", 8),
        )
        .await
        .unwrap();
        connections::set_webhook_auth(&db.pool, id, &[authorization_hash("Bearer k")])
            .await
            .unwrap();
        let commit = GroupCommit::start(db.pool.clone(), GroupCommitConfig::default());
        let app = router(Ingress::new(db.pool.clone(), commit));
        (db, app)
    });
    let config = ProptestConfig {
        cases: 1_000,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    proptest!(config, |(body in any_body())| {
        let status = rt.block_on(async {
            let req = Request::post("/webhooks/procore/acme")
                .header("authorization", "Bearer k")
                .body(Body::from(body.clone()))
                .unwrap();
            app.clone().oneshot(req).await.unwrap().status()
        });
        prop_assert!(
            [StatusCode::ACCEPTED, StatusCode::BAD_REQUEST, StatusCode::PAYLOAD_TOO_LARGE].contains(&status),
            "{status} for {:?}", String::from_utf8_lossy(&body)
        );
    });
    let routed: Vec<(String, String)> = rt
        .block_on(
            sqlx::query_as("SELECT record, dedup_key FROM inbox WHERE status = 'routed'")
                .fetch_all(&db.pool),
        )
        .unwrap();
    assert!(
        !routed.is_empty(),
        "no body was routed: the strategies miss real events"
    );
    for (record, key) in routed {
        let id = record.rsplit(':').next().unwrap_or_default();
        assert!(
            id.parse::<i64>()
                .is_ok_and(|n| n > 0 && n.to_string() == id),
            "{key} routed record {record:?}"
        );
    }
    drop(app);
    drop(db);
}
