//! `bridge procore hooks install` as an operator runs it: the pairing guard checks the
//! connection before the hook is written (issue 10, fix 7; rules §6).

use bridge_maestro::CompanyClass;
use bridge_platform::connections::{self, NewConnection};
use bridge_platform::testing::{TestDb, amqp_url};
use bridge_procore::{Client, ClientConfig, Credentials, HookScope};
use bridge_sandbox::{maestro, procore};
use std::process::{Command, Output};
use tokio_util::sync::CancellationToken;
use url::Url;

const NAMESPACE: &str = "maestro-erp-bridge";

async fn install(db: &TestDb, maestro_key: &str) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_bridge"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("BRIDGE_DATABASE_URL", &db.url)
        .env("BRIDGE_AMQP_URL", amqp_url())
        .env("BRIDGE_CONNECT_TIMEOUT", "3")
        .env("BRIDGE_MAESTRO_KEY", maestro_key)
        .env("BRIDGE_PROCORE_CLIENT_SECRET", "s3cret")
        .env("BRIDGE_PUBLIC_URL", "https://bridge.example")
        .args(["procore", "hooks", "install", "--connection", "acme"]);
    tokio::task::spawn_blocking(move || cmd.output().expect("the bridge runs"))
        .await
        .expect("joined")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hook_is_installed_only_once_the_pairing_is_verified() {
    let stop = CancellationToken::new();
    let _stop = stop.clone().drop_guard();
    let procore_emu = procore::Emulator::new(procore::Config::fast());
    let company = procore_emu.add_company("Constructions Boréal inc.");
    procore_emu.register_client("bridge", "s3cret", &[company]);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let procore_base = Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
    tokio::spawn(procore::serve(listener, procore_emu, stop.clone()));
    let maestro_emu = maestro::Emulator::new(maestro::Config::default());
    maestro_emu.add_company("DEMO", "Bac à sable", CompanyClass::Test, false);
    maestro_emu.add_company(
        "REAL",
        "Constructions Boréal",
        CompanyClass::Production,
        false,
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let maestro_base = format!(
        "http://{}{}",
        listener.local_addr().unwrap(),
        maestro::BASE_PATH
    );
    tokio::spawn(maestro::serve(listener, maestro_emu.clone(), stop.clone()));
    let key = maestro_emu.config().api_key.clone();

    let db = TestDb::new().await;
    // Labelled test / developer sandbox, but the maestro* company is a production one.
    let mut new = NewConnection::sandbox("acme", procore_base.as_str(), &maestro_base, company);
    new.maestro_company = "REAL".into();
    new.oauth_client_id = Some("bridge".into());
    let id = connections::create(&db.pool, &new).await.unwrap();
    let bridge = Client::new(ClientConfig::new(
        procore_base.clone(),
        procore_base,
        company,
        Credentials::ClientCredentials {
            client_id: "bridge".into(),
            client_secret: "s3cret".into(),
        },
    ))
    .unwrap();
    let hooks = async || {
        bridge
            .hook_entries(HookScope::Company(company), NAMESPACE)
            .await
            .expect("hooks")
            .len()
    };

    let refused = install(&db, &key).await;
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success(), "{stderr}");
    assert!(
        stderr.contains("maestro* lists it as production"),
        "{stderr}"
    );
    assert_eq!(hooks().await, 0, "no hook written");

    sqlx::query(
        "UPDATE connections SET maestro_company = 'DEMO',
                updated_at = now() + interval '1 second' WHERE id = $1",
    )
    .bind(id)
    .execute(&db.pool)
    .await
    .unwrap();
    let installed = install(&db, &key).await;
    let stdout = String::from_utf8_lossy(&installed.stdout);
    assert!(
        installed.status.success(),
        "{}",
        String::from_utf8_lossy(&installed.stderr)
    );
    assert!(
        stdout.contains("created for https://bridge.example/webhooks/procore/acme"),
        "{stdout}"
    );
    assert_eq!(hooks().await, 1);
}
