//! Shared pieces of the end-to-end tests and the load harness.

pub mod latency;
pub mod wrk;
