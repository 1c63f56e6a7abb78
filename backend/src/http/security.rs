//! Security headers on every response.

use axum::http::{header, HeaderName, HeaderValue};
use tower::layer::util::{Identity, Stack};
use tower::ServiceBuilder;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::config::Config;

/// No inline script or style anywhere: the PWA is built to live with this.
pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
connect-src 'self'; manifest-src 'self'; worker-src 'self'; font-src 'self'; object-src 'none'; \
frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

type Header = SetResponseHeaderLayer<HeaderValue>;
/// Seven header layers, one on the other.
type Headers = Stack<
    Header,
    Stack<
        Header,
        Stack<Header, Stack<Header, Stack<Header, Stack<Header, Stack<Header, Identity>>>>>,
    >,
>;

/// Powerful features the app never uses are off for every page; the camera
/// stays for our own pages (scanning a participant's card).
pub const PERMISSIONS_POLICY: &str =
    "accelerometer=(), autoplay=(), camera=(self), display-capture=(), \
geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), usb=()";

/// The layer stack that sets the headers (each only if the handler did not).
pub fn headers(config: &Config) -> ServiceBuilder<Headers> {
    let hsts = if config.secure_cookies {
        "max-age=31536000"
    } else {
        "max-age=0"
    };
    let set = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    ServiceBuilder::new()
        .layer(set(
            header::CONTENT_SECURITY_POLICY,
            CONTENT_SECURITY_POLICY,
        ))
        .layer(set(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(set(header::REFERRER_POLICY, "no-referrer"))
        .layer(set(header::X_FRAME_OPTIONS, "DENY"))
        .layer(set(
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ))
        .layer(set(header::STRICT_TRANSPORT_SECURITY, hsts))
        .layer(set(
            HeaderName::from_static("permissions-policy"),
            PERMISSIONS_POLICY,
        ))
}
