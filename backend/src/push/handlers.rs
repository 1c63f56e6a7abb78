//! HTTP handlers for web push: the public key, subscribing and
//! unsubscribing a device, and the queue's health for admins.

use axum::extract::State;
use axum::http::StatusCode;
use serde_json::json;

use super::model::{
    audience, Announced, AnnouncementBody, PublicKey, QueueHealth, SubscribeBody, Subscribed,
    SubscriptionHealth, UnsubscribeBody,
};
use super::{notify, queue, session_hash, store};
use crate::access::{AdminUser, CurrentUser};
use crate::audit::{self, Entry};
use crate::error::{ApiError, ErrorBody, ResultExt};
use crate::extract::Json;
use crate::sites;
use crate::state::AppState;
use crate::store::now_millis;
use crate::users::store as users;

/// The VAPID public key: the `applicationServerKey` a browser subscribes with.
#[utoipa::path(get, path = "/push/key", tag = "push", responses((status = 200, body = PublicKey), (status = 401, body = ErrorBody)))]
pub async fn key(
    State(state): State<AppState>,
    _user: CurrentUser,
) -> Result<Json<PublicKey>, ApiError> {
    let key = queue::ensure_key(&state.db)
        .await
        .context("load the VAPID key")?;
    Ok(Json(PublicKey {
        public_key: key.public_key,
    }))
}

/// Stores this device's subscription for the signed-in user (a user may
/// have several devices; signing out on this one removes it).
#[utoipa::path(post, path = "/push/subscriptions", tag = "push", request_body = SubscribeBody, responses((status = 201, body = Subscribed), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn subscribe(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(body): Json<SubscribeBody>,
) -> Result<(StatusCode, Json<Subscribed>), ApiError> {
    let sub = body.parse(state.config.push.allow_loopback)?;
    let hash = session_hash(&user.session);
    let mut tx = state.db.begin().await.context("begin")?;
    let id = store::subscribe(&mut tx, user.id, &sub, hash.as_deref(), now_millis())
        .await
        .context("store the subscription")?;
    // The endpoint itself is a capability; the log keeps its origin.
    let entry = Entry::by("push.subscribe", &user)
        .target("push_subscription", id)
        .detail(json!({ "push_service": audience(&sub.endpoint) }));
    audit::record(&mut tx, entry).await.context("audit")?;
    tx.commit().await.context("commit")?;
    Ok((StatusCode::CREATED, Json(Subscribed { id })))
}

/// Removes one of the signed-in user's subscriptions.
#[utoipa::path(delete, path = "/push/subscriptions", tag = "push", request_body = UnsubscribeBody, responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn unsubscribe(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(body): Json<UnsubscribeBody>,
) -> Result<StatusCode, ApiError> {
    if store::unsubscribe(&state.db, user.id, &body.endpoint)
        .await
        .context("remove the subscription")?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("subscription"))
    }
}

/// The send queue's health: pending, sent and failed notices, and per
/// subscription when a push last succeeded.
#[utoipa::path(get, path = "/push/health", tag = "push", responses((status = 200, body = QueueHealth), (status = 403, body = ErrorBody)))]
pub async fn health(
    State(state): State<AppState>,
    AdminUser(_admin): AdminUser,
) -> Result<Json<QueueHealth>, ApiError> {
    let counts = store::queue_counts(&state.db)
        .await
        .context("count the queue")?;
    let count = |status: &str| {
        counts
            .iter()
            .find(|c| c.status == status)
            .map_or(0, |c| c.n)
    };
    let subscriptions = store::subscriptions(&state.db)
        .await
        .context("list subscriptions")?
        .into_iter()
        .map(|s| SubscriptionHealth {
            id: s.id,
            user_id: s.user_id,
            login: s.login,
            push_service: audience(&s.endpoint).unwrap_or_default(),
            created_at: s.created_at,
            last_success_at: s.last_success_at,
            last_failure_at: s.last_failure_at,
            pending: s.pending,
        })
        .collect();
    Ok(Json(QueueHealth {
        pending: count("pending"),
        sent: count("sent"),
        failed: count("failed"),
        subscriptions,
    }))
}

/// Sends an announcement to the staff of chosen sites (coordinators and
/// admins, for sites in their scope): at most 280 characters, and no
/// participant data, since it passes through third-party push services.
#[utoipa::path(post, path = "/push/announcements", tag = "push", request_body = AnnouncementBody, responses((status = 201, body = Announced), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn announce(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(body): Json<AnnouncementBody>,
) -> Result<(StatusCode, Json<Announced>), ApiError> {
    user.require_staff()?;
    let announcement = body.parse()?;
    for site_id in &announcement.site_ids {
        sites::store::get_site(&state.db, &user.scope, *site_id)
            .await
            .context("load the site")?
            .ok_or_else(|| ApiError::not_found("site"))?;
    }
    let sender = users::me(&state.db, user.id).await?;
    let now = now_millis();
    let mut tx = state.db.begin().await.context("begin")?;
    let (recipients, devices) =
        notify::announce(&mut tx, user.id, &sender.display_name, &announcement, now)
            .await
            .context("queue the announcement")?;
    let entry = Entry::by("push.announcement", &user).detail(json!({
        "site_ids": announcement.site_ids,
        "text": announcement.text,
        "recipients": recipients,
        "devices": devices,
    }));
    audit::record(&mut tx, entry).await.context("audit")?;
    tx.commit().await.context("commit")?;
    Ok((
        StatusCode::CREATED,
        Json(Announced {
            recipients,
            devices,
        }),
    ))
}
