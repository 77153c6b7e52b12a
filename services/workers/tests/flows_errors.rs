//! How the flows answer trouble on either side: transient errors are tried again, refusals are
//! dead-lettered with the target's words, and the clients come from the connection row.

mod flows_support;

use bridge_domain::{Action, Direction, EntityKind};
use bridge_platform::Secret;
use bridge_platform::connections::{self, NewConnection};
use bridge_platform::testing::TestDb;
use bridge_sandbox::{maestro, procore};
use bridge_workers::flows::{ClientSecrets, Clients, PROCORE_SECRET_ENV, PgClients};
use flows_support::Stack;
use std::sync::Arc;

const SUPPLIER: EntityKind = EntityKind::Supplier;
const TO_PROCORE: Direction = Direction::ToProcore;

#[tokio::test]
async fn maestro_being_unavailable_is_tried_again_until_it_answers() {
    let s = Stack::start().await;
    s.add_supplier("BETON01", "Béton Laval inc.");
    s.maestro.set_faults(maestro::Faults {
        error_rate: 1.0,
        ..maestro::Faults::default()
    });
    s.emit(SUPPLIER, TO_PROCORE, Action::Create, "BETON01", None)
        .await;

    let item = s.wait_for(SUPPLIER, TO_PROCORE, "BETON01", "pending").await;
    assert!(
        item.says(
            "warning",
            "will try again: maestro* did not answer while reading supplier BETON01"
        ),
        "{:?}",
        item.messages
    );
    assert!(s.procore_vendors().is_empty());

    s.maestro.set_faults(maestro::Faults::default());
    s.wait_for(SUPPLIER, TO_PROCORE, "BETON01", "synced").await;
    assert_eq!(s.procore_vendors().len(), 1);
}

#[tokio::test]
async fn procore_errors_5xx_are_tried_again_until_it_answers() {
    let s = Stack::start().await;
    s.add_supplier("BETON01", "Béton Laval inc.");
    s.procore.set_faults(procore::Faults {
        error_rate: 1.0,
        ..procore::Faults::default()
    });
    s.emit(SUPPLIER, TO_PROCORE, Action::Create, "BETON01", None)
        .await;

    let item = s.wait_for(SUPPLIER, TO_PROCORE, "BETON01", "pending").await;
    assert!(
        item.says(
            "warning",
            "will try again: Procore did not answer while looking for the Procore company BETON01"
        ),
        "{:?}",
        item.messages
    );

    s.procore.set_faults(procore::Faults::default());
    s.wait_for(SUPPLIER, TO_PROCORE, "BETON01", "synced").await;
    assert_eq!(s.procore_vendors().len(), 1);
}

#[tokio::test]
async fn a_record_procore_refuses_is_dead_lettered_with_procores_message() {
    let s = Stack::start().await;
    // maestro* let a supplier be saved without a name; Procore requires one.
    s.add_supplier("NONAME", " ");
    s.emit(SUPPLIER, TO_PROCORE, Action::Create, "NONAME", None)
        .await;

    let item = s.wait_for(SUPPLIER, TO_PROCORE, "NONAME", "dead").await;
    assert!(
        item.says("error", "Procore refused creating supplier NONAME"),
        "{:?}",
        item.messages
    );
    assert!(
        item.says("error", "name: can't be blank"),
        "{:?}",
        item.messages
    );
    assert!(s.procore_vendors().is_empty());
}

#[tokio::test]
async fn clients_come_from_the_connection_row_and_are_rebuilt_when_it_changes() {
    let db = TestDb::new().await;
    // The pairing guard asks maestro* for the company's class before handing out a client.
    let emulator = maestro::Emulator::new(maestro::Config::default());
    emulator.add_company("DEMO", "Démo", bridge_maestro::CompanyClass::Test, false);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let maestro_base = format!(
        "http://{}{}",
        listener.local_addr().unwrap(),
        maestro::BASE_PATH
    );
    let stop = tokio_util::sync::CancellationToken::new();
    let _stop = stop.clone().drop_guard();
    tokio::spawn(maestro::serve(listener, emulator.clone(), stop));
    let id = connections::create(
        &db.pool,
        &NewConnection::sandbox("acme", "http://127.0.0.1:1/", &maestro_base, 42),
    )
    .await
    .unwrap();

    let bare = PgClients::new(db.pool.clone(), ClientSecrets::default());
    let e = bare.procore(id).await.err().expect("no Procore secret");
    assert!(e.to_string().contains(PROCORE_SECRET_ENV), "{e:#}");
    let e = bare.maestro(id).await.err().expect("no maestro* key");
    assert!(e.to_string().contains("BRIDGE_MAESTRO_KEY"), "{e:#}");
    let e = bare
        .maestro(id + 1)
        .await
        .err()
        .expect("no such connection");
    assert!(format!("{e:#}").contains("does not exist"), "{e:#}");

    let clients = PgClients::new(
        db.pool.clone(),
        ClientSecrets {
            maestro_key: Some(Secret::new(emulator.config().api_key.clone())),
            procore_client_secret: Some(Secret::new("secret".to_owned())),
        },
    );
    let first = clients.procore(id).await.unwrap();
    assert_eq!(first.company_id(), 42);
    assert!(
        Arc::ptr_eq(&first, &clients.procore(id).await.unwrap()),
        "kept between messages"
    );
    let maestro = clients.maestro(id).await.unwrap();
    assert!(Arc::ptr_eq(&maestro, &clients.maestro(id).await.unwrap()));

    sqlx::query("UPDATE connections SET procore_company_id = 43, updated_at = now() + interval '1 second' WHERE id = $1")
        .bind(id)
        .execute(&db.pool)
        .await
        .unwrap();
    let rebuilt = clients.procore(id).await.unwrap();
    assert!(
        !Arc::ptr_eq(&first, &rebuilt),
        "rebuilt after the row changed"
    );
    assert_eq!(rebuilt.company_id(), 43);
}

#[tokio::test]
async fn a_production_company_paired_with_a_procore_sandbox_is_refused() {
    let s = Stack::start().await;
    s.add_supplier("BETON01", "Béton Laval inc.");
    sqlx::query("UPDATE connections SET maestro_environment = 'production' WHERE id = $1")
        .bind(s.connection_id)
        .execute(&s.db.pool)
        .await
        .unwrap();
    s.emit(SUPPLIER, TO_PROCORE, Action::Create, "BETON01", None)
        .await;

    let item = s.wait_for(SUPPLIER, TO_PROCORE, "BETON01", "failed").await;
    assert!(
        item.says(
            "error",
            "pairs a maestro* production company with a Procore developer sandbox environment"
        ),
        "{:?}",
        item.messages
    );
    assert!(s.procore_vendors().is_empty());
    assert_eq!(s.link(SUPPLIER, "BETON01").await, None);
}

#[tokio::test]
async fn a_procore_company_changed_after_records_were_linked_is_refused() {
    let s = Stack::start().await;
    s.add_supplier("BETON01", "Béton Laval inc.");
    s.add_supplier("BETON02", "Béton Laval Nord");
    s.emit(SUPPLIER, TO_PROCORE, Action::Create, "BETON01", None)
        .await;
    s.wait_for(SUPPLIER, TO_PROCORE, "BETON01", "synced").await;
    let other = s.procore.add_company("Autre compagnie");
    sqlx::query("UPDATE connections SET procore_company_id = $2, updated_at = now() WHERE id = $1")
        .bind(s.connection_id)
        .bind(other)
        .execute(&s.db.pool)
        .await
        .unwrap();
    s.emit(SUPPLIER, TO_PROCORE, Action::Create, "BETON02", None)
        .await;

    let item = s.wait_for(SUPPLIER, TO_PROCORE, "BETON02", "failed").await;
    assert!(
        item.says(
            "error",
            &format!(
                "was synchronized with Procore company {} and now names company {other}",
                s.procore_company
            )
        ),
        "{:?}",
        item.messages
    );
    assert_eq!(s.procore_vendors().len(), 1);
}
