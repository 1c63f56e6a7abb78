//! Age bands, from the birth year at the activity date (docs/design.md §2).
//! They roll up to the cluster convention: children 0–17, adults 18–59,
//! elderly 60+.

use serde::{Deserialize, Serialize};

/// An age band.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
pub enum AgeBand {
    #[serde(rename = "0-5")]
    Under6,
    #[serde(rename = "6-11")]
    From6To11,
    #[serde(rename = "12-17")]
    From12To17,
    #[serde(rename = "18-24")]
    From18To24,
    #[serde(rename = "25-59")]
    From25To59,
    #[serde(rename = "60+")]
    From60,
}

impl AgeBand {
    pub const ALL: [AgeBand; 6] = [
        AgeBand::Under6,
        AgeBand::From6To11,
        AgeBand::From12To17,
        AgeBand::From18To24,
        AgeBand::From25To59,
        AgeBand::From60,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AgeBand::Under6 => "0-5",
            AgeBand::From6To11 => "6-11",
            AgeBand::From12To17 => "12-17",
            AgeBand::From18To24 => "18-24",
            AgeBand::From25To59 => "25-59",
            AgeBand::From60 => "60+",
        }
    }

    /// The oldest age in each band but the last: the one definition that
    /// both [`AgeBand::at`] and the figures' SQL ([`AgeBand::sql_case`]) use.
    const OLDEST: [(i64, AgeBand); 5] = [
        (5, AgeBand::Under6),
        (11, AgeBand::From6To11),
        (17, AgeBand::From12To17),
        (24, AgeBand::From18To24),
        (59, AgeBand::From25To59),
    ];

    /// The band of someone born in `birth_year` during `year`. Only the year
    /// of birth is known, so age is the difference of years.
    pub fn at(birth_year: i64, year: i64) -> AgeBand {
        let age = year - birth_year;
        AgeBand::OLDEST
            .iter()
            .find(|(oldest, _)| age <= *oldest)
            .map_or(AgeBand::From60, |(_, band)| *band)
    }

    /// SQL that names the band of the age `age` (an integer expression), so
    /// the database groups by band rather than returning a row per age.
    pub fn sql_case(age: &str) -> String {
        let arms: String = AgeBand::OLDEST
            .iter()
            .map(|(oldest, band)| format!(" WHEN {age} <= {oldest} THEN '{}'", band.as_str()))
            .collect();
        format!("(CASE{arms} ELSE '{}' END)", AgeBand::From60.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_bands_have_the_design_boundaries() {
        assert_eq!(AgeBand::at(2020, 2025), AgeBand::Under6);
        assert_eq!(AgeBand::at(2019, 2025), AgeBand::From6To11);
        assert_eq!(AgeBand::at(2008, 2025), AgeBand::From12To17);
        assert_eq!(AgeBand::at(2007, 2025), AgeBand::From18To24);
        assert_eq!(AgeBand::at(2000, 2025), AgeBand::From25To59);
        assert_eq!(AgeBand::at(1966, 2025), AgeBand::From25To59);
        assert_eq!(AgeBand::at(1965, 2025), AgeBand::From60);
    }
}
