//! The binary as an operator runs it: exit codes, messages, start and stop.

use bridge_platform::connections::authorization_hash;
use bridge_platform::connections::{self, NewConnection};
use bridge_platform::testing::{amqp_url, database_server_url, unique_suffix, with_database};
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn bridge(database: &str, prefix: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_bridge"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env(
            "BRIDGE_DATABASE_URL",
            with_database(&database_server_url(), database),
        )
        .env("BRIDGE_AMQP_URL", amqp_url())
        .env("BRIDGE_BROKER_PREFIX", prefix)
        .env("BRIDGE_CONNECT_TIMEOUT", "3")
        .env("BRIDGE_INGRESS_ADDR", "127.0.0.1:0");
    cmd
}

/// Starts `cmd` logging JSON, with its stderr lines drained to the end on a thread of their
/// own (a pipe closed early would fail the child's logging).
fn spawn_logging(cmd: &mut Command) -> (std::process::Child, std::sync::mpsc::Receiver<String>) {
    let mut child = cmd
        .env("BRIDGE_LOG_FORMAT", "json")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (lines, received) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });
    (child, received)
}

fn drop_database(name: &str) {
    let _ = Command::new("psql")
        .args(["-h", "127.0.0.1", "-U", "postgres", "-qc"])
        .arg(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .status();
}

fn delete_queues(prefix: &str) {
    // Best effort: the queues of this test's prefix.
    let out = Command::new("rabbitmqctl")
        .args(["list_queues", "name", "--quiet", "--no-table-headers"])
        .output();
    if let Ok(out) = out {
        for name in String::from_utf8_lossy(&out.stdout).lines() {
            if name.starts_with(&format!("{prefix}.")) {
                let _ = Command::new("rabbitmqctl")
                    .args(["delete_queue", name.trim()])
                    .output();
            }
        }
    }
}

#[test]
fn migrate_creates_the_database_then_changes_nothing() {
    let db = format!("bridge_cli_{}", unique_suffix());
    let first = bridge(&db, "unused").arg("migrate").output().unwrap();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&first.stdout).trim(),
        "database created; 3 migration(s) applied"
    );
    let second = bridge(&db, "unused").arg("migrate").output().unwrap();
    assert!(second.status.success());
    assert_eq!(
        String::from_utf8_lossy(&second.stdout).trim(),
        "database present; 0 migration(s) applied"
    );
    drop_database(&db);
}

#[test]
fn topology_declares_quorum_work_queues_retry_tiers_and_dead_letters() {
    let prefix = format!("cli{}", unique_suffix());
    let out = bridge("unused", &prefix).arg("topology").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let listed = Command::new("rabbitmqctl")
        .args([
            "list_queues",
            "name",
            "type",
            "arguments",
            "--quiet",
            "--no-table-headers",
        ])
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&listed.stdout);
    let ours: Vec<&str> = listed
        .lines()
        .filter(|l| l.starts_with(&format!("{prefix}.")))
        .collect();
    delete_queues(&prefix);

    let work = ours
        .iter()
        .find(|l| l.starts_with(&format!("{prefix}.q.project_cost.to_procore")))
        .unwrap_or_else(|| panic!("no project_cost work queue in {ours:#?}"));
    assert!(work.contains("quorum"), "{work}");
    assert!(work.contains("x-delivery-limit"), "{work}");
    assert!(work.contains(&format!("{prefix}.dead")), "{work}");
    assert!(work.contains("at-least-once"), "{work}");
    let tier = ours
        .iter()
        .find(|l| l.starts_with(&format!("{prefix}.retry.30s")))
        .unwrap_or_else(|| panic!("no 30s retry tier in {ours:#?}"));
    assert!(
        tier.contains("x-message-ttl") && tier.contains("30000"),
        "{tier}"
    );
    assert!(tier.contains(&format!("{prefix}.events")), "{tier}");
    assert!(
        ours.iter()
            .any(|l| l.starts_with(&format!("{prefix}.dead-letters")))
    );
    assert_eq!(ours.len(), 16 + 5 + 1, "{ours:#?}");
}

#[test]
fn up_says_ready_and_stops_cleanly_on_sigterm() {
    let db = format!("bridge_cli_{}", unique_suffix());
    let prefix = format!("cli{}", unique_suffix());
    let mut child = bridge(&db, &prefix)
        .arg("up")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let started = Instant::now();
    let ready = lines
        .by_ref()
        .map_while(Result::ok)
        .any(|line| line.contains("bridge is ready"));
    assert!(ready, "`bridge up` never said it was ready");
    assert!(started.elapsed() < Duration::from_secs(30));

    let stop = Instant::now();
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        assert!(
            stop.elapsed() < Duration::from_secs(5),
            "still running 5 s after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(exit.success(), "exit status {exit}");
    drop_database(&db);
    delete_queues(&prefix);
}

#[test]
fn an_unreachable_postgres_is_one_clear_line_without_the_password() {
    let out = bridge("x", "unused")
        .env(
            "BRIDGE_DATABASE_URL",
            "postgres://postgres:hunter2@127.0.0.1:1/bridge",
        )
        .arg("up")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(errors[0].contains("BRIDGE_DATABASE_URL"), "{stderr}");
    assert!(errors[0].contains("127.0.0.1:1"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn an_unreachable_rabbitmq_is_one_clear_line_without_the_password() {
    let db = format!("bridge_cli_{}", unique_suffix());
    let out = bridge(&db, "unused")
        .env("BRIDGE_AMQP_URL", "amqp://guest:hunter2@127.0.0.1:1/%2f")
        .arg("up")
        .output()
        .unwrap();
    drop_database(&db);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(errors[0].contains("BRIDGE_AMQP_URL"), "{stderr}");
    assert!(errors[0].contains("127.0.0.1:1"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_bad_setting_is_refused_before_anything_starts() {
    let out = bridge("x", "unused")
        .env("BRIDGE_PREFETCH", "lots")
        .arg("up")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("error: BRIDGE_PREFETCH:"), "{stderr}");
}

#[test]
fn up_with_the_sandbox_seeds_both_sides_and_the_poller_finds_the_unsynchronized_half() {
    let db = format!("bridge_cli_{}", unique_suffix());
    let prefix = format!("cli{}", unique_suffix());
    let (mut child, received) = spawn_logging(bridge(&db, &prefix).args([
        "up",
        "--sandbox",
        "--projects",
        "4",
        "--procore-addr",
        "127.0.0.1:0",
        "--maestro-addr",
        "127.0.0.1:0",
        "--activity-every",
        "0",
    ]));
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut emitted = None;
    let mut seen = Vec::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        let Ok(line) = received.recv_timeout(left) else {
            break;
        };
        let json: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
        if json["message"] == "maestro* pass" {
            emitted = json["emitted"].as_u64();
            break;
        }
        seen.push(line);
    }
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let exit = child.wait().unwrap();
    drop_database(&db);
    delete_queues(&prefix);
    let emitted = emitted.unwrap_or_else(|| {
        panic!(
            "the maestro* poller never reported a pass:\n{}",
            seen.join("\n")
        )
    });
    assert!(
        emitted > 0,
        "nothing emitted from the seeded maestro* company"
    );
    assert!(exit.success(), "exit status {exit}");
}

#[test]
fn a_standalone_ingress_publishes_what_it_accepts_without_a_relay_process() {
    let db = format!("bridge_cli_{}", unique_suffix());
    let prefix = format!("cli{}", unique_suffix());
    let migrated = bridge(&db, &prefix).arg("migrate").output().unwrap();
    assert!(migrated.status.success());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let pool = rt
        .block_on(sqlx::PgPool::connect(&with_database(
            &database_server_url(),
            &db,
        )))
        .unwrap();
    rt.block_on(async {
        let id = connections::create(
            &pool,
            &NewConnection::sandbox("acme", "http://p.invalid", "http://m.invalid", 8),
        )
        .await
        .unwrap();
        connections::set_webhook_auth(&pool, id, &[authorization_hash("Bearer k")])
            .await
            .unwrap();
    });

    let (mut child, received) = spawn_logging(bridge(&db, &prefix).arg("ingress"));
    let address = std::iter::from_fn(|| received.recv_timeout(Duration::from_secs(30)).ok())
        .find_map(|line| {
            let json: serde_json::Value = serde_json::from_str(&line).ok()?;
            (json["message"] == "webhook ingress listening")
                .then(|| json["address"].as_str().map(str::to_owned))
                .flatten()
        })
        .expect("the ingress never said where it listens");

    let body = r#"{"id": 1, "ulid": "01HCLI0000000000000000001", "event_type": "update",
        "resource_name": "Projects", "resource_id": 4242, "company_id": 8,
        "timestamp": "2026-11-20T10:00:00Z"}"#;
    let mut stream = std::net::TcpStream::connect(&address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    write!(
        stream,
        "POST /webhooks/procore/acme HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer k\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 202"), "{answer}");

    // No process runs the relay role: the outbox empties only if the ingress published the
    // event itself and RabbitMQ confirmed it.
    let deadline = Instant::now() + Duration::from_secs(10);
    let (routed, waiting) = loop {
        let counts: (i64, i64) = rt
            .block_on(
                sqlx::query_as(
                    "SELECT (SELECT count(*) FROM inbox WHERE status = 'routed'),
                            (SELECT count(*) FROM outbox)",
                )
                .fetch_one(&pool),
            )
            .unwrap();
        if counts.1 == 0 || Instant::now() > deadline {
            break counts;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let exit = child.wait().unwrap();
    rt.block_on(pool.close());
    drop_database(&db);
    delete_queues(&prefix);
    assert_eq!(routed, 1);
    assert_eq!(
        waiting, 0,
        "the accepted event was not published within 10 s"
    );
    assert!(exit.success(), "exit status {exit}");
}
