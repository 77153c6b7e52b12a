//! maestro* supplier or customer → Procore directory company (creation only). A Procore
//! company with the same code is linked, active or not, unless its keywords keep it out of
//! maestro* (rules §3, "Exclusion tags").

use crate::engine::{Context, Handler};
use crate::flows::clients::Clients;
use crate::flows::create_once::Once;
use crate::flows::fail::{self, Step};
use crate::flows::party::{MaestroParty, Party};
use crate::outcome::{Note, Outcome, warnings};
use bridge_domain::text::{Fitter, limits};
use bridge_domain::{ChangeEvent, Direction, Route};
use bridge_procore::models::Vendor;
use futures::future::BoxFuture;
use std::sync::Arc;

/// Why a maestro* supplier or customer is not sent at all (rules §3: active, Interface
/// box ticked), in words that follow its description; shared by the flow and the preview.
pub(crate) fn not_sent(party: Party, record: &MaestroParty) -> Option<String> {
    let word = party.word();
    if let Some(state) = &record.inactive {
        return Some(format!(
            " is {state} in maestro*; only active {word}s are sent to Procore"
        ));
    }
    if !record.sync {
        return Some(": \"Synchronize with Procore\" is not checked on its Interface tab".into());
    }
    None
}

/// maestro* supplier or customer → Procore company.
pub struct PartyToProcore {
    party: Party,
    clients: Arc<dyn Clients>,
}

impl PartyToProcore {
    pub fn new(party: Party, clients: Arc<dyn Clients>) -> Self {
        PartyToProcore { party, clients }
    }

    /// What a Procore company with the same code means: linked (with a warning when it is
    /// inactive), or the maestro* record skipped when the company is tagged out of maestro*.
    pub(crate) fn same_code(&self, description: &str, vendor: Vendor) -> Step<(i64, Vec<Note>)> {
        let name = vendor.name.as_deref().unwrap_or_default();
        if let Some(tag) = self.party.domain().excluded_by(vendor.notes.as_deref()) {
            return Err(Outcome::Skipped {
                reason: format!(
                    "{description}: the Procore company with the same code ({name}) carries the keyword {tag}, so it is kept out of maestro* and not linked; remove the keyword in Procore or give the {} another code",
                    self.party.word()
                ),
                description: Some(description.to_owned()),
            });
        }
        let mut notes = Vec::new();
        if vendor.is_active == Some(false) {
            notes.push(Note::warning(format!(
                "{description}: linked to the inactive Procore company {name} with the same code; reactivate it in Procore to use it"
            )));
        }
        Ok((vendor.id.0, notes))
    }

    async fn run(&self, ctx: &Context, event: &ChangeEvent) -> Step<Outcome> {
        let connection = event.connection_id;
        let code = event.record.trim();
        let maestro = self
            .clients
            .maestro(connection)
            .await
            .map_err(fail::setup)?;
        let word = self.party.word();
        let Some(record) = self.party.find(maestro.as_ref(), code).await? else {
            return Ok(Outcome::Skipped {
                reason: format!("{word} {code} no longer exists in maestro*; nothing to send"),
                description: None,
            });
        };
        let description = format!("{word} {} ({})", record.code, record.name);
        let skip = |why: String| Outcome::Skipped {
            reason: format!("{description}{why}"),
            description: Some(description.clone()),
        };
        if let Some(why) = not_sent(self.party, &record) {
            return Ok(skip(why));
        }
        let mut once = Once::new(ctx, event, self.party.kind(), description.clone());
        once.unless_linked_in_maestro(code).await?;
        let procore = self
            .clients
            .procore(connection)
            .await
            .map_err(fail::setup)?;
        let mut fit = Fitter::new(description.clone());
        let abbreviated = fit.fit("abbreviated name", code, limits::ABBREVIATED_NAME);
        once.notes = warnings(fit.into_warnings());
        let origin = format!("{word}:{code}");
        once.into_procore(
            code,
            async || {
                let found = procore.vendor_by_code(&abbreviated).await.map_err(|e| {
                    fail::procore(&format!("looking for the Procore company {abbreviated}"), e)
                })?;
                found.map(|v| self.same_code(&description, v)).transpose()
            },
            async || {
                let found = procore.vendor_by_origin(&origin).await.map_err(|e| {
                    fail::procore(&format!("looking for {description} in Procore"), e)
                })?;
                Ok(found.map(|v| v.id.0))
            },
            async || {
                let mut fit = Fitter::new(description.clone());
                let vendor = self.party.new_vendor(&record, &abbreviated, &mut fit);
                let created = procore.create_vendor(&vendor).await;
                Ok(created.map(|v| (v.id.0, warnings(fit.into_warnings()))))
            },
        )
        .await
    }
}

impl Handler for PartyToProcore {
    fn route(&self) -> Route {
        Route {
            kind: self.party.kind(),
            direction: Direction::ToProcore,
        }
    }

    fn handle<'a>(&'a self, ctx: &'a Context, event: &'a ChangeEvent) -> BoxFuture<'a, Outcome> {
        Box::pin(async move { fail::settle(self.run(ctx, event).await) })
    }
}
