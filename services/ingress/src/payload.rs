//! Parsing a Procore webhook body (v2, v3 or v4 payload) into the few facts the bridge uses.
//!
//! Lenient where Procore varies (ids as numbers or strings, `api_version` written `v2` or
//! `v2.0`, ULIDs not checked for format, unknown extra fields), strict where it matters. The
//! rule (architecture, "Ingress"):
//! - a body that breaks the payload's documented types can never become an event, so it is
//!   refused ([`PayloadError`], answered 400 naming the field): not a JSON object; resource,
//!   record id, event id, event type or timestamp missing; an id that is not a whole number
//!   from 1 to 2^63-1; a timestamp that is not RFC 3339; an empty or overlong resource name;
//!   an event id that cannot be a key;
//! - a well-formed event the bridge does not act on is parsed with [`ProcoreEvent::ignored`]
//!   set, stored as `ignored` with that reason and never routed: an event type other than
//!   create, update or delete (v4 says more will come); a timestamp too far in the future
//!   ([`ahead_of_time`]).
//!
//! Numbers are read as integers, never through `f64`, since ids can exceed 2^53.

use bridge_domain::Action;
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Map, Value};

/// Longest event id (a ULID is 26 characters): it becomes part of an indexed dedup key.
pub const MAX_EVENT_ID: usize = 128;
/// Longest resource name (Procore's are a few words).
pub const MAX_RESOURCE_NAME: usize = 200;
/// How far ahead of the receiver's clock a timestamp may be (clock skew).
pub const MAX_CLOCK_AHEAD: TimeDelta = TimeDelta::minutes(10);
/// How many characters of a refused value a message quotes.
const SHOWN: usize = 64;

/// What a delivery says, once parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct ProcoreEvent {
    /// The event's own id: its ULID when it has one, else its `id`.
    pub event_id: String,
    /// `Update` when [`ProcoreEvent::ignored`] names an event type the bridge does not act on.
    pub action: Action,
    /// `resource_name` (v2, v3) or `resource_type` (v4).
    pub resource: String,
    /// A positive 64-bit integer, in canonical decimal form; so are the two below.
    pub resource_id: String,
    pub project_id: Option<String>,
    pub company_id: Option<String>,
    /// When Procore says the change happened.
    pub timestamp: DateTime<Utc>,
    /// The OAuth client id of the application that made the change, when Procore says.
    pub source_application_id: Option<String>,
    /// Why the event is kept as `ignored` instead of routed, when it is well formed but not
    /// one the bridge acts on.
    pub ignored: Option<String>,
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
    let resource = resource_name(map)?;
    let resource_id = record_id(map, "resource_id")?.ok_or_else(|| missing("resource_id"))?;
    let event_id = event_id(map)?;
    let event_type =
        text(map, &["event_type", "reason"])?.ok_or_else(|| missing("event_type` (or `reason"))?;
    let (action, ignored) = match event_type.as_str() {
        "create" => (Action::Create, None),
        "update" => (Action::Update, None),
        "delete" => (Action::Delete, None),
        // v4 documents more reasons to come; none of them is a change to sync. Kept, not
        // routed: `action` is never read for an ignored row.
        other => (Action::Update, Some(unknown_event_type(other))),
    };
    let timestamp = text(map, &["timestamp"])?.ok_or_else(|| missing("timestamp"))?;
    let timestamp = DateTime::parse_from_rfc3339(&timestamp)
        .map_err(|_| {
            PayloadError::NotAnEvent(format!(
                "`timestamp` is not an RFC 3339 date: {}",
                shown(&timestamp)
            ))
        })?
        .with_timezone(&Utc);
    let source_application_id = match map.get("metadata") {
        Some(Value::Object(meta)) => text(meta, &["source_application_id"]).ok().flatten(),
        _ => None,
    };
    Ok(ProcoreEvent {
        event_id,
        action,
        resource,
        resource_id,
        project_id: record_id(map, "project_id")?,
        company_id: record_id(map, "company_id")?,
        timestamp,
        source_application_id,
        ignored,
    })
}

/// Why an event stamped `timestamp` is not routed when received at `now`, if it is too far
/// ahead: a routed row "at or after" every later change would make the reconciler and later
/// webhooks of the record count as already seen. The reconciler brings the change in.
pub fn ahead_of_time(timestamp: DateTime<Utc>, now: DateTime<Utc>) -> Option<String> {
    let ahead = timestamp.signed_duration_since(now);
    (ahead > MAX_CLOCK_AHEAD).then(|| {
        format!(
            "timestamp {} is {} minutes in the future; left to the reconciler",
            timestamp.to_rfc3339(),
            ahead.num_minutes()
        )
    })
}

fn unknown_event_type(event_type: &str) -> String {
    format!(
        "event type `{}` is not one the bridge acts on (create, update, delete)",
        shown(event_type)
    )
}

/// A value quoted back in a message, cut short: a hostile one can be 256 KiB.
fn shown(value: &str) -> String {
    value.chars().take(SHOWN).collect()
}

fn missing(field: &str) -> PayloadError {
    PayloadError::NotAnEvent(format!("`{field}` is missing"))
}

fn resource_name(map: &Map<String, Value>) -> Result<String, PayloadError> {
    let resource = text(map, &["resource_name", "resource_type"])?
        .ok_or_else(|| missing("resource_name` (or `resource_type"))?;
    if resource.trim().is_empty() {
        return Err(PayloadError::NotAnEvent(
            "`resource_name` (or `resource_type`) is empty".into(),
        ));
    }
    if resource.len() > MAX_RESOURCE_NAME {
        return Err(PayloadError::NotAnEvent(format!(
            "`resource_name` is longer than {MAX_RESOURCE_NAME} bytes"
        )));
    }
    Ok(resource)
}

/// The ULID when there is one, else `id`: at most [`MAX_EVENT_ID`] visible ASCII characters
/// (it becomes part of an indexed dedup key) or a positive 64-bit integer.
fn event_id(map: &Map<String, Value>) -> Result<String, PayloadError> {
    let (field, id) = match text(map, &["ulid"])? {
        Some(ulid) if !ulid.is_empty() => ("ulid", ulid),
        _ => match map.get("id") {
            Some(Value::Number(_)) => {
                return Ok(record_id(map, "id")?.unwrap_or_default());
            }
            _ => (
                "id",
                text(map, &["id"])?.ok_or_else(|| missing("ulid` or `id"))?,
            ),
        },
    };
    if id.is_empty() || id.len() > MAX_EVENT_ID || !id.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(PayloadError::NotAnEvent(format!(
            "`{field}` is not an event id (1 to {MAX_EVENT_ID} visible ASCII characters)"
        )));
    }
    Ok(id)
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

/// A Procore id: a positive 64-bit integer, written as a JSON integer (v2, v3) or a string
/// of digits (v4). Returned in its canonical decimal form (`"0042"` names record `42`);
/// `null` counts as absent.
fn record_id(map: &Map<String, Value>, key: &str) -> Result<Option<String>, PayloadError> {
    let not_an_id = || {
        PayloadError::NotAnEvent(format!(
            "`{key}` is not an id (a whole number from 1 to {})",
            i64::MAX
        ))
    };
    let id = match map.get(key) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(n)) => n.as_i64().ok_or_else(not_an_id)?,
        Some(Value::String(s)) => {
            let digits = s.trim();
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(not_an_id());
            }
            digits.parse::<i64>().map_err(|_| not_an_id())?
        }
        Some(_) => return Err(not_an_id()),
    };
    if id <= 0 {
        return Err(not_an_id());
    }
    Ok(Some(id.to_string()))
}

#[cfg(test)]
#[path = "payload_tests.rs"]
mod tests;
