//! The flows of issue 6: one [`Handler`] per entity kind and direction. Each reloads its record
//! from the source system (events are thin), applies the rules of `ENTITIES.md` and writes to
//! the other system through the clients of the event's connection.
//!
//! | route | what it does |
//! | --- | --- |
//! | `supplier.to_procore`, `customer.to_procore` | maestro* party → Procore directory company (`origin_id = supplier:<code>` / `customer:<code>`) |
//! | `supplier.to_maestro`, `customer.to_maestro` | Procore company → maestro* party; NOTMAESTRO / PASMAESTRO (and PASCLIENT for customers) exclude; a customer is a prime contract's owner or tagged CLIENT (record `<company id>` or `prime_contract:<id>`) |
//! | `project.to_procore` | maestro* project → Procore project (`origin_id = project:<code>`); start and closing dates mandatory |
//! | `project.to_maestro` | Procore project → maestro* project numbered by its Job Number |
//! | `employee.to_procore` | maestro* employee → Procore company user (`is_employee`, `employee_id`) |
//! | `purchase_order.to_maestro` | Approved Procore purchase order → maestro* purchase or stock order, once its project and vendor are linked |
//!
//! Common to all: creation only (a later change of a linked record is `skipped` with the
//! manual step), link by code before creating, look up what a crashed attempt created
//! (`origin_id` in Procore, external number in maestro*) before creating — one sequence,
//! `create_once` — truncation as warnings, transient trouble retried, refusals dead-lettered
//! in the target's words. Each flow loads its record, maps it with pure functions (the rules
//! themselves live in `bridge_domain`: text, party, cost codes, commitments, dependencies) and
//! writes it once.
//!
//! Build them with [`handlers`], giving a [`Clients`] registry: in production [`PgClients`],
//! which builds the clients from the `connections` row and runs the pairing guard.

mod clients;
mod commitment;
mod create_once;
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

pub use clients::{ClientSecrets, Clients, PROCORE_SECRET_ENV, PgClients};
pub use employee::EmployeeToProcore;
pub use party::{Party, PartyToMaestro, PartyToProcore};
pub use project::ProjectToProcore;
pub use project_from_procore::ProjectToMaestro;
pub use purchase_order::PurchaseOrderToMaestro;
pub use settings::{CostCodeMode, FlowSettings, OrdersMode, SettingsError};

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

#[cfg(test)]
mod tests {
    use super::*;
    use bridge_maestro::MaestroApi;
    use futures::future::BoxFuture;

    struct NoClients;
    impl Clients for NoClients {
        fn procore(&self, _: i64) -> BoxFuture<'_, anyhow::Result<Arc<bridge_procore::Client>>> {
            Box::pin(async { anyhow::bail!("no clients in this test") })
        }
        fn maestro(&self, _: i64) -> BoxFuture<'_, anyhow::Result<Arc<dyn MaestroApi>>> {
            Box::pin(async { anyhow::bail!("no clients in this test") })
        }
    }

    #[test]
    fn every_flow_owns_a_distinct_route_the_entity_table_knows() {
        let routes: Vec<String> = handlers(Arc::new(NoClients))
            .iter()
            .map(|h| h.route())
            .inspect(|r| assert!(r.kind.travels(r.direction), "{r}"))
            .map(|r| r.to_string())
            .collect();
        let mut distinct = routes.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), routes.len(), "{routes:?}");
        assert_eq!(routes.len(), 8);
    }
}
