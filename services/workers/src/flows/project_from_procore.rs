//! Projects, Procore → maestro* (creation only): an active Procore project becomes a maestro*
//! project numbered by its Job Number, or is linked to the maestro* project of that number.
//! maestro* creates it inactive with its sync box ticked; the user then adds its activities
//! (docs/rules.md).

use crate::engine::{Context, Handler};
use crate::flows::clients::Clients;
use crate::flows::create_once::{Once, ProjectOf};
use crate::flows::fail::{self, Step};
use crate::outcome::{Outcome, warnings};
use bridge_domain::text::{Fitter, limits as seed};
use bridge_domain::{ChangeEvent, Direction, EntityKind, Route};
use bridge_maestro::{NewProject, ProjectCode, limits};
use bridge_procore::models::Project as ProcoreProject;
use chrono::NaiveDate;
use futures::future::BoxFuture;
use std::sync::Arc;

/// A Procore date (`2026-04-01` or a timestamp) as a day.
pub(crate) fn date(value: Option<&str>) -> Option<NaiveDate> {
    value.and_then(|v| NaiveDate::parse_from_str(v.get(..10).unwrap_or(v), "%Y-%m-%d").ok())
}

/// The maestro* project a Procore project becomes; every cut warned (docs/rules.md: name 100,
/// address 40, city 60).
fn new_project(project: &ProcoreProject, code: ProjectCode, fit: &mut Fitter) -> NewProject {
    let name = project.name.as_deref().unwrap_or_default();
    let mut new = NewProject::new(code, fit.fit("name", name, seed::PROJECT_NAME));
    new.detailed_description = fit.fit_opt(
        "description",
        project.description.as_deref(),
        limits::DETAILED_DESCRIPTION,
    );
    new.address = fit.fit_opt(
        "address",
        project.address.as_deref(),
        seed::PROJECT_ADDRESS_MAESTRO,
    );
    new.city = fit.fit_opt("city", project.city.as_deref(), seed::PROJECT_CITY);
    new.province = fit.fit_opt("province", project.state_code.as_deref(), seed::PROVINCE);
    new.country = fit.fit_opt("country", project.country_code.as_deref(), limits::COUNTRY);
    new.postal_code = fit.fit_opt("postal code", project.zip.as_deref(), limits::POSTAL_CODE);
    new.phone = fit.fit_opt("phone", project.phone.as_deref(), limits::PHONE);
    new.start_date = date(project.start_date.as_deref());
    new.closing_date = date(project.completion_date.as_deref());
    new
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
        let what = format!("reading Procore project {id}");
        let Some(project) = procore
            .project(id)
            .await
            .map_err(|e| fail::procore(&what, e))?
        else {
            return Ok(Outcome::Skipped {
                reason: format!("Procore project {id} no longer exists; nothing to send"),
                description: None,
            });
        };
        let name = project.name.clone().unwrap_or_default();
        let number = project.project_number.as_deref().map(str::trim);
        let number = number.unwrap_or_default().to_owned();
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
        let once = Once::new(ctx, event, EntityKind::Project, description.clone())
            .in_project(ProjectOf::Itself);
        once.unless_linked_in_procore(id).await?;
        // The Job Number is the maestro* project number: the user fixes it in Procore.
        let code = ProjectCode::new(number.clone()).map_err(|e| {
            Outcome::Fail(format!(
                "{description}: the Job Number cannot be a maestro* project number ({e}); correct it in Procore (Project > Admin > General)"
            ))
        })?;
        let maestro = self
            .clients
            .maestro(connection)
            .await
            .map_err(fail::setup)?;
        once.into_maestro(
            id,
            Some(code.as_str()),
            async || {
                let found = maestro.project(&code).await;
                let found = found.map_err(|e| fail::maestro(&format!("reading project {code}"), e))?;
                Ok(found.is_some())
            },
            // A maestro* project carries no external number; its number finds a crashed attempt.
            || async { Ok(None) },
            async || {
                let mut fit = Fitter::new(description.clone());
                let new = new_project(&project, code.clone(), &mut fit);
                let created = maestro.create_project(&new).await;
                Ok(created.map(|_| (code.to_string(), warnings(fit.into_warnings()))))
            },
            |key, other| {
                format!(
                    "maestro* project {key} is already linked to another Procore project (id {other}); two Procore projects share this Job Number"
                )
            },
        )
        .await
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_procore_project_maps_to_maestro_with_seed_cuts_and_dates() {
        let project: ProcoreProject = serde_json::from_value(json!({
            "id": 3, "name": "Garage", "project_number": "P-100",
            "address": "1200, boulevard du Souvenir, bureau 300, Laval", "city": "c".repeat(61),
            "start_date": "2026-04-01", "completion_date": "2026-11-30T00:00:00Z",
        }))
        .unwrap();
        let mut fit = Fitter::new("project P-100 (Garage)");
        let got = new_project(&project, ProjectCode::new("P-100").unwrap(), &mut fit);
        assert_eq!(
            got.address.as_deref(),
            Some("1200, boulevard du Souvenir, bureau 300,")
        );
        assert_eq!(got.closing_date, NaiveDate::from_ymd_opt(2026, 11, 30));
        let texts: Vec<String> = fit.into_warnings().into_iter().map(|w| w.0).collect();
        assert_eq!(
            texts,
            [
                "project P-100 (Garage): address cut to 40 characters (it had 46)",
                "project P-100 (Garage): city cut to 60 characters (it had 61)",
            ]
        );
    }
}
