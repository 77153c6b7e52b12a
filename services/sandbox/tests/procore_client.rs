//! The Procore client against the emulator over real HTTP: paging, rate limits, tokens, big ids
//! and sync results.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bridge_procore::models::Vendor;
use bridge_procore::{Client, ClientConfig, Credentials, ProcoreId, TokenSet, query};
use bridge_sandbox::procore::{Config, Emulator, Kind, serve};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use url::Url;

struct Running {
    base: Url,
    emu: Emulator,
    company: i64,
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
    let base =
        Url::parse(&format!("http://{}/", listener.local_addr().expect("addr"))).expect("url");
    let shutdown = CancellationToken::new();
    tokio::spawn(serve(listener, emu.clone(), shutdown.clone()));
    Running {
        base,
        emu,
        company,
        shutdown,
    }
}

fn dmsa() -> Credentials {
    Credentials::ClientCredentials {
        client_id: "bridge".into(),
        client_secret: "s3cret".into(),
    }
}

fn client(
    run: &Running,
    credentials: Credentials,
    on_tokens: Option<bridge_procore::OnTokens>,
) -> Client {
    let mut config =
        ClientConfig::new(run.base.clone(), run.base.clone(), run.company, credentials);
    config.on_tokens = on_tokens;
    config.min_backoff = Duration::from_millis(20);
    Client::new(config).expect("client")
}

fn vendors(n: usize, prefix: &str) -> Vec<Value> {
    (0..n).map(|i| json!({ "name": format!("{prefix} {i}"), "abbreviated_name": format!("V{i:05}"), "origin_id": format!("supplier:{prefix}{i}") })).collect()
}

async fn wait_until(what: &str, deadline: Duration, mut done: impl FnMut() -> bool) {
    let end = Instant::now() + deadline;
    while !done() {
        assert!(Instant::now() < end, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn pagination_streams_every_page() {
    let run = start(Config::fast()).await;
    let c = client(&run, dmsa(), None);
    let results = c
        .sync_vendors(&vendors(2_345, "Paged"))
        .await
        .expect("sync");
    assert!(results.iter().all(|r| r.result.is_ok()));
    let before = c.calls();
    let all: Vec<Vendor> = c
        .list_all(
            "rest/v1.0/vendors",
            query([("company_id", run.company)]),
            100,
        )
        .await
        .expect("list");
    assert_eq!(all.len(), 2_345);
    assert_eq!(c.calls() - before, 24, "24 pages of 100");
    let unique: std::collections::HashSet<_> = all.iter().map(|v| v.id).collect();
    assert_eq!(unique.len(), 2_345);
    let found = c
        .vendor_by_origin("supplier:Paged1234")
        .await
        .expect("lookup")
        .expect("found");
    assert_eq!(found.name.as_deref(), Some("Paged 1234"));
    assert!(
        c.vendor_by_origin("supplier:nobody")
            .await
            .expect("lookup")
            .is_none()
    );
}

#[tokio::test]
async fn a_429_storm_is_waited_out_and_finishes_soon_after_the_reset() {
    let window = Duration::from_secs(3);
    let run = start(Config {
        spike_limit: 50,
        spike_window: window,
        hourly_limit: 100_000,
        ..Config::fast()
    })
    .await;
    let seen: Arc<Mutex<Option<String>>> = Arc::default();
    let keep = seen.clone();
    let c = client(
        &run,
        dmsa(),
        Some(Arc::new(move |t: &TokenSet| {
            *keep.lock().expect("lock") = Some(t.access_token.clone())
        })),
    );
    let path = "rest/v1.0/vendors";
    let q = query([("company_id", run.company)]);
    let _: Vec<Value> = c.get(path, &q).await.expect("first call");
    // Another process sharing the token spends the whole window.
    let token = seen.lock().expect("lock").clone().expect("token seen");
    let raw = reqwest::Client::new();
    let retry_after = loop {
        let r = raw
            .get(run.base.join(path).expect("url"))
            .query(&q)
            .bearer_auth(&token)
            .header("Procore-Company-Id", run.company.to_string())
            .send()
            .await
            .expect("send");
        if r.status() == 429 {
            let secs: u64 = r.headers()["retry-after"]
                .to_str()
                .expect("retry-after")
                .parse()
                .expect("seconds");
            break Duration::from_secs(secs);
        }
    };
    let rejected_before = run.emu.stats().rate_limited;
    let started = Instant::now();
    assert!(
        c.held_until().await.is_none(),
        "the client has not seen the 429 yet"
    );
    let probe = {
        let (c, q) = (c.clone(), q.clone());
        tokio::spawn(async move {
            let _: Vec<Value> = c.get(path, &q).await.expect("probe");
        })
    };
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut seen_wait = false;
    while !seen_wait && !probe.is_finished() && Instant::now() < deadline {
        seen_wait = c.held_until().await.is_some();
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(
        seen_wait,
        "while the probe waits, a status screen can see the wait"
    );
    probe.await.expect("probe task");
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (c, q) = (c.clone(), q.clone());
            tokio::spawn(async move {
                for _ in 0..5 {
                    let _: Vec<Value> = c.get(path, &q).await.expect("call succeeds after waiting");
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("task");
    }
    let elapsed = started.elapsed();
    let client_429s = run.emu.stats().rate_limited - rejected_before;
    assert!(
        client_429s <= 8,
        "at most one 429 per concurrent caller, then everyone waits; got {client_429s}"
    );
    assert!(
        elapsed + Duration::from_millis(1100) >= retry_after,
        "finished in {elapsed:?}, before the reset ({retry_after:?})"
    );
    assert!(
        elapsed <= retry_after + Duration::from_millis(1500),
        "40 calls fit the next window: took {elapsed:?} for a reset in {retry_after:?}"
    );
}

#[tokio::test]
async fn calls_within_a_budget_never_get_429() {
    let run = start(Config {
        spike_limit: 10,
        spike_window: Duration::from_secs(1),
        hourly_limit: 100_000,
        ..Config::fast()
    })
    .await;
    let c = client(&run, dmsa(), None);
    let q = query([("company_id", run.company)]);
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let (c, q) = (c.clone(), q.clone());
            tokio::spawn(async move {
                for _ in 0..6 {
                    let _: Vec<Value> = c.get("rest/v1.0/vendors", &q).await.expect("call");
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("task");
    }
    assert_eq!(
        run.emu.stats().rate_limited,
        0,
        "the governor slows down before the budget is gone"
    );
}

#[tokio::test]
async fn tokens_expire_and_refresh_tokens_rotate() {
    let run = start(Config {
        token_lifetime: Duration::from_secs(1),
        ..Config::fast()
    })
    .await;
    // Authorization-code grant: the authorize page redirects with a code.
    let no_redirect = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http");
    let callback = "http://127.0.0.1:9/callback";
    let authorize = no_redirect
        .get(run.base.join("oauth/authorize").expect("url"))
        .query(&[
            ("response_type", "code"),
            ("client_id", "bridge"),
            ("redirect_uri", callback),
            ("state", "xyz"),
        ])
        .send()
        .await
        .expect("authorize");
    assert!(authorize.status().is_redirection());
    let location =
        Url::parse(authorize.headers()["location"].to_str().expect("location")).expect("url");
    let code = location
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.to_string())
        .expect("code");
    assert!(
        location
            .query_pairs()
            .any(|(k, v)| k == "state" && v == "xyz")
    );
    let first = bridge_procore::exchange_code(
        &reqwest::Client::new(),
        &run.base,
        "bridge",
        "s3cret",
        &code,
        callback,
    )
    .await
    .expect("exchange");
    let r0 = first.refresh_token.clone().expect("refresh token");
    assert!(
        bridge_procore::exchange_code(
            &reqwest::Client::new(),
            &run.base,
            "bridge",
            "s3cret",
            &code,
            callback
        )
        .await
        .is_err(),
        "codes are single use"
    );

    let saved: Arc<Mutex<Vec<TokenSet>>> = Arc::default();
    let sink = saved.clone();
    let creds = Credentials::AuthorizationCode {
        client_id: "bridge".into(),
        client_secret: "s3cret".into(),
        redirect_uri: callback.into(),
        refresh_token: r0.clone(),
    };
    let c = client(
        &run,
        creds,
        Some(Arc::new(move |t: &TokenSet| {
            sink.lock().expect("lock").push(t.clone())
        })),
    );
    let q = query([("company_id", run.company)]);
    let _: Vec<Value> = c.get("rest/v1.0/vendors", &q).await.expect("first call");
    let r1 = saved.lock().expect("lock")[0]
        .refresh_token
        .clone()
        .expect("rotated");
    assert_ne!(r1, r0);
    let reuse = reqwest::Client::new()
        .post(run.base.join("oauth/token").expect("url"))
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", "bridge"),
            ("client_secret", "s3cret"),
            ("refresh_token", r0.as_str()),
        ])
        .send()
        .await
        .expect("send");
    assert_eq!(reuse.status(), 400, "a used refresh token is dead");

    let expires = saved.lock().expect("lock")[0].expires_at;
    wait_until("the access token to expire", Duration::from_secs(5), || {
        chrono::Utc::now() > expires
    })
    .await;
    let _: Vec<Value> = c
        .get("rest/v1.0/vendors", &q)
        .await
        .expect("call after expiry");
    let sets = saved.lock().expect("lock").clone();
    assert_eq!(sets.len(), 2, "one renewal after expiry");
    assert_ne!(sets[1].refresh_token, Some(r1.clone()));

    // A token revoked behind the client's back: one 401, one renewal, then success.
    let current = sets[1].access_token.clone();
    reqwest::Client::new()
        .post(run.base.join("oauth/revoke").expect("url"))
        .form(&[("token", current.as_str())])
        .send()
        .await
        .expect("revoke");
    let _: Vec<Value> = c
        .get("rest/v1.0/vendors", &q)
        .await
        .expect("call after revoke");
    assert_eq!(saved.lock().expect("lock").len(), 3);
}

#[tokio::test]
async fn ids_above_2_pow_53_round_trip_exactly() {
    let run = start(Config::fast()).await;
    let c = client(&run, dmsa(), None);
    let created = c.sync_vendors(&vendors(3, "Big")).await.expect("sync");
    let ids: Vec<ProcoreId> = created
        .iter()
        .map(|r| r.result.as_ref().expect("created").id)
        .collect();
    for id in &ids {
        assert!(id.0 > 1 << 53, "{id} is above 2^53");
        // Neighbouring ids collapse to the same f64; they must stay distinct here.
        let fetched: Vendor = c
            .get(
                &format!("rest/v1.0/vendors/{id}"),
                &query([("company_id", run.company)]),
            )
            .await
            .expect("get");
        assert_eq!(fetched.id, *id);
        assert_eq!(
            run.emu
                .get_json(Kind::Vendor, id.0)
                .and_then(|v| v["id"].as_i64()),
            Some(id.0)
        );
    }
    let update = json!({ "company_id": run.company, "vendor": { "name": "Renamed" } });
    let patched: Vendor = c
        .patch(&format!("rest/v1.0/vendors/{}", ids[1]), &[], &update)
        .await
        .expect("patch");
    assert_eq!(patched.id, ids[1]);
    assert_eq!(
        run.emu
            .get_json(Kind::Vendor, ids[0].0)
            .and_then(|v| v["name"].as_str().map(str::to_string))
            .as_deref(),
        Some("Big 0")
    );
}

#[tokio::test]
async fn sync_with_good_and_bad_items_reports_each_item() {
    let run = start(Config::fast()).await;
    let c = client(&run, dmsa(), None);
    let mut items = vendors(2_500, "Mixed");
    items[10] = json!({ "abbreviated_name": "NONAME" });
    items[1500] = json!({ "name": "Bad flag", "is_active": "yes" });
    items[2400] = json!({ "id": 42, "name": "Ghost" });
    let before = c.calls();
    let results = c.sync_vendors(&items).await.expect("sync");
    assert_eq!(c.calls() - before, 3, "chunks of 1,000");
    assert_eq!(results.len(), 2_500);
    let failed: Vec<usize> = results
        .iter()
        .filter(|r| r.result.is_err())
        .map(|r| r.index)
        .collect();
    assert_eq!(failed, [10, 1500, 2400]);
    let message = |i: usize| {
        results[i]
            .result
            .as_ref()
            .err()
            .map(|e| e.summary())
            .unwrap_or_default()
    };
    assert_eq!(message(10), "name: can't be blank");
    assert!(message(1500).contains("is_active"), "{}", message(1500));
    assert!(message(2400).contains("not found"), "{}", message(2400));
    assert!(
        results[10]
            .result
            .as_ref()
            .err()
            .is_some_and(|e| e.raw.contains("NONAME")),
        "raw error entry kept"
    );
    let ok = results[2_499].result.as_ref().expect("last ok");
    assert_eq!(ok.origin_id.as_deref(), Some("supplier:Mixed2499"));
    assert_eq!(run.emu.count(Kind::Vendor, run.company), 2_497);
}

#[tokio::test]
async fn transient_failures_are_retried_and_validation_errors_are_not() {
    let run = start(Config::fast()).await;
    let c = client(&run, dmsa(), None);
    let q = query([("company_id", run.company)]);
    let _: Vec<Value> = c.get("rest/v1.0/vendors", &q).await.expect("warm up");

    // Every call fails with 500 at first: the client retries, then gives up with a transient error.
    run.emu.set_faults(bridge_sandbox::procore::Faults {
        error_rate: 1.0,
        ..Default::default()
    });
    let before = c.calls();
    let err = c
        .get::<Vec<Value>>("rest/v1.0/vendors", &q)
        .await
        .expect_err("always 500");
    assert_eq!(err.status(), Some(500));
    assert!(err.is_transient());
    assert_eq!(c.calls() - before, 4, "max_attempts attempts");

    // 503 with Retry-After: waited out without spending attempts, then success once load drops.
    run.emu.set_faults(bridge_sandbox::procore::Faults {
        overload_rate: 1.0,
        overload_retry_after: Duration::from_secs(1),
        ..Default::default()
    });
    let emu = run.emu.clone();
    let healer = tokio::spawn(async move {
        let end = Instant::now() + Duration::from_secs(10);
        while emu.stats().requests < 8 && Instant::now() < end {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        emu.set_faults(bridge_sandbox::procore::Faults::default());
    });
    let started = Instant::now();
    let _: Vec<Value> = c
        .get("rest/v1.0/vendors", &q)
        .await
        .expect("succeeds after the overload");
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "waited for Retry-After"
    );
    healer.await.expect("healer");

    // A 422 is returned at once with Procore's messages.
    let before = c.calls();
    let err = c
        .post::<Value>(
            "rest/v1.0/vendors",
            &[],
            &json!({ "company_id": run.company, "vendor": { "abbreviated_name": "X" } }),
        )
        .await
        .expect_err("invalid");
    assert_eq!(err.status(), Some(422));
    assert!(!err.is_transient());
    assert_eq!(c.calls() - before, 1, "validation errors are not retried");
    assert!(err.to_string().contains("name: can't be blank"), "{err}");
}

#[tokio::test]
async fn a_hung_call_times_out_and_is_retried() {
    let run = start(Config::fast()).await;
    let mut config = ClientConfig::new(run.base.clone(), run.base.clone(), run.company, dmsa());
    config.timeout = Duration::from_millis(300);
    config.min_backoff = Duration::from_millis(20);
    let c = Client::new(config).expect("client");
    let q = query([("company_id", run.company)]);
    let _: Vec<Value> = c.get("rest/v1.0/vendors", &q).await.expect("warm up");
    run.emu.set_faults(bridge_sandbox::procore::Faults {
        timeout_rate: 1.0,
        timeout_delay: Duration::from_secs(2),
        ..Default::default()
    });
    let emu = run.emu.clone();
    let seen = emu.stats().requests;
    let healer = tokio::spawn(async move {
        let end = Instant::now() + Duration::from_secs(10);
        while emu.stats().requests <= seen && Instant::now() < end {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        emu.set_faults(bridge_sandbox::procore::Faults::default());
    });
    let before = c.calls();
    let _: Vec<Value> = c
        .get("rest/v1.0/vendors", &q)
        .await
        .expect("retried after the timeout");
    assert!(
        c.calls() - before >= 2,
        "the hung attempt was abandoned and retried"
    );
    healer.await.expect("healer");
}
