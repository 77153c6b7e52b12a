//! The flows of issue 6: one [`Handler`] per entity kind and direction. Each reloads its record
//! from the source system (events are thin), applies the rules of `docs/rules.md` and writes to
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
mod commitment_needs;
mod cost_catalog;
mod cost_needs;
mod create_once;
mod employee;
mod fail;
mod guard;
mod links;
mod modified_budget;
mod order_invoice;
mod original_budget;
mod party;
mod party_from_procore;
mod party_to_procore;
pub mod preview;
mod preview_money;
mod preview_records;
mod prime_change_order;
mod prime_contract;
mod project;
mod project_cost;
mod project_from_procore;
mod project_record;
mod purchase_order;
mod settings;
mod subcontract;
mod subcontract_change_order;

pub use clients::{ClientSecrets, Clients, PROCORE_SECRET_ENV, PgClients};
pub use employee::EmployeeToProcore;
pub use modified_budget::ModifiedBudgetToMaestro;
pub use order_invoice::OrderInvoiceToProcore;
pub use original_budget::OriginalBudgetToProcore;
pub use party::{Party, PartyToMaestro, PartyToProcore};
pub use prime_change_order::PrimeChangeOrderToMaestro;
pub use prime_contract::PrimeContractToMaestro;
pub use project::ProjectToProcore;
pub use project_cost::ProjectCostToProcore;
pub use project_from_procore::ProjectToMaestro;
pub use purchase_order::PurchaseOrderToMaestro;
pub use settings::{CostCodeMode, FlowSettings, OrdersMode, SettingsError};
pub use subcontract::SubcontractToMaestro;
pub use subcontract_change_order::SubcontractChangeOrderToMaestro;

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
        Arc::new(ProjectCostToProcore::new(clients.clone())),
        Arc::new(OrderInvoiceToProcore::new(clients.clone())),
        Arc::new(OriginalBudgetToProcore::new(clients.clone())),
        Arc::new(ModifiedBudgetToMaestro::new(clients.clone())),
        Arc::new(SubcontractToMaestro::new(clients.clone())),
        Arc::new(SubcontractChangeOrderToMaestro::new(clients.clone())),
        Arc::new(PrimeContractToMaestro::new(clients.clone())),
        Arc::new(PrimeChangeOrderToMaestro::new(clients.clone())),
        Arc::new(PurchaseOrderToMaestro::new(clients)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use bridge_domain::Route;
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
    }

    /// Every queue has a consumer: the ingress and the reconciler emit the routes their
    /// resources feed, the maestro* poller emits every route towards Procore, and each route of
    /// the entity table is one queue. A route with no handler would pile up unseen.
    #[test]
    fn every_route_anyone_can_emit_has_a_handler() {
        let handled: Vec<Route> = handlers(Arc::new(NoClients))
            .iter()
            .map(|h| h.route())
            .collect();
        let fed_by_procore = bridge_domain::resources::SUBSCRIBED
            .iter()
            .flat_map(|resource| bridge_domain::resources::routes(resource))
            .map(|feed| Route {
                kind: feed.kind,
                direction: feed.direction,
            });
        let emitted: Vec<Route> = Route::all().chain(fed_by_procore).collect();
        let missing: Vec<String> = emitted
            .iter()
            .filter(|r| !handled.contains(r))
            .map(|r| r.to_string())
            .collect();
        assert!(missing.is_empty(), "no handler for {missing:?}");
    }
}
