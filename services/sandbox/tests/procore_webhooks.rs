//! The webhook engine as a receiving endpoint sees it: payload versions, admin actions that fire
//! events, retries and discards, duplicates, drops and the delivery timeout.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bridge_sandbox::procore::{Config, Emulator, Faults, Kind, LoadOptions, WebhookConfig, serve};
use bridge_sandbox::seed::{SeedConfig, generate};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

struct Running {
    base: String,
    emu: Emulator,
    company: i64,
    token: String,
    http: reqwest::Client,
    _guard: tokio_util::sync::DropGuard,
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
        .expect("json");
    Running {
        base,
        emu,
        company,
        token: token["access_token"].as_str().expect("token").into(),
        http,
        _guard: shutdown.drop_guard(),
    }
}

/// A receiving endpoint: records events; fails while `failing` is set; answers after `delay`.
#[derive(Clone, Default)]
struct Receiver {
    events: Arc<Mutex<Vec<Value>>>,
    failing: Arc<AtomicBool>,
    delay_ms: Arc<AtomicUsize>,
}

impl Receiver {
    async fn serve(&self) -> String {
        let me = self.clone();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |axum::Json(body): axum::Json<Value>| {
                let me = me.clone();
                async move {
                    let delay = me.delay_ms.load(Ordering::SeqCst);
                    if delay > 0 {
                        tokio::time::sleep(Duration::from_millis(delay as u64)).await;
                    }
                    if me.failing.load(Ordering::SeqCst) {
                        return axum::http::StatusCode::SERVICE_UNAVAILABLE;
                    }
                    me.events.lock().expect("lock").push(body);
                    axum::http::StatusCode::OK
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        url
    }
    fn events(&self) -> Vec<Value> {
        self.events.lock().expect("lock").clone()
    }
}

async fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let end = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < end, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

impl Running {
    async fn hook(&self, scope: Value, version: &str, url: &str, triggers: &[(&str, &str)]) -> i64 {
        let mut body = scope.clone();
        body["hook"] = json!({ "api_version": version, "namespace": "maestro-erp-sync", "destination_url": url, "destination_headers": { "Authorization": "Bearer t" } });
        let hook: Value = self
            .http
            .post(format!("{}/rest/v1.0/webhooks/hooks", self.base))
            .bearer_auth(&self.token)
            .header("Procore-Company-Id", self.company.to_string())
            .json(&body)
            .send()
            .await
            .expect("hook")
            .json()
            .await
            .expect("json");
        let id = hook["id"].as_i64().expect("hook id");
        let mut bulk = scope;
        bulk["api_version"] = json!(version);
        bulk["triggers"] = triggers
            .iter()
            .map(|(r, e)| json!({ "resource_name": r, "event_type": e }))
            .collect();
        let r = self
            .http
            .post(format!(
                "{}/rest/v1.0/webhooks/hooks/{id}/triggers/bulk",
                self.base
            ))
            .bearer_auth(&self.token)
            .header("Procore-Company-Id", self.company.to_string())
            .json(&bulk)
            .send()
            .await
            .expect("bulk");
        assert_eq!(r.status(), 200);
        id
    }
    async fn create_vendor(&self, name: &str) -> i64 {
        let v: Value = self
            .http
            .post(format!("{}/rest/v1.0/vendors", self.base))
            .bearer_auth(&self.token)
            .header("Procore-Company-Id", self.company.to_string())
            .json(&json!({ "company_id": self.company, "vendor": { "name": name } }))
            .send()
            .await
            .expect("vendor")
            .json()
            .await
            .expect("json");
        v["id"].as_i64().expect("id")
    }
}

#[tokio::test]
async fn admin_actions_fire_v4_events_on_project_hooks() {
    let run = start(Config::fast()).await;
    let seed = generate(&SeedConfig {
        synchronized_fraction: 1.0,
        ..SeedConfig::for_projects(3)
    });
    let loaded = run
        .emu
        .load_seed(run.company, &seed, &LoadOptions::default());
    let commitment = seed
        .commitments
        .iter()
        .find(|c| !c.approved && loaded.projects.contains_key(&c.project_number))
        .expect("a draft commitment");
    let contract =
        loaded.commitments[&(commitment.project_number.clone(), commitment.number.clone())];
    let project = loaded.projects[&commitment.project_number];
    let receiver = Receiver::default();
    let url = receiver.serve().await;
    let names = [
        ("Purchase Order Contracts", "update"),
        ("Work Order Contracts", "update"),
        ("Change Order Packages", "create"),
    ];
    run.hook(json!({ "project_id": project }), "v4", &url, &names)
        .await;

    run.emu.approve_commitment(contract).expect("approve");
    wait_until("the approval event", || !receiver.events().is_empty()).await;
    let event = &receiver.events()[0];
    assert_eq!(event["reason"], "update");
    assert_eq!(
        event["resource_id"],
        json!(contract.to_string()),
        "v4 ids are strings"
    );
    assert_eq!(event["project_id"], json!(project.to_string()));
    assert!(
        event["resource_type"]
            .as_str()
            .is_some_and(|t| t.ends_with("Contracts"))
    );
    assert_eq!(
        event["id"].as_str().map(str::len),
        Some(26),
        "v4 event id is a ULID"
    );
    let contract_json = run
        .emu
        .get_json(Kind::WorkOrderContract, contract)
        .or_else(|| run.emu.get_json(Kind::PurchaseOrderContract, contract))
        .expect("contract");
    assert_eq!(contract_json["status"], "Approved");
}

#[tokio::test]
async fn v3_line_item_events_name_their_parent() {
    let run = start(Config::fast()).await;
    let seed = generate(&SeedConfig {
        synchronized_fraction: 1.0,
        ..SeedConfig::for_projects(1)
    });
    let loaded = run
        .emu
        .load_seed(run.company, &seed, &LoadOptions::default());
    let (number, project) = loaded
        .projects
        .iter()
        .next()
        .map(|(n, p)| (n.clone(), *p))
        .expect("project");
    let leaf = seed.cost_codes.iter().find(|c| c.leaf).expect("leaf");
    let cc = loaded.cost_codes[&(number, leaf.full_code.clone())];
    let lit = loaded.line_item_types["MAT"];
    let receiver = Receiver::default();
    let url = receiver.serve().await;
    run.hook(
        json!({ "project_id": project }),
        "v3",
        &url,
        &[("Direct Cost Line Items", "create")],
    )
    .await;
    let base = format!("{}/rest/v1.0/projects/{project}/direct_costs", run.base);
    let dc: Value = run
        .http
        .post(&base)
        .bearer_auth(&run.token)
        .header("Procore-Company-Id", run.company.to_string())
        .json(&json!({ "item": { "direct_cost_type": "expense", "status": "approved" } }))
        .send()
        .await
        .expect("dc")
        .json()
        .await
        .expect("json");
    let dc = dc["id"].as_i64().expect("dc id");
    let line = run
        .http
        .post(format!("{base}/{dc}/line_items"))
        .bearer_auth(&run.token)
        .header("Procore-Company-Id", run.company.to_string())
        .json(
            &json!({ "line_item": { "amount": 10, "cost_code_id": cc, "line_item_type_id": lit } }),
        )
        .send()
        .await
        .expect("line");
    assert_eq!(line.status(), 201);
    wait_until("the line event", || !receiver.events().is_empty()).await;
    let event = &receiver.events()[0];
    assert_eq!(event["api_version"], "v3");
    assert_eq!(event["resource_name"], "Direct Cost Line Items");
    assert_eq!(
        event["related_resources"],
        json!([{ "id": dc, "name": "Direct Costs" }])
    );
}

#[tokio::test]
async fn a_failing_endpoint_has_its_queue_discarded_then_starts_afresh() {
    let config = Config {
        webhooks: WebhookConfig {
            discard_after: Duration::from_millis(300),
            backoff_initial: Duration::from_millis(20),
            backoff_max: Duration::from_millis(80),
            ..Config::fast().webhooks
        },
        ..Config::fast()
    };
    let run = start(config).await;
    let receiver = Receiver::default();
    receiver.failing.store(true, Ordering::SeqCst);
    let url = receiver.serve().await;
    let hook = run
        .hook(
            json!({ "company_id": run.company }),
            "v2",
            &url,
            &[("Company Vendors", "create")],
        )
        .await;
    let lost = run.create_vendor("Lost").await;
    wait_until("the queued event to be discarded", || {
        run.emu
            .deliveries()
            .iter()
            .any(|d| d.outcome == "discarded")
    })
    .await;
    assert!(
        run.emu
            .deliveries()
            .iter()
            .filter(|d| d.outcome == "retried")
            .count()
            >= 2,
        "retried before discarding"
    );
    receiver.failing.store(false, Ordering::SeqCst);
    let fresh = run.create_vendor("Fresh").await;
    wait_until("the next event", || !receiver.events().is_empty()).await;
    let ids: Vec<i64> = receiver
        .events()
        .iter()
        .filter_map(|e| e["resource_id"].as_i64())
        .collect();
    assert_eq!(
        ids,
        [fresh],
        "the discarded event ({lost}) is never delivered"
    );
    let listed: Vec<Value> = run
        .http
        .get(format!(
            "{}/rest/v1.0/webhooks/hooks/{hook}/deliveries?company_id={}&filters[status]=discarded",
            run.base, run.company
        ))
        .bearer_auth(&run.token)
        .header("Procore-Company-Id", run.company.to_string())
        .send()
        .await
        .expect("deliveries")
        .json()
        .await
        .expect("json");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["event"]["resource_id"], json!(lost));
}

#[tokio::test]
async fn duplicates_drops_and_the_delivery_timeout_are_injected() {
    let config = Config {
        webhooks: WebhookConfig {
            duplicate_rate: 1.0,
            timeout: Duration::from_millis(200),
            backoff_initial: Duration::from_millis(20),
            ..Config::fast().webhooks
        },
        ..Config::fast()
    };
    let run = start(config).await;
    let receiver = Receiver::default();
    let url = receiver.serve().await;
    run.hook(
        json!({ "company_id": run.company }),
        "v2",
        &url,
        &[("Company Vendors", "create")],
    )
    .await;

    run.emu.set_faults(Faults {
        webhook_drop_rate: 1.0,
        ..Faults::default()
    });
    let dropped = run.create_vendor("Dropped").await;
    run.emu.set_faults(Faults::default());
    receiver.delay_ms.store(600, Ordering::SeqCst);
    let slow = run.create_vendor("Slow").await;
    wait_until("a timed-out attempt", || {
        run.emu
            .deliveries()
            .iter()
            .any(|d| d.outcome == "retried" && d.response_error.is_some())
    })
    .await;
    receiver.delay_ms.store(0, Ordering::SeqCst);
    wait_until("both copies", || receiver.events().len() >= 2).await;
    let events = receiver.events();
    assert!(
        events.iter().all(|e| e["resource_id"] == json!(slow)),
        "the dropped event ({dropped}) never arrives"
    );
    assert_eq!(
        events[0]["ulid"], events[1]["ulid"],
        "a duplicate carries the same ulid"
    );
}

#[tokio::test]
async fn editing_a_budget_fires_budget_modification_events() {
    let run = start(Config::fast()).await;
    let seed = generate(&SeedConfig {
        synchronized_fraction: 1.0,
        ..SeedConfig::for_projects(1)
    });
    let loaded = run
        .emu
        .load_seed(run.company, &seed, &LoadOptions::default());
    let project = *loaded.projects.values().next().expect("project");
    let line = run.emu.list_ids(Kind::BudgetLineItem, project)[0];
    let receiver = Receiver::default();
    let url = receiver.serve().await;
    run.hook(
        json!({ "project_id": project }),
        "v2",
        &url,
        &[("Budget Modifications", "create")],
    )
    .await;
    run.emu
        .set_budget_modification(line, 2_500.0)
        .expect("edit");
    wait_until("the budget modification event", || {
        !receiver.events().is_empty()
    })
    .await;
    let event = &receiver.events()[0];
    assert_eq!(event["resource_name"], "Budget Modifications");
    assert_eq!(event["project_id"], json!(project));
    let shown = run.emu.get_json(Kind::BudgetLineItem, line).expect("line");
    assert_eq!(shown["approved_budget_changes"], json!(2_500.0));
}

#[tokio::test]
async fn the_client_registers_hooks_and_events_decode_with_exact_ids() {
    use bridge_procore::models::WebhookEvent;
    use bridge_procore::{Client, ClientConfig, Credentials, HookScope, HookSpec};
    let run = start(Config::fast()).await;
    let base = url::Url::parse(&format!("{}/", run.base)).expect("url");
    let client = Client::new(ClientConfig::new(
        base.clone(),
        base,
        run.company,
        Credentials::ClientCredentials {
            client_id: "bridge".into(),
            client_secret: "s3cret".into(),
        },
    ))
    .expect("client");
    let receiver = Receiver::default();
    let url = receiver.serve().await;
    let scope = HookScope::Company(run.company);
    let spec = HookSpec {
        scope,
        api_version: "v2".into(),
        namespace: "maestro-erp-sync".into(),
        destination_url: url,
        authorization: "Bearer rotate-me".into(),
    };
    let hook = client.create_hook(&spec).await.expect("hook");
    let triggers = client
        .create_triggers(
            hook.id.0,
            scope,
            "v2",
            &[
                ("Company Vendors", "create"),
                ("Company Vendors", "update"),
                ("Projects", "create"),
                ("Not A Resource", "create"),
            ],
        )
        .await
        .expect("triggers");
    assert_eq!(triggers.created.len(), 3);
    assert_eq!(triggers.refused.len(), 1);
    assert_eq!(
        client
            .hooks(scope, "maestro-erp-sync")
            .await
            .expect("hooks")
            .len(),
        1
    );
    assert_eq!(
        client.triggers(hook.id.0, scope).await.expect("list").len(),
        3
    );

    let vendor = run.create_vendor("Exact").await;
    wait_until("the vendor event", || !receiver.events().is_empty()).await;
    let event: WebhookEvent =
        serde_json::from_value(receiver.events()[0].clone()).expect("decodes");
    assert_eq!(
        event.resource_id.0, vendor,
        "ids above 2^53 survive the payload"
    );
    assert!(vendor > 1 << 53);
    assert_eq!(event.company_id.map(|c| c.0), Some(run.company));
    assert_eq!(event.event_type.as_deref(), Some("create"));
}

#[tokio::test]
async fn reordering_delivers_every_event_out_of_order() {
    let config = Config {
        webhooks: WebhookConfig {
            reorder_rate: 1.0,
            backoff_initial: Duration::from_millis(20),
            backoff_max: Duration::from_millis(40),
            ..Config::fast().webhooks
        },
        ..Config::fast()
    };
    let run = start(config).await;
    let receiver = Receiver::default();
    receiver.failing.store(true, Ordering::SeqCst);
    let url = receiver.serve().await;
    run.hook(
        json!({ "company_id": run.company }),
        "v2",
        &url,
        &[("Company Vendors", "create")],
    )
    .await;
    let mut created = Vec::new();
    for name in ["A", "B", "C", "D"] {
        created.push(run.create_vendor(name).await);
    }
    wait_until("a failed attempt", || {
        run.emu.deliveries().iter().any(|d| d.outcome == "retried")
    })
    .await;
    receiver.failing.store(false, Ordering::SeqCst);
    wait_until("all four events", || receiver.events().len() >= 4).await;
    let received: Vec<i64> = receiver
        .events()
        .iter()
        .filter_map(|e| e["resource_id"].as_i64())
        .collect();
    let mut sorted = received.clone();
    sorted.sort_unstable();
    let mut expected = created.clone();
    expected.sort_unstable();
    assert_eq!(sorted, expected, "nothing lost");
    assert_ne!(received, created, "delivered out of order");
}

#[tokio::test]
async fn every_resource_the_bridge_subscribes_to_is_accepted() {
    let run = start(Config::fast()).await;
    let receiver = Receiver::default();
    let url = receiver.serve().await;
    let triggers: Vec<(&str, &str)> = bridge_domain::resources::SUBSCRIBED
        .iter()
        .flat_map(|r| [(*r, "create"), (*r, "update")])
        .collect();
    // `hook` insists on a 200: a single refused trigger makes the bulk answer 207.
    let company_scope = json!({ "company_id": run.company });
    run.hook(company_scope, "v2", &url, &triggers).await;
    assert!(triggers.iter().any(|(r, _)| *r == "Budget Changes"));
}
