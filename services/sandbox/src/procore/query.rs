//! Query strings as Procore reads them: repeated keys (`filters[id][]=1&filters[id][]=2`),
//! `filters[...]` on the common attributes, `...` date ranges, and `page`/`per_page` paging with
//! `Link`, `Total` and `Per-Page` headers.

use super::store::{Kind, Row};
use axum::http::{HeaderMap, HeaderValue};
use chrono::{DateTime, Utc};

/// Parsed query: the pairs in order.
#[derive(Clone, Debug, Default)]
pub struct Params(pub Vec<(String, String)>);

impl Params {
    pub fn parse(raw: Option<&str>) -> Self {
        Self(
            url::form_urlencoded::parse(raw.unwrap_or("").as_bytes())
                .into_owned()
                .collect(),
        )
    }
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
    pub fn i64(&self, key: &str) -> Option<i64> {
        self.get(key).and_then(|v| v.parse().ok())
    }
    /// Values of `key`, `key[]`, and comma lists.
    pub fn all(&self, key: &str) -> Vec<String> {
        let bracketed = format!("{key}[]");
        self.0
            .iter()
            .filter(|(k, _)| k == key || *k == bracketed)
            .flat_map(|(_, v)| v.split(',').map(str::to_string).collect::<Vec<_>>())
            .filter(|v| !v.is_empty())
            .collect()
    }
    pub fn filter(&self, name: &str) -> Option<&str> {
        self.get(&format!("filters[{name}]"))
    }
}

fn in_range(at: DateTime<Utc>, range: &str) -> bool {
    let (from, to) = range.split_once("...").unwrap_or((range, ""));
    let parse = |s: &str| {
        DateTime::parse_from_rfc3339(s.trim())
            .ok()
            .map(|d| d.with_timezone(&Utc))
    };
    parse(from).is_none_or(|f| at >= f) && parse(to).is_none_or(|t| at <= t)
}

/// The generic `filters[...]` every list understands.
pub fn matches(row: &Row, params: &Params) -> bool {
    if let Some(origin) = params.filter("origin_id")
        && row.origin_id() != Some(origin)
    {
        return false;
    }
    if let Some(range) = params.filter("updated_at")
        && !in_range(row.updated_at, range)
    {
        return false;
    }
    if let Some(range) = params.filter("created_at")
        && !in_range(row.created_at, range)
    {
        return false;
    }
    let ids = params.all("filters[id]");
    if !ids.is_empty() && !ids.iter().any(|i| i.parse() == Ok(row.id)) {
        return false;
    }
    let statuses = params.all("filters[status]");
    if !statuses.is_empty()
        && !statuses
            .iter()
            .any(|s| row.str("status").is_some_and(|v| v.eq_ignore_ascii_case(s)))
    {
        return false;
    }
    for key in ["vendor_id", "contract_id"] {
        let wanted = params.all(&format!("filters[{key}]"));
        if !wanted.is_empty() && !wanted.iter().any(|w| w.parse().ok() == row.i64(key)) {
            return false;
        }
    }
    if let Some(search) = params.filter("search") {
        let needle = search.to_lowercase();
        let hay = ["name", "notes", "origin_code", "abbreviated_name"]
            .iter()
            .filter_map(|k| row.str(k))
            .any(|v| v.to_lowercase().contains(&needle));
        if !hay {
            return false;
        }
    }
    match row.kind {
        Kind::Project => {
            let active = row.bool("active").unwrap_or(true);
            match params.filter("by_status").unwrap_or("Active") {
                "All" => true,
                "Inactive" => !active,
                _ => active,
            }
        }
        _ => true,
    }
}

/// `include_deleted`: `only` / `with` / absent.
pub fn deleted_ok(row: &Row, params: &Params) -> bool {
    match params.filter("include_deleted") {
        Some("only") => row.deleted_at.is_some(),
        Some("with") => true,
        _ => row.deleted_at.is_none(),
    }
}

/// Cuts one page out of `items` and writes the paging headers.
pub fn paginate<T>(
    items: Vec<T>,
    params: &Params,
    default_per_page: usize,
    max_per_page: usize,
    base_url: &str,
    headers: &mut HeaderMap,
) -> Vec<T> {
    let per_page = params
        .get("per_page")
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(default_per_page)
        .min(max_per_page);
    let page = params
        .get("page")
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(1);
    let total = items.len();
    let last = total.div_ceil(per_page).max(1);
    let link = |p: usize| {
        let mut pairs: Vec<(String, String)> = params
            .0
            .iter()
            .filter(|(k, _)| k != "page" && k != "per_page")
            .cloned()
            .collect();
        pairs.push(("page".into(), p.to_string()));
        pairs.push(("per_page".into(), per_page.to_string()));
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        format!("<{base_url}?{query}>")
    };
    let mut links = vec![format!("{}; rel=\"first\"", link(1))];
    if page > 1 {
        links.push(format!("{}; rel=\"prev\"", link(page - 1)));
    }
    if page < last {
        links.push(format!("{}; rel=\"next\"", link(page + 1)));
    }
    links.push(format!("{}; rel=\"last\"", link(last)));
    let mut set = |name: &'static str, value: String| {
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.insert(name, v);
        }
    };
    set("total", total.to_string());
    set("per-page", per_page.to_string());
    set("link", links.join(", "));
    items
        .into_iter()
        .skip((page - 1).saturating_mul(per_page))
        .take(per_page)
        .collect()
}
