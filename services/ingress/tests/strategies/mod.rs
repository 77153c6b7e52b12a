//! Bodies for the property tests: random bytes, random text, objects made of the event's
//! fields with values of any type, and real events with a few fields replaced.

use proptest::prelude::*;
use serde_json::{Value, json};

const FIELDS: &[&str] = &[
    "id",
    "ulid",
    "event_type",
    "reason",
    "resource_name",
    "resource_type",
    "resource_id",
    "project_id",
    "company_id",
    "timestamp",
    "metadata",
    "api_version",
    "extra",
];

/// A JSON value of any type, biased towards what an event's fields hold.
fn any_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        (1i64..i64::MAX).prop_map(|n| Value::from(n.to_string())),
        "[0-9]{1,25}".prop_map(Value::from),
        "[a-zA-Z0-9 +:.-]{0,30}".prop_map(Value::from),
        "\\PC{0,40}".prop_map(Value::from),
        Just(json!("2026-11-20T10:11:12.123456Z")),
        Just(json!("2999-01-01T00:00:00Z")),
        prop_oneof![
            Just("create"),
            Just("update"),
            Just("delete"),
            Just("archive")
        ]
        .prop_map(Value::from),
        Just(json!([])),
        Just(json!({"source_application_id": "x"})),
    ]
}

/// Objects holding some of an event's fields, each with any value.
pub fn event_like() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec((proptest::sample::select(FIELDS), any_value()), 0..12).prop_map(
        |fields| {
            let map: serde_json::Map<String, Value> =
                fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
            Value::Object(map).to_string().into_bytes()
        },
    )
}

/// A v2 or v4 event Procore could send, with zero to three fields replaced or removed.
pub fn mutated_event() -> impl Strategy<Value = Vec<u8>> {
    let base = (
        any::<bool>(),
        1i64..i64::MAX,
        1i64..i64::MAX,
        "[0-9A-Z]{26}",
    )
        .prop_map(|(v4, resource_id, id, ulid)| {
            if v4 {
                json!({"id": ulid, "timestamp": "2026-11-20T10:11:12Z", "reason": "update",
                    "company_id": "8", "project_id": null, "user_id": "3",
                    "resource_type": "Projects", "resource_id": resource_id.to_string()})
            } else {
                json!({"id": id, "ulid": ulid, "timestamp": "2026-11-20T10:11:12.123456Z",
                    "event_type": "create", "resource_name": "Company Vendors",
                    "resource_id": resource_id, "company_id": 8, "project_id": 77,
                    "api_version": "v2.0", "metadata": {"source_application_id": "other"}})
            }
        });
    let change = (
        proptest::sample::select(FIELDS),
        proptest::option::of(any_value()),
    );
    (base, proptest::collection::vec(change, 0..4)).prop_map(|(mut event, changes)| {
        let map = event.as_object_mut().expect("an object");
        for (field, value) in changes {
            match value {
                Some(value) => map.insert(field.to_owned(), value),
                None => map.remove(field),
            };
        }
        event.to_string().into_bytes()
    })
}

/// Anything: bytes, text, event-like objects and damaged real events.
pub fn any_body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..512),
        "\\PC{0,64}".prop_map(String::into_bytes),
        event_like(),
        mutated_event(),
    ]
}
