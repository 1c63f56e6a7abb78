//! Password hashing with Argon2id (the `argon2` crate's defaults: 19 MiB,
//! two passes, one lane — OWASP's recommended minimum). Hashing is CPU-heavy,
//! so it runs on the blocking pool, off the async workers.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

/// Shortest password accepted for new accounts.
pub const MIN_PASSWORD_CHARS: usize = 10;
pub const MAX_PASSWORD_CHARS: usize = 256;

pub async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hash password: {e}"))
    })
    .await?
}

/// Checks `password` against `stored`. With no stored hash (unknown login)
/// it still spends the same work on a fixed hash, so response time does not
/// reveal whether a login exists.
pub async fn verify(password: String, stored: Option<String>) -> anyhow::Result<bool> {
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| DUMMY_HASH.to_string());
        let parsed = PasswordHash::new(&stored)
            .map_err(|e| anyhow::anyhow!("stored hash unreadable: {e}"))?;
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok(ok && known)
    })
    .await?
}

/// The Argon2id hash of a random string nobody knows, with default parameters.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2lqaWwtZHVtbXktc2FsdA$9pZ8PpgNq+hW0aQ2s7LrJ0l1cVZp9xQyM6m6n4vGm0c";

/// A password for generated accounts: 16 characters from an alphabet with
/// no look-alikes (no 0/O, 1/l/I), about 90 bits.
pub fn generate() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    (0..16)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let h = hash("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse battery".into(), Some(h.clone()))
            .await
            .unwrap());
        assert!(!verify("wrong".into(), Some(h)).await.unwrap());
    }

    #[tokio::test]
    async fn unknown_login_never_verifies() {
        assert!(!verify("anything".into(), None).await.unwrap());
    }

    #[test]
    fn dummy_hash_parses() {
        PasswordHash::new(DUMMY_HASH).unwrap();
    }

    #[test]
    fn generated_passwords_are_long_and_distinct() {
        let a = generate();
        assert_eq!(a.len(), 16);
        assert_ne!(a, generate());
    }
}
