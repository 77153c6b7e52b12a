//! Master data the bridge creates in maestro* from Procore: projects, suppliers, customers.
//! maestro* fills in the rest (a project from Procore is created inactive with its sync box
//! ticked; suppliers and customers are created active and ticked).

use crate::codes::ProjectCode;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "Project", rename_all = "PascalCase", deny_unknown_fields)]
pub struct NewProject {
    pub code: ProjectCode,
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detailed_description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub province: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closing_date: Option<NaiveDate>,
}

impl NewProject {
    /// A project with only its number and description.
    pub fn new(code: ProjectCode, description: impl Into<String>) -> Self {
        Self {
            code,
            description: description.into(),
            detailed_description: None,
            address: None,
            city: None,
            province: None,
            country: None,
            postal_code: None,
            phone: None,
            start_date: None,
            closing_date: None,
        }
    }
}

/// A supplier or customer to create (both are companies in the Procore directory).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct NewParty {
    /// Procore's abbreviated name: maestro*'s code (at most 10).
    pub code: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub province: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fax: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rbq_number: Option<String>,
}

impl NewParty {
    /// A party with only its code and name.
    pub fn new(code: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            name: name.into(),
            address: None,
            city: None,
            province: None,
            postal_code: None,
            country: None,
            phone: None,
            fax: None,
            email: None,
            rbq_number: None,
        }
    }
}
