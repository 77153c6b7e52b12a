//! Test harness: a fresh database per test and a unique broker prefix per test, on the real
//! Postgres and RabbitMQ, removed again when the test ends (pass or fail).
//!
//! Point it elsewhere with `BRIDGE_TEST_DATABASE_URL` (a server URL; the database part is
//! replaced) and `BRIDGE_TEST_AMQP_URL`.

use crate::amqp::{Broker, Topology};
use crate::config::Config;
use crate::db;
use crate::secret::Secret;
use bridge_domain::routing::Names;
use sqlx::PgPool;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// The Postgres server tests use.
pub fn database_server_url() -> String {
    std::env::var("BRIDGE_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// The RabbitMQ broker tests use.
pub fn amqp_url() -> String {
    std::env::var("BRIDGE_TEST_AMQP_URL")
        .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".to_owned())
}

/// A short random name part, safe in database and queue names.
pub fn unique_suffix() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..12].to_owned()
}

/// A migrated database of its own, dropped when this value is dropped.
pub struct TestDb {
    pub pool: PgPool,
    pub url: String,
    name: String,
}

impl TestDb {
    pub async fn new() -> TestDb {
        let name = format!("bridge_test_{}", unique_suffix());
        let url = with_database(&database_server_url(), &name);
        db::ensure_database(&url, Duration::from_secs(10))
            .await
            .expect("creating the test database");
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(5)
            .connect_with(db::options(&url).expect("test database URL"))
            .await
            .expect("connecting to the test database");
        db::migrate(&pool)
            .await
            .expect("migrating the test database");
        TestDb { pool, url, name }
    }

    /// A process config whose database is this one.
    pub fn config(&self, prefix: &str) -> Config {
        test_config(&self.url, prefix)
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let name = self.name.clone();
        // The pool's connections are driven by the test's runtime, which is blocked here:
        // never await them. `WITH (FORCE)` ends them from the server side instead, on a
        // thread and runtime of its own.
        on_own_runtime(async move {
            let admin = with_database(&database_server_url(), "postgres");
            if let Ok(admin) = sqlx::PgPool::connect(&admin).await {
                let sql = format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    db::quote_ident(&name)
                );
                let _ = sqlx::query(&sql).execute(&admin).await;
                admin.close().await;
            }
        });
    }
}

/// Runs `cleanup` to completion on a thread and runtime of its own. Drop runs on the test's
/// runtime, which is blocked meanwhile, so nothing driven by that runtime may be awaited here.
fn on_own_runtime(cleanup: impl Future<Output = ()> + Send + 'static) {
    let _ = std::thread::spawn(move || {
        if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            rt.block_on(cleanup);
        }
    })
    .join();
}

/// A topology under a prefix of its own, with short retry delays, deleted on drop.
pub struct TestBroker {
    pub broker: Broker,
    pub topology: Topology,
    pub shutdown: CancellationToken,
}

impl TestBroker {
    /// Retry tiers of 1 to 5 seconds, so tests that go through them stay short.
    pub async fn new() -> TestBroker {
        TestBroker::with_delays([1, 2, 3, 4, 5].map(Duration::from_secs)).await
    }

    pub async fn with_delays(delays: [Duration; 5]) -> TestBroker {
        let topology = Topology::new(Names::new(format!("t{}", unique_suffix())), 3, delays);
        let shutdown = CancellationToken::new();
        let broker = Broker::connect(
            Secret::new(amqp_url()),
            topology.clone(),
            Duration::from_secs(10),
            shutdown.clone(),
        )
        .await
        .expect("connecting to the test broker");
        TestBroker {
            broker,
            topology,
            shutdown,
        }
    }

    pub fn names(&self) -> &Names {
        &self.topology.names
    }
}

impl Drop for TestBroker {
    fn drop(&mut self) {
        self.shutdown.cancel();
        let topology = self.topology.clone();
        on_own_runtime(async move {
            let props = lapin::ConnectionProperties::default();
            if let Ok(conn) = lapin::Connection::connect(&amqp_url(), props).await {
                if let Ok(channel) = conn.create_channel().await {
                    let _ = topology.delete(&channel).await;
                }
                let _ = conn.close(200, "test done".into()).await;
            }
        });
    }
}

/// A config for tests: the given database, the test broker, the given prefix, fast retries.
pub fn test_config(database_url: &str, prefix: &str) -> Config {
    let database_url = database_url.to_owned();
    let prefix = prefix.to_owned();
    let amqp = amqp_url();
    Config::from_lookup(move |name| match name {
        "BRIDGE_DATABASE_URL" => Some(database_url.clone()),
        "BRIDGE_AMQP_URL" => Some(amqp.clone()),
        "BRIDGE_BROKER_PREFIX" => Some(prefix.clone()),
        "BRIDGE_RETRY_DELAYS" => Some("1s,2s,3s,4s,5s".to_owned()),
        "BRIDGE_DELIVERY_LIMIT" => Some("3".to_owned()),
        "BRIDGE_CONSOLE_ADDR" | "BRIDGE_INGRESS_ADDR" => Some("127.0.0.1:0".to_owned()),
        _ => None,
    })
    .expect("test config")
}

/// `url` with its database replaced by `name`.
pub fn with_database(url: &str, name: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            u.set_path(&format!("/{name}"));
            u.to_string()
        }
        Err(_) => url.to_owned(),
    }
}

/// Waits until `check` returns `Some`, polling, or panics after `deadline` naming `what`.
pub async fn eventually<T, F, Fut>(deadline: Duration, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let start = tokio::time::Instant::now();
    loop {
        if let Some(v) = check().await {
            return v;
        }
        if start.elapsed() > deadline {
            panic!("timed out after {deadline:?} waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A RabbitMQ node of its own, for tests that stop and start the broker without disturbing
/// the tests that share the machine's broker. Stopped and removed on drop.
pub struct PrivateRabbit {
    pub url: String,
    node: String,
    dir: std::path::PathBuf,
}

impl PrivateRabbit {
    /// Starts a node on free local ports, waiting until it accepts connections.
    pub async fn start() -> PrivateRabbit {
        let dir = std::env::temp_dir().join(format!("bridge-rabbit-{}", unique_suffix()));
        std::fs::create_dir_all(&dir).expect("creating the private broker's directory");
        let amqp_port = free_port();
        let dist_port = free_port();
        std::fs::write(dir.join("enabled_plugins"), "[].\n").expect("writing enabled_plugins");
        std::fs::write(
            dir.join("rabbitmq.conf"),
            format!("listeners.tcp.local = 127.0.0.1:{amqp_port}\nloopback_users = none\n"),
        )
        .expect("writing rabbitmq.conf");
        let node = format!("bridgetest{}@localhost", &unique_suffix()[..6]);
        let private = PrivateRabbit {
            url: format!("amqp://guest:guest@127.0.0.1:{amqp_port}/%2f"),
            node,
            dir,
        };
        let status = private
            .command(&server_binary(), &["-detached"])
            .env("RABBITMQ_DIST_PORT", dist_port.to_string())
            .status()
            .await
            .expect("running rabbitmq-server");
        assert!(
            status.success(),
            "rabbitmq-server -detached failed: {status}"
        );
        private.wait_until_accepting(Duration::from_secs(90)).await;
        private
    }

    /// `rabbitmqctl stop_app`: the node stays up, the broker inside it stops.
    pub async fn stop_app(&self) {
        self.ctl(&["stop_app"]).await;
    }

    /// `rabbitmqctl start_app`, waiting until the broker accepts connections again.
    pub async fn start_app(&self) {
        self.ctl(&["start_app"]).await;
        self.wait_until_accepting(Duration::from_secs(60)).await;
    }

    async fn ctl(&self, args: &[&str]) {
        let output = self
            .command(&ctl_binary(), &[&["-n", &self.node], args].concat())
            .output()
            .await
            .expect("running rabbitmqctl");
        assert!(
            output.status.success(),
            "rabbitmqctl {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    async fn wait_until_accepting(&self, deadline: Duration) {
        let url = self.url.clone();
        eventually(
            deadline,
            "the private RabbitMQ node to accept connections",
            || {
                let url = url.clone();
                async move {
                    let conn =
                        lapin::Connection::connect(&url, lapin::ConnectionProperties::default())
                            .await
                            .ok()?;
                    let _ = conn.close(200, "probe".into()).await;
                    Some(())
                }
            },
        )
        .await;
    }

    fn command(&self, program: &str, args: &[&str]) -> tokio::process::Command {
        let mut cmd = tokio::process::Command::new(program);
        cmd.args(args)
            .env("HOME", &self.dir)
            .env("RABBITMQ_NODENAME", &self.node)
            .env("RABBITMQ_CONFIG_FILE", self.dir.join("rabbitmq"))
            .env("RABBITMQ_MNESIA_BASE", self.dir.join("mnesia"))
            .env("RABBITMQ_LOG_BASE", self.dir.join("log"))
            .env(
                "RABBITMQ_ENABLED_PLUGINS_FILE",
                self.dir.join("enabled_plugins"),
            )
            .env("RABBITMQ_PID_FILE", self.dir.join("pid"))
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .kill_on_drop(false);
        cmd
    }
}

impl Drop for PrivateRabbit {
    fn drop(&mut self) {
        let _ = std::process::Command::new(ctl_binary())
            .args(["-n", &self.node, "stop"])
            .env("HOME", &self.dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Debian's wrapper drops the environment when it switches user; call the real script.
fn server_binary() -> String {
    let direct = "/usr/lib/rabbitmq/bin/rabbitmq-server";
    if std::path::Path::new(direct).exists() {
        direct.to_owned()
    } else {
        "rabbitmq-server".to_owned()
    }
}

fn ctl_binary() -> String {
    let direct = "/usr/lib/rabbitmq/bin/rabbitmqctl";
    if std::path::Path::new(direct).exists() {
        direct.to_owned()
    } else {
        "rabbitmqctl".to_owned()
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("finding a free port")
}
