//! Time-based one-time passwords (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits), and the
//! QR code an authenticator app scans, drawn by the server as SVG.

use hmac::{Hmac, Mac};
use sha1::Sha1;

const STEP_SECONDS: i64 = 30;
const DIGITS: u32 = 6;

/// RFC 4648 base32 without padding, as authenticator apps expect secrets.
pub fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let (mut buffer, mut bits) = (0u32, 0);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

pub fn base32_decode(s: &str) -> Option<Vec<u8>> {
    let (mut buffer, mut bits, mut out) = (0u32, 0, Vec::new());
    for c in s.chars().filter(|c| !c.is_whitespace() && *c != '=') {
        let v = match c.to_ascii_uppercase() {
            c @ 'A'..='Z' => c as u32 - 'A' as u32,
            c @ '2'..='7' => c as u32 - '2' as u32 + 26,
            _ => return None,
        };
        buffer = (buffer << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(((buffer >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

/// A new secret: 20 random bytes, base32.
pub fn new_secret() -> String {
    base32(&super::secrets::random_bytes::<20>())
}

/// The code for a Unix time.
pub fn code_at(secret: &[u8], unix: i64) -> u32 {
    hotp(secret, (unix / STEP_SECONDS) as u64)
}

fn hotp(secret: &[u8], counter: u64) -> u32 {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(&counter.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let offset = (h[19] & 0x0f) as usize;
    let bin = (u32::from(h[offset]) & 0x7f) << 24
        | u32::from(h[offset + 1]) << 16
        | u32::from(h[offset + 2]) << 8
        | u32::from(h[offset + 3]);
    bin % 10u32.pow(DIGITS)
}

/// Whether `typed` is the code of now or of the step before or after (clock drift).
pub fn verify(secret_b32: &str, typed: &str, unix: i64) -> bool {
    matching_step(secret_b32, typed, unix).is_some()
}

/// The time step whose code `typed` is: now, or the step before or after (clock drift). A
/// step is accepted once per user, so a code seen by someone else cannot be replayed.
pub fn matching_step(secret_b32: &str, typed: &str, unix: i64) -> Option<i64> {
    let typed: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    let (Some(secret), Ok(code)) = (base32_decode(secret_b32), typed.parse::<u32>()) else {
        return None;
    };
    if typed.len() != DIGITS as usize {
        return None;
    }
    (-1..=1)
        .map(|d| unix / STEP_SECONDS + d)
        .find(|step| hotp(&secret, *step as u64) == code)
}

/// The `otpauth://` address for an authenticator app.
pub fn provisioning_uri(secret_b32: &str, username: &str) -> String {
    let label: String = username
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("otpauth://totp/Nabij:{label}?secret={secret_b32}&issuer=Nabij&digits=6&period=30")
}

/// The address as a QR code in SVG.
pub fn qr_svg(uri: &str) -> String {
    match qrcode::QrCode::new(uri.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build(),
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_6238_test_vectors() {
        // Appendix B, SHA-1, secret "12345678901234567890", 8 digits: we keep the last 6.
        let secret = b"12345678901234567890";
        for (t, expected) in [
            (59, 94287082u32),
            (1111111109, 7081804),
            (1111111111, 14050471),
            (1234567890, 89005924),
            (2000000000, 69279037),
        ] {
            assert_eq!(code_at(secret, t), expected % 1_000_000, "t = {t}");
        }
    }

    #[test]
    fn verification_allows_one_step_of_drift_and_no_more() {
        let secret = new_secret();
        let raw = base32_decode(&secret).unwrap();
        let now = 1_800_000_000;
        let code = format!("{:06}", code_at(&raw, now));
        assert!(verify(&secret, &code, now));
        assert!(verify(&secret, &code, now + 30));
        assert!(!verify(&secret, &code, now + 90));
        assert!(!verify(&secret, "12345", now));
        assert!(!verify(&secret, "abcdef", now));
    }

    #[test]
    fn base32_round_trips() {
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32_decode("MZXW6YTBOI").unwrap(), b"foobar");
        let s = new_secret();
        assert_eq!(s.len(), 32);
        assert!(qr_svg(&provisioning_uri(&s, "anna")).contains("<svg"));
    }
}
