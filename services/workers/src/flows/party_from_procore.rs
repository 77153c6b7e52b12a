//! Procore directory company → maestro* supplier or customer (creation only).
//!
//! A company becomes a customer only as the owner (`vendor`) of a prime contract or when it
//! carries the keyword `CLIENT` (rules §1). A customer event names the company (from
//! `Company Vendors`) or `prime_contract:<id>` with its project (from `Prime Contracts`): the
//! flow then reads the contract and takes its owner.

use crate::engine::{Context, Handler};
use crate::flows::clients::Clients;
use crate::flows::create_once::Once;
use crate::flows::fail::{self, Step};
use crate::flows::party::Party;
use crate::outcome::{Outcome, warnings};
use bridge_domain::party::{CompanyRecord, not_a_customer};
use bridge_domain::text::Fitter;
use bridge_domain::{Action, ChangeEvent, Direction, Route};
use bridge_maestro::limits;
use bridge_procore::{Client, optional};
use futures::future::BoxFuture;
use std::sync::Arc;

/// Procore company → maestro* supplier or customer.
pub struct PartyToMaestro {
    party: Party,
    clients: Arc<dyn Clients>,
}

fn skipped(reason: String, description: Option<String>) -> Outcome {
    Outcome::Skipped {
        reason,
        description,
    }
}

impl PartyToMaestro {
    pub fn new(party: Party, clients: Arc<dyn Clients>) -> Self {
        PartyToMaestro { party, clients }
    }

    /// The company an event names and whether it owns a prime contract.
    async fn company(&self, procore: &Client, event: &ChangeEvent) -> Step<(i64, bool)> {
        let record =
            CompanyRecord::parse(&event.record).map_err(|e| Outcome::Dead(e.to_string()))?;
        let id = match (record, self.party) {
            (CompanyRecord::Company(id), _) => return Ok((id, false)),
            (CompanyRecord::PrimeContract(_), Party::Supplier) => {
                return Err(Outcome::Dead(format!(
                    "`{}` names a prime contract, not a supplier",
                    event.record
                )));
            }
            (CompanyRecord::PrimeContract(id), Party::Customer) => id,
        };
        let project = event.project.as_deref().and_then(|p| p.trim().parse().ok());
        let Some(project) = project else {
            return Err(Outcome::Dead(format!(
                "the event of prime contract {id} names no Procore project"
            )));
        };
        let what = format!("reading prime contract {id}");
        let contract = optional(procore.prime_contract(project, id).await)
            .map_err(|e| fail::procore(&what, e))?
            .ok_or_else(|| {
                skipped(
                    format!("prime contract {id} no longer exists in Procore; nothing to send"),
                    None,
                )
            })?;
        match contract.vendor {
            Some(owner) => Ok((owner.id.0, true)),
            None => Err(Outcome::Fail(format!(
                "prime contract {} has no owner company in Procore; choose the owner so it can become a maestro* customer",
                contract.number.as_deref().unwrap_or_default()
            ))),
        }
    }

    async fn run(&self, ctx: &Context, event: &ChangeEvent) -> Step<Outcome> {
        let connection = event.connection_id;
        let procore = self
            .clients
            .procore(connection)
            .await
            .map_err(fail::setup)?;
        let (id, owner) = self.company(&procore, event).await?;
        let what = format!("reading Procore company {id}");
        let Some(vendor) = procore
            .vendor(id)
            .await
            .map_err(|e| fail::procore(&what, e))?
        else {
            return Ok(skipped(
                format!("Procore company {id} no longer exists; nothing to send"),
                None,
            ));
        };
        let name = vendor.name.clone().unwrap_or_default();
        let abbreviated = vendor
            .abbreviated_name
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty());
        let word = self.party.word();
        let description = match abbreviated {
            Some(a) => format!("{word} {a} ({name})"),
            None => format!("Procore company {name}"),
        };
        // A new prime contract of an owner already sent is not a change of the company.
        let as_created;
        let event = if owner {
            as_created = ChangeEvent {
                action: Action::Create,
                ..event.clone()
            };
            &as_created
        } else {
            event
        };
        let mut once = Once::new(ctx, event, self.party.kind(), description.clone());
        // A synchronized company stays as it was sent, whatever changed in Procore since.
        once.unless_linked_in_procore(id).await?;
        let skip = |why: String| {
            Ok(skipped(
                format!("{description}{why}"),
                Some(description.clone()),
            ))
        };
        if let Some(tag) = self.party.domain().excluded_by(vendor.notes.as_deref()) {
            return skip(format!(
                " carries the keyword {tag} in Procore; it is not synchronized as a maestro* {word}"
            ));
        }
        if vendor.is_active == Some(false) {
            return skip(format!(
                " is inactive in Procore; only active companies become maestro* {word}s"
            ));
        }
        if self.party == Party::Customer
            && let Some(why) = not_a_customer(vendor.notes.as_deref(), owner)
        {
            return skip(format!(" {why}"));
        }
        let Some(abbreviated) = abbreviated else {
            return Err(Outcome::Fail(format!(
                "{description} has no abbreviated name in Procore; enter one (at most 10 characters): it becomes the maestro* {word} code"
            )));
        };
        let mut fit = Fitter::new(description.clone());
        let code = fit.fit(
            "code (Procore abbreviated name)",
            abbreviated,
            limits::PARTY_CODE,
        );
        once.notes = warnings(fit.into_warnings());
        let maestro = self
            .clients
            .maestro(connection)
            .await
            .map_err(fail::setup)?;
        let maestro = maestro.as_ref();
        once.into_maestro(
            id,
            Some(&code),
            async || Ok(self.party.find(maestro, &code).await?.is_some()),
            // A maestro* party carries no external number; its code finds a crashed attempt.
            || async { Ok(None) },
            async || {
                let mut fit = Fitter::new(description.clone());
                let party = self.party.new_party(&vendor, &code, &mut fit);
                let created = self.party.create(maestro, &party).await;
                Ok(created.map(|()| (code.clone(), warnings(fit.into_warnings()))))
            },
            |key, other| {
                format!(
                    "maestro* {word} {key} is already linked to another Procore company (id {other}); give this company its own abbreviated name"
                )
            },
        )
        .await
    }
}

impl Handler for PartyToMaestro {
    fn route(&self) -> Route {
        Route {
            kind: self.party.kind(),
            direction: Direction::ToMaestro,
        }
    }

    fn handle<'a>(&'a self, ctx: &'a Context, event: &'a ChangeEvent) -> BoxFuture<'a, Outcome> {
        Box::pin(async move { fail::settle(self.run(ctx, event).await) })
    }
}
