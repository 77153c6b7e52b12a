//! Hostile input at the edge: bodies that parse as JSON but cannot be a Procore event, and
//! callers that do not know a connection's name or its `Authorization` value.
//!
//! The rule (architecture, "Ingress"): a body that breaks the payload's documented types is
//! refused with 400 naming the field (Procore retrying it cannot help); a well-formed event
//! the bridge does not act on is stored as `ignored` with the reason and answered 202. Neither
//! reaches a work queue.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use bridge_ingress::{GroupCommit, GroupCommitConfig, Ingress, router};
use bridge_platform::connections::authorization_hash;
use bridge_platform::connections::{self, NewConnection};
use bridge_platform::testing::TestDb;
use serde_json::{Value, json};
use tower::ServiceExt as _;

const AUTH: &str = "Bearer h0stile-test";

async fn setup() -> (TestDb, axum::Router) {
    let db = TestDb::new().await;
    let id = connections::create(
        &db.pool,
        &NewConnection::sandbox("acme", "http://p.invalid", "http://m.invalid", 8),
    )
    .await
    .unwrap();
    connections::set_webhook_auth(&db.pool, id, &[authorization_hash(AUTH)])
        .await
        .unwrap();
    let commit = GroupCommit::start(db.pool.clone(), GroupCommitConfig::default());
    let app = router(Ingress::new(db.pool.clone(), commit));
    (db, app)
}

fn event(ulid: &str) -> Value {
    json!({
        "id": 77, "ulid": ulid, "timestamp": "2026-11-20T10:11:12.123456Z",
        "event_type": "update", "resource_name": "Projects", "resource_id": 4242,
        "company_id": 8, "project_id": null, "user_id": 5, "api_version": "v2.0",
        "metadata": {"source_application_id": "someone-else"}
    })
}

async fn post(
    app: &axum::Router,
    path: &str,
    auth: Option<&str>,
    body: &Value,
) -> (StatusCode, Vec<u8>) {
    let mut req = Request::post(path).header("content-type", "application/json");
    if let Some(auth) = auth {
        req = req.header("authorization", auth);
    }
    let res = app
        .clone()
        .oneshot(req.body(Body::from(body.to_string())).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    (status, bytes.to_vec())
}

/// Every inbox row: (dedup key, status, ignored reason).
async fn rows(db: &TestDb) -> Vec<(String, String, Option<String>)> {
    sqlx::query_as("SELECT dedup_key, status, ignored_reason FROM inbox ORDER BY dedup_key")
        .fetch_all(&db.pool)
        .await
        .unwrap()
}

async fn outbox(db: &TestDb) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM outbox")
        .fetch_one(&db.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn fields_no_procore_event_can_hold_are_refused_with_400_naming_the_field() {
    let (db, app) = setup().await;
    let cases: &[(&str, Value, &str)] = &[
        ("resource_id", json!("abc"), "resource_id"),
        ("resource_id", json!("12abc"), "resource_id"),
        ("resource_id", json!(0), "resource_id"),
        ("resource_id", json!(-5), "resource_id"),
        ("resource_id", json!("-5"), "resource_id"),
        ("resource_id", json!(u64::MAX), "resource_id"),
        (
            "resource_id",
            json!("99999999999999999999999"),
            "resource_id",
        ),
        ("company_id", json!("acme"), "company_id"),
        ("company_id", json!(0), "company_id"),
        ("project_id", json!("x1"), "project_id"),
        ("project_id", json!(-1), "project_id"),
        ("timestamp", json!("yesterday"), "timestamp"),
        ("timestamp", json!("2026-13-45T99:00:00Z"), "timestamp"),
        ("resource_name", json!("   "), "resource_name"),
        ("resource_name", json!("R".repeat(1000)), "resource_name"),
        ("ulid", json!("x".repeat(5000)), "ulid"),
        ("ulid", json!("has spaces in it"), "ulid"),
    ];
    for (n, (field, value, named)) in cases.iter().enumerate() {
        let mut body = event(&format!("01HOSTILE{n:017}"));
        body[*field] = value.clone();
        let (status, answer) = post(&app, "/webhooks/procore/acme", Some(AUTH), &body).await;
        let answer: Value = serde_json::from_slice(&answer).unwrap_or_default();
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "{field} = {value}: {answer}"
        );
        assert_eq!(
            answer["code"], "not_an_event",
            "{field} = {value}: {answer}"
        );
        let detail = answer["detail"].as_str().unwrap_or_default();
        assert!(
            detail.contains(&format!("`{named}`")),
            "{field} = {value}: {detail}"
        );
    }
    let mut no_time = event("01HOSTILENOTIME00000000000");
    no_time.as_object_mut().unwrap().remove("timestamp");
    let (status, answer) = post(&app, "/webhooks/procore/acme", Some(AUTH), &no_time).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "{}",
        String::from_utf8_lossy(&answer)
    );
    assert!(String::from_utf8_lossy(&answer).contains("`timestamp`"));
    assert!(rows(&db).await.is_empty(), "{:?}", rows(&db).await);
}

#[tokio::test]
async fn an_event_type_the_bridge_does_not_act_on_is_kept_as_ignored_and_never_routed() {
    let (db, app) = setup().await;
    let mut v2 = event("01HOSTILETYPE0000000000001");
    v2["event_type"] = json!("archive");
    let v4 = json!({"id": "01HOSTILETYPE0000000000002", "timestamp": "2026-11-20T10:11:12Z",
        "reason": "restore", "company_id": "8", "project_id": null, "user_id": "3",
        "resource_type": "Projects", "resource_id": "4242"});
    for body in [&v2, &v4] {
        let (status, answer) = post(&app, "/webhooks/procore/acme", Some(AUTH), body).await;
        assert_eq!(
            status,
            StatusCode::ACCEPTED,
            "{}",
            String::from_utf8_lossy(&answer)
        );
    }
    let rows = rows(&db).await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    for (key, status, reason) in &rows {
        assert_eq!(status, "ignored", "{rows:?}");
        let reason = reason.as_deref().unwrap_or_default();
        assert!(reason.contains("event type"), "{key}: {reason}");
    }
    assert!(
        rows[0].2.as_deref().unwrap().contains("archive"),
        "{rows:?}"
    );
    assert_eq!(outbox(&db).await, 0);
}

#[tokio::test]
async fn a_timestamp_far_in_the_future_is_kept_as_ignored_and_never_routed() {
    let (db, app) = setup().await;
    let mut body = event("01HOSTILEFUTURE00000000001");
    body["timestamp"] = json!("2999-01-01T00:00:00Z");
    let (status, _) = post(&app, "/webhooks/procore/acme", Some(AUTH), &body).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let rows = rows(&db).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].1, "ignored", "{rows:?}");
    assert!(rows[0].2.as_deref().unwrap().contains("future"), "{rows:?}");
    assert_eq!(outbox(&db).await, 0);
}

#[tokio::test]
async fn ids_written_as_strings_with_leading_zeros_name_the_same_record() {
    let (db, app) = setup().await;
    let mut body = event("01HOSTILEZEROS000000000001");
    body["resource_id"] = json!("0004242");
    let (status, _) = post(&app, "/webhooks/procore/acme", Some(AUTH), &body).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let record: String = sqlx::query_scalar("SELECT record FROM inbox")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(record, "4242");
}

#[tokio::test]
async fn an_unknown_connection_and_a_wrong_authorization_look_the_same() {
    let (_db, app) = setup().await;
    let body = event("01HOSTILEAUTH0000000000001");
    let wrong = post(&app, "/webhooks/procore/acme", Some("Bearer wrong"), &body).await;
    let unknown = post(&app, "/webhooks/procore/nobody", Some(AUTH), &body).await;
    let malformed = post(&app, "/webhooks/procore/NOT%20a%20name", Some(AUTH), &body).await;
    let missing = post(&app, "/webhooks/procore/acme", None, &body).await;
    assert_eq!(wrong.0, StatusCode::UNAUTHORIZED);
    for other in [&unknown, &malformed, &missing] {
        assert_eq!(
            (other.0, String::from_utf8_lossy(&other.1)),
            (wrong.0, String::from_utf8_lossy(&wrong.1))
        );
    }
}

#[tokio::test]
async fn a_name_no_connection_can_have_is_refused_without_asking_the_database() {
    let (db, app) = setup().await;
    // With the pool closed, any lookup fails (503): a 401 shows none was made.
    db.pool.close().await;
    let body = event("01HOSTILENAME0000000000001");
    let long = format!("/webhooks/procore/{}", "a".repeat(500));
    for path in [
        "/webhooks/procore/NOT%20a%20name",
        "/webhooks/procore/Acme",
        "/webhooks/procore/-acme",
        "/webhooks/procore/%00",
        long.as_str(),
    ] {
        let (status, answer) = post(&app, path, Some(AUTH), &body).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "{path}: {}",
            String::from_utf8_lossy(&answer)
        );
    }
}
