//! The Procore emulator over real HTTP: OAuth, required headers, sync semantics, paging and
//! webhooks, as a client of Procore would observe them.

use std::time::Duration;

use bridge_sandbox::procore::{Config, Emulator, Kind, serve};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

struct Running {
    base: String,
    emu: Emulator,
    company: i64,
    token: String,
    http: reqwest::Client,
    shutdown: CancellationToken,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

async fn start(config: Config) -> Running {
    let emu = Emulator::new(config);
    let company = emu.add_company("Constructions Boreal inc.");
    emu.register_client("bridge", "s3cret", &[company]);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let shutdown = CancellationToken::new();
    tokio::spawn(serve(listener, emu.clone(), shutdown.clone()));
    let http = reqwest::Client::new();
    let token: Value = http
        .post(format!("{base}/oauth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "bridge"),
            ("client_secret", "s3cret"),
        ])
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("token json");
    let token = token["access_token"]
        .as_str()
        .expect("access_token")
        .to_string();
    Running {
        base,
        emu,
        company,
        token,
        http,
        shutdown,
    }
}

impl Running {
    fn req(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{}", self.base, path))
            .bearer_auth(&self.token)
            .header("Procore-Company-Id", self.company.to_string())
    }
}

#[tokio::test]
async fn api_calls_need_a_live_token_and_the_company_header() {
    let run = start(Config::fast()).await;
    let path = format!("{}/rest/v1.0/vendors?company_id={}", run.base, run.company);
    let no_token = run
        .http
        .get(&path)
        .header("Procore-Company-Id", run.company.to_string())
        .send()
        .await
        .expect("send");
    assert_eq!(no_token.status(), 401);
    let no_company = run
        .http
        .get(&path)
        .bearer_auth(&run.token)
        .send()
        .await
        .expect("send");
    assert_eq!(no_company.status(), 400);
    assert!(
        no_company
            .text()
            .await
            .expect("body")
            .contains("Missing Procore-Company-Id header!")
    );
    let other = run.emu.add_company("Someone else");
    let wrong = run
        .http
        .get(&path)
        .bearer_auth(&run.token)
        .header("Procore-Company-Id", other.to_string())
        .send()
        .await
        .expect("send");
    assert_eq!(wrong.status(), 403);
    let mismatch = run
        .req(
            reqwest::Method::GET,
            &format!("/rest/v1.0/vendors?company_id={other}"),
        )
        .send()
        .await
        .expect("send");
    assert_eq!(mismatch.status(), 403, "company_id must match the header");
    let ok = run
        .req(
            reqwest::Method::GET,
            &format!("/rest/v1.0/vendors?company_id={}", run.company),
        )
        .send()
        .await
        .expect("send");
    assert_eq!(ok.status(), 200);
    for h in [
        "x-rate-limit-limit",
        "x-rate-limit-remaining",
        "x-rate-limit-reset",
        "total",
        "per-page",
        "link",
    ] {
        assert!(ok.headers().contains_key(h), "missing {h}");
    }
}

#[tokio::test]
async fn vendor_sync_matches_by_origin_id_and_reports_bad_items() {
    let run = start(Config::fast()).await;
    let body = json!({ "company_id": run.company, "updates": [
        { "name": "Beton Laval inc.", "abbreviated_name": "BETON0001", "origin_id": "supplier:BETON0001" },
        { "abbreviated_name": "NONAME" },
        { "id": 12345, "name": "Ghost" },
    ]});
    let first: Value = run
        .req(reqwest::Method::PATCH, "/rest/v1.0/vendors/sync")
        .json(&body)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(first["entities"].as_array().map(Vec::len), Some(1));
    assert_eq!(first["errors"].as_array().map(Vec::len), Some(2));
    assert_eq!(first["errors"][0]["errors"]["name"][0], "can't be blank");
    let id = first["entities"][0]["id"].as_i64().expect("id");
    assert!(id > (1i64 << 53), "ids are above 2^53");

    let again = json!({ "company_id": run.company, "updates": [{ "name": "Beton Laval ltee", "origin_id": "supplier:BETON0001" }]});
    let second: Value = run
        .req(reqwest::Method::PATCH, "/rest/v1.0/vendors/sync")
        .json(&again)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(
        second["entities"][0]["id"].as_i64(),
        Some(id),
        "same origin_id updates the same vendor"
    );
    assert_eq!(run.emu.count(Kind::Vendor, run.company), 1);

    let dup = json!({ "vendor": { "name": "Copy", "origin_id": "supplier:BETON0001" } });
    let created = run
        .req(reqwest::Method::POST, "/rest/v1.0/vendors")
        .json(&json!({ "company_id": run.company, "vendor": dup["vendor"] }))
        .send()
        .await
        .expect("send");
    assert_eq!(created.status(), 422, "origin_id is unique per company");

    let too_many: Vec<Value> = (0..1001)
        .map(|i| json!({ "name": format!("V{i}") }))
        .collect();
    let big = run
        .req(reqwest::Method::PATCH, "/rest/v1.0/vendors/sync")
        .json(&json!({ "company_id": run.company, "updates": too_many }))
        .send()
        .await
        .expect("send");
    assert_eq!(big.status(), 413);
}

#[tokio::test]
async fn lists_page_with_link_and_total_headers() {
    let run = start(Config::fast()).await;
    let updates: Vec<Value> = (0..25)
        .map(|i| json!({ "name": format!("Vendor {i}"), "origin_id": format!("v:{i}") }))
        .collect();
    run.req(reqwest::Method::PATCH, "/rest/v1.0/vendors/sync")
        .json(&json!({ "company_id": run.company, "updates": updates }))
        .send()
        .await
        .expect("send");
    let page = run
        .req(
            reqwest::Method::GET,
            &format!(
                "/rest/v1.0/vendors?company_id={}&page=3&per_page=10",
                run.company
            ),
        )
        .send()
        .await
        .expect("send");
    assert_eq!(page.headers()["total"], "25");
    assert_eq!(page.headers()["per-page"], "10");
    let link = page.headers()["link"].to_str().expect("link").to_string();
    assert!(
        link.contains("rel=\"prev\"") && !link.contains("rel=\"next\""),
        "{link}"
    );
    let items: Vec<Value> = page.json().await.expect("json");
    assert_eq!(items.len(), 5);
    let one: Vec<Value> = run
        .req(
            reqwest::Method::GET,
            &format!(
                "/rest/v1.0/vendors?company_id={}&filters[origin_id]=v:7",
                run.company
            ),
        )
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(one.len(), 1);
    assert_eq!(one[0]["name"], "Vendor 7");
}

async fn receiver(
    auth_seen: tokio::sync::mpsc::UnboundedSender<(Option<String>, Value)>,
    fail_first: usize,
) -> String {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let calls = Arc::new(AtomicUsize::new(0));
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(
            move |headers: axum::http::HeaderMap, axum::Json(body): axum::Json<Value>| {
                let calls = calls.clone();
                let tx = auth_seen.clone();
                async move {
                    if calls.fetch_add(1, Ordering::SeqCst) < fail_first {
                        return axum::http::StatusCode::INTERNAL_SERVER_ERROR;
                    }
                    let auth = headers
                        .get("authorization")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string);
                    let _ = tx.send((auth, body));
                    axum::http::StatusCode::NO_CONTENT
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

#[tokio::test]
async fn webhooks_deliver_after_failures_with_the_hook_authorization() {
    let run = start(Config::fast()).await;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let url = receiver(tx, 2).await;
    let hook: Value = run
        .req(reqwest::Method::POST, "/rest/v1.0/webhooks/hooks")
        .json(&json!({ "company_id": run.company, "hook": { "api_version": "v3", "namespace": "maestro-erp-sync", "destination_url": url, "destination_headers": { "Authorization": "Bearer hook-secret" } } }))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    let hook_id = hook["id"].as_i64().expect("hook id");
    let bulk = run
        .req(reqwest::Method::POST, &format!("/rest/v1.0/webhooks/hooks/{hook_id}/triggers/bulk"))
        .json(&json!({ "company_id": run.company, "api_version": "v3", "triggers": [{ "resource_name": "Company Vendors", "event_type": "create" }, { "resource_name": "Nope", "event_type": "create" }] }))
        .send()
        .await
        .expect("send");
    assert_eq!(bulk.status(), 207);
    let created: Value = run
        .req(reqwest::Method::POST, "/rest/v1.0/vendors")
        .json(&json!({ "company_id": run.company, "vendor": { "name": "Acier Quebec" } }))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    let (auth, event) = tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .expect("delivered in time")
        .expect("event");
    assert_eq!(auth.as_deref(), Some("Bearer hook-secret"));
    assert_eq!(event["resource_name"], "Company Vendors");
    assert_eq!(event["event_type"], "create");
    assert_eq!(event["resource_id"], created["id"]);
    assert_eq!(event["api_version"], "v3");
    assert_eq!(event["metadata"]["source_application_id"], "bridge");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    let outcomes = loop {
        let outcomes: Vec<&str> = run.emu.deliveries().iter().map(|d| d.outcome).collect();
        if outcomes.len() >= 3 || tokio::time::Instant::now() > deadline {
            break outcomes;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert_eq!(outcomes, ["retried", "retried", "ok"]);
}

#[tokio::test]
async fn updated_at_ranges_and_status_filters_narrow_lists() {
    let run = start(Config::fast()).await;
    let seed = bridge_sandbox::seed::generate(&bridge_sandbox::seed::SeedConfig {
        synchronized_fraction: 1.0,
        ..bridge_sandbox::seed::SeedConfig::for_projects(4)
    });
    let loaded = run.emu.load_seed(
        run.company,
        &seed,
        &bridge_sandbox::procore::LoadOptions::default(),
    );
    let cutoff = chrono::Utc::now();
    // Make sure the edit lands strictly after the cutoff on the millisecond clock.
    let deadline = std::time::Instant::now() + Duration::from_secs(1);
    while chrono::Utc::now() <= cutoff + chrono::Duration::milliseconds(2)
        && std::time::Instant::now() < deadline
    {
        tokio::task::yield_now().await;
    }
    let vendor = *loaded.vendors.values().next().expect("a vendor");
    let patched = run
        .req(
            reqwest::Method::PATCH,
            &format!("/rest/v1.0/vendors/{vendor}"),
        )
        .json(&json!({ "company_id": run.company, "vendor": { "city": "Rimouski" } }))
        .send()
        .await
        .expect("patch");
    assert_eq!(patched.status(), 200);
    let since = (cutoff + chrono::Duration::milliseconds(1))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let until = (chrono::Utc::now() + chrono::Duration::minutes(1))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let changed: Vec<Value> = run
        .req(
            reqwest::Method::GET,
            &format!(
                "/rest/v1.0/vendors?company_id={}&filters[updated_at]={since}...{until}",
                run.company
            ),
        )
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0]["id"], json!(vendor));

    let project = loaded.projects.values().next().copied().expect("project");
    let all: Vec<Value> = run
        .req(
            reqwest::Method::GET,
            &format!("/rest/v1.0/work_order_contracts?project_id={project}"),
        )
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    let approved: Vec<Value> = run
        .req(
            reqwest::Method::GET,
            &format!(
                "/rest/v1.0/work_order_contracts?project_id={project}&filters[status]=Approved"
            ),
        )
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert!(approved.iter().all(|c| c["status"] == "Approved"));
    assert_eq!(
        approved.len(),
        all.iter().filter(|c| c["status"] == "Approved").count()
    );

    run.req(
        reqwest::Method::PATCH,
        &format!("/rest/v1.0/vendors/{vendor}"),
    )
    .json(&json!({ "company_id": run.company, "vendor": { "is_active": false } }))
    .send()
    .await
    .expect("deactivate");
    let active: Vec<Value> = run
        .req(
            reqwest::Method::GET,
            &format!(
                "/rest/v1.0/vendors?company_id={}&per_page=1000",
                run.company
            ),
        )
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert!(
        active.iter().all(|v| v["id"] != json!(vendor)),
        "inactive vendors leave the company list"
    );
    let inactive: Vec<Value> = run
        .req(
            reqwest::Method::GET,
            &format!("/rest/v1.0/companies/{}/vendors/inactive", run.company),
        )
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(inactive.len(), 1);
}

#[tokio::test]
async fn procore_field_rules_are_enforced() {
    let run = start(Config::fast()).await;
    let long = run.req(reqwest::Method::POST, "/rest/v1.0/vendors").json(&json!({ "company_id": run.company, "vendor": { "name": "Long", "abbreviated_name": "ELEVENCHARS" } })).send().await.expect("send");
    assert_eq!(long.status(), 422);
    let body: Value = long.json().await.expect("json");
    assert_eq!(
        body["errors"]["abbreviated_name"][0],
        "is too long (maximum is 10 characters)"
    );
    let undated = run.req(reqwest::Method::POST, "/rest/v1.0/projects").json(&json!({ "company_id": run.company, "project": { "name": "Sans dates", "project_number": "26-0001" } })).send().await.expect("send");
    assert_eq!(undated.status(), 422);
    let body: Value = undated.json().await.expect("json");
    assert_eq!(body["errors"]["start_date"][0], "can't be blank");
    assert_eq!(body["errors"]["completion_date"][0], "can't be blank");
    let bad_type = run.req(reqwest::Method::POST, "/rest/v1.0/projects").json(&json!({ "company_id": run.company, "project": { "name": "X", "start_date": "2026-13-01", "completion_date": "2026-12-01" } })).send().await.expect("send");
    let body: Value = bad_type.json().await.expect("json");
    assert!(
        body["errors"]["start_date"][0]
            .as_str()
            .is_some_and(|m| m.contains("date")),
        "{body}"
    );
}

#[tokio::test]
async fn serve_returns_when_shutdown_is_cancelled() {
    let emu = Emulator::new(Config::fast());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let shutdown = CancellationToken::new();
    let server = tokio::spawn(serve(listener, emu, shutdown.clone()));
    shutdown.cancel();
    let finished = tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("stops in time")
        .expect("join");
    assert!(finished.is_ok());
}
