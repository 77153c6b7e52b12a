//! Procore REST client: OAuth tokens, rate-limit governor, typed models, pagination and sync helpers.
//!
//! One [`Client`] per connection (company + credentials): it owns the token (renewed before
//! expiry, refresh tokens rotated and handed to [`ClientConfig::on_tokens`]) and one
//! [`governor::Governor`] fed by the `X-Rate-Limit-*` headers.

mod api;
pub mod auth;
pub mod billing;
pub mod budgets;
pub mod changes;
mod client;
pub mod costs;
mod directory;
pub mod error;
pub mod governor;
mod hooks;
pub mod ids;
pub mod install;
pub mod install_plan;
pub mod models;
mod pages;
pub mod subcontracts;
pub mod sync;
pub mod writes;

pub use auth::{Credentials, OnTokens, TokenSet, exchange_code};
pub use client::{Answer, Client, ClientConfig, query};
pub use directory::optional;
pub use error::{Error, ErrorBody, Result};
pub use hooks::{BulkTriggers, HookScope, HookSpec};
pub use hooks::{Delivery, HookChange, HookEntry};
pub use ids::{Amount, ProcoreId};
pub use sync::{MAX_SYNC_ITEMS, SyncItem};
