//! The payload parser's tables: every shape Procore sends, and what is refused or ignored.

use super::*;

#[test]
fn a_v2_event_with_an_id_beyond_2_pow_53_keeps_every_digit() {
    let body = br#"{"id": 9007199254740993, "ulid": "01H0000000000000000000000Z",
        "timestamp": "2026-11-20T10:11:12.123456Z", "event_type": "update",
        "resource_name": "Purchase Order Contracts", "resource_id": 9007199254740995,
        "company_id": 8, "project_id": 9223372036854775807, "user_id": 3,
        "api_version": "v2.0",
        "metadata": {"source_application_id": "abc", "source_user_id": null}}"#;
    let e = parse(body).unwrap();
    assert_eq!(e.event_id, "01H0000000000000000000000Z");
    assert_eq!(e.resource_id, "9007199254740995");
    assert_eq!(e.project_id.as_deref(), Some("9223372036854775807"));
    assert_eq!(e.action, Action::Update);
    assert_eq!(e.source_application_id.as_deref(), Some("abc"));
    assert_eq!(e.timestamp.to_rfc3339(), "2026-11-20T10:11:12.123456+00:00");
    assert_eq!(e.ignored, None);
}

#[test]
fn a_v4_event_has_string_ids_and_a_reason() {
    let body = br#"{"id": "01J8ZZZZZZZZZZZZZZZZZZZZZZ", "timestamp": "2026-11-20T10:11:12Z",
        "reason": "create", "company_id": "8", "project_id": null, "user_id": "3",
        "resource_type": "Company Vendors", "resource_id": "123"}"#;
    let e = parse(body).unwrap();
    assert_eq!(e.event_id, "01J8ZZZZZZZZZZZZZZZZZZZZZZ");
    assert_eq!(e.resource, "Company Vendors");
    assert_eq!(e.action, Action::Create);
    assert_eq!(e.project_id, None);
}

#[test]
fn a_v2_event_without_ulid_is_keyed_by_its_id() {
    let body = br#"{"id": 42, "event_type": "delete", "resource_name": "Projects",
        "resource_id": 7, "api_version": "v2", "timestamp": "2026-11-20T10:11:12Z"}"#;
    let e = parse(body).unwrap();
    assert_eq!(e.event_id, "42");
    assert_eq!(e.action, Action::Delete);
}

#[test]
fn what_is_not_an_event_is_named() {
    assert_eq!(parse(b"{nope").unwrap_err().code(), "invalid_json");
    assert_eq!(parse(b"[]").unwrap_err().code(), "not_an_event");
    let e = parse(br#"{"id": 1, "event_type": "update", "resource_id": 2}"#).unwrap_err();
    assert!(e.to_string().contains("resource_name"), "{e}");
    let e = parse(
        br#"{"id": 1.5, "event_type": "update", "resource_name": "Projects",
        "resource_id": 2}"#,
    )
    .unwrap_err();
    assert!(e.to_string().contains("`id`"), "{e}");
    let e = parse(br#"{"id": 1, "resource_name": "Projects", "resource_id": 2}"#).unwrap_err();
    assert!(e.to_string().contains("event_type"), "{e}");
}

#[test]
fn ids_are_positive_64_bit_integers_in_canonical_form() {
    let cases: &[(Value, Result<Option<&str>, ()>)] = &[
        (serde_json::json!(42), Ok(Some("42"))),
        (serde_json::json!("42"), Ok(Some("42"))),
        (serde_json::json!(" 0042 "), Ok(Some("42"))),
        (serde_json::json!(i64::MAX), Ok(Some("9223372036854775807"))),
        (serde_json::json!(null), Ok(None)),
        (serde_json::json!(0), Err(())),
        (serde_json::json!(-1), Err(())),
        (serde_json::json!("-1"), Err(())),
        (serde_json::json!("+1"), Err(())),
        (serde_json::json!(1.5), Err(())),
        (serde_json::json!(1e3), Err(())),
        (serde_json::json!(u64::MAX), Err(())),
        (serde_json::json!("9223372036854775808"), Err(())),
        (serde_json::json!(""), Err(())),
        (serde_json::json!("abc"), Err(())),
        (serde_json::json!("12 34"), Err(())),
        (serde_json::json!(true), Err(())),
        (serde_json::json!([1]), Err(())),
    ];
    for (value, expected) in cases {
        let map: Map<String, Value> = [("x".to_owned(), value.clone())].into_iter().collect();
        let got = record_id(&map, "x");
        match (expected, got) {
            (Ok(want), Ok(got)) => assert_eq!(got.as_deref(), *want, "{value}"),
            (Err(()), Err(e)) => assert!(e.to_string().contains("`x`"), "{value}: {e}"),
            (want, got) => panic!("{value}: expected {want:?}, got {got:?}"),
        }
    }
}

#[test]
fn only_a_timestamp_well_ahead_of_the_clock_is_refused_routing() {
    let now: DateTime<Utc> = "2026-11-20T10:00:00Z".parse().unwrap();
    let cases = [
        ("2026-11-20T09:00:00Z", false),
        ("2026-11-20T10:00:00Z", false),
        ("2026-11-20T10:10:00Z", false),
        ("2026-11-20T10:10:01Z", true),
        ("2999-01-01T00:00:00Z", true),
    ];
    for (at, ahead) in cases {
        let at: DateTime<Utc> = at.parse().unwrap();
        assert_eq!(ahead_of_time(at, now).is_some(), ahead, "{at}");
    }
}

#[test]
fn an_event_type_procore_may_add_later_is_parsed_as_ignored() {
    let body = br#"{"id": "01J8ZZZZZZZZZZZZZZZZZZZZZZ", "timestamp": "2026-11-20T10:11:12Z",
        "reason": "restore", "company_id": "8", "resource_type": "Projects",
        "resource_id": "9"}"#;
    let e = parse(body).unwrap();
    assert!(e.ignored.unwrap().contains("`restore`"));
    for known in ["create", "update", "delete"] {
        let body = String::from_utf8_lossy(body).replace("restore", known);
        assert_eq!(parse(body.as_bytes()).unwrap().ignored, None, "{known}");
    }
}
