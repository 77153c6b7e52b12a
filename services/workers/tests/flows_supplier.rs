//! Suppliers both ways, end to end: what arrives in the emulated Procore and maestro*, the
//! sync item a user reads, and the link left behind.

mod flows_support;

use bridge_domain::{Action, Direction, EntityKind};
use flows_support::Stack;
use serde_json::json;

const SUPPLIER: EntityKind = EntityKind::Supplier;
const TO_PROCORE: Direction = Direction::ToProcore;
const TO_MAESTRO: Direction = Direction::ToMaestro;

#[tokio::test]
async fn a_maestro_supplier_becomes_a_procore_company_carrying_its_origin_id() {
    let s = Stack::start().await;
    s.add_supplier("BETON01", "Béton Laval inc.");
    s.emit(SUPPLIER, TO_PROCORE, Action::Create, "BETON01", None)
        .await;

    let item = s.wait_for(SUPPLIER, TO_PROCORE, "BETON01", "synced").await;
    assert_eq!(
        item.description.as_deref(),
        Some("supplier BETON01 (Béton Laval inc.)")
    );
    let vendors = s.procore_vendors();
    assert_eq!(vendors.len(), 1, "{vendors:?}");
    let v = &vendors[0];
    assert_eq!(v["abbreviated_name"], "BETON01");
    assert_eq!(v["name"], "Béton Laval inc.");
    assert_eq!(v["origin_id"], "supplier:BETON01");
    assert_eq!(v["city"], "Laval");
    assert_eq!(v["license_number"], "5678-1234");
    let (procore_id, origin) = s.link(SUPPLIER, "BETON01").await.expect("linked");
    assert_eq!(procore_id, v["id"].as_i64().unwrap());
    assert_eq!(origin, "created_in_procore");
}

#[tokio::test]
async fn a_procore_company_with_the_same_code_is_linked_not_created() {
    let s = Stack::start().await;
    s.add_supplier("BETON01", "Béton Laval inc.");
    let existing = s
        .procore_vendor(json!({ "name": "Béton Laval", "abbreviated_name": "BETON01" }))
        .await;
    s.emit(SUPPLIER, TO_PROCORE, Action::Create, "BETON01", None)
        .await;

    s.wait_for(SUPPLIER, TO_PROCORE, "BETON01", "synced").await;
    assert_eq!(s.procore_vendors().len(), 1);
    assert_eq!(
        s.link(SUPPLIER, "BETON01").await,
        Some((existing, "linked_by_code".to_owned()))
    );
}

#[tokio::test]
async fn a_company_created_before_a_crash_is_found_by_its_origin_id() {
    let s = Stack::start().await;
    s.add_supplier("BETON01", "Béton Laval inc.");
    // Created by an attempt that crashed before the link was stored; since then someone
    // changed its abbreviated name, so only the origin id still finds it.
    let earlier = s
        .procore_vendor(json!({ "name": "Béton Laval inc.", "abbreviated_name": "BL", "origin_id": "supplier:BETON01" }))
        .await;
    s.emit(SUPPLIER, TO_PROCORE, Action::Create, "BETON01", None)
        .await;

    s.wait_for(SUPPLIER, TO_PROCORE, "BETON01", "synced").await;
    assert_eq!(s.procore_vendors().len(), 1);
    assert_eq!(
        s.link(SUPPLIER, "BETON01").await,
        Some((earlier, "created_in_procore".to_owned()))
    );
}

#[tokio::test]
async fn a_code_longer_than_the_abbreviated_name_is_cut_with_a_warning() {
    let s = Stack::start().await;
    s.add_supplier("BETONLAVAL01", "Béton Laval inc.");
    s.emit(SUPPLIER, TO_PROCORE, Action::Create, "BETONLAVAL01", None)
        .await;

    let item = s
        .wait_for(SUPPLIER, TO_PROCORE, "BETONLAVAL01", "synced")
        .await;
    assert!(
        item.says(
            "warning",
            "abbreviated name cut to 10 characters (it had 12)"
        ),
        "{:?}",
        item.messages
    );
    let vendors = s.procore_vendors();
    assert_eq!(vendors[0]["abbreviated_name"], "BETONLAVAL");
    assert!(s.link(SUPPLIER, "BETONLAVAL01").await.is_some());
}

#[tokio::test]
async fn a_supplier_not_ticked_for_procore_is_skipped() {
    let s = Stack::start().await;
    let mut supplier = s.add_supplier("BETON01", "Béton Laval inc.");
    supplier.sync = false;
    s.maestro
        .add_supplier(flows_support::COMPANY, supplier)
        .unwrap();
    s.emit(SUPPLIER, TO_PROCORE, Action::Create, "BETON01", None)
        .await;

    let item = s.wait_for(SUPPLIER, TO_PROCORE, "BETON01", "skipped").await;
    assert!(
        item.says("info", "\"Synchronize with Procore\" is not checked"),
        "{:?}",
        item.messages
    );
    assert!(s.procore_vendors().is_empty());
    assert_eq!(s.link(SUPPLIER, "BETON01").await, None);
}

#[tokio::test]
async fn a_procore_company_becomes_a_maestro_supplier_with_truncation_warnings() {
    let s = Stack::start().await;
    let long_name = "Les Entreprises de Béton et d'Excavation de la Rive-Nord Laval inc.";
    assert_eq!(long_name.chars().count(), 67);
    let id = s
        .procore_vendor(json!({
            "name": long_name,
            "abbreviated_name": "EXCAV01",
            "city": "Laval",
            "license_number": "8123-4567-01-23",
        }))
        .await;
    s.emit(SUPPLIER, TO_MAESTRO, Action::Create, &id.to_string(), None)
        .await;

    let item = s
        .wait_for(SUPPLIER, TO_MAESTRO, &id.to_string(), "synced")
        .await;
    let supplier = s.supplier("EXCAV01").expect("created in maestro*");
    assert_eq!(
        supplier.name,
        long_name.chars().take(60).collect::<String>().trim_end()
    );
    assert_eq!(supplier.rbq_number.as_deref(), Some("8123-4567-"));
    assert_eq!(supplier.city.as_deref(), Some("Laval"));
    assert!(
        item.says("warning", "name cut to 60 characters (it had 67)"),
        "{:?}",
        item.messages
    );
    assert!(
        item.says(
            "warning",
            "RBQ number (Procore license number) cut to 10 characters (it had 15)"
        ),
        "{:?}",
        item.messages
    );
    assert_eq!(
        s.link(SUPPLIER, "EXCAV01").await,
        Some((id, "created_in_maestro".to_owned()))
    );
}

#[tokio::test]
async fn a_company_tagged_notmaestro_or_pasmaestro_is_skipped_naming_the_tag() {
    let s = Stack::start().await;
    let not = s
        .procore_vendor(json!({ "name": "Location Outils", "abbreviated_name": "LOC01", "notes": "location, NOTMAESTRO" }))
        .await;
    let pas = s
        .procore_vendor(
            json!({ "name": "Grues Nord", "abbreviated_name": "GRUE01", "notes": "PasMaestro" }),
        )
        .await;
    s.emit(SUPPLIER, TO_MAESTRO, Action::Create, &not.to_string(), None)
        .await;
    s.emit(SUPPLIER, TO_MAESTRO, Action::Create, &pas.to_string(), None)
        .await;

    let item = s
        .wait_for(SUPPLIER, TO_MAESTRO, &not.to_string(), "skipped")
        .await;
    assert!(
        item.says("info", "keyword NOTMAESTRO"),
        "{:?}",
        item.messages
    );
    let item = s
        .wait_for(SUPPLIER, TO_MAESTRO, &pas.to_string(), "skipped")
        .await;
    assert!(
        item.says("info", "keyword PASMAESTRO"),
        "{:?}",
        item.messages
    );
    assert!(s.supplier("LOC01").is_none() && s.supplier("GRUE01").is_none());
}

#[tokio::test]
async fn an_inactive_procore_company_is_skipped() {
    let s = Stack::start().await;
    let id = s
        .procore_vendor(json!({ "name": "Ancien fournisseur", "abbreviated_name": "OLD01", "is_active": false }))
        .await;
    s.emit(SUPPLIER, TO_MAESTRO, Action::Create, &id.to_string(), None)
        .await;

    let item = s
        .wait_for(SUPPLIER, TO_MAESTRO, &id.to_string(), "skipped")
        .await;
    assert!(
        item.says("info", "is inactive in Procore"),
        "{:?}",
        item.messages
    );
    assert!(s.supplier("OLD01").is_none());
}

#[tokio::test]
async fn a_procore_company_whose_code_exists_in_maestro_is_linked_not_created() {
    let s = Stack::start().await;
    s.add_supplier("BETON01", "Béton Laval inc.");
    let id = s
        .procore_vendor(json!({ "name": "Béton Laval (Procore)", "abbreviated_name": "BETON01" }))
        .await;
    s.emit(SUPPLIER, TO_MAESTRO, Action::Create, &id.to_string(), None)
        .await;

    s.wait_for(SUPPLIER, TO_MAESTRO, &id.to_string(), "synced")
        .await;
    assert_eq!(s.maestro.suppliers(flows_support::COMPANY).len(), 1);
    assert_eq!(
        s.supplier("BETON01").unwrap().name,
        "Béton Laval inc.",
        "maestro* keeps its own name"
    );
    assert_eq!(
        s.link(SUPPLIER, "BETON01").await,
        Some((id, "linked_by_code".to_owned()))
    );
}

#[tokio::test]
async fn a_change_in_procore_after_synchronization_is_skipped_with_the_manual_step() {
    let s = Stack::start().await;
    let id = s
        .procore_vendor(json!({ "name": "Béton Laval", "abbreviated_name": "BETON01" }))
        .await;
    let record = id.to_string();
    s.emit(SUPPLIER, TO_MAESTRO, Action::Create, &record, None)
        .await;
    s.wait_for(SUPPLIER, TO_MAESTRO, &record, "synced").await;

    s.emit(SUPPLIER, TO_MAESTRO, Action::Update, &record, None)
        .await;
    let item = s.wait_for(SUPPLIER, TO_MAESTRO, &record, "skipped").await;
    assert!(
        item.says(
            "info",
            "changed in Procore after synchronization; apply the change by hand in maestro*"
        ),
        "{:?}",
        item.messages
    );
    assert_eq!(s.maestro.suppliers(flows_support::COMPANY).len(), 1);
}

#[tokio::test]
async fn a_procore_company_without_abbreviated_name_fails_with_what_to_fix() {
    let s = Stack::start().await;
    let id = s.procore_vendor(json!({ "name": "Sans Code inc." })).await;
    s.emit(SUPPLIER, TO_MAESTRO, Action::Create, &id.to_string(), None)
        .await;

    let item = s
        .wait_for(SUPPLIER, TO_MAESTRO, &id.to_string(), "failed")
        .await;
    assert!(
        item.says("error", "has no abbreviated name in Procore"),
        "{:?}",
        item.messages
    );
    assert!(s.maestro.suppliers(flows_support::COMPANY).is_empty());
}

#[tokio::test]
async fn a_maestro_supplier_never_links_to_a_procore_company_kept_out_of_maestro() {
    let s = Stack::start().await;
    s.add_supplier("BETON01", "Béton Laval inc.");
    s.procore_vendor(json!({ "name": "Béton Laval", "abbreviated_name": "BETON01", "notes": "béton, NOTMAESTRO" }))
        .await;
    s.emit(SUPPLIER, TO_PROCORE, Action::Create, "BETON01", None)
        .await;

    let item = s.wait_for(SUPPLIER, TO_PROCORE, "BETON01", "skipped").await;
    assert!(
        item.says("info", "carries the keyword NOTMAESTRO"),
        "{:?}",
        item.messages
    );
    assert_eq!(s.link(SUPPLIER, "BETON01").await, None);
    assert_eq!(
        s.procore_vendors().len(),
        1,
        "no second company with the same code"
    );
}

#[tokio::test]
async fn an_inactive_procore_company_with_the_same_code_is_linked_not_duplicated() {
    let s = Stack::start().await;
    s.add_supplier("BETON01", "Béton Laval inc.");
    let inactive = s
        .procore_vendor(
            json!({ "name": "Béton Laval", "abbreviated_name": "BETON01", "is_active": false }),
        )
        .await;
    s.emit(SUPPLIER, TO_PROCORE, Action::Create, "BETON01", None)
        .await;

    let item = s.wait_for(SUPPLIER, TO_PROCORE, "BETON01", "synced").await;
    assert_eq!(
        s.procore_vendors().len(),
        1,
        "no duplicate of the inactive company"
    );
    assert_eq!(
        s.link(SUPPLIER, "BETON01").await,
        Some((inactive, "linked_by_code".to_owned()))
    );
    assert!(
        item.says("warning", "linked to the inactive Procore company"),
        "{:?}",
        item.messages
    );
}

#[tokio::test]
async fn the_business_fax_travels_from_procore_to_the_maestro_supplier() {
    let s = Stack::start().await;
    let id = s
        .procore_vendor(json!({ "name": "Béton Laval", "abbreviated_name": "BETON02", "fax_number": "450-555-0199" }))
        .await;
    s.emit(SUPPLIER, TO_MAESTRO, Action::Create, &id.to_string(), None)
        .await;

    s.wait_for(SUPPLIER, TO_MAESTRO, &id.to_string(), "synced")
        .await;
    let supplier = s.supplier("BETON02").expect("created in maestro*");
    assert_eq!(supplier.fax.as_deref(), Some("450-555-0199"));
}
