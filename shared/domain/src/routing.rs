//! Names of every exchange and queue, and the retry tiers, in one place.
//!
//! All names live under a prefix (`bridge` by default) so that several installations, or
//! several tests, can share one broker without seeing each other's messages.

use crate::entity::Route;
use std::time::Duration;

/// The default prefix of every broker name.
pub const DEFAULT_PREFIX: &str = "bridge";

/// Message header: how many times the message has been sent back through a retry tier.
pub const HEADER_ATTEMPT: &str = "bridge-attempt";
/// Message header: the retry tier a message is waiting in (routes it inside the retry exchange).
///
/// It must not start with `x-`: a headers exchange ignores such headers when matching.
pub const HEADER_RETRY_TIER: &str = "bridge-retry-tier";
/// Message header: why a message was dead-lettered by the bridge itself.
pub const HEADER_DEAD_REASON: &str = "bridge-dead-reason";
/// Message header: the queue a message was consumed from when the bridge dead-lettered it.
pub const HEADER_ORIGIN_QUEUE: &str = "bridge-origin-queue";
/// Message header: the routing key a dead-lettered message was travelling with.
pub const HEADER_ORIGIN_ROUTING_KEY: &str = "bridge-origin-routing-key";
/// Header set by quorum queues on a redelivered message.
pub const HEADER_DELIVERY_COUNT: &str = "x-delivery-count";

/// The delay steps a message waits through before it is tried again.
///
/// After the last tier the message keeps waiting an hour per attempt until the caller decides
/// it is dead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RetryTier {
    Seconds5,
    Seconds30,
    Minutes2,
    Minutes10,
    Hour1,
}

impl RetryTier {
    pub const ALL: [RetryTier; 5] = [
        RetryTier::Seconds5,
        RetryTier::Seconds30,
        RetryTier::Minutes2,
        RetryTier::Minutes10,
        RetryTier::Hour1,
    ];

    /// The tier's name in queue names and headers.
    pub const fn name(self) -> &'static str {
        match self {
            RetryTier::Seconds5 => "5s",
            RetryTier::Seconds30 => "30s",
            RetryTier::Minutes2 => "2m",
            RetryTier::Minutes10 => "10m",
            RetryTier::Hour1 => "1h",
        }
    }

    /// How long a message waits in this tier by default.
    pub const fn default_delay(self) -> Duration {
        match self {
            RetryTier::Seconds5 => Duration::from_secs(5),
            RetryTier::Seconds30 => Duration::from_secs(30),
            RetryTier::Minutes2 => Duration::from_secs(120),
            RetryTier::Minutes10 => Duration::from_secs(600),
            RetryTier::Hour1 => Duration::from_secs(3600),
        }
    }

    /// The tier for the retry that follows attempt number `attempt` (1 for the first failure):
    /// the steps in order, then hourly.
    pub fn for_attempt(attempt: u32) -> RetryTier {
        let index = attempt.saturating_sub(1) as usize;
        RetryTier::ALL[index.min(RetryTier::ALL.len() - 1)]
    }
}

/// Every broker name of one installation, derived from its prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    prefix: String,
}

impl Names {
    pub fn new(prefix: impl Into<String>) -> Self {
        Names {
            prefix: prefix.into(),
        }
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Topic exchange carrying every sync message, routed by `<kind>.<direction>`.
    pub fn events_exchange(&self) -> String {
        format!("{}.events", self.prefix)
    }

    /// The work queue of one kind and direction.
    pub fn work_queue(&self, route: Route) -> String {
        format!("{}.q.{}", self.prefix, route)
    }

    /// Headers exchange in front of the retry tiers, routed by [`HEADER_RETRY_TIER`] so that the
    /// message keeps its original routing key for the way back.
    pub fn retry_exchange(&self) -> String {
        format!("{}.retry", self.prefix)
    }

    pub fn retry_queue(&self, tier: RetryTier) -> String {
        format!("{}.retry.{}", self.prefix, tier.name())
    }

    /// Fanout exchange receiving every dead letter.
    pub fn dead_exchange(&self) -> String {
        format!("{}.dead", self.prefix)
    }

    /// The queue the dead-letter archiver consumes.
    pub fn dead_letter_queue(&self) -> String {
        format!("{}.dead-letters", self.prefix)
    }
}

impl Default for Names {
    fn default() -> Self {
        Names::new(DEFAULT_PREFIX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Direction, EntityKind};

    #[test]
    fn tiers_step_up_then_stay_hourly() {
        let names: Vec<_> = (1..=8).map(|a| RetryTier::for_attempt(a).name()).collect();
        assert_eq!(names, ["5s", "30s", "2m", "10m", "1h", "1h", "1h", "1h"]);
        assert_eq!(RetryTier::for_attempt(0), RetryTier::Seconds5);
    }

    #[test]
    fn names_follow_the_prefix() {
        let n = Names::new("t42");
        let route = Route {
            kind: EntityKind::ProjectCost,
            direction: Direction::ToProcore,
        };
        assert_eq!(n.work_queue(route), "t42.q.project_cost.to_procore");
        assert_eq!(n.events_exchange(), "t42.events");
        assert_eq!(n.retry_queue(RetryTier::Minutes2), "t42.retry.2m");
        assert_eq!(n.dead_letter_queue(), "t42.dead-letters");
    }
}
