//! Field-name hints: splits column names and JSON keys into whole tokens and maps them to hint flags.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::intern::interned;
use crate::text::word_at;

/// A set of hints drawn from one field name. Bit flags keep the hot path allocation-free.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Hints(u32);

impl Hints {
    pub const EMAIL: Hints = Hints(1);
    pub const UPN: Hints = Hints(1 << 1);
    pub const USER: Hints = Hints(1 << 2);
    pub const LOGIN: Hints = Hints(1 << 3);
    pub const ID: Hints = Hints(1 << 4);
    pub const OBJECT: Hints = Hints(1 << 5);
    pub const MS: Hints = Hints(1 << 6);
    pub const TENANT: Hints = Hints(1 << 7);
    pub const SESSION: Hints = Hints(1 << 8);
    pub const DEVICE: Hints = Hints(1 << 9);
    pub const HASH: Hints = Hints(1 << 10);
    pub const IP: Hints = Hints(1 << 11);
    pub const MAC: Hints = Hints(1 << 12);
    pub const PHONE: Hints = Hints(1 << 13);
    pub const GEO: Hints = Hints(1 << 14);
    pub const SIP: Hints = Hints(1 << 15);
    pub const DOMAIN: Hints = Hints(1 << 16);
    pub const ORG: Hints = Hints(1 << 17);
    pub const NAME: Hints = Hints(1 << 18);
    pub const PERSON: Hints = Hints(1 << 19);
    pub const SECRET: Hints = Hints(1 << 20);
    pub const API: Hints = Hints(1 << 21);
    pub const KEY: Hints = Hints(1 << 22);
    pub const NEGATIVE: Hints = Hints(1 << 23);
    pub const NOT_PERSON: Hints = Hints(1 << 24);
    pub const CARD: Hints = Hints(1 << 25);
    pub const IBAN: Hints = Hints(1 << 26);
    pub const PATH: Hints = Hints(1 << 27);
    /// The name was exactly one token, `name`: a person's name in support records.
    pub const BARE_NAME: Hints = Hints(1 << 28);
    pub const MAIL_ALIAS: Hints = Hints(1 << 29);

    pub const NONE: Hints = Hints(0);

    pub fn has(self, other: Hints) -> bool {
        self.0 & other.0 == other.0
    }

    pub fn any(self, other: Hints) -> bool {
        self.0 & other.0 != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn negative(self) -> bool {
        self.has(Hints::NEGATIVE)
    }

    /// A key for a value that should be a secret (`password`, `X-Api-Key`, `Authorization`).
    pub fn secret(self) -> bool {
        self.has(Hints::SECRET) || self.has(Hints(Hints::API.0 | Hints::KEY.0))
    }

    /// A key naming a person (`displayName`, `fullName`, bare `name`), not a team or an app.
    pub fn person_name(self) -> bool {
        !self.any(Hints(
            Hints::NOT_PERSON.0 | Hints::ORG.0 | Hints::USER.0 | Hints::LOGIN.0,
        )) && (self.has(Hints::BARE_NAME) || self.has(Hints::PERSON))
            || self.has(Hints(Hints::PERSON.0 | Hints::NAME.0)) && !self.any(Hints::NOT_PERSON)
    }

    pub fn org_name(self) -> bool {
        self.has(Hints::ORG) && (self.has(Hints::NAME) || self.0 == Hints::ORG.0)
            || self.has(Hints(Hints::TENANT.0 | Hints::NAME.0)) && !self.has(Hints::DOMAIN)
    }

    /// A key holding a user's login or id (`user_id`, `UserID`, `userName`, `login`).
    pub fn user_ref(self) -> bool {
        self.has(Hints::LOGIN)
            || self.has(Hints::USER) && self.any(Hints(Hints::ID.0 | Hints::NAME.0))
    }

    fn with(self, other: Hints) -> Hints {
        Hints(self.0 | other.0)
    }
}

/// Splits a field name into tokens: camelCase, PascalCase with acronyms (`IPAddress` → IP,
/// Address), snake_case and kebab-case. Digits stay with their letters (`ipv4`).
pub fn tokens(name: &str) -> Tokens<'_> {
    Tokens {
        name: name.as_bytes(),
        src: name,
        pos: 0,
    }
}

pub struct Tokens<'a> {
    name: &'a [u8],
    src: &'a str,
    pos: usize,
}

impl<'a> Iterator for Tokens<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let b = self.name;
        while self.pos < b.len() && !b[self.pos].is_ascii_alphanumeric() {
            self.pos += 1;
        }
        if self.pos >= b.len() {
            return None;
        }
        let start = self.pos;
        let mut i = start + 1;
        while i < b.len() && b[i].is_ascii_alphanumeric() {
            let (prev, cur) = (b[i - 1], b[i]);
            if prev.is_ascii_lowercase() && cur.is_ascii_uppercase() {
                break;
            }
            // `IPAddress`: the last capital of an acronym starts the next word.
            if prev.is_ascii_uppercase()
                && cur.is_ascii_uppercase()
                && b.get(i + 1).is_some_and(u8::is_ascii_lowercase)
            {
                break;
            }
            if prev.is_ascii_digit() && cur.is_ascii_uppercase() {
                break;
            }
            i += 1;
        }
        self.pos = i;
        self.src.get(start..i)
    }
}

fn token_hint(tok: &str) -> Hints {
    let mut buf = [0u8; 24];
    if tok.len() > buf.len() {
        return Hints::NONE;
    }
    for (d, s) in buf.iter_mut().zip(tok.bytes()) {
        *d = s.to_ascii_lowercase();
    }
    match &buf[..tok.len()] {
        b"email" | b"mail" | b"emailaddress" | b"e" => Hints::EMAIL,
        b"upn" | b"principal" => Hints::UPN.with(Hints::EMAIL),
        b"intercom" => Hints::MAIL_ALIAS,
        // OpenTelemetry names the signed-in user `enduser` (`enduser.id`).
        b"user" | b"users" | b"member" | b"owner" | b"enduser" => Hints::USER,
        b"username" | b"login" | b"logon" | b"account" | b"alias" | b"sam" | b"handle" => {
            Hints::LOGIN
        }
        b"uid" => Hints::USER.with(Hints::ID),
        b"id" | b"ids" | b"guid" | b"uuid" | b"identifier" => Hints::ID,
        b"oid" | b"object" | b"aad" | b"puid" => Hints::OBJECT,
        b"ms" => Hints::MS,
        b"tenant" | b"tid" => Hints::TENANT,
        b"session" => Hints::SESSION,
        b"device" | b"machine" | b"sqm" | b"hardware" | b"hw" | b"installation"
        | b"advertising" => Hints::DEVICE,
        // Mobile advertising ids (Apple's IDFA and IDFV, Google's GAID): one per device.
        b"idfa" | b"idfv" | b"gaid" | b"adid" => Hints::DEVICE.with(Hints::ID),
        // An anonymous id is a pseudonym for one user (Segment's `anonymousId`).
        b"hash" | b"hashed" | b"sha1" | b"sha256" | b"md5" | b"digest" | b"anon" | b"anonymous" => {
            Hints::HASH
        }
        b"ip" | b"ipv4" | b"ipv6" | b"ipaddress" | b"forwarded" | b"addr" => Hints::IP,
        b"mac" => Hints::MAC,
        b"phone" | b"mobile" | b"tel" | b"telephone" | b"cell" | b"fax" | b"msisdn" => Hints::PHONE,
        b"geo" | b"lat" | b"lon" | b"lng" | b"latitude" | b"longitude" | b"location"
        | b"coords" | b"coordinates" | b"gps" | b"position" => Hints::GEO,
        b"sip" => Hints::SIP,
        b"domain" | b"tld" | b"federation" | b"partner" => Hints::DOMAIN,
        b"company" | b"org" | b"organization" | b"organisation" | b"employer" | b"customer" => {
            Hints::ORG
        }
        b"name" | b"names" => Hints::NAME,
        b"display" | b"full" | b"given" | b"first" | b"last" | b"surname" | b"family"
        | b"contact" | b"person" | b"author" | b"nick" | b"realname" | b"givenname"
        | b"fullname" | b"displayname" => Hints::PERSON,
        b"authorization" | b"token" | b"password" | b"passwd" | b"pwd" | b"secret" | b"apikey"
        | b"credential" | b"credentials" | b"cookie" | b"bearer" => Hints::SECRET,
        b"api" | b"access" | b"private" => Hints::API,
        b"key" => Hints::KEY,
        b"card" | b"pan" | b"cc" => Hints::CARD,
        b"iban" | b"bank" => Hints::IBAN,
        b"path" | b"dir" | b"directory" | b"folder" | b"stack" => Hints::PATH,
        b"version" | b"ver" | b"build" | b"os" | b"locale" | b"language" | b"lang" | b"culture"
        | b"count" | b"duration" | b"size" | b"length" | b"theme" | b"license" | b"model"
        | b"timestamp" | b"time" | b"date" | b"ts" | b"status" | b"state" | b"type" | b"level"
        | b"direction" | b"expiry" | b"expires" | b"environment" | b"sent" | b"received"
        | b"minutes" | b"attempts" | b"success" => Hints::NEGATIVE,
        b"team" | b"template" | b"app" | b"application" | b"product" | b"file" | b"host"
        | b"server" | b"event" | b"class" | b"method" | b"module" | b"function" | b"group"
        | b"channel" | b"plan" | b"sku" | b"feature" | b"project" | b"site" | b"queue" => {
            Hints::NOT_PERSON
        }
        _ => Hints::NONE,
    }
}

/// FNV-1a: field names are short, and SipHash costs more than the tokenizing it saves.
#[derive(Default)]
pub(crate) struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type Cache = HashMap<Box<str>, (Hints, Cow<'static, str>), BuildHasherDefault<Fnv>>;

thread_local! {
    /// Field names repeat across events, so their hints and evidence are remembered per thread.
    static CACHE: RefCell<Cache> = RefCell::new(Cache::default());
}

fn cached<T>(name: &str, f: impl FnOnce(&(Hints, Cow<'static, str>)) -> T) -> T {
    CACHE.with(|c| {
        if let Some(e) = c.borrow().get(name) {
            return f(e);
        }
        let entry = (compute(name), interned(evidence_of(name)));
        let out = f(&entry);
        let mut map = c.borrow_mut();
        if map.len() >= 4096 {
            map.clear();
        }
        map.insert(name.into(), entry);
        out
    })
}

/// The hints of one field name (a column name or the last key of a JSON pointer).
pub fn hints(name: &str) -> Hints {
    if name.is_empty() || name.len() > 64 {
        return compute(name);
    }
    cached(name, |e| e.0)
}

fn compute(name: &str) -> Hints {
    let mut h = Hints::NONE;
    let mut count = 0;
    let mut only_name = true;
    for tok in tokens(name) {
        let t = token_hint(tok);
        only_name &= t == Hints::NAME;
        count += 1;
        h = h.with(t);
    }
    if count == 1 && only_name {
        h = h.with(Hints::BARE_NAME);
    }
    // `intercomId` carries the user's UPN in these exports.
    if h.has(Hints::MAIL_ALIAS) && h.has(Hints::ID) {
        h = h.with(Hints::EMAIL);
    }
    h
}

/// Which coordinate a number under a field name is, when the name says it is one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Axis {
    /// `lat`, `latitude`: within ±90.
    Latitude,
    /// `lon`, `lng`, `long`, `longitude`: within ±180.
    Longitude,
    /// `coords`, `coordinates` (GeoJSON's `[lon, lat]`): within ±180.
    Either,
}

/// The axis of a number named `name` (`lat`, `location_lng`, `$longitude`, `coordinates`),
/// or `None`: other numbers are never scanned. Called for every number of a payload, so most
/// names are told apart by a look for `lat`, `lon`, `lng` or `coo` before they are split.
pub(crate) fn coordinate_axis(name: &str) -> Option<Axis> {
    let b = name.as_bytes();
    if b.len() > 64 || !has_coordinate_cue(b) {
        return None;
    }
    tokens(name).find_map(|t| {
        let is = |w: &str| t.eq_ignore_ascii_case(w);
        if is("lat") || is("latitude") {
            Some(Axis::Latitude)
        } else if is("lon") || is("lng") || is("long") || is("longitude") {
            Some(Axis::Longitude)
        } else if is("coords") || is("coordinates") {
            Some(Axis::Either)
        } else {
            None
        }
    })
}

/// Whether `lat`, `lon`, `lng` or `coo` (any case) occurs in `b`. Every number's key is
/// tested, so the first two letters are looked for eight positions at a time: `l` before `a`,
/// `o` or `n`, or `c` before `o`, which few keys have.
fn has_coordinate_cue(b: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // The high bit of each byte of `w` equal to `c` (and maybe of a byte after one): a
    // position flagged by mistake is only looked at again.
    let eq = |w: u64, c: u8| {
        let x = w ^ (ONES * u64::from(c));
        x.wrapping_sub(ONES) & !x & HIGH
    };
    // `| 0x20` lower-cases letters; only `l`/`L` then equal `l`, and so on.
    let lower = |i: usize| word_at(b, i) | (ONES * 0x20);
    let pairs_at = |i: usize| {
        let (w, next) = (lower(i), lower(i + 1));
        let l = eq(w, b'l') & (eq(next, b'a') | eq(next, b'o') | eq(next, b'n'));
        l | eq(w, b'c') & eq(next, b'o') != 0
    };
    if b.len() < 9 {
        return (0..b.len()).any(|i| cue_at(b, i));
    }
    // Eight starts at a time; the last step may overlap the one before.
    let last = b.len() - 9;
    let mut i = 0;
    loop {
        let at = i.min(last);
        if pairs_at(at) && (at..at + 8).any(|j| cue_at(b, j)) {
            return true;
        }
        if at == last {
            return false;
        }
        i += 8;
    }
}

/// Whether a cue of `has_coordinate_cue` starts at `b[i]`.
fn cue_at(b: &[u8], i: usize) -> bool {
    let lower = |j: usize| b.get(j).map_or(0, |c| c | 0x20);
    match lower(i) {
        b'l' => matches!(
            [lower(i + 1), lower(i + 2)],
            [b'a', b't'] | [b'o', b'n'] | [b'n', b'g']
        ),
        b'c' => lower(i + 1) == b'o' && lower(i + 2) == b'o',
        _ => false,
    }
}

/// What a field name says: its hints, and the evidence text a finding cites for them.
#[derive(Debug, Clone, Default)]
pub(crate) struct Name {
    pub hints: Hints,
    /// Empty when there are no hints.
    pub evidence: Cow<'static, str>,
}

/// `hints` and `evidence` of a field name in one cache lookup.
pub(crate) fn lookup(name: &str) -> Name {
    if name.is_empty() || name.len() > 64 {
        let hints = compute(name);
        let evidence = if hints.is_empty() {
            Cow::Borrowed("")
        } else {
            Cow::Owned(evidence_of(name))
        };
        return Name { hints, evidence };
    }
    cached(name, |e| Name {
        hints: e.0,
        evidence: if e.0.is_empty() {
            Cow::Borrowed("")
        } else {
            e.1.clone()
        },
    })
}

/// Word-at-a-time multiplicative hash (FxHash's mix): field names are short and trusted to
/// be few enough (the cache below is bounded), so a fast hash beats a keyed one here.
#[derive(Default)]
pub(crate) struct WordHash(u64);

impl Hasher for WordHash {
    fn finish(&self) -> u64 {
        self.0
    }
    /// Each eight bytes as a little-endian word, the last few zero-padded. Words are loaded
    /// whole (copying each chunk into a padded buffer cost a `memcpy` call per word, and ids
    /// and field names are hashed by the million).
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            self.mix(word_at(w, 0));
        }
        let rest = words.remainder().len();
        if rest == 0 {
            return;
        }
        let last = if bytes.len() >= 8 {
            // The last eight bytes, shifted down to the ones not mixed yet.
            word_at(bytes, bytes.len() - 8) >> (8 * (8 - rest))
        } else {
            bytes.iter().rev().fold(0, |w, &b| w << 8 | u64::from(b))
        };
        self.mix(last);
    }
}

impl WordHash {
    fn mix(&mut self, word: u64) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
    }
}

/// `field name ms,tenant,id`: the evidence string for a hint, tokens lower-cased.
pub fn evidence(name: &str) -> String {
    evidence_text(name).into_owned()
}

/// `evidence`, borrowed from the cache when it can be.
pub(crate) fn evidence_text(name: &str) -> Cow<'static, str> {
    if name.is_empty() || name.len() > 64 {
        return Cow::Owned(evidence_of(name));
    }
    cached(name, |e| e.1.clone())
}

fn evidence_of(name: &str) -> String {
    let mut s = String::from("field name ");
    for (i, t) in tokens(name).enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.extend(t.chars().map(|c| c.to_ascii_lowercase()));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_hash_reads_zero_padded_little_endian_words() {
        let bytes: Vec<u8> = (1..=40).collect();
        for len in 0..=bytes.len() {
            let mut want = WordHash::default();
            for chunk in bytes[..len].chunks(8) {
                let mut w = [0u8; 8];
                w[..chunk.len()].copy_from_slice(chunk);
                want.mix(u64::from_le_bytes(w));
            }
            let mut h = WordHash::default();
            h.write(&bytes[..len]);
            assert_eq!(h.finish(), want.finish(), "{len} bytes");
        }
    }

    fn toks(s: &str) -> Vec<String> {
        tokens(s).map(str::to_ascii_lowercase).collect()
    }

    #[test]
    fn splits_every_naming_style_into_whole_tokens() {
        assert_eq!(toks("msTenantId"), ["ms", "tenant", "id"]);
        assert_eq!(toks("intercom_email"), ["intercom", "email"]);
        assert_eq!(toks("X-Api-Key"), ["x", "api", "key"]);
        assert_eq!(toks("IPAddress"), ["ip", "address"]);
        assert_eq!(toks("SessionID"), ["session", "id"]);
        assert_eq!(toks("ClientIP"), ["client", "ip"]);
        assert_eq!(toks("ipv4Addr"), ["ipv4", "addr"]);
        assert_eq!(toks("OSVersion"), ["os", "version"]);
        assert_eq!(toks("description"), ["description"]);
    }

    #[test]
    fn hints_match_whole_tokens_only() {
        assert!(!hints("description").has(Hints::IP));
        assert!(!hints("zipCode").has(Hints::IP));
        assert!(hints("clientIp").has(Hints::IP));
        assert!(hints("msTenantId").has(Hints::TENANT));
        assert!(hints("X-Api-Key").secret());
        assert!(hints("OSVersion").negative());
        assert!(hints("UserLanguage").negative());
    }

    #[test]
    fn person_and_org_name_hints_exclude_teams_and_apps() {
        assert!(hints("name").person_name());
        assert!(hints("displayName").person_name());
        assert!(hints("userDisplayName").person_name());
        assert!(!hints("team_name").person_name());
        assert!(!hints("AppName").person_name());
        assert!(!hints("template_name").person_name());
        assert!(!hints("companyName").person_name());
        assert!(hints("companyName").org_name());
        assert!(!hints("companyId").org_name());
        assert!(!hints("customerId").org_name());
        assert!(!hints("filename").person_name());
    }

    #[test]
    fn coordinate_axes_come_from_whole_tokens() {
        assert_eq!(coordinate_axis("lat"), Some(Axis::Latitude));
        assert_eq!(coordinate_axis("Latitude"), Some(Axis::Latitude));
        assert_eq!(coordinate_axis("$latitude"), Some(Axis::Latitude));
        assert_eq!(coordinate_axis("location_lng"), Some(Axis::Longitude));
        assert_eq!(coordinate_axis("geoLon"), Some(Axis::Longitude));
        assert_eq!(coordinate_axis("LONG"), Some(Axis::Longitude));
        assert_eq!(coordinate_axis("coordinates"), Some(Axis::Either));
        for name in [
            "latency",
            "latencyMs",
            "login",
            "longest",
            "colon",
            "relation",
            "count",
            "",
        ] {
            assert_eq!(coordinate_axis(name), None, "{name}");
        }
    }

    #[test]
    fn coordinate_cue_agrees_with_a_plain_search() {
        let plain = |s: &str| {
            let s = s.to_ascii_lowercase();
            ["lat", "lon", "lng", "coo"].iter().any(|c| s.contains(c))
        };
        let pieces = [
            "l", "L", "a", "T", "o", "N", "g", "c", "O", "x", "_", "Lat", "cOo", "é",
        ];
        for text in crate::pii::random_texts(11, &pieces, 20_000) {
            assert_eq!(has_coordinate_cue(text.as_bytes()), plain(&text), "{text}");
        }
    }

    #[test]
    fn evidence_lists_lowercase_tokens() {
        assert_eq!(evidence("msUpn"), "field name ms,upn");
    }
}
