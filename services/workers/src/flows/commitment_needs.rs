//! What a Procore commitment needs linked before it reaches maestro* (rules §2: its project
//! and its vendor), shared by the purchase-order and subcontract flows: the maestro* key when
//! the link exists, else what to wait for — or why waiting would be in vain.

use crate::engine::Context;
use crate::flows::fail::{self, Step};
use crate::flows::links;
use crate::outcome::{Dependency, Outcome};
use bridge_domain::EntityKind;
use bridge_domain::dependencies::prerequisites;
use bridge_domain::party::PartyKind;
use bridge_domain::text::party_code;
use bridge_maestro::ProjectCode;
use bridge_procore::Client;

/// The commitment in the user's words, for the messages: `records` ("purchase orders") and
/// `record` ("order").
#[derive(Debug, Clone, Copy)]
pub(crate) struct Words {
    pub records: &'static str,
    pub record: &'static str,
}

/// The maestro* number of the commitment's project, or what to wait for.
pub(crate) async fn project_code(
    ctx: &Context,
    procore: &Client,
    connection: i64,
    project_id: i64,
    words: Words,
) -> Step<ProjectCode> {
    if let Some(link) =
        links::by_procore_id(&ctx.pool, connection, EntityKind::Project, project_id).await?
    {
        return ProjectCode::new(link.maestro_key)
            .map_err(|e| Outcome::Dead(format!("the linked project number is not valid: {e}")));
    }
    let what = format!("reading Procore project {project_id}");
    let project = procore
        .project(project_id)
        .await
        .map_err(|e| fail::procore(&what, e))?
        .ok_or_else(|| {
            Outcome::Dead(format!("its Procore project {project_id} no longer exists"))
        })?;
    let name = project.name.clone().unwrap_or_default();
    let Some(number) = project
        .project_number
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    else {
        return Err(Outcome::Fail(format!(
            "Procore project {name} has no Job Number; enter the maestro* project number in it so its {} can be sent",
            words.records
        )));
    };
    Err(Outcome::Wait(Dependency {
        kind: EntityKind::Project,
        maestro_key: number.to_owned(),
        description: format!("project {number} ({name}) is not linked to maestro* yet"),
    }))
}

/// The maestro* supplier code of the commitment's vendor, or what to wait for.
pub(crate) async fn supplier_code(
    ctx: &Context,
    procore: &Client,
    connection: i64,
    vendor_id: i64,
    words: Words,
) -> Step<String> {
    if let Some(link) =
        links::by_procore_id(&ctx.pool, connection, EntityKind::Supplier, vendor_id).await?
    {
        return Ok(link.maestro_key);
    }
    let company = procore
        .vendor(vendor_id)
        .await
        .map_err(|e| fail::procore(&format!("reading Procore company {vendor_id}"), e))?
        .ok_or_else(|| {
            Outcome::Dead(format!(
                "its vendor (Procore company {vendor_id}) no longer exists in Procore"
            ))
        })?;
    let name = company.name.clone().unwrap_or_default();
    // A vendor kept out of maestro* would be waited for in vain.
    if let Some(tag) = PartyKind::Supplier.excluded_by(company.notes.as_deref()) {
        let record = words.record;
        return Err(Outcome::Dead(format!(
            "its vendor {name} carries the keyword {tag} in Procore, so it is never created as a maestro* supplier; {record} from a synchronized supplier or remove the keyword and send the {record} again"
        )));
    }
    let Some(code) = company
        .abbreviated_name
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
    else {
        return Err(Outcome::Fail(format!(
            "its vendor {name} has no abbreviated name in Procore, so it cannot become a maestro* supplier; enter one"
        )));
    };
    let code = party_code(code);
    Err(Outcome::Wait(Dependency {
        kind: EntityKind::Supplier,
        maestro_key: code.clone(),
        description: format!("supplier {code} ({name}) is not linked to a maestro* supplier yet"),
    }))
}

/// The maestro* project and supplier of commitment `kind` (`description` in the user's words),
/// checked in the order of the dependency table; a wait or refusal names the commitment.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn project_and_supplier(
    ctx: &Context,
    procore: &Client,
    connection: i64,
    kind: EntityKind,
    project_id: i64,
    vendor_id: Option<i64>,
    description: &str,
    words: Words,
) -> Step<(ProjectCode, String)> {
    let with_context = |outcome: Outcome| match outcome {
        Outcome::Fail(why) => Outcome::Fail(format!("{description}: {why}")),
        Outcome::Dead(why) => Outcome::Dead(format!("{description}: {why}")),
        other => other,
    };
    let (mut project, mut supplier) = (None, None);
    for need in prerequisites(kind) {
        match need.kind {
            EntityKind::Project => {
                let code = project_code(ctx, procore, connection, project_id, words);
                project = Some(code.await.map_err(with_context)?);
            }
            EntityKind::Supplier => {
                let Some(vendor_id) = vendor_id else {
                    return Err(Outcome::Fail(format!(
                        "{description} has no contract company in Procore; choose the supplier it is ordered from"
                    )));
                };
                let code = supplier_code(ctx, procore, connection, vendor_id, words);
                supplier = Some(code.await.map_err(with_context)?);
            }
            other => {
                return Err(Outcome::Dead(format!(
                    "{description}: the bridge does not know how to check {} ({other})",
                    need.role
                )));
            }
        }
    }
    match (project, supplier) {
        (Some(project), Some(supplier)) => Ok((project, supplier)),
        _ => Err(Outcome::Dead(format!(
            "{description}: its project or vendor is missing from the dependency table"
        ))),
    }
}
