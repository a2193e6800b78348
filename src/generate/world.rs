//! The synthetic world behind an export — tenants, users, devices, sessions — and the time line
//! of event slots, sorted so rows can be written in timestamp order.

use std::collections::HashSet;

use super::rng::{Rng, alnum, guid_string};
use super::vocab::{
    COUNTRIES, FIRST_NAMES, LAST_NAMES, LEGAL_FORMS, ORG_SUFFIXES, ORGS, PLATFORMS, Platform,
    VERSIONS,
};

pub const DAY_MS: i64 = 86_400_000;
/// Events spread over this many days before the export.
pub const WINDOW_DAYS: i64 = 120;

pub struct Tenant {
    pub id: String,
    pub company: String,
    pub default_domain: String,
    pub initial_domain: String,
    pub country: usize,
    pub company_id: String,
    pub license: &'static str,
}

pub struct User {
    pub tenant: usize,
    pub display: String,
    pub login: String,
    pub upn: String,
    pub email: String,
    pub hashed: String,
    pub ms_user_id: String,
    pub app_user_id: String,
    pub customer_id: String,
    pub phone: Option<String>,
    pub ip: String,
    pub language: &'static str,
    pub admin: bool,
    pub devices: Vec<usize>,
}

pub struct Device {
    pub id: String,
    pub platform: &'static Platform,
    pub os_version: &'static str,
    pub model: &'static str,
    pub name: String,
    pub named_after_owner: bool,
    pub mac: String,
}

pub struct Session {
    pub id: String,
    pub user: usize,
    pub device: usize,
    pub app_version: &'static str,
    /// The request this session last created, so approvals follow their request.
    pub request: Option<u128>,
}

/// One event to be written: when, and which session's how-many-th event it is.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Slot {
    pub ts: i64,
    pub session: u32,
    pub seq: u32,
}

pub struct World {
    pub tenants: Vec<Tenant>,
    pub users: Vec<User>,
    pub devices: Vec<Device>,
    pub sessions: Vec<Session>,
}

/// Dozens of tenants growing with the log of the event count: 12 near 2k events, ~60 near 1M.
fn tenant_count(events: u64) -> usize {
    let n = events.max(1);
    let k = u64::from(n.ilog2());
    let log2_x100 = 100 * k + 100 * (n - (1 << k)) / (1 << k);
    let t = 12 + (log2_x100 as i64 - 1097) * 533 / 10_000;
    t.clamp(3, 200) as usize
}

fn fold(name: &str) -> String {
    name.chars()
        .filter_map(|c| match c {
            'à' | 'á' | 'â' | 'ä' => Some('a'),
            'è' | 'é' | 'ê' | 'ë' => Some('e'),
            'í' | 'ï' => Some('i'),
            'ó' | 'ö' | 'ø' => Some('o'),
            'ú' | 'ü' => Some('u'),
            'ñ' => Some('n'),
            c if c.is_ascii_alphanumeric() => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

fn public_ipv4(rng: &mut Rng) -> String {
    const FIRST: &[u8] = &[
        20, 23, 31, 37, 40, 46, 51, 52, 62, 78, 80, 81, 84, 86, 89, 90, 91, 93, 94, 109, 145, 151,
        176, 185, 188, 193, 194, 195, 212, 213, 217,
    ];
    // The last octet is never 0: a zeroed last octet is how masking looks.
    format!(
        "{}.{}.{}.{}",
        rng.pick(FIRST),
        rng.below(256),
        rng.below(256),
        rng.range(1, 254)
    )
}

fn public_ipv6(rng: &mut Rng) -> String {
    const PREFIX: &[&str] = &["2a02", "2a01", "2001:4860", "2600", "2a00"];
    let mut s = (*rng.pick(PREFIX)).to_string();
    let groups = 8 - s.matches(':').count() - 1;
    for _ in 0..groups {
        s.push_str(&format!(":{:x}", rng.range(1, 0xffff)));
    }
    s
}

fn build_tenants(rng: &mut Rng, count: usize) -> Vec<Tenant> {
    let mut seen = HashSet::new();
    (0..count)
        .map(|i| {
            let (stem, display) = ORGS[i % ORGS.len()];
            let (mut stem, mut display) = (stem.to_string(), display.to_string());
            if i >= ORGS.len() {
                let (s, d) = ORG_SUFFIXES[(i / ORGS.len() - 1) % ORG_SUFFIXES.len()];
                stem.push_str(s);
                display.push_str(d);
            }
            while !seen.insert(stem.clone()) {
                stem.push_str(&rng.below(10).to_string());
            }
            let country = rng.index(COUNTRIES.len());
            display.push_str(rng.word(LEGAL_FORMS));
            Tenant {
                id: guid_string(rng.guid(), false),
                company: display,
                default_domain: format!("{stem}{}", COUNTRIES[country].0),
                initial_domain: format!("{stem}.onmicrosoft.com"),
                country,
                company_id: format!("cmp_{}", alnum(rng, 14)),
                license: rng.word(&["enterprise", "enterprise", "pro", "business"]),
            }
        })
        .collect()
}

fn build_device(rng: &mut Rng, display: &str) -> Device {
    let weights: Vec<u32> = PLATFORMS.iter().map(|(w, _)| *w).collect();
    let platform = &PLATFORMS[rng.weighted(&weights)].1;
    let model = *rng.pick(platform.models);
    let named_after_owner = rng.chance(30);
    let name = if named_after_owner {
        format!("{display}'s {}", rng.pick(platform.device_word))
    } else {
        match platform.os_name {
            "Windows" => format!(
                "{}-{}",
                rng.pick(&["DESKTOP", "LAPTOP"]),
                alnum(rng, 7).to_ascii_uppercase()
            ),
            _ => model.to_string(),
        }
    };
    let mut mac = String::new();
    for i in 0..6 {
        if i > 0 {
            mac.push('-');
        }
        mac.push_str(&format!("{:02X}", rng.below(256)));
    }
    Device {
        id: guid_string(rng.guid(), true),
        platform,
        os_version: rng.word(platform.versions),
        model,
        name,
        named_after_owner,
        mac,
    }
}

fn build_users(rng: &mut Rng, tenants: &[Tenant], count: usize) -> (Vec<User>, Vec<Device>) {
    let weights: Vec<u32> = (0..tenants.len()).map(|i| 1000 / (i as u32 + 2)).collect();
    let mut private_suffix = vec![None; tenants.len()];
    let mut upn_style = vec![0usize; tenants.len()];
    let mut login_style = vec![0usize; tenants.len()];
    for t in 0..tenants.len() {
        upn_style[t] = rng.weighted(&[60, 25, 15]);
        login_style[t] = rng.index(3);
        private_suffix[t] = Some(if rng.chance(500) {
            "corp.local".to_string()
        } else {
            format!(
                "ad.{}.local",
                tenants[t]
                    .initial_domain
                    .trim_end_matches(".onmicrosoft.com")
            )
        });
    }
    let mut taken = HashSet::new();
    let mut devices = Vec::new();
    let users = (0..count)
        .map(|_| {
            let tenant = rng.weighted(&weights);
            let t = &tenants[tenant];
            let (first, last) = (*rng.pick(FIRST_NAMES), *rng.pick(LAST_NAMES));
            let display = format!("{first} {last}");
            let (f, l) = (fold(first), fold(last));
            let mut local = format!("{f}.{l}");
            let mut login = match login_style[tenant] {
                0 => format!("{f}{l}"),
                1 => format!("{}{l}", &f[..1]),
                _ => local.clone(),
            };
            let mut n = 1;
            while !taken.insert((tenant, local.clone())) {
                n += 1;
                local = format!("{f}.{l}{n}");
                login = format!("{login}{n}");
            }
            let upn_domain = match upn_style[tenant] {
                0 => t.default_domain.clone(),
                1 => t.initial_domain.clone(),
                _ => private_suffix[tenant].clone().unwrap_or_default(),
            };
            let country = &COUNTRIES[t.country];
            let phone = rng
                .chance(300)
                .then(|| format!("{} {:04}", country.2, rng.range(100, 9999)));
            let ip = if rng.chance(150) {
                public_ipv6(rng)
            } else {
                public_ipv4(rng)
            };
            let mut own = vec![devices.len()];
            devices.push(build_device(rng, &display));
            if rng.chance(400) {
                own.push(devices.len());
                devices.push(build_device(rng, &display));
            }
            User {
                tenant,
                upn: format!("{local}@{upn_domain}"),
                email: format!("{local}@{}", t.default_domain),
                display,
                login,
                hashed: guid_string(rng.guid(), true),
                ms_user_id: guid_string(rng.guid(), false),
                app_user_id: guid_string(rng.guid(), false),
                customer_id: format!("cus_{}", alnum(rng, 14)),
                phone,
                ip,
                language: if rng.chance(700) {
                    upper_locale(country.1)
                } else {
                    "EN-US"
                },
                admin: rng.chance(80),
                devices: own,
            }
        })
        .collect();
    (users, devices)
}

fn upper_locale(locale: &str) -> &'static str {
    match locale {
        "en-IE" => "EN-IE",
        "en-GB" => "EN-GB",
        "de-DE" => "DE-DE",
        "fr-FR" => "FR-FR",
        "nl-NL" => "NL-NL",
        _ => "EN-US",
    }
}

fn gap_ms(rng: &mut Rng) -> i64 {
    let g = match rng.weighted(&[3, 20, 55, 17, 5]) {
        0 => 0,
        1 => rng.range(1, 2_000),
        2 => rng.range(2_000, 600_000),
        3 => rng.range(600_000, 28_800_000),
        _ => rng.range(28_800_000, 259_200_000),
    };
    g as i64
}

fn session_len(rng: &mut Rng) -> u64 {
    match rng.weighted(&[50, 35, 15]) {
        0 => rng.range(3, 20),
        1 => rng.range(21, 80),
        _ => rng.range(81, 400),
    }
}

fn version_at(rng: &mut Rng, day: u64) -> &'static str {
    let released = VERSIONS.iter().filter(|(_, d)| *d <= day).count().max(1);
    let back = [0, 0, 0, 0, 0, 0, 1, 1, 1, 2][rng.index(10)].min(released - 1);
    VERSIONS[released - 1 - back].0
}

impl World {
    /// The world for `events` events between `start` and `end` (ms since the epoch), with the
    /// slots sorted by time; ties keep each session's order.
    pub fn build(seed: u64, events: u64, start: i64, end: i64) -> (World, Vec<Slot>) {
        let mut root = Rng::new(seed);
        let mut rng = root.fork();
        let tenants = build_tenants(&mut rng, tenant_count(events));
        let user_count = (tenants.len() * 4).max((events / 80) as usize);
        let (users, devices) = build_users(&mut rng, &tenants, user_count);

        let mut rng = root.fork();
        let window = end - start;
        let mut sessions = Vec::new();
        let mut slots = Vec::with_capacity(events as usize);
        let mut offsets = Vec::new();
        let mut remaining = events;
        while remaining > 0 {
            let len = session_len(&mut rng).min(remaining);
            remaining -= len;
            offsets.clear();
            let mut t = 0i64;
            for i in 0..len {
                if i > 0 {
                    t += gap_ms(&mut rng);
                }
                offsets.push(t);
            }
            if t > window {
                for o in &mut offsets {
                    *o = (i128::from(*o) * i128::from(window) / i128::from(t)) as i64;
                }
                t = window;
            }
            let begin = start + rng.below((window - t + 1) as u64) as i64;
            let user = rng.index(users.len());
            let device = *rng.pick(&users[user].devices);
            let session = sessions.len() as u32;
            sessions.push(Session {
                id: guid_string(rng.guid(), true),
                user,
                device,
                app_version: version_at(&mut rng, ((begin - start) / DAY_MS) as u64),
                request: None,
            });
            for (seq, o) in offsets.iter().enumerate() {
                slots.push(Slot {
                    ts: begin + o,
                    session,
                    seq: seq as u32,
                });
            }
        }
        slots.sort_unstable();
        let world = World {
            tenants,
            users,
            devices,
            sessions,
        };
        (world, slots)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_count_scales_with_the_log_of_events() {
        assert_eq!(tenant_count(2_000), 12);
        assert!((25..=35).contains(&tenant_count(20_000)));
        assert!((55..=65).contains(&tenant_count(1_000_000)));
        assert_eq!(tenant_count(0), 3);
    }

    #[test]
    fn names_fold_to_ascii_logins() {
        assert_eq!(fold("Zoë"), "zoe");
        assert_eq!(fold("O'Brien"), "obrien");
        assert_eq!(fold("de Vries"), "devries");
    }
}
