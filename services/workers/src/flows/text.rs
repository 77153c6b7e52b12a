//! Text rules shared by the flows: truncation with a warning (ENTITIES §3), exclusion tags in
//! Procore keywords, and Procore title + description combined into one maestro* field.

use crate::outcome::Note;

/// Fits values into the target's fields, keeping a warning for every value it had to cut.
#[derive(Debug)]
pub struct Fitter {
    record: String,
    notes: Vec<Note>,
}

impl Fitter {
    /// `record` names the record in the user's words, e.g. "supplier BETON01 (Béton Laval)".
    pub fn new(record: impl Into<String>) -> Self {
        Fitter {
            record: record.into(),
            notes: Vec::new(),
        }
    }

    /// `value` cut to `limit` characters; a warning names the field, the limit and the
    /// original length when it was cut.
    pub fn fit(&mut self, field: &str, value: &str, limit: usize) -> String {
        let value = value.trim();
        let length = value.chars().count();
        if length <= limit {
            return value.to_owned();
        }
        self.notes.push(Note::warning(format!(
            "{}: {field} cut to {limit} characters (it had {length})",
            self.record
        )));
        value
            .chars()
            .take(limit)
            .collect::<String>()
            .trim_end()
            .to_owned()
    }

    /// Like [`Fitter::fit`]; blank values become `None`.
    pub fn fit_opt(&mut self, field: &str, value: Option<&str>, limit: usize) -> Option<String> {
        value
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(|v| self.fit(field, v, limit))
    }

    pub fn warn(&mut self, text: impl AsRef<str>) {
        self.notes
            .push(Note::warning(format!("{}: {}", self.record, text.as_ref())));
    }

    pub fn into_notes(self) -> Vec<Note> {
        self.notes
    }
}

/// Keywords that keep a Procore company out of maestro* as a supplier (seed 001).
pub const SUPPLIER_EXCLUSIONS: [&str; 2] = ["NOTMAESTRO", "PASMAESTRO"];

/// Keywords that keep a Procore company out of maestro* as a customer (seed 001).
pub const CUSTOMER_EXCLUSIONS: [&str; 3] = ["NOTMAESTRO", "PASMAESTRO", "PASCLIENT"];

/// The first of `tags` found as a whole word in Procore's keywords (`notes`), ignoring case.
pub fn exclusion_tag(keywords: Option<&str>, tags: &[&'static str]) -> Option<&'static str> {
    let keywords = keywords?;
    keywords
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .find_map(|word| tags.iter().find(|t| t.eq_ignore_ascii_case(word)).copied())
}

/// Procore Title + Description as one maestro* Memo / Details, joined with " - "; either may
/// be blank.
pub fn title_and_description(title: Option<&str>, description: Option<&str>) -> Option<String> {
    let parts: Vec<&str> = [title, description]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(" - "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_value_leaves_a_warning_with_field_limit_and_length() {
        let mut f = Fitter::new("supplier ABC (Abc inc.)");
        assert_eq!(f.fit("name", "short", 10), "short");
        assert_eq!(f.fit("name", "abcdefghijkl", 10), "abcdefghij");
        assert_eq!(f.fit_opt("city", Some("  "), 5), None);
        let notes = f.into_notes();
        assert_eq!(notes.len(), 1);
        assert_eq!(
            notes[0].text,
            "supplier ABC (Abc inc.): name cut to 10 characters (it had 12)"
        );
    }

    #[test]
    fn exclusion_tags_are_whole_words_in_any_case() {
        let tags = &SUPPLIER_EXCLUSIONS;
        assert_eq!(
            exclusion_tag(Some("béton, PasMaestro"), tags),
            Some("PASMAESTRO")
        );
        assert_eq!(exclusion_tag(Some("NOTMAESTRO"), tags), Some("NOTMAESTRO"));
        assert_eq!(exclusion_tag(Some("NOTMAESTROS only"), tags), None);
        assert_eq!(exclusion_tag(None, tags), None);
    }

    #[test]
    fn title_and_description_are_joined_when_both_exist() {
        assert_eq!(
            title_and_description(Some("Béton"), Some("Coulée dalle")).as_deref(),
            Some("Béton - Coulée dalle")
        );
        assert_eq!(
            title_and_description(Some("Béton"), Some(" ")).as_deref(),
            Some("Béton")
        );
        assert_eq!(title_and_description(None, None), None);
    }
}
