//! The documents the contract describes survive a write and a strict read unchanged, and
//! documents that break the contract are refused with an error naming what is wrong.

mod common;

use bridge_maestro::wire::{self, parse_response};
use bridge_maestro::*;

#[test]
fn every_sample_document_reads_back_as_written() {
    for doc in common::valid_documents() {
        let parsed = parse_response(doc.as_bytes()).unwrap_or_else(|e| panic!("{e}: {doc}"));
        let again = wire::to_document(&parsed, wire::ROOT).expect("serializes");
        assert_eq!(again, doc);
    }
}

#[test]
fn records_keep_every_field() {
    let docs = common::valid_documents();
    let projects = parse_response(docs[0].as_bytes())
        .expect("parses")
        .projects
        .expect("list");
    assert_eq!(projects.items[0], common::project());
    let txs = parse_response(docs[1].as_bytes())
        .expect("parses")
        .transactions
        .expect("list");
    assert_eq!(txs.items[0], common::transaction());
    assert_eq!(txs.items[0].type_code.as_char(), ';');
    let orders = parse_response(docs[2].as_bytes())
        .expect("parses")
        .orders
        .expect("list");
    assert_eq!(orders.items[0], common::order());
}

fn error_of(doc: &str) -> String {
    match parse_response(doc.as_bytes()) {
        Ok(r) => panic!("accepted {doc}: {r:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn unknown_elements_are_refused_by_name() {
    let doc = r#"<MaestroResponse version="1"><Projects><Project><Code>P1</Code><Description>x</Description><Active>true</Active><Colour>red</Colour><Procore><Sync>true</Sync><IgnoreLastSync>false</IgnoreLastSync></Procore></Project></Projects></MaestroResponse>"#;
    assert!(error_of(doc).contains("Colour"), "{}", error_of(doc));
}

#[test]
fn missing_required_elements_are_named() {
    let doc = r#"<MaestroResponse version="1"><Projects><Project><Code>P1</Code><Active>true</Active><Procore><Sync>true</Sync><IgnoreLastSync>false</IgnoreLastSync></Procore></Project></Projects></MaestroResponse>"#;
    assert!(error_of(doc).contains("Description"), "{}", error_of(doc));
}

#[test]
fn bad_values_are_refused_with_the_reason() {
    let bad_code = r#"<MaestroResponse version="1"><Projects><Project><Code>P#1</Code><Description>x</Description><Active>true</Active><Procore><Sync>true</Sync><IgnoreLastSync>false</IgnoreLastSync></Procore></Project></Projects></MaestroResponse>"#;
    assert!(error_of(bad_code).contains("P#1"), "{}", error_of(bad_code));
    let bad_bool = bad_code
        .replace("P#1", "P1")
        .replace("<Active>true", "<Active>maybe");
    let message = error_of(&bad_bool);
    assert!(
        message.contains("Project[0].Active") && message.contains("maybe"),
        "{message}"
    );
    let bad_amount = common::valid_documents()[1].replace("1250.40", "1,250.40");
    assert!(
        error_of(&bad_amount).contains("Amount"),
        "{}",
        error_of(&bad_amount)
    );
}

#[test]
fn wrong_root_and_version_are_refused() {
    assert!(error_of("<Other version=\"1\"/>").contains("<Other>"));
    assert!(error_of("<MaestroResponse version=\"2\"/>").contains("version `2`"));
    assert!(error_of("").contains("no root"));
    assert!(error_of("<MaestroResponse version=\"1\">").contains("not closed"));
}

#[test]
fn project_numbers_follow_maestro_rules() {
    for ok in ["P-1001", "1234567890", "A_B.C/D"] {
        assert!(ProjectCode::new(ok).is_ok(), "{ok}");
    }
    for bad in [
        "",
        "12345678901",
        "P*1",
        "P,1",
        "P#1",
        "P:1",
        "ÉCOLE",
        "P 1",
    ] {
        assert!(ProjectCode::new(bad).is_err(), "{bad}");
    }
}
