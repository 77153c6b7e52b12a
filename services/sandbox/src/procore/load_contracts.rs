//! Loads what lives only in Procore (or was already sent there) from a seeded company: direct
//! costs for synchronized transactions, commitments with their lines and change orders, and prime
//! contracts. Suppliers a commitment names but that are not linked yet are created unlinked.

use serde_json::{Value, json};

use super::Emulator;
use super::admin::ADMIN_USER_ID;
use super::load::{At, Loaded, line, obj, vendor};
use super::store::{Kind, Store, new_row};
use crate::seed::{self, CommitmentKind};

impl Emulator {
    pub(super) fn load_costs_and_contracts(
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
                    let id = vendor(
                        store,
                        company_id,
                        &s.code,
                        &s.name,
                        &s.address,
                        None,
                        &[("notes", json!(""))],
                    );
                    out.vendors.insert(s.code.clone(), id);
                    id
                }
            };
            store.project_vendors.insert((project_id, vendor_id));
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
                (
                    "description",
                    if c.description.is_empty() {
                        Value::Null
                    } else {
                        json!(c.description)
                    },
                ),
                (
                    "retainage_percent",
                    c.retainage_percent.map_or(Value::Null, Value::from),
                ),
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
            // A linked customer, or (showcase) a company that exists in Procore only. A prime
            // contract always has an owner in Procore: a customer not yet linked exists there
            // as a company of its own under the same code (the bridge links it by code).
            let owner = out
                .customers
                .get(&p.customer_code)
                .or_else(|| out.vendors.get(&p.customer_code))
                .copied()
                .or_else(|| {
                    let c = company
                        .customers
                        .iter()
                        .find(|c| c.code == p.customer_code)?;
                    let id = vendor(store, company_id, &c.code, &c.name, &c.address, None, &[]);
                    out.customers.insert(c.code.clone(), id);
                    Some(id)
                });
            if let Some(owner) = owner {
                store.project_vendors.insert((project_id, owner));
            }
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
