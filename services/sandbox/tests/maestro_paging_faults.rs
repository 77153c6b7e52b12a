//! Paging over many pages, and the fault knobs: what the client sees when maestro* is slow or
//! failing (transient errors, so the bridge retries).

mod maestro_support;

use bridge_maestro::{KEY_HEADER, MaestroApi, MaestroError, PartyFilter, TransactionFilter, wire};
use bridge_sandbox::maestro::Faults;
use maestro_support::start_seeded;
use std::collections::BTreeSet;
use std::time::Duration;

#[tokio::test]
async fn lists_walk_every_page_once() {
    let (running, company) = start_seeded().await;
    let client = running.client_with(&company.code, |c| c.page_size = 7);
    let before = running.emulator.request_count();
    let suppliers = client
        .suppliers(&PartyFilter::default())
        .await
        .expect("suppliers");
    let requests = running.emulator.request_count() - before;
    assert_eq!(suppliers.len(), company.suppliers.len());
    let unique: BTreeSet<&str> = suppliers.iter().map(|s| s.code.as_str()).collect();
    assert_eq!(unique.len(), suppliers.len(), "no supplier twice");
    assert_eq!(requests as usize, company.suppliers.len().div_ceil(7));
    assert!(requests >= 5, "the seed spans several pages ({requests})");

    let transactions = client
        .transactions(&TransactionFilter::default())
        .await
        .expect("transactions");
    assert_eq!(transactions.len(), company.transactions.len());
}

#[tokio::test]
async fn page_information_and_a_page_past_the_end() {
    let (running, company) = start_seeded().await;
    let http = reqwest::Client::new();
    let get = |page: u32| {
        http.get(running.url(&format!(
            "/companies/{}/suppliers?page={page}&page_size=10",
            company.code
        )))
        .header(KEY_HEADER, running.emulator.config().api_key.clone())
        .send()
    };
    let first = wire::parse_response(&get(1).await.expect("page 1").bytes().await.expect("body"))
        .expect("xml");
    let info = first.page.expect("page info");
    assert_eq!(
        (info.number, info.size, info.total),
        (1, 10, company.suppliers.len() as u64)
    );
    assert_eq!(info.pages as usize, company.suppliers.len().div_ceil(10));
    assert_eq!(first.suppliers.expect("list").items.len(), 10);
    let past = wire::parse_response(
        &get(info.pages + 1)
            .await
            .expect("past")
            .bytes()
            .await
            .expect("body"),
    )
    .expect("xml");
    assert!(past.suppliers.expect("list").items.is_empty());
}

#[tokio::test]
async fn a_failing_maestro_gives_transient_errors() {
    let (running, company) = start_seeded().await;
    let client = running.client(&company.code);
    running.emulator.set_faults(Faults {
        latency: Duration::ZERO,
        error_rate: 1.0,
    });
    let error = client.groups().await.expect_err("service down");
    assert!(
        matches!(error, MaestroError::Unavailable { status: 503, .. }),
        "{error:?}"
    );
    assert!(error.is_transient());

    running.emulator.set_faults(Faults::default());
    assert!(!client.groups().await.expect("recovered").is_empty());
}

#[tokio::test]
async fn a_slow_maestro_times_out_as_transient() {
    let (running, company) = start_seeded().await;
    running.emulator.set_faults(Faults {
        latency: Duration::from_millis(600),
        error_rate: 0.0,
    });
    let impatient = running.client_with(&company.code, |c| c.timeout = Duration::from_millis(150));
    let error = impatient.groups().await.expect_err("too slow");
    assert!(matches!(error, MaestroError::Timeout { .. }), "{error:?}");
    assert!(error.is_transient());
    let patient = running.client(&company.code);
    assert!(!patient.groups().await.expect("slow but answers").is_empty());
}

#[tokio::test]
async fn nobody_listening_is_transient() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    drop(listener);
    let config = bridge_maestro::ClientConfig::new(
        url::Url::parse(&format!("http://{address}/maestro-xml/v1")).expect("url"),
        "key",
        "001",
    );
    let client = bridge_maestro::HttpMaestro::new(config).expect("client");
    let error = client.groups().await.expect_err("refused");
    assert!(matches!(error, MaestroError::Transport { .. }), "{error:?}");
    assert!(error.is_transient());
}
