//! Where and how one record counts in the rollups.

/// What a live record contributes under: its site, type and day, its
/// minutes and disabled head count, and whether it is flagged (flagged
/// records count apart, so figures can leave them out). Its attendances and
/// head counts are its own rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contribution {
    pub site_id: i64,
    pub activity_type_id: i64,
    /// `YYYY-MM-DD`.
    pub day: String,
    pub minutes: i64,
    pub tally_disabled: i64,
    pub flagged: bool,
}

impl Contribution {
    /// `YYYY-MM`: the presence rollup's bucket.
    pub fn month(&self) -> &str {
        &self.day[..7]
    }
}

/// Whether a contribution goes in or comes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sign {
    Add,
    Remove,
}

impl Sign {
    pub fn value(self) -> i64 {
        match self {
            Sign::Add => 1,
            Sign::Remove => -1,
        }
    }
}
