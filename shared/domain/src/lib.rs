//! The bridge's pure domain: what is synchronized, in which direction, and the message that
//! carries a change between the roles. No IO lives here.

pub mod billing;
pub mod budget;
pub mod change_order;
pub mod commitment;
pub mod cost_codes;
pub mod costs;
pub mod dependencies;
pub mod entity;
pub mod message;
pub mod pairing;
pub mod party;
pub mod resources;
pub mod routing;
pub mod text;

pub use entity::{Direction, EntityKind, Route, UnknownName};
pub use message::{Action, ChangeEvent, Envelope, Source};
