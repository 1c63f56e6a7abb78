//! Web push: the API shapes, the rules for a subscription's endpoint and
//! keys, and the notices themselves (server-side templates in en/ar/ckb).
//!
//! A notice passes through a third-party push service, so it carries no
//! participant data: a title, a sentence about the user's own work, and the
//! app path to open. The coordinator's review comment is never in it (it may
//! name a child); the app shows it after opening the record.

use std::net::IpAddr;

use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::users::model::Language;
use crate::validate::Checker;

/// The longest endpoint accepted (real ones are a few hundred characters).
pub const MAX_ENDPOINT_LEN: usize = 2048;

/// The largest notice we send, in bytes of JSON. A push message may carry
/// 4096 bytes; aes128gcm takes 86 for its header, 16 for the tag and one for
/// the padding delimiter, which leaves 3993; we keep well under it.
pub const MAX_PAYLOAD_BYTES: usize = 3000;

/// An announcement's length limit, in characters (a notification shows a
/// few lines; longer news belongs elsewhere).
pub const MAX_ANNOUNCEMENT_CHARS: usize = 280;

/// `PushSubscription.toJSON()` as the browser gives it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscribeBody {
    pub endpoint: String,
    pub keys: SubscriptionKeys,
    /// Sent by browsers; not used.
    #[serde(rename = "expirationTime", default)]
    #[schema(value_type = Option<f64>)]
    pub expiration_time: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionKeys {
    /// The browser's P-256 public key, base64url (65 bytes, uncompressed).
    pub p256dh: String,
    /// The 16-byte authentication secret, base64url.
    pub auth: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnsubscribeBody {
    pub endpoint: String,
}

/// A subscription, checked: the keys re-encoded base64url without padding
/// (what `web-push` expects).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSubscription {
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
}

/// `GET /api/push/key`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PublicKey {
    /// The VAPID public key, base64url: `applicationServerKey` of `subscribe()`.
    pub public_key: String,
}

/// `POST /api/push/subscriptions`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Subscribed {
    pub id: i64,
}

/// `GET /api/push/health` (admins): is the queue moving?
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QueueHealth {
    pub pending: i64,
    pub sent: i64,
    pub failed: i64,
    pub subscriptions: Vec<SubscriptionHealth>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SubscriptionHealth {
    pub id: i64,
    pub user_id: i64,
    pub login: String,
    /// The push service's origin; the full endpoint is a secret of the device.
    pub push_service: String,
    pub created_at: i64,
    pub last_success_at: Option<i64>,
    pub last_failure_at: Option<i64>,
    pub pending: i64,
}

impl SubscribeBody {
    pub fn parse(self, allow_loopback: bool) -> Result<NewSubscription, ApiError> {
        let mut check = Checker::new();
        if let Err(reason) = endpoint_rule(&self.endpoint, allow_loopback) {
            check.fail("endpoint", reason);
        }
        let p256dh = decode_key(&self.keys.p256dh)
            .filter(|k| k.len() == 65 && k[0] == 4)
            .map(|k| URL_SAFE_NO_PAD.encode(k));
        if p256dh.is_none() {
            check.fail(
                "keys.p256dh",
                "must be an uncompressed P-256 public key, base64url",
            );
        }
        let auth = decode_key(&self.keys.auth)
            .filter(|k| k.len() == 16)
            .map(|k| URL_SAFE_NO_PAD.encode(k));
        if auth.is_none() {
            check.fail("keys.auth", "must be 16 bytes, base64url");
        }
        check.finish(())?;
        Ok(NewSubscription {
            endpoint: self.endpoint,
            p256dh: p256dh.unwrap_or_default(),
            auth: auth.unwrap_or_default(),
        })
    }
}

/// base64url with or without padding (browsers differ).
fn decode_key(s: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD
        .decode(s)
        .or_else(|_| URL_SAFE.decode(s))
        .ok()
}

/// Where the server may send: `https://` anywhere, `http://` only to a
/// loopback address and only when the operator switched that on (tests).
/// Never credentials in the URL.
pub fn endpoint_rule(endpoint: &str, allow_loopback: bool) -> Result<(), &'static str> {
    if endpoint.len() > MAX_ENDPOINT_LEN {
        return Err("is too long");
    }
    let url = reqwest::Url::parse(endpoint).map_err(|_| "must be a URL")?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry credentials");
    }
    let Some(host) = url.host_str() else {
        return Err("must name a host");
    };
    match url.scheme() {
        "https" => Ok(()),
        "http" if allow_loopback && is_loopback(host) => Ok(()),
        "http" if allow_loopback => Err("http:// is accepted on loopback addresses only"),
        _ => Err("must be an https:// URL"),
    }
}

fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The VAPID `aud` claim: the push service's origin, port included (RFC
/// 8292 §2; `web-push` would leave a non-default port out).
pub fn audience(endpoint: &str) -> Option<String> {
    let url = reqwest::Url::parse(endpoint).ok()?;
    Some(url.origin().ascii_serialization())
}

/// The programme's VAPID key pair, checked: web-push panics on a private
/// key of the wrong size, so every key passes [`VapidKey::new`] first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VapidKey {
    /// The raw 32-byte P-256 scalar, base64url without padding.
    pub private_key: String,
    /// The uncompressed public point, base64url without padding.
    pub public_key: String,
}

impl VapidKey {
    /// Checks a stored private key (32 bytes, a valid P-256 scalar) and
    /// derives its public key.
    pub fn new(private_key: &str) -> Option<VapidKey> {
        let raw = URL_SAFE_NO_PAD.decode(private_key).ok()?;
        if raw.len() != 32 {
            return None;
        }
        let builder = web_push::VapidSignatureBuilder::from_base64_no_sub(private_key).ok()?;
        Some(VapidKey {
            private_key: private_key.to_string(),
            public_key: URL_SAFE_NO_PAD.encode(builder.get_public_key()),
        })
    }

    /// A fresh key pair from the operating system's random source. (A random
    /// 32-byte string is a valid scalar but for odds of about 2^-32; those
    /// are drawn again.)
    pub fn generate() -> VapidKey {
        use rand::RngCore;
        loop {
            let mut raw = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut raw);
            if let Some(key) = VapidKey::new(&URL_SAFE_NO_PAD.encode(raw)) {
                return key;
            }
        }
    }
}

/// How important a notice is to the push service (RFC 8030 §5.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Urgency {
    Low,
    Normal,
}

impl Urgency {
    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::Low => "low",
            Urgency::Normal => "normal",
        }
    }
}

/// One notification, before it is queued for each of a user's devices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    /// `flag`, `announcement`, `reminder`: the service worker's tag.
    pub kind: &'static str,
    pub title: String,
    pub body: String,
    /// The app path the tap opens.
    pub open: String,
    /// The language the text is in, a BCP 47 tag (the notification's `lang`/`dir`).
    pub lang: &'static str,
    /// Replaces an undelivered notice with the same topic (≤ 32 base64url).
    #[serde(skip)]
    pub topic: Option<String>,
    #[serde(skip)]
    pub urgency: Option<Urgency>,
    /// How long a push service keeps it for an offline phone.
    #[serde(skip)]
    pub ttl_secs: u32,
}

impl Notice {
    /// The JSON the service worker reads, or None past the size limit.
    pub fn payload(&self) -> Option<String> {
        let json = serde_json::to_string(self).ok()?;
        (json.len() <= MAX_PAYLOAD_BYTES).then_some(json)
    }

    pub fn urgency(&self) -> Urgency {
        self.urgency.unwrap_or(Urgency::Normal)
    }
}

/// Months as people in Iraq name them: Arabic uses the Levantine names,
/// Sorani its own.
const MONTHS: [[&str; 12]; 4] = [
    [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    [
        "كانون الثاني",
        "شباط",
        "آذار",
        "نيسان",
        "أيار",
        "حزيران",
        "تموز",
        "آب",
        "أيلول",
        "تشرين الأول",
        "تشرين الثاني",
        "كانون الأول",
    ],
    [
        "کانوونی دووەم",
        "شوبات",
        "ئازار",
        "نیسان",
        "ئایار",
        "حوزەیران",
        "تەمموز",
        "ئاب",
        "ئەیلوول",
        "تشرینی یەکەم",
        "تشرینی دووەم",
        "کانوونی یەکەم",
    ],
    // Badini, as written in Duhok (the same table as pwa/src/i18n/format.ts).
    [
        "کانوونا دووێ",
        "شوبات",
        "ئادار",
        "نیسان",
        "گولان",
        "حەزیران",
        "تیرمەه",
        "تەباخ",
        "ئەیلوول",
        "چریا ئێکێ",
        "چریا دووێ",
        "کانوونا ئێکێ",
    ],
];

fn lang_index(lang: Language) -> usize {
    match lang {
        Language::En => 0,
        Language::Ar => 1,
        Language::Ckb => 2,
        Language::Kmr => 3,
    }
}

/// `2026-05-12` → "12 May" (or its Arabic/Sorani month); the text itself
/// when it is not an ISO date.
pub fn day_month(lang: Language, iso: &str) -> String {
    let mut parts = iso.splitn(3, '-');
    let (_, month, day) = (parts.next(), parts.next(), parts.next());
    match (
        month.and_then(|m| m.parse::<usize>().ok()),
        day.and_then(|d| d.parse::<u32>().ok()),
    ) {
        (Some(m @ 1..=12), Some(d)) => format!("{d} {}", MONTHS[lang_index(lang)][m - 1]),
        _ => iso.to_string(),
    }
}

/// A topic from a record id: its 32 hex digits (a UUID without dashes), so
/// a second flag of one record replaces the first if still undelivered.
fn record_topic(record_id: &str) -> Option<String> {
    let hex: String = record_id.chars().filter(|c| *c != '-').collect();
    (hex.len() <= 32 && !hex.is_empty() && hex.chars().all(|c| c.is_ascii_alphanumeric()))
        .then(|| format!("{hex:.32}"))
}

/// "Your session on 12 May at Site X needs a correction", to the recorder.
pub fn flagged_notice(
    lang: Language,
    record_kind: &str,
    record_id: &str,
    date: &str,
    site_name: &str,
) -> Notice {
    let day = day_month(lang, date);
    let (title, body) = match (lang, record_kind) {
        (Language::En, kind) => {
            let what = match kind {
                "cfs_day" => "CFS day",
                "awareness_event" => "awareness event",
                _ => "session",
            };
            (
                "Correction needed".to_string(),
                format!("Your {what} on {day} at {site_name} needs a correction"),
            )
        }
        (Language::Ar, kind) => {
            let body = match kind {
                "cfs_day" => {
                    format!("يوم المساحة الصديقة للطفل بتاريخ {day} في {site_name} يحتاج إلى تصحيح")
                }
                "awareness_event" => {
                    format!("فعالية التوعية بتاريخ {day} في {site_name} تحتاج إلى تصحيح")
                }
                _ => format!("جلستك بتاريخ {day} في {site_name} تحتاج إلى تصحيح"),
            };
            ("مطلوب تصحيح".to_string(), body)
        }
        (Language::Ckb, kind) => {
            let body = match kind {
                "cfs_day" => format!(
                    "ڕۆژی شوێنی دۆستی منداڵ لە {day} لە {site_name} پێویستی بە ڕاستکردنەوە هەیە"
                ),
                "awareness_event" => format!(
                    "چالاکیی هۆشیارکردنەوە لە {day} لە {site_name} پێویستی بە ڕاستکردنەوە هەیە"
                ),
                _ => format!("دانیشتنەکەت لە {day} لە {site_name} پێویستی بە ڕاستکردنەوە هەیە"),
            };
            ("ڕاستکردنەوە پێویستە".to_string(), body)
        }
        (Language::Kmr, kind) => {
            let body = match kind {
                "cfs_day" => {
                    format!("ڕۆژا جهێ دۆستێ زارۆکان ل {day} ل {site_name} پێدڤی ب ڕاستکرنێ یە")
                }
                "awareness_event" => {
                    format!("چالاکیا هشیارکرنێ ل {day} ل {site_name} پێدڤی ب ڕاستکرنێ یە")
                }
                _ => format!("دانیشتنا تە ل {day} ل {site_name} پێدڤی ب ڕاستکرنێ یە"),
            };
            ("پێدڤی ب ڕاستکرنێ یە".to_string(), body)
        }
    };
    Notice {
        kind: "flag",
        title,
        body,
        open: format!("/records/{record_id}"),
        lang: lang.tag(),
        topic: record_topic(record_id),
        urgency: Some(Urgency::Normal),
        // A trainer may be out of coverage for days; a week still helps.
        ttl_secs: 7 * 24 * 3600,
    }
}

/// `POST /api/push/announcements`: a coordinator's message to the staff
/// of chosen sites.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnnouncementBody {
    pub site_ids: Vec<i64>,
    /// At most 280 characters; no participant data (it passes through
    /// third-party push services).
    pub text: String,
}

/// An announcement, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announcement {
    pub site_ids: Vec<i64>,
    pub text: String,
}

/// Sites one announcement may name.
pub const MAX_ANNOUNCEMENT_SITES: usize = 100;

impl AnnouncementBody {
    pub fn parse(self) -> Result<Announcement, ApiError> {
        let mut check = Checker::new();
        let text = check.text("text", &self.text, 1, MAX_ANNOUNCEMENT_CHARS);
        let mut site_ids = self.site_ids;
        site_ids.sort_unstable();
        site_ids.dedup();
        if site_ids.is_empty() {
            check.fail("site_ids", "name at least one site");
        } else if site_ids.len() > MAX_ANNOUNCEMENT_SITES {
            check.fail(
                "site_ids",
                format!("at most {MAX_ANNOUNCEMENT_SITES} sites at once"),
            );
        }
        check.finish(Announcement { site_ids, text })
    }
}

/// What an announcement reached.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Announced {
    /// People it was queued for.
    pub recipients: i64,
    /// Their devices (a person without a subscription gets nothing).
    pub devices: i64,
}

/// A coordinator's announcement as one recipient reads it: the title in
/// their language, the text as written.
pub fn announcement_notice(lang: Language, sender: &str, text: &str) -> Notice {
    let title = match lang {
        Language::En => format!("Message from {sender}"),
        Language::Ar => format!("رسالة من {sender}"),
        Language::Ckb => format!("پەیام لە {sender}ەوە"),
        Language::Kmr => format!("نامە ژ {sender}"),
    };
    Notice {
        kind: "announcement",
        title,
        body: text.to_string(),
        open: "/".into(),
        lang: lang.tag(),
        topic: None,
        urgency: Some(Urgency::Low),
        ttl_secs: 3 * 24 * 3600,
    }
}

/// A scheduled group has no record today: a reminder to its facilitator.
/// The group's name stays out (names can say what a group is for).
pub fn reminder_notice(lang: Language, group_id: &str, site_name: &str) -> Notice {
    let (title, body) = match lang {
        Language::En => (
            "Reminder".to_string(),
            format!("A session of one of your groups at {site_name} is planned today and not recorded yet"),
        ),
        Language::Ar => (
            "تذكير".to_string(),
            format!("جلسة لإحدى مجموعاتك في {site_name} مقررة اليوم ولم تُسجَّل بعد"),
        ),
        Language::Ckb => (
            "بیرخستنەوە".to_string(),
            format!("دانیشتنێکی یەکێک لە گروپەکانت لە {site_name} بۆ ئەمڕۆ دانراوە و هێشتا تۆمار نەکراوە"),
        ),
        Language::Kmr => (
            "بیرئینان".to_string(),
            format!("دانیشتنەکا ئێک ژ گرووپێن تە ل {site_name} بۆ ئەڤرۆ هاتیە پلاندانان و هێشتا نەهاتیە تۆمارکرن"),
        ),
    };
    Notice {
        kind: "reminder",
        title,
        body,
        open: format!("/session/{group_id}"),
        lang: lang.tag(),
        topic: record_topic(group_id),
        urgency: Some(Urgency::Normal),
        // Worth nothing tomorrow.
        ttl_secs: 12 * 3600,
    }
}

/// A person was referred to a partner: a notice to its coordinators. It
/// says from which site and when, never who, for what, or how urgently
/// (a push service reads it; the list in the app says the rest).
pub fn referral_made_notice(
    lang: Language,
    referral_id: &str,
    referred_on: &str,
    from_site: &str,
) -> Notice {
    let day = day_month(lang, referred_on);
    let (title, body) = match lang {
        Language::En => (
            "New referral".to_string(),
            format!("A person was referred to your organisation from {from_site} on {day}"),
        ),
        Language::Ar => (
            "إحالة جديدة".to_string(),
            format!("أُحيل شخص إلى منظمتكم من {from_site} بتاريخ {day}"),
        ),
        Language::Ckb => (
            "ڕەوانەکردنی نوێ".to_string(),
            format!("کەسێک لە {from_site}ەوە لە {day} بۆ ڕێکخراوەکەتان ڕەوانە کرا"),
        ),
        Language::Kmr => (
            "ڕەوانەکرنا نوی".to_string(),
            format!("کەسەک ژ {from_site} ل {day} بۆ ڕێکخراوا هەوە هاتە ڕەوانەکرن"),
        ),
    };
    referral_notice("referral_new", title, body, lang, referral_id)
}

/// A referral the user made moved on: accepted, declined, the service
/// received, or the person not reached. Which referral is said by its
/// date only; `None` for a step nobody is told of (closing).
pub fn referral_moved_notice(
    lang: Language,
    referral_id: &str,
    referred_on: &str,
    status: &str,
) -> Option<Notice> {
    let day = day_month(lang, referred_on);
    let body = match (lang, status) {
        (Language::En, "accepted") => format!("Your referral of {day} was accepted"),
        (Language::En, "declined") => format!("Your referral of {day} was declined"),
        (Language::En, "service_received") => {
            format!("The person you referred on {day} received the service")
        }
        (Language::En, "not_reached") => {
            format!("The person you referred on {day} could not be reached")
        }
        (Language::Ar, "accepted") => format!("تم قبول إحالتك بتاريخ {day}"),
        (Language::Ar, "declined") => format!("تم رفض إحالتك بتاريخ {day}"),
        (Language::Ar, "service_received") => {
            format!("تلقّى الشخص الذي أحلته بتاريخ {day} الخدمة")
        }
        (Language::Ar, "not_reached") => format!("تعذّر الوصول إلى الشخص الذي أحلته بتاريخ {day}"),
        (Language::Ckb, "accepted") => format!("ڕەوانەکردنەکەت لە {day} وەرگیرا"),
        (Language::Ckb, "declined") => format!("ڕەوانەکردنەکەت لە {day} ڕەتکرایەوە"),
        (Language::Ckb, "service_received") => {
            format!("ئەو کەسەی لە {day} ڕەوانەت کرد خزمەتگوزارییەکەی وەرگرت")
        }
        (Language::Ckb, "not_reached") => format!("نەتوانرا بگەنە ئەو کەسەی لە {day} ڕەوانەت کرد"),
        (Language::Kmr, "accepted") => format!("ڕەوانەکرنا تە یا {day} هاتە وەرگرتن"),
        (Language::Kmr, "declined") => format!("ڕەوانەکرنا تە یا {day} هاتە ڕەتکرن"),
        (Language::Kmr, "service_received") => {
            format!("ئەو کەسێ تە ل {day} ڕەوانەکری خزمەتگوزاری وەرگرت")
        }
        (Language::Kmr, "not_reached") => format!("نەشیان بگەهنە وی کەسێ تە ل {day} ڕەوانەکری"),
        _ => return None,
    };
    let title = match lang {
        Language::En => "Referral update",
        Language::Ar => "تحديث إحالة",
        Language::Ckb => "نوێکردنەوەی ڕەوانەکردن",
        Language::Kmr => "نویکرنا ڕەوانەکرنێ",
    };
    Some(referral_notice(
        "referral",
        title.to_string(),
        body,
        lang,
        referral_id,
    ))
}

fn referral_notice(
    kind: &'static str,
    title: String,
    body: String,
    lang: Language,
    referral_id: &str,
) -> Notice {
    Notice {
        kind,
        title,
        body,
        open: "/referrals".into(),
        lang: lang.tag(),
        // A later step of one referral replaces an undelivered earlier one.
        topic: record_topic(referral_id),
        urgency: Some(Urgency::Normal),
        // Phones are offline for days; a week still helps.
        ttl_secs: 7 * 24 * 3600,
    }
}

/// When the day's reminders are due: at `now_ms`, with the programme's
/// clock `offset_minutes` east of UTC, the local date (`YYYY-MM-DD`) and ISO
/// weekday (1 = Monday … 7 = Sunday) once the local hour has reached
/// `hour`; None before.
pub fn reminder_day(now_ms: i64, offset_minutes: i32, hour: u8) -> Option<(String, u8)> {
    let local = time::OffsetDateTime::from_unix_timestamp(now_ms.div_euclid(1000)).ok()?
        + time::Duration::minutes(i64::from(offset_minutes));
    (local.hour() >= hour).then(|| {
        (
            crate::validate::dates::format(local.date()),
            local.weekday().number_from_monday(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reminders_fall_due_at_the_local_hour() {
        // 2026-05-12 is a Tuesday; 11:30 UTC is 14:30 in Baghdad (UTC+3).
        let at = time::macros::datetime!(2026-05-12 11:30 UTC).unix_timestamp() * 1000;
        assert_eq!(reminder_day(at, 180, 15), None);
        assert_eq!(reminder_day(at, 180, 14), Some(("2026-05-12".into(), 2)));
        // 22:30 UTC is already Wednesday in Baghdad.
        let late = time::macros::datetime!(2026-05-12 22:30 UTC).unix_timestamp() * 1000;
        assert_eq!(reminder_day(late, 180, 15), None);
        assert_eq!(reminder_day(late, 180, 0), Some(("2026-05-13".into(), 3)));
    }

    #[test]
    fn announcements_have_a_length_limit_and_at_least_one_site() {
        let ok = AnnouncementBody {
            site_ids: vec![3, 1, 3],
            text: " Training on Sunday ".into(),
        }
        .parse()
        .unwrap();
        assert_eq!(ok.site_ids, vec![1, 3]);
        assert_eq!(ok.text, "Training on Sunday");
        let long = AnnouncementBody {
            site_ids: vec![1],
            text: "x".repeat(MAX_ANNOUNCEMENT_CHARS + 1),
        };
        assert!(long.parse().is_err());
        let none = AnnouncementBody {
            site_ids: vec![],
            text: "hi".into(),
        };
        assert!(none.parse().is_err());
        let n = announcement_notice(Language::Ckb, "Noor", "سڵاو");
        assert!(n.payload().is_some());
        assert_eq!(n.title, "پەیام لە Noorەوە");
    }

    fn body(endpoint: &str, p256dh: &str, auth: &str) -> SubscribeBody {
        SubscribeBody {
            endpoint: endpoint.into(),
            keys: SubscriptionKeys {
                p256dh: p256dh.into(),
                auth: auth.into(),
            },
            expiration_time: None,
        }
    }

    fn key65() -> String {
        let mut k = vec![4u8];
        k.extend([7u8; 64]);
        URL_SAFE_NO_PAD.encode(k)
    }

    #[test]
    fn endpoints_are_https_unless_loopback_is_switched_on() {
        assert!(endpoint_rule("https://fcm.googleapis.com/fcm/send/abc", false).is_ok());
        assert!(endpoint_rule("http://127.0.0.1:9000/push/1", false).is_err());
        assert!(endpoint_rule("http://127.0.0.1:9000/push/1", true).is_ok());
        assert!(endpoint_rule("http://[::1]:9000/p", true).is_ok());
        assert!(endpoint_rule("http://localhost:9000/p", true).is_ok());
        assert!(endpoint_rule("http://10.0.0.5/p", true).is_err());
        assert!(endpoint_rule("http://push.example.org/p", true).is_err());
        assert!(endpoint_rule("ftp://push.example.org/p", true).is_err());
        assert!(endpoint_rule("https://user:pw@push.example.org/p", false).is_err());
        assert!(endpoint_rule("not a url", false).is_err());
        let long = format!("https://push.example.org/{}", "a".repeat(MAX_ENDPOINT_LEN));
        assert!(endpoint_rule(&long, false).is_err());
    }

    #[test]
    fn keys_must_have_their_sizes_and_are_stored_unpadded() {
        let auth = URL_SAFE.encode([1u8; 16]); // padded, as some browsers send
        let ok = body("https://p.example/1", &key65(), &auth)
            .parse(false)
            .unwrap();
        assert_eq!(ok.auth, URL_SAFE_NO_PAD.encode([1u8; 16]));
        assert!(body("https://p.example/1", "AAAA", &auth)
            .parse(false)
            .is_err());
        let short_auth = URL_SAFE_NO_PAD.encode([1u8; 8]);
        assert!(body("https://p.example/1", &key65(), &short_auth)
            .parse(false)
            .is_err());
    }

    #[test]
    fn vapid_keys_are_checked_before_web_push_sees_them() {
        let key = VapidKey::generate();
        assert_eq!(URL_SAFE_NO_PAD.decode(&key.public_key).unwrap().len(), 65);
        assert_eq!(VapidKey::new(&key.private_key), Some(key.clone()));
        // Wrong sizes are refused here instead of panicking inside web-push.
        assert_eq!(VapidKey::new(&URL_SAFE_NO_PAD.encode([1u8; 31])), None);
        assert_eq!(VapidKey::new(&URL_SAFE_NO_PAD.encode([1u8; 33])), None);
        assert_eq!(VapidKey::new("not base64!"), None);
        // Zero is not a valid scalar.
        assert_eq!(VapidKey::new(&URL_SAFE_NO_PAD.encode([0u8; 32])), None);
    }

    #[test]
    fn audience_keeps_a_non_default_port() {
        assert_eq!(
            audience("http://127.0.0.1:4321/push/abc").as_deref(),
            Some("http://127.0.0.1:4321")
        );
        assert_eq!(
            audience("https://fcm.googleapis.com/fcm/send/x").as_deref(),
            Some("https://fcm.googleapis.com")
        );
    }

    #[test]
    fn a_flag_notice_speaks_the_recorders_language_and_opens_the_record() {
        let id = "0b6f5c2e-8a4d-4f1e-9c3b-2d7a1e5f9a10";
        let en = flagged_notice(Language::En, "group_session", id, "2026-05-12", "Site X");
        assert_eq!(
            en.body,
            "Your session on 12 May at Site X needs a correction"
        );
        assert_eq!(en.open, format!("/records/{id}"));
        assert_eq!(
            en.topic.as_deref(),
            Some("0b6f5c2e8a4d4f1e9c3b2d7a1e5f9a10")
        );
        let ar = flagged_notice(Language::Ar, "group_session", id, "2026-05-12", "Site X");
        assert!(ar.body.contains("12 أيار"), "{}", ar.body);
        assert_eq!(ar.lang, "ar");
        let ckb = flagged_notice(Language::Ckb, "cfs_day", id, "2026-01-03", "Site X");
        assert!(ckb.body.contains("3 کانوونی دووەم"), "{}", ckb.body);
        let kmr = flagged_notice(Language::Kmr, "awareness_event", id, "2026-08-03", "Site X");
        assert!(kmr.body.contains("3 تەباخ"), "{}", kmr.body);
        assert_eq!(kmr.lang, "kmr-Arab");
    }

    #[test]
    fn payloads_stay_under_the_limit() {
        let id = "0b6f5c2e-8a4d-4f1e-9c3b-2d7a1e5f9a10";
        let notice = flagged_notice(Language::Ar, "group_session", id, "2026-05-12", "موقع");
        assert!(notice.payload().unwrap().len() < MAX_PAYLOAD_BYTES);
        let huge = flagged_notice(Language::En, "x", id, "2026-05-12", &"s".repeat(4000));
        assert_eq!(huge.payload(), None);
        assert_eq!(day_month(Language::En, "garbage"), "garbage");
    }
}
