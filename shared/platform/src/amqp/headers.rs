//! Reading and writing message headers without spreading AMQP value types around.

use lapin::types::{AMQPValue, FieldTable, LongString};

/// A header value the bridge sets.
#[derive(Debug, Clone, PartialEq)]
pub enum HeaderValue {
    Text(String),
    Int(i64),
}

impl From<&HeaderValue> for AMQPValue {
    fn from(v: &HeaderValue) -> Self {
        match v {
            HeaderValue::Text(s) => AMQPValue::LongString(LongString::from(s.as_str())),
            HeaderValue::Int(n) => AMQPValue::LongLongInt(*n),
        }
    }
}

/// An integer header, whatever integer width the sender used.
pub fn int(table: Option<&FieldTable>, key: &str) -> Option<i64> {
    match table?.inner().get(key)? {
        AMQPValue::ShortShortInt(n) => Some((*n).into()),
        AMQPValue::ShortShortUInt(n) => Some((*n).into()),
        AMQPValue::ShortInt(n) => Some((*n).into()),
        AMQPValue::ShortUInt(n) => Some((*n).into()),
        AMQPValue::LongInt(n) => Some((*n).into()),
        AMQPValue::LongUInt(n) => Some((*n).into()),
        AMQPValue::LongLongInt(n) => Some(*n),
        _ => None,
    }
}

/// A text header.
pub fn text(table: Option<&FieldTable>, key: &str) -> Option<String> {
    match table?.inner().get(key)? {
        AMQPValue::LongString(s) => Some(String::from_utf8_lossy(s.as_bytes()).into_owned()),
        AMQPValue::ShortString(s) => Some(s.as_str().to_owned()),
        _ => None,
    }
}

/// Headers as JSON, for the dead-letter archive and for tests.
pub fn to_json(table: Option<&FieldTable>) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    if let Some(table) = table {
        for (k, v) in table.inner() {
            map.insert(k.as_str().to_owned(), value_to_json(v));
        }
    }
    serde_json::Value::Object(map)
}

fn value_to_json(v: &AMQPValue) -> serde_json::Value {
    use serde_json::Value;
    match v {
        AMQPValue::Boolean(b) => Value::Bool(*b),
        AMQPValue::ShortShortInt(n) => (*n).into(),
        AMQPValue::ShortShortUInt(n) => (*n).into(),
        AMQPValue::ShortInt(n) => (*n).into(),
        AMQPValue::ShortUInt(n) => (*n).into(),
        AMQPValue::LongInt(n) => (*n).into(),
        AMQPValue::LongUInt(n) => (*n).into(),
        AMQPValue::LongLongInt(n) => (*n).into(),
        AMQPValue::Float(n) => (*n).into(),
        AMQPValue::Double(n) => (*n).into(),
        AMQPValue::ShortString(s) => s.as_str().into(),
        AMQPValue::LongString(s) => String::from_utf8_lossy(s.as_bytes()).into(),
        AMQPValue::FieldArray(a) => Value::Array(a.as_slice().iter().map(value_to_json).collect()),
        AMQPValue::FieldTable(t) => to_json(Some(t)),
        AMQPValue::Timestamp(t) => (*t).into(),
        other => format!("{other:?}").into(),
    }
}
