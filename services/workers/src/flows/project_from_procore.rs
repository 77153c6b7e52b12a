//! Projects, Procore → maestro* (creation only): an active Procore project becomes a maestro*
//! project numbered by its Job Number, or is linked to the maestro* project of that number.
//! maestro* creates it inactive with its sync box ticked; the user then adds its activities
//! (seed 001).

use crate::engine::{Context, Handler};
use crate::flows::clients::Clients;
use crate::flows::fail::{self, Step};
use crate::flows::links;
use crate::flows::text::Fitter;
use crate::outcome::{Outcome, SyncedLink};
use bridge_domain::{ChangeEvent, Direction, EntityKind, Route};
use bridge_maestro::{NewProject, ProjectCode, RejectCode, limits};
use bridge_procore::models::Project as ProcoreProject;
use bridge_procore::{Error as ProcoreError, query};
use chrono::NaiveDate;
use futures::future::BoxFuture;
use std::sync::Arc;

fn date(value: Option<&str>) -> Option<NaiveDate> {
    value.and_then(|v| NaiveDate::parse_from_str(v.get(..10).unwrap_or(v), "%Y-%m-%d").ok())
}

/// Procore project → maestro* project.
pub struct ProjectToMaestro {
    clients: Arc<dyn Clients>,
}

impl ProjectToMaestro {
    pub fn new(clients: Arc<dyn Clients>) -> Self {
        ProjectToMaestro { clients }
    }

    async fn run(&self, ctx: &Context, event: &ChangeEvent) -> Step<Outcome> {
        let connection = event.connection_id;
        let Ok(id) = event.record.trim().parse::<i64>() else {
            return Err(Outcome::Dead(format!(
                "`{}` is not a Procore project id",
                event.record
            )));
        };
        let procore = self
            .clients
            .procore(connection)
            .await
            .map_err(fail::setup)?;
        let q = query([("company_id", procore.company_id())]);
        let project: ProcoreProject =
            match procore.get(&format!("rest/v1.0/projects/{id}"), &q).await {
                Ok(p) => p,
                Err(ProcoreError::Api { status: 404, .. }) => {
                    return Ok(Outcome::Skipped {
                        reason: format!("Procore project {id} no longer exists; nothing to send"),
                        description: None,
                    });
                }
                Err(e) => return Err(fail::procore(&format!("reading Procore project {id}"), e)),
            };
        let name = project.name.clone().unwrap_or_default();
        let number = project
            .project_number
            .as_deref()
            .map(str::trim)
            .unwrap_or_default()
            .to_owned();
        let description = if number.is_empty() {
            format!("Procore project {name}")
        } else {
            format!("project {number} ({name})")
        };
        if project.active == Some(false) {
            return Ok(Outcome::Skipped {
                reason: format!(
                    "{description} is inactive in Procore; only active projects are created in maestro*"
                ),
                description: Some(description),
            });
        }
        if let Some(existing) =
            links::by_procore_id(&ctx.pool, connection, EntityKind::Project, id).await?
        {
            return Ok(links::already_linked(
                &existing,
                event.action,
                event.direction,
                description,
            ));
        }
        // The Job Number is the maestro* project number: the user fixes it in Procore.
        let code = ProjectCode::new(number.clone()).map_err(|e| {
            Outcome::Fail(format!(
                "{description}: the Job Number cannot be a maestro* project number ({e}); correct it in Procore (Project > Admin > General)"
            ))
        })?;
        let linked =
            links::by_maestro_key(&ctx.pool, connection, EntityKind::Project, code.as_str())
                .await?;
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
                "{description}: maestro* project {code} is already linked to another Procore project (id {}); two Procore projects share this Job Number",
                other.procore_id
            )));
        }
        let synced = |origin: &'static str, fit: Fitter| Outcome::Synced {
            link: Some(SyncedLink {
                maestro_key: code.to_string(),
                procore_id: id,
                procore_project_id: Some(id),
                origin,
            }),
            description: Some(description.clone()),
            notes: fit.into_notes(),
        };
        let mut fit = Fitter::new(description.clone());
        let maestro = self
            .clients
            .maestro(connection)
            .await
            .map_err(fail::setup)?;
        let found = maestro
            .project(&code)
            .await
            .map_err(|e| fail::maestro(&format!("reading project {code}"), e))?;
        if found.is_some() {
            return Ok(synced("linked_by_code", fit));
        }
        let mut new = NewProject::new(
            code.clone(),
            fit.fit("name", &name, limits::PROJECT_DESCRIPTION),
        );
        new.detailed_description = fit.fit_opt(
            "description",
            project.description.as_deref(),
            limits::DETAILED_DESCRIPTION,
        );
        new.address = fit.fit_opt(
            "address",
            project.address.as_deref(),
            limits::PROJECT_ADDRESS,
        );
        new.city = fit.fit_opt("city", project.city.as_deref(), limits::CITY);
        new.province = fit.fit_opt("province", project.state_code.as_deref(), limits::PROVINCE);
        new.country = fit.fit_opt("country", project.country_code.as_deref(), limits::COUNTRY);
        new.postal_code = fit.fit_opt("postal code", project.zip.as_deref(), limits::POSTAL_CODE);
        new.phone = fit.fit_opt("phone", project.phone.as_deref(), limits::PHONE);
        new.start_date = date(project.start_date.as_deref());
        new.closing_date = date(project.completion_date.as_deref());
        match maestro.create_project(&new).await {
            Ok(_) => Ok(synced("created_in_maestro", fit)),
            // Created a moment ago (a crash before the link was stored): link it.
            Err(e) if e.is_rejected_with(&RejectCode::DuplicateCode) => {
                Ok(synced("linked_by_code", fit))
            }
            Err(e) => Err(fail::maestro(&format!("creating {description}"), e)),
        }
    }
}

impl Handler for ProjectToMaestro {
    fn route(&self) -> Route {
        Route {
            kind: EntityKind::Project,
            direction: Direction::ToMaestro,
        }
    }

    fn handle<'a>(&'a self, ctx: &'a Context, event: &'a ChangeEvent) -> BoxFuture<'a, Outcome> {
        Box::pin(async move { fail::settle(self.run(ctx, event).await) })
    }
}
