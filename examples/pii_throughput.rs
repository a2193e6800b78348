//! Single-threaded throughput of `pii::scan_event` on ~50k synthetic events shaped like the
//! generator's output (TRUTH-CONTRACT.md), or on the first N events of an export:
//! `cargo run --release --example pii_throughput [N] [export.db]`. Events are read into memory
//! first, so only the scan is timed (`perf stat -e instructions:u` gives load-proof counts).

use std::collections::BTreeMap;
use std::time::Instant;

use telex::model::{Event, EventSummary};
use telex::pii;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
    fn guid(&mut self) -> String {
        let a = self.next();
        let b = self.next();
        format!(
            "{:08X}-{:04X}-{:04X}-{:04X}-{:012X}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xffff,
            b >> 48,
            b & 0xffff_ffff_ffff
        )
    }
}

const FIRST: &[&str] = &[
    "Alice", "Amos", "Grace", "Marie", "Ada", "Alan", "Rosalind", "Niels",
];
const LAST: &[&str] = &[
    "Hawking", "Marble", "Hopper", "Curie", "Lovelace", "Turing", "Franklin", "Bohr",
];
const DOMAINS: &[&str] = &[
    "contoso.com",
    "fabrikam.com",
    "corp.local",
    "adatum.com",
    "litware.onmicrosoft.com",
];

fn event(rng: &mut Rng, id: i64) -> Event {
    let tenant = rng.guid();
    let (first, last) = (rng.pick(FIRST), rng.pick(LAST));
    let login = format!("{}{}", first.to_lowercase(), last.to_lowercase());
    let domain = rng.pick(DOMAINS);
    let upn = format!("{}.{}@{domain}", first.to_lowercase(), last.to_lowercase());
    let (category, name, payload, user) = match rng.below(4) {
        0 => (
            "census",
            "app_session_start",
            format!(
                r#"{{"AppName":"SalesTim Automation","DeviceModel":"iPhone","OSName":"iOS","OSVersion":"10.0.19041.1","UserLanguage":"EN-US","UserID":"{}","SessionID":"{}","DeviceID":"{}","DeviceName":"{first} {last}'s iPhone"}}"#,
                rng.guid(),
                rng.guid(),
                rng.guid()
            ),
            rng.guid(),
        ),
        1 => (
            "usage",
            "request_created",
            format!(
                r#"{{"request_id":"{}","team_name":"Marketing Q3","request_additionalMembers":"5","request_additionalOwners":"3","template_id":"{}","template_name":"Project template","FederationPartner":"fabrikam.com","IMSent":12,"CallMinutes":34}}"#,
                rng.guid(),
                rng.guid()
            ),
            rng.guid(),
        ),
        2 => (
            "support",
            "identified",
            format!(
                r#"{{"intercomId":"{upn}","intercomEmail":"{upn}","locale":"EN-US","msTenantId":"{tenant}","msUpn":"{upn}","theme":"Dark","msUserId":"{}","environment":"production","version":"1.2","name":"{first} {last}","tld":"{domain}","companyName":"Contoso Ltd","msTenantInitialDomain":"contoso.onmicrosoft.com"}}"#,
                rng.guid()
            ),
            rng.guid(),
        ),
        _ => (
            "error",
            "signin_error",
            format!(
                r#"{{"ErrorCode":"0x80070005","Message":"Sign-in failed for user {upn} from 203.0.113.{} after 3 retries (build 16.0.14326.20404, add-in 2.1.0.3)","Exception":{{"type":"System.UnauthorizedAccessException","message":"Access denied","stack":"at Telex.Auth.SignIn() in C:\\Users\\{login}\\src\\auth.cs:line 42\n at Telex.App.Run()"}},"ClientIP":"2001:db8:85a3::8a2e:370:{:x}","SipUri":"sip:{upn}","ConversationThreadId":"AdDO8hsJqilU93hQHC3OZaPR2saEA==","UserID":"{login}","MessageDirection":"inbound","ConversationState":"active","OSVersion":"10.0.19041.1","headers":{{"Authorization":"Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0.abcdefghijklmnop"}}}}"#,
                1 + rng.below(250),
                1 + rng.below(60000)
            ),
            login.clone(),
        ),
    };
    Event {
        summary: EventSummary {
            id,
            ts: "2026-09-01T12:00:00.000Z".into(),
            category: category.into(),
            name: name.into(),
            tenant_id: Some(tenant),
            session_id: Some(rng.guid()),
            user_id: Some(user),
        },
        app_name: Some("SalesTim".into()),
        app_version: Some("2.1.0.3".into()),
        payload: Some(payload),
        extra: vec![],
    }
}

fn main() {
    let n: i64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(50_000);
    let events: Vec<Event> = match std::env::args().nth(2) {
        Some(path) => {
            let store = telex::store::Store::open(std::path::Path::new(&path)).expect("export");
            let mut events = Vec::new();
            // CATEGORY=error: only that category's events.
            let filter = match std::env::var("CATEGORY") {
                Ok(c) => telex::filter::parse(&format!("category:{c}"), &[]).expect("filter"),
                Err(_) => telex::model::Filter::default(),
            };
            store
                .for_each_event(&filter, Some(n as u64), |e| {
                    events.push(e);
                    true
                })
                .expect("read");
            events
        }
        None => {
            let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
            (0..n).map(|i| event(&mut rng, i)).collect()
        }
    };
    let n = events.len();
    let bytes: usize = events
        .iter()
        .map(|e| e.payload.as_ref().map_or(0, String::len))
        .sum();

    // Check what is detected before timing, so the benchmark never times a silent detector.
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for e in &events {
        for f in pii::scan_event(e) {
            *kinds.entry(f.kind.as_str()).or_default() += 1;
        }
    }
    println!("findings per kind on {n} events: {kinds:?}");

    let mut best = f64::MAX;
    let mut total = 0;
    let reps: usize = std::env::var("REPS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    for _ in 0..reps {
        let start = Instant::now();
        for e in &events {
            total += pii::scan_event(e).len();
        }
        best = best.min(start.elapsed().as_secs_f64());
    }
    let mb = bytes as f64 / 1e6;
    if std::env::var_os("PARSE_ONLY").is_some() {
        let start = Instant::now();
        let mut keys = 0;
        for e in &events {
            let v: serde_json::Value =
                serde_json::from_str(e.payload.as_deref().unwrap_or("{}")).unwrap_or_default();
            keys += v.as_object().map_or(0, |m| m.len());
        }
        let t = start.elapsed().as_secs_f64();
        println!("parse only: {:.0} MB/s ({keys})", mb / t);
    }
    println!(
        "{n} events, {mb:.1} MB payload: best of {reps} {best:.3} s = {:.0} MB/s, {:.0} events/s single-threaded ({total} findings)",
        mb / best,
        n as f64 / best
    );
}
