//! Listing what changed in a time window: the records of a resource whose `updated_at` falls
//! inside it (`filters[updated_at]=<from>...<to>`, paged), for the reconciler
//! (docs/architecture.md, "Procore reconciler"). Only the id and the times are read.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Deserialize;

use crate::client::{Client, query};
use crate::error::Result;

/// One record as a list shows it: enough to know it changed, and whether it is new.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Changed {
    pub id: i64,
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// The times a listing covers, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl Window {
    /// The value of `filters[updated_at]`: both ends to the millisecond, as Procore shows.
    pub fn filter(&self) -> String {
        let at = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Millis, true);
        format!("{}...{}", at(self.from), at(self.to))
    }
}

/// Company-wide lists that can be swept for changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompanyList {
    /// Every project, active or not (a deactivation is a change too).
    Projects,
    /// The directory's active companies.
    Vendors,
    /// The directory's inactive companies (the plain list hides them).
    InactiveVendors,
}

/// Per-project lists that can be swept for changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProjectList {
    PurchaseOrderContracts,
    WorkOrderContracts,
    PrimeContracts,
    ChangeOrderPackages,
}

impl ProjectList {
    fn path(self) -> &'static str {
        match self {
            ProjectList::PurchaseOrderContracts => "rest/v1.0/purchase_order_contracts",
            ProjectList::WorkOrderContracts => "rest/v1.0/work_order_contracts",
            ProjectList::PrimeContracts => "rest/v1.0/prime_contracts",
            ProjectList::ChangeOrderPackages => "rest/v1.0/change_order_packages",
        }
    }
}

#[derive(Deserialize)]
struct Id {
    id: i64,
}

impl Client {
    /// Records of a company-wide list updated inside `window`.
    pub async fn company_changes(
        &self,
        list: CompanyList,
        window: &Window,
        per_page: usize,
    ) -> Result<Vec<Changed>> {
        let mut q = query([("company_id", self.company_id())]);
        let path = match list {
            CompanyList::Projects => {
                q.push(("filters[by_status]".into(), "All".into()));
                "rest/v1.0/projects".to_owned()
            }
            CompanyList::Vendors => "rest/v1.0/vendors".to_owned(),
            CompanyList::InactiveVendors => {
                format!("rest/v1.0/companies/{}/vendors/inactive", self.company_id())
            }
        };
        q.push(("filters[updated_at]".into(), window.filter()));
        self.list_all(&path, q, per_page).await
    }

    /// Records of one project's list updated inside `window`.
    pub async fn project_changes(
        &self,
        list: ProjectList,
        project_id: i64,
        window: &Window,
        per_page: usize,
    ) -> Result<Vec<Changed>> {
        let q = query([
            ("project_id", project_id.to_string()),
            ("filters[updated_at]", window.filter()),
        ]);
        self.list_all(list.path(), q, per_page).await
    }

    /// The ids of every project of the company, active or not.
    pub async fn all_project_ids(&self, per_page: usize) -> Result<Vec<i64>> {
        let q = query([
            ("company_id", self.company_id().to_string()),
            ("filters[by_status]", "All".to_owned()),
        ]);
        let ids: Vec<Id> = self.list_all("rest/v1.0/projects", q, per_page).await?;
        Ok(ids.into_iter().map(|p| p.id).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn the_window_filter_has_both_ends_to_the_millisecond() {
        let cases = [
            (
                "2026-11-20T10:11:12.123456Z",
                "2026-11-20T11:00:00Z",
                "2026-11-20T10:11:12.123Z...2026-11-20T11:00:00.000Z",
            ),
            (
                "2026-11-20T10:11:12+02:00",
                "2026-11-20T10:11:12.5Z",
                "2026-11-20T08:11:12.000Z...2026-11-20T10:11:12.500Z",
            ),
        ];
        for (from, to, want) in cases {
            let w = Window {
                from: at(from),
                to: at(to),
            };
            assert_eq!(w.filter(), want);
        }
    }
}
