//! The pairing guard (ARCHITECTURE §5): "In no case whatsoever should a production
//! environment be paired with a test environment" (seed 000). A connection whose two sides
//! are of different classes, or whose Procore company or environment changed after records
//! were linked, is refused; its messages fail and wait for an administrator to fix it.

/// What the guard looks at in a connection row.
#[derive(Debug, Clone)]
pub struct Pairing<'a> {
    pub name: &'a str,
    /// `production` or `test`.
    pub maestro_environment: &'a str,
    /// `production`, `developer_sandbox` or `monthly_sandbox`.
    pub procore_environment: &'a str,
    pub procore_company_id: i64,
    pub procore_api_base: &'a str,
    /// What the connection was first synced with.
    pub first_procore_company_id: Option<i64>,
    pub first_procore_api_base: Option<&'a str>,
    pub has_links: bool,
}

/// Whether the Procore environment holds real data.
fn procore_is_production(environment: &str) -> bool {
    environment == "production"
}

/// Refuses a pairing of a production side with a test side, and a change of Procore company
/// or environment once records are linked.
pub fn check(p: &Pairing<'_>) -> Result<(), String> {
    let maestro_production = p.maestro_environment == "production";
    if maestro_production != procore_is_production(p.procore_environment) {
        return Err(format!(
            "connection {} pairs a maestro* {} company with a Procore {} environment; a production environment is never paired with a test one: correct the connection's settings",
            p.name,
            p.maestro_environment,
            p.procore_environment.replace('_', " ")
        ));
    }
    if !p.has_links {
        return Ok(());
    }
    if let Some(first) = p.first_procore_company_id
        && first != p.procore_company_id
    {
        return Err(format!(
            "connection {} was synchronized with Procore company {first} and now names company {}; its links would point at the wrong records: restore the company or start a new connection",
            p.name, p.procore_company_id
        ));
    }
    if let Some(first) = p.first_procore_api_base
        && first.trim_end_matches('/') != p.procore_api_base.trim_end_matches('/')
    {
        return Err(format!(
            "connection {} was synchronized with Procore at {first} and now points at {}; its links would point at the wrong records: restore the address or start a new connection",
            p.name, p.procore_api_base
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairing() -> Pairing<'static> {
        Pairing {
            name: "acme",
            maestro_environment: "test",
            procore_environment: "developer_sandbox",
            procore_company_id: 8,
            procore_api_base: "https://sandbox.procore.com/",
            first_procore_company_id: Some(8),
            first_procore_api_base: Some("https://sandbox.procore.com"),
            has_links: true,
        }
    }

    #[test]
    fn test_with_sandbox_and_production_with_production_pass() {
        assert_eq!(check(&pairing()), Ok(()));
        let monthly = Pairing {
            procore_environment: "monthly_sandbox",
            ..pairing()
        };
        assert_eq!(check(&monthly), Ok(()));
        let production = Pairing {
            maestro_environment: "production",
            procore_environment: "production",
            ..pairing()
        };
        assert_eq!(check(&production), Ok(()));
    }

    #[test]
    fn production_with_test_is_refused_either_way() {
        let e = check(&Pairing {
            maestro_environment: "production",
            ..pairing()
        })
        .unwrap_err();
        assert!(
            e.contains("maestro* production company with a Procore developer sandbox"),
            "{e}"
        );
        assert!(
            check(&Pairing {
                procore_environment: "production",
                ..pairing()
            })
            .is_err()
        );
    }

    #[test]
    fn a_new_procore_company_is_refused_only_once_records_are_linked() {
        let moved = Pairing {
            procore_company_id: 9,
            ..pairing()
        };
        assert!(check(&moved).unwrap_err().contains("Procore company 8"));
        assert_eq!(
            check(&Pairing {
                has_links: false,
                ..moved
            }),
            Ok(())
        );
        let elsewhere = Pairing {
            procore_api_base: "https://api-monthly.procore.com/",
            ..pairing()
        };
        assert!(check(&elsewhere).is_err());
    }
}
