//! The bridge's pure domain: what is synchronized, in which direction, and the message that
//! carries a change between the roles. No IO lives here.

pub mod entity;
pub mod message;
pub mod resources;
pub mod routing;

pub use entity::{Direction, EntityKind, Route, UnknownName};
pub use message::{Action, ChangeEvent, Envelope, Source};
