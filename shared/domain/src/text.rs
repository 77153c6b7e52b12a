//! Text rules of rules §3 ("Common rules"): values cut to the target's field with a warning
//! naming the field, the limit and the original length; exclusion keywords in Procore's
//! `notes`; Procore Title + Description joined into one maestro* field; a Procore abbreviated
//! name as a maestro* code. Pure functions, no IO (docs/architecture.md, "Messages").

use std::fmt;

/// Field lengths named by docs/rules.md (rules §3, "Truncation").
pub mod limits {
    /// Procore project name (maestro* project description).
    pub const PROJECT_NAME: usize = 100;
    /// maestro* project address.
    pub const PROJECT_ADDRESS_MAESTRO: usize = 40;
    /// Procore project address.
    pub const PROJECT_ADDRESS_PROCORE: usize = 100;
    /// Project city, both sides.
    pub const PROJECT_CITY: usize = 60;
    /// maestro* supplier name.
    pub const SUPPLIER_NAME: usize = 60;
    /// maestro* supplier address.
    pub const SUPPLIER_ADDRESS: usize = 100;
    /// maestro* supplier city.
    pub const SUPPLIER_CITY: usize = 60;
    /// maestro* state / province.
    pub const PROVINCE: usize = 30;
    /// maestro* RBQ number (Procore license number).
    pub const RBQ_NUMBER: usize = 10;
    /// maestro* customer name.
    pub const CUSTOMER_NAME: usize = 60;
    /// Procore abbreviated name, the supplier or customer code.
    pub const ABBREVIATED_NAME: usize = 10;
    /// maestro* external order number ("No Externe").
    pub const EXTERNAL_NUMBER: usize = 40;
}

/// A warning kept on a sync item: it never blocks the record (rules §3, "Status a user
/// sees").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning(pub String);

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Fits values into the target's fields and keeps a warning for every value it had to cut.
#[derive(Debug)]
pub struct Fitter {
    record: String,
    warnings: Vec<Warning>,
}

/// `value` (trimmed) cut to `limit` characters, without a trailing space; `None` when it fits.
pub fn cut(value: &str, limit: usize) -> Option<String> {
    let value = value.trim();
    (value.chars().count() > limit).then(|| {
        value
            .chars()
            .take(limit)
            .collect::<String>()
            .trim_end()
            .to_owned()
    })
}

impl Fitter {
    /// `record` names the record in the user's words, e.g. "supplier BETON01 (Béton Laval)".
    pub fn new(record: impl Into<String>) -> Self {
        Fitter {
            record: record.into(),
            warnings: Vec::new(),
        }
    }

    /// `value` (trimmed) cut to `limit` characters; a warning names the field, the limit and
    /// the original length when it was cut.
    pub fn fit(&mut self, field: &str, value: &str, limit: usize) -> String {
        let value = value.trim();
        match cut(value, limit) {
            None => value.to_owned(),
            Some(short) => {
                let length = value.chars().count();
                self.warn(format!(
                    "{field} cut to {limit} characters (it had {length})"
                ));
                short
            }
        }
    }

    /// Like [`Fitter::fit`]; blank values become `None`.
    pub fn fit_opt(&mut self, field: &str, value: Option<&str>, limit: usize) -> Option<String> {
        value
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(|v| self.fit(field, v, limit))
    }

    /// A warning of its own about the record.
    pub fn warn(&mut self, text: impl AsRef<str>) {
        self.warnings
            .push(Warning(format!("{}: {}", self.record, text.as_ref())));
    }

    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    pub fn into_warnings(self) -> Vec<Warning> {
        self.warnings
    }
}

/// Keywords that keep a Procore company out of maestro* as a supplier (docs/rules.md).
pub const SUPPLIER_EXCLUSIONS: [&str; 2] = ["NOTMAESTRO", "PASMAESTRO"];

/// Keywords that keep a Procore company out of maestro* as a customer (docs/rules.md).
pub const CUSTOMER_EXCLUSIONS: [&str; 3] = ["NOTMAESTRO", "PASMAESTRO", "PASCLIENT"];

/// The keyword that makes a Procore company a customer (rules §1, `customer`).
pub const CUSTOMER_KEYWORD: &str = "CLIENT";

/// The first of `tags` found as a whole word in Procore's keywords (`notes`), ignoring case.
pub fn exclusion_tag(keywords: Option<&str>, tags: &[&'static str]) -> Option<&'static str> {
    words(keywords).find_map(|word| tags.iter().find(|t| t.eq_ignore_ascii_case(word)).copied())
}

/// Whether `keyword` is a whole word of Procore's keywords (`notes`), ignoring case.
pub fn has_keyword(keywords: Option<&str>, keyword: &str) -> bool {
    words(keywords).any(|w| w.eq_ignore_ascii_case(keyword))
}

fn words(keywords: Option<&str>) -> impl Iterator<Item = &str> {
    keywords
        .unwrap_or_default()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
}

/// Procore Title + Description as one maestro* Memo / Details, joined with " - "; either may
/// be blank (rules §3, "Combined fields").
pub fn title_and_description(title: Option<&str>, description: Option<&str>) -> Option<String> {
    let parts: Vec<&str> = [title, description]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(" - "))
}

/// The maestro* supplier or customer code a Procore abbreviated name stands for: trimmed and
/// cut to 10 (rules §3, "Link by code"). Use a [`Fitter`] where the cut must be reported.
pub fn party_code(abbreviated: &str) -> String {
    cut(abbreviated, limits::ABBREVIATED_NAME).unwrap_or_else(|| abbreviated.trim().to_owned())
}

/// A two-letter country code for Procore, or `None` with a warning for free text.
pub fn country_code(fit: &mut Fitter, country: Option<&str>) -> Option<String> {
    let country = country.map(str::trim).filter(|c| !c.is_empty())?;
    if country.len() == 2 && country.chars().all(|c| c.is_ascii_alphabetic()) {
        return Some(country.to_ascii_uppercase());
    }
    fit.warn(format!(
        "country `{country}` is not a two-letter code; left empty in Procore"
    ));
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_seed_limit_cuts_with_a_warning_naming_field_limit_and_length() {
        let long = |n: usize| "x".repeat(n);
        let cases = [
            ("project name", limits::PROJECT_NAME, 101),
            ("project address", limits::PROJECT_ADDRESS_MAESTRO, 41),
            ("project address", limits::PROJECT_ADDRESS_PROCORE, 120),
            ("city", limits::PROJECT_CITY, 61),
            ("name", limits::SUPPLIER_NAME, 61),
            ("address", limits::SUPPLIER_ADDRESS, 101),
            ("city", limits::SUPPLIER_CITY, 75),
            ("province", limits::PROVINCE, 31),
            ("RBQ number", limits::RBQ_NUMBER, 11),
            ("name", limits::CUSTOMER_NAME, 68),
            ("abbreviated name", limits::ABBREVIATED_NAME, 12),
            ("external number", limits::EXTERNAL_NUMBER, 45),
        ];
        for (field, limit, length) in cases {
            let mut f = Fitter::new("record R");
            let got = f.fit(field, &long(length), limit);
            assert_eq!(got.chars().count(), limit, "{field}");
            assert_eq!(
                f.into_warnings(),
                [Warning(format!(
                    "record R: {field} cut to {limit} characters (it had {length})"
                ))]
            );
            let mut f = Fitter::new("record R");
            assert_eq!(f.fit(field, &long(limit), limit), long(limit));
            assert!(f.warnings().is_empty(), "{field} at its limit fits");
        }
    }

    #[test]
    fn a_cut_drops_the_trailing_space_and_blank_values_are_none() {
        let name = "Société québécoise des infrastructures, direction régionale de Laval";
        let mut f = Fitter::new("customer SQI01");
        let got = f.fit("name", name, limits::CUSTOMER_NAME);
        assert_eq!(
            got,
            "Société québécoise des infrastructures, direction régionale"
        );
        assert_eq!(f.fit_opt("city", Some("  "), 5), None);
        assert_eq!(f.warnings().len(), 1);
    }

    #[test]
    fn exclusion_tags_are_whole_words_in_any_case() {
        let cases: [(Option<&str>, &[&'static str], Option<&str>); 6] = [
            (
                Some("béton, PasMaestro"),
                &SUPPLIER_EXCLUSIONS,
                Some("PASMAESTRO"),
            ),
            (Some("NOTMAESTRO"), &SUPPLIER_EXCLUSIONS, Some("NOTMAESTRO")),
            (Some("NOTMAESTROS only"), &SUPPLIER_EXCLUSIONS, None),
            (Some("CLIENT PASCLIENT"), &SUPPLIER_EXCLUSIONS, None),
            (
                Some("CLIENT PASCLIENT"),
                &CUSTOMER_EXCLUSIONS,
                Some("PASCLIENT"),
            ),
            (None, &CUSTOMER_EXCLUSIONS, None),
        ];
        for (notes, tags, expected) in cases {
            assert_eq!(exclusion_tag(notes, tags), expected, "{notes:?}");
        }
        assert!(has_keyword(Some("owner; client"), CUSTOMER_KEYWORD));
        assert!(!has_keyword(Some("PASCLIENT"), CUSTOMER_KEYWORD));
    }

    #[test]
    fn title_and_description_are_joined_when_both_exist() {
        let cases = [
            (
                Some("Béton"),
                Some("Coulée dalle"),
                Some("Béton - Coulée dalle"),
            ),
            (Some("Béton"), Some(" "), Some("Béton")),
            (None, Some("Dalle"), Some("Dalle")),
            (None, None, None),
        ];
        for (title, description, expected) in cases {
            assert_eq!(
                title_and_description(title, description).as_deref(),
                expected
            );
        }
    }

    #[test]
    fn codes_and_countries() {
        assert_eq!(party_code(" BETON01 "), "BETON01");
        assert_eq!(party_code("BETONLAVAL-NORD"), "BETONLAVAL");
        let mut f = Fitter::new("supplier S");
        assert_eq!(country_code(&mut f, Some("ca")).as_deref(), Some("CA"));
        assert_eq!(country_code(&mut f, Some("Canada")), None);
        assert_eq!(
            f.into_warnings(),
            [Warning(
                "supplier S: country `Canada` is not a two-letter code; left empty in Procore"
                    .into()
            )]
        );
    }
}
