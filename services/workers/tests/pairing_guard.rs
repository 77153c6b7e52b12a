//! The pairing guard verifies instead of trusting labels (issue 10, fix 7; rules §6): the
//! workers get no client for a connection whose maestro* company is really of another class
//! than declared, or whose Procore address is another environment's host.

use bridge_maestro::CompanyClass;
use bridge_platform::Secret;
use bridge_platform::connections::{self, NewConnection};
use bridge_platform::testing::TestDb;
use bridge_sandbox::maestro;
use bridge_workers::flows::{ClientSecrets, Clients, PgClients};
use tokio_util::sync::CancellationToken;

/// A custom Procore address (nothing listens): it keeps the environment the connection declares.
const CUSTOM_PROCORE: &str = "http://127.0.0.1:1/";

struct Setup {
    db: TestDb,
    clients: PgClients,
    id: i64,
    stop: CancellationToken,
}

impl Drop for Setup {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// A maestro* emulator holding the test company `DEMO` and the production company `REAL`, and
/// a connection labelled test / developer sandbox on `company` with `procore_base`.
async fn setup(company: &str, procore_base: &str) -> Setup {
    let stop = CancellationToken::new();
    let emulator = maestro::Emulator::new(maestro::Config::default());
    emulator.add_company("DEMO", "Bac à sable", CompanyClass::Test, false);
    emulator.add_company(
        "REAL",
        "Constructions Boréal",
        CompanyClass::Production,
        false,
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!(
        "http://{}{}",
        listener.local_addr().unwrap(),
        maestro::BASE_PATH
    );
    tokio::spawn(maestro::serve(listener, emulator.clone(), stop.clone()));
    let db = TestDb::new().await;
    let mut new = NewConnection::sandbox("acme", procore_base, &base, 42);
    new.maestro_company = company.to_owned();
    let id = connections::create(&db.pool, &new).await.unwrap();
    let clients = PgClients::new(
        db.pool.clone(),
        ClientSecrets {
            maestro_key: Some(Secret::new(emulator.config().api_key.clone())),
            procore_client_secret: Some(Secret::new("secret".to_owned())),
        },
    );
    Setup {
        db,
        clients,
        id,
        stop,
    }
}

async fn first_company(s: &Setup) -> Option<i64> {
    sqlx::query_scalar("SELECT first_procore_company_id FROM connections WHERE id = $1")
        .bind(s.id)
        .fetch_one(&s.db.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_test_labelled_connection_on_a_production_company_gets_no_client() {
    let s = setup("REAL", CUSTOM_PROCORE).await;
    for e in [
        s.clients.procore(s.id).await.err().expect("refused"),
        s.clients.maestro(s.id).await.err().expect("refused"),
    ] {
        let text = format!("{e:#}");
        assert!(
            text.contains("says its maestro* company REAL is a test company")
                && text.contains("maestro* lists it as production"),
            "{text}"
        );
    }
    assert_eq!(first_company(&s).await, None, "nothing recorded");
}

#[tokio::test]
async fn a_procore_base_on_the_production_host_with_a_test_company_gets_no_client() {
    let s = setup("DEMO", "https://api.procore.com/").await;
    let e = s.clients.procore(s.id).await.err().expect("refused");
    let text = format!("{e:#}");
    assert!(
        text.contains("says its Procore environment is developer sandbox")
            && text.contains("https://api.procore.com/ is Procore's production"),
        "{text}"
    );
    // Labelled production to match the host, the test company is still refused.
    sqlx::query(
        "UPDATE connections SET procore_environment = 'production',
                updated_at = now() + interval '1 second' WHERE id = $1",
    )
    .bind(s.id)
    .execute(&s.db.pool)
    .await
    .unwrap();
    let e = s.clients.procore(s.id).await.err().expect("refused");
    assert!(
        format!("{e:#}")
            .contains("pairs a maestro* test company with a Procore production environment"),
        "{e:#}"
    );
}

#[tokio::test]
async fn a_company_maestro_does_not_list_is_refused_and_a_verified_pairing_is_recorded() {
    let s = setup("GONE", CUSTOM_PROCORE).await;
    let e = s.clients.procore(s.id).await.err().expect("refused");
    assert!(
        format!("{e:#}").contains("maestro* lists no company GONE"),
        "{e:#}"
    );

    let s = setup("DEMO", CUSTOM_PROCORE).await;
    let client = s.clients.procore(s.id).await.expect("a verified pairing");
    assert_eq!(client.company_id(), 42);
    s.clients.maestro(s.id).await.expect("a verified pairing");
    assert_eq!(first_company(&s).await, Some(42));
}
