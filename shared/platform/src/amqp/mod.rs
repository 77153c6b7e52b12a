//! RabbitMQ: the topology, a connection that heals itself, a confirming publisher and a
//! consumer whose every message ends in exactly one of ack, retry, reject or dead-letter.

mod broker;
mod consume;
pub mod headers;
mod publish;
mod topology;

pub use broker::{Broker, BrokerError};
pub use consume::{Incoming, SettleError, Subscription};
pub use headers::HeaderValue;
pub use publish::{Outgoing, PublishError, Publisher};
pub use topology::{ArgValue, QueueSpec, Topology, exchange_kind_word};
