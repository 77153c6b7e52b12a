//! Plumbing shared by every role of the bridge: configuration, telemetry, Postgres and
//! RabbitMQ. Nothing here knows about maestro* or Procore.

pub mod amqp;
pub mod config;
pub mod connections;
pub mod db;
pub mod inbox;
pub mod pairing;
pub mod relay;
pub mod secret;
pub mod sync_items;
pub mod telemetry;
#[cfg(feature = "testing")]
pub mod testing;

pub use config::{Config, ConfigError, LogFormat};
pub use secret::Secret;
