//! The Procore webhook receiver.
//!
//! Procore gives a delivery 5 seconds and then pauses the whole endpoint, so the receiver does
//! the least that makes an event safe: check the hook's `Authorization` value, parse the thin
//! event, commit it to the inbox (shared with concurrent deliveries in one transaction) and
//! answer 202. Publishing, fetching the record and writing it elsewhere all happen later.

mod auth;
mod cache;
mod commit;
mod error;
pub mod payload;
mod routes;

pub use commit::{CommitError, GroupCommit, GroupCommitConfig};
pub use error::IngressError;
pub use routes::{Ingress, router};

use axum::serve::ListenerExt as _;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// Serves the ingress on `listener` until `shutdown` is cancelled; requests in flight finish.
pub async fn run(
    listener: TcpListener,
    ingress: Ingress,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let address = listener.local_addr()?;
    tracing::info!(%address, "webhook ingress listening");
    // Answers go out at once: with Nagle's algorithm a 202 could wait for the ACK of the
    // previous one on a kept-alive connection.
    let listener = listener.tap_io(|stream| {
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!(error = %e, "TCP_NODELAY not set on a webhook connection");
        }
    });
    axum::serve(listener, router(ingress))
        .with_graceful_shutdown(shutdown.cancelled_owned())
        .await?;
    Ok(())
}
