//! The binary as an operator runs it: exit codes, messages, start and stop.

use bridge_platform::testing::{amqp_url, database_server_url, unique_suffix, with_database};
use std::io::{BufRead as _, BufReader};
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
    let mut child = bridge(&db, &prefix)
        .args([
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
        ])
        .env("BRIDGE_LOG_FORMAT", "json")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (lines, received) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
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
