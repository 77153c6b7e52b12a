//! Holding a delivery through a Postgres outage instead of returning it to its queue.

use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Runs `op` until it succeeds or fails for a reason other than Postgres being unreachable,
/// pausing longer each time ([`outage_pause`]); `None` when the process stops meanwhile.
///
/// A delivery held this way stays unacknowledged on its channel, which spends none of its
/// delivery attempts (returning it would, and ten returns take seconds), and holds its
/// handler slot: once every slot waits, the consumer takes no more than its prefetch, so
/// consuming pauses until the database is back.
pub(crate) async fn through_outage<T, F, Fut>(
    what: &str,
    shutdown: &CancellationToken,
    mut op: F,
) -> Option<Result<T, sqlx::Error>>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, sqlx::Error>>,
{
    let mut round = 0u32;
    loop {
        match op().await {
            Err(e) if is_outage(&e) => {
                round = round.saturating_add(1);
                if round == 1 {
                    tracing::warn!(error = %e, "{what}: Postgres is unreachable; holding the message until it is back");
                } else {
                    tracing::debug!(error = %e, round, "{what}: Postgres is still unreachable");
                }
                tokio::select! {
                    biased;
                    _ = shutdown.cancelled() => return None,
                    _ = tokio::time::sleep(outage_pause(round)) => {}
                }
            }
            other => {
                if round > 0 {
                    tracing::info!("{what}: Postgres answers again");
                }
                return Some(other);
            }
        }
    }
}

/// Whether `e` says Postgres cannot be reached now (the connection or the pool), rather than
/// that it refused this statement.
pub(crate) fn is_outage(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| is_outage_code(&code)),
        _ => false,
    }
}

/// SQLSTATEs of a server that is going away or not taking connections: class 08
/// (connection exception), shutdowns (57P01-57P03) and too many connections (53300).
pub(crate) fn is_outage_code(code: &str) -> bool {
    code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03" | "53300")
}

/// The pause before the `round`th new try during an outage: 0.5 s, doubling, at most 15 s
/// (plus the pool's own 2 s wait for a connection on every try).
pub(crate) fn outage_pause(round: u32) -> Duration {
    let doublings = round.saturating_sub(1).min(5);
    Duration::from_millis(500 << doublings).min(Duration::from_secs(15))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_unreachable_database_counts_as_an_outage() {
        let io = || sqlx::Error::Io(std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
        let cases: [(sqlx::Error, bool); 6] = [
            (io(), true),
            (sqlx::Error::PoolTimedOut, true),
            (sqlx::Error::WorkerCrashed, true),
            (sqlx::Error::RowNotFound, false),
            (sqlx::Error::PoolClosed, false),
            (sqlx::Error::ColumnNotFound("id".into()), false),
        ];
        for (error, outage) in cases {
            assert_eq!(is_outage(&error), outage, "{error}");
        }
        let codes = [
            ("08006", true),
            ("08001", true),
            ("57P01", true),
            ("57P03", true),
            ("53300", true),
            ("23505", false),
            ("40P01", false),
            ("42P01", false),
        ];
        for (code, outage) in codes {
            assert_eq!(is_outage_code(code), outage, "{code}");
        }
    }

    #[test]
    fn outage_pauses_double_up_to_fifteen_seconds() {
        let cases = [
            (1, 500),
            (2, 1_000),
            (3, 2_000),
            (5, 8_000),
            (6, 15_000),
            (40, 15_000),
        ];
        for (round, millis) in cases {
            assert_eq!(
                outage_pause(round),
                Duration::from_millis(millis),
                "round {round}"
            );
        }
    }
}
