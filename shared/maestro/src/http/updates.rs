//! The two updates of existing maestro* records: a project budget's Modification column and
//! the project's last successful transaction date (its Procore sub-tab).

use super::HttpMaestro;
use super::query::projects;
use crate::api::ApiResult;
use crate::codes::ProjectCode;
use crate::costs::{BudgetModification, BudgetModifications, ProcoreTabUpdate};
use crate::error::MaestroError;
use crate::records::{BudgetLine, Project};
use crate::wire::ParseError;
use chrono::NaiveDate;
use reqwest::Method;

impl HttpMaestro {
    /// Sets the Modification column of the given activity + group lines of `project`.
    pub(super) async fn put_budget_modifications(
        &self,
        project: &ProjectCode,
        lines: &[BudgetModification],
    ) -> ApiResult<Vec<BudgetLine>> {
        let operation = "update budget modifications";
        let url = self.company_url(&[
            "projects",
            project.as_str(),
            "budget-lines",
            "modifications",
        ]);
        let body = BudgetModifications {
            lines: lines.to_vec(),
        };
        let builder = self.with_body(
            self.request(Method::PUT, url),
            operation,
            &body,
            "BudgetModifications",
        )?;
        let envelope = self.send(operation, builder).await?;
        envelope
            .budget_lines
            .map(|l| l.items)
            .ok_or_else(|| MaestroError::Malformed {
                operation: operation.to_owned(),
                source: ParseError::Missing("BudgetLines"),
            })
    }

    /// Records `date` as `project`'s last successful transaction date.
    pub(super) async fn put_last_transaction_date(
        &self,
        project: &ProjectCode,
        date: NaiveDate,
    ) -> ApiResult<Project> {
        let body = ProcoreTabUpdate {
            last_transaction_date: date,
        };
        let url = self.company_url(&["projects", project.as_str(), "procore"]);
        self.write(
            Method::PUT,
            "record last transaction date",
            url,
            &body,
            "ProcoreTab",
            projects,
            "Projects",
        )
        .await
    }
}
