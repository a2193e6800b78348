//! Payloads of the census, usage and support categories, with their truth labels
//! (TRUTH-CONTRACT.md): which fields carry identifiers, and the planted leaks among them.

use super::record::Record;
use super::rng::{Rng, guid_string};
use super::vocab::{COUNTRIES, TEAM_NAMES, TEAM_PREFIXES, TEMPLATE_NAMES};
use super::world::{Device, Tenant, User};
use crate::model::Kind;

pub const DEVICE_NAMED_AFTER_OWNER: &str = "device_named_after_owner";
pub const UNHASHED_USER_ID: &str = "unhashed_user_id";
pub const EMAIL_IN_TEAM_NAME: &str = "email_in_team_name";

/// Everything an event builder may draw on: the session's tenant, user and device.
pub struct Who<'a> {
    pub tenant_index: usize,
    pub tenant: &'a Tenant,
    pub tenants: &'a [Tenant],
    pub user: &'a User,
    pub device: &'a Device,
    pub session_id: &'a str,
    pub app_version: &'static str,
}

impl Who<'_> {
    pub fn locale(&self) -> &'static str {
        COUNTRIES[self.tenant.country].1
    }
}

/// `unhashed` plants the leak of a client that forgot to hash: the cleartext email as UserID.
pub fn census(rng: &mut Rng, rec: &mut Record, who: &Who, first: bool, unhashed: bool) {
    let name = if first {
        "app_session_start"
    } else if rng.chance(250) {
        "device_info"
    } else {
        "app_heartbeat"
    };
    rec.reset("census", name);
    let d = who.device;
    rec.str("AppName", d.platform.app_name);
    rec.str("DeviceModel", d.model);
    if name != "app_heartbeat" {
        if d.named_after_owner {
            let kind = Kind::PersonName;
            rec.leak(
                "DeviceName",
                &d.name,
                "payload/DeviceName",
                kind,
                DEVICE_NAMED_AFTER_OWNER,
            );
        } else {
            rec.str("DeviceName", &d.name);
        }
    }
    rec.str("OSName", d.platform.os_name);
    rec.str("OSVersion", d.os_version);
    rec.str("UserLanguage", who.user.language);
    if unhashed {
        rec.leak(
            "UserID",
            &who.user.email,
            "payload/UserID",
            Kind::Email,
            UNHASHED_USER_ID,
        );
    } else {
        rec.id("UserID", &who.user.hashed, "payload/UserID", Kind::HashedId);
    }
    rec.id(
        "SessionID",
        who.session_id,
        "payload/SessionID",
        Kind::SessionId,
    );
    rec.id("DeviceID", &d.id, "payload/DeviceID", Kind::DeviceId);
    rec.finish();
}

/// Templates are stable per tenant, so their ids repeat the way real ones do.
fn template(who: &Who, rng: &mut Rng) -> (String, &'static str) {
    let i = rng.index(TEMPLATE_NAMES.len());
    let g = Rng::new(((who.tenant_index as u64) << 8) ^ i as u64 ^ 0x7E3A_11F0).guid();
    (guid_string(g, true), TEMPLATE_NAMES[i])
}

fn team_name(rng: &mut Rng, rec: &mut Record, who: &Who) {
    if rng.chance(15) {
        let email = if rng.chance(500) {
            who.user.email.clone()
        } else {
            let local = rng.pick(&["external.guest", "vendor.contact", "j.doe", "pm"]);
            format!("{local}@{}", rng.pick(who.tenants).default_domain)
        };
        let text = format!("{}{email}", rng.pick(TEAM_PREFIXES));
        rec.leak(
            "team_name",
            &text,
            "payload/team_name",
            Kind::Email,
            EMAIL_IN_TEAM_NAME,
        );
    } else {
        rec.str("team_name", rng.word(TEAM_NAMES));
    }
}

/// `request` is the session's open request, so approvals name the request they follow.
pub fn usage(rng: &mut Rng, rec: &mut Record, who: &Who, request: &mut Option<u128>) {
    match rng.weighted(&[20, 10, 3, 10, 3, 10, 44]) {
        0 => {
            rec.reset("usage", "request_created");
            let id = rng.guid();
            *request = Some(id);
            rec.str("request_id", &guid_string(id, true));
            team_name(rng, rec, who);
            rec.str("request_additionalMembers", &rng.range(0, 40).to_string());
            rec.str("request_additionalOwners", &rng.range(0, 5).to_string());
            let (tid, tname) = template(who, rng);
            rec.str("template_id", &tid);
            rec.str("template_name", tname);
        }
        k @ 1..=4 => {
            let name = [
                "request_approved",
                "request_rejected",
                "request_processed",
                "request_error",
            ][k - 1];
            rec.reset("usage", name);
            let id = request.unwrap_or_else(|| rng.guid());
            rec.str("request_id", &guid_string(id, true));
        }
        5 => {
            rec.reset("usage", "team_created");
            rec.str("team_id", &guid_string(rng.guid(), true));
            team_name(rng, rec, who);
            let (tid, tname) = template(who, rng);
            rec.str("template_id", &tid);
            rec.str("template_name", tname);
        }
        _ => {
            rec.reset("usage", "im_meeting_counters");
            rec.num("IMSent", rng.range(0, 60));
            rec.num("IMReceived", rng.range(0, 80));
            let attempts = rng.range(0, 6);
            rec.num("MeetingJoinAttempts", attempts);
            rec.num("MeetingJoinSuccess", attempts.saturating_sub(rng.below(2)));
            rec.num("CallMinutes", rng.range(0, 180));
            if rng.chance(700) {
                let partner = if rng.chance(100) {
                    "Microsoft.com"
                } else {
                    rng.pick(who.tenants).default_domain.as_str()
                };
                rec.id(
                    "FederationPartner",
                    partner,
                    "payload/FederationPartner",
                    Kind::Domain,
                );
            }
        }
    }
    rec.finish();
}

pub fn support(rng: &mut Rng, rec: &mut Record, who: &Who) {
    let (u, t) = (who.user, who.tenant);
    match rng.weighted(&[45, 35, 20]) {
        0 => {
            rec.reset("support", "identified");
            rec.id("intercomId", &u.upn, "payload/intercomId", Kind::Email);
            rec.id(
                "intercomEmail",
                &u.upn,
                "payload/intercomEmail",
                Kind::Email,
            );
            rec.str("locale", u.language);
            rec.id("msTenantId", &t.id, "payload/msTenantId", Kind::TenantId);
            rec.id("msUpn", &u.upn, "payload/msUpn", Kind::Email);
            rec.str(
                "theme",
                rng.word(&["Dark", "Light", "Default", "HighContrast"]),
            );
            rec.id(
                "msUserId",
                &u.ms_user_id,
                "payload/msUserId",
                Kind::UserGuid,
            );
            rec.str("environment", "production");
            rec.str("version", who.app_version);
        }
        1 => {
            rec.reset("support", "authenticated");
            rec.id("intercomId", &u.upn, "payload/intercomId", Kind::Email);
            rec.id(
                "intercomEmail",
                &u.email,
                "payload/intercomEmail",
                Kind::Email,
            );
            rec.id("userId", &u.app_user_id, "payload/userId", Kind::UserGuid);
            rec.str("customerId", &u.customer_id);
            rec.id("msEmail", &u.email, "payload/msEmail", Kind::Email);
            rec.id("tld", &t.default_domain, "payload/tld", Kind::Domain);
            rec.id("name", &u.display, "payload/name", Kind::PersonName);
            rec.str("msLocale", who.locale());
            rec.str("license", t.license);
            rec.bool("msIsTenantAdmin", u.admin);
            if let Some(phone) = &u.phone {
                rec.id("phone", phone, "payload/phone", Kind::PhoneNumber);
            }
        }
        _ => {
            rec.reset("support", "company");
            rec.str("companyId", &t.company_id);
            rec.id(
                "companyName",
                &t.company,
                "payload/companyName",
                Kind::OrgName,
            );
            rec.id("msTenantId", &t.id, "payload/msTenantId", Kind::TenantId);
            let (init, def) = (&t.initial_domain, &t.default_domain);
            rec.id(
                "msTenantInitialDomain",
                init,
                "payload/msTenantInitialDomain",
                Kind::Domain,
            );
            rec.id(
                "msTenantDefaultDomain",
                def,
                "payload/msTenantDefaultDomain",
                Kind::Domain,
            );
            rec.str("license", t.license);
        }
    }
    rec.finish();
}
