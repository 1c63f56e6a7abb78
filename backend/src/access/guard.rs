//! The guard every handler takes. A handler that needs a signed-in user asks
//! for [`CurrentUser`] (or [`AdminUser`]); it cannot forget the check, and
//! the user's [`SiteScope`] travels with it into every store query that
//! reads field data.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRef, FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use tower_sessions::Session;

use super::cache::AuthCache;
use super::model::{Role, SiteScope};
use super::session::{
    session_error, EPOCH_KEY, LOGIN_AT_KEY, SEEN_KEY, UNDATED_SINCE_KEY, USER_ID_KEY,
};
use super::store;
use crate::error::{ApiError, ResultExt};
use crate::state::AppState;
use crate::store::now_millis;

/// How stale the session's "seen" mark may get before it is refreshed (which
/// saves the session and so pushes its idle expiry forward); a quarter of
/// the idle timeout when that is shorter, so a session in use never ends.
const TOUCH_AFTER_MS: i64 = 5 * 60 * 1000;

/// The signed-in user, loaded from the database (or remembered from it for
/// at most [`super::cache::FRESH`]), so a deactivation or role change takes
/// effect at once on the instance that made it and within half a second on
/// every other.
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
        if self.role.is_staff() {
            Ok(())
        } else {
            Err(ApiError::forbidden(
                "only coordinators and admins may do this",
            ))
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
        let epoch: i64 = session
            .get(EPOCH_KEY)
            .await
            .map_err(session_error)?
            .unwrap_or(0);
        let cache = parts.extensions.get::<AuthCache>().cloned();
        // A remembered account is trusted only when it agrees with the
        // session; otherwise (a login after a password reset elsewhere, say)
        // the database decides.
        let remembered = cache
            .as_ref()
            .and_then(|c| c.users.get(&user_id))
            .filter(|u| u.session_epoch == epoch);
        let stored = match remembered {
            Some(user) => Some(user),
            None => {
                let stored = store::active_user(&state.db, user_id)
                    .await
                    .context("load the signed-in user")?;
                if let (Some(cache), Some(user)) = (&cache, &stored) {
                    cache.users.put(user_id, user.clone());
                }
                stored
            }
        };
        let current = stored
            .filter(|u| u.session_epoch == epoch)
            .and_then(|u| u.role().map(|r| (u, r)));
        let Some((user, role)) = current else {
            // The account was deactivated or removed since login, or its
            // password was reset (the epoch moved).
            session.flush().await.map_err(session_error)?;
            return Err(ApiError::Unauthenticated);
        };
        if too_old(&session, state.config.session_max_secs * 1000).await? {
            session.flush().await.map_err(session_error)?;
            return Err(ApiError::Unauthenticated);
        }
        let idle_ms = state.config.session_idle_secs * 1000;
        touch(&session, TOUCH_AFTER_MS.min(idle_ms / 4)).await?;
        let client_addr = ClientAddr::from_request_parts(parts, outer).await?.0;
        Ok(CurrentUser {
            id: user.id,
            login: user.login,
            role,
            scope: SiteScope::of(user.id, role, user.all_sites),
            client_addr,
            session,
        })
    }
}

/// Whether the session outlived the absolute lifetime. A session made
/// before logins were dated counts from when it was first seen after that
/// (under another key: only a real login proves a password, which the
/// device key release relies on).
async fn too_old(session: &Session, max_ms: i64) -> Result<bool, ApiError> {
    let now = now_millis();
    let login_at: Option<i64> = session.get(LOGIN_AT_KEY).await.map_err(session_error)?;
    let since = match login_at {
        Some(at) => at,
        None => match session
            .get(UNDATED_SINCE_KEY)
            .await
            .map_err(session_error)?
        {
            Some(at) => at,
            None => {
                session
                    .insert(UNDATED_SINCE_KEY, now)
                    .await
                    .map_err(session_error)?;
                now
            }
        },
    };
    Ok(now - since > max_ms)
}

async fn touch(session: &Session, after_ms: i64) -> Result<(), ApiError> {
    let now = now_millis();
    let seen: Option<i64> = session.get(SEEN_KEY).await.map_err(session_error)?;
    if seen.is_none_or(|s| now - s > after_ms) {
        session.insert(SEEN_KEY, now).await.map_err(session_error)?;
    }
    Ok(())
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
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok());
        if let Some(addr) = forwarded_client(forwarded, state.config.trusted_proxies) {
            return Ok(ClientAddr(addr.chars().take(64).collect()));
        }
        let addr = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string())
            .unwrap_or_else(|| "unknown".into());
        Ok(ClientAddr(addr))
    }
}

/// The client's address as the outermost of `proxies` trusted proxies saw
/// it: each proxy appends the address it was reached from, so that entry
/// counts `proxies` from the right; anything left of it the client wrote.
fn forwarded_client<'a>(headers: impl Iterator<Item = &'a str>, proxies: usize) -> Option<String> {
    if proxies == 0 {
        return None;
    }
    let entries: Vec<&str> = headers.flat_map(|h| h.split(',')).map(str::trim).collect();
    let entry = entries.get(entries.len().checked_sub(proxies)?)?;
    (!entry.is_empty()).then(|| entry.to_string())
}

#[cfg(test)]
mod tests {
    use super::forwarded_client;

    #[test]
    fn the_address_is_the_one_the_outermost_trusted_proxy_saw() {
        let forged = ["10.9.9.9, 203.0.113.7"];
        assert_eq!(
            forwarded_client(forged.into_iter(), 1).as_deref(),
            Some("203.0.113.7")
        );
        let two = ["10.9.9.9, 203.0.113.7, 172.16.0.2"];
        assert_eq!(
            forwarded_client(two.into_iter(), 2).as_deref(),
            Some("203.0.113.7")
        );
        assert_eq!(forwarded_client(["a, b"].into_iter(), 0), None);
        assert_eq!(forwarded_client(["203.0.113.7"].into_iter(), 2), None);
    }
}
