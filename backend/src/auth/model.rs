//! What a login sends, and its checks.

use serde::Deserialize;

use crate::error::ApiError;
use crate::users::password::MAX_PASSWORD_CHARS;
use crate::validate::Checker;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub login: String,
    pub password: String,
}

impl LoginRequest {
    /// The login name as stored (lower case), once both fields are plausible.
    pub fn login_name(&self) -> Result<String, ApiError> {
        let mut check = Checker::new();
        let login = check.text("login", &self.login, 1, 64).to_lowercase();
        if self.password.is_empty() || self.password.chars().count() > MAX_PASSWORD_CHARS {
            check.fail(
                "password",
                format!("must be 1 to {MAX_PASSWORD_CHARS} characters"),
            );
        }
        check.finish(login)
    }
}
