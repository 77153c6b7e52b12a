//! Log output: readable on a terminal, one JSON object per line for collectors.

use crate::config::LogFormat;
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber. Call once, from `main`.
///
/// `filter` is a tracing directive (`info`, `bridge_workers=debug`); an invalid one falls back
/// to `info` and says so rather than silencing the process.
pub fn init(format: LogFormat, filter: &str) {
    let (env_filter, bad_filter) = match EnvFilter::try_new(filter) {
        Ok(f) => (f, None),
        Err(e) => (EnvFilter::new("info"), Some(e.to_string())),
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(env_filter)
        .with_writer(std::io::stderr);
    let installed = match format {
        LogFormat::Pretty => builder.with_target(false).try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .try_init(),
    };
    if installed.is_err() {
        // A subscriber is already installed (tests install their own): keep it.
        return;
    }
    if let Some(problem) = bad_filter {
        tracing::warn!(
            filter,
            problem,
            "BRIDGE_LOG is not a valid filter; logging at info"
        );
    }
}
