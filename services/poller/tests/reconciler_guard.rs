//! The reconciler writes nothing for a connection the pairing guard refuses (issue 10, fix 7;
//! rules §6): labelled a developer sandbox, its Procore address is Procore's production host.

use bridge_platform::connections::{self, NewConnection};
use bridge_platform::testing::TestDb;
use bridge_poller::reconciler::{self, Settings};
use bridge_procore::{Client, ClientConfig, Credentials};
use url::Url;

#[tokio::test]
async fn a_sandbox_labelled_connection_on_the_production_host_is_not_reconciled() {
    let db = TestDb::new().await;
    let production = "https://api.procore.com/";
    let new = NewConnection::sandbox("acme", production, "http://127.0.0.1:9/", 42);
    let id = connections::create(&db.pool, &new).await.unwrap();
    let base = Url::parse(production).unwrap();
    let client = Client::new(ClientConfig::new(
        base.clone(),
        base,
        42,
        Credentials::ClientCredentials {
            client_id: "acme-client".into(),
            client_secret: "secret".into(),
        },
    ))
    .unwrap();

    let e = reconciler::reconcile(&db.pool, id, &client, &Settings::default())
        .await
        .expect_err("refused");
    assert!(
        format!("{e:#}").contains("https://api.procore.com/ is Procore's production"),
        "{e:#}"
    );
    assert_eq!(client.calls(), 0, "Procore was not called");
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM inbox")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(rows, 0);
}
