//! Procore calls per record: 5,000 vendors and 10,000 budget lines written through the sync
//! endpoints (chunks of 1,000) against one create call per record, through the real client and
//! the emulator over HTTP. Run with `cargo bench -p bridge-sandbox --bench procore_sync`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use bridge_procore::models::{BudgetLineItem, Vendor};
use bridge_procore::{Client, ClientConfig, Credentials, query};
use bridge_sandbox::procore::{Config, Emulator, LoadOptions, Loaded, serve};
use bridge_sandbox::seed::{Company, SeedConfig, generate};
use futures::StreamExt;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use url::Url;

const VENDORS: usize = 5_000;
const PROJECTS: usize = 40;
const LINES_PER_PROJECT: usize = 250;
const CONCURRENCY: usize = 8;

struct Setup {
    client: Client,
    emulator: Emulator,
    loaded: Loaded,
    _guard: tokio_util::sync::DropGuard,
}

async fn setup(seed: &Company) -> anyhow::Result<Setup> {
    let emulator = Emulator::new(Config {
        hourly_limit: u32::MAX,
        spike_limit: u32::MAX,
        ..Config::fast()
    });
    let company = emulator.add_company(&seed.name);
    emulator.register_client("bench", "secret", &[company]);
    let loaded = emulator.load_seed(company, seed, &LoadOptions::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = Url::parse(&format!("http://{}/", listener.local_addr()?))?;
    let shutdown = CancellationToken::new();
    tokio::spawn(serve(listener, emulator.clone(), shutdown.clone()));
    let credentials = Credentials::ClientCredentials {
        client_id: "bench".into(),
        client_secret: "secret".into(),
    };
    let client = Client::new(ClientConfig::new(base.clone(), base, company, credentials))?;
    Ok(Setup {
        client,
        emulator,
        loaded,
        _guard: shutdown.drop_guard(),
    })
}

fn vendor_items(seed: &Company) -> Vec<Value> {
    seed.suppliers.iter().map(|s| json!({ "name": s.name, "abbreviated_name": s.code, "city": s.address.city, "state_code": s.address.province, "country_code": "CA", "zip": s.address.postal_code, "license_number": s.license_number, "origin_id": format!("supplier:{}", s.code) })).collect()
}

/// Budget lines per Procore project id.
fn budget_items(seed: &Company, loaded: &Loaded) -> HashMap<i64, Vec<Value>> {
    let mut out: HashMap<i64, Vec<Value>> = HashMap::new();
    for b in &seed.budget_lines {
        let (Some(project), Some(cc), Some(lit)) = (
            loaded.projects.get(&b.project_number),
            loaded
                .cost_codes
                .get(&(b.project_number.clone(), b.activity.clone())),
            loaded.line_item_types.get(&b.group),
        ) else {
            continue;
        };
        out.entry(*project).or_default().push(json!({ "cost_code_id": cc, "line_item_type_id": lit, "original_budget_amount": b.amount_cents as f64 / 100.0, "quantity": b.quantity, "uom": b.unit }));
    }
    out
}

struct Row {
    what: &'static str,
    records: usize,
    calls: u64,
    elapsed: Duration,
}

fn print(rows: &[Row]) {
    println!("| records | method | Procore calls | calls per record | wall time |");
    println!("| --- | --- | ---: | ---: | ---: |");
    for r in rows {
        println!(
            "| {} | {} | {} | {:.4} | {:.2} s |",
            r.records,
            r.what,
            r.calls,
            r.calls as f64 / r.records as f64,
            r.elapsed.as_secs_f64()
        );
    }
}

/// One create call: path, query, body.
type Job = (String, Vec<(String, String)>, Value);

async fn one_by_one(client: &Client, jobs: Vec<Job>) -> anyhow::Result<()> {
    let results: Vec<anyhow::Result<()>> = futures::stream::iter(jobs)
        .map(|(path, q, body)| async move {
            let _: Value = client.post(&path, &q, &body).await?;
            Ok(())
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    results.into_iter().collect()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut config = SeedConfig {
        synchronized_fraction: 1.0,
        budget_lines_per_project: LINES_PER_PROJECT,
        ..SeedConfig::for_projects(PROJECTS)
    };
    config.suppliers = VENDORS;
    let mut seed = generate(&config);
    // Vendors and budget lines start absent from Procore; projects and cost codes exist.
    for s in &mut seed.suppliers {
        s.in_procore = false;
        s.keywords.clear();
    }
    seed.budget_lines
        .iter_mut()
        .for_each(|b| b.in_procore = false);
    seed.projects.iter_mut().for_each(|p| p.in_procore = true);
    seed.commitments.clear();
    seed.transactions.clear();
    seed.prime_contracts.clear();
    let mut rows = Vec::new();

    // Vendors through the sync endpoint.
    let s = setup(&seed).await?;
    let items = vendor_items(&seed);
    let (before, started) = (s.client.calls(), Instant::now());
    let results = s.client.sync_vendors(&items).await?;
    anyhow::ensure!(
        results.iter().all(|r| r.result.is_ok()),
        "every vendor synced"
    );
    rows.push(Row {
        what: "vendors, PATCH /vendors/sync",
        records: items.len(),
        calls: s.client.calls() - before,
        elapsed: started.elapsed(),
    });
    let budget = budget_items(&seed, &s.loaded);
    let lines: usize = budget.values().map(Vec::len).sum();
    anyhow::ensure!(
        lines == PROJECTS * LINES_PER_PROJECT,
        "{lines} budget lines of {} seeded, {} projects loaded, {} codes",
        seed.budget_lines.len(),
        s.loaded.projects.len(),
        s.loaded.cost_codes.len()
    );
    let (before, started) = (s.client.calls(), Instant::now());
    for (project, items) in &budget {
        let results = s
            .client
            .sync_budget_line_items::<BudgetLineItem>(*project, items)
            .await?;
        anyhow::ensure!(
            results.iter().all(|r| r.result.is_ok()),
            "every budget line synced"
        );
    }
    rows.push(Row {
        what: "budget lines, POST /budget_line_items/sync",
        records: lines,
        calls: s.client.calls() - before,
        elapsed: started.elapsed(),
    });
    let stored = s
        .client
        .list_all::<Vendor>(
            "rest/v1.0/vendors",
            query([("company_id", s.client.company_id())]),
            1000,
        )
        .await?;
    let suppliers = stored
        .iter()
        .filter(|v| {
            v.origin_id
                .as_deref()
                .is_some_and(|o| o.starts_with("supplier:"))
        })
        .count();
    anyhow::ensure!(suppliers == VENDORS, "{suppliers} suppliers stored");
    drop(s.emulator);

    // The same records, one create call each.
    let s = setup(&seed).await?;
    let company = s.client.company_id();
    let jobs = items
        .iter()
        .map(|v| {
            (
                "rest/v1.0/vendors".to_string(),
                Vec::new(),
                json!({ "company_id": company, "vendor": v }),
            )
        })
        .collect();
    let (before, started) = (s.client.calls(), Instant::now());
    one_by_one(&s.client, jobs).await?;
    rows.push(Row {
        what: "vendors, POST /vendors each",
        records: items.len(),
        calls: s.client.calls() - before,
        elapsed: started.elapsed(),
    });
    let budget = budget_items(&seed, &s.loaded);
    let jobs = budget
        .iter()
        .flat_map(|(project, items)| {
            items.iter().map(move |b| {
                (
                    "rest/v1.0/budget_line_items".to_string(),
                    query([("project_id", *project)]),
                    json!({ "project_id": project, "budget_line_item": b }),
                )
            })
        })
        .collect();
    let (before, started) = (s.client.calls(), Instant::now());
    one_by_one(&s.client, jobs).await?;
    rows.push(Row {
        what: "budget lines, POST /budget_line_items each",
        records: lines,
        calls: s.client.calls() - before,
        elapsed: started.elapsed(),
    });

    print(&rows);
    Ok(())
}
