//! Participant codes: short, readable aloud, with a check character, and
//! unique across the programme even when phones create participants offline
//! at the same moment.
//!
//! A code is `PPP-NNNC`: 7 characters from Crockford's base-32 alphabet
//! (`0-9`, `A-Z` without `I L O U`, so no letter is mistaken for a digit or
//! spelled into a word), shown with a hyphen for reading aloud.
//!
//! - `PPP` is a **device prefix** the server hands out
//!   (`POST /api/participants/prefixes`): unique, allocated while online (a
//!   phone needs the network for its first login anyway). 32³ = 32,768
//!   prefixes.
//! - `NNN` is the phone's own counter under that prefix, 32,768 codes each;
//!   a phone that runs low asks for another prefix when next online.
//! - `C` is a Luhn mod-32 check character over the six before it: it
//!   catches every single mistyped character and every swap of two adjacent
//!   characters except `0`↔`Z` (Luhn mod N's one blind spot), which are the
//!   common errors when a code is read off a card.
//!
//! Uniqueness follows from construction (prefixes are unique, counters are
//! per prefix); the database's unique index on `code` is the backstop, and a
//! clash there is answered `invalid` so the phone never loses the person.
//! Input is forgiving: lower case, `I`/`L` → `1`, `O` → `0`, hyphens and
//! spaces ignored.

/// Crockford base-32 digits.
pub const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
pub const PREFIX_LEN: usize = 3;
pub const COUNTER_LEN: usize = 3;
pub const CODE_LEN: usize = PREFIX_LEN + COUNTER_LEN + 1;

fn value(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == c).map(|p| p as u32)
}

/// Normalises a typed code to its canonical 7 characters (no hyphen), or
/// `None` when it is not one.
pub fn normalise(input: &str) -> Option<String> {
    let mut out = String::with_capacity(CODE_LEN);
    for c in input.chars() {
        let c = match c.to_ascii_uppercase() {
            '-' | ' ' => continue,
            'I' | 'L' => '1',
            'O' => '0',
            c => c,
        };
        if !c.is_ascii() || value(c as u8).is_none() {
            return None;
        }
        out.push(c);
    }
    (out.len() == CODE_LEN).then_some(out)
}

/// Luhn mod N check character for `payload` (base-32 digits).
pub fn check_char(payload: &str) -> char {
    let n = 32;
    let mut factor = 2;
    let mut sum = 0;
    for c in payload.bytes().rev() {
        let mut addend = factor * value(c).expect("payload is base-32");
        factor = if factor == 2 { 1 } else { 2 };
        addend = addend / n + addend % n;
        sum += addend;
    }
    let check = (n - sum % n) % n;
    ALPHABET[check as usize] as char
}

/// Whether a canonical code's last character checks out.
pub fn is_valid(code: &str) -> bool {
    code.len() == CODE_LEN
        && code.bytes().all(|c| value(c).is_some())
        && check_char(&code[..CODE_LEN - 1]) == code.as_bytes()[CODE_LEN - 1] as char
}

/// The prefix of a canonical code.
pub fn prefix_of(code: &str) -> &str {
    &code[..PREFIX_LEN]
}

/// The `n`-th prefix (0-based), as base-32 digits.
pub fn prefix_for(n: u32) -> Option<String> {
    encode(n, PREFIX_LEN)
}

/// The code for counter `n` under `prefix`.
pub fn code_for(prefix: &str, n: u32) -> Option<String> {
    let payload = format!("{prefix}{}", encode(n, COUNTER_LEN)?);
    Some(format!("{payload}{}", check_char(&payload)))
}

fn encode(mut n: u32, width: usize) -> Option<String> {
    if n >= 32u32.pow(width as u32) {
        return None;
    }
    let mut digits = vec![b'0'; width];
    for d in digits.iter_mut().rev() {
        *d = ALPHABET[(n % 32) as usize];
        n /= 32;
    }
    String::from_utf8(digits).ok()
}

/// `K7M42QX` → `K7M-42QX`, for display.
pub fn display(code: &str) -> String {
    format!("{}-{}", &code[..PREFIX_LEN], &code[PREFIX_LEN..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_codes_are_valid_and_distinct() {
        let a = code_for("K7M", 0).unwrap();
        let b = code_for("K7M", 1).unwrap();
        assert_ne!(a, b);
        assert!(is_valid(&a) && is_valid(&b));
        assert_eq!(a.len(), CODE_LEN);
    }

    #[test]
    fn every_single_character_error_is_caught() {
        let code = code_for("K7M", 1234).unwrap();
        for i in 0..CODE_LEN {
            for &c in ALPHABET {
                if c == code.as_bytes()[i] {
                    continue;
                }
                let mut typo = code.clone().into_bytes();
                typo[i] = c;
                assert!(
                    !is_valid(std::str::from_utf8(&typo).unwrap()),
                    "{code} with {} at {i}",
                    c as char
                );
            }
        }
    }

    #[test]
    fn adjacent_swaps_are_caught_except_0_and_z() {
        for n in 0..500 {
            let code = code_for("Q2Z", n).unwrap();
            for i in 0..CODE_LEN - 1 {
                let mut swapped = code.clone().into_bytes();
                swapped.swap(i, i + 1);
                let pair = [code.as_bytes()[i], code.as_bytes()[i + 1]];
                let blind_spot = pair == *b"0Z" || pair == *b"Z0";
                if swapped != code.as_bytes() && !blind_spot {
                    assert!(
                        !is_valid(std::str::from_utf8(&swapped).unwrap()),
                        "{code} swap at {i}"
                    );
                }
            }
        }
    }

    #[test]
    fn typed_codes_are_forgiven_common_slips() {
        let code = code_for("A10", 7).unwrap();
        let typed = display(&code)
            .to_lowercase()
            .replace('1', "l")
            .replace('0', "o");
        assert_eq!(normalise(&typed).as_deref(), Some(code.as_str()));
        assert_eq!(normalise("ABC"), None);
        assert_eq!(normalise("ABCDEFU"), None, "U is not in the alphabet");
    }

    #[test]
    fn prefixes_and_counters_have_fixed_width_and_limits() {
        assert_eq!(prefix_for(0).as_deref(), Some("000"));
        assert_eq!(prefix_for(32767).as_deref(), Some("ZZZ"));
        assert_eq!(prefix_for(32768), None);
        assert_eq!(code_for("ZZZ", 32768), None);
    }
}
