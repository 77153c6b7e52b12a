//! The company's standard cost code list. A project created through the API starts with a copy
//! of it, as a Procore project starts with its company's standard cost codes, so the costs and
//! budgets the bridge sends to a project it created find their codes. Seeded projects carry
//! their own codes from the seed and are not touched.

use super::store::{Kind, Store, new_row};
use serde_json::{Value, json};
use std::collections::HashMap;

/// One code of a standard list; `parent` is the index of its parent in the list (parents come
/// first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StandardCode {
    pub code: String,
    pub name: String,
    pub parent: Option<usize>,
}

impl Store {
    /// Sets `company_id`'s standard cost code list.
    pub fn set_standard_codes(&mut self, company_id: i64, codes: Vec<StandardCode>) {
        self.standard_codes.insert(company_id, codes);
    }

    /// Copies the company's standard list into a new project, parents before children.
    pub fn apply_standard_codes(&mut self, company_id: i64, project_id: i64, user_id: i64) {
        let Some(codes) = self.standard_codes.get(&company_id).cloned() else {
            return;
        };
        let mut ids: Vec<i64> = Vec::with_capacity(codes.len());
        for c in codes {
            let parent = c.parent.and_then(|i| ids.get(i).copied());
            let mut fields = serde_json::Map::new();
            fields.insert("code".into(), json!(c.code));
            fields.insert("name".into(), json!(c.name));
            fields.insert("parent_id".into(), parent.map_or(Value::Null, Value::from));
            let row = new_row(Kind::CostCode, company_id, Some(project_id), None, fields);
            ids.push(self.insert(row, user_id));
        }
    }
}

/// A standard list from codes given with their parent's key, parents first: `(key, code,
/// name, parent key)`.
pub fn standard_list<'a>(
    codes: impl IntoIterator<Item = (&'a str, &'a str, &'a str, Option<&'a str>)>,
) -> Vec<StandardCode> {
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut list = Vec::new();
    for (key, code, name, parent) in codes {
        index.insert(key, list.len());
        list.push(StandardCode {
            code: code.to_owned(),
            name: name.to_owned(),
            parent: parent.and_then(|p| index.get(p).copied()),
        });
    }
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_keeps_each_code_under_its_parent() {
        let list = standard_list([
            ("01", "01", "General", None),
            ("01-A", "A", "Site", Some("01")),
            ("01-A-001", "001", "Fence", Some("01-A")),
            ("02", "02", "Concrete", None),
        ]);
        let parents: Vec<Option<usize>> = list.iter().map(|c| c.parent).collect();
        assert_eq!(parents, [None, Some(0), Some(1), None]);
        assert_eq!(list[2].code, "001");
    }
}
