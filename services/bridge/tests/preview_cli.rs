//! `bridge sync preview` as an operator runs it, against both emulators: a table with each
//! record, exit status 3 when one would fail, 0 otherwise, and nothing written.

use bridge_maestro::{self as mx, CompanyClass};
use bridge_platform::connections::{self, NewConnection};
use bridge_platform::testing::{TestDb, amqp_url};
use bridge_sandbox::{maestro, procore};
use chrono::NaiveDate;
use std::process::{Command, Output};
use tokio_util::sync::CancellationToken;
use url::Url;

const COMPANY: &str = "DEMO";
const SECRET: &str = "procore-app-secret";

struct Sides {
    db: TestDb,
    maestro: maestro::Emulator,
    procore: procore::Emulator,
    company: i64,
    stop: CancellationToken,
}

impl Drop for Sides {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

async fn sides() -> Sides {
    let stop = CancellationToken::new();
    let db = TestDb::new().await;
    let procore = procore::Emulator::new(procore::Config::fast());
    let company = procore.add_company("Constructions Boréal inc.");
    procore.register_client("acme-client", SECRET, &[company]);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let procore_base = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(procore::serve(listener, procore.clone(), stop.clone()));
    let maestro = maestro::Emulator::new(maestro::Config::default());
    maestro.add_company(COMPANY, "Constructions Boréal", CompanyClass::Test, false);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let maestro_base = Url::parse(&format!(
        "http://{}{}",
        listener.local_addr().unwrap(),
        maestro::BASE_PATH
    ))
    .unwrap();
    tokio::spawn(maestro::serve(listener, maestro.clone(), stop.clone()));
    let new = NewConnection::sandbox("acme", &procore_base, maestro_base.as_str(), company);
    connections::create(&db.pool, &new).await.unwrap();
    Sides {
        db,
        maestro,
        procore,
        company,
        stop,
    }
}

fn project(code: &str, closing: Option<NaiveDate>) -> mx::Project {
    mx::Project {
        code: mx::ProjectCode::new(code).unwrap(),
        description: format!("Chantier {code}"),
        detailed_description: None,
        address: None,
        city: Some("Laval".into()),
        province: Some("QC".into()),
        country: Some("CA".into()),
        postal_code: None,
        phone: None,
        start_date: NaiveDate::from_ymd_opt(2026, 4, 1),
        closing_date: closing,
        active: true,
        prefix: None,
        master_project: None,
        customer_code: None,
        procore: mx::ProcoreTab {
            sync: true,
            ..mx::ProcoreTab::default()
        },
    }
}

/// Runs `bridge sync preview --connection acme <args>` on its own thread.
async fn preview(s: &Sides, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_bridge"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("BRIDGE_DATABASE_URL", &s.db.url)
        .env("BRIDGE_AMQP_URL", amqp_url())
        .env("BRIDGE_MAESTRO_KEY", &s.maestro.config().api_key)
        .env("BRIDGE_PROCORE_CLIENT_SECRET", SECRET)
        .args(["sync", "preview", "--connection", "acme"])
        .args(args);
    tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap()
}

async fn bridge_rows(s: &Sides) -> i64 {
    sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM sync_items) + (SELECT count(*) FROM links)
              + (SELECT count(*) FROM inbox) + (SELECT count(*) FROM sync_attempts)",
    )
    .fetch_one(&s.db.pool)
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preview_prints_each_record_and_exits_3_when_one_would_fail_writing_nothing() {
    let s = sides().await;
    let closing = NaiveDate::from_ymd_opt(2026, 11, 30);
    s.maestro
        .add_project(COMPANY, project("P-100", closing))
        .unwrap();

    let ok = preview(&s, &["--kind", "project"]).await;
    let stdout = String::from_utf8_lossy(&ok.stdout);
    let stderr = String::from_utf8_lossy(&ok.stderr);
    assert_eq!(ok.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.starts_with("CODE"), "{stdout}");
    assert!(
        stdout.contains("P-100  project P-100 (Chantier P-100)  new Procore project"),
        "{stdout}"
    );
    assert!(
        stdout.contains("project: 1 to send, 0 would fail"),
        "{stdout}"
    );

    s.maestro
        .add_project(COMPANY, project("P-200", None))
        .unwrap();
    let failing = preview(&s, &["--kind", "project"]).await;
    let stdout = String::from_utf8_lossy(&failing.stdout);
    assert_eq!(failing.status.code(), Some(3), "{stdout}");
    assert!(
        stdout.contains("    error: project P-200 (Chantier P-200) has no closing date"),
        "{stdout}"
    );
    assert!(stdout.contains("1 would fail"), "{stdout}");

    let json = preview(&s, &["--kind", "project", "--format", "json"]).await;
    assert_eq!(json.status.code(), Some(3));
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(doc["rows"].as_array().unwrap().len(), 2, "{doc}");

    let unknown = preview(&s, &["--kind", "purchase_order"]).await;
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("cannot be previewed"));

    assert_eq!(
        bridge_rows(&s).await,
        0,
        "the preview wrote to the bridge's tables"
    );
    assert!(
        s.maestro.writes().is_empty(),
        "the preview wrote to maestro*"
    );
    assert_eq!(s.procore.count(procore::Kind::Project, s.company), 0);
}
