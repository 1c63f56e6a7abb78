//! Small checks shared by every capability's input parsing. Each collects
//! its complaint into a field map so one answer lists every problem.

use crate::error::{ApiError, FieldErrors};

/// Accumulates field errors while a request body is parsed into domain types.
#[derive(Default)]
pub struct Checker {
    errors: FieldErrors,
}

impl Checker {
    pub fn new() -> Checker {
        Checker::default()
    }

    pub fn fail(&mut self, field: &str, reason: impl Into<String>) {
        self.errors.entry(field.to_string()).or_insert_with(|| reason.into());
    }

    /// Trims `value` and checks its length in characters; returns the trimmed text.
    pub fn text(&mut self, field: &str, value: &str, min: usize, max: usize) -> String {
        let trimmed = value.trim();
        let len = trimmed.chars().count();
        if len < min {
            self.fail(field, if min == 1 { "must not be empty".to_string() } else { format!("must be at least {min} characters") });
        } else if len > max {
            self.fail(field, format!("must be at most {max} characters"));
        } else if trimmed.chars().any(|c| c.is_control()) {
            self.fail(field, "must not contain control characters");
        }
        trimmed.to_string()
    }

    /// Like [`Checker::text`] for an optional field.
    pub fn optional_text(&mut self, field: &str, value: Option<&str>, max: usize) -> Option<String> {
        value.map(|v| self.text(field, v, 0, max)).filter(|v| !v.is_empty())
    }

    /// A code: letters, digits, `-` and `_`, stored upper-case.
    pub fn code(&mut self, field: &str, value: &str, max: usize) -> String {
        let code = self.text(field, value, 1, max).to_uppercase();
        if !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            self.fail(field, "may contain only letters A–Z, digits, '-' and '_'");
        }
        code
    }

    /// Parses with `parse`, recording `reason` when it fails.
    pub fn parse<T>(&mut self, field: &str, value: &str, parse: impl FnOnce(&str) -> Option<T>, reason: &str) -> Option<T> {
        let parsed = parse(value);
        if parsed.is_none() {
            self.fail(field, reason);
        }
        parsed
    }

    pub fn range_f64(&mut self, field: &str, value: Option<f64>, min: f64, max: f64) -> Option<f64> {
        if let Some(v) = value {
            if !(min..=max).contains(&v) {
                self.fail(field, format!("must be between {min} and {max}"));
            }
        }
        value
    }

    /// Ends the parse: `Ok(value)` when nothing failed, else a 422 listing every field.
    pub fn finish<T>(self, value: T) -> Result<T, ApiError> {
        if self.errors.is_empty() {
            Ok(value)
        } else {
            Err(ApiError::invalid_fields(self.errors))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_bounded() {
        let mut c = Checker::new();
        assert_eq!(c.text("name", "  Amal  ", 1, 10), "Amal");
        c.text("long", &"x".repeat(11), 1, 10);
        c.text("empty", "   ", 1, 10);
        let err = c.finish(()).unwrap_err();
        let ApiError::Invalid { fields, .. } = err else { panic!("expected Invalid") };
        assert_eq!(fields.len(), 2);
        assert_eq!(fields["long"], "must be at most 10 characters");
        assert_eq!(fields["empty"], "must not be empty");
    }

    #[test]
    fn codes_are_upper_case_and_plain() {
        let mut c = Checker::new();
        assert_eq!(c.code("code", "mos-wc-01", 20), "MOS-WC-01");
        c.code("bad", "a b", 20);
        assert!(c.finish(()).is_err());
    }

    #[test]
    fn arabic_length_counts_characters_not_bytes() {
        let mut c = Checker::new();
        c.text("name", "مركز النساء", 1, 11);
        assert!(c.finish(()).is_ok());
    }
}
