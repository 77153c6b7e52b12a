use super::*;
use MaestroClass::{Production as MProd, Test as MTest};
use ProcoreEnvironment::{
    DeveloperSandbox as Sandbox, MonthlySandbox as Monthly, Production as PProd,
};

const SANDBOX: &str = "https://sandbox.procore.com";
const MONTHLY: &str = "https://api-monthly.procore.com";
const PRODUCTION: &str = "https://api.procore.com";
const CUSTOM: &str = "http://127.0.0.1:4010/";

fn pairing() -> Pairing<'static> {
    Pairing {
        name: "acme",
        declared_maestro: MTest,
        declared_procore: Sandbox,
        maestro_class: Some(MTest),
        maestro_company: "DEMO",
        procore_company_id: 8,
        procore_api_base: "https://sandbox.procore.com/",
        first_procore_company_id: Some(8),
        first_procore_api_base: Some(SANDBOX),
        has_links: true,
    }
}

#[test]
fn the_environment_comes_from_procore_hosts_and_a_custom_url_keeps_its_label() {
    // rules §6: the three Procore hosts; a custom URL with a declared environment.
    let table = [
        (PRODUCTION, Sandbox, PProd),
        ("https://api.procore.com/rest/v1.0", Monthly, PProd),
        ("HTTPS://API.PROCORE.COM:443/", Sandbox, PProd),
        (SANDBOX, PProd, Sandbox),
        ("https://sandbox.procore.com/", Monthly, Sandbox),
        (MONTHLY, PProd, Monthly),
        (CUSTOM, Sandbox, Sandbox),
        (CUSTOM, PProd, PProd),
        ("https://procore.example.com", Monthly, Monthly),
        ("https://api.procore.com.evil.example", Sandbox, Sandbox),
    ];
    for (base, declared, expected) in table {
        assert_eq!(
            ProcoreEnvironment::verified(base, declared),
            expected,
            "{base} declared {declared}"
        );
    }
}

#[test]
fn labels_parse_as_the_connection_stores_them() {
    assert_eq!(MaestroClass::parse("production"), Some(MProd));
    assert_eq!(MaestroClass::parse("test"), Some(MTest));
    assert_eq!(MaestroClass::parse("Test"), None);
    assert_eq!(
        ProcoreEnvironment::parse("developer_sandbox"),
        Some(Sandbox)
    );
    assert_eq!(ProcoreEnvironment::parse("monthly_sandbox"), Some(Monthly));
    assert_eq!(ProcoreEnvironment::parse("production"), Some(PProd));
    assert_eq!(ProcoreEnvironment::parse("sandbox"), None);
}

#[test]
fn production_pairs_only_with_production_whatever_the_labels_say() {
    // (declared maestro*, declared Procore, maestro* class, Procore base, accepted?)
    let table = [
        (MTest, Sandbox, MTest, SANDBOX, true),
        (MTest, Monthly, MTest, MONTHLY, true),
        (MTest, Sandbox, MTest, CUSTOM, true),
        (MProd, PProd, MProd, PRODUCTION, true),
        (MProd, PProd, MProd, CUSTOM, true),
        // Seed 000: "in no case whatsoever".
        (MProd, Sandbox, MProd, SANDBOX, false),
        (MTest, PProd, MTest, PRODUCTION, false),
        (MProd, Monthly, MProd, MONTHLY, false),
        // Labelled test/test, but maestro* lists the company as production.
        (MTest, Sandbox, MProd, SANDBOX, false),
        (MTest, Sandbox, MProd, CUSTOM, false),
        // Labelled a sandbox, but the base is Procore's production host.
        (MTest, Sandbox, MTest, PRODUCTION, false),
        // Labelled production everywhere, but both sides are test: still refused (mislabelled).
        (MProd, PProd, MTest, SANDBOX, false),
    ];
    for (declared_maestro, declared_procore, class, base, accepted) in table {
        let p = Pairing {
            declared_maestro,
            declared_procore,
            maestro_class: Some(class),
            procore_api_base: base,
            first_procore_api_base: Some(base),
            ..pairing()
        };
        assert_eq!(
            check(&p).is_ok(),
            accepted,
            "{declared_maestro}/{declared_procore}, really {class} at {base}: {:?}",
            check(&p)
        );
    }
}

#[test]
fn each_refusal_says_what_is_wrong() {
    let e = check(&Pairing {
        declared_maestro: MProd,
        ..pairing()
    })
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("pairs a maestro* production company with a Procore developer sandbox"),
        "{e}"
    );
    let e = check(&Pairing {
        maestro_class: Some(MProd),
        ..pairing()
    })
    .unwrap_err();
    assert!(
        matches!(e, Refusal::MaestroClassMislabelled { actual: MProd, .. }),
        "{e}"
    );
    assert!(
        e.to_string().contains("maestro* lists it as production"),
        "{e}"
    );
    let e = check(&Pairing {
        procore_api_base: PRODUCTION,
        first_procore_api_base: Some(PRODUCTION),
        ..pairing()
    })
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("https://api.procore.com is Procore's production"),
        "{e}"
    );
    let e = check(&Pairing {
        maestro_class: None,
        ..pairing()
    })
    .unwrap_err();
    assert!(e.to_string().contains("lists no company DEMO"), "{e}");
}

#[test]
fn the_declared_check_needs_no_call_and_a_moved_company_is_refused_once_linked() {
    assert_eq!(
        check_declared(&Pairing {
            maestro_class: None,
            ..pairing()
        }),
        Ok(())
    );
    // The Procore host needs no call either.
    assert!(matches!(
        check_declared(&Pairing {
            procore_api_base: PRODUCTION,
            first_procore_api_base: Some(PRODUCTION),
            maestro_class: None,
            ..pairing()
        }),
        Err(Refusal::ProcoreEnvironmentMislabelled { actual: PProd, .. })
    ));
    let moved = Pairing {
        procore_company_id: 9,
        ..pairing()
    };
    assert!(
        check(&moved)
            .unwrap_err()
            .to_string()
            .contains("Procore company 8")
    );
    assert_eq!(
        check(&Pairing {
            has_links: false,
            ..moved
        }),
        Ok(())
    );
    let elsewhere = Pairing {
        procore_api_base: "https://sandbox.procore.com/other/",
        ..pairing()
    };
    assert!(matches!(
        check(&elsewhere),
        Err(Refusal::AddressChanged { .. })
    ));
}
