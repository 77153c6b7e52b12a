//! `bridge sandbox` and `bridge up --sandbox`: both emulators, seeded with one realistic,
//! half-synchronized company, and a simulated user on each side so a newcomer sees records
//! flow. Only this launcher knows the systems are emulated; the roles talk to them as to the
//! real ones, through their URLs and credentials.

use anyhow::Context as _;
use bridge_maestro as mx;
use bridge_platform::Config;
use bridge_platform::connections::{self, NewConnection};
use bridge_sandbox::{maestro, procore, seed};
use sqlx::PgPool;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

mod users;

/// The OAuth application the sandbox installs for the bridge.
const CLIENT_ID: &str = "bridge-sandbox";
/// Name of the connection `up --sandbox` creates.
pub const CONNECTION: &str = "sandbox";

#[derive(clap::Args, Clone, Debug)]
pub struct Args {
    /// Projects in the seeded company.
    #[arg(long, default_value_t = 8)]
    pub projects: usize,
    /// Seed of the generator (same seed, same company).
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// How often the simulated users act (0 to stay still).
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub activity_every: Duration,
    /// Where the Procore emulator listens.
    #[arg(long, default_value = "127.0.0.1:8091")]
    pub procore_addr: SocketAddr,
    /// Where the maestro* emulator listens.
    #[arg(long, default_value = "127.0.0.1:8092")]
    pub maestro_addr: SocketAddr,
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    if text == "0" {
        return Ok(Duration::ZERO);
    }
    bridge_platform::config::parse_duration(text)
        .ok_or_else(|| format!("`{text}` is not a duration such as 10s or 1m"))
}

/// The running emulators and how to reach them.
pub struct Sandbox {
    pub procore_url: String,
    pub maestro_url: String,
    pub procore_company_id: i64,
    pub client_secret: String,
    pub maestro_key: String,
    pub maestro_company: String,
    procore: procore::Emulator,
    procore_projects: Vec<i64>,
    loaded: procore::Loaded,
    maestro: maestro::Emulator,
    seed: seed::Company,
}

/// Starts both emulators with the seeded company.
pub async fn start(args: &Args, shutdown: &CancellationToken) -> anyhow::Result<Sandbox> {
    // The generated company plus the showcase records that put every rule at work.
    let mut seed_config = seed::SeedConfig::sandbox(args.projects);
    seed_config.seed = args.seed;
    seed_config.synchronized_fraction = 0.5;
    let company = seed::generate(&seed_config);
    let client_secret = format!("sandbox-secret-{}", args.seed);
    // Procore's own defaults (5 s webhook timeout, 12 h discard), with a rate budget large
    // enough that the demo flows instead of waiting out the hourly limit.
    let procore_config = procore::Config {
        hourly_limit: 100_000,
        spike_limit: 2_000,
        ..procore::Config::default()
    };
    let (procore_emulator, procore_company_id, loaded) = procore::Emulator::seeded(
        procore_config,
        &company,
        CLIENT_ID,
        &client_secret,
        &procore::LoadOptions::default(),
    );
    let maestro_emulator = maestro::Emulator::new(maestro::Config::default());
    maestro_emulator
        .load_seed_as(&company, mx::CompanyClass::Test)
        .context("loading the seed company into the maestro* emulator")?;

    let procore_listener = bind(args.procore_addr, "--procore-addr").await?;
    let maestro_listener = bind(args.maestro_addr, "--maestro-addr").await?;
    let procore_url = format!("http://{}/", procore_listener.local_addr()?);
    let maestro_url = format!(
        "http://{}{}",
        maestro_listener.local_addr()?,
        maestro::BASE_PATH
    );
    tokio::spawn(procore::serve(
        procore_listener,
        procore_emulator.clone(),
        shutdown.clone(),
    ));
    tokio::spawn(maestro::serve(
        maestro_listener,
        maestro_emulator.clone(),
        shutdown.clone(),
    ));
    Ok(Sandbox {
        procore_url,
        maestro_url,
        procore_company_id,
        client_secret,
        maestro_key: maestro_emulator.config().api_key.clone(),
        maestro_company: company.code.clone(),
        procore: procore_emulator,
        procore_projects: loaded.projects.values().copied().collect(),
        loaded,
        maestro: maestro_emulator,
        seed: company,
    })
}

async fn bind(addr: SocketAddr, flag: &str) -> anyhow::Result<TcpListener> {
    TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding the emulator to {addr} ({flag})"))
}

impl Sandbox {
    /// What a person needs to look around.
    pub fn describe(&self) -> String {
        format!(
            "Procore emulator: {} (company {}, OAuth client `{CLIENT_ID}`)\n\
             maestro* emulator: {} (company {})",
            self.procore_url, self.procore_company_id, self.maestro_url, self.maestro_company
        )
    }

    /// Creates the sandbox connection, or points it at this run's emulators.
    pub async fn connect(&self, pool: &PgPool) -> anyhow::Result<i64> {
        let mut new = NewConnection::sandbox(
            CONNECTION,
            &self.procore_url,
            &self.maestro_url,
            self.procore_company_id,
        );
        new.maestro_company = self.maestro_company.clone();
        new.oauth_client_id = Some(CLIENT_ID.to_owned());
        let id = connections::upsert(pool, &new)
            .await
            .context("creating the sandbox connection")?;
        // The emulated Procore holds one segment per cost-code level, as loaded by default.
        let mode = match procore::LoadOptions::default().cost_code_mode {
            procore::CostCodeMode::Direct => "direct",
            procore::CostCodeMode::Concatenated => "concatenated",
        };
        connections::merge_settings(pool, id, &serde_json::json!({ "cost_code_mode": mode }))
            .await
            .context("setting the sandbox connection's cost-code mode")?;
        Ok(id)
    }

    /// The process config with the sandbox's maestro* key and Procore client secret.
    pub fn config(&self, config: &Config) -> Config {
        let mut config = config.clone();
        config.maestro_key = Some(bridge_platform::Secret::new(self.maestro_key.clone()));
        config.procore_client_secret =
            Some(bridge_platform::Secret::new(self.client_secret.clone()));
        config
    }
}
