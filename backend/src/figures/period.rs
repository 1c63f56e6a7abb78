//! Periods: a day, an ISO week, a month, a quarter, or any range of days,
//! and how a range splits into whole months (read from the monthly rollup)
//! and the days at either edge (read from the records themselves).

use time::{Date, Duration, Month, Weekday};

use crate::validate::dates;

/// An inclusive range of days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: Date,
    pub to: Date,
}

impl Period {
    /// Reads `2026-10-05` (a day), `2026-W40` (ISO week), `2026-10` (month),
    /// `2026-Q3` (quarter); `None` when it is none of these.
    pub fn parse(text: &str) -> Option<Period> {
        let text = text.trim();
        if let Some(day) = dates::parse(text) {
            return Some(Period { from: day, to: day });
        }
        let (year, rest) = text.split_once('-')?;
        let year: i32 = year.parse().ok().filter(|y| (1900..=2200).contains(y))?;
        if let Some(week) = rest.strip_prefix('W') {
            let from = Date::from_iso_week_date(year, week.parse().ok()?, Weekday::Monday).ok()?;
            return Some(Period {
                from,
                to: from + Duration::days(6),
            });
        }
        if let Some(quarter) = rest.strip_prefix('Q') {
            let q: u8 = quarter.parse().ok().filter(|q| (1..=4).contains(q))?;
            let first = Month::try_from(q * 3 - 2).ok()?;
            let last = Month::try_from(q * 3).ok()?;
            return Some(Period {
                from: Date::from_calendar_date(year, first, 1).ok()?,
                to: last_day(year, last)?,
            });
        }
        if rest.len() == 2 {
            let month = Month::try_from(rest.parse::<u8>().ok()?).ok()?;
            return Some(Period {
                from: Date::from_calendar_date(year, month, 1).ok()?,
                to: last_day(year, month)?,
            });
        }
        None
    }

    pub fn from_range(from: &str, to: &str) -> Option<Period> {
        let (from, to) = (dates::parse(from)?, dates::parse(to)?);
        (from <= to).then_some(Period { from, to })
    }

    pub fn days(&self) -> i64 {
        (self.to - self.from).whole_days() + 1
    }

    /// The whole months inside the range (as `YYYY-MM` first and last), and
    /// the day ranges left over at the edges.
    pub fn split(&self) -> Split {
        let first_full = if self.from.day() == 1 {
            self.from
        } else {
            next_month_start(self.from)
        };
        let last_full_end = if Some(self.to) == last_day(self.to.year(), self.to.month()) {
            self.to
        } else {
            month_start(self.to) - Duration::days(1)
        };
        if first_full > last_full_end {
            return Split {
                months: None,
                edges: vec![*self],
            };
        }
        let mut edges = vec![];
        if self.from < first_full {
            edges.push(Period {
                from: self.from,
                to: first_full - Duration::days(1),
            });
        }
        if last_full_end < self.to {
            edges.push(Period {
                from: last_full_end + Duration::days(1),
                to: self.to,
            });
        }
        Split {
            months: Some((month_key(first_full), month_key(last_full_end))),
            edges,
        }
    }

    /// The ISO weeks the range touches, each with its days inside the range.
    pub fn weeks(&self) -> Vec<(String, Period)> {
        let mut out = vec![];
        let mut from = self.from;
        while from <= self.to {
            let sunday = from + Duration::days(6 - from.weekday().number_days_from_monday() as i64);
            let to = sunday.min(self.to);
            out.push((Period::iso_week(from), Period { from, to }));
            from = to + Duration::days(1);
        }
        out
    }

    /// The ISO week (`2026-W40`) a day belongs to.
    pub fn iso_week(day: Date) -> String {
        let (year, week, _) = day.to_iso_week_date();
        format!("{year}-W{week:02}")
    }
}

/// How a range is read: whole months from the rollup, edge days from records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    pub months: Option<(String, String)>,
    pub edges: Vec<Period>,
}

fn month_key(d: Date) -> String {
    format!("{:04}-{:02}", d.year(), d.month() as u8)
}

fn month_start(d: Date) -> Date {
    d.replace_day(1).expect("day 1 exists")
}

fn next_month_start(d: Date) -> Date {
    let (y, m) = if d.month() == Month::December {
        (d.year() + 1, Month::January)
    } else {
        (d.year(), d.month().next())
    };
    Date::from_calendar_date(y, m, 1).expect("first of month exists")
}

fn last_day(year: i32, month: Month) -> Option<Date> {
    Date::from_calendar_date(year, month, month.length(year)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_cuts_into_the_parts_of_its_iso_weeks() {
        let p = Period::from_range("2026-01-01", "2026-01-12").unwrap();
        let weeks: Vec<(String, String, String)> = p
            .weeks()
            .into_iter()
            .map(|(w, p)| (w, dates::format(p.from), dates::format(p.to)))
            .collect();
        assert_eq!(
            weeks,
            [
                (
                    "2026-W01".to_string(),
                    "2026-01-01".to_string(),
                    "2026-01-04".to_string()
                ),
                (
                    "2026-W02".to_string(),
                    "2026-01-05".to_string(),
                    "2026-01-11".to_string()
                ),
                (
                    "2026-W03".to_string(),
                    "2026-01-12".to_string(),
                    "2026-01-12".to_string()
                ),
            ]
        );
    }

    fn d(s: &str) -> Date {
        dates::parse(s).unwrap()
    }

    #[test]
    fn named_periods_parse_to_their_days() {
        assert_eq!(
            Period::parse("2026-Q1"),
            Some(Period {
                from: d("2026-01-01"),
                to: d("2026-03-31")
            })
        );
        assert_eq!(
            Period::parse("2024-02"),
            Some(Period {
                from: d("2024-02-01"),
                to: d("2024-02-29")
            })
        );
        // ISO week 1 of 2026 starts on Monday 29 December 2025.
        assert_eq!(
            Period::parse("2026-W01"),
            Some(Period {
                from: d("2025-12-29"),
                to: d("2026-01-04")
            })
        );
        assert_eq!(Period::parse("2026-10-05").unwrap().days(), 1);
        assert_eq!(Period::parse("2026-Q5"), None);
        assert_eq!(Period::parse("2026-13"), None);
    }

    #[test]
    fn a_range_splits_into_whole_months_and_edges() {
        let p = Period::from_range("2025-12-15", "2026-02-10").unwrap();
        assert_eq!(
            p.split(),
            Split {
                months: Some(("2026-01".into(), "2026-01".into())),
                edges: vec![
                    Period::from_range("2025-12-15", "2025-12-31").unwrap(),
                    Period::from_range("2026-02-01", "2026-02-10").unwrap()
                ]
            }
        );
        let q = Period::parse("2026-Q3").unwrap();
        assert_eq!(
            q.split(),
            Split {
                months: Some(("2026-07".into(), "2026-09".into())),
                edges: vec![]
            }
        );
        let week = Period::parse("2026-W40").unwrap();
        assert_eq!(
            week.split(),
            Split {
                months: None,
                edges: vec![week]
            }
        );
    }
}
