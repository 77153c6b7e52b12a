//! Loads the Procore side of a [`seed::Company`](crate::seed::Company): what already exists in
//! Procore (records flagged `in_procore`, with the `origin_id` the bridge would have set), the
//! cost codes and cost types of every Procore project, and the commitments, change orders and
//! prime contracts that live only in Procore.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::Emulator;
use super::admin::ADMIN_USER_ID;
use super::store::{Kind, Store, new_row};
use crate::seed::{self, CommitmentKind, CostKind};

/// How maestro* activities map onto Procore cost codes (ENTITIES.md §4).
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

fn obj(pairs: &[(&str, Value)]) -> Map<String, Value> {
    pairs
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| ((*k).to_string(), v.clone()))
        .collect()
}

fn dollars(cents: i64) -> f64 {
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

fn vendor(
    store: &mut Store,
    company_id: i64,
    code: &str,
    name: &str,
    address: &seed::Address,
    origin: Option<String>,
    notes: &str,
) -> i64 {
    let fields = obj(&[
        ("name", json!(name)),
        ("abbreviated_name", json!(code)),
        ("address", json!(address.street)),
        ("city", json!(address.city)),
        ("state_code", json!(address.province)),
        ("country_code", json!(address.country)),
        ("zip", json!(address.postal_code)),
        ("business_phone", json!(address.phone)),
        ("is_active", json!(true)),
        ("notes", json!(notes)),
        ("origin_id", origin.map_or(Value::Null, Value::from)),
    ]);
    store.insert(
        new_row(Kind::Vendor, company_id, None, None, fields),
        ADMIN_USER_ID,
    )
}

/// Where a line goes: its kind, company, project and holder.
#[derive(Clone, Copy)]
struct At {
    kind: Kind,
    company_id: i64,
    project_id: i64,
    parent: i64,
}

fn line(store: &mut Store, at: At, l: &seed::ContractLine, ids: (i64, i64), position: usize) {
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
                        &s.keywords.join(" "),
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
                    "CLIENT",
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
                ("origin_id", json!(format!("project:{}", p.number))),
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

    fn load_costs_and_contracts(
        &self,
        store: &mut Store,
        company_id: i64,
        company: &seed::Company,
        out: &mut Loaded,
    ) {
        let line_ids = |out: &Loaded, project: &str, l: &seed::ContractLine| {
            Some((
                *out.cost_codes
                    .get(&(project.to_string(), l.activity.clone()))?,
                *out.line_item_types.get(&l.group)?,
            ))
        };
        for t in company.transactions.iter().filter(|t| t.in_procore) {
            let Some(&project_id) = out.projects.get(&t.project_number) else {
                continue;
            };
            let direct_type = match t.type_code.as_str() {
                "1" | ";" | "7" => "invoice",
                "4" | "B" | "5" => "payroll",
                _ => "expense",
            };
            let vendor = t
                .supplier_code
                .as_ref()
                .and_then(|c| out.vendors.get(c))
                .copied();
            let employee = t
                .employee_code
                .as_ref()
                .and_then(|c| out.users.get(c))
                .copied();
            let fields = obj(&[
                ("direct_cost_type", json!(direct_type)),
                ("status", json!("approved")),
                ("vendor_id", vendor.map_or(Value::Null, Value::from)),
                ("employee_id", employee.map_or(Value::Null, Value::from)),
                (
                    "invoice_number",
                    t.invoice_number.as_ref().map_or(Value::Null, |n| json!(n)),
                ),
                ("direct_cost_date", json!(t.accounting_date.to_string())),
                ("description", json!(t.description)),
                ("origin_id", json!(format!("project_cost:{}", t.key))),
            ]);
            let dc = store.insert(
                new_row(Kind::DirectCost, company_id, Some(project_id), None, fields),
                ADMIN_USER_ID,
            );
            let l = seed::ContractLine {
                activity: t.activity.clone(),
                group: t.group.clone(),
                description: t.description.clone(),
                quantity: t.quantity.unwrap_or(1.0),
                unit: "ls".into(),
                unit_cost_cents: t.amount_cents,
                amount_cents: t.amount_cents,
            };
            if let Some(ids) = line_ids(out, &t.project_number, &l) {
                line(
                    store,
                    At {
                        kind: Kind::DirectCostLineItem,
                        company_id,
                        project_id,
                        parent: dc,
                    },
                    &l,
                    ids,
                    1,
                );
            }
        }
        for c in &company.commitments {
            let Some(&project_id) = out.projects.get(&c.project_number) else {
                continue;
            };
            let vendor_id = match out.vendors.get(&c.supplier_code) {
                Some(id) => *id,
                None => {
                    // The supplier exists in Procore but is not linked yet (same code on both sides).
                    let Some(s) = company.suppliers.iter().find(|s| s.code == c.supplier_code)
                    else {
                        continue;
                    };
                    let id = vendor(store, company_id, &s.code, &s.name, &s.address, None, "");
                    out.vendors.insert(s.code.clone(), id);
                    id
                }
            };
            let (kind, line_kind) = match c.kind {
                CommitmentKind::Subcontract => {
                    (Kind::WorkOrderContract, Kind::WorkOrderContractLineItem)
                }
                CommitmentKind::PurchaseOrder => (
                    Kind::PurchaseOrderContract,
                    Kind::PurchaseOrderContractLineItem,
                ),
            };
            let fields = obj(&[
                ("number", json!(c.number)),
                ("title", json!(c.title)),
                ("vendor_id", json!(vendor_id)),
                (
                    "status",
                    json!(if c.approved { "Approved" } else { "Draft" }),
                ),
                ("executed", json!(c.approved)),
                ("contract_date", json!(c.contract_date.to_string())),
                ("accounting_method", json!("amount")),
            ]);
            let id = store.insert(
                new_row(kind, company_id, Some(project_id), None, fields),
                ADMIN_USER_ID,
            );
            out.commitments
                .insert((c.project_number.clone(), c.number.clone()), id);
            for (i, l) in c.lines.iter().enumerate() {
                if let Some(ids) = line_ids(out, &c.project_number, l) {
                    line(
                        store,
                        At {
                            kind: line_kind,
                            company_id,
                            project_id,
                            parent: id,
                        },
                        l,
                        ids,
                        i + 1,
                    );
                }
            }
            change_orders(
                store,
                company_id,
                project_id,
                id,
                &c.project_number,
                &c.change_orders,
                out,
            );
        }
        for p in &company.prime_contracts {
            let Some(&project_id) = out.projects.get(&p.project_number) else {
                continue;
            };
            let owner = out.customers.get(&p.customer_code).copied();
            let fields = obj(&[
                ("number", json!(p.number)),
                ("title", json!(p.title)),
                ("vendor_id", owner.map_or(Value::Null, Value::from)),
                (
                    "status",
                    json!(if p.approved { "Approved" } else { "Draft" }),
                ),
                ("executed", json!(p.approved)),
                ("accounting_method", json!("amount")),
            ]);
            let id = store.insert(
                new_row(
                    Kind::PrimeContract,
                    company_id,
                    Some(project_id),
                    None,
                    fields,
                ),
                ADMIN_USER_ID,
            );
            out.prime_contracts.insert(p.project_number.clone(), id);
            for (i, l) in p.lines.iter().enumerate() {
                if let Some(ids) = line_ids(out, &p.project_number, l) {
                    line(
                        store,
                        At {
                            kind: Kind::PrimeContractLineItem,
                            company_id,
                            project_id,
                            parent: id,
                        },
                        l,
                        ids,
                        i + 1,
                    );
                }
            }
            change_orders(
                store,
                company_id,
                project_id,
                id,
                &p.project_number,
                &p.change_orders,
                out,
            );
        }
    }
}

fn change_orders(
    store: &mut Store,
    company_id: i64,
    project_id: i64,
    contract_id: i64,
    project: &str,
    orders: &[seed::ChangeOrder],
    out: &Loaded,
) {
    for co in orders {
        let status = if co.approved { "approved" } else { "pending" };
        let fields = obj(&[
            ("contract_id", json!(contract_id)),
            ("number", json!(co.number)),
            ("title", json!(co.title)),
            ("status", json!(status)),
            ("executed", json!(co.approved)),
        ]);
        let id = store.insert(
            new_row(
                Kind::ChangeOrder,
                company_id,
                Some(project_id),
                None,
                fields,
            ),
            ADMIN_USER_ID,
        );
        for (i, l) in co.lines.iter().enumerate() {
            let ids = out
                .cost_codes
                .get(&(project.to_string(), l.activity.clone()))
                .zip(out.line_item_types.get(&l.group));
            if let Some((cc, lit)) = ids {
                line(
                    store,
                    At {
                        kind: Kind::ChangeOrderLineItem,
                        company_id,
                        project_id,
                        parent: id,
                    },
                    l,
                    (*cc, *lit),
                    i + 1,
                );
            }
        }
    }
}
