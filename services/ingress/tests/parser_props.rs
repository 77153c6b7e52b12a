//! Properties of the webhook parser over 10,000 bodies each: it never panics, it refuses only
//! with the documented errors, and what it accepts holds the documented guarantees (module
//! `payload`: ids are positive 64-bit integers in canonical form, the event id can be a key,
//! the resource is named).

mod strategies;

use bridge_domain::Action;
use bridge_ingress::payload::{self, MAX_EVENT_ID, MAX_RESOURCE_NAME, PayloadError};
use proptest::prelude::*;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 10_000,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn canonical_id(id: &str) -> bool {
    id.parse::<i64>()
        .is_ok_and(|n| n > 0 && n.to_string() == id)
}

fn check(body: &[u8]) -> Result<(), TestCaseError> {
    match payload::parse_with_json(body) {
        Ok((event, raw)) => {
            prop_assert_eq!(raw.as_bytes(), body);
            prop_assert!(canonical_id(&event.resource_id), "{:?}", event);
            for id in [&event.project_id, &event.company_id].into_iter().flatten() {
                prop_assert!(canonical_id(id), "{:?}", event);
            }
            prop_assert!(!event.event_id.is_empty() && event.event_id.len() <= MAX_EVENT_ID);
            prop_assert!(event.event_id.bytes().all(|b| b.is_ascii_graphic()));
            prop_assert!(!event.resource.trim().is_empty());
            prop_assert!(event.resource.len() <= MAX_RESOURCE_NAME);
            if event.ignored.is_some() {
                // The one placeholder an ignored event type carries.
                prop_assert_eq!(event.action, Action::Update);
            }
        }
        Err(e @ PayloadError::NotJson(_)) => prop_assert_eq!(e.code(), "invalid_json"),
        Err(e @ PayloadError::NotAnEvent(_)) => {
            prop_assert_eq!(e.code(), "not_an_event");
            // Every refusal of a JSON object names the field at fault.
            if body.first() == Some(&b'{') {
                prop_assert!(e.to_string().contains('`'), "{}", e);
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_body_parses_or_is_refused_with_a_documented_error(body in strategies::any_body()) {
        check(&body)?;
    }

    #[test]
    fn damaged_real_events_parse_or_are_refused_naming_the_field(
        body in strategies::mutated_event()
    ) {
        check(&body)?;
    }
}

proptest! {
    #![proptest_config(config())]

    /// Every id Procore can send, as a number or a string, names the same record.
    #[test]
    fn every_valid_id_is_accepted_in_both_spellings(id in 1i64..=i64::MAX, as_text in any::<bool>()) {
        let resource_id = if as_text {
            serde_json::json!(id.to_string())
        } else {
            serde_json::json!(id)
        };
        let body = serde_json::json!({"id": 1, "event_type": "update",
            "resource_name": "Projects", "resource_id": resource_id,
            "timestamp": "2026-11-20T10:11:12Z"});
        let event = payload::parse(body.to_string().as_bytes()).unwrap();
        prop_assert_eq!(event.resource_id, id.to_string());
    }
}
