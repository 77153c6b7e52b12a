//! Bulk sync helpers: chunk at 1,000 items, call the sync endpoint, and give back one result per
//! submitted item (the entity, or the item's errors with the raw error entry kept).

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::client::Client;
use crate::error::{Error, ErrorBody, Result};

/// Procore's cap on items per sync call.
pub const MAX_SYNC_ITEMS: usize = 1000;

/// The outcome of one submitted item.
#[derive(Debug)]
pub struct SyncItem<T> {
    /// Position in the submitted list.
    pub index: usize,
    pub result: Result<T, ErrorBody>,
}

fn key(v: &Value, field: &str) -> Option<String> {
    v.get(field)
        .filter(|x| !x.is_null())
        .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
}

/// Pairs a sync answer with the submitted items: each error entry echoes its item's attributes,
/// entities are matched by `origin_id` / `id`, and the rest in order.
pub fn match_results<T: DeserializeOwned>(
    items: &[Value],
    entities: Vec<Value>,
    errors: Vec<Value>,
    offset: usize,
) -> Vec<SyncItem<T>> {
    let mut slots: Vec<Option<Result<T, ErrorBody>>> = items.iter().map(|_| None).collect();
    for entry in errors {
        let mut echoed = entry.clone();
        let messages = echoed
            .as_object_mut()
            .and_then(|m| m.remove("errors"))
            .unwrap_or(Value::Null);
        let position = items
            .iter()
            .enumerate()
            .position(|(i, item)| slots[i].is_none() && *item == echoed)
            .or_else(|| {
                items.iter().enumerate().position(|(i, item)| {
                    slots[i].is_none()
                        && ["origin_id", "id"]
                            .iter()
                            .any(|f| key(item, f).is_some() && key(item, f) == key(&echoed, f))
                })
            });
        let mut body = ErrorBody::parse(&serde_json::json!({ "errors": messages }).to_string());
        body.raw = entry.to_string();
        if let Some(i) = position {
            slots[i] = Some(Err(body));
        }
    }
    let mut leftovers = Vec::new();
    for entity in entities {
        let position = items.iter().enumerate().position(|(i, item)| {
            slots[i].is_none()
                && ["origin_id", "id"]
                    .iter()
                    .any(|f| key(item, f).is_some() && key(item, f) == key(&entity, f))
        });
        match position {
            Some(i) => slots[i] = Some(decode(entity)),
            None => leftovers.push(entity),
        }
    }
    let mut leftovers = leftovers.into_iter();
    slots
        .into_iter()
        .enumerate()
        .map(|(i, slot)| {
            let result = slot
                .or_else(|| leftovers.next().map(decode))
                .unwrap_or_else(|| {
                    Err(ErrorBody {
                        messages: vec!["Procore returned no result for this item".into()],
                        raw: String::new(),
                    })
                });
            SyncItem {
                index: offset + i,
                result,
            }
        })
        .collect()
}

fn decode<T: DeserializeOwned>(entity: Value) -> Result<T, ErrorBody> {
    let raw = entity.to_string();
    serde_json::from_value(entity).map_err(|e| ErrorBody {
        messages: vec![format!("unexpected entity shape: {e}")],
        raw,
    })
}

impl Client {
    /// `PATCH {path}` with `{..body, "updates": chunk}` for every chunk of 1,000 items.
    pub async fn sync<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(String, String)],
        body: Map<String, Value>,
        items: &[Value],
    ) -> Result<Vec<SyncItem<T>>> {
        let mut out = Vec::with_capacity(items.len());
        for (n, chunk) in items.chunks(MAX_SYNC_ITEMS).enumerate() {
            let mut request = body.clone();
            request.insert("updates".into(), Value::Array(chunk.to_vec()));
            let answer: Value = self.patch(path, query, &request).await?;
            let take = |k: &str| {
                answer
                    .get(k)
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default()
            };
            out.extend(match_results(
                chunk,
                take("entities"),
                take("errors"),
                n * MAX_SYNC_ITEMS,
            ));
        }
        Ok(out)
    }

    /// `POST rest/v1.0/budget_line_items/sync` in chunks. That endpoint answers with a plain array
    /// and rejects a whole chunk on any invalid item (422 with errors keyed by item index); the
    /// items of a rejected chunk get their own message, the others "not applied".
    pub async fn sync_budget_line_items<T: DeserializeOwned>(
        &self,
        project_id: i64,
        items: &[Value],
    ) -> Result<Vec<SyncItem<T>>> {
        let mut out = Vec::with_capacity(items.len());
        for (n, chunk) in items.chunks(MAX_SYNC_ITEMS).enumerate() {
            let body = serde_json::json!({ "project_id": project_id, "budget_line_items": chunk });
            let query = [("project_id".to_string(), project_id.to_string())];
            match self
                .post::<Vec<Value>>("rest/v1.0/budget_line_items/sync", &query, &body)
                .await
            {
                Ok(entities) => out.extend(entities.into_iter().map(decode).zip(0..).map(
                    |(result, i)| SyncItem {
                        index: n * MAX_SYNC_ITEMS + i,
                        result,
                    },
                )),
                Err(Error::Api { status: 422, body }) => {
                    let parsed: Value = serde_json::from_str(&body.raw).unwrap_or(Value::Null);
                    for i in 0..chunk.len() {
                        let own = parsed.get("errors").and_then(|e| e.get(i.to_string()));
                        let messages = match own {
                            Some(v) => {
                                ErrorBody::parse(&serde_json::json!({ "errors": v }).to_string())
                                    .messages
                            }
                            None => vec![
                                "not applied: another item of the same batch was rejected".into(),
                            ],
                        };
                        out.push(SyncItem {
                            index: n * MAX_SYNC_ITEMS + i,
                            result: Err(ErrorBody {
                                messages,
                                raw: body.raw.clone(),
                            }),
                        });
                    }
                }
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn results_line_up_with_submitted_items() {
        let items = vec![
            json!({"name": "A", "origin_id": "a"}),
            json!({"abbreviated_name": "X"}),
            json!({"name": "C"}),
        ];
        let entities = vec![
            json!({"id": 2, "name": "C"}),
            json!({"id": 1, "name": "A", "origin_id": "a"}),
        ];
        let errors = vec![json!({"abbreviated_name": "X", "errors": {"name": ["can't be blank"]}})];
        let out: Vec<SyncItem<Value>> = match_results(&items, entities, errors, 0);
        assert_eq!(
            out[0].result.as_ref().ok().and_then(|v| v["id"].as_i64()),
            Some(1)
        );
        let err = out[1].result.as_ref().err().cloned().unwrap_or_default();
        assert_eq!(err.messages, ["name: can't be blank"]);
        assert!(err.raw.contains("abbreviated_name"));
        assert_eq!(
            out[2].result.as_ref().ok().and_then(|v| v["id"].as_i64()),
            Some(2)
        );
    }
}
