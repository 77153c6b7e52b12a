//! Parsing a Procore webhook body (v2, v3 or v4 payload) into the few facts the bridge uses.
//!
//! Lenient where Procore varies (ids as numbers or strings, `api_version` written `v2` or
//! `v2.0`, ULIDs not checked for format, unknown extra fields), strict where it matters: a
//! body that is not a JSON object naming a resource, a record and an event id is refused.
//! Numbers are read as integers, never through `f64`, since ids can exceed 2^53.

use bridge_domain::Action;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

/// What a delivery says, once parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct ProcoreEvent {
    /// The event's own id: its ULID when it has one, else its `id`.
    pub event_id: String,
    pub action: Action,
    /// `resource_name` (v2, v3) or `resource_type` (v4).
    pub resource: String,
    pub resource_id: String,
    pub project_id: Option<String>,
    pub company_id: Option<String>,
    /// When Procore says the change happened; `None` when absent or unreadable.
    pub timestamp: Option<DateTime<Utc>>,
    /// The OAuth client id of the application that made the change, when Procore says.
    pub source_application_id: Option<String>,
}

/// Why a body is not an event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    #[error("the body is not JSON: {0}")]
    NotJson(String),
    #[error("the body is not a Procore event: {0}")]
    NotAnEvent(String),
}

impl PayloadError {
    pub fn code(&self) -> &'static str {
        match self {
            PayloadError::NotJson(_) => "invalid_json",
            PayloadError::NotAnEvent(_) => "not_an_event",
        }
    }
}

/// Parses one delivery body.
pub fn parse(body: &[u8]) -> Result<ProcoreEvent, PayloadError> {
    parse_with_json(body).map(|(event, _)| event)
}

/// Parses one delivery body, also returning it as text, to be kept in the inbox for support
/// exactly as received (not decoded and encoded again).
pub fn parse_with_json(body: &[u8]) -> Result<(ProcoreEvent, String), PayloadError> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| PayloadError::NotJson(e.to_string()))?;
    let event = from_value(&value)?;
    // Postgres's JSON functions cannot read a document holding U+0000 ("cannot be converted
    // to text"), so such an event could be stored but never looked into again; refused here,
    // on its own, it also cannot fail the group-commit batch it would share.
    if holds_nul(&value) {
        return Err(PayloadError::NotJson(
            "a string holds U+0000 (\\u0000), which cannot be stored".into(),
        ));
    }
    let text = String::from_utf8(body.to_vec())
        .map_err(|_| PayloadError::NotJson("the body is not UTF-8".into()))?;
    Ok((event, text))
}

fn holds_nul(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(holds_nul),
        Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || holds_nul(v)),
        _ => false,
    }
}

fn from_value(value: &Value) -> Result<ProcoreEvent, PayloadError> {
    let Value::Object(map) = value else {
        return Err(PayloadError::NotAnEvent(
            "expected one JSON object per delivery".into(),
        ));
    };
    let resource = text(map, &["resource_name", "resource_type"])?
        .ok_or_else(|| missing("resource_name (or resource_type)"))?;
    if resource.trim().is_empty() {
        return Err(missing("resource_name (or resource_type)"));
    }
    let resource_id = id(map, "resource_id")?.ok_or_else(|| missing("resource_id"))?;
    let event_id = match text(map, &["ulid"])? {
        Some(ulid) if !ulid.is_empty() => ulid,
        _ => id(map, "id")?.ok_or_else(|| missing("ulid or id"))?,
    };
    let action = match text(map, &["event_type", "reason"])?.as_deref() {
        Some("create") => Action::Create,
        Some("delete") => Action::Delete,
        // "update", and v4 reasons beyond the three: the worker reloads the record anyway.
        Some(_) => Action::Update,
        None => return Err(missing("event_type (or reason)")),
    };
    let timestamp = text(map, &["timestamp"])?
        .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
        .map(|t| t.with_timezone(&Utc));
    let source_application_id = match map.get("metadata") {
        Some(Value::Object(meta)) => text(meta, &["source_application_id"]).ok().flatten(),
        _ => None,
    };
    Ok(ProcoreEvent {
        event_id,
        action,
        resource,
        resource_id,
        project_id: id(map, "project_id")?,
        company_id: id(map, "company_id")?,
        timestamp,
        source_application_id,
    })
}

fn missing(field: &str) -> PayloadError {
    PayloadError::NotAnEvent(format!("`{field}` is missing"))
}

/// The first of `keys` present as a string; `null` counts as absent.
fn text(map: &Map<String, Value>, keys: &[&str]) -> Result<Option<String>, PayloadError> {
    for key in keys {
        match map.get(*key) {
            None | Some(Value::Null) => continue,
            Some(Value::String(s)) => return Ok(Some(s.clone())),
            Some(_) => {
                return Err(PayloadError::NotAnEvent(format!("`{key}` is not a string")));
            }
        }
    }
    Ok(None)
}

/// An id written as an integer or a string; `null` counts as absent.
fn id(map: &Map<String, Value>, key: &str) -> Result<Option<String>, PayloadError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.trim().to_owned())),
        Some(Value::Number(n)) => {
            if let Some(i) = n.as_i64() {
                Ok(Some(i.to_string()))
            } else if let Some(u) = n.as_u64() {
                Ok(Some(u.to_string()))
            } else {
                Err(PayloadError::NotAnEvent(format!(
                    "`{key}` is not a whole number"
                )))
            }
        }
        Some(_) => Err(PayloadError::NotAnEvent(format!(
            "`{key}` is not an id (number or string)"
        ))),
    }
}

#[cfg(test)]
mod tests {
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
        assert!(e.timestamp.is_some());
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
            "resource_id": 7, "api_version": "v2"}"#;
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
}
