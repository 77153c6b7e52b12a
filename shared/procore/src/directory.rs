//! Typed calls on the company's directory and projects: companies (vendors) by id, code or
//! origin, company users and projects, and creating them. Only this crate knows their paths.

use serde::de::DeserializeOwned;
use serde_json::json;

use crate::client::{Client, query};
use crate::error::{Error, Result};
use crate::models::{CompanyUser, Project, Vendor};
use crate::writes::{NewCompanyUser, NewProject, NewVendor};

const PER_PAGE: usize = 300;

/// `Ok(None)` for a record Procore does not have (404); other errors as they are.
pub fn optional<T>(result: Result<T>) -> Result<Option<T>> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(Error::Api { status: 404, .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

fn trimmed(value: Option<&str>) -> Option<&str> {
    value.map(str::trim)
}

impl Client {
    fn in_company(&self) -> Vec<(String, String)> {
        query([("company_id", self.company_id())])
    }

    async fn show<T: DeserializeOwned>(&self, path: &str) -> Result<Option<T>> {
        optional(self.get(path, &self.in_company()).await)
    }

    /// One directory company by id; `None` when Procore no longer has it.
    pub async fn vendor(&self, id: i64) -> Result<Option<Vendor>> {
        self.show(&format!("rest/v1.0/vendors/{id}")).await
    }

    /// The directory company whose abbreviated name is exactly `code`, active or inactive
    /// (Procore lists inactive companies apart). An active one is preferred.
    pub async fn vendor_by_code(&self, code: &str) -> Result<Option<Vendor>> {
        let mut q = self.in_company();
        // The search narrows the list where Procore supports it; the match itself is exact.
        q.push(("filters[search]".into(), code.to_owned()));
        let exact = |v: &Vendor| trimmed(v.abbreviated_name.as_deref()) == Some(code.trim());
        let active: Vec<Vendor> = self
            .list_all("rest/v1.0/vendors", q.clone(), PER_PAGE)
            .await?;
        if let Some(v) = active.into_iter().find(exact) {
            return Ok(Some(v));
        }
        let path = format!("rest/v1.0/companies/{}/vendors/inactive", self.company_id());
        let inactive: Vec<Vendor> = self.list_all(&path, q, PER_PAGE).await?;
        Ok(inactive.into_iter().find(exact))
    }

    pub async fn create_vendor(&self, vendor: &NewVendor) -> Result<Vendor> {
        let company = self.company_id();
        self.post(
            "rest/v1.0/vendors",
            &self.in_company(),
            &json!({ "company_id": company, "vendor": vendor }),
        )
        .await
    }

    pub async fn update_vendor(&self, id: i64, vendor: &NewVendor) -> Result<Vendor> {
        let company = self.company_id();
        self.patch(
            &format!("rest/v1.0/vendors/{id}"),
            &self.in_company(),
            &json!({ "company_id": company, "vendor": vendor }),
        )
        .await
    }

    /// One project by id; `None` when Procore no longer has it.
    pub async fn project(&self, id: i64) -> Result<Option<Project>> {
        self.show(&format!("rest/v1.0/projects/{id}")).await
    }

    /// The project (active or not) whose Job Number is `number`.
    pub async fn project_by_number(&self, number: &str) -> Result<Option<Project>> {
        let mut q = self.in_company();
        q.push(("filters[by_status]".into(), "All".into()));
        let projects: Vec<Project> = self.list_all("rest/v1.0/projects", q, PER_PAGE).await?;
        Ok(projects
            .into_iter()
            .find(|p| trimmed(p.project_number.as_deref()) == Some(number.trim())))
    }

    pub async fn create_project(&self, project: &NewProject) -> Result<Project> {
        let company = self.company_id();
        self.post(
            "rest/v1.0/projects",
            &self.in_company(),
            &json!({ "company_id": company, "project": project }),
        )
        .await
    }

    fn users_path(&self) -> String {
        format!("rest/v1.0/companies/{}/users", self.company_id())
    }

    /// Every user of the company directory.
    pub async fn company_users(&self) -> Result<Vec<CompanyUser>> {
        self.list_all(&self.users_path(), Vec::new(), PER_PAGE)
            .await
    }

    pub async fn create_company_user(&self, user: &NewCompanyUser) -> Result<CompanyUser> {
        self.post(&self.users_path(), &[], &json!({ "user": user }))
            .await
    }
}
