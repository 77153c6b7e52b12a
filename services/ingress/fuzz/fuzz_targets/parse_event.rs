//! Feeds arbitrary bytes to the webhook payload parser. It must answer Ok or Err for every
//! input; a panic is a bug (the receiver would answer 500 instead of 400).

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok((event, _)) = bridge_ingress::payload::parse_with_json(data) {
        // A parsed event always names a resource, a record and an event id.
        assert!(!event.resource.trim().is_empty());
        assert!(!event.resource_id.is_empty());
        // Ids are positive 64-bit integers in canonical form (module `payload`).
        let id = event.resource_id.parse::<i64>().expect("a 64-bit id");
        assert!(id > 0 && id.to_string() == event.resource_id);
        assert!(event.event_id.len() <= bridge_ingress::payload::MAX_EVENT_ID);
        assert!(!event.event_id.is_empty());
    }
});
