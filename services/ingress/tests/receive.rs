//! The webhook receiver against the real Postgres: every answer a delivery can get.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use bridge_domain::{Action, Direction, EntityKind, Source};
use bridge_ingress::{GroupCommit, GroupCommitConfig, Ingress, router};
use bridge_platform::connections::authorization_hash;
use bridge_platform::connections::{self, NewConnection};
use bridge_platform::inbox::{self, NewEvent};
use bridge_platform::testing::TestDb;
use serde_json::json;
use std::time::{Duration, Instant};
use tower::ServiceExt as _;

const AUTH: &str = "Bearer s3cret-value";

struct Setup {
    db: TestDb,
    app: axum::Router,
    connection_id: i64,
}

async fn setup() -> Setup {
    let db = TestDb::new().await;
    let connection_id = connections::create(
        &db.pool,
        &NewConnection::sandbox(
            "acme",
            "http://procore.invalid",
            "http://maestro.invalid",
            8,
        ),
    )
    .await
    .unwrap();
    connections::set_webhook_auth(&db.pool, connection_id, &[authorization_hash(AUTH)])
        .await
        .unwrap();
    let commit = GroupCommit::start(db.pool.clone(), GroupCommitConfig::default());
    let app = router(Ingress::new(db.pool.clone(), commit));
    Setup {
        db,
        app,
        connection_id,
    }
}

fn event(ulid: &str, resource: &str) -> serde_json::Value {
    json!({
        "id": 9_007_199_254_740_993_i64, "ulid": ulid, "timestamp": "2026-11-20T10:11:12.123456Z",
        "event_type": "update", "resource_name": resource, "resource_id": 4_200_000_000_001_i64,
        "company_id": 8, "project_id": 77, "user_id": 5, "api_version": "v2.0",
        "metadata": {"source_application_id": "someone-else", "source_user_id": 5}
    })
}

async fn post(
    app: &axum::Router,
    connection: &str,
    auth: Option<&str>,
    body: Vec<u8>,
) -> (StatusCode, serde_json::Value) {
    let mut req = Request::post(format!("/webhooks/procore/{connection}"))
        .header("content-type", "application/json");
    if let Some(auth) = auth {
        req = req.header("authorization", auth);
    }
    let res = app
        .clone()
        .oneshot(req.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or_default())
}

/// Posts an event with the right `Authorization` and expects it accepted.
async fn deliver(app: &axum::Router, event: &serde_json::Value) {
    let (status, answer) = post(app, "acme", Some(AUTH), event.to_string().into_bytes()).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{answer}");
}

async fn inbox(db: &TestDb) -> Vec<(String, Option<String>, String, Option<String>, String)> {
    sqlx::query_as(
        "SELECT dedup_key, kind, status, ignored_reason, record FROM inbox ORDER BY dedup_key",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn an_event_is_committed_once_however_often_it_is_delivered() {
    let s = setup().await;
    let body = event("01HULID0000000000000000001", "Purchase Order Contracts").to_string();
    for _ in 0..3 {
        let (status, _) = post(&s.app, "acme", Some(AUTH), body.clone().into_bytes()).await;
        assert_eq!(status, StatusCode::ACCEPTED);
    }
    let rows = inbox(&s.db).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    let (key, kind, status, _, record) = &rows[0];
    assert_eq!(
        key,
        "webhook:01HULID0000000000000000001:purchase_order.to_maestro"
    );
    assert_eq!(kind.as_deref(), Some("purchase_order"));
    assert_eq!(status, "routed");
    assert_eq!(record, "4200000000001");
    let project: Option<String> = sqlx::query_scalar("SELECT project FROM inbox")
        .fetch_one(&s.db.pool)
        .await
        .unwrap();
    assert_eq!(project.as_deref(), Some("77"));
    let connection: i64 = sqlx::query_scalar("SELECT connection_id FROM inbox")
        .fetch_one(&s.db.pool)
        .await
        .unwrap();
    assert_eq!(connection, s.connection_id);
}

#[tokio::test]
async fn a_webhook_for_a_change_the_reconciler_already_brought_in_counts_once() {
    let s = setup().await;
    // The reconciler found the change at 10:11:12.123 while the webhook was held back.
    let changed_at = "2026-11-20T10:11:12.123Z".parse().unwrap();
    inbox::insert_now(
        &s.db.pool,
        &[NewEvent {
            connection_id: s.connection_id,
            source: Source::ProcoreReconciler,
            dedup_key: "procore:purchase_order:4200000000001:2026-11-20T10:11:12.123Z:purchase_order.to_maestro".into(),
            route: Some((EntityKind::PurchaseOrder, Direction::ToMaestro)),
            ignored_reason: None,
            record: "4200000000001".into(),
            project: Some("77".into()),
            action: Action::Update,
            occurred_at: changed_at,
            payload: "{}".into(),
        }],
    )
    .await
    .unwrap();
    let waiting = inbox::unpublished(&s.db.pool).await.unwrap();

    // The webhook of that same change arrives later: stored for support, not sent again.
    let mut same = event("01HULIDLATE000000000000001", "Purchase Order Contracts");
    same["timestamp"] = json!("2026-11-20T10:11:12.123Z");
    deliver(&s.app, &same).await;
    // A later change of the record is a change of its own.
    let mut newer = event("01HULIDLATE000000000000002", "Purchase Order Contracts");
    newer["timestamp"] = json!("2026-11-20T10:15:00Z");
    deliver(&s.app, &newer).await;

    let rows = inbox(&s.db).await;
    let by_key = |part: &str| rows.iter().find(|r| r.0.contains(part)).unwrap();
    let (late, later) = (by_key("LATE000000000000001"), by_key("LATE000000000000002"));
    assert_eq!(late.2, "ignored", "{rows:?}");
    let reason = late.3.as_deref().unwrap_or_default();
    assert!(
        reason.contains("already in the inbox as procore:purchase_order:"),
        "{rows:?}"
    );
    assert_eq!(later.2, "routed", "{rows:?}");
    assert_eq!(
        inbox::unpublished(&s.db.pool).await.unwrap(),
        waiting + 1,
        "only the newer change waits to be published"
    );
}

#[tokio::test]
async fn a_vendor_event_feeds_both_the_supplier_and_the_customer_queues() {
    let s = setup().await;
    let body = event("01HULID0000000000000000002", "Company Vendors").to_string();
    assert_eq!(
        post(&s.app, "acme", Some(AUTH), body.into_bytes()).await.0,
        StatusCode::ACCEPTED
    );
    let kinds: Vec<Option<String>> = inbox(&s.db).await.into_iter().map(|r| r.1).collect();
    assert_eq!(
        kinds,
        [Some("customer".to_owned()), Some("supplier".to_owned())]
    );
}

#[tokio::test]
async fn unsynced_resources_and_our_own_writes_are_kept_as_ignored_and_still_accepted() {
    let s = setup().await;
    let rfi = event("01HULID0000000000000000003", "RFIs").to_string();
    assert_eq!(
        post(&s.app, "acme", Some(AUTH), rfi.into_bytes()).await.0,
        StatusCode::ACCEPTED
    );
    let mut ours = event("01HULID0000000000000000004", "Projects");
    ours["metadata"]["source_application_id"] = json!("acme-client");
    deliver(&s.app, &ours).await;
    let rows = inbox(&s.db).await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows.iter().all(|r| r.2 == "ignored" && r.1.is_none()));
    let reasons: Vec<_> = rows.iter().filter_map(|r| r.3.clone()).collect();
    assert!(reasons.iter().any(|r| r.contains("RFIs")), "{reasons:?}");
    assert!(
        reasons.iter().any(|r| r.contains("own write")),
        "{reasons:?}"
    );
}

#[tokio::test]
async fn each_refusal_has_its_status_and_code_and_stores_nothing() {
    let s = setup().await;
    let good = event("01HULID0000000000000000005", "Projects")
        .to_string()
        .into_bytes();

    let (status, body) = post(&s.app, "acme", None, good.clone()).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthorized"))
    );
    let (status, _) = post(&s.app, "acme", Some("Bearer wrong"), good.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body) = post(&s.app, "nobody", Some(AUTH), good.clone()).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthorized"))
    );
    let (status, body) = post(&s.app, "acme", Some(AUTH), b"{not json".to_vec()).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_json"))
    );
    let (status, body) = post(&s.app, "acme", Some(AUTH), br#"[{"id": 1}]"#.to_vec()).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("not_an_event"))
    );
    let (status, body) = post(
        &s.app,
        "acme",
        Some(AUTH),
        br#"{"id": 1, "event_type": "update"}"#.to_vec(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["detail"].as_str().unwrap().contains("resource_name"),
        "{body}"
    );
    let mut huge = event("01HULID0000000000000000006", "Projects");
    huge["padding"] = json!("x".repeat(300 * 1024));
    let (status, body) = post(&s.app, "acme", Some(AUTH), huge.to_string().into_bytes()).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large"))
    );

    assert!(inbox(&s.db).await.is_empty());
}

#[tokio::test]
async fn a_body_postgres_cannot_read_is_refused_alone_and_the_rest_of_its_batch_is_kept() {
    let s = setup().await;
    let mut poisoned = event("01HULIDNUL0000000000000000", "Projects");
    poisoned["metadata"]["note"] = json!("before\u{0}after");
    let sends = (0..20).map(|n| {
        let body = if n == 10 {
            poisoned.to_string()
        } else {
            event(&format!("01HULIDBATCH{n:014}"), "Projects").to_string()
        };
        let app = s.app.clone();
        async move { post(&app, "acme", Some(AUTH), body.into_bytes()).await }
    });
    let answers = futures::future::join_all(sends).await;
    for (n, (status, body)) in answers.iter().enumerate() {
        if n == 10 {
            assert_eq!(
                (*status, body["code"].as_str()),
                (StatusCode::BAD_REQUEST, Some("invalid_json")),
                "{body}"
            );
            assert!(
                body["detail"].as_str().unwrap().contains("U+0000"),
                "{body}"
            );
        } else {
            assert_eq!(*status, StatusCode::ACCEPTED, "{body}");
        }
    }
    let rows = inbox(&s.db).await;
    assert_eq!(rows.len(), 19);
    assert!(rows.iter().all(|r| !r.0.contains("NUL")));
}

#[tokio::test]
async fn both_values_are_accepted_during_a_rotation() {
    let s = setup().await;
    connections::set_webhook_auth(
        &s.db.pool,
        s.connection_id,
        &[authorization_hash(AUTH), authorization_hash("Bearer next")],
    )
    .await
    .unwrap();
    // Settings are cached briefly; a fresh router sees the rotation at once.
    let commit = GroupCommit::start(s.db.pool.clone(), GroupCommitConfig::default());
    let app = router(Ingress::new(s.db.pool.clone(), commit));
    for (n, auth) in [AUTH, "Bearer next"].into_iter().enumerate() {
        let body = event(&format!("01HULID000000000000000001{n}"), "Projects").to_string();
        assert_eq!(
            post(&app, "acme", Some(auth), body.into_bytes()).await.0,
            StatusCode::ACCEPTED
        );
    }
    assert_eq!(inbox(&s.db).await.len(), 2);
}

#[tokio::test]
async fn a_v4_event_with_string_ids_is_accepted() {
    let s = setup().await;
    let body = json!({"id": "01J8ZZZZZZZZZZZZZZZZZZZZZZ", "timestamp": "2026-11-20T10:11:12Z",
        "reason": "create", "company_id": "8", "project_id": "77", "user_id": "3",
        "resource_type": "Work Order Contracts", "resource_id": "18446744073709"});
    deliver(&s.app, &body).await;
    let rows = inbox(&s.db).await;
    assert_eq!(rows[0].1.as_deref(), Some("subcontract"));
    assert_eq!(rows[0].4, "18446744073709");
}

#[tokio::test]
async fn a_burst_of_concurrent_deliveries_is_committed_whole() {
    let s = setup().await;
    let mut tasks = Vec::new();
    for n in 0..300 {
        let app = s.app.clone();
        tasks.push(tokio::spawn(async move {
            let body = event(&format!("01HBURST{n:018}"), "Projects").to_string();
            post(&app, "acme", Some(AUTH), body.into_bytes()).await.0
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::ACCEPTED);
    }
    assert_eq!(inbox(&s.db).await.len(), 300);
}

#[tokio::test]
async fn an_unreachable_postgres_gets_503_within_two_seconds() {
    let opts = bridge_platform::db::options("postgres://postgres@127.0.0.1:1/none").unwrap();
    let pool = sqlx::postgres::PgPoolOptions::new()
        .acquire_timeout(Duration::from_secs(1))
        .connect_lazy_with(opts);
    let commit = GroupCommit::start(pool.clone(), GroupCommitConfig::default());
    let app = router(Ingress::new(pool, commit));
    let started = Instant::now();
    let body = event("01HULID0000000000000000099", "Projects").to_string();
    let (status, body) = post(&app, "acme", Some(AUTH), body.into_bytes()).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    // Nothing about the inside leaks to the caller.
    assert_eq!(body["detail"], "try again later");
}

#[tokio::test]
async fn redeliveries_racing_each_other_are_all_accepted_and_stored_once() {
    // Procore delivers at least once: the same events arriving together land in concurrent
    // batches. Each must still get its 202 (no lock-order deadlock between batches).
    let s = setup().await;
    let mut tasks = Vec::new();
    for round in 0..20 {
        for n in 0..30 {
            // Alternate the order so batches see the same keys in different orders.
            let n = if round % 2 == 0 { n } else { 29 - n };
            let app = s.app.clone();
            tasks.push(tokio::spawn(async move {
                let body = event(&format!("01HRACE{n:019}"), "Projects").to_string();
                post(&app, "acme", Some(AUTH), body.into_bytes()).await.0
            }));
        }
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::ACCEPTED);
    }
    assert_eq!(inbox(&s.db).await.len(), 30);
}

/// rules §1 (Customers): a prime contract's event feeds the customer route with the
/// contract's owner to resolve, never with the contract id read as a company id.
#[tokio::test]
async fn a_prime_contract_event_names_the_contract_to_the_customer_route() {
    let s = setup().await;
    deliver(
        &s.app,
        &event("01HULIDPRIME00000000000001", "Prime Contracts"),
    )
    .await;
    let rows: Vec<(String, Option<String>, String, Option<String>)> =
        sqlx::query_as("SELECT dedup_key, kind, record, project FROM inbox ORDER BY kind")
            .fetch_all(&s.db.pool)
            .await
            .unwrap();
    assert_eq!(
        rows,
        [
            (
                "webhook:01HULIDPRIME00000000000001:customer.to_maestro".to_owned(),
                Some("customer".to_owned()),
                "prime_contract:4200000000001".to_owned(),
                Some("77".to_owned()),
            ),
            (
                "webhook:01HULIDPRIME00000000000001:prime_contract.to_maestro".to_owned(),
                Some("prime_contract".to_owned()),
                "4200000000001".to_owned(),
                Some("77".to_owned()),
            ),
        ]
    );
}
