//! A web push service on loopback, for the push tests: it issues browser
//! subscriptions (a P-256 key pair and an auth secret each), receives what
//! the server sends them, checks the VAPID JWT (ES256 signature with the
//! server's public key, `aud`, `exp`) and decrypts the aes128gcm payload
//! (RFC 8188/8291) with the subscription's private key — using RustCrypto
//! (`p256`, `hkdf`, `sha2`, `aes-gcm`), not the web-push/ece/OpenSSL code
//! that encrypted it, so the two must agree on the standard, not on a
//! shared implementation.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes128Gcm, Nonce};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hkdf::Hkdf;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::{PublicKey, SecretKey};
use serde_json::{json, Value};
use sha2::Sha256;

/// How the service answers pushes to one subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// 201 Created, as real push services answer.
    Accept,
    /// Any status (410 Gone, 404, 500 …).
    Status(u16),
    /// Never answers (until the sender gives up).
    Hang,
}

/// One message the service accepted, decrypted.
#[derive(Debug, Clone)]
pub struct Received {
    pub subscription: String,
    pub payload: Value,
    pub ttl: Option<u32>,
    pub urgency: Option<String>,
    pub topic: Option<String>,
    pub at: Instant,
}

struct Subscription {
    secret: SecretKey,
    auth: [u8; 16],
    answer: Answer,
}

#[derive(Default)]
struct Inner {
    subscriptions: HashMap<String, Subscription>,
    received: Vec<Received>,
    /// Requests that failed a check: what was wrong.
    problems: Vec<String>,
    /// The server's VAPID public key (uncompressed, base64url).
    vapid_key: Option<String>,
    /// Requests seen per subscription, whatever the answer.
    hits: HashMap<String, usize>,
}

/// The running service.
#[derive(Clone)]
pub struct PushService {
    pub addr: SocketAddr,
    inner: Arc<Mutex<Inner>>,
}

impl PushService {
    pub async fn start() -> PushService {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the push service");
        let addr = listener.local_addr().expect("push service address");
        let app = Router::new()
            .route("/push/{name}", post(receive))
            .with_state((inner.clone(), addr));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        PushService { addr, inner }
    }

    /// The server's VAPID public key, which every JWT must verify with.
    pub fn expect_vapid_key(&self, key: &str) {
        self.inner.lock().unwrap().vapid_key = Some(key.to_string());
    }

    /// A new subscription, as `PushSubscription.toJSON()` gives it.
    pub fn subscribe(&self, name: &str, answer: Answer) -> Value {
        let secret = SecretKey::random(&mut rand_core::OsRng);
        let mut auth = [0u8; 16];
        rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut auth);
        let public = secret.public_key().to_encoded_point(false);
        let json = json!({
            "endpoint": self.endpoint(name),
            "expirationTime": null,
            "keys": {
                "p256dh": URL_SAFE_NO_PAD.encode(public.as_bytes()),
                "auth": URL_SAFE_NO_PAD.encode(auth),
            }
        });
        self.inner.lock().unwrap().subscriptions.insert(
            name.to_string(),
            Subscription {
                secret,
                auth,
                answer,
            },
        );
        json
    }

    pub fn endpoint(&self, name: &str) -> String {
        format!("http://{}/push/{name}", self.addr)
    }

    pub fn set_answer(&self, name: &str, answer: Answer) {
        if let Some(s) = self.inner.lock().unwrap().subscriptions.get_mut(name) {
            s.answer = answer;
        }
    }

    /// Everything accepted so far.
    pub fn received(&self) -> Vec<Received> {
        self.inner.lock().unwrap().received.clone()
    }

    /// Accepted messages to `name`.
    pub fn received_by(&self, name: &str) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|r| r.subscription == name)
            .collect()
    }

    /// Requests to `name`, answered or not.
    pub fn hits(&self, name: &str) -> usize {
        *self.inner.lock().unwrap().hits.get(name).unwrap_or(&0)
    }

    /// What failed a check (empty when every request was well-formed).
    pub fn problems(&self) -> Vec<String> {
        self.inner.lock().unwrap().problems.clone()
    }

    /// Waits until `n` messages were accepted in all, or `timeout` passed.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let start = Instant::now();
        loop {
            let got = self.received();
            if got.len() >= n || start.elapsed() > timeout {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

type Shared = (Arc<Mutex<Inner>>, SocketAddr);

async fn receive(
    State((inner, addr)): State<Shared>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let (answer, secret, auth, vapid_key) = {
        let mut inner = inner.lock().unwrap();
        *inner.hits.entry(name.clone()).or_default() += 1;
        let vapid_key = inner.vapid_key.clone();
        let Some(sub) = inner.subscriptions.get(&name) else {
            inner
                .problems
                .push(format!("push to unknown subscription {name}"));
            return StatusCode::NOT_FOUND;
        };
        (sub.answer, sub.secret.clone(), sub.auth, vapid_key)
    };
    match answer {
        Answer::Accept => {}
        Answer::Status(code) => return StatusCode::from_u16(code).unwrap(),
        Answer::Hang => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            return StatusCode::GATEWAY_TIMEOUT;
        }
    }
    let header = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let checked = (|| {
        let vapid_key = vapid_key.ok_or("the test did not give the server's VAPID key")?;
        check_vapid(
            &header("authorization").unwrap_or_default(),
            &vapid_key,
            &format!("http://{addr}"),
        )?;
        if header("content-encoding").as_deref() != Some("aes128gcm") {
            return Err(format!(
                "Content-Encoding is {:?}",
                header("content-encoding")
            ));
        }
        let plain = decrypt(&secret, &auth, &body)?;
        serde_json::from_slice::<Value>(&plain).map_err(|e| format!("payload is not JSON: {e}"))
    })();
    let mut inner = inner.lock().unwrap();
    match checked {
        Ok(payload) => {
            inner.received.push(Received {
                subscription: name,
                payload,
                ttl: header("ttl").and_then(|t| t.parse().ok()),
                urgency: header("urgency"),
                topic: header("topic"),
                at: Instant::now(),
            });
            StatusCode::CREATED
        }
        Err(problem) => {
            inner.problems.push(problem);
            StatusCode::BAD_REQUEST
        }
    }
}

/// `Authorization: vapid t=<JWT>, k=<key>` (RFC 8292): the key is the
/// server's, the ES256 signature verifies with it, `aud` is this service's
/// origin and `exp` is in the future and at most a day away.
fn check_vapid(authorization: &str, vapid_key: &str, origin: &str) -> Result<(), String> {
    let rest = authorization
        .strip_prefix("vapid ")
        .ok_or_else(|| format!("Authorization is not vapid: {authorization:?}"))?;
    let mut token = None;
    let mut key = None;
    for part in rest.split(',') {
        let part = part.trim();
        if let Some(t) = part.strip_prefix("t=") {
            token = Some(t);
        } else if let Some(k) = part.strip_prefix("k=") {
            key = Some(k);
        }
    }
    let (token, key) = (token.ok_or("no t=")?, key.ok_or("no k=")?);
    if key != vapid_key {
        return Err("k= is not the server's VAPID key".into());
    }
    let public = URL_SAFE_NO_PAD
        .decode(vapid_key)
        .map_err(|_| "VAPID key is not base64url")?;
    let verifying =
        VerifyingKey::from_sec1_bytes(&public).map_err(|_| "VAPID key is not a P-256 point")?;
    let mut parts = token.split('.');
    let (h, c, s) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(h), Some(c), Some(s), None) => (h, c, s),
        _ => return Err("JWT does not have three parts".into()),
    };
    let header: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(h).map_err(|_| "JWT header")?)
            .map_err(|_| "JWT header is not JSON")?;
    if header["alg"] != "ES256" {
        return Err(format!("JWT alg is {}", header["alg"]));
    }
    let signature = Signature::from_slice(&URL_SAFE_NO_PAD.decode(s).map_err(|_| "JWT signature")?)
        .map_err(|_| "JWT signature is not 64 bytes")?;
    verifying
        .verify(format!("{h}.{c}").as_bytes(), &signature)
        .map_err(|_| "JWT signature does not verify with the server's key")?;
    let claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(c).map_err(|_| "JWT claims")?)
            .map_err(|_| "JWT claims are not JSON")?;
    if claims["aud"] != origin {
        return Err(format!("aud is {}, not {origin}", claims["aud"]));
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let exp = claims["exp"].as_u64().ok_or("no exp")?;
    if exp <= now || exp > now + 24 * 3600 {
        return Err(format!("exp {exp} is not within a day from now ({now})"));
    }
    if !claims["sub"]
        .as_str()
        .is_some_and(|s| s.starts_with("mailto:") || s.starts_with("https:"))
    {
        return Err(format!("sub is {}", claims["sub"]));
    }
    Ok(())
}

/// aes128gcm (RFC 8188) with the Web Push key derivation (RFC 8291 §3.4).
fn decrypt(secret: &SecretKey, auth: &[u8; 16], body: &[u8]) -> Result<Vec<u8>, String> {
    if body.len() < 21 {
        return Err("body shorter than the aes128gcm header".into());
    }
    let salt = &body[..16];
    let rs = u32::from_be_bytes(body[16..20].try_into().unwrap()) as usize;
    let idlen = body[20] as usize;
    if body.len() < 21 + idlen {
        return Err("truncated key id".into());
    }
    let as_public_bytes = &body[21..21 + idlen];
    let ciphertext = &body[21 + idlen..];
    if ciphertext.len() > rs {
        return Err("more than one record (the notice should fit one)".into());
    }
    let as_public =
        PublicKey::from_sec1_bytes(as_public_bytes).map_err(|_| "key id is not a P-256 point")?;
    let shared = p256::ecdh::diffie_hellman(secret.to_nonzero_scalar(), as_public.as_affine());
    let ua_public = secret.public_key().to_encoded_point(false);

    let mut key_info = b"WebPush: info\0".to_vec();
    key_info.extend_from_slice(ua_public.as_bytes());
    key_info.extend_from_slice(as_public_bytes);
    let mut ikm = [0u8; 32];
    Hkdf::<Sha256>::new(Some(auth), shared.raw_secret_bytes())
        .expand(&key_info, &mut ikm)
        .map_err(|_| "hkdf ikm")?;
    let prk = Hkdf::<Sha256>::new(Some(salt), &ikm);
    let mut cek = [0u8; 16];
    prk.expand(b"Content-Encoding: aes128gcm\0", &mut cek)
        .map_err(|_| "hkdf cek")?;
    let mut nonce = [0u8; 12];
    prk.expand(b"Content-Encoding: nonce\0", &mut nonce)
        .map_err(|_| "hkdf nonce")?;
    let plain = Aes128Gcm::new_from_slice(&cek)
        .map_err(|_| "cek")?
        .decrypt(Nonce::from_slice(&nonce), ciphertext)
        .map_err(|_| "aes128gcm: the payload does not decrypt with the subscription's key")?;
    // The last record ends with the delimiter 2, then zero padding.
    let end = plain
        .iter()
        .rposition(|b| *b != 0)
        .ok_or("record is all padding")?;
    if plain[end] != 2 {
        return Err(format!("last record delimiter is {}, not 2", plain[end]));
    }
    Ok(plain[..end].to_vec())
}
