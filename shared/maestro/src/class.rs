//! The class of the connection's company as the pairing guard reads it (docs/maestro-xml.md,
//! companies: `Class` is `production` or `test`; rules §6 pairs a test company only with a
//! Procore sandbox).

use crate::api::{ApiResult, MaestroApi};
use crate::records::CompanyClass;
use bridge_domain::pairing::MaestroClass;

impl From<CompanyClass> for MaestroClass {
    fn from(class: CompanyClass) -> Self {
        match class {
            CompanyClass::Production => MaestroClass::Production,
            CompanyClass::Test => MaestroClass::Test,
        }
    }
}

/// Every company maestro* lists, by code, with its class.
pub async fn company_classes(api: &dyn MaestroApi) -> ApiResult<Vec<(String, MaestroClass)>> {
    Ok(api
        .companies()
        .await?
        .into_iter()
        .map(|c| (c.code, c.class.into()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_classes_map_to_the_guards() {
        assert_eq!(
            MaestroClass::from(CompanyClass::Production),
            MaestroClass::Production
        );
        assert_eq!(MaestroClass::from(CompanyClass::Test), MaestroClass::Test);
    }
}
