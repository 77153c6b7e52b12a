//! Turns a request body into stored fields, or into the per-field errors Procore returns
//! (`{"errors": {"field": ["message"]}}`), following a resource's catalogue entry
//! (`resources.rs`).

use serde_json::{Map, Value};

use super::resources::{DefaultValue, FieldErrors, Resource, Ty};
use super::store::Store;

fn type_ok(ty: Ty, value: &Value) -> bool {
    match (ty, value) {
        (_, Value::Null) => true,
        (Ty::Str, Value::String(_)) | (Ty::Bool, Value::Bool(_)) => true,
        (Ty::Int, Value::Number(n)) => n.is_i64() || n.is_u64(),
        (Ty::Int, Value::String(s)) => s.parse::<i64>().is_ok(),
        (Ty::Num, Value::Number(_)) => true,
        (Ty::Num, Value::String(s)) => s.trim().parse::<f64>().is_ok(),
        (Ty::Date, Value::String(s)) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok(),
        _ => false,
    }
}

fn add(errors: &mut FieldErrors, field: &str, message: impl Into<String>) {
    errors
        .entry(field.to_string())
        .or_default()
        .push(message.into());
}

impl Resource {
    /// Checks a body against this resource. `existing` is the row id being updated, if any.
    /// Returns the writable fields to store (unknown keys are dropped).
    pub fn validate(
        &self,
        body: &Map<String, Value>,
        existing: Option<i64>,
        store: &Store,
        company_id: i64,
    ) -> Result<Map<String, Value>, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut out = Map::new();
        for (name, ty) in self.fields {
            let Some(value) = body.get(*name) else {
                continue;
            };
            if !type_ok(*ty, value) {
                add(
                    &mut errors,
                    name,
                    format!("is not a valid {}", ty_name(*ty)),
                );
                continue;
            }
            // Ids sent as strings are stored as exact integers.
            let value = match (ty, value) {
                (Ty::Int, Value::String(s)) => {
                    s.parse::<i64>().map(Value::from).unwrap_or(Value::Null)
                }
                _ => value.clone(),
            };
            out.insert((*name).to_string(), value);
        }
        if existing.is_none() {
            for name in self.required {
                if out
                    .get(*name)
                    .is_none_or(|v| v.is_null() || v.as_str() == Some(""))
                {
                    add(&mut errors, name, "can't be blank");
                }
            }
            for (name, default) in self.defaults {
                out.entry((*name).to_string())
                    .or_insert_with(|| match default {
                        DefaultValue::Bool(b) => Value::Bool(*b),
                        DefaultValue::Str(s) => Value::String((*s).into()),
                    });
            }
        }
        for (name, allowed) in self.enums {
            if let Some(Value::String(s)) = out.get(*name)
                && !allowed.contains(&s.as_str())
            {
                add(
                    &mut errors,
                    name,
                    format!("is not included in the list ({s})"),
                );
            }
        }
        for (name, max) in self.max_len {
            if let Some(Value::String(s)) = out.get(*name)
                && s.chars().count() > *max
            {
                add(
                    &mut errors,
                    name,
                    format!("is too long (maximum is {max} characters)"),
                );
            }
        }
        for (name, kind) in self.refs {
            if let Some(id) = out.get(*name).and_then(Value::as_i64)
                && store
                    .get(*kind, id)
                    .is_none_or(|r| r.company_id != company_id)
            {
                add(&mut errors, name, format!("{id} does not exist"));
            }
        }
        if let Some(origin) = out.get("origin_id").and_then(Value::as_str)
            && !origin.is_empty()
            && store.origin_taken(self.kind, company_id, origin, existing)
        {
            add(&mut errors, "origin_id", "has already been taken");
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(errors)
        }
    }
}

fn ty_name(ty: Ty) -> &'static str {
    match ty {
        Ty::Str => "string",
        Ty::Int => "integer",
        Ty::Num => "number",
        Ty::Bool => "boolean",
        Ty::Date => "date (YYYY-MM-DD)",
    }
}
