//! Property: whatever the body, the receiver answers 202, 400 or 413 — never a panic or a 500.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use bridge_ingress::{GroupCommit, GroupCommitConfig, Ingress, router};
use bridge_platform::connections::authorization_hash;
use bridge_platform::connections::{self, NewConnection};
use bridge_platform::testing::TestDb;
use proptest::prelude::*;
use tower::ServiceExt as _;

/// Bodies that look like events with fields missing, mistyped or extra.
fn event_like() -> impl Strategy<Value = Vec<u8>> {
    let value = prop_oneof![
        Just(serde_json::Value::Null),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(|f| serde_json::json!(f)),
        "[a-zA-Z0-9 ]{0,12}".prop_map(serde_json::Value::from),
        Just(serde_json::json!([])),
        Just(serde_json::json!({"nested": 1})),
    ];
    let key = prop_oneof![
        Just("id"),
        Just("ulid"),
        Just("event_type"),
        Just("reason"),
        Just("resource_name"),
        Just("resource_type"),
        Just("resource_id"),
        Just("project_id"),
        Just("company_id"),
        Just("timestamp"),
        Just("metadata"),
        Just("api_version"),
        Just("extra"),
    ];
    proptest::collection::vec((key, value), 0..10).prop_map(|fields| {
        let map: serde_json::Map<String, serde_json::Value> =
            fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        serde_json::Value::Object(map).to_string().into_bytes()
    })
}

fn any_body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..512),
        event_like(),
        "\\PC{0,64}".prop_map(String::into_bytes),
    ]
}

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
        cases: 300,
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
    drop(app);
    drop(db);
}
