//! The flows of issue 6: one [`Handler`] per entity kind and direction, each reloading its
//! record from the source system, applying the rules of `ENTITIES.md` and writing to the other
//! system through the clients of the event's connection.
//!
//! Build them with [`handlers`], giving a [`Clients`] registry (in production
//! [`PgClients`], which builds the clients from the `connections` row).

mod clients;
mod commitment;
mod employee;
mod fail;
mod guard;
mod links;
mod party;
mod party_from_procore;
mod party_to_procore;
mod project;
mod project_from_procore;
mod purchase_order;
mod settings;
mod text;

pub use clients::{ClientSecrets, Clients, PROCORE_SECRET_ENV, PgClients};
pub use employee::EmployeeToProcore;
pub use party::{Party, PartyToMaestro, PartyToProcore};
pub use project::ProjectToProcore;
pub use project_from_procore::ProjectToMaestro;
pub use purchase_order::PurchaseOrderToMaestro;
pub use settings::{CostCodeMode, FlowSettings, OrdersMode};

use crate::engine::Handler;
use std::sync::Arc;

/// Every flow this module implements, ready for [`crate::run`].
pub fn handlers(clients: Arc<dyn Clients>) -> Vec<Arc<dyn Handler>> {
    vec![
        Arc::new(PartyToProcore::new(Party::Supplier, clients.clone())),
        Arc::new(PartyToMaestro::new(Party::Supplier, clients.clone())),
        Arc::new(PartyToProcore::new(Party::Customer, clients.clone())),
        Arc::new(PartyToMaestro::new(Party::Customer, clients.clone())),
        Arc::new(ProjectToProcore::new(clients.clone())),
        Arc::new(ProjectToMaestro::new(clients.clone())),
        Arc::new(EmployeeToProcore::new(clients.clone())),
        Arc::new(PurchaseOrderToMaestro::new(clients)),
    ]
}
