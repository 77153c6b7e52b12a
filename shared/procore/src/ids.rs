//! Procore ids: 64-bit, sometimes above 2^53, sent as JSON numbers (v1) or strings (v2, v4
//! webhooks). Never parsed through `f64`.

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A Procore record id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProcoreId(pub i64);

impl fmt::Display for ProcoreId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl From<i64> for ProcoreId {
    fn from(v: i64) -> Self {
        Self(v)
    }
}

impl Serialize for ProcoreId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(self.0)
    }
}

struct IdVisitor;

impl Visitor<'_> for IdVisitor {
    type Value = ProcoreId;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer id or a string of digits")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<ProcoreId, E> {
        Ok(ProcoreId(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<ProcoreId, E> {
        i64::try_from(v)
            .map(ProcoreId)
            .map_err(|_| E::custom("id out of range"))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<ProcoreId, E> {
        v.trim()
            .parse()
            .map(ProcoreId)
            .map_err(|_| E::custom(format!("invalid id {v:?}")))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<ProcoreId, E> {
        Err(E::custom("ids must be integers, not floats"))
    }
}

impl<'de> Deserialize<'de> for ProcoreId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(IdVisitor)
    }
}

/// An amount sent as a number or as a decimal string (`"1250.00"`).
#[derive(Clone, Copy, Debug, Default, PartialEq, PartialOrd, Serialize)]
pub struct Amount(pub f64);

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::Number(n) => Ok(Amount(n.as_f64().unwrap_or(0.0))),
            serde_json::Value::String(s) if s.trim().is_empty() => Ok(Amount(0.0)),
            serde_json::Value::String(s) => s.trim().parse().map(Amount).map_err(de::Error::custom),
            serde_json::Value::Null => Ok(Amount(0.0)),
            other => Err(de::Error::custom(format!("invalid amount {other}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_above_2_pow_53_stay_exact() {
        let big = 9_007_199_254_740_993_i64; // 2^53 + 1, not representable as f64
        let id: ProcoreId = serde_json::from_str(&big.to_string()).expect("number");
        assert_eq!(id.0, big);
        let id: ProcoreId = serde_json::from_str(&format!("\"{big}\"")).expect("string");
        assert_eq!(id.0, big);
        assert_eq!(serde_json::to_string(&id).expect("ser"), big.to_string());
        assert!(serde_json::from_str::<ProcoreId>("1.5").is_err());
    }

    #[test]
    fn amounts_accept_numbers_and_strings() {
        let a: Amount = serde_json::from_str("\"1250.50\"").expect("string");
        let b: Amount = serde_json::from_str("1250.5").expect("number");
        assert_eq!(a, b);
    }
}
