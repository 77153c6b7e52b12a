//! Strict query-string reading: every parameter is parsed or refused by name, and parameters an
//! operation does not know are refused too, so a client typo never silently widens a filter.

use super::reject::Reject;
use super::xml::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use bridge_maestro::{ProjectCode, TransactionStatus, TypeCode};
use chrono::NaiveDate;
use std::collections::HashMap;

pub struct Params(HashMap<String, String>);

impl Params {
    pub fn new(raw: HashMap<String, String>) -> Self {
        Self(raw)
    }

    pub fn text(&mut self, name: &str) -> Option<String> {
        self.0.remove(name)
    }

    pub fn flag(&mut self, name: &str) -> Result<Option<bool>, Reject> {
        match self.0.remove(name).as_deref() {
            None => Ok(None),
            Some("true") => Ok(Some(true)),
            Some("false") => Ok(Some(false)),
            Some(other) => Err(Reject::bad_request(format!(
                "Parameter {name} must be true or false, not `{other}`."
            ))),
        }
    }

    pub fn date(&mut self, name: &str) -> Result<Option<NaiveDate>, Reject> {
        self.0
            .remove(name)
            .map(|v| {
                NaiveDate::parse_from_str(&v, "%Y-%m-%d").map_err(|_| {
                    Reject::bad_request(format!(
                        "Parameter {name} must be a date YYYY-MM-DD, not `{v}`."
                    ))
                })
            })
            .transpose()
    }

    pub fn project(&mut self, name: &str) -> Result<Option<ProjectCode>, Reject> {
        self.0
            .remove(name)
            .map(|v| {
                ProjectCode::new(v)
                    .map_err(|e| Reject::bad_request(format!("Parameter {name}: {e}.")))
            })
            .transpose()
    }

    pub fn status(&mut self) -> Result<Option<TransactionStatus>, Reject> {
        match self.0.remove("status").as_deref() {
            None | Some("all") => Ok(None),
            Some("transferred") => Ok(Some(TransactionStatus::Transferred)),
            Some("not_transferred") => Ok(Some(TransactionStatus::NotTransferred)),
            Some(other) => Err(Reject::bad_request(format!(
                "Parameter status must be transferred, not_transferred or all, not `{other}`."
            ))),
        }
    }

    pub fn types(&mut self) -> Result<Vec<TypeCode>, Reject> {
        let Some(list) = self.0.remove("types") else {
            return Ok(Vec::new());
        };
        list.split(',')
            .map(|t| {
                TypeCode::try_from(t.to_owned())
                    .map_err(|e| Reject::bad_request(format!("Parameter types: {e}.")))
            })
            .collect()
    }

    /// `(page, page_size)`, defaulted and range-checked.
    pub fn paging(&mut self) -> Result<(u32, u32), Reject> {
        let number = |name: &str, value: Option<String>, default: u32, max: u32| match value {
            None => Ok(default),
            Some(v) => v
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=max).contains(n))
                .ok_or_else(|| {
                    Reject::bad_request(format!(
                        "Parameter {name} must be a number from 1 to {max}, not `{v}`."
                    ))
                }),
        };
        let page = number("page", self.0.remove("page"), 1, u32::MAX)?;
        let size = number(
            "page_size",
            self.0.remove("page_size"),
            DEFAULT_PAGE_SIZE,
            MAX_PAGE_SIZE,
        )?;
        Ok((page, size))
    }

    /// Refuses whatever parameter was not read.
    pub fn finish(self) -> Result<(), Reject> {
        let mut left: Vec<&String> = self.0.keys().collect();
        if left.is_empty() {
            return Ok(());
        }
        left.sort();
        let names: Vec<&str> = left.iter().map(|s| s.as_str()).collect();
        Err(Reject::bad_request(format!(
            "Unknown parameter(s) for this operation: {}.",
            names.join(", ")
        )))
    }
}

/// Text parameters that, when given, must equal a record's field (project, code, external
/// number), read together with the paging so a list handler states only which fields they test.
pub struct Keys {
    wanted: Vec<Option<String>>,
    pub paging: (u32, u32),
}

impl Keys {
    /// Reads `names` and the paging, refusing any other parameter.
    pub fn read(mut params: Params, names: &[&str]) -> Result<Self, Reject> {
        let wanted = names.iter().map(|n| params.text(n)).collect();
        let paging = params.paging()?;
        params.finish()?;
        Ok(Self { wanted, paging })
    }

    /// Whether `values` (in the order of the names read) match every parameter given.
    pub fn keeps(&self, values: &[&str]) -> bool {
        self.wanted
            .iter()
            .zip(values)
            .all(|(want, value)| want.as_deref().is_none_or(|w| w == *value))
    }
}
