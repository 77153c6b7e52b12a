//! The roles that find changes and write them to the inbox: the maestro* poller (with its
//! schedule) and the Procore reconciler. The relay that drains the outbox lives next to it,
//! in `bridge_platform::relay`.

pub mod maestro;
pub mod reconciler;
pub mod schedule;
