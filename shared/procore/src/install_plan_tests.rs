use super::*;
use serde_json::json;

fn info(name: &str, except: &[&str]) -> ResourceInfo {
    ResourceInfo {
        name: name.into(),
        create: true,
        update: true,
        delete: true,
        except: except.iter().map(|e| (*e).to_owned()).collect(),
    }
}

fn spec(resource: &str, event_type: &str) -> TriggerSpec {
    TriggerSpec::new(resource, event_type)
}

#[test]
fn the_plan_skips_what_cannot_be_subscribed_and_what_is_there() {
    let resources = vec![
        info("Projects", &["delete"]),
        ResourceInfo {
            create: false,
            ..info("Company Vendors", &[])
        },
    ];
    let existing = BTreeSet::from([spec("Projects", "create")]);
    let p = plan(
        &["Projects", "Company Vendors", "Prime Contracts"],
        &resources,
        &existing,
    );
    assert_eq!(p.present, vec![spec("Projects", "create")]);
    assert_eq!(
        p.not_subscribable,
        vec![
            spec("Projects", "delete"),
            spec("Company Vendors", "create")
        ]
    );
    assert_eq!(
        p.missing,
        vec![
            spec("Projects", "update"),
            spec("Company Vendors", "update"),
            spec("Company Vendors", "delete"),
            spec("Prime Contracts", "create"),
            spec("Prime Contracts", "update"),
            spec("Prime Contracts", "delete"),
        ]
    );
}

#[test]
fn offered_events_read_as_names_or_booleans() {
    let list: Vec<ResourceInfo> = serde_json::from_value(json!([
        { "name": "Projects", "create": "create", "update": "update", "delete": null },
        { "name": "Company Vendors", "create": true, "update": false },
    ]))
    .unwrap();
    assert!(list[0].allows("create") && list[0].allows("update"));
    assert!(!list[0].allows("delete"));
    assert!(list[1].allows("create") && !list[1].allows("update"));
    assert!(list[1].allows("delete"));
}

#[test]
fn payload_versions_compare_with_or_without_minor() {
    assert!(same_version("v2", "v2.0"));
    assert!(same_version("v4", "V4"));
    assert!(!same_version("v3", "v4"));
}

#[test]
fn a_bulk_failure_names_its_trigger_and_reason() {
    let entry = json!({ "trigger": { "resource_name": "Budget Changes", "event_type": "Update" },
        "errors": ["resource_name \"Budget Changes\" is not a valid resource"] });
    let (trigger, reason) = refusal(&entry).expect("a refusal");
    assert_eq!(trigger, spec("Budget Changes", "update"));
    assert!(reason.contains("not a valid resource"), "{reason}");
    assert_eq!(
        refusal(&json!({ "resource_name": "Projects", "event_type": "create" })),
        Some((spec("Projects", "create"), "refused".to_owned()))
    );
    assert_eq!(refusal(&json!({ "errors": ["?"] })), None);
}

#[test]
fn a_connection_owns_only_the_hook_posting_to_its_own_ingress_path() {
    // Seed 000: one connection per prefix, several on one Procore company.
    let table = [
        (
            "https://b.example/webhooks/procore/north",
            "https://b.example/webhooks/procore/north",
            true,
        ),
        (
            "https://old.example/webhooks/procore/north",
            "https://b.example/webhooks/procore/north/",
            true,
        ),
        (
            "https://b.example/webhooks/procore/south",
            "https://b.example/webhooks/procore/north",
            false,
        ),
        (
            "https://b.example/webhooks/procore/north-2",
            "https://b.example/webhooks/procore/north",
            false,
        ),
        ("https://b.example/", "https://c.example", false),
        ("https://b.example", "https://c.example", false),
    ];
    for (hook, wanted, own) in table {
        assert_eq!(is_own_hook(hook, wanted), own, "{hook} for {wanted}");
    }
}

#[test]
fn the_exact_destination_wins_over_a_moved_one() {
    let hooks = [
        (1, "https://b.example/webhooks/procore/south"),
        (2, "https://old.example/webhooks/procore/north"),
        (3, "https://b.example/webhooks/procore/north"),
    ];
    let pick = |wanted: &str| own_hook(&hooks, wanted, |h| h.1).map(|h| h.0);
    assert_eq!(pick("https://b.example/webhooks/procore/north"), Some(3));
    assert_eq!(pick("https://new.example/webhooks/procore/north"), Some(2));
    assert_eq!(pick("https://new.example/webhooks/procore/south"), Some(1));
    assert_eq!(pick("https://b.example/webhooks/procore/east"), None);
}
