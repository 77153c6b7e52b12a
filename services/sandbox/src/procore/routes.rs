//! The route table: login routes, the gated `/rest/...` API (one line per endpoint, all served by
//! the generic handlers), and the admin routes.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, delete, get, patch, post};
use serde_json::Value;

use super::Emulator;
use super::error::ApiResult;
use super::handlers::{self, Req};
use super::resources::{self as r, Resource};
use super::store::{Kind, Row, Store};
use super::{admin, auth, budget, limits, webhooks};

type M = MethodRouter<Emulator>;

fn list(res: &'static Resource) -> M {
    get(move |State(emu): State<Emulator>, req: Req| async move {
        handlers::list(&emu, res, &req, |_, _| true)
    })
}
fn list_where(res: &'static Resource, keep: fn(&Store, &Row) -> bool) -> M {
    get(move |State(emu): State<Emulator>, req: Req| async move {
        handlers::list(&emu, res, &req, keep)
    })
}
fn show(res: &'static Resource) -> M {
    get(move |State(emu): State<Emulator>, req: Req| async move { handlers::show(&emu, res, &req) })
}
fn create(res: &'static Resource) -> M {
    post(
        move |State(emu): State<Emulator>, req: Req, body: Bytes| async move {
            handlers::create(&emu, res, &req, &body)
        },
    )
}
fn update(res: &'static Resource) -> M {
    patch(
        move |State(emu): State<Emulator>, req: Req, body: Bytes| async move {
            handlers::update(&emu, res, &req, &body)
        },
    )
}
fn remove(res: &'static Resource) -> M {
    delete(
        move |State(emu): State<Emulator>, req: Req| async move { handlers::delete(&emu, res, &req) },
    )
}
fn sync(res: &'static Resource, parent_key: Option<&'static str>) -> M {
    patch(
        move |State(emu): State<Emulator>, req: Req, body: Bytes| async move {
            super::sync::sync(&emu, res, &req, &body, parent_key)
        },
    )
}

/// list + create on the collection, show + update (+ delete) on the member, sync.
fn resource(
    router: Router<Emulator>,
    base: &str,
    res: &'static Resource,
    with_delete: bool,
) -> Router<Emulator> {
    let member = show(res).merge(update(res));
    let member = if with_delete {
        member.merge(remove(res))
    } else {
        member
    };
    // The company vendor list shows active companies; inactive ones have their own route.
    let collection = if res.kind == Kind::Vendor {
        list_where(res, |_, row| row.bool("is_active") != Some(false))
    } else {
        list(res)
    };
    let router = router
        .route(base, collection.merge(create(res)))
        .route(&format!("{base}/{{id}}"), member);
    // Procore has no sync endpoint for requisitions.
    if res.kind == Kind::Requisition {
        router
    } else {
        router.route(&format!("{base}/sync"), sync(res, None))
    }
}

/// Line items under a holder: `{base}/{parent_id}/line_items[/{id}|/sync]`.
fn lines(router: Router<Emulator>, base: &str, res: &'static Resource) -> Router<Emulator> {
    let path = format!("{base}/{{parent_id}}/line_items");
    router
        .route(&path, list(res).merge(create(res)))
        .route(&format!("{path}/sync"), sync(res, None))
        .route(
            &format!("{path}/{{id}}"),
            show(res).merge(update(res)).merge(remove(res)),
        )
}

fn on_prime(store: &Store, row: &Row) -> bool {
    row.i64("contract_id")
        .and_then(|id| store.get(Kind::PrimeContract, id))
        .is_some()
}
fn on_commitment(store: &Store, row: &Row) -> bool {
    !on_prime(store, row)
}

async fn budget_views(State(emu): State<Emulator>, req: Req) -> ApiResult<Response> {
    let name = emu
        .lock_store()
        .companies
        .get(&req.ctx.company_id)
        .cloned()
        .unwrap_or_default();
    Ok(axum::Json(budget::views(&name)).into_response())
}

async fn detail_rows(State(emu): State<Emulator>, req: Req) -> ApiResult<Response> {
    let store = emu.lock_store();
    let place = handlers::place(&r::BUDGET_LINE_ITEM, &store, &req, None)?;
    let rows = budget::detail_rows(&store, place.project_id.unwrap_or_default());
    Ok(handlers::paged(&emu, &req, rows, |row| row))
}

async fn budget_sync(State(emu): State<Emulator>, req: Req, body: Bytes) -> ApiResult<Response> {
    super::budget_lock::sync(&emu, &req, &body)
}

async fn first_prime(State(emu): State<Emulator>, req: Req) -> ApiResult<Response> {
    let store = emu.lock_store();
    let place = handlers::place(&r::PRIME_CONTRACT, &store, &req, None)?;
    let row = store
        .iter(Kind::PrimeContract)
        .find(|c| c.project_id == place.project_id)
        .ok_or_else(super::error::ApiError::not_found)?;
    Ok(axum::Json(super::render::render(&store, row)).into_response())
}

/// `GET /rest/v1.0/companies`: the companies the app is installed in.
async fn companies(State(emu): State<Emulator>, req: Req) -> ApiResult<Response> {
    let installed = emu
        .lock_auth()
        .clients
        .get(&req.ctx.caller.client_id)
        .map(|c| c.companies.clone())
        .unwrap_or_default();
    let store = emu.lock_store();
    let out: Vec<Value> = installed
        .iter()
        .filter_map(|id| {
            store
                .companies
                .get(id)
                .map(|name| serde_json::json!({ "id": id, "name": name, "is_active": true }))
        })
        .collect();
    Ok(axum::Json(out).into_response())
}

/// `GET /rest/v1.0/me`.
async fn me(req: Req) -> ApiResult<Response> {
    Ok(axum::Json(serde_json::json!({ "id": req.ctx.caller.user_id, "login": format!("{}@service.procore.example", req.ctx.caller.client_id), "name": req.ctx.caller.client_id })).into_response())
}

fn api() -> Router<Emulator> {
    let v1 = "/rest/v1.0";
    let mut router = Router::new();
    router = resource(router, &format!("{v1}/projects"), &r::PROJECT, false);
    router = router.route("/rest/v1.1/projects", list(&r::PROJECT));
    router = resource(router, &format!("{v1}/vendors"), &r::VENDOR, false);
    router = router.route(
        &format!("{v1}/companies/{{company_id}}/vendors/inactive"),
        list_where(&r::VENDOR, |_, row| row.bool("is_active") == Some(false)),
    );
    // Company users exist in v1.0 to v1.3 with the same shape, and flat at /rest/v1.0/users.
    for version in ["v1.0", "v1.1", "v1.2", "v1.3"] {
        router = resource(
            router,
            &format!("/rest/{version}/companies/{{company_id}}/users"),
            &r::USER,
            false,
        );
    }
    router = router.route("/rest/v1.0/users", list(&r::USER).merge(create(&r::USER)));
    router = resource(router, &format!("{v1}/cost_codes"), &r::COST_CODE, true);
    router = resource(
        router,
        &format!("{v1}/line_item_types"),
        &r::LINE_ITEM_TYPE,
        false,
    );
    router = router
        .route(&format!("{v1}/budget_views"), get(budget_views))
        .route(
            &format!("{v1}/budget_views/{{id}}/detail_rows"),
            get(detail_rows),
        )
        .route(
            &format!("{v1}/budget_views/{{id}}/budget_detail_columns"),
            get(|| async { axum::Json(budget::columns()) }),
        )
        .route(
            &format!("{v1}/budget_line_items"),
            create(&r::BUDGET_LINE_ITEM),
        )
        .route(&format!("{v1}/budget_line_items/sync"), post(budget_sync))
        .route(
            &format!("{v1}/budget_line_items/{{id}}"),
            show(&r::BUDGET_LINE_ITEM).merge(update(&r::BUDGET_LINE_ITEM)),
        )
        .route(
            "/rest/v2.0/companies/{company_id}/projects/{project_id}/budget_line_items/{id}",
            remove(&r::BUDGET_LINE_ITEM),
        );
    router = resource(
        router,
        &format!("{v1}/work_order_contracts"),
        &r::WORK_ORDER_CONTRACT,
        true,
    );
    router = lines(
        router,
        &format!("{v1}/work_order_contracts"),
        &r::WORK_ORDER_LINE,
    );
    router = resource(
        router,
        &format!("{v1}/purchase_order_contracts"),
        &r::PURCHASE_ORDER_CONTRACT,
        true,
    );
    router = lines(
        router,
        &format!("{v1}/purchase_order_contracts"),
        &r::PURCHASE_ORDER_LINE,
    );
    let cco = format!("{v1}/projects/{{project_id}}/commitment_change_orders");
    let pco = format!("{v1}/projects/{{project_id}}/prime_change_orders");
    router = router
        .route(
            &cco,
            list_where(&r::CHANGE_ORDER, on_commitment).merge(create(&r::CHANGE_ORDER)),
        )
        .route(
            &format!("{cco}/{{id}}"),
            show(&r::CHANGE_ORDER)
                .merge(update(&r::CHANGE_ORDER))
                .merge(remove(&r::CHANGE_ORDER)),
        )
        .route(
            &pco,
            list_where(&r::CHANGE_ORDER, on_prime).merge(create(&r::CHANGE_ORDER)),
        )
        .route(
            &format!("{pco}/{{id}}"),
            show(&r::CHANGE_ORDER)
                .merge(update(&r::CHANGE_ORDER))
                .merge(remove(&r::CHANGE_ORDER)),
        )
        .route(
            &format!("{v1}/change_order_packages"),
            list(&r::CHANGE_ORDER).merge(create(&r::CHANGE_ORDER)),
        )
        .route(
            &format!("{v1}/change_order_packages/{{id}}"),
            show(&r::CHANGE_ORDER).merge(update(&r::CHANGE_ORDER)),
        );
    router = router
        .route(&format!("{v1}/prime_contracts"), list(&r::PRIME_CONTRACT))
        .route(
            &format!("{v1}/prime_contract"),
            get(first_prime).merge(create(&r::PRIME_CONTRACT)),
        )
        .route(
            &format!("{v1}/prime_contract/{{id}}"),
            show(&r::PRIME_CONTRACT)
                .merge(update(&r::PRIME_CONTRACT))
                .merge(remove(&r::PRIME_CONTRACT)),
        );
    router = lines(
        router,
        &format!("{v1}/prime_contracts"),
        &r::PRIME_CONTRACT_LINE,
    );
    let dc = format!("{v1}/projects/{{project_id}}/direct_costs");
    router = router
        .route(&format!("{dc}/line_items"), list(&r::DIRECT_COST_LINE))
        .route(
            &format!("{dc}/line_items/sync"),
            sync(&r::DIRECT_COST_LINE, Some("direct_cost_id")),
        );
    router = resource(router, &dc, &r::DIRECT_COST, true);
    router = lines(router, &dc, &r::DIRECT_COST_LINE);
    router = super::requisitions::routes(router, &format!("{v1}/requisitions"));
    router = super::v2::routes(router);
    router = super::project_vendors::routes(router);
    router = router
        .route("/rest/v1.0/companies", get(companies))
        .route("/rest/v1.0/me", get(me));
    webhooks::routes(router)
}

pub fn router(emulator: Emulator) -> Router {
    let gated = api().route_layer(from_fn_with_state(emulator.clone(), limits::gate));
    Router::new()
        .route("/oauth/authorize", get(auth::authorize))
        .route("/oauth/token", post(auth::token))
        .route("/oauth/token/info", get(auth::token_info))
        .route("/oauth/revoke", post(auth::revoke))
        .merge(gated)
        .merge(admin::routes())
        .with_state(emulator)
}
