//! A create sent to Procore is sent once: after a timeout or a 5xx the client returns the error
//! instead of posting again, so a write whose answer was lost never becomes two records (the
//! flow's create-once sequence finds it by `origin_id` on its next attempt).

use std::time::Duration;

use bridge_procore::{Client, ClientConfig, Credentials, query};
use bridge_sandbox::procore::{Config, Emulator, Faults, Kind, serve};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use url::Url;

struct Running {
    emu: Emulator,
    company: i64,
    client: Client,
    shutdown: CancellationToken,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// The emulator and a client that gives up on a call after 200 ms and would try four times.
async fn start() -> Running {
    let emu = Emulator::new(Config::fast());
    let company = emu.add_company("Constructions Boreal inc.");
    emu.register_client("bridge", "s3cret", &[company]);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base =
        Url::parse(&format!("http://{}/", listener.local_addr().expect("addr"))).expect("url");
    let shutdown = CancellationToken::new();
    tokio::spawn(serve(listener, emu.clone(), shutdown.clone()));
    let credentials = Credentials::ClientCredentials {
        client_id: "bridge".into(),
        client_secret: "s3cret".into(),
    };
    let mut config = ClientConfig::new(base.clone(), base, company, credentials);
    config.timeout = Duration::from_millis(200);
    config.min_backoff = Duration::from_millis(10);
    config.max_attempts = 4;
    let client = Client::new(config).expect("client");
    let _: Vec<Value> = client
        .get("rest/v1.0/vendors", &query([("company_id", company)]))
        .await
        .expect("warm up");
    Running {
        emu,
        company,
        client,
        shutdown,
    }
}

fn vendor(run: &Running, code: &str, origin_id: Option<&str>) -> Value {
    json!({
        "company_id": run.company,
        "vendor": { "name": format!("Béton {code}"), "abbreviated_name": code, "origin_id": origin_id },
    })
}

#[tokio::test]
async fn a_create_that_times_out_is_not_posted_again() {
    let run = start().await;
    // Every call hangs past the client's timeout, then the emulator applies it anyway.
    run.emu.set_faults(Faults {
        timeout_rate: 1.0,
        timeout_delay: Duration::from_millis(600),
        ..Faults::default()
    });
    let (calls, requests) = (run.client.calls(), run.emu.stats().requests);
    let err = run
        .client
        .post::<Value>("rest/v1.0/vendors", &[], &vendor(&run, "BETON01", None))
        .await
        .expect_err("the answer never arrives in time");
    assert!(err.is_transient(), "{err}");
    assert_eq!(run.client.calls() - calls, 1, "one POST, no blind retry");
    assert_eq!(run.emu.stats().requests - requests, 1);
    // The emulator drops a hung call whose client went away, so the one POST made at most one
    // record; a client that posted again would have sent four.
    run.emu.set_faults(Faults::default());
    assert!(run.emu.count(Kind::Vendor, run.company) <= 1);
}

#[tokio::test]
async fn a_create_answered_5xx_is_returned_to_the_caller_and_reads_still_retry() {
    let run = start().await;
    run.emu.set_faults(Faults {
        error_rate: 1.0,
        ..Faults::default()
    });
    let calls = run.client.calls();
    let err = run
        .client
        .post::<Value>(
            "rest/v1.0/vendors",
            &[],
            &vendor(&run, "BETON02", Some("supplier:BETON02")),
        )
        .await
        .expect_err("500");
    assert_eq!(err.status(), Some(500));
    assert!(err.is_transient(), "the flow retries it through a tier");
    assert_eq!(run.client.calls() - calls, 1, "one POST, no blind retry");
    let calls = run.client.calls();
    let _ = run
        .client
        .get::<Vec<Value>>("rest/v1.0/vendors", &query([("company_id", run.company)]))
        .await
        .expect_err("500");
    assert_eq!(run.client.calls() - calls, 4, "a read is retried");

    // The flow's next attempt: look the record up by origin_id first, then create it once.
    run.emu.set_faults(Faults::default());
    let found: Vec<Value> = run
        .client
        .get(
            "rest/v1.0/vendors",
            &query([
                ("company_id", run.company.to_string()),
                ("filters[origin_id]", "supplier:BETON02".into()),
            ]),
        )
        .await
        .expect("list");
    assert!(found.is_empty(), "the 500 created nothing: {found:?}");
    let _: Value = run
        .client
        .post(
            "rest/v1.0/vendors",
            &[],
            &vendor(&run, "BETON02", Some("supplier:BETON02")),
        )
        .await
        .expect("created");
    assert_eq!(run.emu.count(Kind::Vendor, run.company), 1);
}

#[tokio::test]
async fn with_origin_checks_off_a_repeated_origin_id_makes_a_second_record() {
    let run = start().await;
    let post = || async {
        run.client
            .post::<Value>(
                "rest/v1.0/vendors",
                &[],
                &vendor(&run, "BETON03", Some("supplier:BETON03")),
            )
            .await
    };
    post().await.expect("first");
    let err = post().await.expect_err("refused by default");
    assert_eq!(err.status(), Some(422));
    run.emu.set_origin_ids_unique(false);
    post().await.expect("accepted once the check is off");
    assert_eq!(run.emu.count(Kind::Vendor, run.company), 2);
}
