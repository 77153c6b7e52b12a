//! Projects, maestro* → Procore (creation only): an eligible maestro* project becomes a Procore
//! project whose Job Number (`project_number`) is the maestro* number, or is linked to the
//! Procore project that already carries that number.

use crate::engine::{Context, Handler};
use crate::flows::clients::Clients;
use crate::flows::create_once::{Once, ProjectOf};
use crate::flows::fail::{self, Step};
use crate::flows::settings::FlowSettings;
use crate::outcome::{Outcome, warnings};
use bridge_domain::text::{Fitter, country_code, limits};
use bridge_domain::{ChangeEvent, Direction, EntityKind, Route};
use bridge_maestro::{Project, ProjectCode};
use bridge_procore::writes::NewProject;
use futures::future::BoxFuture;
use std::sync::Arc;

/// Why a project cannot be sent yet: Procore requires both dates (rules §3, "Mandatory in
/// Procore").
pub(crate) fn missing_dates(project: &Project) -> Option<String> {
    let missing: Vec<&str> = [
        (project.start_date.is_none(), "start date"),
        (project.closing_date.is_none(), "closing date"),
    ]
    .into_iter()
    .filter_map(|(missing, what)| missing.then_some(what))
    .collect();
    (!missing.is_empty()).then(|| {
        format!(
            "has no {}; Procore requires the start and completion dates of a project: enter them in maestro* (Project Management > Project Desc.)",
            missing.join(" and no ")
        )
    })
}

/// Why a maestro* project is not sent at all (rules §3 eligibility), in words that follow
/// its description; shared by the flow and the preview.
pub(crate) fn not_sent(project: &Project, settings: &FlowSettings) -> Option<String> {
    if !project.active {
        return Some("is inactive in maestro*; only active projects are sent to Procore".into());
    }
    if !project.procore.sync {
        return Some("does not have \"Synchronize this Project with Procore\" checked (Project Desc. > Procore sub-tab)".into());
    }
    if let Some(prefix) = &settings.maestro_prefix
        && project.prefix.as_deref() != Some(prefix.as_str())
    {
        return Some(format!(
            "does not belong to the connection's prefix {prefix}"
        ));
    }
    None
}

/// The Procore project a maestro* project becomes (docs/rules.md: name 100, address 100, city 60).
pub(crate) fn new_project(project: &Project, fit: &mut Fitter) -> NewProject {
    let text = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    NewProject {
        name: Some(fit.fit("name", &project.description, limits::PROJECT_NAME)),
        project_number: Some(project.code.to_string()),
        description: text(&project.detailed_description),
        address: fit.fit_opt(
            "address",
            project.address.as_deref(),
            limits::PROJECT_ADDRESS_PROCORE,
        ),
        city: fit.fit_opt("city", project.city.as_deref(), limits::PROJECT_CITY),
        state_code: text(&project.province),
        country_code: country_code(fit, project.country.as_deref()),
        zip: text(&project.postal_code),
        phone: text(&project.phone),
        start_date: project.start_date.map(|d| d.to_string()),
        completion_date: project.closing_date.map(|d| d.to_string()),
        active: Some(true),
        origin_id: Some(format!("project:{}", project.code)),
    }
}

/// maestro* project → Procore project.
pub struct ProjectToProcore {
    clients: Arc<dyn Clients>,
}

impl ProjectToProcore {
    pub fn new(clients: Arc<dyn Clients>) -> Self {
        ProjectToProcore { clients }
    }

    async fn run(&self, ctx: &Context, event: &ChangeEvent) -> Step<Outcome> {
        let connection = event.connection_id;
        let code = ProjectCode::new(event.record.trim())
            .map_err(|e| Outcome::Dead(format!("not a maestro* project number: {e}")))?;
        let settings = FlowSettings::load(&ctx.pool, connection)
            .await
            .map_err(|e| fail::setup(e.into()))?;
        let maestro = self
            .clients
            .maestro(connection)
            .await
            .map_err(fail::setup)?;
        let Some(project) = maestro
            .project(&code)
            .await
            .map_err(|e| fail::maestro(&format!("reading project {code}"), e))?
        else {
            return Ok(Outcome::Skipped {
                reason: format!("project {code} no longer exists in maestro*; nothing to send"),
                description: None,
            });
        };
        let description = format!("project {} ({})", project.code, project.description);
        let skip = |why: String| Outcome::Skipped {
            reason: format!("{description} {why}"),
            description: Some(description.clone()),
        };
        if let Some(why) = not_sent(&project, &settings) {
            return Ok(skip(why));
        }
        let once = Once::new(ctx, event, EntityKind::Project, description.clone())
            .in_project(ProjectOf::Itself);
        once.unless_linked_in_maestro(code.as_str()).await?;
        let procore = self
            .clients
            .procore(connection)
            .await
            .map_err(fail::setup)?;
        let origin = format!("project:{code}");
        once.into_procore(
            code.as_str(),
            async || {
                let found = procore
                    .project_by_number(code.as_str())
                    .await
                    .map_err(|e| {
                        let what =
                            format!("looking for the Procore project with Job Number {code}");
                        fail::procore(&what, e)
                    })?;
                Ok(found.map(|p| (p.id.0, Vec::new())))
            },
            async || {
                let found = procore.project_by_origin(&origin).await.map_err(|e| {
                    fail::procore(&format!("looking for {description} in Procore"), e)
                })?;
                Ok(found.map(|p| p.id.0))
            },
            async || {
                if let Some(why) = missing_dates(&project) {
                    return Err(Outcome::Fail(format!("{description} {why}")));
                }
                let mut fit = Fitter::new(description.clone());
                let new = new_project(&project, &mut fit);
                let created = procore.create_project(&new).await;
                Ok(created.map(|p| (p.id.0, warnings(fit.into_warnings()))))
            },
        )
        .await
    }
}

impl Handler for ProjectToProcore {
    fn route(&self) -> Route {
        Route {
            kind: EntityKind::Project,
            direction: Direction::ToProcore,
        }
    }

    fn handle<'a>(&'a self, ctx: &'a Context, event: &'a ChangeEvent) -> BoxFuture<'a, Outcome> {
        Box::pin(async move { fail::settle(self.run(ctx, event).await) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn project() -> Project {
        Project {
            code: ProjectCode::new("P-100").unwrap(),
            description: "n".repeat(105),
            detailed_description: Some("Agrandissement".into()),
            address: Some("a".repeat(120)),
            city: Some("Laval".into()),
            province: Some("QC".into()),
            country: Some("CA".into()),
            postal_code: None,
            phone: None,
            start_date: NaiveDate::from_ymd_opt(2026, 4, 1),
            closing_date: None,
            active: true,
            prefix: None,
            master_project: None,
            customer_code: None,
            procore: Default::default(),
        }
    }

    #[test]
    fn a_maestro_project_maps_to_procore_with_its_cuts_and_origin() {
        let mut fit = Fitter::new("project P-100");
        let got = new_project(&project(), &mut fit);
        assert_eq!(got.project_number.as_deref(), Some("P-100"));
        assert_eq!(got.origin_id.as_deref(), Some("project:P-100"));
        assert_eq!(got.start_date.as_deref(), Some("2026-04-01"));
        let texts: Vec<String> = fit.into_warnings().into_iter().map(|w| w.0).collect();
        assert_eq!(
            texts,
            [
                "project P-100: name cut to 100 characters (it had 105)",
                "project P-100: address cut to 100 characters (it had 120)",
            ]
        );
    }

    #[test]
    fn a_project_without_both_dates_is_named_with_what_is_missing() {
        let cases = [
            (Some((2026, 4, 1)), Some((2026, 11, 30)), None),
            (Some((2026, 4, 1)), None, Some("has no closing date;")),
            (None, None, Some("has no start date and no closing date;")),
        ];
        for (start, closing, expected) in cases {
            let day = |d: Option<(i32, u32, u32)>| {
                d.and_then(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d))
            };
            let p = Project {
                start_date: day(start),
                closing_date: day(closing),
                ..project()
            };
            let got = missing_dates(&p);
            assert_eq!(got.is_some(), expected.is_some(), "{got:?}");
            if let (Some(got), Some(expected)) = (got, expected) {
                assert!(got.starts_with(expected), "{got}");
            }
        }
    }
}
