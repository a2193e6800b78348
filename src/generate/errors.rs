//! Payloads of the error category — sign-in failures, crashes, failed requests, network and
//! billing errors — with their identifiers, traps and planted secrets (cards, IBANs, tokens).

use std::fmt::Write;

use super::events::Who;
use super::record::Record;
use super::rng::{Rng, alnum, base64, guid_string, random_bytes};
use super::secrets::{card, digit_text, digits, iban, jwt, with_luhn};
use super::vocab::{COUNTRIES, PASSWORDS, PathStyle};
use crate::model::Kind;

pub const BEARER_TOKEN: &str = "bearer_token";
pub const CARD_NUMBER: &str = "card_number";
pub const IBAN_IN_ERROR: &str = "iban_in_error";
pub const PASSWORD_IN_URL: &str = "password_in_url";
/// Identifiers the error policy does not allow (DESIGN §3: of `user`, error records may carry
/// only ip_address, sip_uri and username), so the truth names them as leaks.
pub const USER_PATH_IN_ERROR: &str = "user_path_in_error";
pub const MAC_ADDRESS_IN_ERROR: &str = "mac_address_in_error";
pub const LOCATION_IN_ERROR: &str = "location_in_error";

pub fn error(rng: &mut Rng, rec: &mut Record, who: &Who, ts_ms: i64) {
    match rng.weighted(&[25, 15, 30, 15, 15]) {
        0 => signin_error(rng, rec, who),
        1 => crash(rng, rec, who),
        2 => request_failed(rng, rec, who, ts_ms),
        3 => network_error(rng, rec, who),
        _ => billing_error(rng, rec, who),
    }
    rec.id("UserID", &who.user.login, "payload/UserID", Kind::Username);
    rec.str("OSVersion", who.device.os_version);
    rec.finish();
}

/// Mostly the real address; sometimes masked the ways collectors mask it, which is no identifier.
fn client_ip(rng: &mut Rng, rec: &mut Record, who: &Who) {
    let ip = &who.user.ip;
    match rng.weighted(&[85, 6, 9]) {
        0 => rec.id("ClientIP", ip, "payload/ClientIP", Kind::IpAddress),
        1 => rec.str("ClientIP", "0.0.0.0"),
        _ => match ip.rsplit_once('.') {
            Some((net, _)) if !rng.chance(100) => rec.str("ClientIP", &format!("{net}.0")),
            _ => rec.str("ClientIP", "203.0.113.0"),
        },
    }
}

fn sip_uri(rec: &mut Record, who: &Who) {
    let sip = format!("sip:{}", who.user.upn);
    rec.id("SipUri", &sip, "payload/SipUri", Kind::SipUri);
}

fn signin_error(rng: &mut Rng, rec: &mut Record, who: &Who) {
    const CODES: &[(&str, &str)] = &[
        (
            "AADSTS50126",
            "Sign-in failed: invalid username or password.",
        ),
        (
            "AADSTS50076",
            "Sign-in failed: multi-factor authentication is required.",
        ),
        (
            "AADSTS700016",
            "Sign-in failed: application not found in the directory.",
        ),
        (
            "AADSTS65001",
            "Sign-in failed: the user or administrator has not consented.",
        ),
        (
            "AADSTS50173",
            "Sign-in failed: the provided grant has expired.",
        ),
    ];
    rec.reset("error", "signin_error");
    let (code, message) = rng.pick(CODES);
    rec.str("ErrorCode", code);
    rec.str("Message", message);
    client_ip(rng, rec, who);
    if rng.chance(400) {
        sip_uri(rec, who);
    }
}

fn crash(rng: &mut Rng, rec: &mut Record, who: &Who) {
    const EXCEPTIONS: &[(&str, &str, &str)] = &[
        (
            "System.NullReferenceException",
            "Object reference not set to an instance of an object.",
            "TeamsPro.Sync.Worker.RunAsync()",
        ),
        (
            "System.InvalidOperationException",
            "Collection was modified; enumeration operation may not execute.",
            "TeamsPro.Requests.Queue.Flush()",
        ),
        (
            "System.IO.IOException",
            "The process cannot access the file because it is being used by another process.",
            "TeamsPro.Cache.Store.Save(String key)",
        ),
        (
            "System.FormatException",
            "Version string '10.0.19041.1' has an unexpected format.",
            "TeamsPro.Census.Platform.Parse(String text)",
        ),
    ];
    rec.reset("error", "crash");
    let (ty, message, frame) = rng.pick(EXCEPTIONS);
    rec.str(
        "ErrorCode",
        rng.word(&["0xC0000005", "0xE0434352", "0x80131509"]),
    );
    rec.str("Message", "Unhandled exception; the app restarted.");
    let mut stack = format!(
        "{ty}: {message}\n   at {frame} in D:\\a\\1\\s\\src\\Core\\Worker.cs:line {}",
        rng.range(20, 900)
    );
    let login = &who.user.login;
    let ver = who.app_version;
    let user_path = rng.chance(250);
    let module = match (who.device.platform.paths, user_path) {
        (PathStyle::Windows, true) => {
            format!("C:\\Users\\{login}\\AppData\\Local\\TeamsPro\\app-{ver}\\TeamsPro.Core.dll")
        }
        (PathStyle::Mac, true) => {
            format!("/Users/{login}/Library/Application Support/TeamsPro/{ver}/TeamsPro.Core.dylib")
        }
        (PathStyle::Linux, true) => {
            format!("/home/{login}/.local/share/TeamsPro/{ver}/libteamspro.so")
        }
        (PathStyle::Windows, false) => {
            format!("C:\\Program Files\\TeamsPro\\app-{ver}\\TeamsPro.Core.dll")
        }
        (PathStyle::Mac, false) => {
            "/Applications/TeamsPro.app/Contents/Frameworks/TeamsPro.Core.dylib".to_string()
        }
        (PathStyle::Linux, false) => format!("/opt/teamspro/{ver}/libteamspro.so"),
        (PathStyle::Mobile, _) => "TeamsPro.Mobile.Core".to_string(),
    };
    let _ = write!(
        stack,
        "\n   at TeamsPro.Host.Dispatcher.Invoke(Action action) in {module}\n   at TeamsPro.Host.Program.Main(String[] args)"
    );
    rec.open("Exception");
    rec.str("type", ty);
    rec.str("message", message);
    rec.str("stack", &stack);
    rec.close();
    let has_user_path = user_path && who.device.platform.paths != PathStyle::Mobile;
    if has_user_path {
        rec.label(
            "payload/Exception/stack",
            Kind::UserPath,
            Some(USER_PATH_IN_ERROR),
        );
    }
}

fn request_failed(rng: &mut Rng, rec: &mut Record, who: &Who, ts_ms: i64) {
    rec.reset("error", "request_failed");
    let status = *rng.pick(&[401u32, 403, 429, 500, 502, 503, 504]);
    rec.str("ErrorCode", &format!("HTTP_{status}"));
    if rng.chance(30) {
        let account = rng.pick(&["svc-sync", "backup", "admin", "deploy"]);
        let message = format!(
            "Sync of https://{account}:{}@dav.teamspro.app/sites/{}/Shared%20Documents failed with status {status}",
            rng.pick(PASSWORDS),
            alnum(rng, 8)
        );
        rec.leak(
            "Message",
            &message,
            "payload/Message",
            Kind::SecretToken,
            PASSWORD_IN_URL,
        );
    } else {
        let request = guid_string(rng.guid(), false);
        let path = rng.pick(&["requests", "teams", "templates", "approvals"]);
        let message =
            format!("GET https://api.teamspro.app/v1/{path}/{request} failed with status {status}");
        rec.str("Message", &message);
    }
    client_ip(rng, rec, who);
    rec.open("headers");
    let d = who.device;
    let agent = format!(
        "TeamsPro/{} ({} {})",
        who.app_version, d.platform.os_name, d.os_version
    );
    rec.str("User-Agent", &agent);
    rec.str("x-request-id", &guid_string(rng.guid(), false));
    rec.str("Accept-Language", who.locale());
    if rng.chance(40) {
        let bearer = format!("Bearer {}", jwt(rng, ts_ms));
        let field = "payload/headers/Authorization";
        rec.leak(
            "Authorization",
            &bearer,
            field,
            Kind::SecretToken,
            BEARER_TOKEN,
        );
    }
    rec.close();
}

/// A coordinate in 1e-4 degrees as decimal text, without float formatting.
fn degrees(v: i32) -> String {
    let sign = if v < 0 { "-" } else { "" };
    format!(
        "{sign}{}.{:04}",
        v.unsigned_abs() / 10_000,
        v.unsigned_abs() % 10_000
    )
}

fn network_error(rng: &mut Rng, rec: &mut Record, who: &Who) {
    rec.reset("error", "network_error");
    let (code, what) = rng.pick(&[
        ("NET_TIMEOUT", "Media connection lost after"),
        ("ICE_FAILED", "ICE negotiation failed after"),
        ("TLS_HANDSHAKE", "TLS handshake aborted after"),
        ("DNS_FAILURE", "Name resolution gave up after"),
    ]);
    rec.str("ErrorCode", code);
    rec.str("Message", &format!("{what} {} ms", rng.range(200, 30_000)));
    client_ip(rng, rec, who);
    if rng.chance(700) {
        sip_uri(rec, who);
    }
    let thread = format!(
        "{}==",
        base64(&random_bytes(rng, 22), false).trim_end_matches('=')
    );
    rec.str("ConversationThreadId", &thread);
    rec.str("MessageDirection", rng.word(&["Incoming", "Outgoing"]));
    rec.str(
        "ConversationState",
        rng.word(&["Idle", "Active", "Connecting", "OnHold"]),
    );
    if rng.chance(100) {
        let mac = &who.device.mac;
        let mac = if rng.chance(500) {
            mac.replace('-', ":").to_lowercase()
        } else {
            mac.clone()
        };
        rec.leak(
            "MacAddress",
            &mac,
            "payload/MacAddress",
            Kind::MacAddress,
            MAC_ADDRESS_IN_ERROR,
        );
    }
    if rng.chance(80) {
        let (_, _, _, lat, lon) = COUNTRIES[who.tenant.country];
        let lat = lat + rng.range(0, 400) as i32 - 200;
        let lon = lon + rng.range(0, 400) as i32 - 200;
        let location = format!("{},{}", degrees(lat), degrees(lon));
        rec.leak(
            "Location",
            &location,
            "payload/Location",
            Kind::GeoCoordinates,
            LOCATION_IN_ERROR,
        );
    }
}

fn billing_error(rng: &mut Rng, rec: &mut Record, who: &Who) {
    rec.reset("error", "billing_error");
    let lead = 1 + rng.below(9) as u8;
    let order = digit_text(&with_luhn(digits(rng, &[lead], 9)), 0);
    match rng.weighted(&[40, 50, 910]) {
        0 => {
            rec.str("ErrorCode", "PAYMENT_DECLINED");
            let (number, brand) = card(rng);
            let message = format!("Payment declined for card {number} ({brand}): do not honor");
            rec.leak(
                "Message",
                &message,
                "payload/Message",
                Kind::CreditCard,
                CARD_NUMBER,
            );
        }
        1 => {
            rec.str("ErrorCode", "SEPA_REJECTED");
            let message = format!(
                "SEPA direct debit rejected for IBAN {}: account closed",
                iban(rng)
            );
            rec.leak(
                "Message",
                &message,
                "payload/Message",
                Kind::Iban,
                IBAN_IN_ERROR,
            );
        }
        _ => {
            let (code, message) = match rng.index(3) {
                0 => (
                    "PAYMENT_DECLINED",
                    format!("Payment declined for order #{order}: insufficient funds"),
                ),
                1 => (
                    "INVOICE_FAILED",
                    format!(
                        "Invoice INV-2026-{:06} could not be charged: card ending {:04} expired",
                        rng.range(1, 99_999),
                        rng.below(10_000)
                    ),
                ),
                _ => (
                    "AUTH_TIMEOUT",
                    format!("Subscription renewal failed: 3-D Secure timed out (order #{order})"),
                ),
            };
            rec.str("ErrorCode", code);
            rec.str("Message", &message);
        }
    }
    if rng.chance(500) {
        client_ip(rng, rec, who);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_print_without_floats() {
        assert_eq!(degrees(533_498), "53.3498");
        assert_eq!(degrees(-62_603), "-6.2603");
        assert_eq!(degrees(-1_276), "-0.1276");
    }
}
