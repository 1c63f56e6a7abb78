//! The guard every handler takes. A handler that needs a signed-in user asks
//! for [`CurrentUser`] (or [`AdminUser`]); it cannot forget the check, and
//! the user's [`SiteScope`] travels with it into every store query that
//! reads field data.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRef, FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::error::ApiError;
use crate::store::{now_millis, Db};
use crate::AppState;

/// Session keys.
pub(crate) const USER_ID_KEY: &str = "uid";
const SEEN_KEY: &str = "seen";
/// How stale the session's "seen" mark may get before it is refreshed (which
/// saves the session and so pushes its idle expiry forward).
const TOUCH_AFTER_MS: i64 = 5 * 60 * 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Coordinator,
    Trainer,
    Mobiliser,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Coordinator => "coordinator",
            Role::Trainer => "trainer",
            Role::Mobiliser => "mobiliser",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "coordinator" => Some(Role::Coordinator),
            "trainer" => Some(Role::Trainer),
            "mobiliser" => Some(Role::Mobiliser),
            _ => None,
        }
    }

    /// Only admins and coordinators may be given every site.
    pub fn may_have_all_sites(self) -> bool {
        matches!(self, Role::Admin | Role::Coordinator)
    }
}

/// Which sites a user may see. Queries take it as a parameter; its SQL form
/// is a sub-select on `user_sites`, so the database itself applies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SiteScope {
    pub user_id: i64,
    pub all_sites: bool,
}

impl SiteScope {
    /// `column IN scope`, with the scope's two values bound at `$first` and `$first+1`.
    pub fn sql(column: &str, first: usize) -> String {
        format!(
            "(${first} = 1 OR {column} IN (SELECT site_id FROM user_sites WHERE user_id = ${}))",
            first + 1
        )
    }

    /// The two values for [`SiteScope::sql`], in order.
    pub fn binds(&self) -> (i64, i64) {
        (self.all_sites as i64, self.user_id)
    }
}

/// The signed-in user, loaded fresh from the database on every request so a
/// deactivation or role change takes effect at once.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: i64,
    pub login: String,
    pub role: Role,
    pub scope: SiteScope,
    pub client_addr: String,
    pub session: Session,
}

impl CurrentUser {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// Admins and coordinators read the management lists of their scope.
    pub fn require_staff(&self) -> Result<(), ApiError> {
        match self.role {
            Role::Admin | Role::Coordinator => Ok(()),
            _ => Err(ApiError::forbidden(
                "only coordinators and admins may do this",
            )),
        }
    }
}

impl<S> FromRequestParts<S> for CurrentUser
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, outer: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(outer);
        let session = Session::from_request_parts(parts, &state)
            .await
            .map_err(|(_, msg)| {
                ApiError::Internal(anyhow::anyhow!("session layer missing: {msg}"))
            })?;
        let user_id: i64 = session
            .get(USER_ID_KEY)
            .await
            .map_err(session_error)?
            .ok_or(ApiError::Unauthenticated)?;
        let Some(row) = load_active(&state.db, user_id).await? else {
            // The account was deactivated or removed since login.
            session.flush().await.map_err(session_error)?;
            return Err(ApiError::Unauthenticated);
        };
        touch(&session).await?;
        let client_addr = ClientAddr::from_request_parts(parts, outer).await?.0;
        Ok(CurrentUser {
            id: row.0,
            login: row.1,
            role: row.2,
            scope: SiteScope {
                user_id: row.0,
                all_sites: row.3,
            },
            client_addr,
            session,
        })
    }
}

async fn touch(session: &Session) -> Result<(), ApiError> {
    let now = now_millis();
    let seen: Option<i64> = session.get(SEEN_KEY).await.map_err(session_error)?;
    if seen.is_none_or(|s| now - s > TOUCH_AFTER_MS) {
        session.insert(SEEN_KEY, now).await.map_err(session_error)?;
    }
    Ok(())
}

async fn load_active(db: &Db, user_id: i64) -> Result<Option<(i64, String, Role, bool)>, ApiError> {
    let row: Option<(i64, String, String, i64)> =
        sqlx::query_as("SELECT id, login, role, all_sites FROM users WHERE id = $1 AND active = 1")
            .bind(user_id)
            .fetch_optional(db.pool())
            .await?;
    Ok(row.and_then(|(id, login, role, all)| {
        let role = Role::parse(&role)?;
        Some((
            id,
            login,
            role,
            role == Role::Admin || (all != 0 && role.may_have_all_sites()),
        ))
    }))
}

pub(crate) fn session_error(e: tower_sessions::session::Error) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("session store: {e}"))
}

/// `Option<CurrentUser>`: `None` when nobody is signed in (for logout).
impl<S> OptionalFromRequestParts<S> for CurrentUser
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        match <CurrentUser as FromRequestParts<S>>::from_request_parts(parts, state).await {
            Ok(user) => Ok(Some(user)),
            Err(ApiError::Unauthenticated) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// A signed-in admin; anyone else is answered 403.
pub struct AdminUser(pub CurrentUser);

impl<S> FromRequestParts<S> for AdminUser
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let user = <CurrentUser as FromRequestParts<S>>::from_request_parts(parts, state).await?;
        if !user.is_admin() {
            return Err(ApiError::forbidden("only admins may do this"));
        }
        Ok(AdminUser(user))
    }
}

/// The client's address, for the audit log and the login throttle.
pub struct ClientAddr(pub String);

impl<S> FromRequestParts<S> for ClientAddr
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        if state.config.trust_forwarded_for {
            let forwarded = parts
                .headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
                .map(str::trim);
            if let Some(addr) = forwarded.filter(|a| !a.is_empty()) {
                return Ok(ClientAddr(addr.chars().take(64).collect()));
            }
        }
        let addr = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string())
            .unwrap_or_else(|| "unknown".into());
        Ok(ClientAddr(addr))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_only_staff_get_all_sites() {
        for role in [
            Role::Admin,
            Role::Coordinator,
            Role::Trainer,
            Role::Mobiliser,
        ] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
        assert!(Role::Coordinator.may_have_all_sites());
        assert!(!Role::Trainer.may_have_all_sites());
    }

    #[test]
    fn scope_sql_binds_two_values_in_order() {
        assert_eq!(
            SiteScope::sql("s.id", 3),
            "($3 = 1 OR s.id IN (SELECT site_id FROM user_sites WHERE user_id = $4))"
        );
        assert_eq!(
            SiteScope {
                user_id: 7,
                all_sites: false
            }
            .binds(),
            (0, 7)
        );
    }
}
