//! The sandbox's showcase as both emulators hold it once loaded, and the actions of the
//! simulated Procore project manager (a draft commitment approved later, a new project).

use bridge_maestro as mx;
use bridge_sandbox::maestro;
use bridge_sandbox::procore::{
    self, AdminLine, Config, DraftCommitment, Emulator, Kind, LoadOptions, NewProject,
};
use bridge_sandbox::seed::showcase::{
    LINKED_PROJECT, LINKED_SUPPLIER, LONG_ORDER_NUMBERS, OWNER, PROCORE_PROJECT,
    REFUSED_JOB_NUMBERS, UNDATED_PROJECT,
};
use bridge_sandbox::seed::{Company, SeedConfig, generate};
use serde_json::Value;

fn seeded() -> (Emulator, i64, procore::Loaded, Company) {
    let company = generate(&SeedConfig::sandbox(3));
    let (emu, id, loaded) = Emulator::seeded(
        Config::fast(),
        &company,
        "bridge",
        "s3cret",
        &LoadOptions::default(),
    );
    (emu, id, loaded, company)
}

fn json(emu: &Emulator, kind: Kind, id: i64) -> Value {
    emu.get_json(kind, id).expect("the record exists")
}

#[test]
fn procore_holds_the_showcase_companies_with_their_tags_and_state() {
    let (emu, _, loaded, company) = seeded();
    for s in &company.procore_companies {
        let vendor = json(&emu, Kind::Vendor, loaded.vendors[&s.code]);
        assert_eq!(vendor["abbreviated_name"], s.code.as_str());
        assert_eq!(vendor["notes"], s.keywords.join(" ").as_str());
        assert_eq!(vendor["is_active"], s.active, "{}", s.code);
        assert_eq!(
            vendor["origin_id"],
            Value::Null,
            "{} exists in Procore only",
            s.code
        );
        assert_eq!(vendor["license_number"], s.license_number.as_str());
    }
    let long = json(&emu, Kind::Vendor, loaded.vendors["PCLONG01"]);
    assert!(
        long["name"]
            .as_str()
            .is_some_and(|n| n.chars().count() > 60)
    );
    assert!(
        long["address"]
            .as_str()
            .is_some_and(|n| n.chars().count() > 100)
    );
    let prime = json(
        &emu,
        Kind::PrimeContract,
        loaded.prime_contracts[PROCORE_PROJECT],
    );
    assert_eq!(prime["vendor"]["id"], loaded.vendors[OWNER]);
}

#[test]
fn procore_holds_projects_of_its_own_and_drafts_with_description_and_retainage() {
    let (emu, _, loaded, _) = seeded();
    for number in [
        PROCORE_PROJECT,
        REFUSED_JOB_NUMBERS[0],
        REFUSED_JOB_NUMBERS[1],
    ] {
        let project = json(&emu, Kind::Project, loaded.projects[number]);
        assert_eq!(project["project_number"], number);
        assert_eq!(project["origin_id"], Value::Null);
        assert!(project["start_date"].is_string() && project["completion_date"].is_string());
    }
    assert!(!loaded.projects.contains_key(UNDATED_PROJECT));
    let draft = json(
        &emu,
        Kind::PurchaseOrderContract,
        loaded.commitments[&(LINKED_PROJECT.to_owned(), "PO-VIT-001".to_owned())],
    );
    assert_eq!(draft["status"], "Draft");
    assert!(draft["description"].as_str().is_some_and(|d| !d.is_empty()));
    // Procore writes contract percentages and amounts as decimal strings.
    let retainage = draft["retainage_percent"]
        .as_str()
        .and_then(|r| r.parse::<f64>().ok());
    assert_eq!(retainage, Some(10.0));
    for number in LONG_ORDER_NUMBERS {
        let key = (LINKED_PROJECT.to_owned(), number.to_owned());
        let po = json(&emu, Kind::PurchaseOrderContract, loaded.commitments[&key]);
        assert_eq!(po["number"], number);
        assert_eq!(po["status"], "Approved");
    }
}

#[test]
fn maestro_holds_the_undated_project_and_the_same_codes_but_nothing_procore_only() {
    let (_, _, _, company) = seeded();
    let emu = maestro::Emulator::new(maestro::Config::default());
    emu.load_seed_as(&company, mx::CompanyClass::Test)
        .expect("the showcase loads");
    let undated = emu
        .project(&company.code, UNDATED_PROJECT)
        .expect("the undated project");
    assert_eq!((undated.start_date, undated.closing_date), (None, None));
    assert!(undated.active && undated.procore.sync);
    let suppliers = emu.suppliers(&company.code);
    for code in [LINKED_SUPPLIER, "VITINACT1", "VITNOTMX1"] {
        assert!(suppliers.iter().any(|s| s.code == code), "{code}");
    }
    for code in ["PCLONG01", OWNER, "PCCLIENT1"] {
        assert!(suppliers.iter().all(|s| s.code != code), "{code}");
    }
    assert!(emu.project(&company.code, PROCORE_PROJECT).is_none());
}

#[test]
fn a_project_manager_drafts_a_commitment_approves_it_later_and_creates_a_project() {
    let (emu, company_id, loaded, company) = seeded();
    let project_id = loaded.projects[LINKED_PROJECT];
    let leaf = company.cost_codes.iter().find(|c| c.leaf).expect("a leaf");
    let line = AdminLine {
        cost_code_id: loaded.cost_codes[&(LINKED_PROJECT.to_owned(), leaf.full_code.clone())],
        line_item_type_id: loaded.line_item_types["MAT"],
        amount: 1_250.0,
        description: "Fournitures".into(),
    };
    let draft = DraftCommitment {
        subcontract: false,
        project_id,
        vendor_id: loaded.vendors[LINKED_SUPPLIER],
        title: "Commande 1".into(),
        description: "Livraison au chantier".into(),
        retainage_percent: 5.0,
        lines: vec![line],
    };
    let id = emu.draft_commitment(&draft).expect("drafted");
    let drafted = json(&emu, Kind::PurchaseOrderContract, id);
    assert_eq!(drafted["status"], "Draft");
    assert_eq!(drafted["title"], "Commande 1");
    assert_eq!(drafted["description"], "Livraison au chantier");
    assert_eq!(drafted["vendor"]["id"], loaded.vendors[LINKED_SUPPLIER]);
    let lines = emu.list_ids(Kind::PurchaseOrderContractLineItem, project_id);
    assert!(
        lines
            .iter()
            .any(|l| json(&emu, Kind::PurchaseOrderContractLineItem, *l)["amount"] != Value::Null)
    );
    emu.approve_commitment(id).expect("approved");
    assert_eq!(
        json(&emu, Kind::PurchaseOrderContract, id)["status"],
        "Approved"
    );

    let start = company.projects[0].start_date;
    let created = emu.create_project(
        company_id,
        &NewProject {
            number: "PM-0001".into(),
            name: "Projet du gestionnaire".into(),
            address: "455 rue Saint-Jacques".into(),
            city: "Montreal".into(),
            start_date: start,
            completion_date: start + chrono::Days::new(300),
        },
    );
    let project = json(&emu, Kind::Project, created);
    assert_eq!(project["project_number"], "PM-0001");
    assert_eq!(project["active"], true);
    assert_eq!(project["origin_id"], Value::Null);

    let vendor = loaded.vendors[LINKED_SUPPLIER];
    let phone = [("business_phone", serde_json::json!("514-555-0007"))];
    emu.edit(Kind::Vendor, vendor, &phone).expect("edited");
    assert_eq!(
        json(&emu, Kind::Vendor, vendor)["business_phone"],
        "514-555-0007"
    );
    assert!(emu.edit(Kind::Vendor, 1, &phone).is_none());
}

#[test]
fn every_prime_contract_has_an_owner_company_in_procore() {
    let (emu, _, loaded, company) = seeded();
    assert!(!company.prime_contracts.is_empty());
    for p in &company.prime_contracts {
        let Some(&id) = loaded.prime_contracts.get(&p.project_number) else {
            continue;
        };
        let contract = json(&emu, Kind::PrimeContract, id);
        let owner = contract["vendor"]["id"]
            .as_i64()
            .unwrap_or_else(|| panic!("prime contract {} has no owner", p.number));
        let vendor = json(&emu, Kind::Vendor, owner);
        assert_eq!(vendor["abbreviated_name"], p.customer_code.as_str());
    }
}
