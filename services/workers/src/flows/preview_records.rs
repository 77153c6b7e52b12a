//! The master-data kinds of `bridge sync preview`: projects, suppliers, customers and
//! employees, each through its flow's eligibility (`not_sent`), its Procore look-ups by code
//! and by `origin_id`, and its pure mapping, stopping before the create.

use crate::flows::fail::{self, Step};
use crate::flows::preview::{Preview, Row, Source};
use crate::flows::{Party, PartyToProcore};
use crate::flows::{employee, party_to_procore, project};
use crate::outcome::Outcome;
use bridge_domain::EntityKind;
use bridge_domain::text::{Fitter, limits};
use bridge_maestro::{EmployeeFilter, PartyFilter, ProjectCode};
use bridge_procore::models::CompanyUser;
use serde::Serialize;

fn json(value: &impl Serialize) -> Option<serde_json::Value> {
    serde_json::to_value(value).ok()
}

fn link_row(code: &str, description: &str, sent: String, warnings: Vec<String>) -> Row {
    Row {
        code: code.to_owned(),
        description: description.to_owned(),
        sent,
        warnings,
        ..Row::default()
    }
}

pub(crate) async fn projects(
    on: &Source<'_>,
    only: Option<&ProjectCode>,
    out: &mut Preview,
) -> Step<()> {
    let procore = on.procore().await?;
    for p in on.projects(only).await? {
        let code = p.code.to_string();
        let description = format!("project {code} ({})", p.description);
        if let Some(why) = project::not_sent(&p, &on.settings) {
            out.ended(
                &code,
                &description,
                Outcome::Skipped {
                    reason: format!("{description} {why}"),
                    description: None,
                },
            );
            continue;
        }
        if let Some(link) = on.link(EntityKind::Project, &code).await? {
            out.linked(&code, &description, link.procore_id);
            continue;
        }
        let lookup = format!("looking for the Procore project with Job Number {code}");
        let same = procore.project_by_number(&code).await;
        let origin = format!("project:{code}");
        let earlier = match same.map_err(|e| fail::procore(&lookup, e))? {
            Some(found) => Some((
                found,
                "the existing Procore project with the same Job Number",
            )),
            None => {
                let found = procore.project_by_origin(&origin).await;
                let found = found.map_err(|e| fail::procore(&lookup, e))?;
                found.map(|f| (f, "the Procore project an earlier attempt created"))
            }
        };
        if let Some((found, what)) = earlier {
            let sent = format!("nothing; linked to {what} ({})", found.id.0);
            out.rows
                .push(link_row(&code, &description, sent, Vec::new()));
            continue;
        }
        if let Some(why) = project::missing_dates(&p) {
            out.ended(
                &code,
                &description,
                Outcome::Fail(format!("{description} {why}")),
            );
            continue;
        }
        let mut fit = Fitter::new(description.clone());
        let new = project::new_project(&p, &mut fit);
        let sent = format!(
            "new Procore project \"{}\", Job Number {code}, {} to {}",
            new.name.as_deref().unwrap_or_default(),
            new.start_date.as_deref().unwrap_or_default(),
            new.completion_date.as_deref().unwrap_or_default()
        );
        let warnings = fit.into_warnings().into_iter().map(|w| w.0).collect();
        let mut row = link_row(&code, &description, sent, warnings);
        row.payload = json(&new);
        out.rows.push(row);
    }
    Ok(())
}

pub(crate) async fn parties(on: &Source<'_>, party: Party, out: &mut Preview) -> Step<()> {
    let word = party.word();
    let reading = format!("listing the maestro* {word}s");
    let filter = PartyFilter::eligible();
    let codes: Vec<String> = match party {
        Party::Supplier => on
            .maestro
            .suppliers(&filter)
            .await
            .map(|all| all.into_iter().map(|s| s.code).collect()),
        Party::Customer => on
            .maestro
            .customers(&filter)
            .await
            .map(|all| all.into_iter().map(|c| c.code).collect()),
    }
    .map_err(|e| fail::maestro(&reading, e))?;
    let procore = on.procore().await?;
    let flow = PartyToProcore::new(party, on.clients.clone());
    for code in codes {
        let code = code.trim();
        if let Some(link) = on.link(party.kind(), code).await? {
            out.linked(code, &format!("{word} {code}"), link.procore_id);
            continue;
        }
        let Some(record) = party.find(on.maestro.as_ref(), code).await? else {
            continue;
        };
        let description = format!("{word} {code} ({})", record.name);
        if let Some(why) = party_to_procore::not_sent(party, &record) {
            let reason = format!("{description}{why}");
            out.ended(
                code,
                &description,
                Outcome::Skipped {
                    reason,
                    description: None,
                },
            );
            continue;
        }
        let mut fit = Fitter::new(description.clone());
        let abbreviated = fit.fit("abbreviated name", code, limits::ABBREVIATED_NAME);
        let mut warnings: Vec<String> = fit.into_warnings().into_iter().map(|w| w.0).collect();
        let lookup = format!("looking for the Procore company {abbreviated}");
        let same = procore.vendor_by_code(&abbreviated).await;
        if let Some(vendor) = same.map_err(|e| fail::procore(&lookup, e))? {
            let name = vendor.name.clone().unwrap_or_default();
            match flow.same_code(&description, vendor) {
                Ok((id, notes)) => {
                    warnings.extend(notes.into_iter().map(|n| n.text));
                    let sent = format!(
                        "nothing; linked to the Procore company {name} ({id}) with the same code"
                    );
                    out.rows.push(link_row(code, &description, sent, warnings));
                }
                Err(outcome) => out.ended(code, &description, outcome),
            }
            continue;
        }
        let origin = format!("{word}:{code}");
        let earlier = procore.vendor_by_origin(&origin).await;
        if let Some(v) = earlier.map_err(|e| fail::procore(&lookup, e))? {
            let sent = format!(
                "nothing; linked to the Procore company an earlier attempt created ({})",
                v.id.0
            );
            out.rows.push(link_row(code, &description, sent, warnings));
            continue;
        }
        let mut fit = Fitter::new(description.clone());
        let vendor = party.new_vendor(&record, &abbreviated, &mut fit);
        warnings.extend(fit.into_warnings().into_iter().map(|w| w.0));
        let sent = format!(
            "new Procore company \"{}\" ({abbreviated})",
            record.name.trim()
        );
        let mut row = link_row(code, &description, sent, warnings);
        row.payload = json(&vendor);
        out.rows.push(row);
    }
    Ok(())
}

pub(crate) async fn employees(on: &Source<'_>, out: &mut Preview) -> Step<()> {
    let all = on.maestro.employees(&EmployeeFilter::default()).await;
    let all = all.map_err(|e| fail::maestro("listing the maestro* employees", e))?;
    let procore = on.procore().await?;
    let users: Vec<CompanyUser> = procore
        .company_users()
        .await
        .map_err(|e| fail::procore("listing the Procore company users", e))?;
    for e in all {
        let number = e.number.trim();
        let description = employee::describe(&e);
        if let Some(why) = employee::not_sent(&e) {
            let reason = format!("{description}{why}");
            out.ended(
                number,
                &description,
                Outcome::Skipped {
                    reason,
                    description: None,
                },
            );
            continue;
        }
        if let Some(link) = on.link(EntityKind::Employee, number).await? {
            out.linked(number, &description, link.procore_id);
            continue;
        }
        let origin = format!("employee:{number}");
        let same = users
            .iter()
            .find(|u| u.employee_id.as_deref().map(str::trim) == Some(number));
        let earlier = users
            .iter()
            .find(|u| u.origin_id.as_deref() == Some(&origin));
        if let Some(user) = same.or(earlier) {
            let sent = format!("nothing; linked to the Procore user {}", user.id.0);
            out.rows
                .push(link_row(number, &description, sent, Vec::new()));
            continue;
        }
        match employee::new_user(&e, &description) {
            Ok(user) => {
                let sent = format!(
                    "new Procore user {}, employee id {number}",
                    user.email_address.as_deref().unwrap_or_default()
                );
                let mut row = link_row(number, &description, sent, Vec::new());
                row.payload = json(&user);
                out.rows.push(row);
            }
            Err(why) => out.ended(number, &description, Outcome::Fail(why)),
        }
    }
    Ok(())
}
