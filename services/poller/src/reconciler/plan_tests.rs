use super::*;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

fn found(id: i64, created: Option<&str>, updated: &str, project: Option<i64>) -> Found {
    Found {
        record: Changed {
            id,
            created_at: created.map(at),
            updated_at: at(updated),
        },
        project,
    }
}

#[test]
fn a_webhook_timestamp_and_a_listed_updated_at_give_one_key() {
    let route = (EntityKind::Subcontract, Direction::ToMaestro);
    let woc = "Work Order Contracts";
    let id = "5982324300946000123";
    // (time of the change, expected key); v2 events carry microseconds, lists milliseconds.
    let cases = [
        (
            "2026-11-20T10:11:12.123456Z",
            "procore:work_order_contracts:5982324300946000123:2026-11-20T10:11:12.123Z:subcontract.to_maestro",
        ),
        (
            "2026-11-20T10:11:12.123Z",
            "procore:work_order_contracts:5982324300946000123:2026-11-20T10:11:12.123Z:subcontract.to_maestro",
        ),
        (
            "2026-11-20T10:11:12.124Z",
            "procore:work_order_contracts:5982324300946000123:2026-11-20T10:11:12.124Z:subcontract.to_maestro",
        ),
    ];
    for (changed, want) in cases {
        assert_eq!(change_key(woc, id, at(changed), route), want, "{changed}");
    }
}

#[test]
fn company_and_project_vendor_events_name_the_same_record() {
    let route = (EntityKind::Supplier, Direction::ToMaestro);
    let t = at("2026-11-20T10:11:12Z");
    assert_eq!(
        change_key("Company Vendors", "7", t, route),
        change_key("Project Vendors", "7", t, route)
    );
    let cursors = [
        ("Company Vendors", "procore:vendors"),
        ("Projects", "procore:projects"),
        ("Prime Contracts", "procore:prime_contracts"),
    ];
    for (resource, want) in cursors {
        assert_eq!(cursor_name(resource), want);
    }
}

#[test]
fn every_reconciled_resource_is_routed() {
    for r in RESOURCES {
        assert!(!resources::routes(r.name).is_empty(), "{}", r.name);
    }
}

#[test]
fn the_window_starts_an_overlap_before_the_watermark_or_a_look_back_before_now() {
    let now = at("2026-11-20T12:00:00Z");
    let minute = Duration::from_secs(60);
    let day = Duration::from_secs(24 * 3600);
    // (cursor, expected from)
    let cases = [
        (Some("2026-11-20T11:30:00.000Z"), "2026-11-20T11:29:00Z"),
        (None, "2026-11-19T11:59:00Z"),
        (Some("not a time"), "2026-11-19T11:59:00Z"),
    ];
    for (cursor, from) in cases {
        let w = window(watermark(cursor), now, minute, day);
        assert_eq!((w.from, w.to), (at(from), now), "{cursor:?}");
    }
    assert_eq!(next_cursor(now), "2026-11-20T12:00:00.000Z");
    assert_eq!(watermark(Some(&next_cursor(now))), Some(now));
}

#[test]
fn a_found_change_becomes_one_row_per_route_with_its_record() {
    let start = at("2026-11-20T10:00:00Z");
    // (resource, found, expected (route kind, record, action))
    type Case = (&'static str, Found, Vec<(EntityKind, &'static str, Action)>);
    let cases: Vec<Case> = vec![
        (
            "Projects",
            found(
                11,
                Some("2026-11-20T10:05:00Z"),
                "2026-11-20T10:06:00Z",
                None,
            ),
            vec![(EntityKind::Project, "11", Action::Create)],
        ),
        (
            "Company Vendors",
            found(
                7,
                Some("2026-01-01T00:00:00Z"),
                "2026-11-20T10:06:00Z",
                None,
            ),
            vec![
                (EntityKind::Supplier, "7", Action::Update),
                (EntityKind::Customer, "7", Action::Update),
            ],
        ),
        // rules §1: the customer route names the contract whose owner is the customer.
        (
            "Prime Contracts",
            found(900, None, "2026-11-20T10:06:00Z", Some(77)),
            vec![
                (EntityKind::PrimeContract, "900", Action::Update),
                (EntityKind::Customer, "prime_contract:900", Action::Update),
            ],
        ),
    ];
    for (resource, f, want) in cases {
        let rows = events(3, resource, std::slice::from_ref(&f), start);
        let got: Vec<(EntityKind, &str, Action)> = rows
            .iter()
            .map(|e| (e.route.unwrap().0, e.record.as_str(), e.action))
            .collect();
        assert_eq!(got, want, "{resource}");
        for e in &rows {
            assert_eq!(e.project, f.project.map(|p| p.to_string()));
            assert_eq!(e.source, Source::ProcoreReconciler);
            assert_eq!(e.occurred_at, f.record.updated_at);
        }
        let mut keys: Vec<&str> = rows.iter().map(|e| e.dedup_key.as_str()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(
            keys.len(),
            rows.len(),
            "{resource}: keys must differ per route"
        );
    }
}

#[test]
fn a_change_the_inbox_already_has_at_or_after_it_is_covered() {
    let start = at("2026-11-20T10:00:00Z");
    let rows = events(
        3,
        "Prime Contracts",
        &[found(900, None, "2026-11-20T10:06:00.123456Z", Some(77))],
        start,
    );
    let route = |k: &str| Some(format!("{k}.to_maestro"));
    let contract = ("900".to_owned(), route("prime_contract"));
    let customer = ("prime_contract:900".to_owned(), route("customer"));
    let ignored = ("900".to_owned(), None);
    let same = at("2026-11-20T10:06:00.123Z");
    let before = at("2026-11-20T10:05:59Z");
    // (what the inbox holds, rows still to write)
    type Held = Vec<((String, Option<String>), DateTime<Utc>)>;
    let cases: Vec<(Held, usize)> = vec![
        (vec![], 2),
        (vec![(contract.clone(), same)], 1),
        (vec![(contract.clone(), same), (customer.clone(), same)], 0),
        (
            vec![(contract.clone(), before), (customer.clone(), before)],
            2,
        ),
        // The bridge's own write of the contract: an ignored webhook row with the plain id.
        (vec![(ignored.clone(), same)], 0),
        (vec![(ignored, before)], 2),
    ];
    for (held, fresh_left) in cases {
        let seen: Seen = held.iter().cloned().collect();
        let (fresh, covered) = split_covered(rows.clone(), &seen);
        assert_eq!(fresh.len(), fresh_left, "{held:?}");
        assert_eq!(covered as usize, rows.len() - fresh_left, "{held:?}");
    }
    assert_eq!(
        records_to_check(&rows),
        ["900".to_owned(), "prime_contract:900".to_owned()]
    );
}

#[test]
fn truncation_keeps_whole_milliseconds() {
    assert_eq!(
        truncated(at("2026-11-20T10:11:12.123987Z")),
        at("2026-11-20T10:11:12.123Z")
    );
}
