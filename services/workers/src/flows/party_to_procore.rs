//! maestro* supplier or customer → Procore directory company (creation only).

use crate::engine::{Context, Handler};
use crate::flows::clients::Clients;
use crate::flows::fail::{self, Step};
use crate::flows::links;
use crate::flows::party::{ABBREVIATED_NAME, Party, country_code, link, synced, vendor_by_code};
use crate::flows::text::Fitter;
use crate::outcome::Outcome;
use bridge_domain::{ChangeEvent, Direction, Route};
use bridge_procore::models::Vendor;
use bridge_procore::{Error as ProcoreError, query};
use futures::future::BoxFuture;
use serde_json::{Map, Value, json};
use std::sync::Arc;

/// maestro* supplier or customer → Procore company.
pub struct PartyToProcore {
    party: Party,
    clients: Arc<dyn Clients>,
}

impl PartyToProcore {
    pub fn new(party: Party, clients: Arc<dyn Clients>) -> Self {
        PartyToProcore { party, clients }
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
        if let Some(state) = &record.inactive {
            return Ok(Outcome::Skipped {
                reason: format!(
                    "{description} is {state} in maestro*; only active {word}s are sent to Procore"
                ),
                description: Some(description),
            });
        }
        if !record.sync {
            return Ok(Outcome::Skipped {
                reason: format!(
                    "{description}: \"Synchronize with Procore\" is not checked on its Interface tab"
                ),
                description: Some(description),
            });
        }
        if let Some(existing) =
            links::by_maestro_key(&ctx.pool, connection, self.party.kind(), code).await?
        {
            return Ok(links::already_linked(
                &existing,
                event.action,
                event.direction,
                description,
            ));
        }
        let procore = self
            .clients
            .procore(connection)
            .await
            .map_err(fail::setup)?;
        let mut fit = Fitter::new(description.clone());
        let abbreviated = fit.fit("abbreviated name", code, ABBREVIATED_NAME);
        let by_code = vendor_by_code(&procore, &abbreviated).await.map_err(|e| {
            fail::procore(&format!("looking for the Procore company {abbreviated}"), e)
        })?;
        if let Some(v) = by_code {
            links::ensure_unlinked(
                &ctx.pool,
                connection,
                self.party.kind(),
                v.id.0,
                code,
                &description,
            )
            .await?;
            return Ok(synced(
                link(code, v.id.0, "linked_by_code"),
                description,
                fit.into_notes(),
            ));
        }
        // A crash after Procore created the company but before the link was stored.
        let origin = format!("{word}:{code}");
        let by_origin = procore
            .vendor_by_origin(&origin)
            .await
            .map_err(|e| fail::procore(&format!("looking for {description} in Procore"), e))?;
        if let Some(v) = by_origin {
            return Ok(synced(
                link(code, v.id.0, "created_in_procore"),
                description,
                fit.into_notes(),
            ));
        }
        let mut fields = Map::new();
        let mut put = |key: &str, value: Option<String>| {
            if let Some(v) = value {
                fields.insert(key.to_owned(), Value::String(v));
            }
        };
        put("name", Some(record.name.trim().to_owned()));
        put("abbreviated_name", Some(abbreviated));
        put("address", record.address.clone());
        put("city", record.city.clone());
        put("state_code", record.province.clone());
        put("zip", record.postal_code.clone());
        put(
            "country_code",
            country_code(&mut fit, record.country.as_deref()),
        );
        put("business_phone", record.phone.clone());
        put("fax_number", record.fax.clone());
        put("email_address", record.email.clone());
        put("license_number", record.rbq_number.clone());
        put("origin_id", Some(origin));
        fields.insert("is_active".into(), Value::Bool(true));
        let company = procore.company_id();
        let created: Vendor = procore
            .post(
                "rest/v1.0/vendors",
                &query([("company_id", company)]),
                &json!({ "company_id": company, "vendor": fields }),
            )
            .await
            .map_err(|e| match e {
                // Another attempt created it a moment ago: the next one links it by origin.
                ProcoreError::Api {
                    status: 422,
                    ref body,
                } if body.summary().contains("origin_id") => Outcome::Retry(format!(
                    "{description} was being created by another attempt"
                )),
                e => fail::procore(&format!("creating {description} in Procore"), e),
            })?;
        Ok(synced(
            link(code, created.id.0, "created_in_procore"),
            description,
            fit.into_notes(),
        ))
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
