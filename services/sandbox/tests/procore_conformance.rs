//! Conformance: every implemented operation of the emulator is called, and its status and body
//! are checked against Procore's per-operation schema extracts (read from
//! `$PROCORE_OPENAPI_DIR`, by default `../shared/procore-openapi/endpoint-details` next to the
//! workspace). The checker understands the simplified schema the extracts use: `type`,
//! `properties`, `required`, `items`, `enum` and the `date` / `date-time` formats. A `null` is
//! accepted for a property that is not required, and the extracts' depth-limit placeholders
//! (`(nested object)`) constrain nothing.

use std::path::PathBuf;

use bridge_sandbox::procore::{Config, Emulator, Kind, LoadOptions, serve};
use bridge_sandbox::seed::{SeedConfig, generate};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

fn extracts_dir() -> PathBuf {
    match std::env::var_os("PROCORE_OPENAPI_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/procore-openapi/endpoint-details"),
    }
}

/// What the conformance test does about the schema extracts.
#[derive(Debug, PartialEq, Eq)]
enum Extracts {
    /// They are there: check every operation.
    Check,
    /// Absent on a developer's machine (a plain clone has nothing beside it): say so and stop.
    Skip(String),
    /// Absent under CI, where the check must never quietly stop running.
    Missing(String),
}

/// Decides from whether `dir` exists and the value of the `CI` variable (set and neither empty,
/// `0` nor `false` means CI).
fn extracts_decision(dir: &std::path::Path, exists: bool, ci: Option<&str>) -> Extracts {
    if exists {
        return Extracts::Check;
    }
    let why = format!(
        "the Procore schema extracts are not at {} (set PROCORE_OPENAPI_DIR to their endpoint-details directory)",
        dir.display()
    );
    let under_ci =
        ci.is_some_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"));
    if under_ci {
        Extracts::Missing(why)
    } else {
        Extracts::Skip(why)
    }
}

fn load_extract(name: &str) -> Value {
    let path = extracts_dir().join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e} (set PROCORE_OPENAPI_DIR)", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()))
}

/// Checks `value` against a simplified schema, pushing `path: problem` lines into `errors`.
fn check(schema: &Value, value: &Value, path: &str, errors: &mut Vec<String>) {
    // The extracts stop at a fixed depth; deeper objects are placeholders, not constraints.
    if value.is_null()
        || schema.get("description").and_then(Value::as_str) == Some("(nested object)")
    {
        return;
    }
    let ty = schema.get("type").and_then(Value::as_str);
    let ok = match ty {
        Some("integer") => value.is_i64() || value.is_u64(),
        Some("number") => value.is_number(),
        Some("string") => value.is_string(),
        Some("boolean") => value.is_boolean(),
        Some("array") => value.is_array(),
        Some("object") => value.is_object(),
        _ => true,
    };
    if !ok {
        errors.push(format!(
            "{path}: expected {}, got {value}",
            ty.unwrap_or("?")
        ));
        return;
    }
    if let (Some(allowed), Some(s)) = (schema.get("enum").and_then(Value::as_array), value.as_str())
        && !allowed.iter().any(|a| a.as_str() == Some(s))
    {
        errors.push(format!("{path}: {s:?} is not one of {allowed:?}"));
    }
    if let (Some(format), Some(s)) = (schema.get("format").and_then(Value::as_str), value.as_str())
    {
        let valid = match format {
            "date-time" => chrono::DateTime::parse_from_rfc3339(s).is_ok(),
            "date" => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok(),
            _ => true,
        };
        if !valid {
            errors.push(format!("{path}: {s:?} is not a {format}"));
        }
    }
    if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
        for (i, item) in array.iter().enumerate() {
            check(items, item, &format!("{path}[{i}]"), errors);
        }
    }
    if let Some(object) = value.as_object() {
        for name in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if object.get(name).is_none_or(Value::is_null) {
                errors.push(format!("{path}.{name}: required but missing"));
            }
        }
        for (name, sub) in schema
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if let Some(v) = object.get(name) {
                check(sub, v, &format!("{path}.{name}"), errors);
            }
        }
    }
}

/// Whether a concrete path matches the extract's template (`{x}` = one segment).
fn path_matches(template: &str, concrete: &str) -> bool {
    let (t, c): (Vec<&str>, Vec<&str>) =
        (template.split('/').collect(), concrete.split('/').collect());
    t.len() == c.len()
        && t.iter()
            .zip(&c)
            .all(|(a, b)| (a.starts_with('{') && a.ends_with('}')) || a == b)
}

struct Harness {
    base: String,
    company: i64,
    token: String,
    http: reqwest::Client,
    checked: usize,
    operations: std::collections::BTreeSet<String>,
    failures: Vec<String>,
    _shutdown: tokio_util::sync::DropGuard,
}

impl Harness {
    /// Calls the operation and checks the answer against extract `name`; returns the body.
    async fn op(
        &mut self,
        name: &str,
        method: &str,
        path_and_query: &str,
        body: Option<Value>,
    ) -> Value {
        let extract = load_extract(name);
        let path = path_and_query.split('?').next().unwrap_or_default();
        assert_eq!(extract["method"].as_str(), Some(method), "{name}: method");
        let template = extract["path"].as_str().unwrap_or_default();
        assert!(
            path_matches(template, path),
            "{name}: {path} does not match {template}"
        );
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self
            .http
            .request(method, format!("{}{}", self.base, path_and_query))
            .bearer_auth(&self.token)
            .header("Procore-Company-Id", self.company.to_string());
        if let Some(b) = &body {
            request = request.json(b);
        }
        let response = request.send().await.expect("send");
        let status = response.status().as_u16().to_string();
        let text = response.text().await.expect("body");
        let value: Value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::Null)
        };
        self.checked += 1;
        self.operations.insert(name.to_string());
        let Some(documented) = extract["responses"].get(&status) else {
            self.failures.push(format!(
                "{name}: status {status} is not documented ({text})"
            ));
            return value;
        };
        if !status.starts_with('2') {
            self.failures
                .push(format!("{name}: unexpected status {status}: {text}"));
        }
        if let Some(schema) = documented.get("schema").filter(|s| !s.is_null()) {
            let mut errors = Vec::new();
            check(schema, &value, name, &mut errors);
            self.failures.extend(errors);
        }
        value
    }
}

fn id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap_or_else(|| panic!("no id in {v}"))
}

#[tokio::test]
async fn every_implemented_operation_matches_the_official_schema() {
    let dir = extracts_dir();
    let ci = std::env::var("CI").ok();
    match extracts_decision(&dir, dir.is_dir(), ci.as_deref()) {
        Extracts::Check => {}
        Extracts::Skip(why) => {
            println!("skipped: {why}");
            return;
        }
        Extracts::Missing(why) => panic!("CI is set and {why}"),
    }
    let emu = Emulator::new(Config::fast());
    let company = emu.add_company("Constructions Boreal inc.");
    emu.register_client("bridge", "s3cret", &[company]);
    let seed = generate(&SeedConfig {
        synchronized_fraction: 1.0,
        ..SeedConfig::for_projects(2)
    });
    let loaded = emu.load_seed(company, &seed, &LoadOptions::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let shutdown = CancellationToken::new();
    tokio::spawn(serve(listener, emu.clone(), shutdown.clone()));
    let http = reqwest::Client::new();
    let token: Value = http
        .post(format!("{base}/oauth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "bridge"),
            ("client_secret", "s3cret"),
        ])
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    let mut h = Harness {
        base,
        company,
        token: token["access_token"].as_str().expect("token").into(),
        http,
        checked: 0,
        operations: Default::default(),
        failures: Vec::new(),
        _shutdown: shutdown.drop_guard(),
    };

    let project_number = seed.projects[0].number.clone();
    let p = loaded.projects[&project_number];
    let leaf = seed.cost_codes.iter().find(|c| c.leaf).expect("leaf");
    let cc = loaded.cost_codes[&(project_number.clone(), leaf.full_code.clone())];
    let lit = loaded.line_item_types["MAT"];
    let c = company;

    // Projects
    h.op(
        "RestV10ProjectsGet",
        "GET",
        &format!("/rest/v1.0/projects?company_id={c}"),
        None,
    )
    .await;
    h.op(
        "RestV11ProjectsGet",
        "GET",
        &format!("/rest/v1.1/projects?company_id={c}"),
        None,
    )
    .await;
    h.op(
        "RestV10ProjectsIdGet",
        "GET",
        &format!("/rest/v1.0/projects/{p}?company_id={c}"),
        None,
    )
    .await;
    let newp = h.op("RestV10ProjectsPost", "POST", "/rest/v1.0/projects", Some(json!({ "company_id": c, "project": { "name": "Nouveau", "project_number": "26-9999", "start_date": "2026-01-05", "completion_date": "2026-12-18", "origin_id": "project:26-9999" } }))).await;
    h.op(
        "RestV10ProjectsIdPatch",
        "PATCH",
        &format!("/rest/v1.0/projects/{}", id(&newp)),
        Some(json!({ "company_id": c, "project": { "city": "Laval" } })),
    )
    .await;
    h.op("RestV10ProjectsSyncPatch", "PATCH", "/rest/v1.0/projects/sync", Some(json!({ "company_id": c, "updates": [{ "origin_id": "project:26-9999", "name": "Nouveau 2" }, { "project_number": "x" }] }))).await;

    // Vendors and users
    h.op(
        "RestV10VendorsGet",
        "GET",
        &format!("/rest/v1.0/vendors?company_id={c}&per_page=5"),
        None,
    )
    .await;
    let v = h.op("RestV10VendorsPost", "POST", "/rest/v1.0/vendors", Some(json!({ "company_id": c, "vendor": { "name": "Beton Nord", "abbreviated_name": "BNORD", "origin_id": "supplier:BNORD" } }))).await;
    let v = id(&v);
    h.op(
        "RestV10VendorsIdGet",
        "GET",
        &format!("/rest/v1.0/vendors/{v}?company_id={c}"),
        None,
    )
    .await;
    h.op(
        "RestV10VendorsIdPatch",
        "PATCH",
        &format!("/rest/v1.0/vendors/{v}"),
        Some(json!({ "company_id": c, "vendor": { "notes": "NOTMAESTRO" } })),
    )
    .await;
    h.op("RestV10VendorsSyncPatch", "PATCH", "/rest/v1.0/vendors/sync", Some(json!({ "company_id": c, "updates": [{ "origin_id": "supplier:BNORD", "city": "Quebec" }, { "city": "no name" }] }))).await;
    let on_project = h
        .op(
            "RestV10ProjectsProjectIdVendorsPost",
            "POST",
            &format!("/rest/v1.0/projects/{p}/vendors"),
            Some(json!({ "vendor": { "name": "Sur le chantier", "abbreviated_name": "CHANT" } })),
        )
        .await;
    let listed = h
        .op(
            "RestV10ProjectsProjectIdVendorsGet",
            "GET",
            &format!("/rest/v1.0/projects/{p}/vendors"),
            None,
        )
        .await;
    assert!(
        listed
            .as_array()
            .is_some_and(|l| l.iter().any(|v| v["id"] == on_project["id"]))
    );
    assert!(!emu.vendor_on_project(p, v));
    let added = h
        .http
        .post(format!(
            "{}/rest/v1.0/projects/{p}/vendors/{v}/actions/add",
            h.base
        ))
        .bearer_auth(&h.token)
        .header("Procore-Company-Id", c.to_string())
        .send()
        .await
        .expect("add");
    assert_eq!(added.status(), 200);
    assert!(emu.vendor_on_project(p, v));
    let users = format!("/rest/v1.0/companies/{c}/users");
    h.op("RestV10CompaniesCompanyIdUsersGet", "GET", &users, None)
        .await;
    let u = h.op("RestV10CompaniesCompanyIdUsersPost", "POST", &users, Some(json!({ "user": { "first_name": "Luc", "last_name": "Roy", "email_address": "luc@example.com", "is_employee": true, "employee_id": "2001" } }))).await;
    h.op(
        "RestV10CompaniesCompanyIdUsersIdGet",
        "GET",
        &format!("{users}/{}", id(&u)),
        None,
    )
    .await;
    h.op(
        "RestV10CompaniesCompanyIdUsersIdPatch",
        "PATCH",
        &format!("{users}/{}", id(&u)),
        Some(json!({ "user": { "job_title": "Contremaitre" } })),
    )
    .await;
    h.op("RestV10CompaniesCompanyIdUsersSyncPatch", "PATCH", &format!("{users}/sync"), Some(json!({ "updates": [{ "last_name": "Gagnon", "email_address": "g@example.com", "origin_id": "employee:2002" }] }))).await;

    for version in ["V11", "V12", "V13"] {
        let dotted = format!("v1.{}", &version[2..]);
        h.op(
            &format!("Rest{version}CompaniesCompanyIdUsersGet"),
            "GET",
            &format!("/rest/{dotted}/companies/{c}/users"),
            None,
        )
        .await;
        h.op(
            &format!("Rest{version}CompaniesCompanyIdUsersIdGet"),
            "GET",
            &format!("/rest/{dotted}/companies/{c}/users/{}", id(&u)),
            None,
        )
        .await;
    }
    h.op(
        "RestV10UsersGet",
        "GET",
        &format!("/rest/v1.0/users?company_id={c}"),
        None,
    )
    .await;

    // Cost codes and cost types
    h.op(
        "RestV10CostCodesGet",
        "GET",
        &format!("/rest/v1.0/cost_codes?project_id={p}"),
        None,
    )
    .await;
    h.op(
        "RestV10CostCodesIdGet",
        "GET",
        &format!("/rest/v1.0/cost_codes/{cc}?project_id={p}"),
        None,
    )
    .await;
    let ncc = h.op("RestV10CostCodesPost", "POST", "/rest/v1.0/cost_codes", Some(json!({ "project_id": p, "cost_code": { "code": "999", "name": "Extra", "parent_id": cc } }))).await;
    h.op(
        "RestV10CostCodesIdPatch",
        "PATCH",
        &format!("/rest/v1.0/cost_codes/{}", id(&ncc)),
        Some(json!({ "project_id": p, "cost_code": { "name": "Extra 2" } })),
    )
    .await;
    h.op("RestV10CostCodesSyncPatch", "PATCH", &format!("/rest/v1.0/cost_codes/sync?project_id={p}"), Some(json!({ "project_id": p, "updates": [{ "code": "998", "name": "Sync", "origin_id": "cc:998" }] }))).await;
    h.op(
        "RestV10LineItemTypesGet",
        "GET",
        &format!("/rest/v1.0/line_item_types?company_id={c}"),
        None,
    )
    .await;
    h.op(
        "RestV10LineItemTypesIdGet",
        "GET",
        &format!("/rest/v1.0/line_item_types/{lit}?company_id={c}"),
        None,
    )
    .await;
    let nlit = h.op("RestV10LineItemTypesPost", "POST", "/rest/v1.0/line_item_types", Some(json!({ "company_id": c, "line_item_type": { "name": "Location", "code": "LOC", "base_type": "equipment" } }))).await;
    h.op(
        "RestV10LineItemTypesIdPatch",
        "PATCH",
        &format!("/rest/v1.0/line_item_types/{}", id(&nlit)),
        Some(json!({ "company_id": c, "line_item_type": { "name": "Locations" } })),
    )
    .await;
    h.op("RestV10LineItemTypesSyncPatch", "PATCH", "/rest/v1.0/line_item_types/sync", Some(json!({ "company_id": c, "updates": [{ "name": "Transport", "code": "TRA", "origin_id": "group:TRA" }] }))).await;

    // Budget
    let views = h
        .op(
            "RestV10BudgetViewsGet",
            "GET",
            &format!("/rest/v1.0/budget_views?project_id={p}"),
            None,
        )
        .await;
    let view = id(&views[0]);
    let rows = h
        .op(
            "RestV10BudgetViewsBudgetViewIdDetailRowsGet",
            "GET",
            &format!("/rest/v1.0/budget_views/{view}/detail_rows?project_id={p}"),
            None,
        )
        .await;
    assert!(
        rows.as_array()
            .is_some_and(|r| !r.is_empty() && r[0].get("Approved COs").is_some()),
        "detail rows carry Approved COs"
    );
    let columns = h
        .op(
            "RestV10BudgetViewsBudgetViewIdBudgetDetailColumnsGet",
            "GET",
            &format!("/rest/v1.0/budget_views/{view}/budget_detail_columns?project_id={p}"),
            None,
        )
        .await;
    assert!(
        columns
            .as_array()
            .is_some_and(|c| c.iter().any(|c| c["name"] == "Approved COs"))
    );
    let equ = loaded.line_item_types["EQU"];
    let bli = h.op("RestV10BudgetLineItemsPost", "POST", "/rest/v1.0/budget_line_items", Some(json!({ "project_id": p, "budget_line_item": { "cost_code_id": id(&ncc), "line_item_type_id": equ, "original_budget_amount": 1500.0, "quantity": 3, "uom": "h", "unit_cost": 500 } }))).await;
    h.op(
        "RestV10BudgetLineItemsIdGet",
        "GET",
        &format!("/rest/v1.0/budget_line_items/{}?project_id={p}", id(&bli)),
        None,
    )
    .await;
    h.op(
        "RestV10BudgetLineItemsIdPatch",
        "PATCH",
        &format!("/rest/v1.0/budget_line_items/{}?project_id={p}", id(&bli)),
        Some(json!({ "project_id": p, "budget_line_item": { "original_budget_amount": 1750.0 } })),
    )
    .await;
    h.op("RestV10BudgetLineItemsSyncPost", "POST", &format!("/rest/v1.0/budget_line_items/sync?project_id={p}"), Some(json!({ "project_id": p, "budget_line_items": [{ "id": id(&bli), "original_budget_amount": 1800.0 }] }))).await;

    // Commitments
    let woc = emu_first(&emu, Kind::WorkOrderContract, p);
    let poc = emu_first(&emu, Kind::PurchaseOrderContract, p);
    for (kind, prefix, key, contract) in [
        (
            "WorkOrderContracts",
            "work_order_contracts",
            "work_order_contract",
            woc,
        ),
        (
            "PurchaseOrderContracts",
            "purchase_order_contracts",
            "purchase_order_contract",
            poc,
        ),
    ] {
        let base = format!("/rest/v1.0/{prefix}");
        h.op(
            &format!("RestV10{kind}Get"),
            "GET",
            &format!("{base}?project_id={p}"),
            None,
        )
        .await;
        h.op(
            &format!("RestV10{kind}IdGet"),
            "GET",
            &format!("{base}/{contract}?project_id={p}"),
            None,
        )
        .await;
        let created = h.op(&format!("RestV10{kind}Post"), "POST", &base, Some(json!({ "project_id": p, key: { "number": "N-1", "title": "Nouveau", "vendor_id": v, "origin_id": format!("{key}:N-1") } }))).await;
        let new_id = id(&created);
        h.op(
            &format!("RestV10{kind}IdPatch"),
            "PATCH",
            &format!("{base}/{new_id}"),
            Some(json!({ "project_id": p, key: { "title": "Renomme" } })),
        )
        .await;
        h.op(&format!("RestV10{kind}SyncPatch"), "PATCH", "{base}/sync".replace("{base}", &base).as_str(), Some(json!({ "project_id": p, "updates": [{ "origin_id": format!("{key}:N-1"), "description": "sync" }] }))).await;
        let singular = if prefix == "work_order_contracts" {
            "WorkOrderContract"
        } else {
            "PurchaseOrderContract"
        };
        let lines = format!("{base}/{new_id}/line_items");
        h.op(
            &format!("RestV10{kind}{singular}IdLineItemsGet"),
            "GET",
            &format!("{lines}?project_id={p}"),
            None,
        )
        .await;
        let line = h.op(&format!("RestV10{kind}{singular}IdLineItemsPost"), "POST", &format!("{lines}?project_id={p}"), Some(json!({ "project_id": p, "line_item": { "amount": 1200.5, "description": "Travaux", "cost_code_id": cc, "line_item_type_id": lit } }))).await;
        h.op(
            &format!("RestV10{kind}{singular}IdLineItemsIdGet"),
            "GET",
            &format!("{lines}/{}?project_id={p}", id(&line)),
            None,
        )
        .await;
        h.op(
            &format!("RestV10{kind}{singular}IdLineItemsIdPatch"),
            "PATCH",
            &format!("{lines}/{}?project_id={p}", id(&line)),
            Some(json!({ "project_id": p, "line_item": { "amount": 1300 } })),
        )
        .await;
        h.op(&format!("RestV10{kind}{singular}IdLineItemsSyncPatch"), "PATCH", &format!("{lines}/sync?project_id={p}"), Some(json!({ "updates": [{ "description": "Ajout", "amount": 10, "cost_code_id": cc, "line_item_type_id": lit }] }))).await;
        h.op(
            &format!("RestV10{kind}{singular}IdLineItemsIdDelete"),
            "DELETE",
            &format!("{lines}/{}?project_id={p}", id(&line)),
            None,
        )
        .await;
        h.op(
            &format!("RestV10{kind}IdDelete"),
            "DELETE",
            &format!("{base}/{new_id}?project_id={p}"),
            None,
        )
        .await;
    }

    // Change orders
    let cco_base = format!("/rest/v1.0/projects/{p}/commitment_change_orders");
    h.op(
        "RestV10ProjectsProjectIdCommitmentChangeOrdersGet",
        "GET",
        &cco_base,
        None,
    )
    .await;
    let cco = h.op("RestV10ProjectsProjectIdCommitmentChangeOrdersPost", "POST", &cco_base, Some(json!({ "change_order": { "contract_id": woc, "title": "Extra", "status": "approved" } }))).await;
    h.op(
        "RestV10ProjectsProjectIdCommitmentChangeOrdersIdGet",
        "GET",
        &format!("{cco_base}/{}", id(&cco)),
        None,
    )
    .await;
    h.op(
        "RestV10ProjectsProjectIdCommitmentChangeOrdersIdPatch",
        "PATCH",
        &format!("{cco_base}/{}", id(&cco)),
        Some(json!({ "change_order": { "title": "Extra 2" } })),
    )
    .await;
    h.op(
        "RestV10ChangeOrderPackagesGet",
        "GET",
        &format!("/rest/v1.0/change_order_packages?project_id={p}"),
        None,
    )
    .await;
    h.op(
        "RestV10ChangeOrderPackagesIdGet",
        "GET",
        &format!(
            "/rest/v1.0/change_order_packages/{}?project_id={p}",
            id(&cco)
        ),
        None,
    )
    .await;
    h.op(
        "RestV10ChangeOrderPackagesIdPatch",
        "PATCH",
        &format!(
            "/rest/v1.0/change_order_packages/{}?project_id={p}",
            id(&cco)
        ),
        Some(json!({ "project_id": p, "change_order": { "description": "d" } })),
    )
    .await;
    h.op("RestV10ChangeOrderPackagesPost", "POST", "/rest/v1.0/change_order_packages", Some(json!({ "project_id": p, "contract_id": woc, "change_order": { "contract_id": woc, "title": "Pkg" } }))).await;
    h.op(
        "RestV10ProjectsProjectIdCommitmentChangeOrdersIdDelete",
        "DELETE",
        &format!("{cco_base}/{}", id(&cco)),
        None,
    )
    .await;

    // v2.0 change-order lines (string ids, `data` envelope, WBS code = budget line)
    let wbs = rows[0]["wbs_code_id"].as_i64().expect("wbs code id");
    let cco2 = h.op("RestV10ProjectsProjectIdCommitmentChangeOrdersPost", "POST", &cco_base, Some(json!({ "change_order": { "contract_id": woc, "title": "Lines", "status": "pending" } }))).await;
    let v2 = format!(
        "/rest/v2.0/companies/{c}/projects/{p}/commitment_change_orders/{}/line_items",
        id(&cco2)
    );
    let added = h.op("RestV20CompaniesCompanyIdProjectsProjectIdCommitmentChangeOrdersCommitmentChangeOrderIdLineItemsPost", "POST", &v2, Some(json!({ "wbs_code_id": wbs.to_string(), "amount": "250.00", "description": "Extra" }))).await;
    let line_id = added["data"]["id"].as_str().expect("string id").to_string();
    assert_eq!(added["data"]["wbs_code_id"], json!(wbs.to_string()));
    h.op("RestV20CompaniesCompanyIdProjectsProjectIdCommitmentChangeOrdersCommitmentChangeOrderIdLineItemsGet", "GET", &v2, None).await;
    h.op("RestV20CompaniesCompanyIdProjectsProjectIdCommitmentChangeOrdersCommitmentChangeOrderIdLineItemsIdGet", "GET", &format!("{v2}/{line_id}"), None).await;
    h.op("RestV20CompaniesCompanyIdProjectsProjectIdCommitmentChangeOrdersCommitmentChangeOrderIdLineItemsIdPatch", "PATCH", &format!("{v2}/{line_id}"), Some(json!({ "amount": "300" }))).await;
    h.op("RestV20CompaniesCompanyIdProjectsProjectIdCommitmentChangeOrdersCommitmentChangeOrderIdLineItemsIdDelete", "DELETE", &format!("{v2}/{line_id}"), None).await;

    // Prime contract and prime change orders
    let prime = match emu.list_ids(Kind::PrimeContract, p).first() {
        Some(id) => *id,
        None => id(&h.op("RestV10PrimeContractPost", "POST", "/rest/v1.0/prime_contract", Some(json!({ "project_id": p, "prime_contract": { "number": project_number, "title": "Principal", "status": "Approved" } }))).await),
    };
    h.op(
        "RestV10PrimeContractsGet",
        "GET",
        &format!("/rest/v1.0/prime_contracts?project_id={p}"),
        None,
    )
    .await;
    h.op(
        "RestV10PrimeContractGet",
        "GET",
        &format!("/rest/v1.0/prime_contract?project_id={p}"),
        None,
    )
    .await;
    h.op(
        "RestV10PrimeContractIdGet",
        "GET",
        &format!("/rest/v1.0/prime_contract/{prime}?project_id={p}"),
        None,
    )
    .await;
    h.op(
        "RestV10PrimeContractIdPatch",
        "PATCH",
        &format!("/rest/v1.0/prime_contract/{prime}?project_id={p}"),
        Some(json!({ "project_id": p, "prime_contract": { "description": "d" } })),
    )
    .await;
    let plines = format!("/rest/v1.0/prime_contracts/{prime}/line_items");
    h.op(
        "RestV10PrimeContractsPrimeContractIdLineItemsGet",
        "GET",
        &format!("{plines}?project_id={p}"),
        None,
    )
    .await;
    let pl = h.op("RestV10PrimeContractsPrimeContractIdLineItemsPost", "POST", &format!("{plines}?project_id={p}"), Some(json!({ "project_id": p, "line_item": { "amount": 5000, "cost_code_id": cc, "line_item_type_id": lit, "description": "Ajout" } }))).await;
    h.op(
        "RestV10PrimeContractsPrimeContractIdLineItemsIdGet",
        "GET",
        &format!("{plines}/{}?project_id={p}", id(&pl)),
        None,
    )
    .await;
    h.op(
        "RestV10PrimeContractsPrimeContractIdLineItemsIdPatch",
        "PATCH",
        &format!("{plines}/{}?project_id={p}", id(&pl)),
        Some(json!({ "project_id": p, "line_item": { "amount": 5100 } })),
    )
    .await;
    h.op(
        "RestV10PrimeContractsPrimeContractIdLineItemsSyncPatch",
        "PATCH",
        &format!("{plines}/sync?project_id={p}"),
        Some(json!({ "updates": [{ "id": id(&pl), "description": "Sync" }] })),
    )
    .await;
    h.op(
        "RestV10PrimeContractsPrimeContractIdLineItemsIdDelete",
        "DELETE",
        &format!("{plines}/{}?project_id={p}", id(&pl)),
        None,
    )
    .await;
    let pco_base = format!("/rest/v1.0/projects/{p}/prime_change_orders");
    h.op(
        "RestV10ProjectsProjectIdPrimeChangeOrdersGet",
        "GET",
        &pco_base,
        None,
    )
    .await;
    let pco = h.op("RestV10ProjectsProjectIdPrimeChangeOrdersPost", "POST", &pco_base, Some(json!({ "change_order": { "contract_id": prime, "title": "PCO", "status": "approved" } }))).await;
    h.op(
        "RestV10ProjectsProjectIdPrimeChangeOrdersIdGet",
        "GET",
        &format!("{pco_base}/{}", id(&pco)),
        None,
    )
    .await;
    h.op(
        "RestV10ProjectsProjectIdPrimeChangeOrdersIdPatch",
        "PATCH",
        &format!("{pco_base}/{}", id(&pco)),
        Some(json!({ "change_order": { "title": "PCO 2" } })),
    )
    .await;
    h.op(
        "RestV10ProjectsProjectIdPrimeChangeOrdersIdDelete",
        "DELETE",
        &format!("{pco_base}/{}", id(&pco)),
        None,
    )
    .await;
    let new_prime = h.op("RestV10PrimeContractPost", "POST", "/rest/v1.0/prime_contract", Some(json!({ "project_id": loaded.projects[&seed.projects[1].number], "prime_contract": { "number": "PC-2", "title": "Second" } }))).await;
    h.op(
        "RestV10PrimeContractIdDelete",
        "DELETE",
        &format!(
            "/rest/v1.0/prime_contract/{}?project_id={}",
            id(&new_prime),
            loaded.projects[&seed.projects[1].number]
        ),
        None,
    )
    .await;

    // Direct costs
    let dc_base = format!("/rest/v1.0/projects/{p}/direct_costs");
    h.op(
        "RestV10ProjectsProjectIdDirectCostsGet",
        "GET",
        &dc_base,
        None,
    )
    .await;
    let dc = h.op("RestV10ProjectsProjectIdDirectCostsPost", "POST", &dc_base, Some(json!({ "item": { "direct_cost_type": "invoice", "vendor_id": v, "invoice_number": "F-1", "status": "approved", "direct_cost_date": "2026-02-01", "origin_id": "project_cost:X-1" } }))).await;
    let dc = id(&dc);
    h.op(
        "RestV10ProjectsProjectIdDirectCostsIdGet",
        "GET",
        &format!("{dc_base}/{dc}"),
        None,
    )
    .await;
    h.op(
        "RestV10ProjectsProjectIdDirectCostsIdPatch",
        "PATCH",
        &format!("{dc_base}/{dc}"),
        Some(json!({ "item": { "description": "Facture" } })),
    )
    .await;
    h.op("RestV10ProjectsProjectIdDirectCostsSyncPatch", "PATCH", &format!("{dc_base}/sync"), Some(json!({ "updates": [{ "origin_id": "project_cost:X-2", "direct_cost_type": "expense" }, { "direct_cost_type": "bogus" }] }))).await;
    let dl = format!("{dc_base}/{dc}/line_items");
    h.op(
        "RestV10ProjectsProjectIdDirectCostsDirectCostIdLineItemsGet",
        "GET",
        &dl,
        None,
    )
    .await;
    let line = h.op("RestV10ProjectsProjectIdDirectCostsDirectCostIdLineItemsPost", "POST", &dl, Some(json!({ "line_item": { "amount": 99.5, "cost_code_id": cc, "line_item_type_id": lit, "description": "Beton" } }))).await;
    h.op(
        "RestV10ProjectsProjectIdDirectCostsDirectCostIdLineItemsIdGet",
        "GET",
        &format!("{dl}/{}", id(&line)),
        None,
    )
    .await;
    h.op(
        "RestV10ProjectsProjectIdDirectCostsDirectCostIdLineItemsIdPatch",
        "PATCH",
        &format!("{dl}/{}", id(&line)),
        Some(json!({ "line_item": { "amount": 100 } })),
    )
    .await;
    h.op(
        "RestV10ProjectsProjectIdDirectCostsLineItemsGet",
        "GET",
        &format!("{dc_base}/line_items"),
        None,
    )
    .await;
    h.op("RestV10ProjectsProjectIdDirectCostsLineItemsSyncPatch", "PATCH", &format!("{dc_base}/line_items/sync"), Some(json!({ "updates": [{ "direct_cost_id": dc, "amount": 5, "cost_code_id": cc, "line_item_type_id": lit }] }))).await;
    h.op(
        "RestV10ProjectsProjectIdDirectCostsDirectCostIdLineItemsIdDelete",
        "DELETE",
        &format!("{dl}/{}", id(&line)),
        None,
    )
    .await;
    h.op(
        "RestV10ProjectsProjectIdDirectCostsIdDelete",
        "DELETE",
        &format!("{dc_base}/{dc}"),
        None,
    )
    .await;

    // Requisitions
    h.op(
        "RestV10RequisitionsGet",
        "GET",
        &format!("/rest/v1.0/requisitions?project_id={p}"),
        None,
    )
    .await;
    let req = h.op("RestV10RequisitionsPost", "POST", "/rest/v1.0/requisitions", Some(json!({ "project_id": p, "requisition": { "commitment_id": woc, "invoice_number": "R-1", "billing_date": "2026-03-01" } }))).await;
    h.op(
        "RestV10RequisitionsIdGet",
        "GET",
        &format!("/rest/v1.0/requisitions/{}?project_id={p}", id(&req)),
        None,
    )
    .await;
    h.op(
        "RestV10RequisitionsIdPatch",
        "PATCH",
        &format!("/rest/v1.0/requisitions/{}?project_id={p}", id(&req)),
        Some(json!({ "project_id": p, "requisition": { "status": "under_review" } })),
    )
    .await;
    h.op(
        "RestV10RequisitionsIdDelete",
        "DELETE",
        &format!("/rest/v1.0/requisitions/{}?project_id={p}", id(&req)),
        None,
    )
    .await;

    // Webhooks
    let hook = h.op("RestV10WebhooksHooksPost", "POST", "/rest/v1.0/webhooks/hooks", Some(json!({ "company_id": c, "hook": { "api_version": "v2", "namespace": "maestro-erp-sync", "destination_url": "http://127.0.0.1:9/hooks", "destination_headers": { "Authorization": "Bearer x" } } }))).await;
    let hook = id(&hook);
    h.op(
        "RestV10WebhooksHooksGet",
        "GET",
        &format!("/rest/v1.0/webhooks/hooks?company_id={c}&namespace=maestro-erp-sync"),
        None,
    )
    .await;
    h.op("RestV10WebhooksHooksIdPatch", "PATCH", &format!("/rest/v1.0/webhooks/hooks/{hook}"), Some(json!({ "company_id": c, "hook": { "destination_headers": { "Authorization": "Bearer y" } } }))).await;
    let t = h.op("RestV10WebhooksHooksHookIdTriggersPost", "POST", &format!("/rest/v1.0/webhooks/hooks/{hook}/triggers"), Some(json!({ "company_id": c, "api_version": "v2", "trigger": { "resource_name": "Projects", "event_type": "update" } }))).await;
    h.op("RestV10WebhooksHooksHookIdTriggersBulkPost", "POST", &format!("/rest/v1.0/webhooks/hooks/{hook}/triggers/bulk"), Some(json!({ "company_id": c, "api_version": "v2", "triggers": [{ "resource_name": "Company Vendors", "event_type": "create" }] }))).await;
    h.op(
        "RestV10WebhooksHooksHookIdTriggersGet",
        "GET",
        &format!("/rest/v1.0/webhooks/hooks/{hook}/triggers?company_id={c}"),
        None,
    )
    .await;
    h.op(
        "RestV10WebhooksHooksHookIdDeliveriesGet",
        "GET",
        &format!("/rest/v1.0/webhooks/hooks/{hook}/deliveries?company_id={c}"),
        None,
    )
    .await;
    h.op(
        "RestV10WebhooksResourcesApiVersionsGet",
        "GET",
        "/rest/v1.0/webhooks/resources/api_versions",
        None,
    )
    .await;
    h.op(
        "RestV10WebhooksHooksHookIdTriggersIdDelete",
        "DELETE",
        &format!(
            "/rest/v1.0/webhooks/hooks/{hook}/triggers/{}?company_id={c}",
            id(&t)
        ),
        None,
    )
    .await;
    h.op(
        "RestV10WebhooksHooksHookIdTriggersBulkDelete",
        "DELETE",
        &format!("/rest/v1.0/webhooks/hooks/{hook}/triggers/bulk?company_id={c}"),
        None,
    )
    .await;
    h.op(
        "RestV10WebhooksHooksIdDelete",
        "DELETE",
        &format!("/rest/v1.0/webhooks/hooks/{hook}?company_id={c}"),
        None,
    )
    .await;

    println!(
        "{} calls checked against {} operation extracts",
        h.checked,
        h.operations.len()
    );
    assert!(
        h.operations.len() >= 100,
        "only {} operations checked",
        h.operations.len()
    );
    assert!(
        h.failures.is_empty(),
        "{} of {} operations off the schema:\n{}",
        h.failures.len(),
        h.checked,
        h.failures.join("\n")
    );
}

fn emu_first(emu: &Emulator, kind: Kind, project: i64) -> i64 {
    emu.list_ids(kind, project)
        .first()
        .copied()
        .unwrap_or_else(|| panic!("no {kind:?} in project {project}"))
}

#[test]
fn the_checker_rejects_what_the_schema_forbids() {
    let schema = json!({ "type": "object", "required": ["id"], "properties": { "id": { "type": "integer" }, "status": { "type": "string", "enum": ["a", "b"] }, "items": { "type": "array", "items": { "type": "object", "properties": { "n": { "type": "number" } } } } } });
    let mut errors = Vec::new();
    check(
        &schema,
        &json!({ "id": 1, "status": "a", "items": [{ "n": 1.5 }] }),
        "ok",
        &mut errors,
    );
    assert!(errors.is_empty(), "{errors:?}");
    check(
        &schema,
        &json!({ "status": "c", "items": [{ "n": "x" }] }),
        "bad",
        &mut errors,
    );
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(path_matches(
        "/rest/v1.0/vendors/{id}",
        "/rest/v1.0/vendors/12"
    ));
    assert!(!path_matches(
        "/rest/v1.0/vendors/{id}",
        "/rest/v1.0/projects/12"
    ));
}

#[test]
fn missing_extracts_skip_on_a_developer_machine_and_fail_under_ci() {
    let dir = std::path::Path::new("/nowhere/endpoint-details");
    let cases: &[(bool, Option<&str>, &str)] = &[
        (true, None, "check"),
        (true, Some("1"), "check"),
        (false, None, "skip"),
        (false, Some(""), "skip"),
        (false, Some("0"), "skip"),
        (false, Some("false"), "skip"),
        (false, Some("1"), "missing"),
        (false, Some("true"), "missing"),
    ];
    let reason = |why: &str, verdict: &'static str| {
        assert!(why.contains("/nowhere/endpoint-details"), "{why}");
        assert!(why.contains("PROCORE_OPENAPI_DIR"), "{why}");
        verdict
    };
    for &(exists, ci, want) in cases {
        let got = match extracts_decision(dir, exists, ci) {
            Extracts::Check => "check",
            Extracts::Skip(why) => reason(&why, "skip"),
            Extracts::Missing(why) => reason(&why, "missing"),
        };
        assert_eq!(got, want, "exists {exists}, CI {ci:?}");
    }
}
