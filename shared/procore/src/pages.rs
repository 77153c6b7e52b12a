//! Paging through `page`/`per_page` lists: a stream that follows the `Link` header's `next`
//! (or, without one, stops on a short page), and lookups by `origin_id`.

use futures::Stream;
use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::error::Result;

/// Whether a `Link` header announces a next page.
fn has_next(headers: &reqwest::header::HeaderMap) -> Option<bool> {
    let link = headers.get("link")?.to_str().ok()?;
    Some(link.split(',').any(|part| part.contains("rel=\"next\"")))
}

struct Cursor {
    page: usize,
    done: bool,
}

impl Client {
    /// Every item of a list, page by page (`per_page` items per call).
    pub fn paginate<T: DeserializeOwned + Send + 'static>(
        &self,
        path: &str,
        query: Vec<(String, String)>,
        per_page: usize,
    ) -> impl Stream<Item = Result<T>> + Send + 'static {
        let client = self.clone();
        let path = path.to_string();
        let pages = futures::stream::try_unfold(
            Cursor {
                page: 1,
                done: false,
            },
            move |cursor| {
                let (client, path, mut query) = (client.clone(), path.clone(), query.clone());
                async move {
                    if cursor.done {
                        return Ok::<_, crate::error::Error>(None);
                    }
                    query.retain(|(k, _)| k != "page" && k != "per_page");
                    query.push(("page".into(), cursor.page.to_string()));
                    query.push(("per_page".into(), per_page.to_string()));
                    let answer = client
                        .send(reqwest::Method::GET, &path, &query, None)
                        .await?;
                    let items: Vec<T> = answer.json(&path)?;
                    let more = has_next(&answer.headers).unwrap_or(items.len() >= per_page)
                        && !items.is_empty();
                    Ok(Some((
                        futures::stream::iter(items.into_iter().map(Ok)),
                        Cursor {
                            page: cursor.page + 1,
                            done: !more,
                        },
                    )))
                }
            },
        );
        futures::TryStreamExt::try_flatten(pages)
    }

    /// Collects [`Client::paginate`].
    pub async fn list_all<T: DeserializeOwned + Send + 'static>(
        &self,
        path: &str,
        query: Vec<(String, String)>,
        per_page: usize,
    ) -> Result<Vec<T>> {
        futures::TryStreamExt::try_collect(self.paginate(path, query, per_page)).await
    }

    /// The record whose `origin_id` is `origin_id`, via `filters[origin_id]`.
    pub async fn find_by_origin<T: DeserializeOwned>(
        &self,
        path: &str,
        mut query: Vec<(String, String)>,
        origin_id: &str,
    ) -> Result<Option<T>> {
        query.push(("filters[origin_id]".into(), origin_id.to_string()));
        query.push(("per_page".into(), "2".into()));
        let items: Vec<T> = self.get(path, &query).await?;
        Ok(items.into_iter().next())
    }
}
