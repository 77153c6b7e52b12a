//! One delivery of a record at a time (architecture, "Sync engine"; issue 14's "two deliveries
//! of one record never both create").
//!
//! Eight handlers per queue run at once, and several worker processes may share the queues, so
//! a webhook and the reconciler's copy of the same change could both find the record unlinked
//! and both create it. The engine therefore takes a **lease** on the record (connection, kind,
//! direction and record key) before its handler runs, and holds it until the outcome is
//! recorded and the delivery settled.
//!
//! A lease has two parts:
//! - **in the process**, an async mutex per record key, so two handlers of this process never
//!   run one record together;
//! - **across processes**, a session-level Postgres advisory lock
//!   (`pg_try_advisory_lock(hashtextextended(key, 0))`), taken on one of a few connections of
//!   the lease's own ([`SHARDS`]), never on the pool: a running handler holds no pooled
//!   connection for its lease, so 16 queues × 8 handlers cannot starve the pool
//!   (`BRIDGE_DATABASE_POOL_SIZE`). One session holds any number of advisory locks.
//!
//! **Under a crash** the process's sessions end and Postgres drops their advisory locks at
//! once: a dead process never holds a lease. If a lease connection breaks while the process
//! lives, its locks are gone too; the next lease reconnects and the loss is logged when the
//! lease is released (the in-process part still holds).
//!
//! **A busy record waits.** The second delivery polls the lock (20 ms, doubling to 500 ms) for
//! at most [`WAIT`]; it then usually finds the record linked and settles at once. If the first
//! one is still running after that, the engine answers `Retry` and the message goes to a retry
//! tier: no requeue, so no `x-delivery-limit` attempt is spent.

use bridge_domain::ChangeEvent;
use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, PgConnection, PgPool};
use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;
use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};
use tokio::time::Instant;

/// How long a delivery waits for another delivery of the same record to finish.
pub(crate) const WAIT: Duration = Duration::from_secs(60);
/// Connections that hold the advisory locks of one database, per process.
pub(crate) const SHARDS: usize = 2;

/// Why a lease was not taken.
#[derive(Debug, thiserror::Error)]
pub enum LeaseError {
    #[error(
        "another delivery of this record was still being handled after {}s; will try again",
        .0.as_secs()
    )]
    Busy(Duration),
    #[error("could not take the record's lease in Postgres: {0}")]
    Database(#[source] sqlx::Error),
}

/// The lease key of a record: connection, kind, direction and record key.
pub(crate) fn key(event: &ChangeEvent) -> String {
    format!(
        "bridge-lease:{}:{}:{}:{}",
        event.connection_id, event.kind, event.direction, event.record
    )
}

/// Takes the lease of `event`'s record, waiting at most [`WAIT`].
pub(crate) async fn take(pool: &PgPool, event: &ChangeEvent) -> Result<Lease, LeaseError> {
    Leases::for_pool(pool).take(key(event)).await
}

/// The leases of one database in this process.
pub(crate) struct Leases {
    local: Mutex<HashMap<String, Arc<AsyncMutex<()>>>>,
    shards: Vec<AsyncMutex<Option<PgConnection>>>,
    options: PgConnectOptions,
    wait: Duration,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Leases {
    pub(crate) fn new(options: PgConnectOptions, wait: Duration) -> Arc<Leases> {
        Arc::new(Leases {
            local: Mutex::new(HashMap::new()),
            shards: (0..SHARDS).map(|_| AsyncMutex::new(None)).collect(),
            options,
            wait,
        })
    }

    /// The process's leases for the database `pool` connects to (one set per database, so
    /// tests running several databases in one process keep them apart).
    fn for_pool(pool: &PgPool) -> Arc<Leases> {
        static ALL: OnceLock<Mutex<HashMap<String, Arc<Leases>>>> = OnceLock::new();
        let options = pool.connect_options();
        let id = format!(
            "{}:{}/{}/{}",
            options.get_host(),
            options.get_port(),
            options.get_database().unwrap_or_default(),
            options.get_username()
        );
        let mut all = lock(ALL.get_or_init(Default::default));
        all.entry(id)
            .or_insert_with(|| Leases::new((*options).clone(), WAIT))
            .clone()
    }

    /// Waits (bounded) until no other delivery, here or in another process, holds `key`.
    pub(crate) async fn take(self: &Arc<Self>, key: String) -> Result<Lease, LeaseError> {
        let deadline = Instant::now() + self.wait;
        let entry = lock(&self.local).entry(key.clone()).or_default().clone();
        let local = match tokio::time::timeout_at(deadline, entry.clone().lock_owned()).await {
            Ok(guard) => guard,
            Err(_) => {
                self.forget(&key, entry);
                return Err(LeaseError::Busy(self.wait));
            }
        };
        // From here on, dropping `lease` gives back whatever it holds.
        let mut lease = Lease {
            leases: self.clone(),
            key,
            entry: Some(entry),
            local: Some(local),
            held: false,
        };
        let mut pause = Duration::from_millis(20);
        loop {
            if self.try_lock(&lease.key).await? {
                lease.held = true;
                return Ok(lease);
            }
            if Instant::now() + pause > deadline {
                return Err(LeaseError::Busy(self.wait));
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_millis(500));
        }
    }

    fn shard(&self, key: &str) -> &AsyncMutex<Option<PgConnection>> {
        let mut h = DefaultHasher::new();
        key.hash(&mut h);
        &self.shards[(h.finish() % self.shards.len() as u64) as usize]
    }

    async fn try_lock(&self, key: &str) -> Result<bool, LeaseError> {
        self.advisory(key, "SELECT pg_try_advisory_lock(hashtextextended($1, 0))")
            .await
            .map_err(LeaseError::Database)
    }

    async fn unlock(&self, key: &str) {
        match self
            .advisory(key, "SELECT pg_advisory_unlock(hashtextextended($1, 0))")
            .await
        {
            Ok(true) => {}
            Ok(false) => tracing::warn!(
                key,
                "a record's lease was lost while held (its Postgres session was reset)"
            ),
            Err(e) => {
                tracing::warn!(key, error = %e, "could not release a record's lease; its session is closed instead")
            }
        }
    }

    /// Runs one advisory-lock query on the key's shard, connecting first when needed. A failed
    /// query closes the shard's session, which releases every lock it held.
    async fn advisory(&self, key: &str, sql: &'static str) -> Result<bool, sqlx::Error> {
        let mut shard = self.shard(key).lock().await;
        if shard.is_none() {
            *shard = Some(self.options.connect().await?);
        }
        let Some(conn) = shard.as_mut() else {
            unreachable!("connected above")
        };
        let answer = sqlx::query_scalar(sql).bind(key).fetch_one(conn).await;
        if answer.is_err() {
            *shard = None;
        }
        answer
    }

    /// Drops the in-process entry of `key` when nobody else waits for it.
    fn forget(&self, key: &str, entry: Arc<AsyncMutex<()>>) {
        let mut map = lock(&self.local);
        // Clones are only made under this lock: the map's and ours means nobody else.
        if map.get(key).is_some_and(|e| Arc::ptr_eq(e, &entry)) && Arc::strong_count(&entry) == 2 {
            map.remove(key);
        }
    }
}

/// A record's lease; dropping it releases the record.
pub(crate) struct Lease {
    leases: Arc<Leases>,
    key: String,
    entry: Option<Arc<AsyncMutex<()>>>,
    local: Option<OwnedMutexGuard<()>>,
    held: bool,
}

impl Drop for Lease {
    fn drop(&mut self) {
        let (leases, key) = (self.leases.clone(), std::mem::take(&mut self.key));
        let (local, entry) = (self.local.take(), self.entry.take());
        let advisory_key = key.clone();
        let release = move |leases: &Leases| {
            drop(local);
            if let Some(entry) = entry {
                leases.forget(&key, entry);
            }
        };
        match (self.held, tokio::runtime::Handle::try_current()) {
            // The in-process part is given back after the advisory lock, in this order.
            (true, Ok(runtime)) => {
                runtime.spawn(async move {
                    leases.unlock(&advisory_key).await;
                    release(&leases);
                });
            }
            // No runtime left: the session ends with the process and takes the lock along.
            _ => release(&leases),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bridge_domain::{Action, Direction, EntityKind, Source};
    use bridge_platform::testing::TestDb;
    use sqlx::Connection;

    fn event(
        connection_id: i64,
        kind: EntityKind,
        direction: Direction,
        record: &str,
    ) -> ChangeEvent {
        ChangeEvent {
            event_id: uuid::Uuid::nil(),
            connection_id,
            kind,
            direction,
            record: record.into(),
            project: None,
            source: Source::Manual,
            action: Action::Update,
            dedup_key: "test".into(),
            occurred_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn a_lease_names_connection_kind_direction_and_record() {
        use Direction::{ToMaestro, ToProcore};
        use EntityKind::{Project, Supplier};
        let cases = [
            (
                event(1, Supplier, ToProcore, "BETON01"),
                "bridge-lease:1:supplier:to_procore:BETON01",
            ),
            (
                event(2, Supplier, ToProcore, "BETON01"),
                "bridge-lease:2:supplier:to_procore:BETON01",
            ),
            (
                event(1, Project, ToMaestro, "42"),
                "bridge-lease:1:project:to_maestro:42",
            ),
        ];
        for (e, expected) in cases {
            assert_eq!(key(&e), expected);
        }
    }

    fn options(db: &TestDb) -> PgConnectOptions {
        (*db.pool.connect_options()).clone()
    }

    #[tokio::test]
    async fn one_holder_per_record_in_a_process_and_across_processes() {
        let db = TestDb::new().await;
        let wait = Duration::from_millis(300);
        // Two sets of leases on one database stand for two worker processes.
        let (here, there) = (
            Leases::new(options(&db), wait),
            Leases::new(options(&db), wait),
        );
        let held = here.take("a".into()).await.expect("free");
        assert!(matches!(
            here.take("a".into()).await,
            Err(LeaseError::Busy(_))
        ));
        assert!(matches!(
            there.take("a".into()).await,
            Err(LeaseError::Busy(_))
        ));
        let other = there
            .take("b".into())
            .await
            .expect("another record is free");
        drop(held);
        let again = there.take("a".into()).await.expect("released");
        drop((again, other));
        // Releasing finishes in the background (the advisory unlock), then forgets the entries.
        bridge_platform::testing::eventually(Duration::from_secs(5), "released", || async {
            (lock(&here.local).is_empty() && lock(&there.local).is_empty()).then_some(())
        })
        .await;
    }

    #[tokio::test]
    async fn a_dead_session_holds_no_lease() {
        let db = TestDb::new().await;
        let mut crashed = PgConnection::connect_with(&options(&db))
            .await
            .expect("connect");
        let _: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock(hashtextextended($1, 0))")
            .bind("a")
            .fetch_one(&mut crashed)
            .await
            .expect("lock");
        let leases = Leases::new(options(&db), Duration::from_millis(300));
        assert!(matches!(
            leases.take("a".into()).await,
            Err(LeaseError::Busy(_))
        ));
        crashed.close().await.expect("close");
        leases
            .take("a".into())
            .await
            .expect("the dead session's lock is gone");
    }
}
