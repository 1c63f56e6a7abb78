//! Small checks shared by every capability's input parsing. Each collects
//! its complaint into a field map so one answer lists every problem.

use crate::error::ApiError;
use crate::refusal::{Refusal, RefusalCode, Refusals};

/// The one rule for every string that reaches the server, wherever it sits
/// (a body, a query, a path, a pushed item): no NUL, which PostgreSQL
/// refuses in text, and no bidirectional embedding, override or isolate
/// controls (U+202A–U+202E, U+2066–U+2069), which can make a name or a code
/// read as something else on a coordinator's screen. The marks that Arabic
/// and Sorani writing does use (U+200E, U+200F, U+200C) pass.
pub fn unsafe_char(s: &str) -> Option<&'static str> {
    unsafe_code(s).map(unsafe_sentence)
}

/// The sentence of an [`unsafe_code`], for answers in words (REST).
pub fn unsafe_sentence(code: RefusalCode) -> &'static str {
    match code {
        RefusalCode::NulCharacter => "must not contain a NUL character",
        _ => "must not contain bidirectional control characters",
    }
}

/// [`unsafe_char`] as a refusal code, for answers that carry codes (a push).
pub fn unsafe_code(s: &str) -> Option<RefusalCode> {
    s.chars().find_map(|c| match c {
        '\u{0}' => Some(RefusalCode::NulCharacter),
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => Some(RefusalCode::BidiControl),
        _ => None,
    })
}

/// The first string in `value` (keys included) that breaks [`unsafe_char`],
/// as `(where, why)`; `at` names `value` itself.
pub fn first_unsafe_text(value: &serde_json::Value, at: &str) -> Option<(String, RefusalCode)> {
    use serde_json::Value;
    match value {
        Value::String(s) => unsafe_code(s).map(|why| (at.to_string(), why)),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| first_unsafe_text(v, &format!("{at}[{i}]"))),
        Value::Object(fields) => fields.iter().find_map(|(k, v)| {
            let here = if at.is_empty() {
                k.clone()
            } else {
                format!("{at}.{k}")
            };
            unsafe_code(k)
                .map(|why| (here.clone(), why))
                .or_else(|| first_unsafe_text(v, &here))
        }),
        _ => None,
    }
}

/// Accumulates field errors while a request body is parsed into domain types,
/// as refusal codes: a push answers them as they are, a REST answer as sentences.
#[derive(Default)]
pub struct Checker {
    errors: Refusals,
}

impl Checker {
    pub fn new() -> Checker {
        Checker::default()
    }

    pub fn fail(&mut self, field: &str, reason: impl Into<Refusal>) {
        self.errors
            .entry(field.to_string())
            .or_insert_with(|| reason.into());
    }

    /// Trims `value` and checks its length in characters; returns the trimmed text.
    pub fn text(&mut self, field: &str, value: &str, min: usize, max: usize) -> String {
        let trimmed = value.trim();
        let len = trimmed.chars().count();
        if len < min {
            self.fail(
                field,
                if min == 1 {
                    Refusal::new(RefusalCode::Required)
                } else {
                    Refusal::new(RefusalCode::TooShort).min(min as i64)
                },
            );
        } else if len > max {
            self.fail(field, Refusal::new(RefusalCode::TooLong).max(max as i64));
        } else if trimmed.chars().any(|c| c.is_control()) {
            self.fail(field, RefusalCode::ControlCharacters);
        }
        trimmed.to_string()
    }

    /// Like [`Checker::text`] for an optional field.
    pub fn optional_text(
        &mut self,
        field: &str,
        value: Option<&str>,
        max: usize,
    ) -> Option<String> {
        value
            .map(|v| self.text(field, v, 0, max))
            .filter(|v| !v.is_empty())
    }

    /// A code: letters, digits, `-` and `_`, stored upper-case.
    pub fn code(&mut self, field: &str, value: &str, max: usize) -> String {
        let code = self.text(field, value, 1, max).to_uppercase();
        if !code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            self.fail(field, RefusalCode::PlainCodeOnly);
        }
        code
    }

    /// Parses with `parse`, recording `reason` when it fails.
    pub fn parse<T>(
        &mut self,
        field: &str,
        value: &str,
        parse: impl FnOnce(&str) -> Option<T>,
        reason: impl Into<Refusal>,
    ) -> Option<T> {
        let parsed = parse(value);
        if parsed.is_none() {
            self.fail(field, reason);
        }
        parsed
    }

    pub fn range_f64(
        &mut self,
        field: &str,
        value: Option<f64>,
        min: f64,
        max: f64,
    ) -> Option<f64> {
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
            Err(ApiError::invalid_fields(crate::refusal::sentences(
                &self.errors,
            )))
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
        let ApiError::Invalid { fields, .. } = err else {
            panic!("expected Invalid")
        };
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
    fn nul_and_bidi_overrides_are_refused_anywhere_arabic_marks_pass() {
        assert!(unsafe_char("a\u{0}b").is_some());
        assert!(unsafe_char("\u{202E}gnp.exe").is_some());
        assert!(unsafe_char("\u{2067}x").is_some());
        assert_eq!(unsafe_char("مركز\u{200F} النساء"), None);
        let body =
            serde_json::json!({ "items": [{ "id": "x" }, { "data": { "notes": "ok\u{0}" } }] });
        assert_eq!(
            first_unsafe_text(&body, "").map(|(at, _)| at),
            Some("items[1].data.notes".to_string())
        );
        assert_eq!(
            first_unsafe_text(&serde_json::json!({ "a": ["fine", 1, null] }), ""),
            None
        );
    }

    #[test]
    fn arabic_length_counts_characters_not_bytes() {
        let mut c = Checker::new();
        c.text("name", "مركز النساء", 1, 11);
        assert!(c.finish(()).is_ok());
    }
}

/// Calendar dates as ISO `YYYY-MM-DD` text, the form both databases store.
pub mod dates {
    use time::macros::format_description;
    use time::{Date, Duration, OffsetDateTime};

    use crate::refusal::{Refusal, RefusalCode};

    /// How far back a date may go: paper registers from a few years ago may
    /// still be typed in, but nothing older.
    pub const MAX_AGE_DAYS: i64 = 5 * 366;

    pub fn parse(s: &str) -> Option<Date> {
        Date::parse(s, format_description!("[year]-[month]-[day]")).ok()
    }

    pub fn format(d: Date) -> String {
        d.format(format_description!("[year]-[month]-[day]"))
            .expect("dates format")
    }

    /// The server's today (UTC): the server is the clock.
    pub fn today() -> Date {
        OffsetDateTime::now_utc().date()
    }

    /// Why `d` is not a plausible date for something that happened, if it is not:
    /// more than one day ahead (phones in other time zones, clocks a little
    /// fast) or absurdly old.
    pub fn implausible(d: Date) -> Option<String> {
        implausible_code(d).map(|r| r.sentence())
    }

    /// [`implausible`] as a refusal: in the future, or more than five years back.
    pub fn implausible_code(d: Date) -> Option<Refusal> {
        let today = today();
        if d > today + Duration::days(1) {
            Some(Refusal::new(RefusalCode::InFuture))
        } else if d < today - Duration::days(MAX_AGE_DAYS) {
            Some(Refusal::new(RefusalCode::TooLongAgo).max(5))
        } else {
            None
        }
    }
}

impl Checker {
    /// A plausible past-or-today ISO date, normalised.
    pub fn past_date(&mut self, field: &str, value: &str) -> String {
        match dates::parse(value.trim()) {
            None => {
                self.fail(field, RefusalCode::NotADate);
                value.to_string()
            }
            Some(d) => {
                if let Some(reason) = dates::implausible_code(d) {
                    self.fail(field, reason);
                }
                dates::format(d)
            }
        }
    }

    /// An integer within bounds.
    pub fn int_range(&mut self, field: &str, value: i64, min: i64, max: i64) -> i64 {
        if !(min..=max).contains(&value) {
            self.fail(
                field,
                Refusal::new(RefusalCode::OutOfRange).min(min).max(max),
            );
        }
        value
    }

    /// Takes the collected refusals out (for per-item answers in a batch).
    pub fn into_errors(self) -> Refusals {
        self.errors
    }

    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }
}
