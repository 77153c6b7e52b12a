//! The sync engine.
//!
//! One consumer per queue (entity kind and direction) hands each message to that route's
//! [`Handler`], which reloads the record, checks its dependencies and writes it to the other
//! system, and answers with an explicit [`Outcome`]. The engine records the outcome (sync
//! item, attempt, link) in one Postgres transaction, then settles the delivery: ack, retry
//! tier or dead letter — in that order, so nothing is acked before it is recorded.

mod archiver;
mod engine;
pub mod flows;
mod lease;
mod outcome;
mod store;
mod wake;

pub use archiver::run_archiver;
pub use engine::{Context, EngineConfig, Handler, run};
pub use outcome::{Dependency, Note, NoteLevel, Outcome, SyncedLink};
