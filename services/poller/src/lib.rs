//! Roles that move events into and out of the inbox: the outbox relay now; the maestro*
//! poller and the Procore reconciler join it.

pub mod hooks;
pub mod maestro;
pub mod reconciler;
pub mod relay;
pub mod schedule;
