//! The pairing guard's verdicts (rules §6 "Connection settings"; rules §6: "in no case
//! whatsoever" may a production environment be paired with a test one).
//!
//! The guard trusts no label: the maestro* side is the class maestro* lists for the company,
//! the Procore side is read from the API host. Only a custom URL (an on-premises proxy, the
//! sandbox) keeps the environment declared on the connection. A label that disagrees with what
//! was verified is refused as well: the connection's settings are wrong and must be corrected.

use std::fmt;

/// The class of a maestro* company, as maestro* lists it (or as a connection declares it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaestroClass {
    Production,
    Test,
}

impl MaestroClass {
    /// `production` or `test`, the values a connection stores.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "production" => Some(MaestroClass::Production),
            "test" => Some(MaestroClass::Test),
            _ => None,
        }
    }

    pub fn is_production(self) -> bool {
        self == MaestroClass::Production
    }
}

impl fmt::Display for MaestroClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MaestroClass::Production => "production",
            MaestroClass::Test => "test",
        })
    }
}

/// A Procore environment (rules §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProcoreEnvironment {
    Production,
    DeveloperSandbox,
    MonthlySandbox,
}

impl ProcoreEnvironment {
    /// `production`, `developer_sandbox` or `monthly_sandbox`, the values a connection stores.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "production" => Some(ProcoreEnvironment::Production),
            "developer_sandbox" => Some(ProcoreEnvironment::DeveloperSandbox),
            "monthly_sandbox" => Some(ProcoreEnvironment::MonthlySandbox),
            _ => None,
        }
    }

    pub fn is_production(self) -> bool {
        self == ProcoreEnvironment::Production
    }

    /// The environment Procore's own host names, or `None` for a custom URL.
    pub fn of_host(api_base: &str) -> Option<Self> {
        match host(api_base).as_str() {
            "api.procore.com" | "app.procore.com" => Some(ProcoreEnvironment::Production),
            "sandbox.procore.com" => Some(ProcoreEnvironment::DeveloperSandbox),
            "api-monthly.procore.com" => Some(ProcoreEnvironment::MonthlySandbox),
            _ => None,
        }
    }

    /// The environment of a connection: its host's, or the declared one for a custom URL.
    pub fn verified(api_base: &str, declared: Self) -> Self {
        Self::of_host(api_base).unwrap_or(declared)
    }
}

impl fmt::Display for ProcoreEnvironment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ProcoreEnvironment::Production => "production",
            ProcoreEnvironment::DeveloperSandbox => "developer sandbox",
            ProcoreEnvironment::MonthlySandbox => "monthly sandbox",
        })
    }
}

/// The lowercase host of a URL, without scheme, user, port or path.
fn host(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = host.split(':').next().unwrap_or_default();
    host.trim_end_matches('.').to_ascii_lowercase()
}

/// What the guard knows of one connection.
#[derive(Debug, Clone)]
pub struct Pairing<'a> {
    pub name: &'a str,
    /// What the connection declares.
    pub declared_maestro: MaestroClass,
    pub declared_procore: ProcoreEnvironment,
    /// The class maestro* lists for the company; `None` when it lists no such company.
    pub maestro_class: Option<MaestroClass>,
    pub maestro_company: &'a str,
    pub procore_company_id: i64,
    pub procore_api_base: &'a str,
    /// What the connection was first synchronized with.
    pub first_procore_company_id: Option<i64>,
    pub first_procore_api_base: Option<&'a str>,
    pub has_links: bool,
}

/// Why a connection may not be used. Each message tells an administrator what to correct.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error(
        "connection {name} pairs a maestro* {maestro} company with a Procore {procore} environment; a production environment is never paired with a test one: correct the connection's settings"
    )]
    Mismatched {
        name: String,
        maestro: MaestroClass,
        procore: ProcoreEnvironment,
    },
    #[error(
        "connection {name}: maestro* lists no company {company}, so its class (production or test) cannot be verified"
    )]
    UnknownMaestroCompany { name: String, company: String },
    #[error(
        "connection {name} says its maestro* company {company} is a {declared} company, but maestro* lists it as {actual}: correct the connection's settings"
    )]
    MaestroClassMislabelled {
        name: String,
        company: String,
        declared: MaestroClass,
        actual: MaestroClass,
    },
    #[error(
        "connection {name} says its Procore environment is {declared}, but {api_base} is Procore's {actual}: correct the connection's settings"
    )]
    ProcoreEnvironmentMislabelled {
        name: String,
        api_base: String,
        declared: ProcoreEnvironment,
        actual: ProcoreEnvironment,
    },
    #[error(
        "connection {name} was synchronized with Procore company {first} and now names company {now}; its links would point at the wrong records: restore the company or start a new connection"
    )]
    CompanyChanged { name: String, first: i64, now: i64 },
    #[error(
        "connection {name} was synchronized with Procore at {first} and now points at {now}; its links would point at the wrong records: restore the address or start a new connection"
    )]
    AddressChanged {
        name: String,
        first: String,
        now: String,
    },
}

fn mismatched(name: &str, maestro: MaestroClass, procore: ProcoreEnvironment) -> Refusal {
    Refusal::Mismatched {
        name: name.to_owned(),
        maestro,
        procore,
    }
}

/// Everything known without asking maestro*: the labels pair a production side with a test
/// one, the Procore host belongs to another environment than declared, or the Procore company
/// or address changed once records are linked.
pub fn check_declared(p: &Pairing<'_>) -> Result<(), Refusal> {
    if p.declared_maestro.is_production() != p.declared_procore.is_production() {
        return Err(mismatched(p.name, p.declared_maestro, p.declared_procore));
    }
    let procore = ProcoreEnvironment::verified(p.procore_api_base, p.declared_procore);
    if procore != p.declared_procore {
        return Err(Refusal::ProcoreEnvironmentMislabelled {
            name: p.name.to_owned(),
            api_base: p.procore_api_base.to_owned(),
            declared: p.declared_procore,
            actual: procore,
        });
    }
    if !p.has_links {
        return Ok(());
    }
    if let Some(first) = p.first_procore_company_id
        && first != p.procore_company_id
    {
        return Err(Refusal::CompanyChanged {
            name: p.name.to_owned(),
            first,
            now: p.procore_company_id,
        });
    }
    if let Some(first) = p.first_procore_api_base
        && first.trim_end_matches('/') != p.procore_api_base.trim_end_matches('/')
    {
        return Err(Refusal::AddressChanged {
            name: p.name.to_owned(),
            first: first.to_owned(),
            now: p.procore_api_base.to_owned(),
        });
    }
    Ok(())
}

/// The full verdict: [`check_declared`], then the declared maestro* class against the class
/// maestro* lists for the company, then the verified sides together.
pub fn check(p: &Pairing<'_>) -> Result<(), Refusal> {
    check_declared(p)?;
    let actual = p
        .maestro_class
        .ok_or_else(|| Refusal::UnknownMaestroCompany {
            name: p.name.to_owned(),
            company: p.maestro_company.to_owned(),
        })?;
    if actual != p.declared_maestro {
        return Err(Refusal::MaestroClassMislabelled {
            name: p.name.to_owned(),
            company: p.maestro_company.to_owned(),
            declared: p.declared_maestro,
            actual,
        });
    }
    // Both sides are now verified and agree with their labels, which agree with each other;
    // checked once more so that the rule stands on its own.
    let procore = ProcoreEnvironment::verified(p.procore_api_base, p.declared_procore);
    if actual.is_production() != procore.is_production() {
        return Err(mismatched(p.name, actual, procore));
    }
    Ok(())
}

#[cfg(test)]
#[path = "pairing_tests.rs"]
mod tests;
