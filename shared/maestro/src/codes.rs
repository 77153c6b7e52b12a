//! maestro* codes and numbers that have rules of their own: project numbers, transaction type
//! codes, fixed-point amounts and quantities, and the field lengths maestro* accepts.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Maximum lengths (in characters) of the maestro* fields the interface reads and writes.
///
/// Values marked "seed" come from the data-mapping help page (docs/rules.md); the others are the
/// contract's choices (`docs/maestro-xml.md`, section 6).
pub mod limits {
    /// Project number (seed: 10 alphanumeric characters).
    pub const PROJECT_CODE: usize = 10;
    /// Project description (seed: Procore project name, 100).
    pub const PROJECT_DESCRIPTION: usize = 100;
    pub const DETAILED_DESCRIPTION: usize = 2000;
    /// Project address (seed: maestro* accepts 40 where Procore accepts 100).
    pub const PROJECT_ADDRESS: usize = 40;
    /// City (seed: 60).
    pub const CITY: usize = 60;
    pub const PROVINCE: usize = 30;
    pub const COUNTRY: usize = 30;
    pub const POSTAL_CODE: usize = 10;
    pub const PHONE: usize = 20;
    pub const EMAIL: usize = 100;
    /// Supplier, customer and company codes (seed: Procore abbreviated name, 10).
    pub const PARTY_CODE: usize = 10;
    /// Supplier and customer name (seed: 60).
    pub const PARTY_NAME: usize = 60;
    /// Supplier and customer address (seed: 100).
    pub const PARTY_ADDRESS: usize = 100;
    /// RBQ (licence) number (seed: 10).
    pub const RBQ_NUMBER: usize = 10;
    pub const PREFIX: usize = 10;
    pub const ACTIVITY_CODE: usize = 20;
    pub const GROUP_CODE: usize = 10;
    pub const SHORT_DESCRIPTION: usize = 60;
    pub const UNIT: usize = 10;
    pub const EMPLOYEE_NUMBER: usize = 10;
    pub const PERSON_NAME: usize = 30;
    pub const ALPHA_CODE: usize = 10;
    /// External number, "No Externe" (seed: 40).
    pub const EXTERNAL_NO: usize = 40;
    /// Memo / Details / change-order descriptions (Procore title + description).
    pub const MEMO: usize = 2000;
    pub const CONTRACT_DESCRIPTION: usize = 100;
    pub const INVOICE_NO: usize = 20;
}

/// Why maestro* refuses a project number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("project number is empty")]
    Empty,
    #[error("project number `{code}` has {len} characters; maestro* accepts at most 10")]
    TooLong { code: String, len: usize },
    #[error(
        "project number `{code}` contains `{ch}`, which maestro* does not allow (* , # : are refused)"
    )]
    Forbidden { code: String, ch: char },
    #[error(
        "project number `{code}` contains `{ch}`; maestro* refuses accented and non-ASCII letters"
    )]
    NonAscii { code: String, ch: char },
    #[error("project number `{code}` contains a space or control character")]
    Whitespace { code: String },
}

/// A maestro* project number: 1 to 10 characters, none of `*`, `,`, `#`, `:`, no accented
/// letters (mway unit P03). Spaces are refused too (a choice of the contract).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ProjectCode(String);

impl ProjectCode {
    /// Checks `code` against maestro*'s project-number rules.
    pub fn new(code: impl Into<String>) -> Result<Self, CodeError> {
        let code = code.into();
        if code.is_empty() {
            return Err(CodeError::Empty);
        }
        for ch in code.chars() {
            if !ch.is_ascii() {
                return Err(CodeError::NonAscii { code, ch });
            }
            if ch.is_ascii_whitespace() || ch.is_ascii_control() {
                return Err(CodeError::Whitespace { code });
            }
            if matches!(ch, '*' | ',' | '#' | ':') {
                return Err(CodeError::Forbidden { code, ch });
            }
        }
        let len = code.chars().count();
        if len > limits::PROJECT_CODE {
            return Err(CodeError::TooLong { code, len });
        }
        Ok(Self(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ProjectCode {
    type Error = CodeError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<ProjectCode> for String {
    fn from(value: ProjectCode) -> Self {
        value.0
    }
}

impl FromStr for ProjectCode {
    type Err = CodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl fmt::Display for ProjectCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A project-cost transaction type code (`JrAprVtl.Version` in maestro*): one printable ASCII
/// character such as `1` (Project Purchase) or `;` (Interco Project Purchase).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TypeCode(char);

impl TypeCode {
    pub const PROJECT_PURCHASE: TypeCode = TypeCode('1');
    pub const INTERCO_PROJECT_PURCHASE: TypeCode = TypeCode(';');
    pub const HOURS_LABOUR: TypeCode = TypeCode('4');
    pub const HOURS_TO_INVOICE: TypeCode = TypeCode('B');
    pub const EQUIPMENT_HOURS: TypeCode = TypeCode('C');
    pub const PREMIUMS_LABOUR: TypeCode = TypeCode('5');
    pub const WC_CSST_EXPENSES: TypeCode = TypeCode('=');
    pub const DGBRI_EXPENSES: TypeCode = TypeCode('E');
    pub const PROJECT_TRANSFER: TypeCode = TypeCode('2');
    pub const ADVANCED_PROJECT_TRANSFER: TypeCode = TypeCode('>');
    pub const ACCRUAL_PROJECT_TRANSFER: TypeCode = TypeCode('?');
    pub const REVERSED_PROJECT_TRANSFER: TypeCode = TypeCode('@');
    pub const ADJUSTMENT_PROJECT_TRANSFER: TypeCode = TypeCode('D');
    pub const INVENTORY_PROJECT_TRANSFER: TypeCode = TypeCode('G');
    pub const GL_ACCRUED_MATERIAL: TypeCode = TypeCode('F');
    pub const ORDER_INVOICING: TypeCode = TypeCode('7');

    /// The types whose approved, transferred transactions go to Procore (docs/rules.md).
    pub const SYNCED: [TypeCode; 16] = [
        Self::PROJECT_PURCHASE,
        Self::INTERCO_PROJECT_PURCHASE,
        Self::HOURS_LABOUR,
        Self::HOURS_TO_INVOICE,
        Self::EQUIPMENT_HOURS,
        Self::PREMIUMS_LABOUR,
        Self::WC_CSST_EXPENSES,
        Self::DGBRI_EXPENSES,
        Self::PROJECT_TRANSFER,
        Self::ADVANCED_PROJECT_TRANSFER,
        Self::ACCRUAL_PROJECT_TRANSFER,
        Self::REVERSED_PROJECT_TRANSFER,
        Self::ADJUSTMENT_PROJECT_TRANSFER,
        Self::INVENTORY_PROJECT_TRANSFER,
        Self::GL_ACCRUED_MATERIAL,
        Self::ORDER_INVOICING,
    ];

    /// A code from its character; refuses anything but one printable, non-space ASCII character.
    pub fn new(ch: char) -> Result<Self, String> {
        if ch.is_ascii_graphic() {
            Ok(Self(ch))
        } else {
            Err(format!(
                "transaction type `{ch}` is not a maestro* type code"
            ))
        }
    }

    pub fn as_char(self) -> char {
        self.0
    }

    /// Whether transactions of this type are sent to Procore.
    pub fn is_synced(self) -> bool {
        Self::SYNCED.contains(&self)
    }
}

impl TryFrom<String> for TypeCode {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        let mut chars = value.chars();
        match (chars.next(), chars.next()) {
            (Some(ch), None) => Self::new(ch),
            _ => Err(format!(
                "transaction type `{value}` must be exactly one character"
            )),
        }
    }
}

impl From<TypeCode> for String {
    fn from(value: TypeCode) -> Self {
        value.0.to_string()
    }
}

impl fmt::Display for TypeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}
