//! Loads the Procore side of a [`seed::Company`](crate::seed::Company): what already exists in
//! Procore (records flagged `in_procore`, with the `origin_id` the bridge would have set), the
//! cost codes and cost types of every Procore project, and the commitments, change orders and
//! prime contracts that live only in Procore.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::Emulator;
use super::admin::ADMIN_USER_ID;
use super::standard_codes;
use super::store::{Kind, Store, new_row};
use crate::seed::{self, CostKind};

/// How maestro* activities map onto Procore cost codes (rules §4).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CostCodeMode {
    /// Each level's `code` is the whole activity code.
    Direct,
    /// Each level holds one segment; `full_code` is the activity.
    #[default]
    Concatenated,
}

#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    pub cost_code_mode: CostCodeMode,
}

/// Ids given to what was loaded, by maestro* code.
#[derive(Clone, Debug, Default)]
pub struct Loaded {
    pub projects: HashMap<String, i64>,
    pub vendors: HashMap<String, i64>,
    pub customers: HashMap<String, i64>,
    pub users: HashMap<String, i64>,
    pub line_item_types: HashMap<String, i64>,
    /// (project number, activity full code) → cost code id.
    pub cost_codes: HashMap<(String, String), i64>,
    /// (project number, commitment number) → contract id.
    pub commitments: HashMap<(String, String), i64>,
    pub prime_contracts: HashMap<String, i64>,
}

pub(super) fn obj(pairs: &[(&str, Value)]) -> Map<String, Value> {
    pairs
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| ((*k).to_string(), v.clone()))
        .collect()
}

pub(super) fn dollars(cents: i64) -> f64 {
    cents as f64 / 100.0
}

fn base_type(kind: CostKind) -> &'static str {
    match kind {
        CostKind::Material => "materials",
        CostKind::Subcontractor => "commitment",
        CostKind::Equipment => "equipment",
        CostKind::Labour => "professional_services",
        CostKind::Miscellaneous => "other",
    }
}

pub(super) fn vendor(
    store: &mut Store,
    company_id: i64,
    code: &str,
    name: &str,
    address: &seed::Address,
    origin: Option<String>,
    extra: &[(&str, Value)],
) -> i64 {
    let mut fields = obj(&[
        ("name", json!(name)),
        ("abbreviated_name", json!(code)),
        ("address", json!(address.street)),
        ("city", json!(address.city)),
        ("state_code", json!(address.province)),
        ("country_code", json!(address.country)),
        ("zip", json!(address.postal_code)),
        ("business_phone", json!(address.phone)),
        ("is_active", json!(true)),
        ("origin_id", origin.map_or(Value::Null, Value::from)),
    ]);
    fields.extend(obj(extra));
    store.insert(
        new_row(Kind::Vendor, company_id, None, None, fields),
        ADMIN_USER_ID,
    )
}

/// Where a line goes: its kind, company, project and holder.
#[derive(Clone, Copy)]
pub(super) struct At {
    pub kind: Kind,
    pub company_id: i64,
    pub project_id: i64,
    pub parent: i64,
}

pub(super) fn line(
    store: &mut Store,
    at: At,
    l: &seed::ContractLine,
    ids: (i64, i64),
    position: usize,
) {
    let fields = obj(&[
        ("cost_code_id", json!(ids.0)),
        ("line_item_type_id", json!(ids.1)),
        ("description", json!(l.description)),
        ("quantity", json!(l.quantity)),
        ("unit_cost", json!(dollars(l.unit_cost_cents))),
        ("uom", json!(l.unit)),
        ("amount", json!(dollars(l.amount_cents))),
        ("extended_type", json!("manual")),
        ("position", json!(position)),
    ]);
    store.insert(
        new_row(
            at.kind,
            at.company_id,
            Some(at.project_id),
            Some(at.parent),
            fields,
        ),
        ADMIN_USER_ID,
    );
}

impl Emulator {
    /// Loads the Procore side of `company` into the emulated company `company_id`.
    pub fn load_seed(
        &self,
        company_id: i64,
        company: &seed::Company,
        options: &LoadOptions,
    ) -> Loaded {
        let mut store = self.lock_store();
        let mut out = Loaded::default();
        let standard = company.cost_codes.iter().map(|c| {
            let code = match options.cost_code_mode {
                CostCodeMode::Direct => c.full_code.as_str(),
                CostCodeMode::Concatenated => c.segment.as_str(),
            };
            (
                c.full_code.as_str(),
                code,
                c.name.as_str(),
                c.parent.as_deref(),
            )
        });
        store.set_standard_codes(company_id, standard_codes::standard_list(standard));
        for t in &company.cost_types {
            let fields = obj(&[
                ("name", json!(t.name)),
                ("code", json!(t.code)),
                ("base_type", json!(base_type(t.kind))),
            ]);
            out.line_item_types.insert(
                t.code.clone(),
                store.insert(
                    new_row(Kind::LineItemType, company_id, None, None, fields),
                    ADMIN_USER_ID,
                ),
            );
        }
        for s in &company.suppliers {
            if s.in_procore || !s.keywords.is_empty() {
                let origin = s.in_procore.then(|| format!("supplier:{}", s.code));
                out.vendors.insert(
                    s.code.clone(),
                    vendor(
                        &mut store,
                        company_id,
                        &s.code,
                        &s.name,
                        &s.address,
                        origin,
                        &[("notes", json!(s.keywords.join(" ")))],
                    ),
                );
            }
        }
        for c in company.customers.iter().filter(|c| c.in_procore) {
            out.customers.insert(
                c.code.clone(),
                vendor(
                    &mut store,
                    company_id,
                    &c.code,
                    &c.name,
                    &c.address,
                    Some(format!("customer:{}", c.code)),
                    &[("notes", json!("CLIENT"))],
                ),
            );
        }
        for e in company.employees.iter().filter(|e| e.in_procore) {
            let fields = obj(&[
                ("first_name", json!(e.first_name)),
                ("last_name", json!(e.last_name)),
                ("email_address", json!(e.email)),
                ("job_title", json!(e.job_title)),
                ("is_active", json!(true)),
                ("is_employee", json!(true)),
                ("employee_id", json!(e.code)),
                ("origin_id", json!(format!("employee:{}", e.code))),
            ]);
            out.users.insert(
                e.code.clone(),
                store.insert(
                    new_row(Kind::User, company_id, None, None, fields),
                    ADMIN_USER_ID,
                ),
            );
        }
        for p in company.projects.iter().filter(|p| p.in_procore) {
            let origin = Some(format!("project:{}", p.number));
            project(
                &mut store, company_id, p, origin, company, options, &mut out,
            );
        }
        // The showcase's companies and projects that exist in Procore alone (no origin_id).
        for s in &company.procore_companies {
            let extra = [
                ("notes", json!(s.keywords.join(" "))),
                ("license_number", json!(s.license_number)),
                ("is_active", json!(s.active)),
            ];
            let id = vendor(
                &mut store, company_id, &s.code, &s.name, &s.address, None, &extra,
            );
            out.vendors.insert(s.code.clone(), id);
        }
        for p in &company.procore_projects {
            project(&mut store, company_id, p, None, company, options, &mut out);
        }
        let ids = |out: &Loaded, project: &str, activity: &str, group: &str| {
            Some((
                *out.cost_codes
                    .get(&(project.to_string(), activity.to_string()))?,
                *out.line_item_types.get(group)?,
            ))
        };
        for b in company.budget_lines.iter().filter(|b| b.in_procore) {
            let (Some(&project_id), Some((cc, lit))) = (
                out.projects.get(&b.project_number),
                ids(&out, &b.project_number, &b.activity, &b.group),
            ) else {
                continue;
            };
            let amount = dollars(b.amount_cents);
            let fields = obj(&[
                ("cost_code_id", json!(cc)),
                ("line_item_type_id", json!(lit)),
                ("original_budget_amount", json!(amount)),
                ("quantity", json!(b.quantity)),
                ("uom", json!(b.unit)),
                ("unit_cost", json!(amount / b.quantity.max(1.0))),
                ("calculation_strategy", json!("manual")),
            ]);
            store.insert(
                new_row(
                    Kind::BudgetLineItem,
                    company_id,
                    Some(project_id),
                    None,
                    fields,
                ),
                ADMIN_USER_ID,
            );
        }
        self.load_costs_and_contracts(&mut store, company_id, company, &mut out);
        drop(store);
        self.changed();
        out
    }
}

/// One project with the company's cost codes (by `options`' mode), recorded in `out`.
fn project(
    store: &mut Store,
    company_id: i64,
    p: &seed::Project,
    origin: Option<String>,
    company: &seed::Company,
    options: &LoadOptions,
    out: &mut Loaded,
) {
    let fields = obj(&[
        ("name", json!(p.name)),
        ("project_number", json!(p.number)),
        ("description", json!(p.description)),
        ("address", json!(p.address)),
        ("city", json!(p.city)),
        ("state_code", json!(p.province)),
        ("country_code", json!(p.country)),
        ("zip", json!(p.postal_code)),
        ("phone", json!(p.phone)),
        ("start_date", json!(p.start_date.to_string())),
        ("completion_date", json!(p.closing_date.to_string())),
        ("active", json!(p.active)),
        ("origin_id", origin.map_or(Value::Null, Value::from)),
    ]);
    let project_id = store.insert(
        new_row(Kind::Project, company_id, None, None, fields),
        ADMIN_USER_ID,
    );
    out.projects.insert(p.number.clone(), project_id);
    let mut by_full: HashMap<String, i64> = HashMap::new();
    for c in &company.cost_codes {
        let code = match options.cost_code_mode {
            CostCodeMode::Direct => c.full_code.clone(),
            CostCodeMode::Concatenated => c.segment.clone(),
        };
        let parent = c.parent.as_ref().and_then(|p| by_full.get(p)).copied();
        let fields = obj(&[
            ("code", json!(code)),
            ("name", json!(c.name)),
            ("parent_id", parent.map_or(Value::Null, Value::from)),
        ]);
        let id = store.insert(
            new_row(Kind::CostCode, company_id, Some(project_id), None, fields),
            ADMIN_USER_ID,
        );
        by_full.insert(c.full_code.clone(), id);
        out.cost_codes
            .insert((p.number.clone(), c.full_code.clone()), id);
    }
}
