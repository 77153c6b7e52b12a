//! Procore directory company → maestro* supplier or customer (creation only).

use crate::engine::{Context, Handler};
use crate::flows::clients::Clients;
use crate::flows::fail::{self, Step};
use crate::flows::links;
use crate::flows::party::{Party, link, synced, vendor};
use crate::flows::text::{Fitter, exclusion_tag};
use crate::outcome::Outcome;
use bridge_domain::{ChangeEvent, Direction, Route};
use bridge_maestro::{NewParty, RejectCode, limits};
use futures::future::BoxFuture;
use std::sync::Arc;

/// Procore company → maestro* supplier or customer.
pub struct PartyToMaestro {
    party: Party,
    clients: Arc<dyn Clients>,
}

impl PartyToMaestro {
    pub fn new(party: Party, clients: Arc<dyn Clients>) -> Self {
        PartyToMaestro { party, clients }
    }

    async fn run(&self, ctx: &Context, event: &ChangeEvent) -> Step<Outcome> {
        let connection = event.connection_id;
        let Ok(id) = event.record.trim().parse::<i64>() else {
            return Err(Outcome::Dead(format!(
                "`{}` is not a Procore company id",
                event.record
            )));
        };
        let procore = self
            .clients
            .procore(connection)
            .await
            .map_err(fail::setup)?;
        let Some(vendor) = vendor(&procore, id)
            .await
            .map_err(|e| fail::procore(&format!("reading Procore company {id}"), e))?
        else {
            return Ok(Outcome::Skipped {
                reason: format!("Procore company {id} no longer exists; nothing to send"),
                description: None,
            });
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
        // A synchronized company stays as it was sent, whatever changed in Procore since.
        if let Some(existing) =
            links::by_procore_id(&ctx.pool, connection, self.party.kind(), id).await?
        {
            return Ok(links::already_linked(
                &existing,
                event.action,
                event.direction,
                description,
            ));
        }
        if let Some(tag) = exclusion_tag(vendor.notes.as_deref(), self.party.exclusions()) {
            return Ok(Outcome::Skipped {
                reason: format!(
                    "{description} carries the keyword {tag} in Procore; it is not synchronized as a maestro* {word}"
                ),
                description: Some(description),
            });
        }
        if vendor.is_active == Some(false) {
            return Ok(Outcome::Skipped {
                reason: format!(
                    "{description} is inactive in Procore; only active companies become maestro* {word}s"
                ),
                description: Some(description),
            });
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
        let linked = links::by_maestro_key(&ctx.pool, connection, self.party.kind(), &code).await?;
        if let Some(same) = linked.as_ref().filter(|l| l.procore_id == id) {
            // Linked meanwhile from the maestro* side (both directions ran at once).
            return Ok(links::already_linked(
                same,
                event.action,
                event.direction,
                description,
            ));
        }
        if let Some(other) = linked {
            return Err(Outcome::Dead(format!(
                "{description}: maestro* {word} {code} is already linked to another Procore company (id {}); give this company its own abbreviated name",
                other.procore_id
            )));
        }
        let maestro = self
            .clients
            .maestro(connection)
            .await
            .map_err(fail::setup)?;
        if self.party.find(maestro.as_ref(), &code).await?.is_some() {
            return Ok(synced(
                link(&code, id, "linked_by_code"),
                description,
                fit.into_notes(),
            ));
        }
        let mut party = NewParty::new(code.clone(), fit.fit("name", &name, limits::PARTY_NAME));
        party.address = fit.fit_opt("address", vendor.address.as_deref(), limits::PARTY_ADDRESS);
        party.city = fit.fit_opt("city", vendor.city.as_deref(), limits::CITY);
        party.province = fit.fit_opt("province", vendor.state_code.as_deref(), limits::PROVINCE);
        party.postal_code = fit.fit_opt("postal code", vendor.zip.as_deref(), limits::POSTAL_CODE);
        party.country = fit.fit_opt("country", vendor.country_code.as_deref(), limits::COUNTRY);
        party.phone = fit.fit_opt("phone", vendor.business_phone.as_deref(), limits::PHONE);
        party.email = fit.fit_opt("email", vendor.email_address.as_deref(), limits::EMAIL);
        party.rbq_number = fit.fit_opt(
            "RBQ number (Procore license number)",
            vendor.license_number.as_deref(),
            limits::RBQ_NUMBER,
        );
        match self.party.create(maestro.as_ref(), &party).await {
            Ok(_) => Ok(synced(
                link(&code, id, "created_in_maestro"),
                description,
                fit.into_notes(),
            )),
            // Created a moment ago (a crash before the link was stored, or a race): link it.
            Err(e) if e.is_rejected_with(&RejectCode::DuplicateCode) => Ok(synced(
                link(&code, id, "linked_by_code"),
                description,
                fit.into_notes(),
            )),
            Err(e) => Err(fail::maestro(&format!("creating {description}"), e)),
        }
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
