//! The API shapes of devices and their rules.

use serde::{Deserialize, Serialize};

use crate::error::ApiError;

/// A phone's device id for one user: made by the phone (a UUID), so the
/// rule is only a sane shape.
pub fn parse_device_id(id: &str) -> Result<String, ApiError> {
    let ok =
        (8..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if ok {
        Ok(id.to_string())
    } else {
        Err(ApiError::invalid_field(
            "device_id",
            "8 to 64 letters, digits or dashes",
        ))
    }
}

/// A fresh recovery key: 32 random bytes from the OS, as lowercase hex
/// (the phone imports it as an AES-256 key).
pub fn new_recovery_key() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether a recovery key may go out: the session's password login is at
/// most `window_ms` old, or the device is to be wiped. A session whose
/// login time is unknown has proven nothing recently.
pub fn may_release(login_at: Option<i64>, now: i64, window_ms: i64, wipe: bool) -> bool {
    wipe || login_at.is_some_and(|at| now - at <= window_ms)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviceRequest {
    /// The phone's id for this user's copy of the data.
    pub device_id: String,
}

/// The recovery key of a device, and whether it is to be wiped.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeviceKey {
    pub device_id: String,
    /// 64 hex characters (AES-256); never stored on the phone.
    pub key: String,
    pub wipe: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeviceStatus {
    /// An admin asked this device to send its outbox and delete the user's data.
    pub wipe: bool,
    /// Days the phone keeps records after a clean sync (older ones leave it unless unsent).
    pub keep_records_days: u32,
}

/// A device as admins see it (never its key).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct DeviceView {
    pub id: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub wipe_requested_at: Option<i64>,
    pub wiped_at: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WipeMarked {
    /// How many devices (not yet wiped) were marked.
    pub devices: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_ids_are_short_plain_tokens() {
        assert!(parse_device_id("3f0c9a8e-1b2c-4d5e-8f90-a1b2c3d4e5f6").is_ok());
        assert!(parse_device_id("short").is_err());
        assert!(parse_device_id("has space in it").is_err());
        assert!(parse_device_id(&"x".repeat(65)).is_err());
        assert!(parse_device_id("../../etc/passwd").is_err());
    }

    #[test]
    fn keys_go_out_just_after_a_password_login_or_for_a_wipe() {
        assert!(may_release(Some(1_000), 1_500, 600, false));
        assert!(!may_release(Some(1_000), 1_601, 600, false));
        assert!(!may_release(None, 1_000, 600, false));
        assert!(may_release(None, 1_000, 600, true));
        assert!(may_release(Some(0), 1_000_000, 600, true));
    }

    #[test]
    fn recovery_keys_are_256_bits_of_hex_and_differ() {
        let a = new_recovery_key();
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(a, new_recovery_key());
    }
}
