//! Presence sets: who was present in one period bucket (a month or a day)
//! at one site and activity type, as one compact blob, so a figure reads a
//! few thousand small blobs instead of counting distinct rows in SQL.
//!
//! A set is a run of members sorted by participant number, each with their
//! attendances (all, and unflagged only) and a copy of the attributes the
//! splits need. Encoded as varints (number as a delta from the previous
//! one): about 6 bytes a member. Plain functions here; the SQL that keeps
//! the sets in step is in [`super::store`].

/// One participant in one set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Member {
    /// The participant's dense number (`participant_numbers`).
    pub number: u32,
    /// Attendances in the bucket, flagged records included.
    pub attendances: u32,
    /// Attendances at records not flagged.
    pub unflagged: u32,
    pub birth_year: i32,
    /// Sex, disability and displacement, packed by [`Attributes::code`].
    pub attributes: u8,
}

/// The attributes a split needs, besides the birth year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attributes {
    pub male: bool,
    pub disability: bool,
    /// Index in [`DISPLACEMENTS`].
    pub displacement: u8,
}

/// The stored displacement values, in the order of their codes.
pub const DISPLACEMENTS: [&str; 4] = ["host", "idp", "refugee", "returnee"];

impl Attributes {
    /// From the stored columns; `None` for a value the schema does not allow.
    pub fn from_columns(sex: &str, has_disability: i64, displacement: &str) -> Option<Attributes> {
        let male = match sex {
            "female" => false,
            "male" => true,
            _ => return None,
        };
        Some(Attributes {
            male,
            disability: has_disability != 0,
            displacement: DISPLACEMENTS.iter().position(|d| *d == displacement)? as u8,
        })
    }

    pub fn code(self) -> u8 {
        (self.male as u8) | (self.disability as u8) << 1 | self.displacement << 2
    }

    pub fn from_code(code: u8) -> Attributes {
        Attributes {
            male: code & 1 == 1,
            disability: code & 2 == 2,
            displacement: (code >> 2) & 3,
        }
    }

    pub fn sex(self) -> &'static str {
        if self.male {
            "male"
        } else {
            "female"
        }
    }
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn get_varint(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let mut v = 0u64;
    let mut shift = 0;
    loop {
        let b = *bytes.get(*at)?;
        *at += 1;
        v |= ((b & 0x7f) as u64) << shift;
        if b < 0x80 {
            return Some(v);
        }
        shift += 7;
        if shift > 63 {
            return None;
        }
    }
}

/// Encodes `members` (sorted by number, numbers distinct).
pub fn encode(members: &[Member]) -> Vec<u8> {
    let mut out = Vec::with_capacity(members.len() * 6 + 4);
    put_varint(&mut out, members.len() as u64);
    let mut previous = 0u32;
    for m in members {
        put_varint(&mut out, (m.number - previous) as u64);
        previous = m.number;
        put_varint(&mut out, m.attendances as u64);
        put_varint(&mut out, m.unflagged as u64);
        // Zigzag keeps a (never expected) negative birth year exact.
        let year = m.birth_year as i64;
        put_varint(&mut out, ((year << 1) ^ (year >> 63)) as u64);
        out.push(m.attributes);
    }
    out
}

/// Decodes a set written by [`encode`]; `None` when the bytes are not one.
pub fn decode(bytes: &[u8]) -> Option<Vec<Member>> {
    let mut at = 0;
    let len = get_varint(bytes, &mut at)? as usize;
    let mut members = Vec::with_capacity(len.min(bytes.len()));
    let mut number = 0u32;
    for _ in 0..len {
        number = number.checked_add(u32::try_from(get_varint(bytes, &mut at)?).ok()?)?;
        let attendances = u32::try_from(get_varint(bytes, &mut at)?).ok()?;
        let unflagged = u32::try_from(get_varint(bytes, &mut at)?).ok()?;
        let zigzag = get_varint(bytes, &mut at)?;
        let birth_year = ((zigzag >> 1) as i64 ^ -((zigzag & 1) as i64)) as i32;
        let attributes = *bytes.get(at)?;
        at += 1;
        members.push(Member {
            number,
            attendances,
            unflagged,
            birth_year,
            attributes,
        });
    }
    (at == bytes.len()).then_some(members)
}

/// Adds (`sign` 1) or removes (`sign` -1) one attendance of each of
/// `present` (numbers with their current attributes), counted as unflagged
/// unless `flagged`. A member whose attendances reach zero leaves the set;
/// the attributes of every member touched are refreshed.
pub fn apply(members: &mut Vec<Member>, present: &[(u32, i32, u8)], sign: i64, flagged: bool) {
    for &(number, birth_year, attributes) in present {
        match members.binary_search_by_key(&number, |m| m.number) {
            Ok(i) => {
                let m = &mut members[i];
                m.attendances = (m.attendances as i64 + sign).max(0) as u32;
                if !flagged {
                    m.unflagged = (m.unflagged as i64 + sign).max(0) as u32;
                }
                m.birth_year = birth_year;
                m.attributes = attributes;
                if m.attendances == 0 {
                    members.remove(i);
                }
            }
            Err(i) if sign > 0 => members.insert(
                i,
                Member {
                    number,
                    attendances: 1,
                    unflagged: u32::from(!flagged),
                    birth_year,
                    attributes,
                },
            ),
            Err(_) => {}
        }
    }
}

/// Adds `added` (sorted by number, numbers distinct: each with the
/// attendances to add and their current attributes) to `members` in one
/// merge of the two sorted runs: what [`apply`] does one record at a time,
/// for a whole batch of records in the same bucket.
pub fn add(members: &mut Vec<Member>, added: &[Member]) {
    let old = std::mem::take(members);
    members.reserve(old.len() + added.len());
    let (mut i, mut j) = (0, 0);
    while i < old.len() || j < added.len() {
        match (old.get(i), added.get(j)) {
            (Some(o), Some(a)) if o.number == a.number => {
                members.push(Member {
                    attendances: o.attendances + a.attendances,
                    unflagged: o.unflagged + a.unflagged,
                    ..*a
                });
                i += 1;
                j += 1;
            }
            (Some(o), Some(a)) if o.number < a.number => {
                members.push(*o);
                i += 1;
            }
            (Some(o), None) => {
                members.push(*o);
                i += 1;
            }
            (_, Some(a)) => {
                members.push(*a);
                j += 1;
            }
            (None, None) => unreachable!("the loop ends when both runs are done"),
        }
    }
}

/// Sets the attributes of member `number`, if present; whether it was.
pub fn relabel(members: &mut [Member], number: u32, birth_year: i32, attributes: u8) -> bool {
    match members.binary_search_by_key(&number, |m| m.number) {
        Ok(i) => {
            members[i].birth_year = birth_year;
            members[i].attributes = attributes;
            true
        }
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(number: u32, attendances: u32) -> Member {
        Member {
            number,
            attendances,
            unflagged: attendances,
            birth_year: 2010,
            attributes: 5,
        }
    }

    #[test]
    fn sets_round_trip_through_their_bytes() {
        let members = vec![
            member(1, 3),
            member(7, 1),
            Member {
                number: 4_000_000,
                attendances: 300,
                unflagged: 2,
                birth_year: -3,
                attributes: 15,
            },
        ];
        let bytes = encode(&members);
        assert_eq!(decode(&bytes), Some(members));
        assert_eq!(decode(&encode(&[])), Some(vec![]));
        assert_eq!(decode(&bytes[..bytes.len() - 1]), None, "truncated");
    }

    #[test]
    fn attendances_come_and_go_and_empty_members_leave() {
        let mut members = vec![member(2, 1), member(9, 2)];
        apply(&mut members, &[(5, 1990, 1), (9, 2011, 0)], 1, true);
        assert_eq!(
            members
                .iter()
                .map(|m| (m.number, m.attendances, m.unflagged))
                .collect::<Vec<_>>(),
            [(2, 1, 1), (5, 1, 0), (9, 3, 2)]
        );
        assert_eq!(members[2].birth_year, 2011, "attributes refreshed");
        apply(
            &mut members,
            &[(2, 2010, 5), (5, 1990, 1), (6, 2000, 0)],
            -1,
            false,
        );
        assert_eq!(members.iter().map(|m| m.number).collect::<Vec<_>>(), [9]);
    }

    #[test]
    fn attributes_pack_into_one_byte() {
        for sex in ["female", "male"] {
            for disability in [0, 1] {
                for displacement in DISPLACEMENTS {
                    let a = Attributes::from_columns(sex, disability, displacement).unwrap();
                    let back = Attributes::from_code(a.code());
                    assert_eq!(back, a);
                    assert_eq!(back.sex(), sex);
                    assert_eq!(DISPLACEMENTS[back.displacement as usize], displacement);
                }
            }
        }
        assert_eq!(Attributes::from_columns("x", 0, "host"), None);
    }

    #[test]
    fn adding_a_batch_is_applying_its_records_one_by_one() {
        let start = vec![member(2, 1), member(9, 2), member(12, 1)];
        // Two records in the bucket: one unflagged with 2, 9 and 20; one
        // flagged with 1 and 9 (whose attributes changed since).
        let unflagged = [(2, 2010, 5), (9, 2010, 5), (20, 2001, 3)];
        let flagged = [(1, 1999, 0), (9, 2011, 4)];
        let mut one_by_one = start.clone();
        apply(&mut one_by_one, &unflagged, 1, false);
        apply(&mut one_by_one, &flagged, 1, true);
        let added = [
            (1, 1, 0, 1999, 0),
            (2, 1, 1, 2010, 5),
            (9, 2, 1, 2011, 4),
            (20, 1, 1, 2001, 3),
        ]
        .map(
            |(number, attendances, unflagged, birth_year, attributes)| Member {
                number,
                attendances,
                unflagged,
                birth_year,
                attributes,
            },
        );
        let mut merged = start;
        add(&mut merged, &added);
        assert_eq!(merged, one_by_one);
        let mut empty = vec![];
        add(&mut empty, &added);
        assert_eq!(empty, added);
    }

    #[test]
    fn relabelling_touches_only_members() {
        let mut members = vec![member(3, 1)];
        assert!(relabel(&mut members, 3, 1980, 2));
        assert!(!relabel(&mut members, 4, 1980, 2));
        assert_eq!((members[0].birth_year, members[0].attributes), (1980, 2));
    }
}
