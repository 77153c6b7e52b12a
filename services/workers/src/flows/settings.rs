//! The per-connection settings the flows read (rules §6): the maestro* prefix in
//! multidimensional mode, the orders mode and the cost-code mode.

use bridge_maestro::OrderKind;
use serde_json::Value;
use sqlx::PgPool;

/// Where purchase orders from Procore go in maestro* (`settings.orders_mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrdersMode {
    /// Purchase Order Management (the default).
    Regular,
    /// Stock Order from Catalogue.
    StockCatalogue,
}

impl OrdersMode {
    pub fn order_kind(self) -> OrderKind {
        match self {
            OrdersMode::Regular => OrderKind::Purchase,
            OrdersMode::StockCatalogue => OrderKind::Stock,
        }
    }
}

pub use bridge_domain::cost_codes::CostCodeMode;

/// A connection setting the flows cannot read.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("the connection's orders mode `{0}` is not `regular` or `stock_catalogue`")]
    OrdersMode(String),
    #[error("the connection's settings name an unknown cost-code mode")]
    CostCodeMode(#[from] bridge_domain::cost_codes::UnknownMode),
    #[error("the connection's payroll fields setting is not valid: {0}")]
    PayrollFields(String),
    #[error("reading the connection's settings")]
    Database(#[from] sqlx::Error),
}

/// The settings of one connection that change what a flow writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowSettings {
    pub maestro_prefix: Option<String>,
    pub orders_mode: OrdersMode,
    pub cost_code_mode: CostCodeMode,
    /// Which of hours, rate and employee payroll costs carry (`settings.payroll_fields`).
    pub payroll_fields: bridge_domain::costs::PayrollFields,
}

impl FlowSettings {
    /// Reads the settings; an unknown value is an error naming the setting, never a silent
    /// default that would write orders to the wrong option.
    pub fn from_json(
        maestro_prefix: Option<String>,
        settings: &Value,
    ) -> Result<Self, SettingsError> {
        let text = |key: &str| settings.get(key).and_then(Value::as_str);
        let orders_mode = match text("orders_mode") {
            None | Some("regular") => OrdersMode::Regular,
            Some("stock_catalogue") => OrdersMode::StockCatalogue,
            Some(other) => return Err(SettingsError::OrdersMode(other.to_owned())),
        };
        let cost_code_mode = match text("cost_code_mode") {
            None => CostCodeMode::default(),
            Some(mode) => mode.parse()?,
        };
        let payroll_fields = match settings.get("payroll_fields") {
            None | Some(Value::Null) => Default::default(),
            Some(Value::Array(names)) => bridge_domain::costs::PayrollFields::from_names(
                names.iter().map(|n| n.as_str().unwrap_or("(not a word)")),
            )
            .map_err(SettingsError::PayrollFields)?,
            Some(other) => {
                return Err(SettingsError::PayrollFields(format!(
                    "`{other}` is not a list"
                )));
            }
        };
        Ok(FlowSettings {
            payroll_fields,
            maestro_prefix: maestro_prefix.filter(|p| !p.is_empty()),
            orders_mode,
            cost_code_mode,
        })
    }

    pub async fn load(pool: &PgPool, connection_id: i64) -> Result<Self, SettingsError> {
        let (prefix, settings): (Option<String>, Value) =
            sqlx::query_as("SELECT maestro_prefix, settings FROM connections WHERE id = $1")
                .bind(connection_id)
                .fetch_one(pool)
                .await?;
        FlowSettings::from_json(prefix, &settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn defaults_are_regular_orders_and_direct_codes() {
        let s = FlowSettings::from_json(Some(String::new()), &json!({})).unwrap();
        assert_eq!(s.orders_mode, OrdersMode::Regular);
        assert_eq!(s.cost_code_mode, CostCodeMode::Direct);
        assert_eq!(s.maestro_prefix, None);
        let s = FlowSettings::from_json(
            None,
            &json!({"orders_mode": "stock_catalogue", "cost_code_mode": "concatenated"}),
        )
        .unwrap();
        assert_eq!(s.orders_mode.order_kind(), OrderKind::Stock);
        assert_eq!(s.cost_code_mode, CostCodeMode::Concatenated);
    }

    #[test]
    fn an_unknown_mode_is_refused_by_name() {
        let e = FlowSettings::from_json(None, &json!({"orders_mode": "catalog"})).unwrap_err();
        assert!(e.to_string().contains("`catalog`"), "{e}");
        let e = FlowSettings::from_json(None, &json!({"cost_code_mode": "flat"})).unwrap_err();
        assert!(matches!(e, SettingsError::CostCodeMode(_)), "{e}");
        let source = std::error::Error::source(&e).expect("the error keeps its source");
        assert!(source.to_string().contains("`flat`"), "{source}");
    }
}
