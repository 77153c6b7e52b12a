//! Process settings, read from `BRIDGE_*` environment variables and checked at start.
//!
//! Every setting has a default that works on a developer machine with local Postgres and
//! RabbitMQ; production overrides them. Per-connection settings live in Postgres, not here.

use crate::secret::Secret;
use bridge_domain::routing::{DEFAULT_PREFIX, RetryTier};
use std::net::SocketAddr;
use std::time::Duration;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable, for a terminal.
    Pretty,
    /// One JSON object per line, for a log collector.
    Json,
}

/// Everything a bridge process needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    /// `BRIDGE_DATABASE_URL`: the bridge's own database, created when missing.
    pub database_url: Secret<String>,
    /// `BRIDGE_DATABASE_POOL_SIZE`: connections per process.
    pub database_pool_size: u32,
    /// `BRIDGE_AMQP_URL`: the RabbitMQ broker.
    pub amqp_url: Secret<String>,
    /// `BRIDGE_BROKER_PREFIX`: prefix of every exchange and queue name.
    pub broker_prefix: String,
    /// `BRIDGE_PREFETCH`: unacknowledged messages a consumer may hold.
    pub prefetch: u16,
    /// `BRIDGE_DELIVERY_LIMIT`: redeliveries after which the broker dead-letters a message.
    pub delivery_limit: u32,
    /// `BRIDGE_RETRY_DELAYS`: the wait of each retry tier, e.g. `5s,30s,2m,10m,1h`.
    pub retry_delays: [Duration; 5],
    /// `BRIDGE_CONSOLE_ADDR`: where the console listens.
    pub console_addr: SocketAddr,
    /// `BRIDGE_INGRESS_ADDR`: where the Procore webhook ingress listens.
    pub ingress_addr: SocketAddr,
    /// `BRIDGE_LOG_FORMAT`: `pretty` or `json`.
    pub log_format: LogFormat,
    /// `BRIDGE_LOG`: a tracing filter such as `info` or `info,bridge_platform=debug`.
    pub log_filter: String,
    /// `BRIDGE_CONNECT_TIMEOUT`: how long to wait for Postgres or RabbitMQ at start.
    pub connect_timeout: Duration,
    /// `BRIDGE_MAESTRO_KEY`: the key of maestro*'s XML web service.
    pub maestro_key: Option<Secret<String>>,
    /// `BRIDGE_POLL_INTERVAL`: how often the maestro* poller passes, unless a connection
    /// sets its own.
    pub poll_interval: Duration,
    /// `BRIDGE_PROCORE_CLIENT_SECRET`: the secret of the bridge's Procore OAuth application
    /// (its id is stored with each connection).
    pub procore_client_secret: Option<Secret<String>>,
    /// `BRIDGE_RECONCILE_INTERVAL`: how often the Procore reconciler lists recent changes.
    pub reconcile_interval: Duration,
    /// `BRIDGE_PUBLIC_URL`: the ingress as Procore reaches it, for hook registration.
    pub public_url: Option<String>,
}

/// A setting that could not be used, named so the operator knows what to fix.
#[derive(Debug, thiserror::Error)]
#[error("{setting}: {problem}")]
pub struct ConfigError {
    pub setting: &'static str,
    pub problem: String,
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup`, so tests can pass a map instead of the environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let get = |name: &'static str, default: &str| -> (&'static str, String) {
            let value = lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| default.to_owned());
            (name, value)
        };

        let database_url = get(
            "BRIDGE_DATABASE_URL",
            "postgres://postgres@127.0.0.1:5432/bridge",
        );
        check_url(&database_url, &["postgres", "postgresql"])?;
        let amqp_url = get("BRIDGE_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2f");
        check_url(&amqp_url, &["amqp", "amqps"])?;

        let prefix = get("BRIDGE_BROKER_PREFIX", DEFAULT_PREFIX);
        let prefix_ok = !prefix.1.is_empty()
            && prefix.1.len() <= 64
            && prefix
                .1
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !prefix_ok {
            return Err(err(
                prefix.0,
                "use 1 to 64 letters, digits, `_` or `-` (it starts every queue name)",
            ));
        }

        let log_format = match get("BRIDGE_LOG_FORMAT", "pretty") {
            (_, v) if v == "pretty" || v == "text" => LogFormat::Pretty,
            (_, v) if v == "json" => LogFormat::Json,
            (name, v) => return Err(err(name, format!("`{v}` is not `pretty` or `json`"))),
        };

        Ok(Config {
            database_url: Secret::new(database_url.1),
            database_pool_size: parse_number(get("BRIDGE_DATABASE_POOL_SIZE", "10"), 1, 1000)?,
            amqp_url: Secret::new(amqp_url.1),
            broker_prefix: prefix.1,
            prefetch: parse_number(get("BRIDGE_PREFETCH", "32"), 1, 10_000)?,
            delivery_limit: parse_number(get("BRIDGE_DELIVERY_LIMIT", "10"), 1, 1000)?,
            retry_delays: parse_delays(get("BRIDGE_RETRY_DELAYS", "5s,30s,2m,10m,1h"))?,
            console_addr: parse_addr(get("BRIDGE_CONSOLE_ADDR", "127.0.0.1:8080"))?,
            ingress_addr: parse_addr(get("BRIDGE_INGRESS_ADDR", "127.0.0.1:8090"))?,
            log_format,
            log_filter: get("BRIDGE_LOG", "info,sqlx=warn").1,
            connect_timeout: Duration::from_secs(parse_number(
                get("BRIDGE_CONNECT_TIMEOUT", "5"),
                1,
                600,
            )?),
            maestro_key: lookup("BRIDGE_MAESTRO_KEY")
                .filter(|k| !k.trim().is_empty())
                .map(Secret::new),
            poll_interval: positive_duration(get("BRIDGE_POLL_INTERVAL", "60s"))?,
            procore_client_secret: lookup("BRIDGE_PROCORE_CLIENT_SECRET")
                .filter(|k| !k.trim().is_empty())
                .map(Secret::new),
            reconcile_interval: positive_duration(get("BRIDGE_RECONCILE_INTERVAL", "15m"))?,
            public_url: lookup("BRIDGE_PUBLIC_URL")
                .map(|u| u.trim().trim_end_matches('/').to_owned())
                .filter(|u| !u.is_empty()),
        })
    }
}

fn err(setting: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError {
        setting,
        problem: problem.into(),
    }
}

fn check_url((name, value): &(&'static str, String), schemes: &[&str]) -> Result<(), ConfigError> {
    // The value may hold a password: the error names the setting, never echoes it.
    let url = url::Url::parse(value).map_err(|e| err(name, format!("not a valid URL ({e})")))?;
    if !schemes.contains(&url.scheme()) {
        return Err(err(
            name,
            format!(
                "scheme `{}` is not one of {}",
                url.scheme(),
                schemes.join(", ")
            ),
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(err(name, "the URL names no host"));
    }
    Ok(())
}

fn parse_number<T>((name, value): (&'static str, String), min: T, max: T) -> Result<T, ConfigError>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
{
    match value.parse::<T>() {
        Ok(n) if n >= min && n <= max => Ok(n),
        _ => Err(err(
            name,
            format!("`{value}` is not a whole number from {min} to {max}"),
        )),
    }
}

fn parse_addr((name, value): (&'static str, String)) -> Result<SocketAddr, ConfigError> {
    value.parse().map_err(|_| {
        err(
            name,
            format!("`{value}` is not an address like 127.0.0.1:8080"),
        )
    })
}

fn positive_duration((name, value): (&'static str, String)) -> Result<Duration, ConfigError> {
    parse_duration(&value)
        .filter(|d| !d.is_zero())
        .ok_or_else(|| {
            err(
                name,
                format!("`{value}` is not a duration such as 30s or 5m"),
            )
        })
}

/// Parses a duration such as `250ms`, `5s`, `2m` or `1h`.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(split);
    let n: u64 = number.parse().ok()?;
    match unit {
        "ms" => Some(Duration::from_millis(n)),
        "s" => Some(Duration::from_secs(n)),
        "m" => Some(Duration::from_secs(n.checked_mul(60)?)),
        "h" => Some(Duration::from_secs(n.checked_mul(3600)?)),
        _ => None,
    }
}

fn parse_delays((name, value): (&'static str, String)) -> Result<[Duration; 5], ConfigError> {
    let problem = || {
        err(
            name,
            format!(
                "`{value}` is not {} durations such as 5s,30s,2m,10m,1h",
                RetryTier::ALL.len()
            ),
        )
    };
    let parsed: Vec<Duration> = value
        .split(',')
        .map(parse_duration)
        .collect::<Option<_>>()
        .ok_or_else(problem)?;
    let delays: [Duration; 5] = parsed.try_into().map_err(|_| problem())?;
    if delays.iter().any(|d| d.is_zero()) {
        return Err(problem());
    }
    Ok(delays)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn with(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_point_at_local_services() {
        let c = with(&[]).unwrap();
        assert_eq!(
            c.database_url.expose(),
            "postgres://postgres@127.0.0.1:5432/bridge"
        );
        assert_eq!(c.amqp_url.expose(), "amqp://guest:guest@127.0.0.1:5672/%2f");
        assert_eq!(c.broker_prefix, "bridge");
        assert_eq!(c.console_addr.to_string(), "127.0.0.1:8080");
        assert_eq!(c.log_format, LogFormat::Pretty);
        assert_eq!(c.retry_delays[0], Duration::from_secs(5));
        assert_eq!(c.retry_delays[4], Duration::from_secs(3600));
    }

    #[test]
    fn a_bad_setting_is_named_and_its_secret_not_echoed() {
        let e = with(&[("BRIDGE_DATABASE_URL", "mysql://u:hunter2@h/db")]).unwrap_err();
        assert_eq!(e.setting, "BRIDGE_DATABASE_URL");
        assert!(!e.to_string().contains("hunter2"), "{e}");

        let e = with(&[("BRIDGE_AMQP_URL", "::nope::")]).unwrap_err();
        assert_eq!(e.setting, "BRIDGE_AMQP_URL");

        let e = with(&[("BRIDGE_PREFETCH", "0")]).unwrap_err();
        assert!(e.to_string().starts_with("BRIDGE_PREFETCH:"), "{e}");

        let e = with(&[("BRIDGE_BROKER_PREFIX", "a b")]).unwrap_err();
        assert_eq!(e.setting, "BRIDGE_BROKER_PREFIX");

        let e = with(&[("BRIDGE_LOG_FORMAT", "xml")]).unwrap_err();
        assert!(e.to_string().contains("`xml`"), "{e}");

        let e = with(&[("BRIDGE_RETRY_DELAYS", "5s,30s")]).unwrap_err();
        assert_eq!(e.setting, "BRIDGE_RETRY_DELAYS");
    }

    #[test]
    fn durations_parse_with_units() {
        assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_duration("2m"), Some(Duration::from_secs(120)));
        assert_eq!(parse_duration("1h"), Some(Duration::from_secs(3600)));
        assert_eq!(parse_duration("5"), None);
        assert_eq!(parse_duration("s"), None);
        let c = with(&[
            ("BRIDGE_RETRY_DELAYS", "1s,2s,3s,4s,5s"),
            ("BRIDGE_LOG_FORMAT", "json"),
        ])
        .unwrap();
        assert_eq!(c.retry_delays[2], Duration::from_secs(3));
        assert_eq!(c.log_format, LogFormat::Json);
    }
}
