//! What a record is: its content as phones send it ([`record`]), the age
//! bands its head counts use ([`age_band`]), and the shapes coordinators
//! read and review it in, with the month locks ([`review`]).

pub mod age_band;
pub mod record;
pub mod review;

pub use age_band::AgeBand;
pub use record::{
    cfs_day_id, may_record, RecordData, Tally, MAX_ATTENDANCE, MAX_DURATION_MINUTES, MAX_TALLY_CELL,
};
pub use review::{
    locked_refusal, Attendee, LockBody, MonthLock, RecordDetail, RecordFilter, RecordQuery,
    RecordSummary, Review, ReviewBody, TallyRow, UnlockBody,
};
