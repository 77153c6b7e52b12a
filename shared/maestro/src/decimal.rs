//! Fixed-point numbers as maestro* writes them: amounts with 2 decimals, quantities and
//! percentages with 4. Parsing is strict (`-1234.5`, no exponent, no separators), so a value
//! never silently changes on its way through the bridge.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A number maestro* refuses to read as an amount or quantity.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a {what} (digits, an optional `-`, at most {scale} decimals)")]
pub struct DecimalError {
    pub text: String,
    pub what: &'static str,
    pub scale: u32,
}

fn parse_fixed(text: &str, scale: u32, what: &'static str) -> Result<i64, DecimalError> {
    let fail = || DecimalError {
        text: text.chars().take(40).collect(),
        what,
        scale,
    };
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, frac) = match body.split_once('.') {
        Some((w, f)) => (w, f),
        None => (body, ""),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(frac) || frac.len() > scale as usize {
        return Err(fail());
    }
    if body.contains('.') && frac.is_empty() {
        return Err(fail());
    }
    let factor = 10i64.pow(scale);
    let whole: i64 = whole.parse().map_err(|_| fail())?;
    let mut frac_units: i64 = if frac.is_empty() {
        0
    } else {
        frac.parse().map_err(|_| fail())?
    };
    for _ in frac.len()..scale as usize {
        frac_units *= 10;
    }
    let units = whole
        .checked_mul(factor)
        .and_then(|w| w.checked_add(frac_units))
        .ok_or_else(fail)?;
    Ok(if negative { -units } else { units })
}

fn write_fixed(
    f: &mut fmt::Formatter<'_>,
    units: i64,
    scale: u32,
    min_decimals: usize,
) -> fmt::Result {
    let factor = 10i128.pow(scale);
    let abs = i128::from(units).abs();
    let sign = if units < 0 { "-" } else { "" };
    let whole = abs / factor;
    let frac = format!("{:0width$}", abs % factor, width = scale as usize);
    let trimmed = frac.trim_end_matches('0');
    let shown = if trimmed.len() < min_decimals {
        &frac[..min_decimals]
    } else {
        trimmed
    };
    if shown.is_empty() {
        write!(f, "{sign}{whole}")
    } else {
        write!(f, "{sign}{whole}.{shown}")
    }
}

macro_rules! fixed_point {
    ($(#[$doc:meta])* $name:ident, scale = $scale:expr, min_decimals = $min:expr, what = $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(i64);

        impl $name {
            /// Number of decimals kept.
            pub const SCALE: u32 = $scale;
            pub const ZERO: Self = Self(0);

            /// From a count of the smallest unit (for amounts: cents).
            pub const fn from_units(units: i64) -> Self {
                Self(units)
            }

            /// A whole number.
            pub const fn from_whole(whole: i64) -> Self {
                Self(whole * 10i64.pow($scale))
            }

            /// The count of the smallest unit.
            pub const fn units(self) -> i64 {
                self.0
            }

            pub fn checked_add(self, other: Self) -> Option<Self> {
                self.0.checked_add(other.0).map(Self)
            }
        }

        impl FromStr for $name {
            type Err = DecimalError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                parse_fixed(s, $scale, $what).map(Self)
            }
        }

        impl TryFrom<String> for $name {
            type Error = DecimalError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                value.parse()
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.to_string()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write_fixed(f, self.0, $scale, $min)
            }
        }

        impl std::ops::Add for $name {
            type Output = Self;
            fn add(self, other: Self) -> Self {
                Self(self.0.saturating_add(other.0))
            }
        }

        impl std::ops::Neg for $name {
            type Output = Self;
            fn neg(self) -> Self {
                Self(self.0.saturating_neg())
            }
        }

        impl std::iter::Sum for $name {
            fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
                iter.fold(Self::ZERO, |a, b| a + b)
            }
        }
    };
}

fixed_point!(
    /// A money amount with 2 decimals (`1234.50`), held as cents.
    Amount, scale = 2, min_decimals = 2, what = "amount"
);
fixed_point!(
    /// A quantity or percentage with up to 4 decimals (`12.5`), held in ten-thousandths.
    Quantity, scale = 4, min_decimals = 0, what = "quantity"
);

impl Quantity {
    /// `self × price`, rounded half away from zero to the cent.
    pub fn times(self, price: Amount) -> Amount {
        let product = i128::from(self.0) * i128::from(price.units());
        let factor = 10i128.pow(Self::SCALE);
        let rounded = if product >= 0 {
            (product + factor / 2) / factor
        } else {
            (product - factor / 2) / factor
        };
        Amount::from_units(i64::try_from(rounded).unwrap_or(if rounded > 0 {
            i64::MAX
        } else {
            i64::MIN
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_round_trip_with_two_decimals() {
        for (text, cents, shown) in [
            ("0", 0, "0.00"),
            ("12.5", 1250, "12.50"),
            ("-1234.56", -123456, "-1234.56"),
            ("7.05", 705, "7.05"),
        ] {
            let a: Amount = text.parse().expect(text);
            assert_eq!(a.units(), cents);
            assert_eq!(a.to_string(), shown);
        }
    }

    #[test]
    fn quantities_trim_trailing_zeros() {
        let q: Quantity = "12.5000".parse().expect("quantity");
        assert_eq!(q.to_string(), "12.5");
        assert_eq!(Quantity::from_whole(3).to_string(), "3");
        assert_eq!(q.times("2.00".parse().expect("price")).to_string(), "25.00");
    }

    #[test]
    fn refuses_what_maestro_would_not_write() {
        for bad in [
            "",
            "-",
            "1.",
            ".5",
            "1.234",
            "1e3",
            "1,000",
            " 1",
            "+1",
            "99999999999999999999",
        ] {
            assert!(bad.parse::<Amount>().is_err(), "{bad:?} accepted");
        }
    }
}
